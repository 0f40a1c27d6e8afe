/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance rules. Each rule judges one side of one completed call
 * from what the wire shows (registers in and out, the edge's findings) and
 * the per-caller protocol state the checker tracks. IDs are stable: a rule
 * that changes meaning gets a new ID.
 */
#include <string.h>

#include <ffa/abi.h>
#include <ffa/smccc.h>

#include "check_priv.h"
#include "abi_priv.h"
#include "smccc_priv.h"

#define E FFAEMU_CHECK_ERROR
#define W FFAEMU_CHECK_WARNING
#define I FFAEMU_CHECK_INFO
#define CALLER FFAEMU_CHECK_CALLER
#define CALLEE FFAEMU_CHECK_CALLEE

const struct ffaemu_check_rule chk_catalogue[CHK_RULE_COUNT] = {
	[CHK_SMCCC_FID_001] = {"SMCCC-FID-001",
			       "A fast-call function ID has reserved bits 23:17 clear",
			       "DEN0028 s2.5; spec A1", E, CALLER},
	[CHK_SMCCC_FID_002] = {"SMCCC-FID-002",
			       "An AArch32 caller does not use an SMC64 function ID",
			       "DEN0028 s2.5; spec A8", E, CALLER},
	[CHK_SMCCC_IMM_001] = {"SMCCC-IMM-001", "The SMC/HVC immediate is zero",
			       "DEN0028 s2.1; spec A10 (XEN-VSMC)", E, CALLER},
	[CHK_SMCCC_PRES_001] = {"SMCCC-PRES-001",
				"Registers the SMCCC version preserves come back unchanged",
				"DEN0028 s2.6; spec A7", E, CALLEE},
	[CHK_SMCCC_W32_001] = {"SMCCC-W32-001",
			       "SMC32 results are W registers, zero-extended (bits [63:32] clear)",
			       "DEN0028 s2.5; spec A8", E, CALLEE},
	[CHK_SMCCC_RES_001] = {"SMCCC-RES-001",
			       "Every call reaches a callee (an empty conduit answers NOT_SUPPORTED)",
			       "DEN0028 s5.2; spec A10", I, CALLEE},
	[CHK_SMCCC_VER_001] = {"SMCCC-VER-001",
			       "SMCCC_VERSION returns a version >= 1.1 with bit 31 clear, or -1",
			       "DEN0028 s7.2; spec A4, A5", E, CALLEE},
	[CHK_FFA_MBZ_ARG_001] = {"FFA-MBZ-ARG-001",
				 "Argument registers the ABI does not use are zero",
				 "DEN0077A 1.2 s11; spec C1, C1.4, F", E, CALLER},
	[CHK_FFA_VER_001] = {"FFA-VER-001",
			     "FFA_VERSION is negotiated before any other FF-A ABI is called",
			     "DEN0077A 1.2 s13.2.1; spec C4", W, CALLER},
	[CHK_FFA_VER_002] = {"FFA-VER-002",
			     "FFA_VERSION requests a version word with bit 31 clear",
			     "DEN0077A 1.2 s13.2; spec C4", E, CALLER},
	[CHK_FFA_VER_003] = {"FFA-VER-003",
			     "FFA_VERSION after negotiation ended asks for the version already "
			     "negotiated",
			     "DEN0077A 1.2 s13.2.1; spec C4 (HF-HND, TFA-SPMD)", W, CALLER},
	[CHK_FFA_WIDTH_001] = {"FFA-WIDTH-001",
			       "An SMC64-only ABI is not called with a 32-bit function ID",
			       "DEN0077A 1.2 s13; spec C1.1", E, CALLER},
	[CHK_FFA_WIDTH_002] = {"FFA-WIDTH-002",
			       "An ABI without a 64-bit form at the version in force is not called "
			       "with a 64-bit function ID",
			       "DEN0077A 1.2 s13; spec C1.1", E, CALLER},
	[CHK_FFA_ABI_001] = {"FFA-ABI-001",
			     "An ABI is not called at a negotiated version older than the one that "
			     "introduced it",
			     "DEN0077A 1.2 s13.2; spec C1", W, CALLER},
	[CHK_FFA_DIRECT_001] = {"FFA-DIRECT-001",
				"A direct request's w2 is 0 (partition message) or bit 31 with a "
				"type in [7:0] (framework message)",
				"DEN0077A 1.2 s15.2; spec C7.1, C7.2, G9", E, CALLER},
	[CHK_FFA_DIRECT_002] = {"FFA-DIRECT-002",
				"A direct request's sender and receiver differ",
				"DEN0077A 1.2 s15.2; spec C7.1", E, CALLER},
	[CHK_FFA_DIRECT_003] = {"FFA-DIRECT-003",
				"At a virtual instance a direct request's sender is the caller itself",
				"DEN0077A 1.2 s15.2; spec B2, C7.1", E, CALLER},
	[CHK_FFA_CONS_001] = {"FFA-CONS-001",
			      "FFA_CONSOLE_LOG carries 1..24 (SMC32), 1..48 or, from v1.2, 1..128 "
			      "(SMC64) characters",
			      "DEN0077A 1.2 s13.11; spec C9", E, CALLER},
	[CHK_FFA_RXTX_001] = {"FFA-RXTX-001",
			      "FFA_RXTX_MAP names distinct 4 KiB-aligned TX and RX buffers and a "
			      "non-zero page count",
			      "DEN0077A 1.2 s13.6; spec C5.3, G1", E, CALLER},
	[CHK_FFA_MBZ_RES_001] = {"FFA-MBZ-RES-001",
				 "Result registers the ABI does not define are zero in its success "
				 "reply",
				 "DEN0077A 1.2 s11; spec C3, F", E, CALLEE},
	[CHK_FFA_ERR_001] = {"FFA-ERR-001",
			     "FFA_ERROR w3-w7 are zero (w3 may carry RETRY's argument from "
			     "FFA_CONSOLE_LOG)",
			     "DEN0077A 1.2 s12.1; spec C1, C3", E, CALLEE},
	[CHK_FFA_ERR_002] = {"FFA-ERR-002",
			     "FFA_ERROR w1 (target information) is zero unless it names the vCPU of "
			     "an FFA_RUN",
			     "DEN0077A 1.2 s12.1; spec B3, C3", W, CALLEE},
	[CHK_FFA_ERR_003] = {"FFA-ERR-003", "An FFA_ERROR code is one of -1..-10",
			     "DEN0077A 1.2 s12.2; spec C2", E, CALLEE},
	[CHK_FFA_ERR_004] = {"FFA-ERR-004",
			     "An FF-A function ID other than FFA_VERSION is answered with FFA_ERROR, "
			     "never the bare SMCCC -1",
			     "DEN0077A 1.2 s12; spec A10 (TFA-SPMD, HF-HND)", E, CALLEE},
	[CHK_FFA_VER_004] = {"FFA-VER-004",
			     "FFA_VERSION is answered with a bare version word or -1 in w0, never an "
			     "FFA_SUCCESS/FFA_ERROR frame",
			     "DEN0077A 1.2 s13.2; spec C4, G2", E, CALLEE},
	[CHK_FFA_VER_005] = {"FFA-VER-005",
			     "An FFA_VERSION reply is a version word with bit 31 clear, or exactly -1",
			     "DEN0077A 1.2 s13.2; spec C4", E, CALLEE},
	[CHK_FFA_VER_006] = {"FFA-VER-006", "An FFA_VERSION reply leaves w1-w7 zero",
			     "DEN0077A 1.2 s13.2; spec C4 (TFA-SPMD)", E, CALLEE},
	[CHK_FFA_REPLY_001] = {"FFA-REPLY-001",
			       "The reply is FFA_SUCCESS, FFA_ERROR or a reply the ABI defines "
			       "(DIRECT_REQ -> DIRECT_RESP/INTERRUPT/YIELD, ...)",
			       "DEN0077A 1.2 s13-s16; spec C1, C6, C7.1, E1-E3", E, CALLEE},
	[CHK_FFA_REPLY_002] = {"FFA-REPLY-002",
			       "A direct response has the width of its request",
			       "DEN0077A 1.2 s15.2; spec C1.2", E, CALLEE},
	[CHK_FFA_REPLY_003] = {"FFA-REPLY-003",
			       "A framework direct request gets a framework response and a partition "
			       "request a partition response",
			       "DEN0077A 1.2 s15.3; spec C1.2, C7.2 (HF-DOC)", E, CALLEE},
	[CHK_FFA_DIRECT_004] = {"FFA-DIRECT-004",
				"A direct response comes from the request's receiver and goes to its "
				"sender",
				"DEN0077A 1.2 s15.2; spec C7.1, C7.3", E, CALLEE},
	[CHK_FFA_DIRECT_005] = {"FFA-DIRECT-005",
				"FFA_MSG_SEND_DIRECT_RESP2 has x2 and x3 zero",
				"DEN0077A 1.2 s15.4; spec C7.3, G9", E, CALLEE},
	[CHK_FFA_RX_001] = {"FFA-RX-001",
			    "An ABI that fills the caller's RX buffer does not succeed while that "
			    "buffer is still full (BUSY)",
			    "DEN0077A 1.2 s6.2.2; spec C5.3, G8", E, CALLEE},
	[CHK_FFA_RX_002] = {"FFA-RX-002",
			    "FFA_RX_RELEASE does not succeed when the caller's RX buffer is not full "
			    "(DENIED)",
			    "DEN0077A 1.2 s13.8; spec C5.3 (HF-API)", W, CALLEE},
	[CHK_FFA_PINFO_001] = {"FFA-PINFO-001",
			       "FFA_PARTITION_INFO_GET w3 is the descriptor size of the caller's "
			       "version: 0 for v1.0 and count-only, 24 for v1.1/v1.2, 48 for v1.3",
			       "DEN0077A 1.2 s13.9; spec C5.4, D1, G3", E, CALLEE},
	[CHK_FFA_PIREGS_001] = {"FFA-PIREGS-001",
				"FFA_PARTITION_INFO_GET_REGS succeeds with the 64-bit FFA_SUCCESS",
				"DEN0077A 1.2 s13.10; spec C3, C5.5", E, CALLEE},
	[CHK_FFA_PIREGS_002] = {"FFA-PIREGS-002",
				"FFA_PARTITION_INFO_GET_REGS x2 has current index <= last index and "
				"the descriptor size of the caller's version",
				"DEN0077A 1.2 s13.10; spec C5.5, D2", E, CALLEE},
	[CHK_FFA_MEM_001] = {"FFA-MEM-001",
			     "A memory handle is not accepted after it was reclaimed",
			     "DEN0140 1.2 s1.9; spec E1, E2, D9", E, CALLEE},
	[CHK_FFA_MEM_002] = {"FFA-MEM-002",
			     "A memory transaction never gets the invalid handle 0xffffffffffffffff",
			     "DEN0140 1.2; spec D9", E, CALLEE},
	[CHK_FFA_MEM_003] = {"FFA-MEM-003",
			     "A new memory transaction's handle is not one still in use",
			     "DEN0077A 1.1 s10.9.2; spec D9", E, CALLEE},
	[CHK_FFA_ID_001] = {"FFA-ID-001",
			    "FFA_ID_GET returns ID 0 to a non-secure caller at the NS physical "
			    "instance",
			    "DEN0077A 1.2 s13.4; spec B2, C5.2", E, CALLEE},
	[CHK_FFA_ID_002] = {"FFA-ID-002",
			    "FFA_ID_GET returns an ID whose bit 15 matches the caller's world",
			    "DEN0077A 1.2 s4.4; spec B2 (convention)", W, CALLEE},
	[CHK_FFA_FEAT_001] = {"FFA-FEAT-001",
			      "FFA_FEATURES(FFA_RXTX_MAP) reports a defined minimum size code, "
			      "bits [15:2] zero, and no maximum size to callers before v1.2",
			      "DEN0077A 1.2 s13.3; spec C5.1", E, CALLEE},
	[CHK_FFA_RXTX_002] = {"FFA-RXTX-002",
			      "FFA_RXTX_MAP does not succeed while the caller has a pair mapped "
			      "(DENIED)",
			      "DEN0077A 1.2 s13.6; spec C5.3", E, CALLEE},
	[CHK_FFA_RXTX_003] = {"FFA-RXTX-003",
			      "FFA_RXTX_UNMAP does not succeed when no pair is mapped "
			      "(INVALID_PARAMETERS)",
			      "DEN0077A 1.2 s13.7; spec C1, C5.3", W, CALLEE},
	[CHK_FFA_DIRECT_006] = {"FFA-DIRECT-006",
				"A non-secure caller's direct request does not name a secure "
				"(bit 15) sender",
				"DEN0077A 1.2 s15.2; spec B2, C1.3 (TFA-SPMD)", E, CALLER},
	[CHK_FFA_MEM_004] = {"FFA-MEM-004",
			     "A memory send or retrieve request gives a non-zero total length, a "
			     "fragment no longer than it, and a retrieve request in one fragment",
			     "DEN0140 1.2; spec C1, E1, E2, E3", E, CALLER},
	[CHK_FFA_FEAT_002] = {"FFA-FEAT-002",
			      "FFA_FEATURES with w1 bit 31 clear names a feature ID in [7:0] with "
			      "bits [30:8] zero",
			      "DEN0077A 1.2 s13.3; spec C5.1", E, CALLER},
	[CHK_FFA_MEM_005] = {"FFA-MEM-005",
			     "FFA_MEM_FRAG_RX during a fragmented send reports in w3 the bytes "
			     "received so far",
			     "DEN0140 1.2; spec E2, G6", E, CALLEE},
	[CHK_FFA_NOTIF_001] = {"FFA-NOTIF-001",
			       "FFA_NOTIFICATION_INFO_GET's ID lists fit the registers (10 IDs for "
			       "SMC32, 20 for SMC64) and its reserved and unused size bits are zero",
			       "DEN0077A 1.2 s14.8; spec C8", E, CALLEE},
	[CHK_FFA_NOTIF_002] = {"FFA-NOTIF-002",
			       "FFA_NOTIFICATION_INFO_GET with nothing pending answers NO_DATA, not "
			       "an empty FFA_SUCCESS",
			       "DEN0077A 1.2 s14.8; spec C8", W, CALLEE},
};

/* ---- helpers ---- */

static uint32_t fid_of(const struct ffaemu_regs *r)
{
	return ffaemu_fid_strip_hint(ffaemu_regs_w(r, 0));
}

static bool fid_is64(uint32_t fid)
{
	return (fid & FFAEMU_SMCCC_SMC64) != 0;
}

/* The part of xn the call's convention defines: W for SMC32 (spec A8). */
static uint64_t val(const struct ffaemu_regs *r, unsigned n, bool is64)
{
	return is64 ? r->x[n] : (uint64_t)ffaemu_regs_w(r, n);
}

static uint32_t nonzero(const struct ffaemu_regs *r, uint32_t mask, bool is64)
{
	/* The part val() reads: W for SMC32 (spec A8). One pass, no branch per register. */
	const uint64_t vm = is64 ? ~0ull : 0xffffffffull;
	uint32_t bad = 0;

	mask &= FFAEMU_REGS_ALL;
	for (unsigned n = 0; n < FFAEMU_NREGS && (mask >> n) != 0; n++)
		bad |= (uint32_t)((r->x[n] & vm) != 0) << n;
	return bad & mask;
}

static int first_reg(uint32_t mask)
{
	for (int n = 0; n < FFAEMU_NREGS; n++)
		if (mask & FFAEMU_REG(n))
			return n;
	return 0;
}

static bool is_fid(uint32_t fid, uint32_t f32, uint32_t f64)
{
	return fid == f32 || (f64 && fid == f64);
}

static bool is_success(uint32_t w0)
{
	return w0 == FFAEMU_FFA_SUCCESS || w0 == FFAEMU_FFA_SUCCESS_64;
}

static bool is_error(uint32_t w0)
{
	return w0 == FFAEMU_FFA_ERROR || w0 == FFAEMU_FFA_ERROR_64;
}

static bool is_direct_req(uint32_t fid)
{
	return is_fid(fid, FFAEMU_FFA_MSG_SEND_DIRECT_REQ, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64);
}

static bool is_direct_resp(uint32_t fid)
{
	return is_fid(fid, FFAEMU_FFA_MSG_SEND_DIRECT_RESP, FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
}

static bool is_mem_send(uint32_t fid)
{
	return is_fid(fid, FFAEMU_FFA_MEM_DONATE, FFAEMU_FFA_MEM_DONATE_64) ||
	       is_fid(fid, FFAEMU_FFA_MEM_LEND, FFAEMU_FFA_MEM_LEND_64) ||
	       is_fid(fid, FFAEMU_FFA_MEM_SHARE, FFAEMU_FFA_MEM_SHARE_64);
}

static bool is_retrieve(uint32_t fid)
{
	return is_fid(fid, FFAEMU_FFA_MEM_RETRIEVE_REQ, FFAEMU_FFA_MEM_RETRIEVE_REQ_64);
}

/* Function numbers of the FIDs reply_is_next_event lists (either width). */
static const bool next_event_fn[256] = {
	[FFAEMU_FFA_MSG_WAIT & 0xffu] = true,
	[FFAEMU_FFA_YIELD & 0xffu] = true,
	[FFAEMU_FFA_NORMAL_WORLD_RESUME & 0xffu] = true,
	[FFAEMU_FFA_ABORT & 0xffu] = true,
	[FFAEMU_FFA_MSG_POLL & 0xffu] = true,
	[FFAEMU_FFA_MSG_SEND & 0xffu] = true,
	[FFAEMU_FFA_MEM_OP_PAUSE & 0xffu] = true,
	[FFAEMU_FFA_MEM_OP_RESUME & 0xffu] = true,
};
_Static_assert((FFAEMU_FFA_MSG_WAIT_64 & 0xffu) == (FFAEMU_FFA_MSG_WAIT & 0xffu) &&
		       (FFAEMU_FFA_YIELD_64 & 0xffu) == (FFAEMU_FFA_YIELD & 0xffu) &&
		       (FFAEMU_FFA_NORMAL_WORLD_RESUME_64 & 0xffu) ==
			       (FFAEMU_FFA_NORMAL_WORLD_RESUME & 0xffu) &&
		       (FFAEMU_FFA_ABORT_64 & 0xffu) == (FFAEMU_FFA_ABORT & 0xffu),
	       "a 64-bit FID has the function number of its 32-bit form");

/*
 * ABIs whose call is itself a reply or a "give up the CPU": no reply to
 * judge. abi is abi_lookup(fid), which the callers hold already.
 */
static bool reply_is_next_event(const struct ffaemu_abi *abi, uint32_t fid)
{
	if (abi && (abi->flags & FFAEMU_ABI_F_RESPONSE))
		return true;
	/*
	 * Most calls are none of these: their function number (the low byte,
	 * the same at both widths) is not in the set, which one load shows.
	 */
	if (!next_event_fn[fid & 0xffu])
		return false;
	switch (fid) {
	case FFAEMU_FFA_MSG_WAIT:
	case FFAEMU_FFA_MSG_WAIT_64:
	case FFAEMU_FFA_YIELD:
	case FFAEMU_FFA_YIELD_64:
	case FFAEMU_FFA_NORMAL_WORLD_RESUME:
	case FFAEMU_FFA_NORMAL_WORLD_RESUME_64:
	case FFAEMU_FFA_ABORT:
	case FFAEMU_FFA_ABORT_64:
	case FFAEMU_FFA_MSG_POLL:
	case FFAEMU_FFA_MSG_SEND:
	case FFAEMU_FFA_MEM_OP_PAUSE:
	case FFAEMU_FFA_MEM_OP_RESUME:
		return true;
	default:
		return false;
	}
}

/* Replies a call may get besides FFA_ERROR (spec C1, C6, C7.1, C7.3, E1-E3). */
static bool reply_allowed(uint32_t call, uint32_t reply)
{
	if (is_direct_req(call))
		return is_direct_resp(reply) || reply == FFAEMU_FFA_INTERRUPT ||
		       reply == FFAEMU_FFA_YIELD;
	if (call == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2)
		return reply == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 || reply == FFAEMU_FFA_INTERRUPT ||
		       reply == FFAEMU_FFA_YIELD;
	if (is_fid(call, FFAEMU_FFA_RUN, FFAEMU_FFA_RUN_64))
		return is_direct_resp(reply) || reply == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 ||
		       is_fid(reply, FFAEMU_FFA_MSG_WAIT, FFAEMU_FFA_MSG_WAIT_64) ||
		       is_fid(reply, FFAEMU_FFA_YIELD, FFAEMU_FFA_YIELD_64) ||
		       is_fid(reply, FFAEMU_FFA_INTERRUPT, FFAEMU_FFA_INTERRUPT_64) ||
		       is_success(reply);
	if (is_mem_send(call) || call == FFAEMU_FFA_MEM_FRAG_TX)
		return is_success(reply) || reply == FFAEMU_FFA_MEM_FRAG_RX;
	if (is_retrieve(call))
		return reply == FFAEMU_FFA_MEM_RETRIEVE_RESP;
	if (call == FFAEMU_FFA_MEM_FRAG_RX)
		return reply == FFAEMU_FFA_MEM_FRAG_TX;
	return is_success(reply);
}

/*
 * ver == 0 below means "unknown": the checker joined the edge after calls
 * it did not see, so the caller may have negotiated any version. Then only
 * what holds at every version is judged: a register is MBZ only if it is
 * MBZ at 1.0, 1.1, 1.2 and 1.3.
 */
static uint32_t mbz_mask(const struct ffaemu_abi *abi, uint32_t fid, uint32_t ver, bool results)
{
	static const uint32_t all[] = {FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2,
				       FFAEMU_FFA_1_3};
	uint32_t m = FFAEMU_REGS_ALL;

	if (ver)
		return results ? ffaemu_abi_results_mbz(abi, fid, ver)
			       : ffaemu_abi_args_mbz(abi, fid, ver);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		m &= results ? ffaemu_abi_results_mbz(abi, fid, all[i])
			     : ffaemu_abi_args_mbz(abi, fid, all[i]);
	return m;
}

/* A cache miss of mbz_cached: compute the mask and its lanes. */
static uint32_t mbz_fill(struct chk_caller *st, const struct ffaemu_abi *abi, uint32_t fid,
			 uint32_t ver, unsigned i)
{
	uint32_t m = mbz_mask(abi, fid, ver, i != 0);
	const uint64_t vm = fid_is64(fid) ? ~0ull : 0xffffffffull;

	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		st->mbz_lane[i][n] = ((m >> n) & 1u) ? vm : 0;
	st->mbz_val[i] = m;
	st->mbz_fid[i] = fid;
	st->mbz_ver[i] = ver;
	return m;
}

/* mbz_mask for the ABI of fid, remembered per caller: the same call repeats. */
static inline uint32_t mbz_cached(struct chk_caller *st, const struct ffaemu_abi *abi,
				  uint32_t fid, uint32_t ver, bool results)
{
	unsigned i = results ? 1 : 0;

	if (st->mbz_fid[i] != fid || st->mbz_ver[i] != ver || !fid)
		return mbz_fill(st, abi, fid, ver, i);
	return st->mbz_val[i];
}

/*
 * nonzero() for a mask within the cached mbz_val[i] of the same FID: one
 * unconditional pass over the lanes (the compiler vectorises it) settles
 * the usual all-zero case; only a hit pays for the per-register answer.
 */
static inline uint32_t nonzero_mbz(const struct chk_caller *st, unsigned i, const struct ffaemu_regs *r,
			    uint32_t mask, bool is64)
{
	uint64_t any = 0;

	if (!mask)
		return 0;
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		any |= r->x[n] & st->mbz_lane[i][n];
	return any ? nonzero(r, mask, is64) : 0;
}

static bool edge_synthesised(const struct ffaemu_trace_record *rec)
{
	return (rec->violations & (FFAEMU_EDGE_V_NO_CALLEE | FFAEMU_EDGE_V_AARCH32_SMC64)) != 0;
}

/* ---- SMCCC rules: every call ---- */

static void check_smccc(struct chk_sink *s, const struct ffaemu_trace_record *rec)
{
	uint32_t raw = ffaemu_regs_w(&rec->in, 0);
	struct ffaemu_fid f;
	uint32_t upper;

	/*
	 * The usual call: reserved bits clear, no immediate, nothing the edge
	 * flagged or restored, not SMCCC_VERSION. No rule below can fire.
	 */
	if (!((raw & FFAEMU_SMCCC_RESERVED_MASK) | rec->violations | rec->preserved_changed |
	      rec->smc32_upper | rec->imm) &&
	    ffaemu_fid_strip_hint(raw) != FFAEMU_SMCCC_VERSION_FID)
		return;
	f = smccc_fid_decode(raw);

	/* Reserved bits of a fast call make it unknown (DEN0028 s2.5; spec A1, TFA-RT). */
	if (f.fast && !f.legacy && f.reserved)
		chk_report(s, CHK_SMCCC_FID_001, rec, FFAEMU_REG(0), 0,
			   "w0=0x%08x has bits 23:17 = 0x%x", (unsigned)raw, (unsigned)f.reserved);
	if (rec->violations & FFAEMU_EDGE_V_AARCH32_SMC64)
		chk_report(s, CHK_SMCCC_FID_002, rec, FFAEMU_REG(0), 0,
			   "AArch32 caller used SMC64 ID 0x%08x", (unsigned)raw);
	if (rec->imm && rec->conduit != FFAEMU_CONDUIT_SVC)
		chk_report(s, CHK_SMCCC_IMM_001, rec, 0, 0, "immediate #%u", (unsigned)rec->imm);
	if (rec->preserved_changed)
		chk_report(s, CHK_SMCCC_PRES_001, rec, 0, rec->preserved_changed,
			   "callee changed preserved registers 0x%05x (restored by the edge)",
			   (unsigned)rec->preserved_changed);
	/*
	 * Only what the callee wrote is a result: a register it left alone keeps
	 * the caller's upper half (all 64 bits reach the callee, spec A8; an
	 * undefined result register is preserved, spec A7). A register that
	 * comes back exactly as it went in is taken as untouched.
	 */
	upper = rec->smc32_upper;
	for (unsigned n = 0; upper && n < FFAEMU_NREGS; n++)
		if (rec->out.x[n] == rec->in.x[n])
			upper &= ~FFAEMU_REG(n);
	if (upper)
		chk_report(s, CHK_SMCCC_W32_001, rec, 0, upper,
			   "SMC32 results with bits [63:32] set: 0x%05x", (unsigned)upper);
	if (rec->violations & FFAEMU_EDGE_V_NO_CALLEE)
		chk_report(s, CHK_SMCCC_RES_001, rec, 0, FFAEMU_REG(0), "no callee behind %s",
			   s->cur.edge);
	if (f.id == FFAEMU_SMCCC_VERSION_FID && !edge_synthesised(rec)) {
		uint32_t v = ffaemu_regs_w(&rec->out, 0);

		if ((int32_t)v != -1 && ((v & 0x80000000u) || v < FFAEMU_SMCCC_1_1))
			chk_report(s, CHK_SMCCC_VER_001, rec, 0, FFAEMU_REG(0),
				   "SMCCC_VERSION returned 0x%08x", (unsigned)v);
	}
}

/* ---- FF-A caller rules ---- */

/*
 * A secure partition calling on its own conduit: its FF-A version comes from
 * its manifest, not from FFA_VERSION (spec C4; HF-DOC), so it may call any
 * ABI without negotiating first.
 */
static bool is_partition(const struct ffaemu_trace_record *rec)
{
	return rec->secure && (rec->caller & 0x8000u) && rec->instance == FFAEMU_INSTANCE_SV;
}

static void check_caller(struct chk_sink *s, struct chk_caller *st,
			 const struct ffaemu_trace_record *rec, const struct ffaemu_abi *abi,
			 uint32_t fid, uint32_t ver, bool joined_late, bool direct)
{
	const struct ffaemu_regs *in = &rec->in;
	bool is64 = fid_is64(fid);

	/* spec C1.1: an SMC64-only ABI has no 32-bit FID; a 32-bit-only one no 64-bit FID. */
	if (!abi) {
		const struct ffaemu_abi *other = abi_lookup(fid ^ FFAEMU_SMCCC_SMC64);

		if (other && !is64 && other->fid32 == 0 && other->fid64 == (fid | FFAEMU_SMCCC_SMC64))
			chk_report(s, CHK_FFA_WIDTH_001, rec, FFAEMU_REG(0), 0,
				   "%s exists only as SMC64 (0x%08x)", other->name,
				   (unsigned)other->fid64);
		else if (other && is64 && other->fid64 == 0 &&
			 other->fid32 == (fid & ~FFAEMU_SMCCC_SMC64))
			chk_report(s, CHK_FFA_WIDTH_002, rec, FFAEMU_REG(0), 0,
				   "%s exists only as SMC32 (0x%08x)", other->name,
				   (unsigned)other->fid32);
		return;
	}
	if (is64 && abi->fid32 && s->cur.ffa_version && abi->version64 > s->cur.ffa_version) {
		char vb[16];

		chk_report(s, CHK_FFA_WIDTH_002, rec, FFAEMU_REG(0), 0,
			   "the 64-bit %s arrived in v%s", abi->name,
			   ffaemu_version_format(abi->version64, vb, sizeof(vb)));
	}

	if (fid == FFAEMU_FFA_VERSION) {
		uint32_t req = ffaemu_regs_w(in, 1);

		if (!ffaemu_ffa_version_valid(req))
			chk_report(s, CHK_FFA_VER_002, rec, FFAEMU_REG(1), 0,
				   "requested 0x%08x has bit 31 set", (unsigned)req);
		/* After negotiation only the same version is answered (spec C4; HF-HND). */
		else if (st->ended && st->requested_set && req != st->requested)
			chk_report(s, CHK_FFA_VER_003, rec, FFAEMU_REG(1), 0,
				   "asked for 0x%08x after negotiating 0x%08x", (unsigned)req,
				   (unsigned)st->requested);
	} else if (!s->cur.ffa_version && !joined_late && !reply_is_next_event(abi, fid) &&
		   !is_partition(rec)) {
		/* pKVM refuses these, Xen answers NOT_SUPPORTED (spec C4, UNCONFIRMED). */
		chk_report(s, CHK_FFA_VER_001, rec, FFAEMU_REG(0), 0,
			   "%s before FFA_VERSION", abi->name);
	}

	if (s->cur.ffa_version && abi->version > s->cur.ffa_version) {
		char vb[16], vc[16];

		chk_report(s, CHK_FFA_ABI_001, rec, FFAEMU_REG(0), 0, "%s is v%s, caller is v%s",
			   abi->name, ffaemu_version_format(abi->version, vb, sizeof(vb)),
			   ffaemu_version_format(s->cur.ffa_version, vc, sizeof(vc)));
	}

	{
		/* abi is abi_lookup(fid) (chk_evaluate): a function of fid. */
		uint32_t mbz = mbz_cached(st, abi, fid, ver, false);
		uint32_t bad = nonzero_mbz(st, 0, in, mbz, is64);

		if (bad) {
			int n = first_reg(bad);

			chk_report(s, CHK_FFA_MBZ_ARG_001, rec, bad, 0,
				   "x%d=0x%llx must be zero (MBZ mask 0x%05x)", n,
				   (unsigned long long)val(in, (unsigned)n, is64), (unsigned)mbz);
		}
	}

	if (direct) {
		ffaemu_id_t snd = ffaemu_regs_id_hi(in, 1), rcv = ffaemu_regs_id_lo(in, 1);

		if (is_direct_req(fid)) {
			uint32_t w2 = ffaemu_regs_w(in, 2);

			/* spec C7.1/C7.2: flags are bit 31 plus a framework type in [7:0]. */
			if ((w2 & ~0x800000ffu) || ((w2 & 0xffu) && !(w2 & 0x80000000u)))
				chk_report(s, CHK_FFA_DIRECT_001, rec, FFAEMU_REG(2), 0,
					   "w2=0x%08x", (unsigned)w2);
		}
		if (snd == rcv)
			chk_report(s, CHK_FFA_DIRECT_002, rec, FFAEMU_REG(1), 0,
				   "sender = receiver = 0x%04x", snd);
		else if (!rec->secure && (snd & 0x8000u))
			chk_report(s, CHK_FFA_DIRECT_006, rec, FFAEMU_REG(1), 0,
				   "non-secure caller sends as 0x%04x", snd);
		else if ((rec->instance == FFAEMU_INSTANCE_NV ||
			  rec->instance == FFAEMU_INSTANCE_SV) && snd != rec->caller)
			chk_report(s, CHK_FFA_DIRECT_003, rec, FFAEMU_REG(1), 0,
				   "sender 0x%04x, caller 0x%04x", snd, rec->caller);
		return; /* no rule below names a direct request */
	}

	if (fid == FFAEMU_FFA_FEATURES) {
		uint32_t q = ffaemu_regs_w(in, 1);

		if (!(q & 0x80000000u) && (q & 0x7fffff00u))
			chk_report(s, CHK_FFA_FEAT_002, rec, FFAEMU_REG(1), 0,
				   "w1=0x%08x: feature ID with bits [30:8] set", (unsigned)q);
	}

	if (is_mem_send(fid) || is_retrieve(fid)) {
		uint32_t total = ffaemu_regs_w(in, 1), frag = ffaemu_regs_w(in, 2);

		/* spec E1-E3: fragment <= total; retrieve requests are never fragmented. */
		if (total == 0 || frag > total || (is_retrieve(fid) && frag != total))
			chk_report(s, CHK_FFA_MEM_004, rec, FFAEMU_REG_RANGE(1, 2), 0,
				   "total=%u fragment=%u", (unsigned)total, (unsigned)frag);
	}

	if (is_fid(fid, FFAEMU_FFA_CONSOLE_LOG, FFAEMU_FFA_CONSOLE_LOG_64)) {
		uint32_t count = ffaemu_regs_w(in, 1) & 0xffu;
		uint32_t max = !is64 ? 24 : ((!ver || ver >= FFAEMU_FFA_1_2) ? 128 : 48);

		if (count == 0 || count > max)
			chk_report(s, CHK_FFA_CONS_001, rec, FFAEMU_REG(1), 0,
				   "%u characters, allowed 1..%u", (unsigned)count, (unsigned)max);
	}

	if (is_fid(fid, FFAEMU_FFA_RXTX_MAP, FFAEMU_FFA_RXTX_MAP_64)) {
		uint64_t tx = val(in, 1, is64), rx = val(in, 2, is64);
		uint32_t pages = ffaemu_regs_w(in, 3);

		/* x1 = x2 = w3 = 0 is the hypervisor's form for a VM (spec C5.3, D12). */
		if (!(tx == 0 && rx == 0 && pages == 0) &&
		    (pages == 0 || tx == rx || (tx & 0xfffu) || (rx & 0xfffu)))
			chk_report(s, CHK_FFA_RXTX_001, rec, FFAEMU_REG_RANGE(1, 3), 0,
				   "tx=0x%llx rx=0x%llx pages=%u", (unsigned long long)tx,
				   (unsigned long long)rx, (unsigned)pages);
	}
}

/* ---- FF-A callee rules ---- */

static uint32_t result_regs(const struct ffaemu_trace_record *rec, bool is64)
{
	struct ffaemu_smccc_regclass rc = smccc_regclass(rec->smccc_version, is64);

	/* Only registers the callee wrote back; poison is the edge's, not the callee's. */
	return rc.results & ~rec->poisoned;
}

static void check_version_reply(struct chk_sink *s, const struct ffaemu_trace_record *rec)
{
	uint32_t w0 = ffaemu_regs_w(&rec->out, 0);

	if (abi_fid_is_ffa(ffaemu_fid_strip_hint(w0))) {
		chk_report(s, CHK_FFA_VER_004, rec, 0, FFAEMU_REG(0), "w0=0x%08x is an FF-A frame",
			   (unsigned)w0);
		return;
	}
	if ((w0 & 0x80000000u) && (int32_t)w0 != -1)
		chk_report(s, CHK_FFA_VER_005, rec, 0, FFAEMU_REG(0), "w0=0x%08x", (unsigned)w0);
	{
		uint64_t any = 0;
		uint32_t bad = 0;

		/* x1-x7 all zero in W is the usual answer; only then look per register. */
		for (unsigned n = 1; n <= 7; n++)
			any |= rec->out.x[n];
		if (any & 0xffffffffull)
			bad = nonzero(&rec->out, FFAEMU_REG_RANGE(1, 7) & result_regs(rec, false),
				      false);

		if (bad)
			chk_report(s, CHK_FFA_VER_006, rec, 0, bad, "x%d=0x%x", first_reg(bad),
				   (unsigned)ffaemu_regs_w(&rec->out, (unsigned)first_reg(bad)));
	}
}

static void check_error_frame(struct chk_sink *s, const struct ffaemu_trace_record *rec,
			      uint32_t call)
{
	const struct ffaemu_regs *out = &rec->out;
	int32_t code = ffaemu_regs_s32(out, 2);
	uint32_t mbz = FFAEMU_REG_RANGE(3, 7);
	uint32_t bad;

	/* w3 carries RETRY's argument from CONSOLE_LOG only (spec C1, C3). */
	if (code == FFAEMU_FFA_RETRY &&
	    is_fid(call, FFAEMU_FFA_CONSOLE_LOG, FFAEMU_FFA_CONSOLE_LOG_64))
		mbz &= ~FFAEMU_REG(3);
	bad = nonzero(out, mbz & result_regs(rec, false), false);
	if (bad)
		chk_report(s, CHK_FFA_ERR_001, rec, 0, bad, "FFA_ERROR x%d=0x%x", first_reg(bad),
			   (unsigned)ffaemu_regs_w(out, (unsigned)first_reg(bad)));
	if (ffaemu_regs_w(out, 1) && !is_fid(call, FFAEMU_FFA_RUN, FFAEMU_FFA_RUN_64))
		chk_report(s, CHK_FFA_ERR_002, rec, 0, FFAEMU_REG(1), "FFA_ERROR w1=0x%08x",
			   (unsigned)ffaemu_regs_w(out, 1));
	if (code > -1 || code < FFAEMU_FFA_ERROR_MIN)
		chk_report(s, CHK_FFA_ERR_003, rec, 0, FFAEMU_REG(2), "error code %d", (int)code);
}

static bool fills_rx(uint32_t call, const struct ffaemu_trace_record *rec, uint32_t ver)
{
	if (call == FFAEMU_FFA_PARTITION_INFO_GET)
		/* Count-only (w5 bit 0, v1.1+) leaves RX alone (spec C5.4). */
		return !((!ver || ver >= FFAEMU_FFA_1_1) && (ffaemu_regs_w(&rec->in, 5) & 1u));
	return is_retrieve(call) || call == FFAEMU_FFA_MEM_FRAG_RX;
}

static bool rx_fill_succeeded(uint32_t call, uint32_t reply)
{
	if (call == FFAEMU_FFA_PARTITION_INFO_GET)
		return is_success(reply);
	if (call == FFAEMU_FFA_MEM_FRAG_RX)
		return reply == FFAEMU_FFA_MEM_FRAG_TX;
	return reply == FFAEMU_FFA_MEM_RETRIEVE_RESP;
}

/*
 * The reply to a direct request: reply_allowed's answer for it (spec C7.1,
 * C7.3), then the rules on the response. No success frame is allowed, so
 * the success-frame MBZ rule never applies.
 */
static void check_direct_reply(struct chk_sink *s, const struct ffaemu_trace_record *rec,
			       const struct ffaemu_abi *abi, uint32_t call, uint32_t reply)
{
	const struct ffaemu_regs *in = &rec->in, *out = &rec->out;
	bool req2 = call == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	bool resp = req2 ? reply == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 : is_direct_resp(reply);

	if (!resp && reply != FFAEMU_FFA_INTERRUPT && reply != FFAEMU_FFA_YIELD) {
		char nb[16];

		chk_report(s, CHK_FFA_REPLY_001, rec, 0, FFAEMU_REG(0), "%s answered with %s",
			   abi->name, trc_fid_name(ffaemu_regs_w(out, 0), nb, sizeof(nb)));
		return;
	}
	if (!resp)
		return;
	/* A DIRECT_RESP keeps its request's width and message kind (spec C1.2, C7.2). */
	if (!req2) {
		if (fid_is64(call) != fid_is64(reply))
			chk_report(s, CHK_FFA_REPLY_002, rec, 0, FFAEMU_REG(0),
				   "request 0x%08x, response 0x%08x", (unsigned)call, (unsigned)reply);
		if ((ffaemu_regs_w(in, 2) ^ ffaemu_regs_w(out, 2)) & 0x80000000u)
			chk_report(s, CHK_FFA_REPLY_003, rec, 0, FFAEMU_REG(2),
				   "request w2=0x%08x, response w2=0x%08x",
				   (unsigned)ffaemu_regs_w(in, 2), (unsigned)ffaemu_regs_w(out, 2));
	}
	if (ffaemu_regs_id_hi(out, 1) != ffaemu_regs_id_lo(in, 1) ||
	    ffaemu_regs_id_lo(out, 1) != ffaemu_regs_id_hi(in, 1))
		chk_report(s, CHK_FFA_DIRECT_004, rec, 0, FFAEMU_REG(1),
			   "request 0x%04x->0x%04x, response 0x%04x->0x%04x",
			   ffaemu_regs_id_hi(in, 1), ffaemu_regs_id_lo(in, 1),
			   ffaemu_regs_id_hi(out, 1), ffaemu_regs_id_lo(out, 1));
	if (reply == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 && (out->x[2] || out->x[3]))
		chk_report(s, CHK_FFA_DIRECT_005, rec, 0,
			   (out->x[2] ? FFAEMU_REG(2) : 0) | (out->x[3] ? FFAEMU_REG(3) : 0),
			   "x2=0x%llx x3=0x%llx", (unsigned long long)out->x[2],
			   (unsigned long long)out->x[3]);
}

/* joined_late: calls to this callee may have gone unseen (its state may be stale). */
static void check_callee(struct chk_sink *s, struct chk_caller *st,
			 const struct ffaemu_trace_record *rec, const struct ffaemu_abi *abi,
			 uint32_t call, uint32_t ver, bool joined_late, bool direct)
{
	const struct ffaemu_regs *in = &rec->in, *out = &rec->out;
	uint32_t reply = fid_of(out);
	bool is64 = fid_is64(call);
	bool ok;

	if (call == FFAEMU_FFA_VERSION) {
		check_version_reply(s, rec);
		return;
	}
	if (ffaemu_regs_s32(out, 0) == -1 && !abi_fid_is_ffa(reply)) {
		/* spec A10: FF-A IDs get FFA_ERROR(NOT_SUPPORTED); -1 is for SMCCC. */
		chk_report(s, CHK_FFA_ERR_004, rec, 0, FFAEMU_REG(0), "bare -1 for %s",
			   abi ? abi->name : "an FF-A ID");
		return;
	}
	if (is_error(reply)) {
		check_error_frame(s, rec, call);
		return;
	}
	if (!abi)
		return;
	/* Not a next-event ABI (no RESPONSE flag, not listed), no success frame to judge. */
	if (direct) {
		check_direct_reply(s, rec, abi, call, reply);
		return;
	}
	if (reply_is_next_event(abi, call))
		return;
	if (!reply_allowed(call, reply)) {
		char nb[16];

		chk_report(s, CHK_FFA_REPLY_001, rec, 0, FFAEMU_REG(0), "%s answered with %s",
			   abi->name, trc_fid_name(ffaemu_regs_w(out, 0), nb, sizeof(nb)));
		return;
	}

	/* Success-frame MBZ (spec C3, F); replies with payload are judged by their own rules. */
	if ((is_success(reply) && !is_fid(call, FFAEMU_FFA_RUN, FFAEMU_FFA_RUN_64) &&
	     call != FFAEMU_FFA_MEM_FRAG_TX) ||
	    reply == FFAEMU_FFA_MEM_RETRIEVE_RESP) {
		uint32_t mbz = mbz_cached(st, abi, call, ver, true);
		uint32_t bad = nonzero_mbz(st, 1, out, mbz & result_regs(rec, is64), is64);

		if (bad)
			chk_report(s, CHK_FFA_MBZ_RES_001, rec, 0, bad,
				   "%s reply x%d=0x%llx must be zero", abi->name, first_reg(bad),
				   (unsigned long long)val(out, (unsigned)first_reg(bad), is64));
	}

	if (is_fid(call, FFAEMU_FFA_NOTIFICATION_INFO_GET, FFAEMU_FFA_NOTIFICATION_INFO_GET_64) &&
	    is_success(reply)) {
		/* spec C8: [6:1] reserved, [11:7] lists, 2 bits of vCPU count per list from 12. */
		uint64_t w = val(out, 2, is64);
		unsigned fields = is64 ? 20 : 10, max_ids = is64 ? 20 : 10;
		unsigned lists = (unsigned)((w >> 7) & 0x1fu), ids = lists;
		uint64_t used = (0x1full << 7) | 1u; /* more-pending bit and list count */

		for (unsigned i = 0; i < lists && i < fields; i++) {
			ids += (unsigned)((w >> (12 + 2 * i)) & 3u);
			used |= 3ull << (12 + 2 * i);
		}
		if (lists == 0)
			chk_report(s, CHK_FFA_NOTIF_002, rec, 0, FFAEMU_REG(2),
				   "FFA_SUCCESS with no ID lists");
		else if (lists > fields || ids > max_ids ||
			 (w & ~used & (is64 ? UINT64_MAX : 0xffffffffull)))
			chk_report(s, CHK_FFA_NOTIF_001, rec, 0, FFAEMU_REG(2),
				   "x2=0x%llx: %u lists, %u IDs (max %u)", (unsigned long long)w,
				   lists, ids, max_ids);
	}

	/* RX ownership (spec C5.3, G8). */
	if (fills_rx(call, rec, ver) && st->rx_full && rx_fill_succeeded(call, reply))
		chk_report(s, CHK_FFA_RX_001, rec, 0, FFAEMU_REG(0),
			   "%s succeeded while the caller's RX was full", abi->name);
	if (call == FFAEMU_FFA_RX_RELEASE && ffaemu_regs_w(in, 1) == 0 && is_success(reply) &&
	    !st->rx_full)
		chk_report(s, CHK_FFA_RX_002, rec, 0, FFAEMU_REG(0),
			   "RX_RELEASE succeeded with the RX not full");

	ok = is_success(reply);
	if (call == FFAEMU_FFA_PARTITION_INFO_GET && ok && ver) {
		uint32_t size = ffaemu_regs_w(out, 3), want;
		bool count_only = ver >= FFAEMU_FFA_1_1 && (ffaemu_regs_w(in, 5) & 1u);

		/* spec C5.4, D1: v1.0 has no size; count-only reports 0. */
		if (ver < FFAEMU_FFA_1_1 || count_only)
			want = 0;
		else if (ver < FFAEMU_FFA_1_3)
			want = 24;
		else
			want = 48;
		if (size != want && ver <= FFAEMU_FFA_1_3)
			chk_report(s, CHK_FFA_PINFO_001, rec, 0, FFAEMU_REG(3),
				   "w3=%u, caller's layout needs %u", (unsigned)size, (unsigned)want);
	}
	if (call == FFAEMU_FFA_PARTITION_INFO_GET_REGS && ok) {
		uint64_t x2 = out->x[2];
		unsigned last = (unsigned)(x2 & 0xffffu), cur = (unsigned)((x2 >> 16) & 0xffffu);
		unsigned size = (unsigned)(x2 >> 48), want = ver >= FFAEMU_FFA_1_3 ? 48 : 24;

		if (reply != FFAEMU_FFA_SUCCESS_64)
			chk_report(s, CHK_FFA_PIREGS_001, rec, 0, FFAEMU_REG(0),
				   "answered with the 32-bit FFA_SUCCESS");
		else if (cur > last || (ver >= FFAEMU_FFA_1_2 && ver <= FFAEMU_FFA_1_3 && size != want))
			chk_report(s, CHK_FFA_PIREGS_002, rec, 0, FFAEMU_REG(2),
				   "last=%u current=%u size=%u (want %u)", last, cur, size, want);
	}

	if (call == FFAEMU_FFA_ID_GET && ok) {
		ffaemu_id_t id = ffaemu_regs_id_lo(out, 2);

		if (rec->instance == FFAEMU_INSTANCE_NP && !rec->secure) {
			if (id != 0)
				chk_report(s, CHK_FFA_ID_001, rec, 0, FFAEMU_REG(2), "ID 0x%04x", id);
		} else if (((id & 0x8000u) != 0) != rec->secure) {
			chk_report(s, CHK_FFA_ID_002, rec, 0, FFAEMU_REG(2), "%s caller got ID 0x%04x",
				   rec->secure ? "secure" : "non-secure", id);
		}
	}

	if (call == FFAEMU_FFA_FEATURES && ok) {
		uint32_t q = ffaemu_fid_strip_hint(ffaemu_regs_w(in, 1));
		uint32_t w2 = ffaemu_regs_w(out, 2);

		/* spec C5.1: [1:0] size code (3 reserved), [15:2] MBZ, [31:16] max (v1.2+). */
		if ((q == FFAEMU_FFA_RXTX_MAP || q == FFAEMU_FFA_RXTX_MAP_64) &&
		    ((w2 & 3u) == 3u || (w2 & 0xfffcu) || (ver && ver < FFAEMU_FFA_1_2 && (w2 >> 16))))
			chk_report(s, CHK_FFA_FEAT_001, rec, 0, FFAEMU_REG(2), "w2=0x%08x",
				   (unsigned)w2);
	}

	if (is_fid(call, FFAEMU_FFA_RXTX_MAP, FFAEMU_FFA_RXTX_MAP_64) && ok && st->mapped &&
	    !(val(in, 1, is64) == 0 && val(in, 2, is64) == 0 && ffaemu_regs_w(in, 3) == 0))
		chk_report(s, CHK_FFA_RXTX_002, rec, 0, FFAEMU_REG(0),
			   "RXTX_MAP succeeded with a pair already mapped");
	/* A MAP the checker did not see may explain the pair (spec C5.3). */
	if (call == FFAEMU_FFA_RXTX_UNMAP && ok && ffaemu_regs_w(in, 1) == 0 && !st->mapped &&
	    !joined_late)
		chk_report(s, CHK_FFA_RXTX_003, rec, 0, FFAEMU_REG(0),
			   "RXTX_UNMAP succeeded with no pair mapped");
}

/* Memory handles (spec D9, E1-E3): new ones must be fresh, reclaimed ones dead. */
static void check_handles(struct chk_sink *s, const struct ffaemu_trace_record *rec, uint32_t call)
{
	const struct ffaemu_regs *in = &rec->in, *out = &rec->out;
	uint32_t reply = fid_of(out);
	struct chk_handle *h;

	if (is_mem_send(call) && (is_success(reply) || reply == FFAEMU_FFA_MEM_FRAG_RX)) {
		/* SUCCESS carries the handle in w2/w3, FRAG_RX in w1/w2 (spec G5). */
		uint64_t handle = is_success(reply) ? ffaemu_regs_handle(out, 2)
						    : ffaemu_regs_handle(out, 1);

		if (handle == UINT64_MAX) {
			chk_report(s, CHK_FFA_MEM_002, rec, 0,
				   is_success(reply) ? FFAEMU_REG_RANGE(2, 3) : FFAEMU_REG_RANGE(1, 2),
				   "invalid handle returned");
			return;
		}
		h = chk_handle_find(s, s->cur.key, handle);
		if (h && !h->reclaimed)
			chk_report(s, CHK_FFA_MEM_003, rec, 0,
				   is_success(reply) ? FFAEMU_REG_RANGE(2, 3) : FFAEMU_REG_RANGE(1, 2),
				   "handle 0x%llx is still in use", (unsigned long long)handle);
		if (reply == FFAEMU_FFA_MEM_FRAG_RX &&
		    ffaemu_regs_w(out, 3) != ffaemu_regs_w(in, 2))
			chk_report(s, CHK_FFA_MEM_005, rec, 0, FFAEMU_REG(3),
				   "offset %u after a first fragment of %u",
				   (unsigned)ffaemu_regs_w(out, 3), (unsigned)ffaemu_regs_w(in, 2));
		if (!h)
			h = chk_handle_add(s, s->cur.key, handle);
		if (h) {
			h->reclaimed = false;
			h->sending = reply == FFAEMU_FFA_MEM_FRAG_RX;
			h->received = ffaemu_regs_w(out, 3);
		}
		return;
	}
	if (call == FFAEMU_FFA_MEM_FRAG_TX) {
		h = chk_handle_find(s, s->cur.key, ffaemu_regs_handle(in, 1));
		if (h && h->sending && !h->reclaimed) {
			/* FRAG_RX w3 is cumulative; FRAG_TX w3 is this fragment's length (spec G6). */
			uint32_t want = h->received + ffaemu_regs_w(in, 3);

			if (reply == FFAEMU_FFA_MEM_FRAG_RX && ffaemu_regs_w(out, 3) != want)
				chk_report(s, CHK_FFA_MEM_005, rec, 0, FFAEMU_REG(3),
					   "offset %u, expected %u", (unsigned)ffaemu_regs_w(out, 3),
					   (unsigned)want);
			h->received = want;
			h->sending = reply == FFAEMU_FFA_MEM_FRAG_RX;
		}
	}
	if (call == FFAEMU_FFA_MEM_RECLAIM || call == FFAEMU_FFA_MEM_FRAG_RX ||
	    call == FFAEMU_FFA_MEM_FRAG_TX) {
		uint64_t handle = ffaemu_regs_handle(in, 1);
		bool accepted = is_success(reply) || reply == FFAEMU_FFA_MEM_FRAG_RX ||
				reply == FFAEMU_FFA_MEM_FRAG_TX;

		h = chk_handle_find(s, s->cur.key, handle);
		if (h && h->reclaimed && accepted)
			chk_report(s, CHK_FFA_MEM_001, rec, FFAEMU_REG_RANGE(1, 2), FFAEMU_REG(0),
				   "handle 0x%llx was reclaimed", (unsigned long long)handle);
		else if (h && call == FFAEMU_FFA_MEM_RECLAIM && is_success(reply))
			h->reclaimed = true;
	}
}

/* What the call changed in the caller's state (spec C4, C5.3, C6). */
static void update_state(struct chk_caller *st, const struct ffaemu_trace_record *rec,
			 uint32_t call, uint32_t ver, bool direct)
{
	uint32_t reply = fid_of(&rec->out);
	bool ok = is_success(reply);

	if (call == FFAEMU_FFA_VERSION) {
		if (!st->ended) {
			st->requested = ffaemu_regs_w(&rec->in, 1);
			st->requested_set = true;
		}
		return;
	}
	/* chk_evaluate only passes FF-A IDs. */
	if (call != FFAEMU_FFA_INTERRUPT && call != FFAEMU_FFA_INTERRUPT_64)
		st->ended = true;
	if (direct)
		return; /* no state below changes on a direct request */
	if (fills_rx(call, rec, ver) && rx_fill_succeeded(call, reply))
		st->rx_full = true;
	if (call == FFAEMU_FFA_RX_RELEASE && ok && ffaemu_regs_w(&rec->in, 1) == 0)
		st->rx_full = false;
	/* MSG_WAIT hands RX back unless v1.2's "retain" flag is set (spec C6). */
	if (is_fid(call, FFAEMU_FFA_MSG_WAIT, FFAEMU_FFA_MSG_WAIT_64) &&
	    !(ver >= FFAEMU_FFA_1_2 && (ffaemu_regs_w(&rec->in, 2) & 1u)))
		st->rx_full = false;
	if (is_fid(call, FFAEMU_FFA_RXTX_MAP, FFAEMU_FFA_RXTX_MAP_64) && ok &&
	    ffaemu_regs_w(&rec->in, 3) != 0)
		st->mapped = true;
	if (call == FFAEMU_FFA_RXTX_UNMAP && ok && ffaemu_regs_w(&rec->in, 1) == 0) {
		st->mapped = false;
		st->rx_full = false;
	}
}

void chk_evaluate(struct chk_sink *s, struct chk_caller *st, const struct ffaemu_trace_record *rec,
		  uint32_t default_version, bool joined_late)
{
	uint32_t call = fid_of(&rec->in);
	uint32_t ffa_version = s->cur.ffa_version;
	uint32_t ver = ffa_version ? ffa_version : (joined_late ? 0 : default_version);
	const struct ffaemu_abi *abi;
	bool direct;

	/* A version that came from outside (assumed, a callback): take it as the request. */
	if (ffa_version && !st->requested_set) {
		st->requested = ffa_version;
		st->requested_set = true;
	}
	/* A caller usually repeats its last FID: what follows from it alone is kept. */
	if (call != st->cls_fid || !call) {
		st->cls_fid = call;
		st->cls_ffa = abi_fid_is_ffa(call);
		st->cls_abi = st->cls_ffa ? abi_lookup(call) : NULL;
		/* Direct requests, the usual traffic, skip every rule and update that names none. */
		st->cls_direct = is_direct_req(call) || call == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	}
	check_smccc(s, rec);
	if (!st->cls_ffa || (rec->violations & FFAEMU_EDGE_V_AARCH32_SMC64))
		return;
	abi = st->cls_abi;
	direct = st->cls_direct;
	check_caller(s, st, rec, abi, call, ver, joined_late, direct);
	if (!edge_synthesised(rec)) {
		check_callee(s, st, rec, abi, call, ver, joined_late, direct);
		/* No handle rule names a direct request. */
		if (!direct)
			check_handles(s, rec, call);
	}
	update_state(st, rec, call, ver, direct);
}
