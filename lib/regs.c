/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of the register file and of UUIDs. The packing accessors are
 * inline in regs.h / uuid.h; only what needs stdio lives here.
 */
#include <inttypes.h>
#include <stdio.h>

#include <ffa/regs.h>
#include <ffa/uuid.h>

#include "text.h"

/* RFC 4122 text: hyphens after hex digit 8, 12, 16 and 20 (character 8, 13, 18, 23). */
static bool uuid_is_hyphen_pos(unsigned pos)
{
	return pos == 8 || pos == 13 || pos == 18 || pos == 23;
}

int ffaemu_uuid_parse(const char *text, struct ffaemu_uuid *out)
{
	struct ffaemu_uuid u = {{0}};
	unsigned pos, nib = 0;

	if (!text || !out)
		return FFAEMU_EPARSE;
	/* Reading stops at the first bad character, so no byte past a short string's NUL is read. */
	for (pos = 0; pos < FFAEMU_UUID_STR_LEN - 1; pos++) {
		char c = text[pos];
		int d;

		if (uuid_is_hyphen_pos(pos)) {
			if (c != '-')
				return FFAEMU_EPARSE;
			continue;
		}
		d = text_hex_digit(c);
		if (d < 0)
			return FFAEMU_EPARSE;
		if (nib & 1)
			u.b[nib / 2] = (uint8_t)(u.b[nib / 2] | d);
		else
			u.b[nib / 2] = (uint8_t)(d << 4);
		nib++;
	}
	if (text[pos] != '\0')
		return FFAEMU_EPARSE;
	*out = u;
	return FFAEMU_OK;
}

char *ffaemu_uuid_format(const struct ffaemu_uuid *u, char buf[FFAEMU_UUID_STR_LEN])
{
	static const char digits[] = "0123456789abcdef";
	unsigned pos, i = 0;

	if (!buf)
		return NULL;
	if (!u) {
		buf[0] = '\0';
		return buf;
	}
	for (pos = 0; pos < FFAEMU_UUID_STR_LEN - 1; pos++) {
		if (uuid_is_hyphen_pos(pos)) {
			buf[pos] = '-';
			continue;
		}
		buf[pos] = digits[(i & 1) ? (u->b[i / 2] & 0xf) : (u->b[i / 2] >> 4)];
		i++;
	}
	buf[pos] = '\0';
	return buf;
}

int ffaemu_regs_format(const struct ffaemu_regs *r, uint32_t mask, char *buf, size_t len)
{
	size_t total = 0;
	bool first = true;

	if (buf && len)
		buf[0] = '\0';
	if (!r)
		return 0;
	mask &= FFAEMU_REGS_ALL;
	if (!mask)
		mask = FFAEMU_REGS_ALL;
	for (unsigned n = 0; n < FFAEMU_NREGS; n++) {
		size_t room;
		int k;

		if (!(mask & FFAEMU_REG(n)))
			continue;
		room = (buf && total < len) ? len - total : 0;
		k = snprintf(room ? buf + total : NULL, room, "%sx%u=0x%016" PRIx64,
			     first ? "" : " ", n, r->x[n]);
		if (k < 0)
			return k;
		total += (size_t)k;
		first = false;
	}
	return (int)total;
}
