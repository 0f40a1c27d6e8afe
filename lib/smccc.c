/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMC Calling Convention: function-ID decode, register classes per
 * version, names of the calls this library knows, version text.
 */
#include <stdio.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/regs.h>
#include <ffa/smccc.h>

#include "smccc_priv.h"

struct ffaemu_fid ffaemu_fid_decode(uint32_t raw)
{
	return smccc_fid_decode(raw);
}

struct ffaemu_smccc_regclass ffaemu_smccc_regclass(uint32_t smccc_version, bool smc64)
{
	return smccc_regclass(smccc_version, smc64);
}

/* Arm-architecture calls (spec A5) and the PSCI calls of SMCCC discovery (spec A11). */
static const struct {
	uint32_t fid;
	const char *name;
} arch_names[] = {
	{FFAEMU_SMCCC_VERSION_FID, "SMCCC_VERSION"},
	{FFAEMU_SMCCC_ARCH_FEATURES, "SMCCC_ARCH_FEATURES"},
	{FFAEMU_SMCCC_ARCH_SOC_ID, "SMCCC_ARCH_SOC_ID"},
	{FFAEMU_SMCCC_ARCH_SOC_ID_64, "SMCCC_ARCH_SOC_ID_64"},
	{FFAEMU_SMCCC_ARCH_FEATURE_AVAILABILITY, "SMCCC_ARCH_FEATURE_AVAILABILITY"},
	{FFAEMU_SMCCC_ARCH_WORKAROUND_1, "SMCCC_ARCH_WORKAROUND_1"},
	{FFAEMU_SMCCC_ARCH_WORKAROUND_2, "SMCCC_ARCH_WORKAROUND_2"},
	{FFAEMU_SMCCC_ARCH_WORKAROUND_3, "SMCCC_ARCH_WORKAROUND_3"},
	{FFAEMU_SMCCC_ARCH_WORKAROUND_4, "SMCCC_ARCH_WORKAROUND_4"},
	{FFAEMU_PSCI_VERSION, "PSCI_VERSION"},
	{FFAEMU_PSCI_FEATURES, "PSCI_FEATURES"},
};

/*
 * The 64-bit forms of FF-A ABIs that have both widths (spec C1.1). The ABI
 * table names an ABI once; these carry the "_64" suffix. A test checks that
 * every two-width row of the ABI table has its entry here.
 */
static const struct {
	uint32_t fid;
	const char *name;
} ffa64_names[] = {
	{FFAEMU_FFA_ERROR_64, "FFA_ERROR_64"},
	{FFAEMU_FFA_SUCCESS_64, "FFA_SUCCESS_64"},
	{FFAEMU_FFA_INTERRUPT_64, "FFA_INTERRUPT_64"},
	{FFAEMU_FFA_RXTX_MAP_64, "FFA_RXTX_MAP_64"},
	{FFAEMU_FFA_MSG_WAIT_64, "FFA_MSG_WAIT_64"},
	{FFAEMU_FFA_YIELD_64, "FFA_YIELD_64"},
	{FFAEMU_FFA_RUN_64, "FFA_RUN_64"},
	{FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, "FFA_MSG_SEND_DIRECT_REQ_64"},
	{FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64, "FFA_MSG_SEND_DIRECT_RESP_64"},
	{FFAEMU_FFA_MEM_DONATE_64, "FFA_MEM_DONATE_64"},
	{FFAEMU_FFA_MEM_LEND_64, "FFA_MEM_LEND_64"},
	{FFAEMU_FFA_MEM_SHARE_64, "FFA_MEM_SHARE_64"},
	{FFAEMU_FFA_MEM_RETRIEVE_REQ_64, "FFA_MEM_RETRIEVE_REQ_64"},
	{FFAEMU_FFA_NORMAL_WORLD_RESUME_64, "FFA_NORMAL_WORLD_RESUME_64"},
	{FFAEMU_FFA_NOTIFICATION_INFO_GET_64, "FFA_NOTIFICATION_INFO_GET_64"},
	{FFAEMU_FFA_SECONDARY_EP_REGISTER_64, "FFA_SECONDARY_EP_REGISTER_64"},
	{FFAEMU_FFA_MEM_PERM_GET_64, "FFA_MEM_PERM_GET_64"},
	{FFAEMU_FFA_MEM_PERM_SET_64, "FFA_MEM_PERM_SET_64"},
	{FFAEMU_FFA_CONSOLE_LOG_64, "FFA_CONSOLE_LOG_64"},
	{FFAEMU_FFA_ABORT_64, "FFA_ABORT_64"},
};

const char *ffaemu_smccc_fid_name(uint32_t fid)
{
	const struct ffaemu_abi *abi;
	size_t i;

	/* Names identify the call, which the SVE hint does not change (spec A1). */
	fid = ffaemu_fid_strip_hint(fid);
	for (i = 0; i < sizeof(arch_names) / sizeof(arch_names[0]); i++)
		if (arch_names[i].fid == fid)
			return arch_names[i].name;
	if (!ffaemu_fid_is_ffa(fid))
		return NULL;
	abi = ffaemu_abi_by_fid(fid);
	if (!abi)
		return NULL;
	if (fid == abi->fid64 && abi->fid32) {
		for (i = 0; i < sizeof(ffa64_names) / sizeof(ffa64_names[0]); i++)
			if (ffa64_names[i].fid == fid)
				return ffa64_names[i].name;
		/* A two-width ABI missing above: no name beats a wrong one. */
		return NULL;
	}
	return abi->name;
}

char *ffaemu_version_format(uint32_t version, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	/* Bit 31 set is not a version (SMCCC_VERSION/FFA_VERSION's -1; spec A4, C4). */
	if (version & 0x80000000u)
		snprintf(buf, len, "0x%08x", (unsigned)version);
	else
		snprintf(buf, len, "%u.%u", (unsigned)(version >> 16),
			 (unsigned)(version & 0xffffu));
	return buf;
}

/* Decimal digits only, no sign or space, at most max. Advances *p. */
static bool parse_field(const char **p, uint32_t max, uint32_t *out)
{
	const char *s = *p;
	uint32_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10u + (uint32_t)(*s - '0');
		if (v > max)
			return false;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

int ffaemu_version_parse(const char *text, uint32_t *out)
{
	uint32_t maj, min;
	const char *p = text;

	if (!text || !out)
		return FFAEMU_EPARSE;
	/* major [30:16], minor [15:0] (spec A4, C4). */
	if (!parse_field(&p, 0x7fffu, &maj) || *p++ != '.' || !parse_field(&p, 0xffffu, &min) ||
	    *p != '\0')
		return FFAEMU_EPARSE;
	*out = (maj << 16) | min;
	return FFAEMU_OK;
}
