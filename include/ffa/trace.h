/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tracer: records every call through the conduit edges it is attached
 * to (which edge, who called, conduit and SMCCC contract, the FF-A version
 * negotiated at that moment, x0-x17 before and after), and writes the
 * recording as human-readable lines, JSON Lines, a Mermaid sequence diagram
 * or an SVG ladder diagram. A JSON Lines trace can be read back, checked
 * offline (check.h) and replayed into another stack.
 *
 * A recorder is an edge observer (conduit.h): with no recorder attached an
 * edge pays nothing. One recorder can observe many edges; its records carry
 * one global call index, in the order calls complete.
 *
 * Participants: an edge named "a->b" joins participant a to participant b;
 * any other name n is drawn as "ep 0xNNNN" (the caller's ID) -> n. Lanes
 * appear in call order, a caller's before its callee's, except that a
 * secure partition calling on its own conduit ("sp8005->spmc", instance SV)
 * is placed after the SPMC it calls (ffaemu_spmc_sp_edge in spmc.h).
 *
 * Nesting (an SP calling the SPMC inside a direct request, a proxy
 * forwarding to EL3) is recovered from the record's depth: a call at depth d
 * encloses the calls at depth > d that completed just before it. Depth comes
 * from the recorder itself (record_entry, the default: it wraps each
 * attached edge's callee to see call entry), or from ffaemu_call_ctx.depth.
 *
 * JSON Lines schema (one object per line, keys in this order when written;
 * the reader accepts any order but rejects unknown, missing or duplicated
 * keys; registers are 18 hex strings "0x%016x"):
 *
 *   {"type":"call","index":N,"edge":"host->proxy","callee":"pkvm"|null,
 *    "edge_index":N,"caller":N,"instance":"NP|NV|SV|SP","el":N,"secure":bool,
 *    "aarch32":bool,"imm":N,"conduit":"SMC|HVC|SVC","smccc":"1.2",
 *    "ffa":"1.2"|null,"depth":N,"abi":"FFA_VERSION"|null,
 *    "in":[18 regs],"out":[18 regs],"violations":N,
 *    "preserved_changed":N,"smc32_upper":N,"poisoned":N,
 *    "tx":{"pa":"0x%016x","data":"<hex bytes>"}}
 *
 * "abi" is informative (derived from in[0]) and is not checked on read.
 * "tx" is optional: present only on records that carry TX bytes (see
 * ffaemu_trace_config.mem_read); live output (live_fn) leaves it out.
 */
#ifndef FFAEMU_TRACE_H
#define FFAEMU_TRACE_H

#include <stdio.h>

#include <ffa/common.h>
#include <ffa/conduit.h>
#include <ffa/node.h>
#include <ffa/regs.h>

FFAEMU_BEGIN_DECLS

/*
 * Optional source of the FF-A version in force for a call, for a user
 * whose nodes know it better than the recorder can infer. Return 0 when
 * unknown: the recorder's own tracking is used then.
 */
typedef uint32_t (*ffaemu_trace_version_fn)(void *user, const struct ffaemu_edge_event *ev);

/* One recorded call. Strings are owned by the trace that holds the record. */
struct ffaemu_trace_record {
	uint64_t index;           /* global order of completion across the recorder's edges */
	const char *edge;         /* edge name ("host->proxy") */
	uint64_t edge_index;      /* the edge's own call counter (ffaemu_edge_event.index) */
	ffaemu_id_t caller;       /* caller's FF-A endpoint ID */
	enum ffaemu_instance instance;
	uint8_t el;
	bool secure;
	bool aarch32;
	uint16_t imm;
	enum ffaemu_conduit conduit;
	uint32_t smccc_version;   /* the edge's SMCCC contract */
	/*
	 * FF-A version in force when the call was made (0 = none negotiated
	 * yet, or unknown). Tracked per (callee, caller) from the FFA_VERSION
	 * calls and replies seen; a version call itself shows the version
	 * before it.
	 */
	uint32_t ffa_version;
	uint32_t depth;           /* nesting depth; 0 = outermost */
	struct ffaemu_regs in;    /* caller's registers before the call */
	struct ffaemu_regs out;   /* what the caller saw afterwards */
	uint32_t violations;      /* enum ffaemu_edge_violation bits */
	uint32_t preserved_changed;
	uint32_t smc32_upper;
	uint32_t poisoned;
	/*
	 * Name of the edge's callee node (ffaemu_node_name), NULL if the edge
	 * had none. Protocol state (negotiated version, RX ownership, handles)
	 * is kept per (callee, caller): two conduits to one callee share it.
	 */
	const char *callee;
	/*
	 * The bytes the call read from its caller's TX buffer, for replay:
	 * tx_len bytes at physical address tx_pa (NULL/0 when none were
	 * recorded). Recorded when the trace has a mem_read callback, for the
	 * ABIs that take their input from TX (MEM_DONATE/LEND/SHARE and
	 * MEM_RETRIEVE_REQ with the TX buffer, MEM_FRAG_TX, MEM_RELINQUISH,
	 * MSG_SEND2), once the caller's RXTX_MAP has been seen. Owned by the
	 * trace.
	 */
	uint64_t tx_pa;
	uint32_t tx_len;
	const uint8_t *tx;
};

/* Largest TX snapshot a record carries (bytes); longer reads are cut. */
#define FFAEMU_TRACE_TX_MAX (64u * 1024u)

struct ffaemu_trace_config {
	size_t size;                        /* sizeof(struct ffaemu_trace_config) */
	size_t max_records;                 /* default 0 = unlimited; further calls are counted
					       in ffaemu_trace_dropped() but not stored */
	bool record_entry;                  /* default true: wrap the callee of each attached
					       edge (a transparent node) to see call entry, so
					       nesting is exact even if nodes leave ctx->depth at
					       0; false: depth = ffaemu_call_ctx.depth. */
	ffaemu_trace_version_fn version_fn; /* default NULL: infer from FFA_VERSION */
	void *version_user;
	const struct ffaemu_allocator *alloc; /* default NULL (libc) */
	/*
	 * Default NULL. Live output: each record, as it completes, formatted
	 * as live_format (HUMAN or JSONL, one line with its newline) and passed
	 * to live_fn; completion order, so nested calls come first.
	 */
	int (*live_fn)(void *user, const char *data, size_t len);
	void *live_user;
	int live_format; /* enum ffaemu_trace_format; default FFAEMU_TRACE_HUMAN */
	/*
	 * Default NULL. Reads len bytes of physical memory at pa into dst (0 on
	 * success): lets records keep the TX bytes a call read (record.tx), so a
	 * replay can write them back first (ffaemu_trace_replay_mem).
	 */
	int (*mem_read)(void *user, uint64_t pa, void *dst, size_t len);
	void *mem_user;
};

FFAEMU_API void ffaemu_trace_config_default(struct ffaemu_trace_config *cfg);

struct ffaemu_trace;

/* cfg may be NULL (defaults). 0, FFAEMU_EINVAL or FFAEMU_ENOMEM. */
FFAEMU_API int ffaemu_trace_new(const struct ffaemu_trace_config *cfg, struct ffaemu_trace **out);
/*
 * Detaches from every edge still attached, frees, clears *trace. Accepts
 * NULL. The attached edges must still exist: free (or detach) the trace
 * before the edges it observes.
 */
FFAEMU_API void ffaemu_trace_free(struct ffaemu_trace **trace);

/* Start/stop recording the calls of one edge. FFAEMU_EEXIST if already attached. */
FFAEMU_API int ffaemu_trace_attach(struct ffaemu_trace *trace, struct ffaemu_edge *edge);
/* FFAEMU_ENOENT if not attached. */
FFAEMU_API int ffaemu_trace_detach(struct ffaemu_trace *trace, struct ffaemu_edge *edge);

/*
 * Declare that caller already negotiated version before the recorder was
 * attached (a proxy that negotiated at boot): its records then carry that
 * version. edge names an attached edge (its callee is what counts), or
 * else is taken as a callee name. 0, FFAEMU_EINVAL or FFAEMU_ENOMEM.
 */
FFAEMU_API int ffaemu_trace_assume_version(struct ffaemu_trace *trace, const char *edge,
					   ffaemu_id_t caller, uint32_t version);

/*
 * The calls that follow go to a fresh stack (a test or script that starts
 * over while recording into one trace): forget the versions and TX buffers
 * tracked per caller so far. Records stay.
 */
FFAEMU_API void ffaemu_trace_new_stack(struct ffaemu_trace *trace);

/* Drop every record and all version tracking; edges stay attached. */
FFAEMU_API void ffaemu_trace_clear(struct ffaemu_trace *trace);
FFAEMU_API size_t ffaemu_trace_count(const struct ffaemu_trace *trace);
FFAEMU_API uint64_t ffaemu_trace_dropped(const struct ffaemu_trace *trace);
/* Record i (0-based, in completion order), or NULL. */
FFAEMU_API const struct ffaemu_trace_record *ffaemu_trace_at(const struct ffaemu_trace *trace,
							      size_t i);
/*
 * Append a record built elsewhere (a test, a converter); strings are
 * copied. Its index is replaced by the next global index.
 */
FFAEMU_API int ffaemu_trace_append(struct ffaemu_trace *trace,
				   const struct ffaemu_trace_record *rec);

/* ---- Output ---- */

enum ffaemu_trace_format {
	/*
	 * One decoded line per call, in call order, nested calls indented:
	 * "#6 host -> proxy  FFA_MSG_SEND_DIRECT_REQ2 0x0000->0x8001 uuid=... =>
	 * FFA_MSG_SEND_DIRECT_RESP2 0x8001->0x0000". #N is the record index.
	 */
	FFAEMU_TRACE_HUMAN = 0,
	FFAEMU_TRACE_JSONL = 1,   /* the schema above, in completion (index) order */
	FFAEMU_TRACE_MERMAID = 2, /* sequenceDiagram text */
	FFAEMU_TRACE_SVG = 3      /* standalone SVG 1.1 document */
};

/* Output sink: write len bytes; return 0, or non-zero to stop (passed back as FFAEMU_EIO). */
typedef int (*ffaemu_trace_write_fn)(void *user, const char *data, size_t len);

FFAEMU_API int ffaemu_trace_write(const struct ffaemu_trace *trace, enum ffaemu_trace_format fmt,
				  ffaemu_trace_write_fn fn, void *user);
FFAEMU_API int ffaemu_trace_write_file(const struct ffaemu_trace *trace,
				       enum ffaemu_trace_format fmt, FILE *f);

/*
 * One record as a human line or a JSONL line (no newline) into buf;
 * returns the length snprintf would have written. Other formats: -1.
 */
FFAEMU_API int ffaemu_trace_record_format(const struct ffaemu_trace_record *rec,
					  enum ffaemu_trace_format fmt, char *buf, size_t len);

/* ---- Reading JSON Lines back ---- */

struct ffaemu_trace_parse_error {
	size_t line;     /* 1-based; 0 when no error */
	size_t column;   /* 1-based byte column */
	char message[96];
};

/*
 * Parse a JSON Lines trace (empty lines allowed). Strict: any syntax error,
 * unknown/missing/duplicate key, wrong type, out-of-range number or
 * non-18-register array fails with FFAEMU_EPARSE and err filled in.
 * Records are appended to a new trace (cfg as for ffaemu_trace_new; NULL =
 * defaults) and keep their "index" values. err may be NULL.
 */
FFAEMU_API int ffaemu_trace_read_jsonl(const char *text, size_t len,
				       const struct ffaemu_trace_config *cfg,
				       struct ffaemu_trace **out,
				       struct ffaemu_trace_parse_error *err);

/* ---- Replay ---- */

/*
 * Called once per replayed call whose outputs differ: diff has bit n set
 * for each xn that differs between rec->out (recorded) and *actual.
 */
typedef void (*ffaemu_trace_diff_fn)(void *user, const struct ffaemu_trace_record *rec,
				     const struct ffaemu_regs *actual, uint32_t diff);

struct ffaemu_trace_replay_result {
	uint64_t calls;      /* calls replayed */
	uint64_t mismatches; /* calls whose outputs differed */
	uint64_t first_mismatch; /* record index of the first mismatch (valid if mismatches) */
};

/*
 * Replay a trace into target: each outermost record (depth 0) of the edge
 * named edge_name (NULL = the edge of the first depth-0 record) is sent through
 * target with the recorded caller context and input registers, and its
 * outputs compared register by register with the recording. Nested records
 * are not replayed: the target's stack produces its own. fn may be NULL.
 */
FFAEMU_API int ffaemu_trace_replay(const struct ffaemu_trace *trace, const char *edge_name,
				   struct ffaemu_edge *target, ffaemu_trace_diff_fn fn, void *user,
				   struct ffaemu_trace_replay_result *result);

/*
 * As ffaemu_trace_replay, and before each call that carries TX bytes
 * (record.tx), writes them to the target stack's memory at record.tx_pa
 * through mem_write (0 on success; a failure stops the replay with
 * FFAEMU_EIO). mem_write NULL: the same as ffaemu_trace_replay.
 */
FFAEMU_API int ffaemu_trace_replay_mem(const struct ffaemu_trace *trace, const char *edge_name,
				       struct ffaemu_edge *target,
				       int (*mem_write)(void *user, uint64_t pa, const void *src,
							size_t len),
				       void *mem_user, ffaemu_trace_diff_fn fn, void *user,
				       struct ffaemu_trace_replay_result *result);

/*
 * A diff as text, into buf (snprintf semantics): "#N edge: CALL", the
 * recorded and the replayed reply decoded ("  recorded => ...",
 * "  replayed => ..."), then "  x2: recorded 0x... replayed 0x..." per
 * differing register.
 */
FFAEMU_API int ffaemu_trace_diff_format(const struct ffaemu_trace_record *rec,
					const struct ffaemu_regs *actual, uint32_t diff, char *buf,
					size_t len);

/* "NP"/"NV"/"SV"/"SP" and "SMC"/"HVC"/"SVC", or NULL. */
FFAEMU_API const char *ffaemu_instance_name(enum ffaemu_instance instance);
FFAEMU_API const char *ffaemu_conduit_name(enum ffaemu_conduit conduit);

FFAEMU_END_DECLS

#endif /* FFAEMU_TRACE_H */
