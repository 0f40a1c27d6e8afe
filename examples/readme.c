/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The README's example, built and run by the test suite so it cannot rot:
 * a host negotiates FF-A 1.2 through the pKVM model and sends a direct
 * request to SP1 of the Arm FF-A ACS partition set, which echoes it.
 */
#include <stdio.h>

#include <ffa/ffa.h>

int main(void)
{
	struct ffaemu_system_config cfg;
	struct ffaemu_system *sys;
	struct ffaemu_regs r = {{0}};

	ffaemu_system_config_default(&cfg);
	cfg.proxy = "pkvm-2026";     /* host -> pKVM model -> EL3 -> fake SPMC */
	cfg.partitions = "acs-fvp";  /* SP1-SP4 of the Arm FF-A ACS (0x8001-0x8004) */
	if (ffaemu_system_new(&cfg, &sys) != FFAEMU_OK)
		return 1;

	r.x[0] = FFAEMU_FFA_VERSION; /* negotiate: the reply is a bare version in w0 */
	r.x[1] = FFAEMU_FFA_1_2;
	ffaemu_system_call(sys, &r);
	printf("FFA_VERSION -> 0x%05llx\n", (unsigned long long)r.x[0]);

	ffaemu_regs_clear(&r);       /* DIRECT_REQ_64 from the host (0) to SP1 */
	r.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64;
	ffaemu_regs_set_ids(&r, 1, 0x0000, 0x8001);
	r.x[3] = 42;
	ffaemu_system_call(sys, &r);
	printf("%s x3=%llu\n", ffaemu_smccc_fid_name((uint32_t)r.x[0]),
	       (unsigned long long)r.x[3]);

	ffaemu_system_free(&sys);
	return r.x[0] == FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64 && r.x[3] == 42 ? 0 : 1;
}
