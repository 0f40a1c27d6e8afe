/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UUIDs as FF-A moves them: 16 bytes in RFC 4122 textual order.
 *
 * Register packing (DEN0077A s5.3 / DEN0028 s5.3 "UUID" format, spec B3):
 * four 32-bit registers carry bytes 0-3, 4-7, 8-11, 12-15, each word little
 * endian, so byte 0 is the low byte of the first register. Two 64-bit
 * registers carry bytes 0-7 and 8-15, little endian.
 *
 * Partition manifests (TF-A/Hafnium DTS `uuid = <w0 w1 w2 w3>`) list exactly
 * those four register words, so manifest word i is register word i.
 */
#ifndef FFAEMU_UUID_H
#define FFAEMU_UUID_H

#include <ffa/common.h>

FFAEMU_BEGIN_DECLS

struct ffaemu_uuid {
	uint8_t b[16];
};

#define FFAEMU_UUID_STR_LEN 37 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */

static inline bool ffaemu_uuid_is_nil(const struct ffaemu_uuid *u)
{
	for (int i = 0; i < 16; i++)
		if (u->b[i])
			return false;
	return true;
}

static inline bool ffaemu_uuid_eq(const struct ffaemu_uuid *a, const struct ffaemu_uuid *b)
{
	for (int i = 0; i < 16; i++)
		if (a->b[i] != b->b[i])
			return false;
	return true;
}

/* Word i (0..3) in register/manifest form: bytes 4i..4i+3, little endian. */
static inline uint32_t ffaemu_uuid_word(const struct ffaemu_uuid *u, unsigned i)
{
	const uint8_t *p = &u->b[4 * (i & 3u)];
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* Half i (0..1) in 64-bit register form: bytes 8i..8i+7, little endian. */
static inline uint64_t ffaemu_uuid_dword(const struct ffaemu_uuid *u, unsigned i)
{
	return (uint64_t)ffaemu_uuid_word(u, 2 * (i & 1u)) |
	       ((uint64_t)ffaemu_uuid_word(u, 2 * (i & 1u) + 1) << 32);
}

static inline struct ffaemu_uuid ffaemu_uuid_from_words(uint32_t w0, uint32_t w1, uint32_t w2,
							uint32_t w3)
{
	struct ffaemu_uuid u;
	const uint32_t w[4] = {w0, w1, w2, w3};
	for (int i = 0; i < 4; i++) {
		u.b[4 * i + 0] = (uint8_t)w[i];
		u.b[4 * i + 1] = (uint8_t)(w[i] >> 8);
		u.b[4 * i + 2] = (uint8_t)(w[i] >> 16);
		u.b[4 * i + 3] = (uint8_t)(w[i] >> 24);
	}
	return u;
}

static inline struct ffaemu_uuid ffaemu_uuid_from_dwords(uint64_t lo, uint64_t hi)
{
	return ffaemu_uuid_from_words((uint32_t)lo, (uint32_t)(lo >> 32), (uint32_t)hi,
				      (uint32_t)(hi >> 32));
}

/*
 * Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (case-insensitive, exactly 36
 * characters). Returns 0, or FFAEMU_EPARSE with *out unchanged.
 */
FFAEMU_API int ffaemu_uuid_parse(const char *text, struct ffaemu_uuid *out);
/* Format as lower-case text into buf[FFAEMU_UUID_STR_LEN]; returns buf. */
FFAEMU_API char *ffaemu_uuid_format(const struct ffaemu_uuid *u, char buf[FFAEMU_UUID_STR_LEN]);

FFAEMU_END_DECLS

#endif /* FFAEMU_UUID_H */
