/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Put someone else's proxy, built as a plug-in, between a host driver and
 * the fake SPMC with the C API, and see what it gets wrong:
 *
 *   plugin-host PATH:SYMBOL:SHAPE [--expect-fail]
 *
 * The wiring is what `ffa-emu conform --proxy plugin:...` does:
 *   ffaemu_plugin_load(spec, {.down = proxy edge}) -> a node;
 *   ffaemu_system_set_proxy_node(sys, node)        -> host edge -> node -> EL3.
 * The host then makes a few calls a driver makes at probe, and the
 * conformance checker watches the host edge.
 *
 * Exit status: 0 when the proxy behaved (or, with --expect-fail, when it
 * showed both faults of examples/plugin_proxy/simple_proxy.c: x8-x17 of
 * the reply lost); 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ffa/ffa.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#define PAGE 4096u
#define ECHO_ID 0x8001

struct run {
	struct ffaemu_system *sys;
	unsigned wrong;
};

static void show(struct run *r, const char *what, bool ok, const char *detail)
{
	printf("  %-34s %s%s%s\n", what, ok ? "ok" : "WRONG", detail ? ": " : "",
	       detail ? detail : "");
	if (!ok)
		r->wrong++;
}

static void call(struct run *r, struct ffaemu_regs *regs)
{
	ffaemu_system_call(r->sys, regs);
}

static void probe(struct run *r, uint8_t *host_mem)
{
	struct ffaemu_regs g;
	char buf[96];
	bool ok;

	ffaemu_regs_clear(&g);
	g.x[0] = FFAEMU_FFA_VERSION;
	g.x[1] = FFAEMU_FFA_1_2;
	call(r, &g);
	show(r, "FFA_VERSION(1.2)", g.x[0] == FFAEMU_FFA_1_2, NULL);

	ffaemu_regs_clear(&g);
	g.x[0] = FFAEMU_FFA_RXTX_MAP_64;
	g.x[1] = (uintptr_t)host_mem;
	g.x[2] = (uintptr_t)host_mem + PAGE;
	g.x[3] = 1;
	call(r, &g);
	show(r, "FFA_RXTX_MAP_64", g.x[0] == FFAEMU_FFA_SUCCESS, NULL);

	ffaemu_regs_clear(&g);
	g.x[0] = FFAEMU_FFA_PARTITION_INFO_GET;
	call(r, &g);
	show(r, "FFA_PARTITION_INFO_GET", g.x[0] == FFAEMU_FFA_SUCCESS && g.x[2] >= 1, NULL);
	ffaemu_regs_clear(&g);
	g.x[0] = FFAEMU_FFA_RX_RELEASE;
	call(r, &g);

	/* SMC32 under SMCCC 1.2: x8-x17 must be preserved (spec A7); the host edge
	 * restores them for the host and the checker reports a callee that did not */
	ffaemu_regs_clear(&g);
	g.x[0] = FFAEMU_FFA_ID_GET;
	for (unsigned n = 8; n < FFAEMU_NREGS; n++)
		g.x[n] = 0x5500 + n;
	call(r, &g);
	ok = g.x[0] == FFAEMU_FFA_SUCCESS && g.x[2] == 0;
	show(r, "FFA_ID_GET (x8-x17 as the host sees)", ok, NULL);

	/* SMC64: x4-x17 carry the payload both ways (spec C1.4) */
	ffaemu_regs_clear(&g);
	g.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	g.x[1] = ECHO_ID;
	for (unsigned n = 4; n < FFAEMU_NREGS; n++)
		g.x[n] = 0xfeed000000000000ull + n;
	call(r, &g);
	ok = g.x[0] == FFAEMU_FFA_MSG_SEND_DIRECT_RESP2;
	for (unsigned n = 4; ok && n < FFAEMU_NREGS; n++) {
		if (g.x[n] != 0xfeed000000000000ull + n) {
			snprintf(buf, sizeof(buf), "x%u=%#" PRIx64 ", sent %#llx", n, g.x[n],
				 0xfeed000000000000ull + n);
			show(r, "DIRECT_REQ2 echo of x4-x17", false, buf);
			return;
		}
	}
	show(r, "DIRECT_REQ2 echo of x4-x17", ok, NULL);
}

int main(int argc, char **argv)
{
	struct ffaemu_system_config cfg;
	struct ffaemu_plugin_config pcfg;
	struct ffaemu_sp_config sp;
	struct ffaemu_node *proxy = NULL;
	struct ffaemu_check *chk = NULL;
	struct run r;
	bool expect_fail = argc > 2 && strcmp(argv[2], "--expect-fail") == 0;
	void *host_mem;
	uint64_t preserved;
	int rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH:SYMBOL:SHAPE [--expect-fail]\n", argv[0]);
		return 2;
	}
	memset(&r, 0, sizeof(r));
	host_mem = aligned_alloc(PAGE, 4 * PAGE);
	if (!host_mem)
		return 1;
	ffaemu_system_config_default(&cfg);
	cfg.identity = host_mem;
	cfg.identity_size = 4 * PAGE;
	if (ffaemu_system_new(&cfg, &r.sys) || ffaemu_sp_config_builtin(&sp, FFAEMU_SP_ECHO, ECHO_ID))
		goto out;
	sp.props |= FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	if (ffaemu_spmc_add_sp(ffaemu_system_spmc(r.sys), &sp))
		goto out;

	/* the plug-in calls down to EL3 through the system's proxy edge */
	ffaemu_plugin_config_default(&pcfg);
	pcfg.down = ffaemu_system_proxy_edge(r.sys);
	rc = ffaemu_plugin_load(argv[1], &pcfg, &proxy);
	if (rc) {
		fprintf(stderr, "cannot load %s: %s\n", argv[1], ffaemu_strerror(rc));
		rc = 1;
		goto out;
	}
	rc = 1;
	if (ffaemu_system_set_proxy_node(r.sys, proxy) || ffaemu_check_new(NULL, &chk) ||
	    ffaemu_check_attach(chk, ffaemu_system_host_edge(r.sys)))
		goto out;

	printf("plug-in proxy %s between host and EL3:\n", ffaemu_node_name(proxy));
	probe(&r, host_mem);
	preserved = ffaemu_check_rule_hits(chk, "SMCCC-PRES-001");
	printf("conformance checker on the host edge: %" PRIu64 " violation(s)\n",
	       ffaemu_check_count(chk));
	ffaemu_check_print(chk, 0, stdout);
	if (expect_fail)
		rc = (r.wrong > 0 && preserved > 0) ? 0 : 1;
	else
		rc = (r.wrong == 0 && ffaemu_check_count(chk) == 0) ? 0 : 1;
	printf("%s\n", r.wrong ? "the proxy is not conformant" : "the proxy behaved");
out:
	ffaemu_check_free(&chk);
	/* the system does not own a user proxy: unwire it, then free it */
	if (r.sys)
		ffaemu_system_set_proxy_node(r.sys, NULL);
	ffaemu_node_free(&proxy);
	ffaemu_system_free(&r.sys);
	free(host_mem);
	return rc;
}
