/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A plug-in as a user would write one, for test_ffi_plugin: it knows
 * nothing of ffa-emu, only its own Linux arm_smccc_1_2-style signature.
 */
#include <stdint.h>

struct regs18 {
	uint64_t x[18];
};

typedef void (*smc_fn)(const struct regs18 *args, struct regs18 *res);

#define FORWARD_FID 0xc400008dull /* FFA_MSG_SEND_DIRECT_REQ2: passed down */

static smc_fn down;

int echo_proxy_init(void (*fn)(void));
void echo_proxy(const struct regs18 *args, struct regs18 *res);
int failing_init(void (*fn)(void));
void failing(const struct regs18 *args, struct regs18 *res);
void plain(const struct regs18 *args, struct regs18 *res);

int echo_proxy_init(void (*fn)(void))
{
	down = (smc_fn)fn;
	return 0;
}

void echo_proxy(const struct regs18 *args, struct regs18 *res)
{
	if (args->x[0] == FORWARD_FID && down) {
		struct regs18 t = *args;

		t.x[1] ^= 0xf; /* a proxy that rewrites what it forwards */
		down(&t, res);
		res->x[17] = 0xd0d0;
		return;
	}
	for (unsigned n = 0; n < 18; n++)
		res->x[n] = args->x[n] + 0x100;
}

int failing_init(void (*fn)(void))
{
	(void)fn;
	return -1;
}

void failing(const struct regs18 *args, struct regs18 *res)
{
	*res = *args;
}

void plain(const struct regs18 *args, struct regs18 *res)
{
	for (unsigned n = 0; n < 18; n++)
		res->x[n] = ~args->x[n];
}
