/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers of the SPMC's internal contract (spmc_priv.h): endpoint
 * lookup, RX ownership, reply builders.
 */
#include <string.h>

#include "spmc_internal.h"

struct spmc_ep *spmc_ep_find(struct spmc *spmc, ffaemu_id_t id)
{
	for (size_t i = 0; i < spmc->n_eps; i++)
		if (spmc->eps[i]->id == id)
			return spmc->eps[i];
	return NULL;
}

struct spmc_sp *spmc_sp_find(struct spmc *spmc, ffaemu_id_t id)
{
	struct spmc_ep *ep = spmc_ep_find(spmc, id);
	return ep ? ep->sp : NULL;
}

static int ep_append(struct spmc *spmc, struct spmc_ep *ep)
{
	if (spmc->n_eps == spmc->cap_eps) {
		size_t cap = spmc->cap_eps ? spmc->cap_eps * 2 : 8;
		struct spmc_ep **n = ffaemu_alloc_realloc(&spmc->alloc, spmc->eps, cap * sizeof(*n));
		if (!n)
			return FFAEMU_ENOMEM;
		spmc->eps = n;
		spmc->cap_eps = cap;
	}
	spmc->eps[spmc->n_eps++] = ep;
	return FFAEMU_OK;
}

struct spmc_ep *spmc_ep_new(struct spmc *spmc, ffaemu_id_t id, enum spmc_ep_kind kind)
{
	struct spmc_ep *ep = ffaemu_alloc_zalloc(&spmc->alloc, sizeof(*ep));
	if (!ep)
		return NULL;
	ep->id = id;
	ep->kind = kind;
	ep->version = spmc->profile.ffa_version;
	if (ep_append(spmc, ep) != FFAEMU_OK) {
		ffaemu_alloc_free(&spmc->alloc, ep);
		return NULL;
	}
	return ep;
}

struct spmc_ep *spmc_ep_get_ns(struct spmc *spmc, ffaemu_id_t id)
{
	struct spmc_ep *ep = spmc_ep_find(spmc, id);
	if (ep)
		return ep;
	/* Bit 15 set names the secure world (spec B2): never an NS endpoint. */
	if (id & 0x8000u)
		return NULL;
	return spmc_ep_new(spmc, id, SPMC_EP_NS);
}

bool spmc_ep_pristine(const struct spmc *spmc, const struct spmc_ep *ep)
{
	const struct spmc_notif *n = &ep->notif;

	return ep->kind == SPMC_EP_NS && ep->id != 0 && !ep->version_called && !ep->negotiated &&
	       ep->version == spmc->profile.ffa_version && !ep->mb.mapped && !ep->mb.by_hyp &&
	       !n->bitmap && !n->bound[0] && !n->bound[1] && !n->pending_sp && !n->pending_vm &&
	       !n->pending_spm && !n->pending_hyp && !n->pcpu_sp && !n->pcpu_vm;
}

void spmc_ep_drop(struct spmc *spmc, struct spmc_ep *ep)
{
	for (size_t i = 0; i < spmc->n_eps; i++) {
		if (spmc->eps[i] != ep)
			continue;
		memmove(&spmc->eps[i], &spmc->eps[i + 1], (spmc->n_eps - i - 1) * sizeof(ep));
		spmc->n_eps--;
		spmc_notif_free(spmc, ep);
		ffaemu_alloc_free(&spmc->alloc, ep);
		return;
	}
}

uint32_t spmc_ep_version(const struct spmc_ep *ep)
{
	return ep->version;
}

int32_t spmc_rx_claim(struct spmc *spmc, struct spmc_ep *ep, void **buf, size_t *size)
{
	(void)spmc;
	/* An RX the consumer or the hypervisor holds, or none at all, is not
	 * available to the producer (DEN0077A 1.1 s6.2.2; spec C5.3, C5.4). */
	if (!ep->mb.mapped || ep->mb.rx_state != SPMC_RX_EMPTY)
		return FFAEMU_FFA_BUSY;
	*buf = ep->mb.rx;
	*size = ep->mb.size;
	return 0;
}

void spmc_rx_fill(struct spmc *spmc, struct spmc_ep *ep)
{
	(void)spmc;
	ep->mb.rx_state = SPMC_RX_FULL;
}

int32_t spmc_tx_get(struct spmc *spmc, struct spmc_ep *ep, const void **buf, size_t *size)
{
	(void)spmc;
	if (!ep->mb.mapped)
		return FFAEMU_FFA_INVALID_PARAMETERS;
	*buf = ep->mb.tx;
	*size = ep->mb.size;
	return 0;
}

void spmc_reply_error(struct ffaemu_regs *r, int32_t code)
{
	/* FFA_ERROR: w1 = 0, w2 = code zero-extended, w3-w7 MBZ (spec C3, G10). */
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_ERROR;
	r->x[2] = (uint32_t)code;
}

void spmc_reply_success(struct ffaemu_regs *r, bool smc64, uint64_t a2, uint64_t a3)
{
	ffaemu_regs_clear(r);
	r->x[0] = smc64 ? FFAEMU_FFA_SUCCESS_64 : FFAEMU_FFA_SUCCESS;
	/* SMC32 results are W values, zero-extended (spec A8). */
	r->x[2] = smc64 ? a2 : (uint32_t)a2;
	r->x[3] = smc64 ? a3 : (uint32_t)a3;
}

void spmc_reply32(struct ffaemu_regs *r, uint32_t fid, uint32_t a1, uint32_t a2, uint32_t a3,
		  uint32_t a4)
{
	ffaemu_regs_clear(r);
	r->x[0] = fid;
	r->x[1] = a1;
	r->x[2] = a2;
	r->x[3] = a3;
	r->x[4] = a4;
}
