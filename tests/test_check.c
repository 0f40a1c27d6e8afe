/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance checker: every rule in the catalogue fires on a peer that
 * misbehaves in exactly that one way and stays silent on a conforming one
 * (one table row each), and offline checking of the JSON Lines trace of
 * each row gives the same findings as online checking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/check.h>
#include <ffa/conduit.h>
#include <ffa/node.h>
#include <ffa/smccc.h>
#include <ffa/system.h>
#include <ffa/trace.h>

#include "failalloc.h"

/* ---- a scripted callee: answers each call with the next reply of the row ---- */

#define MAX_STEPS 5
#define X07 0xffu
#define XALL FFAEMU_REGS_ALL

struct step {
	struct ffaemu_call_ctx ctx; /* zero: host (ID 0) at the NS physical instance */
	struct ffaemu_regs in;
	struct ffaemu_regs reply;
	uint32_t reply_mask;        /* registers the callee writes; 0 = x0-x7 */
};

struct rcase {
	const char *rule;
	bool fires;
	const char *what;
	bool no_callee;
	struct step steps[MAX_STEPS];
};

struct script {
	const struct step *cur;
};

static void script_call(void *self, struct ffaemu_regs *regs, const struct ffaemu_call_ctx *ctx)
{
	struct script *s = self;
	uint32_t mask = s->cur->reply_mask ? s->cur->reply_mask : X07;
	(void)ctx;

	for (unsigned n = 0; n < FFAEMU_NREGS; n++)
		if (mask & FFAEMU_REG(n))
			regs->x[n] = s->cur->reply.x[n];
}

static const struct ffaemu_node_ops script_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "script",
	.call = script_call,
};

/* ---- row building blocks ---- */

#define U32(v) ((uint64_t)(uint32_t)(v))
#define V12 FFAEMU_FFA_1_2
#define NEG_VERSION                                                         \
	{.in = {{FFAEMU_FFA_VERSION, V12}}, .reply = {{V12}}}
#define SUCC(...) {{FFAEMU_FFA_SUCCESS, __VA_ARGS__}}
#define ERR(code) {{FFAEMU_FFA_ERROR, 0, U32(code)}}
#define CALL(...) {{__VA_ARGS__}}

#define NV1 {.caller = 1, .instance = FFAEMU_INSTANCE_NV, .el = 1}
#define SP1 {.caller = 0x8001, .instance = FFAEMU_INSTANCE_SV, .el = 1, .secure = true}

#define PSCI_V FFAEMU_PSCI_VERSION
#define FEAT FFAEMU_FFA_FEATURES
#define REQ FFAEMU_FFA_MSG_SEND_DIRECT_REQ
#define RESP FFAEMU_FFA_MSG_SEND_DIRECT_RESP
#define REQ2 FFAEMU_FFA_MSG_SEND_DIRECT_REQ2
#define RESP2 FFAEMU_FFA_MSG_SEND_DIRECT_RESP2
#define PIG FFAEMU_FFA_PARTITION_INFO_GET
#define PIGR FFAEMU_FFA_PARTITION_INFO_GET_REGS
#define PIGR_X2(last, cur, size) (((uint64_t)(size) << 48) | ((uint64_t)(cur) << 16) | (last))

/* clang-format off */
static const struct rcase cases[] = {
	/* ---- SMCCC ---- */
	{"SMCCC-FID-001", true, "fast call with reserved bit 17 set",
	 .steps = {{.in = CALL(FFAEMU_PSCI_VERSION | 0x20000u), .reply = CALL(UINT64_MAX), .reply_mask = 1}}},
	{"SMCCC-FID-001", false, "PSCI_VERSION with reserved bits clear",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-FID-002", true, "AArch32 caller uses RXTX_MAP_64",
	 .steps = {{.ctx = {.aarch32 = true}, .in = CALL(FFAEMU_FFA_RXTX_MAP_64, 0x1000, 0x2000, 1)}}},
	{"SMCCC-FID-002", false, "AArch32 caller uses PSCI_VERSION",
	 .steps = {{.ctx = {.aarch32 = true}, .in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-IMM-001", true, "SMC #1",
	 .steps = {{.ctx = {.imm = 1}, .in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-IMM-001", false, "SMC #0",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-PRES-001", true, "callee clobbers x8 of an SMC32 call at SMCCC 1.2",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x10001, 0, 0, 0, 0, 0, 0, 0, 5), .reply_mask = 0x1ff}}},
	{"SMCCC-PRES-001", false, "callee writes x0-x7 only",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-W32-001", true, "SMC32 result with bit 32 set",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x100010001ull)}}},
	{"SMCCC-W32-001", false, "SMC32 result zero-extended",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-W32-001", false, "SMC32 register the callee left alone keeps the caller's upper half",
	 .steps = {{.in = CALL(PSCI_V, 0, 0, 0, 0, 0, 0, 0x100000000ull), .reply = CALL(0x10001),
		    .reply_mask = 1}}},
	{"SMCCC-W32-001", true, "SMC32 result written with the caller's upper half changed",
	 .steps = {{.in = CALL(PSCI_V, 0, 0, 0, 0, 0, 0, 0x100000000ull),
		    .reply = CALL(0x10001, 0, 0, 0, 0, 0, 0, 0x200000000ull), .reply_mask = X07}}},
	{"SMCCC-W32-001", false, "unknown SMC answered with -1 sign-extended (DEN0028B)",
	 .steps = {{.in = CALL(0x82000001u), .reply = CALL(UINT64_MAX), .reply_mask = 1}}},
	{"SMCCC-RES-001", true, "edge without callee", .no_callee = true,
	 .steps = {{.in = CALL(PSCI_V)}}},
	{"SMCCC-RES-001", false, "edge with callee",
	 .steps = {{.in = CALL(PSCI_V), .reply = CALL(0x10001)}}},
	{"SMCCC-VER-001", true, "SMCCC_VERSION answers 1.0",
	 .steps = {{.in = CALL(FFAEMU_SMCCC_VERSION_FID), .reply = CALL(FFAEMU_SMCCC_1_0)}}},
	{"SMCCC-VER-001", false, "SMCCC_VERSION answers 1.2",
	 .steps = {{.in = CALL(FFAEMU_SMCCC_VERSION_FID), .reply = CALL(FFAEMU_SMCCC_1_2)}}},

	/* ---- FF-A, caller side ---- */
	{"FFA-MBZ-ARG-001", true, "ID_GET with w1 set",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET, 5), .reply = SUCC(0, 0)}}},
	{"FFA-MBZ-ARG-001", false, "ID_GET with no arguments",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0)}}},
	{"FFA-MBZ-ARG-001", false, "SMC32 ID_GET with garbage only in the upper half of x1",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET, 0xffffffff00000000ull), .reply = SUCC(0, 0)}}},
	{"FFA-VER-001", true, "ID_GET before FFA_VERSION",
	 .steps = {{.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0)}}},
	{"FFA-VER-001", false, "ID_GET after FFA_VERSION",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0)}}},
	{"FFA-VER-001", false, "a partition calls without FFA_VERSION (its manifest gives the version)",
	 .steps = {{.ctx = SP1, .in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0x8001)}}},
	{"FFA-VER-001", true, "a VM at the NS virtual instance calls before FFA_VERSION",
	 .steps = {{.ctx = NV1, .in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 1)}}},
	{"FFA-VER-002", true, "FFA_VERSION(0x80010002)",
	 .steps = {{.in = CALL(FFAEMU_FFA_VERSION, 0x80010002u), .reply = CALL(U32(-1))}}},
	{"FFA-VER-002", false, "FFA_VERSION(1.2)", .steps = {NEG_VERSION}},
	{"FFA-VER-003", true, "FFA_VERSION(1.1) after negotiating 1.2 and calling ID_GET",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0)},
		   {.in = CALL(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1), .reply = CALL(U32(-1))}}},
	{"FFA-VER-003", false, "FFA_VERSION(1.2) again after ID_GET",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0)}, NEG_VERSION}},
	{"FFA-WIDTH-001", true, "DIRECT_REQ2 with a 32-bit FID",
	 .steps = {NEG_VERSION, {.in = CALL(REQ2 & ~FFAEMU_SMCCC_SMC64, 0x8001), .reply = ERR(FFAEMU_FFA_NOT_SUPPORTED)}}},
	{"FFA-WIDTH-001", false, "DIRECT_REQ2 with its 64-bit FID",
	 .steps = {NEG_VERSION, {.in = CALL(REQ2, 0x8001), .reply = CALL(RESP2, 0x80010000u)}}},
	{"FFA-WIDTH-002", true, "ID_GET with a 64-bit FID",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET | FFAEMU_SMCCC_SMC64), .reply = ERR(FFAEMU_FFA_NOT_SUPPORTED)}}},
	{"FFA-WIDTH-002", false, "RXTX_MAP_64 (both widths exist)",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP_64, 0x1000, 0x2000, 1), .reply = SUCC(0)}}},
	{"FFA-ABI-001", true, "SPM_ID_GET (v1.1) by a v1.0 caller",
	 .steps = {{.in = CALL(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_0), .reply = CALL(V12)},
		   {.in = CALL(FFAEMU_FFA_SPM_ID_GET), .reply = SUCC(0, 0x8000)}}},
	{"FFA-ABI-001", false, "SPM_ID_GET by a v1.2 caller",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_SPM_ID_GET), .reply = SUCC(0, 0x8000)}}},
	{"FFA-DIRECT-001", true, "partition message with a type in w2 but no framework bit",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001, 1), .reply = CALL(RESP, 0x80010000u)}}},
	{"FFA-DIRECT-001", false, "partition message with w2 = 0",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001), .reply = CALL(RESP, 0x80010000u)}}},
	{"FFA-DIRECT-002", true, "sender == receiver",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x80018001u), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-DIRECT-002", false, "sender != receiver",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x00008001u), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-DIRECT-003", true, "VM 1 sends as VM 2",
	 .steps = {{.ctx = NV1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = NV1, .in = CALL(REQ, 0x00028001u), .reply = CALL(RESP, 0x80010002u)}}},
	{"FFA-DIRECT-003", false, "VM 1 sends as itself",
	 .steps = {{.ctx = NV1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = NV1, .in = CALL(REQ, 0x00018001u), .reply = CALL(RESP, 0x80010001u)}}},
	{"FFA-CONS-001", true, "CONSOLE_LOG with 0 characters",
	 .steps = {{.ctx = SP1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = SP1, .in = CALL(FFAEMU_FFA_CONSOLE_LOG, 0), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-CONS-001", false, "CONSOLE_LOG with 3 characters",
	 .steps = {{.ctx = SP1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = SP1, .in = CALL(FFAEMU_FFA_CONSOLE_LOG, 3, 0x636261), .reply = SUCC(0)}}},
	{"FFA-RXTX-001", true, "RXTX_MAP with TX == RX",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x1000, 1), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-RXTX-001", false, "RXTX_MAP with distinct aligned buffers",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x2000, 1), .reply = SUCC(0)}}},

	{"FFA-RXTX-001", false, "hypervisor form for a VM: x1 = x2 = w3 = 0",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP_64), .reply = SUCC(0)}}},

	/* ---- FF-A, callee side ---- */
	{"FFA-MBZ-RES-001", true, "ID_GET success with w3 set",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0, 7)}}},
	{"FFA-MBZ-RES-001", false, "ID_GET success with w3 clear",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0, 0)}}},
	{"FFA-ERR-001", true, "FFA_ERROR with w4 set",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, 0x840000e0u), .reply = CALL(FFAEMU_FFA_ERROR, 0, U32(-1), 0, 1)}}},
	{"FFA-ERR-001", false, "FFA_ERROR with w3-w7 clear",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, 0x840000e0u), .reply = ERR(FFAEMU_FFA_NOT_SUPPORTED)}}},
	{"FFA-ERR-001", false, "RETRY from CONSOLE_LOG may carry its argument in w3",
	 .steps = {{.ctx = SP1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = SP1, .in = CALL(FFAEMU_FFA_CONSOLE_LOG, 3, 0x636261), .reply = CALL(FFAEMU_FFA_ERROR, 0, U32(-7), 2)}}},
	{"FFA-ERR-002", true, "FFA_ERROR to FEATURES with target info",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, 0x840000e0u), .reply = CALL(FFAEMU_FFA_ERROR, 0x80010000u, U32(-1))}}},
	{"FFA-ERR-002", false, "FFA_ERROR to FFA_RUN naming the vCPU",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RUN, 0x80010000u), .reply = CALL(FFAEMU_FFA_ERROR, 0x80010000u, U32(-6))}}},
	{"FFA-ERR-003", true, "error code -11",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, 0x840000e0u), .reply = ERR(-11)}}},
	{"FFA-ERR-003", false, "error code -10 (NOT_READY)",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, 0x840000e0u), .reply = ERR(-10)}}},
	{"FFA-ERR-004", true, "unknown FF-A FID answered with bare -1",
	 .steps = {NEG_VERSION, {.in = CALL(0x840000e0u), .reply = CALL(UINT64_MAX), .reply_mask = 1}}},
	{"FFA-ERR-004", false, "unknown FF-A FID answered with FFA_ERROR(NOT_SUPPORTED)",
	 .steps = {NEG_VERSION, {.in = CALL(0x840000e0u), .reply = ERR(FFAEMU_FFA_NOT_SUPPORTED)}}},
	{"FFA-VER-004", true, "FFA_VERSION wrapped in FFA_SUCCESS",
	 .steps = {{.in = CALL(FFAEMU_FFA_VERSION, V12), .reply = SUCC(0, V12)}}},
	{"FFA-VER-004", false, "FFA_VERSION bare", .steps = {NEG_VERSION}},
	{"FFA-VER-005", true, "FFA_VERSION answers 0x80000001",
	 .steps = {{.in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(0x80000001u)}}},
	{"FFA-VER-005", false, "FFA_VERSION answers -1",
	 .steps = {{.in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(U32(-1))}}},
	{"FFA-VER-006", true, "FFA_VERSION reply with w1 set",
	 .steps = {{.in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12, V12)}}},
	{"FFA-VER-006", false, "FFA_VERSION reply with w1-w7 clear", .steps = {NEG_VERSION}},
	{"FFA-REPLY-001", true, "direct request answered with FFA_SUCCESS",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001), .reply = SUCC(0)}}},
	{"FFA-REPLY-001", false, "direct request answered with FFA_INTERRUPT",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001), .reply = CALL(FFAEMU_FFA_INTERRUPT, 0x80010000u)}}},
	{"FFA-REPLY-002", true, "DIRECT_REQ_32 answered with DIRECT_RESP_64",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001), .reply = CALL(FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64, 0x80010000u)}}},
	{"FFA-REPLY-002", false, "DIRECT_REQ_64 answered with DIRECT_RESP_64",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001), .reply = CALL(FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64, 0x80010000u)}}},
	{"FFA-REPLY-003", true, "framework VERSION_REQ answered with a partition response",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001, 0x80000008u, V12), .reply = CALL(RESP, 0x80010000u, 0, V12)}}},
	{"FFA-REPLY-003", false, "framework VERSION_REQ answered with VERSION_RESP",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001, 0x80000008u, V12), .reply = CALL(RESP, 0x80010000u, 0x80000009u, V12)}}},
	{"FFA-DIRECT-004", true, "response from the wrong endpoint",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001), .reply = CALL(RESP, 0x80020000u)}}},
	{"FFA-DIRECT-004", false, "response from the receiver to the sender",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x8001), .reply = CALL(RESP, 0x80010000u)}}},
	{"FFA-DIRECT-005", true, "RESP2 with x2 set",
	 .steps = {NEG_VERSION, {.in = CALL(REQ2, 0x8001), .reply = CALL(RESP2, 0x80010000u, 1)}}},
	{"FFA-DIRECT-005", false, "RESP2 with x2/x3 clear",
	 .steps = {NEG_VERSION, {.in = CALL(REQ2, 0x8001), .reply = CALL(RESP2, 0x80010000u)}}},
	{"FFA-RX-001", true, "second PARTITION_INFO_GET succeeds without RX_RELEASE",
	 .steps = {NEG_VERSION, {.in = CALL(PIG), .reply = SUCC(0, 1, 24)}, {.in = CALL(PIG), .reply = SUCC(0, 1, 24)}}},
	{"FFA-RX-001", false, "PARTITION_INFO_GET, RX_RELEASE, PARTITION_INFO_GET",
	 .steps = {NEG_VERSION, {.in = CALL(PIG), .reply = SUCC(0, 1, 24)},
		   {.in = CALL(FFAEMU_FFA_RX_RELEASE), .reply = SUCC(0)}, {.in = CALL(PIG), .reply = SUCC(0, 1, 24)}}},
	{"FFA-RX-002", true, "RX_RELEASE succeeds with nothing in RX",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RX_RELEASE), .reply = SUCC(0)}}},
	{"FFA-RX-002", false, "RX_RELEASE of an empty RX is DENIED",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RX_RELEASE), .reply = ERR(FFAEMU_FFA_DENIED)}}},
	{"FFA-PINFO-001", true, "v1.2 caller told descriptors are 8 bytes",
	 .steps = {NEG_VERSION, {.in = CALL(PIG), .reply = SUCC(0, 1, 8)}}},
	{"FFA-PINFO-001", false, "v1.2 caller told descriptors are 24 bytes",
	 .steps = {NEG_VERSION, {.in = CALL(PIG), .reply = SUCC(0, 1, 24)}}},
	{"FFA-PINFO-001", false, "count-only request reports size 0 and leaves RX alone",
	 .steps = {NEG_VERSION, {.in = CALL(PIG, 0, 0, 0, 0, 1), .reply = SUCC(0, 4, 0)},
		   {.in = CALL(PIG, 0, 0, 0, 0, 1), .reply = SUCC(0, 4, 0)}}},
	{"FFA-PIREGS-001", true, "PARTITION_INFO_GET_REGS answered with FFA_SUCCESS_32",
	 .steps = {NEG_VERSION, {.in = CALL(PIGR), .reply = SUCC(0, PIGR_X2(0, 0, 24)), .reply_mask = XALL}}},
	{"FFA-PIREGS-001", false, "PARTITION_INFO_GET_REGS answered with FFA_SUCCESS_64",
	 .steps = {NEG_VERSION, {.in = CALL(PIGR), .reply = CALL(FFAEMU_FFA_SUCCESS_64, 0, PIGR_X2(0, 0, 24)), .reply_mask = XALL}}},
	{"FFA-PIREGS-002", true, "current index beyond last index",
	 .steps = {NEG_VERSION, {.in = CALL(PIGR), .reply = CALL(FFAEMU_FFA_SUCCESS_64, 0, PIGR_X2(0, 1, 24)), .reply_mask = XALL}}},
	{"FFA-PIREGS-002", false, "one 24-byte descriptor, index 0 of 0",
	 .steps = {NEG_VERSION, {.in = CALL(PIGR), .reply = CALL(FFAEMU_FFA_SUCCESS_64, 0, PIGR_X2(0, 0, 24)), .reply_mask = XALL}}},
	{"FFA-MEM-001", true, "second MEM_RECLAIM of the same handle succeeds",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x70), .reply = SUCC(0, 0x1234, 0)},
		   {.in = CALL(FFAEMU_FFA_MEM_RECLAIM, 0x1234), .reply = SUCC(0)},
		   {.in = CALL(FFAEMU_FFA_MEM_RECLAIM, 0x1234), .reply = SUCC(0)}}},
	{"FFA-MEM-001", false, "second MEM_RECLAIM is refused",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x70), .reply = SUCC(0, 0x1234, 0)},
		   {.in = CALL(FFAEMU_FFA_MEM_RECLAIM, 0x1234), .reply = SUCC(0)},
		   {.in = CALL(FFAEMU_FFA_MEM_RECLAIM, 0x1234), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-MEM-002", true, "MEM_SHARE returns the invalid handle",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x70), .reply = SUCC(0, 0xffffffffu, 0xffffffffu)}}},
	{"FFA-MEM-002", false, "MEM_SHARE returns handle 1",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x70), .reply = SUCC(0, 1, 0)}}},
	{"FFA-MEM-003", true, "two live transactions get the same handle",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x70), .reply = SUCC(0, 5, 0)},
		   {.in = CALL(FFAEMU_FFA_MEM_LEND, 0x70, 0x70), .reply = SUCC(0, 5, 0)}}},
	{"FFA-MEM-003", false, "a handle is reused only after reclaim",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x70), .reply = SUCC(0, 5, 0)},
		   {.in = CALL(FFAEMU_FFA_MEM_RECLAIM, 5), .reply = SUCC(0)},
		   {.in = CALL(FFAEMU_FFA_MEM_LEND, 0x70, 0x70), .reply = SUCC(0, 5, 0)}}},
	{"FFA-ID-001", true, "host at NS physical gets ID 1",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 1)}}},
	{"FFA-ID-001", false, "host at NS physical gets ID 0",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0)}}},
	{"FFA-ID-002", true, "SP gets a non-secure ID",
	 .steps = {{.ctx = SP1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = SP1, .in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0x0001)}}},
	{"FFA-ID-002", false, "SP gets a secure ID",
	 .steps = {{.ctx = SP1, .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = SP1, .in = CALL(FFAEMU_FFA_ID_GET), .reply = SUCC(0, 0x8001)}}},
	{"FFA-FEAT-001", true, "RXTX_MAP minimum size code 0b11 (reserved)",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, FFAEMU_FFA_RXTX_MAP_64), .reply = SUCC(0, 3)}}},
	{"FFA-FEAT-001", false, "RXTX_MAP 4K minimum, 1 page maximum (v1.2)",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, FFAEMU_FFA_RXTX_MAP_64), .reply = SUCC(0, 0x10000)}}},
	{"FFA-RXTX-002", true, "second RXTX_MAP succeeds",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x2000, 1), .reply = SUCC(0)},
		   {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x3000, 0x4000, 1), .reply = SUCC(0)}}},
	{"FFA-RXTX-002", false, "second RXTX_MAP is DENIED",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x2000, 1), .reply = SUCC(0)},
		   {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x3000, 0x4000, 1), .reply = ERR(FFAEMU_FFA_DENIED)}}},
	{"FFA-RXTX-003", true, "RXTX_UNMAP succeeds with nothing mapped",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_UNMAP), .reply = SUCC(0)}}},
	{"FFA-RXTX-003", false, "RXTX_MAP then RXTX_UNMAP",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x2000, 1), .reply = SUCC(0)},
		   {.in = CALL(FFAEMU_FFA_RXTX_UNMAP), .reply = SUCC(0)}}},
	{"FFA-DIRECT-006", true, "host sends as secure endpoint 0x8002",
	 .steps = {NEG_VERSION, {.in = CALL(REQ, 0x80028001u), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-DIRECT-006", false, "SP 0x8002 sends to SP 0x8001",
	 .steps = {{.ctx = {.caller = 0x8002, .instance = FFAEMU_INSTANCE_SV, .el = 1, .secure = true},
		    .in = CALL(FFAEMU_FFA_VERSION, V12), .reply = CALL(V12)},
		   {.ctx = {.caller = 0x8002, .instance = FFAEMU_INSTANCE_SV, .el = 1, .secure = true},
		    .in = CALL(REQ, 0x80028001u), .reply = CALL(RESP, 0x80018002u)}}},
	{"FFA-MEM-004", true, "MEM_SHARE fragment longer than the total",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x70, 0x80), .reply = ERR(FFAEMU_FFA_INVALID_PARAMETERS)}}},
	{"FFA-MEM-004", false, "MEM_SHARE in two fragments",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x100, 0x70), .reply = CALL(FFAEMU_FFA_MEM_FRAG_RX, 7, 0, 0x70)},
		   {.in = CALL(FFAEMU_FFA_MEM_FRAG_TX, 7, 0, 0x90), .reply = SUCC(0, 7, 0)}}},
	{"FFA-FEAT-002", true, "feature ID query with bit 8 set",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, 0x102), .reply = ERR(FFAEMU_FFA_NOT_SUPPORTED)}}},
	{"FFA-FEAT-002", false, "SRI feature ID query",
	 .steps = {NEG_VERSION, {.in = CALL(FEAT, FFAEMU_FFA_FEATURE_SRI), .reply = SUCC(0, 8)}}},
	{"FFA-MEM-005", true, "FRAG_RX offset is the last fragment's length, not the running total",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x100, 0x70), .reply = CALL(FFAEMU_FFA_MEM_FRAG_RX, 7, 0, 0x70)},
		   {.in = CALL(FFAEMU_FFA_MEM_FRAG_TX, 7, 0, 0x40), .reply = CALL(FFAEMU_FFA_MEM_FRAG_RX, 7, 0, 0x40)}}},
	{"FFA-MEM-005", false, "FRAG_RX offsets 0x70 then 0xb0, then SUCCESS",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_MEM_SHARE, 0x100, 0x70), .reply = CALL(FFAEMU_FFA_MEM_FRAG_RX, 7, 0, 0x70)},
		   {.in = CALL(FFAEMU_FFA_MEM_FRAG_TX, 7, 0, 0x40), .reply = CALL(FFAEMU_FFA_MEM_FRAG_RX, 7, 0, 0xb0)},
		   {.in = CALL(FFAEMU_FFA_MEM_FRAG_TX, 7, 0, 0x50), .reply = SUCC(0, 7, 0)}}},
	{"FFA-NOTIF-001", true, "INFO_GET with reserved bit 1 set",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_NOTIFICATION_INFO_GET), .reply = SUCC(0, (1u << 7) | 2u, 0x8001)}}},
	{"FFA-NOTIF-001", false, "INFO_GET: one list, SP 0x8001 with one vCPU",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_NOTIFICATION_INFO_GET), .reply = SUCC(0, (1u << 7) | (1u << 12), 0x8001)}}},
	{"FFA-NOTIF-002", true, "INFO_GET success with no lists",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_NOTIFICATION_INFO_GET), .reply = SUCC(0, 0)}}},
	{"FFA-NOTIF-002", false, "INFO_GET with nothing pending: NO_DATA",
	 .steps = {NEG_VERSION, {.in = CALL(FFAEMU_FFA_NOTIFICATION_INFO_GET), .reply = ERR(FFAEMU_FFA_NO_DATA)}}},
};
/* clang-format on */

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static size_t nsteps(const struct rcase *c)
{
	size_t n = 0;

	while (n < MAX_STEPS && c->steps[n].in.x[0])
		n++;
	return n;
}

/* ---- running a row ---- */

struct run {
	struct script script;
	struct ffaemu_node *node;
	struct ffaemu_edge *edge;
	struct ffaemu_check *check;
	struct ffaemu_trace *trace;
};

static void run_open(struct run *r, const struct rcase *c)
{
	struct ffaemu_edge_config ecfg;

	memset(r, 0, sizeof(*r));
	ffaemu_edge_config_default(&ecfg);
	ecfg.name = "host->spmc";
	assert_int_equal(ffaemu_node_new(&script_ops, &r->script, NULL, &r->node), FFAEMU_OK);
	assert_int_equal(ffaemu_edge_new(&ecfg, c->no_callee ? NULL : r->node, &r->edge), FFAEMU_OK);
	assert_int_equal(ffaemu_check_new(NULL, &r->check), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_new(NULL, &r->trace), FFAEMU_OK);
	assert_int_equal(ffaemu_check_attach(r->check, r->edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(r->trace, r->edge), FFAEMU_OK);
}

static void run_steps(struct run *r, const struct rcase *c)
{
	size_t n = nsteps(c);

	for (size_t i = 0; i < n; i++) {
		struct ffaemu_regs regs = c->steps[i].in;
		struct ffaemu_call_ctx ctx = c->steps[i].ctx;

		r->script.cur = &c->steps[i];
		ffaemu_edge_call(r->edge, &regs, &ctx);
	}
}

static void run_close(struct run *r)
{
	ffaemu_trace_free(&r->trace);
	ffaemu_check_free(&r->check);
	ffaemu_edge_free(&r->edge);
	ffaemu_node_free(&r->node);
}

static void dump(const struct ffaemu_check *chk, const struct rcase *c)
{
	char line[512];

	for (size_t i = 0; i < ffaemu_check_stored(chk); i++) {
		ffaemu_check_violation_format(ffaemu_check_violation_at(chk, i), line, sizeof(line));
		print_message("  [%s %s] %s\n", c->rule, c->what, line);
	}
}

/* ---- catalogue ---- */

static void catalogue_rules_are_complete_and_unique(void **state)
{
	size_t n = ffaemu_check_rule_count();
	(void)state;

	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		const struct ffaemu_check_rule *r = ffaemu_check_rule_at(i);

		assert_non_null(r);
		assert_non_null(r->id);
		assert_true(strlen(r->statement) > 10);
		assert_true(strstr(r->spec, "spec ") != NULL); /* cites the digest section */
		assert_non_null(ffaemu_check_severity_name(r->severity));
		assert_non_null(ffaemu_check_side_name(r->side));
		/* IDs: AREA-...-NNN, upper case. */
		for (const char *p = r->id; *p; p++)
			assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-');
		assert_true(strncmp(r->id, "SMCCC-", 6) == 0 || strncmp(r->id, "FFA-", 4) == 0);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(r->id, ffaemu_check_rule_at(j)->id);
		assert_ptr_equal(ffaemu_check_rule_by_id(r->id), r);
	}
	assert_null(ffaemu_check_rule_at(n));
	assert_non_null(ffaemu_check_rule_by_id("ffa-mbz-arg-001"));
	assert_null(ffaemu_check_rule_by_id("FFA-NOPE-001"));
	assert_null(ffaemu_check_rule_by_id(NULL));
}

static void catalogue_has_no_rule_without_firing_and_silent_test(void **state)
{
	(void)state;

	for (size_t i = 0; i < ffaemu_check_rule_count(); i++) {
		const char *id = ffaemu_check_rule_at(i)->id;
		bool pos = false, neg = false;

		for (size_t k = 0; k < NCASES; k++) {
			if (strcmp(cases[k].rule, id) != 0)
				continue;
			if (cases[k].fires)
				pos = true;
			else
				neg = true;
		}
		if (!pos || !neg)
			print_error("rule %s lacks a %s case\n", id, pos ? "silent" : "firing");
		assert_true(pos && neg);
	}
	/* And every row names a real rule. */
	for (size_t k = 0; k < NCASES; k++)
		assert_non_null(ffaemu_check_rule_by_id(cases[k].rule));
}

static void severity_names_parse_back(void **state)
{
	enum ffaemu_check_severity s;
	(void)state;

	assert_int_equal(ffaemu_check_severity_parse("ERROR", &s), FFAEMU_OK);
	assert_int_equal(s, FFAEMU_CHECK_ERROR);
	assert_int_equal(ffaemu_check_severity_parse("warning", &s), FFAEMU_OK);
	assert_int_equal(s, FFAEMU_CHECK_WARNING);
	assert_int_equal(ffaemu_check_severity_parse("info", &s), FFAEMU_OK);
	assert_int_equal(s, FFAEMU_CHECK_INFO);
	assert_int_equal(ffaemu_check_severity_parse("fatal", &s), FFAEMU_EPARSE);
	assert_null(ffaemu_check_severity_name((enum ffaemu_check_severity)7));
}

/* ---- the table ---- */

static void each_rule_fires_on_a_peer_broken_in_exactly_that_way(void **state)
{
	(void)state;

	for (size_t k = 0; k < NCASES; k++) {
		const struct rcase *c = &cases[k];
		struct run r;
		uint64_t hits, total;

		if (!c->fires)
			continue;
		run_open(&r, c);
		run_steps(&r, c);
		hits = ffaemu_check_rule_hits(r.check, c->rule);
		total = ffaemu_check_count(r.check);
		if (hits != 1 || total != 1) {
			print_error("%s (%s): rule hits %llu, all violations %llu\n", c->rule, c->what,
				    (unsigned long long)hits, (unsigned long long)total);
			dump(r.check, c);
		}
		assert_int_equal(hits, 1);
		assert_int_equal(total, 1);
		assert_string_equal(ffaemu_check_violation_at(r.check, 0)->rule->id, c->rule);
		/* The finding names the last call of the row: the misbehaving one. */
		assert_int_equal(ffaemu_check_violation_at(r.check, 0)->call_index, nsteps(c) - 1);
		run_close(&r);
	}
}

static void each_rule_is_silent_on_a_conforming_peer(void **state)
{
	(void)state;

	for (size_t k = 0; k < NCASES; k++) {
		const struct rcase *c = &cases[k];
		struct run r;

		if (c->fires)
			continue;
		run_open(&r, c);
		run_steps(&r, c);
		if (ffaemu_check_count(r.check)) {
			print_error("%s (%s) is not silent\n", c->rule, c->what);
			dump(r.check, c);
		}
		assert_int_equal(ffaemu_check_count(r.check), 0);
		run_close(&r);
	}
}

struct membuf {
	char *p;
	size_t len, cap;
};

static int mem_sink(void *user, const char *data, size_t len)
{
	struct membuf *m = user;

	if (m->len + len + 1 > m->cap) {
		size_t cap = (m->len + len + 1) * 2;
		char *np = realloc(m->p, cap);

		if (!np)
			return -1;
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	m->p[m->len] = '\0';
	return 0;
}

static void offline_check_of_the_jsonl_trace_matches_online(void **state)
{
	(void)state;

	for (size_t k = 0; k < NCASES; k++) {
		const struct rcase *c = &cases[k];
		struct membuf m = {0};
		struct ffaemu_trace *back = NULL;
		struct ffaemu_check *off = NULL;
		struct ffaemu_trace_parse_error err;
		struct run r;

		run_open(&r, c);
		run_steps(&r, c);
		assert_int_equal(ffaemu_trace_write(r.trace, FFAEMU_TRACE_JSONL, mem_sink, &m), 0);
		assert_int_equal(ffaemu_trace_read_jsonl(m.p, m.len, NULL, &back, &err), FFAEMU_OK);
		assert_int_equal(ffaemu_check_new(NULL, &off), FFAEMU_OK);
		assert_int_equal(ffaemu_check_trace(off, back), FFAEMU_OK);
		assert_int_equal(ffaemu_check_count(off), ffaemu_check_count(r.check));
		for (size_t i = 0; i < ffaemu_check_stored(off); i++) {
			const struct ffaemu_check_violation *a = ffaemu_check_violation_at(r.check, i);
			const struct ffaemu_check_violation *b = ffaemu_check_violation_at(off, i);

			assert_ptr_equal(a->rule, b->rule);
			assert_int_equal(a->call_index, b->call_index);
			assert_string_equal(a->edge, b->edge);
			assert_int_equal(a->in_regs, b->in_regs);
			assert_int_equal(a->out_regs, b->out_regs);
			assert_int_equal(a->ffa_version, b->ffa_version);
			assert_string_equal(a->detail, b->detail);
		}
		ffaemu_check_free(&off);
		ffaemu_trace_free(&back);
		free(m.p);
		run_close(&r);
	}
}

/* ---- the checker API ---- */

static const struct rcase *find_case(const char *rule, bool fires)
{
	for (size_t k = 0; k < NCASES; k++)
		if (strcmp(cases[k].rule, rule) == 0 && cases[k].fires == fires)
			return &cases[k];
	fail_msg("no case for %s", rule);
	return NULL;
}

static void disabled_rule_records_nothing_and_wildcard_reenables(void **state)
{
	const struct rcase *c = find_case("FFA-MBZ-RES-001", true);
	struct run r;
	(void)state;

	run_open(&r, c);
	assert_int_equal(ffaemu_check_enable(r.check, "FFA-MBZ-RES-001", false), FFAEMU_OK);
	assert_false(ffaemu_check_enabled(r.check, "FFA-MBZ-RES-001"));
	assert_int_equal(ffaemu_check_enable(r.check, "FFA-NOPE-001", false), FFAEMU_ENOENT);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(r.check), 0);
	assert_int_equal(ffaemu_check_enable(r.check, "*", true), FFAEMU_OK);
	assert_true(ffaemu_check_enabled(r.check, "ffa-mbz-res-001"));
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-MBZ-RES-001"), 1);
	run_close(&r);
}

static void severity_filter_drops_warnings(void **state)
{
	const struct rcase *c = find_case("FFA-VER-001", true); /* a warning */
	struct run r;
	(void)state;

	run_open(&r, c);
	ffaemu_check_set_min_severity(r.check, FFAEMU_CHECK_ERROR);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(r.check), 0);
	run_close(&r);

	run_open(&r, c);
	ffaemu_check_set_min_severity(r.check, FFAEMU_CHECK_WARNING);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(r.check), 1);
	run_close(&r);
}

static void unnegotiated_caller_is_judged_at_the_configured_default_version(void **state)
{
	static const struct rcase rows = {
		"default", true, "PARTITION_INFO_GET without FFA_VERSION",
		.steps = {{.in = CALL(PIG), .reply = SUCC(0, 1, 24)}},
	};
	struct ffaemu_check_config cfg;
	struct run r;
	(void)state;

	/* Default: version unknown, only the missing negotiation is reported. */
	run_open(&r, &rows);
	run_steps(&r, &rows);
	assert_int_equal(ffaemu_check_count(r.check), 1);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-VER-001"), 1);
	run_close(&r);

	/* Strict: v1.0 assumed, so the 24-byte size in w3 is wrong too. */
	run_open(&r, &rows);
	ffaemu_check_free(&r.check);
	ffaemu_check_config_default(&cfg);
	cfg.default_ffa_version = FFAEMU_FFA_1_0;
	assert_int_equal(ffaemu_check_new(&cfg, &r.check), FFAEMU_OK);
	assert_int_equal(ffaemu_check_attach(r.check, r.edge), FFAEMU_OK);
	run_steps(&r, &rows);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-VER-001"), 1);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-PINFO-001"), 1);
	run_close(&r);
	cfg.default_ffa_version = 0x80000000u;
	assert_int_equal(ffaemu_check_new(&cfg, &r.check), FFAEMU_EINVAL);
}

/* Calls the checker never saw: one host call made before it is attached. */
static void run_open_late(struct run *r, const struct rcase *c, const struct step *early)
{
	struct ffaemu_regs regs = early->in;
	struct ffaemu_call_ctx ctx = early->ctx;

	run_open(r, c);
	assert_int_equal(ffaemu_check_detach(r->check, r->edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_detach(r->trace, r->edge), FFAEMU_OK);
	r->script.cur = early;
	ffaemu_edge_call(r->edge, &regs, &ctx);
	assert_int_equal(ffaemu_check_attach(r->check, r->edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(r->trace, r->edge), FFAEMU_OK);
}

static const struct step early_version = NEG_VERSION;
static const struct rcase late_rows = {
	"late", true, "joined late",
	.steps = {{.in = CALL(PIG), .reply = SUCC(0, 1, 24)},
		  {.in = CALL(FEAT, FFAEMU_FFA_RXTX_MAP_64), .reply = SUCC(0, 0x10000)},
		  {.in = CALL(FFAEMU_FFA_ID_GET, 5), .reply = SUCC(0, 0)}},
};

static void checker_joining_late_judges_only_what_holds_at_every_version(void **state)
{
	struct run r;
	(void)state;

	run_open_late(&r, &late_rows, &early_version);
	run_steps(&r, &late_rows);
	/*
	 * The unseen FFA_VERSION may have been 1.2: no "before negotiation",
	 * no v1.0 layout demands; an MBZ register at every version still counts.
	 */
	if (ffaemu_check_count(r.check) != 1)
		dump(r.check, &late_rows);
	assert_int_equal(ffaemu_check_count(r.check), 1);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-MBZ-ARG-001"), 1);
	run_close(&r);
}

/* An RXTX_MAP the checker never saw may explain a later RXTX_UNMAP (spec C5.3). */
static void checker_joining_late_takes_an_unmap_on_trust(void **state)
{
	static const struct step early_map = {.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x2000, 1),
					      .reply = SUCC(0)};
	static const struct rcase rows = {
		"late", false, "RXTX_UNMAP after an unseen RXTX_MAP",
		.steps = {{.in = CALL(FFAEMU_FFA_RXTX_UNMAP), .reply = SUCC(0)}},
	};
	struct run r;
	(void)state;

	run_open_late(&r, &rows, &early_map);
	run_steps(&r, &rows);
	if (ffaemu_check_count(r.check) != 0)
		dump(r.check, &rows);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-RXTX-003"), 0);
	run_close(&r);
}

/*
 * A call the checker could not judge for want of memory is a call it did
 * not see: what follows is judged as by a checker that joined late, so the
 * lost RXTX_MAP never makes the RXTX_UNMAP look wrong.
 */
static void a_call_lost_to_allocation_failure_makes_no_false_finding(void **state)
{
	/* The MAP first: it is the call that sets the checker's tables up. */
	static const struct rcase rows = {
		"lost", false, "RXTX_MAP, then RXTX_UNMAP",
		.steps = {{.in = CALL(FFAEMU_FFA_RXTX_MAP, 0x1000, 0x2000, 1), .reply = SUCC(0)},
			  {.in = CALL(FFAEMU_FFA_RXTX_UNMAP), .reply = SUCC(0)}},
	};
	const struct rcase *c = &rows;
	struct failalloc fa;
	unsigned lost = 0;
	(void)state;

	failalloc_init(&fa);
	for (int n = 1; n < 48; n++) {
		struct ffaemu_check_config cfg;
		struct run r;

		run_open(&r, c);
		ffaemu_check_free(&r.check);
		ffaemu_check_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		failalloc_fail_nth(&fa, (unsigned long)n);
		if (ffaemu_check_new(&cfg, &r.check) == FFAEMU_OK &&
		    ffaemu_check_attach(r.check, r.edge) == FFAEMU_OK) {
			unsigned long before = fa.failed;

			run_steps(&r, c);
			lost += fa.failed != before;
			assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-RXTX-003"), 0);
		}
		failalloc_never(&fa);
		run_close(&r);
	}
	/* Some of those failures hit the calls themselves, not only the set-up. */
	assert_true(lost > 0);
}

static void assumed_version_restores_the_layout_rules(void **state)
{
	static const struct rcase rows = {
		"late", true, "v1.2 caller told 8-byte descriptors",
		.steps = {{.in = CALL(PIG), .reply = SUCC(0, 1, 8)},
			  {.in = CALL(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1), .reply = CALL(V12)}},
	};
	struct ffaemu_trace *back = NULL;
	struct ffaemu_check *off = NULL;
	struct membuf m = {0};
	struct run r;
	(void)state;

	run_open_late(&r, &rows, &early_version);
	assert_int_equal(ffaemu_check_assume_version(r.check, "host->spmc", 0, V12), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_assume_version(r.trace, "host->spmc", 0, V12), FFAEMU_OK);
	assert_int_equal(ffaemu_check_assume_version(r.check, "host->spmc", 0, 0x80000000u),
			 FFAEMU_EINVAL);
	run_steps(&r, &rows);
	/* The PINFO size is judged at 1.2, and asking 1.1 afterwards is a change of mind. */
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-PINFO-001"), 1);
	assert_int_equal(ffaemu_check_rule_hits(r.check, "FFA-VER-003"), 1);
	assert_int_equal(ffaemu_check_count(r.check), 2);
	assert_int_equal(ffaemu_trace_at(r.trace, 0)->ffa_version, V12);

	/* Offline, the version travels in the records. */
	assert_int_equal(ffaemu_trace_write(r.trace, FFAEMU_TRACE_JSONL, mem_sink, &m), 0);
	assert_int_equal(ffaemu_trace_read_jsonl(m.p, m.len, NULL, &back, NULL), FFAEMU_OK);
	assert_int_equal(ffaemu_check_new(NULL, &off), FFAEMU_OK);
	assert_int_equal(ffaemu_check_trace(off, back), FFAEMU_OK);
	assert_int_equal(ffaemu_check_rule_hits(off, "FFA-PINFO-001"), 1);
	assert_int_equal(ffaemu_check_rule_hits(off, "FFA-VER-003"), 1);
	assert_int_equal(ffaemu_check_count(off), 2);
	ffaemu_check_free(&off);
	ffaemu_trace_free(&back);
	free(m.p);
	run_close(&r);
}

static void mark_counts_only_later_violations(void **state)
{
	const struct rcase *bad = find_case("FFA-ID-001", true);
	const struct rcase *good = find_case("FFA-ID-001", false);
	struct run r;
	uint64_t m;
	(void)state;

	run_open(&r, bad);
	run_steps(&r, bad);
	m = ffaemu_check_mark(r.check);
	assert_int_equal(m, 1);
	assert_int_equal(ffaemu_check_count_since(r.check, m), 0);
	run_steps(&r, good);
	assert_int_equal(ffaemu_check_count_since(r.check, m), 0);
	run_steps(&r, bad);
	assert_int_equal(ffaemu_check_count_since(r.check, m), 1);
	assert_int_equal(ffaemu_check_count_since(r.check, m + 10), 0);
	run_close(&r);
}

static void violation_format_names_rule_call_edge_spec_and_registers(void **state)
{
	const struct rcase *c = find_case("FFA-MBZ-ARG-001", true);
	char line[512];
	struct run r;
	int n;
	(void)state;

	run_open(&r, c);
	run_steps(&r, c);
	n = ffaemu_check_violation_format(ffaemu_check_violation_at(r.check, 0), line, sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	assert_non_null(strstr(line, "error FFA-MBZ-ARG-001 #1 host->spmc ep 0x0000 FFA_ID_GET, by the caller: "));
	assert_non_null(strstr(line, "[DEN0077A"));
	assert_non_null(strstr(line, "\n  in  x1=0x5"));
	/* snprintf semantics: a short buffer is terminated and the full length returned. */
	assert_int_equal(ffaemu_check_violation_format(ffaemu_check_violation_at(r.check, 0), line, 8), n);
	assert_int_equal(strlen(line), 7);
	run_close(&r);
}

struct reports {
	unsigned n;
	char last[32];
	uint64_t last_index;
};

static void on_report(void *user, const struct ffaemu_check_violation *v)
{
	struct reports *r = user;

	r->n++;
	snprintf(r->last, sizeof(r->last), "%s", v->rule->id);
	r->last_index = v->call_index;
}

static void storage_cap_keeps_counting_and_reporting(void **state)
{
	const struct rcase *c = find_case("FFA-ID-001", true);
	struct ffaemu_check_config cfg;
	struct reports rep = {0};
	struct run r;
	(void)state;

	run_open(&r, c);
	ffaemu_check_free(&r.check);
	ffaemu_check_config_default(&cfg);
	cfg.max_violations = 1;
	cfg.report_fn = on_report;
	cfg.report_user = &rep;
	assert_int_equal(ffaemu_check_new(&cfg, &r.check), FFAEMU_OK);
	assert_int_equal(ffaemu_check_attach(r.check, r.edge), FFAEMU_OK);
	run_steps(&r, c);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(r.check), 2);
	assert_int_equal(ffaemu_check_stored(r.check), 1);
	assert_null(ffaemu_check_violation_at(r.check, 1));
	/* Reported as they happen, stored or not. */
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.last, "FFA-ID-001");
	assert_int_equal(rep.last_index, 3);
	run_close(&r);
}

static void attach_detach_errors(void **state)
{
	const struct rcase *c = find_case("FFA-ID-001", true);
	struct run r;
	(void)state;

	run_open(&r, c);
	assert_int_equal(ffaemu_check_attach(r.check, r.edge), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_check_detach(r.check, r.edge), FFAEMU_OK);
	assert_int_equal(ffaemu_check_detach(r.check, r.edge), FFAEMU_ENOENT);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(r.check), 0); /* detached: sees nothing */
	assert_int_equal(ffaemu_check_attach(NULL, r.edge), FFAEMU_EINVAL);
	assert_int_equal(ffaemu_check_new(NULL, NULL), FFAEMU_EINVAL);
	run_close(&r);
	ffaemu_check_free(NULL);
}

static void allocation_failure_is_clean(void **state)
{
	const struct rcase *c = find_case("FFA-MEM-001", true);
	struct failalloc fa;
	(void)state;

	failalloc_init(&fa);

	/* Fail the Nth allocation for every N until a run completes: no leak, no crash (ASan). */
	for (int n = 0; n < 64; n++) {
		struct ffaemu_check_config cfg;
		struct run r;

		run_open(&r, c);
		ffaemu_check_free(&r.check);
		ffaemu_check_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		failalloc_fail_after(&fa, (unsigned long)n);
		if (ffaemu_check_new(&cfg, &r.check) != FFAEMU_OK) {
			assert_null(r.check);
			run_close(&r);
			continue;
		}
		if (ffaemu_check_attach(r.check, r.edge) == FFAEMU_OK)
			run_steps(&r, c);
		failalloc_never(&fa);
		run_close(&r);
	}
}

/* ---- a checker following a tracer (ffaemu_check_follow) ---- */

/* a and b recorded the same findings, field by field. */
static void assert_same_findings(const struct ffaemu_check *a, const struct ffaemu_check *b)
{
	assert_int_equal(ffaemu_check_count(a), ffaemu_check_count(b));
	assert_int_equal(ffaemu_check_stored(a), ffaemu_check_stored(b));
	for (size_t r = 0; r < ffaemu_check_rule_count(); r++)
		assert_int_equal(ffaemu_check_rule_hits(a, ffaemu_check_rule_at(r)->id),
				 ffaemu_check_rule_hits(b, ffaemu_check_rule_at(r)->id));
	for (size_t i = 0; i < ffaemu_check_stored(a); i++) {
		const struct ffaemu_check_violation *x = ffaemu_check_violation_at(a, i);
		const struct ffaemu_check_violation *y = ffaemu_check_violation_at(b, i);

		assert_ptr_equal(x->rule, y->rule);
		assert_int_equal(x->call_index, y->call_index);
		assert_string_equal(x->edge, y->edge);
		assert_int_equal(x->edge_index, y->edge_index);
		assert_int_equal(x->caller, y->caller);
		assert_int_equal(x->fid, y->fid);
		assert_int_equal(x->ffa_version, y->ffa_version);
		assert_int_equal(x->in_regs, y->in_regs);
		assert_int_equal(x->out_regs, y->out_regs);
		assert_memory_equal(&x->in, &y->in, sizeof(x->in));
		assert_memory_equal(&x->out, &y->out, sizeof(x->out));
		assert_string_equal(x->detail, y->detail);
	}
}

static void count_report(void *user, const struct ffaemu_check_violation *v)
{
	(void)v;
	(*(unsigned *)user)++;
}

/*
 * Every row, run once with the attached checker and a second one following
 * the tracer on the same edge: the same findings, with and without a report
 * callback (which makes the tracer hand over a copy), and the tracer records
 * the same as it does without a follower.
 */
static void following_checker_finds_what_the_attached_one_finds_on_every_row(void **state)
{
	(void)state;

	for (int cb = 0; cb < 2; cb++) {
		for (size_t k = 0; k < NCASES; k++) {
			const struct rcase *c = &cases[k];
			struct ffaemu_check_config cfg;
			struct ffaemu_check *fol = NULL;
			struct ffaemu_trace *alone = NULL;
			struct membuf m1 = {0}, m2 = {0};
			unsigned reports = 0;
			struct run r;

			run_open(&r, c);
			ffaemu_check_config_default(&cfg);
			if (cb) {
				cfg.report_fn = count_report;
				cfg.report_user = &reports;
			}
			assert_int_equal(ffaemu_check_new(&cfg, &fol), FFAEMU_OK);
			assert_int_equal(ffaemu_check_follow(fol, r.trace), FFAEMU_OK);
			/* A second tracer without follower on the same edge: the reference records. */
			assert_int_equal(ffaemu_trace_new(NULL, &alone), FFAEMU_OK);
			assert_int_equal(ffaemu_trace_attach(alone, r.edge), FFAEMU_OK);
			run_steps(&r, c);
			if (ffaemu_check_count(fol) != ffaemu_check_count(r.check))
				dump(fol, c);
			assert_same_findings(r.check, fol);
			assert_int_equal(reports, cb ? ffaemu_check_count(fol) : 0);
			assert_int_equal(ffaemu_trace_write(r.trace, FFAEMU_TRACE_JSONL, mem_sink, &m1),
					 0);
			assert_int_equal(ffaemu_trace_write(alone, FFAEMU_TRACE_JSONL, mem_sink, &m2), 0);
			assert_int_equal(m1.len, m2.len);
			assert_memory_equal(m1.p, m2.p, m1.len);
			free(m1.p);
			free(m2.p);
			ffaemu_trace_free(&alone);
			ffaemu_check_free(&fol);
			run_close(&r);
		}
	}
}

/*
 * What the follower tracks is its own: the tracer cleared, a version
 * assumed by the checker only, joining late, a new stack: the same
 * findings as the attached checker given the same.
 */
static void following_checker_keeps_its_own_state_like_the_attached_one(void **state)
{
	static const struct rcase rows = {
		"late", true, "v1.2 caller told 8-byte descriptors, then a broken FEATURES",
		.steps = {{.in = CALL(PIG), .reply = SUCC(0, 1, 8)},
			  {.in = CALL(FFAEMU_FFA_VERSION, FFAEMU_FFA_1_1), .reply = CALL(V12)},
			  {.in = CALL(FEAT, FFAEMU_FFA_RXTX_MAP_64), .reply = SUCC(0, 0x10000)},
			  {.in = CALL(FFAEMU_FFA_ID_GET, 5), .reply = SUCC(0, 0)}},
	};
	struct ffaemu_check *fol = NULL;
	struct run r;
	(void)state;

	run_open_late(&r, &rows, &early_version);
	assert_int_equal(ffaemu_check_new(NULL, &fol), FFAEMU_OK);
	assert_int_equal(ffaemu_check_follow(fol, r.trace), FFAEMU_OK);
	/* Through the tracer's edge name: the state belongs to its callee. */
	assert_int_equal(ffaemu_check_assume_version(r.check, "host->spmc", 0, V12), FFAEMU_OK);
	assert_int_equal(ffaemu_check_assume_version(fol, "host->spmc", 0, V12), FFAEMU_OK);
	run_steps(&r, &rows);
	ffaemu_trace_clear(r.trace); /* forgets the tracer's versions, not the checkers' */
	run_steps(&r, &rows);
	assert_int_equal(ffaemu_check_rule_hits(fol, "FFA-PINFO-001"), 2);
	assert_same_findings(r.check, fol);
	ffaemu_check_new_stack(r.check);
	ffaemu_check_new_stack(fol);
	run_steps(&r, &rows);
	assert_same_findings(r.check, fol);
	ffaemu_check_reset(r.check);
	ffaemu_check_reset(fol);
	run_steps(&r, &rows);
	assert_true(ffaemu_check_count(fol) > 0);
	assert_same_findings(r.check, fol);
	ffaemu_check_free(&fol);
	run_close(&r);
}

/*
 * The Nth allocation of the checker fails, for every N: the follower and
 * the attached checker fail at the same point and find the same (no leak,
 * no crash under ASan). When the tracer's allocation fails instead, the
 * call it could not record is still checked.
 */
static void following_checker_fails_allocation_like_the_attached_one(void **state)
{
	const struct rcase *c = find_case("FFA-MEM-001", true);
	struct failalloc fa, fb, ft;
	unsigned lost = 0;
	(void)state;

	failalloc_init(&ft);
	for (int n = 0; n < 48; n++) {
		struct ffaemu_check_config cfg;
		struct ffaemu_check *fol = NULL;
		unsigned long ca, cb;
		struct run r;

		failalloc_init(&fa);
		failalloc_init(&fb);
		run_open(&r, c);
		ffaemu_check_free(&r.check);
		ffaemu_check_config_default(&cfg);
		cfg.alloc = failalloc_allocator(&fa);
		assert_int_equal(ffaemu_check_new(&cfg, &r.check), FFAEMU_OK);
		assert_int_equal(ffaemu_check_attach(r.check, r.edge), FFAEMU_OK);
		cfg.alloc = failalloc_allocator(&fb);
		assert_int_equal(ffaemu_check_new(&cfg, &fol), FFAEMU_OK);
		assert_int_equal(ffaemu_check_follow(fol, r.trace), FFAEMU_OK);
		/* From the first call on, both allocate the same blocks in the same order. */
		ca = fa.calls;
		cb = fb.calls;
		failalloc_fail_after(&fa, (unsigned long)n);
		failalloc_fail_after(&fb, (unsigned long)n);
		run_steps(&r, c);
		assert_int_equal(fa.calls - ca, fb.calls - cb);
		assert_int_equal(fa.failed, fb.failed);
		assert_same_findings(r.check, fol);
		failalloc_never(&fa);
		failalloc_never(&fb);
		ffaemu_check_free(&fol);
		run_close(&r);
		assert_int_equal(fa.live, 0);
		assert_int_equal(fb.live, 0);
	}
	/* The tracer runs out of memory: its follower still judges every call. */
	for (int n = 0; n < 24; n++) {
		struct ffaemu_trace_config tcfg;
		struct ffaemu_check *fol = NULL;
		struct run r;

		run_open(&r, c);
		ffaemu_trace_free(&r.trace);
		ffaemu_trace_config_default(&tcfg);
		tcfg.alloc = failalloc_allocator(&ft);
		failalloc_fail_after(&ft, (unsigned long)n);
		if (ffaemu_trace_new(&tcfg, &r.trace) == FFAEMU_OK &&
		    ffaemu_trace_attach(r.trace, r.edge) == FFAEMU_OK) {
			assert_int_equal(ffaemu_check_new(NULL, &fol), FFAEMU_OK);
			assert_int_equal(ffaemu_check_follow(fol, r.trace), FFAEMU_OK);
			run_steps(&r, c);
			assert_same_findings(r.check, fol);
			assert_true(ffaemu_check_count(fol) > 0);
			lost += ffaemu_trace_dropped(r.trace) > 0;
		}
		failalloc_never(&ft);
		ffaemu_check_free(&fol);
		run_close(&r);
		assert_int_equal(ft.live, 0);
	}
	assert_true(lost > 0); /* some runs did lose records */
}

static void follow_errors_and_lifetimes(void **state)
{
	const struct rcase *c = find_case("FFA-ID-001", true);
	struct ffaemu_check *fol = NULL, *other = NULL;
	struct ffaemu_trace *t2 = NULL;
	struct run r;
	(void)state;

	run_open(&r, c);
	assert_int_equal(ffaemu_check_new(NULL, &fol), FFAEMU_OK);
	assert_int_equal(ffaemu_check_new(NULL, &other), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_new(NULL, &t2), FFAEMU_OK);
	assert_int_equal(ffaemu_check_follow(NULL, r.trace), FFAEMU_EINVAL);
	/* Attached to an edge the tracer watches: calls would be judged twice. */
	assert_int_equal(ffaemu_check_follow(r.check, r.trace), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_check_follow(fol, r.trace), FFAEMU_OK);
	assert_int_equal(ffaemu_check_follow(fol, r.trace), FFAEMU_OK);
	assert_int_equal(ffaemu_check_follow(other, r.trace), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_check_follow(fol, t2), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_check_attach(fol, r.edge), FFAEMU_EEXIST);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(fol), 1);
	/* Stopped: sees nothing more. */
	assert_int_equal(ffaemu_check_follow(fol, NULL), FFAEMU_OK);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(fol), 1);
	/* The other way round: a follower's own edge is refused to its tracer. */
	assert_int_equal(ffaemu_check_follow(other, t2), FFAEMU_OK);
	assert_int_equal(ffaemu_check_attach(other, r.edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(t2, r.edge), FFAEMU_EEXIST);
	assert_int_equal(ffaemu_check_detach(other, r.edge), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(t2, r.edge), FFAEMU_OK);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(other), 1);
	/* Freeing the tracer ends following; the checker lives on, and can follow anew. */
	ffaemu_trace_free(&t2);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(other), 1);
	assert_int_equal(ffaemu_check_follow(other, r.trace), FFAEMU_OK);
	run_steps(&r, c);
	assert_int_equal(ffaemu_check_count(other), 2);
	/* Freeing the checker first leaves a tracer that records on. */
	ffaemu_check_free(&other);
	run_steps(&r, c);
	assert_int_equal(ffaemu_trace_count(r.trace), 12); /* 6 runs of 2 calls */
	ffaemu_check_free(&fol);
	run_close(&r);
}

static const struct ffaemu_node_ops script2_ops = {
	.size = sizeof(struct ffaemu_node_ops),
	.name = "script2",
	.call = script_call,
};

/* Two conduits, one caller: negotiate on the first, use the second. */
static uint64_t two_conduits(bool same_callee, uint64_t *ver001, uint64_t *rx002)
{
	static const struct step steps[] = {
		NEG_VERSION,
		{.in = CALL(PIG), .reply = SUCC(0, 1, 24)},
		{.in = CALL(FFAEMU_FFA_RX_RELEASE), .reply = SUCC(0)},
	};
	struct ffaemu_edge_config cfg;
	struct ffaemu_node *n1, *n2;
	struct ffaemu_edge *e11, *e12;
	struct ffaemu_check *chk;
	struct script sc;
	uint64_t count;

	assert_int_equal(ffaemu_node_new(&script_ops, &sc, NULL, &n1), FFAEMU_OK);
	assert_int_equal(ffaemu_node_new(same_callee ? &script_ops : &script2_ops, &sc, NULL, &n2),
			 FFAEMU_OK);
	ffaemu_edge_config_default(&cfg);
	cfg.name = "proxy->el3 (SMCCC 1.1)";
	cfg.smccc_version = FFAEMU_SMCCC_1_1;
	assert_int_equal(ffaemu_edge_new(&cfg, n1, &e11), FFAEMU_OK);
	cfg.name = "proxy->el3";
	cfg.smccc_version = FFAEMU_SMCCC_1_2;
	assert_int_equal(ffaemu_edge_new(&cfg, n2, &e12), FFAEMU_OK);
	assert_int_equal(ffaemu_check_new(NULL, &chk), FFAEMU_OK);
	assert_int_equal(ffaemu_check_attach(chk, e11), FFAEMU_OK);
	assert_int_equal(ffaemu_check_attach(chk, e12), FFAEMU_OK);
	for (size_t i = 0; i < 3; i++) {
		struct ffaemu_regs regs = steps[i].in;
		struct ffaemu_call_ctx ctx = steps[i].ctx;

		sc.cur = &steps[i];
		/* VERSION and RX_RELEASE on the 1.1 conduit, PARTITION_INFO_GET on the 1.2 one. */
		ffaemu_edge_call(i == 1 ? e12 : e11, &regs, &ctx);
	}
	count = ffaemu_check_count(chk);
	*ver001 = ffaemu_check_rule_hits(chk, "FFA-VER-001");
	*rx002 = ffaemu_check_rule_hits(chk, "FFA-RX-002");
	ffaemu_check_free(&chk);
	ffaemu_edge_free(&e11);
	ffaemu_edge_free(&e12);
	ffaemu_node_free(&n1);
	ffaemu_node_free(&n2);
	return count;
}

static void conduits_to_one_callee_share_the_protocol_state(void **state)
{
	uint64_t ver001, rx002;
	(void)state;

	/* Same callee: the version and RX ownership carry over; nothing to report. */
	assert_int_equal(two_conduits(true, &ver001, &rx002), 0);
	/*
	 * Different callees: PARTITION_INFO_GET before negotiating with the
	 * second (FFA-VER-001, and its v1.0 layout rules), and an RX_RELEASE
	 * with nothing in the first callee's RX (FFA-RX-002).
	 */
	assert_true(two_conduits(false, &ver001, &rx002) >= 2);
	assert_int_equal(ver001, 1);
	assert_int_equal(rx002, 1);
}

/* ---- the library's own stack ---- */

static void sys_call(struct ffaemu_system *s, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
		     uint64_t x4, uint64_t x5, struct ffaemu_regs *out)
{
	struct ffaemu_regs r;

	ffaemu_regs_clear(&r);
	r.x[0] = x0;
	r.x[1] = x1;
	r.x[2] = x2;
	r.x[3] = x3;
	r.x[4] = x4;
	r.x[5] = x5;
	ffaemu_system_call(s, &r);
	if (out)
		*out = r;
}

/* Discovery, RX ownership, direct messages of both widths and REQ2, teardown. */
static void driver_scenario(struct ffaemu_system *s)
{
	struct ffaemu_regs r;
	const uint64_t tx = FFAEMU_SYSTEM_RAM_BASE, rx = FFAEMU_SYSTEM_RAM_BASE + 0x1000;

	sys_call(s, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0, &r);
	sys_call(s, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0, NULL);
	sys_call(s, FEAT, FFAEMU_FFA_RXTX_MAP_64, 0, 0, 0, 0, NULL);
	sys_call(s, FFAEMU_FFA_RXTX_MAP_64, tx, rx, 1, 0, 0, NULL);
	sys_call(s, PIG, 0, 0, 0, 0, 0, &r);
	assert_int_equal(ffaemu_regs_w(&r, 0), FFAEMU_FFA_SUCCESS);
	sys_call(s, PIG, 0, 0, 0, 0, 0, NULL); /* BUSY: RX not released */
	sys_call(s, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0, 0, NULL);
	sys_call(s, PIG, 0, 0, 0, 0, 1, NULL); /* count only */
	sys_call(s, REQ, 0x8001, 0, 1, 2, 3, NULL);
	sys_call(s, FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1, 2, 3, NULL);
	sys_call(s, REQ2, 0x8001, 0, 0, 2, 3, NULL);
	sys_call(s, PIGR, 0, 0, 0, 0, 0, NULL);
	sys_call(s, FFAEMU_FFA_SPM_ID_GET, 0, 0, 0, 0, 0, NULL);
	sys_call(s, 0x840000e0u, 0, 0, 0, 0, 0, NULL); /* unknown FF-A function */
	sys_call(s, FFAEMU_FFA_RX_RELEASE, 0, 0, 0, 0, 0, NULL); /* DENIED: nothing to release */
	sys_call(s, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0, NULL);
	sys_call(s, FFAEMU_FFA_RXTX_UNMAP, 0, 0, 0, 0, 0, NULL); /* nothing mapped */
}

static void library_stacks_run_a_driver_scenario_without_violations(void **state)
{
	static const char *const proxies[] = {"none", "pkvm-6.18", "pkvm-2026"};
	(void)state;

	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
		struct ffaemu_system_config cfg;
		struct ffaemu_system *s;
		struct ffaemu_check *c;
		uint64_t others;

		ffaemu_system_config_default(&cfg);
		cfg.proxy = proxies[i];
		cfg.partitions = "acs-fvp";
		assert_int_equal(ffaemu_system_new(&cfg, &s), FFAEMU_OK);
		assert_int_equal(ffaemu_check_new(NULL, &c), FFAEMU_OK);
		assert_int_equal(ffaemu_check_attach(c, ffaemu_system_host_edge(s)), FFAEMU_OK);
		assert_int_equal(ffaemu_check_attach(c, ffaemu_system_proxy_edge(s)), FFAEMU_OK);
		driver_scenario(s);
		/*
		 * pKVM sign-extends its own FF-A error codes (spec A8, PKVM): that
		 * real behaviour is SMCCC-W32-001; nothing else may fire.
		 */
		others = ffaemu_check_count(c) - ffaemu_check_rule_hits(c, "SMCCC-W32-001");
		if (others || (i == 0 && ffaemu_check_count(c)))
			ffaemu_check_print(c, 0, stderr);
		assert_int_equal(others, 0);
		if (i == 0)
			assert_int_equal(ffaemu_check_count(c), 0);
		ffaemu_check_free(&c);
		ffaemu_system_free(&s);
	}
}

/*
 * One checker and one recorder over two stacks in turn (a script's reset):
 * after new_stack, a call before FFA_VERSION is one again (FFA-VER-001),
 * the earlier findings stay, and the recording checked offline with the
 * same boundary finds the same.
 */
static void new_stack_forgets_protocol_state_but_keeps_findings(void **state)
{
	struct ffaemu_system *s1, *s2;
	struct ffaemu_check *c, *off;
	struct ffaemu_trace *t;
	struct ffaemu_system_config cfg;
	size_t boundary;
	(void)state;

	ffaemu_system_config_default(&cfg);
	cfg.partitions = "acs-fvp";
	assert_int_equal(ffaemu_system_new(&cfg, &s1), FFAEMU_OK);
	assert_int_equal(ffaemu_system_new(&cfg, &s2), FFAEMU_OK);
	assert_int_equal(ffaemu_check_new(NULL, &c), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_new(NULL, &t), FFAEMU_OK);

	assert_int_equal(ffaemu_check_attach(c, ffaemu_system_host_edge(s1)), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(t, ffaemu_system_host_edge(s1)), FFAEMU_OK);
	sys_call(s1, FFAEMU_FFA_VERSION, 0x80010002u, 0, 0, 0, 0, NULL); /* bit 31: VER-002 */
	sys_call(s1, FFAEMU_FFA_VERSION, FFAEMU_FFA_1_2, 0, 0, 0, 0, NULL);
	sys_call(s1, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0, NULL);
	assert_int_equal(ffaemu_check_rule_hits(c, "FFA-VER-002"), 1);
	assert_int_equal(ffaemu_check_count(c), 1);
	assert_int_equal(ffaemu_check_detach(c, ffaemu_system_host_edge(s1)), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_detach(t, ffaemu_system_host_edge(s1)), FFAEMU_OK);
	boundary = ffaemu_trace_count(t);

	/* the second stack has the same callee names: without new_stack the
	 * caller would count as negotiated at 1.2 */
	ffaemu_check_new_stack(c);
	ffaemu_trace_new_stack(t);
	assert_int_equal(ffaemu_check_attach(c, ffaemu_system_host_edge(s2)), FFAEMU_OK);
	assert_int_equal(ffaemu_trace_attach(t, ffaemu_system_host_edge(s2)), FFAEMU_OK);
	sys_call(s2, FFAEMU_FFA_ID_GET, 0, 0, 0, 0, 0, NULL);
	assert_int_equal(ffaemu_check_rule_hits(c, "FFA-VER-001"), 1);
	assert_int_equal(ffaemu_check_count(c), 2);
	assert_int_equal(ffaemu_trace_at(t, boundary)->ffa_version, 0);

	/* offline, new_stack at the same record gives the same findings */
	assert_int_equal(ffaemu_check_new(NULL, &off), FFAEMU_OK);
	for (size_t i = 0; i < ffaemu_trace_count(t); i++) {
		if (i == boundary)
			ffaemu_check_new_stack(off);
		assert_int_equal(ffaemu_check_record(off, ffaemu_trace_at(t, i)), FFAEMU_OK);
	}
	assert_int_equal(ffaemu_check_rule_hits(off, "FFA-VER-001"), 1);
	assert_int_equal(ffaemu_check_count(off), 2);

	ffaemu_check_new_stack(NULL);
	ffaemu_trace_new_stack(NULL);
	ffaemu_check_free(&off);
	ffaemu_trace_free(&t);
	ffaemu_check_free(&c);
	ffaemu_system_free(&s2);
	ffaemu_system_free(&s1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalogue_rules_are_complete_and_unique),
		cmocka_unit_test(catalogue_has_no_rule_without_firing_and_silent_test),
		cmocka_unit_test(severity_names_parse_back),
		cmocka_unit_test(each_rule_fires_on_a_peer_broken_in_exactly_that_way),
		cmocka_unit_test(each_rule_is_silent_on_a_conforming_peer),
		cmocka_unit_test(offline_check_of_the_jsonl_trace_matches_online),
		cmocka_unit_test(new_stack_forgets_protocol_state_but_keeps_findings),
		cmocka_unit_test(disabled_rule_records_nothing_and_wildcard_reenables),
		cmocka_unit_test(severity_filter_drops_warnings),
		cmocka_unit_test(checker_joining_late_judges_only_what_holds_at_every_version),
		cmocka_unit_test(checker_joining_late_takes_an_unmap_on_trust),
		cmocka_unit_test(a_call_lost_to_allocation_failure_makes_no_false_finding),
		cmocka_unit_test(unnegotiated_caller_is_judged_at_the_configured_default_version),
		cmocka_unit_test(assumed_version_restores_the_layout_rules),
		cmocka_unit_test(mark_counts_only_later_violations),
		cmocka_unit_test(violation_format_names_rule_call_edge_spec_and_registers),
		cmocka_unit_test(storage_cap_keeps_counting_and_reporting),
		cmocka_unit_test(attach_detach_errors),
		cmocka_unit_test(allocation_failure_is_clean),
		cmocka_unit_test(following_checker_finds_what_the_attached_one_finds_on_every_row),
		cmocka_unit_test(following_checker_keeps_its_own_state_like_the_attached_one),
		cmocka_unit_test(following_checker_fails_allocation_like_the_attached_one),
		cmocka_unit_test(follow_errors_and_lifetimes),
		cmocka_unit_test(library_stacks_run_a_driver_scenario_without_violations),
		cmocka_unit_test(conduits_to_one_callee_share_the_protocol_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
