/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake SPMC, messaging side: direct requests (v1.0, REQ2, framework),
 * RUN / YIELD / INTERRUPT / MSG_WAIT, the built-in partitions, MSG_SEND2,
 * CONSOLE_LOG, notifications and the "acs-fvp" preset (spec C6-C9, D10).
 * Partitions call back through their own edges.
 */
#include "test_spmc_common.h"

#define HOST_REQ2(f, dst, u0, u1, ...) \
	CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, (uint64_t)(dst), (u0), (u1), __VA_ARGS__)

static int setup_hafnium(void **state)
{
	return fx_setup_named(state, "hafnium-1.2");
}

static int setup_pcpu(void **state)
{
	return fx_setup_named(state, "spmc-1.2");
}

/* ---- a partition that makes one call for the test ---------------------- */

/*
 * "rpc" partition: a DIRECT_REQ2 with x4 = FID and x5..x11 = x1..x7 makes
 * that call from the partition; the RESP2 carries x4..x11 = result x0..x7.
 * FFA_RUN makes it leave with MSG_WAIT (w2 = rpc_retain).
 */
static uint32_t rpc_retain;

static void rpc_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	struct ffaemu_regs c;
	ffaemu_id_t self = ffaemu_sp_env_id(env), src = ffaemu_regs_id_hi(r, 1);
	(void)user;
	if (ffaemu_regs_w(r, 0) != FFAEMU_FFA_MSG_SEND_DIRECT_REQ2) {
		ffaemu_regs_clear(r);
		r->x[0] = FFAEMU_FFA_MSG_WAIT;
		r->x[2] = rpc_retain;
		return;
	}
	ffaemu_regs_clear(&c);
	for (int i = 0; i < 8; i++)
		c.x[i] = r->x[4 + i];
	ffaemu_sp_call(env, &c);
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_RESP2;
	ffaemu_regs_set_ids(r, 1, self, src);
	for (int i = 0; i < 8; i++)
		r->x[4 + i] = c.x[i];
}

static void add_rpc(struct fx *f, ffaemu_id_t id, uint32_t extra_props)
{
	struct ffaemu_sp_config c;
	ffaemu_sp_config_default(&c);
	c.name = "rpc";
	c.id = id;
	c.handler = rpc_handler;
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_RECV |
		  FFAEMU_SP_PROP_AARCH64 | extra_props;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
}

/* Ask partition id to make call x0..x7; returns what it got. */
static struct ffaemu_regs rpc(struct fx *f, ffaemu_id_t id, uint64_t x0, uint64_t x1, uint64_t x2,
			      uint64_t x3, uint64_t x4, uint64_t x5)
{
	struct ffaemu_regs r = HOST_REQ2(f, id, 0, 0, x0, x1, x2, x3, x4, x5);
	struct ffaemu_regs out;
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	ffaemu_regs_clear(&out);
	for (int i = 0; i < 8; i++)
		out.x[i] = r.x[4 + i];
	return out;
}

/* ---- a scripted partition ---------------------------------------------- */

struct script {
	uint32_t exits[8];
	int32_t codes[8];
	int n, i;
	ffaemu_id_t last_requester;
	uint64_t payload;
};

static void script_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	struct script *s = user;
	uint32_t e = s->i < s->n ? s->exits[s->i] : FFAEMU_FFA_MSG_WAIT;
	int32_t code = s->i < s->n ? s->codes[s->i] : 0;
	(void)env;
	s->i++;
	if (ffaemu_regs_w(r, 0) == FFAEMU_FFA_MSG_SEND_DIRECT_REQ) {
		s->last_requester = ffaemu_regs_id_hi(r, 1);
		s->payload = r->x[3];
	}
	ffaemu_regs_clear(r);
	r->x[0] = e;
	if (e == FFAEMU_FFA_MSG_SEND_DIRECT_RESP) {
		ffaemu_regs_set_ids(r, 1, ffaemu_sp_env_id(env), s->last_requester);
		r->x[3] = s->payload;
	} else if (e == FFAEMU_FFA_ERROR || e == FFAEMU_FFA_MSG_WAIT) {
		r->x[2] = (uint32_t)code;
	} else if (e == FFAEMU_FFA_YIELD) {
		r->x[2] = 0x10;
	}
}

static void add_script(struct fx *f, ffaemu_id_t id, struct script *s)
{
	struct ffaemu_sp_config c;
	ffaemu_sp_config_default(&c);
	c.id = id;
	c.handler = script_handler;
	c.user = s;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
}

/* ---- direct requests (C7.1, C7.3, C1.2) -------------------------------- */

static void test_echo_direct_req_32_returns_payload_as_w_values(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001);
	fx_version(f, FFAEMU_FFA_1_2);
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ;
	r.x[1] = 0x8001;
	r.x[3] = 0xffffffff00000011ull;
	r.x[4] = 0x22;
	r.x[7] = 0x77;
	r.x[9] = 0x9999;
	ffaemu_edge_call(f->host, &r, &f->ctx);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[1], 0x80010000u);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0x11);
	assert_int_equal(r.x[4], 0x22);
	assert_int_equal(r.x[7], 0x77);
	assert_int_equal(r.x[9], 0x9999); /* SMC32: x8-x17 preserved */
	assert_int_equal(ffaemu_spmc_sp_entries(f->spmc, 0x8001), 1);
}

static void test_echo_direct_req_64_and_req2(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	const struct ffaemu_uuid u = {{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}};

	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8001);
	c.uuids[0] = u;
	c.uuid_count = 1;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x1122334455667788ull, 2, 3, 4,
		 5);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], 0x1122334455667788ull);
	assert_int_equal(r.x[7], 5);
	for (int i = 8; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* REQ2, nil UUID = any: x4-x17 echoed, RESP2 x2/x3 zero (C7.3) */
	r = HOST_REQ2(f, 0x8001, 0, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[1], 0x80010000u);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0);
	for (int i = 4; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], (uint64_t)i);
	/* routed by UUID */
	r = HOST_REQ2(f, 0x8001, ffaemu_uuid_dword(&u, 0), ffaemu_uuid_dword(&u, 1), 42);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[4], 42);
	r = HOST_REQ2(f, 0x8001, 1, 0, 42);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(ffaemu_spmc_sp_entries(f->spmc, 0x8001), 3);
}

static void test_req2_needs_v1_2_on_both_sides(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8001);
	c.ffa_version = FFAEMU_FFA_1_1;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8002);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(HOST_REQ2(f, 0x8001, 0, 0, 1), FFAEMU_FFA_NOT_SUPPORTED);
	assert_int_equal(HOST_REQ2(f, 0x8002, 0, 0, 1).x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	{
		struct fx *g = fx_new_named("hafnium-1.2");
		if (!g)
			return;
		fx_add_builtin(g, FFAEMU_SP_ECHO, 0x8002);
		fx_version(g, FFAEMU_FFA_1_1);
		assert_ffa_error(HOST_REQ2(g, 0x8002, 0, 0, 1), FFAEMU_FFA_NOT_SUPPORTED);
		fx_delete(&g);
	}
}

static void test_direct_req_errors_change_nothing(void **state)
{
	static const struct {
		uint32_t fid;
		uint32_t w1, w2;
		int32_t err;
	} rows[] = {
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x00008009u, 0, FFAEMU_FFA_INVALID_PARAMETERS}, /* unknown */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x00000005u, 0, FFAEMU_FFA_INVALID_PARAMETERS}, /* NWd dst */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80028001u, 0, FFAEMU_FFA_INVALID_PARAMETERS}, /* bit 15 src */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x00008001u, 1, FFAEMU_FFA_INVALID_PARAMETERS}, /* w2 != 0 */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x00008001u, 0x10, FFAEMU_FFA_INVALID_PARAMETERS},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x00008003u, 0, FFAEMU_FFA_DENIED}, /* cannot receive */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x00008001u, 0, FFAEMU_FFA_DENIED}, /* no REQ2 recv */
	};
	struct fx *f = *state;
	struct ffaemu_sp_config c;

	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8001);
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_AARCH64;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8003);
	c.props = FFAEMU_SP_PROP_INDIRECT_MSG | FFAEMU_SP_PROP_AARCH64;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_regs r = CALL(f, rows[i].fid, rows[i].w1, rows[i].w2, 1, 2);
		assert_ffa_error(r, rows[i].err);
	}
	assert_int_equal(ffaemu_spmc_sp_entries(f->spmc, 0x8001), 0);
	assert_int_equal(ffaemu_spmc_sp_entries(f->spmc, 0x8003), 0);
	/* the hypervisor at NP may send for one of its VMs */
	assert_int_equal(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x00058001u).x[1], 0x80010005u);
}

static void test_sp_to_sp_request_and_sender_rules(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	add_rpc(f, 0x8001, FFAEMU_SP_PROP_DIRECT_REQ_SEND);
	add_rpc(f, 0x8002, 0);
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8003);
	fx_version(f, FFAEMU_FFA_1_2);
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80018003u, 0, 0x55, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[1], 0x80038001u);
	assert_int_equal(r.x[3], 0x55);
	/* a partition cannot send as another (C7.1) */
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80028003u, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	/* nor to itself, nor to the NWd */
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80018001u, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80010000u, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	/* without "send direct request" (D1 bit 1): DENIED */
	r = rpc(f, 0x8002, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80028003u, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_DENIED);
	/* framework messages only come from the hypervisor */
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80018003u, 0x80000004u, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
}

static void test_call_cycle_is_busy(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	add_rpc(f, 0x8001, FFAEMU_SP_PROP_DIRECT_REQ2_SEND);
	add_rpc(f, 0x8002, FFAEMU_SP_PROP_DIRECT_REQ_SEND);
	fx_version(f, FFAEMU_FFA_1_2);
	/* host -> 8001 -> (REQ2) 8002 -> (REQ) 8001: 8001 is running: BUSY */
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x80018002u, 0, 0,
		FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80028001u);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[4], FFAEMU_FFA_ERROR);
	assert_int_equal(r.x[6], (uint32_t)FFAEMU_FFA_BUSY);
	/* and both are idle again */
	assert_int_equal(rpc(f, 0x8002, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0).x[2], 0x8002);
}

/* ---- faulty partition, RUN / YIELD / INTERRUPT (C6) -------------------- */

static void add_faulty(struct fx *f, ffaemu_id_t id, enum ffaemu_sp_faulty_mode m, int32_t err)
{
	struct ffaemu_sp_config c;
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_FAULTY, id);
	c.faulty_mode = m;
	c.faulty_error = err;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
}

static void test_faulty_errors_reach_the_requester(void **state)
{
	static const int32_t codes[] = {FFAEMU_FFA_BUSY, FFAEMU_FFA_RETRY, FFAEMU_FFA_INTERRUPTED,
					FFAEMU_FFA_ABORTED};
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		add_faulty(f, (ffaemu_id_t)(0x8001 + i), FFAEMU_SP_FAULTY_ERROR, codes[i]);
	fx_version(f, FFAEMU_FFA_1_2);
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		uint32_t w1 = 0x8001u + (uint32_t)i;
		assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, w1), codes[i]);
		/* the partition is waiting again, so the same answer comes back */
		assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, w1), codes[i]);
	}
}

static void test_wrong_response_width_is_aborted(void **state)
{
	struct fx *f = *state;
	add_faulty(f, 0x8001, FFAEMU_SP_FAULTY_WRONG_WIDTH, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 1), FFAEMU_FFA_ABORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1),
			 FFAEMU_FFA_ABORTED);
	assert_int_equal(ffaemu_spmc_sp_entries(f->spmc, 0x8001), 2);
}

static void test_faulty_yield_forever(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	add_faulty(f, 0x8001, FFAEMU_SP_FAULTY_YIELD, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 1);
	assert_int_equal(r.x[0], FFAEMU_FFA_YIELD);
	assert_int_equal(r.x[1], 0x80010000u);
	for (int i = 0; i < 3; i++) {
		r = CALL(f, FFAEMU_FFA_RUN, 0x80010000u);
		assert_int_equal(r.x[0], FFAEMU_FFA_YIELD);
		assert_int_equal(r.x[1], 0x80010000u);
	}
	/* pre-empted with a request: a new one is BUSY (C7.1) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001), FFAEMU_FFA_BUSY);
	assert_int_equal(ffaemu_spmc_sp_entries(f->spmc, 0x8001), 4);
}

static void test_faulty_interrupted_forever(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	add_faulty(f, 0x8001, FFAEMU_SP_FAULTY_INTERRUPT, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001);
	assert_int_equal(r.x[0], FFAEMU_FFA_INTERRUPT);
	assert_int_equal(r.x[1], 0x80010000u);
	assert_int_equal(r.x[2], 0);
	r = CALL(f, FFAEMU_FFA_RUN, r.x[1]);
	assert_int_equal(r.x[0], FFAEMU_FFA_INTERRUPT);
}

static void test_yield_then_resume_delivers_the_response(void **state)
{
	struct fx *f = *state;
	struct script s = {{FFAEMU_FFA_YIELD, FFAEMU_FFA_MSG_SEND_DIRECT_RESP}, {0}, 2, 0, 0, 0};
	struct ffaemu_regs r;
	add_script(f, 0x8001, &s);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 0xabc);
	assert_int_equal(r.x[0], FFAEMU_FFA_YIELD);
	assert_int_equal(r.x[2], 0x10); /* timeout passed through */
	r = CALL(f, FFAEMU_FFA_RUN, r.x[1]);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[1], 0x80010000u);
	assert_int_equal(r.x[3], 0xabc);
	/* idle now: RUN gets MSG_WAIT */
	r = CALL(f, FFAEMU_FFA_RUN, 0x80010000u);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_WAIT);
}

static void test_run_rules(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001);
	add_rpc(f, 0x8002, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_RUN, 0x80010000u);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_WAIT);
	for (int i = 1; i < 8; i++)
		assert_int_equal(r.x[i], 0);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RUN, 0x80090000u), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RUN, 0x80010001u), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RUN, 0x80010000u, 1), FFAEMU_FFA_INVALID_PARAMETERS);
	/* v1.2 callers: x8-x17 MBZ (C1.4) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RUN, 0x80010000u, 0, 0, 0, 0, 0, 0, 0, 0, 1),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	/* SPs do not schedule (C1.3) */
	r = rpc(f, 0x8002, FFAEMU_FFA_RUN, 0x80010000u, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_NOT_SUPPORTED);
}

static void test_msg_wait_exit_releases_rx_unless_retained(void **state)
{
	struct fx *f = *state;
	add_rpc(f, 0x8001, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	/* the partition fills its own RX */
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_true(fx_ep(f, 0x8001).rx_full);
	rpc_retain = 1;
	assert_int_equal(CALL(f, FFAEMU_FFA_RUN, 0x80010000u).x[0], FFAEMU_FFA_MSG_WAIT);
	assert_true(fx_ep(f, 0x8001).rx_full);
	rpc_retain = 0;
	assert_int_equal(CALL(f, FFAEMU_FFA_RUN, 0x80010000u).x[0], FFAEMU_FFA_MSG_WAIT);
	assert_false(fx_ep(f, 0x8001).rx_full);
}

static void test_cpu_cycle_abis_from_the_wrong_side(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	add_rpc(f, 0x8001, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	/* NWd: MSG_WAIT, YIELD, DIRECT_RESP are not its ABIs (C1.3) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_WAIT), FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_YIELD), FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_RESP, 0x8001), FFAEMU_FFA_NOT_SUPPORTED);
	/* a partition inside a request: MSG_WAIT DENIED, bad MBZ INVALID (C6) */
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_WAIT, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_DENIED);
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_WAIT, 1, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_WAIT, 0, 2, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = rpc(f, 0x8001, FFAEMU_FFA_YIELD, 0, 0, 0, 1, 0);
	assert_ffa_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = rpc(f, 0x8001, FFAEMU_FFA_INTERRUPT, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_DENIED);
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND_DIRECT_RESP, 0x80010000u, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_DENIED);
}

static void test_partition_protocol_violations_are_aborted(void **state)
{
	struct fx *f = *state;
	struct script s = {{FFAEMU_FFA_MSG_WAIT, 0x84000099u, FFAEMU_FFA_ERROR, FFAEMU_FFA_ERROR},
			   {0, 0, 5, FFAEMU_FFA_DENIED}, 4, 0, 0, 0};
	add_script(f, 0x8001, &s);
	fx_version(f, FFAEMU_FFA_1_2);
	/* MSG_WAIT with a request pending; an unknown FID; a bogus error code */
	for (int i = 0; i < 3; i++)
		assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001), FFAEMU_FFA_ABORTED);
	/* a real error code passes through */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001), FFAEMU_FFA_DENIED);
}

/* ---- framework messages (C7.2) ----------------------------------------- */

static void test_vm_created_framework_message(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001); /* subscribes to both */
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8002);
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_VM_CREATED |
		  FFAEMU_SP_PROP_AARCH64;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0x80000004u, 0xffffffffu, 0xffffffffu, 5);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[2], 0x80000005u);
	assert_int_equal(r.x[3], 0); /* status */
	/* not subscribed to "destroyed" */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0x80000006u, 0, 0, 5),
			 FFAEMU_FFA_DENIED);
	/* other types and reserved bits */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0x80000008u),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0x80000104u),
			 FFAEMU_FFA_INVALID_PARAMETERS);
}

/* ---- console (C9) ------------------------------------------------------ */

static void test_console_partition_logs_payload(void **state)
{
	struct fx *f = *state;
	char buf[64];
	struct ffaemu_regs r;
	fx_add_builtin(f, FFAEMU_SP_CONSOLE, 0x8001);
	fx_version(f, FFAEMU_FFA_1_2);
	/* "hello, world" packed LE over w3.. */
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 0x6c6c6568u, 0x77202c6fu,
		 0x646c726fu);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(ffaemu_spmc_console(f->spmc, 0x8001, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "hello, world");
	assert_int_equal(ffaemu_spmc_console(f->spmc, 0x8001, buf, 6), 12);
	assert_string_equal(buf, "hello");
	assert_int_equal(ffaemu_spmc_console(f->spmc, 0x9999, buf, sizeof(buf)), 0);
}

static void test_console_log_counts_and_widths(void **state)
{
	struct fx *f = *state;
	char buf[256];
	add_rpc(f, 0x8001, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_CONSOLE_LOG, 0, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_CONSOLE_LOG, 25, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_CONSOLE_LOG, 3, 0x636261, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	/* 64-bit: 8 chars per register */
	assert_int_equal(
		rpc(f, 0x8001, FFAEMU_FFA_CONSOLE_LOG_64, 9, 0x6867666564636261ull, 0x69, 0, 0).x[0],
		FFAEMU_FFA_SUCCESS);
	/* v1.2: up to 128 in x2-x17 (only x2-x7 reachable through rpc, the rest zero) */
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_CONSOLE_LOG_64, 128, 0x41, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_CONSOLE_LOG_64, 129, 0x41, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(ffaemu_spmc_console(f->spmc, 0x8001, buf, sizeof(buf)), 3 + 9 + 128);
	assert_memory_equal(buf, "abcabcdefghiA", 13);
	/* only partitions (C9) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_CONSOLE_LOG, 1, 0x41), FFAEMU_FFA_NOT_SUPPORTED);
}

/* ---- MSG_SEND2 (C7.4, D10) --------------------------------------------- */

static void write_msg(void *tx, uint32_t version, ffaemu_id_t snd, ffaemu_id_t rcv,
		      const char *payload)
{
	struct ffaemu_msg_hdr h;
	size_t hs = ffaemu_msg_hdr_size(version);
	memset(&h, 0, sizeof(h));
	h.offset = (uint32_t)hs;
	h.sender = snd;
	h.receiver = rcv;
	h.size = (uint32_t)strlen(payload);
	assert_int_equal(ffaemu_msg_hdr_encode(&h, version, tx, 4096), (int)hs);
	memcpy((uint8_t *)tx + hs, payload, h.size);
}

static void test_msg_send2_sp_to_host(void **state)
{
	struct fx *f = *state;
	struct ffaemu_msg_hdr h;
	struct ffaemu_regs r;
	struct ffaemu_spmc_notif_info ni;
	const uint8_t *rx;
	void *sptx;

	add_rpc(f, 0x8001, FFAEMU_SP_PROP_INDIRECT_MSG);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1));
	sptx = fx_ptr(f, fx_ep(f, 0x8001).tx_pa, 4096);
	write_msg(sptx, FFAEMU_FFA_1_2, 0x8001, 0, "hello");
	r = rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	rx = fx_ptr(f, HOST_RX, 4096);
	assert_int_equal(ffaemu_msg_hdr_decode(rx, 4096, FFAEMU_FFA_1_2, &h), 0);
	assert_int_equal(h.sender, 0x8001);
	assert_int_equal(h.receiver, 0);
	assert_int_equal(h.size, 5);
	assert_int_equal(h.offset, 40);
	assert_memory_equal(rx + h.offset, "hello", 5);
	assert_true(fx_ep(f, 0).rx_full);
	/* "RX buffer full" framework notification (C7.4) */
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 0, &ni), 0);
	assert_int_equal(ni.pending_spm, 1);
	/* the receiver's RX is full: BUSY */
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 0, 0, 0, 0, 0), FFAEMU_FFA_BUSY);
	r = CALL(f, FFAEMU_FFA_NOTIFICATION_GET, 0, 4);
	assert_ffa_success(r);
	assert_int_equal(r.x[6], 1);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_RELEASE));
	/* header errors: sender is not the caller, unknown receiver, flags */
	write_msg(sptx, FFAEMU_FFA_1_2, 0x8002, 0, "x");
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 0, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	write_msg(sptx, FFAEMU_FFA_1_2, 0x8001, 0x8077, "x");
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 0, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	write_msg(sptx, FFAEMU_FFA_1_2, 0x8001, 0, "x");
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 0, 1, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 1, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_false(fx_ep(f, 0).rx_full);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_MSG_SEND2, 0, 2, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS); /* bit1 delay SRI is v1.2 */
}

static void test_msg_send2_host_v1_1_to_sp_is_rewritten_for_receiver(void **state)
{
	struct fx *f = *state;
	struct ffaemu_msg_hdr h;
	const uint8_t *rx;
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001); /* indirect messaging on */
	add_rpc(f, 0x8002, 0);                      /* indirect messaging off */
	fx_version(f, FFAEMU_FFA_1_1);
	assert_ffa_success(fx_map_host(f));
	write_msg(fx_ptr(f, HOST_TX, 4096), FFAEMU_FFA_1_1, 0, 0x8001, "ping");
	assert_ffa_success(CALL(f, FFAEMU_FFA_MSG_SEND2));
	assert_true(fx_ep(f, 0x8001).rx_full);
	rx = fx_ptr(f, fx_ep(f, 0x8001).rx_pa, 4096);
	assert_int_equal(ffaemu_msg_hdr_decode(rx, 4096, FFAEMU_FFA_1_2, &h), 0);
	assert_int_equal(h.offset, 40);
	assert_memory_equal(rx + 40, "ping", 4);
	/* v1.1 sender: w2 flags MBZ entirely */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND2, 0, 2), FFAEMU_FFA_INVALID_PARAMETERS);
	/* a receiver without indirect messaging */
	write_msg(fx_ptr(f, HOST_TX, 4096), FFAEMU_FFA_1_1, 0, 0x8002, "ping");
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND2), FFAEMU_FFA_DENIED);
	assert_false(fx_ep(f, 0x8002).rx_full);
}

/* ---- notifications (C8) ------------------------------------------------ */

static void test_bitmap_create_destroy_rules(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_notif_info ni;
	add_rpc(f, 0x8001, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 5, 2));
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 5, &ni), 0);
	assert_true(ni.bitmap);
	assert_int_equal(ni.vcpu_count, 2);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 5, 2), FFAEMU_FFA_DENIED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 6, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0x8006, 1),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0x10006, 1),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	/* NS physical only (C1.3) */
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 7, 1, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	/* no bitmap to destroy: DENIED, as Hafnium and the TF-A tests expect
	 * (test_ffa_notifications_destroy_not_created); not a VM ID: invalid */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 6), FFAEMU_FFA_DENIED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 0x8001),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 5));
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 5, &ni), 0);
	assert_false(ni.bitmap);
}

/*
 * Binding IDs that are already bound (spec C8; C1 BIND "DENIED (already
 * bound elsewhere)"): to another sender, or with the other scope, always
 * DENIED. To the same sender again the digest names no error, so the
 * generic profiles accept it (nothing changes); Hafnium denies any ID that
 * is bound at all (profile quirk `rebind`). A denied bind binds none of its
 * IDs, not even the free ones.
 */
static void test_rebinding_bound_ids_follows_the_profile(void **state)
{
	static const struct {
		const char *profile;
		int32_t same; /* same sender, same scope: 0 = SUCCESS */
	} rows[] = {
		{"hafnium-1.2", FFAEMU_FFA_DENIED},
		{"spmc-1.1", 0},
		{"spmc-1.2", 0},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_spmc_profile p;
		struct ffaemu_spmc_notif_info ni;
		struct ffaemu_regs r;
		struct fx f;

		assert_int_equal(ffaemu_spmc_profile_by_name(rows[i].profile, &p), 0);
		assert_int_equal(fx_open(&f, &p), 0);
		fx_add_builtin(&f, FFAEMU_SP_NOTIFIER, 0x8002);
		fx_add_builtin(&f, FFAEMU_SP_NOTIFIER, 0x8003);
		fx_version(&f, FFAEMU_FFA_1_2);
		assert_ffa_success(CALL(&f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1));
		assert_ffa_success(CALL(&f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 5));
		/* another sender: DENIED everywhere, nothing changes */
		assert_ffa_error(CALL(&f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80030000u, 0, 4),
				 FFAEMU_FFA_DENIED);
		assert_ffa_error(CALL(&f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80030000u, 0, 0x14),
				 FFAEMU_FFA_DENIED);
		/* the same sender, IDs 2 (bound) and 1 (free) */
		r = CALL(&f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 6);
		assert_int_equal(ffaemu_spmc_notif_info(f.spmc, 0, &ni), 0);
		if (rows[i].same) {
			assert_ffa_error(r, rows[i].same);
			assert_int_equal(ni.bound, 5);
			assert_int_equal(ni.binder[1], 0);
		} else {
			assert_ffa_success(r);
			assert_int_equal(ni.bound, 7);
			assert_int_equal(ni.binder[1], 0x8002);
		}
		assert_int_equal(ni.binder[0], 0x8002);
		assert_int_equal(ni.binder[2], 0x8002);
		assert_int_equal(ni.binder[4], 0);
		/* the binding still works: the notifier sets ID 2 for the host */
		r = CALL(&f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0, 0, 4, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
		assert_int_equal(r.x[3], 0);
		/* and the other sender still may not */
		r = CALL(&f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8003, 0, 0, 4, 0);
		assert_int_equal(r.x[3], (uint32_t)FFAEMU_FFA_DENIED);
		fx_close(&f);
	}
}

static void test_notifications_sp_to_host_flow(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	struct ffaemu_spmc_notif_info ni;

	fx_add_builtin(f, FFAEMU_SP_NOTIFIER, 0x8002);
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8003);
	fx_version(f, FFAEMU_FFA_1_2);
	/* no bitmap for the host yet */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 5),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1));
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* empty bitmap */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 1, 5),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* per-vCPU not in this profile */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80090000u, 0, 5),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* unknown sender */
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 5));
	/* the same IDs for another sender: DENIED (C8) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80030000u, 0, 4),
			 FFAEMU_FFA_DENIED);
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 0, &ni), 0);
	assert_int_equal(ni.bound, 5);
	assert_int_equal(ni.binder[2], 0x8002);
	/* nothing pending */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET_64), FFAEMU_FFA_NO_DATA);
	/* the notifier sets 0x4 for the host */
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0, 0, 4, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[3], 0);
	/* an unbound ID: DENIED comes back as the notifier's status */
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0, 0, 8, 0);
	assert_int_equal(r.x[3], (uint32_t)FFAEMU_FFA_DENIED);
	/* INFO_GET lists the host once: 1 list, global (C8) */
	r = CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1u << 7);
	assert_int_equal(r.x[3], 0);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET), FFAEMU_FFA_NO_DATA);
	/* unbind while pending: DENIED */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80020000u, 0, 4),
			 FFAEMU_FFA_DENIED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 0), FFAEMU_FFA_DENIED);
	/* GET returns and clears the SP bitmap */
	r = CALL(f, FFAEMU_FFA_NOTIFICATION_GET, 0, 1);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 4);
	assert_int_equal(r.x[3], 0);
	r = CALL(f, FFAEMU_FFA_NOTIFICATION_GET, 0, 1);
	assert_int_equal(r.x[2], 0);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80020000u, 1, 4),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* w2 MBZ */
	/* not bound to that sender, or not bound at all: DENIED (C8; TF-A
	 * test_ffa_notifications_already_bound) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80030000u, 0, 4),
			 FFAEMU_FFA_DENIED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80020000u, 0, 0x10),
			 FFAEMU_FFA_DENIED);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80020000u, 0, 4));
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 0, &ni), 0);
	assert_int_equal(ni.bound, 1);
	/* a bitmap with bound IDs cannot be destroyed (C1 BITMAP_DESTROY) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 0), FFAEMU_FFA_DENIED);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80020000u, 0, 1));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 0));
}

/*
 * A receiver keeps separate bitmaps for notifications from partitions and
 * from VMs (C8): the same ID may be bound once to a partition and once to
 * a VM, each sender sets and unbinds only its own (TF-A tests
 * test_ffa_notifications_sp_bind_unbind bind g_notifications to SP2 and
 * then to VM 1, both SUCCESS).
 */
static void test_bindings_are_kept_per_sender_world(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_notif_info ni;
	struct ffaemu_regs r;

	add_rpc(f, 0x8001, FFAEMU_SP_PROP_NOTIFICATIONS);
	fx_add_builtin(f, FFAEMU_SP_NOTIFIER, 0x8002);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_BIND, 0x80028001u, 0, 3, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_BIND, 0x00008001u, 0, 1, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 0x8001, &ni), 0);
	assert_int_equal(ni.bound, 3);
	assert_int_equal(ni.binder[0], 0x8002);
	assert_int_equal(ni.bound_vm, 1);
	assert_int_equal(ni.binder_vm[0], 0);
	/* each sender sets into its own bitmap */
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, 0, 1));
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, 0, 2),
			 FFAEMU_FFA_DENIED);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0, 0x8001, 3, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 0x8001, &ni), 0);
	assert_int_equal(ni.pending_vm, 1);
	assert_int_equal(ni.pending_sp, 3);
	/* the VM's unbind leaves the partition's binding of the same ID */
	r = rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_GET, 0x8001, 3, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_UNBIND, 0x00008001u, 0, 1, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_notif_info(f->spmc, 0x8001, &ni), 0);
	assert_int_equal(ni.bound, 3);
	assert_int_equal(ni.bound_vm, 0);
}

static void test_notifications_host_to_sp_flow(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	add_rpc(f, 0x8001, FFAEMU_SP_PROP_NOTIFICATIONS);
	add_rpc(f, 0x8002, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	/* the receiver binds, from its own conduit */
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_BIND, 0x00008001u, 0, 0, 1, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	/* a partition cannot bind for another, nor without notifications */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_NOTIFICATION_BIND, 0x00008001u, 0, 1, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_NOTIFICATION_BIND, 0x00008002u, 0, 1, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	/* host sets: flags [15:2] MBZ, vCPU only with per-vCPU */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, 4, 0, 1),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, 1u << 16, 0, 1),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, 0, 0, 1));
	r = CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET_64);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS_64);
	assert_int_equal(r.x[2], 1u << 7);
	assert_int_equal(r.x[3], 0x8001);
	/* the partition gets it in its VM bitmap (w4/w5) */
	r = rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_GET, 0x8001, 2, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 1);
	/* GET for someone else */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_NOTIFICATION_GET, 0x8001, 2, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	/* INFO_GET is the NWd scheduler's */
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_INFO_GET, 0, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
}

static void test_per_vcpu_notifications_are_listed_with_vcpus(void **state)
{
	struct fx *f = *state; /* spmc-1.2: per-vCPU on */
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	ffaemu_sp_config_default(&c);
	c.id = 0x8001;
	c.handler = rpc_handler;
	c.exec_ctx_count = 4;
	c.props = FFAEMU_SP_PROP_DIRECT_REQ2_RECV | FFAEMU_SP_PROP_DIRECT_REQ_RECV |
		  FFAEMU_SP_PROP_NOTIFICATIONS | FFAEMU_SP_PROP_AARCH64;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_BIND, 0x00008001u, 1, 6, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	/* per-vCPU IDs need the per-vCPU flag, and a vCPU in range */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, 0, 2),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, (4u << 16) | 1, 2),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, (2u << 16) | 1, 2));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, (3u << 16) | 1, 4));
	r = CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET);
	assert_ffa_success(r);
	/* one list of the partition with 2 vCPU IDs: count 1, size field 2 */
	assert_int_equal(r.x[2], (1u << 7) | (2u << 12));
	assert_int_equal(r.x[3], 0x00028001u);
	assert_int_equal(r.x[4], 0x0003u);
}

/*
 * An endpoint whose pending per-vCPU lists do not fit one reply (10 IDs in
 * the 32-bit form) is listed over several calls, "more pending" (bit 0)
 * set until the last; every pending vCPU is listed once, then NO_DATA
 * (C8). It used to answer NO_DATA with notifications pending.
 */
static void test_info_get_splits_an_endpoint_over_calls(void **state)
{
	struct fx *f = *state; /* spmc-1.2: per-vCPU on */
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	uint32_t seen = 0;
	int calls = 0;
	bool more = true;

	ffaemu_sp_config_default(&c);
	c.id = 0x8001;
	c.handler = rpc_handler;
	c.exec_ctx_count = 16;
	c.props = FFAEMU_SP_PROP_DIRECT_REQ2_RECV | FFAEMU_SP_PROP_DIRECT_REQ_RECV |
		  FFAEMU_SP_PROP_NOTIFICATIONS | FFAEMU_SP_PROP_AARCH64;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_NOTIFICATION_BIND, 0x00008001u, 1, 1, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	for (uint32_t v = 0; v < 16; v++)
		assert_ffa_success(
			CALL(f, FFAEMU_FFA_NOTIFICATION_SET, 0x00008001u, (v << 16) | 1, 1));
	while (more) {
		uint16_t ids[10];
		unsigned n = 0, k = 0, lists;

		r = CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET);
		assert_ffa_success(r);
		assert_true(++calls <= 8);
		more = (r.x[2] & 1u) != 0;
		lists = (uint32_t)(r.x[2] >> 7) & 0x1fu;
		assert_true(lists >= 1);
		for (unsigned i = 0; i < 10; i++)
			ids[i] = (uint16_t)(r.x[3 + i / 2] >> (16 * (i % 2)));
		for (unsigned l = 0; l < lists; l++) {
			unsigned nv = (unsigned)(r.x[2] >> (12 + 2 * l)) & 3u;
			assert_true(nv >= 1);
			assert_true(k + 1 + nv <= 10);
			assert_int_equal(ids[k], 0x8001);
			for (unsigned j = 1; j <= nv; j++) {
				assert_true(ids[k + j] < 16);
				assert_false(seen & (1u << ids[k + j]));
				seen |= 1u << ids[k + j];
			}
			k += 1 + nv;
			n++;
		}
		/* every register past the last ID is zero */
		for (unsigned i = k; i < 10; i++)
			assert_int_equal(ids[i], 0);
	}
	assert_int_equal(seen, 0xffffu);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_INFO_GET), FFAEMU_FFA_NO_DATA);
}

/* ---- the ACS reference partitions (tgt_tfa_fvp v12) --------------------- */

static void test_acs_fvp_preset_partitions(void **state)
{
	static const struct {
		ffaemu_id_t id;
		uint16_t ctx;
		uint32_t nwd_props;
		const char *uuid;
	} want[] = {
		{0x8001, 8, 0x305, "b4b5671e-4a90-4fe1-b81f-fb13dae1dacb"},
		{0x8002, 8, 0x305, NULL},
		{0x8003, 1, 0x301, NULL},
		{0x8004, 1, 0x301, NULL},
	};
	struct fx *f = *state;
	struct ffaemu_regs r;
	const uint8_t *rx;
	char text[FFAEMU_UUID_STR_LEN];

	assert_int_equal(ffaemu_sp_props_from_messaging_method(0x607), 0x607);
	assert_int_equal(ffaemu_sp_props_from_messaging_method(0x603), 0x603);
	assert_int_equal(ffaemu_sp_props_from_messaging_method(0x100), 0);
	assert_int_equal(ffaemu_spmc_add_preset(f->spmc, "acs-fvp"), 0);
	assert_int_equal(ffaemu_spmc_add_preset(f->spmc, "acs-fvp"), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_spmc_add_preset(f->spmc, "nope"), FFAEMU_ENOENT);
	assert_int_equal(ffaemu_spmc_sp_count(f->spmc), 4);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	r = CALL(f, FFAEMU_FFA_PARTITION_INFO_GET);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 4);
	rx = fx_ptr(f, HOST_RX, 4096);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct ffaemu_partinfo pi;
		assert_int_equal(ffaemu_partinfo_decode(rx + 24 * i, 24, 24, &pi), 0);
		assert_int_equal(pi.id, want[i].id);
		assert_int_equal(pi.exec_ctx_count, want[i].ctx);
		assert_int_equal(pi.props, want[i].nwd_props);
		if (want[i].uuid) {
			ffaemu_uuid_format(&pi.uuid, text);
			assert_string_equal(text, want[i].uuid);
			/* manifest word 0 is the low word of w1 / descriptor bytes 8..11 */
			assert_int_equal(rx[8], 0xb4);
		}
	}
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_RELEASE));
	/* REQ2 routed by the manifest UUID in x2/x3 (B3) */
	r = HOST_REQ2(f, 0x8001, 0xe14f904a1e67b5b4ull, 0xcbdae1da13fb1fb8ull, 7);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(r.x[4], 7);
	/* SP3 (0x603: no indirect messaging) receives REQ2, nil UUID = any */
	assert_int_equal(HOST_REQ2(f, 0x8003, 0, 0, 1).x[0],
			 FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
}

static void test_partition_view_of_partition_info_keeps_send_bits(void **state)
{
	struct fx *f = *state;
	struct ffaemu_partinfo pi;
	assert_int_equal(ffaemu_spmc_add_preset(f->spmc, "acs-fvp"), 0);
	add_rpc(f, 0x8010, 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_int_equal(rpc(f, 0x8010, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0).x[2], 5);
	assert_int_equal(ffaemu_partinfo_decode(fx_ptr(f, fx_ep(f, 0x8010).rx_pa, 24), 24, 24, &pi),
			 0);
	assert_int_equal(pi.id, 0x8001);
	assert_int_equal(pi.props, 0x707);
	/* a partition's own RX is now full: a second call is BUSY */
	assert_ffa_error(rpc(f, 0x8010, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0),
			 FFAEMU_FFA_BUSY);
	assert_int_equal(rpc(f, 0x8010, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
}

static void test_add_sp_validation(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	ffaemu_sp_config_default(&c);
	c.id = 0x0001;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), FFAEMU_EINVAL);
	c.id = 0x8000;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), FFAEMU_EINVAL);
	c.id = 0x8001;
	c.exec_ctx_count = 0;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), FFAEMU_EINVAL);
	c.exec_ctx_count = 1;
	c.ffa_version = FFAEMU_FFA_VERSION_WORD(1, 4);
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), FFAEMU_EINVAL);
	c.ffa_version = FFAEMU_FFA_1_2;
	c.tx_pa = NS_BASE; /* mailbox in NS memory */
	c.rx_pa = NS_BASE + 0x1000;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), FFAEMU_ERANGE);
	c.tx_pa = c.rx_pa = 0;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_spmc_sp_count(f->spmc), 1);
}


/* ---- partitions' own setup ABIs (C1.3, C5.3, C6, E4) -------------------- */

static void test_sp_maps_its_own_mailbox_in_secure_memory(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	ffaemu_sp_config_default(&c);
	c.id = 0x8001;
	c.handler = rpc_handler;
	c.props |= FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	c.map_mailbox = false;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8002); /* takes the first secure pages */
	fx_version(f, FFAEMU_FFA_1_2);
	assert_false(fx_ep(f, 0x8001).mapped);
	/* NS memory is not a partition's (C5.3) */
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_RXTX_MAP_64, NS_BASE + 0x8000, NS_BASE + 0x9000, 1,
			     0, 0),
			 FFAEMU_FFA_DENIED);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_RXTX_MAP_64, 0xf0100000ull, 0xf0101000ull, 1, 0,
			     0)
				 .x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_true(fx_ep(f, 0x8001).mapped);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_RXTX_MAP_64, 0xf0102000ull, 0xf0103000ull, 1, 0,
			     0),
			 FFAEMU_FFA_DENIED);
	/* an SP unmaps its own pair; an ID is the hypervisor's business */
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_RXTX_UNMAP, 0x80020000u, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_false(fx_ep(f, 0x8001).mapped);
	/* ID_GET from a partition is its own ID; SPM_ID_GET the SPMC's */
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0).x[2], 0x8001);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_SPM_ID_GET, 0, 0, 0, 0, 0).x[2], 0x8000);
}

static void test_secondary_ep_register_needs_an_mp_partition(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	add_rpc(f, 0x8001, 0); /* one execution context */
	ffaemu_sp_config_default(&c);
	c.id = 0x8002;
	c.handler = rpc_handler;
	c.props |= FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	c.exec_ctx_count = 4;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_SECONDARY_EP_REGISTER_64, 0x1000, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	r = rpc(f, 0x8002, FFAEMU_FFA_SECONDARY_EP_REGISTER_64, 0x1000, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS_64);
	/* the NWd has no such ABI (C1.3) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_SECONDARY_EP_REGISTER_64, 0x1000),
			 FFAEMU_FFA_NOT_SUPPORTED);
}

static void test_mem_perm_only_for_sel0_partitions(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	add_rpc(f, 0x8001, 0); /* S-EL1 */
	ffaemu_sp_config_default(&c);
	c.id = 0x8002;
	c.handler = rpc_handler;
	c.props |= FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	c.el = 0;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_MEM_PERM_GET, 0x1000, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_GET, 0x1001, 0, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* not page aligned */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_GET, 0x1000, 1, 0, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* w2 MBZ before v1.3 */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_SET, 0x1000, 1, 1, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* RWX */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_SET, 0x1000, 0, 5, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* no pages */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_SET, 0x1000, 1, 8, 0, 0),
			 FFAEMU_FFA_INVALID_PARAMETERS); /* [31:3] MBZ */
	/* valid, but after initialisation (E4: Hafnium DENIED) */
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_SET, 0x1000, 1, 5, 0, 0),
			 FFAEMU_FFA_DENIED);
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_MEM_PERM_GET_64, 0x1000, 0, 0, 0, 0),
			 FFAEMU_FFA_DENIED);
}

/* A partition that logs 128 characters spread over x2-x17 (C9). */
static void long_log_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	struct ffaemu_regs c;
	uint32_t count = (uint32_t)r->x[3];
	uint32_t fid = (uint32_t)r->x[4];
	ffaemu_id_t src = ffaemu_regs_id_hi(r, 1);
	(void)user;
	ffaemu_regs_clear(&c);
	c.x[0] = fid;
	c.x[1] = count;
	for (int i = 2; i < FFAEMU_NREGS; i++)
		c.x[i] = 0x4141414141414141ull + (uint64_t)(i - 2) * 0x0101010101010101ull;
	ffaemu_sp_call(env, &c);
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
	ffaemu_regs_set_ids(r, 1, ffaemu_sp_env_id(env), src);
	r->x[3] = c.x[0];
	r->x[4] = c.x[2];
}

static void test_console_log_64_uses_x2_to_x17_at_v1_2_only(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	char buf[512];
	ffaemu_sp_config_default(&c);
	c.id = 0x8001;
	c.handler = long_log_handler;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	c.id = 0x8002;
	c.ffa_version = FFAEMU_FFA_1_1;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 128, FFAEMU_FFA_CONSOLE_LOG_64);
	assert_int_equal(r.x[3], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_console(f->spmc, 0x8001, buf, sizeof(buf)), 128);
	assert_int_equal(buf[0], 'A');
	assert_int_equal(buf[127], 'P'); /* the last byte of x17 */
	/* 32-bit: 24 characters from w2-w7, only the low halves */
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 24, FFAEMU_FFA_CONSOLE_LOG);
	assert_int_equal(r.x[3], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_console(f->spmc, 0x8001, buf, sizeof(buf)), 152);
	assert_memory_equal(buf + 128, "AAAABBBBCCCCDDDDEEEEFFFF", 24);
	/* CONSOLE_LOG is a v1.2 ABI: a v1.1 partition does not have it (C1) */
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8002, 0, 8, FFAEMU_FFA_CONSOLE_LOG_64);
	assert_int_equal(r.x[3], FFAEMU_FFA_ERROR);
	assert_int_equal(r.x[4], (uint32_t)FFAEMU_FFA_NOT_SUPPORTED);
}

static void test_msg_send2_forwarded_by_the_hypervisor_for_a_vm(void **state)
{
	struct fx *f = *state;
	struct ffaemu_ep_rxtx_desc d = {5, NS_BASE + 0x11000, NS_BASE + 0x10000, 1, 1};
	struct ffaemu_msg_hdr h;
	const uint8_t *rx;
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_true(ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_2, fx_ptr(f, HOST_TX, 4096), 4096) > 0);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0));
	/* the VM's message sits in the VM's TX */
	write_msg(fx_ptr(f, NS_BASE + 0x10000, 4096), FFAEMU_FFA_1_2, 5, 0x8001, "vm!");
	/* w1[31:16] = the VM (C7.4); the sender field must match it */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND2, 6u << 16), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(f, FFAEMU_FFA_MSG_SEND2, 5u << 16));
	rx = fx_ptr(f, fx_ep(f, 0x8001).rx_pa, 4096);
	assert_int_equal(ffaemu_msg_hdr_decode(rx, 4096, FFAEMU_FFA_1_2, &h), 0);
	assert_int_equal(h.sender, 5);
	assert_memory_equal(rx + h.offset, "vm!", 3);
	/* a partition cannot speak for a VM */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND2, 0x8001u << 16), FFAEMU_FFA_INVALID_PARAMETERS);
}



static void test_aarch32_partition_and_configured_mailbox(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8001);
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV; /* AArch32 */
	c.tx_pa = 0xf0200000ull;
	c.rx_pa = 0xf0201000ull;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	assert_int_equal(fx_ep(f, 0x8001).tx_pa, 0xf0200000ull);
	assert_int_equal(fx_ep(f, 0x8001).rx_pa, 0xf0201000ull);
	fx_version(f, FFAEMU_FFA_1_2);
	/* no SMC64 messages for an AArch32 partition (A8) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001), FFAEMU_FFA_DENIED);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 3);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(r.x[3], 3);
	/* v1.1+ callers see it is not AArch64 (D1 bit 8) */
	assert_ffa_success(fx_map_host(f));
	assert_ffa_success(CALL(f, FFAEMU_FFA_PARTITION_INFO_GET));
	{
		struct ffaemu_partinfo pi;
		assert_int_equal(ffaemu_partinfo_decode(fx_ptr(f, HOST_RX, 24), 24, 24, &pi), 0);
		assert_int_equal(pi.props, FFAEMU_SP_PROP_DIRECT_REQ_RECV);
	}
}



static void test_features_seen_by_a_partition(void **state)
{
	struct fx *f = *state;
	struct ffaemu_sp_config c;
	struct ffaemu_regs r;
	add_rpc(f, 0x8001, 0); /* S-EL1 */
	ffaemu_sp_config_default(&c);
	c.id = 0x8002;
	c.handler = rpc_handler;
	c.props |= FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	c.el = 0;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	/* NPI and MEI are for S-EL1 partitions, SRI for the NWd (C5.1) */
	r = rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_NPI, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 5);
	r = rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_MEI, 0, 0, 0, 0);
	assert_int_equal(r.x[2], 4);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_SRI, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(rpc(f, 0x8002, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_NPI, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	/* partition-only ABIs */
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_CONSOLE_LOG_64, 0, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MSG_WAIT, 0, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_PERM_GET, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_int_equal(rpc(f, 0x8002, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_PERM_GET, 0, 0, 0, 0).x[0],
			 FFAEMU_FFA_SUCCESS);
	/* NWd-only ones */
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_RUN, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_RX_ACQUIRE, 0, 0, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	/* no hypervisor retrieve for a partition (C5.1 bit 2) */
	r = rpc(f, 0x8001, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, 2, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 2);
}

/* ---- every refused call leaves every observable state as it was --------- */

struct snap {
	struct ffaemu_spmc_ep_info ep[4];
	struct ffaemu_spmc_notif_info ni[4];
	uint64_t entries[4];
	size_t console;
};

static const ffaemu_id_t snap_ids[4] = {0, 0x8001, 0x8002, 0x8003};

static void take_snap(struct fx *f, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ffaemu_spmc_ep_info(f->spmc, snap_ids[i], &s->ep[i]), 0);
		assert_int_equal(ffaemu_spmc_notif_info(f->spmc, snap_ids[i], &s->ni[i]), 0);
		s->entries[i] = ffaemu_spmc_sp_entries(f->spmc, snap_ids[i]);
	}
	s->console = ffaemu_spmc_console(f->spmc, 0x8003, NULL, 0);
}

static void test_refused_calls_change_no_state(void **state)
{
	static const struct {
		uint64_t x[6];
		int32_t err;
	} rows[] = {
		{{FFAEMU_FFA_RXTX_MAP_64, HOST_TX + 0x4000, HOST_RX + 0x4000, 1}, FFAEMU_FFA_DENIED},
		{{FFAEMU_FFA_RXTX_UNMAP, 1}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_RX_RELEASE, 0x10000}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_RX_ACQUIRE, 9}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_PARTITION_INFO_GET, 1, 2, 3, 4}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 2}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 5}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x80018002u}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x8001, 7, 7}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_RUN, 0x80010000u, 1}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_RUN, 0x80010009u}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_MSG_SEND2, 0, 1}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1}, FFAEMU_FFA_DENIED},
		{{FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 0x8001}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_NOTIFICATION_BIND, 0x80010000u, 0, 1}, FFAEMU_FFA_DENIED},
		{{FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 2, 1}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80020000u, 0, 1}, FFAEMU_FFA_DENIED}, /* pending */
		{{FFAEMU_FFA_NOTIFICATION_UNBIND, 0x80010000u, 0, 1}, FFAEMU_FFA_DENIED}, /* other sender */
		{{FFAEMU_FFA_NOTIFICATION_SET, 0x00008002u, 0, 1}, FFAEMU_FFA_DENIED},
		{{FFAEMU_FFA_NOTIFICATION_GET, 0x00010000u, 1}, FFAEMU_FFA_INVALID_PARAMETERS},
		{{FFAEMU_FFA_CONSOLE_LOG, 1, 0x41}, FFAEMU_FFA_NOT_SUPPORTED},
		{{FFAEMU_FFA_MSG_WAIT}, FFAEMU_FFA_NOT_SUPPORTED},
		{{FFAEMU_FFA_FEATURES, FFAEMU_FFA_RXTX_MAP_64, 1}, FFAEMU_FFA_NOT_SUPPORTED},
	};
	struct fx *f = *state;
	struct snap before, after;

	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001);
	fx_add_builtin(f, FFAEMU_SP_NOTIFIER, 0x8002);
	fx_add_builtin(f, FFAEMU_SP_CONSOLE, 0x8003);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 1));
	/* some live state: a full RX, a pending notification */
	assert_int_equal(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0, 0, 1).x[3], 0);
	assert_ffa_success(CALL(f, FFAEMU_FFA_PARTITION_INFO_GET));
	take_snap(f, &before);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_regs r = fx_callv(f, rows[i].x, 6);
		assert_ffa_error(r, rows[i].err);
		take_snap(f, &after);
		if (memcmp(&before, &after, sizeof(before)) != 0)
			fail_msg("row %zu (fid %#llx) changed state", i, (unsigned long long)rows[i].x[0]);
	}
}

/* ---- robustness from the partition side --------------------------------- */

static void test_random_calls_from_a_partition_never_break_the_spmc(void **state)
{
	struct fx *f = *state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	static const uint64_t vals[] = {0, 1, 4, 0x1000, 0xffffffffull, 0xffffffffffffffffull,
					0xf0000000ull, 0xf0001000ull, NS_BASE, 0x80018002u,
					0x80028001u, 0x00008001u, 0x80000004u, 0x8001, 128};
	size_t nabi = ffaemu_abi_count();
	char why[128];

	add_rpc(f, 0x8001, FFAEMU_SP_PROP_DIRECT_REQ_SEND | FFAEMU_SP_PROP_DIRECT_REQ2_SEND |
				   FFAEMU_SP_PROP_INDIRECT_MSG | FFAEMU_SP_PROP_NOTIFICATIONS);
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8002);
	fx_add_builtin(f, FFAEMU_SP_MEMORY, 0x8003);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	for (int it = 0; it < 5000; it++) {
		const struct ffaemu_abi *abi;
		uint64_t a[6];
		struct ffaemu_regs r;
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		abi = ffaemu_abi_at(seed % nabi);
		a[0] = abi->fid32 && (!abi->fid64 || (seed & 0x100)) ? abi->fid32 : abi->fid64;
		for (int i = 1; i < 6; i++)
			a[i] = vals[(seed >> (8 * i)) % ARRAY_SIZE(vals)];
		r = HOST_REQ2(f, 0x8001, 0, 0, a[0], a[1], a[2], a[3], a[4], a[5]);
		/* the partition always answers; its call's result is an FF-A frame
		 * (FFA_VERSION answers a bare version) */
		assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
		if (a[0] != FFAEMU_FFA_VERSION)
			assert_true(ffaemu_fid_is_ffa((uint32_t)r.x[4]));
	}
	assert_int_equal(ffaemu_mem_check(f->mem, why, sizeof(why)), 0);
	assert_int_equal(rpc(f, 0x8001, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0).x[2], 0x8001);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_hafnium, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_echo_direct_req_32_returns_payload_as_w_values),
		T(test_echo_direct_req_64_and_req2),
		T(test_req2_needs_v1_2_on_both_sides),
		T(test_direct_req_errors_change_nothing),
		T(test_sp_to_sp_request_and_sender_rules),
		T(test_call_cycle_is_busy),
		T(test_faulty_errors_reach_the_requester),
		T(test_wrong_response_width_is_aborted),
		T(test_faulty_yield_forever),
		T(test_faulty_interrupted_forever),
		T(test_yield_then_resume_delivers_the_response),
		T(test_run_rules),
		T(test_msg_wait_exit_releases_rx_unless_retained),
		T(test_cpu_cycle_abis_from_the_wrong_side),
		T(test_partition_protocol_violations_are_aborted),
		T(test_vm_created_framework_message),
		T(test_console_partition_logs_payload),
		T(test_console_log_counts_and_widths),
		T(test_msg_send2_sp_to_host),
		T(test_msg_send2_host_v1_1_to_sp_is_rewritten_for_receiver),
		T(test_bitmap_create_destroy_rules),
		T(test_notifications_sp_to_host_flow),
		cmocka_unit_test(test_rebinding_bound_ids_follows_the_profile),
		T(test_notifications_host_to_sp_flow),
		T(test_bindings_are_kept_per_sender_world),
		cmocka_unit_test_setup_teardown(test_per_vcpu_notifications_are_listed_with_vcpus,
						setup_pcpu, fx_teardown),
		cmocka_unit_test_setup_teardown(test_info_get_splits_an_endpoint_over_calls,
						setup_pcpu, fx_teardown),
		T(test_acs_fvp_preset_partitions),
		T(test_partition_view_of_partition_info_keeps_send_bits),
		T(test_add_sp_validation),
		T(test_sp_maps_its_own_mailbox_in_secure_memory),
		T(test_secondary_ep_register_needs_an_mp_partition),
		T(test_mem_perm_only_for_sel0_partitions),
		T(test_console_log_64_uses_x2_to_x17_at_v1_2_only),
		T(test_msg_send2_forwarded_by_the_hypervisor_for_a_vm),
		T(test_aarch32_partition_and_configured_mailbox),
		T(test_features_seen_by_a_partition),
		T(test_refused_calls_change_no_state),
		T(test_random_calls_from_a_partition_never_break_the_spmc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
