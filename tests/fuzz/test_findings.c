/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Findings of the fuzzers and analyzers, each as the smallest test that
 * failed until the owner fixed it; fixed ones stay as regression tests
 * (suite 'fuzz-replay'; an open one makes the test should_fail in suite
 * 'fuzz-findings', tests/fuzz/meson.build). A fixed finding stays here as a regression test; the
 * harnesses' exemptions (stack.h: stack_exempt) name the finding they
 * work around and go away with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ffa/ffa.h>

struct fx {
	struct ffaemu_system *sys;
	struct ffaemu_check *chk;
};

static int setup_none(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ffaemu_system_config cfg;

	assert_non_null(f);
	ffaemu_system_config_default(&cfg);
	cfg.partitions = "conform";
	assert_int_equal(ffaemu_system_new(&cfg, &f->sys), 0);
	assert_int_equal(ffaemu_check_new(NULL, &f->chk), 0);
	assert_int_equal(ffaemu_check_attach(f->chk, ffaemu_system_host_edge(f->sys)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ffaemu_check_free(&f->chk);
	ffaemu_system_free(&f->sys);
	free(f);
	return 0;
}

/*
 * Finding F2 (found by fuzz_stack; fixed in check 7e93629): an SMC32 call
 * whose caller left bits [63:32] set in a register the function does not
 * use gets that register back unchanged (the system's edges pass all 64
 * bits to the callee, spec A8), and the edge reports it as an SMC32 result
 * with its upper half set, so SMCCC-W32-001 blames a callee that wrote
 * nothing. A register a function does not define as a result is preserved
 * (spec A7, SMCCC >= 1.2); only values the callee wrote are results.
 */
static void test_smc32_register_the_callee_left_alone_is_not_an_upper_half_result(void **state)
{
	struct fx *f = *state;
	struct ffaemu_regs r;

	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_SMCCC_VERSION_FID;
	r.x[7] = 0x00020800004a0000ull;
	ffaemu_system_call(f->sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_SMCCC_1_2);
	assert_int_equal(ffaemu_check_rule_hits(f->chk, "SMCCC-W32-001"), 0);

	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_ID_GET;
	r.x[5] = 0xffffffff00000000ull;
	ffaemu_system_call(f->sys, &r);
	assert_int_equal((uint32_t)r.x[0], FFAEMU_FFA_SUCCESS);
	assert_int_equal(ffaemu_check_rule_hits(f->chk, "SMCCC-W32-001"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_smc32_register_the_callee_left_alone_is_not_an_upper_half_result,
			setup_none, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
