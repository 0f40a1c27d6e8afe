/* SPDX-License-Identifier: BSD-3-Clause */
/* The ffa-emu tool: shared declarations of its parts. */
#ifndef FFAEMU_EMU_H
#define FFAEMU_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses (documented in ffa-emu(1)). */
#define EMU_EXIT_PASS 0
#define EMU_EXIT_FAIL 1   /* an expectation failed, or a script could not run */
#define EMU_EXIT_USAGE 2  /* bad command line, or a script that does not parse */
#define EMU_EXIT_IO 3     /* a file could not be read or written */

/* A built-in suite (emu/suites.c, generated from tests/scenarios). */
struct emu_suite {
	const char *name; /* "negotiation" */
	const char *path; /* "tests/scenarios/negotiation.ffa" */
	const char *text;
	size_t len;
};

extern const struct emu_suite emu_suites[];
extern const size_t emu_suite_count;

int emu_cmd_conform(int argc, char **argv);
int emu_cmd_run(int argc, char **argv);
int emu_cmd_decode(int argc, char **argv);
int emu_cmd_trace(int argc, char **argv);
int emu_cmd_rules(int argc, char **argv);
int emu_cmd_bench(int argc, char **argv); /* emu/bench.c */

/* `ffa-emu trace --replay`: the stack to replay into. NULL/0 = defaults. */
struct emu_replay_opts {
	const char *proxy;      /* profile, "none" or plugin:PATH:SYMBOL:SHAPE */
	const char *spmc;       /* SPMC profile */
	const char *partitions; /* partition preset; default "conform" */
	const char *edge;       /* recorded edge to replay; default the caller-facing one */
	unsigned page_size;
};

struct ffaemu_trace;
int emu_trace_replay(const struct ffaemu_trace *tr, const struct emu_replay_opts *o);
/*
 * A recording can span stacks (reset, several scripts): each stack's host
 * edge counts its calls from 0. starts[i] is true where record i begins a
 * new stack. calloc'd (free it); NULL when out of memory.
 */
bool *emu_trace_stack_starts(const struct ffaemu_trace *tr);

/* Read a whole file (NUL-terminated); NULL on error (errno set). */
char *emu_read_file(const char *path, size_t *len);

#endif /* FFAEMU_EMU_H */
