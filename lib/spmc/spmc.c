/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake SPMC: object, profiles, the dispatcher, FFA_VERSION,
 * FFA_FEATURES, FFA_ID_GET / FFA_SPM_ID_GET, fault injection, observers.
 */
#include <string.h>

#include "spmc_internal.h"
#include "abi_priv.h"
#include "smccc_priv.h"

/* ---- profiles ---------------------------------------------------------- */

#define F_V10 (FFAEMU_SPMC_F_MEM_SHARE | FFAEMU_SPMC_F_MEM_DONATE)
#define F_V11                                                                               \
	(F_V10 | FFAEMU_SPMC_F_NOTIFICATIONS | FFAEMU_SPMC_F_MSG_SEND2 |                      \
	 FFAEMU_SPMC_F_RX_ACQUIRE | FFAEMU_SPMC_F_RXTX_FORWARD | FFAEMU_SPMC_F_MEM_PERM |     \
	 FFAEMU_SPMC_F_SECONDARY_EP | FFAEMU_SPMC_F_HYP_RETRIEVE | FFAEMU_SPMC_F_VM_MESSAGES | \
	 FFAEMU_SPMC_F_MEM_NS_BIT)
#define F_V12                                                                      \
	(F_V11 | FFAEMU_SPMC_F_PARTINFO_REGS | FFAEMU_SPMC_F_DIRECT_REQ2 |           \
	 FFAEMU_SPMC_F_CONSOLE_LOG)

struct profile_row {
	const char *name;
	uint32_t version;
	uint32_t min_size;
	uint32_t max_pages;
	uint32_t features;
	uint32_t mei;
	enum ffaemu_spmc_version_quirk vq;
	enum ffaemu_spmc_postnego_quirk post;
	enum ffaemu_spmc_rebind_quirk rebind;
};

/*
 * Hafnium: NOT_SUPPORTED for an incompatible FFA_VERSION, a different
 * version after negotiation also NOT_SUPPORTED (spec C4, HF-API); no
 * per-vCPU notifications, and binding an ID bound to the same sender again
 * is DENIED (C8, HF-API). TF-A EL3 SPMC: answers its own version and
 * later the negotiated one (C4, TFA-SPMC); no notifications, no forwarded
 * RXTX_MAP (C5.3), no donate.
 */
static const struct profile_row profiles[] = {
	{"hafnium-1.2", FFAEMU_FFA_1_2, 4096, 1, F_V12, 4, FFAEMU_SPMC_VQ_NOT_SUPPORTED,
	 FFAEMU_SPMC_POST_STRICT, FFAEMU_SPMC_REBIND_DENIED},
	{"tfa-el3-1.2", FFAEMU_FFA_1_2, 4096, 1,
	 FFAEMU_SPMC_F_MEM_SHARE | FFAEMU_SPMC_F_RX_ACQUIRE | FFAEMU_SPMC_F_SECONDARY_EP |
		 FFAEMU_SPMC_F_PARTINFO_REGS | FFAEMU_SPMC_F_DIRECT_REQ2 |
		 FFAEMU_SPMC_F_CONSOLE_LOG | FFAEMU_SPMC_F_MEM_NS_BIT | FFAEMU_SPMC_F_HYP_RETRIEVE,
	 0, FFAEMU_SPMC_VQ_OWN_VERSION, FFAEMU_SPMC_POST_NEGOTIATED,
	 FFAEMU_SPMC_REBIND_SAME_OK},
	{"spmc-1.0", FFAEMU_FFA_1_0, 4096, 1, F_V10, 0, FFAEMU_SPMC_VQ_NOT_SUPPORTED,
	 FFAEMU_SPMC_POST_STRICT, FFAEMU_SPMC_REBIND_SAME_OK},
	{"spmc-1.1", FFAEMU_FFA_1_1, 4096, 1, F_V11, 4, FFAEMU_SPMC_VQ_NOT_SUPPORTED,
	 FFAEMU_SPMC_POST_STRICT, FFAEMU_SPMC_REBIND_SAME_OK},
	{"spmc-1.2", FFAEMU_FFA_1_2, 4096, 16, F_V12 | FFAEMU_SPMC_F_NOTIF_PER_VCPU, 4,
	 FFAEMU_SPMC_VQ_NOT_SUPPORTED, FFAEMU_SPMC_POST_STRICT, FFAEMU_SPMC_REBIND_SAME_OK},
	/*
	 * v1.3 with only what the digest confirms (spec C1, D1, D2): 48-byte
	 * partition info, the 64-bit CPU-cycle FIDs, DIRECT_REQ_64 payload in
	 * x3-x17, feature ID 4. NS_RES_INFO_GET, ABORT, NOTIFICATION_*2 and
	 * the FFA_VERSION query types are UNCONFIRMED (spec H): NOT_SUPPORTED
	 * or ignored.
	 */
	{"spmc-1.3", FFAEMU_FFA_1_3, 4096, 16, F_V12, 4, FFAEMU_SPMC_VQ_NOT_SUPPORTED,
	 FFAEMU_SPMC_POST_STRICT, FFAEMU_SPMC_REBIND_SAME_OK},
};
#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

static void profile_from_row(struct ffaemu_spmc_profile *p, const struct profile_row *row)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->name = row->name;
	p->ffa_version = row->version;
	p->rxtx_min_size = row->min_size;
	p->rxtx_max_pages = row->max_pages;
	p->features = row->features;
	p->spmc_id = 0x8000;
	/* Hafnium's interrupt IDs (SGIs): NPI 5, MEI 4, SRI 8 (UNCONFIRMED values). */
	p->npi_id = 5;
	p->sri_id = 8;
	p->mei_id = row->mei;
	p->version_quirk = row->vq;
	p->prenego_quirk = FFAEMU_SPMC_PRE_ACCEPT;
	p->postnego_quirk = row->post;
	p->interrupt_ends_negotiation = false;
	p->rebind = row->rebind;
}

void ffaemu_spmc_profile_default(struct ffaemu_spmc_profile *p)
{
	if (p)
		profile_from_row(p, &profiles[0]);
}

int ffaemu_spmc_profile_by_name(const char *name, struct ffaemu_spmc_profile *p)
{
	if (!name || !p)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < N_PROFILES; i++) {
		if (strcmp(profiles[i].name, name) == 0) {
			profile_from_row(p, &profiles[i]);
			return FFAEMU_OK;
		}
	}
	return FFAEMU_ENOENT;
}

size_t ffaemu_spmc_profile_count(void)
{
	return N_PROFILES;
}

const char *ffaemu_spmc_profile_name_at(size_t i)
{
	return i < N_PROFILES ? profiles[i].name : NULL;
}

static int profile_check(const struct ffaemu_spmc_profile *p)
{
	if (p->size < offsetof(struct ffaemu_spmc_profile, reserved))
		return FFAEMU_EINVAL;
	/* The versions this model implements (spec B1; of 1.3 only the confirmed items). */
	if (p->ffa_version != FFAEMU_FFA_1_0 && p->ffa_version != FFAEMU_FFA_1_1 &&
	    p->ffa_version != FFAEMU_FFA_1_2 && p->ffa_version != FFAEMU_FFA_1_3)
		return FFAEMU_EINVAL;
	/* Minimum buffer sizes FFA_FEATURES can encode (spec C5.1). */
	if (p->rxtx_min_size != 4096 && p->rxtx_min_size != 16384 && p->rxtx_min_size != 65536)
		return FFAEMU_EINVAL;
	if (p->rxtx_max_pages == 0 || p->rxtx_max_pages > 0xffffu ||
	    p->rxtx_max_pages * 4096u < p->rxtx_min_size)
		return FFAEMU_EINVAL;
	if (!(p->spmc_id & 0x8000u))
		return FFAEMU_EINVAL;
	if ((unsigned)p->version_quirk > FFAEMU_SPMC_VQ_OWN_VERSION ||
	    (unsigned)p->prenego_quirk > FFAEMU_SPMC_PRE_NOT_SUPPORTED ||
	    (unsigned)p->postnego_quirk > FFAEMU_SPMC_POST_NEGOTIATED ||
	    p->partial_reclaim > FFAEMU_SPMC_PARTIAL_RECLAIM_DROP ||
	    p->rebind > FFAEMU_SPMC_REBIND_DENIED)
		return FFAEMU_EINVAL;
	return FFAEMU_OK;
}

/* ---- object ------------------------------------------------------------ */

static void spmc_node_call(void *self, struct ffaemu_regs *r, const struct ffaemu_call_ctx *ctx);

static const struct ffaemu_node_ops spmc_node_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "spmc",
	.call = spmc_node_call,
	.destroy = NULL,
};

void ffaemu_spmc_config_default(struct ffaemu_spmc_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->secure_base = 0xf0000000u;
	cfg->secure_size = 16u << 20;
}

static void ep_free(struct spmc *spmc, struct spmc_ep *ep)
{
	spmc_notif_free(spmc, ep);
	ffaemu_alloc_free(&spmc->alloc, ep);
}

void ffaemu_spmc_free(struct ffaemu_spmc **pspmc)
{
	struct spmc *spmc;

	if (!pspmc || !*pspmc)
		return;
	spmc = (struct spmc *)*pspmc;
	spmc_mem_fini(spmc);
	for (size_t i = 0; i < spmc->n_sps; i++)
		spmc_sp_free(spmc, spmc->sps[i]);
	for (size_t i = 0; i < spmc->n_eps; i++)
		ep_free(spmc, spmc->eps[i]);
	ffaemu_alloc_free(&spmc->alloc, spmc->sps);
	ffaemu_alloc_free(&spmc->alloc, spmc->eps);
	ffaemu_node_free(&spmc->node);
	/* Give a shared memory its secure pool back (best effort: pages still
	 * shared or pinned keep the region). */
	if (spmc->sec_added && !spmc->own_mem)
		(void)ffaemu_mem_remove(spmc->mem, spmc->sec_base);
	if (spmc->own_mem)
		ffaemu_mem_free(&spmc->mem);
	{
		struct ffaemu_alloc a = spmc->alloc;
		ffaemu_alloc_free(&a, spmc);
	}
	*pspmc = NULL;
}

int ffaemu_spmc_new(const struct ffaemu_spmc_config *cfg, struct ffaemu_spmc **out)
{
	struct ffaemu_spmc_config def;
	struct ffaemu_alloc a;
	struct spmc *spmc;
	struct ffaemu_spmc *pub;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	if (!cfg) {
		ffaemu_spmc_config_default(&def);
		cfg = &def;
	}
	if (cfg->size < sizeof(struct ffaemu_spmc_config))
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&a, cfg->alloc);
	spmc = ffaemu_alloc_zalloc(&a, sizeof(*spmc));
	if (!spmc)
		return FFAEMU_ENOMEM;
	spmc->alloc = a;
	spmc->user_alloc = cfg->alloc;
	pub = (struct ffaemu_spmc *)spmc;
	if (cfg->profile) {
		if (cfg->profile->size < offsetof(struct ffaemu_spmc_profile, reserved)) {
			rc = FFAEMU_EINVAL;
			goto fail;
		}
		ffaemu_spmc_profile_default(&spmc->profile);
		memcpy(&spmc->profile, cfg->profile,
		       cfg->profile->size < sizeof(spmc->profile) ? cfg->profile->size
								  : sizeof(spmc->profile));
		spmc->profile.size = sizeof(spmc->profile);
	} else {
		ffaemu_spmc_profile_default(&spmc->profile);
	}
	rc = profile_check(&spmc->profile);
	if (rc)
		goto fail;

	if (cfg->mem) {
		spmc->mem = cfg->mem;
	} else {
		rc = ffaemu_mem_new(cfg->alloc, &spmc->mem);
		if (rc)
			goto fail;
		spmc->own_mem = true;
	}
	if (cfg->secure_size) {
		if ((cfg->secure_base | cfg->secure_size) & (FFAEMU_PAGE_SIZE - 1) ||
		    cfg->secure_base + cfg->secure_size < cfg->secure_base) {
			rc = FFAEMU_EINVAL;
			goto fail;
		}
		rc = ffaemu_mem_add_ram(spmc->mem, cfg->secure_base, cfg->secure_size,
					FFAEMU_MEM_SECURE,
					ffaemu_owner_make(FFAEMU_OWNER_SECURE, spmc->profile.spmc_id));
		if (rc)
			goto fail;
		spmc->sec_base = cfg->secure_base;
		spmc->sec_size = cfg->secure_size;
		spmc->sec_added = true;
	}
	/* The NS physical instance is endpoint 0 (spec B2). */
	if (!spmc_ep_new(spmc, 0, SPMC_EP_NS)) {
		rc = FFAEMU_ENOMEM;
		goto fail;
	}
	rc = ffaemu_node_new(&spmc_node_ops, spmc, cfg->alloc, &spmc->node);
	if (rc)
		goto fail;
	rc = spmc_mem_init(spmc);
	if (rc)
		goto fail;
	*out = pub;
	return FFAEMU_OK;
fail:
	ffaemu_spmc_free(&pub);
	return rc;
}

struct ffaemu_node *ffaemu_spmc_node(struct ffaemu_spmc *pub)
{
	return pub ? ((struct spmc *)pub)->node : NULL;
}

struct ffaemu_mem *ffaemu_spmc_mem(struct ffaemu_spmc *pub)
{
	return pub ? ((struct spmc *)pub)->mem : NULL;
}

const struct ffaemu_spmc_profile *ffaemu_spmc_get_profile(const struct ffaemu_spmc *pub)
{
	return pub ? &((const struct spmc *)pub)->profile : NULL;
}

/* ---- which ABIs a caller may use (spec C1, C1.3) ---------------------- */

int32_t spmc_abi_allowed(struct spmc *spmc, const struct spmc_ep *ep,
			 const struct ffaemu_call_ctx *ctx, uint32_t fid, bool as_call)
{
	const struct ffaemu_abi *abi = abi_lookup(fid);
	bool sp = ep->kind == SPMC_EP_SP;
	bool smc64 = (fid & FFAEMU_SMCCC_SMC64) != 0;
	uint32_t since;
	uint32_t f = fid & ~FFAEMU_SMCCC_SMC64;
	const int32_t NS = FFAEMU_FFA_NOT_SUPPORTED;

	if (!abi)
		return NS;
	/* An ABI newer than the endpoint's version does not exist for it (C1). */
	since = smc64 && abi->version64 ? abi->version64 : abi->version;
	if (since > ep->version || since > spmc->profile.ffa_version)
		return NS;
	/* AArch32 partitions have no SMC64 (DEN0028 s2.5; spec A8). */
	if (smc64 && sp && !(ep->sp->cfg.props & FFAEMU_SP_PROP_AARCH64))
		return NS;

	switch (f) {
	case FFAEMU_FFA_ERROR:
	case FFAEMU_FFA_SUCCESS:
		/* Replies: implemented, but not calls an endpoint makes to the SPMC. */
		return as_call ? NS : 0;
	case FFAEMU_FFA_INTERRUPT:
		if (!as_call)
			return 0;
		/* Hafnium answers DENIED if an SP calls it; the SPMD refuses it from the NWd (C1, C1.3). */
		return sp ? FFAEMU_FFA_DENIED : NS;
	case FFAEMU_FFA_VERSION:
	case FFAEMU_FFA_FEATURES:
	case FFAEMU_FFA_ID_GET:
	case FFAEMU_FFA_SPM_ID_GET:
	case FFAEMU_FFA_RX_RELEASE:
	case FFAEMU_FFA_RXTX_MAP:
	case FFAEMU_FFA_RXTX_UNMAP:
	case FFAEMU_FFA_PARTITION_INFO_GET:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
		return 0;
	case FFAEMU_FFA_PARTITION_INFO_GET_REGS & ~FFAEMU_SMCCC_SMC64:
		return spmc_has(spmc, FFAEMU_SPMC_F_PARTINFO_REGS) ? 0 : NS;
	case FFAEMU_FFA_MSG_WAIT:
	case FFAEMU_FFA_YIELD:
		/* Secure virtual instance only (C1.3: SPMD refuses them from the NWd). */
		return sp ? 0 : NS;
	case FFAEMU_FFA_RUN:
		/* NWd scheduler only (C1.3). */
		return sp ? NS : 0;
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
		/* Only a partition receives direct requests here (C7.1). */
		return sp ? 0 : NS;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 & ~FFAEMU_SMCCC_SMC64:
		return spmc_has(spmc, FFAEMU_SPMC_F_DIRECT_REQ2) ? 0 : NS;
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 & ~FFAEMU_SMCCC_SMC64:
		return spmc_has(spmc, FFAEMU_SPMC_F_DIRECT_REQ2) && sp ? 0 : NS;
	case FFAEMU_FFA_MEM_DONATE:
		return spmc_has(spmc, FFAEMU_SPMC_F_MEM_DONATE) ? 0 : NS;
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
	case FFAEMU_FFA_MEM_RELINQUISH:
	case FFAEMU_FFA_MEM_RECLAIM:
	case FFAEMU_FFA_MEM_FRAG_RX:
	case FFAEMU_FFA_MEM_FRAG_TX:
		return spmc_has(spmc, FFAEMU_SPMC_F_MEM_SHARE) ? 0 : NS;
	case FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE:
	case FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY:
		/* NS physical instance only: the hypervisor (C1, C1.3). */
		if (!spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS))
			return NS;
		return !sp && ctx->instance == FFAEMU_INSTANCE_NP ? 0 : NS;
	case FFAEMU_FFA_NOTIFICATION_BIND:
	case FFAEMU_FFA_NOTIFICATION_UNBIND:
	case FFAEMU_FFA_NOTIFICATION_SET:
	case FFAEMU_FFA_NOTIFICATION_GET:
		return spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS) ? 0 : NS;
	case FFAEMU_FFA_NOTIFICATION_INFO_GET:
		/* The NWd scheduler only (C1.3). */
		return spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS) && !sp ? 0 : NS;
	case FFAEMU_FFA_RX_ACQUIRE:
		/* Hypervisor -> SPMC only (C1, C5.3). */
		return spmc_has(spmc, FFAEMU_SPMC_F_RX_ACQUIRE) && !sp &&
				       ctx->instance == FFAEMU_INSTANCE_NP
			       ? 0
			       : NS;
	case FFAEMU_FFA_MSG_SEND2:
		return spmc_has(spmc, FFAEMU_SPMC_F_MSG_SEND2) ? 0 : NS;
	case FFAEMU_FFA_SECONDARY_EP_REGISTER:
		/* SPs with more than one execution context (C1.3, C6). */
		return spmc_has(spmc, FFAEMU_SPMC_F_SECONDARY_EP) && sp &&
				       ep->sp->cfg.exec_ctx_count > 1
			       ? 0
			       : NS;
	case FFAEMU_FFA_MEM_PERM_GET:
	case FFAEMU_FFA_MEM_PERM_SET:
		/* S-EL0 partitions only (C1.3, E4). */
		return spmc_has(spmc, FFAEMU_SPMC_F_MEM_PERM) && sp && ep->sp->cfg.el == 0 ? 0 : NS;
	case FFAEMU_FFA_CONSOLE_LOG:
		/* Secure partitions only; the SPMD never forwards it (C9). */
		return spmc_has(spmc, FFAEMU_SPMC_F_CONSOLE_LOG) && sp ? 0 : NS;
	default:
		/* MSG_SEND/POLL (legacy), MEM_OP_*, RETRIEVE_RESP (a reply),
		 * NORMAL_WORLD_RESUME / EL3_INTR_HANDLE (SPMC -> SPMD),
		 * v1.3 ABIs: not implemented (spec A10). */
		return NS;
	}
}

/* ---- FFA_VERSION (spec C4) --------------------------------------------- */

static void reply_version(struct ffaemu_regs *r, uint32_t w0)
{
	/* A bare version word (or -1) in w0, x1-x17 zero (C4, G2). */
	ffaemu_regs_clear(r);
	r->x[0] = w0;
}

static void do_version(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r)
{
	uint32_t req = ffaemu_regs_w(r, 1);
	uint32_t own = spmc->profile.ffa_version;
	const uint32_t NS = (uint32_t)FFAEMU_FFA_NOT_SUPPORTED;

	/* Bit 31 set: not a version (C4). */
	if (!ffaemu_ffa_version_valid(req)) {
		reply_version(r, NS);
		return;
	}
	if (ep->negotiated) {
		if (spmc->profile.postnego_quirk == FFAEMU_SPMC_POST_NEGOTIATED) {
			/* TF-A EL3 SPMC returns the negotiated version (C4). */
			reply_version(r, ep->version);
			return;
		}
		/* Hafnium: the same version is answered again, another one is
		 * refused once negotiation is over (C4, HF-API). */
		reply_version(r, req == ep->version ? own : NS);
		return;
	}
	if (ffaemu_ffa_version_major(req) != ffaemu_ffa_version_major(own)) {
		/* Another major: implementations disagree (C4, UNCONFIRMED). */
		reply_version(r, spmc->profile.version_quirk == FFAEMU_SPMC_VQ_OWN_VERSION ? own : NS);
		return;
	}
	if (!ffaemu_ffa_version_compatible(req, own)) {
		/* A newer minor: Hafnium refuses; TF-A/Xen answer their own
		 * version, and a caller that accepts it talks at that version. */
		if (spmc->profile.version_quirk == FFAEMU_SPMC_VQ_OWN_VERSION) {
			ep->version = own;
			ep->version_called = true;
			reply_version(r, own);
		} else {
			reply_version(r, NS);
		}
		return;
	}
	/* Compatible: remember the caller's version and shape data to it;
	 * the last call before negotiation ends wins (C4). */
	ep->version = req;
	ep->version_called = true;
	reply_version(r, own);
}

/* ---- FFA_FEATURES (spec C5.1) ------------------------------------------ */

static uint32_t rxtx_size_code(uint32_t bytes)
{
	/* 0b00 = 4K, 0b01 = 64K, 0b10 = 16K (C5.1, G1). */
	return bytes == 65536 ? 1u : bytes == 16384 ? 2u : 0u;
}

static void do_features(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			const struct ffaemu_call_ctx *ctx)
{
	uint32_t id = ffaemu_regs_w(r, 1);
	uint32_t in = ffaemu_regs_w(r, 2);
	bool sp = ep->kind == SPMC_EP_SP;
	bool v11 = ep->version >= FFAEMU_FFA_1_1;
	const int32_t NS = FFAEMU_FFA_NOT_SUPPORTED;
	uint32_t out = 0;

	if (!(id & 0x80000000u)) {
		/* Feature IDs (v1.1): [7:0]; [30:8] and input w2 MBZ (C5.1; Hafnium
		 * answers NOT_SUPPORTED). */
		if ((id & 0x7fffff00u) || in != 0 || !v11)
			goto ns;
		switch (id) {
		case FFAEMU_FFA_FEATURE_NPI:
			/* Virtual interrupt for S-EL1 partitions (C5.1, C1.3). */
			if (!spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS) || !sp || ep->sp->cfg.el != 1 || !spmc->profile.npi_id)
				goto ns;
			out = spmc->profile.npi_id;
			break;
		case FFAEMU_FFA_FEATURE_SRI:
			/* Only at the NS instances (C5.1). */
			if (!spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS) || sp || !spmc->profile.sri_id)
				goto ns;
			out = spmc->profile.sri_id;
			break;
		case FFAEMU_FFA_FEATURE_MEI:
			if (!sp || ep->sp->cfg.el != 1 || !spmc->profile.mei_id)
				goto ns;
			out = spmc->profile.mei_id;
			break;
		case FFAEMU_FFA_FEATURE_NOTIF:
			/*
			 * v1.3: bit0 per-vCPU notifications not supported for
			 * VMs, bit1 for SPs, other bits MBZ (C5.1).
			 */
			if (ep->version < FFAEMU_FFA_1_3 || !spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS))
				goto ns;
			out = spmc_has(spmc, FFAEMU_SPMC_F_NOTIF_PER_VCPU) ? 0u : 3u;
			break;
		default:
			goto ns;
		}
		spmc_reply_success(r, false, out, 0);
		return;
	}

	if (spmc_abi_allowed(spmc, ep, ctx, ffaemu_fid_strip_hint(id), false) != 0)
		goto ns;
	switch (ffaemu_fid_strip_hint(id) & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_RXTX_MAP:
		if (in)
			goto ns; /* input MBZ (C5.1, TF-A) */
		out = rxtx_size_code(spmc->profile.rxtx_min_size);
		/* Maximum page count only for v1.2+ callers (C5.1). */
		if (ep->version >= FFAEMU_FFA_1_2)
			out |= spmc->profile.rxtx_max_pages << 16;
		break;
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
		/* v1.1+ callers must declare they handle the NS bit (C5.1). */
		if (v11 && spmc_has(spmc, FFAEMU_SPMC_F_MEM_NS_BIT) && !(in & 2u))
			goto ns;
		if (spmc_has(spmc, FFAEMU_SPMC_F_MEM_DYN_BUFFER))
			out |= 1u;
		if (v11 && spmc_has(spmc, FFAEMU_SPMC_F_MEM_NS_BIT) && (in & 2u))
			out |= 2u;
		if (v11 && !sp && spmc_has(spmc, FFAEMU_SPMC_F_HYP_RETRIEVE))
			out |= 4u;
		/* Retrieve responses carry the NS bit only for callers that opted in (C5.1, G7). */
		spmc_mem_note_ns_bit(spmc, ep, (out & 2u) != 0);
		break;
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_SHARE:
		if (in)
			goto ns;
		if (spmc_has(spmc, FFAEMU_SPMC_F_MEM_DYN_BUFFER))
			out |= 1u;
		break;
	default:
		if (in)
			goto ns; /* input properties MBZ for other FIDs (C5.1, TF-A) */
		break;
	}
	spmc_reply_success(r, false, out, 0);
	return;
ns:
	spmc_reply_error(r, NS);
}

/* ---- fault injection --------------------------------------------------- */

void ffaemu_spmc_fault_default(struct ffaemu_spmc_fault *f)
{
	if (!f)
		return;
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->kind = FFAEMU_SPMC_FAULT_ERROR;
	f->error = FFAEMU_FFA_BUSY;
	f->any_caller = true;
}

int ffaemu_spmc_inject_fault(struct ffaemu_spmc *pub, const struct ffaemu_spmc_fault *f)
{
	struct spmc *spmc = (struct spmc *)pub;

	if (!spmc || !f || f->size < sizeof(*f) || (unsigned)f->kind > FFAEMU_SPMC_FAULT_KIND_MAX)
		return FFAEMU_EINVAL;
	if (f->kind == FFAEMU_SPMC_FAULT_ERROR &&
	    (f->error >= 0 || f->error < FFAEMU_FFA_ERROR_MIN))
		return FFAEMU_EINVAL;
	if (f->fid && !abi_lookup(f->fid))
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < SPMC_MAX_FAULTS; i++) {
		struct spmc_fault_slot *s = &spmc->faults[i];
		if (s->armed)
			continue;
		memset(s, 0, sizeof(*s));
		s->f = *f;
		if (s->f.count == 0)
			s->f.count = 1;
		if (s->f.nth == 0)
			s->f.nth = 1;
		s->armed = true;
		spmc->faults_armed++;
		return FFAEMU_OK;
	}
	return FFAEMU_ENOMEM;
}

void ffaemu_spmc_clear_faults(struct ffaemu_spmc *pub)
{
	struct spmc *spmc = (struct spmc *)pub;
	if (spmc) {
		memset(spmc->faults, 0, sizeof(spmc->faults));
		spmc->faults_armed = 0;
	}
}

size_t ffaemu_spmc_faults_pending(const struct ffaemu_spmc *pub)
{
	const struct spmc *spmc = (const struct spmc *)pub;
	size_t n = 0;

	if (!spmc)
		return 0;
	for (size_t i = 0; i < SPMC_MAX_FAULTS; i++)
		if (spmc->faults[i].armed)
			n++;
	return n;
}

static bool fault_matches(const struct ffaemu_spmc_fault *f, uint32_t fid, ffaemu_id_t caller)
{
	if (f->fid && (f->fid & ~FFAEMU_SMCCC_SMC64) != (fid & ~FFAEMU_SMCCC_SMC64))
		return false;
	if (!f->any_caller && f->caller != caller)
		return false;
	return true;
}

/*
 * Count this call against every armed fault; return the first that hits.
 * A fault hits matching calls nth .. nth+count-1 and is then disarmed.
 */
static struct spmc_fault_slot *fault_hit(struct spmc *spmc, uint32_t fid, ffaemu_id_t caller)
{
	struct spmc_fault_slot *hit = NULL;

	if (!spmc->faults_armed)
		return NULL;
	for (size_t i = 0; i < SPMC_MAX_FAULTS; i++) {
		struct spmc_fault_slot *s = &spmc->faults[i];
		if (!s->armed || !fault_matches(&s->f, fid, caller))
			continue;
		/* FFA_VERSION faults only make sense for FFA_VERSION. */
		if (s->f.kind == FFAEMU_SPMC_FAULT_VERSION && fid != FFAEMU_FFA_VERSION)
			continue;
		s->seen++;
		if (s->seen < s->f.nth || hit)
			continue;
		s->hits++;
		if (s->hits >= s->f.count) {
			s->armed = false;
			spmc->faults_armed--;
		}
		hit = s;
	}
	return hit;
}

bool spmc_fault_take(struct spmc *spmc, uint32_t fid, struct ffaemu_spmc_fault *out)
{
	if (!spmc->call_fault_valid)
		return false;
	if (spmc->call_fault.fid &&
	    (spmc->call_fault.fid & ~FFAEMU_SMCCC_SMC64) != (fid & ~FFAEMU_SMCCC_SMC64))
		return false;
	spmc->call_fault_valid = false;
	if (out)
		*out = spmc->call_fault;
	return true;
}

/* ---- dispatcher -------------------------------------------------------- */

/* ep: the record with ctx->caller's ID, or NULL (spmc_ep_find, done once per call). */
static struct spmc_ep *caller_ep(struct spmc *spmc, const struct ffaemu_call_ctx *ctx,
				 struct spmc_ep *ep, int32_t *err)
{
	*err = FFAEMU_FFA_NOT_SUPPORTED;
	if (ctx->secure || ctx->instance == FFAEMU_INSTANCE_SV) {
		/* A secure caller must be one of our partitions. */
		return ep && ep->kind == SPMC_EP_SP ? ep : NULL;
	}
	if (ctx->instance == FFAEMU_INSTANCE_SP)
		return NULL; /* SPMD -> SPMC framework path is not modelled */
	/* NWd: a caller ID with bit 15 set is not a NWd endpoint (spec B2). */
	if (ctx->caller & 0x8000u) {
		*err = FFAEMU_FFA_INVALID_PARAMETERS;
		return NULL;
	}
	if (!ep)
		ep = spmc_ep_new(spmc, ctx->caller, SPMC_EP_NS);
	if (!ep)
		*err = FFAEMU_FFA_NO_MEMORY;
	return ep;
}

static void do_id_get(struct spmc_ep *ep, struct ffaemu_regs *r)
{
	/* Own ID in w2[15:0] (C5.2). */
	spmc_reply_success(r, false, ep->id, 0);
}

static void do_spm_id_get(struct spmc *spmc, struct ffaemu_regs *r)
{
	/* The SPMC ID for NP and SV callers (C5.2). */
	spmc_reply_success(r, false, spmc->profile.spmc_id, 0);
}

static void dispatch(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		     const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	switch (fid & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_FEATURES:
		do_features(spmc, ep, r, ctx);
		return;
	case FFAEMU_FFA_ID_GET:
		do_id_get(ep, r);
		return;
	case FFAEMU_FFA_SPM_ID_GET:
		do_spm_id_get(spmc, r);
		return;
	case FFAEMU_FFA_RXTX_MAP:
	case FFAEMU_FFA_RXTX_UNMAP:
	case FFAEMU_FFA_RX_RELEASE:
	case FFAEMU_FFA_RX_ACQUIRE:
	case FFAEMU_FFA_PARTITION_INFO_GET:
	case FFAEMU_FFA_PARTITION_INFO_GET_REGS & ~FFAEMU_SMCCC_SMC64:
		spmc_rxtx_call(spmc, ep, r, ctx, fid);
		return;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 & ~FFAEMU_SMCCC_SMC64:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 & ~FFAEMU_SMCCC_SMC64:
	case FFAEMU_FFA_MSG_WAIT:
	case FFAEMU_FFA_YIELD:
	case FFAEMU_FFA_RUN:
	case FFAEMU_FFA_MSG_SEND2:
	case FFAEMU_FFA_CONSOLE_LOG:
	case FFAEMU_FFA_SECONDARY_EP_REGISTER:
	case FFAEMU_FFA_MEM_PERM_GET:
	case FFAEMU_FFA_MEM_PERM_SET:
		spmc_msg_call(spmc, ep, r, ctx, fid);
		return;
	case FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE:
	case FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY:
	case FFAEMU_FFA_NOTIFICATION_BIND:
	case FFAEMU_FFA_NOTIFICATION_UNBIND:
	case FFAEMU_FFA_NOTIFICATION_SET:
	case FFAEMU_FFA_NOTIFICATION_GET:
	case FFAEMU_FFA_NOTIFICATION_INFO_GET:
		spmc_notif_call(spmc, ep, r, ctx, fid);
		return;
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
	case FFAEMU_FFA_MEM_RELINQUISH:
	case FFAEMU_FFA_MEM_RECLAIM:
	case FFAEMU_FFA_MEM_FRAG_RX:
	case FFAEMU_FFA_MEM_FRAG_TX:
		spmc_mem_call(spmc, ep, r, ctx);
		return;
	default:
		spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
}

/*
 * *ver = the calling endpoint's FF-A version, 0 if no endpoint was resolved.
 * found: the record with the caller's ID, or NULL.
 */
static void node_call(struct spmc *spmc, struct ffaemu_regs *r, const struct ffaemu_call_ctx *ctx,
		      struct spmc_ep *found, uint32_t *ver)
{
	struct spmc_ep *ep;
	struct spmc_fault_slot *hit;
	uint32_t fid;
	int32_t err;
	bool saved_valid;
	struct ffaemu_spmc_fault saved_fault;

	/* The SVE hint is not part of the function (spec A1, G12). */
	fid = ffaemu_fid_strip_hint(ffaemu_regs_w(r, 0));
	if (!abi_fid_is_ffa(fid)) {
		/* Not ours; the EL3 node does not route these here. */
		spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
	/* SMC32: only w1-w7 are arguments (spec A8). */
	if (!(fid & FFAEMU_SMCCC_SMC64)) {
		for (int i = 1; i < 8; i++)
			r->x[i] = (uint32_t)r->x[i];
	}
	ep = caller_ep(spmc, ctx, found, &err);
	if (!ep) {
		spmc_reply_error(r, err);
		return;
	}
	*ver = ep->version;

	hit = fault_hit(spmc, fid, ep->id);
	if (hit && hit->f.kind == FFAEMU_SPMC_FAULT_ERROR) {
		/* Injected failure: as if the SPMC refused; nothing changes. */
		spmc_reply_error(r, hit->f.error);
		return;
	}
	if (hit && hit->f.kind == FFAEMU_SPMC_FAULT_VERSION) {
		reply_version(r, (uint32_t)hit->f.value);
		return;
	}

	if (fid == FFAEMU_FFA_VERSION) {
		do_version(spmc, ep, r);
		return;
	}

	/* Calls before FFA_VERSION: implementations disagree (C4, UNCONFIRMED). */
	if (!ep->version_called && !ep->negotiated && ep->kind == SPMC_EP_NS) {
		if (spmc->profile.prenego_quirk == FFAEMU_SPMC_PRE_INVALID_PARAMETERS) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		if (spmc->profile.prenego_quirk == FFAEMU_SPMC_PRE_NOT_SUPPORTED) {
			spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
			return;
		}
	}

	if (fid == ep->allowed_fid && ep->version == ep->allowed_version &&
	    ctx->instance == ep->allowed_instance) {
		err = 0; /* the endpoint's last yes still holds (struct spmc_ep) */
	} else {
		err = spmc_abi_allowed(spmc, ep, ctx, fid, true);
		if (!err) {
			ep->allowed_fid = fid;
			ep->allowed_version = ep->version;
			ep->allowed_instance = ctx->instance;
		}
	}
	/* Any other FF-A ABI ends the negotiation, except FFA_INTERRUPT in
	 * Hafnium (C4, G2); it ends even if the call then fails. */
	if ((fid & ~FFAEMU_SMCCC_SMC64) != FFAEMU_FFA_INTERRUPT ||
	    spmc->profile.interrupt_ends_negotiation)
		ep->negotiated = true;
	if (err) {
		spmc_reply_error(r, err);
		return;
	}

	spmc->depth++;
	if (!hit && !spmc->call_fault_valid) {
		/* No memory-kind fault for this call or an outer one: nothing to save. */
		dispatch(spmc, ep, r, ctx, fid);
		spmc->depth--;
		return;
	}
	saved_valid = spmc->call_fault_valid;
	/* call_fault is read only while valid: an invalid one needs no saving. */
	if (saved_valid)
		saved_fault = spmc->call_fault;
	spmc->call_fault_valid = hit != NULL;
	if (hit)
		spmc->call_fault = hit->f;
	dispatch(spmc, ep, r, ctx, fid);
	spmc->depth--;
	spmc->call_fault_valid = saved_valid;
	if (saved_valid)
		spmc->call_fault = saved_fault;
}

/*
 * The first register of x0-x17 that is not a result of the call, given the
 * caller's FF-A version (0: none resolved): the SMCCC convention's results
 * (spec C1.2, C3, F) are written, the registers above keep the caller's
 * values (spec A7, G11). Below v1.2 an FF-A ABI returns in x0-x7 only, so
 * an SMC64 call of such an endpoint keeps x8-x17 (spec A7, C1.4, G11).
 */
static unsigned results_end(uint32_t smccc_version, bool smc64, uint32_t ver)
{
	struct ffaemu_smccc_regclass rc = smccc_regclass(smccc_version, smc64);

	if (smc64 && ver && ver < FFAEMU_FFA_1_2)
		rc.results &= FFAEMU_REG(8) - 1u;
	/* Every convention of spec A7 returns in a block x0..xk-1. */
	switch (rc.results) {
	case FFAEMU_REGS_ALL:
		return FFAEMU_NREGS;
	case FFAEMU_REG_RANGE(0, 7):
		return 8;
	default:
		return 4; /* x0-x3: SMCCC 1.0 and 1.1 */
	}
}

static void spmc_node_call(void *self, struct ffaemu_regs *r, const struct ffaemu_call_ctx *ctx)
{
	struct spmc *spmc = self;
	struct ffaemu_call_ctx dctx;
	uint64_t kept[FFAEMU_NREGS];
	bool smc64 = (ffaemu_regs_w(r, 0) & FFAEMU_SMCCC_SMC64) != 0;
	uint32_t smccc, guess, ver = 0;
	struct spmc_ep *found;
	bool known;
	unsigned save, end;

	if (!ctx) {
		memset(&dctx, 0, sizeof(dctx));
		dctx.instance = FFAEMU_INSTANCE_NP;
		dctx.el = 1;
		ctx = &dctx;
	}
	smccc = ctx->smccc_version ? ctx->smccc_version : FFAEMU_SMCCC_1_2;
	found = spmc_ep_find(spmc, ctx->caller);
	known = found || ctx->secure || ctx->instance == FFAEMU_INSTANCE_SV;
	/*
	 * Keep what the reply must not change, before the call writes r. The
	 * caller's version decides it (results_end): the found record's, a new
	 * record's (the profile's) or none; saving for the lower of the first
	 * two keeps at least what any of them needs.
	 */
	guess = found && found->version < spmc->profile.ffa_version ? found->version
								    : spmc->profile.ffa_version;
	save = results_end(smccc, smc64, guess);
	if (save < FFAEMU_NREGS)
		memcpy(&kept[save], &r->x[save], (FFAEMU_NREGS - save) * sizeof(r->x[0]));

	node_call(spmc, r, ctx, found, &ver);

	end = ver == guess ? save : results_end(smccc, smc64, ver);
	if (end < FFAEMU_NREGS)
		memcpy(&r->x[end], &kept[end], (FFAEMU_NREGS - end) * sizeof(r->x[0]));
	/* SMC32 replies are W values (spec A8); a last guard. */
	if (!smc64)
		for (int i = 0; i < 8; i++)
			r->x[i] = (uint32_t)r->x[i];
	/*
	 * A normal-world endpoint the SPMC first hears of in this call keeps a
	 * record only if the call left something in it: a refused call from an
	 * unknown endpoint changes no state (spec C2). Ending version
	 * negotiation is such a change, made even by a refused call (spec C4),
	 * so that record stays.
	 */
	if (!known) {
		found = spmc_ep_find(spmc, ctx->caller);
		if (found && spmc_ep_pristine(spmc, found))
			spmc_ep_drop(spmc, found);
	}
}

/* ---- observers --------------------------------------------------------- */

int ffaemu_spmc_ep_info(const struct ffaemu_spmc *pub, ffaemu_id_t id,
			struct ffaemu_spmc_ep_info *out)
{
	struct spmc *spmc = (struct spmc *)(uintptr_t)pub;
	struct spmc_ep *ep;

	if (!spmc || !out)
		return FFAEMU_EINVAL;
	ep = spmc_ep_find(spmc, id);
	if (!ep)
		return FFAEMU_ENOENT;
	memset(out, 0, sizeof(*out));
	out->id = ep->id;
	out->secure = ep->kind == SPMC_EP_SP;
	out->version = ep->version;
	out->version_called = ep->version_called;
	out->negotiated = ep->negotiated;
	out->mapped = ep->mb.mapped;
	out->tx_pa = ep->mb.tx_pa;
	out->rx_pa = ep->mb.rx_pa;
	out->rxtx_pages = ep->mb.pages;
	out->rx_full = ep->mb.mapped && ep->mb.rx_state == SPMC_RX_FULL;
	out->rx_hyp_owned = ep->mb.mapped && ep->mb.rx_state == SPMC_RX_HYP;
	out->mapped_by_hyp = ep->mb.by_hyp;
	return FFAEMU_OK;
}
