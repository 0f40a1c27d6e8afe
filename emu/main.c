/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffa-emu: run FF-A conformance suites and scenario scripts on an emulated
 * stack, decode register values, render traces, list the rule catalogue.
 * Results go to stdout, diagnostics to stderr; exit statuses in emu.h and
 * ffa-emu(1).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <ffa/check.h>
#include <ffa/trace.h>
#include <ffa/version.h>

#include "emu.h"

static void usage(FILE *o)
{
	fprintf(o,
		"usage: ffa-emu COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Commands:\n"
		"  conform   run the built-in FF-A conformance suites\n"
		"  run       run scenario scripts (ffa-emu-script(5))\n"
		"  decode    decode function IDs, error codes, versions or a register dump\n"
		"  trace     print or draw a recorded JSON Lines trace\n"
		"  rules     list the conformance-rule catalogue\n"
		"  bench     time emulated calls (median ns per operation)\n"
		"\n"
		"`ffa-emu COMMAND --help` describes each command; see also ffa-emu(1).\n"
		"Exit status: 0 pass, 1 failures, 2 usage or syntax error, 3 I/O error.\n");
}

static void usage_trace(FILE *o)
{
	fprintf(o,
		"usage: ffa-emu trace [--format human|jsonl|mermaid|svg] [--check] FILE\n"
		"       ffa-emu trace --replay [--proxy PROFILE|none|plugin:PATH:SYMBOL:SHAPE]\n"
		"                     [--spmc PROFILE] [--partitions PRESET] [--page-size N]\n"
		"                     [--edge NAME] FILE\n"
		"\n"
		"Read a JSON Lines trace (from `ffa-emu run --trace FILE`) and print it as\n"
		"text (default), JSON Lines, a Mermaid sequence diagram or an SVG drawing.\n"
		"  --format F   human (default), jsonl, mermaid or svg\n"
		"  --check      also run the conformance checker over the trace; exit 1 if\n"
		"               any rule is violated (violations go to stderr)\n"
		"\n"
		"With --replay, send the trace's outermost calls on its caller-facing edge\n"
		"(--edge to choose another) into a new stack built from --proxy (default\n"
		"none), --spmc, --partitions (default conform) and --page-size, and print\n"
		"each call whose reply differs, register by register. The TX bytes a call\n"
		"read (descriptors) are written back first; a new stack starts where the\n"
		"recording started one (reset).\n"
		"\n"
		"Exit status: 0 no violation/difference, 1 violations or differences,\n"
		"2 usage or trace syntax error, 3 I/O error.\n");
}

static void usage_rules(FILE *o)
{
	fprintf(o,
		"usage: ffa-emu rules [--severity info|warning|error]\n"
		"\n"
		"List the conformance rules the checker enforces: ID, severity, side\n"
		"(caller or callee), the spec section, and what must hold.\n");
}

int emu_cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"check", no_argument, NULL, 'c'},
		{"replay", no_argument, NULL, 'r'},
		{"proxy", required_argument, NULL, 'p'},
		{"spmc", required_argument, NULL, 's'},
		{"partitions", required_argument, NULL, 'P'},
		{"page-size", required_argument, NULL, 'g'},
		{"edge", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct emu_replay_opts ro = {0};
	bool replay = false, stack_opt = false, fmt_opt = false;
	enum ffaemu_trace_format fmt = FFAEMU_TRACE_HUMAN;
	struct ffaemu_trace_parse_error perr;
	struct ffaemu_trace *tr = NULL;
	bool check = false;
	char *text;
	size_t len;
	int opt, rc, status = EMU_EXIT_PASS;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:crp:s:P:g:e:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': replay = true; break;
		case 'p': ro.proxy = optarg; stack_opt = true; break;
		case 's': ro.spmc = optarg; stack_opt = true; break;
		case 'P': ro.partitions = optarg; stack_opt = true; break;
		case 'e': ro.edge = optarg; stack_opt = true; break;
		case 'g': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 0);

			if (*optarg < '0' || *optarg > '9' || *end || (v != 4096 && v != 16384 &&
								       v != 65536)) {
				fprintf(stderr, "ffa-emu trace: --page-size must be 4096, 16384 or 65536\n");
				return EMU_EXIT_USAGE;
			}
			ro.page_size = (unsigned)v;
			stack_opt = true;
			break;
		}
		case 'f':
			fmt_opt = true;
			if (!strcmp(optarg, "human") || !strcmp(optarg, "text"))
				fmt = FFAEMU_TRACE_HUMAN;
			else if (!strcmp(optarg, "jsonl"))
				fmt = FFAEMU_TRACE_JSONL;
			else if (!strcmp(optarg, "mermaid"))
				fmt = FFAEMU_TRACE_MERMAID;
			else if (!strcmp(optarg, "svg"))
				fmt = FFAEMU_TRACE_SVG;
			else {
				fprintf(stderr, "ffa-emu trace: unknown format '%s'\n", optarg);
				return EMU_EXIT_USAGE;
			}
			break;
		case 'c': check = true; break;
		case 'h': usage_trace(stdout); return EMU_EXIT_PASS;
		default: usage_trace(stderr); return EMU_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage_trace(stderr);
		return EMU_EXIT_USAGE;
	}
	if (replay ? (fmt_opt || check) : stack_opt) {
		fprintf(stderr, replay ? "ffa-emu trace: --replay does not take --format or --check\n"
				       : "ffa-emu trace: --proxy, --spmc, --partitions, --page-size "
					 "and --edge need --replay\n");
		return EMU_EXIT_USAGE;
	}
	text = emu_read_file(argv[optind], &len);
	if (!text) {
		perror(argv[optind]);
		return EMU_EXIT_IO;
	}
	rc = ffaemu_trace_read_jsonl(text, len, NULL, &tr, &perr);
	free(text);
	if (rc) {
		fprintf(stderr, "%s:%zu:%zu: %s\n", argv[optind], perr.line, perr.column,
			perr.message);
		return EMU_EXIT_USAGE;
	}
	if (replay) {
		status = emu_trace_replay(tr, &ro);
		ffaemu_trace_free(&tr);
		return status;
	}
	if (ffaemu_trace_write_file(tr, fmt, stdout) < 0)
		status = EMU_EXIT_IO;
	if (check) {
		struct ffaemu_check *ck = NULL;

		bool *starts = emu_trace_stack_starts(tr);
		int crc = !starts || ffaemu_check_new(NULL, &ck);

		/* as online: protocol state starts afresh with each stack of the recording */
		for (size_t i = 0; !crc && i < ffaemu_trace_count(tr); i++) {
			if (starts[i])
				ffaemu_check_new_stack(ck);
			crc = ffaemu_check_record(ck, ffaemu_trace_at(tr, i)) < 0;
		}
		free(starts);
		if (crc) {
			fprintf(stderr, "ffa-emu trace: checker failed\n");
			status = EMU_EXIT_IO;
		} else {
			ffaemu_check_print(ck, 0, stderr);
			fprintf(stderr, "%llu rule violation(s)\n",
				(unsigned long long)ffaemu_check_count(ck));
			if (ffaemu_check_count(ck) && status == EMU_EXIT_PASS)
				status = EMU_EXIT_FAIL;
		}
		ffaemu_check_free(&ck);
	}
	ffaemu_trace_free(&tr);
	return status;
}

int emu_cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{"severity", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum ffaemu_check_severity min = FFAEMU_CHECK_INFO;
	size_t shown = 0;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (ffaemu_check_severity_parse(optarg, &min)) {
				fprintf(stderr, "ffa-emu rules: unknown severity '%s'\n", optarg);
				return EMU_EXIT_USAGE;
			}
			break;
		case 'h': usage_rules(stdout); return EMU_EXIT_PASS;
		default: usage_rules(stderr); return EMU_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage_rules(stderr);
		return EMU_EXIT_USAGE;
	}
	for (size_t i = 0; i < ffaemu_check_rule_count(); i++) {
		const struct ffaemu_check_rule *r = ffaemu_check_rule_at(i);

		if (!r || r->severity < min)
			continue;
		printf("%-22s %-7s %-6s %s\n%22s   [%s]\n", r->id, ffaemu_check_severity_name(r->severity),
		       ffaemu_check_side_name(r->side), r->statement, "", r->spec);
		shown++;
	}
	if (shown == ffaemu_check_rule_count())
		printf("%zu rules\n", shown);
	else
		printf("%zu of %zu rules\n", shown, ffaemu_check_rule_count());
	return fflush(stdout) ? EMU_EXIT_IO : EMU_EXIT_PASS;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"conform", emu_cmd_conform},
		{"run", emu_cmd_run},
		{"decode", emu_cmd_decode},
		{"trace", emu_cmd_trace},
		{"rules", emu_cmd_rules},
		{"bench", emu_cmd_bench},
	};

	if (argc < 2) {
		usage(stderr);
		return EMU_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
				if (!strcmp(argv[2], cmds[i].name)) {
					char *av[] = {argv[2], (char *)"--help", NULL};

					return cmds[i].fn(2, av);
				}
			}
		}
		usage(stdout);
		return EMU_EXIT_PASS;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ffa-emu %d.%d.%d\n", FFAEMU_API_VERSION_MAJOR, FFAEMU_API_VERSION_MINOR,
		       FFAEMU_API_VERSION_PATCH);
		return EMU_EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ffa-emu: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EMU_EXIT_USAGE;
}
