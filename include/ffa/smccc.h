/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMC Calling Convention (DEN0028): function-ID layout, owners, versions,
 * Arm-architecture calls, return codes, and which registers are arguments,
 * results, preserved or unpredictable in each SMCCC version (spec Part A).
 */
#ifndef FFAEMU_SMCCC_H
#define FFAEMU_SMCCC_H

#include <ffa/common.h>

FFAEMU_BEGIN_DECLS

/* Function ID fields (DEN0028 s2.5, spec A1). */
#define FFAEMU_SMCCC_FAST_CALL (1u << 31)
#define FFAEMU_SMCCC_SMC64 (1u << 30)
#define FFAEMU_SMCCC_OEN_SHIFT 24
#define FFAEMU_SMCCC_OEN_MASK 0x3fu
#define FFAEMU_SMCCC_RESERVED_MASK 0x00fe0000u /* bits 23:17, MBZ for fast calls */
#define FFAEMU_SMCCC_SVE_HINT (1u << 16)        /* SMCCC 1.3+ hint, masked before decode */
#define FFAEMU_SMCCC_FUNC_MASK 0xffffu

#define FFAEMU_SMCCC_FID(fast, smc64, oen, func)                                  \
	(((fast) ? FFAEMU_SMCCC_FAST_CALL : 0u) | ((smc64) ? FFAEMU_SMCCC_SMC64 : 0u) | \
	 (((uint32_t)(oen) & FFAEMU_SMCCC_OEN_MASK) << FFAEMU_SMCCC_OEN_SHIFT) |        \
	 ((uint32_t)(func) & FFAEMU_SMCCC_FUNC_MASK))

/* Owning entity numbers (spec A2). */
enum ffaemu_smccc_oen {
	FFAEMU_OEN_ARCH = 0,
	FFAEMU_OEN_CPU = 1,
	FFAEMU_OEN_SIP = 2,
	FFAEMU_OEN_OEM = 3,
	FFAEMU_OEN_STD = 4,     /* Standard Secure Service: PSCI, SDEI, TRNG, FF-A ... */
	FFAEMU_OEN_STD_HYP = 5,
	FFAEMU_OEN_VENDOR_HYP = 6,
	FFAEMU_OEN_VENDOR_EL3 = 7,
	FFAEMU_OEN_TAPP_START = 48,
	FFAEMU_OEN_TAPP_END = 49,
	FFAEMU_OEN_TOS_START = 50,
	FFAEMU_OEN_TOS_END = 63
};

/* Legacy range that predates the SMCCC layout (spec A3). */
#define FFAEMU_SMCCC_LEGACY_LAST 0x0100ffffu

/* A decoded function ID. */
struct ffaemu_fid {
	uint32_t raw;      /* as written in w0 */
	uint32_t id;       /* raw with the SVE hint masked: what dispatch uses */
	bool fast;         /* bit 31 */
	bool smc64;        /* bit 30 */
	uint8_t oen;       /* bits 29:24 */
	uint16_t func;     /* bits 15:0 */
	bool sve_hint;     /* bit 16 */
	uint8_t reserved;  /* bits 23:17 (shifted down); non-zero makes a fast call unknown */
	bool legacy;       /* in the pre-SMCCC legacy range */
};

FFAEMU_API struct ffaemu_fid ffaemu_fid_decode(uint32_t raw);

/* Strip the SVE hint (spec A1, G12). */
static inline uint32_t ffaemu_fid_strip_hint(uint32_t fid)
{
	return fid & ~FFAEMU_SMCCC_SVE_HINT;
}

/* SMCCC version words: bit 31 = 0, major [30:16], minor [15:0] (spec A4). */
#define FFAEMU_SMCCC_VERSION(maj, min) ((uint32_t)(((maj) << 16) | (min)))
#define FFAEMU_SMCCC_1_0 FFAEMU_SMCCC_VERSION(1, 0)
#define FFAEMU_SMCCC_1_1 FFAEMU_SMCCC_VERSION(1, 1)
#define FFAEMU_SMCCC_1_2 FFAEMU_SMCCC_VERSION(1, 2)
#define FFAEMU_SMCCC_1_3 FFAEMU_SMCCC_VERSION(1, 3)
#define FFAEMU_SMCCC_1_4 FFAEMU_SMCCC_VERSION(1, 4)
#define FFAEMU_SMCCC_1_5 FFAEMU_SMCCC_VERSION(1, 5)
#define FFAEMU_SMCCC_1_6 FFAEMU_SMCCC_VERSION(1, 6)

/* Arm-architecture calls (OEN 0, spec A5) and the PSCI calls used to find SMCCC (A11). */
#define FFAEMU_SMCCC_VERSION_FID 0x80000000u
#define FFAEMU_SMCCC_ARCH_FEATURES 0x80000001u
#define FFAEMU_SMCCC_ARCH_SOC_ID 0x80000002u
#define FFAEMU_SMCCC_ARCH_SOC_ID_64 0xc0000002u
#define FFAEMU_SMCCC_ARCH_FEATURE_AVAILABILITY 0xc0000003u
#define FFAEMU_SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define FFAEMU_SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define FFAEMU_SMCCC_ARCH_WORKAROUND_3 0x80003fffu
#define FFAEMU_SMCCC_ARCH_WORKAROUND_4 0x80000004u
#define FFAEMU_PSCI_VERSION 0x84000000u
#define FFAEMU_PSCI_FEATURES 0x8400000au

/* SMCCC return codes, signed 32-bit in w0 (spec A6). */
enum ffaemu_smccc_ret {
	FFAEMU_SMCCC_SUCCESS = 0,
	FFAEMU_SMCCC_NOT_SUPPORTED = -1, /* also "unknown function ID" (spec A10) */
	FFAEMU_SMCCC_NOT_REQUIRED = -2,
	FFAEMU_SMCCC_INVALID_PARAMETER = -3
};

/* The unknown-FID reply: -1 sign-extended into x0 (DEN0028B, spec A8/A10). */
#define FFAEMU_SMCCC_UNKNOWN ((uint64_t)-1)

/* The conduit an endpoint uses. */
enum ffaemu_conduit {
	FFAEMU_CONDUIT_SMC = 0,
	FFAEMU_CONDUIT_HVC = 1,
	FFAEMU_CONDUIT_SVC = 2 /* S-EL0 partitions trapping to S-EL1/S-EL2 */
};

/*
 * Register classes of one call (bit n = xn; spec A7). Every register x0-x17
 * is in exactly one of results/preserved/unpredictable; args may overlap.
 *   1.0:  args x1-x7, results x0-x3, x4-x17 unpredictable
 *   1.1:  args x1-x7, results x0-x3, x4-x17 preserved
 *   1.2+: SMC32 args x1-x7, results x0-x7, x8-x17 preserved;
 *         SMC64 args x1-x17, results x0-x17
 */
struct ffaemu_smccc_regclass {
	uint32_t args;
	uint32_t results;
	uint32_t preserved;
	uint32_t unpredictable;
};

FFAEMU_API struct ffaemu_smccc_regclass ffaemu_smccc_regclass(uint32_t smccc_version, bool smc64);

/* "SMCCC_VERSION", "PSCI_FEATURES", "FFA_MSG_SEND_DIRECT_REQ2", ... or NULL. */
FFAEMU_API const char *ffaemu_smccc_fid_name(uint32_t fid);
/* "1.2" style text for a version word into buf (>= 12 bytes); returns buf. */
FFAEMU_API char *ffaemu_version_format(uint32_t version, char *buf, size_t len);
/* Parse "1.2" into a version word. 0 or FFAEMU_EPARSE. */
FFAEMU_API int ffaemu_version_parse(const char *text, uint32_t *out);

FFAEMU_END_DECLS

#endif /* FFAEMU_SMCCC_H */
