/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The installed CMocka helpers (ffa/cmocka.h): each assertion passes on a
 * matching reply and fails on a wrong one. The failing cases run as their
 * own group whose every test must fail; main() checks the count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ffa/cmocka.h>
#include <ffa/conduit.h>
#include <ffa/mem.h>
#include <ffa/node.h>

static struct ffaemu_regs reply(uint32_t fid, uint64_t base)
{
	struct ffaemu_regs r;

	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		r.x[n] = base + n;
	r.x[0] = fid;
	return r;
}

static struct ffaemu_regs error_reply(int32_t code)
{
	struct ffaemu_regs r = reply(FFAEMU_FFA_ERROR, 0);

	r.x[1] = 0;
	/* w2 carries the error; a sign-extended x2 must read the same (spec C2) */
	r.x[2] = (uint64_t)(int64_t)code;
	return r;
}

#define RAM 0x40000000ull

static int mem_setup(void **state)
{
	struct ffaemu_mem *mem;
	struct ffaemu_range r = {RAM + FFAEMU_PAGE_SIZE, 2};

	if (ffaemu_mem_new(NULL, &mem) ||
	    ffaemu_mem_add_ram(mem, RAM, 4 * FFAEMU_PAGE_SIZE, FFAEMU_MEM_NS,
			       ffaemu_owner_make(FFAEMU_OWNER_HOST, 0)) ||
	    ffaemu_mem_share(mem, &r, 1, ffaemu_owner_make(FFAEMU_OWNER_HOST, 0), false) ||
	    ffaemu_mem_borrow(mem, &r, 1))
		return -1;
	*state = mem;
	return 0;
}

static int mem_teardown(void **state)
{
	struct ffaemu_mem *mem = *state;

	ffaemu_mem_free(&mem);
	return 0;
}

/* ---- These must pass ---- */

static void success_passes_for_both_widths_and_given_registers(void **state)
{
	struct ffaemu_regs r = reply(FFAEMU_FFA_SUCCESS, 0x100), want;

	(void)state;
	ffaemu_assert_ffa_success(&r);
	want = r;
	ffaemu_assert_ffa_success_regs(&r, FFAEMU_REG(2) | FFAEMU_REG(17), &want);
	r.x[0] = FFAEMU_FFA_SUCCESS_64;
	ffaemu_assert_ffa_success(&r);
	/* only w0 names the function (spec A1) */
	r.x[0] = 0xffffffff00000000ull | FFAEMU_FFA_SUCCESS;
	ffaemu_assert_ffa_success(&r);
}

static void error_passes_for_the_named_code(void **state)
{
	struct ffaemu_regs r = error_reply(FFAEMU_FFA_DENIED);

	(void)state;
	ffaemu_assert_ffa_error(&r, FFAEMU_FFA_DENIED);
	r.x[2] = (uint32_t)FFAEMU_FFA_DENIED; /* zero-extended form */
	ffaemu_assert_ffa_error(&r, FFAEMU_FFA_DENIED);
}

static void fid_passes_for_the_named_function(void **state)
{
	struct ffaemu_regs r = reply(FFAEMU_FFA_MSG_SEND_DIRECT_RESP2, 0);

	(void)state;
	ffaemu_assert_fid(&r, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
}

static void pages_pass_for_their_state(void **state)
{
	struct ffaemu_mem *mem = *state;
	struct ffaemu_owner host = ffaemu_owner_make(FFAEMU_OWNER_HOST, 0);

	ffaemu_assert_pages(mem, RAM, 1, host, FFAEMU_PAGE_OWNED);
	ffaemu_assert_pages(mem, RAM + FFAEMU_PAGE_SIZE, 2, host, FFAEMU_PAGE_SHARED);
	ffaemu_assert_pages_borrowed(mem, RAM + FFAEMU_PAGE_SIZE, 2, 1);
	ffaemu_assert_pages_borrowed(mem, RAM + 3 * FFAEMU_PAGE_SIZE, 1, 0);
}

/* ---- These must fail ---- */

static void fail_success_on_error(void **state)
{
	struct ffaemu_regs r = error_reply(FFAEMU_FFA_BUSY);

	(void)state;
	ffaemu_assert_ffa_success(&r);
}

static void fail_success_on_a_wrong_register(void **state)
{
	struct ffaemu_regs r = reply(FFAEMU_FFA_SUCCESS, 0x100), want = r;

	(void)state;
	want.x[9] ^= 1;
	ffaemu_assert_ffa_success_regs(&r, FFAEMU_REG(9), &want);
}

static void fail_error_on_another_code(void **state)
{
	struct ffaemu_regs r = error_reply(FFAEMU_FFA_BUSY);

	(void)state;
	ffaemu_assert_ffa_error(&r, FFAEMU_FFA_RETRY);
}

static void fail_error_on_success(void **state)
{
	struct ffaemu_regs r = reply(FFAEMU_FFA_SUCCESS, 0);

	(void)state;
	ffaemu_assert_ffa_error(&r, FFAEMU_FFA_RETRY);
}

static void fail_fid_on_another_function(void **state)
{
	struct ffaemu_regs r = reply(FFAEMU_FFA_MSG_SEND_DIRECT_RESP, 0);

	(void)state;
	ffaemu_assert_fid(&r, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
}

static void fail_pages_on_a_wrong_state(void **state)
{
	/* the second page of the range is SHARED */
	ffaemu_assert_pages((struct ffaemu_mem *)*state, RAM, 2,
			    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0), FFAEMU_PAGE_OWNED);
}

static void fail_pages_on_a_wrong_owner(void **state)
{
	ffaemu_assert_pages((struct ffaemu_mem *)*state, RAM, 1,
			    ffaemu_owner_make(FFAEMU_OWNER_VM, 1), FFAEMU_PAGE_OWNED);
}

static void fail_pages_outside_ram(void **state)
{
	ffaemu_assert_pages((struct ffaemu_mem *)*state, RAM + 3 * FFAEMU_PAGE_SIZE, 2,
			    ffaemu_owner_make(FFAEMU_OWNER_HOST, 0), FFAEMU_PAGE_OWNED);
}

static void fail_pages_on_borrowers(void **state)
{
	ffaemu_assert_pages_borrowed((struct ffaemu_mem *)*state, RAM + FFAEMU_PAGE_SIZE, 2, 0);
}

/* ---- A checker watching a callee that clobbers x8 of SMC32 calls ---- */

struct watched {
	struct ffaemu_node *node;
	struct ffaemu_edge *edge;
	struct ffaemu_check *check;
};

static void clobber_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	(void)self;
	(void)ctx;
	regs->x[0] = FFAEMU_FFA_SUCCESS;
	regs->x[2] = 0;
	regs->x[8] = 0xbad; /* SMCCC 1.2 preserves x8-x17 of SMC32 calls (spec A7) */
}

static const struct ffaemu_node_ops clobber_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "clobber",
	.call = clobber_call,
};

static int check_setup(void **state)
{
	struct watched *w = calloc(1, sizeof(*w));

	if (!w || ffaemu_node_new(&clobber_ops, NULL, NULL, &w->node) ||
	    ffaemu_edge_new(NULL, w->node, &w->edge) || ffaemu_check_new(NULL, &w->check) ||
	    ffaemu_check_attach(w->check, w->edge))
		return -1;
	*state = w;
	return 0;
}

static int check_teardown(void **state)
{
	struct watched *w = *state;

	ffaemu_check_free(&w->check);
	ffaemu_edge_free(&w->edge);
	ffaemu_node_free(&w->node);
	free(w);
	return 0;
}

static void id_get(struct watched *w)
{
	struct ffaemu_regs r;

	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_ID_GET;
	ffaemu_edge_call(w->edge, &r, NULL);
}

static void no_violation_passes_when_nothing_was_called_since_the_mark(void **state)
{
	struct watched *w = *state;
	uint64_t mark;

	id_get(w);
	mark = ffaemu_check_mark(w->check);
	ffaemu_assert_no_violation_since(w->check, mark);
}

static void fail_no_violation_after_a_clobbering_call(void **state)
{
	struct watched *w = *state;
	uint64_t mark = ffaemu_check_mark(w->check);

	id_get(w);
	ffaemu_assert_no_violation_since(w->check, mark);
}

int main(void)
{
	const struct CMUnitTest must_pass[] = {
		cmocka_unit_test(success_passes_for_both_widths_and_given_registers),
		cmocka_unit_test(error_passes_for_the_named_code),
		cmocka_unit_test(fid_passes_for_the_named_function),
		cmocka_unit_test_setup_teardown(pages_pass_for_their_state, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(no_violation_passes_when_nothing_was_called_since_the_mark,
						check_setup, check_teardown),
	};
	const struct CMUnitTest must_fail[] = {
		cmocka_unit_test(fail_success_on_error),
		cmocka_unit_test(fail_success_on_a_wrong_register),
		cmocka_unit_test(fail_error_on_another_code),
		cmocka_unit_test(fail_error_on_success),
		cmocka_unit_test(fail_fid_on_another_function),
		cmocka_unit_test_setup_teardown(fail_pages_on_a_wrong_state, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(fail_pages_on_a_wrong_owner, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(fail_pages_outside_ram, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(fail_pages_on_borrowers, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(fail_no_violation_after_a_clobbering_call, check_setup,
						check_teardown),
	};
	size_t nfail = sizeof(must_fail) / sizeof(must_fail[0]);
	int failed, rc;

	rc = cmocka_run_group_tests_name("cmocka helpers: must pass", must_pass, NULL, NULL);
	printf("# the next group's tests are meant to FAIL: each pins a failing assertion\n");
	failed = cmocka_run_group_tests_name("cmocka helpers: must fail", must_fail, NULL, NULL);
	if ((size_t)failed != nfail) {
		printf("error: %d of %zu must-fail tests failed\n", failed, nfail);
		rc++;
	}
	return rc;
}
