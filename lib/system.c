/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whole-stack wiring (system.h).
 *
 *   host --host edge--> [user nodes at HOST] --> proxy --> el3 entry
 *   el3 entry --> [user nodes at EL3] --> EL3 --> [user nodes at SPMC] --> SPMC
 *
 * The "el3 entry" is a system-owned forwarding node: the proxy is created
 * once with it as downstream, so nodes can later be inserted in front of
 * EL3 without recreating the proxy.
 */
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/proxy.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#include "alloc.h"

#define SYSTEM_MAX_INSERTS 16

struct ffaemu_system {
	struct ffaemu_alloc a;
	const struct ffaemu_allocator *user_alloc;
	struct ffaemu_system_config cfg;
	char proxy_name[64];
	struct ffaemu_mem *mem;
	struct ffaemu_spmc *spmc;
	struct ffaemu_el3 *el3;
	struct ffaemu_proxy *proxy;
	struct ffaemu_node *user_proxy;
	struct ffaemu_node *el3_entry;   /* proxy downstream: forwards to el3_head */
	struct ffaemu_node *el3_head;    /* first node at the EL3 point */
	struct ffaemu_node *spmc_head;   /* first user node at the SPMC point, or NULL */
	struct ffaemu_node *host_head;   /* first user node at the HOST point, or NULL */
	struct ffaemu_edge *host_tail;   /* the edge the last HOST insert forwards through */
	struct ffaemu_node *host_tail_node; /* the node that calls through host_tail */
	struct ffaemu_edge *host_edge;
	struct ffaemu_edge *down_edge;   /* for a user proxy node: callee = el3_entry */
	struct ffaemu_call_ctx host_ctx;
	struct ffaemu_edge *inserted[SYSTEM_MAX_INSERTS];
	size_t ninserted;
};

void ffaemu_system_config_default(struct ffaemu_system_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->proxy = "none";
	cfg->page_size = 4096;
	cfg->smccc_version = FFAEMU_SMCCC_1_2;
	cfg->ram_base = FFAEMU_SYSTEM_RAM_BASE;
	cfg->ram_size = FFAEMU_SYSTEM_RAM_SIZE;
}

/* The node the host edge (or the last HOST insertion) should reach. */
static struct ffaemu_node *proxy_or_el3(struct ffaemu_system *s)
{
	if (s->user_proxy)
		return s->user_proxy;
	if (s->proxy)
		return ffaemu_proxy_node(s->proxy);
	return s->el3_entry;
}

/*
 * Participant name of what the host edge (or the last HOST insertion)
 * reaches, for edge names "a->b" that traces draw as lanes a and b.
 */
static const char *proxy_or_el3_name(const struct ffaemu_system *s)
{
	return s->user_proxy || s->proxy ? "proxy" : "el3";
}

/*
 * Edge names follow the wiring so that a ladder diagram reads
 * "host -> proxy -> el3". A failed rename (no memory) keeps the old name:
 * only the diagram suffers, never a call.
 */
static void name_edge(struct ffaemu_edge *e, const char *from, const char *to)
{
	char name[96];

	snprintf(name, sizeof(name), "%s->%s", from ? from : "node", to ? to : "node");
	(void)ffaemu_edge_set_name(e, name);
}

static void rewire_host(struct ffaemu_system *s)
{
	if (s->host_head) {
		ffaemu_edge_set_callee(s->host_tail, proxy_or_el3(s));
		ffaemu_edge_set_callee(s->host_edge, s->host_head);
		name_edge(s->host_tail, ffaemu_node_name(s->host_tail_node), proxy_or_el3_name(s));
		name_edge(s->host_edge, "host", ffaemu_node_name(s->host_head));
	} else {
		ffaemu_edge_set_callee(s->host_edge, proxy_or_el3(s));
		name_edge(s->host_edge, "host", proxy_or_el3_name(s));
	}
}

/*
 * The proxy's and the host's way into the EL3 point: one hop more per call
 * than calling el3_head directly, but an insertion at EL3 then changes no
 * edge, so observers and tracer wrappers on those edges stay as they are.
 */
static void el3_entry_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct ffaemu_system *s = self;

	ffaemu_node_call(s->el3_head, regs, ctx);
}

static const struct ffaemu_node_ops el3_entry_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "el3-entry",
	.call = el3_entry_call,
	.destroy = NULL,
};

static bool valid_page_size(uint32_t p)
{
	/* Arm64 translation granules 4K/16K/64K (pkvm-proxy 1.1: PAGE_SIZE). */
	return p == 4096 || p == 16384 || p == 65536;
}

static int new_edge(struct ffaemu_system *s, const char *name, struct ffaemu_node *callee,
		    struct ffaemu_edge **out)
{
	struct ffaemu_edge_config ec;

	ffaemu_edge_config_default(&ec);
	ec.name = name;
	ec.smccc_version = s->cfg.smccc_version;
	ec.alloc = s->user_alloc;
	/*
	 * pKVM writes its own error codes sign-extended (pkvm-proxy 1.17);
	 * hardware passes them to the host, so the edge must not hide that.
	 * Callers compare the low 32 bits (spec A8, G10).
	 */
	ec.zero_extend_smc32 = false;
	/*
	 * Hardware hands the callee all 64 bits of x0-x7 even for SMC32; the
	 * callee must ignore the upper halves (spec A8). Masking in the edge
	 * would hide callees that do not (and pKVM's x0[63:32] check, 1.2).
	 */
	ec.mask_smc32_args = false;
	return ffaemu_edge_new(&ec, callee, out);
}

/* A built-in profile by name, at the system's kernel page size. */
static int named_profile(struct ffaemu_system *s, const char *name,
			 struct ffaemu_proxy_profile *prof)
{
	int rc = ffaemu_proxy_profile_get(name, prof);

	if (!rc)
		prof->page_size = s->cfg.page_size;
	return rc;
}

static int make_proxy(struct ffaemu_system *s, const struct ffaemu_proxy_profile *prof,
		      struct ffaemu_proxy **out)
{
	struct ffaemu_proxy_config pc;
	int rc;

	ffaemu_proxy_config_default(&pc);
	pc.downstream = s->el3_entry;
	pc.mem = s->mem;
	pc.profile = prof;
	pc.alloc = s->user_alloc;
	rc = ffaemu_proxy_new(&pc, out);
	if (rc)
		return rc;
	/* pKVM finalisation (pkvm-proxy 1.4). A failed init is a state of
	 * the proxy (it forwards everything), not an error of the system. */
	rc = ffaemu_proxy_init(*out);
	if (rc && rc != FFAEMU_ENOTSUP) {
		ffaemu_proxy_free(out);
		return rc;
	}
	return 0;
}

/*
 * "conform": the Arm ACS FVP partitions (four echo SPs 0x8001-0x8004) plus
 * the memory-checker SP 0x8005 and the notifier SP 0x8006, so that one
 * stack serves every shipped suite. Other names are SPMC presets.
 */
static int add_partitions(struct ffaemu_system *s, const char *name)
{
	static const struct {
		enum ffaemu_sp_builtin kind;
		ffaemu_id_t id;
	} extra[] = {
		{FFAEMU_SP_MEMORY, 0x8005},
		{FFAEMU_SP_NOTIFIER, 0x8006},
	};
	int rc;

	if (strcmp(name, "conform") != 0)
		return ffaemu_spmc_add_preset(s->spmc, name);
	rc = ffaemu_spmc_add_preset(s->spmc, "acs-fvp");
	for (size_t i = 0; !rc && i < sizeof(extra) / sizeof(extra[0]); i++) {
		struct ffaemu_sp_config c;

		rc = ffaemu_sp_config_builtin(&c, extra[i].kind, extra[i].id);
		if (!rc)
			rc = ffaemu_spmc_add_sp(s->spmc, &c);
	}
	return rc;
}

int ffaemu_system_new(const struct ffaemu_system_config *cfg, struct ffaemu_system **out)
{
	struct ffaemu_system_config def;
	struct ffaemu_system *s;
	struct ffaemu_spmc_profile sprof;
	struct ffaemu_spmc_config sc;
	struct ffaemu_el3_config ec;
	struct ffaemu_alloc a;
	int rc;

	if (!out)
		return FFAEMU_EINVAL;
	*out = NULL;
	if (!cfg) {
		ffaemu_system_config_default(&def);
		cfg = &def;
	}
	if (cfg->size < sizeof(*cfg) || !valid_page_size(cfg->page_size))
		return FFAEMU_EINVAL;
	if (cfg->smccc_version < FFAEMU_SMCCC_1_0 || !ffaemu_ffa_version_valid(cfg->smccc_version))
		return FFAEMU_EINVAL;
	ffaemu_alloc_init(&a, cfg->alloc);
	s = ffaemu_alloc_zalloc(&a, sizeof(*s));
	if (!s)
		return FFAEMU_ENOMEM;
	s->a = a;
	s->user_alloc = cfg->alloc;
	s->cfg = *cfg;
	s->cfg.proxy = NULL;
	s->cfg.spmc = NULL;
	s->cfg.partitions = NULL;
	snprintf(s->proxy_name, sizeof(s->proxy_name), "none");

	rc = ffaemu_mem_new(cfg->alloc, &s->mem);
	if (rc)
		goto fail;
	if (cfg->ram_size) {
		rc = ffaemu_mem_add_ram(s->mem, cfg->ram_base, cfg->ram_size, FFAEMU_MEM_NS,
					ffaemu_owner_make(FFAEMU_OWNER_HOST, 0));
		if (rc)
			goto fail;
	}
	if (cfg->identity) {
		rc = ffaemu_mem_add_identity(s->mem, cfg->identity, cfg->identity_size,
					     FFAEMU_MEM_NS, ffaemu_owner_make(FFAEMU_OWNER_HOST, 0));
		if (rc)
			goto fail;
	}

	if (cfg->spmc_profile) {
		sprof = *cfg->spmc_profile;
	} else if (cfg->spmc && *cfg->spmc && strcmp(cfg->spmc, "default") != 0) {
		rc = ffaemu_spmc_profile_by_name(cfg->spmc, &sprof);
		if (rc)
			goto fail;
	} else {
		ffaemu_spmc_profile_default(&sprof);
	}
	ffaemu_spmc_config_default(&sc);
	sc.profile = &sprof;
	sc.mem = s->mem;
	/* Room for a few partitions' mailboxes; every run pays for zeroing it. */
	sc.secure_size = 2u << 20;
	sc.alloc = cfg->alloc;
	rc = ffaemu_spmc_new(&sc, &s->spmc);
	if (rc)
		goto fail;
	if (cfg->partitions && *cfg->partitions && strcmp(cfg->partitions, "none") != 0) {
		rc = add_partitions(s, cfg->partitions);
		if (rc)
			goto fail;
	}

	ffaemu_el3_config_default(&ec);
	ec.smccc_version = cfg->smccc_version;
	ec.spmc = ffaemu_spmc_node(s->spmc);
	ec.alloc = cfg->alloc;
	rc = ffaemu_el3_new(&ec, &s->el3);
	if (rc)
		goto fail;
	s->el3_head = ffaemu_el3_node(s->el3);
	rc = ffaemu_node_new(&el3_entry_ops, s, cfg->alloc, &s->el3_entry);
	if (rc)
		goto fail;

	rc = new_edge(s, "host->el3", NULL, &s->host_edge);
	if (rc)
		goto fail;
	/* A user proxy node (plug-in) calls EL3 through this edge. */
	rc = new_edge(s, "proxy->el3", s->el3_entry, &s->down_edge);
	if (rc)
		goto fail;
	/* The host kernel at the NS physical instance, FF-A ID 0 (spec B2). */
	s->host_ctx.caller = 0;
	s->host_ctx.instance = FFAEMU_INSTANCE_NP;
	s->host_ctx.el = 1;
	s->host_ctx.conduit = FFAEMU_CONDUIT_SMC;
	/* What the host edge sets anyway: its calls then need no context copy. */
	s->host_ctx.smccc_version = s->cfg.smccc_version;

	if (cfg->proxy_profile || (cfg->proxy && *cfg->proxy && strcmp(cfg->proxy, "none") != 0)) {
		struct ffaemu_proxy_profile prof;

		if (cfg->proxy_profile) {
			prof = *cfg->proxy_profile;
		} else {
			rc = named_profile(s, cfg->proxy, &prof);
			if (rc)
				goto fail;
		}
		rc = make_proxy(s, &prof, &s->proxy);
		if (rc)
			goto fail;
		snprintf(s->proxy_name, sizeof(s->proxy_name), "%s", prof.name);
	}
	rewire_host(s);
	*out = s;
	return 0;
fail:
	ffaemu_system_free(&s);
	return rc;
}

void ffaemu_system_free(struct ffaemu_system **sys)
{
	struct ffaemu_system *s;

	if (!sys || !*sys)
		return;
	s = *sys;
	for (size_t i = 0; i < s->ninserted; i++)
		ffaemu_edge_free(&s->inserted[i]);
	ffaemu_edge_free(&s->host_edge);
	ffaemu_edge_free(&s->down_edge);
	ffaemu_proxy_free(&s->proxy);
	ffaemu_node_free(&s->el3_entry);
	ffaemu_el3_free(&s->el3);
	ffaemu_spmc_free(&s->spmc);
	ffaemu_mem_free(&s->mem);
	ffaemu_alloc_free(&s->a, s);
	*sys = NULL;
}

void ffaemu_system_call(struct ffaemu_system *sys, struct ffaemu_regs *regs)
{
	if (!sys || !regs)
		return;
	ffaemu_edge_call(sys->host_edge, regs, &sys->host_ctx);
}

struct ffaemu_edge *ffaemu_system_host_edge(struct ffaemu_system *sys)
{
	return sys ? sys->host_edge : NULL;
}

const struct ffaemu_call_ctx *ffaemu_system_host_ctx(const struct ffaemu_system *sys)
{
	return sys ? &sys->host_ctx : NULL;
}

struct ffaemu_edge *ffaemu_system_proxy_edge(struct ffaemu_system *sys)
{
	if (!sys)
		return NULL;
	if (sys->proxy && !sys->user_proxy)
		return ffaemu_proxy_down_edge(sys->proxy, FFAEMU_SMCCC_1_2);
	return sys->down_edge;
}

struct ffaemu_mem *ffaemu_system_mem(struct ffaemu_system *sys)
{
	return sys ? sys->mem : NULL;
}

struct ffaemu_el3 *ffaemu_system_el3(struct ffaemu_system *sys)
{
	return sys ? sys->el3 : NULL;
}

struct ffaemu_spmc *ffaemu_system_spmc(struct ffaemu_system *sys)
{
	return sys ? sys->spmc : NULL;
}

struct ffaemu_proxy *ffaemu_system_proxy(struct ffaemu_system *sys)
{
	return sys && !sys->user_proxy ? sys->proxy : NULL;
}

const char *ffaemu_system_proxy_name(const struct ffaemu_system *sys)
{
	if (!sys)
		return NULL;
	if (sys->user_proxy)
		return ffaemu_node_name(sys->user_proxy);
	return sys->proxy_name;
}

uint32_t ffaemu_system_page_size(const struct ffaemu_system *sys)
{
	return sys ? sys->cfg.page_size : 0;
}

static int install(struct ffaemu_system *sys, const struct ffaemu_proxy_profile *prof)
{
	struct ffaemu_proxy *np = NULL;
	int rc;

	/* The old proxy keeps its hypervisor RAM until it is freed, so it goes
	 * first, giving its RX/TX back to the SPMC; if the new one cannot be
	 * made the host faces EL3. */
	if (sys->proxy)
		(void)ffaemu_proxy_shutdown(sys->proxy);
	ffaemu_proxy_free(&sys->proxy);
	if (prof) {
		rc = make_proxy(sys, prof, &np);
		if (rc) {
			snprintf(sys->proxy_name, sizeof(sys->proxy_name), "none");
			rewire_host(sys);
			return rc;
		}
	}
	sys->proxy = np;
	snprintf(sys->proxy_name, sizeof(sys->proxy_name), "%s", prof ? prof->name : "none");
	rewire_host(sys);
	return 0;
}

int ffaemu_system_install_proxy(struct ffaemu_system *sys, const char *profile)
{
	struct ffaemu_proxy_profile prof;
	int rc;

	if (!sys || !profile)
		return FFAEMU_EINVAL;
	if (strcmp(profile, "none") == 0)
		return install(sys, NULL);
	rc = named_profile(sys, profile, &prof);
	if (rc)
		return rc;
	return install(sys, &prof);
}

int ffaemu_system_install_proxy_profile(struct ffaemu_system *sys,
					const struct ffaemu_proxy_profile *profile)
{
	if (!sys || !profile)
		return FFAEMU_EINVAL;
	if (ffaemu_proxy_profile_validate(profile))
		return FFAEMU_EINVAL;
	return install(sys, profile);
}

int ffaemu_system_set_proxy_node(struct ffaemu_system *sys, struct ffaemu_node *node)
{
	if (!sys)
		return FFAEMU_EINVAL;
	sys->user_proxy = node;
	rewire_host(sys);
	return 0;
}

int ffaemu_system_insert_node(struct ffaemu_system *sys, enum ffaemu_system_point at,
			      struct ffaemu_node *node, struct ffaemu_edge **next)
{
	struct ffaemu_edge *e;
	char name[96];
	const char *to;
	struct ffaemu_node *prev;
	int rc;

	if (!sys || !node || !next)
		return FFAEMU_EINVAL;
	if (sys->ninserted == SYSTEM_MAX_INSERTS)
		return FFAEMU_ERANGE;
	/* "node->next": the inserted node calls what was there before it. */
	switch (at) {
	case FFAEMU_SYSTEM_AT_HOST:
		prev = sys->host_head ? sys->host_head : proxy_or_el3(sys);
		to = sys->host_head ? ffaemu_node_name(sys->host_head) : proxy_or_el3_name(sys);
		break;
	case FFAEMU_SYSTEM_AT_EL3:
		prev = sys->el3_head;
		to = sys->el3_head == ffaemu_el3_node(sys->el3) ? "el3" : ffaemu_node_name(prev);
		break;
	case FFAEMU_SYSTEM_AT_SPMC:
		prev = NULL;
		to = sys->spmc_head ? ffaemu_node_name(sys->spmc_head) : "spmc";
		break;
	default:
		return FFAEMU_EINVAL;
	}
	snprintf(name, sizeof(name), "%s->%s", ffaemu_node_name(node), to ? to : "node");
	rc = new_edge(sys, name, prev, &e);
	if (rc)
		return rc;
	switch (at) {
	case FFAEMU_SYSTEM_AT_HOST:
		if (!sys->host_head) {
			sys->host_tail = e;
			sys->host_tail_node = node;
		}
		sys->host_head = node;
		rewire_host(sys);
		break;
	case FFAEMU_SYSTEM_AT_EL3:
		sys->el3_head = node;
		break;
	default:
		/* The SPMC point: EL3 calls the node, the node reaches what EL3
		 * called before (the SPMC or an earlier insertion). */
		ffaemu_edge_set_callee(e, sys->spmc_head ? sys->spmc_head :
							     ffaemu_spmc_node(sys->spmc));
		sys->spmc_head = node;
		ffaemu_el3_set_spmc(sys->el3, node);
		break;
	}
	sys->inserted[sys->ninserted++] = e;
	*next = e;
	return 0;
}

void ffaemu_system_fault_default(struct ffaemu_system_fault *f)
{
	if (!f)
		return;
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
}

static const struct {
	const char *name;
	enum ffaemu_spmc_fault_kind kind;
} fault_names[] = {
	{"error", FFAEMU_SPMC_FAULT_ERROR},
	{"version", FFAEMU_SPMC_FAULT_VERSION},
	{"frag-offset", FFAEMU_SPMC_FAULT_FRAG_OFFSET},
	{"retrieve-offset", FFAEMU_SPMC_FAULT_RETRIEVE_OFFSET},
	{"retrieve-count", FFAEMU_SPMC_FAULT_RETRIEVE_COUNT},
	{"zero-fragment", FFAEMU_SPMC_FAULT_ZERO_FRAGMENT},
};

const char *ffaemu_system_fault_name_at(size_t i)
{
	return i < sizeof(fault_names) / sizeof(fault_names[0]) ? fault_names[i].name : NULL;
}

int ffaemu_system_fault(struct ffaemu_system *sys, const struct ffaemu_system_fault *f)
{
	struct ffaemu_spmc_fault sf;

	if (!sys || !f || f->size < sizeof(*f) || !f->name)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++) {
		if (strcmp(f->name, fault_names[i].name) != 0)
			continue;
		ffaemu_spmc_fault_default(&sf);
		sf.kind = fault_names[i].kind;
		sf.fid = f->fid;
		sf.nth = f->nth;
		sf.count = f->count;
		sf.error = (int32_t)f->value;
		sf.value = (uint64_t)f->value;
		return ffaemu_spmc_inject_fault(sys->spmc, &sf);
	}
	return FFAEMU_ENOENT;
}
