/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 1: stateful call sequences from the host through the proxy (any
 * built-in profile, or none) to the fake SPMC and its partitions.
 *
 * Input:
 *   u8 proxy profile index (0 = none), u8 SPMC profile index (0 = default)
 *   u8 flags: bit 0 a tracer records the host edge; at the end its records
 *   are written in every format and the JSON Lines read back (round trip)
 *   then operations until the input ends (at most FUZZ_MAX_OPS):
 *     u8 op % 4:
 *       0, 1  CALL  u8 sel: ABI table entry, or (sel >= table) u32 raw x0;
 *                   u32 mask: bit n set (1..17) = xn is given, as a token;
 *                   unset registers are 0
 *       2     TXW   u16 offset, u16 length (both mod the page), bytes: written
 *                   to the host's TX page (the last one mapped, else RAM base)
 *       3     DESC  a well-formed memory transaction descriptor with
 *                   input-chosen fields (stack_desc) written to TX
 *   token: u8 kind % 11, then 0 = u8, 1 = u16, 2 = u32, 3 = u64 literal;
 *          4 = TX PA, 5 = RX PA, 6/7 = last handle lo/hi, 8 = host RAM page
 *          (u16), 9 = two endpoint IDs (u16, u16), 10 = last DESC length
 *
 * After each call stack_call() checks the page map, the callee-side
 * conformance rules and that an FFA_ERROR changed nothing, the SPMC's
 * memory transactions in progress included (a send in FRAG_TX fragments, a
 * retrieve in FRAG_RX fragments: ffaemu_spmc_txn_at), but for the two
 * changes stack.h allows (spec E2, pkvm-proxy 1.15).
 */
#include "stack.h"

#define FUZZ_MAX_OPS 96

struct run {
	struct stack st;
	size_t desc_len;
};

static uint64_t token(struct run *r, struct fz *f)
{
	switch (fz_u8(f) % 11) {
	case 0:
		return fz_u8(f);
	case 1:
		return fz_u16(f);
	case 2:
		return fz_u32(f);
	case 3:
		return fz_u64(f);
	case 4:
		return r->st.tx;
	case 5:
		return r->st.rx;
	case 6:
		return (uint32_t)r->st.handle;
	case 7:
		return r->st.handle >> 32;
	case 8:
		return FFAEMU_SYSTEM_RAM_BASE +
		       (uint64_t)(fz_u16(f) % (FFAEMU_SYSTEM_RAM_SIZE / FFAEMU_PAGE_SIZE)) *
			       FFAEMU_PAGE_SIZE;
	case 9: {
		uint32_t hi = fz_u16(f);
		return hi << 16 | fz_u16(f);
	}
	default:
		return r->desc_len;
	}
}

static void op_call(struct run *r, struct fz *f)
{
	struct ffaemu_regs regs;
	uint8_t sel = fz_u8(f);
	uint32_t mask;

	ffaemu_regs_clear(&regs);
	regs.x[0] = sel < fid_count ? fid_table[sel] : fz_u32(f);
	mask = fz_u32(f);
	for (unsigned n = 1; n < FFAEMU_NREGS; n++)
		if (mask & (1u << n))
			regs.x[n] = token(r, f);
	stack_call(&r->st, &regs);
}

static void op_txw(struct run *r, struct fz *f)
{
	uint8_t page[FFAEMU_PAGE_SIZE];
	uint16_t off = fz_u16(f) % FFAEMU_PAGE_SIZE;
	uint16_t len = (uint16_t)(fz_u16(f) % (FFAEMU_PAGE_SIZE - off + 1));

	fz_bytes(f, page, len);
	/* The host writes its own page: ERANGE if it mapped a TX outside RAM. */
	(void)ffaemu_mem_write(ffaemu_system_mem(r->st.sys), r->st.tx + off, page, len);
}

static const ffaemu_id_t desc_ids[] = {0x8005, 0x8001, 0x8002, 0x8003, 0x8004, 0x8006, 0x0000,
				       0x0001};

static void op_desc(struct run *r, struct fz *f)
{
	static const uint32_t versions[] = {FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2};
	struct ffaemu_memdesc_receiver rcv[2];
	struct ffaemu_range ranges[4];
	struct ffaemu_memdesc_tx tx;
	uint8_t buf[FFAEMU_PAGE_SIZE];
	size_t len = 0;
	uint8_t sel = fz_u8(f);

	memset(&tx, 0, sizeof(tx));
	memset(rcv, 0, sizeof(rcv));
	tx.attributes = (sel & 0x10) ? (uint16_t)fz_u16(f) : FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	tx.flags = (sel & 0x20) ? fz_u32(f) : 0;
	tx.receiver_count = (sel & 0x40) ? 2 : 1;
	tx.receivers = rcv;
	for (uint32_t i = 0; i < tx.receiver_count; i++) {
		uint8_t b = fz_u8(f);
		rcv[i].id = desc_ids[b % 8];
		rcv[i].perms = (b & 0x80) ? fz_u8(f) : FFAEMU_MEM_PERM_DATA_RW;
	}
	tx.constituent_count = 1 + fz_u8(f) % 4;
	for (size_t i = 0; i < tx.constituent_count; i++) {
		ranges[i].base = FFAEMU_SYSTEM_RAM_BASE +
				 (uint64_t)(fz_u16(f) % (FFAEMU_SYSTEM_RAM_SIZE / FFAEMU_PAGE_SIZE)) *
					 FFAEMU_PAGE_SIZE;
		ranges[i].pages = 1 + fz_u8(f) % 8;
	}
	tx.constituents = ranges;
	if (ffaemu_memdesc_build(&tx, versions[sel % 3], buf, sizeof(buf), &len) != 0)
		return;
	r->desc_len = len;
	(void)ffaemu_mem_write(ffaemu_system_mem(r->st.sys), r->st.tx, buf, len);
}

struct sink {
	uint8_t *buf;
	size_t len, cap;
};

static int sink_write(void *user, const char *data, size_t len)
{
	struct sink *k = user;
	if (k->len + len > k->cap) {
		size_t cap = (k->len + len) * 2;
		uint8_t *nb = realloc(k->buf, cap);
		if (!nb)
			return -1;
		k->buf = nb;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, data, len);
	k->len += len;
	return 0;
}

/* Every output format, then the JSON Lines back: the same records. */
static void trace_round_trip(const struct ffaemu_trace *t)
{
	static const enum ffaemu_trace_format fmts[] = {FFAEMU_TRACE_HUMAN, FFAEMU_TRACE_MERMAID,
							FFAEMU_TRACE_SVG, FFAEMU_TRACE_JSONL};
	struct sink k = {NULL, 0, 0};

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		k.len = 0;
		FUZZ_CHECK(ffaemu_trace_write(t, fmts[i], sink_write, &k) == 0, "trace_write %d",
			   (int)fmts[i]);
	}
	struct ffaemu_trace *back = NULL;
	struct ffaemu_trace_parse_error err;
	int rc = ffaemu_trace_read_jsonl((const char *)k.buf, k.len, NULL, &back, &err);
	FUZZ_CHECK(rc == 0, "own JSONL does not read back: line %zu col %zu: %s", err.line,
		   err.column, err.message);
	FUZZ_CHECK(ffaemu_trace_count(back) == ffaemu_trace_count(t), "record count %zu != %zu",
		   ffaemu_trace_count(back), ffaemu_trace_count(t));
	for (size_t i = 0; i < ffaemu_trace_count(t); i++) {
		const struct ffaemu_trace_record *a = ffaemu_trace_at(t, i), *b = ffaemu_trace_at(back, i);
		FUZZ_CHECK(memcmp(&a->in, &b->in, sizeof(a->in)) == 0 &&
				   memcmp(&a->out, &b->out, sizeof(a->out)) == 0 &&
				   a->ffa_version == b->ffa_version && a->depth == b->depth,
			   "record %zu differs after the round trip", i);
	}
	ffaemu_trace_free(&back);
	free(k.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct run r;
	struct ffaemu_trace *trace = NULL;
	uint8_t pi = fz_u8(&f), si = fz_u8(&f), flags = fz_u8(&f);

	fid_table_init();
	memset(&r, 0, sizeof(r));
	FUZZ_CHECK(stack_new(&r.st, pi, si, NULL, true) == 0, "stack_new");
	if (flags & 1) {
		FUZZ_CHECK(ffaemu_trace_new(NULL, &trace) == 0, "trace_new");
		FUZZ_CHECK(ffaemu_trace_attach(trace, ffaemu_system_host_edge(r.st.sys)) == 0,
			   "trace_attach");
	}
	for (unsigned ops = 0; fz_left(&f) && ops < FUZZ_MAX_OPS; ops++) {
		switch (fz_u8(&f) % 4) {
		case 0:
		case 1:
			op_call(&r, &f);
			break;
		case 2:
			op_txw(&r, &f);
			break;
		default:
			op_desc(&r, &f);
			break;
		}
	}
	if (trace) {
		trace_round_trip(trace);
		ffaemu_trace_free(&trace);
	}
	stack_free(&r.st);
	return 0;
}
