/*
 * json_api.c - the cf_json_* helpers of the public ABI, over jansson.
 * Inputs are BORROWED, results are SCRATCH of the calling handle.
 */
#include "json_api.h"
#include "context.h"
#include "json_util.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *json)
{
	json_error_t err;
	if (!json || !bind_json_valid(json))
		return NULL;
	return json_loads(json, JSON_DECODE_ANY, &err);
}

/* Follows a dotted path: object members by name, array items by a
 * decimal index ("regions.0"); borrowed reference or NULL. */
static json_t *lookup(json_t *root, const char *key)
{
	json_t *v = root;
	const char *p = key;
	if (!key)
		return root;
	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (json_is_object(v)) {
			v = json_object_getn(v, p, n);
		} else if (json_is_array(v) && n > 0 && n < 10 && strspn(p, "0123456789") >= n) {
			v = json_array_get(v, strtoul(p, NULL, 10));
		} else {
			return NULL;
		}
		p = dot ? dot + 1 : p + n;
	}
	return v;
}

int bind_json_length(const char *json, const char *key)
{
	json_t *root = parse(json), *v;
	int n = -1;
	if (!root)
		return -1;
	v = lookup(root, key);
	if (json_is_array(v))
		n = (int)json_array_size(v);
	else if (json_is_object(v))
		n = (int)json_object_size(v);
	json_decref(root);
	return n;
}

static char *scratch(void *ctx, const char *s)
{
	return rt_arena_strdup(((struct bind_ctx *)ctx)->arena, s);
}

const char *bind_json_quote(void *ctx, const char *s)
{
	json_t *v;
	char *text, *out;
	if (!s)
		return "null";
	v = json_string(s);
	if (!v) /* not UTF-8: keep the bytes we can */
		v = json_stringn_nocheck(s, strlen(s));
	text = bind_json_dump(v);
	json_decref(v);
	out = scratch(ctx, text ? text : "\"\"");
	free(text);
	return out;
}

const char *bind_json_get(void *ctx, const char *json, const char *key)
{
	json_t *root = parse(json), *v;
	char *text, *out = NULL;
	if (!root)
		return NULL;
	v = lookup(root, key);
	if (v) {
		text = bind_json_dump(v);
		out = scratch(ctx, text);
		free(text);
	}
	json_decref(root);
	return out;
}

const char *bind_json_string(void *ctx, const char *json, const char *key)
{
	json_t *root = parse(json), *v;
	char *out = NULL;
	if (!root)
		return NULL;
	v = lookup(root, key);
	if (json_is_string(v))
		out = rt_arena_strndup(((struct bind_ctx *)ctx)->arena, json_string_value(v),
				       json_string_length(v));
	json_decref(root);
	return out;
}

int bind_json_number(const char *json, const char *key, double *out)
{
	json_t *root = parse(json), *v;
	int rc = -2;
	if (!root)
		return rc;
	v = lookup(root, key);
	if (json_is_number(v)) {
		*out = json_number_value(v);
		rc = 0;
	}
	json_decref(root);
	return rc;
}

int bind_json_bool(const char *json, const char *key, int *out)
{
	json_t *root = parse(json), *v;
	int rc = -2;
	if (!root)
		return rc;
	v = lookup(root, key);
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		rc = 0;
	}
	json_decref(root);
	return rc;
}

int bind_json_valid_api(const char *json)
{
	return bind_json_valid(json);
}
