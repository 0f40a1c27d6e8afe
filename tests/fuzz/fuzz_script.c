/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 4: scenario scripts (script.h) into the parser, and what parses
 * is run on a fresh stack (proxy chosen from the input's length, so the
 * committed scenarios run under several profiles).
 *
 * Input: the script text, any bytes, not NUL-terminated.
 * Checks: no crash or sanitizer report; a parse error names a line inside
 * the text; the introspection calls agree with a successful parse.
 */
#include "stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffaemu_script *sc = NULL;
	struct ffaemu_script_error err;
	/* An exact-size copy: the parser must not need a NUL after the text. */
	char *text = malloc(size ? size : 1);
	unsigned lines = 1;

	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&err, 0, sizeof(err));
	int rc = ffaemu_script_parse("fuzz.ffa", text, size, NULL, &sc, &err);
	if (rc != 0) {
		FUZZ_CHECK(sc == NULL, "failed parse left a script");
		FUZZ_CHECK(rc != FFAEMU_EPARSE || (err.line >= 1 && err.line <= lines),
			   "error line %u of %u", err.line, lines);
		char buf[600];
		(void)ffaemu_script_error_format(&err, buf, sizeof(buf));
		free(text);
		return 0;
	}
	FUZZ_CHECK(ffaemu_script_title(sc) != NULL, "title");
	(void)ffaemu_script_expect_count(sc);
	(void)ffaemu_script_sets_proxy(sc);

	struct ffaemu_script_run_config cfg;
	struct ffaemu_script_stats st;
	ffaemu_script_run_config_default(&cfg);
	cfg.proxy = stack_proxy_name((unsigned)size);
	if (ffaemu_script_applies(sc, cfg.proxy)) {
		memset(&st, 0, sizeof(st));
		if (ffaemu_script_run(sc, &cfg, &st, &err) == 0)
			FUZZ_CHECK(st.passed + st.failed == st.expectations, "stats %u + %u != %u",
				   st.passed, st.failed, st.expectations);
	}
	ffaemu_script_free(&sc);
	FUZZ_CHECK(sc == NULL, "script_free clears");
	free(text);
	return 0;
}
