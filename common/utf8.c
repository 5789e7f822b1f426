#include "common/utf8.h"

#include <stdint.h>
#include <string.h>

size_t rt_utf8_seq(const unsigned char *p, size_t left)
{
	size_t n;
	unsigned min, c = p[0];
	if (c < 0x80)
		return 1;
	/* The lead byte says the length and the smallest code point that
	 * needs it; a smaller one is an overlong form. */
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	return c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0 : n;
}

int rt_utf8_valid_n(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, n; i < len; i += n) {
		if (p[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = rt_utf8_seq(p + i, len - i)) == 0)
			return 0;
	}
	return 1;
}

int rt_utf8_valid(const char *s)
{
	return rt_utf8_valid_n(s, strlen(s));
}

size_t rt_utf16_units(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			n += c >= 0xf0 && c <= 0xf4 ? 2 : 1;
	}
	return n;
}
