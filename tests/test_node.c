/* SPDX-License-Identifier: BSD-3-Clause */
/* Nodes: the one entry point every layer of the emulated stack has (node.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/node.h>

#include "failalloc.h"

struct rec {
	unsigned calls, destroys;
	struct ffaemu_regs *regs_ptr;
	const struct ffaemu_call_ctx *ctx_ptr;
	void *self_seen;
};

static void rec_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct rec *r = self;

	r->calls++;
	r->self_seen = self;
	r->regs_ptr = regs;
	r->ctx_ptr = ctx;
	regs->x[0] = 0x84000061u;
}

static void rec_destroy(void *self)
{
	struct rec *r = self;

	r->destroys++;
}

static const struct ffaemu_node_ops rec_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "rec",
	.call = rec_call,
	.destroy = rec_destroy,
};

static const struct ffaemu_node_ops anon_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = NULL,
	.call = rec_call,
	.destroy = NULL,
};

struct fixture {
	struct rec rec;
	struct ffaemu_node *node;
};

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(ffaemu_node_new(&rec_ops, &fx->rec, NULL, &fx->node), FFAEMU_OK);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	ffaemu_node_free(&fx->node);
	free(fx);
	return 0;
}

static void call_passes_self_regs_and_ctx_through(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_regs regs;
	struct ffaemu_call_ctx ctx = {.caller = 3};

	ffaemu_regs_clear(&regs);
	regs.x[0] = 0x84000063u;
	ffaemu_node_call(fx->node, &regs, &ctx);
	assert_int_equal(fx->rec.calls, 1);
	assert_ptr_equal(fx->rec.self_seen, &fx->rec);
	assert_ptr_equal(fx->rec.regs_ptr, &regs);
	assert_ptr_equal(fx->rec.ctx_ptr, &ctx);
	/* The reply is left in the caller's array; no contract is applied. */
	assert_true(regs.x[0] == 0x84000061u);
	ffaemu_node_call(fx->node, &regs, NULL);
	assert_null(fx->rec.ctx_ptr);
	assert_int_equal(fx->rec.calls, 2);
}

static void name_and_self_accessors(void **state)
{
	struct fixture *fx = *state;
	struct ffaemu_node *anon;

	assert_string_equal(ffaemu_node_name(fx->node), "rec");
	assert_ptr_equal(ffaemu_node_self(fx->node), &fx->rec);
	assert_int_equal(ffaemu_node_new(&anon_ops, NULL, NULL, &anon), FFAEMU_OK);
	/* A node without a name still prints as something. */
	assert_string_equal(ffaemu_node_name(anon), "node");
	assert_null(ffaemu_node_self(anon));
	ffaemu_node_free(&anon);
	assert_string_equal(ffaemu_node_name(NULL), "node");
	assert_null(ffaemu_node_self(NULL));
}

static void free_calls_destroy_once_and_clears_pointer(void **state)
{
	struct fixture *fx = *state;

	ffaemu_node_free(&fx->node);
	assert_null(fx->node);
	assert_int_equal(fx->rec.destroys, 1);
	ffaemu_node_free(&fx->node);
	ffaemu_node_free(NULL);
	assert_int_equal(fx->rec.destroys, 1);
}

static void new_rejects_bad_ops(void **state)
{
	struct ffaemu_node_ops no_call = rec_ops, small = rec_ops;
	struct ffaemu_node *n = (struct ffaemu_node *)(uintptr_t)1;
	(void)state;

	no_call.call = NULL;
	small.size = offsetof(struct ffaemu_node_ops, destroy);
	assert_int_equal(ffaemu_node_new(&rec_ops, NULL, NULL, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_node_new(NULL, NULL, NULL, &n), FFAEMU_EINVAL);
	assert_null(n);
	n = (struct ffaemu_node *)(uintptr_t)1;
	assert_int_equal(ffaemu_node_new(&no_call, NULL, NULL, &n), FFAEMU_EINVAL);
	assert_null(n);
	assert_int_equal(ffaemu_node_new(&small, NULL, NULL, &n), FFAEMU_EINVAL);
	assert_null(n);
}

static void node_uses_the_given_allocator(void **state)
{
	struct failalloc fa;
	struct ffaemu_node *n;
	struct rec rec = {0};
	(void)state;

	failalloc_init(&fa);
	assert_int_equal(ffaemu_node_new(&rec_ops, &rec, failalloc_allocator(&fa), &n), FFAEMU_OK);
	assert_int_equal(fa.allocs, 1);
	ffaemu_node_free(&n);
	assert_int_equal(fa.frees, 1);
	assert_int_equal(rec.destroys, 1);

	failalloc_fail_after(&fa, 0);
	n = (struct ffaemu_node *)(uintptr_t)1;
	assert_int_equal(ffaemu_node_new(&rec_ops, &rec, failalloc_allocator(&fa), &n),
			 FFAEMU_ENOMEM);
	assert_null(n);
	/* No destroy for a node that never existed. */
	assert_int_equal(rec.destroys, 1);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX(call_passes_self_regs_and_ctx_through),
		FX(name_and_self_accessors),
		FX(free_calls_destroy_once_and_clears_pointer),
		cmocka_unit_test(new_rejects_bad_ops),
		cmocka_unit_test(node_uses_the_given_allocator),
	};
	return cmocka_run_group_tests_name("node", tests, NULL, NULL);
}
