/*
 * uuid.c - unit tests for runtime/uuid.c: parse/format, UUID v5 with the
 * four test vectors of durable-semantics.md §5.3, the new_uuid name form,
 * random hex ids.
 */
#include "runtime/uuid.h"
#include "common/xalloc.h"
#include "tap.h"
#include "common/clock.h"

#include <stdio.h>
#include <string.h>

static const char *v5(const char *ns_text, const char *name)
{
	static char out[37];
	unsigned char ns[16], u[16];
	if (rt_uuid_parse(ns_text, ns) != 0)
		return "bad namespace";
	rt_uuid5(ns, name, strlen(name), u);
	rt_uuid_format(u, out);
	return out;
}

static void test_parse_format(void)
{
	unsigned char u[16];
	char s[37];

	is_int(rt_uuid_parse("9E952958-5E33-4DAF-827F-2FA12937B875", u), 0, "parse upper case");
	rt_uuid_format(u, s);
	is_str(s, "9e952958-5e33-4daf-827f-2fa12937b875", "format lower case");
	is_int(u[0], 0x9e, "network byte order");
	is_int(rt_uuid_parse("9e952958-5e33-4daf-827f-2fa12937b87", u), -1, "too short");
	is_int(rt_uuid_parse("9e952958-5e33-4daf-827f-2fa12937b8755", u), -1, "too long");
	is_int(rt_uuid_parse("9e9529585e33-4daf-827f-2fa12937b8755", u), -1, "dash misplaced");
	is_int(rt_uuid_parse("9e952958-5e33-4daf-827f-2fa12937b87g", u), -1, "not hex");
	is_int(rt_uuid_parse("", u), -1, "empty");
	is_int(rt_uuid_parse(NULL, u), -1, "NULL");
}

static void test_vectors(void)
{
	is_str(v5(RT_UUID_NS_OID, RT_UUID_NS_DURABLETASK), RT_UUID_NS_PYTHON,
	       "Python namespace = uuid5(NAMESPACE_OID, \"9e952958-...\")");
	is_str(v5(RT_UUID_NS_PYTHON, "abc123_2024-01-02T03:04:05.678901Z_0"),
	       "1c242b84-77df-50d2-bbeb-170652d21e95", "Python, counter 0");
	is_str(v5(RT_UUID_NS_PYTHON, "abc123_2024-01-02T03:04:05.678901Z_1"),
	       "6b640549-681d-5032-bfea-53e7db2b19dc", "Python, counter 1");
	is_str(v5(RT_UUID_NS_DURABLETASK, "abc123_2024-01-02T03:04:05.6789010Z_0"),
	       "800316a9-6d2c-52e8-9987-3570d2259641", "durabletask-dotnet/go");
	is_str(v5(RT_UUID_NS_DOTNET_INPROC, "abc123_2024-01-02T03:04:05.6789010Z_0"),
	       "883a5b80-d235-580c-b74e-1396c9644220", ".NET in-proc");
	/* RFC 4122 appendix B errata example, as computed by Python's uuid5. */
	is_str(v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
	       "2ed6657d-e927-568b-95e1-2665a8aea6a2", "DNS namespace example");

	char s[37];
	rt_uuid_orch("abc123", INT64_C(1704164645678901), 0, s);
	is_str(s, "800316a9-6d2c-52e8-9987-3570d2259641", "rt_uuid_orch = dotnet/go variant");
	rt_uuid_orch("abc123", INT64_C(1704164645678901), 1, s);
	ok(strcmp(s, "800316a9-6d2c-52e8-9987-3570d2259641") != 0, "counter changes it");
	ok(s[14] == '5' && strchr("89ab", s[19]) != NULL, "version 5, RFC 4122 variant");
}

static void test_random(void)
{
	char a[33], b[33];
	int hex = 1;
	rt_uuid_random_hex(a);
	rt_uuid_random_hex(b);
	is_int(strlen(a), 32, "32 characters");
	for (int i = 0; i < 32; i++)
		hex &= (a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f');
	ok(hex, "lower-case hex");
	ok(a[12] == '7' && strchr("89ab", a[16]) != NULL, "a version-7 GUID without dashes");
	ok(strcmp(a, b) != 0, "two ids differ");
	/* The first 12 digits are the time in ms: ids made later sort later. */
	int64_t ms = rt_now_us() / 1000;
	char now_hex[13];
	snprintf(now_hex, sizeof(now_hex), "%012llx", (unsigned long long)ms);
	ok(strncmp(a, now_hex, 8) == 0, "starts with the current time");
	ok(strncmp(a, b, 12) <= 0, "a later id does not sort before an earlier one");
}

int main(void)
{
	subtest("parse and format", test_parse_format);
	subtest("UUID v5 test vectors", test_vectors);
	subtest("random ids", test_random);
	return done_testing();
}
