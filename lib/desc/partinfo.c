/* SPDX-License-Identifier: BSD-3-Clause */
/* Partition information descriptors (spec D1, D2). */
#include <string.h>

#include <ffa/abi.h>
#include <ffa/partinfo.h>

#include "desc_le.h"

size_t ffaemu_partinfo_size(uint32_t v)
{
	if (!ffaemu_ffa_version_valid(v) || ffaemu_ffa_version_major(v) != 1)
		return 0;
	/* 8 B at v1.0, 24 B at v1.1/v1.2, 48 B from v1.3 (D1). */
	if (v < FFAEMU_FFA_1_1)
		return FFAEMU_PARTINFO_SIZE_V1_0;
	if (v < FFAEMU_FFA_1_3)
		return FFAEMU_PARTINFO_SIZE_V1_1;
	return FFAEMU_PARTINFO_SIZE_V1_3;
}

uint32_t ffaemu_partinfo_props_mask(uint32_t v)
{
	/* MBZ: v1.0 [31:3], v1.1 [31:9], v1.2 [31:11], v1.3 [31:14] (D1). */
	if (v < FFAEMU_FFA_1_1)
		return 0x7u;
	if (v < FFAEMU_FFA_1_2)
		return 0x1ffu;
	if (v < FFAEMU_FFA_1_3)
		return 0x7ffu;
	return 0x3fffu;
}

int ffaemu_partinfo_encode(const struct ffaemu_partinfo *pi, uint32_t v, void *buf, size_t len)
{
	size_t sz = ffaemu_partinfo_size(v);
	uint8_t *p = buf;

	if (!pi || !buf || sz == 0)
		return FFAEMU_EINVAL;
	if (len < sz)
		return FFAEMU_ERANGE;
	memset(p, 0, sz);
	desc_put16(p + 0, pi->id);
	desc_put16(p + 2, pi->exec_ctx_count);
	desc_put32(p + 4, pi->props & ffaemu_partinfo_props_mask(v));
	if (sz >= FFAEMU_PARTINFO_SIZE_V1_1)
		memcpy(p + 8, pi->uuid.b, 16);
	if (sz >= FFAEMU_PARTINFO_SIZE_V1_3) {
		memcpy(p + 24, pi->image_uuid.b, 16);
		desc_put32(p + 40, pi->ffa_version);
	}
	return (int)sz;
}

int ffaemu_partinfo_decode(const void *buf, size_t len, size_t desc_size,
			   struct ffaemu_partinfo *out)
{
	const uint8_t *p = buf;

	if (!buf || !out || desc_size < FFAEMU_PARTINFO_SIZE_V1_0)
		return FFAEMU_EINVAL;
	if (len < desc_size)
		return FFAEMU_ERANGE;
	memset(out, 0, sizeof(*out));
	out->id = desc_get16(p + 0);
	out->exec_ctx_count = desc_get16(p + 2);
	out->props = desc_get32(p + 4);
	if (desc_size >= FFAEMU_PARTINFO_SIZE_V1_1)
		memcpy(out->uuid.b, p + 8, 16);
	if (desc_size >= FFAEMU_PARTINFO_SIZE_V1_3) {
		memcpy(out->image_uuid.b, p + 24, 16);
		out->ffa_version = desc_get32(p + 40);
	}
	return FFAEMU_OK;
}

void ffaemu_partinfo_regs_pack(const struct ffaemu_partinfo *pi, uint64_t out[3])
{
	/* reg0 = ID [15:0] | exec count [31:16] | props [63:32]; reg1/2 = UUID (D2, B3). */
	out[0] = (uint64_t)pi->id | ((uint64_t)pi->exec_ctx_count << 16) |
		 ((uint64_t)pi->props << 32);
	out[1] = ffaemu_uuid_dword(&pi->uuid, 0);
	out[2] = ffaemu_uuid_dword(&pi->uuid, 1);
}

void ffaemu_partinfo_regs_unpack(const uint64_t in[3], struct ffaemu_partinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->id = (ffaemu_id_t)in[0];
	pi->exec_ctx_count = (uint16_t)(in[0] >> 16);
	pi->props = (uint32_t)(in[0] >> 32);
	pi->uuid = ffaemu_uuid_from_dwords(in[1], in[2]);
}
