/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `ffa-emu trace --replay`: feed a recorded trace's outermost calls into a
 * freshly built stack (another proxy profile, SPMC profile or a plug-in
 * proxy) and report, register by register, where the replies differ.
 */
#include <string.h>

#include <ffa/ffi.h>
#include <ffa/proxy.h>
#include <ffa/system.h>
#include <ffa/trace.h>

#include "emu.h"

static void print_diff(void *user, const struct ffaemu_trace_record *rec,
		       const struct ffaemu_regs *actual, uint32_t diff)
{
	char buf[4096];

	(void)user;
	ffaemu_trace_diff_format(rec, actual, diff, buf, sizeof(buf));
	fputs(buf, stdout);
}

/*
 * The caller-facing edge: the first outermost record on a "host..." edge
 * (a proxy's own boot-time calls towards EL3 can come first), else the
 * first outermost record's edge.
 */
static const char *first_outer_edge(const struct ffaemu_trace *tr)
{
	const char *any = NULL;

	for (size_t i = 0; i < ffaemu_trace_count(tr); i++) {
		const struct ffaemu_trace_record *r = ffaemu_trace_at(tr, i);

		if (r->depth != 0)
			continue;
		if (strncmp(r->edge, "host", 4) == 0)
			return r->edge;
		if (!any)
			any = r->edge;
	}
	return any;
}

int emu_trace_replay(const struct ffaemu_trace *tr, const struct emu_replay_opts *o)
{
	struct ffaemu_system_config cfg;
	struct ffaemu_system *sys = NULL;
	struct ffaemu_node *plugin = NULL;
	struct ffaemu_trace_replay_result res;
	const char *edge = o->edge ? o->edge : first_outer_edge(tr);
	int rc, status;

	ffaemu_system_config_default(&cfg);
	cfg.proxy = o->proxy && strncmp(o->proxy, "plugin:", 7) != 0 ? o->proxy : "none";
	cfg.spmc = o->spmc;
	cfg.partitions = o->partitions ? o->partitions : "conform";
	if (o->page_size)
		cfg.page_size = o->page_size;
	if (o->proxy && strncmp(o->proxy, "plugin:", 7) == 0) {
		rc = ffaemu_plugin_load(o->proxy, NULL, &plugin);
		if (rc) {
			fprintf(stderr, "ffa-emu trace: cannot load plug-in '%s': %s\n", o->proxy,
				ffaemu_strerror(rc));
			return rc == FFAEMU_EIO ? EMU_EXIT_IO : EMU_EXIT_USAGE;
		}
	}
	rc = ffaemu_system_new(&cfg, &sys);
	if (rc) {
		fprintf(stderr,
			"ffa-emu trace: cannot build the stack (proxy '%s', spmc '%s', partitions '%s'): %s\n",
			cfg.proxy, cfg.spmc ? cfg.spmc : "default", cfg.partitions, ffaemu_strerror(rc));
		ffaemu_node_free(&plugin);
		return EMU_EXIT_USAGE;
	}
	if (plugin) {
		ffaemu_system_set_proxy_node(sys, plugin);
		ffaemu_plugin_set_down(plugin, ffaemu_system_proxy_edge(sys), NULL);
	}
	rc = ffaemu_trace_replay(tr, edge ? edge : "", ffaemu_system_host_edge(sys), print_diff,
				 NULL, &res);
	if (rc) {
		fprintf(stderr, "ffa-emu trace: replay failed: %s\n", ffaemu_strerror(rc));
		status = EMU_EXIT_IO;
	} else {
		printf("replayed %llu call(s) of edge %s on proxy %s, spmc %s, partitions %s: "
		       "%llu differ\n",
		       (unsigned long long)res.calls, edge ? edge : "(none)",
		       o->proxy ? o->proxy : "none", o->spmc ? o->spmc : "default", cfg.partitions,
		       (unsigned long long)res.mismatches);
		status = res.mismatches ? EMU_EXIT_FAIL : EMU_EXIT_PASS;
	}
	if (plugin) {
		ffaemu_plugin_set_down(plugin, NULL, NULL);
		ffaemu_system_set_proxy_node(sys, NULL);
	}
	ffaemu_system_free(&sys);
	ffaemu_node_free(&plugin);
	if (fflush(stdout) && status == EMU_EXIT_PASS)
		status = EMU_EXIT_IO;
	return status;
}
