/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A deliberately simplified hypervisor FF-A proxy, built as a plug-in, to
 * show what `ffa-emu conform` finds in someone else's proxy:
 *
 *   ffa-emu conform --proxy plugin:./simple-proxy.so:simple_proxy:linux-regs
 *
 * It is written the way a first attempt often is: a pass-through that
 * forwards every call to EL3 with the SMCCC 1.2 register structs of Linux
 * and Xen (arm_smccc_1_2_smc). Its two mistakes are on purpose:
 *
 *  1. it copies only x0-x7 of the reply back to the caller and zeroes
 *     x8-x17, as code written for SMCCC 1.1 does. SMC32 calls must keep
 *     x8-x17 (DEN0028 1.2 s2.6) and SMC64 calls return results there, so
 *     DIRECT_REQ2 payloads and PARTITION_INFO_GET_REGS descriptors are lost;
 *  2. it filters nothing: calls a hypervisor must handle or refuse (for
 *     example FFA_RXTX_MAP of buffers it never checked, pkvm-proxy 1.x)
 *     reach the SPMC unchecked.
 *
 * ffa-emu calls simple_proxy_init() once with the function to call for
 * "smc" towards EL3, of the same shape as the entry point.
 *
 * passthrough_proxy is the same proxy without mistake 1, for contrast: it
 * passes every check plugin-host makes and keeps SMCCC's register rules,
 * but `ffa-emu conform` still fails it for mistake 2.
 */
#include <stdint.h>
#include <string.h>

struct smccc_regs {
	uint64_t a[18];
};

typedef void (*smc_fn)(const struct smccc_regs *args, struct smccc_regs *res);

/* Plug-in state; one proxy per loaded object. */
static smc_fn smc_to_el3;

int simple_proxy_init(void (*downcall)(void));
void simple_proxy(const struct smccc_regs *args, struct smccc_regs *res);
int passthrough_proxy_init(void (*downcall)(void));
void passthrough_proxy(const struct smccc_regs *args, struct smccc_regs *res);

int simple_proxy_init(void (*downcall)(void))
{
	smc_to_el3 = (smc_fn)downcall;
	return smc_to_el3 ? 0 : -1;
}

void simple_proxy(const struct smccc_regs *args, struct smccc_regs *res)
{
	struct smccc_regs r;

	smc_to_el3(args, &r);
	memset(res, 0, sizeof(*res));
	/* mistake 1: an SMCCC 1.1 proxy's idea of the result registers */
	memcpy(res->a, r.a, 8 * sizeof(r.a[0]));
}

int passthrough_proxy_init(void (*downcall)(void))
{
	return simple_proxy_init(downcall);
}

void passthrough_proxy(const struct smccc_regs *args, struct smccc_regs *res)
{
	smc_to_el3(args, res);
}
