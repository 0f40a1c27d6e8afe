/* SPDX-License-Identifier: BSD-3-Clause */
/* Umbrella header: includes every public ffa-emu header. */
#ifndef FFAEMU_FFA_H
#define FFAEMU_FFA_H

#include <ffa/version.h>
#include <ffa/common.h>
#include <ffa/uuid.h>
#include <ffa/regs.h>
#include <ffa/smccc.h>
#include <ffa/abi.h>
#include <ffa/node.h>
#include <ffa/conduit.h>
#include <ffa/el3.h>
#include <ffa/mem.h>
#include <ffa/spmc.h>
#include <ffa/partinfo.h>
#include <ffa/msgdesc.h>
#include <ffa/system.h>
#include <ffa/script.h>
#include <ffa/memdesc.h>
#include <ffa/proxy.h>
#include <ffa/trace.h>
#include <ffa/check.h>
#include <ffa/ffi.h>

#endif /* FFAEMU_FFA_H */
