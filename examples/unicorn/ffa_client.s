/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bare-metal AArch64 FF-A client, run unmodified under an instruction-set
 * simulator (iss.c). It talks to the partition manager with real SMC and
 * HVC instructions and reports through registers:
 *   x28  0 = every step passed, else the number of the step that failed
 *   x27  the partition it found and messaged
 *   x26  the FF-A version the callee answered
 * and stops with `brk #0` (passed) or `brk #1` (failed).
 *
 * Physical layout (linked at RAM_BASE): code, then TX and RX one page each.
 */
	.equ	RAM_BASE,	0x80000000
	.equ	TX_BUF,		RAM_BASE + 0x10000
	.equ	RX_BUF,		RAM_BASE + 0x11000

	/* FF-A function IDs (DEN0077A; spec C1) */
	.equ	FFA_SUCCESS_32,		0x84000061
	.equ	FFA_VERSION,		0x84000063
	.equ	FFA_RX_RELEASE,		0x84000065
	.equ	FFA_RXTX_MAP_64,	0xc4000066
	.equ	FFA_PARTITION_INFO_GET,	0x84000068
	.equ	FFA_DIRECT_REQ2,	0xc400008d
	.equ	FFA_DIRECT_RESP2,	0xc400008e
	.equ	PROP_DIRECT_REQ2_RECV,	9	/* partition properties bit (spec D3) */

	/* Load a 32-bit constant. */
	.macro	mov32 reg, val
	movz	\reg, #((\val) & 0xffff)
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	.endm

	/* Payload register n of DIRECT_REQ2: 0xfeed_00nn_cafe_00nn, distinct per n. */
	.macro	payload reg, n
	movz	\reg, #(\n)
	movk	\reg, #0xcafe, lsl #16
	movk	\reg, #(\n), lsl #32
	movk	\reg, #0xfeed, lsl #48
	.endm

	.macro	check_payload reg, n
	payload	x18, \n
	cmp	\reg, x18
	b.ne	fail
	.endm

	.text
	.global	_start
_start:
	mov	x26, xzr
	mov	x27, xzr

	/* 1: FFA_VERSION(1.2) over SMC; bit 31 set = NOT_SUPPORTED (spec C4) */
	mov	x28, #1
	mov32	x0, FFA_VERSION
	mov32	x1, 0x00010002
	smc	#0
	tbnz	w0, #31, fail
	mov	w26, w0
	lsr	w9, w0, #16
	cmp	w9, #1
	b.ne	fail

	/* 2: FFA_RXTX_MAP_64(TX, RX, 1 page) over SMC */
	mov	x28, #2
	mov32	x0, FFA_RXTX_MAP_64
	ldr	x1, =TX_BUF
	ldr	x2, =RX_BUF
	mov	x3, #1
	smc	#0
	mov32	x9, FFA_SUCCESS_32
	cmp	w0, w9
	b.ne	fail

	/* 3: FFA_PARTITION_INFO_GET(nil UUID) over HVC: w2 = count, w3 = entry size */
	mov	x28, #3
	mov32	x0, FFA_PARTITION_INFO_GET
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	hvc	#0
	mov32	x9, FFA_SUCCESS_32
	cmp	w0, w9
	b.ne	fail
	cbz	w2, fail
	cmp	w3, #8
	b.lo	fail
	/* find the first partition that receives DIRECT_REQ2 */
	mov	w12, w2
	mov	w13, w3
	ldr	x10, =RX_BUF
1:	ldr	w11, [x10, #4]
	tbnz	w11, #PROP_DIRECT_REQ2_RECV, 2f
	add	x10, x10, x13
	subs	w12, w12, #1
	b.ne	1b
	b	fail
2:	ldrh	w27, [x10]

	/* 4: FFA_RX_RELEASE over SMC: the buffer goes back to the producer */
	mov	x28, #4
	mov32	x0, FFA_RX_RELEASE
	mov	x1, xzr
	smc	#0
	mov32	x9, FFA_SUCCESS_32
	cmp	w0, w9
	b.ne	fail

	/* 5: DIRECT_REQ2 to that partition over HVC, payload x4-x17; expect the echo */
	mov	x28, #5
	mov32	x0, FFA_DIRECT_REQ2
	mov	w1, w27			/* sender 0 in [31:16], receiver in [15:0] */
	mov	x2, xzr			/* nil UUID */
	mov	x3, xzr
	payload	x4, 4
	payload	x5, 5
	payload	x6, 6
	payload	x7, 7
	payload	x8, 8
	payload	x9, 9
	payload	x10, 10
	payload	x11, 11
	payload	x12, 12
	payload	x13, 13
	payload	x14, 14
	payload	x15, 15
	payload	x16, 16
	payload	x17, 17
	hvc	#0
	mov32	x18, FFA_DIRECT_RESP2
	cmp	x0, x18
	b.ne	fail
	/* the response comes from the partition to us: w1 = receiver << 16 | 0 */
	lsl	w18, w27, #16
	cmp	w1, w18
	b.ne	fail
	check_payload	x4, 4
	check_payload	x5, 5
	check_payload	x6, 6
	check_payload	x7, 7
	check_payload	x8, 8
	check_payload	x9, 9
	check_payload	x10, 10
	check_payload	x11, 11
	check_payload	x12, 12
	check_payload	x13, 13
	check_payload	x14, 14
	check_payload	x15, 15
	check_payload	x16, 16
	check_payload	x17, 17

	mov	x28, xzr
	brk	#0
fail:
	brk	#1

	.ltorg
