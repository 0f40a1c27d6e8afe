/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 2026 boot-order race of pKVM and the Linux FF-A driver
 * (pkvm-proxy.md 1.6), in two runs:
 *
 *  1. "race": the FF-A driver probes before pKVM is finalised. Its
 *     FFA_VERSION goes straight to EL3 (no trap yet). Then pKVM comes up:
 *     the proxy negotiates with the SPMC and is installed on the host's
 *     conduit. The driver's next call, a direct request such as EFI
 *     variable services send to StandaloneMM, reaches the proxy, which has
 *     never seen the host's FFA_VERSION: FFA_ERROR(INVALID_PARAMETERS) at
 *     the negotiation gate. (The gate was not relaxed.)
 *  2. "deferred": the fix that landed (FF-A updates for v7.2): the driver
 *     defers its probe while protected KVM is enabled but not initialised,
 *     so its FFA_VERSION reaches the proxy and the direct request passes.
 *
 * The trap "comes up late" by rewiring the host's edge from the EL3
 * dispatcher to the proxy with ffaemu_edge_set_callee().
 *
 * The same file is compiled into tests/test_proxy_spmc.c (with
 * BOOT_ORDER_NO_MAIN) so that what it prints is also checked.
 */
#include <stdio.h>
#include <string.h>

#include <ffa/ffa.h>
#include <ffa/proxy.h>
#include <ffa/spmc.h>

#define BO_RAM 0x80000000ull
#define BO_RAM_SIZE 0x00400000ull
#define BO_SP 0x8001u

struct bo_result {
	uint64_t early_version;   /* x0 of the driver's FFA_VERSION */
	bool early_went_to_el3;   /* it reached EL3 without the proxy */
	int proxy_init;           /* ffaemu_proxy_init() */
	struct ffaemu_regs direct; /* the reply to the driver's direct request */
	bool negotiated;          /* the proxy saw a host FFA_VERSION */
};

static struct ffaemu_regs bo_call(struct ffaemu_edge *host, uint64_t x0, uint64_t x1,
				  uint64_t x3)
{
	struct ffaemu_regs r;
	struct ffaemu_call_ctx ctx;

	ffaemu_regs_clear(&r);
	r.x[0] = x0;
	r.x[1] = x1;
	r.x[3] = x3;
	memset(&ctx, 0, sizeof(ctx));
	ctx.instance = FFAEMU_INSTANCE_NV;
	ctx.el = 1;
	ffaemu_edge_call(host, &r, &ctx);
	return r;
}

/* deferred = false: the race; true: the driver waits for pKVM. */
static int bo_run(bool deferred, struct bo_result *out)
{
	struct ffaemu_mem *mem = NULL;
	struct ffaemu_spmc *spmc = NULL;
	struct ffaemu_el3 *el3 = NULL;
	struct ffaemu_proxy *proxy = NULL;
	struct ffaemu_edge *host = NULL;
	struct ffaemu_spmc_config sc;
	struct ffaemu_sp_config sp;
	struct ffaemu_el3_config ec;
	struct ffaemu_edge_config hc;
	struct ffaemu_proxy_config pc;
	struct ffaemu_proxy_status st;
	struct ffaemu_regs r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ffaemu_mem_new(NULL, &mem)) ||
	    (rc = ffaemu_mem_add_ram(mem, BO_RAM, BO_RAM_SIZE, FFAEMU_MEM_NS,
				     ffaemu_owner_make(FFAEMU_OWNER_HOST, 0))))
		goto out;
	ffaemu_spmc_config_default(&sc);
	sc.mem = mem;
	if ((rc = ffaemu_spmc_new(&sc, &spmc)) ||
	    (rc = ffaemu_sp_config_builtin(&sp, FFAEMU_SP_ECHO, BO_SP)) ||
	    (rc = ffaemu_spmc_add_sp(spmc, &sp)))
		goto out;
	ffaemu_el3_config_default(&ec);
	ec.spmc = ffaemu_spmc_node(spmc);
	if ((rc = ffaemu_el3_new(&ec, &el3)))
		goto out;

	/* Before pKVM is finalised the host's SMCs reach EL3 directly. */
	ffaemu_edge_config_default(&hc);
	hc.name = "host";
	hc.zero_extend_smc32 = false;
	if ((rc = ffaemu_edge_new(&hc, ffaemu_el3_node(el3), &host)))
		goto out;

	if (!deferred) {
		/* The built-in driver probes early (rootfs_initcall, Jul 2025 - May 2026). */
		r = bo_call(host, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0);
		out->early_version = r.x[0];
		out->early_went_to_el3 = ffaemu_edge_callee(host) == ffaemu_el3_node(el3);
	}

	/* pKVM finalises: the proxy negotiates with the SPMC, the trap goes live. */
	ffaemu_proxy_config_default(&pc);
	pc.downstream = ffaemu_el3_node(el3);
	pc.mem = mem;
	if ((rc = ffaemu_proxy_new(&pc, &proxy)))
		goto out;
	out->proxy_init = ffaemu_proxy_init(proxy);
	ffaemu_edge_set_callee(host, ffaemu_proxy_node(proxy));

	if (deferred) {
		/* v7.2: -EPROBE_DEFER until pKVM is up, then the normal probe. */
		r = bo_call(host, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0);
		out->early_version = r.x[0];
	}

	/* EFI variable services: a direct request to StandaloneMM. */
	out->direct = bo_call(host, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, BO_SP, 0x5eed);
	ffaemu_proxy_get_status(proxy, &st);
	out->negotiated = st.negotiated;
	rc = 0;
out:
	ffaemu_edge_free(&host);
	ffaemu_proxy_free(&proxy);
	ffaemu_el3_free(&el3);
	ffaemu_spmc_free(&spmc);
	ffaemu_mem_free(&mem);
	return rc;
}

#ifndef BOOT_ORDER_NO_MAIN
static void bo_print(const char *name, const struct bo_result *r)
{
	const char *err = ffaemu_ffa_error_name((int32_t)(uint32_t)r->direct.x[2]);

	printf("%-9s FFA_VERSION -> 0x%llx%s, pKVM init %d, direct request -> ", name,
	       (unsigned long long)r->early_version, r->early_went_to_el3 ? " (from EL3)" : "",
	       r->proxy_init);
	if ((uint32_t)r->direct.x[0] == FFAEMU_FFA_ERROR)
		printf("FFA_ERROR(%s)\n", err ? err : "?");
	else
		printf("%s, payload 0x%llx\n",
		       ffaemu_smccc_fid_name((uint32_t)r->direct.x[0]) ?
			       ffaemu_smccc_fid_name((uint32_t)r->direct.x[0]) : "?",
		       (unsigned long long)r->direct.x[3]);
}

int main(void)
{
	struct bo_result race, fixed;

	if (bo_run(false, &race) || bo_run(true, &fixed)) {
		fprintf(stderr, "cannot build the stack\n");
		return 1;
	}
	bo_print("race", &race);
	bo_print("deferred", &fixed);
	/* The example is also a test: the race fails at the gate, the fix passes. */
	if ((uint32_t)race.direct.x[0] != FFAEMU_FFA_ERROR ||
	    (int32_t)(uint32_t)race.direct.x[2] != FFAEMU_FFA_INVALID_PARAMETERS ||
	    (uint32_t)fixed.direct.x[0] != FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64)
		return 1;
	return 0;
}
#endif
