/*
 * Unit tests for common/urlcodec.c: strict path-segment decoding, lenient query
 * decoding and parsing, percent-encoding.
 */
#include "common/urlcodec.h"

#include "common/arena.h"
#include "tap.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Decodes a C string as a path segment; returns the result (static) or "<error>". */
static const char *seg(const char *s)
{
	static char buf[256];
	size_t n;
	if (bind_urlcodec_decode_segment(buf, s, strlen(s), &n) < 0)
		return "<error>";
	if (n != strlen(buf))
		return "<length mismatch>";
	return buf;
}

static const char *comp(const char *s)
{
	static char buf[256];
	size_t n = bind_urlcodec_decode_component(buf, s, strlen(s));
	if (n != strlen(buf))
		return "<length mismatch>";
	return buf;
}

static void test_segment(void)
{
	is_str(seg(""), "", "empty segment");
	is_str(seg("hello"), "hello", "plain text unchanged");
	is_str(seg("a%20b"), "a b", "%%20 -> space");
	is_str(seg("%41%62"), "Ab", "upper and lower case hex digits");
	is_str(seg("%e2%82%ac"), "\xe2\x82\xac", "UTF-8 bytes decoded as bytes");
	is_str(seg("a+b"), "a+b", "'+' stays '+' in paths");
	is_str(seg("a%2Fb"), "a/b", "%%2F decodes to '/' inside the segment");
	is_str(seg("%2541"), "%41", "decoding happens exactly once: %%2541 -> %%41");
	is_str(seg("100%25"), "100%", "%%25 at the end");
	is_str(seg("%"), "<error>", "lone '%%' is an error");
	is_str(seg("abc%"), "<error>", "trailing '%%' is an error");
	is_str(seg("%4"), "<error>", "'%%' with one hex digit is an error");
	is_str(seg("%G1"), "<error>", "'%%' with a non-hex digit is an error");
	is_str(seg("%1G"), "<error>", "second digit non-hex is an error");
	is_str(seg("%00"), "<error>", "%%00 (NUL) is an error");
	is_str(seg("a%00b"), "<error>", "%%00 in the middle is an error");
	is_str(seg("%01"), "\x01", "%%01 is fine");

	char inplace[] = "x%2541%20y";
	size_t n;
	is_int(bind_urlcodec_decode_segment(inplace, inplace, strlen(inplace), &n), 0,
	       "in-place decoding allowed");
	is_str(inplace, "x%41 y", "in-place result");
	is_int(n, 6, "decoded length");

	char nonul[4] = { 'a', '%', '4', '1' }; /* not NUL-terminated */
	char out[5];
	is_int(bind_urlcodec_decode_segment(out, nonul, 4, NULL), 0, "length-bounded input");
	is_str(out, "aA", "stops at len");
	is_int(bind_urlcodec_decode_segment(out, nonul, 3, NULL), -1,
	       "escape cut by len is malformed");
}

static void test_component(void)
{
	is_str(comp("a+b"), "a b", "'+' -> space in query");
	is_str(comp("%2B"), "+", "%%2B -> '+'");
	is_str(comp("a%20b"), "a b", "%%20 -> space");
	is_str(comp("%"), "%", "lone '%%' kept literally");
	is_str(comp("%4"), "%4", "short escape kept literally");
	is_str(comp("%G1"), "%G1", "non-hex escape kept literally");
	is_str(comp("100%"), "100%", "trailing '%%' kept");
	is_str(comp("%%41"), "%A", "'%%' then a valid escape");
	is_str(comp("%00"), "%00", "%%00 kept literally (no NUL in C strings)");
	is_str(comp("%2541"), "%41", "decoded once");
	is_str(comp("++"), "  ", "several '+'");
}

static void test_encode(void)
{
	struct rt_arena a;
	char *s;

	rt_arena_init(&a);
	s = bind_urlcodec_encode("abcXYZ019-._~", 13, NULL);
	is_str(s, "abcXYZ019-._~", "unreserved characters kept");
	free(s);
	s = bind_urlcodec_encode("a b/c?d=e&f+g%", 14, NULL);
	is_str(s, "a%20b%2Fc%3Fd%3De%26f%2Bg%25", "reserved characters encoded, uppercase hex");
	free(s);
	s = bind_urlcodec_encode("\xe2\x82\xac\xff", 4, &a);
	is_str(s, "%E2%82%AC%FF", "high bytes encoded (arena)");
	s = bind_urlcodec_encode("", 0, &a);
	is_str(s, "", "empty string");
	s = bind_urlcodec_encode("a\0b", 3, &a);
	is_str(s, "a%00b", "embedded NUL encoded (length-based)");

	/* round trip over every byte except NUL (which the strict decoder refuses) */
	char all[255], dec[255 * 3 + 1];
	size_t i, n;
	for (i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	s = bind_urlcodec_encode(all, sizeof(all), &a);
	ok(bind_urlcodec_decode_segment(dec, s, strlen(s), &n) == 0 && n == 255 &&
		   memcmp(dec, all, 255) == 0,
	   "encode -> strict decode round trip over bytes 1..255");
	n = bind_urlcodec_decode_component(dec, s, strlen(s));
	ok(n == 255 && memcmp(dec, all, 255) == 0, "encode -> query decode round trip");
	ok(strchr(s, '+') == NULL && strchr(s, '/') == NULL, "no '+' or '/' in encoded output");

	/* the id form used in management URLs */
	s = bind_urlcodec_encode("my id/1?x", 9, &a);
	is_str(s, "my%20id%2F1%3Fx", "instance id with space, slash, question mark");
	rt_arena_cleanup(&a);
}

static void test_query(void)
{
	struct rt_arena a;
	struct bind_query q;
	const char *qs;
	size_t it;

	rt_arena_init(&a);

	qs = "a=1&&b=";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), &a);
	is_int(q.count, 2, "a=1&&b=: empty piece skipped");
	is_str(q.params[0].name, "a", "first name");
	is_str(q.params[0].value, "1", "first value");
	is_str(q.params[1].name, "b", "second name");
	is_str(q.params[1].value, "", "b= gives empty value");

	qs = "x";
	bind_urlcodec_query_parse(&q, qs, 1, &a);
	is_int(q.count, 1, "x: one param");
	is_str(q.params[0].name, "x", "name x");
	is_str(q.params[0].value, "", "x without '=' gives \"\"");
	ok(bind_urlcodec_query_get(&q, "x") != NULL, "x found");

	qs = "q=a+b&plus=%2B&sp=%20&name+with+space=v";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), &a);
	is_str(bind_urlcodec_query_get(&q, "q"), "a b", "'+' -> space in value");
	is_str(bind_urlcodec_query_get(&q, "plus"), "+", "%%2B -> '+'");
	is_str(bind_urlcodec_query_get(&q, "sp"), " ", "%%20 -> space");
	is_str(bind_urlcodec_query_get(&q, "name with space"), "v", "name decoded too");

	qs = "+";
	bind_urlcodec_query_parse(&q, qs, 1, &a);
	is_int(q.count, 1, "'+' alone: one param");
	is_str(q.params[0].name, " ", "named ' '");

	qs = "runtimeStatus=Running&other=1&RUNTIMESTATUS=Pending&runtimestatus=Failed";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), &a);
	is_str(bind_urlcodec_query_get(&q, "RuntimeStatus"), "Running",
	       "first value, case-insensitive name");
	it = 0;
	is_str(bind_urlcodec_query_next(&q, "runtimeStatus", &it), "Running", "iterate 1");
	is_str(bind_urlcodec_query_next(&q, "runtimeStatus", &it), "Pending", "iterate 2");
	is_str(bind_urlcodec_query_next(&q, "runtimeStatus", &it), "Failed", "iterate 3");
	is_str(bind_urlcodec_query_next(&q, "runtimeStatus", &it), NULL, "iterate end");
	is_str(bind_urlcodec_query_next(&q, "runtimeStatus", &it), NULL, "stays at end");
	is_str(bind_urlcodec_query_get(&q, "missing"), NULL, "absent name -> NULL");

	qs = "a=%&b=%G1&c=%4&d=100%&e=%00&f=%zz%41";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), &a);
	is_str(bind_urlcodec_query_get(&q, "a"), "%", "malformed '%%' kept");
	is_str(bind_urlcodec_query_get(&q, "b"), "%G1", "malformed %%G1 kept");
	is_str(bind_urlcodec_query_get(&q, "c"), "%4", "malformed %%4 kept");
	is_str(bind_urlcodec_query_get(&q, "d"), "100%", "trailing %% kept");
	is_str(bind_urlcodec_query_get(&q, "e"), "%00", "%%00 kept literally");
	is_str(bind_urlcodec_query_get(&q, "f"), "%zzA", "valid escape after malformed one");

	qs = "a=1=2&=v&&&";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), &a);
	is_int(q.count, 2, "a=1=2&=v&&&: two params");
	is_str(bind_urlcodec_query_get(&q, "a"), "1=2", "only the first '=' splits");
	is_str(bind_urlcodec_query_get(&q, ""), "v", "=v has an empty name");

	qs = "?code=abc";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), &a);
	is_str(bind_urlcodec_query_get(&q, "code"), "abc", "leading '?' skipped");

	bind_urlcodec_query_parse(&q, "", 0, &a);
	is_int(q.count, 0, "empty query: no params");
	is_str(bind_urlcodec_query_get(&q, "a"), NULL, "lookup in empty query");
	bind_urlcodec_query_parse(&q, "&&&", 3, &a);
	is_int(q.count, 0, "only separators: no params");

	/* a length-bounded query, e.g. h2o's path after query_at (not NUL-terminated) */
	qs = "k=v&cut=here";
	bind_urlcodec_query_parse(&q, qs, 7, &a);
	is_int(q.count, 2, "length-bounded parse");
	is_str(bind_urlcodec_query_get(&q, "cut"), "", "cut at len");

	/* without an arena: owned block, freed by cleanup */
	qs = "id=%41&id=b";
	bind_urlcodec_query_parse(&q, qs, strlen(qs), NULL);
	ok(q.owned != NULL, "malloc'd when no arena");
	it = 0;
	is_str(bind_urlcodec_query_next(&q, "ID", &it), "A", "malloc'd parse, first");
	is_str(bind_urlcodec_query_next(&q, "ID", &it), "b", "malloc'd parse, second");
	bind_urlcodec_query_cleanup(&q);
	is_int(q.count, 0, "cleanup empties");
	bind_urlcodec_query_cleanup(&q);
	ok(1, "cleanup twice is harmless");

	rt_arena_cleanup(&a);
}

static void test_long(void)
{
	struct rt_arena a;
	struct bind_query q;
	size_t n = 200000, i, cnt;
	char *big = xmalloc(n * 6 + 1), *dec;
	const char *v;

	rt_arena_init(&a);
	/* 200000 repeated "x=%41&" pieces */
	for (i = 0; i < n; i++)
		memcpy(big + i * 6, "x=%41&", 6);
	big[n * 6] = '\0';
	bind_urlcodec_query_parse(&q, big, n * 6, &a);
	is_int(q.count, n, "200000 params parsed");
	i = 0;
	cnt = 0;
	while ((v = bind_urlcodec_query_next(&q, "X", &i)) != NULL)
		cnt += strcmp(v, "A") == 0;
	is_int(cnt, n, "all repeated values decoded");

	/* one 1 MiB value */
	free(big);
	n = 1 << 20;
	big = xmalloc(n + 3);
	memcpy(big, "v=", 2);
	memset(big + 2, '+', n);
	big[n + 2] = '\0';
	bind_urlcodec_query_parse(&q, big, n + 2, NULL);
	v = bind_urlcodec_query_get(&q, "v");
	ok(v && strlen(v) == n && v[0] == ' ' && v[n - 1] == ' ', "1 MiB value of '+' -> spaces");
	bind_urlcodec_query_cleanup(&q);

	/* strict decode of a long segment of escapes */
	free(big);
	big = xmalloc(3 * n + 1);
	for (i = 0; i < n; i++)
		memcpy(big + 3 * i, "%7e", 3);
	dec = xmalloc(3 * n + 1);
	ok(bind_urlcodec_decode_segment(dec, big, 3 * n, &i) == 0 && i == n && dec[n - 1] == '~',
	   "1 MiB of escapes decoded");
	big[3 * n - 1] = 'x';
	is_int(bind_urlcodec_decode_segment(dec, big, 3 * n, NULL), -1,
	       "malformed escape at the very end of a long segment");
	char *enc = bind_urlcodec_encode(dec, n, NULL);
	is_int(strlen(enc), n, "long encode ('~' is unreserved)");
	free(enc);
	free(dec);
	free(big);
	rt_arena_cleanup(&a);
}

int main(void)
{
	subtest("path segment decoding (strict)", test_segment);
	subtest("query component decoding (lenient)", test_component);
	subtest("percent-encoding", test_encode);
	subtest("query parsing", test_query);
	subtest("long inputs", test_long);
	return done_testing();
}
