/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message descriptors: the indirect message header of FFA_MSG_SEND2
 * (spec D10) and the endpoint RX/TX descriptor a hypervisor hands the SPMC
 * when it maps a VM's buffers (spec D12). Bounds-checked codecs.
 */
#ifndef FFAEMU_MSGDESC_H
#define FFAEMU_MSGDESC_H

#include <ffa/common.h>
#include <ffa/uuid.h>

FFAEMU_BEGIN_DECLS

/* ---- Indirect message header (D10) ---- */
#define FFAEMU_MSG_HDR_SIZE_V1_1 20u
#define FFAEMU_MSG_HDR_SIZE_V1_2 40u
/* A message, header included, is at most one 4 KiB page (D10, C5.3). */
#define FFAEMU_MSG_MAX_SIZE 4096u

struct ffaemu_msg_hdr {
	uint32_t flags;            /* SBZ */
	uint32_t offset;           /* payload offset from the start of the buffer */
	ffaemu_id_t sender;
	ffaemu_id_t receiver;
	uint32_t size;             /* payload size */
	struct ffaemu_uuid uuid;   /* v1.2+ */
};

/* 20 for v1.1, 40 for v1.2+, 0 before v1.1 (no indirect messages). */
FFAEMU_API size_t ffaemu_msg_hdr_size(uint32_t ffa_version);
/* Write the header in the ffa_version layout; returns its size or FFAEMU_ERANGE/EINVAL. */
FFAEMU_API int ffaemu_msg_hdr_encode(const struct ffaemu_msg_hdr *h, uint32_t ffa_version,
				     void *buf, size_t len);
/*
 * Read and validate a message in buf[0..len) written at ffa_version:
 * header inside the buffer, offset >= header size, offset + size inside
 * the buffer and inside FFAEMU_MSG_MAX_SIZE, no u32 wrap. The UUID is read
 * only when offset leaves room for it. 0, FFAEMU_ERANGE (does not fit) or
 * FFAEMU_EINVAL (bad version / offset inside the header).
 */
FFAEMU_API int ffaemu_msg_hdr_decode(const void *buf, size_t len, uint32_t ffa_version,
				     struct ffaemu_msg_hdr *out);

/* ---- Endpoint RX/TX descriptor (D12) ---- */
struct ffaemu_ep_rxtx_desc {
	ffaemu_id_t id;          /* the VM's endpoint ID */
	ffaemu_pa_t rx_pa, tx_pa;
	uint32_t rx_pages, tx_pages; /* 4 KiB pages */
};

/*
 * Layout (D12): id u16, reserved u16, then at v1.1+ the offsets of the RX
 * and TX composite descriptors (D5, 8-byte aligned), padded to 16 bytes;
 * at v1.0 the RX and TX address-range counts, the composites following the
 * 16-byte header RX first (v1.0 placement UNCONFIRMED). Each composite has
 * one constituent here.
 */
FFAEMU_API int ffaemu_ep_rxtx_encode(const struct ffaemu_ep_rxtx_desc *d, uint32_t ffa_version,
				     void *buf, size_t len);
/*
 * Read a descriptor: every offset/count bounds-checked; a buffer takes the
 * first constituent of its composite (as Hafnium does), whose page count
 * must equal the composite's total. 0, FFAEMU_ERANGE or FFAEMU_EINVAL.
 */
FFAEMU_API int ffaemu_ep_rxtx_decode(const void *buf, size_t len, uint32_t ffa_version,
				     struct ffaemu_ep_rxtx_desc *out);

FFAEMU_END_DECLS

#endif /* FFAEMU_MSGDESC_H */
