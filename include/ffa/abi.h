/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FF-A vocabulary (DEN0077A): function IDs, the ABI table, version words
 * and error codes (spec Part C).
 */
#ifndef FFAEMU_ABI_H
#define FFAEMU_ABI_H

#include <ffa/common.h>

FFAEMU_BEGIN_DECLS

/* ---- Version words (spec C4): bit 31 MBZ, major [30:16], minor [15:0] ---- */
#define FFAEMU_FFA_VERSION_WORD(maj, min) ((uint32_t)((((maj) & 0x7fffu) << 16) | ((min) & 0xffffu)))
#define FFAEMU_FFA_1_0 FFAEMU_FFA_VERSION_WORD(1, 0)
#define FFAEMU_FFA_1_1 FFAEMU_FFA_VERSION_WORD(1, 1)
#define FFAEMU_FFA_1_2 FFAEMU_FFA_VERSION_WORD(1, 2)
#define FFAEMU_FFA_1_3 FFAEMU_FFA_VERSION_WORD(1, 3)

static inline uint16_t ffaemu_ffa_version_major(uint32_t v)
{
	return (uint16_t)((v >> 16) & 0x7fffu);
}

static inline uint16_t ffaemu_ffa_version_minor(uint32_t v)
{
	return (uint16_t)v;
}

/* A version word is valid iff bit 31 is clear (spec C4). */
static inline bool ffaemu_ffa_version_valid(uint32_t v)
{
	return (v & 0x80000000u) == 0;
}

/*
 * Compatibility (DEN0077A 1.1+ s13.2.1, spec C4): a caller at (Ma, ma) can
 * use a callee at (Mb, mb) iff Ma == Mb and ma <= mb.
 */
static inline bool ffaemu_ffa_version_compatible(uint32_t caller, uint32_t callee)
{
	return ffaemu_ffa_version_valid(caller) && ffaemu_ffa_version_valid(callee) &&
	       ffaemu_ffa_version_major(caller) == ffaemu_ffa_version_major(callee) &&
	       ffaemu_ffa_version_minor(caller) <= ffaemu_ffa_version_minor(callee);
}

/* ---- Error codes (spec C2): w2 of FFA_ERROR, signed 32-bit ---- */
enum ffaemu_ffa_error {
	FFAEMU_FFA_NOT_SUPPORTED = -1,
	FFAEMU_FFA_INVALID_PARAMETERS = -2,
	FFAEMU_FFA_NO_MEMORY = -3,
	FFAEMU_FFA_BUSY = -4,
	FFAEMU_FFA_INTERRUPTED = -5,
	FFAEMU_FFA_DENIED = -6,
	FFAEMU_FFA_RETRY = -7,
	FFAEMU_FFA_ABORTED = -8,
	FFAEMU_FFA_NO_DATA = -9,
	FFAEMU_FFA_NOT_READY = -10
};
#define FFAEMU_FFA_ERROR_MIN (-10)

/* "INVALID_PARAMETERS", or NULL for a value that is not an FF-A error. */
FFAEMU_API const char *ffaemu_ffa_error_name(int32_t code);
/* A one-line description ("invalid parameters"), or "unknown error". */
FFAEMU_API const char *ffaemu_ffa_error_str(int32_t code);
/* Parse "DENIED" / "FFA_DENIED" / "-6" into a code. 0 or FFAEMU_EPARSE. */
FFAEMU_API int ffaemu_ffa_error_parse(const char *text, int32_t *out);

/* ---- Function IDs (spec C1). 64-bit forms carry an _64 suffix. ---- */
#define FFAEMU_FFA_FID32(fn) (0x84000000u | (uint32_t)(fn))
#define FFAEMU_FFA_FID64(fn) (0xc4000000u | (uint32_t)(fn))
#define FFAEMU_FFA_FUNC_FIRST 0x60u
#define FFAEMU_FFA_FUNC_LAST 0xefu /* OEN 4 sub-range reserved for FF-A (spec A3) */

#define FFAEMU_FFA_ERROR FFAEMU_FFA_FID32(0x60)
#define FFAEMU_FFA_ERROR_64 FFAEMU_FFA_FID64(0x60)
#define FFAEMU_FFA_SUCCESS FFAEMU_FFA_FID32(0x61)
#define FFAEMU_FFA_SUCCESS_64 FFAEMU_FFA_FID64(0x61)
#define FFAEMU_FFA_INTERRUPT FFAEMU_FFA_FID32(0x62)
#define FFAEMU_FFA_INTERRUPT_64 FFAEMU_FFA_FID64(0x62)
#define FFAEMU_FFA_VERSION FFAEMU_FFA_FID32(0x63)
#define FFAEMU_FFA_FEATURES FFAEMU_FFA_FID32(0x64)
#define FFAEMU_FFA_RX_RELEASE FFAEMU_FFA_FID32(0x65)
#define FFAEMU_FFA_RXTX_MAP FFAEMU_FFA_FID32(0x66)
#define FFAEMU_FFA_RXTX_MAP_64 FFAEMU_FFA_FID64(0x66)
#define FFAEMU_FFA_RXTX_UNMAP FFAEMU_FFA_FID32(0x67)
#define FFAEMU_FFA_PARTITION_INFO_GET FFAEMU_FFA_FID32(0x68)
#define FFAEMU_FFA_ID_GET FFAEMU_FFA_FID32(0x69)
#define FFAEMU_FFA_MSG_POLL FFAEMU_FFA_FID32(0x6a)
#define FFAEMU_FFA_MSG_WAIT FFAEMU_FFA_FID32(0x6b)
#define FFAEMU_FFA_MSG_WAIT_64 FFAEMU_FFA_FID64(0x6b)
#define FFAEMU_FFA_YIELD FFAEMU_FFA_FID32(0x6c)
#define FFAEMU_FFA_YIELD_64 FFAEMU_FFA_FID64(0x6c)
#define FFAEMU_FFA_RUN FFAEMU_FFA_FID32(0x6d)
#define FFAEMU_FFA_RUN_64 FFAEMU_FFA_FID64(0x6d)
#define FFAEMU_FFA_MSG_SEND FFAEMU_FFA_FID32(0x6e)
#define FFAEMU_FFA_MSG_SEND_DIRECT_REQ FFAEMU_FFA_FID32(0x6f)
#define FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64 FFAEMU_FFA_FID64(0x6f)
#define FFAEMU_FFA_MSG_SEND_DIRECT_RESP FFAEMU_FFA_FID32(0x70)
#define FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64 FFAEMU_FFA_FID64(0x70)
#define FFAEMU_FFA_MEM_DONATE FFAEMU_FFA_FID32(0x71)
#define FFAEMU_FFA_MEM_DONATE_64 FFAEMU_FFA_FID64(0x71)
#define FFAEMU_FFA_MEM_LEND FFAEMU_FFA_FID32(0x72)
#define FFAEMU_FFA_MEM_LEND_64 FFAEMU_FFA_FID64(0x72)
#define FFAEMU_FFA_MEM_SHARE FFAEMU_FFA_FID32(0x73)
#define FFAEMU_FFA_MEM_SHARE_64 FFAEMU_FFA_FID64(0x73)
#define FFAEMU_FFA_MEM_RETRIEVE_REQ FFAEMU_FFA_FID32(0x74)
#define FFAEMU_FFA_MEM_RETRIEVE_REQ_64 FFAEMU_FFA_FID64(0x74)
#define FFAEMU_FFA_MEM_RETRIEVE_RESP FFAEMU_FFA_FID32(0x75)
#define FFAEMU_FFA_MEM_RELINQUISH FFAEMU_FFA_FID32(0x76)
#define FFAEMU_FFA_MEM_RECLAIM FFAEMU_FFA_FID32(0x77)
#define FFAEMU_FFA_MEM_OP_PAUSE FFAEMU_FFA_FID32(0x78)
#define FFAEMU_FFA_MEM_OP_RESUME FFAEMU_FFA_FID32(0x79)
#define FFAEMU_FFA_MEM_FRAG_RX FFAEMU_FFA_FID32(0x7a)
#define FFAEMU_FFA_MEM_FRAG_TX FFAEMU_FFA_FID32(0x7b)
#define FFAEMU_FFA_NORMAL_WORLD_RESUME FFAEMU_FFA_FID32(0x7c)
#define FFAEMU_FFA_NORMAL_WORLD_RESUME_64 FFAEMU_FFA_FID64(0x7c)
#define FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE FFAEMU_FFA_FID32(0x7d)
#define FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY FFAEMU_FFA_FID32(0x7e)
#define FFAEMU_FFA_NOTIFICATION_BIND FFAEMU_FFA_FID32(0x7f)
#define FFAEMU_FFA_NOTIFICATION_UNBIND FFAEMU_FFA_FID32(0x80)
#define FFAEMU_FFA_NOTIFICATION_SET FFAEMU_FFA_FID32(0x81)
#define FFAEMU_FFA_NOTIFICATION_GET FFAEMU_FFA_FID32(0x82)
#define FFAEMU_FFA_NOTIFICATION_INFO_GET FFAEMU_FFA_FID32(0x83)
#define FFAEMU_FFA_NOTIFICATION_INFO_GET_64 FFAEMU_FFA_FID64(0x83)
#define FFAEMU_FFA_RX_ACQUIRE FFAEMU_FFA_FID32(0x84)
#define FFAEMU_FFA_SPM_ID_GET FFAEMU_FFA_FID32(0x85)
#define FFAEMU_FFA_MSG_SEND2 FFAEMU_FFA_FID32(0x86)
#define FFAEMU_FFA_SECONDARY_EP_REGISTER FFAEMU_FFA_FID32(0x87)
#define FFAEMU_FFA_SECONDARY_EP_REGISTER_64 FFAEMU_FFA_FID64(0x87)
#define FFAEMU_FFA_MEM_PERM_GET FFAEMU_FFA_FID32(0x88)
#define FFAEMU_FFA_MEM_PERM_GET_64 FFAEMU_FFA_FID64(0x88)
#define FFAEMU_FFA_MEM_PERM_SET FFAEMU_FFA_FID32(0x89)
#define FFAEMU_FFA_MEM_PERM_SET_64 FFAEMU_FFA_FID64(0x89)
#define FFAEMU_FFA_CONSOLE_LOG FFAEMU_FFA_FID32(0x8a)
#define FFAEMU_FFA_CONSOLE_LOG_64 FFAEMU_FFA_FID64(0x8a)
#define FFAEMU_FFA_PARTITION_INFO_GET_REGS FFAEMU_FFA_FID64(0x8b)
#define FFAEMU_FFA_EL3_INTR_HANDLE FFAEMU_FFA_FID32(0x8c)
#define FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 FFAEMU_FFA_FID64(0x8d)
#define FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 FFAEMU_FFA_FID64(0x8e)
#define FFAEMU_FFA_NS_RES_INFO_GET FFAEMU_FFA_FID64(0x8f)
#define FFAEMU_FFA_ABORT FFAEMU_FFA_FID32(0x90)
#define FFAEMU_FFA_ABORT_64 FFAEMU_FFA_FID64(0x90)
#define FFAEMU_FFA_NOTIFICATION_BIND2 FFAEMU_FFA_FID64(0x94)
#define FFAEMU_FFA_NOTIFICATION_UNBIND2 FFAEMU_FFA_FID64(0x95)
#define FFAEMU_FFA_NOTIFICATION_SET2 FFAEMU_FFA_FID64(0x96)
#define FFAEMU_FFA_NOTIFICATION_GET2 FFAEMU_FFA_FID64(0x97)

/* Feature IDs for FFA_FEATURES with w1 bit 31 clear (spec C5.1). */
#define FFAEMU_FFA_FEATURE_NPI 1u
#define FFAEMU_FFA_FEATURE_SRI 2u
#define FFAEMU_FFA_FEATURE_MEI 3u
#define FFAEMU_FFA_FEATURE_NOTIF 4u /* v1.3 */

/* Callers (spec B2, C1.3) as a bitmask in struct ffaemu_abi.callers. */
#define FFAEMU_ABI_CALLER_NP (1u << 0)
#define FFAEMU_ABI_CALLER_NV (1u << 1)
#define FFAEMU_ABI_CALLER_SV (1u << 2)
#define FFAEMU_ABI_CALLER_SP (1u << 3)   /* secure physical: SPMC <-> SPMD */
#define FFAEMU_ABI_CALLER_RESP (1u << 4) /* appears as a reply */

/* Flags in struct ffaemu_abi.flags. */
#define FFAEMU_ABI_F_DEPRECATED (1u << 0) /* deprecated (MSG_SEND, MSG_POLL in 1.1) */
#define FFAEMU_ABI_F_RESPONSE (1u << 1)   /* a reply/status FID, not a request */
#define FFAEMU_ABI_F_UNCONFIRMED (1u << 2) /* layout UNCONFIRMED in the spec digest */

/*
 * One FF-A ABI (a row of spec C1). Register masks: bit n = xn.
 * args32/res32 describe the SMC32 form, args64/res64 the SMC64 form as of
 * the version that defines it (x8-x17 use per C1.4). A register inside the
 * call's convention range (x1-x7 for SMC32 or before v1.2, x1-x17 for SMC64
 * at v1.2+) that is not an argument is MBZ; likewise for results.
 */
struct ffaemu_abi {
	const char *name;       /* "FFA_MSG_SEND_DIRECT_REQ" (no _64 suffix) */
	uint32_t fid32;         /* 0 if there is no 32-bit form */
	uint32_t fid64;         /* 0 if there is no 64-bit form */
	uint32_t version;       /* FF-A version that introduced the ABI */
	uint32_t version64;     /* version that introduced fid64 (may be later) */
	uint32_t args32, args64;
	uint32_t res32, res64;  /* registers of the success reply (FFA_SUCCESS or own FID) */
	uint8_t callers;        /* FFAEMU_ABI_CALLER_* */
	uint8_t flags;          /* FFAEMU_ABI_F_* */
	const char *spec;       /* section: "DEN0077A 1.2 s13.2" */
};

/* O(1) lookup by function ID (the SVE hint is ignored). NULL if not FF-A. */
FFAEMU_API const struct ffaemu_abi *ffaemu_abi_by_fid(uint32_t fid);
/* By name: "FFA_RXTX_MAP", "FFA_RXTX_MAP_64", "RXTX_MAP", case-insensitive. */
FFAEMU_API const struct ffaemu_abi *ffaemu_abi_by_name(const char *name, uint32_t *fid_out);
FFAEMU_API size_t ffaemu_abi_count(void);
FFAEMU_API const struct ffaemu_abi *ffaemu_abi_at(size_t index);
/* True for OEN 4 fast calls with function number 0x60-0xEF (spec A3, G13). */
FFAEMU_API bool ffaemu_fid_is_ffa(uint32_t fid);
/* Registers that must be zero in a call of fid by an endpoint at ffa_version. */
FFAEMU_API uint32_t ffaemu_abi_args_mbz(const struct ffaemu_abi *abi, uint32_t fid,
					uint32_t ffa_version);
/* Registers that must be zero in the success reply to fid at ffa_version. */
FFAEMU_API uint32_t ffaemu_abi_results_mbz(const struct ffaemu_abi *abi, uint32_t fid,
					   uint32_t ffa_version);

FFAEMU_END_DECLS

#endif /* FFAEMU_ABI_H */
