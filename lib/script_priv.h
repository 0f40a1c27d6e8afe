/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: the parsed form of a scenario script, shared by parser and interpreter. */
#ifndef FFAEMU_LIB_SCRIPT_PRIV_H
#define FFAEMU_LIB_SCRIPT_PRIV_H

#include <ffa/script.h>

#include "alloc.h"

#if defined(__GNUC__) || defined(__clang__)
#define SCRIPT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SCRIPT_PRINTF(f, a)
#endif

#define SCRIPT_MAX_LINE 4096
#define SCRIPT_MAX_TOKS 64
#define SCRIPT_MAX_TOK_LEN 200
#define SCRIPT_MAX_STMTS 100000
#define SCRIPT_MAX_DEPTH 16
#define SCRIPT_MAX_EMADS 8
#define SCRIPT_MAX_RANGES 64
#define SCRIPT_MAX_VARS 128
#define SCRIPT_MAX_DESC 8192

enum script_kind {
	ST_NONE = 0,
	ST_TITLE,
	ST_APPLIES,
	ST_PROXY,
	ST_SPMC,
	ST_PARTITIONS,
	ST_PAGE_SIZE,
	ST_SMCCC,
	ST_RAM,
	ST_FAULT,
	ST_INSTALL_PROXY,
	ST_CALL,
	ST_EXPECT,
	ST_EXPECT_MEM,
	ST_CAPTURE,
	ST_SET,
	ST_WRITE,
	ST_FILL,
	ST_DESC,
	ST_FRAG,
	ST_IF,
	ST_ELIF,
	ST_ELSE,
	ST_END,
	ST_ECHO,
	ST_RESET
};

struct script_tok {
	char *s;
	unsigned col;
};

struct script_stmt {
	enum script_kind kind;
	unsigned line, col;
	char *src;             /* statement text, comment removed */
	struct script_tok *t;
	unsigned nt;
	size_t next;           /* if/elif/else: next branch head or end */
	size_t end;            /* if/elif/else: the matching end */
};

struct ffaemu_script {
	struct ffaemu_alloc alloc;
	char *name;
	char *title;
	struct script_stmt *stmts;
	size_t nstmts, cap;
	unsigned expects;
	bool sets_proxy;
};

/* Variable lookup for expression evaluation. */
struct script_env {
	bool (*lookup)(void *user, const char *name, uint64_t *out);
	void *user;
};

/*
 * Evaluate an expression (grammar in ffa-emu-script(5)). With env NULL,
 * only the syntax is checked (variables are not looked up; out may be
 * NULL). On failure *errpos is the byte offset of the problem.
 */
bool script_expr_eval(const char *s, const struct script_env *env, uint64_t *out,
		      size_t *errpos, char *why, size_t why_len);
/* Resolve a symbolic name (ABI, error, SMCCC call) to its value. */
bool script_symbol(const char *name, uint64_t *out);

int script_reg_parse(const char *s, size_t n, bool *wide);
bool script_valid_var(const char *s);
int script_mem_type(const char *s, size_t n);
int script_size_parse(const char *s, uint64_t *out);
bool script_glob(const char *pat, const char *s);
bool script_glob_list(const char *list, const char *s);

#endif /* FFAEMU_LIB_SCRIPT_PRIV_H */
