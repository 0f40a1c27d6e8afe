/* SPDX-License-Identifier: BSD-3-Clause */
/* SMCCC function-ID decode, register classes, call names, version text (spec Part A). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/regs.h>
#include <ffa/smccc.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Function-ID decode (spec A1-A3) ---- */

static void fid_decode_round_trips_every_oen_width_and_kind(void **state)
{
	static const uint16_t funcs[] = {0x0000, 0x0001, 0x0063, 0x7fff, 0x8000, 0xff00, 0xffff};
	(void)state;

	for (unsigned oen = 0; oen <= FFAEMU_SMCCC_OEN_MASK; oen++) {
		for (unsigned fast = 0; fast < 2; fast++) {
			for (unsigned w = 0; w < 2; w++) {
				for (size_t i = 0; i < ARRAY_SIZE(funcs); i++) {
					uint32_t raw = FFAEMU_SMCCC_FID(fast, w, oen, funcs[i]);
					struct ffaemu_fid f = ffaemu_fid_decode(raw);

					assert_int_equal(f.raw, raw);
					assert_int_equal(f.id, raw);
					assert_int_equal(f.fast, fast);
					assert_int_equal(f.smc64, w);
					assert_int_equal(f.oen, oen);
					assert_int_equal(f.func, funcs[i]);
					assert_false(f.sve_hint);
					assert_int_equal(f.reserved, 0);
					assert_int_equal(FFAEMU_SMCCC_FID(f.fast, f.smc64, f.oen, f.func),
							 raw);
				}
			}
		}
	}
}

static void fid_decode_known_values(void **state)
{
	struct ffaemu_fid f;
	(void)state;

	f = ffaemu_fid_decode(0x84000063u); /* FFA_VERSION */
	assert_true(f.fast && !f.smc64);
	assert_int_equal(f.oen, FFAEMU_OEN_STD);
	assert_int_equal(f.func, 0x63);
	f = ffaemu_fid_decode(0xc400008du); /* FFA_MSG_SEND_DIRECT_REQ2 */
	assert_true(f.fast && f.smc64);
	assert_int_equal(f.oen, FFAEMU_OEN_STD);
	assert_int_equal(f.func, 0x8d);
	f = ffaemu_fid_decode(0xc5000020u); /* PV time, standard hypervisor service */
	assert_int_equal(f.oen, FFAEMU_OEN_STD_HYP);
	f = ffaemu_fid_decode(0xbf00ff01u); /* Trusted OS call UID */
	assert_int_equal(f.oen, FFAEMU_OEN_TOS_END);
	assert_int_equal(f.func, 0xff01);
}

static void fid_decode_reports_each_reserved_bit(void **state)
{
	(void)state;

	for (unsigned bit = 17; bit <= 23; bit++) {
		uint32_t raw = 0x84000063u | (1u << bit);
		struct ffaemu_fid f = ffaemu_fid_decode(raw);

		assert_int_equal(f.reserved, 1u << (bit - 17));
		assert_false(f.sve_hint);
		/* Reserved bits are not stripped: the ID stays unknown (spec A1; TFA-RT). */
		assert_int_equal(f.id, raw);
		assert_int_equal(f.func, 0x63);
		assert_int_equal(f.oen, 4);
	}
	assert_int_equal(ffaemu_fid_decode(0x84fe0063u).reserved, 0x7f);
	/* Legacy Armv7 Trusted OS fast calls with 23:16 all set (spec A1). */
	assert_int_equal(ffaemu_fid_decode(0xb2ff0000u).reserved, 0x7f);
	assert_true(ffaemu_fid_decode(0xb2ff0000u).sve_hint);
}

static void fid_decode_masks_sve_hint_in_id_only(void **state)
{
	struct ffaemu_fid f;
	(void)state;

	f = ffaemu_fid_decode(0x84010063u);
	assert_true(f.sve_hint);
	assert_int_equal(f.raw, 0x84010063u);
	assert_int_equal(f.id, 0x84000063u);
	assert_int_equal(f.reserved, 0);
	assert_int_equal(f.func, 0x63);
	assert_int_equal(ffaemu_fid_strip_hint(0xc401008du), 0xc400008du);
	assert_int_equal(ffaemu_fid_strip_hint(0xc400008du), 0xc400008du);
}

static void fid_decode_flags_legacy_range(void **state)
{
	static const struct {
		uint32_t raw;
		bool legacy;
	} rows[] = {
		{0x00000000u, true},  {0x00000001u, true},  {0x0000ffffu, true},
		{0x00010000u, true},  {0x0100ffffu, true},  {0x01010000u, false},
		{0x01000000u, true},  {0x02000000u, false}, {0x80000000u, false},
		{0x84000000u, false}, {0x95c1ba5eu, false}, {0x3f000000u, false},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		assert_int_equal(ffaemu_fid_decode(rows[i].raw).legacy, rows[i].legacy);
}

/* ---- Register classes (spec A7) ---- */

static void regclass_matches_spec_a7_table(void **state)
{
	static const struct {
		uint32_t version;
		bool smc64;
		uint32_t args, results, preserved, unpredictable;
	} rows[] = {
		{FFAEMU_SMCCC_1_0, false, 0x000feu, 0x0000fu, 0x00000u, 0x3fff0u},
		{FFAEMU_SMCCC_1_0, true, 0x000feu, 0x0000fu, 0x00000u, 0x3fff0u},
		{FFAEMU_SMCCC_1_1, false, 0x000feu, 0x0000fu, 0x3fff0u, 0x00000u},
		{FFAEMU_SMCCC_1_1, true, 0x000feu, 0x0000fu, 0x3fff0u, 0x00000u},
		{FFAEMU_SMCCC_1_2, false, 0x000feu, 0x000ffu, 0x3ff00u, 0x00000u},
		{FFAEMU_SMCCC_1_2, true, 0x3fffeu, 0x3ffffu, 0x00000u, 0x00000u},
		{FFAEMU_SMCCC_1_3, false, 0x000feu, 0x000ffu, 0x3ff00u, 0x00000u},
		{FFAEMU_SMCCC_1_3, true, 0x3fffeu, 0x3ffffu, 0x00000u, 0x00000u},
		{FFAEMU_SMCCC_1_6, false, 0x000feu, 0x000ffu, 0x3ff00u, 0x00000u},
		{FFAEMU_SMCCC_1_6, true, 0x3fffeu, 0x3ffffu, 0x00000u, 0x00000u},
		{FFAEMU_SMCCC_VERSION(2, 0), true, 0x3fffeu, 0x3ffffu, 0x00000u, 0x00000u},
		/* Not a version (SMCCC_VERSION's -1) or below 1.0: the 1.0 contract. */
		{0xffffffffu, true, 0x000feu, 0x0000fu, 0x00000u, 0x3fff0u},
		{0x00000000u, false, 0x000feu, 0x0000fu, 0x00000u, 0x3fff0u},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ffaemu_smccc_regclass rc = ffaemu_smccc_regclass(rows[i].version,
									 rows[i].smc64);
		assert_int_equal(rc.args, rows[i].args);
		assert_int_equal(rc.results, rows[i].results);
		assert_int_equal(rc.preserved, rows[i].preserved);
		assert_int_equal(rc.unpredictable, rows[i].unpredictable);
	}
}

static void regclass_partitions_all_eighteen_registers(void **state)
{
	(void)state;

	for (uint32_t minor = 0; minor <= 8; minor++) {
		for (unsigned w = 0; w < 2; w++) {
			struct ffaemu_smccc_regclass rc =
				ffaemu_smccc_regclass(FFAEMU_SMCCC_VERSION(1, minor), w);

			assert_int_equal(rc.results | rc.preserved | rc.unpredictable,
					 FFAEMU_REGS_ALL);
			assert_int_equal(rc.results & rc.preserved, 0);
			assert_int_equal(rc.results & rc.unpredictable, 0);
			assert_int_equal(rc.preserved & rc.unpredictable, 0);
			/* x0 is the FID, never an argument; it is always a result. */
			assert_int_equal(rc.args & 1u, 0);
			assert_int_equal(rc.results & 1u, 1);
		}
	}
}

/* ---- Names ---- */

static void fid_name_names_arch_and_psci_calls(void **state)
{
	static const struct {
		uint32_t fid;
		const char *name;
	} rows[] = {
		{0x80000000u, "SMCCC_VERSION"},
		{0x80000001u, "SMCCC_ARCH_FEATURES"},
		{0x80000002u, "SMCCC_ARCH_SOC_ID"},
		{0xc0000002u, "SMCCC_ARCH_SOC_ID_64"},
		{0xc0000003u, "SMCCC_ARCH_FEATURE_AVAILABILITY"},
		{0x80008000u, "SMCCC_ARCH_WORKAROUND_1"},
		{0x80007fffu, "SMCCC_ARCH_WORKAROUND_2"},
		{0x80003fffu, "SMCCC_ARCH_WORKAROUND_3"},
		{0x80000004u, "SMCCC_ARCH_WORKAROUND_4"},
		{0x84000000u, "PSCI_VERSION"},
		{0x8400000au, "PSCI_FEATURES"},
		{0x80010000u, "SMCCC_VERSION"}, /* SVE hint ignored */
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *n = ffaemu_smccc_fid_name(rows[i].fid);
		assert_non_null(n);
		assert_string_equal(n, rows[i].name);
	}
}

static void fid_name_suffixes_64bit_form_of_two_width_ffa_abis(void **state)
{
	static const struct {
		uint32_t fid;
		const char *name;
	} rows[] = {
		{FFAEMU_FFA_VERSION, "FFA_VERSION"},
		{FFAEMU_FFA_RXTX_MAP, "FFA_RXTX_MAP"},
		{FFAEMU_FFA_RXTX_MAP_64, "FFA_RXTX_MAP_64"},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ, "FFA_MSG_SEND_DIRECT_REQ"},
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, "FFA_MSG_SEND_DIRECT_REQ_64"},
		{FFAEMU_FFA_MEM_SHARE_64, "FFA_MEM_SHARE_64"},
		{FFAEMU_FFA_SUCCESS_64, "FFA_SUCCESS_64"},
		/* 64-bit only ABIs have no suffix (spec C1.1). */
		{FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, "FFA_MSG_SEND_DIRECT_REQ2"},
		{FFAEMU_FFA_PARTITION_INFO_GET_REGS, "FFA_PARTITION_INFO_GET_REGS"},
		{0xc401008du, "FFA_MSG_SEND_DIRECT_REQ2"}, /* SVE hint ignored */
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *n = ffaemu_smccc_fid_name(rows[i].fid);
		assert_non_null(n);
		assert_string_equal(n, rows[i].name);
	}
}

static void fid_name_covers_every_row_of_the_abi_table(void **state)
{
	char want[80];
	size_t count = ffaemu_abi_count();
	(void)state;

	assert_true(count > 0);
	for (size_t i = 0; i < count; i++) {
		const struct ffaemu_abi *abi = ffaemu_abi_at(i);
		const char *n;

		assert_non_null(abi);
		if (abi->fid32) {
			n = ffaemu_smccc_fid_name(abi->fid32);
			assert_non_null(n);
			assert_string_equal(n, abi->name);
		}
		if (abi->fid64) {
			if (abi->fid32)
				snprintf(want, sizeof(want), "%s_64", abi->name);
			else
				snprintf(want, sizeof(want), "%s", abi->name);
			n = ffaemu_smccc_fid_name(abi->fid64);
			if (!n)
				print_error("no name for 0x%08x (%s)\n", abi->fid64, want);
			assert_non_null(n);
			assert_string_equal(n, want);
		}
	}
}

static void fid_name_is_null_for_unknown_ids(void **state)
{
	static const uint32_t fids[] = {
		0x84000091u, /* between FF-A ABIs, undefined (spec C1) */
		0x840000efu, /* last FF-A slot, unassigned */
		0x840000f0u, /* Errata ABI, not FF-A (spec G13) */
		0x84000001u, /* PSCI_CPU_SUSPEND: not named here */
		0x82000000u, /* SiP */
		0x00000000u, /* legacy */
		0x84200063u, /* FFA_VERSION with a reserved bit: not FFA_VERSION */
		0xffffffffu,
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(fids); i++)
		assert_null(ffaemu_smccc_fid_name(fids[i]));
}

/* ---- Version text (spec A4) ---- */

static void version_format_and_parse_round_trip(void **state)
{
	static const struct {
		uint32_t v;
		const char *text;
	} rows[] = {
		{FFAEMU_SMCCC_1_0, "1.0"},   {FFAEMU_SMCCC_1_1, "1.1"},
		{FFAEMU_SMCCC_1_2, "1.2"},   {FFAEMU_SMCCC_1_3, "1.3"},
		{0x00000000u, "0.0"},        {0x0002000au, "2.10"},
		{0x7fffffffu, "32767.65535"},
	};
	char buf[16];
	uint32_t v;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		assert_ptr_equal(ffaemu_version_format(rows[i].v, buf, sizeof(buf)), buf);
		assert_string_equal(buf, rows[i].text);
		assert_int_equal(ffaemu_version_parse(rows[i].text, &v), FFAEMU_OK);
		assert_int_equal(v, rows[i].v);
	}
	/* The documented minimum buffer holds the longest version. */
	ffaemu_version_format(0x7fffffffu, buf, 12);
	assert_string_equal(buf, "32767.65535");
}

static void version_format_marks_bit31_as_not_a_version(void **state)
{
	char buf[16];
	(void)state;

	ffaemu_version_format(0xffffffffu, buf, sizeof(buf));
	assert_string_equal(buf, "0xffffffff");
	/* Short buffers truncate, still terminated. */
	ffaemu_version_format(FFAEMU_SMCCC_1_2, buf, 2);
	assert_string_equal(buf, "1");
	assert_null(ffaemu_version_format(FFAEMU_SMCCC_1_2, NULL, 12));
}

static void version_parse_rejects_malformed_and_keeps_output(void **state)
{
	static const char *const bad[] = {
		"", "1", "1.", ".2", "1..2", "1.2.3", "v1.2", " 1.2", "1.2 ", "-1.2", "+1.2",
		"1.-2", "1,2", "32768.0", "1.65536", "99999999999.0", "1.4294967298", "a.b",
	};
	uint32_t v = 0x12345678u;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(ffaemu_version_parse(bad[i], &v), FFAEMU_EPARSE);
		assert_int_equal(v, 0x12345678u);
	}
	assert_int_equal(ffaemu_version_parse(NULL, &v), FFAEMU_EPARSE);
	assert_int_equal(ffaemu_version_parse("1.2", NULL), FFAEMU_EPARSE);
	assert_int_equal(ffaemu_version_parse("01.02", &v), FFAEMU_OK);
	assert_int_equal(v, FFAEMU_SMCCC_1_2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fid_decode_round_trips_every_oen_width_and_kind),
		cmocka_unit_test(fid_decode_known_values),
		cmocka_unit_test(fid_decode_reports_each_reserved_bit),
		cmocka_unit_test(fid_decode_masks_sve_hint_in_id_only),
		cmocka_unit_test(fid_decode_flags_legacy_range),
		cmocka_unit_test(regclass_matches_spec_a7_table),
		cmocka_unit_test(regclass_partitions_all_eighteen_registers),
		cmocka_unit_test(fid_name_names_arch_and_psci_calls),
		cmocka_unit_test(fid_name_suffixes_64bit_form_of_two_width_ffa_abis),
		cmocka_unit_test(fid_name_covers_every_row_of_the_abi_table),
		cmocka_unit_test(fid_name_is_null_for_unknown_ids),
		cmocka_unit_test(version_format_and_parse_round_trip),
		cmocka_unit_test(version_format_marks_bit31_as_not_a_version),
		cmocka_unit_test(version_parse_rejects_malformed_and_keeps_output),
	};
	return cmocka_run_group_tests_name("smccc", tests, NULL, NULL);
}
