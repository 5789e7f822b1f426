#include "json_util.h"

#include <ctype.h>
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

char *bind_json_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}
