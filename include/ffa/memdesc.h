/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FF-A memory-management descriptors (spec D3-D9, E1-E3): bounds-checked
 * parsers and builders for the memory transaction descriptor (v1.0 and
 * v1.1+ layouts), the relinquish descriptor, and fragmentation helpers.
 *
 * The layout follows the FF-A version of the endpoint that wrote (or will
 * read) the descriptor: v1.0 has a 32-byte header with the EMAD array at
 * offset 32 and an 8-bit attribute field; v1.1+ has a 48-byte header that
 * names the EMAD size and array offset. EMADs are 16 bytes up to v1.1 and
 * 32 bytes from v1.2 (spec D3, D4, G3).
 *
 * A parse never allocates: it validates every length, offset and count
 * against the buffer and fills a view that points into the buffer.
 * Accessors then read receivers and constituents through the view. The
 * buffer must stay alive and unchanged while the view is used.
 */
#ifndef FFAEMU_MEMDESC_H
#define FFAEMU_MEMDESC_H

#include <ffa/common.h>
#include <ffa/mem.h>

FFAEMU_BEGIN_DECLS

/* ---- Sizes (spec D3-D5, D8) ---- */
#define FFAEMU_MEMDESC_HDR_SIZE_V1_0 32u
#define FFAEMU_MEMDESC_HDR_SIZE_V1_1 48u
#define FFAEMU_MEMDESC_EMAD_SIZE_V1_0 16u /* v1.0 and v1.1 */
#define FFAEMU_MEMDESC_EMAD_SIZE_V1_2 32u /* v1.2+ */
#define FFAEMU_MEMDESC_COMPOSITE_SIZE 16u
#define FFAEMU_MEMDESC_CONSTITUENT_SIZE 16u
#define FFAEMU_MEMDESC_RELINQUISH_HDR_SIZE 16u
#define FFAEMU_MEMDESC_IMPDEF_SIZE 16u /* v1.2 EMAD impl-defined value */

/* ---- Access permissions byte of an EMAD (spec D4) ---- */
#define FFAEMU_MEM_PERM_DATA_MASK 0x3u
#define FFAEMU_MEM_PERM_DATA_NOT_SPECIFIED 0x0u
#define FFAEMU_MEM_PERM_DATA_RO 0x1u
#define FFAEMU_MEM_PERM_DATA_RW 0x2u
#define FFAEMU_MEM_PERM_DATA_RESERVED 0x3u
#define FFAEMU_MEM_PERM_INSTR_MASK 0xcu
#define FFAEMU_MEM_PERM_INSTR_NOT_SPECIFIED 0x0u
#define FFAEMU_MEM_PERM_INSTR_NX 0x4u
#define FFAEMU_MEM_PERM_INSTR_X 0x8u
#define FFAEMU_MEM_PERM_INSTR_RESERVED 0xcu
#define FFAEMU_MEM_PERM_MBZ 0xf0u

/* EMAD flags byte (spec D4). */
#define FFAEMU_MEMDESC_EMAD_F_NON_RETRIEVAL_BORROWER 0x1u
#define FFAEMU_MEMDESC_EMAD_F_MBZ 0xfeu

/* ---- Memory region attributes (spec D6) ---- */
#define FFAEMU_MEM_ATTR_SH_MASK 0x3u
#define FFAEMU_MEM_ATTR_SH_NON 0x0u
#define FFAEMU_MEM_ATTR_SH_RESERVED 0x1u
#define FFAEMU_MEM_ATTR_SH_OUTER 0x2u
#define FFAEMU_MEM_ATTR_SH_INNER 0x3u
#define FFAEMU_MEM_ATTR_CACHE_MASK 0xcu
#define FFAEMU_MEM_ATTR_CACHE_NC 0x4u
#define FFAEMU_MEM_ATTR_CACHE_WB 0xcu
#define FFAEMU_MEM_ATTR_DEV_NGNRNE 0x0u
#define FFAEMU_MEM_ATTR_DEV_NGNRE 0x4u
#define FFAEMU_MEM_ATTR_DEV_NGRE 0x8u
#define FFAEMU_MEM_ATTR_DEV_GRE 0xcu
#define FFAEMU_MEM_ATTR_TYPE_MASK 0x30u
#define FFAEMU_MEM_ATTR_TYPE_NOT_SPECIFIED 0x00u
#define FFAEMU_MEM_ATTR_TYPE_DEVICE 0x10u
#define FFAEMU_MEM_ATTR_TYPE_NORMAL 0x20u
#define FFAEMU_MEM_ATTR_TYPE_RESERVED 0x30u
#define FFAEMU_MEM_ATTR_NS 0x40u /* v1.1+: set only in RETRIEVE_RESP (spec D6, G7) */
#define FFAEMU_MEM_ATTR_MBZ_V1_0 0x80u   /* 8-bit field in v1.0 */
#define FFAEMU_MEM_ATTR_MBZ_V1_1 0xff80u /* 16-bit field in v1.1+ */
/* Normal, write-back, inner shareable: what Linux and OP-TEE send for SHARE. */
#define FFAEMU_MEM_ATTR_NORMAL_WB_INNER 0x2fu

/* ---- Transaction flags (spec D7) ---- */
/* DONATE / LEND / SHARE */
#define FFAEMU_MEMDESC_F_ZERO 0x1u       /* zero before mapping for receivers */
#define FFAEMU_MEMDESC_F_TIME_SLICE 0x2u
#define FFAEMU_MEMDESC_F_SEND_MBZ 0xfffffffcu
/* RETRIEVE_REQ / RETRIEVE_RESP */
#define FFAEMU_MEMDESC_F_ZERO_BEFORE 0x1u
#define FFAEMU_MEMDESC_F_ZERO_AFTER 0x4u
#define FFAEMU_MEMDESC_F_TYPE_SHIFT 3
#define FFAEMU_MEMDESC_F_TYPE_MASK 0x18u
#define FFAEMU_MEMDESC_F_ALIGN_HINT_MASK 0x1e0u
#define FFAEMU_MEMDESC_F_ALIGN_HINT_VALID 0x200u
#define FFAEMU_MEMDESC_F_BYPASS_MULTI_BORROWER 0x400u /* bit 10 (spec D7, UNCONFIRMED) */
#define FFAEMU_MEMDESC_F_RETRIEVE_MBZ 0xfffff800u
#define FFAEMU_MEMDESC_F_RESP_MBZ 0xffffffe0u
/* RELINQUISH descriptor flags and RECLAIM w3 */
#define FFAEMU_MEMDESC_F_RELINQUISH_MBZ 0xfffffffcu
#define FFAEMU_MEM_RECLAIM_F_ZERO 0x1u
#define FFAEMU_MEM_RECLAIM_F_TIME_SLICE 0x2u
#define FFAEMU_MEM_RECLAIM_F_MBZ 0xfffffffcu

/* Transaction type: flags bits 4:3 of retrieve descriptors (spec D7). */
enum ffaemu_mem_tx_type {
	FFAEMU_MEM_TX_UNSPECIFIED = 0,
	FFAEMU_MEM_TX_SHARE = 1,
	FFAEMU_MEM_TX_LEND = 2,
	FFAEMU_MEM_TX_DONATE = 3
};

/* ---- Handles (spec D9) ---- */
#define FFAEMU_MEM_HANDLE_ALLOC_HYP (1ull << 63) /* 1 = hypervisor, 0 = SPMC */
#define FFAEMU_MEM_HANDLE_INVALID 0xffffffffffffffffull

/* What a descriptor is for: selects the rules that apply (spec D3-D7, E1). */
enum ffaemu_memdesc_kind {
	FFAEMU_MEMDESC_SHARE = 1,         /* FFA_MEM_SHARE */
	FFAEMU_MEMDESC_LEND = 2,          /* FFA_MEM_LEND */
	FFAEMU_MEMDESC_DONATE = 3,        /* FFA_MEM_DONATE */
	FFAEMU_MEMDESC_RETRIEVE_REQ = 4,  /* FFA_MEM_RETRIEVE_REQ (count 0 = hypervisor) */
	FFAEMU_MEMDESC_RETRIEVE_RESP = 5  /* FFA_MEM_RETRIEVE_RESP */
};

/* The rule a descriptor broke. Each has a name and a spec citation. */
enum ffaemu_memdesc_rule {
	FFAEMU_MEMDESC_OK = 0,
	FFAEMU_MEMDESC_R_VERSION,           /* unknown FF-A version word */
	FFAEMU_MEMDESC_R_LENGTH,            /* buffer shorter than the header / > u32 */
	FFAEMU_MEMDESC_R_HDR_RESERVED,      /* reserved header field not zero */
	FFAEMU_MEMDESC_R_ATTR_MBZ,          /* attribute bits [15:7] (v1.0: [7]) set */
	FFAEMU_MEMDESC_R_ATTR_NS,           /* NS bit in a send or retrieve request */
	FFAEMU_MEMDESC_R_ATTR_RESERVED,     /* reserved type/shareability/cacheability */
	FFAEMU_MEMDESC_R_ATTR_TYPE,         /* type unset for DONATE / 1-borrower LEND, set otherwise */
	FFAEMU_MEMDESC_R_FLAGS_MBZ,         /* flag bits not defined for this kind */
	FFAEMU_MEMDESC_R_FLAGS_ZERO_SHARE,  /* zero-memory flag with SHARE */
	FFAEMU_MEMDESC_R_FLAGS_TYPE,        /* retrieve type bits do not match / missing */
	FFAEMU_MEMDESC_R_FLAGS_ALIGN_HINT,  /* address-range alignment hint not supported */
	FFAEMU_MEMDESC_R_HANDLE,            /* handle must be 0 in a send */
	FFAEMU_MEMDESC_R_EMAD_SIZE,         /* EMAD size field wrong for the version */
	FFAEMU_MEMDESC_R_EMAD_OFFSET_ALIGN, /* EMAD array offset not 16-byte aligned */
	FFAEMU_MEMDESC_R_EMAD_OFFSET_RANGE, /* EMAD array offset overlaps the header */
	FFAEMU_MEMDESC_R_EMAD_COUNT,        /* receiver count 0 (send) or array out of bounds */
	FFAEMU_MEMDESC_R_EMAD_RESERVED,     /* EMAD reserved bytes not zero */
	FFAEMU_MEMDESC_R_EMAD_FLAGS,        /* EMAD flag bits [7:1] set */
	FFAEMU_MEMDESC_R_PERM_RESERVED,     /* permission bits [7:4] or value 0b11 */
	FFAEMU_MEMDESC_R_PERM_DATA,         /* data access wrong for the transaction type */
	FFAEMU_MEMDESC_R_PERM_INSTR,        /* sender specified instruction access */
	FFAEMU_MEMDESC_R_RECEIVER_DUP,      /* the same receiver twice */
	FFAEMU_MEMDESC_R_RECEIVER_SENDER,   /* the sender names itself as receiver */
	FFAEMU_MEMDESC_R_COMPOSITE_MISMATCH,/* EMADs give different composite offsets */
	FFAEMU_MEMDESC_R_COMPOSITE_ZERO,    /* no composite in a send / response */
	FFAEMU_MEMDESC_R_COMPOSITE_ALIGN,   /* composite offset not 16-byte aligned */
	FFAEMU_MEMDESC_R_COMPOSITE_RANGE,   /* composite overlaps the EMADs or is out of bounds */
	FFAEMU_MEMDESC_R_COMPOSITE_RESERVED,/* composite reserved bytes not zero */
	FFAEMU_MEMDESC_R_RETRIEVE_COMPOSITE,/* a retrieve request carries a composite */
	FFAEMU_MEMDESC_R_RETRIEVE_LENGTH,   /* retrieve request length != offset + n * EMAD */
	FFAEMU_MEMDESC_R_CONSTITUENT_COUNT, /* 0 ranges, or count*16 != bytes that follow */
	FFAEMU_MEMDESC_R_CONSTITUENT_ALIGN, /* range base not 4 KiB aligned */
	FFAEMU_MEMDESC_R_CONSTITUENT_EMPTY, /* range of 0 pages */
	FFAEMU_MEMDESC_R_CONSTITUENT_WRAP,  /* range wraps past 2^64 */
	FFAEMU_MEMDESC_R_CONSTITUENT_RESERVED, /* constituent reserved bytes not zero */
	FFAEMU_MEMDESC_R_PAGE_COUNT,        /* composite page count != sum of ranges */
	FFAEMU_MEMDESC_R_FRAGMENT,          /* a fragment length breaks the E2 rules */
	FFAEMU_MEMDESC_R_RELINQUISH_COUNT,  /* relinquish endpoint count / length */
	FFAEMU_MEMDESC_R_RELINQUISH_FLAGS,  /* relinquish flag bits [31:2] */
	FFAEMU_MEMDESC_R_COUNT_             /* number of rules (not a rule) */
};

/* "FFAEMU_MEMDESC_R_EMAD_SIZE", or NULL for an unknown value. */
FFAEMU_API const char *ffaemu_memdesc_rule_name(enum ffaemu_memdesc_rule rule);
/* The spec citation of the rule ("DEN0077A 1.1 s10.10; spec D3"), or NULL. */
FFAEMU_API const char *ffaemu_memdesc_rule_spec(enum ffaemu_memdesc_rule rule);

/* Where and why a parse failed. */
struct ffaemu_memdesc_error {
	enum ffaemu_memdesc_rule rule;
	size_t offset;  /* byte offset of the offending field in the buffer */
	uint32_t index; /* receiver or constituent index, where it applies */
};

/* One receiver (EMAD + its permissions descriptor; spec D4). */
struct ffaemu_memdesc_receiver {
	ffaemu_id_t id;
	uint8_t perms;     /* FFAEMU_MEM_PERM_* */
	uint8_t flags;     /* FFAEMU_MEMDESC_EMAD_F_* */
	uint32_t composite_offset;
	uint8_t impdef[FFAEMU_MEMDESC_IMPDEF_SIZE]; /* v1.2+ only; zero otherwise */
};

/* A parsed transaction descriptor: a view into the caller's buffer. */
struct ffaemu_memdesc {
	const uint8_t *buf;
	size_t len;               /* bytes of buf the view may read */
	uint32_t version;         /* layout version (v1.0, v1.1, v1.2+) */
	ffaemu_id_t sender;
	uint16_t attributes;      /* FFAEMU_MEM_ATTR_* */
	uint32_t flags;
	ffaemu_handle_t handle;
	uint64_t tag;
	uint32_t emad_size;
	uint32_t emad_offset;
	uint32_t receiver_count;
	uint32_t composite_offset;   /* 0 = none (retrieve request) */
	uint32_t total_pages;        /* composite: total page count */
	uint32_t constituent_count;  /* composite: number of ranges */
	uint32_t constituent_offset; /* composite_offset + 16 */
	uint32_t constituents_present; /* whole ranges inside len (< count for a head) */
	uint32_t total_len;          /* full descriptor length (== len after a full parse) */
};

/*
 * Parse and validate a complete descriptor of `kind` written at FF-A
 * `version`, len bytes long. Returns 0 and fills *out, FFAEMU_EPARSE with
 * *err naming the broken rule (err may be NULL), or FFAEMU_EINVAL on API
 * misuse. Checks, in order: header and its reserved fields, attributes,
 * flags, handle, EMAD size/offset/count and every EMAD, composite offset
 * (equal in every EMAD, 16-byte aligned, after the EMAD array, inside
 * len), composite reserved field, len == composite + 16 + 16 * count, then
 * each constituent (4 KiB aligned, non-empty, no wrap, reserved zero) and
 * the page-count sum. Retrieve requests: no composite and the exact length
 * rule of spec E1 step 4. Constituent overlap is not checked here (it
 * needs sorting; see ffaemu_memdesc_ranges_overlap()).
 */
FFAEMU_API int ffaemu_memdesc_parse(const void *buf, size_t len, uint32_t version,
				    enum ffaemu_memdesc_kind kind, struct ffaemu_memdesc *out,
				    struct ffaemu_memdesc_error *err);

/*
 * Parse the first fragment of a send (spec E2): frag_len bytes must hold the
 * header, the EMADs and the composite header; total_len is the length of the
 * whole descriptor (w1) and must equal composite + 16 + 16 * count. The
 * constituents inside the fragment are validated; the rest are not present
 * (out->constituents_present says how many are). frag_len must leave whole
 * constituents only.
 */
FFAEMU_API int ffaemu_memdesc_parse_head(const void *buf, size_t frag_len, size_t total_len,
					 uint32_t version, enum ffaemu_memdesc_kind kind,
					 struct ffaemu_memdesc *out,
					 struct ffaemu_memdesc_error *err);

/* Receiver i (< receiver_count) of a parsed view. FFAEMU_ERANGE past the end. */
FFAEMU_API int ffaemu_memdesc_receiver(const struct ffaemu_memdesc *d, uint32_t i,
				       struct ffaemu_memdesc_receiver *out);
/* Index of the receiver with ID id, or -1. */
FFAEMU_API int64_t ffaemu_memdesc_find_receiver(const struct ffaemu_memdesc *d, ffaemu_id_t id);
/* Constituent i (< constituents_present) as a range of pages. */
FFAEMU_API int ffaemu_memdesc_constituent(const struct ffaemu_memdesc *d, uint32_t i,
					  struct ffaemu_range *out);

/* Iterate the constituents present in a view, in order. */
struct ffaemu_memdesc_iter {
	const struct ffaemu_memdesc *d;
	uint32_t next;
};
FFAEMU_API void ffaemu_memdesc_iter_init(struct ffaemu_memdesc_iter *it,
					 const struct ffaemu_memdesc *d);
/* Fills *out and returns true, or returns false at the end. */
FFAEMU_API bool ffaemu_memdesc_iter_next(struct ffaemu_memdesc_iter *it, struct ffaemu_range *out);

/*
 * Validate n raw 16-byte constituents (a later fragment, spec E2) at
 * base_index of the whole array: alignment, non-empty, no wrap, reserved
 * zero. Adds their page counts to *pages_sum (u64, cannot overflow for
 * u32 counts).
 */
FFAEMU_API int ffaemu_memdesc_check_constituents(const void *buf, size_t len, uint32_t base_index,
						 uint64_t *pages_sum,
						 struct ffaemu_memdesc_error *err);

/*
 * True if any two of ranges[0..n) overlap. Sorts ranges in place by base
 * (O(n log n), no allocation).
 */
FFAEMU_API bool ffaemu_memdesc_ranges_overlap(struct ffaemu_range *ranges, size_t n);

/* ---- Building ---- */

/* Everything a transaction descriptor holds, for the builder. */
struct ffaemu_memdesc_tx {
	ffaemu_id_t sender;
	uint16_t attributes;
	uint32_t flags;
	ffaemu_handle_t handle;
	uint64_t tag;
	uint32_t receiver_count;
	const struct ffaemu_memdesc_receiver *receivers; /* composite_offset is ignored */
	bool no_composite;        /* retrieve request: every composite offset 0 */
	uint32_t total_pages;     /* 0 = the sum of the constituents */
	size_t constituent_count;
	const struct ffaemu_range *constituents; /* pages must fit 32 bits */
};

/* Bytes the descriptor takes at `version` (header, EMADs, composite, ranges). */
FFAEMU_API int ffaemu_memdesc_size(const struct ffaemu_memdesc_tx *tx, uint32_t version,
				   size_t *out);
/*
 * Write tx at `version` into buf (cap bytes). Layout: header, EMAD array
 * right after it, composite right after the EMADs (16-byte aligned), then
 * the constituents. FFAEMU_ERANGE if it does not fit (nothing useful
 * written), FFAEMU_EINVAL for bad input (page count > u32, > u32 ranges).
 */
FFAEMU_API int ffaemu_memdesc_build(const struct ffaemu_memdesc_tx *tx, uint32_t version,
				    void *buf, size_t cap, size_t *len_out);
/*
 * A retrieve request (spec E1 step 4): no composite, receivers as given
 * (their perms are what the retriever asks for).
 */
FFAEMU_API int ffaemu_memdesc_build_retrieve_req(ffaemu_id_t sender, ffaemu_handle_t handle,
						 uint64_t tag, uint32_t flags, uint16_t attributes,
						 const struct ffaemu_memdesc_receiver *receivers,
						 uint32_t n, uint32_t version, void *buf,
						 size_t cap, size_t *len_out);
/*
 * A hypervisor retrieve request (spec E1): header only, receiver count 0,
 * sender and handle set, everything else zero (48 bytes at v1.1+).
 */
FFAEMU_API int ffaemu_memdesc_build_hyp_retrieve_req(ffaemu_id_t sender, ffaemu_handle_t handle,
						     uint32_t version, void *buf, size_t cap,
						     size_t *len_out);

/* ---- Relinquish descriptor (spec D8) ---- */
struct ffaemu_memdesc_relinquish {
	const uint8_t *buf;
	ffaemu_handle_t handle;
	uint32_t flags;
	uint32_t endpoint_count;
};
/* len must be exactly 16 + 2 * count (count >= 1); flags [31:2] MBZ. */
FFAEMU_API int ffaemu_memdesc_relinquish_parse(const void *buf, size_t len,
					       struct ffaemu_memdesc_relinquish *out,
					       struct ffaemu_memdesc_error *err);
FFAEMU_API ffaemu_id_t ffaemu_memdesc_relinquish_endpoint(const struct ffaemu_memdesc_relinquish *r,
							  uint32_t i);
FFAEMU_API int ffaemu_memdesc_relinquish_build(ffaemu_handle_t handle, uint32_t flags,
					       const ffaemu_id_t *ids, uint32_t n, void *buf,
					       size_t cap, size_t *len_out);

/* ---- Fragmentation (spec E2, E3) ---- */
/*
 * Length of the fragment that starts at byte `offset` of a descriptor
 * (parsed view d of the whole descriptor) when at most max bytes fit. The
 * first fragment (offset 0) holds everything up to and including the
 * composite header plus as many whole constituents as fit; later fragments
 * hold whole 16-byte constituents only. FFAEMU_ERANGE if max cannot hold
 * the first fragment's head or one constituent, or offset is not a
 * fragment boundary.
 */
FFAEMU_API int ffaemu_memdesc_fragment_len(const struct ffaemu_memdesc *d, size_t offset,
					   size_t max, size_t *out);

/* ---- The built-in memory partition's request (FFAEMU_SP_MEMORY, spmc.h) ---- */
/*
 * FFA_MSG_SEND_DIRECT_REQ(_64) to the partition: w3/w4 = handle lo/hi,
 * w5 = operation, w6 = value, w7 = bit 31 set: [15:0] names the
 * transaction's sender (else the requester is the sender). The tag must be
 * 0. The partition retrieves the handle into its own RX (following FRAG_RX
 * for large descriptors), performs the operation on every page through the
 * emulated memory, relinquishes (not after a DONATE: the pages are its own
 * then) and answers FFA_MSG_SEND_DIRECT_RESP (same width) with w3 = status
 * (0 or the FF-A error of the failing step), w4 = result, w5 = total pages,
 * w6 = the failing step (FFAEMU_SP_MEMORY_STEP_*), w7 = 0.
 */
#define FFAEMU_SP_MEMORY_OP_CHECKSUM 0u /* result = sum of all LE 32-bit words, mod 2^32 */
#define FFAEMU_SP_MEMORY_OP_WRITE 1u    /* every 32-bit word := value; result = checksum */
#define FFAEMU_SP_MEMORY_OP_READ 2u     /* result = the first 32-bit word of the first range */
#define FFAEMU_SP_MEMORY_SENDER_VALID (1u << 31)

#define FFAEMU_SP_MEMORY_STEP_NONE 0u
#define FFAEMU_SP_MEMORY_STEP_REQUEST 1u    /* bad operation or request encoding */
#define FFAEMU_SP_MEMORY_STEP_RETRIEVE 2u   /* FFA_MEM_RETRIEVE_REQ failed */
#define FFAEMU_SP_MEMORY_STEP_FRAGMENT 3u   /* FFA_MEM_FRAG_RX failed or inconsistent */
#define FFAEMU_SP_MEMORY_STEP_DESCRIPTOR 4u /* the response did not parse */
#define FFAEMU_SP_MEMORY_STEP_ACCESS 5u     /* a range is not accessible memory / RO write */
#define FFAEMU_SP_MEMORY_STEP_RELINQUISH 6u /* FFA_MEM_RELINQUISH failed */

FFAEMU_END_DECLS

#endif /* FFAEMU_MEMDESC_H */
