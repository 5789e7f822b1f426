/*
 * json_quote.c - unit tests for common/json_quote.c: each escape the
 * writer uses, bytes passed through (UTF-8 and the NUL inside a length),
 * the length promise kept exactly, and the bytes 1-127 quoted into valid
 * JSON.
 */
#include "common/json_check.h"
#include "common/json_quote.h"
#include "tap.h"

#include <string.h>

static const char *quote(const char *s, size_t n)
{
	static char buf[2048];
	size_t len = rt_json_quote_to(buf, s, n);
	if (len != rt_json_quoted_len(s, n) || buf[len] != '\0')
		return "(length promise broken)";
	return buf;
}

int main(void)
{
	is_str(quote("", 0), "\"\"", "the empty string");
	is_str(quote("plain", 5), "\"plain\"", "plain text");
	is_str(quote("a\"b\\c", 5), "\"a\\\"b\\\\c\"", "quote and backslash");
	is_str(quote("\n\r\t\b\f", 5), "\"\\n\\r\\t\\b\\f\"", "the five short escapes");
	is_str(quote("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"", "other controls and DEL as \\u00xx");
	is_str(quote("z\xc3\xbc\xf0\x9f\x98\x80", 7), "\"z\xc3\xbc\xf0\x9f\x98\x80\"", "UTF-8 passes through");
	is_str(quote("a\0b", 3), "\"a\\u0000b\"", "a NUL inside the length is escaped");
	is_str(quote("slash/", 6), "\"slash/\"", "'/' is not escaped");

	char all[256], buf[256 * 6 + 3];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	/* Bytes 1-127 (valid UTF-8; jansson refuses \u0000 on reading). */
	size_t len = rt_json_quote_to(buf, all + 1, 127);
	ok(rt_json_check(buf, len, 1), "bytes 1-127 quote to one valid JSON string");
	is_int(rt_json_quoted_len(all, 256), len + 6 + 128, "NUL adds 6, the high half one each");
	return done_testing();
}
