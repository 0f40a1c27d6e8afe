/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whole-stack wiring (system.h): one config builds host RAM, EL3, the fake
 * SPMC and an optional proxy; the wiring can change mid-run; user nodes can
 * be put in front of any layer; faults reach the SPMC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/mem.h>
#include <ffa/proxy.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#include "failalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct ffaemu_regs call0(uint32_t fid, uint64_t x1)
{
	struct ffaemu_regs r;

	ffaemu_regs_clear(&r);
	r.x[0] = fid;
	r.x[1] = x1;
	return r;
}

static int setup_default(void **state)
{
	struct ffaemu_system *sys = NULL;

	if (ffaemu_system_new(NULL, &sys))
		return -1;
	*state = sys;
	return 0;
}

static int teardown(void **state)
{
	struct ffaemu_system *sys = *state;

	ffaemu_system_free(&sys);
	assert_null(sys);
	return 0;
}

/* ---- construction ---- */

static void test_default_system_answers_as_spmc_alone(void **state)
{
	struct ffaemu_system *sys = *state;
	struct ffaemu_regs r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);

	ffaemu_system_call(sys, &r);
	/* FFA_VERSION: the callee's version, bare in w0 (spec C4) */
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(r.x[2], 0); /* NS physical instance is ID 0 (spec B2) */
	assert_string_equal(ffaemu_system_proxy_name(sys), "none");
	assert_null(ffaemu_system_proxy(sys));
	assert_int_equal(ffaemu_system_page_size(sys), 4096);
}

static void test_accessors_expose_the_wired_objects(void **state)
{
	struct ffaemu_system *sys = *state;
	const struct ffaemu_call_ctx *ctx = ffaemu_system_host_ctx(sys);
	struct ffaemu_edge_stats st;
	struct ffaemu_regs r = call0(FFAEMU_FFA_ID_GET, 0);

	assert_non_null(ffaemu_system_host_edge(sys));
	assert_non_null(ffaemu_system_proxy_edge(sys));
	assert_non_null(ffaemu_system_mem(sys));
	assert_non_null(ffaemu_system_el3(sys));
	assert_non_null(ffaemu_system_spmc(sys));
	assert_non_null(ctx);
	assert_int_equal(ctx->caller, 0);
	assert_int_equal(ctx->instance, FFAEMU_INSTANCE_NP);
	ffaemu_system_call(sys, &r);
	ffaemu_edge_get_stats(ffaemu_system_host_edge(sys), &st);
	assert_int_equal(st.calls, 1);
	/* host RAM is there and owned by the host */
	assert_true(ffaemu_mem_is_ram(ffaemu_system_mem(sys), FFAEMU_SYSTEM_RAM_BASE, 4096));
	/* NULL is accepted everywhere */
	assert_null(ffaemu_system_host_edge(NULL));
	assert_null(ffaemu_system_mem(NULL));
	assert_null(ffaemu_system_proxy_name(NULL));
	ffaemu_system_call(NULL, &r);
	ffaemu_system_free(NULL);
}

static void test_bad_config_is_refused(void **state)
{
	static const uint32_t bad_pages[] = {0, 1, 8192, 32768, 131072};
	struct ffaemu_system_config cfg;
	struct ffaemu_system *sys = (struct ffaemu_system *)&cfg;

	(void)state;
	assert_int_equal(ffaemu_system_new(NULL, NULL), FFAEMU_EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_pages); i++) {
		ffaemu_system_config_default(&cfg);
		cfg.page_size = bad_pages[i];
		assert_int_equal(ffaemu_system_new(&cfg, &sys), FFAEMU_EINVAL);
		assert_null(sys);
	}
	ffaemu_system_config_default(&cfg);
	cfg.size = 4;
	assert_int_equal(ffaemu_system_new(&cfg, &sys), FFAEMU_EINVAL);
	ffaemu_system_config_default(&cfg);
	cfg.proxy = "pkvm-1999";
	assert_int_equal(ffaemu_system_new(&cfg, &sys), FFAEMU_ENOENT);
	ffaemu_system_config_default(&cfg);
	cfg.spmc = "no-such-spmc";
	assert_int_equal(ffaemu_system_new(&cfg, &sys), FFAEMU_ENOENT);
	ffaemu_system_config_default(&cfg);
	cfg.partitions = "no-such-preset";
	assert_int_equal(ffaemu_system_new(&cfg, &sys), FFAEMU_ENOENT);
	assert_null(sys);
}

static void test_conform_preset_adds_six_partitions(void **state)
{
	struct ffaemu_system_config cfg;
	struct ffaemu_system *sys = NULL;

	(void)state;
	ffaemu_system_config_default(&cfg);
	cfg.partitions = "conform";
	assert_int_equal(ffaemu_system_new(&cfg, &sys), 0);
	assert_int_equal(ffaemu_spmc_sp_count(ffaemu_system_spmc(sys)), 6);
	ffaemu_system_free(&sys);
	cfg.partitions = "acs-fvp";
	assert_int_equal(ffaemu_system_new(&cfg, &sys), 0);
	assert_int_equal(ffaemu_spmc_sp_count(ffaemu_system_spmc(sys)), 4);
	ffaemu_system_free(&sys);
}

struct sp_seen {
	unsigned calls;
	ffaemu_id_t caller;
	enum ffaemu_instance instance;
	uint32_t fid;
};

static void sp_observer(void *user, const struct ffaemu_edge_event *ev)
{
	struct sp_seen *seen = user;

	seen->calls++;
	seen->caller = ev->ctx->caller;
	seen->instance = ev->ctx->instance;
	seen->fid = (uint32_t)ev->in.x[0];
}

/*
 * Each partition's own conduit is reachable (to trace and check the calls a
 * partition makes inside a request), named "spNNNN->spmc", in the order the
 * partitions were added; the notifier's NOTIFICATION_SET goes through it.
 */
static void test_partition_edges_are_exposed_and_named(void **state)
{
	static const ffaemu_id_t ids[] = {0x8001, 0x8002, 0x8003, 0x8004, 0x8005, 0x8006};
	struct ffaemu_system_config cfg;
	struct ffaemu_system *sys = NULL;
	struct ffaemu_spmc *spmc;
	struct ffaemu_edge *e;
	struct sp_seen seen = {0};
	struct ffaemu_regs r;

	(void)state;
	ffaemu_system_config_default(&cfg);
	cfg.partitions = "conform";
	assert_int_equal(ffaemu_system_new(&cfg, &sys), 0);
	spmc = ffaemu_system_spmc(sys);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		char want[16];

		snprintf(want, sizeof(want), "sp%04x->spmc", ids[i]);
		assert_int_equal(ffaemu_spmc_sp_id_at(spmc, i), ids[i]);
		e = ffaemu_spmc_sp_edge(spmc, ids[i]);
		assert_non_null(e);
		assert_string_equal(ffaemu_edge_name(e), want);
		assert_ptr_equal(ffaemu_edge_callee(e), ffaemu_spmc_node(spmc));
	}
	assert_int_equal(ffaemu_spmc_sp_id_at(spmc, ARRAY_SIZE(ids)), 0);
	assert_int_equal(ffaemu_spmc_sp_id_at(NULL, 0), 0);
	assert_null(ffaemu_spmc_sp_edge(spmc, 0x8007));
	assert_null(ffaemu_spmc_sp_edge(spmc, 0));
	assert_null(ffaemu_spmc_sp_edge(NULL, 0x8001));

	/* the notifier (0x8006) calls NOTIFICATION_SET from itself, on its edge */
	e = ffaemu_spmc_sp_edge(spmc, 0x8006);
	assert_int_equal(ffaemu_edge_add_observer(e, sp_observer, &seen), 0);
	r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);
	ffaemu_system_call(sys, &r);
	r = call0(FFAEMU_FFA_MSG_SEND_DIRECT_REQ, 0x8006);
	r.x[3] = 0x8001;
	r.x[4] = 1;
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.caller, 0x8006);
	assert_int_equal(seen.instance, FFAEMU_INSTANCE_SV);
	assert_int_equal(seen.fid, FFAEMU_FFA_NOTIFICATION_SET);
	assert_int_equal(ffaemu_edge_remove_observer(e, sp_observer, &seen), 0);
	ffaemu_system_free(&sys);
}

/* Every page-size / proxy-profile combination builds and negotiates. */
static void test_every_proxy_profile_and_page_size_builds(void **state)
{
	static const uint32_t pages[] = {4096, 16384, 65536};

	(void)state;
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		for (size_t k = 0; k < ARRAY_SIZE(pages); k++) {
			struct ffaemu_system_config cfg;
			struct ffaemu_system *sys = NULL;
			struct ffaemu_regs r;

			ffaemu_system_config_default(&cfg);
			cfg.proxy = ffaemu_proxy_profile_name_at(p);
			cfg.page_size = pages[k];
			assert_int_equal(ffaemu_system_new(&cfg, &sys), 0);
			assert_string_equal(ffaemu_system_proxy_name(sys), cfg.proxy);
			assert_non_null(ffaemu_system_proxy(sys));
			assert_int_equal(ffaemu_proxy_get_profile(ffaemu_system_proxy(sys))->page_size,
					 pages[k]);
			r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);
			ffaemu_system_call(sys, &r);
			/* any answer is a version or NOT_SUPPORTED, never a frame (spec G2) */
			assert_int_not_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
			ffaemu_system_free(&sys);
		}
	}
}

/* Profiles can be given as structs, copied and edited (DESIGN: behaviour is data). */
static void test_profile_structs_override_names(void **state)
{
	struct ffaemu_spmc_profile sp;
	struct ffaemu_proxy_profile pp;
	struct ffaemu_system_config cfg;
	struct ffaemu_system *sys = NULL;
	struct ffaemu_regs r;

	(void)state;
	ffaemu_spmc_profile_default(&sp);
	sp.ffa_version = FFAEMU_FFA_1_1;
	assert_int_equal(ffaemu_proxy_profile_get("pkvm-2026", &pp), 0);
	pp.gate_error = 0; /* a pKVM without the negotiation gate */
	snprintf(pp.name, sizeof(pp.name), "pkvm-nogate");
	ffaemu_system_config_default(&cfg);
	cfg.spmc = "no-such-spmc";  /* the struct wins */
	cfg.spmc_profile = &sp;
	cfg.proxy_profile = &pp;
	assert_int_equal(ffaemu_system_new(&cfg, &sys), 0);
	assert_string_equal(ffaemu_system_proxy_name(sys), "pkvm-nogate");
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	/* without a proxy the 1.1 SPMC answers its own version */
	assert_int_equal(ffaemu_system_install_proxy(sys, "none"), 0);
	r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1);
	ffaemu_system_call(sys, &r);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_1);
	/* install by struct; an invalid struct is refused and changes nothing */
	pp.page_size = 12345;
	assert_int_equal(ffaemu_system_install_proxy_profile(sys, &pp), FFAEMU_EINVAL);
	assert_string_equal(ffaemu_system_proxy_name(sys), "none");
	pp.page_size = 4096;
	assert_int_equal(ffaemu_system_install_proxy_profile(sys, &pp), 0);
	assert_string_equal(ffaemu_system_proxy_name(sys), "pkvm-nogate");
	assert_int_equal(ffaemu_system_install_proxy_profile(sys, NULL), FFAEMU_EINVAL);
	ffaemu_system_free(&sys);
}

/* ---- rewiring ---- */

static void test_install_proxy_late_puts_the_gate_in_front(void **state)
{
	struct ffaemu_system *sys = *state;
	struct ffaemu_regs r = call0(FFAEMU_FFA_ID_GET, 0);

	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-2026"), 0);
	assert_string_equal(ffaemu_system_proxy_name(sys), "pkvm-2026");
	assert_non_null(ffaemu_system_proxy(sys));
	/* the proxy gates calls until the host negotiates with it (pkvm-proxy 1.6) */
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_ERROR);
	assert_int_equal(ffaemu_regs_s32(&r, 2), FFAEMU_FFA_INVALID_PARAMETERS);
	/* and out again */
	assert_int_equal(ffaemu_system_install_proxy(sys, "none"), 0);
	assert_null(ffaemu_system_proxy(sys));
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
}

static void test_install_unknown_proxy_keeps_wiring(void **state)
{
	struct ffaemu_system *sys = *state;
	struct ffaemu_regs r;

	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-2026"), 0);
	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-1999"), FFAEMU_ENOENT);
	assert_string_equal(ffaemu_system_proxy_name(sys), "pkvm-2026");
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal(ffaemu_regs_s32(&r, 2), FFAEMU_FFA_INVALID_PARAMETERS);
	assert_int_equal(ffaemu_system_install_proxy(NULL, "none"), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_system_install_proxy(sys, NULL), FFAEMU_EINVAL);
}

/* Negotiate v1.2 with the proxy and map one RX/TX pair through it. */
static void host_maps_through_the_proxy(struct ffaemu_system *sys)
{
	struct ffaemu_regs r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);

	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_1_2);
	r = call0(FFAEMU_FFA_RXTX_MAP_64, FFAEMU_SYSTEM_RAM_BASE);
	r.x[2] = FFAEMU_SYSTEM_RAM_BASE + FFAEMU_PAGE_SIZE;
	r.x[3] = 1;
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
}

/*
 * pKVM maps its own RX/TX at the SPMC for the host (pkvm-proxy 1.10). A
 * proxy replaced or removed gives them back first (FFA_RXTX_UNMAP, spec
 * C5.3) and only then its RAM: the SPMC never points into freed memory
 * (a fuzzing finding, tests/fuzz/corpus/script/finding-proxy-reinstall-mapped), and
 * the next proxy can map again.
 */
static void test_replaced_proxy_gives_its_buffers_back_first(void **state)
{
	struct ffaemu_system *sys = *state;
	struct ffaemu_spmc_ep_info hyp;
	ffaemu_pa_t hyp_tx;

	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-2026"), 0);
	host_maps_through_the_proxy(sys);
	assert_int_equal(ffaemu_spmc_ep_info(ffaemu_system_spmc(sys), 0, &hyp), 0);
	assert_true(hyp.mapped);
	hyp_tx = hyp.tx_pa;
	assert_true(ffaemu_mem_is_ram(ffaemu_system_mem(sys), hyp_tx, FFAEMU_PAGE_SIZE));

	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-2026"), 0);
	assert_int_equal(ffaemu_spmc_ep_info(ffaemu_system_spmc(sys), 0, &hyp), 0);
	assert_false(hyp.mapped);
	host_maps_through_the_proxy(sys);

	assert_int_equal(ffaemu_system_install_proxy(sys, "none"), 0);
	assert_int_equal(ffaemu_spmc_ep_info(ffaemu_system_spmc(sys), 0, &hyp), 0);
	assert_false(hyp.mapped);
	/* the proxy's RAM went with it */
	assert_false(ffaemu_mem_is_ram(ffaemu_system_mem(sys), hyp_tx, FFAEMU_PAGE_SIZE));
	assert_int_equal(ffaemu_proxy_shutdown(NULL), FFAEMU_EINVAL);
}

/* A counting node that forwards through the edge the system gives it. */
struct shim {
	struct ffaemu_edge *next;
	unsigned calls;
	struct ffaemu_node *node;
};

static void shim_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct shim *s = self;

	s->calls++;
	if (s->next)
		ffaemu_edge_call(s->next, regs, ctx);
	else
		regs->x[0] = (uint64_t)(int64_t)-1;
}

static const struct ffaemu_node_ops shim_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "shim",
	.call = shim_call,
};

static void test_inserted_nodes_see_calls_at_every_point(void **state)
{
	struct ffaemu_system *sys = *state;
	struct shim host = {0}, host2 = {0}, el3 = {0}, spmc = {0};
	struct ffaemu_regs r;

	assert_int_equal(ffaemu_node_new(&shim_ops, &host, NULL, &host.node), 0);
	assert_int_equal(ffaemu_node_new(&shim_ops, &host2, NULL, &host2.node), 0);
	assert_int_equal(ffaemu_node_new(&shim_ops, &el3, NULL, &el3.node), 0);
	assert_int_equal(ffaemu_node_new(&shim_ops, &spmc, NULL, &spmc.node), 0);
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_HOST, host.node, &host.next), 0);
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_EL3, el3.node, &el3.next), 0);
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_SPMC, spmc.node, &spmc.next), 0);
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_HOST, host2.node, &host2.next), 0);
	assert_non_null(host.next);

	/* an FF-A call passes every point */
	r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);
	ffaemu_system_call(sys, &r);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);
	assert_int_equal(host.calls, 1);
	assert_int_equal(host2.calls, 1);
	assert_int_equal(el3.calls, 1);
	assert_int_equal(spmc.calls, 1);
	/* an SMCCC arch call stops at EL3 */
	r = call0(FFAEMU_SMCCC_VERSION_FID, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal(el3.calls, 2);
	assert_int_equal(spmc.calls, 1);

	/* a proxy installed later still sits behind the host shims, in front of EL3 */
	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-2026"), 0);
	r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);
	ffaemu_system_call(sys, &r);
	assert_int_equal(host.calls, 3);
	assert_true(el3.calls > 2); /* post-init calls from the proxy went through */
	assert_int_equal(ffaemu_system_install_proxy(sys, "none"), 0);

	assert_int_equal(ffaemu_system_insert_node(sys, 7, host.node, &host.next), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_EL3, NULL, &host.next),
			 FFAEMU_EINVAL);
	/* the nodes must outlive the system's use of them */
	ffaemu_system_free(&sys);
	*state = NULL;
	ffaemu_node_free(&host.node);
	ffaemu_node_free(&host2.node);
	ffaemu_node_free(&el3.node);
	ffaemu_node_free(&spmc.node);
}

static void test_user_proxy_node_replaces_the_proxy(void **state)
{
	struct ffaemu_system *sys = *state;
	struct shim p = {0};
	struct ffaemu_regs r;

	assert_int_equal(ffaemu_node_new(&shim_ops, &p, NULL, &p.node), 0);
	p.next = ffaemu_system_proxy_edge(sys);
	assert_int_equal(ffaemu_system_set_proxy_node(sys, p.node), 0);
	assert_string_equal(ffaemu_system_proxy_name(sys), "shim");
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(p.calls, 1);
	assert_int_equal(ffaemu_system_set_proxy_node(sys, NULL), 0);
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal(p.calls, 1);
	ffaemu_node_free(&p.node);
}

/* Trace diagrams draw an edge "a->b" as lanes a and b: names follow the wiring. */
static void test_edge_names_follow_the_wiring(void **state)
{
	struct ffaemu_system *sys = *state;
	struct shim p = {0};

	assert_string_equal(ffaemu_edge_name(ffaemu_system_host_edge(sys)), "host->el3");
	assert_string_equal(ffaemu_edge_name(ffaemu_system_proxy_edge(sys)), "proxy->el3");
	assert_int_equal(ffaemu_system_install_proxy(sys, "pkvm-2026"), 0);
	assert_string_equal(ffaemu_edge_name(ffaemu_system_host_edge(sys)), "host->proxy");
	assert_int_equal(ffaemu_system_install_proxy(sys, "none"), 0);
	assert_string_equal(ffaemu_edge_name(ffaemu_system_host_edge(sys)), "host->el3");
	assert_int_equal(ffaemu_node_new(&shim_ops, &p, NULL, &p.node), 0);
	assert_int_equal(ffaemu_system_set_proxy_node(sys, p.node), 0);
	assert_string_equal(ffaemu_edge_name(ffaemu_system_host_edge(sys)), "host->proxy");
	assert_int_equal(ffaemu_system_set_proxy_node(sys, NULL), 0);
	/* an inserted node becomes a lane of its own */
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_HOST, p.node, &p.next), 0);
	assert_string_equal(ffaemu_edge_name(ffaemu_system_host_edge(sys)), "host->shim");
	assert_string_equal(ffaemu_edge_name(p.next), "shim->el3");
	ffaemu_system_free(&sys);
	*state = NULL;
	ffaemu_node_free(&p.node);
}

/* ---- faults ---- */

static void test_fault_error_hits_the_named_abi_once(void **state)
{
	struct ffaemu_system *sys = *state;
	struct ffaemu_system_fault f;
	struct ffaemu_regs r;

	ffaemu_system_fault_default(&f);
	f.name = "error";
	f.fid = FFAEMU_FFA_ID_GET;
	f.value = FFAEMU_FFA_RETRY;
	assert_int_equal(ffaemu_system_fault(sys, &f), 0);
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal(ffaemu_regs_s32(&r, 2), FFAEMU_FFA_RETRY);
	r = call0(FFAEMU_FFA_ID_GET, 0);
	ffaemu_system_call(sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
}

static void test_fault_names_are_a_catalogue(void **state)
{
	struct ffaemu_system *sys = *state;
	struct ffaemu_system_fault f;
	size_t n = 0;

	while (ffaemu_system_fault_name_at(n))
		n++;
	assert_int_equal(n, 6);
	ffaemu_system_fault_default(&f);
	f.name = "no-such-fault";
	assert_int_equal(ffaemu_system_fault(sys, &f), FFAEMU_ENOENT);
	f.name = NULL;
	assert_int_equal(ffaemu_system_fault(sys, &f), FFAEMU_EINVAL);
	f.name = "version";
	f.value = FFAEMU_FFA_1_0;
	assert_int_equal(ffaemu_system_fault(sys, &f), 0);
	{
		struct ffaemu_regs r = call0(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2);

		ffaemu_system_call(sys, &r);
		assert_int_equal(r.x[0], FFAEMU_FFA_1_0);
	}
}

/* ---- allocation failure: every failing allocation gives ENOMEM and no leak ---- */

static void test_allocation_failure_rolls_back(void **state)
{
	unsigned built = 0;

	(void)state;
	for (unsigned k = 1; k < 400 && !built; k++) {
		struct failalloc fa;
		struct ffaemu_system_config cfg;
		struct ffaemu_system *sys = NULL;
		int rc;

		failalloc_init(&fa);
		failalloc_fail_nth(&fa, k);
		ffaemu_system_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		cfg.proxy = "pkvm-2026";
		cfg.partitions = "conform";
		rc = ffaemu_system_new(&cfg, &sys);
		if (rc) {
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_null(sys);
			continue;
		}
		built = k;
		ffaemu_system_free(&sys);
	}
	assert_true(built > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_system_answers_as_spmc_alone, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_accessors_expose_the_wired_objects, setup_default,
						teardown),
		cmocka_unit_test(test_bad_config_is_refused),
		cmocka_unit_test(test_conform_preset_adds_six_partitions),
		cmocka_unit_test(test_partition_edges_are_exposed_and_named),
		cmocka_unit_test(test_every_proxy_profile_and_page_size_builds),
		cmocka_unit_test(test_profile_structs_override_names),
		cmocka_unit_test_setup_teardown(test_install_proxy_late_puts_the_gate_in_front,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_proxy_gives_its_buffers_back_first,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_install_unknown_proxy_keeps_wiring, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_inserted_nodes_see_calls_at_every_point,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_user_proxy_node_replaces_the_proxy, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_edge_names_follow_the_wiring, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_error_hits_the_named_abi_once, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_names_are_a_catalogue, setup_default,
						teardown),
		cmocka_unit_test(test_allocation_failure_rolls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
