/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario-script interpreter: runs a parsed script (script.c) on a fresh
 * stack (system.h), evaluates expectations and reports each outcome.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/mem.h>
#include <ffa/smccc.h>
#include <ffa/system.h>

#include "script_priv.h"

struct var {
	char name[64];
	uint64_t value;
};

struct run {
	const struct ffaemu_script *sc;
	const struct ffaemu_script_run_config *cfg;
	struct ffaemu_script_stats st;
	struct ffaemu_script_error *err;
	struct ffaemu_alloc a;
	/* configuration gathered before the stack is built */
	struct ffaemu_system_config scfg;
	char proxy[64], spmc[64], partitions[64];
	struct ffaemu_system *sys;
	/* state */
	struct var *vars;
	size_t nvars;
	struct ffaemu_regs last;
	bool have_last;
	uint64_t tx, rx, rxtx_pages;
	uint32_t ffa_version;
	uint8_t *desc;
	size_t desc_len;
	uint64_t desc_comp;
	const struct script_stmt *cur;
};

static int run_error(struct run *r, const struct script_tok *t, int rc, const char *fmt, ...)
	SCRIPT_PRINTF(4, 5);

static int run_error(struct run *r, const struct script_tok *t, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->err) {
		snprintf(r->err->file, sizeof(r->err->file), "%s", r->sc->name);
		r->err->line = r->cur ? r->cur->line : 0;
		r->err->column = t ? t->col : (r->cur ? r->cur->col : 0);
		va_start(ap, fmt);
		vsnprintf(r->err->message, sizeof(r->err->message), fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- variables ---- */

static bool lookup(void *user, const char *name, uint64_t *out)
{
	struct run *r = user;

	for (size_t i = 0; i < r->nvars; i++) {
		if (strcmp(r->vars[i].name, name) == 0) {
			*out = r->vars[i].value;
			return true;
		}
	}
	if (!strcmp(name, "tx"))
		*out = r->tx;
	else if (!strcmp(name, "rx"))
		*out = r->rx;
	else if (!strcmp(name, "rxtx_pages"))
		*out = r->rxtx_pages;
	else if (!strcmp(name, "ram"))
		*out = r->scfg.ram_base;
	else if (!strcmp(name, "page_size"))
		*out = r->scfg.page_size;
	else if (!strcmp(name, "desc_len"))
		*out = r->desc_len;
	else if (!strcmp(name, "desc_comp"))
		*out = r->desc_comp;
	else if (!strcmp(name, "ffa_version"))
		*out = r->ffa_version;
	else
		return false;
	return true;
}

static int set_var(struct run *r, const struct script_tok *t, const char *name, uint64_t v)
{
	for (size_t i = 0; i < r->nvars; i++) {
		if (strcmp(r->vars[i].name, name) == 0) {
			r->vars[i].value = v;
			return 0;
		}
	}
	if (r->nvars == SCRIPT_MAX_VARS)
		return run_error(r, t, FFAEMU_ERANGE, "too many variables (max %d)",
				 SCRIPT_MAX_VARS);
	if (strlen(name) >= sizeof(r->vars[0].name))
		return run_error(r, t, FFAEMU_ERANGE, "variable name too long");
	snprintf(r->vars[r->nvars].name, sizeof(r->vars[0].name), "%s", name);
	r->vars[r->nvars++].value = v;
	return 0;
}

static int eval(struct run *r, const struct script_tok *t, const char *s, uint64_t *out)
{
	struct script_env env = {lookup, r};
	char why[128];
	size_t pos = 0;

	if (script_expr_eval(s, &env, out, &pos, why, sizeof(why)))
		return 0;
	if (r->err) {
		run_error(r, t, FFAEMU_EPARSE, "%s", why);
		r->err->column = t->col + (unsigned)(s - t->s) + (unsigned)pos;
	}
	return FFAEMU_EPARSE;
}

/* ---- the stack ---- */

static int ensure_system(struct run *r)
{
	int rc;

	if (r->sys)
		return 0;
	r->scfg.proxy = r->proxy;
	r->scfg.spmc = r->spmc[0] ? r->spmc : NULL;
	r->scfg.partitions = r->partitions[0] ? r->partitions : NULL;
	r->scfg.alloc = r->cfg->alloc;
	rc = ffaemu_system_new(&r->scfg, &r->sys);
	if (rc)
		return run_error(r, NULL, rc, "cannot build the stack (proxy '%s', spmc '%s', partitions '%s'): %s",
				 r->proxy, r->spmc[0] ? r->spmc : "default",
				 r->partitions[0] ? r->partitions : "default", ffaemu_strerror(rc));
	if (r->cfg->on_system)
		r->cfg->on_system(r->cfg->user, r->sys);
	return 0;
}

static const char *current_proxy(const struct run *r)
{
	return r->sys ? ffaemu_system_proxy_name(r->sys) : r->proxy;
}

/* ---- formatting replies ---- */

static size_t fmt_value(char *buf, size_t len, unsigned reg, uint64_t v)
{
	const char *name = NULL;
	int n;

	if (reg == 0)
		name = ffaemu_smccc_fid_name((uint32_t)v);
	n = snprintf(buf, len, "x%u=0x%llx", reg, (unsigned long long)v);
	if (n < 0)
		return 0;
	if (name && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "(%s)", name);
	return (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

static void fmt_reply(const struct ffaemu_regs *g, uint32_t extra, char *buf, size_t len)
{
	size_t o = 0;

	for (unsigned i = 0; i < FFAEMU_NREGS && o + 1 < len; i++) {
		if (i > 7 && !g->x[i] && !(extra & FFAEMU_REG(i)))
			continue;
		if (o)
			buf[o++] = ' ';
		o += fmt_value(buf + o, len - o, i, g->x[i]);
		if (i == 2 && ((uint32_t)g->x[0] == FFAEMU_FFA_ERROR ||
			       (uint32_t)g->x[0] == FFAEMU_FFA_ERROR_64)) {
			const char *en = ffaemu_ffa_error_name(ffaemu_regs_s32(g, 2));

			if (en && o + 1 < len)
				o += (size_t)snprintf(buf + o, len - o, "(%s)", en);
			if (o >= len)
				o = len - 1;
		}
	}
	buf[o < len ? o : len - 1] = 0;
}

static void report(struct run *r, bool ok, const char *detail, const struct ffaemu_regs *got)
{
	struct ffaemu_script_outcome o;

	r->st.expectations++;
	if (ok)
		r->st.passed++;
	else
		r->st.failed++;
	if (!r->cfg->report)
		return;
	memset(&o, 0, sizeof(o));
	o.file = r->sc->name;
	o.line = r->cur->line;
	o.column = r->cur->col;
	o.source = r->cur->src;
	o.passed = ok;
	o.detail = ok ? "" : detail;
	if (got)
		o.got = *got;
	r->cfg->report(r->cfg->user, &o);
}

/* ---- statements ---- */

static int do_call(struct run *r, const struct script_stmt *s)
{
	struct ffaemu_regs regs, in;
	uint64_t v;
	int rc;

	rc = ensure_system(r);
	if (rc)
		return rc;
	ffaemu_regs_clear(&regs);
	rc = eval(r, &s->t[1], s->t[1].s, &v);
	if (rc)
		return rc;
	regs.x[0] = v;
	for (unsigned i = 2; i < s->nt; i++) {
		const char *eq = strchr(s->t[i].s, '=');
		bool wide = true;
		int reg = script_reg_parse(s->t[i].s, (size_t)(eq - s->t[i].s), &wide);

		rc = eval(r, &s->t[i], eq + 1, &v);
		if (rc)
			return rc;
		regs.x[reg] = wide ? v : (uint32_t)v;
	}
	in = regs;
	ffaemu_system_call(r->sys, &regs);
	r->st.calls++;
	r->last = regs;
	r->have_last = true;
	/* Track the host's buffers and version, for descriptors and $tx/$rx. */
	{
		uint32_t fid = ffaemu_fid_strip_hint((uint32_t)in.x[0]);
		uint32_t ret = (uint32_t)regs.x[0];
		bool ok = ret == FFAEMU_FFA_SUCCESS || ret == FFAEMU_FFA_SUCCESS_64;

		if (ok && (fid == FFAEMU_FFA_RXTX_MAP || fid == FFAEMU_FFA_RXTX_MAP_64)) {
			bool w = fid == FFAEMU_FFA_RXTX_MAP;

			r->tx = w ? (uint32_t)in.x[1] : in.x[1];
			r->rx = w ? (uint32_t)in.x[2] : in.x[2];
			r->rxtx_pages = (uint32_t)in.x[3];
		} else if (ok && fid == FFAEMU_FFA_RXTX_UNMAP) {
			r->tx = r->rx = r->rxtx_pages = 0;
		} else if (fid == FFAEMU_FFA_VERSION && ffaemu_regs_s32(&regs, 0) >= 0) {
			/* The caller talks at its own version when compatible (spec C4). */
			uint32_t req = (uint32_t)in.x[1];

			r->ffa_version = ffaemu_ffa_version_compatible(req, ret) ? req : ret;
		}
	}
	return 0;
}

/* A value pattern: EXPR, EXPR/MASK or '*'. */
static int eval_pattern(struct run *r, const struct script_tok *t, const char *p, uint64_t *val,
			uint64_t *mask, bool *any)
{
	char buf[SCRIPT_MAX_TOK_LEN + 1];
	const char *slash;
	int rc;

	*any = false;
	*mask = UINT64_MAX;
	if (strcmp(p, "*") == 0) {
		*any = true;
		return 0;
	}
	slash = strrchr(p, '/');
	if (!slash)
		return eval(r, t, p, val);
	memcpy(buf, p, (size_t)(slash - p));
	buf[slash - p] = 0;
	/* evaluate in place so columns stay right */
	{
		struct script_env env = {lookup, r};
		char why[128];
		size_t pos = 0;

		if (!script_expr_eval(buf, &env, val, &pos, why, sizeof(why))) {
			rc = run_error(r, t, FFAEMU_EPARSE, "%s", why);
			if (r->err)
				r->err->column = t->col + (unsigned)(p - t->s) + (unsigned)pos;
			return rc;
		}
	}
	rc = eval(r, t, slash + 1, mask);
	*val &= *mask;
	return rc;
}

static bool fid_matches(uint64_t want, uint32_t got)
{
	uint32_t w = (uint32_t)want;

	/* Either width of FFA_SUCCESS / FFA_ERROR is a valid status reply (spec C3). */
	if (w == FFAEMU_FFA_SUCCESS)
		return got == FFAEMU_FFA_SUCCESS || got == FFAEMU_FFA_SUCCESS_64;
	if (w == FFAEMU_FFA_ERROR)
		return got == FFAEMU_FFA_ERROR || got == FFAEMU_FFA_ERROR_64;
	return got == w;
}

static int do_expect(struct run *r, const struct script_stmt *s)
{
	const struct ffaemu_regs *g = &r->last;
	char detail[1024], got[768];
	size_t dl = 0;
	uint32_t mentioned = 1; /* x0 */
	bool ok = true, rest = false;
	unsigned i = 1;
	uint64_t v;
	int rc;

	if (!r->have_last)
		return run_error(r, &s->t[0], FFAEMU_EPERM, "'expect' before any 'call'");
	detail[0] = 0;
#define FAILF(...)                                                                       \
	do {                                                                             \
		ok = false;                                                              \
		if (dl < sizeof(detail))                                                 \
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, __VA_ARGS__); \
	} while (0)

	if (!strcmp(s->t[1].s, "error")) {
		rc = eval(r, &s->t[2], s->t[2].s, &v);
		if (rc)
			return rc;
		if (!fid_matches(FFAEMU_FFA_ERROR, (uint32_t)g->x[0]) ||
		    ffaemu_regs_s32(g, 2) != (int32_t)(uint32_t)v) {
			const char *en = ffaemu_ffa_error_name((int32_t)(uint32_t)v);

			FAILF("expected FFA_ERROR w2=%s(%d); ", en ? en : "?", (int32_t)(uint32_t)v);
		}
		mentioned |= FFAEMU_REG(2);
		i = 3;
	} else if (!strcmp(s->t[1].s, "ret")) {
		rc = eval(r, &s->t[2], s->t[2].s, &v);
		if (rc)
			return rc;
		/* SMCCC/VERSION status in w0: compare as s32 (spec A8, G10). */
		if (ffaemu_regs_s32(g, 0) != (int32_t)(uint32_t)v)
			FAILF("expected w0=%d; ", (int32_t)(uint32_t)v);
		i = 3;
	} else if (!strcmp(s->t[1].s, "version")) {
		rc = eval(r, &s->t[2], s->t[2].s, &v);
		if (rc)
			return rc;
		if ((uint32_t)g->x[0] != (uint32_t)v)
			FAILF("expected version 0x%x; ", (uint32_t)v);
		i = 3;
	} else if (!strcmp(s->t[1].s, "any")) {
		mentioned = 0;
		i = 2;
	} else if (strchr(s->t[1].s, '=') || strstr(s->t[1].s, "->")) {
		mentioned = 0;
		i = 1;
	} else {
		rc = eval(r, &s->t[1], s->t[1].s, &v);
		if (rc)
			return rc;
		if (!fid_matches(v, (uint32_t)g->x[0])) {
			const char *n = ffaemu_smccc_fid_name((uint32_t)v);

			FAILF("expected x0=%s(0x%x); ", n ? n : "?", (uint32_t)v);
		}
		i = 2;
	}
	for (; i < s->nt; i++) {
		const struct script_tok *t = &s->t[i];
		const char *p = t->s, *op = p;
		bool wide = true, neg = false, any;
		uint64_t val, mask, have;
		int reg;

		if (!strcmp(p, "rest=0")) {
			rest = true;
			continue;
		}
		while (*op && *op != '=' && *op != '!' && *op != '-')
			op++;
		reg = script_reg_parse(p, (size_t)(op - p), &wide);
		mentioned |= FFAEMU_REG(reg);
		have = wide ? g->x[reg] : (uint32_t)g->x[reg];
		if (op[0] == '-') {
			rc = set_var(r, t, op + 2, have);
			if (rc)
				return rc;
			continue;
		}
		if (op[0] == '!') {
			neg = true;
			op++;
		}
		rc = eval_pattern(r, t, op + 1, &val, &mask, &any);
		if (rc)
			return rc;
		if (any)
			continue;
		if (!wide) {
			val &= 0xffffffffu;
			mask &= 0xffffffffu;
		}
		if (((have & mask) == val) == neg)
			FAILF("expected %s; ", p);
	}
	if (rest) {
		for (unsigned k = 1; k < FFAEMU_NREGS; k++) {
			if (mentioned & FFAEMU_REG(k))
				continue;
			if (g->x[k])
				FAILF("expected x%u=0 (rest=0); ", k);
		}
	}
#undef FAILF
	if (!ok) {
		fmt_reply(g, 0, got, sizeof(got));
		if (dl < sizeof(detail))
			snprintf(detail + dl, sizeof(detail) - dl, "got %s", got);
	}
	report(r, ok, detail, g);
	return 0;
}

static int mem_rw(struct run *r, const struct script_tok *t, uint64_t pa, void *buf, size_t n,
		  bool write)
{
	int rc = write ? ffaemu_mem_write(ffaemu_system_mem(r->sys), pa, buf, n)
		       : ffaemu_mem_read(ffaemu_system_mem(r->sys), pa, buf, n);

	if (rc)
		return run_error(r, t, rc, "cannot %s %zu bytes at 0x%llx: %s",
				 write ? "write" : "read", n, (unsigned long long)pa,
				 ffaemu_strerror(rc));
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static int do_write(struct run *r, const struct script_stmt *s)
{
	uint64_t pa, v;
	int rc = ensure_system(r);

	if (rc)
		return rc;
	rc = eval(r, &s->t[1], s->t[1].s, &pa);
	if (rc)
		return rc;
	for (unsigned i = 2; i + 1 < s->nt; i += 2) {
		unsigned n = (unsigned)script_mem_type(s->t[i].s, strlen(s->t[i].s));
		uint8_t b[8];

		rc = eval(r, &s->t[i + 1], s->t[i + 1].s, &v);
		if (rc)
			return rc;
		put_le(b, v, n);
		rc = mem_rw(r, &s->t[1], pa, b, n, true);
		if (rc)
			return rc;
		pa += n;
	}
	return 0;
}

static int do_fill(struct run *r, const struct script_stmt *s)
{
	uint64_t pa, len, byte;
	void *p;
	int rc = ensure_system(r);

	if (rc)
		return rc;
	if ((rc = eval(r, &s->t[1], s->t[1].s, &pa)) || (rc = eval(r, &s->t[2], s->t[2].s, &len)) ||
	    (rc = eval(r, &s->t[3], s->t[3].s, &byte)))
		return rc;
	rc = ffaemu_mem_ptr(ffaemu_system_mem(r->sys), pa, len, &p);
	if (rc)
		return run_error(r, &s->t[1], rc, "cannot fill %llu bytes at 0x%llx: %s",
				 (unsigned long long)len, (unsigned long long)pa, ffaemu_strerror(rc));
	memset(p, (int)(byte & 0xff), (size_t)len);
	return 0;
}

static int do_expect_mem(struct run *r, const struct script_stmt *s)
{
	char detail[1024];
	size_t dl = 0;
	uint64_t pa;
	bool ok = true;
	int rc = ensure_system(r);

	if (rc)
		return rc;
	detail[0] = 0;
	rc = eval(r, &s->t[2], s->t[2].s, &pa);
	if (rc)
		return rc;
	for (unsigned i = 3; i < s->nt; i++) {
		const struct script_tok *t = &s->t[i];
		const char *eq = strchr(t->s, '=');
		unsigned n = (unsigned)script_mem_type(t->s, (size_t)(eq - t->s));
		uint64_t val, mask, have;
		uint8_t b[8];
		bool any;

		rc = mem_rw(r, &s->t[2], pa, b, n, false);
		if (rc)
			return rc;
		have = get_le(b, n);
		rc = eval_pattern(r, t, eq + 1, &val, &mask, &any);
		if (rc)
			return rc;
		if (!any && (have & mask) != (val & mask & (n == 8 ? UINT64_MAX : ((1ull << (8 * n)) - 1)))) {
			ok = false;
			if (dl < sizeof(detail))
				dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
						       "at 0x%llx expected %s got 0x%llx; ",
						       (unsigned long long)pa, t->s,
						       (unsigned long long)have);
		}
		pa += n;
	}
	report(r, ok, detail, NULL);
	return 0;
}

static int perm_value(struct run *r, const struct script_tok *t, uint64_t *out)
{
	/* Access permissions byte (spec D4): [1:0] data 1 RO / 2 RW,
	 * [3:2] instruction 1 NX / 2 X; 0 = not specified. */
	static const struct {
		const char *w;
		uint8_t v;
	} perms[] = {
		{"none", 0x0}, {"ro", 0x1}, {"rw", 0x2}, {"none-nx", 0x4}, {"ro-nx", 0x5},
		{"rw-nx", 0x6}, {"none-x", 0x8}, {"ro-x", 0x9}, {"rw-x", 0xa},
	};

	for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
		if (!strcmp(t->s, perms[i].w)) {
			*out = perms[i].v;
			return 0;
		}
	}
	return eval(r, t, t->s, out);
}

/*
 * Build a memory transaction descriptor (spec D3-D5) for the version in
 * force: v1.0 header 32 B + 16 B EMADs; v1.1 header 48 B + 16 B EMADs;
 * v1.2+ header 48 B + 32 B EMADs. The composite follows the EMADs at a
 * 16-byte aligned offset (Hafnium requires 16, spec D3).
 */
static int do_desc(struct run *r, const struct script_stmt *s)
{
	uint64_t sender = 0, attr, flags = 0, tag = 0, handle = 0, version, at = 0;
	uint64_t total_pages = 0, range_count = 0, emad_off = 0, comp_off = 0;
	bool have_at = false, nowrite = false, have_total = false, have_rcount = false;
	bool have_emad_off = false, have_comp_off = false;
	uint64_t to_id[SCRIPT_MAX_EMADS], to_perm[SCRIPT_MAX_EMADS];
	uint64_t rbase[SCRIPT_MAX_RANGES], rpages[SCRIPT_MAX_RANGES];
	unsigned nto = 0, nr = 0;
	size_t hdr, esz, len, cpos;
	uint8_t *d;
	int rc;

	rc = ensure_system(r);
	if (rc)
		return rc;
	/* SHARE gives attributes; LEND/DONATE leave them unspecified (spec D6). */
	attr = !strcmp(s->t[1].s, "share") ? 0x2f : 0;
	version = r->ffa_version ? r->ffa_version : FFAEMU_FFA_1_2;
	for (unsigned i = 2; i < s->nt; i++) {
		const struct script_tok *k = &s->t[i];
		uint64_t *dst = NULL;

		if (!strcmp(k->s, "nowrite")) {
			nowrite = true;
			continue;
		}
		if (!strcmp(k->s, "to")) {
			if ((rc = eval(r, &s->t[i + 1], s->t[i + 1].s, &to_id[nto])) ||
			    (rc = perm_value(r, &s->t[i + 2], &to_perm[nto])))
				return rc;
			nto++;
			i += 2;
			continue;
		}
		if (!strcmp(k->s, "pages")) {
			while (i + 1 < s->nt) {
				const struct script_tok *t = &s->t[i + 1];
				char buf[SCRIPT_MAX_TOK_LEN + 1];
				const char *plus = NULL;
				int depth = 0;

				for (const char *p = t->s; *p; p++) {
					if (*p == '(')
						depth++;
					else if (*p == ')')
						depth--;
					else if (*p == '+' && depth == 0)
						plus = p;
				}
				if (!plus)
					break;
				if (nr == SCRIPT_MAX_RANGES)
					return run_error(r, t, FFAEMU_ERANGE, "too many ranges (max %d)",
							 SCRIPT_MAX_RANGES);
				memcpy(buf, t->s, (size_t)(plus - t->s));
				buf[plus - t->s] = 0;
				if ((rc = eval(r, t, buf, &rbase[nr])) ||
				    (rc = eval(r, t, plus + 1, &rpages[nr])))
					return rc;
				nr++;
				i++;
			}
			continue;
		}
		if (!strcmp(k->s, "sender"))
			dst = &sender;
		else if (!strcmp(k->s, "attr"))
			dst = &attr;
		else if (!strcmp(k->s, "flags"))
			dst = &flags;
		else if (!strcmp(k->s, "tag"))
			dst = &tag;
		else if (!strcmp(k->s, "handle"))
			dst = &handle;
		else if (!strcmp(k->s, "version"))
			dst = &version;
		else if (!strcmp(k->s, "at")) {
			dst = &at;
			have_at = true;
		} else if (!strcmp(k->s, "total-pages")) {
			dst = &total_pages;
			have_total = true;
		} else if (!strcmp(k->s, "range-count")) {
			dst = &range_count;
			have_rcount = true;
		} else if (!strcmp(k->s, "emad-offset")) {
			dst = &emad_off;
			have_emad_off = true;
		} else {
			dst = &comp_off;
			have_comp_off = true;
		}
		rc = eval(r, &s->t[i + 1], s->t[i + 1].s, dst);
		if (rc)
			return rc;
		i++;
	}
	if ((uint32_t)version < FFAEMU_FFA_1_1) {
		hdr = 32;
		esz = 16;
	} else {
		hdr = 48;
		esz = (uint32_t)version < FFAEMU_FFA_1_2 ? 16 : 32;
	}
	if (!have_emad_off || (uint32_t)version < FFAEMU_FFA_1_1)
		emad_off = hdr;
	if (!have_comp_off)
		comp_off = (hdr + nto * esz + 15) & ~(size_t)15;
	if (comp_off > SCRIPT_MAX_DESC - 16 - 16 * (uint64_t)nr || emad_off > SCRIPT_MAX_DESC)
		return run_error(r, &s->t[0], FFAEMU_ERANGE,
				 "descriptor offsets outside %d bytes (use write for wild offsets)",
				 SCRIPT_MAX_DESC);
	len = (size_t)comp_off + 16 + 16 * nr;
	if (len < emad_off + nto * esz)
		len = (size_t)emad_off + nto * esz;
	if (len > SCRIPT_MAX_DESC)
		return run_error(r, &s->t[0], FFAEMU_ERANGE, "descriptor larger than %d bytes",
				 SCRIPT_MAX_DESC);
	d = r->desc;
	memset(d, 0, SCRIPT_MAX_DESC);
	put_le(d + 0, sender, 2);
	if (hdr == 32) {
		d[2] = (uint8_t)attr;
		put_le(d + 4, flags, 4);
		put_le(d + 8, handle, 8);
		put_le(d + 16, tag, 8);
		put_le(d + 28, nto, 4);
	} else {
		put_le(d + 2, attr, 2);
		put_le(d + 4, flags, 4);
		put_le(d + 8, handle, 8);
		put_le(d + 16, tag, 8);
		put_le(d + 24, esz, 4);
		put_le(d + 28, nto, 4);
		put_le(d + 32, emad_off, 4);
	}
	for (unsigned k = 0; k < nto; k++) {
		uint8_t *e = d + emad_off + k * esz;

		put_le(e + 0, to_id[k], 2);
		e[2] = (uint8_t)to_perm[k];
		put_le(e + 4, comp_off, 4);
	}
	if (!have_total)
		for (unsigned k = 0; k < nr; k++)
			total_pages += rpages[k];
	if (!have_rcount)
		range_count = nr;
	cpos = (size_t)comp_off;
	put_le(d + cpos, total_pages, 4);
	put_le(d + cpos + 4, range_count, 4);
	for (unsigned k = 0; k < nr; k++) {
		put_le(d + cpos + 16 + 16 * k, rbase[k], 8);
		put_le(d + cpos + 16 + 16 * k + 8, rpages[k], 4);
	}
	r->desc_len = len;
	r->desc_comp = comp_off;
	if (nowrite)
		return 0;
	if (!have_at) {
		if (!r->tx)
			return run_error(r, &s->t[0], FFAEMU_EPERM,
					 "no TX buffer mapped: map one first or give 'at ADDRESS'");
		at = r->tx;
	}
	return mem_rw(r, &s->t[0], at, d, len, true);
}

static int do_frag(struct run *r, const struct script_stmt *s)
{
	uint64_t off, len, at;
	int rc = ensure_system(r);

	if (rc)
		return rc;
	if ((rc = eval(r, &s->t[1], s->t[1].s, &off)) || (rc = eval(r, &s->t[2], s->t[2].s, &len)))
		return rc;
	if (off > r->desc_len || len > r->desc_len - off)
		return run_error(r, &s->t[1], FFAEMU_ERANGE,
				 "fragment [%llu, +%llu) outside the %zu-byte descriptor",
				 (unsigned long long)off, (unsigned long long)len, r->desc_len);
	if (s->nt == 5) {
		rc = eval(r, &s->t[4], s->t[4].s, &at);
		if (rc)
			return rc;
	} else {
		if (!r->tx)
			return run_error(r, &s->t[0], FFAEMU_EPERM, "no TX buffer mapped");
		at = r->tx;
	}
	return mem_rw(r, &s->t[1], at, r->desc + off, (size_t)len, true);
}

static int do_capture(struct run *r, const struct script_stmt *s, bool capture)
{
	const struct script_tok *t = &s->t[1];
	char name[SCRIPT_MAX_TOK_LEN + 1];
	const char *eq = strchr(t->s, '=');
	const struct script_tok *vt;
	const char *rhs;
	uint64_t v;
	int rc;

	if (eq) {
		memcpy(name, t->s, (size_t)(eq - t->s));
		name[eq - t->s] = 0;
		rhs = eq + 1;
		vt = t;
	} else {
		snprintf(name, sizeof(name), "%s", t->s);
		vt = &s->t[s->nt - 1];
		rhs = vt->s;
	}
	if (capture) {
		bool wide;
		size_t rl = strlen(rhs);
		int reg = script_reg_parse(rhs, rl, &wide);

		if (!r->have_last)
			return run_error(r, vt, FFAEMU_EPERM, "'capture' before any 'call'");
		if (reg >= 0) {
			v = wide ? r->last.x[reg] : (uint32_t)r->last.x[reg];
		} else {
			reg = script_reg_parse(rhs + 7, rl - 8, &wide);
			/* A handle travels low word first (spec B3, G5). */
			v = ffaemu_regs_handle(&r->last, (unsigned)reg);
		}
	} else {
		rc = eval(r, vt, rhs, &v);
		if (rc)
			return rc;
	}
	return set_var(r, t, name, v);
}

static int do_fault(struct run *r, const struct script_stmt *s)
{
	struct ffaemu_system_fault f;
	int rc = ensure_system(r);

	if (rc)
		return rc;
	ffaemu_system_fault_default(&f);
	f.name = s->t[1].s;
	for (unsigned i = 2; i < s->nt; i++) {
		const char *eq = strchr(s->t[i].s, '=');
		uint64_t v;

		rc = eval(r, &s->t[i], eq + 1, &v);
		if (rc)
			return rc;
		if (!strncmp(s->t[i].s, "abi", 3))
			f.fid = (uint32_t)v;
		else if (!strncmp(s->t[i].s, "value", 5))
			f.value = (int64_t)v;
		else if (!strncmp(s->t[i].s, "nth", 3))
			f.nth = (uint32_t)v;
		else
			f.count = (uint32_t)v;
	}
	rc = ffaemu_system_fault(r->sys, &f);
	if (rc)
		return run_error(r, &s->t[1], rc, "cannot inject fault '%s': %s", f.name,
				 ffaemu_strerror(rc));
	return 0;
}

static int config_stmt(struct run *r, const struct script_stmt *s)
{
	uint64_t v, v2;
	int rc;

	if (r->sys)
		return run_error(r, &s->t[0], FFAEMU_EPERM,
				 "'%s' after the stack was built (configure before the first call)",
				 s->t[0].s);
	switch (s->kind) {
	case ST_PROXY:
		snprintf(r->proxy, sizeof(r->proxy), "%s", s->t[1].s);
		break;
	case ST_SPMC:
		snprintf(r->spmc, sizeof(r->spmc), "%s", s->t[1].s);
		break;
	case ST_PARTITIONS:
		snprintf(r->partitions, sizeof(r->partitions), "%s", s->t[1].s);
		break;
	case ST_PAGE_SIZE:
		script_size_parse(s->t[1].s, &v);
		r->scfg.page_size = (uint32_t)v;
		break;
	case ST_SMCCC:
		rc = eval(r, &s->t[1], s->t[1].s, &v);
		if (rc)
			return rc;
		r->scfg.smccc_version = (uint32_t)v;
		break;
	default: /* ST_RAM */
		if ((rc = eval(r, &s->t[1], s->t[1].s, &v)) || (rc = eval(r, &s->t[2], s->t[2].s, &v2)))
			return rc;
		r->scfg.ram_base = v;
		r->scfg.ram_size = v2;
		break;
	}
	return 0;
}

static int cond_true(struct run *r, const struct script_stmt *s, bool *out)
{
	unsigned i = 1;
	bool neg = false, res = false;
	const char *what, *val;

	if (!strcmp(s->t[1].s, "not")) {
		neg = true;
		i = 2;
	}
	what = s->t[i].s;
	val = s->t[i + 1].s;
	if (!strcmp(what, "proxy")) {
		res = script_glob_list(val, current_proxy(r));
	} else if (!strcmp(what, "spmc")) {
		res = script_glob_list(val, r->spmc[0] ? r->spmc : "default");
	} else if (!strcmp(what, "page-size")) {
		uint64_t v = 0;

		script_size_parse(val, &v);
		res = v == r->scfg.page_size;
	} else {
		const char *e = val;
		int op = '=';
		uint64_t v;
		int rc;

		if (e[0] == '>' || e[0] == '<') {
			op = e[1] == '=' ? (e[0] == '>' ? 'G' : 'L') : e[0];
			e += e[1] == '=' ? 2 : 1;
		} else if (e[0] == '=') {
			e++;
		}
		rc = eval(r, &s->t[i + 1], e, &v);
		if (rc)
			return rc;
		switch (op) {
		case '>': res = r->ffa_version > (uint32_t)v; break;
		case '<': res = r->ffa_version < (uint32_t)v; break;
		case 'G': res = r->ffa_version >= (uint32_t)v; break;
		case 'L': res = r->ffa_version <= (uint32_t)v; break;
		default: res = r->ffa_version == (uint32_t)v; break;
		}
	}
	*out = res != neg;
	return 0;
}

void ffaemu_script_run_config_default(struct ffaemu_script_run_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->proxy = "none";
}

int ffaemu_script_run(const struct ffaemu_script *script, const struct ffaemu_script_run_config *cfg,
		      struct ffaemu_script_stats *stats, struct ffaemu_script_error *err)
{
	struct ffaemu_script_run_config def;
	struct run r;
	size_t i = 0;
	int rc = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!script)
		return FFAEMU_EINVAL;
	if (!cfg) {
		ffaemu_script_run_config_default(&def);
		cfg = &def;
	}
	if (cfg->size < sizeof(*cfg))
		return FFAEMU_EINVAL;
	memset(&r, 0, sizeof(r));
	r.sc = script;
	r.cfg = cfg;
	r.err = err;
	ffaemu_alloc_init(&r.a, cfg->alloc);
	ffaemu_system_config_default(&r.scfg);
	snprintf(r.proxy, sizeof(r.proxy), "%s", cfg->proxy ? cfg->proxy : "none");
	if (cfg->spmc)
		snprintf(r.spmc, sizeof(r.spmc), "%s", cfg->spmc);
	r.vars = ffaemu_alloc_array(&r.a, SCRIPT_MAX_VARS, sizeof(*r.vars));
	r.desc = ffaemu_alloc_zalloc(&r.a, SCRIPT_MAX_DESC);
	if (!r.vars || !r.desc) {
		rc = FFAEMU_ENOMEM;
		if (err)
			snprintf(err->message, sizeof(err->message), "out of memory");
		goto out;
	}
	while (i < script->nstmts && !rc) {
		const struct script_stmt *s = &script->stmts[i];
		bool c;

		r.cur = s;
		switch (s->kind) {
		case ST_TITLE:
		case ST_APPLIES:
		case ST_ECHO:
			break;
		case ST_PROXY:
		case ST_SPMC:
		case ST_PARTITIONS:
		case ST_PAGE_SIZE:
		case ST_SMCCC:
		case ST_RAM:
			rc = config_stmt(&r, s);
			break;
		case ST_FAULT:
			rc = do_fault(&r, s);
			break;
		case ST_INSTALL_PROXY:
			rc = ensure_system(&r);
			if (!rc && cfg->on_system_end)
				cfg->on_system_end(cfg->user, r.sys);
			if (!rc) {
				rc = ffaemu_system_install_proxy(r.sys, s->t[1].s);
				if (rc)
					rc = run_error(&r, &s->t[1], rc, "cannot install proxy '%s': %s",
						       s->t[1].s, ffaemu_strerror(rc));
				if (cfg->on_system)
					cfg->on_system(cfg->user, r.sys);
			}
			break;
		case ST_RESET:
			/* A fresh stack, same configuration; script variables stay. */
			if (r.sys && cfg->on_system_end)
				cfg->on_system_end(cfg->user, r.sys);
			ffaemu_system_free(&r.sys);
			r.have_last = false;
			r.tx = r.rx = r.rxtx_pages = 0;
			r.ffa_version = 0;
			r.desc_len = 0;
			break;
		case ST_CALL:
			rc = do_call(&r, s);
			break;
		case ST_EXPECT:
			rc = do_expect(&r, s);
			break;
		case ST_EXPECT_MEM:
			rc = do_expect_mem(&r, s);
			break;
		case ST_CAPTURE:
			rc = do_capture(&r, s, true);
			break;
		case ST_SET:
			rc = do_capture(&r, s, false);
			break;
		case ST_WRITE:
			rc = do_write(&r, s);
			break;
		case ST_FILL:
			rc = do_fill(&r, s);
			break;
		case ST_DESC:
			rc = do_desc(&r, s);
			break;
		case ST_FRAG:
			rc = do_frag(&r, s);
			break;
		case ST_IF:
			rc = cond_true(&r, s, &c);
			if (rc || c)
				break;
			/* Walk the chain: first true elif, else, or end. */
			for (size_t j = s->next;; j = script->stmts[j].next) {
				const struct script_stmt *h = &script->stmts[j];

				r.cur = h;
				if (h->kind == ST_ELIF) {
					rc = cond_true(&r, h, &c);
					if (rc)
						break;
					if (!c)
						continue;
				}
				i = j;
				break;
			}
			break;
		case ST_ELIF:
		case ST_ELSE:
			/* reached by falling out of a taken branch */
			i = s->end;
			break;
		case ST_END:
		default:
			break;
		}
		i++;
	}
	if (!rc)
		r.st.skipped = script->expects > r.st.expectations ? script->expects - r.st.expectations : 0;
out:
	if (r.sys && cfg->on_system_end)
		cfg->on_system_end(cfg->user, r.sys);
	ffaemu_system_free(&r.sys);
	ffaemu_alloc_free(&r.a, r.vars);
	ffaemu_alloc_free(&r.a, r.desc);
	if (stats)
		*stats = r.st;
	return rc;
}
