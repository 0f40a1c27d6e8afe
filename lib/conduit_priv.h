/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: change counters of an edge, so observers inside the library
 * (tracer, checker) can keep what they derived from its name and callee
 * until either changes, instead of re-deriving it on every call.
 */
#ifndef FFAEMU_LIB_CONDUIT_PRIV_H
#define FFAEMU_LIB_CONDUIT_PRIV_H

#include <ffa/conduit.h>

/*
 * Changes so far: the low 32 bits count ffaemu_edge_set_name calls that
 * changed the name, the high 32 bits ffaemu_edge_set_callee calls. Equal
 * values mean the same name string and the same callee.
 */
uint64_t conduit_names_gen(const struct ffaemu_edge *edge);

#endif /* FFAEMU_LIB_CONDUIT_PRIV_H */
