/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `ffa-emu conform` and `ffa-emu run`: run scenario scripts on fresh
 * stacks, check every call with the conformance checker, and report in
 * text, TAP version 13 or JUnit XML.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ffa/check.h>
#include <ffa/ffi.h>
#include <ffa/mem.h>
#include <ffa/proxy.h>
#include <ffa/script.h>
#include <ffa/spmc.h>
#include <ffa/system.h>
#include <ffa/trace.h>

#include "emu.h"

enum fmt { FMT_TEXT, FMT_TAP, FMT_JUNIT };

struct outcome {
	unsigned line;
	char *source;
	bool passed;
	char *detail;
};

/* One script on one proxy profile. */
struct job {
	char name[96];       /* suite name */
	char proxy[96];      /* profile the run started with */
	const char *file;
	struct ffaemu_script *script;
	struct ffaemu_script_stats st;
	int rc;              /* script error (0 = ran to the end) */
	char error[512];
	uint64_t violations;     /* callee-side: the stack under test broke a rule */
	uint64_t caller_viol;    /* caller-side: the script's own (often deliberate) misuse */
	double seconds;
	struct outcome *out;
	size_t nout, cap;
	char **viol_text;
	size_t nviol;
};

/* host, proxy (two SMCCC versions), hypervisor edge, every partition's edge */
#define EMU_MAX_ATTACHED 64

struct ctx {
	enum fmt fmt;
	bool verbose;
	bool strict;
	struct ffaemu_check *check;
	struct ffaemu_trace *trace;
	struct ffaemu_edge *attached[EMU_MAX_ATTACHED];
	size_t nattached;
	struct job *job;
	unsigned tap_n;
	struct ffaemu_node *plugin; /* --proxy plugin:...: the user's proxy node */
	struct ffaemu_mem *mem;     /* the running stack's memory, for the tracer */
	bool no_times;              /* --no-times: byte-identical reports */
	size_t seen_stored;         /* checker violations already harvested */
	uint64_t seen_total;
};

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p) {
		fprintf(stderr, "ffa-emu: out of memory\n");
		exit(EMU_EXIT_IO);
	}
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *emu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* ---- observers ---- */

static int read_mem(void *user, uint64_t pa, void *dst, size_t len)
{
	struct ctx *c = user;

	return c->mem ? ffaemu_mem_read(c->mem, pa, dst, len) : FFAEMU_ENOENT;
}

static void attach(struct ctx *c, struct ffaemu_edge *e)
{
	if (!e || c->nattached == EMU_MAX_ATTACHED)
		return;
	for (size_t i = 0; i < c->nattached; i++)
		if (c->attached[i] == e)
			return;
	/* A checker following the tracer sees the tracer's edges through it (main). */
	if (c->check && !c->trace)
		ffaemu_check_attach(c->check, e);
	if (c->trace)
		ffaemu_trace_attach(c->trace, e);
	c->attached[c->nattached++] = e;
}

static void on_system(void *user, struct ffaemu_system *sys)
{
	struct ctx *c = user;
	struct ffaemu_proxy *p;

	/* A plug-in proxy takes the proxy's place on a stack built with "none";
	 * it calls EL3 through the system's hypervisor edge. */
	if (c->plugin && !ffaemu_system_proxy(sys) &&
	    !strcmp(ffaemu_system_proxy_name(sys), "none")) {
		ffaemu_system_set_proxy_node(sys, c->plugin);
		ffaemu_plugin_set_down(c->plugin, ffaemu_system_proxy_edge(sys), NULL);
		attach(c, ffaemu_system_proxy_edge(sys));
	}
	p = ffaemu_system_proxy(sys);
	c->mem = ffaemu_system_mem(sys);
	/*
	 * A host edge that made no call yet is a fresh stack (a run's first, or
	 * after `reset`): what callers negotiated, own and hold on the last one
	 * means nothing here. A proxy installed mid-run keeps the stack.
	 */
	{
		struct ffaemu_edge_stats st;

		ffaemu_edge_get_stats(ffaemu_system_host_edge(sys), &st);
		if (!st.calls) {
			if (c->trace)
				ffaemu_trace_new_stack(c->trace);
			if (c->check)
				ffaemu_check_new_stack(c->check);
		}
	}

	attach(c, ffaemu_system_host_edge(sys));
	if (p) {
		attach(c, ffaemu_proxy_down_edge(p, FFAEMU_SMCCC_1_1));
		attach(c, ffaemu_proxy_down_edge(p, FFAEMU_SMCCC_1_2));
	}
	/* Partitions' own calls (sp8005->spmc), nested inside the request that
	 * entered them: traced and checked like every other edge. */
	{
		struct ffaemu_spmc *spmc = ffaemu_system_spmc(sys);

		for (size_t i = 0; i < ffaemu_spmc_sp_count(spmc); i++)
			attach(c, ffaemu_spmc_sp_edge(spmc, ffaemu_spmc_sp_id_at(spmc, i)));
	}
}

/*
 * Collect the checker's findings since the last harvest for the current job.
 * Protocol state is not dropped here: a proxy installed mid-run is the same
 * stack (see on_system), and the offline checker sees it the same way.
 */
static void harvest(struct ctx *c)
{
	struct job *j = c->job;
	size_t stored;
	uint64_t total;

	if (!c->check || !j)
		return;
	stored = ffaemu_check_stored(c->check);
	total = ffaemu_check_count(c->check);
	for (size_t i = c->seen_stored; i < stored; i++) {
		const struct ffaemu_check_violation *v = ffaemu_check_violation_at(c->check, i);
		char buf[512];
		char **nv;

		if (!v || !v->rule)
			continue;
		if (v->rule->side == FFAEMU_CHECK_CALLER) {
			j->caller_viol++;
			if (!c->verbose)
				continue;
		} else {
			j->violations++;
		}
		ffaemu_check_violation_format(v, buf, sizeof(buf));
		nv = realloc(j->viol_text, (j->nviol + 1) * sizeof(*nv));
		if (!nv)
			continue;
		j->viol_text = nv;
		j->viol_text[j->nviol++] = xstrdup(buf);
	}
	/* violations past the store limit still count */
	if (total - c->seen_total > stored - c->seen_stored)
		j->violations += (total - c->seen_total) - (stored - c->seen_stored);
	c->seen_stored = stored;
	c->seen_total = total;
}

/* The job is over: the next one starts with a clean checker. */
static void harvest_last(struct ctx *c)
{
	harvest(c);
	if (c->check)
		ffaemu_check_reset(c->check);
	c->seen_stored = 0;
	c->seen_total = 0;
}

static void on_system_end(void *user, struct ffaemu_system *sys)
{
	struct ctx *c = user;

	harvest(c);
	c->mem = NULL;
	if (c->plugin && ffaemu_system_proxy_name(sys) == ffaemu_node_name(c->plugin)) {
		ffaemu_plugin_set_down(c->plugin, NULL, NULL);
		ffaemu_system_set_proxy_node(sys, NULL);
	}
	for (size_t i = 0; i < c->nattached; i++) {
		if (c->check && !c->trace)
			ffaemu_check_detach(c->check, c->attached[i]);
		if (c->trace)
			ffaemu_trace_detach(c->trace, c->attached[i]);
	}
	c->nattached = 0;
}

/* ---- TAP (version 13) ---- */

static void tap_escape_line(const char *s)
{
	for (; *s; s++)
		putchar(*s == '#' ? '_' : (*s == '\n' ? ' ' : *s));
}

static void yaml_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < 0x20)
			continue;
		putchar(*s);
	}
	putchar('"');
}

static void report(void *user, const struct ffaemu_script_outcome *o)
{
	struct ctx *c = user;
	struct job *j = c->job;
	struct outcome *oc;

	if (j->nout == j->cap) {
		size_t ncap = j->cap ? j->cap * 2 : 64;
		struct outcome *n = realloc(j->out, ncap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "ffa-emu: out of memory\n");
			exit(EMU_EXIT_IO);
		}
		j->out = n;
		j->cap = ncap;
	}
	oc = &j->out[j->nout++];
	oc->line = o->line;
	oc->source = xstrdup(o->source);
	oc->passed = o->passed;
	oc->detail = xstrdup(o->detail);
	if (c->fmt == FMT_TAP) {
		printf("%sok %u - %s [%s] %s:%u: ", o->passed ? "" : "not ", ++c->tap_n, j->name,
		       j->proxy, o->file, o->line);
		tap_escape_line(o->source);
		putchar('\n');
		if (!o->passed) {
			printf("  ---\n  message: ");
			yaml_str(o->detail);
			printf("\n  severity: fail\n  ...\n");
		}
	} else if (c->fmt == FMT_TEXT && (!o->passed || c->verbose)) {
		printf("%s %s [%s] %s:%u: %s\n", o->passed ? "ok  " : "FAIL", j->name, j->proxy,
		       o->file, o->line, o->source);
		if (!o->passed)
			printf("     %s\n", o->detail);
	}
}

/* ---- running ---- */

static void run_job(struct ctx *c, struct job *j, const char *spmc)
{
	struct ffaemu_script_run_config rc;
	struct ffaemu_script_error err;
	double t0;

	ffaemu_script_run_config_default(&rc);
	rc.proxy = c->plugin ? "none" : j->proxy;
	rc.spmc = spmc;
	rc.report = report;
	rc.on_system = on_system;
	rc.on_system_end = on_system_end;
	rc.user = c;
	c->job = j;
	t0 = now();
	j->rc = ffaemu_script_run(j->script, &rc, &j->st, &err);
	j->seconds = now() - t0;
	if (j->rc)
		ffaemu_script_error_format(&err, j->error, sizeof(j->error));
	harvest_last(c);
	if (j->rc) {
		if (c->fmt == FMT_TAP) {
			printf("not ok %u - %s [%s] script error\n  ---\n  message: ", ++c->tap_n,
			       j->name, j->proxy);
			yaml_str(j->error);
			printf("\n  severity: fail\n  ...\n");
		} else if (c->fmt == FMT_TEXT) {
			printf("ERROR %s [%s] %s\n", j->name, j->proxy, j->error);
		}
	}
	if (c->fmt == FMT_TAP) {
		for (size_t i = 0; i < j->nviol; i++) {
			printf("# rule violation [%s]: ", j->proxy);
			tap_escape_line(j->viol_text[i]);
			putchar('\n');
		}
		if (c->strict && j->violations)
			printf("not ok %u - %s [%s] %llu rule violation(s)\n", ++c->tap_n, j->name,
			       j->proxy, (unsigned long long)j->violations);
	} else if (c->fmt == FMT_TEXT && c->verbose) {
		for (size_t i = 0; i < j->nviol; i++)
			printf("rule %s [%s]: %s\n", j->name, j->proxy, j->viol_text[i]);
	}
}

static bool job_failed(const struct ctx *c, const struct job *j)
{
	return j->rc || j->st.failed || (c->strict && j->violations);
}

/* ---- JUnit XML (the common Jenkins/Ant schema) ---- */

static void xml_attr(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		case '\'': fputs("&apos;", stdout); break;
		default:
			if ((unsigned char)*s >= 0x20)
				putchar(*s);
		}
	}
}

static void junit(const struct ctx *c, struct job *jobs, size_t n, double total)
{
	unsigned tests = 0, failures = 0, errors = 0;

	for (size_t i = 0; i < n; i++) {
		tests += (unsigned)jobs[i].nout + (jobs[i].rc ? 1u : 0u) +
			 (c->strict && jobs[i].violations ? 1u : 0u);
		failures += jobs[i].st.failed + (c->strict && jobs[i].violations ? 1u : 0u);
		errors += jobs[i].rc ? 1u : 0u;
	}
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	printf("<testsuites name=\"ffa-emu\" tests=\"%u\" failures=\"%u\" errors=\"%u\" time=\"%.6f\">\n",
	       tests, failures, errors, total);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		unsigned t = (unsigned)j->nout + (j->rc ? 1u : 0u) + (c->strict && j->violations ? 1u : 0u);

		printf("  <testsuite name=\"");
		xml_attr(j->name);
		printf("[");
		xml_attr(j->proxy);
		printf("]\" id=\"%zu\" package=\"ffa-emu\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
		       "skipped=\"0\" time=\"%.6f\" hostname=\"localhost\" timestamp=\"1970-01-01T00:00:00\">\n",
		       i, t, j->st.failed + (c->strict && j->violations ? 1u : 0u), j->rc ? 1u : 0u,
		       j->seconds);
		printf("    <properties>\n      <property name=\"proxy\" value=\"");
		xml_attr(j->proxy);
		printf("\"/>\n      <property name=\"rule-violations\" value=\"%llu\"/>\n"
		       "      <property name=\"caller-rule-violations\" value=\"%llu\"/>\n    </properties>\n",
		       (unsigned long long)j->violations, (unsigned long long)j->caller_viol);
		for (size_t k = 0; k < j->nout; k++) {
			const struct outcome *o = &j->out[k];

			printf("    <testcase classname=\"");
			xml_attr(j->name);
			printf(".");
			xml_attr(j->proxy);
			printf("\" name=\"");
			xml_attr(j->file);
			printf(":%u: ", o->line);
			xml_attr(o->source);
			printf("\" time=\"0\"");
			if (o->passed) {
				printf("/>\n");
				continue;
			}
			printf(">\n      <failure message=\"");
			xml_attr(o->detail);
			printf("\" type=\"expectation\">");
			xml_attr(o->detail);
			printf("</failure>\n    </testcase>\n");
		}
		if (j->rc) {
			printf("    <testcase classname=\"");
			xml_attr(j->name);
			printf(".");
			xml_attr(j->proxy);
			printf("\" name=\"script\" time=\"0\">\n      <error message=\"");
			xml_attr(j->error);
			printf("\" type=\"script-error\">");
			xml_attr(j->error);
			printf("</error>\n    </testcase>\n");
		}
		if (c->strict && j->violations) {
			printf("    <testcase classname=\"");
			xml_attr(j->name);
			printf(".");
			xml_attr(j->proxy);
			printf("\" name=\"rule violations\" time=\"0\">\n      <failure message=\"%llu rule violation(s)\" type=\"rule\">",
			       (unsigned long long)j->violations);
			for (size_t k = 0; k < j->nviol; k++) {
				xml_attr(j->viol_text[k]);
				printf("&#10;");
			}
			printf("</failure>\n    </testcase>\n");
		}
		printf("    <system-out></system-out>\n    <system-err></system-err>\n");
		printf("  </testsuite>\n");
	}
	printf("</testsuites>\n");
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * The text report's end, for a first-time reader: what ran against which
 * SPMC, one row per suite and proxy profile under grouped column names, a
 * legend of what appeared, and a last line that is the verdict.
 */
static void summary(const struct ctx *c, struct job *jobs, size_t n, double total, size_t rules,
		    bool conform, const char *spmc)
{
	unsigned e = 0, p = 0, f = 0, errs = 0;
	unsigned long long v = 0, cv = 0;
	bool own_proxy = false;
	struct ffaemu_spmc_profile dp;
	bool dflt = !spmc || !strcmp(spmc, "default");

	ffaemu_spmc_profile_default(&dp);
	for (size_t i = 0; i < n; i++)
		own_proxy |= !strcmp(jobs[i].proxy, "(script)");
	printf("\nffa-emu %s: %zu %s (each %s on each proxy profile it applies to)\n"
	       "SPMC profile: %s%s; %zu conformance rules checked\n\n",
	       conform ? "conform" : "run", n, plural(n, "run", "runs"),
	       conform ? "suite" : "script", dflt ? dp.name : spmc,
	       dflt ? " (default; a script may pick another)" : " (a script may pick another)",
	       rules);
	printf("%-47s%24s%22s\n", "", "---- expectations -----", "-- rule violations --");
	printf("%-24s %-22s %7s %7s %7s %10s %10s\n", conform ? "suite" : "script", "proxy", "total",
	       "passed", "failed", "by-stack", "by-script");
	for (size_t i = 0; i < n; i++) {
		const struct job *j = &jobs[i];

		printf("%-24s %-22s %7u %7u %7u %10llu %10llu%s\n", j->name, j->proxy,
		       j->st.expectations, j->st.passed, j->st.failed,
		       (unsigned long long)j->violations, (unsigned long long)j->caller_viol,
		       j->rc ? "  ERROR" : "");
		cv += j->caller_viol;
		e += j->st.expectations;
		p += j->st.passed;
		f += j->st.failed;
		errs += j->rc ? 1u : 0u;
		v += j->violations;
	}
	printf("%-24s %-22s %7u %7u %7u %10llu %10llu\n", "total", "", e, p, f, v, cv);
	printf("\n  by-stack   rules the stack under test broke (proxy, EL3, SPMC): %s\n"
	       "  by-script  rules the scripts' own calls broke, mostly on purpose: never failures\n",
	       c->strict ? "failures (--strict)" : "failures only with --strict");
	if (own_proxy)
		printf("  (script)   in the proxy column: the script chooses its own proxy\n");
	if (errs)
		printf("  ERROR      the script stopped early (see above): counts as a failure\n");
	printf("  --verbose lists every violation; 'ffa-emu rules' describes the rules\n");
	printf("\n");
	if (f || errs) {
		printf("FAIL: %u of %u expectations failed", f, e);
		if (errs)
			printf(" and %u %s stopped early", errs, plural(errs, "script", "scripts"));
		printf(" in %zu %s", n, plural(n, "run", "runs"));
		if (c->strict && v)
			printf("; %llu rule violations by the stack (--strict)", v);
	} else if (c->strict && v) {
		printf("FAIL: %llu rule violations by the stack (--strict); all %u expectations "
		       "passed in %zu %s", v, e, n, plural(n, "run", "runs"));
	} else {
		printf("PASS: all %u expectations passed in %zu %s", e, n, plural(n, "run", "runs"));
		if (v)
			printf("; %llu rule violations by the stack (not failures without --strict)",
			       v);
	}
	if (c->no_times)
		printf("\n");
	else
		printf("; %.3f s\n", total);
}

/* ---- command line ---- */

static void usage_conform(FILE *o)
{
	fprintf(o,
		"usage: ffa-emu conform [--proxy PROFILE|none|all|plugin:PATH:SYMBOL:SHAPE]\n"
		"                       [--spmc PROFILE] [--format text|tap|junit]\n"
		"                       [--suite NAME]... [--strict] [--verbose] [--list]\n"
		"                       [--trace FILE] [--no-times]\n"
		"\n"
		"Run the built-in conformance suites: each suite on the SPMC alone and behind\n"
		"every built-in proxy profile it applies to (default --proxy all).\n"
		"\n"
		"  --proxy P     only this proxy profile (\"none\" = host talks to EL3 directly)\n"
		"  --spmc P      SPMC profile (default: the SPMC's default profile)\n"
		"  --format F    text (default), tap (TAP version 13) or junit (JUnit XML)\n"
		"  --suite NAME  run only this suite (repeatable)\n"
		"  --strict      count conformance-rule violations as failures\n"
		"  --verbose     print passing expectations and each rule violation\n"
		"  --list        list the suites and their expectation counts, then exit\n"
		"  --trace FILE  record every call as a JSON Lines trace (see ffa-emu trace)\n"
		"  --no-times    leave elapsed times out, so two runs print the same bytes\n"
		"\n"
		"Exit status: 0 all passed, 1 failures, 2 usage error, 3 I/O error.\n");
}

static void usage_run(FILE *o)
{
	fprintf(o,
		"usage: ffa-emu run [--proxy PROFILE|none|plugin:PATH:SYMBOL:SHAPE] [--spmc PROFILE]\n"
		"                   [--format text|tap|junit] [--trace FILE] [--strict]\n"
		"                   [--verbose] [--no-times] FILE...\n"
		"\n"
		"Run scenario scripts (see ffa-emu-script(5)). A script that sets its own proxy\n"
		"runs once; otherwise it runs behind --proxy (default none).\n"
		"\n"
		"  --proxy P     proxy profile, \"none\" (default) or a plug-in\n"
		"  --spmc P      SPMC profile (default: the SPMC's default profile)\n"
		"  --format F    text (default), tap (TAP version 13) or junit (JUnit XML)\n"
		"  --trace FILE  record every call as a JSON Lines trace (see ffa-emu trace)\n"
		"  --strict      count conformance-rule violations as failures\n"
		"  --verbose     print passing expectations and each rule violation\n"
		"  --no-times    leave elapsed times out, so two runs print the same bytes\n"
		"\n"
		"Exit status: 0 all passed, 1 failures, 2 usage or syntax error, 3 I/O error.\n");
}

static int parse_fmt(const char *s, enum fmt *f)
{
	if (!strcmp(s, "text"))
		*f = FMT_TEXT;
	else if (!strcmp(s, "tap"))
		*f = FMT_TAP;
	else if (!strcmp(s, "junit"))
		*f = FMT_JUNIT;
	else
		return -1;
	return 0;
}

/* Proxy profiles a suite runs against with --proxy all. */
static size_t profile_list(const char *opt, const char **out, size_t max)
{
	size_t n = 0;

	if (opt && strcmp(opt, "all") != 0) {
		out[n++] = opt;
		return n;
	}
	out[n++] = "none";
	for (size_t i = 0; i < ffaemu_proxy_profile_count() && n < max; i++)
		out[n++] = ffaemu_proxy_profile_name_at(i);
	return n;
}

static int run_common(bool conform, int argc, char **argv)
{
	static const struct option opts[] = {
		{"proxy", required_argument, NULL, 'p'},
		{"spmc", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"suite", required_argument, NULL, 'S'},
		{"trace", required_argument, NULL, 't'},
		{"strict", no_argument, NULL, 'x'},
		{"verbose", no_argument, NULL, 'v'},
		{"list", no_argument, NULL, 'l'},
		{"no-times", no_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *proxy = NULL, *spmc = NULL, *trace_path = NULL;
	const char *only[64];
	size_t nonly = 0;
	bool list = false;
	struct ctx c;
	struct ffaemu_trace_config tc;
	struct job *jobs = NULL;
	size_t njobs = 0, capjobs = 0;
	const char *profiles[64];
	size_t nprof;
	struct ffaemu_node *plugin = NULL;
	int opt, status = EMU_EXIT_PASS;
	double t0;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:s:f:S:t:xvlh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': proxy = optarg; break;
		case 's': spmc = optarg; break;
		case 'f':
			if (parse_fmt(optarg, &c.fmt)) {
				fprintf(stderr, "ffa-emu: unknown format '%s' (text, tap, junit)\n", optarg);
				return EMU_EXIT_USAGE;
			}
			break;
		case 'S':
			if (nonly < 64)
				only[nonly++] = optarg;
			break;
		case 't': trace_path = optarg; break;
		case 'x': c.strict = true; break;
		case 'v': c.verbose = true; break;
		case 'l': list = true; break;
		case 'T': c.no_times = true; break;
		case 'h':
			(conform ? usage_conform : usage_run)(stdout);
			return EMU_EXIT_PASS;
		default:
			(conform ? usage_conform : usage_run)(stderr);
			return EMU_EXIT_USAGE;
		}
	}
	if (conform && optind < argc) {
		fprintf(stderr, "ffa-emu conform: unexpected argument '%s'\n", argv[optind]);
		return EMU_EXIT_USAGE;
	}
	if (!conform && optind >= argc) {
		usage_run(stderr);
		return EMU_EXIT_USAGE;
	}
	if (!conform && !proxy)
		proxy = "none";
	if (proxy && !strncmp(proxy, "plugin:", 7)) {
		int rc = ffaemu_plugin_load(proxy, NULL, &plugin);

		if (rc) {
			fprintf(stderr, "ffa-emu: cannot load plug-in '%s': %s\n", proxy,
				ffaemu_strerror(rc));
			return rc == FFAEMU_EIO ? EMU_EXIT_IO : EMU_EXIT_USAGE;
		}
		c.plugin = plugin;
	}
	if (proxy && strcmp(proxy, "all") && strcmp(proxy, "none") && !plugin) {
		struct ffaemu_proxy_profile pp;

		if (ffaemu_proxy_profile_get(proxy, &pp)) {
			fprintf(stderr, "ffa-emu: unknown proxy profile '%s'; known:", proxy);
			for (size_t i = 0; i < ffaemu_proxy_profile_count(); i++)
				fprintf(stderr, " %s", ffaemu_proxy_profile_name_at(i));
			fprintf(stderr, " none\n");
			return EMU_EXIT_USAGE;
		}
	}
	if (spmc) {
		struct ffaemu_spmc_profile sp;

		if (strcmp(spmc, "default") && ffaemu_spmc_profile_by_name(spmc, &sp)) {
			fprintf(stderr, "ffa-emu: unknown SPMC profile '%s'; known:", spmc);
			for (size_t i = 0; i < ffaemu_spmc_profile_count(); i++)
				fprintf(stderr, " %s", ffaemu_spmc_profile_name_at(i));
			fprintf(stderr, "\n");
			return EMU_EXIT_USAGE;
		}
	}
	nprof = profile_list(proxy, profiles, 64);
	for (size_t k = 0; conform && k < nonly; k++) {
		bool found = false;

		for (size_t i = 0; i < emu_suite_count; i++)
			found |= !strcmp(only[k], emu_suites[i].name);
		if (!found) {
			fprintf(stderr, "ffa-emu conform: no suite '%s' (see --list)\n", only[k]);
			status = EMU_EXIT_USAGE;
			goto out;
		}
	}

	/* Parse everything first: a syntax error stops before anything runs. */
	{
		size_t nsrc = conform ? emu_suite_count : (size_t)(argc - optind);

		for (size_t i = 0; i < nsrc; i++) {
			struct ffaemu_script *sc = NULL;
			struct ffaemu_script_error err;
			const char *name, *file, *text;
			char *owned = NULL;
			size_t len;
			int rc;

			if (conform) {
				bool want = !nonly;

				for (size_t k = 0; k < nonly; k++)
					want |= !strcmp(only[k], emu_suites[i].name);
				if (!want)
					continue;
				name = emu_suites[i].name;
				file = emu_suites[i].path;
				text = emu_suites[i].text;
				len = emu_suites[i].len;
			} else {
				file = argv[optind + (int)i];
				owned = emu_read_file(file, &len);
				if (!owned) {
					fprintf(stderr, "ffa-emu: %s: %s\n", file, strerror(errno));
					status = EMU_EXIT_IO;
					goto out;
				}
				text = owned;
				name = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
			}
			rc = ffaemu_script_parse(file, text, len, NULL, &sc, &err);
			free(owned);
			if (rc) {
				char buf[600];

				ffaemu_script_error_format(&err, buf, sizeof(buf));
				fprintf(stderr, "%s\n", buf);
				status = conform ? EMU_EXIT_FAIL : EMU_EXIT_USAGE;
				goto out;
			}
			if (list) {
				printf("%-24s %4u expectations  %s\n", name, ffaemu_script_expect_count(sc),
				       ffaemu_script_title(sc));
				ffaemu_script_free(&sc);
				continue;
			}
			for (size_t p = 0; p < nprof; p++) {
				bool fixed = ffaemu_script_sets_proxy(sc);

				if (fixed && p > 0)
					break;
				if (!fixed && !ffaemu_script_applies(sc, profiles[p]))
					continue;
				if (njobs == capjobs) {
					size_t ncap = capjobs ? capjobs * 2 : 64;
					struct job *nj = realloc(jobs, ncap * sizeof(*nj));

					if (!nj) {
						fprintf(stderr, "ffa-emu: out of memory\n");
						status = EMU_EXIT_IO;
						goto out;
					}
					jobs = nj;
					capjobs = ncap;
				}
				memset(&jobs[njobs], 0, sizeof(jobs[0]));
				snprintf(jobs[njobs].name, sizeof(jobs[0].name), "%s", name);
				snprintf(jobs[njobs].proxy, sizeof(jobs[0].proxy), "%s",
					 fixed ? "(script)" : profiles[p]);
				jobs[njobs].file = file;
				jobs[njobs].script = sc;
				njobs++;
			}
			if (!njobs || jobs[njobs - 1].script != sc)
				ffaemu_script_free(&sc);
		}
	}
	if (list)
		goto out;
	{
		struct ffaemu_check_config cc;

		ffaemu_check_config_default(&cc);
		if (ffaemu_check_new(&cc, &c.check)) {
			fprintf(stderr, "ffa-emu: cannot create the conformance checker\n");
			status = EMU_EXIT_IO;
			goto out;
		}
	}
	if (trace_path) {
		ffaemu_trace_config_default(&tc);
		/* keep the TX bytes of memory calls so that the trace replays them */
		tc.mem_read = read_mem;
		tc.mem_user = &c;
	}
	if (trace_path && ffaemu_trace_new(&tc, &c.trace)) {
		fprintf(stderr, "ffa-emu: cannot create the tracer\n");
		status = EMU_EXIT_IO;
		goto out;
	}
	/* Both watch the same edges: the checker judges the tracer's records, built once. */
	if (c.trace && c.check && ffaemu_check_follow(c.check, c.trace)) {
		fprintf(stderr, "ffa-emu: cannot check the tracer's records\n");
		status = EMU_EXIT_IO;
		goto out;
	}
	if (c.fmt == FMT_TAP)
		printf("TAP version 13\n");
	t0 = now();
	for (size_t i = 0; i < njobs; i++) {
		run_job(&c, &jobs[i], spmc);
		if (job_failed(&c, &jobs[i]))
			status = EMU_EXIT_FAIL;
	}
	{
		double total = c.no_times ? 0.0 : now() - t0;

		if (c.no_times)
			for (size_t i = 0; i < njobs; i++)
				jobs[i].seconds = 0.0;

		if (c.fmt == FMT_TAP) {
			printf("1..%u\n", c.tap_n);
		} else if (c.fmt == FMT_JUNIT) {
			junit(&c, jobs, njobs, total);
		} else {
			summary(&c, jobs, njobs, total, ffaemu_check_rule_count(), conform, spmc);
		}
	}
	if (c.trace) {
		FILE *f = fopen(trace_path, "w");

		if (!f || ffaemu_trace_write_file(c.trace, FFAEMU_TRACE_JSONL, f) < 0) {
			fprintf(stderr, "ffa-emu: %s: cannot write the trace\n", trace_path);
			status = EMU_EXIT_IO;
		}
		if (f && fclose(f) && status == EMU_EXIT_PASS)
			status = EMU_EXIT_IO;
	}
	if (fflush(stdout) && status == EMU_EXIT_PASS)
		status = EMU_EXIT_IO;
out:
	for (size_t i = 0; i < njobs; i++) {
		if (i + 1 == njobs || jobs[i + 1].script != jobs[i].script)
			ffaemu_script_free(&jobs[i].script);
		for (size_t k = 0; k < jobs[i].nout; k++) {
			free(jobs[i].out[k].source);
			free(jobs[i].out[k].detail);
		}
		free(jobs[i].out);
		for (size_t k = 0; k < jobs[i].nviol; k++)
			free(jobs[i].viol_text[k]);
		free(jobs[i].viol_text);
	}
	free(jobs);
	ffaemu_check_free(&c.check);
	ffaemu_trace_free(&c.trace);
	ffaemu_node_free(&plugin);
	return status;
}

int emu_cmd_conform(int argc, char **argv)
{
	return run_common(true, argc, argv);
}

int emu_cmd_run(int argc, char **argv)
{
	return run_common(false, argc, argv);
}
