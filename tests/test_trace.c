/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracer: golden human and Mermaid output for a nested scenario, JSON Lines
 * round trip and determinism, strict reader errors with line/column, SVG
 * well-formedness, version tracking and replay with register diffs.
 *
 * The scenario: host -> proxy -> spmc, and while the SPMC handles a
 * DIRECT_REQ2 its partition calls back into the SPMC (sp -> spmc), so the
 * recorder sees the innermost call complete first.
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
#include <ffa/conduit.h>
#include <ffa/node.h>
#include <ffa/smccc.h>
#include <ffa/trace.h>

#include "failalloc.h"

/* ---- the stack under trace ---- */

struct stack {
	struct ffaemu_node *proxy_node, *spmc_node, *sp_node;
	struct ffaemu_edge *host_edge, *proxy_edge, *sp_edge;
	bool set_depth;        /* nodes put depth+1 in the ctx of nested calls */
	uint32_t id_get_bias;  /* a "different" SPMC for replay tests */
};

static void proxy_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct stack *s = self;
	struct ffaemu_call_ctx c = *ctx;

	c.instance = FFAEMU_INSTANCE_NP;
	if (s->set_depth)
		c.depth = ctx->depth + 1;
	ffaemu_edge_call(s->proxy_edge, regs, &c);
}

static void answer(struct ffaemu_regs *regs, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	ffaemu_regs_clear(regs);
	regs->x[0] = x0;
	regs->x[1] = x1;
	regs->x[2] = x2;
	regs->x[3] = x3;
}

/* The SPMC and the SP's view of it share one responder. */
static void spmc_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct stack *s = self;
	uint32_t fid = ffaemu_regs_w(regs, 0);

	switch (fid) {
	case FFAEMU_FFA_VERSION:
		answer(regs, FFAEMU_FFA_1_2, 0, 0, 0);
		break;
	case FFAEMU_FFA_ID_GET:
		answer(regs, FFAEMU_FFA_SUCCESS, 0, ctx->caller + s->id_get_bias, 0);
		break;
	case FFAEMU_FFA_PARTITION_INFO_GET:
		answer(regs, FFAEMU_FFA_SUCCESS, 0, 1, 24);
		break;
	case FFAEMU_FFA_RXTX_MAP_64:
		answer(regs, FFAEMU_FFA_SUCCESS, 0, 0, 0);
		break;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2: {
		struct ffaemu_regs sp;
		struct ffaemu_call_ctx c = {.caller = ffaemu_regs_id_lo(regs, 1),
					    .instance = FFAEMU_INSTANCE_SV,
					    .el = 1,
					    .secure = true};
		uint64_t payload = regs->x[4];
		uint32_t ids = ffaemu_regs_w(regs, 1);

		/* The partition asks for its own ID while handling the request. */
		if (s->set_depth)
			c.depth = ctx->depth + 1;
		ffaemu_regs_clear(&sp);
		sp.x[0] = FFAEMU_FFA_ID_GET;
		ffaemu_edge_call(s->sp_edge, &sp, &c);
		ffaemu_regs_clear(regs);
		regs->x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_RESP2;
		regs->x[1] = (ids << 16) | (ids >> 16);
		regs->x[4] = payload + 1;
		break;
	}
	default:
		answer(regs, FFAEMU_FFA_ERROR, 0, (uint32_t)FFAEMU_FFA_NOT_SUPPORTED, 0);
		break;
	}
}

static const struct ffaemu_node_ops proxy_ops = {sizeof(struct ffaemu_node_ops), "proxy",
						 proxy_call, NULL};
static const struct ffaemu_node_ops spmc_ops = {sizeof(struct ffaemu_node_ops), "spmc",
						spmc_call, NULL};

static struct ffaemu_edge *edge(const char *name, struct ffaemu_node *callee)
{
	struct ffaemu_edge_config cfg;
	struct ffaemu_edge *e;

	ffaemu_edge_config_default(&cfg);
	cfg.name = name;
	assert_int_equal(ffaemu_edge_new(&cfg, callee, &e), FFAEMU_OK);
	return e;
}

static void stack_open(struct stack *s, bool set_depth)
{
	memset(s, 0, sizeof(*s));
	s->set_depth = set_depth;
	assert_int_equal(ffaemu_node_new(&proxy_ops, s, NULL, &s->proxy_node), FFAEMU_OK);
	assert_int_equal(ffaemu_node_new(&spmc_ops, s, NULL, &s->spmc_node), FFAEMU_OK);
	assert_int_equal(ffaemu_node_new(&spmc_ops, s, NULL, &s->sp_node), FFAEMU_OK);
	s->host_edge = edge("host->proxy", s->proxy_node);
	s->proxy_edge = edge("proxy->spmc", s->spmc_node);
	s->sp_edge = edge("sp->spmc", s->sp_node);
}

static void stack_close(struct stack *s)
{
	ffaemu_edge_free(&s->host_edge);
	ffaemu_edge_free(&s->proxy_edge);
	ffaemu_edge_free(&s->sp_edge);
	ffaemu_node_free(&s->proxy_node);
	ffaemu_node_free(&s->spmc_node);
	ffaemu_node_free(&s->sp_node);
}

static void host_call(struct stack *s, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
		      uint64_t x4)
{
	struct ffaemu_regs r;
	struct ffaemu_call_ctx c = {.caller = 0, .instance = FFAEMU_INSTANCE_NV, .el = 1};

	ffaemu_regs_clear(&r);
	r.x[0] = x0;
	r.x[1] = x1;
	r.x[2] = x2;
	r.x[3] = x3;
	r.x[4] = x4;
	ffaemu_edge_call(s->host_edge, &r, &c);
}

/* VERSION, ID_GET, DIRECT_REQ2 to SP 0x8001 (with a nested SP call). */
static void scenario(struct stack *s)
{
	host_call(s, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0);
	host_call(s, FFAEMU_FFA_ID_GET, 0, 0, 0, 0);
	host_call(s, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x8001, 0x0123456789abcdefull,
		  0xfedcba9876543210ull, 41);
}

struct fixture {
	struct stack s;
	struct ffaemu_trace *t;
};

static struct ffaemu_trace *new_trace(bool record_entry)
{
	struct ffaemu_trace_config cfg;
	struct ffaemu_trace *t;

	ffaemu_trace_config_default(&cfg);
	cfg.record_entry = record_entry;
	assert_int_equal(ffaemu_trace_new(&cfg, &t), FFAEMU_OK);
	return t;
}

static void attach_all(struct ffaemu_trace *t, struct stack *s)
{
	assert_int_equal(ffaemu_trace_attach(t, s->host_edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(t, s->proxy_edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(t, s->sp_edge), FFAEMU_OK);
}

/* Fixture: the stack with depth-setting nodes, traced on all three edges. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	stack_open(&f->s, true);
	f->t = new_trace(false);
	attach_all(f->t, &f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ffaemu_trace_free(&f->t);
	stack_close(&f->s);
	free(f);
	return 0;
}

/* ---- output capture ---- */

struct membuf {
	char *p;
	size_t len, cap;
};

static int mem_sink(void *user, const char *data, size_t len)
{
	struct membuf *m = user;

	if (m->len + len + 1 > m->cap) {
		size_t cap = (m->len + len + 1) * 2;
		char *np = realloc(m->p, cap);

		if (!np)
			return -1;
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	m->p[m->len] = '\0';
	return 0;
}

static char *render(const struct ffaemu_trace *t, enum ffaemu_trace_format fmt)
{
	struct membuf m = {0};

	assert_int_equal(ffaemu_trace_write(t, fmt, mem_sink, &m), FFAEMU_OK);
	if (!m.p)
		m.p = calloc(1, 1);
	return m.p;
}

/* ---- golden outputs ---- */

static const char golden_human[] =
	"#1 host -> proxy  FFA_VERSION 1.2 => 1.2\n"
	"#0   proxy -> spmc  FFA_VERSION 1.2 => 1.2\n"
	"#3 host -> proxy  FFA_ID_GET => FFA_SUCCESS id=0x0000\n"
	"#2   proxy -> spmc  FFA_ID_GET => FFA_SUCCESS id=0x0000\n"
	"#6 host -> proxy  FFA_MSG_SEND_DIRECT_REQ2 0x0000->0x8001 "
	"uuid=efcdab89-6745-2301-1032-547698badcfe => FFA_MSG_SEND_DIRECT_RESP2 0x8001->0x0000\n"
	"#5   proxy -> spmc  FFA_MSG_SEND_DIRECT_REQ2 0x0000->0x8001 "
	"uuid=efcdab89-6745-2301-1032-547698badcfe => FFA_MSG_SEND_DIRECT_RESP2 0x8001->0x0000\n"
	"#4     sp -> spmc  FFA_ID_GET => FFA_SUCCESS id=0x8001\n";

static const char golden_mermaid[] =
	"sequenceDiagram\n"
	"    participant P0 as host\n"
	"    participant P1 as proxy\n"
	"    participant P2 as spmc\n"
	"    participant P3 as sp\n"
	"    P0->>P1: [1] FFA_VERSION 1.2\n"
	"    P1->>P2: [0] FFA_VERSION 1.2\n"
	"    P2-->>P1: 1.2\n"
	"    P1-->>P0: 1.2\n"
	"    P0->>P1: [3] FFA_ID_GET\n"
	"    P1->>P2: [2] FFA_ID_GET\n"
	"    P2-->>P1: FFA_SUCCESS id=0x0000\n"
	"    P1-->>P0: FFA_SUCCESS id=0x0000\n"
	"    P0->>P1: [6] FFA_MSG_SEND_DIRECT_REQ2 0x0000->0x8001 uuid=efcdab89-6745-2301-1032-547698badcfe\n"
	"    P1->>P2: [5] FFA_MSG_SEND_DIRECT_REQ2 0x0000->0x8001 uuid=efcdab89-6745-2301-1032-547698badcfe\n"
	"    P3->>P2: [4] FFA_ID_GET\n"
	"    P2-->>P3: FFA_SUCCESS id=0x8001\n"
	"    P2-->>P1: FFA_MSG_SEND_DIRECT_RESP2 0x8001->0x0000\n"
	"    P1-->>P0: FFA_MSG_SEND_DIRECT_RESP2 0x8001->0x0000\n";

static void human_format_matches_golden(void **state)
{
	struct fixture *f = *state;
	char *text;

	scenario(&f->s);
	assert_int_equal(ffaemu_trace_count(f->t), 7);
	text = render(f->t, FFAEMU_TRACE_HUMAN);
	if (strcmp(text, golden_human) != 0)
		print_error("got:\n%s", text);
	assert_string_equal(text, golden_human);
	free(text);
}

/* A failed call's reply ends in a cross in Mermaid and is red in the SVG. */
static void failed_replies_are_marked_in_both_diagrams(void **state)
{
	struct fixture *f = *state;
	char *text;

	host_call(&f->s, FFAEMU_FFA_MSG_POLL, 0, 0, 0, 0); /* the SPMC answers NOT_SUPPORTED */
	text = render(f->t, FFAEMU_TRACE_MERMAID);
	assert_non_null(strstr(text, "    P1--xP0: FFA_ERROR(NOT_SUPPORTED)\n"));
	assert_null(strstr(text, "-->>P0: FFA_ERROR"));
	free(text);
	text = render(f->t, FFAEMU_TRACE_SVG);
	assert_non_null(strstr(text, "stroke=\"#b00020\" stroke-dasharray=\"6 3\" marker-end=\"url(#arrow-err)\""));
	free(text);
}

static void mermaid_orders_nested_calls_by_entry(void **state)
{
	struct fixture *f = *state;
	char *text;

	scenario(&f->s);
	text = render(f->t, FFAEMU_TRACE_MERMAID);
	if (strcmp(text, golden_mermaid) != 0)
		print_error("got:\n%s", text);
	assert_string_equal(text, golden_mermaid);
	free(text);
}

static void record_entry_recovers_nesting_when_nodes_leave_depth_zero(void **state)
{
	struct stack s;
	struct ffaemu_trace *t, *flat;
	char *text, *flat_text;
	(void)state;

	stack_open(&s, false);
	t = new_trace(true);
	attach_all(t, &s);
	scenario(&s);
	text = render(t, FFAEMU_TRACE_MERMAID);
	assert_string_equal(text, golden_mermaid);
	free(text);
	text = render(t, FFAEMU_TRACE_HUMAN);
	assert_string_equal(text, golden_human);
	free(text);
	/* Detach restores the original callee: the stack still works untraced. */
	ffaemu_trace_free(&t);
	assert_ptr_equal(ffaemu_edge_callee(s.host_edge), s.proxy_node);
	assert_ptr_equal(ffaemu_edge_callee(s.proxy_edge), s.spmc_node);

	/* Without entry recording and without ctx depth, nesting is lost (flat order). */
	flat = new_trace(false);
	attach_all(flat, &s);
	scenario(&s);
	flat_text = render(flat, FFAEMU_TRACE_MERMAID);
	assert_string_not_equal(flat_text, golden_mermaid);
	free(flat_text);
	ffaemu_trace_free(&flat);
	stack_close(&s);
}

/* ---- JSON Lines ---- */

static void assert_records_equal(const struct ffaemu_trace_record *a,
				 const struct ffaemu_trace_record *b)
{
	assert_int_equal(a->index, b->index);
	assert_string_equal(a->edge, b->edge);
	if (a->callee || b->callee)
		assert_string_equal(a->callee, b->callee);
	assert_int_equal(a->edge_index, b->edge_index);
	assert_int_equal(a->caller, b->caller);
	assert_int_equal(a->instance, b->instance);
	assert_int_equal(a->el, b->el);
	assert_int_equal(a->secure, b->secure);
	assert_int_equal(a->aarch32, b->aarch32);
	assert_int_equal(a->imm, b->imm);
	assert_int_equal(a->conduit, b->conduit);
	assert_int_equal(a->smccc_version, b->smccc_version);
	assert_int_equal(a->ffa_version, b->ffa_version);
	assert_int_equal(a->depth, b->depth);
	assert_memory_equal(&a->in, &b->in, sizeof(a->in));
	assert_memory_equal(&a->out, &b->out, sizeof(a->out));
	assert_int_equal(a->violations, b->violations);
	assert_int_equal(a->preserved_changed, b->preserved_changed);
	assert_int_equal(a->smc32_upper, b->smc32_upper);
	assert_int_equal(a->poisoned, b->poisoned);
}

static void jsonl_round_trip_is_lossless(void **state)
{
	struct fixture *f = *state;
	struct ffaemu_trace *back;
	struct ffaemu_trace_parse_error err;
	char *text, *again;

	scenario(&f->s);
	text = render(f->t, FFAEMU_TRACE_JSONL);
	assert_int_equal(ffaemu_trace_read_jsonl(text, strlen(text), NULL, &back, &err), FFAEMU_OK);
	assert_int_equal(err.line, 0);
	assert_int_equal(ffaemu_trace_count(back), ffaemu_trace_count(f->t));
	for (size_t i = 0; i < ffaemu_trace_count(back); i++)
		assert_records_equal(ffaemu_trace_at(back, i), ffaemu_trace_at(f->t, i));
	again = render(back, FFAEMU_TRACE_JSONL);
	assert_string_equal(again, text);
	free(again);
	free(text);
	ffaemu_trace_free(&back);
}

static void jsonl_line_has_the_documented_schema(void **state)
{
	struct fixture *f = *state;
	char line[2048];
	int n;

	scenario(&f->s);
	n = ffaemu_trace_record_format(ffaemu_trace_at(f->t, 1), FFAEMU_TRACE_JSONL, line,
				       sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	assert_non_null(strstr(line, "{\"type\":\"call\",\"index\":1,\"edge\":\"host->proxy\","
				     "\"callee\":\"proxy\",\"edge_index\":0,\"caller\":0,\"instance\":\"NV\",\"el\":1,"
				     "\"secure\":false,\"aarch32\":false,\"imm\":0,\"conduit\":\"SMC\","
				     "\"smccc\":\"1.2\",\"ffa\":null,\"depth\":0,\"abi\":\"FFA_VERSION\","
				     "\"in\":[\"0x0000000084000063\",\"0x0000000000010002\","));
	assert_non_null(strstr(line, ",\"violations\":0,\"preserved_changed\":0,"
				     "\"smc32_upper\":0,\"poisoned\":0}"));
	/* After negotiation the version in force is recorded. */
	ffaemu_trace_record_format(ffaemu_trace_at(f->t, 3), FFAEMU_TRACE_JSONL, line, sizeof(line));
	assert_non_null(strstr(line, "\"ffa\":\"1.2\""));
	/* snprintf semantics. */
	assert_int_equal(ffaemu_trace_record_format(ffaemu_trace_at(f->t, 1), FFAEMU_TRACE_JSONL,
						    line, 10), n);
	assert_int_equal(strlen(line), 9);
	assert_int_equal(ffaemu_trace_record_format(ffaemu_trace_at(f->t, 0), FFAEMU_TRACE_SVG, line,
						    sizeof(line)), -1);
}

static void live_output_matches_the_recording(void **state)
{
	struct ffaemu_trace_config cfg;
	struct ffaemu_trace *t;
	struct membuf live = {0};
	struct stack s;
	char *after;
	(void)state;

	stack_open(&s, true);
	ffaemu_trace_config_default(&cfg);
	cfg.live_fn = mem_sink;
	cfg.live_user = &live;
	cfg.live_format = FFAEMU_TRACE_JSONL;
	assert_int_equal(ffaemu_trace_new(&cfg, &t), FFAEMU_OK);
	attach_all(t, &s);
	scenario(&s);
	after = render(t, FFAEMU_TRACE_JSONL);
	assert_non_null(live.p);
	assert_string_equal(live.p, after);
	free(after);
	free(live.p);
	ffaemu_trace_free(&t);
	cfg.live_format = FFAEMU_TRACE_SVG; /* not a line format */
	assert_int_equal(ffaemu_trace_new(&cfg, &t), FFAEMU_EINVAL);
	assert_null(t);
	stack_close(&s);
}

static void same_scenario_gives_the_same_bytes(void **state)
{
	struct fixture *f = *state;
	struct stack s2;
	struct ffaemu_trace *t2;
	char *a, *b;

	scenario(&f->s);
	stack_open(&s2, true);
	t2 = new_trace(false);
	attach_all(t2, &s2);
	scenario(&s2);
	for (int fmt = FFAEMU_TRACE_HUMAN; fmt <= FFAEMU_TRACE_SVG; fmt++) {
		a = render(f->t, (enum ffaemu_trace_format)fmt);
		b = render(t2, (enum ffaemu_trace_format)fmt);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	ffaemu_trace_free(&t2);
	stack_close(&s2);
}

/* A valid line to mutate; every key once. */
#define REGS18 "[\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"," \
	       "\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"]"
#define HEAD "{\"type\":\"call\",\"index\":0,\"edge\":\"e\",\"callee\":null,\"edge_index\":0," \
	     "\"caller\":0," \
	     "\"instance\":\"NP\",\"el\":1,\"secure\":false,\"aarch32\":false,\"imm\":0,"      \
	     "\"conduit\":\"SMC\",\"smccc\":\"1.2\",\"ffa\":null,\"depth\":0,\"abi\":null,"
#define TAIL "\"violations\":0,\"preserved_changed\":0,\"smc32_upper\":0,\"poisoned\":0}"
#define GOOD HEAD "\"in\":" REGS18 ",\"out\":" REGS18 "," TAIL

static const struct {
	const char *text;
	size_t line, column;
	const char *msg;
} bad_inputs[] = {
	{"{", 1, 2, "expected a string"},
	{GOOD "\n" "x", 2, 1, "expected '{'"},
	{GOOD "\n\n" GOOD " ,", 3, sizeof(GOOD) + 1, "trailing"},
	{"{\"type\":\"call\"}", 1, 16, "missing key \"index\""},
	{"{\"type\":\"ret\"}", 1, 9, "unknown record type"},
	{"{\"bogus\":1}", 1, 2, "unknown key \"bogus\""},
	{"{\"type\":\"call\",\"type\":\"call\"}", 1, 16, "duplicate key \"type\""},
	{"{\"index\":-1}", 1, 10, "expected an unsigned integer"},
	{"{\"index\":1.5}", 1, 11, "expected an integer"},
	{"{\"index\":18446744073709551616}", 1, 10, "out of range"},
	{"{\"index\":01}", 1, 10, "leading zero"},
	{"{\"caller\":65536}", 1, 11, "out of range"},
	{"{\"el\":4}", 1, 7, "out of range"},
	{"{\"secure\":1}", 1, 11, "expected true or false"},
	{"{\"instance\":\"XX\"}", 1, 13, "unknown instance"},
	{"{\"conduit\":\"SVC2\"}", 1, 12, "unknown conduit"},
	{"{\"smccc\":\"one\"}", 1, 10, "bad version"},
	{"{\"in\":[\"0x0\"]}", 1, 13, "18 registers"},
	{"{\"in\":[\"0xg\"]}", 1, 8, "bad hex digit"},
	{"{\"in\":[\"0x00000000000000000\"]}", 1, 8, "1-16 hex digits"},
	{"{\"edge\":\"a\\qb\"}", 1, 12, "bad escape"},
	{"{\"edge\":\"ab", 1, 12, "unterminated string"},
	{"{\"poisoned\":262144}", 1, 13, "out of range"},
};

static void jsonl_reader_is_strict_with_line_and_column(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		struct ffaemu_trace *t = (struct ffaemu_trace *)&t;
		struct ffaemu_trace_parse_error err;
		int rc = ffaemu_trace_read_jsonl(bad_inputs[i].text, strlen(bad_inputs[i].text), NULL,
						 &t, &err);

		if (rc != FFAEMU_EPARSE || err.line != bad_inputs[i].line ||
		    err.column != bad_inputs[i].column || !strstr(err.message, bad_inputs[i].msg))
			print_error("input %zu: rc %d at %zu:%zu \"%s\"\n", i, rc, err.line,
				    err.column, err.message);
		assert_int_equal(rc, FFAEMU_EPARSE);
		assert_null(t);
		assert_int_equal(err.line, bad_inputs[i].line);
		assert_int_equal(err.column, bad_inputs[i].column);
		assert_non_null(strstr(err.message, bad_inputs[i].msg));
	}
}

static void jsonl_reader_accepts_any_key_order_and_blank_lines(void **state)
{
	static const char text[] = "\n" GOOD "\n  \n"
				   "{\"poisoned\":0,\"smc32_upper\":0,\"preserved_changed\":0,"
				   "\"violations\":0,\"out\":" REGS18 ",\"in\":" REGS18 ","
				   "\"abi\":\"FFA_X\",\"depth\":2,\"ffa\":\"1.1\",\"smccc\":\"1.0\","
				   "\"conduit\":\"HVC\",\"imm\":0,\"aarch32\":true,\"secure\":true,"
				   "\"el\":0,\"instance\":\"SV\",\"caller\":32769,\"edge_index\":7,"
				   "\"edge\":\"sp\\u002d>spmc\",\"callee\":\"spmc\",\"index\":9,"
				   "\"type\":\"call\"}\n";
	struct ffaemu_trace *t;
	const struct ffaemu_trace_record *r;
	(void)state;

	/* Not NUL-terminated: the reader must stop at len. */
	assert_int_equal(ffaemu_trace_read_jsonl(text, sizeof(text) - 1, NULL, &t, NULL), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_count(t), 2);
	r = ffaemu_trace_at(t, 1);
	assert_int_equal(r->index, 9);
	assert_string_equal(r->edge, "sp->spmc");
	assert_string_equal(r->callee, "spmc");
	assert_null(ffaemu_trace_at(t, 0)->callee);
	assert_int_equal(r->caller, 0x8001);
	assert_int_equal(r->instance, FFAEMU_INSTANCE_SV);
	assert_int_equal(r->conduit, FFAEMU_CONDUIT_HVC);
	assert_true(r->secure && r->aarch32);
	assert_int_equal(r->ffa_version, FFAEMU_FFA_1_1);
	assert_int_equal(r->smccc_version, FFAEMU_SMCCC_1_0);
	assert_int_equal(r->depth, 2);
	assert_int_equal(r->edge_index, 7);
	ffaemu_trace_free(&t);
	assert_int_equal(ffaemu_trace_read_jsonl(NULL, 0, NULL, &t, NULL), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_count(t), 0);
	ffaemu_trace_free(&t);
	assert_int_equal(ffaemu_trace_read_jsonl(NULL, 1, NULL, &t, NULL), FFAEMU_EINVAL);
}

static void jsonl_reader_survives_every_single_byte_mutation(void **state)
{
	static const char good[] = GOOD "\n" GOOD;
	static const char subst[] = {'\0', '"', '\\', '{', '}', '[', ']', ',', ':', '0', '9', 'x',
				     'n', '\n', ' ', '-', (char)0xff};
	char buf[sizeof(good)];
	size_t ok = 0;
	(void)state;

	/* Every byte replaced by every delimiter-ish value, and every truncation. */
	for (size_t i = 0; i < sizeof(good) - 1; i++) {
		for (size_t k = 0; k < sizeof(subst); k++) {
			struct ffaemu_trace *t = NULL;
			struct ffaemu_trace_parse_error err;
			int rc;

			memcpy(buf, good, sizeof(good));
			buf[i] = subst[k];
			rc = ffaemu_trace_read_jsonl(buf, sizeof(good) - 1, NULL, &t, &err);
			assert_true(rc == FFAEMU_OK || rc == FFAEMU_EPARSE);
			if (rc == FFAEMU_OK)
				ok++;
			else /* a substituted newline makes a third line */
				assert_true(err.line >= 1 && err.line <= 3 && err.column >= 1);
			ffaemu_trace_free(&t);
		}
		{
			struct ffaemu_trace *t = NULL;
			int rc = ffaemu_trace_read_jsonl(good, i, NULL, &t, NULL);

			assert_true(rc == FFAEMU_OK || rc == FFAEMU_EPARSE);
			ffaemu_trace_free(&t);
		}
	}
	/* Some mutations are harmless (a digit for a digit, a space for a space). */
	assert_true(ok > 0);
}

/* ---- SVG ---- */

/*
 * Minimal XML well-formedness: one root, balanced and properly nested
 * tags, quoted attributes, entity references only from the predefined
 * five, no '<' in text.
 */
static bool xml_well_formed(const char *s, size_t *elements)
{
	char stack[32][32];
	int sp = 0;
	bool root_done = false;

	*elements = 0;
	if (strncmp(s, "<?xml", 5) == 0) {
		s = strstr(s, "?>");
		if (!s)
			return false;
		s += 2;
	}
	while (*s) {
		if (*s == '<') {
			bool closing = s[1] == '/';
			const char *p = s + (closing ? 2 : 1);
			char name[32];
			size_t n = 0;

			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' ||
			       (*p >= '0' && *p <= '9'))
				if (n < sizeof(name) - 1)
					name[n++] = *p++;
				else
					return false;
			name[n] = '\0';
			if (!n)
				return false;
			if (closing) {
				if (*p != '>' || sp == 0 || strcmp(stack[--sp], name) != 0)
					return false;
				if (sp == 0)
					root_done = true;
				s = p + 1;
				continue;
			}
			if (root_done && sp == 0)
				return false; /* a second root */
			/* attributes: name="value" */
			for (;;) {
				while (*p == ' ' || *p == '\n')
					p++;
				if (*p == '>' || (p[0] == '/' && p[1] == '>'))
					break;
				while ((*p >= 'a' && *p <= 'z') || *p == '-' || *p == ':' ||
				       (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
					p++;
				if (*p++ != '=' || *p++ != '"')
					return false;
				while (*p && *p != '"') {
					if (*p == '<')
						return false;
					p++;
				}
				if (*p++ != '"')
					return false;
			}
			(*elements)++;
			if (*p == '/') {
				if (sp == 0)
					root_done = true;
				s = p + 2;
				continue;
			}
			if (sp == 32)
				return false;
			memcpy(stack[sp++], name, n + 1);
			s = p + 1;
			continue;
		}
		if (*s == '&') {
			static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
			bool ok = false;

			for (size_t i = 0; i < 5; i++)
				if (strncmp(s, ents[i], strlen(ents[i])) == 0)
					ok = true;
			if (!ok)
				return false;
		}
		if (sp == 0 && *s != ' ' && *s != '\n')
			return false; /* text outside the root */
		s++;
	}
	return sp == 0 && root_done;
}

static void svg_is_well_formed_and_draws_every_call_and_reply(void **state)
{
	struct fixture *f = *state;
	char *svg;
	size_t elements, lines = 0;

	struct ffaemu_trace_record extra;

	scenario(&f->s);
	/* An edge name with XML specials must be escaped. */
	extra = *ffaemu_trace_at(f->t, 0);
	extra.edge = "a<&\"'>b->c";
	assert_int_equal(ffaemu_trace_append(f->t, &extra), FFAEMU_OK);
	svg = render(f->t, FFAEMU_TRACE_SVG);
	assert_true(xml_well_formed(svg, &elements));
	assert_non_null(strstr(svg, "a&lt;&amp;&quot;&apos;&gt;b"));
	for (const char *p = svg; (p = strstr(p, "<line x1=")) != NULL; p++)
		lines++;
	/* 8 calls and 8 replies, plus one lifeline per participant (host, proxy, spmc, sp, a.., c). */
	assert_int_equal(lines, 16 + 6);
	free(svg);

	/* The checker itself rejects broken documents. */
	assert_false(xml_well_formed("<svg><g></svg></g>", &elements));
	assert_false(xml_well_formed("<svg a=b/>", &elements));
	assert_false(xml_well_formed("<svg>&x;</svg>", &elements));
	assert_true(xml_well_formed("<svg><g a=\"1\"/>t &amp; u</svg>", &elements));
}

/* ---- version tracking ---- */

/*
 * An attachment remembers the names it interned; a rename or a new callee
 * between calls must still show in the next record (names are checked by
 * text, not only by pointer).
 */
static void renamed_edge_and_new_callee_show_in_the_next_record(void **state)
{
	struct fixture *f = *state;
	const struct ffaemu_trace_record *last;
	size_t n;

	host_call(&f->s, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0);
	n = ffaemu_trace_count(f->t);
	last = ffaemu_trace_at(f->t, n - 1);
	assert_string_equal(last->edge, "host->proxy");
	assert_string_equal(last->callee, "proxy");

	/* Two renames in a row: the second may reuse the first's address. */
	assert_int_equal(ffaemu_edge_set_name(f->s.host_edge, "vm1->proxy"), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_set_name(f->s.host_edge, "vm2->proxy"), FFAEMU_OK);
	host_call(&f->s, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0);
	n = ffaemu_trace_count(f->t);
	last = ffaemu_trace_at(f->t, n - 1);
	assert_string_equal(last->edge, "vm2->proxy");

	/* The host edge now leads straight to the SPMC: its name is the callee's. */
	ffaemu_edge_set_callee(f->s.host_edge, f->s.spmc_node);
	host_call(&f->s, FFAEMU_FFA_ID_GET, 0, 0, 0, 0);
	n = ffaemu_trace_count(f->t);
	last = ffaemu_trace_at(f->t, n - 1);
	assert_string_equal(last->edge, "vm2->proxy");
	assert_string_equal(last->callee, "spmc");
}

static void version_is_tracked_per_edge_and_caller(void **state)
{
	struct fixture *f = *state;

	scenario(&f->s);
	/* A VERSION call shows the version before it; later calls the negotiated one. */
	assert_int_equal(ffaemu_trace_at(f->t, 0)->ffa_version, 0);
	assert_int_equal(ffaemu_trace_at(f->t, 1)->ffa_version, 0);
	assert_int_equal(ffaemu_trace_at(f->t, 2)->ffa_version, FFAEMU_FFA_1_2);
	assert_int_equal(ffaemu_trace_at(f->t, 3)->ffa_version, FFAEMU_FFA_1_2);
	/* The SP never negotiated on its edge. */
	assert_string_equal(ffaemu_trace_at(f->t, 4)->edge, "sp->spmc");
	assert_int_equal(ffaemu_trace_at(f->t, 4)->ffa_version, 0);
	assert_int_equal(ffaemu_trace_at(f->t, 4)->caller, 0x8001);
	assert_int_equal(ffaemu_trace_at(f->t, 4)->depth, 2);
}

static void version_request_above_the_callee_negotiates_the_lower(void **state)
{
	struct fixture *f = *state;

	host_call(&f->s, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_3, 0, 0, 0); /* callee is 1.2 */
	host_call(&f->s, FFAEMU_FFA_VERSION, 0x80000000u | FFAEMU_FFA_1_1, 0, 0, 0); /* invalid */
	host_call(&f->s, FFAEMU_FFA_ID_GET, 0, 0, 0, 0);
	host_call(&f->s, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_0, 0, 0, 0); /* after the end: ignored */
	host_call(&f->s, FFAEMU_FFA_ID_GET, 0, 0, 0, 0);
	/* Records on host->proxy are every other one (proxy->spmc completes first). */
	assert_int_equal(ffaemu_trace_at(f->t, 5)->ffa_version, FFAEMU_FFA_1_2);
	assert_int_equal(ffaemu_trace_at(f->t, 9)->ffa_version, FFAEMU_FFA_1_2);
}

static uint32_t fixed_version(void *user, const struct ffaemu_edge_event *ev)
{
	(void)ev;
	return *(uint32_t *)user;
}

static void version_callback_overrides_inference(void **state)
{
	struct stack s;
	struct ffaemu_trace_config cfg;
	struct ffaemu_trace *t;
	uint32_t v = FFAEMU_FFA_1_1;
	(void)state;

	stack_open(&s, true);
	ffaemu_trace_config_default(&cfg);
	cfg.version_fn = fixed_version;
	cfg.version_user = &v;
	assert_int_equal(ffaemu_trace_new(&cfg, &t), FFAEMU_OK);
	attach_all(t, &s);
	scenario(&s);
	for (size_t i = 0; i < ffaemu_trace_count(t); i++)
		assert_int_equal(ffaemu_trace_at(t, i)->ffa_version, FFAEMU_FFA_1_1);
	v = 0; /* unknown: fall back to tracking */
	ffaemu_trace_clear(t);
	scenario(&s);
	assert_int_equal(ffaemu_trace_at(t, 0)->ffa_version, 0);
	assert_int_equal(ffaemu_trace_at(t, 3)->ffa_version, FFAEMU_FFA_1_2);
	ffaemu_trace_free(&t);
	stack_close(&s);
}

/* ---- replay ---- */

struct diffs {
	unsigned calls;
	uint32_t mask;
	char text[512];
};

static void on_diff(void *user, const struct ffaemu_trace_record *rec,
		    const struct ffaemu_regs *actual, uint32_t diff)
{
	struct diffs *d = user;

	d->calls++;
	d->mask |= diff;
	ffaemu_trace_diff_format(rec, actual, diff, d->text, sizeof(d->text));
}

static void replay_into_the_same_stack_matches(void **state)
{
	struct fixture *f = *state;
	struct stack s2;
	struct ffaemu_trace_replay_result res;
	struct diffs d = {0};

	scenario(&f->s);
	stack_open(&s2, true);
	assert_int_equal(ffaemu_trace_replay(f->t, NULL, s2.host_edge, on_diff, &d, &res), FFAEMU_OK);
	assert_int_equal(res.calls, 3); /* only the outermost edge's depth-0 calls are sent */
	assert_int_equal(res.mismatches, 0);
	assert_int_equal(d.calls, 0);
	stack_close(&s2);
}

static void replay_reports_register_differences(void **state)
{
	struct fixture *f = *state;
	struct stack s2;
	struct ffaemu_trace_replay_result res;
	struct diffs d = {0};

	scenario(&f->s);
	stack_open(&s2, true);
	s2.id_get_bias = 5; /* a different SPMC: ID_GET answers 5 */
	assert_int_equal(ffaemu_trace_replay(f->t, "host->proxy", s2.host_edge, on_diff, &d, &res),
			 FFAEMU_OK);
	assert_int_equal(res.calls, 3);
	assert_int_equal(res.mismatches, 1);
	assert_int_equal(res.first_mismatch, 3);
	assert_int_equal(d.mask, FFAEMU_REG(2));
	assert_string_equal(d.text, "#3 host->proxy: FFA_ID_GET\n"
				    "  recorded => FFA_SUCCESS id=0x0000\n"
				    "  replayed => FFA_SUCCESS id=0x0005\n"
				    "  x2: recorded 0x0000000000000000 replayed 0x0000000000000005\n");
	/* An edge name nobody recorded replays nothing. */
	assert_int_equal(ffaemu_trace_replay(f->t, "nope", s2.host_edge, NULL, NULL, &res), FFAEMU_OK);
	assert_int_equal(res.calls, 0);
	assert_int_equal(ffaemu_trace_replay(f->t, NULL, NULL, NULL, NULL, &res), FFAEMU_EINVAL);
	stack_close(&s2);
}

/* ---- TX bytes: recorded with a mem_read callback, written back on replay ---- */

#define TXMEM_BASE 0x80000000ull
#define TXMEM_SIZE 0x4000u

struct txmem {
	uint8_t b[TXMEM_SIZE];
	unsigned writes;
};

static int txmem_read(void *user, uint64_t pa, void *dst, size_t len)
{
	struct txmem *m = user;

	if (pa < TXMEM_BASE || pa - TXMEM_BASE + len > TXMEM_SIZE)
		return FFAEMU_ERANGE;
	memcpy(dst, m->b + (pa - TXMEM_BASE), len);
	return 0;
}

static int txmem_write(void *user, uint64_t pa, const void *src, size_t len)
{
	struct txmem *m = user;

	if (pa < TXMEM_BASE || pa - TXMEM_BASE + len > TXMEM_SIZE)
		return FFAEMU_ERANGE;
	memcpy(m->b + (pa - TXMEM_BASE), src, len);
	m->writes++;
	return 0;
}

static int txmem_refuse(void *user, uint64_t pa, const void *src, size_t len)
{
	(void)user;
	(void)pa;
	(void)src;
	(void)len;
	return FFAEMU_ERANGE;
}

static void tx_bytes_are_recorded_round_tripped_and_replayed(void **state)
{
	struct stack s, s2;
	struct ffaemu_trace_config cfg;
	struct ffaemu_trace *t, *back;
	struct ffaemu_trace_parse_error err;
	struct ffaemu_trace_replay_result res;
	struct txmem *mem = calloc(1, sizeof(*mem)), *target = calloc(1, sizeof(*target));
	const struct ffaemu_trace_record *share = NULL, *dyn = NULL, *fwd = NULL;
	char *text, *again;
	unsigned with_tx = 0;
	(void)state;

	assert_non_null(mem);
	assert_non_null(target);
	for (unsigned i = 0; i < 64; i++)
		mem->b[i] = (uint8_t)(0xa0 + i);
	stack_open(&s, true);
	ffaemu_trace_config_default(&cfg);
	cfg.mem_read = txmem_read;
	cfg.mem_user = mem;
	assert_int_equal(ffaemu_trace_new(&cfg, &t), FFAEMU_OK);
	attach_all(t, &s);
	/* no pair mapped yet: nothing to snapshot */
	host_call(&s, FFAEMU_FFA_MEM_SHARE_64, 48, 48, 0, 0);
	host_call(&s, FFAEMU_FFA_RXTX_MAP_64, TXMEM_BASE, TXMEM_BASE + 0x1000, 1, 0);
	host_call(&s, FFAEMU_FFA_MEM_SHARE_64, 48, 32, 0, 0);   /* 32 bytes in TX */
	host_call(&s, FFAEMU_FFA_MEM_SHARE_64, 48, 48, 0x9000, 1); /* a buffer outside TX */
	for (size_t i = 0; i < ffaemu_trace_count(t); i++) {
		const struct ffaemu_trace_record *r = ffaemu_trace_at(t, i);

		with_tx += r->tx != NULL;
		if (ffaemu_regs_w(&r->in, 0) != FFAEMU_FFA_MEM_SHARE_64 || r->edge_index == 0)
			continue;
		if (r->in.x[3])
			dyn = r;
		else if (strcmp(r->edge, "host->proxy") == 0)
			share = r;
		else
			fwd = r;
	}
	assert_non_null(share);
	assert_non_null(dyn);
	assert_non_null(fwd);
	assert_int_equal(with_tx, 2); /* the share, as the host and as the proxy made it */
	assert_int_equal(share->tx_pa, TXMEM_BASE);
	assert_int_equal(share->tx_len, 32);
	assert_memory_equal(share->tx, mem->b, 32);
	assert_int_equal(fwd->tx_len, 32);
	assert_null(dyn->tx);

	/* JSONL keeps the bytes, and writes the same text again */
	text = render(t, FFAEMU_TRACE_JSONL);
	assert_non_null(strstr(text, ",\"tx\":{\"pa\":\"0x0000000080000000\",\"data\":\"a0a1a2"));
	assert_int_equal(ffaemu_trace_read_jsonl(text, strlen(text), NULL, &back, &err), FFAEMU_OK);
	again = render(back, FFAEMU_TRACE_JSONL);
	assert_string_equal(again, text);
	for (size_t i = 0; i < ffaemu_trace_count(back); i++) {
		const struct ffaemu_trace_record *a = ffaemu_trace_at(back, i), *b = ffaemu_trace_at(t, i);

		assert_int_equal(a->tx_len, b->tx_len);
		if (b->tx)
			assert_memory_equal(a->tx, b->tx, b->tx_len);
	}

	/* the replay puts the bytes back before the call */
	stack_open(&s2, true);
	assert_int_equal(ffaemu_trace_replay_mem(back, "host->proxy", s2.host_edge, txmem_write,
						 target, NULL, NULL, &res),
			 FFAEMU_OK);
	assert_int_equal(res.calls, 4);
	assert_int_equal(target->writes, 1);
	assert_memory_equal(target->b, mem->b, 32);
	assert_int_equal(target->b[32], 0);
	/* a memory that refuses the write stops the replay */
	memset(target, 0, sizeof(*target));
	assert_int_equal(ffaemu_trace_replay_mem(back, "host->proxy", s2.host_edge, txmem_refuse,
						 NULL, NULL, NULL, &res),
			 FFAEMU_EIO);

	free(text);
	free(again);
	ffaemu_trace_free(&back);
	ffaemu_trace_free(&t);
	stack_close(&s2);
	stack_close(&s);
	free(mem);
	free(target);
}

static const struct {
	const char *tx;
	const char *msg;
} bad_tx[] = {
	{"{\"pa\":\"0x1000\"}", "needs \"pa\" and \"data\""},
	{"{\"pa\":\"0x1000\",\"data\":\"abc\"}", "pairs of hex digits"},
	{"{\"pa\":\"0x1000\",\"data\":\"zz\"}", "pairs of hex digits"},
	{"{\"pa\":\"0x1000\",\"data\":\"\"}", "empty TX data"},
	{"{\"pa\":\"0x1000\",\"data\":\"00\",\"len\":1}", "unexpected key"},
	{"{\"pa\":\"0x1000\",\"pa\":\"0x1000\",\"data\":\"00\"}", "unexpected key"},
	{"[]", "expected '{'"},
};

static void jsonl_reader_checks_tx(void **state)
{
	struct fixture *f = *state;
	char *text, *line;

	scenario(&f->s);
	text = render(f->t, FFAEMU_TRACE_JSONL);
	*strchr(text, '\n') = '\0'; /* the first record alone */
	line = malloc(strlen(text) + 256);
	assert_non_null(line);
	for (size_t i = 0; i < sizeof(bad_tx) / sizeof(bad_tx[0]); i++) {
		struct ffaemu_trace *t = NULL;
		struct ffaemu_trace_parse_error err;

		/* splice ,"tx":... before the closing brace */
		snprintf(line, strlen(text) + 256, "%.*s,\"tx\":%s}", (int)(strlen(text) - 1), text,
			 bad_tx[i].tx);
		assert_int_equal(ffaemu_trace_read_jsonl(line, strlen(line), NULL, &t, &err),
				 FFAEMU_EPARSE);
		assert_null(t);
		if (!strstr(err.message, bad_tx[i].msg))
			print_error("tx input %zu: \"%s\"\n", i, err.message);
		assert_non_null(strstr(err.message, bad_tx[i].msg));
	}
	/* and a good one is taken */
	snprintf(line, strlen(text) + 256, "%.*s,\"tx\":{\"data\":\"0aFF\",\"pa\":\"0x2000\"}}",
		 (int)(strlen(text) - 1), text);
	{
		struct ffaemu_trace *t = NULL;
		const struct ffaemu_trace_record *r;

		assert_int_equal(ffaemu_trace_read_jsonl(line, strlen(line), NULL, &t, NULL), FFAEMU_OK);
		r = ffaemu_trace_at(t, 0);
		assert_int_equal(r->tx_len, 2);
		assert_int_equal(r->tx_pa, 0x2000);
		assert_int_equal(r->tx[0], 0x0a);
		assert_int_equal(r->tx[1], 0xff);
		ffaemu_trace_free(&t);
	}
	free(line);
	free(text);
}

/* ---- recorder housekeeping ---- */

static void max_records_counts_drops(void **state)
{
	struct stack s;
	struct ffaemu_trace_config cfg;
	struct ffaemu_trace *t;
	(void)state;

	stack_open(&s, true);
	ffaemu_trace_config_default(&cfg);
	cfg.max_records = 3;
	assert_int_equal(ffaemu_trace_new(&cfg, &t), FFAEMU_OK);
	attach_all(t, &s);
	scenario(&s);
	assert_int_equal(ffaemu_trace_count(t), 3);
	assert_int_equal(ffaemu_trace_dropped(t), 4);
	assert_null(ffaemu_trace_at(t, 3));
	ffaemu_trace_free(&t);
	stack_close(&s);
}

static void attach_twice_and_detach_unknown_are_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ffaemu_trace_attach(f->t, f->s.host_edge), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_trace_detach(f->t, f->s.sp_edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_detach(f->t, f->s.sp_edge), FFAEMU_ENOENT);
	scenario(&f->s);
	assert_int_equal(ffaemu_trace_count(f->t), 6); /* the SP's call is no longer seen */
	assert_int_equal(ffaemu_trace_new(NULL, NULL), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_trace_attach(NULL, f->s.host_edge), FFAEMU_EINVAL);
	ffaemu_trace_free(NULL);
}

static void names_of_instances_and_conduits(void **state)
{
	(void)state;
	assert_string_equal(ffaemu_instance_name(FFAEMU_INSTANCE_NP), "NP");
	assert_string_equal(ffaemu_instance_name(FFAEMU_INSTANCE_SP), "SP");
	assert_null(ffaemu_instance_name((enum ffaemu_instance)9));
	assert_string_equal(ffaemu_conduit_name(FFAEMU_CONDUIT_HVC), "HVC");
	assert_null(ffaemu_conduit_name((enum ffaemu_conduit)9));
}

static void allocation_failure_in_reader_and_writers_is_clean(void **state)
{
	struct fixture *f = *state;
	struct failalloc fa;
	struct ffaemu_trace_config cfg;
	char *text;
	bool completed = false;

	scenario(&f->s);
	text = render(f->t, FFAEMU_TRACE_JSONL);
	failalloc_init(&fa);
	ffaemu_trace_config_default(&cfg);
	cfg.alloc = failalloc_allocator(&fa);
	for (int n = 0; n < 64 && !completed; n++) {
		struct ffaemu_trace *t = NULL;
		struct membuf m = {0};
		int rc;

		failalloc_fail_after(&fa, (unsigned long)n);
		rc = ffaemu_trace_read_jsonl(text, strlen(text), &cfg, &t, NULL);
		if (rc == FFAEMU_OK) {
			/* The diagram writers allocate too. */
			rc = ffaemu_trace_write(t, FFAEMU_TRACE_SVG, mem_sink, &m);
			completed = rc == FFAEMU_OK;
			if (!completed)
				assert_int_equal(rc, FFAEMU_ENOMEM);
		} else {
			assert_int_equal(rc, FFAEMU_ENOMEM);
			assert_null(t);
		}
		failalloc_never(&fa);
		ffaemu_trace_free(&t);
		free(m.p);
	}
	assert_true(completed);
	free(text);
}

/* `test_trace --svg FILE`: write the scenario's SVG for tests/check_svg.py and exit. */
static int write_scenario_svg(const char *path)
{
	struct stack s;
	struct ffaemu_trace *t = NULL;
	FILE *out = fopen(path, "w");
	int rc;

	if (!out)
		return 1;
	stack_open(&s, true);
	if (ffaemu_trace_new(NULL, &t) != FFAEMU_OK) {
		fclose(out);
		return 1;
	}
	ffaemu_trace_attach(t, s.host_edge);
	ffaemu_trace_attach(t, s.proxy_edge);
	ffaemu_trace_attach(t, s.sp_edge);
	scenario(&s);
	rc = ffaemu_trace_write_file(t, FFAEMU_TRACE_SVG, out);
	ffaemu_trace_free(&t);
	stack_close(&s);
	return (fclose(out) == 0 && rc == FFAEMU_OK) ? 0 : 1;
}

static void recorder_out_of_memory_drops_calls_and_counts_them(void **state)
{
	struct failalloc fa;
	(void)state;

	failalloc_init(&fa);
	for (int n = 1; n < 16; n++) {
		struct ffaemu_trace_config cfg;
		struct ffaemu_trace *t = NULL;
		struct stack s;

		stack_open(&s, true);
		ffaemu_trace_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		failalloc_fail_after(&fa, (unsigned long)n);
		if (ffaemu_trace_new(&cfg, &t) == FFAEMU_OK) {
			if (ffaemu_trace_attach(t, s.host_edge) == FFAEMU_OK &&
			    ffaemu_trace_attach(t, s.proxy_edge) == FFAEMU_OK &&
			    ffaemu_trace_attach(t, s.sp_edge) == FFAEMU_OK) {
				scenario(&s); /* the stack itself must not notice */
				assert_int_equal(ffaemu_trace_count(t) + ffaemu_trace_dropped(t), 7);
			}
		}
		failalloc_never(&fa);
		ffaemu_trace_free(&t);
		stack_close(&s);
	}
}

int main(int argc, char **argv)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(human_format_matches_golden),
		T(mermaid_orders_nested_calls_by_entry),
		cmocka_unit_test(record_entry_recovers_nesting_when_nodes_leave_depth_zero),
		T(jsonl_round_trip_is_lossless),
		T(jsonl_line_has_the_documented_schema),
		T(same_scenario_gives_the_same_bytes),
		cmocka_unit_test(live_output_matches_the_recording),
		cmocka_unit_test(jsonl_reader_is_strict_with_line_and_column),
		cmocka_unit_test(jsonl_reader_accepts_any_key_order_and_blank_lines),
		cmocka_unit_test(jsonl_reader_survives_every_single_byte_mutation),
		T(svg_is_well_formed_and_draws_every_call_and_reply),
		T(renamed_edge_and_new_callee_show_in_the_next_record),
		T(version_is_tracked_per_edge_and_caller),
		T(version_request_above_the_callee_negotiates_the_lower),
		cmocka_unit_test(version_callback_overrides_inference),
		T(replay_into_the_same_stack_matches),
		T(replay_reports_register_differences),
		cmocka_unit_test(tx_bytes_are_recorded_round_tripped_and_replayed),
		T(jsonl_reader_checks_tx),
		T(failed_replies_are_marked_in_both_diagrams),
		cmocka_unit_test(max_records_counts_drops),
		T(attach_twice_and_detach_unknown_are_errors),
		cmocka_unit_test(names_of_instances_and_conduits),
		T(allocation_failure_in_reader_and_writers_is_clean),
		cmocka_unit_test(recorder_out_of_memory_drops_calls_and_counts_them),
	};
#undef T
	if (argc == 3 && strcmp(argv[1], "--svg") == 0)
		return write_scenario_svg(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
