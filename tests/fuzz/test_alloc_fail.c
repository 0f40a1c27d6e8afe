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

struct seq {
	struct stack st;
	struct failalloc *fa;
	unsigned long n;
	unsigned calls, errors_injected;
};

/*
 * One host call. If the injected failure happened inside it, the reply
 * must be an FF-A error (or, for a request to the memory partition, its
 * failure status) and the state must be what it was before.
 */
static void seq_call(struct seq *q, struct ffaemu_regs *r, bool stateless)
{
	bool before_failed = q->fa->failed;
	uint64_t before = stack_digest(q->st.sys);
	uint32_t fid = (uint32_t)r->x[0];

	stack_call(&q->st, r);
	q->calls++;
	if (!before_failed && q->fa->failed) {
		q->errors_injected++;
		if (!stateless && !stack_is_error(r)) {
			/* The library may recover (a checker or tracer allocation: the
			 * call itself still ran); then the call must simply have worked. */
			return;
		}
		if (stack_is_error(r) && (int32_t)r->x[2] != FFAEMU_FFA_NO_MEMORY)
			print_message("alloc %lu: fid 0x%08x answered FFA_ERROR(%d), not NO_MEMORY\n",
				      q->n, fid, (int)(int32_t)r->x[2]);
		if (stateless && (uint32_t)r->x[6] == FFAEMU_SP_MEMORY_STEP_RELINQUISH)
			return;
		if ((stack_is_error(r) || stateless) && stack_digest(q->st.sys) != before)
			fail_msg("alloc %lu (proxy %s): fid 0x%08x answered x0=0x%llx x2=0x%llx "
				 "x3=0x%llx x6=0x%llx and changed state", q->n, q->st.proxy, fid,
				 (unsigned long long)r->x[0], (unsigned long long)r->x[2],
				 (unsigned long long)r->x[3], (unsigned long long)r->x[6]);
	}
	if (stateless && (uint32_t)r->x[6] == FFAEMU_SP_MEMORY_STEP_RELINQUISH)
		return;
	if (stateless && stack_digest(q->st.sys) != before)
		fail_msg("alloc %lu (proxy %s): memory partition request (x3=0x%llx) changed state",
			 q->n, q->st.proxy, (unsigned long long)r->x[3]);
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

/* Share nranges single pages (every other page) with the memory partition. */
static uint64_t seq_share(struct seq *q, unsigned nranges)
{
	static struct ffaemu_range ranges[512];
	static uint8_t buf[48 + 32 + 16 + 16 * 512];
	struct ffaemu_memdesc_receiver rcv;
	struct ffaemu_memdesc_tx tx;
	struct ffaemu_regs r;
	size_t len;

	memset(&tx, 0, sizeof(tx));
	memset(&rcv, 0, sizeof(rcv));
	rcv.id = 0x8005;
	rcv.perms = FFAEMU_MEM_PERM_DATA_RW;
	tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	tx.receiver_count = 1;
	tx.receivers = &rcv;
	for (unsigned i = 0; i < nranges; i++) {
		ranges[i].base = FFAEMU_SYSTEM_RAM_BASE + 0x100000 + 2ull * i * FFAEMU_PAGE_SIZE;
		ranges[i].pages = 1;
	}
	tx.constituent_count = nranges;
	tx.constituents = ranges;
	assert_int_equal(ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, buf, sizeof(buf), &len), 0);

	struct ffaemu_mem *mem = ffaemu_system_mem(q->st.sys);
	size_t fl = len < FFAEMU_PAGE_SIZE ? len : FFAEMU_PAGE_SIZE;
	assert_int_equal(ffaemu_mem_write(mem, q->st.tx, buf, fl), 0);
	regs(&r, FFAEMU_FFA_MEM_SHARE_64, len, fl, 0, 0);
	seq_call(q, &r, false);
	while ((uint32_t)r.x[0] == FFAEMU_FFA_MEM_FRAG_RX) {
		size_t off = (uint32_t)r.x[3];
		assert_true(off < len);
		fl = len - off < FFAEMU_PAGE_SIZE ? len - off : FFAEMU_PAGE_SIZE;
		assert_int_equal(ffaemu_mem_write(mem, q->st.tx, buf + off, fl), 0);
		uint64_t h = ffaemu_regs_handle(&r, 1);
		regs(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, fl, 0);
		seq_call(q, &r, false);
	}
	return (uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS ? ffaemu_regs_handle(&r, 2) : 0;
}

/* The conformance-like sequence; returns the number of calls that succeeded. */
static unsigned seq_run(struct seq *q)
{
	struct ffaemu_regs r;
	unsigned ok = 0;

	regs(&r, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0);
	seq_call(q, &r, false);
	ok += (uint32_t)r.x[0] == FFAEMU_FFA_1_2 || (uint32_t)r.x[0] == FFAEMU_FFA_1_1;
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
	for (unsigned nr = 1; nr <= 300; nr += 299) {
		uint64_t h = seq_share(q, nr);
		if (!h)
			continue;
		ok++;
		regs(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8005, 0, (uint32_t)h, h >> 32);
		r.x[5] = FFAEMU_SP_MEMORY_OP_WRITE;
		r.x[6] = 0x5a5a5a5a;
		/* retrieve + relinquish inside the request: pages end as they started,
		 * unless the relinquish itself is what failed (then the retrieve
		 * stands: FFA_MEM_RELINQUISH changed nothing, spec E3) */
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

static void alloc_fail_sequence(const char *proxy)
{
	struct failalloc fa;
	struct ffaemu_allocator a;
	unsigned long n;
	unsigned proxy_idx = 0;
	unsigned long ctor_failures = 0, call_failures = 0;

	for (unsigned i = 0; i <= ffaemu_proxy_profile_count(); i++)
		if (strcmp(stack_proxy_name(i), proxy) == 0)
			proxy_idx = i;
	assert_string_equal(stack_proxy_name(proxy_idx), proxy);

	/* Nothing failing: how many calls succeed with this proxy (pKVM's
	 * descriptor buffer takes at most 128 ranges, pkvm-proxy 1.1). */
	unsigned ok_expected;
	{
		struct seq q;
		fa_reset(&fa, &a, 0);
		memset(&q, 0, sizeof(q));
		q.fa = &fa;
		assert_int_equal(stack_new(&q.st, proxy_idx, 0, &a, true), 0);
		ok_expected = seq_run(&q);
		stack_free(&q.st);
		assert_int_equal(fa.live, 0);
		assert_true(ok_expected >= 10);
	}

	for (n = 1;; n++) {
		struct seq q;
		fa_reset(&fa, &a, n);
		memset(&q, 0, sizeof(q));
		q.fa = &fa;
		q.n = n;
		int rc = stack_new(&q.st, proxy_idx, 0, &a, true);
		if (rc != 0) {
			assert_true(fa.failed);
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_int_equal(fa.live, 0);
			ctor_failures++;
			continue;
		}
		unsigned ok = seq_run(&q);
		stack_free(&q.st);
		assert_int_equal(fa.live, 0);
		if (!fa.failed) {
			/* Nothing failed: the scenario itself must be right. */
			assert_int_equal(ok, ok_expected);
			break;
		}
		call_failures++;
	}
	print_message("%s: %lu allocations; %lu failed in constructors, %lu during calls\n",
		      proxy, n - 1, ctor_failures, call_failures);
	assert_true(n > 10);
}

static void test_every_allocation_failure_is_clean_without_proxy(void **state)
{
	(void)state;
	alloc_fail_sequence("none");
}

static void test_every_allocation_failure_is_clean_through_pkvm_2026(void **state)
{
	(void)state;
	alloc_fail_sequence("pkvm-2026");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_failure_is_clean_without_proxy),
		cmocka_unit_test(test_every_allocation_failure_is_clean_through_pkvm_2026),
		cmocka_unit_test(test_every_allocation_failure_in_a_script_run_leaks_nothing),
	};
	fid_table_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
