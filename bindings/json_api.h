/*
 * json_api.h - the cf_json_* entries of the function table.
 */
#ifndef BIND_JSON_API_H
#define BIND_JSON_API_H

#include "bindings/context.h"

const char *bind_json_quote(cf_ctx *ctx, const char *s);
const char *bind_json_get(cf_ctx *ctx, const char *json, const char *key);
const char *bind_json_string(cf_ctx *ctx, const char *json, const char *key);
cf_rc bind_json_number(cf_ctx *ctx, const char *json, const char *key, double *out);
cf_rc bind_json_bool(cf_ctx *ctx, const char *json, const char *key, int *out);
cf_rc bind_json_length(cf_ctx *ctx, const char *json, const char *key, size_t *out);
cf_rc bind_json_check(cf_ctx *ctx, const char *json);

#define BIND_JSON_API_ENTRIES                       \
	.json_quote = bind_json_quote,              \
	.json_get = bind_json_get,                  \
	.json_string = bind_json_string,            \
	.json_number = bind_json_number,            \
	.json_bool = bind_json_bool,                \
	.json_length = bind_json_length,            \
	.json_check = bind_json_check,

#endif
