/*
 * jsonc.h - JSON files with comments (host.json, local.settings.json).
 *
 * Newtonsoft, which the real host uses, skips `//` and `/ * * /` comments, so
 * users' files contain them. We blank the comments out (newlines kept, so
 * jansson's line and column still point into the user's file) and hand the
 * rest to jansson. Trailing commas stay errors, as in Newtonsoft.
 *
 * Errors are one line, used verbatim by the host for exit-1 start-up errors:
 *   <prefix> '<path>': line <l>, column <c>: <reason>
 * e.g. "Unable to parse host configuration file '/p/host.json': line 3,
 * column 5: ...". Lines and columns are 1-based; columns count characters.
 */
#ifndef HOST_JSONC_H
#define HOST_JSONC_H

#include <jansson.h>
#include <stddef.h>

/* Deeper nesting is refused before jansson recurses (its own limit is 2048). */
#define HOST_JSONC_MAX_DEPTH 64
/* Config files are small; anything bigger is a mistake (or /dev/zero). */
#define HOST_JSONC_MAX_BYTES (4u * 1024 * 1024)

/* host_jsonc_load() result when the file does not exist (not an error). */
#define HOST_JSONC_MISSING 1

/*
 * Reads and parses `path`; the top level must be an object. Returns 0 and a
 * new reference in *out (caller json_decref()s), HOST_JSONC_MISSING with
 * *out = NULL and no error if the file does not exist, or -1 with a
 * malloc'd single-line *err (caller frees). `prefix` starts every parse
 * error, e.g. "Unable to parse local settings file".
 */
int host_jsonc_load(const char *path, const char *prefix, json_t **out, char **err);

/*
 * Same for a buffer already in memory; `path` only names it in errors.
 * `buf` need not be NUL-terminated.
 */
int host_jsonc_parse(const char *buf, size_t len, const char *path, const char *prefix,
		     json_t **out, char **err);

/*
 * Case-insensitive (ASCII) member lookup, as the .NET configuration binder
 * matches keys. If several keys differ only in case the last one wins, like
 * a later duplicate in Newtonsoft. Returns a borrowed reference or NULL; if
 * `found_key` is not NULL it receives the key as spelled in the object.
 */
json_t *host_jsonc_get(const json_t *obj, const char *key, const char **found_key);

#endif
