/*
 * json_cases.h - JSON texts with the verdict jansson gives them
 * (json_loads with JSON_DECODE_ANY). Shared by tests/00-unit/common/
 * json_check.c, which checks common/json_check.c against the verdicts, and
 * tests/00-unit/bindings/json_check_jansson.c, which checks the verdicts
 * against jansson itself.
 */
#ifndef TESTS_JSON_CASES_H
#define TESTS_JSON_CASES_H

#include <stdlib.h>
#include <string.h>

static const struct json_case {
	const char *text;
	int ok;
} json_cases[] = {
	/* scalars at the top, blanks around */
	{"null", 1}, {"true", 1}, {"false", 1}, {"0", 1}, {"-0", 1}, {"42", 1},
	{" \t\r\n42 \n", 1}, {"\"\"", 1}, {"\"text\"", 1}, {"1.5", 1}, {"-1.5e+10", 1},
	{"1E5", 1}, {"1e-400", 1}, {"9223372036854775807", 1}, {"-9223372036854775808", 1},
	/* containers */
	{"[]", 1}, {"{}", 1}, {"[1,2,3]", 1}, {"{\"a\":1,\"b\":[true,null]}", 1},
	{" [ 1 , { \"k\" : \"v\" } ] ", 1}, {"{\"a\":1,\"a\":2}", 1},
	/* strings */
	{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 1}, {"\"\\u00e9\\u20AC\"", 1},
	{"\"\\ud83d\\ude00\"", 1}, {"\"z\xc3\xbcrich \xf0\x9f\x98\x80\"", 1}, {"\"del\x7f\"", 1},
	{"\"\\u0000\"", 0}, {"\"\\ud83d\"", 0}, {"\"\\ude00\"", 0}, {"\"\\ud83d\\u0041\"", 0},
	{"\"\\ud83dx\"", 0}, {"\"\\u12\"", 0}, {"\"\\u12g4\"", 0}, {"\"\\x\"", 0},
	{"\"\\'\"", 0}, {"\"tab\there\"", 0}, {"\"line\nbreak\"", 0}, {"\"open", 0},
	{"\"bad \xff\"", 0}, {"\"overlong \xc0\xaf\"", 0}, {"\"surrogate \xed\xa0\x80\"", 0},
	{"\"cut \xe2\x82\"", 0}, {"'single'", 0},
	/* numbers */
	{"01", 0}, {"-01", 0}, {"1.", 0}, {".5", 0}, {"1.e5", 0}, {"1e", 0}, {"1e+", 0},
	{"-", 0}, {"+1", 0}, {"0x10", 0}, {"NaN", 0}, {"Infinity", 0}, {"1e400", 0},
	{"-1e400", 0}, {"9223372036854775808", 0}, {"-9223372036854775809", 0},
	/* structure */
	{"", 0}, {"   ", 0}, {"[", 0}, {"]", 0}, {"[1,]", 0}, {"[,1]", 0}, {"[1 2]", 0},
	{"{\"a\"}", 0}, {"{\"a\":}", 0}, {"{a:1}", 0}, {"{\"a\":1,}", 0}, {"{1:2}", 0},
	{"1 2", 0}, {"[]]", 0}, {"nul", 0}, {"truex", 0}, {"[true false]", 0},
	{"{\"a\":1}x", 0}, {"\"a\" \"b\"", 0}, {"/* c */ 1", 0},
};

#define JSON_NCASES (sizeof(json_cases) / sizeof(json_cases[0]))

/* n nested arrays around a scalar, n + 1 values deep (malloc'd). */
static inline char *json_nested(int n)
{
	char *s = malloc(2 * (size_t)n + 2), *p = s;
	memset(p, '[', (size_t)n);
	p += n;
	*p++ = '1';
	memset(p, ']', (size_t)n);
	p[n] = '\0';
	return s;
}

/* A test name must stay on one line: the case with its blanks shown. */
static inline const char *json_case_shown(const char *text)
{
	static char out[160];
	size_t o = 0;
	for (; *text && o + 3 < sizeof(out); text++) {
		char c = *text == '\n' ? 'n' : *text == '\r' ? 'r' : *text == '\t' ? 't' : 0;
		if (c) {
			out[o++] = '\\';
			out[o++] = c;
		} else {
			out[o++] = *text;
		}
	}
	out[o] = '\0';
	return out;
}


#endif
