// SPDX-License-Identifier: BSD-3-Clause
// The umbrella header from C++: every declaration links with C linkage
// against the shared library, and a whole call path works.
#include <ffa/ffa.h>

#include <cstdio>
#include <cstring>

int main()
{
	struct ffaemu_el3 *el3 = NULL;
	struct ffaemu_edge *edge = NULL;
	struct ffaemu_regs regs;
	char buf[FFAEMU_UUID_STR_LEN];
	struct ffaemu_uuid u;

	if (ffaemu_el3_new(NULL, &el3) != FFAEMU_OK)
		return 1;
	if (ffaemu_edge_new(NULL, ffaemu_el3_node(el3), &edge) != FFAEMU_OK)
		return 2;
	ffaemu_regs_clear(&regs);
	regs.x[0] = FFAEMU_SMCCC_VERSION_FID;
	ffaemu_edge_call(edge, &regs, NULL);
	if (regs.x[0] != FFAEMU_SMCCC_1_2)
		return 3;
	if (ffaemu_uuid_parse("a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8", &u) != FFAEMU_OK ||
	    std::strcmp(ffaemu_uuid_format(&u, buf), "a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8") != 0)
		return 4;
	if (std::strcmp(ffaemu_smccc_fid_name(FFAEMU_FFA_VERSION), "FFA_VERSION") != 0)
		return 5;
	if (std::strcmp(ffaemu_status_name(FFAEMU_EINVAL), "FFAEMU_EINVAL") != 0)
		return 6;
	ffaemu_edge_free(&edge);
	ffaemu_el3_free(&el3);
	std::puts("ok");
	return 0;
}
