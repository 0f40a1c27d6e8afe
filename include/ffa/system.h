/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A whole emulated stack from one config struct:
 *
 *   host endpoint (ID 0) --host edge--> [proxy] --proxy edge--> EL3 --> SPMC --> SPs
 *
 * The system owns the memory (NS RAM for the host), the EL3 dispatcher,
 * the fake SPMC and, optionally, a hypervisor proxy. Without a proxy
 * ("none") the host edge goes straight to EL3, as for a kernel running at
 * the NS physical instance with no hypervisor (spec B2).
 *
 * Edge names are "from->to" with participants host, proxy, el3, spmc (or
 * an inserted node's name), and follow rewiring: the host edge is
 * "host->el3" without a proxy and "host->proxy" with one, a user proxy
 * node calls EL3 through "proxy->el3", so trace diagrams read as ladders.
 *
 * Wiring can change mid-run: a proxy that comes up late (a driver that
 * probes before pKVM finalises, pkvm-proxy 1.6) is installed with
 * ffaemu_system_install_proxy(); a user node (a plug-in proxy, a shim that
 * records or perturbs calls) can be put in front of any layer.
 */
#ifndef FFAEMU_SYSTEM_H
#define FFAEMU_SYSTEM_H

#include <ffa/common.h>
#include <ffa/conduit.h>
#include <ffa/el3.h>
#include <ffa/mem.h>
#include <ffa/node.h>
#include <ffa/regs.h>

FFAEMU_BEGIN_DECLS

/* Default host RAM: 4 MiB of NS RAM at 2 GiB, owned by the host (ID 0); small
 * because a conformance run builds hundreds of stacks. */
#define FFAEMU_SYSTEM_RAM_BASE 0x80000000ull
#define FFAEMU_SYSTEM_RAM_SIZE 0x00400000ull

struct ffaemu_spmc_profile;
struct ffaemu_proxy_profile;

/*
 * Partitions beyond a preset: add them with ffaemu_spmc_add_sp() on
 * ffaemu_system_spmc() once the system exists.
 */
struct ffaemu_system_config {
	size_t size;               /* sizeof(struct ffaemu_system_config) */
	const char *proxy;         /* proxy profile ("pkvm-6.18"...) or "none"; default "none" */
	const char *spmc;          /* SPMC profile name; default NULL = the SPMC's default */
	const char *partitions;    /* partition preset: an SPMC preset ("acs-fvp"), or
				      "conform" = acs-fvp + memory SP 0x8005 + notifier SP
				      0x8006; default NULL = none */
	uint32_t page_size;        /* host kernel page size 4096/16384/65536; default 4096 */
	uint32_t smccc_version;    /* SMCCC of every edge and of EL3; default 1.2 */
	ffaemu_pa_t ram_base;      /* host NS RAM base; default FFAEMU_SYSTEM_RAM_BASE */
	uint64_t ram_size;         /* default FFAEMU_SYSTEM_RAM_SIZE; 0 = no RAM region */
	void *identity;            /* optional host memory added as an identity NS region
				      owned by the host (4 KiB aligned); default NULL */
	uint64_t identity_size;
	const struct ffaemu_allocator *alloc; /* default NULL (libc) */
	/* A profile struct instead of a name (copied; wins over the name). Default NULL. */
	const struct ffaemu_spmc_profile *spmc_profile;
	const struct ffaemu_proxy_profile *proxy_profile;
};

FFAEMU_API void ffaemu_system_config_default(struct ffaemu_system_config *cfg);

struct ffaemu_system;
struct ffaemu_spmc;
struct ffaemu_proxy;

/*
 * Build the stack. FFAEMU_ENOENT if a profile or preset name is unknown,
 * FFAEMU_EINVAL for a bad page size or config, FFAEMU_ENOMEM.
 */
FFAEMU_API int ffaemu_system_new(const struct ffaemu_system_config *cfg,
				 struct ffaemu_system **out);
/* Accepts NULL; clears *sys. */
FFAEMU_API void ffaemu_system_free(struct ffaemu_system **sys);

/* One call from the host endpoint through the host edge (SMC conduit). */
FFAEMU_API void ffaemu_system_call(struct ffaemu_system *sys, struct ffaemu_regs *regs);

/* Accessors. Objects stay owned by the system. */
FFAEMU_API struct ffaemu_edge *ffaemu_system_host_edge(struct ffaemu_system *sys);
FFAEMU_API const struct ffaemu_call_ctx *ffaemu_system_host_ctx(const struct ffaemu_system *sys);
/* The hypervisor's edge towards EL3 (exists even without a proxy; unused then). */
FFAEMU_API struct ffaemu_edge *ffaemu_system_proxy_edge(struct ffaemu_system *sys);
FFAEMU_API struct ffaemu_mem *ffaemu_system_mem(struct ffaemu_system *sys);
FFAEMU_API struct ffaemu_el3 *ffaemu_system_el3(struct ffaemu_system *sys);
FFAEMU_API struct ffaemu_spmc *ffaemu_system_spmc(struct ffaemu_system *sys);
/* NULL when no built-in proxy is installed. */
FFAEMU_API struct ffaemu_proxy *ffaemu_system_proxy(struct ffaemu_system *sys);
/* Name of the installed proxy profile, "none", or the user node's name. */
FFAEMU_API const char *ffaemu_system_proxy_name(const struct ffaemu_system *sys);
FFAEMU_API uint32_t ffaemu_system_page_size(const struct ffaemu_system *sys);

/*
 * Install a built-in proxy profile between the host and EL3, replacing any
 * proxy already there ("none" removes it). The proxy's boot-time
 * negotiation with the SPMC runs now, as when pKVM finalises after the
 * host driver has already talked to EL3 (pkvm-proxy 1.4, 1.6).
 * An unknown profile (FFAEMU_ENOENT) leaves the wiring unchanged; if the
 * new proxy cannot be built (FFAEMU_ENOMEM), the host is left facing EL3.
 */
FFAEMU_API int ffaemu_system_install_proxy(struct ffaemu_system *sys, const char *profile);
/* The same with a profile struct (copied; its page_size is used as given). */
FFAEMU_API int ffaemu_system_install_proxy_profile(struct ffaemu_system *sys,
						   const struct ffaemu_proxy_profile *profile);

/*
 * Use a user node (e.g. a plug-in) as the proxy. The node reaches EL3
 * through ffaemu_system_proxy_edge(). The system does not take ownership
 * of node; NULL removes it (host talks to EL3 directly).
 */
FFAEMU_API int ffaemu_system_set_proxy_node(struct ffaemu_system *sys, struct ffaemu_node *node);

/* Where a user node can be inserted. */
enum ffaemu_system_point {
	FFAEMU_SYSTEM_AT_HOST = 0,  /* on the host edge, in front of the proxy (or EL3) */
	FFAEMU_SYSTEM_AT_EL3 = 1,   /* on the proxy's edge, in front of EL3 */
	FFAEMU_SYSTEM_AT_SPMC = 2   /* between EL3 and the SPMC */
};

/*
 * Insert node in front of a point. *next receives an edge (owned by the
 * system, SMCCC of the system) whose callee is what was there before: the
 * node forwards by calling it. Insertions stack: the last one inserted is
 * called first. The node is not owned by the system.
 */
FFAEMU_API int ffaemu_system_insert_node(struct ffaemu_system *sys, enum ffaemu_system_point at,
					 struct ffaemu_node *node, struct ffaemu_edge **next);

/*
 * Fault injection, by name, handed to the component that implements it:
 *   "error"           the next matching call answers FFA_ERROR(value)
 *   "version"         FFA_VERSION answers value (another version, or -1)
 *   "frag-offset"     FRAG_RX/FRAG_TX offset w3 off by value
 *   "retrieve-offset" retrieve response with an out-of-bounds offset
 *   "retrieve-count"  retrieve response with too large a range count
 *   "zero-fragment"   a zero-length fragment
 * All are SPMC faults (spmc.h: struct ffaemu_spmc_fault).
 */
struct ffaemu_system_fault {
	size_t size;          /* sizeof(struct ffaemu_system_fault) */
	const char *name;     /* one of the names above */
	uint32_t fid;         /* ABI it hits (either width); 0 = any FF-A call */
	int64_t value;        /* error code, version word or offset delta */
	uint32_t nth;         /* first matching call it hits, 1-based; 0 = the next */
	uint32_t count;       /* consecutive calls it hits; 0 = 1 */
};

FFAEMU_API void ffaemu_system_fault_default(struct ffaemu_system_fault *f);
/* 0, FFAEMU_ENOENT for an unknown name, FFAEMU_EINVAL for bad values. */
FFAEMU_API int ffaemu_system_fault(struct ffaemu_system *sys, const struct ffaemu_system_fault *f);
/* Name i of the fault catalogue, or NULL past the end. */
FFAEMU_API const char *ffaemu_system_fault_name_at(size_t i);

FFAEMU_END_DECLS

#endif /* FFAEMU_SYSTEM_H */
