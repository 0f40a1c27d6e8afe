/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call recorder: an edge observer that copies every call into a
 * record, tracks the FF-A version each caller negotiated on each edge, and
 * can replay the outermost calls of a recording into another stack.
 */
#include <stddef.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/trace.h>

#include "conduit_priv.h"
#include "trace_priv.h"
#include "abi_priv.h"

#define TRC_MAX_EDGES 64

struct trc_attach {
	struct ffaemu_edge *edge;
	struct ffaemu_node *wrapper; /* record_entry only */
	struct ffaemu_node *inner;   /* the callee the wrapper forwards to */
	struct ffaemu_node_ops ops;  /* the wrapper's ops: named after inner */
	struct ffaemu_trace *trace;
	struct trc_edge_names names;
	size_t vers_hint; /* index of this attachment's last version entry */
	struct chk_site site; /* the following checker's memory of this edge */
};

struct ffaemu_trace {
	struct ffaemu_alloc alloc;
	struct ffaemu_trace_config cfg;
	struct ffaemu_trace_record *rec;
	size_t n, cap;
	uint64_t next_index;
	uint64_t dropped;
	uint32_t open_calls; /* calls entered but not yet completed (record_entry) */
	struct trc_strtab strs;
	struct trc_vers vers;
	uint8_t **blobs;     /* TX snapshots of the records */
	size_t nblobs, capblobs;
	struct trc_attach *att[TRC_MAX_EDGES]; /* stable addresses: observer user pointers */
	size_t natt;
	struct ffaemu_check *follower; /* gets every record built (ffaemu_check_follow) */
	/* No user callback runs while a record is made (the follower's included). */
	bool quiet;
	/* Records can be built in place while n < room: quiet, below cap and max_records. */
	size_t room;
};

/* Whether making a record calls no user code: set on creation and on a follower change. */
static bool trace_is_quiet(const struct ffaemu_trace *t)
{
	return !t->cfg.version_fn && !t->cfg.mem_read && !t->cfg.live_fn &&
	       !(t->follower && chk_has_callbacks(t->follower));
}

/* Recompute quiet and room: after a change of cap or of the follower. */
static void trace_set_room(struct ffaemu_trace *t)
{
	t->quiet = trace_is_quiet(t);
	t->room = 0;
	if (t->quiet)
		t->room = t->cfg.max_records && t->cfg.max_records < t->cap ? t->cfg.max_records
									 : t->cap;
}

/* ---- shared helpers (trace_priv.h) ---- */

const char *trc_intern(struct trc_strtab *t, const struct ffaemu_alloc *a, const char *s)
{
	char **grown;
	char *copy;

	if (!s)
		s = "";
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->s[i], s) == 0)
			return t->s[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;

		grown = ffaemu_alloc_realloc(a, t->s, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		t->s = grown;
		t->cap = cap;
	}
	copy = ffaemu_alloc_strdup(a, s);
	if (!copy)
		return NULL;
	t->s[t->n++] = copy;
	return copy;
}

bool trc_event_names_slow(struct trc_edge_names *c, struct trc_strtab *t,
			  const struct ffaemu_alloc *a, const struct ffaemu_edge_event *ev,
			  const char **edge, const char **callee)
{
	const char *raw_callee;

	raw_callee = trc_callee_name(ev->edge);
	*callee = NULL;
	*edge = trc_intern(t, a, ev->edge_name);
	if (!*edge)
		return false;
	if (raw_callee) {
		*callee = trc_intern(t, a, raw_callee);
		if (!*callee)
			return false;
	}
	c->valid = ev->edge != NULL;
	if (c->valid) {
		c->edge = ev->edge;
		c->raw = ev->edge_name;
		c->gen = conduit_names_gen(ev->edge);
		c->edge_name = *edge;
		c->callee_name = *callee;
	}
	return true;
}

void trc_strtab_free(struct trc_strtab *t, const struct ffaemu_alloc *a)
{
	for (size_t i = 0; i < t->n; i++)
		ffaemu_alloc_free(a, t->s[i]);
	ffaemu_alloc_free(a, t->s);
	memset(t, 0, sizeof(*t));
}

struct trc_vers_entry *trc_vers_get(struct trc_vers *v, const struct ffaemu_alloc *a,
				    const char *edge, ffaemu_id_t caller)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->e[i].edge == edge && v->e[i].caller == caller)
			return &v->e[i];
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		struct trc_vers_entry *grown = ffaemu_alloc_realloc(a, v->e, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		v->e = grown;
		v->cap = cap;
	}
	memset(&v->e[v->n], 0, sizeof(v->e[0]));
	v->e[v->n].edge = edge;
	v->e[v->n].caller = caller;
	return &v->e[v->n++];
}

void trc_vers_update_slow(struct trc_vers_entry *e, const struct ffaemu_trace_record *rec)
{
	uint32_t fid = ffaemu_fid_strip_hint(ffaemu_regs_w(&rec->in, 0));

	if (fid == FFAEMU_FFA_VERSION) {
		uint32_t req = ffaemu_regs_w(&rec->in, 1);
		uint32_t reply = ffaemu_regs_w(&rec->out, 0);

		/*
		 * Negotiation lasts until the first other FF-A call; the last
		 * accepted request wins. The caller then talks at the lower of its
		 * own and the callee's version (spec C4; TFA-SPMD, LNX-DRV).
		 */
		if (!e->ended && ffaemu_ffa_version_valid(req) && ffaemu_ffa_version_valid(reply) &&
		    ffaemu_ffa_version_major(req) == ffaemu_ffa_version_major(reply))
			e->version = req < reply ? req : reply;
		return;
	}
	/* FFA_INTERRUPT does not end negotiation (spec C4, Hafnium). */
	if (abi_fid_is_ffa(fid) && fid != FFAEMU_FFA_INTERRUPT && fid != FFAEMU_FFA_INTERRUPT_64)
		e->ended = true;
	/* Both SUCCESS IDs are FF-A IDs: no separate abi_fid_is_ffa test needed. */
	if (ffaemu_regs_w(&rec->out, 0) != FFAEMU_FFA_SUCCESS &&
	    ffaemu_regs_w(&rec->out, 0) != FFAEMU_FFA_SUCCESS_64)
		return;
	if (fid == FFAEMU_FFA_RXTX_MAP || fid == FFAEMU_FFA_RXTX_MAP_64) {
		/* x1 = TX (w1 for SMC32), w3 = pages of 4 KiB (spec C5.3, A8) */
		uint64_t pages = ffaemu_regs_w(&rec->in, 3);

		e->tx_pa = fid == FFAEMU_FFA_RXTX_MAP ? ffaemu_regs_w(&rec->in, 1) : rec->in.x[1];
		e->tx_size = pages > FFAEMU_TRACE_TX_MAX / 4096u ? FFAEMU_TRACE_TX_MAX
								 : (uint32_t)pages * 4096u;
		if (!e->tx_pa)
			e->tx_size = 0; /* a hypervisor's forwarded map: no TX of its own (C5.3) */
	} else if (fid == FFAEMU_FFA_RXTX_UNMAP && !(ffaemu_regs_w(&rec->in, 1) >> 16)) {
		e->tx_size = 0;
	}
}

void trc_vers_free(struct trc_vers *v, const struct ffaemu_alloc *a)
{
	ffaemu_alloc_free(a, v->e);
	memset(v, 0, sizeof(*v));
}

const char *trc_callee_name(const struct ffaemu_edge *edge)
{
	const struct ffaemu_node *n = edge ? ffaemu_edge_callee(edge) : NULL;

	/* The entry wrapper carries its inner node's name (see ffaemu_trace_attach). */
	return n ? ffaemu_node_name(n) : NULL;
}

void trc_record_from_event(struct ffaemu_trace_record *rec, const struct ffaemu_edge_event *ev)
{
	const struct ffaemu_call_ctx *c = ev->ctx;

	/* Every byte but in/out (written whole below) starts zero, padding included. */
	_Static_assert(offsetof(struct ffaemu_trace_record, out) ==
			       offsetof(struct ffaemu_trace_record, in) + sizeof(struct ffaemu_regs) &&
		       offsetof(struct ffaemu_trace_record, violations) ==
			       offsetof(struct ffaemu_trace_record, out) + sizeof(struct ffaemu_regs),
		       "in and out are adjacent, with no padding around them");
	memset(rec, 0, offsetof(struct ffaemu_trace_record, in));
	memset(&rec->violations, 0,
	       sizeof(*rec) - offsetof(struct ffaemu_trace_record, violations));
	rec->edge_index = ev->index;
	if (c) {
		rec->caller = c->caller;
		rec->instance = c->instance;
		rec->el = c->el;
		rec->secure = c->secure;
		rec->aarch32 = c->aarch32;
		rec->imm = c->imm;
		rec->conduit = c->conduit;
		rec->smccc_version = c->smccc_version;
		rec->depth = c->depth;
	}
	rec->in = ev->in;
	rec->out = ev->out;
	rec->violations = ev->violations;
	rec->preserved_changed = ev->preserved_changed;
	rec->smc32_upper = ev->smc32_upper;
	rec->poisoned = ev->poisoned;
}

const char *ffaemu_instance_name(enum ffaemu_instance instance)
{
	switch (instance) {
	case FFAEMU_INSTANCE_NP: return "NP";
	case FFAEMU_INSTANCE_NV: return "NV";
	case FFAEMU_INSTANCE_SV: return "SV";
	case FFAEMU_INSTANCE_SP: return "SP";
	}
	return NULL;
}

const char *ffaemu_conduit_name(enum ffaemu_conduit conduit)
{
	switch (conduit) {
	case FFAEMU_CONDUIT_SMC: return "SMC";
	case FFAEMU_CONDUIT_HVC: return "HVC";
	case FFAEMU_CONDUIT_SVC: return "SVC";
	}
	return NULL;
}

/* ---- the recorder ---- */

void ffaemu_trace_config_default(struct ffaemu_trace_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->record_entry = true;
	cfg->live_format = FFAEMU_TRACE_HUMAN;
}

int ffaemu_trace_new(const struct ffaemu_trace_config *user_cfg, struct ffaemu_trace **out)
{
	struct ffaemu_trace_config cfg;
	struct ffaemu_alloc a;
	struct ffaemu_trace *t;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	ffaemu_trace_config_default(&cfg);
	if (user_cfg) {
		if (user_cfg->size < sizeof(user_cfg->size))
			return FFAEMU_EINVAL;
		memcpy(&cfg, user_cfg, user_cfg->size < sizeof(cfg) ? user_cfg->size : sizeof(cfg));
		cfg.size = sizeof(cfg);
	}
	if (cfg.live_format != FFAEMU_TRACE_HUMAN && cfg.live_format != FFAEMU_TRACE_JSONL)
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&a, cfg.alloc);
	t = ffaemu_alloc_zalloc(&a, sizeof(*t));
	if (!t)
		return FFAEMU_ENOMEM;
	t->alloc = a;
	t->cfg = cfg;
	trace_set_room(t);
	*out = t;
	return FFAEMU_OK;
}

static void trace_observer(void *user, const struct ffaemu_edge_event *ev);

static void unwrap(struct trc_attach *at)
{
	if (!at->wrapper)
		return;
	/* Only undo our own wrapping: the edge may have been rewired since. */
	if (ffaemu_edge_callee(at->edge) == at->wrapper)
		ffaemu_edge_set_callee(at->edge, at->inner);
	ffaemu_node_free(&at->wrapper);
}

/* Keep a copy of len bytes for a record; NULL on allocation failure. */
static uint8_t *blob_copy(struct ffaemu_trace *t, const void *data, size_t len)
{
	uint8_t *b;

	if (t->nblobs == t->capblobs) {
		size_t cap = t->capblobs ? t->capblobs * 2 : 16;
		uint8_t **grown = ffaemu_alloc_realloc(&t->alloc, t->blobs, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		t->blobs = grown;
		t->capblobs = cap;
	}
	b = ffaemu_alloc_zalloc(&t->alloc, len ? len : 1);
	if (!b)
		return NULL;
	if (data)
		memcpy(b, data, len);
	t->blobs[t->nblobs++] = b;
	return b;
}

/* Give back the newest blob (a snapshot that could not be taken). */
static void blob_drop_last(struct ffaemu_trace *t)
{
	if (t->nblobs)
		ffaemu_alloc_free(&t->alloc, t->blobs[--t->nblobs]);
}

static void blobs_free(struct ffaemu_trace *t)
{
	for (size_t i = 0; i < t->nblobs; i++)
		ffaemu_alloc_free(&t->alloc, t->blobs[i]);
	t->nblobs = 0;
}

void ffaemu_trace_free(struct ffaemu_trace **trace)
{
	struct ffaemu_trace *t;
	struct ffaemu_alloc a;

	if (!trace || !*trace)
		return;
	t = *trace;
	a = t->alloc;
	if (t->follower)
		chk_trace_gone(t->follower);
	for (size_t i = 0; i < t->natt; i++) {
		ffaemu_edge_remove_observer(t->att[i]->edge, trace_observer, t->att[i]);
		unwrap(t->att[i]);
		ffaemu_alloc_free(&a, t->att[i]);
	}
	ffaemu_alloc_free(&a, t->rec);
	blobs_free(t);
	ffaemu_alloc_free(&a, t->blobs);
	trc_strtab_free(&t->strs, &a);
	trc_vers_free(&t->vers, &a);
	ffaemu_alloc_free(&a, t);
	*trace = NULL;
}

static int push_record(struct ffaemu_trace *t, struct ffaemu_trace_record *rec)
{
	if (t->cfg.max_records && t->n >= t->cfg.max_records) {
		t->dropped++;
		return FFAEMU_ENOMEM;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct ffaemu_trace_record *grown;

		if (cap > SIZE_MAX / sizeof(*grown))
			return FFAEMU_ENOMEM;
		grown = ffaemu_alloc_realloc(&t->alloc, t->rec, cap * sizeof(*grown));
		if (!grown) {
			t->dropped++;
			return FFAEMU_ENOMEM;
		}
		t->rec = grown;
		t->cap = cap;
		trace_set_room(t);
	}
	t->rec[t->n++] = *rec;
	return FFAEMU_OK;
}

/*
 * How many TX bytes a call reads: the fragment length of a memory
 * transaction in the TX buffer (w2, x3/w3 = 0: spec C1, E1-E2), FRAG_TX's
 * w3, the whole buffer for MEM_RELINQUISH and MSG_SEND2 (D8, D10).
 */
static uint32_t tx_needed(const struct ffaemu_trace_record *rec, uint32_t tx_size)
{
	uint32_t fid = ffaemu_fid_strip_hint(ffaemu_regs_w(&rec->in, 0));
	uint64_t need;

	switch (fid) {
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
		need = ffaemu_regs_w(&rec->in, 3) ? 0 : ffaemu_regs_w(&rec->in, 2);
		break;
	case FFAEMU_FFA_MEM_DONATE_64:
	case FFAEMU_FFA_MEM_LEND_64:
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ_64:
		need = rec->in.x[3] ? 0 : ffaemu_regs_w(&rec->in, 2);
		break;
	case FFAEMU_FFA_MEM_FRAG_TX:
		need = ffaemu_regs_w(&rec->in, 3);
		break;
	case FFAEMU_FFA_MEM_RELINQUISH:
	case FFAEMU_FFA_MSG_SEND2:
		need = tx_size;
		break;
	default:
		return 0;
	}
	return need < tx_size ? (uint32_t)need : tx_size;
}

static void snapshot_tx(struct ffaemu_trace *t, struct ffaemu_trace_record *rec,
			const struct trc_vers_entry *ve)
{
	uint32_t len = tx_needed(rec, ve->tx_size);
	uint8_t *b;

	if (!len)
		return;
	b = blob_copy(t, NULL, len);
	if (!b)
		return; /* the record goes without its snapshot */
	if (t->cfg.mem_read(t->cfg.mem_user, ve->tx_pa, b, len)) {
		blob_drop_last(t);
		return;
	}
	rec->tx = b;
	rec->tx_pa = ve->tx_pa;
	rec->tx_len = len;
}

static void trace_observer(void *user, const struct ffaemu_edge_event *ev)
{
	struct trc_attach *at = user;
	struct ffaemu_trace *t = at->trace;
	struct ffaemu_trace_record tmp;
	struct ffaemu_trace_record *rec = &tmp;
	struct trc_vers_entry *ve;
	uint32_t v = 0;

	/*
	 * Built in place when a free slot is already there (no growth, no
	 * limit reached): saves copying the record a second time. Otherwise
	 * push_record grows, limits and counts drops exactly as before. Not
	 * with user callbacks (the follower's too): one may make a traced call
	 * that takes the slot.
	 */
	if (t->n < t->room)
		rec = &t->rec[t->n];
	trc_record_from_event(rec, ev);
	rec->index = t->next_index++;
	if (t->cfg.record_entry)
		rec->depth = t->open_calls; /* calls still open enclose this one */
	if (!trc_event_names(&at->names, &t->strs, &t->alloc, ev, &rec->edge, &rec->callee)) {
		t->dropped++;
		if (t->follower)
			chk_follow_event(t->follower, &at->site, ev);
		return;
	}
	ve = trc_vers_get_hint(&t->vers, &t->alloc, trc_state_key(rec), rec->caller,
			       &at->vers_hint);
	if (t->quiet) {
		/* The steps below with every callback absent. */
		rec->ffa_version = ve ? ve->version : 0;
		if (ve)
			trc_vers_update(ve, rec);
	} else {
		if (t->cfg.version_fn)
			v = t->cfg.version_fn(t->cfg.version_user, ev);
		rec->ffa_version = v ? v : (ve ? ve->version : 0);
		if (t->cfg.mem_read && ve && ve->tx_size)
			snapshot_tx(t, rec, ve);
		if (ve)
			trc_vers_update(ve, rec);
		if (t->cfg.live_fn)
			trc_live(rec, t->cfg.live_format, t->cfg.live_fn, t->cfg.live_user);
	}
	if (rec == &tmp)
		push_record(t, &tmp);
	else
		t->n++;
	/* After the record is in: the order an attached checker behind the tracer sees. */
	if (t->follower)
		chk_follow_record(t->follower, &at->site, rec, ev);
}

void trc_set_follower(struct ffaemu_trace *t, struct ffaemu_check *c)
{
	t->follower = c;
	trace_set_room(t);
	for (size_t i = 0; i < t->natt; i++)
		memset(&t->att[i]->site, 0, sizeof(t->att[i]->site));
}

struct ffaemu_check *trc_follower(const struct ffaemu_trace *t)
{
	return t->follower;
}

bool trc_watches(const struct ffaemu_trace *t, const struct ffaemu_edge *edge)
{
	for (size_t i = 0; i < t->natt; i++)
		if (t->att[i]->edge == edge)
			return true;
	return false;
}

const char *trc_callee_by_edge_name(const struct ffaemu_trace *t, const char *name)
{
	for (size_t i = 0; i < t->natt; i++)
		if (strcmp(ffaemu_edge_name(t->att[i]->edge), name) == 0 &&
		    trc_callee_name(t->att[i]->edge))
			return trc_callee_name(t->att[i]->edge);
	return NULL;
}

/* record_entry: a transparent node in front of the real callee that counts open calls. */
static void wrapper_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct trc_attach *at = self;

	at->trace->open_calls++;
	ffaemu_node_call(at->inner, regs, ctx);
	at->trace->open_calls--;
}

static const struct ffaemu_node_ops wrapper_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "trace-entry",
	.call = wrapper_call,
	.destroy = NULL,
};

int ffaemu_trace_attach(struct ffaemu_trace *t, struct ffaemu_edge *edge)
{
	struct trc_attach *at;
	int rc;

	if (!t || !edge)
		return FFAEMU_EINVAL;
	/* A following checker attached to the edge itself would judge its calls twice. */
	if (trc_watches(t, edge) || (t->follower && chk_attached_to(t->follower, edge)))
		return FFAEMU_EEXIST;
	if (t->natt == TRC_MAX_EDGES)
		return FFAEMU_ENOMEM;
	at = ffaemu_alloc_zalloc(&t->alloc, sizeof(*at));
	if (!at)
		return FFAEMU_ENOMEM;
	at->edge = edge;
	at->trace = t;
	if (t->cfg.record_entry && ffaemu_edge_callee(edge)) {
		at->inner = ffaemu_edge_callee(edge);
		/* Same name as the node it stands in front of: records and checkers see through it. */
		at->ops = wrapper_ops;
		at->ops.name = ffaemu_node_name(at->inner);
		rc = ffaemu_node_new(&at->ops, at, t->cfg.alloc, &at->wrapper);
		if (rc) {
			ffaemu_alloc_free(&t->alloc, at);
			return rc;
		}
	}
	rc = ffaemu_edge_add_observer(edge, trace_observer, at);
	if (rc) {
		ffaemu_node_free(&at->wrapper);
		ffaemu_alloc_free(&t->alloc, at);
		return rc;
	}
	if (at->wrapper)
		ffaemu_edge_set_callee(edge, at->wrapper);
	t->att[t->natt++] = at;
	return FFAEMU_OK;
}

int ffaemu_trace_detach(struct ffaemu_trace *t, struct ffaemu_edge *edge)
{
	if (!t || !edge)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < t->natt; i++) {
		struct trc_attach *at = t->att[i];

		if (at->edge != edge)
			continue;
		ffaemu_edge_remove_observer(edge, trace_observer, at);
		unwrap(at);
		ffaemu_alloc_free(&t->alloc, at);
		memmove(&t->att[i], &t->att[i + 1], (t->natt - i - 1) * sizeof(t->att[0]));
		t->natt--;
		return FFAEMU_OK;
	}
	return FFAEMU_ENOENT;
}

int ffaemu_trace_assume_version(struct ffaemu_trace *t, const char *edge, ffaemu_id_t caller,
				uint32_t version)
{
	const char *e;
	struct trc_vers_entry *ve;

	if (!t || !edge || !version || !ffaemu_ffa_version_valid(version))
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < t->natt; i++) {
		if (strcmp(ffaemu_edge_name(t->att[i]->edge), edge) == 0 &&
		    trc_callee_name(t->att[i]->edge)) {
			edge = trc_callee_name(t->att[i]->edge);
			break;
		}
	}
	e = trc_intern(&t->strs, &t->alloc, edge);
	ve = e ? trc_vers_get(&t->vers, &t->alloc, e, caller) : NULL;
	if (!ve)
		return FFAEMU_ENOMEM;
	ve->version = version;
	ve->ended = true;
	return FFAEMU_OK;
}

void ffaemu_trace_clear(struct ffaemu_trace *t)
{
	if (!t)
		return;
	t->n = 0;
	t->next_index = 0;
	t->dropped = 0;
	t->vers.n = 0;
	blobs_free(t);
}

void ffaemu_trace_new_stack(struct ffaemu_trace *t)
{
	if (t)
		t->vers.n = 0;
}

size_t ffaemu_trace_count(const struct ffaemu_trace *t)
{
	return t ? t->n : 0;
}

uint64_t ffaemu_trace_dropped(const struct ffaemu_trace *t)
{
	return t ? t->dropped : 0;
}

const struct ffaemu_trace_record *ffaemu_trace_at(const struct ffaemu_trace *t, size_t i)
{
	if (!t || i >= t->n)
		return NULL;
	return &t->rec[i];
}

static int append_keep_index(struct ffaemu_trace *t, const struct ffaemu_trace_record *src,
			     bool keep_index)
{
	struct ffaemu_trace_record rec = *src;

	if (src->tx && src->tx_len > FFAEMU_TRACE_TX_MAX)
		return FFAEMU_EINVAL;
	rec.edge = trc_intern(&t->strs, &t->alloc, src->edge);
	rec.callee = src->callee ? trc_intern(&t->strs, &t->alloc, src->callee) : NULL;
	if (!rec.edge || (src->callee && !rec.callee))
		return FFAEMU_ENOMEM;
	if (src->tx && src->tx_len) {
		rec.tx = blob_copy(t, src->tx, src->tx_len);
		if (!rec.tx)
			return FFAEMU_ENOMEM;
	} else {
		rec.tx = NULL;
		rec.tx_len = 0;
		rec.tx_pa = 0;
	}
	if (keep_index) {
		if (rec.index >= t->next_index)
			t->next_index = rec.index + 1;
	} else {
		rec.index = t->next_index++;
	}
	return push_record(t, &rec);
}

int ffaemu_trace_append(struct ffaemu_trace *t, const struct ffaemu_trace_record *rec)
{
	if (!t || !rec)
		return FFAEMU_EINVAL;
	return append_keep_index(t, rec, false);
}

const struct ffaemu_alloc *trc_alloc_of(const struct ffaemu_trace *t)
{
	return &t->alloc;
}

int trc_append_raw(struct ffaemu_trace *t, const struct ffaemu_trace_record *rec)
{
	return append_keep_index(t, rec, true);
}

/* ---- replay ---- */

int ffaemu_trace_replay(const struct ffaemu_trace *t, const char *edge_name,
			struct ffaemu_edge *target, ffaemu_trace_diff_fn fn, void *user,
			struct ffaemu_trace_replay_result *result)
{
	return ffaemu_trace_replay_mem(t, edge_name, target, NULL, NULL, fn, user, result);
}

int ffaemu_trace_replay_mem(const struct ffaemu_trace *t, const char *edge_name,
			    struct ffaemu_edge *target,
			    int (*mem_write)(void *user, uint64_t pa, const void *src, size_t len),
			    void *mem_user, ffaemu_trace_diff_fn fn, void *user,
			    struct ffaemu_trace_replay_result *result)
{
	struct ffaemu_trace_replay_result res;

	if (!t || !target)
		return FFAEMU_EINVAL;
	memset(&res, 0, sizeof(res));
	/* Default: the edge of the first outermost call, i.e. the caller-facing edge. */
	if (!edge_name) {
		edge_name = "";
		for (size_t i = 0; i < t->n; i++) {
			if (t->rec[i].depth == 0) {
				edge_name = t->rec[i].edge;
				break;
			}
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct ffaemu_trace_record *r = &t->rec[i];
		struct ffaemu_call_ctx ctx;
		struct ffaemu_regs regs = r->in;
		uint32_t diff = 0;

		if (r->depth != 0 || strcmp(r->edge, edge_name) != 0)
			continue;
		memset(&ctx, 0, sizeof(ctx));
		ctx.caller = r->caller;
		ctx.instance = r->instance;
		ctx.el = r->el;
		ctx.secure = r->secure;
		ctx.aarch32 = r->aarch32;
		ctx.imm = r->imm;
		/* The caller's TX held these bytes when it made the call. */
		if (mem_write && r->tx && r->tx_len &&
		    mem_write(mem_user, r->tx_pa, r->tx, r->tx_len)) {
			if (result)
				*result = res;
			return FFAEMU_EIO;
		}
		ffaemu_edge_call(target, &regs, &ctx);
		res.calls++;
		for (unsigned n = 0; n < FFAEMU_NREGS; n++)
			if (regs.x[n] != r->out.x[n])
				diff |= FFAEMU_REG(n);
		if (diff) {
			if (!res.mismatches)
				res.first_mismatch = r->index;
			res.mismatches++;
			if (fn)
				fn(user, r, &regs, diff);
		}
	}
	if (result)
		*result = res;
	return FFAEMU_OK;
}
