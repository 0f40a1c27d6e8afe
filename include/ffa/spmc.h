/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake SPMC: an FF-A secure partition manager that runs on the host.
 *
 * It is a node (node.h) that sits behind the EL3 dispatcher (el3.h routes
 * FF-A function IDs to it). Normal-world callers reach it through their
 * conduit edge and the EL3 node (instance NS physical, caller ID 0 or the
 * hypervisor); secure partitions reach it through their own edge (instance
 * secure virtual, caller = SP ID). Its answers follow what a conforming
 * FF-A 1.0/1.1/1.2 SPMC gives (spec ffa-smccc.md Parts C-E); where real
 * SPMCs disagree the behaviour is a quirk of the profile.
 *
 * Behaviour is data: a profile (version, buffer sizes, optional ABIs,
 * quirks) and a set of partitions (ID, UUIDs, properties, handler).
 *
 * Model choices (synchronous host model):
 *  - A partition runs only inside the call that delivered its message; it
 *    leaves by returning its exit call from the handler. Messages go to
 *    vCPU 0; FFA_RUN may name any vCPU below the execution-context count.
 *  - A partition answering with the wrong width (C1.2), a response to the
 *    wrong endpoint, MSG_WAIT while a request is pending, or an unknown
 *    exit: the requester receives FFA_ERROR(ABORTED), the partition goes
 *    back to waiting.
 *  - MSG_WAIT/YIELD/DIRECT_RESP called through a partition's conduit
 *    (instead of returned) get DENIED after their MBZ checks.
 *  - FFA_MEM_PERM_GET/SET: argument checks, then DENIED (Hafnium allows
 *    them only during partition initialisation, which is not modelled).
 *  - Replies write every result register of the call's SMCCC convention
 *    (unused ones zero); registers the convention preserves are kept.
 */
#ifndef FFAEMU_SPMC_H
#define FFAEMU_SPMC_H

#include <ffa/common.h>
#include <ffa/conduit.h>
#include <ffa/mem.h>
#include <ffa/node.h>
#include <ffa/regs.h>
#include <ffa/uuid.h>

FFAEMU_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/* Profile                                                                  */
/* ------------------------------------------------------------------------ */

/* Optional ABIs / features a profile implements (ffaemu_spmc_profile.features). */
#define FFAEMU_SPMC_F_NOTIFICATIONS (1u << 0)     /* NOTIFICATION_* (v1.1) */
#define FFAEMU_SPMC_F_NOTIF_PER_VCPU (1u << 1)    /* per-vCPU notifications (C8) */
#define FFAEMU_SPMC_F_MSG_SEND2 (1u << 2)         /* indirect messaging (v1.1) */
#define FFAEMU_SPMC_F_PARTINFO_REGS (1u << 3)     /* PARTITION_INFO_GET_REGS (v1.2) */
#define FFAEMU_SPMC_F_DIRECT_REQ2 (1u << 4)       /* DIRECT_REQ2/RESP2 (v1.2) */
#define FFAEMU_SPMC_F_CONSOLE_LOG (1u << 5)       /* CONSOLE_LOG (v1.2) */
#define FFAEMU_SPMC_F_RX_ACQUIRE (1u << 6)        /* RX_ACQUIRE/RX_RELEASE for VMs (v1.1) */
#define FFAEMU_SPMC_F_RXTX_FORWARD (1u << 7)      /* hypervisor maps a VM's buffers (D12) */
#define FFAEMU_SPMC_F_MEM_PERM (1u << 8)          /* MEM_PERM_GET/SET for S-EL0 SPs */
#define FFAEMU_SPMC_F_SECONDARY_EP (1u << 9)      /* SECONDARY_EP_REGISTER */
#define FFAEMU_SPMC_F_MEM_SHARE (1u << 10)        /* MEM_SHARE/LEND/RETRIEVE/RELINQUISH/RECLAIM/FRAG */
#define FFAEMU_SPMC_F_MEM_DONATE (1u << 11)       /* MEM_DONATE */
#define FFAEMU_SPMC_F_MEM_DYN_BUFFER (1u << 12)   /* MEM_* from a buffer other than TX */
#define FFAEMU_SPMC_F_HYP_RETRIEVE (1u << 13)     /* hypervisor retrieve request (v1.1) */
#define FFAEMU_SPMC_F_VM_MESSAGES (1u << 14)      /* VM created/destroyed framework messages */
#define FFAEMU_SPMC_F_MEM_NS_BIT (1u << 15)       /* NS bit in RETRIEVE_RESP (v1.1) */

/* What FFA_VERSION answers to a request the SPMC cannot serve (spec C4, UNCONFIRMED). */
enum ffaemu_spmc_version_quirk {
	FFAEMU_SPMC_VQ_NOT_SUPPORTED = 0, /* bare -1 (Hafnium) */
	FFAEMU_SPMC_VQ_OWN_VERSION = 1    /* the SPMC's own version (TF-A EL3 SPMC) */
};

/* What happens to a non-VERSION call before the endpoint called FFA_VERSION (C4). */
enum ffaemu_spmc_prenego_quirk {
	FFAEMU_SPMC_PRE_ACCEPT = 0,         /* handled at the profile's version (Hafnium, TF-A) */
	FFAEMU_SPMC_PRE_INVALID_PARAMETERS = 1, /* FFA_ERROR(INVALID_PARAMETERS) (pKVM) */
	FFAEMU_SPMC_PRE_NOT_SUPPORTED = 2   /* FFA_ERROR(NOT_SUPPORTED) (Xen) */
};

/*
 * What MEM_RECLAIM by its sender does to a send still in fragments. Spec C1
 * lists "sending not finished" as INVALID_PARAMETERS (Hafnium keeps the
 * transaction); pKVM aborts a fragmented send it cannot finish with
 * MEM_RECLAIM(handle, 0) and expects FFA_SUCCESS (spec E2, pkvm-proxy 1.14).
 */
enum ffaemu_spmc_partial_reclaim_quirk {
	FFAEMU_SPMC_PARTIAL_RECLAIM_INVALID = 0, /* INVALID_PARAMETERS, send goes on (C1, Hafnium) */
	FFAEMU_SPMC_PARTIAL_RECLAIM_DROP = 1     /* transaction dropped, FFA_SUCCESS (E2) */
};

/*
 * What NOTIFICATION_BIND answers for IDs already bound to the same sender
 * with the same scope. Spec C1/C8 name DENIED for IDs "already bound
 * elsewhere" (another sender, or the other scope) and no error for a bind
 * that changes nothing; Hafnium denies every ID that is bound at all.
 */
enum ffaemu_spmc_rebind_quirk {
	FFAEMU_SPMC_REBIND_SAME_OK = 0, /* SUCCESS, nothing changes (spec C8; generic profiles) */
	FFAEMU_SPMC_REBIND_DENIED = 1   /* DENIED (Hafnium) */
};

/* What FFA_VERSION answers after negotiation has ended (C4). */
enum ffaemu_spmc_postnego_quirk {
	FFAEMU_SPMC_POST_STRICT = 0,    /* same version: own version again; another: -1 (Hafnium) */
	FFAEMU_SPMC_POST_NEGOTIATED = 1 /* always the negotiated version (TF-A EL3 SPMC) */
};

struct ffaemu_spmc_profile {
	size_t size;                 /* sizeof(struct ffaemu_spmc_profile) */
	const char *name;            /* "hafnium-1.2" (not copied: use a literal) */
	uint32_t ffa_version;        /* highest FF-A version; default 1.2 */
	uint32_t rxtx_min_size;      /* bytes: 4096 (default), 16384 or 65536 (C5.1) */
	uint32_t rxtx_max_pages;     /* maximum RX/TX page count (4K pages); default 1 */
	uint32_t features;           /* FFAEMU_SPMC_F_*; default: all of v1.2 but
					DYN_BUFFER and NOTIF_PER_VCPU */
	ffaemu_id_t spmc_id;         /* default 0x8000 */
	uint32_t npi_id;             /* notification pending interrupt ID; default 5; 0 = none */
	uint32_t sri_id;             /* schedule receiver interrupt ID; default 8; 0 = none */
	uint32_t mei_id;             /* managed exit interrupt ID; default 4; 0 = none */
	enum ffaemu_spmc_version_quirk version_quirk; /* default NOT_SUPPORTED */
	enum ffaemu_spmc_prenego_quirk prenego_quirk; /* default ACCEPT */
	enum ffaemu_spmc_postnego_quirk postnego_quirk; /* default STRICT */
	bool interrupt_ends_negotiation; /* default false: FFA_INTERRUPT does not end it (Hafnium) */
	uint32_t mem_max_desc_size;  /* bytes one memory transaction descriptor may take (w1 of
					MEM_SHARE/LEND/DONATE); larger: NO_MEMORY; 0 = 8 MiB (default) */
	uint32_t partial_reclaim;    /* enum ffaemu_spmc_partial_reclaim_quirk; default INVALID */
	uint32_t rebind;             /* enum ffaemu_spmc_rebind_quirk; default DENIED (Hafnium) */
	uint32_t reserved[5];        /* MBZ: room to grow */
};

/* Fill the defaults (the "hafnium-1.2" profile). */
FFAEMU_API void ffaemu_spmc_profile_default(struct ffaemu_spmc_profile *p);
/*
 * Named built-in profiles: "hafnium-1.2" (default), "tfa-el3-1.2",
 * "spmc-1.0", "spmc-1.1", "spmc-1.2", "spmc-1.3" (confirmed v1.3 items only). 0 or
 * FFAEMU_ENOENT (p unchanged).
 */
FFAEMU_API int ffaemu_spmc_profile_by_name(const char *name, struct ffaemu_spmc_profile *p);
FFAEMU_API size_t ffaemu_spmc_profile_count(void);
/* Name of built-in profile i, or NULL. */
FFAEMU_API const char *ffaemu_spmc_profile_name_at(size_t i);

/* ------------------------------------------------------------------------ */
/* The SPMC object                                                          */
/* ------------------------------------------------------------------------ */

struct ffaemu_spmc_config {
	size_t size;                              /* sizeof(struct ffaemu_spmc_config) */
	const struct ffaemu_spmc_profile *profile; /* copied; NULL = default profile */
	struct ffaemu_mem *mem;                   /* shared physical memory (must outlive the
						     SPMC); NULL = the SPMC creates and owns one */
	ffaemu_pa_t secure_base;                  /* secure RAM the SPMC adds to mem for SP
						     mailboxes; default 0xf0000000 */
	uint64_t secure_size;                     /* default 16 MiB; 0 = add none */
	const struct ffaemu_allocator *alloc;     /* default NULL (libc) */
};

FFAEMU_API void ffaemu_spmc_config_default(struct ffaemu_spmc_config *cfg);

struct ffaemu_spmc;

FFAEMU_API int ffaemu_spmc_new(const struct ffaemu_spmc_config *cfg, struct ffaemu_spmc **out);
/* Accepts NULL; clears *spmc. */
FFAEMU_API void ffaemu_spmc_free(struct ffaemu_spmc **spmc);
/* The node to configure as the EL3 dispatcher's SPMC. Owned by spmc. */
FFAEMU_API struct ffaemu_node *ffaemu_spmc_node(struct ffaemu_spmc *spmc);
FFAEMU_API struct ffaemu_mem *ffaemu_spmc_mem(struct ffaemu_spmc *spmc);
FFAEMU_API const struct ffaemu_spmc_profile *ffaemu_spmc_get_profile(const struct ffaemu_spmc *spmc);

/* ------------------------------------------------------------------------ */
/* Partitions                                                               */
/* ------------------------------------------------------------------------ */

/* Partition properties: the D1 property bits (DEN0077A 1.2 Table 6.2). */
#define FFAEMU_SP_PROP_DIRECT_REQ_RECV (1u << 0)
#define FFAEMU_SP_PROP_DIRECT_REQ_SEND (1u << 1)
#define FFAEMU_SP_PROP_INDIRECT_MSG (1u << 2)
#define FFAEMU_SP_PROP_NOTIFICATIONS (1u << 3)
#define FFAEMU_SP_PROP_VM_CREATED (1u << 6)
#define FFAEMU_SP_PROP_VM_DESTROYED (1u << 7)
#define FFAEMU_SP_PROP_AARCH64 (1u << 8)
#define FFAEMU_SP_PROP_DIRECT_REQ2_RECV (1u << 9)
#define FFAEMU_SP_PROP_DIRECT_REQ2_SEND (1u << 10)

/*
 * Partition properties from an FF-A manifest `messaging-method` value
 * (TF-A/Hafnium binding: bit0 direct receive, bit1 direct send, bit2
 * indirect, bit9 REQ2 receive, bit10 REQ2 send). Other bits are ignored.
 */
FFAEMU_API uint32_t ffaemu_sp_props_from_messaging_method(uint32_t mm);

#define FFAEMU_SP_MAX_UUIDS 4

struct ffaemu_sp_env;

/*
 * A partition's entry point. The SPMC "enters" the partition with the
 * message in regs: FFA_MSG_SEND_DIRECT_REQ(_64) / DIRECT_REQ2 (also
 * framework messages), or FFA_RUN when a partition that yielded or was
 * interrupted is resumed. The handler leaves in regs the call with which
 * the partition gives the CPU back: FFA_MSG_SEND_DIRECT_RESP(_64/2),
 * FFA_MSG_WAIT, FFA_YIELD, FFA_INTERRUPT (model: "was pre-empted"), or
 * FFA_ERROR(code) (model: the partition fails the request; the requester
 * receives that FFA_ERROR). Inside, the partition may call the SPMC with
 * ffaemu_sp_call(), exactly as an SP would.
 */
typedef void (*ffaemu_sp_handler_fn)(void *user, struct ffaemu_sp_env *env,
				     struct ffaemu_regs *regs);

/* Built-in partitions. */
enum ffaemu_sp_builtin {
	FFAEMU_SP_CUSTOM = 0,  /* user handler */
	FFAEMU_SP_ECHO = 1,    /* answers every request with its payload */
	FFAEMU_SP_NOTIFIER = 2, /* request: w3 = receiver ID, w4/w5 = bitmap lo/hi, w6 =
				   NOTIFICATION_SET flags; it calls NOTIFICATION_SET from
				   itself and answers w3 = the FF-A status of that call */
	FFAEMU_SP_CONSOLE = 3, /* request w3-w7 (x4-x17 for REQ2): NUL-terminated bytes
				   it writes with FFA_CONSOLE_LOG; answers w3 = status */
	FFAEMU_SP_FAULTY = 4,  /* answers as faulty_mode says */
	FFAEMU_SP_MEMORY = 5   /* memory-sharing checker (lib/spmc/sp_memory.c) */
};

/* What the faulty partition does with every request. */
enum ffaemu_sp_faulty_mode {
	FFAEMU_SP_FAULTY_ERROR = 0,     /* answers FFA_ERROR(faulty_error): BUSY, RETRY, ... */
	FFAEMU_SP_FAULTY_YIELD = 1,     /* yields forever: every RUN gets FFA_YIELD again */
	FFAEMU_SP_FAULTY_INTERRUPT = 2, /* is interrupted forever: FFA_INTERRUPT every time */
	FFAEMU_SP_FAULTY_WRONG_WIDTH = 3 /* answers a 32-bit request with a 64-bit response */
};

struct ffaemu_sp_config {
	size_t size;                 /* sizeof(struct ffaemu_sp_config) */
	const char *name;            /* copied; default "sp" */
	ffaemu_id_t id;              /* bit 15 set (secure world); default 0x8001 */
	struct ffaemu_uuid uuids[FFAEMU_SP_MAX_UUIDS]; /* protocol UUIDs; default none */
	unsigned uuid_count;         /* 0..FFAEMU_SP_MAX_UUIDS; 0 = nil UUID only */
	uint32_t props;              /* FFAEMU_SP_PROP_*; default DIRECT_REQ_RECV|AARCH64 */
	uint16_t exec_ctx_count;     /* default 1 */
	uint32_t ffa_version;        /* partition's FF-A version; default 1.2 */
	uint8_t el;                  /* 0 (S-EL0) or 1 (S-EL1, default) */
	enum ffaemu_sp_builtin builtin; /* default FFAEMU_SP_CUSTOM */
	ffaemu_sp_handler_fn handler; /* for FFAEMU_SP_CUSTOM; NULL = answers like echo */
	void *user;                  /* handler's user pointer */
	enum ffaemu_sp_faulty_mode faulty_mode; /* FFAEMU_SP_FAULTY only */
	int32_t faulty_error;        /* FFAEMU_SP_FAULTY_ERROR; default BUSY */
	ffaemu_pa_t tx_pa, rx_pa;    /* secure mailbox; 0 = allocated from the SPMC's region */
	uint32_t rxtx_pages;         /* mailbox page count; default 1 (rounded up to the
					profile's minimum size when tx_pa = rx_pa = 0) */
	bool map_mailbox;            /* default true: mailbox mapped at creation */
	uint32_t reserved[8];        /* MBZ */
};

FFAEMU_API void ffaemu_sp_config_default(struct ffaemu_sp_config *cfg);
/* Defaults plus a built-in partition's handler and properties. */
FFAEMU_API int ffaemu_sp_config_builtin(struct ffaemu_sp_config *cfg, enum ffaemu_sp_builtin kind,
					ffaemu_id_t id);

/*
 * Add a partition. FFAEMU_EEXIST for a duplicate ID, FFAEMU_EINVAL for an ID
 * without bit 15, the SPMC ID, bad counts; FFAEMU_ERANGE for a mailbox outside
 * secure RAM. Partitions keep the order in which they were added (the order
 * of FFA_PARTITION_INFO_GET).
 */
FFAEMU_API int ffaemu_spmc_add_sp(struct ffaemu_spmc *spmc, const struct ffaemu_sp_config *cfg);
/* Named sets of partitions: "acs-fvp" (Arm FF-A ACS tgt_tfa_fvp SP1-SP4). */
FFAEMU_API int ffaemu_spmc_add_preset(struct ffaemu_spmc *spmc, const char *name);
FFAEMU_API size_t ffaemu_spmc_sp_count(const struct ffaemu_spmc *spmc);
/* ID of the i-th partition (order of addition), or 0 past the end. */
FFAEMU_API ffaemu_id_t ffaemu_spmc_sp_id_at(const struct ffaemu_spmc *spmc, size_t i);
/*
 * The conduit edge through which partition id calls the SPMC (named
 * "sp8001->spmc": caller = SP ID, instance SV), or NULL for an unknown
 * partition. Owned by the SPMC; it lives as long as the partition. Attach a
 * tracer or checker to it to see the calls a partition makes, nested inside
 * the request that entered it (trace.h, check.h).
 */
FFAEMU_API struct ffaemu_edge *ffaemu_spmc_sp_edge(struct ffaemu_spmc *spmc, ffaemu_id_t id);

/* Calls made by a partition handler. */
/* Call the SPMC as this partition (edge: caller = SP ID, instance SV, SMCCC 1.2). */
FFAEMU_API void ffaemu_sp_call(struct ffaemu_sp_env *env, struct ffaemu_regs *regs);
FFAEMU_API ffaemu_id_t ffaemu_sp_env_id(const struct ffaemu_sp_env *env);
FFAEMU_API uint16_t ffaemu_sp_env_vcpu(const struct ffaemu_sp_env *env);
FFAEMU_API struct ffaemu_spmc *ffaemu_sp_env_spmc(struct ffaemu_sp_env *env);
/* The partition's mailbox (host pointers and PAs); NULL / 0 if unmapped. */
FFAEMU_API void *ffaemu_sp_env_rx(struct ffaemu_sp_env *env, size_t *size);
FFAEMU_API void *ffaemu_sp_env_tx(struct ffaemu_sp_env *env, size_t *size);
FFAEMU_API ffaemu_pa_t ffaemu_sp_env_rx_pa(const struct ffaemu_sp_env *env);
FFAEMU_API ffaemu_pa_t ffaemu_sp_env_tx_pa(const struct ffaemu_sp_env *env);

/* ------------------------------------------------------------------------ */
/* Observers for tests                                                      */
/* ------------------------------------------------------------------------ */

struct ffaemu_spmc_ep_info {
	ffaemu_id_t id;
	bool secure;           /* a partition */
	uint32_t version;      /* version the endpoint asked for (or the default) */
	bool version_called;   /* FFA_VERSION was called */
	bool negotiated;       /* negotiation finished: version fixed */
	bool mapped;           /* RX/TX mapped */
	ffaemu_pa_t tx_pa, rx_pa;
	uint32_t rxtx_pages;
	bool rx_full;          /* RX owned by the consumer (the endpoint) */
	bool rx_hyp_owned;     /* RX acquired by the hypervisor (RX_ACQUIRE) */
	bool mapped_by_hyp;    /* mapped by the hypervisor on the VM's behalf (D12) */
};

/* FFAEMU_ENOENT if the SPMC has no state for that endpoint. */
FFAEMU_API int ffaemu_spmc_ep_info(const struct ffaemu_spmc *spmc, ffaemu_id_t id,
				   struct ffaemu_spmc_ep_info *out);

struct ffaemu_spmc_notif_info {
	bool bitmap;           /* the receiver has a notification bitmap */
	uint32_t vcpu_count;
	uint64_t bound;        /* notification IDs bound to a partition sender */
	uint64_t per_vcpu;     /* of those, bound per-vCPU */
	uint64_t pending_sp;   /* pending, from SPs (global, plus vCPU 0 per-vCPU) */
	uint64_t pending_vm;   /* pending, from VMs */
	uint32_t pending_spm;  /* SPM framework bitmap (bit 0 = RX buffer full) */
	uint32_t pending_hyp;  /* hypervisor framework bitmap */
	ffaemu_id_t binder[64]; /* partition each ID is bound to (valid where bound) */
	/* The receiver's separate bitmap for VM senders (C8). */
	uint64_t bound_vm;     /* notification IDs bound to a VM sender */
	uint64_t per_vcpu_vm;  /* of those, bound per-vCPU */
	ffaemu_id_t binder_vm[64]; /* VM each ID is bound to (valid where bound_vm) */
};

FFAEMU_API int ffaemu_spmc_notif_info(const struct ffaemu_spmc *spmc, ffaemu_id_t id,
				      struct ffaemu_spmc_notif_info *out);

/*
 * The console log of partition id (everything it wrote with
 * FFA_CONSOLE_LOG). Copies up to len-1 bytes plus NUL into buf (if len > 0)
 * and returns the full length, or 0 for an unknown partition.
 */
FFAEMU_API size_t ffaemu_spmc_console(const struct ffaemu_spmc *spmc, ffaemu_id_t id, char *buf,
				      size_t len);
/* Number of requests partition id has handled (entries into its handler). */
FFAEMU_API uint64_t ffaemu_spmc_sp_entries(const struct ffaemu_spmc *spmc, ffaemu_id_t id);

/*
 * Memory transactions in progress: a MEM_SHARE, LEND or DONATE whose
 * descriptor is still arriving in FRAG_TX fragments (spec E2), and a
 * retrieve response still being handed out in FRAG_RX fragments (spec E3).
 * Completed transactions are not listed: ffaemu_spmc_mem_digest() covers
 * them, the page map (mem.h) shows their pages.
 */
enum ffaemu_spmc_txn_kind {
	FFAEMU_SPMC_TXN_SHARE = 1,   /* a MEM_SHARE being sent (= FFAEMU_MEM_TX_SHARE) */
	FFAEMU_SPMC_TXN_LEND = 2,    /* a MEM_LEND being sent */
	FFAEMU_SPMC_TXN_DONATE = 3,  /* a MEM_DONATE being sent */
	FFAEMU_SPMC_TXN_RETRIEVE = 4 /* a retrieve response being handed out */
};

struct ffaemu_spmc_txn {
	enum ffaemu_spmc_txn_kind kind;
	uint32_t type;           /* enum ffaemu_mem_tx_type (memdesc.h) of the transaction,
				    for a retrieve too */
	ffaemu_handle_t handle;  /* given at the first fragment (spec E2), so always valid */
	ffaemu_id_t sender;      /* the transaction's sender (descriptor field) */
	ffaemu_id_t receiver;    /* retrieve: the retriever; send: 0 */
	bool hyp;                /* retrieve: a hypervisor retrieve request (receiver count
				    0, spec E1); receiver is then 0 */
	uint32_t total_len;      /* bytes: send: the descriptor (w1 of the first call);
				    retrieve: the whole response */
	uint32_t done_len;       /* bytes: send: received so far; retrieve: handed out so far */
	uint32_t fragments;      /* send: calls so far (the first + FRAG_TX); retrieve:
				    pieces so far (RETRIEVE_RESP + FRAG_RX) */
	uint32_t version;        /* FF-A version of the descriptor's layout (the sender's or
				    the retriever's) */
	uint64_t digest;         /* fingerprint of the bytes received (send) or of the whole
				    response (retrieve); equal = byte-identical */
};

/* Number of memory transactions in progress (struct ffaemu_spmc_txn); 0 for NULL. */
FFAEMU_API size_t ffaemu_spmc_txn_count(const struct ffaemu_spmc *spmc);
/*
 * The i-th transaction in progress, in a fixed order: sends by handle, then
 * retrieves by handle, then by retriever ID (the newest first where the
 * hypervisor and a borrower with ID 0 both retrieve one handle). 0,
 * FFAEMU_ENOENT past the end (out cleared), FFAEMU_EINVAL for NULL
 * arguments. Allocates nothing; O(transactions).
 */
FFAEMU_API int ffaemu_spmc_txn_at(const struct ffaemu_spmc *spmc, size_t i,
				  struct ffaemu_spmc_txn *out);

/* What ffaemu_spmc_mem_digest() covers. */
#define FFAEMU_SPMC_MEM_DONE (1u << 0)        /* completed transactions (every field, every
						 borrower's retrieve state) and the handle
						 counter */
#define FFAEMU_SPMC_MEM_IN_PROGRESS (1u << 1) /* every struct ffaemu_spmc_txn, in order */
#define FFAEMU_SPMC_MEM_ALL (FFAEMU_SPMC_MEM_DONE | FFAEMU_SPMC_MEM_IN_PROGRESS)

/*
 * A 64-bit fingerprint of the memory-transaction state that `what`
 * (FFAEMU_SPMC_MEM_*) selects: equal before and after a call means the call
 * changed none of it (bar a hash collision). Cheap: O(transactions +
 * borrowers), no allocation (descriptor bytes are hashed as they arrive).
 * Not covered: the page map (ffaemu_mem_page_info) and the FFA_FEATURES
 * NS-bit opt-in. 0 for NULL or what = 0.
 */
FFAEMU_API uint64_t ffaemu_spmc_mem_digest(const struct ffaemu_spmc *spmc, unsigned what);

/* ------------------------------------------------------------------------ */
/* Fault injection                                                          */
/* ------------------------------------------------------------------------ */

enum ffaemu_spmc_fault_kind {
	/* answer FFA_ERROR(error) instead of handling the call (no state change) */
	FFAEMU_SPMC_FAULT_ERROR = 0,
	/* FFA_VERSION answers `value` (a different version, or -1) */
	FFAEMU_SPMC_FAULT_VERSION = 1,
	/* memory (applied by mem_share.c): FRAG_RX/FRAG_TX offset w3 off by `value` */
	FFAEMU_SPMC_FAULT_FRAG_OFFSET = 2,
	/* memory: retrieve response with an out-of-bounds composite/constituent offset */
	FFAEMU_SPMC_FAULT_RETRIEVE_OFFSET = 3,
	/* memory: retrieve response with an address-range count too large for its length */
	FFAEMU_SPMC_FAULT_RETRIEVE_COUNT = 4,
	/* memory: a zero-length fragment (FRAG_TX w3 = 0 / RETRIEVE_RESP w2 = 0) */
	FFAEMU_SPMC_FAULT_ZERO_FRAGMENT = 5
};
#define FFAEMU_SPMC_FAULT_KIND_MAX FFAEMU_SPMC_FAULT_ZERO_FRAGMENT

struct ffaemu_spmc_fault {
	size_t size;                  /* sizeof(struct ffaemu_spmc_fault) */
	enum ffaemu_spmc_fault_kind kind;
	uint32_t fid;                 /* ABI it applies to (either width); 0 = any FF-A call */
	uint32_t nth;                 /* first matching call it hits, 1-based; 0 = the next */
	uint32_t count;               /* consecutive matching calls it hits; 0 = 1.
					 ERROR with RETRY/BUSY and count k = "delay" */
	int32_t error;                /* FFAEMU_SPMC_FAULT_ERROR: the FF-A error code */
	uint64_t value;               /* kind-specific (version word, offset delta) */
	ffaemu_id_t caller;           /* only calls from this endpoint ... */
	bool any_caller;              /* ... unless true (default) */
};

FFAEMU_API void ffaemu_spmc_fault_default(struct ffaemu_spmc_fault *f);
/* Arm a fault (at most 16 armed). FFAEMU_EINVAL for a bad kind/error. */
FFAEMU_API int ffaemu_spmc_inject_fault(struct ffaemu_spmc *spmc, const struct ffaemu_spmc_fault *f);
FFAEMU_API void ffaemu_spmc_clear_faults(struct ffaemu_spmc *spmc);
/* Number of armed faults that have not hit all their calls yet. */
FFAEMU_API size_t ffaemu_spmc_faults_pending(const struct ffaemu_spmc *spmc);

FFAEMU_END_DECLS

#endif /* FFAEMU_SPMC_H */
