/* SPDX-License-Identifier: BSD-3-Clause */
/* The EL3 dispatcher: arch calls per SMCCC version, PSCI discovery, FF-A routing (spec A5-A11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/conduit.h>
#include <ffa/el3.h>

#include "failalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNKNOWN 0xffffffffffffffffull
#define PSCI_1_1 0x10001u
#define PSCI_CPU_ON_64 0xc4000003u

/* ---- A stub SPMC node that records what reached it ---- */

struct spmc_stub {
	unsigned calls;
	struct ffaemu_regs seen;
	const struct ffaemu_call_ctx *ctx_ptr;
};

static void spmc_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct spmc_stub *s = self;

	s->calls++;
	s->seen = *regs;
	s->ctx_ptr = ctx;
	regs->x[0] = FFAEMU_FFA_SUCCESS;
	regs->x[2] = 0xabcd;
}

static const struct ffaemu_node_ops spmc_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "spmc-stub",
	.call = spmc_call,
};

/* ---- A hook that claims what it is told to ---- */

struct hook_state {
	unsigned calls;
	uint32_t claim_fid;
	const struct ffaemu_call_ctx *ctx_ptr;
};

static bool hook_fn(void *user, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct hook_state *h = user;

	h->calls++;
	h->ctx_ptr = ctx;
	if (ffaemu_regs_w(regs, 0) != h->claim_fid)
		return false;
	regs->x[0] = 0x600dull;
	regs->x[1] = 0x700dull;
	return true;
}

/* ---- Fixture ---- */

struct fixture {
	struct spmc_stub spmc;
	struct ffaemu_node *spmc_node;
	struct ffaemu_el3_config cfg;
	struct ffaemu_el3 *el3;
	struct ffaemu_call_ctx ctx;
	struct hook_state hook;
};

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(ffaemu_node_new(&spmc_ops, &fx->spmc, NULL, &fx->spmc_node), FFAEMU_OK);
	ffaemu_el3_config_default(&fx->cfg);
	fx->ctx.instance = FFAEMU_INSTANCE_NP;
	fx->ctx.el = 2;
	fx->ctx.smccc_version = FFAEMU_SMCCC_1_2;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	ffaemu_el3_free(&fx->el3);
	assert_null(fx->el3);
	ffaemu_node_free(&fx->spmc_node);
	free(fx);
	return 0;
}

static void make(struct fixture *fx)
{
	ffaemu_el3_free(&fx->el3);
	assert_int_equal(ffaemu_el3_new(&fx->cfg, &fx->el3), FFAEMU_OK);
}

static void fill(struct ffaemu_regs *r, uint32_t fid)
{
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		r->x[n] = 0x1111000000000000ull * (n % 15 + 1) + n;
	r->x[0] = fid;
}

/* Call el3 directly; returns x0 and checks that x1.. are untouched unless keep is 0. */
static uint64_t call(struct fixture *fx, uint32_t fid, uint64_t x1, struct ffaemu_regs *out)
{
	struct ffaemu_regs r;

	fill(&r, fid);
	r.x[1] = x1;
	ffaemu_node_call(ffaemu_el3_node(fx->el3), &r, &fx->ctx);
	if (out)
		*out = r;
	return r.x[0];
}

/* Only x0 changed: the arch-call reply shape (spec A10; TFA-RT). */
static void assert_only_x0_written(const struct ffaemu_regs *r, uint32_t fid, uint64_t x1)
{
	struct ffaemu_regs want;

	fill(&want, fid);
	want.x[1] = x1;
	for (unsigned n = 1; n < FFAEMU_NREGS; n++)
		assert_true(r->x[n] == want.x[n]);
}

/* ---- Construction ---- */

static void config_default_values(void **state)
{
	struct ffaemu_el3_config cfg;
	(void)state;

	memset(&cfg, 0x6b, sizeof(cfg));
	ffaemu_el3_config_default(&cfg);
	assert_int_equal(cfg.size, sizeof(cfg));
	assert_int_equal(cfg.smccc_version, FFAEMU_SMCCC_1_2);
	assert_int_equal(cfg.psci_version, PSCI_1_1);
	assert_null(cfg.spmc);
	assert_null(cfg.hook);
	assert_null(cfg.hook_user);
	for (int i = 0; i < 4; i++)
		assert_int_equal(cfg.workaround[i], FFAEMU_SMCCC_NOT_SUPPORTED);
	assert_false(cfg.soc_id);
	assert_null(cfg.alloc);
}

static void new_rejects_bad_config(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_el3_config cfg;
	struct ffaemu_el3 *e = (struct ffaemu_el3 *)(uintptr_t)1;

	assert_int_equal(ffaemu_el3_new(&fx->cfg, NULL), FFAEMU_EINVAL);
	cfg = fx->cfg;
	cfg.size = 0;
	assert_int_equal(ffaemu_el3_new(&cfg, &e), FFAEMU_EINVAL);
	assert_null(e);
	cfg = fx->cfg;
	cfg.smccc_version = 0x80000000u;
	assert_int_equal(ffaemu_el3_new(&cfg, &e), FFAEMU_EINVAL);
	cfg.smccc_version = 0x00000002u;
	assert_int_equal(ffaemu_el3_new(&cfg, &e), FFAEMU_EINVAL);
	cfg = fx->cfg;
	cfg.psci_version = 0xffffffffu;
	assert_int_equal(ffaemu_el3_new(&cfg, &e), FFAEMU_EINVAL);
	assert_null(e);

	/* NULL config = defaults. */
	assert_int_equal(ffaemu_el3_new(NULL, &e), FFAEMU_OK);
	assert_string_equal(ffaemu_node_name(ffaemu_el3_node(e)), "el3");
	assert_ptr_equal(ffaemu_node_self(ffaemu_el3_node(e)), e);
	ffaemu_el3_free(&e);
	assert_null(e);
	ffaemu_el3_free(&e);
	ffaemu_el3_free(NULL);
	assert_null(ffaemu_el3_node(NULL));
	ffaemu_el3_set_spmc(NULL, NULL);
}

static void new_fails_cleanly_on_each_allocation_failure(void **state)
{
	struct fixture *fx = *state;
	struct failalloc fa;
	struct ffaemu_el3 *e;
	unsigned long needed;

	failalloc_init(&fa);
	fx->cfg.alloc = failalloc_allocator(&fa);
	assert_int_equal(ffaemu_el3_new(&fx->cfg, &e), FFAEMU_OK);
	needed = fa.calls;
	ffaemu_el3_free(&e);
	assert_int_equal(fa.frees, needed);
	for (unsigned long k = 1; k <= needed; k++) {
		failalloc_init(&fa);
		failalloc_fail_nth(&fa, k);
		assert_int_equal(ffaemu_el3_new(&fx->cfg, &e), FFAEMU_ENOMEM);
		assert_null(e);
		assert_int_equal(fa.frees, k - 1);
	}
}

/* ---- Arch calls per SMCCC version (spec A5) ---- */

static const uint32_t versions[] = {FFAEMU_SMCCC_1_0, FFAEMU_SMCCC_1_1, FFAEMU_SMCCC_1_2,
				    FFAEMU_SMCCC_1_3};

static void smccc_version_exists_from_1_1(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		fx->cfg.smccc_version = versions[i];
		make(fx);
		uint64_t x0 = call(fx, FFAEMU_SMCCC_VERSION_FID, 0, &r);
		if (versions[i] == FFAEMU_SMCCC_1_0)
			assert_true(x0 == UNKNOWN);
		else
			assert_true(x0 == versions[i]);
		assert_only_x0_written(&r, FFAEMU_SMCCC_VERSION_FID, 0);
	}
}

static void arch_features_answers_per_version_and_config(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		uint32_t query;
		uint64_t want; /* at SMCCC >= 1.1, default config */
	} rows[] = {
		{FFAEMU_SMCCC_VERSION_FID, 0},
		{FFAEMU_SMCCC_ARCH_FEATURES, 0},
		{FFAEMU_SMCCC_ARCH_SOC_ID, UNKNOWN},
		{FFAEMU_SMCCC_ARCH_FEATURE_AVAILABILITY, UNKNOWN},
		{FFAEMU_SMCCC_ARCH_WORKAROUND_1, UNKNOWN},
		{FFAEMU_SMCCC_ARCH_WORKAROUND_2, UNKNOWN},
		{FFAEMU_SMCCC_ARCH_WORKAROUND_3, UNKNOWN},
		{FFAEMU_SMCCC_ARCH_WORKAROUND_4, UNKNOWN},
		{0x80000005u, UNKNOWN},
		{FFAEMU_PSCI_VERSION, UNKNOWN}, /* not an arch call */
		{0u, UNKNOWN},
	};
	struct ffaemu_regs r;

	for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
		fx->cfg.smccc_version = versions[v];
		make(fx);
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			uint64_t x0 = call(fx, FFAEMU_SMCCC_ARCH_FEATURES, rows[i].query, &r);
			/* 1.0: the call itself does not exist (spec A4, A11). */
			uint64_t want = versions[v] == FFAEMU_SMCCC_1_0 ? UNKNOWN : rows[i].want;
			assert_true(x0 == want);
			assert_only_x0_written(&r, FFAEMU_SMCCC_ARCH_FEATURES, rows[i].query);
		}
	}
}

static void arch_features_reports_configured_workarounds(void **state)
{
	struct fixture *fx = *state;
	static const uint32_t wa[4] = {FFAEMU_SMCCC_ARCH_WORKAROUND_1,
				       FFAEMU_SMCCC_ARCH_WORKAROUND_2,
				       FFAEMU_SMCCC_ARCH_WORKAROUND_3,
				       FFAEMU_SMCCC_ARCH_WORKAROUND_4};

	fx->cfg.workaround[0] = 0;                          /* needed and implemented */
	fx->cfg.workaround[1] = FFAEMU_SMCCC_NOT_REQUIRED;  /* -2 */
	fx->cfg.workaround[2] = 1;                          /* PE unaffected */
	fx->cfg.workaround[3] = FFAEMU_SMCCC_NOT_SUPPORTED;
	make(fx);
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, wa[0], NULL) == 0);
	/* Non -1 negative codes are W writes, zero-extended (spec A6, A8). */
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, wa[1], NULL) == 0xfffffffeull);
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, wa[2], NULL) == 1);
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, wa[3], NULL) == UNKNOWN);
	/* Upper half of w1 is ignored. */
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, 0xdead000000000000ull | wa[2], NULL) == 1);
}

static void workaround_calls_return_nothing_when_implemented(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	fx->cfg.workaround[0] = 0;
	make(fx);
	/* Implemented: no result, registers untouched (spec A5). */
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_WORKAROUND_1, 7, &r) ==
		    FFAEMU_SMCCC_ARCH_WORKAROUND_1);
	assert_only_x0_written(&r, FFAEMU_SMCCC_ARCH_WORKAROUND_1, 7);
	/* Not implemented: unknown. */
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_WORKAROUND_2, 1, &r) == UNKNOWN);
	assert_only_x0_written(&r, FFAEMU_SMCCC_ARCH_WORKAROUND_2, 1);
	/* SMCCC 1.0 has no arch calls at all (spec A4). */
	fx->cfg.smccc_version = FFAEMU_SMCCC_1_0;
	make(fx);
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_WORKAROUND_1, 0, NULL) == UNKNOWN);
}

static void soc_id_from_1_2_when_enabled(void **state)
{
	struct fixture *fx = *state;

	fx->cfg.soc_id = true;
	fx->cfg.soc_id_version = 0x023b0001u;
	fx->cfg.soc_id_revision = 0x80000007u; /* bit 31 set by mistake: masked */
	for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
		bool has = versions[v] >= FFAEMU_SMCCC_1_2;
		struct ffaemu_regs r;

		fx->cfg.smccc_version = versions[v];
		make(fx);
		if (versions[v] >= FFAEMU_SMCCC_1_1)
			assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, FFAEMU_SMCCC_ARCH_SOC_ID,
					 NULL) == (has ? 0 : UNKNOWN));
		for (int w = 0; w < 2; w++) {
			uint32_t fid = w ? FFAEMU_SMCCC_ARCH_SOC_ID_64 : FFAEMU_SMCCC_ARCH_SOC_ID;

			assert_true(call(fx, fid, 0, &r) == (has ? 0x023b0001u : UNKNOWN));
			assert_only_x0_written(&r, fid, 0);
			assert_true(call(fx, fid, 1, NULL) == (has ? 0x00000007u : UNKNOWN));
			/* Only w1 counts. */
			assert_true(call(fx, fid, 0xffffffff00000001ull, NULL) ==
				    (has ? 0x00000007u : UNKNOWN));
			/* Name query (2) not modelled, and any other type: INVALID_PARAMETER. */
			assert_true(call(fx, fid, 2, NULL) == (has ? 0xfffffffdull : UNKNOWN));
			assert_true(call(fx, fid, 3, NULL) == (has ? 0xfffffffdull : UNKNOWN));
			assert_true(call(fx, fid, 0x80000000u, NULL) ==
				    (has ? 0xfffffffdull : UNKNOWN));
		}
	}
	fx->cfg.soc_id = false;
	fx->cfg.smccc_version = FFAEMU_SMCCC_1_3;
	make(fx);
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_SOC_ID, 0, NULL) == UNKNOWN);
	assert_true(call(fx, FFAEMU_SMCCC_ARCH_FEATURES, FFAEMU_SMCCC_ARCH_SOC_ID, NULL) == UNKNOWN);
}

/* ---- PSCI discovery (spec A11) ---- */

static void psci_version_reports_config_or_unknown(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	make(fx);
	assert_true(call(fx, FFAEMU_PSCI_VERSION, 0, &r) == PSCI_1_1);
	assert_only_x0_written(&r, FFAEMU_PSCI_VERSION, 0);
	fx->cfg.psci_version = 0x10000u;
	make(fx);
	assert_true(call(fx, FFAEMU_PSCI_VERSION, 0, NULL) == 0x10000u);
	fx->cfg.psci_version = 0;
	make(fx);
	assert_true(call(fx, FFAEMU_PSCI_VERSION, 0, NULL) == UNKNOWN);
}

static void psci_features_finds_smccc_version_per_smccc(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
		fx->cfg.smccc_version = versions[v];
		make(fx);
		uint64_t want = versions[v] >= FFAEMU_SMCCC_1_1 ? 0 : UNKNOWN;
		assert_true(call(fx, FFAEMU_PSCI_FEATURES, FFAEMU_SMCCC_VERSION_FID, &r) == want);
		assert_only_x0_written(&r, FFAEMU_PSCI_FEATURES, FFAEMU_SMCCC_VERSION_FID);
		assert_true(call(fx, FFAEMU_PSCI_FEATURES, FFAEMU_PSCI_VERSION, NULL) == 0);
		assert_true(call(fx, FFAEMU_PSCI_FEATURES, FFAEMU_PSCI_FEATURES, NULL) == 0);
		assert_true(call(fx, FFAEMU_PSCI_FEATURES, PSCI_CPU_ON_64, NULL) == UNKNOWN);
		assert_true(call(fx, FFAEMU_PSCI_FEATURES, FFAEMU_FFA_VERSION, NULL) == UNKNOWN);
	}
}

static void psci_features_needs_psci_1_0(void **state)
{
	struct fixture *fx = *state;

	fx->cfg.psci_version = 0x00000002u; /* PSCI 0.2 */
	make(fx);
	assert_true(call(fx, FFAEMU_PSCI_FEATURES, FFAEMU_SMCCC_VERSION_FID, NULL) == UNKNOWN);
	fx->cfg.psci_version = 0;
	make(fx);
	assert_true(call(fx, FFAEMU_PSCI_FEATURES, FFAEMU_SMCCC_VERSION_FID, NULL) == UNKNOWN);
}

/* ---- FF-A routing (spec A3, A10) ---- */

static void ffa_ids_route_to_spmc_unchanged(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r, in;
	unsigned expect = 0;

	fx->cfg.spmc = fx->spmc_node;
	make(fx);
	/* Every function number of the FF-A window, both widths (spec A3, G13). */
	for (uint32_t fn = FFAEMU_FFA_FUNC_FIRST; fn <= FFAEMU_FFA_FUNC_LAST; fn++) {
		for (int w = 0; w < 2; w++) {
			uint32_t fid = w ? FFAEMU_FFA_FID64(fn) : FFAEMU_FFA_FID32(fn);

			fill(&r, fid);
			in = r;
			ffaemu_node_call(ffaemu_el3_node(fx->el3), &r, &fx->ctx);
			expect++;
			assert_int_equal(fx->spmc.calls, expect);
			assert_memory_equal(&fx->spmc.seen, &in, sizeof(in));
			assert_ptr_equal(fx->spmc.ctx_ptr, &fx->ctx);
			assert_true(r.x[0] == FFAEMU_FFA_SUCCESS && r.x[2] == 0xabcd);
		}
	}
}

static void sve_hint_is_stripped_for_routing_and_kept_for_the_spmc(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	fx->cfg.spmc = fx->spmc_node;
	make(fx);
	call(fx, FFAEMU_FFA_VERSION | FFAEMU_SMCCC_SVE_HINT, 0x10002, &r);
	assert_int_equal(fx->spmc.calls, 1);
	assert_true(fx->spmc.seen.x[0] == 0x84010063u);
	assert_true(call(fx, FFAEMU_SMCCC_VERSION_FID | FFAEMU_SMCCC_SVE_HINT, 0, NULL) ==
		    FFAEMU_SMCCC_1_2);
	assert_true(call(fx, FFAEMU_PSCI_FEATURES | FFAEMU_SMCCC_SVE_HINT,
			 FFAEMU_SMCCC_VERSION_FID, NULL) == 0);
}

static void no_spmc_answers_ffa_error_not_supported_frame(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	make(fx);
	/* SMC32 at SMCCC 1.2: results w0-w7; x8-x17 are the caller's (spec A7, A10, C3). */
	call(fx, FFAEMU_FFA_VERSION, 0x10002, &r);
	assert_true(r.x[0] == 0x84000060u);
	assert_true(r.x[1] == 0);
	assert_true(r.x[2] == 0xffffffffull);
	for (unsigned n = 3; n < 8; n++)
		assert_true(r.x[n] == 0);
	{
		struct ffaemu_regs want;
		fill(&want, FFAEMU_FFA_VERSION);
		for (unsigned n = 8; n < FFAEMU_NREGS; n++)
			assert_true(r.x[n] == want.x[n]);
	}
	/* SMC64 at 1.2: x3-x17 all zero. */
	call(fx, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x00018001, &r);
	assert_true(r.x[0] == 0x84000060u && r.x[1] == 0 && r.x[2] == 0xffffffffull);
	for (unsigned n = 3; n < FFAEMU_NREGS; n++)
		assert_true(r.x[n] == 0);
	assert_int_equal(ffaemu_regs_s32(&r, 2), FFAEMU_FFA_NOT_SUPPORTED);
	/* Under an SMCCC 1.1 contract only x1-x3 are results. */
	fx->ctx.smccc_version = FFAEMU_SMCCC_1_1;
	call(fx, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x00018001, &r);
	assert_true(r.x[0] == 0x84000060u && r.x[1] == 0 && r.x[3] == 0);
	assert_true(r.x[4] != 0);
	assert_int_equal(fx->spmc.calls, 0);
}

static void set_spmc_rewires_ffa_routing(void **state)
{
	struct fixture *fx = *state;

	make(fx);
	assert_true(call(fx, FFAEMU_FFA_ID_GET, 0, NULL) == FFAEMU_FFA_ERROR);
	ffaemu_el3_set_spmc(fx->el3, fx->spmc_node);
	assert_true(call(fx, FFAEMU_FFA_ID_GET, 0, NULL) == FFAEMU_FFA_SUCCESS);
	assert_int_equal(fx->spmc.calls, 1);
	ffaemu_el3_set_spmc(fx->el3, NULL);
	assert_true(call(fx, FFAEMU_FFA_ID_GET, 0, NULL) == FFAEMU_FFA_ERROR);
	assert_int_equal(fx->spmc.calls, 1);
}

/* ---- Everything else ---- */

static void unknown_ids_get_minus_one_and_nothing_else_changes(void **state)
{
	static const uint32_t fids[] = {
		0x82000000u, /* SiP */
		0x83000001u, /* OEM */
		0xbf00ff01u, /* Trusted OS UID */
		0x840000f0u, /* Errata ABI: not FF-A (spec G13) */
		0x840000ffu, /* inside pKVM's window, outside FF-A's */
		0x8400005fu, /* just below FF-A */
		0x04000063u, /* FFA_VERSION's number as a yielding call: not FF-A */
		0x00000000u, /* legacy range */
		0x0100ffffu,
		0x80000005u, /* unassigned arch call */
		0xc0000000u, /* SMCCC_VERSION's number as SMC64 */
		PSCI_CPU_ON_64,
	};
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	fx->cfg.spmc = fx->spmc_node;
	make(fx);
	for (size_t i = 0; i < ARRAY_SIZE(fids); i++) {
		assert_true(call(fx, fids[i], 0x42, &r) == UNKNOWN);
		assert_only_x0_written(&r, fids[i], 0x42);
	}
	assert_int_equal(fx->spmc.calls, 0);
}

static void reserved_bits_make_a_fast_call_unknown(void **state)
{
	struct fixture *fx = *state;

	fx->cfg.spmc = fx->spmc_node;
	make(fx);
	for (unsigned bit = 17; bit <= 23; bit++) {
		assert_true(call(fx, FFAEMU_FFA_VERSION | (1u << bit), 0x10002, NULL) == UNKNOWN);
		assert_true(call(fx, FFAEMU_SMCCC_VERSION_FID | (1u << bit), 0, NULL) == UNKNOWN);
	}
	assert_int_equal(fx->spmc.calls, 0);
}

static void nonzero_immediate_is_not_smccc(void **state)
{
	struct fixture *fx = *state;

	fx->cfg.spmc = fx->spmc_node;
	make(fx);
	fx->ctx.imm = 1;
	assert_true(call(fx, FFAEMU_FFA_VERSION, 0x10002, NULL) == UNKNOWN);
	assert_true(call(fx, FFAEMU_SMCCC_VERSION_FID, 0, NULL) == UNKNOWN);
	assert_int_equal(fx->spmc.calls, 0);
	fx->ctx.imm = 0;
	call(fx, FFAEMU_FFA_VERSION, 0x10002, NULL);
	assert_int_equal(fx->spmc.calls, 1);
}

static void aarch32_caller_smc64_id_is_unknown(void **state)
{
	struct fixture *fx = *state;

	fx->cfg.spmc = fx->spmc_node;
	make(fx);
	fx->ctx.aarch32 = true;
	assert_true(call(fx, FFAEMU_FFA_RXTX_MAP_64, 0, NULL) == UNKNOWN);
	assert_int_equal(fx->spmc.calls, 0);
	assert_true(call(fx, FFAEMU_FFA_RXTX_MAP, 0, NULL) == FFAEMU_FFA_SUCCESS);
	assert_int_equal(fx->spmc.calls, 1);
}

static void null_ctx_uses_configured_version(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	fx->cfg.smccc_version = FFAEMU_SMCCC_1_1;
	make(fx);
	fill(&r, FFAEMU_SMCCC_VERSION_FID);
	ffaemu_node_call(ffaemu_el3_node(fx->el3), &r, NULL);
	assert_true(r.x[0] == FFAEMU_SMCCC_1_1);
	/* No-SPMC frame under the configured 1.1 contract: x4.. untouched. */
	fill(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	ffaemu_node_call(ffaemu_el3_node(fx->el3), &r, NULL);
	assert_true(r.x[0] == FFAEMU_FFA_ERROR && r.x[3] == 0 && r.x[4] != 0);
}

/* ---- Hook ---- */

static void hook_claims_before_builtin_handling(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	fx->cfg.hook = hook_fn;
	fx->cfg.hook_user = &fx->hook;
	fx->cfg.spmc = fx->spmc_node;
	fx->hook.claim_fid = FFAEMU_SMCCC_VERSION_FID;
	make(fx);
	assert_true(call(fx, FFAEMU_SMCCC_VERSION_FID, 0, &r) == 0x600d);
	assert_true(r.x[1] == 0x700d);
	assert_ptr_equal(fx->hook.ctx_ptr, &fx->ctx);
	/* A SiP call the dispatcher does not know, claimed by the hook. */
	fx->hook.claim_fid = 0x82000010u;
	assert_true(call(fx, 0x82000010u, 0, NULL) == 0x600d);
	/* Even FF-A IDs go to the hook first. */
	fx->hook.claim_fid = FFAEMU_FFA_VERSION;
	assert_true(call(fx, FFAEMU_FFA_VERSION, 0, NULL) == 0x600d);
	assert_int_equal(fx->spmc.calls, 0);
	assert_int_equal(fx->hook.calls, 3);
}

static void hook_declining_falls_through_to_builtin(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs r;

	fx->cfg.hook = hook_fn;
	fx->cfg.hook_user = &fx->hook;
	fx->cfg.spmc = fx->spmc_node;
	fx->hook.claim_fid = 0x82000010u;
	make(fx);
	assert_true(call(fx, FFAEMU_SMCCC_VERSION_FID, 0, &r) == FFAEMU_SMCCC_1_2);
	assert_only_x0_written(&r, FFAEMU_SMCCC_VERSION_FID, 0);
	assert_true(call(fx, 0x82000011u, 0, NULL) == UNKNOWN);
	assert_true(call(fx, FFAEMU_FFA_VERSION, 0, NULL) == FFAEMU_FFA_SUCCESS);
	assert_int_equal(fx->spmc.calls, 1);
	assert_int_equal(fx->hook.calls, 3);
}

/* ---- Through a conduit edge ---- */

static void through_edge_no_spmc_frame_causes_no_violation(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_edge *e;
	struct ffaemu_edge_stats st;
	struct ffaemu_regs r, in;

	make(fx);
	assert_int_equal(ffaemu_edge_new(NULL, ffaemu_el3_node(fx->el3), &e), FFAEMU_OK);
	fill(&r, FFAEMU_FFA_VERSION);
	in = r;
	ffaemu_edge_call(e, &r, NULL);
	assert_true(r.x[0] == FFAEMU_FFA_ERROR && r.x[2] == 0xffffffffull);
	for (unsigned n = 8; n < FFAEMU_NREGS; n++)
		assert_true(r.x[n] == in.x[n]);
	ffaemu_edge_get_stats(e, &st);
	assert_int_equal(st.violations, 0);

	/* Unknown SMC32 ID: -1 sign-extended reaches the caller (spec A8, A10). */
	fill(&r, 0x82000000u);
	ffaemu_edge_call(e, &r, NULL);
	assert_true(r.x[0] == UNKNOWN);
	ffaemu_edge_get_stats(e, &st);
	assert_int_equal(st.violations, 0);
	ffaemu_edge_free(&e);
}

static void through_smccc_1_0_edge_everything_above_x3_is_poisoned(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_edge *e;
	struct ffaemu_edge_config c;
	struct ffaemu_regs r;

	fx->cfg.smccc_version = FFAEMU_SMCCC_1_0;
	make(fx);
	ffaemu_edge_config_default(&c);
	c.smccc_version = FFAEMU_SMCCC_1_0;
	assert_int_equal(ffaemu_edge_new(&c, ffaemu_el3_node(fx->el3), &e), FFAEMU_OK);
	fill(&r, FFAEMU_SMCCC_VERSION_FID);
	ffaemu_edge_call(e, &r, NULL);
	assert_true(r.x[0] == UNKNOWN);
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		assert_true(r.x[n] == (FFAEMU_POISON_DEFAULT ^ n));
	ffaemu_edge_free(&e);
}


/* xorshift64: deterministic pseudo-random registers. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_calls_never_break_the_edge_contract(void **state)
{
	/* Interesting w0 values, combined with random upper halves and hint bits. */
	static const uint32_t fids[] = {
		FFAEMU_SMCCC_VERSION_FID, FFAEMU_SMCCC_ARCH_FEATURES, FFAEMU_SMCCC_ARCH_SOC_ID,
		FFAEMU_SMCCC_ARCH_SOC_ID_64, FFAEMU_SMCCC_ARCH_WORKAROUND_1, FFAEMU_PSCI_VERSION,
		FFAEMU_PSCI_FEATURES, FFAEMU_FFA_VERSION, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2,
		FFAEMU_FFA_RXTX_MAP_64, 0x82000000u, 0x00000000u,
	};
	struct fixture *fx = *state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	fx->cfg.soc_id = true;
	fx->cfg.workaround[0] = 0;
	for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
		for (int with_spmc = 0; with_spmc < 2; with_spmc++) {
			struct ffaemu_edge_config c;
			struct ffaemu_edge *e;
			struct ffaemu_edge_stats st;

			fx->cfg.smccc_version = versions[v];
			fx->cfg.spmc = with_spmc ? fx->spmc_node : NULL;
			make(fx);
			ffaemu_edge_config_default(&c);
			c.smccc_version = versions[v];
			assert_int_equal(ffaemu_edge_new(&c, ffaemu_el3_node(fx->el3), &e), FFAEMU_OK);
			for (int i = 0; i < 4000; i++) {
				struct ffaemu_call_ctx ctx = {0};
				struct ffaemu_regs r, in;
				uint64_t pick = rnd(&seed);

				for (unsigned n = 0; n < FFAEMU_NREGS; n++)
					r.x[n] = rnd(&seed);
				if (pick & 1)
					r.x[0] = (r.x[0] & ~0xffffffffull) |
						 fids[(pick >> 8) % ARRAY_SIZE(fids)] |
						 ((pick & 2) ? FFAEMU_SMCCC_SVE_HINT : 0);
				if ((pick & 0x30) == 0x30)
					r.x[1] = fids[(pick >> 16) % ARRAY_SIZE(fids)];
				ctx.aarch32 = (pick & 0x400) != 0 && (pick & 0x800) != 0;
				ctx.imm = (pick & 0x7000) == 0x7000 ? 1 : 0;
				in = r;
				ffaemu_edge_call(e, &r, &ctx);
				/* EL3 answers in result registers only (spec A7, A10). */
				ffaemu_edge_get_stats(e, &st);
				assert_int_equal(st.last_violations & FFAEMU_EDGE_V_PRESERVED, 0);
				if (versions[v] >= FFAEMU_SMCCC_1_1 &&
				    (!(ffaemu_regs_w(&in, 0) & FFAEMU_SMCCC_SMC64) ||
				     versions[v] == FFAEMU_SMCCC_1_1))
					for (unsigned n = 8; n < FFAEMU_NREGS; n++)
						assert_true(r.x[n] == in.x[n]);
			}
			ffaemu_edge_free(&e);
		}
	}
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_default_values),
		FX(new_rejects_bad_config),
		FX(new_fails_cleanly_on_each_allocation_failure),
		FX(smccc_version_exists_from_1_1),
		FX(arch_features_answers_per_version_and_config),
		FX(arch_features_reports_configured_workarounds),
		FX(workaround_calls_return_nothing_when_implemented),
		FX(soc_id_from_1_2_when_enabled),
		FX(psci_version_reports_config_or_unknown),
		FX(psci_features_finds_smccc_version_per_smccc),
		FX(psci_features_needs_psci_1_0),
		FX(ffa_ids_route_to_spmc_unchanged),
		FX(sve_hint_is_stripped_for_routing_and_kept_for_the_spmc),
		FX(no_spmc_answers_ffa_error_not_supported_frame),
		FX(set_spmc_rewires_ffa_routing),
		FX(unknown_ids_get_minus_one_and_nothing_else_changes),
		FX(reserved_bits_make_a_fast_call_unknown),
		FX(nonzero_immediate_is_not_smccc),
		FX(aarch32_caller_smc64_id_is_unknown),
		FX(null_ctx_uses_configured_version),
		FX(hook_claims_before_builtin_handling),
		FX(hook_declining_falls_through_to_builtin),
		FX(through_edge_no_spmc_frame_causes_no_violation),
		FX(through_smccc_1_0_edge_everything_above_x3_is_poisoned),
		FX(random_calls_never_break_the_edge_contract),
	};
	return cmocka_run_group_tests_name("el3", tests, NULL, NULL);
}
