/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: ffaemu_fid_decode inline, for the library's per-call paths. */
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

#endif /* FFAEMU_LIB_SMCCC_PRIV_H */
