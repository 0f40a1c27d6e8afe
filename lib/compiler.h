/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: compiler hints for the per-call paths. */
#ifndef FFAEMU_LIB_COMPILER_H
#define FFAEMU_LIB_COMPILER_H

/*
 * Keep a rarely taken, stack-hungry path out of line, so the common path
 * that calls it does not pay for its frame.
 */
#if defined(__GNUC__) || defined(__clang__)
#define LIB_NOINLINE __attribute__((noinline))
#else
#define LIB_NOINLINE
#endif

#endif /* FFAEMU_LIB_COMPILER_H */
