/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated physical memory, shared by every node of a system.
 *
 * RAM regions are registered by PA base and size and backed by host memory;
 * every access is bounds-checked (PA and length in, pointer or error out).
 * A region is non-secure or secure. An *identity* region has PA equal to
 * the host address of its backing, so client code that passes host
 * pointers as physical addresses runs unchanged.
 *
 * Every 4 KiB page has an owner and a share state. Transitions apply to a
 * whole list of ranges or to none of it, and ffaemu_mem_check() verifies
 * the invariants after any operation.
 *
 * A page carries two views of its state, because two relayers track it:
 *  - `state` / `borrowers`: the FF-A transaction view, kept by the relayer
 *    that owns the transaction (the SPMC for anything involving an SP):
 *    owned, shared, lent, and how many borrowers have it mapped;
 *  - `hyp_state` / `pins`: the hypervisor's stage-2 view of the owner's page
 *    (pKVM's host page state, pkvm-proxy 1.16): owned, or shared-owned with
 *    the FF-A world / with the hypervisor, plus hypervisor pins (mailboxes).
 * A system without a hypervisor never touches the second view.
 */
#ifndef FFAEMU_MEM_H
#define FFAEMU_MEM_H

#include <ffa/common.h>

FFAEMU_BEGIN_DECLS

#define FFAEMU_PAGE_SHIFT 12
#define FFAEMU_PAGE_SIZE 4096u /* FF-A "page" is always 4 KiB (spec D5) */

/* Region attributes. */
#define FFAEMU_MEM_NS 0u          /* non-secure (default) */
#define FFAEMU_MEM_SECURE (1u << 0)

/* Who owns a page. */
enum ffaemu_owner_kind {
	FFAEMU_OWNER_NONE = 0,   /* not RAM-owned by anyone (unassigned) */
	FFAEMU_OWNER_HOST = 1,   /* the NS host (FF-A ID 0) */
	FFAEMU_OWNER_HYP = 2,    /* the hypervisor itself */
	FFAEMU_OWNER_VM = 3,     /* a guest VM: id = its FF-A ID */
	FFAEMU_OWNER_SECURE = 4  /* secure world: id = SP ID, or the SPMC ID */
};

struct ffaemu_owner {
	enum ffaemu_owner_kind kind;
	ffaemu_id_t id;
};

/* The owner's state of a page. */
enum ffaemu_page_state {
	FFAEMU_PAGE_OWNED = 0,  /* exclusively owned */
	FFAEMU_PAGE_SHARED = 1, /* shared by the owner: owner keeps access */
	FFAEMU_PAGE_LENT = 2    /* lent: the owner lost access until reclaim */
};
#define FFAEMU_PAGE_STATE_BIT(s) (1u << (s))

/* Page flags. */
#define FFAEMU_PAGE_F_DONATED (1u << 0) /* arrived by donation */

struct ffaemu_page_info {
	struct ffaemu_owner owner;
	enum ffaemu_page_state state;
	uint16_t borrowers; /* borrower mappings ("shared to borrower") */
	enum ffaemu_page_state hyp_state; /* hypervisor stage-2 view: OWNED or SHARED */
	uint16_t pins;      /* hypervisor references (pKVM mailbox pages) */
	uint16_t flags;     /* FFAEMU_PAGE_F_* */
	uint32_t region_attr; /* FFAEMU_MEM_* of the region it lies in */
};

/* A range of whole 4 KiB pages. */
struct ffaemu_range {
	ffaemu_pa_t base; /* 4 KiB aligned */
	uint64_t pages;   /* > 0 */
};

struct ffaemu_mem;

FFAEMU_API int ffaemu_mem_new(const struct ffaemu_allocator *alloc, struct ffaemu_mem **out);
/* Frees the backing of every non-identity region. Accepts NULL; clears *mem. */
FFAEMU_API void ffaemu_mem_free(struct ffaemu_mem **mem);

/*
 * Add a RAM region [pa, pa+size): pa and size 4 KiB aligned, size > 0, no
 * wrap, no overlap with another region (FFAEMU_EEXIST). Backing is zeroed.
 * Every page starts OWNED by `owner`.
 */
FFAEMU_API int ffaemu_mem_add_ram(struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t size,
				  uint32_t attr, struct ffaemu_owner owner);
/* Add an identity region over host memory (4 KiB aligned, not freed by the library). */
FFAEMU_API int ffaemu_mem_add_identity(struct ffaemu_mem *mem, void *host, uint64_t size,
				       uint32_t attr, struct ffaemu_owner owner);
/* Remove the region that starts at pa (all its pages must be OWNED, unpinned). */
FFAEMU_API int ffaemu_mem_remove(struct ffaemu_mem *mem, ffaemu_pa_t pa);

/*
 * Bounds-checked access: [pa, pa+len) must lie inside one region, len may be
 * 0 (pa must still be inside a region or at its end). FFAEMU_ERANGE else.
 */
FFAEMU_API int ffaemu_mem_ptr(struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t len, void **out);
FFAEMU_API int ffaemu_mem_read(struct ffaemu_mem *mem, ffaemu_pa_t pa, void *dst, uint64_t len);
FFAEMU_API int ffaemu_mem_write(struct ffaemu_mem *mem, ffaemu_pa_t pa, const void *src,
				uint64_t len);
/* Attributes of the region holding pa. */
FFAEMU_API int ffaemu_mem_attr(const struct ffaemu_mem *mem, ffaemu_pa_t pa, uint32_t *attr);
/* True if every page of [pa, pa+len) is in a region (ranges may cross adjacent regions). */
FFAEMU_API bool ffaemu_mem_is_ram(const struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t len);

FFAEMU_API int ffaemu_mem_page_info(const struct ffaemu_mem *mem, ffaemu_pa_t pa,
				    struct ffaemu_page_info *out);

/*
 * A page transition: requirements every page must meet, then the effect.
 * Applied to all pages of all ranges, or (on any failure) to none.
 */
struct ffaemu_page_op {
	bool hyp_view;              /* from_states/to_state name hyp_state, not state */
	struct ffaemu_owner owner;  /* required owner (kind NONE = any) */
	uint32_t from_states;       /* FFAEMU_PAGE_STATE_BIT mask; 0 = any */
	bool need_unpinned;         /* pins must be 0 */
	bool need_no_borrowers;     /* borrowers must be 0 */
	int to_state;               /* new state, or -1 to keep */
	bool set_owner;             /* give the page to new_owner (donation) */
	struct ffaemu_owner new_owner;
	int borrower_delta;         /* +1 / -1 / 0 (no underflow/overflow allowed) */
	int pin_delta;              /* +1 / -1 / 0 */
	uint16_t set_flags, clear_flags;
};

/*
 * Apply op to every page of ranges[0..n). Ranges must be whole pages in
 * RAM, non-empty, not wrapping (FFAEMU_ERANGE). A page failing a requirement
 * gives FFAEMU_EPERM; *bad_range (if non-NULL) names the first offending
 * range. Overlapping ranges in one call see the effect of earlier ones.
 * On error nothing changed.
 */
FFAEMU_API int ffaemu_mem_apply(struct ffaemu_mem *mem, const struct ffaemu_range *ranges,
				size_t n, const struct ffaemu_page_op *op, size_t *bad_range);

/* Named transitions built on ffaemu_mem_apply() (same all-or-nothing rule). */
/* OWNED (unpinned, by owner) -> SHARED or LENT (lend = true). */
FFAEMU_API int ffaemu_mem_share(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
				struct ffaemu_owner owner, bool lend);
/* SHARED/LENT with no borrowers -> OWNED. */
FFAEMU_API int ffaemu_mem_unshare(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
				  struct ffaemu_owner owner);
/* A borrower maps / unmaps pages that are SHARED or LENT. */
FFAEMU_API int ffaemu_mem_borrow(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n);
FFAEMU_API int ffaemu_mem_unborrow(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n);
/* OWNED, unpinned, no borrowers: ownership moves to `to` (flag DONATED). */
FFAEMU_API int ffaemu_mem_donate(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
				 struct ffaemu_owner from, struct ffaemu_owner to);
/* Hypervisor view (pkvm-proxy 1.16): hyp_state OWNED (unpinned, by owner) -> SHARED. */
FFAEMU_API int ffaemu_mem_hyp_share(struct ffaemu_mem *mem, const struct ffaemu_range *r,
				    size_t n, struct ffaemu_owner owner);
/* Hypervisor view: hyp_state SHARED -> OWNED. */
FFAEMU_API int ffaemu_mem_hyp_unshare(struct ffaemu_mem *mem, const struct ffaemu_range *r,
				      size_t n, struct ffaemu_owner owner);
FFAEMU_API int ffaemu_mem_pin(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
			      struct ffaemu_owner owner);
FFAEMU_API int ffaemu_mem_unpin(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n,
				struct ffaemu_owner owner);
/* Zero the bytes of the ranges (bounds-checked, all or nothing). */
FFAEMU_API int ffaemu_mem_zero(struct ffaemu_mem *mem, const struct ffaemu_range *r, size_t n);

/*
 * Check every invariant of the page map (OWNED pages have no borrowers,
 * owner kinds valid, counters consistent, regions sorted and disjoint).
 * Returns 0, or FFAEMU_EPERM with a description in why (if non-NULL).
 */
FFAEMU_API int ffaemu_mem_check(const struct ffaemu_mem *mem, char *why, size_t why_len);

/* Counters for tests: pages per state over all regions. */
struct ffaemu_mem_stats {
	uint64_t regions, pages, owned, shared, lent, borrowed_pages, pinned_pages, hyp_shared;
};
FFAEMU_API void ffaemu_mem_get_stats(const struct ffaemu_mem *mem, struct ffaemu_mem_stats *st);

static inline struct ffaemu_owner ffaemu_owner_make(enum ffaemu_owner_kind kind, ffaemu_id_t id)
{
	struct ffaemu_owner o;
	o.kind = kind;
	o.id = id;
	return o;
}

FFAEMU_END_DECLS

#endif /* FFAEMU_MEM_H */
