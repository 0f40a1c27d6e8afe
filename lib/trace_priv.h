/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: pieces shared by the tracer (trace*.c) and the conformance
 * checker (check*.c): interned strings, per (edge, caller) FF-A version
 * tracking, and building a record from an edge event. Both consumers build
 * records the same way, which is what makes online and offline checking
 * agree.
 */
#ifndef FFAEMU_LIB_TRACE_PRIV_H
#define FFAEMU_LIB_TRACE_PRIV_H

#include <ffa/abi.h>
#include <ffa/trace.h>

#include "alloc.h"
#include "conduit_priv.h"

/* Interned strings: equal text gives the same pointer, so keys compare by pointer. */
struct trc_strtab {
	char **s;
	size_t n, cap;
};

const char *trc_intern(struct trc_strtab *t, const struct ffaemu_alloc *a, const char *s);
void trc_strtab_free(struct trc_strtab *t, const struct ffaemu_alloc *a);

/*
 * What one attachment last interned for its edge: the edge's name and its
 * callee's name (NULL: no callee). Valid while the edge's name and callee
 * change counters (conduit_priv.h) are as recorded; a record then needs no
 * string search.
 */
struct trc_edge_names {
	bool valid;
	const struct ffaemu_edge *edge;
	const char *raw;                  /* ev->edge_name it was made from */
	uint64_t gen;                     /* conduit_names_gen */
	const char *edge_name, *callee_name; /* interned */
};

bool trc_event_names_slow(struct trc_edge_names *c, struct trc_strtab *t,
			  const struct ffaemu_alloc *a, const struct ffaemu_edge_event *ev,
			  const char **edge, const char **callee);

/* Interned names of ev's edge and callee into *edge / *callee; false on allocation failure. */
static inline bool trc_event_names(struct trc_edge_names *c, struct trc_strtab *t,
				   const struct ffaemu_alloc *a,
				   const struct ffaemu_edge_event *ev, const char **edge,
				   const char **callee)
{
	if (c->valid && ev->edge && c->edge == ev->edge && c->raw == ev->edge_name &&
	    c->gen == conduit_names_gen(ev->edge)) {
		*edge = c->edge_name;
		*callee = c->callee_name;
		return true;
	}
	return trc_event_names_slow(c, t, a, ev, edge, callee);
}

/*
 * What a checker remembers about the calls of one edge it watches: in its
 * own attachment, or in the tracer's attachment of a tracer it follows
 * (ffaemu_check_follow). Owned and read by check.c only.
 */
struct chk_site {
	struct trc_edge_names names; /* the edge's names interned by the checker */
	/* Following: the tracer's interned names last seen, and the checker's copies. */
	const char *t_edge, *t_callee;
	const char *edge, *callee;
	/*
	 * The last call's table entries, valid while the checker's generation
	 * is gen and the call has the same edge, state key and caller.
	 */
	uint64_t gen; /* 0: nothing cached */
	const char *c_edge, *c_key;
	ffaemu_id_t caller;
	bool late;
	size_t vers, edge_i, key_i, caller_i; /* indices, also lookup hints */
};

struct ffaemu_check;
/* A record the followed tracer built for ev (check.c). */
void chk_follow_record(struct ffaemu_check *c, struct chk_site *site,
		       const struct ffaemu_trace_record *rec, const struct ffaemu_edge_event *ev);
/* A call the followed tracer could not record: the checker builds its own (check.c). */
void chk_follow_event(struct ffaemu_check *c, struct chk_site *site,
		      const struct ffaemu_edge_event *ev);
/* Whether the checker calls back into user code (then records are handed over from a copy). */
bool chk_has_callbacks(const struct ffaemu_check *c);
/* The followed tracer is being freed (check.c). */
void chk_trace_gone(struct ffaemu_check *c);
/* Whether the checker is attached to edge itself (check.c). */
bool chk_attached_to(const struct ffaemu_check *c, const struct ffaemu_edge *edge);
/* Set (NULL: clear) the checker the tracer hands its records to; forgets every site (trace.c). */
void trc_set_follower(struct ffaemu_trace *t, struct ffaemu_check *c);
struct ffaemu_check *trc_follower(const struct ffaemu_trace *t);
/* Whether the tracer observes edge (trace.c). */
bool trc_watches(const struct ffaemu_trace *t, const struct ffaemu_edge *edge);
/* The callee name of the tracer's edge named name, or NULL (trace.c). */
const char *trc_callee_by_edge_name(const struct ffaemu_trace *t, const char *name);

/* What the wire shows about one caller's version on one edge (spec C4). */
struct trc_vers_entry {
	const char *edge; /* interned */
	ffaemu_id_t caller;
	uint32_t version; /* 0 = none negotiated */
	bool ended;       /* a non-VERSION FF-A call was made: negotiation over */
	uint64_t tx_pa;   /* the caller's TX buffer from its RXTX_MAP, if seen */
	uint32_t tx_size; /* bytes; 0 = no pair mapped (or never seen) */
};

struct trc_vers {
	struct trc_vers_entry *e;
	size_t n, cap;
};

/* Find or add; NULL on allocation failure. */
struct trc_vers_entry *trc_vers_get(struct trc_vers *v, const struct ffaemu_alloc *a,
				    const char *edge, ffaemu_id_t caller);
/* trc_vers_get, trying index *hint first (an attachment's last entry) and updating it. */
static inline struct trc_vers_entry *trc_vers_get_hint(struct trc_vers *v,
						       const struct ffaemu_alloc *a,
						       const char *edge, ffaemu_id_t caller,
						       size_t *hint)
{
	struct trc_vers_entry *e;

	if (*hint < v->n && v->e[*hint].edge == edge && v->e[*hint].caller == caller)
		return &v->e[*hint];
	e = trc_vers_get(v, a, edge, caller);
	if (e)
		*hint = (size_t)(e - v->e);
	return e;
}
/* Apply one completed call to the entry (after its version was read). */
void trc_vers_update_slow(struct trc_vers_entry *e, const struct ffaemu_trace_record *rec);
static inline void trc_vers_update(struct trc_vers_entry *e, const struct ffaemu_trace_record *rec)
{
	/*
	 * Once negotiation is over only a successful RXTX_MAP/UNMAP changes the
	 * entry: every other call leaves it as it is (trc_vers_update_slow).
	 */
	if (e->ended && ffaemu_regs_w(&rec->out, 0) != FFAEMU_FFA_SUCCESS &&
	    ffaemu_regs_w(&rec->out, 0) != FFAEMU_FFA_SUCCESS_64)
		return;
	trc_vers_update_slow(e, rec);
}
void trc_vers_free(struct trc_vers *v, const struct ffaemu_alloc *a);

/* Fill everything but index, edge, callee and ffa_version from an edge event. */
void trc_record_from_event(struct ffaemu_trace_record *rec, const struct ffaemu_edge_event *ev);
/* Name of an edge's callee, seeing through the recorder's entry wrapper; NULL if none. */
const char *trc_callee_name(const struct ffaemu_edge *edge);
/* Key of the protocol state a record belongs to: its callee, else its edge (both interned). */
static inline const char *trc_state_key(const struct ffaemu_trace_record *rec)
{
	return rec->callee ? rec->callee : rec->edge;
}

/* Decoded text of the call side / reply side of a record (human and diagram labels). */
int trc_describe_call(const struct ffaemu_trace_record *rec, char *buf, size_t len);
int trc_describe_reply(const struct ffaemu_trace_record *rec, char *buf, size_t len);
/* ABI or SMCCC name of a FID ("FFA_RXTX_MAP_64"), or NULL. */
const char *trc_fid_name(uint32_t fid, char *buf, size_t len);

/* Participants of an edge name "a->b" (trimmed); otherwise "ep 0xNNNN" -> name. */
void trc_edge_ends(const struct ffaemu_trace_record *rec, char *from, size_t flen, char *to,
		   size_t tlen);

/* Live output of one record: one HUMAN or JSONL line with its newline. */
void trc_live(const struct ffaemu_trace_record *rec, int fmt,
	      int (*fn)(void *user, const char *data, size_t len), void *user);

/* The trace's allocator (writers need scratch memory). */
const struct ffaemu_alloc *trc_alloc_of(const struct ffaemu_trace *t);
/* Append keeping rec->index (the JSONL reader). */
int trc_append_raw(struct ffaemu_trace *t, const struct ffaemu_trace_record *rec);

#endif /* FFAEMU_LIB_TRACE_PRIV_H */
