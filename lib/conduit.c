/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conduit edges: apply the SMCCC register contract of one version to every
 * call from a caller to the callee node (spec A7, A8, A10).
 *
 * An edge holds configuration, wiring, observers and counters only. All
 * per-call state is on the stack so a callee may call back through any
 * edge, this one included, while a call is in progress.
 */
#include <string.h>

#include <ffa/conduit.h>

#include "alloc.h"
#include "compiler.h"
#include "conduit_priv.h"

#define EDGE_MAX_OBSERVERS 8
#define W_MASK 0xffffffffull

struct edge_observer {
	ffaemu_edge_observer_fn fn;
	void *user;
};

/*
 * The register contract of one convention (SMC32/SMC64) under the edge's
 * SMCCC version, precomputed at creation: every version of spec A7 has
 * results x0..x(nres-1) and one treatment for all the registers above.
 */
enum edge_tail { TAIL_PRESERVED, TAIL_POISON, TAIL_COPY };

struct edge_shape {
	struct ffaemu_smccc_regclass rc;
	bool fast;          /* the masks have the shape below; else the per-register path */
	unsigned nres;      /* results are x0..x(nres-1) */
	enum edge_tail tail;
	uint32_t poisoned;  /* TAIL_POISON: the mask it reports */
	bool mask_args;     /* SMC32: the FID and the args are read as W registers */
	/*
	 * fast only: after the block path *regs equals the callee's working
	 * copy (every tail register a result, the callee's, or preserved and
	 * not W-masked), so an observed event needs no copy of the reply.
	 */
	bool out_is_work;
};

/* An SMC32 callee reads W registers only, FID included (spec A1, A8; TFA-STD). */
static void mask_w(const struct edge_shape *sh, struct ffaemu_regs *r)
{
	if (!sh->mask_args)
		return;
	if (sh->rc.args == FFAEMU_REG_RANGE(1, 7)) {
		for (unsigned n = 0; n < 8; n++)
			r->x[n] &= W_MASK;
		return;
	}
	r->x[0] &= W_MASK;
	for (unsigned n = 1; n < FFAEMU_NREGS; n++)
		if (sh->rc.args & FFAEMU_REG(n))
			r->x[n] &= W_MASK;
}

struct ffaemu_edge {
	struct ffaemu_alloc alloc;
	struct edge_shape shape[2]; /* [smc64] */
	struct ffaemu_edge_config cfg; /* cfg.name points at name */
	char *name;
	struct ffaemu_node *callee;
	struct edge_observer obs[EDGE_MAX_OBSERVERS];
	unsigned nobs;
	/*
	 * SMC64 calls may go to the callee in place: every register is an
	 * unmasked argument and a result (SMCCC 1.2 SMC64, spec A7) and there
	 * is a callee (inplace64_shape); inplace64: and nobody observes the
	 * input either (edge_update_inplace).
	 */
	bool inplace64_shape, inplace64;
	struct ffaemu_edge_stats stats;
	uint32_t name_gen, callee_gen; /* conduit_priv.h */
};

static void edge_update_inplace(struct ffaemu_edge *e)
{
	const struct edge_shape *sh = &e->shape[1];

	e->inplace64_shape = sh->nres == FFAEMU_NREGS && sh->fast && !sh->mask_args && e->callee;
	e->inplace64 = e->inplace64_shape && !e->nobs;
}

void ffaemu_edge_config_default(struct ffaemu_edge_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->name = "edge";
	cfg->conduit = FFAEMU_CONDUIT_SMC;
	cfg->smccc_version = FFAEMU_SMCCC_1_2;
	cfg->poison = true;
	cfg->poison_pattern = FFAEMU_POISON_DEFAULT;
	cfg->mask_smc32_args = true;
	cfg->zero_extend_smc32 = true;
	cfg->alloc = NULL;
}

static void shape_init(struct edge_shape *sh, const struct ffaemu_edge_config *cfg, bool smc64)
{
	uint32_t above;

	sh->rc = ffaemu_smccc_regclass(cfg->smccc_version, smc64);
	sh->mask_args = !smc64 && cfg->mask_smc32_args;
	sh->fast = false;
	sh->out_is_work = false;
	sh->nres = 0;
	while (sh->nres < FFAEMU_NREGS && (sh->rc.results & FFAEMU_REG(sh->nres)))
		sh->nres++;
	if (sh->nres == 0 || sh->rc.results != FFAEMU_REG_RANGE(0, sh->nres - 1))
		return;
	above = sh->nres < FFAEMU_NREGS ? FFAEMU_REG_RANGE(sh->nres, FFAEMU_NREGS - 1) : 0;
	/* The SMC32 argument mask must be x1..x7 for the block masking below. */
	if (sh->mask_args && sh->rc.args != FFAEMU_REG_RANGE(1, 7))
		return;
	if (above && (sh->rc.preserved & above) == above) {
		sh->tail = TAIL_PRESERVED;
	} else if ((sh->rc.preserved & above) == 0) {
		/* Neither result nor preserved: poisoned or the callee's value, as the loop does. */
		sh->tail = cfg->poison ? TAIL_POISON : TAIL_COPY;
		sh->poisoned = cfg->poison ? above : 0;
	} else {
		return;
	}
	sh->fast = true;
	sh->out_is_work = sh->nres == FFAEMU_NREGS || sh->tail == TAIL_COPY ||
			  (sh->tail == TAIL_PRESERVED && (!sh->mask_args || sh->nres >= 8));
}

int ffaemu_edge_new(const struct ffaemu_edge_config *user_cfg, struct ffaemu_node *callee,
		    struct ffaemu_edge **out)
{
	struct ffaemu_edge_config cfg;
	struct ffaemu_alloc a;
	struct ffaemu_edge *e;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	ffaemu_edge_config_default(&cfg);
	if (user_cfg) {
		/* A caller built against an older, shorter config keeps defaults for the rest. */
		if (user_cfg->size < sizeof(user_cfg->size))
			return FFAEMU_EINVAL;
		memcpy(&cfg, user_cfg,
		       user_cfg->size < sizeof(cfg) ? user_cfg->size : sizeof(cfg));
		cfg.size = sizeof(cfg);
	}
	if (!cfg.name)
		cfg.name = "edge";
	if (cfg.conduit != FFAEMU_CONDUIT_SMC && cfg.conduit != FFAEMU_CONDUIT_HVC &&
	    cfg.conduit != FFAEMU_CONDUIT_SVC)
		return FFAEMU_EINVAL;
	/* A version word has bit 31 clear and major >= 1 (spec A4). */
	if ((cfg.smccc_version & 0x80000000u) || cfg.smccc_version < FFAEMU_SMCCC_1_0)
		return FFAEMU_EINVAL;

	ffaemu_alloc_init(&a, cfg.alloc);
	e = ffaemu_alloc_zalloc(&a, sizeof(*e));
	if (!e)
		return FFAEMU_ENOMEM;
	e->name = ffaemu_alloc_strdup(&a, cfg.name);
	if (!e->name) {
		ffaemu_alloc_free(&a, e);
		return FFAEMU_ENOMEM;
	}
	e->alloc = a;
	e->cfg = cfg;
	shape_init(&e->shape[0], &cfg, false);
	shape_init(&e->shape[1], &cfg, true);
	e->cfg.name = e->name;
	e->callee = callee;
	edge_update_inplace(e);
	*out = e;
	return FFAEMU_OK;
}

void ffaemu_edge_free(struct ffaemu_edge **edge)
{
	struct ffaemu_edge *e;
	struct ffaemu_alloc a;

	if (!edge || !*edge)
		return;
	e = *edge;
	*edge = NULL;
	a = e->alloc;
	ffaemu_alloc_free(&a, e->name);
	ffaemu_alloc_free(&a, e);
}

void ffaemu_edge_set_callee(struct ffaemu_edge *edge, struct ffaemu_node *callee)
{
	if (edge) {
		edge->callee = callee;
		edge->callee_gen++;
		edge_update_inplace(edge);
	}
}

uint64_t conduit_names_gen(const struct ffaemu_edge *edge)
{
	return ((uint64_t)edge->callee_gen << 32) | edge->name_gen;
}

struct ffaemu_node *ffaemu_edge_callee(const struct ffaemu_edge *edge)
{
	return edge ? edge->callee : NULL;
}

const char *ffaemu_edge_name(const struct ffaemu_edge *edge)
{
	return edge ? edge->name : NULL;
}

int ffaemu_edge_set_name(struct ffaemu_edge *edge, const char *name)
{
	char *n;

	if (!edge || !name)
		return FFAEMU_EINVAL;
	if (strcmp(edge->name, name) == 0)
		return 0;
	n = ffaemu_alloc_strdup(&edge->alloc, name);
	if (!n)
		return FFAEMU_ENOMEM;
	ffaemu_alloc_free(&edge->alloc, edge->name);
	edge->name = n;
	edge->cfg.name = n;
	edge->name_gen++;
	return 0;
}

const struct ffaemu_edge_config *ffaemu_edge_get_config(const struct ffaemu_edge *edge)
{
	return edge ? &edge->cfg : NULL;
}

int ffaemu_edge_add_observer(struct ffaemu_edge *edge, ffaemu_edge_observer_fn fn, void *user)
{
	if (!edge || !fn)
		return FFAEMU_EINVAL;
	for (unsigned i = 0; i < edge->nobs; i++)
		if (edge->obs[i].fn == fn && edge->obs[i].user == user)
			return FFAEMU_EEXIST;
	if (edge->nobs >= EDGE_MAX_OBSERVERS)
		return FFAEMU_ERANGE;
	edge->obs[edge->nobs].fn = fn;
	edge->obs[edge->nobs].user = user;
	edge->nobs++;
	edge_update_inplace(edge);
	return FFAEMU_OK;
}

int ffaemu_edge_remove_observer(struct ffaemu_edge *edge, ffaemu_edge_observer_fn fn, void *user)
{
	if (!edge || !fn)
		return FFAEMU_EINVAL;
	for (unsigned i = 0; i < edge->nobs; i++) {
		if (edge->obs[i].fn != fn || edge->obs[i].user != user)
			continue;
		/* Keep the order of the others: observers run in the order added. */
		memmove(&edge->obs[i], &edge->obs[i + 1],
			(edge->nobs - i - 1) * sizeof(edge->obs[0]));
		edge->nobs--;
		edge_update_inplace(edge);
		return FFAEMU_OK;
	}
	return FFAEMU_ENOENT;
}

void ffaemu_edge_get_stats(const struct ffaemu_edge *edge, struct ffaemu_edge_stats *st)
{
	if (!st)
		return;
	if (!edge) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = edge->stats;
}

/* Complete ev (in and out already set) and run the observers. */
static void deliver(struct ffaemu_edge *e, struct ffaemu_edge_event *ev, uint64_t index,
		    const struct ffaemu_call_ctx *ctx, uint32_t violations,
		    uint32_t preserved_changed, uint32_t smc32_upper, uint32_t poisoned)
{
	struct edge_observer obs[EDGE_MAX_OBSERVERS];
	unsigned n = e->nobs;

	/* A snapshot: an observer may add or remove observers while we iterate. */
	for (unsigned i = 0; i < n; i++)
		obs[i] = e->obs[i];
	ev->edge = e;
	ev->edge_name = e->name;
	ev->index = index;
	ev->ctx = ctx;
	ev->violations = violations;
	ev->preserved_changed = preserved_changed;
	ev->smc32_upper = smc32_upper;
	ev->poisoned = poisoned;
	for (unsigned i = 0; i < n; i++)
		obs[i].fn(obs[i].user, ev);
}

static void notify(struct ffaemu_edge *e, uint64_t index, const struct ffaemu_call_ctx *ctx,
		   const struct ffaemu_regs *in, const struct ffaemu_regs *out,
		   uint32_t violations, uint32_t preserved_changed, uint32_t smc32_upper,
		   uint32_t poisoned)
{
	struct ffaemu_edge_event ev;

	ev.in = *in;
	ev.out = *out;
	deliver(e, &ev, index, ctx, violations, preserved_changed, smc32_upper, poisoned);
}

/* Publish the reply (*regs still holds the input) and tell the observers. */
static void finish(struct ffaemu_edge *e, uint64_t index, const struct ffaemu_call_ctx *c,
		   struct ffaemu_regs *regs, const struct ffaemu_regs *out, uint32_t violations,
		   uint32_t preserved_changed, uint32_t smc32_upper, uint32_t poisoned)
{
	if (violations)
		e->stats.violations++;
	e->stats.last_violations = violations;
	if (e->nobs) {
		struct ffaemu_regs in = *regs;

		*regs = *out;
		notify(e, index, c, &in, out, violations, preserved_changed, smc32_upper,
		       poisoned);
	} else {
		*regs = *out;
	}
}

/*
 * The per-register contract (spec A7, A8, A10): the reference behaviour.
 * The block path in ffaemu_edge_call gives the same result for the common
 * case and hands everything else (a synthetic reply, an SMC32 result with
 * upper bits, a changed preserved register, an unusual version) to this.
 */
static void finish_slow(const struct ffaemu_edge *edge, const struct ffaemu_smccc_regclass *rcp,
			bool smc64, bool synthetic, const struct ffaemu_regs *in,
			const struct ffaemu_regs *seen, const struct ffaemu_regs *work,
			struct ffaemu_regs *out, uint32_t *violations, uint32_t *preserved_changed,
			uint32_t *smc32_upper, uint32_t *poisoned)
{
	const struct ffaemu_smccc_regclass rc = *rcp;

	for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
		uint32_t bit = FFAEMU_REG(n);

		if (synthetic) {
			/*
			 * Only x0 is written (-1 sign-extended, DEN0028B; spec A8, A10).
			 * Choice for x1..x3, "unspecified" in A10: they keep the caller's
			 * values, as TF-A's and Xen's unknown-SMC paths leave them.
			 */
			if (n == 0) {
				out->x[0] = FFAEMU_SMCCC_UNKNOWN;
			} else if ((rc.unpredictable & bit) && edge->cfg.poison) {
				out->x[n] = edge->cfg.poison_pattern ^ n;
				*poisoned |= bit;
			} else {
				out->x[n] = in->x[n];
			}
			continue;
		}
		if (rc.results & bit) {
			uint64_t v = work->x[n];

			/*
			 * SMC32 results are W writes, zero-extended (spec A8). The one
			 * exception is the unknown-FID -1 in x0, sign-extended by
			 * definition (DEN0028B; spec A8).
			 */
			if (!smc64 && (v >> 32) && !(n == 0 && v == FFAEMU_SMCCC_UNKNOWN)) {
				*smc32_upper |= bit;
				if (edge->cfg.zero_extend_smc32)
					v &= W_MASK;
				else
					*violations |= FFAEMU_EDGE_V_SMC32_UPPER;
			}
			out->x[n] = v;
		} else if (rc.preserved & bit) {
			/* spec A7: same value on return; the caller gets its own back. */
			if (work->x[n] != seen->x[n]) {
				*preserved_changed |= bit;
				*violations |= FFAEMU_EDGE_V_PRESERVED;
			}
			out->x[n] = in->x[n];
		} else if (edge->cfg.poison) {
			/* Unpredictable (SMCCC 1.0 x4-x17, spec A7): make reliance visible. */
			out->x[n] = edge->cfg.poison_pattern ^ n;
			*poisoned |= bit;
		} else {
			out->x[n] = work->x[n];
		}
	}
}

/* finish_fast for results x0..x(nres-1); inlined with constant nres. */
static inline bool finish_fast_n(const struct ffaemu_edge *edge, const struct edge_shape *sh, bool smc64,
			  struct ffaemu_regs *regs, const struct ffaemu_regs *work, const unsigned nres)
{
	uint64_t acc = 0;

	if (!smc64) {
		uint64_t x0 = work->x[0];

		/* Any upper bit in an SMC32 result (x0's -1 excepted) takes the slow path (spec A8). */
		for (unsigned n = 1; n < nres; n++)
			acc |= work->x[n];
		if ((acc >> 32) || ((x0 >> 32) && x0 != FFAEMU_SMCCC_UNKNOWN))
			return false;
	}
	if (sh->tail == TAIL_PRESERVED) {
		/* The callee saw the caller's values, W-masked for SMC32 args x1-x7 (spec A7). */
		uint64_t wm = sh->mask_args ? W_MASK : ~0ull;

		acc = 0;
		for (unsigned n = nres; n < 8; n++)
			acc |= work->x[n] ^ (regs->x[n] & wm);
		for (unsigned n = nres > 8 ? nres : 8; n < FFAEMU_NREGS; n++)
			acc |= work->x[n] ^ regs->x[n];
		if (acc)
			return false;
		memcpy(regs->x, work->x, nres * sizeof(regs->x[0]));
		return true;
	}
	memcpy(regs->x, work->x, nres * sizeof(regs->x[0]));
	if (sh->tail == TAIL_POISON) {
		for (unsigned n = nres; n < FFAEMU_NREGS; n++)
			regs->x[n] = edge->cfg.poison_pattern ^ n;
	} else {
		for (unsigned n = nres; n < FFAEMU_NREGS; n++)
			regs->x[n] = work->x[n];
	}
	return true;
}

/*
 * The block path: true if the reply needed nothing but the precomputed
 * shape, and *regs now holds it. False leaves *regs untouched. The result
 * counts of spec A7 (8: SMCCC 1.2 SMC32; 4: before 1.2) get constant bounds.
 */
static bool finish_fast(const struct ffaemu_edge *edge, const struct edge_shape *sh, bool smc64,
			struct ffaemu_regs *regs, const struct ffaemu_regs *work)
{
	if (!sh->fast)
		return false;
	switch (sh->nres) {
	case FFAEMU_NREGS:
		if (smc64) {
			/* SMCCC 1.2 SMC64: all of x0-x17 are results (spec A7). */
			*regs = *work;
			return true;
		}
		return finish_fast_n(edge, sh, smc64, regs, work, FFAEMU_NREGS);
	case 8:
		return finish_fast_n(edge, sh, smc64, regs, work, 8);
	case 4:
		return finish_fast_n(edge, sh, smc64, regs, work, 4);
	default:
		return finish_fast_n(edge, sh, smc64, regs, work, sh->nres);
	}
}

/* ffaemu_edge_call, every case but the in-place one with a matching context. */
static LIB_NOINLINE void edge_call_full(struct ffaemu_edge *edge, struct ffaemu_regs *regs,
					const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_call_ctx c;
	const struct edge_shape *sh;
	/*
	 * The callee works in ev.out: with observers the event then usually
	 * needs no copy of the reply of its own (edge_shape.out_is_work).
	 */
	struct ffaemu_edge_event ev;
	struct ffaemu_regs *const work = &ev.out;
	uint32_t violations = 0, preserved_changed = 0, smc32_upper = 0, poisoned = 0;
	uint64_t index;
	bool smc64;

	/* Only w0 carries the FID; bit 30 picks the convention (spec A1). */
	smc64 = (regs->x[0] & FFAEMU_SMCCC_SMC64) != 0;
	if (ctx) {
		c = *ctx;
	} else {
		memset(&c, 0, sizeof(c));
		c.caller = 0;
		c.instance = FFAEMU_INSTANCE_NP;
		c.el = 1;
	}
	c.conduit = edge->cfg.conduit;
	c.smccc_version = edge->cfg.smccc_version;

	index = edge->stats.calls++;
	sh = &edge->shape[smc64];

	if (smc64 && edge->inplace64_shape && !c.aarch32) {
		/* As in ffaemu_edge_call, with the context this edge sets. */
		if (!edge->nobs) {
			ffaemu_node_call(edge->callee, regs, &c);
			edge->stats.last_violations = 0;
			return;
		}
		/* Observed: the observers see the input as it was. No violation, nothing poisoned. */
		ev.in = *regs;
		ffaemu_node_call(edge->callee, regs, &c);
		ev.out = *regs;
		edge->stats.last_violations = 0;
		deliver(edge, &ev, index, &c, 0, 0, 0, 0);
		return;
	}
	/*
	 * *regs stays the caller's input until the reply is final; the callee
	 * works on a copy. No per-edge scratch: a callee may re-enter any edge.
	 */
	*work = *regs;
	mask_w(sh, work);

	if ((c.aarch32 && smc64) || !edge->callee) {
		struct ffaemu_regs out;

		/*
		 * An AArch32 caller cannot make an SMC64 call (spec A8; XEN-VSMC, TFA-RT);
		 * nothing behind the conduit (spec A10): unknown FID either way.
		 */
		violations = (c.aarch32 && smc64) ? FFAEMU_EDGE_V_AARCH32_SMC64 :
						    FFAEMU_EDGE_V_NO_CALLEE;
		finish_slow(edge, &sh->rc, smc64, true, regs, work, work, &out, &violations,
			    &preserved_changed, &smc32_upper, &poisoned);
		finish(edge, index, &c, regs, &out, violations, preserved_changed, smc32_upper,
		       poisoned);
		return;
	}
	ffaemu_node_call(edge->callee, work, &c);

	if (!edge->nobs) {
		if (finish_fast(edge, sh, smc64, regs, work)) {
			edge->stats.last_violations = 0;
			return;
		}
	} else {
		ev.in = *regs;
		if (finish_fast(edge, sh, smc64, regs, work)) {
			/* The block path ran: no violation; poisoned is the shape's (spec A7). */
			edge->stats.last_violations = 0;
			if (!sh->out_is_work)
				ev.out = *regs;
			deliver(edge, &ev, index, &c, 0, 0, 0,
				sh->tail == TAIL_POISON ? sh->poisoned : 0);
			return;
		}
	}
	{
		struct ffaemu_regs seen, out;

		seen = *regs;
		mask_w(sh, &seen);
		finish_slow(edge, &sh->rc, smc64, false, regs, &seen, work, &out, &violations,
			    &preserved_changed, &smc32_upper, &poisoned);
		finish(edge, index, &c, regs, &out, violations, preserved_changed, smc32_upper,
		       poisoned);
	}
}

void ffaemu_edge_call(struct ffaemu_edge *edge, struct ffaemu_regs *regs,
		      const struct ffaemu_call_ctx *ctx)
{
	if (!edge || !regs)
		return;
	/* Only w0 carries the FID; bit 30 picks the convention (spec A1). */
	if ((regs->x[0] & FFAEMU_SMCCC_SMC64) && edge->inplace64 && ctx && !ctx->aarch32 &&
	    ctx->conduit == edge->cfg.conduit && ctx->smccc_version == edge->cfg.smccc_version) {
		/*
		 * The reply is whatever the callee leaves, so it works in place,
		 * and the caller's context already says what this edge would set.
		 */
		edge->stats.calls++;
		ffaemu_node_call(edge->callee, regs, ctx);
		edge->stats.last_violations = 0;
		return;
	}
	edge_call_full(edge, regs, ctx);
}
