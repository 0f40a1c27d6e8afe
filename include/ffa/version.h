/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffa-emu API version. meson reads these three defines (cc.get_define())
 * to build the shared-library soname, so this header is the single source
 * of truth for the version.
 */
#ifndef FFAEMU_VERSION_H
#define FFAEMU_VERSION_H

#define FFAEMU_API_VERSION_MAJOR 0
#define FFAEMU_API_VERSION_MINOR 1
#define FFAEMU_API_VERSION_PATCH 0

#define FFAEMU_API_VERSION                                              \
	((FFAEMU_API_VERSION_MAJOR << 16) | (FFAEMU_API_VERSION_MINOR << 8) | \
	 FFAEMU_API_VERSION_PATCH)

#endif /* FFAEMU_VERSION_H */
