/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libffi adapters and foreign nodes: every preset shape called from C code
 * exactly as its codebase calls its conduit, all 18 registers distinct,
 * through edges whose callee records what it saw; two systems and several
 * endpoints in one process.
 */
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
#include <ffa/ffi.h>
#include <ffa/node.h>
#include <ffa/smccc.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#include "failalloc.h"

/* ---- A recording callee: one per emulated system ---- */

struct recorder {
	uint64_t salt;                /* distinguishes the systems' answers */
	unsigned calls;
	struct ffaemu_regs seen;      /* what the last call brought */
	struct ffaemu_call_ctx ctx;   /* who made it */
	struct ffaemu_regs answered;  /* what it answered */
};

/* Answer register n with a value unique to (system, call, n). */
static void rec_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct recorder *r = self;

	r->calls++;
	r->seen = *regs;
	r->ctx = *ctx;
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		regs->x[n] = r->salt ^ ((uint64_t)r->calls << 40) ^ (0x5a5a000000000100ull + n);
	r->answered = *regs;
}

static const struct ffaemu_node_ops rec_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "recorder",
	.call = rec_call,
};

struct sys {
	struct recorder rec;
	struct ffaemu_node *node;
	struct ffaemu_edge *edge;
};

struct fixture {
	struct sys sys[2];
	struct ffaemu_ffi_adapter *ad[4];
};

static int sys_init(struct sys *s, uint64_t salt, enum ffaemu_conduit conduit, const char *name)
{
	struct ffaemu_edge_config cfg;

	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.salt = salt;
	if (ffaemu_node_new(&rec_ops, &s->rec, NULL, &s->node))
		return -1;
	ffaemu_edge_config_default(&cfg);
	cfg.name = name;
	cfg.conduit = conduit;
	cfg.smccc_version = FFAEMU_SMCCC_1_2;
	return ffaemu_edge_new(&cfg, s->node, &s->edge);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (sys_init(&f->sys[0], 0x1111000000000000ull, FFAEMU_CONDUIT_SMC, "sysA") ||
	    sys_init(&f->sys[1], 0x2222000000000000ull, FFAEMU_CONDUIT_HVC, "sysB"))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < 4; i++)
		ffaemu_ffi_adapter_free(&f->ad[i]);
	for (unsigned i = 0; i < 2; i++) {
		ffaemu_edge_free(&f->sys[i].edge);
		ffaemu_node_free(&f->sys[i].node);
	}
	free(f);
	return 0;
}

/* x0 is an SMC64 FID (so SMCCC 1.2 carries x1-x17 both ways); x1-x17 distinct. */
static void fill_args(struct ffaemu_regs *r, uint64_t tag)
{
	r->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	for (unsigned n = 1; n < FFAEMU_NREGS; n++)
		r->x[n] = tag ^ (0x0102030405060000ull + ((uint64_t)n << 8) + n);
}

static struct ffaemu_call_ctx endpoint(ffaemu_id_t id, uint8_t el, enum ffaemu_instance inst)
{
	struct ffaemu_call_ctx c;

	memset(&c, 0, sizeof(c));
	c.caller = id;
	c.el = el;
	c.instance = inst;
	return c;
}

static void assert_regs_n(const uint64_t *got, const uint64_t *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (got[i] != want[i])
			print_error("x%u: got %#llx want %#llx\n", i, (unsigned long long)got[i],
				    (unsigned long long)want[i]);
		assert_int_equal(got[i], want[i]);
	}
}

static struct ffaemu_ffi_adapter *make(struct fixture *f, unsigned slot, const char *shape,
				       unsigned sys, const struct ffaemu_call_ctx *ctx)
{
	assert_int_equal(ffaemu_ffi_adapter_new_str(shape, f->sys[sys].edge, ctx, NULL, &f->ad[slot]),
			 0);
	assert_non_null(ffaemu_ffi_adapter_fn(f->ad[slot]));
	return f->ad[slot];
}

/* ---- The 18-register presets, called as their codebases call them ---- */

static void linux_ffa_value_by_value_in_pointer_out(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_call_ctx ep = endpoint(0x0001, 1, FFAEMU_INSTANCE_NV);
	ffaemu_ffi_linux_fn fn = FFAEMU_FFI_FN(make(f, 0, "linux", 0, &ep), ffaemu_ffi_linux_fn);
	struct ffaemu_regs args, res;

	fill_args(&args, 0x1000);
	memset(&res, 0xee, sizeof(res));
	fn(args, &res);
	assert_int_equal(f->sys[0].rec.calls, 1);
	assert_regs_n(f->sys[0].rec.seen.x, args.x, FFAEMU_NREGS);
	assert_regs_n(res.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);
	assert_int_equal(f->sys[0].rec.ctx.caller, 0x0001);
	assert_int_equal(f->sys[0].rec.ctx.el, 1);
	assert_int_equal(f->sys[0].rec.ctx.instance, FFAEMU_INSTANCE_NV);
	assert_int_equal(f->sys[0].rec.ctx.conduit, FFAEMU_CONDUIT_SMC);
	assert_int_equal(f->sys[0].rec.ctx.smccc_version, FFAEMU_SMCCC_1_2);
	assert_int_equal(ffaemu_ffi_adapter_calls(f->ad[0]), 1);
}

static void uboot_shares_the_linux_convention(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_linux_fn fn = FFAEMU_FFI_FN(make(f, 0, "uboot", 1, NULL), ffaemu_ffi_linux_fn);
	struct ffaemu_regs args, res;

	fill_args(&args, 0x2000);
	fn(args, &res);
	assert_regs_n(f->sys[1].rec.seen.x, args.x, FFAEMU_NREGS);
	assert_regs_n(res.x, f->sys[1].rec.answered.x, FFAEMU_NREGS);
	/* NULL ctx: host, NS physical, EL1; the edge supplies HVC */
	assert_int_equal(f->sys[1].rec.ctx.caller, 0);
	assert_int_equal(f->sys[1].rec.ctx.el, 1);
	assert_int_equal(f->sys[1].rec.ctx.conduit, FFAEMU_CONDUIT_HVC);
}

static void linux_regs_const_in_pointer_out_pointer(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_linux_regs_fn fn =
		FFAEMU_FFI_FN(make(f, 0, "linux-regs", 0, NULL), ffaemu_ffi_linux_regs_fn);
	struct ffaemu_regs args, keep, res;

	fill_args(&args, 0x3000);
	keep = args;
	fn(&args, &res);
	assert_regs_n(f->sys[0].rec.seen.x, keep.x, FFAEMU_NREGS);
	assert_regs_n(res.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);
	/* the const input is not written */
	assert_regs_n(args.x, keep.x, FFAEMU_NREGS);
}

static void xen_regs_may_alias_in_and_out(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_linux_regs_fn fn = FFAEMU_FFI_FN(make(f, 0, "xen", 0, NULL),
						    ffaemu_ffi_linux_regs_fn);
	struct ffaemu_regs r, keep;

	fill_args(&r, 0x4000);
	keep = r;
	fn(&r, &r);
	assert_regs_n(f->sys[0].rec.seen.x, keep.x, FFAEMU_NREGS);
	assert_regs_n(r.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);
}

static void acs_void_pointer_in_and_out(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_acs_fn fn = FFAEMU_FFI_FN(make(f, 0, "acs", 1, NULL), ffaemu_ffi_acs_fn);
	uint64_t args[FFAEMU_NREGS];
	struct ffaemu_regs in;

	fill_args(&in, 0x5000);
	memcpy(args, in.x, sizeof(args));
	fn(args);
	assert_regs_n(f->sys[1].rec.seen.x, in.x, FFAEMU_NREGS);
	assert_regs_n(args, f->sys[1].rec.answered.x, FFAEMU_NREGS);
}

static void tftf_returns_x0_and_updates_the_struct(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_tftf_fn fn = FFAEMU_FFI_FN(make(f, 0, "tftf", 0, NULL), ffaemu_ffi_tftf_fn);
	struct ffaemu_regs r, in;
	uint64_t x0;

	fill_args(&r, 0x6000);
	in = r;
	x0 = fn(&r);
	assert_regs_n(f->sys[0].rec.seen.x, in.x, FFAEMU_NREGS);
	assert_regs_n(r.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);
	assert_int_equal(x0, f->sys[0].rec.answered.x[0]);
}

static void hafnium_152_byte_struct_by_value_both_ways(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_hafnium_fn fn = FFAEMU_FFI_FN(make(f, 0, "hafnium", 0, NULL),
						 ffaemu_ffi_hafnium_fn);
	struct ffaemu_ffi_regs18b args, res;
	struct ffaemu_regs in;

	assert_int_equal(sizeof(struct ffaemu_ffi_regs18b), 152);
	fill_args(&in, 0x7000);
	memcpy(args.x, in.x, sizeof(args.x));
	args.extended = false;
	res = fn(args);
	assert_regs_n(f->sys[0].rec.seen.x, in.x, FFAEMU_NREGS);
	assert_regs_n(res.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);
	/* SMC64 under SMCCC 1.2: x8-x17 carry results */
	assert_true(res.extended);

	args.x[0] = FFAEMU_FFA_VERSION; /* SMC32: only x0-x7 are results */
	res = fn(args);
	assert_false(res.extended);
}

static void edk2_arm_smc_args_in_and_out(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_edk2_fn fn = FFAEMU_FFI_FN(make(f, 0, "edk2", 1, NULL), ffaemu_ffi_edk2_fn);
	struct ffaemu_regs r, in;

	fill_args(&r, 0x8000);
	in = r;
	fn(&r);
	assert_regs_n(f->sys[1].rec.seen.x, in.x, FFAEMU_NREGS);
	assert_regs_n(r.x, f->sys[1].rec.answered.x, FFAEMU_NREGS);
}

/* ---- Eight-register presets: x0-x7 travel, x8-x17 start as zero ---- */

static void check_eight_in(const struct recorder *rec, const struct ffaemu_regs *in)
{
	assert_regs_n(rec->seen.x, in->x, 8);
	for (unsigned n = 8; n < FFAEMU_NREGS; n++)
		assert_int_equal(rec->seen.x[n], 0);
}

static void ts_eight_scalars_and_result_pointer(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_ts_fn fn = FFAEMU_FFI_FN(make(f, 0, "ts", 0, NULL), ffaemu_ffi_ts_fn);
	struct ffaemu_ffi_regs8 res;
	struct ffaemu_regs in;

	fill_args(&in, 0x9000);
	fn(in.x[0], in.x[1], in.x[2], in.x[3], in.x[4], in.x[5], in.x[6], in.x[7], &res);
	check_eight_in(&f->sys[0].rec, &in);
	assert_regs_n(res.x, f->sys[0].rec.answered.x, 8);
}

static void trusty_eight_ulongs_return_smc_ret8(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_trusty_fn fn = FFAEMU_FFI_FN(make(f, 0, "trusty", 1, NULL), ffaemu_ffi_trusty_fn);
	struct ffaemu_ffi_regs8 res;
	struct ffaemu_regs in;

	fill_args(&in, 0xa000);
	res = fn(in.x[0], in.x[1], in.x[2], in.x[3], in.x[4], in.x[5], in.x[6], in.x[7]);
	check_eight_in(&f->sys[1].rec, &in);
	assert_regs_n(res.x, f->sys[1].rec.answered.x, 8);
}

static void optee_args8_in_and_out(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_args8_fn fn = FFAEMU_FFI_FN(make(f, 0, "optee", 0, NULL), ffaemu_ffi_args8_fn);
	struct ffaemu_ffi_regs8 a;
	struct ffaemu_regs in;

	fill_args(&in, 0xb000);
	memcpy(a.x, in.x, sizeof(a.x));
	fn(&a);
	check_eight_in(&f->sys[0].rec, &in);
	assert_regs_n(a.x, f->sys[0].rec.answered.x, 8);
}

/* ---- Custom shapes ---- */

typedef uint32_t (*w_ret_fn)(uint32_t w3, uint64_t x1, uint32_t w0);

static void custom_shape_names_registers_and_returns_a_w_register(void **state)
{
	struct fixture *f = *state;
	w_ret_fn fn = FFAEMU_FFI_FN(make(f, 0, "u32 x2(u32 x3, u64 x1, u32 x0)", 0, NULL),
				    w_ret_fn);
	uint32_t w;

	w = fn(0x33333333u, 0x1111111122222222ull, (uint32_t)FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	assert_int_equal(f->sys[0].rec.seen.x[3], 0x33333333u);
	assert_int_equal(f->sys[0].rec.seen.x[1], 0x1111111122222222ull);
	assert_int_equal(f->sys[0].rec.seen.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	assert_int_equal(f->sys[0].rec.seen.x[2], 0);
	assert_int_equal(w, (uint32_t)f->sys[0].rec.answered.x[2]);
}

struct four {
	uint64_t x[4];
};
typedef void (*four_fn)(const struct four *in, struct four *out, uint64_t x5);

static void custom_short_structs_leave_other_registers_zero(void **state)
{
	struct fixture *f = *state;
	four_fn fn = FFAEMU_FFI_FN(make(f, 0, "void(const struct4* in, struct4* out, u64 x5)", 0,
					NULL),
				   four_fn);
	struct four in = {{FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 11, 22, 33}}, out;

	memset(&out, 0, sizeof(out));
	fn(&in, &out, 55);
	assert_regs_n(f->sys[0].rec.seen.x, in.x, 4);
	assert_int_equal(f->sys[0].rec.seen.x[4], 0);
	assert_int_equal(f->sys[0].rec.seen.x[5], 55);
	for (unsigned n = 6; n < FFAEMU_NREGS; n++)
		assert_int_equal(f->sys[0].rec.seen.x[n], 0);
	assert_regs_n(out.x, f->sys[0].rec.answered.x, 4);
}

static void null_pointers_read_as_zero_and_are_not_written(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_linux_regs_fn fn =
		FFAEMU_FFI_FN(make(f, 0, "linux-regs", 0, NULL), ffaemu_ffi_linux_regs_fn);

	fn(NULL, NULL);
	assert_int_equal(f->sys[0].rec.calls, 1);
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		assert_int_equal(f->sys[0].rec.seen.x[n], 0);
}

/* ---- Endpoints and systems ---- */

static void endpoints_and_systems_stay_apart(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_call_ctx vm1 = endpoint(0x0001, 1, FFAEMU_INSTANCE_NV);
	struct ffaemu_call_ctx vm2 = endpoint(0x0002, 1, FFAEMU_INSTANCE_NV);
	struct ffaemu_call_ctx hyp = endpoint(0x0000, 2, FFAEMU_INSTANCE_NP);
	struct ffaemu_call_ctx sp = endpoint(0x8001, 1, FFAEMU_INSTANCE_SV);
	ffaemu_ffi_linux_fn a1 = FFAEMU_FFI_FN(make(f, 0, "linux", 0, &vm1), ffaemu_ffi_linux_fn);
	ffaemu_ffi_hafnium_fn a2 = FFAEMU_FFI_FN(make(f, 1, "hafnium", 0, &vm2),
						 ffaemu_ffi_hafnium_fn);
	ffaemu_ffi_linux_fn b1 = FFAEMU_FFI_FN(make(f, 2, "linux", 1, &hyp), ffaemu_ffi_linux_fn);
	ffaemu_ffi_edk2_fn b2 = FFAEMU_FFI_FN(make(f, 3, "edk2", 1, &sp), ffaemu_ffi_edk2_fn);
	struct ffaemu_regs args, res;
	struct ffaemu_ffi_regs18b hin, hres;

	for (unsigned round = 0; round < 3; round++) {
		fill_args(&args, 0xc000 + round);
		a1(args, &res);
		assert_int_equal(f->sys[0].rec.ctx.caller, 0x0001);
		assert_regs_n(f->sys[0].rec.seen.x, args.x, FFAEMU_NREGS);
		assert_regs_n(res.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);

		fill_args(&args, 0xd000 + round);
		b1(args, &res);
		assert_int_equal(f->sys[1].rec.ctx.caller, 0x0000);
		assert_int_equal(f->sys[1].rec.ctx.el, 2);
		assert_regs_n(f->sys[1].rec.seen.x, args.x, FFAEMU_NREGS);
		assert_regs_n(res.x, f->sys[1].rec.answered.x, FFAEMU_NREGS);

		fill_args(&args, 0xe000 + round);
		memcpy(hin.x, args.x, sizeof(hin.x));
		hin.extended = true;
		hres = a2(hin);
		assert_int_equal(f->sys[0].rec.ctx.caller, 0x0002);
		assert_regs_n(f->sys[0].rec.seen.x, args.x, FFAEMU_NREGS);
		assert_regs_n(hres.x, f->sys[0].rec.answered.x, FFAEMU_NREGS);

		fill_args(&args, 0xf000 + round);
		res = args;
		b2(&res);
		assert_int_equal(f->sys[1].rec.ctx.caller, 0x8001);
		assert_true(f->sys[1].rec.ctx.instance == FFAEMU_INSTANCE_SV);
		assert_regs_n(f->sys[1].rec.seen.x, args.x, FFAEMU_NREGS);
		assert_regs_n(res.x, f->sys[1].rec.answered.x, FFAEMU_NREGS);
	}
	assert_int_equal(f->sys[0].rec.calls, 6);
	assert_int_equal(f->sys[1].rec.calls, 6);
	/* system salts differ, so no answer came from the wrong system */
	assert_true(f->sys[0].rec.answered.x[5] != f->sys[1].rec.answered.x[5]);
}

static void rebinding_moves_an_adapter_to_another_system(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_call_ctx vm = endpoint(0x0007, 1, FFAEMU_INSTANCE_NV);
	ffaemu_ffi_acs_fn fn = FFAEMU_FFI_FN(make(f, 0, "acs", 0, NULL), ffaemu_ffi_acs_fn);
	struct ffaemu_regs r;

	fill_args(&r, 1);
	fn(&r);
	ffaemu_ffi_adapter_bind(f->ad[0], f->sys[1].edge, &vm);
	fill_args(&r, 2);
	fn(&r);
	assert_int_equal(f->sys[0].rec.calls, 1);
	assert_int_equal(f->sys[1].rec.calls, 1);
	assert_int_equal(f->sys[1].rec.ctx.caller, 0x0007);
	assert_regs_n(r.x, f->sys[1].rec.answered.x, FFAEMU_NREGS);
}

static void an_unbound_adapter_answers_not_supported(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_tftf_fn fn = FFAEMU_FFI_FN(make(f, 0, "tftf", 0, NULL), ffaemu_ffi_tftf_fn);
	struct ffaemu_regs r;

	ffaemu_ffi_adapter_bind(f->ad[0], NULL, NULL);
	fill_args(&r, 3);
	/* spec A10: unknown FID, -1 in x0 */
	assert_int_equal(fn(&r), FFAEMU_SMCCC_UNKNOWN);
	assert_int_equal(r.x[0], FFAEMU_SMCCC_UNKNOWN);
	assert_int_equal(f->sys[0].rec.calls, 0);
}

static void smc32_calls_keep_the_edge_contract(void **state)
{
	struct fixture *f = *state;
	ffaemu_ffi_linux_fn fn = FFAEMU_FFI_FN(make(f, 0, "linux", 0, NULL), ffaemu_ffi_linux_fn);
	struct ffaemu_regs args, res;

	fill_args(&args, 0x4242);
	args.x[0] = FFAEMU_FFA_VERSION;
	fn(args, &res);
	/* spec A8: an SMC32 callee sees W registers; x8-x17 are preserved */
	for (unsigned n = 1; n < 8; n++)
		assert_int_equal(f->sys[0].rec.seen.x[n], (uint32_t)args.x[n]);
	for (unsigned n = 0; n < 8; n++)
		assert_int_equal(res.x[n], (uint32_t)f->sys[0].rec.answered.x[n]);
	for (unsigned n = 8; n < FFAEMU_NREGS; n++)
		assert_int_equal(res.x[n], args.x[n]);
}

/* ---- Observers and whole systems ---- */

struct obs {
	unsigned n;
	struct ffaemu_edge_event last;
	struct ffaemu_call_ctx ctx; /* ev->ctx lives only during the callback */
};

static void on_event(void *user, const struct ffaemu_edge_event *ev)
{
	struct obs *o = user;

	o->n++;
	o->last = *ev;
	o->ctx = *ev->ctx;
}

static void observers_see_adapter_calls_as_the_endpoint_made_them(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_call_ctx vm = endpoint(0x0005, 1, FFAEMU_INSTANCE_NV);
	ffaemu_ffi_linux_fn fn = FFAEMU_FFI_FN(make(f, 0, "linux", 1, &vm), ffaemu_ffi_linux_fn);
	struct ffaemu_regs args, res;
	struct obs o;

	memset(&o, 0, sizeof(o));
	assert_int_equal(ffaemu_edge_add_observer(f->sys[1].edge, on_event, &o), 0);
	fill_args(&args, 0x0b5);
	fn(args, &res);
	assert_int_equal(o.n, 1);
	assert_regs_n(o.last.in.x, args.x, FFAEMU_NREGS);
	assert_regs_n(o.last.out.x, res.x, FFAEMU_NREGS);
	assert_int_equal(o.ctx.caller, 0x0005);
	assert_int_equal(o.ctx.conduit, FFAEMU_CONDUIT_HVC);
	assert_int_equal(o.last.violations, 0);
	assert_int_equal(ffaemu_edge_remove_observer(f->sys[1].edge, on_event, &o), 0);
}

static const char *const sys_proxy[2] = {"none", "pkvm-2026-direct-msg"};

static void two_whole_systems_answer_through_their_own_adapters(void **state)
{
	struct ffaemu_system *sys[2] = {NULL, NULL};
	struct ffaemu_ffi_adapter *ad[2] = {NULL, NULL};
	struct obs o[2];

	(void)state;
	memset(o, 0, sizeof(o));
	for (unsigned i = 0; i < 2; i++) {
		struct ffaemu_system_config cfg;
		struct ffaemu_sp_config sp;

		ffaemu_system_config_default(&cfg);
		cfg.proxy = sys_proxy[i];
		assert_int_equal(ffaemu_system_new(&cfg, &sys[i]), 0);
		assert_int_equal(ffaemu_sp_config_builtin(&sp, FFAEMU_SP_ECHO,
							  (ffaemu_id_t)(0x8001 + i)), 0);
		sp.props |= FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
		assert_int_equal(ffaemu_spmc_add_sp(ffaemu_system_spmc(sys[i]), &sp), 0);
		/* system 0 is driven by Hafnium-shaped code, system 1 by Linux-shaped code */
		assert_int_equal(ffaemu_ffi_adapter_new_str(i ? "linux" : "hafnium",
							    ffaemu_system_host_edge(sys[i]),
							    ffaemu_system_host_ctx(sys[i]), NULL,
							    &ad[i]),
				 0);
		assert_int_equal(ffaemu_edge_add_observer(ffaemu_system_host_edge(sys[i]), on_event,
							  &o[i]),
				 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		/* a v1.2 caller negotiates first (DEN0077A s13.2.1; pkvm-proxy 1.4) */
		struct ffaemu_regs args;

		ffaemu_regs_clear(&args);
		args.x[0] = FFAEMU_FFA_VERSION;
		args.x[1] = FFAEMU_FFA_1_2;
		ffaemu_edge_call(ffaemu_system_host_edge(sys[i]), &args,
				 ffaemu_system_host_ctx(sys[i]));
		assert_int_equal(args.x[0], FFAEMU_FFA_1_2);
	}
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 2; i++) {
			struct ffaemu_regs args, res;
			ffaemu_id_t sp = (ffaemu_id_t)(0x8001 + i);

			ffaemu_regs_clear(&args);
			args.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
			args.x[1] = sp; /* from the host (0) */
			for (unsigned n = 4; n < FFAEMU_NREGS; n++)
				args.x[n] = 0xab00000000000000ull + ((uint64_t)i << 32) +
					    (round << 8) + n;
			if (i == 0) {
				ffaemu_ffi_hafnium_fn fn =
					FFAEMU_FFI_FN(ad[0], ffaemu_ffi_hafnium_fn);
				struct ffaemu_ffi_regs18b in, out;

				memcpy(in.x, args.x, sizeof(in.x));
				in.extended = true;
				out = fn(in);
				memcpy(res.x, out.x, sizeof(res.x));
				assert_true(out.extended);
			} else {
				FFAEMU_FFI_FN(ad[1], ffaemu_ffi_linux_fn)(args, &res);
			}
			if (res.x[0] != FFAEMU_FFA_MSG_SEND_DIRECT_RESP2)
				print_error("system %u: x0=%#llx x2=%#llx\n", i,
					    (unsigned long long)res.x[0], (unsigned long long)res.x[2]);
			assert_int_equal(res.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
			/* the response goes from the partition to the host */
			assert_int_equal(ffaemu_regs_id_hi(&res, 1), sp);
			assert_int_equal(ffaemu_regs_id_lo(&res, 1), 0);
			assert_regs_n(res.x + 4, args.x + 4, FFAEMU_NREGS - 4);
			assert_regs_n(o[i].last.in.x, args.x, FFAEMU_NREGS);
			assert_regs_n(o[i].last.out.x, res.x, FFAEMU_NREGS);
		}
	}
	/* FFA_VERSION and two requests each */
	assert_int_equal(o[0].n, 3);
	assert_int_equal(o[1].n, 3);
	/* each system knows only its own partition */
	{
		struct ffaemu_regs args, res;

		ffaemu_regs_clear(&args);
		args.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
		args.x[1] = 0x8001;
		FFAEMU_FFI_FN(ad[1], ffaemu_ffi_linux_fn)(args, &res);
		assert_int_equal(res.x[0], FFAEMU_FFA_ERROR);
	}
	for (unsigned i = 0; i < 2; i++) {
		ffaemu_ffi_adapter_free(&ad[i]);
		ffaemu_system_free(&sys[i]);
	}
}

/* ---- Foreign nodes: the library calls a user's function ---- */

static struct ffaemu_regs h_seen;
static unsigned h_calls;

static void answer(struct ffaemu_regs *r)
{
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		r->x[n] = 0x7700000000000000ull + h_calls * 0x100 + n;
}

static void h_linux(struct ffaemu_regs a, struct ffaemu_regs *res)
{
	h_calls++;
	h_seen = a;
	answer(res);
}

static void h_linux_regs(const struct ffaemu_regs *a, struct ffaemu_regs *res)
{
	h_calls++;
	h_seen = *a;
	answer(res);
}

static uint64_t h_tftf(struct ffaemu_regs *a)
{
	h_calls++;
	h_seen = *a;
	answer(a);
	return a->x[0];
}

static void h_inout(void *a)
{
	struct ffaemu_regs *r = a;

	h_calls++;
	h_seen = *r;
	answer(r);
}

static struct ffaemu_ffi_regs18b h_hafnium(struct ffaemu_ffi_regs18b a)
{
	struct ffaemu_ffi_regs18b r;
	struct ffaemu_regs t;

	h_calls++;
	memcpy(h_seen.x, a.x, sizeof(a.x));
	answer(&t);
	memcpy(r.x, t.x, sizeof(r.x));
	r.extended = a.extended;
	return r;
}

static void h_ts(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		 uint64_t a6, uint64_t a7, struct ffaemu_ffi_regs8 *res)
{
	struct ffaemu_regs t;
	uint64_t v[8] = {a0, a1, a2, a3, a4, a5, a6, a7};

	h_calls++;
	ffaemu_regs_clear(&h_seen);
	memcpy(h_seen.x, v, sizeof(v));
	answer(&t);
	memcpy(res->x, t.x, sizeof(res->x));
}

static struct ffaemu_ffi_regs8 h_trusty(unsigned long a0, unsigned long a1, unsigned long a2,
					unsigned long a3, unsigned long a4, unsigned long a5,
					unsigned long a6, unsigned long a7)
{
	struct ffaemu_ffi_regs8 r;

	h_ts(a0, a1, a2, a3, a4, a5, a6, a7, &r);
	return r;
}

static void h_args8(struct ffaemu_ffi_regs8 *a)
{
	struct ffaemu_regs t;

	h_calls++;
	ffaemu_regs_clear(&h_seen);
	memcpy(h_seen.x, a->x, sizeof(a->x));
	answer(&t);
	memcpy(a->x, t.x, sizeof(a->x));
}

static const struct {
	const char *shape;
	ffaemu_ffi_fn fn;
	unsigned nregs; /* registers the shape carries */
} foreign[] = {
	{"linux", (ffaemu_ffi_fn)h_linux, 18},
	{"linux-regs", (ffaemu_ffi_fn)h_linux_regs, 18},
	{"acs", (ffaemu_ffi_fn)h_inout, 18},
	{"tftf", (ffaemu_ffi_fn)h_tftf, 18},
	{"hafnium", (ffaemu_ffi_fn)h_hafnium, 18},
	{"edk2", (ffaemu_ffi_fn)h_inout, 18},
	{"ts", (ffaemu_ffi_fn)h_ts, 8},
	{"trusty", (ffaemu_ffi_fn)h_trusty, 8},
	{"optee", (ffaemu_ffi_fn)h_args8, 8},
};

static void foreign_nodes_call_every_preset_shape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		struct ffaemu_ffi_shape s;
		struct ffaemu_node *node;
		struct ffaemu_regs r, in, want;
		struct ffaemu_call_ctx ctx = endpoint(1, 1, FFAEMU_INSTANCE_NV);
		unsigned k = foreign[i].nregs;

		assert_int_equal(ffaemu_ffi_shape_parse(foreign[i].shape, &s, NULL), 0);
		assert_int_equal(ffaemu_ffi_node_new(&s, foreign[i].fn, foreign[i].shape, NULL, &node),
				 0);
		assert_string_equal(ffaemu_node_name(node), foreign[i].shape);
		fill_args(&r, 0x100 * i);
		in = r;
		h_calls = 0;
		ffaemu_node_call(node, &r, &ctx);
		assert_int_equal(h_calls, 1);
		assert_regs_n(h_seen.x, in.x, k);
		answer(&want); /* what the handler's first call answered */
		assert_regs_n(r.x, want.x, k);
		/* registers the shape does not return keep the caller's values */
		for (unsigned n = k; n < FFAEMU_NREGS; n++)
			assert_int_equal(r.x[n], in.x[n]);
		ffaemu_node_free(&node);
		assert_null(node);
	}
}

static uint32_t c_w1;
static uint64_t c_x2;

static uint32_t h_custom(uint32_t w1, uint64_t x2, struct four *out)
{
	c_w1 = w1;
	c_x2 = x2;
	out->x[3] = 0x3333;
	return 0x84000061u;
}

static void foreign_node_custom_shape_with_w_registers(void **state)
{
	struct ffaemu_ffi_shape s;
	struct ffaemu_node *node;
	struct ffaemu_regs r, in;

	(void)state;
	assert_int_equal(ffaemu_ffi_shape_parse("u32 x0(u32 x1, u64, struct4* out)", &s, NULL), 0);
	assert_int_equal(ffaemu_ffi_node_new(&s, (ffaemu_ffi_fn)h_custom, "custom", NULL, &node), 0);
	fill_args(&r, 0x99);
	in = r;
	ffaemu_node_call(node, &r, NULL);
	assert_int_equal(c_w1, (uint32_t)in.x[1]);
	assert_int_equal(c_x2, in.x[2]);
	/* the out struct started as the caller's registers; the callee changed x3 */
	assert_int_equal(r.x[0], 0x84000061u);
	assert_int_equal(r.x[1], in.x[1]);
	assert_int_equal(r.x[2], in.x[2]);
	assert_int_equal(r.x[3], 0x3333);
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		assert_int_equal(r.x[n], in.x[n]);
	ffaemu_node_free(&node);
}

static void adapter_to_foreign_node_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_ffi_shape s;
	struct ffaemu_node *node;
	struct ffaemu_edge *edge;
	struct ffaemu_regs args, res, want;
	ffaemu_ffi_linux_fn fn;

	/* a Linux-shaped client -> edge -> a Hafnium-shaped callee */
	assert_int_equal(ffaemu_ffi_shape_parse("hafnium", &s, NULL), 0);
	assert_int_equal(ffaemu_ffi_node_new(&s, (ffaemu_ffi_fn)h_hafnium, NULL, NULL, &node), 0);
	assert_string_equal(ffaemu_node_name(node), "foreign");
	assert_int_equal(ffaemu_edge_new(NULL, node, &edge), 0);
	assert_int_equal(ffaemu_ffi_adapter_new_str("linux", edge, NULL, NULL, &f->ad[0]), 0);
	fn = FFAEMU_FFI_FN(f->ad[0], ffaemu_ffi_linux_fn);
	fill_args(&args, 0x77);
	h_calls = 0;
	fn(args, &res);
	assert_int_equal(h_calls, 1);
	assert_regs_n(h_seen.x, args.x, FFAEMU_NREGS);
	answer(&want);
	assert_regs_n(res.x, want.x, FFAEMU_NREGS);
	ffaemu_ffi_adapter_free(&f->ad[0]);
	ffaemu_edge_free(&edge);
	ffaemu_node_free(&node);
}

/* ---- Shapes ---- */

static const struct {
	const char *text;
	const char *canonical;
} good_shapes[] = {
	{"void(struct18 in, struct18* out)", "void(struct18 in, struct18* out)"},
	{"  void ( struct18 , struct18 * ) ", "void(struct18 in, struct18* inout)"},
	{"void(void* inout)", "void(struct18* inout)"},
	{"void(void *)", "void(struct18* inout)"},
	{"u64(struct18*)", "u64 x0(struct18* inout)"},
	{"struct18b(struct18b in)", "struct18b(struct18b in)"},
	{"void(u64, u64, struct8* out)", "void(u64 x0, u64 x1, struct8* out)"},
	{"void(u64 x4, u64, ulong x1, uint64_t, struct2* out)",
	 "void(u64 x4, u64 x5, u64 x1, u64 x2, struct2* out)"},
	{"u32 x3(u32 x17)", "u32 x3(u32 x17)"},
	{"struct4(void)", "struct4(void)"},
	{"struct4()", "struct4(void)"},
	{"void(const struct18 * const in, struct18* out)", "void(struct18* in, struct18* out)"},
	{"void(struct1* out)", "void(struct1* out)"},
};

static void shape_strings_parse_to_their_canonical_form(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_shapes) / sizeof(good_shapes[0]); i++) {
		struct ffaemu_ffi_shape s, again;
		char buf[160];
		int n;

		if (ffaemu_ffi_shape_parse(good_shapes[i].text, &s, NULL) != 0)
			print_error("rejected: %s\n", good_shapes[i].text);
		assert_int_equal(ffaemu_ffi_shape_parse(good_shapes[i].text, &s, NULL), 0);
		n = ffaemu_ffi_shape_format(&s, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(good_shapes[i].canonical));
		assert_string_equal(buf, good_shapes[i].canonical);
		assert_int_equal(ffaemu_ffi_shape_parse(buf, &again, NULL), 0);
		assert_memory_equal(&s, &again, sizeof(s));
	}
}

static const struct {
	const char *text;
	int rc;
	size_t pos;
} bad_shapes[] = {
	{"", FFAEMU_EPARSE, 0},
	{"void", FFAEMU_EPARSE, 4},
	{"void(", FFAEMU_EPARSE, 5},
	{"void(struct18 in", FFAEMU_EPARSE, 16},
	{"void(struct18 in) x", FFAEMU_EPARSE, 18},
	{"void(struct19* out)", FFAEMU_EPARSE, 5},
	{"void(struct0* out)", FFAEMU_EPARSE, 5},
	{"void(struct18* sideways)", FFAEMU_EPARSE, 15},
	{"void(u64 x18, struct1* out)", FFAEMU_EPARSE, 9},
	{"void(struct18 in)", FFAEMU_EINVAL, 17},          /* no result */
	{"void(struct18 out)", FFAEMU_EINVAL, 18},         /* by value cannot return */
	{"void(void)", FFAEMU_EINVAL, 10},
	{"struct18*(void)", FFAEMU_EPARSE, 8},
	{"void(u64 x17, u64, struct1* out)", FFAEMU_EINVAL, 17}, /* runs past x17 */
	{"void(struct18 in; struct18* out)", FFAEMU_EPARSE, 16},
	{"linux-reg", FFAEMU_EPARSE, 0},
	{"void(float, struct1* out)", FFAEMU_EPARSE, 5},
};

static void malformed_shapes_are_rejected_and_change_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_shapes) / sizeof(bad_shapes[0]); i++) {
		struct ffaemu_ffi_shape s, before;
		size_t pos = 999;
		int rc;

		memset(&s, 0xab, sizeof(s));
		before = s;
		rc = ffaemu_ffi_shape_parse(bad_shapes[i].text, &s, &pos);
		if (rc != bad_shapes[i].rc || pos != bad_shapes[i].pos)
			print_error("'%s': rc %d pos %zu\n", bad_shapes[i].text, rc, pos);
		assert_int_equal(rc, bad_shapes[i].rc);
		assert_int_equal(pos, bad_shapes[i].pos);
		assert_memory_equal(&s, &before, sizeof(s));
	}
	/* too many parameters */
	{
		char text[400] = "void(";
		struct ffaemu_ffi_shape s;
		for (unsigned i = 0; i < FFAEMU_FFI_MAX_PARAMS; i++)
			strcat(text, "struct1* out, ");
		strcat(text, "struct1* out)");
		assert_int_equal(ffaemu_ffi_shape_parse(text, &s, NULL), FFAEMU_EINVAL);
	}
	assert_int_equal(ffaemu_ffi_shape_parse(NULL, NULL, NULL), FFAEMU_EINVAL);
}

/* Seeded token soup: the parser answers every string without crashing, and
 * whatever it accepts prints back to a string that parses the same. */
static void random_shape_strings_never_crash_and_round_trip(void **state)
{
	static const char *const tok[] = {
		"void", "u64", "u32", "ulong", "struct18", "struct8", "struct18b", "struct0",
		"struct19", "x0", "x17", "x18", "in", "out", "inout", "const", "*", "(", ")",
		",", " ", "linux", "@", "struct", "b", "9",
	};
	uint64_t seed = 0x243f6a8885a308d3ull;
	unsigned accepted = 0;

	(void)state;
	for (unsigned iter = 0; iter < 20000; iter++) {
		char body[400] = ""; /* up to 32 tokens of at most 10 bytes */
		char text[440];
		unsigned ntok;
		struct ffaemu_ffi_shape sh, again;
		size_t pos = 0;
		int rc;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		ntok = (unsigned)(seed >> 59) + 1;
		for (unsigned k = 0; k < ntok; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			strcat(body, tok[(seed >> 33) % (sizeof(tok) / sizeof(tok[0]))]);
			if ((seed >> 20) & 1)
				strcat(body, " ");
		}
		/* a third of them inside a well-formed frame */
		if (iter % 3 == 0)
			snprintf(text, sizeof(text), "void(%s, struct2* out)", body);
		else
			snprintf(text, sizeof(text), "%s", body);
		rc = ffaemu_ffi_shape_parse(text, &sh, &pos);
		assert_true(rc == 0 || rc == FFAEMU_EPARSE || rc == FFAEMU_EINVAL);
		assert_true(pos <= strlen(text));
		if (rc == 0) {
			char buf[1024];

			accepted++;
			assert_true(ffaemu_ffi_shape_format(&sh, buf, sizeof(buf)) > 0);
			assert_int_equal(ffaemu_ffi_shape_parse(buf, &again, NULL), 0);
			assert_memory_equal(&sh, &again, sizeof(sh));
		}
	}
	assert_true(accepted > 50);
}

static void every_preset_parses_and_is_listed(void **state)
{
	size_t n = ffaemu_ffi_preset_count();
	const char *shape;

	(void)state;
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		struct ffaemu_ffi_shape s;
		const char *name = ffaemu_ffi_preset_name(i, &shape);

		assert_non_null(name);
		assert_ptr_equal(ffaemu_ffi_preset_shape(name), shape);
		assert_int_equal(ffaemu_ffi_shape_parse(name, &s, NULL), 0);
	}
	assert_null(ffaemu_ffi_preset_name(n, &shape));
	assert_null(shape);
	assert_null(ffaemu_ffi_preset_shape("no-such-codebase"));
	assert_string_equal(ffaemu_ffi_preset_shape("linux"), "void(struct18 in, struct18* out)");
}

static void hand_built_shapes_are_checked(void **state)
{
	struct ffaemu_ffi_shape s;
	struct ffaemu_ffi_adapter *a = (void *)1;
	char buf[8];

	(void)state;
	assert_int_equal(ffaemu_ffi_shape_parse("acs", &s, NULL), 0);
	assert_int_equal(ffaemu_ffi_shape_check(&s), 0);
	s.params[0].nregs = 19;
	assert_int_equal(ffaemu_ffi_shape_check(&s), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_ffi_adapter_new(&s, NULL, NULL, NULL, &a), FFAEMU_EINVAL);
	assert_null(a);
	s.params[0].nregs = 18;
	s.params[0].dir = 0;
	assert_int_equal(ffaemu_ffi_shape_check(&s), FFAEMU_EINVAL);
	s.params[0].dir = FFAEMU_FFI_INOUT;
	s.size = 0;
	assert_int_equal(ffaemu_ffi_shape_check(&s), FFAEMU_EINVAL);
	s.size = sizeof(s);
	/* truncated formatting reports the full length */
	assert_int_equal(ffaemu_ffi_shape_format(&s, buf, sizeof(buf)),
			 (int)strlen("void(struct18* inout)"));
	assert_string_equal(buf, "void(st");
	assert_int_equal(ffaemu_ffi_node_new(&s, NULL, NULL, NULL, &(struct ffaemu_node *){NULL}),
			 FFAEMU_EINVAL);
}

/* ---- Allocation failure ---- */

static void allocation_failure_is_clean(void **state)
{
	struct fixture *f = *state;
	int ok_at = -1;

	for (int budget = 0; budget < 8 && ok_at < 0; budget++) {
		struct failalloc fa;
		const struct ffaemu_allocator *al = failalloc_allocator(&fa);
		struct ffaemu_ffi_adapter *a = NULL;
		struct ffaemu_node *node = NULL;
		struct ffaemu_ffi_shape s;
		int rc1, rc2;

		failalloc_init(&fa);
		failalloc_fail_after(&fa, (unsigned long)budget);
		assert_int_equal(ffaemu_ffi_shape_parse("linux", &s, NULL), 0);
		rc1 = ffaemu_ffi_adapter_new(&s, f->sys[0].edge, NULL, al, &a);
		failalloc_fail_after(&fa, (unsigned long)budget);
		rc2 = ffaemu_ffi_node_new(&s, (ffaemu_ffi_fn)h_linux, "n", al, &node);
		if (rc1 == 0 && rc2 == 0)
			ok_at = budget;
		else
			assert_true(rc1 == FFAEMU_ENOMEM || rc2 == FFAEMU_ENOMEM);
		if (rc1)
			assert_null(a);
		if (rc2)
			assert_null(node);
		ffaemu_ffi_adapter_free(&a);
		ffaemu_node_free(&node);
		assert_int_equal(fa.live, 0);
	}
	assert_true(ok_at > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(linux_ffa_value_by_value_in_pointer_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(uboot_shares_the_linux_convention, setup, teardown),
		cmocka_unit_test_setup_teardown(linux_regs_const_in_pointer_out_pointer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(xen_regs_may_alias_in_and_out, setup, teardown),
		cmocka_unit_test_setup_teardown(acs_void_pointer_in_and_out, setup, teardown),
		cmocka_unit_test_setup_teardown(tftf_returns_x0_and_updates_the_struct, setup,
						teardown),
		cmocka_unit_test_setup_teardown(hafnium_152_byte_struct_by_value_both_ways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(edk2_arm_smc_args_in_and_out, setup, teardown),
		cmocka_unit_test_setup_teardown(ts_eight_scalars_and_result_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(trusty_eight_ulongs_return_smc_ret8, setup, teardown),
		cmocka_unit_test_setup_teardown(optee_args8_in_and_out, setup, teardown),
		cmocka_unit_test_setup_teardown(custom_shape_names_registers_and_returns_a_w_register,
						setup, teardown),
		cmocka_unit_test_setup_teardown(custom_short_structs_leave_other_registers_zero,
						setup, teardown),
		cmocka_unit_test_setup_teardown(null_pointers_read_as_zero_and_are_not_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(endpoints_and_systems_stay_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(rebinding_moves_an_adapter_to_another_system, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_unbound_adapter_answers_not_supported, setup,
						teardown),
		cmocka_unit_test_setup_teardown(smc32_calls_keep_the_edge_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(observers_see_adapter_calls_as_the_endpoint_made_them,
						setup, teardown),
		cmocka_unit_test(two_whole_systems_answer_through_their_own_adapters),
		cmocka_unit_test(foreign_nodes_call_every_preset_shape),
		cmocka_unit_test(foreign_node_custom_shape_with_w_registers),
		cmocka_unit_test_setup_teardown(adapter_to_foreign_node_round_trip, setup, teardown),
		cmocka_unit_test(shape_strings_parse_to_their_canonical_form),
		cmocka_unit_test(malformed_shapes_are_rejected_and_change_nothing),
		cmocka_unit_test(random_shape_strings_never_crash_and_round_trip),
		cmocka_unit_test(every_preset_parses_and_is_listed),
		cmocka_unit_test(hand_built_shapes_are_checked),
		cmocka_unit_test_setup_teardown(allocation_failure_is_clean, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
