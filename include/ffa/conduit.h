/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conduit edges: the one function through which any node calls the next.
 * An edge applies the SMCCC contract of its version (spec A7, A8, A10):
 *
 *  - SMC32: the callee sees only the low 32 bits of the argument registers;
 *    results are W registers, zero-extended.
 *  - results come from the callee; registers the version preserves are
 *    restored (a violation is recorded if the callee changed them);
 *    unpredictable registers (SMCCC 1.0: x4-x17) are overwritten with a
 *    recognisable poison pattern so a caller relying on them fails visibly.
 *  - an edge with no callee answers SMCCC NOT_SUPPORTED (-1) in x0.
 *
 * Observers (tracer, conformance checker) see every call; with none
 * attached an edge costs one pointer test.
 */
#ifndef FFAEMU_CONDUIT_H
#define FFAEMU_CONDUIT_H

#include <ffa/common.h>
#include <ffa/node.h>
#include <ffa/regs.h>
#include <ffa/smccc.h>

FFAEMU_BEGIN_DECLS

/* Default poison: register n gets FFAEMU_POISON_DEFAULT ^ n, so each is distinct. */
#define FFAEMU_POISON_DEFAULT 0xdeadc0dedeadc000ull

struct ffaemu_edge_config {
	size_t size;                   /* sizeof(struct ffaemu_edge_config) */
	const char *name;              /* "host->proxy" (copied); default "edge" */
	enum ffaemu_conduit conduit;   /* default FFAEMU_CONDUIT_SMC */
	uint32_t smccc_version;        /* default FFAEMU_SMCCC_1_2 */
	bool poison;                   /* default true: poison unpredictable registers */
	uint64_t poison_pattern;       /* default FFAEMU_POISON_DEFAULT */
	bool mask_smc32_args;          /* default true: callee sees w1-w7 only */
	bool zero_extend_smc32;        /* default true: clear bits [63:32] of SMC32 results;
					  false passes them through (pKVM's sign-extended errors
					  reach the host on hardware) and records a violation */
	const struct ffaemu_allocator *alloc; /* default NULL (libc) */
};

FFAEMU_API void ffaemu_edge_config_default(struct ffaemu_edge_config *cfg);

/* What an edge found wrong with one call (bitmask). */
enum ffaemu_edge_violation {
	FFAEMU_EDGE_V_PRESERVED = 1u << 0,   /* callee changed a register the version preserves */
	FFAEMU_EDGE_V_SMC32_UPPER = 1u << 1, /* SMC32 result with bits [63:32] set */
	FFAEMU_EDGE_V_NO_CALLEE = 1u << 2,   /* no callee: answered NOT_SUPPORTED */
	FFAEMU_EDGE_V_AARCH32_SMC64 = 1u << 3 /* an AArch32 caller used an SMC64 ID */
};

struct ffaemu_edge;

/* One call through an edge, as observers see it. */
struct ffaemu_edge_event {
	const struct ffaemu_edge *edge;
	const char *edge_name;
	uint64_t index;                     /* per-edge call counter, from 0 */
	const struct ffaemu_call_ctx *ctx;  /* completed by the edge */
	struct ffaemu_regs in;              /* the caller's registers before the call */
	struct ffaemu_regs out;             /* what the caller sees afterwards */
	uint32_t violations;                /* enum ffaemu_edge_violation bits */
	uint32_t preserved_changed;         /* registers the callee clobbered (restored) */
	uint32_t smc32_upper;               /* SMC32 result registers with upper bits set */
	uint32_t poisoned;                  /* registers overwritten with poison */
};

typedef void (*ffaemu_edge_observer_fn)(void *user, const struct ffaemu_edge_event *ev);

FFAEMU_API int ffaemu_edge_new(const struct ffaemu_edge_config *cfg, struct ffaemu_node *callee,
			       struct ffaemu_edge **out);
/* Accepts NULL; clears *edge. Does not free the callee. */
FFAEMU_API void ffaemu_edge_free(struct ffaemu_edge **edge);

/*
 * Make one call. ctx may be NULL (caller 0, NS physical, EL1). regs holds
 * the caller's x0-x17 in and the caller-visible result out.
 */
FFAEMU_API void ffaemu_edge_call(struct ffaemu_edge *edge, struct ffaemu_regs *regs,
				 const struct ffaemu_call_ctx *ctx);

/* Rewire: a trap that comes up late, a proxy inserted mid-run. NULL = no callee. */
FFAEMU_API void ffaemu_edge_set_callee(struct ffaemu_edge *edge, struct ffaemu_node *callee);
FFAEMU_API struct ffaemu_node *ffaemu_edge_callee(const struct ffaemu_edge *edge);
FFAEMU_API const char *ffaemu_edge_name(const struct ffaemu_edge *edge);
/*
 * Rename an edge (copied), e.g. "host->el3" becoming "host->proxy" when a
 * proxy is installed mid-run, so traces name what the edge now joins. Not
 * from inside a call through the edge. 0, FFAEMU_EINVAL or FFAEMU_ENOMEM
 * (the old name is kept).
 */
FFAEMU_API int ffaemu_edge_set_name(struct ffaemu_edge *edge, const char *name);
FFAEMU_API const struct ffaemu_edge_config *ffaemu_edge_get_config(const struct ffaemu_edge *edge);

/* Observers run in the order added, after the call completes. At most 8 per edge. */
FFAEMU_API int ffaemu_edge_add_observer(struct ffaemu_edge *edge, ffaemu_edge_observer_fn fn,
					void *user);
FFAEMU_API int ffaemu_edge_remove_observer(struct ffaemu_edge *edge, ffaemu_edge_observer_fn fn,
					   void *user);

struct ffaemu_edge_stats {
	uint64_t calls;
	uint64_t violations; /* calls with at least one violation */
	uint32_t last_violations;
};
FFAEMU_API void ffaemu_edge_get_stats(const struct ffaemu_edge *edge, struct ffaemu_edge_stats *st);

FFAEMU_END_DECLS

#endif /* FFAEMU_CONDUIT_H */
