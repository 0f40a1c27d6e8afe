/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FF-A ABI table (spec C1, C1.1, C1.3, C1.4), O(1) lookup by function
 * ID, lookup by name, MBZ register masks (spec C1.4, F) and the FF-A error
 * code names (spec C2).
 *
 * The table is one X-macro list so that the rows, the row enum and the
 * 256-entry function-number index are all generated at compile time from a
 * single source: no runtime-initialised statics.
 */
#include <string.h>

#include <ffa/abi.h>

#include "abi_priv.h"

/* Register masks: bit n = xn. */
#define X(n) (1u << (n))
#define R(a, b) ((((1u << ((b) + 1)) - 1u)) & ~((1u << (a)) - 1u))
#define W17 R(1, 7)  /* SMC32 convention (and SMC64 before v1.2): x1..x7 */
#define X117 R(1, 17) /* SMC64 convention from v1.2: x1..x17 (spec C1.4) */

#define V10 FFAEMU_FFA_1_0
#define V11 FFAEMU_FFA_1_1
#define V12 FFAEMU_FFA_1_2
#define V13 FFAEMU_FFA_1_3

#define NP FFAEMU_ABI_CALLER_NP
#define NV FFAEMU_ABI_CALLER_NV
#define SV FFAEMU_ABI_CALLER_SV
#define SP FFAEMU_ABI_CALLER_SP
#define RSP FFAEMU_ABI_CALLER_RESP
#define ALL (NP | NV | SV | SP)

#define DEP FFAEMU_ABI_F_DEPRECATED
#define RESP FFAEMU_ABI_F_RESPONSE
#define UNC FFAEMU_ABI_F_UNCONFIRMED

/*
 * Private per-row extras the public struct cannot express:
 *  - late_args / late_res: registers that only become arguments (results)
 *    at late_ver; below it they are MBZ (e.g. MSG_WAIT w2 flags, v1.2).
 *  - wide64 / wide64_ver: SMC64 registers added to both args and results
 *    at a later version (DIRECT_REQ_64/RESP_64 x8-x17 at v1.3, spec C1.4).
 */
#define NOEXT .late_args = 0
#define LATE(a, r, v) .late_args = (a), .late_res = (r), .late_ver = (v)
#define WIDE(m, v) .wide64 = (m), .wide64_ver = (v)

/*
 * One line per ABI (spec C1). Columns: function number, name, has 32-bit
 * FID, has 64-bit FID, version, version of the 64-bit FID, args32, args64,
 * res32, res64, callers, flags, section, extras.
 *
 * Conventions for result masks (res*): registers of the success reply
 * (FFA_SUCCESS or the ABI's own reply FID). Where the reply is "whatever
 * happens next" (RUN, MSG_WAIT, YIELD, DIRECT_RESP) or the layout is
 * UNCONFIRMED, the whole convention range is marked used so that nothing
 * is wrongly called MBZ. Replies that never come back (ABORT,
 * NORMAL_WORLD_RESUME) and pure response FIDs have res = 0.
 */
#define FFAEMU_ABI_LIST(_)                                                                   \
	/* spec C1, C3: status frames */                                                     \
	_(0x60, ERROR, 1, 1, V10, V13, R(1, 3), R(1, 3), 0, 0, RSP | SV | SP, RESP,          \
	  "DEN0077A; spec C1, C3", NOEXT)                                                    \
	_(0x61, SUCCESS, 1, 1, V10, V10, W17, X117, 0, 0, RSP, RESP, "DEN0077A; spec C1, C3", \
	  NOEXT)                                                                             \
	_(0x62, INTERRUPT, 1, 1, V10, V13, R(1, 2), R(1, 2), 0, 0, RSP | SP, RESP,           \
	  "DEN0077A; spec C1, C6", NOEXT)                                                    \
	/* spec C4, C5: setup and discovery */                                               \
	_(0x63, VERSION, 1, 0, V10, 0, R(1, 2), 0, 0, 0, ALL, 0, "DEN0077A s13.2; spec C4",  \
	  NOEXT)                                                                             \
	_(0x64, FEATURES, 1, 0, V10, 0, R(1, 2), 0, R(2, 3), 0, ALL, 0,                      \
	  "DEN0077A; spec C5.1", LATE(X(2), 0, V11))                                         \
	_(0x65, RX_RELEASE, 1, 0, V10, 0, X(1), 0, 0, 0, ALL, 0, "DEN0077A; spec C5.3",      \
	  LATE(X(1), 0, V11))                                                                \
	_(0x66, RXTX_MAP, 1, 1, V10, V10, R(1, 3), R(1, 3), 0, 0, NP | NV | SV, 0,           \
	  "DEN0077A; spec C5.3", NOEXT)                                                      \
	_(0x67, RXTX_UNMAP, 1, 0, V10, 0, X(1), 0, 0, 0, NP | NV | SV, 0,                    \
	  "DEN0077A; spec C5.3", NOEXT)                                                      \
	_(0x68, PARTITION_INFO_GET, 1, 0, V10, 0, R(1, 5), 0, R(2, 3), 0, NP | NV | SV, 0,   \
	  "DEN0077A; spec C5.4", LATE(0, X(3), V11))                                        \
	_(0x69, ID_GET, 1, 0, V10, 0, 0, 0, X(2), 0, ALL, 0, "DEN0077A; spec C5.2", NOEXT)   \
	/* spec C6, C7: CPU cycles and messaging */                                          \
	_(0x6a, MSG_POLL, 1, 0, V10, 0, 0, 0, W17, 0, NV | SV, DEP | UNC,                     \
	  "DEN0077A 1.0; spec C1, C7.4", NOEXT)                                              \
	_(0x6b, MSG_WAIT, 1, 1, V10, V13, X(2), X(2), W17, X117, SV | SP | NV | RSP, 0,     \
	  "DEN0077A; spec C6", LATE(X(2), 0, V12))                                           \
	_(0x6c, YIELD, 1, 1, V10, V13, R(1, 3), R(1, 3), W17, X117, SV | NV | RSP, 0,        \
	  "DEN0077A; spec C6", LATE(R(2, 3), 0, V11))                                        \
	_(0x6d, RUN, 1, 1, V10, V13, X(1), X(1), W17, X117, NP | NV, 0, "DEN0077A; spec C6", \
	  NOEXT)                                                                             \
	_(0x6e, MSG_SEND, 1, 0, V10, 0, X(1) | R(3, 4), 0, 0, 0, NV | SV, DEP | UNC,          \
	  "DEN0077A 1.0; spec C1, C7.4", NOEXT)                                              \
	_(0x6f, MSG_SEND_DIRECT_REQ, 1, 1, V10, V10, W17, W17, W17, W17, ALL, 0,             \
	  "DEN0077A; spec C7.1, C1.4", WIDE(R(8, 17), V13))                                  \
	_(0x70, MSG_SEND_DIRECT_RESP, 1, 1, V10, V10, W17, W17, W17, X117,                   \
	  SV | SP | NV | RSP, RESP, "DEN0077A; spec C7.1, C1.4", WIDE(R(8, 17), V13))        \
	/* spec C1, E1: memory management */                                                 \
	_(0x71, MEM_DONATE, 1, 1, V10, V10, R(1, 4), R(1, 4), R(2, 3), R(2, 3),              \
	  NP | NV | SV, 0, "DEN0077A; spec C1, E1", NOEXT)                                   \
	_(0x72, MEM_LEND, 1, 1, V10, V10, R(1, 4), R(1, 4), R(2, 3), R(2, 3), NP | NV | SV,  \
	  0, "DEN0077A; spec C1, E1", NOEXT)                                                 \
	_(0x73, MEM_SHARE, 1, 1, V10, V10, R(1, 4), R(1, 4), R(2, 3), R(2, 3), NP | NV | SV, \
	  0, "DEN0077A; spec C1, E1", NOEXT)                                                 \
	_(0x74, MEM_RETRIEVE_REQ, 1, 1, V10, V10, R(1, 4), R(1, 4), R(1, 2), R(1, 2),        \
	  NP | NV | SV, 0, "DEN0077A; spec C1, E1", NOEXT)                                   \
	_(0x75, MEM_RETRIEVE_RESP, 1, 0, V10, 0, R(1, 2), 0, 0, 0, RSP, RESP,                \
	  "DEN0077A; spec C1, E3", NOEXT)                                                    \
	_(0x76, MEM_RELINQUISH, 1, 0, V10, 0, 0, 0, 0, 0, NV | SV, 0, "DEN0077A; spec C1, D8", \
	  NOEXT)                                                                             \
	_(0x77, MEM_RECLAIM, 1, 0, V10, 0, R(1, 3), 0, 0, 0, NP | NV | SV, 0,                \
	  "DEN0077A; spec C1, E1", NOEXT)                                                    \
	_(0x78, MEM_OP_PAUSE, 1, 0, V10, 0, R(1, 2), 0, 0, 0, RSP | NP, RESP | UNC,           \
	  "DEN0077A 1.0; spec C1, H", NOEXT)                                                 \
	_(0x79, MEM_OP_RESUME, 1, 0, V10, 0, R(1, 2), 0, 0, 0, NP, UNC,                       \
	  "DEN0077A 1.0; spec C1, H", NOEXT)                                                 \
	_(0x7a, MEM_FRAG_RX, 1, 0, V10, 0, R(1, 4), 0, R(1, 4), 0, ALL | RSP, 0,              \
	  "DEN0077A; spec C1, E2, E3", NOEXT)                                                \
	_(0x7b, MEM_FRAG_TX, 1, 0, V10, 0, R(1, 4), 0, R(1, 4), 0, ALL | RSP, 0,              \
	  "DEN0077A; spec C1, E2, E3", NOEXT)                                                \
	_(0x7c, NORMAL_WORLD_RESUME, 1, 1, V10, V13, 0, 0, 0, 0, SP, 0,                        \
	  "DEN0077A; spec C1, C6", NOEXT)                                                    \
	/* spec C8: notifications (v1.1) */                                                  \
	_(0x7d, NOTIFICATION_BITMAP_CREATE, 1, 0, V11, 0, R(1, 2), 0, 0, 0, NP, 0,            \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	_(0x7e, NOTIFICATION_BITMAP_DESTROY, 1, 0, V11, 0, X(1), 0, 0, 0, NP, 0,              \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	_(0x7f, NOTIFICATION_BIND, 1, 0, V11, 0, R(1, 4), 0, 0, 0, NP | NV | SV, 0,           \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	_(0x80, NOTIFICATION_UNBIND, 1, 0, V11, 0, X(1) | R(3, 4), 0, 0, 0, NP | NV | SV, 0,  \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	_(0x81, NOTIFICATION_SET, 1, 0, V11, 0, R(1, 4), 0, 0, 0, NP | NV | SV, 0,            \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	_(0x82, NOTIFICATION_GET, 1, 0, V11, 0, R(1, 2), 0, R(2, 7), 0, NP | NV | SV, 0,      \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	_(0x83, NOTIFICATION_INFO_GET, 1, 1, V11, V11, 0, 0, R(2, 7), R(2, 7), NP | NV, 0,    \
	  "DEN0077A 1.1; spec C8", NOEXT)                                                    \
	/* spec C5, C6, E4: other v1.1 ABIs */                                               \
	_(0x84, RX_ACQUIRE, 1, 0, V11, 0, X(1), 0, 0, 0, NP, 0, "DEN0077A 1.1; spec C5.3",    \
	  NOEXT)                                                                             \
	_(0x85, SPM_ID_GET, 1, 0, V11, 0, 0, 0, X(2), 0, NP | SV | SP, 0,                     \
	  "DEN0077A 1.1; spec C5.2", NOEXT)                                                  \
	_(0x86, MSG_SEND2, 1, 0, V11, 0, R(1, 2), 0, 0, 0, NP | NV | SV, 0,                   \
	  "DEN0077A 1.1; spec C7.4", LATE(X(2), 0, V12))                                     \
	_(0x87, SECONDARY_EP_REGISTER, 1, 1, V11, V11, X(1), X(1), 0, 0, SV | SP, 0,         \
	  "DEN0077A 1.1; spec C6", NOEXT)                                                    \
	_(0x88, MEM_PERM_GET, 1, 1, V11, V11, R(1, 2), R(1, 2), R(2, 3), R(2, 3), SV, 0,      \
	  "DEN0077A 1.1; spec C1, E4", LATE(X(2), X(3), V13))                                \
	_(0x89, MEM_PERM_SET, 1, 1, V11, V11, R(1, 3), R(1, 3), 0, 0, SV, 0,                  \
	  "DEN0077A 1.1; spec C1, E4", NOEXT)                                                \
	/* spec C5.5, C7.3, C9: v1.2 */                                                      \
	_(0x8a, CONSOLE_LOG, 1, 1, V12, V12, W17, X117, 0, 0, SV | SP, 0,                    \
	  "DEN0077A 1.2; spec C9, C1.4", NOEXT)                                              \
	_(0x8b, PARTITION_INFO_GET_REGS, 0, 1, V12, V12, 0, R(1, 3), 0, R(2, 17), ALL, 0,    \
	  "DEN0077A 1.2; spec C5.5, D2", NOEXT)                                              \
	_(0x8c, EL3_INTR_HANDLE, 1, 0, V12, 0, 0, 0, 0, 0, SP, 0, "DEN0077A 1.2; spec C9",    \
	  NOEXT)                                                                             \
	_(0x8d, MSG_SEND_DIRECT_REQ2, 0, 1, V12, V12, 0, X117, 0, X(1) | R(4, 17),           \
	  NP | NV | SV, 0, "DEN0077A 1.2; spec C7.3", NOEXT)                                 \
	_(0x8e, MSG_SEND_DIRECT_RESP2, 0, 1, V12, V12, 0, X(1) | R(4, 17), 0, X117,          \
	  SV | NV | RSP, RESP, "DEN0077A 1.2; spec C7.3", NOEXT)                             \
	/* spec C9, D13, H: v1.3 */                                                          \
	_(0x8f, NS_RES_INFO_GET, 0, 1, V13, V13, 0, R(1, 2), 0, X117, NP, UNC,                \
	  "DEN0077A 1.3; spec C9, D13", NOEXT)                                               \
	_(0x90, ABORT, 1, 1, V13, V13, W17, X117, 0, 0, SV | SP, UNC,                        \
	  "DEN0077A 1.3 ALP2; spec C6", NOEXT)                                               \
	_(0x94, NOTIFICATION_BIND2, 0, 1, V13, V13, 0, X117, 0, X117, NP | NV | SV, UNC,      \
	  "DEN0077A 1.3; spec C8, H", NOEXT)                                                 \
	_(0x95, NOTIFICATION_UNBIND2, 0, 1, V13, V13, 0, X117, 0, X117, NP | NV | SV, UNC,    \
	  "DEN0077A 1.3; spec C8, H", NOEXT)                                                 \
	_(0x96, NOTIFICATION_SET2, 0, 1, V13, V13, 0, X117, 0, X117, NP | NV | SV, UNC,       \
	  "DEN0077A 1.3; spec C8, H", NOEXT)                                                 \
	_(0x97, NOTIFICATION_GET2, 0, 1, V13, V13, 0, X117, 0, X117, NP | NV | SV, UNC,       \
	  "DEN0077A 1.3; spec C8, H", NOEXT)

struct abi_row {
	struct ffaemu_abi abi;
	uint32_t late_args, late_res, late_ver;
	uint32_t wide64, wide64_ver;
};

#define ABI_ENUM(fn, id, h32, h64, ver, ver64, a32, a64, r32, r64, who, fl, sec, ext) \
	ABI_ROW_##id,
enum { FFAEMU_ABI_LIST(ABI_ENUM) ABI_ROWS };

#define ABI_ROW(fn, id, h32, h64, ver, ver64, a32, a64, r32, r64, who, fl, sec, ext)   \
	[ABI_ROW_##id] = {                                                               \
		.abi = {                                                                 \
			.name = "FFA_" #id,                                              \
			.fid32 = (h32) ? FFAEMU_FFA_FID32(fn) : 0u,                      \
			.fid64 = (h64) ? FFAEMU_FFA_FID64(fn) : 0u,                      \
			.version = (ver),                                                \
			.version64 = (h64) ? (uint32_t)(ver64) : 0u,                     \
			.args32 = (h32) ? (uint32_t)(a32) : 0u,                          \
			.args64 = (h64) ? (uint32_t)(a64) : 0u,                          \
			.res32 = (h32) ? (uint32_t)(r32) : 0u,                           \
			.res64 = (h64) ? (uint32_t)(r64) : 0u,                           \
			.callers = (uint8_t)(who),                                       \
			.flags = (uint8_t)(fl),                                          \
			.spec = (sec),                                                   \
		},                                                                       \
		ext,                                                                     \
	},
static const struct abi_row abi_rows[ABI_ROWS] = {FFAEMU_ABI_LIST(ABI_ROW)};

/* Function number -> row + 1 (0 = no ABI); FF-A owns 0x60-0xEF of OEN 4 (spec A3). */
#define ABI_INDEX(fn, id, h32, h64, ver, ver64, a32, a64, r32, r64, who, fl, sec, ext) \
	[fn] = ABI_ROW_##id + 1,
static const uint8_t abi_index[256] = {FFAEMU_ABI_LIST(ABI_INDEX)};

_Static_assert(ABI_ROWS < 255, "abi_index stores row + 1 in a byte");

/* Function number -> the ABI (NULL = none), for the inline lookup in abi_priv.h. */
#define ABI_BY_FN(fn, id, h32, h64, ver, ver64, a32, a64, r32, r64, who, fl, sec, ext) \
	[fn] = &abi_rows[ABI_ROW_##id].abi,
const struct ffaemu_abi *const abi_by_fn[256] = {FFAEMU_ABI_LIST(ABI_BY_FN)};

/* SMCCC >= 1.3 SVE live-state hint (spec A1, G12): ignored when decoding. */
#define SMCCC_SVE_HINT 0x00010000u
/* Fast call, OEN 4, bits 23:17 and 15:8 zero; bit 30 (width) is free. */
#define FFA_FID_FIXED_MASK 0xbfffff00u
#define FFA_FID_FIXED_VAL 0x84000000u
#define SMCCC_64 0x40000000u

static const struct abi_row *row_by_fid(uint32_t fid)
{
	uint32_t f = fid & ~SMCCC_SVE_HINT;
	uint8_t i;
	const struct abi_row *row;

	if ((f & FFA_FID_FIXED_MASK) != FFA_FID_FIXED_VAL)
		return NULL;
	i = abi_index[f & 0xffu];
	if (i == 0)
		return NULL;
	row = &abi_rows[i - 1];
	/* A width the ABI does not define is not that ABI (spec C1.1). */
	if ((f & SMCCC_64) ? row->abi.fid64 == 0 : row->abi.fid32 == 0)
		return NULL;
	return row;
}

const struct ffaemu_abi *ffaemu_abi_by_fid(uint32_t fid)
{
	return abi_lookup(fid);
}

size_t ffaemu_abi_count(void)
{
	return ABI_ROWS;
}

const struct ffaemu_abi *ffaemu_abi_at(size_t index)
{
	return index < ABI_ROWS ? &abi_rows[index].abi : NULL;
}

bool ffaemu_fid_is_ffa(uint32_t fid)
{
	return abi_fid_is_ffa(fid);
}

/* ASCII only: toupper() follows the locale (Turkish 'i'), names do not. */
static char upper_ascii(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		if (upper_ascii(*s) != *prefix)
			return false;
	}
	return true;
}

static bool equal_ci_n(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		if (b[i] == '\0' || upper_ascii(a[i]) != b[i])
			return false;
	}
	return b[alen] == '\0';
}

/*
 * Accepted spellings: [FFA_][FN64_]NAME[_32|_64], case-insensitive.
 * "FFA_FN64_" is Linux's spelling of the 64-bit form.
 */
const struct ffaemu_abi *ffaemu_abi_by_name(const char *name, uint32_t *fid_out)
{
	const char *s;
	size_t len, i;
	int width = 0; /* 0 = any (32-bit preferred), 32, 64 */

	if (!name)
		return NULL;
	s = name;
	if (prefix_ci(s, "FFA_"))
		s += 4;
	if (prefix_ci(s, "FN64_")) {
		s += 5;
		width = 64;
	}
	len = strlen(s);
	if (len > 3 && s[len - 3] == '_' && s[len - 2] == '6' && s[len - 1] == '4') {
		if (width == 32)
			return NULL;
		width = 64;
		len -= 3;
	} else if (len > 3 && s[len - 3] == '_' && s[len - 2] == '3' && s[len - 1] == '2') {
		if (width == 64)
			return NULL;
		width = 32;
		len -= 3;
	}
	if (len == 0)
		return NULL;
	for (i = 0; i < ABI_ROWS; i++) {
		const struct ffaemu_abi *abi = &abi_rows[i].abi;
		uint32_t fid;

		if (!equal_ci_n(s, len, abi->name + 4))
			continue;
		if (width == 64)
			fid = abi->fid64;
		else if (width == 32)
			fid = abi->fid32;
		else
			fid = abi->fid32 ? abi->fid32 : abi->fid64;
		if (fid == 0)
			return NULL;
		if (fid_out)
			*fid_out = fid;
		return abi;
	}
	return NULL;
}

/* The row behind abi for fid, or NULL if fid is not one of abi's FIDs. */
static const struct abi_row *row_for(const struct ffaemu_abi *abi, uint32_t fid,
				     struct abi_row *scratch)
{
	const struct abi_row *row = row_by_fid(fid);
	uint32_t f = fid & ~SMCCC_SVE_HINT;

	if (!abi)
		return row;
	if (row && &row->abi == abi)
		return row;
	/* A caller-built struct: use its masks without the private extras. */
	if (f == 0 || (f != abi->fid32 && f != abi->fid64))
		return NULL;
	memset(scratch, 0, sizeof(*scratch));
	scratch->abi = *abi;
	return scratch;
}

/* Convention range (spec C1.4, F): x1-x7, or x1-x17 for SMC64 at v1.2+. */
static uint32_t convention_range(bool is64, uint32_t ffa_version)
{
	return (is64 && ffa_version >= FFAEMU_FFA_1_2) ? X117 : W17;
}

static uint32_t used_mask(const struct abi_row *row, bool is64, uint32_t ffa_version,
			  bool results)
{
	uint32_t used;

	if (results)
		used = is64 ? row->abi.res64 : row->abi.res32;
	else
		used = is64 ? row->abi.args64 : row->abi.args32;
	if (row->late_ver && ffa_version < row->late_ver)
		used &= ~(results ? row->late_res : row->late_args);
	if (is64 && row->wide64_ver && ffa_version >= row->wide64_ver)
		used |= row->wide64;
	return used;
}

static uint32_t mbz_mask(const struct ffaemu_abi *abi, uint32_t fid, uint32_t ffa_version,
			 bool results)
{
	struct abi_row scratch;
	const struct abi_row *row = row_for(abi, fid, &scratch);
	bool is64 = (fid & SMCCC_64) != 0;

	if (!row)
		return 0;
	return convention_range(is64, ffa_version) & ~used_mask(row, is64, ffa_version, results);
}

uint32_t ffaemu_abi_args_mbz(const struct ffaemu_abi *abi, uint32_t fid, uint32_t ffa_version)
{
	return mbz_mask(abi, fid, ffa_version, false);
}

uint32_t ffaemu_abi_results_mbz(const struct ffaemu_abi *abi, uint32_t fid, uint32_t ffa_version)
{
	return mbz_mask(abi, fid, ffa_version, true);
}

/* ---- Error codes (spec C2) ---- */

static const struct {
	const char *name;
	const char *text;
} ffa_errors[] = {
	/* index = -code */
	{NULL, NULL},
	{"NOT_SUPPORTED", "not supported"},
	{"INVALID_PARAMETERS", "invalid parameters"},
	{"NO_MEMORY", "no memory"},
	{"BUSY", "busy"},
	{"INTERRUPTED", "interrupted"},
	{"DENIED", "denied"},
	{"RETRY", "retry"},
	{"ABORTED", "aborted"},
	{"NO_DATA", "no data"},
	{"NOT_READY", "not ready"},
};

_Static_assert(sizeof(ffa_errors) / sizeof(ffa_errors[0]) == 1 - FFAEMU_FFA_ERROR_MIN,
	       "ffa_errors must name every FF-A error code");

const char *ffaemu_ffa_error_name(int32_t code)
{
	if (code >= 0 || code < FFAEMU_FFA_ERROR_MIN)
		return NULL;
	return ffa_errors[-code].name;
}

const char *ffaemu_ffa_error_str(int32_t code)
{
	if (code >= 0 || code < FFAEMU_FFA_ERROR_MIN)
		return "unknown error";
	return ffa_errors[-code].text;
}

int ffaemu_ffa_error_parse(const char *text, int32_t *out)
{
	const char *s;
	int32_t code;

	if (!text || !out)
		return FFAEMU_EINVAL;
	if (text[0] == '-') {
		long v = 0;

		s = text + 1;
		if (*s == '\0')
			return FFAEMU_EPARSE;
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || v > 100)
				return FFAEMU_EPARSE;
			v = v * 10 + (*s - '0');
		}
		if (v < 1 || v > -FFAEMU_FFA_ERROR_MIN)
			return FFAEMU_EPARSE;
		*out = (int32_t)-v;
		return FFAEMU_OK;
	}
	s = text;
	if (prefix_ci(s, "FFA_"))
		s += 4;
	for (code = -1; code >= FFAEMU_FFA_ERROR_MIN; code--) {
		const char *n = ffa_errors[-code].name;

		if (equal_ci_n(s, strlen(s), n)) {
			*out = code;
			return FFAEMU_OK;
		}
	}
	return FFAEMU_EPARSE;
}
