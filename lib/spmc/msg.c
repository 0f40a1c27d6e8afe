/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messaging and CPU cycles: direct requests/responses (v1.0 and REQ2),
 * FFA_RUN / FFA_YIELD / FFA_MSG_WAIT / FFA_INTERRUPT in a synchronous host
 * model, FFA_MSG_SEND2, FFA_CONSOLE_LOG, FFA_SECONDARY_EP_REGISTER and
 * FFA_MEM_PERM_GET/SET.
 *
 * Model: a partition runs only inside spmc_sp_enter(), on the host stack
 * of the call that delivered its message. It leaves by returning its exit
 * call (spmc.h, ffaemu_sp_handler_fn). Messages go to vCPU 0.
 */
#include <string.h>

#include <ffa/msgdesc.h>

#include "spmc_internal.h"

#define INVAL FFAEMU_FFA_INVALID_PARAMETERS
#define FWK_BIT 0x80000000u
#define FWK_VM_CREATED 0x4u
#define FWK_VM_DESTROYED 0x6u

static uint32_t target_info(ffaemu_id_t id, uint16_t vcpu)
{
	/* [31:16] endpoint, [15:0] vCPU (spec B3). */
	return ((uint32_t)id << 16) | vcpu;
}

static uint32_t resp_for(uint32_t req)
{
	/* C1.2: REQ_32 -> RESP_32, REQ_64 -> RESP_64, REQ2 -> RESP2. */
	switch (req) {
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
		return FFAEMU_FFA_MSG_SEND_DIRECT_RESP;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64:
		return FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
	default:
		return FFAEMU_FFA_MSG_SEND_DIRECT_RESP2;
	}
}

/* Registers a message of this FID carries: W values for SMC32, x8-x17
 * only for REQ2/RESP2 (v1.2) and for REQ_64/RESP_64 between v1.3
 * endpoints (wide64) (C1.4). */
static void clean_msg(struct ffaemu_regs *m, uint32_t fid, bool wide64)
{
	bool smc64 = (fid & FFAEMU_SMCCC_SMC64) != 0;
	bool wide = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 ||
		    fid == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 || (smc64 && wide64);

	m->x[0] = fid;
	/* Two blocks, no per-register branch: x1-x7, then x8-x17. */
	if (!smc64)
		for (int i = 1; i < 8; i++)
			m->x[i] = (uint32_t)m->x[i];
	if (!wide)
		memset(&m->x[8], 0, (FFAEMU_NREGS - 8) * sizeof(m->x[0]));
	else if (!smc64)
		for (int i = 8; i < FFAEMU_NREGS; i++)
			m->x[i] = (uint32_t)m->x[i];
}

static void reply_abort(struct ffaemu_regs *r)
{
	/* A partition broke the protocol: the requester sees ABORTED (C7.1;
	 * Xen does the same for an unexpected FID). */
	spmc_reply_error(r, FFAEMU_FFA_ABORTED);
}

static bool msg_wait_args_ok(const struct ffaemu_regs *m, uint32_t version)
{
	/* w1 MBZ, w2 flags (v1.2: bit0 retain RX; earlier MBZ), w3-w7 MBZ,
	 * v1.2 x8-x17 MBZ (C6, C1.4). */
	uint32_t flags_mbz = version >= FFAEMU_FFA_1_2 ? ~1u : ~0u;
	if (ffaemu_regs_w(m, 1) || (ffaemu_regs_w(m, 2) & flags_mbz))
		return false;
	for (int i = 3; i < 8; i++)
		if (ffaemu_regs_w(m, (unsigned)i))
			return false;
	if (version >= FFAEMU_FFA_1_2)
		for (int i = 8; i < FFAEMU_NREGS; i++)
			if (m->x[i])
				return false;
	return true;
}

/*
 * A partition left its handler with exit call m: turn it into what the
 * caller waiting on it (requester or FFA_RUN caller) sees, in r. Every path
 * writes all of r; m may be r (each reads m before it writes r).
 */
static void sp_exit(struct spmc *spmc, struct spmc_sp *sp, uint16_t vcpu, struct ffaemu_regs *m,
		    struct ffaemu_regs *r)
{
	struct spmc_vcpu *v = &sp->vcpus[vcpu];
	uint32_t f = ffaemu_regs_w(m, 0);
	bool had_request = v->has_request;

	/* v1.3 partitions may leave with the 64-bit CPU-cycle FIDs (C1.1). */
	if (sp->ep->version >= FFAEMU_FFA_1_3 &&
	    (f == FFAEMU_FFA_MSG_WAIT_64 || f == FFAEMU_FFA_YIELD_64 ||
	     f == FFAEMU_FFA_INTERRUPT_64 || f == FFAEMU_FFA_ERROR_64))
		f &= ~FFAEMU_SMCCC_SMC64;

	switch (f) {
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2: {
		ffaemu_id_t src = ffaemu_regs_id_hi(m, 1), dst = ffaemu_regs_id_lo(m, 1);
		bool ok = had_request && f == resp_for(v->req_fid) && src == sp->cfg.id &&
			  dst == v->requester;
		if (ok && f == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2)
			ok = m->x[2] == 0 && m->x[3] == 0; /* RESP2 x2/x3 MBZ (C7.3) */
		else if (ok && v->framework)
			/* A framework request needs the matching framework response (C1.2, C7.2). */
			ok = (ffaemu_regs_w(m, 2) & ~0xffu) == FWK_BIT &&
			     (ffaemu_regs_w(m, 2) & 0xffu) == (v->req_flags & 0xffu) + 1;
		else if (ok)
			ok = ffaemu_regs_w(m, 2) == 0; /* partition message: w2 MBZ (C7.1) */
		v->state = SPMC_VCPU_WAITING;
		v->has_request = false;
		if (!ok) {
			reply_abort(r);
			return;
		}
		if (r != m)
			*r = *m;
		clean_msg(r, f, v->wide);
		return;
	}
	case FFAEMU_FFA_YIELD:
		/* The scheduler sees FFA_YIELD with the target and the timeout
		 * and resumes it with FFA_RUN (C6). */
		v->state = SPMC_VCPU_PREEMPTED;
		spmc_reply32(r, FFAEMU_FFA_YIELD, target_info(sp->cfg.id, vcpu), ffaemu_regs_w(m, 2),
			     ffaemu_regs_w(m, 3), 0);
		return;
	case FFAEMU_FFA_INTERRUPT:
		/* Pre-empted: FFA_INTERRUPT with the target, resume with FFA_RUN (C6). */
		v->state = SPMC_VCPU_PREEMPTED;
		spmc_reply32(r, FFAEMU_FFA_INTERRUPT, target_info(sp->cfg.id, vcpu), 0, 0, 0);
		return;
	case FFAEMU_FFA_MSG_WAIT:
		v->state = SPMC_VCPU_WAITING;
		v->has_request = false;
		/* A direct request must be answered with a response (C7.1). */
		if (had_request || !msg_wait_args_ok(m, sp->ep->version)) {
			reply_abort(r);
			return;
		}
		/* MSG_WAIT releases the RX unless v1.2 "retain" is set (C6). */
		if (!(sp->ep->version >= FFAEMU_FFA_1_2 && (ffaemu_regs_w(m, 2) & 1u)) &&
		    sp->ep->mb.mapped && sp->ep->mb.rx_state == SPMC_RX_FULL)
			sp->ep->mb.rx_state = SPMC_RX_EMPTY;
		spmc_reply32(r, FFAEMU_FFA_MSG_WAIT, 0, 0, 0, 0);
		return;
	case FFAEMU_FFA_ERROR: {
		int32_t code = ffaemu_regs_s32(m, 2);
		v->state = SPMC_VCPU_WAITING;
		v->has_request = false;
		if (code >= 0 || code < FFAEMU_FFA_ERROR_MIN) {
			reply_abort(r);
			return;
		}
		spmc_reply_error(r, code);
		return;
	}
	default:
		v->state = SPMC_VCPU_WAITING;
		v->has_request = false;
		reply_abort(r);
		return;
	}
}

static void do_direct_req(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			  const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	bool req2 = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	ffaemu_id_t src = ffaemu_regs_id_hi(r, 1), dst = ffaemu_regs_id_lo(r, 1);
	uint32_t flags = req2 ? 0 : ffaemu_regs_w(r, 2);
	bool fwk = !req2 && (flags & FWK_BIT);
	struct spmc_sp *sp;
	struct spmc_vcpu *v;

	/* The sender must be the caller (C7.1, B2). The hypervisor at NS
	 * physical sends for its VMs (any NWd ID); a NWd ID never has bit 15
	 * (C1.3). */
	if (ep->kind == SPMC_EP_SP) {
		if (src != ep->id) {
			spmc_reply_error(r, INVAL);
			return;
		}
	} else if ((src & 0x8000u) ||
		   ((ep->id != 0 || ctx->instance != FFAEMU_INSTANCE_NP) && src != ep->id)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Destination: a partition, not the sender (C7.1; SPs cannot send
	 * direct requests to the NWd, HF-DOC). */
	sp = spmc_sp_find(spmc, dst);
	if (src == dst || !sp) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if (fwk) {
		uint32_t type = flags & 0xffu;
		/* Framework messages: bit 31 + type in [7:0], rest reserved
		 * (C7.1, C7.2). Only the hypervisor's VM created/destroyed
		 * messages are modelled. */
		if ((flags & 0x7fffff00u) || (type != FWK_VM_CREATED && type != FWK_VM_DESTROYED) ||
		    ep->kind == SPMC_EP_SP || ctx->instance != FFAEMU_INSTANCE_NP) {
			spmc_reply_error(r, INVAL);
			return;
		}
		if (!spmc_has(spmc, FFAEMU_SPMC_F_VM_MESSAGES) || ep->version < FFAEMU_FFA_1_1) {
			spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
			return;
		}
		/* Only partitions that subscribed (D1 bits 6/7, C7.2). */
		if (!(sp->cfg.props & (type == FWK_VM_CREATED ? FFAEMU_SP_PROP_VM_CREATED
							       : FFAEMU_SP_PROP_VM_DESTROYED))) {
			spmc_reply_error(r, FFAEMU_FFA_DENIED);
			return;
		}
	} else if (flags != 0) {
		/* w2 MBZ for partition messages (C7.1, G9). */
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Receiver must accept this kind of request (C7.1: DENIED); an
	 * AArch32 partition takes no SMC64 message (A8). */
	if (!(sp->cfg.props &
	      (req2 ? FFAEMU_SP_PROP_DIRECT_REQ2_RECV : FFAEMU_SP_PROP_DIRECT_REQ_RECV)) ||
	    ((fid & FFAEMU_SMCCC_SMC64) && !(sp->cfg.props & FFAEMU_SP_PROP_AARCH64))) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	if (req2) {
		/* x2/x3 are the UUID's two halves (spec B3): compare in that form. */
		uint64_t ulo = r->x[2], uhi = r->x[3];
		bool found = !ulo && !uhi;
		/* Both sides must be v1.2 (C7.3). */
		if (sp->ep->version < FFAEMU_FFA_1_2) {
			spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
			return;
		}
		/* UUID routing: nil = any, else one of the receiver's (C7.3). */
		for (unsigned i = 0; i < sp->cfg.uuid_count && !found; i++)
			found = ffaemu_uuid_dword(&sp->cfg.uuids[i], 0) == ulo &&
				ffaemu_uuid_dword(&sp->cfg.uuids[i], 1) == uhi;
		if (!found) {
			spmc_reply_error(r, INVAL);
			return;
		}
	}
	/* A partition sender must be allowed to send them (D1 bits 1/10). */
	if (ep->kind == SPMC_EP_SP &&
	    !(ep->sp->cfg.props &
	      (req2 ? FFAEMU_SP_PROP_DIRECT_REQ2_SEND : FFAEMU_SP_PROP_DIRECT_REQ_SEND))) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	v = &sp->vcpus[0];
	/* A receiver that is running (a call cycle), or pre-empted with
	 * another request, is BUSY (C7.1). */
	if (v->state != SPMC_VCPU_WAITING) {
		spmc_reply_error(r, FFAEMU_FFA_BUSY);
		return;
	}
	v->state = SPMC_VCPU_RUNNING;
	v->has_request = true;
	v->requester = src;
	v->req_fid = fid;
	v->framework = fwk;
	v->req_flags = flags;
	v->wide = ep->version >= FFAEMU_FFA_1_3 && sp->ep->version >= FFAEMU_FFA_1_3;
	/*
	 * From here on every outcome rewrites all of r (sp_exit), so the
	 * request needs no copy: the partition works in the caller's registers.
	 */
	clean_msg(r, fid, v->wide);
	spmc_sp_enter(spmc, sp, 0, r);
	sp_exit(spmc, sp, 0, r, r);
}

static void do_run(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r)
{
	ffaemu_id_t id = ffaemu_regs_id_hi(r, 1);
	uint16_t vcpu = ffaemu_regs_id_lo(r, 1);
	struct spmc_sp *sp = spmc_sp_find(spmc, id);
	struct spmc_vcpu *v;
	struct ffaemu_regs m;

	/* w2-w7 MBZ; v1.2 callers: x8-x17 MBZ (C6, C1.4; Hafnium). */
	for (unsigned i = 2; i < 8; i++)
		if (ffaemu_regs_w(r, i)) {
			spmc_reply_error(r, INVAL);
			return;
		}
	if (ep->version >= FFAEMU_FFA_1_2)
		for (int i = 8; i < FFAEMU_NREGS; i++)
			if (r->x[i]) {
				spmc_reply_error(r, INVAL);
				return;
			}
	if (!sp || vcpu >= sp->cfg.exec_ctx_count) {
		spmc_reply_error(r, INVAL);
		return;
	}
	v = &sp->vcpus[vcpu];
	if (v->state == SPMC_VCPU_RUNNING) {
		spmc_reply_error(r, FFAEMU_FFA_BUSY);
		return;
	}
	/* Resume it: the partition sees FFA_RUN as the result of its YIELD
	 * (or as a kick while idle) (C6). */
	v->state = SPMC_VCPU_RUNNING;
	ffaemu_regs_clear(&m);
	m.x[0] = FFAEMU_FFA_RUN;
	m.x[1] = target_info(id, vcpu);
	spmc_sp_enter(spmc, sp, vcpu, &m);
	sp_exit(spmc, sp, vcpu, &m, r);
}

static void do_sp_blocking_call(struct spmc_ep *ep, struct ffaemu_regs *r, uint32_t fid)
{
	if (fid == FFAEMU_FFA_MSG_WAIT && !msg_wait_args_ok(r, ep->version)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if (fid == FFAEMU_FFA_YIELD) {
		/* w4-w7 MBZ (C6; Hafnium). */
		for (unsigned i = 4; i < 8; i++)
			if (ffaemu_regs_w(r, i)) {
				spmc_reply_error(r, INVAL);
				return;
			}
	}
	/*
	 * In this synchronous model a partition that calls these through its
	 * conduit is inside a message it has not answered: it must leave its
	 * handler with the call instead. Hafnium answers DENIED to
	 * MSG_WAIT/DIRECT_RESP in a state that does not allow them (C6, C7.1).
	 */
	spmc_reply_error(r, FFAEMU_FFA_DENIED);
}

/* ---- MSG_SEND2 (C7.4, D10) ---------------------------------------------- */

static void do_msg_send2(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			 const struct ffaemu_call_ctx *ctx)
{
	uint32_t w1 = ffaemu_regs_w(r, 1);
	uint32_t flags = ffaemu_regs_w(r, 2);
	ffaemu_id_t vm_id = (ffaemu_id_t)(w1 >> 16);
	struct spmc_ep *snd = ep, *rcv;
	struct ffaemu_msg_hdr h, out;
	size_t rhdr;
	void *rx;
	size_t rx_size;
	int32_t err;
	uint8_t *p;

	/* w1[31:16] = sender VM ID only from the hypervisor at NS physical;
	 * w1[15:0] MBZ; w2: bit1 delay SRI (v1.2), the rest MBZ (C7.4). */
	if ((w1 & 0xffffu) ||
	    (flags & ~(ep->version >= FFAEMU_FFA_1_2 ? 2u : 0u))) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if (vm_id) {
		if (ep->kind != SPMC_EP_NS || ctx->instance != FFAEMU_INSTANCE_NP || vm_id == ep->id ||
		    (vm_id & 0x8000u)) {
			spmc_reply_error(r, INVAL);
			return;
		}
		snd = spmc_ep_find(spmc, vm_id);
		if (!snd) {
			spmc_reply_error(r, INVAL);
			return;
		}
	}
	if (!snd->mb.mapped) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Header in the sender's layout; bounds-checked against its TX (D10). */
	if (ffaemu_msg_hdr_decode(snd->mb.tx, snd->mb.size, snd->version, &h) != FFAEMU_OK ||
	    h.sender != snd->id || h.receiver == snd->id) {
		spmc_reply_error(r, INVAL);
		return;
	}
	rcv = spmc_ep_find(spmc, h.receiver);
	/* The SPMC relays messages that involve the secure world (C7.4). */
	if (!rcv || (rcv->kind == SPMC_EP_NS && snd->kind == SPMC_EP_NS)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Both ends must do indirect messaging (D1 bit 2), at v1.1+. */
	if ((snd->kind == SPMC_EP_SP && !(snd->sp->cfg.props & FFAEMU_SP_PROP_INDIRECT_MSG)) ||
	    (rcv->kind == SPMC_EP_SP && !(rcv->sp->cfg.props & FFAEMU_SP_PROP_INDIRECT_MSG)) ||
	    rcv->version < FFAEMU_FFA_1_1) {
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	}
	/* Receiver's RX must be free (C7.4: BUSY). */
	err = spmc_rx_claim(spmc, rcv, &rx, &rx_size);
	if (err) {
		spmc_reply_error(r, err);
		return;
	}
	rhdr = ffaemu_msg_hdr_size(rcv->version);
	if ((uint64_t)rhdr + h.size > rx_size || (uint64_t)rhdr + h.size > FFAEMU_MSG_MAX_SIZE) {
		spmc_reply_error(r, INVAL);
		return;
	}
	/* Re-written in the receiver's layout; payload after its header. */
	memset(&out, 0, sizeof(out));
	out.offset = (uint32_t)rhdr;
	out.sender = h.sender;
	out.receiver = h.receiver;
	out.size = h.size;
	out.uuid = h.uuid;
	p = rx;
	(void)ffaemu_msg_hdr_encode(&out, rcv->version, p, rx_size);
	memcpy(p + rhdr, (const uint8_t *)snd->mb.tx + h.offset, h.size);
	memset(p + rhdr + h.size, 0, rx_size - rhdr - h.size);
	spmc_rx_fill(spmc, rcv);
	/* Framework notification "RX buffer full" (C7.4, C8). */
	spmc_notif_raise_spm(spmc, rcv, 1u);
	spmc_reply_success(r, false, 0, 0);
}

/* ---- CONSOLE_LOG (C9) ---------------------------------------------------- */

static int console_append(struct spmc *spmc, struct spmc_sp *sp, const uint8_t *c, size_t n)
{
	if (sp->console_len + n + 1 > sp->console_cap) {
		size_t cap = sp->console_cap ? sp->console_cap : 256;
		char *nb;
		while (cap < sp->console_len + n + 1)
			cap *= 2;
		nb = ffaemu_alloc_realloc(&spmc->alloc, sp->console, cap);
		if (!nb)
			return FFAEMU_ENOMEM;
		sp->console = nb;
		sp->console_cap = cap;
	}
	memcpy(sp->console + sp->console_len, c, n);
	sp->console_len += n;
	sp->console[sp->console_len] = '\0';
	return FFAEMU_OK;
}

static void do_console_log(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
			   uint32_t fid)
{
	bool smc64 = (fid & FFAEMU_SMCCC_SMC64) != 0;
	uint32_t count = ffaemu_regs_w(r, 1);
	/* 32-bit: w2-w7, 24 chars; 64-bit: x2-x7, 48, or x2-x17, 128 at v1.2 (C9). */
	uint32_t max = !smc64 ? 24u : ep->version >= FFAEMU_FFA_1_2 ? 128u : 48u;
	unsigned per = smc64 ? 8u : 4u;
	uint8_t c[128];

	if (count == 0 || count > max) {
		spmc_reply_error(r, INVAL);
		return;
	}
	for (uint32_t i = 0; i < count; i++)
		c[i] = (uint8_t)(r->x[2 + i / per] >> (8 * (i % per)));
	if (console_append(spmc, ep->sp, c, count) != FFAEMU_OK) {
		/* No room now: RETRY, w3 = error argument (C3, C9). */
		spmc_reply_error(r, FFAEMU_FFA_RETRY);
		return;
	}
	spmc_reply_success(r, false, 0, 0);
}

/* ---- SECONDARY_EP_REGISTER (C6), MEM_PERM_* (E4) -------------------------- */

static void do_secondary_ep(struct spmc_ep *ep, struct ffaemu_regs *r, uint32_t fid)
{
	ep->sp->secondary_ep = (fid & FFAEMU_SMCCC_SMC64) ? r->x[1] : ffaemu_regs_w(r, 1);
	spmc_reply_success(r, (fid & FFAEMU_SMCCC_SMC64) != 0, 0, 0);
}

static void do_mem_perm(struct spmc_ep *ep, struct ffaemu_regs *r, uint32_t fid)
{
	bool smc64 = (fid & FFAEMU_SMCCC_SMC64) != 0;
	uint64_t va = smc64 ? r->x[1] : ffaemu_regs_w(r, 1);

	/* Page-aligned VA (E4). */
	if (va & (FFAEMU_PAGE_SIZE - 1)) {
		spmc_reply_error(r, INVAL);
		return;
	}
	if ((fid & ~FFAEMU_SMCCC_SMC64) == FFAEMU_FFA_MEM_PERM_GET) {
		/* w2 (page count - 1) is v1.3; MBZ before (E4). */
		if (ep->version < FFAEMU_FFA_1_3 && ffaemu_regs_w(r, 2)) {
			spmc_reply_error(r, INVAL);
			return;
		}
	} else {
		uint32_t perm = ffaemu_regs_w(r, 3);
		/* Count >= 1; perms [31:3] MBZ, data 0b10 reserved, RWX never (E4). */
		if (ffaemu_regs_w(r, 2) == 0 || (perm & ~7u) || (perm & 3u) == 2u ||
		    (perm & 7u) == 1u) {
			spmc_reply_error(r, INVAL);
			return;
		}
	}
	(void)ep;
	/* Hafnium allows these only while the partition initialises; this
	 * model has no initialisation phase, so a valid call is DENIED (E4). */
	spmc_reply_error(r, FFAEMU_FFA_DENIED);
}

void spmc_msg_call(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		   const struct ffaemu_call_ctx *ctx, uint32_t fid)
{
	switch (fid & ~FFAEMU_SMCCC_SMC64) {
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 & ~FFAEMU_SMCCC_SMC64:
		do_direct_req(spmc, ep, r, ctx, fid);
		return;
	case FFAEMU_FFA_RUN:
		do_run(spmc, ep, r);
		return;
	case FFAEMU_FFA_MSG_WAIT:
	case FFAEMU_FFA_YIELD:
		do_sp_blocking_call(ep, r, fid & ~FFAEMU_SMCCC_SMC64);
		return;
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2 & ~FFAEMU_SMCCC_SMC64:
		/* A response outside a handler's exit: no request to answer here (C7.1). */
		spmc_reply_error(r, FFAEMU_FFA_DENIED);
		return;
	case FFAEMU_FFA_MSG_SEND2:
		do_msg_send2(spmc, ep, r, ctx);
		return;
	case FFAEMU_FFA_CONSOLE_LOG:
		do_console_log(spmc, ep, r, fid);
		return;
	case FFAEMU_FFA_SECONDARY_EP_REGISTER:
		do_secondary_ep(ep, r, fid);
		return;
	case FFAEMU_FFA_MEM_PERM_GET:
	case FFAEMU_FFA_MEM_PERM_SET:
		do_mem_perm(ep, r, fid);
		return;
	default:
		spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
}
