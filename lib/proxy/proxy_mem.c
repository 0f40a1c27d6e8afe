/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pKVM proxy's memory transactions: MEM_SHARE/LEND (re-issued as FN64),
 * MEM_FRAG_TX and MEM_RECLAIM with the hypervisor retrieve request
 * (pkvm-proxy 1.13-1.16).
 *
 * Every byte is read through a bounds-checked accessor. Where a pre-fix
 * profile would have read or written outside a buffer on hardware, the
 * model counts an "EL2 fault" (status.el2_faults) and answers ABORTED
 * instead of touching memory it does not own.
 */
#include <string.h>

#include <ffa/proxy.h>

#include "proxy_priv.h"

/* A read inside [buf, buf+len); false (and an EL2 fault) if outside. */
static bool rd(struct ffaemu_proxy *p, const uint8_t *buf, uint64_t len, uint64_t off,
	       unsigned size, uint64_t *out)
{
	uint64_t v = 0;

	if (off > len || size > len - off) {
		p->el2_faults++;
		return false;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)buf[off + i] << (8 * i);
	*out = v;
	return true;
}

static void wr(uint8_t *buf, uint64_t off, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

enum ranges_rc { RANGES_OK = 0, RANGES_BAD = -1, RANGES_FAULT = -2 };

/*
 * Turn n constituents (spec D5) at buf+off into host-page ranges in
 * p->ranges (pkvm-proxy 1.13 step 11, 1.16). *out_n may be < n: a pre-fix
 * profile skips empty ranges silently. On RANGES_BAD, *out_n counts the
 * good ranges before the first bad one (processing stops there, 1.13 step 11).
 */
static enum ranges_rc build_ranges(struct ffaemu_proxy *p, const uint8_t *buf, uint64_t len,
				   uint64_t off, uint64_t n, size_t *out_n)
{
	uint64_t ps = p->prof.page_size;
	size_t k = 0;

	if (n > p->ranges_cap) {
		p->el2_faults++;
		return RANGES_FAULT;
	}
	*out_n = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t base, pg, size;
		uint64_t c = off + i * PROXY_CONSTITUENT_SIZE;

		if (!rd(p, buf, len, c, 8, &base) || !rd(p, buf, len, c + 8, 4, &pg))
			return RANGES_FAULT;
		size = pg * FFAEMU_PAGE_SIZE;
		/* Whole kernel pages only: FF-A pages are 4K, PAGE_SIZE may be more
		 * (pkvm-proxy 1.1, 1.13 step 11; spec D5). */
		if (size % ps)
			return RANGES_BAD;
		/* 6a7a181f6921: aligned base; before, it was truncated to a pfn. */
		if (base & (ps - 1)) {
			if (p->prof.fixes.page_aligned)
				return RANGES_BAD;
			base &= ~(ps - 1);
		}
		if (pg == 0) {
			/* "Validate input range" (Sep 2025): empty ranges refused (pkvm-proxy 1.16). */
			if (p->prof.fixes.range_validity)
				return RANGES_BAD;
			continue;
		}
		p->ranges[k].base = base;
		p->ranges[k].pages = pg;
		*out_n = ++k;
	}
	return RANGES_OK;
}

/*
 * One by one, in order, stopping at the first failure as sharing does
 * (pkvm-proxy 1.13 step 11, 1.15 step 9). *done (if not NULL) counts the
 * ranges unshared; not FFAEMU_OK: the caller WARNs.
 */
static int unshare_ranges(struct ffaemu_proxy *p, size_t n, size_t *done)
{
	const struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
	int rc = FFAEMU_OK;
	size_t i;

	for (i = 0; i < n; i++) {
		rc = ffaemu_mem_hyp_unshare(p->mem, &p->ranges[i], 1, host);
		if (rc != FFAEMU_OK)
			break;
	}
	if (done)
		*done = i;
	return rc;
}

static int share_ranges(struct ffaemu_proxy *p, size_t n)
{
	if (!n)
		return FFAEMU_OK;
	/* All or nothing: a failure at range k leaves ranges 0..k-1 unshared (1.13 step 11). */
	return ffaemu_mem_hyp_share(p->mem, p->ranges, n, ffaemu_owner_make(FFAEMU_OWNER_HOST, 0));
}

/*
 * The reply to a failed host-stage-2 change. FFAEMU_ENOMEM is the model's
 * own allocator giving up, which a real pKVM (fixed, donated pages) never
 * does: it gets NO_MEMORY, "not enough memory" (spec C2), so a user can
 * tell the emulator's exhaustion from pKVM's answer about the caller's
 * pages, which is DENIED (pkvm-proxy 1.13 step 11, 1.14).
 */
static int32_t share_error(int rc)
{
	return rc == FFAEMU_ENOMEM ? FFAEMU_FFA_NO_MEMORY : FFAEMU_FFA_DENIED;
}

/* __do_ffa_mem_xfer (pkvm-proxy 1.13). */
void proxy_mem_xfer(struct ffaemu_proxy *p, const struct ffaemu_regs *in, uint32_t fid,
		    struct ffaemu_regs *res)
{
	uint32_t len = ffaemu_regs_w(in, 1), fraglen = ffaemu_regs_w(in, 2);
	uint32_t ver = p->hyp_version, emad_size = proxy_emad_size(ver), min;
	uint64_t ps = p->prof.page_size, emad_off, comp_off, ep_count, sender;
	uint64_t end, nr;
	size_t n = 0;
	struct ffaemu_regs d;
	enum ranges_rc rrc;
	bool ok;
	int rc;

	/* 1: the descriptor must be in TX (no dynamic buffers). */
	if (in->x[3] != 0 || ffaemu_regs_w(in, 4) != 0)
		goto invalid;
	/* 2 */
	if (fraglen > len || fraglen > ps)
		goto invalid;
	/* 3: a header and one EMAD; ML-1 .. v6.7: fixed 48 + sizeof(EMAD struct);
	 * v6.4: the 1.0 structs, 32 + 16 (pkvm-proxy 1.13 step 3). */
	if (p->prof.emad == FFAEMU_PROXY_EMAD_FROM_HEADER)
		min = proxy_hdr_size(ver) + emad_size;
	else if (p->prof.emad == FFAEMU_PROXY_EMAD_ARRAY_1_0)
		min = PROXY_HDR_SIZE_1_0 + PROXY_EMAD_SIZE_1_0;
	else
		min = PROXY_HDR_SIZE_1_1 + proxy_emad_size(p->prof.max_version);
	if (fraglen < min)
		goto invalid;
	/* 4 */
	if (!p->host_mapped)
		goto invalid;
	/* 5: f26a525b77e0, else a long share could never be reclaimed. */
	if (p->prof.fixes.mem_len_check && len > p->desc_size) {
		proxy_res_error(res, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	/* 6: snapshot; every later check reads the hyp copy. */
	memcpy(p->hyp_tx, p->host_tx, fraglen);

	/* 7: where the EMAD is (a6b49d27c179, CVE-2026-68400; v6.4: ep_mem_access[0]). */
	if (ver <= FFAEMU_FFA_1_0 || p->prof.emad == FFAEMU_PROXY_EMAD_ARRAY_1_0) {
		emad_off = PROXY_HDR_SIZE_1_0;
	} else if (p->prof.emad == FFAEMU_PROXY_EMAD_FROM_HEADER) {
		if (!rd(p, p->hyp_tx, fraglen, 32, 4, &emad_off))
			goto aborted;
	} else {
		emad_off = PROXY_HDR_SIZE_1_1;
	}
	if (p->prof.emad == FFAEMU_PROXY_EMAD_FROM_HEADER && emad_off + emad_size > fraglen)
		goto invalid;

	/* 8: one borrower, the host as sender, a composite. */
	if (!rd(p, p->hyp_tx, fraglen, emad_off + 4, 4, &comp_off) ||
	    !rd(p, p->hyp_tx, fraglen, 28, 4, &ep_count) ||
	    !rd(p, p->hyp_tx, fraglen, 0, 2, &sender))
		goto aborted;
	if (comp_off == 0 || ep_count != 1 || sender != 0)
		goto invalid;

	/* 9: 103e17aac09c (CVE-2025-40266): offset + 16 must not wrap u32. */
	if (p->prof.fixes.composite_overflow && comp_off > UINT32_MAX - PROXY_COMPOSITE_SIZE)
		goto invalid;
	end = (uint32_t)(comp_off + PROXY_COMPOSITE_SIZE);
	if (end > fraglen)
		goto invalid;
	if (comp_off + PROXY_COMPOSITE_SIZE > fraglen) {
		/* Only reachable through the u32 wrap: upstream read EL2 memory here. */
		p->el2_faults++;
		goto aborted;
	}

	/* 10: constituents fill the rest of the fragment; count from fraglen. */
	if ((fraglen - end) % PROXY_CONSTITUENT_SIZE)
		goto invalid;
	nr = (fraglen - end) / PROXY_CONSTITUENT_SIZE;

	/* 11 */
	rrc = build_ranges(p, p->hyp_tx, fraglen, end, nr, &n);
	if (rrc == RANGES_FAULT)
		goto aborted;
	if (rrc != RANGES_OK) {
		proxy_res_error(res, FFAEMU_FFA_DENIED);
		return;
	}
	rc = share_ranges(p, n);
	if (rc != FFAEMU_OK) {
		/* Nothing shared, the SPMC not asked: no state changed (all or nothing). */
		proxy_res_error(res, share_error(rc));
		return;
	}

	/* 12: always re-issued as FN64. */
	ffaemu_regs_clear(&d);
	d.x[0] = (fid == FFAEMU_FFA_MEM_SHARE || fid == FFAEMU_FFA_MEM_SHARE_64)
			 ? FFAEMU_FFA_MEM_SHARE_64
			 : FFAEMU_FFA_MEM_LEND_64;
	d.x[1] = len;
	d.x[2] = fraglen;
	proxy_down(p, &d);
	if (len == fraglen)
		ok = d.x[0] == FFAEMU_FFA_SUCCESS;
	else
		ok = d.x[0] == FFAEMU_FFA_MEM_FRAG_RX && ffaemu_regs_w(&d, 3) == fraglen;
	if (!ok && unshare_ranges(p, n, NULL) != FFAEMU_OK)
		p->warnings++;
	*res = d;
	return;

invalid:
	proxy_res_error(res, FFAEMU_FFA_INVALID_PARAMETERS);
	return;
aborted:
	proxy_res_error(res, FFAEMU_FFA_ABORTED);
}

/* do_ffa_mem_frag_tx (pkvm-proxy 1.14). */
void proxy_mem_frag_tx(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
		       struct ffaemu_regs *res)
{
	uint32_t lo = ffaemu_regs_w(in, 1), hi = ffaemu_regs_w(in, 2);
	uint32_t fraglen = ffaemu_regs_w(in, 3), ep = ffaemu_regs_w(in, 4);
	struct ffaemu_regs d;
	enum ranges_rc rrc;
	size_t n = 0;
	int rc;

	/* Whole constituents only, within one kernel page (pkvm-proxy 1.14; spec E2). */
	if (fraglen > p->prof.page_size || fraglen % PROXY_CONSTITUENT_SIZE ||
	    !p->host_mapped) {
		proxy_res_error(res, FFAEMU_FFA_INVALID_PARAMETERS);
		return;
	}
	memcpy(p->hyp_tx, p->host_tx, fraglen);
	rrc = build_ranges(p, p->hyp_tx, fraglen, 0, fraglen / PROXY_CONSTITUENT_SIZE, &n);
	if (rrc == RANGES_FAULT) {
		proxy_res_error(res, FFAEMU_FFA_ABORTED);
		return;
	}
	rc = rrc == RANGES_OK ? share_ranges(p, n) : FFAEMU_EPERM;
	if (rc == FFAEMU_ENOMEM) {
		/*
		 * The model's allocator failed, not the host's pages: nothing was
		 * shared and the SPMC not told, so the transaction stays open as it
		 * was and the same FRAG_TX can be retried. Aborting it (below) would
		 * strand the earlier fragments' pages for a failure pKVM cannot have
		 * (pkvm-proxy 1.14; spec C2 NO_MEMORY; issue #7: no state change).
		 */
		proxy_res_error(res, FFAEMU_FFA_NO_MEMORY);
		return;
	}
	if (rc != FFAEMU_OK) {
		/* Abort the whole transaction at the SPMC; its answer is only WARNed (pkvm-proxy 1.14). */
		ffaemu_regs_clear(&d);
		d.x[0] = FFAEMU_FFA_MEM_RECLAIM;
		d.x[1] = lo;
		d.x[2] = hi;
		d.x[3] = 0;
		proxy_down(p, &d);
		if (d.x[0] != FFAEMU_FFA_SUCCESS)
			p->warnings++;
		proxy_res_error(res, FFAEMU_FFA_DENIED);
		return;
	}
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_MEM_FRAG_TX;
	d.x[1] = lo;
	d.x[2] = hi;
	d.x[3] = fraglen;
	d.x[4] = ep;
	proxy_down(p, &d);
	/* Only this fragment is undone: earlier ones stay shared (pkvm-proxy 1.14). */
	if (d.x[0] != FFAEMU_FFA_SUCCESS && d.x[0] != FFAEMU_FFA_MEM_FRAG_RX &&
	    unshare_ranges(p, n, NULL) != FFAEMU_OK)
		p->warnings++;
	*res = d;
}

/*
 * Undo the first n unshares of a reclaim (distinct pages: each was shared
 * until a moment ago). Only an allocator that keeps failing can make this
 * fail: then the pages stay unshared in the host stage-2 while the SPMC
 * still holds them shared, and a WARN is counted (status.warnings).
 */
static void reshare_ranges(struct ffaemu_proxy *p, size_t n)
{
	if (share_ranges(p, n) != FFAEMU_OK)
		p->warnings++;
}

static void reclaim_fail(struct ffaemu_proxy *p, struct ffaemu_regs *res, int32_t err,
			 bool release)
{
	struct ffaemu_regs d;

	/* d66e50beb911: give the hyp RX back on every error path too (pkvm-proxy 1.15). */
	if (release && p->prof.fixes.rx_release) {
		ffaemu_regs_clear(&d);
		d.x[0] = FFAEMU_FFA_RX_RELEASE;
		proxy_down(p, &d);
	}
	proxy_res_error(res, err);
}

static void rx_release(struct ffaemu_proxy *p)
{
	struct ffaemu_regs d;

	if (!p->prof.fixes.rx_release)
		return;
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_RX_RELEASE;
	proxy_down(p, &d);
}

/* do_ffa_mem_reclaim (pkvm-proxy 1.15). */
void proxy_mem_reclaim(struct ffaemu_proxy *p, const struct ffaemu_regs *in,
		       struct ffaemu_regs *res)
{
	uint32_t lo = ffaemu_regs_w(in, 1), hi = ffaemu_regs_w(in, 2), flags = ffaemu_regs_w(in, 3);
	uint32_t ver = p->hyp_version, emad_size = proxy_emad_size(ver), rlen;
	uint64_t ps = p->prof.page_size, len, fraglen, emad_off, comp_off, fragoff, cnt;
	struct ffaemu_regs d;
	enum ranges_rc rrc;
	size_t n = 0, done;
	int rc;

	/* 1: the hypervisor retrieve request: the header struct only, EMAD count 0
	 * (spec E1); v6.4's struct is the 32-byte 1.0 header (pkvm-proxy 1.15 step 1). */
	rlen = p->prof.emad == FFAEMU_PROXY_EMAD_ARRAY_1_0 ? PROXY_HDR_SIZE_1_0
							   : PROXY_HYP_RETRIEVE_LEN;
	memset(p->hyp_tx, 0, rlen);
	wr(p->hyp_tx, 0, 2, 0);                                   /* sender: the host */
	wr(p->hyp_tx, 8, 8, ((uint64_t)hi << 32) | lo);           /* handle */
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_MEM_RETRIEVE_REQ_64;
	d.x[1] = rlen;
	d.x[2] = rlen;
	proxy_down(p, &d);
	/* 2 */
	if (d.x[0] != FFAEMU_FFA_MEM_RETRIEVE_RESP) {
		*res = d;
		return;
	}
	len = ffaemu_regs_w(&d, 1);
	fraglen = ffaemu_regs_w(&d, 2);

	/* 3: locate the EMAD as for a share; bounded by the fragment (2026). */
	if (ver <= FFAEMU_FFA_1_0 || p->prof.emad == FFAEMU_PROXY_EMAD_ARRAY_1_0) {
		emad_off = PROXY_HDR_SIZE_1_0;
	} else if (p->prof.emad == FFAEMU_PROXY_EMAD_FROM_HEADER) {
		if (!rd(p, p->hyp_rx, ps, 32, 4, &emad_off)) {
			reclaim_fail(p, res, FFAEMU_FFA_ABORTED, true);
			return;
		}
	} else {
		emad_off = PROXY_HDR_SIZE_1_1;
	}
	if (p->prof.emad == FFAEMU_PROXY_EMAD_FROM_HEADER && emad_off + emad_size > fraglen) {
		reclaim_fail(p, res, FFAEMU_FFA_INVALID_PARAMETERS, true);
		return;
	}
	/* 4: the composite header inside the descriptor, the fragment inside RX. */
	if (!rd(p, p->hyp_rx, ps, emad_off + 4, 4, &comp_off)) {
		reclaim_fail(p, res, FFAEMU_FFA_ABORTED, true);
		return;
	}
	if (p->prof.fixes.reclaim_bounds) {
		if (comp_off + PROXY_COMPOSITE_SIZE > len || fraglen > ps) {
			reclaim_fail(p, res, FFAEMU_FFA_ABORTED, true);
			return;
		}
	} else if (comp_off > len || fraglen > ps) {
		/* Before 8c6db30d7952: WARN_ON (a panic on most pKVM builds), then ABORTED (1.15 step 4). */
		p->warnings++;
		reclaim_fail(p, res, FFAEMU_FFA_ABORTED, true);
		return;
	}
	/* 5 */
	if (len > p->desc_size) {
		reclaim_fail(p, res, FFAEMU_FFA_NO_MEMORY, true);
		return;
	}
	/* 6: reassemble; RX_RELEASE after every fragment. */
	memcpy(p->desc, p->hyp_rx, fraglen);
	rx_release(p);
	for (fragoff = fraglen; fragoff < len;) {
		uint64_t fl;

		ffaemu_regs_clear(&d);
		d.x[0] = FFAEMU_FFA_MEM_FRAG_RX;
		d.x[1] = lo;
		d.x[2] = hi;
		d.x[3] = fragoff;
		d.x[4] = 0;
		proxy_down(p, &d);
		if (d.x[0] != FFAEMU_FFA_MEM_FRAG_TX) {
			proxy_res_error(res, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		fl = ffaemu_regs_w(&d, 3);
		if (fl == 0) {
			/*
			 * Profile-independent safety bound (a deliberate improvement:
			 * upstream loops forever on a zero-length fragment).
			 */
			p->frag_rx_bounded++;
			reclaim_fail(p, res, FFAEMU_FFA_ABORTED, true);
			return;
		}
		if (fl > ps || fragoff + fl > p->desc_size) {
			/* Upstream trusts w3 and would copy past RX / the desc buffer (pkvm-proxy 1.15 step 6). */
			p->el2_faults++;
			reclaim_fail(p, res, FFAEMU_FFA_ABORTED, true);
			return;
		}
		memcpy(p->desc + fragoff, p->hyp_rx, fl);
		fragoff += fl;
		rx_release(p);
	}

	/* 7: 8c6db30d7952, the ranges inside the descriptor. */
	if (!rd(p, p->desc, p->desc_size, comp_off + 4, 4, &cnt)) {
		proxy_res_error(res, FFAEMU_FFA_ABORTED);
		return;
	}
	if (p->prof.fixes.reclaim_bounds &&
	    comp_off + PROXY_COMPOSITE_SIZE + cnt * PROXY_CONSTITUENT_SIZE > len) {
		proxy_res_error(res, FFAEMU_FFA_ABORTED);
		return;
	}
	rrc = build_ranges(p, p->desc, p->desc_size, comp_off + PROXY_COMPOSITE_SIZE, cnt, &n);
	if (rrc == RANGES_FAULT) {
		proxy_res_error(res, FFAEMU_FFA_ABORTED);
		return;
	}

	/*
	 * 9 before 8. pKVM unshares after the SPMC's SUCCESS and only WARNs on
	 * a failure (1.15 step 9). The model's unshare can also fail for want
	 * of host memory (spec C2 NO_MEMORY), and a reclaim the SPMC has done
	 * cannot be taken back: so the retrieved ranges, up to the first bad
	 * one, are unshared first and shared again if the SPMC refuses. The
	 * SPMC judges the FF-A view only (pkvm-proxy 1.16), so it decides as it
	 * would have; the host sees the same end state and reply (issue #7).
	 */
	rc = unshare_ranges(p, n, &done);
	if (rc == FFAEMU_ENOMEM) {
		reshare_ranges(p, done);
		proxy_res_error(res, FFAEMU_FFA_NO_MEMORY);
		return;
	}

	/* 8 */
	ffaemu_regs_clear(&d);
	d.x[0] = FFAEMU_FFA_MEM_RECLAIM;
	d.x[1] = lo;
	d.x[2] = hi;
	d.x[3] = flags;
	proxy_down(p, &d);
	if (d.x[0] != FFAEMU_FFA_SUCCESS) {
		reshare_ranges(p, done);
		*res = d;
		return;
	}
	/* 9: exactly the retrieved ranges, up to the first bad one; one WARN (1.15 step 9). */
	if (rc != FFAEMU_OK || rrc != RANGES_OK)
		p->warnings++;
	*res = d;
}
