/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to lib/ffi: a shape turned into libffi types, and register marshalling. */
#ifndef FFAEMU_LIB_FFI_PRIV_H
#define FFAEMU_LIB_FFI_PRIV_H

#include <ffi.h>

#include <ffa/ffi.h>

/* Largest item: 18 registers + bool, padded to 8 bytes (152 bytes). */
#define FSIG_ITEM_WORDS (FFAEMU_NREGS + 1)

/*
 * A shape with its libffi call interface. Struct types are built per
 * signature (ffi_prep_cif writes into them, so they cannot be shared
 * statics).
 */
struct fsig {
	struct ffaemu_ffi_shape shape;
	ffi_cif cif;
	ffi_type *atypes[FFAEMU_FFI_MAX_PARAMS];
	ffi_type stypes[FFAEMU_FFI_MAX_PARAMS + 1];
	ffi_type *elems[FFAEMU_FFI_MAX_PARAMS + 1][FFAEMU_NREGS + 2];
};

/* Build the cif of a checked shape. 0 or FFAEMU_EINVAL / FFAEMU_ENOTSUP. */
int fsig_prep(struct fsig *sig, const struct ffaemu_ffi_shape *shape);

/* x8-x17 carry values: an SMC64 call under SMCCC 1.2+ (DEN0028 1.2 s2.6, spec A7). */
bool fsig_extended(uint32_t fid, uint32_t smccc_version);

/* Copy an item's registers from a C struct at p (NULL reads as zeros). */
void fsig_load(struct ffaemu_regs *regs, const struct ffaemu_ffi_item *it, const void *p);
/* Copy an item's registers into a C struct at p, and its bool (if any). */
void fsig_store(void *p, const struct ffaemu_ffi_item *it, const struct ffaemu_regs *regs,
		bool extended);

#endif /* FFAEMU_LIB_FFI_PRIV_H */
