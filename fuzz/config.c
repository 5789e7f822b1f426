/*
 * fuzz/config.c - libFuzzer target for host/config/config.h (host_config_load).
 *
 * The input becomes the files of a script root created once under /tmp:
 *   - input not starting with 's': the whole input is host.json and there
 *     is no local.settings.json;
 *   - 's' <settings> [ '\0' <host.json> ]: local.settings.json, and host.json
 *     after the first NUL byte (a minimal valid one when there is none).
 * host_config_load() then reads them like the host does at start-up
 * (local.settings.json exported into the environment first, host.json read
 * through AzureFunctionsJobHost__* overrides), and the config is freed.
 *
 * Nothing leaks from one input to the next: the environment is snapshotted
 * once and restored after every input (what local.settings.json exported is
 * unset again), the settings key lives in the temporary folder (a fixed key,
 * so seeds with encrypted values decrypt), and the folder is removed at exit.
 *
 * Invariants: 0 without an error, or -1 with a one-line error; the loaded
 * config is consistent (counts match arrays, every string readable, the
 * script root is the folder), and the helpers that read it answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern char **environ;

/* base64 of 32 fixed bytes (0x00..0x1f): seeds sealed with it decrypt. */
#define FUZZ_SETTINGS_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
#define MIN_HOST_JSON "{\"version\":\"2.0\"}"

static char root[64];
static char *root_real; /* what cfg->script_root must be */
static char host_path[128], settings_path[128], key_dir[128], key_path[160];
static char **env_snapshot;
static size_t env_count;

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror(path);
			abort();
		}
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	close(fd);
}

static void remove_root(void)
{
	unlink(host_path);
	unlink(settings_path);
	unlink(key_path);
	rmdir(key_dir);
	rmdir(root);
}

static void setup(void)
{
	strcpy(root, "/tmp/cfunc-fuzz-config.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		abort();
	}
	root_real = realpath(root, NULL);
	if (!root_real)
		abort();
	snprintf(host_path, sizeof(host_path), "%s/host.json", root);
	snprintf(settings_path, sizeof(settings_path), "%s/local.settings.json", root);
	snprintf(key_dir, sizeof(key_dir), "%s/secrets", root);
	snprintf(key_path, sizeof(key_path), "%s/settings.key", key_dir);
	if (mkdir(key_dir, 0700) < 0) {
		perror(key_dir);
		abort();
	}
	write_file(key_path, FUZZ_SETTINGS_KEY, strlen(FUZZ_SETTINGS_KEY), 0600);
	atexit(remove_root);
	/* The settings key is looked up here, never in the user's HOME. */
	setenv("CFUNC_SECRETS_DIR", key_dir, 1);

	for (env_count = 0; environ[env_count]; env_count++)
		;
	env_snapshot = calloc(env_count + 1, sizeof(*env_snapshot));
	for (size_t i = 0; i < env_count; i++)
		env_snapshot[i] = strdup(environ[i]);
}

/* Puts the environment back as it was after setup(). */
static void restore_env(void)
{
	size_t n = 0, i;
	char **names;

	for (n = 0; environ[n]; n++)
		;
	names = calloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		names[i] = strndup(environ[i], eq ? (size_t)(eq - environ[i]) : strlen(environ[i]));
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		int known = 0;
		for (size_t j = 0; j < env_count && !known; j++)
			known = strncmp(env_snapshot[j], names[i], len) == 0 &&
				env_snapshot[j][len] == '=';
		if (!known)
			unsetenv(names[i]);
		free(names[i]);
	}
	free(names);
	for (i = 0; i < env_count; i++) {
		const char *eq = strchr(env_snapshot[i], '=');
		char *name;
		const char *cur;
		if (!eq)
			continue;
		name = strndup(env_snapshot[i], (size_t)(eq - env_snapshot[i]));
		cur = getenv(name);
		if (!cur || strcmp(cur, eq + 1) != 0)
			setenv(name, eq + 1, 1);
		free(name);
	}
}

static void touch_str(const char *s)
{
	if (s)
		(void)strlen(s);
}

static void check_config(const struct host_config *cfg)
{
	if (!cfg->script_root || strcmp(cfg->script_root, root_real) != 0)
		abort();
	for (size_t i = 0; i < cfg->n_log_rules; i++)
		if (!cfg->log_rules[i].category || cfg->log_rules[i].level < 0 ||
		    cfg->log_rules[i].level > HOST_CONFIG_LOG_NONE)
			abort();
	for (size_t i = 0; i < cfg->n_functions; i++)
		touch_str(cfg->functions[i]);
	if (!cfg->http.route_prefix)
		abort();
	{
		size_t n = strlen(cfg->http.route_prefix);
		if (n && (cfg->http.route_prefix[0] == '/' || cfg->http.route_prefix[n - 1] == '/'))
			abort();
	}
	for (size_t i = 0; i < cfg->http.n_custom_headers; i++) {
		touch_str(cfg->http.custom_headers[i].name);
		touch_str(cfg->http.custom_headers[i].value);
	}
	touch_str(cfg->durable.hub_name);
	touch_str(cfg->durable.storage_type);
	touch_str(cfg->durable.storage_path);
	touch_str(cfg->durable.storage_synchronous);
	for (size_t i = 0; i < cfg->n_apps; i++)
		if (!cfg->apps[i] || cfg->apps[i][0] != '/')
			abort();
	for (size_t i = 0; i < cfg->settings.n_values; i++) {
		if (!cfg->settings.values[i].name || !cfg->settings.values[i].value)
			abort();
	}
	for (size_t i = 0; i < cfg->settings.n_connection_strings; i++) {
		touch_str(cfg->settings.connection_strings[i].name);
		touch_str(cfg->settings.connection_strings[i].value);
		touch_str(cfg->settings.connection_strings[i].provider);
	}
	touch_str(cfg->settings.address);
	touch_str(cfg->settings.cors);
	for (size_t i = 0; i < cfg->n_warnings; i++)
		if (!cfg->warnings[i] || strchr(cfg->warnings[i], '\n'))
			abort();
	/* The readers of a loaded config. */
	int lv = host_config_log_level(cfg, "Function.hello.User");
	if (lv < -1 || lv > HOST_CONFIG_LOG_NONE)
		abort();
	lv = host_config_log_level(cfg, "Host.Results");
	if (lv < -1 || lv > HOST_CONFIG_LOG_NONE)
		abort();
	(void)host_config_function_selected(cfg, "hello");
	if (cfg->n_functions)
		(void)host_config_function_selected(cfg, cfg->functions[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct host_config cfg;
	char *err = NULL;
	int rc;

	if (!init) {
		setup();
		init = 1;
	}
	if (size > 0 && data[0] == 's') {
		const uint8_t *nul = memchr(data + 1, '\0', size - 1);
		size_t slen = nul ? (size_t)(nul - data - 1) : size - 1;
		write_file(settings_path, data + 1, slen, 0600);
		if (nul)
			write_file(host_path, nul + 1, size - 1 - slen - 1, 0600);
		else
			write_file(host_path, MIN_HOST_JSON, strlen(MIN_HOST_JSON), 0600);
	} else {
		unlink(settings_path);
		write_file(host_path, data, size, 0600);
	}

	rc = host_config_load(&cfg, root, &err);
	if (rc == 0) {
		if (err)
			abort();
		check_config(&cfg);
	} else {
		if (rc != -1 || !err || strchr(err, '\n'))
			abort();
		free(err);
	}
	host_config_free(&cfg);
	restore_env();
	return 0;
}
