/*
 * config.c - host.json (spec functions-host.md §2, durable-semantics.md §11):
 * its sections, loading, project discovery and the life cycle of struct
 * host_config. The environment overrides are in config_env.c, the typed
 * readers and the small parsers other code shares (time spans, log levels,
 * %Setting%) in config_values.c, local.settings.json in settings.c, which
 * keys exist in config_keys.c.
 *
 * host.json is read in four steps: parse (jsonc.c), check "version" on the
 * file as written, merge AzureFunctionsJobHost__* environment variables into
 * the jansson tree (creating objects/arrays as needed), report keys no
 * section has (config_keys.c), then read typed values from the merged tree. Merging first means every key is overridable
 * without each reader knowing about the environment, and values from the
 * environment arrive as strings, so every typed reader also accepts strings.
 * A JSON null counts as absent (the default applies).
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
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "host/config/jsonc.h"
#include "common/xalloc.h"

#define HOST_JSON_PREFIX "Unable to parse host configuration file"

void host_config_free(struct host_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->script_root);
	for (i = 0; i < cfg->n_log_rules; i++)
		free(cfg->log_rules[i].category);
	free(cfg->log_rules);
	host_config_free_strv(cfg->functions, cfg->n_functions);
	free(cfg->http.route_prefix);
	host_config_free_pairs(cfg->http.custom_headers, cfg->http.n_custom_headers);
	free(cfg->durable.hub_name);
	free(cfg->durable.storage_type);
	free(cfg->durable.storage_path);
	host_config_free_strv(cfg->apps, cfg->n_apps);
	host_config_free_strv(cfg->allowed_hosts, cfg->n_allowed_hosts);
	host_config_free_pairs(cfg->settings.values, cfg->settings.n_values);
	for (i = 0; i < cfg->settings.n_connection_strings; i++) {
		free(cfg->settings.connection_strings[i].name);
		free(cfg->settings.connection_strings[i].value);
		free(cfg->settings.connection_strings[i].provider);
	}
	free(cfg->settings.connection_strings);
	free(cfg->settings.address);
	free(cfg->settings.cors);
	host_config_free_strv(cfg->warnings, cfg->n_warnings);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- project discovery ---- */

int host_config_find_root(const char *start_dir, char **root, char **err)
{
	static const char *const markers[] = {"host.json", NULL};
	return host_config_find_root_of(start_dir, markers, root, err);
}

int host_config_find_root_of(const char *start_dir, const char *const *markers, char **root,
			     char **err)
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
		for (const char *const *m = markers; *m; m++) {
			file = xasprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", *m);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
				free(file);
				*root = dir;
				return 0;
			}
			free(file);
		}
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
	text = v && !json_is_null(v) ? host_config_value_text(v) : NULL;
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
	json_t *v = host_config_lookup(root, "functionTimeout");
	char *text;
	int64_t ms;

	cfg->function_timeout_ms = 30 * 60 * 1000;
	if (!v)
		return 0;
	text = host_config_scalar_text(v);
	if (!text || host_config_parse_timespan(text, &ms) < 0) {
		free(text);
		*err = host_config_bad_value("functionTimeout", v,
					     "a time span like 00:05:00 or -1");
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
	json_t *levels = host_config_lookup(root, "logging.logLevel"), *v;
	const char *key;

	cfg->log_default = -1;
	if (!levels)
		return 0;
	if (!json_is_object(levels)) {
		*err = host_config_bad_value("logging.logLevel", levels, "an object");
		return -1;
	}
	cfg->log_rules = xcalloc(json_object_size(levels) + 1, sizeof(*cfg->log_rules));
	json_object_foreach(levels, key, v) {
		char *text = json_is_null(v) ? NULL : host_config_scalar_text(v);
		int level = text ? host_config_parse_log_level(text) : -1;

		if (json_is_null(v))
			continue;
		if (level < 0) {
			char *path = xasprintf("logging.logLevel.%s", key);
			*err = host_config_bad_value(
				path, v,
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
	if (host_config_get_strv(root, "functions", &cfg->functions, &cfg->n_functions, err) < 0)
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

	if (host_config_get_string(root, "extensions.http.routePrefix", "api", &h->route_prefix,
				   err) < 0)
		return -1;
	/* "/api/" -> "api": routes are joined with single slashes later. */
	for (start = h->route_prefix; *start == '/'; start++)
		;
	memmove(h->route_prefix, start, strlen(start) + 1);
	for (p = h->route_prefix + strlen(h->route_prefix); p > h->route_prefix && p[-1] == '/';)
		*--p = '\0';

	headers = host_config_lookup(root, "extensions.http.customHeaders");
	if (headers && !json_is_object(headers)) {
		*err = host_config_bad_value("extensions.http.customHeaders", headers, "an object");
		return -1;
	}
	if (headers) {
		h->custom_headers = xcalloc(json_object_size(headers) + 1, sizeof(*h->custom_headers));
		json_object_foreach(headers, key, v) {
			char *text;
			if (json_is_null(v))
				continue;
			text = host_config_scalar_text(v);
			if (!text) {
				char *path = xasprintf("extensions.http.customHeaders.%s", key);
				*err = host_config_bad_value(path, v, "a string");
				free(path);
				return -1;
			}
			h->custom_headers[h->n_custom_headers].name = xstrdup(key);
			h->custom_headers[h->n_custom_headers++].value = text;
		}
	}
	if (host_config_get_limit(root, "extensions.http.maxOutstandingRequests",
				  &h->max_outstanding_requests, err) < 0 ||
	    host_config_get_limit(root, "extensions.http.maxConcurrentRequests",
				  &h->max_concurrent_requests, err) < 0)
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

	if (host_config_get_string(root, "extensions.durableTask.hubName", NULL, &raw, err) < 0)
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
	json_t *sp = host_config_lookup(root, "extensions.durableTask.storageProvider");
	char *path = NULL, *sync = NULL, *expanded;
	int64_t v;

	if (sp && !json_is_object(sp)) {
		*err = host_config_bad_value("extensions.durableTask.storageProvider", sp,
					     "an object");
		return -1;
	}
	if (host_config_get_string(root, "extensions.durableTask.storageProvider.type", "sqlite",
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

	if (host_config_get_string(root, "extensions.durableTask.storageProvider.path", NULL, &path,
				   err) < 0)
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

	if (host_config_get_string(root, "extensions.durableTask.storageProvider.synchronous",
				   "ACKNOWLEDGED", &sync, err) < 0)
		return -1;
	if (strcasecmp(sync, "ACKNOWLEDGED") == 0) {
		d->storage_synchronous = "ACKNOWLEDGED";
	} else if (strcasecmp(sync, "FULL") == 0) {
		d->storage_synchronous = "FULL";
	} else if (strcasecmp(sync, "NORMAL") == 0) {
		d->storage_synchronous = "NORMAL";
	} else {
		*err = host_config_bad_value(
			"extensions.durableTask.storageProvider.synchronous",
			host_config_lookup(root,
					   "extensions.durableTask.storageProvider.synchronous"),
			"ACKNOWLEDGED, FULL or NORMAL");
		free(sync);
		return -1;
	}
	free(sync);

	if (host_config_get_int(root, "extensions.durableTask.storageProvider.maxDequeueCount", 5,
				1, INT_MAX, &v, err) < 0)
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
	if (host_config_get_int(root, path, 10LL * online_cores(), INT_MIN, INT_MAX, &v, err) < 0)
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
	json_t *dt = host_config_lookup(root, "extensions.durableTask");
	char *states = NULL;
	int64_t v;

	if (dt && !json_is_object(dt)) {
		*err = host_config_bad_value("extensions.durableTask", dt, "an object");
		return -1;
	}
	if (read_hub_name(cfg, root, err) < 0 ||
	    read_concurrency(root, "maxConcurrentActivityFunctions", &d->max_concurrent_activities,
			     err) < 0 ||
	    read_concurrency(root, "maxConcurrentOrchestratorFunctions",
			     &d->max_concurrent_orchestrators, err) < 0 ||
	    read_storage(cfg, root, err) < 0)
		return -1;

	if (host_config_get_string(root, "extensions.durableTask.overridableExistingInstanceStates",
				   "NonRunningStates", &states, err) < 0)
		return -1;
	if (strcasecmp(states, "NonRunningStates") == 0 || strcmp(states, "0") == 0) {
		d->overridable_existing_instance_states = HOST_CONFIG_NON_RUNNING_STATES;
	} else if (strcasecmp(states, "AnyState") == 0 || strcmp(states, "1") == 0) {
		d->overridable_existing_instance_states = HOST_CONFIG_ANY_STATE;
	} else {
		*err = host_config_bad_value(
			"extensions.durableTask.overridableExistingInstanceStates",
			host_config_lookup(
				root, "extensions.durableTask.overridableExistingInstanceStates"),
			"NonRunningStates or AnyState");
		free(states);
		return -1;
	}
	free(states);

	if (host_config_get_int(root, "extensions.durableTask.maxOrchestrationActions", 100000, 1,
				INT_MAX, &v, err) < 0)
		return -1;
	d->max_orchestration_actions = (int)v;
	if (host_config_get_int(root, "extensions.durableTask.maxEntityOperationBatchSize", 5000,
				1, INT_MAX, &v, err) < 0)
		return -1;
	d->max_entity_operation_batch = (int)v;
	if (host_config_get_bool(root, "extensions.durableTask.rollbackEntityOperationsOnExceptions",
				 true, &d->rollback_entity_operations, err) < 0)
		return -1;
	return host_config_get_bool(root,
				    "extensions.durableTask.storeInputsInOrchestrationHistory",
				    false, &d->store_inputs_in_history, err);
}

static int read_cfunc(struct host_config *cfg, json_t *root, char **err)
{
	struct host_config_limits *l = &cfg->limits;
	json_t *section = host_config_lookup(root, "cfunc");
	char **apps = NULL;
	size_t n = 0, i;
	int64_t v;

	if (section && !json_is_object(section)) {
		*err = host_config_bad_value("cfunc", section, "an object");
		return -1;
	}
	if (host_config_get_strv(root, "cfunc.apps", &apps, &n, err) < 0) {
		host_config_free_strv(apps, n);
		return -1;
	}
	if (!apps) {
		cfg->apps = xcalloc(1, sizeof(*cfg->apps));
		cfg->apps[0] = join_root(cfg, "apps");
		cfg->n_apps = 1;
	} else {
		cfg->apps_listed = true;
		cfg->apps = xcalloc(n + 1, sizeof(*cfg->apps));
		for (i = 0; i < n; i++)
			cfg->apps[cfg->n_apps++] = join_root(cfg, apps[i]);
		host_config_free_strv(apps, n);
	}

	if (host_config_get_int(root, "cfunc.limits.maxRequestBodyBytes", 104857600, 1, INT64_MAX,
				&l->max_request_body_bytes, err) < 0)
		return -1;
	if (host_config_get_int(root, "cfunc.limits.maxRequestLineBytes", 8192, 1, INT_MAX, &v,
				err) < 0)
		return -1;
	l->max_request_line_bytes = (int)v;
	if (host_config_get_int(root, "cfunc.limits.maxHeaderBytes", 32768, 1, INT_MAX, &v,
				err) < 0)
		return -1;
	l->max_header_bytes = (int)v;
	if (host_config_get_int(root, "cfunc.limits.maxHeaderCount", 100, 1, INT_MAX, &v, err) < 0)
		return -1;
	l->max_header_count = (int)v;
	if (host_config_get_int(root, "cfunc.limits.maxConnections", 1024, 1, INT_MAX, &v, err) < 0)
		return -1;
	l->max_connections = (int)v;
	/* One address (one client) may not take every connection (host/http/client_limits.h). */
	if (host_config_get_int(root, "cfunc.limits.maxConnectionsPerClient", 256, 1, INT_MAX, &v,
				err) < 0)
		return -1;
	l->max_connections_per_client = (int)v;
	/* Bytes of request bodies and responses held in memory at once (host/http/inflight.h). */
	if (host_config_get_int(root, "cfunc.limits.maxInFlightBytes", 268435456, 1, INT64_MAX,
				&l->max_in_flight_bytes, err) < 0)
		return -1;
	/* A client gets this long to send its request line, headers and body. */
	if (host_config_get_int(root, "cfunc.limits.requestTimeoutSeconds", 10, 1, 3600, &v, err) < 0)
		return -1;
	l->request_timeout_ms = (int)v * 1000;
	/* From SIGINT/SIGTERM to exit, whatever is still running. */
	if (host_config_get_int(root, "cfunc.stopTimeoutSeconds", 10, 1, 3600, &v, err) < 0)
		return -1;
	cfg->stop_timeout_ms = (int)v * 1000;
	if (host_config_get_strv(root, "cfunc.allowedHosts", &cfg->allowed_hosts,
				 &cfg->n_allowed_hosts, err) < 0)
		return -1;

	/* Default 2 x cores so a slow function does not block the others; 1 is
	 * allowed (and fastest for tiny functions: no hand-off between workers). */
	v = 2LL * online_cores();
	if (host_config_get_int(root, "cfunc.workers", v < 2 ? 2 : v, 1, 4096, &v, err) < 0)
		return -1;
	cfg->workers = (int)v;
	/* Worker mode: two, so that a long replay on the replay thread holds
	 * one while the engine thread's batches run in the other. */
	if (host_config_get_int(root, "cfunc.episodeWorkers", 2, 1, 16, &v, err) < 0)
		return -1;
	cfg->episode_workers = (int)v;
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
	host_config_merge_env(cfg, root);
	if (host_config_check_keys(cfg, root, err) < 0)
		goto out;
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
