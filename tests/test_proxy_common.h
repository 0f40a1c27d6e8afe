/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the proxy tests: the harness that wires host -> proxy -> EL3 ->
 * SPMC, with either the real fake SPMC (lib/spmc, h_real: the default) or a
 * scripted SPMC stand-in (h_new), kept for the malicious-SPMC cases the real
 * SPMC's fault injection cannot express. Either way every call the proxy
 * makes towards EL3 is logged by an edge observer (h->dlog), and
 * hyp_ep() reads the SPMC's view of the proxy's own mailbox.
 */
#ifndef TEST_PROXY_COMMON_H
#define TEST_PROXY_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/ffa.h>
#include <ffa/spmc.h>

#define HOST_RAM 0x80000000ull
#define HOST_RAM_SIZE 0x01000000ull
#define GUEST_RAM 0x90000000ull
#define GUEST_RAM_SIZE 0x00100000ull
#define HOST_TX (HOST_RAM + 0x10000)
#define HOST_RX (HOST_RAM + 0x20000)
#define SHARE_PA (HOST_RAM + 0x100000)
#define SP_ID 0x8001u
#define MAX_LOG 512
#define MAX_TXN 8

/* ------------------------------------------------------------ stand-in */

struct standin;
typedef bool (*standin_hook_fn)(struct standin *s, struct ffaemu_regs *r);

struct standin_txn {
	bool used, complete;
	uint64_t handle;
	uint32_t len, got;
	uint8_t desc[16384];
};

struct standin {
	struct ffaemu_mem *mem;
	uint32_t version;        /* FFA_VERSION answer */
	uint64_t version_raw;    /* if non-zero: x0 of every FFA_VERSION reply */
	bool refuse_downgrade;   /* a lower request gets 0x00000000FFFFFFFF */
	uint64_t version_x5;     /* marker in x5 of VERSION replies */
	uint64_t id_w2;          /* ID_GET answer */
	uint64_t rxtx_feat_w2;   /* FEATURES(RXTX_MAP_64) w2 */
	int32_t map_error;       /* RXTX_MAP_64 fails with this */
	bool mapped, rx_full;
	ffaemu_pa_t tx, rx;
	uint32_t pages;
	uint32_t nparts;         /* partitions reported */
	uint32_t part_size;      /* 0 = by version (8 / 24) */
	uint32_t frag_rx_delta;  /* FRAG_RX offset error on share */
	int32_t share_error;     /* MEM_SHARE/LEND fail with this */
	int32_t frag_tx_error;   /* FRAG_TX fails with this */
	uint32_t retrieve_chunk; /* max bytes per retrieve fragment (0 = 4096) */
	uint64_t retrieve_len;   /* override w1 of RETRIEVE_RESP (0 = none) */
	bool zero_fragment;      /* FRAG_TX replies with w3 = 0 */
	bool frag_rx_wrong_reply;/* FRAG_RX replies SUCCESS instead of FRAG_TX */
	bool ignore_rx_full;     /* do not enforce RX ownership on retrieve */
	int32_t reclaim_error;
	uint32_t retrieve_off;   /* bytes of the response sent so far */
	uint64_t retrieve_handle;
	uint8_t last_retrieve_req[64];
	uint32_t last_retrieve_req_len;
	struct standin_txn txn[MAX_TXN];
	uint64_t next_handle;
	standin_hook_fn hook;
	void *user;
	struct ffaemu_regs log[MAX_LOG];
	size_t nlog;
};

static void si_error(struct ffaemu_regs *r, int32_t e)
{
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_ERROR;
	r->x[2] = (uint32_t)e; /* an SPMC writes W registers: zero-extended */
}

static void si_success(struct ffaemu_regs *r, uint64_t w2, uint64_t w3)
{
	ffaemu_regs_clear(r);
	r->x[0] = FFAEMU_FFA_SUCCESS;
	r->x[2] = w2;
	r->x[3] = w3;
}

static struct standin_txn *si_find(struct standin *s, uint64_t h)
{
	for (int i = 0; i < MAX_TXN; i++)
		if (s->txn[i].used && s->txn[i].handle == h)
			return &s->txn[i];
	return NULL;
}

static void si_retrieve_chunk(struct standin *s, struct standin_txn *t, struct ffaemu_regs *r,
			      uint32_t fid)
{
	uint32_t chunk = s->retrieve_chunk ? s->retrieve_chunk : 4096;
	uint32_t left = t->len - s->retrieve_off;
	uint32_t n = left < chunk ? left : chunk;

	ffaemu_mem_write(s->mem, s->rx, t->desc + s->retrieve_off, n);
	s->rx_full = true;
	ffaemu_regs_clear(r);
	r->x[0] = fid;
	if (fid == FFAEMU_FFA_MEM_RETRIEVE_RESP) {
		r->x[1] = s->retrieve_len ? s->retrieve_len : t->len;
		r->x[2] = n;
	} else {
		ffaemu_regs_set_handle(r, 1, t->handle);
		r->x[3] = s->zero_fragment ? 0 : n;
	}
	s->retrieve_off += n;
}

static void standin_call(void *self, struct ffaemu_regs *r, const struct ffaemu_call_ctx *ctx)
{
	struct standin *s = self;
	uint32_t fid = (uint32_t)r->x[0];
	struct standin_txn *t;

	(void)ctx;
	if (s->nlog < MAX_LOG)
		s->log[s->nlog] = *r;
	s->nlog++;
	if (s->hook && s->hook(s, r))
		return;

	switch (fid) {
	case FFAEMU_FFA_VERSION: {
		uint32_t req = (uint32_t)r->x[1];
		ffaemu_regs_clear(r);
		if (s->refuse_downgrade && ffaemu_ffa_version_minor(req) <
						   ffaemu_ffa_version_minor(s->version))
			r->x[0] = 0xffffffffull;
		else
			r->x[0] = s->version_raw ? s->version_raw : s->version;
		r->x[5] = s->version_x5;
		return;
	}
	case FFAEMU_FFA_ID_GET:
		si_success(r, s->id_w2, 0);
		return;
	case FFAEMU_FFA_FEATURES:
		if ((uint32_t)r->x[1] == FFAEMU_FFA_RXTX_MAP_64)
			si_success(r, s->rxtx_feat_w2, 0);
		else if ((uint32_t)r->x[1] == FFAEMU_FFA_FEATURE_SRI)
			si_success(r, 8, 0);
		else if ((uint32_t)r->x[1] == FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64 ||
			 (uint32_t)r->x[1] == FFAEMU_FFA_MSG_SEND_DIRECT_REQ)
			si_success(r, 0, 0);
		else
			si_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	case FFAEMU_FFA_RXTX_MAP_64:
		if (s->map_error) {
			si_error(r, s->map_error);
		} else if (s->mapped) {
			si_error(r, FFAEMU_FFA_DENIED);
		} else {
			s->mapped = true;
			s->tx = r->x[1];
			s->rx = r->x[2];
			s->pages = (uint32_t)r->x[3];
			s->rx_full = false;
			si_success(r, 0, 0);
		}
		return;
	case FFAEMU_FFA_RXTX_UNMAP:
		if (!s->mapped) {
			si_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
		} else {
			s->mapped = false;
			si_success(r, 0, 0);
		}
		return;
	case FFAEMU_FFA_RX_RELEASE:
		if (!s->rx_full) {
			si_error(r, FFAEMU_FFA_DENIED);
		} else {
			s->rx_full = false;
			si_success(r, 0, 0);
		}
		return;
	case FFAEMU_FFA_PARTITION_INFO_GET: {
		uint32_t size = s->part_size ? s->part_size : (s->version > FFAEMU_FFA_1_0 ? 24 : 8);
		if (!s->mapped) {
			si_error(r, FFAEMU_FFA_BUSY);
			return;
		}
		if ((uint32_t)r->x[5] & 1u) {
			si_success(r, s->nparts, 0);
			return;
		}
		if (s->rx_full) {
			si_error(r, FFAEMU_FFA_BUSY);
			return;
		}
		for (uint32_t i = 0; i < s->nparts && (i + 1) * 24 <= 4096; i++) {
			uint8_t e[24] = {0};
			e[0] = (uint8_t)(SP_ID + i);
			e[1] = (uint8_t)((SP_ID + i) >> 8);
			e[2] = 1;
			e[4] = 1; /* direct request receive */
			ffaemu_mem_write(s->mem, s->rx + (uint64_t)i * (size < 24 ? size : 24), e,
					 size < 24 ? size : 24);
		}
		s->rx_full = true;
		si_success(r, s->nparts, s->version > FFAEMU_FFA_1_0 ? size : 0);
		return;
	}
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_LEND_64: {
		uint32_t len = (uint32_t)r->x[1], fl = (uint32_t)r->x[2];
		if (s->share_error) {
			si_error(r, s->share_error);
			return;
		}
		t = NULL;
		for (int i = 0; i < MAX_TXN; i++)
			if (!s->txn[i].used) {
				t = &s->txn[i];
				break;
			}
		if (!t || len > sizeof(t->desc) || fl > len) {
			si_error(r, FFAEMU_FFA_NO_MEMORY);
			return;
		}
		memset(t, 0, sizeof(*t));
		t->used = true;
		t->handle = 0x100000000ull + (++s->next_handle);
		t->len = len;
		ffaemu_mem_read(s->mem, s->tx, t->desc, fl);
		t->got = fl;
		ffaemu_regs_clear(r);
		if (fl == len) {
			t->complete = true;
			r->x[0] = FFAEMU_FFA_SUCCESS;
			ffaemu_regs_set_handle(r, 2, t->handle);
		} else {
			r->x[0] = FFAEMU_FFA_MEM_FRAG_RX;
			ffaemu_regs_set_handle(r, 1, t->handle);
			r->x[3] = fl + s->frag_rx_delta;
		}
		return;
	}
	case FFAEMU_FFA_MEM_FRAG_TX: {
		uint32_t fl = (uint32_t)r->x[3];
		t = si_find(s, ffaemu_regs_handle(r, 1));
		if (s->frag_tx_error) {
			si_error(r, s->frag_tx_error);
			return;
		}
		if (!t || t->complete || fl > t->len - t->got) {
			si_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		ffaemu_mem_read(s->mem, s->tx, t->desc + t->got, fl);
		t->got += fl;
		ffaemu_regs_clear(r);
		if (t->got == t->len) {
			t->complete = true;
			r->x[0] = FFAEMU_FFA_SUCCESS;
			ffaemu_regs_set_handle(r, 2, t->handle);
		} else {
			r->x[0] = FFAEMU_FFA_MEM_FRAG_RX;
			ffaemu_regs_set_handle(r, 1, t->handle);
			r->x[3] = t->got;
		}
		return;
	}
	case FFAEMU_FFA_MEM_RETRIEVE_REQ_64: {
		uint64_t h;
		s->last_retrieve_req_len = (uint32_t)r->x[1];
		ffaemu_mem_read(s->mem, s->tx, s->last_retrieve_req, 64);
		memcpy(&h, s->last_retrieve_req + 8, 8);
		t = si_find(s, h);
		if (!t || !t->complete) {
			si_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		if (s->rx_full && !s->ignore_rx_full) {
			si_error(r, FFAEMU_FFA_BUSY);
			return;
		}
		s->retrieve_off = 0;
		s->retrieve_handle = h;
		si_retrieve_chunk(s, t, r, FFAEMU_FFA_MEM_RETRIEVE_RESP);
		return;
	}
	case FFAEMU_FFA_MEM_FRAG_RX:
		t = si_find(s, ffaemu_regs_handle(r, 1));
		if (s->frag_rx_wrong_reply) {
			si_success(r, 0, 0);
			return;
		}
		if (!t || (uint32_t)r->x[3] != s->retrieve_off) {
			si_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		if (s->rx_full && !s->ignore_rx_full) {
			si_error(r, FFAEMU_FFA_BUSY);
			return;
		}
		si_retrieve_chunk(s, t, r, FFAEMU_FFA_MEM_FRAG_TX);
		return;
	case FFAEMU_FFA_MEM_RECLAIM:
		t = si_find(s, ffaemu_regs_handle(r, 1));
		if (s->reclaim_error) {
			si_error(r, s->reclaim_error);
			return;
		}
		if (!t) {
			si_error(r, FFAEMU_FFA_INVALID_PARAMETERS);
			return;
		}
		t->used = false;
		si_success(r, 0, 0);
		return;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64: {
		uint32_t w1 = (uint32_t)r->x[1];
		r->x[0] = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ ? FFAEMU_FFA_MSG_SEND_DIRECT_RESP
								: FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
		r->x[1] = (w1 << 16) | (w1 >> 16);
		r->x[2] = 0;
		for (int i = 8; i < FFAEMU_NREGS; i++)
			r->x[i] = 0;
		return;
	}
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2: {
		uint32_t w1 = (uint32_t)r->x[1];
		r->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_RESP2;
		r->x[1] = (w1 << 16) | (w1 >> 16);
		r->x[2] = r->x[3] = 0;
		return;
	}
	default:
		si_error(r, FFAEMU_FFA_NOT_SUPPORTED);
		return;
	}
}

static const struct ffaemu_node_ops standin_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "standin-spmc",
	.call = standin_call,
};

/* ------------------------------------------------------------- harness */

struct h {
	struct ffaemu_mem *mem;
	struct ffaemu_spmc *spmc; /* the real fake SPMC (h_real), else NULL */
	struct standin *si;       /* the stand-in (h_new), else NULL */
	struct ffaemu_node *si_node;
	struct ffaemu_el3 *el3;
	struct ffaemu_proxy *proxy;
	struct ffaemu_edge *host;
	struct ffaemu_proxy_profile prof;
	struct ffaemu_call_ctx ctx;
	/* every call the proxy made towards EL3, as EL3 received it */
	struct ffaemu_regs dlog[MAX_LOG];
	size_t nlog;
	/* the last hypervisor retrieve request, as it sat in the hyp TX */
	uint8_t retr_req[64];
	uint32_t retr_len;
};

static size_t dcount(const struct h *h, uint32_t fid)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nlog && i < MAX_LOG; i++)
		if ((uint32_t)h->dlog[i].x[0] == fid)
			n++;
	return n;
}

static const struct ffaemu_regs *dlast(const struct h *h)
{
	assert_true(h->nlog > 0 && h->nlog <= MAX_LOG);
	return &h->dlog[h->nlog - 1];
}

static void down_obs(void *user, const struct ffaemu_edge_event *ev)
{
	struct h *h = user;
	struct ffaemu_proxy_status st;

	if (h->nlog < MAX_LOG)
		h->dlog[h->nlog] = ev->in;
	h->nlog++;
	if ((uint32_t)ev->in.x[0] == FFAEMU_FFA_MEM_RETRIEVE_REQ_64) {
		ffaemu_proxy_get_status(h->proxy, &st);
		h->retr_len = (uint32_t)ev->in.x[1];
		assert_int_equal(ffaemu_mem_read(h->mem, st.hyp_tx, h->retr_req, 64), 0);
	}
}

static void h_observe(struct h *h)
{
	assert_int_equal(ffaemu_edge_add_observer(ffaemu_proxy_down_edge(h->proxy, FFAEMU_SMCCC_1_1),
						  down_obs, h), 0);
	assert_int_equal(ffaemu_edge_add_observer(ffaemu_proxy_down_edge(h->proxy, FFAEMU_SMCCC_1_2),
						  down_obs, h), 0);
}

static void standin_defaults(struct standin *s)
{
	memset(s, 0, sizeof(*s));
	s->version = FFAEMU_FFA_1_2;
	s->nparts = 2;
}

/*
 * Build the stack: host RAM (host-owned), guest RAM (VM 1), the stand-in
 * behind EL3 (SMCCC smccc), the proxy with profile, the host edge.
 */
static struct h *h_new_ex(const struct ffaemu_proxy_profile *prof, uint32_t smccc,
			  void (*tweak)(struct standin *))
{
	struct h *h = calloc(1, sizeof(*h));
	struct ffaemu_el3_config ec;
	struct ffaemu_proxy_config pc;
	struct ffaemu_edge_config hc;

	assert_non_null(h);
	h->si = calloc(1, sizeof(*h->si));
	assert_non_null(h->si);
	assert_int_equal(ffaemu_mem_new(NULL, &h->mem), 0);
	assert_int_equal(ffaemu_mem_add_ram(h->mem, HOST_RAM, HOST_RAM_SIZE, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	assert_int_equal(ffaemu_mem_add_ram(h->mem, GUEST_RAM, GUEST_RAM_SIZE, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_VM, 1)), 0);
	standin_defaults(h->si);
	h->si->mem = h->mem;
	/* an SPMC at the version the profile asks for, unless a test says otherwise */
	h->si->version = prof ? prof->max_version : FFAEMU_FFA_1_2;
	if (tweak)
		tweak(h->si);
	assert_int_equal(ffaemu_node_new(&standin_ops, h->si, NULL, &h->si_node), 0);
	ffaemu_el3_config_default(&ec);
	ec.smccc_version = smccc;
	ec.spmc = h->si_node;
	assert_int_equal(ffaemu_el3_new(&ec, &h->el3), 0);

	if (prof)
		h->prof = *prof;
	else
		ffaemu_proxy_profile_default(&h->prof);
	ffaemu_proxy_config_default(&pc);
	pc.downstream = ffaemu_el3_node(h->el3);
	pc.mem = h->mem;
	pc.profile = &h->prof;
	assert_int_equal(ffaemu_proxy_new(&pc, &h->proxy), 0);
	h_observe(h);

	/* pKVM's sign-extended errors reach the host as on hardware (proxy.h). */
	ffaemu_edge_config_default(&hc);
	hc.name = "host->proxy";
	hc.zero_extend_smc32 = false;
	assert_int_equal(ffaemu_edge_new(&hc, ffaemu_proxy_node(h->proxy), &h->host), 0);
	h->ctx.caller = 0;
	h->ctx.instance = FFAEMU_INSTANCE_NV;
	h->ctx.el = 1;
	return h;
}

static struct h *h_new(const char *profile, void (*tweak)(struct standin *))
{
	struct ffaemu_proxy_profile p;

	assert_int_equal(ffaemu_proxy_profile_get(profile, &p), 0);
	return h_new_ex(&p, FFAEMU_SMCCC_1_2, tweak);
}

/* Which fake-SPMC profile speaks the version a proxy profile asks for. */
static const char *spmc_for(const struct ffaemu_proxy_profile *p)
{
	return p->max_version == FFAEMU_FFA_1_0 ? "spmc-1.0" :
	       p->max_version == FFAEMU_FFA_1_1 ? "spmc-1.1" : "spmc-1.2";
}

/*
 * The same stack on the real fake SPMC with two echo partitions (SP_ID,
 * SP_ID + 1). spmc NULL: the SPMC version the profile asks for. tweak may
 * edit the SPMC profile.
 */
static struct h *h_real_ex(const struct ffaemu_proxy_profile *prof, uint32_t smccc,
			   const char *spmc, void (*tweak)(struct ffaemu_spmc_profile *))
{
	struct h *h = calloc(1, sizeof(*h));
	struct ffaemu_spmc_profile sp;
	struct ffaemu_spmc_config sc;
	struct ffaemu_sp_config part;
	struct ffaemu_el3_config ec;
	struct ffaemu_proxy_config pc;
	struct ffaemu_edge_config hc;

	assert_non_null(h);
	h->prof = *prof;
	assert_int_equal(ffaemu_mem_new(NULL, &h->mem), 0);
	assert_int_equal(ffaemu_mem_add_ram(h->mem, HOST_RAM, HOST_RAM_SIZE, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)), 0);
	assert_int_equal(ffaemu_mem_add_ram(h->mem, GUEST_RAM, GUEST_RAM_SIZE, FFAEMU_MEM_NS,
					    ffaemu_owner_make(FFAEMU_OWNER_VM, 1)), 0);
	assert_int_equal(ffaemu_spmc_profile_by_name(spmc ? spmc : spmc_for(prof), &sp), 0);
	if (tweak)
		tweak(&sp);
	ffaemu_spmc_config_default(&sc);
	sc.profile = &sp;
	sc.mem = h->mem;
	assert_int_equal(ffaemu_spmc_new(&sc, &h->spmc), 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(ffaemu_sp_config_builtin(&part, FFAEMU_SP_ECHO,
							  (ffaemu_id_t)(SP_ID + i)), 0);
		part.ffa_version = sp.ffa_version;
		part.rxtx_pages = sp.rxtx_min_size / 4096; /* at least the SPMC's minimum */
		assert_int_equal(ffaemu_spmc_add_sp(h->spmc, &part), 0);
	}
	ffaemu_el3_config_default(&ec);
	ec.smccc_version = smccc;
	ec.spmc = ffaemu_spmc_node(h->spmc);
	assert_int_equal(ffaemu_el3_new(&ec, &h->el3), 0);
	ffaemu_proxy_config_default(&pc);
	pc.downstream = ffaemu_el3_node(h->el3);
	pc.mem = h->mem;
	pc.profile = &h->prof;
	assert_int_equal(ffaemu_proxy_new(&pc, &h->proxy), 0);
	h_observe(h);
	ffaemu_edge_config_default(&hc);
	hc.name = "host->proxy";
	hc.zero_extend_smc32 = false;
	assert_int_equal(ffaemu_edge_new(&hc, ffaemu_proxy_node(h->proxy), &h->host), 0);
	h->ctx.instance = FFAEMU_INSTANCE_NV;
	h->ctx.el = 1;
	return h;
}

static struct h *h_real(const char *profile)
{
	struct ffaemu_proxy_profile p;

	assert_int_equal(ffaemu_proxy_profile_get(profile, &p), 0);
	return h_real_ex(&p, FFAEMU_SMCCC_1_2, NULL, NULL);
}

static struct h *h_real_spmc(const char *profile, const char *spmc,
			     void (*tweak)(struct ffaemu_spmc_profile *))
{
	struct ffaemu_proxy_profile p;

	assert_int_equal(ffaemu_proxy_profile_get(profile, &p), 0);
	return h_real_ex(&p, FFAEMU_SMCCC_1_2, spmc, tweak);
}

static void h_free(struct h *h)
{
	if (!h)
		return;
	ffaemu_edge_free(&h->host);
	ffaemu_proxy_free(&h->proxy);
	ffaemu_el3_free(&h->el3);
	ffaemu_node_free(&h->si_node);
	ffaemu_spmc_free(&h->spmc);
	ffaemu_mem_free(&h->mem);
	free(h->si);
	free(h);
}

/* Arm a fault in the real SPMC (kind, ABI, FF-A error, kind-specific value). */
static void h_fault(struct h *h, enum ffaemu_spmc_fault_kind kind, uint32_t fid, int32_t err,
		    uint64_t value)
{
	struct ffaemu_spmc_fault f;

	assert_non_null(h->spmc);
	ffaemu_spmc_fault_default(&f);
	f.kind = kind;
	f.fid = fid;
	f.error = err;
	f.value = value;
	assert_int_equal(ffaemu_spmc_inject_fault(h->spmc, &f), 0);
}

/* The SPMC's view of the NS endpoint 0 (the proxy's own mailbox), either backend. */
static struct ffaemu_spmc_ep_info hyp_ep(struct h *h)
{
	struct ffaemu_spmc_ep_info ep;

	memset(&ep, 0, sizeof(ep));
	if (h->spmc) {
		if (ffaemu_spmc_ep_info(h->spmc, 0, &ep) != 0)
			memset(&ep, 0, sizeof(ep));
	} else {
		ep.mapped = h->si->mapped;
		ep.tx_pa = h->si->tx;
		ep.rx_pa = h->si->rx;
		ep.rxtx_pages = h->si->pages;
		ep.rx_full = h->si->rx_full;
	}
	return ep;
}

static struct ffaemu_regs hcall(struct h *h, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
				uint64_t x4, uint64_t x5)
{
	struct ffaemu_regs r;

	ffaemu_regs_clear(&r);
	r.x[0] = x0;
	r.x[1] = x1;
	r.x[2] = x2;
	r.x[3] = x3;
	r.x[4] = x4;
	r.x[5] = x5;
	ffaemu_edge_call(h->host, &r, &h->ctx);
	return r;
}

/* Raw: straight into the proxy node, no SMCCC contract on the host side. */
static void hraw(struct h *h, struct ffaemu_regs *r)
{
	ffaemu_node_call(ffaemu_proxy_node(h->proxy), r, &h->ctx);
}

static struct ffaemu_proxy_status hst(struct h *h)
{
	struct ffaemu_proxy_status st;
	ffaemu_proxy_get_status(h->proxy, &st);
	return st;
}

#define assert_ffa_error(r, e)                                           \
	do {                                                             \
		assert_int_equal((uint32_t)(r).x[0], FFAEMU_FFA_ERROR);  \
		assert_int_equal((int32_t)(uint32_t)(r).x[2], (e));      \
	} while (0)

/* A proxy-made error: sign-extended x2 (pkvm-proxy 1.17). */
#define assert_proxy_error(r, e)                                         \
	do {                                                             \
		assert_ffa_error(r, e);                                  \
		assert_true((r).x[2] == (uint64_t)(int64_t)(e));         \
	} while (0)

/* init + host FFA_VERSION(max) + host RXTX_MAP. */
static void h_up(struct h *h, bool map)
{
	struct ffaemu_regs r;
	uint32_t ps = h->prof.page_size;

	assert_int_equal(ffaemu_proxy_init(h->proxy), 0);
	r = hcall(h, FFAEMU_FFA_VERSION, h->prof.max_version, 0, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], hst(h).hyp_version);
	if (map) {
		r = hcall(h, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, ps / 4096, 0, 0);
		assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	}
}

/* --------------------------------------------------- descriptor writer */

struct dopt {
	uint32_t ver;          /* layout version; 0 = 1.2 */
	uint16_t sender;
	uint32_t ep_count;     /* 0 -> 1 */
	bool ep_count_zero;
	uint32_t emad_off;     /* header field; 0 = right after the header */
	uint32_t emad_place;   /* where the EMAD really is; 0 = emad_off */
	uint32_t comp_off;     /* 0 = after the EMAD */
	bool comp_zero;
	uint32_t n;
	struct { uint64_t base; uint32_t pg; } c[300];
	uint32_t addr_cnt;     /* composite addr_range_cnt; 0 = n */
	uint32_t extra;        /* trailing bytes after the constituents */
	bool lend;             /* memory attributes 0, as the driver sends a LEND (4.3) */
};

static void put(uint8_t *b, uint32_t off, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

/* Write the descriptor into buf; returns its length. */
static uint32_t build_desc(uint8_t *b, size_t cap, const struct dopt *o)
{
	uint32_t ver = o->ver ? o->ver : FFAEMU_FFA_1_2;
	uint32_t hdr = ver == FFAEMU_FFA_1_0 ? 32 : 48;
	uint32_t esz = ver >= FFAEMU_FFA_1_2 ? 32 : 16;
	uint32_t eoff = o->emad_off ? o->emad_off : hdr;
	uint32_t eplace = o->emad_place ? o->emad_place : eoff;
	uint32_t comp = o->comp_off ? o->comp_off : eplace + esz;
	uint32_t real_comp = (o->comp_off && o->comp_off < cap) ? o->comp_off : eplace + esz;
	uint32_t len = real_comp + 16 + o->n * 16 + o->extra;
	uint64_t total = 0;

	assert_true(len <= cap);
	memset(b, 0, len);
	put(b, 0, 2, o->sender);
	put(b, 2, 2, o->lend ? 0 : 0x2f); /* normal memory, write-back, inner shareable */
	if (ver > FFAEMU_FFA_1_0) {
		put(b, 24, 4, esz);
		put(b, 32, 4, eoff);
	}
	put(b, 28, 4, o->ep_count_zero ? 0 : (o->ep_count ? o->ep_count : 1));
	put(b, eplace, 2, SP_ID);
	put(b, eplace + 2, 1, 2); /* RW */
	put(b, eplace + 4, 4, o->comp_zero ? 0 : comp);
	for (uint32_t i = 0; i < o->n; i++)
		total += o->c[i].pg;
	put(b, real_comp, 4, total);
	put(b, real_comp + 4, 4, o->addr_cnt ? o->addr_cnt : o->n);
	for (uint32_t i = 0; i < o->n; i++) {
		put(b, real_comp + 16 + i * 16, 8, o->c[i].base);
		put(b, real_comp + 16 + i * 16 + 8, 4, o->c[i].pg);
	}
	return len;
}

/* A whole descriptor into host TX; returns its length. */
static uint32_t write_desc(struct h *h, const struct dopt *o)
{
	static uint8_t buf[65536];
	uint32_t len = build_desc(buf, sizeof(buf), o);
	uint32_t n = len < h->prof.page_size ? len : h->prof.page_size;

	assert_int_equal(ffaemu_mem_write(h->mem, HOST_TX, buf, n), 0);
	return len;
}

static struct dopt one_range(uint64_t base, uint32_t pg)
{
	struct dopt o;
	memset(&o, 0, sizeof(o));
	o.n = 1;
	o.c[0].base = base;
	o.c[0].pg = pg;
	return o;
}

static enum ffaemu_page_state hyp_state(struct h *h, ffaemu_pa_t pa)
{
	struct ffaemu_page_info pi;
	assert_int_equal(ffaemu_mem_page_info(h->mem, pa, &pi), 0);
	return pi.hyp_state;
}

/* The page map is consistent and exactly as it was (nothing shared, nothing leaked). */
static void assert_map_same(struct h *h, const struct ffaemu_mem_stats *before)
{
	struct ffaemu_mem_stats now;
	char why[128];

	assert_int_equal(ffaemu_mem_check(h->mem, why, sizeof(why)), 0);
	ffaemu_mem_get_stats(h->mem, &now);
	assert_int_equal(now.hyp_shared, before->hyp_shared);
	assert_int_equal(now.pinned_pages, before->pinned_pages);
	assert_int_equal(now.owned, before->owned);
}

#endif /* TEST_PROXY_COMMON_H */
