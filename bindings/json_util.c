#include "bindings/json_util.h"
#include "common/text_buf.h"
#include "common/json_quote.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson has no depth limit of its own: count brackets outside strings
 * before parsing, so a 100,000-deep "[[[[" is refused cheaply. */
static int depth_ok(const char *s, size_t len)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > BIND_JSON_MAX_DEPTH)
				return 0;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 1;
}

int bind_json_valid_n(const char *text, size_t len)
{
	json_error_t err;
	json_t *v;
	if (!text || !depth_ok(text, len))
		return 0;
	v = json_loadb(text, len, JSON_DECODE_ANY, &err);
	if (!v)
		return 0;
	json_decref(v);
	return 1;
}

int bind_json_valid(const char *text)
{
	return text && bind_json_valid_n(text, strlen(text));
}

json_t *bind_json_payload(const char *stored)
{
	json_error_t err;
	json_t *v;
	const char *p;
	if (!stored)
		return json_null();
	for (p = stored; *p && isspace((unsigned char)*p); p++)
		;
	if (!*p)
		return json_string("");
	if (depth_ok(stored, strlen(stored)) &&
	    (v = json_loads(stored, JSON_DECODE_ANY, &err)) != NULL)
		return v;
	v = json_string(stored);
	return v ? v : json_string("");
}

/*
 * Compact JSON text, object keys in insertion order. Written here rather
 * than with json_dumps because jansson prints every real with 17 digits
 * (0.3 -> 0.29999999999999999); .NET, whose output the API reproduces,
 * prints the shortest text that reads back as the same double.
 */
static void put_str(struct rt_text_buf *o, const char *s, size_t n)
{
	o->len += rt_json_quote_to(rt_text_buf_room(o, rt_json_quoted_len(s, n)), s, n);
}

static void put_real(struct rt_text_buf *o, double d)
{
	char buf[40];
	/* Shortest of %.15g..%.17g that reads back exactly, like .NET "R". */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* Keep it a real: 1.0 must not come back as the integer 1. */
	if (!strpbrk(buf, ".eEni"))
		strcat(buf, ".0");
	rt_text_buf_put(o, buf, strlen(buf));
}

static void put_value(struct rt_text_buf *o, const json_t *v)
{
	char buf[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		int first = 1;
		rt_text_buf_put(o, "{", 1);
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				rt_text_buf_put(o, ",", 1);
			first = 0;
			put_str(o, key, strlen(key));
			rt_text_buf_put(o, ":", 1);
			put_value(o, val);
		}
		rt_text_buf_put(o, "}", 1);
		break;
	}
	case JSON_ARRAY:
		rt_text_buf_put(o, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				rt_text_buf_put(o, ",", 1);
			put_value(o, json_array_get(v, i));
		}
		rt_text_buf_put(o, "]", 1);
		break;
	case JSON_STRING:
		put_str(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		rt_text_buf_put(o, buf, strlen(buf));
		break;
	case JSON_REAL:
		put_real(o, json_real_value(v));
		break;
	case JSON_TRUE:
		rt_text_buf_put(o, "true", 4);
		break;
	case JSON_FALSE:
		rt_text_buf_put(o, "false", 5);
		break;
	case JSON_NULL:
		rt_text_buf_put(o, "null", 4);
		break;
	}
}

char *bind_json_dump(const json_t *v)
{
	struct rt_text_buf o = {0};
	if (!v)
		return NULL;
	put_value(&o, v);
	return o.buf;
}

