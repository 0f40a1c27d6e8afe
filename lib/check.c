/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance checker object: attaches to edges as an observer, turns
 * each event into the same record the tracer writes (trace_priv.h), and
 * runs the rules on it. Offline checking feeds recorded records to the same
 * path, which is why both give the same findings.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/check.h>
#include <ffa/smccc.h>

#include "check_priv.h"

#define CHK_MAX_EDGES 64

struct chk_attach {
	struct ffaemu_edge *edge;
	struct ffaemu_check *check;
	struct chk_site site;
};

/*
 * Edges seen so far (by name), and state keys (callees) with calls the
 * checker missed: an edge first seen above call 0 makes its callee "late".
 */
struct chk_edge {
	const char *name; /* interned edge name, or state key */
	bool joined_late;
};

struct ffaemu_check {
	struct ffaemu_alloc alloc;
	struct ffaemu_check_config cfg;
	bool enabled[CHK_RULE_COUNT];
	uint64_t hits[CHK_RULE_COUNT];
	uint64_t total;
	struct ffaemu_check_violation *v;
	size_t nv, capv;
	struct chk_caller *callers;
	size_t ncallers, capcallers;
	struct chk_handle *handles;
	size_t nhandles, caphandles;
	struct chk_edge *edges, *keys;
	size_t nedges, capedges, nkeys, capkeys;
	struct trc_strtab strs;
	struct trc_vers vers; /* online version tracking, as the tracer does it */
	uint64_t next_index;
	struct chk_attach *att[CHK_MAX_EDGES];
	size_t natt;
	/*
	 * Bumped whenever a site's cached entries (struct chk_site) may no
	 * longer be what a lookup gives: tables emptied, a callee turned late.
	 */
	uint64_t gen;
	struct ffaemu_trace *follow; /* the tracer whose records are checked, if any */
	/*
	 * An online call went unjudged for want of memory: from then on every
	 * callee is judged as joined late (its history may be incomplete), so a
	 * lost call cannot make a later one look wrong.
	 */
	bool missed;
};

/* ---- catalogue ---- */

size_t ffaemu_check_rule_count(void)
{
	return CHK_RULE_COUNT;
}

const struct ffaemu_check_rule *ffaemu_check_rule_at(size_t i)
{
	return i < CHK_RULE_COUNT ? &chk_catalogue[i] : NULL;
}

static bool eq_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

static int rule_index(const char *id)
{
	if (!id)
		return -1;
	for (int i = 0; i < CHK_RULE_COUNT; i++)
		if (eq_ci(chk_catalogue[i].id, id))
			return i;
	return -1;
}

const struct ffaemu_check_rule *ffaemu_check_rule_by_id(const char *id)
{
	int i = rule_index(id);

	return i < 0 ? NULL : &chk_catalogue[i];
}

const char *ffaemu_check_severity_name(enum ffaemu_check_severity s)
{
	switch (s) {
	case FFAEMU_CHECK_INFO: return "info";
	case FFAEMU_CHECK_WARNING: return "warning";
	case FFAEMU_CHECK_ERROR: return "error";
	}
	return NULL;
}

const char *ffaemu_check_side_name(enum ffaemu_check_side s)
{
	switch (s) {
	case FFAEMU_CHECK_CALLER: return "caller";
	case FFAEMU_CHECK_CALLEE: return "callee";
	}
	return NULL;
}

int ffaemu_check_severity_parse(const char *text, enum ffaemu_check_severity *out)
{
	if (!text || !out)
		return FFAEMU_EINVAL;
	for (int s = FFAEMU_CHECK_INFO; s <= FFAEMU_CHECK_ERROR; s++) {
		if (eq_ci(text, ffaemu_check_severity_name((enum ffaemu_check_severity)s))) {
			*out = (enum ffaemu_check_severity)s;
			return FFAEMU_OK;
		}
	}
	return FFAEMU_EPARSE;
}

/* ---- object ---- */

void ffaemu_check_config_default(struct ffaemu_check_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->min_severity = FFAEMU_CHECK_INFO;
	cfg->default_ffa_version = 0;
}

int ffaemu_check_new(const struct ffaemu_check_config *user_cfg, struct ffaemu_check **out)
{
	struct ffaemu_check_config cfg;
	struct ffaemu_alloc a;
	struct ffaemu_check *c;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	ffaemu_check_config_default(&cfg);
	if (user_cfg) {
		if (user_cfg->size < sizeof(user_cfg->size))
			return FFAEMU_EINVAL;
		memcpy(&cfg, user_cfg, user_cfg->size < sizeof(cfg) ? user_cfg->size : sizeof(cfg));
		cfg.size = sizeof(cfg);
	}
	if ((unsigned)cfg.min_severity > FFAEMU_CHECK_ERROR ||
	    !ffaemu_ffa_version_valid(cfg.default_ffa_version))
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&a, cfg.alloc);
	c = ffaemu_alloc_zalloc(&a, sizeof(*c));
	if (!c)
		return FFAEMU_ENOMEM;
	c->alloc = a;
	c->cfg = cfg;
	for (int i = 0; i < CHK_RULE_COUNT; i++)
		c->enabled[i] = true;
	c->gen = 1; /* a site with gen 0 has nothing cached */
	*out = c;
	return FFAEMU_OK;
}

static void check_observer(void *user, const struct ffaemu_edge_event *ev);

void ffaemu_check_free(struct ffaemu_check **check)
{
	struct ffaemu_check *c;
	struct ffaemu_alloc a;

	if (!check || !*check)
		return;
	c = *check;
	a = c->alloc;
	if (c->follow)
		trc_set_follower(c->follow, NULL);
	for (size_t i = 0; i < c->natt; i++) {
		ffaemu_edge_remove_observer(c->att[i]->edge, check_observer, c->att[i]);
		ffaemu_alloc_free(&a, c->att[i]);
	}
	ffaemu_alloc_free(&a, c->v);
	ffaemu_alloc_free(&a, c->callers);
	ffaemu_alloc_free(&a, c->handles);
	ffaemu_alloc_free(&a, c->edges);
	ffaemu_alloc_free(&a, c->keys);
	trc_strtab_free(&c->strs, &a);
	trc_vers_free(&c->vers, &a);
	ffaemu_alloc_free(&a, c);
	*check = NULL;
}

static void forget_state(struct ffaemu_check *c)
{
	c->nv = 0;
	c->total = 0;
	memset(c->hits, 0, sizeof(c->hits));
	c->ncallers = 0;
	c->nhandles = 0;
	c->nedges = 0;
	c->nkeys = 0;
	c->vers.n = 0;
	c->next_index = 0;
	c->missed = false;
	c->gen++;
}

void ffaemu_check_reset(struct ffaemu_check *c)
{
	if (c)
		forget_state(c);
}

void ffaemu_check_new_stack(struct ffaemu_check *c)
{
	if (!c)
		return;
	/* what the callers negotiated, own and hold belongs to the old stack */
	c->ncallers = 0;
	c->nhandles = 0;
	c->nedges = 0;
	c->nkeys = 0;
	c->vers.n = 0;
	c->missed = false; /* nothing of the new stack went unjudged */
	c->gen++;
}

/* ---- state tables (check_priv.h) ---- */

static void *grow(const struct ffaemu_alloc *a, void *p, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *np;

	if (ncap > SIZE_MAX / elem)
		return NULL;
	np = ffaemu_alloc_realloc(a, p, ncap * elem);
	if (np)
		*cap = ncap;
	return np;
}

static struct chk_caller *caller_state(struct ffaemu_check *c, const char *edge, ffaemu_id_t id)
{
	for (size_t i = 0; i < c->ncallers; i++)
		if (c->callers[i].edge == edge && c->callers[i].caller == id)
			return &c->callers[i];
	if (c->ncallers == c->capcallers) {
		void *np = grow(&c->alloc, c->callers, &c->capcallers, sizeof(*c->callers));

		if (!np)
			return NULL;
		c->callers = np;
	}
	memset(&c->callers[c->ncallers], 0, sizeof(c->callers[0]));
	c->callers[c->ncallers].edge = edge;
	c->callers[c->ncallers].caller = id;
	return &c->callers[c->ncallers++];
}

static inline struct chk_caller *caller_state_hint(struct ffaemu_check *c, const char *edge,
						   ffaemu_id_t id, size_t *hint)
{
	struct chk_caller *st;

	if (hint && *hint < c->ncallers && c->callers[*hint].edge == edge &&
	    c->callers[*hint].caller == id)
		return &c->callers[*hint];
	st = caller_state(c, edge, id);
	if (st && hint)
		*hint = (size_t)(st - c->callers);
	return st;
}

struct chk_handle *chk_handle_find(struct chk_sink *s, const char *edge, uint64_t handle)
{
	struct ffaemu_check *c = s->check;

	for (size_t i = 0; i < c->nhandles; i++)
		if (c->handles[i].edge == edge && c->handles[i].handle == handle)
			return &c->handles[i];
	return NULL;
}

struct chk_handle *chk_handle_add(struct chk_sink *s, const char *edge, uint64_t handle)
{
	struct ffaemu_check *c = s->check;

	if (c->nhandles == c->caphandles) {
		void *np = grow(&c->alloc, c->handles, &c->caphandles, sizeof(*c->handles));

		if (!np)
			return NULL;
		c->handles = np;
	}
	memset(&c->handles[c->nhandles], 0, sizeof(c->handles[0]));
	c->handles[c->nhandles].edge = edge;
	c->handles[c->nhandles].handle = handle;
	return &c->handles[c->nhandles++];
}

void chk_report(struct chk_sink *s, enum chk_rule rule, const struct ffaemu_trace_record *rec,
		uint32_t in_regs, uint32_t out_regs, const char *fmt, ...)
{
	struct ffaemu_check *c = s->check;
	struct ffaemu_check_violation *v, scratch;
	bool stored = false;
	va_list ap;

	if (!c->enabled[rule] || chk_catalogue[rule].severity < c->cfg.min_severity)
		return;
	c->total++;
	c->hits[rule]++;
	v = &scratch;
	if (!c->cfg.max_violations || c->nv < c->cfg.max_violations) {
		if (c->nv == c->capv) {
			void *np = grow(&c->alloc, c->v, &c->capv, sizeof(*c->v));

			if (np)
				c->v = np;
		}
		if (c->nv < c->capv) {
			v = &c->v[c->nv];
			stored = true;
		}
	}
	memset(v, 0, sizeof(*v));
	v->rule = &chk_catalogue[rule];
	v->call_index = s->cur.index;
	v->edge = s->cur.edge;
	v->edge_index = rec->edge_index;
	v->caller = rec->caller;
	v->fid = ffaemu_regs_w(&rec->in, 0);
	v->ffa_version = s->cur.ffa_version;
	v->in_regs = in_regs;
	v->out_regs = out_regs;
	v->in = rec->in;
	v->out = rec->out;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
	if (stored)
		c->nv++;
	if (c->cfg.report_fn)
		c->cfg.report_fn(c->cfg.report_user, v);
}

/* ---- feeding calls ---- */

static struct chk_edge *name_entry_find(struct ffaemu_check *c, struct chk_edge **tab,
					size_t *n, size_t *cap, const char *name, bool *added,
					size_t *hint)
{
	for (size_t i = 0; i < *n; i++)
		if ((*tab)[i].name == name) {
			if (hint)
				*hint = i;
			return &(*tab)[i];
		}
	if (*n == *cap) {
		void *np = grow(&c->alloc, *tab, cap, sizeof(**tab));

		if (!np)
			return NULL;
		*tab = np;
	}
	(*tab)[*n].name = name;
	(*tab)[*n].joined_late = false;
	*added = true;
	if (hint)
		*hint = *n;
	return &(*tab)[(*n)++];
}

/* The entry for name, added if new; *hint (may be NULL) is tried first. */
static inline struct chk_edge *name_entry(struct ffaemu_check *c, struct chk_edge **tab,
					  size_t *n, size_t *cap, const char *name, bool *added,
					  size_t *hint)
{
	*added = false;
	if (hint && *hint < *n && (*tab)[*hint].name == name)
		return &(*tab)[*hint];
	return name_entry_find(c, tab, n, cap, name, added, hint);
}

/*
 * Whether calls to this call's callee (key) may have gone unseen: the edge
 * counts calls from 0, so a first sighting above 0 means the checker joined
 * late, and every conduit to that callee shares the doubt (a proxy that
 * negotiated on its SMCCC 1.1 conduit and talks on the 1.2 one). site (may
 * be NULL) gives the lookup hints.
 */
static int joined_late(struct ffaemu_check *c, const char *edge, const char *key,
		       uint64_t edge_index, bool *late, struct chk_site *site)
{
	bool added;
	struct chk_edge *e = name_entry(c, &c->edges, &c->nedges, &c->capedges, edge, &added,
					site ? &site->edge_i : NULL);
	struct chk_edge *k;

	if (!e)
		return FFAEMU_ENOMEM;
	if (added)
		e->joined_late = edge_index != 0;
	k = name_entry(c, &c->keys, &c->nkeys, &c->capkeys, key, &added, site ? &site->key_i : NULL);
	if (!k)
		return FFAEMU_ENOMEM;
	if (e->joined_late && !k->joined_late) {
		k->joined_late = true;
		c->gen++; /* a site may hold this key as not late */
	}
	*late = k->joined_late;
	return FFAEMU_OK;
}

/* Inlined into each caller: the per-call path pays no extra frame. */
#if defined(__GNUC__) || defined(__clang__)
#define CHK_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CHK_ALWAYS_INLINE inline
#endif

/*
 * One call seen online, on an attached edge or through a followed tracer:
 * rec gives the call (its names, index and version are not used), edge and
 * callee are interned by the checker, index is the checker's count.
 * same_names: the caller vouches that edge and callee are the names the
 * site's cache was filled with (it zeroes site->gen when they change).
 */
static CHK_ALWAYS_INLINE void run_online(struct ffaemu_check *c, struct chk_site *site,
		       const struct ffaemu_trace_record *rec, const char *edge, const char *callee,
		       uint64_t index, const struct ffaemu_edge_event *ev, bool same_names)
{
	const char *key = callee ? callee : edge;
	struct chk_sink s = {.check = c, .cur = {.edge = edge, .key = key, .index = index}};
	struct trc_vers_entry *ve;
	struct chk_caller *st;
	uint32_t v = 0;
	bool late;

	if (c->cfg.version_fn)
		v = c->cfg.version_fn(c->cfg.version_user, ev);
	if (site->gen == c->gen && (same_names || (site->c_edge == edge && site->c_key == key)) &&
	    site->caller == rec->caller) {
		/* The entries of the site's last call: no table changed since (c->gen). */
		ve = &c->vers.e[site->vers];
		s.cur.ffa_version = v ? v : ve->version;
		trc_vers_update(ve, rec);
		late = site->late;
		st = &c->callers[site->caller_i];
	} else {
		/* Version tracking as the tracer does it (trace.c), so offline checks agree. */
		ve = trc_vers_get_hint(&c->vers, &c->alloc, key, rec->caller, &site->vers);
		s.cur.ffa_version = v ? v : (ve ? ve->version : 0);
		if (ve)
			trc_vers_update(ve, rec);
		else
			c->missed = true; /* the caller's version is no longer followed */
		if (joined_late(c, edge, key, rec->edge_index, &late, site)) {
			c->missed = true;
			return;
		}
		st = caller_state_hint(c, key, rec->caller, &site->caller_i);
		if (!st) {
			c->missed = true;
			return;
		}
		if (ve) {
			site->gen = c->gen;
			site->c_edge = edge;
			site->c_key = key;
			site->caller = rec->caller;
			site->late = late;
		}
	}
	chk_evaluate(&s, st, rec, c->cfg.default_ffa_version, late || c->missed);
}

/* An edge event: the checker builds its own record (attached, or the tracer's was lost). */
static void observe_event(struct ffaemu_check *c, struct chk_site *site,
			  const struct ffaemu_edge_event *ev)
{
	struct ffaemu_trace_record rec;
	uint64_t index = c->next_index++;
	const char *edge, *callee;

	/* Exactly what the tracer records, so offline checks agree (trace.c). */
	trc_record_from_event(&rec, ev);
	if (!trc_event_names(&site->names, &c->strs, &c->alloc, ev, &edge, &callee)) {
		c->missed = true;
		return;
	}
	run_online(c, site, &rec, edge, callee, index, ev, false);
}

static int run_record(struct ffaemu_check *c, const struct ffaemu_trace_record *src)
{
	const char *edge = trc_intern(&c->strs, &c->alloc, src->edge);
	const char *callee = src->callee ? trc_intern(&c->strs, &c->alloc, src->callee) : NULL;
	struct chk_sink s = {.check = c};
	struct chk_caller *st;
	bool late;

	if (!edge || (src->callee && !callee))
		return FFAEMU_ENOMEM;
	s.cur.edge = edge;
	s.cur.key = callee ? callee : edge;
	s.cur.index = src->index;
	s.cur.ffa_version = src->ffa_version; /* the record's version is the one in force */
	if (joined_late(c, edge, s.cur.key, src->edge_index, &late, NULL))
		return FFAEMU_ENOMEM;
	st = caller_state(c, s.cur.key, src->caller);
	if (!st)
		return FFAEMU_ENOMEM;
	chk_evaluate(&s, st, src, c->cfg.default_ffa_version, late);
	return FFAEMU_OK;
}

int ffaemu_check_assume_version(struct ffaemu_check *c, const char *edge, ffaemu_id_t caller,
				uint32_t version)
{
	const char *e, *callee = NULL;
	struct trc_vers_entry *ve;
	struct chk_caller *st;

	if (!c || !edge || !version || !ffaemu_ffa_version_valid(version))
		return FFAEMU_EINVAL;
	/* An observed edge's name stands for its callee: the state lives there. */
	for (size_t i = 0; i < c->natt && !callee; i++)
		if (strcmp(ffaemu_edge_name(c->att[i]->edge), edge) == 0)
			callee = trc_callee_name(c->att[i]->edge);
	if (!callee && c->follow)
		callee = trc_callee_by_edge_name(c->follow, edge);
	if (callee)
		edge = callee;
	e = trc_intern(&c->strs, &c->alloc, edge);
	if (!e)
		return FFAEMU_ENOMEM;
	ve = trc_vers_get(&c->vers, &c->alloc, e, caller);
	st = caller_state(c, e, caller);
	if (!ve || !st)
		return FFAEMU_ENOMEM;
	/* Negotiated and in use: later FFA_VERSION calls are judged against it (spec C4). */
	ve->version = version;
	ve->ended = true;
	st->requested = version;
	st->requested_set = true;
	st->ended = true;
	return FFAEMU_OK;
}

int ffaemu_check_record(struct ffaemu_check *c, const struct ffaemu_trace_record *rec)
{
	if (!c || !rec)
		return FFAEMU_EINVAL;
	return run_record(c, rec);
}

int ffaemu_check_trace(struct ffaemu_check *c, const struct ffaemu_trace *trace)
{
	if (!c || !trace)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < ffaemu_trace_count(trace); i++) {
		int rc = run_record(c, ffaemu_trace_at(trace, i));

		if (rc)
			return rc;
	}
	return FFAEMU_OK;
}

static void check_observer(void *user, const struct ffaemu_edge_event *ev)
{
	struct chk_attach *at = user;

	observe_event(at->check, &at->site, ev);
}

/* ---- following a tracer (trace_priv.h) ---- */

void chk_follow_record(struct ffaemu_check *c, struct chk_site *site,
		       const struct ffaemu_trace_record *rec, const struct ffaemu_edge_event *ev)
{
	uint64_t index = c->next_index++;

	/* The tracer's names, interned again here: violations and tables hold the checker's. */
	if (!site->edge || rec->edge != site->t_edge || rec->callee != site->t_callee) {
		const char *edge = trc_intern(&c->strs, &c->alloc, rec->edge);
		const char *callee = edge && rec->callee ? trc_intern(&c->strs, &c->alloc, rec->callee)
							 : NULL;

		if (!edge || (rec->callee && !callee))
			return;
		site->t_edge = rec->edge;
		site->t_callee = rec->callee;
		site->edge = edge;
		site->callee = callee;
		site->gen = 0; /* cached entries were for the old names */
	}
	run_online(c, site, rec, site->edge, site->callee, index, ev, true);
}

void chk_follow_event(struct ffaemu_check *c, struct chk_site *site,
		      const struct ffaemu_edge_event *ev)
{
	observe_event(c, site, ev);
}

bool chk_has_callbacks(const struct ffaemu_check *c)
{
	return c->cfg.report_fn || c->cfg.version_fn;
}

void chk_trace_gone(struct ffaemu_check *c)
{
	c->follow = NULL;
}

bool chk_attached_to(const struct ffaemu_check *c, const struct ffaemu_edge *edge)
{
	for (size_t i = 0; i < c->natt; i++)
		if (c->att[i]->edge == edge)
			return true;
	return false;
}

int ffaemu_check_follow(struct ffaemu_check *c, struct ffaemu_trace *trace)
{
	if (!c)
		return FFAEMU_EINVAL;
	if (!trace) {
		if (c->follow)
			trc_set_follower(c->follow, NULL);
		c->follow = NULL;
		return FFAEMU_OK;
	}
	if (c->follow == trace)
		return FFAEMU_OK;
	if (c->follow || trc_follower(trace))
		return FFAEMU_EEXIST;
	/* An edge both watch directly would have its calls judged twice. */
	for (size_t i = 0; i < c->natt; i++)
		if (trc_watches(trace, c->att[i]->edge))
			return FFAEMU_EEXIST;
	trc_set_follower(trace, c);
	c->follow = trace;
	return FFAEMU_OK;
}

int ffaemu_check_attach(struct ffaemu_check *c, struct ffaemu_edge *edge)
{
	struct chk_attach *at;
	int rc;

	if (!c || !edge)
		return FFAEMU_EINVAL;
	if (chk_attached_to(c, edge) || (c->follow && trc_watches(c->follow, edge)))
		return FFAEMU_EEXIST;
	if (c->natt == CHK_MAX_EDGES)
		return FFAEMU_ENOMEM;
	at = ffaemu_alloc_zalloc(&c->alloc, sizeof(*at));
	if (!at)
		return FFAEMU_ENOMEM;
	at->edge = edge;
	at->check = c;
	rc = ffaemu_edge_add_observer(edge, check_observer, at);
	if (rc) {
		ffaemu_alloc_free(&c->alloc, at);
		return rc;
	}
	c->att[c->natt++] = at;
	return FFAEMU_OK;
}

int ffaemu_check_detach(struct ffaemu_check *c, struct ffaemu_edge *edge)
{
	if (!c || !edge)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < c->natt; i++) {
		struct chk_attach *at = c->att[i];

		if (at->edge != edge)
			continue;
		ffaemu_edge_remove_observer(edge, check_observer, at);
		ffaemu_alloc_free(&c->alloc, at);
		memmove(&c->att[i], &c->att[i + 1], (c->natt - i - 1) * sizeof(c->att[0]));
		c->natt--;
		return FFAEMU_OK;
	}
	return FFAEMU_ENOENT;
}

/* ---- configuration and results ---- */

int ffaemu_check_enable(struct ffaemu_check *c, const char *id, bool on)
{
	int i;

	if (!c || !id)
		return FFAEMU_EINVAL;
	if (strcmp(id, "*") == 0) {
		for (i = 0; i < CHK_RULE_COUNT; i++)
			c->enabled[i] = on;
		return FFAEMU_OK;
	}
	i = rule_index(id);
	if (i < 0)
		return FFAEMU_ENOENT;
	c->enabled[i] = on;
	return FFAEMU_OK;
}

bool ffaemu_check_enabled(const struct ffaemu_check *c, const char *id)
{
	int i = rule_index(id);

	return c && i >= 0 && c->enabled[i];
}

void ffaemu_check_set_min_severity(struct ffaemu_check *c, enum ffaemu_check_severity min)
{
	if (c && (unsigned)min <= FFAEMU_CHECK_ERROR)
		c->cfg.min_severity = min;
}

uint64_t ffaemu_check_mark(const struct ffaemu_check *c)
{
	return c ? c->total : 0;
}

uint64_t ffaemu_check_count_since(const struct ffaemu_check *c, uint64_t mark)
{
	if (!c || mark > c->total)
		return 0;
	return c->total - mark;
}

uint64_t ffaemu_check_count(const struct ffaemu_check *c)
{
	return c ? c->total : 0;
}

uint64_t ffaemu_check_rule_hits(const struct ffaemu_check *c, const char *id)
{
	int i = rule_index(id);

	return (c && i >= 0) ? c->hits[i] : 0;
}

size_t ffaemu_check_stored(const struct ffaemu_check *c)
{
	return c ? c->nv : 0;
}

const struct ffaemu_check_violation *ffaemu_check_violation_at(const struct ffaemu_check *c,
							       size_t i)
{
	if (!c || i >= c->nv)
		return NULL;
	return &c->v[i];
}

int ffaemu_check_violation_format(const struct ffaemu_check_violation *v, char *buf, size_t len)
{
	char nb[16];
	const char *name;
	size_t pos = 0;
	int n;

#define APPEND(...)                                                                         \
	do {                                                                                \
		n = snprintf(pos < len ? buf + pos : NULL, pos < len ? len - pos : 0,       \
			     __VA_ARGS__);                                                  \
		if (n > 0)                                                                  \
			pos += (size_t)n;                                                   \
	} while (0)

	if (buf && len)
		buf[0] = '\0';
	if (!v || !v->rule)
		return 0;
	name = ffaemu_smccc_fid_name(v->fid);
	if (!name) {
		snprintf(nb, sizeof(nb), "0x%08x", (unsigned)v->fid);
		name = nb;
	}
	/* The side says who broke the rule: the endpoint that called, or the callee answering it. */
	APPEND("%s %s #%llu %s ep 0x%04x %s, by the %s: %s [%s]",
	       ffaemu_check_severity_name(v->rule->severity), v->rule->id,
	       (unsigned long long)v->call_index, v->edge ? v->edge : "", v->caller, name,
	       ffaemu_check_side_name(v->rule->side), v->detail, v->rule->spec);
	if (v->in_regs) {
		APPEND("\n  in ");
		for (unsigned r = 0; r < FFAEMU_NREGS; r++)
			if (v->in_regs & FFAEMU_REG(r))
				APPEND(" x%u=0x%llx", r, (unsigned long long)v->in.x[r]);
	}
	if (v->out_regs) {
		APPEND("\n  out");
		for (unsigned r = 0; r < FFAEMU_NREGS; r++)
			if (v->out_regs & FFAEMU_REG(r))
				APPEND(" x%u=0x%llx", r, (unsigned long long)v->out.x[r]);
	}
#undef APPEND
	return pos > 0x7fffffff ? 0x7fffffff : (int)pos;
}

int ffaemu_check_print(const struct ffaemu_check *c, uint64_t mark, FILE *f)
{
	char line[1024];

	if (!c || !f)
		return FFAEMU_EINVAL;
	for (size_t i = (size_t)(mark < c->nv ? mark : c->nv); i < c->nv; i++) {
		ffaemu_check_violation_format(&c->v[i], line, sizeof(line));
		if (fprintf(f, "%s\n", line) < 0)
			return FFAEMU_EIO;
	}
	return FFAEMU_OK;
}
