/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plug-ins: a node in a shared object (tests/test_ffi_plugin_so.c), loaded
 * from "PATH:SYMBOL:SHAPE", inserted in the wiring, calling down through
 * the pointer its SYMBOL_init received.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/conduit.h>
#include <ffa/ffi.h>
#include <ffa/node.h>
#include <ffa/smccc.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#include "failalloc.h"

struct recorder {
	unsigned calls;
	struct ffaemu_regs seen;
	struct ffaemu_call_ctx ctx;
	struct ffaemu_regs answered;
};

static void rec_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct recorder *r = self;

	r->calls++;
	r->seen = *regs;
	r->ctx = *ctx;
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		regs->x[n] = 0xe1e1000000000000ull + ((uint64_t)r->calls << 16) + n;
	r->answered = *regs;
}

static const struct ffaemu_node_ops rec_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "el3-recorder",
	.call = rec_call,
};

struct fixture {
	char so[PATH_MAX + 64];
	char spec[PATH_MAX + 128];
	struct recorder rec;
	struct ffaemu_node *rec_node;
	struct ffaemu_edge *down;   /* plug-in -> recorder (EL3 side) */
	struct ffaemu_edge *host;   /* host -> plug-in */
	struct ffaemu_node *plugin;
	struct ffaemu_ffi_adapter *client;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	ssize_t n;
	char *slash;

	if (!f)
		return -1;
	/* the object is built in the same directory as this binary */
	n = readlink("/proc/self/exe", f->so, PATH_MAX);
	if (n <= 0 || n >= PATH_MAX)
		goto fail;
	f->so[n] = '\0';
	slash = strrchr(f->so, '/');
	if (!slash || (size_t)(slash + 1 - f->so) + sizeof("ffi-test-plugin.so") > sizeof(f->so))
		goto fail;
	strcpy(slash + 1, "ffi-test-plugin.so");
	if (ffaemu_node_new(&rec_ops, &f->rec, NULL, &f->rec_node) ||
	    ffaemu_edge_new(NULL, f->rec_node, &f->down))
		goto fail;
	*state = f;
	return 0;
fail:
	ffaemu_node_free(&f->rec_node);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ffaemu_ffi_adapter_free(&f->client);
	ffaemu_edge_free(&f->host);
	ffaemu_node_free(&f->plugin);
	ffaemu_edge_free(&f->down);
	ffaemu_node_free(&f->rec_node);
	free(f);
	return 0;
}

static const char *spec(struct fixture *f, const char *symbol, const char *shape)
{
	snprintf(f->spec, sizeof(f->spec), "plugin:%s:%s:%s", f->so, symbol, shape);
	return f->spec;
}

static void fill(struct ffaemu_regs *r, uint64_t fid)
{
	r->x[0] = fid;
	for (unsigned n = 1; n < FFAEMU_NREGS; n++)
		r->x[n] = 0x0a0b0c0d00000000ull + n * 0x1010;
}

static void a_plugin_is_called_with_its_own_signature(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_regs r, in;

	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "linux-regs"), NULL, &f->plugin),
			 0);
	assert_true(ffaemu_node_is_plugin(f->plugin));
	assert_string_equal(ffaemu_node_name(f->plugin), "echo_proxy");
	fill(&r, FFAEMU_FFA_VERSION);
	in = r;
	ffaemu_node_call(f->plugin, &r, NULL);
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		assert_int_equal(r.x[n], in.x[n] + 0x100);
}

static void a_plugin_proxy_calls_down_through_its_init_pointer(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_plugin_config cfg;
	struct ffaemu_regs r, in;

	ffaemu_plugin_config_default(&cfg);
	cfg.down = f->down;
	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "linux-regs"), &cfg, &f->plugin),
			 0);
	fill(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	in = r;
	ffaemu_node_call(f->plugin, &r, NULL);
	assert_int_equal(f->rec.calls, 1);
	/* the proxy rewrote x1 and forwarded everything else intact */
	assert_int_equal(f->rec.seen.x[1], in.x[1] ^ 0xf);
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		if (n != 1)
			assert_int_equal(f->rec.seen.x[n], in.x[n]);
	/* the downcall comes from EL2 by default */
	assert_int_equal(f->rec.ctx.el, 2);
	for (unsigned n = 0; n < 17; n++)
		assert_int_equal(r.x[n], f->rec.answered.x[n]);
	assert_int_equal(r.x[17], 0xd0d0);
}

static void a_plugin_is_inserted_between_a_client_and_el3(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_call_ctx vm = {.caller = 0x0003, .el = 1, .instance = FFAEMU_INSTANCE_NV};
	struct ffaemu_call_ctx hyp = {.caller = 0, .el = 2, .instance = FFAEMU_INSTANCE_NP};
	struct ffaemu_regs args, res;
	ffaemu_ffi_linux_fn fn;

	/* host edge -> plug-in node -> down edge -> recorder, wired after load */
	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "linux-regs"), NULL, &f->plugin),
			 0);
	assert_int_equal(ffaemu_edge_new(NULL, f->plugin, &f->host), 0);
	assert_int_equal(ffaemu_ffi_adapter_new_str("linux", f->host, &vm, NULL, &f->client), 0);
	fn = FFAEMU_FFI_FN(f->client, ffaemu_ffi_linux_fn);

	fill(&args, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	fn(args, &res);
	/* not yet bound: the proxy's down pointer answers NOT_SUPPORTED (spec A10) */
	assert_int_equal(f->rec.calls, 0);
	assert_int_equal(res.x[0], FFAEMU_SMCCC_UNKNOWN);

	assert_int_equal(ffaemu_plugin_set_down(f->plugin, f->down, &hyp), 0);
	fn(args, &res);
	assert_int_equal(f->rec.calls, 1);
	assert_int_equal(f->rec.ctx.caller, 0);
	assert_int_equal(f->rec.ctx.el, 2);
	assert_int_equal(f->rec.seen.x[2], args.x[2]);
	assert_int_equal(res.x[16], f->rec.answered.x[16]);
	assert_int_equal(res.x[17], 0xd0d0);
}

static void a_down_shape_may_differ_from_the_entry_shape(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_plugin_config cfg;
	struct ffaemu_regs r;

	/* entry "linux-regs"; the plug-in's down pointer declared as the same
	 * layout spelled differently still lines up */
	ffaemu_plugin_config_default(&cfg);
	cfg.down = f->down;
	cfg.down_shape = "void(const struct18* in, struct18* out)";
	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "xen"), &cfg, &f->plugin), 0);
	fill(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
	ffaemu_node_call(f->plugin, &r, NULL);
	assert_int_equal(f->rec.calls, 1);
	cfg.down_shape = "void(banana)";
	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "xen"), &cfg,
					    &(struct ffaemu_node *){NULL}),
			 FFAEMU_EPARSE);
}

static void a_plugin_without_init_cannot_be_bound_down(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_regs r;

	assert_int_equal(ffaemu_plugin_load(spec(f, "plain", "linux-regs"), NULL, &f->plugin), 0);
	assert_int_equal(ffaemu_plugin_set_down(f->plugin, f->down, NULL), FFAEMU_ENOENT);
	assert_int_equal(ffaemu_plugin_set_down(f->rec_node, f->down, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_plugin_set_down(NULL, f->down, NULL), FFAEMU_EINVAL);
	assert_false(ffaemu_node_is_plugin(f->rec_node));
	assert_false(ffaemu_node_is_plugin(NULL));
	fill(&r, 5);
	ffaemu_node_call(f->plugin, &r, NULL);
	assert_int_equal(r.x[0], ~5ull);
}

static void load_failures_leave_nothing_behind(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_node *n = (void *)1;

	assert_int_equal(ffaemu_plugin_load(spec(f, "failing", "linux-regs"), NULL, &n),
			 FFAEMU_EIO);
	assert_null(n);
	assert_int_equal(ffaemu_plugin_load(spec(f, "no_such_symbol", "linux-regs"), NULL, &n),
			 FFAEMU_EIO);
	assert_int_equal(ffaemu_plugin_load("/nonexistent/lib.so:echo_proxy:linux", NULL, &n),
			 FFAEMU_EIO);
	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "void(struct18 in)"), NULL, &n),
			 FFAEMU_EPARSE);
	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "nonsense"), NULL, &n),
			 FFAEMU_EPARSE);
	assert_int_equal(ffaemu_plugin_load("echo_proxy:linux", NULL, &n), FFAEMU_EPARSE);
	assert_int_equal(ffaemu_plugin_load(NULL, NULL, &n), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_plugin_load("a:b:linux", NULL, NULL), FFAEMU_EINVAL);
	assert_null(n);
}

static const struct {
	const char *spec;
	int rc;
	const char *path, *symbol, *shape;
} specs[] = {
	{"./libmyproxy.so:my_handler:linux-regs", 0, "./libmyproxy.so", "my_handler",
	 "linux-regs"},
	{"plugin:./libmyproxy.so:my_handler:linux-regs", 0, "./libmyproxy.so", "my_handler",
	 "linux-regs"},
	{"/opt/c:d/x.so:h:void(struct18* inout)", 0, "/opt/c:d/x.so", "h",
	 "void(struct18* inout)"},
	{"x.so:h:", FFAEMU_EPARSE, NULL, NULL, NULL},
	{"x.so::linux", FFAEMU_EPARSE, NULL, NULL, NULL},
	{":h:linux", FFAEMU_EPARSE, NULL, NULL, NULL},
	{"h:linux", FFAEMU_EPARSE, NULL, NULL, NULL},
	{"linux", FFAEMU_EPARSE, NULL, NULL, NULL},
	{"", FFAEMU_EPARSE, NULL, NULL, NULL},
	{"a-very-long-path-name.so:h:linux", FFAEMU_ERANGE, NULL, NULL, NULL},
};

static void spec_strings_split_from_the_right(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		char path[20], sym[20], shape[32];
		int rc = ffaemu_plugin_parse_spec(specs[i].spec, path, sizeof(path), sym, sizeof(sym),
						  shape, sizeof(shape));

		if (rc != specs[i].rc)
			print_error("'%s': rc %d\n", specs[i].spec, rc);
		assert_int_equal(rc, specs[i].rc);
		if (rc)
			continue;
		assert_string_equal(path, specs[i].path);
		assert_string_equal(sym, specs[i].symbol);
		assert_string_equal(shape, specs[i].shape);
	}
}

static void two_nodes_from_one_object_both_work(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_node *second = NULL;
	struct ffaemu_regs r;

	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "linux-regs"), NULL, &f->plugin),
			 0);
	assert_int_equal(ffaemu_plugin_load(spec(f, "plain", "void(struct18* in, struct18* out)"), NULL, &second), 0);
	fill(&r, 1);
	ffaemu_node_call(second, &r, NULL);
	assert_int_equal(r.x[3], ~(0x0a0b0c0d00000000ull + 3 * 0x1010));
	ffaemu_node_free(&second);
	/* the first still works after the second closed its reference */
	fill(&r, 1);
	ffaemu_node_call(f->plugin, &r, NULL);
	assert_int_equal(r.x[3], 0x0a0b0c0d00000000ull + 3 * 0x1010 + 0x100);
}

static void a_plugin_inserted_in_front_of_el3_relays_a_whole_system(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_system_config cfg;
	struct ffaemu_sp_config sp;
	struct ffaemu_system *sys = NULL;
	struct ffaemu_edge *next = NULL;
	struct ffaemu_regs r;

	ffaemu_system_config_default(&cfg);
	assert_int_equal(ffaemu_system_new(&cfg, &sys), 0);
	assert_int_equal(ffaemu_sp_config_builtin(&sp, FFAEMU_SP_ECHO, 0x8001), 0);
	sp.props |= FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	assert_int_equal(ffaemu_spmc_add_sp(ffaemu_system_spmc(sys), &sp), 0);
	/* negotiate before the plug-in goes in: it answers everything but REQ2 itself */
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_VERSION;
	r.x[1] = FFAEMU_FFA_1_2;
	ffaemu_system_call(sys, &r);
	assert_int_equal(r.x[0], FFAEMU_FFA_1_2);

	assert_int_equal(ffaemu_plugin_load(spec(f, "echo_proxy", "linux-regs"), NULL, &f->plugin),
			 0);
	assert_int_equal(ffaemu_system_insert_node(sys, FFAEMU_SYSTEM_AT_EL3, f->plugin, &next), 0);
	assert_int_equal(ffaemu_plugin_set_down(f->plugin, next, NULL), 0);

	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	r.x[1] = 0x800e; /* the plug-in rewrites it to 0x8001 on the way down */
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		r.x[n] = 0x4200 + n;
	ffaemu_system_call(sys, &r);
	assert_int_equal(r.x[0], FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	assert_int_equal(ffaemu_regs_id_hi(&r, 1), 0x8001);
	for (unsigned n = 4; n < 17; n++)
		assert_int_equal(r.x[n], 0x4200 + n);
	assert_int_equal(r.x[17], 0xd0d0); /* the plug-in's mark on the way up */
	/* the system owns the edge the plug-in calls down through: unbind, then free */
	assert_int_equal(ffaemu_plugin_set_down(f->plugin, NULL, NULL), 0);
	ffaemu_system_free(&sys);
}

static void allocation_failure_at_every_step_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	int ok_at = -1;

	for (int budget = 0; budget < 16 && ok_at < 0; budget++) {
		struct failalloc fa;
		struct ffaemu_plugin_config cfg;
		struct ffaemu_node *n = NULL;
		int rc;

		failalloc_init(&fa);
		failalloc_fail_after(&fa, (unsigned long)budget);
		ffaemu_plugin_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		cfg.down = f->down;
		rc = ffaemu_plugin_load(spec(f, "echo_proxy", "linux-regs"), &cfg, &n);
		if (rc == 0) {
			struct ffaemu_regs r;

			ok_at = budget;
			fill(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
			ffaemu_node_call(n, &r, NULL);
			assert_int_equal(r.x[17], 0xd0d0);
		} else {
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_null(n);
		}
		ffaemu_node_free(&n);
		assert_int_equal(fa.live, 0);
	}
	assert_true(ok_at > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_plugin_is_called_with_its_own_signature, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_plugin_proxy_calls_down_through_its_init_pointer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_plugin_is_inserted_between_a_client_and_el3, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_down_shape_may_differ_from_the_entry_shape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_plugin_without_init_cannot_be_bound_down, setup,
						teardown),
		cmocka_unit_test_setup_teardown(load_failures_leave_nothing_behind, setup, teardown),
		cmocka_unit_test(spec_strings_split_from_the_right),
		cmocka_unit_test_setup_teardown(two_nodes_from_one_object_both_work, setup, teardown),
		cmocka_unit_test_setup_teardown(allocation_failure_at_every_step_leaves_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_plugin_inserted_in_front_of_el3_relays_a_whole_system,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
