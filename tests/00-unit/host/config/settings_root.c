/*
 * tests/00-unit/host/config/settings_root.c - local.settings.json, the
 * environment `cfunc start` exports like func, project-root discovery and
 * %Setting% resolution (fixture: config_fixture.h).
 */
#include "config_fixture.h"

static void test_local_settings(void)
{
	char *want;

	ok(load2("{\"version\": \"2.0\"}",
		 "{\"IsEncrypted\": false, // comment\n \"Values\": {\"CF_T_A\": \"1\", "
		 "\"CF_T_EMPTY\": \"\", \"\": \"x\", \"CF_T_NULL\": null}}") == 0,
	   "local.settings.json loads");
	ok(cfg.settings.present, "present");
	is_str(getenv("CF_T_A"), "1", "value exported");
	is_str(getenv("CF_T_EMPTY"), "", "\"\" exported as empty");
	ok(getenv("CF_T_NULL") == NULL, "null not exported");
	is_int(cfg.settings.n_values, 2, "two values kept");
	is_str(cfg.settings.values[0].name, "CF_T_A", "values in file order");
	ok(has_warning("Skipping local setting with an empty name."), "empty key warned");
	ok(has_warning("Skipping 'CF_T_NULL' from local settings as its value is null."),
	   "null value warned");
	reset_env();

	setenv("CF_T_REAL", "real", 1);
	setenv("CF_T_E2", "", 1);
	ok(load2("{\"version\": \"2.0\"}",
		 "{\"Values\": {\"CF_T_REAL\": \"file\", \"CF_T_E2\": \"file2\"}}") == 0,
	   "no IsEncrypted: read as plain (deliberate difference)");
	is_str(getenv("CF_T_REAL"), "real", "real environment wins");
	ok(has_warning("Skipping 'CF_T_REAL' from local settings as it's already defined in "
		       "current environment variables."),
	   "exact skip warning");
	is_str(getenv("CF_T_E2"), "file2", "an empty real variable is overwritten");
	is_int(cfg.n_warnings, 1, "no warning for the empty one");
	reset_env();

	setenv("CFUNC_SECRETS_DIR", "/nonexistent/x", 1);
	{
		const char *msg = fails(load2("{\"version\": \"2.0\"}",
					      "{\"IsEncrypted\": true, \"Values\": {\"CF_T_X\": \"1\"}}"));
		ok(msg && strncmp(msg, "Failed to decrypt settings. Encrypted settings only be edited "
				       "through 'cfunc settings add'.", 88) == 0,
		   "IsEncrypted true without the settings key");
	}
	unsetenv("CFUNC_SECRETS_DIR");
	ok(getenv("CF_T_X") == NULL, "nothing exported from an encrypted file");
	ok(load2("{\"version\": \"2.0\"}", "{\"IsEncrypted\": \"maybe\"}") < 0,
	   "IsEncrypted must be a bool");

	want = xasprintf("local settings file '%s/local.settings.json': the value of 'CF_T_X' in "
			 "Values must be a string, not 5",
			 root);
	is_str(fails(load2("{\"version\": \"2.0\"}", "{\"Values\": {\"CF_T_X\": 5}}")), want,
	       "non-string value names the key");
	free(want);
	ok(load2("{\"version\": \"2.0\"}", "{\"Values\": {\"CONTAINER_NAME\": \"x\"}}") < 0 &&
		   strstr(err, "reserved environment variable"),
	   "CONTAINER_NAME refused");

	ok(load2("{\"version\": \"2.0\"}",
		 "{\"Values\": {\"CF_T_Z\": \"1\"}, \"Host\": {\"LocalHttpPort\": \"bad\"}}") < 0,
	   "bad Host.LocalHttpPort");
	ok(getenv("CF_T_Z") == NULL, "a bad file exports nothing");

	want = xasprintf("Unable to parse local settings file '%s/local.settings.json': line 1, "
			 "column 30: '}' expected near '\"Values\"'",
			 root);
	is_str(fails(load2("{\"version\": \"2.0\"}", "{\"IsEncrypted\": false \"Values\": {}}")),
	       want, "broken local.settings.json: exact line and column");
	free(want);

	ok(load2("{\"version\": \"2.0\"}",
		 "{\"Host\": {\"LocalHttpPort\": 7072, \"LocalHttpAddress\": \"0.0.0.0\", \"CORS\": "
		 "\"*\", \"CORSCredentials\": true}}") == 0,
	   "Host section loads");
	is_int(cfg.settings.port, 7072, "LocalHttpPort");
	is_str(cfg.settings.address, "0.0.0.0", "LocalHttpAddress");
	is_str(cfg.settings.cors, "*", "CORS");
	is_int(cfg.settings.cors_credentials, 1, "CORSCredentials");
	ok(load2("{\"version\": \"2.0\"}", "{\"host\": {\"localhttpport\": \"8080\"}}") == 0 &&
		   cfg.settings.port == 8080 && cfg.settings.cors_credentials == -1,
	   "Host keys case-insensitive, port from a string");
	ok(load2("{\"version\": \"2.0\"}", "{\"Host\": {\"LocalHttpPort\": 70000}}") < 0,
	   "port out of range");

	ok(load2("{\"version\": \"2.0\"}",
		 "{\"ConnectionStrings\": {\"Db\": \"Server=a\", \"Db2\": {\"ConnectionString\": "
		 "\"Server=b\", \"ProviderName\": \"Npgsql\"}}}") == 0,
	   "ConnectionStrings load");
	is_int(cfg.settings.n_connection_strings, 2, "two connection strings");
	is_str(cfg.settings.connection_strings[0].provider, "System.Data.SqlClient",
	       "string form: default provider");
	is_str(cfg.settings.connection_strings[1].value, "Server=b", "object form: value");
	is_str(cfg.settings.connection_strings[1].provider, "Npgsql", "object form: provider");
	is_str(getenv("ConnectionStrings:Db"), "Server=a", "exported as ConnectionStrings:<Name>");
	is_str(getenv("ConnectionStrings:Db2"), "Server=b", "object form exported");
	reset_env();
	ok(load2("{\"version\": \"2.0\"}", "{\"ConnectionStrings\": {\"Db\": 5}}") < 0,
	   "a connection string must be a string or an object");

	ok(load2("{\"version\": \"2.0\"}", NULL) == 0 && !cfg.settings.present &&
		   cfg.n_warnings == 0,
	   "missing local.settings.json is fine");
	reset_env();
}

static void test_cli_env(void)
{
	ok(load("{\"version\": \"2.0\"}") == 0, "loaded");
	host_config_export_cli_env(&cfg, 7071);
	is_str(getenv("WEBSITE_HOSTNAME"), "localhost:7071", "WEBSITE_HOSTNAME");
	is_str(getenv("AZURE_FUNCTIONS_ENVIRONMENT"), "Development", "AZURE_FUNCTIONS_ENVIRONMENT");
	is_str(getenv("AzureWebJobsScriptRoot"), root, "AzureWebJobsScriptRoot");
	is_int(cfg.n_warnings, 0, "no warning when unset");
	host_config_export_cli_env(&cfg, 8080);
	is_int(cfg.n_warnings, 0, "no warning when already Development");
	setenv("AZURE_FUNCTIONS_ENVIRONMENT", "Production", 1);
	host_config_export_cli_env(&cfg, 8080);
	ok(has_warning("AZURE_FUNCTIONS_ENVIRONMENT already exists with value 'Production', "
		       "overriding to 'Development'."),
	   "warning when it held something else");
	is_str(getenv("AZURE_FUNCTIONS_ENVIRONMENT"), "Development", "forced to Development");
	reset_env();
}

static void test_find_root(void)
{
	char *sub = xasprintf("%s/proj", root), *deep = xasprintf("%s/proj/a/b", root);
	char *lone = xasprintf("%s/lone", root), *want, *found = NULL;
	char *a = xasprintf("%s/proj/a", root), *hj = xasprintf("%s/proj/host.json", root);
	FILE *f;

	mkdir(sub, 0700);
	mkdir(a, 0700);
	mkdir(deep, 0700);
	mkdir(lone, 0700);
	f = fopen(hj, "w");
	fputs("{\"version\": \"2.0\"}", f);
	fclose(f);

	ok(host_config_find_root(deep, &found, &err) == 0, "found from two levels down");
	is_str(found, sub, "the nearest directory with host.json");
	free(found);
	found = NULL;
	ok(host_config_find_root(sub, &found, &err) == 0 && strcmp(found, sub) == 0,
	   "found in the start directory");
	free(found);
	found = NULL;

	/* Our temp dir holds host.json from other tests: remove it for this one. */
	put("host.json", NULL);
	if (access("/tmp/host.json", F_OK) == 0 || access("/host.json", F_OK) == 0) {
		ok(1, "# skip: a host.json above the temp dir");
	} else {
		free(err);
		err = NULL;
		ok(host_config_find_root(lone, &found, &err) < 0 && found == NULL, "none found");
		is_str(err,
		       "Unable to find project root. Expecting to find one of host.json, "
		       "local.settings.json in project root.",
		       "the spec's text");
	}
	free(err);
	err = NULL;
	want = xasprintf("%s/nope", root);
	ok(host_config_find_root(want, &found, &err) < 0 && strstr(err, "cannot resolve"),
	   "a missing start directory");
	free(want);
	free(err);
	err = NULL;

	/* A folder with local.settings.json only: a root for `cfunc settings`
	 * (either marker), not for `cfunc start` (host.json). */
	{
		static const char *const either[] = {"host.json", "local.settings.json", NULL};
		char *ls = xasprintf("%s/local.settings.json", a);
		f = fopen(ls, "w");
		fputs("{}", f);
		fclose(f);
		ok(host_config_find_root(deep, &found, &err) == 0 && strcmp(found, sub) == 0,
		   "host.json only: local.settings.json alone is passed by");
		free(found);
		found = NULL;
		ok(host_config_find_root_of(deep, either, &found, &err) == 0 && strcmp(found, a) == 0,
		   "either marker: the nearer folder with local.settings.json");
		free(found);
		found = NULL;
		unlink(ls);
		free(ls);
	}

	unlink(hj);
	rmdir(deep);
	rmdir(a);
	rmdir(sub);
	rmdir(lone);
	free(sub);
	free(deep);
	free(lone);
	free(a);
	free(hj);
}

static void test_resolve_setting(void)
{
	const char *plain = "plain";

	setenv("CF_T_S", "value", 1);
	is_str(host_config_resolve_setting("%CF_T_S%"), "value", "%%Name%% resolved");
	ok(host_config_resolve_setting(plain) == plain, "other text returned as is");
	is_str(host_config_resolve_setting("x%CF_T_S%"), "x%CF_T_S%", "not the whole string");
	is_str(host_config_resolve_setting("%CF_T_S%%CF_T_S%"), "%CF_T_S%%CF_T_S%",
	       "two settings are a literal");
	is_str(host_config_resolve_setting("%%"), "%%", "%%%% is a literal");
	unsetenv("CF_T_S");
	ok(host_config_resolve_setting("%CF_T_S%") == NULL, "unset -> NULL");
}

int main(void)
{
	if (fixture_begin() != 0)
		return 2;

	subtest("local.settings.json", test_local_settings);
	subtest("CLI environment", test_cli_env);
	subtest("project root", test_find_root);
	subtest("%Setting% resolution", test_resolve_setting);

	fixture_end();
	return done_testing();
}
