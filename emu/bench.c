/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `ffa-emu bench` and the benchmark programs of tests/bench (suite 'bench',
 * `meson test --benchmark`; run_bench.py makes the table in
 * tests/bench/RESULTS.md). Each case sets a stack up once, then times
 * `iters` operations, `reps` times, and prints the median nanoseconds per
 * operation. Under callgrind, run_bench.py runs a case twice with
 * different iteration counts and divides the difference in instructions,
 * so set-up cost cancels out.
 *
 *   ffa-emu bench [CASE [ITERS [REPS]]]   no CASE: every case
 *   ffa-emu bench --list                  REPS = 0: run ITERS once, print nothing
 *                                         ITERS = 0: the case's default
 *
 * The wall clock is used here only to measure; the library never reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ffa/ffa.h>

int emu_cmd_bench(int argc, char **argv);

struct bench {
	struct ffaemu_system *sys;
	struct ffaemu_trace *trace;
	struct ffaemu_check *chk;
	struct ffaemu_edge *edge;  /* baseline */
	struct ffaemu_node *node;  /* baseline */
	uint64_t handle;
	uint32_t nconst;           /* share cases: constituents per descriptor */
	uint8_t *desc;
	size_t desc_len;
	unsigned long ops;
};

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench: %s failed (%d)\n", what, rc);
	exit(1);
}

/* ---- the floor: one edge, a node that hands the registers back ---- */

static void copy_back(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_regs tmp = *regs;
	(void)self;
	(void)ctx;
	*regs = tmp;
}

static const struct ffaemu_node_ops copy_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "copy",
	.call = copy_back,
};

static void baseline_setup(struct bench *b)
{
	struct ffaemu_edge_config ec;
	int rc = ffaemu_node_new(&copy_ops, NULL, NULL, &b->node);
	if (rc)
		die("node_new", rc);
	ffaemu_edge_config_default(&ec);
	ec.name = "host->copy";
	rc = ffaemu_edge_new(&ec, b->node, &b->edge);
	if (rc)
		die("edge_new", rc);
}

static void baseline_op(struct bench *b)
{
	struct ffaemu_regs r;
	struct ffaemu_call_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.instance = FFAEMU_INSTANCE_NV;
	ctx.el = 1;
	ffaemu_regs_clear(&r);
	r.x[0] = FFAEMU_FFA_MSG_SEND_DIRECT_REQ2;
	r.x[1] = 0x8001;
	r.x[4] = 4;
	ffaemu_edge_call(b->edge, &r, &ctx);
}

/* ---- whole stacks ---- */

static void call(struct bench *b, struct ffaemu_regs *r, uint32_t expect)
{
	uint32_t fid = (uint32_t)r->x[0];
	ffaemu_system_call(b->sys, r);
	if (expect && (uint32_t)r->x[0] != expect) {
		fprintf(stderr, "bench: fid 0x%08x answered 0x%08x w2=%d\n", fid,
			(unsigned)r->x[0], (int)(int32_t)r->x[2]);
		exit(1);
	}
}

static void regs5(struct ffaemu_regs *r, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	ffaemu_regs_clear(r);
	r->x[0] = x0;
	r->x[1] = x1;
	r->x[2] = x2;
	r->x[3] = x3;
}

static void stack_setup(struct bench *b, const char *proxy, bool traced, uint64_t ram)
{
	struct ffaemu_system_config cfg;
	struct ffaemu_regs r;
	int rc;

	ffaemu_system_config_default(&cfg);
	cfg.proxy = proxy;
	cfg.partitions = "conform";
	if (ram > cfg.ram_size)
		cfg.ram_size = ram;
	rc = ffaemu_system_new(&cfg, &b->sys);
	if (rc)
		die("system_new", rc);
	regs5(&r, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0);
	call(b, &r, FFAEMU_FFA_1_2);
	regs5(&r, FFAEMU_FFA_RXTX_MAP_64, FFAEMU_SYSTEM_RAM_BASE,
	      FFAEMU_SYSTEM_RAM_BASE + FFAEMU_PAGE_SIZE, 1);
	call(b, &r, FFAEMU_FFA_SUCCESS);
	if (!traced)
		return;

	/* Tracer and checker on every edge of the call path. */
	struct ffaemu_edge *edges[3];
	unsigned n = 0;
	edges[n++] = ffaemu_system_host_edge(b->sys);
	struct ffaemu_proxy *p = ffaemu_system_proxy(b->sys);
	if (p) {
		edges[n++] = ffaemu_proxy_down_edge(p, FFAEMU_SMCCC_1_1);
		edges[n++] = ffaemu_proxy_down_edge(p, FFAEMU_SMCCC_1_2);
	}
	if ((rc = ffaemu_trace_new(NULL, &b->trace)) || (rc = ffaemu_check_new(NULL, &b->chk)))
		die("trace/check new", rc);
	/* The checker judges the tracer's records: one record per call, not two. */
	if ((rc = ffaemu_check_follow(b->chk, b->trace)))
		die("check_follow", rc);
	for (unsigned i = 0; i < n; i++) {
		if (!edges[i])
			continue;
		if ((rc = ffaemu_trace_attach(b->trace, edges[i])))
			die("attach", rc);
	}
}

/* Records grow with every call: the recorder is cleared every 64K calls,
 * inside the timed loop, so its cost is part of the number. */
static inline void traced_tick(struct bench *b)
{
	if (b->trace && (++b->ops & 0xffff) == 0) {
		ffaemu_trace_clear(b->trace);
		if (ffaemu_check_count(b->chk))
			die("checker found violations", (int)ffaemu_check_count(b->chk));
	}
}

static void version_op(struct bench *b)
{
	struct ffaemu_regs r;
	regs5(&r, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0);
	call(b, &r, FFAEMU_FFA_1_2);
	traced_tick(b);
}

static void id_get_op(struct bench *b)
{
	struct ffaemu_regs r;
	regs5(&r, FFAEMU_FFA_ID_GET, 0, 0, 0);
	call(b, &r, FFAEMU_FFA_SUCCESS);
	traced_tick(b);
}

static void req64_op(struct bench *b)
{
	struct ffaemu_regs r;
	regs5(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x33);
	r.x[4] = 0x44;
	call(b, &r, FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	traced_tick(b);
}

static void req2_op(struct bench *b)
{
	struct ffaemu_regs r;
	regs5(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, 0x8001, 0, 0);
	r.x[4] = 0x44;
	r.x[17] = 0x1717;
	call(b, &r, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2);
	traced_tick(b);
}

/* ---- memory sharing ---- */

static void desc_build(struct bench *b, uint32_t n)
{
	struct ffaemu_memdesc_receiver rcv;
	struct ffaemu_memdesc_tx tx;
	struct ffaemu_range *ranges = calloc(n, sizeof(*ranges));
	size_t cap = 48 + 32 + 16 + 16 * (size_t)n;
	int rc;

	b->desc = malloc(cap);
	if (!ranges || !b->desc)
		die("malloc", 0);
	memset(&tx, 0, sizeof(tx));
	memset(&rcv, 0, sizeof(rcv));
	rcv.id = 0x8005;
	rcv.perms = FFAEMU_MEM_PERM_DATA_RW;
	tx.attributes = FFAEMU_MEM_ATTR_NORMAL_WB_INNER;
	tx.receiver_count = 1;
	tx.receivers = &rcv;
	/* One page per constituent, every page of RAM from 1 MiB on. */
	for (uint32_t i = 0; i < n; i++) {
		ranges[i].base = FFAEMU_SYSTEM_RAM_BASE + 0x100000 + (uint64_t)i * FFAEMU_PAGE_SIZE;
		ranges[i].pages = 1;
	}
	tx.constituent_count = n;
	tx.constituents = ranges;
	rc = ffaemu_memdesc_build(&tx, FFAEMU_FFA_1_2, b->desc, cap, &b->desc_len);
	if (rc)
		die("memdesc_build", rc);
	free(ranges);
	b->nconst = n;
}

static void share(struct bench *b)
{
	struct ffaemu_mem *mem = ffaemu_system_mem(b->sys);
	struct ffaemu_regs r;
	size_t len = b->desc_len, fl = len < FFAEMU_PAGE_SIZE ? len : FFAEMU_PAGE_SIZE;

	ffaemu_mem_write(mem, FFAEMU_SYSTEM_RAM_BASE, b->desc, fl);
	regs5(&r, FFAEMU_FFA_MEM_SHARE_64, len, fl, 0);
	call(b, &r, 0);
	while ((uint32_t)r.x[0] == FFAEMU_FFA_MEM_FRAG_RX) {
		/* The first fragment ends after whole constituents; later ones hold
		 * whole constituents only (spec E2): page-sized chunks minus the tail. */
		size_t off = (uint32_t)r.x[3];
		fl = len - off;
		if (fl > FFAEMU_PAGE_SIZE)
			fl = FFAEMU_PAGE_SIZE;
		ffaemu_mem_write(mem, FFAEMU_SYSTEM_RAM_BASE, b->desc + off, fl);
		uint64_t h = ffaemu_regs_handle(&r, 1);
		regs5(&r, FFAEMU_FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, fl);
		call(b, &r, 0);
	}
	if ((uint32_t)r.x[0] != FFAEMU_FFA_SUCCESS) {
		fprintf(stderr, "bench: share of %u answered 0x%08x w2=%d\n", b->nconst,
			(unsigned)r.x[0], (int)(int32_t)r.x[2]);
		exit(1);
	}
	b->handle = ffaemu_regs_handle(&r, 2);
}

static void reclaim(struct bench *b)
{
	struct ffaemu_regs r;
	regs5(&r, FFAEMU_FFA_MEM_RECLAIM, (uint32_t)b->handle, b->handle >> 32, 0);
	call(b, &r, FFAEMU_FFA_SUCCESS);
}

static void share_reclaim_op(struct bench *b)
{
	share(b);
	reclaim(b);
}

/* SHARE, then the memory partition RETRIEVEs, reads and RELINQUISHes, then RECLAIM. */
static void mem_cycle_op(struct bench *b)
{
	struct ffaemu_regs r;
	share(b);
	regs5(&r, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8005, 0, (uint32_t)b->handle);
	r.x[4] = b->handle >> 32;
	r.x[5] = FFAEMU_SP_MEMORY_OP_READ;
	call(b, &r, FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64);
	if ((uint32_t)r.x[3] != 0)
		die("memory partition", (int)(int32_t)r.x[3]);
	reclaim(b);
}

/* ---- the table of cases ---- */

struct bcase {
	const char *name;
	const char *proxy;   /* NULL = baseline */
	bool traced;
	void (*op)(struct bench *);
	uint32_t nconst;     /* memory cases */
	unsigned long iters; /* default per repetition */
	const char *what;
};

static const struct bcase cases[] = {
	{"baseline", NULL, false, baseline_op, 0, 2000000, "edge + copy node"},
	{"version-direct", "none", false, version_op, 0, 500000, "FFA_VERSION host->SPMC"},
	{"version-pkvm", "pkvm-2026", false, version_op, 0, 500000, "FFA_VERSION host->pkvm-2026->SPMC"},
	{"id_get-direct", "none", false, id_get_op, 0, 500000, "FFA_ID_GET host->SPMC"},
	{"id_get-pkvm", "pkvm-2026", false, id_get_op, 0, 500000, "FFA_ID_GET via pkvm-2026"},
	{"req64-direct", "none", false, req64_op, 0, 300000, "DIRECT_REQ_64 to echo SP"},
	{"req64-pkvm", "pkvm-2026", false, req64_op, 0, 300000, "DIRECT_REQ_64 via pkvm-2026"},
	{"req2-direct", "none", false, req2_op, 0, 300000, "DIRECT_REQ2 to echo SP"},
	{"req2-pkvm", "pkvm-2026-direct-msg", false, req2_op, 0, 300000,
	 "DIRECT_REQ2 via pkvm-2026-direct-msg (pkvm-2026 denies REQ2)"},
	{"version-direct-traced", "none", true, version_op, 0, 200000, "+ tracer + checker"},
	{"version-pkvm-traced", "pkvm-2026", true, version_op, 0, 200000, "+ tracer + checker"},
	{"id_get-direct-traced", "none", true, id_get_op, 0, 200000, "+ tracer + checker"},
	{"id_get-pkvm-traced", "pkvm-2026", true, id_get_op, 0, 200000, "+ tracer + checker"},
	{"req64-direct-traced", "none", true, req64_op, 0, 200000, "+ tracer + checker"},
	{"req64-pkvm-traced", "pkvm-2026", true, req64_op, 0, 200000, "+ tracer + checker"},
	{"req2-direct-traced", "none", true, req2_op, 0, 200000, "+ tracer + checker"},
	{"req2-pkvm-traced", "pkvm-2026-direct-msg", true, req2_op, 0, 200000, "+ tracer + checker"},
	{"mem-cycle-direct", "none", false, mem_cycle_op, 1, 20000,
	 "SHARE+RETRIEVE+RELINQUISH+RECLAIM, 1 page"},
	{"mem-cycle-pkvm", "pkvm-2026", false, mem_cycle_op, 1, 20000,
	 "SHARE+RETRIEVE+RELINQUISH+RECLAIM, 1 page, via pkvm-2026"},
	{"share-1", "none", false, share_reclaim_op, 1, 50000, "SHARE+RECLAIM, 1 constituent"},
	{"share-16", "none", false, share_reclaim_op, 16, 20000, "SHARE+RECLAIM, 16"},
	{"share-4096", "none", false, share_reclaim_op, 4096, 200, "SHARE+FRAG_TX+RECLAIM, 4096"},
	{"share-262144", "none", false, share_reclaim_op, 262144, 3,
	 "SHARE+FRAG_TX+RECLAIM, 262144"},
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int run_case(const struct bcase *c, unsigned long iters, unsigned reps)
{
	struct bench b;

	memset(&b, 0, sizeof(b));
	if (!c->proxy)
		baseline_setup(&b);
	else
		stack_setup(&b, c->proxy, c->traced,
			    c->nconst ? 0x100000 + (uint64_t)c->nconst * FFAEMU_PAGE_SIZE : 0);
	if (c->nconst)
		desc_build(&b, c->nconst);

	if (reps == 0) {
		for (unsigned long i = 0; i < iters; i++)
			c->op(&b);
	} else {
		double t[16] = {0};
		if (reps > 16)
			reps = 16;
		c->op(&b); /* warm up */
		for (unsigned k = 0; k < reps; k++) {
			double t0 = now_ns();
			for (unsigned long i = 0; i < iters; i++)
				c->op(&b);
			t[k] = (now_ns() - t0) / (double)iters;
		}
		qsort(t, reps, sizeof(t[0]), cmp_double);
		double med = t[reps / 2];
		printf("case=%s iters=%lu reps=%u median_ns=%.1f min_ns=%.1f max_ns=%.1f ops_per_s=%.0f",
		       c->name, iters, reps, med, t[0], t[reps - 1], 1e9 / med);
		if (c->nconst)
			printf(" ns_per_constituent=%.2f constituents_per_s=%.0f", med / c->nconst,
			       1e9 * c->nconst / med);
		printf("\n");
	}

	ffaemu_check_free(&b.chk);
	ffaemu_trace_free(&b.trace);
	ffaemu_system_free(&b.sys);
	ffaemu_edge_free(&b.edge);
	ffaemu_node_free(&b.node);
	free(b.desc);
	return 0;
}

int emu_cmd_bench(int argc, char **argv)
{
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: ffa-emu bench [CASE [ITERS [REPS]]] | --list\n"
		       "Time emulated calls: median ns per operation of REPS (5) runs of ITERS.\n"
		       "Without CASE every case runs; ITERS 0 is the case's default;\n"
		       "REPS 0 runs ITERS once silently (callgrind).\n");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < ncases; i++)
			printf("%s\t%u\t%s\n", cases[i].name, cases[i].nconst, cases[i].what);
		return 0;
	}
	if (argc < 2) {
		for (size_t i = 0; i < ncases; i++)
			run_case(&cases[i], cases[i].iters, 5);
		return 0;
	}
	for (size_t i = 0; i < ncases; i++) {
		if (strcmp(argv[1], cases[i].name) != 0)
			continue;
		unsigned long iters = argc >= 3 ? strtoul(argv[2], NULL, 0) : 0;
		unsigned reps = argc >= 4 ? (unsigned)strtoul(argv[3], NULL, 0) : 5;
		return run_case(&cases[i], iters ? iters : cases[i].iters, reps);
	}
	fprintf(stderr, "ffa-emu bench: unknown case '%s' (--list)\n", argv[1]);
	return 2;
}
