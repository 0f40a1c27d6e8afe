/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated physical memory: RAM regions sorted by PA (binary search), one
 * compact page record per 4 KiB page, bounds-checked access, and page
 * transitions that apply to a whole list of ranges or to none of it.
 *
 * All-or-nothing is done with a journal: before a page is modified its old
 * record is appended; if any later page fails, the journal is replayed in
 * reverse. The journal is allocated up front (one entry per page visited),
 * so its allocation failing changes nothing and the walk itself cannot fail
 * for lack of memory.
 */
#include <stdio.h>
#include <string.h>

#include <ffa/mem.h>

#include "alloc.h"
#include "mem_priv.h"

#define PAGE_MASK ((uint64_t)FFAEMU_PAGE_SIZE - 1u)
#define PAGE_FLAGS_KNOWN FFAEMU_PAGE_F_DONATED
#define STATE_BITS_ALL                                                                  \
	(FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED) | FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED) | \
	 FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_LENT))

/* Compact page record (12 bytes): 262,144 pages cost 3 MiB. */
struct mpage {
	uint8_t kind;      /* enum ffaemu_owner_kind */
	uint8_t state;     /* enum ffaemu_page_state, FF-A view */
	uint8_t hyp_state; /* enum ffaemu_page_state, hypervisor view */
	uint8_t reserved;
	uint16_t id;
	uint16_t borrowers;
	uint16_t pins;
	uint16_t flags;
};

struct region {
	ffaemu_pa_t base;
	uint64_t size;
	uint64_t npages;
	uint32_t attr;
	bool identity;
	uint8_t *host;
	struct mpage *pages;
};

struct ffaemu_mem {
	struct ffaemu_alloc a;
	struct region *r; /* sorted by base, disjoint */
	size_t n, cap;
};

/* Both views' requirements and effects; the public op fills one view. */
struct xop {
	struct ffaemu_owner owner;
	uint32_t from_states, hyp_from_states;
	bool need_unpinned, need_no_borrowers;
	int to_state, hyp_to_state;
	bool set_owner;
	struct ffaemu_owner new_owner;
	int borrower_delta, pin_delta;
	uint16_t set_flags, clear_flags;
};

struct journal_entry {
	struct mpage *page;
	struct mpage old;
};

static bool owner_kind_valid(unsigned k)
{
	return k <= FFAEMU_OWNER_SECURE;
}

/* Index of the region with the largest base <= pa, or SIZE_MAX. */
static size_t find_region(const struct ffaemu_mem *mem, ffaemu_pa_t pa)
{
	size_t lo = 0, hi = mem->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mem->r[mid].base <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? SIZE_MAX : lo - 1;
}

/* Region strictly containing pa, or NULL. */
static struct region *region_at(const struct ffaemu_mem *mem, ffaemu_pa_t pa)
{
	size_t i = find_region(mem, pa);

	if (i == SIZE_MAX || pa - mem->r[i].base >= mem->r[i].size)
		return NULL;
	return &mem->r[i];
}

int ffaemu_mem_new(const struct ffaemu_allocator *alloc, struct ffaemu_mem **out)
{
	struct ffaemu_alloc a;
	struct ffaemu_mem *mem;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	ffaemu_alloc_init(&a, alloc);
	mem = ffaemu_alloc_zalloc(&a, sizeof(*mem));
	if (!mem)
		return FFAEMU_ENOMEM;
	mem->a = a;
	*out = mem;
	return FFAEMU_OK;
}

static void region_release(const struct ffaemu_mem *mem, struct region *r)
{
	if (!r->identity)
		ffaemu_alloc_region_free(&mem->a, r->host, (size_t)r->size);
	ffaemu_alloc_free(&mem->a, r->pages);
}

void ffaemu_mem_free(struct ffaemu_mem **memp)
{
	struct ffaemu_mem *mem;
	struct ffaemu_alloc a;
	size_t i;

	if (!memp || !*memp)
		return;
	mem = *memp;
	for (i = 0; i < mem->n; i++)
		region_release(mem, &mem->r[i]);
	ffaemu_alloc_free(&mem->a, mem->r);
	a = mem->a;
	ffaemu_alloc_free(&a, mem);
	*memp = NULL;
}

static int add_region(struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t size, uint32_t attr,
		      struct ffaemu_owner owner, uint8_t *host)
{
	struct region nr;
	size_t pos, i;

	if (!mem || (attr & ~FFAEMU_MEM_SECURE) || !owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	/* Whole 4 KiB pages only: the FF-A page granule (spec D5; mem.h). */
	if (size == 0 || (pa & PAGE_MASK) || (size & PAGE_MASK))
		return FFAEMU_EINVAL;
	/* The end PA must be representable: no wrap at (or to) 2^64. */
	if (size > UINT64_MAX - pa)
		return FFAEMU_ERANGE;
	if (size > SIZE_MAX)
		return FFAEMU_ENOMEM;

	/* Regions are disjoint so that every PA has exactly one backing (mem.h). */
	pos = find_region(mem, pa);
	pos = pos == SIZE_MAX ? 0 : pos + 1;
	if (pos > 0 && mem->r[pos - 1].base + mem->r[pos - 1].size > pa)
		return FFAEMU_EEXIST;
	if (pos < mem->n && mem->r[pos].base < pa + size)
		return FFAEMU_EEXIST;

	if (mem->n == mem->cap) {
		size_t cap = mem->cap ? mem->cap * 2 : 4;
		struct region *r;

		if (cap > SIZE_MAX / sizeof(*r))
			return FFAEMU_ENOMEM;
		r = ffaemu_alloc_realloc(&mem->a, mem->r, cap * sizeof(*r));
		if (!r)
			return FFAEMU_ENOMEM;
		mem->r = r;
		mem->cap = cap;
	}

	memset(&nr, 0, sizeof(nr));
	nr.base = pa;
	nr.size = size;
	nr.npages = size >> FFAEMU_PAGE_SHIFT;
	nr.attr = attr;
	nr.identity = host != NULL;
	nr.pages = ffaemu_alloc_array(&mem->a, (size_t)nr.npages, sizeof(*nr.pages));
	if (!nr.pages)
		return FFAEMU_ENOMEM;
	if (host) {
		nr.host = host;
	} else {
		nr.host = ffaemu_alloc_region(&mem->a, (size_t)size);
		if (!nr.host) {
			ffaemu_alloc_free(&mem->a, nr.pages);
			return FFAEMU_ENOMEM;
		}
	}
	for (i = 0; i < nr.npages; i++) {
		nr.pages[i].kind = (uint8_t)owner.kind;
		nr.pages[i].id = owner.id;
	}
	memmove(&mem->r[pos + 1], &mem->r[pos], (mem->n - pos) * sizeof(*mem->r));
	mem->r[pos] = nr;
	mem->n++;
	return FFAEMU_OK;
}

int ffaemu_mem_add_ram(struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t size, uint32_t attr,
		       struct ffaemu_owner owner)
{
	return add_region(mem, pa, size, attr, owner, NULL);
}

int ffaemu_mem_add_identity(struct ffaemu_mem *mem, void *host, uint64_t size, uint32_t attr,
			    struct ffaemu_owner owner)
{
	if (!host)
		return FFAEMU_EINVAL;
	return add_region(mem, (ffaemu_pa_t)(uintptr_t)host, size, attr, owner, host);
}

int ffaemu_mem_remove(struct ffaemu_mem *mem, ffaemu_pa_t pa)
{
	size_t i;
	uint64_t p;
	struct region *r;

	if (!mem)
		return FFAEMU_EINVAL;
	i = find_region(mem, pa);
	if (i == SIZE_MAX || mem->r[i].base != pa)
		return FFAEMU_ENOENT;
	r = &mem->r[i];
	/* Pages still shared, lent, borrowed or pinned would dangle. */
	for (p = 0; p < r->npages; p++) {
		const struct mpage *pg = &r->pages[p];

		if (pg->state != FFAEMU_PAGE_OWNED || pg->hyp_state != FFAEMU_PAGE_OWNED ||
		    pg->borrowers || pg->pins)
			return FFAEMU_EPERM;
	}
	region_release(mem, r);
	memmove(&mem->r[i], &mem->r[i + 1], (mem->n - i - 1) * sizeof(*mem->r));
	mem->n--;
	return FFAEMU_OK;
}

int ffaemu_mem_ptr(struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t len, void **out)
{
	size_t i;
	uint64_t off;
	const struct region *r;

	if (!mem || !out)
		return FFAEMU_EINVAL;
	i = find_region(mem, pa);
	if (i == SIZE_MAX)
		return FFAEMU_ERANGE;
	r = &mem->r[i];
	off = pa - r->base;
	/* Subtractions only: pa + len may wrap at 2^64. */
	if (off > r->size || len > r->size - off)
		return FFAEMU_ERANGE;
	*out = r->host + off;
	return FFAEMU_OK;
}

int ffaemu_mem_read(struct ffaemu_mem *mem, ffaemu_pa_t pa, void *dst, uint64_t len)
{
	void *p;
	int rc;

	if (!dst && len)
		return FFAEMU_EINVAL;
	rc = ffaemu_mem_ptr(mem, pa, len, &p);
	if (rc)
		return rc;
	if (len)
		memcpy(dst, p, (size_t)len);
	return FFAEMU_OK;
}

int ffaemu_mem_write(struct ffaemu_mem *mem, ffaemu_pa_t pa, const void *src, uint64_t len)
{
	void *p;
	int rc;

	if (!src && len)
		return FFAEMU_EINVAL;
	rc = ffaemu_mem_ptr(mem, pa, len, &p);
	if (rc)
		return rc;
	if (len)
		memcpy(p, src, (size_t)len);
	return FFAEMU_OK;
}

int ffaemu_mem_attr(const struct ffaemu_mem *mem, ffaemu_pa_t pa, uint32_t *attr)
{
	const struct region *r;

	if (!mem || !attr)
		return FFAEMU_EINVAL;
	r = region_at(mem, pa);
	if (!r)
		return FFAEMU_ERANGE;
	*attr = r->attr;
	return FFAEMU_OK;
}

bool ffaemu_mem_is_ram(const struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t len)
{
	ffaemu_pa_t cur, last;

	if (!mem)
		return false;
	if (len == 0)
		return region_at(mem, pa) != NULL;
	if (len - 1 > UINT64_MAX - pa)
		return false; /* wraps at 2^64 */
	last = pa + (len - 1);
	cur = pa;
	for (;;) {
		const struct region *r = region_at(mem, cur);
		ffaemu_pa_t end_incl;

		if (!r)
			return false;
		end_incl = r->base + (r->size - 1);
		if (last <= end_incl)
			return true;
		cur = end_incl + 1; /* the next region must start exactly here */
	}
}

int ffaemu_mem_page_info(const struct ffaemu_mem *mem, ffaemu_pa_t pa,
			 struct ffaemu_page_info *out)
{
	const struct region *r;
	const struct mpage *p;

	if (!mem || !out)
		return FFAEMU_EINVAL;
	r = region_at(mem, pa);
	if (!r)
		return FFAEMU_ERANGE;
	p = &r->pages[(pa - r->base) >> FFAEMU_PAGE_SHIFT];
	memset(out, 0, sizeof(*out));
	out->owner.kind = (enum ffaemu_owner_kind)p->kind;
	out->owner.id = p->id;
	out->state = (enum ffaemu_page_state)p->state;
	out->borrowers = p->borrowers;
	out->hyp_state = (enum ffaemu_page_state)p->hyp_state;
	out->pins = p->pins;
	out->flags = p->flags;
	out->region_attr = r->attr;
	return FFAEMU_OK;
}

/* ---- Page transitions ---- */

/* The first invariant a page breaks, or NULL (mem.h; pkvm-proxy 1.16). */
static const char *page_violation(const struct mpage *p)
{
	if (!owner_kind_valid(p->kind))
		return "owner kind out of range";
	if (p->state > FFAEMU_PAGE_LENT)
		return "state out of range";
	/* The stage-2 view has no LENT: pKVM host pages are OWNED or SHARED_OWNED. */
	if (p->hyp_state > FFAEMU_PAGE_SHARED)
		return "hyp_state out of range";
	if (p->flags & ~PAGE_FLAGS_KNOWN)
		return "unknown page flags";
	if (p->state == FFAEMU_PAGE_OWNED && p->borrowers)
		return "OWNED page has borrowers";
	if (p->state != FFAEMU_PAGE_OWNED && p->kind == FFAEMU_OWNER_NONE)
		return "SHARED/LENT page has no owner";
	if (p->hyp_state != FFAEMU_PAGE_OWNED && p->kind == FFAEMU_OWNER_NONE)
		return "hyp-SHARED page has no owner";
	if (p->pins && p->kind == FFAEMU_OWNER_NONE)
		return "pinned page has no owner";
	return NULL;
}

static bool owner_matches(const struct mpage *p, struct ffaemu_owner want)
{
	return want.kind == FFAEMU_OWNER_NONE || (p->kind == want.kind && p->id == want.id);
}

static bool delta_ok(uint16_t v, int delta)
{
	return !(delta < 0 && v == 0) && !(delta > 0 && v == UINT16_MAX);
}

/* Requirements on the current page, then the new record; false if refused. */
static bool page_step(const struct mpage *p, const struct xop *op, struct mpage *np)
{
	if (!owner_matches(p, op->owner))
		return false;
	if (op->from_states && !(op->from_states & FFAEMU_PAGE_STATE_BIT(p->state)))
		return false;
	if (op->hyp_from_states && !(op->hyp_from_states & FFAEMU_PAGE_STATE_BIT(p->hyp_state)))
		return false;
	if (op->need_unpinned && p->pins)
		return false;
	if (op->need_no_borrowers && p->borrowers)
		return false;
	if (!delta_ok(p->borrowers, op->borrower_delta) || !delta_ok(p->pins, op->pin_delta))
		return false;
	*np = *p;
	if (op->to_state >= 0)
		np->state = (uint8_t)op->to_state;
	if (op->hyp_to_state >= 0)
		np->hyp_state = (uint8_t)op->hyp_to_state;
	if (op->set_owner) {
		np->kind = (uint8_t)op->new_owner.kind;
		np->id = op->new_owner.id;
	}
	np->borrowers = (uint16_t)(np->borrowers + op->borrower_delta);
	np->pins = (uint16_t)(np->pins + op->pin_delta);
	np->flags = (uint16_t)((np->flags & ~op->clear_flags) | op->set_flags);
	/* An op may not leave a page in a state the map forbids. */
	return page_violation(np) == NULL;
}

/*
 * Whole pages, non-empty, no wrap, all in RAM (mem.h). A constituent of
 * pg_cnt 0 is refused, as pKVM does since Sep 2025 (pkvm-proxy 1.16).
 */
static int check_ranges(const struct ffaemu_mem *mem, const struct ffaemu_range *ranges,
			size_t n, size_t *bad_range, uint64_t *total_pages)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ffaemu_range *rg = &ranges[i];

		if ((rg->base & PAGE_MASK) || rg->pages == 0 ||
		    rg->pages > (UINT64_MAX >> FFAEMU_PAGE_SHIFT) ||
		    !ffaemu_mem_is_ram(mem, rg->base, rg->pages << FFAEMU_PAGE_SHIFT)) {
			if (bad_range)
				*bad_range = i;
			return FFAEMU_ERANGE;
		}
		if (rg->pages > UINT64_MAX - total) {
			if (bad_range)
				*bad_range = i;
			return FFAEMU_ERANGE;
		}
		total += rg->pages;
	}
	*total_pages = total;
	return FFAEMU_OK;
}

static void rollback(struct journal_entry *j, size_t used)
{
	while (used > 0) {
		used--;
		*j[used].page = j[used].old;
	}
}

static int apply_x(struct ffaemu_mem *mem, const struct ffaemu_range *ranges, size_t n,
		   const struct xop *op, size_t *bad_range)
{
	struct journal_entry *j;
	uint64_t total;
	size_t used = 0, i;
	int rc;

	if (!mem || (n && !ranges))
		return FFAEMU_EINVAL;
	if (n == 0)
		return FFAEMU_OK;
	rc = check_ranges(mem, ranges, n, bad_range, &total);
	if (rc)
		return rc;
	if (total > SIZE_MAX / sizeof(*j))
		return FFAEMU_ENOMEM;
	j = mem->a.alloc(mem->a.user, (size_t)total * sizeof(*j));
	if (!j)
		return FFAEMU_ENOMEM;

	for (i = 0; i < n; i++) {
		ffaemu_pa_t cur = ranges[i].base;
		uint64_t left = ranges[i].pages;

		while (left) {
			struct region *r = region_at(mem, cur);
			uint64_t first = (cur - r->base) >> FFAEMU_PAGE_SHIFT;
			uint64_t cnt = r->npages - first;
			uint64_t k;

			if (cnt > left)
				cnt = left;
			for (k = 0; k < cnt; k++) {
				struct mpage *p = &r->pages[first + k];
				struct mpage np;

				if (!page_step(p, op, &np)) {
					rollback(j, used);
					ffaemu_alloc_free(&mem->a, j);
					if (bad_range)
						*bad_range = i;
					return FFAEMU_EPERM;
				}
				j[used].page = p;
				j[used].old = *p;
				used++;
				*p = np;
			}
			left -= cnt;
			cur += cnt << FFAEMU_PAGE_SHIFT;
		}
	}
	ffaemu_alloc_free(&mem->a, j);
	return FFAEMU_OK;
}

static int delta_valid(int d)
{
	return d >= -1 && d <= 1;
}

int ffaemu_mem_apply(struct ffaemu_mem *mem, const struct ffaemu_range *ranges, size_t n,
		     const struct ffaemu_page_op *op, size_t *bad_range)
{
	struct xop x;

	if (!op || !owner_kind_valid(op->owner.kind) || !owner_kind_valid(op->new_owner.kind) ||
	    (op->from_states & ~STATE_BITS_ALL) || op->to_state < -1 ||
	    op->to_state > FFAEMU_PAGE_LENT || (op->hyp_view && op->to_state == FFAEMU_PAGE_LENT) ||
	    !delta_valid(op->borrower_delta) || !delta_valid(op->pin_delta) ||
	    ((op->set_flags | op->clear_flags) & ~PAGE_FLAGS_KNOWN))
		return FFAEMU_EINVAL;
	memset(&x, 0, sizeof(x));
	x.owner = op->owner;
	if (op->hyp_view) {
		x.hyp_from_states = op->from_states;
		x.hyp_to_state = op->to_state;
		x.to_state = -1;
	} else {
		x.from_states = op->from_states;
		x.to_state = op->to_state;
		x.hyp_to_state = -1;
	}
	x.need_unpinned = op->need_unpinned;
	x.need_no_borrowers = op->need_no_borrowers;
	x.set_owner = op->set_owner;
	x.new_owner = op->new_owner;
	x.borrower_delta = op->borrower_delta;
	x.pin_delta = op->pin_delta;
	x.set_flags = op->set_flags;
	x.clear_flags = op->clear_flags;
	return apply_x(mem, ranges, n, &x, bad_range);
}

static struct xop xop_keep(struct ffaemu_owner owner)
{
	struct xop x;

	memset(&x, 0, sizeof(x));
	x.owner = owner;
	x.to_state = -1;
	x.hyp_to_state = -1;
	return x;
}

int ffaemu_mem_share(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
		     struct ffaemu_owner owner, bool lend)
{
	struct xop x = xop_keep(owner);

	if (!owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	/* Only an exclusively owned, unpinned page can be shared or lent (pkvm-proxy 1.16). */
	x.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED);
	x.need_unpinned = true;
	x.need_no_borrowers = true;
	x.to_state = lend ? FFAEMU_PAGE_LENT : FFAEMU_PAGE_SHARED;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_unshare(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
		       struct ffaemu_owner owner)
{
	struct xop x = xop_keep(owner);

	if (!owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	/* Reclaim needs every borrower to have relinquished (spec C1 MEM_RECLAIM: DENIED). */
	x.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED) |
			FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_LENT);
	x.need_no_borrowers = true;
	x.to_state = FFAEMU_PAGE_OWNED;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_borrow(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n)
{
	struct xop x = xop_keep(ffaemu_owner_make(FFAEMU_OWNER_NONE, 0));

	x.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED) |
			FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_LENT);
	x.borrower_delta = 1;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_unborrow(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n)
{
	struct xop x = xop_keep(ffaemu_owner_make(FFAEMU_OWNER_NONE, 0));

	x.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED) |
			FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_LENT);
	x.borrower_delta = -1;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_donate(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
		      struct ffaemu_owner from, struct ffaemu_owner to)
{
	struct xop x = xop_keep(from);

	if (!owner_kind_valid(from.kind) || !owner_kind_valid(to.kind) ||
	    to.kind == FFAEMU_OWNER_NONE)
		return FFAEMU_EINVAL;
	/*
	 * Donation needs the page exclusively owned in both views: a page
	 * shared with the FF-A world or the hypervisor cannot be donated
	 * (pkvm-proxy 1.16).
	 */
	x.from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED);
	x.hyp_from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED);
	x.need_unpinned = true;
	x.need_no_borrowers = true;
	x.set_owner = true;
	x.new_owner = to;
	x.set_flags = FFAEMU_PAGE_F_DONATED;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_hyp_share(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
			 struct ffaemu_owner owner)
{
	struct xop x = xop_keep(owner);

	if (!owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	/* pKVM: exclusively host-owned, zero hyp refcount -> SHARED_OWNED (pkvm-proxy 1.16). */
	x.hyp_from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_OWNED);
	x.need_unpinned = true;
	x.hyp_to_state = FFAEMU_PAGE_SHARED;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_hyp_unshare(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
			   struct ffaemu_owner owner)
{
	struct xop x = xop_keep(owner);

	if (!owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	/* pKVM: SHARED_OWNED -> OWNED; a pinned page stays shared (pkvm-proxy 1.16). */
	x.hyp_from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_SHARED);
	x.need_unpinned = true;
	x.hyp_to_state = FFAEMU_PAGE_OWNED;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_pin(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
		   struct ffaemu_owner owner)
{
	struct xop x = xop_keep(owner);

	if (!owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	x.pin_delta = 1;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_unpin(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
		     struct ffaemu_owner owner)
{
	struct xop x = xop_keep(owner);

	if (!owner_kind_valid(owner.kind))
		return FFAEMU_EINVAL;
	x.pin_delta = -1;
	return apply_x(mem, r, n, &x, NULL);
}

int ffaemu_mem_zero(struct ffaemu_mem *mem, const struct ffaemu_range *ranges, size_t n)
{
	uint64_t total;
	size_t i;
	int rc;

	if (!mem || (n && !ranges))
		return FFAEMU_EINVAL;
	rc = check_ranges(mem, ranges, n, NULL, &total);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		ffaemu_pa_t cur = ranges[i].base;
		uint64_t left = ranges[i].pages << FFAEMU_PAGE_SHIFT;

		while (left) {
			struct region *r = region_at(mem, cur);
			uint64_t off = cur - r->base;
			uint64_t cnt = r->size - off;

			if (cnt > left)
				cnt = left;
			memset(r->host + off, 0, (size_t)cnt);
			left -= cnt;
			cur += cnt;
		}
	}
	return FFAEMU_OK;
}

int ffaemu_mem_check(const struct ffaemu_mem *mem, char *why, size_t why_len)
{
	size_t i;
	uint64_t p;

	if (!mem)
		return FFAEMU_EINVAL;
	for (i = 0; i < mem->n; i++) {
		const struct region *r = &mem->r[i];
		const char *bad = NULL;

		if (r->size == 0 || (r->base & PAGE_MASK) || (r->size & PAGE_MASK))
			bad = "region empty or not page aligned";
		else if (r->size > UINT64_MAX - r->base)
			bad = "region wraps at 2^64";
		else if (r->npages != r->size >> FFAEMU_PAGE_SHIFT || !r->pages || !r->host)
			bad = "region bookkeeping inconsistent";
		else if (i + 1 < mem->n && r->base + r->size > mem->r[i + 1].base)
			bad = "regions not sorted or overlapping";
		if (bad) {
			if (why && why_len)
				snprintf(why, why_len, "region %zu at 0x%llx: %s", i,
					 (unsigned long long)r->base, bad);
			return FFAEMU_EPERM;
		}
	}
	for (i = 0; i < mem->n; i++) {
		const struct region *r = &mem->r[i];

		for (p = 0; p < r->npages; p++) {
			const char *bad = page_violation(&r->pages[p]);

			if (bad) {
				if (why && why_len)
					snprintf(why, why_len, "page 0x%llx: %s",
						 (unsigned long long)(r->base +
								      (p << FFAEMU_PAGE_SHIFT)),
						 bad);
				return FFAEMU_EPERM;
			}
		}
	}
	if (why && why_len)
		why[0] = '\0';
	return FFAEMU_OK;
}

void ffaemu_mem_get_stats(const struct ffaemu_mem *mem, struct ffaemu_mem_stats *st)
{
	size_t i;
	uint64_t p;

	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (!mem)
		return;
	st->regions = mem->n;
	for (i = 0; i < mem->n; i++) {
		const struct region *r = &mem->r[i];

		st->pages += r->npages;
		for (p = 0; p < r->npages; p++) {
			const struct mpage *pg = &r->pages[p];

			st->owned += pg->state == FFAEMU_PAGE_OWNED;
			st->shared += pg->state == FFAEMU_PAGE_SHARED;
			st->lent += pg->state == FFAEMU_PAGE_LENT;
			st->borrowed_pages += pg->borrowers != 0;
			st->pinned_pages += pg->pins != 0;
			st->hyp_shared += pg->hyp_state == FFAEMU_PAGE_SHARED;
		}
	}
}

/* ---- Test-only hooks (mem_priv.h) ---- */

int mem_debug_set_page(struct ffaemu_mem *mem, ffaemu_pa_t pa, int owner_kind,
		       ffaemu_id_t owner_id, int state, int hyp_state, uint16_t borrowers,
		       uint16_t pins, uint16_t flags)
{
	struct region *r = mem ? region_at(mem, pa) : NULL;
	struct mpage *p;

	if (!r)
		return FFAEMU_ERANGE;
	p = &r->pages[(pa - r->base) >> FFAEMU_PAGE_SHIFT];
	p->kind = (uint8_t)owner_kind;
	p->id = owner_id;
	p->state = (uint8_t)state;
	p->hyp_state = (uint8_t)hyp_state;
	p->borrowers = borrowers;
	p->pins = pins;
	p->flags = flags;
	return FFAEMU_OK;
}

int mem_debug_set_region_base(struct ffaemu_mem *mem, size_t i, ffaemu_pa_t base)
{
	if (!mem || i >= mem->n)
		return FFAEMU_ENOENT;
	mem->r[i].base = base;
	return FFAEMU_OK;
}
