/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay the Linux FF-A driver's init sequence and runtime calls through
 * each pKVM proxy profile, against fake SPMCs speaking FF-A 1.0, 1.1 and
 * 1.2, and print what the driver would see.
 *
 * The driver logic below is written from the description of the driver's
 * behaviour in pkvm-proxy.md section 4.2 (init) and 4.3 (runtime); it is
 * not Linux code. Build and run:  ./driver_replay [proxy-profile]
 *
 * Runtime: a direct request, a one-page share and its reclaim, then (4K
 * kernels) a share of RP_FRAG_N pages whose descriptor outgrows the 4K TX
 * buffer, sent with MEM_SHARE + FRAG_TX, and its reclaim. The last column
 * shows why f26a525b77e0 exists: before it such a share goes through and
 * can never be reclaimed (the retrieved descriptor exceeds the proxy's
 * descriptor buffer); after it the share is refused with NO_MEMORY.
 *
 * The same file is compiled into tests/test_proxy_spmc.c (with
 * DRIVER_REPLAY_NO_MAIN) so that what it prints is also checked.
 */
#include <stdio.h>
#include <string.h>

#include <ffa/ffa.h>
#include <ffa/proxy.h>
#include <ffa/spmc.h>

#define RP_RAM 0x80000000ull
#define RP_RAM_SIZE 0x01000000ull
#define RP_TX (RP_RAM + 0x10000)
#define RP_RX (RP_RAM + 0x20000)
#define RP_SHARE (RP_RAM + 0x100000)
#define RP_MAX_PARTS 8
#define RP_FRAG (RP_RAM + 0x200000) /* pages of the fragmented share */
#define RP_FRAG_N 260u              /* constituents: the descriptor outgrows a 4K TX */

/* ------------------------------------------------------------ the stack */

struct rp_stack {
	struct ffaemu_mem *mem;
	struct ffaemu_spmc *spmc;
	struct ffaemu_el3 *el3;
	struct ffaemu_proxy *proxy; /* NULL: no hypervisor */
	struct ffaemu_edge *host;   /* the host kernel's SMC conduit */
};

static void rp_stack_free(struct rp_stack *s)
{
	ffaemu_edge_free(&s->host);
	ffaemu_proxy_free(&s->proxy);
	ffaemu_el3_free(&s->el3);
	ffaemu_spmc_free(&s->spmc);
	ffaemu_mem_free(&s->mem);
}

/*
 * host RAM, a fake SPMC of the given profile with two echo partitions,
 * EL3, and (unless proxy is NULL or "none") the proxy in between.
 */
static int rp_stack_new(struct rp_stack *s, const char *proxy, const char *spmc_profile,
			uint32_t page_size, enum ffaemu_spmc_version_quirk quirk)
{
	struct ffaemu_spmc_profile sp;
	struct ffaemu_spmc_config sc;
	struct ffaemu_sp_config part;
	struct ffaemu_el3_config ec;
	struct ffaemu_edge_config hc;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = ffaemu_mem_new(NULL, &s->mem)) ||
	    (rc = ffaemu_mem_add_ram(s->mem, RP_RAM, RP_RAM_SIZE, FFAEMU_MEM_NS,
				     ffaemu_owner_make(FFAEMU_OWNER_HOST, 0))))
		goto fail;
	if ((rc = ffaemu_spmc_profile_by_name(spmc_profile, &sp)))
		goto fail;
	sp.version_quirk = quirk;
	ffaemu_spmc_config_default(&sc);
	sc.profile = &sp;
	sc.mem = s->mem;
	if ((rc = ffaemu_spmc_new(&sc, &s->spmc)))
		goto fail;
	for (ffaemu_id_t id = 0x8001; id <= 0x8002; id++) {
		if ((rc = ffaemu_sp_config_builtin(&part, FFAEMU_SP_ECHO, id)))
			goto fail;
		part.ffa_version = sp.ffa_version;
		if ((rc = ffaemu_spmc_add_sp(s->spmc, &part)))
			goto fail;
	}
	ffaemu_el3_config_default(&ec);
	ec.spmc = ffaemu_spmc_node(s->spmc);
	if ((rc = ffaemu_el3_new(&ec, &s->el3)))
		goto fail;
	if (proxy && strcmp(proxy, "none") != 0) {
		struct ffaemu_proxy_profile pp;
		struct ffaemu_proxy_config pc;

		if ((rc = ffaemu_proxy_profile_get(proxy, &pp)))
			goto fail;
		pp.page_size = page_size;
		ffaemu_proxy_config_default(&pc);
		pc.downstream = ffaemu_el3_node(s->el3);
		pc.mem = s->mem;
		pc.profile = &pp;
		if ((rc = ffaemu_proxy_new(&pc, &s->proxy)))
			goto fail;
		/* pKVM finalisation; a failed init leaves pKVM out (state FAILED). */
		(void)ffaemu_proxy_init(s->proxy);
	}
	ffaemu_edge_config_default(&hc);
	hc.name = "host";
	hc.zero_extend_smc32 = false; /* pKVM's sign-extended errors reach the host (proxy.h) */
	rc = ffaemu_edge_new(&hc, s->proxy ? ffaemu_proxy_node(s->proxy) : ffaemu_el3_node(s->el3),
			     &s->host);
	if (rc)
		goto fail;
	return 0;
fail:
	rp_stack_free(s);
	return rc;
}

/* ----------------------------------------------------- the driver model */

struct rp_driver {
	struct ffaemu_edge *edge;
	struct ffaemu_mem *mem;
	uint32_t page_size;
	uint32_t asks;        /* the version the driver asks for */
	uint32_t version;     /* the version the driver uses */
	uint16_t id;
	uint32_t rxtx_size;
	uint32_t tx_size;     /* bytes of the mapped TX buffer */
	bool mem64, req2, notif, regs_info;
	uint32_t nparts;
	uint16_t part_id[RP_MAX_PARTS];
	uint32_t part_props[RP_MAX_PARTS];
	const char *failed;   /* init step that failed, NULL if init succeeded */
};

static struct ffaemu_regs rp_smc(struct rp_driver *d, uint64_t x0, uint64_t x1, uint64_t x2,
				 uint64_t x3, uint64_t x4, uint64_t x5)
{
	struct ffaemu_regs r;
	struct ffaemu_call_ctx ctx;

	/* unset fields zero, as the driver's 18-register call struct (4.1) */
	ffaemu_regs_clear(&r);
	r.x[0] = x0;
	r.x[1] = x1;
	r.x[2] = x2;
	r.x[3] = x3;
	r.x[4] = x4;
	r.x[5] = x5;
	memset(&ctx, 0, sizeof(ctx));
	ctx.instance = FFAEMU_INSTANCE_NV;
	ctx.el = 1;
	ffaemu_edge_call(d->edge, &r, &ctx);
	return r;
}

static bool rp_ok(const struct ffaemu_regs *r)
{
	return (uint32_t)r->x[0] == FFAEMU_FFA_SUCCESS || (uint32_t)r->x[0] == FFAEMU_FFA_SUCCESS_64;
}

static bool rp_feature(struct rp_driver *d, uint32_t id)
{
	struct ffaemu_regs r = rp_smc(d, FFAEMU_FFA_FEATURES, id, 0, 0, 0, 0);
	return rp_ok(&r);
}

/* Init, in the order of pkvm-proxy 4.2. 0, or -1 with d->failed set. */
static int rp_driver_init(struct rp_driver *d)
{
	struct ffaemu_regs r;
	uint32_t v, size, pages;

	/* 1: VERSION; (s32) -1 = no FF-A; reply's major > ours or < 1.0 = give up */
	r = rp_smc(d, FFAEMU_FFA_VERSION, d->asks, 0, 0, 0, 0);
	v = (uint32_t)r.x[0];
	if ((int32_t)v < 0 || ffaemu_ffa_version_major(v) != 1) {
		d->failed = "FFA_VERSION";
		return -1;
	}
	d->version = v < d->asks ? v : d->asks;

	/* 2: ID_GET */
	r = rp_smc(d, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0);
	if (!rp_ok(&r)) {
		d->failed = "FFA_ID_GET";
		return -1;
	}
	d->id = (uint16_t)r.x[2];

	/* 3: minimum RX/TX size, bits [1:0]: 0 -> 4K, 1 -> 64K, 2 -> 16K, else 4K */
	d->rxtx_size = 4096;
	r = rp_smc(d, FFAEMU_FFA_FEATURES, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0, 0);
	if (rp_ok(&r)) {
		uint32_t sel = (uint32_t)r.x[2] & 3u;
		d->rxtx_size = sel == 1 ? 65536 : sel == 2 ? 16384 : 4096;
	}

	/* 4: map PAGE_ALIGN(size) in 4K units */
	size = (d->rxtx_size + d->page_size - 1) / d->page_size * d->page_size;
	pages = size / 4096;
	r = rp_smc(d, FFAEMU_FFA_RXTX_MAP_64, RP_TX, RP_RX, pages, 0, 0);
	if (!rp_ok(&r)) {
		d->failed = "FFA_RXTX_MAP";
		return -1;
	}
	d->tx_size = size;

	/* 5: 64-bit memory ops if LEND_64 (or SHARE_64) is there */
	d->mem64 = rp_feature(d, FFAEMU_FFA_MEM_LEND_64) || rp_feature(d, FFAEMU_FFA_MEM_SHARE_64);
	/* 6 */
	d->req2 = rp_feature(d, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2) &&
		  rp_feature(d, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	/* 7 */
	if (rp_feature(d, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE))
		(void)rp_smc(d, FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, d->id, 1, 0, 0, 0);
	/* 8: SRI, then NPI */
	d->notif = rp_feature(d, FFAEMU_FFA_FEATURE_SRI) || rp_feature(d, FFAEMU_FFA_FEATURE_NPI);
	/* 9: the register path is preferred when present; this model reads RX either way */
	d->regs_info = rp_feature(d, FFAEMU_FFA_PARTITION_INFO_GET_REGS);

	/* 10: count only (not in 1.0) */
	if (d->version > FFAEMU_FFA_1_0) {
		r = rp_smc(d, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 1);
		if (!rp_ok(&r)) {
			d->failed = "FFA_PARTITION_INFO_GET(count)";
			goto unmap;
		}
	}
	/* 11: descriptors into RX, stepped by w3 (8 for 1.0) */
	r = rp_smc(d, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	if (!rp_ok(&r)) {
		d->failed = "FFA_PARTITION_INFO_GET";
		goto unmap;
	}
	d->nparts = (uint32_t)r.x[2];
	size = d->version > FFAEMU_FFA_1_0 ? (uint32_t)r.x[3] : 8;
	for (uint32_t i = 0; i < d->nparts && i < RP_MAX_PARTS; i++) {
		uint8_t e[8] = {0};
		if (size >= 8)
			(void)ffaemu_mem_read(d->mem, RP_RX + (uint64_t)i * size, e, 8);
		d->part_id[i] = (uint16_t)(e[0] | (e[1] << 8));
		d->part_props[i] = (uint32_t)e[4] | ((uint32_t)e[5] << 8) |
				   ((uint32_t)e[6] << 16) | ((uint32_t)e[7] << 24);
	}
	/* 12 */
	(void)rp_smc(d, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0, 0);
	return 0;
unmap:
	(void)rp_smc(d, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0);
	return -1;
}

/* 4.3: a direct request, RUN on INTERRUPT/YIELD, expecting the echo back. */
static bool rp_direct_echo(struct rp_driver *d, uint16_t dst)
{
	bool fn32 = d->version > FFAEMU_FFA_1_0 && d->nparts &&
		    !(d->part_props[0] & FFAEMU_SP_PROP_AARCH64);
	uint32_t fid = fn32 ? FFAEMU_FFA_MSG_SEND_DIRECT_REQ : FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64;
	uint32_t want = fn32 ? FFAEMU_FFA_MSG_SEND_DIRECT_RESP : FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
	struct ffaemu_regs r = rp_smc(d, fid, ((uint32_t)d->id << 16) | dst, 0, 0x11, 0x22, 0x33);

	for (int i = 0; i < 16; i++) {
		uint32_t x0 = (uint32_t)r.x[0];
		if (x0 != FFAEMU_FFA_INTERRUPT && x0 != FFAEMU_FFA_YIELD)
			break;
		r = rp_smc(d, FFAEMU_FFA_RUN, (uint32_t)r.x[1], 0, 0, 0, 0);
	}
	return (uint32_t)r.x[0] == want && (uint32_t)r.x[3] == 0x11 && (uint32_t)r.x[4] == 0x22;
}

static void rp_put(uint8_t *b, uint32_t off, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

/* 4.3: share one kernel page with dst through TX at the driver's version; 0 = failed. */
static uint64_t rp_share(struct rp_driver *d, uint16_t dst)
{
	uint8_t b[256] = {0};
	uint32_t hdr = d->version > FFAEMU_FFA_1_0 ? 48 : 32;
	uint32_t esz = d->version >= FFAEMU_FFA_1_2 ? 32 : 16;
	uint32_t comp = hdr + esz, len = comp + 16 + 16, pg = d->page_size / 4096;
	struct ffaemu_regs r;

	rp_put(b, 0, 2, d->id);
	rp_put(b, 2, d->version > FFAEMU_FFA_1_0 ? 2 : 1, 0x2f); /* normal WB inner-shareable */
	if (d->version > FFAEMU_FFA_1_0) {
		rp_put(b, 24, 4, esz);
		rp_put(b, 32, 4, hdr);
	}
	rp_put(b, 28, 4, 1);
	rp_put(b, hdr, 2, dst);
	rp_put(b, hdr + 2, 1, 0x2); /* read-write */
	rp_put(b, hdr + 4, 4, comp);
	rp_put(b, comp, 4, pg);
	rp_put(b, comp + 4, 4, 1);
	rp_put(b, comp + 16, 8, RP_SHARE);
	rp_put(b, comp + 24, 4, pg);
	if (ffaemu_mem_write(d->mem, RP_TX, b, len))
		return 0;
	r = rp_smc(d, d->mem64 ? FFAEMU_FFA_MEM_SHARE_64 : FFAEMU_FFA_MEM_SHARE, len, len, 0, 0, 0);
	if (!rp_ok(&r))
		return 0;
	return ffaemu_regs_handle(&r, 2);
}

/* The FF-A error of a reply, 0 for success, -100 for an unexpected reply. */
static int32_t rp_err(const struct ffaemu_regs *r)
{
	if (rp_ok(r))
		return 0;
	if ((uint32_t)r->x[0] == FFAEMU_FFA_ERROR)
		return (int32_t)(uint32_t)r->x[2];
	return -100;
}

/*
 * 4.3: a share whose descriptor outgrows the TX buffer: as many constituents
 * as fit go with MEM_SHARE, the rest follow in FRAG_TX calls (handle, fragment
 * length, w4 = 0) until SUCCESS. RP_FRAG_N separate pages. Returns the FF-A
 * error (0 = shared) and the handle in *handle.
 */
static int32_t rp_share_frag(struct rp_driver *d, uint16_t dst, uint64_t *handle)
{
	uint8_t b[128 + RP_FRAG_N * 16];
	uint32_t hdr = d->version > FFAEMU_FFA_1_0 ? 48 : 32;
	uint32_t esz = d->version >= FFAEMU_FFA_1_2 ? 32 : 16;
	uint32_t comp = hdr + esz, pg = d->page_size / 4096;
	uint32_t len = comp + 16 + RP_FRAG_N * 16, off, frag;
	struct ffaemu_regs r;

	memset(b, 0, sizeof(b));
	*handle = 0;
	rp_put(b, 0, 2, d->id);
	rp_put(b, 2, d->version > FFAEMU_FFA_1_0 ? 2 : 1, 0x2f);
	if (d->version > FFAEMU_FFA_1_0) {
		rp_put(b, 24, 4, esz);
		rp_put(b, 32, 4, hdr);
	}
	rp_put(b, 28, 4, 1);
	rp_put(b, hdr, 2, dst);
	rp_put(b, hdr + 2, 1, 0x2);
	rp_put(b, hdr + 4, 4, comp);
	rp_put(b, comp, 4, RP_FRAG_N * pg);
	rp_put(b, comp + 4, 4, RP_FRAG_N);
	for (uint32_t i = 0; i < RP_FRAG_N; i++) {
		rp_put(b, comp + 16 + i * 16, 8, RP_FRAG + 2ull * i * d->page_size);
		rp_put(b, comp + 16 + i * 16 + 8, 4, pg);
	}
	/* whole constituents per fragment */
	frag = comp + 16 + (d->tx_size - comp - 16) / 16 * 16;
	if (frag > len)
		frag = len;
	if (ffaemu_mem_write(d->mem, RP_TX, b, frag))
		return -100;
	r = rp_smc(d, d->mem64 ? FFAEMU_FFA_MEM_SHARE_64 : FFAEMU_FFA_MEM_SHARE, len, frag, 0, 0, 0);
	for (off = frag; (uint32_t)r.x[0] == FFAEMU_FFA_MEM_FRAG_RX && off < len; off += frag) {
		uint64_t h = ffaemu_regs_handle(&r, 1);

		frag = len - off < d->tx_size / 16 * 16 ? len - off : d->tx_size / 16 * 16;
		if (ffaemu_mem_write(d->mem, RP_TX, b + off, frag))
			return -100;
		r = rp_smc(d, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, frag, 0, 0);
	}
	if (rp_ok(&r))
		*handle = ffaemu_regs_handle(&r, 2);
	return rp_err(&r);
}

/* ------------------------------------------------------------ a replay */

/*
 * The driver ships in the same kernel as the proxy: v1.0 up to v6.6, v1.1
 * from v6.7, v1.2 from the Aug-2024 series (~v6.12) (pkvm-proxy 4.2 row 1).
 */
static uint32_t rp_driver_version(const char *proxy)
{
	if (proxy && strcmp(proxy, "pkvm-6.4") == 0)
		return FFAEMU_FFA_1_0;
	if (proxy && (strcmp(proxy, "pkvm-6.10") == 0 || strcmp(proxy, "pkvm-6.11") == 0))
		return FFAEMU_FFA_1_1;
	return FFAEMU_FFA_1_2;
}

struct rp_result {
	enum ffaemu_proxy_state proxy_state; /* UNINIT when there is no proxy */
	const char *failed;                  /* init step that failed, or NULL */
	uint32_t version;
	bool mem64, req2, notif;
	uint32_t nparts;
	bool parts_ok;   /* the driver read the partitions the SPMC has */
	bool direct_ok;  /* the echo partition answered */
	bool share_ok, reclaim_ok;
	bool map_ok;     /* page map consistent, every page back to owned */
	/* a share that needs FRAG_TX, then its reclaim: FF-A error, 0 = ok */
	int32_t frag_share_err, frag_reclaim_err;
	bool frag_map_ok; /* after it: every page back to owned */
};

static int rp_replay(const char *proxy, const char *spmc_profile, uint32_t page_size,
		     enum ffaemu_spmc_version_quirk quirk, struct rp_result *res)
{
	struct rp_stack s;
	struct rp_driver d;
	struct ffaemu_mem_stats ms;
	uint64_t handle;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = rp_stack_new(&s, proxy, spmc_profile, page_size, quirk)))
		return rc;
	if (s.proxy) {
		struct ffaemu_proxy_status st;
		ffaemu_proxy_get_status(s.proxy, &st);
		res->proxy_state = st.state;
	}
	memset(&d, 0, sizeof(d));
	d.asks = rp_driver_version(proxy);
	d.edge = s.host;
	d.mem = s.mem;
	d.page_size = page_size;
	if (rp_driver_init(&d) == 0) {
		res->version = d.version;
		res->mem64 = d.mem64;
		res->req2 = d.req2;
		res->notif = d.notif;
		res->nparts = d.nparts;
		res->parts_ok = d.nparts == 2 && d.part_id[0] == 0x8001 && d.part_id[1] == 0x8002;
		res->direct_ok = rp_direct_echo(&d, d.part_id[0]);
		handle = rp_share(&d, d.part_id[0]);
		res->share_ok = handle != 0;
		if (handle) {
			struct ffaemu_regs r = rp_smc(&d, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)handle,
						      handle >> 32, 0, 0, 0);
			res->reclaim_ok = rp_ok(&r);
		}
	} else {
		res->failed = d.failed;
	}
	ffaemu_mem_get_stats(s.mem, &ms);
	res->map_ok = ffaemu_mem_check(s.mem, NULL, 0) == 0 && ms.shared == 0 && ms.lent == 0 &&
		      ms.hyp_shared == (res->failed || !s.proxy ||
				       res->proxy_state == FFAEMU_PROXY_FAILED ? 0 : 2ull * page_size / 4096);
	/* On 4K kernels, where that descriptor outgrows the TX buffer. */
	if (!res->failed && res->share_ok && page_size == 4096) {
		uint64_t fh;

		res->frag_share_err = rp_share_frag(&d, d.part_id[0], &fh);
		res->frag_reclaim_err = -100;
		if (!res->frag_share_err) {
			struct ffaemu_regs r = rp_smc(&d, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)fh,
						      fh >> 32, 0, 0, 0);
			res->frag_reclaim_err = rp_err(&r);
		}
		ffaemu_mem_get_stats(s.mem, &ms);
		res->frag_map_ok = ffaemu_mem_check(s.mem, NULL, 0) == 0 && ms.shared == 0 &&
				   ms.hyp_shared == (!s.proxy || res->proxy_state == FFAEMU_PROXY_FAILED
							     ? 0 : 2ull * page_size / 4096);
	}
	rp_stack_free(&s);
	return 0;
}

static const char *const rp_spmcs[] = {"spmc-1.0", "spmc-1.1", "spmc-1.2"};

#ifndef DRIVER_REPLAY_NO_MAIN
static void rp_print(const char *proxy, const char *spmc, const struct rp_result *r)
{
	char v[16];

	printf("%-21s %-9s %-7s ", proxy, spmc,
	       ffaemu_proxy_state_name(r->proxy_state));
	if (r->failed) {
		printf("driver init failed at %s\n", r->failed);
		return;
	}
	printf("v%-4s mem64=%d req2=%d notif=%d parts=%u%s direct=%s share=%s reclaim=%s map=%s",
	       ffaemu_version_format(r->version, v, sizeof(v)), r->mem64, r->req2, r->notif,
	       r->nparts, r->parts_ok ? "" : "(unreadable)", r->direct_ok ? "ok" : "FAIL",
	       r->share_ok ? "ok" : "FAIL", r->reclaim_ok ? "ok" : "FAIL", r->map_ok ? "ok" : "BAD");
	if (r->share_ok && r->frag_reclaim_err)
		printf(" | fragmented: share=%d reclaim=%d map=%s", r->frag_share_err,
		       r->frag_reclaim_err, r->frag_map_ok ? "ok" : "BAD");
	else if (r->share_ok)
		printf(" | fragmented: share=%d reclaim=%d map=%s", r->frag_share_err,
		       r->frag_reclaim_err, r->frag_map_ok ? "ok" : "BAD");
	printf("\n");
}

int main(int argc, char **argv)
{
	/* How an SPMC answers FFA_VERSION above its own: -1 (Hafnium) or its own (TF-A); C4. */
	static const struct {
		enum ffaemu_spmc_version_quirk q;
		const char *what;
	} quirks[] = {
		{FFAEMU_SPMC_VQ_NOT_SUPPORTED, "SPMC answers a higher request with NOT_SUPPORTED"},
		{FFAEMU_SPMC_VQ_OWN_VERSION, "SPMC answers a higher request with its own version"},
	};

	for (size_t q = 0; q < 2; q++) {
		printf("\n== %s\n", quirks[q].what);
		printf("%-21s %-9s %-7s what the Linux FF-A driver sees\n", "proxy", "spmc", "pkvm");
		for (size_t i = 0; i <= ffaemu_proxy_profile_count(); i++) {
			const char *proxy = i ? ffaemu_proxy_profile_name_at(i - 1) : "none";

			if (argc > 1 && strcmp(argv[1], proxy) != 0)
				continue;
			for (size_t j = 0; j < 3; j++) {
				struct rp_result r;
				if (rp_replay(proxy, rp_spmcs[j], 4096, quirks[q].q, &r)) {
					fprintf(stderr, "cannot build %s / %s\n", proxy, rp_spmcs[j]);
					return 1;
				}
				rp_print(proxy, rp_spmcs[j], &r);
			}
		}
	}
	return 0;
}
#endif
