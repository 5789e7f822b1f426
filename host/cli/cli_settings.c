/*
 * cli_settings.c - `cfunc settings list|add|delete|encrypt|decrypt`
 * (spec functions-host.md §3), on <app root>/local.settings.json.
 *
 * The file is read with the host's comment-tolerant loader and written back
 * whole: indented with two spaces, members in their original order (unknown
 * members kept), comments dropped (func drops them too), atomically (temp
 * file, fsync, rename) with the old file's mode, 0600 for a new file.
 *
 * Encryption is cfunc's own (keys.h: libsodium secretbox, key outside the
 * app folder); it cannot read or write func's Data-Protection values.
 * Differences from func: a missing IsEncrypted means false (so `add` on a new
 * file writes plain values); `list` without -a needs no key; `delete
 * --connectionString` deletes a connection string (func ignores the flag).
 */
#include "host/cli/cli_args.h"
#include "host/config/config.h"
#include "host/keys/keys.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "host/config/jsonc.h"
#include "common/file_atomic.h"
#include "common/xalloc.h"

#define SETTINGS_FILE "local.settings.json"
#define DEFAULT_PROVIDER "System.Data.SqlClient"

struct settings_cli {
	const char *cmd;
	const char *name;
	const char *value;
	const char *script_root;
	int connection_string;
	int show;
};

struct doc {
	char *root;
	char *path;
	json_t *json;
	int exists;
	int encrypted;
	unsigned mode;
};

static void settings_usage(FILE *out)
{
	fprintf(out,
		"usage: cfunc settings list [-a|--showValue]\n"
		"       cfunc settings add <name> [value] [--connectionString]\n"
		"       cfunc settings delete|remove <name> [--connectionString]\n"
		"       cfunc settings encrypt\n"
		"       cfunc settings decrypt\n"
		"\n"
		"Works on local.settings.json in the app root (the nearest folder upwards with\n"
		"host.json or local.settings.json, or --script-root <dir>). add without a value\n"
		"reads it from standard input (hidden on a terminal). Encrypted files use\n"
		"cfunc's own format (libsodium secretbox; key in $CFUNC_SECRETS_DIR, else\n"
		"$XDG_CONFIG_HOME/cfunc, else ~/.config/cfunc: settings.key), which is not\n"
		"interchangeable with func's.\n");
}

static int parse(int argc, char **argv, struct settings_cli *c)
{
	const struct host_cli_opt opts[] = {
		{"--script-root", 0, &c->script_root, NULL},
		{"--connectionString", 1, NULL, &c->connection_string},
		{"-a", 0, NULL, &c->show},
		{"--showValue", 1, NULL, &c->show},
		{NULL, 0, NULL, NULL},
	};
	const char **pos[] = {&c->cmd, &c->name, &c->value};

	if (host_cli_parse(argc, argv, opts, pos, 3, settings_usage) < 0)
		return -1;
	if (!c->cmd) {
		fprintf(stderr, "cfunc: missing settings command\n");
		return -1;
	}
	return 0;
}

/* func looks for either file upwards (spec §1). */
static char *find_root(const char *script_root)
{
	static const char *const markers[] = {"host.json", SETTINGS_FILE, NULL};
	char cwd[PATH_MAX], *dir, *root = NULL, *err = NULL;

	if (script_root) {
		dir = realpath(script_root, NULL);
		if (!dir)
			fprintf(stderr, "cfunc: cannot use --script-root '%s': %s\n", script_root,
				strerror(errno));
		return dir;
	}
	if (!getcwd(cwd, sizeof(cwd)) || !(dir = realpath(cwd, NULL))) {
		fprintf(stderr, "cfunc: cannot read the current directory\n");
		return NULL;
	}
	if (host_config_find_root_of(dir, markers, &root, &err) != 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
	}
	free(dir);
	return root;
}

/* IsEncrypted as settings.c reads it: missing or null = false. */
static int read_flag(struct doc *d)
{
	json_t *v = host_jsonc_get(d->json, "IsEncrypted", NULL);

	d->encrypted = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v))
		d->encrypted = json_is_true(v);
	else if (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0)
		d->encrypted = 1;
	else if (!(json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0)) {
		fprintf(stderr, "cfunc: local settings file '%s': IsEncrypted must be true or "
				"false\n", d->path);
		return -1;
	}
	return 0;
}

static void set_flag(struct doc *d, int on)
{
	const char *found;
	json_t *fresh, *v;
	const char *key;

	if (host_jsonc_get(d->json, "IsEncrypted", &found)) {
		json_object_set_new(d->json, found, json_boolean(on));
	} else {
		/* func writes it first; so do we when adding it. */
		fresh = json_object();
		json_object_set_new(fresh, "IsEncrypted", json_boolean(on));
		json_object_foreach(d->json, key, v)
			json_object_set(fresh, key, v);
		json_decref(d->json);
		d->json = fresh;
	}
	d->encrypted = on;
}

static int load(struct doc *d, const struct settings_cli *c)
{
	struct stat st;
	char *err = NULL, *real;
	int rc;

	memset(d, 0, sizeof(*d));
	d->root = find_root(c->script_root);
	if (!d->root)
		return -1;
	d->path = xasprintf("%s/%s", strcmp(d->root, "/") ? d->root : "", SETTINGS_FILE);
	/* Write through a symlink to its target. */
	real = realpath(d->path, NULL);
	if (real) {
		free(d->path);
		d->path = real;
	}
	d->mode = 0600;
	rc = host_jsonc_load(d->path, "Unable to parse local settings file", &d->json, &err);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return -1;
	}
	if (rc == HOST_JSONC_MISSING) {
		d->json = json_pack("{s:b}", "IsEncrypted", 0);
		return 0;
	}
	d->exists = 1;
	if (stat(d->path, &st) == 0)
		d->mode = st.st_mode & 0777;
	return read_flag(d);
}

static void doc_cleanup(struct doc *d)
{
	json_decref(d->json);
	free(d->path);
	free(d->root);
}

static int save(struct doc *d)
{
	char *text = json_dumps(d->json, JSON_INDENT(2)), *data, *err = NULL;
	int rc;

	if (!text) {
		fprintf(stderr, "cfunc: cannot encode %s\n", d->path);
		return -1;
	}
	data = xasprintf("%s\n", text);
	rc = rt_file_write_atomic(d->path, data, strlen(data), d->mode, &err);
	if (rc < 0) {
		fprintf(stderr, "cfunc: %s\n", err);
		free(err);
	}
	sodium_memzero(text, strlen(text));
	sodium_memzero(data, strlen(data));
	free(text);
	free(data);
	return rc;
}

/* Whether `path` (or its nearest existing ancestor) lies inside `root`. */
static int inside(const char *root, const char *path)
{
	char *p = xstrdup(path), *real = NULL, *slash;
	size_t n = strlen(root);
	int in;

	while (!(real = realpath(p, NULL)) && (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	in = real && strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
	free(real);
	free(p);
	return in;
}

static int settings_key(const struct doc *d, unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES],
			int create)
{
	char *err = NULL, *path = host_keys_settings_key_path(&err);

	if (!path) {
		fprintf(stderr, "cfunc: %s\n", err);
		free(err);
		return -1;
	}
	if (create && inside(d->root, path)) {
		fprintf(stderr, "cfunc: refusing to keep the settings key '%s' inside the app "
				"folder; set CFUNC_SECRETS_DIR to a folder outside it\n", path);
		free(path);
		return -1;
	}
	free(path);
	if (host_keys_settings_key(key, create, NULL, &err) < 0) {
		fprintf(stderr, "cfunc: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

/* An object member (case-insensitive, as the host reads it); created if
 * missing or null. NULL if it is something else. */
static json_t *section(struct doc *d, const char *name)
{
	const char *found = NULL;
	json_t *o = host_jsonc_get(d->json, name, &found), *fresh;

	if (o && json_is_object(o))
		return o;
	if (o && !json_is_null(o)) {
		fprintf(stderr, "cfunc: local settings file '%s': %s must be an object\n", d->path,
			name);
		return NULL;
	}
	fresh = json_object();
	json_object_set_new(d->json, o ? found : name, fresh);
	return fresh;
}

static void print_value(json_t *v, int show)
{
	char *text;

	if (!show) {
		printf("      Value: *****\n");
	} else if (json_is_string(v)) {
		printf("      Value: %s\n", json_string_value(v));
	} else {
		text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		printf("      Value: %s\n", text ? text : "");
		free(text);
	}
}

static int cmd_list(struct doc *d, const struct settings_cli *c)
{
	json_t *shown = d->json, *values, *cs, *v;
	const char *name;
	char *err = NULL;

	if (c->show && d->encrypted) {
		shown = json_deep_copy(d->json);
		if (host_keys_settings_decrypt(shown, d->path, &err) < 0) {
			fprintf(stderr, "%s\n", err);
			free(err);
			json_decref(shown);
			return 1;
		}
	}
	values = host_jsonc_get(shown, "Values", NULL);
	cs = host_jsonc_get(shown, "ConnectionStrings", NULL);
	printf("App Settings:\n");
	if (json_is_object(values))
		json_object_foreach(values, name, v) {
			if (json_is_null(v))
				continue;
			printf("   -> Name: %s\n", name);
			print_value(v, c->show);
			printf("\n");
		}
	printf("Connection Strings:\n");
	if (json_is_object(cs))
		json_object_foreach(cs, name, v) {
			json_t *value = v, *provider = NULL;
			if (json_is_null(v))
				continue;
			if (json_is_object(v)) {
				value = host_jsonc_get(v, "ConnectionString", NULL);
				provider = host_jsonc_get(v, "ProviderName", NULL);
			}
			printf("   -> Name: %s\n", name);
			print_value(value ? value : json_null(), c->show);
			printf("      ProviderName: %s\n",
			       json_is_object(v) ? (json_is_string(provider)
							    ? json_string_value(provider)
							    : "")
						 : DEFAULT_PROVIDER);
			printf("\n");
		}
	if (shown != d->json)
		json_decref(shown);
	return 0;
}

static int cmd_add(struct doc *d, const struct settings_cli *c)
{
	unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES];
	char *secret = NULL, *sealed = NULL, *err = NULL;
	const char *value = c->value;
	json_t *obj, *copy, *old, *provider;
	int rc = 1;

	if (!c->name || !*c->name) {
		fprintf(stderr, "cfunc: Must specify setting name.\n");
		return 1;
	}
	if (!value || !*value) {
		secret = host_cli_read_secret("Please enter the value: ");
		if (!secret) {
			fprintf(stderr, "cfunc: no value given\n");
			return 1;
		}
		value = secret;
	}
	if (d->encrypted) {
		/* Adding to a file the key cannot open would only hide the problem. */
		size_t n = host_keys_settings_count(d->json);
		if (n > 0) {
			copy = json_deep_copy(d->json);
			if (host_keys_settings_decrypt(copy, d->path, &err) < 0) {
				fprintf(stderr, "%s\n", err);
				free(err);
				json_decref(copy);
				goto out;
			}
			json_decref(copy);
		}
		if (settings_key(d, key, n == 0) < 0)
			goto out;
		if (*value)
			value = sealed = host_keys_seal(key, value);
		sodium_memzero(key, sizeof(key));
	}
	obj = section(d, c->connection_string ? "ConnectionStrings" : "Values");
	if (!obj)
		goto out;
	if (c->connection_string) {
		old = json_object_get(obj, c->name);
		provider = json_is_object(old) ? host_jsonc_get(old, "ProviderName", NULL) : NULL;
		json_object_set_new(obj, c->name,
				    json_pack("{s:s, s:s}", "ConnectionString", value, "ProviderName",
					      json_is_string(provider) ? json_string_value(provider)
								       : DEFAULT_PROVIDER));
	} else {
		json_object_set_new(obj, c->name, json_string(value));
	}
	rc = save(d) < 0 ? 1 : 0;
out:
	if (secret) {
		sodium_memzero(secret, strlen(secret));
		free(secret);
	}
	free(sealed);
	return rc;
}

static int cmd_delete(struct doc *d, const struct settings_cli *c)
{
	const char *what = c->connection_string ? "ConnectionStrings" : "Values";
	json_t *obj = host_jsonc_get(d->json, what, NULL);

	if (!c->name || !*c->name) {
		fprintf(stderr, "cfunc: Must specify setting name.\n");
		return 1;
	}
	if (!json_is_object(obj) || json_object_del(obj, c->name) < 0) {
		/* func says nothing; a hint costs nothing. */
		fprintf(stderr, "cfunc: '%s' is not in %s of '%s'\n", c->name, what, d->path);
		return 0;
	}
	return save(d) < 0 ? 1 : 0;
}

static int cmd_encrypt(struct doc *d)
{
	unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES];

	if (d->encrypted)
		return 0;
	if (settings_key(d, key, 1) < 0)
		return 1;
	host_keys_settings_encrypt(d->json, key);
	sodium_memzero(key, sizeof(key));
	set_flag(d, 1);
	return save(d) < 0 ? 1 : 0;
}

static int cmd_decrypt(struct doc *d)
{
	char *err = NULL;

	if (!d->encrypted)
		return 0;
	if (host_keys_settings_decrypt(d->json, d->path, &err) < 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return 1;
	}
	set_flag(d, 0);
	return save(d) < 0 ? 1 : 0;
}

int host_cli_settings(int argc, char **argv)
{
	struct settings_cli c = {0};
	struct doc d;
	int rc;

	if (parse(argc, argv, &c) < 0) {
		settings_usage(stderr);
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "cfunc: cannot initialise libsodium\n");
		return 1;
	}
	if (strcmp(c.cmd, "list") != 0 && strcmp(c.cmd, "add") != 0 &&
	    strcmp(c.cmd, "delete") != 0 && strcmp(c.cmd, "remove") != 0 &&
	    strcmp(c.cmd, "encrypt") != 0 && strcmp(c.cmd, "decrypt") != 0) {
		fprintf(stderr, "cfunc: unknown settings command '%s'\n", c.cmd);
		settings_usage(stderr);
		return 1;
	}
	if (load(&d, &c) < 0) {
		doc_cleanup(&d);
		return 1;
	}
	if (strcmp(c.cmd, "list") == 0)
		rc = cmd_list(&d, &c);
	else if (strcmp(c.cmd, "add") == 0)
		rc = cmd_add(&d, &c);
	else if (strcmp(c.cmd, "encrypt") == 0)
		rc = cmd_encrypt(&d);
	else if (strcmp(c.cmd, "decrypt") == 0)
		rc = cmd_decrypt(&d);
	else
		rc = cmd_delete(&d, &c);
	doc_cleanup(&d);
	return rc;
}
