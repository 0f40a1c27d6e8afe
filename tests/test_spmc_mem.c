/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake SPMC's memory management (lib/spmc/mem_share.c, sp_memory.c):
 * SHARE/LEND/DONATE with 1-3 fragments and 1-4 borrowers, retrieve in the
 * v1.0/v1.1/v1.2 layouts (FRAG_RX for large responses), the hypervisor
 * retrieve request, RELINQUISH, RECLAIM and the zero flags; every error the
 * spec names for each ABI, with the page map and the transaction table
 * checked unchanged after each failed call; the built-in memory partition
 * round trip; a 262,144-page transaction; fault injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <ffa/ffa.h>
#include <ffa/spmc.h>

#include "spmc/spmc_priv.h"

#define HOST_TX 0x80000000ull
#define HOST_RX 0x80001000ull
#define DATA 0x80010000ull
#define RAM_PAGES 256u
#define SP_A 0x8001 /* v1.2 */
#define SP_B 0x8002 /* v1.1 */
#define SP_C 0x8003 /* v1.0 */
#define SP_D 0x8004 /* v1.2 */
#define SP_MEM 0x8010
#define SECURE_BASE 0xf0000000ull

#define INV FFAEMU_FFA_INVALID_PARAMETERS
#define DEN FFAEMU_FFA_DENIED

/* An allocator that fails the Nth allocation from now (0 = never). */
struct failing_alloc {
	unsigned long count, fail_at;
};

static void *fa_alloc(void *user, size_t n)
{
	struct failing_alloc *fa = user;

	if (fa->fail_at && ++fa->count >= fa->fail_at)
		return NULL;
	return malloc(n ? n : 1);
}

static void *fa_realloc(void *user, void *p, size_t n)
{
	struct failing_alloc *fa = user;

	if (fa->fail_at && ++fa->count >= fa->fail_at)
		return NULL;
	return realloc(p, n ? n : 1);
}

static void fa_free(void *user, void *p)
{
	(void)user;
	free(p);
}

struct fx {
	struct ffaemu_spmc *pub;
	struct failing_alloc fa;
	struct ffaemu_allocator alloc;
	struct spmc *spmc;
	struct ffaemu_mem *mem;
	uint32_t hostver;
	uint8_t *htx, *hrx;
	uint8_t big[1u << 16];
};

static void call(struct fx *f, ffaemu_id_t id, struct ffaemu_regs *r)
{
	struct ffaemu_call_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.caller = id;
	ctx.secure = (id & 0x8000u) != 0;
	ctx.instance = ctx.secure ? FFAEMU_INSTANCE_SV : FFAEMU_INSTANCE_NP;
	ctx.el = 1;
	ctx.conduit = FFAEMU_CONDUIT_SMC;
	ctx.smccc_version = FFAEMU_SMCCC_1_2;
	ffaemu_node_call(ffaemu_spmc_node(f->pub), r, &ctx);
}

static void regs3(struct ffaemu_regs *r, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	ffaemu_regs_clear(r);
	r->x[0] = fid;
	r->x[1] = a1;
	r->x[2] = a2;
	r->x[3] = a3;
}

static int32_t err_of(const struct ffaemu_regs *r)
{
	return ffaemu_regs_w(r, 0) == FFAEMU_FFA_ERROR ? ffaemu_regs_s32(r, 2) : 0;
}

static void add_sp(struct fx *f, ffaemu_id_t id, uint32_t ver, enum ffaemu_sp_builtin b)
{
	struct ffaemu_sp_config c;

	assert_int_equal(ffaemu_sp_config_builtin(&c, b, id), 0);
	c.ffa_version = ver;
	assert_int_equal(ffaemu_spmc_add_sp(f->pub, &c), 0);
}

static uint8_t *ep_buf(struct fx *f, ffaemu_id_t id, bool rx)
{
	struct ffaemu_spmc_ep_info in;
	void *p;

	assert_int_equal(ffaemu_spmc_ep_info(f->pub, id, &in), 0);
	assert_true(in.mapped);
	assert_int_equal(ffaemu_mem_ptr(f->mem, rx ? in.rx_pa : in.tx_pa, 4096, &p), 0);
	return p;
}

static struct fx *fx_new_prof(uint32_t hostver, const struct ffaemu_spmc_profile *prof)
{
	struct ffaemu_spmc_config cfg;
	struct ffaemu_regs r;
	struct fx *f = calloc(1, sizeof(*f));
	void *p;

	assert_non_null(f);
	ffaemu_spmc_config_default(&cfg);
	cfg.secure_base = SECURE_BASE;
	cfg.profile = prof;
	f->alloc.size = sizeof(f->alloc);
	f->alloc.alloc = fa_alloc;
	f->alloc.realloc = fa_realloc;
	f->alloc.free = fa_free;
	f->alloc.user = &f->fa;
	cfg.alloc = &f->alloc;
	assert_int_equal(ffaemu_spmc_new(&cfg, &f->pub), 0);
	f->spmc = (struct spmc *)f->pub;
	f->mem = ffaemu_spmc_mem(f->pub);
	assert_int_equal(ffaemu_mem_add_ram(f->mem, HOST_TX, (uint64_t)RAM_PAGES * 4096,
					    FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	add_sp(f, SP_A, FFAEMU_FFA_1_2, FFAEMU_SP_ECHO);
	add_sp(f, SP_B, FFAEMU_FFA_1_1, FFAEMU_SP_ECHO);
	add_sp(f, SP_C, FFAEMU_FFA_1_0, FFAEMU_SP_ECHO);
	add_sp(f, SP_D, FFAEMU_FFA_1_2, FFAEMU_SP_ECHO);
	add_sp(f, SP_MEM, FFAEMU_FFA_1_2, FFAEMU_SP_MEMORY);
	f->hostver = hostver;
	regs3(&r, FFAEMU_FFA_VERSION, hostver, 0, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_1_2);
	regs3(&r, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_mem_ptr(f->mem, HOST_TX, 4096, &p), 0);
	f->htx = p;
	assert_int_equal(ffaemu_mem_ptr(f->mem, HOST_RX, 4096, &p), 0);
	f->hrx = p;
	return f;
}

static struct fx *fx_new(uint32_t hostver)
{
	return fx_new_prof(hostver, NULL);
}

static void fx_free(struct fx *f)
{
	ffaemu_spmc_free(&f->pub);
	free(f);
}

static int setup12(void **state)
{
	*state = fx_new(FFAEMU_FFA_1_2);
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* ---- state snapshots: page map and transaction table --------------------- */

struct snap {
	uint64_t digest;
	size_t ntx;
	struct ffaemu_mem_stats st;
	struct ffaemu_page_info pi[RAM_PAGES];
};

static void snap_take(struct fx *f, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->digest = spmc_mem_digest(f->spmc);
	s->ntx = spmc_mem_tx_count(f->spmc);
	ffaemu_mem_get_stats(f->mem, &s->st);
	for (unsigned i = 0; i < RAM_PAGES; i++)
		assert_int_equal(ffaemu_mem_page_info(f->mem, HOST_TX + 4096ull * i, &s->pi[i]), 0);
}

static void snap_cmp(struct fx *f, const struct snap *a, const char *what, bool table)
{
	struct snap *b = malloc(sizeof(*b));
	char why[128];

	assert_non_null(b);
	snap_take(f, b);
	if (table && (a->digest != b->digest || a->ntx != b->ntx))
		fail_msg("%s: transaction table changed", what);
	if (memcmp(&a->st, &b->st, sizeof(a->st)))
		fail_msg("%s: page statistics changed", what);
	for (unsigned i = 0; i < RAM_PAGES; i++) {
		const struct ffaemu_page_info *x = &a->pi[i], *y = &b->pi[i];

		if (x->owner.kind != y->owner.kind || x->owner.id != y->owner.id ||
		    x->state != y->state || x->borrowers != y->borrowers ||
		    x->hyp_state != y->hyp_state || x->pins != y->pins || x->flags != y->flags)
			fail_msg("%s: page %u changed", what, i);
	}
	if (ffaemu_mem_check(f->mem, why, sizeof(why)))
		fail_msg("%s: page map invariant: %s", what, why);
	free(b);
}

/* Page map and transaction table unchanged. */
static void snap_same(struct fx *f, const struct snap *a, const char *what)
{
	snap_cmp(f, a, what, true);
}

/* Page map unchanged (after a completed cycle the handle counter moved on). */
static void snap_same_pages(struct fx *f, const struct snap *a, const char *what)
{
	snap_cmp(f, a, what, false);
}

static void page(struct fx *f, ffaemu_pa_t pa, struct ffaemu_page_info *pi)
{
	assert_int_equal(ffaemu_mem_page_info(f->mem, pa, pi), 0);
}

/* ---- descriptors ---------------------------------------------------------- */

struct desc {
	uint32_t version;
	ffaemu_id_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t tag;
	const ffaemu_id_t *recv;
	uint32_t nrecv;
	uint8_t perms;
	const struct ffaemu_range *ranges;
	size_t nranges;
};

static size_t build(const struct desc *d, uint8_t *buf, size_t cap)
{
	struct ffaemu_memdesc_receiver rx[8];
	struct ffaemu_memdesc_tx tx;
	size_t len = 0;

	memset(rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
	for (uint32_t i = 0; i < d->nrecv; i++) {
		rx[i].id = d->recv[i];
		rx[i].perms = d->perms;
	}
	tx.sender = d->sender;
	tx.attributes = d->attributes;
	tx.flags = d->flags;
	tx.tag = d->tag;
	tx.receivers = rx;
	tx.receiver_count = d->nrecv;
	tx.constituents = d->ranges;
	tx.constituent_count = d->nranges;
	assert_int_equal(ffaemu_memdesc_build(&tx, d->version, buf, cap, &len), 0);
	return len;
}

static const ffaemu_id_t one_a[1] = { SP_A };
static const struct ffaemu_range two_ranges[2] = { { DATA, 2 }, { DATA + 0x4000, 1 } };

/* A single-borrower (SP_A) LEND or SHARE descriptor of two ranges at the host's version. */
static struct desc basic(struct fx *f, uint32_t fid)
{
	struct desc d;

	memset(&d, 0, sizeof(d));
	d.version = f->hostver;
	d.sender = 0;
	d.recv = one_a;
	d.nrecv = 1;
	d.perms = (fid & ~FFAEMU_SMCCC_SMC64) == FFAEMU_FFA_MEM_DONATE ? 0
									: FFAEMU_MEM_PERM_DATA_RW;
	d.attributes = (fid & ~FFAEMU_SMCCC_SMC64) == FFAEMU_FFA_MEM_SHARE
			       ? FFAEMU_MEM_ATTR_NORMAL_WB_INNER
			       : 0;
	d.ranges = two_ranges;
	d.nranges = 2;
	return d;
}

/*
 * Send len bytes of buf as fid in fragments of at most frag bytes (E2
 * boundaries from the parsed descriptor). Returns the last reply; *nfrag
 * counts the calls.
 */
static void send_frag(struct fx *f, uint32_t fid, const uint8_t *buf, size_t len, size_t frag,
		      struct ffaemu_regs *r, unsigned *nfrag)
{
	struct ffaemu_memdesc d;
	size_t off = 0, n = len;
	unsigned calls = 0;

	if (ffaemu_memdesc_parse(buf, len, f->hostver,
				 (enum ffaemu_memdesc_kind)((fid & 0xff) - 0x70), &d, NULL) == 0)
		assert_int_equal(ffaemu_memdesc_fragment_len(&d, 0, frag, &n), 0);
	else if (n > frag)
		n = frag;
	memcpy(f->htx, buf, n);
	regs3(r, fid, len, n, 0);
	call(f, 0, r);
	calls++;
	off = n;
	while (ffaemu_regs_w(r, 0) == FFAEMU_FFA_MEM_FRAG_RX) {
		ffaemu_handle_t h = ffaemu_regs_handle(r, 1);

		assert_int_equal(ffaemu_regs_w(r, 3), off);
		n = len - off < frag ? len - off : frag;
		n -= n % 16;
		memcpy(f->htx, buf + off, n);
		regs3(r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), n);
		call(f, 0, r);
		calls++;
		off += n;
	}
	if (nfrag)
		*nfrag = calls;
}

static ffaemu_handle_t send_ok(struct fx *f, uint32_t fid, const struct desc *d)
{
	struct ffaemu_regs r;
	size_t len = build(d, f->big, sizeof(f->big));

	send_frag(f, fid, f->big, len, 4096, &r, NULL);
	if (ffaemu_regs_w(&r, 0) != FFAEMU_FFA_SUCCESS)
		fail_msg("send failed: x0=%#llx err %d", (unsigned long long)r.x[0], err_of(&r));
	return ffaemu_regs_handle(&r, 2);
}

static uint32_t ep_version(struct fx *f, ffaemu_id_t id)
{
	struct ffaemu_spmc_ep_info in;

	assert_int_equal(ffaemu_spmc_ep_info(f->pub, id, &in), 0);
	return in.version;
}

/* Retrieve h as SP sp asking perms, with retrieve flags; the reply in r. */
static void retrieve_from(struct fx *f, ffaemu_id_t sp, ffaemu_id_t sender, ffaemu_handle_t h,
			  uint8_t perms, uint32_t flags, uint64_t tag, struct ffaemu_regs *r)
{
	struct ffaemu_memdesc_receiver me;
	uint8_t *tx = ep_buf(f, sp, false);
	size_t len;

	memset(&me, 0, sizeof(me));
	me.id = sp;
	me.perms = perms;
	assert_int_equal(ffaemu_memdesc_build_retrieve_req(sender, h, tag, flags, 0, &me, 1,
							   ep_version(f, sp), tx, 4096, &len), 0);
	regs3(r, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, len, len, 0);
	call(f, sp, r);
}

/* Retrieve h (sent by the host) as SP sp asking perms, with retrieve flags. */
static void retrieve_as(struct fx *f, ffaemu_id_t sp, ffaemu_handle_t h, uint8_t perms,
			uint32_t flags, uint64_t tag, struct ffaemu_regs *r)
{
	retrieve_from(f, sp, 0, h, perms, flags, tag, r);
}

static void rx_release(struct fx *f, ffaemu_id_t id)
{
	struct ffaemu_regs r;

	regs3(&r, FFAEMU_FFA_RX_RELEASE, 0, 0, 0);
	call(f, id, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
}

static void retrieve_ok(struct fx *f, ffaemu_id_t sp, ffaemu_handle_t h, uint8_t perms)
{
	struct ffaemu_regs r;

	retrieve_as(f, sp, h, perms, FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER, 0, &r);
	if (ffaemu_regs_w(&r, 0) != FFAEMU_FFA_MEM_RETRIEVE_RESP)
		fail_msg("retrieve by %#x failed: %d", sp, err_of(&r));
	rx_release(f, sp);
}

static void relinquish_as(struct fx *f, ffaemu_id_t sp, ffaemu_handle_t h, uint32_t flags,
			  struct ffaemu_regs *r)
{
	uint8_t *tx = ep_buf(f, sp, false);

	assert_int_equal(ffaemu_memdesc_relinquish_build(h, flags, &sp, 1, tx, 4096, NULL), 0);
	regs3(r, FFAEMU_FFA_MEM_RELINQUISH, 0, 0, 0);
	call(f, sp, r);
}

static void reclaim(struct fx *f, ffaemu_handle_t h, uint32_t flags, struct ffaemu_regs *r)
{
	regs3(r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), flags);
	call(f, 0, r);
}

#define NX_RW (FFAEMU_MEM_PERM_DATA_RW | FFAEMU_MEM_PERM_INSTR_NX)

/* ---- round trips ------------------------------------------------------------ */

static void round_trip(uint32_t hostver, uint32_t fid)
{
	struct fx *f = fx_new(hostver);
	struct desc d = basic(f, fid);
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	struct snap s0;
	ffaemu_handle_t h;
	bool share = (fid & ~FFAEMU_SMCCC_SMC64) == FFAEMU_FFA_MEM_SHARE;

	snap_take(f, &s0);
	h = send_ok(f, fid, &d);
	/* SPMC allocator: bit 63 clear (spec D9). */
	assert_int_equal(h & FFAEMU_MEM_HANDLE_ALLOC_HYP, 0);
	page(f, DATA, &pi);
	assert_int_equal(pi.state, share ? FFAEMU_PAGE_SHARED : FFAEMU_PAGE_LENT);
	assert_int_equal(pi.borrowers, 0);

	retrieve_as(f, SP_A, h, share ? 0 : NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	{
		struct ffaemu_memdesc v;
		struct ffaemu_memdesc_receiver me;

		assert_int_equal(ffaemu_memdesc_parse(ep_buf(f, SP_A, true), ffaemu_regs_w(&r, 1),
						      FFAEMU_FFA_1_2, FFAEMU_MEMDESC_RETRIEVE_RESP,
						      &v, NULL), 0);
		assert_int_equal(v.handle, h);
		assert_int_equal(v.total_pages, 3);
		assert_int_equal((v.flags & FFAEMU_MEMDESC_F_TYPE_MASK) >> 3,
				 share ? FFAEMU_MEM_TX_SHARE : FFAEMU_MEM_TX_LEND);
		assert_int_equal(ffaemu_memdesc_receiver(&v, 0, &me), 0);
		/* The relayer records NX for a share (spec D4). */
		assert_int_equal(me.perms, NX_RW);
	}
	page(f, DATA + 0x4000, &pi);
	assert_int_equal(pi.borrowers, 1);
	rx_release(f, SP_A);

	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), DEN); /* still borrowed */
	relinquish_as(f, SP_A, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	/* Back exactly where we started, and the handle is gone. */
	snap_same_pages(f, &s0, "round trip");
	assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), INV);
	page(f, DATA, &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	fx_free(f);
}

static void test_share_and_lend_round_trip_in_every_caller_layout(void **state)
{
	static const uint32_t vers[] = { FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2 };
	static const uint32_t fids[] = { FFAEMU_FFA_MEM_SHARE, FFAEMU_FFA_MEM_SHARE_64,
					 FFAEMU_FFA_MEM_LEND, FFAEMU_FFA_MEM_LEND_64 };

	(void)state;
	for (unsigned v = 0; v < 3; v++)
		for (unsigned i = 0; i < 4; i++)
			round_trip(vers[v], fids[i]);
}

static void test_retrieve_response_uses_the_retrievers_layout(void **state)
{
	struct fx *f = *state;
	static const ffaemu_id_t three[3] = { SP_A, SP_B, SP_C };
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct ffaemu_memdesc_receiver rx[3];
	static const ffaemu_id_t ids[3] = { SP_A, SP_B, SP_C };
	static const uint32_t vers[3] = { FFAEMU_FFA_1_2, FFAEMU_FFA_1_1, FFAEMU_FFA_1_0 };
	struct ffaemu_regs r;
	ffaemu_handle_t h;

	d.recv = three;
	d.nrecv = 3;
	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	memset(rx, 0, sizeof(rx));
	for (unsigned i = 0; i < 3; i++) {
		struct ffaemu_memdesc v;
		uint8_t *tx = ep_buf(f, ids[i], false);
		size_t len;

		for (unsigned k = 0; k < 3; k++)
			rx[k].id = three[k];
		/* every borrower listed (no bit 10) */
		assert_int_equal(ffaemu_memdesc_build_retrieve_req(0, h, 0, 0, 0, rx, 3, vers[i], tx,
								   4096, &len), 0);
		regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ, len, len, 0);
		call(f, ids[i], &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
		assert_int_equal(ffaemu_memdesc_parse(ep_buf(f, ids[i], true), ffaemu_regs_w(&r, 2),
						      vers[i], FFAEMU_MEMDESC_RETRIEVE_RESP, &v,
						      NULL), 0);
		assert_int_equal(v.emad_size, i == 0 ? 32 : 16);
		assert_int_equal(v.emad_offset, i == 2 ? 32 : 48);
		assert_int_equal(v.receiver_count, 3);
		rx_release(f, ids[i]);
	}
	struct ffaemu_page_info pi;
	page(f, DATA, &pi);
	assert_int_equal(pi.borrowers, 3);
}

/* 1, 2 and 3 fragments; 1 and 4 borrowers (issue #3 "done means"). */
static void test_fragments_one_two_three_with_one_and_four_borrowers(void **state)
{
	static const ffaemu_id_t four[4] = { SP_A, SP_B, SP_C, SP_D };
	static struct ffaemu_range ranges[100];
	struct fx *f = *state;

	for (unsigned i = 0; i < 100; i++) {
		ranges[i].base = DATA + 0x2000ull * i;
		ranges[i].pages = 1;
	}
	for (unsigned nb = 1; nb <= 4; nb += 3) {
		for (unsigned want = 1; want <= 3; want++) {
			struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
			struct ffaemu_page_info pi;
			struct ffaemu_regs r;
			unsigned calls = 0;
			size_t len, frag;
			ffaemu_handle_t h;
			struct snap s0;

			/* 100 disjoint single pages, fragment size picked for `want` calls */
			d.recv = four;
			d.nrecv = nb;
			d.ranges = ranges;
			d.nranges = 100;
			len = build(&d, f->big, sizeof(f->big));
			/* head = everything before the 100 ranges; later fragments are whole ranges */
			frag = want == 1 ? 4096 : (len - 1600) + (want == 2 ? 16 * 50 : 16 * 40);
			snap_take(f, &s0);
			send_frag(f, FFAEMU_FFA_MEM_SHARE, f->big, len, frag, &r, &calls);
			assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
			assert_int_equal(calls, want);
			h = ffaemu_regs_handle(&r, 2);
			for (unsigned b = 0; b < nb; b++) {
				struct ffaemu_regs rr;

				retrieve_as(f, four[b], h, 0, FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER, 0,
					    &rr);
				assert_int_equal(ffaemu_regs_w(&rr, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
				rx_release(f, four[b]);
			}
			page(f, DATA + 0x2000ull * 99, &pi);
			assert_int_equal(pi.state, FFAEMU_PAGE_SHARED);
			assert_int_equal(pi.borrowers, nb);
			for (unsigned b = 0; b < nb; b++) {
				relinquish_as(f, four[b], h, 0, &r);
				assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
			}
			reclaim(f, h, 0, &r);
			assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
			snap_same_pages(f, &s0, "after the full cycle");
		}
	}
}

/* A large response goes out over FRAG_RX/FRAG_TX (spec E3) to a v1.0 borrower. */
static void test_large_retrieve_response_is_fragmented(void **state)
{
	static struct ffaemu_range ranges[500];
	static const ffaemu_id_t c[1] = { SP_C };
	static uint8_t got[16384];
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_regs r;
	struct ffaemu_memdesc v;
	uint32_t total, off;
	unsigned pieces = 1;
	ffaemu_handle_t h;
	struct snap s;

	assert_int_equal(ffaemu_mem_add_ram(f->mem, 0x90000000ull, 512ull * 4096, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	for (unsigned i = 0; i < 500; i++) {
		ranges[i].base = 0x90000000ull + 0x1000ull * i;
		ranges[i].pages = 1;
	}
	d.recv = c;
	d.ranges = ranges;
	d.nranges = 500;
	h = send_ok(f, FFAEMU_FFA_MEM_LEND, &d);
	retrieve_as(f, SP_C, h, NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	total = ffaemu_regs_w(&r, 1);
	off = ffaemu_regs_w(&r, 2);
	assert_int_equal(total, 32 + 16 + 16 + 500 * 16);
	assert_true(off < total && off <= 4096);
	memcpy(got, ep_buf(f, SP_C, true), off);
	/* RX still full: FRAG_RX is BUSY (spec E3) and changes nothing */
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
	call(f, SP_C, &r);
	assert_int_equal(err_of(&r), FFAEMU_FFA_BUSY);
	snap_same(f, &s, "FRAG_RX with RX full");
	rx_release(f, SP_C);
	while (off < total) {
		/* wrong offset -> INVALID_PARAMETERS (spec E3), nothing changes */
		snap_take(f, &s);
		regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off + 16);
		call(f, SP_C, &r);
		assert_int_equal(err_of(&r), INV);
		/* w4 [15:0] MBZ (spec C1) */
		regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
		r.x[4] = 1;
		call(f, SP_C, &r);
		assert_int_equal(err_of(&r), INV);
		snap_same(f, &s, "bad FRAG_RX");
		regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
		call(f, SP_C, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_TX);
		assert_int_equal(ffaemu_regs_handle(&r, 1), h);
		assert_true(ffaemu_regs_w(&r, 3) > 0 && ffaemu_regs_w(&r, 3) % 16 == 0);
		memcpy(got + off, ep_buf(f, SP_C, true), ffaemu_regs_w(&r, 3));
		off += ffaemu_regs_w(&r, 3);
		pieces++;
		rx_release(f, SP_C);
	}
	assert_int_equal(off, total);
	assert_int_equal(pieces, 2);
	assert_int_equal(ffaemu_memdesc_parse(got, total, FFAEMU_FFA_1_0,
					      FFAEMU_MEMDESC_RETRIEVE_RESP, &v, NULL), 0);
	assert_int_equal(v.total_pages, 500);
	/* after the last fragment: INVALID_PARAMETERS */
	regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
	call(f, SP_C, &r);
	assert_int_equal(err_of(&r), INV);
}

/* ---- send errors, table-driven, in every caller layout ------------------- */

struct send_case {
	const char *name;
	uint32_t fid;
	int32_t error;
	bool after; /* mutate after the descriptor is built (registers, bytes) */
	/* mutate the descriptor / registers; len in/out */
	void (*mut)(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *buf, size_t *len);
};

static const struct ffaemu_range r_overlap[2] = { { DATA, 3 }, { DATA + 0x2000, 1 } };
static const struct ffaemu_range r_secure[1] = { { SECURE_BASE + 0x100000, 1 } };
static const struct ffaemu_range r_hole[1] = { { 0x40000000, 1 } };
static const struct ffaemu_range r_mailbox_edge[1] = { { HOST_TX + 4096ull * (RAM_PAGES - 1), 2 } };
static const ffaemu_id_t r_unknown[1] = { 0x8099 };
static const ffaemu_id_t r_vm[1] = { 5 };
static const ffaemu_id_t r_two[2] = { SP_A, SP_B };

static void m_x3(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[3] = 0x1000; }
static void m_w4(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[4] = 1; }
static void m_frag0(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[2] = 0; }
static void m_total0(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[1] = 0; }
static void m_frag_gt(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[2] = r->x[1] + 16; }
static void m_frag_tx(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[1] = 8192; r->x[2] = 4112; }
static void m_big(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l)
{
	spmc_mem_set_max_desc(f->spmc, (uint32_t)*l - 16);
}
static void m_ns(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->attributes |= FFAEMU_MEM_ATTR_NS; }
static void m_sender(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->sender = SP_B; }
static void m_unknown(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->recv = r_unknown; }
static void m_vm_only(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->recv = r_vm; }
static void m_secure(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->ranges = r_secure; d->nranges = 1; }
static void m_hole(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->ranges = r_hole; d->nranges = 1; }
static void m_edge(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->ranges = r_mailbox_edge; d->nranges = 1; }
static void m_overlap(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->ranges = r_overlap; d->nranges = 2; }
static void m_two(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->recv = r_two; d->nrecv = 2; }
static void m_zero(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->flags = FFAEMU_MEMDESC_F_ZERO; }
static void m_attr0(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->attributes = 0; }
static void m_two_attr0(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->recv = r_two; d->nrecv = 2; d->attributes = 0; }
static void m_handle(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { b[8] = 1; }
static void m_perm(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { d->perms = NX_RW; }
static void m_range0(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l)
{
	/* total page count one too high */
	struct ffaemu_memdesc v;

	assert_int_equal(ffaemu_memdesc_parse(b, *l, f->hostver, FFAEMU_MEMDESC_LEND, &v, NULL), 0);
	b[v.composite_offset] = (uint8_t)(b[v.composite_offset] + 1);
}
static void m_short(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l) { r->x[1] = r->x[2] = 16; }
static void m_mailbox(struct fx *f, struct desc *d, struct ffaemu_regs *r, uint8_t *b, size_t *l)
{
	static const struct ffaemu_range busy[1] = { { DATA + 0x10000, 1 } };
	struct desc o = basic(f, FFAEMU_FFA_MEM_LEND);

	/* the page is already lent in another transaction */
	o.ranges = busy;
	o.nranges = 1;
	(void)send_ok(f, FFAEMU_FFA_MEM_LEND, &o);
	d->ranges = busy;
	d->nranges = 1;
}

#define S(n, fid, e, m) { n, fid, e, false, m }
#define SA(n, fid, e, m) { n, fid, e, true, m }
static const struct send_case send_cases[] = {
	SA("dynamic buffer address", FFAEMU_FFA_MEM_LEND_64, FFAEMU_FFA_NOT_SUPPORTED, m_x3),
	SA("dynamic buffer pages", FFAEMU_FFA_MEM_LEND, FFAEMU_FFA_NOT_SUPPORTED, m_w4),
	SA("fragment length 0", FFAEMU_FFA_MEM_LEND, INV, m_frag0),
	SA("total length 0", FFAEMU_FFA_MEM_LEND, INV, m_total0),
	SA("fragment > total", FFAEMU_FFA_MEM_LEND, INV, m_frag_gt),
	SA("fragment > TX", FFAEMU_FFA_MEM_LEND, INV, m_frag_tx),
	SA("descriptor over the profile bound", FFAEMU_FFA_MEM_LEND, FFAEMU_FFA_NO_MEMORY, m_big),
	SA("header only", FFAEMU_FFA_MEM_LEND, INV, m_short),
	S("NS bit set by the sender", FFAEMU_FFA_MEM_SHARE, INV, m_ns),
	S("sender is not the caller", FFAEMU_FFA_MEM_LEND, INV, m_sender),
	S("unknown secure receiver", FFAEMU_FFA_MEM_LEND, INV, m_unknown),
	S("no partition among receivers", FFAEMU_FFA_MEM_LEND, DEN, m_vm_only),
	S("secure memory from the NWd", FFAEMU_FFA_MEM_LEND, DEN, m_secure),
	S("range outside RAM", FFAEMU_FFA_MEM_LEND, INV, m_hole),
	S("range past the end of RAM", FFAEMU_FFA_MEM_SHARE, INV, m_edge),
	S("overlapping ranges", FFAEMU_FFA_MEM_LEND, INV, m_overlap),
	S("page already lent", FFAEMU_FFA_MEM_SHARE_64, DEN, m_mailbox),
	S("donate to two receivers", FFAEMU_FFA_MEM_DONATE, INV, m_two),
	S("zero flag with share", FFAEMU_FFA_MEM_SHARE, INV, m_zero),
	S("share without memory type", FFAEMU_FFA_MEM_SHARE, INV, m_attr0),
	S("2-borrower lend without memory type", FFAEMU_FFA_MEM_LEND, INV, m_two_attr0),
	SA("handle set by the sender", FFAEMU_FFA_MEM_LEND, INV, m_handle),
	S("sender specifies NX", FFAEMU_FFA_MEM_LEND, INV, m_perm),
	SA("page count != sum", FFAEMU_FFA_MEM_LEND, INV, m_range0),
};

static void test_send_errors_change_nothing_in_every_layout(void **state)
{
	static const uint32_t vers[] = { FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2 };
	struct snap *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	for (unsigned v = 0; v < 3; v++) {
		for (size_t i = 0; i < sizeof(send_cases) / sizeof(send_cases[0]); i++) {
			const struct send_case *c = &send_cases[i];
			struct fx *f = fx_new(vers[v]);
			struct desc d = basic(f, c->fid);
			struct ffaemu_regs r;
			size_t len;

			len = 0;
			regs3(&r, c->fid, 0, 0, 0);
			if (!c->after)
				c->mut(f, &d, &r, f->big, &len);
			len = build(&d, f->big, sizeof(f->big));
			regs3(&r, c->fid, len, len, 0);
			if (c->after)
				c->mut(f, &d, &r, f->big, &len);
			memcpy(f->htx, f->big, len < 4096 ? len : 4096);
			snap_take(f, s);
			call(f, 0, &r);
			if (err_of(&r) != c->error)
				fail_msg("%s (v1.%u): got x0=%#llx err %d, want %d", c->name, v,
					 (unsigned long long)r.x[0], err_of(&r), c->error);
			/* FFA_ERROR: w1 = 0, w3-w7 = 0 (spec C3) */
			assert_int_equal(r.x[1] | r.x[3] | r.x[4] | r.x[5] | r.x[6] | r.x[7], 0);
			snap_same(f, s, c->name);
			fx_free(f);
		}
	}
	free(s);
}

static void test_send_without_tx_is_invalid(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	struct snap s;

	regs3(&r, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_SHARE, 96, 96, 0);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "share without TX");
}

/* ---- FRAG_TX errors (spec E2) ----------------------------------------------- */

static ffaemu_handle_t start_fragmented(struct fx *f, size_t *off, size_t *len)
{
	static struct ffaemu_range ranges[20];
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_memdesc v;
	struct ffaemu_regs r;

	for (unsigned i = 0; i < 20; i++) {
		ranges[i].base = DATA + 0x2000ull * i;
		ranges[i].pages = 1;
	}
	d.ranges = ranges;
	d.nranges = 20;
	*len = build(&d, f->big, sizeof(f->big));
	assert_int_equal(ffaemu_memdesc_parse(f->big, *len, f->hostver, FFAEMU_MEMDESC_LEND, &v,
					      NULL), 0);
	*off = v.constituent_offset + 16 * 5;
	memcpy(f->htx, f->big, *off);
	regs3(&r, FFAEMU_FFA_MEM_LEND, *len, *off, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_RX);
	assert_int_equal(ffaemu_regs_w(&r, 3), *off);
	assert_int_equal(ffaemu_regs_w(&r, 4), 0); /* w4[31:16] = sender ID 0 */
	return ffaemu_regs_handle(&r, 1);
}

static void frag_tx_errors(struct fx *f)
{
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	struct snap s;
	size_t off, len;
	ffaemu_handle_t h = start_fragmented(f, &off, &len);

	/* Not this call's transaction: refused, nothing changes. */
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h + 100, (uint32_t)(h >> 32), 16);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "FRAG_TX unknown handle");
	regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), 16);
	call(f, SP_A, &r); /* not the sender */
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "FRAG_TX from another endpoint");
	/* nothing is lent until the last fragment */
	page(f, DATA, &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	/* a retrieve before sending finished fails */
	retrieve_as(f, SP_A, h, NX_RW, 0, 0, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "retrieve of a partial transaction");
	/* Only its sender may abort a partial transaction (reclaim: spec C1, E2). */
	regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), 0);
	call(f, SP_A, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "reclaim of a partial transaction by another endpoint");
	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "reclaim of a partial transaction (spec C1)");

	/* A bad fragment length drops the transaction (spec E2). */
	memcpy(f->htx, f->big + off, 24);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), 24);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), 16);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);

	/* Too long, a bad constituent, w4 set, length 0: each drops its transaction. */
	for (int k = 0; k < 4; k++) {
		h = start_fragmented(f, &off, &len);
		memcpy(f->htx, f->big + off, len - off);
		regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32),
		      k == 0 ? len - off + 16 : k == 3 ? 0 : len - off);
		if (k == 1)
			f->htx[0] = 0x10; /* unaligned base */
		if (k == 2)
			r.x[4] = 1;
		call(f, 0, &r);
		assert_int_equal(err_of(&r), INV);
		assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
		page(f, DATA, &pi);
		assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	}
	/* A complete send whose pages are not the sender's fails at the end and is dropped. */
	{
		static const struct ffaemu_range busy[1] = { { DATA + 0x2000ull * 19, 1 } };
		struct desc o = basic(f, FFAEMU_FFA_MEM_LEND);

		o.ranges = busy;
		o.nranges = 1;
		(void)send_ok(f, FFAEMU_FFA_MEM_LEND, &o);
		h = start_fragmented(f, &off, &len);
		memcpy(f->htx, f->big + off, len - off);
		regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), len - off);
		call(f, 0, &r);
		assert_int_equal(err_of(&r), DEN);
		assert_int_equal(spmc_mem_tx_count(f->spmc), 1);
		page(f, DATA, &pi);
		assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	}
}

/*
 * pKVM aborts a fragmented send whose FRAG_TX it could not forward with
 * MEM_RECLAIM(handle, 0) and expects FFA_SUCCESS (pkvm-proxy 1.14; spec
 * E2: "pKVM reclaims the handle to undo earlier fragments"). Spec C1 lists
 * "sending not finished" as INVALID_PARAMETERS, which Hafnium answers, the
 * send going on: that is the default; the DROP quirk drops the partial
 * transaction with SUCCESS. No page had moved (pages move at the last
 * fragment).
 */
static void test_sender_reclaim_of_a_partial_send_follows_the_quirk(void **state)
{
	struct ffaemu_spmc_profile p;
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	size_t off, len;
	ffaemu_handle_t h, h2;
	struct fx *f;
	struct desc d;

	(void)state;
	/* default (spec C1, Hafnium): refused, the send goes on */
	f = fx_new(FFAEMU_FFA_1_2);
	h = start_fragmented(f, &off, &len);
	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), INV);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 1);
	memcpy(f->htx, f->big + off, len - off);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), len - off);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	fx_free(f);

	/* DROP: the sender's RECLAIM aborts the partial send */
	ffaemu_spmc_profile_default(&p);
	p.partial_reclaim = FFAEMU_SPMC_PARTIAL_RECLAIM_DROP;
	f = fx_new_prof(FFAEMU_FFA_1_2, &p);
	h = start_fragmented(f, &off, &len);
	regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), 0);
	call(f, SP_A, &r); /* only its sender */
	assert_int_equal(err_of(&r), INV);
	reclaim(f, h, 4, &r); /* flags [31:2] still MBZ */
	assert_int_equal(err_of(&r), INV);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 1);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
	page(f, DATA, &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	/* The handle is gone: its next fragment and a second reclaim fail. */
	memcpy(f->htx, f->big + off, len - off);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), len - off);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);
	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), INV);
	/* The pages can be sent again, under a new handle. */
	d = basic(f, FFAEMU_FFA_MEM_SHARE);
	h2 = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	assert_true(h2 != h);
	reclaim(f, h2, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	fx_free(f);
	/* the profile field is checked */
	ffaemu_spmc_profile_default(&p);
	p.partial_reclaim = 2;
	{
		struct ffaemu_spmc_config cfg;
		struct ffaemu_spmc *s = NULL;
		ffaemu_spmc_config_default(&cfg);
		cfg.profile = &p;
		assert_int_equal(ffaemu_spmc_new(&cfg, &s), FFAEMU_EINVAL);
	}
}

static void test_frag_tx_errors_in_every_sender_layout(void **state)
{
	static const uint32_t vers[] = { FFAEMU_FFA_1_0, FFAEMU_FFA_1_1, FFAEMU_FFA_1_2 };

	(void)state;
	for (unsigned v = 0; v < 3; v++) {
		struct fx *f = fx_new(vers[v]);

		frag_tx_errors(f);
		fx_free(f);
	}
}

/* ---- retrieve errors ------------------------------------------------------- */

static void expect_retrieve_error(struct fx *f, ffaemu_id_t sp, ffaemu_handle_t h, uint8_t perms,
				  uint32_t flags, uint64_t tag, int32_t want, const char *what)
{
	struct ffaemu_regs r;
	struct snap s;

	snap_take(f, &s);
	retrieve_as(f, sp, h, perms, flags, tag, &r);
	if (err_of(&r) != want)
		fail_msg("%s: got x0=%#llx err %d want %d", what, (unsigned long long)r.x[0],
			 err_of(&r), want);
	snap_same(f, &s, what);
}

static void retrieve_errors(struct fx *f, ffaemu_id_t me_id, ffaemu_id_t other, ffaemu_id_t stranger)
{
	const ffaemu_id_t both[2] = { me_id, other };
	const ffaemu_id_t just_me[1] = { me_id };
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct desc l = basic(f, FFAEMU_FFA_MEM_LEND);
	static const struct ffaemu_range lr[1] = { { DATA + 0x20000, 2 } };
	struct ffaemu_regs r;
	ffaemu_handle_t hs, hl, hro;
	uint32_t tshare = FFAEMU_MEM_TX_SHARE << FFAEMU_MEMDESC_F_TYPE_SHIFT;
	uint32_t tlend = FFAEMU_MEM_TX_LEND << FFAEMU_MEMDESC_F_TYPE_SHIFT;
	struct snap s;

	d.recv = both;
	d.nrecv = 2;
	hs = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	l.recv = just_me;
	l.ranges = lr;
	l.nranges = 1;
	l.flags = FFAEMU_MEMDESC_F_ZERO;
	hl = send_ok(f, FFAEMU_FFA_MEM_LEND, &l);
	{
		static const struct ffaemu_range ror[1] = { { DATA + 0x30000, 1 } };
		struct desc o = basic(f, FFAEMU_FFA_MEM_LEND);

		o.recv = just_me;
		o.ranges = ror;
		o.nranges = 1;
		o.perms = FFAEMU_MEM_PERM_DATA_RO;
		hro = send_ok(f, FFAEMU_FFA_MEM_LEND, &o);
	}
	const uint32_t b10 = FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER;

	expect_retrieve_error(f, me_id, hs + 1000, 0, b10, 0, INV, "unknown handle");
	expect_retrieve_error(f, me_id, hs, 0, b10, 5, INV, "wrong tag");
	expect_retrieve_error(f, me_id, hs, 0, b10 | tlend, 0, INV, "wrong transaction type");
	expect_retrieve_error(f, stranger, hs, 0, b10, 0, INV, "not a borrower");
	expect_retrieve_error(f, me_id, hs, 0, 0, 0, INV, "lists one of two borrowers without bit 10");
	expect_retrieve_error(f, me_id, hs, FFAEMU_MEM_PERM_INSTR_NX, b10 | tshare, 0, INV,
			      "instruction access in a share");
	expect_retrieve_error(f, me_id, hl, FFAEMU_MEM_PERM_DATA_RW, 0, 0, INV,
			      "1-borrower lend without instruction access");
	expect_retrieve_error(f, me_id, hl, FFAEMU_MEM_PERM_DATA_RW | FFAEMU_MEM_PERM_INSTR_X, 0, 0,
			      DEN, "executable NS memory");
	expect_retrieve_error(f, me_id, hro, NX_RW, 0, 0, DEN, "RW of RO memory");
	expect_retrieve_error(f, me_id, hro, FFAEMU_MEM_PERM_DATA_RO | FFAEMU_MEM_PERM_INSTR_NX,
			      FFAEMU_MEMDESC_F_ZERO_AFTER, 0, DEN, "zero after with RO");
	expect_retrieve_error(f, me_id, hro, NX_RW & ~3u, FFAEMU_MEMDESC_F_ZERO_BEFORE, 0, DEN,
			      "zero before without the sender's consent");
	expect_retrieve_error(f, me_id, hs, 0, b10 | FFAEMU_MEMDESC_F_ZERO_AFTER, 0, INV,
			      "zero with share");
	expect_retrieve_error(f, me_id, hs, 0, b10 | (1u << 9), 0, INV, "alignment hint");

	/* RX full -> BUSY, nothing mapped */
	retrieve_ok(f, other, hs, 0);
	{
		struct ffaemu_regs x;

		retrieve_as(f, me_id, hl, NX_RW, 0, 0, &x);
		assert_int_equal(ffaemu_regs_w(&x, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
		/* the sender's zero flag is reported (spec D7) */
		assert_true(ep_buf(f, me_id, true)[4] & FFAEMU_MEMDESC_F_ZERO_BEFORE);
	}
	expect_retrieve_error(f, me_id, hs, 0, b10, 0, FFAEMU_FFA_BUSY, "RX full");
	rx_release(f, me_id);
	/* twice by the same borrower */
	expect_retrieve_error(f, me_id, hl, NX_RW, 0, 0, DEN, "second retrieve");

	/* register rules: fragmented request, length not exact, dynamic buffer */
	snap_take(f, &s);
	retrieve_as(f, stranger, hs, 0, b10, 0, &r);
	assert_int_equal(err_of(&r), INV); /* stranger is not a borrower */
	{
		uint8_t *tx = ep_buf(f, me_id, false);
		struct ffaemu_memdesc_receiver me = { .id = me_id };
		size_t len;

		assert_int_equal(ffaemu_memdesc_build_retrieve_req(0, hs, 0, b10, 0, &me, 1,
								   ep_version(f, me_id), tx, 4096, &len), 0);
		regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ, len + 16, len, 0);
		call(f, me_id, &r);
		assert_int_equal(err_of(&r), INV);
		regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ, len + 16, len + 16, 0);
		call(f, me_id, &r);
		assert_int_equal(err_of(&r), INV);
		regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, len, len, 0x1000);
		call(f, me_id, &r);
		assert_int_equal(err_of(&r), FFAEMU_FFA_NOT_SUPPORTED);
		/* a hypervisor retrieve request from a partition */
		assert_int_equal(ffaemu_memdesc_build_hyp_retrieve_req(0, hs, ep_version(f, me_id), tx,
								       4096, &len), 0);
		regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ, len, len, 0);
		call(f, me_id, &r);
		assert_int_equal(err_of(&r), INV);
	}
	snap_same(f, &s, "retrieve register rules");
}

/* Every retrieve error, with a v1.2, a v1.1 and a v1.0 retriever. */
static void test_retrieve_errors_in_every_retriever_layout(void **state)
{
	static const ffaemu_id_t roles[3][3] = {
		{ SP_A, SP_B, SP_D }, { SP_B, SP_C, SP_D }, { SP_C, SP_A, SP_D }
	};

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct fx *f = fx_new(FFAEMU_FFA_1_2);

		retrieve_errors(f, roles[i][0], roles[i][1], roles[i][2]);
		fx_free(f);
	}
}

static void test_frag_rx_before_any_retrieve_is_invalid(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;
	struct snap s;
	ffaemu_handle_t h;
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);

	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), 0);
	call(f, SP_A, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "FRAG_RX before retrieve");
}

/* ---- relinquish / reclaim errors ---------------------------------------------- */

static void relinquish_errors(struct fx *f, ffaemu_id_t me_id, ffaemu_id_t other, ffaemu_id_t stranger)
{
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	const ffaemu_id_t ab[2] = { me_id, other };
	const ffaemu_id_t both[2] = { me_id, other };
	struct ffaemu_regs r;
	struct snap s;
	ffaemu_handle_t h;
	uint8_t *tx = ep_buf(f, me_id, false);

	d.recv = both;
	d.nrecv = 2;
	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	snap_take(f, &s);
	relinquish_as(f, me_id, h, 0, &r);
	assert_int_equal(err_of(&r), DEN); /* nothing retrieved */
	relinquish_as(f, me_id, h + 77, 0, &r);
	assert_int_equal(err_of(&r), INV); /* unknown handle */
	relinquish_as(f, stranger, h, 0, &r);
	assert_int_equal(err_of(&r), INV); /* not a borrower */
	snap_same(f, &s, "relinquish before retrieve");

	retrieve_ok(f, me_id, h, 0);
	snap_take(f, &s);
	relinquish_as(f, me_id, h, FFAEMU_MEMDESC_F_ZERO, &r);
	assert_int_equal(err_of(&r), INV); /* zero a share (spec D7) */
	relinquish_as(f, me_id, h, 4, &r);
	assert_int_equal(err_of(&r), INV); /* flags [31:2] MBZ */
	assert_int_equal(ffaemu_memdesc_relinquish_build(h, 0, &ab[1], 1, tx, 4096, NULL), 0);
	regs3(&r, FFAEMU_FFA_MEM_RELINQUISH, 0, 0, 0);
	call(f, me_id, &r);
	assert_int_equal(err_of(&r), INV); /* on behalf of another borrower */
	assert_int_equal(ffaemu_memdesc_relinquish_build(h, 0, ab, 2, tx, 4096, NULL), 0);
	regs3(&r, FFAEMU_FFA_MEM_RELINQUISH, 0, 0, 0);
	call(f, me_id, &r);
	assert_int_equal(err_of(&r), INV); /* more than itself */
	assert_int_equal(ffaemu_memdesc_relinquish_build(h, 0, ab, 1, tx, 4096, NULL), 0);
	regs3(&r, FFAEMU_FFA_MEM_RELINQUISH, 1, 0, 0);
	call(f, me_id, &r);
	assert_int_equal(err_of(&r), INV); /* registers MBZ */
	tx[12] = 0xff;
	tx[13] = 0xff;
	tx[14] = 0xff;
	tx[15] = 0x7f; /* endpoint count far past TX, 2n wraps u32 */
	regs3(&r, FFAEMU_FFA_MEM_RELINQUISH, 0, 0, 0);
	call(f, me_id, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "relinquish errors after retrieve");
	relinquish_as(f, me_id, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	relinquish_as(f, me_id, h, 0, &r);
	assert_int_equal(err_of(&r), DEN); /* twice */
}

static void test_relinquish_errors_in_every_borrower_layout(void **state)
{
	static const ffaemu_id_t roles[3][3] = {
		{ SP_A, SP_B, SP_D }, { SP_B, SP_C, SP_D }, { SP_C, SP_A, SP_D }
	};

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct fx *f = fx_new(FFAEMU_FFA_1_2);

		relinquish_errors(f, roles[i][0], roles[i][1], roles[i][2]);
		fx_free(f);
	}
}

static void test_reclaim_errors(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct ffaemu_regs r;
	struct snap s;
	ffaemu_handle_t h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);

	snap_take(f, &s);
	reclaim(f, h, 4, &r);
	assert_int_equal(err_of(&r), INV); /* flags [31:2] MBZ */
	reclaim(f, h, FFAEMU_MEM_RECLAIM_F_ZERO, &r);
	assert_int_equal(err_of(&r), INV); /* zero a share */
	reclaim(f, h | FFAEMU_MEM_HANDLE_ALLOC_HYP, 0, &r);
	assert_int_equal(err_of(&r), INV);
	regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), 0);
	call(f, SP_A, &r); /* not the owner */
	assert_int_equal(err_of(&r), INV);
	regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), 0);
	r.x[5] = 1;
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "reclaim errors");
}

/* ---- zero flags, donate, hypervisor retrieve, NS bit ------------------------- */

static void test_lend_zero_flags_clear_memory(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_regs r;
	ffaemu_handle_t h;
	uint32_t w;

	/* data written by the owner vanishes when it lends with the zero flag (D7 bit 0) */
	w = 0x5a5a5a5a;
	assert_int_equal(ffaemu_mem_write(f->mem, DATA, &w, 4), 0);
	d.flags = FFAEMU_MEMDESC_F_ZERO;
	h = send_ok(f, FFAEMU_FFA_MEM_LEND, &d);
	assert_int_equal(ffaemu_mem_read(f->mem, DATA, &w, 4), 0);
	assert_int_equal(w, 0);
	retrieve_ok(f, SP_A, h, NX_RW);
	w = 0x11223344;
	assert_int_equal(ffaemu_mem_write(f->mem, DATA + 0x4000, &w, 4), 0);
	relinquish_as(f, SP_A, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	/* reclaim with zero: the borrower's data is gone */
	reclaim(f, h, FFAEMU_MEM_RECLAIM_F_ZERO, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_mem_read(f->mem, DATA + 0x4000, &w, 4), 0);
	assert_int_equal(w, 0);
}

static void test_donate_moves_ownership_at_retrieve(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_DONATE);
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	ffaemu_handle_t h = send_ok(f, FFAEMU_FFA_MEM_DONATE_64, &d);

	page(f, DATA, &pi);
	assert_int_equal(pi.owner.kind, FFAEMU_OWNER_HOST);
	assert_int_equal(pi.state, FFAEMU_PAGE_LENT);
	retrieve_ok(f, SP_A, h, NX_RW);
	page(f, DATA, &pi);
	assert_int_equal(pi.owner.kind, FFAEMU_OWNER_SECURE);
	assert_int_equal(pi.owner.id, SP_A);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	assert_true(pi.flags & FFAEMU_PAGE_F_DONATED);
	/* the transaction is over */
	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), INV);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
	/* an unretrieved donation can still be reclaimed */
	{
		static const struct ffaemu_range other[1] = { { DATA + 0x40000, 1 } };

		d.ranges = other;
		d.nranges = 1;
		h = send_ok(f, FFAEMU_FFA_MEM_DONATE, &d);
		reclaim(f, h, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
		page(f, DATA + 0x40000, &pi);
		assert_int_equal(pi.owner.kind, FFAEMU_OWNER_HOST);
		assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	}
}

static void test_hypervisor_retrieve_describes_without_mapping(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct ffaemu_memdesc v;
	struct ffaemu_regs r;
	struct snap s;
	size_t len;
	ffaemu_handle_t h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);

	snap_take(f, &s);
	/* pKVM's form: 48 bytes, everything but the handle zero (pkvm-proxy 1.15) */
	memset(f->htx, 0, 48);
	for (int i = 0; i < 8; i++)
		f->htx[8 + i] = (uint8_t)(h >> (8 * i));
	len = 48;
	regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, len, len, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	assert_int_equal(ffaemu_memdesc_parse(f->hrx, ffaemu_regs_w(&r, 1), FFAEMU_FFA_1_2,
					      FFAEMU_MEMDESC_RETRIEVE_RESP, &v, NULL), 0);
	assert_int_equal(v.handle, h);
	assert_int_equal(v.constituent_count, 2);
	rx_release(f, 0);
	snap_same(f, &s, "hypervisor retrieve");
	/* unknown handle */
	assert_int_equal(ffaemu_memdesc_build_hyp_retrieve_req(0, h + 9, FFAEMU_FFA_1_2, f->htx, 4096,
							       &len), 0);
	regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ, len, len, 0);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV);
	snap_same(f, &s, "hypervisor retrieve of an unknown handle");
}

static void test_ns_bit_only_for_retrievers_that_opted_in(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct ffaemu_regs r;
	ffaemu_handle_t h;
	struct spmc_ep *ep = spmc_ep_find(f->spmc, SP_A);

	d.recv = r_two;
	d.nrecv = 2;
	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	/* SP_A opts in through FFA_FEATURES(MEM_RETRIEVE_REQ, bit 1) (spec C5.1, G7) */
	assert_non_null(ep);
	regs3(&r, FFAEMU_FFA_FEATURES, FFAEMU_FFA_MEM_RETRIEVE_REQ, 2, 0);
	call(f, SP_A, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_true(ffaemu_regs_w(&r, 2) & 2u);
	retrieve_as(f, SP_A, h, 0, FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	assert_true(ep_buf(f, SP_A, true)[2] & FFAEMU_MEM_ATTR_NS);
	retrieve_as(f, SP_B, h, 0, FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	assert_false(ep_buf(f, SP_B, true)[2] & FFAEMU_MEM_ATTR_NS);
}

/* The hypervisor (ID 0 at the NS physical instance) lends a VM's pages for the VM. */
static void test_hypervisor_sends_for_a_vm(void **state)
{
	static const struct ffaemu_range vm_pages[1] = { { DATA + 0x60000, 2 } };
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	ffaemu_handle_t h;
	size_t len;

	assert_int_equal(ffaemu_mem_donate(f->mem, vm_pages, 1,
					   ffaemu_owner_make(FFAEMU_OWNER_HOST, 0),
					   ffaemu_owner_make(FFAEMU_OWNER_VM, 5)), 0);
	d.sender = 5;
	d.ranges = vm_pages;
	d.nranges = 1;
	/* the host's own pages named with the VM as sender: not the VM's to lend */
	{
		struct desc bad = d;

		bad.ranges = two_ranges;
		bad.nranges = 2;
		len = build(&bad, f->htx, 4096);
		regs3(&r, FFAEMU_FFA_MEM_LEND_64, len, len, 0);
		call(f, 0, &r);
		assert_int_equal(err_of(&r), DEN);
	}
	h = send_ok(f, FFAEMU_FFA_MEM_LEND_64, &d);
	page(f, DATA + 0x61000, &pi);
	assert_int_equal(pi.owner.kind, FFAEMU_OWNER_VM);
	assert_int_equal(pi.state, FFAEMU_PAGE_LENT);
	retrieve_from(f, SP_A, 5, h, NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	rx_release(f, SP_A);
	relinquish_as(f, SP_A, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	page(f, DATA + 0x61000, &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	assert_int_equal(pi.owner.id, 5);
}

/* An SP lends its own secure memory to another SP: no NS bit, NWd borrowers refused. */
static void test_sp_lends_secure_memory_to_sp(void **state)
{
	static const struct ffaemu_range sec[1] = { { SECURE_BASE + 0x800000, 4 } };
	static const ffaemu_id_t b[1] = { SP_B };
	static const ffaemu_id_t vm[2] = { SP_B, 5 };
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	struct snap s;
	uint8_t *tx = ep_buf(f, SP_A, false);
	size_t len;
	ffaemu_handle_t h;

	assert_int_equal(ffaemu_mem_donate(f->mem, sec, 1,
					   ffaemu_owner_make(FFAEMU_OWNER_SECURE, 0x8000),
					   ffaemu_owner_make(FFAEMU_OWNER_SECURE, SP_A)), 0);
	d.version = FFAEMU_FFA_1_2;
	d.sender = SP_A;
	d.recv = vm;
	d.nrecv = 2;
	d.ranges = sec;
	d.nranges = 1;
	/* SPs lend to SPs only: DENIED, as Hafnium answers the TF-A tests
	 * test_req_mem_{share,lend}_sp_to_vm */
	d.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER; /* 2 borrowers: the sender gives it (D6) */
	len = build(&d, tx, 4096);
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_LEND, len, len, 0);
	call(f, SP_A, &r);
	assert_int_equal(err_of(&r), DEN);
	/* host memory is not the partition's to lend */
	d.attributes = 0;
	d.recv = b;
	d.nrecv = 1;
	d.ranges = two_ranges;
	d.nranges = 2;
	len = build(&d, tx, 4096);
	regs3(&r, FFAEMU_FFA_MEM_LEND, len, len, 0);
	call(f, SP_A, &r);
	assert_int_equal(err_of(&r), DEN);
	snap_same(f, &s, "SP lend errors");

	d.ranges = sec;
	d.nranges = 1;
	len = build(&d, tx, 4096);
	regs3(&r, FFAEMU_FFA_MEM_LEND_64, len, len, 0);
	call(f, SP_A, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	h = ffaemu_regs_handle(&r, 2);
	page(f, SECURE_BASE + 0x803000, &pi);
	assert_int_equal(pi.owner.id, SP_A);
	assert_int_equal(pi.state, FFAEMU_PAGE_LENT);
	/* SP_B opted in to the NS bit, but this memory is secure (spec D6, G7) */
	spmc_mem_note_ns_bit(f->spmc, spmc_ep_find(f->spmc, SP_B), true);
	retrieve_as(f, SP_B, h, NX_RW, 0, 0, &r);
	assert_int_equal(err_of(&r), INV); /* wrong sender in the request */
	retrieve_from(f, SP_B, SP_A, h, NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	assert_false(ep_buf(f, SP_B, true)[2] & FFAEMU_MEM_ATTR_NS);
	rx_release(f, SP_B);
	/* the host cannot reclaim what it does not own */
	reclaim(f, h, 0, &r);
	assert_int_equal(err_of(&r), INV);
	relinquish_as(f, SP_B, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), 0);
	call(f, SP_A, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	page(f, SECURE_BASE + 0x803000, &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
}

/* The profile's descriptor bound (mem_max_desc_size): larger sends get NO_MEMORY. */
static void test_profile_bounds_the_descriptor_size(void **state)
{
	static struct ffaemu_range ranges[20];
	struct ffaemu_spmc_profile prof;
	struct ffaemu_regs r;
	struct snap s;
	struct fx *f;
	struct desc d;
	size_t len;

	(void)state;
	ffaemu_spmc_profile_default(&prof);
	prof.mem_max_desc_size = 256;
	f = fx_new_prof(FFAEMU_FFA_1_2, &prof);
	d = basic(f, FFAEMU_FFA_MEM_LEND);
	for (unsigned i = 0; i < 20; i++) {
		ranges[i].base = DATA + 0x2000ull * i;
		ranges[i].pages = 1;
	}
	d.ranges = ranges;
	d.nranges = 20;
	len = build(&d, f->htx, 4096);
	assert_true(len > 256);
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_LEND, len, len, 0);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), FFAEMU_FFA_NO_MEMORY);
	snap_same(f, &s, "descriptor over the bound");
	d.nranges = 2;
	len = build(&d, f->htx, 4096);
	regs3(&r, FFAEMU_FFA_MEM_LEND, len, len, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	fx_free(f);
}

/* A profile with dynamically allocated buffers takes the descriptor from x3/w4 (spec C1). */
static void test_dynamic_buffer_when_the_profile_offers_it(void **state)
{
	struct ffaemu_spmc_profile prof;
	struct ffaemu_regs r;
	struct snap s;
	struct fx *f;
	struct desc d;
	void *buf;
	size_t len;

	(void)state;
	ffaemu_spmc_profile_default(&prof);
	prof.features |= FFAEMU_SPMC_F_MEM_DYN_BUFFER;
	f = fx_new_prof(FFAEMU_FFA_1_2, &prof);
	d = basic(f, FFAEMU_FFA_MEM_LEND);
	assert_int_equal(ffaemu_mem_ptr(f->mem, DATA + 0x80000, 4096, &buf), 0);
	len = build(&d, buf, 4096);
	memset(f->htx, 0, 4096); /* TX holds nothing useful */
	snap_take(f, &s);
	regs3(&r, FFAEMU_FFA_MEM_LEND_64, len, len, DATA + 0x80800);
	r.x[4] = 1;
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV); /* unaligned */
	regs3(&r, FFAEMU_FFA_MEM_LEND_64, len, len, SECURE_BASE + 0x400000);
	r.x[4] = 1;
	call(f, 0, &r);
	assert_int_equal(err_of(&r), DEN); /* not the caller's page */
	regs3(&r, FFAEMU_FFA_MEM_LEND_64, len, len, DATA + 0x80000);
	call(f, 0, &r);
	assert_int_equal(err_of(&r), INV); /* address without a page count */
	snap_same(f, &s, "bad dynamic buffers");
	regs3(&r, FFAEMU_FFA_MEM_LEND_64, len, len, DATA + 0x80000);
	r.x[4] = 1;
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	fx_free(f);
}

/* pKVM's reclaim loop: hypervisor retrieve, then FRAG_RX with w4 = 0 (pkvm-proxy 1.15). */
static void test_hypervisor_retrieve_follows_frag_rx(void **state)
{
	static struct ffaemu_range ranges[300];
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	static uint8_t got[8192];
	struct ffaemu_memdesc v;
	struct ffaemu_regs r;
	uint32_t total, off;
	size_t len;
	ffaemu_handle_t h;

	assert_int_equal(ffaemu_mem_add_ram(f->mem, 0x90000000ull, 512ull * 4096, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	for (unsigned i = 0; i < 300; i++) {
		ranges[i].base = 0x90000000ull + 0x1000ull * i;
		ranges[i].pages = 1;
	}
	d.ranges = ranges;
	d.nranges = 300;
	h = send_ok(f, FFAEMU_FFA_MEM_LEND, &d);
	assert_int_equal(ffaemu_memdesc_build_hyp_retrieve_req(0, h, FFAEMU_FFA_1_2, f->htx, 4096,
							       &len), 0);
	regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, len, len, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	total = ffaemu_regs_w(&r, 1);
	off = ffaemu_regs_w(&r, 2);
	assert_true(off < total);
	memcpy(got, f->hrx, off);
	rx_release(f, 0);
	while (off < total) {
		regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
		call(f, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_TX);
		memcpy(got + off, f->hrx, ffaemu_regs_w(&r, 3));
		off += ffaemu_regs_w(&r, 3);
		rx_release(f, 0);
	}
	assert_int_equal(ffaemu_memdesc_parse(got, total, FFAEMU_FFA_1_2,
					      FFAEMU_MEMDESC_RETRIEVE_RESP, &v, NULL), 0);
	assert_int_equal(v.constituent_count, 300);
	/* nothing was mapped: the owner reclaims straight away */
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
}

/*
 * Every allocation of a send, a fragment, a retrieve and a FRAG_RX fails in
 * turn: each failure is NO_MEMORY and leaves page map and table unchanged.
 */
static void test_allocation_failures_roll_back(void **state)
{
	static struct ffaemu_range ranges[300];
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_regs r;
	struct snap *s = malloc(sizeof(*s));
	ffaemu_handle_t h = 0;
	size_t len;
	unsigned failures = 0;

	assert_non_null(s);
	assert_int_equal(ffaemu_mem_add_ram(f->mem, 0x90000000ull, 512ull * 4096, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	for (unsigned i = 0; i < 300; i++) {
		ranges[i].base = 0x90000000ull + 0x1000ull * i;
		ranges[i].pages = 1;
	}
	d.ranges = ranges;
	d.nranges = 300;
	len = build(&d, f->big, sizeof(f->big));
	/* send in two fragments */
	for (unsigned long n = 1;; n++) {
		unsigned calls;

		snap_take(f, s);
		f->fa.count = 0;
		f->fa.fail_at = n;
		send_frag(f, FFAEMU_FFA_MEM_LEND, f->big, len, 4096, &r, &calls);
		f->fa.fail_at = 0;
		if (ffaemu_regs_w(&r, 0) == FFAEMU_FFA_SUCCESS) {
			h = ffaemu_regs_handle(&r, 2);
			break;
		}
		assert_int_equal(err_of(&r), FFAEMU_FFA_NO_MEMORY);
		/* a failed first fragment changes nothing; a failed second drops it (E2) */
		if (calls == 1)
			snap_same(f, s, "send with a failed allocation");
		else
			snap_same_pages(f, s, "fragment with a failed allocation");
		assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
		failures++;
	}
	/* retrieve by a v1.0 borrower: a fragmented response */
	for (unsigned long n = 1;; n++) {
		snap_take(f, s);
		f->fa.count = 0;
		f->fa.fail_at = n;
		retrieve_as(f, SP_A, h, NX_RW, 0, 0, &r);
		f->fa.fail_at = 0;
		if (ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_RETRIEVE_RESP)
			break;
		assert_int_equal(err_of(&r), FFAEMU_FFA_NO_MEMORY);
		snap_same(f, s, "retrieve with a failed allocation");
		failures++;
	}
	assert_true(failures >= 5);
	free(s);
}

/* ---- the built-in memory partition ------------------------------------------ */

static void arm(struct fx *f, enum ffaemu_spmc_fault_kind kind, uint32_t fid, uint64_t value)
{
	struct ffaemu_spmc_fault fl;

	ffaemu_spmc_fault_default(&fl);
	fl.kind = kind;
	fl.fid = fid;
	fl.value = value;
	assert_int_equal(ffaemu_spmc_inject_fault(f->pub, &fl), 0);
}


static void direct_req(struct fx *f, ffaemu_handle_t h, uint32_t op, uint32_t value,
		       struct ffaemu_regs *r)
{
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ;
	r->x[1] = SP_MEM;
	r->x[3] = (uint32_t)h;
	r->x[4] = (uint32_t)(h >> 32);
	r->x[5] = op;
	r->x[6] = value;
	call(f, 0, r);
}

static void test_memory_partition_checksums_and_relinquishes(void **state)
{
	static const ffaemu_id_t mp[1] = { SP_MEM };
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct ffaemu_regs r;
	struct snap s0;
	uint32_t words[3] = { 1, 2, 0x10 };
	ffaemu_handle_t h;

	d.recv = mp;
	/* pages DATA..+2 and DATA+0x4000: known words */
	assert_int_equal(ffaemu_mem_write(f->mem, DATA, &words[0], 4), 0);
	assert_int_equal(ffaemu_mem_write(f->mem, DATA + 0x1ffc, &words[1], 4), 0);
	assert_int_equal(ffaemu_mem_write(f->mem, DATA + 0x4008, &words[2], 4), 0);
	snap_take(f, &s0);
	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	direct_req(f, h, FFAEMU_SP_MEMORY_OP_CHECKSUM, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(ffaemu_regs_w(&r, 1), ((uint32_t)SP_MEM << 16) | 0);
	assert_int_equal(ffaemu_regs_w(&r, 3), 0);
	assert_int_equal(ffaemu_regs_w(&r, 4), 0x13);
	assert_int_equal(ffaemu_regs_w(&r, 5), 3);
	/* the partition relinquished: the owner reclaims */
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	snap_same_pages(f, &s0, "share -> checksum -> relinquish -> reclaim");

	/* a write needs RW; a RO lend is refused by the partition itself */
	d = basic(f, FFAEMU_FFA_MEM_LEND);
	d.recv = mp;
	h = send_ok(f, FFAEMU_FFA_MEM_LEND, &d);
	direct_req(f, h, FFAEMU_SP_MEMORY_OP_WRITE, 0x01010101, &r);
	assert_int_equal(ffaemu_regs_w(&r, 3), 0);
	assert_int_equal(ffaemu_regs_w(&r, 4), 0x01010101u * 1024u * 3u);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_mem_read(f->mem, DATA + 0x4ffc, &words[0], 4), 0);
	assert_int_equal(words[0], 0x01010101);

	/* a corrupted response: the partition reports it and still gives the pages back */
	d = basic(f, FFAEMU_FFA_MEM_SHARE);
	d.recv = mp;
	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	arm(f, FFAEMU_SPMC_FAULT_RETRIEVE_COUNT, FFAEMU_FFA_MEM_RETRIEVE_REQ, 0);
	direct_req(f, h, FFAEMU_SP_MEMORY_OP_CHECKSUM, 0, &r);
	assert_int_equal(ffaemu_regs_s32(&r, 3), FFAEMU_FFA_ABORTED);
	assert_int_equal(ffaemu_regs_w(&r, 6), FFAEMU_SP_MEMORY_STEP_DESCRIPTOR);
	arm(f, FFAEMU_SPMC_FAULT_ZERO_FRAGMENT, FFAEMU_FFA_MEM_RETRIEVE_REQ, 0);
	direct_req(f, h, FFAEMU_SP_MEMORY_OP_CHECKSUM, 0, &r);
	assert_int_equal(ffaemu_regs_s32(&r, 3), FFAEMU_FFA_ABORTED);
	assert_int_equal(ffaemu_regs_w(&r, 6), FFAEMU_SP_MEMORY_STEP_FRAGMENT);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	/* an unknown operation */
	direct_req(f, h, 7, 0, &r);
	assert_int_equal(ffaemu_regs_s32(&r, 3), INV);
	assert_int_equal(ffaemu_regs_w(&r, 6), FFAEMU_SP_MEMORY_STEP_REQUEST);

	/* an unknown handle: the partition reports the retrieve step's error */
	direct_req(f, h, FFAEMU_SP_MEMORY_OP_READ, 0, &r);
	assert_int_equal(ffaemu_regs_s32(&r, 3), INV);
	assert_int_equal(ffaemu_regs_w(&r, 6), FFAEMU_SP_MEMORY_STEP_RETRIEVE);
}

/* 262,144 single-page constituents, sent in 4 KiB fragments and retrieved over FRAG_RX. */
static void test_transaction_of_262144_pages(void **state)
{
	const size_t npages = 262144;
	struct fx *f = *state;
	struct ffaemu_memdesc_receiver rx = { .id = SP_MEM, .perms = FFAEMU_MEM_PERM_DATA_RW };
	struct ffaemu_memdesc_tx tx;
	struct ffaemu_range *ranges;
	struct ffaemu_page_info pi;
	struct ffaemu_regs r;
	uint8_t *host, *desc;
	size_t len;
	unsigned calls = 0;
	ffaemu_handle_t h;
	uint32_t w = 0xabcd;
	/* An identity region: 1 GiB of lazily mapped host memory. */
	/* A hint far above the fixture's fixed regions (valgrind maps low otherwise). */
	host = mmap((void *)(uintptr_t)0x200000000000ull, npages * 4096 * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	assert_true(host != MAP_FAILED);
	/* every other page, so that no two ranges merge */
	assert_int_equal(ffaemu_mem_add_identity(f->mem, host, npages * 4096 * 2, FFAEMU_MEM_NS,
						 ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	ranges = malloc(npages * sizeof(*ranges));
	assert_non_null(ranges);
	for (size_t i = 0; i < npages; i++) {
		ranges[i].base = (ffaemu_pa_t)(uintptr_t)host + 2 * 4096 * i;
		ranges[i].pages = 1;
	}
	memcpy(host, &w, 4);
	memset(&tx, 0, sizeof(tx));
	tx.receivers = &rx;
	tx.receiver_count = 1;
	tx.constituents = ranges;
	tx.constituent_count = npages;
	desc = malloc(48 + 32 + 16 + npages * 16);
	assert_non_null(desc);
	assert_int_equal(ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, desc, 48 + 32 + 16 + npages * 16,
					      &len), 0);
	send_frag(f, FFAEMU_FFA_MEM_LEND, desc, len, 4096, &r, &calls);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_true(calls > 1000);
	h = ffaemu_regs_handle(&r, 2);
	page(f, (ffaemu_pa_t)(uintptr_t)host + 2 * 4096 * (npages - 1), &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_LENT);
	/* the memory partition retrieves all of it (FRAG_RX), reads, relinquishes */
	direct_req(f, h, FFAEMU_SP_MEMORY_OP_READ, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 3), 0);
	assert_int_equal(ffaemu_regs_w(&r, 4), 0xabcd);
	assert_int_equal(ffaemu_regs_w(&r, 5), npages);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	page(f, (ffaemu_pa_t)(uintptr_t)host + 2 * 4096 * (npages - 1), &pi);
	assert_int_equal(pi.state, FFAEMU_PAGE_OWNED);
	assert_int_equal(ffaemu_mem_remove(f->mem, (ffaemu_pa_t)(uintptr_t)host), 0);
	munmap(host, npages * 4096 * 2);
	free(desc);
	free(ranges);
}

/* ---- fault injection ------------------------------------------------------------- */


static void test_faults_corrupt_replies_as_asked(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);
	struct ffaemu_memdesc v;
	struct ffaemu_regs r;
	ffaemu_handle_t h;
	size_t off, len;

	/* FRAG_RX with a wrong offset */
	arm(f, FFAEMU_SPMC_FAULT_FRAG_OFFSET, FFAEMU_FFA_MEM_LEND, 16);
	{
		static struct ffaemu_range ranges[20];
		struct desc l = basic(f, FFAEMU_FFA_MEM_LEND);

		for (unsigned i = 0; i < 20; i++) {
			ranges[i].base = DATA + 0x40000 + 0x2000ull * i;
			ranges[i].pages = 1;
		}
		l.ranges = ranges;
		l.nranges = 20;
		len = build(&l, f->big, sizeof(f->big));
		off = len - 16 * 10;
		memcpy(f->htx, f->big, off);
		regs3(&r, FFAEMU_FFA_MEM_LEND, len, off, 0);
		call(f, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_RX);
		assert_int_equal(ffaemu_regs_w(&r, 3), off + 16);
		/* the transaction itself is fine: finish it */
		h = ffaemu_regs_handle(&r, 1);
		memcpy(f->htx, f->big + off, len - off);
		regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), len - off);
		call(f, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	}

	/* FFA_ERROR on the 2nd MEM_SHARE: refused, nothing changes (spmc.h FAULT_ERROR) */
	{
		struct ffaemu_spmc_fault fl;
		struct snap s;

		ffaemu_spmc_fault_default(&fl);
		fl.kind = FFAEMU_SPMC_FAULT_ERROR;
		fl.fid = FFAEMU_FFA_MEM_SHARE;
		fl.nth = 2;
		fl.error = FFAEMU_FFA_ABORTED;
		assert_int_equal(ffaemu_spmc_inject_fault(f->pub, &fl), 0);
		h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
		regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)h, (uint32_t)(h >> 32), 0);
		call(f, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
		len = build(&d, f->htx, 4096);
		snap_take(f, &s);
		regs3(&r, FFAEMU_FFA_MEM_SHARE_64, len, len, 0);
		call(f, 0, &r);
		assert_int_equal(err_of(&r), FFAEMU_FFA_ABORTED);
		snap_same(f, &s, "injected error");
	}
	h = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	/* a zero-length fragment */
	arm(f, FFAEMU_SPMC_FAULT_ZERO_FRAGMENT, FFAEMU_FFA_MEM_RETRIEVE_REQ, 0);
	retrieve_as(f, SP_A, h, 0, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	assert_int_equal(ffaemu_regs_w(&r, 2), 0);
	rx_release(f, SP_A);
	relinquish_as(f, SP_A, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);

	/* out-of-bounds composite offset, then a range count too large */
	arm(f, FFAEMU_SPMC_FAULT_RETRIEVE_OFFSET, FFAEMU_FFA_MEM_RETRIEVE_REQ, 0);
	retrieve_as(f, SP_A, h, 0, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	assert_int_equal(ffaemu_memdesc_parse(ep_buf(f, SP_A, true), ffaemu_regs_w(&r, 1),
					      FFAEMU_FFA_1_2, FFAEMU_MEMDESC_RETRIEVE_RESP, &v,
					      NULL), FFAEMU_EPARSE);
	rx_release(f, SP_A);
	relinquish_as(f, SP_A, h, 0, &r);
	arm(f, FFAEMU_SPMC_FAULT_RETRIEVE_COUNT, FFAEMU_FFA_MEM_RETRIEVE_REQ, 0);
	retrieve_as(f, SP_A, h, 0, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	{
		struct ffaemu_memdesc_error e;

		assert_int_equal(ffaemu_memdesc_parse(ep_buf(f, SP_A, true), ffaemu_regs_w(&r, 1),
						      FFAEMU_FFA_1_2, FFAEMU_MEMDESC_RETRIEVE_RESP,
						      &v, &e), FFAEMU_EPARSE);
		assert_int_equal(e.rule, FFAEMU_MEMDESC_R_CONSTITUENT_COUNT);
	}
	rx_release(f, SP_A);
	relinquish_as(f, SP_A, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
}

static uint64_t lcg(uint64_t *st)
{
	*st = *st * 6364136223846793005ull + 1442695040888963407ull;
	return *st >> 33;
}

/*
 * Seeded storm of memory calls with corrupted registers and descriptors
 * from the host and from partitions: nothing crashes (ASan/UBSan), every
 * reply is a legal one, and the page map keeps its invariants throughout.
 */
static void test_random_calls_keep_the_page_map_consistent(void **state)
{
	static const uint32_t fids[] = {
		FFAEMU_FFA_MEM_SHARE, FFAEMU_FFA_MEM_LEND_64, FFAEMU_FFA_MEM_DONATE,
		FFAEMU_FFA_MEM_RETRIEVE_REQ_64, FFAEMU_FFA_MEM_RELINQUISH, FFAEMU_FFA_MEM_RECLAIM,
		FFAEMU_FFA_MEM_FRAG_RX, FFAEMU_FFA_MEM_FRAG_TX, FFAEMU_FFA_RX_RELEASE
	};
	static const ffaemu_id_t who[] = { 0, SP_A, SP_B, SP_C };
	struct fx *f = *state;
	ffaemu_handle_t handles[8] = { 0 };
	unsigned seen[4] = { 0 }; /* SUCCESS, FRAG_RX, RETRIEVE_RESP, FRAG_TX */
	uint64_t seed = 42;
	char why[128];

	for (unsigned iter = 0; iter < 4000; iter++) {
		uint32_t fid = fids[lcg(&seed) % 9];
		ffaemu_id_t id = who[lcg(&seed) % 4];
		ffaemu_handle_t h = handles[lcg(&seed) % 8];
		uint8_t *tx = id ? ep_buf(f, id, false) : f->htx;
		struct ffaemu_regs r;
		size_t len = 0;

		if (fid == FFAEMU_FFA_MEM_SHARE || fid == FFAEMU_FFA_MEM_LEND_64 ||
		    fid == FFAEMU_FFA_MEM_DONATE) {
			static const ffaemu_id_t sps[3] = { SP_A, SP_B, SP_C };
			static struct ffaemu_range rg[4];
			struct desc d = basic(f, fid);

			/* mostly the host, to some of the partitions */
			if (lcg(&seed) % 4) {
				id = 0;
				tx = f->htx;
			}
			if (fid != FFAEMU_FFA_MEM_DONATE) {
				d.recv = sps;
				d.nrecv = 1 + (uint32_t)(lcg(&seed) % 3);
				d.attributes = fid == FFAEMU_FFA_MEM_SHARE || d.nrecv > 1
						       ? FFAEMU_MEM_ATTR_NORMAL_WB_INNER
						       : 0;
			}

			for (unsigned i = 0; i < 4; i++) {
				rg[i].base = DATA + 0x1000ull * (lcg(&seed) % 64);
				rg[i].pages = 1 + lcg(&seed) % 2;
			}
			d.ranges = rg;
			d.nranges = 1 + lcg(&seed) % 4;
			d.sender = id;
			d.version = id ? ep_version(f, id) : f->hostver;
			len = build(&d, tx, 4096);
		} else if (fid == FFAEMU_FFA_MEM_RETRIEVE_REQ_64 && id) {
			static const uint8_t perms[4] = { 0, NX_RW, FFAEMU_MEM_PERM_INSTR_NX, 0x1f };
			struct ffaemu_memdesc_receiver me = { .id = id };
			uint32_t fl = FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER;

			me.perms = perms[lcg(&seed) % 4];
			if (lcg(&seed) % 4 == 0)
				fl |= (uint32_t)lcg(&seed) & 0x1f;
			(void)ffaemu_memdesc_build_retrieve_req(0, h, 0, fl, 0, &me, 1,
								ep_version(f, id), tx, 4096, &len);
		} else if (fid == FFAEMU_FFA_MEM_RELINQUISH && id) {
			(void)ffaemu_memdesc_relinquish_build(h, 0, &id, 1, tx, 4096, &len);
		}
		/* corrupt a byte or a register now and then */
		if (len && lcg(&seed) % 8 == 0)
			tx[lcg(&seed) % len] ^= (uint8_t)(1u << (lcg(&seed) % 8));
		ffaemu_regs_clear(&r);
		r.x[0] = fid;
		switch (fid) {
		case FFAEMU_FFA_MEM_RECLAIM:
		case FFAEMU_FFA_MEM_FRAG_RX:
		case FFAEMU_FFA_MEM_FRAG_TX:
			ffaemu_regs_set_handle(&r, 1, h);
			r.x[3] = lcg(&seed) % 3 ? (lcg(&seed) % 64) * 16 : lcg(&seed);
			break;
		default:
			r.x[1] = len;
			r.x[2] = lcg(&seed) % 10 ? len : lcg(&seed) % 5000;
			break;
		}
		if (lcg(&seed) % 20 == 0)
			r.x[1 + lcg(&seed) % 7] = (uint64_t)lcg(&seed) << (lcg(&seed) % 32);
		call(f, id, &r);
		/* a send that handed out a handle: remember it */
		if (ffaemu_regs_w(&r, 0) == FFAEMU_FFA_SUCCESS && ffaemu_regs_w(&r, 2) &&
		    (fid == FFAEMU_FFA_MEM_SHARE || fid == FFAEMU_FFA_MEM_LEND_64 ||
		     fid == FFAEMU_FFA_MEM_DONATE || fid == FFAEMU_FFA_MEM_FRAG_TX))
			handles[lcg(&seed) % 8] = ffaemu_regs_handle(&r, 2);
		if (ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_FRAG_RX)
			handles[lcg(&seed) % 8] = ffaemu_regs_handle(&r, 1);
		assert_true(ffaemu_regs_w(&r, 0) == FFAEMU_FFA_ERROR ||
			    ffaemu_regs_w(&r, 0) == FFAEMU_FFA_SUCCESS ||
			    ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_FRAG_RX ||
			    ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_FRAG_TX ||
			    ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_RETRIEVE_RESP);
		seen[0] += ffaemu_regs_w(&r, 0) == FFAEMU_FFA_SUCCESS;
		seen[1] += ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_FRAG_RX;
		seen[2] += ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_RETRIEVE_RESP;
		seen[3] += ffaemu_regs_w(&r, 0) == FFAEMU_FFA_MEM_FRAG_TX;
		if (ffaemu_mem_check(f->mem, why, sizeof(why)))
			fail_msg("call %u: %s", iter, why);
	}
	print_message("storm: %u success, %u FRAG_RX, %u RETRIEVE_RESP, %u FRAG_TX\n", seen[0],
		      seen[1], seen[2], seen[3]);
	/* the storm reached the success paths, not only the first checks */
	assert_true(seen[0] > 30 && seen[2] > 5);
}

/* ---- transactions in progress (ffaemu_spmc_txn_*, spec E2, E3) ------------- */

static size_t txn_count(struct fx *f)
{
	return ffaemu_spmc_txn_count(f->pub);
}

static void txn_get(struct fx *f, size_t i, struct ffaemu_spmc_txn *x)
{
	assert_int_equal(ffaemu_spmc_txn_at(f->pub, i, x), 0);
}

static void txn_none_at(struct fx *f, size_t i)
{
	struct ffaemu_spmc_txn x;

	memset(&x, 0xa5, sizeof(x));
	assert_int_equal(ffaemu_spmc_txn_at(f->pub, i, &x), FFAEMU_ENOENT);
	assert_int_equal(x.handle, 0); /* cleared */
}

static void frag_tx(struct fx *f, ffaemu_handle_t h, const uint8_t *bytes, size_t n,
		    struct ffaemu_regs *r)
{
	memcpy(f->htx, bytes, n);
	regs3(r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, (uint32_t)(h >> 32), n);
	call(f, 0, r);
}

static void test_txn_lists_a_fragmented_send_until_its_last_fragment(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_txn x, y;
	struct ffaemu_regs r;
	uint64_t idle = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_IN_PROGRESS);
	size_t off, len;
	ffaemu_handle_t h;

	assert_int_equal(txn_count(f), 0);
	txn_none_at(f, 0);
	h = start_fragmented(f, &off, &len);
	assert_int_equal(txn_count(f), 1);
	txn_get(f, 0, &x);
	assert_int_equal(x.kind, FFAEMU_SPMC_TXN_LEND);
	assert_int_equal(x.type, FFAEMU_MEM_TX_LEND);
	assert_int_equal(x.handle, h);
	assert_int_equal(x.sender, 0);
	assert_int_equal(x.receiver, 0);
	assert_false(x.hyp);
	assert_int_equal(x.total_len, len);
	assert_int_equal(x.done_len, off);
	assert_int_equal(x.fragments, 1);
	assert_int_equal(x.version, FFAEMU_FFA_1_2);
	txn_none_at(f, 1);
	assert_true(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_IN_PROGRESS) != idle);

	/* A middle fragment of five constituents (spec E2: FRAG_RX w3 = bytes so far). */
	frag_tx(f, h, f->big + off, 80, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_RX);
	txn_get(f, 0, &y);
	assert_int_equal(y.done_len, off + 80);
	assert_int_equal(y.total_len, len);
	assert_int_equal(y.fragments, 2);
	assert_int_equal(ffaemu_regs_w(&r, 3), y.done_len);
	assert_true(y.digest != x.digest); /* the new bytes are in the fingerprint */

	/* The last fragment completes it: no longer in progress. */
	frag_tx(f, h, f->big + off + 80, len - off - 80, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(txn_count(f), 0);
	txn_none_at(f, 0);
	assert_int_equal(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_IN_PROGRESS), idle);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 1);
}

/* Same descriptor bytes, same fingerprint; one byte more or different, another. */
static void test_txn_digest_follows_the_bytes_received(void **state)
{
	struct fx *a = *state, *b = fx_new(FFAEMU_FFA_1_2);
	struct ffaemu_spmc_txn x, y;
	struct ffaemu_regs r;
	size_t off, len;
	ffaemu_handle_t ha, hb;

	ha = start_fragmented(a, &off, &len);
	hb = start_fragmented(b, &off, &len);
	txn_get(a, 0, &x);
	txn_get(b, 0, &y);
	assert_memory_equal(&x, &y, sizeof(x));
	assert_int_equal(ffaemu_spmc_mem_digest(a->pub, FFAEMU_SPMC_MEM_ALL),
			 ffaemu_spmc_mem_digest(b->pub, FFAEMU_SPMC_MEM_ALL));
	/* the same length, one constituent's page count differs */
	frag_tx(a, ha, a->big + off, 16, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_RX);
	b->big[off + 8] ^= 2;
	frag_tx(b, hb, b->big + off, 16, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_RX);
	txn_get(a, 0, &x);
	txn_get(b, 0, &y);
	assert_int_equal(x.done_len, y.done_len);
	assert_true(x.digest != y.digest);
	assert_true(ffaemu_spmc_mem_digest(a->pub, FFAEMU_SPMC_MEM_IN_PROGRESS) !=
		    ffaemu_spmc_mem_digest(b->pub, FFAEMU_SPMC_MEM_IN_PROGRESS));
	fx_free(b);
}

/* A v1.0 borrower of 500 ranges: a response in two pieces (spec E3). */
static ffaemu_handle_t lend_500(struct fx *f, ffaemu_id_t to)
{
	static struct ffaemu_range ranges[500];
	static ffaemu_id_t rcv[1];
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);

	/* RAM for the ranges, once per fixture */
	if (ffaemu_mem_attr(f->mem, 0x90000000ull, &(uint32_t){ 0 }) != 0)
		assert_int_equal(ffaemu_mem_add_ram(f->mem, 0x90000000ull, 512ull * 4096,
						    FFAEMU_MEM_NS,
						    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	for (unsigned i = 0; i < 500; i++) {
		ranges[i].base = 0x90000000ull + 0x1000ull * i;
		ranges[i].pages = 1;
	}
	rcv[0] = to;
	d.recv = rcv;
	d.ranges = ranges;
	d.nranges = 500;
	return send_ok(f, FFAEMU_FFA_MEM_LEND, &d);
}

static void test_txn_lists_a_fragmented_retrieve_until_it_is_handed_out(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_txn x;
	struct ffaemu_regs r;
	uint32_t total, off;
	ffaemu_handle_t h = lend_500(f, SP_C);

	assert_int_equal(txn_count(f), 0); /* the send went in one piece */
	retrieve_as(f, SP_C, h, NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	total = ffaemu_regs_w(&r, 1);
	off = ffaemu_regs_w(&r, 2);
	assert_true(off < total);
	assert_int_equal(txn_count(f), 1);
	txn_get(f, 0, &x);
	assert_int_equal(x.kind, FFAEMU_SPMC_TXN_RETRIEVE);
	assert_int_equal(x.type, FFAEMU_MEM_TX_LEND);
	assert_int_equal(x.handle, h);
	assert_int_equal(x.sender, 0);
	assert_int_equal(x.receiver, SP_C);
	assert_false(x.hyp);
	assert_int_equal(x.total_len, total);
	assert_int_equal(x.done_len, off);
	assert_int_equal(x.fragments, 1);
	assert_int_equal(x.version, FFAEMU_FFA_1_0); /* SP_C's layout */
	rx_release(f, SP_C);
	while (off < total) {
		regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
		call(f, SP_C, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_FRAG_TX);
		off += ffaemu_regs_w(&r, 3);
		rx_release(f, SP_C);
		if (off < total) {
			txn_get(f, 0, &x);
			assert_int_equal(x.done_len, off);
		}
	}
	assert_int_equal(txn_count(f), 0);
	txn_none_at(f, 0);

	/* The hypervisor's retrieve (receiver count 0, spec E1) is listed as such. */
	{
		size_t len;

		assert_int_equal(ffaemu_memdesc_build_hyp_retrieve_req(0, h, FFAEMU_FFA_1_2, f->htx,
								       4096, &len), 0);
		regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, len, len, 0);
		call(f, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
		assert_int_equal(txn_count(f), 1);
		txn_get(f, 0, &x);
		assert_true(x.hyp);
		assert_int_equal(x.receiver, 0);
		assert_int_equal(x.version, FFAEMU_FFA_1_2);
		assert_int_equal(x.done_len, ffaemu_regs_w(&r, 2));
	}
}

/* Sends by handle, then retrieves by handle and retriever, whatever the order of the calls. */
static void test_txn_order_is_sends_then_retrieves_by_handle_and_retriever(void **state)
{
	static const ffaemu_id_t cb[2] = { SP_C, SP_B };
	struct fx *f = *state;
	struct ffaemu_spmc_txn x[4];
	struct ffaemu_regs r;
	ffaemu_handle_t h = lend_500(f, SP_C), hs, h1, h2;
	size_t off, len;

	/* a 2-borrower share of the same 500 pages */
	{
		static struct ffaemu_range ranges[500];
		struct desc d = basic(f, FFAEMU_FFA_MEM_SHARE);

		reclaim(f, h, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
		for (unsigned i = 0; i < 500; i++) {
			ranges[i].base = 0x90000000ull + 0x1000ull * i;
			ranges[i].pages = 1;
		}
		d.recv = cb;
		d.nrecv = 2;
		d.ranges = ranges;
		d.nranges = 500;
		hs = send_ok(f, FFAEMU_FFA_MEM_SHARE, &d);
	}
	h1 = start_fragmented(f, &off, &len);
	h2 = start_fragmented(f, &off, &len);
	assert_true(hs < h1 && h1 < h2);
	/* SP_B first, then SP_C: the listing is by retriever, not by arrival */
	for (unsigned i = 0; i < 2; i++) {
		retrieve_as(f, cb[1 - i], hs, 0, FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER, 0, &r);
		assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
		assert_true(ffaemu_regs_w(&r, 2) < ffaemu_regs_w(&r, 1));
	}
	assert_int_equal(txn_count(f), 4);
	for (size_t i = 0; i < 4; i++)
		txn_get(f, i, &x[i]);
	txn_none_at(f, 4);
	assert_int_equal(x[0].handle, h1);
	assert_int_equal(x[0].kind, FFAEMU_SPMC_TXN_LEND);
	assert_int_equal(x[1].handle, h2);
	assert_int_equal(x[2].kind, FFAEMU_SPMC_TXN_RETRIEVE);
	assert_int_equal(x[2].type, FFAEMU_MEM_TX_SHARE);
	assert_int_equal(x[2].receiver, SP_B);
	assert_int_equal(x[2].version, FFAEMU_FFA_1_1);
	assert_int_equal(x[3].receiver, SP_C);
	assert_int_equal(x[3].handle, hs);
}

/*
 * Error replies around a send in fragments: a FRAG_TX naming another
 * handle, one from an endpoint that is not the sender, FRAG_RX, RETRIEVE
 * and the sender's RECLAIM (spec C1: "sending not finished") leave its
 * entry byte-identical. A bad fragment from the sender itself drops that
 * transaction (spec E2) and leaves every other entry byte-identical.
 */
static void test_frag_tx_error_replies_leave_other_entries_byte_identical(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_txn a0, b0, a1, b1;
	struct ffaemu_regs r;
	size_t off, len;
	ffaemu_handle_t ha = start_fragmented(f, &off, &len);
	ffaemu_handle_t hb = start_fragmented(f, &off, &len);
	uint64_t all = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_ALL);
	uint64_t done = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE);

	txn_get(f, 0, &a0);
	txn_get(f, 1, &b0);
	assert_int_equal(a0.handle, ha);
	assert_int_equal(b0.handle, hb);

	for (int k = 0; k < 6; k++) {
		const char *what[] = { "FRAG_TX wrong handle", "FRAG_TX from another endpoint",
				       "FRAG_TX overlong from another endpoint",
				       "FRAG_RX of a send", "retrieve of a partial send",
				       "reclaim of a partial send" };
		ffaemu_id_t who = 0;

		memcpy(f->htx, f->big + off, 16);
		memcpy(ep_buf(f, SP_A, false), f->big + off, 16);
		switch (k) {
		case 0:
			regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)(hb + 100), (uint32_t)(hb >> 32), 16);
			break;
		case 1:
			regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)ha, (uint32_t)(ha >> 32), 16);
			who = SP_A;
			break;
		case 2:
			regs3(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)ha, (uint32_t)(ha >> 32), len);
			who = SP_A;
			break;
		case 3:
			regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)ha, (uint32_t)(ha >> 32), off);
			break;
		case 4:
			retrieve_as(f, SP_A, ha, NX_RW, 0, 0, &r);
			who = 0xffff; /* already called */
			break;
		default:
			regs3(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)ha, (uint32_t)(ha >> 32), 0);
			break;
		}
		if (who != 0xffff)
			call(f, who, &r);
		if (err_of(&r) != INV)
			fail_msg("%s: got x0=%#llx err %d", what[k], (unsigned long long)r.x[0],
				 err_of(&r));
		assert_int_equal(txn_count(f), 2);
		txn_get(f, 0, &a1);
		txn_get(f, 1, &b1);
		if (memcmp(&a0, &a1, sizeof(a0)) || memcmp(&b0, &b1, sizeof(b0)))
			fail_msg("%s: an entry in progress changed", what[k]);
		if (ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_ALL) != all)
			fail_msg("%s: memory-transaction digest changed", what[k]);
	}

	/* The sender's overlong fragment: INVALID_PARAMETERS, ha dropped (spec E2), hb intact. */
	frag_tx(f, ha, f->big + off, len - off + 16, &r);
	assert_int_equal(err_of(&r), INV);
	assert_int_equal(txn_count(f), 1);
	txn_get(f, 0, &b1);
	assert_memory_equal(&b0, &b1, sizeof(b0));
	/* no completed state moved, not even the handle counter */
	assert_int_equal(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE), done);
	/* and hb still completes */
	frag_tx(f, hb, f->big + off, len - off, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(txn_count(f), 0);
}

/* Bad FRAG_RX calls leave a retrieve in progress byte-identical (spec E3). */
static void test_frag_rx_error_replies_leave_the_retrieve_byte_identical(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_txn x0, x1;
	struct ffaemu_regs r;
	ffaemu_handle_t h = lend_500(f, SP_C);
	uint32_t off;
	uint64_t all;

	retrieve_as(f, SP_C, h, NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	off = ffaemu_regs_w(&r, 2);
	txn_get(f, 0, &x0);
	all = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_ALL);
	for (int k = 0; k < 5; k++) {
		ffaemu_id_t who = SP_C;
		int32_t want = INV;

		regs3(&r, FFAEMU_FFA_MEM_FRAG_RX, (uint32_t)h, (uint32_t)(h >> 32), off);
		if (k == 0)
			want = FFAEMU_FFA_BUSY; /* RX not released yet */
		else if (k == 1)
			r.x[3] = off + 16; /* wrong offset */
		else if (k == 2)
			r.x[4] = 1; /* w4[15:0] MBZ */
		else if (k == 3)
			r.x[1] = (uint32_t)(h + 1); /* another handle */
		else
			who = SP_B; /* not the retriever */
		if (k == 1)
			rx_release(f, SP_C);
		call(f, who, &r);
		assert_int_equal(err_of(&r), want);
		txn_get(f, 0, &x1);
		assert_memory_equal(&x0, &x1, sizeof(x0));
		assert_int_equal(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_ALL), all);
	}
}

/* RECLAIM (DROP quirk), RELINQUISH and a reclaim after a hypervisor retrieve clear entries. */
static void test_abort_relinquish_and_reclaim_clear_entries_in_progress(void **state)
{
	struct ffaemu_spmc_profile p;
	struct ffaemu_regs r;
	size_t off, len, hl;
	ffaemu_handle_t h;
	struct fx *f;

	(void)state;
	/* pKVM's abort of a partial send (spec E2; pkvm-proxy 1.14) */
	ffaemu_spmc_profile_default(&p);
	p.partial_reclaim = FFAEMU_SPMC_PARTIAL_RECLAIM_DROP;
	f = fx_new_prof(FFAEMU_FFA_1_2, &p);
	h = start_fragmented(f, &off, &len);
	assert_int_equal(txn_count(f), 1);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(txn_count(f), 0);

	/* a borrower that relinquishes mid-way ends its FRAG_RX session (spec D8, E3) */
	h = lend_500(f, SP_C);
	retrieve_as(f, SP_C, h, NX_RW, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	rx_release(f, SP_C);
	assert_int_equal(txn_count(f), 1);
	relinquish_as(f, SP_C, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(txn_count(f), 0);

	/* the owner's reclaim ends the hypervisor's description of it (spec E1 step 6) */
	assert_int_equal(ffaemu_memdesc_build_hyp_retrieve_req(0, h, FFAEMU_FFA_1_2, f->htx, 4096,
							       &hl), 0);
	regs3(&r, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, hl, hl, 0);
	call(f, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_MEM_RETRIEVE_RESP);
	rx_release(f, 0);
	assert_int_equal(txn_count(f), 1);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(txn_count(f), 0);
	assert_int_equal(spmc_mem_tx_count(f->spmc), 0);
	fx_free(f);
}

/* The completed part of the digest follows the borrowers' retrieve state, and only it. */
static void test_done_digest_follows_retrieve_and_relinquish(void **state)
{
	struct fx *f = *state;
	struct desc d = basic(f, FFAEMU_FFA_MEM_LEND);
	struct ffaemu_regs r;
	ffaemu_handle_t h = send_ok(f, FFAEMU_FFA_MEM_LEND, &d);
	uint64_t sent = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE);
	uint64_t idle = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_IN_PROGRESS);

	retrieve_ok(f, SP_A, h, NX_RW);
	assert_true(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE) != sent);
	/* a one-piece response leaves nothing in progress */
	assert_int_equal(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_IN_PROGRESS), idle);
	relinquish_as(f, SP_A, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE), sent);
	reclaim(f, h, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	assert_true(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE) != sent);
}

/* The getters allocate nothing (they work while every allocation fails) and check arguments. */
static void test_txn_getters_allocate_nothing_and_check_arguments(void **state)
{
	struct fx *f = *state;
	struct ffaemu_spmc_txn x, y;
	size_t off, len;
	uint64_t dg;

	(void)start_fragmented(f, &off, &len);
	txn_get(f, 0, &x);
	dg = ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_ALL);
	f->fa.count = 0;
	f->fa.fail_at = 1;
	assert_int_equal(ffaemu_spmc_txn_count(f->pub), 1);
	assert_int_equal(ffaemu_spmc_txn_at(f->pub, 0, &y), 0);
	assert_int_equal(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_ALL), dg);
	assert_int_equal(f->fa.count, 0); /* no allocation was attempted */
	f->fa.fail_at = 0;
	assert_memory_equal(&x, &y, sizeof(x));

	assert_int_equal(ffaemu_spmc_txn_count(NULL), 0);
	assert_int_equal(ffaemu_spmc_txn_at(NULL, 0, &y), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_spmc_txn_at(f->pub, 0, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_spmc_txn_at(f->pub, SIZE_MAX, &y), FFAEMU_ENOENT);
	assert_int_equal(ffaemu_spmc_mem_digest(NULL, FFAEMU_SPMC_MEM_ALL), 0);
	assert_int_equal(ffaemu_spmc_mem_digest(f->pub, 0), 0);
	/* the selectors cover different state */
	assert_true(ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_DONE) !=
		    ffaemu_spmc_mem_digest(f->pub, FFAEMU_SPMC_MEM_IN_PROGRESS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_and_lend_round_trip_in_every_caller_layout),
		cmocka_unit_test_setup_teardown(test_retrieve_response_uses_the_retrievers_layout,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_fragments_one_two_three_with_one_and_four_borrowers,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_large_retrieve_response_is_fragmented, setup12,
						teardown),
		cmocka_unit_test(test_send_errors_change_nothing_in_every_layout),
		cmocka_unit_test_setup_teardown(test_send_without_tx_is_invalid, setup12, teardown),
		cmocka_unit_test(test_frag_tx_errors_in_every_sender_layout),
		cmocka_unit_test(test_sender_reclaim_of_a_partial_send_follows_the_quirk),
		cmocka_unit_test(test_retrieve_errors_in_every_retriever_layout),
		cmocka_unit_test_setup_teardown(test_frag_rx_before_any_retrieve_is_invalid, setup12,
						teardown),
		cmocka_unit_test(test_relinquish_errors_in_every_borrower_layout),
		cmocka_unit_test_setup_teardown(test_reclaim_errors, setup12, teardown),
		cmocka_unit_test_setup_teardown(test_lend_zero_flags_clear_memory, setup12, teardown),
		cmocka_unit_test_setup_teardown(test_donate_moves_ownership_at_retrieve, setup12,
						teardown),
		cmocka_unit_test_setup_teardown(test_hypervisor_retrieve_describes_without_mapping,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_ns_bit_only_for_retrievers_that_opted_in, setup12,
						teardown),
		cmocka_unit_test_setup_teardown(test_hypervisor_sends_for_a_vm, setup12, teardown),
		cmocka_unit_test_setup_teardown(test_sp_lends_secure_memory_to_sp, setup12, teardown),
		cmocka_unit_test_setup_teardown(test_allocation_failures_roll_back, setup12, teardown),
		cmocka_unit_test(test_profile_bounds_the_descriptor_size),
		cmocka_unit_test(test_dynamic_buffer_when_the_profile_offers_it),
		cmocka_unit_test_setup_teardown(test_hypervisor_retrieve_follows_frag_rx, setup12,
						teardown),
		cmocka_unit_test_setup_teardown(test_memory_partition_checksums_and_relinquishes,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_of_262144_pages, setup12, teardown),
		cmocka_unit_test_setup_teardown(test_faults_corrupt_replies_as_asked, setup12,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_calls_keep_the_page_map_consistent,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_txn_lists_a_fragmented_send_until_its_last_fragment,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_txn_digest_follows_the_bytes_received, setup12,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_txn_lists_a_fragmented_retrieve_until_it_is_handed_out, setup12, teardown),
		cmocka_unit_test_setup_teardown(
			test_txn_order_is_sends_then_retrieves_by_handle_and_retriever, setup12,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_frag_tx_error_replies_leave_other_entries_byte_identical, setup12, teardown),
		cmocka_unit_test_setup_teardown(
			test_frag_rx_error_replies_leave_the_retrieve_byte_identical, setup12, teardown),
		cmocka_unit_test(test_abort_relinquish_and_reclaim_clear_entries_in_progress),
		cmocka_unit_test_setup_teardown(test_done_digest_follows_retrieve_and_relinquish,
						setup12, teardown),
		cmocka_unit_test_setup_teardown(test_txn_getters_allocate_nothing_and_check_arguments,
						setup12, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
