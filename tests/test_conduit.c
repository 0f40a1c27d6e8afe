/* SPDX-License-Identifier: BSD-3-Clause */
/* Conduit edges: the SMCCC register contract per version (spec A7, A8, A10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/conduit.h>

#include "failalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FID32 0x84000063u /* FFA_VERSION: an SMC32 fast call */
#define FID64 0xc400008du /* FFA_MSG_SEND_DIRECT_REQ2: an SMC64 fast call */
#define W 0xffffffffull

/*
 * The register classes of spec A7, written out here independently of
 * ffaemu_smccc_regclass() so the edge is checked against the spec table.
 */
struct a7_row {
	uint32_t version;
	bool smc64;
	uint32_t args, results, preserved, unpredictable;
};

static const struct a7_row a7[] = {
	{FFAEMU_SMCCC_1_0, false, 0x000feu, 0x0000fu, 0, 0x3fff0u},
	{FFAEMU_SMCCC_1_0, true, 0x000feu, 0x0000fu, 0, 0x3fff0u},
	{FFAEMU_SMCCC_1_1, false, 0x000feu, 0x0000fu, 0x3fff0u, 0},
	{FFAEMU_SMCCC_1_1, true, 0x000feu, 0x0000fu, 0x3fff0u, 0},
	{FFAEMU_SMCCC_1_2, false, 0x000feu, 0x000ffu, 0x3ff00u, 0},
	{FFAEMU_SMCCC_1_2, true, 0x3fffeu, 0x3ffffu, 0, 0},
	{FFAEMU_SMCCC_1_3, false, 0x000feu, 0x000ffu, 0x3ff00u, 0},
	{FFAEMU_SMCCC_1_3, true, 0x3fffeu, 0x3ffffu, 0, 0},
};

/* ---- A scriptable callee ---- */

enum stub_mode {
	STUB_WRITE_ALL,     /* write every register with a distinct value, upper bits set */
	STUB_WRITE_MASK,    /* write only registers in write_mask */
	STUB_NOTHING,       /* leave the registers as received */
	STUB_NESTED,        /* call through nested_edge, then write x0 */
};

struct stub {
	enum stub_mode mode;
	uint32_t write_mask;
	uint64_t value[FFAEMU_NREGS];
	unsigned calls;
	struct ffaemu_regs seen;
	struct ffaemu_call_ctx ctx;
	bool ctx_was_null;
	/* STUB_NESTED */
	struct ffaemu_edge *nested_edge;
	unsigned nest_left;
	uint64_t nested_x1_out;
};

static void stub_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct stub *s = self;

	s->calls++;
	s->seen = *regs;
	s->ctx_was_null = ctx == NULL;
	if (ctx)
		s->ctx = *ctx;
	switch (s->mode) {
	case STUB_WRITE_ALL:
		for (unsigned n = 0; n < FFAEMU_NREGS; n++)
			regs->x[n] = s->value[n];
		break;
	case STUB_WRITE_MASK:
		for (unsigned n = 0; n < FFAEMU_NREGS; n++)
			if (s->write_mask & (1u << n))
				regs->x[n] = s->value[n];
		break;
	case STUB_NOTHING:
		break;
	case STUB_NESTED:
		if (s->nest_left) {
			struct ffaemu_regs inner;
			struct ffaemu_call_ctx c = ctx ? *ctx : (struct ffaemu_call_ctx){0};

			s->nest_left--;
			ffaemu_regs_clear(&inner);
			inner.x[0] = FID64;
			inner.x[1] = 0x1000 + s->nest_left;
			c.depth++;
			ffaemu_edge_call(s->nested_edge, &inner, &c);
			s->nested_x1_out = inner.x[1];
		}
		/* Our own answer depends on what we received, not on any edge state. */
		regs->x[1] = regs->x[1] + 1;
		regs->x[0] = 0;
		break;
	}
}

static const struct ffaemu_node_ops stub_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "stub",
	.call = stub_call,
};

/* ---- Observers ---- */

#define LOG_MAX 64

struct obs_log {
	unsigned n;
	int who[LOG_MAX];
	struct ffaemu_edge_event ev[LOG_MAX];
	struct ffaemu_call_ctx ctx[LOG_MAX];
};

struct obs_tag {
	struct obs_log *log;
	int id;
	struct ffaemu_edge *remove_self_from;
};

static void obs_record(void *user, const struct ffaemu_edge_event *ev)
{
	struct obs_tag *t = user;
	struct obs_log *l = t->log;

	if (l->n < LOG_MAX) {
		l->who[l->n] = t->id;
		l->ev[l->n] = *ev;
		l->ctx[l->n] = *ev->ctx;
		l->n++;
	}
	if (t->remove_self_from)
		assert_int_equal(ffaemu_edge_remove_observer(t->remove_self_from, obs_record, t),
				 FFAEMU_OK);
}

static void obs_other(void *user, const struct ffaemu_edge_event *ev)
{
	(void)user;
	(void)ev;
}

/* ---- Fixture ---- */

struct fixture {
	struct stub stub;
	struct ffaemu_node *node;
	struct ffaemu_edge *edge;
	struct ffaemu_edge_config cfg;
	struct obs_log log;
};

static void fill_distinct(struct stub *s)
{
	/* Upper halves set and every value distinct, also from the caller's. */
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		s->value[n] = 0xcafe000000000000ull | ((uint64_t)n << 36) | (0xbeef0000u + n);
}

static void caller_regs(struct ffaemu_regs *r, uint32_t fid)
{
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		r->x[n] = 0xa5a5000000000000ull | ((uint64_t)(n + 1) << 40) | (0x5a5a0000u + n);
	/* Junk above the FID in x0: only w0 is the FID (spec A1). */
	r->x[0] = 0x1234567800000000ull | fid;
}

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fill_distinct(&fx->stub);
	assert_int_equal(ffaemu_node_new(&stub_ops, &fx->stub, NULL, &fx->node), FFAEMU_OK);
	ffaemu_edge_config_default(&fx->cfg);
	fx->cfg.name = "host->el3";
	assert_int_equal(ffaemu_edge_new(&fx->cfg, fx->node, &fx->edge), FFAEMU_OK);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	ffaemu_edge_free(&fx->edge);
	assert_null(fx->edge);
	ffaemu_node_free(&fx->node);
	free(fx);
	return 0;
}

/* Replace the fixture's edge with one built from fx->cfg. */
static void remake_edge(struct fixture *fx)
{
	ffaemu_edge_free(&fx->edge);
	assert_int_equal(ffaemu_edge_new(&fx->cfg, fx->node, &fx->edge), FFAEMU_OK);
}

/* ---- Configuration ---- */

static void config_default_values(void **state)
{
	struct ffaemu_edge_config cfg;
	(void)state;

	memset(&cfg, 0x77, sizeof(cfg));
	ffaemu_edge_config_default(&cfg);
	assert_int_equal(cfg.size, sizeof(cfg));
	assert_string_equal(cfg.name, "edge");
	assert_int_equal(cfg.conduit, FFAEMU_CONDUIT_SMC);
	assert_int_equal(cfg.smccc_version, FFAEMU_SMCCC_1_2);
	assert_true(cfg.poison);
	assert_true(cfg.poison_pattern == FFAEMU_POISON_DEFAULT);
	assert_true(cfg.mask_smc32_args);
	assert_true(cfg.zero_extend_smc32);
	assert_null(cfg.alloc);
}

static void new_copies_name_and_config(void **state)
{
	struct fixture *fx = *state;
	char name[16] = "trap";
	struct ffaemu_edge *e;
	const struct ffaemu_edge_config *got;

	fx->cfg.name = name;
	fx->cfg.conduit = FFAEMU_CONDUIT_HVC;
	fx->cfg.smccc_version = FFAEMU_SMCCC_1_1;
	assert_int_equal(ffaemu_edge_new(&fx->cfg, NULL, &e), FFAEMU_OK);
	strcpy(name, "XXXX");
	assert_string_equal(ffaemu_edge_name(e), "trap");
	got = ffaemu_edge_get_config(e);
	assert_non_null(got);
	assert_string_equal(got->name, "trap");
	assert_int_equal(got->conduit, FFAEMU_CONDUIT_HVC);
	assert_int_equal(got->smccc_version, FFAEMU_SMCCC_1_1);
	assert_null(ffaemu_edge_callee(e));
	ffaemu_edge_free(&e);
	assert_null(e);
	ffaemu_edge_free(&e);
	ffaemu_edge_free(NULL);

	/* NULL config = defaults; NULL name = "edge". */
	assert_int_equal(ffaemu_edge_new(NULL, fx->node, &e), FFAEMU_OK);
	assert_string_equal(ffaemu_edge_name(e), "edge");
	assert_int_equal(ffaemu_edge_get_config(e)->smccc_version, FFAEMU_SMCCC_1_2);
	assert_ptr_equal(ffaemu_edge_callee(e), fx->node);
	ffaemu_edge_free(&e);
	fx->cfg.name = NULL;
	assert_int_equal(ffaemu_edge_new(&fx->cfg, NULL, &e), FFAEMU_OK);
	assert_string_equal(ffaemu_edge_name(e), "edge");
	ffaemu_edge_free(&e);
}

static void new_rejects_bad_config(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_edge *e = (struct ffaemu_edge *)(uintptr_t)1;
	struct ffaemu_edge_config cfg;

	assert_int_equal(ffaemu_edge_new(NULL, NULL, NULL), FFAEMU_EINVAL);

	cfg = fx->cfg;
	cfg.size = 0;
	assert_int_equal(ffaemu_edge_new(&cfg, NULL, &e), FFAEMU_EINVAL);
	assert_null(e);

	cfg = fx->cfg;
	cfg.conduit = (enum ffaemu_conduit)7;
	assert_int_equal(ffaemu_edge_new(&cfg, NULL, &e), FFAEMU_EINVAL);

	cfg = fx->cfg;
	cfg.smccc_version = 0xffffffffu;
	assert_int_equal(ffaemu_edge_new(&cfg, NULL, &e), FFAEMU_EINVAL);
	cfg.smccc_version = 0x00000005u; /* 0.5 */
	assert_int_equal(ffaemu_edge_new(&cfg, NULL, &e), FFAEMU_EINVAL);
	assert_null(e);
}

static void short_config_size_keeps_defaults_for_later_fields(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_edge_config cfg;
	struct ffaemu_edge *e;

	memset(&cfg, 0, sizeof(cfg));
	/* A caller that knows only size, name and conduit. */
	cfg.size = offsetof(struct ffaemu_edge_config, smccc_version);
	cfg.name = "old";
	cfg.conduit = FFAEMU_CONDUIT_HVC;
	assert_int_equal(ffaemu_edge_new(&cfg, fx->node, &e), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_get_config(e)->conduit, FFAEMU_CONDUIT_HVC);
	assert_int_equal(ffaemu_edge_get_config(e)->smccc_version, FFAEMU_SMCCC_1_2);
	assert_true(ffaemu_edge_get_config(e)->poison);
	assert_true(ffaemu_edge_get_config(e)->mask_smc32_args);
	ffaemu_edge_free(&e);
}

static void new_fails_cleanly_on_each_allocation_failure(void **state)
{
	struct fixture *fx = *state;
	struct failalloc fa;
	struct ffaemu_edge *e;
	unsigned long needed;

	failalloc_init(&fa);
	fx->cfg.alloc = failalloc_allocator(&fa);
	assert_int_equal(ffaemu_edge_new(&fx->cfg, fx->node, &e), FFAEMU_OK);
	needed = fa.calls;
	assert_true(needed >= 1);
	ffaemu_edge_free(&e);
	assert_int_equal(fa.frees, needed);

	for (unsigned long k = 1; k <= needed; k++) {
		failalloc_init(&fa);
		failalloc_fail_nth(&fa, k);
		e = (struct ffaemu_edge *)(uintptr_t)1;
		assert_int_equal(ffaemu_edge_new(&fx->cfg, fx->node, &e), FFAEMU_ENOMEM);
		assert_null(e);
		/* Everything allocated before the failure was given back. */
		assert_int_equal(fa.frees, k - 1);
	}
}

/* ---- The register contract, every version x width x poison setting ---- */

static void contract_matrix_every_version_width_and_class(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tag = {&fx->log, 1, NULL};

	for (size_t r = 0; r < ARRAY_SIZE(a7); r++) {
		for (int poison = 0; poison < 2; poison++) {
			const struct a7_row *row = &a7[r];
			uint32_t fid = row->smc64 ? FID64 : FID32;
			struct ffaemu_regs regs, in;
			struct ffaemu_edge_event *ev;
			uint32_t want_upper = 0, want_poison = 0;

			fx->cfg.smccc_version = row->version;
			fx->cfg.poison = poison;
			remake_edge(fx);
			assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag),
					 FFAEMU_OK);
			fx->log.n = 0;
			fx->stub.mode = STUB_WRITE_ALL;
			fx->stub.calls = 0;
			caller_regs(&regs, fid);
			in = regs;
			ffaemu_edge_call(fx->edge, &regs, NULL);
			assert_int_equal(fx->stub.calls, 1);

			for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
				uint32_t bit = 1u << n;
				uint64_t seen = in.x[n], out;

				/* What the callee saw (spec A1, A8). */
				if (!row->smc64 && (n == 0 || (row->args & bit)))
					seen &= W;
				assert_true(fx->stub.seen.x[n] == seen);

				/* What the caller sees (spec A7, A8). */
				if (row->results & bit) {
					out = fx->stub.value[n];
					if (!row->smc64) {
						out &= W;
						want_upper |= bit;
					}
				} else if (row->preserved & bit) {
					out = in.x[n];
				} else if (poison) {
					out = FFAEMU_POISON_DEFAULT ^ n;
					want_poison |= bit;
				} else {
					out = fx->stub.value[n];
				}
				if (regs.x[n] != out)
					print_error("v%x smc64=%d poison=%d x%u=%llx want %llx\n",
						    row->version, row->smc64, poison, n,
						    (unsigned long long)regs.x[n],
						    (unsigned long long)out);
				assert_true(regs.x[n] == out);
			}

			assert_int_equal(fx->log.n, 1);
			ev = &fx->log.ev[0];
			assert_ptr_equal(ev->edge, fx->edge);
			assert_string_equal(ev->edge_name, "host->el3");
			assert_memory_equal(&ev->in, &in, sizeof(in));
			assert_memory_equal(&ev->out, &regs, sizeof(regs));
			assert_int_equal(ev->preserved_changed, row->preserved);
			assert_int_equal(ev->smc32_upper, want_upper);
			assert_int_equal(ev->poisoned, want_poison);
			assert_int_equal(ev->violations,
					 row->preserved ? FFAEMU_EDGE_V_PRESERVED : 0u);
			assert_int_equal(fx->log.ctx[0].smccc_version, row->version);
		}
	}
}

/*
 * The reply without observers (block path, in-place path) against the A7
 * table, for callee behaviours that hit every branch: W-clean results,
 * results with upper bits, a callee that writes nothing, one that writes
 * only preserved registers, the unknown-FID -1 in x0; with zero extension
 * and poisoning on and off. The observed path is pinned by the matrix above.
 */
static void unobserved_reply_matches_the_a7_table_for_every_callee_shape(void **state)
{
	struct fixture *fx = *state;

	for (size_t r = 0; r < ARRAY_SIZE(a7); r++) {
		for (unsigned variant = 0; variant < 4 * 5; variant++) {
			const struct a7_row *row = &a7[r];
			bool poison = variant & 1, zext = variant & 2;
			unsigned shape = variant / 4;
			uint32_t fid = row->smc64 ? FID64 : FID32;
			struct ffaemu_regs regs, in, seen, work;
			struct ffaemu_edge_stats st;
			uint32_t want_viol = 0;

			fx->cfg.smccc_version = row->version;
			fx->cfg.poison = poison;
			fx->cfg.zero_extend_smc32 = zext;
			remake_edge(fx);
			fill_distinct(&fx->stub);
			fx->stub.mode = STUB_WRITE_ALL;
			if (shape == 1) {
				for (unsigned n = 0; n < FFAEMU_NREGS; n++)
					fx->stub.value[n] &= W; /* W-clean results */
			} else if (shape == 2) {
				fx->stub.mode = STUB_NOTHING;
			} else if (shape == 3) {
				fx->stub.mode = STUB_WRITE_MASK;
				fx->stub.write_mask = row->preserved ? row->preserved : 0x3ff00u;
			} else if (shape == 4) {
				for (unsigned n = 0; n < FFAEMU_NREGS; n++)
					fx->stub.value[n] &= W;
				fx->stub.value[0] = FFAEMU_SMCCC_UNKNOWN;
			}
			caller_regs(&regs, fid);
			in = regs;
			seen = in;
			for (unsigned n = 0; n < FFAEMU_NREGS; n++)
				if (!row->smc64 && (n == 0 || (row->args & (1u << n))))
					seen.x[n] &= W;
			work = seen;
			for (unsigned n = 0; n < FFAEMU_NREGS; n++)
				if (fx->stub.mode == STUB_WRITE_ALL ||
				    (fx->stub.mode == STUB_WRITE_MASK &&
				     (fx->stub.write_mask & (1u << n))))
					work.x[n] = fx->stub.value[n];

			ffaemu_edge_call(fx->edge, &regs, NULL);
			assert_int_equal(fx->stub.calls > 0, 1);
			assert_memory_equal(&fx->stub.seen, &seen, sizeof(seen));

			for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
				uint32_t bit = 1u << n;
				uint64_t out, v = work.x[n];

				if (row->results & bit) {
					/* spec A8: SMC32 results are W writes; x0's -1 stays. */
					if (!row->smc64 && (v >> 32) &&
					    !(n == 0 && v == FFAEMU_SMCCC_UNKNOWN)) {
						if (zext)
							v &= W;
						else
							want_viol |= FFAEMU_EDGE_V_SMC32_UPPER;
					}
					out = v;
				} else if (row->preserved & bit) {
					if (work.x[n] != seen.x[n])
						want_viol |= FFAEMU_EDGE_V_PRESERVED;
					out = in.x[n];
				} else if (poison) {
					out = FFAEMU_POISON_DEFAULT ^ n;
				} else {
					out = work.x[n];
				}
				if (regs.x[n] != out)
					print_error("v%x smc64=%d variant=%u x%u=%llx want %llx\n",
						    row->version, row->smc64, variant, n,
						    (unsigned long long)regs.x[n],
						    (unsigned long long)out);
				assert_true(regs.x[n] == out);
			}
			ffaemu_edge_get_stats(fx->edge, &st);
			assert_int_equal(st.last_violations, want_viol);
			assert_int_equal(st.violations, want_viol ? 1 : 0);
		}
	}
}

static void well_behaved_callee_causes_no_violation(void **state)
{
	struct fixture *fx = *state;

	for (size_t r = 0; r < ARRAY_SIZE(a7); r++) {
		struct ffaemu_regs regs, in;
		struct ffaemu_edge_stats st;

		fx->cfg.smccc_version = a7[r].version;
		remake_edge(fx);
		fx->stub.mode = STUB_WRITE_MASK;
		fx->stub.write_mask = a7[r].results;
		/* Results that fit the width: no upper bits for SMC32. */
		for (unsigned n = 0; n < FFAEMU_NREGS; n++)
			fx->stub.value[n] = a7[r].smc64 ? 0xf00d000000000000ull | n : 0xf00d0000u | n;
		caller_regs(&regs, a7[r].smc64 ? FID64 : FID32);
		in = regs;
		ffaemu_edge_call(fx->edge, &regs, NULL);
		ffaemu_edge_get_stats(fx->edge, &st);
		assert_int_equal(st.calls, 1);
		assert_int_equal(st.violations, 0);
		assert_int_equal(st.last_violations, 0);
		for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
			if (a7[r].results & (1u << n))
				assert_true(regs.x[n] == fx->stub.value[n]);
			else if (a7[r].preserved & (1u << n))
				/* Restored in full, upper half included, even where masked for the callee. */
				assert_true(regs.x[n] == in.x[n]);
		}
	}
}

static void preserved_violation_names_exactly_the_clobbered_register(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tag = {&fx->log, 1, NULL};
	struct ffaemu_regs regs, in;
	struct ffaemu_edge_stats st;

	fx->cfg.smccc_version = FFAEMU_SMCCC_1_2;
	remake_edge(fx);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag), FFAEMU_OK);
	fx->stub.mode = STUB_WRITE_MASK;
	fx->stub.write_mask = FFAEMU_REG(0) | FFAEMU_REG(9) | FFAEMU_REG(17);
	fx->stub.value[0] = 0x84000061u;
	caller_regs(&regs, FID32);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.ev[0].preserved_changed, FFAEMU_REG(9) | FFAEMU_REG(17));
	assert_int_equal(fx->log.ev[0].violations, FFAEMU_EDGE_V_PRESERVED);
	assert_true(regs.x[9] == in.x[9] && regs.x[17] == in.x[17]);
	assert_true(regs.x[0] == 0x84000061u);
	ffaemu_edge_get_stats(fx->edge, &st);
	assert_int_equal(st.violations, 1);
	assert_int_equal(st.last_violations, FFAEMU_EDGE_V_PRESERVED);

	/* Writing a preserved register with the value it already had is no violation. */
	fx->stub.write_mask = FFAEMU_REG(12);
	caller_regs(&regs, FID32);
	fx->stub.value[12] = regs.x[12];
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.ev[1].violations, 0);
	ffaemu_edge_get_stats(fx->edge, &st);
	assert_int_equal(st.calls, 2);
	assert_int_equal(st.violations, 1);
	assert_int_equal(st.last_violations, 0);
}

static void smc32_args_unmasked_when_option_off(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs, in;

	fx->cfg.mask_smc32_args = false;
	remake_edge(fx);
	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID32);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_memory_equal(&fx->stub.seen, &in, sizeof(in));
}

static void smc64_args_never_masked(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs, in;

	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID64);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_memory_equal(&fx->stub.seen, &in, sizeof(in));
	/* A callee that writes nothing hands the caller's registers back. */
	assert_memory_equal(&regs, &in, sizeof(in));
}

static void smc32_results_pass_through_when_zero_extension_off(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tag = {&fx->log, 1, NULL};
	struct ffaemu_regs regs;

	fx->cfg.zero_extend_smc32 = false;
	remake_edge(fx);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag), FFAEMU_OK);
	fx->stub.mode = STUB_WRITE_MASK;
	fx->stub.write_mask = FFAEMU_REG_RANGE(0, 7);
	fx->stub.value[0] = 0x84000060u;
	fx->stub.value[1] = 0;
	fx->stub.value[2] = (uint64_t)(int64_t)-2; /* pKVM's sign-extended INVALID_PARAMETERS */
	for (unsigned n = 3; n < 8; n++)
		fx->stub.value[n] = 0;
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[2] == 0xfffffffffffffffeull);
	assert_int_equal(fx->log.ev[0].smc32_upper, FFAEMU_REG(2));
	assert_int_equal(fx->log.ev[0].violations, FFAEMU_EDGE_V_SMC32_UPPER);

	/* Default: zero-extended, upper bits still recorded, but not a violation. */
	fx->cfg.zero_extend_smc32 = true;
	remake_edge(fx);
	fx->log.n = 0;
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag), FFAEMU_OK);
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[2] == 0xfffffffeull);
	assert_int_equal(ffaemu_regs_s32(&regs, 2), -2);
	assert_int_equal(fx->log.ev[0].smc32_upper, FFAEMU_REG(2));
	assert_int_equal(fx->log.ev[0].violations, 0);
}

static void smc32_unknown_fid_minus_one_stays_sign_extended(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tag = {&fx->log, 1, NULL};
	struct ffaemu_regs regs;

	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag), FFAEMU_OK);
	fx->stub.mode = STUB_WRITE_MASK;
	fx->stub.write_mask = FFAEMU_REG(0);
	fx->stub.value[0] = FFAEMU_SMCCC_UNKNOWN;
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	/* DEN0028B: the unknown-FID value is -1 sign-extended (spec A8). */
	assert_true(regs.x[0] == FFAEMU_SMCCC_UNKNOWN);
	assert_int_equal(fx->log.ev[0].smc32_upper, 0);
	assert_int_equal(fx->log.ev[0].violations, 0);
}

static void poison_uses_configured_pattern_xor_index(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs;

	fx->cfg.smccc_version = FFAEMU_SMCCC_1_0;
	fx->cfg.poison_pattern = 0x0123456789abcdefull;
	remake_edge(fx);
	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID64);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		assert_true(regs.x[n] == (0x0123456789abcdefull ^ n));
	/* Distinct per register so a stray copy is traceable. */
	assert_true(regs.x[4] != regs.x[5]);
}

static void poison_off_leaves_callee_values_in_unpredictable_registers(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs, in;

	fx->cfg.smccc_version = FFAEMU_SMCCC_1_0;
	fx->cfg.poison = false;
	remake_edge(fx);
	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID64);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		assert_true(regs.x[n] == in.x[n]);
}

/* ---- Missing callee, AArch32, context ---- */

static void no_callee_answers_minus_one_and_keeps_other_registers(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tag = {&fx->log, 1, NULL};
	struct ffaemu_regs regs, in;
	struct ffaemu_edge_stats st;

	ffaemu_edge_set_callee(fx->edge, NULL);
	assert_null(ffaemu_edge_callee(fx->edge));
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag), FFAEMU_OK);
	for (int w = 0; w < 2; w++) {
		caller_regs(&regs, w ? FID64 : FID32);
		in = regs;
		ffaemu_edge_call(fx->edge, &regs, NULL);
		/* -1 sign-extended in x0 even for SMC32 (spec A8, A10). */
		assert_true(regs.x[0] == FFAEMU_SMCCC_UNKNOWN);
		for (unsigned n = 1; n < FFAEMU_NREGS; n++)
			assert_true(regs.x[n] == in.x[n]);
		assert_int_equal(fx->log.ev[w].violations, FFAEMU_EDGE_V_NO_CALLEE);
	}
	assert_int_equal(fx->stub.calls, 0);
	ffaemu_edge_get_stats(fx->edge, &st);
	assert_int_equal(st.calls, 2);
	assert_int_equal(st.violations, 2);
	assert_int_equal(st.last_violations, FFAEMU_EDGE_V_NO_CALLEE);

	/* At SMCCC 1.0 the unpredictable registers are still poisoned. */
	fx->cfg.smccc_version = FFAEMU_SMCCC_1_0;
	remake_edge(fx);
	ffaemu_edge_set_callee(fx->edge, NULL);
	caller_regs(&regs, FID32);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[0] == FFAEMU_SMCCC_UNKNOWN);
	assert_true(regs.x[3] == in.x[3]);
	assert_true(regs.x[4] == (FFAEMU_POISON_DEFAULT ^ 4));
}

static void aarch32_caller_with_smc64_id_gets_minus_one(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tag = {&fx->log, 1, NULL};
	struct ffaemu_call_ctx ctx = {.caller = 1, .instance = FFAEMU_INSTANCE_NV, .el = 1,
				      .aarch32 = true};
	struct ffaemu_regs regs;

	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tag), FFAEMU_OK);
	caller_regs(&regs, FID64);
	ffaemu_edge_call(fx->edge, &regs, &ctx);
	assert_int_equal(fx->stub.calls, 0);
	assert_true(regs.x[0] == FFAEMU_SMCCC_UNKNOWN);
	assert_int_equal(fx->log.ev[0].violations, FFAEMU_EDGE_V_AARCH32_SMC64);

	/* The same caller's SMC32 call goes through. */
	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, &ctx);
	assert_int_equal(fx->stub.calls, 1);
	assert_int_equal(fx->log.ev[1].violations, 0);
}

static void null_ctx_gets_host_defaults_and_edge_fields(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs;

	fx->cfg.conduit = FFAEMU_CONDUIT_HVC;
	fx->cfg.smccc_version = FFAEMU_SMCCC_1_3;
	remake_edge(fx);
	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_false(fx->stub.ctx_was_null);
	assert_int_equal(fx->stub.ctx.caller, 0);
	assert_int_equal(fx->stub.ctx.instance, FFAEMU_INSTANCE_NP);
	assert_int_equal(fx->stub.ctx.el, 1);
	assert_false(fx->stub.ctx.secure);
	assert_false(fx->stub.ctx.aarch32);
	assert_int_equal(fx->stub.ctx.imm, 0);
	assert_int_equal(fx->stub.ctx.depth, 0);
	assert_int_equal(fx->stub.ctx.conduit, FFAEMU_CONDUIT_HVC);
	assert_int_equal(fx->stub.ctx.smccc_version, FFAEMU_SMCCC_1_3);
}

static void caller_ctx_is_completed_in_a_copy(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_call_ctx ctx = {.caller = 0x8003, .instance = FFAEMU_INSTANCE_SV, .el = 0,
				      .secure = true, .conduit = FFAEMU_CONDUIT_SMC,
				      .smccc_version = 0x10009, .imm = 5, .depth = 2};
	struct ffaemu_call_ctx before = ctx;
	struct ffaemu_regs regs;

	fx->cfg.conduit = FFAEMU_CONDUIT_SVC;
	remake_edge(fx);
	fx->stub.mode = STUB_NOTHING;
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, &ctx);
	assert_memory_equal(&ctx, &before, sizeof(ctx));
	assert_int_equal(fx->stub.ctx.caller, 0x8003);
	assert_int_equal(fx->stub.ctx.instance, FFAEMU_INSTANCE_SV);
	assert_int_equal(fx->stub.ctx.el, 0);
	assert_true(fx->stub.ctx.secure);
	assert_int_equal(fx->stub.ctx.imm, 5);
	assert_int_equal(fx->stub.ctx.depth, 2);
	assert_int_equal(fx->stub.ctx.conduit, FFAEMU_CONDUIT_SVC);
	assert_int_equal(fx->stub.ctx.smccc_version, FFAEMU_SMCCC_1_2);
}

static void call_tolerates_null_edge_or_regs(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs;
	struct ffaemu_edge_stats st;

	caller_regs(&regs, FID32);
	ffaemu_edge_call(NULL, &regs, NULL);
	ffaemu_edge_call(fx->edge, NULL, NULL);
	assert_int_equal(fx->stub.calls, 0);
	ffaemu_edge_get_stats(fx->edge, &st);
	assert_int_equal(st.calls, 0);
	memset(&st, 0x55, sizeof(st));
	ffaemu_edge_get_stats(NULL, &st);
	assert_int_equal(st.calls, 0);
	ffaemu_edge_get_stats(fx->edge, NULL);
	assert_null(ffaemu_edge_name(NULL));
	assert_null(ffaemu_edge_get_config(NULL));
	assert_null(ffaemu_edge_callee(NULL));
	ffaemu_edge_set_callee(NULL, fx->node);
}

/* ---- Rewiring ---- */

static void set_callee_rewires_subsequent_calls(void **state)
{
	struct fixture *fx = *state;
	struct stub other;
	struct ffaemu_node *node2;
	struct ffaemu_regs regs;

	memset(&other, 0, sizeof(other));
	other.mode = STUB_WRITE_MASK;
	other.write_mask = FFAEMU_REG(0);
	other.value[0] = 0x84000061u;
	assert_int_equal(ffaemu_node_new(&stub_ops, &other, NULL, &node2), FFAEMU_OK);
	fx->stub.mode = STUB_WRITE_MASK;
	fx->stub.write_mask = FFAEMU_REG(0);
	fx->stub.value[0] = 0x84000060u;

	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[0] == 0x84000060u);

	ffaemu_edge_set_callee(fx->edge, node2);
	assert_ptr_equal(ffaemu_edge_callee(fx->edge), node2);
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[0] == 0x84000061u);
	assert_int_equal(fx->stub.calls, 1);
	assert_int_equal(other.calls, 1);

	ffaemu_edge_set_callee(fx->edge, NULL);
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[0] == FFAEMU_SMCCC_UNKNOWN);

	ffaemu_edge_set_callee(fx->edge, fx->node);
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_true(regs.x[0] == 0x84000060u);
	assert_int_equal(fx->stub.calls, 2);
	ffaemu_node_free(&node2);
}

/* ---- Observers ---- */

static void observers_run_in_order_added_and_removal_keeps_order(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag t1 = {&fx->log, 1, NULL}, t2 = {&fx->log, 2, NULL}, t3 = {&fx->log, 3, NULL};
	struct ffaemu_regs regs;

	fx->stub.mode = STUB_NOTHING;
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t1), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t2), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t3), FFAEMU_OK);
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.n, 3);
	assert_int_equal(fx->log.who[0], 1);
	assert_int_equal(fx->log.who[1], 2);
	assert_int_equal(fx->log.who[2], 3);

	assert_int_equal(ffaemu_edge_remove_observer(fx->edge, obs_record, &t2), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_remove_observer(fx->edge, obs_record, &t2), FFAEMU_ENOENT);
	fx->log.n = 0;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(fx->log.who[0], 1);
	assert_int_equal(fx->log.who[1], 3);
	/* Re-adding puts it last. */
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t2), FFAEMU_OK);
	fx->log.n = 0;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.n, 3);
	assert_int_equal(fx->log.who[2], 2);
}

static void observer_limit_is_eight_and_duplicates_refused(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag tags[9];

	for (int i = 0; i < 9; i++)
		tags[i] = (struct obs_tag){&fx->log, i, NULL};
	for (int i = 0; i < 8; i++)
		assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tags[i]),
				 FFAEMU_OK);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tags[8]), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tags[0]), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, NULL, &tags[0]), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_edge_add_observer(NULL, obs_record, &tags[0]), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_edge_remove_observer(fx->edge, NULL, &tags[0]), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_edge_remove_observer(NULL, obs_record, &tags[0]), FFAEMU_EINVAL);
	/* Same user, different function: a different observer, and not present. */
	assert_int_equal(ffaemu_edge_remove_observer(fx->edge, obs_other, &tags[0]),
			 FFAEMU_ENOENT);

	struct ffaemu_regs regs;
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.n, 8);

	assert_int_equal(ffaemu_edge_remove_observer(fx->edge, obs_record, &tags[7]), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &tags[8]), FFAEMU_OK);
}

static void observer_may_remove_itself_during_the_event(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag t1 = {&fx->log, 1, NULL}, t2 = {&fx->log, 2, NULL};
	struct ffaemu_regs regs;

	t1.remove_self_from = fx->edge;
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t1), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t2), FFAEMU_OK);
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	/* Both saw the call that was in flight when t1 removed itself. */
	assert_int_equal(fx->log.n, 2);
	assert_int_equal(fx->log.who[1], 2);
	fx->log.n = 0;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(fx->log.n, 1);
	assert_int_equal(fx->log.who[0], 2);
}

static void event_index_counts_calls_per_edge(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag t = {&fx->log, 1, NULL};
	struct ffaemu_regs regs;
	struct ffaemu_edge_stats st;

	fx->stub.mode = STUB_NOTHING;
	/* Calls made before the observer is attached still count. */
	caller_regs(&regs, FID32);
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t), FFAEMU_OK);
	for (int i = 0; i < 3; i++) {
		caller_regs(&regs, FID32);
		ffaemu_edge_call(fx->edge, &regs, NULL);
	}
	assert_int_equal(fx->log.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(fx->log.ev[i].index, i + 1);
		assert_int_equal(fx->log.ctx[i].conduit, FFAEMU_CONDUIT_SMC);
	}
	ffaemu_edge_get_stats(fx->edge, &st);
	assert_int_equal(st.calls, 4);
}

/* ---- Nesting ---- */

static void reentrant_call_through_the_same_edge(void **state)
{
	struct fixture *fx = *state;
	struct obs_tag t = {&fx->log, 1, NULL};
	struct ffaemu_regs regs, in;
	struct ffaemu_edge_stats st;

	fx->stub.mode = STUB_NESTED;
	fx->stub.nested_edge = fx->edge;
	fx->stub.nest_left = 3;
	assert_int_equal(ffaemu_edge_add_observer(fx->edge, obs_record, &t), FFAEMU_OK);
	caller_regs(&regs, FID32);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);

	/* Outer call: its own SMC32 contract, unaffected by the three nested SMC64 calls. */
	assert_true(regs.x[0] == 0);
	assert_true(regs.x[1] == ((in.x[1] & W) + 1));
	for (unsigned n = 8; n < FFAEMU_NREGS; n++)
		assert_true(regs.x[n] == in.x[n]);
	assert_int_equal(fx->stub.calls, 4);
	/* The first nested call (x1 = 0x1002) answered 0x1003 to its caller. */
	assert_true(fx->stub.nested_x1_out == 0x1003);

	/* Innermost completes first; indices follow call order. */
	assert_int_equal(fx->log.n, 4);
	assert_int_equal(fx->log.ev[0].index, 3);
	assert_int_equal(fx->log.ctx[0].depth, 3);
	assert_int_equal(fx->log.ev[3].index, 0);
	assert_int_equal(fx->log.ctx[3].depth, 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fx->log.ev[i].violations, 0);
	assert_memory_equal(&fx->log.ev[3].in, &in, sizeof(in));
	ffaemu_edge_get_stats(fx->edge, &st);
	assert_int_equal(st.calls, 4);
	assert_int_equal(st.last_violations, 0);
}

static void nested_call_through_a_second_edge(void **state)
{
	struct fixture *fx = *state;
	struct stub inner;
	struct ffaemu_node *inner_node;
	struct ffaemu_edge *e2;
	struct ffaemu_edge_config c2;
	struct ffaemu_regs regs, in;

	memset(&inner, 0, sizeof(inner));
	inner.mode = STUB_WRITE_ALL;
	fill_distinct(&inner);
	assert_int_equal(ffaemu_node_new(&stub_ops, &inner, NULL, &inner_node), FFAEMU_OK);
	ffaemu_edge_config_default(&c2);
	c2.smccc_version = FFAEMU_SMCCC_1_0;
	assert_int_equal(ffaemu_edge_new(&c2, inner_node, &e2), FFAEMU_OK);

	fx->stub.mode = STUB_NESTED;
	fx->stub.nested_edge = e2;
	fx->stub.nest_left = 1;
	caller_regs(&regs, FID64);
	in = regs;
	ffaemu_edge_call(fx->edge, &regs, NULL);
	assert_int_equal(inner.calls, 1);
	/* The inner edge (SMCCC 1.0) applied its own contract to the inner call. */
	assert_true(fx->stub.nested_x1_out == inner.value[1]);
	assert_int_equal(inner.ctx.smccc_version, FFAEMU_SMCCC_1_0);
	assert_int_equal(inner.ctx.depth, 1);
	/* The outer SMC64 1.2 call: x1 = caller's x1 + 1, nothing poisoned. */
	assert_true(regs.x[1] == in.x[1] + 1);
	for (unsigned n = 2; n < FFAEMU_NREGS; n++)
		assert_true(regs.x[n] == in.x[n]);
	ffaemu_edge_free(&e2);
	ffaemu_node_free(&inner_node);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_default_values),
		FX(new_copies_name_and_config),
		FX(new_rejects_bad_config),
		FX(short_config_size_keeps_defaults_for_later_fields),
		FX(new_fails_cleanly_on_each_allocation_failure),
		FX(contract_matrix_every_version_width_and_class),
		FX(unobserved_reply_matches_the_a7_table_for_every_callee_shape),
		FX(well_behaved_callee_causes_no_violation),
		FX(preserved_violation_names_exactly_the_clobbered_register),
		FX(smc32_args_unmasked_when_option_off),
		FX(smc64_args_never_masked),
		FX(smc32_results_pass_through_when_zero_extension_off),
		FX(smc32_unknown_fid_minus_one_stays_sign_extended),
		FX(poison_uses_configured_pattern_xor_index),
		FX(poison_off_leaves_callee_values_in_unpredictable_registers),
		FX(no_callee_answers_minus_one_and_keeps_other_registers),
		FX(aarch32_caller_with_smc64_id_gets_minus_one),
		FX(null_ctx_gets_host_defaults_and_edge_fields),
		FX(caller_ctx_is_completed_in_a_copy),
		FX(call_tolerates_null_edge_or_regs),
		FX(set_callee_rewires_subsequent_calls),
		FX(observers_run_in_order_added_and_removal_keeps_order),
		FX(observer_limit_is_eight_and_duplicates_refused),
		FX(observer_may_remove_itself_during_the_event),
		FX(event_index_counts_calls_per_edge),
		FX(reentrant_call_through_the_same_edge),
		FX(nested_call_through_a_second_edge),
	};
	return cmocka_run_group_tests_name("conduit", tests, NULL, NULL);
}
