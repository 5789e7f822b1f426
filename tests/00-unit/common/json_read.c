/*
 * json_read.c - unit tests for common/json_read.c: it accepts exactly the
 * texts json_check accepts (every case of json_cases.h, every cut of a
 * document), reads every kind of value, decodes escapes and surrogate
 * pairs as jansson does, keeps to its depth and size limits, and refuses
 * bad input before copying anything into the arena.
 */
#include "common/json_check.h"
#include "common/json_read.h"
#include "json_cases.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rt_arena A;

static int init(struct rt_json_reader *r, const char *text)
{
	return rt_json_read_init(r, text, strlen(text), RT_JSON_JANSSON_DEPTH, 1 << 20);
}

/* Appends a canonical form of the value the reader is before to out:
 * strings as <decoded>, integers as i<n>, reals as r, words as they are,
 * containers with their members. -1 when a step fails. */
static int walk(struct rt_json_reader *r, char *out, size_t cap)
{
	size_t n = strlen(out);
	const char *s;
	long long v;
	int more;
	switch (rt_json_read_kind(r)) {
	case RT_JSON_STRING:
		if (rt_json_read_string(r, &A, &s) != 0)
			return -1;
		snprintf(out + n, cap - n, "<%s>", s);
		return 0;
	case RT_JSON_INTEGER:
		if (rt_json_read_integer(r, &v) != 0)
			return -1;
		snprintf(out + n, cap - n, "i%lld", v);
		return 0;
	case RT_JSON_REAL:
		snprintf(out + n, cap - n, "r");
		return rt_json_read_skip(r);
	case RT_JSON_NULL:
	case RT_JSON_TRUE:
	case RT_JSON_FALSE:
		snprintf(out + n, cap - n, "%s",
			 rt_json_read_kind(r) == RT_JSON_NULL   ? "null"
			 : rt_json_read_kind(r) == RT_JSON_TRUE ? "true"
								: "false");
		return rt_json_read_skip(r);
	case RT_JSON_ARRAY:
		rt_json_read_enter(r);
		snprintf(out + strlen(out), cap - strlen(out), "[");
		while ((more = rt_json_read_element(r)) == 1)
			if (walk(r, out, cap) != 0)
				return -1;
		snprintf(out + strlen(out), cap - strlen(out), "]");
		return more;
	case RT_JSON_OBJECT:
		rt_json_read_enter(r);
		snprintf(out + strlen(out), cap - strlen(out), "{");
		while ((more = rt_json_read_member(r)) == 1) {
			char key[64];
			snprintf(key, sizeof(key), "%.*s=", (int)r->key_len, r->key);
			snprintf(out + strlen(out), cap - strlen(out), "%s", key);
			if (walk(r, out, cap) != 0)
				return -1;
		}
		snprintf(out + strlen(out), cap - strlen(out), "}");
		return more;
	case RT_JSON_NONE:
		break;
	}
	return -1;
}

/* The canonical form of text, or "refused" / "walk failed". */
static const char *shown(const char *text)
{
	static char out[1024];
	struct rt_json_reader r;
	out[0] = '\0';
	if (init(&r, text) != 0)
		return "refused";
	if (walk(&r, out, sizeof(out)) != 0 || rt_json_read_kind(&r) != RT_JSON_NONE)
		return "walk failed";
	return out;
}

static void test_same_verdict_as_the_check(void)
{
	struct rt_json_reader r;
	for (size_t i = 0; i < JSON_NCASES; i++) {
		const char *t = json_cases[i].text;
		is_int(rt_json_read_init(&r, t, strlen(t), RT_JSON_JANSSON_DEPTH, 1 << 20) == 0,
		       json_cases[i].ok, "%s: %s", json_cases[i].ok ? "accept" : "refuse",
		       json_case_shown(t));
		if (json_cases[i].ok)
			ok(strcmp(shown(t), "walk failed") != 0, "and walks to its end: %s",
			   json_case_shown(t));
	}
}

static void test_values(void)
{
	is_str(shown("null"), "null", "null");
	is_str(shown(" true "), "true", "true, blanks around");
	is_str(shown("false"), "false", "false");
	is_str(shown("-42"), "i-42", "a negative integer");
	is_str(shown("9223372036854775807"), "i9223372036854775807", "the largest long long");
	is_str(shown("-9223372036854775808"), "i-9223372036854775808", "the smallest long long");
	is_str(shown("[1.5,-0.5e3,1E2]"), "[rrr]", "reals are reals, not integers");
	is_str(shown("\"text\""), "<text>", "a string");
	is_str(shown("[]"), "[]", "an empty array");
	is_str(shown("{}"), "{}", "an empty object");
	is_str(shown("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"), "{a=[i1{b=null}]c=<d>}",
	       "nested containers, in order");
	is_str(shown(" [ 1 , { \"k\" : \"v\" } , [ ] ] "), "[i1{k=<v>}[]]", "blanks everywhere");
	is_str(shown("{\"a\":1,\"a\":2}"), "{a=i1a=i2}", "a repeated key is seen twice, in order");
}

static void test_escapes(void)
{
	is_str(shown("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), "<\"\\/\b\f\n\r\t>", "the short escapes");
	is_str(shown("\"\\u0041\\u00e9\\u20AC\""), "<A\xc3\xa9\xe2\x82\xac>",
	       "\\u escapes of 1, 2 and 3 UTF-8 bytes, either hex case");
	is_str(shown("\"\\ud83d\\ude00\""), "<\xf0\x9f\x98\x80>",
	       "a surrogate pair is one 4-byte character");
	is_str(shown("\"\\uD834\\uDD1E!\""), "<\xf0\x9d\x84\x9e!>",
	       "capital surrogates, text after");
	is_str(shown("\"z\xc3\xbcrich \xf0\x9f\x98\x80 del\x7f\""),
	       "<z\xc3\xbcrich \xf0\x9f\x98\x80 del\x7f>", "raw UTF-8 and DEL pass through");
	ok(strcmp(shown("\"\\ud83d\""), "refused") == 0, "a lone high surrogate is refused");
	ok(strcmp(shown("\"\\ude00\""), "refused") == 0, "a lone low surrogate is refused");
	ok(strcmp(shown("\"\\u0000\""), "refused") == 0, "\\u0000 is refused (no NUL in a copy)");

	struct rt_json_reader r;
	ok(init(&r, "{\"\\u006fp\":1,\"o\\u0070\\u0021\":2,\"op\":3}") == 0 &&
	       rt_json_read_enter(&r) == 0,
	   "an object with escaped keys");
	ok(rt_json_read_member(&r) == 1 && rt_json_read_key_is(&r, "op") &&
	       !rt_json_read_key_is(&r, "o"),
	   "an escaped key compares decoded");
	rt_json_read_skip(&r);
	ok(rt_json_read_member(&r) == 1 && rt_json_read_key_is(&r, "op!") &&
	       !rt_json_read_key_is(&r, "op"),
	   "a key escaped at its end");
	rt_json_read_skip(&r);
	ok(rt_json_read_member(&r) == 1 && rt_json_read_key_is(&r, "op") &&
	       !rt_json_read_key_is(&r, "opx"),
	   "a plain key, not a prefix");
	rt_json_read_skip(&r);
	is_int(rt_json_read_member(&r), 0, "the object ends");

	char key[400], text[460];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	snprintf(text, sizeof(text), "{\"\\u006b%s\":1}", key + 1);
	ok(init(&r, text) == 0 && rt_json_read_enter(&r) == 0 && rt_json_read_member(&r) == 1 &&
	       rt_json_read_key_is(&r, key),
	   "a long escaped key (past any stack buffer) compares decoded");
}

static void test_limits(void)
{
	struct rt_json_reader r;
	ok(rt_json_read_init(&r, "[[1]]", 5, 3, 100) == 0, "a depth limit of 3 takes [[1]]");
	ok(rt_json_read_init(&r, "[[[1]]]", 7, 3, 100) != 0, "but not [[[1]]]");
	char *at = json_nested(RT_JSON_JANSSON_DEPTH - 1),
	     *past = json_nested(RT_JSON_JANSSON_DEPTH);
	ok(rt_json_read_init(&r, at, strlen(at), RT_JSON_JANSSON_DEPTH, 1 << 20) == 0,
	   "jansson's 2048 deep is read");
	ok(rt_json_read_skip(&r) == 0 && rt_json_read_kind(&r) == RT_JSON_NONE,
	   "and skipped to its end");
	ok(rt_json_read_init(&r, past, strlen(past), RT_JSON_JANSSON_DEPTH, 1 << 20) != 0,
	   "2049 deep is refused");
	free(at);
	free(past);
	ok(rt_json_read_init(&r, "\"abcdef\"", 8, 4, 8) == 0,
	   "a text of exactly max_bytes is read");
	ok(rt_json_read_init(&r, "\"abcdef\"", 8, 4, 7) != 0,
	   "one byte more than max_bytes is refused");
	ok(rt_json_read_init(&r, NULL, 0, 4, 8) != 0, "NULL is refused");
	ok(rt_json_read_init(&r, "1", 0, 4, 8) != 0, "an empty text is refused");
}

/* Every cut of a document: the reader's verdict is the check's, and a
 * refused cut copies nothing. */
static void test_truncated(void)
{
	const char *doc =
	    "{\"queue\":[{\"e\":\"op\",\"m\":\"{\\\"op\\\":\\\"a\\u00e9\\ud83d\\ude00\\\"}\"}],"
	    "\"n\":-12.5e3,\"t\":true,\"lockedBy\":null}";
	size_t n = strlen(doc), same = 0, refused = 0, copied_on_refusal = 0;
	for (size_t len = 0; len <= n; len++) {
		struct rt_json_reader r;
		size_t before = A.total;
		int accepted = rt_json_read_init(&r, doc, len, RT_JSON_JANSSON_DEPTH, 1 << 20) == 0;
		same += accepted == rt_json_check(doc, len, RT_JSON_JANSSON_DEPTH);
		if (!accepted) {
			refused++;
			const char *s;
			long long v;
			if (rt_json_read_kind(&r) != RT_JSON_NONE ||
			    rt_json_read_string(&r, &A, &s) == 0 ||
			    rt_json_read_integer(&r, &v) == 0 || rt_json_read_skip(&r) == 0 ||
			    rt_json_read_enter(&r) == 0 || rt_json_read_member(&r) != -1 ||
			    rt_json_read_element(&r) != -1 || A.total != before)
				copied_on_refusal++;
		}
	}
	is_int(same, n + 1, "every cut of the document: the reader agrees with json_check");
	is_int(refused, n, "every cut but the whole document is refused");
	is_int(copied_on_refusal, 0, "a refused text reads as nothing and copies nothing");
	is_str(shown(doc),
	       "{queue=[{e=<op>m=<{\"op\":\"a\xc3\xa9\xf0\x9f\x98\x80\"}>}]n=rt=truelockedBy=null}",
	       "the whole document reads");
}

static void test_bad_input(void)
{
	static const char *const bad[] = {
	    "{\"a\":1",
	    "{\"a\" 1}",
	    "[1,]",
	    "\"\xff\"",
	    "\"\xc0\xaf\"",
	    "\"\\x\"",
	    "{\"a\":1}x",
	    "[1e400]",
	    "[9223372036854775808]",
	    "\"tab\there\"",
	    "nul",
	    "{\"a\":\"\\ud83d\"}",
	    "",
	};
	size_t before = A.total;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rt_json_reader r;
		ok(init(&r, bad[i]) != 0 && rt_json_read_kind(&r) == RT_JSON_NONE, "refused: %s",
		   json_case_shown(bad[i]));
	}
	is_int(A.total, before, "refusing them took nothing from the arena");
}

/* A read of the wrong kind moves nothing; misuse stays inside the text. */
static void test_wrong_kind(void)
{
	struct rt_json_reader r;
	const char *s;
	long long v;
	ok(init(&r, "[1.5,\"x\",7,{\"k\":[\"]\",\"\\\"}\"]},8]") == 0 &&
	       rt_json_read_enter(&r) == 0,
	   "an array of mixed values");
	ok(rt_json_read_element(&r) == 1 && rt_json_read_kind(&r) == RT_JSON_REAL, "a real first");
	ok(rt_json_read_integer(&r, &v) != 0 && rt_json_read_string(&r, &A, &s) != 0 &&
	       rt_json_read_enter(&r) != 0 && rt_json_read_kind(&r) == RT_JSON_REAL,
	   "reading it as an integer, a string or a container fails and moves nothing");
	ok(rt_json_read_skip(&r) == 0, "it is skipped");
	ok(rt_json_read_element(&r) == 1 && rt_json_read_integer(&r, &v) != 0 &&
	       rt_json_read_string(&r, &A, &s) == 0 && strcmp(s, "x") == 0,
	   "a string is no integer, but reads as a string");
	ok(rt_json_read_element(&r) == 1 && rt_json_read_integer(&r, &v) == 0 && v == 7,
	   "an integer");
	ok(rt_json_read_element(&r) == 1 && rt_json_read_member(&r) == -1 &&
	       rt_json_read_skip(&r) == 0,
	   "an object whose strings hold brackets and escaped quotes is skipped whole");
	ok(rt_json_read_element(&r) == 1 && rt_json_read_integer(&r, &v) == 0 && v == 8,
	   "the value after it");
	is_int(rt_json_read_element(&r), 0, "the array ends");
	ok(rt_json_read_kind(&r) == RT_JSON_NONE && rt_json_read_skip(&r) != 0 &&
	       rt_json_read_element(&r) == -1 && rt_json_read_member(&r) == -1,
	   "past the end nothing reads");

	ok(init(&r, "{\"a\":1}") == 0 && rt_json_read_enter(&r) == 0 &&
	       rt_json_read_element(&r) == 1,
	   "an element asked for inside an object (misuse)");
	ok(rt_json_read_skip(&r) == 0 && rt_json_read_skip(&r) != 0, "stays inside the text");
	ok(init(&r, "{}") == 0 && rt_json_read_skip(&r) == 0 &&
	       rt_json_read_kind(&r) == RT_JSON_NONE,
	   "a whole object skipped from outside");
}

int main(void)
{
	rt_arena_init(&A);
	subtest("the verdicts of json_check", test_same_verdict_as_the_check);
	subtest("every kind of value", test_values);
	subtest("escapes, surrogate pairs, keys", test_escapes);
	subtest("depth and size limits", test_limits);
	subtest("truncated input", test_truncated);
	subtest("bad input", test_bad_input);
	subtest("reads of the wrong kind", test_wrong_kind);
	rt_arena_cleanup(&A);
	return done_testing();
}
