/*
 * config.h - host.json + local.settings.json -> struct host_config
 * (spec: functions-host.md §1-§4, durable-semantics.md §11).
 *
 * Ownership: struct host_config owns every string and array in it;
 * host_config_free() releases them all. Nothing here is shared with jansson
 * after loading. Not thread-safe: load at start-up (or on reload, into a
 * fresh struct) before other threads read it; readers only read.
 *
 * Order matters and host_config_load() keeps it: local.settings.json is read
 * first and its Values exported into the environment, because host.json is
 * read through the environment afterwards (AzureFunctionsJobHost__* overrides,
 * %Setting% hub names, WEBSITE_SITE_NAME), exactly as app settings are env
 * vars in the real host.
 *
 * host.json keys are matched case-insensitively at every level. Every leaf can
 * be overridden by an environment variable AzureFunctionsJobHost__a__b__c
 * (":" works as a separator too; numeric segments index arrays); values from
 * the environment are strings that the typed readers convert. Unknown keys
 * (extensionBundle, healthMonitor, ...) are accepted and ignored.
 *
 * cfunc's own section, "cfunc" (not in real host.json files):
 *   "cfunc": {
 *     "apps": ["apps"],         paths relative to the script root: a .so file,
 *                               or a folder whose *.so files are all loaded;
 *                               [] loads nothing
 *     "workers": 2 x cores,     HTTP worker threads, at least 1
 *     "episodeWorkers": 2,      worker processes per app for orchestrator
 *                               episodes and entity batches, 1-16
 *     "limits": {
 *       "maxRequestBodyBytes": 104857600, "maxRequestLineBytes": 8192,
 *       "maxHeaderBytes": 32768, "maxHeaderCount": 100, "maxConnections": 1024,
 *       "maxConnectionsPerClient": 256,   per client IP address
 *       "maxInFlightBytes": 268435456,    request and response bytes held, host-wide
 *       "requestTimeoutSeconds": 10   to send the request line, headers, body
 *     },
 *     "allowedHosts": []        Host header names accepted (port ignored,
 *                               case-insensitive); [] or absent: any. Against
 *                               DNS rebinding of a loopback host.
 *   }
 */
#ifndef HOST_CONFIG_H
#define HOST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log_level.h"

/* Levels are enum rt_log_level: 0..5 = Trace..Critical, then None. */
#define HOST_CONFIG_LOG_NONE RT_LOG_NONE

/* functionTimeout "-1": no timeout. */
#define HOST_CONFIG_UNBOUNDED (-1)

struct host_config_pair {
	char *name;
	char *value;
};

/* One logging.logLevel entry: category prefix -> level 0..6. */
struct host_config_log_rule {
	char *category;
	int level;
};

struct host_config_http {
	char *route_prefix;                      /* "api"; "" = none; no '/' at either end */
	struct host_config_pair *custom_headers; /* in file order */
	size_t n_custom_headers;
	int max_outstanding_requests;            /* -1 = unbounded */
	int max_concurrent_requests;             /* -1 = unbounded */
};

enum host_config_overridable_states {
	HOST_CONFIG_NON_RUNNING_STATES = 0, /* default */
	HOST_CONFIG_ANY_STATE,
};

struct host_config_durable {
	char *hub_name;                 /* resolved and validated */
	int max_concurrent_activities;  /* 10 x online cores */
	int max_concurrent_orchestrators;
	char *storage_type;             /* "sqlite" */
	/* Absolute SQLite file path: storageProvider.path ("{hubName}" replaced by
	 * the hub name, relative paths against the script root), default
	 * <root>/.cfunc/<hubName>.db. */
	char *storage_path;
	const char *storage_synchronous; /* static "ACKNOWLEDGED" (default), "FULL" or "NORMAL" */
	int max_dequeue_count;           /* poison threshold, 5 */
	enum host_config_overridable_states overridable_existing_instance_states;
	int max_orchestration_actions;   /* 100000 */
	bool store_inputs_in_history;    /* storeInputsInOrchestrationHistory */
	int max_entity_operation_batch;  /* maxEntityOperationBatchSize, 5000 */
	bool rollback_entity_operations; /* rollbackEntityOperationsOnExceptions, true */
};

struct host_config_limits {
	int64_t max_request_body_bytes;  /* 104857600 */
	int max_request_line_bytes;      /* 8192 */
	int max_header_bytes;            /* 32768 */
	int max_header_count;            /* 100 */
	int max_connections;             /* 1024 */
	int max_connections_per_client;  /* 256, per client IP address */
	int64_t max_in_flight_bytes;     /* 268435456: bodies and responses held, host-wide */
	int request_timeout_ms;          /* 10000 */
};

struct host_config_connection_string {
	char *name;
	char *value;
	char *provider; /* "System.Data.SqlClient" unless given */
};

/* local.settings.json; everything empty/unset when the file is missing. */
struct host_config_settings {
	bool present;                     /* the file exists */
	struct host_config_pair *values;  /* Values in file order, nulls left out */
	size_t n_values;
	struct host_config_connection_string *connection_strings;
	size_t n_connection_strings;
	/* Host section: defaults for --port, --address, --cors, --cors-credentials. */
	int port;                         /* LocalHttpPort, 0 = not set */
	char *address;                    /* LocalHttpAddress or NULL */
	char *cors;                       /* CORS or NULL */
	int cors_credentials;             /* CORSCredentials: -1 unset, 0, 1 */
};

struct host_config {
	char *script_root;     /* absolute, no trailing '/' (except "/") */

	/* host.json */
	int64_t function_timeout_ms;  /* 30 min; HOST_CONFIG_UNBOUNDED */
	struct host_config_log_rule *log_rules; /* logging.logLevel minus "default" */
	size_t n_log_rules;
	int log_default;              /* logLevel.default, -1 if not given */
	char **functions;             /* "functions" filter; NULL = load all */
	size_t n_functions;
	struct host_config_http http;
	struct host_config_durable durable;
	char **apps;                  /* cfunc.apps, absolute paths */
	size_t n_apps;
	bool apps_listed;             /* host.json named them (else the default "apps") */
	struct host_config_limits limits; /* cfunc.limits */
	int workers;                  /* cfunc.workers */
	int episode_workers;          /* cfunc.episodeWorkers */
	int stop_timeout_ms;          /* cfunc.stopTimeoutSeconds: bound on a graceful stop */
	char **allowed_hosts;         /* cfunc.allowedHosts; NULL = any */
	size_t n_allowed_hosts;

	struct host_config_settings settings;

	/* Non-fatal findings for the host to print (one line each, in order). */
	char **warnings;
	size_t n_warnings;
};

/*
 * Walks up from start_dir to the first directory holding host.json and
 * returns it (absolute, malloc'd) in *root. Fails with the spec's text when
 * there is none.
 */
int host_config_find_root(const char *start_dir, char **root, char **err);
/* The same walk, stopping at the first directory holding any of `markers`
 * (file names, NULL-terminated): `cfunc settings` also takes a folder with
 * only local.settings.json. */
int host_config_find_root_of(const char *start_dir, const char *const *markers, char **root,
			     char **err);

/*
 * Fills *cfg (which it zeroes first) from <root>/local.settings.json, then
 * <root>/host.json. Returns 0, or -1 with a single-line *err (caller frees).
 * Call host_config_free() afterwards either way.
 */
int host_config_load(struct host_config *cfg, const char *root, char **err);

/*
 * The two halves of host_config_load(), for callers that need only one
 * (e.g. settings commands). Both need cfg->script_root set (absolute);
 * load_settings exports Values and ConnectionStrings into the environment.
 */
int host_config_load_settings(struct host_config *cfg, char **err);
int host_config_load_host(struct host_config *cfg, char **err);

/*
 * Sets what the CLI sets once the port is known: WEBSITE_HOSTNAME=
 * localhost:<port>, AZURE_FUNCTIONS_ENVIRONMENT=Development (a warning if it
 * held something else) and AzureWebJobsScriptRoot=<root>. Call it before
 * any thread starts (engine, workers, watchdog, timers): they read settings
 * with getenv, and getenv racing with setenv is undefined behaviour.
 */
void host_config_export_cli_env(struct host_config *cfg, int port);

void host_config_free(struct host_config *cfg);

/*
 * Minimum level for a log category: the longest logging.logLevel key that is
 * the category or a prefix of it ending at a '.' ("Function" matches
 * "Function.hello.User", not "Functions"), case-insensitive; else "default";
 * else -1 = the console's built-in default. Returns 0..5 or
 * HOST_CONFIG_LOG_NONE.
 */
int host_config_log_level(const struct host_config *cfg, const char *category);

/* Parses "Information", "none", ... (case-insensitive) or "0".."6"; -1 if unknown. */
int host_config_parse_log_level(const char *name);

/* Whether the "functions" filter admits `name` (case-insensitive). */
/* Tests and fuzz targets only: the host does not call it. */
bool host_config_function_selected(const struct host_config *cfg, const char *name);

/*
 * .NET TimeSpan text: "[-]d", "[-][d.]hh:mm[:ss[.fffffff]]" (hh < 24,
 * mm/ss < 60, surrounding blanks allowed). Stores milliseconds (fraction
 * truncated) in *ms and returns 0, or -1 if malformed. "-1" is -1 day, as in
 * .NET; callers that give it a special meaning check for it.
 */
int host_config_parse_timespan(const char *s, int64_t *ms);

/*
 * App-setting indirection: if `value` is exactly "%Name%", returns
 * getenv("Name") (NULL if unset; borrowed until the environment changes);
 * otherwise `value` itself.
 */
const char *host_config_resolve_setting(const char *value);

/* Appends a printf-formatted line to cfg->warnings (used by config.c and settings.c). */
void host_config_warn(struct host_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
