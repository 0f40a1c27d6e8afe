/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: ffaemu_fid_decode and ffaemu_smccc_regclass inline, for the per-call paths. */
#ifndef FFAEMU_LIB_SMCCC_PRIV_H
#define FFAEMU_LIB_SMCCC_PRIV_H

#include <ffa/smccc.h>

static inline struct ffaemu_fid smccc_fid_decode(uint32_t raw)
{
	struct ffaemu_fid f;

	f.raw = raw;
	/* The SVE hint is not part of the identity of a call (spec A1, G12). */
	f.id = ffaemu_fid_strip_hint(raw);
	f.fast = (raw & FFAEMU_SMCCC_FAST_CALL) != 0;
	f.smc64 = (raw & FFAEMU_SMCCC_SMC64) != 0;
	f.oen = (uint8_t)((raw >> FFAEMU_SMCCC_OEN_SHIFT) & FFAEMU_SMCCC_OEN_MASK);
	f.func = (uint16_t)(raw & FFAEMU_SMCCC_FUNC_MASK);
	f.sve_hint = (raw & FFAEMU_SMCCC_SVE_HINT) != 0;
	f.reserved = (uint8_t)((raw & FFAEMU_SMCCC_RESERVED_MASK) >> 17);
	/* 0x00000000-0x0100FFFF predate the SMCCC layout (spec A3, XEN-VSMC). */
	f.legacy = raw <= FFAEMU_SMCCC_LEGACY_LAST;
	return f;
}

/* ffaemu_smccc_regclass, inline. */
static inline struct ffaemu_smccc_regclass smccc_regclass(uint32_t smccc_version, bool smc64)
{
	struct ffaemu_smccc_regclass rc;

	/*
	 * spec A7. A version word with bit 31 set (SMCCC_VERSION's -1) or below
	 * 1.1 gets the 1.0 contract: it promises the least. Anything at or
	 * above 1.2 (1.3 .. 1.6 and later majors) keeps the 1.2 register use.
	 */
	if ((smccc_version & 0x80000000u) || smccc_version < FFAEMU_SMCCC_1_1) {
		rc.args = FFAEMU_REG_RANGE(1, 7);
		rc.results = FFAEMU_REG_RANGE(0, 3);
		rc.preserved = 0;
		rc.unpredictable = FFAEMU_REG_RANGE(4, 17);
	} else if (smccc_version < FFAEMU_SMCCC_1_2) {
		rc.args = FFAEMU_REG_RANGE(1, 7);
		rc.results = FFAEMU_REG_RANGE(0, 3);
		rc.preserved = FFAEMU_REG_RANGE(4, 17);
		rc.unpredictable = 0;
	} else if (!smc64) {
		rc.args = FFAEMU_REG_RANGE(1, 7);
		rc.results = FFAEMU_REG_RANGE(0, 7);
		rc.preserved = FFAEMU_REG_RANGE(8, 17);
		rc.unpredictable = 0;
	} else {
		rc.args = FFAEMU_REG_RANGE(1, 17);
		rc.results = FFAEMU_REG_RANGE(0, 17);
		rc.preserved = 0;
		rc.unpredictable = 0;
	}
	return rc;
}

#endif /* FFAEMU_LIB_SMCCC_PRIV_H */
