/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 3: a malicious SPMC behind the proxy. A stand-in node sits on
 * the proxy's edge in front of EL3 (ffaemu_system_insert_node AT_EL3) and,
 * call by call, either lets the real fake SPMC answer or replaces or
 * perturbs the answer with input bytes: registers, retrieve responses and
 * FRAG_RX/FRAG_TX replies, the bytes of the proxy's RX buffer. The proxy is
 * installed after the stand-in, so its boot negotiation is fuzzed too.
 *
 * Input:
 *   u8 proxy profile index (1.. = built-in; 0 is mapped to the default)
 *   u16 n: the next n bytes are the host's stream, the rest the SPMC's
 *   host stream: u8 op % 8 each (see host_op), with its arguments
 *   SPMC stream, one u8 per call the proxy makes, mode % 8:
 *     0-3 answer as the fake SPMC does          4 then overwrite registers
 *     5   then perturb the RX bytes and w1-w3   6 fabricated reply
 *     7   FFA_ERROR(input code)
 *   (an exhausted stream reads 0: from then on the SPMC behaves)
 *
 * Checks: no crash or sanitizer report, the page map invariants after
 * every host call. The proxy may only refuse: an SPMC that lies can make
 * it answer anything, so neither the checker nor the no-change rule apply.
 */
#include "stack.h"

struct evil {
	struct fz *spmc;
	struct ffaemu_edge *next;
	struct ffaemu_system *sys;
};

static const uint32_t reply_fids[] = {
	FFAEMU_FFA_SUCCESS,      FFAEMU_FFA_SUCCESS_64,       FFAEMU_FFA_ERROR,
	FFAEMU_FFA_MEM_FRAG_RX,  FFAEMU_FFA_MEM_FRAG_TX,      FFAEMU_FFA_MEM_RETRIEVE_RESP,
	FFAEMU_FFA_1_0,          FFAEMU_FFA_1_1,              FFAEMU_FFA_1_2,
	0xffffffffu,             FFAEMU_FFA_MSG_SEND_DIRECT_RESP, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2,
	FFAEMU_FFA_INTERRUPT,    FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64, 0x10003u, 0};

static uint64_t reg_token(struct fz *f, const struct ffaemu_regs *req)
{
	uint8_t k = fz_u8(f);
	switch (k % 6) {
	case 0:
		return fz_u8(f);
	case 1:
		return fz_u16(f);
	case 2:
		return fz_u32(f);
	case 3:
		return fz_u64(f);
	case 4:
		/* echo one of the request's registers (a handle, a length) */
		return req->x[1 + (k >> 3) % 7];
	default:
		/* near a request register: off-by-a-little lengths and offsets */
		return req->x[1 + (k >> 3) % 7] + (uint64_t)(int64_t)(int8_t)fz_u8(f);
	}
}

static void perturb_rx(struct evil *e, struct ffaemu_regs *r)
{
	struct ffaemu_proxy *p = ffaemu_system_proxy(e->sys);
	struct ffaemu_proxy_status st;
	struct fz *f = e->spmc;

	if (!p)
		return;
	ffaemu_proxy_get_status(p, &st);
	unsigned n = fz_u8(f) % 8;
	for (unsigned i = 0; i < n && st.hyp_mapped; i++) {
		uint16_t off = fz_u16(f) % 256; /* headers, EMADs, composite, first ranges */
		uint8_t v = fz_u8(f);
		(void)ffaemu_mem_write(ffaemu_system_mem(e->sys), st.hyp_rx + off, &v, 1);
	}
	uint8_t m = fz_u8(f);
	for (unsigned i = 1; i <= 3; i++)
		if (m & (1u << i))
			r->x[i] = (uint32_t)(r->x[i] + (uint32_t)(int32_t)(int16_t)fz_u16(f));
}

static void evil_call(void *self, struct ffaemu_regs *r, const struct ffaemu_call_ctx *ctx)
{
	struct evil *e = self;
	struct ffaemu_regs req = *r;
	uint8_t mode = fz_u8(e->spmc) % 8;

	if (mode < 6)
		ffaemu_edge_call(e->next, r, ctx);
	switch (mode) {
	case 4: {
		uint8_t mask = fz_u8(e->spmc);
		for (unsigned i = 0; i < 8; i++)
			if (mask & (1u << i))
				r->x[i] = i == 0 ? reply_fids[fz_u8(e->spmc) % 16]
						 : reg_token(e->spmc, &req);
		break;
	}
	case 5:
		perturb_rx(e, r);
		break;
	case 6: {
		uint8_t mask = fz_u8(e->spmc);
		ffaemu_regs_clear(r);
		r->x[0] = reply_fids[fz_u8(e->spmc) % 16];
		for (unsigned i = 1; i < 8; i++)
			if (mask & (1u << i))
				r->x[i] = reg_token(e->spmc, &req);
		if (r->x[0] == FFAEMU_FFA_MEM_RETRIEVE_RESP || r->x[0] == FFAEMU_FFA_MEM_FRAG_TX)
			perturb_rx(e, r);
		break;
	}
	case 7:
		ffaemu_regs_clear(r);
		r->x[0] = FFAEMU_FFA_ERROR;
		r->x[2] = (uint32_t)-(int32_t)(1 + fz_u8(e->spmc) % 12);
		break;
	default:
		break;
	}
}

static const struct ffaemu_node_ops evil_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "evil-spmc",
	.call = evil_call,
};

struct host {
	struct ffaemu_system *sys;
	struct fz *f;
	ffaemu_pa_t tx, rx;
	uint64_t handle;
	const char *proxy;
};

static void host_call(struct host *h, struct ffaemu_regs *r)
{
	char why[256];
	uint32_t fid = (uint32_t)r->x[0];

	ffaemu_system_call(h->sys, r);
	FUZZ_CHECK(ffaemu_mem_check(ffaemu_system_mem(h->sys), why, sizeof(why)) == 0,
		   "page map after fid 0x%08x (proxy %s): %s", fid, h->proxy, why);
	if ((uint32_t)r->x[0] == FFAEMU_FFA_SUCCESS &&
	    (fid == FFAEMU_FFA_MEM_SHARE_64 || fid == FFAEMU_FFA_MEM_LEND_64 ||
	     fid == FFAEMU_FFA_MEM_FRAG_TX))
		h->handle = ffaemu_regs_handle(r, 2);
	if ((uint32_t)r->x[0] == FFAEMU_FFA_MEM_FRAG_RX)
		h->handle = ffaemu_regs_handle(r, 1);
}

static void hcall(struct host *h, uint32_t fid, uint64_t x1, uint64_t x2, uint64_t x3,
		  uint64_t x5)
{
	struct ffaemu_regs r;
	ffaemu_regs_clear(&r);
	r.x[0] = fid;
	r.x[1] = x1;
	r.x[2] = x2;
	r.x[3] = x3;
	r.x[5] = x5;
	host_call(h, &r);
}

/* Share or lend n ranges of host RAM with partition 0x8005 (fragmented if large). */
static void host_send(struct host *h, bool lend, unsigned nranges, unsigned pages, unsigned first)
{
	static struct ffaemu_range ranges[300];
	static uint8_t buf[48 + 32 + 16 + 16 * 300];
	struct ffaemu_memdesc_receiver rcv;
	struct ffaemu_memdesc_tx tx;
	size_t len;

	memset(&tx, 0, sizeof(tx));
	memset(&rcv, 0, sizeof(rcv));
	rcv.id = 0x8005;
	rcv.perms = FFAEMU_MEM_PERM_DATA_RW;
	tx.attributes = lend ? 0 : FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	tx.receiver_count = 1;
	tx.receivers = &rcv;
	for (unsigned i = 0; i < nranges; i++) {
		/* Every other page, so that ranges do not merge: many constituents. */
		ranges[i].base = FFAEMU_SYSTEM_RAM_BASE + 0x100000 + (uint64_t)(first + 2 * i * pages) *
										    FFAEMU_PAGE_SIZE;
		ranges[i].pages = pages;
	}
	tx.constituent_count = nranges;
	tx.constituents = ranges;
	if (ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, buf, sizeof(buf), &len) != 0)
		return;
	size_t fl = len < FFAEMU_PAGE_SIZE ? len : FFAEMU_PAGE_SIZE;
	if (ffaemu_mem_write(ffaemu_system_mem(h->sys), h->tx, buf, fl) != 0)
		return;
	struct ffaemu_regs r;
	ffaemu_regs_clear(&r);
	r.x[0] = lend ? FFAEMU_FFA_MEM_LEND_64 : FFAEMU_FFA_MEM_SHARE_64;
	r.x[1] = len;
	r.x[2] = fl;
	host_call(h, &r);
	for (int k = 0; k < 16 && (uint32_t)r.x[0] == FFAEMU_FFA_MEM_FRAG_RX; k++) {
		size_t off = (uint32_t)r.x[3];
		if (off >= len)
			break;
		fl = len - off < FFAEMU_PAGE_SIZE ? len - off : FFAEMU_PAGE_SIZE;
		if (ffaemu_mem_write(ffaemu_system_mem(h->sys), h->tx, buf + off, fl) != 0)
			break;
		uint64_t hd = ffaemu_regs_handle(&r, 1);
		ffaemu_regs_clear(&r);
		r.x[0] = FFAEMU_FFA_MEM_FRAG_TX;
		ffaemu_regs_set_handle(&r, 1, hd);
		r.x[3] = fl;
		host_call(h, &r);
	}
}

static void host_op(struct host *h)
{
	struct fz *f = h->f;
	uint8_t op = fz_u8(f);

	switch (op % 8) {
	case 0:
		hcall(h, FFAEMU_FFA_VERSION, (op & 0x80) ? FFAEMU_FFA_1_1 : FFAEMU_FFA_1_2, 0, 0, 0);
		break;
	case 1:
		hcall(h, FFAEMU_FFA_RXTX_MAP_64, h->tx, h->rx, 1, 0);
		break;
	case 2: {
		uint8_t a = fz_u8(f);
		/* 1 .. 256 ranges: more than one fragment from 253 on (v1.2 layout) */
		host_send(h, op & 0x80, 1 + (unsigned)(a & 0x3f) * ((a & 0x40) ? 4 : 1),
			  1 + (unsigned)(op >> 3) % 4, fz_u8(f));
		break;
	}
	case 3:
		hcall(h, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h->handle, h->handle >> 32,
		      (op & 0x80) ? FFAEMU_MEM_RECLAIM_F_ZERO : 0, 0);
		break;
	case 4:
		hcall(h, FFAEMU_FFA_PARTITION_INFO_GET, 0, 0, 0, (op & 0x80) ? 1 : 0);
		break;
	case 5:
		hcall(h, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0);
		break;
	case 6:
		hcall(h, (op & 0x80) ? FFAEMU_FFA_MSG_SEND_DIRECT_REQ2 : FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64,
		      0x8001, 0, fz_u32(f), 0);
		break;
	default:
		hcall(h, (op & 0x80) ? FFAEMU_FFA_RXTX_UNMAP : FFAEMU_FFA_FEATURES,
		      (op & 0x80) ? 0 : FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	uint8_t pi = fz_u8(&in);
	uint16_t hn = fz_u16(&in);
	size_t hlen = hn < fz_left(&in) ? hn : fz_left(&in);
	struct fz host_stream = {in.p, hlen};
	struct fz spmc_stream = {in.p + hlen, fz_left(&in) - hlen};
	struct ffaemu_system_config cfg;
	struct ffaemu_node *node = NULL;
	struct evil e = {&spmc_stream, NULL, NULL};
	struct host h;
	size_t np = ffaemu_proxy_profile_count();
	const char *proxy = ffaemu_proxy_profile_name_at(pi % np);

	ffaemu_system_config_default(&cfg);
	cfg.partitions = "conform";
	FUZZ_CHECK(ffaemu_system_new(&cfg, &e.sys) == 0, "system_new");
	FUZZ_CHECK(ffaemu_node_new(&evil_ops, &e, NULL, &node) == 0, "node_new");
	FUZZ_CHECK(ffaemu_system_insert_node(e.sys, FFAEMU_SYSTEM_AT_EL3, node, &e.next) == 0,
		   "insert");
	/* The proxy's boot negotiation already meets the stand-in. */
	int rc = ffaemu_system_install_proxy(e.sys, proxy);
	FUZZ_CHECK(rc == 0 || rc == FFAEMU_ENOTSUP, "install_proxy %s: %d", proxy, rc);

	memset(&h, 0, sizeof(h));
	h.sys = e.sys;
	h.f = &host_stream;
	h.tx = FFAEMU_SYSTEM_RAM_BASE;
	h.rx = FFAEMU_SYSTEM_RAM_BASE + FFAEMU_PAGE_SIZE;
	h.proxy = proxy;
	for (unsigned ops = 0; fz_left(&host_stream) && ops < 64; ops++)
		host_op(&h);
	ffaemu_system_free(&e.sys);
	ffaemu_node_free(&node);
	return 0;
}
