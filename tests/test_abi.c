/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FF-A ABI table, FID lookup, MBZ masks, error names and version words
 * (spec A1, A3, C1, C1.1, C1.3, C1.4, C2, C4, F, G12, G13).
 *
 * The expectation tables below are written from the spec digest
 * (ffa-smccc.md), not from lib/abi.c, so that a wrong row in the library
 * table fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>

#define V10 FFAEMU_FFA_1_0
#define V11 FFAEMU_FFA_1_1
#define V12 FFAEMU_FFA_1_2
#define V13 FFAEMU_FFA_1_3

/* Register mask helpers: bit n = xn. */
#define BIT(n) (1u << (n))
#define RANGE(a, b) (((1u << ((b) + 1)) - 1u) & ~((1u << (a)) - 1u))

/* ---- Spec C1 master table, with C1.1 widths: one row per ABI ---- */
struct expect_abi {
	unsigned fn;
	const char *name;
	bool has32, has64;
	uint32_t ver, ver64; /* ver64 = 0 when there is no 64-bit FID */
};

static const struct expect_abi spec_c1[] = {
	{0x60, "FFA_ERROR", true, true, V10, V13},
	{0x61, "FFA_SUCCESS", true, true, V10, V10},
	{0x62, "FFA_INTERRUPT", true, true, V10, V13},
	{0x63, "FFA_VERSION", true, false, V10, 0},
	{0x64, "FFA_FEATURES", true, false, V10, 0},
	{0x65, "FFA_RX_RELEASE", true, false, V10, 0},
	{0x66, "FFA_RXTX_MAP", true, true, V10, V10},
	{0x67, "FFA_RXTX_UNMAP", true, false, V10, 0},
	{0x68, "FFA_PARTITION_INFO_GET", true, false, V10, 0},
	{0x69, "FFA_ID_GET", true, false, V10, 0},
	{0x6a, "FFA_MSG_POLL", true, false, V10, 0},
	{0x6b, "FFA_MSG_WAIT", true, true, V10, V13},
	{0x6c, "FFA_YIELD", true, true, V10, V13},
	{0x6d, "FFA_RUN", true, true, V10, V13},
	{0x6e, "FFA_MSG_SEND", true, false, V10, 0},
	{0x6f, "FFA_MSG_SEND_DIRECT_REQ", true, true, V10, V10},
	{0x70, "FFA_MSG_SEND_DIRECT_RESP", true, true, V10, V10},
	{0x71, "FFA_MEM_DONATE", true, true, V10, V10},
	{0x72, "FFA_MEM_LEND", true, true, V10, V10},
	{0x73, "FFA_MEM_SHARE", true, true, V10, V10},
	{0x74, "FFA_MEM_RETRIEVE_REQ", true, true, V10, V10},
	{0x75, "FFA_MEM_RETRIEVE_RESP", true, false, V10, 0},
	{0x76, "FFA_MEM_RELINQUISH", true, false, V10, 0},
	{0x77, "FFA_MEM_RECLAIM", true, false, V10, 0},
	{0x78, "FFA_MEM_OP_PAUSE", true, false, V10, 0},
	{0x79, "FFA_MEM_OP_RESUME", true, false, V10, 0},
	{0x7a, "FFA_MEM_FRAG_RX", true, false, V10, 0},
	{0x7b, "FFA_MEM_FRAG_TX", true, false, V10, 0},
	{0x7c, "FFA_NORMAL_WORLD_RESUME", true, true, V10, V13},
	{0x7d, "FFA_NOTIFICATION_BITMAP_CREATE", true, false, V11, 0},
	{0x7e, "FFA_NOTIFICATION_BITMAP_DESTROY", true, false, V11, 0},
	{0x7f, "FFA_NOTIFICATION_BIND", true, false, V11, 0},
	{0x80, "FFA_NOTIFICATION_UNBIND", true, false, V11, 0},
	{0x81, "FFA_NOTIFICATION_SET", true, false, V11, 0},
	{0x82, "FFA_NOTIFICATION_GET", true, false, V11, 0},
	{0x83, "FFA_NOTIFICATION_INFO_GET", true, true, V11, V11},
	{0x84, "FFA_RX_ACQUIRE", true, false, V11, 0},
	{0x85, "FFA_SPM_ID_GET", true, false, V11, 0},
	{0x86, "FFA_MSG_SEND2", true, false, V11, 0},
	{0x87, "FFA_SECONDARY_EP_REGISTER", true, true, V11, V11},
	{0x88, "FFA_MEM_PERM_GET", true, true, V11, V11},
	{0x89, "FFA_MEM_PERM_SET", true, true, V11, V11},
	{0x8a, "FFA_CONSOLE_LOG", true, true, V12, V12},
	{0x8b, "FFA_PARTITION_INFO_GET_REGS", false, true, V12, V12},
	{0x8c, "FFA_EL3_INTR_HANDLE", true, false, V12, 0},
	{0x8d, "FFA_MSG_SEND_DIRECT_REQ2", false, true, V12, V12},
	{0x8e, "FFA_MSG_SEND_DIRECT_RESP2", false, true, V12, V12},
	{0x8f, "FFA_NS_RES_INFO_GET", false, true, V13, V13},
	{0x90, "FFA_ABORT", true, true, V13, V13},
	{0x94, "FFA_NOTIFICATION_BIND2", false, true, V13, V13},
	{0x95, "FFA_NOTIFICATION_UNBIND2", false, true, V13, V13},
	{0x96, "FFA_NOTIFICATION_SET2", false, true, V13, V13},
	{0x97, "FFA_NOTIFICATION_GET2", false, true, V13, V13},
};
#define N_SPEC_C1 (sizeof(spec_c1) / sizeof(spec_c1[0]))

static const struct expect_abi *spec_row(unsigned fn)
{
	for (size_t i = 0; i < N_SPEC_C1; i++) {
		if (spec_c1[i].fn == fn)
			return &spec_c1[i];
	}
	return NULL;
}

struct fixture {
	const struct ffaemu_abi *rxtx_map, *direct_req, *run, *version;
};

static int setup(void **state)
{
	static struct fixture fx;

	fx.rxtx_map = ffaemu_abi_by_fid(FFAEMU_FFA_RXTX_MAP);
	fx.direct_req = ffaemu_abi_by_fid(FFAEMU_FFA_MSG_SEND_DIRECT_REQ);
	fx.run = ffaemu_abi_by_fid(FFAEMU_FFA_RUN);
	fx.version = ffaemu_abi_by_fid(FFAEMU_FFA_VERSION);
	if (!fx.rxtx_map || !fx.direct_req || !fx.run || !fx.version)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	*state = NULL;
	return 0;
}

/* ---- The table ---- */

static void table_has_one_row_per_spec_c1_abi(void **state)
{
	(void)state;
	assert_int_equal(ffaemu_abi_count(), N_SPEC_C1);
	assert_null(ffaemu_abi_at(ffaemu_abi_count()));
	assert_null(ffaemu_abi_at((size_t)-1));
}

static void every_row_is_well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ffaemu_abi_count(); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_at(i);

		assert_non_null(a);
		assert_non_null(a->name);
		assert_true(strncmp(a->name, "FFA_", 4) == 0);
		assert_null(strstr(a->name, "_64"));
		assert_non_null(a->spec);
		assert_non_null(strstr(a->spec, "DEN0077A"));
		assert_true(a->fid32 != 0 || a->fid64 != 0);
		if (a->fid32)
			assert_int_equal(a->fid32 & 0xffffff00u, 0x84000000u);
		if (a->fid64)
			assert_int_equal(a->fid64 & 0xffffff00u, 0xc4000000u);
		if (a->fid32 && a->fid64)
			assert_int_equal(a->fid32 & 0xffu, a->fid64 & 0xffu);
		/* version64 is set exactly when there is a 64-bit FID, never earlier. */
		assert_int_equal(a->version64 != 0, a->fid64 != 0);
		if (a->fid64)
			assert_true(a->version64 >= a->version);
		/* Masks: never x0, never past x17; SMC32 forms only x1-x7 (spec C1.4). */
		assert_int_equal(a->args32 & ~RANGE(1, 7), 0);
		assert_int_equal(a->res32 & ~RANGE(1, 7), 0);
		assert_int_equal(a->args64 & ~RANGE(1, 17), 0);
		assert_int_equal(a->res64 & ~RANGE(1, 17), 0);
		if (!a->fid32)
			assert_int_equal(a->args32 | a->res32, 0);
		if (!a->fid64)
			assert_int_equal(a->args64 | a->res64, 0);
		assert_int_equal(a->callers & ~0x1fu, 0);
		assert_int_not_equal(a->callers, 0);
		assert_int_equal(a->flags & ~0x7u, 0);
		/* Names are unique. */
		for (size_t k = i + 1; k < ffaemu_abi_count(); k++)
			assert_string_not_equal(a->name, ffaemu_abi_at(k)->name);
	}
}

static void rows_match_spec_c1_widths_and_versions(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SPEC_C1; i++) {
		const struct expect_abi *e = &spec_c1[i];
		const struct ffaemu_abi *a;
		uint32_t fid = 0;

		a = ffaemu_abi_by_name(e->name, &fid);
		assert_non_null(a);
		assert_string_equal(a->name, e->name);
		assert_int_equal(a->fid32, e->has32 ? FFAEMU_FFA_FID32(e->fn) : 0);
		assert_int_equal(a->fid64, e->has64 ? FFAEMU_FFA_FID64(e->fn) : 0);
		assert_int_equal(a->version, e->ver);
		assert_int_equal(a->version64, e->ver64);
	}
}

static void header_fid_macros_match_spec_c1(void **state)
{
	static const struct {
		uint32_t fid;
		const char *name;
	} pins[] = {
		{FFAEMU_FFA_ERROR, "FFA_ERROR"},
		{FFAEMU_FFA_SUCCESS_64, "FFA_SUCCESS"},
		{FFAEMU_FFA_RXTX_MAP_64, "FFA_RXTX_MAP"},
		{FFAEMU_FFA_PARTITION_INFO_GET_REGS, "FFA_PARTITION_INFO_GET_REGS"},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, "FFA_MSG_SEND_DIRECT_REQ2"},
		{FFAEMU_FFA_MSG_SEND_DIRECT_RESP2, "FFA_MSG_SEND_DIRECT_RESP2"},
		{FFAEMU_FFA_EL3_INTR_HANDLE, "FFA_EL3_INTR_HANDLE"},
		{FFAEMU_FFA_ABORT_64, "FFA_ABORT"},
		{FFAEMU_FFA_NOTIFICATION_GET2, "FFA_NOTIFICATION_GET2"},
		{FFAEMU_FFA_MEM_RETRIEVE_RESP, "FFA_MEM_RETRIEVE_RESP"},
		{FFAEMU_FFA_CONSOLE_LOG_64, "FFA_CONSOLE_LOG"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_by_fid(pins[i].fid);

		assert_non_null(a);
		assert_string_equal(a->name, pins[i].name);
	}
	assert_int_equal(FFAEMU_FFA_VERSION, 0x84000063u);
	assert_int_equal(FFAEMU_FFA_RXTX_MAP_64, 0xc4000066u);
	assert_int_equal(FFAEMU_FFA_NOTIFICATION_BIND2, 0xc4000094u);
}

/* ---- Lookup by FID ---- */

static void every_fid_round_trips_through_by_fid_and_by_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < ffaemu_abi_count(); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_at(i);
		char name[64];
		uint32_t fid = 0;

		if (a->fid32) {
			assert_ptr_equal(ffaemu_abi_by_fid(a->fid32), a);
			snprintf(name, sizeof(name), "%s_32", a->name);
			assert_ptr_equal(ffaemu_abi_by_name(name, &fid), a);
			assert_int_equal(fid, a->fid32);
		}
		if (a->fid64) {
			assert_ptr_equal(ffaemu_abi_by_fid(a->fid64), a);
			snprintf(name, sizeof(name), "%s_64", a->name);
			fid = 0;
			assert_ptr_equal(ffaemu_abi_by_name(name, &fid), a);
			assert_int_equal(fid, a->fid64);
			snprintf(name, sizeof(name), "FFA_FN64_%s", a->name + 4);
			fid = 0;
			assert_ptr_equal(ffaemu_abi_by_name(name, &fid), a);
			assert_int_equal(fid, a->fid64);
		}
		/* Bare name: the 32-bit form when there is one. */
		fid = 0;
		assert_ptr_equal(ffaemu_abi_by_name(a->name, &fid), a);
		assert_int_equal(fid, a->fid32 ? a->fid32 : a->fid64);
	}
}

static void whole_ffa_fid_window_is_null_exactly_for_undefined_ids(void **state)
{
	(void)state;
	for (unsigned fn = 0x60; fn <= 0xff; fn++) {
		const struct expect_abi *e = spec_row(fn);
		const struct ffaemu_abi *a32 = ffaemu_abi_by_fid(FFAEMU_FFA_FID32(fn));
		const struct ffaemu_abi *a64 = ffaemu_abi_by_fid(FFAEMU_FFA_FID64(fn));

		if (e && e->has32) {
			assert_non_null(a32);
			assert_string_equal(a32->name, e->name);
		} else {
			assert_null(a32);
		}
		if (e && e->has64) {
			assert_non_null(a64);
			assert_string_equal(a64->name, e->name);
		} else {
			assert_null(a64);
		}
	}
	/* spec C1: nothing at 0x91-0x93. */
	for (unsigned fn = 0x91; fn <= 0x93; fn++) {
		assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID32(fn)));
		assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID64(fn)));
	}
}

static void sve_hint_bit_is_ignored_by_lookup(void **state)
{
	struct fixture *fx = *state;

	/* spec A1, G12: 0x84010063 is FFA_VERSION with the SVE hint set. */
	assert_ptr_equal(ffaemu_abi_by_fid(0x84010063u), fx->version);
	assert_ptr_equal(ffaemu_abi_by_fid(FFAEMU_FFA_RXTX_MAP_64 | 0x10000u), fx->rxtx_map);
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID64(0x63) | 0x10000u));
	for (size_t i = 0; i < ffaemu_abi_count(); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_at(i);

		if (a->fid32)
			assert_ptr_equal(ffaemu_abi_by_fid(a->fid32 | 0x10000u), a);
		if (a->fid64)
			assert_ptr_equal(ffaemu_abi_by_fid(a->fid64 | 0x10000u), a);
	}
}

static void wrong_width_lookup_returns_null(void **state)
{
	(void)state;
	/* 32-only ABIs have no 64-bit FID, and the 64-only ones no 32-bit FID (spec C1.1). */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID64(0x63))); /* VERSION */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID64(0x64))); /* FEATURES */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID64(0x77))); /* MEM_RECLAIM */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID64(0x8c))); /* EL3_INTR_HANDLE */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID32(0x8b))); /* PARTITION_INFO_GET_REGS */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID32(0x8d))); /* DIRECT_REQ2 */
	assert_null(ffaemu_abi_by_fid(FFAEMU_FFA_FID32(0x94))); /* NOTIFICATION_BIND2 */
}

static void non_ffa_encodings_are_not_found(void **state)
{
	static const uint32_t bad[] = {
		0x04000063u, /* yielding call, not fast */
		0x44000066u, /* yielding SMC64 */
		0x85000063u, /* OEN 5 */
		0x80000063u, /* OEN 0 */
		0x84020063u, /* bit 17 set (bits 23:17 MBZ, spec A1) */
		0x84800063u, /* bit 23 set */
		0x84000163u, /* function 0x163, outside the 8-bit FF-A window */
		0x8400005fu, /* TRNG range end */
		0x840000f0u, /* Errata ABI (spec G13) */
		0x00000000u, 0xffffffffu,
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(ffaemu_abi_by_fid(bad[i]));
}

static void fid_is_ffa_covers_exactly_oen4_0x60_to_0xef(void **state)
{
	(void)state;
	for (unsigned fn = 0; fn <= 0x1ff; fn++) {
		bool want = fn >= 0x60 && fn <= 0xef;

		assert_int_equal(ffaemu_fid_is_ffa(0x84000000u | fn), want);
		assert_int_equal(ffaemu_fid_is_ffa(0xc4000000u | fn), want);
		assert_int_equal(ffaemu_fid_is_ffa(0x84010000u | fn), want); /* SVE hint */
		assert_false(ffaemu_fid_is_ffa(0x04000000u | fn));            /* yielding */
		assert_false(ffaemu_fid_is_ffa(0x85000000u | fn));            /* OEN 5 */
		assert_false(ffaemu_fid_is_ffa(0x84020000u | fn));            /* bit 17 */
	}
	/* 0x91-0x93 are undefined but still inside the FF-A window. */
	assert_true(ffaemu_fid_is_ffa(0x84000092u));
	assert_null(ffaemu_abi_by_fid(0x84000092u));
}


static void lookup_agrees_with_fid_is_ffa_for_any_encoding(void **state)
{
	uint64_t s = 0xabcdef;
	(void)state;

	/* Every combination of the bits around an FF-A function number. */
	for (unsigned top = 0; top < 4; top++) {
		for (unsigned mid = 0; mid < 256; mid++) {
			for (unsigned fn = 0x58; fn <= 0xf8; fn++) {
				uint32_t fid = (top << 30) | 0x04000000u | (mid << 16) | fn;
				const struct ffaemu_abi *a = ffaemu_abi_by_fid(fid);
				/* Only bit 16 (SVE hint) may be set among 23:16, and it must be fast. */
				bool shape = (top & 2) && (mid & ~1u) == 0;

				assert_int_equal(ffaemu_fid_is_ffa(fid), shape && fn >= 0x60 && fn <= 0xef);
				if (a) {
					assert_true(shape);
					assert_true(a->fid32 == (fid & ~0x10000u) ||
						    a->fid64 == (fid & ~0x10000u));
				}
			}
		}
	}
	/* And arbitrary values: a hit is always an FF-A FID. */
	for (unsigned i = 0; i < 200000; i++) {
		uint32_t fid;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		fid = (uint32_t)(s >> 32);
		if (ffaemu_abi_by_fid(fid))
			assert_true(ffaemu_fid_is_ffa(fid));
	}
}

/* ---- Lookup by name ---- */

static void by_name_accepts_every_documented_spelling(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *text;
		uint32_t fid;
	} ok[] = {
		{"FFA_RXTX_MAP", FFAEMU_FFA_RXTX_MAP},
		{"FFA_RXTX_MAP_64", FFAEMU_FFA_RXTX_MAP_64},
		{"FFA_FN64_RXTX_MAP", FFAEMU_FFA_RXTX_MAP_64},
		{"RXTX_MAP", FFAEMU_FFA_RXTX_MAP},
		{"rxtx_map", FFAEMU_FFA_RXTX_MAP},
		{"ffa_fn64_rxtx_map", FFAEMU_FFA_RXTX_MAP_64},
		{"Ffa_RxTx_Map_64", FFAEMU_FFA_RXTX_MAP_64},
		{"FFA_RXTX_MAP_32", FFAEMU_FFA_RXTX_MAP},
		{"RXTX_MAP_64", FFAEMU_FFA_RXTX_MAP_64},
	};
	(void)fx;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint32_t fid = 0;

		assert_ptr_equal(ffaemu_abi_by_name(ok[i].text, &fid), fx->rxtx_map);
		assert_int_equal(fid, ok[i].fid);
	}
	/* fid_out is optional. */
	assert_ptr_equal(ffaemu_abi_by_name("FFA_RUN", NULL), fx->run);
}

static void by_name_rejects_unknown_and_wrong_width(void **state)
{
	static const char *const bad[] = {
		"",          "FFA_",           "FFA_FN64_",      "_64",
		"FFA_BOGUS", "FFA_RXTX",       "FFA_RXTX_MAP_",  "FFA_RXTX_MAP_65",
		"RXTX_MAPX", "FFA_VERSION_64", "FFA_FN64_VERSION", "FFA_FN64_RXTX_MAP_32",
		"FFA_PARTITION_INFO_GET_REGS_32", "FFA_MSG_SEND_DIRECT_REQ2_32",
		"FFA_FFA_RUN", " FFA_RUN",
	};
	uint32_t fid = 0x1234;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(ffaemu_abi_by_name(bad[i], &fid));
	assert_null(ffaemu_abi_by_name(NULL, &fid));
	assert_int_equal(fid, 0x1234); /* untouched on failure */
}

static void by_name_distinguishes_prefix_sharing_abis(void **state)
{
	uint32_t fid = 0;
	(void)state;

	assert_string_equal(ffaemu_abi_by_name("MSG_SEND", &fid)->name, "FFA_MSG_SEND");
	assert_string_equal(ffaemu_abi_by_name("MSG_SEND2", &fid)->name, "FFA_MSG_SEND2");
	assert_string_equal(ffaemu_abi_by_name("MSG_SEND_DIRECT_REQ", &fid)->name,
			    "FFA_MSG_SEND_DIRECT_REQ");
	assert_string_equal(ffaemu_abi_by_name("MSG_SEND_DIRECT_REQ2", &fid)->name,
			    "FFA_MSG_SEND_DIRECT_REQ2");
	assert_int_equal(fid, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	assert_string_equal(ffaemu_abi_by_name("PARTITION_INFO_GET", &fid)->name,
			    "FFA_PARTITION_INFO_GET");
	assert_string_equal(ffaemu_abi_by_name("FFA_PARTITION_INFO_GET_REGS", &fid)->name,
			    "FFA_PARTITION_INFO_GET_REGS");
	assert_int_equal(fid, FFAEMU_FFA_PARTITION_INFO_GET_REGS);
}

/* ---- Callers and flags (spec C1, C1.3) ---- */

static void callers_follow_spec_c1_and_c1_3(void **state)
{
	static const struct {
		uint32_t fid;
		uint8_t must, must_not;
	} rows[] = {
		{FFAEMU_FFA_RUN, FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV,
		 FFAEMU_ABI_CALLER_SV | FFAEMU_ABI_CALLER_SP},
		{FFAEMU_FFA_MSG_WAIT, FFAEMU_ABI_CALLER_SV | FFAEMU_ABI_CALLER_SP,
		 FFAEMU_ABI_CALLER_NP},
		{FFAEMU_FFA_EL3_INTR_HANDLE, FFAEMU_ABI_CALLER_SP,
		 FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SV},
		{FFAEMU_FFA_NORMAL_WORLD_RESUME, FFAEMU_ABI_CALLER_SP,
		 FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SV},
		{FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, FFAEMU_ABI_CALLER_NP,
		 FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SV | FFAEMU_ABI_CALLER_SP},
		{FFAEMU_FFA_RX_ACQUIRE, FFAEMU_ABI_CALLER_NP,
		 FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SV | FFAEMU_ABI_CALLER_SP},
		{FFAEMU_FFA_MEM_PERM_SET, FFAEMU_ABI_CALLER_SV,
		 FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SP},
		{FFAEMU_FFA_CONSOLE_LOG, FFAEMU_ABI_CALLER_SV,
		 FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV},
		{FFAEMU_FFA_RXTX_MAP, FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SV,
		 FFAEMU_ABI_CALLER_SP},
		{FFAEMU_FFA_NS_RES_INFO_GET, FFAEMU_ABI_CALLER_NP,
		 FFAEMU_ABI_CALLER_SV | FFAEMU_ABI_CALLER_SP},
		{FFAEMU_FFA_VERSION,
		 FFAEMU_ABI_CALLER_NP | FFAEMU_ABI_CALLER_NV | FFAEMU_ABI_CALLER_SV |
			 FFAEMU_ABI_CALLER_SP,
		 0},
		{FFAEMU_FFA_SUCCESS, FFAEMU_ABI_CALLER_RESP, 0},
		{FFAEMU_FFA_MEM_RETRIEVE_RESP, FFAEMU_ABI_CALLER_RESP, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_by_fid(rows[i].fid);

		assert_non_null(a);
		assert_int_equal(a->callers & rows[i].must, rows[i].must);
		assert_int_equal(a->callers & rows[i].must_not, 0);
	}
}

static void flags_mark_deprecated_response_and_unconfirmed_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < ffaemu_abi_count(); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_at(i);
		const char *n = a->name;
		/* spec C7.4: MSG_SEND / MSG_POLL deprecated in v1.1. */
		bool dep = !strcmp(n, "FFA_MSG_SEND") || !strcmp(n, "FFA_MSG_POLL");
		/* spec B3, C3: status frames and replies. */
		bool resp = !strcmp(n, "FFA_ERROR") || !strcmp(n, "FFA_SUCCESS") ||
			    !strcmp(n, "FFA_INTERRUPT") || !strcmp(n, "FFA_MEM_RETRIEVE_RESP") ||
			    !strcmp(n, "FFA_MSG_SEND_DIRECT_RESP") ||
			    !strcmp(n, "FFA_MSG_SEND_DIRECT_RESP2") || !strcmp(n, "FFA_MEM_OP_PAUSE");

		assert_int_equal((a->flags & FFAEMU_ABI_F_DEPRECATED) != 0, dep);
		assert_int_equal((a->flags & FFAEMU_ABI_F_RESPONSE) != 0, resp);
	}
	/* spec H: these layouts are UNCONFIRMED in the digest. */
	assert_true(ffaemu_abi_by_fid(FFAEMU_FFA_NOTIFICATION_BIND2)->flags &
		    FFAEMU_ABI_F_UNCONFIRMED);
	assert_true(ffaemu_abi_by_fid(FFAEMU_FFA_NS_RES_INFO_GET)->flags &
		    FFAEMU_ABI_F_UNCONFIRMED);
	assert_true(ffaemu_abi_by_fid(FFAEMU_FFA_ABORT)->flags & FFAEMU_ABI_F_UNCONFIRMED);
	assert_false(ffaemu_abi_by_fid(FFAEMU_FFA_RXTX_MAP)->flags & FFAEMU_ABI_F_UNCONFIRMED);
}

/* ---- Register masks (spec C1.4, F) ---- */

static void mbz_masks_for_representative_abis(void **state)
{
	static const struct {
		uint32_t fid;
		uint32_t ver;
		uint32_t args_mbz, res_mbz;
	} rows[] = {
		/* VERSION: w1 version, w2 flags; reply is the bare w0 (spec C4). */
		{FFAEMU_FFA_VERSION, V11, RANGE(3, 7), RANGE(1, 7)},
		{FFAEMU_FFA_VERSION, V13, RANGE(3, 7), RANGE(1, 7)},
		/* FEATURES: w2 input properties only from v1.1 (spec C5.1). */
		{FFAEMU_FFA_FEATURES, V10, RANGE(2, 7), BIT(1) | RANGE(4, 7)},
		{FFAEMU_FFA_FEATURES, V11, RANGE(3, 7), BIT(1) | RANGE(4, 7)},
		/* PARTITION_INFO_GET: w3 descriptor size only from v1.1 (spec C5.4). */
		{FFAEMU_FFA_PARTITION_INFO_GET, V10, RANGE(6, 7), BIT(1) | RANGE(3, 7)},
		{FFAEMU_FFA_PARTITION_INFO_GET, V11, RANGE(6, 7), BIT(1) | RANGE(4, 7)},
		/* ID_GET: SUCCESS w2 = ID, everything else MBZ (spec C5.2, F). */
		{FFAEMU_FFA_ID_GET, V11, RANGE(1, 7), BIT(1) | RANGE(3, 7)},
		/* RUN: only w1; x8-x17 MBZ for SMC64 at v1.2+ (spec C1.4, C6). */
		{FFAEMU_FFA_RUN, V12, RANGE(2, 7), 0},
		{FFAEMU_FFA_RUN_64, V13, RANGE(2, 17), 0},
		/* MSG_WAIT: w2 flags from v1.2, MBZ before (spec C6). */
		{FFAEMU_FFA_MSG_WAIT, V11, RANGE(1, 7), 0},
		{FFAEMU_FFA_MSG_WAIT, V12, BIT(1) | RANGE(3, 7), 0},
		/* YIELD: timeout in w2/w3 from v1.1 (spec C6). */
		{FFAEMU_FFA_YIELD, V10, RANGE(2, 7), 0},
		{FFAEMU_FFA_YIELD, V11, RANGE(4, 7), 0},
		/* DIRECT_REQ: x1-x7; 64-bit x8-x17 MBZ at v1.2, payload at v1.3 (spec C1.4). */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, V11, 0, 0},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, V11, 0, 0},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, V12, RANGE(8, 17), RANGE(8, 17)},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, V13, 0, 0},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, V13, 0, 0},
		/* DIRECT_REQ2: x1-x17; RESP2 x2/x3 MBZ (spec C7.3). */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, V12, 0, RANGE(2, 3)},
		{FFAEMU_FFA_MSG_SEND_DIRECT_RESP2, V12, RANGE(2, 3), 0},
		/* PARTITION_INFO_GET_REGS: x1-x3 in, SUCCESS_64 x2-x17 out (spec C5.5). */
		{FFAEMU_FFA_PARTITION_INFO_GET_REGS, V12, RANGE(4, 17), BIT(1)},
		/* CONSOLE_LOG_64 at v1.2: x1 count, x2-x17 chars (spec C9). */
		{FFAEMU_FFA_CONSOLE_LOG_64, V12, 0, RANGE(1, 17)},
		{FFAEMU_FFA_CONSOLE_LOG, V12, 0, RANGE(1, 7)},
		/* MEM_SHARE: w1-w4 in, handle in w2/w3 out (spec C1). */
		{FFAEMU_FFA_MEM_SHARE, V11, RANGE(5, 7), BIT(1) | RANGE(4, 7)},
		{FFAEMU_FFA_MEM_SHARE_64, V12, RANGE(5, 17), BIT(1) | RANGE(4, 17)},
		/* RXTX_MAP: x1 TX, x2 RX, w3 count (spec C5.3). */
		{FFAEMU_FFA_RXTX_MAP_64, V11, RANGE(4, 7), RANGE(1, 7)},
		{FFAEMU_FFA_RXTX_MAP_64, V12, RANGE(4, 17), RANGE(1, 17)},
		/* NOTIFICATION_UNBIND: w2 MBZ (spec C1). */
		{FFAEMU_FFA_NOTIFICATION_UNBIND, V11, BIT(2) | RANGE(5, 7), RANGE(1, 7)},
		/* NOTIFICATION_GET: w2-w7 bitmaps out (spec C8). */
		{FFAEMU_FFA_NOTIFICATION_GET, V11, RANGE(3, 7), BIT(1)},
		/* MEM_PERM_GET: w2 page count and w3 reply only from v1.3 (spec C1). */
		{FFAEMU_FFA_MEM_PERM_GET, V11, RANGE(2, 7), BIT(1) | RANGE(3, 7)},
		{FFAEMU_FFA_MEM_PERM_GET, V13, RANGE(3, 7), BIT(1) | RANGE(4, 7)},
		/* MSG_SEND2: w2 flags from v1.2 (spec C7.4). */
		{FFAEMU_FFA_MSG_SEND2, V11, RANGE(2, 7), RANGE(1, 7)},
		{FFAEMU_FFA_MSG_SEND2, V12, RANGE(3, 7), RANGE(1, 7)},
		/* ERROR: w1 target, w2 code, w3 argument; w4-w7 MBZ (spec C3). */
		{FFAEMU_FFA_ERROR, V11, RANGE(4, 7), RANGE(1, 7)},
		/* SMC64 below v1.2 stays within x1-x7 (spec C1.4). */
		{FFAEMU_FFA_RUN_64, V11, RANGE(2, 7), 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_by_fid(rows[i].fid);

		assert_non_null(a);
		if (ffaemu_abi_args_mbz(a, rows[i].fid, rows[i].ver) != rows[i].args_mbz ||
		    ffaemu_abi_results_mbz(a, rows[i].fid, rows[i].ver) != rows[i].res_mbz)
			fail_msg("%s fid 0x%08x v0x%x: args_mbz 0x%x (want 0x%x) res_mbz 0x%x "
				 "(want 0x%x)",
				 a->name, rows[i].fid, rows[i].ver,
				 ffaemu_abi_args_mbz(a, rows[i].fid, rows[i].ver), rows[i].args_mbz,
				 ffaemu_abi_results_mbz(a, rows[i].fid, rows[i].ver),
				 rows[i].res_mbz);
	}
}

static void mbz_masks_stay_inside_the_convention_range(void **state)
{
	static const uint32_t vers[] = {V10, V11, V12, V13, FFAEMU_FFA_VERSION_WORD(2, 0)};
	(void)state;
	for (size_t i = 0; i < ffaemu_abi_count(); i++) {
		const struct ffaemu_abi *a = ffaemu_abi_at(i);

		for (size_t v = 0; v < sizeof(vers) / sizeof(vers[0]); v++) {
			if (a->fid32) {
				assert_int_equal(ffaemu_abi_args_mbz(a, a->fid32, vers[v]) &
							 ~RANGE(1, 7),
						 0);
				assert_int_equal(ffaemu_abi_results_mbz(a, a->fid32, vers[v]) &
							 ~RANGE(1, 7),
						 0);
			}
			if (a->fid64) {
				uint32_t range = vers[v] >= V12 ? RANGE(1, 17) : RANGE(1, 7);

				assert_int_equal(ffaemu_abi_args_mbz(a, a->fid64, vers[v]) & ~range,
						 0);
				assert_int_equal(ffaemu_abi_results_mbz(a, a->fid64, vers[v]) &
							 ~range,
						 0);
				/* args plus MBZ cover the whole range at the defining version. */
				if (vers[v] >= V12 && vers[v] == a->version64)
					assert_int_equal(ffaemu_abi_args_mbz(a, a->fid64, vers[v]) |
								 a->args64,
							 range);
			}
		}
	}
}

static void mbz_lookup_with_null_abi_or_foreign_fid(void **state)
{
	struct fixture *fx = *state;

	/* NULL abi: looked up from fid. */
	assert_int_equal(ffaemu_abi_args_mbz(NULL, FFAEMU_FFA_RUN, V12), RANGE(2, 7));
	assert_int_equal(ffaemu_abi_args_mbz(NULL, FFAEMU_FFA_RUN_64 | 0x10000u, V13),
			 RANGE(2, 17));
	/* Not an FF-A FID, or a FID of another ABI: no MBZ claims. */
	assert_int_equal(ffaemu_abi_args_mbz(NULL, 0x84000092u, V12), 0);
	assert_int_equal(ffaemu_abi_results_mbz(NULL, 0x80000000u, V12), 0);
	assert_int_equal(ffaemu_abi_args_mbz(fx->run, FFAEMU_FFA_VERSION, V12), 0);
	assert_int_equal(ffaemu_abi_results_mbz(fx->version, FFAEMU_FFA_FID64(0x63), V12), 0);
}

static void mbz_accepts_a_caller_built_abi_struct(void **state)
{
	struct ffaemu_abi mine;
	(void)state;

	memset(&mine, 0, sizeof(mine));
	mine.name = "FFA_MINE";
	mine.fid64 = FFAEMU_FFA_FID64(0x91);
	mine.args64 = RANGE(1, 4);
	mine.res64 = BIT(2);
	assert_int_equal(ffaemu_abi_args_mbz(&mine, mine.fid64, V12), RANGE(5, 17));
	assert_int_equal(ffaemu_abi_results_mbz(&mine, mine.fid64, V12), BIT(1) | RANGE(3, 17));
	assert_int_equal(ffaemu_abi_args_mbz(&mine, FFAEMU_FFA_FID64(0x92), V12), 0);
}

/* ---- Errors (spec C2) ---- */

static const struct {
	int32_t code;
	const char *name;
} spec_c2[] = {
	{-1, "NOT_SUPPORTED"}, {-2, "INVALID_PARAMETERS"}, {-3, "NO_MEMORY"},
	{-4, "BUSY"},          {-5, "INTERRUPTED"},        {-6, "DENIED"},
	{-7, "RETRY"},         {-8, "ABORTED"},            {-9, "NO_DATA"},
	{-10, "NOT_READY"},
};

static void every_error_code_is_named_and_parses_back(void **state)
{
	(void)state;
	assert_int_equal(sizeof(spec_c2) / sizeof(spec_c2[0]), -FFAEMU_FFA_ERROR_MIN);
	for (size_t i = 0; i < sizeof(spec_c2) / sizeof(spec_c2[0]); i++) {
		int32_t code = 0;
		char buf[48];
		const char *str;

		assert_string_equal(ffaemu_ffa_error_name(spec_c2[i].code), spec_c2[i].name);
		str = ffaemu_ffa_error_str(spec_c2[i].code);
		assert_non_null(str);
		assert_string_not_equal(str, "unknown error");

		assert_int_equal(ffaemu_ffa_error_parse(spec_c2[i].name, &code), FFAEMU_OK);
		assert_int_equal(code, spec_c2[i].code);
		snprintf(buf, sizeof(buf), "FFA_%s", spec_c2[i].name);
		code = 0;
		assert_int_equal(ffaemu_ffa_error_parse(buf, &code), FFAEMU_OK);
		assert_int_equal(code, spec_c2[i].code);
		snprintf(buf, sizeof(buf), "%d", (int)spec_c2[i].code);
		code = 0;
		assert_int_equal(ffaemu_ffa_error_parse(buf, &code), FFAEMU_OK);
		assert_int_equal(code, spec_c2[i].code);
	}
	assert_int_equal(FFAEMU_FFA_DENIED, -6);
	assert_int_equal(FFAEMU_FFA_NOT_READY, -10);
}

static void error_parse_is_case_insensitive(void **state)
{
	int32_t code = 0;
	(void)state;

	assert_int_equal(ffaemu_ffa_error_parse("denied", &code), FFAEMU_OK);
	assert_int_equal(code, -6);
	assert_int_equal(ffaemu_ffa_error_parse("ffa_Invalid_Parameters", &code), FFAEMU_OK);
	assert_int_equal(code, -2);
}

static void unknown_error_codes_have_no_name(void **state)
{
	static const int32_t unknown[] = {0, 1, 2, -11, -100, INT32_MIN, INT32_MAX};
	static const char *const junk[] = {
		"",   "-",  "-0",  "-11", "6",   "+6",    "--6", "-6x", "- 6",
		"FFA_", "SUCCESS", "DENIEDX", "DENIE", "FFA_FFA_DENIED", "-99999999999999999999",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_null(ffaemu_ffa_error_name(unknown[i]));
		assert_string_equal(ffaemu_ffa_error_str(unknown[i]), "unknown error");
	}
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		int32_t code = 12345;

		assert_int_equal(ffaemu_ffa_error_parse(junk[i], &code), FFAEMU_EPARSE);
		assert_int_equal(code, 12345);
	}
	assert_int_not_equal(ffaemu_ffa_error_parse(NULL, &(int32_t){0}), FFAEMU_OK);
	assert_int_not_equal(ffaemu_ffa_error_parse("DENIED", NULL), FFAEMU_OK);
}

/* ---- Version words (spec C4) ---- */

static void version_words_encode_major_minor(void **state)
{
	(void)state;
	/* spec B1: 1.0 = 0x10000 ... 1.3 = 0x10003. */
	assert_int_equal(V10, 0x10000u);
	assert_int_equal(V11, 0x10001u);
	assert_int_equal(V12, 0x10002u);
	assert_int_equal(V13, 0x10003u);
	assert_int_equal(FFAEMU_FFA_VERSION_WORD(2, 0), 0x20000u);
	assert_int_equal(FFAEMU_FFA_VERSION_WORD(0x7fff, 0xffff), 0x7fffffffu);
	assert_int_equal(ffaemu_ffa_version_major(0x7fff0001u), 0x7fff);
	assert_int_equal(ffaemu_ffa_version_minor(0x7fff0001u), 1);
	assert_int_equal(ffaemu_ffa_version_major(0x80010002u), 1); /* bit 31 not in major */
	assert_true(ffaemu_ffa_version_valid(0x7fffffffu));
	assert_false(ffaemu_ffa_version_valid(0x80010000u));
	assert_false(ffaemu_ffa_version_valid(0xffffffffu));
}

static void version_compatibility_matrix(void **state)
{
	static const uint32_t vs[] = {V10, V11, V12, V13, FFAEMU_FFA_VERSION_WORD(2, 0)};
	/* want[caller][callee]: same major and caller minor <= callee minor (spec C4). */
	static const bool want[5][5] = {
		{true, true, true, true, false},     {false, true, true, true, false},
		{false, false, true, true, false},   {false, false, false, true, false},
		{false, false, false, false, true},
	};
	(void)state;
	for (size_t a = 0; a < 5; a++) {
		for (size_t b = 0; b < 5; b++) {
			assert_int_equal(ffaemu_ffa_version_compatible(vs[a], vs[b]), want[a][b]);
			/* Bit 31 set on either side is never compatible. */
			assert_false(ffaemu_ffa_version_compatible(vs[a] | 0x80000000u, vs[b]));
			assert_false(ffaemu_ffa_version_compatible(vs[a], vs[b] | 0x80000000u));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(table_has_one_row_per_spec_c1_abi, setup, teardown),
		cmocka_unit_test_setup_teardown(every_row_is_well_formed, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_match_spec_c1_widths_and_versions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(header_fid_macros_match_spec_c1, setup, teardown),
		cmocka_unit_test_setup_teardown(every_fid_round_trips_through_by_fid_and_by_name,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			whole_ffa_fid_window_is_null_exactly_for_undefined_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(sve_hint_bit_is_ignored_by_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_width_lookup_returns_null, setup, teardown),
		cmocka_unit_test_setup_teardown(non_ffa_encodings_are_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(fid_is_ffa_covers_exactly_oen4_0x60_to_0xef, setup,
						teardown),
		cmocka_unit_test_setup_teardown(lookup_agrees_with_fid_is_ffa_for_any_encoding, setup,
						teardown),
		cmocka_unit_test_setup_teardown(by_name_accepts_every_documented_spelling, setup,
						teardown),
		cmocka_unit_test_setup_teardown(by_name_rejects_unknown_and_wrong_width, setup,
						teardown),
		cmocka_unit_test_setup_teardown(by_name_distinguishes_prefix_sharing_abis, setup,
						teardown),
		cmocka_unit_test_setup_teardown(callers_follow_spec_c1_and_c1_3, setup, teardown),
		cmocka_unit_test_setup_teardown(flags_mark_deprecated_response_and_unconfirmed_rows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(mbz_masks_for_representative_abis, setup, teardown),
		cmocka_unit_test_setup_teardown(mbz_masks_stay_inside_the_convention_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(mbz_lookup_with_null_abi_or_foreign_fid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(mbz_accepts_a_caller_built_abi_struct, setup,
						teardown),
		cmocka_unit_test_setup_teardown(every_error_code_is_named_and_parses_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(error_parse_is_case_insensitive, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_error_codes_have_no_name, setup, teardown),
		cmocka_unit_test_setup_teardown(version_words_encode_major_minor, setup, teardown),
		cmocka_unit_test_setup_teardown(version_compatibility_matrix, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
