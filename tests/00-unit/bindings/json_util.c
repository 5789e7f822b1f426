/* json_util: the compact writer (shortest round-trip reals), the depth
 * limit, and the API's reading of stored payloads. */
#include "bindings/json_util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void dump_is(const char *in, const char *want, const char *name)
{
	json_error_t err;
	json_t *v = json_loads(in, JSON_DECODE_ANY, &err);
	char *out = v ? bind_json_dump(v) : NULL;
	is_str(out, want, "%s", name);
	free(out);
	json_decref(v);
}

static void payload_is(const char *stored, const char *want, const char *name)
{
	json_t *v = bind_json_payload(stored);
	char *out = bind_json_dump(v);
	is_str(out, want, "%s", name);
	free(out);
	json_decref(v);
}

int main(void)
{
	dump_is("0.3", "0.3", "0.3 stays 0.3");
	dump_is("0.1", "0.1", "0.1");
	dump_is("0.30000000000000004", "0.30000000000000004", "needs 17 digits");
	dump_is("1.0", "1.0", "a real stays a real");
	dump_is("1e300", "1e+300", "large exponent, shortest form");
	dump_is("-2.5e-7", "-2.5e-07", "small exponent");
	dump_is("12345678901234", "12345678901234", "integers exact");
	dump_is("-9223372036854775808", "-9223372036854775808", "int64 min");
	dump_is("{\"b\":1,\"a\":[true,false,null]}", "{\"b\":1,\"a\":[true,false,null]}",
		"object order kept, compact");
	dump_is("\"q\\\"b\\\\s\\n\\t\\u0001/\"", "\"q\\\"b\\\\s\\n\\t\\u0001/\"", "string escapes");
	dump_is("\"Grüße\"", "\"Grüße\"", "UTF-8 kept as is");
	dump_is("{}", "{}", "empty object");
	dump_is("[]", "[]", "empty array");

	ok(bind_json_valid("{\"a\":[1,2,{\"b\":null}]}"), "valid JSON");
	ok(!bind_json_valid("{\"a\":"), "truncated JSON");
	ok(!bind_json_valid(""), "empty text is not JSON");
	ok(!bind_json_valid("1 2"), "two values are not one");
	char deep[200];
	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	deep[128] = '\0';
	ok(bind_json_valid(deep), "64 levels accepted");
	char *deeper = malloc(100001 * 2);
	memset(deeper, '[', 100000);
	memset(deeper + 100000, ']', 100000);
	deeper[200000] = '\0';
	ok(!bind_json_valid(deeper), "100,000 levels refused without recursion");
	free(deeper);
	ok(bind_json_valid("\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\""),
	   "brackets inside a string do not count");

	payload_is(NULL, "null", "stored NULL is null");
	payload_is("", "\"\"", "stored empty is \"\"");
	payload_is("  ", "\"\"", "stored blank is \"\"");
	payload_is("buggy", "\"buggy\"", "stored non-JSON text is a string");
	payload_is("42", "42", "stored 42 is a number");
	payload_is("{\"x\":0.3}", "{\"x\":0.3}", "stored object");
	return done_testing();
}
