/*
 * json_api.h - the cf_json_* entries of the function table.
 */
#ifndef BIND_JSON_API_H
#define BIND_JSON_API_H

const char *bind_json_quote(void *ctx, const char *s);
const char *bind_json_get(void *ctx, const char *json, const char *key);
const char *bind_json_string(void *ctx, const char *json, const char *key);
int bind_json_number(const char *json, const char *key, double *out);
int bind_json_bool(const char *json, const char *key, int *out);
int bind_json_valid_api(const char *json);
int bind_json_length(const char *json, const char *key);

#define BIND_JSON_API_ENTRIES                       \
	.json_quote = bind_json_quote,              \
	.json_get = bind_json_get,                  \
	.json_string = bind_json_string,            \
	.json_number = bind_json_number,            \
	.json_bool = bind_json_bool,                \
	.json_valid = bind_json_valid_api,                \
	.json_length = bind_json_length,

#endif
