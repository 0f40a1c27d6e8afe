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

#endif /* FFAEMU_LIB_ABI_PRIV_H */
