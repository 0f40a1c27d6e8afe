/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: the rule catalogue and the evaluation of one recorded call
 * against it (check_rules.c), driven by the checker object (check.c).
 */
#ifndef FFAEMU_LIB_CHECK_PRIV_H
#define FFAEMU_LIB_CHECK_PRIV_H

#include <ffa/check.h>

#include "trace_priv.h"

/* Rule numbers: the order of the catalogue (SMCCC, then FF-A caller, then FF-A callee). */
enum chk_rule {
	CHK_SMCCC_FID_001,
	CHK_SMCCC_FID_002,
	CHK_SMCCC_IMM_001,
	CHK_SMCCC_PRES_001,
	CHK_SMCCC_W32_001,
	CHK_SMCCC_RES_001,
	CHK_SMCCC_VER_001,
	CHK_FFA_MBZ_ARG_001,
	CHK_FFA_VER_001,
	CHK_FFA_VER_002,
	CHK_FFA_VER_003,
	CHK_FFA_WIDTH_001,
	CHK_FFA_WIDTH_002,
	CHK_FFA_ABI_001,
	CHK_FFA_DIRECT_001,
	CHK_FFA_DIRECT_002,
	CHK_FFA_DIRECT_003,
	CHK_FFA_DIRECT_006,
	CHK_FFA_FEAT_002,
	CHK_FFA_MEM_004,
	CHK_FFA_CONS_001,
	CHK_FFA_RXTX_001,
	CHK_FFA_MBZ_RES_001,
	CHK_FFA_ERR_001,
	CHK_FFA_ERR_002,
	CHK_FFA_ERR_003,
	CHK_FFA_ERR_004,
	CHK_FFA_VER_004,
	CHK_FFA_VER_005,
	CHK_FFA_VER_006,
	CHK_FFA_REPLY_001,
	CHK_FFA_REPLY_002,
	CHK_FFA_REPLY_003,
	CHK_FFA_DIRECT_004,
	CHK_FFA_DIRECT_005,
	CHK_FFA_RX_001,
	CHK_FFA_RX_002,
	CHK_FFA_PINFO_001,
	CHK_FFA_PIREGS_001,
	CHK_FFA_PIREGS_002,
	CHK_FFA_MEM_001,
	CHK_FFA_MEM_002,
	CHK_FFA_MEM_003,
	CHK_FFA_ID_001,
	CHK_FFA_ID_002,
	CHK_FFA_FEAT_001,
	CHK_FFA_RXTX_002,
	CHK_FFA_RXTX_003,
	CHK_FFA_MEM_005,
	CHK_FFA_NOTIF_001,
	CHK_FFA_NOTIF_002,
	CHK_RULE_COUNT
};

extern const struct ffaemu_check_rule chk_catalogue[CHK_RULE_COUNT];

/* What the checker knows about one caller of one callee (trc_state_key). */
struct chk_caller {
	const char *edge; /* interned state key: the callee's name, else the edge's */
	ffaemu_id_t caller;
	bool ended;         /* negotiation over (spec C4) */
	bool requested_set;
	uint32_t requested; /* last FFA_VERSION request */
	bool rx_full;       /* RX owned by the caller until RX_RELEASE (spec C5.3) */
	bool mapped;        /* an RX/TX pair is mapped */
	/*
	 * The last MBZ masks computed for this caller, [0] args, [1] results:
	 * they depend only on (FID, version). fid 0 (never FF-A) = empty.
	 */
	uint32_t mbz_fid[2], mbz_ver[2], mbz_val[2];
	/* mbz_val[i] per register: the W or X bits it covers (spec A8), else 0. */
	uint64_t mbz_lane[2][FFAEMU_NREGS];
	/* What chk_evaluate derives from the last FID alone (cls_fid 0: nothing kept). */
	uint32_t cls_fid;
	bool cls_ffa, cls_direct;
	const struct ffaemu_abi *cls_abi;
};

/* A memory handle seen at one callee (the relayer that allocated it). */
struct chk_handle {
	const char *edge; /* interned state key */
	uint64_t handle;
	bool reclaimed;
	bool sending;      /* a fragmented send is in progress (spec E2) */
	uint32_t received; /* bytes of it the relayer has acknowledged */
};

/*
 * The checker's own view of the call being judged: the record may be a
 * followed tracer's, whose names, index and version are the tracer's.
 */
struct chk_call {
	const char *edge;     /* interned by the checker */
	const char *key;      /* state key (trc_state_key), interned by the checker */
	uint64_t index;       /* the violation's call_index */
	uint32_t ffa_version; /* version in force, 0 = none seen */
};

/*
 * Sink for findings (check.c): the checker and the call being judged. One
 * per evaluation, on the stack: a report callback may make a checked call.
 */
struct chk_sink {
	struct ffaemu_check *check;
	struct chk_call cur;
};
void chk_report(struct chk_sink *s, enum chk_rule rule, const struct ffaemu_trace_record *rec,
		uint32_t in_regs, uint32_t out_regs, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;

/* Handle table lookups, implemented by check.c. NULL on allocation failure. */
struct chk_handle *chk_handle_find(struct chk_sink *s, const char *edge, uint64_t handle);
struct chk_handle *chk_handle_add(struct chk_sink *s, const char *edge, uint64_t handle);

/*
 * Evaluate every rule on one completed call and then update st (and the
 * handle table) with what the call did. s->cur gives the names, index and
 * version in force (0 = none seen) to use instead of rec's; default_version (0 = unknown) is assumed for a
 * caller that never negotiated, unless joined_late: the checker missed
 * calls to this callee, so an unseen negotiation is possible and
 * version-dependent rules hold back.
 */
void chk_evaluate(struct chk_sink *s, struct chk_caller *st, const struct ffaemu_trace_record *rec,
		  uint32_t default_version, bool joined_late);

#endif /* FFAEMU_LIB_CHECK_PRIV_H */
