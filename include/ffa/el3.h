/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EL3 dispatcher node: the firmware behind an SMC. It answers the
 * Arm-architecture calls for its configured SMCCC version (spec A5, A11),
 * PSCI_VERSION and PSCI_FEATURES(SMCCC_VERSION), routes FF-A function IDs
 * (OEN 4, functions 0x60-0xEF, spec A3) to the node configured as SPMC, and
 * answers every other ID SMCCC NOT_SUPPORTED (-1) unless a user hook claims
 * it (spec A10).
 */
#ifndef FFAEMU_EL3_H
#define FFAEMU_EL3_H

#include <ffa/common.h>
#include <ffa/node.h>

FFAEMU_BEGIN_DECLS

/* Return true if the hook handled the call (and wrote the reply into regs). */
typedef bool (*ffaemu_el3_hook_fn)(void *user, struct ffaemu_regs *regs,
				   const struct ffaemu_call_ctx *ctx);

struct ffaemu_el3_config {
	size_t size;                 /* sizeof(struct ffaemu_el3_config) */
	uint32_t smccc_version;      /* default FFAEMU_SMCCC_1_2; 1.0 has no SMCCC_VERSION */
	uint32_t psci_version;       /* default 1.1 (0x10001); 0 = no PSCI */
	struct ffaemu_node *spmc;    /* FF-A calls go here; NULL = FFA_ERROR(NOT_SUPPORTED) */
	ffaemu_el3_hook_fn hook;     /* default NULL; consulted before built-in handling */
	void *hook_user;
	/* SMCCC_ARCH_FEATURES answers for the workarounds: value returned, or
	 * FFAEMU_SMCCC_NOT_SUPPORTED. Defaults: all NOT_SUPPORTED. */
	int32_t workaround[4];
	bool soc_id;                 /* default false: SMCCC_ARCH_SOC_ID implemented (1.2+) */
	uint32_t soc_id_version;     /* SOC_ID(0) answer */
	uint32_t soc_id_revision;    /* SOC_ID(1) answer */
	const struct ffaemu_allocator *alloc;
};

FFAEMU_API void ffaemu_el3_config_default(struct ffaemu_el3_config *cfg);

struct ffaemu_el3;

FFAEMU_API int ffaemu_el3_new(const struct ffaemu_el3_config *cfg, struct ffaemu_el3 **out);
FFAEMU_API void ffaemu_el3_free(struct ffaemu_el3 **el3);
/* The node to wire an edge to. Owned by el3. */
FFAEMU_API struct ffaemu_node *ffaemu_el3_node(struct ffaemu_el3 *el3);
/* Rewire the SPMC (NULL = none). */
FFAEMU_API void ffaemu_el3_set_spmc(struct ffaemu_el3 *el3, struct ffaemu_node *spmc);

FFAEMU_END_DECLS

#endif /* FFAEMU_EL3_H */
