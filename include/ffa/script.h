/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario scripts: a line-oriented text format (documented in
 * ffa-emu-script(5)) that configures a stack, makes calls from the host
 * endpoint, builds memory descriptors and checks replies against
 * expectations. Parsing and running are separate so that a syntax error is
 * reported, with file:line:column, before anything runs.
 *
 * The parser accepts arbitrary bytes (it never reads past len and never
 * crashes), so it can sit behind a fuzzer.
 */
#ifndef FFAEMU_SCRIPT_H
#define FFAEMU_SCRIPT_H

#include <ffa/common.h>
#include <ffa/regs.h>

FFAEMU_BEGIN_DECLS

struct ffaemu_script;
struct ffaemu_system;

/* Where and why parsing or running stopped. */
struct ffaemu_script_error {
	char file[256];   /* name given to the parser */
	unsigned line;    /* 1-based; 0 = not about a line */
	unsigned column;  /* 1-based */
	char message[256];
};

/* Format "file:line:column: message" into buf; returns snprintf's length. */
FFAEMU_API int ffaemu_script_error_format(const struct ffaemu_script_error *err, char *buf,
					  size_t len);

/*
 * Parse text[0..len) (need not be NUL-terminated). name labels messages
 * (a file name). FFAEMU_EPARSE with *err filled on a syntax error,
 * FFAEMU_ENOMEM, FFAEMU_EINVAL for bad arguments. err may be NULL.
 */
FFAEMU_API int ffaemu_script_parse(const char *name, const char *text, size_t len,
				   const struct ffaemu_allocator *alloc,
				   struct ffaemu_script **out, struct ffaemu_script_error *err);
/* Accepts NULL; clears *script. */
FFAEMU_API void ffaemu_script_free(struct ffaemu_script **script);

/* The `title` of the script, or its file name. */
FFAEMU_API const char *ffaemu_script_title(const struct ffaemu_script *script);
/* Number of `expect` statements in the text (before any `if` is decided). */
FFAEMU_API unsigned ffaemu_script_expect_count(const struct ffaemu_script *script);
/* True if the script fixes its own proxy with a `proxy` statement. */
FFAEMU_API bool ffaemu_script_sets_proxy(const struct ffaemu_script *script);
/* True if the script's `applies` statements admit this proxy profile ("none" too). */
FFAEMU_API bool ffaemu_script_applies(const struct ffaemu_script *script, const char *proxy);

/* One expectation's outcome, as reported while a script runs. */
struct ffaemu_script_outcome {
	const char *file;
	unsigned line, column;
	const char *source;        /* the statement's text (no comment, trimmed) */
	bool passed;
	const char *detail;        /* on failure: "expected ... got ..." (else "") */
	struct ffaemu_regs got;    /* the reply the expectation was checked against */
};

typedef void (*ffaemu_script_report_fn)(void *user, const struct ffaemu_script_outcome *o);
/* Called once the stack exists (and again after it is rewired). */
typedef void (*ffaemu_script_system_fn)(void *user, struct ffaemu_system *sys);

struct ffaemu_script_run_config {
	size_t size;                    /* sizeof(struct ffaemu_script_run_config) */
	const char *proxy;              /* proxy when the script sets none; default "none" */
	const char *spmc;               /* SPMC profile when the script sets none; default NULL */
	ffaemu_script_report_fn report; /* default NULL */
	ffaemu_script_system_fn on_system; /* default NULL */
	/* Called before the stack (or, for install-proxy, the old proxy) goes
	 * away: detach observers here. Default NULL. */
	ffaemu_script_system_fn on_system_end;
	void *user;
	const struct ffaemu_allocator *alloc; /* default NULL (libc) */
};

FFAEMU_API void ffaemu_script_run_config_default(struct ffaemu_script_run_config *cfg);

struct ffaemu_script_stats {
	unsigned expectations; /* expectations evaluated */
	unsigned passed;
	unsigned failed;
	unsigned calls;        /* calls made */
	unsigned skipped;      /* expect statements not reached (false `if` branches) */
};

/*
 * Run a parsed script on a fresh stack. Returns 0 when the script ran to
 * its end (expectations may still have failed: see stats), FFAEMU_EPARSE /
 * FFAEMU_ENOENT / FFAEMU_ERANGE... with *err filled when a statement could
 * not be carried out (unknown profile, memory outside RAM...).
 * stats and err may be NULL. A script is reusable: every run starts afresh.
 */
FFAEMU_API int ffaemu_script_run(const struct ffaemu_script *script,
				 const struct ffaemu_script_run_config *cfg,
				 struct ffaemu_script_stats *stats, struct ffaemu_script_error *err);

FFAEMU_END_DECLS

#endif /* FFAEMU_SCRIPT_H */
