/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: small text helpers shared by the library's parsers. */
#ifndef FFAEMU_LIB_TEXT_H
#define FFAEMU_LIB_TEXT_H

/* Value of one hexadecimal digit (either case), or -1. Locale-independent. */
static inline int text_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* FFAEMU_LIB_TEXT_H */
