/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Secure partitions: configuration, the built-in partitions (echo,
 * notifier, console, faulty), the "acs-fvp" preset, and the environment a
 * partition handler uses to call the SPMC.
 */
#include <stdio.h>
#include <string.h>

#include "spmc_internal.h"

/* ---- messaging-method -> properties ------------------------------------ */

uint32_t ffaemu_sp_props_from_messaging_method(uint32_t mm)
{
	/*
	 * FF-A manifest binding (TF-A docs/components/ffa-manifest-binding,
	 * Hafnium manifest.h): bit0 direct request receive, bit1 direct
	 * request send, bit2 indirect messaging, bit9 DIRECT_REQ2 receive,
	 * bit10 DIRECT_REQ2 send. They sit at the same positions as the D1
	 * property bits; other manifest bits (e.g. 8 = "direct request
	 * receive of the SPMC's framework messages" in some trees) have no
	 * partition-info meaning and are dropped. (Our reading; marked as a
	 * choice in the report.)
	 */
	return mm & (FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ_SEND |
		     FFAEMU_SP_PROP_INDIRECT_MSG | FFAEMU_SP_PROP_DIRECT_REQ2_RECV |
		     FFAEMU_SP_PROP_DIRECT_REQ2_SEND);
}

/* ---- built-in handlers -------------------------------------------------- */

static bool is_direct_req(uint32_t fid)
{
	return fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ || fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64 ||
	       fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
}

static void msg_wait(struct ffaemu_regs *r)
{
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_MSG_WAIT;
}

/*
 * Turn the request in r into its response, payload kept: REQ -> RESP of
 * the same width, REQ2 -> RESP2 (C1.2); a framework request gets the
 * framework response type + 1 with status 0 in w3 (C7.2).
 */
static void make_response(struct ffaemu_regs *r)
{
	uint32_t fid = ffaemu_regs_w(r, 0);
	ffaemu_id_t src = ffaemu_regs_id_hi(r, 1), dst = ffaemu_regs_id_lo(r, 1);

	ffaemu_regs_set_ids(r, 1, dst, src);
	if (fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2) {
		r->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_RESP2;
		r->x[2] = 0;
		r->x[3] = 0;
		return;
	}
	r->x[0] = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ ? FFAEMU_FFA_MSG_SEND_DIRECT_RESP
							 : FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
	if (ffaemu_regs_w(r, 2) & 0x80000000u) {
		r->x[2] = 0x80000000u | ((ffaemu_regs_w(r, 2) & 0xffu) + 1);
		for (int i = 3; i < FFAEMU_NREGS; i++)
			r->x[i] = 0;
	}
}

static void echo_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	(void)user;
	(void)env;
	if (is_direct_req(ffaemu_regs_w(r, 0)))
		make_response(r);
	else
		msg_wait(r);
}

static void notifier_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	struct ffaemu_regs c;
	uint32_t fid = ffaemu_regs_w(r, 0);

	(void)user;
	if (!is_direct_req(fid) || fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 ||
	    (ffaemu_regs_w(r, 2) & 0x80000000u)) {
		if (is_direct_req(fid))
			make_response(r);
		else
			msg_wait(r);
		return;
	}
	/* Set the notifications it is asked to, as itself (C8). */
	ffaemu_regs_clear(&c);
	c.x[0] = FFAEMU_FFA_NOTIFICATION_SET;
	ffaemu_regs_set_ids(&c, 1, ffaemu_sp_env_id(env), (ffaemu_id_t)ffaemu_regs_w(r, 3));
	c.x[2] = ffaemu_regs_w(r, 6);
	c.x[3] = ffaemu_regs_w(r, 4);
	c.x[4] = ffaemu_regs_w(r, 5);
	ffaemu_sp_call(env, &c);
	make_response(r);
	for (int i = 3; i < FFAEMU_NREGS; i++)
		r->x[i] = 0;
	r->x[3] = ffaemu_regs_w(&c, 0) == FFAEMU_FFA_SUCCESS ? 0 : ffaemu_regs_w(&c, 2);
}

static void console_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	uint32_t fid = ffaemu_regs_w(r, 0);
	uint8_t bytes[8 * 14];
	size_t n = 0, off = 0;
	int32_t status = 0;
	unsigned first, lastreg;
	bool wide;

	(void)user;
	if (!is_direct_req(fid) || (fid != FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 &&
				    (ffaemu_regs_w(r, 2) & 0x80000000u))) {
		if (is_direct_req(fid))
			make_response(r);
		else
			msg_wait(r);
		return;
	}
	wide = fid != FFAEMU_FFA_MSG_SEND_DIRECT_REQ;
	first = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3;
	lastreg = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 ? 17 : 7;
	for (unsigned i = first; i <= lastreg; i++) {
		uint64_t v = r->x[i];
		for (unsigned b = 0; b < (wide ? 8u : 4u); b++)
			bytes[n++] = (uint8_t)(v >> (8 * b));
	}
	for (size_t i = 0; i < n; i++)
		if (bytes[i] == 0) {
			n = i;
			break;
		}
	/* FFA_CONSOLE_LOG_32: up to 24 characters packed LE in w2-w7 (C9). */
	while (off < n && status == 0) {
		struct ffaemu_regs c;
		size_t chunk = n - off > 24 ? 24 : n - off;
		ffaemu_regs_clear(&c);
		c.x[0] = FFAEMU_FFA_CONSOLE_LOG;
		c.x[1] = chunk;
		for (size_t i = 0; i < chunk; i++)
			c.x[2 + i / 4] |= (uint64_t)bytes[off + i] << (8 * (i % 4));
		ffaemu_sp_call(env, &c);
		if (ffaemu_regs_w(&c, 0) != FFAEMU_FFA_SUCCESS)
			status = ffaemu_regs_s32(&c, 2);
		off += chunk;
	}
	make_response(r);
	for (int i = 3; i < FFAEMU_NREGS; i++)
		r->x[i] = 0;
	r->x[fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3] = (uint32_t)status;
}

struct faulty_state {
	enum ffaemu_sp_faulty_mode mode;
	int32_t error;
};

static void faulty_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	const struct faulty_state *st = user;
	uint32_t fid = ffaemu_regs_w(r, 0);

	(void)env;
	switch (st->mode) {
	case FFAEMU_SP_FAULTY_ERROR:
		spmc_reply_error(r, st->error);
		return;
	case FFAEMU_SP_FAULTY_YIELD:
		ffaemu_regs_clear(r);
		r->x[0] = FFAEMU_FFA_YIELD;
		return;
	case FFAEMU_SP_FAULTY_INTERRUPT:
		ffaemu_regs_clear(r);
		r->x[0] = FFAEMU_FFA_INTERRUPT;
		return;
	case FFAEMU_SP_FAULTY_WRONG_WIDTH:
	default:
		if (!is_direct_req(fid)) {
			msg_wait(r);
			return;
		}
		make_response(r);
		/* The wrong width on purpose (C1.2 violation). */
		r->x[0] = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ ? FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64
								 : FFAEMU_FFA_MSG_SEND_DIRECT_RESP;
		return;
	}
}

static int faulty_init(struct spmc *spmc, struct spmc_sp *sp, void **user)
{
	struct faulty_state *st = ffaemu_alloc_zalloc(&spmc->alloc, sizeof(*st));
	if (!st)
		return FFAEMU_ENOMEM;
	st->mode = sp->cfg.faulty_mode;
	st->error = sp->cfg.faulty_error;
	*user = st;
	return FFAEMU_OK;
}

static void faulty_fini(struct spmc *spmc, void *user)
{
	ffaemu_alloc_free(&spmc->alloc, user);
}

#define P_BASE (FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_AARCH64)

static const struct spmc_builtin builtin_echo = {
	FFAEMU_SP_ECHO, "echo",
	P_BASE | FFAEMU_SP_PROP_DIRECT_REQ2_RECV | FFAEMU_SP_PROP_INDIRECT_MSG |
		FFAEMU_SP_PROP_NOTIFICATIONS | FFAEMU_SP_PROP_VM_CREATED |
		FFAEMU_SP_PROP_VM_DESTROYED,
	echo_handler, NULL, NULL};
static const struct spmc_builtin builtin_notifier = {
	FFAEMU_SP_NOTIFIER, "notifier", P_BASE | FFAEMU_SP_PROP_NOTIFICATIONS, notifier_handler,
	NULL, NULL};
static const struct spmc_builtin builtin_console = {
	FFAEMU_SP_CONSOLE, "console", P_BASE | FFAEMU_SP_PROP_DIRECT_REQ2_RECV, console_handler,
	NULL, NULL};
static const struct spmc_builtin builtin_faulty = {
	FFAEMU_SP_FAULTY, "faulty", P_BASE | FFAEMU_SP_PROP_DIRECT_REQ2_RECV, faulty_handler,
	faulty_init, faulty_fini};

static const struct spmc_builtin *builtin_get(enum ffaemu_sp_builtin kind)
{
	switch (kind) {
	case FFAEMU_SP_ECHO:
		return &builtin_echo;
	case FFAEMU_SP_NOTIFIER:
		return &builtin_notifier;
	case FFAEMU_SP_CONSOLE:
		return &builtin_console;
	case FFAEMU_SP_FAULTY:
		return &builtin_faulty;
	case FFAEMU_SP_MEMORY:
		return &spmc_builtin_memory;
	default:
		return NULL;
	}
}

/* ---- configuration ------------------------------------------------------ */

void ffaemu_sp_config_default(struct ffaemu_sp_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->name = "sp";
	cfg->id = 0x8001;
	cfg->props = P_BASE;
	cfg->exec_ctx_count = 1;
	cfg->ffa_version = FFAEMU_FFA_1_2;
	cfg->el = 1;
	cfg->faulty_error = FFAEMU_FFA_BUSY;
	cfg->rxtx_pages = 1;
	cfg->map_mailbox = true;
}

int ffaemu_sp_config_builtin(struct ffaemu_sp_config *cfg, enum ffaemu_sp_builtin kind,
			     ffaemu_id_t id)
{
	const struct spmc_builtin *b = builtin_get(kind);

	if (!cfg || !b)
		return FFAEMU_EINVAL;
	ffaemu_sp_config_default(cfg);
	cfg->name = b->name;
	cfg->id = id;
	cfg->builtin = kind;
	cfg->props = b->props;
	return FFAEMU_OK;
}

/* ---- environment -------------------------------------------------------- */

void ffaemu_sp_call(struct ffaemu_sp_env *env, struct ffaemu_regs *regs)
{
	struct ffaemu_call_ctx ctx;

	if (!env || !regs)
		return;
	memset(&ctx, 0, sizeof(ctx));
	/* The partition's own conduit: secure virtual instance (spec B2). */
	ctx.caller = env->sp->cfg.id;
	ctx.instance = FFAEMU_INSTANCE_SV;
	ctx.el = env->sp->cfg.el;
	ctx.secure = true;
	ctx.aarch32 = !(env->sp->cfg.props & FFAEMU_SP_PROP_AARCH64);
	ctx.depth = env->spmc->depth;
	ffaemu_edge_call(env->sp->edge, regs, &ctx);
}

ffaemu_id_t ffaemu_sp_env_id(const struct ffaemu_sp_env *env)
{
	return env ? env->sp->cfg.id : 0;
}

uint16_t ffaemu_sp_env_vcpu(const struct ffaemu_sp_env *env)
{
	return env ? env->vcpu : 0;
}

struct ffaemu_spmc *ffaemu_sp_env_spmc(struct ffaemu_sp_env *env)
{
	return env ? (struct ffaemu_spmc *)env->spmc : NULL;
}

void *ffaemu_sp_env_rx(struct ffaemu_sp_env *env, size_t *size)
{
	const struct spmc_mailbox *mb = env ? &env->sp->ep->mb : NULL;
	if (size)
		*size = mb && mb->mapped ? mb->size : 0;
	return mb && mb->mapped ? mb->rx : NULL;
}

void *ffaemu_sp_env_tx(struct ffaemu_sp_env *env, size_t *size)
{
	const struct spmc_mailbox *mb = env ? &env->sp->ep->mb : NULL;
	if (size)
		*size = mb && mb->mapped ? mb->size : 0;
	return mb && mb->mapped ? mb->tx : NULL;
}

ffaemu_pa_t ffaemu_sp_env_rx_pa(const struct ffaemu_sp_env *env)
{
	return env && env->sp->ep->mb.mapped ? env->sp->ep->mb.rx_pa : 0;
}

ffaemu_pa_t ffaemu_sp_env_tx_pa(const struct ffaemu_sp_env *env)
{
	return env && env->sp->ep->mb.mapped ? env->sp->ep->mb.tx_pa : 0;
}

void spmc_sp_enter(struct spmc *spmc, struct spmc_sp *sp, uint16_t vcpu, struct ffaemu_regs *msg)
{
	sp->entries++;
	sp->env.vcpu = vcpu;
	spmc->depth++;
	if (sp->handler)
		sp->handler(sp->user, &sp->env, msg);
	else
		echo_handler(NULL, &sp->env, msg);
	spmc->depth--;
}

/* ---- adding partitions -------------------------------------------------- */

void spmc_sp_free(struct spmc *spmc, struct spmc_sp *sp)
{
	const struct spmc_builtin *b;

	if (!sp)
		return;
	b = builtin_get(sp->cfg.builtin);
	if (b && b->fini && sp->user)
		b->fini(spmc, sp->user);
	ffaemu_edge_free(&sp->edge);
	ffaemu_alloc_free(&spmc->alloc, sp->console);
	ffaemu_alloc_free(&spmc->alloc, sp->vcpus);
	ffaemu_alloc_free(&spmc->alloc, sp->name);
	ffaemu_alloc_free(&spmc->alloc, sp);
}

static int cfg_check(struct spmc *spmc, const struct ffaemu_sp_config *cfg)
{
	if (cfg->size < sizeof(*cfg))
		return FFAEMU_EINVAL;
	/* Secure IDs have bit 15 set; 0x8000-style SPMC ID and the SPMD's
	 * 0xFFFF are taken (spec B2). */
	if (!(cfg->id & 0x8000u) || cfg->id == spmc->profile.spmc_id || cfg->id == 0xffffu)
		return FFAEMU_EINVAL;
	if (spmc_ep_find(spmc, cfg->id))
		return FFAEMU_EEXIST;
	if (cfg->uuid_count > FFAEMU_SP_MAX_UUIDS || cfg->exec_ctx_count == 0 || cfg->el > 1)
		return FFAEMU_EINVAL;
	for (unsigned i = 0; i < cfg->uuid_count; i++)
		if (ffaemu_uuid_is_nil(&cfg->uuids[i]))
			return FFAEMU_EINVAL;
	if (cfg->ffa_version != FFAEMU_FFA_1_0 && cfg->ffa_version != FFAEMU_FFA_1_1 &&
	    cfg->ffa_version != FFAEMU_FFA_1_2 && cfg->ffa_version != FFAEMU_FFA_1_3)
		return FFAEMU_EINVAL;
	if ((unsigned)cfg->builtin > FFAEMU_SP_MEMORY ||
	    (unsigned)cfg->faulty_mode > FFAEMU_SP_FAULTY_WRONG_WIDTH)
		return FFAEMU_EINVAL;
	/* Only the D1 bits this model knows. */
	if (cfg->props & ~0x7cfu)
		return FFAEMU_EINVAL;
	if (cfg->map_mailbox && cfg->rxtx_pages == 0)
		return FFAEMU_EINVAL;
	return FFAEMU_OK;
}

static void ep_pop(struct spmc *spmc, struct spmc_ep *ep)
{
	if (spmc->n_eps && spmc->eps[spmc->n_eps - 1] == ep)
		spmc->n_eps--;
	spmc_notif_free(spmc, ep);
	ffaemu_alloc_free(&spmc->alloc, ep);
}

int ffaemu_spmc_add_sp(struct ffaemu_spmc *pub, const struct ffaemu_sp_config *cfg)
{
	struct spmc *spmc = (struct spmc *)pub;
	const struct spmc_builtin *b;
	struct ffaemu_edge_config ec;
	struct spmc_sp *sp;
	struct spmc_ep *ep = NULL;
	uint64_t saved_next;
	int rc;
	char ename[32];

	if (!spmc || !cfg)
		return FFAEMU_EINVAL;
	rc = cfg_check(spmc, cfg);
	if (rc)
		return rc;
	if (spmc->n_sps == spmc->cap_sps) {
		size_t cap = spmc->cap_sps ? spmc->cap_sps * 2 : 8;
		struct spmc_sp **n = ffaemu_alloc_realloc(&spmc->alloc, spmc->sps, cap * sizeof(*n));
		if (!n)
			return FFAEMU_ENOMEM;
		spmc->sps = n;
		spmc->cap_sps = cap;
	}
	saved_next = spmc->sec_next;
	sp = ffaemu_alloc_zalloc(&spmc->alloc, sizeof(*sp));
	if (!sp)
		return FFAEMU_ENOMEM;
	sp->cfg = *cfg;
	sp->cfg.size = sizeof(sp->cfg);
	sp->name = ffaemu_alloc_strdup(&spmc->alloc, cfg->name ? cfg->name : "sp");
	sp->vcpus = ffaemu_alloc_array(&spmc->alloc, cfg->exec_ctx_count, sizeof(*sp->vcpus));
	rc = FFAEMU_ENOMEM;
	if (!sp->name || !sp->vcpus)
		goto fail;
	sp->cfg.name = sp->name;
	ep = spmc_ep_new(spmc, cfg->id, SPMC_EP_SP);
	if (!ep)
		goto fail;
	ep->sp = sp;
	sp->ep = ep;
	/* A partition's version comes from its manifest (HF-DOC); the SPMC
	 * serves it at most at its own version. */
	ep->version = cfg->ffa_version < spmc->profile.ffa_version ? cfg->ffa_version
								     : spmc->profile.ffa_version;
	ep->version_called = true;
	sp->env.spmc = spmc;
	sp->env.sp = sp;
	/* SP bitmaps are static inside the SPMC (C8). */
	if (spmc_has(spmc, FFAEMU_SPMC_F_NOTIFICATIONS)) {
		rc = spmc_notif_bitmap_create(spmc, ep, cfg->exec_ctx_count);
		if (rc)
			goto fail;
	}
	if (cfg->map_mailbox) {
		ffaemu_pa_t tx = cfg->tx_pa, rx = cfg->rx_pa;
		uint64_t size = (uint64_t)cfg->rxtx_pages * FFAEMU_PAGE_SIZE;
		if (!tx && !rx) {
			uint64_t align = spmc->profile.rxtx_min_size;
			uint64_t next = (spmc->sec_next + align - 1) / align * align;
			/* A mailbox we place is a whole multiple of the minimum size (C5.1, C5.3). */
			size = (size + align - 1) / align * align;
			sp->cfg.rxtx_pages = (uint32_t)(size / FFAEMU_PAGE_SIZE);
			rc = FFAEMU_ERANGE;
			if (size > spmc->sec_size || next > spmc->sec_size - size ||
			    spmc->sec_size - size - next < size)
				goto fail;
			tx = spmc->sec_base + next;
			rx = tx + size;
			spmc->sec_next = next + 2 * size;
			sp->owns_mailbox_pages = true;
		}
		rc = FFAEMU_ERANGE;
		if (spmc_mailbox_map(spmc, ep, tx, rx, sp->cfg.rxtx_pages, true) != 0)
			goto fail;
	}
	ffaemu_edge_config_default(&ec);
	snprintf(ename, sizeof(ename), "sp%04x->spmc", cfg->id);
	ec.name = ename;
	/* S-EL1 partitions trap with SMC to S-EL2, S-EL0 ones with SVC (B2). */
	ec.conduit = cfg->el == 0 ? FFAEMU_CONDUIT_SVC : FFAEMU_CONDUIT_SMC;
	ec.smccc_version = FFAEMU_SMCCC_1_2;
	/* Every allocation through the SPMC's allocator (lib/alloc.h). */
	ec.alloc = spmc->user_alloc;
	rc = ffaemu_edge_new(&ec, spmc->node, &sp->edge);
	if (rc)
		goto fail;
	b = builtin_get(cfg->builtin);
	if (cfg->builtin == FFAEMU_SP_CUSTOM || !b) {
		sp->handler = cfg->handler;
		sp->user = cfg->user;
	} else {
		sp->handler = b->handler;
		sp->user = NULL;
		if (b->init) {
			rc = b->init(spmc, sp, &sp->user);
			if (rc)
				goto fail;
		}
	}
	spmc->sps[spmc->n_sps++] = sp;
	/* The partition information changed (C5.5 tag). */
	spmc->partinfo_tag++;
	if (spmc->partinfo_tag == 0)
		spmc->partinfo_tag = 1;
	return FFAEMU_OK;
fail:
	spmc->sec_next = saved_next;
	if (ep)
		ep_pop(spmc, ep);
	sp->user = NULL;
	spmc_sp_free(spmc, sp);
	return rc;
}

size_t ffaemu_spmc_sp_count(const struct ffaemu_spmc *pub)
{
	return pub ? ((const struct spmc *)pub)->n_sps : 0;
}

ffaemu_id_t ffaemu_spmc_sp_id_at(const struct ffaemu_spmc *pub, size_t i)
{
	const struct spmc *spmc = (const struct spmc *)pub;

	return spmc && i < spmc->n_sps ? spmc->sps[i]->cfg.id : 0;
}

struct ffaemu_edge *ffaemu_spmc_sp_edge(struct ffaemu_spmc *pub, ffaemu_id_t id)
{
	struct spmc_sp *sp = pub ? spmc_sp_find((struct spmc *)pub, id) : NULL;

	return sp ? sp->edge : NULL;
}

/* ---- presets ------------------------------------------------------------ */

struct acs_sp {
	ffaemu_id_t id;
	uint32_t uuid[4];
	uint16_t ctx;
	uint32_t mm;
};

/* Arm FF-A ACS reference platform tgt_tfa_fvp v12 sp1..4.dts (manifest words). */
static const struct acs_sp acs_fvp[] = {
	{0x8001, {0x1e67b5b4, 0xe14f904a, 0x13fb1fb8, 0xcbdae1da}, 8, 0x607},
	{0x8002, {0x092358d1, 0xb94723f0, 0x64447c82, 0xc88f57f5}, 8, 0x607},
	{0x8003, {0x735cb579, 0xb9448c1d, 0xe1619385, 0xd2d80a77}, 1, 0x603},
	{0x8004, {0x2658cda4, 0xcf6713e1, 0x49cd10f9, 0x31ef6813}, 1, 0x603},
};

int ffaemu_spmc_add_preset(struct ffaemu_spmc *pub, const char *name)
{
	struct spmc *spmc = (struct spmc *)pub;
	size_t first;

	if (!spmc || !name)
		return FFAEMU_EINVAL;
	if (strcmp(name, "acs-fvp") != 0)
		return FFAEMU_ENOENT;
	for (size_t i = 0; i < sizeof(acs_fvp) / sizeof(acs_fvp[0]); i++)
		if (spmc_ep_find(spmc, acs_fvp[i].id))
			return FFAEMU_EEXIST;
	first = spmc->n_sps;
	for (size_t i = 0; i < sizeof(acs_fvp) / sizeof(acs_fvp[0]); i++) {
		struct ffaemu_sp_config c;
		char nm[8];
		int rc;

		ffaemu_sp_config_builtin(&c, FFAEMU_SP_ECHO, acs_fvp[i].id);
		snprintf(nm, sizeof(nm), "sp%zu", i + 1);
		c.name = nm;
		/* Manifest word i is register word i (uuid.h). */
		c.uuids[0] = ffaemu_uuid_from_words(acs_fvp[i].uuid[0], acs_fvp[i].uuid[1],
						    acs_fvp[i].uuid[2], acs_fvp[i].uuid[3]);
		c.uuid_count = 1;
		c.exec_ctx_count = acs_fvp[i].ctx;
		/* All AArch64; properties from messaging-method. */
		c.props = ffaemu_sp_props_from_messaging_method(acs_fvp[i].mm) |
			  FFAEMU_SP_PROP_AARCH64;
		rc = ffaemu_spmc_add_sp(pub, &c);
		if (rc) {
			/* Roll back the partitions this preset added. */
			while (spmc->n_sps > first) {
				struct spmc_sp *sp = spmc->sps[--spmc->n_sps];
				struct spmc_ep *ep = sp->ep;
				for (size_t k = 0; k < spmc->n_eps; k++)
					if (spmc->eps[k] == ep) {
						spmc->eps[k] = spmc->eps[--spmc->n_eps];
						break;
					}
				if (sp->owns_mailbox_pages)
					spmc->sec_next -= 2 * (uint64_t)sp->cfg.rxtx_pages *
							  FFAEMU_PAGE_SIZE;
				spmc_notif_free(spmc, ep);
				ffaemu_alloc_free(&spmc->alloc, ep);
				spmc_sp_free(spmc, sp);
			}
			return rc;
		}
	}
	return FFAEMU_OK;
}

/* ---- observers ---------------------------------------------------------- */

size_t ffaemu_spmc_console(const struct ffaemu_spmc *pub, ffaemu_id_t id, char *buf, size_t len)
{
	struct spmc *spmc = (struct spmc *)(uintptr_t)pub;
	struct spmc_sp *sp = spmc ? spmc_sp_find(spmc, id) : NULL;
	size_t n;

	if (buf && len)
		buf[0] = '\0';
	if (!sp)
		return 0;
	if (buf && len) {
		n = sp->console_len < len - 1 ? sp->console_len : len - 1;
		if (n)
			memcpy(buf, sp->console, n);
		buf[n] = '\0';
	}
	return sp->console_len;
}

uint64_t ffaemu_spmc_sp_entries(const struct ffaemu_spmc *pub, ffaemu_id_t id)
{
	struct spmc *spmc = (struct spmc *)(uintptr_t)pub;
	struct spmc_sp *sp = spmc ? spmc_sp_find(spmc, id) : NULL;
	return sp ? sp->entries : 0;
}
