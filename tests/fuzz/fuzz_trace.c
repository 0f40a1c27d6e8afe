/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 5: recorded traces (JSON Lines, trace.h) as `ffa-emu trace` and
 * replay read them from a user's file: the strict reader, every writer,
 * the offline checker and a replay into a fresh stack.
 *
 * Input: the JSON Lines text, any bytes, not NUL-terminated.
 * Checks: no crash or sanitizer report; a parse error names a line inside
 * the text; what parses writes back to JSON Lines that reads back to the
 * same records (a fixed point); the checker and the replay run to their
 * end on anything the reader accepted.
 */
#include "stack.h"

struct sink {
	char *buf;
	size_t len, cap;
};

static int sink_write(void *user, const char *data, size_t len)
{
	struct sink *k = user;
	if (k->len + len > k->cap) {
		size_t cap = (k->len + len) * 2;
		char *nb = realloc(k->buf, cap);
		if (!nb)
			return -1;
		k->buf = nb;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, data, len);
	k->len += len;
	return 0;
}

static bool same_record(const struct ffaemu_trace_record *a, const struct ffaemu_trace_record *b)
{
	return a->index == b->index && strcmp(a->edge, b->edge) == 0 &&
	       a->edge_index == b->edge_index && a->caller == b->caller &&
	       a->instance == b->instance && a->el == b->el && a->secure == b->secure &&
	       a->aarch32 == b->aarch32 && a->imm == b->imm && a->conduit == b->conduit &&
	       a->smccc_version == b->smccc_version && a->ffa_version == b->ffa_version &&
	       a->depth == b->depth && memcmp(&a->in, &b->in, sizeof(a->in)) == 0 &&
	       memcmp(&a->out, &b->out, sizeof(a->out)) == 0 && a->violations == b->violations &&
	       a->preserved_changed == b->preserved_changed && a->smc32_upper == b->smc32_upper &&
	       a->poisoned == b->poisoned && a->tx_len == b->tx_len && a->tx_pa == b->tx_pa &&
	       (a->tx_len == 0 || memcmp(a->tx, b->tx, a->tx_len) == 0);
}

static int mem_write(void *user, uint64_t pa, const void *src, size_t len)
{
	return ffaemu_mem_write(ffaemu_system_mem(user), pa, src, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffaemu_trace *t = NULL, *back = NULL;
	struct ffaemu_trace_parse_error err;
	struct sink k = {NULL, 0, 0};
	char *text = malloc(size ? size : 1);
	size_t lines = 1;

	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	int rc = ffaemu_trace_read_jsonl(text, size, NULL, &t, &err);
	if (rc != 0) {
		FUZZ_CHECK(t == NULL, "failed read left a trace");
		FUZZ_CHECK(rc != FFAEMU_EPARSE || (err.line >= 1 && err.line <= lines),
			   "error line %zu of %zu", err.line, lines);
		free(text);
		return 0;
	}

	/* Every writer; the JSON Lines must read back to the same records. */
	static const enum ffaemu_trace_format fmts[] = {FFAEMU_TRACE_HUMAN, FFAEMU_TRACE_MERMAID,
							FFAEMU_TRACE_SVG, FFAEMU_TRACE_JSONL};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		k.len = 0;
		FUZZ_CHECK(ffaemu_trace_write(t, fmts[i], sink_write, &k) == 0, "write %d",
			   (int)fmts[i]);
	}
	rc = ffaemu_trace_read_jsonl(k.buf, k.len, NULL, &back, &err);
	FUZZ_CHECK(rc == 0, "written JSONL does not read back: line %zu col %zu: %s", err.line,
		   err.column, err.message);
	FUZZ_CHECK(ffaemu_trace_count(back) == ffaemu_trace_count(t), "count %zu != %zu",
		   ffaemu_trace_count(back), ffaemu_trace_count(t));
	for (size_t i = 0; i < ffaemu_trace_count(t); i++)
		FUZZ_CHECK(same_record(ffaemu_trace_at(t, i), ffaemu_trace_at(back, i)),
			   "record %zu changed in a write/read round trip", i);
	ffaemu_trace_free(&back);

	/* The offline checker over whatever was accepted. */
	struct ffaemu_check *chk = NULL;
	FUZZ_CHECK(ffaemu_check_new(NULL, &chk) == 0, "check_new");
	(void)ffaemu_check_trace(chk, t);
	for (size_t i = 0; i < ffaemu_check_stored(chk); i++) {
		char buf[512];
		(void)ffaemu_check_violation_format(ffaemu_check_violation_at(chk, i), buf,
						    sizeof(buf));
	}
	ffaemu_check_free(&chk);

	/* Replay the outermost calls into a fresh stack (bounded: a trace may be long). */
	if (ffaemu_trace_count(t) <= 256) {
		struct stack s;
		struct ffaemu_trace_replay_result res;
		FUZZ_CHECK(stack_new(&s, (unsigned)(size % 7), 0, NULL, false) == 0, "stack_new");
		/* With the recorded TX bytes written back first, as ffa-emu replays. */
		(void)ffaemu_trace_replay_mem(t, NULL, ffaemu_system_host_edge(s.sys), mem_write, s.sys,
					      NULL, NULL, &res);
		char why[256];
		FUZZ_CHECK(ffaemu_mem_check(ffaemu_system_mem(s.sys), why, sizeof(why)) == 0,
			   "page map after replay: %s", why);
		stack_free(&s);
	}
	ffaemu_trace_free(&t);
	free(k.buf);
	free(text);
	return 0;
}
