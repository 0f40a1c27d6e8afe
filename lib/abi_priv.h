/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: the hot ABI-table questions, inline for the per-call paths. */
#ifndef FFAEMU_LIB_ABI_PRIV_H
#define FFAEMU_LIB_ABI_PRIV_H

#include <ffa/abi.h>

/* ffaemu_fid_is_ffa: spec A3, G13: 0x60-0xEF of OEN 4; 0xF0-0xF2 is the Errata ABI. */
static inline bool abi_fid_is_ffa(uint32_t fid)
{
	uint32_t f = fid & ~0x00010000u; /* the SVE hint (spec G12) */
	uint32_t fn = f & 0xffu;

	return (f & 0xbfffff00u) == 0x84000000u && fn >= FFAEMU_FFA_FUNC_FIRST &&
	       fn <= FFAEMU_FFA_FUNC_LAST;
}

/* Function number (low byte of an FF-A FID) -> its ABI, NULL if none (abi.c). */
extern const struct ffaemu_abi *const abi_by_fn[256];

/* ffaemu_abi_by_fid, inline. */
static inline const struct ffaemu_abi *abi_lookup(uint32_t fid)
{
	uint32_t f = fid & ~0x00010000u; /* the SVE hint (spec G12) */
	const struct ffaemu_abi *a;

	/* Fast call, OEN 4, bits 23:17 and 15:8 zero; bit 30 (width) is free (spec A3). */
	if ((f & 0xbfffff00u) != 0x84000000u)
		return NULL;
	a = abi_by_fn[f & 0xffu];
	/* A width the ABI does not define is not that ABI (spec C1.1). */
	if (!a || ((f & 0x40000000u) ? a->fid64 == 0 : a->fid32 == 0))
		return NULL;
	return a;
}

#endif /* FFAEMU_LIB_ABI_PRIV_H */
