/* SPDX-License-Identifier: BSD-3-Clause */
/* Notifications (FF-A v1.1; spec C8). */
#include <string.h>

#include "spmc_internal.h"

#define INVAL FFAEMU_FFA_INVALID_PARAMETERS

int spmc_notif_bitmap_create(struct spmc *spmc, struct spmc_ep *ep, uint32_t vcpus)
{
	struct spmc_notif *n = &ep->notif;
	uint64_t *sp_p, *vm_p;

	sp_p = ffaemu_alloc_array(&spmc->alloc, vcpus, sizeof(uint64_t));
	vm_p = ffaemu_alloc_array(&spmc->alloc, vcpus, sizeof(uint64_t));
	if (!sp_p || !vm_p) {
		ffaemu_alloc_free(&spmc->alloc, sp_p);
		ffaemu_alloc_free(&spmc->alloc, vm_p);
		return FFAEMU_ENOMEM;
	}
	memset(n, 0, sizeof(*n));
	n->bitmap = true;
	n->vcpu_count = vcpus;
	n->pcpu_sp = sp_p;
	n->pcpu_vm = vm_p;
	return FFAEMU_OK;
}

void spmc_notif_free(struct spmc *spmc, struct spmc_ep *ep)
{
	ffaemu_alloc_free(&spmc->alloc, ep->notif.pcpu_sp);
	ffaemu_alloc_free(&spmc->alloc, ep->notif.pcpu_vm);
	memset(&ep->notif, 0, sizeof(ep->notif));
}

static bool notif_any_pending(const struct spmc_notif *n)
{
	if (n->pending_sp || n->pending_vm || n->pending_spm || n->pending_hyp)
		return true;
	for (uint32_t i = 0; i < n->vcpu_count; i++)
		if (n->pcpu_sp[i] || n->pcpu_vm[i])
			return true;
	return false;
}

/* IDs pending from senders of world w (0 partitions, 1 VMs). */
static uint64_t pending_bits(const struct spmc_notif *n, unsigned w)
{
	uint64_t b = w ? n->pending_vm : n->pending_sp;
	for (uint32_t i = 0; i < n->vcpu_count; i++)
		b |= w ? n->pcpu_vm[i] : n->pcpu_sp[i];
	return b;
}

/* Something new is pending: INFO_GET lists the endpoint again, whole (C8). */
static void info_rearm(struct spmc_notif *n)
{
	n->info_reported = false;
	n->info_global_done = false;
	n->info_vcpus_done = 0;
}

void spmc_notif_raise_spm(struct spmc *spmc, struct spmc_ep *ep, uint32_t bits)
{
	(void)spmc;
	/* Only receivers with a bitmap can be told (C8). */
	if (!ep->notif.bitmap)
		return;
	ep->notif.pending_spm |= bits;
	info_rearm(&ep->notif);
}

/*
 * The endpoint the caller acts for as receiver (BIND/UNBIND/GET) or sender
 * (SET): itself, or for the hypervisor at NS physical any NWd ID (it acts
 * for its VMs; C8, HF-DOC).
 */
static bool acts_for(const struct spmc_ep *ep, const struct ffaemu_call_ctx *ctx, ffaemu_id_t id)
{
	if (ep->kind == SPMC_EP_SP)
		return id == ep->id;
	if (id & 0x8000u)
		return false;
	return id == ep->id || (ep->id == 0 && ctx->instance == FFAEMU_INSTANCE_NP);
}

static void do_bitmap_create(struct spmc *spmc, struct ffaemu_regs *r)
{
	uint32_t w1 = ffaemu_regs_w(r, 1);
	ffaemu_id_t id = (ffaemu_id_t)w1;
	uint32_t vcpus = ffaemu_regs_w(r, 2);
	struct spmc_ep *vm;

	/* w1[15:0] a VM ID (or the hypervisor's own 0), [31:16] MBZ; vCPU
	 * count >= 1 (C1 BITMAP_CREATE). */
	if ((w1 >> 16) || (id & 0x8000u) || vcpus == 0 || vcpus > 0xffffu) {
		spmc_reply_error(r, INVAL);
		return;
	}
	vm = spmc_ep_find(spmc, id);
	if (vm && vm->notif.bitmap) {
		/* Already exists (C1). */
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	if (!vm) {
		vm = spmc_ep_get_ns(spmc, id);
		if (!vm) {
			spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
			return;
		}
	}
	if (spmc_notif_bitmap_create(spmc, vm, vcpus) != FFAEMU_OK) {
		/* A record made for this call goes with it: no state change (C2). */
		if (spmc_ep_pristine(spmc, vm))
			spmc_ep_drop(spmc, vm);
		spmc_reply_error(r, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	spmc_reply_success(r, false, 0, 0);
}

static void do_bitmap_destroy(struct spmc *spmc, struct ffaemu_regs *r)
{
	uint32_t w1 = ffaemu_regs_w(r, 1);
	struct spmc_ep *vm = spmc_ep_find(spmc, (ffaemu_id_t)w1);

	if ((w1 >> 16) || (w1 & 0x8000u) || (vm && vm->kind != SPMC_EP_NS)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/*
	 * No bitmap to destroy (Hafnium, TF-A tests
	 * test_ffa_notifications_destroy_not_created: DENIED), or
	 * notifications still pending or bound (C1 BITMAP_DESTROY: DENIED).
	 */
	if (!vm || !vm->notif.bitmap || notif_any_pending(&vm->notif) ||
	    vm->notif.bound[0] || vm->notif.bound[1]) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	spmc_notif_free(spmc, vm);
	spmc_reply_success(r, false, 0, 0);
}

/* Resolve receiver/sender of BIND/UNBIND/SET; 0 or an FF-A error. */
static int32_t pair(struct spmc *spmc, ffaemu_id_t snd_id, ffaemu_id_t rcv_id,
		    struct spmc_ep **rcv_out)
{
	struct spmc_ep *rcv = spmc_ep_find(spmc, rcv_id);

	if (snd_id == rcv_id || !rcv || !rcv->notif.bitmap)
		return INVAL;
	/* The SPMC keeps notifications whose sender or receiver is a
	 * partition; VM-to-VM is the hypervisor's (C8). */
	if (snd_id & 0x8000u) {
		if (!spmc_sp_find(spmc, snd_id))
			return INVAL;
	} else if (rcv->kind != SPMC_EP_SP) {
		return INVAL;
	}
	*rcv_out = rcv;
	return 0;
}

static void do_bind(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		    const struct ffaemu_call_ctx *ctx, bool bind)
{
	ffaemu_id_t snd = ffaemu_regs_id_hi(r, 1), rcv_id = ffaemu_regs_id_lo(r, 1);
	uint32_t flags = ffaemu_regs_w(r, 2);
	uint64_t bits = ffaemu_regs_handle(r, 3);
	bool pcpu = (flags & 1u) != 0;
	struct spmc_ep *rcv;
	struct spmc_notif *n;
	unsigned w;
	int32_t err;

	/* Only the receiver binds (C8); flags: BIND bit0 per-vCPU, rest MBZ;
	 * UNBIND w2 MBZ; an empty bitmap is invalid (C1). */
	if (!acts_for(ep, ctx, rcv_id) || (flags & (bind ? ~1u : ~0u)) || bits == 0) {
		spmc_reply_error(r, INVAL);
		return;
	}
	err = pair(spmc, snd, rcv_id, &rcv);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	/* A partition whose manifest has notifications off cannot bind (C8). */
	if (rcv->kind == SPMC_EP_SP && !(rcv->sp->cfg.props & FFAEMU_SP_PROP_NOTIFICATIONS)) {
		spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
	w = snd & 0x8000u ? 0 : 1;
	n = &rcv->notif;
	if (bind) {
		/* Per-vCPU is optional (C8; Hafnium INVALID_PARAMETERS). */
		if (pcpu && !spmc_has(spmc, FFAEMU_SPMC_F_NOTIF_PER_VCPU)) {
			spmc_reply_error(r, INVAL);
			return;
		}
		for (unsigned i = 0; i < 64; i++) {
			if (!(bits >> i & 1u) || !(n->bound[w] >> i & 1u))
				continue;
			/* Bound to someone else, or with the other scope (C8: DENIED);
			 * Hafnium denies the same binding again too (profile quirk). */
			if (n->binder[w][i] != snd || ((n->per_vcpu[w] >> i) & 1u) != pcpu ||
			    spmc->profile.rebind == FFAEMU_SPMC_REBIND_DENIED) {
				spmc_reply_error(r, FFAEMU_FFA_DENIED);
				return;
			}
		}
		for (unsigned i = 0; i < 64; i++)
			if (bits >> i & 1u)
				n->binder[w][i] = snd;
		n->bound[w] |= bits;
		if (pcpu)
			n->per_vcpu[w] |= bits;
		else
			n->per_vcpu[w] &= ~bits;
	} else {
		/*
		 * Only IDs bound to this sender: another sender's, or none,
		 * is DENIED (C8; Hafnium, TF-A tests "already bound").
		 */
		for (unsigned i = 0; i < 64; i++)
			if ((bits >> i & 1u) &&
			    (!(n->bound[w] >> i & 1u) || n->binder[w][i] != snd)) {
				spmc_reply_error(r, FFAEMU_FFA_DENIED);
				return;
			}
		/* Not while pending (C1; Hafnium DENIED). */
		if (pending_bits(n, w) & bits) {
			spmc_reply_error(r, FFAEMU_FFA_DENIED);
			return;
		}
		n->bound[w] &= ~bits;
		n->per_vcpu[w] &= ~bits;
		for (unsigned i = 0; i < 64; i++)
			if (bits >> i & 1u)
				n->binder[w][i] = 0;
	}
	spmc_reply_success(r, false, 0, 0);
}

static void do_set(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		   const struct ffaemu_call_ctx *ctx)
{
	ffaemu_id_t snd = ffaemu_regs_id_hi(r, 1), rcv_id = ffaemu_regs_id_lo(r, 1);
	uint32_t flags = ffaemu_regs_w(r, 2);
	uint64_t bits = ffaemu_regs_handle(r, 3);
	bool pcpu = (flags & 1u) != 0;
	uint16_t vcpu = (uint16_t)(flags >> 16);
	struct spmc_ep *rcv;
	int32_t err;

	/* The sender must be the caller; flags: bit0 per-vCPU, bit1 delay
	 * SRI, [15:2] MBZ, [31:16] vCPU (C1, F). */
	if (!acts_for(ep, ctx, snd) || (flags & 0xfffcu) || bits == 0 || (!pcpu && vcpu)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	err = pair(spmc, snd, rcv_id, &rcv);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	if (pcpu && (!spmc_has(spmc, FFAEMU_SPMC_F_NOTIF_PER_VCPU) || vcpu >= rcv->notif.vcpu_count)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	for (unsigned i = 0; i < 64; i++) {
		unsigned w = snd & 0x8000u ? 0 : 1;
		if (!(bits >> i & 1u))
			continue;
		/* Only the bound sender may set, in its world's bitmap (C8: DENIED). */
		if (!(rcv->notif.bound[w] >> i & 1u) || rcv->notif.binder[w][i] != snd) {
			spmc_reply_error(r, FFAEMU_FFA_DENIED);
			return;
		}
		if (((rcv->notif.per_vcpu[w] >> i) & 1u) != pcpu) {
			spmc_reply_error(r, INVAL);
			return;
		}
	}
	if (snd & 0x8000u) {
		if (pcpu)
			rcv->notif.pcpu_sp[vcpu] |= bits;
		else
			rcv->notif.pending_sp |= bits;
	} else {
		if (pcpu)
			rcv->notif.pcpu_vm[vcpu] |= bits;
		else
			rcv->notif.pending_vm |= bits;
	}
	info_rearm(&rcv->notif);
	spmc_reply_success(r, false, 0, 0);
}

static void do_get(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		   const struct ffaemu_call_ctx *ctx)
{
	ffaemu_id_t rcv_id = ffaemu_regs_id_lo(r, 1);
	uint16_t vcpu = ffaemu_regs_id_hi(r, 1);
	uint32_t flags = ffaemu_regs_w(r, 2);
	struct spmc_ep *rcv = spmc_ep_find(spmc, rcv_id);
	struct spmc_notif *n;
	uint64_t sp_bits = 0, vm_bits = 0;
	uint32_t spm = 0, hyp = 0;

	/* w1 = vCPU << 16 | receiver; the caller is the receiver (C8, G4). */
	if (!acts_for(ep, ctx, rcv_id) || !rcv || !rcv->notif.bitmap ||
	    vcpu >= rcv->notif.vcpu_count) {
		spmc_reply_error(r, INVAL);
		return;
	}
	n = &rcv->notif;
	/* Only the bitmaps asked for in w2 are returned and cleared; other
	 * w2 bits are SBZ (C8, F). */
	if (flags & 1u) {
		sp_bits = n->pending_sp | n->pcpu_sp[vcpu];
		n->pending_sp = 0;
		n->pcpu_sp[vcpu] = 0;
	}
	if (flags & 2u) {
		vm_bits = n->pending_vm | n->pcpu_vm[vcpu];
		n->pending_vm = 0;
		n->pcpu_vm[vcpu] = 0;
	}
	if (flags & 4u) {
		spm = n->pending_spm;
		n->pending_spm = 0;
	}
	if (flags & 8u) {
		hyp = n->pending_hyp;
		n->pending_hyp = 0;
	}
	spmc_reply_success(r, false, (uint32_t)sp_bits, (uint32_t)(sp_bits >> 32));
	r->x[4] = (uint32_t)vm_bits;
	r->x[5] = (uint32_t)(vm_bits >> 32);
	r->x[6] = spm;
	r->x[7] = hyp;
}

static void do_info_get(struct spmc *spmc, struct ffaemu_regs *r, bool smc64)
{
	/*
	 * 16-bit IDs packed from x3/w3: 10 max for SMC32, 20 for SMC64; two
	 * list-size bits per list in [31:12] / [51:12], so at most as many
	 * lists as IDs (C8).
	 */
	const unsigned max_ids = smc64 ? 20u : 10u;
	const unsigned per_reg = smc64 ? 4u : 2u;
	uint16_t ids[20];
	unsigned nids = 0, nlists = 0;
	uint64_t sizes = 0;
	bool more = false;

	for (size_t e = 0; e < spmc->n_eps && !more; e++) {
		struct spmc_ep *ep = spmc->eps[e];
		struct spmc_notif *n = &ep->notif;
		uint32_t idx = 0, i = 0;
		bool global;

		if (!n->bitmap || n->info_reported || !notif_any_pending(n))
			continue;
		global = n->pending_sp || n->pending_vm || n->pending_spm || n->pending_hyp;
		/* One list without vCPU IDs for global notifications (C8). */
		if (global && !n->info_global_done) {
			if (nids + 1 > max_ids) {
				more = true;
				break;
			}
			ids[nids++] = ep->id;
			nlists++;
			n->info_global_done = true;
		}
		/*
		 * Per-vCPU ones: lists of the endpoint ID and up to 3 vCPU IDs,
		 * continuing after those an earlier call listed; what does not
		 * fit waits for the next call, with "more pending" set.
		 */
		for (;;) {
			uint16_t vl[3];
			unsigned c = 0;

			for (; i < n->vcpu_count && c < 3; i++) {
				if (!(n->pcpu_sp[i] || n->pcpu_vm[i]))
					continue;
				if (idx++ < n->info_vcpus_done)
					continue;
				if (nids + 1 + c + 1 > max_ids) {
					more = true;
					break;
				}
				vl[c++] = (uint16_t)i;
			}
			if (c) {
				ids[nids++] = ep->id;
				for (unsigned j = 0; j < c; j++)
					ids[nids++] = vl[j];
				sizes |= (uint64_t)c << (2 * nlists);
				nlists++;
				n->info_vcpus_done += c;
			}
			if (more || i >= n->vcpu_count)
				break;
		}
		if (!more) {
			info_rearm(n);
			n->info_reported = true;
		}
	}
	if (nlists == 0) {
		/* Nothing pending (C8). */
		spmc_reply_error(r, FFAEMU_FFA_NO_DATA);
		return;
	}
	spmc_reply_success(r, smc64, 0, 0);
	/* x2: bit0 more pending, [11:7] list count, from bit 12 two bits of
	 * vCPU count per list (C8). */
	r->x[2] = (more ? 1u : 0u) | ((uint64_t)nlists << 7) | (sizes << 12);
	if (!smc64)
		r->x[2] = (uint32_t)r->x[2];
	for (unsigned i = 0; i < nids; i++)
		r->x[3 + i / per_reg] |= (uint64_t)ids[i] << (16 * (i % per_reg));
}

void spmc_notif_call(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		     const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	switch (fid & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE:
		do_bitmap_create(spmc, r);
		return;
	case FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY:
		do_bitmap_destroy(spmc, r);
		return;
	case FFAEMU_FFA_NOTIFICATION_BIND:
		do_bind(spmc, ep, r, ctx, true);
		return;
	case FFAEMU_FFA_NOTIFICATION_UNBIND:
		do_bind(spmc, ep, r, ctx, false);
		return;
	case FFAEMU_FFA_NOTIFICATION_SET:
		do_set(spmc, ep, r, ctx);
		return;
	case FFAEMU_FFA_NOTIFICATION_GET:
		do_get(spmc, ep, r, ctx);
		return;
	default:
		do_info_get(spmc, r, (fid & FFAEMU_SMCCC_SMC64) != 0);
		return;
	}
}

int ffaemu_spmc_notif_info(const struct ffaemu_spmc *pub, ffaemu_id_t id,
			   struct ffaemu_spmc_notif_info *out)
{
	struct spmc *spmc = (struct spmc *)(uintptr_t)pub;
	struct spmc_ep *ep;
	const struct spmc_notif *n;

	if (!spmc || !out)
		return FFAEMU_EINVAL;
	ep = spmc_ep_find(spmc, id);
	if (!ep)
		return FFAEMU_ENOENT;
	n = &ep->notif;
	memset(out, 0, sizeof(*out));
	out->bitmap = n->bitmap;
	out->vcpu_count = n->vcpu_count;
	out->bound = n->bound[0];
	out->per_vcpu = n->per_vcpu[0];
	out->bound_vm = n->bound[1];
	out->per_vcpu_vm = n->per_vcpu[1];
	memcpy(out->binder_vm, n->binder[1], sizeof(out->binder_vm));
	out->pending_sp = n->pending_sp | (n->vcpu_count ? n->pcpu_sp[0] : 0);
	out->pending_vm = n->pending_vm | (n->vcpu_count ? n->pcpu_vm[0] : 0);
	out->pending_spm = n->pending_spm;
	out->pending_hyp = n->pending_hyp;
	memcpy(out->binder, n->binder[0], sizeof(out->binder));
	return FFAEMU_OK;
}
