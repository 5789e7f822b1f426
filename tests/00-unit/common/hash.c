/*
 * hash.c - unit tests for common/hash.h: the published FNV-1a test vectors
 * (so tables built by older code hash the same), the string and byte forms
 * agreeing, and every byte of a key mattering.
 */
#include "common/hash.h"
#include "tap.h"

#include <string.h>

/* rt_hash_str("foobar") as the engine computed it before hash.h existed. */
#define HASH_FOOBAR 0x88fad7c0a8ff07f2ull

static void test_vectors(void)
{
	/* 64-bit: the tree's own start value (see hash.h), so these are fixed
	 * points computed once, not the reference vectors. */
	ok(rt_hash_str("") == RT_FNV64_OFFSET, "64-bit of \"\" is the start value");
	ok(rt_hash_str("a") == (RT_FNV64_OFFSET ^ 'a') * RT_FNV64_PRIME, "64-bit of \"a\" is one step");
	ok(rt_hash_str("foobar") == HASH_FOOBAR, "64-bit of \"foobar\" stays what it was");
	/* 32-bit: from the FNV reference (draft-eastlake-fnv). */
	ok(rt_hash32_bytes("", 0) == 0x811c9dc5u, "32-bit of \"\" is the offset basis");
	ok(rt_hash32_bytes("a", 1) == 0xe40c292cu, "32-bit of \"a\"");
	ok(rt_hash32_bytes("foobar", 6) == 0xbf9cf968u, "32-bit of \"foobar\"");
}

static void test_forms(void)
{
	const char *id = "instance-\xc3\xbc-42";
	ok(rt_hash_str(id) == rt_hash_bytes(id, strlen(id)), "string and byte forms agree");
	ok(rt_hash_bytes("ab\0c", 4) != rt_hash_bytes("ab", 2), "bytes after a NUL count");
	ok(rt_hash_str("order-1") != rt_hash_str("order-2"), "the last byte matters");
	ok(rt_hash_str("ab") != rt_hash_str("ba"), "the order matters");
}

int main(void)
{
	subtest("reference vectors", test_vectors);
	subtest("forms and sensitivity", test_forms);
	return done_testing();
}
