/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `ffa-emu trace --replay`: feed a recorded trace's outermost calls into a
 * freshly built stack (another proxy profile, SPMC profile or a plug-in
 * proxy) and report, register by register, where the replies differ.
 *
 * A recording can span several stacks (a script's `reset`, several
 * scripts in one run): each stack's host edge counts its calls from 0, so
 * a call index that does not grow starts a new stack, and the replay
 * starts one too. The host edge keeps its counter but changes its name
 * when a proxy comes or goes mid-run ("host->el3" / "host->proxy"), so
 * every "host..." edge is the caller-facing one.
 */
#include <stdlib.h>
#include <string.h>

#include <ffa/ffi.h>
#include <ffa/mem.h>
#include <ffa/proxy.h>
#include <ffa/system.h>
#include <ffa/trace.h>

#include "emu.h"

/* One stack's worth of calls, renamed onto one edge, with their original records. */
struct segment {
	struct ffaemu_trace *t;
	const struct ffaemu_trace_record **orig;
	size_t n, cap;
};

static void print_diff(void *user, const struct ffaemu_trace_record *rec,
		       const struct ffaemu_regs *actual, uint32_t diff)
{
	const struct segment *seg = user;
	char buf[4096];

	/* Report the call under its recorded index and edge name. */
	if (rec->index < seg->n)
		rec = seg->orig[rec->index];
	ffaemu_trace_diff_format(rec, actual, diff, buf, sizeof(buf));
	fputs(buf, stdout);
}

/* The recorded TX bytes go back where the caller had them before its call. */
static int write_mem(void *user, uint64_t pa, const void *src, size_t len)
{
	return ffaemu_mem_write(user, pa, src, len);
}

static bool caller_facing(const char *edge, const char *want)
{
	if (want)
		return strcmp(edge, want) == 0;
	return strncmp(edge, "host", 4) == 0 && (edge[4] == '\0' || edge[4] == '-');
}

static int new_stack(const struct emu_replay_opts *o, struct ffaemu_node *plugin,
		     struct ffaemu_system **sys)
{
	struct ffaemu_system_config cfg;
	int rc;

	ffaemu_system_config_default(&cfg);
	cfg.proxy = o->proxy && strncmp(o->proxy, "plugin:", 7) != 0 ? o->proxy : "none";
	cfg.spmc = o->spmc;
	cfg.partitions = o->partitions ? o->partitions : "conform";
	if (o->page_size)
		cfg.page_size = o->page_size;
	rc = ffaemu_system_new(&cfg, sys);
	if (rc) {
		fprintf(stderr,
			"ffa-emu trace: cannot build the stack (proxy '%s', spmc '%s', partitions '%s'): %s\n",
			cfg.proxy, cfg.spmc ? cfg.spmc : "default", cfg.partitions, ffaemu_strerror(rc));
		return rc;
	}
	if (plugin) {
		ffaemu_system_set_proxy_node(*sys, plugin);
		ffaemu_plugin_set_down(plugin, ffaemu_system_proxy_edge(*sys), NULL);
	}
	return 0;
}

static void end_stack(struct ffaemu_node *plugin, struct ffaemu_system **sys)
{
	if (plugin && *sys) {
		ffaemu_plugin_set_down(plugin, NULL, NULL);
		ffaemu_system_set_proxy_node(*sys, NULL);
	}
	ffaemu_system_free(sys);
}

/* Replay one segment on a fresh stack; adds to *calls and *differ. */
static int replay_segment(struct segment *seg, const struct emu_replay_opts *o,
			  struct ffaemu_node *plugin, uint64_t *calls, uint64_t *differ)
{
	struct ffaemu_system *sys = NULL;
	struct ffaemu_trace_replay_result res;
	int rc;

	if (!seg->n)
		return 0;
	rc = new_stack(o, plugin, &sys);
	if (rc)
		return rc;
	rc = ffaemu_trace_replay_mem(seg->t, "host", ffaemu_system_host_edge(sys), write_mem,
				     ffaemu_system_mem(sys), print_diff, seg, &res);
	end_stack(plugin, &sys);
	if (rc) {
		fprintf(stderr, "ffa-emu trace: replay failed: %s\n", ffaemu_strerror(rc));
		return rc;
	}
	*calls += res.calls;
	*differ += res.mismatches;
	ffaemu_trace_clear(seg->t);
	seg->n = 0;
	return 0;
}

static int segment_add(struct segment *seg, const struct ffaemu_trace_record *r)
{
	struct ffaemu_trace_record copy = *r;

	if (seg->n == seg->cap) {
		size_t ncap = seg->cap ? seg->cap * 2 : 64;
		const struct ffaemu_trace_record **n = realloc(seg->orig, ncap * sizeof(*n));

		if (!n)
			return FFAEMU_ENOMEM;
		seg->orig = n;
		seg->cap = ncap;
	}
	copy.edge = "host";
	/* ffaemu_trace_append numbers records 0, 1, ... after a clear */
	seg->orig[seg->n++] = r;
	return ffaemu_trace_append(seg->t, &copy);
}

bool *emu_trace_stack_starts(const struct ffaemu_trace *tr)
{
	size_t n = ffaemu_trace_count(tr), last_pos = 0;
	uint64_t last_index = 0;
	bool seen = false;
	bool *starts = calloc(n ? n : 1, sizeof(*starts));

	if (!starts)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct ffaemu_trace_record *r = ffaemu_trace_at(tr, i);

		if (r->depth != 0 || !caller_facing(r->edge, NULL))
			continue;
		/* everything after the old stack's last host call is the new stack's */
		if (seen && r->edge_index <= last_index && last_pos + 1 < n)
			starts[last_pos + 1] = true;
		seen = true;
		last_pos = i;
		last_index = r->edge_index;
	}
	return starts;
}

int emu_trace_replay(const struct ffaemu_trace *tr, const struct emu_replay_opts *o)
{
	struct segment seg = {0};
	struct ffaemu_node *plugin = NULL;
	uint64_t calls = 0, differ = 0, last = 0, stacks = 0;
	int rc = 0, status;

	if (o->proxy && strncmp(o->proxy, "plugin:", 7) == 0) {
		rc = ffaemu_plugin_load(o->proxy, NULL, &plugin);
		if (rc) {
			fprintf(stderr, "ffa-emu trace: cannot load plug-in '%s': %s\n", o->proxy,
				ffaemu_strerror(rc));
			return rc == FFAEMU_EIO ? EMU_EXIT_IO : EMU_EXIT_USAGE;
		}
	}
	/* Fail early, before any output, if the stack cannot be built. */
	{
		struct ffaemu_system *probe = NULL;

		rc = new_stack(o, plugin, &probe);
		end_stack(plugin, &probe);
		if (rc) {
			ffaemu_node_free(&plugin);
			return EMU_EXIT_USAGE;
		}
	}
	rc = ffaemu_trace_new(NULL, &seg.t);
	for (size_t i = 0; !rc && i < ffaemu_trace_count(tr); i++) {
		const struct ffaemu_trace_record *r = ffaemu_trace_at(tr, i);

		if (r->depth != 0 || !caller_facing(r->edge, o->edge))
			continue;
		if (seg.n && r->edge_index <= last) {
			rc = replay_segment(&seg, o, plugin, &calls, &differ);
			stacks++;
		}
		if (!rc)
			rc = segment_add(&seg, r);
		last = r->edge_index;
	}
	if (!rc && seg.n) {
		rc = replay_segment(&seg, o, plugin, &calls, &differ);
		stacks++;
	}
	if (rc) {
		if (rc == FFAEMU_ENOMEM)
			fprintf(stderr, "ffa-emu trace: out of memory\n");
		status = EMU_EXIT_IO;
	} else {
		printf("replayed %llu call(s) on %llu stack(s) (proxy %s, spmc %s, partitions %s): "
		       "%llu differ\n",
		       (unsigned long long)calls, (unsigned long long)stacks,
		       o->proxy ? o->proxy : "none", o->spmc ? o->spmc : "default",
		       o->partitions ? o->partitions : "conform", (unsigned long long)differ);
		status = differ ? EMU_EXIT_FAIL : EMU_EXIT_PASS;
	}
	ffaemu_trace_free(&seg.t);
	free(seg.orig);
	ffaemu_node_free(&plugin);
	if (fflush(stdout) && status == EMU_EXIT_PASS)
		status = EMU_EXIT_IO;
	return status;
}
