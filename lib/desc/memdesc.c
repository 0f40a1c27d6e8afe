/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FF-A memory transaction, retrieve and relinquish descriptors: bounds-
 * checked codecs (spec D3-D9, E1-E3, F, G3, G7). Every multi-byte field is
 * read byte by byte in little-endian order, so nothing here depends on the
 * host's alignment or endianness, and every length or offset is combined in
 * 64-bit arithmetic before it is compared with the buffer length, so no u32
 * field can wrap a check.
 */
#include <stdlib.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/memdesc.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

struct rule_desc {
	const char *name;
	const char *spec;
};

#define RULE(r, s) [FFAEMU_MEMDESC_##r] = { "FFAEMU_MEMDESC_" #r, s }
static const struct rule_desc rule_table[FFAEMU_MEMDESC_R_COUNT_] = {
	RULE(OK, "-"),
	RULE(R_VERSION, "DEN0077A s13.2.1; spec C4"),
	RULE(R_LENGTH, "DEN0077A 1.1 s10.11 (header size 32/48); spec D3, G3"),
	RULE(R_HDR_RESERVED, "DEN0077A 1.1 Table 10.20 reserved MBZ; spec D3, F"),
	RULE(R_ATTR_MBZ, "DEN0077A 1.1 Table 10.18 bits [15:7] MBZ; spec D6, F"),
	RULE(R_ATTR_NS, "DEN0077A 1.1 s10.10.4.1.1 NS bit MBZ in send/retrieve request; spec D6, G7"),
	RULE(R_ATTR_RESERVED, "DEN0077A 1.1 Table 10.18 reserved encodings; spec D6"),
	RULE(R_ATTR_TYPE, "DEN0077A 1.1 s10.10.4 type not specified for DONATE / 1-borrower LEND, specified for SHARE / multi-borrower LEND; spec D6"),
	RULE(R_FLAGS_MBZ, "DEN0077A 1.1 Tables 10.21-10.22 reserved flags MBZ; spec D7"),
	RULE(R_FLAGS_ZERO_SHARE, "DEN0077A 1.1 Table 10.21 zero flag not allowed with SHARE; spec D7"),
	RULE(R_FLAGS_TYPE, "DEN0077A 1.1 Table 10.22 bits [4:3] transaction type; spec D7"),
	RULE(R_FLAGS_ALIGN_HINT, "DEN0077A 1.1 Table 10.22 bits [9:5] (hint unsupported, as Hafnium); spec D7"),
	RULE(R_HANDLE, "DEN0077A 1.1 Table 10.20 handle MBZ on DONATE/LEND/SHARE; spec D3"),
	RULE(R_EMAD_SIZE, "DEN0077A 1.1 Table 10.20 EMAD size (16 <1.2, 32 >=1.2); spec D3, D4, G3"),
	RULE(R_EMAD_OFFSET_ALIGN, "DEN0077A 1.1 Table 10.20 EMAD offset 16-byte aligned; spec D3"),
	RULE(R_EMAD_OFFSET_RANGE, "DEN0077A 1.1 Table 10.20 EMAD array must not overlap the header; spec D3"),
	RULE(R_EMAD_COUNT, "DEN0077A 1.1 s10.11 receiver count / EMAD array bounds; spec D3"),
	RULE(R_EMAD_RESERVED, "DEN0077A 1.1 Table 10.16 reserved MBZ; spec D4, F"),
	RULE(R_EMAD_FLAGS, "DEN0077A 1.1 Table 10.15 flags [7:1] MBZ; spec D4"),
	RULE(R_PERM_RESERVED, "DEN0077A 1.1 Table 10.15 reserved permission encodings; spec D4"),
	RULE(R_PERM_DATA, "DEN0077A 1.1 s10.10.3 data access per transaction type; spec D4"),
	RULE(R_PERM_INSTR, "DEN0077A 1.1 s10.10.3 sender leaves instruction access unspecified; spec D4"),
	RULE(R_RECEIVER_DUP, "DEN0077A 1.1 s10.10 receivers unique; spec D4"),
	RULE(R_RECEIVER_SENDER, "DEN0077A 1.1 s10.10 sender is not a receiver; spec D4"),
	RULE(R_COMPOSITE_MISMATCH, "DEN0077A 1.1 s10.10 one composite for all receivers; spec D4"),
	RULE(R_COMPOSITE_ZERO, "DEN0077A 1.1 Table 10.16 composite offset non-zero; spec D4"),
	RULE(R_COMPOSITE_ALIGN, "composite offset 16-byte aligned (Hafnium; crate uses 8); spec D3, H"),
	RULE(R_COMPOSITE_RANGE, "DEN0077A 1.1 s10.11 composite after the EMADs, inside the fragment; spec D3, E2"),
	RULE(R_COMPOSITE_RESERVED, "DEN0077A 1.1 Table 10.13 reserved MBZ; spec D5, F"),
	RULE(R_RETRIEVE_COMPOSITE, "DEN0077A 1.1 s10.11.2 retrieve request has no composite; spec E1"),
	RULE(R_RETRIEVE_LENGTH, "retrieve request length == EMAD offset + count * EMAD size (Hafnium); spec E1"),
	RULE(R_CONSTITUENT_COUNT, "DEN0077A 1.1 Table 10.13 range count matches the length; spec D5"),
	RULE(R_CONSTITUENT_ALIGN, "DEN0077A 1.1 Table 10.14 address 4 KiB aligned; spec D5"),
	RULE(R_CONSTITUENT_EMPTY, "DEN0077A 1.1 Table 10.14 page count >= 1; spec D5, pkvm-proxy 1.16"),
	RULE(R_CONSTITUENT_WRAP, "range wraps at 2^64; spec D5"),
	RULE(R_CONSTITUENT_RESERVED, "DEN0077A 1.1 Table 10.14 reserved MBZ; spec D5, F"),
	RULE(R_PAGE_COUNT, "DEN0077A 1.1 Table 10.13 total page count = sum of ranges; spec D5"),
	RULE(R_FRAGMENT, "DEN0077A 1.1 s10.4 fragments hold whole constituents; spec E2"),
	RULE(R_RELINQUISH_COUNT, "DEN0077A 1.1 Table 10.23 endpoint count / length; spec D8"),
	RULE(R_RELINQUISH_FLAGS, "DEN0077A 1.1 Table 10.23 flags [31:2] MBZ; spec D7, D8"),
};
#undef RULE

const char *ffaemu_memdesc_rule_name(enum ffaemu_memdesc_rule rule)
{
	if ((unsigned)rule >= FFAEMU_MEMDESC_R_COUNT_)
		return NULL;
	return rule_table[rule].name;
}

const char *ffaemu_memdesc_rule_spec(enum ffaemu_memdesc_rule rule)
{
	if ((unsigned)rule >= FFAEMU_MEMDESC_R_COUNT_)
		return NULL;
	return rule_table[rule].spec;
}

static int fail(struct ffaemu_memdesc_error *err, enum ffaemu_memdesc_rule rule, size_t offset,
		uint32_t index)
{
	if (err) {
		err->rule = rule;
		err->offset = offset;
		err->index = index;
	}
	return FFAEMU_EPARSE;
}

/* Layout parameters of a version: 0 = bad version word. */
static uint32_t hdr_size(uint32_t version)
{
	if (!ffaemu_ffa_version_valid(version) || ffaemu_ffa_version_major(version) != 1)
		return 0;
	return ffaemu_ffa_version_minor(version) == 0 ? FFAEMU_MEMDESC_HDR_SIZE_V1_0
						      : FFAEMU_MEMDESC_HDR_SIZE_V1_1;
}

static uint32_t emad_size(uint32_t version)
{
	return ffaemu_ffa_version_minor(version) >= 2 ? FFAEMU_MEMDESC_EMAD_SIZE_V1_2
						      : FFAEMU_MEMDESC_EMAD_SIZE_V1_0;
}

static bool is_send(enum ffaemu_memdesc_kind k)
{
	return k == FFAEMU_MEMDESC_SHARE || k == FFAEMU_MEMDESC_LEND || k == FFAEMU_MEMDESC_DONATE;
}

int ffaemu_memdesc_check_constituents(const void *buf, size_t len, uint32_t base_index,
				      uint64_t *pages_sum, struct ffaemu_memdesc_error *err)
{
	const uint8_t *p = buf;
	uint64_t sum = 0;

	if (!buf && len)
		return FFAEMU_EINVAL;
	/* Later fragments carry whole 16-byte constituents only (spec E2). */
	if (len % FFAEMU_MEMDESC_CONSTITUENT_SIZE)
		return fail(err, FFAEMU_MEMDESC_R_FRAGMENT, len, base_index);
	for (size_t off = 0; off < len; off += FFAEMU_MEMDESC_CONSTITUENT_SIZE) {
		uint32_t idx = base_index + (uint32_t)(off / FFAEMU_MEMDESC_CONSTITUENT_SIZE);
		uint64_t base = rd64(p + off);
		uint32_t pages = rd32(p + off + 8);

		if (base & (FFAEMU_PAGE_SIZE - 1))
			return fail(err, FFAEMU_MEMDESC_R_CONSTITUENT_ALIGN, off, idx);
		if (pages == 0)
			return fail(err, FFAEMU_MEMDESC_R_CONSTITUENT_EMPTY, off + 8, idx);
		/* pages < 2^32, so the byte size < 2^44 and cannot itself overflow. */
		if (base + ((uint64_t)pages << FFAEMU_PAGE_SHIFT) <= base)
			return fail(err, FFAEMU_MEMDESC_R_CONSTITUENT_WRAP, off, idx);
		if (rd32(p + off + 12))
			return fail(err, FFAEMU_MEMDESC_R_CONSTITUENT_RESERVED, off + 12, idx);
		sum += pages;
	}
	if (pages_sum)
		*pages_sum += sum;
	return 0;
}

static int check_attributes(uint16_t attr, uint32_t version, enum ffaemu_memdesc_kind kind,
			    struct ffaemu_memdesc_error *err)
{
	uint16_t mbz = ffaemu_ffa_version_minor(version) == 0 ? FFAEMU_MEM_ATTR_MBZ_V1_0
							      : FFAEMU_MEM_ATTR_MBZ_V1_1;
	uint16_t type = attr & FFAEMU_MEM_ATTR_TYPE_MASK;

	if (attr & mbz)
		return fail(err, FFAEMU_MEMDESC_R_ATTR_MBZ, 2, 0);
	/* DEN0077A 1.1 s10.10.4.1.1: only the relayer sets NS, in a response (spec D6, G7). */
	if ((attr & FFAEMU_MEM_ATTR_NS) && kind != FFAEMU_MEMDESC_RETRIEVE_RESP)
		return fail(err, FFAEMU_MEMDESC_R_ATTR_NS, 2, 0);
	if (type == FFAEMU_MEM_ATTR_TYPE_RESERVED)
		return fail(err, FFAEMU_MEMDESC_R_ATTR_RESERVED, 2, 0);
	if (type == FFAEMU_MEM_ATTR_TYPE_NORMAL) {
		uint16_t cache = attr & FFAEMU_MEM_ATTR_CACHE_MASK;

		if ((attr & FFAEMU_MEM_ATTR_SH_MASK) == FFAEMU_MEM_ATTR_SH_RESERVED ||
		    (cache != FFAEMU_MEM_ATTR_CACHE_NC && cache != FFAEMU_MEM_ATTR_CACHE_WB))
			return fail(err, FFAEMU_MEMDESC_R_ATTR_RESERVED, 2, 0);
	}
	return 0;
}

/*
 * The borrower picks the type for DONATE and 1-borrower LEND; for SHARE and
 * multi-borrower LEND the sender gives the attributes, so they cannot be
 * left unspecified (spec D6; HF-MEM). Checked once the receiver count is
 * known to be sound.
 */
static int check_attr_type(uint16_t attr, enum ffaemu_memdesc_kind kind, uint32_t nrecv,
			   struct ffaemu_memdesc_error *err)
{
	uint16_t type = attr & FFAEMU_MEM_ATTR_TYPE_MASK;

	if (kind == FFAEMU_MEMDESC_DONATE || (kind == FFAEMU_MEMDESC_LEND && nrecv == 1)) {
		if (type != FFAEMU_MEM_ATTR_TYPE_NOT_SPECIFIED)
			return fail(err, FFAEMU_MEMDESC_R_ATTR_TYPE, 2, 0);
	} else if (is_send(kind) && type == FFAEMU_MEM_ATTR_TYPE_NOT_SPECIFIED) {
		return fail(err, FFAEMU_MEMDESC_R_ATTR_TYPE, 2, 0);
	}
	return 0;
}

static int check_flags(uint32_t flags, enum ffaemu_memdesc_kind kind,
		       struct ffaemu_memdesc_error *err)
{
	switch (kind) {
	case FFAEMU_MEMDESC_SHARE:
	case FFAEMU_MEMDESC_LEND:
	case FFAEMU_MEMDESC_DONATE:
		if (flags & FFAEMU_MEMDESC_F_SEND_MBZ)
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_MBZ, 4, 0);
		/* SHARE keeps the owner's access, so zeroing is meaningless (spec D7). */
		if (kind == FFAEMU_MEMDESC_SHARE && (flags & FFAEMU_MEMDESC_F_ZERO))
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_ZERO_SHARE, 4, 0);
		return 0;
	case FFAEMU_MEMDESC_RETRIEVE_REQ:
		if (flags & FFAEMU_MEMDESC_F_RETRIEVE_MBZ)
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_MBZ, 4, 0);
		if (flags & (FFAEMU_MEMDESC_F_ALIGN_HINT_MASK | FFAEMU_MEMDESC_F_ALIGN_HINT_VALID))
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_ALIGN_HINT, 4, 0);
		if (((flags & FFAEMU_MEMDESC_F_TYPE_MASK) >> FFAEMU_MEMDESC_F_TYPE_SHIFT) ==
			    FFAEMU_MEM_TX_SHARE &&
		    (flags & (FFAEMU_MEMDESC_F_ZERO_BEFORE | FFAEMU_MEMDESC_F_ZERO_AFTER)))
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_ZERO_SHARE, 4, 0);
		return 0;
	case FFAEMU_MEMDESC_RETRIEVE_RESP:
		if (flags & FFAEMU_MEMDESC_F_RESP_MBZ)
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_MBZ, 4, 0);
		/* The response always names the actual type (spec D7). */
		if (!(flags & FFAEMU_MEMDESC_F_TYPE_MASK))
			return fail(err, FFAEMU_MEMDESC_R_FLAGS_TYPE, 4, 0);
		return 0;
	}
	return fail(err, FFAEMU_MEMDESC_R_FLAGS_MBZ, 4, 0);
}

static int check_emad_perms(uint8_t perms, enum ffaemu_memdesc_kind kind, size_t off,
			    uint32_t i, struct ffaemu_memdesc_error *err)
{
	uint8_t data = perms & FFAEMU_MEM_PERM_DATA_MASK;
	uint8_t instr = perms & FFAEMU_MEM_PERM_INSTR_MASK;

	if ((perms & FFAEMU_MEM_PERM_MBZ) || data == FFAEMU_MEM_PERM_DATA_RESERVED ||
	    instr == FFAEMU_MEM_PERM_INSTR_RESERVED)
		return fail(err, FFAEMU_MEMDESC_R_PERM_RESERVED, off, i);
	if (!is_send(kind))
		return 0;
	/* SHARE/LEND grant RO or RW; DONATE leaves data access to the receiver (spec D4). */
	if (kind == FFAEMU_MEMDESC_DONATE ? data != FFAEMU_MEM_PERM_DATA_NOT_SPECIFIED
					  : (data != FFAEMU_MEM_PERM_DATA_RO &&
					     data != FFAEMU_MEM_PERM_DATA_RW))
		return fail(err, FFAEMU_MEMDESC_R_PERM_DATA, off, i);
	/* The sender never specifies instruction access (spec D4). */
	if (instr != FFAEMU_MEM_PERM_INSTR_NOT_SPECIFIED)
		return fail(err, FFAEMU_MEMDESC_R_PERM_INSTR, off, i);
	return 0;
}

/*
 * The common parse: avail bytes are present, the descriptor is total bytes
 * long (avail == total for a complete descriptor).
 */
static int parse(const uint8_t *p, size_t avail, size_t total, uint32_t version,
		 enum ffaemu_memdesc_kind kind, struct ffaemu_memdesc *d,
		 struct ffaemu_memdesc_error *err)
{
	uint32_t hsz = hdr_size(version);
	uint64_t seen[1024]; /* one bit per endpoint ID: duplicate check in O(n) */
	uint64_t array_end, comp, cend, need;
	bool hyp_req;
	int rc;

	if (kind < FFAEMU_MEMDESC_SHARE || kind > FFAEMU_MEMDESC_RETRIEVE_RESP)
		return FFAEMU_EINVAL;
	if (!hsz)
		return fail(err, FFAEMU_MEMDESC_R_VERSION, 0, 0);
	if (total > UINT32_MAX || avail > total || avail < hsz)
		return fail(err, FFAEMU_MEMDESC_R_LENGTH, 0, 0);

	memset(d, 0, sizeof(*d));
	d->buf = p;
	d->len = avail;
	d->total_len = (uint32_t)total;
	d->version = version;
	d->sender = rd16(p);
	d->flags = rd32(p + 4);
	d->handle = rd64(p + 8);
	d->tag = rd64(p + 16);
	d->receiver_count = rd32(p + 28);
	if (hsz == FFAEMU_MEMDESC_HDR_SIZE_V1_0) {
		d->attributes = p[2];
		if (p[3])
			return fail(err, FFAEMU_MEMDESC_R_HDR_RESERVED, 3, 0);
		if (rd32(p + 24))
			return fail(err, FFAEMU_MEMDESC_R_HDR_RESERVED, 24, 0);
		d->emad_size = FFAEMU_MEMDESC_EMAD_SIZE_V1_0;
		d->emad_offset = FFAEMU_MEMDESC_HDR_SIZE_V1_0;
	} else {
		d->attributes = rd16(p + 2);
		d->emad_size = rd32(p + 24);
		d->emad_offset = rd32(p + 32);
		if (!all_zero(p + 36, 12))
			return fail(err, FFAEMU_MEMDESC_R_HDR_RESERVED, 36, 0);
	}
	/* A hypervisor retrieve request has no receivers (spec E1); pKVM zeroes the rest. */
	hyp_req = kind == FFAEMU_MEMDESC_RETRIEVE_REQ && d->receiver_count == 0;

	rc = check_attributes(d->attributes, version, kind, err);
	if (rc)
		return rc;
	rc = check_flags(d->flags, kind, err);
	if (rc)
		return rc;
	/* The relayer allocates the handle (spec D3, D9). */
	if (is_send(kind) && d->handle != 0)
		return fail(err, FFAEMU_MEMDESC_R_HANDLE, 8, 0);

	if (hsz == FFAEMU_MEMDESC_HDR_SIZE_V1_1 && !(hyp_req && d->emad_size == 0)) {
		if (d->emad_size != emad_size(version))
			return fail(err, FFAEMU_MEMDESC_R_EMAD_SIZE, 24, 0);
	}
	if (hsz == FFAEMU_MEMDESC_HDR_SIZE_V1_1 && !(hyp_req && d->emad_offset == 0)) {
		if (d->emad_offset % 16)
			return fail(err, FFAEMU_MEMDESC_R_EMAD_OFFSET_ALIGN, 32, 0);
		if (d->emad_offset < FFAEMU_MEMDESC_HDR_SIZE_V1_1)
			return fail(err, FFAEMU_MEMDESC_R_EMAD_OFFSET_RANGE, 32, 0);
	}
	if (d->receiver_count == 0 && kind != FFAEMU_MEMDESC_RETRIEVE_REQ)
		return fail(err, FFAEMU_MEMDESC_R_EMAD_COUNT, 28, 0);

	array_end = hyp_req ? hsz
			    : (uint64_t)d->emad_offset + (uint64_t)d->receiver_count * d->emad_size;
	if (array_end > avail)
		return fail(err, FFAEMU_MEMDESC_R_EMAD_COUNT, 28, 0);
	rc = check_attr_type(d->attributes, kind, d->receiver_count, err);
	if (rc)
		return rc;

	memset(seen, 0, sizeof(seen));
	comp = 0;
	for (uint32_t i = 0; i < d->receiver_count; i++) {
		size_t off = (size_t)d->emad_offset + (size_t)i * d->emad_size;
		const uint8_t *e = p + off;
		ffaemu_id_t id = rd16(e);
		uint32_t c = rd32(e + 4);
		bool res_ok = d->emad_size == FFAEMU_MEMDESC_EMAD_SIZE_V1_2 ? all_zero(e + 24, 8)
									    : all_zero(e + 8, 8);

		if (!res_ok)
			return fail(err, FFAEMU_MEMDESC_R_EMAD_RESERVED, off + 8, i);
		/* Non-retrieval borrower is a retrieve-side flag (spec D4). */
		if ((e[3] & FFAEMU_MEMDESC_EMAD_F_MBZ) ||
		    (is_send(kind) && (e[3] & FFAEMU_MEMDESC_EMAD_F_NON_RETRIEVAL_BORROWER)))
			return fail(err, FFAEMU_MEMDESC_R_EMAD_FLAGS, off + 3, i);
		rc = check_emad_perms(e[2], kind, off + 2, i, err);
		if (rc)
			return rc;
		if (seen[id / 64] & (1ull << (id % 64)))
			return fail(err, FFAEMU_MEMDESC_R_RECEIVER_DUP, off, i);
		seen[id / 64] |= 1ull << (id % 64);
		if (is_send(kind) && id == d->sender)
			return fail(err, FFAEMU_MEMDESC_R_RECEIVER_SENDER, off, i);
		if (i == 0)
			comp = c;
		else if (c != comp)
			return fail(err, FFAEMU_MEMDESC_R_COMPOSITE_MISMATCH, off + 4, i);
	}

	if (kind == FFAEMU_MEMDESC_RETRIEVE_REQ) {
		/* The retriever asks by handle; the relayer owns the description (spec E1). */
		if (comp != 0)
			return fail(err, FFAEMU_MEMDESC_R_RETRIEVE_COMPOSITE,
				    (size_t)d->emad_offset + 4, 0);
		if (total != array_end)
			return fail(err, FFAEMU_MEMDESC_R_RETRIEVE_LENGTH, 0, 0);
		return 0;
	}
	if (comp == 0)
		return fail(err, FFAEMU_MEMDESC_R_COMPOSITE_ZERO, (size_t)d->emad_offset + 4, 0);
	if (comp % 16)
		return fail(err, FFAEMU_MEMDESC_R_COMPOSITE_ALIGN, (size_t)d->emad_offset + 4, 0);
	cend = comp + FFAEMU_MEMDESC_COMPOSITE_SIZE;
	if (comp < array_end || cend > avail)
		return fail(err, FFAEMU_MEMDESC_R_COMPOSITE_RANGE, (size_t)d->emad_offset + 4, 0);
	d->composite_offset = (uint32_t)comp;
	d->constituent_offset = (uint32_t)cend;
	d->total_pages = rd32(p + comp);
	d->constituent_count = rd32(p + comp + 4);
	if (rd64(p + comp + 8))
		return fail(err, FFAEMU_MEMDESC_R_COMPOSITE_RESERVED, (size_t)comp + 8, 0);
	need = cend + (uint64_t)d->constituent_count * FFAEMU_MEMDESC_CONSTITUENT_SIZE;
	if (d->constituent_count == 0 || need != total)
		return fail(err, FFAEMU_MEMDESC_R_CONSTITUENT_COUNT, (size_t)comp + 4, 0);
	{
		uint64_t sum = 0;
		size_t clen = avail - (size_t)cend;

		rc = ffaemu_memdesc_check_constituents(p + cend, clen, 0, &sum, err);
		if (rc) {
			if (err)
				err->offset += (size_t)cend;
			return rc;
		}
		d->constituents_present = (uint32_t)(clen / FFAEMU_MEMDESC_CONSTITUENT_SIZE);
		if (d->constituents_present == d->constituent_count && sum != d->total_pages)
			return fail(err, FFAEMU_MEMDESC_R_PAGE_COUNT, (size_t)comp, 0);
	}
	return 0;
}

int ffaemu_memdesc_parse(const void *buf, size_t len, uint32_t version,
			 enum ffaemu_memdesc_kind kind, struct ffaemu_memdesc *out,
			 struct ffaemu_memdesc_error *err)
{
	struct ffaemu_memdesc tmp;
	int rc;

	if (!buf || !out)
		return FFAEMU_EINVAL;
	if (err)
		memset(err, 0, sizeof(*err));
	rc = parse(buf, len, len, version, kind, &tmp, err);
	if (rc == 0)
		*out = tmp;
	return rc;
}

int ffaemu_memdesc_parse_head(const void *buf, size_t frag_len, size_t total_len,
			      uint32_t version, enum ffaemu_memdesc_kind kind,
			      struct ffaemu_memdesc *out, struct ffaemu_memdesc_error *err)
{
	struct ffaemu_memdesc tmp;
	int rc;

	if (!buf || !out)
		return FFAEMU_EINVAL;
	if (err)
		memset(err, 0, sizeof(*err));
	/* Retrieve requests are never fragmented (spec E3 last bullet). */
	if (kind == FFAEMU_MEMDESC_RETRIEVE_REQ && frag_len != total_len)
		return fail(err, FFAEMU_MEMDESC_R_FRAGMENT, 0, 0);
	rc = parse(buf, frag_len, total_len, version, kind, &tmp, err);
	if (rc == 0)
		*out = tmp;
	return rc;
}

int ffaemu_memdesc_receiver(const struct ffaemu_memdesc *d, uint32_t i,
			    struct ffaemu_memdesc_receiver *out)
{
	const uint8_t *e;

	if (!d || !out)
		return FFAEMU_EINVAL;
	if (i >= d->receiver_count)
		return FFAEMU_ERANGE;
	e = d->buf + d->emad_offset + (size_t)i * d->emad_size;
	memset(out, 0, sizeof(*out));
	out->id = rd16(e);
	out->perms = e[2];
	out->flags = e[3];
	out->composite_offset = rd32(e + 4);
	if (d->emad_size == FFAEMU_MEMDESC_EMAD_SIZE_V1_2)
		memcpy(out->impdef, e + 8, FFAEMU_MEMDESC_IMPDEF_SIZE);
	return 0;
}

int64_t ffaemu_memdesc_find_receiver(const struct ffaemu_memdesc *d, ffaemu_id_t id)
{
	if (!d)
		return -1;
	for (uint32_t i = 0; i < d->receiver_count; i++)
		if (rd16(d->buf + d->emad_offset + (size_t)i * d->emad_size) == id)
			return i;
	return -1;
}

int ffaemu_memdesc_constituent(const struct ffaemu_memdesc *d, uint32_t i,
			       struct ffaemu_range *out)
{
	const uint8_t *c;

	if (!d || !out)
		return FFAEMU_EINVAL;
	if (i >= d->constituents_present)
		return FFAEMU_ERANGE;
	c = d->buf + d->constituent_offset + (size_t)i * FFAEMU_MEMDESC_CONSTITUENT_SIZE;
	out->base = rd64(c);
	out->pages = rd32(c + 8);
	return 0;
}

void ffaemu_memdesc_iter_init(struct ffaemu_memdesc_iter *it, const struct ffaemu_memdesc *d)
{
	if (!it)
		return;
	it->d = d;
	it->next = 0;
}

bool ffaemu_memdesc_iter_next(struct ffaemu_memdesc_iter *it, struct ffaemu_range *out)
{
	if (!it || !it->d || !out || it->next >= it->d->constituents_present)
		return false;
	if (ffaemu_memdesc_constituent(it->d, it->next, out))
		return false;
	it->next++;
	return true;
}

static int cmp_range(const void *a, const void *b)
{
	const struct ffaemu_range *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

bool ffaemu_memdesc_ranges_overlap(struct ffaemu_range *ranges, size_t n)
{
	if (!ranges || n < 2)
		return false;
	qsort(ranges, n, sizeof(*ranges), cmp_range);
	for (size_t i = 1; i < n; i++) {
		uint64_t prev = ranges[i - 1].base;
		uint64_t gap = ranges[i].base - prev;

		/* Overlap iff the previous range reaches past this base; no wrap on the left. */
		if (ranges[i - 1].pages > (UINT64_MAX >> FFAEMU_PAGE_SHIFT) ||
		    gap < (ranges[i - 1].pages << FFAEMU_PAGE_SHIFT))
			return true;
	}
	return false;
}

/* ---- builders ---- */

int ffaemu_memdesc_size(const struct ffaemu_memdesc_tx *tx, uint32_t version, size_t *out)
{
	uint32_t hsz = hdr_size(version);
	uint64_t n;

	if (!tx || !out || !hsz || (tx->receiver_count && !tx->receivers) ||
	    (!tx->no_composite && tx->constituent_count && !tx->constituents))
		return FFAEMU_EINVAL;
	n = hsz + (uint64_t)tx->receiver_count * emad_size(version);
	if (!tx->no_composite)
		n += FFAEMU_MEMDESC_COMPOSITE_SIZE +
		     (uint64_t)tx->constituent_count * FFAEMU_MEMDESC_CONSTITUENT_SIZE;
	if (n > UINT32_MAX || tx->constituent_count > UINT32_MAX)
		return FFAEMU_EINVAL;
	*out = (size_t)n;
	return 0;
}

int ffaemu_memdesc_build(const struct ffaemu_memdesc_tx *tx, uint32_t version, void *buf,
			 size_t cap, size_t *len_out)
{
	uint32_t hsz = hdr_size(version), esz;
	uint8_t *p = buf;
	uint64_t pages = 0;
	size_t len, comp;
	int rc;

	rc = ffaemu_memdesc_size(tx, version, &len);
	if (rc)
		return rc;
	if (!buf)
		return FFAEMU_EINVAL;
	if (len > cap)
		return FFAEMU_ERANGE;
	esz = emad_size(version);
	comp = hsz + (size_t)tx->receiver_count * esz;
	if (!tx->no_composite) {
		for (size_t i = 0; i < tx->constituent_count; i++) {
			if (tx->constituents[i].pages > UINT32_MAX)
				return FFAEMU_EINVAL;
			pages += tx->constituents[i].pages;
		}
		if (tx->total_pages)
			pages = tx->total_pages;
		if (pages > UINT32_MAX)
			return FFAEMU_EINVAL;
	}

	memset(p, 0, len);
	wr16(p, tx->sender);
	if (hsz == FFAEMU_MEMDESC_HDR_SIZE_V1_0) {
		p[2] = (uint8_t)tx->attributes;
	} else {
		wr16(p + 2, tx->attributes);
		/* A hypervisor retrieve request leaves these zero, as pKVM does (spec E1). */
		if (tx->receiver_count) {
			wr32(p + 24, esz);
			wr32(p + 32, hsz);
		}
	}
	wr32(p + 4, tx->flags);
	wr64(p + 8, tx->handle);
	wr64(p + 16, tx->tag);
	wr32(p + 28, tx->receiver_count);
	for (uint32_t i = 0; i < tx->receiver_count; i++) {
		uint8_t *e = p + hsz + (size_t)i * esz;
		const struct ffaemu_memdesc_receiver *r = &tx->receivers[i];

		wr16(e, r->id);
		e[2] = r->perms;
		e[3] = r->flags;
		wr32(e + 4, tx->no_composite ? 0 : (uint32_t)comp);
		if (esz == FFAEMU_MEMDESC_EMAD_SIZE_V1_2)
			memcpy(e + 8, r->impdef, FFAEMU_MEMDESC_IMPDEF_SIZE);
	}
	if (!tx->no_composite) {
		uint8_t *c = p + comp;

		wr32(c, (uint32_t)pages);
		wr32(c + 4, (uint32_t)tx->constituent_count);
		c += FFAEMU_MEMDESC_COMPOSITE_SIZE;
		for (size_t i = 0; i < tx->constituent_count; i++) {
			wr64(c, tx->constituents[i].base);
			wr32(c + 8, (uint32_t)tx->constituents[i].pages);
			c += FFAEMU_MEMDESC_CONSTITUENT_SIZE;
		}
	}
	if (len_out)
		*len_out = len;
	return 0;
}

int ffaemu_memdesc_build_retrieve_req(ffaemu_id_t sender, ffaemu_handle_t handle, uint64_t tag,
				      uint32_t flags, uint16_t attributes,
				      const struct ffaemu_memdesc_receiver *receivers, uint32_t n,
				      uint32_t version, void *buf, size_t cap, size_t *len_out)
{
	struct ffaemu_memdesc_tx tx;

	memset(&tx, 0, sizeof(tx));
	tx.sender = sender;
	tx.handle = handle;
	tx.tag = tag;
	tx.flags = flags;
	tx.attributes = attributes;
	tx.receivers = receivers;
	tx.receiver_count = n;
	tx.no_composite = true;
	return ffaemu_memdesc_build(&tx, version, buf, cap, len_out);
}

int ffaemu_memdesc_build_hyp_retrieve_req(ffaemu_id_t sender, ffaemu_handle_t handle,
					  uint32_t version, void *buf, size_t cap,
					  size_t *len_out)
{
	return ffaemu_memdesc_build_retrieve_req(sender, handle, 0, 0, 0, NULL, 0, version, buf,
						 cap, len_out);
}

/* ---- relinquish ---- */

int ffaemu_memdesc_relinquish_parse(const void *buf, size_t len,
				    struct ffaemu_memdesc_relinquish *out,
				    struct ffaemu_memdesc_error *err)
{
	const uint8_t *p = buf;
	uint32_t n;

	if (!buf || !out)
		return FFAEMU_EINVAL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (len < FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE)
		return fail(err, FFAEMU_MEMDESC_R_LENGTH, 0, 0);
	n = rd32(p + 12);
	if (rd32(p + 8) & FFAEMU_MEMDESC_F_RELINQUISH_MBZ)
		return fail(err, FFAEMU_MEMDESC_R_RELINQUISH_FLAGS, 8, 0);
	/* At least the caller, and exactly the IDs it names (spec D8). */
	if (n == 0 || (uint64_t)FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE + 2ull * n != len)
		return fail(err, FFAEMU_MEMDESC_R_RELINQUISH_COUNT, 12, 0);
	out->buf = p;
	out->handle = rd64(p);
	out->flags = rd32(p + 8);
	out->endpoint_count = n;
	return 0;
}

ffaemu_id_t ffaemu_memdesc_relinquish_endpoint(const struct ffaemu_memdesc_relinquish *r,
					       uint32_t i)
{
	if (!r || !r->buf || i >= r->endpoint_count)
		return 0;
	return rd16(r->buf + FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE + 2 * (size_t)i);
}

int ffaemu_memdesc_relinquish_build(ffaemu_handle_t handle, uint32_t flags,
				    const ffaemu_id_t *ids, uint32_t n, void *buf, size_t cap,
				    size_t *len_out)
{
	uint8_t *p = buf;
	uint64_t len = FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE + 2ull * n;

	if (!buf || (n && !ids))
		return FFAEMU_EINVAL;
	if (len > cap)
		return FFAEMU_ERANGE;
	memset(p, 0, (size_t)len);
	wr64(p, handle);
	wr32(p + 8, flags);
	wr32(p + 12, n);
	for (uint32_t i = 0; i < n; i++)
		wr16(p + FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE + 2 * (size_t)i, ids[i]);
	if (len_out)
		*len_out = (size_t)len;
	return 0;
}

/* ---- fragmentation ---- */

int ffaemu_memdesc_fragment_len(const struct ffaemu_memdesc *d, size_t offset, size_t max,
				size_t *out)
{
	size_t total, head, n;

	if (!d || !out)
		return FFAEMU_EINVAL;
	total = d->total_len;
	head = d->composite_offset ? d->constituent_offset : total;
	if (offset == 0) {
		/* Fragment 1 holds everything up to the composite header (spec E2). */
		if (max < head)
			return FFAEMU_ERANGE;
		n = total < max ? total : max;
		*out = head + (n - head) / FFAEMU_MEMDESC_CONSTITUENT_SIZE *
				      FFAEMU_MEMDESC_CONSTITUENT_SIZE;
		return 0;
	}
	/* Later fragments: whole constituents only (spec E2, E3). */
	if (offset < head || offset >= total || (offset - head) % FFAEMU_MEMDESC_CONSTITUENT_SIZE)
		return FFAEMU_ERANGE;
	n = total - offset < max ? total - offset : max;
	n = n / FFAEMU_MEMDESC_CONSTITUENT_SIZE * FFAEMU_MEMDESC_CONSTITUENT_SIZE;
	if (n == 0)
		return FFAEMU_ERANGE;
	*out = n;
	return 0;
}
