/* SPDX-License-Identifier: BSD-3-Clause */
/* Register file accessors and UUID text/packing (spec A8, B3, G4, G5, G10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/regs.h>
#include <ffa/uuid.h>

#define EXAMPLE_UUID "a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8"

struct fixture {
	struct ffaemu_regs r;
};

static int setup(void **state)
{
	static struct fixture fx;

	/* Distinct, recognisable values in every register, upper halves included. */
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		fx.r.x[n] = 0x1111111100000000ull * (n + 1) + 0x100 * n + n;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	*state = NULL;
	return 0;
}

/* ---- UUIDs ---- */

static void uuid_parse_places_bytes_in_text_order(void **state)
{
	struct ffaemu_uuid u;
	(void)state;

	assert_int_equal(ffaemu_uuid_parse(EXAMPLE_UUID, &u), FFAEMU_OK);
	static const uint8_t want[16] = {0xa1, 0xa2, 0xa3, 0xa4, 0xb1, 0xb2, 0xc1, 0xc2,
					 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8};
	assert_memory_equal(u.b, want, 16);
}

static void uuid_register_packing_matches_spec_b3_example(void **state)
{
	struct ffaemu_uuid u, back;
	struct ffaemu_regs r;
	(void)state;

	assert_int_equal(ffaemu_uuid_parse(EXAMPLE_UUID, &u), FFAEMU_OK);
	assert_int_equal(ffaemu_uuid_word(&u, 0), 0xa4a3a2a1u);
	assert_int_equal(ffaemu_uuid_word(&u, 1), 0xc2c1b2b1u);
	assert_int_equal(ffaemu_uuid_word(&u, 2), 0xd4d3d2d1u);
	assert_int_equal(ffaemu_uuid_word(&u, 3), 0xd8d7d6d5u);
	assert_true(ffaemu_uuid_dword(&u, 0) == 0xc2c1b2b1a4a3a2a1ull);
	assert_true(ffaemu_uuid_dword(&u, 1) == 0xd8d7d6d5d4d3d2d1ull);

	ffaemu_regs_clear(&r);
	ffaemu_regs_set_uuid_w(&r, 1, &u);
	assert_true(r.x[1] == 0xa4a3a2a1u && r.x[2] == 0xc2c1b2b1u);
	assert_true(r.x[3] == 0xd4d3d2d1u && r.x[4] == 0xd8d7d6d5u);
	back = ffaemu_regs_uuid_w(&r, 1);
	assert_true(ffaemu_uuid_eq(&back, &u));

	ffaemu_regs_clear(&r);
	ffaemu_regs_set_uuid_x(&r, 2, &u);
	assert_true(r.x[2] == 0xc2c1b2b1a4a3a2a1ull && r.x[3] == 0xd8d7d6d5d4d3d2d1ull);
	back = ffaemu_regs_uuid_x(&r, 2);
	assert_true(ffaemu_uuid_eq(&back, &u));

	back = ffaemu_uuid_from_words(0xa4a3a2a1u, 0xc2c1b2b1u, 0xd4d3d2d1u, 0xd8d7d6d5u);
	assert_true(ffaemu_uuid_eq(&back, &u));
	back = ffaemu_uuid_from_dwords(0xc2c1b2b1a4a3a2a1ull, 0xd8d7d6d5d4d3d2d1ull);
	assert_true(ffaemu_uuid_eq(&back, &u));
}

static void uuid_w_accessor_ignores_upper_register_halves(void **state)
{
	struct ffaemu_uuid u;
	struct ffaemu_regs r;
	(void)state;

	ffaemu_regs_clear(&r);
	r.x[1] = 0xffffffff00000001ull;
	r.x[2] = 0xeeeeeeee00000002ull;
	r.x[3] = 0xdddddddd00000003ull;
	r.x[4] = 0xcccccccc00000004ull;
	u = ffaemu_regs_uuid_w(&r, 1);
	assert_int_equal(ffaemu_uuid_word(&u, 0), 1);
	assert_int_equal(ffaemu_uuid_word(&u, 3), 4);
}

static void uuid_format_round_trips_lower_case(void **state)
{
	static const char *const texts[] = {
		EXAMPLE_UUID,
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
		"28b46fb6-2ec5-11e9-a9ca-4b564d003a74",
		"0123456789ABCDEF-0000-0000-0000-0000" /* not valid: hyphens misplaced */,
	};
	char buf[FFAEMU_UUID_STR_LEN];
	struct ffaemu_uuid u;
	(void)state;

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ffaemu_uuid_parse(texts[i], &u), FFAEMU_OK);
		assert_ptr_equal(ffaemu_uuid_format(&u, buf), buf);
		assert_string_equal(buf, texts[i]);
	}
	assert_int_equal(ffaemu_uuid_parse(texts[4], &u), FFAEMU_EPARSE);

	assert_int_equal(ffaemu_uuid_parse("A1A2A3A4-B1B2-C1C2-D1D2-D3D4D5D6D7D8", &u), FFAEMU_OK);
	ffaemu_uuid_format(&u, buf);
	assert_string_equal(buf, EXAMPLE_UUID);

	/* Every byte value survives the round trip. */
	for (unsigned v = 0; v < 256; v++) {
		struct ffaemu_uuid a, b;
		for (unsigned i = 0; i < 16; i++)
			a.b[i] = (uint8_t)(v + i * 17);
		ffaemu_uuid_format(&a, buf);
		assert_int_equal(strlen(buf), 36);
		assert_int_equal(ffaemu_uuid_parse(buf, &b), FFAEMU_OK);
		assert_true(ffaemu_uuid_eq(&a, &b));
	}
}

static void uuid_parse_rejects_malformed_text_and_keeps_output(void **state)
{
	static const char *const bad[] = {
		"",
		"a1a2a3a4",
		"a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d",    /* 35 characters */
		"a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8a",  /* 37 characters */
		"a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8 ",  /* trailing space */
		" a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8",  /* leading space */
		"a1a2a3a4b1b2-c1c2-d1d2-d3d4d5d6d7d8-",   /* hyphen moved */
		"a1a2a3a4-b1b2-c1c2-d1d2d3d4d5d6d7d8--",
		"a1a2a3a4_b1b2_c1c2_d1d2_d3d4d5d6d7d8",   /* wrong separator */
		"g1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8",   /* not hex */
		"a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7dG",
		"{a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8}", /* braces */
		"a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7-8",
		"+1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8",
	};
	struct ffaemu_uuid u, before;
	(void)state;

	memset(&u, 0x5a, sizeof(u));
	before = u;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ffaemu_uuid_parse(bad[i], &u), FFAEMU_EPARSE);
		assert_memory_equal(&u, &before, sizeof(u));
	}
	assert_int_equal(ffaemu_uuid_parse(NULL, &u), FFAEMU_EPARSE);
	assert_int_equal(ffaemu_uuid_parse(EXAMPLE_UUID, NULL), FFAEMU_EPARSE);
}

static void uuid_nil_and_eq(void **state)
{
	struct ffaemu_uuid a, b;
	(void)state;

	memset(&a, 0, sizeof(a));
	assert_true(ffaemu_uuid_is_nil(&a));
	b = a;
	b.b[15] = 1;
	assert_false(ffaemu_uuid_is_nil(&b));
	assert_false(ffaemu_uuid_eq(&a, &b));
	b.b[15] = 0;
	assert_true(ffaemu_uuid_eq(&a, &b));
}

/* ---- Register accessors ---- */

static void set_w_zero_extends_and_w_reads_low_half(void **state)
{
	struct fixture *fx = *state;

	fx->r.x[5] = 0xffffffffffffffffull;
	ffaemu_regs_set_w(&fx->r, 5, 0x12345678u);
	assert_true(fx->r.x[5] == 0x12345678ull);
	fx->r.x[6] = 0xabcdef0187654321ull;
	assert_int_equal(ffaemu_regs_w(&fx->r, 6), 0x87654321u);
}

static void ids_pack_high_then_low_half(void **state)
{
	struct fixture *fx = *state;

	ffaemu_regs_set_ids(&fx->r, 1, 0x8001, 0x0002);
	assert_true(fx->r.x[1] == 0x80010002ull);
	assert_int_equal(ffaemu_regs_id_hi(&fx->r, 1), 0x8001);
	assert_int_equal(ffaemu_regs_id_lo(&fx->r, 1), 0x0002);
	/* Upper register half is not part of the word (spec A8). */
	fx->r.x[1] |= 0xffff000000000000ull;
	assert_int_equal(ffaemu_regs_id_hi(&fx->r, 1), 0x8001);
}

static void handle_splits_low_word_first(void **state)
{
	struct fixture *fx = *state;

	ffaemu_regs_set_handle(&fx->r, 2, 0x1122334455667788ull);
	assert_true(fx->r.x[2] == 0x55667788ull);
	assert_true(fx->r.x[3] == 0x11223344ull);
	assert_true(ffaemu_regs_handle(&fx->r, 2) == 0x1122334455667788ull);
	fx->r.x[2] |= 0xdead000000000000ull;
	assert_true(ffaemu_regs_handle(&fx->r, 2) == 0x1122334455667788ull);
}

static void s32_accepts_sign_and_zero_extension(void **state)
{
	static const int32_t codes[] = {0, -1, -2, -3, -6, -10, 1, 0x7fffffff, INT32_MIN};
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		fx->r.x[2] = (uint64_t)(int64_t)codes[i];         /* pKVM: sign-extended */
		assert_int_equal(ffaemu_regs_s32(&fx->r, 2), codes[i]);
		fx->r.x[2] = (uint64_t)(uint32_t)codes[i];        /* TF-A/Hafnium: zero-extended */
		assert_int_equal(ffaemu_regs_s32(&fx->r, 2), codes[i]);
		fx->r.x[2] = 0x5a5a5a5a00000000ull | (uint32_t)codes[i]; /* junk above */
		assert_int_equal(ffaemu_regs_s32(&fx->r, 2), codes[i]);
	}
}

static void clear_zeroes_all_eighteen(void **state)
{
	struct fixture *fx = *state;

	ffaemu_regs_clear(&fx->r);
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		assert_true(fx->r.x[n] == 0);
}

static void reg_masks_name_the_right_registers(void **state)
{
	(void)state;
	assert_int_equal(FFAEMU_REG(0), 1u);
	assert_int_equal(FFAEMU_REG(17), 0x20000u);
	assert_int_equal(FFAEMU_REG_RANGE(0, 17), FFAEMU_REGS_ALL);
	assert_int_equal(FFAEMU_REG_RANGE(4, 7), 0xf0u);
	assert_int_equal(FFAEMU_REG_RANGE(8, 17), 0x3ff00u);
	assert_int_equal(FFAEMU_REG_RANGE(3, 3), 0x8u);
}

/* ---- Formatting ---- */

static void format_prints_only_masked_registers(void **state)
{
	struct fixture *fx = *state;
	char buf[512];
	int n;

	ffaemu_regs_clear(&fx->r);
	fx->r.x[0] = 0x84000063u;
	fx->r.x[17] = 0xffffffffffffffffull;
	n = ffaemu_regs_format(&fx->r, FFAEMU_REG(0) | FFAEMU_REG(17), buf, sizeof(buf));
	assert_string_equal(buf, "x0=0x0000000084000063 x17=0xffffffffffffffff");
	assert_int_equal(n, (int)strlen(buf));
}

static void format_mask_zero_prints_all_eighteen(void **state)
{
	struct fixture *fx = *state;
	char buf[1024], want[32];
	int n;

	n = ffaemu_regs_format(&fx->r, 0, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	for (unsigned i = 0; i < FFAEMU_NREGS; i++) {
		snprintf(want, sizeof(want), "x%u=0x%016llx", i, (unsigned long long)fx->r.x[i]);
		assert_non_null(strstr(buf, want));
	}
	/* Bits above x17 are ignored rather than read past the array. */
	assert_int_equal(ffaemu_regs_format(&fx->r, 0xfffc0000u | FFAEMU_REG(1), buf, sizeof(buf)),
			 (int)strlen("x1=0x") + 16);
}

static void format_truncates_and_reports_full_length(void **state)
{
	struct fixture *fx = *state;
	char full[1024], small[20];
	int n, m;

	n = ffaemu_regs_format(&fx->r, 0, full, sizeof(full));
	memset(small, 'Z', sizeof(small));
	m = ffaemu_regs_format(&fx->r, 0, small, sizeof(small));
	assert_int_equal(m, n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	/* Size query with no buffer. */
	assert_int_equal(ffaemu_regs_format(&fx->r, 0, NULL, 0), n);
	/* A one-byte buffer holds only the terminator. */
	small[0] = 'Z';
	assert_int_equal(ffaemu_regs_format(&fx->r, FFAEMU_REG(3), small, 1), 21);
	assert_int_equal(small[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uuid_parse_places_bytes_in_text_order),
		cmocka_unit_test(uuid_register_packing_matches_spec_b3_example),
		cmocka_unit_test(uuid_w_accessor_ignores_upper_register_halves),
		cmocka_unit_test(uuid_format_round_trips_lower_case),
		cmocka_unit_test(uuid_parse_rejects_malformed_text_and_keeps_output),
		cmocka_unit_test(uuid_nil_and_eq),
		cmocka_unit_test_setup_teardown(set_w_zero_extends_and_w_reads_low_half, setup, teardown),
		cmocka_unit_test_setup_teardown(ids_pack_high_then_low_half, setup, teardown),
		cmocka_unit_test_setup_teardown(handle_splits_low_word_first, setup, teardown),
		cmocka_unit_test_setup_teardown(s32_accepts_sign_and_zero_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(clear_zeroes_all_eighteen, setup, teardown),
		cmocka_unit_test(reg_masks_name_the_right_registers),
		cmocka_unit_test_setup_teardown(format_prints_only_masked_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(format_mask_zero_prints_all_eighteen, setup, teardown),
		cmocka_unit_test_setup_teardown(format_truncates_and_reports_full_length, setup, teardown),
	};
	return cmocka_run_group_tests_name("regs", tests, NULL, NULL);
}
