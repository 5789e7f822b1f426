/*
 * urlcodec.c - see urlcodec.h for the strict-path / lenient-query split.
 */
#include "common/urlcodec.h"

#include "common/arena.h"
#include "common/hex.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

int bind_urlcodec_decode_segment(char *dst, const char *src, size_t len, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (src[i] != '%') {
			dst[o++] = src[i];
			continue;
		}
		if (len - i < 3)
			return -1;
		int hi = rt_hex_value((unsigned char)src[i + 1]);
		int lo = rt_hex_value((unsigned char)src[i + 2]);
		if (hi < 0 || lo < 0 || (hi | lo) == 0)
			return -1;
		dst[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	dst[o] = '\0';
	if (outlen)
		*outlen = o;
	return 0;
}

size_t bind_urlcodec_decode_component(char *dst, const char *src, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = src[i];
		if (c == '+') {
			dst[o++] = ' ';
		} else if (c == '%' && len - i >= 3) {
			int hi = rt_hex_value((unsigned char)src[i + 1]);
			int lo = rt_hex_value((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0) {
				dst[o++] = c;
			} else {
				dst[o++] = (char)(hi << 4 | lo);
				i += 2;
			}
		} else {
			dst[o++] = c;
		}
	}
	dst[o] = '\0';
	return o;
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

char *bind_urlcodec_encode(const char *src, size_t len, struct rt_arena *a)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = 0, o = 0;

	for (i = 0; i < len; i++)
		n += unreserved((unsigned char)src[i]) ? 1 : 3;
	char *out = a ? rt_arena_alloc(a, n + 1) : xmalloc(n + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (unreserved(c)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

void bind_urlcodec_query_parse(struct bind_query *q, const char *qs, size_t len,
			       struct rt_arena *a)
{
	size_t i, n = 0, start;

	q->params = NULL;
	q->count = 0;
	q->owned = NULL;
	if (len && qs[0] == '?') {
		qs++;
		len--;
	}
	/* Count the non-empty pieces to size one block: the params array, then
	 * the decoded strings (each at most as long as its source, plus two
	 * NULs per piece). */
	for (start = 0, i = 0; i <= len; i++) {
		if (i == len || qs[i] == '&') {
			if (i > start)
				n++;
			start = i + 1;
		}
	}
	if (n == 0)
		return;
	size_t size = n * sizeof(struct bind_query_param) + len + 2 * n;
	char *block = a ? rt_arena_alloc(a, size) : xmalloc(size);
	char *str = block + n * sizeof(struct bind_query_param);

	q->params = (struct bind_query_param *)block;
	q->owned = a ? NULL : block;
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && qs[i] != '&')
			continue;
		if (i > start) {
			const char *piece = qs + start;
			size_t plen = i - start;
			const char *eq = memchr(piece, '=', plen);
			size_t nlen = eq ? (size_t)(eq - piece) : plen;
			struct bind_query_param *p = &q->params[q->count++];

			p->name = str;
			str += bind_urlcodec_decode_component(str, piece, nlen) + 1;
			p->value = str;
			if (eq)
				str += bind_urlcodec_decode_component(str, eq + 1, plen - nlen - 1) + 1;
			else
				*str++ = '\0';
		}
		start = i + 1;
	}
}

void bind_urlcodec_query_cleanup(struct bind_query *q)
{
	free(q->owned);
	q->params = NULL;
	q->count = 0;
	q->owned = NULL;
}

/* ASCII only: strcasecmp() follows the locale (Turkish dotless i). */
static int ascii_caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
		if (!x)
			return 1;
	}
}

const char *bind_urlcodec_query_next(const struct bind_query *q, const char *name, size_t *iter)
{
	for (; *iter < q->count; (*iter)++) {
		if (ascii_caseeq(q->params[*iter].name, name))
			return q->params[(*iter)++].value;
	}
	return NULL;
}

const char *bind_urlcodec_query_get(const struct bind_query *q, const char *name)
{
	size_t it = 0;
	return bind_urlcodec_query_next(q, name, &it);
}
