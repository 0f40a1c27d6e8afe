/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance checker: a catalogue of rules, each with a stable ID
 * ("SMCCC-PRES-001", "FFA-MBZ-ARG-001"), a one-line statement, the spec
 * section it comes from, a severity and the side it checks (caller or
 * callee). It runs online as an edge observer (conduit.h) on every edge it
 * is attached to, or offline over recorded calls (a trace, trace.h); given
 * the same calls in the same order both give the same violations.
 *
 * Use in a test:
 *
 *   struct ffaemu_check *chk;
 *   ffaemu_check_new(NULL, &chk);
 *   ffaemu_check_attach(chk, edge);
 *   uint64_t m = ffaemu_check_mark(chk);
 *   ... calls ...
 *   assert(ffaemu_check_count_since(chk, m) == 0);
 *   ffaemu_check_free(&chk);
 *
 * The checker keeps per (callee, caller) protocol state it can see on the
 * wire: the negotiated FF-A version, whether negotiation ended, RX buffer
 * ownership, mapped RX/TX, and live/reclaimed memory handles. Two edges to
 * one callee (a proxy's SMCCC 1.1 and 1.2 conduits to EL3) share it.
 */
#ifndef FFAEMU_CHECK_H
#define FFAEMU_CHECK_H

#include <stdio.h>

#include <ffa/common.h>
#include <ffa/conduit.h>
#include <ffa/regs.h>
#include <ffa/trace.h>

FFAEMU_BEGIN_DECLS

enum ffaemu_check_severity {
	FFAEMU_CHECK_INFO = 0,
	FFAEMU_CHECK_WARNING = 1,
	FFAEMU_CHECK_ERROR = 2
};

/* Whose behaviour a rule judges. */
enum ffaemu_check_side {
	FFAEMU_CHECK_CALLER = 0,
	FFAEMU_CHECK_CALLEE = 1
};

struct ffaemu_check_rule {
	const char *id;          /* stable: "FFA-MBZ-ARG-001" */
	const char *statement;   /* one line: what must hold */
	const char *spec;        /* "DEN0077A 1.2 s13.2; spec C1, F" */
	enum ffaemu_check_severity severity;
	enum ffaemu_check_side side;
};

/* The catalogue, in a fixed order. */
FFAEMU_API size_t ffaemu_check_rule_count(void);
FFAEMU_API const struct ffaemu_check_rule *ffaemu_check_rule_at(size_t i);
/* Case-insensitive; NULL if unknown. */
FFAEMU_API const struct ffaemu_check_rule *ffaemu_check_rule_by_id(const char *id);
/* "info"/"warning"/"error", "caller"/"callee", or NULL. */
FFAEMU_API const char *ffaemu_check_severity_name(enum ffaemu_check_severity s);
FFAEMU_API const char *ffaemu_check_side_name(enum ffaemu_check_side s);
/* Parse "error"/"warning"/"info" (case-insensitive). 0 or FFAEMU_EPARSE. */
FFAEMU_API int ffaemu_check_severity_parse(const char *text, enum ffaemu_check_severity *out);

/* One finding. Strings are owned by the checker. */
struct ffaemu_check_violation {
	const struct ffaemu_check_rule *rule;
	/*
	 * Online: the checker's own count of calls over its edges, from 0 (equal
	 * to a tracer's index when both are attached to the same edges at the
	 * same time); offline: the record's index.
	 */
	uint64_t call_index;
	const char *edge;       /* edge name */
	uint64_t edge_index;    /* the edge's own call counter */
	ffaemu_id_t caller;
	uint32_t fid;           /* w0 of the call */
	uint32_t ffa_version;   /* version in force for the caller (0 = none) */
	uint32_t in_regs;       /* offending argument registers (bit n = xn) */
	uint32_t out_regs;      /* offending result registers */
	struct ffaemu_regs in;  /* the call as the caller made it */
	struct ffaemu_regs out; /* the reply as the caller saw it */
	char detail[112];       /* what exactly was wrong ("w2=0x5, expected 0") */
};

struct ffaemu_check_config {
	size_t size;                         /* sizeof(struct ffaemu_check_config) */
	enum ffaemu_check_severity min_severity; /* default FFAEMU_CHECK_INFO: keep all */
	/*
	 * FF-A version assumed, for the layout rules, for a caller that never
	 * negotiated (spec C4 leaves that case UNCONFIRMED). Default 0: unknown,
	 * judge only what holds at every version (FFA-VER-001 still reports the
	 * missing negotiation). FFAEMU_FFA_1_0 makes the v1.0 layouts mandatory.
	 */
	uint32_t default_ffa_version;
	size_t max_violations;               /* default 0 = unlimited; beyond it violations are
						counted but not stored */
	ffaemu_trace_version_fn version_fn;  /* default NULL: infer from FFA_VERSION (online only) */
	void *version_user;
	const struct ffaemu_allocator *alloc; /* default NULL (libc) */
	/*
	 * Default NULL. Called at once for every violation recorded (enabled,
	 * at or above min_severity), stored or not; v is valid during the call.
	 */
	void (*report_fn)(void *user, const struct ffaemu_check_violation *v);
	void *report_user;
};

FFAEMU_API void ffaemu_check_config_default(struct ffaemu_check_config *cfg);

struct ffaemu_check;

/* cfg may be NULL (defaults). 0, FFAEMU_EINVAL or FFAEMU_ENOMEM. */
FFAEMU_API int ffaemu_check_new(const struct ffaemu_check_config *cfg, struct ffaemu_check **out);
/*
 * Detaches from every edge, frees, clears *check. Accepts NULL. The
 * attached edges must still exist: free (or detach) the checker before the
 * edges it observes.
 */
FFAEMU_API void ffaemu_check_free(struct ffaemu_check **check);

/* Online: check every call of the edge. FFAEMU_EEXIST if already attached. */
FFAEMU_API int ffaemu_check_attach(struct ffaemu_check *check, struct ffaemu_edge *edge);
FFAEMU_API int ffaemu_check_detach(struct ffaemu_check *check, struct ffaemu_edge *edge);

/*
 * Online, sharing a tracer's work: check every call the tracer records, on
 * every edge it observes now or later, from the record the tracer builds
 * (the record is built, and its names looked up, once instead of twice).
 * The verdicts are those of the checker attached to the same edges right
 * behind the tracer: the checker keeps its own call count, names, tracked
 * versions and state, so clearing the tracer or either's assume_version /
 * new_stack means what it means for an attached checker. A call the tracer
 * could not record (no memory for its names) is still checked. Do not also
 * attach the checker to an edge the tracer observes (FFAEMU_EEXIST, both
 * ways: ffaemu_check_attach and ffaemu_trace_attach refuse such an edge).
 * One checker per tracer and one tracer per checker: FFAEMU_EEXIST if
 * either already has one. trace NULL stops following. Freeing either ends
 * it. 0, FFAEMU_EINVAL, FFAEMU_EEXIST.
 */
FFAEMU_API int ffaemu_check_follow(struct ffaemu_check *check, struct ffaemu_trace *trace);

/*
 * Offline: check one recorded call / every record of a trace, in order.
 * The record's ffa_version is used as the version in force.
 */
FFAEMU_API int ffaemu_check_record(struct ffaemu_check *check,
				   const struct ffaemu_trace_record *rec);
FFAEMU_API int ffaemu_check_trace(struct ffaemu_check *check, const struct ffaemu_trace *trace);

/*
 * Joining late: when the first call the checker sees on an edge is not the
 * edge's first (ffaemu_edge_event.index > 0), a caller that has not been
 * seen negotiating may have done so unseen; version-dependent rules then
 * judge only what holds at every FF-A version, and FFA-VER-001 stays
 * quiet. ffaemu_check_assume_version() states the version instead (as for
 * a proxy that negotiated with EL3 at boot): edge names an attached edge
 * (the state belongs to its callee), or else is taken as a callee name.
 * 0, FFAEMU_EINVAL, FFAEMU_ENOMEM.
 */
FFAEMU_API int ffaemu_check_assume_version(struct ffaemu_check *check, const char *edge,
					   ffaemu_id_t caller, uint32_t version);

/* Enable/disable one rule by ID, or all rules with id "*". FFAEMU_ENOENT if unknown. */
FFAEMU_API int ffaemu_check_enable(struct ffaemu_check *check, const char *id, bool on);
FFAEMU_API bool ffaemu_check_enabled(const struct ffaemu_check *check, const char *id);
/* Violations below this severity are not recorded. */
FFAEMU_API void ffaemu_check_set_min_severity(struct ffaemu_check *check,
					      enum ffaemu_check_severity min);

/* A mark: the number of violations recorded so far (monotonic). */
FFAEMU_API uint64_t ffaemu_check_mark(const struct ffaemu_check *check);
FFAEMU_API uint64_t ffaemu_check_count_since(const struct ffaemu_check *check, uint64_t mark);
/* Total violations recorded (stored or not). */
FFAEMU_API uint64_t ffaemu_check_count(const struct ffaemu_check *check);
/* Violations of one rule recorded so far (0 for an unknown ID). */
FFAEMU_API uint64_t ffaemu_check_rule_hits(const struct ffaemu_check *check, const char *id);

/* Stored violations, in order: i in [0, ffaemu_check_stored()). NULL past the end. */
FFAEMU_API size_t ffaemu_check_stored(const struct ffaemu_check *check);
FFAEMU_API const struct ffaemu_check_violation *
ffaemu_check_violation_at(const struct ffaemu_check *check, size_t i);

/*
 * "error FFA-MBZ-ARG-001 #12 host->proxy ep 0x0000 FFA_FEATURES, by the caller:
 *  <detail> [DEN0077A ...]" (ep: the calling endpoint; "by the caller" or
 * "by the callee": the side that broke the rule) followed by a register diff line ("  in  x3=0x5" /
 * "  out x4=0x..."). snprintf semantics.
 */
FFAEMU_API int ffaemu_check_violation_format(const struct ffaemu_check_violation *v, char *buf,
					     size_t len);
/* Every stored violation since mark, formatted, one per block. 0 or FFAEMU_EIO. */
FFAEMU_API int ffaemu_check_print(const struct ffaemu_check *check, uint64_t mark, FILE *f);

/* Forget violations and all tracked protocol state; edges stay attached. */
FFAEMU_API void ffaemu_check_reset(struct ffaemu_check *check);
/*
 * The calls that follow go to a fresh stack (a recording spans several):
 * forget the tracked protocol state (negotiated versions, RX ownership,
 * memory handles) but keep the violations found so far.
 */
FFAEMU_API void ffaemu_check_new_stack(struct ffaemu_check *check);

FFAEMU_END_DECLS

#endif /* FFAEMU_CHECK_H */
