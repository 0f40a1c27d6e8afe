/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict reader for the JSON Lines trace schema in trace.h. Every byte is
 * bounds-checked against len (the text need not be NUL-terminated); any
 * deviation from the schema is an error with its line and column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ffa/smccc.h>
#include <ffa/trace.h>

#include "trace_priv.h"
#include "text.h"

struct rd {
	const char *p;   /* current position */
	const char *end; /* end of this line */
	const char *line_start;
	size_t line;
	struct ffaemu_trace_parse_error *err;
	bool failed;
	uint8_t *tx;     /* room for one record's TX bytes (FFAEMU_TRACE_TX_MAX) */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return false;
	r->failed = true;
	if (r->err) {
		r->err->line = r->line;
		r->err->column = (size_t)(r->p - r->line_start) + 1;
		va_start(ap, fmt);
		vsnprintf(r->err->message, sizeof(r->err->message), fmt, ap);
		va_end(ap);
	}
	return false;
}

static void skip_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r'))
		r->p++;
}

static bool expect(struct rd *r, char c)
{
	skip_ws(r);
	if (r->p >= r->end || *r->p != c)
		return fail(r, "expected '%c'", c);
	r->p++;
	return true;
}

/* A JSON string into out[cap] (UTF-8; \u escapes of the BMP, no surrogates). */
static bool parse_string(struct rd *r, char *out, size_t cap)
{
	size_t o = 0;

	skip_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return fail(r, "expected a string");
	r->p++;
	for (;;) {
		unsigned char c;
		unsigned cp;

		if (r->p >= r->end)
			return fail(r, "unterminated string");
		c = (unsigned char)*r->p;
		if (c == '"') {
			r->p++;
			break;
		}
		if (c < 0x20)
			return fail(r, "control character in string");
		if (c != '\\') {
			if (o + 1 >= cap)
				return fail(r, "string too long");
			out[o++] = (char)c;
			r->p++;
			continue;
		}
		if (r->end - r->p < 2)
			return fail(r, "bad escape");
		r->p++;
		c = (unsigned char)*r->p++;
		switch (c) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (r->end - r->p < 4)
				return fail(r, "bad \\u escape");
			cp = 0;
			for (int i = 0; i < 4; i++) {
				int h = text_hex_digit(r->p[i]);

				if (h < 0)
					return fail(r, "bad \\u escape");
				cp = (cp << 4) | (unsigned)h;
			}
			r->p += 4;
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
				return fail(r, "unsupported \\u escape");
			break;
		default:
			r->p--;
			return fail(r, "bad escape");
		}
		if (o + 4 >= cap)
			return fail(r, "string too long");
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xe0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
	return true;
}

/* A non-negative integer without sign, fraction or exponent, <= max. */
static bool parse_uint(struct rd *r, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *start;

	skip_ws(r);
	start = r->p;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return fail(r, "expected an unsigned integer");
	if (*r->p == '0' && r->end - r->p > 1 && r->p[1] >= '0' && r->p[1] <= '9')
		return fail(r, "leading zero");
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned d = (unsigned)(*r->p - '0');

		if (v > max / 10 || (v == max / 10 && d > max % 10)) {
			r->p = start;
			return fail(r, "integer out of range");
		}
		v = v * 10 + d;
		r->p++;
	}
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
		return fail(r, "expected an integer");
	*out = v;
	return true;
}

static bool parse_word(struct rd *r, const char *w)
{
	size_t l = strlen(w);

	if ((size_t)(r->end - r->p) < l || memcmp(r->p, w, l) != 0)
		return false;
	r->p += l;
	return true;
}

static bool parse_bool(struct rd *r, bool *out)
{
	skip_ws(r);
	if (parse_word(r, "true"))
		*out = true;
	else if (parse_word(r, "false"))
		*out = false;
	else
		return fail(r, "expected true or false");
	return true;
}

static bool peek_null(struct rd *r)
{
	skip_ws(r);
	return parse_word(r, "null");
}

static bool parse_reg(struct rd *r, uint64_t *out)
{
	char s[32];
	const char *at;
	uint64_t v = 0;
	size_t l;

	skip_ws(r);
	at = r->p;
	if (!parse_string(r, s, sizeof(s)))
		return false;
	l = strlen(s);
	if (l < 3 || l > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
		r->p = at;
		return fail(r, "register must be \"0x\" and 1-16 hex digits");
	}
	for (size_t i = 2; i < l; i++) {
		int h = text_hex_digit(s[i]);

		if (h < 0) {
			r->p = at;
			return fail(r, "bad hex digit in register");
		}
		v = (v << 4) | (unsigned)h;
	}
	*out = v;
	return true;
}

static bool parse_regs(struct rd *r, struct ffaemu_regs *regs)
{
	if (!expect(r, '['))
		return false;
	for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
		if (n) {
			skip_ws(r);
			if (r->p >= r->end || *r->p != ',')
				return fail(r, "register array must hold 18 registers");
			r->p++;
		}
		if (!parse_reg(r, &regs->x[n]))
			return false;
	}
	skip_ws(r);
	if (r->p < r->end && *r->p == ',')
		return fail(r, "register array must hold 18 registers");
	return expect(r, ']');
}

static bool parse_version(struct rd *r, uint32_t *out, bool allow_null)
{
	char s[16];
	const char *at;

	if (allow_null && peek_null(r)) {
		*out = 0;
		return true;
	}
	skip_ws(r);
	at = r->p;
	if (!parse_string(r, s, sizeof(s)))
		return false;
	if (ffaemu_version_parse(s, out) != 0) {
		r->p = at;
		return fail(r, "bad version \"%s\"", s);
	}
	return true;
}

enum key {
	K_TYPE, K_INDEX, K_EDGE, K_CALLEE, K_EDGE_INDEX, K_CALLER, K_INSTANCE, K_EL, K_SECURE, K_AARCH32,
	K_IMM, K_CONDUIT, K_SMCCC, K_FFA, K_DEPTH, K_ABI, K_IN, K_OUT, K_VIOL, K_PRES, K_UPPER,
	K_POISON, K_TX, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"type", "index", "edge", "callee", "edge_index", "caller", "instance", "el", "secure", "aarch32",
	"imm", "conduit", "smccc", "ffa", "depth", "abi", "in", "out", "violations",
	"preserved_changed", "smc32_upper", "poisoned", "tx",
};

static const char *key_name(int k)
{
	return key_names[k];
}

static const char *instance_name(int i)
{
	return ffaemu_instance_name((enum ffaemu_instance)i);
}

static const char *conduit_name(int i)
{
	return ffaemu_conduit_name((enum ffaemu_conduit)i);
}

/* The value in lo..hi that name() calls s, or -1. */
static int name_lookup(const char *s, int lo, int hi, const char *(*name)(int))
{
	for (int i = lo; i <= hi; i++) {
		const char *n = name(i);

		if (n && strcmp(s, n) == 0)
			return i;
	}
	return -1;
}

/* A string naming one of lo..hi into *out; an unknown name fails at its quote. */
static bool parse_name(struct rd *r, const char *what, int lo, int hi, const char *(*name)(int),
		       int *out)
{
	char s[64];
	const char *at;

	skip_ws(r);
	at = r->p;
	if (!parse_string(r, s, sizeof(s)))
		return false;
	*out = name_lookup(s, lo, hi, name);
	if (*out < 0) {
		r->p = at;
		return fail(r, "unknown %s \"%s\"", what, s);
	}
	return true;
}

/* Keys a record may leave out. */
static bool key_optional(int k)
{
	return k == K_TX;
}

/* "data": an even number of hex digits, at most FFAEMU_TRACE_TX_MAX bytes, into r->tx. */
static bool parse_hex_data(struct rd *r, uint32_t *len)
{
	uint32_t n = 0;

	skip_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return fail(r, "expected a string of hex digits");
	r->p++;
	for (;;) {
		int hi, lo;

		if (r->p >= r->end)
			return fail(r, "unterminated string");
		if (*r->p == '"') {
			r->p++;
			break;
		}
		hi = text_hex_digit(*r->p);
		lo = r->p + 1 < r->end ? text_hex_digit(r->p[1]) : -1;
		if (hi < 0 || lo < 0)
			return fail(r, "TX data must be pairs of hex digits");
		if (n == FFAEMU_TRACE_TX_MAX)
			return fail(r, "TX data longer than %u bytes", FFAEMU_TRACE_TX_MAX);
		r->tx[n++] = (uint8_t)(hi << 4 | lo);
		r->p += 2;
	}
	if (!n)
		return fail(r, "empty TX data");
	*len = n;
	return true;
}

/* {"pa":"0x...","data":"..."}: both keys, once each, nothing else. */
static bool parse_tx(struct rd *r, struct ffaemu_trace_record *rec)
{
	bool have_pa = false, have_data = false;

	if (!expect(r, '{'))
		return false;
	for (;;) {
		char key[16];
		const char *at;

		skip_ws(r);
		at = r->p;
		if (!parse_string(r, key, sizeof(key)))
			return false;
		if (strcmp(key, "pa") == 0 && !have_pa) {
			if (!expect(r, ':') || !parse_reg(r, &rec->tx_pa))
				return false;
			have_pa = true;
		} else if (strcmp(key, "data") == 0 && !have_data) {
			if (!expect(r, ':') || !parse_hex_data(r, &rec->tx_len))
				return false;
			have_data = true;
		} else {
			r->p = at;
			return fail(r, "unexpected key \"%s\" in \"tx\"", key);
		}
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (!expect(r, '}'))
			return false;
		break;
	}
	if (!have_pa || !have_data)
		return fail(r, "\"tx\" needs \"pa\" and \"data\"");
	rec->tx = r->tx;
	return true;
}

static bool parse_value(struct rd *r, enum key k, struct ffaemu_trace_record *rec, char *edge,
			char *callee, size_t cap)
{
	char s[64];
	uint64_t v;
	const char *at;
	int named;

	switch (k) {
	case K_TYPE:
		skip_ws(r);
		at = r->p;
		if (!parse_string(r, s, sizeof(s)))
			return false;
		if (strcmp(s, "call") != 0) {
			r->p = at;
			return fail(r, "unknown record type \"%s\"", s);
		}
		return true;
	case K_INDEX:
		return parse_uint(r, UINT64_MAX, &rec->index);
	case K_EDGE:
		return parse_string(r, edge, cap);
	case K_CALLEE:
		if (peek_null(r))
			return true;
		if (!parse_string(r, callee, cap))
			return false;
		rec->callee = callee;
		return true;
	case K_EDGE_INDEX:
		return parse_uint(r, UINT64_MAX, &rec->edge_index);
	case K_CALLER:
		if (!parse_uint(r, 0xffff, &v))
			return false;
		rec->caller = (ffaemu_id_t)v;
		return true;
	case K_INSTANCE:
		if (!parse_name(r, "instance", FFAEMU_INSTANCE_NP, FFAEMU_INSTANCE_SP, instance_name,
				&named))
			return false;
		rec->instance = (enum ffaemu_instance)named;
		return true;
	case K_EL:
		if (!parse_uint(r, 3, &v))
			return false;
		rec->el = (uint8_t)v;
		return true;
	case K_SECURE:
		return parse_bool(r, &rec->secure);
	case K_AARCH32:
		return parse_bool(r, &rec->aarch32);
	case K_IMM:
		if (!parse_uint(r, 0xffff, &v))
			return false;
		rec->imm = (uint16_t)v;
		return true;
	case K_CONDUIT:
		if (!parse_name(r, "conduit", FFAEMU_CONDUIT_SMC, FFAEMU_CONDUIT_SVC, conduit_name,
				&named))
			return false;
		rec->conduit = (enum ffaemu_conduit)named;
		return true;
	case K_SMCCC:
		return parse_version(r, &rec->smccc_version, false);
	case K_FFA:
		return parse_version(r, &rec->ffa_version, true);
	case K_DEPTH:
		if (!parse_uint(r, UINT32_MAX, &v))
			return false;
		rec->depth = (uint32_t)v;
		return true;
	case K_ABI:
		/* Informative only: derived from in[0] when written. */
		if (peek_null(r))
			return true;
		return parse_string(r, s, sizeof(s));
	case K_IN:
		return parse_regs(r, &rec->in);
	case K_OUT:
		return parse_regs(r, &rec->out);
	case K_VIOL:
	case K_PRES:
	case K_UPPER:
	case K_POISON:
		if (!parse_uint(r, k == K_VIOL ? UINT32_MAX : FFAEMU_REGS_ALL, &v))
			return false;
		if (k == K_VIOL)
			rec->violations = (uint32_t)v;
		else if (k == K_PRES)
			rec->preserved_changed = (uint32_t)v;
		else if (k == K_UPPER)
			rec->smc32_upper = (uint32_t)v;
		else
			rec->poisoned = (uint32_t)v;
		return true;
	case K_TX:
		return parse_tx(r, rec);
	case K_COUNT:
		break;
	}
	return fail(r, "internal: bad key");
}

#define EDGE_CAP 256

static bool parse_line(struct rd *r, struct ffaemu_trace_record *rec, char *edge, char *callee)
{
	bool seen[K_COUNT] = {false};

	memset(rec, 0, sizeof(*rec));
	if (!expect(r, '{'))
		return false;
	for (size_t i = 0;; i++) {
		char key[32];
		const char *at;
		int k;

		skip_ws(r);
		if (i == 0 && r->p < r->end && *r->p == '}')
			return fail(r, "empty record");
		at = r->p;
		if (!parse_string(r, key, sizeof(key)))
			return false;
		k = name_lookup(key, 0, K_COUNT - 1, key_name);
		if (k < 0) {
			r->p = at;
			return fail(r, "unknown key \"%s\"", key);
		}
		if (seen[k]) {
			r->p = at;
			return fail(r, "duplicate key \"%s\"", key);
		}
		seen[k] = true;
		if (!expect(r, ':') || !parse_value(r, (enum key)k, rec, edge, callee, EDGE_CAP))
			return false;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (!expect(r, '}'))
			return false;
		break;
	}
	skip_ws(r);
	if (r->p != r->end)
		return fail(r, "trailing characters after the record");
	for (int k = 0; k < K_COUNT; k++)
		if (!seen[k] && !key_optional(k))
			return fail(r, "missing key \"%s\"", key_names[k]);
	rec->edge = edge;
	return true;
}

int ffaemu_trace_read_jsonl(const char *text, size_t len, const struct ffaemu_trace_config *cfg,
			    struct ffaemu_trace **out, struct ffaemu_trace_parse_error *err)
{
	struct ffaemu_trace *t;
	const char *p, *end;
	uint8_t *txbuf;
	struct rd r;
	size_t line = 0;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || (!text && len))
		return FFAEMU_EINVAL;
	*out = NULL;
	/* (NULL, 0) is an empty trace: no arithmetic on a null pointer (C11 6.5.6p8). */
	p = text ? text : "";
	end = p + len;
	rc = ffaemu_trace_new(cfg, &t);
	if (rc)
		return rc;
	txbuf = ffaemu_alloc_zalloc(trc_alloc_of(t), FFAEMU_TRACE_TX_MAX);
	if (!txbuf) {
		ffaemu_trace_free(&t);
		return FFAEMU_ENOMEM;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct ffaemu_trace_record rec;
		char edge[EDGE_CAP], callee[EDGE_CAP];

		line++;
		memset(&r, 0, sizeof(r));
		r.p = p;
		r.end = le;
		r.line_start = p;
		r.line = line;
		r.err = err;
		r.tx = txbuf;
		skip_ws(&r);
		if (r.p != le) {
			if (memchr(p, '\0', (size_t)(le - p))) {
				r.p = memchr(p, '\0', (size_t)(le - p));
				fail(&r, "NUL byte");
				rc = FFAEMU_EPARSE;
				break;
			}
			if (!parse_line(&r, &rec, edge, callee)) {
				rc = FFAEMU_EPARSE;
				break;
			}
			rc = trc_append_raw(t, &rec);
			if (rc)
				break;
		}
		p = nl ? nl + 1 : end;
	}
	ffaemu_alloc_free(trc_alloc_of(t), txbuf);
	if (rc) {
		ffaemu_trace_free(&t);
		return rc;
	}
	*out = t;
	return FFAEMU_OK;
}
