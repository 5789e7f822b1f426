/*
 * fuzz/urlcodec.c - libFuzzer target for common/urlcodec.h.
 *
 * The whole input is used four ways: as a path segment (strict decoder,
 * also in place), as a query component (lenient decoder), as bytes to
 * percent-encode (then decoded back), and as a query string (parsed with
 * and without an arena, then looked up). Invariants:
 *  - decoding never grows, NUL-terminates, in place == out of place;
 *  - encode() keeps only unreserved bytes and uppercase %XX escapes, and
 *    decode_segment(encode(x)) == x for every x without a NUL byte (a NUL
 *    encodes as %00, which the strict decoder refuses - so it must fail);
 *    decode_component(encode(x)) == x too;
 *  - both query parses agree; get() returns the first value of a name
 *    (ASCII case-insensitive) and next() walks every one of them in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/urlcodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static int upper_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
		if (!x)
			return 1;
	}
}

static void check_segment(const char *src, size_t len)
{
	char *dst = malloc(len + 1), *inplace = malloc(len + 1);
	size_t out = (size_t)-1, out2 = (size_t)-1;
	int rc = bind_urlcodec_decode_segment(dst, src, len, &out);
	if (rc != 0 && rc != -1)
		abort();
	memcpy(inplace, src, len);
	int rc2 = bind_urlcodec_decode_segment(inplace, inplace, len, &out2);
	if (rc2 != rc)
		abort();
	if (rc == 0) {
		if (out > len || dst[out] != '\0' || out2 != out || memcmp(dst, inplace, out) != 0)
			abort();
		/* A '%' not followed by two hex digits must have been refused. */
		if (!memchr(src, '%', len) && (out != len || memcmp(dst, src, len) != 0))
			abort();
	}
	if (bind_urlcodec_decode_segment(dst, src, len, NULL) != rc)
		abort();
	free(dst);
	free(inplace);
}

static void check_component(const char *src, size_t len)
{
	char *dst = malloc(len + 1), *inplace = malloc(len + 1);
	size_t n = bind_urlcodec_decode_component(dst, src, len);
	if (n > len || dst[n] != '\0')
		abort();
	memcpy(inplace, src, len);
	if (bind_urlcodec_decode_component(inplace, inplace, len) != n || memcmp(dst, inplace, n))
		abort();
	/* Without '%' and '+' nothing changes. */
	if (!memchr(src, '%', len) && !memchr(src, '+', len) && (n != len || memcmp(dst, src, n)))
		abort();
	free(dst);
	free(inplace);
}

static void check_encode(const char *src, size_t len, struct rt_arena *a)
{
	char *enc = bind_urlcodec_encode(src, len, NULL);
	char *enc2 = bind_urlcodec_encode(src, len, a);
	size_t want = 0, elen;
	int has_nul = memchr(src, '\0', len) != NULL;

	for (size_t i = 0; i < len; i++)
		want += unreserved((unsigned char)src[i]) ? 1 : 3;
	elen = strlen(enc);
	if (elen != want || strcmp(enc, enc2) != 0)
		abort();
	for (size_t i = 0; i < elen; i++) {
		unsigned char c = (unsigned char)enc[i];
		if (c == '%') {
			if (i + 2 >= elen)
				abort();
			if (!upper_hex((unsigned char)enc[i + 1]) || !upper_hex((unsigned char)enc[i + 2]))
				abort();
			i += 2;
		} else if (!unreserved(c)) {
			abort();
		}
	}

	char *back = malloc(elen + 1);
	size_t blen = (size_t)-1;
	int rc = bind_urlcodec_decode_segment(back, enc, elen, &blen);
	if (has_nul) {
		if (rc != -1)
			abort(); /* %00 is refused in paths */
	} else if (rc != 0 || blen != len || memcmp(back, src, len) != 0) {
		abort();
	}
	blen = bind_urlcodec_decode_component(back, enc, elen);
	if (!has_nul && (blen != len || memcmp(back, src, len) != 0))
		abort();
	free(back);
	free(enc);
}

static void check_query(const char *qs, size_t len, struct rt_arena *a)
{
	struct bind_query q1, q2;
	memset(&q1, 0xa5, sizeof(q1));
	memset(&q2, 0xa5, sizeof(q2));
	bind_urlcodec_query_parse(&q1, qs, len, a);
	bind_urlcodec_query_parse(&q2, qs, len, NULL);
	if (q1.count != q2.count || q1.owned != NULL || (q2.count && !q2.owned))
		abort();
	if (q1.count > len)
		abort();
	for (size_t i = 0; i < q1.count; i++) {
		if (!q1.params[i].name || !q1.params[i].value ||
		    strcmp(q1.params[i].name, q2.params[i].name) ||
		    strcmp(q1.params[i].value, q2.params[i].value))
			abort();
	}
	/* Lookups: bounded so big inputs stay fast (quadratic otherwise). */
	size_t lim = q1.count < 12 ? q1.count : 12;
	for (size_t i = 0; i < lim; i++) {
		const char *name = q1.params[i].name;
		const char *first = NULL, *v;
		size_t iter = 0, k = 0;
		for (size_t j = 0; j < q1.count && !first; j++)
			if (ascii_caseeq(q1.params[j].name, name))
				first = q1.params[j].value;
		if (bind_urlcodec_query_get(&q1, name) != first || !first)
			abort();
		while ((v = bind_urlcodec_query_next(&q1, name, &iter)) != NULL) {
			while (k < q1.count && !ascii_caseeq(q1.params[k].name, name))
				k++;
			if (k == q1.count || v != q1.params[k].value)
				abort();
			k++;
			if (iter > q1.count + 1)
				abort();
		}
		while (k < q1.count && !ascii_caseeq(q1.params[k].name, name))
			k++;
		if (k != q1.count)
			abort(); /* next() stopped early */
	}
	bind_urlcodec_query_cleanup(&q2);
	if (q2.count != 0 || q2.owned != NULL)
		abort();
	bind_urlcodec_query_cleanup(&q1); /* harmless with an arena */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rt_arena arena;
	static int init;
	const char *in = (const char *)data;

	if (!init) {
		rt_arena_init(&arena);
		init = 1;
	}
	check_segment(in, size);
	check_component(in, size);
	check_encode(in, size, &arena);
	check_query(in, size, &arena);
	rt_arena_reset(&arena);
	return 0;
}
