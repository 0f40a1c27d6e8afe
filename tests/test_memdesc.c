/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory transaction descriptor codecs (include/ffa/memdesc.h): one
 * malformed descriptor per rule, per layout version where the rule exists,
 * round trips through the builders, fragment splitting, relinquish.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/memdesc.h>

#define V10 (1u << 0)
#define V11 (1u << 1)
#define V12 (1u << 2)
#define VALL (V10 | V11 | V12)

static const uint32_t versions[3] = { FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2 };

struct fixture {
	uint8_t buf[8192];
	size_t len;
	struct ffaemu_memdesc d; /* view of the valid descriptor before mutation */
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	*state = &f;
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static const struct ffaemu_range base_ranges[2] = {
	{ 0x80000000u, 2 },
	{ 0x80010000u, 3 },
};

/* A valid descriptor of `kind` with 2 receivers (1 for LEND) at version v. */
static void build_valid(struct fixture *f, enum ffaemu_memdesc_kind kind, uint32_t v)
{
	struct ffaemu_memdesc_receiver rx[2];
	struct ffaemu_memdesc_tx tx;
	uint8_t perms;
	int rc;

	memset(rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
	switch (kind) {
	case FFAEMU_MEMDESC_DONATE:
		perms = 0;
		break;
	case FFAEMU_MEMDESC_RETRIEVE_REQ:
	case FFAEMU_MEMDESC_RETRIEVE_RESP:
		perms = FFAEMU_MEM_PERM_DATA_RW | FFAEMU_MEM_PERM_INSTR_NX;
		break;
	default:
		perms = FFAEMU_MEM_PERM_DATA_RW;
		break;
	}
	rx[0].id = 0x8001;
	rx[0].perms = perms;
	rx[1].id = 0x8002;
	rx[1].perms = perms;
	rx[1].impdef[0] = 0xaa;
	tx.sender = 0;
	tx.tag = 0x1234;
	tx.receivers = rx;
	tx.receiver_count = 2;
	tx.constituents = base_ranges;
	tx.constituent_count = 2;
	switch (kind) {
	case FFAEMU_MEMDESC_SHARE:
		tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
		break;
	case FFAEMU_MEMDESC_LEND:
		tx.receiver_count = 1;
		break;
	case FFAEMU_MEMDESC_RETRIEVE_REQ:
		tx.handle = 7;
		tx.no_composite = true;
		tx.flags = (uint32_t)FFAEMU_MEM_TX_SHARE << FFAEMU_MEMDESC_F_TYPE_SHIFT;
		tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
		break;
	case FFAEMU_MEMDESC_RETRIEVE_RESP:
		tx.handle = 7;
		tx.flags = (uint32_t)FFAEMU_MEM_TX_SHARE << FFAEMU_MEMDESC_F_TYPE_SHIFT;
		tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER | FFAEMU_MEM_ATTR_NS;
		break;
	default:
		break;
	}
	rc = ffaemu_memdesc_build(&tx, v, f->buf, sizeof(f->buf), &f->len);
	assert_int_equal(rc, 0);
	rc = ffaemu_memdesc_parse(f->buf, f->len, v, kind, &f->d, NULL);
	assert_int_equal(rc, 0);
}

typedef void (*mutate_fn)(struct fixture *f);

struct bad_case {
	const char *name;
	enum ffaemu_memdesc_kind kind;
	unsigned versions;
	mutate_fn mutate;
	enum ffaemu_memdesc_rule rule;
};

static uint8_t *emad(struct fixture *f, unsigned i)
{
	return f->buf + f->d.emad_offset + (size_t)i * f->d.emad_size;
}

static uint8_t *comp(struct fixture *f)
{
	return f->buf + f->d.composite_offset;
}

static uint8_t *cons(struct fixture *f, unsigned i)
{
	return f->buf + f->d.constituent_offset + 16 * (size_t)i;
}

static void set_all_comp(struct fixture *f, uint32_t v)
{
	for (unsigned i = 0; i < f->d.receiver_count; i++)
		put32(emad(f, i) + 4, v);
}

static void m_short(struct fixture *f) { f->len = f->d.version == FFAEMU_FFA_1_0 ? 31 : 47; }
static void m_hdr_res(struct fixture *f)
{
	if (f->d.version == FFAEMU_FFA_1_0)
		f->buf[3] = 1;
	else
		f->buf[40] = 1;
}
static void m_hdr_res24(struct fixture *f) { f->buf[24] = 1; }
static void m_attr_mbz(struct fixture *f)
{
	if (f->d.version == FFAEMU_FFA_1_0)
		f->buf[2] |= 0x80;
	else
		f->buf[3] |= 0x01;
}
static void m_attr_ns(struct fixture *f) { f->buf[2] |= FFAEMU_MEM_ATTR_NS; }
static void m_attr_type_res(struct fixture *f) { f->buf[2] |= FFAEMU_MEM_ATTR_TYPE_RESERVED; }
static void m_attr_sh_res(struct fixture *f) { f->buf[2] = 0x2d; }
static void m_attr_cache_res(struct fixture *f) { f->buf[2] = 0x23; }
static void m_attr_normal(struct fixture *f) { f->buf[2] = FFAEMU_MEM_ATTR_NORMAL_WB_INNER; }
static void m_attr_unspec(struct fixture *f) { f->buf[2] = 0; }
static void m_flags_bit5(struct fixture *f) { put32(f->buf + 4, 1u << 5); }
static void m_flags_bit11(struct fixture *f) { put32(f->buf + 4, (1u << 11) | (1u << 3)); }
static void m_flags_zero(struct fixture *f) { put32(f->buf + 4, FFAEMU_MEMDESC_F_ZERO); }
static void m_flags_req_zero_share(struct fixture *f) { put32(f->buf + 4, (1u << 3) | 1u); }
static void m_flags_no_type(struct fixture *f) { put32(f->buf + 4, 0); }
static void m_flags_hint(struct fixture *f) { put32(f->buf + 4, (1u << 3) | (1u << 9)); }
static void m_flags_resp_mbz(struct fixture *f) { put32(f->buf + 4, (1u << 3) | (1u << 10)); }
static void m_handle(struct fixture *f) { put64(f->buf + 8, 1); }
static void m_emad_size(struct fixture *f)
{
	put32(f->buf + 24, f->d.version == FFAEMU_FFA_1_1 ? 32 : 16);
}
static void m_emad_off_align(struct fixture *f) { put32(f->buf + 32, 56); }
static void m_emad_off_range(struct fixture *f) { put32(f->buf + 32, 32); }
static void m_emad_count_zero(struct fixture *f) { put32(f->buf + 28, 0); }
static void m_emad_count_big(struct fixture *f) { put32(f->buf + 28, 0x10000000u); }
static void m_emad_count_max(struct fixture *f) { put32(f->buf + 28, 0xffffffffu); }
static void m_emad_res(struct fixture *f)
{
	emad(f, 1)[f->d.emad_size == 32 ? 24 : 8] = 1;
}
static void m_emad_res_tail(struct fixture *f) { emad(f, 0)[31] = 0x80; }
static void m_emad_flags(struct fixture *f) { emad(f, 0)[3] = 2; }
static void m_emad_flags_nrb(struct fixture *f) { emad(f, 0)[3] = 1; }
static void m_perm_data_res(struct fixture *f) { emad(f, 0)[2] = 3; }
static void m_perm_instr_res(struct fixture *f) { emad(f, 0)[2] = 0x0e; }
static void m_perm_hi(struct fixture *f) { emad(f, 0)[2] |= 0x10; }
static void m_perm_none(struct fixture *f) { emad(f, 0)[2] = 0; }
static void m_perm_ro(struct fixture *f) { emad(f, 1)[2] = FFAEMU_MEM_PERM_DATA_RO; }
static void m_perm_x(struct fixture *f) { emad(f, 0)[2] |= FFAEMU_MEM_PERM_INSTR_X; }
static void m_perm_nx(struct fixture *f) { emad(f, 0)[2] |= FFAEMU_MEM_PERM_INSTR_NX; }
static void m_dup(struct fixture *f) { put16(emad(f, 1), 0x8001); }
static void m_self(struct fixture *f) { put16(emad(f, 1), 0); }
static void m_comp_mismatch(struct fixture *f) { put32(emad(f, 1) + 4, f->d.composite_offset + 16); }
static void m_comp_zero(struct fixture *f) { set_all_comp(f, 0); }
static void m_comp_align(struct fixture *f) { set_all_comp(f, f->d.composite_offset + 8); }
static void m_comp_overlap(struct fixture *f) { set_all_comp(f, f->d.emad_offset); }
static void m_comp_far(struct fixture *f) { set_all_comp(f, 0xfffffff0u); }
static void m_comp_res(struct fixture *f) { comp(f)[15] = 1; }
static void m_req_comp(struct fixture *f) { set_all_comp(f, (uint32_t)f->len); }
static void m_req_long(struct fixture *f) { f->len += 16; }
static void m_req_short(struct fixture *f) { f->len -= 16; }
static void m_ccount_plus(struct fixture *f) { put32(comp(f) + 4, 3); }
static void m_ccount_zero(struct fixture *f) { put32(comp(f) + 4, 0); }
static void m_ccount_wrap(struct fixture *f) { put32(comp(f) + 4, 0xffffffffu); }
static void m_trailing(struct fixture *f) { f->len += 16; }
static void m_c_align(struct fixture *f) { put64(cons(f, 1), 0x80010800u); }
static void m_c_empty(struct fixture *f) { put32(cons(f, 0) + 8, 0); }
static void m_c_wrap(struct fixture *f) { put64(cons(f, 1), 0xfffffffffffff000ull); }
static void m_c_end64(struct fixture *f)
{
	put64(cons(f, 1), 0xffffffffffffd000ull); /* 3 pages end exactly at 2^64 */
}
static void m_c_res(struct fixture *f) { cons(f, 0)[12] = 1; }
static void m_pages(struct fixture *f) { put32(comp(f), 6); }
static void m_pages_wrap(struct fixture *f)
{
	/* u32 sum wraps to the header's 5 if added in 32 bits */
	put32(cons(f, 0) + 8, 0xffffffffu);
	put32(cons(f, 1) + 8, 6);
}

#define C(n, k, v, m, r) { n, FFAEMU_MEMDESC_##k, v, m, FFAEMU_MEMDESC_R_##r }
static const struct bad_case bad_cases[] = {
	C("short header", SHARE, VALL, m_short, LENGTH),
	C("header reserved", SHARE, VALL, m_hdr_res, HDR_RESERVED),
	C("v1.0 reserved word 24", SHARE, V10, m_hdr_res24, HDR_RESERVED),
	C("attribute MBZ bits", SHARE, VALL, m_attr_mbz, ATTR_MBZ),
	C("NS bit in share", SHARE, VALL, m_attr_ns, ATTR_NS),
	C("NS bit in retrieve req", RETRIEVE_REQ, VALL, m_attr_ns, ATTR_NS),
	C("reserved memory type", SHARE, VALL, m_attr_type_res, ATTR_RESERVED),
	C("reserved shareability", SHARE, VALL, m_attr_sh_res, ATTR_RESERVED),
	C("reserved cacheability", SHARE, VALL, m_attr_cache_res, ATTR_RESERVED),
	C("donate with memory type", DONATE, VALL, m_attr_normal, ATTR_TYPE),
	C("1-borrower lend with memory type", LEND, VALL, m_attr_normal, ATTR_TYPE),
	C("share without memory type", SHARE, VALL, m_attr_unspec, ATTR_TYPE),
	C("send flags bit 5", LEND, VALL, m_flags_bit5, FLAGS_MBZ),
	C("retrieve flags bit 11", RETRIEVE_REQ, VALL, m_flags_bit11, FLAGS_MBZ),
	C("zero flag with share", SHARE, VALL, m_flags_zero, FLAGS_ZERO_SHARE),
	C("retrieve zero with share type", RETRIEVE_REQ, VALL, m_flags_req_zero_share,
	  FLAGS_ZERO_SHARE),
	C("response without type", RETRIEVE_RESP, VALL, m_flags_no_type, FLAGS_TYPE),
	C("response flags bit 10", RETRIEVE_RESP, VALL, m_flags_resp_mbz, FLAGS_MBZ),
	C("alignment hint", RETRIEVE_REQ, VALL, m_flags_hint, FLAGS_ALIGN_HINT),
	C("handle in send", SHARE, VALL, m_handle, HANDLE),
	C("EMAD size for version", SHARE, V11 | V12, m_emad_size, EMAD_SIZE),
	C("EMAD offset unaligned", SHARE, V11 | V12, m_emad_off_align, EMAD_OFFSET_ALIGN),
	C("EMAD offset in header", SHARE, V11 | V12, m_emad_off_range, EMAD_OFFSET_RANGE),
	C("no receivers in send", SHARE, VALL, m_emad_count_zero, EMAD_COUNT),
	C("EMAD array past the end", SHARE, VALL, m_emad_count_big, EMAD_COUNT),
	C("EMAD count u32 max", LEND, VALL, m_emad_count_max, EMAD_COUNT),
	C("EMAD reserved", SHARE, VALL, m_emad_res, EMAD_RESERVED),
	C("v1.2 EMAD reserved tail", SHARE, V12, m_emad_res_tail, EMAD_RESERVED),
	C("EMAD flags bit 1", SHARE, VALL, m_emad_flags, EMAD_FLAGS),
	C("non-retrieval flag in send", SHARE, VALL, m_emad_flags_nrb, EMAD_FLAGS),
	C("data access 0b11", SHARE, VALL, m_perm_data_res, PERM_RESERVED),
	C("instruction access 0b11", RETRIEVE_REQ, VALL, m_perm_instr_res, PERM_RESERVED),
	C("permission bits 7:4", SHARE, VALL, m_perm_hi, PERM_RESERVED),
	C("share without data access", SHARE, VALL, m_perm_none, PERM_DATA),
	C("donate with data access", DONATE, VALL, m_perm_ro, PERM_DATA),
	C("sender gives X", SHARE, VALL, m_perm_x, PERM_INSTR),
	C("sender gives NX", LEND, VALL, m_perm_nx, PERM_INSTR),
	C("duplicate receiver", SHARE, VALL, m_dup, RECEIVER_DUP),
	C("sender as receiver", SHARE, VALL, m_self, RECEIVER_SENDER),
	C("composite offsets differ", SHARE, VALL, m_comp_mismatch, COMPOSITE_MISMATCH),
	C("composite offset zero", DONATE, VALL, m_comp_zero, COMPOSITE_ZERO),
	C("composite offset zero (resp)", RETRIEVE_RESP, VALL, m_comp_zero, COMPOSITE_ZERO),
	C("composite offset unaligned", SHARE, VALL, m_comp_align, COMPOSITE_ALIGN),
	C("composite over EMADs", SHARE, VALL, m_comp_overlap, COMPOSITE_RANGE),
	C("composite near 2^32", SHARE, VALL, m_comp_far, COMPOSITE_RANGE),
	C("composite reserved", SHARE, VALL, m_comp_res, COMPOSITE_RESERVED),
	C("retrieve with composite", RETRIEVE_REQ, VALL, m_req_comp, RETRIEVE_COMPOSITE),
	C("retrieve request too long", RETRIEVE_REQ, VALL, m_req_long, RETRIEVE_LENGTH),
	C("retrieve request too short", RETRIEVE_REQ, VALL, m_req_short, EMAD_COUNT),
	C("range count too high", SHARE, VALL, m_ccount_plus, CONSTITUENT_COUNT),
	C("range count zero", SHARE, VALL, m_ccount_zero, CONSTITUENT_COUNT),
	C("range count wraps u32 bytes", SHARE, VALL, m_ccount_wrap, CONSTITUENT_COUNT),
	C("trailing bytes", SHARE, VALL, m_trailing, CONSTITUENT_COUNT),
	C("range not 4K aligned", SHARE, VALL, m_c_align, CONSTITUENT_ALIGN),
	C("range of 0 pages", LEND, VALL, m_c_empty, CONSTITUENT_EMPTY),
	C("range wraps 2^64", SHARE, VALL, m_c_wrap, CONSTITUENT_WRAP),
	C("range ends at 2^64", SHARE, VALL, m_c_end64, CONSTITUENT_WRAP),
	C("range reserved", RETRIEVE_RESP, VALL, m_c_res, CONSTITUENT_RESERVED),
	C("page count != sum", SHARE, VALL, m_pages, PAGE_COUNT),
	C("page sum wraps u32", SHARE, VALL, m_pages_wrap, PAGE_COUNT),
};
#undef C

static void test_every_rule_rejects_its_malformed_descriptor(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];

		for (unsigned vi = 0; vi < 3; vi++) {
			struct ffaemu_memdesc out;
			struct ffaemu_memdesc_error err;
			int rc;

			if (!(bc->versions & (1u << vi)))
				continue;
			build_valid(f, bc->kind, versions[vi]);
			bc->mutate(f);
			memset(&out, 0x5a, sizeof(out));
			rc = ffaemu_memdesc_parse(f->buf, f->len, versions[vi], bc->kind, &out, &err);
			if (rc != FFAEMU_EPARSE || err.rule != bc->rule)
				fail_msg("%s (v1.%u): rc %d rule %s, want %s", bc->name, vi, rc,
					 ffaemu_memdesc_rule_name(err.rule),
					 ffaemu_memdesc_rule_name(bc->rule));
			assert_true(err.offset < sizeof(f->buf));
			/* the view is untouched on failure */
			assert_int_equal(((uint8_t *)&out)[0], 0x5a);
		}
	}
}

static void test_bad_version_word(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_memdesc out;
	struct ffaemu_memdesc_error err;

	build_valid(f, FFAEMU_MEMDESC_SHARE, FFAEMU_FFA_1_1);
	assert_int_equal(ffaemu_memdesc_parse(f->buf, f->len, 0x20000, FFAEMU_MEMDESC_SHARE, &out,
					      &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_VERSION);
	assert_int_equal(ffaemu_memdesc_parse(f->buf, f->len, 0x80010001u, FFAEMU_MEMDESC_SHARE,
					      &out, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_VERSION);
	assert_int_equal(ffaemu_memdesc_parse(NULL, 0, FFAEMU_FFA_1_1, FFAEMU_MEMDESC_SHARE, &out,
					      &err), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_memdesc_parse(f->buf, f->len, FFAEMU_FFA_1_1,
					      (enum ffaemu_memdesc_kind)9, &out, &err),
			 FFAEMU_EINVAL);
}

static void test_v12_reader_rejects_v11_layout(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_memdesc out;
	struct ffaemu_memdesc_error err;

	/* EMAD size follows the writer's version (spec G3): 16 at v1.1, 32 at v1.2. */
	build_valid(f, FFAEMU_MEMDESC_SHARE, FFAEMU_FFA_1_1);
	assert_int_equal(ffaemu_memdesc_parse(f->buf, f->len, FFAEMU_FFA_1_2, FFAEMU_MEMDESC_SHARE,
					      &out, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_EMAD_SIZE);
	/* A v1.0 layout read as v1.1 puts the EMAD size field over the reserved word. */
	build_valid(f, FFAEMU_MEMDESC_SHARE, FFAEMU_FFA_1_0);
	assert_int_equal(ffaemu_memdesc_parse(f->buf, f->len, FFAEMU_FFA_1_1, FFAEMU_MEMDESC_SHARE,
					      &out, &err), FFAEMU_EPARSE);
}

static void test_rule_table_is_complete(void **state)
{
	(void)state;
	for (int r = 0; r < FFAEMU_MEMDESC_R_COUNT_; r++) {
		const char *n = ffaemu_memdesc_rule_name((enum ffaemu_memdesc_rule)r);
		const char *s = ffaemu_memdesc_rule_spec((enum ffaemu_memdesc_rule)r);

		assert_non_null(n);
		assert_non_null(s);
		assert_int_equal(strncmp(n, "FFAEMU_MEMDESC_", 15), 0);
		if (r)
			assert_non_null(strstr(s, "spec "));
	}
	assert_null(ffaemu_memdesc_rule_name(FFAEMU_MEMDESC_R_COUNT_));
	assert_null(ffaemu_memdesc_rule_spec((enum ffaemu_memdesc_rule)-1));
}

static void test_round_trip_every_kind_and_version(void **state)
{
	struct fixture *f = *state;
	static const enum ffaemu_memdesc_kind kinds[] = {
		FFAEMU_MEMDESC_SHARE, FFAEMU_MEMDESC_LEND, FFAEMU_MEMDESC_DONATE,
		FFAEMU_MEMDESC_RETRIEVE_REQ, FFAEMU_MEMDESC_RETRIEVE_RESP
	};
	static const size_t want_len[3][5] = {
		/* v1.0: 32 + n*16 (+16 + 32) */
		{ 32 + 32 + 48, 32 + 16 + 48, 32 + 32 + 48, 32 + 32, 32 + 32 + 48 },
		{ 48 + 32 + 48, 48 + 16 + 48, 48 + 32 + 48, 48 + 32, 48 + 32 + 48 },
		{ 48 + 64 + 48, 48 + 32 + 48, 48 + 64 + 48, 48 + 64, 48 + 64 + 48 },
	};

	for (unsigned vi = 0; vi < 3; vi++) {
		for (unsigned ki = 0; ki < 5; ki++) {
			struct ffaemu_memdesc_receiver r;
			struct ffaemu_memdesc_iter it;
			struct ffaemu_range rg;
			unsigned n = 0;

			build_valid(f, kinds[ki], versions[vi]);
			assert_int_equal(f->len, want_len[vi][ki]);
			assert_int_equal(f->d.sender, 0);
			assert_int_equal(f->d.tag, 0x1234);
			assert_int_equal(f->d.version, versions[vi]);
			assert_int_equal(f->d.emad_size, vi == 2 ? 32 : 16);
			assert_int_equal(f->d.emad_offset, vi == 0 ? 32 : 48);
			assert_int_equal(ffaemu_memdesc_receiver(&f->d, 0, &r), 0);
			assert_int_equal(r.id, 0x8001);
			if (kinds[ki] == FFAEMU_MEMDESC_RETRIEVE_REQ) {
				assert_int_equal(f->d.handle, 7);
				assert_int_equal(f->d.composite_offset, 0);
				assert_int_equal(f->d.constituents_present, 0);
				assert_int_equal(r.composite_offset, 0);
				continue;
			}
			assert_int_equal(r.composite_offset, f->d.composite_offset);
			assert_int_equal(f->d.composite_offset % 16, 0);
			assert_int_equal(f->d.total_pages, 5);
			assert_int_equal(f->d.constituent_count, 2);
			assert_int_equal(f->d.constituents_present, 2);
			ffaemu_memdesc_iter_init(&it, &f->d);
			while (ffaemu_memdesc_iter_next(&it, &rg)) {
				assert_int_equal(rg.base, base_ranges[n].base);
				assert_int_equal(rg.pages, base_ranges[n].pages);
				n++;
			}
			assert_int_equal(n, 2);
			assert_int_equal(ffaemu_memdesc_constituent(&f->d, 2, &rg), FFAEMU_ERANGE);
			if (f->d.receiver_count == 2) {
				assert_int_equal(ffaemu_memdesc_receiver(&f->d, 1, &r), 0);
				/* the impl-defined value exists only in the 32-byte EMAD */
				assert_int_equal(r.impdef[0], vi == 2 ? 0xaa : 0);
				assert_int_equal(ffaemu_memdesc_find_receiver(&f->d, 0x8002), 1);
			}
			assert_int_equal(ffaemu_memdesc_receiver(&f->d, 2, &r), FFAEMU_ERANGE);
			assert_int_equal(ffaemu_memdesc_find_receiver(&f->d, 0x8009), -1);
		}
	}
}

static void test_hypervisor_retrieve_request(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_memdesc d;
	struct ffaemu_memdesc_error err;
	uint8_t pkvm[48];
	size_t len;

	for (unsigned vi = 0; vi < 3; vi++) {
		assert_int_equal(ffaemu_memdesc_build_hyp_retrieve_req(0, 0x42, versions[vi], f->buf,
								       sizeof(f->buf), &len), 0);
		assert_int_equal(len, vi == 0 ? 32 : 48);
		assert_int_equal(ffaemu_memdesc_parse(f->buf, len, versions[vi],
						      FFAEMU_MEMDESC_RETRIEVE_REQ, &d, &err), 0);
		assert_int_equal(d.receiver_count, 0);
		assert_int_equal(d.handle, 0x42);
		/* exact length: one byte more is refused (spec E1 step 4) */
		assert_int_equal(ffaemu_memdesc_parse(f->buf, len + 16, versions[vi],
						      FFAEMU_MEMDESC_RETRIEVE_REQ, &d, &err),
				 FFAEMU_EPARSE);
		assert_int_equal(err.rule, FFAEMU_MEMDESC_R_RETRIEVE_LENGTH);
	}
	/* pKVM's form: 48 bytes, only the handle set (pkvm-proxy 1.15) */
	memset(pkvm, 0, sizeof(pkvm));
	put64(pkvm + 8, 0x1122334455667788ull);
	assert_int_equal(ffaemu_memdesc_parse(pkvm, sizeof(pkvm), FFAEMU_FFA_1_1,
					      FFAEMU_MEMDESC_RETRIEVE_REQ, &d, &err), 0);
	assert_int_equal(d.handle, 0x1122334455667788ull);
	/* with a receiver it is an ordinary request and the EMAD fields count */
	put32(pkvm + 28, 1);
	assert_int_equal(ffaemu_memdesc_parse(pkvm, sizeof(pkvm), FFAEMU_FFA_1_1,
					      FFAEMU_MEMDESC_RETRIEVE_REQ, &d, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_EMAD_SIZE);
	/* a hypervisor retrieve request in a send is still a send without receivers */
	put32(pkvm + 28, 0);
	assert_int_equal(ffaemu_memdesc_parse(pkvm, sizeof(pkvm), FFAEMU_FFA_1_1,
					      FFAEMU_MEMDESC_SHARE, &d, &err), FFAEMU_EPARSE);
}

static void test_builder_checks_capacity_and_input(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_memdesc_receiver r = { .id = 0x8001, .perms = FFAEMU_MEM_PERM_DATA_RW };
	struct ffaemu_range big = { 0x1000, 0x100000000ull };
	struct ffaemu_memdesc_tx tx;
	size_t len = 0;

	memset(&tx, 0, sizeof(tx));
	tx.receivers = &r;
	tx.receiver_count = 1;
	tx.constituents = base_ranges;
	tx.constituent_count = 2;
	assert_int_equal(ffaemu_memdesc_size(&tx, FFAEMU_FFA_1_2, &len), 0);
	assert_int_equal(len, 48 + 32 + 16 + 32);
	assert_int_equal(ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, f->buf, len - 1, &len),
			 FFAEMU_ERANGE);
	assert_int_equal(ffaemu_memdesc_build(&tx, 0x30000, f->buf, sizeof(f->buf), &len),
			 FFAEMU_EINVAL);
	tx.constituents = &big;
	tx.constituent_count = 1;
	assert_int_equal(ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, f->buf, sizeof(f->buf), &len),
			 FFAEMU_EINVAL);
	tx.constituents = NULL;
	assert_int_equal(ffaemu_memdesc_size(&tx, FFAEMU_FFA_1_2, &len), FFAEMU_EINVAL);
}

/* 600 ranges split at 4096 bytes: E2 shape, and the pieces reassemble. */
static void test_fragments_hold_head_then_whole_constituents(void **state)
{
	static uint8_t whole[48 + 32 + 16 + 600 * 16], again[sizeof(whole)];
	static struct ffaemu_range ranges[600];
	struct ffaemu_memdesc_receiver r = { .id = 0x8001, .perms = FFAEMU_MEM_PERM_DATA_RW };
	struct ffaemu_memdesc_tx tx;
	struct ffaemu_memdesc d, head;
	size_t len, off = 0, frag;
	uint64_t sum = 0;
	unsigned nfrag = 0;

	(void)state;
	for (unsigned i = 0; i < 600; i++) {
		ranges[i].base = 0x100000000ull + (uint64_t)i * 0x2000;
		ranges[i].pages = 1;
	}
	memset(&tx, 0, sizeof(tx));
	tx.receivers = &r;
	tx.receiver_count = 1;
	tx.constituents = ranges;
	tx.constituent_count = 600;
	assert_int_equal(ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, whole, sizeof(whole), &len), 0);
	assert_int_equal(len, sizeof(whole));
	assert_int_equal(ffaemu_memdesc_parse(whole, len, FFAEMU_FFA_1_2, FFAEMU_MEMDESC_LEND, &d,
					      NULL), 0);
	assert_int_equal(d.total_pages, 600);

	while (off < len) {
		assert_int_equal(ffaemu_memdesc_fragment_len(&d, off, 4096, &frag), 0);
		assert_true(frag <= 4096);
		assert_int_equal(frag % 16, 0);
		if (off == 0) {
			assert_true(frag >= d.constituent_offset);
			assert_int_equal(ffaemu_memdesc_parse_head(whole, frag, len, FFAEMU_FFA_1_2,
								   FFAEMU_MEMDESC_LEND, &head,
								   NULL), 0);
			assert_int_equal(head.constituents_present,
					 (frag - d.constituent_offset) / 16);
			assert_int_equal(head.constituent_count, 600);
			sum += head.constituents_present; /* one page each */
		} else {
			assert_int_equal(ffaemu_memdesc_check_constituents(
						 whole + off, frag,
						 (uint32_t)((off - d.constituent_offset) / 16), &sum,
						 NULL), 0);
		}
		memcpy(again + off, whole + off, frag);
		off += frag;
		nfrag++;
	}
	assert_int_equal(nfrag, 3);
	assert_int_equal(sum, 600);
	assert_memory_equal(again, whole, len);
	/* boundaries that are not whole constituents, and too small a buffer */
	assert_int_equal(ffaemu_memdesc_fragment_len(&d, d.constituent_offset + 8, 4096, &frag),
			 FFAEMU_ERANGE);
	assert_int_equal(ffaemu_memdesc_fragment_len(&d, len, 4096, &frag), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_memdesc_fragment_len(&d, 0, d.constituent_offset - 16, &frag),
			 FFAEMU_ERANGE);
	assert_int_equal(ffaemu_memdesc_fragment_len(&d, d.constituent_offset, 15, &frag),
			 FFAEMU_ERANGE);
}

static void test_head_parse_rules(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_memdesc d;
	struct ffaemu_memdesc_error err;

	build_valid(f, FFAEMU_MEMDESC_SHARE, FFAEMU_FFA_1_1);
	/* composite header outside the first fragment (spec E2) */
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->d.composite_offset + 8, f->len,
						   FFAEMU_FFA_1_1, FFAEMU_MEMDESC_SHARE, &d, &err),
			 FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_COMPOSITE_RANGE);
	/* half a constituent */
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->d.constituent_offset + 8, f->len,
						   FFAEMU_FFA_1_1, FFAEMU_MEMDESC_SHARE, &d, &err),
			 FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_FRAGMENT);
	/* total that does not match the composite's count */
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->d.constituent_offset, f->len + 16,
						   FFAEMU_FFA_1_1, FFAEMU_MEMDESC_SHARE, &d, &err),
			 FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_CONSTITUENT_COUNT);
	/* fragment longer than the total */
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->len, f->len - 16, FFAEMU_FFA_1_1,
						   FFAEMU_MEMDESC_SHARE, &d, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_LENGTH);
	/* only the head: valid, nothing present, page sum not yet checked */
	put32(f->buf + f->d.composite_offset, 99);
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->d.constituent_offset, f->len,
						   FFAEMU_FFA_1_1, FFAEMU_MEMDESC_SHARE, &d, &err),
			 0);
	assert_int_equal(d.constituents_present, 0);
	assert_int_equal(d.total_len, f->len);
	/* total above u32 */
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->len, (size_t)1 << 33, FFAEMU_FFA_1_1,
						   FFAEMU_MEMDESC_SHARE, &d, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_LENGTH);
	/* retrieve requests are never fragmented */
	build_valid(f, FFAEMU_MEMDESC_RETRIEVE_REQ, FFAEMU_FFA_1_1);
	assert_int_equal(ffaemu_memdesc_parse_head(f->buf, f->len, f->len + 16, FFAEMU_FFA_1_1,
						   FFAEMU_MEMDESC_RETRIEVE_REQ, &d, &err),
			 FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_FRAGMENT);
}

static void test_check_constituents_reports_index(void **state)
{
	uint8_t c[48];
	struct ffaemu_memdesc_error err;
	uint64_t sum = 0;

	(void)state;
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 3; i++) {
		put64(c + 16 * i, 0x1000u * (uint64_t)(i + 1) * 4);
		put32(c + 16 * i + 8, 1);
	}
	assert_int_equal(ffaemu_memdesc_check_constituents(c, 48, 10, &sum, &err), 0);
	assert_int_equal(sum, 3);
	put32(c + 40, 0);
	assert_int_equal(ffaemu_memdesc_check_constituents(c, 48, 10, &sum, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_CONSTITUENT_EMPTY);
	assert_int_equal(err.index, 12);
	assert_int_equal(sum, 3); /* unchanged on failure */
	assert_int_equal(ffaemu_memdesc_check_constituents(c, 40, 0, &sum, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_FRAGMENT);
}

static void test_ranges_overlap(void **state)
{
	struct ffaemu_range a[3] = { { 0x5000, 1 }, { 0x1000, 4 }, { 0x8000, 1 } };
	struct ffaemu_range b[3] = { { 0x5000, 1 }, { 0x1000, 5 }, { 0x8000, 1 } };
	struct ffaemu_range c[2] = { { 0x3000, 1 }, { 0x3000, 1 } };

	(void)state;
	assert_false(ffaemu_memdesc_ranges_overlap(a, 3)); /* 0x1000-0x5000 touches, no overlap */
	assert_int_equal(a[0].base, 0x1000);              /* sorted */
	assert_true(ffaemu_memdesc_ranges_overlap(b, 3));
	assert_true(ffaemu_memdesc_ranges_overlap(c, 2));
	assert_false(ffaemu_memdesc_ranges_overlap(c, 1));
}

static void test_relinquish_round_trip_and_rules(void **state)
{
	struct fixture *f = *state;
	const ffaemu_id_t ids[2] = { 0x8001, 0x8003 };
	struct ffaemu_memdesc_relinquish r;
	struct ffaemu_memdesc_error err;
	size_t len;

	assert_int_equal(ffaemu_memdesc_relinquish_build(0xabcdef, 1, ids, 2, f->buf,
							 sizeof(f->buf), &len), 0);
	assert_int_equal(len, 20);
	assert_int_equal(ffaemu_memdesc_relinquish_parse(f->buf, len, &r, &err), 0);
	assert_int_equal(r.handle, 0xabcdef);
	assert_int_equal(r.flags, 1);
	assert_int_equal(r.endpoint_count, 2);
	assert_int_equal(ffaemu_memdesc_relinquish_endpoint(&r, 1), 0x8003);
	assert_int_equal(ffaemu_memdesc_relinquish_endpoint(&r, 2), 0);
	assert_int_equal(ffaemu_memdesc_relinquish_build(1, 0, ids, 2, f->buf, 19, &len),
			 FFAEMU_ERANGE);

	assert_int_equal(ffaemu_memdesc_relinquish_parse(f->buf, 15, &r, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_LENGTH);
	assert_int_equal(ffaemu_memdesc_relinquish_parse(f->buf, 22, &r, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_RELINQUISH_COUNT);
	put32(f->buf + 12, 0x80000000u); /* 16 + 2n wraps u32 */
	assert_int_equal(ffaemu_memdesc_relinquish_parse(f->buf, 20, &r, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_RELINQUISH_COUNT);
	put32(f->buf + 12, 0);
	assert_int_equal(ffaemu_memdesc_relinquish_parse(f->buf, 16, &r, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_RELINQUISH_COUNT);
	put32(f->buf + 12, 2);
	put32(f->buf + 8, 4);
	assert_int_equal(ffaemu_memdesc_relinquish_parse(f->buf, 20, &r, &err), FFAEMU_EPARSE);
	assert_int_equal(err.rule, FFAEMU_MEMDESC_R_RELINQUISH_FLAGS);
}

/* Deterministic generator for the robustness test (no rand(): reproducible). */
static uint64_t lcg(uint64_t *st)
{
	*st = *st * 6364136223846793005ull + 1442695040888963407ull;
	return *st >> 33;
}

/*
 * Seeded corruption of valid descriptors and random bytes: every parse
 * returns 0 or FFAEMU_EPARSE, never reads outside the buffer (ASan), and a
 * view that parsed is consistent with the buffer length.
 */
static void test_corrupted_descriptors_never_escape_the_buffer(void **state)
{
	static const enum ffaemu_memdesc_kind kinds[] = {
		FFAEMU_MEMDESC_SHARE, FFAEMU_MEMDESC_LEND, FFAEMU_MEMDESC_DONATE,
		FFAEMU_MEMDESC_RETRIEVE_REQ, FFAEMU_MEMDESC_RETRIEVE_RESP
	};
	struct fixture *f = *state;
	uint64_t seed = 0x5eed;
	unsigned ok = 0;

	for (unsigned iter = 0; iter < 30000; iter++) {
		enum ffaemu_memdesc_kind k = kinds[lcg(&seed) % 5];
		uint32_t v = versions[lcg(&seed) % 3];
		struct ffaemu_memdesc d;
		struct ffaemu_memdesc_iter it;
		struct ffaemu_range rg;
		uint8_t *copy;
		size_t len;
		int rc;

		build_valid(f, k, v);
		len = f->len;
		if (iter % 4 == 0) {
			len = lcg(&seed) % 200;
			for (size_t i = 0; i < len; i++)
				f->buf[i] = (uint8_t)lcg(&seed);
		} else {
			for (unsigned n = 1 + lcg(&seed) % 3; n; n--)
				f->buf[lcg(&seed) % len] ^= (uint8_t)(1u << (lcg(&seed) % 8));
			if (iter % 7 == 0)
				len = lcg(&seed) % (len + 32);
		}
		/* an exact-size heap copy so ASan sees any overread */
		copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, f->buf, len);
		rc = ffaemu_memdesc_parse(copy, len, v, k, &d, NULL);
		assert_true(rc == 0 || rc == FFAEMU_EPARSE);
		if (rc == 0) {
			ok++;
			assert_true(d.total_len == len);
			assert_true((uint64_t)d.emad_offset +
					    (uint64_t)d.receiver_count * d.emad_size <= len ||
				    d.receiver_count == 0);
			for (uint32_t i = 0; i < d.receiver_count; i++) {
				struct ffaemu_memdesc_receiver r;

				assert_int_equal(ffaemu_memdesc_receiver(&d, i, &r), 0);
			}
			ffaemu_memdesc_iter_init(&it, &d);
			while (ffaemu_memdesc_iter_next(&it, &rg))
				assert_true(rg.pages > 0 && (rg.base & 0xfff) == 0);
		}
		rc = ffaemu_memdesc_parse_head(copy, len / 2, len, v, k, &d, NULL);
		assert_true(rc == 0 || rc == FFAEMU_EPARSE);
		free(copy);
	}
	/* some mutations (reserved-free bits such as the tag) leave it valid */
	assert_true(ok > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_rule_rejects_its_malformed_descriptor, setup),
		cmocka_unit_test_setup(test_bad_version_word, setup),
		cmocka_unit_test_setup(test_v12_reader_rejects_v11_layout, setup),
		cmocka_unit_test(test_rule_table_is_complete),
		cmocka_unit_test_setup(test_round_trip_every_kind_and_version, setup),
		cmocka_unit_test_setup(test_hypervisor_retrieve_request, setup),
		cmocka_unit_test_setup(test_builder_checks_capacity_and_input, setup),
		cmocka_unit_test(test_fragments_hold_head_then_whole_constituents),
		cmocka_unit_test_setup(test_head_parse_rules, setup),
		cmocka_unit_test(test_check_constituents_reports_index),
		cmocka_unit_test(test_ranges_overlap),
		cmocka_unit_test_setup(test_relinquish_round_trip_and_rules, setup),
		cmocka_unit_test_setup(test_corrupted_descriptors_never_escape_the_buffer, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
