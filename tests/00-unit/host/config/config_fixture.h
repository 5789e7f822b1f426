/*
 * config_fixture.h - what the host-config unit tests share: a mkdtemp()
 * project directory, host.json / local.settings.json written into it and
 * loaded, and reset_env(), which removes every environment variable a test
 * sets so tests do not leak into each other. Included by one test program
 * each (config.c, settings_root.c); everything here is static to it.
 */
#ifndef CFUNC_TEST_CONFIG_FIXTURE_H
#define CFUNC_TEST_CONFIG_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/config/config.h"
#include "tap.h"
#include "common/xalloc.h"

static char tmpdir[] = "/tmp/cfunc-config-XXXXXX";
static char *root;          /* realpath of tmpdir */
static struct host_config cfg;
static char *err;

/* Variables the tests set; reset_env() also clears AzureFunctionsJobHost*. */
static const char *const test_vars[] = {
	"WEBSITE_SITE_NAME", "MyHubSetting", "CF_T_A", "CF_T_EMPTY", "CF_T_NULL", "CF_T_REAL",
	"CF_T_E2", "CF_T_X", "CF_T_Z", "CF_T_S", "ConnectionStrings:Db", "ConnectionStrings:Db2",
	"AZURE_FUNCTIONS_ENVIRONMENT", "WEBSITE_HOSTNAME", "AzureWebJobsScriptRoot", "HubFromFile",
};

static void reset_env(void)
{
	char *names[256];
	size_t n = 0, i;

	for (i = 0; i < sizeof(test_vars) / sizeof(test_vars[0]); i++)
		unsetenv(test_vars[i]);
	/* Collect first: unsetenv() reshuffles environ. */
	for (i = 0; environ[i] && n < 256; i++)
		if (strncasecmp(environ[i], "AzureFunctionsJobHost", 21) == 0)
			names[n++] = xstrndup(environ[i], strcspn(environ[i], "="));
	for (i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
}

static void put(const char *name, const char *content)
{
	char *path = xasprintf("%s/%s", root, name);
	FILE *f;

	if (!content) {
		unlink(path);
		free(path);
		return;
	}
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	free(path);
}

/* Writes host.json (and removes local.settings.json unless `settings`), then loads. */
static int load2(const char *host_json, const char *settings)
{
	put("host.json", host_json);
	put("local.settings.json", settings);
	host_config_free(&cfg);
	free(err);
	err = NULL;
	return host_config_load(&cfg, root, &err);
}

static int load(const char *host_json)
{
	return load2(host_json, NULL);
}

/* The error of a load expected to fail, or "(loaded)". */
static const char *fails(int rc)
{
	return rc < 0 ? err : "(loaded)";
}

static int has_warning(const char *text)
{
	size_t i;

	for (i = 0; i < cfg.n_warnings; i++)
		if (strcmp(cfg.warnings[i], text) == 0)
			return 1;
	return 0;
}

/* Makes the project directory; 0 or -1 (perror said why). */
static int fixture_begin(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return -1;
	}
	root = realpath(tmpdir, NULL);
	reset_env();
	return 0;
}

/* Frees the last load and removes the project directory. */
static void fixture_end(void)
{
	char *path;

	host_config_free(&cfg);
	free(err);
	put("host.json", NULL);
	put("local.settings.json", NULL);
	path = xstrdup(root);
	if (rmdir(path) != 0)
		perror(path);
	free(path);
	free(root);
}

#endif
