/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builds the seed corpora from the conformance scenarios (tests/scenarios):
 * every scenario is run (with its default proxy, and with pkvm-2026 where
 * it applies) while an observer on the host edge records each call in the
 * input format of fuzz_stack (TX contents first, then the call), and each
 * complete memory transaction descriptor the host sent in the format of
 * fuzz_memdesc. The scenario texts themselves seed fuzz_script; short host
 * sequences (share, fragmented share, reclaim) under every proxy profile
 * seed fuzz_spmc_replies; a JSON Lines trace of each run seeds fuzz_trace.
 *
 *   fuzz_seedgen CORPUS-DIR tests/scenarios/NAME.ffa...
 */
#include <errno.h>
#include <sys/stat.h>

#include "stack.h"

struct out {
	uint8_t *b;
	size_t n, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		size_t cap = (o->cap + n) * 2;
		uint8_t *nb = realloc(o->b, cap);
		if (!nb) {
			perror("seedgen");
			exit(1);
		}
		o->b = nb;
		o->cap = cap;
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

static void put16(struct out *o, uint16_t v)
{
	put8(o, (uint8_t)v);
	put8(o, (uint8_t)(v >> 8));
}

static void put32(struct out *o, uint32_t v)
{
	put16(o, (uint16_t)v);
	put16(o, (uint16_t)(v >> 16));
}

static void put64(struct out *o, uint64_t v)
{
	put32(o, (uint32_t)v);
	put32(o, (uint32_t)(v >> 32));
}

static void write_file(const char *dir, const char *name, const struct out *o)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(o->b, 1, o->n, f) != o->n || fclose(f) != 0) {
		fprintf(stderr, "seedgen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

struct rec {
	const char *outdir, *base;
	unsigned run;        /* stacks seen in this scenario */
	unsigned descs;
	struct ffaemu_system *sys;
	struct out stack;
	ffaemu_pa_t tx;
	uint32_t version;
	unsigned proxy_idx;
	struct ffaemu_trace *trace;
};

static int trace_mem_read(void *user, uint64_t pa, void *dst, size_t len)
{
	struct rec *r = user;
	return r->sys ? ffaemu_mem_read(ffaemu_system_mem(r->sys), pa, dst, len) : -1;
}

static int file_write(void *user, const char *data, size_t len)
{
	return fwrite(data, 1, len, user) == len ? 0 : -1;
}

static unsigned index_of(const char *(*name_at)(size_t), const char *name)
{
	for (size_t i = 0; name && name_at(i); i++)
		if (strcmp(name_at(i), name) == 0)
			return (unsigned)i + 1;
	return 0;
}

static void token(struct out *o, const struct rec *r, uint64_t v)
{
	if (v == r->tx) {
		put8(o, 4);
	} else if (v < 0x100) {
		put8(o, 0);
		put8(o, (uint8_t)v);
	} else if (v <= 0xffffffffu) {
		put8(o, 2);
		put32(o, (uint32_t)v);
	} else {
		put8(o, 3);
		put64(o, v);
	}
}

static void on_call(void *user, const struct ffaemu_edge_event *ev)
{
	struct rec *r = user;
	uint32_t fid = (uint32_t)ev->in.x[0];
	uint8_t page[FFAEMU_PAGE_SIZE];
	size_t used = 0;

	if (ffaemu_mem_read(ffaemu_system_mem(r->sys), r->tx, page, sizeof(page)) == 0)
		for (size_t i = 0; i < sizeof(page); i++)
			if (page[i])
				used = i + 1;
	if (used && r->stack.n < 60000) {
		put8(&r->stack, 2); /* TXW */
		put16(&r->stack, 0);
		put16(&r->stack, (uint16_t)used);
		put(&r->stack, page, used);
	}
	if (r->stack.n < 60000) {
		unsigned sel = 0xff;
		for (unsigned i = 0; i < fid_count; i++)
			if (fid_table[i] == fid)
				sel = i;
		put8(&r->stack, 0); /* CALL */
		put8(&r->stack, (uint8_t)sel);
		if (sel == 0xff)
			put32(&r->stack, fid);
		uint32_t mask = 0;
		for (unsigned n = 1; n < FFAEMU_NREGS; n++)
			if (ev->in.x[n])
				mask |= 1u << n;
		put32(&r->stack, mask);
		for (unsigned n = 1; n < FFAEMU_NREGS; n++)
			if (mask & (1u << n))
				token(&r->stack, r, ev->in.x[n]);
	}

	uint32_t r0 = (uint32_t)ev->out.x[0];
	if (fid == FFAEMU_FFA_VERSION && (int32_t)r0 >= 0)
		r->version = (uint32_t)ev->in.x[1];
	if ((fid == FFAEMU_FFA_RXTX_MAP_64 || fid == FFAEMU_FFA_RXTX_MAP) &&
	    r0 == FFAEMU_FFA_SUCCESS)
		r->tx = ev->in.x[1];

	/* A whole descriptor in one fragment: a memdesc seed. */
	int abi = -1;
	switch (fid) {
	case FFAEMU_FFA_MEM_SHARE_64: abi = 0; break;
	case FFAEMU_FFA_MEM_LEND_64: abi = 1; break;
	case FFAEMU_FFA_MEM_DONATE_64: abi = 2; break;
	case FFAEMU_FFA_MEM_SHARE: abi = 3; break;
	default: break;
	}
	uint32_t len = (uint32_t)ev->in.x[1];
	if (abi >= 0 && len == (uint32_t)ev->in.x[2] && len <= sizeof(page) && r->descs < 40) {
		struct out d = {0};
		char name[300];
		unsigned v = r->version == FFAEMU_FFA_1_0 ? 0 : r->version == FFAEMU_FFA_1_1 ? 1 : 2;
		unsigned kind = abi == 3 ? 0 : (unsigned)abi;
		put8(&d, (uint8_t)(v | kind << 2 | (unsigned)abi << 5));
		put8(&d, (uint8_t)r->proxy_idx);
		for (int i = 0; i < 4; i++)
			put16(&d, 0);
		put(&d, page, len);
		snprintf(name, sizeof(name), "%s/../memdesc/%s-%02u", r->outdir, r->base, r->descs++);
		write_file(".", name, &d);
		free(d.b);
	}
}

static void on_system(void *user, struct ffaemu_system *sys)
{
	struct rec *r = user;
	const struct ffaemu_spmc_profile *sp = ffaemu_spmc_get_profile(ffaemu_system_spmc(sys));

	r->sys = sys;
	r->stack.n = 0;
	r->tx = FFAEMU_SYSTEM_RAM_BASE;
	r->version = FFAEMU_FFA_1_2;
	r->proxy_idx = index_of(ffaemu_proxy_profile_name_at, ffaemu_system_proxy_name(sys));
	put8(&r->stack, (uint8_t)r->proxy_idx);
	put8(&r->stack, (uint8_t)index_of(ffaemu_spmc_profile_name_at, sp ? sp->name : NULL));
	put8(&r->stack, (uint8_t)(r->run & 1)); /* every other seed traced */
	ffaemu_edge_add_observer(ffaemu_system_host_edge(sys), on_call, r);

	/* A trace of the host edge (with TX bytes) seeds fuzz_trace. */
	struct ffaemu_trace_config tc;
	ffaemu_trace_config_default(&tc);
	tc.mem_read = trace_mem_read;
	tc.mem_user = r;
	tc.max_records = 32; /* small seeds: the start of each run */
	if (ffaemu_trace_new(&tc, &r->trace) == 0)
		(void)ffaemu_trace_attach(r->trace, ffaemu_system_host_edge(sys));
}

static void on_system_end(void *user, struct ffaemu_system *sys)
{
	struct rec *r = user;
	char name[300];

	ffaemu_edge_remove_observer(ffaemu_system_host_edge(sys), on_call, r);
	if (r->trace) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/../trace/%s-%u.jsonl", r->outdir, r->base, r->run);
		FILE *f = fopen(path, "wb");
		if (f) {
			(void)ffaemu_trace_write(r->trace, FFAEMU_TRACE_JSONL, file_write, f);
			fclose(f);
		}
		ffaemu_trace_free(&r->trace);
	}
	if (r->stack.n > 3) {
		snprintf(name, sizeof(name), "%s-%u", r->base, r->run++);
		write_file(r->outdir, name, &r->stack);
	}
	r->sys = NULL;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct out o = {0};
	uint8_t buf[4096];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		put(&o, buf, n);
	fclose(f);
	*len = o.n;
	return (char *)o.b;
}

static void spmc_replies_seeds(const char *dir)
{
	/* host ops: 0 VERSION, 1 RXTX_MAP, 2 SEND (a, first), 3 RECLAIM, 4 PARTINFO, 5 RX_RELEASE */
	static const uint8_t seqs[][12] = {
		{4, 0, 1, 2, 0, 0, 3},              /* share one page, reclaim */
		{6, 0, 1, 2, 0x7f, 0, 3},           /* 253 ranges: FRAG_RX on share and reclaim */
		{8, 0, 1, 0x82, 3, 4, 3, 4, 5},     /* lend, reclaim, partition info, release */
		{7, 0x80, 1, 0x1a, 9, 16, 3, 6},    /* v1.1, share 10 ranges of 4 pages */
	};
	char name[64];
	for (size_t p = 0; p < ffaemu_proxy_profile_count(); p++) {
		for (size_t s = 0; s < sizeof(seqs) / sizeof(seqs[0]); s++) {
			struct out o = {0};
			put8(&o, (uint8_t)p);
			put16(&o, seqs[s][0]);
			put(&o, &seqs[s][1], seqs[s][0]);
			snprintf(name, sizeof(name), "p%02zu-s%zu", p, s);
			write_file(dir, name, &o);
			free(o.b);
		}
	}
}

int main(int argc, char **argv)
{
	char dir[1024];

	if (argc < 3) {
		fprintf(stderr, "usage: %s CORPUS-DIR SCENARIO...\n", argv[0]);
		return 2;
	}
	fid_table_init();
	const char *subs[] = {"stack", "memdesc", "script", "spmc_replies", "trace"};
	for (int i = 0; i < 5; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], subs[i]);
		mkdir(dir, 0755);
	}
	snprintf(dir, sizeof(dir), "%s/spmc_replies", argv[1]);
	spmc_replies_seeds(dir);
	for (int a = 2; a < argc; a++) {
		size_t len = 0;
		char *text = slurp(argv[a], &len);
		struct ffaemu_script *sc = NULL;
		const char *slash = strrchr(argv[a], '/');
		char base[256];
		struct rec r;

		if (!text || ffaemu_script_parse(argv[a], text, len, NULL, &sc, NULL) != 0) {
			fprintf(stderr, "seedgen: %s does not parse\n", argv[a]);
			return 1;
		}
		snprintf(base, sizeof(base), "%s", slash ? slash + 1 : argv[a]);
		char *dot = strrchr(base, '.');
		if (dot)
			*dot = 0;
		struct out t = {(uint8_t *)text, len, len};
		snprintf(dir, sizeof(dir), "%s/script/%s.ffa", argv[1], base);
		write_file(".", dir, &t);

		snprintf(dir, sizeof(dir), "%s/stack", argv[1]);
		memset(&r, 0, sizeof(r));
		r.outdir = dir;
		r.base = base;
		const char *proxies[] = {"none", "pkvm-2026"};
		for (int p = 0; p < 2; p++) {
			struct ffaemu_script_run_config cfg;
			ffaemu_script_run_config_default(&cfg);
			cfg.proxy = proxies[p];
			cfg.on_system = on_system;
			cfg.on_system_end = on_system_end;
			cfg.user = &r;
			if (p == 1 && (ffaemu_script_sets_proxy(sc) || !ffaemu_script_applies(sc, cfg.proxy)))
				continue;
			(void)ffaemu_script_run(sc, &cfg, NULL, NULL);
		}
		free(r.stack.b);
		ffaemu_script_free(&sc);
		free(text);
	}
	return 0;
}
