/*
 * config_values.c - turning text into typed values: the typed readers over
 * the merged host.json tree (every one also accepts the strings that
 * environment overrides bring) and the small parsers other code shares
 * (time spans, log levels and categories, the functions filter, %Setting%),
 * and the bottom of the config files: warnings and freeing, which
 * config.c, config_env.c and settings.c all use.
 */
#include "host/config/config.h"
#include "host/config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "host/config/jsonc.h"
#include "common/xalloc.h"

/* ---- warnings and freeing ---- */

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

void host_config_free_pairs(struct host_config_pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

void host_config_free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
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

/* ---- typed readers over the merged tree ---- */

int host_config_is_container(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

/* Follows a dotted path of case-insensitive keys; JSON null counts as absent. */
json_t *host_config_lookup(json_t *root, const char *path)
{
	char buf[128], *seg, *save = NULL;
	json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, ".", &save); seg && v; seg = strtok_r(NULL, ".", &save))
		v = host_jsonc_get(v, seg, NULL);
	return json_is_null(v) ? NULL : v;
}

/* The value as the user wrote it, for error messages; caller frees. */
char *host_config_value_text(const json_t *v)
{
	char *s;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	return s ? s : xstrdup("?");
}

/* Scalars as text (the .NET binder sees every leaf as a string); NULL for containers. */
char *host_config_scalar_text(const json_t *v)
{
	if (host_config_is_container(v))
		return NULL;
	return host_config_value_text(v);
}

char *host_config_bad_value(const char *path, const json_t *v, const char *expected)
{
	char *text = host_config_value_text(v), *msg;

	msg = xasprintf("host.json setting '%s' must be %s, not '%s'", path, expected, text);
	free(text);
	return msg;
}

int host_config_get_int(json_t *root, const char *path, int64_t def, int64_t min, int64_t max,
			int64_t *out, char **err)
{
	json_t *v = host_config_lookup(root, path);
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
			*err = host_config_bad_value(path, v, "an integer");
			return -1;
		}
	} else {
		*err = host_config_bad_value(path, v, "an integer");
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
		*err = host_config_bad_value(path, v, expected);
		return -1;
	}
	*out = n;
	return 0;
}

/* An int setting whose only special value is -1 ("unbounded"). */
int host_config_get_limit(json_t *root, const char *path, int *out, char **err)
{
	int64_t v;

	if (host_config_get_int(root, path, -1, -1, INT_MAX, &v, err) < 0)
		return -1;
	if (v == 0) {
		*err = host_config_bad_value(path, host_config_lookup(root, path),
					     "-1 (unbounded) or a positive integer");
		return -1;
	}
	*out = (int)v;
	return 0;
}

int host_config_get_bool(json_t *root, const char *path, bool def, bool *out, char **err)
{
	json_t *v = host_config_lookup(root, path);
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
	*err = host_config_bad_value(path, v, "true or false");
	return -1;
}

/* *out is malloc'd (a copy of def when absent; def may be NULL). */
int host_config_get_string(json_t *root, const char *path, const char *def, char **out, char **err)
{
	json_t *v = host_config_lookup(root, path);

	*out = NULL;
	if (!v) {
		*out = def ? xstrdup(def) : NULL;
		return 0;
	}
	*out = host_config_scalar_text(v);
	if (!*out) {
		*err = xasprintf("host.json setting '%s' must be a single value, not an %s", path,
				 json_is_object(v) ? "object" : "array");
		return -1;
	}
	return 0;
}

/* An array of strings; absent leaves *out NULL. Nulls in it are skipped. */
int host_config_get_strv(json_t *root, const char *path, char ***out, size_t *n, char **err)
{
	json_t *v = host_config_lookup(root, path), *e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!json_is_array(v)) {
		*err = host_config_bad_value(path, v, "an array of strings");
		return -1;
	}
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, e) {
		if (json_is_null(e))
			continue;
		if (!json_is_string(e)) {
			char *text = host_config_value_text(e);
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
