/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocation-failure injection: every allocation the library makes goes
 * through the struct ffaemu_allocator given to its constructors (lib/alloc.h),
 * so a test allocator can fail exactly the Nth one. For a representative
 * scenario (system_new, a conformance-like sequence of calls, free) each
 * N = 1, 2, ... is failed in turn until the scenario runs without reaching
 * N. Each failure must give a clean error (FFAEMU_ENOMEM from a
 * constructor, FFA_ERROR on the wire), leave the stack's state unchanged
 * (stack.h digest) and leak nothing (blocks allocated == blocks freed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "stack.h"

struct failalloc {
	unsigned long calls;   /* allocation attempts (alloc, and realloc of a new size) */
	unsigned long fail_at; /* attempt that fails, 1-based; 0 = none */
	bool failed;           /* fail_at was reached */
	long live;             /* blocks allocated and not freed */
};

static void *fa_alloc(void *user, size_t bytes)
{
	struct failalloc *fa = user;
	if (++fa->calls == fa->fail_at) {
		fa->failed = true;
		return NULL;
	}
	void *p = malloc(bytes ? bytes : 1);
	if (p)
		fa->live++;
	return p;
}

static void *fa_realloc(void *user, void *ptr, size_t bytes)
{
	struct failalloc *fa = user;
	if (!ptr)
		return fa_alloc(user, bytes);
	if (++fa->calls == fa->fail_at) {
		fa->failed = true;
		return NULL;
	}
	return realloc(ptr, bytes ? bytes : 1);
}

static void fa_free(void *user, void *ptr)
{
	struct failalloc *fa = user;
	if (ptr)
		fa->live--;
	free(ptr);
}

static void fa_reset(struct failalloc *fa, struct ffaemu_allocator *a, unsigned long n)
{
	memset(fa, 0, sizeof(*fa));
	fa->fail_at = n;
	a->size = sizeof(*a);
	a->alloc = fa_alloc;
	a->realloc = fa_realloc;
	a->free = fa_free;
	a->user = fa;
}

/* What the run with nothing failing saw at each call (the reference). */
struct ref_call {
	uint32_t fid, x0, status;
	uint64_t digest; /* stack_digest after the call */
};

#define SEQ_MAX_CALLS 512

struct seq {
	struct stack st;
	struct failalloc *fa;
	unsigned long n;
	unsigned calls, errors_injected;
	struct ref_call *ref; /* SEQ_MAX_CALLS entries */
	bool recording;       /* this is the reference run */
	unsigned nref;
	unsigned no_memory, worked; /* how the call holding the failure answered */
	bool retried;               /* ... and it was NO_MEMORY, and the retry worked */
	uint32_t version;           /* negotiated: the layout of the descriptors */
};

/*
 * The call in which the Nth allocation failed. Up to it the run was the
 * reference run (everything is deterministic), so it is judged against the
 * reference's same call:
 *  - an FFA_ERROR must be NO_MEMORY (spec C2: "not enough memory"; issue #7:
 *    the emulator's exhaustion must not look like a protocol answer) and
 *    change no state;
 *  - anything else means the failing allocation was optional (a tracer or
 *    checker record) and the call must have done exactly what it did in
 *    the reference: same reply, same state after;
 *  - a request to the memory partition reports its failing step in w3
 *    (memdesc.h): 0 and the reference's outcome, or NO_MEMORY.
 */
static bool judge_failing_call(struct seq *q, unsigned idx, const struct ffaemu_regs *r,
			       bool stateless, uint64_t before, uint64_t after)
{
	const struct ref_call *ref = &q->ref[idx];
	uint32_t fid = ref->fid, x0 = (uint32_t)r->x[0], status = (uint32_t)r->x[3];

	q->errors_injected++;
	if (stack_is_error(r)) {
		if ((int32_t)r->x[2] != FFAEMU_FFA_NO_MEMORY)
			fail_msg("alloc %lu (proxy %s): fid 0x%08x answered FFA_ERROR(%d), "
				 "not NO_MEMORY", q->n, q->st.proxy, fid, (int)(int32_t)r->x[2]);
		/* FRAG_TX may drop its send (spec E2): stack_call judges that case. */
		if (after != before && fid != FFAEMU_FFA_MEM_FRAG_TX)
			fail_msg("alloc %lu (proxy %s): fid 0x%08x answered NO_MEMORY and changed "
				 "state", q->n, q->st.proxy, fid);
		q->no_memory++;
		return true;
	}
	if (x0 != ref->x0)
		fail_msg("alloc %lu (proxy %s): fid 0x%08x answered x0=0x%08x x2=0x%llx, "
			 "0x%08x without the failure", q->n, q->st.proxy, fid, x0,
			 (unsigned long long)r->x[2], ref->x0);
	if (stateless && status != 0) {
		if ((int32_t)status != FFAEMU_FFA_NO_MEMORY)
			fail_msg("alloc %lu (proxy %s): memory partition answered status %d at "
				 "step %u, not NO_MEMORY", q->n, q->st.proxy, (int)(int32_t)status,
				 (unsigned)r->x[6]);
		q->no_memory++;
		return true; /* the state is judged by seq_call */
	}
	if (stateless && status != ref->status)
		fail_msg("alloc %lu: memory partition status %u, %u without the failure", q->n,
			 status, ref->status);
	if (after != ref->digest)
		fail_msg("alloc %lu (proxy %s): fid 0x%08x answered as without the failure "
			 "(x0=0x%08x) but left another state", q->n, q->st.proxy, fid, x0);
	q->worked++;
	return false;
}

/*
 * Whether a call that answered NO_MEMORY can be made again as it was. Not
 * a FRAG_TX whose send the SPMC dropped (spec E2: an error mid-way ends the
 * transaction), nor a memory partition request whose relinquish failed
 * (the retrieve stands, spec E3).
 */
static bool retryable(struct seq *q, const struct ffaemu_regs *in, const struct ffaemu_regs *r,
		      bool stateless)
{
	struct ffaemu_spmc *spmc = ffaemu_system_spmc(q->st.sys);
	struct ffaemu_spmc_txn t;

	if (stateless)
		return (uint32_t)r->x[6] != FFAEMU_SP_MEMORY_STEP_RELINQUISH;
	if ((uint32_t)in->x[0] != FFAEMU_FFA_MEM_FRAG_TX)
		return true;
	for (size_t i = 0; ffaemu_spmc_txn_at(spmc, i, &t) == 0; i++)
		if (t.kind != FFAEMU_SPMC_TXN_RETRIEVE && t.handle == ffaemu_regs_handle(in, 1))
			return true;
	return false;
}

/*
 * NO_MEMORY changed nothing, so the same call again, with the allocator
 * past its failure, must do what it did in the reference run: the same
 * reply and the same state, and the rest of the run then goes as there.
 */
static void seq_retry(struct seq *q, unsigned idx, const struct ffaemu_regs *in,
		      struct ffaemu_regs *r, bool stateless)
{
	const struct ref_call *ref = &q->ref[idx];

	*r = *in;
	stack_call(&q->st, r);
	if ((uint32_t)r->x[0] != ref->x0 || (stateless && (uint32_t)r->x[3] != ref->status) ||
	    stack_digest(q->st.sys) != ref->digest)
		fail_msg("alloc %lu (proxy %s): fid 0x%08x retried after NO_MEMORY answered "
			 "x0=0x%08x x2=0x%llx x3=0x%llx, not as without the failure", q->n,
			 q->st.proxy, ref->fid, (uint32_t)r->x[0], (unsigned long long)r->x[2],
			 (unsigned long long)r->x[3]);
	q->retried = true;
}

/*
 * One host call, recorded in the reference run and judged in the others.
 * A request to the memory partition (stateless) retrieves, writes and
 * relinquishes inside the call, so whatever it answers the pages end as
 * they started, unless the relinquish itself is what failed (then the
 * retrieve stands: FFA_MEM_RELINQUISH changed nothing, spec E3).
 */
static void seq_call(struct seq *q, struct ffaemu_regs *r, bool stateless)
{
	bool before_failed = q->fa->failed;
	uint64_t before = stack_digest(q->st.sys), after;
	uint32_t fid = (uint32_t)r->x[0];
	unsigned idx = q->calls++;
	struct ffaemu_regs in = *r;

	assert_true(idx < SEQ_MAX_CALLS);
	stack_call(&q->st, r);
	after = stack_digest(q->st.sys);
	if (stateless && (uint32_t)r->x[6] != FFAEMU_SP_MEMORY_STEP_RELINQUISH && after != before)
		fail_msg("alloc %lu (proxy %s): memory partition request (x3=0x%llx) changed state",
			 q->n, q->st.proxy, (unsigned long long)r->x[3]);
	if (q->recording) {
		q->ref[idx].fid = fid;
		q->ref[idx].x0 = (uint32_t)r->x[0];
		q->ref[idx].status = (uint32_t)r->x[3];
		q->ref[idx].digest = after;
		q->nref = idx + 1;
	} else if (!before_failed && q->fa->failed) {
		assert_true(idx < q->nref);
		assert_int_equal(q->ref[idx].fid, fid);
		if (judge_failing_call(q, idx, r, stateless, before, after) &&
		    retryable(q, &in, r, stateless))
			seq_retry(q, idx, &in, r, stateless);
	}
}

static void regs(struct ffaemu_regs *r, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
		 uint64_t x4)
{
	ffaemu_regs_clear(r);
	r->x[0] = x0;
	r->x[1] = x1;
	r->x[2] = x2;
	r->x[3] = x3;
	r->x[4] = x4;
}

/*
 * The descriptor of a share of nranges single pages (every other page from
 * page first of RAM) with the memory partition, in buf; its length.
 * ranges holds nranges entries.
 */
static size_t share_desc(uint64_t first, unsigned nranges, struct ffaemu_range *ranges,
			 uint32_t version, uint8_t *buf, size_t cap)
{
	struct ffaemu_memdesc_receiver rcv;
	struct ffaemu_memdesc_tx tx;
	size_t len;

	memset(&tx, 0, sizeof(tx));
	memset(&rcv, 0, sizeof(rcv));
	rcv.id = 0x8005;
	rcv.perms = FFAEMU_MEM_PERM_DATA_RW;
	tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	tx.receiver_count = 1;
	tx.receivers = &rcv;
	for (unsigned i = 0; i < nranges; i++) {
		ranges[i].base = FFAEMU_SYSTEM_RAM_BASE + (first + 2ull * i) * FFAEMU_PAGE_SIZE;
		ranges[i].pages = 1;
	}
	tx.constituent_count = nranges;
	tx.constituents = ranges;
	assert_int_equal(ffaemu_memdesc_build(&tx, version, buf, cap, &len), 0);
	return len;
}

/*
 * Share nranges single pages (share_desc) with the memory partition, in
 * fragments of at most maxfrag bytes (a multiple of 16: fragments end on
 * constituent boundaries, spec E2).
 */
static uint64_t seq_share(struct seq *q, uint64_t first, unsigned nranges, size_t maxfrag)
{
	static struct ffaemu_range ranges[512];
	static uint8_t buf[48 + 32 + 16 + 16 * 512];
	struct ffaemu_regs r;
	size_t len = share_desc(first, nranges, ranges, q->version, buf, sizeof(buf));

	struct ffaemu_mem *mem = ffaemu_system_mem(q->st.sys);
	size_t fl = len < maxfrag ? len : maxfrag;
	assert_int_equal(ffaemu_mem_write(mem, q->st.tx, buf, fl), 0);
	regs(&r, FFAEMU_FFA_MEM_SHARE_64, len, fl, 0, 0);
	seq_call(q, &r, false);
	while ((uint32_t)r.x[0] == FFAEMU_FFA_MEM_FRAG_RX) {
		size_t off = (uint32_t)r.x[3];
		assert_true(off < len);
		fl = len - off < maxfrag ? len - off : maxfrag;
		assert_int_equal(ffaemu_mem_write(mem, q->st.tx, buf + off, fl), 0);
		uint64_t h = ffaemu_regs_handle(&r, 1);
		regs(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, fl, 0);
		seq_call(q, &r, false);
	}
	return (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS ? ffaemu_regs_handle(&r, 2) : 0;
}

/*
 * The shares of the sequence, on disjoint pages (one left shared does not
 * stop the next): one range in one fragment; 100 ranges in fragments of
 * 736 bytes, so a pKVM-2026 proxy (descriptor buffer of one page,
 * pkvm-proxy 1.1) takes the FRAG_TX path and reclaims 100 ranges; 300
 * ranges, more than that buffer holds (NO_MEMORY at share time from 6.18
 * on, pkvm-proxy 1.13 step 5; at reclaim time before). Pages 0 and 1 are
 * the mailbox.
 */
static const struct {
	uint64_t first;
	unsigned nranges;
	size_t maxfrag;
} seq_shares[] = {
	{0x300, 1, FFAEMU_PAGE_SIZE},
	{0x310, 100, 736},
	{0x10, 300, FFAEMU_PAGE_SIZE},
};

/* The conformance-like sequence; returns the number of calls that succeeded. */
static unsigned seq_run(struct seq *q)
{
	struct ffaemu_proxy_profile prof;
	struct ffaemu_regs r;
	unsigned ok = 0;

	/* The version the modelled kernel's driver asks for: what its proxy speaks
	 * (pkvm-proxy 4.2 step 1); descriptors follow the answer (spec D3). */
	q->version = FFAEMU_FFA_1_2;
	if (ffaemu_proxy_profile_get(q->st.proxy, &prof) == 0)
		q->version = prof.init_version;
	regs(&r, FFAEMU_FFA_VERSION, q->version, 0, 0, 0);
	seq_call(q, &r, false);
	if ((uint32_t)r.x[0] == FFAEMU_FFA_1_2 || (uint32_t)r.x[0] == FFAEMU_FFA_1_1 ||
	    (uint32_t)r.x[0] == FFAEMU_FFA_1_0) {
		ok++;
		/* The lower of the two, as the driver does (pkvm-proxy 4.2 step 1):
		 * before 6.11 the SPMC itself answers (no VERSION trap, 1.5). */
		if ((uint32_t)r.x[0] < q->version)
			q->version = (uint32_t)r.x[0];
	}
	regs(&r, FFAEMU_FFA_RXTX_MAP_64, q->st.tx, q->st.rx, 1, 0);
	seq_call(q, &r, false);
	ok += (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS;
	regs(&r, FFAEMU_FFA_ID_GET, 0, 0, 0, 0);
	seq_call(q, &r, false);
	ok += (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS;
	regs(&r, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0);
	seq_call(q, &r, false);
	if ((uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS) {
		ok++;
		regs(&r, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0);
		seq_call(q, &r, false);
		ok += (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS;
	}
	regs(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x1234, 0x5678);
	seq_call(q, &r, false);
	ok += (uint32_t)r.x[0] == FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;

	/* share, the partition retrieves, checks and relinquishes, reclaim */
	for (size_t i = 0; i < sizeof(seq_shares) / sizeof(seq_shares[0]); i++) {
		uint64_t h = seq_share(q, seq_shares[i].first, seq_shares[i].nranges,
				       seq_shares[i].maxfrag);
		if (!h)
			continue;
		ok++;
		regs(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8005, 0, (uint32_t)h, h >> 32);
		r.x[5] = FFAEMU_SP_MEMORY_OP_WRITE;
		r.x[6] = 0x5a5a5a5a;
		seq_call(q, &r, true);
		ok += (uint32_t)r.x[0] == FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64 && (uint32_t)r.x[3] == 0;
		regs(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0);
		seq_call(q, &r, false);
		ok += (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS;
	}
	regs(&r, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0);
	seq_call(q, &r, false);
	ok += (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS;
	return ok;
}

/*
 * stack_new with the checker on its own (libc) memory: its allocations
 * then never fail. A checker that loses a caller's state to a failed
 * allocation reports false callee violations later (check.c caller_state
 * returns NULL and the mapping it missed is never known), which would hide
 * what this test is about; the none and pkvm-2026 runs keep the checker on
 * the failing allocator, as before.
 */
static int stack_new_libc_checker(struct stack *s, unsigned proxy_idx, unsigned spmc_idx,
				  const struct ffaemu_allocator *alloc)
{
	struct ffaemu_check_config cc;
	struct ffaemu_proxy_status st;
	struct ffaemu_proxy *proxy;
	int rc = stack_new(s, proxy_idx, spmc_idx, alloc, false);

	if (rc != 0)
		return rc;
	ffaemu_check_config_default(&cc);
	cc.version_fn = stack_version_fn;
	cc.version_user = s;
	assert_int_equal(ffaemu_check_new(&cc, &s->chk), 0);
	if (s->check_host_edge)
		assert_int_equal(ffaemu_check_attach(s->chk, ffaemu_system_host_edge(s->sys)), 0);
	proxy = ffaemu_system_proxy(s->sys);
	if (!proxy)
		return 0;
	ffaemu_proxy_get_status(proxy, &st);
	const uint32_t smccc[2] = {FFAEMU_SMCCC_1_1, FFAEMU_SMCCC_1_2};
	for (int i = 0; i < 2; i++) {
		struct ffaemu_edge *e = ffaemu_proxy_down_edge(proxy, smccc[i]);
		if (!e)
			continue;
		assert_int_equal(ffaemu_check_attach(s->chk, e), 0);
		/* The proxy negotiated with the SPMC at boot, before the checker joined. */
		if (st.hyp_version)
			assert_int_equal(ffaemu_check_assume_version(s->chk, ffaemu_edge_name(e), 0,
								     st.hyp_version),
					 0);
	}
	return 0;
}

static int seq_stack_new(struct stack *s, unsigned proxy_idx, unsigned spmc_idx,
			 const struct ffaemu_allocator *a, bool checker_fails)
{
	return checker_fails ? stack_new(s, proxy_idx, spmc_idx, a, true)
			     : stack_new_libc_checker(s, proxy_idx, spmc_idx, a);
}

/* spmc: an SPMC profile name, NULL for the default. */
static void alloc_fail_sequence(const char *proxy, const char *spmc, bool checker_fails)
{
	struct failalloc fa;
	struct ffaemu_allocator a;
	struct ref_call *ref;
	unsigned long n;
	unsigned proxy_idx = 0, no_memory = 0, worked = 0, retries = 0;
	unsigned long ctor_failures = 0, ctor_survivals = 0, call_failures = 0;

	for (unsigned i = 0; i <= ffaemu_proxy_profile_count(); i++)
		if (strcmp(stack_proxy_name(i), proxy) == 0)
			proxy_idx = i;
	assert_string_equal(stack_proxy_name(proxy_idx), proxy);
	unsigned spmc_idx = 0;
	for (unsigned i = 1; spmc && i <= ffaemu_spmc_profile_count(); i++)
		if (strcmp(stack_spmc_name(i), spmc) == 0)
			spmc_idx = i;
	assert_true(!spmc || spmc_idx != 0);
	ref = calloc(SEQ_MAX_CALLS, sizeof(*ref));
	assert_non_null(ref);

	/* Nothing failing: the reference run, and how many calls succeed with
	 * this proxy (pKVM's descriptor buffer takes at most 128 ranges,
	 * pkvm-proxy 1.1; 6.10 speaks FF-A 1.0, where its 48-byte hypervisor
	 * retrieve request is refused, so it reclaims nothing, 1.15). */
	unsigned ok_expected, nref;
	{
		struct seq q;
		fa_reset(&fa, &a, 0);
		memset(&q, 0, sizeof(q));
		q.fa = &fa;
		q.ref = ref;
		q.recording = true;
		assert_int_equal(seq_stack_new(&q.st, proxy_idx, spmc_idx, &a, checker_fails), 0);
		ok_expected = seq_run(&q);
		nref = q.nref;
		stack_free(&q.st);
		assert_int_equal(fa.live, 0);
		assert_true(ok_expected >= 9);
	}

	for (n = 1;; n++) {
		struct seq q;
		fa_reset(&fa, &a, n);
		memset(&q, 0, sizeof(q));
		q.fa = &fa;
		q.n = n;
		q.ref = ref;
		q.nref = nref;
		int rc = seq_stack_new(&q.st, proxy_idx, spmc_idx, &a, checker_fails);
		if (rc != 0) {
			assert_true(fa.failed);
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_int_equal(fa.live, 0);
			ctor_failures++;
			continue;
		}
		/*
		 * A constructor that succeeded through a failed allocation must
		 * have lost nothing that matters (today: system.c keeps an edge's
		 * old name when renaming it fails): the run goes as the reference.
		 */
		bool ctor_survived = fa.failed;
		unsigned ok = seq_run(&q);
		stack_free(&q.st);
		assert_int_equal(fa.live, 0);
		if (ctor_survived) {
			assert_int_equal(ok, ok_expected);
			ctor_survivals++;
			continue;
		}
		if (!fa.failed) {
			/* Nothing failed: the scenario itself must be right. */
			assert_int_equal(ok, ok_expected);
			break;
		}
		/* The failure was in a call or in stack_free, never lost. */
		assert_true(q.errors_injected <= 1);
		/* NO_MEMORY, then the same call again: as if nothing had failed. */
		if (q.retried) {
			assert_int_equal(ok, ok_expected);
			retries++;
		}
		call_failures++;
		no_memory += q.no_memory;
		worked += q.worked;
	}
	free(ref);
	print_message("%s: %lu allocations; %lu failed a constructor, %lu did not fail one, %lu "
		      "later: %u calls answered NO_MEMORY (%u retried to the end), %u worked "
		      "regardless\n",
		      proxy, n - 1, ctor_failures, ctor_survivals, call_failures, no_memory, retries,
		      worked);
	assert_true(n > 10);
	/* The calls do allocate: some failures reached the caller. */
	assert_true(no_memory > 0);
}

static void test_every_allocation_failure_is_clean_without_proxy(void **state)
{
	(void)state;
	alloc_fail_sequence("none", NULL, true);
}

struct profile_case {
	const char *proxy;
	const char *spmc;   /* NULL: the default */
	bool checker_fails; /* the checker allocates from the failing allocator too */
};

/* v6.4 boots only on an FF-A 1.0 SPMC (pkvm-proxy 1.4 step 4): else it is not there. */
static const struct profile_case profile_cases[] = {
	{"pkvm-6.4", "spmc-1.0", false}, {"pkvm-6.10", NULL, false},
	{"pkvm-6.11", NULL, false},      {"pkvm-6.18", NULL, false},
	{"pkvm-2026", NULL, true},       {"pkvm-2026-direct-msg", NULL, false},
};

/* state: a struct profile_case (the table in main). */
static void test_every_allocation_failure_through_the_proxy_answers_no_memory(void **state)
{
	const struct profile_case *c = *state;

	alloc_fail_sequence(c->proxy, c->spmc, c->checker_fails);
}

/* ---- The pKVM-2026 proxy's own allocations, one at a time ---------------- */

/* A pkvm-2026 stack, version negotiated and mailbox mapped, on fa. */
static void up_2026(struct seq *q, struct failalloc *fa, struct ffaemu_allocator *a)
{
	struct ffaemu_regs r;
	unsigned idx = 0;

	for (unsigned i = 1; i <= ffaemu_proxy_profile_count(); i++)
		if (strcmp(stack_proxy_name(i), "pkvm-2026") == 0)
			idx = i;
	fa_reset(fa, a, 0);
	memset(q, 0, sizeof(*q));
	q->fa = fa;
	assert_int_equal(stack_new_libc_checker(&q->st, idx, 0, a), 0);
	q->version = FFAEMU_FFA_1_2;
	regs(&r, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0);
	stack_call(&q->st, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_1_2);
	regs(&r, FFAEMU_FFA_RXTX_MAP_64, q->st.tx, q->st.rx, 1, 0);
	stack_call(&q->st, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
}

static struct ffaemu_page_info page(struct seq *q, uint64_t pfn)
{
	struct ffaemu_page_info pi;

	assert_int_equal(ffaemu_mem_page_info(ffaemu_system_mem(q->st.sys),
					      FFAEMU_SYSTEM_RAM_BASE + pfn * FFAEMU_PAGE_SIZE, &pi),
			 0);
	return pi;
}

/* The n pages a seq_share() of n ranges from first gave: both views in state st. */
static void assert_shared_pages(struct seq *q, uint64_t first, unsigned n,
				enum ffaemu_page_state st)
{
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(page(q, first + 2 * i).hyp_state, st);
		assert_int_equal(page(q, first + 2 * i).state, st);
	}
}

static uint64_t down_calls(struct seq *q)
{
	struct ffaemu_proxy_status st;

	ffaemu_proxy_get_status(ffaemu_system_proxy(q->st.sys), &st);
	return st.down_calls;
}

/* The bytes of the send in progress with handle h at the SPMC; 0 if none. */
static uint32_t send_received(struct seq *q, uint64_t h)
{
	struct ffaemu_spmc_txn t;

	for (size_t i = 0; ffaemu_spmc_txn_at(ffaemu_system_spmc(q->st.sys), i, &t) == 0; i++)
		if (t.kind != FFAEMU_SPMC_TXN_RETRIEVE && t.handle == h)
			return t.done_len;
	return 0;
}

/*
 * The proxy shares a FRAG_TX fragment's pages before it forwards the
 * fragment (pkvm-proxy 1.14). When the model's allocator fails there, the
 * SPMC has not seen the fragment: the answer is NO_MEMORY, the transaction
 * stays open at the SPMC with the bytes it had (not aborted with
 * MEM_RECLAIM as for a DENIED share, which would strand the earlier
 * fragments' pages), and the same FRAG_TX again completes the share.
 */
static void test_frag_tx_failing_in_the_proxy_answers_no_memory_and_can_be_retried(void **state)
{
	struct failalloc fa;
	struct ffaemu_allocator a;
	struct seq q;
	struct ffaemu_regs r, in;
	uint8_t buf[48 + 32 + 16 + 16 * 100];
	struct ffaemu_range ranges[100];
	struct ffaemu_mem *mem;
	size_t len;
	const uint64_t first = 0x310;

	(void)state;
	up_2026(&q, &fa, &a);
	mem = ffaemu_system_mem(q.st.sys);
	len = share_desc(first, 100, ranges, FFAEMU_FFA_1_2, buf, sizeof(buf));
	assert_int_equal(len, 96 + 1600);

	/* Fragment 1: the header and 40 constituents. */
	assert_int_equal(ffaemu_mem_write(mem, q.st.tx, buf, 736), 0);
	regs(&r, FFAEMU_FFA_MEM_SHARE_64, len, 736, 0, 0);
	stack_call(&q.st, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_MEM_FRAG_RX);
	uint64_t h = ffaemu_regs_handle(&r, 1);
	assert_int_equal(send_received(&q, h), 736);
	assert_int_equal(page(&q, first).hyp_state, FFAEMU_PAGE_SHARED);

	/* Fragment 2 (constituents 40..79), with the next allocation failing. */
	assert_int_equal(ffaemu_mem_write(mem, q.st.tx, buf + 736, 640), 0);
	regs(&in, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 640, 0);
	uint64_t down = down_calls(&q), digest = stack_digest(q.st.sys);
	fa.fail_at = fa.calls + 1;
	r = in;
	stack_call(&q.st, &r);
	assert_true(fa.failed);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_ERROR);
	assert_int_equal((int32_t)r.x[2], FFAEMU_FFA_NO_MEMORY);
	assert_int_equal(down_calls(&q), down); /* the SPMC was not told */
	assert_int_equal(send_received(&q, h), 736);
	assert_true(stack_digest(q.st.sys) == digest);
	assert_int_equal(page(&q, first + 2 * 40).hyp_state, FFAEMU_PAGE_OWNED);
	assert_int_equal(page(&q, first).hyp_state, FFAEMU_PAGE_SHARED);

	/* The same call again, then the last fragment. */
	r = in;
	stack_call(&q.st, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_MEM_FRAG_RX);
	assert_int_equal(ffaemu_regs_w(&r, 3), 736 + 640);
	assert_int_equal(page(&q, first + 2 * 40).hyp_state, FFAEMU_PAGE_SHARED);
	assert_int_equal(ffaemu_mem_write(mem, q.st.tx, buf + 1376, 320), 0);
	regs(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 320, 0);
	stack_call(&q.st, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_regs_handle(&r, 2), h);
	assert_shared_pages(&q, first, 100, FFAEMU_PAGE_SHARED);

	/* And it reclaims whole: every page back to the host in both views. */
	regs(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0);
	stack_call(&q.st, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_shared_pages(&q, first, 100, FFAEMU_PAGE_OWNED);
	stack_free(&q.st);
	assert_int_equal(fa.live, 0);
}

/*
 * A reclaim in which any one allocation fails: NO_MEMORY with the share
 * still whole at the SPMC and in the host stage-2 (so the same reclaim
 * works afterwards), or SUCCESS with every page back. The proxy unshares
 * before the SPMC's MEM_RECLAIM, so the case "the SPMC reclaimed, the
 * proxy could not unshare" (pages stuck hyp-shared) cannot arise.
 */
static void test_reclaim_failing_anywhere_leaves_the_share_whole_or_returns_it_all(void **state)
{
	unsigned long n, no_memory = 0;
	const uint64_t first = 0x100;

	(void)state;
	for (n = 1;; n++) {
		struct failalloc fa;
		struct ffaemu_allocator a;
		struct seq q;
		struct ffaemu_regs r;

		up_2026(&q, &fa, &a);
		uint64_t h = seq_share(&q, first, 3, FFAEMU_PAGE_SIZE);
		assert_true(h != 0);
		uint64_t base = fa.calls, digest = stack_digest(q.st.sys);
		fa.fail_at = base + n;
		regs(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0);
		stack_call(&q.st, &r);
		bool failed = fa.failed;
		if ((uint32_t)r.x[0] == FFAEMU_FFA_ERROR) {
			assert_true(failed);
			assert_int_equal((int32_t)r.x[2], FFAEMU_FFA_NO_MEMORY);
			assert_true(stack_digest(q.st.sys) == digest);
			assert_shared_pages(&q, first, 3, FFAEMU_PAGE_SHARED);
			no_memory++;
			regs(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0);
			stack_call(&q.st, &r);
		}
		assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
		assert_shared_pages(&q, first, 3, FFAEMU_PAGE_OWNED);
		stack_free(&q.st);
		assert_int_equal(fa.live, 0);
		if (!failed)
			break;
	}
	/* The hypervisor retrieve, three unshares and the SPMC's reclaim allocate. */
	assert_true(no_memory >= 5);
	print_message("reclaim of 3 ranges: %lu allocations, each failed once\n", n - 1);
}

/*
 * The scenario script memory-share.ffa (parse, run on a fresh stack, free)
 * with the Nth allocation failing: an error or failed expectations, never
 * a crash or a leak.
 */
static void test_every_allocation_failure_in_a_script_run_leaks_nothing(void **state)
{
	char path[512];
	FILE *f;
	static char text[1 << 16];
	size_t len;
	unsigned long n;

	(void)state;
	snprintf(path, sizeof(path), "%s/memory-share.ffa", FFAEMU_SCENARIOS);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	assert_true(len > 0 && len < sizeof(text));

	for (n = 1;; n++) {
		struct failalloc fa;
		struct ffaemu_allocator a;
		struct ffaemu_script *sc = NULL;
		struct ffaemu_script_run_config cfg;
		struct ffaemu_script_stats st;

		fa_reset(&fa, &a, n);
		int rc = ffaemu_script_parse("memory-share.ffa", text, len, &a, &sc, NULL);
		if (rc != 0) {
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_null(sc);
			assert_int_equal(fa.live, 0);
			continue;
		}
		ffaemu_script_run_config_default(&cfg);
		cfg.proxy = "pkvm-2026";
		cfg.alloc = &a;
		memset(&st, 0, sizeof(st));
		struct ffaemu_script_error err;
		memset(&err, 0, sizeof(err));
		rc = ffaemu_script_run(sc, &cfg, &st, &err);
		ffaemu_script_free(&sc);
		assert_int_equal(fa.live, 0);
		if (!fa.failed) {
			assert_int_equal(rc, 0);
			assert_int_equal(st.failed, 0);
			break;
		}
		/* A call that failed for want of memory may make a later statement
		 * impossible (no TX mapped...): the run must then say where and why. */
		if (rc != 0 && rc != FFAEMU_ENOMEM && (err.line == 0 || !err.message[0]))
			fail_msg("alloc %lu: script run returned %d (%s) without a message", n, rc,
				 ffaemu_status_name(rc));
	}
	print_message("memory-share.ffa: %lu allocations, each failed once\n", n - 1);
}

/* One test per built-in proxy profile: each one's memory paths allocate. */
#define THROUGH(i, profile)                                                               \
	{"every_allocation_failure_through_" profile "_answers_no_memory",                 \
	 test_every_allocation_failure_through_the_proxy_answers_no_memory, NULL, NULL,   \
	 (void *)&profile_cases[i]}

static void test_the_profile_table_names_every_builtin_profile(void **state)
{
	(void)state;
	assert_int_equal(ffaemu_proxy_profile_count(),
			 sizeof(profile_cases) / sizeof(profile_cases[0]));
	for (size_t i = 0; i < ffaemu_proxy_profile_count(); i++)
		assert_string_equal(ffaemu_proxy_profile_name_at(i), profile_cases[i].proxy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_profile_table_names_every_builtin_profile),
		cmocka_unit_test(test_every_allocation_failure_is_clean_without_proxy),
		THROUGH(0, "pkvm-6.4"),
		THROUGH(1, "pkvm-6.10"),
		THROUGH(2, "pkvm-6.11"),
		THROUGH(3, "pkvm-6.18"),
		THROUGH(4, "pkvm-2026"),
		THROUGH(5, "pkvm-2026-direct-msg"),
		cmocka_unit_test(test_frag_tx_failing_in_the_proxy_answers_no_memory_and_can_be_retried),
		cmocka_unit_test(test_reclaim_failing_anywhere_leaves_the_share_whole_or_returns_it_all),
		cmocka_unit_test(test_every_allocation_failure_in_a_script_run_leaks_nothing),
	};
	fid_table_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
