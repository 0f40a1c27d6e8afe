/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in *memory* partition (FFAEMU_SP_MEMORY): a borrower that does
 * what a real SP does with a handle it is sent, entirely through FF-A calls
 * on its own conduit: MEM_RETRIEVE_REQ into its own RX, FRAG_RX while the
 * response is incomplete (RX_RELEASE after each piece), the work on the
 * pages through the emulated memory, MEM_RELINQUISH. The request and reply
 * registers are documented in memdesc.h (FFAEMU_SP_MEMORY_*).
 */
#include <string.h>

#include <ffa/memdesc.h>

#include "spmc_priv.h"

struct job {
	struct ffaemu_sp_env *env;
	struct spmc *spmc;
	ffaemu_id_t self;
	uint32_t version;
	ffaemu_handle_t handle;
	ffaemu_id_t sender;
	uint32_t op, value;
	uint32_t status, step, pages;
	uint32_t result;
};

static void call(struct job *j, struct ffaemu_regs *c)
{
	ffaemu_sp_call(j->env, c);
}

static void rx_release(struct job *j)
{
	struct ffaemu_regs c;

	ffaemu_regs_clear(&c);
	c.x[0] = FFAEMU_FFA_RX_RELEASE;
	call(j, &c);
}

static bool failed(struct job *j, const struct ffaemu_regs *c, uint32_t want, uint32_t step)
{
	if (ffaemu_regs_w(c, 0) == want)
		return false;
	j->step = step;
	/* An FFA_ERROR carries the code; any other reply is a protocol violation. */
	j->status = ffaemu_regs_w(c, 0) == FFAEMU_FFA_ERROR ? ffaemu_regs_w(c, 2)
							   : (uint32_t)FFAEMU_FFA_ABORTED;
	return true;
}

/* MEM_RETRIEVE_REQ asking for instr access `instr`; c holds the reply. */
static void retrieve(struct job *j, uint8_t instr, struct ffaemu_regs *c)
{
	struct ffaemu_memdesc_receiver me;
	size_t tx_size = 0, len = 0;
	void *tx = ffaemu_sp_env_tx(j->env, &tx_size);

	memset(&me, 0, sizeof(me));
	me.id = j->self;
	me.perms = instr; /* data access not specified: what the sender granted (D4) */
	ffaemu_regs_clear(c);
	/* Only this borrower is listed (flag bit 10; spec D7, UNCONFIRMED). */
	if (!tx || ffaemu_memdesc_build_retrieve_req(j->sender, j->handle, 0,
						     FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER, 0,
						     &me, 1, j->version, tx, tx_size, &len)) {
		c->x[0] = FFAEMU_FFA_ERROR;
		c->x[2] = (uint32_t)FFAEMU_FFA_INVALID_PARAMETERS;
		return;
	}
	c->x[0] = FFAEMU_FFA_MEM_RETRIEVE_REQ;
	c->x[1] = len;
	c->x[2] = len;
	call(j, c);
}

/*
 * The whole response in *out (allocated), following FRAG_RX (spec E3).
 * Returns its length, or 0 with j->status/step set.
 */
static uint32_t collect(struct job *j, const struct ffaemu_regs *resp, uint8_t **out)
{
	uint32_t total = ffaemu_regs_w(resp, 1), frag = ffaemu_regs_w(resp, 2), off;
	size_t rx_size = 0;
	const uint8_t *rx = ffaemu_sp_env_rx(j->env, &rx_size);
	uint8_t *buf;

	if (!rx || frag == 0 || frag > total || frag > rx_size) {
		j->step = FFAEMU_SP_MEMORY_STEP_FRAGMENT;
		j->status = (uint32_t)FFAEMU_FFA_ABORTED;
		if (rx)
			rx_release(j);
		return 0;
	}
	buf = ffaemu_alloc_zalloc(&j->spmc->alloc, total);
	if (!buf) {
		j->step = FFAEMU_SP_MEMORY_STEP_FRAGMENT;
		j->status = (uint32_t)FFAEMU_FFA_NO_MEMORY;
		rx_release(j);
		return 0;
	}
	memcpy(buf, rx, frag);
	rx_release(j);
	off = frag;
	while (off < total) {
		struct ffaemu_regs c;
		uint32_t n;

		ffaemu_regs_clear(&c);
		c.x[0] = FFAEMU_FFA_MEM_FRAG_RX;
		ffaemu_regs_set_handle(&c, 1, j->handle);
		c.x[3] = off;
		call(j, &c);
		if (failed(j, &c, FFAEMU_FFA_MEM_FRAG_TX, FFAEMU_SP_MEMORY_STEP_FRAGMENT)) {
			ffaemu_alloc_free(&j->spmc->alloc, buf);
			return 0;
		}
		n = ffaemu_regs_w(&c, 3);
		/* Trust nothing: a zero or oversized fragment ends the job (spec E3). */
		if (n == 0 || n > rx_size || n > total - off ||
		    ffaemu_regs_handle(&c, 1) != j->handle) {
			j->step = FFAEMU_SP_MEMORY_STEP_FRAGMENT;
			j->status = (uint32_t)FFAEMU_FFA_ABORTED;
			rx_release(j);
			ffaemu_alloc_free(&j->spmc->alloc, buf);
			return 0;
		}
		memcpy(buf + off, rx, n);
		rx_release(j);
		off += n;
	}
	*out = buf;
	return total;
}

static uint32_t sum_words(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 4 <= n; i += 4)
		acc += (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8) | ((uint32_t)p[i + 2] << 16) |
		       ((uint32_t)p[i + 3] << 24);
	return acc;
}

/* Do the operation on every page of the parsed response. */
static void work(struct job *j, const struct ffaemu_memdesc *d)
{
	struct ffaemu_memdesc_receiver me;
	struct ffaemu_memdesc_iter it;
	struct ffaemu_range rg;
	int64_t idx = ffaemu_memdesc_find_receiver(d, j->self);
	bool first = true;

	j->pages = d->total_pages;
	if (idx < 0 || ffaemu_memdesc_receiver(d, (uint32_t)idx, &me)) {
		j->step = FFAEMU_SP_MEMORY_STEP_DESCRIPTOR;
		j->status = (uint32_t)FFAEMU_FFA_ABORTED;
		return;
	}
	/* Writing needs RW access (spec D4). */
	if (j->op == FFAEMU_SP_MEMORY_OP_WRITE &&
	    (me.perms & FFAEMU_MEM_PERM_DATA_MASK) != FFAEMU_MEM_PERM_DATA_RW) {
		j->step = FFAEMU_SP_MEMORY_STEP_ACCESS;
		j->status = (uint32_t)FFAEMU_FFA_DENIED;
		return;
	}
	ffaemu_memdesc_iter_init(&it, d);
	while (ffaemu_memdesc_iter_next(&it, &rg)) {
		uint64_t bytes = rg.pages << FFAEMU_PAGE_SHIFT;
		void *p;

		if (ffaemu_mem_ptr(j->spmc->mem, rg.base, bytes, &p)) {
			j->step = FFAEMU_SP_MEMORY_STEP_ACCESS;
			j->status = (uint32_t)FFAEMU_FFA_ABORTED;
			return;
		}
		if (j->op == FFAEMU_SP_MEMORY_OP_WRITE) {
			uint8_t *b = p;

			for (uint64_t i = 0; i < bytes; i += 4) {
				b[i] = (uint8_t)j->value;
				b[i + 1] = (uint8_t)(j->value >> 8);
				b[i + 2] = (uint8_t)(j->value >> 16);
				b[i + 3] = (uint8_t)(j->value >> 24);
			}
		}
		if (j->op == FFAEMU_SP_MEMORY_OP_READ) {
			if (first)
				j->result = sum_words(p, 4, 0);
		} else {
			j->result = sum_words(p, (size_t)bytes, j->result);
		}
		first = false;
	}
}

static void relinquish(struct job *j)
{
	struct ffaemu_regs c;
	size_t tx_size = 0;
	void *tx = ffaemu_sp_env_tx(j->env, &tx_size);

	ffaemu_regs_clear(&c);
	if (!tx || ffaemu_memdesc_relinquish_build(j->handle, 0, &j->self, 1, tx, tx_size, NULL)) {
		j->step = FFAEMU_SP_MEMORY_STEP_RELINQUISH;
		j->status = (uint32_t)FFAEMU_FFA_NO_MEMORY;
		return;
	}
	c.x[0] = FFAEMU_FFA_MEM_RELINQUISH;
	call(j, &c);
	(void)failed(j, &c, FFAEMU_FFA_SUCCESS, FFAEMU_SP_MEMORY_STEP_RELINQUISH);
}

static void run_job(struct job *j)
{
	struct ffaemu_regs c;
	struct ffaemu_memdesc d;
	uint8_t *buf = NULL;
	uint32_t len;
	bool donated;

	if (j->op > FFAEMU_SP_MEMORY_OP_READ) {
		j->step = FFAEMU_SP_MEMORY_STEP_REQUEST;
		j->status = (uint32_t)FFAEMU_FFA_INVALID_PARAMETERS;
		return;
	}
	/*
	 * SHARE and multi-borrower LEND want the instruction access left
	 * unspecified, a single-borrower LEND or DONATE wants it chosen (spec
	 * D4): try the first, then NX.
	 */
	retrieve(j, FFAEMU_MEM_PERM_INSTR_NOT_SPECIFIED, &c);
	if (ffaemu_regs_w(&c, 0) == FFAEMU_FFA_ERROR &&
	    ffaemu_regs_s32(&c, 2) == FFAEMU_FFA_INVALID_PARAMETERS)
		retrieve(j, FFAEMU_MEM_PERM_INSTR_NX, &c);
	if (failed(j, &c, FFAEMU_FFA_MEM_RETRIEVE_RESP, FFAEMU_SP_MEMORY_STEP_RETRIEVE))
		return;
	len = collect(j, &c, &buf);
	if (!len) {
		/* Mapped but unusable: give it back so the owner can reclaim. */
		uint32_t st = j->status, sp = j->step;

		relinquish(j);
		j->status = st;
		j->step = sp;
		return;
	}
	if (ffaemu_memdesc_parse(buf, len, j->version, FFAEMU_MEMDESC_RETRIEVE_RESP, &d, NULL)) {
		/* A response that does not parse: report it, but give the memory back. */
		ffaemu_alloc_free(&j->spmc->alloc, buf);
		relinquish(j);
		j->step = FFAEMU_SP_MEMORY_STEP_DESCRIPTOR;
		j->status = (uint32_t)FFAEMU_FFA_ABORTED;
		return;
	}
	donated = ((d.flags & FFAEMU_MEMDESC_F_TYPE_MASK) >> FFAEMU_MEMDESC_F_TYPE_SHIFT) ==
		  FFAEMU_MEM_TX_DONATE;
	work(j, &d);
	ffaemu_alloc_free(&j->spmc->alloc, buf);
	/* After a donation the pages are ours: nothing to relinquish (spec E1). */
	if (!donated) {
		uint32_t st = j->status, sp = j->step;

		relinquish(j);
		if (st) {
			j->status = st;
			j->step = sp;
		}
	}
}

static bool is_req(uint32_t fid)
{
	return fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ || fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64;
}

static void memory_handler(void *user, struct ffaemu_sp_env *env, struct ffaemu_regs *r)
{
	uint32_t fid = ffaemu_regs_w(r, 0);
	ffaemu_id_t requester = ffaemu_regs_id_hi(r, 1);
	uint32_t w7 = ffaemu_regs_w(r, 7);
	struct job j;

	(void)user;
	/* Only partition messages are served; anything else: back to waiting. */
	if (!is_req(fid) || ffaemu_regs_w(r, 2) != 0) {
		if (is_req(fid)) {
			spmc_reply_error(r, FFAEMU_FFA_NOT_SUPPORTED);
			return;
		}
		ffaemu_regs_clear(r);
		r->x[0] = FFAEMU_FFA_MSG_WAIT;
		return;
	}
	memset(&j, 0, sizeof(j));
	j.env = env;
	j.spmc = env->spmc;
	j.self = ffaemu_sp_env_id(env);
	j.version = spmc_ep_version(env->sp->ep);
	j.handle = ffaemu_regs_handle(r, 3);
	j.op = ffaemu_regs_w(r, 5);
	j.value = ffaemu_regs_w(r, 6);
	j.sender = (w7 & FFAEMU_SP_MEMORY_SENDER_VALID) ? (ffaemu_id_t)w7 : requester;
	run_job(&j);

	/* Reply with the request's width (spec C1.2), from us to the requester. */
	ffaemu_regs_clear(r);
	r->x[0] = fid == FFAEMU_FFA_MSG_SEND_DIRECT_REQ ? FFAEMU_FFA_MSG_SEND_DIRECT_RESP
							: FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64;
	ffaemu_regs_set_ids(r, 1, j.self, requester);
	r->x[3] = j.status;
	r->x[4] = j.result;
	r->x[5] = j.pages;
	r->x[6] = j.step;
}

const struct spmc_builtin spmc_builtin_memory = {
	.kind = FFAEMU_SP_MEMORY,
	.name = "memory",
	.props = FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_AARCH64,
	.handler = memory_handler,
	.init = NULL,
	.fini = NULL,
};
