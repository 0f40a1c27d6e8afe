/* SPDX-License-Identifier: BSD-3-Clause */
/* Indirect message header (spec D10) and endpoint RX/TX descriptor (spec D12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/msgdesc.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_header_size_per_version(void **state)
{
	(void)state;
	assert_int_equal(ffaemu_msg_hdr_size(FFAEMU_FFA_1_0), 0);
	assert_int_equal(ffaemu_msg_hdr_size(FFAEMU_FFA_1_1), 20);
	assert_int_equal(ffaemu_msg_hdr_size(FFAEMU_FFA_1_2), 40);
}

static void test_header_v1_1_layout_receiver_then_sender(void **state)
{
	struct ffaemu_msg_hdr h = {0}, back;
	uint8_t buf[64] = {0};
	(void)state;
	h.offset = 20;
	h.sender = 0x8001;
	h.receiver = 0x0002;
	h.size = 5;
	assert_int_equal(ffaemu_msg_hdr_encode(&h, FFAEMU_FFA_1_1, buf, sizeof(buf)), 20);
	assert_int_equal(buf[8], 20);
	assert_int_equal(buf[12], 0x02); /* receiver u16 at 12 */
	assert_int_equal(buf[14], 0x01); /* sender u16 at 14 */
	assert_int_equal(buf[15], 0x80);
	assert_int_equal(buf[16], 5);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, 64, FFAEMU_FFA_1_1, &back), 0);
	assert_int_equal(back.sender, 0x8001);
	assert_int_equal(back.receiver, 2);
	assert_int_equal(back.size, 5);
}

static void test_header_v1_2_uuid_only_when_offset_leaves_room(void **state)
{
	struct ffaemu_msg_hdr h = {0}, back;
	uint8_t buf[128] = {0};
	(void)state;
	for (int i = 0; i < 16; i++)
		h.uuid.b[i] = (uint8_t)(i + 1);
	h.offset = 40;
	h.size = 8;
	assert_int_equal(ffaemu_msg_hdr_encode(&h, FFAEMU_FFA_1_2, buf, sizeof(buf)), 40);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_2, &back), 0);
	assert_memory_equal(back.uuid.b, h.uuid.b, 16);
	/* A v1.2 reader of a message with offset below 40 rejects it. */
	put32(buf + 8, 20);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_2, &back),
			 FFAEMU_EINVAL);
}

static void test_header_bounds_are_checked(void **state)
{
	uint8_t buf[4096] = {0};
	struct ffaemu_msg_hdr back;
	(void)state;
	put32(buf + 8, 20);
	put32(buf + 16, 4096 - 20);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_1, &back), 0);
	/* one byte past the buffer */
	put32(buf + 16, 4096 - 19);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_1, &back),
			 FFAEMU_ERANGE);
	/* offset + size wraps u32 */
	put32(buf + 8, 0xfffffff0u);
	put32(buf + 16, 0x20);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_1, &back),
			 FFAEMU_ERANGE);
	/* payload inside the header */
	put32(buf + 8, 8);
	put32(buf + 16, 1);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_1, &back),
			 FFAEMU_EINVAL);
	/* buffer shorter than a header */
	assert_int_equal(ffaemu_msg_hdr_decode(buf, 19, FFAEMU_FFA_1_1, &back), FFAEMU_ERANGE);
	/* no indirect messages before v1.1 */
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_0, &back),
			 FFAEMU_EINVAL);
}

static void test_header_larger_than_a_page_is_refused(void **state)
{
	static uint8_t buf[8192];
	struct ffaemu_msg_hdr back;
	(void)state;
	memset(buf, 0, sizeof(buf));
	put32(buf + 8, 20);
	put32(buf + 16, 4096);
	assert_int_equal(ffaemu_msg_hdr_decode(buf, sizeof(buf), FFAEMU_FFA_1_1, &back),
			 FFAEMU_ERANGE);
}

static void test_rxtx_desc_roundtrip_v1_1_and_v1_0(void **state)
{
	struct ffaemu_ep_rxtx_desc d = {5, 0x81000000u, 0x81002000u, 2, 2}, back;
	uint8_t buf[128];
	uint32_t v[] = {FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		memset(buf, 0, sizeof(buf));
		assert_int_equal(ffaemu_ep_rxtx_encode(&d, v[i], buf, sizeof(buf)), 80);
		assert_int_equal(ffaemu_ep_rxtx_decode(buf, 80, v[i], &back), 0);
		assert_int_equal(back.id, 5);
		assert_int_equal(back.rx_pa, 0x81000000u);
		assert_int_equal(back.tx_pa, 0x81002000u);
		assert_int_equal(back.rx_pages, 2);
		assert_int_equal(back.tx_pages, 2);
	}
	/* v1.1 stores offsets, v1.0 counts */
	ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_1, buf, sizeof(buf));
	assert_int_equal(buf[4], 16);
	ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_0, buf, sizeof(buf));
	assert_int_equal(buf[4], 1);
}

static void test_rxtx_desc_bad_offsets_and_counts(void **state)
{
	struct ffaemu_ep_rxtx_desc d = {5, 0x81000000u, 0x81002000u, 1, 1}, back;
	uint8_t buf[80];
	(void)state;
	ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_1, buf, sizeof(buf));
	assert_int_equal(ffaemu_ep_rxtx_decode(buf, 79, FFAEMU_FFA_1_1, &back), FFAEMU_ERANGE);
	put32(buf + 8, 0xfffffff8u); /* TX composite offset far outside */
	assert_int_equal(ffaemu_ep_rxtx_decode(buf, 80, FFAEMU_FFA_1_1, &back), FFAEMU_ERANGE);
	put32(buf + 8, 52); /* not 8-byte aligned */
	assert_int_equal(ffaemu_ep_rxtx_decode(buf, 80, FFAEMU_FFA_1_1, &back), FFAEMU_EINVAL);
	ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_1, buf, sizeof(buf));
	put32(buf + 16 + 4, 0); /* RX composite with no constituent */
	assert_int_equal(ffaemu_ep_rxtx_decode(buf, 80, FFAEMU_FFA_1_1, &back), FFAEMU_EINVAL);
	ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_1, buf, sizeof(buf));
	put32(buf + 16 + 4, 0x10000000u); /* constituent count beyond the buffer */
	assert_int_equal(ffaemu_ep_rxtx_decode(buf, 80, FFAEMU_FFA_1_1, &back), FFAEMU_ERANGE);
	ffaemu_ep_rxtx_encode(&d, FFAEMU_FFA_1_1, buf, sizeof(buf));
	put32(buf + 16, 3); /* total pages != first range */
	assert_int_equal(ffaemu_ep_rxtx_decode(buf, 80, FFAEMU_FFA_1_1, &back), FFAEMU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_size_per_version),
		cmocka_unit_test(test_header_v1_1_layout_receiver_then_sender),
		cmocka_unit_test(test_header_v1_2_uuid_only_when_offset_leaves_room),
		cmocka_unit_test(test_header_bounds_are_checked),
		cmocka_unit_test(test_header_larger_than_a_page_is_refused),
		cmocka_unit_test(test_rxtx_desc_roundtrip_v1_1_and_v1_0),
		cmocka_unit_test(test_rxtx_desc_bad_offsets_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
