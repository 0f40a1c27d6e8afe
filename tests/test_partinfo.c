/* SPDX-License-Identifier: BSD-3-Clause */
/* Partition information descriptors (spec D1) and PARTITION_INFO_GET_REGS packing (D2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/partinfo.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct ffaemu_partinfo sample(void)
{
	struct ffaemu_partinfo pi;
	memset(&pi, 0, sizeof(pi));
	pi.id = 0x8001;
	pi.exec_ctx_count = 8;
	pi.props = 0xffffffffu;
	for (int i = 0; i < 16; i++) {
		pi.uuid.b[i] = (uint8_t)(0xa0 + i);
		pi.image_uuid.b[i] = (uint8_t)(0x10 + i);
	}
	pi.ffa_version = FFAEMU_FFA_1_3;
	return pi;
}

/* D1: size and MBZ property bits per version. */
static void test_size_and_props_mask_follow_version(void **state)
{
	static const struct {
		uint32_t v;
		size_t size;
		uint32_t mask;
	} rows[] = {
		{FFAEMU_FFA_1_0, 8, 0x7u},
		{FFAEMU_FFA_1_1, 24, 0x1ffu},
		{FFAEMU_FFA_1_2, 24, 0x7ffu},
		{FFAEMU_FFA_1_3, 48, 0x3fffu},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		assert_int_equal(ffaemu_partinfo_size(rows[i].v), rows[i].size);
		assert_int_equal(ffaemu_partinfo_props_mask(rows[i].v), rows[i].mask);
	}
	assert_int_equal(ffaemu_partinfo_size(0x80010000u), 0);
	assert_int_equal(ffaemu_partinfo_size(FFAEMU_FFA_VERSION_WORD(2, 0)), 0);
}

static void test_encode_v1_0_is_8_bytes_with_v1_0_props(void **state)
{
	struct ffaemu_partinfo pi = sample();
	uint8_t buf[32];
	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(ffaemu_partinfo_encode(&pi, FFAEMU_FFA_1_0, buf, sizeof(buf)), 8);
	assert_int_equal(buf[0], 0x01);
	assert_int_equal(buf[1], 0x80);
	assert_int_equal(buf[2], 8);
	assert_int_equal(buf[3], 0);
	assert_int_equal(buf[4], 0x07);
	assert_int_equal(buf[5] | buf[6] | buf[7], 0);
	/* nothing past the descriptor */
	assert_int_equal(buf[8], 0xee);
}

static void test_encode_v1_1_carries_uuid_at_offset_8(void **state)
{
	struct ffaemu_partinfo pi = sample(), back;
	uint8_t buf[24];
	(void)state;
	assert_int_equal(ffaemu_partinfo_encode(&pi, FFAEMU_FFA_1_2, buf, sizeof(buf)), 24);
	assert_memory_equal(buf + 8, pi.uuid.b, 16);
	assert_int_equal(ffaemu_partinfo_decode(buf, sizeof(buf), 24, &back), 0);
	assert_int_equal(back.id, 0x8001);
	assert_int_equal(back.exec_ctx_count, 8);
	assert_int_equal(back.props, 0x7ffu);
	assert_memory_equal(back.uuid.b, pi.uuid.b, 16);
}

static void test_encode_v1_3_is_48_bytes(void **state)
{
	struct ffaemu_partinfo pi = sample(), back;
	uint8_t buf[48];
	(void)state;
	assert_int_equal(ffaemu_partinfo_encode(&pi, FFAEMU_FFA_1_3, buf, sizeof(buf)), 48);
	assert_int_equal(ffaemu_partinfo_decode(buf, sizeof(buf), 48, &back), 0);
	assert_memory_equal(back.image_uuid.b, pi.image_uuid.b, 16);
	assert_int_equal(back.ffa_version, FFAEMU_FFA_1_3);
}

static void test_encode_refuses_short_buffer_without_writing(void **state)
{
	struct ffaemu_partinfo pi = sample();
	uint8_t buf[24];
	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(ffaemu_partinfo_encode(&pi, FFAEMU_FFA_1_1, buf, 23), FFAEMU_ERANGE);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xaa);
	assert_int_equal(ffaemu_partinfo_encode(&pi, 0x80000000u, buf, 24), FFAEMU_EINVAL);
}

static void test_decode_checks_length_and_size(void **state)
{
	uint8_t buf[64] = {0};
	struct ffaemu_partinfo out;
	(void)state;
	assert_int_equal(ffaemu_partinfo_decode(buf, 23, 24, &out), FFAEMU_ERANGE);
	assert_int_equal(ffaemu_partinfo_decode(buf, 64, 7, &out), FFAEMU_EINVAL);
	/* A larger, unknown size reads what it knows. */
	buf[0] = 0x05;
	assert_int_equal(ffaemu_partinfo_decode(buf, 64, 64, &out), 0);
	assert_int_equal(out.id, 5);
}

/* D2: reg0 = ID | count << 16 | props << 32; reg1/reg2 = UUID in B3 order. */
static void test_regs_pack_layout(void **state)
{
	struct ffaemu_partinfo pi = sample(), back;
	uint64_t r[3];
	(void)state;
	pi.props = 0x305;
	pi.uuid = ffaemu_uuid_from_words(0x1e67b5b4, 0xe14f904a, 0x13fb1fb8, 0xcbdae1da);
	ffaemu_partinfo_regs_pack(&pi, r);
	assert_int_equal(r[0], 0x0000030500088001ull);
	assert_int_equal(r[1], 0xe14f904a1e67b5b4ull);
	assert_int_equal(r[2], 0xcbdae1da13fb1fb8ull);
	ffaemu_partinfo_regs_unpack(r, &back);
	assert_int_equal(back.id, pi.id);
	assert_int_equal(back.props, 0x305);
	assert_true(ffaemu_uuid_eq(&back.uuid, &pi.uuid));
}

static void test_regs_x2_packing(void **state)
{
	(void)state;
	assert_int_equal(ffaemu_partinfo_regs_x2(6, 4, 0x1234, 24), 0x0018123400040006ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_and_props_mask_follow_version),
		cmocka_unit_test(test_encode_v1_0_is_8_bytes_with_v1_0_props),
		cmocka_unit_test(test_encode_v1_1_carries_uuid_at_offset_8),
		cmocka_unit_test(test_encode_v1_3_is_48_bytes),
		cmocka_unit_test(test_encode_refuses_short_buffer_without_writing),
		cmocka_unit_test(test_decode_checks_length_and_size),
		cmocka_unit_test(test_regs_pack_layout),
		cmocka_unit_test(test_regs_x2_packing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
