/*
 * json_util.h - small JSON helpers shared by the bindings (jansson).
 */
#ifndef BIND_JSON_UTIL_H
#define BIND_JSON_UTIL_H

#include <jansson.h>
#include <stddef.h>

/* Maximum nesting accepted from outside input (request bodies, results). */
#define BIND_JSON_MAX_DEPTH 64

/* 1 if `text` is one valid JSON value (any type) within the depth limit. */
int bind_json_valid(const char *text);
int bind_json_valid_n(const char *text, size_t len);

/*
 * The API's reading of a stored payload (durable-http-api §2.2): NULL ->
 * null; empty or blank -> ""; not JSON -> the raw text as a string; else the
 * parsed value. Returns a new reference.
 */
json_t *bind_json_payload(const char *stored);

/* json_dumps(v, compact, ordered, any) into a malloc'd string. */
char *bind_json_dump(const json_t *v);

#endif
