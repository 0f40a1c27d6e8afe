/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario scripts (script.h): every syntax error names file:line:column,
 * the parser survives arbitrary bytes, and the interpreter evaluates
 * calls, expectations, variables, descriptors and conditions as
 * doc/ffa-emu-script.5 describes.
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
#include <ffa/script.h>
#include <ffa/system.h>

#include "failalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

struct outcomes {
	unsigned n, failed;
	unsigned last_line;
	char last_detail[512];
	struct ffaemu_system *sys;
	unsigned systems, ends;
};

static void report(void *user, const struct ffaemu_script_outcome *o)
{
	struct outcomes *oc = user;

	oc->n++;
	if (!o->passed) {
		oc->failed++;
		oc->last_line = o->line;
		snprintf(oc->last_detail, sizeof(oc->last_detail), "%s", o->detail);
	}
}

static void on_sys(void *user, struct ffaemu_system *sys)
{
	struct outcomes *oc = user;

	oc->sys = sys;
	oc->systems++;
}

static void on_end(void *user, struct ffaemu_system *sys)
{
	struct outcomes *oc = user;

	(void)sys;
	oc->ends++;
}

static int parse(const char *text, struct ffaemu_script **sc, struct ffaemu_script_error *err)
{
	return ffaemu_script_parse("t.ffa", text, strlen(text), NULL, sc, err);
}

/* Parse and run text with proxy; returns the run's status. */
static int run_text(const char *text, const char *proxy, struct ffaemu_script_stats *st,
		    struct outcomes *oc, struct ffaemu_script_error *err)
{
	struct ffaemu_script_run_config cfg;
	struct ffaemu_script *sc = NULL;
	int rc;

	memset(st, 0, sizeof(*st)); /* defined even when the text does not parse */
	rc = parse(text, &sc, err);
	if (rc) {
		char buf[400];

		ffaemu_script_error_format(err, buf, sizeof(buf));
		print_message("unexpected parse error: %s\n", buf);
		return rc;
	}
	ffaemu_script_run_config_default(&cfg);
	cfg.proxy = proxy;
	cfg.report = report;
	cfg.on_system = on_sys;
	cfg.on_system_end = on_end;
	cfg.user = oc;
	rc = ffaemu_script_run(sc, &cfg, st, err);
	ffaemu_script_free(&sc);
	return rc;
}

/* ---- syntax errors: table of (text, line, column, message fragment) ---- */

static const struct {
	const char *text;
	unsigned line, column;
	const char *msg;
} syntax_errors[] = {
	{"frobnicate\n", 1, 1, "unknown statement"},
	{"call FFA_VERSION w1=1.2\n  bogus x\n", 2, 3, "unknown statement"},
	{"call FFA_NO_SUCH_ABI\n", 1, 6, "unknown name"},
	{"call FFA_VERSION w1=\n", 1, 18, "missing value"},
	{"call FFA_VERSION q1=3\n", 1, 18, "register assignment"},
	{"call FFA_VERSION x18=3\n", 1, 18, "register assignment"},
	{"call FFA_VERSION w1=0x\n", 1, 21, "hex digits"},
	{"call FFA_VERSION w1=0x12345678123456789\n", 1, 39, "wider than 64"},
	{"call FFA_VERSION w1=(1+2\n", 1, 25, "missing ')'"},
	{"call FFA_VERSION w1=1+\n", 1, 23, "missing value"},
	{"call FFA_VERSION w1=foo(1)\n", 1, 21, "unknown function"},
	{"call FFA_VERSION w1=$\n", 1, 22, "variable name"},
	{"call FFA_VERSION w1=lo(1,2)\n", 1, 26, "too many arguments"},
	{"expect\n", 1, 7, "needs 1 argument"},
	{"call FFA_ID_GET\nexpect FFA_SUCCESS w2\n", 2, 20, "after the register name"},
	{"call FFA_ID_GET\nexpect FFA_SUCCESS w2=1/\n", 2, 25, "missing value"},
	{"call FFA_ID_GET\nexpect FFA_SUCCESS w2->9x\n", 2, 20, "invalid variable"},
	{"call FFA_ID_GET\nexpect error\n", 2, 8, "needs a value"},
	{"call FFA_ID_GET\nexpect mem 0x1000 u24=1\n", 2, 19, "u32"},
	{"page-size 8k\n", 1, 11, "4k, 16k or 64k"},
	{"proxy\n", 1, 6, "needs 1 argument"},
	{"proxy a b\n", 1, 9, "unexpected 'b'"},
	{"if proxy none\ncall FFA_ID_GET\n", 1, 1, "without 'end'"},
	{"end\n", 1, 1, "without 'if'"},
	{"else\n", 1, 1, "without 'if'"},
	{"if proxy none\nelse\nelse\nend\n", 3, 1, "after 'else'"},
	{"if colour blue\nend\n", 1, 4, "unknown condition"},
	{"if proxy\nend\n", 1, 4, "needs a value"},
	{"if\nend\n", 1, 3, "needs a condition"},
	{"desc share pages 0x1000+1\n", 1, 6, "at least one 'to"},
	{"desc borrow to 1 rw pages 0x1000+1\n", 1, 6, "share, lend or donate"},
	{"desc share to 0x8001 rw pages 0x1000\n", 1, 31, "BASE+COUNT"},
	{"desc share to 0x8001 rw colour 3\n", 1, 25, "unknown desc option"},
	{"desc share to\n", 1, 12, "needs an endpoint"},
	{"write 0x1000 u32\n", 1, 6, "needs 3 arguments"},
	{"write 0x1000 u32 1 u8\n", 1, 20, "TYPE VALUE pairs"},
	{"write 0x1000 u12 5\n", 1, 14, "u8, u16"},
	{"capture h = x99\n", 1, 13, "capture needs a register"},
	{"capture 9h = w2\n", 1, 9, "invalid variable"},
	{"set x\n", 1, 5, "missing value"},
	{"fault error colour=3\n", 1, 13, "abi="},
	{"frag 0 16 to 0x1000\n", 1, 11, "expected 'at ADDRESS'"},
	{"call FFA_ID_GET \"unterminated\n", 1, 17, "unterminated string"},
	{"call FFA_ID_GET\x01\n", 1, 16, "invalid byte"},
	{"call FFA_ID_GET w1=\xff\n", 1, 20, "invalid byte"},
	{"applies colour red\n", 1, 9, "applies proxy"},
	{"reset now\n", 1, 7, "unexpected"},
};

static void test_syntax_errors_name_file_line_column(void **state)
{
	unsigned bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(syntax_errors); i++) {
		struct ffaemu_script *sc = NULL;
		struct ffaemu_script_error err;
		char buf[400];
		int rc = parse(syntax_errors[i].text, &sc, &err);

		ffaemu_script_error_format(&err, buf, sizeof(buf));
		if (rc != FFAEMU_EPARSE || sc || strcmp(err.file, "t.ffa") ||
		    err.line != syntax_errors[i].line || err.column != syntax_errors[i].column ||
		    !strstr(err.message, syntax_errors[i].msg) || !strstr(buf, "t.ffa:")) {
			print_message("case %zu: got rc %d \"%s\", want %u:%u \"%s\"\n", i, rc, buf,
				      syntax_errors[i].line, syntax_errors[i].column,
				      syntax_errors[i].msg);
			bad++;
		}
		ffaemu_script_free(&sc);
	}
	assert_int_equal(bad, 0);
}

static void test_error_format_is_file_line_column_message(void **state)
{
	struct ffaemu_script_error err;
	char buf[128];

	(void)state;
	memset(&err, 0, sizeof(err));
	snprintf(err.file, sizeof(err.file), "a.ffa");
	err.line = 3;
	err.column = 7;
	snprintf(err.message, sizeof(err.message), "boom");
	ffaemu_script_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "a.ffa:3:7: boom");
}

static void test_valid_script_parses_with_counts(void **state)
{
	static const char text[] =
		"# comment\n"
		"title My \"suite\"\n"
		"applies proxy none pkvm-6.1*\n"
		"proxy none\n"
		"\n"
		"call FFA_VERSION w1=1.2   # trailing comment\n"
		"expect version 1.2 rest=0\n"
		"if proxy pkvm-*\n"
		"  expect any\n"
		"elif not spmc default\n"
		"  expect ret -1\n"
		"else\n"
		"  expect x0=0x10002/0xffff0000 w1=* x2!=1 x3->v\n"
		"end\n"
		"expect mem $ram u32=0 u8=* u16=0/0xff\n";
	struct ffaemu_script *sc = NULL;
	struct ffaemu_script_error err;

	(void)state;
	assert_int_equal(parse(text, &sc, &err), 0);
	assert_string_equal(ffaemu_script_title(sc), "My \"suite\"");
	assert_int_equal(ffaemu_script_expect_count(sc), 5);
	assert_true(ffaemu_script_sets_proxy(sc));
	assert_true(ffaemu_script_applies(sc, "none"));
	assert_true(ffaemu_script_applies(sc, "pkvm-6.11"));
	assert_false(ffaemu_script_applies(sc, "pkvm-6.4"));
	ffaemu_script_free(&sc);
	assert_null(sc);
	ffaemu_script_free(NULL);
}

/* "applies proxy PATTERN" against proxy names: '*' globs, one comma list. */
static void test_applies_globs_match_like_the_shell(void **state)
{
	static const struct {
		const char *pat, *name;
		bool match;
	} rows[] = {
		{"pkvm-6.1*", "pkvm-6.11", true},
		{"pkvm-6.1*", "pkvm-6.1", true},
		{"pkvm-6.1*", "pkvm-6.4", false},
		{"*", "none", true},
		{"*-*", "pkvm-2026", true},
		{"*-*", "none", false},
		{"p*m-2*6", "pkvm-2026", true},
		{"p*m-2*6", "pkvm-2026-direct-msg", false},
		{"*msg", "pkvm-2026-direct-msg", true},
		{"pkvm-20*2*", "pkvm-2026", true},
		{"a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
		{"a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"none,pkvm-6.*", "pkvm-6.18", true},
		{"none,pkvm-6.*", "pkvm-2026", false},
		{"none", "non", false},
		{"non", "none", false},
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ffaemu_script *sc = NULL;
		struct ffaemu_script_error err;

		snprintf(text, sizeof(text), "applies proxy %s\n", rows[i].pat);
		assert_int_equal(parse(text, &sc, &err), 0);
		if (ffaemu_script_applies(sc, rows[i].name) != rows[i].match)
			fail_msg("row %zu: '%s' vs '%s'", i, rows[i].pat, rows[i].name);
		ffaemu_script_free(&sc);
	}
}

/*
 * A fuzzing finding: a pattern of many '*' that does not match took
 * exponential time. Now each mismatch costs at most |pattern| x |name|
 * steps, so this answers at once (meson's test timeout would stop a
 * regression).
 */
static void test_applies_glob_of_many_stars_answers_at_once(void **state)
{
	char text[256];
	struct ffaemu_script *sc = NULL;
	struct ffaemu_script_error err;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "applies proxy pkvm-20");
	for (int i = 0; i < 120; i++)
		text[n++] = '*';
	snprintf(text + n, sizeof(text) - (size_t)n, "25*\n");
	assert_int_equal(parse(text, &sc, &err), 0);
	assert_false(ffaemu_script_applies(sc, "pkvm-2026-direct-msg"));
	assert_true(ffaemu_script_applies(sc, "pkvm-2025"));
	ffaemu_script_free(&sc);
}

static void test_script_without_applies_applies_everywhere(void **state)
{
	struct ffaemu_script *sc = NULL;
	struct ffaemu_script_error err;

	(void)state;
	assert_int_equal(parse("call FFA_ID_GET\n", &sc, &err), 0);
	assert_true(ffaemu_script_applies(sc, "anything"));
	assert_true(ffaemu_script_applies(sc, NULL));
	assert_false(ffaemu_script_sets_proxy(sc));
	assert_string_equal(ffaemu_script_title(sc), "t.ffa");
	ffaemu_script_free(&sc);
}

static void test_parse_rejects_bad_arguments(void **state)
{
	struct ffaemu_script *sc = NULL;

	(void)state;
	assert_int_equal(ffaemu_script_parse("x", NULL, 5, NULL, &sc, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_script_parse("x", "", 0, NULL, NULL, NULL), FFAEMU_EINVAL);
	/* an empty script is valid and does nothing */
	assert_int_equal(ffaemu_script_parse(NULL, "", 0, NULL, &sc, NULL), 0);
	assert_int_equal(ffaemu_script_run(sc, NULL, NULL, NULL), 0);
	ffaemu_script_free(&sc);
	assert_int_equal(ffaemu_script_run(NULL, NULL, NULL, NULL), FFAEMU_EINVAL);
}

static void test_parser_reads_no_further_than_len(void **state)
{
	/* "call FFA_ID_GET" followed by garbage that is outside len */
	static const char text[] = "call FFA_ID_GET\x01\x02 more";
	struct ffaemu_script *sc = NULL;

	(void)state;
	assert_int_equal(ffaemu_script_parse("t", text, 15, NULL, &sc, NULL), 0);
	ffaemu_script_free(&sc);
}

/* Deterministic garbage: no crash, no leak, either a script or a located error. */
static void test_parser_survives_arbitrary_bytes(void **state)
{
	static const char *const words[] = {
		"call ", "expect ", "FFA_VERSION", " w1=", "0x", "$x", "(", ")", "if proxy ",
		"end\n", "else\n", "desc share to 1 rw pages ", "+", "\n", "#", "\"", "=", "/",
		"*", "->", "mem ", "u32=", "reset\n", "capture h=handle(w2)\n", "1.2", "-", "lo(",
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	char buf[512];

	(void)state;
	for (unsigned iter = 0; iter < 4000; iter++) {
		struct ffaemu_script *sc = NULL;
		struct ffaemu_script_error err;
		size_t n = 0;
		int rc;

		while (n < sizeof(buf) - 32) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			if ((seed >> 60) < 4) {
				buf[n++] = (char)(seed >> 24);
			} else {
				const char *w = words[(seed >> 33) % ARRAY_SIZE(words)];
				size_t l = strlen(w);

				memcpy(buf + n, w, l);
				n += l;
			}
			if (((seed >> 40) & 0x3f) == 0)
				break;
		}
		rc = ffaemu_script_parse("fuzz", buf, n, NULL, &sc, &err);
		if (rc == 0) {
			/* whatever parsed must also run without crashing */
			struct ffaemu_script_stats st;

			(void)ffaemu_script_run(sc, NULL, &st, &err);
			ffaemu_script_free(&sc);
		} else {
			assert_int_equal(rc, FFAEMU_EPARSE);
			assert_true(err.line >= 1);
			assert_true(err.column >= 1);
			assert_true(err.message[0] != 0);
		}
	}
}

/* ---- running ---- */

static void test_expectations_count_pass_and_fail(void **state)
{
	static const char text[] =
		"call FFA_VERSION w1=1.2\n"
		"expect version 1.2 rest=0\n"   /* pass */
		"expect version 1.1\n"          /* fail */
		"call FFA_ID_GET\n"
		"expect FFA_SUCCESS w2=0\n"     /* pass */
		"expect error DENIED\n"         /* fail */
		"expect any x2=0\n";            /* pass */
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.expectations, 5);
	assert_int_equal(st.passed, 3);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.calls, 2);
	assert_int_equal(oc.n, 5);
	assert_int_equal(oc.failed, 2);
	/* the failure report names the line and shows expected and actual */
	assert_int_equal(oc.last_line, 6);
	assert_non_null(strstr(oc.last_detail, "expected FFA_ERROR"));
	assert_non_null(strstr(oc.last_detail, "got x0=0x84000061"));
	assert_int_equal(oc.systems, 1);
	assert_int_equal(oc.ends, 1);
}

static void test_patterns_mask_wildcard_negation_and_rest(void **state)
{
	static const char text[] =
		"call FFA_VERSION w1=1.2\n"
		"expect x0=0x10000/0xffff0000\n"      /* pass: major 1 */
		"expect x0=0x20000/0xffff0000\n"      /* fail */
		"expect x0!=FFA_SUCCESS x1=*\n"       /* pass */
		"expect x0!=0x10002\n"                /* fail */
		"call FFA_ID_GET x8=0x55\n"
		"expect FFA_SUCCESS rest=0\n"         /* fail: x8 kept */
		"expect FFA_SUCCESS x8=0x55 rest=0\n"; /* pass */
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.passed, 3);
	assert_int_equal(st.failed, 3);
}

static void test_capture_and_variables_flow_into_calls(void **state)
{
	static const char text[] =
		"set base = 0x80000000\n"
		"set rxa = $base+0x1000\n"
		"call FFA_VERSION w1=1.2\n"
		"capture v = w0\n"
		"call FFA_RXTX_MAP_64 x1=$base x2=$rxa w3=1\n"
		"expect FFA_SUCCESS\n"
		"call FFA_VERSION w1=$v\n"
		"expect version 1.2\n"
		"expect any x0->again\n"
		"set same = $again-$v\n"
		"call FFA_FEATURES w1=FFA_RXTX_MAP_64+$same\n"
		"expect FFA_SUCCESS\n"
		"call FFA_RXTX_UNMAP w1=ids(0,0)\n"
		"expect FFA_SUCCESS\n"
		"set h = 0x1122334455667788\n"
		"call FFA_MEM_RECLAIM w1=lo($h) w2=hi($h)\n"
		"expect error INVALID_PARAMETERS\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.passed, 6);
}

static void test_if_chooses_one_branch_per_proxy(void **state)
{
	static const char text[] =
		"call FFA_ID_GET\n"
		"if proxy none\n"
		"  expect FFA_SUCCESS\n"
		"elif proxy pkvm-6.1*,pkvm-2026\n"
		"  expect error INVALID_PARAMETERS\n"
		"  if not page-size 4k\n"
		"    expect any\n"
		"  end\n"
		"else\n"
		"  expect FFA_SUCCESS\n"
		"end\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.expectations, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.skipped, 3);
	memset(&oc, 0, sizeof(oc));
	/* pKVM 2026 gates calls before FFA_VERSION (pkvm-proxy 1.6) */
	assert_int_equal(run_text(text, "pkvm-2026", &st, &oc, &err), 0);
	assert_int_equal(st.expectations, 1);
	assert_int_equal(st.failed, 0);
}

static void test_desc_builds_v12_share_descriptor_in_tx(void **state)
{
	static const char text[] =
		"call FFA_VERSION w1=1.2\n"
		"call FFA_RXTX_MAP_64 x1=0x80000000 x2=0x80001000 w3=1\n"
		"desc share tag 7 to 0x8001 rw to 0x8002 ro pages 0x80010000+2 0x80020000+1\n"
		"expect mem $tx u16=0 u16=0x2f u32=0 u64=0 u64=7 u32=32 u32=2 u32=48\n"
		"expect mem $tx+48 u16=0x8001 u8=2 u8=0 u32=112\n"
		"expect mem $tx+80 u16=0x8002 u8=1 u8=0 u32=112\n"
		"expect mem $tx+112 u32=3 u32=2 u64=0 u64=0x80010000 u32=2 u32=0\n"
		"expect mem $tx+144 u64=0x80020000 u32=1\n"
		"set want = 160\n"
		"set diff = $desc_len-$want\n"
		"write $rx u32 $diff\n"
		"expect mem $rx u32=0\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	if (st.failed)
		print_message("%s\n", oc.last_detail);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.passed, 6);
}

static void test_desc_v10_layout_and_frag_copies_slices(void **state)
{
	static const char text[] =
		"desc lend version 1.0 to 0x8003 rw at 0x80002000 pages 0x80030000+1\n"
		/* v1.0: 32-byte header, EMAD at 32, composite at 48 */
		"expect mem 0x80002000 u16=0 u8=0 u8=0 u32=0 u64=0 u64=0 u32=0 u32=1\n"
		"expect mem 0x80002020 u16=0x8003 u8=2 u8=0 u32=48\n"
		"expect mem 0x80002030 u32=1 u32=1\n"
		"frag 48 16 at 0x80003000\n"
		"expect mem 0x80003000 u32=1 u32=1 u64=0\n"
		"fill 0x80003000 16 0xab\n"
		"expect mem 0x80003000 u64=0xabababababababab\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	if (st.failed)
		print_message("%s\n", oc.last_detail);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.passed, 5);
}

static void test_runtime_errors_name_line_and_column(void **state)
{
	static const struct {
		const char *text;
		unsigned line, column;
		int rc;
	} cases[] = {
		{"expect any\n", 1, 1, FFAEMU_EPERM},
		{"call FFA_ID_GET w1=$nope\n", 1, 20, FFAEMU_EPARSE},
		{"call FFA_ID_GET\ncall FFA_ID_GET\nproxy none\n", 3, 1, FFAEMU_EPERM},
		{"proxy no-such-proxy\ncall FFA_ID_GET\n", 2, 1, FFAEMU_ENOENT},
		{"desc share to 0x8001 rw pages 0x80010000+1\n", 1, 1, FFAEMU_EPERM},
		{"write 0x10 u32 1\n", 1, 7, FFAEMU_ERANGE},
		{"desc share to 1 rw pages 0x1000+1 nowrite\nfrag 0 4096 at 0x80000000\n", 2, 6,
		 FFAEMU_ERANGE},
		{"install-proxy pkvm-1999\n", 1, 15, FFAEMU_ENOENT},
		{"fault no-such-fault\n", 1, 7, FFAEMU_ENOENT},
		{"call FFA_ID_GET\ncapture x = w2\ncapture y = w9\nset z = $x+$y+$w\n", 4, 15,
		 FFAEMU_EPARSE},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ffaemu_script_stats st;
		struct ffaemu_script_error err;
		struct outcomes oc;
		char buf[400];
		int rc;

		memset(&oc, 0, sizeof(oc));
		rc = run_text(cases[i].text, "none", &st, &oc, &err);
		ffaemu_script_error_format(&err, buf, sizeof(buf));
		print_message("[%zu] %s\n", i, buf);
		assert_int_equal(rc, cases[i].rc);
		assert_string_equal(err.file, "t.ffa");
		assert_int_equal(err.line, cases[i].line);
		assert_int_equal(err.column, cases[i].column);
		/* every stack built was torn down through the end hook */
		assert_int_equal(oc.systems, oc.ends);
	}
}

static void test_reset_gives_a_fresh_stack(void **state)
{
	static const char text[] =
		"call FFA_VERSION w1=1.2\n"
		"call FFA_RXTX_MAP_64 x1=0x80000000 x2=0x80001000 w3=1\n"
		"expect FFA_SUCCESS\n"
		"call FFA_RXTX_MAP_64 x1=0x80000000 x2=0x80001000 w3=1\n"
		"expect error DENIED\n"
		"reset\n"
		"page-size 16k\n"
		"call FFA_VERSION w1=1.2\n"
		"call FFA_RXTX_MAP_64 x1=0x80000000 x2=0x80001000 w3=1\n"
		"expect FFA_SUCCESS\n"
		"if page-size 16k\n"
		"  expect any\n"
		"end\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.passed, 4);
	assert_int_equal(oc.systems, 2);
	assert_int_equal(oc.ends, 2);
}

static void test_install_proxy_rewires_mid_run(void **state)
{
	static const char text[] =
		"call FFA_ID_GET\n"
		"expect FFA_SUCCESS\n"
		"if proxy none\n"
		"  expect any\n"
		"end\n"
		"install-proxy pkvm-2026\n"
		"call FFA_ID_GET\n"
		"expect error INVALID_PARAMETERS\n" /* the gate (pkvm-proxy 1.6) */
		"if proxy pkvm-2026\n"
		"  expect any\n"
		"end\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.passed, 4);
	/* observers are told before the old wiring goes and after the new one */
	assert_int_equal(oc.systems, 2);
	assert_int_equal(oc.ends, 2);
}

static void test_fault_injection_reaches_the_spmc(void **state)
{
	static const char text[] =
		"fault error abi=FFA_ID_GET value=BUSY count=2\n"
		"call FFA_ID_GET\n"
		"expect error BUSY\n"
		"call FFA_ID_GET\n"
		"expect error BUSY\n"
		"call FFA_ID_GET\n"
		"expect FFA_SUCCESS\n";
	struct ffaemu_script_stats st;
	struct ffaemu_script_error err;
	struct outcomes oc;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	assert_int_equal(run_text(text, "none", &st, &oc, &err), 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.passed, 3);
}

static void test_script_is_reusable_and_deterministic(void **state)
{
	static const char text[] = "call FFA_VERSION w1=1.2\nexpect version 1.2\n"
				   "call FFA_ID_GET\nexpect FFA_SUCCESS w2=0\n";
	struct ffaemu_script *sc = NULL;
	struct ffaemu_script_stats a, b;

	(void)state;
	assert_int_equal(parse(text, &sc, NULL), 0);
	assert_int_equal(ffaemu_script_run(sc, NULL, &a, NULL), 0);
	assert_int_equal(ffaemu_script_run(sc, NULL, &b, NULL), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(a.passed, 2);
	ffaemu_script_free(&sc);
}

/* Allocation failures during parse and run fail cleanly (no leak, no crash). */
static void test_allocation_failure_is_clean(void **state)
{
	static const char text[] = "title t\ncall FFA_VERSION w1=1.2\nexpect version 1.2\n"
				   "if proxy none\n  expect any\nend\n";
	unsigned ok = 0;

	(void)state;
	for (unsigned k = 1; k < 200; k++) {
		struct failalloc fa;
		struct ffaemu_script_run_config cfg;
		struct ffaemu_script *sc = NULL;
		struct ffaemu_script_stats st;
		int rc;

		failalloc_init(&fa);
		failalloc_fail_nth(&fa, k);
		rc = ffaemu_script_parse("t", text, strlen(text), failalloc_allocator(&fa), &sc, NULL);

		if (rc) {
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_null(sc);
			continue;
		}
		ffaemu_script_run_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		rc = ffaemu_script_run(sc, &cfg, &st, NULL);
		assert_true(rc == 0 || rc == FFAEMU_ENOMEM);
		if (rc == 0 && st.passed == 2)
			ok++;
		ffaemu_script_free(&sc);
	}
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors_name_file_line_column),
		cmocka_unit_test(test_error_format_is_file_line_column_message),
		cmocka_unit_test(test_valid_script_parses_with_counts),
		cmocka_unit_test(test_applies_globs_match_like_the_shell),
		cmocka_unit_test(test_applies_glob_of_many_stars_answers_at_once),
		cmocka_unit_test(test_script_without_applies_applies_everywhere),
		cmocka_unit_test(test_parse_rejects_bad_arguments),
		cmocka_unit_test(test_parser_reads_no_further_than_len),
		cmocka_unit_test(test_parser_survives_arbitrary_bytes),
		cmocka_unit_test(test_expectations_count_pass_and_fail),
		cmocka_unit_test(test_patterns_mask_wildcard_negation_and_rest),
		cmocka_unit_test(test_capture_and_variables_flow_into_calls),
		cmocka_unit_test(test_if_chooses_one_branch_per_proxy),
		cmocka_unit_test(test_desc_builds_v12_share_descriptor_in_tx),
		cmocka_unit_test(test_desc_v10_layout_and_frag_copies_slices),
		cmocka_unit_test(test_runtime_errors_name_line_and_column),
		cmocka_unit_test(test_reset_gives_a_fresh_stack),
		cmocka_unit_test(test_install_proxy_rewires_mid_run),
		cmocka_unit_test(test_fault_injection_reaches_the_spmc),
		cmocka_unit_test(test_script_is_reusable_and_deterministic),
		cmocka_unit_test(test_allocation_failure_is_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
