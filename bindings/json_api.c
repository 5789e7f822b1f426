/*
 * json_api.c - the cf_json_* helpers of the public ABI, over jansson.
 * Inputs are BORROWED, results are SCRATCH of the calling handle; every
 * helper takes the handle first and checks it (bind_ctx_check).
 */
#include "bindings/json_api.h"
#include "bindings/json_util.h"

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

/*
 * The value at `key` for the typed getters: CF_OK and *v (borrowed from
 * *root, which the caller frees), CF_E_NOTFOUND when absent, CF_E_INVALID
 * when `json` is not JSON (the reason goes to cf_last_error).
 */
static cf_rc member(struct bind_ctx *ctx, const char *json, const char *key, json_t **root,
		    json_t **v)
{
	*root = parse(json);
	if (!*root)
		return bind_ctx_fail(ctx, CF_E_INVALID, "the text is not valid JSON");
	*v = lookup(*root, key);
	if (!*v) {
		json_decref(*root);
		*root = NULL;
		return bind_ctx_fail(ctx, CF_E_NOTFOUND, "no member '%s'", key ? key : "");
	}
	return CF_OK;
}

static const char *key_name(const char *key)
{
	return key ? key : "(the value)";
}

cf_rc bind_json_number(cf_ctx *p, const char *json, const char *key, double *out)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_number", 0);
	json_t *root, *v;
	cf_rc rc = member(ctx, json, key, &root, &v);
	if (rc != CF_OK)
		return rc;
	if (json_is_number(v) && out)
		*out = json_number_value(v);
	else if (!json_is_number(v))
		rc = bind_ctx_fail(ctx, CF_E_INVALID, "'%s' is not a number", key_name(key));
	json_decref(root);
	return rc;
}

cf_rc bind_json_bool(cf_ctx *p, const char *json, const char *key, int *out)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_bool", 0);
	json_t *root, *v;
	cf_rc rc = member(ctx, json, key, &root, &v);
	if (rc != CF_OK)
		return rc;
	if (json_is_boolean(v) && out)
		*out = json_is_true(v);
	else if (!json_is_boolean(v))
		rc = bind_ctx_fail(ctx, CF_E_INVALID, "'%s' is not a boolean", key_name(key));
	json_decref(root);
	return rc;
}

cf_rc bind_json_length(cf_ctx *p, const char *json, const char *key, size_t *out)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_length", 0);
	json_t *root, *v;
	cf_rc rc = member(ctx, json, key, &root, &v);
	if (rc != CF_OK)
		return rc;
	if (json_is_array(v) && out)
		*out = json_array_size(v);
	else if (json_is_object(v) && out)
		*out = json_object_size(v);
	else if (!json_is_array(v) && !json_is_object(v))
		rc = bind_ctx_fail(ctx, CF_E_INVALID, "'%s' is neither an array nor an object",
				   key_name(key));
	json_decref(root);
	return rc;
}

const char *bind_json_quote(cf_ctx *p, const char *s)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_quote", 0);
	json_t *v;
	char *text, *out;
	if (!s)
		return "null";
	v = json_string(s);
	if (!v) /* not UTF-8: keep the bytes we can */
		v = json_stringn_nocheck(s, strlen(s));
	text = bind_json_dump(v);
	json_decref(v);
	out = rt_arena_strdup(ctx->arena, text ? text : "\"\"");
	free(text);
	return out;
}

const char *bind_json_get(cf_ctx *p, const char *json, const char *key)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_get", 0);
	json_t *root = parse(json), *v;
	char *text, *out = NULL;
	if (!root)
		return NULL;
	v = lookup(root, key);
	if (v) {
		text = bind_json_dump(v);
		out = rt_arena_strdup(ctx->arena, text);
		free(text);
	}
	json_decref(root);
	return out;
}

const char *bind_json_string(cf_ctx *p, const char *json, const char *key)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_string", 0);
	json_t *root = parse(json), *v;
	char *out = NULL;
	if (!root)
		return NULL;
	v = lookup(root, key);
	if (json_is_string(v))
		out = rt_arena_strndup(ctx->arena, json_string_value(v), json_string_length(v));
	json_decref(root);
	return out;
}

cf_rc bind_json_check(cf_ctx *p, const char *json)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_json_check", 0);
	json_error_t err;
	json_t *v;
	if (!json)
		return bind_ctx_fail(ctx, CF_E_INVALID, "no JSON text (NULL)");
	if (bind_json_valid(json))
		return CF_OK;
	/* Only for the reason: jansson says what is wrong and where. */
	v = json_loads(json, JSON_DECODE_ANY, &err);
	if (!v)
		return bind_ctx_fail(ctx, CF_E_INVALID, "%s at line %d, column %d", err.text, err.line,
				     err.column);
	json_decref(v);
	return bind_ctx_fail(ctx, CF_E_INVALID, "nested deeper than %d levels", BIND_JSON_MAX_DEPTH);
}
