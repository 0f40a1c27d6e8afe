/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built by check_install.py against the installed tree with nothing but
 * `pkg-config --cflags --libs ffa-emu`: a host asks EL3 for the SMCCC
 * version through a conduit edge, and an FF-A call with no SPMC behind EL3
 * gets FFA_ERROR(NOT_SUPPORTED).
 */
#include <ffa/ffa.h>

#include <stdio.h>

int main(void)
{
	struct ffaemu_el3 *el3 = NULL;
	struct ffaemu_edge *edge = NULL;
	struct ffaemu_regs regs;
	char v[16];
	int rc = 1;

	if (ffaemu_el3_new(NULL, &el3) || ffaemu_edge_new(NULL, ffaemu_el3_node(el3), &edge))
		goto out;
	ffaemu_regs_clear(&regs);
	regs.x[0] = FFAEMU_SMCCC_VERSION_FID;
	ffaemu_edge_call(edge, &regs, NULL);
	if (regs.x[0] != FFAEMU_SMCCC_1_2)
		goto out;
	printf("SMCCC %s\n", ffaemu_version_format((uint32_t)regs.x[0], v, sizeof(v)));

	ffaemu_regs_clear(&regs);
	regs.x[0] = FFAEMU_FFA_VERSION;
	regs.x[1] = FFAEMU_FFA_1_2;
	ffaemu_edge_call(edge, &regs, NULL);
	if (regs.x[0] != FFAEMU_FFA_ERROR || ffaemu_regs_s32(&regs, 2) != FFAEMU_FFA_NOT_SUPPORTED)
		goto out;
	printf("%s -> %s\n", ffaemu_smccc_fid_name(FFAEMU_FFA_VERSION),
	       ffaemu_ffa_error_name(ffaemu_regs_s32(&regs, 2)));
	rc = 0;
out:
	ffaemu_edge_free(&edge);
	ffaemu_el3_free(&el3);
	return rc;
}
