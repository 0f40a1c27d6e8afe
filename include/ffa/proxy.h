/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor FF-A proxy, modelled on Linux pKVM
 * (arch/arm64/kvm/hyp/nvhe/ffa.c; behaviour from pkvm-proxy.md).
 *
 * The proxy is a node (node.h). Wire it as the callee of the host's edge
 * (the SMC trap from the host kernel, caller ID 0); it calls down to the
 * EL3 dispatcher through conduit edges of its own. It keeps a mailbox
 * (TX/RX, one kernel page each) and a descriptor buffer in hypervisor-owned
 * RAM of the shared physical memory, and it tracks the host's page states
 * in the hypervisor view of that memory (mem.h: hyp_state, pins).
 *
 * Everything that changed between kernel versions is data: a profile
 * (struct ffaemu_proxy_profile). Built-in profiles, each modelling one
 * kernel state, can be looked up by name, copied and edited. Older profiles
 * reproduce the old bugs on purpose.
 *
 * Wiring note: pKVM writes its own FF-A error codes sign-extended into x2
 * (pkvm-proxy 1.17). To let that reach the host as it does on hardware,
 * create the host->proxy edge with zero_extend_smc32 = false (and,
 * to see x4-x17 of replies, SMCCC 1.2). An edge with the default
 * zero_extend_smc32 = true hides the sign extension.
 *
 * Modelling choices (not pKVM behaviour, documented so tests can rely on them):
 *  - "Uninitialised" reply registers of the pre-2bd3c6c702f3 FFA_VERSION
 *    stack leak are the result registers of the proxy's last call down to
 *    EL3 (what sat in that stack slot): recognisable, deterministic.
 *  - Where a pre-fix profile would read or write outside a buffer on
 *    hardware (composite offset wrap, unbounded retrieve response), the
 *    model refuses the access, counts it in status.el2_faults and answers
 *    FFA_ERROR(ABORTED).
 *  - Reclaim's FRAG_RX loop stops on a zero-length fragment (FRAG_TX w3 = 0)
 *    with FFA_ERROR(ABORTED) in every profile (status.frag_rx_bounded);
 *    upstream loops forever. A deliberate, profile-independent safety bound.
 *  - Pass-through calls (and every call before init or after a failed init)
 *    are forwarded with the SMCCC 1.2 contract, x0-x17 both ways (the host
 *    forwarder has loaded x0-x17 in every kernel version).
 *  - The deny-list is consulted before the handled calls (upstream: after).
 *    No built-in profile denies a handled ID, so this only matters for an
 *    edited profile: denying FFA_FEATURES models the first v6.4 commit.
 *  - An INERT proxy (init stopped early) still runs the FF-A handler: gate,
 *    deny-list, handled calls, as upstream, whose handler never checks that
 *    FF-A is present.
 *  - Free the proxy before the memory it was created with.
 */
#ifndef FFAEMU_PROXY_H
#define FFAEMU_PROXY_H

#include <ffa/common.h>
#include <ffa/conduit.h>
#include <ffa/mem.h>
#include <ffa/node.h>
#include <ffa/regs.h>

FFAEMU_BEGIN_DECLS

#define FFAEMU_PROXY_NAME_MAX 32
#define FFAEMU_PROXY_MODELS_MAX 96
#define FFAEMU_PROXY_DENY_MAX 64

/* Which result registers the proxy writes back to the host (pkvm-proxy 1.17). */
enum ffaemu_proxy_ret_policy {
	FFAEMU_PROXY_RET_X0_X3 = 0, /* v6.4-v6.17: x0-x3; x4-x17 keep what the host wrote */
	FFAEMU_PROXY_RET_X0_X17 = 1 /* v6.18+ (6f4c348b1d5c): x0-x17 always */
};

/* How the proxy calls the SPMC for the calls it handles (pkvm-proxy 1.18). */
enum ffaemu_proxy_downcall {
	FFAEMU_PROXY_DOWN_SMCCC_1_1 = 0,   /* x0-x3 of results only (pre-6.18) */
	FFAEMU_PROXY_DOWN_SMCCC_1_2 = 1,   /* x0-x17 (6.18+) */
	FFAEMU_PROXY_DOWN_FALLBACK = 2     /* FF-A 1.2 series v1-v3: SMCCC 1.2 for SMC64 IDs
					      once FF-A 1.2 is in use, else 1.1 */
};

/* Host FFA_VERSION asking a lower minor after negotiation (pkvm-proxy 1.5). */
enum ffaemu_proxy_downgrade_rule {
	FFAEMU_PROXY_DOWNGRADE_RETURN_VERSION = 0, /* before f41426939244: hyp version */
	FFAEMU_PROXY_DOWNGRADE_NOT_SUPPORTED = 1   /* since f41426939244 (6.18): -1 */
};

/* Where the proxy finds the EMAD of a host descriptor (pkvm-proxy 1.13 steps 3, 7). */
enum ffaemu_proxy_emad_rule {
	/* 32 for FF-A 1.0, 48 for 1.1+, minimum fragment 48 + EMAD struct size,
	 * ep_mem_offset ignored (before a6b49d27c179) */
	FFAEMU_PROXY_EMAD_FIXED = 0,
	/* 32 for 1.0, ep_mem_offset for 1.1+, bounded by the fragment (a6b49d27c179,
	 * CVE-2026-68400); minimum fragment = header(ver) + EMAD(ver) */
	FFAEMU_PROXY_EMAD_FROM_HEADER = 1,
	/* v6.4-v6.6: the FF-A 1.0 structs of arm_ffa.h: EMAD array at 32 whatever the
	 * version, minimum fragment 32 + 16, hypervisor retrieve request 32 bytes */
	FFAEMU_PROXY_EMAD_ARRAY_1_0 = 2
};

/*
 * Validation fixes of pkvm-proxy section 2, one flag each. false reproduces
 * the behaviour before the fix.
 */
struct ffaemu_proxy_fixes {
	bool init_any_1x;        /* init accepts any 1.x (before: exactly 1.0, v6.4) */
	bool rx_release;         /* d66e50beb911: RX_RELEASE on the reclaim path */
	bool mem_len_check;      /* f26a525b77e0: share len > desc buffer -> NO_MEMORY */
	bool range_validity;     /* Sep 2025: empty (pg_cnt 0) range -> DENIED */
	bool features_mask;      /* 3f5952917498: only w2[1:0] of FEATURES(RXTX_MAP) */
	bool composite_overflow; /* 103e17aac09c (CVE-2025-40266): offset + 16 wrap */
	bool version_s32;        /* 582234b0d841: (s32) compare of NOT_SUPPORTED */
	bool imm16;              /* cf6348af645b: SMC immediate != 0 -> -1 */
	bool x0_upper;           /* Apr 2026: x0[63:32] != 0 -> -1 */
	bool reclaim_bounds;     /* 8c6db30d7952: retrieve response bounds -> ABORTED */
	bool page_aligned;       /* 6a7a181f6921: constituent base PAGE_SIZE aligned */
	bool zero_response;      /* 2bd3c6c702f3: FFA_VERSION reply zero-filled */
};

/* A proxy profile: every behaviour that changed over time. */
struct ffaemu_proxy_profile {
	size_t size;                        /* sizeof(struct ffaemu_proxy_profile) */
	char name[FFAEMU_PROXY_NAME_MAX];   /* "pkvm-2026" */
	char models[FFAEMU_PROXY_MODELS_MAX]; /* which kernel state it models */
	uint32_t init_version;   /* FFA_VERSION asked for at init (1.0 / 1.1 / 1.2) */
	uint32_t max_version;    /* cap on the SPMC's answer (1.0 / 1.1 / 1.2) */
	uint16_t ffa_func_last;  /* last function number counted as FF-A: 0x7f (< 6.11) or 0xff */
	uint32_t deny[FFAEMU_PROXY_DENY_MAX]; /* denied function IDs (exact, hint stripped) */
	uint32_t deny_count;
	enum ffaemu_proxy_ret_policy ret_regs;
	bool trap_version;       /* c9c012625e12 (6.11): host FFA_VERSION handled, post-init
				    deferred to it; false: forwarded, post-init at init */
	int32_t gate_error;      /* error before negotiation (1.6): INVALID_PARAMETERS; 0 = no gate */
	enum ffaemu_proxy_downgrade_rule downgrade;
	enum ffaemu_proxy_emad_rule emad;
	bool copy_partition_info; /* 894376385a2d (6.11): PARTITION_INFO_GET handled (1.12) */
	bool direct_msg_checks;  /* pending 2026 (1.19): DIRECT_REQ src = 0, flags = 0 */
	bool req2_at_1_2;        /* pending 2026 (1.19): DIRECT_REQ2 allowed iff hyp >= 1.2 */
	enum ffaemu_proxy_downcall downcall;
	uint32_t page_size;      /* kernel PAGE_SIZE: 4096, 16384 or 65536 */
	uint32_t max_constituents; /* descriptor buffer capacity (SG_MAX_SEGMENTS = 128) */
	struct ffaemu_proxy_fixes fixes;
	uint32_t reserved[8];    /* MBZ */
};

/*
 * Built-in profiles (pkvm-proxy section 2):
 *   pkvm-6.4     first proxy: FF-A 1.0 (exact at init), IDs 0x60-0x7f, no VERSION
 *                trap/gate, 32-bit DIRECT_REQ denied, FEATURES handled, x0-x3,
 *                SMCCC 1.1, FF-A 1.0 descriptor structs (EMAD_ARRAY_1_0)
 *   pkvm-6.10    32-bit DIRECT_REQ allowed, any 1.x, RX release, 1.1 header struct
 *   pkvm-6.11    (-6.17) FF-A 1.1, VERSION trap + gate, IDs 0x60-0xff, partition info
 *   pkvm-6.18    FF-A 1.2 series: SMCCC 1.2, x0-x17, notifications/REQ2/... denied,
 *                FEATURES w2[1:0], downgrade refused, len check, composite wrap fix
 *   pkvm-2026    (default) + (s32) VERSION, imm16, 64-bit FID, EMAD offset, page
 *                alignment, range validity, reclaim bounds, zeroed reply, RESP_64 denied
 *   pkvm-2026-direct-msg  + pending direct messaging: REQ src/flags checks, REQ2 at 1.2
 */
FFAEMU_API size_t ffaemu_proxy_profile_count(void);
/* Name of built-in profile i, or NULL. */
FFAEMU_API const char *ffaemu_proxy_profile_name_at(size_t i);
/* Copy the named built-in profile into *out. 0, FFAEMU_ENOENT or FFAEMU_EINVAL. */
FFAEMU_API int ffaemu_proxy_profile_get(const char *name, struct ffaemu_proxy_profile *out);
/* The default profile ("pkvm-2026"). */
FFAEMU_API void ffaemu_proxy_profile_default(struct ffaemu_proxy_profile *out);
/* Deny-list set operations (the SVE hint of fid is ignored). */
FFAEMU_API bool ffaemu_proxy_profile_denies(const struct ffaemu_proxy_profile *p, uint32_t fid);
/* 0, FFAEMU_ERANGE if full. Adding a present ID is a no-op. */
FFAEMU_API int ffaemu_proxy_profile_deny(struct ffaemu_proxy_profile *p, uint32_t fid);
/* 0, or FFAEMU_ENOENT if absent. */
FFAEMU_API int ffaemu_proxy_profile_allow(struct ffaemu_proxy_profile *p, uint32_t fid);
/* Bytes of the descriptor buffer: header 48 + EMAD 32 + composite 16 +
 * 16 x max_constituents, rounded up to page_size (pkvm-proxy 1.1). */
FFAEMU_API uint64_t ffaemu_proxy_profile_desc_buf_size(const struct ffaemu_proxy_profile *p);
/* FFAEMU_EINVAL if a field is out of range (page size, versions, counts). */
FFAEMU_API int ffaemu_proxy_profile_validate(const struct ffaemu_proxy_profile *p);

/* Default PA of the hypervisor's own RAM (TX, RX, descriptor buffer). */
#define FFAEMU_PROXY_HYP_BASE_DEFAULT 0xe0000000ull

struct ffaemu_proxy_config {
	size_t size;                    /* sizeof(struct ffaemu_proxy_config) */
	struct ffaemu_node *downstream; /* the EL3 dispatcher node; required */
	struct ffaemu_mem *mem;         /* shared physical memory; required */
	const struct ffaemu_proxy_profile *profile; /* copied; NULL = "pkvm-2026" */
	ffaemu_pa_t hyp_base;           /* hypervisor RAM: TX page, RX page, descriptor buffer;
					   page_size aligned; default FFAEMU_PROXY_HYP_BASE_DEFAULT */
	bool add_hyp_region;            /* default true: add that RAM to mem, owned by
					   FFAEMU_OWNER_HYP (removed again by free); false: it
					   must already be one RAM region owned by
					   FFAEMU_OWNER_HYP (else FFAEMU_EINVAL) */
	bool init_at_create;            /* default false: call ffaemu_proxy_init() yourself */
	const struct ffaemu_allocator *alloc; /* default NULL (libc) */
	uint32_t reserved[8];           /* MBZ */
};

FFAEMU_API void ffaemu_proxy_config_default(struct ffaemu_proxy_config *cfg);

struct ffaemu_proxy;

/* Bytes of hypervisor RAM a profile needs at hyp_base. */
FFAEMU_API uint64_t ffaemu_proxy_hyp_ram_size(const struct ffaemu_proxy_profile *p);

FFAEMU_API int ffaemu_proxy_new(const struct ffaemu_proxy_config *cfg, struct ffaemu_proxy **out);
/*
 * Accepts NULL; clears *proxy. Unpins/unshares host mailbox pages. Makes no
 * call below: if the SPMC may still hold the proxy's own RX/TX (see
 * ffaemu_proxy_shutdown), the proxy's hypervisor RAM stays in the memory
 * object until that is freed.
 */
FFAEMU_API void ffaemu_proxy_free(struct ffaemu_proxy **proxy);
/*
 * The hypervisor going away, before ffaemu_proxy_free while everything below
 * is alive: unmaps the proxy's own RX/TX at the SPMC (FFA_RXTX_UNMAP), so
 * that free can give its RAM back. FFAEMU_OK, FFAEMU_EINVAL (NULL), or
 * FFAEMU_EPERM if the SPMC refused (the proxy forgets the mapping anyway).
 */
FFAEMU_API int ffaemu_proxy_shutdown(struct ffaemu_proxy *proxy);
/* The node to make the callee of the host's edge. Owned by the proxy. */
FFAEMU_API struct ffaemu_node *ffaemu_proxy_node(struct ffaemu_proxy *proxy);
FFAEMU_API const struct ffaemu_proxy_profile *
ffaemu_proxy_get_profile(const struct ffaemu_proxy *proxy);
/*
 * The proxy's edges towards EL3 (for observers): smccc_version < 1.2 gives
 * the SMCCC 1.1 edge (handled calls of older profiles), else the 1.2 edge
 * (handled calls of newer profiles and every forwarded call).
 */
FFAEMU_API struct ffaemu_edge *ffaemu_proxy_down_edge(struct ffaemu_proxy *proxy,
						      uint32_t smccc_version);

/* Life cycle of the proxy (pkvm-proxy 1.4). */
enum ffaemu_proxy_state {
	FFAEMU_PROXY_UNINIT = 0, /* created, init not run: everything is forwarded */
	FFAEMU_PROXY_INERT = 1,  /* no SMCCC 1.2 or no FF-A below: init stopped early, but
				    the FF-A trap handler still runs (gate, deny-list, ...) */
	FFAEMU_PROXY_ACTIVE = 2, /* talking FF-A to the SPMC */
	FFAEMU_PROXY_FAILED = 3  /* init failed: pKVM would not come up; everything forwarded */
};

/*
 * Boot-time negotiation with the SPMC (pkvm-proxy 1.4): SMCCC_VERSION,
 * FFA_VERSION(profile init_version), and for profiles without the version
 * trap, FFA_ID_GET and FFA_FEATURES(RXTX_MAP_64). Returns 0 when the proxy
 * is ACTIVE or INERT (pKVM boots), FFAEMU_ENOTSUP when pKVM init would fail
 * (state FAILED), FFAEMU_EPERM if already run.
 */
FFAEMU_API int ffaemu_proxy_init(struct ffaemu_proxy *proxy);

struct ffaemu_proxy_status {
	enum ffaemu_proxy_state state;
	uint32_t hyp_version;      /* hyp_ffa_version (0 until init sets it) */
	bool negotiated;           /* host FFA_VERSION completed (1.5) */
	bool host_mapped;          /* host RX/TX registered (1.10) */
	ffaemu_pa_t host_tx, host_rx;
	bool hyp_mapped;           /* proxy's own RX/TX registered at the SPMC */
	ffaemu_pa_t hyp_tx, hyp_rx, desc_buf;
	uint64_t desc_buf_size;
	uint32_t min_rxtx_size;    /* from post-init FEATURES(RXTX_MAP_64), 0 before */
	uint64_t host_calls;       /* calls into the node */
	uint64_t down_calls;       /* calls the proxy made towards EL3 */
	uint64_t forwarded;        /* host calls forwarded verbatim */
	uint64_t el2_faults;       /* accesses a pre-fix profile would have made out of
				      bounds (the model refuses them and answers ABORTED) */
	uint64_t warnings;         /* WARN_ON paths taken (failed unshare, ...) */
	uint64_t frag_rx_bounded;  /* reclaims stopped by the zero-length-fragment bound */
};

FFAEMU_API void ffaemu_proxy_get_status(const struct ffaemu_proxy *proxy,
				       struct ffaemu_proxy_status *st);
FFAEMU_API const char *ffaemu_proxy_state_name(enum ffaemu_proxy_state s);

FFAEMU_END_DECLS

#endif /* FFAEMU_PROXY_H */
