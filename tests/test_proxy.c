/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pKVM proxy against a scripted SPMC stand-in: pkvm-proxy.md section 5,
 * items 1-12, plus the profiles and the fixes of section 2. The stand-in
 * lets a test play a malicious or broken SPMC exactly.
 */
#include "failalloc.h"
#include "test_proxy_common.h"

#define P2026 "pkvm-2026"

static struct dopt g_o; /* big: keep off the stack */

/* A TF-A style SPMC: a request above its version gets its own version (spec C4). */
static void own_version(struct ffaemu_spmc_profile *p)
{
	p->version_quirk = FFAEMU_SPMC_VQ_OWN_VERSION;
}

/* ======================================================= profiles (data) */

static void test_profiles_listed_and_lookup(void **state)
{
	static const char *const names[] = {"pkvm-6.4", "pkvm-6.10", "pkvm-6.11", "pkvm-6.18",
					    "pkvm-2026", "pkvm-2026-direct-msg"};
	struct ffaemu_proxy_profile p, d;

	(void)state;
	assert_int_equal(ffaemu_proxy_profile_count(), 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(ffaemu_proxy_profile_name_at(i), names[i]);
		assert_int_equal(ffaemu_proxy_profile_get(names[i], &p), 0);
		assert_string_equal(p.name, names[i]);
		assert_true(p.models[0] != '\0');
		assert_int_equal(ffaemu_proxy_profile_validate(&p), 0);
	}
	assert_null(ffaemu_proxy_profile_name_at(6));
	assert_int_equal(ffaemu_proxy_profile_get("pkvm-5.0", &p), FFAEMU_ENOENT);
	assert_int_equal(ffaemu_proxy_profile_get(NULL, &p), FFAEMU_EINVAL);
	ffaemu_proxy_profile_default(&d);
	assert_string_equal(d.name, "pkvm-2026");
}

static void test_profile_copy_and_edit(void **state)
{
	struct ffaemu_proxy_profile p;

	(void)state;
	ffaemu_proxy_profile_default(&p);
	assert_false(ffaemu_proxy_profile_denies(&p, FFAEMU_FFA_RUN));
	assert_int_equal(ffaemu_proxy_profile_deny(&p, FFAEMU_FFA_RUN), 0);
	assert_true(ffaemu_proxy_profile_denies(&p, FFAEMU_FFA_RUN));
	/* The SVE hint is not part of the ID. */
	assert_true(ffaemu_proxy_profile_denies(&p, FFAEMU_FFA_RUN | FFAEMU_SMCCC_SVE_HINT));
	assert_int_equal(ffaemu_proxy_profile_allow(&p, FFAEMU_FFA_RUN), 0);
	assert_int_equal(ffaemu_proxy_profile_allow(&p, FFAEMU_FFA_RUN), FFAEMU_ENOENT);
	p.page_size = 8192;
	assert_int_equal(ffaemu_proxy_profile_validate(&p), FFAEMU_EINVAL);
	p.page_size = 65536;
	assert_int_equal(ffaemu_proxy_profile_validate(&p), 0);
	/* 48 + 32 + 16 + 128 * 16 = 2144 -> one 64K page. */
	assert_int_equal(ffaemu_proxy_profile_desc_buf_size(&p), 65536);
	p.page_size = 4096;
	assert_int_equal(ffaemu_proxy_profile_desc_buf_size(&p), 4096);
	p.max_constituents = 4096;
	assert_int_equal(ffaemu_proxy_profile_desc_buf_size(&p), 69632);
	p.init_version = FFAEMU_FFA_1_3;
	assert_int_equal(ffaemu_proxy_profile_validate(&p), FFAEMU_EINVAL);
}

static void test_new_rejects_bad_config(void **state)
{
	struct ffaemu_proxy_config pc;
	struct ffaemu_proxy *px = (void *)1;
	struct ffaemu_mem *mem;

	(void)state;
	assert_int_equal(ffaemu_mem_new(NULL, &mem), 0);
	ffaemu_proxy_config_default(&pc);
	assert_int_equal(ffaemu_proxy_new(&pc, &px), FFAEMU_EINVAL);
	assert_null(px);
	pc.mem = mem;
	pc.downstream = NULL;
	assert_int_equal(ffaemu_proxy_new(&pc, &px), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_proxy_new(NULL, &px), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_proxy_new(&pc, NULL), FFAEMU_EINVAL);
	ffaemu_proxy_free(NULL);
	px = NULL;
	ffaemu_proxy_free(&px);
	/* the rest of the API takes NULL without crashing */
	assert_int_equal(ffaemu_proxy_init(NULL), FFAEMU_EINVAL);
	assert_null(ffaemu_proxy_node(NULL));
	assert_null(ffaemu_proxy_get_profile(NULL));
	assert_null(ffaemu_proxy_down_edge(NULL, FFAEMU_SMCCC_1_2));
	{
		struct ffaemu_proxy_status st;
		ffaemu_proxy_get_status(NULL, &st);
		assert_int_equal(st.state, FFAEMU_PROXY_UNINIT);
		ffaemu_proxy_get_status(NULL, NULL);
	}
	assert_string_equal(ffaemu_proxy_state_name((enum ffaemu_proxy_state)42), "unknown");
	assert_string_equal(ffaemu_proxy_state_name(FFAEMU_PROXY_INERT), "inert");
	assert_int_equal(ffaemu_proxy_profile_validate(NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_proxy_profile_desc_buf_size(NULL), 0);
	assert_false(ffaemu_proxy_profile_denies(NULL, FFAEMU_FFA_RUN));
	assert_int_equal(ffaemu_proxy_profile_deny(NULL, FFAEMU_FFA_RUN), FFAEMU_EINVAL);
	ffaemu_proxy_profile_default(NULL);
	ffaemu_proxy_config_default(NULL);
	ffaemu_mem_free(&mem);
}

static void test_hyp_ram_owned_by_hyp(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_proxy_status st = hst(h);
	struct ffaemu_page_info pi;

	(void)state;
	assert_int_equal(st.state, FFAEMU_PROXY_UNINIT);
	assert_int_equal(ffaemu_mem_page_info(h->mem, st.hyp_tx, &pi), 0);
	assert_int_equal(pi.owner.kind, FFAEMU_OWNER_HYP);
	assert_int_equal(ffaemu_mem_page_info(h->mem, st.desc_buf, &pi), 0);
	assert_int_equal(pi.owner.kind, FFAEMU_OWNER_HYP);
	assert_true(st.hyp_rx == st.hyp_tx + 4096);
	h_free(h);
}

/* ================================================ item 12: SMC entry */

static void test_entry_imm16_nonzero_not_supported(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	size_t before;

	(void)state;
	h_up(h, false);
	before = h->nlog;
	h->ctx.imm = 1;
	r = hcall(h, FFAEMU_FFA_ID_GET, 7, 0, 0, 0, 0);
	assert_true(r.x[0] == FFAEMU_SMCCC_UNKNOWN);
	assert_int_equal(r.x[1], 7); /* nothing else touched */
	assert_int_equal(h->nlog, before);
	r = hcall(h, FFAEMU_PSCI_VERSION, 0, 0, 0, 0, 0);
	assert_true(r.x[0] == FFAEMU_SMCCC_UNKNOWN); /* non-FF-A too: checked first */
	h_free(h);
}

static void test_entry_x0_upper_bits_not_supported(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	ffaemu_regs_clear(&r);
	r.x[0] = 0x100000000ull | FFAEMU_FFA_VERSION;
	r.x[1] = FFAEMU_FFA_1_2;
	hraw(h, &r);
	assert_true(r.x[0] == FFAEMU_SMCCC_UNKNOWN);
	assert_false(hst(h).negotiated);
	h_free(h);
}

static void test_entry_sve_hint_ignored_for_dispatch(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION | FFAEMU_SMCCC_SVE_HINT, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
	assert_true(hst(h).negotiated);
	/* A pass-through keeps the host's x0, hint included. */
	(void)hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64 | FFAEMU_SMCCC_SVE_HINT, SP_ID, 0, 0, 0, 0);
	assert_int_equal((uint32_t)(*dlast(h)).x[0],
			 FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64 | FFAEMU_SMCCC_SVE_HINT);
	h_free(h);
}

static void test_entry_non_ffa_forwarded_x0_x17(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	uint64_t fw;

	(void)state;
	h_up(h, false);
	fw = hst(h).forwarded;
	r = hcall(h, FFAEMU_PSCI_VERSION, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0x10001); /* EL3's PSCI 1.1 */
	assert_int_equal(hst(h).forwarded, fw + 1);
	/* FID 0xF0 (errata ABI) is in pKVM's window, not an ABI: forwarded, EL3 answers. */
	(void)hcall(h, 0x840000f0u, 0, 0, 0, 0, 0);
	assert_int_equal(hst(h).forwarded, fw + 2);
	h_free(h);
}

/* ======================================================= item 1: the gate */

static const uint32_t gated[] = {
	FFAEMU_FFA_ID_GET, FFAEMU_FFA_RX_RELEASE, FFAEMU_FFA_MSG_SEND_DIRECT_REQ,
	FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, FFAEMU_FFA_PARTITION_INFO_GET, FFAEMU_FFA_FEATURES,
	FFAEMU_FFA_RXTX_MAP_64, FFAEMU_FFA_MEM_SHARE_64, FFAEMU_FFA_SPM_ID_GET, FFAEMU_FFA_RUN,
	FFAEMU_FFA_MEM_RETRIEVE_REQ, FFAEMU_FFA_NOTIFICATION_SET,
};

static void test_gate_invalid_parameters_before_version(void **state)
{
	static const char *const profiles[] = {"pkvm-6.11", "pkvm-6.18", P2026,
					       "pkvm-2026-direct-msg"};

	(void)state;
	for (size_t p = 0; p < 4; p++) {
		struct h *h = h_real(profiles[p]);
		size_t before;

		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		before = h->nlog;
		for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
			struct ffaemu_regs r = hcall(h, gated[i], SP_ID, 0, 0, 0, 0);
			assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			assert_int_equal(r.x[1], 0);
			assert_int_equal(r.x[3], 0);
		}
		assert_int_equal(h->nlog, before); /* pass-throughs included: no SPMC call */
		h_free(h);
	}
}

static void test_gate_absent_before_6_11(void **state)
{
	struct h *h = h_real("pkvm-6.10");
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, SP_ID, 0, 5, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	h_free(h);
}

static void test_gate_opens_after_version(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	h_free(h);
}

/* =========================================== item 2: FFA_VERSION matrix */

static void test_version_other_major_not_supported(void **state)
{
	static const uint32_t reqs[] = {0x20000, 0x00000, 0x7fff0002, 0xffff0002};
	struct h *h = h_real(P2026);

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	for (size_t i = 0; i < 4; i++) {
		size_t before = h->nlog;
		struct ffaemu_regs r = hcall(h, FFAEMU_FFA_VERSION, reqs[i], 0, 0, 0, 0);
		assert_true(r.x[0] == UINT64_MAX);
		assert_int_equal(h->nlog, before);
		assert_false(hst(h).negotiated);
	}
	h_free(h);
}

static void test_version_same_or_higher_minor_negotiates(void **state)
{
	static const uint32_t reqs[] = {FFAEMU_FFA_1_2, FFAEMU_FFA_1_3, 0x10009};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct h *h = h_real(P2026);
		struct ffaemu_regs r;

		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		r = hcall(h, FFAEMU_FFA_VERSION, reqs[i], 0, 0, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
		for (int n = 1; n < FFAEMU_NREGS; n++)
			assert_int_equal(r.x[n], 0);
		assert_true(hst(h).negotiated);
		/* post-init: no VERSION to the SPMC, ID_GET + FEATURES(RXTX_MAP_64) */
		assert_int_equal(dcount(h, FFAEMU_FFA_VERSION), 1);
		assert_int_equal(dcount(h, FFAEMU_FFA_ID_GET), 1);
		assert_int_equal(dcount(h, FFAEMU_FFA_FEATURES), 1);
		h_free(h);
	}
}

static void test_version_bit31_ignored(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION, 0x80010002u, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
	assert_true(hst(h).negotiated);
	h_free(h);
}

static void test_version_downgrade_forwarded_to_spmc(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	const struct ffaemu_regs *down;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_1);
	/* x1-x17 are the SPMC's reply to the forwarded VERSION (zeros, spec C4) */
	for (int n = 1; n < FFAEMU_NREGS; n++)
		assert_int_equal(r.x[n], 0);
	assert_int_equal(dcount(h, FFAEMU_FFA_VERSION), 2);
	down = &h->dlog[2]; /* SMCCC_VERSION, init VERSION, this */
	assert_int_equal((uint32_t)down->x[0], FFAEMU_FFA_VERSION);
	assert_int_equal(down->x[1], FFAEMU_FFA_1_1);
	assert_int_equal(hst(h).hyp_version, FFAEMU_FFA_1_1);
	{
		struct ffaemu_spmc_ep_info ep = hyp_ep(h);
		assert_int_equal(ep.version, FFAEMU_FFA_1_1); /* the SPMC took the downgrade */
	}
	assert_true(hst(h).negotiated);
	h_free(h);
}

static void test_version_downgrade_refused_by_spmc_retry_allowed(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	/* the SPMC refuses the downgrade with a W-register -1 */
	h_fault(h, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, 0xffffffffull);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0xffffffffull); /* the SPMC's answer, unchanged */
	assert_false(hst(h).negotiated);
	assert_int_equal(hst(h).hyp_version, FFAEMU_FFA_1_2);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
	assert_true(hst(h).negotiated);
	h_free(h);
}

static void test_version_post_init_failure_stays_unnegotiated(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	h_fault(h, FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_ID_GET, FFAEMU_FFA_NOT_SUPPORTED, 0);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	assert_true(r.x[0] == UINT64_MAX);
	assert_false(hst(h).negotiated);
	/* the downgrade is not rolled back */
	assert_int_equal(hst(h).hyp_version, FFAEMU_FFA_1_1);
	r = hcall(h, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	/* the host may retry once the SPMC behaves (the fault hit once) */
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_1);
	assert_true(hst(h).negotiated);
	h_free(h);
}

static void test_version_after_negotiation_locked(void **state)
{
	static const struct {
		const char *profile;
		uint32_t req;
		uint64_t want;
	} rows[] = {
		{P2026, FFAEMU_FFA_1_1, UINT64_MAX},         /* lower minor: -1 (f41426939244) */
		{P2026, FFAEMU_FFA_1_0, UINT64_MAX},
		{P2026, FFAEMU_FFA_1_2, FFAEMU_FFA_1_2},     /* same */
		{P2026, FFAEMU_FFA_1_3, FFAEMU_FFA_1_2},     /* higher: hyp version */
		{P2026, 0x20000, UINT64_MAX},                /* other major */
		{"pkvm-6.11", FFAEMU_FFA_1_0, FFAEMU_FFA_1_1}, /* before the fix: hyp version */
		{"pkvm-6.18", FFAEMU_FFA_1_1, UINT64_MAX},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct h *h = h_real(rows[i].profile);
		struct ffaemu_regs r;
		size_t before;

		h_up(h, false);
		before = h->nlog;
		r = hcall(h, FFAEMU_FFA_VERSION, rows[i].req, 0, 0, 0, 0);
		assert_true(r.x[0] == rows[i].want);
		assert_int_equal(h->nlog, before); /* no SPMC call after negotiation */
		assert_int_equal(hst(h).hyp_version, h->prof.max_version);
		h_free(h);
	}
}

static void tweak_marker_all(struct standin *s);
static bool hook_version_marker(struct standin *s, struct ffaemu_regs *r)
{
	if ((uint32_t)r->x[0] != FFAEMU_FFA_VERSION)
		return false;
	ffaemu_regs_clear(r);
	r->x[0] = s->version;
	for (int n = 1; n < FFAEMU_NREGS; n++)
		r->x[n] = 0xa000 + (uint64_t)n;
	return true;
}

static void tweak_marker_all(struct standin *s)
{
	s->hook = hook_version_marker;
}

/*
 * A downgrade the SPMC accepts sets the hyp version to the host's request,
 * not to the SPMC's reply: an SPMC answering its own version (spec C4) still
 * leaves the hyp at the requested 1.1 (pkvm-proxy 1.5 table, row 4).
 */
static void test_version_downgrade_adopts_request_not_reply(void **state)
{
	struct h *h = h_real_spmc(P2026, "spmc-1.2", own_version);
	const struct ffaemu_regs *down;
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	down = &h->dlog[2];
	assert_int_equal(down->x[1], FFAEMU_FFA_1_1);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_1);
	assert_int_equal(hst(h).hyp_version, FFAEMU_FFA_1_1);
	assert_true(hst(h).negotiated);
	h_free(h);
}

/* Reply registers per profile: zeroed (2026), leaked stack (6.11: x1-x3, 6.18: x1-x17). */
static void test_version_reply_registers_per_profile(void **state)
{
	static const struct {
		const char *profile;
		unsigned leak_last; /* highest leaked register, 0 = none */
	} rows[] = {{P2026, 0}, {"pkvm-6.18", 7}, {"pkvm-6.11", 3}};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct h *h = h_new(rows[i].profile, tweak_marker_all);
		struct ffaemu_regs r;

		h->si->version = h->prof.max_version;
		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		ffaemu_regs_clear(&r);
		r.x[0] = FFAEMU_FFA_VERSION;
		r.x[1] = h->prof.max_version;
		for (int n = 4; n < FFAEMU_NREGS; n++)
			r.x[n] = 0x4000 + (uint64_t)n; /* what the host left there */
		hraw(h, &r);
		assert_int_equal(r.x[0], h->prof.max_version);
		for (unsigned n = 1; n < FFAEMU_NREGS; n++) {
			/*
			 * The model's uninitialised stack is the last down-call
			 * result: an SMC32 FFA_VERSION on SMCCC 1.2 returns x0-x7
			 * and keeps the hyp's own zeros in x8-x17.
			 */
			if (n <= rows[i].leak_last)
				assert_int_equal(r.x[n], 0xa000 + n); /* last SPMC reply */
			else if (h->prof.ret_regs == FFAEMU_PROXY_RET_X0_X3 && n >= 4)
				assert_int_equal(r.x[n], 0x4000 + n); /* host's own */
			else
				assert_int_equal(r.x[n], 0);
		}
		h_free(h);
	}
}

/* ================================================= item 3: initialisation */

static bool hook_no_ffa(struct standin *s, struct ffaemu_regs *r)
{
	(void)s;
	/* Firmware without FF-A: every FF-A ID is unknown, as a W-register -1. */
	ffaemu_regs_clear(r);
	r->x[0] = 0xffffffffull;
	return true;
}

static void tweak_no_ffa(struct standin *s)
{
	s->hook = hook_no_ffa;
}

static void test_init_spmc_without_ffa_leaves_pkvm_bootable(void **state)
{
	struct h *h = h_new(P2026, tweak_no_ffa);
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	assert_int_equal(hst(h).state, FFAEMU_PROXY_INERT);
	assert_int_equal(hst(h).hyp_version, 0);
	/* the system is up: non-FF-A SMCs still work */
	r = hcall(h, FFAEMU_PSCI_VERSION, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], 0x10001);
	/* the trap and the gate stay; the host's VERSION fails in post-init */
	r = hcall(h, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	assert_true(r.x[0] == UINT64_MAX);
	assert_false(hst(h).negotiated);
	h_free(h);
}

static void test_init_w32_minus1_fails_pkvm_before_s32_fix(void **state)
{
	static const char *const before_fix[] = {"pkvm-6.11", "pkvm-6.18"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct h *h = h_real(before_fix[i]);
		struct ffaemu_regs r;
		uint64_t fw;

		h_fault(h, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, 0xffffffffull);
		assert_int_equal(ffaemu_proxy_init(h->proxy), FFAEMU_ENOTSUP);
		assert_int_equal(hst(h).state, FFAEMU_PROXY_FAILED);
		/* no pKVM: the host's calls reach EL3 as they are, no gate */
		fw = hst(h).forwarded;
		r = hcall(h, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		assert_int_equal(hst(h).forwarded, fw + 1);
		h_free(h);
	}
}

static bool hook_no_ffa_sext(struct standin *s, struct ffaemu_regs *r)
{
	(void)s;
	ffaemu_regs_clear(r);
	r->x[0] = UINT64_MAX;
	return true;
}

static void tweak_no_ffa_sext(struct standin *s)
{
	s->hook = hook_no_ffa_sext;
}

static void test_init_sign_extended_minus1_inert_every_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < ffaemu_proxy_profile_count(); i++) {
		struct h *h = h_new(ffaemu_proxy_profile_name_at(i), tweak_no_ffa_sext);
		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		assert_int_equal(hst(h).state, FFAEMU_PROXY_INERT);
		h_free(h);
	}
}

/*
 * Inert means init stopped early, not that the trap went away: the FF-A
 * handler runs for every FF-A call in every profile (pkvm-proxy 1.6: "runs
 * even when the proxy is inert"). Before 6.11 there is no gate, so the
 * deny-list and the handled calls still answer; VERSION is not trapped.
 */
static void test_init_inert_old_profile_still_filters(void **state)
{
	struct h *h = h_new("pkvm-6.10", tweak_no_ffa_sext);
	struct ffaemu_regs r;
	size_t before;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	assert_int_equal(hst(h).state, FFAEMU_PROXY_INERT);
	before = h->nlog;
	r = hcall(h, FFAEMU_FFA_MEM_DONATE, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_SHARE_64, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, 64, 64, 0, 0, 0); /* no host TX */
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(h->nlog, before);
	/* pass-throughs and the untrapped VERSION reach the firmware */
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	assert_true(r.x[0] == UINT64_MAX);
	(void)hcall(h, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
	assert_int_equal(h->nlog, before + 2);
	h_free(h);
}

static void test_init_major_not_1_fatal(void **state)
{
	struct h *h = h_real(P2026);

	(void)state;
	h_fault(h, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, 0x20000);
	assert_int_equal(ffaemu_proxy_init(h->proxy), FFAEMU_ENOTSUP);
	assert_int_equal(hst(h).state, FFAEMU_PROXY_FAILED);
	assert_int_equal(ffaemu_proxy_init(h->proxy), FFAEMU_EPERM);
	h_free(h);
}

static void test_init_version_capped(void **state)
{
	static const struct {
		const char *profile;
		uint32_t spmc, want;
	} rows[] = {
		{P2026, FFAEMU_FFA_1_3, FFAEMU_FFA_1_2}, {P2026, FFAEMU_FFA_1_1, FFAEMU_FFA_1_1},
		{P2026, FFAEMU_FFA_1_0, FFAEMU_FFA_1_0}, {"pkvm-6.11", FFAEMU_FFA_1_2, FFAEMU_FFA_1_1},
		{"pkvm-6.10", FFAEMU_FFA_1_1, FFAEMU_FFA_1_0}, {"pkvm-6.18", 0x10007, FFAEMU_FFA_1_2},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct h *h = h_real(rows[i].profile);
		h_fault(h, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, rows[i].spmc);
		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		assert_int_equal(hst(h).hyp_version, rows[i].want);
		/* the init request carried the profile's version */
		assert_int_equal(h->dlog[1].x[1], h->prof.init_version);
		h_free(h);
	}
}

static void test_init_smccc_below_1_2_inert(void **state)
{
	struct ffaemu_proxy_profile p;
	struct h *h;

	(void)state;
	ffaemu_proxy_profile_default(&p);
	h = h_real_ex(&p, FFAEMU_SMCCC_1_1, NULL, NULL);
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	assert_int_equal(hst(h).state, FFAEMU_PROXY_INERT);
	assert_int_equal(dcount(h, FFAEMU_FFA_VERSION), 0); /* never sent */
	assert_int_equal(dcount(h, FFAEMU_SMCCC_VERSION_FID), 1);
	h_free(h);
}

static void test_init_6_4_requires_exactly_1_0(void **state)
{
	struct h *h = h_real_spmc("pkvm-6.4", "spmc-1.1", own_version);

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), FFAEMU_ENOTSUP);
	h_free(h);
	h = h_real("pkvm-6.4");
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	/* post-init ran at init in 6.4: ID_GET and FEATURES already sent */
	assert_int_equal(dcount(h, FFAEMU_FFA_ID_GET), 1);
	assert_true(hst(h).negotiated);
	h_free(h);
}

/* post-init: ID must be 0, FEATURES(RXTX_MAP_64) minimum <= PAGE_SIZE. */
static uint32_t g_min_size;
static void spmc_min_size(struct ffaemu_spmc_profile *p)
{
	p->rxtx_min_size = g_min_size;
}

static void test_post_init_rxtx_minimum_vs_page_size(void **state)
{
	/* The real SPMC: its minimum size, and (to 1.2 callers) its maximum in w2[31:16]. */
	static const struct {
		const char *profile;
		bool mask_fix;
		uint32_t page, spmc_min;
		bool ok;
	} rows[] = {
		{P2026, true, 4096, 4096, true},     {P2026, true, 4096, 65536, false},
		{P2026, true, 4096, 16384, false},   {P2026, true, 16384, 16384, true},
		{P2026, true, 16384, 65536, false},  {P2026, true, 65536, 65536, true},
		{P2026, true, 65536, 4096, true},
		/* a 1.2 SPMC puts its maximum page count in w2[31:16] (spec C5.1) */
		{"pkvm-6.18", true, 4096, 4096, true},
		{P2026, false, 4096, 4096, false},   /* whole w2 switched: before 3f5952917498 */
		{"pkvm-6.11", true, 4096, 4096, true}, /* asks 1.1: no maximum, no breakage */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ffaemu_proxy_profile p;
		struct ffaemu_regs r;
		struct h *h;

		assert_int_equal(ffaemu_proxy_profile_get(rows[i].profile, &p), 0);
		p.page_size = rows[i].page;
		p.fixes.features_mask = rows[i].mask_fix;
		g_min_size = rows[i].spmc_min;
		h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, spmc_min_size);
		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		r = hcall(h, FFAEMU_FFA_VERSION, p.max_version, 0, 0, 0, 0);
		if (rows[i].ok) {
			assert_int_equal(r.x[0], p.max_version);
			assert_int_equal(hst(h).min_rxtx_size, rows[i].spmc_min);
		} else {
			assert_true(r.x[0] == UINT64_MAX);
			assert_false(hst(h).negotiated);
		}
		h_free(h);
	}
}

/* A lying SPMC (stand-in): a non-zero ID for the NS endpoint, a reserved size code. */
static void test_post_init_rejects_bad_id_and_reserved_size(void **state)
{
	static const struct {
		uint64_t id, w2;
	} rows[] = {{1, 0}, {0x10000, 0}, {0, 3}};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct h *h = h_new(P2026, NULL);
		struct ffaemu_regs r;

		h->si->id_w2 = rows[i].id;
		h->si->rxtx_feat_w2 = rows[i].w2;
		assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
		r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
		assert_true(r.x[0] == UINT64_MAX);
		assert_false(hst(h).negotiated);
		h_free(h);
	}
}

/* ============================================ item 4: deny-list exactness */

/* Profiles in built-in order: 6.4, 6.10, 6.11, 6.18, 2026, 2026-direct-msg. */
#define ALL 0x3fu
static const struct {
	uint32_t fid;
	uint8_t denied_in; /* bit i = built-in profile i denies it */
} deny_rows[] = {
	{FFAEMU_FFA_MEM_RETRIEVE_REQ, ALL},        {FFAEMU_FFA_MEM_RETRIEVE_REQ_64, ALL},
	{FFAEMU_FFA_MEM_RETRIEVE_RESP, ALL},       {FFAEMU_FFA_MEM_RELINQUISH, ALL},
	{FFAEMU_FFA_MEM_OP_PAUSE, ALL},            {FFAEMU_FFA_MEM_OP_RESUME, ALL},
	{FFAEMU_FFA_MEM_FRAG_RX, ALL},             {FFAEMU_FFA_MEM_DONATE, ALL},
	{FFAEMU_FFA_MEM_DONATE_64, ALL},           {FFAEMU_FFA_MSG_SEND, ALL},
	{FFAEMU_FFA_MSG_POLL, ALL},                {FFAEMU_FFA_MSG_WAIT, ALL},
	{FFAEMU_FFA_RXTX_MAP, ALL},                {FFAEMU_FFA_MSG_SEND_DIRECT_RESP, ALL},
	{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x01},    {FFAEMU_FFA_FEATURES, 0},
	{FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64, 0x30},
	{FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0x38}, {FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY, 0x38},
	{FFAEMU_FFA_NOTIFICATION_BIND, 0x38},      {FFAEMU_FFA_NOTIFICATION_UNBIND, 0x38},
	{FFAEMU_FFA_NOTIFICATION_SET, 0x38},       {FFAEMU_FFA_NOTIFICATION_GET, 0x38},
	{FFAEMU_FFA_NOTIFICATION_INFO_GET, 0x38},  {FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x18},
	{FFAEMU_FFA_MSG_SEND_DIRECT_RESP2, 0x38},  {FFAEMU_FFA_CONSOLE_LOG, 0x38},
	{FFAEMU_FFA_PARTITION_INFO_GET_REGS, 0x38},
	/* the holes: forwarded everywhere (8d24683e3e0f lists FFA_CONSOLE_LOG, which
	 * Linux defines as the SMC32 ID only, as with NOTIFICATION_INFO_GET) */
	{FFAEMU_FFA_CONSOLE_LOG_64, 0},
	{FFAEMU_FFA_NOTIFICATION_INFO_GET_64, 0},  {FFAEMU_FFA_MSG_SEND2, 0},
	{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0},    {FFAEMU_FFA_EL3_INTR_HANDLE, 0},
	{FFAEMU_FFA_RUN, 0},                       {FFAEMU_FFA_YIELD, 0},
	{FFAEMU_FFA_RX_ACQUIRE, 0},                {FFAEMU_FFA_SPM_ID_GET, 0},
	{FFAEMU_FFA_MEM_PERM_GET, 0},              {FFAEMU_FFA_SECONDARY_EP_REGISTER, 0},
	{FFAEMU_FFA_NORMAL_WORLD_RESUME, 0},       {FFAEMU_FFA_MSG_WAIT_64, 0},
};
#define NDENY (sizeof(deny_rows) / sizeof(deny_rows[0]))

static void test_deny_list_exact_per_profile(void **state)
{
	(void)state;
	for (size_t p = 0; p < 6; p++) {
		struct ffaemu_proxy_profile prof;
		uint32_t expected = 0;

		assert_int_equal(ffaemu_proxy_profile_get(ffaemu_proxy_profile_name_at(p), &prof), 0);
		for (size_t i = 0; i < NDENY; i++) {
			bool want = (deny_rows[i].denied_in >> p) & 1u;
			if (ffaemu_proxy_profile_denies(&prof, deny_rows[i].fid) != want)
				fail_msg("%s: fid 0x%08x denied=%d", prof.name, deny_rows[i].fid, !want);
			expected += want;
		}
		/* nothing denied that the table does not list */
		assert_int_equal(prof.deny_count, expected);
	}
}

static void test_deny_list_live_per_profile(void **state)
{
	(void)state;
	for (size_t p = 0; p < 6; p++) {
		struct h *h = h_real(ffaemu_proxy_profile_name_at(p));

		h_up(h, false);
		for (size_t i = 0; i < NDENY; i++) {
			bool want = (deny_rows[i].denied_in >> p) & 1u;
			size_t before = h->nlog;
			struct ffaemu_regs r = hcall(h, deny_rows[i].fid, 0, 0, 0, 0, 0);

			if (want) {
				assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
				assert_int_equal(h->nlog, before);
			} else {
				/* forwarded (REQ2 in the pending series: checked, then sent) */
				assert_int_equal(h->nlog, before + 1);
			}
		}
		h_free(h);
	}
}

/*
 * The live deny-list (a bitmap per convention, built at creation) decides
 * exactly as ffaemu_proxy_profile_denies: entries of either convention, an
 * entry with reserved bits 17-23 set (kept in the profile's list), and the
 * neighbours of each entry that are not listed.
 */
static void test_deny_list_live_matches_profile_for_every_fid_shape(void **state)
{
	static const uint32_t listed[] = {
		FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, /* SMC64 form only */
		FFAEMU_FFA_RUN | (1u << 17),       /* reserved bit: a fid of another shape */
		FFAEMU_FFA_ID_GET,
	};
	static const uint32_t probe[] = {
		FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, FFAEMU_FFA_MSG_SEND_DIRECT_REQ,
		FFAEMU_FFA_RUN | (1u << 17),       FFAEMU_FFA_RUN,
		FFAEMU_FFA_RUN | (1u << 18),       FFAEMU_FFA_ID_GET,
		FFAEMU_FFA_ID_GET | FFAEMU_SMCCC_SMC64, FFAEMU_FFA_SPM_ID_GET,
	};
	struct ffaemu_proxy_profile p;
	struct h *h;

	(void)state;
	ffaemu_proxy_profile_default(&p);
	p.deny_count = 0;
	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		assert_int_equal(ffaemu_proxy_profile_deny(&p, listed[i]), FFAEMU_OK);
	h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
	h_up(h, false);
	for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		bool want = ffaemu_proxy_profile_denies(&p, probe[i]);
		size_t before = h->nlog;
		struct ffaemu_regs r = hcall(h, probe[i], 0, 0, 0, 0, 0);

		/* The probes were picked so that the list both denies and passes. */
		assert_int_equal(want, i == 0 || i == 2 || i == 5);
		if (want) {
			assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
			assert_int_equal(h->nlog, before);
		} else {
			assert_true(h->nlog > before);
		}
	}
	h_free(h);
}

/* 0x80-0xFF were not FF-A before 6.11: no gate, no deny-list (0dd60c4632a1). */
static void test_ffa_range_before_and_after_6_11(void **state)
{
	struct h *h = h_real("pkvm-6.10");
	struct ffaemu_regs r;

	(void)state;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	(void)hcall(h, FFAEMU_FFA_NOTIFICATION_SET, 0, 0, 0, 0, 0);
	assert_int_equal(dcount(h, FFAEMU_FFA_NOTIFICATION_SET), 1);
	h_free(h);
	h = h_real("pkvm-6.11");
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_NOTIFICATION_SET, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS); /* the gate sees it now */
	h_free(h);
}

/* MSG_SEND2 is forwarded, and the SPMC reads the hyp's TX, not the host's (1.3). */
static void test_msg_send2_forwarded_reads_hyp_tx(void **state)
{
	struct h *h = h_real(P2026);

	(void)state;
	h_up(h, true);
	(void)hcall(h, FFAEMU_FFA_MSG_SEND2, 0, 0, 0, 0, 0);
	assert_int_equal(dcount(h, FFAEMU_FFA_MSG_SEND2), 1);
	assert_true(hyp_ep(h).tx_pa == hst(h).hyp_tx);
	assert_true(hyp_ep(h).tx_pa != HOST_TX);
	h_free(h);
}

/* REQ2 in the pending direct-messaging series: allowed iff hyp >= 1.2. */
static void test_direct_msg_series_req2_and_checks(void **state)
{
	struct h *h = h_real("pkvm-2026-direct-msg");
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, SP_ID, 0, 0, 0x44, 0); /* nil UUID */
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, (5u << 16) | SP_ID, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, (1u << 16) | SP_ID, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, SP_ID, 0x80000008u, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, SP_ID, 0, 7, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	h_free(h);
	/* a host that negotiated 1.1 does not get REQ2 */
	h = h_real("pkvm-2026-direct-msg");
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	(void)hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, SP_ID, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	h_free(h);
}

/*
 * The pending series forwards a checked direct request with x0-x17
 * verbatim: REQ2's x4-x17 payload reaches the partition and its RESP2
 * payload comes back whole (pkvm-proxy 1.19, 1.17).
 */
static void test_direct_msg_series_req2_payload_x4_x17(void **state)
{
	struct h *h = h_real("pkvm-2026-direct-msg");
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	r.x[1] = SP_ID;
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		r.x[n] = 0x1100000000ull + n;
	ffaemu_edge_call(h->host, &r, &h->ctx);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(dlast(h)->x[17], 0x1100000000ull + 17); /* what the SPMC got */
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		assert_int_equal(r.x[n], 0x1100000000ull + n); /* the echo's payload */
	h_free(h);
}

/* ========================================================= item 5: FEATURES */

static void test_features_filtering(void **state)
{
	struct h *h = h_real(P2026);
	static const uint32_t local_ok[] = {FFAEMU_FFA_MEM_SHARE, FFAEMU_FFA_MEM_SHARE_64,
					    FFAEMU_FFA_MEM_LEND, FFAEMU_FFA_MEM_LEND_64};
	struct ffaemu_regs r;
	size_t before;

	(void)state;
	h_up(h, false);
	before = h->nlog;
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_NOTIFICATION_BIND, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	for (size_t i = 0; i < 4; i++) {
		r = hcall(h, FFAEMU_FFA_FEATURES, local_ok[i], 0xff, 0, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		for (int n = 1; n < FFAEMU_NREGS; n++)
			assert_int_equal(r.x[n], 0);
	}
	assert_int_equal(h->nlog, before); /* no SPMC contact */
	/* everything else: the SPMC's answer (its RXTX_MAP limits, interrupt IDs) */
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 16u << 16); /* spmc-1.2: 4K minimum, 16 pages maximum */
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_FEATURE_SRI, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(h->nlog, before + 2);
	h_free(h);
}

/* ==================================================== item 6: RXTX map/unmap */

static void test_rxtx_map_checks(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	ffaemu_mem_get_stats(h->mem, &ms);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 2, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX + 0x800, HOST_RX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP, HOST_TX, HOST_RX, 1, 0, 0); /* 32-bit: denied */
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	assert_false(hyp_ep(h).mapped);
	/* TX == RX: the second share fails, everything rolled back */
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_TX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_false(hyp_ep(h).mapped);
	assert_int_equal(dcount(h, FFAEMU_FFA_RXTX_UNMAP), 1);
	assert_map_same(h, &ms);
	/* a guest page is not the host's */
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, GUEST_RAM, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_map_same(h, &ms);
	assert_false(hyp_ep(h).mapped);
	/* success: shared with and pinned by the hyp; hyp buffers mapped at the SPMC */
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_true(hyp_ep(h).mapped);
	assert_true(hyp_ep(h).tx_pa == hst(h).hyp_tx && hyp_ep(h).rx_pa == hst(h).hyp_rx);
	assert_int_equal(hyp_state(h, HOST_TX), FFAEMU_PAGE_SHARED);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX + 0x40000, HOST_RX + 0x40000, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_DENIED);
	/* unmap: w1 must be 0 */
	r = hcall(h, FFAEMU_FFA_RXTX_UNMAP, 1u << 16, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_false(hyp_ep(h).mapped); /* lockstep */
	assert_map_same(h, &ms);
	r = hcall(h, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	h_free(h);
}

static void test_rxtx_map_spmc_failure_propagated(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	ffaemu_mem_get_stats(h->mem, &ms);
	h_fault(h, FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_RXTX_MAP_64, FFAEMU_FFA_NO_MEMORY, 0);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NO_MEMORY); /* the SPMC's w2, now sign-extended */
	assert_false(hst(h).host_mapped);
	assert_map_same(h, &ms);
	h_free(h);
}

static void test_rxtx_map_16k_kernel(void **state)
{
	struct ffaemu_proxy_profile p;
	struct ffaemu_regs r;
	struct h *h;

	(void)state;
	ffaemu_proxy_profile_default(&p);
	p.page_size = 16384;
	h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX + 0x1000, HOST_RX, 4, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 4, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(hyp_ep(h).rxtx_pages, 4);
	assert_int_equal(hyp_state(h, HOST_TX + 0x3000), FFAEMU_PAGE_SHARED);
	h_free(h);
}

/*
 * RXTX_MAP step 5: the RX page is already shared with the hypervisor and
 * pinned (a page the host cannot hand over): its share fails after the TX
 * share, TX is unshared again and the hyp buffers unmapped at the SPMC; the
 * RX page is left exactly as it was (pkvm-proxy 1.10 steps 5-6, 1.16). The
 * pin step itself cannot fail once both shares succeeded (a freshly shared
 * page has no pins), so its rollback is unreachable through mem.h.
 */
static void test_rxtx_map_rx_share_failure_rolls_back(void **state)
{
	const struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
	struct ffaemu_range rx = {HOST_RX, 1};
	struct h *h = h_real(P2026);
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	unsigned pins = 0;

	(void)state;
	h_up(h, false);
	/* RX: shared with the hyp and pinned from outside */
	assert_int_equal(ffaemu_mem_hyp_share(h->mem, &rx, 1, host), 0);
	while (ffaemu_mem_pin(h->mem, &rx, 1, host) == FFAEMU_OK)
		pins++;
	assert_true(pins > 0);
	assert_int_equal(ffaemu_mem_hyp_unshare(h->mem, &rx, 1, host) == FFAEMU_OK ? 0 : 1, 1);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_false(hst(h).host_mapped);
	assert_false(hyp_ep(h).mapped);
	assert_int_equal(dcount(h, FFAEMU_FFA_RXTX_UNMAP), 1);
	assert_int_equal(ffaemu_mem_page_info(h->mem, HOST_TX, &pi), 0);
	assert_int_equal(pi.pins, 0);
	assert_int_equal(pi.hyp_state, FFAEMU_PAGE_OWNED);
	assert_int_equal(ffaemu_mem_page_info(h->mem, HOST_RX, &pi), 0);
	assert_int_equal(pi.pins, pins);
	assert_int_equal(pi.hyp_state, FFAEMU_PAGE_SHARED); /* as it was */
	h_free(h);
}

/* ===================================== item 7: MEM_SHARE/LEND validation */

enum mut {
	M_ADDR, M_NPAGES, M_FRAG_GT_LEN, M_FRAG_GT_PAGE, M_TOO_SHORT, M_UNMAPPED, M_LEN_GT_DESC,
	M_EMAD_OFF, M_COMP_ZERO, M_EP_COUNT, M_SENDER, M_COMP_WRAP, M_COMP_PAST, M_TRAILING,
	M_PG0, M_ALREADY, M_PINNED, M_GUEST, M_SECOND_RANGE, M_WRAP_ADDR,
};

static const struct {
	enum mut m;
	const char *name;
	int32_t err;
} mem_rows[] = {
	{M_ADDR, "1: x3 != 0", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_NPAGES, "1: w4 != 0", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_FRAG_GT_LEN, "2: fraglen > len", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_FRAG_GT_PAGE, "2: fraglen > PAGE_SIZE", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_TOO_SHORT, "3: shorter than header + EMAD", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_UNMAPPED, "4: host TX unmapped", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_LEN_GT_DESC, "5: len > descriptor buffer", FFAEMU_FFA_NO_MEMORY},
	{M_EMAD_OFF, "7: EMAD offset out of fragment", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_COMP_ZERO, "8: composite offset 0", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_EP_COUNT, "8: ep_count 2", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_SENDER, "8: sender != 0", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_COMP_WRAP, "9: composite offset near U32_MAX", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_COMP_PAST, "9: composite past the fragment", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_TRAILING, "10: trailing bytes not x16", FFAEMU_FFA_INVALID_PARAMETERS},
	{M_PG0, "11: pg_cnt 0", FFAEMU_FFA_DENIED},
	{M_ALREADY, "11: already shared", FFAEMU_FFA_DENIED},
	{M_PINNED, "11: hyp-pinned mailbox page", FFAEMU_FFA_DENIED},
	{M_GUEST, "11: guest-owned page", FFAEMU_FFA_DENIED},
	{M_SECOND_RANGE, "11: second range fails, first rolled back", FFAEMU_FFA_DENIED},
	{M_WRAP_ADDR, "11: range wraps 2^64", FFAEMU_FFA_DENIED},
};

static void test_mem_share_validation_steps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mem_rows) / sizeof(mem_rows[0]); i++) {
		struct h *h = h_real(P2026);
		struct ffaemu_mem_stats ms;
		struct ffaemu_regs r;
		uint64_t x3 = 0, x4 = 0;
		uint32_t len, fraglen;
		size_t before;

		h_up(h, mem_rows[i].m != M_UNMAPPED);
		if (mem_rows[i].m == M_ALREADY) {
			g_o = one_range(SHARE_PA, 1);
			len = write_desc(h, &g_o);
			r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
			assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		}
		g_o = one_range(SHARE_PA, 2);
		switch (mem_rows[i].m) {
		case M_EMAD_OFF: g_o.emad_off = 0xfff0; g_o.emad_place = 48; break;
		case M_COMP_ZERO: g_o.comp_zero = true; break;
		case M_EP_COUNT: g_o.ep_count = 2; break;
		case M_SENDER: g_o.sender = 5; break;
		case M_COMP_WRAP: g_o.comp_off = 0xfffffff8u; break;
		case M_COMP_PAST: g_o.comp_off = 0x10000; break;
		case M_TRAILING: g_o.extra = 8; break;
		case M_PG0: g_o.c[0].pg = 0; break;
		case M_PINNED: g_o.c[0].base = HOST_TX; g_o.c[0].pg = 1; break;
		case M_GUEST: g_o.c[0].base = GUEST_RAM; break;
		case M_SECOND_RANGE:
			g_o.n = 2;
			g_o.c[1].base = GUEST_RAM;
			g_o.c[1].pg = 1;
			break;
		case M_WRAP_ADDR: g_o.c[0].base = 0xfffffffffffff000ull; break;
		default: break;
		}
		len = fraglen = write_desc(h, &g_o);
		switch (mem_rows[i].m) {
		case M_ADDR: x3 = 0x1000; break;
		case M_NPAGES: x4 = 1; break;
		case M_FRAG_GT_LEN: fraglen = len + 16; break;
		case M_FRAG_GT_PAGE: len = 8192; fraglen = 4096 + 16; break;
		case M_TOO_SHORT: len = fraglen = 48 + 16; break;
		case M_LEN_GT_DESC: len = (uint32_t)hst(h).desc_buf_size + 16; break;
		case M_COMP_PAST: break;
		default: break;
		}
		ffaemu_mem_get_stats(h->mem, &ms);
		before = h->nlog;
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, fraglen, x3, x4, 0);
		if ((uint32_t)r.x[0] != FFAEMU_FFA_ERROR ||
		    (int32_t)(uint32_t)r.x[2] != mem_rows[i].err)
			fail_msg("%s: x0=0x%llx x2=%lld", mem_rows[i].name,
				 (unsigned long long)r.x[0], (long long)(int32_t)r.x[2]);
		assert_true(r.x[2] == (uint64_t)(int64_t)mem_rows[i].err);
		assert_int_equal(h->nlog, before); /* the SPMC never saw it */
		assert_map_same(h, &ms);
		assert_int_equal(hst(h).el2_faults, 0);
		if (mem_rows[i].m != M_ALREADY)
			assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_OWNED);
		h_free(h);
	}
}

/*
 * The ORDER of 1.13: two faults at once, the earlier step answers. Where the
 * errors differ the order is visible: 4 (TX unmapped) before 5 (NO_MEMORY),
 * 5 before the descriptor checks (7-10) and the page checks (11, DENIED),
 * 8-10 (INVALID) before 11 (DENIED). Before f26a525b77e0 (pkvm-6.11) step 5
 * does not exist and the same input reaches step 11.
 */
static void test_mem_share_validation_order(void **state)
{
	enum { O_UNMAPPED = 1, O_LONG = 2, O_EP2 = 4, O_TRAIL = 8, O_GUEST = 16 };
	static const struct {
		const char *profile;
		unsigned faults;
		int32_t err;
	} rows[] = {
		{P2026, O_UNMAPPED | O_LONG, FFAEMU_FFA_INVALID_PARAMETERS},  /* 4 before 5 */
		{P2026, O_LONG | O_EP2, FFAEMU_FFA_NO_MEMORY},                /* 5 before 8 */
		{P2026, O_LONG | O_GUEST, FFAEMU_FFA_NO_MEMORY},              /* 5 before 11 */
		{P2026, O_EP2 | O_GUEST, FFAEMU_FFA_INVALID_PARAMETERS},      /* 8 before 11 */
		{P2026, O_TRAIL | O_GUEST, FFAEMU_FFA_INVALID_PARAMETERS},    /* 10 before 11 */
		{"pkvm-6.11", O_LONG | O_GUEST, FFAEMU_FFA_DENIED},           /* no step 5 yet */
		{"pkvm-6.11", O_LONG | O_EP2, FFAEMU_FFA_INVALID_PARAMETERS},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct h *h = h_real(rows[i].profile);
		struct ffaemu_mem_stats ms;
		struct ffaemu_regs r;
		uint32_t len, fraglen;
		size_t before;

		h_up(h, !(rows[i].faults & O_UNMAPPED));
		g_o = one_range((rows[i].faults & O_GUEST) ? GUEST_RAM : SHARE_PA, 1);
		g_o.ver = hst(h).hyp_version;
		if (rows[i].faults & O_EP2)
			g_o.ep_count = 2;
		if (rows[i].faults & O_TRAIL)
			g_o.extra = 8;
		len = fraglen = write_desc(h, &g_o);
		if (rows[i].faults & O_LONG)
			len = (uint32_t)hst(h).desc_buf_size + 16;
		ffaemu_mem_get_stats(h->mem, &ms);
		before = h->nlog;
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, fraglen, 0, 0, 0);
		if ((uint32_t)r.x[0] != FFAEMU_FFA_ERROR || (int32_t)(uint32_t)r.x[2] != rows[i].err)
			fail_msg("row %zu (%s): x0=0x%llx w2=%d", i, rows[i].profile,
				 (unsigned long long)r.x[0], (int32_t)(uint32_t)r.x[2]);
		assert_int_equal(h->nlog, before);
		assert_map_same(h, &ms);
		h_free(h);
	}
}

static void test_mem_share_success_and_fn64_reissue(void **state)
{
	static const struct {
		uint32_t fid, down;
	} rows[] = {
		{FFAEMU_FFA_MEM_SHARE, FFAEMU_FFA_MEM_SHARE_64},
		{FFAEMU_FFA_MEM_SHARE_64, FFAEMU_FFA_MEM_SHARE_64},
		{FFAEMU_FFA_MEM_LEND, FFAEMU_FFA_MEM_LEND_64},
		{FFAEMU_FFA_MEM_LEND_64, FFAEMU_FFA_MEM_LEND_64},
	};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct h *h = h_real(P2026);
		struct ffaemu_regs r;
		const struct ffaemu_regs *d;
		uint32_t len;

		h_up(h, true);
		g_o = one_range(SHARE_PA, 3);
		g_o.lend = rows[i].down == FFAEMU_FFA_MEM_LEND_64;
		len = write_desc(h, &g_o);
		r = hcall(h, rows[i].fid, len, len, 0, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		assert_true(ffaemu_regs_handle(&r, 2) != 0);
		d = dlast(h);
		assert_int_equal((uint32_t)d->x[0], rows[i].down);
		assert_int_equal(d->x[1], len);
		assert_int_equal(d->x[2], len);
		assert_int_equal(d->x[3], 0);
		for (int p = 0; p < 3; p++)
			assert_int_equal(hyp_state(h, SHARE_PA + 0x1000u * p), FFAEMU_PAGE_SHARED);
		assert_int_equal(hyp_state(h, SHARE_PA + 0x3000), FFAEMU_PAGE_OWNED);
		h_free(h);
	}
}

/* 16K kernel pages: whole, aligned host pages only (1.1, 6a7a181f6921). */
static void test_mem_share_16k_alignment(void **state)
{
	static const struct {
		uint64_t off;
		uint32_t pg;
		bool ok;
	} rows[] = {{0, 4, true}, {0, 1, false}, {0x1000, 4, false}, {0, 8, true}};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct ffaemu_proxy_profile p;
		struct ffaemu_regs r;
		struct h *h;
		uint32_t len;

		ffaemu_proxy_profile_default(&p);
		p.page_size = 16384;
		h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
		h_up(h, true);
		g_o = one_range(SHARE_PA + rows[i].off, rows[i].pg);
		len = write_desc(h, &g_o);
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
		if (rows[i].ok)
			assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		else
			assert_proxy_error(r, FFAEMU_FFA_DENIED);
		h_free(h);
	}
}

static void test_mem_share_spmc_failure_rolls_back(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;
	uint32_t len;

	(void)state;
	h_up(h, true);
	g_o = one_range(SHARE_PA, 2);
	len = write_desc(h, &g_o);
	ffaemu_mem_get_stats(h->mem, &ms);
	h_fault(h, FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_MEM_LEND_64, FFAEMU_FFA_DENIED, 0);
	r = hcall(h, FFAEMU_FFA_MEM_LEND, len, len, 0, 0, 0);
	/* the SPMC's registers, verbatim: its zero-extended error */
	assert_int_equal(r.x[0], FFAEMU_FFA_ERROR);
	assert_int_equal(r.x[2], 0xfffffffaull);
	assert_map_same(h, &ms);
	h_free(h);
}

/* 1.0 and 1.1 layouts are read at the hyp's version. */
static void test_mem_share_layout_follows_hyp_version(void **state)
{
	static const uint32_t vers[] = {FFAEMU_FFA_1_0, FFAEMU_FFA_1_1};
	static const char *const spmcs[] = {"spmc-1.0", "spmc-1.1"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct h *h = h_real_spmc(P2026, spmcs[i], own_version);
		struct ffaemu_regs r;
		uint32_t len;

		h_up(h, true);
		assert_int_equal(hst(h).hyp_version, vers[i]);
		g_o = one_range(SHARE_PA, 1);
		g_o.ver = vers[i];
		len = write_desc(h, &g_o);
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
		h_free(h);
	}
}

/* ========================================================== item 8: fragments */

/* A descriptor of n ranges (one page each, every other page), split at first bytes. */
static uint32_t frag_desc(struct h *h, uint32_t n, uint8_t *buf, size_t cap)
{
	memset(&g_o, 0, sizeof(g_o));
	g_o.n = n;
	for (uint32_t i = 0; i < n; i++) {
		g_o.c[i].base = SHARE_PA + 0x2000ull * i;
		g_o.c[i].pg = 1;
	}
	g_o.ver = hst(h).hyp_version ? hst(h).hyp_version : FFAEMU_FFA_1_2;
	return build_desc(buf, cap, &g_o);
}

static uint8_t g_buf[65536];

static void test_frag_share_two_fragments(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	uint32_t len, first;
	uint64_t handle;

	(void)state;
	h_up(h, true);
	len = frag_desc(h, 4, g_buf, sizeof(g_buf));
	first = len - 32; /* two constituents left for FRAG_TX */
	ffaemu_mem_write(h->mem, HOST_TX, g_buf, first);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, first, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MEM_FRAG_RX);
	assert_int_equal(r.x[3], first);
	handle = ffaemu_regs_handle(&r, 1);
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
	assert_int_equal(hyp_state(h, SHARE_PA + 0x4000), FFAEMU_PAGE_OWNED);
	ffaemu_mem_write(h->mem, HOST_TX, g_buf + first, 32);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)handle, handle >> 32, 32, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(hyp_state(h, SHARE_PA + 0x4000), FFAEMU_PAGE_SHARED);
	assert_int_equal(hyp_state(h, SHARE_PA + 0x6000), FFAEMU_PAGE_SHARED);
	h_free(h);
}

/* A malicious SPMC: FRAG_RX offset != fraglen -> the share is undone. */
static void test_frag_rx_offset_mismatch_rolls_back(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;
	uint32_t len;

	(void)state;
	h_up(h, true);
	len = frag_desc(h, 4, g_buf, sizeof(g_buf));
	ffaemu_mem_write(h->mem, HOST_TX, g_buf, len - 32);
	ffaemu_mem_get_stats(h->mem, &ms);
	h_fault(h, FFAEMU_SPMC_FAULT_FRAG_OFFSET, FFAEMU_FFA_MEM_SHARE_64, 0, 16);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len - 32, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MEM_FRAG_RX); /* the SPMC's regs, verbatim */
	assert_map_same(h, &ms);
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_OWNED);
	h_free(h);
}

static void test_frag_tx_share_failure_reclaims_at_spmc(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	const struct ffaemu_regs *d;
	uint32_t len, first;
	uint64_t handle;

	(void)state;
	h_up(h, true);
	len = frag_desc(h, 4, g_buf, sizeof(g_buf));
	first = len - 32;
	ffaemu_mem_write(h->mem, HOST_TX, g_buf, first);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, first, 0, 0, 0);
	handle = ffaemu_regs_handle(&r, 1);
	/* second fragment names a guest page */
	put(g_buf + first, 0, 8, GUEST_RAM);
	ffaemu_mem_write(h->mem, HOST_TX, g_buf + first, 32);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)handle, handle >> 32, 32, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_DENIED);
	d = dlast(h);
	assert_int_equal((uint32_t)d->x[0], FFAEMU_FFA_MEM_RECLAIM);
	assert_int_equal(ffaemu_regs_handle(d, 1), handle);
	assert_int_equal(d->x[3], 0);
	/* upstream keeps the first fragment's pages shared (stuck) */
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
	assert_int_equal(hyp_state(h, SHARE_PA + 0x6000), FFAEMU_PAGE_OWNED);
	h_free(h);
}

static void test_frag_tx_spmc_failure_keeps_earlier_fragments(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	uint32_t len, first;
	uint64_t handle;

	(void)state;
	h_up(h, true);
	len = frag_desc(h, 4, g_buf, sizeof(g_buf));
	first = len - 32;
	ffaemu_mem_write(h->mem, HOST_TX, g_buf, first);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, first, 0, 0, 0);
	handle = ffaemu_regs_handle(&r, 1);
	h_fault(h, FFAEMU_SPMC_FAULT_ERROR, FFAEMU_FFA_MEM_FRAG_TX, FFAEMU_FFA_ABORTED, 0);
	ffaemu_mem_write(h->mem, HOST_TX, g_buf + first, 32);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)handle, handle >> 32, 32, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_ABORTED);
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);        /* earlier */
	assert_int_equal(hyp_state(h, SHARE_PA + 0x4000), FFAEMU_PAGE_OWNED); /* this one */
	h_free(h);
}

static void test_frag_tx_argument_checks(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, 1, 0, 32, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS); /* TX unmapped */
	(void)hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, 1, 0, 24, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, 1, 0, 4096 + 16, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	h_free(h);
}

/*
 * What the proxy does not check (pkvm-proxy 1.13 step 8): receiver ID,
 * permissions, attributes, flags, tag, handle, total_pg_cnt, addr_range_cnt
 * are the SPMC's business; such a descriptor is shared and sent on. And an
 * FF-A-shared page cannot then become a mailbox page (1.16).
 */
static void test_mem_share_fields_the_proxy_does_not_check(void **state)
{
	struct h *h = h_new(P2026, NULL);
	struct ffaemu_regs r;
	uint32_t len;

	(void)state;
	h_up(h, false);
	g_o = one_range(SHARE_PA, 1);
	g_o.addr_cnt = 77; /* composite addr_range_cnt: ignored, the count comes from fraglen */
	len = build_desc(g_buf, sizeof(g_buf), &g_o);
	put(g_buf, 2, 2, 0xffff);       /* attributes */
	put(g_buf, 4, 4, 0xffffffffu);  /* flags */
	put(g_buf, 8, 8, 0x1234);       /* handle */
	put(g_buf, 16, 8, 0x5678);      /* tag */
	put(g_buf, 48, 2, 0x0005);      /* receiver: not a partition */
	put(g_buf, 50, 1, 0xff);        /* permissions */
	put(g_buf, 80, 4, 999);         /* total_pg_cnt */
	assert_int_equal(ffaemu_mem_write(h->mem, HOST_TX, g_buf, len), 0);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS); /* the stand-in takes anything */
	assert_int_equal(dcount(h, FFAEMU_FFA_MEM_SHARE_64), 1);
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
	/* that page can no longer be the host's mailbox */
	(void)hcall(h, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, SHARE_PA, HOST_RX, 1, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	assert_false(hst(h).host_mapped);
	assert_int_equal(hyp_state(h, HOST_RX), FFAEMU_PAGE_OWNED);
	h_free(h);
}

/* ============================================================ item 9: reclaim */

static uint64_t share_n(struct h *h, uint32_t n)
{
	struct ffaemu_regs r;
	uint32_t len = frag_desc(h, n, g_buf, sizeof(g_buf));

	assert_true(len <= 4096);
	ffaemu_mem_write(h->mem, HOST_TX, g_buf, len);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	return ffaemu_regs_handle(&r, 2);
}

static void test_reclaim_hyp_retrieve_request_and_unshare(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;
	uint8_t want[48] = {0};
	uint64_t handle;

	(void)state;
	h_up(h, true);
	ffaemu_mem_get_stats(h->mem, &ms);
	handle = share_n(h, 3);
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(h->retr_len, 48);
	put(want, 8, 8, handle);
	assert_memory_equal(h->retr_req, want, 48);
	assert_int_equal(dcount(h, FFAEMU_FFA_MEM_RETRIEVE_REQ_64), 1);
	assert_int_equal(dcount(h, FFAEMU_FFA_RX_RELEASE), 1);
	assert_false(hyp_ep(h).rx_full);
	assert_map_same(h, &ms);
	h_free(h);
}

static void test_reclaim_fragmented_rx_release_each(void **state)
{
	struct ffaemu_proxy_profile p;
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;
	uint64_t handle;
	uint32_t len, first = 4096;
	struct h *h;

	(void)state;
	ffaemu_proxy_profile_default(&p);
	p.max_constituents = 512;
	h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
	h_up(h, true);
	ffaemu_mem_get_stats(h->mem, &ms);
	/* 96 + 300 x 16 = 4896 bytes: two fragments in, a two-fragment retrieve response out */
	len = frag_desc(h, 300, g_buf, sizeof(g_buf));
	assert_int_equal(len, 4896);
	ffaemu_mem_write(h->mem, HOST_TX, g_buf, first);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, first, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_MEM_FRAG_RX);
	handle = ffaemu_regs_handle(&r, 1);
	ffaemu_mem_write(h->mem, HOST_TX, g_buf + first, len - first);
	r = hcall(h, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)handle, handle >> 32, len - first, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(dcount(h, FFAEMU_FFA_MEM_FRAG_RX), 1);
	assert_int_equal(dcount(h, FFAEMU_FFA_RX_RELEASE), 2); /* one per fragment */
	assert_map_same(h, &ms);
	/* and a second share + reclaim still works: RX was given back */
	handle = share_n(h, 2);
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	h_free(h);
}

/* Malicious SPMC responses to the hypervisor retrieve request. */
enum evil { E_LEN_HUGE, E_COMP_OOB, E_COUNT_HUGE, E_NOT_FRAG_TX, E_ZERO_FRAG, E_EMAD_OOB,
	    E_NOT_RESP, E_RECLAIM_DENIED };

static const struct {
	enum evil e;
	const char *name;
	int32_t err;      /* 0: the SPMC's own regs come back */
	size_t releases;  /* RX_RELEASE calls: one per fragment copied, one per error path */
} evil_rows[] = {
	{E_LEN_HUGE, "len > desc buffer", FFAEMU_FFA_NO_MEMORY, 1},
	{E_COMP_OOB, "composite offset past len", FFAEMU_FFA_ABORTED, 1},
	{E_COUNT_HUGE, "addr_range_cnt past len", FFAEMU_FFA_ABORTED, 1},
	/* released after fragment 1; the bad reply itself leaves RX alone (1.15 step 6) */
	{E_NOT_FRAG_TX, "FRAG_RX answered with SUCCESS", FFAEMU_FFA_INVALID_PARAMETERS, 1},
	{E_ZERO_FRAG, "zero-length fragment", FFAEMU_FFA_ABORTED, 2},
	{E_EMAD_OOB, "EMAD offset past fragment", FFAEMU_FFA_INVALID_PARAMETERS, 1},
	{E_NOT_RESP, "no RETRIEVE_RESP", 0, 0},
	{E_RECLAIM_DENIED, "RECLAIM refused", 0, 1},
};

static void test_reclaim_malicious_spmc(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(evil_rows) / sizeof(evil_rows[0]); i++) {
		struct h *h = h_new(P2026, NULL);
		struct standin_txn *t;
		struct ffaemu_regs r;
		uint64_t handle;
		size_t rel;

		h_up(h, true);
		handle = share_n(h, 6); /* 192 bytes */
		t = &h->si->txn[0];
		switch (evil_rows[i].e) {
		case E_LEN_HUGE: h->si->retrieve_len = hst(h).desc_buf_size + 16; break;
		case E_COMP_OOB: put(t->desc, 48 + 4, 4, 0x7ffffff0u); break;
		case E_COUNT_HUGE: put(t->desc, 80 + 4, 4, 0x10000000u); break;
		case E_NOT_FRAG_TX: h->si->retrieve_chunk = 128; h->si->frag_rx_wrong_reply = true; break;
		case E_ZERO_FRAG: h->si->retrieve_chunk = 128; h->si->zero_fragment = true; break;
		case E_EMAD_OOB: put(t->desc, 32, 4, 0xfff0); break;
		case E_NOT_RESP: t->complete = false; break;
		case E_RECLAIM_DENIED: h->si->reclaim_error = FFAEMU_FFA_DENIED; break;
		}
		rel = dcount(h, FFAEMU_FFA_RX_RELEASE);
		r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
		if (evil_rows[i].err) {
			if ((int32_t)(uint32_t)r.x[2] != evil_rows[i].err)
				fail_msg("%s: x2 = %d", evil_rows[i].name, (int32_t)(uint32_t)r.x[2]);
			assert_proxy_error(r, evil_rows[i].err);
		} else {
			assert_int_equal(r.x[0], FFAEMU_FFA_ERROR);
			assert_true(r.x[2] <= 0xffffffffull); /* verbatim: zero-extended */
		}
		if (dcount(h, FFAEMU_FFA_RX_RELEASE) != rel + evil_rows[i].releases)
			fail_msg("%s: %zu releases", evil_rows[i].name,
				 dcount(h, FFAEMU_FFA_RX_RELEASE) - rel);
		assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
		assert_int_equal(hst(h).el2_faults, 0);
		if (evil_rows[i].e == E_ZERO_FRAG)
			assert_int_equal(hst(h).frag_rx_bounded, 1);
		h_free(h);
	}
}

/* The zero-length-fragment bound is profile-independent (a model improvement). */
static void test_reclaim_zero_fragment_bounded_every_profile(void **state)
{
	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		struct h *h = h_new(ffaemu_proxy_profile_name_at(p), NULL);
		struct ffaemu_regs r;
		uint64_t handle;

		h->si->version = h->prof.max_version;
		h->si->retrieve_chunk = 128;
		h->si->zero_fragment = true;
		h->si->ignore_rx_full = true; /* reach the bound even without RX_RELEASE */
		h_up(h, true);
		g_o = one_range(SHARE_PA, 1);
		g_o.ver = hst(h).hyp_version;
		g_o.n = 8;
		for (int i = 1; i < 8; i++) {
			g_o.c[i].base = SHARE_PA + 0x2000ull * i;
			g_o.c[i].pg = 1;
		}
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, write_desc(h, &g_o), 0, 0, 0, 0);
		(void)r;
		{
			uint32_t len = write_desc(h, &g_o);
			r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
		}
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		handle = ffaemu_regs_handle(&r, 2);
		r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
		assert_ffa_error(r, FFAEMU_FFA_ABORTED);
		assert_int_equal(hst(h).frag_rx_bounded, 1);
		h_free(h);
	}
}

static void test_reclaim_unshares_exactly_retrieved_ranges(void **state)
{
	struct h *h = h_new(P2026, NULL);
	struct standin_txn *t;
	struct ffaemu_regs r;
	uint64_t handle;

	(void)state;
	h_up(h, true);
	handle = share_n(h, 2);
	t = &h->si->txn[0];
	/* the SPMC describes only the first range (count 1, len shortened) */
	put(t->desc, 80 + 4, 4, 1);
	t->len -= 16;
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_OWNED);
	assert_int_equal(hyp_state(h, SHARE_PA + 0x2000), FFAEMU_PAGE_SHARED);
	h_free(h);
}

/* A retrieve response as g_resp says (1.2 layout), for the reclaim order test. */
static struct {
	uint32_t emad_off, comp_off, len, fraglen;
} g_resp;

static bool hook_shaped_retrieve(struct standin *s, struct ffaemu_regs *r)
{
	uint8_t page[4096] = {0};

	if ((uint32_t)r->x[0] != FFAEMU_FFA_MEM_RETRIEVE_REQ_64)
		return false;
	put(page, 24, 4, 32);
	put(page, 28, 4, 1);
	put(page, 32, 4, g_resp.emad_off);
	if (g_resp.emad_off + 8 <= sizeof(page))
		put(page, g_resp.emad_off + 4, 4, g_resp.comp_off);
	ffaemu_mem_write(s->mem, s->rx, page, sizeof(page));
	s->rx_full = true;
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_MEM_RETRIEVE_RESP;
	r->x[1] = g_resp.len;
	r->x[2] = g_resp.fraglen;
	return true;
}

/*
 * The ORDER of 1.15 steps 3-5, two faults at a time: EMAD outside the
 * fragment (3, INVALID, 2026 only), composite outside the descriptor or
 * fragment > page (4, ABORTED), descriptor > buffer (5, NO_MEMORY); the RX
 * is given back on each (d66e50beb911).
 */
static void test_reclaim_validation_order(void **state)
{
	static const struct {
		const char *profile;
		uint32_t emad_off, comp_off, len, fraglen;
		int32_t err;
	} rows[] = {
		/* 3 before 4 and 5 */
		{P2026, 4000, 0x10000, 0x20000, 200, FFAEMU_FFA_INVALID_PARAMETERS},
		/* 4 before 5 */
		{P2026, 48, 0x30000, 0x20000, 200, FFAEMU_FFA_ABORTED},
		{P2026, 48, 80, 0x20000, 8192, FFAEMU_FFA_ABORTED},
		/* 5 alone */
		{P2026, 48, 80, 0x20000, 200, FFAEMU_FFA_NO_MEMORY},
		/* 6.18: no step 3, its step 4 only sees offset > len */
		{"pkvm-6.18", 48, 0x1fff8, 0x20000, 200, FFAEMU_FFA_NO_MEMORY},
		{P2026, 48, 0x1fff8, 0x20000, 200, FFAEMU_FFA_ABORTED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct h *h = h_new(rows[i].profile, NULL);
		struct ffaemu_regs r;
		uint64_t handle;

		h_up(h, true);
		handle = share_n(h, 1);
		g_resp.emad_off = rows[i].emad_off;
		g_resp.comp_off = rows[i].comp_off;
		g_resp.len = rows[i].len;
		g_resp.fraglen = rows[i].fraglen;
		h->si->hook = hook_shaped_retrieve;
		r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
		if ((uint32_t)r.x[0] != FFAEMU_FFA_ERROR || (int32_t)(uint32_t)r.x[2] != rows[i].err)
			fail_msg("row %zu (%s): x0=0x%llx w2=%d", i, rows[i].profile,
				 (unsigned long long)r.x[0], (int32_t)(uint32_t)r.x[2]);
		assert_false(hyp_ep(h).rx_full);
		assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
		assert_int_equal(hst(h).el2_faults, 0);
		h_free(h);
	}
}

/* ================================================= item 10: PARTITION_INFO_GET */

static void test_part_info_unmapped_busy(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	size_t before;

	(void)state;
	h_up(h, false);
	before = h->nlog;
	r = hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_BUSY);
	assert_int_equal(h->nlog, before);
	h_free(h);
}

static void test_part_info_copied_to_host_rx_no_release(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	uint8_t host[48], hyp[48];

	(void)state;
	h_up(h, true);
	r = hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 2);
	assert_int_equal(r.x[3], 24);
	ffaemu_mem_read(h->mem, HOST_RX, host, 48);
	ffaemu_mem_read(h->mem, hst(h).hyp_rx, hyp, 48);
	assert_memory_equal(host, hyp, 48);
	assert_int_equal(host[0] | (host[1] << 8), SP_ID);
	assert_int_equal(host[24] | (host[25] << 8), SP_ID + 1);
	assert_true(hyp_ep(h).rx_full); /* the proxy does not release */
	r = hcall(h, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS); /* the host's release is forwarded */
	assert_false(hyp_ep(h).rx_full);
	h_free(h);
}

static void test_part_info_count_only_pass_through(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	uint8_t zero[48] = {0}, host[48];

	(void)state;
	h_up(h, true);
	r = hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 2);
	ffaemu_mem_read(h->mem, HOST_RX, host, 48);
	assert_memory_equal(host, zero, 48);
	h_free(h);
}

static void test_part_info_1_0_size_8(void **state)
{
	struct h *h = h_real_spmc(P2026, "spmc-1.0", own_version);
	struct ffaemu_regs r;
	uint8_t host[16];

	(void)state;
	h_up(h, true);
	r = hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	ffaemu_mem_read(h->mem, HOST_RX, host, 16);
	assert_int_equal(host[0] | (host[1] << 8), SP_ID);
	assert_int_equal(host[8] | (host[9] << 8), SP_ID + 1);
	h_free(h);
}

static void test_part_info_oversize_aborted(void **state)
{
	struct h *h = h_new(P2026, NULL);
	struct ffaemu_regs r;

	(void)state;
	h->si->part_size = 4096; /* 2 x 4096 > PAGE_SIZE */
	h_up(h, true);
	r = hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_ABORTED);
	assert_true(hyp_ep(h).rx_full); /* no release */
	h_free(h);
}

/* ================================================ item 11: register hygiene */

static void test_ret_regs_policy_per_profile(void **state)
{
	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		struct h *h = h_real(ffaemu_proxy_profile_name_at(p));
		struct ffaemu_regs r;

		h_up(h, false);
		/* a proxy-made reply (RXTX_UNMAP while unmapped) */
		ffaemu_regs_clear(&r);
		r.x[0] = FFAEMU_FFA_RXTX_UNMAP;
		for (int n = 4; n < FFAEMU_NREGS; n++)
			r.x[n] = 0x77000000ull + (uint64_t)n;
		hraw(h, &r);
		assert_int_equal(r.x[0], FFAEMU_FFA_ERROR);
		assert_true(r.x[2] == (uint64_t)(int64_t)FFAEMU_FFA_INVALID_PARAMETERS);
		assert_int_equal(r.x[1], 0);
		assert_int_equal(r.x[3], 0);
		for (int n = 4; n < FFAEMU_NREGS; n++) {
			if (h->prof.ret_regs == FFAEMU_PROXY_RET_X0_X17)
				assert_int_equal(r.x[n], 0);
			else
				assert_int_equal(r.x[n], 0x77000000ull + (uint64_t)n);
		}
		h_free(h);
	}
}

static bool hook_part_x4(struct standin *s, struct ffaemu_regs *r)
{
	(void)s;
	if ((uint32_t)r->x[0] != FFAEMU_FFA_PARTITION_INFO_GET)
		return false;
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_SUCCESS;
	r->x[4] = 0x1234; /* a v1.2 SPMC result beyond x3 */
	r->x[9] = 0x99;
	return true;
}

static void tweak_part_x4(struct standin *s)
{
	s->hook = hook_part_x4;
}

/* SMCCC 1.1 down calls lose x4-x17 of results (1.18); 1.2 keeps them. */
static void test_spmc_results_beyond_x3_per_downcall(void **state)
{
	static const struct {
		const char *profile;
		bool x4_seen;
	} rows[] = {{"pkvm-6.11", false}, {"pkvm-6.18", true}, {P2026, true}};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct h *h = h_new(rows[i].profile, tweak_part_x4);
		struct ffaemu_regs r;

		h->si->version = h->prof.max_version;
		h_up(h, true);
		ffaemu_regs_clear(&r);
		r.x[0] = FFAEMU_FFA_PARTITION_INFO_GET;
		r.x[4] = 0xbeef;
		hraw(h, &r);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		assert_int_equal(r.x[4], rows[i].x4_seen ? 0x1234 : 0xbeef);
		h_free(h);
	}
}

/* The fallback helper of the 1.2 series: 1.2 only for SMC64 at FF-A 1.2. */
static void test_fallback_downcall(void **state)
{
	struct ffaemu_proxy_profile p;
	struct ffaemu_edge_stats s11, s12;
	struct h *h;

	(void)state;
	ffaemu_proxy_profile_default(&p);
	p.downcall = FFAEMU_PROXY_DOWN_FALLBACK;
	h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
	h_up(h, true);
	ffaemu_edge_get_stats(ffaemu_proxy_down_edge(h->proxy, FFAEMU_SMCCC_1_1), &s11);
	ffaemu_edge_get_stats(ffaemu_proxy_down_edge(h->proxy, FFAEMU_SMCCC_1_2), &s12);
	/* 32-bit init/post-init calls on 1.1; RXTX_MAP_64 (hyp 1.2) on 1.2 */
	assert_true(s11.calls >= 4);
	assert_int_equal(s12.calls, 1);
	h_free(h);
}


/* ================================================ robustness and host API */

/* Every allocation of ffaemu_proxy_new can fail: a clean error, no leak, mem as before. */
static void test_new_allocation_failures_clean(void **state)
{
	struct failalloc fa;
	struct ffaemu_proxy_config pc;
	struct ffaemu_proxy *px;
	struct ffaemu_mem *mem;
	struct ffaemu_el3 *el3;
	struct ffaemu_el3_config ec;
	struct ffaemu_mem_stats before, after;
	unsigned long total;

	(void)state;
	failalloc_init(&fa);
	assert_int_equal(ffaemu_mem_new(NULL, &mem), 0);
	ffaemu_el3_config_default(&ec);
	assert_int_equal(ffaemu_el3_new(&ec, &el3), 0);
	ffaemu_proxy_config_default(&pc);
	pc.downstream = ffaemu_el3_node(el3);
	pc.mem = mem;
	pc.alloc = failalloc_allocator(&fa);
	assert_int_equal(ffaemu_proxy_new(&pc, &px), 0);
	total = fa.calls;
	assert_true(total >= 4);
	ffaemu_proxy_free(&px);
	assert_null(px);
	ffaemu_mem_get_stats(mem, &before);
	for (unsigned long k = 0; k < total; k++) {
		failalloc_fail_after(&fa, k);
		assert_int_equal(ffaemu_proxy_new(&pc, &px), FFAEMU_ENOMEM);
		assert_null(px);
		ffaemu_mem_get_stats(mem, &after);
		assert_int_equal(after.regions, before.regions); /* hyp RAM not left behind */
	}
	ffaemu_el3_free(&el3);
	ffaemu_mem_free(&mem);
}

static void test_new_rejects_bad_profile_and_base(void **state)
{
	struct ffaemu_proxy_profile p;
	struct ffaemu_proxy_config pc;
	struct ffaemu_proxy *px, *px2;
	struct ffaemu_mem *mem;
	struct ffaemu_el3 *el3;
	struct ffaemu_el3_config ec;

	(void)state;
	assert_int_equal(ffaemu_mem_new(NULL, &mem), 0);
	ffaemu_el3_config_default(&ec);
	assert_int_equal(ffaemu_el3_new(&ec, &el3), 0);
	ffaemu_proxy_config_default(&pc);
	pc.downstream = ffaemu_el3_node(el3);
	pc.mem = mem;
	ffaemu_proxy_profile_default(&p);
	p.reserved[0] = 1;
	pc.profile = &p;
	assert_int_equal(ffaemu_proxy_new(&pc, &px), FFAEMU_EINVAL);
	ffaemu_proxy_profile_default(&p);
	p.page_size = 65536;
	pc.hyp_base = FFAEMU_PROXY_HYP_BASE_DEFAULT + 0x1000; /* not 64K aligned */
	assert_int_equal(ffaemu_proxy_new(&pc, &px), FFAEMU_EINVAL);
	pc.hyp_base = FFAEMU_PROXY_HYP_BASE_DEFAULT;
	assert_int_equal(ffaemu_proxy_new(&pc, &px), 0);
	/* a second proxy on the same hypervisor RAM overlaps it */
	assert_int_equal(ffaemu_proxy_new(&pc, &px2), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_proxy_hyp_ram_size(&p), 3ull * 65536);
	ffaemu_proxy_free(&px);
	/* the region went with it */
	assert_int_equal(ffaemu_proxy_new(&pc, &px2), 0);
	ffaemu_proxy_free(&px2);
	/* PAs from the config: the RAM must already be there */
	pc.add_hyp_region = false;
	assert_int_equal(ffaemu_proxy_new(&pc, &px), FFAEMU_ERANGE);
	assert_null(px);
	assert_int_equal(ffaemu_mem_add_ram(mem, pc.hyp_base, ffaemu_proxy_hyp_ram_size(&p),
					    FFAEMU_MEM_NS, ffaemu_owner_make(FFAEMU_OWNER_HYP, 0)), 0);
	assert_int_equal(ffaemu_proxy_new(&pc, &px), 0);
	ffaemu_proxy_free(&px);
	assert_int_equal(ffaemu_mem_remove(mem, pc.hyp_base), 0); /* left to its owner */
	ffaemu_el3_free(&el3);
	ffaemu_mem_free(&mem);
}

/*
 * The mailbox and descriptor buffer are carved from memory the host donated
 * (pkvm-proxy 1.1): RAM supplied by the caller must be hypervisor-owned, or
 * the host could map or share the proxy's own buffers.
 */
static void test_new_rejects_hyp_ram_not_owned_by_hyp(void **state)
{
	static const struct {
		enum ffaemu_owner_kind kind;
		ffaemu_id_t id;
		int rc;
	} rows[] = {
		{FFAEMU_OWNER_HOST, 0, FFAEMU_EINVAL},
		{FFAEMU_OWNER_VM, 1, FFAEMU_EINVAL},
		{FFAEMU_OWNER_HYP, 0, FFAEMU_OK},
	};
	struct ffaemu_proxy_profile p;
	struct ffaemu_proxy_config pc;
	struct ffaemu_proxy *px = NULL;
	struct ffaemu_mem *mem;
	struct ffaemu_el3 *el3;
	struct ffaemu_el3_config ec;

	(void)state;
	ffaemu_el3_config_default(&ec);
	assert_int_equal(ffaemu_el3_new(&ec, &el3), 0);
	ffaemu_proxy_profile_default(&p);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(ffaemu_mem_new(NULL, &mem), 0);
		ffaemu_proxy_config_default(&pc);
		pc.downstream = ffaemu_el3_node(el3);
		pc.mem = mem;
		pc.profile = &p;
		pc.add_hyp_region = false;
		assert_int_equal(ffaemu_mem_add_ram(mem, FFAEMU_PROXY_HYP_BASE_DEFAULT,
						    ffaemu_proxy_hyp_ram_size(&p), FFAEMU_MEM_NS,
						    ffaemu_owner_make(rows[i].kind, rows[i].id)), 0);
		assert_int_equal(ffaemu_proxy_new(&pc, &px), rows[i].rc);
		assert_true((px != NULL) == (rows[i].rc == FFAEMU_OK));
		ffaemu_proxy_free(&px);
		ffaemu_mem_free(&mem);
	}
	ffaemu_el3_free(&el3);
}

/* A seeded xorshift: deterministic "random" registers and descriptors. */
static uint64_t xs(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/*
 * Nothing crashes on any register or buffer content, and the page map stays
 * consistent, for every profile: random calls over the whole FF-A range,
 * random descriptors in TX, random SPMC replies.
 */
static bool hook_random(struct standin *s, struct ffaemu_regs *r)
{
	uint64_t *seed = s->user;
	if ((xs(seed) & 3) != 0)
		return false;
	for (int n = 0; n < FFAEMU_NREGS; n++)
		r->x[n] = xs(seed);
	if (xs(seed) & 1)
		r->x[0] = 0x84000060u + (xs(seed) & 0x1f); /* plausible FF-A replies */
	else if (xs(seed) & 1)
		ffaemu_mem_write(s->mem, s->rx ? s->rx : HOST_RX, r, sizeof(*r));
	return true;
}

static void fuzz_run(struct h *h, uint64_t seed, int rounds)
{
	char why[128];

	for (int i = 0; i < rounds; i++) {
		struct ffaemu_regs r;
		uint8_t junk[256];

		for (int n = 0; n < FFAEMU_NREGS; n++)
			r.x[n] = xs(&seed);
		switch (xs(&seed) % 4) {
		case 0: /* an FF-A ID, 32 or 64 */
			r.x[0] = ((xs(&seed) & 1) ? 0xc4000000u : 0x84000000u) |
				 (0x60u + (xs(&seed) % 0xa0u));
			break;
		case 1: /* a memory call with small lengths and a junk descriptor */
			for (size_t k = 0; k < sizeof(junk); k++)
				junk[k] = (uint8_t)xs(&seed);
			if (xs(&seed) & 1)
				junk[0] = junk[1] = 0; /* sender 0 */
			ffaemu_mem_write(h->mem, HOST_TX, junk, sizeof(junk));
			r.x[0] = (xs(&seed) & 1) ? FFAEMU_FFA_MEM_SHARE_64 : FFAEMU_FFA_MEM_FRAG_TX;
			r.x[1] = xs(&seed) % 8192;
			r.x[2] = xs(&seed) % 300;
			r.x[3] = (xs(&seed) & 7) ? 0 : r.x[3];
			r.x[4] = (xs(&seed) & 7) ? 0 : r.x[4];
			break;
		case 2:
			r.x[0] = FFAEMU_FFA_MEM_RECLAIM;
			break;
		default:
			break; /* anything at all */
		}
		h->ctx.imm = (xs(&seed) & 15) ? 0 : (uint16_t)xs(&seed);
		hraw(h, &r);
	}
	if (ffaemu_mem_check(h->mem, why, sizeof(why)) != 0)
		fail_msg("%s: %s", h->prof.name, why);
}

static void test_fuzz_registers_and_descriptors(void **state)
{
	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		uint64_t seed = 0x9e3779b97f4a7c15ull + p;
		struct h *h = h_new(ffaemu_proxy_profile_name_at(p), NULL);

		/* a stand-in that also answers at random: a malicious SPMC */
		h->si->user = &seed;
		h_up(h, true);
		h->si->hook = hook_random;
		fuzz_run(h, seed ^ 0x5555, 4000);
		h_free(h);
	}
}

/*
 * A malicious SPMC on the reclaim path: random retrieve responses (lengths,
 * EMAD and composite offsets, range counts, fragment lengths, wrong replies)
 * after a valid share. Nothing reads or writes outside a buffer (ASan), the
 * loop always ends, and the page map stays consistent (pkvm-proxy 1.15).
 */
static uint64_t g_rseed;
static bool g_rlayout10; /* the hyp speaks FF-A 1.0: 1.0 descriptor layout */

static uint64_t pick32(uint64_t *sd)
{
	static const uint64_t edge[] = {0, 1, 15, 16, 48, 80, 4095, 4096, 4097, 0x10000,
					0x7fffffff, 0xfffffff0, 0xffffffff};
	return (xs(sd) & 1) ? edge[xs(sd) % (sizeof(edge) / sizeof(edge[0]))]
			    : (xs(sd) % 0x3000);
}

static bool hook_random_retrieve(struct standin *s, struct ffaemu_regs *r)
{
	uint32_t fid = (uint32_t)r->x[0];
	uint8_t page[4096];

	if (fid != FFAEMU_FFA_MEM_RETRIEVE_REQ_64 && fid != FFAEMU_FFA_MEM_FRAG_RX)
		return false;
	for (size_t k = 0; k < sizeof(page); k++)
		page[k] = (uint8_t)xs(&g_rseed);
	if (g_rlayout10) {
		/* 1.0: EMAD at 32, composite at 48 */
		put(page, 32 + 4, 4, (xs(&g_rseed) & 1) ? 48 : pick32(&g_rseed));
		put(page, 48 + 4, 4, (xs(&g_rseed) & 1) ? xs(&g_rseed) % 4 : pick32(&g_rseed));
	} else {
		put(page, 24, 4, (xs(&g_rseed) & 1) ? 32 : pick32(&g_rseed));
		put(page, 32, 4, (xs(&g_rseed) & 1) ? 48 : pick32(&g_rseed));
		put(page, 48 + 4, 4, (xs(&g_rseed) & 1) ? 80 : pick32(&g_rseed));
		put(page, 80 + 4, 4, (xs(&g_rseed) & 1) ? xs(&g_rseed) % 4 : pick32(&g_rseed));
	}
	ffaemu_mem_write(s->mem, s->rx, page, sizeof(page));
	s->rx_full = true;
	ffaemu_regs_clear(r);
	r->x[0] = (xs(&g_rseed) & 15) ? (fid == FFAEMU_FFA_MEM_FRAG_RX ? FFAEMU_FFA_MEM_FRAG_TX
								     : FFAEMU_FFA_MEM_RETRIEVE_RESP)
				       : FFAEMU_FFA_SUCCESS;
	r->x[1] = (xs(&g_rseed) & 1) ? 0x1000 + xs(&g_rseed) % 0x4000 : pick32(&g_rseed);
	r->x[2] = pick32(&g_rseed);
	r->x[3] = pick32(&g_rseed);
	return true;
}

static void test_fuzz_reclaim_malicious_retrieve_responses(void **state)
{
	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		struct h *h = h_new(ffaemu_proxy_profile_name_at(p), NULL);
		char why[128];

		h_up(h, true);
		g_rseed = 0x1234567887654321ull + p;
		g_rlayout10 = hst(h).hyp_version <= FFAEMU_FFA_1_0;
		for (int i = 0; i < 1500; i++) {
			struct ffaemu_regs r;
			uint64_t handle;

			h->si->hook = NULL;
			h->si->rx_full = false;
			memset(h->si->txn, 0, sizeof(h->si->txn));
			handle = share_n(h, 1 + (uint32_t)(xs(&g_rseed) % 3));
			h->si->hook = hook_random_retrieve;
			r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
			(void)r;
			/* give the pages back whatever the proxy did, for the next round */
			for (uint64_t k = 0; k < 3; k++) {
				struct ffaemu_range rg = {SHARE_PA + 0x2000ull * k, 1};
				if (hyp_state(h, rg.base) == FFAEMU_PAGE_SHARED)
					assert_int_equal(ffaemu_mem_hyp_unshare(h->mem, &rg, 1,
						ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
			}
		}
		if (ffaemu_mem_check(h->mem, why, sizeof(why)) != 0)
			fail_msg("%s: %s", h->prof.name, why);
		/* the responses went past the first checks, into the FRAG_RX loop */
		assert_true(hst(h).down_calls > 3000);
		h_free(h);
	}
}

/*
 * Near-valid descriptors: a valid share with a few fields or bytes changed,
 * and lengths around the real one. Every FFA_ERROR reply leaves the page
 * map exactly as it was (pkvm-proxy 1.13: complete rollback), for every
 * profile and page size.
 */
static void test_fuzz_share_mutated_descriptors_roll_back(void **state)
{
	static const uint32_t pss[] = {4096, 16384};

	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		for (size_t q = 0; q < 2; q++) {
			struct ffaemu_proxy_profile prof;
			uint64_t seed = 0xfeedface00000000ull + p * 2 + q;
			const struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
			struct h *h;
			char why[128];

			assert_int_equal(ffaemu_proxy_profile_get(ffaemu_proxy_profile_name_at(p),
								  &prof), 0);
			prof.page_size = pss[q];
			h = h_new_ex(&prof, FFAEMU_SMCCC_1_2, NULL);
			h_up(h, true);
			for (int i = 0; i < 1500; i++) {
				struct ffaemu_mem_stats before, after;
				struct ffaemu_regs r;
				uint32_t len, fl, n = 1 + (uint32_t)(xs(&seed) % 4);

				memset(&g_o, 0, sizeof(g_o));
				g_o.n = n;
				g_o.ver = hst(h).hyp_version;
				for (uint32_t k = 0; k < n; k++) {
					g_o.c[k].base = SHARE_PA + (xs(&seed) % 16) * 0x1000ull;
					g_o.c[k].pg = (uint32_t)(xs(&seed) % 6);
				}
				len = build_desc(g_buf, sizeof(g_buf), &g_o);
				for (int m = (int)(xs(&seed) % 4); m > 0; m--)
					g_buf[xs(&seed) % (len + 8)] = (uint8_t)xs(&seed);
				if (xs(&seed) & 1)
					len += (uint32_t)(xs(&seed) % 48) - 24;
				fl = (xs(&seed) & 3) ? len : (uint32_t)(xs(&seed) % (len + 1));
				ffaemu_mem_write(h->mem, HOST_TX, g_buf, sizeof(g_buf) < 4096 ? sizeof(g_buf) : 4096);
				ffaemu_mem_get_stats(h->mem, &before);
				r = hcall(h, (xs(&seed) & 1) ? FFAEMU_FFA_MEM_SHARE : FFAEMU_FFA_MEM_LEND_64,
					  len, fl, 0, 0, 0);
				ffaemu_mem_get_stats(h->mem, &after);
				if ((uint32_t)r.x[0] == FFAEMU_FFA_ERROR)
					assert_int_equal(after.hyp_shared, before.hyp_shared);
				/* back to a clean map for the next round */
				for (uint64_t k = 0; k < 24; k++) {
					struct ffaemu_range rg = {SHARE_PA + 0x1000ull * k, 1};
					if (hyp_state(h, rg.base) == FFAEMU_PAGE_SHARED)
						assert_int_equal(ffaemu_mem_hyp_unshare(h->mem, &rg, 1,
											host), 0);
				}
				memset(h->si->txn, 0, sizeof(h->si->txn));
			}
			if (ffaemu_mem_check(h->mem, why, sizeof(why)) != 0)
				fail_msg("%s: %s", h->prof.name, why);
			h_free(h);
		}
	}
}

/* The same host-side fuzzing against the real fake SPMC. */
static void test_fuzz_host_calls_real_spmc(void **state)
{
	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		struct h *h = h_real(ffaemu_proxy_profile_name_at(p));

		h_up(h, true);
		fuzz_run(h, 0x2545f4914f6cdd1dull + p, 3000);
		h_free(h);
	}
}

/*
 * A finding the model makes visible: even in pkvm-2026 the reclaim path reads
 * the EMAD (at ep_mem_offset, bounded only by the SPMC's fraglen) before it
 * checks fraglen <= PAGE_SIZE (pkvm-proxy 1.15 steps 3-4). A huge fraglen
 * from the SPMC moves that read outside the hyp RX page.
 */
static bool hook_huge_fraglen(struct standin *s, struct ffaemu_regs *r)
{
	uint8_t hdr[48] = {0};

	if ((uint32_t)r->x[0] != FFAEMU_FFA_MEM_RETRIEVE_REQ_64)
		return false;
	put(hdr, 24, 4, 32);
	put(hdr, 28, 4, 1);
	put(hdr, 32, 4, 0x8000); /* the EMAD "at" 32K */
	ffaemu_mem_write(s->mem, s->rx, hdr, sizeof(hdr));
	s->rx_full = true;
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_MEM_RETRIEVE_RESP;
	r->x[1] = 0x20000;
	r->x[2] = 0x10000; /* a fragment "longer" than the RX page */
	return true;
}

static void test_reclaim_emad_read_before_fraglen_check(void **state)
{
	struct h *h = h_new(P2026, NULL);
	struct ffaemu_regs r;
	uint64_t handle;

	(void)state;
	h_up(h, true);
	handle = share_n(h, 1);
	h->si->hook = hook_huge_fraglen;
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_ABORTED);
	assert_int_equal(hst(h).el2_faults, 1); /* upstream would read past the RX page */
	assert_false(hyp_ep(h).rx_full);           /* and the RX is still given back */
	assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_SHARED);
	h_free(h);
}

/* ==================================================== section 2: every fix */

typedef bool (*bug_fn)(const char *profile);

/* NULL profile name: g_custom_prof (pkvm-2026 minus one fix). */
static struct ffaemu_proxy_profile g_custom_prof;

/* The stand-in, for rows that need an SPMC fault injection cannot make. */
static struct h *bh(const char *pr, void (*tweak)(struct standin *))
{
	return pr ? h_new(pr, tweak) : h_new_ex(&g_custom_prof, FFAEMU_SMCCC_1_2, tweak);
}

/* The real fake SPMC (spmc NULL: the version the profile asks for). */
static struct h *brs(const char *pr, const char *spmc, void (*tweak)(struct ffaemu_spmc_profile *))
{
	return pr ? h_real_spmc(pr, spmc, tweak)
		  : h_real_ex(&g_custom_prof, FFAEMU_SMCCC_1_2, spmc, tweak);
}

static struct h *br(const char *pr)
{
	return brs(pr, NULL, NULL);
}


static bool bug_version_s32(const char *pr)
{
	struct h *h = br(pr);
	bool bug;

	/* an SPMC answering -1 in w0, zero-extended, as a W-register write does */
	h_fault(h, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, 0xffffffffull);
	bug = ffaemu_proxy_init(h->proxy) != 0;
	h_free(h);
	return bug;
}

/* The same (s32) compare on the downgrade path (pkvm-proxy 1.5). */
static bool bug_downgrade_s32(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;

	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	h_fault(h, FFAEMU_SPMC_FAULT_VERSION, FFAEMU_FFA_VERSION, 0, 0xffffffffull);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1, 0, 0, 0, 0);
	/* the refusal went unnoticed: the hyp adopted 1.1 and negotiated */
	bug = r.x[0] == FFAEMU_FFA_1_1 && hst(h).negotiated;
	h_free(h);
	return bug;
}

static bool bug_imm16(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	h->ctx.imm = 1;
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	bug = r.x[0] == FFAEMU_FFA_1_2;
	h_free(h);
	return bug;
}

static bool bug_x0_upper(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	ffaemu_regs_clear(&r);
	r.x[0] = 0x100000000ull | FFAEMU_FFA_VERSION;
	r.x[1] = FFAEMU_FFA_1_2;
	hraw(h, &r);
	bug = hst(h).negotiated; /* truncated and treated as FFA_VERSION */
	h_free(h);
	return bug;
}

static bool bug_reclaim_bounds(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	uint64_t handle;
	bool bug;
	h_up(h, true);
	handle = share_n(h, 2);
	h_fault(h, FFAEMU_SPMC_FAULT_RETRIEVE_COUNT, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, 0, 0x10000000u);
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
	assert_ffa_error(r, FFAEMU_FFA_ABORTED);
	bug = hst(h).el2_faults > 0;
	h_free(h);
	return bug;
}

static bool bug_emad_offset(const char *pr)
{
	struct h *h = br(pr);
	uint32_t len;
	bool bug;
	h_up(h, true);
	g_o = one_range(SHARE_PA, 1);
	g_o.emad_off = 0xfff0;
	g_o.emad_place = 48;
	len = write_desc(h, &g_o);
	(void)hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
	bug = dcount(h, FFAEMU_FFA_MEM_SHARE_64) == 1; /* forwarded */
	h_free(h);
	return bug;
}

static bool bug_page_aligned(const char *pr)
{
	struct ffaemu_proxy_profile p;
	struct ffaemu_regs r;
	struct h *h;
	uint32_t len;
	bool bug;
	if (pr)
		assert_int_equal(ffaemu_proxy_profile_get(pr, &p), 0);
	else
		p = g_custom_prof;
	p.page_size = 16384;
	h = h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
	h_up(h, true);
	g_o = one_range(SHARE_PA + 0x1000, 4);
	len = write_desc(h, &g_o);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
	/* the hyp shared the page the pfn truncation names, not the range given */
	bug = r.x[0] == FFAEMU_FFA_SUCCESS && hyp_state(h, SHARE_PA) == FFAEMU_PAGE_SHARED;
	h_free(h);
	return bug;
}

static bool bug_zero_response(const char *pr)
{
	struct h *h = bh(pr, tweak_marker_all);
	struct ffaemu_regs r;
	bool bug;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	bug = r.x[2] == 0xa002;
	h_free(h);
	return bug;
}

static bool bug_downgrade(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;
	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_0, 0, 0, 0, 0);
	bug = r.x[0] != UINT64_MAX;
	h_free(h);
	return bug;
}

static bool bug_features_mask(const char *pr)
{
	struct h *h = bh(pr, NULL);
	struct ffaemu_regs r;
	bool bug;
	h->si->rxtx_feat_w2 = 0x00010000;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0);
	bug = r.x[0] == UINT64_MAX;
	h_free(h);
	return bug;
}

static bool bug_composite_overflow(const char *pr)
{
	struct h *h = br(pr);
	uint32_t len;
	bool bug;
	h_up(h, true);
	g_o = one_range(SHARE_PA, 1);
	g_o.comp_off = 0xfffffff8u;
	len = write_desc(h, &g_o);
	(void)hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
	bug = hst(h).el2_faults > 0; /* the wrapped check passed: out-of-bounds read */
	h_free(h);
	return bug;
}

static bool bug_mem_len(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	uint32_t len;
	bool bug;
	h_up(h, true);
	g_o = one_range(SHARE_PA, 1);
	len = write_desc(h, &g_o);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, (uint32_t)hst(h).desc_buf_size + 16, len, 0, 0, 0);
	bug = !((uint32_t)r.x[0] == FFAEMU_FFA_ERROR &&
		(int32_t)(uint32_t)r.x[2] == FFAEMU_FFA_NO_MEMORY);
	h_free(h);
	return bug;
}

static bool bug_rx_release(const char *pr)
{
	struct h *h = bh(pr, NULL);
	struct ffaemu_regs r;
	uint64_t a, b;
	bool bug;
	h_up(h, true);
	a = share_n(h, 1);
	g_o = one_range(SHARE_PA + 0x10000, 1);
	g_o.ver = hst(h).hyp_version;
	{
		uint32_t len = write_desc(h, &g_o);
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
		b = ffaemu_regs_handle(&r, 2);
	}
	(void)hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)a, a >> 32, 0, 0, 0);
	r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)b, b >> 32, 0, 0, 0);
	bug = r.x[0] != FFAEMU_FFA_SUCCESS; /* the SPMC still owns the hyp RX: BUSY */
	h_free(h);
	return bug;
}

static bool bug_range_validity(const char *pr)
{
	struct h *h = bh(pr, NULL);
	struct ffaemu_regs r;
	uint32_t len;
	bool bug;
	h_up(h, true);
	g_o = one_range(SHARE_PA, 0);
	len = write_desc(h, &g_o);
	r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, len, len, 0, 0, 0);
	bug = r.x[0] == FFAEMU_FFA_SUCCESS;
	h_free(h);
	return bug;
}

static bool bug_no_gate(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, SP_ID, 0, 0, 0, 0);
	bug = r.x[0] == FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
	h_free(h);
	return bug;
}

static bool bug_narrow_range(const char *pr)
{
	struct h *h = br(pr);
	bool bug;
	h_up(h, false);
	(void)hcall(h, FFAEMU_FFA_NOTIFICATION_SET, 0, 0, 0, 0, 0);
	(void)hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0, 0, 0, 0, 0);
	/* with the ID range fixed, the gate/deny-list see IDs >= 0x80 */
	bug = hst(h).forwarded >= 2;
	h_free(h);
	return bug;
}

static bool bug_direct_req_denied(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;
	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, SP_ID, 0, 0, 0, 0);
	bug = r.x[0] == FFAEMU_FFA_ERROR;
	h_free(h);
	return bug;
}

static bool bug_x4_kept(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;
	h_up(h, false);
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_RXTX_UNMAP;
	r.x[4] = 0x4444;
	hraw(h, &r);
	bug = r.x[4] == 0x4444;
	h_free(h);
	return bug;
}

static bool bug_notif_forwarded(const char *pr)
{
	struct h *h = br(pr);
	bool bug;
	h_up(h, false);
	(void)hcall(h, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, 0, 1, 0, 0, 0);
	bug = dcount(h, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE) == 1;
	h_free(h);
	return bug;
}

static bool bug_no_part_copy(const char *pr)
{
	struct h *h = br(pr);
	uint8_t host[2];
	bool bug;
	h_up(h, true);
	(void)hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	ffaemu_mem_read(h->mem, HOST_RX, host, 2);
	bug = (host[0] | (host[1] << 8)) != SP_ID;
	h_free(h);
	return bug;
}

static bool bug_version_1_1_cap(const char *pr)
{
	struct h *h = brs(pr, "spmc-1.2", NULL);
	bool bug;
	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	bug = hst(h).hyp_version < FFAEMU_FFA_1_2;
	h_free(h);
	return bug;
}

static bool bug_init_exact_1_0(const char *pr)
{
	struct h *h = brs(pr, "spmc-1.1", own_version);
	bool bug;
	bug = ffaemu_proxy_init(h->proxy) != 0;
	h_free(h);
	return bug;
}

static bool bug_resp64_forwarded(const char *pr)
{
	struct h *h = br(pr);
	bool bug;
	h_up(h, false);
	(void)hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64, 0, 0, 0, 0, 0);
	bug = dcount(h, FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64) == 1;
	h_free(h);
	return bug;
}

static bool bug_req2_forwarded(const char *pr)
{
	struct h *h = br(pr);
	bool bug;
	h_up(h, false);
	(void)hcall(h, FFAEMU_FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 0, 0);
	bug = dcount(h, FFAEMU_FFA_PARTITION_INFO_GET_REGS) == 1;
	h_free(h);
	return bug;
}

/* 76cf932c95b9 (v6.7): the 1.1 header struct; v6.4 took a 48-byte (32 + 16) fragment. */
static bool bug_1_0_structs(const char *pr)
{
	struct h *h = bh(pr, NULL);
	uint8_t d[48] = {0};
	bool bug;

	h_up(h, true);
	put(d, 28, 4, 1);
	put(d, 32, 2, SP_ID);
	put(d, 36, 4, 16);
	ffaemu_mem_write(h->mem, HOST_TX, d, sizeof(d));
	(void)hcall(h, FFAEMU_FFA_MEM_SHARE_64, 48, 48, 0, 0, 0);
	bug = dcount(h, FFAEMU_FFA_MEM_SHARE_64) == 1;
	h_free(h);
	return bug;
}

/* 42fb33dde42b (6.11): FF-A 1.1 at init; before, a 1.1 SPMC was used at 1.0. */
static bool bug_version_1_0_cap(const char *pr)
{
	struct h *h = brs(pr, "spmc-1.1", NULL);
	bool bug;

	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	bug = hst(h).hyp_version < FFAEMU_FFA_1_1;
	h_free(h);
	return bug;
}

/* Pending direct-messaging series (1.19): a non-zero source ID reaches the SPMC. */
static bool bug_direct_src_unchecked(const char *pr)
{
	struct h *h = br(pr);
	struct ffaemu_regs r;
	bool bug;

	h_up(h, false);
	r = hcall(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, (5u << 16) | SP_ID, 0, 0, 0, 0);
	bug = dcount(h, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64) == 1;
	if (!bug)
		assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
	h_free(h);
	return bug;
}

/* One row per change of pkvm-proxy section 2 that a test input can expose. */
static const struct {
	const char *commit;
	const char *before, *after;
	bug_fn fn;
	size_t fix_off; /* offsetof in struct ffaemu_proxy_fixes + 1; 0 = not a bool fix */
} fix_rows[] = {
	{"12bdce4f4119 init exactly 1.0 (relaxed later)", "pkvm-6.4", "pkvm-6.10", bug_init_exact_1_0,
	 offsetof(struct ffaemu_proxy_fixes, init_any_1x) + 1},
	{"ae69e7740770 32-bit DIRECT_REQ allowed", "pkvm-6.4", "pkvm-6.10", bug_direct_req_denied, 0},
	{"d66e50beb911 release hyp RX", "pkvm-6.4", "pkvm-6.10", bug_rx_release,
	 offsetof(struct ffaemu_proxy_fixes, rx_release) + 1},
	{"76cf932c95b9 1.1 header struct (v6.7)", "pkvm-6.4", "pkvm-6.10", bug_1_0_structs, 0},
	{"c9c012625e12 VERSION trap + gate", "pkvm-6.10", "pkvm-6.11", bug_no_gate, 0},
	{"42fb33dde42b FF-A 1.1", "pkvm-6.10", "pkvm-6.11", bug_version_1_0_cap, 0},
	{"0dd60c4632a1 FF-A range 0x60-0xff", "pkvm-6.10", "pkvm-6.18", bug_narrow_range, 0},
	{"894376385a2d PARTITION_INFO_GET copy", "pkvm-6.10", "pkvm-6.11", bug_no_part_copy, 0},
	{"f26a525b77e0 len > desc buffer", "pkvm-6.11", "pkvm-6.18", bug_mem_len,
	 offsetof(struct ffaemu_proxy_fixes, mem_len_check) + 1},
	{"f41426939244 downgrade after negotiation", "pkvm-6.11", "pkvm-6.18", bug_downgrade, 0},
	{"6f4c348b1d5c x0-x17 written", "pkvm-6.11", "pkvm-6.18", bug_x4_kept, 0},
	{"79195f342417 notifications denied", "pkvm-6.11", "pkvm-6.18", bug_notif_forwarded, 0},
	{"8d24683e3e0f optional 1.2 ABIs denied", "pkvm-6.11", "pkvm-6.18", bug_req2_forwarded, 0},
	{"3f5952917498 FEATURES w2[1:0]", "pkvm-6.11", "pkvm-6.18", bug_features_mask,
	 offsetof(struct ffaemu_proxy_fixes, features_mask) + 1},
	{"162190f2ccdc FF-A 1.2", "pkvm-6.11", "pkvm-6.18", bug_version_1_1_cap, 0},
	{"103e17aac09c composite offset wrap", "pkvm-6.11", "pkvm-6.18", bug_composite_overflow,
	 offsetof(struct ffaemu_proxy_fixes, composite_overflow) + 1},
	{"582234b0d841 (s32) NOT_SUPPORTED", "pkvm-6.18", P2026, bug_version_s32,
	 offsetof(struct ffaemu_proxy_fixes, version_s32) + 1},
	{"582234b0d841 (s32) on the downgrade path", "pkvm-6.18", P2026, bug_downgrade_s32,
	 offsetof(struct ffaemu_proxy_fixes, version_s32) + 1},
	{"Sep 2025 range validity", "pkvm-6.18", P2026, bug_range_validity,
	 offsetof(struct ffaemu_proxy_fixes, range_validity) + 1},
	{"cf6348af645b imm16", "pkvm-6.18", P2026, bug_imm16,
	 offsetof(struct ffaemu_proxy_fixes, imm16) + 1},
	{"Apr 2026 64-bit function ID", "pkvm-6.18", P2026, bug_x0_upper,
	 offsetof(struct ffaemu_proxy_fixes, x0_upper) + 1},
	{"8c6db30d7952 reclaim bounds", "pkvm-6.18", P2026, bug_reclaim_bounds,
	 offsetof(struct ffaemu_proxy_fixes, reclaim_bounds) + 1},
	{"a6b49d27c179 EMAD offset (CVE-2026-68400)", "pkvm-6.18", P2026, bug_emad_offset, 0},
	{"6a7a181f6921 page-aligned ranges", "pkvm-6.18", P2026, bug_page_aligned,
	 offsetof(struct ffaemu_proxy_fixes, page_aligned) + 1},
	{"2bd3c6c702f3 zeroed response", "pkvm-6.18", P2026, bug_zero_response,
	 offsetof(struct ffaemu_proxy_fixes, zero_response) + 1},
	{"ILK deny FN64 DIRECT_RESP", "pkvm-6.18", P2026, bug_resp64_forwarded, 0},
	{"pending 1.19 direct-msg source check", P2026, "pkvm-2026-direct-msg",
	 bug_direct_src_unchecked, 0},
};

static void test_section2_each_fix_before_and_after(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fix_rows) / sizeof(fix_rows[0]); i++) {
		print_message("  s2 row: %s\n", fix_rows[i].commit);
		if (!fix_rows[i].fn(fix_rows[i].before))
			fail_msg("%s: bug not reproduced by %s", fix_rows[i].commit, fix_rows[i].before);
		if (fix_rows[i].fn(fix_rows[i].after))
			fail_msg("%s: bug still present in %s", fix_rows[i].commit, fix_rows[i].after);
		if (fix_rows[i].fix_off) {
			/* pkvm-2026 with only this fix taken out shows the bug again */
			ffaemu_proxy_profile_default(&g_custom_prof);
			((bool *)&g_custom_prof.fixes)[fix_rows[i].fix_off - 1] = false;
			if (!fix_rows[i].fn(NULL))
				fail_msg("%s: pkvm-2026 without the fix hides the bug", fix_rows[i].commit);
		}
	}
}

/* ================================= spec review (pkvm-proxy line by line) */

/*
 * 20936cd11479 (FFA_FEATURES handled) is part of v6.4: the deny-list entry
 * of the first commit never shipped (pkvm-proxy 1.8 "first commit only", s2).
 */
static void test_features_handled_in_6_4(void **state)
{
	struct h *h = h_real("pkvm-6.4");
	struct ffaemu_regs r;
	size_t before;

	(void)state;
	h_up(h, false);
	before = h->nlog;
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_SHARE_64, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 0);
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_DONATE, 0, 0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	assert_int_equal(h->nlog, before); /* answered locally */
	r = hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(h->nlog, before + 1); /* the SPMC's answer */
	h_free(h);
}

/*
 * The queried ID is w1 as written: the deny-list and the SHARE/LEND cases
 * match it exactly; only the function ID of the call itself has the SVE
 * hint masked (pkvm-proxy 1.2 step 2, 1.9).
 */
static void test_features_query_id_not_hint_masked(void **state)
{
	struct h *h = h_real(P2026);
	struct ffaemu_regs r;
	size_t before;

	(void)state;
	h_up(h, false);
	before = h->nlog;
	(void)hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_NOTIFICATION_BIND | FFAEMU_SMCCC_SVE_HINT, 0,
		    0, 0, 0);
	assert_int_equal(h->nlog, before + 1);
	(void)hcall(h, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_SHARE_64 | FFAEMU_SMCCC_SVE_HINT, 0, 0,
		    0, 0);
	assert_int_equal(h->nlog, before + 2);
	/* the call's own hint bit is masked for dispatch */
	r = hcall(h, FFAEMU_FFA_FEATURES | FFAEMU_SMCCC_SVE_HINT, FFAEMU_FFA_NOTIFICATION_BIND, 0,
		  0, 0, 0);
	assert_proxy_error(r, FFAEMU_FFA_NOT_SUPPORTED);
	assert_int_equal(h->nlog, before + 2);
	h_free(h);
}

/*
 * v6.4 parsed descriptors with the FF-A 1.0 structs of arm_ffa.h: a 32-byte
 * header, the EMAD array at 32, so the minimum fragment was 32 + 16 = 48;
 * from v6.7 the header struct is 48 bytes (minimum 48 + EMAD) (pkvm-proxy
 * 1.13 step 3, s2 76cf932c95b9).
 */
static void test_mem_share_6_4_minimum_fragment_1_0_structs(void **state)
{
	static const char *const prof[] = {"pkvm-6.4", "pkvm-6.10"};
	uint8_t d[48] = {0};

	(void)state;
	put(d, 28, 4, 1);        /* ep_count */
	put(d, 32, 2, SP_ID);    /* the EMAD at 32 (1.0) */
	put(d, 34, 1, 2);
	put(d, 36, 4, 16);       /* a composite inside the fragment */
	for (size_t i = 0; i < 2; i++) {
		struct h *h = h_new(prof[i], NULL);
		struct ffaemu_regs r;

		h_up(h, true);
		ffaemu_mem_write(h->mem, HOST_TX, d, sizeof(d));
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, 48, 48, 0, 0, 0);
		if (i == 0) {
			/* past step 3: its one (empty) constituent skipped, sent on */
			assert_int_equal(dcount(h, FFAEMU_FFA_MEM_SHARE_64), 1);
		} else {
			assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			assert_int_equal(dcount(h, FFAEMU_FFA_MEM_SHARE_64), 0);
		}
		r = hcall(h, FFAEMU_FFA_MEM_SHARE_64, 47, 47, 0, 0, 0);
		assert_proxy_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		h_free(h);
	}
}

/* A 1.0 SPMC that still answers hypervisor retrieve requests (a 1.1 feature, spec E1). */
static void hyp_retrieve_1_0(struct ffaemu_spmc_profile *p)
{
	p->features |= FFAEMU_SPMC_F_HYP_RETRIEVE;
}

/*
 * v6.4's hypervisor retrieve request is its 32-byte 1.0 header struct, the
 * length a 1.0 SPMC expects for a header with no receivers; v6.7+ sends the
 * 48-byte 1.1 struct (pkvm-proxy 1.15 step 1; spec D3, E1).
 */
static void test_reclaim_6_4_retrieve_request_1_0_header(void **state)
{
	static const struct {
		const char *prof;
		uint32_t len;
		bool check_ok;
	} rows[] = {{"pkvm-6.4", 32, true}, {"pkvm-6.10", 48, false}, {P2026, 48, true}};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct h *h = h_real_spmc(rows[i].prof, NULL, hyp_retrieve_1_0);
		uint8_t want[48] = {0};
		struct ffaemu_regs r;
		uint64_t handle;

		h_up(h, true);
		handle = share_n(h, 2);
		r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
		assert_int_equal(h->retr_len, rows[i].len);
		put(want, 8, 8, handle);
		assert_memory_equal(h->retr_req, want, rows[i].len);
		if (rows[i].check_ok) {
			if (r.x[0] != FFAEMU_FFA_SUCCESS)
				fail_msg("%s: reclaim x0 0x%llx w2 %d", rows[i].prof,
					 (unsigned long long)r.x[0], (int32_t)r.x[2]);
			assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_OWNED);
		}
		h_free(h);
	}
}

/*
 * Unsharing the retrieved ranges goes in order and stops at the first range
 * that is malformed or fails to unshare, as sharing does (pkvm-proxy 1.13
 * step 11, 1.15 step 9): the ranges before it are unshared, the rest stay.
 */
static void test_reclaim_unshare_stops_at_first_bad_range(void **state)
{
	static const struct {
		const char *what;
		uint32_t off;  /* into constituent 1 */
		unsigned size;
		uint64_t v;
	} rows[] = {
		{"empty range (range validity)", 8, 4, 0},
		{"range not shared", 0, 8, SHARE_PA + 0x10000},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct h *h = h_new(P2026, NULL);
		struct ffaemu_regs r;
		uint64_t handle;

		h_up(h, true);
		handle = share_n(h, 3);
		/* 1.2 layout: composite at 80, constituents from 96 */
		put(h->si->txn[0].desc, 96 + 16 + rows[i].off, rows[i].size, rows[i].v);
		r = hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, 0, 0, 0);
		assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
		print_message("  %s\n", rows[i].what);
		assert_int_equal(hyp_state(h, SHARE_PA), FFAEMU_PAGE_OWNED);
		assert_int_equal(hyp_state(h, SHARE_PA + 0x2000), FFAEMU_PAGE_SHARED);
		assert_int_equal(hyp_state(h, SHARE_PA + 0x4000), FFAEMU_PAGE_SHARED);
		assert_int_equal(hst(h).warnings, 1);
		h_free(h);
	}
}

static bool hook_map_odd_reply(struct standin *s, struct ffaemu_regs *r)
{
	if ((uint32_t)r->x[0] != FFAEMU_FFA_RXTX_MAP_64)
		return false;
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_YIELD;
	r->x[2] = s->user ? 5 : 0;
	return true;
}

/*
 * RXTX_MAP: a reply that is neither SUCCESS nor ERROR is judged by its w2
 * alone: w2 = 0 passes as success, any other w2 is returned as the error,
 * sign-extended (pkvm-proxy 1.10 step 4).
 */
static void test_rxtx_map_non_error_reply_judged_by_w2(void **state)
{
	struct h *h = h_new(P2026, NULL);
	struct ffaemu_mem_stats ms;
	struct ffaemu_regs r;

	(void)state;
	h_up(h, false);
	ffaemu_mem_get_stats(h->mem, &ms);
	h->si->hook = hook_map_odd_reply;
	h->si->user = h; /* w2 = 5 */
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_proxy_error(r, 5);
	assert_false(hst(h).host_mapped);
	assert_map_same(h, &ms);
	h->si->user = NULL; /* w2 = 0 */
	r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1, 0, 0);
	assert_int_equal(r.x[0], FFAEMU_FFA_SUCCESS);
	assert_true(hst(h).host_mapped);
	assert_true(hst(h).hyp_mapped);
	assert_int_equal(hyp_state(h, HOST_TX), FFAEMU_PAGE_SHARED);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_listed_and_lookup),
		cmocka_unit_test(test_profile_copy_and_edit),
		cmocka_unit_test(test_new_rejects_bad_config),
		cmocka_unit_test(test_hyp_ram_owned_by_hyp),
		cmocka_unit_test(test_entry_imm16_nonzero_not_supported),
		cmocka_unit_test(test_entry_x0_upper_bits_not_supported),
		cmocka_unit_test(test_entry_sve_hint_ignored_for_dispatch),
		cmocka_unit_test(test_entry_non_ffa_forwarded_x0_x17),
		cmocka_unit_test(test_gate_invalid_parameters_before_version),
		cmocka_unit_test(test_gate_absent_before_6_11),
		cmocka_unit_test(test_gate_opens_after_version),
		cmocka_unit_test(test_version_other_major_not_supported),
		cmocka_unit_test(test_version_same_or_higher_minor_negotiates),
		cmocka_unit_test(test_version_bit31_ignored),
		cmocka_unit_test(test_version_downgrade_forwarded_to_spmc),
		cmocka_unit_test(test_version_downgrade_refused_by_spmc_retry_allowed),
		cmocka_unit_test(test_version_post_init_failure_stays_unnegotiated),
		cmocka_unit_test(test_version_after_negotiation_locked),
		cmocka_unit_test(test_version_reply_registers_per_profile),
		cmocka_unit_test(test_init_spmc_without_ffa_leaves_pkvm_bootable),
		cmocka_unit_test(test_init_w32_minus1_fails_pkvm_before_s32_fix),
		cmocka_unit_test(test_init_sign_extended_minus1_inert_every_profile),
		cmocka_unit_test(test_init_inert_old_profile_still_filters),
		cmocka_unit_test(test_init_major_not_1_fatal),
		cmocka_unit_test(test_init_version_capped),
		cmocka_unit_test(test_init_smccc_below_1_2_inert),
		cmocka_unit_test(test_init_6_4_requires_exactly_1_0),
		cmocka_unit_test(test_post_init_rxtx_minimum_vs_page_size),
		cmocka_unit_test(test_post_init_rejects_bad_id_and_reserved_size),
		cmocka_unit_test(test_deny_list_exact_per_profile),
		cmocka_unit_test(test_deny_list_live_matches_profile_for_every_fid_shape),
		cmocka_unit_test(test_deny_list_live_per_profile),
		cmocka_unit_test(test_ffa_range_before_and_after_6_11),
		cmocka_unit_test(test_msg_send2_forwarded_reads_hyp_tx),
		cmocka_unit_test(test_direct_msg_series_req2_and_checks),
		cmocka_unit_test(test_features_filtering),
		cmocka_unit_test(test_rxtx_map_checks),
		cmocka_unit_test(test_rxtx_map_spmc_failure_propagated),
		cmocka_unit_test(test_rxtx_map_16k_kernel),
		cmocka_unit_test(test_mem_share_validation_steps),
		cmocka_unit_test(test_mem_share_success_and_fn64_reissue),
		cmocka_unit_test(test_mem_share_16k_alignment),
		cmocka_unit_test(test_mem_share_spmc_failure_rolls_back),
		cmocka_unit_test(test_mem_share_layout_follows_hyp_version),
		cmocka_unit_test(test_frag_share_two_fragments),
		cmocka_unit_test(test_frag_rx_offset_mismatch_rolls_back),
		cmocka_unit_test(test_frag_tx_share_failure_reclaims_at_spmc),
		cmocka_unit_test(test_frag_tx_spmc_failure_keeps_earlier_fragments),
		cmocka_unit_test(test_frag_tx_argument_checks),
		cmocka_unit_test(test_reclaim_hyp_retrieve_request_and_unshare),
		cmocka_unit_test(test_reclaim_fragmented_rx_release_each),
		cmocka_unit_test(test_reclaim_malicious_spmc),
		cmocka_unit_test(test_reclaim_zero_fragment_bounded_every_profile),
		cmocka_unit_test(test_reclaim_unshares_exactly_retrieved_ranges),
		cmocka_unit_test(test_part_info_unmapped_busy),
		cmocka_unit_test(test_part_info_copied_to_host_rx_no_release),
		cmocka_unit_test(test_part_info_count_only_pass_through),
		cmocka_unit_test(test_part_info_1_0_size_8),
		cmocka_unit_test(test_part_info_oversize_aborted),
		cmocka_unit_test(test_ret_regs_policy_per_profile),
		cmocka_unit_test(test_spmc_results_beyond_x3_per_downcall),
		cmocka_unit_test(test_fallback_downcall),
		cmocka_unit_test(test_section2_each_fix_before_and_after),
		cmocka_unit_test(test_new_allocation_failures_clean),
		cmocka_unit_test(test_new_rejects_bad_profile_and_base),
		cmocka_unit_test(test_fuzz_registers_and_descriptors),
		cmocka_unit_test(test_fuzz_host_calls_real_spmc),
		cmocka_unit_test(test_reclaim_emad_read_before_fraglen_check),
		cmocka_unit_test(test_features_handled_in_6_4),
		cmocka_unit_test(test_features_query_id_not_hint_masked),
		cmocka_unit_test(test_mem_share_6_4_minimum_fragment_1_0_structs),
		cmocka_unit_test(test_reclaim_6_4_retrieve_request_1_0_header),
		cmocka_unit_test(test_reclaim_unshare_stops_at_first_bad_range),
		cmocka_unit_test(test_rxtx_map_non_error_reply_judged_by_w2),
		cmocka_unit_test(test_new_rejects_hyp_ram_not_owned_by_hyp),
		cmocka_unit_test(test_version_downgrade_adopts_request_not_reply),
		cmocka_unit_test(test_direct_msg_series_req2_payload_x4_x17),
		cmocka_unit_test(test_fuzz_reclaim_malicious_retrieve_responses),
		cmocka_unit_test(test_fuzz_share_mutated_descriptors_roll_back),
		cmocka_unit_test(test_rxtx_map_rx_share_failure_rolls_back),
		cmocka_unit_test(test_mem_share_fields_the_proxy_does_not_check),
		cmocka_unit_test(test_mem_share_validation_order),
		cmocka_unit_test(test_reclaim_validation_order),
	};
	return cmocka_run_group_tests_name("proxy", tests, NULL, NULL);
}
