#include "common/json_quote.h"

char rt_json_short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return '"';
	case '\\':
		return '\\';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	default:
		return 0;
	}
}

size_t rt_json_quoted_len(const char *s, size_t n)
{
	size_t len = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		len += rt_json_short_escape(c) ? 2 : c < 0x20 || c == 0x7f ? 6 : 1;
	}
	return len;
}

size_t rt_json_quote_to(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *q = dst, e;
	*q++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((e = rt_json_short_escape(c)) != 0) {
			*q++ = '\\';
			*q++ = e;
		} else if (c < 0x20 || c == 0x7f) {
			*q++ = '\\';
			*q++ = 'u';
			*q++ = '0';
			*q++ = '0';
			*q++ = hex[c >> 4];
			*q++ = hex[c & 15];
		} else {
			*q++ = (char)c;
		}
	}
	*q++ = '"';
	*q = '\0';
	return (size_t)(q - dst);
}
