/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Testing an FF-A client driver with CMocka and ffa-emu.
 *
 * The first half is the code under test: a small FF-A driver written the
 * way a Linux-style driver is (an ffa_value_t register struct, one
 * invoke_ffa_fn pointer, physical addresses for buffers). It knows nothing
 * of ffa-emu. The second half is its test: it builds an emulated system
 * (pKVM proxy + fake SPMC with an echo partition), hands the driver a
 * conduit function of exactly its own signature (ffaemu_ffi_adapter, the
 * "linux" shape) and checks the results with the assertions of
 * <ffa/cmocka.h>, including the conformance checker's verdict.
 *
 * The driver's memory is host memory registered as an identity region, so
 * "virt_to_phys" is a cast, as on a machine with a flat mapping.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ffa/cmocka.h>
#include <ffa/ffa.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

/* =====================  the driver under test  ===================== */

typedef struct {
	unsigned long a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16,
		a17;
} ffa_value_t;

typedef void(ffa_fn)(ffa_value_t, ffa_value_t *);

#define DRV_FFA_ERROR 0x84000060ul
#define DRV_FFA_SUCCESS 0x84000061ul
#define DRV_FFA_VERSION 0x84000063ul
#define DRV_FFA_RX_RELEASE 0x84000065ul
#define DRV_FFA_RXTX_MAP_64 0xc4000066ul
#define DRV_FFA_RXTX_UNMAP 0x84000067ul
#define DRV_FFA_PARTITION_INFO_GET 0x84000068ul
#define DRV_FFA_ID_GET 0x84000069ul
#define DRV_FFA_MEM_SHARE_64 0xc4000073ul
#define DRV_FFA_MEM_RECLAIM 0x84000077ul
#define DRV_FFA_DIRECT_REQ2 0xc400008dul
#define DRV_FFA_DIRECT_RESP2 0xc400008eul
#define DRV_VERSION_1_2 0x10002ul
#define DRV_PAGE 4096u

struct drv_partition {
	uint16_t id;
	uint16_t exec_ctx;
	uint32_t props;
};

struct drv {
	ffa_fn *invoke;
	uint32_t version;
	uint16_t id;
	uint8_t *tx, *rx; /* one page each */
};

static unsigned long virt_to_phys(const void *p)
{
	return (unsigned long)(uintptr_t)p;
}

/* 0, or the FF-A error code (negative). */
static int drv_status(const ffa_value_t *r)
{
	if (r->a0 == DRV_FFA_ERROR)
		return (int)(int32_t)r->a2;
	return 0;
}

static int drv_version(struct drv *d)
{
	ffa_value_t r;

	d->invoke((ffa_value_t){.a0 = DRV_FFA_VERSION, .a1 = DRV_VERSION_1_2}, &r);
	if ((int32_t)r.a0 < 0)
		return (int)(int32_t)r.a0;
	/* same major, minor at least ours (DEN0077A s13.2.1) */
	if ((r.a0 >> 16) != 1 || (r.a0 & 0xffff) < 2)
		return -1;
	d->version = (uint32_t)r.a0;
	return 0;
}

static int drv_id_get(struct drv *d)
{
	ffa_value_t r;

	d->invoke((ffa_value_t){.a0 = DRV_FFA_ID_GET}, &r);
	if (r.a0 != DRV_FFA_SUCCESS)
		return drv_status(&r) ? drv_status(&r) : -1;
	d->id = (uint16_t)r.a2;
	return 0;
}

static int drv_rxtx_map(struct drv *d)
{
	ffa_value_t r;

	d->invoke((ffa_value_t){.a0 = DRV_FFA_RXTX_MAP_64, .a1 = virt_to_phys(d->tx),
				.a2 = virt_to_phys(d->rx), .a3 = 1},
		  &r);
	return r.a0 == DRV_FFA_SUCCESS ? 0 : (drv_status(&r) ? drv_status(&r) : -1);
}

static int drv_rxtx_unmap(struct drv *d)
{
	ffa_value_t r;

	d->invoke((ffa_value_t){.a0 = DRV_FFA_RXTX_UNMAP, .a1 = (unsigned long)d->id << 16}, &r);
	return r.a0 == DRV_FFA_SUCCESS ? 0 : (drv_status(&r) ? drv_status(&r) : -1);
}

/* Every partition (nil UUID), copied out of RX, which is then released. */
static int drv_partitions(struct drv *d, struct drv_partition *out, unsigned max)
{
	ffa_value_t r;
	unsigned count, size;

	d->invoke((ffa_value_t){.a0 = DRV_FFA_PARTITION_INFO_GET}, &r);
	if (r.a0 != DRV_FFA_SUCCESS)
		return drv_status(&r) ? drv_status(&r) : -1;
	count = (unsigned)r.a2;
	size = (unsigned)r.a3;
	if (size < 8 || (unsigned long)count * size > DRV_PAGE)
		return -1;
	for (unsigned i = 0; i < count && i < max; i++) {
		memcpy(&out[i].id, d->rx + i * size, 2);
		memcpy(&out[i].exec_ctx, d->rx + i * size + 2, 2);
		memcpy(&out[i].props, d->rx + i * size + 4, 4);
	}
	d->invoke((ffa_value_t){.a0 = DRV_FFA_RX_RELEASE}, &r);
	if (r.a0 != DRV_FFA_SUCCESS)
		return -1;
	return (int)count;
}

/* DIRECT_REQ2 with 14 payload registers; the reply's payload replaces msg. */
static int drv_direct_req2(struct drv *d, uint16_t dst, unsigned long msg[14])
{
	ffa_value_t a = {.a0 = DRV_FFA_DIRECT_REQ2, .a1 = ((unsigned long)d->id << 16) | dst};
	ffa_value_t r;

	memcpy(&a.a4, msg, 14 * sizeof(unsigned long));
	d->invoke(a, &r);
	if (r.a0 != DRV_FFA_DIRECT_RESP2)
		return drv_status(&r) ? drv_status(&r) : -1;
	memcpy(msg, &r.a4, 14 * sizeof(unsigned long));
	return 0;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * Share pages with one partition, read-write: a v1.2 transaction descriptor
 * in TX (48-byte header, one 32-byte EMAD, composite, one constituent).
 */
static int drv_mem_share(struct drv *d, const void *buf, uint32_t pages, uint16_t receiver,
			 uint64_t *handle)
{
	uint8_t *t = d->tx;
	const uint32_t emad = 48, comp = emad + 32, total = comp + 16 + 16;
	ffa_value_t r;

	memset(t, 0, total);
	put16(t + 0, d->id);
	put16(t + 2, 0x2f);       /* normal memory, write-back, inner shareable */
	put32(t + 24, 32);        /* EMAD size (v1.2) */
	put32(t + 28, 1);         /* one receiver */
	put32(t + 32, emad);      /* EMAD array offset */
	put16(t + emad, receiver);
	t[emad + 2] = 0x2;        /* read-write, instruction access not specified */
	put32(t + emad + 4, comp);
	put32(t + comp, pages);
	put32(t + comp + 4, 1);
	put64(t + comp + 16, virt_to_phys(buf));
	put32(t + comp + 24, pages);
	d->invoke((ffa_value_t){.a0 = DRV_FFA_MEM_SHARE_64, .a1 = total, .a2 = total}, &r);
	if (r.a0 != DRV_FFA_SUCCESS)
		return drv_status(&r) ? drv_status(&r) : -1;
	*handle = (uint32_t)r.a2 | ((uint64_t)(uint32_t)r.a3 << 32);
	return 0;
}

static int drv_mem_reclaim(struct drv *d, uint64_t handle)
{
	ffa_value_t r;

	d->invoke((ffa_value_t){.a0 = DRV_FFA_MEM_RECLAIM, .a1 = (uint32_t)handle,
				.a2 = (uint32_t)(handle >> 32)},
		  &r);
	return r.a0 == DRV_FFA_SUCCESS ? 0 : (drv_status(&r) ? drv_status(&r) : -1);
}

/* =====================  its test  ===================== */

#define PROXY "pkvm-2026-direct-msg"
#define ECHO_ID 0x8001
#define HOST_PAGES 16

struct env {
	void *host_mem; /* the driver's memory: TX, RX, a shared buffer */
	struct ffaemu_system *sys;
	struct ffaemu_ffi_adapter *conduit;
	struct ffaemu_check *check;
	uint64_t mark;
	struct drv drv;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct ffaemu_system_config cfg;
	struct ffaemu_sp_config sp;

	if (!e)
		return -1;
	e->host_mem = aligned_alloc(DRV_PAGE, HOST_PAGES * DRV_PAGE);
	if (!e->host_mem) {
		free(e);
		return -1;
	}
	memset(e->host_mem, 0, HOST_PAGES * DRV_PAGE);
	ffaemu_system_config_default(&cfg);
	cfg.proxy = PROXY;
	cfg.identity = e->host_mem;
	cfg.identity_size = HOST_PAGES * DRV_PAGE;
	if (ffaemu_system_new(&cfg, &e->sys))
		return -1;
	if (ffaemu_sp_config_builtin(&sp, FFAEMU_SP_ECHO, ECHO_ID))
		return -1;
	sp.props |= FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	if (ffaemu_spmc_add_sp(ffaemu_system_spmc(e->sys), &sp))
		return -1;
	/* the conduit the driver calls: the Linux signature, bound to the host endpoint */
	if (ffaemu_ffi_adapter_new_str("linux", ffaemu_system_host_edge(e->sys),
				       ffaemu_system_host_ctx(e->sys), NULL, &e->conduit))
		return -1;
	if (ffaemu_check_new(NULL, &e->check) ||
	    ffaemu_check_attach(e->check, ffaemu_system_host_edge(e->sys)))
		return -1;
	e->mark = ffaemu_check_mark(e->check);
	e->drv.invoke = FFAEMU_FFI_FN(e->conduit, ffa_fn *);
	e->drv.tx = e->host_mem;
	e->drv.rx = (uint8_t *)e->host_mem + DRV_PAGE;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	ffaemu_check_free(&e->check);
	ffaemu_ffi_adapter_free(&e->conduit);
	ffaemu_system_free(&e->sys);
	free(e->host_mem);
	free(e);
	return 0;
}

static void probe(struct env *e)
{
	assert_int_equal(drv_version(&e->drv), 0);
	assert_int_equal(drv_id_get(&e->drv), 0);
	assert_int_equal(drv_rxtx_map(&e->drv), 0);
}

static void driver_negotiates_version_and_learns_its_id(void **state)
{
	struct env *e = *state;

	assert_int_equal(drv_version(&e->drv), 0);
	assert_int_equal(e->drv.version, DRV_VERSION_1_2);
	assert_int_equal(drv_id_get(&e->drv), 0);
	assert_int_equal(e->drv.id, 0); /* the host is endpoint 0 */
	ffaemu_assert_no_violation_since(e->check, e->mark);
}

static void driver_maps_rxtx_and_finds_the_echo_partition(void **state)
{
	struct env *e = *state;
	struct drv_partition parts[8];
	int n;

	memset(parts, 0, sizeof(parts)); /* not written when the call fails */
	probe(e);
	n = drv_partitions(&e->drv, parts, 8);
	assert_true(n >= 1);
	assert_int_equal(parts[0].id, ECHO_ID);
	assert_true(parts[0].props & (1u << 9)); /* receives DIRECT_REQ2 */
	/* a second map is refused (spec C5: DENIED once mapped) */
	assert_int_not_equal(drv_rxtx_map(&e->drv), 0);
	assert_int_equal(drv_rxtx_unmap(&e->drv), 0);
}

static void driver_direct_request_is_echoed(void **state)
{
	struct env *e = *state;
	unsigned long msg[14], sent[14];

	probe(e);
	for (unsigned i = 0; i < 14; i++)
		msg[i] = sent[i] = 0x1000 + i;
	assert_int_equal(drv_direct_req2(&e->drv, ECHO_ID, msg), 0);
	assert_memory_equal(msg, sent, sizeof(msg));
	/* an endpoint that does not exist is an error, not a crash */
	assert_true(drv_direct_req2(&e->drv, 0x8fff, msg) < 0);
}

static void driver_shares_and_reclaims_memory(void **state)
{
	struct env *e = *state;
	struct ffaemu_mem *mem = ffaemu_system_mem(e->sys);
	struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);
	const uint8_t *buf = (uint8_t *)e->host_mem + 4 * DRV_PAGE;
	uint64_t handle = 0;

	probe(e);
	ffaemu_assert_pages(mem, virt_to_phys(buf), 2, host, FFAEMU_PAGE_OWNED);
	assert_int_equal(drv_mem_share(&e->drv, buf, 2, ECHO_ID, &handle), 0);
	ffaemu_assert_pages(mem, virt_to_phys(buf), 2, host, FFAEMU_PAGE_SHARED);
	assert_int_equal(drv_mem_reclaim(&e->drv, handle), 0);
	ffaemu_assert_pages(mem, virt_to_phys(buf), 2, host, FFAEMU_PAGE_OWNED);
	/* the handle is gone: a second reclaim fails */
	assert_int_equal(drv_mem_reclaim(&e->drv, handle), FFAEMU_FFA_INVALID_PARAMETERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(driver_negotiates_version_and_learns_its_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(driver_maps_rxtx_and_finds_the_echo_partition, setup,
						teardown),
		cmocka_unit_test_setup_teardown(driver_direct_request_is_echoed, setup, teardown),
		cmocka_unit_test_setup_teardown(driver_shares_and_reclaims_memory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
