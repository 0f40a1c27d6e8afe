/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test support: a counting allocator that can fail a chosen call.
 *
 * Every library object takes a struct ffaemu_allocator and makes every
 * allocation through it (lib/alloc.h), so a test can fail any one of them
 * and then check the failure was clean. This allocator counts the calls it
 * sees and the blocks and bytes still held, so a test can also assert that
 * nothing leaked.
 *
 *	struct failalloc fa;
 *
 *	failalloc_init(&fa);
 *	cfg.alloc = failalloc_allocator(&fa);
 *	failalloc_fail_nth(&fa, 3);    the 3rd call from now fails, later ones work
 *	failalloc_fail_after(&fa, 3);  3 more calls work, every later one fails
 *	failalloc_never(&fa);          nothing fails any more
 *	assert_int_equal(fa.live, 0);  every block was given back
 *
 * alloc and realloc are the counted calls; free always works. Each block
 * carries a small header with its size, so only blocks from this allocator
 * may be passed to its realloc and free: a library that mixed allocators
 * would crash here instead of passing by luck.
 *
 * Header-only (static inline): each test binary gets its own copy, and all
 * state lives in the struct the test owns.
 */
#ifndef FFAEMU_TESTS_FAILALLOC_H
#define FFAEMU_TESTS_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <ffa/common.h>

struct failalloc {
	/* When to fail (set through the functions below; failalloc_init: never). */
	unsigned long fail_at; /* number of the counted call that fails (1-based); 0 = none */
	bool sticky;           /* every counted call after fail_at fails too */
	/* Counters, all zero after failalloc_init. */
	unsigned long calls;  /* alloc + realloc calls, refused ones included */
	unsigned long failed; /* calls refused on purpose */
	unsigned long allocs; /* blocks handed out (alloc, or realloc of NULL) */
	unsigned long frees;  /* blocks given back (free of a non-NULL pointer) */
	long live;            /* blocks held now */
	size_t live_bytes;    /* bytes held now, as requested */
	size_t peak_bytes;    /* the most bytes held at once */
	/* What failalloc_allocator() returns: its user pointer is this struct. */
	struct ffaemu_allocator allocator;
};

/* Keeps the caller's block aligned for any type. */
union failalloc_hdr {
	size_t size;
	max_align_t align;
};

/* Counts one call; true if it is the one (or one of those) to refuse. */
static inline bool failalloc_refuse(struct failalloc *fa)
{
	bool refuse;

	fa->calls++;
	refuse = fa->fail_at != 0 &&
		 (fa->calls == fa->fail_at || (fa->sticky && fa->calls > fa->fail_at));
	if (refuse)
		fa->failed++;
	return refuse;
}

static inline void failalloc_held(struct failalloc *fa, size_t before, size_t after)
{
	fa->live_bytes = fa->live_bytes - before + after;
	if (fa->live_bytes > fa->peak_bytes)
		fa->peak_bytes = fa->live_bytes;
}

static inline void *failalloc_alloc(void *user, size_t bytes)
{
	struct failalloc *fa = user;
	union failalloc_hdr *h;

	if (failalloc_refuse(fa) || bytes > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + bytes);
	if (!h)
		return NULL;
	h->size = bytes;
	fa->allocs++;
	fa->live++;
	failalloc_held(fa, 0, bytes);
	return h + 1;
}

static inline void *failalloc_realloc(void *user, void *ptr, size_t bytes)
{
	struct failalloc *fa = user;
	union failalloc_hdr *old = ptr ? (union failalloc_hdr *)ptr - 1 : NULL;
	size_t old_size = old ? old->size : 0;
	union failalloc_hdr *h;

	/* A refused realloc leaves the old block as it was (C11 7.22.3.5). */
	if (failalloc_refuse(fa) || bytes > SIZE_MAX - sizeof(*h))
		return NULL;
	h = realloc(old, sizeof(*h) + bytes);
	if (!h)
		return NULL;
	h->size = bytes;
	if (!old) {
		fa->allocs++;
		fa->live++;
	}
	failalloc_held(fa, old_size, bytes);
	return h + 1;
}

static inline void failalloc_free(void *user, void *ptr)
{
	struct failalloc *fa = user;
	union failalloc_hdr *h;

	if (!ptr)
		return;
	h = (union failalloc_hdr *)ptr - 1;
	fa->frees++;
	fa->live--;
	failalloc_held(fa, h->size, 0);
	free(h);
}

/* Zero every counter, fail nothing. Only while the allocator holds no block. */
static inline void failalloc_init(struct failalloc *fa)
{
	*fa = (struct failalloc){
		.allocator = {sizeof(fa->allocator), failalloc_alloc, failalloc_realloc,
			      failalloc_free, fa},
	};
}

static inline const struct ffaemu_allocator *failalloc_allocator(struct failalloc *fa)
{
	return &fa->allocator;
}

/* The nth counted call from now fails (n >= 1), the calls after it work; 0 = none. */
static inline void failalloc_fail_nth(struct failalloc *fa, unsigned long n)
{
	fa->fail_at = n ? fa->calls + n : 0;
	fa->sticky = false;
}

/* The next n counted calls work, every one after them fails (n = 0: all fail). */
static inline void failalloc_fail_after(struct failalloc *fa, unsigned long n)
{
	fa->fail_at = fa->calls + n + 1;
	fa->sticky = true;
}

/* Nothing fails from now on; the counters go on. */
static inline void failalloc_never(struct failalloc *fa)
{
	fa->fail_at = 0;
	fa->sticky = false;
}

#endif /* FFAEMU_TESTS_FAILALLOC_H */
