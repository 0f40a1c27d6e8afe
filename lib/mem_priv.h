/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private, test-only hooks into emulated physical memory. They exist so
 * that tests/test_mem.c can corrupt the page map on purpose and prove that
 * ffaemu_mem_check() notices; nothing in the library calls them and they
 * are not exported from the shared library.
 */
#ifndef FFAEMU_LIB_MEM_PRIV_H
#define FFAEMU_LIB_MEM_PRIV_H

#include <ffa/mem.h>

/*
 * Overwrite the page holding pa with raw values, bypassing every check.
 * Enum fields are stored as given (truncated to 8 bits), so out-of-range
 * values can be planted. 0, or FFAEMU_ERANGE if pa is not in a region.
 */
int mem_debug_set_page(struct ffaemu_mem *mem, ffaemu_pa_t pa, int owner_kind,
		       ffaemu_id_t owner_id, int state, int hyp_state, uint16_t borrowers,
		       uint16_t pins, uint16_t flags);

/* Overwrite the base PA of region index i (sorted order). 0 or FFAEMU_ENOENT. */
int mem_debug_set_region_base(struct ffaemu_mem *mem, size_t i, ffaemu_pa_t base);

#endif /* FFAEMU_LIB_MEM_PRIV_H */
