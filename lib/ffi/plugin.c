/* SPDX-License-Identifier: BSD-3-Clause */
/* Plug-ins: a user's node in a shared object, called through a shape. */
#include <dlfcn.h>
#include <string.h>

#include <ffa/ffi.h>

#include "alloc.h"
#include "ffi_priv.h"

#define PLUGIN_PREFIX "plugin:"
#define PLUGIN_MAGIC 0x6e6967756c70ffaeull

struct plugin {
	uint64_t magic;
	struct ffaemu_alloc alloc;
	struct ffaemu_node_ops ops;
	void *dl;
	struct ffaemu_node *entry;          /* foreign node calling SYMBOL */
	struct ffaemu_ffi_adapter *down;    /* handed to SYMBOL_init */
	void (*fini)(void);
	char name[];                        /* "SYMBOL"; ops.name points here */
};

void ffaemu_plugin_config_default(struct ffaemu_plugin_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
}

static int copy_part(char *dst, size_t dst_len, const char *src, size_t n)
{
	if (n == 0)
		return FFAEMU_EPARSE;
	if (!dst || n >= dst_len)
		return FFAEMU_ERANGE;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int ffaemu_plugin_parse_spec(const char *spec, char *path, size_t path_len, char *symbol,
			     size_t symbol_len, char *shape, size_t shape_len)
{
	const char *c2, *c1;
	size_t n;
	int rc;

	if (!spec)
		return FFAEMU_EINVAL;
	if (strncmp(spec, PLUGIN_PREFIX, strlen(PLUGIN_PREFIX)) == 0)
		spec += strlen(PLUGIN_PREFIX);
	/* From the right: SHAPE and SYMBOL never contain ':', PATH may. */
	c2 = strrchr(spec, ':');
	if (!c2)
		return FFAEMU_EPARSE;
	for (c1 = c2; c1 > spec && c1[-1] != ':'; c1--)
		;
	if (c1 == spec)
		return FFAEMU_EPARSE;
	c1--;
	n = (size_t)(c1 - spec);
	rc = copy_part(path, path_len, spec, n);
	if (rc == 0)
		rc = copy_part(symbol, symbol_len, c1 + 1, (size_t)(c2 - c1 - 1));
	if (rc == 0)
		rc = copy_part(shape, shape_len, c2 + 1, strlen(c2 + 1));
	return rc;
}

static struct plugin *as_plugin(const struct ffaemu_node *node)
{
	struct plugin *p = ffaemu_node_self(node);
	const char *name = ffaemu_node_name(node);

	/*
	 * Only a plug-in's ops name points into its own state at this offset;
	 * compare addresses before reading anything through self.
	 */
	if (!p || (uintptr_t)name != (uintptr_t)p + offsetof(struct plugin, name))
		return NULL;
	return p->magic == PLUGIN_MAGIC ? p : NULL;
}

bool ffaemu_node_is_plugin(const struct ffaemu_node *node)
{
	return node && as_plugin(node) != NULL;
}

static void plugin_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct plugin *p = self;

	ffaemu_node_call(p->entry, regs, ctx);
}

static void plugin_release(struct plugin *p)
{
	struct ffaemu_alloc al = p->alloc;

	if (p->fini)
		p->fini();
	/* The object may still hold the down pointer until it is closed. */
	if (p->dl)
		dlclose(p->dl);
	ffaemu_ffi_adapter_free(&p->down);
	ffaemu_node_free(&p->entry);
	p->magic = 0;
	ffaemu_alloc_free(&al, p);
}

static void plugin_destroy(void *self)
{
	plugin_release(self);
}

/* dlsym gives an object pointer; ISO C converts to a function pointer only by bytes. */
static ffaemu_ffi_fn sym_fn(void *dl, const char *name)
{
	void *sym = dlsym(dl, name);
	ffaemu_ffi_fn fn = NULL;

	_Static_assert(sizeof(sym) == sizeof(fn), "object and function pointers differ in size");
	if (sym)
		memcpy(&fn, &sym, sizeof(fn));
	return fn;
}

static int plugin_open(struct plugin *p, const char *path, const char *symbol,
		       const struct ffaemu_ffi_shape *shape, const struct ffaemu_ffi_shape *down_shape,
		       const struct ffaemu_plugin_config *cfg)
{
	struct ffaemu_call_ctx dctx;
	ffaemu_ffi_fn entry, init, fini;
	char *hook;
	size_t n = strlen(symbol);
	int rc;

	p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!p->dl)
		return FFAEMU_EIO;
	entry = sym_fn(p->dl, symbol);
	if (!entry)
		return FFAEMU_EIO;
	rc = ffaemu_ffi_node_new(shape, entry, symbol, cfg ? cfg->alloc : NULL, &p->entry);
	if (rc)
		return rc;
	hook = ffaemu_alloc_zalloc(&p->alloc, n + sizeof("_init"));
	if (!hook)
		return FFAEMU_ENOMEM;
	memcpy(hook, symbol, n);
	memcpy(hook + n, "_fini", sizeof("_fini"));
	fini = sym_fn(p->dl, hook);
	memcpy(hook + n, "_init", sizeof("_init"));
	init = sym_fn(p->dl, hook);
	ffaemu_alloc_free(&p->alloc, hook);
	if (init) {
		/* A proxy calls down as EL2 from the NS physical instance (spec B2). */
		memset(&dctx, 0, sizeof(dctx));
		dctx.instance = FFAEMU_INSTANCE_NP;
		dctx.el = 2;
		rc = ffaemu_ffi_adapter_new(down_shape, cfg ? cfg->down : NULL,
					    cfg && cfg->down_ctx ? cfg->down_ctx : &dctx,
					    cfg ? cfg->alloc : NULL, &p->down);
		if (rc)
			return rc;
		if (((int (*)(ffaemu_ffi_fn))init)(ffaemu_ffi_adapter_fn(p->down)))
			return FFAEMU_EIO;
	}
	p->fini = fini;
	return 0;
}

int ffaemu_plugin_load(const char *spec, const struct ffaemu_plugin_config *cfg,
		       struct ffaemu_node **out)
{
	struct ffaemu_ffi_shape shape, down_shape;
	struct ffaemu_alloc al;
	struct plugin *p;
	char *buf;
	size_t len;
	char *path, *symbol, *shape_text;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	if (!spec || (cfg && cfg->size < sizeof(*cfg)))
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&al, cfg ? cfg->alloc : NULL);
	len = strlen(spec) + 1;
	buf = ffaemu_alloc_array(&al, 3, len);
	if (!buf)
		return FFAEMU_ENOMEM;
	path = buf;
	symbol = buf + len;
	shape_text = buf + 2 * len;
	rc = ffaemu_plugin_parse_spec(spec, path, len, symbol, len, shape_text, len);
	if (rc == 0)
		rc = ffaemu_ffi_shape_parse(shape_text, &shape, NULL) ? FFAEMU_EPARSE : 0;
	if (rc)
		goto out;
	down_shape = shape;
	if (cfg && cfg->down_shape && ffaemu_ffi_shape_parse(cfg->down_shape, &down_shape, NULL)) {
		rc = FFAEMU_EPARSE;
		goto out;
	}
	rc = FFAEMU_ENOMEM;
	p = ffaemu_alloc_zalloc(&al, sizeof(*p) + strlen(symbol) + 1);
	if (!p)
		goto out;
	p->magic = PLUGIN_MAGIC;
	p->alloc = al;
	memcpy(p->name, symbol, strlen(symbol) + 1);
	p->ops.size = sizeof(p->ops);
	p->ops.name = p->name;
	p->ops.call = plugin_call;
	p->ops.destroy = plugin_destroy;
	rc = plugin_open(p, path, symbol, &shape, &down_shape, cfg);
	if (rc == 0)
		rc = ffaemu_node_new(&p->ops, p, cfg ? cfg->alloc : NULL, out);
	if (rc)
		plugin_release(p);
out:
	ffaemu_alloc_free(&al, buf);
	return rc;
}

int ffaemu_plugin_set_down(struct ffaemu_node *node, struct ffaemu_edge *down,
			   const struct ffaemu_call_ctx *down_ctx)
{
	struct plugin *p = node ? as_plugin(node) : NULL;

	if (!p)
		return FFAEMU_EINVAL;
	if (!p->down)
		return FFAEMU_ENOENT; /* the object has no SYMBOL_init: nothing calls down */
	ffaemu_ffi_adapter_bind(p->down, down, down_ctx);
	return 0;
}
