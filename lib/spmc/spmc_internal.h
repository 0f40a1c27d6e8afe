/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the SPMC core: functions shared between
 * spmc.c, rxtx.c, msg.c, notif.c and partitions.c. The contract with the
 * memory-sharing engine is spmc_priv.h, which this includes.
 */
#ifndef FFAEMU_LIB_SPMC_INTERNAL_H
#define FFAEMU_LIB_SPMC_INTERNAL_H

#include "spmc_priv.h"

/*
 * 0 if the caller endpoint may use fid in this SPMC (profile, version,
 * instance: spec C1, C1.3), else the FF-A error to answer. as_call: the
 * FID is being called (not asked about through FFA_FEATURES).
 */
int32_t spmc_abi_allowed(struct spmc *spmc, const struct spmc_ep *ep,
			 const struct ffaemu_call_ctx *ctx, uint32_t fid, bool as_call);

/* rxtx.c: RXTX_MAP/UNMAP, RX_RELEASE/ACQUIRE, PARTITION_INFO_GET(_REGS). */
void spmc_rxtx_call(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		    const struct ffaemu_call_ctx *ctx, uint32_t fid);
/* Map a mailbox for ep (checks as FFA_RXTX_MAP); 0 or an FF-A error. */
int32_t spmc_mailbox_map(struct spmc *spmc, struct spmc_ep *ep, ffaemu_pa_t tx, ffaemu_pa_t rx,
			 uint32_t pages, bool secure);

/* msg.c: messaging and CPU-cycle ABIs, console, secondary EP, MEM_PERM. */
void spmc_msg_call(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		   const struct ffaemu_call_ctx *ctx, uint32_t fid);

/* notif.c */
void spmc_notif_call(struct spmc *spmc, struct spmc_ep *ep, struct ffaemu_regs *r,
		     const struct ffaemu_call_ctx *ctx, uint32_t fid);
/* Give ep a bitmap (SPs at creation, VMs at BITMAP_CREATE); 0 or FFAEMU_ENOMEM. */
int spmc_notif_bitmap_create(struct spmc *spmc, struct spmc_ep *ep, uint32_t vcpus);
void spmc_notif_free(struct spmc *spmc, struct spmc_ep *ep);
/* Raise framework notification bits (SPM framework: bit 0 RX buffer full). */
void spmc_notif_raise_spm(struct spmc *spmc, struct spmc_ep *ep, uint32_t bits);

/* partitions.c */
void spmc_sp_free(struct spmc *spmc, struct spmc_sp *sp);
/*
 * Enter a partition's handler on vCPU vcpu with msg (the partition sees it
 * as the result of its last call). On return msg holds the partition's exit
 * call. Counts the entry.
 */
void spmc_sp_enter(struct spmc *spmc, struct spmc_sp *sp, uint16_t vcpu, struct ffaemu_regs *msg);

#endif /* FFAEMU_LIB_SPMC_INTERNAL_H */
