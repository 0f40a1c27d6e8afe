/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: the pKVM proxy's state, shared by proxy.c and proxy_mem.c. */
#ifndef FFAEMU_LIB_PROXY_PRIV_H
#define FFAEMU_LIB_PROXY_PRIV_H

#include <ffa/abi.h>
#include <ffa/conduit.h>
#include <ffa/mem.h>
#include <ffa/proxy.h>

#include "alloc.h"

/* Descriptor sizes (spec D3-D5). */
#define PROXY_HDR_SIZE_1_0 32u
#define PROXY_HDR_SIZE_1_1 48u
#define PROXY_EMAD_SIZE_1_0 16u
#define PROXY_EMAD_SIZE_1_2 32u
#define PROXY_COMPOSITE_SIZE 16u
#define PROXY_CONSTITUENT_SIZE 16u
/* The hypervisor retrieve request: a bare 48-byte header (pkvm-proxy 1.15). */
#define PROXY_HYP_RETRIEVE_LEN 48u

struct ffaemu_proxy {
	struct ffaemu_alloc alloc;
	struct ffaemu_proxy_profile prof;
	/*
	 * The deny-list as a bitmap, computed at creation (the profile is fixed
	 * then): bit (fid & 0xff) of deny_bits[SMC64] for FIDs of the fast
	 * OEN-4 shape 0x84000000/0xc4000000 | func; deny_other if any entry
	 * has another shape (then the list itself is scanned for such FIDs).
	 */
	uint64_t deny_bits[2][4];
	bool deny_other;
	struct ffaemu_mem *mem;
	struct ffaemu_node *node;
	struct ffaemu_edge *down11, *down12;
	struct ffaemu_call_ctx down_ctx;

	ffaemu_pa_t hyp_base;
	uint64_t hyp_size;
	bool own_region;
	ffaemu_pa_t hyp_tx_pa, hyp_rx_pa, desc_pa;
	uint8_t *hyp_tx, *hyp_rx, *desc;
	uint64_t desc_size;

	struct ffaemu_range *ranges; /* scratch for one share/unshare */
	size_t ranges_cap;

	enum ffaemu_proxy_state state;
	uint32_t hyp_version;
	bool negotiated;
	uint32_t min_rxtx;

	bool host_mapped;
	ffaemu_pa_t host_tx_pa, host_rx_pa;
	uint8_t *host_tx, *host_rx;
	bool hyp_mapped;

	/* The result of the last call down: what an uninitialised stack slot held. */
	struct ffaemu_regs last_down;

	uint64_t host_calls, down_calls, forwarded, el2_faults, warnings, frag_rx_bounded;
};

/* proxy.c */
void proxy_down(struct ffaemu_proxy *p, struct ffaemu_regs *r);
void proxy_res_error(struct ffaemu_regs *r, int32_t err);
void proxy_res_success(struct ffaemu_regs *r, uint64_t prop);
uint32_t proxy_hdr_size(uint32_t version);
uint32_t proxy_emad_size(uint32_t version);

/* proxy_mem.c: each leaves the reply to the host in res. */
void proxy_mem_xfer(struct ffaemu_proxy *p, const struct ffaemu_regs *in, uint32_t fid,
		    struct ffaemu_regs *res);
void proxy_mem_frag_tx(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
		       struct ffaemu_regs *res);
void proxy_mem_reclaim(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
		       struct ffaemu_regs *res);

#endif /* FFAEMU_LIB_PROXY_PRIV_H */
