/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `ffa-emu decode`: explain a function ID, an error code, a version word,
 * or a whole register dump pasted from a log ("x0=0x84000063 x1=0x10002",
 * Linux "x1 : 0000000000010002", TF-A "x0 = 0x...").
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ffa/abi.h>
#include <ffa/regs.h>
#include <ffa/smccc.h>
#include <ffa/uuid.h>

#include "emu.h"

static void usage_decode(FILE *o)
{
	fprintf(o,
		"usage: ffa-emu decode VALUE...\n"
		"       ffa-emu decode 'x0=0x84000063 x1=0x10002 ...'\n"
		"\n"
		"Decode each VALUE as an SMCCC/FF-A function ID, an FF-A or SMCCC error code\n"
		"and a version word, whichever apply. Names work too (FFA_VERSION, DENIED).\n"
		"When the arguments contain register assignments (x0=..., w2=..., \"x1 : ...\",\n"
		"\"x3 = 0x...\"), they are read as one register dump and decoded as a call or\n"
		"a reply, field by field. Use '-' to read the dump from standard input.\n");
}

static const char *oen_name(unsigned oen)
{
	switch (oen) {
	case 0: return "Arm architecture";
	case 1: return "CPU service";
	case 2: return "SiP service";
	case 3: return "OEM service";
	case 4: return "standard secure service";
	case 5: return "standard hypervisor service";
	case 6: return "vendor hypervisor service";
	case 7: return "vendor EL3 monitor";
	default:
		if (oen >= 48 && oen <= 49)
			return "trusted application";
		if (oen >= 50)
			return "trusted OS";
		return "reserved";
	}
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	bool neg = false;

	while (*s == ' ')
		s++;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!*s)
		return false;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		*out = strtoull(s, &end, 16);
	} else {
		*out = strtoull(s, &end, 10);
	}
	/* at least one digit, nothing after it, no sign strtoull would accept */
	if (errno || *end || end == s || !isxdigit((unsigned char)*s))
		return false;
	if (neg)
		*out = (uint64_t)0 - *out;
	return true;
}

static void print_fid(uint32_t w)
{
	struct ffaemu_fid f = ffaemu_fid_decode(w);
	const char *name = ffaemu_smccc_fid_name(f.id);

	printf("  function ID 0x%08x: %s\n", w, name ? name : "(unknown)");
	printf("    %s call, %s, OEN %u (%s), function 0x%04x%s%s%s\n",
	       f.fast ? "fast" : "yielding", f.smc64 ? "SMC64" : "SMC32", f.oen, oen_name(f.oen),
	       f.func, f.sve_hint ? ", SVE hint (bit 16) set" : "",
	       (f.fast && f.reserved) ? ", reserved bits 23:17 set (unknown per SMCCC)" : "",
	       f.legacy ? ", legacy pre-SMCCC range" : "");
	if (ffaemu_fid_is_ffa(f.id)) {
		const struct ffaemu_abi *a = ffaemu_abi_by_fid(f.id);

		if (a) {
			char v[16];

			printf("    FF-A ABI since v%s (%s)\n",
			       ffaemu_version_format(f.smc64 && a->version64 ? a->version64 : a->version,
						     v, sizeof(v)),
			       a->spec ? a->spec : "");
		} else {
			printf("    in the FF-A range (0x60-0xEF) but not a known FF-A ABI\n");
		}
	}
}

static void print_code(uint64_t v)
{
	int32_t c = (int32_t)(uint32_t)v;
	const char *n = ffaemu_ffa_error_name(c);

	if (n)
		printf("  FF-A error %d: %s (%s)%s\n", c, n, ffaemu_ffa_error_str(c),
		       (v >> 32) == 0xffffffffu ? ", sign-extended" :
		       (v >> 32) == 0 ? ", zero-extended" : "");
	if (c == -1)
		printf("  SMCCC -1: NOT_SUPPORTED / unknown function ID; FFA_VERSION's NOT_SUPPORTED\n");
	else if (c == -2)
		printf("  SMCCC -2: NOT_REQUIRED\n");
	else if (c == -3)
		printf("  SMCCC -3: INVALID_PARAMETER\n");
}

static void print_version(uint32_t w)
{
	if (w & 0x80000000u || (w >> 16) == 0 || (w >> 16) > 0xff)
		return;
	printf("  version word: %u.%u (FF-A / SMCCC / PSCI encoding)\n", w >> 16, w & 0xffffu);
}

static int decode_value(const char *arg)
{
	uint64_t v;

	printf("%s\n", arg);
	if (!parse_u64(arg, &v)) {
		const struct ffaemu_abi *a;
		uint32_t fid = 0;
		int32_t code;

		a = ffaemu_abi_by_name(arg, &fid);
		if (a && fid) {
			print_fid(fid);
			return 0;
		}
		if (ffaemu_ffa_error_parse(arg, &code) == 0) {
			print_code((uint32_t)code);
			return 0;
		}
		if (ffaemu_version_parse(arg, &fid) == 0) {
			printf("  version word 0x%08x\n", fid);
			return 0;
		}
		fprintf(stderr, "ffa-emu decode: cannot read '%s' as a number or a name\n", arg);
		return EMU_EXIT_USAGE;
	}
	if ((v >> 32) && (v >> 32) != 0xffffffffu)
		printf("  bits [63:32] set: an SMCCC callee reads only w0 of a function ID\n");
	if (((uint32_t)v & 0x80000000u) && ffaemu_smccc_fid_name((uint32_t)v))
		print_fid((uint32_t)v);
	else if ((uint32_t)v & 0x80000000u && (int32_t)(uint32_t)v < -10)
		print_fid((uint32_t)v);
	print_code(v);
	print_version((uint32_t)v);
	return 0;
}

/* ---- register dumps ---- */

/*
 * Find "xN<sep>VALUE" items anywhere in text: sep is '=' or ':' with
 * optional blanks (Linux, TF-A, QEMU), or blanks alone before a 0x value
 * (GDB "info registers", whose decimal column is then skipped). Returns
 * the number found.
 */
static unsigned scan_dump(const char *t, struct ffaemu_regs *r, uint32_t *seen)
{
	unsigned n = 0;

	for (size_t i = 0; t[i]; i++) {
		char c = (char)tolower((unsigned char)t[i]);
		size_t j;
		unsigned reg = 0;
		uint64_t v = 0;
		int digits = 0;
		bool hex_prefix = false;
		size_t sep;

		if ((c != 'x' && c != 'w' && c != 'r') || (i && isalnum((unsigned char)t[i - 1])))
			continue;
		j = i + 1;
		while (isdigit((unsigned char)t[j]) && digits < 3) {
			reg = reg * 10 + (unsigned)(t[j] - '0');
			j++;
			digits++;
		}
		if (!digits || digits > 2 || reg >= FFAEMU_NREGS || isalnum((unsigned char)t[j]))
			continue;
		sep = j;
		while (t[j] == ' ' || t[j] == '\t')
			j++;
		if (t[j] == '=' || t[j] == ':') {
			j++;
			while (t[j] == ' ' || t[j] == '\t')
				j++;
		} else if (j == sep || t[j] != '0' || (t[j + 1] != 'x' && t[j + 1] != 'X')) {
			/* GDB's "info registers" has no separator but always a 0x value */
			continue;
		}
		if (t[j] == '0' && (t[j + 1] == 'x' || t[j + 1] == 'X')) {
			hex_prefix = true;
			j += 2;
		}
		digits = 0;
		/* Dumps print registers in hex, with or without 0x. */
		while (isxdigit((unsigned char)t[j]) && digits < 16) {
			v = (v << 4) | (uint64_t)(isdigit((unsigned char)t[j]) ? t[j] - '0' :
							  tolower((unsigned char)t[j]) - 'a' + 10);
			j++;
			digits++;
		}
		(void)hex_prefix;
		if (!digits)
			continue;
		r->x[reg] = c == 'w' ? (uint32_t)v : v;
		*seen |= FFAEMU_REG(reg);
		n++;
		i = j - 1;
	}
	return n;
}

static void ids(const char *what, uint32_t w)
{
	printf("  %s: 0x%04x -> 0x%04x\n", what, w >> 16, w & 0xffffu);
}

static void decode_dump(const struct ffaemu_regs *r, uint32_t seen)
{
	uint32_t w0 = (uint32_t)r->x[0];
	uint32_t fid = ffaemu_fid_strip_hint(w0);
	const char *name = ffaemu_smccc_fid_name(fid);
	char vb[16];

	for (unsigned i = 0; i < FFAEMU_NREGS; i++)
		if (seen & FFAEMU_REG(i))
			printf("x%-2u = 0x%016llx\n", i, (unsigned long long)r->x[i]);
	if (!(seen & 1u)) {
		printf("  (no x0: cannot tell the call)\n");
		return;
	}
	if (!name) {
		printf("x0 is not a known function ID:\n");
		print_code(r->x[0]);
		print_version(w0);
		return;
	}
	print_fid(w0);
	switch (fid) {
	case FFAEMU_FFA_ERROR:
	case FFAEMU_FFA_ERROR_64: {
		const char *en = ffaemu_ffa_error_name(ffaemu_regs_s32(r, 2));

		printf("  reply: FFA_ERROR %s (%d)%s\n", en ? en : "(unknown code)",
		       ffaemu_regs_s32(r, 2),
		       (r->x[2] >> 32) ? " [x2 sign-extended]" : "");
		break;
	}
	case FFAEMU_FFA_SUCCESS:
	case FFAEMU_FFA_SUCCESS_64:
		printf("  reply: FFA_SUCCESS w1 (target info)=0x%x w2=0x%x w3=0x%x\n",
		       ffaemu_regs_w(r, 1), ffaemu_regs_w(r, 2), ffaemu_regs_w(r, 3));
		printf("  if from MEM_SHARE/LEND/DONATE: handle 0x%016llx (w2 low, w3 high)\n",
		       (unsigned long long)ffaemu_regs_handle(r, 2));
		break;
	case FFAEMU_FFA_VERSION:
		printf("  requested version: %s%s\n", ffaemu_version_format(ffaemu_regs_w(r, 1), vb, sizeof(vb)),
		       (ffaemu_regs_w(r, 1) & 0x80000000u) ? " (bit 31 set: invalid)" : "");
		break;
	case FFAEMU_FFA_FEATURES: {
		uint32_t q = ffaemu_regs_w(r, 1);
		const char *qn = ffaemu_smccc_fid_name(q);

		if (q & 0x80000000u)
			printf("  queried function: %s (0x%08x), input properties w2=0x%x\n",
			       qn ? qn : "?", q, ffaemu_regs_w(r, 2));
		else
			printf("  queried feature ID %u (%s)\n", q & 0xffu,
			       (q & 0xff) == 1 ? "NPI" : (q & 0xff) == 2 ? "SRI" :
			       (q & 0xff) == 3 ? "MEI" : (q & 0xff) == 4 ? "notification features" : "?");
		break;
	}
	case FFAEMU_FFA_RXTX_MAP:
	case FFAEMU_FFA_RXTX_MAP_64:
		printf("  TX 0x%llx, RX 0x%llx, %u x 4 KiB pages\n",
		       (unsigned long long)(fid == FFAEMU_FFA_RXTX_MAP ? (uint32_t)r->x[1] : r->x[1]),
		       (unsigned long long)(fid == FFAEMU_FFA_RXTX_MAP ? (uint32_t)r->x[2] : r->x[2]),
		       ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_RXTX_UNMAP:
		printf("  endpoint ID (w1[31:16]): 0x%04x\n", ffaemu_regs_id_hi(r, 1));
		break;
	case FFAEMU_FFA_RX_RELEASE:
		printf("  VM ID (w1[15:0]): 0x%04x\n", ffaemu_regs_id_lo(r, 1));
		break;
	case FFAEMU_FFA_PARTITION_INFO_GET: {
		struct ffaemu_uuid u = ffaemu_regs_uuid_w(r, 1);
		char ub[FFAEMU_UUID_STR_LEN];

		printf("  UUID %s%s, flags w5=0x%x%s\n", ffaemu_uuid_format(&u, ub),
		       ffaemu_uuid_is_nil(&u) ? " (nil: all partitions)" : "", ffaemu_regs_w(r, 5),
		       (ffaemu_regs_w(r, 5) & 1) ? " (count only)" : "");
		break;
	}
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ:
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ_64:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP_64:
		ids("sender -> receiver", ffaemu_regs_w(r, 1));
		if (ffaemu_regs_w(r, 2) & 0x80000000u)
			printf("  framework message, type 0x%x\n", ffaemu_regs_w(r, 2) & 0xffu);
		else
			printf("  partition message, flags w2=0x%x%s\n", ffaemu_regs_w(r, 2),
			       ffaemu_regs_w(r, 2) ? " (MBZ: should be 0)" : "");
		break;
	case FFAEMU_FFA_MSG_SEND_DIRECT_REQ2:
	case FFAEMU_FFA_MSG_SEND_DIRECT_RESP2: {
		struct ffaemu_uuid u = ffaemu_regs_uuid_x(r, 2);
		char ub[FFAEMU_UUID_STR_LEN];

		ids("sender -> receiver", ffaemu_regs_w(r, 1));
		printf("  UUID (x2/x3) %s\n", ffaemu_uuid_format(&u, ub));
		break;
	}
	case FFAEMU_FFA_MEM_SHARE:
	case FFAEMU_FFA_MEM_SHARE_64:
	case FFAEMU_FFA_MEM_LEND:
	case FFAEMU_FFA_MEM_LEND_64:
	case FFAEMU_FFA_MEM_DONATE:
	case FFAEMU_FFA_MEM_DONATE_64:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ:
	case FFAEMU_FFA_MEM_RETRIEVE_REQ_64:
		printf("  total length %u, fragment length %u%s, buffer x3=0x%llx w4=%u%s\n",
		       ffaemu_regs_w(r, 1), ffaemu_regs_w(r, 2),
		       ffaemu_regs_w(r, 2) < ffaemu_regs_w(r, 1) ? " (fragmented)" : "",
		       (unsigned long long)r->x[3], ffaemu_regs_w(r, 4),
		       (r->x[3] || ffaemu_regs_w(r, 4)) ? " (not the TX buffer)" : " (TX buffer)");
		break;
	case FFAEMU_FFA_MEM_RETRIEVE_RESP:
		printf("  total length %u, fragment length %u\n", ffaemu_regs_w(r, 1),
		       ffaemu_regs_w(r, 2));
		break;
	case FFAEMU_FFA_MEM_RECLAIM:
		printf("  handle 0x%016llx (w1 low, w2 high), flags w3=0x%x\n",
		       (unsigned long long)ffaemu_regs_handle(r, 1), ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_MEM_FRAG_RX:
	case FFAEMU_FFA_MEM_FRAG_TX:
		printf("  handle 0x%016llx, %s %u, sender (w4[31:16]) 0x%04x\n",
		       (unsigned long long)ffaemu_regs_handle(r, 1),
		       fid == FFAEMU_FFA_MEM_FRAG_RX ? "offset" : "fragment length",
		       ffaemu_regs_w(r, 3), ffaemu_regs_id_hi(r, 4));
		break;
	case FFAEMU_FFA_RUN:
	case FFAEMU_FFA_INTERRUPT:
	case FFAEMU_FFA_YIELD:
	case FFAEMU_FFA_MSG_WAIT:
		printf("  target info: endpoint 0x%04x, vCPU %u\n", ffaemu_regs_id_hi(r, 1),
		       ffaemu_regs_id_lo(r, 1));
		break;
	case FFAEMU_FFA_NOTIFICATION_BIND:
	case FFAEMU_FFA_NOTIFICATION_UNBIND:
	case FFAEMU_FFA_NOTIFICATION_SET:
		ids("sender -> receiver", ffaemu_regs_w(r, 1));
		printf("  flags w2=0x%x, bitmap 0x%08x%08x\n", ffaemu_regs_w(r, 2), ffaemu_regs_w(r, 4),
		       ffaemu_regs_w(r, 3));
		break;
	case FFAEMU_FFA_NOTIFICATION_GET:
		printf("  receiver 0x%04x, vCPU %u, bitmaps asked w2=0x%x\n", ffaemu_regs_id_lo(r, 1),
		       ffaemu_regs_id_hi(r, 1), ffaemu_regs_w(r, 2));
		break;
	default:
		break;
	}
}

int emu_cmd_decode(int argc, char **argv)
{
	struct ffaemu_regs r;
	uint32_t seen = 0;
	char *all = NULL;
	size_t len = 0;
	int status = EMU_EXIT_PASS;

	if (argc < 2) {
		usage_decode(stderr);
		return EMU_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_decode(stdout);
		return EMU_EXIT_PASS;
	}
	if (argc == 2 && !strcmp(argv[1], "-")) {
		all = emu_read_file("/dev/stdin", &len);
		if (!all) {
			perror("stdin");
			return EMU_EXIT_IO;
		}
	} else {
		for (int i = 1; i < argc; i++)
			len += strlen(argv[i]) + 1;
		all = calloc(1, len + 1);
		if (!all)
			return EMU_EXIT_IO;
		for (int i = 1; i < argc; i++) {
			strcat(all, argv[i]);
			strcat(all, " ");
		}
	}
	ffaemu_regs_clear(&r);
	if (scan_dump(all, &r, &seen)) {
		decode_dump(&r, seen);
	} else {
		for (int i = 1; i < argc; i++) {
			int rc = decode_value(argv[i]);

			if (rc)
				status = rc;
		}
	}
	free(all);
	return fflush(stdout) ? EMU_EXIT_IO : status;
}
