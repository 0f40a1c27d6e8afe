/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trace output: decoded one-line text, JSON Lines, and sequence diagrams
 * (Mermaid text and a self-rendered SVG). Everything is derived from the
 * records alone, so the same recording always prints the same bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/smccc.h>
#include <ffa/trace.h>
#include <ffa/uuid.h>

#include "trace_priv.h"

/* ---- a bounded appender with snprintf semantics ---- */

struct tbuf {
	char *buf;
	size_t cap;
	size_t pos; /* bytes that would have been written */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void tb_vprintf(struct tbuf *b, const char *fmt, va_list ap)
{
	char *dst = b->pos < b->cap ? b->buf + b->pos : NULL;
	size_t room = b->pos < b->cap ? b->cap - b->pos : 0;
	int n = vsnprintf(dst, room, fmt, ap);

	if (n > 0)
		b->pos += (size_t)n;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Bytes as lowercase hex, two digits each, keeping the buffer NUL-terminated. */
static void tb_hex(struct tbuf *b, const uint8_t *p, uint32_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (uint32_t i = 0; i < 2 * n; i++) {
		char c = hex[(i & 1) ? p[i / 2] & 15 : p[i / 2] >> 4];

		if (b->pos + 1 < b->cap) {
			b->buf[b->pos] = c;
			b->buf[b->pos + 1] = '\0';
		}
		b->pos++;
	}
}

static void tb_init(struct tbuf *b, char *buf, size_t len)
{
	b->buf = buf;
	b->cap = len;
	b->pos = 0;
	if (buf && len)
		buf[0] = '\0';
}

static int tb_ret(const struct tbuf *b)
{
	return b->pos > (size_t)0x7fffffff ? 0x7fffffff : (int)b->pos;
}

/* ---- decoding ---- */

const char *trc_fid_name(uint32_t fid, char *buf, size_t len)
{
	const char *n = ffaemu_smccc_fid_name(fid);

	if (n)
		return n;
	if (buf && len) {
		snprintf(buf, len, "0x%08x", (unsigned)fid);
		return buf;
	}
	return NULL;
}

static void tb_version(struct tbuf *b, uint32_t v)
{
	char vb[16];

	tb_printf(b, "%s", ffaemu_version_format(v, vb, sizeof(vb)));
}

static void tb_uuid_w(struct tbuf *b, const struct ffaemu_regs *r, unsigned n)
{
	struct ffaemu_uuid u = ffaemu_regs_uuid_w(r, n);
	char s[FFAEMU_UUID_STR_LEN];

	tb_printf(b, " uuid=%s", ffaemu_uuid_format(&u, s));
}

static void tb_uuid_x(struct tbuf *b, const struct ffaemu_regs *r, unsigned n)
{
	struct ffaemu_uuid u = ffaemu_regs_uuid_x(r, n);
	char s[FFAEMU_UUID_STR_LEN];

	tb_printf(b, " uuid=%s", ffaemu_uuid_format(&u, s));
}

static void tb_ids(struct tbuf *b, const struct ffaemu_regs *r, unsigned n)
{
	tb_printf(b, " 0x%04x->0x%04x", ffaemu_regs_id_hi(r, n), ffaemu_regs_id_lo(r, n));
}

static void describe_call(struct tbuf *b, const struct ffaemu_trace_record *rec)
{
	const struct ffaemu_regs *r = &rec->in;
	uint32_t raw = ffaemu_regs_w(r, 0);
	uint32_t fid = ffaemu_fid_strip_hint(raw);
	char nb[16];

	tb_printf(b, "%s", trc_fid_name(raw, nb, sizeof(nb)));
	switch (fid) {
	case FFAEMU_FFA_VERSION:
		tb_printf(b, " ");
		tb_version(b, ffaemu_regs_w(r, 1));
		break;
	case FFAEMU_FFA_FEATURES: {
		uint32_t q = ffaemu_regs_w(r, 1);

		/* w1 bit 31 set: a FID; clear: a feature ID (spec C5.1). */
		if (q & 0x80000000u)
			tb_printf(b, " %s", trc_fid_name(q, nb, sizeof(nb)));
		else
			tb_printf(b, " feature=%u", (unsigned)q);
		break;
	}
	case FFAEMU_FFA_RXTX_MAP:
		tb_printf(b, " tx=0x%x rx=0x%x pages=%u", (unsigned)ffaemu_regs_w(r, 1),
			  (unsigned)ffaemu_regs_w(r, 2), (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_RXTX_MAP_64:
		tb_printf(b, " tx=0x%llx rx=0x%llx pages=%u", (unsigned long long)r->x[1],
			  (unsigned long long)r->x[2], (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_PARTITION_INFO_GET:
		tb_uuid_w(b, r, 1);
		if (ffaemu_regs_w(r, 5))
			tb_printf(b, " flags=0x%x", (unsigned)ffaemu_regs_w(r, 5));
		break;
	case FFAEMU_FFA_PARTITION_INFO_GET_REGS:
		tb_uuid_x(b, r, 1);
		tb_printf(b, " start=%u tag=%u", (unsigned)(r->x[3] & 0xffffu),
			  (unsigned)((r->x[3] >> 16) & 0xffffu));
		break;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64:
		tb_ids(b, r, 1);
		if (ffaemu_regs_w(r, 2))
			tb_printf(b, " flags=0x%08x", (unsigned)ffaemu_regs_w(r, 2));
		break;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2:
		tb_ids(b, r, 1);
		tb_uuid_x(b, r, 2);
		break;
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2:
	case FFAEMU_FFA_NOTIFICATION_BIND:
	case FFAEMU_FFA_NOTIFICATION_UNBIND:
	case FFAEMU_FFA_NOTIFICATION_SET:
		tb_ids(b, r, 1);
		break;
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_DONATE_64:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_LEND_64:
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ_64:
		tb_printf(b, " total=%u frag=%u", (unsigned)ffaemu_regs_w(r, 1),
			  (unsigned)ffaemu_regs_w(r, 2));
		break;
	case FFAEMU_FFA_MEM_RECLAIM:
		tb_printf(b, " handle=0x%llx flags=0x%x",
			  (unsigned long long)ffaemu_regs_handle(r, 1), (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_MEM_FRAG_RX:
		tb_printf(b, " handle=0x%llx offset=%u", (unsigned long long)ffaemu_regs_handle(r, 1),
			  (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_MEM_FRAG_TX:
		tb_printf(b, " handle=0x%llx len=%u", (unsigned long long)ffaemu_regs_handle(r, 1),
			  (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_RUN:
	case FFAEMU_FFA_RUN_64:
		tb_printf(b, " target=0x%04x/%u", ffaemu_regs_id_hi(r, 1), ffaemu_regs_id_lo(r, 1));
		break;
	case FFAEMU_FFA_RX_RELEASE:
	case FFAEMU_FFA_RX_ACQUIRE:
	case FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE:
	case FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY:
		if (ffaemu_regs_w(r, 1))
			tb_printf(b, " id=0x%04x", ffaemu_regs_id_lo(r, 1));
		break;
	case FFAEMU_FFA_RXTX_UNMAP:
		if (ffaemu_regs_w(r, 1))
			tb_printf(b, " id=0x%04x", ffaemu_regs_id_hi(r, 1));
		break;
	case FFAEMU_FFA_CONSOLE_LOG:
	case FFAEMU_FFA_CONSOLE_LOG_64:
		tb_printf(b, " chars=%u", (unsigned)(ffaemu_regs_w(r, 1) & 0xffu));
		break;
	case FFAEMU_SMCCC_ARCH_FEATURES:
		tb_printf(b, " %s", trc_fid_name(ffaemu_regs_w(r, 1), nb, sizeof(nb)));
		break;
	default:
		break;
	}
}

static bool is_mem_send(uint32_t fid)
{
	switch (fid) {
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_DONATE_64:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_LEND_64:
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_FRAG_TX:
		return true;
	default:
		return false;
	}
}

static void describe_reply(struct tbuf *b, const struct ffaemu_trace_record *rec)
{
	const struct ffaemu_regs *r = &rec->out;
	uint32_t call = ffaemu_fid_strip_hint(ffaemu_regs_w(&rec->in, 0));
	uint32_t w0 = ffaemu_regs_w(r, 0);
	bool wide = (w0 & FFAEMU_SMCCC_SMC64) != 0;
	char nb[16];

	if (call == FFAEMU_FFA_VERSION || call == FFAEMU_SMCCC_VERSION_FID) {
		/* A bare version word or -1 (spec A5, C4). */
		if (ffaemu_regs_s32(r, 0) == -1)
			tb_printf(b, "NOT_SUPPORTED");
		else
			tb_version(b, w0);
		return;
	}
	if (!ffaemu_fid_is_ffa(ffaemu_fid_strip_hint(w0))) {
		int32_t v = ffaemu_regs_s32(r, 0);

		if (ffaemu_fid_is_ffa(call) || v >= -3)
			tb_printf(b, "%d", (int)v);
		else
			tb_printf(b, "0x%08x", (unsigned)w0);
		return;
	}
	tb_printf(b, "%s", trc_fid_name(w0, nb, sizeof(nb)));
	switch (ffaemu_fid_strip_hint(w0)) {
	case FFAEMU_FFA_ERROR:
	case FFAEMU_FFA_ERROR_64: {
		int32_t code = ffaemu_regs_s32(r, 2);
		const char *en = ffaemu_ffa_error_name(code);

		if (en)
			tb_printf(b, "(%s)", en);
		else
			tb_printf(b, "(%d)", (int)code);
		break;
	}
	case FFAEMU_FFA_SUCCESS:
	case FFAEMU_FFA_SUCCESS_64:
		if (is_mem_send(call)) {
			tb_printf(b, " handle=0x%llx", (unsigned long long)ffaemu_regs_handle(r, 2));
		} else if (call == FFAEMU_FFA_ID_GET || call == FFAEMU_FFA_SPM_ID_GET) {
			tb_printf(b, " id=0x%04x", ffaemu_regs_id_lo(r, 2));
		} else if (call == FFAEMU_FFA_PARTITION_INFO_GET) {
			tb_printf(b, " count=%u size=%u", (unsigned)ffaemu_regs_w(r, 2),
				  (unsigned)ffaemu_regs_w(r, 3));
		} else {
			unsigned last = wide ? 17 : 7;

			for (unsigned n = 1; n <= last; n++) {
				if (!r->x[n])
					continue;
				if (wide)
					tb_printf(b, " x%u=0x%llx", n, (unsigned long long)r->x[n]);
				else
					tb_printf(b, " w%u=0x%x", n, (unsigned)ffaemu_regs_w(r, n));
			}
		}
		break;
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2:
		tb_ids(b, r, 1);
		break;
	case FFAEMU_FFA_MEM_RETRIEVE_RESP:
		tb_printf(b, " total=%u frag=%u", (unsigned)ffaemu_regs_w(r, 1),
			  (unsigned)ffaemu_regs_w(r, 2));
		break;
	case FFAEMU_FFA_MEM_FRAG_RX:
		tb_printf(b, " handle=0x%llx offset=%u", (unsigned long long)ffaemu_regs_handle(r, 1),
			  (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_MEM_FRAG_TX:
		tb_printf(b, " handle=0x%llx len=%u", (unsigned long long)ffaemu_regs_handle(r, 1),
			  (unsigned)ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_INTERRUPT:
	case FFAEMU_FFA_YIELD:
	case FFAEMU_FFA_MSG_WAIT:
		tb_printf(b, " target=0x%04x/%u", ffaemu_regs_id_hi(r, 1), ffaemu_regs_id_lo(r, 1));
		break;
	default:
		break;
	}
}

int trc_describe_call(const struct ffaemu_trace_record *rec, char *buf, size_t len)
{
	struct tbuf b;

	tb_init(&b, buf, len);
	describe_call(&b, rec);
	return tb_ret(&b);
}

int trc_describe_reply(const struct ffaemu_trace_record *rec, char *buf, size_t len)
{
	struct tbuf b;

	tb_init(&b, buf, len);
	describe_reply(&b, rec);
	return tb_ret(&b);
}

static void copy_trim(char *dst, size_t dlen, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void trc_edge_ends(const struct ffaemu_trace_record *rec, char *from, size_t flen, char *to,
		   size_t tlen)
{
	const char *name = rec->edge ? rec->edge : "";
	const char *arrow = strstr(name, "->");

	if (arrow && arrow != name && arrow[2]) {
		copy_trim(from, flen, name, (size_t)(arrow - name));
		copy_trim(to, tlen, arrow + 2, strlen(arrow + 2));
		if (from[0] && to[0])
			return;
	}
	snprintf(from, flen, "ep 0x%04x", rec->caller);
	copy_trim(to, tlen, name, strlen(name));
}

/* ---- one record ---- */

static void human_line(struct tbuf *b, const struct ffaemu_trace_record *rec)
{
	char from[64], to[64];
	unsigned indent = rec->depth > 16 ? 32 : rec->depth * 2;

	trc_edge_ends(rec, from, sizeof(from), to, sizeof(to));
	tb_printf(b, "#%llu %*s%s -> %s  ", (unsigned long long)rec->index, (int)indent, "", from,
		  to);
	describe_call(b, rec);
	tb_printf(b, " => ");
	describe_reply(b, rec);
	if (rec->preserved_changed)
		tb_printf(b, " !preserved=0x%05x", (unsigned)rec->preserved_changed);
	if (rec->smc32_upper)
		tb_printf(b, " !smc32_upper=0x%05x", (unsigned)rec->smc32_upper);
	if (rec->violations & FFAEMU_EDGE_V_NO_CALLEE)
		tb_printf(b, " !no_callee");
	if (rec->violations & FFAEMU_EDGE_V_AARCH32_SMC64)
		tb_printf(b, " !aarch32_smc64");
	if (rec->poisoned)
		tb_printf(b, " poisoned=0x%05x", (unsigned)rec->poisoned);
}

static void json_string(struct tbuf *b, const char *s)
{
	tb_printf(b, "\"");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			tb_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			tb_printf(b, "\\u%04x", c);
		else
			tb_printf(b, "%c", c);
	}
	tb_printf(b, "\"");
}

static void json_regs(struct tbuf *b, const struct ffaemu_regs *r)
{
	tb_printf(b, "[");
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		tb_printf(b, "%s\"0x%016llx\"", n ? "," : "", (unsigned long long)r->x[n]);
	tb_printf(b, "]");
}

static void jsonl_fields(struct tbuf *b, const struct ffaemu_trace_record *rec, bool with_tx);

static void jsonl_line(struct tbuf *b, const struct ffaemu_trace_record *rec)
{
	jsonl_fields(b, rec, true);
}

/* Live lines go through a fixed buffer on the call path: no TX bytes there. */
static void jsonl_line_live(struct tbuf *b, const struct ffaemu_trace_record *rec)
{
	jsonl_fields(b, rec, false);
}

static void jsonl_fields(struct tbuf *b, const struct ffaemu_trace_record *rec, bool with_tx)
{
	const char *inst = ffaemu_instance_name(rec->instance);
	const char *cond = ffaemu_conduit_name(rec->conduit);
	const char *abi = ffaemu_smccc_fid_name(ffaemu_regs_w(&rec->in, 0));
	char vb[16];

	tb_printf(b, "{\"type\":\"call\",\"index\":%llu,\"edge\":", (unsigned long long)rec->index);
	json_string(b, rec->edge ? rec->edge : "");
	tb_printf(b, ",\"callee\":");
	if (rec->callee)
		json_string(b, rec->callee);
	else
		tb_printf(b, "null");
	tb_printf(b, ",\"edge_index\":%llu,\"caller\":%u,\"instance\":\"%s\",\"el\":%u,",
		  (unsigned long long)rec->edge_index, (unsigned)rec->caller, inst ? inst : "NP",
		  (unsigned)rec->el);
	tb_printf(b, "\"secure\":%s,\"aarch32\":%s,\"imm\":%u,\"conduit\":\"%s\",",
		  rec->secure ? "true" : "false", rec->aarch32 ? "true" : "false",
		  (unsigned)rec->imm, cond ? cond : "SMC");
	tb_printf(b, "\"smccc\":\"%s\",", ffaemu_version_format(rec->smccc_version, vb, sizeof(vb)));
	if (rec->ffa_version)
		tb_printf(b, "\"ffa\":\"%s\",", ffaemu_version_format(rec->ffa_version, vb, sizeof(vb)));
	else
		tb_printf(b, "\"ffa\":null,");
	tb_printf(b, "\"depth\":%u,\"abi\":", (unsigned)rec->depth);
	if (abi)
		json_string(b, abi);
	else
		tb_printf(b, "null");
	tb_printf(b, ",\"in\":");
	json_regs(b, &rec->in);
	tb_printf(b, ",\"out\":");
	json_regs(b, &rec->out);
	tb_printf(b, ",\"violations\":%u,\"preserved_changed\":%u,\"smc32_upper\":%u,\"poisoned\":%u",
		  (unsigned)rec->violations, (unsigned)rec->preserved_changed,
		  (unsigned)rec->smc32_upper, (unsigned)rec->poisoned);
	if (with_tx && rec->tx && rec->tx_len) {
		tb_printf(b, ",\"tx\":{\"pa\":\"0x%016llx\",\"data\":\"", (unsigned long long)rec->tx_pa);
		tb_hex(b, rec->tx, rec->tx_len);
		tb_printf(b, "\"}");
	}
	tb_printf(b, "}");
}

int ffaemu_trace_record_format(const struct ffaemu_trace_record *rec, enum ffaemu_trace_format fmt,
			       char *buf, size_t len)
{
	struct tbuf b;

	if (!rec)
		return -1;
	tb_init(&b, buf, len);
	if (fmt == FFAEMU_TRACE_HUMAN)
		human_line(&b, rec);
	else if (fmt == FFAEMU_TRACE_JSONL)
		jsonl_line(&b, rec);
	else
		return -1;
	return tb_ret(&b);
}

int ffaemu_trace_diff_format(const struct ffaemu_trace_record *rec, const struct ffaemu_regs *actual,
			     uint32_t diff, char *buf, size_t len)
{
	struct ffaemu_trace_record replayed;
	struct tbuf b;

	tb_init(&b, buf, len);
	if (!rec || !actual)
		return 0;
	tb_printf(&b, "#%llu %s: ", (unsigned long long)rec->index, rec->edge ? rec->edge : "");
	describe_call(&b, rec);
	tb_printf(&b, "\n  recorded => ");
	describe_reply(&b, rec);
	replayed = *rec;
	replayed.out = *actual;
	tb_printf(&b, "\n  replayed => ");
	describe_reply(&b, &replayed);
	tb_printf(&b, "\n");
	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		if (diff & FFAEMU_REG(n))
			tb_printf(&b, "  x%u: recorded 0x%016llx replayed 0x%016llx\n", n,
				  (unsigned long long)rec->out.x[n], (unsigned long long)actual->x[n]);
	return tb_ret(&b);
}

void trc_live(const struct ffaemu_trace_record *rec, int fmt,
	      int (*fn)(void *user, const char *data, size_t len), void *user)
{
	char line[2048];
	struct tbuf b;

	/* No allocation on the call path: a line longer than this is cut (the edge name). */
	tb_init(&b, line, sizeof(line) - 1);
	if (fmt == FFAEMU_TRACE_JSONL)
		jsonl_line_live(&b, rec);
	else
		human_line(&b, rec);
	if (b.pos > sizeof(line) - 2)
		b.pos = sizeof(line) - 2;
	line[b.pos++] = '\n';
	fn(user, line, b.pos);
}

/* ---- writing a whole trace ---- */

struct sink {
	ffaemu_trace_write_fn fn;
	void *user;
	const struct ffaemu_alloc *alloc;
	int err;
};

static void sink_tbuf(struct sink *s, void (*build)(struct tbuf *, const void *), const void *arg)
{
	char stack[1536];
	struct tbuf b;

	if (s->err)
		return;
	tb_init(&b, stack, sizeof(stack));
	build(&b, arg);
	if (b.pos < sizeof(stack)) {
		if (s->fn(s->user, stack, b.pos))
			s->err = FFAEMU_EIO;
		return;
	}
	{
		size_t need = b.pos + 1;
		char *heap = ffaemu_alloc_zalloc(s->alloc, need);

		if (!heap) {
			s->err = FFAEMU_ENOMEM;
			return;
		}
		tb_init(&b, heap, need);
		build(&b, arg);
		if (s->fn(s->user, heap, b.pos))
			s->err = FFAEMU_EIO;
		ffaemu_alloc_free(s->alloc, heap);
	}
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sink_printf(struct sink *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (s->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (s->fn(s->user, line, (size_t)n))
		s->err = FFAEMU_EIO;
}

static void build_human(struct tbuf *b, const void *arg)
{
	human_line(b, arg);
	tb_printf(b, "\n");
}

static void build_jsonl(struct tbuf *b, const void *arg)
{
	jsonl_line(b, arg);
	tb_printf(b, "\n");
}

/*
 * Call order for diagrams. Records arrive in completion order, so a call
 * completes after every call nested in it: a record at depth d adopts the
 * pending records deeper than d that completed just before it. A walk of
 * that forest gives entry and exit in true order.
 */
#define EV_EXIT 1u
#define NONE ((size_t)-1)

static int call_order(const struct ffaemu_trace *t, const struct ffaemu_alloc *a, size_t **ev_out,
		      size_t *nev)
{
	size_t n = ffaemu_trace_count(t);
	size_t *first, *next, *stack, *ev;
	size_t sp = 0, k = 0, nroots;

	*ev_out = NULL;
	*nev = 0;
	if (n == 0)
		return FFAEMU_OK;
	if (n > SIZE_MAX / 8 / sizeof(size_t))
		return FFAEMU_ENOMEM;
	first = ffaemu_alloc_array(a, n, sizeof(size_t));
	next = ffaemu_alloc_array(a, n, sizeof(size_t));
	stack = ffaemu_alloc_array(a, n, sizeof(size_t));
	ev = ffaemu_alloc_array(a, 2 * n, sizeof(size_t));
	if (!first || !next || !stack || !ev) {
		ffaemu_alloc_free(a, first);
		ffaemu_alloc_free(a, next);
		ffaemu_alloc_free(a, stack);
		ffaemu_alloc_free(a, ev);
		return FFAEMU_ENOMEM;
	}
	for (size_t r = 0; r < n; r++) {
		uint32_t d = ffaemu_trace_at(t, r)->depth;
		size_t head = NONE;

		while (sp && ffaemu_trace_at(t, stack[sp - 1])->depth > d) {
			size_t c = stack[--sp];

			next[c] = head;
			head = c;
		}
		first[r] = head;
		next[r] = NONE;
		stack[sp++] = r;
	}
	/* stack[0..sp) are the roots in order; reuse the tail of stack as the walk stack. */
	nroots = sp;
	{
		size_t *roots = ffaemu_alloc_array(a, nroots, sizeof(size_t));
		size_t wsp;

		if (!roots) {
			ffaemu_alloc_free(a, first);
			ffaemu_alloc_free(a, next);
			ffaemu_alloc_free(a, stack);
			ffaemu_alloc_free(a, ev);
			return FFAEMU_ENOMEM;
		}
		memcpy(roots, stack, nroots * sizeof(size_t));
		for (size_t i = 0; i < nroots; i++) {
			size_t node = roots[i];

			wsp = 0;
			ev[k++] = node << 1;
			stack[wsp++] = node;
			node = first[node];
			for (;;) {
				if (node != NONE) {
					ev[k++] = node << 1;
					stack[wsp++] = node;
					node = first[node];
				} else {
					size_t top = stack[--wsp];

					ev[k++] = (top << 1) | EV_EXIT;
					if (!wsp)
						break;
					node = next[top];
				}
			}
		}
		ffaemu_alloc_free(a, roots);
	}
	ffaemu_alloc_free(a, first);
	ffaemu_alloc_free(a, next);
	ffaemu_alloc_free(a, stack);
	*ev_out = ev;
	*nev = k;
	return FFAEMU_OK;
}

/* Participants in order of first appearance along the call order. */
#define MAX_PARTS 32
#define PART_LEN 64

struct parts {
	char name[MAX_PARTS][PART_LEN];
	size_t n;
};

static size_t part_index(struct parts *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return i;
	if (p->n == MAX_PARTS)
		return MAX_PARTS - 1; /* overflow folds into the last column */
	snprintf(p->name[p->n], PART_LEN, "%s", name);
	return p->n++;
}

/*
 * Lanes along the call order, each edge's caller before its callee, except
 * that a secure partition calling on its own conduit (instance SV, spec B2)
 * comes after the SPMC it calls: the secure world stays on the right, and
 * the request that entered the partition reads left to right.
 */
static void parts_collect(const struct ffaemu_trace *t, struct parts *p, const size_t *ev,
			  size_t nev)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < nev; i++) {
		const struct ffaemu_trace_record *rec = ffaemu_trace_at(t, ev[i] >> 1);
		char from[PART_LEN], to[PART_LEN];
		bool partition = rec->secure && (rec->caller & 0x8000u) &&
				 rec->instance == FFAEMU_INSTANCE_SV;

		trc_edge_ends(rec, from, sizeof(from), to, sizeof(to));
		part_index(p, partition ? to : from);
		part_index(p, partition ? from : to);
	}
}

static void label(char *buf, size_t len, const struct ffaemu_trace_record *rec, bool exit)
{
	struct tbuf b;

	tb_init(&b, buf, len);
	if (exit) {
		describe_reply(&b, rec);
	} else {
		tb_printf(&b, "[%llu] ", (unsigned long long)rec->index);
		describe_call(&b, rec);
	}
	if (b.pos >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* A reply that reports failure: FFA_ERROR, or a bare -1 (SMCCC NOT_SUPPORTED, FFA_VERSION). */
static bool svg_is_error(const struct ffaemu_trace_record *rec)
{
	return (uint32_t)rec->out.x[0] == FFAEMU_FFA_ERROR ||
	       (uint32_t)rec->out.x[0] == UINT32_MAX;
}

/* Mermaid treats ';' and '#' specially in message text. */
static void mermaid_clean(char *s)
{
	for (; *s; s++)
		if (*s == ';' || *s == '#' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static int write_mermaid(const struct ffaemu_trace *t, struct sink *s)
{
	struct parts p;
	size_t *ev, nev;
	int rc = call_order(t, s->alloc, &ev, &nev);

	if (rc)
		return rc;
	parts_collect(t, &p, ev, nev);
	sink_printf(s, "sequenceDiagram\n");
	for (size_t i = 0; i < p.n; i++) {
		mermaid_clean(p.name[i]);
		sink_printf(s, "    participant P%zu as %s\n", i, p.name[i]);
	}
	for (size_t i = 0; i < nev; i++) {
		const struct ffaemu_trace_record *rec = ffaemu_trace_at(t, ev[i] >> 1);
		bool exit = (ev[i] & EV_EXIT) != 0;
		char from[PART_LEN], to[PART_LEN], text[160];
		size_t a, b;

		trc_edge_ends(rec, from, sizeof(from), to, sizeof(to));
		mermaid_clean(from);
		mermaid_clean(to);
		a = part_index(&p, from);
		b = part_index(&p, to);
		label(text, sizeof(text), rec, exit);
		mermaid_clean(text);
		/* a failed call's reply ends in a cross, as the SVG draws it in red */
		if (exit && svg_is_error(rec))
			sink_printf(s, "    P%zu--xP%zu: %s\n", b, a, text);
		else if (exit)
			sink_printf(s, "    P%zu-->>P%zu: %s\n", b, a, text);
		else
			sink_printf(s, "    P%zu->>P%zu: %s\n", a, b, text);
	}
	ffaemu_alloc_free(s->alloc, ev);
	return s->err;
}

static void xml_text(char *dst, size_t dlen, const char *src)
{
	size_t o = 0;

	for (; *src && o + 7 < dlen; src++) {
		unsigned char c = (unsigned char)*src;
		const char *rep = NULL;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: break;
		}
		if (rep) {
			size_t l = strlen(rep);

			memcpy(dst + o, rep, l);
			o += l;
		} else if (c < 0x20 || c >= 0x7f) {
			dst[o++] = '?'; /* keep the document 7-bit and well-formed */
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
}

#define SVG_COL 240      /* minimum distance between lanes */
#define SVG_COL_MAX 440  /* beyond this a label wraps onto two lines instead */
#define SVG_LEFT 130
#define SVG_TOP 60
#define SVG_ROW 26
#define SVG_CHAR_W 7     /* an upper bound on a monospace glyph's advance at font-size 11 */
#define SVG_LABEL 96     /* longest label drawn; the full line is in the arrow's <title> */
#define SVG_ERR "#b00020"


/*
 * Lanes as far apart as the widest label needs, so that no label runs
 * past the lanes its arrow joins: a label spanning k lane gaps needs
 * k * col >= its width plus a margin.
 */
static unsigned svg_column(const struct ffaemu_trace *t, struct parts *p, const size_t *ev,
			   size_t nev)
{
	unsigned col = SVG_COL;

	for (size_t i = 0; i < nev; i++) {
		const struct ffaemu_trace_record *rec = ffaemu_trace_at(t, ev[i] >> 1);
		char from[PART_LEN], to[PART_LEN], text[SVG_LABEL];
		size_t a, b, span;
		unsigned need;

		trc_edge_ends(rec, from, sizeof(from), to, sizeof(to));
		a = part_index(p, from);
		b = part_index(p, to);
		span = a > b ? a - b : b - a;
		label(text, sizeof(text), rec, (ev[i] & EV_EXIT) != 0);
		need = (unsigned)(strlen(text) * SVG_CHAR_W + 24);
		if (span == 0)
			continue; /* a self-call's label runs to the right of its loop */
		need = (unsigned)((need + span - 1) / span);
		if (need > col)
			col = need;
	}
	return col < SVG_COL_MAX ? col : SVG_COL_MAX;
}

/* Where to wrap a label too wide for room pixels: the space nearest its middle, or 0. */
static size_t svg_wrap_at(const char *text, unsigned room)
{
	size_t n = strlen(text), best = 0;

	if (n * SVG_CHAR_W + 24 <= room)
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (text[i] == ' ' && (!best || (i > n / 2 ? i - n / 2 : n / 2 - i) <
						  (best > n / 2 ? best - n / 2 : n / 2 - best)))
			best = i;
	return best;
}

#define SVG_LINE 11      /* extra row height for a label wrapped onto two lines */

/* The label of event ev and, if it must wrap between its lanes, where; 0 for a self-call. */
static size_t svg_event_label(const struct ffaemu_trace *t, struct parts *p, size_t ev,
			      unsigned col, char *text, size_t len, bool *self)
{
	const struct ffaemu_trace_record *rec = ffaemu_trace_at(t, ev >> 1);
	char from[PART_LEN], to[PART_LEN];
	size_t a, b;

	trc_edge_ends(rec, from, sizeof(from), to, sizeof(to));
	a = part_index(p, from);
	b = part_index(p, to);
	label(text, len, rec, (ev & EV_EXIT) != 0);
	*self = a == b;
	return a == b ? 0 : svg_wrap_at(text, (unsigned)((a > b ? a - b : b - a) * col));
}

static int write_svg(const struct ffaemu_trace *t, struct sink *s)
{
	struct parts p;
	size_t *ev, nev;
	unsigned width, height, col, wrapped = 0, y;
	bool any_self = false;
	int rc = call_order(t, s->alloc, &ev, &nev);

	if (rc)
		return rc;
	parts_collect(t, &p, ev, nev);
	col = svg_column(t, &p, ev, nev);
	for (size_t i = 0; i < nev; i++) {
		char text[SVG_LABEL];
		bool self;

		if (svg_event_label(t, &p, ev[i], col, text, sizeof(text), &self))
			wrapped++;
		any_self |= self;
	}
	/* room on the right for a self-call's label on the last lane */
	width = (unsigned)(SVG_LEFT * 2 + (p.n ? p.n - 1 : 0) * col +
			   (any_self ? SVG_LABEL * SVG_CHAR_W / 2 : 0));
	height = (unsigned)(SVG_TOP + 20 + nev * SVG_ROW + wrapped * SVG_LINE + 20);
	sink_printf(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sink_printf(s,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
		    "height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"monospace\" "
		    "font-size=\"11\">\n",
		    width, height, width, height);
	sink_printf(s, "<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" "
		       "refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\"/></marker>"
		       "<marker id=\"arrow-err\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" "
		       "refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"" SVG_ERR
		       "\"/></marker></defs>\n");
	sink_printf(s, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"white\"/>\n", width,
		    height);
	for (size_t i = 0; i < p.n; i++) {
		unsigned x = (unsigned)(SVG_LEFT + i * col);
		char name[PART_LEN * 6];

		xml_text(name, sizeof(name), p.name[i]);
		sink_printf(s,
			    "<g class=\"participant\"><rect x=\"%u\" y=\"10\" width=\"200\" "
			    "height=\"28\" fill=\"#eef\" stroke=\"black\"/><text x=\"%u\" y=\"28\" "
			    "text-anchor=\"middle\" font-weight=\"bold\">%s</text><line x1=\"%u\" "
			    "y1=\"38\" x2=\"%u\" y2=\"%u\" stroke=\"#999\" "
			    "stroke-dasharray=\"4 4\"/></g>\n",
			    x - 100, x, name, x, x, height - 10);
	}
	for (size_t i = 0; i < nev; i++) {
		const struct ffaemu_trace_record *rec = ffaemu_trace_at(t, ev[i] >> 1);
		bool exit = (ev[i] & EV_EXIT) != 0;
		bool err = exit && svg_is_error(rec);
		char from[PART_LEN], to[PART_LEN], text[SVG_LABEL], esc[SVG_LABEL * 6];
		char full[512], fesc[sizeof(full) * 6];
		unsigned xa, xb, x1, x2;
		const char *stroke = err ? SVG_ERR : "black";
		const char *marker = err ? "arrow-err" : "arrow";
		const char *dash = exit ? " stroke-dasharray=\"6 3\"" : "";

		bool self;
		size_t cut = svg_event_label(t, &p, ev[i], col, text, sizeof(text), &self);

		/* a wrapped label takes an extra line above its arrow */
		y = i ? y + SVG_ROW : SVG_TOP + 20;
		if (cut)
			y += SVG_LINE;
		trc_edge_ends(rec, from, sizeof(from), to, sizeof(to));
		xa = (unsigned)(SVG_LEFT + part_index(&p, from) * col);
		xb = (unsigned)(SVG_LEFT + part_index(&p, to) * col);
		x1 = exit ? xb : xa;
		x2 = exit ? xa : xb;
		xml_text(esc, sizeof(esc), text);
		/* The whole decoded call and reply as a tooltip: labels can be cut. */
		ffaemu_trace_record_format(rec, FFAEMU_TRACE_HUMAN, full, sizeof(full));
		xml_text(fesc, sizeof(fesc), full);
		sink_printf(s, "<g class=\"%s\"><title>%s</title>", exit ? "reply" : "call", fesc);
		if (x1 == x2) {
			sink_printf(s,
				    "<path d=\"M%u,%u h30 v10 h-30\" fill=\"none\" stroke=\"%s\"%s "
				    "marker-end=\"url(#%s)\"/>",
				    x1, y - 5, stroke, dash, marker);
			sink_printf(s, "<text x=\"%u\" y=\"%u\" fill=\"%s\">%s</text>", x1 + 34, y,
				    stroke, esc);
		} else {
			sink_printf(s,
				    "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"%s\"%s "
				    "marker-end=\"url(#%s)\"/>",
				    x1, y, x2, y, stroke, dash, marker);
			unsigned mid = (x1 + x2) / 2;

			if (cut) {
				char esc2[SVG_LABEL * 6];

				xml_text(esc2, sizeof(esc2), text + cut + 1);
				text[cut] = '\0';
				xml_text(esc, sizeof(esc), text);
				sink_printf(s,
					    "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\" "
					    "fill=\"%s\"><tspan x=\"%u\">%s</tspan><tspan x=\"%u\" "
					    "dy=\"11\">%s</tspan></text>",
					    mid, y - 16, stroke, mid, esc, mid, esc2);
			} else {
				sink_printf(s,
					    "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\" "
					    "fill=\"%s\">%s</text>",
					    mid, y - 5, stroke, esc);
			}
		}
		sink_printf(s, "</g>\n");
	}
	sink_printf(s, "</svg>\n");
	ffaemu_alloc_free(s->alloc, ev);
	return s->err;
}

int ffaemu_trace_write(const struct ffaemu_trace *t, enum ffaemu_trace_format fmt,
		       ffaemu_trace_write_fn fn, void *user)
{
	struct sink s;

	if (!t || !fn)
		return FFAEMU_EINVAL;
	s.fn = fn;
	s.user = user;
	s.alloc = trc_alloc_of(t);
	s.err = 0;
	switch (fmt) {
	case FFAEMU_TRACE_HUMAN: {
		/* In call order, so a nested call reads under the call that made it. */
		size_t *ev, nev;
		int rc = call_order(t, s.alloc, &ev, &nev);

		if (rc)
			return rc;
		for (size_t i = 0; i < nev && !s.err; i++)
			if (!(ev[i] & EV_EXIT))
				sink_tbuf(&s, build_human, ffaemu_trace_at(t, ev[i] >> 1));
		ffaemu_alloc_free(s.alloc, ev);
		return s.err;
	}
	case FFAEMU_TRACE_JSONL:
		/* In completion order: the order the checker must see them (check.h). */
		for (size_t i = 0; i < ffaemu_trace_count(t) && !s.err; i++)
			sink_tbuf(&s, build_jsonl, ffaemu_trace_at(t, i));
		return s.err;
	case FFAEMU_TRACE_MERMAID:
		return write_mermaid(t, &s);
	case FFAEMU_TRACE_SVG:
		return write_svg(t, &s);
	}
	return FFAEMU_EINVAL;
}

static int file_sink(void *user, const char *data, size_t len)
{
	return fwrite(data, 1, len, (FILE *)user) == len ? 0 : -1;
}

int ffaemu_trace_write_file(const struct ffaemu_trace *t, enum ffaemu_trace_format fmt, FILE *f)
{
	if (!f)
		return FFAEMU_EINVAL;
	return ffaemu_trace_write(t, fmt, file_sink, f);
}
