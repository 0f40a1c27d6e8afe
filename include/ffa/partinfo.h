/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Partition information descriptors (spec D1) and their register packing
 * for FFA_PARTITION_INFO_GET_REGS (spec C5.5, D2). Bounds-checked: every
 * encoder takes the buffer length and never writes past it.
 *
 * Sizes follow the reader's FF-A version: 8 bytes (v1.0), 24 bytes
 * (v1.1, v1.2), 48 bytes (v1.3). Readers must step by the size the callee
 * reported (w3 / x2[63:48]), never by a sizeof.
 */
#ifndef FFAEMU_PARTINFO_H
#define FFAEMU_PARTINFO_H

#include <ffa/common.h>
#include <ffa/uuid.h>

FFAEMU_BEGIN_DECLS

#define FFAEMU_PARTINFO_SIZE_V1_0 8u
#define FFAEMU_PARTINFO_SIZE_V1_1 24u
#define FFAEMU_PARTINFO_SIZE_V1_3 48u

/* Property bits (D1). */
#define FFAEMU_PARTINFO_PROP_DIRECT_REQ_RECV (1u << 0)
#define FFAEMU_PARTINFO_PROP_DIRECT_REQ_SEND (1u << 1)
#define FFAEMU_PARTINFO_PROP_INDIRECT_MSG (1u << 2)
#define FFAEMU_PARTINFO_PROP_NOTIFICATIONS (1u << 3)
#define FFAEMU_PARTINFO_PROP_ID_TYPE_SHIFT 4
#define FFAEMU_PARTINFO_PROP_ID_TYPE_MASK (3u << 4)
#define FFAEMU_PARTINFO_PROP_VM_CREATED (1u << 6)
#define FFAEMU_PARTINFO_PROP_VM_DESTROYED (1u << 7)
#define FFAEMU_PARTINFO_PROP_AARCH64 (1u << 8)
#define FFAEMU_PARTINFO_PROP_DIRECT_REQ2_RECV (1u << 9)
#define FFAEMU_PARTINFO_PROP_DIRECT_REQ2_SEND (1u << 10)

/* FFA_PARTITION_INFO_GET w5 flags (C5.4). */
#define FFAEMU_PARTINFO_FLAG_COUNT_ONLY 1u

struct ffaemu_partinfo {
	ffaemu_id_t id;
	uint16_t exec_ctx_count;       /* or proxy ID for dependent peripherals */
	uint32_t props;
	struct ffaemu_uuid uuid;       /* v1.1+: (protocol) UUID */
	struct ffaemu_uuid image_uuid; /* v1.3 */
	uint32_t ffa_version;          /* v1.3: the partition's FF-A version */
};

/* Descriptor size a reader at ffa_version gets: 8, 24, 48; 0 for an invalid version. */
FFAEMU_API size_t ffaemu_partinfo_size(uint32_t ffa_version);
/* Property bits defined at ffa_version (the rest are MBZ, D1). */
FFAEMU_API uint32_t ffaemu_partinfo_props_mask(uint32_t ffa_version);

/*
 * Write one descriptor in the ffa_version layout to buf[0..len). Property
 * bits not defined at that version are cleared. Returns the size written,
 * or FFAEMU_ERANGE (len too small, nothing written) / FFAEMU_EINVAL.
 */
FFAEMU_API int ffaemu_partinfo_encode(const struct ffaemu_partinfo *pi, uint32_t ffa_version,
				      void *buf, size_t len);
/*
 * Read one descriptor of desc_size bytes (8, 24, 48 or larger: the fields
 * known are read, the rest skipped). FFAEMU_ERANGE if len < desc_size,
 * FFAEMU_EINVAL for a desc_size below 8.
 */
FFAEMU_API int ffaemu_partinfo_decode(const void *buf, size_t len, size_t desc_size,
				      struct ffaemu_partinfo *out);

/* PARTITION_INFO_GET_REGS: x2 of the reply (D2). */
static inline uint64_t ffaemu_partinfo_regs_x2(uint16_t last, uint16_t cur, uint16_t tag,
					       uint16_t desc_size)
{
	return (uint64_t)last | ((uint64_t)cur << 16) | ((uint64_t)tag << 32) |
	       ((uint64_t)desc_size << 48);
}
/* One v1.2 descriptor as three registers (D2). */
FFAEMU_API void ffaemu_partinfo_regs_pack(const struct ffaemu_partinfo *pi, uint64_t out[3]);
FFAEMU_API void ffaemu_partinfo_regs_unpack(const uint64_t in[3], struct ffaemu_partinfo *pi);

FFAEMU_END_DECLS

#endif /* FFAEMU_PARTINFO_H */
