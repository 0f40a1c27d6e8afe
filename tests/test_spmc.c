/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake SPMC, setup and discovery: profiles, FFA_VERSION negotiation,
 * FFA_FEATURES, ID_GET / SPM_ID_GET, RX/TX mailboxes, PARTITION_INFO_GET
 * (_REGS), fault injection, reply-register rules. Wired host edge -> EL3
 * -> SPMC (spec C1-C5, D1, D2, D12).
 */
#include "test_spmc_common.h"

#include <ffa/memdesc.h>

#include "failalloc.h"

/* spmc_mem_digest(): the SPMC's memory transactions, which no public call lists. */
#include "spmc/spmc_priv.h"

static int setup_hafnium(void **state)
{
	return fx_setup_named(state, "hafnium-1.2");
}

static int setup_tfa(void **state)
{
	return fx_setup_named(state, "tfa-el3-1.2");
}

static int setup_13(void **state)
{
	return fx_setup_named(state, "spmc-1.3");
}

/* ---- profiles ----------------------------------------------------------- */

static void test_profiles_are_named_and_default_is_hafnium(void **state)
{
	struct ffaemu_spmc_profile p, d;
	(void)state;
	assert_true(ffaemu_spmc_profile_count() >= 5);
	for (size_t i = 0; i < ffaemu_spmc_profile_count(); i++) {
		const char *n = ffaemu_spmc_profile_name_at(i);
		assert_non_null(n);
		assert_int_equal(ffaemu_spmc_profile_by_name(n, &p), 0);
		assert_string_equal(p.name, n);
	}
	assert_null(ffaemu_spmc_profile_name_at(ffaemu_spmc_profile_count()));
	assert_int_equal(ffaemu_spmc_profile_by_name("no-such", &p), FFAEMU_ENOENT);
	ffaemu_spmc_profile_default(&d);
	assert_string_equal(d.name, "hafnium-1.2");
	assert_int_equal(d.ffa_version, FFAEMU_FFA_1_2);
	assert_int_equal(d.spmc_id, 0x8000);
	assert_int_equal(d.rxtx_min_size, 4096);
	assert_int_equal(ffaemu_spmc_profile_by_name("spmc-1.0", &p), 0);
	assert_int_equal(p.ffa_version, FFAEMU_FFA_1_0);
}

static void test_new_rejects_bad_profiles(void **state)
{
	struct ffaemu_spmc_config c;
	struct ffaemu_spmc_profile p;
	struct ffaemu_spmc *s = NULL;
	(void)state;
	ffaemu_spmc_config_default(&c);
	c.profile = &p;
	ffaemu_spmc_profile_default(&p);
	p.ffa_version = FFAEMU_FFA_VERSION_WORD(1, 4);
	assert_int_equal(ffaemu_spmc_new(&c, &s), FFAEMU_EINVAL);
	assert_null(s);
	ffaemu_spmc_profile_default(&p);
	p.rxtx_min_size = 8192;
	assert_int_equal(ffaemu_spmc_new(&c, &s), FFAEMU_EINVAL);
	ffaemu_spmc_profile_default(&p);
	p.spmc_id = 0x0001;
	assert_int_equal(ffaemu_spmc_new(&c, &s), FFAEMU_EINVAL);
	ffaemu_spmc_profile_default(&p);
	p.rebind = FFAEMU_SPMC_REBIND_DENIED + 1;
	assert_int_equal(ffaemu_spmc_new(&c, &s), FFAEMU_EINVAL);
	ffaemu_spmc_profile_default(&p);
	assert_int_equal(ffaemu_spmc_new(&c, &s), 0);
	assert_non_null(ffaemu_spmc_node(s));
	assert_int_equal(ffaemu_spmc_get_profile(s)->ffa_version, FFAEMU_FFA_1_2);
	ffaemu_spmc_free(&s);
	assert_null(s);
	ffaemu_spmc_free(NULL);
}

static void test_allocation_failure_at_any_point_is_clean(void **state)
{
	bool completed = false;
	(void)state;
	for (int n = 0; n < 200 && !completed; n++) {
		struct failalloc fa;
		struct ffaemu_spmc_config c;
		struct ffaemu_spmc *s = NULL;
		int rc;

		failalloc_init(&fa);
		failalloc_fail_nth(&fa, (unsigned long)n + 1);
		ffaemu_spmc_config_default(&c);
		c.alloc = failalloc_allocator(&fa);
		rc = ffaemu_spmc_new(&c, &s);
		if (rc == 0) {
			rc = ffaemu_spmc_add_preset(s, "acs-fvp");
			if (rc)
				assert_int_equal(ffaemu_spmc_sp_count(s), 0);
			else
				completed = true;
			ffaemu_spmc_free(&s);
		} else {
			assert_int_equal(rc, FFAEMU_ENOMEM);
		}
		assert_int_equal(fa.live, 0);
	}
	assert_true(completed);
}


#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif

/* A bump allocator over a static arena: nothing it hands out comes from libc. */
struct arena {
	unsigned char *base;
	size_t used, cap;
};

static void *arena_alloc(void *u, size_t n)
{
	struct arena *a = u;
	size_t *p;
	if (n > a->cap - a->used - 16)
		return NULL;
	p = (size_t *)(void *)(a->base + a->used);
	p[0] = n;
	a->used += 16 + ((n + 15) & ~(size_t)15);
	return p + 2;
}

static void *arena_realloc(void *u, void *ptr, size_t n)
{
	void *q = arena_alloc(u, n);
	if (q && ptr) {
		size_t old = ((size_t *)ptr)[-2];
		memcpy(q, ptr, old < n ? old : n);
	}
	return q;
}

static void arena_free(void *u, void *ptr)
{
	(void)u;
	(void)ptr;
}

/*
 * Every allocation of the SPMC goes through its configured allocator, so
 * that allocation failure can be injected anywhere (house rule, lib/alloc.h):
 * adding a partition (its record, vCPUs, bitmaps and its conduit edge) must
 * not take memory from libc.
 */
static void test_add_sp_allocates_only_through_the_allocator(void **state)
{
#ifdef HAVE_MALLINFO2
	static _Alignas(16) unsigned char mem[8u << 20];
	struct arena ar = {mem, 0, sizeof(mem)};
	struct ffaemu_allocator a = {sizeof(a), arena_alloc, arena_realloc, arena_free, &ar};
	struct ffaemu_spmc_config c;
	struct ffaemu_sp_config sc;
	struct ffaemu_spmc *s = NULL;
	size_t before, after;
	(void)state;

	ffaemu_spmc_config_default(&c);
	c.alloc = &a;
	c.secure_size = 1u << 20;
	assert_int_equal(ffaemu_spmc_new(&c, &s), 0);
	assert_int_equal(ffaemu_sp_config_builtin(&sc, FFAEMU_SP_FAULTY, 0x8001), 0);
	{
		/* Use up libc's cached free chunks so that any libc allocation
		 * from here on grows the in-use count. */
		static void *drain[128 * 16];
		for (size_t i = 0; i < ARRAY_SIZE(drain); i++)
			drain[i] = malloc(16 + 16 * (i / 16));
		before = mallinfo2().uordblks;
		assert_int_equal(ffaemu_spmc_add_sp(s, &sc), 0);
		after = mallinfo2().uordblks;
		for (size_t i = 0; i < ARRAY_SIZE(drain); i++)
			free(drain[i]);
	}
	assert_int_equal(after, before);
	ffaemu_spmc_free(&s);
#else
	(void)state;
	skip();
#endif
}

static void test_secure_pool_is_returned_to_a_shared_memory(void **state)
{
	struct ffaemu_mem *mem = NULL;
	struct ffaemu_spmc_config c;
	struct ffaemu_spmc *a = NULL, *b = NULL;
	struct ffaemu_mem_stats st;
	(void)state;
	assert_int_equal(ffaemu_mem_new(NULL, &mem), 0);
	ffaemu_spmc_config_default(&c);
	c.mem = mem;
	assert_int_equal(ffaemu_spmc_new(&c, &a), 0);
	assert_int_equal(ffaemu_spmc_add_preset(a, "acs-fvp"), 0);
	/* the same pool twice in one memory overlaps */
	assert_int_equal(ffaemu_spmc_new(&c, &b), FFAEMU_EEXIST);
	ffaemu_spmc_free(&a);
	ffaemu_mem_get_stats(mem, &st);
	assert_int_equal(st.regions, 0);
	assert_int_equal(ffaemu_spmc_new(&c, &b), 0);
	assert_ptr_equal(ffaemu_spmc_mem(b), mem);
	ffaemu_spmc_free(&b);
	ffaemu_mem_free(&mem);
}

/* ---- FFA_VERSION (spec C4) --------------------------------------------- */

struct version_row {
	const char *profile;
	uint32_t request;
	uint64_t w0;
};

static void test_version_reply_table(void **state)
{
	static const struct version_row rows[] = {
		{"hafnium-1.2", FFAEMU_FFA_1_0, FFAEMU_FFA_1_2},
		{"hafnium-1.2", FFAEMU_FFA_1_1, FFAEMU_FFA_1_2},
		{"hafnium-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_1_2},
		{"hafnium-1.2", FFAEMU_FFA_1_3, W_NS},
		{"hafnium-1.2", FFAEMU_FFA_VERSION_WORD(2, 0), W_NS},
		{"hafnium-1.2", FFAEMU_FFA_VERSION_WORD(0, 9), W_NS},
		{"hafnium-1.2", 0x80010002u, W_NS},
		{"tfa-el3-1.2", FFAEMU_FFA_1_3, FFAEMU_FFA_1_2},
		{"tfa-el3-1.2", FFAEMU_FFA_VERSION_WORD(2, 0), FFAEMU_FFA_1_2},
		{"tfa-el3-1.2", 0x80010002u, W_NS},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_1_0},
		{"spmc-1.0", FFAEMU_FFA_1_1, W_NS},
		{"spmc-1.1", FFAEMU_FFA_1_0, FFAEMU_FFA_1_1},
		{"spmc-1.1", FFAEMU_FFA_1_2, W_NS},
		{"spmc-1.2", FFAEMU_FFA_1_1, FFAEMU_FFA_1_2},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct fx *f = fx_new_named(rows[i].profile);
		struct ffaemu_regs r;
		if (!f)
			return;
		r = fx_version(f, rows[i].request);
		/* a bare version in w0, x1..x7 zero (C4, G2) */
		assert_int_equal(r.x[0], rows[i].w0);
		for (int k = 1; k < 8; k++)
			assert_int_equal(r.x[k], 0);
		fx_delete(&f);
	}
}

static void test_version_records_last_request_until_negotiated(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_ep_info e;

	e = fx_ep(f, 0);
	assert_false(e.version_called);
	fx_version(f, FFAEMU_FFA_1_2);
	fx_version(f, FFAEMU_FFA_1_1);
	e = fx_ep(f, 0);
	assert_true(e.version_called);
	assert_false(e.negotiated);
	assert_int_equal(e.version, FFAEMU_FFA_1_1);
	/* an incompatible request changes nothing */
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_3).x[0], W_NS);
	assert_int_equal(fx_ep(f, 0).version, FFAEMU_FFA_1_1);
	/* any other ABI ends negotiation (C4) */
	assert_ffa_success(CALL(f, FFAEMU_FFA_ID_GET));
	e = fx_ep(f, 0);
	assert_true(e.negotiated);
	assert_int_equal(e.version, FFAEMU_FFA_1_1);
}

static void test_version_after_negotiation_hafnium_refuses_another(void **state)
{
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_0);
	CALL(f, FFAEMU_FFA_ID_GET);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_1).x[0], W_NS);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_0).x[0], FFAEMU_FFA_1_2);
	assert_int_equal(fx_ep(f, 0).version, FFAEMU_FFA_1_0);
}

static void test_version_after_negotiation_tfa_returns_negotiated(void **state)
{
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_1);
	CALL(f, FFAEMU_FFA_ID_GET);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_2).x[0], FFAEMU_FFA_1_1);
	assert_int_equal(fx_ep(f, 0).version, FFAEMU_FFA_1_1);
}

static void test_version_interrupt_does_not_end_negotiation(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	fx_version(f, FFAEMU_FFA_1_1);
	/* NWd may not call FFA_INTERRUPT (C1.3) and it does not freeze the version (C4) */
	r = CALL(f, FFAEMU_FFA_INTERRUPT);
	assert_ffa_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	assert_false(fx_ep(f, 0).negotiated);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_int_equal(fx_ep(f, 0).version, FFAEMU_FFA_1_2);
}

static void test_calls_before_version_follow_the_quirk(void **state)
{
	static const struct {
		enum ffaemu_spmc_prenego_quirk q;
		int32_t err; /* 0 = accepted */
	} rows[] = {
		{FFAEMU_SPMC_PRE_ACCEPT, 0},
		{FFAEMU_SPMC_PRE_INVALID_PARAMETERS, FFAEMU_FFA_INVALID_PARAMETERS},
		{FFAEMU_SPMC_PRE_NOT_SUPPORTED, FFAEMU_FFA_NOT_SUPPORTED},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_spmc_profile p;
		struct fx f;
		struct ffaemu_regs r;
		ffaemu_spmc_profile_default(&p);
		p.prenego_quirk = rows[i].q;
		assert_int_equal(fx_open(&f, &p), 0);
		r = CALL(&f, FFAEMU_FFA_ID_GET);
		if (rows[i].err) {
			assert_ffa_error(r, rows[i].err);
			assert_false(fx_ep(&f, 0).negotiated);
		} else {
			assert_ffa_success(r);
		}
		fx_version(&f, FFAEMU_FFA_1_2);
		assert_ffa_success(CALL(&f, FFAEMU_FFA_ID_GET));
		fx_close(&f);
	}
}

/* ---- FFA_FEATURES (spec C5.1) ------------------------------------------ */

struct feat_row {
	uint32_t caller_version;
	uint32_t id;
	uint32_t in;
	int32_t err; /* 0 = SUCCESS */
	uint32_t w2;
};

static void run_features(struct fx *f, const struct feat_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ffaemu_regs r;
		/* a fresh NWd endpoint per version: use VM-less host by re-negotiating */
		if (!fx_ep(f, 0).negotiated)
			fx_version(f, rows[i].caller_version);
		assert_int_equal(fx_ep(f, 0).version, rows[i].caller_version);
		r = CALL(f, FFAEMU_FFA_FEATURES, rows[i].id, rows[i].in);
		if (rows[i].err) {
			assert_ffa_error(r, rows[i].err);
		} else {
			assert_ffa_success(r);
			assert_int_equal(r.x[2], rows[i].w2);
			assert_int_equal(r.x[3], 0);
		}
	}
}

static void test_features_table_per_version(void **state)
{
	static const struct feat_row v12[] = {
		{FFAEMU_FFA_1_2, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0 | (1u << 16)},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_RXTX_MAP, 0, 0, 1u << 16},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_RXTX_MAP_64, 1, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, 2, 0, 2u | 4u},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MEM_SHARE_64, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_PARTITION_INFO_GET_REGS, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MSG_WAIT, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_CONSOLE_LOG, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_NOTIFICATION_INFO_GET_64, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_RX_ACQUIRE, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_RUN, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_ERROR, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_SUCCESS_64, 0, 0, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_ERROR_64, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MSG_POLL, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_MEM_OP_PAUSE, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, 0x84000091u, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_ID_GET, 5, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_FEATURE_SRI, 0, 0, 8},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_FEATURE_SRI, 1, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_FEATURE_SRI | 0x100u, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_FEATURE_NPI, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_FEATURE_MEI, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_2, FFAEMU_FFA_FEATURE_NOTIF, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
	};
	static const struct feat_row v11[] = {
		{FFAEMU_FFA_1_1, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0},
		{FFAEMU_FFA_1_1, FFAEMU_FFA_PARTITION_INFO_GET_REGS, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_1, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_1, FFAEMU_FFA_MSG_SEND2, 0, 0, 0},
		{FFAEMU_FFA_1_1, FFAEMU_FFA_SPM_ID_GET, 0, 0, 0},
		{FFAEMU_FFA_1_1, FFAEMU_FFA_FEATURE_SRI, 0, 0, 8},
	};
	static const struct feat_row v10[] = {
		{FFAEMU_FFA_1_0, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0},
		{FFAEMU_FFA_1_0, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, 0, 0, 0},
		{FFAEMU_FFA_1_0, FFAEMU_FFA_SPM_ID_GET, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_0, FFAEMU_FFA_NOTIFICATION_BIND, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
		{FFAEMU_FFA_1_0, FFAEMU_FFA_FEATURE_SRI, 0, FFAEMU_FFA_NOT_SUPPORTED, 0},
	};
	struct fx *f = *state;
	run_features(f, v12, ARRAY_SIZE(v12));
	{
		struct fx *g = fx_new_named("hafnium-1.2");
		if (!g)
			return;
		run_features(g, v11, ARRAY_SIZE(v11));
		fx_delete(&g);
		g = fx_new_named("hafnium-1.2");
		if (!g)
			return;
		run_features(g, v10, ARRAY_SIZE(v10));
		fx_delete(&g);
	}
}

static void test_features_rxtx_size_code_follows_profile(void **state)
{
	static const struct {
		uint32_t min;
		uint32_t code;
	} rows[] = {{4096, 0}, {16384, 2}, {65536, 1}};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_spmc_profile p;
		struct fx f;
		struct ffaemu_regs r;
		ffaemu_spmc_profile_default(&p);
		p.rxtx_min_size = rows[i].min;
		p.rxtx_max_pages = 32;
		assert_int_equal(fx_open(&f, &p), 0);
		fx_version(&f, FFAEMU_FFA_1_2);
		r = CALL(&f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_RXTX_MAP_64);
		assert_ffa_success(r);
		assert_int_equal(r.x[2], rows[i].code | (32u << 16));
		fx_close(&f);
	}
}

static void test_features_follow_profile_abis(void **state)
{
	struct fx *f = *state; /* tfa-el3-1.2: no notifications, no donate */
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_NOTIFICATION_BIND),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_DONATE_64),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_success(CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_SHARE_64));
	/* and the call itself agrees with FEATURES */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80010000u, 0, 1),
			 FFAEMU_FFA_NOT_SUPPORTED);
}


/* Which ABIs exist, per profile and caller version (C1, C5.1): FEATURES
 * and the call itself must agree. */
static void test_abi_set_follows_profile_and_version(void **state)
{
	static const struct {
		const char *profile;
		uint32_t version;
		uint32_t fid;
		bool present;
	} rows[] = {
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_ID_GET, true},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_RXTX_MAP_64, true},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_PARTITION_INFO_GET, true},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, true},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_MEM_DONATE_64, true},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_SPM_ID_GET, false},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_MSG_SEND2, false},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_NOTIFICATION_BIND, false},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_RX_ACQUIRE, false},
		{"spmc-1.0", FFAEMU_FFA_1_0, FFAEMU_FFA_PARTITION_INFO_GET_REGS, false},
		{"spmc-1.1", FFAEMU_FFA_1_1, FFAEMU_FFA_SPM_ID_GET, true},
		{"spmc-1.1", FFAEMU_FFA_1_1, FFAEMU_FFA_MSG_SEND2, true},
		{"spmc-1.1", FFAEMU_FFA_1_1, FFAEMU_FFA_NOTIFICATION_INFO_GET_64, true},
		{"spmc-1.1", FFAEMU_FFA_1_1, FFAEMU_FFA_RX_ACQUIRE, true},
		{"spmc-1.1", FFAEMU_FFA_1_1, FFAEMU_FFA_PARTITION_INFO_GET_REGS, false},
		{"spmc-1.1", FFAEMU_FFA_1_1, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, false},
		{"spmc-1.1", FFAEMU_FFA_1_0, FFAEMU_FFA_SPM_ID_GET, false},
		{"spmc-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_PARTITION_INFO_GET_REGS, true},
		{"spmc-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, true},
		{"spmc-1.2", FFAEMU_FFA_1_1, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, false},
		{"tfa-el3-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_MSG_SEND2, false},
		{"tfa-el3-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_MEM_DONATE_64, false},
		{"tfa-el3-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_NOTIFICATION_SET, false},
		{"tfa-el3-1.2", FFAEMU_FFA_1_2, FFAEMU_FFA_MEM_SHARE_64, true},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct fx *f = fx_new_named(rows[i].profile);
		struct ffaemu_regs r;
		if (!f)
			return;
		fx_version(f, rows[i].version);
		r = CALL(f, FFAEMU_FFA_FEATURES, rows[i].fid);
		if (rows[i].present)
			assert_ffa_success(r);
		else
			assert_ffa_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		/* an absent ABI is NOT_SUPPORTED when called, whatever its arguments */
		r = CALL(f, rows[i].fid, 1, 2);
		if (!rows[i].present)
			assert_ffa_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		else if (r.x[0] == FFAEMU_FFA_ERROR && (int32_t)r.x[2] == FFAEMU_FFA_NOT_SUPPORTED)
			fail_msg("row %zu: present ABI %#x answered NOT_SUPPORTED", i, rows[i].fid);
		fx_delete(&f);
	}
}

/* ---- IDs, unknown FIDs, register rules --------------------------------- */

static void test_id_get_and_spm_id_get(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	fx_version(f, FFAEMU_FFA_1_2);
	r = CALL(f, FFAEMU_FFA_ID_GET);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0);
	r = CALL(f, FFAEMU_FFA_SPM_ID_GET);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0x8000);
	for (int i = 3; i < 8; i++)
		assert_int_equal(r.x[i], 0);
}

static void test_unknown_ffa_fid_is_ffa_error_not_supported(void **state)
{
	struct fx *f = *state;
	static const uint32_t fids[] = {0x84000091u, 0xc40000efu, FFAEMU_FFA_MSG_SEND,
					FFAEMU_FFA_MEM_RETRIEVE_RESP, FFAEMU_FFA_NORMAL_WORLD_RESUME,
					FFAEMU_FFA_EL3_INTR_HANDLE, FFAEMU_FFA_SUCCESS};
	fx_version(f, FFAEMU_FFA_1_2);
	for (size_t i = 0; i < ARRAY_SIZE(fids); i++) {
		struct ffaemu_regs r = CALL(f, fids[i], 1, 2, 3, 4, 5, 6, 7);
		assert_ffa_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	}
}

static void test_smc32_args_ignore_upper_halves_and_keep_x8_x17(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	ffaemu_regs_clear(&r);
	r.x[0] = 0xdead000000000000ull | FFAEMU_FFA_VERSION;
	r.x[1] = 0xffffffff00000000ull | FFAEMU_FFA_1_1;
	r.x[9] = 0x1234;
	ffaemu_edge_call(f->host, &r, &f->ctx);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
	assert_int_equal(fx_ep(f, 0).version, FFAEMU_FFA_1_1);
	/* SMCCC 1.2: x8-x17 of an SMC32 call are preserved (A7, G11) */
	assert_int_equal(r.x[9], 0x1234);
}

static void test_smc64_reply_zeroes_x8_x17(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	fx_version(f, FFAEMU_FFA_1_2);
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_RXTX_MAP_64;
	r.x[1] = HOST_TX;
	r.x[2] = HOST_RX;
	r.x[3] = 1;
	r.x[12] = 0x5555;
	ffaemu_edge_call(f->host, &r, &f->ctx);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	for (int i = 1; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], 0);
}

/*
 * An SMC64 call from an endpoint that negotiated v1.0/v1.1: the FF-A ABI at
 * that version returns in x0-x7 only, so x8-x17 are preserved as for any
 * SMCCC 1.2 function that does not define them as results (spec A7, C1.4,
 * G11: "keep them ... for callers below v1.2").
 */
static void test_smc64_reply_keeps_x8_x17_for_callers_below_v1_2(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_1).x[0], FFAEMU_FFA_1_2);
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_RXTX_MAP_64;
	r.x[1] = HOST_TX;
	r.x[2] = HOST_RX;
	r.x[3] = 1;
	for (int i = 8; i < FFAEMU_NREGS; i++)
		r.x[i] = 0x5500u + (uint64_t)i;
	ffaemu_edge_call(f->host, &r, &f->ctx);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	for (int i = 1; i < 8; i++)
		assert_int_equal(r.x[i], 0);
	for (int i = 8; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], 0x5500u + (uint64_t)i);
	/* An error reply to an SMC64 call of the same caller keeps them too. */
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_RXTX_MAP_64;
	r.x[1] = HOST_TX;
	r.x[2] = HOST_RX;
	r.x[3] = 1;
	r.x[17] = 0x77;
	ffaemu_edge_call(f->host, &r, &f->ctx);
	assert_ffa_error(r, FFAEMU_FFA_DENIED);
	assert_int_equal(r.x[17], 0x77);
}

/* ---- RX/TX (spec C5.3) ------------------------------------------------- */

static void test_rxtx_map_success_and_second_map_denied(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_ep_info e;
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	e = fx_ep(f, 0);
	assert_true(e.mapped);
	assert_int_equal(e.tx_pa, HOST_TX);
	assert_int_equal(e.rx_pa, HOST_RX);
	assert_int_equal(e.rxtx_pages, 1);
	assert_false(e.rx_full);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, HOST_TX + 0x2000, HOST_RX + 0x2000, 1),
			 FFAEMU_FFA_DENIED);
	e = fx_ep(f, 0);
	assert_int_equal(e.tx_pa, HOST_TX);
}

static void test_rxtx_map_32_uses_w1_w2(void **state)
{
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_MAP, 0xabcd000000000000ull | HOST_TX,
				0x1234000000000000ull | HOST_RX, 1));
	assert_int_equal(fx_ep(f, 0).tx_pa, HOST_TX);
}

static void test_rxtx_map_rejects_bad_arguments_without_state_change(void **state)
{
	static const struct {
		uint64_t tx, rx, pages;
		int32_t err;
	} rows[] = {
		{HOST_TX + 0x800, HOST_RX, 1, FFAEMU_FFA_INVALID_PARAMETERS}, /* alignment */
		{HOST_TX, HOST_RX + 4, 1, FFAEMU_FFA_INVALID_PARAMETERS},
		{HOST_TX, HOST_RX, 0, FFAEMU_FFA_INVALID_PARAMETERS},         /* count 0 */
		{HOST_TX, HOST_RX + 0x1000, 2, FFAEMU_FFA_INVALID_PARAMETERS}, /* > max 1 */
		{HOST_TX, HOST_TX, 1, FFAEMU_FFA_INVALID_PARAMETERS},         /* TX == RX */
		{0x10000000ull, HOST_RX, 1, FFAEMU_FFA_INVALID_PARAMETERS},   /* not RAM */
		{0xfffffffffffff000ull, HOST_RX, 1, FFAEMU_FFA_INVALID_PARAMETERS}, /* wraps */
		{0xf0000000ull, HOST_RX, 1, FFAEMU_FFA_DENIED},               /* secure RAM */
	};
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_2);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_regs r =
			CALL(f, FFAEMU_FFA_RXTX_MAP_64, rows[i].tx, rows[i].rx, rows[i].pages);
		assert_ffa_error(r, rows[i].err);
		assert_false(fx_ep(f, 0).mapped);
	}
	assert_ffa_success(fx_map_host(f));
}

static void test_rxtx_map_shared_page_is_denied(void **state)
{
	struct fx *f = *state;
	struct ffaemu_range rg = {HOST_RX, 1};
	fx_version(f, FFAEMU_FFA_1_2);
	assert_int_equal(ffaemu_mem_share(f->mem, &rg, 1, ffaemu_owner_make(FFAEMU_OWNER_HOST, 0),
					  false),
			 0);
	assert_ffa_error(fx_map_host(f), FFAEMU_FFA_DENIED);
	assert_false(fx_ep(f, 0).mapped);
}

static void test_rxtx_map_16k_minimum(void **state)
{
	struct ffaemu_spmc_profile p;
	struct fx f;
	(void)state;
	ffaemu_spmc_profile_default(&p);
	p.rxtx_min_size = 16384;
	p.rxtx_max_pages = 8;
	assert_int_equal(fx_open(&f, &p), 0);
	fx_version(&f, FFAEMU_FFA_1_2);
	/* 1 page is not a multiple of 16K; 0x...1000 is not 16K aligned */
	assert_ffa_error(CALL(&f, FFAEMU_FFA_RXTX_MAP_64, NS_BASE, NS_BASE + 0x4000, 1),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(CALL(&f, FFAEMU_FFA_RXTX_MAP_64, NS_BASE + 0x1000, NS_BASE + 0x8000, 4),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(&f, FFAEMU_FFA_RXTX_MAP_64, NS_BASE, NS_BASE + 0x4000, 4));
	assert_int_equal(fx_ep(&f, 0).rxtx_pages, 4);
	fx_close(&f);
}

/*
 * A partition whose mailbox the SPMC allocates gets one the profile's
 * minimum size allows (C5.1, C5.3): the default page count of 1 is rounded
 * up to 16K/64K instead of failing ffaemu_spmc_add_sp.
 */
static void test_partition_mailbox_follows_the_minimum_size(void **state)
{
	struct ffaemu_spmc_profile p;
	struct ffaemu_spmc_ep_info e;
	struct fx f;
	(void)state;
	ffaemu_spmc_profile_default(&p);
	p.rxtx_min_size = 65536;
	p.rxtx_max_pages = 16;
	assert_int_equal(fx_open(&f, &p), 0);
	fx_add_builtin(&f, FFAEMU_SP_ECHO, 0x8001);
	fx_add_builtin(&f, FFAEMU_SP_ECHO, 0x8002);
	e = fx_ep(&f, 0x8001);
	assert_true(e.mapped);
	assert_int_equal(e.rxtx_pages, 16);
	assert_int_equal(e.tx_pa % 65536, 0);
	assert_int_equal(e.rx_pa % 65536, 0);
	e = fx_ep(&f, 0x8002);
	assert_true(e.mapped);
	assert_int_equal(e.tx_pa % 65536, 0);
	fx_close(&f);
}

static void test_rxtx_overlap_is_invalid(void **state)
{
	struct ffaemu_spmc_profile p;
	struct fx f;
	(void)state;
	ffaemu_spmc_profile_default(&p);
	p.rxtx_max_pages = 4;
	assert_int_equal(fx_open(&f, &p), 0);
	fx_version(&f, FFAEMU_FFA_1_2);
	assert_ffa_error(CALL(&f, FFAEMU_FFA_RXTX_MAP_64, NS_BASE, NS_BASE + 0x1000, 2),
			 FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(&f, FFAEMU_FFA_RXTX_MAP_64, NS_BASE, NS_BASE + 0x2000, 2));
	fx_close(&f);
}

static void test_rxtx_unmap_rules(void **state)
{
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_2);
	/* nothing mapped */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_UNMAP), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(fx_map_host(f));
	/* [15:0] MBZ; ID in [31:16] (C5.3, G4) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_UNMAP, 1), FFAEMU_FFA_INVALID_PARAMETERS);
	/* an unknown VM */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_UNMAP, 7u << 16), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_true(fx_ep(f, 0).mapped);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_UNMAP));
	assert_false(fx_ep(f, 0).mapped);
	/* can map again */
	assert_ffa_success(fx_map_host(f));
}

static void test_rx_release_ownership(void **state)
{
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_RELEASE), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(fx_map_host(f));
	/* empty: nothing to release (C5.3) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_RELEASE), FFAEMU_FFA_DENIED);
	assert_ffa_success(CALL(f, FFAEMU_FFA_PARTITION_INFO_GET));
	assert_true(fx_ep(f, 0).rx_full);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_RELEASE, 1u << 16), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_true(fx_ep(f, 0).rx_full);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_RELEASE));
	assert_false(fx_ep(f, 0).rx_full);
}

static void write_d12(struct fx *f, ffaemu_id_t vm, ffaemu_pa_t tx, ffaemu_pa_t rx)
{
	struct ffaemu_ep_rxtx_desc d = {vm, rx, tx, 1, 1};
	assert_true(ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_2, fx_ptr(f, HOST_TX, 4096), 4096) > 0);
}

static void test_forwarded_map_acquire_release_unmap_for_a_vm(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_ep_info e;
	fx_version(f, FFAEMU_FFA_1_2);
	/* no hypervisor TX yet */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(fx_map_host(f));
	write_d12(f, 5, NS_BASE + 0x10000, NS_BASE + 0x11000);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0));
	e = fx_ep(f, 5);
	assert_true(e.mapped);
	assert_true(e.mapped_by_hyp);
	assert_int_equal(e.tx_pa, NS_BASE + 0x10000);
	/* a second forwarded map of the same VM */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_DENIED);
	/* RX_ACQUIRE: hypervisor takes the VM's RX */
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_ACQUIRE, 5));
	assert_true(fx_ep(f, 5).rx_hyp_owned);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_ACQUIRE, 5), FFAEMU_FFA_DENIED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_ACQUIRE, 6), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_RELEASE, 5));
	assert_false(fx_ep(f, 5).rx_hyp_owned);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_RELEASE, 5), FFAEMU_FFA_DENIED);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_UNMAP, 5u << 16));
	assert_false(fx_ep(f, 5).mapped);
	assert_true(fx_ep(f, 0).mapped);
}

/*
 * A mailbox page belongs to one endpoint: buffers that overlap another
 * endpoint's RX/TX are not the caller's exclusively (C5.3, HF-API), DENIED,
 * and nothing is mapped. Otherwise the SPMC would write one endpoint's
 * partition info or messages into another's TX.
 */
static void test_rxtx_map_over_another_endpoints_mailbox_is_denied(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_ep_info e;
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	/* a VM's RX on the hypervisor's TX */
	write_d12(f, 5, NS_BASE + 0x10000, HOST_TX);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_DENIED);
	assert_int_equal(ffaemu_spmc_ep_info(f->spmc, 5, &e), FFAEMU_ENOENT);
	/* a VM's TX on the hypervisor's RX */
	write_d12(f, 5, HOST_RX, NS_BASE + 0x10000);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_DENIED);
	write_d12(f, 5, NS_BASE + 0x10000, NS_BASE + 0x11000);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0));
	/* the hypervisor remaps onto the VM's pair */
	assert_ffa_success(CALL(f, FFAEMU_FFA_RXTX_UNMAP, 0));
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, NS_BASE + 0x11000, NS_BASE + 0x20000, 1),
			 FFAEMU_FFA_DENIED);
	assert_false(fx_ep(f, 0).mapped);
	assert_ffa_success(fx_map_host(f));
}

static void test_forwarded_map_bad_descriptor_creates_nothing(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_ep_info e;
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	write_d12(f, 0x8005, NS_BASE + 0x10000, NS_BASE + 0x11000); /* secure ID */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_INVALID_PARAMETERS);
	write_d12(f, 6, NS_BASE + 0x10000, NS_BASE + 0x10000); /* overlap */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(ffaemu_spmc_ep_info(f->spmc, 6, &e), FFAEMU_ENOENT);
	memset(fx_ptr(f, HOST_TX, 64), 0xff, 64); /* garbage offsets */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_INVALID_PARAMETERS);
}

static void test_forwarded_map_not_in_tfa_profile(void **state)
{
	struct fx *f = *state;
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	write_d12(f, 5, NS_BASE + 0x10000, NS_BASE + 0x11000);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0), FFAEMU_FFA_INVALID_PARAMETERS);
	/* TF-A has no RX_ACQUIRE for VMs it does not know */
	assert_ffa_error(CALL(f, FFAEMU_FFA_RX_ACQUIRE, 5), FFAEMU_FFA_INVALID_PARAMETERS);
}

/* ---- PARTITION_INFO_GET (spec C5.4, D1) -------------------------------- */

static const struct ffaemu_uuid U1 = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
static const struct ffaemu_uuid U2 = {{0x21, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
static const struct ffaemu_uuid U3 = {{0x31, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

static void add_two_sps(struct fx *f)
{
	struct ffaemu_sp_config c;
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8001);
	c.uuids[0] = U1;
	c.uuid_count = 1;
	c.exec_ctx_count = 4;
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ_SEND |
		  FFAEMU_SP_PROP_INDIRECT_MSG | FFAEMU_SP_PROP_NOTIFICATIONS |
		  FFAEMU_SP_PROP_VM_CREATED | FFAEMU_SP_PROP_AARCH64 |
		  FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8002);
	c.uuids[0] = U2;
	c.uuids[1] = U3;
	c.uuid_count = 2;
	c.props = FFAEMU_SP_PROP_INDIRECT_MSG | FFAEMU_SP_PROP_VM_CREATED;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
}

static struct ffaemu_regs pig(struct fx *f, const struct ffaemu_uuid *u, uint32_t flags)
{
	return CALL(f, FFAEMU_FFA_PARTITION_INFO_GET, ffaemu_uuid_word(u, 0),
		    ffaemu_uuid_word(u, 1), ffaemu_uuid_word(u, 2), ffaemu_uuid_word(u, 3), flags);
}

static void test_partition_info_get_nil_v1_2_lists_every_uuid(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_regs r;
	struct ffaemu_partinfo pi;
	const uint8_t *rx;

	add_two_sps(f);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	r = pig(f, &nil, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 3);
	assert_int_equal(r.x[3], 24);
	rx = fx_ptr(f, HOST_RX, 4096);
	assert_int_equal(ffaemu_partinfo_decode(rx, 24, 24, &pi), 0);
	assert_int_equal(pi.id, 0x8001);
	assert_int_equal(pi.exec_ctx_count, 4);
	/* NWd view: no "send direct request" (C5.4); VM created shown at NP */
	assert_int_equal(pi.props, FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_INDIRECT_MSG |
					   FFAEMU_SP_PROP_NOTIFICATIONS |
					   FFAEMU_SP_PROP_VM_CREATED | FFAEMU_SP_PROP_AARCH64 |
					   FFAEMU_SP_PROP_DIRECT_REQ2_RECV);
	assert_true(ffaemu_uuid_eq(&pi.uuid, &U1));
	assert_int_equal(ffaemu_partinfo_decode(rx + 24, 24, 24, &pi), 0);
	assert_int_equal(pi.id, 0x8002);
	/* VM created needs direct-request receive (D1 bit 6) */
	assert_int_equal(pi.props, FFAEMU_SP_PROP_INDIRECT_MSG);
	assert_true(ffaemu_uuid_eq(&pi.uuid, &U2));
	assert_int_equal(ffaemu_partinfo_decode(rx + 48, 24, 24, &pi), 0);
	assert_int_equal(pi.id, 0x8002);
	assert_true(ffaemu_uuid_eq(&pi.uuid, &U3));
	/* tail zeroed */
	for (size_t i = 72; i < 4096; i++)
		assert_int_equal(rx[i], 0);
	assert_true(fx_ep(f, 0).rx_full);
	/* RX full: BUSY, nothing changes (C5.3, C5.4) */
	assert_ffa_error(pig(f, &nil, 0), FFAEMU_FFA_BUSY);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_RELEASE));
	assert_ffa_success(pig(f, &nil, 0));
}

static void test_partition_info_get_v1_0_caller_gets_8_byte_entries(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_regs r;
	struct ffaemu_partinfo pi;
	const uint8_t *rx;

	add_two_sps(f);
	fx_version(f, FFAEMU_FFA_1_0);
	assert_ffa_success(fx_map_host(f));
	/* v1.0: w5 is SBZ (no count-only mode) */
	r = pig(f, &nil, 1);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 2);
	assert_int_equal(r.x[3], 0);
	rx = fx_ptr(f, HOST_RX, 4096);
	assert_int_equal(ffaemu_partinfo_decode(rx, 8, 8, &pi), 0);
	assert_int_equal(pi.id, 0x8001);
	/*
	 * bits above 2 cleared for v1.0 callers (C5.4, G3), and indirect
	 * messaging is shown only to v1.1+ callers (C5.4: v1.0 has only the
	 * legacy MSG_SEND, which this SPMC does not implement)
	 */
	assert_int_equal(pi.props, FFAEMU_SP_PROP_DIRECT_REQ_RECV);
	assert_int_equal(ffaemu_partinfo_decode(rx + 8, 8, 8, &pi), 0);
	assert_int_equal(pi.id, 0x8002);
	assert_int_equal(rx[16], 0);
}

/*
 * A partition can only do what its own FF-A version has: indirect messages
 * from v1.1 (MSG_SEND2 to it is DENIED below), DIRECT_REQ2 from v1.2
 * (NOT_SUPPORTED below; Hafnium refuses such a manifest). Partition info
 * must not advertise them (C5.4, C7.3, C7.4, D1).
 */
static void test_partition_info_get_hides_abis_newer_than_the_partition(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_sp_config c;
	struct ffaemu_partinfo pi;
	const uint8_t *rx;

	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8001);
	c.ffa_version = FFAEMU_FFA_1_0;
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_INDIRECT_MSG |
		  FFAEMU_SP_PROP_AARCH64 | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8002);
	c.ffa_version = FFAEMU_FFA_1_1;
	c.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_INDIRECT_MSG |
		  FFAEMU_SP_PROP_AARCH64 | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_success(pig(f, &nil, 0));
	rx = fx_ptr(f, HOST_RX, 4096);
	assert_int_equal(ffaemu_partinfo_decode(rx, 24, 24, &pi), 0);
	assert_int_equal(pi.props, FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_AARCH64);
	assert_int_equal(ffaemu_partinfo_decode(rx + 24, 24, 24, &pi), 0);
	assert_int_equal(pi.props, FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_INDIRECT_MSG |
					   FFAEMU_SP_PROP_AARCH64);
	/* what the SPMC answers to the hidden ABIs */
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x8001u, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x8002u, 0, 0),
			 FFAEMU_FFA_NOT_SUPPORTED);
}

static void test_partition_info_get_specific_uuid_and_errors(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid unknown = {{0xee}};
	struct ffaemu_regs r;
	struct ffaemu_partinfo pi;

	add_two_sps(f);
	fx_version(f, FFAEMU_FFA_1_1);
	/* no RX: BUSY */
	assert_ffa_error(pig(f, &U3, 0), FFAEMU_FFA_BUSY);
	/* count only works without RX and leaves RX alone */
	r = pig(f, &U3, FFAEMU_PARTINFO_FLAG_COUNT_ONLY);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(r.x[3], 0);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_error(pig(f, &unknown, 0), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_ffa_error(pig(f, &U3, 2), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_false(fx_ep(f, 0).rx_full);
	r = pig(f, &U3, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(r.x[3], 24);
	assert_int_equal(ffaemu_partinfo_decode(fx_ptr(f, HOST_RX, 24), 24, 24, &pi), 0);
	assert_int_equal(pi.id, 0x8002);
	/* specific UUID: the UUID field is MBZ (C5.4) */
	assert_true(ffaemu_uuid_is_nil(&pi.uuid));
}

static void test_partition_info_get_no_memory_when_it_does_not_fit(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_regs r;
	/* 43 partitions x 4 UUIDs x 24 B > 4096 */
	for (int i = 0; i < 43; i++) {
		struct ffaemu_sp_config c;
		ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, (ffaemu_id_t)(0x8100 + i));
		c.uuid_count = 4;
		for (int k = 0; k < 4; k++) {
			memset(c.uuids[k].b, 0, 16);
			c.uuids[k].b[0] = (uint8_t)(i + 1);
			c.uuids[k].b[1] = (uint8_t)(k + 1);
		}
		c.map_mailbox = false;
		assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	}
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_error(pig(f, &nil, 0), FFAEMU_FFA_NO_MEMORY);
	assert_false(fx_ep(f, 0).rx_full);
	r = pig(f, &nil, FFAEMU_PARTINFO_FLAG_COUNT_ONLY);
	assert_int_equal(r.x[2], 172);
}

/* ---- PARTITION_INFO_GET_REGS (spec C5.5, D2) --------------------------- */

static void add_n_sps(struct fx *f, int n)
{
	for (int i = 0; i < n; i++) {
		struct ffaemu_sp_config c;
		ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, (ffaemu_id_t)(0x8001 + i));
		c.uuid_count = 1;
		memset(c.uuids[0].b, 0, 16);
		c.uuids[0].b[15] = (uint8_t)(i + 1);
		assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	}
}

static struct ffaemu_regs pigr(struct fx *f, const struct ffaemu_uuid *u, uint16_t start,
			       uint16_t tag)
{
	return CALL(f, FFAEMU_FFA_PARTITION_INFO_GET_REGS, ffaemu_uuid_dword(u, 0),
		    ffaemu_uuid_dword(u, 1), ((uint64_t)tag << 16) | start);
}

static void test_partition_info_get_regs_iterates_with_tag(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_regs r;
	uint16_t tag;
	struct ffaemu_partinfo pi;

	add_n_sps(f, 7);
	fx_version(f, FFAEMU_FFA_1_2);
	r = pigr(f, &nil, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS_64);
	assert_int_equal(r.x[2] & 0xffff, 6);          /* last index */
	assert_int_equal((r.x[2] >> 16) & 0xffff, 4);  /* current index */
	assert_int_equal(r.x[2] >> 48, 24);            /* descriptor size */
	tag = (uint16_t)(r.x[2] >> 32);
	ffaemu_partinfo_regs_unpack(&r.x[3], &pi);
	assert_int_equal(pi.id, 0x8001);
	assert_int_equal(pi.uuid.b[15], 1);
	ffaemu_partinfo_regs_unpack(&r.x[15], &pi);
	assert_int_equal(pi.id, 0x8005);
	r = pigr(f, &nil, 5, tag);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS_64);
	assert_int_equal((r.x[2] >> 16) & 0xffff, 6);
	ffaemu_partinfo_regs_unpack(&r.x[6], &pi);
	assert_int_equal(pi.id, 0x8007);
	for (int i = 9; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* the information changes: the old tag is stale (C5.5) */
	add_n_sps(f, 0);
	{
		struct ffaemu_sp_config c;
		ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, 0x8100);
		assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	}
	assert_ffa_error(pigr(f, &nil, 5, tag), FFAEMU_FFA_RETRY);
}

static void test_partition_info_get_regs_errors(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}}, unknown = {{0x77}};
	struct ffaemu_regs r;

	add_n_sps(f, 2);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_error(pigr(f, &nil, 0, 3), FFAEMU_FFA_RETRY);   /* tag at start 0 */
	r = pigr(f, &nil, 0, 0);
	assert_ffa_error(pigr(f, &nil, 2, (uint16_t)(r.x[2] >> 32)),
			 FFAEMU_FFA_INVALID_PARAMETERS);            /* start >= count */
	assert_ffa_error(pigr(f, &unknown, 0, 0), FFAEMU_FFA_INVALID_PARAMETERS);
	/* a specific UUID: one entry, UUID field MBZ */
	{
		struct ffaemu_uuid u = {{0}};
		struct ffaemu_partinfo pi;
		u.b[15] = 2;
		r = pigr(f, &u, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS_64);
		assert_int_equal(r.x[2] & 0xffff, 0);
		ffaemu_partinfo_regs_unpack(&r.x[3], &pi);
		assert_int_equal(pi.id, 0x8002);
		assert_true(ffaemu_uuid_is_nil(&pi.uuid));
	}
}

static void test_partition_info_get_regs_needs_v1_2(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	add_n_sps(f, 1);
	fx_version(f, FFAEMU_FFA_1_1);
	assert_ffa_error(pigr(f, &nil, 0, 0), FFAEMU_FFA_NOT_SUPPORTED);
}

/* ---- the spmc-1.3 profile: confirmed v1.3 items only (spec C1, D1, D2) ---- */

static void add_echo_v(struct fx *f, ffaemu_id_t id, uint32_t v)
{
	struct ffaemu_sp_config c;
	assert_int_equal(ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, id), 0);
	c.ffa_version = v;
	c.uuids[0] = U1;
	c.uuid_count = 1;
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
}

static void test_spmc_1_3_profile(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_partinfo pi;
	struct ffaemu_regs r;
	const uint8_t *rx;

	assert_int_equal(ffaemu_spmc_get_profile(f->spmc)->ffa_version, FFAEMU_FFA_1_3);
	add_echo_v(f, 0x8001, FFAEMU_FFA_1_3);
	add_echo_v(f, 0x8002, FFAEMU_FFA_1_2);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_3).x[0], FFAEMU_FFA_1_3);
	assert_ffa_success(fx_map_host(f));
	/* 48-byte descriptors: protocol UUID (nil asked), image UUID, version (D1) */
	r = pig(f, &nil, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 2);
	assert_int_equal(r.x[3], 48);
	rx = fx_ptr(f, HOST_RX, 4096);
	assert_int_equal(ffaemu_partinfo_decode(rx, 48, 48, &pi), 0);
	assert_int_equal(pi.id, 0x8001);
	assert_true(ffaemu_uuid_eq(&pi.uuid, &U1));
	assert_true(ffaemu_uuid_is_nil(&pi.image_uuid));
	assert_int_equal(pi.ffa_version, FFAEMU_FFA_1_3);
	assert_int_equal(ffaemu_partinfo_decode(rx + 48, 48, 48, &pi), 0);
	assert_int_equal(pi.ffa_version, FFAEMU_FFA_1_2);
	assert_ffa_success(CALL(f, FFAEMU_FFA_RX_RELEASE));
	/* _REGS: 6 registers a descriptor, 2 a call, size 48 in x2[63:48] (D2) */
	r = CALL(f, FFAEMU_FFA_PARTITION_INFO_GET_REGS, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS_64);
	assert_int_equal(r.x[2] & 0xffff, 1);
	assert_int_equal((r.x[2] >> 16) & 0xffff, 1);
	assert_int_equal(r.x[2] >> 48, 48);
	assert_int_equal(r.x[3] & 0xffff, 0x8001);
	assert_int_equal(r.x[4], ffaemu_uuid_dword(&U1, 0));
	assert_int_equal(r.x[5], ffaemu_uuid_dword(&U1, 1));
	assert_int_equal(r.x[6] | r.x[7], 0);
	assert_int_equal(r.x[8], FFAEMU_FFA_1_3);
	assert_int_equal(r.x[9] & 0xffff, 0x8002);
	assert_int_equal(r.x[14], FFAEMU_FFA_1_2);
	assert_int_equal(r.x[15] | r.x[16] | r.x[17], 0);
	/* feature 4: per-vCPU notifications not supported, for VMs and SPs (C5.1) */
	r = CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_NOTIF);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 3);
	/* DIRECT_REQ_64 carries x3-x17 between v1.3 endpoints only (C1.4) */
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		 13, 14, 15, 16, 17);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	for (int i = 3; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], (uint64_t)i);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8002, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		 13, 14, 15, 16, 17);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[7], 7);
	for (int i = 8; i < FFAEMU_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* the 64-bit CPU-cycle FIDs exist at v1.3 (C1.1) */
	r = CALL(f, FFAEMU_FFA_RUN_64, 0x80010000u);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_WAIT);
	/* unconfirmed v1.3 ABIs stay NOT_SUPPORTED (spec H) */
	assert_ffa_error(CALL(f, FFAEMU_FFA_NS_RES_INFO_GET), FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND2), FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_NOTIFICATION_BIND2),
			 FFAEMU_FFA_NOT_SUPPORTED);
}

static void test_spmc_1_3_serves_older_callers_as_before(void **state)
{
	struct fx *f = *state;
	const struct ffaemu_uuid nil = {{0}};
	struct ffaemu_regs r;

	add_echo_v(f, 0x8001, FFAEMU_FFA_1_3);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_2).x[0], FFAEMU_FFA_1_3);
	assert_ffa_success(fx_map_host(f));
	r = pig(f, &nil, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[3], 24);
	assert_ffa_error(CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_NOTIF),
			 FFAEMU_FFA_NOT_SUPPORTED);
	assert_ffa_error(CALL(f, FFAEMU_FFA_RUN_64, 0x80010000u), FFAEMU_FFA_NOT_SUPPORTED);
	r = CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 3, 4, 5, 6, 7, 8, 9);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[8], 0);
}

/* ---- fault injection --------------------------------------------------- */

static void test_fault_error_hits_the_nth_call_only(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_fault flt;
	fx_version(f, FFAEMU_FFA_1_2);
	ffaemu_spmc_fault_default(&flt);
	flt.fid = FFAEMU_FFA_ID_GET;
	flt.nth = 2;
	flt.error = FFAEMU_FFA_ABORTED;
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), 0);
	assert_int_equal(ffaemu_spmc_faults_pending(f->spmc), 1);
	assert_ffa_success(CALL(f, FFAEMU_FFA_FEATURES, FFAEMU_FFA_ID_GET)); /* other FID */
	assert_ffa_success(CALL(f, FFAEMU_FFA_ID_GET));
	assert_ffa_error(CALL(f, FFAEMU_FFA_ID_GET), FFAEMU_FFA_ABORTED);
	assert_ffa_success(CALL(f, FFAEMU_FFA_ID_GET));
	assert_int_equal(ffaemu_spmc_faults_pending(f->spmc), 0);
}

static void test_fault_delay_answers_retry_k_times_without_state_change(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_fault flt;
	fx_version(f, FFAEMU_FFA_1_2);
	ffaemu_spmc_fault_default(&flt);
	flt.fid = FFAEMU_FFA_RXTX_MAP_64;
	flt.count = 3;
	flt.error = FFAEMU_FFA_RETRY;
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), 0);
	for (int i = 0; i < 3; i++) {
		assert_ffa_error(fx_map_host(f), FFAEMU_FFA_RETRY);
		assert_false(fx_ep(f, 0).mapped);
	}
	assert_ffa_success(fx_map_host(f));
}

static void test_fault_version_reports_another_version(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_fault flt;
	ffaemu_spmc_fault_default(&flt);
	flt.kind = FFAEMU_SPMC_FAULT_VERSION;
	flt.value = FFAEMU_FFA_VERSION_WORD(2, 0);
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), 0);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_1).x[0], FFAEMU_FFA_VERSION_WORD(2, 0));
	assert_false(fx_ep(f, 0).version_called);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_1).x[0], FFAEMU_FFA_1_2);
}

static void test_fault_caller_filter_and_invalid_faults(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_fault flt;
	ffaemu_spmc_fault_default(&flt);
	flt.error = 0;
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), FFAEMU_EINVAL);
	flt.error = -11;
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), FFAEMU_EINVAL);
	flt.error = FFAEMU_FFA_BUSY;
	flt.fid = 0x12345678u;
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), FFAEMU_EINVAL);
	flt.fid = 0;
	flt.any_caller = false;
	flt.caller = 9;
	assert_int_equal(ffaemu_spmc_inject_fault(f->spmc, &flt), 0);
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(CALL(f, FFAEMU_FFA_ID_GET)); /* caller 0 is not hit */
	assert_int_equal(ffaemu_spmc_faults_pending(f->spmc), 1);
	ffaemu_spmc_clear_faults(f->spmc);
	assert_int_equal(ffaemu_spmc_faults_pending(f->spmc), 0);
}


/* ---- robustness: any register content, any FID ------------------------- */

static uint64_t xs_next(uint64_t *s)
{
	/* xorshift64, fixed seed: deterministic */
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t interesting(uint64_t *seed)
{
	static const uint64_t vals[] = {0, 1, 2, 0x1000, 0xffffffffull, 0xffffffffffffffffull,
					HOST_TX, HOST_RX, NS_BASE + NS_SIZE - 0x1000, 0xf0000000ull,
					0x80000000u, 0x8001, 0x80010000u, 0x00008001u,
					0x80000004u, 0x7fffffffu};
	uint64_t r = xs_next(seed);
	return (r & 3) ? vals[(r >> 2) % ARRAY_SIZE(vals)] : xs_next(seed);
}

static void test_random_registers_never_break_the_spmc(void **state)
{
	struct fx *f = *state;
	uint64_t seed = 0x2545f4914f6cdd1dull;
	size_t nabi = ffaemu_abi_count();
	char why[128];

	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001);
	fx_add_builtin(f, FFAEMU_SP_NOTIFIER, 0x8002);
	fx_add_builtin(f, FFAEMU_SP_CONSOLE, 0x8003);
	fx_add_builtin(f, FFAEMU_SP_MEMORY, 0x8004);
	{
		struct ffaemu_sp_config c;
		ffaemu_sp_config_builtin(&c, FFAEMU_SP_FAULTY, 0x8005);
		c.faulty_mode = FFAEMU_SP_FAULTY_YIELD;
		assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
	}
	fx_version(f, FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1));
	for (int it = 0; it < 20000; it++) {
		const struct ffaemu_abi *abi = ffaemu_abi_at(xs_next(&seed) % nabi);
		struct ffaemu_regs r;
		uint32_t fid = abi->fid32 ? abi->fid32 : abi->fid64;
		if (abi->fid32 && abi->fid64 && (xs_next(&seed) & 1))
			fid = abi->fid64;
		/* keep the host's own mailbox so later calls reach deeper */
		if ((fid & ~FFAEMU_SMCCC_SMC64) == FFAEMU_FFA_RXTX_UNMAP || fid == FFAEMU_FFA_VERSION)
			continue;
		ffaemu_regs_clear(&r);
		r.x[0] = fid;
		for (int i = 1; i < FFAEMU_NREGS; i++)
			r.x[i] = interesting(&seed);
		/* sometimes fill the TX with noise */
		if ((it & 63) == 0) {
			uint8_t *tx = fx_ptr(f, HOST_TX, 4096);
			for (int k = 0; k < 4096; k += 8) {
				uint64_t v = interesting(&seed);
				memcpy(tx + k, &v, 8);
			}
		}
		ffaemu_edge_call(f->host, &r, &f->ctx);
		/* every answer is an FF-A reply frame (spec A10, C3) */
		assert_true(ffaemu_fid_is_ffa((uint32_t)r.x[0]));
		if ((it & 255) == 0)
			(void)CALL(f, FFAEMU_FFA_RX_RELEASE);
	}
	assert_int_equal(ffaemu_mem_check(f->mem, why, sizeof(why)), 0);
	/* still serving */
	assert_ffa_success(CALL(f, FFAEMU_FFA_ID_GET));
}


/* ---- refused calls change nothing (DESIGN rule; spec C2, C4) ----------- */

/* IDs whose state is compared: the host, VMs known and unknown, the partitions. */
static const ffaemu_id_t sweep_ids[] = {0x0000, 0x0001, 0x0042, 0x7fff,
					0x8001, 0x8002, 0x8003, 0x8004};
#define SWEEP_N ARRAY_SIZE(sweep_ids)
#define SWEEP_FRESH 0x0042 /* the NWd endpoint the SPMC has never heard of */
#define SWEEP_SEC_PAGES 256u /* partition mailboxes sit at the start of secure RAM */

struct sweep_snap {
	int ep_rc[SWEEP_N];
	struct ffaemu_spmc_ep_info ep[SWEEP_N];
	int ni_rc[SWEEP_N];
	struct ffaemu_spmc_notif_info ni[SWEEP_N];
	size_t console_len[SWEEP_N];
	char console[SWEEP_N][64];
	uint64_t entries[SWEEP_N];
	uint64_t pages; /* page info of host RAM and of the partitions' mailboxes */
	uint64_t mem;   /* memory transactions and retrieve sessions */
};

static uint64_t sweep_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xbf58476d1ce4e5b9ull;
}

static uint64_t sweep_pages(struct fx *f, ffaemu_pa_t base, uint64_t n)
{
	uint64_t h = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct ffaemu_page_info pi;

		memset(&pi, 0, sizeof(pi));
		if (ffaemu_mem_page_info(f->mem, base + i * FFAEMU_PAGE_SIZE, &pi) != 0)
			continue;
		h = sweep_mix(h, (uint64_t)pi.owner.kind | (uint64_t)pi.owner.id << 8 |
					 (uint64_t)pi.state << 24 | (uint64_t)pi.hyp_state << 28 |
					 (uint64_t)pi.borrowers << 32 | (uint64_t)pi.pins << 48);
		h = sweep_mix(h, pi.flags);
	}
	return h;
}

static void sweep_take(struct fx *f, struct sweep_snap *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < SWEEP_N; i++) {
		s->ep_rc[i] = ffaemu_spmc_ep_info(f->spmc, sweep_ids[i], &s->ep[i]);
		s->ni_rc[i] = ffaemu_spmc_notif_info(f->spmc, sweep_ids[i], &s->ni[i]);
		s->console_len[i] = ffaemu_spmc_console(f->spmc, sweep_ids[i], s->console[i],
							sizeof(s->console[i]));
		s->entries[i] = ffaemu_spmc_sp_entries(f->spmc, sweep_ids[i]);
	}
	s->pages = sweep_mix(sweep_pages(f, NS_BASE, NS_SIZE / FFAEMU_PAGE_SIZE),
			     sweep_pages(f, 0xf0000000ull, SWEEP_SEC_PAGES));
	s->mem = spmc_mem_digest((struct spmc *)f->spmc);
}

/*
 * The stack a refused call meets: the host negotiated v1.2, mapped its
 * mailbox, created its notification bitmap, bound ID 3 to 0x8002 and has
 * two pages shared with the memory partition; four partitions (echo,
 * notifier, console, memory) have handled one request each.
 */
static void sweep_stack(struct fx *f, const struct ffaemu_spmc_profile *p)
{
	static const struct ffaemu_range pages = {NS_BASE + 0x10000, 2};
	struct ffaemu_memdesc_receiver rcv;
	struct ffaemu_memdesc_tx tx;
	size_t len = 0;

	assert_int_equal(fx_open(f, p), 0);
	fx_add_builtin(f, FFAEMU_SP_ECHO, 0x8001);
	fx_add_builtin(f, FFAEMU_SP_NOTIFIER, 0x8002);
	fx_add_builtin(f, FFAEMU_SP_CONSOLE, 0x8003);
	fx_add_builtin(f, FFAEMU_SP_MEMORY, 0x8004);
	assert_int_equal(fx_version(f, FFAEMU_FFA_1_2).x[0], FFAEMU_FFA_1_2);
	assert_ffa_success(fx_map_host(f));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1));
	assert_ffa_success(CALL(f, FFAEMU_FFA_NOTIFICATION_BIND, 0x80020000u, 0, 1u << 3, 0));
	memset(&rcv, 0, sizeof(rcv));
	rcv.id = 0x8004;
	rcv.perms = FFAEMU_MEM_PERM_DATA_RW;
	memset(&tx, 0, sizeof(tx));
	tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	tx.receivers = &rcv;
	tx.receiver_count = 1;
	tx.constituents = &pages;
	tx.constituent_count = 1;
	assert_int_equal(ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, fx_ptr(f, HOST_TX, 4096), 4096,
					      &len), 0);
	assert_ffa_success(CALL(f, FFAEMU_FFA_MEM_SHARE_64, len, len));
	assert_int_equal(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8001, 0, 1).x[0],
			 FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8003, 0, 0x6968).x[0],
			 FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(CALL(f, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8002, 0, 0, 0x8001, 1).x[0],
			 FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
}

static uint64_t sweep_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Garbage of a few shapes: all random, small values, all ones, one bit. */
static uint64_t sweep_garbage(uint64_t *s, unsigned shape)
{
	uint64_t v = sweep_rand(s);

	switch (shape % 4) {
	case 0:
		return v;
	case 1:
		return v & 0xffff;
	case 2:
		return UINT64_MAX;
	default:
		return 1ull << (v & 63);
	}
}

/* Whether the reply refuses the call: FFA_ERROR, or a bare -1 (FFA_VERSION, C4). */
static bool sweep_refused(const struct ffaemu_regs *r)
{
	return r->x[0] == FFAEMU_FFA_ERROR || r->x[0] == W_NS;
}

/*
 * Every FF-A ABI (both widths), called with garbage registers from the host
 * and from a NWd endpoint the SPMC never saw: each refused call leaves every
 * observable as it was (ep_info of every ID, notif_info, consoles, partition
 * entries, the page map, the memory transactions).
 * The one change the spec requires: a call of any ABI other than
 * FFA_VERSION (and, in the Hafnium model, FFA_INTERRUPT) ends the caller's
 * version negotiation even when it is refused (spec C4, TFA-SPMD). For the
 * unknown endpoint that is a record saying "negotiated, default version,
 * nothing else"; a refusal that does not end negotiation (FFA_VERSION,
 * FFA_INTERRUPT, the pre-negotiation quirk of pKVM) leaves no record at all.
 */
static void test_refused_calls_leave_no_state_behind(void **state)
{
	static const struct {
		ffaemu_id_t id;
		enum ffaemu_instance inst;
	} callers[] = {{0x0000, FFAEMU_INSTANCE_NP}, {SWEEP_FRESH, FFAEMU_INSTANCE_NV}};
	static const enum ffaemu_spmc_prenego_quirk quirks[] = {FFAEMU_SPMC_PRE_ACCEPT,
								  FFAEMU_SPMC_PRE_INVALID_PARAMETERS};
	unsigned refused = 0, fresh_records = 0;

	(void)state;
	for (size_t q = 0; q < ARRAY_SIZE(quirks); q++) {
		struct ffaemu_spmc_profile prof;
		struct fx f;

		ffaemu_spmc_profile_default(&prof);
		prof.prenego_quirk = quirks[q];
		sweep_stack(&f, &prof);
		for (size_t a = 0; a < ffaemu_abi_count(); a++) {
			const struct ffaemu_abi *abi = ffaemu_abi_at(a);
			uint32_t fids[2] = {abi->fid32, abi->fid64};

			for (size_t w = 0; w < 2; w++) {
				for (size_t c = 0; c < ARRAY_SIZE(callers) && fids[w]; c++) {
					for (unsigned seed = 0; seed < 8; seed++) {
						struct sweep_snap before, after;
						struct ffaemu_call_ctx ctx = f.ctx;
						struct ffaemu_regs r;
						uint64_t rs = ((uint64_t)fids[w] << 16) ^ (c << 8) ^ seed;
						uint32_t fid = fids[w] & ~FFAEMU_SMCCC_SMC64;
						bool ends = fid != FFAEMU_FFA_VERSION &&
							    fid != FFAEMU_FFA_INTERRUPT;
						size_t me = c == 0 ? 0 : 2; /* index in sweep_ids */

						ffaemu_regs_clear(&r);
						r.x[0] = fids[w];
						for (unsigned i = 1; i < FFAEMU_NREGS; i++)
							r.x[i] = sweep_garbage(&rs, seed);
						ctx.caller = callers[c].id;
						ctx.instance = callers[c].inst;
						sweep_take(&f, &before);
						ffaemu_edge_call(f.host, &r, &ctx);
						if (!sweep_refused(&r)) {
							/* accepted: it may change state; start again */
							fx_close(&f);
							sweep_stack(&f, &prof);
							continue;
						}
						refused++;
						sweep_take(&f, &after);
						/* the allowed change: negotiation ended (C4) */
						if (after.ep_rc[me] == 0 && before.ep_rc[me] == 0 && ends)
							before.ep[me].negotiated = after.ep[me].negotiated;
						if (c == 1 && after.ep_rc[me] == 0 && before.ep_rc[me] != 0) {
							struct ffaemu_spmc_ep_info want;

							fresh_records++;
							memset(&want, 0, sizeof(want));
							want.id = SWEEP_FRESH;
							want.version = prof.ffa_version;
							want.negotiated = true;
							if (!ends || quirks[q] != FFAEMU_SPMC_PRE_ACCEPT ||
							    memcmp(&after.ep[me], &want, sizeof(want)) != 0)
								fail_msg("%s (0x%08x) refused (w2=%d) left a "
									 "record for 0x%04x",
									 abi->name, (unsigned)fids[w],
									 (int)(int32_t)r.x[2], SWEEP_FRESH);
							/* record gone, as before this call */
							fx_close(&f);
							sweep_stack(&f, &prof);
							after.ep_rc[me] = before.ep_rc[me];
							after.ni_rc[me] = before.ni_rc[me];
							memset(&after.ep[me], 0, sizeof(after.ep[me]));
							memset(&after.ni[me], 0, sizeof(after.ni[me]));
						}
						if (memcmp(&before, &after, sizeof(before)) != 0)
							fail_msg("%s (0x%08x) from 0x%04x refused (w2=%d) "
								 "but changed state (seed %u)",
								 abi->name, (unsigned)fids[w],
								 callers[c].id, (int)(int32_t)r.x[2],
								 seed);
					}
				}
			}
		}
		fx_close(&f);
	}
	print_message("%u refused calls, %u left a negotiated record\n", refused, fresh_records);
	/* the sweep reached the refusals it is about */
	assert_true(refused > 500);
	assert_true(fresh_records > 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_hafnium, fx_teardown)
#define TT(fn) cmocka_unit_test_setup_teardown(fn, setup_tfa, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_are_named_and_default_is_hafnium),
		cmocka_unit_test(test_new_rejects_bad_profiles),
		cmocka_unit_test(test_allocation_failure_at_any_point_is_clean),
		cmocka_unit_test(test_add_sp_allocates_only_through_the_allocator),
		cmocka_unit_test(test_secure_pool_is_returned_to_a_shared_memory),
		cmocka_unit_test(test_version_reply_table),
		T(test_version_records_last_request_until_negotiated),
		T(test_version_after_negotiation_hafnium_refuses_another),
		TT(test_version_after_negotiation_tfa_returns_negotiated),
		T(test_version_interrupt_does_not_end_negotiation),
		cmocka_unit_test(test_calls_before_version_follow_the_quirk),
		T(test_features_table_per_version),
		cmocka_unit_test(test_features_rxtx_size_code_follows_profile),
		TT(test_features_follow_profile_abis),
		cmocka_unit_test(test_abi_set_follows_profile_and_version),
		T(test_id_get_and_spm_id_get),
		T(test_unknown_ffa_fid_is_ffa_error_not_supported),
		T(test_smc32_args_ignore_upper_halves_and_keep_x8_x17),
		T(test_smc64_reply_zeroes_x8_x17),
		T(test_smc64_reply_keeps_x8_x17_for_callers_below_v1_2),
		T(test_rxtx_map_success_and_second_map_denied),
		T(test_rxtx_map_32_uses_w1_w2),
		T(test_rxtx_map_rejects_bad_arguments_without_state_change),
		T(test_rxtx_map_shared_page_is_denied),
		cmocka_unit_test(test_rxtx_map_16k_minimum),
		cmocka_unit_test(test_partition_mailbox_follows_the_minimum_size),
		cmocka_unit_test(test_rxtx_overlap_is_invalid),
		T(test_rxtx_unmap_rules),
		T(test_rx_release_ownership),
		T(test_forwarded_map_acquire_release_unmap_for_a_vm),
		T(test_forwarded_map_bad_descriptor_creates_nothing),
		T(test_rxtx_map_over_another_endpoints_mailbox_is_denied),
		TT(test_forwarded_map_not_in_tfa_profile),
		T(test_partition_info_get_nil_v1_2_lists_every_uuid),
		T(test_partition_info_get_v1_0_caller_gets_8_byte_entries),
		T(test_partition_info_get_hides_abis_newer_than_the_partition),
		T(test_partition_info_get_specific_uuid_and_errors),
		T(test_partition_info_get_no_memory_when_it_does_not_fit),
		T(test_partition_info_get_regs_iterates_with_tag),
		T(test_partition_info_get_regs_errors),
		T(test_partition_info_get_regs_needs_v1_2),
		cmocka_unit_test_setup_teardown(test_spmc_1_3_profile, setup_13, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spmc_1_3_serves_older_callers_as_before, setup_13,
						fx_teardown),
		T(test_fault_error_hits_the_nth_call_only),
		T(test_fault_delay_answers_retry_k_times_without_state_change),
		T(test_fault_version_reports_another_version),
		T(test_fault_caller_filter_and_invalid_faults),
		T(test_random_registers_never_break_the_spmc),
		cmocka_unit_test(test_refused_calls_leave_no_state_behind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
