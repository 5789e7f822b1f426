/*
 * config.c - host.json (spec functions-host.md §2, durable-semantics.md §11),
 * project discovery and the small parsers other code shares (time spans, log
 * levels, %Setting%). local.settings.json lives in settings.c.
 *
 * host.json is read in three steps: parse (jsonc.c), check "version" on the
 * file as written, merge AzureFunctionsJobHost__* environment variables into
 * the jansson tree (creating objects/arrays as needed), then read typed
 * values from the merged tree. Merging first means every key is overridable
 * without each reader knowing about the environment, and values from the
 * environment arrive as strings, so every typed reader also accepts strings.
 * A JSON null counts as absent (the default applies).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "jsonc.h"
#include "xalloc.h"

#define HOST_JSON_PREFIX "Unable to parse host configuration file"
#define ENV_PREFIX "AzureFunctionsJobHost"
/* An env var may not grow an array past this (AzureFunctionsJobHost__functions__999999). */
#define MAX_ENV_INDEX 1024

void host_config_warn(struct host_config *cfg, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0) {
		fprintf(stderr, "cfunc: out of memory\n");
		abort();
	}
	va_end(ap);
	cfg->warnings = xrealloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof(*cfg->warnings));
	cfg->warnings[cfg->n_warnings++] = line;
}

static void free_pairs(struct host_config_pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void host_config_free(struct host_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->script_root);
	for (i = 0; i < cfg->n_log_rules; i++)
		free(cfg->log_rules[i].category);
	free(cfg->log_rules);
	free_strv(cfg->functions, cfg->n_functions);
	free(cfg->http.route_prefix);
	free_pairs(cfg->http.custom_headers, cfg->http.n_custom_headers);
	free(cfg->durable.hub_name);
	free(cfg->durable.storage_type);
	free(cfg->durable.storage_path);
	free_strv(cfg->apps, cfg->n_apps);
	free_pairs(cfg->settings.values, cfg->settings.n_values);
	for (i = 0; i < cfg->settings.n_connection_strings; i++) {
		free(cfg->settings.connection_strings[i].name);
		free(cfg->settings.connection_strings[i].value);
		free(cfg->settings.connection_strings[i].provider);
	}
	free(cfg->settings.connection_strings);
	free(cfg->settings.address);
	free(cfg->settings.cors);
	free_strv(cfg->warnings, cfg->n_warnings);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- project discovery ---- */

int host_config_find_root(const char *start_dir, char **root, char **err)
{
	char *dir, *slash, *file;
	struct stat st;

	*root = NULL;
	dir = realpath(start_dir, NULL);
	if (!dir) {
		*err = xasprintf("cannot resolve '%s': %s", start_dir, strerror(errno));
		return -1;
	}
	for (;;) {
		file = xasprintf("%s%shost.json", dir, strcmp(dir, "/") == 0 ? "" : "/");
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			free(file);
			*root = dir;
			return 0;
		}
		free(file);
		if (strcmp(dir, "/") == 0)
			break;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	*err = xstrdup("Unable to find project root. Expecting to find one of host.json, "
		       "local.settings.json in project root.");
	return -1;
}

/* ---- shared parsers ---- */

static const char *const level_names[] = {
	"Trace", "Debug", "Information", "Warning", "Error", "Critical", "None",
};

int host_config_parse_log_level(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	/* .NET enum binding also takes the number. */
	if (name[0] >= '0' && name[0] <= '6' && name[1] == '\0')
		return name[0] - '0';
	return -1;
}

static int category_matches(const char *rule, const char *category)
{
	size_t n = strlen(rule);

	return strncasecmp(rule, category, n) == 0 && (category[n] == '\0' || category[n] == '.');
}

int host_config_log_level(const struct host_config *cfg, const char *category)
{
	size_t i, best_len = 0;
	int best = -1;

	for (i = 0; i < cfg->n_log_rules; i++) {
		size_t n = strlen(cfg->log_rules[i].category);
		/* ">=": of two keys differing only in case, the later one wins. */
		if (category_matches(cfg->log_rules[i].category, category) &&
		    (best < 0 || n >= best_len)) {
			best = cfg->log_rules[i].level;
			best_len = n;
		}
	}
	return best >= 0 ? best : cfg->log_default;
}

bool host_config_function_selected(const struct host_config *cfg, const char *name)
{
	size_t i;

	if (!cfg->functions)
		return true;
	for (i = 0; i < cfg->n_functions; i++)
		if (strcasecmp(cfg->functions[i], name) == 0)
			return true;
	return false;
}

/* Reads 1..max_digits decimal digits; returns the count read, 0 on none. */
static int digits(const char **s, int max_digits, int64_t *out)
{
	int n = 0;

	*out = 0;
	while (isdigit((unsigned char)**s) && n < max_digits) {
		*out = *out * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n;
}

int host_config_parse_timespan(const char *s, int64_t *ms)
{
	int64_t days = 0, h = 0, m = 0, sec = 0, frac = 0, first, v;
	int neg = 0, nfrac = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	/* TimeSpan.MaxValue is 10675199 days: 8 digits is enough. */
	if (!digits(&s, 8, &first))
		return -1;
	if (*s == '.' || *s == ':') {
		if (*s == '.') {
			days = first;
			s++;
			if (!digits(&s, 2, &h) || *s != ':')
				return -1;
		} else {
			h = first;
		}
		s++;
		if (!digits(&s, 2, &m))
			return -1;
		if (*s == ':') {
			s++;
			if (!digits(&s, 2, &sec))
				return -1;
			if (*s == '.') {
				s++;
				nfrac = digits(&s, 7, &frac);
				if (!nfrac || isdigit((unsigned char)*s))
					return -1;
			}
		}
		if (h > 23 || m > 59 || sec > 59)
			return -1;
	} else {
		days = first;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '\0' || days > 10675199)
		return -1;
	/* Fraction digits are tenths, hundredths, ...: scale to milliseconds. */
	while (nfrac < 3) {
		frac *= 10;
		nfrac++;
	}
	while (nfrac > 3) {
		frac /= 10;
		nfrac--;
	}
	v = ((days * 24 + h) * 60 + m) * 60000 + sec * 1000 + frac;
	*ms = neg ? -v : v;
	return 0;
}

const char *host_config_resolve_setting(const char *value)
{
	size_t n = strlen(value);
	char name[256];

	/* Whole-string only: "%A%-%B%" is a literal, as in the real name resolver. */
	if (n < 3 || value[0] != '%' || value[n - 1] != '%' || memchr(value + 1, '%', n - 2) ||
	    n - 2 >= sizeof(name))
		return value;
	memcpy(name, value + 1, n - 2);
	name[n - 2] = '\0';
	return getenv(name);
}

/* ---- environment overrides ---- */

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

static int is_container(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
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
			if (is_container(child)) {
				host_config_warn(cfg,
						 "Ignoring environment variable '%s': that host.json "
						 "setting is an object or array, not a single value.",
						 var);
				break;
			}
			set_child(node, segs[i], str);
			return;
		}
		if (!is_container(child)) {
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
static void merge_env(struct host_config *cfg, json_t *root)
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
	free_strv(vars, n);
}

/* ---- typed readers over the merged tree ---- */

/* Follows a dotted path of case-insensitive keys; JSON null counts as absent. */
static json_t *lookup(json_t *root, const char *path)
{
	char buf[128], *seg, *save = NULL;
	json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, ".", &save); seg && v; seg = strtok_r(NULL, ".", &save))
		v = host_jsonc_get(v, seg, NULL);
	return json_is_null(v) ? NULL : v;
}

/* The value as the user wrote it, for error messages; caller frees. */
static char *value_text(const json_t *v)
{
	char *s;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	return s ? s : xstrdup("?");
}

/* Scalars as text (the .NET binder sees every leaf as a string); NULL for containers. */
static char *scalar_text(const json_t *v)
{
	if (is_container(v))
		return NULL;
	return value_text(v);
}

static char *bad_value(const char *path, const json_t *v, const char *expected)
{
	char *text = value_text(v), *msg;

	msg = xasprintf("host.json setting '%s' must be %s, not '%s'", path, expected, text);
	free(text);
	return msg;
}

static int get_int(json_t *root, const char *path, int64_t def, int64_t min, int64_t max,
		   int64_t *out, char **err)
{
	json_t *v = lookup(root, path);
	char *end;
	long long n;

	*out = def;
	if (!v)
		return 0;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		errno = 0;
		n = strtoll(s, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (end == s || *end || errno) {
			*err = bad_value(path, v, "an integer");
			return -1;
		}
	} else {
		*err = bad_value(path, v, "an integer");
		return -1;
	}
	if (n < min || n > max) {
		char expected[96];
		if (max == INT_MAX || max == INT64_MAX)
			snprintf(expected, sizeof(expected), "an integer of at least %lld",
				 (long long)min);
		else
			snprintf(expected, sizeof(expected), "an integer from %lld to %lld",
				 (long long)min, (long long)max);
		*err = bad_value(path, v, expected);
		return -1;
	}
	*out = n;
	return 0;
}

/* An int setting whose only special value is -1 ("unbounded"). */
static int get_limit(json_t *root, const char *path, int *out, char **err)
{
	int64_t v;

	if (get_int(root, path, -1, -1, INT_MAX, &v, err) < 0)
		return -1;
	if (v == 0) {
		*err = bad_value(path, lookup(root, path), "-1 (unbounded) or a positive integer");
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int get_bool(json_t *root, const char *path, bool def, bool *out, char **err)
{
	json_t *v = lookup(root, path);
	char buf[8];
	size_t n;
	const char *s;

	*out = def;
	if (!v)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		while (isspace((unsigned char)*s))
			s++;
		for (n = 0; n < sizeof(buf) - 1 && s[n] && !isspace((unsigned char)s[n]); n++)
			buf[n] = s[n];
		buf[n] = '\0';
		while (isspace((unsigned char)s[n]))
			n++;
		if (s[n] == '\0' && strcasecmp(buf, "true") == 0) {
			*out = true;
			return 0;
		}
		if (s[n] == '\0' && strcasecmp(buf, "false") == 0) {
			*out = false;
			return 0;
		}
	}
	*err = bad_value(path, v, "true or false");
	return -1;
}

/* *out is malloc'd (a copy of def when absent; def may be NULL). */
static int get_string(json_t *root, const char *path, const char *def, char **out, char **err)
{
	json_t *v = lookup(root, path);

	*out = NULL;
	if (!v) {
		*out = def ? xstrdup(def) : NULL;
		return 0;
	}
	*out = scalar_text(v);
	if (!*out) {
		*err = xasprintf("host.json setting '%s' must be a single value, not an %s", path,
				 json_is_object(v) ? "object" : "array");
		return -1;
	}
	return 0;
}

/* An array of strings; absent leaves *out NULL. Nulls in it are skipped. */
static int get_strv(json_t *root, const char *path, char ***out, size_t *n, char **err)
{
	json_t *v = lookup(root, path), *e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!json_is_array(v)) {
		*err = bad_value(path, v, "an array of strings");
		return -1;
	}
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, e) {
		if (json_is_null(e))
			continue;
		if (!json_is_string(e)) {
			char *text = value_text(e);
			*err = xasprintf("host.json setting '%s' must be an array of strings, "
					 "not contain '%s'",
					 path, text);
			free(text);
			return -1;
		}
		(*out)[(*n)++] = xstrdup(json_string_value(e));
	}
	return 0;
}

/* Joins a path from host.json to the script root unless it is absolute. */
static char *join_root(const struct host_config *cfg, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s%s%s", cfg->script_root, strcmp(cfg->script_root, "/") ? "/" : "",
			 path);
}

static int online_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}

/* ---- host.json sections ---- */

static int check_version(struct host_config *cfg, json_t *root, char **err)
{
	json_t *v;
	char *text;

	/* The real host rewrites "{}" to the default file; we use the defaults in place. */
	if (json_object_size(root) == 0) {
		host_config_warn(cfg, "Empty host configuration file found. Using the default "
				      "configuration (version 2.0).");
		return 0;
	}
	v = host_jsonc_get(root, "version", NULL);
	text = v && !json_is_null(v) ? value_text(v) : NULL;
	if (!text || !*text) {
		free(text);
		*err = xstrdup("The host.json file is missing the required 'version' property. "
			       "See https://aka.ms/functions-hostjson for steps to migrate the "
			       "configuration file.");
		return -1;
	}
	if (!json_is_string(v) || strcmp(text, "2.0") != 0) {
		*err = xasprintf("'%s' is an invalid value for host.json 'version' property. We "
				 "recommend you set the 'version' property to '2.0'. %sSee "
				 "https://aka.ms/functions-hostjson for more information on this "
				 "configuration file.",
				 text,
				 text[0] == '3' ? "This does not correspond to the function runtime "
						  "version, only to the schema version of the "
						  "host.json file. "
						: "");
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static int read_timeout(struct host_config *cfg, json_t *root, char **err)
{
	json_t *v = lookup(root, "functionTimeout");
	char *text;
	int64_t ms;

	cfg->function_timeout_ms = 30 * 60 * 1000;
	if (!v)
		return 0;
	text = scalar_text(v);
	if (!text || host_config_parse_timespan(text, &ms) < 0) {
		free(text);
		*err = bad_value("functionTimeout", v, "a time span like 00:05:00 or -1");
		return -1;
	}
	free(text);
	/* "-1" parses as minus one day; the host reads that as "no timeout". */
	if (ms == -86400000LL) {
		cfg->function_timeout_ms = HOST_CONFIG_UNBOUNDED;
		return 0;
	}
	if (ms < 1000) {
		*err = xstrdup("FunctionTimeout must be greater than 00:00:01 and less than "
			       "10675199.02:48:05.4775807.");
		return -1;
	}
	cfg->function_timeout_ms = ms;
	return 0;
}

static int read_logging(struct host_config *cfg, json_t *root, char **err)
{
	json_t *levels = lookup(root, "logging.logLevel"), *v;
	const char *key;

	cfg->log_default = -1;
	if (!levels)
		return 0;
	if (!json_is_object(levels)) {
		*err = bad_value("logging.logLevel", levels, "an object");
		return -1;
	}
	cfg->log_rules = xcalloc(json_object_size(levels) + 1, sizeof(*cfg->log_rules));
	json_object_foreach(levels, key, v) {
		char *text = json_is_null(v) ? NULL : scalar_text(v);
		int level = text ? host_config_parse_log_level(text) : -1;

		if (json_is_null(v))
			continue;
		if (level < 0) {
			char *path = xasprintf("logging.logLevel.%s", key);
			*err = bad_value(path, v,
					 "one of Trace, Debug, Information, Warning, Error, "
					 "Critical, None");
			free(path);
			free(text);
			return -1;
		}
		free(text);
		if (strcasecmp(key, "default") == 0) {
			cfg->log_default = level;
			continue;
		}
		cfg->log_rules[cfg->n_log_rules].category = xstrdup(key);
		cfg->log_rules[cfg->n_log_rules++].level = level;
	}
	return 0;
}

static int read_functions(struct host_config *cfg, json_t *root, char **err)
{
	if (get_strv(root, "functions", &cfg->functions, &cfg->n_functions, err) < 0)
		return -1;
	/* .NET configuration drops empty arrays, so [] means "all functions". */
	if (cfg->functions && cfg->n_functions == 0) {
		free(cfg->functions);
		cfg->functions = NULL;
	}
	return 0;
}

static int read_http(struct host_config *cfg, json_t *root, char **err)
{
	struct host_config_http *h = &cfg->http;
	json_t *headers, *v;
	const char *key;
	char *p, *start;

	if (get_string(root, "extensions.http.routePrefix", "api", &h->route_prefix, err) < 0)
		return -1;
	/* "/api/" -> "api": routes are joined with single slashes later. */
	for (start = h->route_prefix; *start == '/'; start++)
		;
	memmove(h->route_prefix, start, strlen(start) + 1);
	for (p = h->route_prefix + strlen(h->route_prefix); p > h->route_prefix && p[-1] == '/';)
		*--p = '\0';

	headers = lookup(root, "extensions.http.customHeaders");
	if (headers && !json_is_object(headers)) {
		*err = bad_value("extensions.http.customHeaders", headers, "an object");
		return -1;
	}
	if (headers) {
		h->custom_headers = xcalloc(json_object_size(headers) + 1, sizeof(*h->custom_headers));
		json_object_foreach(headers, key, v) {
			char *text;
			if (json_is_null(v))
				continue;
			text = scalar_text(v);
			if (!text) {
				char *path = xasprintf("extensions.http.customHeaders.%s", key);
				*err = bad_value(path, v, "a string");
				free(path);
				return -1;
			}
			h->custom_headers[h->n_custom_headers].name = xstrdup(key);
			h->custom_headers[h->n_custom_headers++].value = text;
		}
	}
	if (get_limit(root, "extensions.http.maxOutstandingRequests", &h->max_outstanding_requests,
		      err) < 0 ||
	    get_limit(root, "extensions.http.maxConcurrentRequests", &h->max_concurrent_requests,
		      err) < 0)
		return -1;
	return 0;
}

/*
 * The durable extension's rule for a default hub name taken from the site
 * name: keep ASCII letters and digits, prefix 't' if it starts with a digit,
 * at most 45 characters, pad with "Hub" below 3.
 */
static char *sanitize_hub_name(const char *site)
{
	char *out = xmalloc(strlen(site) + 8);
	size_t n = 0;
	const char *s;

	for (s = site; *s && n < 45; s++) {
		if (!isalnum((unsigned char)*s))
			continue;
		if (n == 0 && isdigit((unsigned char)*s))
			out[n++] = 't';
		if (n < 45)
			out[n++] = *s;
	}
	out[n] = '\0';
	if (n == 0) {
		free(out);
		return xstrdup("DefaultTaskHub");
	}
	if (n < 3)
		strcat(out, "Hub");
	return out;
}

static int valid_hub_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 3 || n > 45 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

static int read_hub_name(struct host_config *cfg, json_t *root, char **err)
{
	char *raw = NULL;
	const char *site, *resolved;

	if (get_string(root, "extensions.durableTask.hubName", NULL, &raw, err) < 0)
		return -1;
	if (!raw) {
		site = getenv("WEBSITE_SITE_NAME");
		cfg->durable.hub_name = site && *site ? sanitize_hub_name(site)
						      : xstrdup("TestHubName");
		return 0;
	}
	resolved = host_config_resolve_setting(raw);
	if (!resolved) {
		*err = xasprintf("host.json setting 'extensions.durableTask.hubName' is '%s', "
				 "but that app setting is not defined",
				 raw);
		free(raw);
		return -1;
	}
	if (!*resolved) {
		free(raw);
		*err = xstrdup("A non-empty HubName configuration is required.");
		return -1;
	}
	if (!valid_hub_name(resolved)) {
		*err = xasprintf("Task hub name '%s' should contain only alphanumeric characters, "
				 "start with a letter, and have length between 3 and 45.",
				 resolved);
		free(raw);
		return -1;
	}
	cfg->durable.hub_name = xstrdup(resolved);
	free(raw);
	return 0;
}

/* Replaces every "{hubName}" (case-insensitive) in a path template. */
static char *expand_hub(const char *tmpl, const char *hub)
{
	static const char token[] = "{hubName}";
	size_t tlen = sizeof(token) - 1, cap = strlen(tmpl) + 1, n = 0;
	char *out = xmalloc(cap);

	while (*tmpl) {
		if (strncasecmp(tmpl, token, tlen) == 0) {
			cap += strlen(hub);
			out = xrealloc(out, cap);
			memcpy(out + n, hub, strlen(hub));
			n += strlen(hub);
			tmpl += tlen;
		} else {
			out[n++] = *tmpl++;
		}
	}
	out[n] = '\0';
	return out;
}

static int read_storage(struct host_config *cfg, json_t *root, char **err)
{
	struct host_config_durable *d = &cfg->durable;
	json_t *sp = lookup(root, "extensions.durableTask.storageProvider");
	char *path = NULL, *sync = NULL, *expanded;
	int64_t v;

	if (sp && !json_is_object(sp)) {
		*err = bad_value("extensions.durableTask.storageProvider", sp, "an object");
		return -1;
	}
	if (get_string(root, "extensions.durableTask.storageProvider.type", "sqlite",
		       &d->storage_type, err) < 0)
		return -1;
	if (strcasecmp(d->storage_type, "sqlite") != 0) {
		*err = xasprintf("unsupported durable storage provider type '%s' in host.json "
				 "'extensions.durableTask.storageProvider.type': cfunc supports "
				 "'sqlite'",
				 d->storage_type);
		return -1;
	}
	strcpy(d->storage_type, "sqlite");

	if (get_string(root, "extensions.durableTask.storageProvider.path", NULL, &path, err) < 0)
		return -1;
	if (path && !*path) {
		free(path);
		*err = xstrdup("host.json setting 'extensions.durableTask.storageProvider.path' "
			       "must not be empty");
		return -1;
	}
	if (!path)
		path = xstrdup(".cfunc/{hubName}.db");
	expanded = expand_hub(path, d->hub_name);
	d->storage_path = join_root(cfg, expanded);
	free(expanded);
	free(path);

	if (get_string(root, "extensions.durableTask.storageProvider.synchronous", "FULL", &sync,
		       err) < 0)
		return -1;
	if (strcasecmp(sync, "FULL") == 0) {
		d->storage_synchronous = "FULL";
	} else if (strcasecmp(sync, "NORMAL") == 0) {
		d->storage_synchronous = "NORMAL";
	} else {
		*err = bad_value("extensions.durableTask.storageProvider.synchronous",
				 lookup(root, "extensions.durableTask.storageProvider.synchronous"),
				 "FULL or NORMAL");
		free(sync);
		return -1;
	}
	free(sync);

	if (get_int(root, "extensions.durableTask.storageProvider.maxDequeueCount", 5, 1, INT_MAX,
		    &v, err) < 0)
		return -1;
	d->max_dequeue_count = (int)v;
	return 0;
}

/* The extension's own wording, "non-negative" although 0 is refused too. */
static int read_concurrency(json_t *root, const char *key, int *out, char **err)
{
	char path[96];
	int64_t v;

	snprintf(path, sizeof(path), "extensions.durableTask.%s", key);
	if (get_int(root, path, 10LL * online_cores(), INT_MIN, INT_MAX, &v, err) < 0)
		return -1;
	if (v <= 0) {
		*err = xasprintf("%c%s must be a non-negative integer value.",
				 toupper((unsigned char)key[0]), key + 1);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int read_durable(struct host_config *cfg, json_t *root, char **err)
{
	struct host_config_durable *d = &cfg->durable;
	json_t *dt = lookup(root, "extensions.durableTask");
	char *states = NULL;
	int64_t v;

	if (dt && !json_is_object(dt)) {
		*err = bad_value("extensions.durableTask", dt, "an object");
		return -1;
	}
	if (read_hub_name(cfg, root, err) < 0 ||
	    read_concurrency(root, "maxConcurrentActivityFunctions", &d->max_concurrent_activities,
			     err) < 0 ||
	    read_concurrency(root, "maxConcurrentOrchestratorFunctions",
			     &d->max_concurrent_orchestrators, err) < 0 ||
	    read_storage(cfg, root, err) < 0)
		return -1;

	if (get_string(root, "extensions.durableTask.overridableExistingInstanceStates",
		       "NonRunningStates", &states, err) < 0)
		return -1;
	if (strcasecmp(states, "NonRunningStates") == 0 || strcmp(states, "0") == 0) {
		d->overridable_existing_instance_states = HOST_CONFIG_NON_RUNNING_STATES;
	} else if (strcasecmp(states, "AnyState") == 0 || strcmp(states, "1") == 0) {
		d->overridable_existing_instance_states = HOST_CONFIG_ANY_STATE;
	} else {
		*err = bad_value("extensions.durableTask.overridableExistingInstanceStates",
				 lookup(root, "extensions.durableTask.overridableExistingInstanceStates"),
				 "NonRunningStates or AnyState");
		free(states);
		return -1;
	}
	free(states);

	if (get_int(root, "extensions.durableTask.maxOrchestrationActions", 100000, 1, INT_MAX, &v,
		    err) < 0)
		return -1;
	d->max_orchestration_actions = (int)v;
	return get_bool(root, "extensions.durableTask.storeInputsInOrchestrationHistory", false,
			&d->store_inputs_in_history, err);
}

static int read_cfunc(struct host_config *cfg, json_t *root, char **err)
{
	struct host_config_limits *l = &cfg->limits;
	json_t *section = lookup(root, "cfunc");
	char **apps = NULL;
	size_t n = 0, i;
	int64_t v;

	if (section && !json_is_object(section)) {
		*err = bad_value("cfunc", section, "an object");
		return -1;
	}
	if (get_strv(root, "cfunc.apps", &apps, &n, err) < 0) {
		free_strv(apps, n);
		return -1;
	}
	if (!apps) {
		cfg->apps = xcalloc(1, sizeof(*cfg->apps));
		cfg->apps[0] = join_root(cfg, "apps");
		cfg->n_apps = 1;
	} else {
		cfg->apps = xcalloc(n + 1, sizeof(*cfg->apps));
		for (i = 0; i < n; i++)
			cfg->apps[cfg->n_apps++] = join_root(cfg, apps[i]);
		free_strv(apps, n);
	}

	if (get_int(root, "cfunc.limits.maxRequestBodyBytes", 104857600, 1, INT64_MAX,
		    &l->max_request_body_bytes, err) < 0)
		return -1;
	if (get_int(root, "cfunc.limits.maxRequestLineBytes", 8192, 1, INT_MAX, &v, err) < 0)
		return -1;
	l->max_request_line_bytes = (int)v;
	if (get_int(root, "cfunc.limits.maxHeaderBytes", 32768, 1, INT_MAX, &v, err) < 0)
		return -1;
	l->max_header_bytes = (int)v;
	if (get_int(root, "cfunc.limits.maxHeaderCount", 100, 1, INT_MAX, &v, err) < 0)
		return -1;
	l->max_header_count = (int)v;
	if (get_int(root, "cfunc.limits.maxConnections", 1024, 1, INT_MAX, &v, err) < 0)
		return -1;
	l->max_connections = (int)v;

	/* Default 2 x cores so a slow function does not block the others; 1 is
	 * allowed (and fastest for tiny functions: no hand-off between workers). */
	v = 2LL * online_cores();
	if (get_int(root, "cfunc.workers", v < 2 ? 2 : v, 1, 4096, &v, err) < 0)
		return -1;
	cfg->workers = (int)v;
	return 0;
}

int host_config_load_host(struct host_config *cfg, char **err)
{
	char *path;
	json_t *root = NULL;
	int rc;

	*err = NULL;
	path = join_root(cfg, "host.json");
	rc = host_jsonc_load(path, HOST_JSON_PREFIX, &root, err);
	if (rc == HOST_JSONC_MISSING) {
		*err = xasprintf("%s '%s': %s", HOST_JSON_PREFIX, path, strerror(ENOENT));
		rc = -1;
	}
	free(path);
	if (rc < 0)
		return -1;
	/* "version" is checked on the file as written, before overrides, as the host does. */
	rc = -1;
	if (check_version(cfg, root, err) < 0)
		goto out;
	merge_env(cfg, root);
	if (read_timeout(cfg, root, err) < 0 || read_logging(cfg, root, err) < 0 ||
	    read_functions(cfg, root, err) < 0 || read_http(cfg, root, err) < 0 ||
	    read_durable(cfg, root, err) < 0 || read_cfunc(cfg, root, err) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int host_config_load(struct host_config *cfg, const char *root, char **err)
{
	memset(cfg, 0, sizeof(*cfg));
	*err = NULL;
	cfg->log_default = -1;
	cfg->script_root = realpath(root, NULL);
	if (!cfg->script_root) {
		*err = xasprintf("cannot resolve script root '%s': %s", root, strerror(errno));
		return -1;
	}
	if (host_config_load_settings(cfg, err) < 0)
		return -1;
	return host_config_load_host(cfg, err);
}
