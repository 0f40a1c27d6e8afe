/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake SPMC's memory management (spec D3-D9, E1-E3): MEM_SHARE, LEND,
 * DONATE (32/64) with FRAG_TX reassembly, RETRIEVE_REQ/RESP by a borrower
 * or by the hypervisor (receiver count 0), FRAG_RX for responses larger
 * than the retriever's RX, RELINQUISH and RECLAIM.
 *
 * Model:
 *  - A transaction is stored once, in our own form (ranges, receivers and
 *    their granted access), and every retrieve response is built in the
 *    retriever's negotiated layout (v1.0 / v1.1 / v1.2+; spec G3).
 *  - Page ownership lives in the shared page map (mem.h, FF-A view). A
 *    send moves the sender's pages OWNED -> SHARED (SHARE) or LENT (LEND,
 *    DONATE) when the last fragment arrives; a retrieve adds one borrower
 *    per page; RELINQUISH removes it; RECLAIM moves the pages back to
 *    OWNED. DONATE hands the pages to the borrower at its retrieve and the
 *    transaction ends there (DEN0077A 1.1 s10.7: ownership moves to the
 *    receiver; spec E1 step 2).
 *  - Every call validates everything first, then changes state in an
 *    order where the only step that can still fail comes first and is
 *    itself all-or-nothing (ffaemu_mem_apply). A failed call changes
 *    nothing: not the page map, not the transaction table, not the handle
 *    counter. The one documented exception is E2: an error in a FRAG_TX of
 *    a transaction being sent drops that transaction completely.
 */
#include <string.h>

#include <ffa/memdesc.h>

#include "spmc_priv.h"

/* Default bound on one transaction descriptor (profile mem_max_desc_size = 0). */
#define MEM_MAX_DESC_DEFAULT (8u << 20)

struct mem_recv {
	ffaemu_id_t id;
	uint8_t perms;            /* granted by the sender */
	uint8_t flags;            /* EMAD flags from the sender */
	uint8_t impdef[FFAEMU_MEMDESC_IMPDEF_SIZE];
	bool retrieved;
	uint8_t got_perms;        /* effective access of the retrieval */
	bool zero_after;          /* retrieve flag bit 2: zero on relinquish */
};

struct mem_tx {
	struct mem_tx *next;
	ffaemu_handle_t handle;
	enum ffaemu_mem_tx_type type;
	ffaemu_id_t sender;
	struct ffaemu_owner owner;
	uint16_t attributes;
	uint32_t flags;           /* the sender's transaction flags */
	uint64_t tag;
	uint32_t nrecv;
	struct mem_recv *recv;
	uint32_t total_pages;
	uint32_t nranges;
	struct ffaemu_range *ranges;
	bool ns;                  /* the memory lies in non-secure regions */
	/* sending (spec E2): the descriptor being reassembled */
	bool complete;
	uint32_t send_version;
	uint8_t *desc;
	uint32_t total_len, received;
	uint64_t pages_sum;       /* pages of the constituents received so far */
	uint32_t frags;           /* calls that brought fragments (the first + FRAG_TX) */
	uint64_t desc_hash;       /* of desc[0, received), kept as bytes arrive */
	uint64_t fixed_hash;      /* complete: every field no later call changes */
};

/* A retrieve response larger than the retriever's RX (spec E3). */
struct mem_rsess {
	struct mem_rsess *next;
	ffaemu_id_t ep;
	ffaemu_handle_t handle;
	uint8_t *buf;
	uint32_t len, sent;
	uint32_t head;            /* bytes up to the first constituent (E2, E3) */
	/* For the observers (ffaemu_spmc_txn): the transaction may be gone (DONATE). */
	ffaemu_id_t sender;
	enum ffaemu_mem_tx_type type;
	bool hyp;                 /* a hypervisor retrieve request (E1) */
	uint32_t version;         /* the retriever's layout */
	uint32_t frags;           /* pieces handed out (RETRIEVE_RESP + FRAG_RX) */
	uint64_t buf_hash;        /* of buf[0, len) */
};

struct mem_state {
	struct mem_tx *txs;
	struct mem_rsess *sess;
	uint64_t next_handle;     /* last handle given; bit 63 clear (SPMC allocator, D9) */
	uint64_t ns_optin[1024];  /* bit per endpoint ID: handles the NS bit (C5.1, G7) */
	uint32_t max_desc;
};

static struct mem_state *ms(struct spmc *spmc)
{
	return spmc->mem_state;
}

/* ---- lifetime ----------------------------------------------------------- */

static void tx_free(struct spmc *spmc, struct mem_tx *t)
{
	if (!t)
		return;
	ffaemu_alloc_free(&spmc->alloc, t->recv);
	ffaemu_alloc_free(&spmc->alloc, t->ranges);
	ffaemu_alloc_free(&spmc->alloc, t->desc);
	ffaemu_alloc_free(&spmc->alloc, t);
}

static void sess_free(struct spmc *spmc, struct mem_rsess *s)
{
	ffaemu_alloc_free(&spmc->alloc, s->buf);
	ffaemu_alloc_free(&spmc->alloc, s);
}

int spmc_mem_init(struct spmc *spmc)
{
	struct mem_state *m = ffaemu_alloc_zalloc(&spmc->alloc, sizeof(*m));

	if (!m)
		return FFAEMU_ENOMEM;
	m->max_desc = spmc->profile.mem_max_desc_size ? spmc->profile.mem_max_desc_size
						       : MEM_MAX_DESC_DEFAULT;
	spmc->mem_state = m;
	return FFAEMU_OK;
}

void spmc_mem_fini(struct spmc *spmc)
{
	struct mem_state *m = ms(spmc);

	if (!m)
		return;
	while (m->txs) {
		struct mem_tx *t = m->txs;

		m->txs = t->next;
		tx_free(spmc, t);
	}
	while (m->sess) {
		struct mem_rsess *s = m->sess;

		m->sess = s->next;
		sess_free(spmc, s);
	}
	ffaemu_alloc_free(&spmc->alloc, m);
	spmc->mem_state = NULL;
}

void spmc_mem_note_ns_bit(struct spmc *spmc, const struct spmc_ep *ep, bool handles_ns)
{
	struct mem_state *m = ms(spmc);

	if (!m || !ep)
		return;
	if (handles_ns)
		m->ns_optin[ep->id / 64] |= 1ull << (ep->id % 64);
	else
		m->ns_optin[ep->id / 64] &= ~(1ull << (ep->id % 64));
}

void spmc_mem_set_max_desc(struct spmc *spmc, uint32_t bytes)
{
	if (ms(spmc))
		ms(spmc)->max_desc = bytes ? bytes : MEM_MAX_DESC_DEFAULT;
}

/* FNV-1a over the 8 bytes of v: the observers' fingerprints (no security claim). */
static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (uint8_t)(v >> (8 * i));
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_BASIS 0xcbf29ce484222325ull

/* FNV-1a over n bytes, continuing from h: fed fragment by fragment as they arrive. */
static uint64_t fnv_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * Append: handles only grow (next_handle), so the list stays in handle
 * order, which is the observers' order (spmc.h ffaemu_spmc_txn_at).
 */
static void tx_link(struct mem_state *m, struct mem_tx *t)
{
	struct mem_tx **pp = &m->txs;

	while (*pp)
		pp = &(*pp)->next;
	t->next = NULL;
	*pp = t;
}

/*
 * Insert in (handle, retriever) order, before sessions with the same key:
 * sess_find() then finds the newest, as when sessions were pushed in front.
 */
static void sess_link(struct mem_state *m, struct mem_rsess *s)
{
	struct mem_rsess **pp = &m->sess;

	while (*pp && ((*pp)->handle < s->handle ||
		       ((*pp)->handle == s->handle && (*pp)->ep < s->ep)))
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
}

static struct mem_tx *tx_find(struct mem_state *m, ffaemu_handle_t h)
{
	for (struct mem_tx *t = m->txs; t; t = t->next)
		if (t->handle == h)
			return t;
	return NULL;
}

static void tx_unlink(struct mem_state *m, struct mem_tx *t)
{
	for (struct mem_tx **pp = &m->txs; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			return;
		}
}

static struct mem_rsess *sess_find(struct mem_state *m, ffaemu_id_t ep, ffaemu_handle_t h)
{
	for (struct mem_rsess *s = m->sess; s; s = s->next)
		if (s->ep == ep && s->handle == h)
			return s;
	return NULL;
}

static void sess_drop(struct spmc *spmc, struct mem_rsess *s)
{
	struct mem_state *m = ms(spmc);

	for (struct mem_rsess **pp = &m->sess; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			sess_free(spmc, s);
			return;
		}
}

/* Drop every response session of handle h (and of endpoint ep only, if ep_only). */
static void sess_drop_handle(struct spmc *spmc, ffaemu_handle_t h, bool ep_only, ffaemu_id_t ep)
{
	struct mem_state *m = ms(spmc);
	struct mem_rsess **pp = &m->sess;

	while (*pp) {
		struct mem_rsess *s = *pp;

		if (s->handle == h && (!ep_only || s->ep == ep)) {
			*pp = s->next;
			sess_free(spmc, s);
		} else {
			pp = &s->next;
		}
	}
}

/* ---- observers (spmc.h, spmc_priv.h memory block) ------------------------ */

/* Every field of a completed transaction that no later call changes. */
static uint64_t tx_fixed_hash(const struct mem_tx *t)
{
	uint64_t h = FNV_BASIS;

	h = fnv(h, t->handle);
	h = fnv(h, ((uint64_t)t->type << 48) | ((uint64_t)t->sender << 32) |
			   ((uint64_t)t->owner.kind << 16) | t->owner.id);
	h = fnv(h, ((uint64_t)t->attributes << 48) | ((uint64_t)t->ns << 40) | t->flags);
	h = fnv(h, t->tag);
	h = fnv(h, ((uint64_t)t->send_version << 32) | t->total_pages);
	h = fnv(h, ((uint64_t)t->nranges << 32) | t->nrecv);
	for (uint32_t i = 0; i < t->nranges; i++) {
		h = fnv(h, t->ranges[i].base);
		h = fnv(h, t->ranges[i].pages);
	}
	for (uint32_t i = 0; i < t->nrecv; i++) {
		h = fnv(h, ((uint64_t)t->recv[i].id << 16) | ((uint64_t)t->recv[i].perms << 8) |
				   t->recv[i].flags);
		h = fnv_bytes(h, t->recv[i].impdef, sizeof(t->recv[i].impdef));
	}
	return h;
}

static void txn_of_send(const struct mem_tx *t, struct ffaemu_spmc_txn *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = (enum ffaemu_spmc_txn_kind)t->type;
	out->type = (uint32_t)t->type;
	out->handle = t->handle;
	out->sender = t->sender;
	out->total_len = t->total_len;
	out->done_len = t->received;
	out->fragments = t->frags;
	out->version = t->send_version;
	out->digest = t->desc_hash;
}

static void txn_of_sess(const struct mem_rsess *s, struct ffaemu_spmc_txn *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = FFAEMU_SPMC_TXN_RETRIEVE;
	out->type = (uint32_t)s->type;
	out->handle = s->handle;
	out->sender = s->sender;
	out->receiver = s->ep;
	out->hyp = s->hyp;
	out->total_len = s->len;
	out->done_len = s->sent;
	out->fragments = s->frags;
	out->version = s->version;
	out->digest = s->buf_hash;
}

static struct mem_state *pub_ms(const struct ffaemu_spmc *pub)
{
	return pub ? ((const struct spmc *)(const void *)pub)->mem_state : NULL;
}

size_t ffaemu_spmc_txn_count(const struct ffaemu_spmc *pub)
{
	const struct mem_state *m = pub_ms(pub);
	size_t n = 0;

	if (!m)
		return 0;
	for (const struct mem_tx *t = m->txs; t; t = t->next)
		n += !t->complete;
	for (const struct mem_rsess *s = m->sess; s; s = s->next)
		n++;
	return n;
}

int ffaemu_spmc_txn_at(const struct ffaemu_spmc *pub, size_t i, struct ffaemu_spmc_txn *out)
{
	const struct mem_state *m = pub_ms(pub);

	if (!pub || !out)
		return FFAEMU_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!m)
		return FFAEMU_ENOENT;
	/* Both lists are kept in the documented order (tx_link, sess_link). */
	for (const struct mem_tx *t = m->txs; t; t = t->next) {
		if (t->complete)
			continue;
		if (i-- == 0) {
			txn_of_send(t, out);
			return FFAEMU_OK;
		}
	}
	for (const struct mem_rsess *s = m->sess; s; s = s->next)
		if (i-- == 0) {
			txn_of_sess(s, out);
			return FFAEMU_OK;
		}
	return FFAEMU_ENOENT;
}

static uint64_t txn_mix(uint64_t h, const struct ffaemu_spmc_txn *x)
{
	h = fnv(h, ((uint64_t)x->kind << 56) | ((uint64_t)x->type << 48) |
			   ((uint64_t)x->sender << 32) | ((uint64_t)x->receiver << 16) | x->hyp);
	h = fnv(h, x->handle);
	h = fnv(h, ((uint64_t)x->total_len << 32) | x->done_len);
	h = fnv(h, ((uint64_t)x->fragments << 32) | x->version);
	return fnv(h, x->digest);
}

uint64_t ffaemu_spmc_mem_digest(const struct ffaemu_spmc *pub, unsigned what)
{
	const struct mem_state *m = pub_ms(pub);
	struct ffaemu_spmc_txn x;
	uint64_t h = FNV_BASIS;

	if (!m || !(what & FFAEMU_SPMC_MEM_ALL))
		return 0;
	if (what & FFAEMU_SPMC_MEM_DONE) {
		h = fnv(h, FFAEMU_SPMC_MEM_DONE);
		h = fnv(h, m->next_handle);
		for (const struct mem_tx *t = m->txs; t; t = t->next) {
			if (!t->complete)
				continue;
			h = fnv(h, t->fixed_hash);
			for (uint32_t i = 0; i < t->nrecv; i++)
				h = fnv(h, ((uint64_t)t->recv[i].got_perms << 16) |
						   ((uint64_t)t->recv[i].zero_after << 1) |
						   t->recv[i].retrieved);
		}
	}
	if (what & FFAEMU_SPMC_MEM_IN_PROGRESS) {
		h = fnv(h, FFAEMU_SPMC_MEM_IN_PROGRESS);
		for (const struct mem_tx *t = m->txs; t; t = t->next)
			if (!t->complete) {
				txn_of_send(t, &x);
				h = txn_mix(h, &x);
			}
		for (const struct mem_rsess *s = m->sess; s; s = s->next) {
			txn_of_sess(s, &x);
			h = txn_mix(h, &x);
		}
	}
	return h;
}

size_t spmc_mem_tx_count(struct spmc *spmc)
{
	size_t n = 0;

	if (!ms(spmc))
		return 0;
	for (struct mem_tx *t = ms(spmc)->txs; t; t = t->next)
		n++;
	return n;
}

uint64_t spmc_mem_digest(struct spmc *spmc)
{
	return ffaemu_spmc_mem_digest((const struct ffaemu_spmc *)(void *)spmc,
				      FFAEMU_SPMC_MEM_ALL);
}

int spmc_mem_tx_info(struct spmc *spmc, ffaemu_handle_t handle, struct spmc_mem_tx_info *out)
{
	struct mem_tx *t = ms(spmc) ? tx_find(ms(spmc), handle) : NULL;

	if (!t || !out)
		return FFAEMU_ENOENT;
	memset(out, 0, sizeof(*out));
	out->type = t->type;
	out->sender = t->sender;
	out->complete = t->complete;
	out->receivers = t->nrecv;
	out->total_pages = t->total_pages;
	out->ranges = t->nranges;
	for (uint32_t i = 0; i < t->nrecv; i++)
		out->retrieved += t->recv[i].retrieved;
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static struct ffaemu_owner ep_owner(const struct spmc_ep *ep, ffaemu_id_t id)
{
	if (ep->kind == SPMC_EP_SP)
		return ffaemu_owner_make(FFAEMU_OWNER_SECURE, id);
	/* NS ID 0 is the host / hypervisor at the NS physical instance (spec B2). */
	return id == 0 ? ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)
		       : ffaemu_owner_make(FFAEMU_OWNER_VM, id);
}

static bool is_hyp(const struct spmc_ep *ep, const struct ffaemu_call_ctx *ctx)
{
	/* ID 0 at the NS physical instance: the hypervisor or bare OS kernel (spec B2). */
	return ep->kind == SPMC_EP_NS && ep->id == 0 &&
	       (!ctx || ctx->instance == FFAEMU_INSTANCE_NP);
}

static int32_t mem_rc_to_ffa(int rc)
{
	switch (rc) {
	case FFAEMU_ENOMEM:
		return FFAEMU_FFA_NO_MEMORY;
	case FFAEMU_EPERM:
		/* Pages not owned by the sender or not in the expected state (HF-MEM). */
		return FFAEMU_FFA_DENIED;
	default:
		/* Not RAM, not whole pages (spec D5). */
		return FFAEMU_FFA_INVALID_PARAMETERS;
	}
}

static enum ffaemu_mem_tx_type fid_type(uint32_t fid)
{
	switch (fid & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_MEM_SHARE:
		return FFAEMU_MEM_TX_SHARE;
	case FFAEMU_FFA_MEM_LEND:
		return FFAEMU_MEM_TX_LEND;
	default:
		return FFAEMU_MEM_TX_DONATE;
	}
}

static void reply_frag_rx(struct spmc *spmc, struct ffaemu_regs *r, uint32_t fid,
			  ffaemu_handle_t h, uint32_t offset, ffaemu_id_t sender)
{
	struct ffaemu_spmc_fault f;

	/* Injected: FRAG_RX carries a wrong offset (spec E2; spmc.h FAULT_FRAG_OFFSET). */
	if (spmc_fault_take(spmc, fid, &f) && f.kind == FFAEMU_SPMC_FAULT_FRAG_OFFSET)
		offset += (uint32_t)f.value;
	/*
	 * w1/w2 handle, w3 = bytes received so far (spec E2, G5, G6); w4[31:16]
	 * = the sender's ID, as Hafnium's SPMC fills it (spec E2).
	 */
	spmc_reply32(r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), offset,
		     (uint32_t)sender << 16);
}

/* ---- send: SHARE / LEND / DONATE ----------------------------------------- */

/* True if every range lies in regions of one security state; *ns says which. */
static bool ranges_security(struct spmc *spmc, const struct ffaemu_range *rg, uint32_t n,
			    bool *ns)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a0, a1;
		uint64_t last = rg[i].base + ((rg[i].pages - 1) << FFAEMU_PAGE_SHIFT);

		if (ffaemu_mem_attr(spmc->mem, rg[i].base, &a0) ||
		    ffaemu_mem_attr(spmc->mem, last, &a1))
			return false;
		if ((a0 & FFAEMU_MEM_SECURE) != (a1 & FFAEMU_MEM_SECURE))
			return false;
		if (i == 0)
			*ns = !(a0 & FFAEMU_MEM_SECURE);
		else if (*ns != !(a0 & FFAEMU_MEM_SECURE))
			return false;
	}
	return true;
}

/*
 * Header-level checks of a send, common to single and first fragments:
 * sender is the caller, receivers exist (spec E1, B2).
 */
static int32_t check_send_parties(struct spmc *spmc, const struct spmc_ep *caller,
				  const struct ffaemu_call_ctx *ctx, const struct ffaemu_memdesc *d,
				  enum ffaemu_mem_tx_type type)
{
	bool any_sp = false;

	/* Ownership moves to one receiver: DONATE names exactly one (HF-MEM; spec E1). */
	if (type == FFAEMU_MEM_TX_DONATE && d->receiver_count != 1)
		return FFAEMU_FFA_INVALID_PARAMETERS;

	/*
	 * The sender must be the caller (spec B2 anti-spoofing, E1); the
	 * hypervisor at the NS physical instance may send for a VM (HF-API).
	 */
	if (d->sender != caller->id &&
	    !(is_hyp(caller, ctx) && d->sender != 0 && !(d->sender & 0x8000u)))
		return FFAEMU_FFA_INVALID_PARAMETERS;
	for (uint32_t i = 0; i < d->receiver_count; i++) {
		struct ffaemu_memdesc_receiver r;
		struct spmc_ep *ep;

		(void)ffaemu_memdesc_receiver(d, i, &r);
		if (r.id & 0x8000u) {
			ep = spmc_ep_find(spmc, r.id);
			/* A secure receiver must be one of our partitions (HF-MEM). */
			if (!ep || ep->kind != SPMC_EP_SP)
				return FFAEMU_FFA_INVALID_PARAMETERS;
			any_sp = true;
		} else if (caller->kind == SPMC_EP_SP) {
			/*
			 * SPs share with SPs; NWd borrowers are the hypervisor's
			 * business. A send the relayer does not allow between
			 * these parties is DENIED (Hafnium, TF-A tests
			 * test_req_mem_{share,lend}_sp_to_vm).
			 */
			return FFAEMU_FFA_DENIED;
		}
	}
	/* The SPMC relays only transactions that involve an SP (spec E1 step 2; DENIED as above). */
	if (!any_sp)
		return FFAEMU_FFA_DENIED;
	return 0;
}

/* Build the stored transaction from a fully received, parsed descriptor. */
static int32_t tx_fill(struct spmc *spmc, struct mem_tx *t, const struct ffaemu_memdesc *d)
{
	struct ffaemu_memdesc_iter it;
	uint32_t i = 0;

	t->ranges = ffaemu_alloc_array(&spmc->alloc, d->constituent_count, sizeof(*t->ranges));
	if (!t->ranges)
		return FFAEMU_FFA_NO_MEMORY;
	t->nranges = d->constituent_count;
	t->total_pages = d->total_pages;
	ffaemu_memdesc_iter_init(&it, d);
	while (ffaemu_memdesc_iter_next(&it, &t->ranges[i]))
		i++;
	return 0;
}

static bool ranges_sorted_disjoint(const struct ffaemu_range *r, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint64_t end = r[i - 1].base + (r[i - 1].pages << FFAEMU_PAGE_SHIFT);

		if (r[i].base < end)
			return false;
	}
	return true;
}

/*
 * Finish a send: the whole descriptor is in t->desc. Validate it fully,
 * check overlaps and memory security, then move the pages. 0 or an FF-A
 * error (nothing changed in the page map on error).
 */
static int32_t send_commit(struct spmc *spmc, struct spmc_ep *caller,
			   const struct ffaemu_call_ctx *ctx, struct mem_tx *t)
{
	enum ffaemu_memdesc_kind kind = (enum ffaemu_memdesc_kind)t->type;
	struct ffaemu_memdesc d;
	struct ffaemu_range *copy;
	int32_t err;
	bool ns = true;
	int rc;

	if (ffaemu_memdesc_parse(t->desc, t->total_len, t->send_version, kind, &d, NULL))
		return FFAEMU_FFA_INVALID_PARAMETERS;
	err = check_send_parties(spmc, caller, ctx, &d, t->type);
	if (err)
		return err;
	err = tx_fill(spmc, t, &d);
	if (err)
		return err;
	/* Overlapping ranges in one descriptor (spec D5; HF-MEM). Linear if sorted. */
	if (!ranges_sorted_disjoint(t->ranges, t->nranges)) {
		copy = ffaemu_alloc_array(&spmc->alloc, t->nranges, sizeof(*copy));
		if (!copy)
			return FFAEMU_FFA_NO_MEMORY;
		memcpy(copy, t->ranges, (size_t)t->nranges * sizeof(*copy));
		rc = ffaemu_memdesc_ranges_overlap(copy, t->nranges);
		ffaemu_alloc_free(&spmc->alloc, copy);
		if (rc)
			return FFAEMU_FFA_INVALID_PARAMETERS;
	}
	for (uint32_t i = 0; i < t->nranges; i++)
		if (!ffaemu_mem_is_ram(spmc->mem, t->ranges[i].base,
				       t->ranges[i].pages << FFAEMU_PAGE_SHIFT))
			return FFAEMU_FFA_INVALID_PARAMETERS;
	/*
	 * Memory of a NWd sender must be non-secure (DEN0077A 1.1 s10.10.4.1.1;
	 * spec D6, G7); one transaction covers one security state.
	 */
	if (!ranges_security(spmc, t->ranges, t->nranges, &ns) ||
	    (caller->kind == SPMC_EP_NS && !ns))
		return FFAEMU_FFA_DENIED;
	t->ns = ns;

	t->sender = d.sender;
	t->owner = ep_owner(caller, d.sender);
	t->attributes = d.attributes;
	t->flags = d.flags;
	t->tag = d.tag;
	t->recv = ffaemu_alloc_array(&spmc->alloc, d.receiver_count, sizeof(*t->recv));
	if (!t->recv)
		return FFAEMU_FFA_NO_MEMORY;
	t->nrecv = d.receiver_count;
	for (uint32_t i = 0; i < d.receiver_count; i++) {
		struct ffaemu_memdesc_receiver r;

		(void)ffaemu_memdesc_receiver(&d, i, &r);
		t->recv[i].id = r.id;
		t->recv[i].perms = r.perms;
		t->recv[i].flags = r.flags;
		memcpy(t->recv[i].impdef, r.impdef, sizeof(r.impdef));
	}

	/*
	 * The only state change: the sender's pages leave OWNED, all or none
	 * (SHARE keeps the owner's access, LEND/DONATE remove it; spec E1).
	 */
	rc = ffaemu_mem_share(spmc->mem, t->ranges, t->nranges, t->owner,
			      t->type != FFAEMU_MEM_TX_SHARE);
	if (rc)
		return mem_rc_to_ffa(rc);
	/* Zero after unmapping from the sender (D7 bit 0; never for SHARE, parse checks). */
	if (t->flags & FFAEMU_MEMDESC_F_ZERO)
		(void)ffaemu_mem_zero(spmc->mem, t->ranges, t->nranges);
	ffaemu_alloc_free(&spmc->alloc, t->desc);
	t->desc = NULL;
	t->complete = true;
	t->fixed_hash = tx_fixed_hash(t);
	return 0;
}

/*
 * Where the descriptor is: TX (x3 = w4 = 0), or a dynamically allocated
 * buffer of w4 pages at x3 (spec C1, C5.1 bit 0) if the profile offers
 * one; the caller must own every page of it, exclusively.
 */
static int32_t get_source(struct spmc *spmc, struct spmc_ep *caller, uint64_t addr,
			  uint32_t pages, const void **src, size_t *size)
{
	struct ffaemu_owner me = ep_owner(caller, caller->id);
	void *p;

	if (!addr && !pages)
		return spmc_tx_get(spmc, caller, src, size);
	if (!spmc_has(spmc, FFAEMU_SPMC_F_MEM_DYN_BUFFER))
		return FFAEMU_FFA_NOT_SUPPORTED;
	if (!addr || !pages || (addr & (FFAEMU_PAGE_SIZE - 1)) ||
	    pages > (UINT32_MAX >> FFAEMU_PAGE_SHIFT) ||
	    ffaemu_mem_ptr(spmc->mem, addr, (uint64_t)pages << FFAEMU_PAGE_SHIFT, &p))
		return FFAEMU_FFA_INVALID_PARAMETERS;
	for (uint32_t i = 0; i < pages; i++) {
		struct ffaemu_page_info pi;

		if (ffaemu_mem_page_info(spmc->mem, addr + ((uint64_t)i << FFAEMU_PAGE_SHIFT), &pi) ||
		    pi.owner.kind != me.kind || pi.owner.id != me.id ||
		    pi.state != FFAEMU_PAGE_OWNED)
			return FFAEMU_FFA_DENIED;
	}
	*src = p;
	*size = (size_t)pages << FFAEMU_PAGE_SHIFT;
	return 0;
}

static void do_send(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r,
		    const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	struct mem_state *m = ms(spmc);
	bool smc64 = fid & FFAEMU_SMCCC_SMC64;
	uint32_t total = ffaemu_regs_w(r, 1), frag = ffaemu_regs_w(r, 2);
	uint64_t addr = smc64 ? r->x[3] : ffaemu_regs_w(r, 3);
	uint32_t buf_pages = ffaemu_regs_w(r, 4);
	enum ffaemu_mem_tx_type type = fid_type(fid);
	uint32_t version = spmc_ep_version(caller);
	const void *src;
	size_t src_size;
	struct ffaemu_memdesc d;
	struct mem_tx *t;
	int32_t err;

	err = get_source(spmc, caller, addr, buf_pages, &src, &src_size);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	/* Lengths (spec E1 step 1, E2): 0 < fragment <= total, fragment fits the buffer. */
	if (frag == 0 || total == 0 || frag > total || frag > src_size) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* A bound on what one transaction may make us hold (pkvm-proxy 1.13 step 5 analogue). */
	if (total > m->max_desc) {
		spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	/* Every field up to the composite header sits in fragment 1 (spec E2). */
	if (ffaemu_memdesc_parse_head(src, frag, total, version, (enum ffaemu_memdesc_kind)type, &d,
				      NULL)) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	err = check_send_parties(spmc, caller, ctx, &d, type);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}

	t = ffaemu_alloc_zalloc(&spmc->alloc, sizeof(*t));
	if (t)
		t->desc = ffaemu_alloc_zalloc(&spmc->alloc, total);
	if (!t || !t->desc) {
		tx_free(spmc, t);
		spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	/* Copy at once: the caller may rewrite TX after the call (spec C5.3). */
	memcpy(t->desc, src, frag);
	t->desc_hash = fnv_bytes(FNV_BASIS, t->desc, frag);
	t->frags = 1;
	t->type = type;
	t->send_version = version;
	t->total_len = total;
	t->received = frag;
	t->sender = d.sender;
	t->owner = ep_owner(caller, d.sender);
	t->handle = m->next_handle + 1;

	if (frag < total) {
		/* More fragments: hand out the handle now (spec E2). */
		uint64_t sum = 0;

		for (uint32_t i = 0; i < d.constituents_present; i++) {
			struct ffaemu_range rg;

			(void)ffaemu_memdesc_constituent(&d, i, &rg);
			sum += rg.pages;
		}
		t->pages_sum = sum;
		m->next_handle++;
		tx_link(m, t);
		reply_frag_rx(spmc, r, fid, t->handle, frag, t->sender);
		return;
	}
	err = send_commit(spmc, caller, ctx, t);
	if (err) {
		tx_free(spmc, t);
		spmc_reply_error(r, err);
		return;
	}
	m->next_handle++;
	tx_link(m, t);
	/* FFA_SUCCESS w2/w3 = handle (spec C1, G5). */
	spmc_reply_success(r, false, (uint32_t)t->handle, (uint32_t)(t->handle >> 32));
}

static void do_frag_tx(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r,
		       const struct ffaemu_call_ctx *ctx)
{
	struct mem_state *m = ms(spmc);
	ffaemu_handle_t h = ffaemu_regs_handle(r, 1);
	uint32_t len = ffaemu_regs_w(r, 3), w4 = ffaemu_regs_w(r, 4);
	struct mem_tx *t = tx_find(m, h);
	const void *src;
	size_t src_size;
	int32_t err;

	/* Unknown handle, finished send, or not the sender's: not this call's to drop (E2). */
	if (!t || t->complete ||
	    (t->sender != caller->id && !(is_hyp(caller, ctx) && !(t->sender & 0x8000u)))) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	err = spmc_tx_get(spmc, caller, &src, &src_size);
	/*
	 * w4[31:16] sender ID only from the hypervisor for a VM, [15:0] MBZ
	 * (spec C1, E2, F); the fragment holds whole constituents and fits
	 * both TX and what is still missing (spec E2).
	 */
	if (!err && ((w4 & 0xffffu) || ((w4 >> 16) && !(is_hyp(caller, ctx) &&
							 (w4 >> 16) == t->sender)) ||
		     len == 0 || len > src_size || len > t->total_len - t->received ||
		     len % FFAEMU_MEMDESC_CONSTITUENT_SIZE))
		err = FFAEMU_FFA_INVALID_PARAMETERS;
	if (!err && ffaemu_memdesc_check_constituents(src, len, 0, &t->pages_sum, NULL))
		err = FFAEMU_FFA_INVALID_PARAMETERS;
	if (!err) {
		memcpy(t->desc + t->received, src, len);
		t->desc_hash = fnv_bytes(t->desc_hash, t->desc + t->received, len);
		t->received += len;
		t->frags++;
		if (t->received < t->total_len) {
			reply_frag_rx(spmc, r, ffaemu_regs_w(r, 0), h, t->received, t->sender);
			return;
		}
		err = send_commit(spmc, caller, ctx, t);
		if (!err) {
			spmc_reply_success(r, false, (uint32_t)h, (uint32_t)(h >> 32));
			return;
		}
	}
	/* Any error mid-way drops the whole transaction and its handle (spec E2). */
	tx_unlink(m, t);
	tx_free(spmc, t);
	spmc_reply_error(r, err);
}

/* ---- retrieve --------------------------------------------------------- */

static struct mem_recv *tx_recv(struct mem_tx *t, ffaemu_id_t id)
{
	for (uint32_t i = 0; i < t->nrecv; i++)
		if (t->recv[i].id == id)
			return &t->recv[i];
	return NULL;
}

static bool wants_ns_bit(struct spmc *spmc, const struct spmc_ep *ep)
{
	/* NS bit only for v1.1+ retrievers that opted in (spec C5.1, D6, G7). */
	return spmc_has(spmc, FFAEMU_SPMC_F_MEM_NS_BIT) &&
	       spmc_ep_version(ep) >= FFAEMU_FFA_1_1 &&
	       (ms(spmc)->ns_optin[ep->id / 64] & (1ull << (ep->id % 64)));
}

/*
 * Build the retrieve response for t in the retriever's layout (spec D3,
 * G3). who = the retriever's receiver slot (NULL for the hypervisor),
 * described with the access who_perms it is being given (D4).
 * Allocates *out (NO_MEMORY on failure).
 */
static int32_t build_response(struct spmc *spmc, const struct spmc_ep *ep, const struct mem_tx *t,
			      const struct mem_recv *who, uint8_t who_perms, uint16_t attributes,
			      uint32_t flags, uint8_t **out, uint32_t *len)
{
	struct ffaemu_memdesc_receiver *rx;
	struct ffaemu_memdesc_tx d;
	uint32_t version = spmc_ep_version(ep);
	size_t n;
	uint8_t *buf;

	rx = ffaemu_alloc_array(&spmc->alloc, t->nrecv, sizeof(*rx));
	if (!rx)
		return FFAEMU_FFA_NO_MEMORY;
	for (uint32_t i = 0; i < t->nrecv; i++) {
		rx[i].id = t->recv[i].id;
		rx[i].perms = &t->recv[i] == who ? who_perms : t->recv[i].perms;
		rx[i].flags = t->recv[i].flags;
		memcpy(rx[i].impdef, t->recv[i].impdef, sizeof(rx[i].impdef));
	}
	memset(&d, 0, sizeof(d));
	d.sender = t->sender;
	d.attributes = attributes;
	if (t->ns && wants_ns_bit(spmc, ep))
		d.attributes |= FFAEMU_MEM_ATTR_NS;
	d.flags = flags | ((uint32_t)t->type << FFAEMU_MEMDESC_F_TYPE_SHIFT);
	d.handle = t->handle;
	d.tag = t->tag;
	d.receiver_count = t->nrecv;
	d.receivers = rx;
	d.total_pages = t->total_pages;
	d.constituent_count = t->nranges;
	d.constituents = t->ranges;
	if (ffaemu_memdesc_size(&d, version, &n)) {
		ffaemu_alloc_free(&spmc->alloc, rx);
		return FFAEMU_FFA_NO_MEMORY;
	}
	buf = ffaemu_alloc_zalloc(&spmc->alloc, n);
	if (!buf) {
		ffaemu_alloc_free(&spmc->alloc, rx);
		return FFAEMU_FFA_NO_MEMORY;
	}
	(void)ffaemu_memdesc_build(&d, version, buf, n, &n);
	ffaemu_alloc_free(&spmc->alloc, rx);
	*out = buf;
	*len = (uint32_t)n;
	return 0;
}

/* Apply the retrieve-response fault kinds to a built response (spmc.h). */
static void corrupt_response(const struct ffaemu_spmc_fault *f, uint8_t *buf, uint32_t len,
			     uint32_t version)
{
	uint32_t hsz = version >= FFAEMU_FFA_1_1 ? FFAEMU_MEMDESC_HDR_SIZE_V1_1
						 : FFAEMU_MEMDESC_HDR_SIZE_V1_0;
	uint32_t nrecv = (uint32_t)(buf[28] | buf[29] << 8 | buf[30] << 16 | (uint32_t)buf[31] << 24);
	uint64_t comp64 = hsz + (uint64_t)nrecv * (version >= FFAEMU_FFA_1_2 ? 32u : 16u);
	uint32_t comp;
	uint32_t v;

	if (comp64 + 16 > len)
		return;
	comp = (uint32_t)comp64;
	if (f->kind == FFAEMU_SPMC_FAULT_RETRIEVE_OFFSET) {
		/* Every EMAD's composite offset points past the descriptor. */
		v = len + (f->value ? (uint32_t)f->value : 0x1000u);
		for (uint32_t e = hsz; e + 8 <= comp; e += version >= FFAEMU_FFA_1_2 ? 32 : 16) {
			buf[e + 4] = (uint8_t)v;
			buf[e + 5] = (uint8_t)(v >> 8);
			buf[e + 6] = (uint8_t)(v >> 16);
			buf[e + 7] = (uint8_t)(v >> 24);
		}
	} else if (f->kind == FFAEMU_SPMC_FAULT_RETRIEVE_COUNT) {
		/* An address-range count that does not fit the length. */
		v = (uint32_t)(buf[comp + 4] | buf[comp + 5] << 8 | buf[comp + 6] << 16 |
			       (uint32_t)buf[comp + 7] << 24);
		v += f->value ? (uint32_t)f->value : 1u;
		buf[comp + 4] = (uint8_t)v;
		buf[comp + 5] = (uint8_t)(v >> 8);
		buf[comp + 6] = (uint8_t)(v >> 16);
		buf[comp + 7] = (uint8_t)(v >> 24);
	}
}

/*
 * A retrieve response ready to go out (spec E3): the retriever's RX
 * claimed, the response built, and the record of a FRAG_RX session
 * allocated in case it takes more than one RX. Everything that can fail is
 * done by resp_prepare(); deliver_response() cannot fail.
 */
struct resp {
	void *rx;
	size_t rx_size;
	struct mem_rsess *sess;
	uint8_t *buf;
	uint32_t len;
};

/* The shared set-up of RETRIEVE_REQ and the hypervisor retrieve: 0 or an FF-A error, nothing held. */
static int32_t resp_prepare(struct spmc *spmc, struct spmc_ep *ep, const struct mem_tx *t,
			    const struct mem_recv *who, uint8_t who_perms, uint16_t attributes,
			    uint32_t flags, struct resp *out)
{
	int32_t err;

	memset(out, 0, sizeof(*out));
	/* RX must be free (spec C5.3: BUSY); claiming changes nothing until rx_put(). */
	err = spmc_rx_claim(spmc, ep, &out->rx, &out->rx_size);
	if (err)
		return err;
	out->sess = ffaemu_alloc_zalloc(&spmc->alloc, sizeof(*out->sess));
	if (!out->sess)
		return FFAEMU_FFA_NO_MEMORY;
	err = build_response(spmc, ep, t, who, who_perms, attributes, flags, &out->buf, &out->len);
	if (err) {
		ffaemu_alloc_free(&spmc->alloc, out->sess);
		out->sess = NULL;
	}
	return err;
}

/* Give back what resp_prepare() took (a later step failed). */
static void resp_discard(struct spmc *spmc, struct resp *p)
{
	ffaemu_alloc_free(&spmc->alloc, p->buf);
	ffaemu_alloc_free(&spmc->alloc, p->sess);
	memset(p, 0, sizeof(*p));
}

/*
 * One piece of a response into ep's claimed RX; the producer zeroes the
 * unused tail (spec C5.3, v1.3 s4.10) and hands RX to the consumer.
 */
static void rx_put(struct spmc *spmc, struct spmc_ep *ep, void *rx, size_t rx_size,
		   const uint8_t *src, size_t n)
{
	memcpy(rx, src, n);
	memset((uint8_t *)rx + n, 0, rx_size - n);
	spmc_rx_fill(spmc, ep);
}

/*
 * Put the response for t into ep's RX, keeping the rest as a FRAG_RX
 * session; reply RETRIEVE_RESP(total, fragment). hyp: a hypervisor
 * retrieve request. Consumes p.
 */
static void deliver_response(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			     uint32_t fid, const struct mem_tx *t, bool hyp, struct resp *p)
{
	struct mem_state *m = ms(spmc);
	struct mem_rsess *sess = p->sess;
	struct ffaemu_spmc_fault f;
	struct ffaemu_memdesc d;
	uint32_t version = spmc_ep_version(ep);
	size_t frag = p->len;
	bool fault = spmc_fault_take(spmc, fid, &f);

	if (fault)
		corrupt_response(&f, p->buf, p->len, version);
	if (p->len > p->rx_size) {
		/* First fragment: up to the composite header plus whole ranges (E2, E3). */
		if (ffaemu_memdesc_parse(p->buf, p->len, version, FFAEMU_MEMDESC_RETRIEVE_RESP, &d,
					 NULL) == 0 &&
		    ffaemu_memdesc_fragment_len(&d, 0, p->rx_size, &frag) == 0)
			sess->head = d.constituent_offset;
		else
			frag = p->rx_size - p->rx_size % 16; /* a corrupted response (fault injection) */
	}
	rx_put(spmc, ep, p->rx, p->rx_size, p->buf, frag);
	if (frag < p->len) {
		sess->ep = ep->id;
		sess->handle = t->handle;
		sess->buf = p->buf;
		sess->len = p->len;
		sess->sent = (uint32_t)frag;
		sess->sender = t->sender;
		sess->type = t->type;
		sess->hyp = hyp;
		sess->version = version;
		sess->frags = 1;
		sess->buf_hash = fnv_bytes(FNV_BASIS, p->buf, p->len);
		sess_link(m, sess);
	} else {
		ffaemu_alloc_free(&spmc->alloc, p->buf);
		ffaemu_alloc_free(&spmc->alloc, sess);
	}
	/* Injected: a zero-length fragment (spmc.h FAULT_ZERO_FRAGMENT). */
	if (fault && f.kind == FFAEMU_SPMC_FAULT_ZERO_FRAGMENT)
		frag = 0;
	/* w1 = total length, w2 = this fragment's length (spec C1, E3). */
	spmc_reply32(r, FFAEMU_FFA_MEM_RETRIEVE_RESP, p->len, (uint32_t)frag, 0, 0);
	memset(p, 0, sizeof(*p));
}

/*
 * The retriever's requested access against what it was granted (D4),
 * giving the effective access; 0 or an FF-A error.
 */
static int32_t retrieve_perms(const struct mem_tx *t, const struct mem_recv *rv, uint8_t req,
			      uint8_t *eff)
{
	uint8_t rd = req & FFAEMU_MEM_PERM_DATA_MASK, ri = req & FFAEMU_MEM_PERM_INSTR_MASK;
	uint8_t gd = rv->perms & FFAEMU_MEM_PERM_DATA_MASK;
	bool pick_instr = t->type == FFAEMU_MEM_TX_DONATE ||
			  (t->type == FFAEMU_MEM_TX_LEND && t->nrecv == 1);

	if (t->type == FFAEMU_MEM_TX_DONATE) {
		/* The receiver of a donation chooses the data access (spec D4). */
		gd = FFAEMU_MEM_PERM_DATA_RW;
	}
	/* Less than granted is fine, more is DENIED (spec D4). */
	if (rd == FFAEMU_MEM_PERM_DATA_RW && gd == FFAEMU_MEM_PERM_DATA_RO)
		return FFAEMU_FFA_DENIED;
	if (rd == FFAEMU_MEM_PERM_DATA_NOT_SPECIFIED)
		rd = gd;
	if (pick_instr) {
		/* 1-borrower LEND / DONATE: the retriever chooses X or NX (spec D4). */
		if (ri == FFAEMU_MEM_PERM_INSTR_NOT_SPECIFIED)
			return FFAEMU_FFA_INVALID_PARAMETERS;
		/* Non-secure memory cannot be executable by an SP (spec D4). */
		if (ri == FFAEMU_MEM_PERM_INSTR_X && t->ns)
			return FFAEMU_FFA_DENIED;
	} else {
		/* SHARE / multi-borrower LEND: left unspecified, the relayer records NX. */
		if (ri != FFAEMU_MEM_PERM_INSTR_NOT_SPECIFIED)
			return FFAEMU_FFA_INVALID_PARAMETERS;
		ri = FFAEMU_MEM_PERM_INSTR_NX;
	}
	*eff = (uint8_t)(rd | ri);
	return 0;
}

static void do_hyp_retrieve(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r,
			    const struct ffaemu_call_ctx *ctx, uint32_t fid,
			    const struct ffaemu_memdesc *req)
{
	struct mem_tx *t = tx_find(ms(spmc), req->handle);
	struct mem_rsess *old;
	struct resp p;
	int32_t err;

	/* Only the hypervisor, and only if the profile implements it (spec E1, C5.1 bit 2). */
	if (!is_hyp(caller, ctx) || !spmc_has(spmc, FFAEMU_SPMC_F_HYP_RETRIEVE)) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* A known, fully sent NWd transaction with the right sender (E1). */
	if (!t || !t->complete || (t->sender & 0x8000u) || req->sender != t->sender) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	err = resp_prepare(spmc, caller, t, NULL, 0, t->attributes, 0, &p);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	/* A new hypervisor retrieve restarts the description (nothing is mapped). */
	old = sess_find(ms(spmc), caller->id, t->handle);
	if (old)
		sess_drop(spmc, old);
	deliver_response(spmc, caller, r, fid, t, true, &p);
}

static void do_retrieve(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r,
			const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	struct mem_state *m = ms(spmc);
	bool smc64 = fid & FFAEMU_SMCCC_SMC64;
	uint32_t total = ffaemu_regs_w(r, 1), frag = ffaemu_regs_w(r, 2);
	uint64_t addr = smc64 ? r->x[3] : ffaemu_regs_w(r, 3);
	uint32_t version = spmc_ep_version(caller);
	struct ffaemu_memdesc req;
	struct ffaemu_memdesc_receiver me;
	struct mem_recv *rv;
	struct mem_tx *t;
	const void *src;
	size_t src_size;
	uint8_t eff = 0;
	uint16_t attributes;
	uint32_t rtype, resp_flags = 0;
	struct resp p;
	int32_t err;
	int64_t idx;
	int rc;

	err = get_source(spmc, caller, addr, ffaemu_regs_w(r, 4), &src, &src_size);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	/* Retrieve requests are never fragmented and fit the buffer (spec E3). */
	if (total == 0 || frag != total || total > src_size) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	if (ffaemu_memdesc_parse(src, total, version, FFAEMU_MEMDESC_RETRIEVE_REQ, &req, NULL)) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	if (req.receiver_count == 0) {
		do_hyp_retrieve(spmc, caller, r, ctx, fid, &req);
		return;
	}

	t = tx_find(m, req.handle);
	/* Known handle, sending finished, same sender and tag (spec D3, E1). */
	if (!t || !t->complete || req.sender != t->sender || req.tag != t->tag) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* Bits 4:3 name the expected type, 0 = any (spec D7). */
	rtype = (req.flags & FFAEMU_MEMDESC_F_TYPE_MASK) >> FFAEMU_MEMDESC_F_TYPE_SHIFT;
	if (rtype && rtype != (uint32_t)t->type) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* The caller must be a borrower and must list itself (spec E1 step 4). */
	rv = tx_recv(t, caller->id);
	idx = ffaemu_memdesc_find_receiver(&req, caller->id);
	if (!rv || idx < 0) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/*
	 * The request lists every borrower, or (flag bit 10, spec D7,
	 * UNCONFIRMED) only the caller; never a stranger.
	 */
	if (!(req.flags & FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER) || req.receiver_count != 1) {
		if (req.receiver_count != t->nrecv) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		for (uint32_t i = 0; i < req.receiver_count; i++) {
			struct ffaemu_memdesc_receiver o;

			(void)ffaemu_memdesc_receiver(&req, i, &o);
			if (!tx_recv(t, o.id)) {
				spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
				return;
			}
		}
	}
	(void)ffaemu_memdesc_receiver(&req, (uint32_t)idx, &me);
	/*
	 * The retriever repeats the sender's impl-defined value (v1.2+ both
	 * sides, spec D4) and is not a non-retrieval borrower.
	 */
	if ((req.emad_size == FFAEMU_MEMDESC_EMAD_SIZE_V1_2 && t->send_version >= FFAEMU_FFA_1_2 &&
	     memcmp(me.impdef, rv->impdef, sizeof(me.impdef))) ||
	    (me.flags & FFAEMU_MEMDESC_EMAD_F_NON_RETRIEVAL_BORROWER)) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* One retrieval per borrower until it relinquishes (HF-MEM). */
	if (rv->retrieved) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	err = retrieve_perms(t, rv, me.perms, &eff);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	/*
	 * Attributes: the sender's, unless it left the type to the borrower
	 * (DONATE / 1-borrower LEND, spec D6); a conflicting choice is refused.
	 */
	attributes = t->attributes;
	if ((req.attributes & FFAEMU_MEM_ATTR_TYPE_MASK) != FFAEMU_MEM_ATTR_TYPE_NOT_SPECIFIED) {
		if ((t->attributes & FFAEMU_MEM_ATTR_TYPE_MASK) == FFAEMU_MEM_ATTR_TYPE_NOT_SPECIFIED)
			attributes = req.attributes;
		else if (req.attributes != t->attributes) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
	}
	if ((attributes & FFAEMU_MEM_ATTR_TYPE_MASK) == FFAEMU_MEM_ATTR_TYPE_NOT_SPECIFIED)
		attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	/* Zero flags (spec D7): never SHARE; needs RW; zero-before needs the sender's consent. */
	if (req.flags & (FFAEMU_MEMDESC_F_ZERO_BEFORE | FFAEMU_MEMDESC_F_ZERO_AFTER)) {
		if (t->type == FFAEMU_MEM_TX_SHARE) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		if ((eff & FFAEMU_MEM_PERM_DATA_MASK) == FFAEMU_MEM_PERM_DATA_RO ||
		    ((req.flags & FFAEMU_MEMDESC_F_ZERO_BEFORE) && !(t->flags & FFAEMU_MEMDESC_F_ZERO))) {
			spmc_reply_error(r, FFAEMU_FFA_DENIED);
			return;
		}
		resp_flags = req.flags & (FFAEMU_MEMDESC_F_ZERO_BEFORE | FFAEMU_MEMDESC_F_ZERO_AFTER);
	}
	if (t->flags & FFAEMU_MEMDESC_F_ZERO)
		resp_flags |= FFAEMU_MEMDESC_F_ZERO_BEFORE;

	/* RX free (C5.3: BUSY) and the response built, before anything changes. */
	err = resp_prepare(spmc, caller, t, rv, eff, attributes, resp_flags, &p);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}

	/* The one step that can fail: map for the borrower, all pages or none. */
	if (t->type == FFAEMU_MEM_TX_DONATE)
		rc = ffaemu_mem_apply(spmc->mem, t->ranges, t->nranges,
				      &(struct ffaemu_page_op){
					      .owner = t->owner,
					      .from_states = FFAEMU_PAGE_STATE_BIT(FFAEMU_PAGE_LENT),
					      .need_unpinned = true,
					      .need_no_borrowers = true,
					      .to_state = FFAEMU_PAGE_OWNED,
					      .set_owner = true,
					      .new_owner = ep_owner(caller, caller->id),
					      .set_flags = FFAEMU_PAGE_F_DONATED,
				      },
				      NULL);
	else
		rc = ffaemu_mem_borrow(spmc->mem, t->ranges, t->nranges);
	if (rc) {
		resp_discard(spmc, &p);
		spmc_reply_error(r, mem_rc_to_ffa(rc));
		return;
	}
	if (resp_flags & FFAEMU_MEMDESC_F_ZERO_BEFORE && (req.flags & FFAEMU_MEMDESC_F_ZERO_BEFORE))
		(void)ffaemu_mem_zero(spmc->mem, t->ranges, t->nranges);
	rv->got_perms = eff;
	rv->retrieved = true;
	rv->zero_after = (req.flags & FFAEMU_MEMDESC_F_ZERO_AFTER) != 0;
	deliver_response(spmc, caller, r, fid, t, false, &p);
	if (t->type == FFAEMU_MEM_TX_DONATE) {
		/* Ownership moved: the transaction is over (DEN0077A 1.1 s10.7; spec E1). */
		tx_unlink(m, t);
		tx_free(spmc, t);
	}
}

static void do_frag_rx(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r,
		       const struct ffaemu_call_ctx *ctx)
{
	struct mem_state *m = ms(spmc);
	ffaemu_handle_t h = ffaemu_regs_handle(r, 1);
	uint32_t off = ffaemu_regs_w(r, 3), w4 = ffaemu_regs_w(r, 4);
	struct mem_rsess *s = sess_find(m, caller->id, h);
	struct ffaemu_spmc_fault f;
	size_t rx_size, frag;
	void *rx;
	int32_t err;

	/*
	 * FRAG_RX outside a retrieve in progress, or at another offset, is
	 * INVALID_PARAMETERS (spec E3); w4[31:16] only from the hypervisor,
	 * [15:0] MBZ (spec C1, F).
	 */
	if (!s || off != s->sent || (w4 & 0xffffu) || ((w4 >> 16) && !is_hyp(caller, ctx))) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* The previous fragment not released yet (spec E3). */
	err = spmc_rx_claim(spmc, caller, &rx, &rx_size);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	/* Whole 16-byte constituents only (spec E2, E3). */
	frag = s->len - s->sent < rx_size ? s->len - s->sent : rx_size;
	if (frag < s->len - s->sent)
		frag -= frag % FFAEMU_MEMDESC_CONSTITUENT_SIZE;
	rx_put(spmc, caller, rx, rx_size, s->buf + s->sent, frag);
	s->sent += (uint32_t)frag;
	s->frags++;
	if (s->sent >= s->len)
		sess_drop(spmc, s);
	if (spmc_fault_take(spmc, ffaemu_regs_w(r, 0), &f)) {
		if (f.kind == FFAEMU_SPMC_FAULT_ZERO_FRAGMENT)
			frag = 0;
		else if (f.kind == FFAEMU_SPMC_FAULT_FRAG_OFFSET)
			frag += (uint32_t)f.value;
	}
	/* w1/w2 handle, w3 = this fragment's length (spec E3, G6). */
	spmc_reply32(r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), (uint32_t)frag, 0);
}

/* ---- relinquish / reclaim ------------------------------------------------ */

static void do_relinquish(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r)
{
	struct mem_state *m = ms(spmc);
	struct ffaemu_memdesc_relinquish rel;
	struct mem_recv *rv;
	struct mem_tx *t;
	const uint8_t *src;
	const void *vsrc;
	size_t src_size;
	uint64_t len;
	int32_t err;
	int rc;

	/* Registers w1-w7 MBZ: the descriptor is in TX (spec C1, F). */
	for (int i = 1; i < 8; i++)
		if (ffaemu_regs_w(r, (unsigned)i)) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
	err = spmc_tx_get(spmc, caller, &vsrc, &src_size);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	src = vsrc;
	if (src_size < FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	len = FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE +
	      2ull * (uint32_t)(src[12] | src[13] << 8 | src[14] << 16 | (uint32_t)src[15] << 24);
	if (len > src_size ||
	    ffaemu_memdesc_relinquish_parse(src, (size_t)len, &rel, NULL)) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* Exactly the caller relinquishes for itself (spec D8; HF-MEM). */
	t = tx_find(m, rel.handle);
	if (!t || !t->complete || rel.endpoint_count != 1 ||
	    ffaemu_memdesc_relinquish_endpoint(&rel, 0) != caller->id) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	rv = tx_recv(t, caller->id);
	if (!rv) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* Nothing retrieved, nothing to give back (spec C1: DENIED). */
	if (!rv->retrieved) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	/* Zero after relinquish: not for SHARE, not for read-only access (spec D7). */
	if (rel.flags & FFAEMU_MEMDESC_F_ZERO) {
		if (t->type == FFAEMU_MEM_TX_SHARE) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		if ((rv->got_perms & FFAEMU_MEM_PERM_DATA_MASK) == FFAEMU_MEM_PERM_DATA_RO) {
			spmc_reply_error(r, FFAEMU_FFA_DENIED);
			return;
		}
	}
	rc = ffaemu_mem_unborrow(spmc->mem, t->ranges, t->nranges);
	if (rc) {
		spmc_reply_error(r, mem_rc_to_ffa(rc));
		return;
	}
	if ((rel.flags & FFAEMU_MEMDESC_F_ZERO) || rv->zero_after)
		(void)ffaemu_mem_zero(spmc->mem, t->ranges, t->nranges);
	rv->retrieved = false;
	rv->got_perms = 0;
	rv->zero_after = false;
	sess_drop_handle(spmc, t->handle, true, caller->id);
	spmc_reply_success(r, false, 0, 0);
}

static void do_reclaim(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *r,
		       const struct ffaemu_call_ctx *ctx)
{
	struct mem_state *m = ms(spmc);
	ffaemu_handle_t h = ffaemu_regs_handle(r, 1);
	uint32_t flags = ffaemu_regs_w(r, 3);
	struct mem_tx *t;
	int rc;

	/* Flags [31:2] and w4-w7 MBZ (spec D7, F). */
	for (int i = 4; i < 8; i++)
		if (ffaemu_regs_w(r, (unsigned)i)) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
	if (flags & FFAEMU_MEM_RECLAIM_F_MBZ) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/*
	 * Unknown handle (a hypervisor-allocated one has bit 63 set, D9) or
	 * not the owner: INVALID_PARAMETERS (spec C1).
	 */
	t = (h & FFAEMU_MEM_HANDLE_ALLOC_HYP) ? NULL : tx_find(m, h);
	if (!t ||
	    (t->sender != caller->id && !(is_hyp(caller, ctx) && !(t->sender & 0x8000u)))) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	if (!t->complete) {
		/*
		 * A send still in fragments. Spec C1: "sending not finished" is
		 * INVALID_PARAMETERS (Hafnium), the send goes on. With the DROP
		 * quirk its sender aborts it: dropped, SUCCESS, as pKVM expects
		 * (spec E2: "pKVM reclaims the handle to undo earlier
		 * fragments"; pkvm-proxy 1.14). No page has moved yet, so there
		 * is nothing to give back or zero.
		 */
		if (spmc->profile.partial_reclaim != FFAEMU_SPMC_PARTIAL_RECLAIM_DROP) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		if ((flags & FFAEMU_MEM_RECLAIM_F_ZERO) && t->type == FFAEMU_MEM_TX_SHARE) {
			spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		tx_unlink(m, t);
		tx_free(spmc, t);
		spmc_reply_success(r, false, 0, 0);
		return;
	}
	/* A borrower still holds it (spec E1 step 6). */
	for (uint32_t i = 0; i < t->nrecv; i++)
		if (t->recv[i].retrieved) {
			spmc_reply_error(r, FFAEMU_FFA_DENIED);
			return;
		}
	/* Zeroing shared memory the owner never lost is meaningless (spec D7). */
	if ((flags & FFAEMU_MEM_RECLAIM_F_ZERO) && t->type == FFAEMU_MEM_TX_SHARE) {
		spmc_reply_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	rc = ffaemu_mem_unshare(spmc->mem, t->ranges, t->nranges, t->owner);
	if (rc) {
		spmc_reply_error(r, mem_rc_to_ffa(rc));
		return;
	}
	if (flags & FFAEMU_MEM_RECLAIM_F_ZERO)
		(void)ffaemu_mem_zero(spmc->mem, t->ranges, t->nranges);
	sess_drop_handle(spmc, h, false, 0);
	tx_unlink(m, t);
	tx_free(spmc, t);
	spmc_reply_success(r, false, 0, 0);
}

/* ---- entry ------------------------------------------------------------- */

void spmc_mem_call(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *regs,
		   const struct ffaemu_call_ctx *ctx)
{
	uint32_t fid = ffaemu_fid_strip_hint(ffaemu_regs_w(regs, 0));

	if (!ms(spmc) || !caller) {
		spmc_reply_error(regs, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
	switch (fid & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_SHARE:
		do_send(spmc, caller, regs, ctx, fid);
		return;
	case FFAEMU_FFA_MEM_FRAG_TX:
		do_frag_tx(spmc, caller, regs, ctx);
		return;
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
		do_retrieve(spmc, caller, regs, ctx, fid);
		return;
	case FFAEMU_FFA_MEM_FRAG_RX:
		do_frag_rx(spmc, caller, regs, ctx);
		return;
	case FFAEMU_FFA_MEM_RELINQUISH:
		do_relinquish(spmc, caller, regs);
		return;
	case FFAEMU_FFA_MEM_RECLAIM:
		do_reclaim(spmc, caller, regs, ctx);
		return;
	default:
		/* RETRIEVE_RESP is a reply, OP_PAUSE/RESUME are not modelled (spec C1, H). */
		spmc_reply_error(regs, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
}
