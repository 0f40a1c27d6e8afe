/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: change counters of an edge, so observers inside the library
 * (tracer, checker) can keep what they derived from its name and callee
 * until either changes, instead of re-deriving it on every call.
 */
#ifndef FFAEMU_LIB_CONDUIT_PRIV_H
#define FFAEMU_LIB_CONDUIT_PRIV_H

#include <ffa/conduit.h>

/* Bumped by every ffaemu_edge_set_name that changes the name. */
uint32_t conduit_name_gen(const struct ffaemu_edge *edge);
/* Bumped by every ffaemu_edge_set_callee. */
uint32_t conduit_callee_gen(const struct ffaemu_edge *edge);

#endif /* FFAEMU_LIB_CONDUIT_PRIV_H */
