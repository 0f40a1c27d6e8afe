/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Script expressions: numbers, version words, symbols, variables and a few
 * functions, combined left to right (no precedence; use parentheses).
 * Everything is 64-bit unsigned arithmetic that wraps, so no input can
 * trap. Grammar in doc/ffa-emu-script.5.
 */
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/conduit.h>
#include <ffa/smccc.h>

#include "script_priv.h"
#include "text.h"

struct parser {
	const char *s;
	size_t pos;
	const struct script_env *env;
	char *why;
	size_t why_len;
	bool failed;
	unsigned depth;
};

/* The message is msg with its "%s" (if any) replaced by arg. */
static bool fail(struct parser *p, const char *msg, const char *arg)
{
	const char *at = arg ? strstr(msg, "%s") : NULL;

	if (!p->failed) {
		p->failed = true;
		if (at)
			snprintf(p->why, p->why_len, "%.*s%s%s", (int)(at - msg), msg, arg, at + 2);
		else
			snprintf(p->why, p->why_len, "%s", msg);
	}
	return false;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const struct {
	const char *name;
	uint64_t value;
} smccc_symbols[] = {
	{"SMCCC_VERSION", FFAEMU_SMCCC_VERSION_FID},
	{"SMCCC_ARCH_FEATURES", FFAEMU_SMCCC_ARCH_FEATURES},
	{"SMCCC_ARCH_SOC_ID", FFAEMU_SMCCC_ARCH_SOC_ID},
	{"SMCCC_ARCH_SOC_ID_64", FFAEMU_SMCCC_ARCH_SOC_ID_64},
	{"SMCCC_ARCH_WORKAROUND_1", FFAEMU_SMCCC_ARCH_WORKAROUND_1},
	{"SMCCC_ARCH_WORKAROUND_2", FFAEMU_SMCCC_ARCH_WORKAROUND_2},
	{"SMCCC_ARCH_WORKAROUND_3", FFAEMU_SMCCC_ARCH_WORKAROUND_3},
	{"SMCCC_ARCH_WORKAROUND_4", FFAEMU_SMCCC_ARCH_WORKAROUND_4},
	{"PSCI_VERSION", FFAEMU_PSCI_VERSION},
	{"PSCI_FEATURES", FFAEMU_PSCI_FEATURES},
	{"SMCCC_NOT_SUPPORTED", (uint64_t)(int64_t)FFAEMU_SMCCC_NOT_SUPPORTED},
	{"SMCCC_NOT_REQUIRED", (uint64_t)(int64_t)FFAEMU_SMCCC_NOT_REQUIRED},
	{"SMCCC_INVALID_PARAMETER", (uint64_t)(int64_t)FFAEMU_SMCCC_INVALID_PARAMETER},
	{"SVE_HINT", FFAEMU_SMCCC_SVE_HINT},
	{"POISON", FFAEMU_POISON_DEFAULT},
};

bool script_symbol(const char *name, uint64_t *out)
{
	const struct ffaemu_abi *abi;
	uint32_t fid = 0;
	int32_t code;

	for (size_t i = 0; i < sizeof(smccc_symbols) / sizeof(smccc_symbols[0]); i++) {
		if (strcmp(name, smccc_symbols[i].name) == 0) {
			*out = smccc_symbols[i].value;
			return true;
		}
	}
	/* FF-A ABI names must carry the FFA_ prefix here so that an error
	 * name (ABORTED) is never read as an ABI (FFA_ABORT). */
	if (strncmp(name, "FFA_", 4) == 0) {
		abi = ffaemu_abi_by_name(name, &fid);
		if (abi && fid) {
			*out = fid;
			return true;
		}
	}
	if (ffaemu_ffa_error_parse(name, &code) == 0) {
		*out = (uint64_t)(int64_t)code;
		return true;
	}
	return false;
}

static bool parse_expr(struct parser *p, uint64_t *v);

static bool parse_number(struct parser *p, uint64_t *v)
{
	const char *s = p->s;
	size_t start = p->pos;
	uint64_t acc = 0;

	if (s[p->pos] == '0' && (s[p->pos + 1] == 'x' || s[p->pos + 1] == 'X')) {
		size_t n = 0;

		p->pos += 2;
		while (text_hex_digit(s[p->pos]) >= 0 || s[p->pos] == '_') {
			if (s[p->pos] != '_') {
				if (++n > 16)
					return fail(p, "hex number wider than 64 bits", NULL);
				acc = (acc << 4) | (uint64_t)text_hex_digit(s[p->pos]);
			}
			p->pos++;
		}
		if (!n) {
			p->pos = start;
			return fail(p, "'0x' needs hex digits", NULL);
		}
	} else if (s[p->pos] == '0' && (s[p->pos + 1] == 'b' || s[p->pos + 1] == 'B')) {
		size_t n = 0;

		p->pos += 2;
		while (s[p->pos] == '0' || s[p->pos] == '1' || s[p->pos] == '_') {
			if (s[p->pos] != '_') {
				if (++n > 64)
					return fail(p, "binary number wider than 64 bits", NULL);
				acc = (acc << 1) | (uint64_t)(s[p->pos] - '0');
			}
			p->pos++;
		}
		if (!n) {
			p->pos = start;
			return fail(p, "'0b' needs binary digits", NULL);
		}
	} else {
		while (is_digit(s[p->pos])) {
			uint64_t d = (uint64_t)(s[p->pos] - '0');

			if (acc > (UINT64_MAX - d) / 10)
				return fail(p, "number does not fit in 64 bits", NULL);
			acc = acc * 10 + d;
			p->pos++;
		}
		/* MAJOR.MINOR is a version word (spec C4, A4: same encoding). */
		if (s[p->pos] == '.') {
			uint64_t minor = 0;
			size_t mstart;

			p->pos++;
			mstart = p->pos;
			while (is_digit(s[p->pos])) {
				minor = minor * 10 + (uint64_t)(s[p->pos] - '0');
				if (minor > 0xffff)
					return fail(p, "minor version above 65535", NULL);
				p->pos++;
			}
			if (p->pos == mstart)
				return fail(p, "version needs MAJOR.MINOR", NULL);
			if (acc > 0x7fff)
				return fail(p, "major version above 32767", NULL);
			acc = (acc << 16) | minor;
		}
	}
	if (is_alpha(s[p->pos]) || is_digit(s[p->pos]))
		return fail(p, "bad character '%s' in number", (char[]){s[p->pos], 0});
	*v = acc;
	return true;
}

static bool parse_ident(struct parser *p, char *buf, size_t len)
{
	size_t n = 0;

	while (is_alpha(p->s[p->pos]) || is_digit(p->s[p->pos])) {
		if (n + 1 >= len)
			return fail(p, "name too long", NULL);
		buf[n++] = p->s[p->pos++];
	}
	buf[n] = 0;
	return n > 0;
}

static bool parse_primary(struct parser *p, uint64_t *v)
{
	char name[128];
	char c = p->s[p->pos];
	size_t start = p->pos;

	*v = 0; /* defined on every path, also for analyzers that cannot follow lookups */
	if (++p->depth > 32)
		return fail(p, "expression nested too deeply", NULL);
	if (c == '(') {
		p->pos++;
		if (!parse_expr(p, v))
			return false;
		if (p->s[p->pos] != ')')
			return fail(p, "missing ')'", NULL);
		p->pos++;
		p->depth--;
		return true;
	}
	if (c == '-' || c == '~') {
		p->pos++;
		if (!parse_primary(p, v))
			return false;
		*v = c == '-' ? (uint64_t)0 - *v : ~*v;
		p->depth--;
		return true;
	}
	if (is_digit(c)) {
		p->depth--;
		return parse_number(p, v);
	}
	if (c == '$') {
		p->pos++;
		if (!is_alpha(p->s[p->pos]) || !parse_ident(p, name, sizeof(name)))
			return fail(p, "'$' needs a variable name", NULL);
		if (p->env && !p->env->lookup(p->env->user, name, v)) {
			p->pos = start;
			return fail(p, "undefined variable '$%s'", name);
		}
		if (!p->env)
			*v = 0;
		p->depth--;
		return true;
	}
	if (is_alpha(c)) {
		if (!parse_ident(p, name, sizeof(name)))
			return false;
		if (p->s[p->pos] == '(') {
			uint64_t a[2] = {0, 0};
			unsigned n = 0, want;

			if (!strcmp(name, "lo") || !strcmp(name, "hi") || !strcmp(name, "w"))
				want = 1;
			else if (!strcmp(name, "ids"))
				want = 2;
			else {
				p->pos = start;
				return fail(p, "unknown function '%s' (lo, hi, w, ids)", name);
			}
			p->pos++;
			for (;;) {
				if (n == want)
					return fail(p, "too many arguments", NULL);
				if (!parse_expr(p, &a[n++]))
					return false;
				if (p->s[p->pos] == ',') {
					p->pos++;
					continue;
				}
				if (p->s[p->pos] != ')')
					return fail(p, "missing ')'", NULL);
				p->pos++;
				break;
			}
			if (n != want)
				return fail(p, "too few arguments", NULL);
			if (!strcmp(name, "lo") || !strcmp(name, "w"))
				*v = a[0] & 0xffffffffu;
			else if (!strcmp(name, "hi"))
				*v = a[0] >> 32;
			else
				*v = ((a[0] & 0xffffu) << 16) | (a[1] & 0xffffu);
			p->depth--;
			return true;
		}
		if (!script_symbol(name, v)) {
			p->pos = start;
			return fail(p, "unknown name '%s' (variables need '$')", name);
		}
		p->depth--;
		return true;
	}
	if (!c)
		return fail(p, "missing value", NULL);
	return fail(p, "unexpected '%s'", (char[]){c, 0});
}

static bool parse_expr(struct parser *p, uint64_t *v)
{
	if (!parse_primary(p, v))
		return false;
	for (;;) {
		const char *s = p->s + p->pos;
		uint64_t r = 0;
		int op;

		if (s[0] == '<' && s[1] == '<')
			op = 'L';
		else if (s[0] == '>' && s[1] == '>')
			op = 'R';
		else if (s[0] == '+' || s[0] == '-' || s[0] == '|' || s[0] == '&' || s[0] == '^' ||
			 s[0] == '*')
			op = s[0];
		else
			return true;
		p->pos += (op == 'L' || op == 'R') ? 2 : 1;
		if (!parse_primary(p, &r))
			return false;
		switch (op) {
		case '+': *v += r; break;
		case '-': *v -= r; break;
		case '|': *v |= r; break;
		case '&': *v &= r; break;
		case '^': *v ^= r; break;
		case '*': *v *= r; break;
		case 'L': *v = r >= 64 ? 0 : *v << r; break;
		default: *v = r >= 64 ? 0 : *v >> r; break;
		}
	}
}

bool script_expr_eval(const char *s, const struct script_env *env, uint64_t *out, size_t *errpos,
		      char *why, size_t why_len)
{
	struct parser p;
	uint64_t v = 0;
	char dummy[8];

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.env = env;
	p.why = why ? why : dummy;
	p.why_len = why ? why_len : sizeof(dummy);
	if (!parse_expr(&p, &v)) {
		if (errpos)
			*errpos = p.pos;
		return false;
	}
	if (s[p.pos]) {
		if (errpos)
			*errpos = p.pos;
		snprintf(p.why, p.why_len, "unexpected '%c' in expression", s[p.pos]);
		return false;
	}
	if (out)
		*out = v;
	return true;
}
