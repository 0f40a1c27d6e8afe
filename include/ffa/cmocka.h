/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CMocka assertions for tests of FF-A code run against ffa-emu. Header
 * only; include it after nothing or after <cmocka.h> (it includes what
 * CMocka needs). Not part of ffa.h, since it needs CMocka.
 *
 *   ffaemu_assert_ffa_success(regs)               x0 is FFA_SUCCESS (32 or 64)
 *   ffaemu_assert_ffa_success_regs(regs, mask, want)
 *                                                 ... and xn == want->x[n] for n in mask
 *   ffaemu_assert_ffa_error(regs, code)           x0 is FFA_ERROR, w2 == code
 *   ffaemu_assert_fid(regs, fid)                  w0 == fid (e.g. DIRECT_RESP2)
 *   ffaemu_assert_no_violation_since(chk, mark)   the checker recorded nothing since mark
 *                                                 (warnings count too, unless the checker's
 *                                                 minimum severity excludes them)
 *   ffaemu_assert_pages(mem, pa, n, owner, state) every page of [pa, pa + n pages)
 *                                                 has this owner and FF-A state
 *   ffaemu_assert_pages_borrowed(mem, pa, n, k)   ... and k borrower mappings
 *
 * A failure prints what was expected and what the registers or pages
 * hold, then fails the test at the caller's line.
 */
#ifndef FFAEMU_CMOCKA_H
#define FFAEMU_CMOCKA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include <ffa/abi.h>
#include <ffa/check.h>
#include <ffa/common.h>
#include <ffa/mem.h>
#include <ffa/regs.h>

FFAEMU_BEGIN_DECLS

static inline void ffaemu_cm_dump(const struct ffaemu_regs *r)
{
	char buf[640];

	ffaemu_regs_format(r, 0, buf, sizeof(buf));
	print_error("  registers: %s\n", buf);
}

static inline void ffaemu_cm_success(const struct ffaemu_regs *r, uint32_t mask,
				     const struct ffaemu_regs *want, const char *file, int line)
{
	uint32_t w0 = ffaemu_regs_w(r, 0);

	if (w0 != FFAEMU_FFA_SUCCESS && w0 != FFAEMU_FFA_SUCCESS_64) {
		if (w0 == FFAEMU_FFA_ERROR)
			print_error("expected FFA_SUCCESS, got FFA_ERROR(%s)\n",
				    ffaemu_ffa_error_name(ffaemu_regs_s32(r, 2))
					    ? ffaemu_ffa_error_name(ffaemu_regs_s32(r, 2))
					    : "?");
		else
			print_error("expected FFA_SUCCESS, got w0=%#x\n", (unsigned)w0);
		ffaemu_cm_dump(r);
		_fail(file, line);
		return;
	}
	for (unsigned n = 1; n < FFAEMU_NREGS; n++) {
		if (!(mask & FFAEMU_REG(n)) || r->x[n] == want->x[n])
			continue;
		print_error("FFA_SUCCESS: x%u=%#llx, expected %#llx\n", n,
			    (unsigned long long)r->x[n], (unsigned long long)want->x[n]);
		ffaemu_cm_dump(r);
		_fail(file, line);
		return;
	}
}

static inline void ffaemu_cm_error(const struct ffaemu_regs *r, int32_t code, const char *file,
				   int line)
{
	uint32_t w0 = ffaemu_regs_w(r, 0);
	int32_t got = ffaemu_regs_s32(r, 2);
	const char *want_name = ffaemu_ffa_error_name(code);
	const char *got_name = ffaemu_ffa_error_name(got);

	if (w0 == FFAEMU_FFA_ERROR && got == code)
		return;
	if (w0 == FFAEMU_FFA_ERROR)
		print_error("expected FFA_ERROR(%s), got FFA_ERROR(%s = %d)\n",
			    want_name ? want_name : "?", got_name ? got_name : "?", (int)got);
	else
		print_error("expected FFA_ERROR(%s), got w0=%#x\n", want_name ? want_name : "?",
			    (unsigned)w0);
	ffaemu_cm_dump(r);
	_fail(file, line);
}

static inline void ffaemu_cm_fid(const struct ffaemu_regs *r, uint32_t fid, const char *file,
				 int line)
{
	if (ffaemu_regs_w(r, 0) == fid)
		return;
	print_error("expected w0=%#x, got w0=%#x\n", (unsigned)fid, (unsigned)ffaemu_regs_w(r, 0));
	ffaemu_cm_dump(r);
	_fail(file, line);
}

static inline void ffaemu_cm_no_violation(const struct ffaemu_check *chk, uint64_t mark,
					  const char *file, int line)
{
	uint64_t n = ffaemu_check_count_since(chk, mark);

	if (n == 0)
		return;
	print_error("%llu conformance violation(s) since the mark:\n", (unsigned long long)n);
	ffaemu_check_print(chk, mark, stderr);
	_fail(file, line);
}

/* borrowers < 0: do not check. */
static inline void ffaemu_cm_pages(const struct ffaemu_mem *mem, ffaemu_pa_t pa, uint64_t pages,
				   const struct ffaemu_owner *owner, int state, int borrowers,
				   const char *file, int line)
{
	static const char *const names[] = {"OWNED", "SHARED", "LENT"};

	for (uint64_t i = 0; i < pages; i++) {
		struct ffaemu_page_info info;
		ffaemu_pa_t p = pa + i * FFAEMU_PAGE_SIZE;

		if (ffaemu_mem_page_info(mem, p, &info) != FFAEMU_OK) {
			print_error("page %#llx: not in any RAM region\n", (unsigned long long)p);
			_fail(file, line);
			return;
		}
		if (owner && (info.owner.kind != owner->kind || info.owner.id != owner->id)) {
			print_error("page %#llx: owner kind %d id %#x, expected kind %d id %#x\n",
				    (unsigned long long)p, (int)info.owner.kind,
				    (unsigned)info.owner.id, (int)owner->kind, (unsigned)owner->id);
			_fail(file, line);
			return;
		}
		if (state >= 0 && (int)info.state != state) {
			print_error("page %#llx: state %s, expected %s\n", (unsigned long long)p,
				    (unsigned)info.state < 3 ? names[info.state] : "?",
				    (unsigned)state < 3 ? names[state] : "?");
			_fail(file, line);
			return;
		}
		if (borrowers >= 0 && info.borrowers != borrowers) {
			print_error("page %#llx: %u borrower(s), expected %d\n", (unsigned long long)p,
				    (unsigned)info.borrowers, borrowers);
			_fail(file, line);
			return;
		}
	}
}

#define ffaemu_assert_ffa_success(regs) \
	ffaemu_cm_success((regs), 0, (regs), __FILE__, __LINE__)
#define ffaemu_assert_ffa_success_regs(regs, mask, want) \
	ffaemu_cm_success((regs), (mask), (want), __FILE__, __LINE__)
#define ffaemu_assert_ffa_error(regs, code) ffaemu_cm_error((regs), (code), __FILE__, __LINE__)
#define ffaemu_assert_fid(regs, fid) ffaemu_cm_fid((regs), (fid), __FILE__, __LINE__)
#define ffaemu_assert_no_violation_since(chk, mark) \
	ffaemu_cm_no_violation((chk), (mark), __FILE__, __LINE__)
#define ffaemu_assert_pages(mem, pa, pages, owner, state)                                     \
	do {                                                                                  \
		struct ffaemu_owner ffaemu_cm_owner_ = (owner);                               \
		ffaemu_cm_pages((mem), (pa), (pages), &ffaemu_cm_owner_, (int)(state), -1,      \
				__FILE__, __LINE__);                                          \
	} while (0)
#define ffaemu_assert_pages_borrowed(mem, pa, pages, borrowers) \
	ffaemu_cm_pages((mem), (pa), (pages), NULL, -1, (int)(borrowers), __FILE__, __LINE__)

FFAEMU_END_DECLS

#endif /* FFAEMU_CMOCKA_H */
