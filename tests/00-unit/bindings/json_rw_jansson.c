/*
 * json_rw_jansson.c - common/json_write.c and json_read.c judged against
 * jansson, which wrote and read the runtime's entity records before the
 * runtime stopped linking it: the writer must produce json_dumps'
 * JSON_COMPACT bytes (the management API serves the stored records as they
 * are), and the reader must decode every string as json_loads does.
 */
#include "common/json_check.h"
#include "common/json_read.h"
#include "common/json_write.h"
#include "tap.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rt_arena A;

/* Strings to write: every single byte 1..255 (the control bytes, DEL,
 * lone UTF-8 bytes that are not UTF-8), and some of every length. */
static char *sample(size_t i)
{
	static const char *const fixed[] = {
		"", "plain", "q\"b\\s/", "\b\f\n\r\t", "\x01\x1f\x7f", "z\xc3\xbcrich", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "cut \xe2\x82",
		"@counter@k", "{\"a\":[1,2]}",
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	if (i < nfixed)
		return rt_arena_strdup(&A, fixed[i]);
	char *s = rt_arena_alloc(&A, 2);
	s[0] = (char)(i - nfixed + 1);
	s[1] = '\0';
	return s;
}
#define NSAMPLES (14 + 255)

static const char *jansson_text(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *out = rt_arena_strdup(&A, s ? s : "(none)");
	free(s);
	json_decref(v);
	return out;
}

static void test_strings_as_jansson_writes_them(void)
{
	size_t same = 0;
	for (size_t i = 0; i < NSAMPLES; i++) {
		const char *s = sample(i);
		struct rt_json_writer w;
		json_t *o = json_object();
		json_object_set_new(o, "k", json_string(s)); /* left out when not UTF-8 */
		json_object_set_new(o, "n", json_integer((json_int_t)i - 100));
		rt_json_write_init(&w, &A);
		rt_json_write_open_object(&w);
		rt_json_write_key(&w, "k");
		rt_json_write_string(&w, s);
		rt_json_write_key(&w, "n");
		rt_json_write_int(&w, (long long)i - 100);
		rt_json_write_close_object(&w);
		const char *want = jansson_text(o);
		if (strcmp(rt_json_write_text(&w), want) == 0)
			same++;
		else
			printf("# differs for sample %zu: %s vs %s\n", i, rt_json_write_text(&w), want);
	}
	is_int(same, NSAMPLES, "every sample string is written as jansson writes it (%d)", NSAMPLES);
}

static void test_layout(void)
{
	struct rt_json_writer w;
	json_t *o = json_object(), *q = json_array(), *e = json_object();
	json_object_set_new(e, "e", json_string("op"));
	json_object_set_new(e, "m", json_string("{\"op\":\"a\"}"));
	json_array_append_new(q, e);
	json_array_append_new(q, json_array());
	json_array_append_new(q, json_object());
	json_array_append_new(q, json_true());
	json_array_append_new(q, json_false());
	json_array_append_new(q, json_null());
	json_object_set_new(o, "queue", q);
	json_object_set_new(o, "lockedBy", json_null());
	json_object_set_new(o, "big", json_integer(INT64_MIN));

	rt_json_write_init(&w, &A);
	rt_json_write_open_object(&w);
	rt_json_write_key(&w, "queue");
	rt_json_write_open_array(&w);
	rt_json_write_open_object(&w);
	rt_json_write_key(&w, "e");
	rt_json_write_string(&w, "op");
	rt_json_write_key(&w, "m");
	rt_json_write_string(&w, "{\"op\":\"a\"}");
	rt_json_write_close_object(&w);
	rt_json_write_open_array(&w);
	rt_json_write_close_array(&w);
	rt_json_write_open_object(&w);
	rt_json_write_close_object(&w);
	rt_json_write_bool(&w, 1);
	rt_json_write_bool(&w, 0);
	rt_json_write_null(&w);
	rt_json_write_close_array(&w);
	rt_json_write_key(&w, "lockedBy");
	rt_json_write_null(&w);
	rt_json_write_key(&w, "big");
	rt_json_write_int(&w, INT64_MIN);
	rt_json_write_close_object(&w);
	is_str(rt_json_write_text(&w), jansson_text(o),
	       "nested containers, words and integers: jansson's compact layout");

	/* A value left out takes its key along, and the comma stays right. */
	o = json_object();
	json_object_set_new(o, "a", json_string("1"));
	json_object_set_new(o, "b", json_string("\xff"));
	json_object_set_new(o, "c", json_string("3"));
	rt_json_write_init(&w, &A);
	rt_json_write_open_object(&w);
	rt_json_write_key(&w, "a");
	rt_json_write_string(&w, "1");
	rt_json_write_key(&w, "b");
	rt_json_write_string(&w, "\xff");
	rt_json_write_key(&w, "c");
	rt_json_write_string(&w, "3");
	rt_json_write_close_object(&w);
	is_str(rt_json_write_text(&w), jansson_text(o), "a member that is not UTF-8 is left out");

	/* A long text grows the buffer many times over. */
	json_t *arr = json_array();
	rt_json_write_init(&w, &A);
	rt_json_write_open_array(&w);
	for (int i = 0; i < 5000; i++) {
		json_array_append_new(arr, json_string("x\ty"));
		rt_json_write_string(&w, "x\ty");
	}
	rt_json_write_close_array(&w);
	is_str(rt_json_write_text(&w), jansson_text(arr), "5,000 elements");
}

/* Every sample that is UTF-8, written by jansson, reads back to itself;
 * texts jansson wrote with \u escapes decode as json_loads decodes them. */
static void test_reads_what_jansson_reads(void)
{
	static const char *const escaped[] = {
		"\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"", "\"\\uD834\\uDD1E\"", "\"\\/\\\"\\\\\"",
		"\"\\u007f\\u001F\\b\"", "\"\\uffff\\uFFFD\"",
	};
	size_t same = 0, utf8 = 0;
	for (size_t i = 0; i < NSAMPLES; i++) {
		const char *s = sample(i);
		json_t *v = json_string(s);
		if (!v)
			continue;
		utf8++;
		const char *text = jansson_text(v), *got = NULL;
		struct rt_json_reader r;
		if (rt_json_read_init(&r, text, strlen(text), RT_JSON_JANSSON_DEPTH, 1 << 20) == 0 &&
		    rt_json_read_string(&r, &A, &got) == 0 && strcmp(got, s) == 0)
			same++;
	}
	is_int(same, utf8, "every UTF-8 sample jansson writes reads back the same (%zu)", utf8);
	for (size_t i = 0; i < sizeof(escaped) / sizeof(escaped[0]); i++) {
		json_t *v = json_loads(escaped[i], JSON_DECODE_ANY, NULL);
		const char *got = NULL;
		struct rt_json_reader r;
		ok(v && rt_json_read_init(&r, escaped[i], strlen(escaped[i]), RT_JSON_JANSSON_DEPTH,
					    1 << 20) == 0 &&
			   rt_json_read_string(&r, &A, &got) == 0 && strcmp(got, json_string_value(v)) == 0,
		   "decoded as jansson decodes it: %s", escaped[i]);
		json_decref(v);
	}
}

int main(void)
{
	rt_arena_init(&A);
	subtest("strings", test_strings_as_jansson_writes_them);
	subtest("layout", test_layout);
	subtest("reading", test_reads_what_jansson_reads);
	rt_arena_cleanup(&A);
	return done_testing();
}
