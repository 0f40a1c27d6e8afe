/* SPDX-License-Identifier: BSD-3-Clause */
/* Indirect message header (spec D10) and endpoint RX/TX descriptor (spec D12). */
#include <string.h>

#include <ffa/abi.h>
#include <ffa/mem.h>
#include <ffa/msgdesc.h>

#include "desc_le.h"

size_t ffaemu_msg_hdr_size(uint32_t v)
{
	if (!ffaemu_ffa_version_valid(v) || ffaemu_ffa_version_major(v) != 1 || v < FFAEMU_FFA_1_1)
		return 0;
	/* 20 B at v1.1, 40 B from v1.2 (D10). */
	return v < FFAEMU_FFA_1_2 ? FFAEMU_MSG_HDR_SIZE_V1_1 : FFAEMU_MSG_HDR_SIZE_V1_2;
}

int ffaemu_msg_hdr_encode(const struct ffaemu_msg_hdr *h, uint32_t v, void *buf, size_t len)
{
	size_t sz = ffaemu_msg_hdr_size(v);
	uint8_t *p = buf;

	if (!h || !buf || sz == 0)
		return FFAEMU_EINVAL;
	if (len < sz)
		return FFAEMU_ERANGE;
	memset(p, 0, sz);
	desc_put32(p + 0, h->flags);
	desc_put32(p + 8, h->offset);
	/* Receiver u16 at 12, sender u16 at 14 (D10). */
	desc_put16(p + 12, h->receiver);
	desc_put16(p + 14, h->sender);
	desc_put32(p + 16, h->size);
	if (sz >= FFAEMU_MSG_HDR_SIZE_V1_2)
		memcpy(p + 24, h->uuid.b, 16);
	return (int)sz;
}

int ffaemu_msg_hdr_decode(const void *buf, size_t len, uint32_t v, struct ffaemu_msg_hdr *out)
{
	size_t sz = ffaemu_msg_hdr_size(v);
	const uint8_t *p = buf;
	struct ffaemu_msg_hdr h;
	uint64_t end;

	if (!buf || !out || sz == 0)
		return FFAEMU_EINVAL;
	if (len < FFAEMU_MSG_HDR_SIZE_V1_1)
		return FFAEMU_ERANGE;
	memset(&h, 0, sizeof(h));
	h.flags = desc_get32(p + 0);
	h.offset = desc_get32(p + 8);
	h.receiver = desc_get16(p + 12);
	h.sender = desc_get16(p + 14);
	h.size = desc_get32(p + 16);
	/* Readers use the offset field, never the header size (D10); the
	 * payload may not overlap the header of the writer's version. */
	if (h.offset < sz)
		return FFAEMU_EINVAL;
	end = (uint64_t)h.offset + h.size;
	if (end > len || end > FFAEMU_MSG_MAX_SIZE)
		return FFAEMU_ERANGE;
	/* The UUID exists only when the header leaves room for it (D10; Linux). */
	if (sz >= FFAEMU_MSG_HDR_SIZE_V1_2 && h.offset >= FFAEMU_MSG_HDR_SIZE_V1_2)
		memcpy(h.uuid.b, p + 24, 16);
	*out = h;
	return FFAEMU_OK;
}

#define RXTX_HDR 16u
#define COMPOSITE 16u
#define CONSTITUENT 16u

static void put_composite(uint8_t *p, ffaemu_pa_t pa, uint32_t pages)
{
	memset(p, 0, COMPOSITE + CONSTITUENT);
	desc_put32(p + 0, pages);
	desc_put32(p + 4, 1);
	desc_put64(p + 16, pa);
	desc_put32(p + 24, pages);
}

int ffaemu_ep_rxtx_encode(const struct ffaemu_ep_rxtx_desc *d, uint32_t v, void *buf, size_t len)
{
	const size_t total = RXTX_HDR + 2 * (COMPOSITE + CONSTITUENT);
	uint8_t *p = buf;

	if (!d || !buf || !ffaemu_ffa_version_valid(v))
		return FFAEMU_EINVAL;
	if (len < total)
		return FFAEMU_ERANGE;
	memset(p, 0, RXTX_HDR);
	desc_put16(p + 0, d->id);
	if (v >= FFAEMU_FFA_1_1) {
		/* Offsets to the RX and TX composites (D12, v1.1+). */
		desc_put32(p + 4, RXTX_HDR);
		desc_put32(p + 8, RXTX_HDR + COMPOSITE + CONSTITUENT);
	} else {
		/* v1.0: address-range counts (D12). */
		desc_put32(p + 4, 1);
		desc_put32(p + 8, 1);
	}
	put_composite(p + RXTX_HDR, d->rx_pa, d->rx_pages);
	put_composite(p + RXTX_HDR + COMPOSITE + CONSTITUENT, d->tx_pa, d->tx_pages);
	return (int)total;
}

static int get_composite(const uint8_t *p, size_t len, uint64_t off, ffaemu_pa_t *pa,
			 uint32_t *pages)
{
	uint32_t total, count;

	if (off > len || len - off < COMPOSITE + CONSTITUENT)
		return FFAEMU_ERANGE;
	total = desc_get32(p + off);
	count = desc_get32(p + off + 4);
	if (count == 0 || (uint64_t)count * CONSTITUENT > len - off - COMPOSITE)
		return count == 0 ? FFAEMU_EINVAL : FFAEMU_ERANGE;
	*pa = desc_get64(p + off + COMPOSITE);
	*pages = desc_get32(p + off + COMPOSITE + 8);
	/* One contiguous buffer: the first range covers the whole total. */
	if (*pages == 0 || *pages != total)
		return FFAEMU_EINVAL;
	return FFAEMU_OK;
}

int ffaemu_ep_rxtx_decode(const void *buf, size_t len, uint32_t v, struct ffaemu_ep_rxtx_desc *out)
{
	const uint8_t *p = buf;
	struct ffaemu_ep_rxtx_desc d;
	uint64_t rx_off, tx_off;
	int rc;

	if (!buf || !out || !ffaemu_ffa_version_valid(v))
		return FFAEMU_EINVAL;
	if (len < RXTX_HDR)
		return FFAEMU_ERANGE;
	memset(&d, 0, sizeof(d));
	d.id = desc_get16(p);
	if (v >= FFAEMU_FFA_1_1) {
		rx_off = desc_get32(p + 4);
		tx_off = desc_get32(p + 8);
		/* 8-byte aligned and past the header (D12). */
		if ((rx_off | tx_off) & 7u || rx_off < 12 || tx_off < 12)
			return FFAEMU_EINVAL;
	} else {
		uint32_t rxc = desc_get32(p + 4);
		if (rxc == 0 || desc_get32(p + 8) == 0)
			return FFAEMU_EINVAL;
		rx_off = RXTX_HDR;
		if ((uint64_t)rxc * CONSTITUENT + COMPOSITE > len - RXTX_HDR)
			return FFAEMU_ERANGE;
		tx_off = RXTX_HDR + COMPOSITE + (uint64_t)rxc * CONSTITUENT;
	}
	rc = get_composite(p, len, rx_off, &d.rx_pa, &d.rx_pages);
	if (rc)
		return rc;
	rc = get_composite(p, len, tx_off, &d.tx_pa, &d.tx_pages);
	if (rc)
		return rc;
	*out = d;
	return FFAEMU_OK;
}
