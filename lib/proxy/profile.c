/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in pKVM proxy profiles: one per kernel state of pkvm-proxy section 2.
 * Each profile is plain data; older ones keep the old bugs on purpose.
 */
#include <string.h>

#include <ffa/abi.h>
#include <ffa/proxy.h>

#include "proxy_priv.h"

/* Denied by every version (pkvm-proxy 1.8, first rows; ML-0 .. ILK). */
static const uint32_t deny_base[] = {
	FFAEMU_FFA_MEM_RETRIEVE_REQ, FFAEMU_FFA_MEM_RETRIEVE_REQ_64, FFAEMU_FFA_MEM_RETRIEVE_RESP,
	FFAEMU_FFA_MEM_RELINQUISH, FFAEMU_FFA_MEM_OP_PAUSE, FFAEMU_FFA_MEM_OP_RESUME,
	FFAEMU_FFA_MEM_FRAG_RX, FFAEMU_FFA_MEM_DONATE, FFAEMU_FFA_MEM_DONATE_64,
	FFAEMU_FFA_MSG_SEND, FFAEMU_FFA_MSG_POLL, FFAEMU_FFA_MSG_WAIT, FFAEMU_FFA_RXTX_MAP,
	FFAEMU_FFA_MSG_SEND_DIRECT_RESP,
};

/*
 * v6.4 only: 32-bit DIRECT_REQ (until ae69e7740770). FFA_FEATURES was denied
 * by the first commit only: 20936cd11479 (handled) is part of v6.4 too
 * (pkvm-proxy 1.8 "first commit only", s2).
 */
static const uint32_t deny_6_4[] = {
	FFAEMU_FFA_MSG_SEND_DIRECT_REQ,
};

/*
 * 79195f342417 + 8d24683e3e0f (6.18): notifications (32-bit INFO_GET only) and the
 * optional 1.2 ABIs (pkvm-proxy 1.8). The series names FFA_CONSOLE_LOG, which
 * Linux's arm_ffa.h defines as the SMC32 ID only: CONSOLE_LOG_64 is forwarded,
 * a hole like FN64 NOTIFICATION_INFO_GET (spec C9: the SPMC refuses it anyway).
 */
static const uint32_t deny_6_18[] = {
	FFAEMU_FFA_NOTIFICATION_BITMAP_CREATE, FFAEMU_FFA_NOTIFICATION_BITMAP_DESTROY,
	FFAEMU_FFA_NOTIFICATION_BIND, FFAEMU_FFA_NOTIFICATION_UNBIND, FFAEMU_FFA_NOTIFICATION_SET,
	FFAEMU_FFA_NOTIFICATION_GET, FFAEMU_FFA_NOTIFICATION_INFO_GET,
	FFAEMU_FFA_MSG_SEND_DIRECT_REQ2, FFAEMU_FFA_MSG_SEND_DIRECT_RESP2,
	FFAEMU_FFA_CONSOLE_LOG, FFAEMU_FFA_PARTITION_INFO_GET_REGS,
};

/* ILK 2026: the host never receives direct requests (pkvm-proxy 1.8). */
static const uint32_t deny_2026[] = {
	FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64,
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum era { ERA_6_4, ERA_6_10, ERA_6_11, ERA_6_18, ERA_2026, ERA_2026_DM, ERA_COUNT };

static const struct {
	const char *name;
	const char *models;
} era_names[ERA_COUNT] = {
	{"pkvm-6.4", "Linux v6.4 pKVM ffa.c (048be5fea43d .. 0a9f15fd5674)"},
	{"pkvm-6.10", "Linux v6.10 (ae69e7740770 REQ allowed, d66e50beb911 RX release)"},
	{"pkvm-6.11", "Linux v6.11-v6.17 (c9c012625e12 VERSION trap + gate, FF-A 1.1)"},
	{"pkvm-6.18", "Linux v6.18 'Bump the supported version of FF-A to 1.2' series"},
	{"pkvm-2026", "mid-2026 kvmarm (ILK 111ef63a): every fix of pkvm-proxy s2"},
	{"pkvm-2026-direct-msg", "pkvm-2026 + pending direct-messaging series v6 (1.19)"},
};

static void add_list(struct ffaemu_proxy_profile *p, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)ffaemu_proxy_profile_deny(p, ids[i]);
}

static void build(enum era e, struct ffaemu_proxy_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	strncpy(p->name, era_names[e].name, sizeof(p->name) - 1);
	strncpy(p->models, era_names[e].models, sizeof(p->models) - 1);
	p->page_size = 4096;
	/* SG_MAX_SEGMENTS upstream (pkvm-proxy 1.1). */
	p->max_constituents = 128;

	add_list(p, deny_base, NELEM(deny_base));
	if (e == ERA_6_4)
		add_list(p, deny_6_4, NELEM(deny_6_4));
	if (e >= ERA_6_18)
		add_list(p, deny_6_18, NELEM(deny_6_18));
	if (e >= ERA_2026)
		add_list(p, deny_2026, NELEM(deny_2026));
	if (e == ERA_2026_DM) {
		/* Pending v6 2/2: REQ2 handled, allowed iff hyp version >= 1.2 (1.19). */
		(void)ffaemu_proxy_profile_allow(p, FFAEMU_FFA_MSG_SEND_DIRECT_REQ2);
		p->direct_msg_checks = true;
		p->req2_at_1_2 = true;
	}

	/* Init version: 1.0 (6.4-6.10), 1.1 (42fb33dde42b, 6.11), 1.2 (162190f2ccdc, 6.18). */
	if (e <= ERA_6_10)
		p->init_version = FFAEMU_FFA_1_0;
	else if (e == ERA_6_11)
		p->init_version = FFAEMU_FFA_1_1;
	else
		p->init_version = FFAEMU_FFA_1_2;
	p->max_version = p->init_version;
	/* 0dd60c4632a1 (6.11): range 0x60-0x7f -> 0x60-0xff (1.3). */
	p->ffa_func_last = e <= ERA_6_10 ? 0x7f : 0xff;
	/* c9c012625e12 (6.11): VERSION trap, lazy post-init, the gate (1.5, 1.6). */
	p->trap_version = e >= ERA_6_11;
	p->gate_error = e >= ERA_6_11 ? FFAEMU_FFA_INVALID_PARAMETERS : 0;
	p->copy_partition_info = e >= ERA_6_11; /* 894376385a2d (1.12) */
	/* 6f4c348b1d5c (6.18): SMCCC 1.2 down, x0-x17 back (1.17, 1.18). */
	p->ret_regs = e >= ERA_6_18 ? FFAEMU_PROXY_RET_X0_X17 : FFAEMU_PROXY_RET_X0_X3;
	p->downcall = e >= ERA_6_18 ? FFAEMU_PROXY_DOWN_SMCCC_1_2 : FFAEMU_PROXY_DOWN_SMCCC_1_1;
	p->downgrade = e >= ERA_6_18 ? FFAEMU_PROXY_DOWNGRADE_NOT_SUPPORTED
				     : FFAEMU_PROXY_DOWNGRADE_RETURN_VERSION;
	/* v6.4-v6.6: the FF-A 1.0 structs of arm_ffa.h; 76cf932c95b9 (v6.7): 1.1
	 * header struct; a6b49d27c179 (2026): ep_mem_offset (pkvm-proxy 1.13, s2). */
	if (e == ERA_6_4)
		p->emad = FFAEMU_PROXY_EMAD_ARRAY_1_0;
	else
		p->emad = e >= ERA_2026 ? FFAEMU_PROXY_EMAD_FROM_HEADER : FFAEMU_PROXY_EMAD_FIXED;

	p->fixes.init_any_1x = e >= ERA_6_10;
	p->fixes.rx_release = e >= ERA_6_10;        /* v6.10-rc */
	p->fixes.mem_len_check = e >= ERA_6_18;     /* v6.12 */
	p->fixes.features_mask = e >= ERA_6_18;     /* 3f5952917498 */
	/* Oct 2025, backported to 6.17.10: in the 6.18 profile (our reading). */
	p->fixes.composite_overflow = e >= ERA_6_18;
	/* Nov 2025 and later: ML-1 (6.18/6.19) has no (s32) casts. */
	p->fixes.version_s32 = e >= ERA_2026;
	p->fixes.range_validity = e >= ERA_2026;
	p->fixes.imm16 = e >= ERA_2026;
	p->fixes.x0_upper = e >= ERA_2026;
	p->fixes.reclaim_bounds = e >= ERA_2026;
	p->fixes.page_aligned = e >= ERA_2026;
	p->fixes.zero_response = e >= ERA_2026;
}

size_t ffaemu_proxy_profile_count(void)
{
	return ERA_COUNT;
}

const char *ffaemu_proxy_profile_name_at(size_t i)
{
	return i < ERA_COUNT ? era_names[i].name : NULL;
}

int ffaemu_proxy_profile_get(const char *name, struct ffaemu_proxy_profile *out)
{
	if (!name || !out)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < ERA_COUNT; i++) {
		if (strcmp(name, era_names[i].name) == 0) {
			build((enum era)i, out);
			return FFAEMU_OK;
		}
	}
	return FFAEMU_ENOENT;
}

void ffaemu_proxy_profile_default(struct ffaemu_proxy_profile *out)
{
	if (out)
		build(ERA_2026, out);
}

bool ffaemu_proxy_profile_denies(const struct ffaemu_proxy_profile *p, uint32_t fid)
{
	uint32_t n;

	if (!p)
		return false;
	fid = ffaemu_fid_strip_hint(fid);
	n = p->deny_count < FFAEMU_PROXY_DENY_MAX ? p->deny_count : FFAEMU_PROXY_DENY_MAX;
	for (uint32_t i = 0; i < n; i++)
		if (p->deny[i] == fid)
			return true;
	return false;
}

int ffaemu_proxy_profile_deny(struct ffaemu_proxy_profile *p, uint32_t fid)
{
	if (!p || p->deny_count > FFAEMU_PROXY_DENY_MAX)
		return FFAEMU_EINVAL;
	if (ffaemu_proxy_profile_denies(p, fid))
		return FFAEMU_OK;
	if (p->deny_count == FFAEMU_PROXY_DENY_MAX)
		return FFAEMU_ERANGE;
	p->deny[p->deny_count++] = ffaemu_fid_strip_hint(fid);
	return FFAEMU_OK;
}

int ffaemu_proxy_profile_allow(struct ffaemu_proxy_profile *p, uint32_t fid)
{
	if (!p || p->deny_count > FFAEMU_PROXY_DENY_MAX)
		return FFAEMU_EINVAL;
	fid = ffaemu_fid_strip_hint(fid);
	for (uint32_t i = 0; i < p->deny_count; i++) {
		if (p->deny[i] != fid)
			continue;
		memmove(&p->deny[i], &p->deny[i + 1], (p->deny_count - i - 1) * sizeof(p->deny[0]));
		p->deny_count--;
		return FFAEMU_OK;
	}
	return FFAEMU_ENOENT;
}

uint64_t ffaemu_proxy_profile_desc_buf_size(const struct ffaemu_proxy_profile *p)
{
	uint64_t bytes, ps;

	if (!p || !p->page_size)
		return 0;
	ps = p->page_size;
	/* hyp_ffa_proxy_pages(): header + one EMAD + composite + constituents (1.1). */
	bytes = PROXY_HDR_SIZE_1_1 + PROXY_EMAD_SIZE_1_2 + PROXY_COMPOSITE_SIZE +
		(uint64_t)p->max_constituents * PROXY_CONSTITUENT_SIZE;
	return (bytes + ps - 1) / ps * ps;
}

static bool version_ok(uint32_t v)
{
	return v == FFAEMU_FFA_1_0 || v == FFAEMU_FFA_1_1 || v == FFAEMU_FFA_1_2;
}

int ffaemu_proxy_profile_validate(const struct ffaemu_proxy_profile *p)
{
	if (!p || p->size < sizeof(*p))
		return FFAEMU_EINVAL;
	/* Kernel pages: 4K, 16K or 64K granules (pkvm-proxy 1.1). */
	if (p->page_size != 4096 && p->page_size != 16384 && p->page_size != 65536)
		return FFAEMU_EINVAL;
	if (!version_ok(p->init_version) || !version_ok(p->max_version) ||
	    p->max_version < p->init_version)
		return FFAEMU_EINVAL;
	if (p->ffa_func_last < 0x60)
		return FFAEMU_EINVAL;
	if (p->deny_count > FFAEMU_PROXY_DENY_MAX)
		return FFAEMU_EINVAL;
	if ((unsigned)p->ret_regs > FFAEMU_PROXY_RET_X0_X17 ||
	    (unsigned)p->downcall > FFAEMU_PROXY_DOWN_FALLBACK ||
	    (unsigned)p->downgrade > FFAEMU_PROXY_DOWNGRADE_NOT_SUPPORTED ||
	    (unsigned)p->emad > FFAEMU_PROXY_EMAD_ARRAY_1_0)
		return FFAEMU_EINVAL;
	if (p->gate_error > 0 || p->gate_error < FFAEMU_FFA_ERROR_MIN)
		return FFAEMU_EINVAL;
	/* Android's upper bound for the constituent count (pkvm-proxy 1.1). */
	if (p->max_constituents == 0 || p->max_constituents > 4096)
		return FFAEMU_EINVAL;
	for (size_t i = 0; i < sizeof(p->reserved) / sizeof(p->reserved[0]); i++)
		if (p->reserved[i])
			return FFAEMU_EINVAL;
	return FFAEMU_OK;
}

const char *ffaemu_proxy_state_name(enum ffaemu_proxy_state s)
{
	switch (s) {
	case FFAEMU_PROXY_UNINIT: return "uninit";
	case FFAEMU_PROXY_INERT: return "inert";
	case FFAEMU_PROXY_ACTIVE: return "active";
	case FFAEMU_PROXY_FAILED: return "failed";
	}
	return "unknown";
}
