/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX/TX mailboxes (FFA_RXTX_MAP/UNMAP, FFA_RX_RELEASE/ACQUIRE) and
 * discovery (FFA_PARTITION_INFO_GET, FFA_PARTITION_INFO_GET_REGS).
 */
#include <string.h>

#include <ffa/msgdesc.h>
#include <ffa/partinfo.h>

#include "spmc_internal.h"

#define INVAL FFAEMU_FFA_INVALID_PARAMETERS

static bool ranges_overlap(uint64_t a, uint64_t b, uint64_t asize, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/* Is every page of [pa, pa+size) the caller's own, unshared RAM of its world? */
static int32_t check_buffer_pages(struct spmc *spmc, ffaemu_pa_t pa, uint64_t size, bool secure)
{
	for (uint64_t off = 0; off < size; off += FFAEMU_PAGE_SIZE) {
		struct ffaemu_page_info pi;
		if (ffaemu_mem_page_info(spmc->mem, pa + off, &pi) != FFAEMU_OK)
			return INVAL;
		/* RX/TX must be memory of the caller's world (C5.3). */
		if (((pi.region_attr & FFAEMU_MEM_SECURE) != 0) != secure)
			return FFAEMU_FFA_DENIED;
		/* Owned, not shared or lent (C5.3, HF-API). */
		if (pi.state != FFAEMU_PAGE_OWNED || pi.borrowers)
			return FFAEMU_FFA_DENIED;
		if (secure ? pi.owner.kind != FFAEMU_OWNER_SECURE
			   : pi.owner.kind == FFAEMU_OWNER_SECURE || pi.owner.kind == FFAEMU_OWNER_NONE)
			return FFAEMU_FFA_DENIED;
	}
	return 0;
}

int32_t spmc_mailbox_map(struct spmc *spmc, struct spmc_ep *ep, ffaemu_pa_t tx, ffaemu_pa_t rx,
			 uint32_t pages, bool secure)
{
	uint64_t min = spmc->profile.rxtx_min_size;
	uint64_t size;
	void *txp, *rxp;
	int32_t err;

	/* A second map while a pair is mapped (C5.3). */
	if (ep->mb.mapped)
		return FFAEMU_FFA_DENIED;
	/* Count: non-zero, at most the advertised maximum, a multiple of the
	 * minimum size; both addresses aligned to it (C5.1, C5.3). */
	if (pages == 0 || pages > spmc->profile.rxtx_max_pages)
		return INVAL;
	size = (uint64_t)pages * FFAEMU_PAGE_SIZE;
	if (size % min || tx % min || rx % min)
		return INVAL;
	if (tx + size < tx || rx + size < rx)
		return INVAL;
	/* TX and RX must not overlap or be equal (C5.3). */
	if (ranges_overlap(tx, rx, size, size))
		return INVAL;
	if (!ffaemu_mem_is_ram(spmc->mem, tx, size) || !ffaemu_mem_is_ram(spmc->mem, rx, size))
		return INVAL;
	/* A page of another endpoint's mailbox is not the caller's alone (C5.3, HF-API). */
	for (size_t i = 0; i < spmc->n_eps; i++) {
		const struct spmc_mailbox *o = &spmc->eps[i]->mb;
		if (spmc->eps[i]->id == ep->id || !o->mapped)
			continue;
		if (ranges_overlap(tx, o->tx_pa, size, o->size) ||
		    ranges_overlap(tx, o->rx_pa, size, o->size) ||
		    ranges_overlap(rx, o->tx_pa, size, o->size) ||
		    ranges_overlap(rx, o->rx_pa, size, o->size))
			return FFAEMU_FFA_DENIED;
	}
	err = check_buffer_pages(spmc, tx, size, secure);
	if (!err)
		err = check_buffer_pages(spmc, rx, size, secure);
	if (err)
		return err;
	/* Each buffer must lie in one region to be one host block. */
	if (ffaemu_mem_ptr(spmc->mem, tx, size, &txp) || ffaemu_mem_ptr(spmc->mem, rx, size, &rxp))
		return INVAL;
	ep->mb.mapped = true;
	ep->mb.by_hyp = false;
	ep->mb.tx_pa = tx;
	ep->mb.rx_pa = rx;
	ep->mb.pages = pages;
	ep->mb.size = (size_t)size;
	ep->mb.tx = txp;
	ep->mb.rx = rxp;
	ep->mb.rx_state = SPMC_RX_EMPTY;
	return 0;
}

/* The hypervisor maps a VM's buffers: x1 = x2 = w3 = 0, D12 in its TX (C5.3). */
static int32_t map_forwarded(struct spmc *spmc, struct spmc_ep *hyp,
			     const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_ep_rxtx_desc d;
	struct spmc_ep *vm;
	struct spmc_ep tmp;
	int32_t err;

	/* Only the hypervisor at the NS physical instance, v1.1+, when the
	 * profile implements it; TF-A answers INVALID_PARAMETERS (C5.3). */
	if (hyp->kind != SPMC_EP_NS || ctx->instance != FFAEMU_INSTANCE_NP ||
	    !spmc_has(spmc, FFAEMU_SPMC_F_RXTX_FORWARD) || hyp->version < FFAEMU_FFA_1_1)
		return INVAL;
	if (!hyp->mb.mapped)
		return INVAL;
	if (ffaemu_ep_rxtx_decode(hyp->mb.tx, hyp->mb.size, hyp->version, &d) != FFAEMU_OK)
		return INVAL;
	/* A VM: not the hypervisor itself, not a secure ID (spec B2). */
	if (d.id == 0 || d.id == hyp->id || (d.id & 0x8000u) || d.rx_pages != d.tx_pages)
		return INVAL;
	vm = spmc_ep_find(spmc, d.id);
	if (vm && vm->kind != SPMC_EP_NS)
		return INVAL;
	/* Validate on a scratch copy so nothing changes on failure. */
	memset(&tmp, 0, sizeof(tmp));
	if (vm)
		tmp = *vm;
	tmp.id = d.id;
	err = spmc_mailbox_map(spmc, &tmp, d.tx_pa, d.rx_pa, d.rx_pages, false);
	if (err)
		return err;
	if (!vm) {
		vm = spmc_ep_get_ns(spmc, d.id);
		if (!vm)
			return FFAEMU_FFA_NO_MEMORY;
	}
	vm->mb = tmp.mb;
	vm->mb.by_hyp = true;
	return 0;
}

static void do_rxtx_map(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			const struct ffaemu_call_ctx *ctx, bool smc64)
{
	/* TX first, then RX; SMC32 uses w1/w2 (C5.3, G1). */
	ffaemu_pa_t tx = smc64 ? r->x[1] : ffaemu_regs_w(r, 1);
	ffaemu_pa_t rx = smc64 ? r->x[2] : ffaemu_regs_w(r, 2);
	/* The whole w3 is the count, as Hafnium reads it (C5.3, UNCONFIRMED width). */
	uint32_t pages = ffaemu_regs_w(r, 3);
	int32_t err;

	if (tx == 0 && rx == 0 && pages == 0)
		err = map_forwarded(spmc, ep, ctx);
	else
		err = spmc_mailbox_map(spmc, ep, tx, rx, pages, ep->kind == SPMC_EP_SP);
	if (err)
		spmc_reply_error(r, err);
	else
		spmc_reply_success(r, false, 0, 0);
}

/* Resolve "self or a VM named by the hypervisor" for UNMAP/RELEASE/ACQUIRE. */
static struct spmc_ep *vm_target(struct spmc *spmc, const struct spmc_ep *caller,
				 const struct ffaemu_call_ctx *ctx, ffaemu_id_t id)
{
	struct spmc_ep *t;

	/* Only the hypervisor at NS physical may name another endpoint (C5.3). */
	if (caller->kind != SPMC_EP_NS || ctx->instance != FFAEMU_INSTANCE_NP || id == caller->id)
		return NULL;
	t = spmc_ep_find(spmc, id);
	return t && t->kind == SPMC_EP_NS ? t : NULL;
}

static void do_rxtx_unmap(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			  const struct ffaemu_call_ctx *ctx)
{
	uint32_t w1 = ffaemu_regs_w(r, 1);
	ffaemu_id_t id = (ffaemu_id_t)(w1 >> 16);
	struct spmc_ep *t = ep;

	/* ID in w1[31:16], [15:0] MBZ; non-zero only for the hypervisor
	 * unmapping a VM's pair (C5.3, G4). */
	if (w1 & 0xffffu) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if (id != 0) {
		t = vm_target(spmc, ep, ctx, id);
		if (!t) {
			spmc_reply_error(r, INVAL);
			return;
		}
	}
	if (!t->mb.mapped) {
		spmc_reply_error(r, INVAL);
		return;
	}
	memset(&t->mb, 0, sizeof(t->mb));
	spmc_reply_success(r, false, 0, 0);
}

static void do_rx_release(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			  const struct ffaemu_call_ctx *ctx)
{
	uint32_t w1 = ffaemu_regs_w(r, 1);
	ffaemu_id_t id = (ffaemu_id_t)w1;
	struct spmc_ep *t = ep;

	/* w1[15:0] = VM ID, only from the hypervisor; MBZ elsewhere (C5.3). */
	if (w1 >> 16) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if (id != 0) {
		t = vm_target(spmc, ep, ctx, id);
		if (!t) {
			spmc_reply_error(r, INVAL);
			return;
		}
	}
	if (!t->mb.mapped) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Releasing a buffer the releaser does not own is DENIED (C5.3): the
	 * endpoint owns a FULL RX; the hypervisor owns what it acquired and
	 * may release a VM's FULL RX on its behalf. */
	if (t->mb.rx_state == SPMC_RX_EMPTY || (t == ep && t->mb.rx_state == SPMC_RX_HYP)) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	t->mb.rx_state = SPMC_RX_EMPTY;
	spmc_reply_success(r, false, 0, 0);
}

static void do_rx_acquire(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			  const struct ffaemu_call_ctx *ctx)
{
	ffaemu_id_t id = (ffaemu_id_t)ffaemu_regs_w(r, 1);
	struct spmc_ep *t = vm_target(spmc, ep, ctx, id);

	/* A VM with a mapped RX (C5.3). */
	if (!t || !t->mb.mapped) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Busy: the VM or the hypervisor holds it (C5.3). */
	if (t->mb.rx_state != SPMC_RX_EMPTY) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	t->mb.rx_state = SPMC_RX_HYP;
	spmc_reply_success(r, false, 0, 0);
}

/* ---- partition information (C5.4, C5.5) -------------------------------- */

struct pi_entry {
	const struct spmc_sp *sp;
	unsigned uuid_index; /* which protocol UUID; uuid_count==0 -> nil */
};

/* Entries matching uuid, in partition order; returns the count (fills up to max). */
static size_t pi_collect(struct spmc *spmc, const struct ffaemu_uuid *uuid, bool per_uuid,
			 struct pi_entry *out, size_t max)
{
	bool nil = ffaemu_uuid_is_nil(uuid);
	size_t n = 0;

	for (size_t i = 0; i < spmc->n_sps; i++) {
		const struct spmc_sp *sp = spmc->sps[i];
		unsigned nu = sp->cfg.uuid_count;
		if (nil) {
			/* v1.1+: one entry per (partition, protocol UUID) (C5.4). */
			unsigned k = per_uuid && nu ? nu : 1;
			for (unsigned j = 0; j < k; j++) {
				if (n < max) {
					out[n].sp = sp;
					out[n].uuid_index = j;
				}
				n++;
			}
			continue;
		}
		for (unsigned j = 0; j < nu; j++) {
			if (ffaemu_uuid_eq(&sp->cfg.uuids[j], uuid)) {
				if (n < max) {
					out[n].sp = sp;
					out[n].uuid_index = j;
				}
				n++;
				break;
			}
		}
	}
	return n;
}

/* The descriptor a caller sees (C5.4 property filtering, D1). */
static void pi_fill(const struct spmc_ep *caller, const struct ffaemu_call_ctx *ctx,
		    const struct pi_entry *e, bool with_uuid, struct ffaemu_partinfo *pi)
{
	const struct spmc_sp *sp = e->sp;
	uint32_t props = sp->cfg.props;

	memset(pi, 0, sizeof(*pi));
	pi->id = sp->cfg.id;
	pi->exec_ctx_count = sp->cfg.exec_ctx_count;
	if (caller->kind != SPMC_EP_SP) {
		/* SPs cannot send direct requests to the NWd: hidden from it (C5.4). */
		props &= ~(FFAEMU_SP_PROP_DIRECT_REQ_SEND | FFAEMU_SP_PROP_DIRECT_REQ2_SEND);
	}
	/* VM created/destroyed only for the NS physical instance, and only
	 * for partitions that receive direct requests (D1 bits 6/7, C5.4). */
	if (caller->kind == SPMC_EP_SP || ctx->instance != FFAEMU_INSTANCE_NP ||
	    !(props & FFAEMU_SP_PROP_DIRECT_REQ_RECV))
		props &= ~(FFAEMU_SP_PROP_VM_CREATED | FFAEMU_SP_PROP_VM_DESTROYED);
	/*
	 * Indirect messaging is MSG_SEND2 (v1.1): shown only to v1.1+ callers
	 * and only for v1.1+ partitions (C5.4, C7.4; HF-API); DIRECT_REQ2
	 * needs a v1.2 partition (C7.3). What is advertised is what works.
	 */
	if (caller->version < FFAEMU_FFA_1_1 || sp->ep->version < FFAEMU_FFA_1_1)
		props &= ~FFAEMU_SP_PROP_INDIRECT_MSG;
	if (sp->ep->version < FFAEMU_FFA_1_2)
		props &= ~(FFAEMU_SP_PROP_DIRECT_REQ2_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_SEND);
	pi->props = props & ffaemu_partinfo_props_mask(caller->version);
	/* UUID only when the caller asked with the nil UUID (C5.4). With no
	 * image UUIDs configured, the v1.3 rules (a protocol UUID given: only
	 * the image UUID, here nil) give the same. */
	if (with_uuid && sp->cfg.uuid_count)
		pi->uuid = sp->cfg.uuids[e->uuid_index];
	/* v1.3 descriptors carry the partition's FF-A version (D1). */
	pi->ffa_version = sp->ep->version;
}

static void do_partition_info_get(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
				  const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_uuid uuid = ffaemu_regs_uuid_w(r, 1);
	uint32_t flags = ffaemu_regs_w(r, 5);
	bool v11 = ep->version >= FFAEMU_FFA_1_1;
	bool nil = ffaemu_uuid_is_nil(&uuid);
	size_t dsz = ffaemu_partinfo_size(ep->version);
	size_t count, total;
	struct pi_entry *list;
	void *rx;
	size_t rx_size;
	int32_t err;
	uint8_t *p;

	/* v1.1: bit0 count-only, [31:1] MBZ; v1.0: w5 SBZ (C5.4). */
	if (!v11)
		flags = 0;
	else if (flags & ~FFAEMU_PARTINFO_FLAG_COUNT_ONLY) {
		spmc_reply_error(r, INVAL);
		return;
	}
	count = pi_collect(spmc, &uuid, v11, NULL, 0);
	/* A UUID that names no partition (C5.4, HF-API). */
	if (!nil && count == 0) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if (flags & FFAEMU_PARTINFO_FLAG_COUNT_ONLY) {
		/* No descriptors, RX untouched, size 0 (C5.4, G8). */
		spmc_reply_success(r, false, count, 0);
		return;
	}
	err = spmc_rx_claim(spmc, ep, &rx, &rx_size);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	total = count * dsz;
	if (total > rx_size) {
		/* Does not fit (C5.4). */
		spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	list = count ? ffaemu_alloc_array(&spmc->alloc, count, sizeof(*list)) : NULL;
	if (count && !list) {
		spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	(void)pi_collect(spmc, &uuid, v11, list, count);
	p = rx;
	for (size_t i = 0; i < count; i++) {
		struct ffaemu_partinfo pi;
		pi_fill(ep, ctx, &list[i], nil, &pi);
		(void)ffaemu_partinfo_encode(&pi, ep->version, p + i * dsz, rx_size - i * dsz);
	}
	/* Zero the unused tail (C5.3, Hafnium citing v1.3 s4.10). */
	memset(p + total, 0, rx_size - total);
	ffaemu_alloc_free(&spmc->alloc, list);
	spmc_rx_fill(spmc, ep);
	/* v1.0 has no size in w3 (C5.4). */
	spmc_reply_success(r, false, count, v11 ? dsz : 0);
}

/* x3-x17: 15 registers for descriptors (C5.5, D2). */
#define REGS_AVAIL 15u

/* A descriptor as registers: v1.2 3 (D2), v1.3 6 (reg3/4 image UUID, reg5 version). */
static unsigned pi_regs(const struct ffaemu_partinfo *pi, uint32_t version, uint64_t out[6])
{
	ffaemu_partinfo_regs_pack(pi, out);
	if (version < FFAEMU_FFA_1_3)
		return 3;
	out[3] = ffaemu_uuid_dword(&pi->image_uuid, 0);
	out[4] = ffaemu_uuid_dword(&pi->image_uuid, 1);
	out[5] = pi->ffa_version;
	return 6;
}

static void do_partition_info_get_regs(struct spmc *spmc, struct spmc_ep *ep,
				       struct ffaemu_regs *r, const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_uuid uuid = ffaemu_regs_uuid_x(r, 1);
	uint16_t start = (uint16_t)r->x[3];
	uint16_t tag = (uint16_t)(r->x[3] >> 16);
	bool nil = ffaemu_uuid_is_nil(&uuid);
	/* Descriptor size follows the caller's version: 24 (v1.2), 48 (v1.3) (D2). */
	size_t dsz = ffaemu_partinfo_size(ep->version);
	unsigned per_desc = (unsigned)(dsz / 8), per_call = REGS_AVAIL / per_desc;
	struct pi_entry *all;
	size_t count, last, cur;

	count = pi_collect(spmc, &uuid, true, NULL, 0);
	if (!nil && count == 0) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Tag MBZ at start 0; a stale tag means the information changed (C5.5). */
	if ((start == 0 && tag != 0) || (start != 0 && tag != spmc->partinfo_tag)) {
		spmc_reply_error(r, FFAEMU_FFA_RETRY);
		return;
	}
	if (count == 0 || start >= count || count > 0x10000u) {
		spmc_reply_error(r, INVAL);
		return;
	}
	last = count - 1;
	cur = start + per_call - 1;
	if (cur > last)
		cur = last;
	/* Collect everything up to cur; the window [start, cur] goes out. */
	all = ffaemu_alloc_array(&spmc->alloc, cur + 1, sizeof(*all));
	if (!all) {
		spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	(void)pi_collect(spmc, &uuid, true, all, cur + 1);
	spmc_reply_success(r, true, 0, 0);
	r->x[2] = ffaemu_partinfo_regs_x2((uint16_t)last, (uint16_t)cur, spmc->partinfo_tag,
					  (uint16_t)dsz);
	for (size_t i = start; i <= cur; i++) {
		struct ffaemu_partinfo pi;
		uint64_t regs[6];
		unsigned n;
		pi_fill(ep, ctx, &all[i], nil, &pi);
		n = pi_regs(&pi, ep->version, regs);
		for (unsigned k = 0; k < n; k++)
			r->x[3 + (i - start) * n + k] = regs[k];
	}
	ffaemu_alloc_free(&spmc->alloc, all);
}

void spmc_rxtx_call(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		    const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	bool smc64 = (fid & FFAEMU_SMCCC_SMC64) != 0;

	switch (fid & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_RXTX_MAP:
		do_rxtx_map(spmc, ep, r, ctx, smc64);
		break;
	case FFAEMU_FFA_RXTX_UNMAP:
		do_rxtx_unmap(spmc, ep, r, ctx);
		break;
	case FFAEMU_FFA_RX_RELEASE:
		do_rx_release(spmc, ep, r, ctx);
		break;
	case FFAEMU_FFA_RX_ACQUIRE:
		do_rx_acquire(spmc, ep, r, ctx);
		break;
	case FFAEMU_FFA_PARTITION_INFO_GET:
		do_partition_info_get(spmc, ep, r, ctx);
		break;
	default:
		do_partition_info_get_regs(spmc, ep, r, ctx);
		break;
	}
}
