/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario-script parser. The language is described in
 * doc/ffa-emu-script.5; this file turns text into a statement list and
 * checks every token's syntax, so that a run never meets a syntax error.
 * The interpreter is in script_run.c.
 *
 * Robustness: the input is arbitrary bytes of a given length. Every line
 * and token is bounded; anything outside printable ASCII (plus tab and CR)
 * outside a comment is an error naming its column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/script.h>

#include "alloc.h"
#include "script_priv.h"

static void set_error(struct ffaemu_script_error *err, const char *file, unsigned line,
		      unsigned col, const char *fmt, ...) SCRIPT_PRINTF(5, 6);

static void set_error(struct ffaemu_script_error *err, const char *file, unsigned line,
		      unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "<script>");
	err->line = line;
	err->column = col;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

int ffaemu_script_error_format(const struct ffaemu_script_error *err, char *buf, size_t len)
{
	if (!err)
		return -1;
	if (err->line)
		return snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line, err->column,
				err->message);
	return snprintf(buf, len, "%s: %s", err->file, err->message);
}

static const struct {
	const char *word;
	enum script_kind kind;
} keywords[] = {
	{"title", ST_TITLE},
	{"applies", ST_APPLIES},
	{"proxy", ST_PROXY},
	{"spmc", ST_SPMC},
	{"partitions", ST_PARTITIONS},
	{"page-size", ST_PAGE_SIZE},
	{"smccc", ST_SMCCC},
	{"ram", ST_RAM},
	{"fault", ST_FAULT},
	{"install-proxy", ST_INSTALL_PROXY},
	{"call", ST_CALL},
	{"expect", ST_EXPECT},
	{"capture", ST_CAPTURE},
	{"set", ST_SET},
	{"write", ST_WRITE},
	{"fill", ST_FILL},
	{"desc", ST_DESC},
	{"frag", ST_FRAG},
	{"if", ST_IF},
	{"elif", ST_ELIF},
	{"else", ST_ELSE},
	{"end", ST_END},
	{"echo", ST_ECHO},
	{"reset", ST_RESET},
};

/* ---- syntax checks shared with the interpreter ---- */

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool script_valid_var(const char *s)
{
	if (!is_ident_start(*s))
		return false;
	for (s++; *s; s++)
		if (!(is_ident_start(*s) || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* "x0".."x17" / "w0".."w17": register number, or -1. *wide = x. */
int script_reg_parse(const char *s, size_t n, bool *wide)
{
	unsigned v = 0;

	if (n < 2 || n > 3 || (s[0] != 'x' && s[0] != 'w'))
		return -1;
	for (size_t i = 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (n == 3 && s[1] == '0')
		return -1;
	if (v >= FFAEMU_NREGS)
		return -1;
	if (wide)
		*wide = s[0] == 'x';
	return (int)v;
}

/* ---- tokenizer ---- */

struct lexer {
	const struct ffaemu_alloc *a;
	const char *file;
	struct ffaemu_script_error *err;
};

static int add_stmt(struct ffaemu_script *sc, struct script_stmt **out)
{
	if (sc->nstmts == sc->cap) {
		size_t ncap = sc->cap ? sc->cap * 2 : 64;
		struct script_stmt *n;

		if (ncap > SCRIPT_MAX_STMTS)
			return FFAEMU_ERANGE;
		n = ffaemu_alloc_realloc(&sc->alloc, sc->stmts, ncap * sizeof(*n));
		if (!n)
			return FFAEMU_ENOMEM;
		sc->stmts = n;
		sc->cap = ncap;
	}
	*out = &sc->stmts[sc->nstmts++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

static void free_stmt(const struct ffaemu_alloc *a, struct script_stmt *st)
{
	for (unsigned i = 0; i < st->nt; i++)
		ffaemu_alloc_free(a, st->t[i].s);
	ffaemu_alloc_free(a, st->t);
	ffaemu_alloc_free(a, st->src);
}

static char *dup_n(const struct ffaemu_alloc *a, const char *s, size_t n)
{
	char *p = ffaemu_alloc_zalloc(a, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

/*
 * Split one line into tokens. A token ends at blank space; `#` at the
 * start of a token begins a comment. Double-quoted tokens (for titles and
 * echo) keep their spaces.
 */
static int tokenize(struct ffaemu_script *sc, struct lexer *lx, const char *line, size_t n,
		    unsigned lineno)
{
	struct script_tok toks[SCRIPT_MAX_TOKS];
	unsigned nt = 0;
	size_t i = 0, end = n;
	struct script_stmt *st;
	int rc;

	/* Find the comment start and reject bad bytes before it. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
			end = i;
			break;
		}
		if (c == '\t' || c == '\r')
			continue;
		if (c < 0x20 || c > 0x7e) {
			set_error(lx->err, lx->file, lineno, (unsigned)i + 1,
				  "invalid byte 0x%02x", c);
			return FFAEMU_EPARSE;
		}
	}
	i = 0;
	while (i < end) {
		size_t s;

		while (i < end && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= end)
			break;
		s = i;
		if (line[i] == '"') {
			i++;
			while (i < end && line[i] != '"')
				i++;
			if (i >= end) {
				set_error(lx->err, lx->file, lineno, (unsigned)s + 1,
					  "unterminated string");
				goto fail;
			}
			i++;
		} else {
			while (i < end && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
				i++;
		}
		if (nt == SCRIPT_MAX_TOKS) {
			set_error(lx->err, lx->file, lineno, (unsigned)s + 1,
				  "too many tokens on one line (max %d)", SCRIPT_MAX_TOKS);
			goto fail;
		}
		if (i - s > SCRIPT_MAX_TOK_LEN) {
			set_error(lx->err, lx->file, lineno, (unsigned)s + 1,
				  "token too long (max %d)", SCRIPT_MAX_TOK_LEN);
			goto fail;
		}
		toks[nt].s = dup_n(lx->a, line + s, i - s);
		toks[nt].col = (unsigned)s + 1;
		if (!toks[nt].s) {
			set_error(lx->err, lx->file, lineno, 0, "out of memory");
			rc = FFAEMU_ENOMEM;
			goto fail_rc;
		}
		nt++;
	}
	if (!nt)
		return 0;
	rc = add_stmt(sc, &st);
	if (rc) {
		set_error(lx->err, lx->file, lineno, 1, rc == FFAEMU_ENOMEM ? "out of memory" :
				"too many statements (max %d)", SCRIPT_MAX_STMTS);
		goto fail_rc;
	}
	st->line = lineno;
	st->col = toks[0].col;
	st->t = ffaemu_alloc_array(lx->a, nt, sizeof(*st->t));
	{
		size_t a0 = toks[0].col - 1, b0 = toks[nt - 1].col - 1 + strlen(toks[nt - 1].s);

		st->src = dup_n(lx->a, line + a0, b0 - a0);
	}
	if (!st->t || !st->src) {
		set_error(lx->err, lx->file, lineno, 0, "out of memory");
		rc = FFAEMU_ENOMEM;
		sc->nstmts--;
		ffaemu_alloc_free(lx->a, st->t);
		ffaemu_alloc_free(lx->a, st->src);
		goto fail_rc;
	}
	memcpy(st->t, toks, nt * sizeof(*toks));
	st->nt = nt;
	return 0;
fail:
	rc = FFAEMU_EPARSE;
fail_rc:
	for (unsigned k = 0; k < nt; k++)
		ffaemu_alloc_free(lx->a, toks[k].s);
	return rc;
}

/* ---- expression syntax (evaluation shares the grammar: script_expr.c) ---- */

static int check_expr(struct lexer *lx, const struct script_stmt *st, const struct script_tok *t,
		      const char *s, unsigned col)
{
	char why[128];
	size_t pos = 0;

	if (script_expr_eval(s, NULL, NULL, &pos, why, sizeof(why)))
		return 0;
	set_error(lx->err, lx->file, st->line, col + (unsigned)pos, "%s", why);
	(void)t;
	return FFAEMU_EPARSE;
}

#define ERR_AT(tok, ...)                                                         \
	do {                                                                     \
		set_error(lx->err, lx->file, st->line, (tok)->col, __VA_ARGS__); \
		return FFAEMU_EPARSE;                                            \
	} while (0)

static int need_args(struct lexer *lx, const struct script_stmt *st, unsigned min, unsigned max)
{
	const struct script_tok *t0 = &st->t[0];

	if (st->nt - 1 < min) {
		set_error(lx->err, lx->file, st->line, t0->col + (unsigned)strlen(t0->s),
			  "'%s' needs %u argument%s", t0->s, min, min == 1 ? "" : "s");
		return FFAEMU_EPARSE;
	}
	if (st->nt - 1 > max)
		ERR_AT(&st->t[max + 1], "unexpected '%s' ('%s' takes %u argument%s)",
		       st->t[max + 1].s, t0->s, max, max == 1 ? "" : "s");
	return 0;
}

/* "name=expr", "name = expr" or "name expr" starting at token i. */
static int check_assign(struct lexer *lx, struct script_stmt *st, bool capture)
{
	const struct script_tok *t = &st->t[1];
	const char *eq;
	const char *rhs;
	unsigned rcol;

	if (st->nt < 2)
		return need_args(lx, st, 1, 3);
	eq = strchr(t->s, '=');
	if (eq) {
		if (st->nt != 2)
			ERR_AT(&st->t[2], "unexpected '%s'", st->t[2].s);
		rhs = eq + 1;
		rcol = t->col + (unsigned)(rhs - t->s);
		if (!*rhs)
			ERR_AT(t, "missing value after '='");
	} else {
		unsigned vi = 2;

		if (st->nt > 2 && strcmp(st->t[2].s, "=") == 0)
			vi = 3;
		if (st->nt != vi + 1) {
			if (st->nt <= vi)
				ERR_AT(t, "missing value for '%s'", t->s);
			ERR_AT(&st->t[vi + 1], "unexpected '%s'", st->t[vi + 1].s);
		}
		rhs = st->t[vi].s;
		rcol = st->t[vi].col;
	}
	{
		size_t nlen = eq ? (size_t)(eq - t->s) : strlen(t->s);
		char name[SCRIPT_MAX_TOK_LEN + 1];

		memcpy(name, t->s, nlen);
		name[nlen] = 0;
		if (!script_valid_var(name))
			ERR_AT(t, "invalid variable name '%s'", name);
	}
	if (capture) {
		/* xN / wN, or handle(wN) */
		bool wide;
		size_t rl = strlen(rhs);

		if (script_reg_parse(rhs, rl, &wide) >= 0)
			return 0;
		if (rl > 8 && strncmp(rhs, "handle(", 7) == 0 && rhs[rl - 1] == ')' &&
		    script_reg_parse(rhs + 7, rl - 8, &wide) >= 0 &&
		    script_reg_parse(rhs + 7, rl - 8, &wide) < FFAEMU_NREGS - 1)
			return 0;
		set_error(lx->err, lx->file, st->line, rcol,
			  "capture needs a register (x0-x17, w0-w17) or handle(wN), got '%s'", rhs);
		return FFAEMU_EPARSE;
	}
	return check_expr(lx, st, t, rhs, rcol);
}

/* REG=EXPR (call). */
static int check_reg_assign(struct lexer *lx, struct script_stmt *st, const struct script_tok *t)
{
	const char *eq = strchr(t->s, '=');
	bool wide;

	if (!eq || script_reg_parse(t->s, (size_t)(eq - t->s), &wide) < 0)
		ERR_AT(t, "expected a register assignment like 'w1=0x10002', got '%s'", t->s);
	if (!eq[1])
		ERR_AT(t, "missing value after '='");
	return check_expr(lx, st, t, eq + 1, t->col + (unsigned)(eq + 1 - t->s));
}

/*
 * Register pattern (expect): REG=EXPR, REG=EXPR/MASK, REG=*, REG!=EXPR,
 * REG->var, or rest=0.
 */
static int check_reg_pattern(struct lexer *lx, struct script_stmt *st, const struct script_tok *t)
{
	const char *s = t->s;
	const char *op = s;
	size_t nlen;
	bool wide;

	if (strcmp(s, "rest=0") == 0)
		return 0;
	while (*op && *op != '=' && *op != '!' && *op != '-')
		op++;
	nlen = (size_t)(op - s);
	if (script_reg_parse(s, nlen, &wide) < 0)
		ERR_AT(t, "expected a register pattern like 'w2=0x8001', got '%s'", s);
	if (op[0] == '-' && op[1] == '>') {
		if (!script_valid_var(op + 2))
			ERR_AT(t, "invalid variable name after '->'");
		return 0;
	}
	if (op[0] == '!' && op[1] == '=')
		op++;
	if (op[0] != '=')
		ERR_AT(t, "expected '=', '!=' or '->' after the register name");
	op++;
	if (strcmp(op, "*") == 0)
		return 0;
	if (!*op)
		ERR_AT(t, "missing value after '='");
	{
		char buf[SCRIPT_MAX_TOK_LEN + 1];
		const char *slash = strrchr(op, '/');
		unsigned col = t->col + (unsigned)(op - s);

		if (slash) {
			size_t l = (size_t)(slash - op);

			memcpy(buf, op, l);
			buf[l] = 0;
			if (check_expr(lx, st, t, buf, col))
				return FFAEMU_EPARSE;
			return check_expr(lx, st, t, slash + 1, col + (unsigned)l + 1);
		}
		return check_expr(lx, st, t, op, col);
	}
}

static const char *const mem_types[] = {"u8", "u16", "u32", "u64"};

int script_mem_type(const char *s, size_t n)
{
	for (int i = 0; i < 4; i++)
		if (strlen(mem_types[i]) == n && strncmp(s, mem_types[i], n) == 0)
			return 1 << i;
	return 0;
}

static int check_cond(struct lexer *lx, struct script_stmt *st, unsigned i)
{
	if (i < st->nt && strcmp(st->t[i].s, "not") == 0)
		i++;
	if (i >= st->nt) {
		const struct script_tok *l = &st->t[st->nt - 1];

		set_error(lx->err, lx->file, st->line, l->col + (unsigned)strlen(l->s),
			  "'%s' needs a condition: proxy|spmc|page-size|version VALUE",
			  st->t[0].s);
		return FFAEMU_EPARSE;
	}
	if (strcmp(st->t[i].s, "proxy") && strcmp(st->t[i].s, "spmc") &&
	    strcmp(st->t[i].s, "page-size") && strcmp(st->t[i].s, "version"))
		ERR_AT(&st->t[i], "unknown condition '%s' (proxy, spmc, page-size, version)",
		       st->t[i].s);
	if (i + 1 >= st->nt)
		ERR_AT(&st->t[i], "condition '%s' needs a value", st->t[i].s);
	if (i + 2 < st->nt)
		ERR_AT(&st->t[i + 2], "unexpected '%s' after the condition", st->t[i + 2].s);
	if (strcmp(st->t[i].s, "page-size") == 0) {
		uint64_t v;

		if (script_size_parse(st->t[i + 1].s, &v))
			ERR_AT(&st->t[i + 1], "bad page size '%s'", st->t[i + 1].s);
	}
	if (strcmp(st->t[i].s, "version") == 0) {
		const char *v = st->t[i + 1].s;

		if (v[0] == '>' || v[0] == '<')
			v += (v[1] == '=') ? 2 : 1;
		else if (v[0] == '=')
			v++;
		if (check_expr(lx, st, &st->t[i + 1], v,
			       st->t[i + 1].col + (unsigned)(v - st->t[i + 1].s)))
			return FFAEMU_EPARSE;
	}
	return 0;
}

int script_size_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	size_t n = strlen(s);

	if (!n || n > 12)
		return -1;
	if (s[n - 1] == 'k' || s[n - 1] == 'K') {
		mul = 1024;
		n--;
	}
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v * mul;
	return 0;
}

static bool is_perm_word(const char *s)
{
	return strcmp(s, "ro") == 0 || strcmp(s, "rw") == 0 || strcmp(s, "none") == 0 ||
	       strcmp(s, "ro-nx") == 0 || strcmp(s, "rw-nx") == 0 || strcmp(s, "ro-x") == 0 ||
	       strcmp(s, "rw-x") == 0 || strcmp(s, "none-nx") == 0 || strcmp(s, "none-x") == 0;
}

/* The 'desc' statement: see doc/ffa-emu-script.5. */
static int check_desc(struct lexer *lx, struct script_stmt *st)
{
	unsigned i = 1;
	unsigned nto = 0, npages = 0;

	if (st->nt < 2)
		return need_args(lx, st, 1, 64);
	if (strcmp(st->t[1].s, "share") && strcmp(st->t[1].s, "lend") &&
	    strcmp(st->t[1].s, "donate"))
		ERR_AT(&st->t[1], "desc needs share, lend or donate, got '%s'", st->t[1].s);
	for (i = 2; i < st->nt; i++) {
		const struct script_tok *k = &st->t[i];

		if (strcmp(k->s, "nowrite") == 0)
			continue;
		if (strcmp(k->s, "to") == 0) {
			if (i + 2 >= st->nt)
				ERR_AT(k, "'to' needs an endpoint ID and access (ro, rw, rw-nx, ...)");
			if (check_expr(lx, st, &st->t[i + 1], st->t[i + 1].s, st->t[i + 1].col))
				return FFAEMU_EPARSE;
			if (!is_perm_word(st->t[i + 2].s) &&
			    check_expr(lx, st, &st->t[i + 2], st->t[i + 2].s, st->t[i + 2].col))
				return FFAEMU_EPARSE;
			i += 2;
			nto++;
			continue;
		}
		if (strcmp(k->s, "pages") == 0) {
			if (i + 1 >= st->nt)
				ERR_AT(k, "'pages' needs at least one BASE+COUNT range");
			while (i + 1 < st->nt) {
				const struct script_tok *r = &st->t[i + 1];
				char buf[SCRIPT_MAX_TOK_LEN + 1];
				const char *plus = NULL;
				int depth = 0;

				for (const char *p = r->s; *p; p++) {
					if (*p == '(')
						depth++;
					else if (*p == ')')
						depth--;
					else if (*p == '+' && depth == 0)
						plus = p;
				}
				if (!plus) {
					if (npages && !is_ident_start(r->s[0]))
						ERR_AT(r, "range '%s' needs the form BASE+COUNT", r->s);
					if (!npages)
						ERR_AT(r, "range '%s' needs the form BASE+COUNT", r->s);
					break;
				}
				memcpy(buf, r->s, (size_t)(plus - r->s));
				buf[plus - r->s] = 0;
				if (check_expr(lx, st, r, buf, r->col) ||
				    check_expr(lx, st, r, plus + 1,
					       r->col + (unsigned)(plus + 1 - r->s)))
					return FFAEMU_EPARSE;
				npages++;
				i++;
			}
			continue;
		}
		if (!strcmp(k->s, "sender") || !strcmp(k->s, "attr") || !strcmp(k->s, "flags") ||
		    !strcmp(k->s, "tag") || !strcmp(k->s, "handle") || !strcmp(k->s, "version") ||
		    !strcmp(k->s, "at") || !strcmp(k->s, "total-pages") ||
		    !strcmp(k->s, "range-count") || !strcmp(k->s, "emad-offset") ||
		    !strcmp(k->s, "composite-offset")) {
			if (i + 1 >= st->nt)
				ERR_AT(k, "'%s' needs a value", k->s);
			if (check_expr(lx, st, &st->t[i + 1], st->t[i + 1].s, st->t[i + 1].col))
				return FFAEMU_EPARSE;
			i++;
			continue;
		}
		ERR_AT(k, "unknown desc option '%s'", k->s);
	}
	if (!nto)
		ERR_AT(&st->t[1], "desc needs at least one 'to ID ACCESS'");
	if (nto > SCRIPT_MAX_EMADS)
		ERR_AT(&st->t[1], "too many receivers (max %d)", SCRIPT_MAX_EMADS);
	(void)npages;
	return 0;
}

static int check_expect(struct lexer *lx, struct script_stmt *st)
{
	unsigned i = 1;
	const struct script_tok *h;

	if (st->nt < 2)
		return need_args(lx, st, 1, 64);
	h = &st->t[1];
	if (strcmp(h->s, "mem") == 0) {
		if (st->nt < 4)
			ERR_AT(h, "'expect mem' needs an address and TYPE=VALUE fields");
		if (check_expr(lx, st, &st->t[2], st->t[2].s, st->t[2].col))
			return FFAEMU_EPARSE;
		for (i = 3; i < st->nt; i++) {
			const struct script_tok *t = &st->t[i];
			const char *eq = strchr(t->s, '=');
			const char *slash;
			char buf[SCRIPT_MAX_TOK_LEN + 1];

			if (!eq || !script_mem_type(t->s, (size_t)(eq - t->s)))
				ERR_AT(t, "expected a field like 'u32=0x8001' (u8, u16, u32, u64), got '%s'",
				       t->s);
			if (strcmp(eq + 1, "*") == 0)
				continue;
			slash = strrchr(eq + 1, '/');
			if (!eq[1])
				ERR_AT(t, "missing value after '='");
			if (slash) {
				size_t l = (size_t)(slash - (eq + 1));

				memcpy(buf, eq + 1, l);
				buf[l] = 0;
				if (check_expr(lx, st, t, buf, t->col + (unsigned)(eq + 1 - t->s)) ||
				    check_expr(lx, st, t, slash + 1,
					       t->col + (unsigned)(slash + 1 - t->s)))
					return FFAEMU_EPARSE;
			} else if (check_expr(lx, st, t, eq + 1,
					      t->col + (unsigned)(eq + 1 - t->s))) {
				return FFAEMU_EPARSE;
			}
		}
		st->kind = ST_EXPECT_MEM;
		return 0;
	}
	if (strcmp(h->s, "error") == 0 || strcmp(h->s, "ret") == 0 || strcmp(h->s, "version") == 0) {
		if (st->nt < 3)
			ERR_AT(h, "'expect %s' needs a value", h->s);
		if (check_expr(lx, st, &st->t[2], st->t[2].s, st->t[2].col))
			return FFAEMU_EPARSE;
		i = 3;
	} else if (strcmp(h->s, "any") == 0) {
		i = 2;
	} else if (strchr(h->s, '=') || strstr(h->s, "->")) {
		i = 1;
	} else {
		if (check_expr(lx, st, h, h->s, h->col))
			return FFAEMU_EPARSE;
		i = 2;
	}
	for (; i < st->nt; i++)
		if (check_reg_pattern(lx, st, &st->t[i]))
			return FFAEMU_EPARSE;
	return 0;
}

static int check_stmt(struct ffaemu_script *sc, struct lexer *lx, struct script_stmt *st)
{
	const struct script_tok *k = &st->t[0];
	size_t i;

	st->kind = ST_NONE;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(k->s, keywords[i].word) == 0)
			st->kind = keywords[i].kind;
	switch (st->kind) {
	case ST_NONE:
		ERR_AT(k, "unknown statement '%s'", k->s);
	case ST_TITLE:
	case ST_ECHO:
		if (st->nt < 2)
			return need_args(lx, st, 1, 64);
		return 0;
	case ST_APPLIES:
		if (st->nt < 3 || strcmp(st->t[1].s, "proxy"))
			ERR_AT(st->nt > 1 ? &st->t[1] : k, "expected 'applies proxy PROFILE...'");
		return 0;
	case ST_PROXY:
		sc->sets_proxy = true;
		return need_args(lx, st, 1, 1);
	case ST_SPMC:
	case ST_PARTITIONS:
	case ST_INSTALL_PROXY:
		return need_args(lx, st, 1, 1);
	case ST_PAGE_SIZE: {
		uint64_t v;

		if (need_args(lx, st, 1, 1))
			return FFAEMU_EPARSE;
		if (script_size_parse(st->t[1].s, &v) ||
		    (v != 4096 && v != 16384 && v != 65536))
			ERR_AT(&st->t[1], "page size must be 4k, 16k or 64k, got '%s'", st->t[1].s);
		return 0;
	}
	case ST_SMCCC:
		if (need_args(lx, st, 1, 1))
			return FFAEMU_EPARSE;
		return check_expr(lx, st, &st->t[1], st->t[1].s, st->t[1].col);
	case ST_RAM:
		if (need_args(lx, st, 2, 2))
			return FFAEMU_EPARSE;
		if (check_expr(lx, st, &st->t[1], st->t[1].s, st->t[1].col))
			return FFAEMU_EPARSE;
		return check_expr(lx, st, &st->t[2], st->t[2].s, st->t[2].col);
	case ST_FAULT:
		if (need_args(lx, st, 1, 5))
			return FFAEMU_EPARSE;
		for (i = 2; i < st->nt; i++) {
			const struct script_tok *t = &st->t[i];
			const char *eq = strchr(t->s, '=');
			size_t kl = eq ? (size_t)(eq - t->s) : 0;

			if (!eq || !((kl == 3 && !strncmp(t->s, "abi", 3)) ||
				     (kl == 5 && !strncmp(t->s, "value", 5)) ||
				     (kl == 3 && !strncmp(t->s, "nth", 3)) ||
				     (kl == 5 && !strncmp(t->s, "count", 5))))
				ERR_AT(t, "expected abi=, value=, nth= or count=, got '%s'", t->s);
			if (check_expr(lx, st, t, eq + 1, t->col + (unsigned)kl + 1))
				return FFAEMU_EPARSE;
		}
		return 0;
	case ST_CALL:
		if (st->nt < 2)
			return need_args(lx, st, 1, 64);
		if (check_expr(lx, st, &st->t[1], st->t[1].s, st->t[1].col))
			return FFAEMU_EPARSE;
		for (i = 2; i < st->nt; i++)
			if (check_reg_assign(lx, st, &st->t[i]))
				return FFAEMU_EPARSE;
		return 0;
	case ST_EXPECT:
		sc->expects++;
		return check_expect(lx, st);
	case ST_CAPTURE:
		return check_assign(lx, st, true);
	case ST_SET:
		return check_assign(lx, st, false);
	case ST_WRITE:
		if (st->nt < 4)
			return need_args(lx, st, 3, 64);
		if (check_expr(lx, st, &st->t[1], st->t[1].s, st->t[1].col))
			return FFAEMU_EPARSE;
		if ((st->nt - 2) % 2)
			ERR_AT(&st->t[st->nt - 1], "'write' takes TYPE VALUE pairs");
		for (i = 2; i + 1 < st->nt; i += 2) {
			if (!script_mem_type(st->t[i].s, strlen(st->t[i].s)))
				ERR_AT(&st->t[i], "expected u8, u16, u32 or u64, got '%s'", st->t[i].s);
			if (check_expr(lx, st, &st->t[i + 1], st->t[i + 1].s, st->t[i + 1].col))
				return FFAEMU_EPARSE;
		}
		return 0;
	case ST_FILL:
	case ST_FRAG:
		if (need_args(lx, st, st->kind == ST_FILL ? 3 : 2, st->kind == ST_FILL ? 3 : 4))
			return FFAEMU_EPARSE;
		for (i = 1; i < st->nt; i++) {
			if (st->kind == ST_FRAG && i == 3) {
				if (strcmp(st->t[3].s, "at"))
					ERR_AT(&st->t[3], "expected 'at ADDRESS', got '%s'", st->t[3].s);
				if (st->nt != 5)
					ERR_AT(&st->t[3], "'at' needs an address");
				continue;
			}
			if (check_expr(lx, st, &st->t[i], st->t[i].s, st->t[i].col))
				return FFAEMU_EPARSE;
		}
		return 0;
	case ST_DESC:
		return check_desc(lx, st);
	case ST_IF:
	case ST_ELIF:
		return check_cond(lx, st, 1);
	case ST_ELSE:
	case ST_END:
	case ST_RESET:
		return need_args(lx, st, 0, 0);
	default:
		break;
	}
	return 0;
}

/* Link if/elif/else/end: each branch head points at the next head and at end. */
static int link_blocks(struct ffaemu_script *sc, struct lexer *lx)
{
	size_t first[SCRIPT_MAX_DEPTH], last[SCRIPT_MAX_DEPTH];
	size_t depth = 0;

	for (size_t i = 0; i < sc->nstmts; i++) {
		struct script_stmt *st = &sc->stmts[i];

		switch (st->kind) {
		case ST_IF:
			if (depth == SCRIPT_MAX_DEPTH)
				ERR_AT(&st->t[0], "'if' nested too deeply (max %d)", SCRIPT_MAX_DEPTH);
			first[depth] = last[depth] = i;
			depth++;
			break;
		case ST_ELIF:
		case ST_ELSE:
			if (!depth)
				ERR_AT(&st->t[0], "'%s' without 'if'", st->t[0].s);
			if (sc->stmts[last[depth - 1]].kind == ST_ELSE)
				ERR_AT(&st->t[0], "'%s' after 'else'", st->t[0].s);
			sc->stmts[last[depth - 1]].next = i;
			last[depth - 1] = i;
			break;
		case ST_END:
			if (!depth)
				ERR_AT(&st->t[0], "'end' without 'if'");
			depth--;
			sc->stmts[last[depth]].next = i;
			for (size_t c = first[depth]; c != i; c = sc->stmts[c].next)
				sc->stmts[c].end = i;
			break;
		default:
			break;
		}
	}
	if (depth) {
		struct script_stmt *st = &sc->stmts[last[depth - 1]];

		set_error(lx->err, lx->file, st->line, st->col, "'%s' without 'end'", st->t[0].s);
		return FFAEMU_EPARSE;
	}
	return 0;
}

int ffaemu_script_parse(const char *name, const char *text, size_t len,
			const struct ffaemu_allocator *alloc, struct ffaemu_script **out,
			struct ffaemu_script_error *err)
{
	struct ffaemu_alloc a;
	struct ffaemu_script *sc;
	struct lexer lx;
	unsigned lineno = 0;
	size_t pos = 0;
	int rc = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || (!text && len)) {
		set_error(err, name, 0, 0, "invalid arguments");
		return FFAEMU_EINVAL;
	}
	*out = NULL;
	ffaemu_alloc_init(&a, alloc);
	sc = ffaemu_alloc_zalloc(&a, sizeof(*sc));
	if (!sc) {
		set_error(err, name, 0, 0, "out of memory");
		return FFAEMU_ENOMEM;
	}
	sc->alloc = a;
	sc->name = ffaemu_alloc_strdup(&a, name ? name : "<script>");
	if (!sc->name) {
		rc = FFAEMU_ENOMEM;
		set_error(err, name, 0, 0, "out of memory");
		goto fail;
	}
	lx.a = &sc->alloc;
	lx.file = sc->name;
	lx.err = err;
	while (pos < len) {
		size_t e = pos;

		while (e < len && text[e] != '\n')
			e++;
		lineno++;
		if (e - pos > SCRIPT_MAX_LINE) {
			set_error(err, sc->name, lineno, SCRIPT_MAX_LINE + 1,
				  "line too long (max %d characters)", SCRIPT_MAX_LINE);
			rc = FFAEMU_EPARSE;
			goto fail;
		}
		rc = tokenize(sc, &lx, text + pos, e - pos, lineno);
		if (rc)
			goto fail;
		if (sc->nstmts && sc->stmts[sc->nstmts - 1].line == lineno) {
			rc = check_stmt(sc, &lx, &sc->stmts[sc->nstmts - 1]);
			if (rc)
				goto fail;
		}
		pos = e + 1;
	}
	rc = link_blocks(sc, &lx);
	if (rc)
		goto fail;
	for (size_t i = 0; i < sc->nstmts; i++) {
		if (sc->stmts[i].kind == ST_TITLE && !sc->title) {
			const char *s = sc->stmts[i].src + strlen("title");

			while (*s == ' ' || *s == '\t')
				s++;
			sc->title = ffaemu_alloc_strdup(&a, s);
			if (!sc->title) {
				rc = FFAEMU_ENOMEM;
				goto fail;
			}
		}
	}
	*out = sc;
	return 0;
fail:
	ffaemu_script_free(&sc);
	return rc;
}

void ffaemu_script_free(struct ffaemu_script **script)
{
	struct ffaemu_script *sc;
	struct ffaemu_alloc a;

	if (!script || !*script)
		return;
	sc = *script;
	a = sc->alloc;
	for (size_t i = 0; i < sc->nstmts; i++)
		free_stmt(&a, &sc->stmts[i]);
	ffaemu_alloc_free(&a, sc->stmts);
	ffaemu_alloc_free(&a, sc->name);
	ffaemu_alloc_free(&a, sc->title);
	ffaemu_alloc_free(&a, sc);
	*script = NULL;
}

const char *ffaemu_script_title(const struct ffaemu_script *script)
{
	if (!script)
		return NULL;
	return script->title ? script->title : script->name;
}

unsigned ffaemu_script_expect_count(const struct ffaemu_script *script)
{
	return script ? script->expects : 0;
}

bool ffaemu_script_sets_proxy(const struct ffaemu_script *script)
{
	return script && script->sets_proxy;
}

/*
 * Shell-style glob with '*' only. On a mismatch only the last '*' seen
 * takes one more character: a later '*' can match anything an earlier one
 * could, so no other choice needs revisiting. At most |pat| * |s| steps,
 * whatever the pattern (a recursive matcher takes exponential time on
 * "a*****...*b": a fuzzing finding, tests/fuzz/corpus/script/finding-glob-stars).
 */
bool script_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = ++pat;
			resume = s;
		} else if (*pat && *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

/* "a,b,c" list of globs. */
bool script_glob_list(const char *list, const char *s)
{
	char buf[SCRIPT_MAX_TOK_LEN + 1];
	size_t n = strlen(list);

	if (n > SCRIPT_MAX_TOK_LEN)
		return false;
	memcpy(buf, list, n + 1);
	for (char *p = buf, *c; p; p = c) {
		c = strchr(p, ',');
		if (c)
			*c++ = 0;
		if (script_glob(p, s))
			return true;
	}
	return false;
}

bool ffaemu_script_applies(const struct ffaemu_script *script, const char *proxy)
{
	bool any = false;

	if (!script)
		return false;
	if (!proxy)
		proxy = "none";
	for (size_t i = 0; i < script->nstmts; i++) {
		const struct script_stmt *st = &script->stmts[i];

		if (st->kind != ST_APPLIES)
			continue;
		any = true;
		for (unsigned k = 2; k < st->nt; k++)
			if (script_glob_list(st->t[k].s, proxy))
				return true;
	}
	return !any;
}
