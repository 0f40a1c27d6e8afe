/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A node is one layer of the emulated stack (a proxy, the EL3 dispatcher,
 * the SPMC, a partition, a user's own component). It has one entry point,
 * call(), that takes the caller's registers x0-x17 in and leaves the reply
 * in the same array. Nodes are joined by conduit edges (conduit.h); a node
 * never reaches into another node's state.
 */
#ifndef FFAEMU_NODE_H
#define FFAEMU_NODE_H

#include <ffa/common.h>
#include <ffa/regs.h>
#include <ffa/smccc.h>

FFAEMU_BEGIN_DECLS

/* FF-A instances (spec B2): who calls whom. */
enum ffaemu_instance {
	FFAEMU_INSTANCE_NP = 0, /* NS physical: hypervisor or bare OS kernel -> SPMD/SPMC */
	FFAEMU_INSTANCE_NV = 1, /* NS virtual: VM/host -> hypervisor */
	FFAEMU_INSTANCE_SV = 2, /* secure virtual: SP -> SPMC */
	FFAEMU_INSTANCE_SP = 3  /* secure physical: SPMC <-> SPMD (EL3) */
};

/* Who is calling: filled by the caller, completed by the edge. */
struct ffaemu_call_ctx {
	ffaemu_id_t caller;             /* FF-A endpoint ID of the caller (host = 0) */
	enum ffaemu_instance instance;  /* the FF-A instance the call arrives at */
	uint8_t el;                     /* caller's exception level, 0..3 */
	bool secure;                    /* caller is in the secure world */
	bool aarch32;                   /* caller runs AArch32: SMC64 IDs are unknown */
	enum ffaemu_conduit conduit;    /* set by the edge */
	uint32_t smccc_version;         /* set by the edge: the contract of this call */
	uint16_t imm;                   /* SMC/HVC immediate (SMCCC requires 0) */
	uint32_t depth;                 /* nesting depth (an SP calling back inside a call) */
};

/*
 * Ops of a node. A const table with a size field: the library checks size
 * before it uses any member added after the first release.
 */
struct ffaemu_node_ops {
	size_t size;      /* sizeof(struct ffaemu_node_ops) */
	const char *name; /* short name for traces: "pkvm", "spmc", "el3" */
	/* Handle one call. regs holds the caller's x0-x17; leave the reply there. */
	void (*call)(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx);
	/* Optional: called by ffaemu_node_free(). */
	void (*destroy)(void *self);
};

struct ffaemu_node;

/* Wrap user state `self` in a node. ops must outlive the node. alloc may be NULL. */
FFAEMU_API int ffaemu_node_new(const struct ffaemu_node_ops *ops, void *self,
			       const struct ffaemu_allocator *alloc, struct ffaemu_node **out);
/* Call ops->destroy (if any), free the node, clear *node. Accepts NULL. */
FFAEMU_API void ffaemu_node_free(struct ffaemu_node **node);
/* Invoke the node directly (no SMCCC contract applied; see conduit.h for that). */
FFAEMU_API void ffaemu_node_call(struct ffaemu_node *node, struct ffaemu_regs *regs,
				 const struct ffaemu_call_ctx *ctx);
FFAEMU_API const char *ffaemu_node_name(const struct ffaemu_node *node);
FFAEMU_API void *ffaemu_node_self(const struct ffaemu_node *node);

FFAEMU_END_DECLS

#endif /* FFAEMU_NODE_H */
