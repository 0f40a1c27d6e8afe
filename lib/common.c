/* SPDX-License-Identifier: BSD-3-Clause */
#if defined(__unix__) || defined(__APPLE__)
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS */
#endif
#include <unistd.h>
#if defined(_POSIX_MAPPED_FILES) && _POSIX_MAPPED_FILES > 0
#include <sys/mman.h>
#if defined(MAP_ANONYMOUS) || defined(MAP_ANON)
#define HAVE_ANON_MMAP 1
#endif
#endif
#endif
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static const struct {
	int status;
	const char *name;
	const char *text;
} status_table[] = {
	{FFAEMU_OK, "FFAEMU_OK", "success"},
	{FFAEMU_EINVAL, "FFAEMU_EINVAL", "invalid argument"},
	{FFAEMU_ENOMEM, "FFAEMU_ENOMEM", "out of host memory"},
	{FFAEMU_ERANGE, "FFAEMU_ERANGE", "address or length out of range"},
	{FFAEMU_EEXIST, "FFAEMU_EEXIST", "already exists or overlaps"},
	{FFAEMU_ENOENT, "FFAEMU_ENOENT", "no such object"},
	{FFAEMU_EPERM, "FFAEMU_EPERM", "operation not permitted in this state"},
	{FFAEMU_ENOTSUP, "FFAEMU_ENOTSUP", "not supported"},
	{FFAEMU_EPARSE, "FFAEMU_EPARSE", "malformed input"},
	{FFAEMU_EIO, "FFAEMU_EIO", "input/output or loader error"},
};

/* The table is indexed by -status; keep it complete and in order. */
_Static_assert(sizeof(status_table) / sizeof(status_table[0]) == 1 - FFAEMU_ESTATUS_MIN,
	       "status_table must list every enum ffaemu_status value");

const char *ffaemu_status_name(int status)
{
	if (status > 0 || status < FFAEMU_ESTATUS_MIN)
		return NULL;
	return status_table[-status].name;
}

const char *ffaemu_strerror(int status)
{
	if (status > 0 || status < FFAEMU_ESTATUS_MIN)
		return "unknown status";
	return status_table[-status].text;
}

static void *libc_alloc(void *user, size_t bytes)
{
	(void)user;
	return malloc(bytes ? bytes : 1);
}

static void *libc_realloc(void *user, void *ptr, size_t bytes)
{
	(void)user;
	return realloc(ptr, bytes ? bytes : 1);
}

static void *libc_zalloc(void *user, size_t bytes)
{
	(void)user;
	/* calloc gets fresh pages from the kernel already zero: no memset of untouched RAM. */
	return calloc(1, bytes ? bytes : 1);
}

static void libc_free(void *user, void *ptr)
{
	(void)user;
	free(ptr);
}

void ffaemu_alloc_init(struct ffaemu_alloc *a, const struct ffaemu_allocator *user)
{
	if (user && user->size >= sizeof(*user) && user->alloc && user->realloc && user->free) {
		a->alloc = user->alloc;
		a->realloc = user->realloc;
		a->free = user->free;
		a->zalloc = NULL; /* the user's allocator sees every request as alloc */
		a->libc = false;
		a->user = user->user;
	} else {
		a->alloc = libc_alloc;
		a->realloc = libc_realloc;
		a->free = libc_free;
		a->zalloc = libc_zalloc;
		a->libc = true;
		a->user = NULL;
	}
}

void *ffaemu_alloc_zalloc(const struct ffaemu_alloc *a, size_t bytes)
{
	void *p;

	if (a->zalloc)
		return a->zalloc(a->user, bytes);
	p = a->alloc(a->user, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

void *ffaemu_alloc_array(const struct ffaemu_alloc *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return ffaemu_alloc_zalloc(a, n * size);
}

void *ffaemu_alloc_realloc(const struct ffaemu_alloc *a, void *ptr, size_t bytes)
{
	return a->realloc(a->user, ptr, bytes);
}

void ffaemu_alloc_free(const struct ffaemu_alloc *a, void *ptr)
{
	if (ptr)
		a->free(a->user, ptr);
}

#ifdef HAVE_ANON_MMAP
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif
/* Below this calloc is as cheap; above, glibc may reuse (and memset) a freed heap chunk. */
#define REGION_MAP_MIN ((size_t)1 << 20)

static bool region_mapped(const struct ffaemu_alloc *a, size_t bytes)
{
	return a->libc && bytes >= REGION_MAP_MIN;
}
#endif

void *ffaemu_alloc_region(const struct ffaemu_alloc *a, size_t bytes)
{
#ifdef HAVE_ANON_MMAP
	if (region_mapped(a, bytes)) {
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		return p == MAP_FAILED ? NULL : p;
	}
#endif
	return ffaemu_alloc_zalloc(a, bytes);
}

void ffaemu_alloc_region_free(const struct ffaemu_alloc *a, void *ptr, size_t bytes)
{
	if (!ptr)
		return;
#ifdef HAVE_ANON_MMAP
	if (region_mapped(a, bytes)) {
		munmap(ptr, bytes);
		return;
	}
#endif
	ffaemu_alloc_free(a, ptr);
}

char *ffaemu_alloc_strdup(const struct ffaemu_alloc *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = a->alloc(a->user, n);
	if (p)
		memcpy(p, s, n);
	return p;
}
