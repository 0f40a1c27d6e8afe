/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pKVM proxy against the real fake SPMC (lib/spmc): the boot-order
 * scenario, the Linux-driver replay through every profile and SPMC
 * version, end-to-end share/lend/fragment/reclaim with page-state checks,
 * and the malicious-SPMC cases the SPMC's fault injection can express.
 * (Cases it cannot express stay on the scripted stand-in: test_proxy.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define DRIVER_REPLAY_NO_MAIN
#include "../examples/driver_replay.c"
#define BOOT_ORDER_NO_MAIN
#include "../examples/boot_order.c"

#define SP1 0x8001u

/* ------------------------------------------------------------- harness */

struct rs {
	struct rp_stack s;
	struct rp_driver d; /* only for rp_smc */
};

static struct rs *rs_new_ex(const char *proxy, const char *spmc, uint32_t page_size,
			    uint32_t max_constituents)
{
	struct rs *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(rp_stack_new(&t->s, proxy, spmc, page_size, FFAEMU_SPMC_VQ_NOT_SUPPORTED),
			 0);
	if (max_constituents) {
		/* rebuild the proxy with a bigger descriptor buffer */
		struct ffaemu_proxy_profile p = *ffaemu_proxy_get_profile(t->s.proxy);
		struct ffaemu_proxy_config pc;

		ffaemu_proxy_free(&t->s.proxy);
		p.max_constituents = max_constituents;
		ffaemu_proxy_config_default(&pc);
		pc.downstream = ffaemu_el3_node(t->s.el3);
		pc.mem = t->s.mem;
		pc.profile = &p;
		assert_int_equal(ffaemu_proxy_new(&pc, &t->s.proxy), 0);
		assert_int_equal(ffaemu_proxy_init(t->s.proxy), 0);
		ffaemu_edge_set_callee(t->s.host, ffaemu_proxy_node(t->s.proxy));
	}
	t->d.edge = t->s.host;
	t->d.mem = t->s.mem;
	t->d.page_size = page_size;
	return t;
}

static struct rs *rs_new(const char *proxy, const char *spmc)
{
	return rs_new_ex(proxy, spmc, 4096, 0);
}

static void rs_free(struct rs *t)
{
	rp_stack_free(&t->s);
	free(t);
}

static struct ffaemu_regs call(struct rs *t, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
			       uint64_t x4, uint64_t x5)
{
	return rp_smc(&t->d, x0, x1, x2, x3, x4, x5);
}

static struct ffaemu_proxy_status pst(struct rs *t)
{
	struct ffaemu_proxy_status st;
	ffaemu_proxy_get_status(t->s.proxy, &st);
	return st;
}

/* VERSION(v) + RXTX_MAP through the proxy. */
static void rs_up(struct rs *t, uint32_t v)
{
	struct ffaemu_regs r = call(t, FFAEMU_FFA_VERSION, v, 0, 0, 0, 0);
	uint32_t pages = t->d.page_size / 4096;

	assert_true((int32_t)(uint32_t)r.x[0] > 0);
	t->d.version = (uint32_t)r.x[0];
	r = call(t, FFAEMU_FFA_RXTX_MAP_64, RP_TX, RP_RX, pages, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
}

#define assert_proxy_error(r, e)                                                   \
	do {                                                                       \
		assert_int_equal((uint32_t)(r).x[0], FFAEMU_FFA_ERROR);            \
		assert_true((r).x[2] == (uint64_t)(int64_t)(e));                   \
	} while (0)

#define assert_ffa_error(r, e)                                                     \
	do {                                                                       \
		assert_int_equal((uint32_t)(r).x[0], FFAEMU_FFA_ERROR);            \
		assert_int_equal((int32_t)(uint32_t)(r).x[2], (e));                \
	} while (0)

static struct ffaemu_page_info page(struct rs *t, ffaemu_pa_t pa)
{
	struct ffaemu_page_info pi;
	assert_int_equal(ffaemu_mem_page_info(t->s.mem, pa, &pi), 0);
	return pi;
}

static void assert_map_ok(struct rs *t)
{
	char why[160];
	if (ffaemu_mem_check(t->s.mem, why, sizeof(why)) != 0)
		fail_msg("page map: %s", why);
}

static void wr(uint8_t *b, uint32_t off, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

/* A v1.1/1.2 share descriptor for SP1: n one-page ranges, two pages apart. */
static uint32_t desc_attr(uint8_t *b, uint32_t ver, uint32_t n, uint32_t pg, uint16_t attr)
{
	uint32_t esz = ver >= FFAEMU_FFA_1_2 ? 32 : 16, comp = 48 + esz;
	uint32_t len = comp + 16 + 16 * n;

	memset(b, 0, len);
	wr(b, 2, 2, attr);
	wr(b, 24, 4, esz);
	wr(b, 28, 4, 1);
	wr(b, 32, 4, 48);
	wr(b, 48, 2, SP1);
	wr(b, 50, 1, 2);
	wr(b, 52, 4, comp);
	wr(b, comp, 4, n * pg);
	wr(b, comp + 4, 4, n);
	for (uint32_t i = 0; i < n; i++) {
		wr(b, comp + 16 + 16 * i, 8, RP_SHARE + 0x2000ull * i * pg);
		wr(b, comp + 24 + 16 * i, 4, pg);
	}
	return len;
}

/* Attributes as the Linux driver sets them: normal WB inner-shareable for SHARE. */
static uint32_t desc(uint8_t *b, uint32_t ver, uint32_t n, uint32_t pg)
{
	return desc_attr(b, ver, n, pg, 0x2f);
}

static uint8_t g_desc[16384];

/* Share (or lend) n ranges in one fragment; returns the handle. */
static uint64_t share(struct rs *t, uint32_t fid, uint32_t n)
{
	bool lend = fid == FFAEMU_FFA_MEM_LEND || fid == FFAEMU_FFA_MEM_LEND_64;
	/* LEND: attributes 0, as the driver sends them (pkvm-proxy 4.3) */
	uint32_t len = desc_attr(g_desc, t->d.version, n, 1, lend ? 0 : 0x2f);
	struct ffaemu_regs r;

	assert_int_equal(ffaemu_mem_write(t->s.mem, RP_TX, g_desc, len), 0);
	r = call(t, fid, len, len, 0, 0, 0);
	if ((uint32_t)r.x[0] != FFAEMU_FFA_SUCCESS)
		fail_msg("share 0x%08x: x0=0x%llx x2=%d", fid, (unsigned long long)r.x[0],
			 (int32_t)(uint32_t)r.x[2]);
	return ffaemu_regs_handle(&r, 2);
}

static struct ffaemu_regs reclaim(struct rs *t, uint64_t h)
{
	return call(t, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0, 0);
}

static void inject(struct rs *t, enum ffaemu_spmc_fault_kind kind, uint32_t fid, int32_t err,
		   uint64_t value)
{
	struct ffaemu_spmc_fault f;

	ffaemu_spmc_fault_default(&f);
	f.kind = kind;
	f.fid = fid;
	f.error = err;
	f.value = value;
	assert_int_equal(ffaemu_spmc_inject_fault(t->s.spmc, &f), 0);
}

/* ============================================================ boot order */

static void test_boot_order_race_fails_at_gate(void **state)
{
	struct bo_result r;

	(void)state;
	assert_int_equal(bo_run(false, &r), 0);
	assert_true(r.early_went_to_el3);
	assert_int_equal(r.early_version, FFAEMU_FFA_1_2); /* from the SPMC directly */
	assert_int_equal(r.proxy_init, 0);
	assert_proxy_error(r.direct, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_false(r.negotiated);
}

static void test_boot_order_deferred_driver_passes(void **state)
{
	struct bo_result r;

	(void)state;
	assert_int_equal(bo_run(true, &r), 0);
	assert_int_equal(r.early_version, FFAEMU_FFA_1_2);
	assert_true(r.negotiated);
	assert_int_equal((uint32_t)r.direct.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.direct.x[3], 0x5eed); /* the echo */
}

/* ========================================================= driver replay */

enum { F_OK = 0, F_VERSION = 1 };

static const struct {
	const char *proxy, *spmc;
	enum ffaemu_spmc_version_quirk q;
	enum ffaemu_proxy_state state;
	int failed;       /* F_VERSION: driver init stops at FFA_VERSION */
	uint32_t version;
	bool parts_ok, direct_ok, share_ok, reclaim_ok;
	/* the share that needs FRAG_TX (4.3), then its reclaim: FF-A error, 0 = ok, -100 = not run */
	int32_t frag_share, frag_reclaim;
} replay_rows[] = {
#define NS FFAEMU_SPMC_VQ_NOT_SUPPORTED
#define OWN FFAEMU_SPMC_VQ_OWN_VERSION
#define U FFAEMU_PROXY_UNINIT
#define A FFAEMU_PROXY_ACTIVE
#define I FFAEMU_PROXY_INERT
#define X FFAEMU_PROXY_FAILED
#define V10 FFAEMU_FFA_1_0
#define V11 FFAEMU_FFA_1_1
#define V12 FFAEMU_FFA_1_2
	/* no hypervisor: the driver and the SPMC alone */
	{"none", "spmc-1.2", NS, U, F_OK, V12, 1, 1, 1, 1, 0, 0},
	{"none", "spmc-1.1", NS, U, F_VERSION, 0, 0, 0, 0, 0, 0, 0},
	{"none", "spmc-1.0", OWN, U, F_OK, V10, 1, 1, 1, 1, 0, 0},
	/* 6.4: exact-1.0 init fails on newer SPMCs: no pKVM, the driver talks to EL3 */
	{"pkvm-6.4", "spmc-1.2", NS, X, F_OK, V10, 1, 1, 1, 1, 0, 0},
	/* 6.4 active: PARTITION_INFO_GET lands in the hyp's RX, the driver reads zeros */
	{"pkvm-6.4", "spmc-1.0", NS, A, F_OK, V10, 0, 0, 0, 0, 0, 0},
	/* 6.10: host FFA_VERSION not trapped; the SPMC's version is already fixed at 1.0 */
	{"pkvm-6.10", "spmc-1.2", NS, A, F_VERSION, 0, 0, 0, 0, 0, 0, 0},
	{"pkvm-6.10", "spmc-1.0", OWN, A, F_VERSION, 0, 0, 0, 0, 0, 0, 0},
	/* 6.11: FF-A 1.1, pre-(s32) init on a 1.0 SPMC that says -1 in w0: pKVM fails.
	 * Before f26a525b77e0 a long fragmented share goes through and can then never
	 * be reclaimed (NO_MEMORY at reclaim): its pages stay shared (pkvm-proxy s2) */
	{"pkvm-6.11", "spmc-1.2", NS, A, F_OK, V11, 1, 1, 1, 1, 0, FFAEMU_FFA_NO_MEMORY},
	{"pkvm-6.11", "spmc-1.0", NS, X, F_VERSION, 0, 0, 0, 0, 0, 0, 0},
	/* from 6.18 the same share is refused up front (len > descriptor buffer) */
	{"pkvm-6.18", "spmc-1.2", NS, A, F_OK, V12, 1, 1, 1, 1, FFAEMU_FFA_NO_MEMORY, -100},
	{"pkvm-6.18", "spmc-1.1", NS, X, F_VERSION, 0, 0, 0, 0, 0, 0, 0},
	{"pkvm-6.18", "spmc-1.1", OWN, A, F_OK, V11, 1, 1, 1, 1, FFAEMU_FFA_NO_MEMORY, -100},
	/* 2026: the (s32) fix keeps pKVM up (inert) where the SPMC refuses 1.2 */
	{"pkvm-2026", "spmc-1.2", NS, A, F_OK, V12, 1, 1, 1, 1, FFAEMU_FFA_NO_MEMORY, -100},
	{"pkvm-2026", "spmc-1.1", NS, I, F_VERSION, 0, 0, 0, 0, 0, 0, 0},
	{"pkvm-2026", "spmc-1.1", OWN, A, F_OK, V11, 1, 1, 1, 1, FFAEMU_FFA_NO_MEMORY, -100},
	/* a 1.0 SPMC has no hypervisor retrieve request: reclaim fails, pages stay shared */
	{"pkvm-2026", "spmc-1.0", OWN, A, F_OK, V10, 1, 1, 1, 0, FFAEMU_FFA_NO_MEMORY, -100},
	{"pkvm-2026-direct-msg", "spmc-1.2", NS, A, F_OK, V12, 1, 1, 1, 1, FFAEMU_FFA_NO_MEMORY,
	 -100},
#undef NS
#undef OWN
#undef U
#undef A
#undef I
#undef X
#undef V10
#undef V11
#undef V12
};

static void test_driver_replay_profiles_x_spmc_versions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(replay_rows) / sizeof(replay_rows[0]); i++) {
		struct rp_result r;

		assert_int_equal(rp_replay(replay_rows[i].proxy, replay_rows[i].spmc, 4096,
					   replay_rows[i].q, &r), 0);
		print_message("  %s / %s\n", replay_rows[i].proxy, replay_rows[i].spmc);
		assert_int_equal(r.proxy_state, replay_rows[i].state);
		if (replay_rows[i].failed == F_VERSION) {
			assert_non_null(r.failed);
			assert_string_equal(r.failed, "FFA_VERSION");
			assert_true(r.map_ok);
			continue;
		}
		assert_null(r.failed);
		assert_int_equal(r.version, replay_rows[i].version);
		assert_int_equal(r.nparts, 2);
		assert_int_equal(r.parts_ok, replay_rows[i].parts_ok);
		assert_int_equal(r.direct_ok, replay_rows[i].direct_ok);
		assert_int_equal(r.share_ok, replay_rows[i].share_ok);
		assert_int_equal(r.reclaim_ok, replay_rows[i].reclaim_ok);
		/* the page map is consistent and clean whenever the reclaim worked */
		assert_int_equal(r.map_ok, replay_rows[i].reclaim_ok || !r.share_ok);
		if (!r.share_ok)
			continue;
		assert_int_equal(r.frag_share_err, replay_rows[i].frag_share);
		assert_int_equal(r.frag_reclaim_err, replay_rows[i].frag_reclaim);
		assert_int_equal(r.frag_map_ok, r.map_ok && (r.frag_share_err || !r.frag_reclaim_err));
	}
}

/* The driver under a 64K-page kernel against a 4K SPMC: one 64K page per buffer. */
static void test_driver_replay_64k_kernel(void **state)
{
	struct rp_result r;

	(void)state;
	assert_int_equal(rp_replay("pkvm-2026", "spmc-1.2", 65536, FFAEMU_SPMC_VQ_NOT_SUPPORTED, &r),
			 0);
	assert_null(r.failed);
	assert_true(r.parts_ok && r.direct_ok && r.share_ok && r.reclaim_ok && r.map_ok);
}

/* ===================================================== gate and version */

static void test_real_gate_before_version(void **state)
{
	struct rs *t = rs_new("pkvm-2026", "spmc-1.2");
	struct ffaemu_regs r;

	(void)state;
	r = call(t, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, SP1, 0, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = call(t, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(ffaemu_spmc_sp_entries(t->s.spmc, SP1), 0);
	rs_up(t, FFAEMU_FFA_1_2);
	r = call(t, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, SP1, 0, 1, 2, 3);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], 1);
	assert_int_equal(r.x[4], 2);
	assert_int_equal(r.x[5], 3);
	assert_int_equal(ffaemu_spmc_sp_entries(t->s.spmc, SP1), 1);
	rs_free(t);
}

static void test_real_version_downgrade_reaches_spmc(void **state)
{
	struct rs *t = rs_new("pkvm-2026", "spmc-1.2");
	struct ffaemu_spmc_ep_info ep;
	struct ffaemu_regs r;

	(void)state;
	r = call(t, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_1);
	assert_int_equal(ffaemu_spmc_ep_info(t->s.spmc, 0, &ep), 0);
	assert_int_equal(ep.version, FFAEMU_FFA_1_1); /* the SPMC shapes data for 1.1 */
	(void)call(t, FFAEMU_FFA_RXTX_MAP_64, RP_TX, RP_RX, 1, 0, 0);
	r = call(t, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[3], 24);
	/* locked now: no way back */
	r = call(t, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_0, 0, 0, 0, 0);
	assert_true(r.x[0] == UINT64_MAX);
	rs_free(t);
}

static void test_real_spmc_version_fault_init(void **state)
{
	static const struct {
		const char *proxy;
		enum ffaemu_proxy_state state;
	} rows[] = {{"pkvm-2026", FFAEMU_PROXY_INERT}, {"pkvm-6.18", FFAEMU_PROXY_FAILED}};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct rs *t = rs_new(rows[i].proxy, "spmc-1.2");
		struct ffaemu_proxy_config pc;
		struct ffaemu_proxy_profile p = *ffaemu_proxy_get_profile(t->s.proxy);

		/* a fresh proxy whose init meets an SPMC answering -1 in w0 */
		ffaemu_proxy_free(&t->s.proxy);
		inject(t, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, 0xffffffffull);
		ffaemu_proxy_config_default(&pc);
		pc.downstream = ffaemu_el3_node(t->s.el3);
		pc.mem = t->s.mem;
		pc.profile = &p;
		assert_int_equal(ffaemu_proxy_new(&pc, &t->s.proxy), 0);
		(void)ffaemu_proxy_init(t->s.proxy);
		assert_int_equal(pst(t).state, rows[i].state);
		rs_free(t);
	}
}

/* ======================================================== mailbox, info */

static void test_real_rxtx_map_lockstep_and_spmc_error(void **state)
{
	struct rs *t = rs_new("pkvm-2026", "spmc-1.2");
	struct ffaemu_spmc_ep_info ep;
	struct ffaemu_regs r;

	(void)state;
	(void)call(t, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	inject(t, FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_RXTX_MAP_64, FFAEMU_FFA_NO_MEMORY, 0);
	r = call(t, FFAEMU_FFA_RXTX_MAP_64, RP_TX, RP_RX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NO_MEMORY);
	assert_int_equal(page(t, RP_TX).hyp_state, FFAEMU_PAGE_OWNED);
	r = call(t, FFAEMU_FFA_RXTX_MAP_64, RP_TX, RP_RX, 1, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_ep_info(t->s.spmc, 0, &ep), 0);
	assert_true(ep.mapped);
	assert_true(ep.tx_pa == pst(t).hyp_tx && ep.rx_pa == pst(t).hyp_rx);
	assert_int_equal(page(t, RP_TX).pins, 1);
	r = call(t, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_ep_info(t->s.spmc, 0, &ep), 0);
	assert_false(ep.mapped);
	assert_int_equal(page(t, RP_TX).pins, 0);
	assert_map_ok(t);
	rs_free(t);
}

static void test_real_partition_info_copy_and_release(void **state)
{
	struct rs *t = rs_new("pkvm-2026", "spmc-1.2");
	struct ffaemu_regs r;
	uint8_t e[48];

	(void)state;
	rs_up(t, FFAEMU_FFA_1_2);
	r = call(t, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1);
	assert_int_equal(r.x[2], 2);
	r = call(t, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[3], 24);
	assert_int_equal(ffaemu_mem_read(t->s.mem, RP_RX, e, 48), 0);
	assert_int_equal(e[0] | e[1] << 8, 0x8001);
	assert_int_equal(e[24] | e[25] << 8, 0x8002);
	/* no release by the proxy: the SPMC still considers the (hyp) RX full */
	r = call(t, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_BUSY);
	r = call(t, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	r = call(t, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	rs_free(t);
}

/* ========================================================= memory, real */

static void test_real_share_and_lend_page_states(void **state)
{
	static const struct {
		uint32_t fid;
		enum ffaemu_page_state ffa;
	} rows[] = {{FFAEMU_FFA_MEM_SHARE, FFAEMU_PAGE_SHARED},
		    {FFAEMU_FFA_MEM_SHARE_64, FFAEMU_PAGE_SHARED},
		    {FFAEMU_FFA_MEM_LEND_64, FFAEMU_PAGE_LENT}};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rs *t = rs_new("pkvm-2026", "spmc-1.2");
		struct ffaemu_regs r;
		uint64_t h;

		rs_up(t, FFAEMU_FFA_1_2);
		h = share(t, rows[i].fid, 3);
		for (uint32_t p = 0; p < 3; p++) {
			struct ffaemu_page_info pi = page(t, RP_SHARE + 0x2000ull * p);
			assert_int_equal(pi.hyp_state, FFAEMU_PAGE_SHARED); /* hyp's view */
			assert_int_equal(pi.state, rows[i].ffa);             /* SPMC's view */
		}
		assert_int_equal(page(t, RP_SHARE + 0x1000).hyp_state, FFAEMU_PAGE_OWNED);
		/* the same page again: denied by the proxy, the SPMC never asked */
		{
			uint32_t len = desc(g_desc, FFAEMU_FFA_1_2, 1, 1);
			ffaemu_mem_write(t->s.mem, RP_TX, g_desc, len);
			r = call(t, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
			assert_proxy_error(r, FFAEMU_FFA_DENIED);
		}
		r = reclaim(t, h);
		assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
		for (uint32_t p = 0; p < 3; p++) {
			struct ffaemu_page_info pi = page(t, RP_SHARE + 0x2000ull * p);
			assert_int_equal(pi.hyp_state, FFAEMU_PAGE_OWNED);
			assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
		}
		assert_map_ok(t);
		rs_free(t);
	}
}

/* 300 ranges: two fragments on the way in, a fragmented retrieve response on the way out. */
static void test_real_fragmented_share_and_reclaim(void **state)
{
	struct rs *t = rs_new_ex("pkvm-2026", "spmc-1.2", 4096, 512);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;
	uint32_t len = desc(g_desc, FFAEMU_FFA_1_2, 300, 1), first = 4096;
	uint64_t h;

	(void)state;
	rs_up(t, FFAEMU_FFA_1_2);
	assert_int_equal(len, 96 + 4800);
	ffaemu_mem_write(t->s.mem, RP_TX, g_desc, first);
	r = call(t, FFAEMU_FFA_MEM_SHARE_64, len, first, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_MEM_FRAG_RX);
	assert_int_equal(r.x[3], first);
	h = ffaemu_regs_handle(&r, 1);
	ffaemu_mem_write(t->s.mem, RP_TX, g_desc + first, len - first);
	r = call(t, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, len - first, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	ffaemu_mem_get_stats(t->s.mem, &ms);
	assert_int_equal(ms.hyp_shared, 300 + 2); /* + the two mailbox pages */
	r = reclaim(t, h);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	ffaemu_mem_get_stats(t->s.mem, &ms);
	assert_int_equal(ms.hyp_shared, 2);
	assert_int_equal(ms.shared, 0);
	assert_true(pst(t).down_calls > 0);
	assert_int_equal(pst(t).el2_faults, 0);
	assert_map_ok(t);
	rs_free(t);
}

static void test_real_two_reclaims_rx_released(void **state)
{
	struct rs *t = rs_new("pkvm-2026", "spmc-1.2");
	struct ffaemu_spmc_ep_info ep;
	uint64_t a, b;

	(void)state;
	rs_up(t, FFAEMU_FFA_1_2);
	a = share(t, FFAEMU_FFA_MEM_SHARE_64, 1);
	/* a second transaction on other pages */
	{
		uint32_t len = desc_attr(g_desc, FFAEMU_FFA_1_2, 1, 1, 0);
		struct ffaemu_regs r;
		wr(g_desc, 96, 8, RP_SHARE + 0x80000);
		ffaemu_mem_write(t->s.mem, RP_TX, g_desc, len);
		r = call(t, FFAEMU_FFA_MEM_LEND_64, len, len, 0, 0, 0);
		assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
		b = ffaemu_regs_handle(&r, 2);
	}
	/* the second reclaim works only if the first gave the hyp RX back (d66e50beb911) */
	assert_int_equal((uint32_t)reclaim(t, a).x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_ep_info(t->s.spmc, 0, &ep), 0);
	assert_false(ep.rx_full);
	assert_int_equal((uint32_t)reclaim(t, b).x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(page(t, RP_SHARE + 0x80000).hyp_state, FFAEMU_PAGE_OWNED);
	assert_map_ok(t);
	rs_free(t);
}

/* Malicious SPMC through fault injection: every failure keeps the page map sane. */
static void test_real_malicious_spmc_faults(void **state)
{
	static const struct {
		const char *name;
		enum ffaemu_spmc_fault_kind kind;
		uint32_t fid;
		int32_t err;      /* error the host sees */
		bool proxy_made;  /* sign-extended (the proxy's own) or verbatim */
		bool on_share;    /* fault on the share (else on the reclaim) */
		bool fragmented;  /* 300-range transaction */
	} rows[] = {
		{"share refused", FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_MEM_SHARE_64,
		 FFAEMU_FFA_DENIED, false, true, false},
		{"FRAG_RX offset mismatch", FFAEMU_SPMC_FAULT_FRAG_OFFSET, FFAEMU_FFA_MEM_SHARE_64,
		 0, false, true, true},
		{"retrieve: composite offset out of bounds", FFAEMU_SPMC_FAULT_RETRIEVE_OFFSET,
		 FFAEMU_FFA_MEM_RETRIEVE_REQ_64, FFAEMU_FFA_ABORTED, true, false, false},
		{"retrieve: range count too large", FFAEMU_SPMC_FAULT_RETRIEVE_COUNT,
		 FFAEMU_FFA_MEM_RETRIEVE_REQ_64, FFAEMU_FFA_ABORTED, true, false, false},
		{"retrieve: zero-length fragment", FFAEMU_SPMC_FAULT_ZERO_FRAGMENT,
		 FFAEMU_FFA_MEM_FRAG_RX, FFAEMU_FFA_ABORTED, true, false, true},
		{"reclaim refused", FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_MEM_RECLAIM,
		 FFAEMU_FFA_DENIED, false, false, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rs *t = rs_new_ex("pkvm-2026", "spmc-1.2", 4096, 512);
		uint32_t n = rows[i].fragmented ? 300 : 2;
		uint32_t len = desc(g_desc, FFAEMU_FFA_1_2, n, 1);
		uint32_t first = len > 4096 ? 4096 : len;
		struct ffaemu_regs r;
		uint64_t h = 0;

		print_message("  %s\n", rows[i].name);
		rs_up(t, FFAEMU_FFA_1_2);
		if (rows[i].on_share)
			inject(t, rows[i].kind, rows[i].fid, rows[i].err, 16);
		ffaemu_mem_write(t->s.mem, RP_TX, g_desc, first);
		r = call(t, FFAEMU_FFA_MEM_SHARE_64, len, first, 0, 0, 0);
		if (rows[i].on_share) {
			if (rows[i].err)
				assert_ffa_error(r, rows[i].err);
			/* the share was undone in the hyp's view */
			assert_int_equal(page(t, RP_SHARE).hyp_state, FFAEMU_PAGE_OWNED);
			assert_map_ok(t);
			rs_free(t);
			continue;
		}
		if (first < len) {
			h = ffaemu_regs_handle(&r, 1);
			ffaemu_mem_write(t->s.mem, RP_TX, g_desc + first, len - first);
			r = call(t, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, len - first, 0, 0);
		}
		assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
		h = ffaemu_regs_handle(&r, 2);
		inject(t, rows[i].kind, rows[i].fid, rows[i].err, 0);
		r = reclaim(t, h);
		assert_ffa_error(r, rows[i].err);
		if (rows[i].proxy_made)
			assert_true(r.x[2] == (uint64_t)(int64_t)rows[i].err);
		/* nothing given back to the host: its pages stay shared, consistently */
		assert_int_equal(page(t, RP_SHARE).hyp_state, FFAEMU_PAGE_SHARED);
		assert_int_equal(pst(t).el2_faults, 0);
		if (rows[i].kind == FFAEMU_SPMC_FAULT_ZERO_FRAGMENT)
			assert_int_equal(pst(t).frag_rx_bounded, 1);
		assert_map_ok(t);
		/* and the hyp RX is usable again */
		{
			struct ffaemu_spmc_ep_info ep;
			assert_int_equal(ffaemu_spmc_ep_info(t->s.spmc, 0, &ep), 0);
			assert_false(ep.rx_full);
		}
		rs_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_order_race_fails_at_gate),
		cmocka_unit_test(test_boot_order_deferred_driver_passes),
		cmocka_unit_test(test_driver_replay_profiles_x_spmc_versions),
		cmocka_unit_test(test_driver_replay_64k_kernel),
		cmocka_unit_test(test_real_gate_before_version),
		cmocka_unit_test(test_real_version_downgrade_reaches_spmc),
		cmocka_unit_test(test_real_spmc_version_fault_init),
		cmocka_unit_test(test_real_rxtx_map_lockstep_and_spmc_error),
		cmocka_unit_test(test_real_partition_info_copy_and_release),
		cmocka_unit_test(test_real_share_and_lend_page_states),
		cmocka_unit_test(test_real_fragmented_share_and_reclaim),
		cmocka_unit_test(test_real_two_reclaims_rx_released),
		cmocka_unit_test(test_real_malicious_spmc_faults),
	};
	return cmocka_run_group_tests_name("proxy_spmc", tests, NULL, NULL);
}
