/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the fuzz harnesses: a byte reader that never fails (an
 * exhausted input reads as zeros, so every prefix of an input is itself a
 * valid input and libFuzzer's mutations stay meaningful), a loud check
 * that aborts (libFuzzer and the replay driver both report an abort as a
 * finding), and the entry point every harness defines.
 *
 * Without a fuzzing engine (the default build) each harness is linked with
 * replay.c and runs the files of its corpus directory: suite 'fuzz-replay'.
 */
#ifndef FFAEMU_TESTS_FUZZ_H
#define FFAEMU_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline size_t fz_left(const struct fz *f)
{
	return f->n;
}

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t v = fz_u8(f);
	return (uint16_t)(v | (uint16_t)fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = fz_u16(f);
	return v | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t fz_u64(struct fz *f)
{
	uint64_t v = fz_u32(f);
	return v | (uint64_t)fz_u32(f) << 32;
}

/* Up to len bytes into dst (the rest zero); returns how many came from the input. */
static inline size_t fz_bytes(struct fz *f, void *dst, size_t len)
{
	size_t n = len < f->n ? len : f->n;
	if (n)
		memcpy(dst, f->p, n);
	if (len > n)
		memset((uint8_t *)dst + n, 0, len - n);
	f->p += n;
	f->n -= n;
	return n;
}

/* A broken invariant: say which, then abort so that the engine keeps the input. */
#define FUZZ_CHECK(cond, ...)                                                      \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, \
				__LINE__, #cond);                                  \
			fprintf(stderr, __VA_ARGS__);                              \
			fputc('\n', stderr);                                       \
			abort();                                                   \
		}                                                                  \
	} while (0)

#endif /* FFAEMU_TESTS_FUZZ_H */
