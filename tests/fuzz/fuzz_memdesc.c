/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 2: memory transaction descriptors (v1.0, v1.1, v1.2 layouts)
 * into the descriptor codec, and through the stack into the proxy's and
 * the SPMC's parsers, fragmented at input-chosen points.
 *
 * Input:
 *   u8 sel: bits 0-1 layout version (1.0/1.1/1.2/1.2), bits 2-4 kind for the
 *           codec (1..5), bits 5-6 ABI (SHARE/LEND/DONATE/SHARE 32-bit)
 *   u8 proxy profile index (0 = none)
 *   u16 x 4 fragment lengths (each mod what is left, 0 = all that fits a page)
 *   the descriptor bytes (the rest of the input)
 *
 * Checks: the codec's answers are consistent with each other and never read
 * past len (ASan); the stack keeps its invariants after every call
 * (stack.h), and a successful send is reclaimed.
 */
#include "stack.h"

static const uint32_t versions[] = {FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2,
				    FFAEMU_FFA_1_2};

static void codec(const uint8_t *d, size_t len, uint32_t version, enum ffaemu_memdesc_kind kind,
		  const uint16_t *frag)
{
	struct ffaemu_memdesc md;
	struct ffaemu_memdesc_error err;

	if (ffaemu_memdesc_parse(d, len, version, kind, &md, &err) == 0) {
		FUZZ_CHECK(md.len == len && md.total_len == len, "parsed view length");
		FUZZ_CHECK(md.constituents_present == md.constituent_count ||
				   md.composite_offset == 0,
			   "complete parse has every constituent");
		for (uint32_t i = 0; i < md.receiver_count; i++) {
			struct ffaemu_memdesc_receiver r;
			FUZZ_CHECK(ffaemu_memdesc_receiver(&md, i, &r) == 0, "receiver %u", i);
			FUZZ_CHECK(ffaemu_memdesc_find_receiver(&md, r.id) <= (int64_t)i,
				   "find_receiver");
		}
		struct ffaemu_memdesc_iter it;
		struct ffaemu_range rg, ranges[64];
		uint64_t pages = 0;
		size_t n = 0;
		ffaemu_memdesc_iter_init(&it, &md);
		while (ffaemu_memdesc_iter_next(&it, &rg)) {
			FUZZ_CHECK(rg.pages > 0 && (rg.base & (FFAEMU_PAGE_SIZE - 1)) == 0,
				   "constituent shape");
			FUZZ_CHECK(rg.base + rg.pages * FFAEMU_PAGE_SIZE > rg.base ||
					   rg.base + rg.pages * FFAEMU_PAGE_SIZE == 0,
				   "constituent wraps");
			pages += rg.pages;
			if (n < 64)
				ranges[n++] = rg;
		}
		if (md.composite_offset)
			FUZZ_CHECK(pages == md.total_pages, "page count %llu != %u",
				   (unsigned long long)pages, md.total_pages);
		(void)ffaemu_memdesc_ranges_overlap(ranges, n);
		/* Fragment boundaries as a sender would choose them (spec E2). */
		size_t off = 0, fl = 0;
		for (int k = 0; k < 8 && off < len; k++) {
			size_t max = frag[k & 3] ? frag[k & 3] : FFAEMU_PAGE_SIZE;
			if (ffaemu_memdesc_fragment_len(&md, off, max, &fl) != 0)
				break;
			FUZZ_CHECK(fl > 0 && fl <= max && fl <= len - off, "fragment_len %zu", fl);
			off += fl;
		}
	}

	/* The first fragment of a send, then the rest as later fragments. */
	size_t head = frag[0] % (len + 1);
	if (kind <= FFAEMU_MEMDESC_DONATE &&
	    ffaemu_memdesc_parse_head(d, head, len, version, kind, &md, &err) == 0) {
		FUZZ_CHECK(md.constituents_present <= md.constituent_count, "head constituents");
		size_t off = head;
		uint64_t sum = 0;
		for (int k = 1; k < 4 && off < len; k++) {
			size_t fl = frag[k] % (len - off + 1);
			fl -= fl % FFAEMU_MEMDESC_CONSTITUENT_SIZE;
			if (!fl)
				fl = len - off;
			(void)ffaemu_memdesc_check_constituents(d + off, fl,
								(uint32_t)((off - head) / 16), &sum,
								&err);
			off += fl;
		}
	}

	struct ffaemu_memdesc_relinquish rl;
	if (ffaemu_memdesc_relinquish_parse(d, len, &rl, &err) == 0)
		for (uint32_t i = 0; i < rl.endpoint_count; i++)
			(void)ffaemu_memdesc_relinquish_endpoint(&rl, i);
}

static void call(struct stack *s, uint32_t fid, uint64_t x1, uint64_t x2, uint64_t x3,
		 uint64_t x4, struct ffaemu_regs *out)
{
	ffaemu_regs_clear(out);
	out->x[0] = fid;
	out->x[1] = x1;
	out->x[2] = x2;
	out->x[3] = x3;
	out->x[4] = x4;
	stack_call(s, out);
}

static void through_stack(const uint8_t *d, size_t len, unsigned sel, unsigned proxy,
			  const uint16_t *frag)
{
	static const uint32_t abis[] = {FFAEMU_FFA_MEM_SHARE_64, FFAEMU_FFA_MEM_LEND_64,
					FFAEMU_FFA_MEM_DONATE_64, FFAEMU_FFA_MEM_SHARE};
	struct ffaemu_mem *mem;
	struct ffaemu_regs r;
	struct stack s;
	uint32_t version = versions[sel & 3];

	FUZZ_CHECK(stack_new(&s, proxy, 0, NULL, true) == 0, "stack_new");
	mem = ffaemu_system_mem(s.sys);
	call(&s, FFAEMU_FFA_VERSION, version, 0, 0, 0, &r);
	call(&s, FFAEMU_FFA_RXTX_MAP_64, s.tx, s.rx, 1, 0, &r);

	/* Send: first fragment with the call, the rest with FRAG_TX (spec E2). */
	size_t first = frag[0] ? frag[0] % (len + 1) : len;
	if (first > FFAEMU_PAGE_SIZE)
		first = FFAEMU_PAGE_SIZE;
	if (ffaemu_mem_write(mem, s.tx, d, first) == 0) {
		call(&s, abis[(sel >> 5) & 3], len, first, 0, 0, &r);
		size_t sent = first;
		for (int k = 1; k < 64 && (uint32_t)r.x[0] == FFAEMU_FFA_MEM_FRAG_RX; k++) {
			uint64_t h = ffaemu_regs_handle(&r, 1);
			size_t off = (uint32_t)r.x[3];
			/* Resume where the relayer says (its w3), or stop. */
			if (off > len)
				break;
			size_t fl = frag[k & 3] ? frag[k & 3] % (len - off + 1) : len - off;
			if (fl > FFAEMU_PAGE_SIZE)
				fl = FFAEMU_PAGE_SIZE;
			if (ffaemu_mem_write(mem, s.tx, d + off, fl) != 0)
				break;
			call(&s, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, fl, 0, &r);
			sent = off + fl;
		}
		(void)sent;
		if ((uint32_t)r.x[0] == FFAEMU_FFA_SUCCESS) {
			uint64_t h = ffaemu_regs_handle(&r, 2);
			call(&s, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0, &r);
		}
	}
	stack_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t sel = fz_u8(&f), proxy = fz_u8(&f);
	uint16_t frag[4];

	for (int i = 0; i < 4; i++)
		frag[i] = fz_u16(&f);
	/* The descriptor: exactly the rest, so ASan sees any read past it. */
	const uint8_t *d = f.p;
	size_t len = fz_left(&f);
	if (len > 1u << 20)
		return 0;
	codec(d, len, versions[sel & 3], (enum ffaemu_memdesc_kind)(1 + (sel >> 2) % 5), frag);
	through_stack(d, len, sel, proxy, frag);
	return 0;
}
