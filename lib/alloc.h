/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: allocation through a struct ffaemu_allocator (NULL = libc).
 * Every allocation in the library goes through these, so a test allocator
 * can fail any one of them.
 */
#ifndef FFAEMU_LIB_ALLOC_H
#define FFAEMU_LIB_ALLOC_H

#include <stdbool.h>

#include <ffa/common.h>

/* A resolved allocator: always has all three functions. */
struct ffaemu_alloc {
	void *(*alloc)(void *user, size_t bytes);
	void *(*realloc)(void *user, void *ptr, size_t bytes);
	void (*free)(void *user, void *ptr);
	/*
	 * Zero-filled allocation, or NULL: then zalloc is alloc + memset. The
	 * libc default uses calloc so large emulated RAM is not written up front.
	 */
	void *(*zalloc)(void *user, size_t bytes);
	bool libc; /* the default: large regions may be mapped instead (ffaemu_alloc_region) */
	void *user;
};

/* Resolve a user allocator (NULL or incomplete = libc). */
void ffaemu_alloc_init(struct ffaemu_alloc *a, const struct ffaemu_allocator *user);
void *ffaemu_alloc_zalloc(const struct ffaemu_alloc *a, size_t bytes);
/* n * size with overflow check; zero-filled. */
void *ffaemu_alloc_array(const struct ffaemu_alloc *a, size_t n, size_t size);
void *ffaemu_alloc_realloc(const struct ffaemu_alloc *a, void *ptr, size_t bytes);
void ffaemu_alloc_free(const struct ffaemu_alloc *a, void *ptr);
/*
 * Zero-filled emulated RAM. With the libc default and a POSIX mmap, a large
 * region is mapped anonymously: its pages are zero until first touched, so
 * RAM a run never uses costs nothing (under valgrind and ASan too). Free it
 * with ffaemu_alloc_region_free and the same size.
 */
void *ffaemu_alloc_region(const struct ffaemu_alloc *a, size_t bytes);
void ffaemu_alloc_region_free(const struct ffaemu_alloc *a, void *ptr, size_t bytes);
char *ffaemu_alloc_strdup(const struct ffaemu_alloc *a, const char *s);

#endif /* FFAEMU_LIB_ALLOC_H */
