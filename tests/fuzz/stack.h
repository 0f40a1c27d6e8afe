/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A whole stack under test, for the harnesses and the allocation-failure
 * test: build it from indexes into the profile catalogues, attach the
 * conformance checker to the edges whose callee must behave, and check
 * after each call that
 *  - the page map keeps its invariants (ffaemu_mem_check);
 *  - no callee-side rule fired (caller-side rules are excluded: the fuzzer
 *    is a bad caller on purpose);
 *  - an FFA_ERROR reply changed no state (spec "errors change no state";
 *    DESIGN.md principles), judged by a digest of everything the public
 *    API shows: the page info of every host RAM page (owner, state,
 *    borrowers, hypervisor state, pins, flags),
 *    the SPMC's endpoint and notification state of the host and of every
 *    partition, the SPMC's memory transactions (completed ones through
 *    ffaemu_spmc_mem_digest, and every transaction in progress: a send in
 *    FRAG_TX fragments, a retrieve in FRAG_RX fragments, field by field),
 *    and the proxy's mailbox state. Two changes an error may make, each
 *    limited to the handle the call names:
 *     - spec E2: an FFA_ERROR to FRAG_TX may drop its send in fragments
 *       (the SPMC drops it; a pKVM proxy aborts it with MEM_RECLAIM,
 *       pkvm-proxy 1.14);
 *     - behind a proxy, an FFA_ERROR to MEM_RECLAIM may leave the
 *       hypervisor's own retrieve of that handle started or advanced: the
 *       pKVM reclaim path describes the transaction with a hypervisor
 *       retrieve request and can give up before its last FRAG_RX
 *       (pkvm-proxy 1.15); FF-A has no call to abandon a retrieve, and the
 *       next hypervisor retrieve of the handle restarts it (spec E3).
 */
#ifndef FFAEMU_TESTS_FUZZ_STACK_H
#define FFAEMU_TESTS_FUZZ_STACK_H

#include <ffa/ffa.h>
#include <ffa/proxy.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#include "fuzz.h"

/* Endpoints the "conform" partition preset creates (system.h), plus the host. */
static const ffaemu_id_t stack_endpoints[] = {0x0000, 0x8001, 0x8002, 0x8003,
					      0x8004, 0x8005, 0x8006};

struct stack {
	struct ffaemu_system *sys;
	struct ffaemu_check *chk;
	const char *proxy;     /* profile name, "none" */
	bool check_host_edge;  /* the proxy (or EL3) in front of the host is a fixed model */
	size_t seen;           /* violations already judged */
	ffaemu_pa_t tx, rx;    /* host mailbox, from the last successful RXTX_MAP */
	uint64_t handle;       /* last memory handle seen */
};

/* Index 0 = "none", i = built-in profile i - 1. */
static inline const char *stack_proxy_name(unsigned i)
{
	size_t n = ffaemu_proxy_profile_count();
	i %= (unsigned)(n + 1);
	return i == 0 ? "none" : ffaemu_proxy_profile_name_at(i - 1);
}

/* Index 0 = the SPMC's default, i = built-in profile i - 1. */
static inline const char *stack_spmc_name(unsigned i)
{
	size_t n = ffaemu_spmc_profile_count();
	i %= (unsigned)(n + 1);
	return i == 0 ? NULL : ffaemu_spmc_profile_name_at(i - 1);
}

/*
 * Profiles that model a kernel with every known fix behave as the spec
 * says towards the host; older ones reproduce old bugs on purpose
 * (proxy.h), so only the edge below them is held to the callee rules.
 */
static inline bool stack_proxy_is_fixed(const char *name)
{
	struct ffaemu_proxy_profile p;
	if (strcmp(name, "none") == 0)
		return true;
	if (ffaemu_proxy_profile_get(name, &p) != 0)
		return false;
	const struct ffaemu_proxy_fixes *f = &p.fixes;
	return p.ret_regs == FFAEMU_PROXY_RET_X0_X17 && f->init_any_1x && f->rx_release &&
	       f->mem_len_check && f->range_validity && f->features_mask &&
	       f->composite_overflow && f->version_s32 && f->imm16 && f->x0_upper &&
	       f->reclaim_bounds && f->page_aligned && f->zero_response;
}

/* One 64-bit value into the digest (multiply-rotate: cheap, order-sensitive). */
static inline uint64_t mix64(uint64_t h, uint64_t v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	h = (h << 29) | (h >> 35);
	return h * 0xbf58476d1ce4e5b9ull;
}

#define FNV_VAL(h, v) (h = mix64(h, (uint64_t)(v)))

/* What a digest may leave out: the change an error to that call may make (above). */
enum stack_skip {
	STACK_SKIP_NONE = 0,
	STACK_SKIP_SEND = 1,         /* the send in fragments with the handle (E2) */
	STACK_SKIP_HYP_RETRIEVE = 2  /* the hypervisor's retrieves of the handle (pkvm-proxy 1.15) */
};

/*
 * The SPMC's memory transactions: the completed ones and the handle
 * counter, then each in progress (ffaemu_spmc_txn_at order), but what
 * `skip` leaves out for handle h.
 */
static inline uint64_t stack_mem_digest(uint64_t h, struct ffaemu_spmc *spmc,
					enum stack_skip skip, ffaemu_handle_t handle)
{
	struct ffaemu_spmc_txn t;

	FNV_VAL(h, ffaemu_spmc_mem_digest(spmc, FFAEMU_SPMC_MEM_DONE));
	for (size_t i = 0; ffaemu_spmc_txn_at(spmc, i, &t) == 0; i++) {
		bool retrieve = t.kind == FFAEMU_SPMC_TXN_RETRIEVE;

		if (t.handle == handle &&
		    ((skip == STACK_SKIP_SEND && !retrieve) ||
		     (skip == STACK_SKIP_HYP_RETRIEVE && retrieve && t.hyp)))
			continue;
		FNV_VAL(h, (uint64_t)t.kind | (uint64_t)t.type << 8 | (uint64_t)t.sender << 16 |
				   (uint64_t)t.receiver << 32 | (uint64_t)t.hyp << 48);
		FNV_VAL(h, t.handle);
		FNV_VAL(h, (uint64_t)t.total_len << 32 | t.done_len);
		FNV_VAL(h, (uint64_t)t.fragments << 32 | t.version);
		FNV_VAL(h, t.digest);
	}
	return h;
}

/*
 * The page map, endpoints, notifications and the proxy's mailbox; with
 * with_mem, the SPMC's memory transactions too (stack_mem_digest: skip and
 * handle as there).
 */
static inline uint64_t stack_digest_full(struct ffaemu_system *sys, bool with_mem,
					 enum stack_skip skip, ffaemu_handle_t handle)
{
	uint64_t h = 0xcbf29ce484222325ull;
	struct ffaemu_mem *mem = ffaemu_system_mem(sys);
	struct ffaemu_spmc *spmc = ffaemu_system_spmc(sys);
	struct ffaemu_proxy *proxy = ffaemu_system_proxy(sys);

	for (uint64_t off = 0; off < FFAEMU_SYSTEM_RAM_SIZE; off += FFAEMU_PAGE_SIZE) {
		struct ffaemu_page_info pi;
		if (ffaemu_mem_page_info(mem, FFAEMU_SYSTEM_RAM_BASE + off, &pi) != 0)
			continue;
		FNV_VAL(h, (uint64_t)pi.owner.kind | (uint64_t)pi.owner.id << 8 |
				   (uint64_t)pi.state << 24 | (uint64_t)pi.hyp_state << 28 |
				   (uint64_t)pi.borrowers << 32 | (uint64_t)pi.pins << 48);
		FNV_VAL(h, pi.flags);
	}
	for (size_t i = 0; i < sizeof(stack_endpoints) / sizeof(stack_endpoints[0]); i++) {
		struct ffaemu_spmc_ep_info ep;
		struct ffaemu_spmc_notif_info ni;
		ffaemu_id_t id = stack_endpoints[i];
		FNV_VAL(h, id);
		/* version, version_called and negotiated are left out: any call may
		 * end version negotiation, whatever its answer (spec C4). */
		if (ffaemu_spmc_ep_info(spmc, id, &ep) == 0) {
			FNV_VAL(h, ep.mapped);
			FNV_VAL(h, ep.tx_pa);
			FNV_VAL(h, ep.rx_pa);
			FNV_VAL(h, ep.rxtx_pages);
			FNV_VAL(h, ep.rx_full);
			FNV_VAL(h, ep.rx_hyp_owned);
			FNV_VAL(h, ep.mapped_by_hyp);
		}
		if (ffaemu_spmc_notif_info(spmc, id, &ni) == 0) {
			FNV_VAL(h, ni.bitmap);
			FNV_VAL(h, ni.vcpu_count);
			FNV_VAL(h, ni.bound);
			FNV_VAL(h, ni.per_vcpu);
			FNV_VAL(h, ni.pending_sp);
			FNV_VAL(h, ni.pending_vm);
			FNV_VAL(h, ni.pending_spm);
			FNV_VAL(h, ni.pending_hyp);
			for (unsigned b = 0; b < 64; b++)
				if (ni.bound & (1ull << b))
					FNV_VAL(h, ni.binder[b]);
		}
	}
	if (proxy) {
		struct ffaemu_proxy_status st;
		ffaemu_proxy_get_status(proxy, &st);
		FNV_VAL(h, st.state);
		FNV_VAL(h, st.hyp_version);
		FNV_VAL(h, st.host_mapped);
		FNV_VAL(h, st.host_tx);
		FNV_VAL(h, st.host_rx);
		FNV_VAL(h, st.hyp_mapped);
		FNV_VAL(h, st.hyp_tx);
		FNV_VAL(h, st.hyp_rx);
	}
	return with_mem ? stack_mem_digest(h, spmc, skip, handle) : h;
}

/*
 * Without the memory transactions: test_alloc_fail.c judges NO_MEMORY
 * replies with it, and a NO_MEMORY to FRAG_TX drops its send (spec E2).
 */
static inline uint64_t stack_digest(struct ffaemu_system *sys)
{
	return stack_digest_full(sys, false, STACK_SKIP_NONE, 0);
}

/* Everything, the memory transactions included. */
static inline uint64_t stack_state_digest(struct ffaemu_system *sys)
{
	return stack_digest_full(sys, true, STACK_SKIP_NONE, 0);
}

/*
 * The FF-A version in force for a call the SPMC answers: the SPMC's own
 * record of the endpoint. The checker's inference cannot know it on the
 * proxy's edges (the proxy negotiated at boot, before the checker joined,
 * and renegotiates through either of its two edges, pkvm-proxy 1.4-1.5),
 * nor before a first FFA_VERSION, where the SPMC answers at its profile's
 * version (spmc.h, prenego quirk ACCEPT; spec C4, UNCONFIRMED).
 */
static inline uint32_t stack_version_fn(void *user, const struct ffaemu_edge_event *ev)
{
	struct stack *s = user;
	struct ffaemu_spmc_ep_info ep;

	if (ev->edge == ffaemu_system_host_edge(s->sys) && strcmp(s->proxy, "none") != 0)
		return 0;
	if (ffaemu_spmc_ep_info(ffaemu_system_spmc(s->sys), ev->ctx->caller, &ep) != 0)
		return 0;
	return ep.version;
}

/*
 * Build a stack: proxy and SPMC profile by catalogue index, the "conform"
 * partitions. alloc may be NULL. Returns the ffaemu_system_new status.
 */
static inline int stack_new(struct stack *s, unsigned proxy_idx, unsigned spmc_idx,
			    const struct ffaemu_allocator *alloc, bool with_checker)
{
	struct ffaemu_system_config cfg;
	int rc;

	memset(s, 0, sizeof(*s));
	ffaemu_system_config_default(&cfg);
	s->proxy = stack_proxy_name(proxy_idx);
	cfg.proxy = s->proxy;
	cfg.spmc = stack_spmc_name(spmc_idx);
	cfg.partitions = "conform";
	cfg.alloc = alloc;
	rc = ffaemu_system_new(&cfg, &s->sys);
	if (rc != 0)
		return rc;
	s->tx = FFAEMU_SYSTEM_RAM_BASE;
	s->rx = FFAEMU_SYSTEM_RAM_BASE + FFAEMU_PAGE_SIZE;
	s->check_host_edge = stack_proxy_is_fixed(s->proxy);
	if (!with_checker)
		return 0;

	struct ffaemu_check_config cc;
	ffaemu_check_config_default(&cc);
	cc.alloc = alloc;
	cc.version_fn = stack_version_fn;
	cc.version_user = s;
	rc = ffaemu_check_new(&cc, &s->chk);
	if (rc != 0) {
		ffaemu_system_free(&s->sys);
		return rc;
	}
	struct ffaemu_proxy *proxy = ffaemu_system_proxy(s->sys);
	if (s->check_host_edge)
		rc = ffaemu_check_attach(s->chk, ffaemu_system_host_edge(s->sys));
	if (rc == 0 && proxy) {
		struct ffaemu_proxy_status st;
		ffaemu_proxy_get_status(proxy, &st);
		const uint32_t smccc[2] = {FFAEMU_SMCCC_1_1, FFAEMU_SMCCC_1_2};
		for (int i = 0; i < 2 && rc == 0; i++) {
			struct ffaemu_edge *e = ffaemu_proxy_down_edge(proxy, smccc[i]);
			if (!e)
				continue;
			rc = ffaemu_check_attach(s->chk, e);
			/* The proxy negotiated with the SPMC at boot, before the checker
			 * joined (pkvm-proxy 1.4). */
			if (rc == 0 && st.hyp_version)
				rc = ffaemu_check_assume_version(s->chk, ffaemu_edge_name(e), 0,
								 st.hyp_version);
		}
	}
	if (rc != 0) {
		ffaemu_check_free(&s->chk);
		ffaemu_system_free(&s->sys);
		return rc;
	}
	return 0;
}

static inline void stack_free(struct stack *s)
{
	ffaemu_check_free(&s->chk);
	ffaemu_system_free(&s->sys);
}

/*
 * Callee rules a fixed proxy breaks on purpose, as the kernel it models
 * does: pKVM writes its own error codes sign-extended into x2 (pkvm-proxy
 * 1.17; proxy.h wiring note), which the host edge of a system lets through.
 */
static inline bool stack_exempt(const struct stack *s, const struct ffaemu_check_violation *v)
{
	if (strcmp(s->proxy, "none") == 0 ||
	    strcmp(v->edge, ffaemu_edge_name(ffaemu_system_host_edge(s->sys))) != 0)
		return false;
	if (strcmp(v->rule->id, "SMCCC-W32-001") == 0)
		return true;
	/* 6.18+ writes x0-x17 from a zeroed result even for SMC32 calls
	 * (pkvm-proxy 1.17, 6f4c348b1d5c); tests/scenarios/register-hygiene.ffa. */
	if (strcmp(v->rule->id, "SMCCC-PRES-001") == 0)
		return true;
	/* RX_RELEASE is a plain pass-through that releases the hypervisor's RX
	 * at the SPMC, not the host's (pkvm-proxy 1.11): its answer says
	 * nothing about the host's RX. */
	return strcmp(v->rule->id, "FFA-RX-002") == 0;
}

/* Callee-side violations of the last call: print them and abort. */
static inline void stack_check_callee(struct stack *s, const struct ffaemu_regs *in)
{
	if (!s->chk)
		return;
	size_t stored = ffaemu_check_stored(s->chk);
	unsigned bad = 0;
	for (size_t i = s->seen; i < stored; i++) {
		const struct ffaemu_check_violation *v = ffaemu_check_violation_at(s->chk, i);
		if (!v || v->rule->side != FFAEMU_CHECK_CALLEE || stack_exempt(s, v))
			continue;
		char buf[512];
		ffaemu_check_violation_format(v, buf, sizeof(buf));
		fprintf(stderr, "callee violation (proxy %s): %s\n", s->proxy, buf);
		bad++;
	}
	s->seen = stored;
	FUZZ_CHECK(bad == 0, "%u callee-side violations after call fid 0x%08x", bad,
		   (unsigned)in->x[0]);
}

static inline bool stack_is_error(const struct ffaemu_regs *r)
{
	return (uint32_t)r->x[0] == FFAEMU_FFA_ERROR;
}

/* Track what later calls refer to: the mailbox and the last handle. */
static inline void stack_track(struct stack *s, const struct ffaemu_regs *in,
			       const struct ffaemu_regs *out)
{
	uint32_t fid = (uint32_t)in->x[0];
	uint32_t r0 = (uint32_t)out->x[0];

	if ((fid == FFAEMU_FFA_RXTX_MAP || fid == FFAEMU_FFA_RXTX_MAP_64) &&
	    (r0 == FFAEMU_FFA_SUCCESS || r0 == FFAEMU_FFA_SUCCESS_64)) {
		s->tx = fid == FFAEMU_FFA_RXTX_MAP ? (uint32_t)in->x[1] : in->x[1];
		s->rx = fid == FFAEMU_FFA_RXTX_MAP ? (uint32_t)in->x[2] : in->x[2];
	}
	if (r0 == FFAEMU_FFA_SUCCESS &&
	    (fid == FFAEMU_FFA_MEM_SHARE || fid == FFAEMU_FFA_MEM_SHARE_64 ||
	     fid == FFAEMU_FFA_MEM_LEND || fid == FFAEMU_FFA_MEM_LEND_64 ||
	     fid == FFAEMU_FFA_MEM_DONATE || fid == FFAEMU_FFA_MEM_DONATE_64 ||
	     fid == FFAEMU_FFA_MEM_FRAG_TX))
		s->handle = ffaemu_regs_handle(out, 2);
	if (r0 == FFAEMU_FFA_MEM_FRAG_RX)
		s->handle = ffaemu_regs_handle(out, 1);
}

/* The SPMC's memory transactions in progress, one per line (a finding's context). */
static inline void stack_txn_print(struct ffaemu_system *sys, const char *when)
{
	struct ffaemu_spmc *spmc = ffaemu_system_spmc(sys);
	struct ffaemu_spmc_txn t;

	fprintf(stderr, "transactions in progress %s (completed: digest 0x%016llx):\n", when,
		(unsigned long long)ffaemu_spmc_mem_digest(spmc, FFAEMU_SPMC_MEM_DONE));
	for (size_t i = 0; ffaemu_spmc_txn_at(spmc, i, &t) == 0; i++)
		fprintf(stderr,
			"  kind %d type %u handle 0x%llx sender 0x%04x receiver 0x%04x%s "
			"%u/%u bytes, %u fragments, v0x%x, digest 0x%016llx\n",
			(int)t.kind, t.type, (unsigned long long)t.handle, t.sender, t.receiver,
			t.hyp ? " (hyp)" : "", t.done_len, t.total_len, t.fragments, t.version,
			(unsigned long long)t.digest);
}

/*
 * One host call with every check. With a checker and a digest it is the
 * fuzzers' oracle; the allocation-failure test passes check_digest too.
 */
static inline void stack_call(struct stack *s, struct ffaemu_regs *r)
{
	struct ffaemu_regs in = *r;
	uint32_t fid = (uint32_t)in.x[0];
	ffaemu_handle_t handle = ffaemu_regs_handle(&in, 1);
	/* What an error to this call may change (the header comment above). */
	enum stack_skip skip = fid == FFAEMU_FFA_MEM_FRAG_TX ? STACK_SKIP_SEND
			       : fid == FFAEMU_FFA_MEM_RECLAIM && strcmp(s->proxy, "none") != 0
				       ? STACK_SKIP_HYP_RETRIEVE
				       : STACK_SKIP_NONE;
	uint64_t before = stack_state_digest(s->sys);
	uint64_t before_but = skip ? stack_digest_full(s->sys, true, skip, handle) : before;
	char why[256];

	if (getenv("FUZZ_VERBOSE"))
		stack_txn_print(s->sys, "before");
	ffaemu_system_call(s->sys, r);
	if (getenv("FUZZ_VERBOSE")) {
		char a[400], b[400];
		ffaemu_regs_format(&in, 0xff, a, sizeof(a));
		ffaemu_regs_format(r, 0xff, b, sizeof(b));
		fprintf(stderr, "call %s\n  => %s\n", a, b);
	}
	int mc = ffaemu_mem_check(ffaemu_system_mem(s->sys), why, sizeof(why));
	FUZZ_CHECK(mc == 0, "page map after fid 0x%08x (proxy %s): %s", (unsigned)in.x[0],
		   s->proxy, why);
	stack_check_callee(s, &in);
	if (stack_is_error(r)) {
		uint64_t after = stack_state_digest(s->sys);
		/* E2 drops the send (after == before_but); pkvm-proxy 1.15 may start,
		 * advance or restart the hypervisor's retrieve (compared without it). */
		bool same = after == before ||
			    (skip == STACK_SKIP_SEND && after == before_but) ||
			    (skip == STACK_SKIP_HYP_RETRIEVE &&
			     stack_digest_full(s->sys, true, skip, handle) == before_but);
		if (!same)
			stack_txn_print(s->sys, "after");
		FUZZ_CHECK(same,
			   "FFA_ERROR(%d) to fid 0x%08x (proxy %s) changed state "
			   "(x1=0x%llx x2=0x%llx x3=0x%llx x4=0x%llx)",
			   (int)(int32_t)r->x[2], (unsigned)in.x[0], s->proxy,
			   (unsigned long long)in.x[1], (unsigned long long)in.x[2],
			   (unsigned long long)in.x[3], (unsigned long long)in.x[4]);
	}
	stack_track(s, &in, r);
}

/*
 * The CALL selector of fuzz_stack (shared with seedgen.c, which must encode
 * calls the same way).
 */
static uint32_t fid_table[256];
static unsigned fid_count;

/* Every FID of the ABI table, both widths, plus the SMCCC calls EL3 answers. */
static inline void fid_table_init(void)
{
	if (fid_count)
		return;
	fid_table[fid_count++] = FFAEMU_SMCCC_VERSION_FID;
	fid_table[fid_count++] = FFAEMU_SMCCC_ARCH_FEATURES;
	for (size_t i = 0; i < ffaemu_abi_count() && fid_count < 254; i++) {
		const struct ffaemu_abi *a = ffaemu_abi_at(i);
		if (a->fid32)
			fid_table[fid_count++] = a->fid32;
		if (a->fid64)
			fid_table[fid_count++] = a->fid64;
	}
}

#endif /* FFAEMU_TESTS_FUZZ_STACK_H */

