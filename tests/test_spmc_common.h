/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared fixture of the SPMC tests: wired as the real stack is, host edge
 * -> EL3 node -> SPMC node, over one emulated memory with NS RAM for the
 * host. Partitions call back through their own edges.
 */
#ifndef TEST_SPMC_COMMON_H
#define TEST_SPMC_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/conduit.h>
#include <ffa/el3.h>
#include <ffa/mem.h>
#include <ffa/msgdesc.h>
#include <ffa/partinfo.h>
#include <ffa/spmc.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NS_BASE 0x80000000ull
#define NS_SIZE (4ull << 20)
#define HOST_TX NS_BASE
#define HOST_RX (NS_BASE + 0x1000)
#define W_NS 0xffffffffull /* bare -1 in w0, zero-extended */

struct fx {
	struct ffaemu_mem *mem;
	struct ffaemu_spmc *spmc;
	struct ffaemu_el3 *el3;
	struct ffaemu_edge *host;
	struct ffaemu_call_ctx ctx;
};

static inline int fx_open(struct fx *f, const struct ffaemu_spmc_profile *prof)
{
	struct ffaemu_spmc_config sc;
	struct ffaemu_el3_config ec;
	struct ffaemu_edge_config edc;

	memset(f, 0, sizeof(*f));
	if (ffaemu_mem_new(NULL, &f->mem))
		return -1;
	if (ffaemu_mem_add_ram(f->mem, NS_BASE, NS_SIZE, FFAEMU_MEM_NS,
			       ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)))
		return -1;
	ffaemu_spmc_config_default(&sc);
	sc.profile = prof;
	sc.mem = f->mem;
	if (ffaemu_spmc_new(&sc, &f->spmc))
		return -1;
	ffaemu_el3_config_default(&ec);
	ec.spmc = ffaemu_spmc_node(f->spmc);
	if (ffaemu_el3_new(&ec, &f->el3))
		return -1;
	ffaemu_edge_config_default(&edc);
	edc.name = "host->el3";
	if (ffaemu_edge_new(&edc, ffaemu_el3_node(f->el3), &f->host))
		return -1;
	f->ctx.caller = 0;
	f->ctx.instance = FFAEMU_INSTANCE_NP;
	f->ctx.el = 1;
	return 0;
}

static inline void fx_close(struct fx *f)
{
	ffaemu_edge_free(&f->host);
	ffaemu_el3_free(&f->el3);
	ffaemu_spmc_free(&f->spmc);
	ffaemu_mem_free(&f->mem);
}

static inline int fx_setup_named(void **state, const char *profile)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ffaemu_spmc_profile p;

	if (!f)
		return -1;
	if (ffaemu_spmc_profile_by_name(profile, &p) || fx_open(f, &p)) {
		fx_close(f);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	fx_close(f);
	free(f);
	return 0;
}

/*
 * A second fixture inside a test. NULL only after the test has failed:
 * callers still return on NULL, because the analyzer cannot see that
 * CMocka's failure does not come back.
 */
static inline struct fx *fx_new_named(const char *profile)
{
	void *st = NULL;

	if (fx_setup_named(&st, profile) != 0) {
		fail_msg("cannot build a %s fixture", profile);
		return NULL;
	}
	return st;
}

/* Free a fixture from fx_new_named and clear the caller's pointer. */
static inline void fx_delete(struct fx **f)
{
	if (!*f)
		return;
	fx_close(*f);
	free(*f);
	*f = NULL;
}

/* Make a call from the host with x0..x(n-1) = v[], the rest zero. */
static inline struct ffaemu_regs fx_callv(struct fx *f, const uint64_t *v, size_t n)
{
	struct ffaemu_regs r;
	ffaemu_regs_clear(&r);
	for (size_t i = 0; i < n && i < FFAEMU_NREGS; i++)
		r.x[i] = v[i];
	ffaemu_edge_call(f->host, &r, &f->ctx);
	return r;
}

#define CALL(f, ...)                                          \
	fx_callv((f), (const uint64_t[]){__VA_ARGS__},        \
		 sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

/* FFA_ERROR(code): w1 = 0, w2 = code zero-extended, w3-w7 zero (spec C3). */
static inline void check_ffa_error(struct ffaemu_regs r, int32_t code, int line)
{
	bool ok = r.x[0] == FFAEMU_FFA_ERROR && r.x[1] == 0 && r.x[2] == (uint32_t)code;
	for (int i = 3; i < 8; i++)
		ok = ok && r.x[i] == 0;
	if (!ok)
		fail_msg("line %d: want FFA_ERROR(%d), got x0=%#llx x1=%#llx x2=%#llx x3=%#llx", line,
			 code, (unsigned long long)r.x[0], (unsigned long long)r.x[1],
			 (unsigned long long)r.x[2], (unsigned long long)r.x[3]);
}

static inline void check_ffa_success(struct ffaemu_regs r, int line)
{
	if (r.x[0] != FFAEMU_FFA_SUCCESS || r.x[1] != 0)
		fail_msg("line %d: want FFA_SUCCESS, got x0=%#llx x1=%#llx x2=%#llx", line,
			 (unsigned long long)r.x[0], (unsigned long long)r.x[1],
			 (unsigned long long)r.x[2]);
}

/* Each evaluates its call expression exactly once. */
#define assert_ffa_error(r, code) check_ffa_error((r), (code), __LINE__)
#define assert_ffa_success(r) check_ffa_success((r), __LINE__)

static inline struct ffaemu_regs fx_version(struct fx *f, uint32_t v)
{
	return CALL(f, FFAEMU_FFA_VERSION, v);
}

static inline struct ffaemu_regs fx_map_host(struct fx *f)
{
	return CALL(f, FFAEMU_FFA_RXTX_MAP_64, HOST_TX, HOST_RX, 1);
}

static inline void *fx_ptr(struct fx *f, ffaemu_pa_t pa, uint64_t len)
{
	void *p = NULL;
	assert_int_equal(ffaemu_mem_ptr(f->mem, pa, len, &p), 0);
	return p;
}

static inline struct ffaemu_spmc_ep_info fx_ep(struct fx *f, ffaemu_id_t id)
{
	struct ffaemu_spmc_ep_info e;
	assert_int_equal(ffaemu_spmc_ep_info(f->spmc, id, &e), 0);
	return e;
}

static inline void fx_add_builtin(struct fx *f, enum ffaemu_sp_builtin kind, ffaemu_id_t id)
{
	struct ffaemu_sp_config c;
	assert_int_equal(ffaemu_sp_config_builtin(&c, kind, id), 0);
	assert_int_equal(ffaemu_spmc_add_sp(f->spmc, &c), 0);
}

#endif /* TEST_SPMC_COMMON_H */
