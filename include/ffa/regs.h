/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The register file of an SMC/HVC call: x0-x17, 64 bits each, and named
 * accessors for the packed fields FF-A uses (spec A8, B3, G4-G5, G10).
 */
#ifndef FFAEMU_REGS_H
#define FFAEMU_REGS_H

#include <ffa/common.h>
#include <ffa/uuid.h>

FFAEMU_BEGIN_DECLS

#define FFAEMU_NREGS 18

struct ffaemu_regs {
	uint64_t x[FFAEMU_NREGS];
};

/* Bit n of a register mask names xn. */
#define FFAEMU_REG(n) (1u << (n))
#define FFAEMU_REGS_ALL 0x3ffffu
/* Mask of xlo..xhi inclusive. */
#define FFAEMU_REG_RANGE(lo, hi) ((((1u << ((hi) - (lo) + 1)) - 1u)) << (lo))

static inline void ffaemu_regs_clear(struct ffaemu_regs *r)
{
	for (int i = 0; i < FFAEMU_NREGS; i++)
		r->x[i] = 0;
}

/* wN: the low 32 bits; an SMC32 callee reads only these (DEN0028 s2.5, spec A8). */
static inline uint32_t ffaemu_regs_w(const struct ffaemu_regs *r, unsigned n)
{
	return (uint32_t)r->x[n];
}

/* Writing wN zero-extends into xN, as an AArch64 W-register write does. */
static inline void ffaemu_regs_set_w(struct ffaemu_regs *r, unsigned n, uint32_t v)
{
	r->x[n] = v;
}

/* 16-bit endpoint IDs packed in a w-register: [31:16] and [15:0] (spec B3, G4). */
static inline ffaemu_id_t ffaemu_regs_id_hi(const struct ffaemu_regs *r, unsigned n)
{
	return (ffaemu_id_t)(ffaemu_regs_w(r, n) >> 16);
}

static inline ffaemu_id_t ffaemu_regs_id_lo(const struct ffaemu_regs *r, unsigned n)
{
	return (ffaemu_id_t)ffaemu_regs_w(r, n);
}

static inline void ffaemu_regs_set_ids(struct ffaemu_regs *r, unsigned n, ffaemu_id_t hi,
				       ffaemu_id_t lo)
{
	ffaemu_regs_set_w(r, n, ((uint32_t)hi << 16) | lo);
}

/* A 64-bit handle split low word first over wN, wN+1 (spec B3, G5). */
static inline ffaemu_handle_t ffaemu_regs_handle(const struct ffaemu_regs *r, unsigned n)
{
	return (uint64_t)ffaemu_regs_w(r, n) | ((uint64_t)ffaemu_regs_w(r, n + 1) << 32);
}

static inline void ffaemu_regs_set_handle(struct ffaemu_regs *r, unsigned n, ffaemu_handle_t h)
{
	ffaemu_regs_set_w(r, n, (uint32_t)h);
	ffaemu_regs_set_w(r, n + 1, (uint32_t)(h >> 32));
}

/*
 * A signed 32-bit code (FF-A error, SMCCC return): only the low 32 bits
 * count, so both sign- and zero-extended encodings read the same (spec A8,
 * C2, G10).
 */
static inline int32_t ffaemu_regs_s32(const struct ffaemu_regs *r, unsigned n)
{
	return (int32_t)(uint32_t)r->x[n];
}

/* UUID over four w-registers wN..wN+3 (spec B3). */
static inline struct ffaemu_uuid ffaemu_regs_uuid_w(const struct ffaemu_regs *r, unsigned n)
{
	return ffaemu_uuid_from_words(ffaemu_regs_w(r, n), ffaemu_regs_w(r, n + 1),
				      ffaemu_regs_w(r, n + 2), ffaemu_regs_w(r, n + 3));
}

static inline void ffaemu_regs_set_uuid_w(struct ffaemu_regs *r, unsigned n,
					  const struct ffaemu_uuid *u)
{
	for (unsigned i = 0; i < 4; i++)
		ffaemu_regs_set_w(r, n + i, ffaemu_uuid_word(u, i));
}

/* UUID over two x-registers xN, xN+1 (REQ2, PARTITION_INFO_GET_REGS; spec B3). */
static inline struct ffaemu_uuid ffaemu_regs_uuid_x(const struct ffaemu_regs *r, unsigned n)
{
	return ffaemu_uuid_from_dwords(r->x[n], r->x[n + 1]);
}

static inline void ffaemu_regs_set_uuid_x(struct ffaemu_regs *r, unsigned n,
					  const struct ffaemu_uuid *u)
{
	r->x[n] = ffaemu_uuid_dword(u, 0);
	r->x[n + 1] = ffaemu_uuid_dword(u, 1);
}

/*
 * Print "x0=... x1=..." (only registers in mask, all if mask is 0) into buf;
 * returns the length snprintf would have written.
 */
FFAEMU_API int ffaemu_regs_format(const struct ffaemu_regs *r, uint32_t mask, char *buf,
				  size_t len);

FFAEMU_END_DECLS

#endif /* FFAEMU_REGS_H */
