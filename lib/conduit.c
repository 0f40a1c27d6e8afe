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

#define EDGE_MAX_OBSERVERS 8
#define W_MASK 0xffffffffull

struct edge_observer {
	ffaemu_edge_observer_fn fn;
	void *user;
};

struct ffaemu_edge {
	struct ffaemu_alloc alloc;
	struct ffaemu_edge_config cfg; /* cfg.name points at name */
	char *name;
	struct ffaemu_node *callee;
	struct edge_observer obs[EDGE_MAX_OBSERVERS];
	unsigned nobs;
	struct ffaemu_edge_stats stats;
};

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
	e->cfg.name = e->name;
	e->callee = callee;
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
	if (edge)
		edge->callee = callee;
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

static void notify(struct ffaemu_edge *e, uint64_t index, const struct ffaemu_call_ctx *ctx,
		   const struct ffaemu_regs *in, const struct ffaemu_regs *out,
		   uint32_t violations, uint32_t preserved_changed, uint32_t smc32_upper,
		   uint32_t poisoned)
{
	struct edge_observer obs[EDGE_MAX_OBSERVERS];
	struct ffaemu_edge_event ev;
	unsigned n = e->nobs;

	/* A snapshot: an observer may add or remove observers while we iterate. */
	memcpy(obs, e->obs, n * sizeof(obs[0]));
	ev.edge = e;
	ev.edge_name = e->name;
	ev.index = index;
	ev.ctx = ctx;
	ev.in = *in;
	ev.out = *out;
	ev.violations = violations;
	ev.preserved_changed = preserved_changed;
	ev.smc32_upper = smc32_upper;
	ev.poisoned = poisoned;
	for (unsigned i = 0; i < n; i++)
		obs[i].fn(obs[i].user, &ev);
}

void ffaemu_edge_call(struct ffaemu_edge *edge, struct ffaemu_regs *regs,
		      const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_call_ctx c;
	struct ffaemu_smccc_regclass rc;
	struct ffaemu_regs in, seen, work, out = {{0}};
	uint32_t violations = 0, preserved_changed = 0, smc32_upper = 0, poisoned = 0;
	uint64_t index;
	bool smc64, synthetic = false;

	if (!edge || !regs)
		return;

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
	in = *regs;
	/* Only w0 carries the FID; bit 30 picks the convention (spec A1). */
	smc64 = (ffaemu_regs_w(&in, 0) & FFAEMU_SMCCC_SMC64) != 0;
	rc = ffaemu_smccc_regclass(c.smccc_version, smc64);

	seen = in;
	if (!smc64 && edge->cfg.mask_smc32_args) {
		/* An SMC32 callee reads W registers only, FID included (spec A1, A8; TFA-STD). */
		seen.x[0] &= W_MASK;
		for (unsigned n = 1; n < FFAEMU_NREGS; n++)
			if (rc.args & FFAEMU_REG(n))
				seen.x[n] &= W_MASK;
	}
	work = seen;

	if (c.aarch32 && smc64) {
		/* An AArch32 caller cannot make an SMC64 call: unknown FID (spec A8; XEN-VSMC, TFA-RT). */
		violations |= FFAEMU_EDGE_V_AARCH32_SMC64;
		synthetic = true;
	} else if (!edge->callee) {
		/* Nothing behind the conduit: unknown FID (spec A10). */
		violations |= FFAEMU_EDGE_V_NO_CALLEE;
		synthetic = true;
	} else {
		ffaemu_node_call(edge->callee, &work, &c);
	}

	for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
		uint32_t bit = FFAEMU_REG(n);

		if (synthetic) {
			/*
			 * Only x0 is written (-1 sign-extended, DEN0028B; spec A8, A10).
			 * Choice for x1..x3, "unspecified" in A10: they keep the caller's
			 * values, as TF-A's and Xen's unknown-SMC paths leave them.
			 */
			if (n == 0) {
				out.x[0] = FFAEMU_SMCCC_UNKNOWN;
			} else if ((rc.unpredictable & bit) && edge->cfg.poison) {
				out.x[n] = edge->cfg.poison_pattern ^ n;
				poisoned |= bit;
			} else {
				out.x[n] = in.x[n];
			}
			continue;
		}
		if (rc.results & bit) {
			uint64_t v = work.x[n];

			/*
			 * SMC32 results are W writes, zero-extended (spec A8). The one
			 * exception is the unknown-FID -1 in x0, sign-extended by
			 * definition (DEN0028B; spec A8).
			 */
			if (!smc64 && (v >> 32) && !(n == 0 && v == FFAEMU_SMCCC_UNKNOWN)) {
				smc32_upper |= bit;
				if (edge->cfg.zero_extend_smc32)
					v &= W_MASK;
				else
					violations |= FFAEMU_EDGE_V_SMC32_UPPER;
			}
			out.x[n] = v;
		} else if (rc.preserved & bit) {
			/* spec A7: same value on return; the caller gets its own back. */
			if (work.x[n] != seen.x[n]) {
				preserved_changed |= bit;
				violations |= FFAEMU_EDGE_V_PRESERVED;
			}
			out.x[n] = in.x[n];
		} else if (edge->cfg.poison) {
			/* Unpredictable (SMCCC 1.0 x4-x17, spec A7): make reliance visible. */
			out.x[n] = edge->cfg.poison_pattern ^ n;
			poisoned |= bit;
		} else {
			out.x[n] = work.x[n];
		}
	}
	*regs = out;

	if (violations)
		edge->stats.violations++;
	edge->stats.last_violations = violations;
	if (edge->nobs)
		notify(edge, index, &c, &in, &out, violations, preserved_changed, smc32_upper,
		       poisoned);
}
