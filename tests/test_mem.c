/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated physical memory (mem.h): regions, bounds-checked access, and
 * all-or-nothing page transitions over the FF-A view (state/borrowers) and
 * the hypervisor stage-2 view (hyp_state/pins, pkvm-proxy 1.16).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <ffa/mem.h>

#include "failalloc.h"
#include "mem_priv.h"

#define PG 4096u
#define A_BASE 0x80000000ull /* 16 pages, NS, host */
#define B_BASE 0x80010000ull /* 16 pages, NS, host, adjacent to A */
#define S_BASE 0x90000000ull /* 8 pages, secure, SP 0x8001 */
#define A_PAGES 16u
#define B_PAGES 16u
#define S_PAGES 8u
#define ALL_PAGES (A_PAGES + B_PAGES + S_PAGES)

#define PA_A(n) (A_BASE + (uint64_t)(n) * PG)
#define PA_B(n) (B_BASE + (uint64_t)(n) * PG)
#define PA_S(n) (S_BASE + (uint64_t)(n) * PG)

struct fixture {
	struct failalloc fa; /* the map's allocator: its Nth call can fail */
	struct ffaemu_mem *mem;
	struct ffaemu_owner host, sp, vm;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	failalloc_init(&fx->fa);
	fx->host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
	fx->sp = ffaemu_owner_make(FFAEMU_OWNER_SECURE, 0x8001);
	fx->vm = ffaemu_owner_make(FFAEMU_OWNER_VM, 3);
	if (ffaemu_mem_new(failalloc_allocator(&fx->fa), &fx->mem) ||
	    ffaemu_mem_add_ram(fx->mem, A_BASE, A_PAGES * PG, FFAEMU_MEM_NS, fx->host) ||
	    ffaemu_mem_add_ram(fx->mem, B_BASE, B_PAGES * PG, FFAEMU_MEM_NS, fx->host) ||
	    ffaemu_mem_add_ram(fx->mem, S_BASE, S_PAGES * PG, FFAEMU_MEM_SECURE, fx->sp)) {
		ffaemu_mem_free(&fx->mem);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char why[128];
	int rc;

	/* Every test must leave a map that passes the invariant checker. */
	rc = ffaemu_mem_check(fx->mem, why, sizeof(why));
	if (rc)
		fprintf(stderr, "invariant broken at teardown: %s\n", why);
	ffaemu_mem_free(&fx->mem);
	if (fx->mem || fx->fa.live != 0)
		rc = -1;
	free(fx);
	return rc ? -1 : 0;
}

#define assert_map_ok(mem)                                                               \
	do {                                                                             \
		char why_[128];                                                          \
		if (ffaemu_mem_check((mem), why_, sizeof(why_)) != FFAEMU_OK)            \
			fail_msg("mem_check: %s", why_);                                 \
	} while (0)

static struct ffaemu_range rg(ffaemu_pa_t base, uint64_t pages)
{
	struct ffaemu_range r;

	r.base = base;
	r.pages = pages;
	return r;
}

static struct ffaemu_page_info info(struct ffaemu_mem *mem, ffaemu_pa_t pa)
{
	struct ffaemu_page_info i;

	memset(&i, 0xa5, sizeof(i));
	assert_int_equal(ffaemu_mem_page_info(mem, pa, &i), FFAEMU_OK);
	return i;
}

/* A snapshot of every page of the fixture, to prove "nothing changed". */
struct snap {
	struct ffaemu_page_info p[ALL_PAGES];
};

static ffaemu_pa_t snap_pa(unsigned i)
{
	if (i < A_PAGES)
		return PA_A(i);
	if (i < A_PAGES + B_PAGES)
		return PA_B(i - A_PAGES);
	return PA_S(i - A_PAGES - B_PAGES);
}

static void take_snap(struct ffaemu_mem *mem, struct snap *s)
{
	for (unsigned i = 0; i < ALL_PAGES; i++)
		s->p[i] = info(mem, snap_pa(i));
}

static void assert_unchanged(struct ffaemu_mem *mem, const struct snap *s)
{
	for (unsigned i = 0; i < ALL_PAGES; i++) {
		struct ffaemu_page_info now = info(mem, snap_pa(i));
		const struct ffaemu_page_info *was = &s->p[i];

		if (now.owner.kind != was->owner.kind || now.owner.id != was->owner.id ||
		    now.state != was->state || now.borrowers != was->borrowers ||
		    now.hyp_state != was->hyp_state || now.pins != was->pins ||
		    now.flags != was->flags || now.region_attr != was->region_attr)
			fail_msg("page 0x%llx changed", (unsigned long long)snap_pa(i));
	}
}

/* ---- Construction ---- */

static void new_rejects_null_out_and_free_accepts_null(void **state)
{
	struct ffaemu_mem *m = NULL;
	(void)state;

	assert_int_equal(ffaemu_mem_new(NULL, NULL), FFAEMU_EINVAL);
	ffaemu_mem_free(NULL);
	ffaemu_mem_free(&m);
	/* NULL allocator = libc. */
	assert_int_equal(ffaemu_mem_new(NULL, &m), FFAEMU_OK);
	assert_non_null(m);
	assert_int_equal(ffaemu_mem_add_ram(m, 0, PG, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)),
			 FFAEMU_OK);
	ffaemu_mem_free(&m);
	assert_null(m);
}

static void add_ram_rejects_zero_size_and_misalignment(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		uint64_t pa, size;
	} bad[] = {
		{0x1000, 0}, {0x1001, PG}, {0x1800, PG}, {0x1000, 1}, {0x1000, PG + 1}, {0x1000, 0xfff},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ffaemu_mem_add_ram(fx->mem, bad[i].pa, bad[i].size, 0, fx->host),
				 FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_add_ram(NULL, 0x1000, PG, 0, fx->host), FFAEMU_EINVAL);
	assert_false(ffaemu_mem_is_ram(fx->mem, 0x1000, 1));
}

static void add_ram_rejects_bad_attr_and_owner_kind(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0x1000, PG, 2u, fx->host), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0x1000, PG, 0,
					    ffaemu_owner_make((enum ffaemu_owner_kind)5, 0)),
			 FFAEMU_EINVAL);
	/* Unassigned RAM (owner NONE) is allowed. */
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0x1000, PG, 0,
					    ffaemu_owner_make(FFAEMU_OWNER_NONE, 0)),
			 FFAEMU_OK);
	assert_int_equal(info(fx->mem, 0x1000).owner.kind, FFAEMU_OWNER_NONE);
}

static void add_ram_rejects_wrap_at_2_64(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0xfffffffffffff000ull, 2 * PG, 0, fx->host),
			 FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0x1000, 0xfffffffffffff000ull, 0, fx->host),
			 FFAEMU_ERANGE);
	/* A region ending exactly at 2^64 has no representable end: refused too. */
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0xfffffffffffff000ull, PG, 0, fx->host),
			 FFAEMU_ERANGE);
	assert_false(ffaemu_mem_is_ram(fx->mem, 0xfffffffffffff000ull, 1));
}

static void add_ram_rejects_every_kind_of_overlap(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		uint64_t pa, size;
	} clash[] = {
		{A_BASE, PG},                       /* same start */
		{A_BASE + 3 * PG, PG},              /* inside */
		{A_BASE - PG, 2 * PG},              /* straddles start */
		{PA_B(B_PAGES - 1), 2 * PG},        /* straddles end */
		{A_BASE - PG, (A_PAGES + 2) * PG},  /* encloses A */
		{A_BASE, (A_PAGES + B_PAGES) * PG}, /* exactly A+B */
		{S_BASE - 16 * PG, 64 * PG},        /* encloses S */
	};
	struct ffaemu_mem_stats st;

	for (size_t i = 0; i < sizeof(clash) / sizeof(clash[0]); i++)
		assert_int_equal(ffaemu_mem_add_ram(fx->mem, clash[i].pa, clash[i].size, 0, fx->host),
				 FFAEMU_EEXIST);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.regions, 3);
	/* Touching at either edge is not an overlap. */
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, A_BASE - PG, PG, 0, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, PA_B(B_PAGES), PG, 0, fx->host), FFAEMU_OK);
	assert_map_ok(fx->mem);
}

static void add_ram_backing_is_zeroed_and_pages_start_owned(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[PG];
	struct ffaemu_page_info i;

	assert_int_equal(ffaemu_mem_read(fx->mem, A_BASE, buf, sizeof(buf)), FFAEMU_OK);
	for (size_t k = 0; k < sizeof(buf); k++)
		assert_int_equal(buf[k], 0);
	i = info(fx->mem, PA_S(7));
	assert_int_equal(i.owner.kind, FFAEMU_OWNER_SECURE);
	assert_int_equal(i.owner.id, 0x8001);
	assert_int_equal(i.state, FFAEMU_PAGE_OWNED);
	assert_int_equal(i.hyp_state, FFAEMU_PAGE_OWNED);
	assert_int_equal(i.borrowers, 0);
	assert_int_equal(i.pins, 0);
	assert_int_equal(i.flags, 0);
	assert_int_equal(i.region_attr, FFAEMU_MEM_SECURE);
}

static void regions_stay_sorted_whatever_the_insertion_order(void **state)
{
	struct fixture *fx = *state;
	static const uint64_t bases[] = {0x50000000, 0x10000000, 0xa0000000, 0x30000000,
					 0x20000000, 0x70000000, 0x00000000, 0x60000000};
	uint32_t attr;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		assert_int_equal(ffaemu_mem_add_ram(fx->mem, bases[i], 2 * PG,
						    (i & 1) ? FFAEMU_MEM_SECURE : 0, fx->host),
				 FFAEMU_OK);
		assert_map_ok(fx->mem);
	}
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		assert_int_equal(ffaemu_mem_attr(fx->mem, bases[i] + PG + 5, &attr), FFAEMU_OK);
		assert_int_equal(attr, (i & 1) ? FFAEMU_MEM_SECURE : 0u);
		assert_false(ffaemu_mem_is_ram(fx->mem, bases[i] + 2 * PG, 1));
	}
	assert_int_equal(ffaemu_mem_attr(fx->mem, PA_A(1), &attr), FFAEMU_OK);
	assert_int_equal(attr, FFAEMU_MEM_NS);
}

static void remove_needs_exact_base_and_quiet_pages(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_B(5), 1);
	struct ffaemu_mem_stats st;
	void *p;

	assert_int_equal(ffaemu_mem_remove(fx->mem, PA_B(1)), FFAEMU_ENOENT);
	assert_int_equal(ffaemu_mem_remove(fx->mem, 0x1000), FFAEMU_ENOENT);
	assert_int_equal(ffaemu_mem_remove(NULL, B_BASE), FFAEMU_EINVAL);

	/* Shared, hyp-shared, pinned: each keeps the region alive. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_remove(fx->mem, B_BASE), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_remove(fx->mem, B_BASE), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_remove(fx->mem, B_BASE), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_OK);

	assert_int_equal(ffaemu_mem_remove(fx->mem, B_BASE), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_B(0), 1, &p), FFAEMU_ERANGE);
	assert_false(ffaemu_mem_is_ram(fx->mem, PA_B(0), 1));
	assert_true(ffaemu_mem_is_ram(fx->mem, PA_A(15), PG));
	assert_true(ffaemu_mem_is_ram(fx->mem, PA_S(0), PG));
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.regions, 2);
	assert_int_equal(st.pages, A_PAGES + S_PAGES);
	/* The hole can be refilled. */
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, B_BASE, PG, 0, fx->vm), FFAEMU_OK);
	assert_map_ok(fx->mem);
}

/* ---- Bounds-checked access ---- */

static void ptr_len_zero_inside_or_at_region_end_only(void **state)
{
	struct fixture *fx = *state;
	void *p = NULL, *q = NULL;

	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_S(3) + 7, 0, &p), FFAEMU_OK);
	/* The end of S (no neighbour) is still addressable with len 0. */
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_S(0), S_PAGES * PG, &q), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_S(S_PAGES), 0, &p), FFAEMU_OK);
	assert_ptr_equal(p, (uint8_t *)q + S_PAGES * PG);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_S(S_PAGES) + 1, 0, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, A_BASE - 1, 0, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, 0, 0, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, UINT64_MAX, 0, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(0), 0, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_ptr(NULL, PA_A(0), 0, &p), FFAEMU_EINVAL);
}

static void ptr_range_ending_at_region_end_ok_one_past_erange(void **state)
{
	struct fixture *fx = *state;
	void *base = NULL, *p = NULL;
	uint64_t size = S_PAGES * PG;

	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE, size, &base), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE, size + 1, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE + size - 1, 1, &p), FFAEMU_OK);
	assert_ptr_equal(p, (uint8_t *)base + size - 1);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE + size - 1, 2, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE + 100, size - 100, &p), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE + 100, size - 99, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, S_BASE - 1, 2, &p), FFAEMU_ERANGE);
}

static void ptr_never_spans_two_regions(void **state)
{
	struct fixture *fx = *state;
	void *p;

	/* A and B are adjacent in PA but have separate backings. */
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(A_PAGES) - 1, 2, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(A_PAGES) - 1, 1, &p), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_B(0), 1, &p), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(0), (A_PAGES + 1) * PG, &p), FFAEMU_ERANGE);
}

static void ptr_wrap_at_2_64_is_erange(void **state)
{
	struct fixture *fx = *state;
	void *p;
	uint8_t b = 0;

	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(1), UINT64_MAX, &p), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(1), UINT64_MAX - PA_A(1) + 2, &p),
			 FFAEMU_ERANGE); /* pa + len == 2^64 + 1 wraps to 1 */
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(1), 0 - PA_A(1), &p),
			 FFAEMU_ERANGE); /* pa + len == 2^64 exactly */
	assert_int_equal(ffaemu_mem_read(fx->mem, UINT64_MAX, &b, 1), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_S(1), &b, UINT64_MAX), FFAEMU_ERANGE);
}

static void read_write_round_trip_and_bounds(void **state)
{
	struct fixture *fx = *state;
	uint8_t out[64], in[64];
	uint8_t *direct;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	/* Straddling a page boundary inside one region is fine. */
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_A(2) - 32, out, sizeof(out)), FFAEMU_OK);
	memset(in, 0, sizeof(in));
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_A(2) - 32, in, sizeof(in)), FFAEMU_OK);
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(ffaemu_mem_ptr(fx->mem, PA_A(2) - 32, sizeof(out), (void **)&direct),
			 FFAEMU_OK);
	assert_memory_equal(direct, out, sizeof(out));

	/* Failing accesses touch nothing. */
	memset(in, 0xee, sizeof(in));
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_B(B_PAGES) - 10, in, 11), FFAEMU_ERANGE);
	for (size_t i = 0; i < sizeof(in); i++)
		assert_int_equal(in[i], 0xee);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_B(B_PAGES) - 10, out, 11), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_B(B_PAGES) - 10, in, 10), FFAEMU_OK);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(in[i], 0);

	/* len 0 takes NULL buffers; len > 0 does not. */
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_A(0), NULL, 0), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_A(0), NULL, 0), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_A(0), NULL, 1), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_A(0), NULL, 1), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_read(fx->mem, 0x1000, NULL, 0), FFAEMU_ERANGE);
}

static void attr_reports_region_security(void **state)
{
	struct fixture *fx = *state;
	uint32_t attr = 0xdead;

	assert_int_equal(ffaemu_mem_attr(fx->mem, PA_S(2) + 9, &attr), FFAEMU_OK);
	assert_int_equal(attr, FFAEMU_MEM_SECURE);
	assert_int_equal(ffaemu_mem_attr(fx->mem, PA_B(15) + PG - 1, &attr), FFAEMU_OK);
	assert_int_equal(attr, FFAEMU_MEM_NS);
	attr = 0xdead;
	assert_int_equal(ffaemu_mem_attr(fx->mem, PA_S(S_PAGES), &attr), FFAEMU_ERANGE);
	assert_int_equal(attr, 0xdead);
	assert_int_equal(ffaemu_mem_attr(fx->mem, PA_S(0), NULL), FFAEMU_EINVAL);
}

static void is_ram_crosses_adjacent_regions_not_gaps(void **state)
{
	struct fixture *fx = *state;

	assert_true(ffaemu_mem_is_ram(fx->mem, A_BASE, (A_PAGES + B_PAGES) * PG));
	assert_true(ffaemu_mem_is_ram(fx->mem, PA_A(15) + 5, PG));
	assert_false(ffaemu_mem_is_ram(fx->mem, A_BASE, (A_PAGES + B_PAGES) * PG + 1));
	assert_false(ffaemu_mem_is_ram(fx->mem, A_BASE - 1, 2));
	assert_false(ffaemu_mem_is_ram(fx->mem, A_BASE, S_BASE + PG - A_BASE));
	assert_true(ffaemu_mem_is_ram(fx->mem, PA_S(7) + PG - 1, 1));
	assert_false(ffaemu_mem_is_ram(fx->mem, PA_S(7), UINT64_MAX));
	assert_false(ffaemu_mem_is_ram(fx->mem, UINT64_MAX, 2));
	/* len 0: whether pa itself is RAM. */
	assert_true(ffaemu_mem_is_ram(fx->mem, PA_A(0), 0));
	assert_false(ffaemu_mem_is_ram(fx->mem, PA_S(S_PAGES), 0));
	assert_false(ffaemu_mem_is_ram(NULL, PA_A(0), 1));
}

static void page_info_reports_both_views_and_region_attr(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(4), 1);
	struct ffaemu_page_info i;

	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, true), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_OK);
	i = info(fx->mem, PA_A(4) + 0xabc); /* any byte of the page */
	assert_int_equal(i.state, FFAEMU_PAGE_LENT);
	assert_int_equal(i.hyp_state, FFAEMU_PAGE_SHARED);
	assert_int_equal(i.borrowers, 1);
	assert_int_equal(i.region_attr, FFAEMU_MEM_NS);
	assert_int_equal(ffaemu_mem_page_info(fx->mem, PA_S(S_PAGES), &i), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_page_info(fx->mem, PA_S(0), NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
}

/* ---- Identity regions ---- */

static void identity_region_maps_host_buffer(void **state)
{
	struct fixture *fx = *state;
	uint8_t *host = aligned_alloc(PG, 4 * PG);
	ffaemu_pa_t pa;
	void *p;
	uint8_t v = 0;

	assert_non_null(host);
	memset(host, 0x5a, 4 * PG); /* identity backing is not cleared */
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host, 4 * PG, FFAEMU_MEM_NS, fx->vm),
			 FFAEMU_OK);
	pa = (ffaemu_pa_t)(uintptr_t)host;
	assert_int_equal(ffaemu_mem_ptr(fx->mem, pa + 100, 10, &p), FFAEMU_OK);
	assert_ptr_equal(p, host + 100);
	assert_int_equal(ffaemu_mem_read(fx->mem, pa + 3 * PG, &v, 1), FFAEMU_OK);
	assert_int_equal(v, 0x5a);
	v = 0x11;
	assert_int_equal(ffaemu_mem_write(fx->mem, pa + 5, &v, 1), FFAEMU_OK);
	assert_int_equal(host[5], 0x11);
	host[4 * PG - 1] = 0x22;
	assert_int_equal(ffaemu_mem_read(fx->mem, pa + 4 * PG - 1, &v, 1), FFAEMU_OK);
	assert_int_equal(v, 0x22);
	assert_int_equal(ffaemu_mem_read(fx->mem, pa + 4 * PG - 1, &v, 2), FFAEMU_ERANGE);
	assert_int_equal(info(fx->mem, pa).owner.kind, FFAEMU_OWNER_VM);
	/* Overlapping identity registration is refused. */
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host + PG, PG, 0, fx->vm), FFAEMU_EEXIST);
	/* Removing or freeing the map never frees the host buffer (ASan would see it). */
	assert_int_equal(ffaemu_mem_remove(fx->mem, pa), FFAEMU_OK);
	host[0] = 1;
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host, 4 * PG, 0, fx->vm), FFAEMU_OK);
	ffaemu_mem_free(&fx->mem);
	host[1] = 2;
	free(host);
	assert_int_equal(ffaemu_mem_new(failalloc_allocator(&fx->fa), &fx->mem), FFAEMU_OK);
}

static void identity_region_rejects_misaligned_or_null_host(void **state)
{
	struct fixture *fx = *state;
	uint8_t *host = aligned_alloc(PG, 2 * PG);

	assert_non_null(host);
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, NULL, PG, 0, fx->host), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host + 8, PG, 0, fx->host),
			 FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host, PG + 8, 0, fx->host),
			 FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host, 0, 0, fx->host), FFAEMU_EINVAL);
	assert_false(ffaemu_mem_is_ram(fx->mem, (ffaemu_pa_t)(uintptr_t)host, 1));
	free(host);
}

/* ---- ffaemu_mem_apply ---- */

static struct ffaemu_page_op share_op(struct ffaemu_owner owner)
{
	struct ffaemu_page_op op;

	memset(&op, 0, sizeof(op));
	op.owner = owner;
	op.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED);
	op.need_unpinned = true;
	op.to_state = FFAEMU_PAGE_SHARED;
	return op;
}

static void apply_validates_ranges_before_anything(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_page_op op = share_op(fx->host);
	struct snap s;
	static const struct {
		uint64_t base, pages;
	} bad[] = {
		{A_BASE + 1, 1},                      /* misaligned */
		{A_BASE + 0x800, 1},                  /* misaligned */
		{A_BASE, 0},                          /* empty */
		{A_BASE, A_PAGES + B_PAGES + 1},      /* runs past B */
		{A_BASE - PG, 2},                     /* starts before A */
		{S_BASE, S_PAGES + 1},                /* past S */
		{0x1000, 1},                          /* no RAM */
		{0xfffffffffffff000ull, 2},           /* wraps at 2^64 */
		{A_BASE, 0x0010000000000000ull},      /* pages << 12 overflows */
		{A_BASE, UINT64_MAX},
	};

	take_snap(fx->mem, &s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ffaemu_range r[3] = {rg(PA_A(0), 1), rg(PA_B(0), 1),
					    rg(bad[i].base, bad[i].pages)};
		size_t bad_range = 99;

		assert_int_equal(ffaemu_mem_apply(fx->mem, r, 3, &op, &bad_range), FFAEMU_ERANGE);
		assert_int_equal(bad_range, 2);
		assert_unchanged(fx->mem, &s);
	}
	assert_int_equal(ffaemu_mem_apply(fx->mem, NULL, 1, &op, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_apply(NULL, NULL, 0, &op, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_apply(fx->mem, NULL, 0, &op, NULL), FFAEMU_OK);
	assert_unchanged(fx->mem, &s);
}

static void apply_validates_the_op(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(0), 1);
	struct ffaemu_page_op op;
	struct snap s;

	take_snap(fx->mem, &s);
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, NULL, NULL), FFAEMU_EINVAL);
	for (int variant = 0; variant < 10; variant++) {
		op = share_op(fx->host);
		switch (variant) {
		case 0: op.to_state = 3; break;
		case 1: op.to_state = -2; break;
		case 2: op.hyp_view = true; op.to_state = FFAEMU_PAGE_LENT; break;
		case 3: op.borrower_delta = 2; break;
		case 4: op.pin_delta = -2; break;
		case 5: op.set_flags = 0x8000; break;
		case 6: op.clear_flags = 0x2; break;
		case 7: op.from_states = 1u << 3; break;
		case 8: op.owner.kind = (enum ffaemu_owner_kind)7; break;
		case 9: op.set_owner = true; op.new_owner.kind = (enum ffaemu_owner_kind)9; break;
		}
		if (ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL) != FFAEMU_EINVAL)
			fail_msg("op variant %d accepted", variant);
	}
	assert_unchanged(fx->mem, &s);
}

static void apply_third_range_failing_leaves_first_two_untouched(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_page_op op = share_op(fx->host);
	struct ffaemu_range pin = rg(PA_B(9), 1);
	struct ffaemu_range r[3] = {rg(PA_A(0), 4), rg(PA_A(8), 2), rg(PA_B(8), 4)};
	size_t bad_range = 99;
	struct snap s;

	/* Page B9 (inside range 3) is pinned, so range 3 fails on its 2nd page. */
	assert_int_equal(ffaemu_mem_pin(fx->mem, &pin, 1, fx->host), FFAEMU_OK);
	take_snap(fx->mem, &s);
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 3, &op, &bad_range), FFAEMU_EPERM);
	assert_int_equal(bad_range, 2);
	assert_unchanged(fx->mem, &s);
	assert_int_equal(info(fx->mem, PA_A(0)).state, FFAEMU_PAGE_OWNED);
	assert_int_equal(info(fx->mem, PA_B(8)).state, FFAEMU_PAGE_OWNED);
	assert_map_ok(fx->mem);

	/* Without the pin the same list goes through in full. */
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &pin, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 3, &op, &bad_range), FFAEMU_OK);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(info(fx->mem, PA_A(i)).state, FFAEMU_PAGE_SHARED);
	assert_int_equal(info(fx->mem, PA_A(4)).state, FFAEMU_PAGE_OWNED);
	assert_int_equal(info(fx->mem, PA_B(11)).state, FFAEMU_PAGE_SHARED);
	assert_map_ok(fx->mem);
}

static void apply_overlapping_ranges_see_earlier_effects(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range one = rg(PA_A(0), 3);
	struct ffaemu_range r[2] = {rg(PA_A(0), 2), rg(PA_A(1), 2)};
	struct ffaemu_page_op op;

	assert_int_equal(ffaemu_mem_share(fx->mem, &one, 1, fx->host, false), FFAEMU_OK);
	/* Two overlapping borrows: the shared page counts two borrowers. */
	memset(&op, 0, sizeof(op));
	op.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED);
	op.to_state = -1;
	op.borrower_delta = 1;
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 2, &op, NULL), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(0)).borrowers, 1);
	assert_int_equal(info(fx->mem, PA_A(1)).borrowers, 2);
	assert_int_equal(info(fx->mem, PA_A(2)).borrowers, 1);
	assert_map_ok(fx->mem);
	/* Overlapping unborrows undo it exactly. */
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, r, 2), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(1)).borrowers, 0);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &one, 1, fx->host), FFAEMU_OK);
}

static void apply_overlapping_ranges_rollback_on_late_failure(void **state)
{
	struct fixture *fx = *state;
	/* Range 2 re-shares A1, which range 1 has just shared: A1 is no longer OWNED. */
	struct ffaemu_range r[2] = {rg(PA_A(0), 2), rg(PA_A(1), 2)};
	struct ffaemu_range single = rg(PA_A(2), 1);
	struct ffaemu_page_op op = share_op(fx->host);
	size_t bad_range = 99;
	struct snap s;

	take_snap(fx->mem, &s);
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 2, &op, &bad_range), FFAEMU_EPERM);
	assert_int_equal(bad_range, 1);
	assert_unchanged(fx->mem, &s);
	assert_int_equal(ffaemu_mem_share(fx->mem, r, 2, fx->host, false), FFAEMU_EPERM);
	assert_unchanged(fx->mem, &s);
	/* Unpaired unborrow on overlapping ranges underflows on the 2nd visit. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &single, 1, fx->host, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &single, 1), FFAEMU_OK);
	take_snap(fx->mem, &s);
	{
		struct ffaemu_range twice[2] = {single, single};

		assert_int_equal(ffaemu_mem_unborrow(fx->mem, twice, 2), FFAEMU_EPERM);
	}
	assert_unchanged(fx->mem, &s);
	assert_int_equal(info(fx->mem, PA_A(2)).borrowers, 1);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &single, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &single, 1, fx->host), FFAEMU_OK);
}

static void apply_crosses_adjacent_regions(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(A_PAGES - 2), 4); /* A14, A15, B0, B1 */
	struct ffaemu_mem_stats st;

	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, true), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(15)).state, FFAEMU_PAGE_LENT);
	assert_int_equal(info(fx->mem, PA_B(1)).state, FFAEMU_PAGE_LENT);
	assert_int_equal(info(fx->mem, PA_B(2)).state, FFAEMU_PAGE_OWNED);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.lent, 4);
	/* A range from B into the gap after it fails as a whole. */
	r = rg(PA_B(B_PAGES - 1), 2);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_ERANGE);
	assert_int_equal(info(fx->mem, PA_B(B_PAGES - 1)).state, FFAEMU_PAGE_OWNED);
	r = rg(PA_A(A_PAGES - 2), 4);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
}

static void apply_refuses_to_break_invariants(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(0), 1);
	struct ffaemu_range s_rg = rg(PA_S(0), 1);
	struct ffaemu_page_op op;
	struct snap s;

	take_snap(fx->mem, &s);
	/* A borrower on an OWNED page. */
	memset(&op, 0, sizeof(op));
	op.to_state = -1;
	op.borrower_delta = 1;
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_EPERM);
	/* Giving a shared page to nobody. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &s_rg, 1, fx->sp, false), FFAEMU_OK);
	take_snap(fx->mem, &s);
	memset(&op, 0, sizeof(op));
	op.to_state = -1;
	op.set_owner = true;
	op.new_owner = ffaemu_owner_make(FFAEMU_OWNER_NONE, 0);
	assert_int_equal(ffaemu_mem_apply(fx->mem, &s_rg, 1, &op, NULL), FFAEMU_EPERM);
	/* Owner mismatch on the generic path. */
	op = share_op(fx->vm);
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_EPERM);
	assert_unchanged(fx->mem, &s);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &s_rg, 1, fx->sp), FFAEMU_OK);
	/* The generic path can set and clear flags. */
	memset(&op, 0, sizeof(op));
	op.to_state = -1;
	op.set_flags = FFAEMU_PAGE_F_DONATED;
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(0)).flags, FFAEMU_PAGE_F_DONATED);
	op.set_flags = 0;
	op.clear_flags = FFAEMU_PAGE_F_DONATED;
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(0)).flags, 0);
}

#define BIG_PAGES 262144u /* 1 GiB */

static void apply_on_262144_pages_is_all_or_nothing(void **state)
{
	struct fixture *fx = *state;
	uint64_t bytes = (uint64_t)BIG_PAGES * PG;
	void *host = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ffaemu_pa_t pa;
	struct ffaemu_range all, last, split[3];
	struct ffaemu_mem_stats st;

	assert_true(host != MAP_FAILED);
	assert_int_equal(ffaemu_mem_add_identity(fx->mem, host, bytes, 0, fx->vm), FFAEMU_OK);
	pa = (ffaemu_pa_t)(uintptr_t)host;
	all = rg(pa, BIG_PAGES);
	last = rg(pa + bytes - PG, 1);

	/* The last page is pinned: sharing all of it fails and changes nothing. */
	assert_int_equal(ffaemu_mem_pin(fx->mem, &last, 1, fx->vm), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_share(fx->mem, &all, 1, fx->vm, false), FFAEMU_EPERM);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.shared, 0);
	assert_int_equal(st.pinned_pages, 1);

	/* Split in three, the third holding the pinned page. */
	split[0] = rg(pa, BIG_PAGES / 2);
	split[1] = rg(pa + bytes / 2, BIG_PAGES / 2 - 1);
	split[2] = last;
	assert_int_equal(ffaemu_mem_share(fx->mem, split, 3, fx->vm, false), FFAEMU_EPERM);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.shared, 0);

	assert_int_equal(ffaemu_mem_unpin(fx->mem, &last, 1, fx->vm), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_share(fx->mem, &all, 1, fx->vm, false), FFAEMU_OK);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.shared, BIG_PAGES);
	assert_map_ok(fx->mem);
	/* One borrowed page blocks reclaiming the whole range. */
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &last, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &all, 1, fx->vm), FFAEMU_EPERM);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.shared, BIG_PAGES);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &last, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &all, 1, fx->vm), FFAEMU_OK);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.shared, 0);
	assert_int_equal(ffaemu_mem_remove(fx->mem, pa), FFAEMU_OK);
	munmap(host, (size_t)bytes);
}

/* ---- Named transitions ---- */

static void share_needs_owned_unpinned_pages_of_the_owner(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(3), 2);
	struct ffaemu_range p = rg(PA_A(4), 1);

	/* Wrong owner kind or wrong ID. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->vm, false), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, ffaemu_owner_make(FFAEMU_OWNER_HOST, 1),
					  false),
			 FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1,
					  ffaemu_owner_make((enum ffaemu_owner_kind)8, 0), false),
			 FFAEMU_EINVAL);
	/* Pinned. */
	assert_int_equal(ffaemu_mem_pin(fx->mem, &p, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_EPERM);
	assert_int_equal(info(fx->mem, PA_A(3)).state, FFAEMU_PAGE_OWNED);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &p, 1, fx->host), FFAEMU_OK);
	/* Share, then share or lend again: not OWNED any more. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(4)).state, FFAEMU_PAGE_SHARED);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, true), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	/* Lend. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, true), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(3)).state, FFAEMU_PAGE_LENT);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	/* Owner kind NONE means "any owner". */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, ffaemu_owner_make(FFAEMU_OWNER_NONE, 0),
					  false),
			 FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	/* n == 0 is a no-op. */
	assert_int_equal(ffaemu_mem_share(fx->mem, NULL, 0, fx->host, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_share(fx->mem, NULL, 1, fx->host, false), FFAEMU_EINVAL);
	assert_map_ok(fx->mem);
}

static void unshare_needs_shared_pages_without_borrowers(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_S(0), 2);

	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->sp), FFAEMU_EPERM); /* OWNED */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->sp, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_EPERM); /* owner */
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->sp), FFAEMU_EPERM); /* borrowed */
	assert_int_equal(info(fx->mem, PA_S(1)).state, FFAEMU_PAGE_SHARED);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->sp), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_S(1)).state, FFAEMU_PAGE_OWNED);
}

static void borrow_needs_shared_or_lent_and_counts_without_overflow(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_B(0), 1);
	struct ffaemu_range two = rg(PA_B(0), 2);

	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_EPERM);   /* OWNED */
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &r, 1), FFAEMU_EPERM); /* OWNED */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, true), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &r, 1), FFAEMU_EPERM); /* 0 borrowers */
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_B(0)).borrowers, 2);
	/* The second page of `two` is OWNED: all or nothing. */
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &two, 1), FFAEMU_EPERM);
	assert_int_equal(info(fx->mem, PA_B(0)).borrowers, 2);
	/* The counter saturates instead of wrapping. */
	assert_int_equal(mem_debug_set_page(fx->mem, PA_B(0), FFAEMU_OWNER_HOST, 0,
					    FFAEMU_PAGE_LENT, FFAEMU_PAGE_OWNED, UINT16_MAX, 0, 0),
			 FFAEMU_OK);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_EPERM);
	assert_int_equal(info(fx->mem, PA_B(0)).borrowers, UINT16_MAX);
	assert_int_equal(mem_debug_set_page(fx->mem, PA_B(0), FFAEMU_OWNER_HOST, 0,
					    FFAEMU_PAGE_LENT, FFAEMU_PAGE_OWNED, 1, 0, 0),
			 FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
}

static void donate_needs_exclusive_pages_and_moves_ownership(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(6), 2);
	struct ffaemu_range one = rg(PA_A(7), 1);
	struct ffaemu_page_info i;

	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->host,
					   ffaemu_owner_make(FFAEMU_OWNER_NONE, 0)),
			 FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->vm, fx->sp), FFAEMU_EPERM);
	/* Shared in the FF-A view. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &one, 1, fx->host, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->host, fx->sp), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &one, 1, fx->host), FFAEMU_OK);
	/* Shared in the hypervisor view (pkvm-proxy 1.16). */
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &one, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->host, fx->sp), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &one, 1, fx->host), FFAEMU_OK);
	/* Pinned. */
	assert_int_equal(ffaemu_mem_pin(fx->mem, &one, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->host, fx->sp), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &one, 1, fx->host), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(6)).owner.kind, FFAEMU_OWNER_HOST);

	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->host, fx->sp), FFAEMU_OK);
	i = info(fx->mem, PA_A(7));
	assert_int_equal(i.owner.kind, FFAEMU_OWNER_SECURE);
	assert_int_equal(i.owner.id, 0x8001);
	assert_int_equal(i.state, FFAEMU_PAGE_OWNED);
	assert_int_equal(i.flags & FFAEMU_PAGE_F_DONATED, FFAEMU_PAGE_F_DONATED);
	/* The old owner lost it; the new one can share it. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->sp, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->sp), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->sp, fx->host), FFAEMU_OK);
}

static void hyp_share_and_unshare_follow_pkvm_host_states(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(10), 2);

	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &r, 1, fx->host), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->vm), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(11)).hyp_state, FFAEMU_PAGE_SHARED);
	assert_int_equal(info(fx->mem, PA_A(11)).state, FFAEMU_PAGE_OWNED);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->host), FFAEMU_EPERM);
	/* A pinned page stays shared with the hypervisor. */
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &r, 1, fx->host), FFAEMU_EPERM);
	assert_int_equal(info(fx->mem, PA_A(10)).hyp_state, FFAEMU_PAGE_SHARED);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(10)).hyp_state, FFAEMU_PAGE_OWNED);
}

static void pin_counts_per_owner_and_unpin_never_underflows(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_B(3), 1);
	struct ffaemu_range none_pg = rg(0x1000, 1);

	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->sp), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_B(3)).pins, 2);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_EPERM);
	assert_int_equal(info(fx->mem, PA_B(3)).pins, 0);
	/* Saturation. */
	assert_int_equal(mem_debug_set_page(fx->mem, PA_B(3), FFAEMU_OWNER_HOST, 0,
					    FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 0, UINT16_MAX, 0),
			 FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->host), FFAEMU_EPERM);
	assert_int_equal(mem_debug_set_page(fx->mem, PA_B(3), FFAEMU_OWNER_HOST, 0,
					    FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 0, 0, 0),
			 FFAEMU_OK);
	/* Unassigned RAM cannot be pinned (nobody to hold the pin for). */
	assert_int_equal(ffaemu_mem_add_ram(fx->mem, 0x1000, PG, 0,
					    ffaemu_owner_make(FFAEMU_OWNER_NONE, 0)),
			 FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &none_pg, 1,
					ffaemu_owner_make(FFAEMU_OWNER_NONE, 0)),
			 FFAEMU_EPERM);
}

static void views_are_independent_and_compose(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(12), 1);
	struct ffaemu_page_op op;
	struct ffaemu_mem_stats st;

	/* FF-A view only. */
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(12)).hyp_state, FFAEMU_PAGE_OWNED);
	/* Hypervisor view on top (the proxy shares first in a pKVM stack). */
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(12)).state, FFAEMU_PAGE_SHARED);
	assert_int_equal(info(fx->mem, PA_A(12)).hyp_state, FFAEMU_PAGE_SHARED);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.shared, 1);
	assert_int_equal(st.hyp_shared, 1);
	/* A generic hyp_view op reads and writes hyp_state only. */
	memset(&op, 0, sizeof(op));
	op.hyp_view = true;
	op.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED);
	op.to_state = FFAEMU_PAGE_OWNED;
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(12)).hyp_state, FFAEMU_PAGE_OWNED);
	assert_int_equal(info(fx->mem, PA_A(12)).state, FFAEMU_PAGE_SHARED);
	/* Same op again: hyp_state is OWNED now, although state is SHARED. */
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_EPERM);
	/* FF-A view op ignores hyp_state. */
	op.hyp_view = false;
	assert_int_equal(ffaemu_mem_apply(fx->mem, &r, 1, &op, NULL), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_A(12)).state, FFAEMU_PAGE_OWNED);
	assert_map_ok(fx->mem);
}

static void pinned_page_cannot_be_shared_in_either_view(void **state)
{
	struct fixture *fx = *state;
	/* pkvm-proxy 1.16: the host's mailbox is hyp-shared and pinned. */
	struct ffaemu_range mbox = rg(PA_B(14), 2);
	struct snap s;

	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &mbox, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &mbox, 1, fx->host), FFAEMU_OK);
	take_snap(fx->mem, &s);
	assert_int_equal(ffaemu_mem_share(fx->mem, &mbox, 1, fx->host, false), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_share(fx->mem, &mbox, 1, fx->host, true), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &mbox, 1, fx->host), FFAEMU_EPERM);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &mbox, 1, fx->host, fx->vm), FFAEMU_EPERM);
	assert_unchanged(fx->mem, &s);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &mbox, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &mbox, 1, fx->host), FFAEMU_OK);
	/* Unpinned and hyp-owned again: hyp_share works. */
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &mbox, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &mbox, 1, fx->host), FFAEMU_OK);
}

static void zero_clears_bytes_all_or_nothing(void **state)
{
	struct fixture *fx = *state;
	uint8_t pat[PG], buf[PG];
	struct ffaemu_range bad[2] = {rg(PA_A(0), 1), rg(PA_S(S_PAGES - 1), 2)};
	struct ffaemu_range span = rg(PA_A(A_PAGES - 1), 2);

	memset(pat, 0x77, sizeof(pat));
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_A(0), pat, PG), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_A(A_PAGES - 1), pat, PG), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_B(0), pat, PG), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_write(fx->mem, PA_B(1), pat, PG), FFAEMU_OK);

	assert_int_equal(ffaemu_mem_zero(fx->mem, bad, 2), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_A(0), buf, PG), FFAEMU_OK);
	assert_memory_equal(buf, pat, PG);

	assert_int_equal(ffaemu_mem_zero(fx->mem, &span, 1), FFAEMU_OK);
	memset(pat, 0, sizeof(pat));
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_A(A_PAGES - 1), buf, PG), FFAEMU_OK);
	assert_memory_equal(buf, pat, PG);
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_B(0), buf, PG), FFAEMU_OK);
	assert_memory_equal(buf, pat, PG);
	memset(pat, 0x77, sizeof(pat));
	assert_int_equal(ffaemu_mem_read(fx->mem, PA_B(1), buf, PG), FFAEMU_OK);
	assert_memory_equal(buf, pat, PG);
	assert_int_equal(ffaemu_mem_zero(fx->mem, NULL, 1), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_zero(fx->mem, NULL, 0), FFAEMU_OK);
}

/* ---- Invariant checker ---- */

static void check_passes_after_every_operation(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r = rg(PA_A(0), 3);
	char why[64] = "junk";

	assert_int_equal(ffaemu_mem_check(fx->mem, why, sizeof(why)), FFAEMU_OK);
	assert_string_equal(why, "");
	assert_int_equal(ffaemu_mem_share(fx->mem, &r, 1, fx->host, false), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &r, 1), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(ffaemu_mem_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_unshare(fx->mem, &r, 1, fx->host), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_donate(fx->mem, &r, 1, fx->host, fx->vm), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(ffaemu_mem_check(NULL, why, sizeof(why)), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_mem_check(fx->mem, NULL, 0), FFAEMU_OK);
}

static void check_detects_each_corrupted_page_state(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		int kind;
		int state, hyp_state;
		uint16_t borrowers, pins, flags;
		const char *why;
	} bad[] = {
		{FFAEMU_OWNER_HOST, FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 1, 0, 0, "borrowers"},
		{9, FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 0, 0, 0, "owner kind"},
		{FFAEMU_OWNER_HOST, 7, FFAEMU_PAGE_OWNED, 0, 0, 0, "state out of range"},
		{FFAEMU_OWNER_HOST, FFAEMU_PAGE_OWNED, FFAEMU_PAGE_LENT, 0, 0, 0, "hyp_state"},
		{FFAEMU_OWNER_HOST, FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 0, 0, 0x100, "flags"},
		{FFAEMU_OWNER_NONE, FFAEMU_PAGE_SHARED, FFAEMU_PAGE_OWNED, 0, 0, 0, "no owner"},
		{FFAEMU_OWNER_NONE, FFAEMU_PAGE_LENT, FFAEMU_PAGE_OWNED, 1, 0, 0, "no owner"},
		{FFAEMU_OWNER_NONE, FFAEMU_PAGE_OWNED, FFAEMU_PAGE_SHARED, 0, 0, 0, "hyp-SHARED"},
		{FFAEMU_OWNER_NONE, FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 0, 1, 0, "pinned"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[96] = "";
		char small[8];

		assert_int_equal(mem_debug_set_page(fx->mem, PA_B(5) + 3, bad[i].kind, 0,
						    bad[i].state, bad[i].hyp_state,
						    bad[i].borrowers, bad[i].pins, bad[i].flags),
				 FFAEMU_OK);
		assert_int_equal(ffaemu_mem_check(fx->mem, why, sizeof(why)), FFAEMU_EPERM);
		if (!strstr(why, bad[i].why) || !strstr(why, "0x80015000"))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, bad[i].why);
		/* A short buffer is truncated, never overrun; NULL is fine. */
		assert_int_equal(ffaemu_mem_check(fx->mem, small, sizeof(small)), FFAEMU_EPERM);
		assert_true(strlen(small) < sizeof(small));
		assert_int_equal(ffaemu_mem_check(fx->mem, NULL, 0), FFAEMU_EPERM);
		/* Put it right: the map passes again. */
		assert_int_equal(mem_debug_set_page(fx->mem, PA_B(5), FFAEMU_OWNER_HOST, 0,
						    FFAEMU_PAGE_OWNED, FFAEMU_PAGE_OWNED, 0, 0, 0),
				 FFAEMU_OK);
		assert_map_ok(fx->mem);
	}
	assert_int_equal(mem_debug_set_page(fx->mem, 0x1000, 0, 0, 0, 0, 0, 0, 0), FFAEMU_ERANGE);
}

static void check_detects_unsorted_or_misaligned_regions(void **state)
{
	struct fixture *fx = *state;
	char why[96];

	/* Region 1 (B) moved into A. */
	assert_int_equal(mem_debug_set_region_base(fx->mem, 1, PA_A(8)), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_check(fx->mem, why, sizeof(why)), FFAEMU_EPERM);
	assert_non_null(strstr(why, "overlapping"));
	/* Misaligned base. */
	assert_int_equal(mem_debug_set_region_base(fx->mem, 1, B_BASE + 8), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_check(fx->mem, why, sizeof(why)), FFAEMU_EPERM);
	assert_non_null(strstr(why, "aligned"));
	assert_int_equal(mem_debug_set_region_base(fx->mem, 1, B_BASE), FFAEMU_OK);
	assert_map_ok(fx->mem);
	assert_int_equal(mem_debug_set_region_base(fx->mem, 3, 0), FFAEMU_ENOENT);
}

static void stats_count_pages_per_state(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range sh = rg(PA_A(0), 3), ln = rg(PA_B(0), 2), pin = rg(PA_S(0), 4);
	struct ffaemu_mem_stats st;

	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.regions, 3);
	assert_int_equal(st.pages, ALL_PAGES);
	assert_int_equal(st.owned, ALL_PAGES);
	assert_int_equal(st.shared + st.lent + st.borrowed_pages + st.pinned_pages + st.hyp_shared,
			 0);
	assert_int_equal(ffaemu_mem_share(fx->mem, &sh, 1, fx->host, false), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_share(fx->mem, &ln, 1, fx->host, true), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &ln, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_borrow(fx->mem, &ln, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_pin(fx->mem, &pin, 1, fx->sp), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_hyp_share(fx->mem, &sh, 1, fx->host), FFAEMU_OK);
	ffaemu_mem_get_stats(fx->mem, &st);
	assert_int_equal(st.owned, ALL_PAGES - 5);
	assert_int_equal(st.shared, 3);
	assert_int_equal(st.lent, 2);
	assert_int_equal(st.borrowed_pages, 2);
	assert_int_equal(st.pinned_pages, 4);
	assert_int_equal(st.hyp_shared, 3);
	/* NULL mem gives zeros; NULL out is ignored. */
	ffaemu_mem_get_stats(NULL, &st);
	assert_int_equal(st.pages, 0);
	ffaemu_mem_get_stats(fx->mem, NULL);
	assert_int_equal(ffaemu_mem_unpin(fx->mem, &pin, 1, fx->sp), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &ln, 1), FFAEMU_OK);
	assert_int_equal(ffaemu_mem_unborrow(fx->mem, &ln, 1), FFAEMU_OK);
}

/* ---- Allocation failure ---- */

static void allocation_failure_in_new_yields_enomem(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_mem *m = (struct ffaemu_mem *)fx; /* junk to prove it is cleared */

	failalloc_fail_nth(&fx->fa, 1);
	assert_int_equal(ffaemu_mem_new(failalloc_allocator(&fx->fa), &m), FFAEMU_ENOMEM);
	assert_null(m);
	failalloc_never(&fx->fa);
}

static void allocation_failure_in_add_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_mem_stats before, after;
	int failures = 0;

	/* Add regions until one of them needs to grow the region array too. */
	for (unsigned n = 0; n < 3; n++) {
		ffaemu_pa_t pa = 0x40000000ull + n * 0x100000ull;

		for (size_t k = 1;; k++) {
			int rc;

			ffaemu_mem_get_stats(fx->mem, &before);
			failalloc_fail_nth(&fx->fa, k);
			rc = ffaemu_mem_add_ram(fx->mem, pa, 4 * PG, 0, fx->host);
			failalloc_never(&fx->fa);
			if (rc == FFAEMU_OK)
				break;
			assert_int_equal(rc, FFAEMU_ENOMEM);
			failures++;
			ffaemu_mem_get_stats(fx->mem, &after);
			assert_memory_equal(&before, &after, sizeof(before));
			assert_false(ffaemu_mem_is_ram(fx->mem, pa, 1));
			assert_map_ok(fx->mem);
			assert_true(k < 10);
		}
		assert_true(ffaemu_mem_is_ram(fx->mem, pa, 4 * PG));
	}
	/* pages + backing for each region, plus the one array growth (cap 4 -> 8). */
	assert_int_equal(failures, 6);
}

static void allocation_failure_in_apply_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_range r[2] = {rg(PA_A(0), 2), rg(PA_S(0), 1)};
	struct ffaemu_page_op op;
	struct snap s;
	size_t bad = 77;

	memset(&op, 0, sizeof(op));
	op.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED);
	op.to_state = FFAEMU_PAGE_SHARED;
	take_snap(fx->mem, &s);
	failalloc_fail_nth(&fx->fa, 1);
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 2, &op, &bad), FFAEMU_ENOMEM);
	assert_unchanged(fx->mem, &s);
	failalloc_fail_nth(&fx->fa, 1);
	assert_int_equal(ffaemu_mem_share(fx->mem, r, 2, ffaemu_owner_make(FFAEMU_OWNER_NONE, 0),
					  false),
			 FFAEMU_ENOMEM);
	assert_unchanged(fx->mem, &s);
	failalloc_fail_nth(&fx->fa, 1);
	assert_int_equal(ffaemu_mem_pin(fx->mem, r, 1, fx->host), FFAEMU_ENOMEM);
	assert_unchanged(fx->mem, &s);
	failalloc_never(&fx->fa);
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 2, &op, &bad), FFAEMU_OK);
	assert_int_equal(info(fx->mem, PA_S(0)).state, FFAEMU_PAGE_SHARED);
	op.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED);
	op.to_state = FFAEMU_PAGE_OWNED;
	assert_int_equal(ffaemu_mem_apply(fx->mem, r, 2, &op, &bad), FFAEMU_OK);
	assert_unchanged(fx->mem, &s);
}


/* ---- Property test: random operation sequences (seeded, deterministic) ---- */

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Mostly valid ranges over A+B (adjacent) and S, sometimes out of RAM. */
static void random_ranges(uint64_t *seed, struct ffaemu_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned pick = (unsigned)(lcg(seed) % 16);

		if (pick < 12) {
			unsigned first = (unsigned)(lcg(seed) % (A_PAGES + B_PAGES));

			r[i] = rg(PA_A(first), 1 + lcg(seed) % 3);
		} else if (pick < 15) {
			r[i] = rg(PA_S(lcg(seed) % S_PAGES), 1 + lcg(seed) % 2);
		} else {
			r[i] = rg(PA_S(S_PAGES - 1) + (lcg(seed) % 2) * 8, 1);
		}
	}
}

static void random_operation_sequences_keep_invariants_and_atomicity(void **state)
{
	struct fixture *fx = *state;
	uint64_t seed = 0x5eed;
	const struct ffaemu_owner owners[3] = {fx->host, fx->sp, fx->vm};
	unsigned ok = 0, failed = 0, ok_per_op[10] = {0};
	struct ffaemu_range prev[4];
	size_t prev_n = 0;

	for (unsigned step = 0; step < 6000; step++) {
		struct ffaemu_range r[4];
		size_t n = 1 + lcg(&seed) % 3;
		struct ffaemu_owner o = owners[lcg(&seed) % 3];
		unsigned which = (unsigned)(lcg(&seed) % 10);
		struct snap s;
		int rc = 0;

		/* Half the time, reuse the ranges of the last success (inverse ops pair up). */
		if (prev_n && lcg(&seed) % 2) {
			n = prev_n;
			memcpy(r, prev, sizeof(r));
		} else {
			random_ranges(&seed, r, n);
		}
		/* Usually act as the real owner of the first page, so that ops succeed. */
		if (lcg(&seed) % 4 != 0 && ffaemu_mem_is_ram(fx->mem, r[0].base, 1))
			o = info(fx->mem, r[0].base).owner;
		take_snap(fx->mem, &s);
		switch (which) {
		case 0: rc = ffaemu_mem_share(fx->mem, r, n, o, false); break;
		case 1: rc = ffaemu_mem_share(fx->mem, r, n, o, true); break;
		case 2: rc = ffaemu_mem_unshare(fx->mem, r, n, o); break;
		case 3: rc = ffaemu_mem_borrow(fx->mem, r, n); break;
		case 4: rc = ffaemu_mem_unborrow(fx->mem, r, n); break;
		case 5: rc = ffaemu_mem_donate(fx->mem, r, n, o, owners[lcg(&seed) % 3]); break;
		case 6: rc = ffaemu_mem_hyp_share(fx->mem, r, n, o); break;
		case 7: rc = ffaemu_mem_hyp_unshare(fx->mem, r, n, o); break;
		case 8: rc = ffaemu_mem_pin(fx->mem, r, n, o); break;
		case 9: rc = ffaemu_mem_unpin(fx->mem, r, n, o); break;
		}
		if (rc != FFAEMU_OK) {
			if (rc != FFAEMU_EPERM && rc != FFAEMU_ERANGE)
				fail_msg("step %u: op %u returned %d", step, which, rc);
			assert_unchanged(fx->mem, &s);
			failed++;
		} else {
			ok++;
			ok_per_op[which]++;
			prev_n = n;
			memcpy(prev, r, sizeof(prev));
		}
		assert_map_ok(fx->mem);
	}
	/* Both outcomes, and a success of every operation, must have been exercised. */
	assert_true(ok > 500);
	assert_true(failed > 500);
	for (unsigned i = 0; i < 10; i++) {
		if (ok_per_op[i] < 5)
			fail_msg("op %u succeeded only %u times", i, ok_per_op[i]);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(new_rejects_null_out_and_free_accepts_null),
		T(add_ram_rejects_zero_size_and_misalignment),
		T(add_ram_rejects_bad_attr_and_owner_kind),
		T(add_ram_rejects_wrap_at_2_64),
		T(add_ram_rejects_every_kind_of_overlap),
		T(add_ram_backing_is_zeroed_and_pages_start_owned),
		T(regions_stay_sorted_whatever_the_insertion_order),
		T(remove_needs_exact_base_and_quiet_pages),
		T(ptr_len_zero_inside_or_at_region_end_only),
		T(ptr_range_ending_at_region_end_ok_one_past_erange),
		T(ptr_never_spans_two_regions),
		T(ptr_wrap_at_2_64_is_erange),
		T(read_write_round_trip_and_bounds),
		T(attr_reports_region_security),
		T(is_ram_crosses_adjacent_regions_not_gaps),
		T(page_info_reports_both_views_and_region_attr),
		T(identity_region_maps_host_buffer),
		T(identity_region_rejects_misaligned_or_null_host),
		T(apply_validates_ranges_before_anything),
		T(apply_validates_the_op),
		T(apply_third_range_failing_leaves_first_two_untouched),
		T(apply_overlapping_ranges_see_earlier_effects),
		T(apply_overlapping_ranges_rollback_on_late_failure),
		T(apply_crosses_adjacent_regions),
		T(apply_refuses_to_break_invariants),
		T(apply_on_262144_pages_is_all_or_nothing),
		T(share_needs_owned_unpinned_pages_of_the_owner),
		T(unshare_needs_shared_pages_without_borrowers),
		T(borrow_needs_shared_or_lent_and_counts_without_overflow),
		T(donate_needs_exclusive_pages_and_moves_ownership),
		T(hyp_share_and_unshare_follow_pkvm_host_states),
		T(pin_counts_per_owner_and_unpin_never_underflows),
		T(views_are_independent_and_compose),
		T(pinned_page_cannot_be_shared_in_either_view),
		T(zero_clears_bytes_all_or_nothing),
		T(check_passes_after_every_operation),
		T(check_detects_each_corrupted_page_state),
		T(check_detects_unsorted_or_misaligned_regions),
		T(stats_count_pages_per_state),
		T(allocation_failure_in_new_yields_enomem),
		T(allocation_failure_in_add_changes_nothing),
		T(allocation_failure_in_apply_changes_nothing),
		T(random_operation_sequences_keep_invariants_and_atomicity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
