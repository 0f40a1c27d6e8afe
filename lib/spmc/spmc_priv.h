/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: the internal contract of the fake SPMC, shared between the core
 * (spmc.c, dispatch, partitions, messaging, notifications: owner "spmc")
 * and memory sharing (mem_share.c, sp_memory.c: owner "spmc-memory").
 *
 * Threading: none. The SPMC is re-entered only by a partition handler that
 * calls back through its edge (ctx->depth > 0); state is consistent at every
 * such call.
 */
#ifndef FFAEMU_LIB_SPMC_PRIV_H
#define FFAEMU_LIB_SPMC_PRIV_H

#include <ffa/abi.h>
#include <ffa/conduit.h>
#include <ffa/mem.h>
#include <ffa/node.h>
#include <ffa/regs.h>
#include <ffa/spmc.h>

#include "alloc.h"

/* ---- endpoints --------------------------------------------------------- */

/* RX ownership (DEN0077A 1.1 s6.2.2.1 / spec C5.3 "Buffer ownership rules"). */
enum spmc_rx_state {
	SPMC_RX_EMPTY = 0, /* producer (the SPMC) owns it: free to be written */
	SPMC_RX_FULL = 1,  /* consumer (the endpoint) owns it until RX_RELEASE */
	SPMC_RX_HYP = 2    /* acquired by the hypervisor (RX_ACQUIRE) for a VM */
};

struct spmc_mailbox {
	bool mapped;
	bool by_hyp;          /* mapped by the hypervisor for a VM (D12) */
	ffaemu_pa_t tx_pa, rx_pa;
	uint32_t pages;       /* 4 KiB pages per buffer */
	size_t size;          /* bytes per buffer (pages * 4096) */
	void *tx, *rx;        /* host pointers from ffaemu_mem_ptr() */
	enum spmc_rx_state rx_state;
};

enum spmc_ep_kind {
	SPMC_EP_NS = 0, /* NS endpoint: the host/hypervisor (ID 0) or a VM */
	SPMC_EP_SP = 1  /* secure partition */
};

/* A receiver's notification state (spec C8). */
struct spmc_notif {
	bool bitmap;             /* SPs: always; VMs: after BITMAP_CREATE */
	uint32_t vcpu_count;
	/* Bindings, one table per sender world: [0] partitions, [1] VMs (C8). */
	uint64_t bound[2];
	uint64_t per_vcpu[2];
	ffaemu_id_t binder[2][64];
	uint64_t pending_sp;     /* global, from SPs */
	uint64_t pending_vm;     /* global, from VMs */
	uint64_t *pcpu_sp;       /* [vcpu_count] per-vCPU pending, from SPs */
	uint64_t *pcpu_vm;       /* [vcpu_count] per-vCPU pending, from VMs */
	uint32_t pending_spm;    /* SPM framework bitmap (bit 0 = RX buffer full) */
	uint32_t pending_hyp;    /* hypervisor framework bitmap */
	bool info_reported;      /* already listed by NOTIFICATION_INFO_GET */
	/* An endpoint listed over several INFO_GET calls (C8 "more pending"):
	 * how much of it the calls so far listed. Reset with info_reported. */
	bool info_global_done;
	uint32_t info_vcpus_done; /* pending vCPUs listed, in vCPU order */
};

struct spmc_sp;

struct spmc_ep {
	ffaemu_id_t id;
	enum spmc_ep_kind kind;
	uint32_t version;        /* version the endpoint asked for, else the default */
	bool version_called;     /* FFA_VERSION seen */
	bool negotiated;         /* negotiation finished (spec C4) */
	struct spmc_mailbox mb;
	struct spmc_notif notif;
	struct spmc_sp *sp;      /* SP only */
	/*
	 * The last FID spmc_abi_allowed() let this endpoint call, with the
	 * version and instance it was asked at (0: none). The answer depends
	 * on nothing else that can change (the profile is fixed), so a repeat
	 * needs no second look (spmc.c, node_call).
	 */
	uint32_t allowed_fid, allowed_version;
	enum ffaemu_instance allowed_instance;
};

/* ---- partitions -------------------------------------------------------- */

enum spmc_vcpu_state {
	SPMC_VCPU_WAITING = 0,   /* idle in FFA_MSG_WAIT: can take a message */
	SPMC_VCPU_RUNNING = 1,   /* inside its handler (on the host call stack) */
	SPMC_VCPU_PREEMPTED = 2  /* yielded or interrupted while handling a request */
};

struct spmc_vcpu {
	enum spmc_vcpu_state state;
	bool has_request;        /* a direct request is in flight on this vCPU */
	ffaemu_id_t requester;   /* who sent it (the reply goes there) */
	uint32_t req_fid;        /* its FID: decides the legal response (C1.2) */
	bool framework;          /* it was a framework message */
	uint32_t req_flags;      /* its w2 (framework type) */
	bool wide;               /* REQ_64/RESP_64 carry x3-x17 (both sides v1.3, C1.4) */
};

struct ffaemu_sp_env {
	struct spmc *spmc;
	struct spmc_sp *sp;
	uint16_t vcpu;
};

struct spmc_sp {
	struct ffaemu_sp_config cfg; /* copy; cfg.name points at name below */
	char *name;
	struct spmc_ep *ep;
	struct spmc_vcpu *vcpus;     /* [cfg.exec_ctx_count] */
	struct ffaemu_edge *edge;    /* SP -> SPMC conduit */
	struct ffaemu_sp_env env;
	ffaemu_sp_handler_fn handler;
	void *user;
	void (*user_free)(struct spmc *, void *user); /* frees built-in state */
	char *console;               /* FFA_CONSOLE_LOG output */
	size_t console_len, console_cap;
	uint64_t entries;
	uint64_t secondary_ep;       /* FFA_SECONDARY_EP_REGISTER address */
	bool owns_mailbox_pages;
};

/* A built-in partition kind (ffaemu_sp_builtin). */
struct spmc_builtin {
	enum ffaemu_sp_builtin kind;
	const char *name;
	uint32_t props;              /* default properties */
	ffaemu_sp_handler_fn handler;
	/* Optional: allocate per-partition state; *user is passed to handler. */
	int (*init)(struct spmc *spmc, struct spmc_sp *sp, void **user);
	void (*fini)(struct spmc *spmc, void *user);
};

/* ---- fault injection --------------------------------------------------- */

#define SPMC_MAX_FAULTS 16

struct spmc_fault_slot {
	struct ffaemu_spmc_fault f;
	uint32_t seen;   /* matching calls seen so far */
	uint32_t hits;   /* calls it has hit */
	bool armed;
};

/* ---- the SPMC ---------------------------------------------------------- */

struct spmc {
	struct ffaemu_alloc alloc;
	const struct ffaemu_allocator *user_alloc; /* cfg->alloc, for objects of other modules */
	struct ffaemu_spmc_profile profile;
	struct ffaemu_mem *mem;
	bool own_mem;
	struct ffaemu_node *node;

	struct spmc_ep **eps;        /* NS endpoints and SPs, pointers stay valid */
	size_t n_eps, cap_eps;
	struct spmc_sp **sps;        /* in the order added */
	size_t n_sps, cap_sps;

	ffaemu_pa_t sec_base;        /* secure pool for SP mailboxes */
	uint64_t sec_size, sec_next;
	bool sec_added;              /* the pool region was added to mem by us */
	uint32_t depth;              /* nesting of calls (SP handlers calling back) */

	uint16_t partinfo_tag;       /* PARTITION_INFO_GET_REGS information tag */

	struct spmc_fault_slot faults[SPMC_MAX_FAULTS];
	unsigned faults_armed;       /* how many slots are armed: 0 skips the per-call scan */
	/* memory-kind fault that hit the call being handled (see spmc_fault_take) */
	bool call_fault_valid;
	struct ffaemu_spmc_fault call_fault;

	/* Memory-sharing state, owned by mem_share.c (spmc_mem_init/fini). */
	void *mem_state;
};

/* ---- core helpers (spmc.c / spmc_util.c) ------------------------------- */

/* The endpoint with that ID, or NULL. */
struct spmc_ep *spmc_ep_find(struct spmc *spmc, ffaemu_id_t id);
/* A new endpoint record appended to the table (NULL on ENOMEM). */
struct spmc_ep *spmc_ep_new(struct spmc *spmc, ffaemu_id_t id, enum spmc_ep_kind kind);
/* The endpoint with that ID, created (NS only, bit 15 clear) if missing; NULL on ENOMEM. */
struct spmc_ep *spmc_ep_get_ns(struct spmc *spmc, ffaemu_id_t id);
/*
 * True if an NS endpoint's record (not the host's, ID 0) holds nothing a
 * fresh record would not: dropping it changes no observable state.
 */
bool spmc_ep_pristine(const struct spmc *spmc, const struct spmc_ep *ep);
/* Remove an endpoint record from the table and free it. */
void spmc_ep_drop(struct spmc *spmc, struct spmc_ep *ep);
/* The endpoint's FF-A version: the one it negotiated, else the profile's. */
uint32_t spmc_ep_version(const struct spmc_ep *ep);
/* The SP with that ID, or NULL. */
struct spmc_sp *spmc_sp_find(struct spmc *spmc, ffaemu_id_t id);

/*
 * Take the endpoint's RX to write into it: 0 with *buf and *size (the whole
 * buffer), or an FF-A error code: BUSY if it is FULL or held by the
 * hypervisor or not mapped (spec C5.3/C5.4 "RX not available").
 * Nothing changes until spmc_rx_fill().
 */
int32_t spmc_rx_claim(struct spmc *spmc, struct spmc_ep *ep, void **buf, size_t *size);
/* Mark RX FULL after writing (consumer owns it until RX_RELEASE). */
void spmc_rx_fill(struct spmc *spmc, struct spmc_ep *ep);
/* The caller's TX for reading: 0, or INVALID_PARAMETERS if there is none. */
int32_t spmc_tx_get(struct spmc *spmc, struct spmc_ep *ep, const void **buf, size_t *size);

/*
 * Replies. Every reply writes all of x0-x17 (unused = 0; spec C1.2, C3, F).
 * Values for 32-bit replies are truncated to 32 bits (W registers).
 */
void spmc_reply_error(struct ffaemu_regs *r, int32_t code);
/* FFA_SUCCESS (smc64: FFA_SUCCESS_64), w1 = 0, w2/w3 as given, rest 0. */
void spmc_reply_success(struct ffaemu_regs *r, bool smc64, uint64_t a2, uint64_t a3);
/* Any 32-bit reply: x0 = fid, w1..w4 as given, rest 0. */
void spmc_reply32(struct ffaemu_regs *r, uint32_t fid, uint32_t a1, uint32_t a2, uint32_t a3,
		  uint32_t a4);

/*
 * Fault injection for memory kinds (FRAG_OFFSET, RETRIEVE_*, ZERO_FRAGMENT):
 * the dispatcher counts calls and decides at entry whether an armed fault
 * hits this call; the memory code asks here. Returns true once per call
 * (consumes it) if a memory-kind fault hit the call being handled and its
 * fid matches `fid` (either width).
 */
bool spmc_fault_take(struct spmc *spmc, uint32_t fid, struct ffaemu_spmc_fault *out);

/* True if the profile implements feature FFAEMU_SPMC_F_* f. */
static inline bool spmc_has(const struct spmc *spmc, uint32_t f)
{
	return (spmc->profile.features & f) == f;
}

/* ---- implemented by mem_share.c ----------------------------------- */

/* Allocate spmc->mem_state. 0 or FFAEMU_ENOMEM. */
int spmc_mem_init(struct spmc *spmc);
/* Free spmc->mem_state (accepts a NULL mem_state). */
void spmc_mem_fini(struct spmc *spmc);
/*
 * Handle a memory-management ABI: MEM_DONATE/LEND/SHARE (32/64),
 * MEM_RETRIEVE_REQ (32/64), MEM_RELINQUISH, MEM_RECLAIM, MEM_FRAG_RX,
 * MEM_FRAG_TX. The dispatcher has already checked: the FID is one of
 * these, the caller may use it (instance, version, profile feature), and
 * the fault injector did not answer. caller is the calling endpoint
 * (never NULL). Must write the whole reply.
 */
void spmc_mem_call(struct spmc *spmc, struct spmc_ep *caller, struct ffaemu_regs *regs,
		   const struct ffaemu_call_ctx *ctx);
/* (FFA_FEATURES for memory FIDs is answered by the core from the profile, C5.1.) */

/* ---- implemented by sp_memory.c ----------------------------------- */

/* The built-in memory partition (FFAEMU_SP_MEMORY). */
extern const struct spmc_builtin spmc_builtin_memory;

/* ==== BEGIN memory-sharing block: fields and functions of mem_share.c ==== */

/*
 * FFA_FEATURES(MEM_RETRIEVE_REQ[_64]) answered SUCCESS to ep: the core
 * calls this with handles_ns = input w2 bit 1 so that retrieve responses
 * carry the NS bit only for endpoints that opted in (spec C5.1, D6, G7).
 */
void spmc_mem_note_ns_bit(struct spmc *spmc, const struct spmc_ep *ep, bool handles_ns);
/* Bound on one transaction descriptor in bytes (0 = default 8 MiB); larger -> NO_MEMORY. */
void spmc_mem_set_max_desc(struct spmc *spmc, uint32_t bytes);

/* Observers for tests: live transactions (including ones still being sent). */
size_t spmc_mem_tx_count(struct spmc *spmc);
/* A digest of the whole transaction table and handle counter (equal = unchanged). */
uint64_t spmc_mem_digest(struct spmc *spmc);
struct spmc_mem_tx_info {
	int type;              /* enum ffaemu_mem_tx_type */
	ffaemu_id_t sender;
	bool complete;         /* all fragments received */
	uint32_t receivers, retrieved, total_pages, ranges;
};
/* 0, or FFAEMU_ENOENT for an unknown handle. */
int spmc_mem_tx_info(struct spmc *spmc, ffaemu_handle_t handle, struct spmc_mem_tx_info *out);

/* ==== END memory-sharing block ==== */

#endif /* FFAEMU_LIB_SPMC_PRIV_H */
