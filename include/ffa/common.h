/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Things every ffa-emu header needs: the export macro, C++ guards, the
 * library's own status codes (not FF-A wire errors: see abi.h), the small
 * typed integers shared by all modules, and the pluggable allocator.
 *
 * Every exported name starts with ffaemu_ / FFAEMU_ so that the library
 * links and compiles beside FF-A clients (Linux, Hafnium, TF-A tests,
 * Trusted Services, the Arm ACS) that define ffa_* and FFA_* themselves.
 */
#ifndef FFAEMU_COMMON_H
#define FFAEMU_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(FFAEMU_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define FFAEMU_API __attribute__((visibility("default")))
#else
#define FFAEMU_API
#endif

#ifdef __cplusplus
#define FFAEMU_BEGIN_DECLS extern "C" {
#define FFAEMU_END_DECLS }
#else
#define FFAEMU_BEGIN_DECLS
#define FFAEMU_END_DECLS
#endif

FFAEMU_BEGIN_DECLS

/*
 * Library status codes: returned by API functions (0 = success). These
 * describe misuse of the host API or host resource failure; what an
 * emulated component answers on the wire is always in the registers.
 */
enum ffaemu_status {
	FFAEMU_OK = 0,
	FFAEMU_EINVAL = -1,   /* an argument is invalid (NULL, bad size, bad enum) */
	FFAEMU_ENOMEM = -2,   /* a host allocation failed */
	FFAEMU_ERANGE = -3,   /* address/length outside every region, or it wraps */
	FFAEMU_EEXIST = -4,   /* already present (overlapping region, duplicate ID) */
	FFAEMU_ENOENT = -5,   /* no such object (region, partition, handle, profile) */
	FFAEMU_EPERM = -6,    /* the object's state forbids the operation */
	FFAEMU_ENOTSUP = -7,  /* not supported in this build or configuration */
	FFAEMU_EPARSE = -8,   /* malformed text input (script, UUID, profile name) */
	FFAEMU_EIO = -9,      /* file or loader failure */
	FFAEMU_ESTATUS_MIN = -9
};

/* A short, constant, English description of an ffaemu_status value. */
FFAEMU_API const char *ffaemu_strerror(int status);
/* The enumerator name ("FFAEMU_EINVAL"), or NULL for an unknown value. */
FFAEMU_API const char *ffaemu_status_name(int status);

/* FF-A endpoint ID (16 bits; bit 15 set = secure world by convention). */
typedef uint16_t ffaemu_id_t;
/* Emulated physical address. Never a host pointer, except in an identity region. */
typedef uint64_t ffaemu_pa_t;
/* FF-A memory-transaction handle (DEN0077A s10.9.2: bit 63 = allocator). */
typedef uint64_t ffaemu_handle_t;

/*
 * Pluggable allocator. Every object constructor accepts one (NULL = the C
 * library's malloc/realloc/free); objects keep a copy and use it for every
 * allocation they make, so a test can fail the Nth allocation.
 */
struct ffaemu_allocator {
	size_t size; /* sizeof(struct ffaemu_allocator) */
	void *(*alloc)(void *user, size_t bytes);
	void *(*realloc)(void *user, void *ptr, size_t bytes);
	void (*free)(void *user, void *ptr);
	void *user;
};

FFAEMU_END_DECLS

#endif /* FFAEMU_COMMON_H */
