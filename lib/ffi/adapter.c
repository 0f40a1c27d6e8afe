/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adapters (libffi closures: a client's signature -> an edge) and foreign
 * nodes (ffi_call: a node -> a user function of any signature).
 */
#include <string.h>

#include <ffa/ffi.h>
#include <ffa/smccc.h>

#include "alloc.h"
#include "ffi_priv.h"

/* ---- Shape -> libffi ---- */

static ffi_type *scalar_type(const struct ffaemu_ffi_item *it)
{
	return it->kind == FFAEMU_FFI_U32 ? &ffi_type_uint32 : &ffi_type_uint64;
}

/* An exact struct type: nregs x uint64_t, then a bool (1 byte, as _Bool in the SysV ABI). */
static ffi_type *struct_type(struct fsig *sig, unsigned slot, const struct ffaemu_ffi_item *it)
{
	ffi_type *t = &sig->stypes[slot];
	ffi_type **e = sig->elems[slot];
	unsigned n = 0;

	for (; n < it->nregs; n++)
		e[n] = &ffi_type_uint64;
	if (it->tail_bool)
		e[n++] = &ffi_type_uint8;
	e[n] = NULL;
	t->size = 0;
	t->alignment = 0;
	t->type = FFI_TYPE_STRUCT;
	t->elements = e;
	return t;
}

static ffi_type *item_type(struct fsig *sig, unsigned slot, const struct ffaemu_ffi_item *it)
{
	switch (it->kind) {
	case FFAEMU_FFI_VOID:
		return &ffi_type_void;
	case FFAEMU_FFI_U64:
	case FFAEMU_FFI_U32:
		return scalar_type(it);
	case FFAEMU_FFI_STRUCT:
		return struct_type(sig, slot, it);
	default:
		return &ffi_type_pointer;
	}
}

int fsig_prep(struct fsig *sig, const struct ffaemu_ffi_shape *shape)
{
	ffi_type *rtype;

	if (ffaemu_ffi_shape_check(shape))
		return FFAEMU_EINVAL;
	memset(sig, 0, sizeof(*sig));
	sig->shape = *shape;
	for (uint32_t i = 0; i < shape->nparams; i++)
		sig->atypes[i] = item_type(sig, i, &shape->params[i]);
	rtype = item_type(sig, FFAEMU_FFI_MAX_PARAMS, &shape->ret);
	if (ffi_prep_cif(&sig->cif, FFI_DEFAULT_ABI, shape->nparams, rtype, sig->atypes) != FFI_OK)
		return FFAEMU_ENOTSUP;
	return 0;
}

bool fsig_extended(uint32_t fid, uint32_t smccc_version)
{
	return (fid & FFAEMU_SMCCC_SMC64) && smccc_version >= FFAEMU_SMCCC_1_2;
}

void fsig_load(struct ffaemu_regs *regs, const struct ffaemu_ffi_item *it, const void *p)
{
	if (p)
		memcpy(regs->x, p, (size_t)it->nregs * sizeof(uint64_t));
	else
		memset(regs->x, 0, (size_t)it->nregs * sizeof(uint64_t));
}

void fsig_store(void *p, const struct ffaemu_ffi_item *it, const struct ffaemu_regs *regs,
		bool extended)
{
	memcpy(p, regs->x, (size_t)it->nregs * sizeof(uint64_t));
	if (it->tail_bool)
		memcpy((char *)p + (size_t)it->nregs * sizeof(uint64_t), &extended, sizeof(bool));
}

/* ---- Adapters ---- */

struct ffaemu_ffi_adapter {
	struct ffaemu_alloc alloc;
	struct fsig sig;
	ffi_closure *closure;
	ffaemu_ffi_fn fn;
	struct ffaemu_edge *edge;
	struct ffaemu_call_ctx ctx;
	uint64_t calls;
};

/* The closure body: the client's arguments -> x0-x17 -> edge -> the client's results. */
static void adapter_entry(ffi_cif *cif, void *ret, void **args, void *user)
{
	struct ffaemu_ffi_adapter *a = user;
	const struct ffaemu_ffi_shape *s = &a->sig.shape;
	struct ffaemu_regs regs;
	uint32_t fid;
	bool ext = false;

	(void)cif;
	ffaemu_regs_clear(&regs);
	for (uint32_t i = 0; i < s->nparams; i++) {
		const struct ffaemu_ffi_item *it = &s->params[i];
		void *p;

		switch (it->kind) {
		case FFAEMU_FFI_U64:
			memcpy(&regs.x[it->reg], args[i], sizeof(uint64_t));
			break;
		case FFAEMU_FFI_U32: {
			uint32_t w;
			memcpy(&w, args[i], sizeof(w));
			regs.x[it->reg] = w;
			break;
		}
		case FFAEMU_FFI_STRUCT:
			fsig_load(&regs, it, args[i]);
			break;
		case FFAEMU_FFI_PTR:
			memcpy(&p, args[i], sizeof(p));
			if (it->dir & FFAEMU_FFI_IN)
				fsig_load(&regs, it, p);
			break;
		default:
			break;
		}
	}
	fid = (uint32_t)regs.x[0];
	a->calls++;
	if (a->edge) {
		ffaemu_edge_call(a->edge, &regs, &a->ctx);
		ext = fsig_extended(fid, ffaemu_edge_get_config(a->edge)->smccc_version);
	} else {
		/* No conduit behind the pointer: the unknown-FID answer (spec A10). */
		regs.x[0] = FFAEMU_SMCCC_UNKNOWN;
	}
	for (uint32_t i = 0; i < s->nparams; i++) {
		const struct ffaemu_ffi_item *it = &s->params[i];
		void *p;

		if (it->kind != FFAEMU_FFI_PTR || !(it->dir & FFAEMU_FFI_OUT))
			continue;
		memcpy(&p, args[i], sizeof(p));
		if (p)
			fsig_store(p, it, &regs, ext);
	}
	switch (s->ret.kind) {
	case FFAEMU_FFI_U64:
		/* libffi: returns narrower than ffi_arg are widened, wider ones written whole */
		if (sizeof(ffi_arg) >= sizeof(uint64_t)) {
			ffi_arg v = (ffi_arg)regs.x[s->ret.reg];
			memcpy(ret, &v, sizeof(v));
		} else {
			memcpy(ret, &regs.x[s->ret.reg], sizeof(uint64_t));
		}
		break;
	case FFAEMU_FFI_U32: {
		/* libffi widens small integer returns to ffi_arg */
		ffi_arg v = (ffi_arg)(uint32_t)regs.x[s->ret.reg];
		memcpy(ret, &v, sizeof(v));
		break;
	}
	case FFAEMU_FFI_STRUCT:
		fsig_store(ret, &s->ret, &regs, ext);
		break;
	default:
		break;
	}
}

static void default_ctx(struct ffaemu_call_ctx *ctx, uint8_t el)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->caller = 0;
	ctx->instance = FFAEMU_INSTANCE_NP;
	ctx->el = el;
}

int ffaemu_ffi_adapter_new(const struct ffaemu_ffi_shape *shape, struct ffaemu_edge *edge,
			   const struct ffaemu_call_ctx *ctx, const struct ffaemu_allocator *alloc,
			   struct ffaemu_ffi_adapter **out)
{
	struct ffaemu_ffi_adapter *a;
	struct ffaemu_alloc al;
	void *code = NULL;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	if (!shape || ffaemu_ffi_shape_check(shape))
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&al, alloc);
	a = ffaemu_alloc_zalloc(&al, sizeof(*a));
	if (!a)
		return FFAEMU_ENOMEM;
	a->alloc = al;
	rc = fsig_prep(&a->sig, shape);
	if (rc)
		goto fail;
	/* libffi allocates executable closure memory itself (not through alloc). */
	a->closure = ffi_closure_alloc(sizeof(ffi_closure), &code);
	rc = FFAEMU_ENOMEM;
	if (!a->closure)
		goto fail;
	rc = FFAEMU_ENOTSUP;
	if (ffi_prep_closure_loc(a->closure, &a->sig.cif, adapter_entry, a, code) != FFI_OK)
		goto fail;
	/* ISO C has no object->function pointer conversion; the bytes are the address. */
	_Static_assert(sizeof(code) == sizeof(a->fn), "code and function pointers differ in size");
	memcpy(&a->fn, &code, sizeof(a->fn));
	a->edge = edge;
	if (ctx)
		a->ctx = *ctx;
	else
		default_ctx(&a->ctx, 1);
	*out = a;
	return 0;
fail:
	if (a->closure)
		ffi_closure_free(a->closure);
	ffaemu_alloc_free(&al, a);
	return rc;
}

int ffaemu_ffi_adapter_new_str(const char *shape, struct ffaemu_edge *edge,
			       const struct ffaemu_call_ctx *ctx,
			       const struct ffaemu_allocator *alloc, struct ffaemu_ffi_adapter **out)
{
	struct ffaemu_ffi_shape s;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	rc = ffaemu_ffi_shape_parse(shape, &s, NULL);
	if (rc)
		return rc;
	return ffaemu_ffi_adapter_new(&s, edge, ctx, alloc, out);
}

void ffaemu_ffi_adapter_free(struct ffaemu_ffi_adapter **adapter)
{
	struct ffaemu_ffi_adapter *a;

	if (!adapter || !*adapter)
		return;
	a = *adapter;
	*adapter = NULL;
	ffi_closure_free(a->closure);
	ffaemu_alloc_free(&a->alloc, a);
}

ffaemu_ffi_fn ffaemu_ffi_adapter_fn(const struct ffaemu_ffi_adapter *adapter)
{
	return adapter ? adapter->fn : NULL;
}

void ffaemu_ffi_adapter_bind(struct ffaemu_ffi_adapter *adapter, struct ffaemu_edge *edge,
			     const struct ffaemu_call_ctx *ctx)
{
	if (!adapter)
		return;
	adapter->edge = edge;
	if (ctx)
		adapter->ctx = *ctx;
}

uint64_t ffaemu_ffi_adapter_calls(const struct ffaemu_ffi_adapter *adapter)
{
	return adapter ? adapter->calls : 0;
}

/* ---- Foreign nodes ---- */

struct fnode {
	struct ffaemu_alloc alloc;
	struct ffaemu_node_ops ops;
	struct fsig sig;
	ffaemu_ffi_fn fn;
	char *name;
};

/* Storage of one argument: a scalar, a struct, or a pointer to one. */
union fslot {
	uint64_t u64;
	uint32_t u32;
	void *ptr;
};

static void fnode_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct fnode *f = self;
	const struct ffaemu_ffi_shape *s = &f->sig.shape;
	union fslot slot[FFAEMU_FFI_MAX_PARAMS];
	uint64_t data[FFAEMU_FFI_MAX_PARAMS][FSIG_ITEM_WORDS];
	void *avalues[FFAEMU_FFI_MAX_PARAMS];
	union {
		ffi_arg word;
		uint64_t data[FSIG_ITEM_WORDS];
	} rv;
	bool ext = fsig_extended((uint32_t)regs->x[0], ctx ? ctx->smccc_version : 0);
	struct ffaemu_regs in = *regs;
	void (*fn)(void);

	memset(&rv, 0, sizeof(rv));
	for (uint32_t i = 0; i < s->nparams; i++) {
		const struct ffaemu_ffi_item *it = &s->params[i];

		switch (it->kind) {
		case FFAEMU_FFI_U64:
			slot[i].u64 = in.x[it->reg];
			avalues[i] = &slot[i].u64;
			break;
		case FFAEMU_FFI_U32:
			slot[i].u32 = (uint32_t)in.x[it->reg];
			avalues[i] = &slot[i].u32;
			break;
		case FFAEMU_FFI_STRUCT:
			fsig_store(data[i], it, &in, ext);
			avalues[i] = data[i];
			break;
		default:
			/*
			 * Every pointer sees the caller's registers, out-only
			 * ones too: registers the callee leaves alone read back
			 * unchanged, as on hardware.
			 */
			fsig_store(data[i], it, &in, ext);
			slot[i].ptr = data[i];
			avalues[i] = &slot[i].ptr;
			break;
		}
	}
	fn = f->fn;
	ffi_call(&f->sig.cif, fn, &rv, s->nparams ? avalues : NULL);
	for (uint32_t i = 0; i < s->nparams; i++) {
		const struct ffaemu_ffi_item *it = &s->params[i];

		if (it->kind == FFAEMU_FFI_PTR && (it->dir & FFAEMU_FFI_OUT))
			memcpy(regs->x, data[i], (size_t)it->nregs * sizeof(uint64_t));
	}
	switch (s->ret.kind) {
	case FFAEMU_FFI_U64:
		if (sizeof(ffi_arg) >= sizeof(uint64_t))
			regs->x[s->ret.reg] = (uint64_t)rv.word;
		else
			regs->x[s->ret.reg] = rv.data[0];
		break;
	case FFAEMU_FFI_U32:
		/* a W-register result zero-extends (spec A8) */
		regs->x[s->ret.reg] = (uint32_t)rv.word;
		break;
	case FFAEMU_FFI_STRUCT:
		memcpy(regs->x, rv.data, (size_t)s->ret.nregs * sizeof(uint64_t));
		break;
	default:
		break;
	}
}

static void fnode_destroy(void *self)
{
	struct fnode *f = self;
	struct ffaemu_alloc al = f->alloc;

	ffaemu_alloc_free(&al, f->name);
	ffaemu_alloc_free(&al, f);
}

int ffaemu_ffi_node_new(const struct ffaemu_ffi_shape *shape, ffaemu_ffi_fn fn, const char *name,
			const struct ffaemu_allocator *alloc, struct ffaemu_node **out)
{
	struct fnode *f;
	struct ffaemu_alloc al;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	if (!shape || !fn || ffaemu_ffi_shape_check(shape))
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&al, alloc);
	f = ffaemu_alloc_zalloc(&al, sizeof(*f));
	if (!f)
		return FFAEMU_ENOMEM;
	f->alloc = al;
	f->fn = fn;
	rc = fsig_prep(&f->sig, shape);
	if (rc)
		goto fail;
	rc = FFAEMU_ENOMEM;
	f->name = ffaemu_alloc_strdup(&al, name ? name : "foreign");
	if (!f->name)
		goto fail;
	f->ops.size = sizeof(f->ops);
	f->ops.name = f->name;
	f->ops.call = fnode_call;
	f->ops.destroy = fnode_destroy;
	rc = ffaemu_node_new(&f->ops, f, alloc, out);
	if (rc)
		goto fail;
	return 0;
fail:
	ffaemu_alloc_free(&al, f->name);
	ffaemu_alloc_free(&al, f);
	return rc;
}
