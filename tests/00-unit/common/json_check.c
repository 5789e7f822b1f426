/*
 * json_check.c - unit tests for common/json_check.c: the verdict on every
 * case of json_cases.h (the syntax, strings, numbers and their ranges as
 * jansson judges them), the nesting limit at and past its edge, and texts
 * with a length: a NUL inside, a value cut by the length.
 */
#include "common/json_check.h"
#include "json_cases.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void test_cases(void)
{
	for (size_t i = 0; i < JSON_NCASES; i++)
		is_int(rt_json_check(json_cases[i].text, strlen(json_cases[i].text),
				     RT_JSON_JANSSON_DEPTH),
		       json_cases[i].ok, "%s: %s", json_cases[i].ok ? "accept" : "refuse",
		       json_case_shown(json_cases[i].text));
}

static void test_depth(void)
{
	char *at = json_nested(RT_JSON_JANSSON_DEPTH - 1), *past = json_nested(RT_JSON_JANSSON_DEPTH);
	ok(rt_json_check(at, strlen(at), RT_JSON_JANSSON_DEPTH), "2048 values deep is accepted");
	ok(!rt_json_check(past, strlen(past), RT_JSON_JANSSON_DEPTH), "2049 deep is refused");
	free(at);
	free(past);
	char *deep = json_nested(100000);
	ok(!rt_json_check(deep, strlen(deep), RT_JSON_JANSSON_DEPTH),
	   "100,000 deep is refused without running out of stack");
	free(deep);
	ok(rt_json_check("[[1]]", 5, 3), "a limit of 3 takes [[1]]");
	ok(!rt_json_check("[[[1]]]", 7, 3), "but not [[[1]]]");
	ok(!rt_json_check("{\"a\":{\"b\":[]}}", 14, 2), "objects count too");
	ok(rt_json_check("1", 1, 1), "a scalar is depth 1");
}

static void test_lengths(void)
{
	ok(!rt_json_check("[1]\0", 4, 64), "a NUL after the value is refused");
	ok(!rt_json_check("\"a\0b\"", 5, 64), "a NUL inside a string is refused");
	ok(rt_json_check("[1] trailing", 3, 64), "only len bytes are read");
	ok(!rt_json_check("[1,2]", 3, 64), "a value cut by len is refused");
	ok(!rt_json_check("\"\\ud83d\\ude00\"", 8, 64), "a surrogate pair cut by len is refused");
	ok(!rt_json_check("12345", 0, 64), "zero bytes are no value");
	ok(!rt_json_check(NULL, 0, 64), "NULL is no value");
}

int main(void)
{
	subtest("verdicts", test_cases);
	subtest("nesting", test_depth);
	subtest("lengths", test_lengths);
	return done_testing();
}
