/* SPDX-License-Identifier: BSD-3-Clause */
/* Shape strings: parser, checker, canonical printer, presets (grammar in ffa/ffi.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <ffa/ffi.h>

#include "ffi_priv.h"

/*
 * The signatures of the codebases the library is tested against. Each
 * comment names the client function the shape stands for.
 */
static const struct {
	const char *name;
	const char *shape;
} presets[] = {
	/* Linux drivers/firmware/arm_ffa invoke_ffa_fn(ffa_value_t, ffa_value_t *) */
	{"linux", "void(struct18 in, struct18* out)"},
	/* U-Boot drivers/firmware/arm-ffa: the same ffa_value_t convention */
	{"uboot", "void(struct18 in, struct18* out)"},
	/* Linux arm_smccc_1_2_smc(const struct arm_smccc_1_2_regs *, ... *res) */
	{"linux-regs", "void(struct18* in, struct18* out)"},
	/* Xen arm_smccc_1_2_smc(): the same register structs */
	{"xen", "void(struct18* in, struct18* out)"},
	/* Arm FF-A ACS, Linux-app PAL: one pointer, 18 registers in and out */
	{"acs", "void(struct18* inout)"},
	/* TF-A tests: u_register_t fn(struct ffa_value *), returns x0 */
	{"tftf", "u64(struct18* inout)"},
	/* Hafnium: struct ffa_value fn(struct ffa_value), 18 x u64 + bool */
	{"hafnium", "struct18b(struct18b in)"},
	/* EDK2 ArmFfaLib: ArmCallSmc(ARM_SMC_ARGS *), 18 UINTN in/out */
	{"edk2", "void(struct18* inout)"},
	/* Trusted Services libsp: fn(a0..a7, struct ffa_params *result) */
	{"ts", "void(u64, u64, u64, u64, u64, u64, u64, u64, struct8* out)"},
	/* Trusty: struct smc_ret8 smc8(ulong r0..r7) */
	{"trusty", "struct8(ulong, ulong, ulong, ulong, ulong, ulong, ulong, ulong)"},
	/* OP-TEE: thread_smccc(struct thread_smc_args *), x0-x7 in/out */
	{"optee", "void(struct8* inout)"},
	{"args8", "void(struct8* inout)"},
};

#define NPRESETS (sizeof(presets) / sizeof(presets[0]))

size_t ffaemu_ffi_preset_count(void)
{
	return NPRESETS;
}

const char *ffaemu_ffi_preset_name(size_t index, const char **shape)
{
	if (index >= NPRESETS) {
		if (shape)
			*shape = NULL;
		return NULL;
	}
	if (shape)
		*shape = presets[index].shape;
	return presets[index].name;
}

const char *ffaemu_ffi_preset_shape(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NPRESETS; i++)
		if (strcmp(presets[i].name, name) == 0)
			return presets[i].shape;
	return NULL;
}

/* ---- Tokenizer ---- */

enum tok_kind { T_END, T_WORD, T_LPAREN, T_RPAREN, T_COMMA, T_STAR, T_BAD };

struct lexer {
	const char *text;
	size_t pos;
	/* current token */
	enum tok_kind kind;
	size_t start;
	size_t len;
};

static void lex_next(struct lexer *lx)
{
	const char *s = lx->text;

	while (s[lx->pos] && isspace((unsigned char)s[lx->pos]))
		lx->pos++;
	lx->start = lx->pos;
	lx->len = 1;
	switch (s[lx->pos]) {
	case '\0':
		lx->kind = T_END;
		lx->len = 0;
		return;
	case '(':
		lx->kind = T_LPAREN;
		break;
	case ')':
		lx->kind = T_RPAREN;
		break;
	case ',':
		lx->kind = T_COMMA;
		break;
	case '*':
		lx->kind = T_STAR;
		break;
	default:
		if (isalnum((unsigned char)s[lx->pos]) || s[lx->pos] == '_') {
			size_t e = lx->pos;
			while (isalnum((unsigned char)s[e]) || s[e] == '_')
				e++;
			lx->kind = T_WORD;
			lx->len = e - lx->pos;
			lx->pos = e;
			return;
		}
		lx->kind = T_BAD;
		return;
	}
	lx->pos++;
}

static bool tok_is(const struct lexer *lx, const char *word)
{
	return lx->kind == T_WORD && strlen(word) == lx->len &&
	       memcmp(lx->text + lx->start, word, lx->len) == 0;
}

/* Parse a decimal number of at most 2 digits from s[0..len). */
static bool parse_small(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 2)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* "structN" or "structNb": fills nregs/tail. */
static bool parse_struct_word(const struct lexer *lx, struct ffaemu_ffi_item *it)
{
	const char *w = lx->text + lx->start;
	size_t n = lx->len;
	unsigned v;
	bool tail = false;

	if (n <= 6 || memcmp(w, "struct", 6) != 0)
		return false;
	w += 6;
	n -= 6;
	if (w[n - 1] == 'b') {
		tail = true;
		n--;
	}
	if (!parse_small(w, n, &v) || v < 1 || v > FFAEMU_NREGS)
		return false;
	it->nregs = (uint8_t)v;
	it->tail_bool = tail;
	return true;
}

/* "xK": a register name. */
static bool parse_reg_word(const struct lexer *lx, unsigned *reg)
{
	unsigned v;

	if (lx->kind != T_WORD || lx->len < 2 || lx->text[lx->start] != 'x')
		return false;
	if (!parse_small(lx->text + lx->start + 1, lx->len - 1, &v) || v >= FFAEMU_NREGS)
		return false;
	*reg = v;
	return true;
}

static bool parse_scalar_word(const struct lexer *lx, struct ffaemu_ffi_item *it)
{
	if (tok_is(lx, "u64") || tok_is(lx, "ulong") || tok_is(lx, "uint64_t")) {
		it->kind = FFAEMU_FFI_U64;
		return true;
	}
	if (tok_is(lx, "u32") || tok_is(lx, "uint32_t")) {
		it->kind = FFAEMU_FFI_U32;
		return true;
	}
	return false;
}

static void skip_const(struct lexer *lx)
{
	while (tok_is(lx, "const"))
		lex_next(lx);
}

/*
 * One type with its annotations. is_ret: a return type (no '*', no dir).
 * *next_reg: the register a scalar without "xK" takes.
 */
static int parse_item(struct lexer *lx, struct ffaemu_ffi_item *it, bool is_ret,
		      unsigned *next_reg)
{
	bool explicit_reg = false;
	unsigned reg = 0;

	memset(it, 0, sizeof(*it));
	skip_const(lx);
	if (tok_is(lx, "void")) {
		lex_next(lx);
		if (is_ret) {
			it->kind = FFAEMU_FFI_VOID;
			return 0;
		}
		skip_const(lx);
		if (lx->kind != T_STAR)
			return FFAEMU_EPARSE;
		/* void* is the 18-register struct (the ACS PAL's convention). */
		it->kind = FFAEMU_FFI_PTR;
		it->nregs = FFAEMU_NREGS;
		it->dir = FFAEMU_FFI_INOUT;
		lex_next(lx);
		skip_const(lx);
	} else if (parse_scalar_word(lx, it)) {
		lex_next(lx);
		if (parse_reg_word(lx, &reg)) {
			explicit_reg = true;
			lex_next(lx);
		}
		if (is_ret) {
			it->reg = (uint8_t)(explicit_reg ? reg : 0);
			return 0;
		}
		if (!explicit_reg)
			reg = *next_reg;
		if (reg >= FFAEMU_NREGS)
			return FFAEMU_EINVAL;
		it->reg = (uint8_t)reg;
		it->dir = FFAEMU_FFI_IN;
		*next_reg = reg + 1;
		return 0;
	} else if (lx->kind == T_WORD && parse_struct_word(lx, it)) {
		lex_next(lx);
		skip_const(lx);
		if (lx->kind == T_STAR) {
			if (is_ret)
				return FFAEMU_EPARSE;
			it->kind = FFAEMU_FFI_PTR;
			it->dir = FFAEMU_FFI_INOUT;
			lex_next(lx);
			skip_const(lx);
		} else {
			it->kind = FFAEMU_FFI_STRUCT;
			it->dir = is_ret ? FFAEMU_FFI_OUT : FFAEMU_FFI_IN;
		}
		if (is_ret)
			return 0;
	} else {
		return FFAEMU_EPARSE;
	}
	/* direction keyword of a struct or pointer parameter */
	if (tok_is(lx, "in"))
		it->dir = FFAEMU_FFI_IN;
	else if (tok_is(lx, "out"))
		it->dir = FFAEMU_FFI_OUT;
	else if (tok_is(lx, "inout"))
		it->dir = FFAEMU_FFI_INOUT;
	else
		return 0;
	lex_next(lx);
	return 0;
}

static int shape_parse_text(const char *text, struct ffaemu_ffi_shape *s, size_t *err_pos)
{
	struct lexer lx = {.text = text};
	unsigned next_reg = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	lex_next(&lx);
	rc = parse_item(&lx, &s->ret, true, &next_reg);
	if (rc)
		goto fail;
	rc = FFAEMU_EPARSE;
	if (lx.kind != T_LPAREN)
		goto fail;
	lex_next(&lx);
	if (lx.kind == T_RPAREN) {
		lex_next(&lx);
		goto end;
	}
	if (tok_is(&lx, "void")) {
		/* "(void)" is an empty list; "(void* ...)" is a parameter */
		struct lexer peek = lx;
		lex_next(&peek);
		if (peek.kind == T_RPAREN) {
			lx = peek;
			lex_next(&lx);
			goto end;
		}
	}
	for (;;) {
		if (s->nparams >= FFAEMU_FFI_MAX_PARAMS) {
			rc = FFAEMU_EINVAL;
			goto fail;
		}
		rc = parse_item(&lx, &s->params[s->nparams], false, &next_reg);
		if (rc)
			goto fail;
		s->nparams++;
		rc = FFAEMU_EPARSE;
		if (lx.kind == T_COMMA) {
			lex_next(&lx);
			continue;
		}
		if (lx.kind != T_RPAREN)
			goto fail;
		lex_next(&lx);
		break;
	}
end:
	rc = FFAEMU_EPARSE;
	if (lx.kind != T_END)
		goto fail;
	rc = ffaemu_ffi_shape_check(s);
	if (rc)
		goto fail;
	return 0;
fail:
	if (err_pos)
		*err_pos = lx.start;
	return rc;
}

int ffaemu_ffi_shape_parse(const char *text, struct ffaemu_ffi_shape *out, size_t *err_pos)
{
	const char *preset;
	struct ffaemu_ffi_shape tmp;
	int rc;

	if (!text || !out)
		return FFAEMU_EINVAL;
	preset = ffaemu_ffi_preset_shape(text);
	/* out changes only on success */
	rc = shape_parse_text(preset ? preset : text, &tmp, err_pos);
	if (rc == 0)
		*out = tmp;
	return rc;
}

static bool item_valid(const struct ffaemu_ffi_item *it, bool is_ret)
{
	switch (it->kind) {
	case FFAEMU_FFI_VOID:
		return is_ret;
	case FFAEMU_FFI_U64:
	case FFAEMU_FFI_U32:
		return it->reg < FFAEMU_NREGS && (is_ret || it->dir == FFAEMU_FFI_IN);
	case FFAEMU_FFI_STRUCT:
		/* A by-value struct parameter cannot carry results back. */
		if (it->nregs < 1 || it->nregs > FFAEMU_NREGS)
			return false;
		return is_ret ? it->dir == FFAEMU_FFI_OUT : it->dir == FFAEMU_FFI_IN;
	case FFAEMU_FFI_PTR:
		return !is_ret && it->nregs >= 1 && it->nregs <= FFAEMU_NREGS &&
		       it->dir >= FFAEMU_FFI_IN && it->dir <= FFAEMU_FFI_INOUT;
	default:
		return false;
	}
}

int ffaemu_ffi_shape_check(const struct ffaemu_ffi_shape *s)
{
	bool has_result;

	if (!s || s->size < sizeof(*s) || s->nparams > FFAEMU_FFI_MAX_PARAMS)
		return FFAEMU_EINVAL;
	if (!item_valid(&s->ret, true))
		return FFAEMU_EINVAL;
	has_result = s->ret.kind != FFAEMU_FFI_VOID;
	for (uint32_t i = 0; i < s->nparams; i++) {
		if (!item_valid(&s->params[i], false))
			return FFAEMU_EINVAL;
		if (s->params[i].kind == FFAEMU_FFI_PTR && (s->params[i].dir & FFAEMU_FFI_OUT))
			has_result = true;
	}
	return has_result ? 0 : FFAEMU_EINVAL;
}

/* Append text to buf like snprintf, tracking the would-be length. */
static void put(char *buf, size_t len, size_t *at, const char *text)
{
	size_t n = strlen(text);

	if (*at < len) {
		size_t room = len - *at - 1;
		size_t c = n < room ? n : room;
		memcpy(buf + *at, text, c);
		buf[*at + c] = '\0';
	}
	*at += n;
}

static void put_item(char *buf, size_t len, size_t *at, const struct ffaemu_ffi_item *it,
		     bool is_ret)
{
	static const char *const dirs[] = {"", " in", " out", " inout"};
	char num[24];

	switch (it->kind) {
	case FFAEMU_FFI_VOID:
		put(buf, len, at, "void");
		break;
	case FFAEMU_FFI_U64:
	case FFAEMU_FFI_U32:
		snprintf(num, sizeof(num), " x%u", (unsigned)it->reg);
		put(buf, len, at, it->kind == FFAEMU_FFI_U64 ? "u64" : "u32");
		put(buf, len, at, num);
		break;
	default:
		snprintf(num, sizeof(num), "struct%u", (unsigned)it->nregs);
		put(buf, len, at, num);
		if (it->tail_bool)
			put(buf, len, at, "b");
		if (it->kind == FFAEMU_FFI_PTR)
			put(buf, len, at, "*");
		if (!is_ret)
			put(buf, len, at, dirs[it->dir & 3]);
		break;
	}
}

int ffaemu_ffi_shape_format(const struct ffaemu_ffi_shape *s, char *buf, size_t len)
{
	size_t at = 0;

	if (ffaemu_ffi_shape_check(s) || (!buf && len))
		return FFAEMU_EINVAL;
	if (len)
		buf[0] = '\0';
	put_item(buf, len, &at, &s->ret, true);
	put(buf, len, &at, "(");
	if (s->nparams == 0)
		put(buf, len, &at, "void");
	for (uint32_t i = 0; i < s->nparams; i++) {
		if (i)
			put(buf, len, &at, ", ");
		put_item(buf, len, &at, &s->params[i], false);
	}
	put(buf, len, &at, ")");
	return at > (size_t)0x7fffffff ? FFAEMU_ERANGE : (int)at;
}
