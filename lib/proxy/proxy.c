/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pKVM FF-A proxy node: SMC entry checks, boot-time init, host version
 * negotiation and its gate, the deny-list, FEATURES filtering, mailbox
 * mapping and PARTITION_INFO_GET (pkvm-proxy 1.2-1.12, 1.17-1.19).
 * Memory transactions are in proxy_mem.c.
 */
#include <string.h>

#include <ffa/proxy.h>
#include <ffa/smccc.h>

#include "compiler.h"
#include "proxy_priv.h"

/* ------------------------------------------------------------------ helpers */

uint32_t proxy_hdr_size(uint32_t version)
{
	/* spec D3: 32-byte header in 1.0, 48 from 1.1. */
	return version <= FFAEMU_FFA_1_0 ? PROXY_HDR_SIZE_1_0 : PROXY_HDR_SIZE_1_1;
}

uint32_t proxy_emad_size(uint32_t version)
{
	/* spec D4: 16-byte EMAD before 1.2, 32 from 1.2. */
	return version >= FFAEMU_FFA_1_2 ? PROXY_EMAD_SIZE_1_2 : PROXY_EMAD_SIZE_1_0;
}

/*
 * Proxy-made replies are built zero-filled; the error code goes through a
 * u64, so x2 is sign-extended (pkvm-proxy 1.17).
 */
void proxy_res_error(struct ffaemu_regs *r, int32_t err)
{
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_ERROR;
	r->x[2] = (uint64_t)(int64_t)err;
}

void proxy_res_success(struct ffaemu_regs *r, uint64_t prop)
{
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_SUCCESS;
	r->x[2] = prop;
}

static struct ffaemu_edge *pick_edge(struct ffaemu_proxy *p, uint32_t fid)
{
	switch (p->prof.downcall) {
	case FFAEMU_PROXY_DOWN_SMCCC_1_1:
		return p->down11;
	case FFAEMU_PROXY_DOWN_FALLBACK:
		/* The 1.2 series v1-v3 fallback helper (pkvm-proxy 1.18). */
		if ((fid & FFAEMU_SMCCC_SMC64) && p->hyp_version >= FFAEMU_FFA_1_2)
			return p->down12;
		return p->down11;
	case FFAEMU_PROXY_DOWN_SMCCC_1_2:
	default:
		return p->down12;
	}
}

/*
 * The last down-call's reply is only ever read as the stale start of an
 * FFA_VERSION reply, the bug 2bd3c6c702f3 fixed (pkvm-proxy 1.5): a fixed
 * profile has no reader for it, so the hot path skips the copy.
 */
static inline void keep_last_down(struct ffaemu_proxy *p, const struct ffaemu_regs *r)
{
	if (!p->prof.fixes.zero_response)
		p->last_down = *r;
}

/* A call the proxy makes for its own purposes, with the profile's SMCCC. */
void proxy_down(struct ffaemu_proxy *p, struct ffaemu_regs *r)
{
	ffaemu_edge_call(pick_edge(p, (uint32_t)r->x[0]), r, &p->down_ctx);
	keep_last_down(p, r);
	p->down_calls++;
}

/* The default host SMC forwarder: x0-x17 in and out, verbatim (pkvm-proxy 1.2 step 4). */
static void forward(struct ffaemu_proxy *p, struct ffaemu_regs *regs)
{
	ffaemu_edge_call(p->down12, regs, &p->down_ctx);
	keep_last_down(p, regs);
	p->down_calls++;
	p->forwarded++;
}

/* ffa_set_retval (pkvm-proxy 1.17). */
static void set_retval(const struct ffaemu_proxy *p, struct ffaemu_regs *host,
		       const struct ffaemu_regs *res)
{
	if (p->prof.ret_regs == FFAEMU_PROXY_RET_X0_X17) {
		*host = *res;
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		host->x[i] = res->x[i];
}

/* is_ffa_call (pkvm-proxy 1.3): fast, OEN 4, function 0x60..last; bit 30 not examined. */
static bool is_ffa_call(const struct ffaemu_proxy *p, uint32_t fid)
{
	uint16_t fn = (uint16_t)(fid & FFAEMU_SMCCC_FUNC_MASK);

	return (fid & FFAEMU_SMCCC_FAST_CALL) &&
	       ((fid >> FFAEMU_SMCCC_OEN_SHIFT) & FFAEMU_SMCCC_OEN_MASK) == FFAEMU_OEN_STD &&
	       fn >= FFAEMU_FFA_FUNC_FIRST && fn <= p->prof.ffa_func_last;
}

/* FIDs the bitmap covers: fast, OEN 4, bits 16-23 zero, either convention. */
#define DENY_SHAPE_MASK 0xbfffff00u
#define DENY_SHAPE 0x84000000u

static void deny_index(struct ffaemu_proxy *p)
{
	uint32_t n = p->prof.deny_count < FFAEMU_PROXY_DENY_MAX ? p->prof.deny_count :
								 FFAEMU_PROXY_DENY_MAX;

	memset(p->deny_bits, 0, sizeof(p->deny_bits));
	p->deny_other = false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t f = p->prof.deny[i];

		if ((f & DENY_SHAPE_MASK) == DENY_SHAPE)
			p->deny_bits[(f >> 30) & 1][(f & 0xff) >> 6] |= 1ull << (f & 63);
		else
			p->deny_other = true;
	}
}

/* ffaemu_proxy_profile_denies of the fixed profile, by bitmap. */
static inline bool deny_listed(const struct ffaemu_proxy *p, uint32_t fid)
{
	fid = ffaemu_fid_strip_hint(fid);
	if ((fid & DENY_SHAPE_MASK) == DENY_SHAPE)
		return (p->deny_bits[(fid >> 30) & 1][(fid & 0xff) >> 6] >> (fid & 63)) & 1;
	return p->deny_other && ffaemu_proxy_profile_denies(&p->prof, fid);
}

/* ffa_call_supported, plus the pending REQ2 version rule (pkvm-proxy 1.8, 1.19). */
static inline bool denied(const struct ffaemu_proxy *p, uint32_t fid)
{
	if (deny_listed(p, fid))
		return true;
	if (p->prof.req2_at_1_2 && ffaemu_fid_strip_hint(fid) == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 &&
	    p->hyp_version < FFAEMU_FFA_1_2)
		return true;
	return false;
}

/* "Is this x0 NOT_SUPPORTED?": (s32) since 582234b0d841, u64 == -1 before (pkvm-proxy 1.4). */
static bool is_not_supported(const struct ffaemu_proxy *p, uint64_t x0)
{
	if (p->prof.fixes.version_s32)
		return (int32_t)(uint32_t)x0 == FFAEMU_FFA_NOT_SUPPORTED;
	return x0 == (uint64_t)(int64_t)FFAEMU_FFA_NOT_SUPPORTED;
}

/* ---------------------------------------------------------------- init */

/* hyp_ffa_post_init (pkvm-proxy 1.4). 0 or -1. */
static int post_init(struct ffaemu_proxy *p)
{
	struct ffaemu_regs d;
	uint64_t sel;
	uint32_t min;

	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_ID_GET;
	proxy_down(p, &d);
	/* The host shares the NS physical ID, which must be 0 (HOST_FFA_ID; pkvm-proxy 1.4). */
	if (d.x[0] != FFAEMU_FFA_SUCCESS || d.x[2] != 0)
		return -1;

	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_FEATURES;
	d.x[1] = FFAEMU_FFA_RXTX_MAP_64;
	proxy_down(p, &d);
	if (d.x[0] != FFAEMU_FFA_SUCCESS)
		return -1;
	/* 3f5952917498: only w2[1:0]; before, the whole register (spec C5.1). */
	sel = p->prof.fixes.features_mask ? (d.x[2] & 3u) : d.x[2];
	switch (sel) {
	case 0: min = 4096; break;
	case 1: min = 65536; break;
	case 2: min = 16384; break;
	default: return -1;
	}
	if (min > p->prof.page_size)
		return -1;
	p->min_rxtx = min;
	return 0;
}

int ffaemu_proxy_init(struct ffaemu_proxy *p)
{
	struct ffaemu_regs d;
	uint32_t v;

	if (!p)
		return FFAEMU_EINVAL;
	if (p->state != FFAEMU_PROXY_UNINIT)
		return FFAEMU_EPERM;

	/* Step 1: FF-A needs SMCCC 1.2; without it the proxy stays inert (pkvm-proxy 1.4). */
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_SMCCC_VERSION_FID;
	proxy_down(p, &d);
	if ((int32_t)(uint32_t)d.x[0] < 0 || (uint32_t)d.x[0] < FFAEMU_SMCCC_1_2) {
		p->state = FFAEMU_PROXY_INERT;
		return FFAEMU_OK;
	}

	/* Steps 2-3 (pkvm-proxy 1.4): no FF-A below -> inert (needs the (s32) fix for a W-register -1). */
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_VERSION;
	d.x[1] = p->prof.init_version;
	proxy_down(p, &d);
	if (is_not_supported(p, d.x[0])) {
		p->state = FFAEMU_PROXY_INERT;
		return FFAEMU_OK;
	}
	/* Step 4 (pkvm-proxy 1.4; s2 12bdce4f4119): another major fails pKVM init;
	 * v6.4 wanted exactly 1.0. */
	if (((d.x[0] >> 16) & 0x7fffu) != 1 ||
	    (!p->prof.fixes.init_any_1x && d.x[0] != FFAEMU_FFA_1_0)) {
		p->state = FFAEMU_PROXY_FAILED;
		return FFAEMU_ENOTSUP;
	}
	/* Step 5: the SPMC's version, capped at the profile's (pkvm-proxy 1.4). */
	v = (uint32_t)d.x[0];
	if (ffaemu_ffa_version_minor(v) >= ffaemu_ffa_version_minor(p->prof.max_version))
		v = p->prof.max_version;
	p->hyp_version = v;

	if (!p->prof.trap_version) {
		/* Before c9c012625e12 the ID/FEATURES probes ran at init (pkvm-proxy s2). */
		if (post_init(p) != 0) {
			p->state = FFAEMU_PROXY_FAILED;
			return FFAEMU_ENOTSUP;
		}
		p->negotiated = true;
	}
	p->state = FFAEMU_PROXY_ACTIVE;
	return FFAEMU_OK;
}

/* ----------------------------------------------------------- host calls */

/* do_ffa_version (pkvm-proxy 1.5). */
static void do_version(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
		       struct ffaemu_regs *res)
{
	uint32_t req = ffaemu_regs_w(in, 1);
	uint16_t req_minor = ffaemu_ffa_version_minor(req);
	uint16_t hyp_minor = ffaemu_ffa_version_minor(p->hyp_version);

	/*
	 * Before 2bd3c6c702f3 the reply struct was uninitialised EL2 stack. The
	 * model's "uninitialised" is the result of the proxy's last call down,
	 * which is what sat in that stack slot.
	 */
	if (p->prof.fixes.zero_response)
		ffaemu_regs_clear(res);
	else
		*res = p->last_down;

	/* Bit 31 is not checked: major is bits [30:16] only (pkvm-proxy 1.5; spec C4 says MBZ). */
	if (ffaemu_ffa_version_major(req) != 1) {
		res->x[0] = (uint64_t)(int64_t)FFAEMU_FFA_NOT_SUPPORTED;
		return;
	}
	if (p->negotiated) {
		/* No way back once negotiated; f41426939244 refuses a lower minor (pkvm-proxy 1.5). */
		if (req_minor < hyp_minor &&
		    p->prof.downgrade == FFAEMU_PROXY_DOWNGRADE_NOT_SUPPORTED)
			res->x[0] = (uint64_t)(int64_t)FFAEMU_FFA_NOT_SUPPORTED;
		else
			res->x[0] = p->hyp_version;
		return;
	}
	if (req_minor < hyp_minor) {
		struct ffaemu_regs d;

		/* The SPMC shapes descriptors to its NS caller's version: ask it (1.5). */
		ffaemu_regs_clear(&d);
		d.x[0] = FFAEMU_FFA_VERSION;
		d.x[1] = req;
		proxy_down(p, &d);
		*res = d;
		if (is_not_supported(p, d.x[0]))
			return; /* SPMC's reply unchanged; not negotiated, host may retry */
		/* The requested value, not the SPMC's reply; not rolled back on failure. */
		p->hyp_version = req;
	}
	if (post_init(p) != 0) {
		res->x[0] = (uint64_t)(int64_t)FFAEMU_FFA_NOT_SUPPORTED;
		return;
	}
	p->negotiated = true;
	res->x[0] = p->hyp_version;
}

/* do_ffa_features (pkvm-proxy 1.9). false: forward the whole call. */
static bool do_features(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
			struct ffaemu_regs *res)
{
	uint32_t id = ffaemu_regs_w(in, 1);

	/*
	 * The queried ID is matched exactly: only the call's own function ID has
	 * the SVE hint masked (pkvm-proxy 1.2 step 2, 1.9 step 1).
	 */
	if ((id & FFAEMU_SMCCC_FAST_CALL) && !(id & FFAEMU_SMCCC_SVE_HINT) && denied(p, id)) {
		proxy_res_error(res, FFAEMU_FFA_NOT_SUPPORTED);
		return true;
	}
	switch (id) {
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_LEND_64:
		/* No dynamically allocated buffers: the descriptor must be in TX (pkvm-proxy 1.9; spec C5.1). */
		proxy_res_success(res, 0);
		return true;
	default:
		return false;
	}
}

/* True if the SPMC said SUCCESS; the proxy forgets the mapping either way, as pKVM does. */
static bool unmap_hyp_buffers(struct ffaemu_proxy *p)
{
	struct ffaemu_regs d;

	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_RXTX_UNMAP;
	d.x[1] = 0; /* HOST_FFA_ID in w1[31:16] */
	proxy_down(p, &d);
	p->hyp_mapped = false;
	return (uint32_t)d.x[0] == FFAEMU_FFA_SUCCESS;
}

/* do_ffa_rxtx_map (pkvm-proxy 1.10). */
static void do_rxtx_map(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
			struct ffaemu_regs *res)
{
	const struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
	uint64_t ps = p->prof.page_size;
	ffaemu_pa_t tx = in->x[1], rx = in->x[2];
	uint32_t npages = ffaemu_regs_w(in, 3);
	struct ffaemu_range rt = {tx, ps / FFAEMU_PAGE_SIZE};
	struct ffaemu_range rr = {rx, ps / FFAEMU_PAGE_SIZE};
	struct ffaemu_regs d;
	void *tx_ptr = NULL, *rx_ptr = NULL;
	int32_t err;
	int rc;

	/* The count is fixed at one kernel page, in 4K units (pkvm-proxy 1.10 steps 1-2). */
	if (npages != ps / FFAEMU_PAGE_SIZE || (tx & (ps - 1)) || (rx & (ps - 1))) {
		proxy_res_error(res, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	if (p->host_mapped) {
		proxy_res_error(res, FFAEMU_FFA_DENIED);
		return;
	}

	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_RXTX_MAP_64;
	d.x[1] = p->hyp_tx_pa;
	d.x[2] = p->hyp_rx_pa;
	d.x[3] = npages;
	proxy_down(p, &d);
	/* The SPMC's w2 is the error; a non-ERROR reply with w2 = 0 passes as success (1.10 step 4). */
	err = d.x[0] == FFAEMU_FFA_SUCCESS ? 0 : (int32_t)(uint32_t)d.x[2];
	if (err) {
		proxy_res_error(res, err);
		return;
	}
	p->hyp_mapped = true;

	/* Share then pin each page; TX == RX fails at the second share (pkvm-proxy 1.10 steps 5-6). */
	if ((rc = ffaemu_mem_hyp_share(p->mem, &rt, 1, host)) != FFAEMU_OK)
		goto err_unmap;
	if ((rc = ffaemu_mem_hyp_share(p->mem, &rr, 1, host)) != FFAEMU_OK)
		goto err_tx;
	if ((rc = ffaemu_mem_pin(p->mem, &rt, 1, host)) != FFAEMU_OK)
		goto err_rx;
	if ((rc = ffaemu_mem_pin(p->mem, &rr, 1, host)) != FFAEMU_OK)
		goto err_pin_tx;
	/* The model needs host pointers for the whole page (one region). */
	if (ffaemu_mem_ptr(p->mem, tx, ps, &tx_ptr) != FFAEMU_OK ||
	    ffaemu_mem_ptr(p->mem, rx, ps, &rx_ptr) != FFAEMU_OK)
		goto err_pin_rx;

	p->host_tx_pa = tx;
	p->host_rx_pa = rx;
	p->host_tx = tx_ptr;
	p->host_rx = rx_ptr;
	p->host_mapped = true;
	proxy_res_success(res, 0);
	return;

err_pin_rx:
	(void)ffaemu_mem_unpin(p->mem, &rr, 1, host);
err_pin_tx:
	(void)ffaemu_mem_unpin(p->mem, &rt, 1, host);
err_rx:
	(void)ffaemu_mem_hyp_unshare(p->mem, &rr, 1, host);
err_tx:
	(void)ffaemu_mem_hyp_unshare(p->mem, &rt, 1, host);
err_unmap:
	unmap_hyp_buffers(p);
	/* The model's allocator failing is no answer pKVM gives about the pages (spec C2; issue #7). */
	proxy_res_error(res, rc == FFAEMU_ENOMEM ? FFAEMU_FFA_NO_MEMORY
						 : FFAEMU_FFA_INVALID_PARAMETERS);
}

/*
 * Unpin then unshare each page; failures only WARN upstream (pkvm-proxy
 * 1.10). The model's allocator failing (FFAEMU_ENOMEM) is no page state
 * pKVM could meet: then every step taken is undone, the mailbox stays
 * mapped and FFAEMU_ENOMEM is returned (spec C2 NO_MEMORY; issue #7).
 */
static int host_unmap_pages(struct ffaemu_proxy *p)
{
	const struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
	uint64_t n = p->prof.page_size / FFAEMU_PAGE_SIZE;
	struct ffaemu_range r[2] = {{p->host_tx_pa, n}, {p->host_rx_pa, n}};
	bool unpinned[2] = {false, false}, unshared[2] = {false, false};
	int rc = FFAEMU_OK;

	for (unsigned i = 0; i < 2 && rc != FFAEMU_ENOMEM; i++) {
		rc = ffaemu_mem_unpin(p->mem, &r[i], 1, host);
		unpinned[i] = rc == FFAEMU_OK;
		if (unpinned[i]) {
			rc = ffaemu_mem_hyp_unshare(p->mem, &r[i], 1, host);
			unshared[i] = rc == FFAEMU_OK;
		}
		if (rc != FFAEMU_OK && rc != FFAEMU_ENOMEM)
			p->warnings++;
	}
	if (rc == FFAEMU_ENOMEM) {
		/* Only an allocator that keeps failing can make the undo fail. */
		for (unsigned i = 2; i-- > 0;) {
			if (unshared[i] && ffaemu_mem_hyp_share(p->mem, &r[i], 1, host) != FFAEMU_OK)
				p->warnings++;
			if (unpinned[i] && ffaemu_mem_pin(p->mem, &r[i], 1, host) != FFAEMU_OK)
				p->warnings++;
		}
		return FFAEMU_ENOMEM;
	}
	p->host_mapped = false;
	p->host_tx = p->host_rx = NULL;
	p->host_tx_pa = p->host_rx_pa = 0;
	return FFAEMU_OK;
}

/* do_ffa_rxtx_unmap (pkvm-proxy 1.10). */
static void do_rxtx_unmap(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
			  struct ffaemu_regs *res)
{
	/* The whole w1 must be HOST_FFA_ID (0) (pkvm-proxy 1.10). */
	if (ffaemu_regs_w(in, 1) != 0 || !p->host_mapped) {
		proxy_res_error(res, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	if (host_unmap_pages(p) != FFAEMU_OK) {
		proxy_res_error(res, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	unmap_hyp_buffers(p); /* result ignored */
	proxy_res_success(res, 0);
}

/* do_ffa_part_get (pkvm-proxy 1.12). */
static void do_part_get(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
			struct ffaemu_regs *res)
{
	struct ffaemu_regs d;
	uint32_t count, size, bytes;

	if (!p->host_mapped) {
		proxy_res_error(res, FFAEMU_FFA_BUSY);
		return;
	}
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_PARTITION_INFO_GET;
	for (unsigned i = 1; i <= 5; i++)
		d.x[i] = ffaemu_regs_w(in, i);
	proxy_down(p, &d);
	*res = d;
	if (d.x[0] != FFAEMU_FFA_SUCCESS)
		return;
	count = (uint32_t)d.x[2];
	if (!count)
		return;
	if (p->hyp_version > FFAEMU_FFA_1_0) {
		if (ffaemu_regs_w(in, 5) & 1u)
			return; /* count only: nothing in RX (pkvm-proxy 1.12 step 4; spec C5.4) */
		size = (uint32_t)d.x[3];
	} else {
		size = 8; /* spec D1: 1.0 descriptors, no size in w3 */
	}
	bytes = size * count; /* u32 arithmetic, as upstream (pkvm-proxy 1.12 step 5) */
	if (bytes > p->prof.page_size) {
		proxy_res_error(res, FFAEMU_FFA_ABORTED);
		return;
	}
	memcpy(p->host_rx, p->hyp_rx, bytes);
}

/* do_ffa_direct_msg of the pending series (pkvm-proxy 1.19). */
static bool direct_msg_ok(const struct ffaemu_regs *in, uint32_t fid)
{
	return !(ffaemu_regs_id_hi(in, 1) != 0 ||
		 (fid != FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 && ffaemu_regs_w(in, 2) != 0));
}

static void do_direct_msg(struct ffaemu_proxy *p, struct ffaemu_regs *in, uint32_t fid,
			  struct ffaemu_regs *res)
{
	if (!direct_msg_ok(in, fid)) {
		proxy_res_error(res, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	/* The host's registers go down verbatim; the reply is res. */
	*res = *in;
	proxy_down(p, res);
}

/*
 * handle_ffa's calls that reply through a buffer (ffa_set_retval): err,
 * else the handler of fid. Out of line: the in-place direct message does
 * not pay for the buffer.
 */
static LIB_NOINLINE bool handle_ffa_reply(struct ffaemu_proxy *p, struct ffaemu_regs *regs,
					  uint32_t fid, int32_t err)
{
	struct ffaemu_regs res;

	if (err) {
		proxy_res_error(&res, err);
		goto out;
	}
	switch (fid) {
	case FFAEMU_FFA_FEATURES:
		if (!do_features(p, regs, &res))
			return false;
		goto out;
	case FFAEMU_FFA_RXTX_MAP_64:
		do_rxtx_map(p, regs, &res);
		goto out;
	case FFAEMU_FFA_RXTX_UNMAP:
		do_rxtx_unmap(p, regs, &res);
		goto out;
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_LEND_64:
		proxy_mem_xfer(p, regs, fid, &res);
		goto out;
	case FFAEMU_FFA_MEM_FRAG_TX:
		proxy_mem_frag_tx(p, regs, &res);
		goto out;
	case FFAEMU_FFA_MEM_RECLAIM:
		proxy_mem_reclaim(p, regs, &res);
		goto out;
	case FFAEMU_FFA_VERSION:
		if (!p->prof.trap_version)
			return false;
		do_version(p, regs, &res);
		goto out;
	case FFAEMU_FFA_PARTITION_INFO_GET:
		if (!p->prof.copy_partition_info)
			return false;
		do_part_get(p, regs, &res);
		goto out;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2:
		/* handle_ffa took the forwarded and the in-place ones. */
		do_direct_msg(p, regs, fid, &res);
		goto out;
	default:
		return false;
	}
out:
	set_retval(p, regs, &res);
	return true;
}

static bool is_direct_req(uint32_t fid)
{
	return fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ || fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64 ||
	       fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
}

/* kvm_host_ffa_handler: true if handled (reply in regs), false to forward. */
static bool handle_ffa(struct ffaemu_proxy *p, struct ffaemu_regs *regs, uint32_t fid)
{
	/* The gate (pkvm-proxy 1.6; DEN0077A 1.2 s13.2.2): nothing but VERSION before it. */
	if (p->prof.gate_error && fid != FFAEMU_FFA_VERSION && !p->negotiated)
		return handle_ffa_reply(p, regs, fid, p->prof.gate_error);
	if (denied(p, fid))
		return handle_ffa_reply(p, regs, fid, FFAEMU_FFA_NOT_SUPPORTED);
	if (is_direct_req(fid)) {
		/* do_ffa_direct_msg (pkvm-proxy 1.19), where the profile has it. */
		if (!p->prof.direct_msg_checks)
			return false;
		if (p->prof.ret_regs == FFAEMU_PROXY_RET_X0_X17 && direct_msg_ok(regs, fid)) {
			/* All of x0-x17 come back (pkvm-proxy 1.17): the reply lands in place. */
			proxy_down(p, regs);
			return true;
		}
	}
	return handle_ffa_reply(p, regs, fid, 0);
}

static void proxy_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_proxy *p = self;
	uint32_t fid;

	p->host_calls++;
	/*
	 * Without pKVM (not initialised, or init failed) the host reaches EL3
	 * directly. An inert proxy still traps: its FF-A handler runs in every
	 * profile (pkvm-proxy 1.6; the handler has no "FF-A present" check).
	 */
	if (p->state == FFAEMU_PROXY_UNINIT || p->state == FFAEMU_PROXY_FAILED) {
		forward(p, regs);
		return;
	}
	/* handle_host_smc step 1: cf6348af645b, smc #imm != 0 -> NOT_SUPPORTED (1.2). */
	if (p->prof.fixes.imm16 && ctx && ctx->imm) {
		regs->x[0] = FFAEMU_SMCCC_UNKNOWN;
		return;
	}
	/* Step 3: a 64-bit function ID (Apr 2026); before, the ID was truncated to u32. */
	if (p->prof.fixes.x0_upper && (regs->x[0] >> 32)) {
		regs->x[0] = FFAEMU_SMCCC_UNKNOWN;
		return;
	}
	/* Step 2: the SVE hint is masked for dispatch only (spec G12). */
	fid = ffaemu_fid_strip_hint((uint32_t)regs->x[0]);
	if (!is_ffa_call(p, fid)) {
		forward(p, regs);
		return;
	}
	if (!handle_ffa(p, regs, fid))
		forward(p, regs);
}

static const struct ffaemu_node_ops proxy_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "pkvm",
	.call = proxy_call,
	.destroy = NULL,
};

/* ------------------------------------------------------------ lifecycle */

void ffaemu_proxy_config_default(struct ffaemu_proxy_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->hyp_base = FFAEMU_PROXY_HYP_BASE_DEFAULT;
	cfg->add_hyp_region = true;
}

uint64_t ffaemu_proxy_hyp_ram_size(const struct ffaemu_proxy_profile *p)
{
	if (!p || !p->page_size)
		return 0;
	/* TX + RX (one kernel page each, KVM_FFA_MBOX_NR_PAGES) + descriptor buffer. */
	return 2ull * p->page_size + ffaemu_proxy_profile_desc_buf_size(p);
}

static int make_edge(struct ffaemu_proxy *p, const struct ffaemu_allocator *alloc,
		     uint32_t smccc, const char *name, struct ffaemu_node *down,
		     struct ffaemu_edge **out)
{
	struct ffaemu_edge_config ec;

	(void)p;
	ffaemu_edge_config_default(&ec);
	ec.name = name;
	ec.smccc_version = smccc;
	ec.alloc = alloc;
	return ffaemu_edge_new(&ec, down, out);
}

int ffaemu_proxy_new(const struct ffaemu_proxy_config *user_cfg, struct ffaemu_proxy **out)
{
	struct ffaemu_proxy_config cfg;
	struct ffaemu_alloc a;
	struct ffaemu_proxy *p;
	uint64_t ps, max_ranges;
	void *base;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	ffaemu_proxy_config_default(&cfg);
	if (!user_cfg || user_cfg->size < sizeof(user_cfg->size))
		return FFAEMU_EINVAL;
	memcpy(&cfg, user_cfg, user_cfg->size < sizeof(cfg) ? user_cfg->size : sizeof(cfg));
	if (!cfg.downstream || !cfg.mem)
		return FFAEMU_EINVAL;

	ffaemu_alloc_init(&a, cfg.alloc);
	p = ffaemu_alloc_zalloc(&a, sizeof(*p));
	if (!p)
		return FFAEMU_ENOMEM;
	p->alloc = a;
	if (cfg.profile) {
		if (cfg.profile->size < sizeof(p->prof)) {
			ffaemu_alloc_free(&a, p);
			return FFAEMU_EINVAL;
		}
		memcpy(&p->prof, cfg.profile, sizeof(p->prof));
	} else {
		ffaemu_proxy_profile_default(&p->prof);
	}
	p->prof.name[sizeof(p->prof.name) - 1] = '\0';
	p->prof.models[sizeof(p->prof.models) - 1] = '\0';
	rc = ffaemu_proxy_profile_validate(&p->prof);
	ps = p->prof.page_size;
	if (rc == FFAEMU_OK && (cfg.hyp_base & (ps - 1)))
		rc = FFAEMU_EINVAL;
	if (rc != FFAEMU_OK) {
		ffaemu_alloc_free(&a, p);
		return rc;
	}
	p->mem = cfg.mem;
	p->hyp_base = cfg.hyp_base;
	p->hyp_size = ffaemu_proxy_hyp_ram_size(&p->prof);
	p->desc_size = ffaemu_proxy_profile_desc_buf_size(&p->prof);
	deny_index(p);

	p->down_ctx.caller = 0;
	p->down_ctx.instance = FFAEMU_INSTANCE_NP;
	p->down_ctx.el = 2;
	/* What the SMCCC 1.2 edge sets anyway: its calls then need no context copy. */
	p->down_ctx.conduit = FFAEMU_CONDUIT_SMC;
	p->down_ctx.smccc_version = FFAEMU_SMCCC_1_2;

	/* Scratch for the largest range list: a full fragment or a full descriptor buffer. */
	max_ranges = ps / PROXY_CONSTITUENT_SIZE;
	if (p->desc_size / PROXY_CONSTITUENT_SIZE > max_ranges)
		max_ranges = p->desc_size / PROXY_CONSTITUENT_SIZE;
	p->ranges_cap = (size_t)max_ranges;
	p->ranges = ffaemu_alloc_array(&a, p->ranges_cap, sizeof(*p->ranges));
	rc = FFAEMU_ENOMEM;
	if (!p->ranges)
		goto fail;
	rc = make_edge(p, cfg.alloc, FFAEMU_SMCCC_1_1, "proxy->el3 (SMCCC 1.1)", cfg.downstream,
		       &p->down11);
	if (rc != FFAEMU_OK)
		goto fail;
	rc = make_edge(p, cfg.alloc, FFAEMU_SMCCC_1_2, "proxy->el3", cfg.downstream, &p->down12);
	if (rc != FFAEMU_OK)
		goto fail;
	rc = ffaemu_node_new(&proxy_ops, p, cfg.alloc, &p->node);
	if (rc != FFAEMU_OK)
		goto fail;

	if (cfg.add_hyp_region) {
		rc = ffaemu_mem_add_ram(p->mem, p->hyp_base, p->hyp_size, FFAEMU_MEM_NS,
					ffaemu_owner_make(FFAEMU_OWNER_HYP, 0));
		if (rc != FFAEMU_OK)
			goto fail;
		p->own_region = true;
	}
	rc = ffaemu_mem_ptr(p->mem, p->hyp_base, p->hyp_size, &base);
	if (rc != FFAEMU_OK)
		goto fail;
	/* Carved from memory donated to the hypervisor (pkvm-proxy 1.1): never the host's. */
	for (uint64_t off = 0; off < p->hyp_size; off += FFAEMU_PAGE_SIZE) {
		struct ffaemu_page_info pi;

		rc = ffaemu_mem_page_info(p->mem, p->hyp_base + off, &pi);
		if (rc == FFAEMU_OK && pi.owner.kind != FFAEMU_OWNER_HYP)
			rc = FFAEMU_EINVAL;
		if (rc != FFAEMU_OK)
			goto fail;
	}
	p->hyp_tx_pa = p->hyp_base;
	p->hyp_rx_pa = p->hyp_base + ps;
	p->desc_pa = p->hyp_base + 2 * ps;
	p->hyp_tx = base;
	p->hyp_rx = p->hyp_tx + ps;
	p->desc = p->hyp_tx + 2 * ps;

	*out = p;
	if (cfg.init_at_create) {
		rc = ffaemu_proxy_init(p);
		if (rc != FFAEMU_OK) {
			*out = NULL;
			ffaemu_proxy_free(&p);
			return rc;
		}
	}
	return FFAEMU_OK;

fail:
	ffaemu_proxy_free(&p);
	return rc;
}

void ffaemu_proxy_free(struct ffaemu_proxy **proxy)
{
	struct ffaemu_proxy *p;
	struct ffaemu_alloc a;

	if (!proxy || !*proxy)
		return;
	p = *proxy;
	*proxy = NULL;
	a = p->alloc;
	if (p->host_mapped)
		(void)host_unmap_pages(p);
	/*
	 * While the SPMC may hold the hypervisor's RX/TX, which lie in our RAM,
	 * the RAM stays (the memory object frees it): removing it would leave
	 * the SPMC pointing at freed memory (a fuzzing finding:
	 * tests/fuzz/corpus/script/finding-proxy-reinstall-mapped). Free makes no call:
	 * what is below may be gone already; ffaemu_proxy_shutdown() unmaps.
	 */
	if (p->own_region && !p->hyp_mapped)
		(void)ffaemu_mem_remove(p->mem, p->hyp_base);
	ffaemu_node_free(&p->node);
	ffaemu_edge_free(&p->down11);
	ffaemu_edge_free(&p->down12);
	ffaemu_alloc_free(&a, p->ranges);
	ffaemu_alloc_free(&a, p);
}

int ffaemu_proxy_shutdown(struct ffaemu_proxy *p)
{
	if (!p)
		return FFAEMU_EINVAL;
	/* The hypervisor going away gives its RX/TX back (FFA_RXTX_UNMAP, spec C5.3). */
	if (p->hyp_mapped && !unmap_hyp_buffers(p))
		return FFAEMU_EPERM;
	return FFAEMU_OK;
}

struct ffaemu_node *ffaemu_proxy_node(struct ffaemu_proxy *proxy)
{
	return proxy ? proxy->node : NULL;
}

const struct ffaemu_proxy_profile *ffaemu_proxy_get_profile(const struct ffaemu_proxy *proxy)
{
	return proxy ? &proxy->prof : NULL;
}

struct ffaemu_edge *ffaemu_proxy_down_edge(struct ffaemu_proxy *proxy, uint32_t smccc_version)
{
	if (!proxy)
		return NULL;
	return smccc_version < FFAEMU_SMCCC_1_2 ? proxy->down11 : proxy->down12;
}

void ffaemu_proxy_get_status(const struct ffaemu_proxy *p, struct ffaemu_proxy_status *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (!p)
		return;
	st->state = p->state;
	st->hyp_version = p->hyp_version;
	st->negotiated = p->negotiated;
	st->host_mapped = p->host_mapped;
	st->host_tx = p->host_tx_pa;
	st->host_rx = p->host_rx_pa;
	st->hyp_mapped = p->hyp_mapped;
	st->hyp_tx = p->hyp_tx_pa;
	st->hyp_rx = p->hyp_rx_pa;
	st->desc_buf = p->desc_pa;
	st->desc_buf_size = p->desc_size;
	st->min_rxtx_size = p->min_rxtx;
	st->host_calls = p->host_calls;
	st->down_calls = p->down_calls;
	st->forwarded = p->forwarded;
	st->el2_faults = p->el2_faults;
	st->warnings = p->warnings;
	st->frag_rx_bounded = p->frag_rx_bounded;
}
