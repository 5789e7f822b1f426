/*
 * config_env.c - the environment overrides of host.json: every
 * AzureFunctionsJobHost__a__b__c (or AzureFunctionsJobHost:a:b:c) variable
 * is merged into the parsed jansson tree before the typed readers run,
 * creating objects and arrays as needed (numeric segments index arrays).
 */
#include "host/config/config.h"
#include "host/config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "host/config/jsonc.h"
#include "common/xalloc.h"

#define ENV_PREFIX "AzureFunctionsJobHost"
/* An env var may not grow an array past this (AzureFunctionsJobHost__functions__999999). */
#define MAX_ENV_INDEX 1024

static int parse_index(const char *s, size_t *idx)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v >= MAX_ENV_INDEX)
		return -1;
	*idx = v;
	return 0;
}

/* A new container for the segment `next`: an array if it is an index. */
static json_t *container_for(const char *next)
{
	size_t idx;

	return parse_index(next, &idx) == 0 ? json_array() : json_object();
}

/* The child for one path segment (NULL if absent); -1 if an array gets a non-index. */
static int child_of(json_t *node, const char *seg, json_t **child)
{
	size_t idx;

	if (json_is_object(node)) {
		*child = host_jsonc_get(node, seg, NULL);
		return 0;
	}
	if (parse_index(seg, &idx) < 0)
		return -1;
	*child = json_array_get(node, idx);
	return 0;
}

/* Stores (steals) value under seg, reusing an existing key's spelling. */
static void set_child(json_t *node, const char *seg, json_t *value)
{
	const char *found = NULL;
	size_t idx;
	char *key;

	if (json_is_object(node)) {
		host_jsonc_get(node, seg, &found);
		/* Copy: the old key's storage belongs to the object being changed. */
		key = xstrdup(found ? found : seg);
		json_object_set_new(node, key, value);
		free(key);
		return;
	}
	parse_index(seg, &idx); /* child_of() already accepted it */
	while (json_array_size(node) <= idx)
		json_array_append_new(node, json_null());
	json_array_set_new(node, idx, value);
}

/*
 * Applies one override: `segs` is the path below the host.json root. The
 * value replaces a scalar (or nothing); objects and arrays are left alone,
 * as .NET keeps a section's children when a value is set on the section.
 */
static void override_path(struct host_config *cfg, json_t *root, const char *var, char **segs,
			  size_t nsegs, const char *value)
{
	json_t *node = root, *child, *str;
	size_t i;

	str = json_string(value);
	if (!str) {
		host_config_warn(cfg, "Ignoring environment variable '%s': its value is not UTF-8.",
				 var);
		return;
	}
	for (i = 0; i < nsegs; i++) {
		if (child_of(node, segs[i], &child) < 0) {
			host_config_warn(cfg,
					 "Ignoring environment variable '%s': '%s' is not an array "
					 "index below %d.",
					 var, segs[i], MAX_ENV_INDEX);
			break;
		}
		if (i + 1 == nsegs) {
			if (host_config_is_container(child)) {
				host_config_warn(cfg,
						 "Ignoring environment variable '%s': that host.json "
						 "setting is an object or array, not a single value.",
						 var);
				break;
			}
			set_child(node, segs[i], str);
			return;
		}
		if (!host_config_is_container(child)) {
			child = container_for(segs[i + 1]);
			set_child(node, segs[i], child);
		}
		node = child;
	}
	json_decref(str);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Merges AzureFunctionsJobHost__a__b=v (or AzureFunctionsJobHost:a:b=v)
 * into the tree. Variables are applied in sorted order so the outcome does
 * not depend on the order of environ.
 */
void host_config_merge_env(struct host_config *cfg, json_t *root)
{
	size_t plen = strlen(ENV_PREFIX), n = 0, i;
	char **vars = NULL;

	for (i = 0; environ[i]; i++) {
		const char *e = environ[i];
		if (strncasecmp(e, ENV_PREFIX, plen) == 0 &&
		    (strncmp(e + plen, "__", 2) == 0 || e[plen] == ':') && strchr(e, '=')) {
			vars = xrealloc(vars, (n + 1) * sizeof(*vars));
			vars[n++] = xstrdup(e);
		}
	}
	if (n)
		qsort(vars, n, sizeof(*vars), cmp_str);
	for (i = 0; i < n; i++) {
		char *eq = strchr(vars[i], '='), *path, *w, *segs[64];
		const char *r;
		size_t nsegs = 0;
		int bad = 0;

		*eq = '\0';
		/* "__" and ":" both separate segments. */
		path = xstrdup(vars[i] + plen);
		for (r = path, w = path; *r;) {
			if (r[0] == '_' && r[1] == '_') {
				*w++ = ':';
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		*w = '\0';
		/* path is ":a:b:c"; an empty segment makes the name unusable. */
		for (w = path + 1;;) {
			char *next = strchr(w, ':');
			if (next)
				*next = '\0';
			if (*w == '\0' || nsegs == sizeof(segs) / sizeof(segs[0])) {
				bad = 1;
				break;
			}
			segs[nsegs++] = w;
			if (!next)
				break;
			w = next + 1;
		}
		if (bad)
			host_config_warn(cfg,
					 "Ignoring environment variable '%s': its name is not a "
					 "host.json path.",
					 vars[i]);
		else
			override_path(cfg, root, vars[i], segs, nsegs, eq + 1);
		free(path);
	}
	host_config_free_strv(vars, n);
}
