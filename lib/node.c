/* SPDX-License-Identifier: BSD-3-Clause */
#include <ffa/node.h>

#include "alloc.h"

struct ffaemu_node {
	const struct ffaemu_node_ops *ops;
	struct ffaemu_alloc alloc;
	void *self;
};

/* The first release's ops layout: size, name, call, destroy. */
#define NODE_OPS_MIN_SIZE (offsetof(struct ffaemu_node_ops, destroy) + sizeof(void (*)(void *)))

int ffaemu_node_new(const struct ffaemu_node_ops *ops, void *self,
		    const struct ffaemu_allocator *alloc, struct ffaemu_node **out)
{
	struct ffaemu_node *n;
	struct ffaemu_alloc a;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	if (!ops || ops->size < NODE_OPS_MIN_SIZE || !ops->call)
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&a, alloc);
	n = ffaemu_alloc_zalloc(&a, sizeof(*n));
	if (!n)
		return FFAEMU_ENOMEM;
	n->alloc = a;
	n->ops = ops;
	n->self = self;
	*out = n;
	return FFAEMU_OK;
}

void ffaemu_node_free(struct ffaemu_node **node)
{
	struct ffaemu_node *n;

	if (!node || !*node)
		return;
	n = *node;
	*node = NULL;
	if (n->ops->destroy)
		n->ops->destroy(n->self);
	ffaemu_alloc_free(&n->alloc, n);
}

void ffaemu_node_call(struct ffaemu_node *node, struct ffaemu_regs *regs,
		      const struct ffaemu_call_ctx *ctx)
{
	node->ops->call(node->self, regs, ctx);
}

const char *ffaemu_node_name(const struct ffaemu_node *node)
{
	return node && node->ops->name ? node->ops->name : "node";
}

void *ffaemu_node_self(const struct ffaemu_node *node)
{
	return node ? node->self : NULL;
}
