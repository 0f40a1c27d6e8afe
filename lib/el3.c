/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EL3 dispatcher: the firmware behind an SMC. Answers the Arm
 * architecture calls of its SMCCC version, the PSCI calls that discover
 * SMCCC, routes FF-A to the SPMC node, and answers everything else -1.
 *
 * Replies write only what the call defines (w0, or the FFA_ERROR frame);
 * every other register is left for the conduit edge's preservation rules
 * (spec A10: TF-A's unknown-SMC path writes only x0).
 */
#include <string.h>

#include <ffa/abi.h>
#include <ffa/el3.h>

#include "alloc.h"
#include "abi_priv.h"
#include "smccc_priv.h"

#define PSCI_1_0 0x10000u
#define PSCI_1_1 0x10001u

struct ffaemu_el3 {
	struct ffaemu_alloc alloc;
	struct ffaemu_el3_config cfg;
	struct ffaemu_node *node;
};

void ffaemu_el3_config_default(struct ffaemu_el3_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->smccc_version = FFAEMU_SMCCC_1_2;
	cfg->psci_version = PSCI_1_1;
	for (int i = 0; i < 4; i++)
		cfg->workaround[i] = FFAEMU_SMCCC_NOT_SUPPORTED;
}

/* -1 is the unknown-FID value, sign-extended (DEN0028B; spec A8, A10). */
static void reply_unknown(struct ffaemu_regs *regs)
{
	regs->x[0] = FFAEMU_SMCCC_UNKNOWN;
}

/* Arch-call results are signed 32-bit in w0 (spec A6); -1 keeps its sign-extended form. */
static void reply_w0(struct ffaemu_regs *regs, int32_t v)
{
	if (v == FFAEMU_SMCCC_NOT_SUPPORTED)
		reply_unknown(regs);
	else
		ffaemu_regs_set_w(regs, 0, (uint32_t)v);
}

static int workaround_index(uint32_t fid)
{
	switch (fid) {
	case FFAEMU_SMCCC_ARCH_WORKAROUND_1:
		return 0;
	case FFAEMU_SMCCC_ARCH_WORKAROUND_2:
		return 1;
	case FFAEMU_SMCCC_ARCH_WORKAROUND_3:
		return 2;
	case FFAEMU_SMCCC_ARCH_WORKAROUND_4:
		return 3;
	default:
		return -1;
	}
}

static bool has_soc_id(const struct ffaemu_el3 *el3)
{
	/* SMCCC_ARCH_SOC_ID arrived in SMCCC 1.2 (spec A4, A5; TFA-LOG). */
	return el3->cfg.soc_id && el3->cfg.smccc_version >= FFAEMU_SMCCC_1_2;
}

/* SMCCC_ARCH_FEATURES(w1) (spec A5; TFA-ARCH). */
static int32_t arch_features(const struct ffaemu_el3 *el3, uint32_t query)
{
	int wa = workaround_index(query);

	if (wa >= 0)
		return el3->cfg.workaround[wa];
	switch (query) {
	case FFAEMU_SMCCC_VERSION_FID:
	case FFAEMU_SMCCC_ARCH_FEATURES:
		return FFAEMU_SMCCC_SUCCESS;
	case FFAEMU_SMCCC_ARCH_SOC_ID:
	case FFAEMU_SMCCC_ARCH_SOC_ID_64:
		return has_soc_id(el3) ? FFAEMU_SMCCC_SUCCESS : FFAEMU_SMCCC_NOT_SUPPORTED;
	default:
		return FFAEMU_SMCCC_NOT_SUPPORTED;
	}
}

/* SMCCC_ARCH_SOC_ID(w1) (spec A5; TFA-ARCH). */
static void soc_id(const struct ffaemu_el3 *el3, struct ffaemu_regs *regs)
{
	switch (ffaemu_regs_w(regs, 1)) {
	case 0:
		/* Bit 31 is zero in both answers so they never read as an error (spec A5). */
		ffaemu_regs_set_w(regs, 0, el3->cfg.soc_id_version & 0x7fffffffu);
		break;
	case 1:
		ffaemu_regs_set_w(regs, 0, el3->cfg.soc_id_revision & 0x7fffffffu);
		break;
	default:
		/*
		 * Includes 2, the SMCCC 1.6 name query: no SoC name is modelled, so
		 * it is an unknown type like any other (spec A5).
		 */
		reply_w0(regs, FFAEMU_SMCCC_INVALID_PARAMETER);
		break;
	}
}

/* PSCI_FEATURES(w1): only the calls this dispatcher models (spec A11; LNX-PSCI). */
static int32_t psci_features(const struct ffaemu_el3 *el3, uint32_t query)
{
	switch (query) {
	case FFAEMU_SMCCC_VERSION_FID:
		return el3->cfg.smccc_version >= FFAEMU_SMCCC_1_1 ? FFAEMU_SMCCC_SUCCESS
								  : FFAEMU_SMCCC_NOT_SUPPORTED;
	case FFAEMU_PSCI_VERSION:
	case FFAEMU_PSCI_FEATURES:
		return FFAEMU_SMCCC_SUCCESS;
	default:
		return FFAEMU_SMCCC_NOT_SUPPORTED;
	}
}

/*
 * No SPMC: FF-A wants FFA_ERROR(NOT_SUPPORTED), not a bare -1 (spec A10,
 * C3: w1 = 0, w2 = code zero-extended, the rest MBZ). Only the result
 * registers of the call's convention are written, so an SMC32 call's
 * x8-x17 stay as the edge preserves them (spec A7).
 */
static void reply_ffa_not_supported(struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx,
				    uint32_t version)
{
	bool smc64 = (ffaemu_regs_w(regs, 0) & FFAEMU_SMCCC_SMC64) != 0;
	uint32_t v = ctx && ctx->smccc_version ? ctx->smccc_version : version;
	struct ffaemu_smccc_regclass rc = smccc_regclass(v, smc64);

	for (unsigned n = 1; n < FFAEMU_NREGS; n++)
		if (rc.results & FFAEMU_REG(n))
			regs->x[n] = 0;
	regs->x[0] = FFAEMU_FFA_ERROR;
	ffaemu_regs_set_w(regs, 2, (uint32_t)FFAEMU_FFA_NOT_SUPPORTED);
}

static void el3_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_el3 *el3 = self;
	const struct ffaemu_el3_config *cfg = &el3->cfg;
	uint32_t fid;

	if (cfg->hook && cfg->hook(cfg->hook_user, regs, ctx))
		return;

	/* SMCCC requires immediate 0; anything else is not an SMCCC call (spec A10, pkvm-proxy 1.2). */
	if (ctx && ctx->imm != 0) {
		reply_unknown(regs);
		return;
	}

	/* Decode w0 with the SVE hint stripped (spec A1, G12; TFA-RT). */
	fid = ffaemu_fid_strip_hint(ffaemu_regs_w(regs, 0));
	if ((fid & FFAEMU_SMCCC_FAST_CALL) && (fid & FFAEMU_SMCCC_RESERVED_MASK)) {
		/* Fast call with bits 23:17 set: unknown (spec A1; TFA-RT). */
		reply_unknown(regs);
		return;
	}
	if (ctx && ctx->aarch32 && (fid & FFAEMU_SMCCC_SMC64)) {
		/* spec A8: SMC64 from AArch32 is unknown (TFA-RT). */
		reply_unknown(regs);
		return;
	}

	if (abi_fid_is_ffa(fid)) {
		/* The SPMC sees the registers as the caller wrote them, hint included. */
		if (cfg->spmc)
			ffaemu_node_call(cfg->spmc, regs, ctx);
		else
			reply_ffa_not_supported(regs, ctx, cfg->smccc_version);
		return;
	}

	switch (fid) {
	case FFAEMU_SMCCC_VERSION_FID:
		/* SMCCC 1.0 has no SMCCC_VERSION (spec A5, A11). */
		if (cfg->smccc_version >= FFAEMU_SMCCC_1_1)
			ffaemu_regs_set_w(regs, 0, cfg->smccc_version);
		else
			reply_unknown(regs);
		return;
	case FFAEMU_SMCCC_ARCH_FEATURES:
		if (cfg->smccc_version >= FFAEMU_SMCCC_1_1)
			reply_w0(regs, arch_features(el3, ffaemu_regs_w(regs, 1)));
		else
			reply_unknown(regs);
		return;
	case FFAEMU_SMCCC_ARCH_SOC_ID:
	case FFAEMU_SMCCC_ARCH_SOC_ID_64:
		/* TF-A accepts both FIDs (spec A5). */
		if (has_soc_id(el3))
			soc_id(el3, regs);
		else
			reply_unknown(regs);
		return;
	case FFAEMU_SMCCC_ARCH_WORKAROUND_1:
	case FFAEMU_SMCCC_ARCH_WORKAROUND_2:
	case FFAEMU_SMCCC_ARCH_WORKAROUND_3:
	case FFAEMU_SMCCC_ARCH_WORKAROUND_4:
		/*
		 * The workaround calls return nothing (spec A5): an implemented one
		 * leaves the registers alone, as TF-A's SMC_RET0 does.
		 */
		if (cfg->smccc_version < FFAEMU_SMCCC_1_1 ||
		    cfg->workaround[workaround_index(fid)] == FFAEMU_SMCCC_NOT_SUPPORTED)
			reply_unknown(regs);
		return;
	case FFAEMU_PSCI_VERSION:
		if (cfg->psci_version)
			ffaemu_regs_set_w(regs, 0, cfg->psci_version);
		else
			reply_unknown(regs);
		return;
	case FFAEMU_PSCI_FEATURES:
		/* PSCI_FEATURES exists from PSCI 1.0 (spec A11). */
		if (cfg->psci_version >= PSCI_1_0)
			reply_w0(regs, psci_features(el3, ffaemu_regs_w(regs, 1)));
		else
			reply_unknown(regs);
		return;
	default:
		break;
	}

	reply_unknown(regs);
}

static const struct ffaemu_node_ops el3_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "el3",
	.call = el3_call,
	.destroy = NULL,
};

int ffaemu_el3_new(const struct ffaemu_el3_config *user_cfg, struct ffaemu_el3 **out)
{
	struct ffaemu_el3_config cfg;
	struct ffaemu_alloc a;
	struct ffaemu_el3 *el3;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	ffaemu_el3_config_default(&cfg);
	if (user_cfg) {
		/* A caller built against an older, shorter config keeps defaults for the rest. */
		if (user_cfg->size < sizeof(user_cfg->size))
			return FFAEMU_EINVAL;
		memcpy(&cfg, user_cfg,
		       user_cfg->size < sizeof(cfg) ? user_cfg->size : sizeof(cfg));
		cfg.size = sizeof(cfg);
	}
	/* Version words have bit 31 clear; SMCCC starts at 1.0 (spec A4). */
	if ((cfg.smccc_version & 0x80000000u) || cfg.smccc_version < FFAEMU_SMCCC_1_0 ||
	    (cfg.psci_version & 0x80000000u))
		return FFAEMU_EINVAL;

	ffaemu_alloc_init(&a, cfg.alloc);
	el3 = ffaemu_alloc_zalloc(&a, sizeof(*el3));
	if (!el3)
		return FFAEMU_ENOMEM;
	el3->alloc = a;
	el3->cfg = cfg;
	rc = ffaemu_node_new(&el3_ops, el3, cfg.alloc, &el3->node);
	if (rc) {
		ffaemu_alloc_free(&a, el3);
		return rc;
	}
	*out = el3;
	return FFAEMU_OK;
}

void ffaemu_el3_free(struct ffaemu_el3 **el3)
{
	struct ffaemu_el3 *e;
	struct ffaemu_alloc a;

	if (!el3 || !*el3)
		return;
	e = *el3;
	*el3 = NULL;
	a = e->alloc;
	ffaemu_node_free(&e->node);
	ffaemu_alloc_free(&a, e);
}

struct ffaemu_node *ffaemu_el3_node(struct ffaemu_el3 *el3)
{
	return el3 ? el3->node : NULL;
}

void ffaemu_el3_set_spmc(struct ffaemu_el3 *el3, struct ffaemu_node *spmc)
{
	if (el3)
		el3->cfg.spmc = spmc;
}
