/*
 * settings.c - local.settings.json (spec functions-host.md §1, §3) and the
 * environment variables the CLI sets.
 *
 * App settings reach everything else through the process environment, as in
 * the real host: Values and ConnectionStrings are exported with setenv(),
 * but a variable that already has a non-empty value in the real environment
 * wins. The whole file is checked before anything is exported, so a broken
 * file leaves the environment untouched.
 *
 * Deliberate differences from func (spec §12):
 *  - a missing "IsEncrypted" counts as false (func: true, which breaks
 *    hand-written files);
 *  - broken JSON is a start-up error (func warns and runs without settings);
 *  - a non-string in Values is an error (func turns it into text).
 */
#include "host/config/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "host/config/jsonc.h"
#include "host/keys/keys.h"
#include "common/xalloc.h"

#define SETTINGS_PREFIX "Unable to parse local settings file"
#define DEFAULT_PROVIDER "System.Data.SqlClient"

/*
 * The one place that knows about encrypted files: with IsEncrypted true,
 * every value is opened in place with cfunc's settings key (keys.h; our own
 * format, not func's Data Protection blobs). A missing or wrong key fails
 * with func's message and the reason.
 */
static int decrypt_settings(json_t *root, const char *path, char **err)
{
	json_t *v = host_jsonc_get(root, "IsEncrypted", NULL);
	int encrypted;

	if (!v || json_is_null(v))
		return 0; /* deliberate: missing = not encrypted */
	if (json_is_boolean(v))
		encrypted = json_is_true(v);
	else if (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0)
		encrypted = 1;
	else if (json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0)
		encrypted = 0;
	else {
		*err = xasprintf("local settings file '%s': IsEncrypted must be true or false",
				 path);
		return -1;
	}
	return encrypted ? host_keys_settings_decrypt(root, path, err) : 0;
}

static char *json_text(const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	return s ? s : xstrdup("?");
}

static int read_values(struct host_config *cfg, json_t *root, const char *path, char **err)
{
	struct host_config_settings *s = &cfg->settings;
	json_t *values = host_jsonc_get(root, "Values", NULL), *v;
	const char *key;

	if (!values || json_is_null(values))
		return 0;
	if (!json_is_object(values)) {
		*err = xasprintf("local settings file '%s': Values must be an object", path);
		return -1;
	}
	s->values = xcalloc(json_object_size(values) + 1, sizeof(*s->values));
	json_object_foreach(values, key, v) {
		if (!*key) {
			host_config_warn(cfg, "Skipping local setting with an empty name.");
			continue;
		}
		if (json_is_null(v)) {
			host_config_warn(cfg,
					 "Skipping '%s' from local settings as its value is null.",
					 key);
			continue;
		}
		if (!json_is_string(v)) {
			char *text = json_text(v);
			*err = xasprintf("local settings file '%s': the value of '%s' in Values "
					 "must be a string, not %s",
					 path, key, text);
			free(text);
			return -1;
		}
		/* The platform owns it; letting a file set it would fake the environment. */
		if (strcmp(key, "CONTAINER_NAME") == 0) {
			*err = xasprintf("local settings file '%s': 'CONTAINER_NAME' is a reserved "
					 "environment variable and cannot be set in Values",
					 path);
			return -1;
		}
		s->values[s->n_values].name = xstrdup(key);
		s->values[s->n_values++].value = xstrdup(json_string_value(v));
	}
	return 0;
}

static int read_host(struct host_config *cfg, json_t *root, const char *path, char **err)
{
	struct host_config_settings *s = &cfg->settings;
	json_t *host = host_jsonc_get(root, "Host", NULL), *v;

	s->cors_credentials = -1;
	if (!host || json_is_null(host))
		return 0;
	if (!json_is_object(host)) {
		*err = xasprintf("local settings file '%s': Host must be an object", path);
		return -1;
	}

	v = host_jsonc_get(host, "LocalHttpPort", NULL);
	if (v && !json_is_null(v)) {
		long long port = -1;
		if (json_is_integer(v)) {
			port = json_integer_value(v);
		} else if (json_is_string(v)) {
			char *end;
			port = strtoll(json_string_value(v), &end, 10);
			if (end == json_string_value(v) || *end)
				port = -1;
		}
		if (port < 1 || port > 65535) {
			char *text = json_text(v);
			*err = xasprintf("local settings file '%s': Host.LocalHttpPort must be a "
					 "port number from 1 to 65535, not %s",
					 path, text);
			free(text);
			return -1;
		}
		s->port = (int)port;
	}

	v = host_jsonc_get(host, "LocalHttpAddress", NULL);
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			*err = xasprintf("local settings file '%s': Host.LocalHttpAddress must be "
					 "a string",
					 path);
			return -1;
		}
		s->address = xstrdup(json_string_value(v));
	}

	v = host_jsonc_get(host, "CORS", NULL);
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			*err = xasprintf("local settings file '%s': Host.CORS must be a string",
					 path);
			return -1;
		}
		s->cors = xstrdup(json_string_value(v));
	}

	v = host_jsonc_get(host, "CORSCredentials", NULL);
	if (v && !json_is_null(v)) {
		if (json_is_boolean(v))
			s->cors_credentials = json_is_true(v);
		else if (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0)
			s->cors_credentials = 1;
		else if (json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0)
			s->cors_credentials = 0;
		else {
			*err = xasprintf("local settings file '%s': Host.CORSCredentials must be "
					 "true or false",
					 path);
			return -1;
		}
	}
	return 0;
}

/* A string, or {"ConnectionString": ..., "ProviderName": ...}. */
static int read_connection_strings(struct host_config *cfg, json_t *root, const char *path,
				   char **err)
{
	struct host_config_settings *s = &cfg->settings;
	json_t *cs = host_jsonc_get(root, "ConnectionStrings", NULL), *v;
	const char *name;

	if (!cs || json_is_null(cs))
		return 0;
	if (!json_is_object(cs)) {
		*err = xasprintf("local settings file '%s': ConnectionStrings must be an object",
				 path);
		return -1;
	}
	s->connection_strings = xcalloc(json_object_size(cs) + 1, sizeof(*s->connection_strings));
	json_object_foreach(cs, name, v) {
		struct host_config_connection_string *c;
		json_t *value = v, *provider = NULL;

		if (!*name) {
			host_config_warn(cfg, "Skipping connection string with an empty name.");
			continue;
		}
		if (json_is_null(v)) {
			host_config_warn(cfg,
					 "Skipping connection string '%s' from local settings as "
					 "its value is null.",
					 name);
			continue;
		}
		if (json_is_object(v)) {
			value = host_jsonc_get(v, "ConnectionString", NULL);
			provider = host_jsonc_get(v, "ProviderName", NULL);
		}
		if (!json_is_string(value) || (provider && !json_is_null(provider) &&
					       !json_is_string(provider))) {
			*err = xasprintf("local settings file '%s': connection string '%s' must be "
					 "a string or an object with a string ConnectionString and "
					 "ProviderName",
					 path, name);
			return -1;
		}
		c = &s->connection_strings[s->n_connection_strings++];
		c->name = xstrdup(name);
		c->value = xstrdup(json_string_value(value));
		c->provider = xstrdup(json_is_string(provider) ? json_string_value(provider)
							       : DEFAULT_PROVIDER);
	}
	return 0;
}

/* Real environment wins; the warnings are the CLI's texts. */
static void export_setting(struct host_config *cfg, const char *name, const char *value)
{
	const char *cur = getenv(name);

	if (cur && *cur) {
		host_config_warn(cfg,
				 "Skipping '%s' from local settings as it's already defined in "
				 "current environment variables.",
				 name);
		return;
	}
	if (strchr(name, '=') || setenv(name, value, 1) < 0)
		host_config_warn(cfg,
				 "Skipping '%s' from local settings: it is not a valid environment "
				 "variable name.",
				 name);
}

int host_config_load_settings(struct host_config *cfg, char **err)
{
	char *path, *var;
	json_t *root = NULL;
	size_t i;
	int rc;

	*err = NULL;
	cfg->settings.cors_credentials = -1;
	path = xasprintf("%s%slocal.settings.json", cfg->script_root,
			 strcmp(cfg->script_root, "/") ? "/" : "");
	rc = host_jsonc_load(path, SETTINGS_PREFIX, &root, err);
	if (rc == HOST_JSONC_MISSING) {
		free(path);
		return 0; /* optional; the host mentions it with --verbose */
	}
	if (rc < 0)
		goto out;
	cfg->settings.present = true;
	rc = -1;
	if (decrypt_settings(root, path, err) < 0 || read_values(cfg, root, path, err) < 0 ||
	    read_host(cfg, root, path, err) < 0 ||
	    read_connection_strings(cfg, root, path, err) < 0)
		goto out;

	for (i = 0; i < cfg->settings.n_values; i++)
		export_setting(cfg, cfg->settings.values[i].name, cfg->settings.values[i].value);
	for (i = 0; i < cfg->settings.n_connection_strings; i++) {
		var = xasprintf("ConnectionStrings:%s", cfg->settings.connection_strings[i].name);
		export_setting(cfg, var, cfg->settings.connection_strings[i].value);
		free(var);
	}
	rc = 0;
out:
	json_decref(root);
	free(path);
	return rc;
}

void host_config_export_cli_env(struct host_config *cfg, int port)
{
	const char *env = getenv("AZURE_FUNCTIONS_ENVIRONMENT");
	char hostname[32];

	snprintf(hostname, sizeof(hostname), "localhost:%d", port);
	setenv("WEBSITE_HOSTNAME", hostname, 1);
	/* Forced, as func does: apps and extensions branch on Development. */
	if (env && *env && strcmp(env, "Development") != 0)
		host_config_warn(cfg,
				 "AZURE_FUNCTIONS_ENVIRONMENT already exists with value '%s', "
				 "overriding to 'Development'.",
				 env);
	setenv("AZURE_FUNCTIONS_ENVIRONMENT", "Development", 1);
	setenv("AzureWebJobsScriptRoot", cfg->script_root, 1);
}
