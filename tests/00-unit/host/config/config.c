/*
 * tests/00-unit/host/config/config.c - host.json and environment overrides
 * (local.settings.json, the CLI environment and project discovery are in
 * settings_root.c; the shared fixture is config_fixture.h).
 */
#include "config_fixture.h"

static int cores;

static void test_defaults(void)
{
	char *want;

	ok(load("{\"version\": \"2.0\"}") == 0, "minimal host.json loads");
	is_str(cfg.script_root, root, "script root is absolute");
	is_int(cfg.function_timeout_ms, 30 * 60 * 1000, "functionTimeout 00:30:00");
	is_int(cfg.n_log_rules, 0, "no log rules");
	is_int(cfg.log_default, -1, "no default log level");
	is_int(host_config_log_level(&cfg, "Host.Startup"), -1, "log level: built-in default");
	ok(cfg.functions == NULL, "no functions filter");
	ok(host_config_function_selected(&cfg, "anything"), "every function selected");
	is_str(cfg.http.route_prefix, "api", "routePrefix api");
	is_int(cfg.http.n_custom_headers, 0, "no custom headers");
	is_int(cfg.http.max_outstanding_requests, -1, "maxOutstandingRequests -1");
	is_int(cfg.http.max_concurrent_requests, -1, "maxConcurrentRequests -1");
	is_str(cfg.durable.hub_name, "TestHubName", "hubName TestHubName");
	is_int(cfg.durable.max_concurrent_activities, 10 * cores, "activities 10 x cores");
	is_int(cfg.durable.max_concurrent_orchestrators, 10 * cores, "orchestrators 10 x cores");
	is_str(cfg.durable.storage_type, "sqlite", "storage type sqlite");
	want = xasprintf("%s/.cfunc/TestHubName.db", root);
	is_str(cfg.durable.storage_path, want, "storage path .cfunc/<hub>.db");
	free(want);
	is_str(cfg.durable.storage_synchronous, "ACKNOWLEDGED", "synchronous ACKNOWLEDGED");
	is_int(cfg.durable.max_dequeue_count, 5, "maxDequeueCount 5");
	is_int(cfg.durable.overridable_existing_instance_states, HOST_CONFIG_NON_RUNNING_STATES,
	       "overridable states NonRunningStates");
	is_int(cfg.durable.max_orchestration_actions, 100000, "maxOrchestrationActions");
	ok(!cfg.durable.store_inputs_in_history, "storeInputsInOrchestrationHistory false");
	is_int(cfg.durable.max_entity_operation_batch, 5000, "maxEntityOperationBatchSize 5000");
	ok(cfg.durable.rollback_entity_operations, "rollbackEntityOperationsOnExceptions true");
	is_int(cfg.n_apps, 1, "one app path");
	want = xasprintf("%s/apps", root);
	is_str(cfg.apps[0], want, "apps default <root>/apps");
	free(want);
	is_int(cfg.limits.max_request_body_bytes, 104857600, "maxRequestBodyBytes");
	is_int(cfg.limits.max_request_line_bytes, 8192, "maxRequestLineBytes");
	is_int(cfg.limits.max_header_bytes, 32768, "maxHeaderBytes");
	is_int(cfg.limits.max_header_count, 100, "maxHeaderCount");
	is_int(cfg.limits.max_connections, 1024, "maxConnections");
	is_int(cfg.limits.max_connections_per_client, 256, "maxConnectionsPerClient");
	is_int(cfg.limits.max_in_flight_bytes, 268435456, "maxInFlightBytes");
	is_int(cfg.workers, 2 * cores < 2 ? 2 : 2 * cores, "workers 2 x cores");
	is_int(cfg.episode_workers, 2, "episodeWorkers 2");
	ok(!cfg.settings.present, "no local.settings.json");
	is_int(cfg.settings.port, 0, "no LocalHttpPort");
	is_int(cfg.settings.cors_credentials, -1, "no CORSCredentials");
	is_int(cfg.n_warnings, 0, "no warnings");
}

static void test_comments_and_case(void)
{
	int rc = load("// generated\n{\n  \"VERSION\": \"2.0\", /* block */\n"
		      "  \"FunctionTimeout\": \"00:05:00\",\n"
		      "  \"Extensions\": { \"HTTP\": { \"RoutePrefix\": \"v1\" },\n"
		      "    \"DurableTask\": { \"HUBNAME\": \"MyHub\", \"StorageProvider\": "
		      "{ \"TYPE\": \"SQLITE\" } } },\n"
		      "  \"extensionBundle\": { \"id\": \"Microsoft.Azure.Functions.ExtensionBundle\", "
		      "\"version\": \"[4.*, 5.0.0)\" },\n"
		      "  \"healthMonitor\": { \"enabled\": true }, \"watchDirectories\": [\"x\"]\n}\n");

	is_str(fails(rc), "(loaded)", "comments, upper-case keys and unknown keys");
	is_int(cfg.function_timeout_ms, 5 * 60 * 1000, "FunctionTimeout read");
	is_str(cfg.http.route_prefix, "v1", "Extensions.HTTP.RoutePrefix read");
	is_str(cfg.durable.hub_name, "MyHub", "HUBNAME read");
	is_str(cfg.durable.storage_type, "sqlite", "type normalised to sqlite");
}

static void test_version(void)
{
	is_str(fails(load("{\"functions\": []}")),
	       "The host.json file is missing the required 'version' property. See "
	       "https://aka.ms/functions-hostjson for steps to migrate the configuration file.",
	       "missing version");
	is_str(fails(load("{\"version\": \"\"}")),
	       "The host.json file is missing the required 'version' property. See "
	       "https://aka.ms/functions-hostjson for steps to migrate the configuration file.",
	       "empty version counts as missing");
	is_str(fails(load("{\"version\": \"4.0\"}")),
	       "'4.0' is an invalid value for host.json 'version' property. We recommend you set "
	       "the 'version' property to '2.0'. See https://aka.ms/functions-hostjson for more "
	       "information on this configuration file.",
	       "version 4.0");
	is_str(fails(load("{\"version\": \"3.0\"}")),
	       "'3.0' is an invalid value for host.json 'version' property. We recommend you set "
	       "the 'version' property to '2.0'. This does not correspond to the function "
	       "runtime version, only to the schema version of the host.json file. See "
	       "https://aka.ms/functions-hostjson for more information on this configuration "
	       "file.",
	       "version 3.0 explains itself");
	ok(load("{\"version\": 2.0}") < 0 && strncmp(err, "'2.0' is an invalid value", 25) == 0,
	   "a number is not the string \"2.0\"");
	setenv("AzureFunctionsJobHost__version", "3.0", 1);
	is_str(fails(load("{\"version\": \"2.0\"}")), "(loaded)",
	       "version is checked on the file, not overridden");
	reset_env();
	ok(load("{}") == 0, "{} loads with the defaults");
	ok(has_warning("Empty host configuration file found. Using the default configuration "
		       "(version 2.0)."),
	   "{} gives a warning");
}

static void test_broken_json(void)
{
	char *want;

	want = xasprintf("Unable to parse host configuration file '%s/host.json': line 3, column "
			 "22: invalid token near '0'",
			 root);
	is_str(fails(load("{\n  \"version\": \"2.0\",\n  \"functionTimeout\": 00:05:00\n}")), want,
	       "broken host.json: exact line and column");
	free(want);
	want = xasprintf("Unable to parse host configuration file '%s/host.json': line 1, column "
			 "18: string or '}' expected near '}'",
			 root);
	is_str(fails(load("{\"version\":\"2.0\",}")), want, "trailing comma");
	free(want);
	want = xasprintf("Unable to parse host configuration file '%s/host.json': line 1, column "
			 "1: the top-level value must be an object",
			 root);
	is_str(fails(load("[]")), want, "top-level array");
	free(want);
	put("host.json", NULL);
	host_config_free(&cfg);
	free(err);
	ok(host_config_load(&cfg, root, &err) < 0 && strstr(err, "No such file"),
	   "missing host.json is an error");
}

static void test_env_overrides(void)
{
	setenv("AzureFunctionsJobHost__extensions__durableTask__hubName", "Hub2", 1);
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": \"Hub1\"}}}") ==
		   0,
	   "scalar override loads");
	is_str(cfg.durable.hub_name, "Hub2", "env beats host.json (spec example)");
	reset_env();

	setenv("AzureFunctionsJobHost__extensions__http__routePrefix", "x", 1);
	setenv("AzureFunctionsJobHost__cfunc__limits__maxHeaderCount", "7", 1);
	ok(load("{\"version\": \"2.0\"}") == 0, "overrides create missing objects");
	is_str(cfg.http.route_prefix, "x", "new nested key");
	is_int(cfg.limits.max_header_count, 7, "new key three levels down, string -> int");
	reset_env();

	setenv("azurefunctionsjobhost__EXTENSIONS__Http__ROUTEPREFIX", "y", 1);
	ok(load("{\"version\": \"2.0\", \"Extensions\": {\"http\": {\"routePrefix\": \"api\"}}}") ==
		   0,
	   "case-insensitive prefix and segments load");
	is_str(cfg.http.route_prefix, "y", "case-insensitive segments replace the existing key");
	reset_env();

	setenv("AzureFunctionsJobHost__functions__0", "hello", 1);
	ok(load("{\"version\": \"2.0\", \"functions\": [\"a\", \"b\"]}") == 0, "array index");
	is_int(cfg.n_functions, 2, "array keeps its length");
	is_str(cfg.functions[0], "hello", "index 0 replaced");
	is_str(cfg.functions[1], "b", "index 1 kept");
	ok(load("{\"version\": \"2.0\"}") == 0 && cfg.n_functions == 1 &&
		   strcmp(cfg.functions[0], "hello") == 0,
	   "array created from nothing (like --functions)");
	reset_env();

	setenv("AzureFunctionsJobHost__functions__1", "second", 1);
	ok(load("{\"version\": \"2.0\"}") == 0 && cfg.n_functions == 1 &&
		   strcmp(cfg.functions[0], "second") == 0,
	   "a gap in the indices is skipped");
	reset_env();

	setenv("AzureFunctionsJobHost__extensions__durableTask__storeInputsInOrchestrationHistory",
	       "True", 1);
	setenv("AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions", "7",
	       1);
	setenv("AzureFunctionsJobHost__functionTimeout", "00:00:10", 1);
	setenv("AzureFunctionsJobHost__logging__logLevel__Function", "Warning", 1);
	setenv("AzureFunctionsJobHost:cfunc:workers", "3", 1);
	ok(load("{\"version\": \"2.0\", \"functionTimeout\": \"00:10:00\"}") == 0,
	   "typed values from strings");
	ok(cfg.durable.store_inputs_in_history, "bool from \"True\"");
	is_int(cfg.durable.max_concurrent_activities, 7, "int from \"7\"");
	is_int(cfg.function_timeout_ms, 10000, "timespan from the environment");
	is_int(host_config_log_level(&cfg, "Function.x"), 3, "log level from the environment");
	is_int(cfg.workers, 3, "':' separates segments too");
	reset_env();

	setenv("AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions",
	       "abc", 1);
	is_str(fails(load("{\"version\": \"2.0\"}")),
	       "host.json setting 'extensions.durableTask.maxConcurrentActivityFunctions' must be "
	       "an integer, not 'abc'",
	       "a bad value from the environment names the setting");
	reset_env();

	setenv("AzureFunctionsJobHost__extensions", "flat", 1);
	setenv("AzureFunctionsJobHost__functions__x", "1", 1);
	setenv("AzureFunctionsJobHost____a", "1", 1);
	ok(load("{\"version\": \"2.0\", \"functions\": [\"f\"], \"extensions\": {\"http\": "
		"{\"routePrefix\": \"kept\"}}}") == 0,
	   "unusable overrides are skipped");
	is_str(cfg.http.route_prefix, "kept", "a section is not replaced by a value");
	is_int(cfg.n_warnings, 3, "one warning each");
	ok(has_warning("Ignoring environment variable 'AzureFunctionsJobHost__extensions': that "
		       "host.json setting is an object or array, not a single value."),
	   "warning for a section");
	ok(has_warning("Ignoring environment variable 'AzureFunctionsJobHost__functions__x': 'x' "
		       "is not an array index below 1024."),
	   "warning for a bad index");
	ok(has_warning("Ignoring environment variable 'AzureFunctionsJobHost____a': its name is "
		       "not a host.json path."),
	   "warning for an empty segment");
	reset_env();
}

static void test_log_levels(void)
{
	is_int(host_config_parse_log_level("information"), 2, "level names are case-insensitive");
	is_int(host_config_parse_log_level("NONE"), HOST_CONFIG_LOG_NONE, "None = 6");
	is_int(host_config_parse_log_level("4"), 4, "numeric level");
	is_int(host_config_parse_log_level("Info"), -1, "unknown level");

	ok(load("{\"version\": \"2.0\", \"logging\": {\"logLevel\": {\"Default\": \"Warning\", "
		"\"Function\": \"Information\", \"Function.hello\": \"debug\", "
		"\"Function.hello.User\": \"None\", \"host.results\": \"Error\", \"Host.Startup\": "
		"null}}}") == 0,
	   "logLevel loads");
	is_int(cfg.log_default, 3, "default entry");
	is_int(cfg.n_log_rules, 4, "rules without default and null");
	is_int(host_config_log_level(&cfg, "Function.hello.User"), HOST_CONFIG_LOG_NONE,
	       "exact category, None");
	is_int(host_config_log_level(&cfg, "Function.hello"), 1, "exact category");
	is_int(host_config_log_level(&cfg, "Function.hello.System"), 1, "longest prefix wins");
	is_int(host_config_log_level(&cfg, "Function.other.User"), 2, "shorter prefix");
	is_int(host_config_log_level(&cfg, "Function.helloworld"), 2,
	       "prefixes end at a '.' boundary");
	is_int(host_config_log_level(&cfg, "Functions"), 3, "no partial word match -> default");
	is_int(host_config_log_level(&cfg, "Host.Results"), 4, "categories case-insensitive");
	is_int(host_config_log_level(&cfg, "Host.Startup"), 3, "null entry ignored -> default");

	ok(load("{\"version\": \"2.0\", \"logging\": {\"logLevel\": {\"Function\": \"Debug\"}}}") ==
		   0 && host_config_log_level(&cfg, "Host.General") == -1,
	   "no default entry -> -1");
	is_str(fails(load("{\"version\": \"2.0\", \"logging\": {\"logLevel\": {\"Function\": "
			  "\"Verbose\"}}}")),
	       "host.json setting 'logging.logLevel.Function' must be one of Trace, Debug, "
	       "Information, Warning, Error, Critical, None, not 'Verbose'",
	       "unknown level name");
}

static void test_timespans(void)
{
	static const struct {
		const char *text;
		long long ms;
	} good[] = {
		{ "00:30:00", 1800000 },       { "1.02:03:04", 93784000 }, { "00:00:01.5", 1500 },
		{ "00:00:00.1234567", 123 },   { "5", 432000000 },         { "-1", -86400000 },
		{ " 00:01:00 ", 60000 },       { "1:2:3", 3723000 },       { "10:30", 37800000 },
		{ "-00:00:05", -5000 },        { "23:59:59", 86399000 },
	};
	static const char *const bad[] = {
		"", "abc", "24:00:00", "00:60:00", "00:00:60", "1.2.3", "00:00:00.12345678",
		"00:00:", "1:", "-", "1.02", "00:00:01x", "99999999",
	};
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 0;
		ok(host_config_parse_timespan(good[i].text, &ms) == 0 && ms == good[i].ms,
		   "timespan '%s' = %lld ms (got %lld)", good[i].text, good[i].ms, (long long)ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(host_config_parse_timespan(bad[i], &ms) < 0, "timespan '%s' is invalid", bad[i]);

	ok(load("{\"version\": \"2.0\", \"functionTimeout\": \"-1\"}") == 0 &&
		   cfg.function_timeout_ms == HOST_CONFIG_UNBOUNDED,
	   "functionTimeout -1 = unbounded");
	ok(load("{\"version\": \"2.0\", \"functionTimeout\": -1}") == 0 &&
		   cfg.function_timeout_ms == HOST_CONFIG_UNBOUNDED,
	   "functionTimeout -1 as a number");
	ok(load("{\"version\": \"2.0\", \"functionTimeout\": \"-1.00:00:00\"}") == 0 &&
		   cfg.function_timeout_ms == HOST_CONFIG_UNBOUNDED,
	   "functionTimeout -1.00:00:00 = unbounded");
	ok(load("{\"version\": \"2.0\", \"functionTimeout\": \"00:00:01\"}") == 0 &&
		   cfg.function_timeout_ms == 1000,
	   "functionTimeout 1 s is the minimum");
	ok(load("{\"version\": \"2.0\", \"functionTimeout\": \"10.00:00:00\"}") == 0 &&
		   cfg.function_timeout_ms == 864000000LL,
	   "functionTimeout with days");
	is_str(fails(load("{\"version\": \"2.0\", \"functionTimeout\": \"00:00:00.5\"}")),
	       "FunctionTimeout must be greater than 00:00:01 and less than "
	       "10675199.02:48:05.4775807.",
	       "functionTimeout below 1 s");
	is_str(fails(load("{\"version\": \"2.0\", \"functionTimeout\": \"-00:00:05\"}")),
	       "FunctionTimeout must be greater than 00:00:01 and less than "
	       "10675199.02:48:05.4775807.",
	       "negative functionTimeout");
	is_str(fails(load("{\"version\": \"2.0\", \"functionTimeout\": \"5 minutes\"}")),
	       "host.json setting 'functionTimeout' must be a time span like 00:05:00 or -1, not "
	       "'5 minutes'",
	       "malformed functionTimeout");
}

static void test_functions_and_http(void)
{
	ok(load("{\"version\": \"2.0\", \"functions\": [\"Hello\", null, \"World\"]}") == 0,
	   "functions filter loads");
	is_int(cfg.n_functions, 2, "null entries skipped");
	ok(host_config_function_selected(&cfg, "hello"), "selected, case-insensitive");
	ok(host_config_function_selected(&cfg, "WORLD"), "second name selected");
	ok(!host_config_function_selected(&cfg, "other"), "others not selected");
	ok(load("{\"version\": \"2.0\", \"functions\": []}") == 0 && cfg.functions == NULL &&
		   host_config_function_selected(&cfg, "x"),
	   "[] = all functions");
	is_str(fails(load("{\"version\": \"2.0\", \"functions\": \"hello\"}")),
	       "host.json setting 'functions' must be an array of strings, not 'hello'",
	       "functions must be an array");
	is_str(fails(load("{\"version\": \"2.0\", \"functions\": [1]}")),
	       "host.json setting 'functions' must be an array of strings, not contain '1'",
	       "functions entries must be strings");

	ok(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"routePrefix\": \"\"}}}") ==
			   0 && strcmp(cfg.http.route_prefix, "") == 0,
	   "routePrefix \"\" allowed");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"routePrefix\": \"/api/\"}}}") ==
			   0 && strcmp(cfg.http.route_prefix, "api") == 0,
	   "routePrefix /api/ -> api");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"routePrefix\": \"//\"}}}") ==
			   0 && strcmp(cfg.http.route_prefix, "") == 0,
	   "routePrefix // -> \"\"");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"routePrefix\": "
		"\"v1/x\"}}}") == 0 &&
		   strcmp(cfg.http.route_prefix, "v1/x") == 0,
	   "inner slashes kept");

	ok(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"customHeaders\": "
		"{\"X-B\": \"2\", \"X-A\": \"1\", \"x-c\": 3, \"X-Null\": null}, "
		"\"maxOutstandingRequests\": 200, \"maxConcurrentRequests\": \"20\"}}}") == 0,
	   "http section loads");
	is_int(cfg.http.n_custom_headers, 3, "three custom headers (null skipped)");
	is_str(cfg.http.custom_headers[0].name, "X-B", "file order 1");
	is_str(cfg.http.custom_headers[1].name, "X-A", "file order 2");
	is_str(cfg.http.custom_headers[2].name, "x-c", "file order 3, name as written");
	is_str(cfg.http.custom_headers[2].value, "3", "a number becomes text");
	is_int(cfg.http.max_outstanding_requests, 200, "maxOutstandingRequests");
	is_int(cfg.http.max_concurrent_requests, 20, "maxConcurrentRequests from a string");
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"customHeaders\": "
			  "[\"a\"]}}}")),
	       "host.json setting 'extensions.http.customHeaders' must be an object, not '[\"a\"]'",
	       "customHeaders must be an object");
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"http\": "
			  "{\"maxConcurrentRequests\": 0}}}")),
	       "host.json setting 'extensions.http.maxConcurrentRequests' must be -1 (unbounded) "
	       "or a positive integer, not '0'",
	       "maxConcurrentRequests 0 refused");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"http\": {\"maxOutstandingRequests\": "
		"-2}}}") < 0,
	   "maxOutstandingRequests -2 refused");
}

static void test_hub_name(void)
{
	char *want, long_name[47];

	setenv("MyHubSetting", "FromEnv", 1);
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
		"\"%MyHubSetting%\"}}}") == 0,
	   "%%Setting%% hub name loads");
	is_str(cfg.durable.hub_name, "FromEnv", "%%Setting%% resolved from the environment");
	want = xasprintf("%s/.cfunc/FromEnv.db", root);
	is_str(cfg.durable.storage_path, want, "default path uses the resolved hub");
	free(want);
	reset_env();

	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			  "\"%MyHubSetting%\"}}}")),
	       "host.json setting 'extensions.durableTask.hubName' is '%MyHubSetting%', but that "
	       "app setting is not defined",
	       "unresolved %%Setting%%");

	/* local.settings.json Values are exported before host.json is read. */
	ok(load2("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
		 "\"%HubFromFile%\"}}}",
		 "{\"Values\": {\"HubFromFile\": \"SettingsHub\"}}") == 0 &&
		   strcmp(cfg.durable.hub_name, "SettingsHub") == 0,
	   "%%Setting%% from local.settings.json");
	reset_env();

	setenv("MyHubSetting", "bad-name", 1);
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			  "\"%MyHubSetting%\"}}}")),
	       "Task hub name 'bad-name' should contain only alphanumeric characters, start with "
	       "a letter, and have length between 3 and 45.",
	       "resolved value is validated");
	reset_env();
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			  "\"ab\"}}}")),
	       "Task hub name 'ab' should contain only alphanumeric characters, start with a "
	       "letter, and have length between 3 and 45.",
	       "too short");
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			  "\"1abc\"}}}")),
	       "Task hub name '1abc' should contain only alphanumeric characters, start with a "
	       "letter, and have length between 3 and 45.",
	       "starts with a digit");
	memset(long_name, 'h', 46);
	long_name[46] = '\0';
	want = xasprintf("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			 "\"%s\"}}}",
			 long_name);
	ok(load(want) < 0 && strstr(err, "length between 3 and 45"), "46 characters refused");
	long_name[45] = '\0';
	free(want);
	want = xasprintf("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			 "\"%s\"}}}",
			 long_name);
	ok(load(want) == 0, "45 characters accepted");
	free(want);
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": "
			  "\"\"}}}")),
	       "A non-empty HubName configuration is required.", "empty hub name");

	setenv("WEBSITE_SITE_NAME", "my-site-1", 1);
	ok(load("{\"version\": \"2.0\"}") == 0 && strcmp(cfg.durable.hub_name, "mysite1") == 0,
	   "default from WEBSITE_SITE_NAME, sanitised");
	setenv("WEBSITE_SITE_NAME", "9x", 1);
	ok(load("{\"version\": \"2.0\"}") == 0 && strcmp(cfg.durable.hub_name, "t9x") == 0,
	   "site name starting with a digit gets a 't'");
	setenv("WEBSITE_SITE_NAME", "a", 1);
	ok(load("{\"version\": \"2.0\"}") == 0 && strcmp(cfg.durable.hub_name, "aHub") == 0,
	   "short site name padded with Hub");
	setenv("WEBSITE_SITE_NAME", "--", 1);
	ok(load("{\"version\": \"2.0\"}") == 0 &&
		   strcmp(cfg.durable.hub_name, "DefaultTaskHub") == 0,
	   "no usable characters -> DefaultTaskHub");
	reset_env();
}

static void test_durable(void)
{
	char *want;

	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
			  "{\"storageProvider\": \"sqlite\"}}}")),
	       "host.json setting 'extensions.durableTask.storageProvider' must be an object, not "
	       "'sqlite'",
	       "storageProvider must be an object");
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
			  "{\"storageProvider\": {\"type\": \"AzureStorage\"}}}}")),
	       "unsupported durable storage provider type 'AzureStorage' in host.json "
	       "'extensions.durableTask.storageProvider.type': cfunc supports 'sqlite'",
	       "other provider types name the supported one");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": \"Hub\", "
		"\"storageProvider\": {\"type\": \"SQLite\", \"path\": \"data/{hubName}.sqlite\", "
		"\"synchronous\": \"normal\", \"maxDequeueCount\": 3}, "
		"\"maxConcurrentActivityFunctions\": 4, \"maxConcurrentOrchestratorFunctions\": 2, "
		"\"overridableExistingInstanceStates\": \"AnyState\", \"maxOrchestrationActions\": "
		"50, \"storeInputsInOrchestrationHistory\": true}}}") == 0,
	   "durableTask section loads");
	want = xasprintf("%s/data/Hub.sqlite", root);
	is_str(cfg.durable.storage_path, want, "path template relative to the root");
	free(want);
	is_str(cfg.durable.storage_synchronous, "NORMAL", "synchronous NORMAL");
	is_int(cfg.durable.max_dequeue_count, 3, "maxDequeueCount");
	is_int(cfg.durable.max_concurrent_activities, 4, "maxConcurrentActivityFunctions");
	is_int(cfg.durable.max_concurrent_orchestrators, 2, "maxConcurrentOrchestratorFunctions");
	is_int(cfg.durable.overridable_existing_instance_states, HOST_CONFIG_ANY_STATE, "AnyState");
	is_int(cfg.durable.max_orchestration_actions, 50, "maxOrchestrationActions");
	ok(cfg.durable.store_inputs_in_history, "storeInputsInOrchestrationHistory");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"storageProvider\": "
		"{\"path\": \"/var/lib/x.db\"}}}}") == 0 &&
		   strcmp(cfg.durable.storage_path, "/var/lib/x.db") == 0,
	   "absolute path kept");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"storageProvider\": "
		"{\"synchronous\": \"OFF\"}}}}") < 0,
	   "synchronous OFF refused");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"storageProvider\": "
		"{\"synchronous\": \"full\"}}}}") == 0 &&
		   strcmp(cfg.durable.storage_synchronous, "FULL") == 0,
	   "synchronous full: FULL, every commit fsynced");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"storageProvider\": "
		"{\"maxDequeueCount\": 0}}}}") < 0,
	   "maxDequeueCount 0 refused");
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
			  "{\"maxConcurrentActivityFunctions\": 0}}}")),
	       "MaxConcurrentActivityFunctions must be a non-negative integer value.",
	       "maxConcurrentActivityFunctions 0 (the extension's text)");
	is_str(fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
			  "{\"maxConcurrentOrchestratorFunctions\": -3}}}")),
	       "MaxConcurrentOrchestratorFunctions must be a non-negative integer value.",
	       "maxConcurrentOrchestratorFunctions negative");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		"{\"overridableExistingInstanceStates\": \"Sometimes\"}}}") < 0,
	   "unknown overridableExistingInstanceStates");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		"{\"storeInputsInOrchestrationHistory\": \"yes\"}}}") < 0,
	   "a bool must be true or false");

	/* The entity settings. */
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		"{\"maxEntityOperationBatchSize\": 50, "
		"\"rollbackEntityOperationsOnExceptions\": false}}}") == 0,
	   "entity settings load");
	is_int(cfg.durable.max_entity_operation_batch, 50, "maxEntityOperationBatchSize 50");
	ok(!cfg.durable.rollback_entity_operations, "rollbackEntityOperationsOnExceptions false");
	is_int(cfg.n_warnings, 0, "known keys: no warning");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		"{\"maxEntityOperationBatchSize\": 1}}}") == 0 &&
		   cfg.durable.max_entity_operation_batch == 1,
	   "maxEntityOperationBatchSize 1 (one operation per batch) accepted");
	const char *e = fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
				  "{\"maxEntityOperationBatchSize\": 0}}}"));
	ok(strstr(e, "maxEntityOperationBatchSize") != NULL, "maxEntityOperationBatchSize 0 refused, "
							    "naming the key: %s", e);
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		"{\"maxEntityOperationBatchSize\": \"many\"}}}") < 0,
	   "maxEntityOperationBatchSize not a number refused");
	ok(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		"{\"maxEntityOperationBatchSize\": 2.5}}}") < 0,
	   "maxEntityOperationBatchSize not an integer refused");
	e = fails(load("{\"version\": \"2.0\", \"extensions\": {\"durableTask\": "
		       "{\"rollbackEntityOperationsOnExceptions\": \"sometimes\"}}}"));
	ok(strstr(e, "rollbackEntityOperationsOnExceptions") != NULL,
	   "rollbackEntityOperationsOnExceptions not a bool refused, naming the key: %s", e);
}

static void test_unknown_keys(void)
{
	ok(load("{\"version\": \"2.0\"}") == 0, "a minimal file loads");
	is_int(cfg.n_warnings, 0, "... with no warning");
	ok(cfg.apps_listed == false, "no cfunc.apps: the default location, not listed");

	ok(load("{\"version\": \"2.0\", \"functionTimout\": \"00:01:00\", \"Logging\": "
		"{\"LogLevel\": {\"anything.at.all\": \"Warning\"}, \"fileLogingMode\": \"never\"},"
		" \"extensions\": {\"eventHubs\": {\"batchCheckpointFrequency\": 1}, "
		"\"DurableTask\": {\"HubName\": \"Abc\", \"storageprovider\": {\"pathh\": \"x\"}}},"
		" \"healthMonitor\": {\"whatever\": 1}, \"zzz\": null}") == 0,
	   "unknown keys outside cfunc still load");
	ok(has_warning("Unknown host.json property 'functionTimout' is ignored. Did you mean "
		       "'functionTimeout'?"),
	   "top-level typo warns with the key meant");
	ok(has_warning("Unknown host.json property 'Logging.fileLogingMode' is ignored. Did you "
		       "mean 'Logging.fileLoggingMode'?"),
	   "the path keeps the file's spelling of its parents");
	ok(has_warning("Unknown host.json property 'extensions.DurableTask.storageprovider.pathh' "
		       "is ignored. Did you mean 'extensions.DurableTask.storageprovider.path'?"),
	   "three levels deep");
	ok(has_warning("host.json 'extensions.eventHubs' configures an extension cfunc does not "
		       "have; it is ignored."),
	   "another extension: said to be ignored");
	ok(has_warning("Unknown host.json property 'zzz' is ignored."), "null values are keys too");
	is_int(cfg.n_warnings, 4 + 1, "nothing else: log categories and healthMonitor are free-form");
	is_str(cfg.durable.hub_name, "Abc", "known keys under odd casing still apply");

	is_str(fails(load("{\"version\": \"2.0\", \"cfunc\": {\"apps\": [\"a\"], \"wrokers\": 2}}")),
	       "Unknown host.json property 'cfunc.wrokers'. Did you mean 'cfunc.workers'? ('cfunc' "
	       "takes: apps, allowedHosts, stopTimeoutSeconds, workers, episodeWorkers, limits)",
	       "a cfunc typo is an error (swapped letters)");
	is_str(fails(load("{\"version\": \"2.0\", \"cfunc\": {\"limits\": {\"x\": 1}}}")),
	       "Unknown host.json property 'cfunc.limits.x'. ('cfunc.limits' takes: "
	       "maxRequestBodyBytes, maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, "
	       "maxConnections, maxConnectionsPerClient, maxInFlightBytes, requestTimeoutSeconds)",
	       "no near key: the list");
	is_str(fails(load("{\"version\": \"2.0\", \"cfun\": {}}")),
	       "Unknown host.json property 'cfun'. Did you mean 'cfunc'?",
	       "a typo of the cfunc section is an error");
	ok(load("{\"version\": \"2.0\", \"cfunc\": 5}") < 0 && strstr(err, "cfunc") != NULL,
	   "a cfunc that is no object is still the reader's error");

	setenv("AzureFunctionsJobHost__cfunc__appz__0", "x", 1);
	is_str(fails(load("{\"version\": \"2.0\"}")),
	       "Unknown host.json property 'cfunc.appz'. Did you mean 'cfunc.apps'? ('cfunc' takes: "
	       "apps, allowedHosts, stopTimeoutSeconds, workers, episodeWorkers, limits)",
	       "keys from the environment are checked too");
	reset_env();

	ok(load("{\"version\": \"2.0\", \"cfunc\": {\"apps\": [\"a\"]}}") == 0 && cfg.apps_listed,
	   "cfunc.apps given: listed");
}

static void test_cfunc_section(void)
{
	char *want;

	ok(load("{\"version\": \"2.0\", \"cfunc\": {\"apps\": [\"a.so\", \"/abs/dir\"], "
		"\"workers\": 4, \"limits\": {\"maxRequestBodyBytes\": 5000000000, "
		"\"maxConnections\": 10, \"maxConnectionsPerClient\": 3, "
		"\"maxInFlightBytes\": 8589934592}}}") == 0,
	   "cfunc section loads");
	is_int(cfg.n_apps, 2, "two app paths");
	want = xasprintf("%s/a.so", root);
	is_str(cfg.apps[0], want, "relative app path joined to the root");
	free(want);
	is_str(cfg.apps[1], "/abs/dir", "absolute app path kept");
	is_int(cfg.workers, 4, "workers");
	ok(load("{\"version\": \"2.0\", \"cfunc\": {\"episodeWorkers\": 1}}") == 0 &&
		   cfg.episode_workers == 1,
	   "episodeWorkers 1: one episode worker, as before");
	is_str(fails(load("{\"version\": \"2.0\", \"cfunc\": {\"episodeWorkers\": 0}}")),
	       "host.json setting 'cfunc.episodeWorkers' must be an integer from 1 to 16, not '0'",
	       "episodeWorkers below 1");
	ok(load("{\"version\": \"2.0\", \"cfunc\": {\"apps\": [\"a.so\", \"/abs/dir\"], "
		"\"workers\": 4, \"limits\": {\"maxRequestBodyBytes\": 5000000000, "
		"\"maxConnections\": 10, \"maxConnectionsPerClient\": 3, "
		"\"maxInFlightBytes\": 8589934592}}}") == 0,
	   "cfunc section loads again");
	is_int(cfg.limits.max_request_body_bytes, 5000000000LL, "64-bit body limit");
	is_int(cfg.limits.max_connections, 10, "maxConnections");
	is_int(cfg.limits.max_connections_per_client, 3, "maxConnectionsPerClient");
	is_int(cfg.limits.max_in_flight_bytes, 8589934592LL, "64-bit maxInFlightBytes");
	is_int(cfg.limits.max_header_count, 100, "unset limits keep defaults");
	ok(load("{\"version\": \"2.0\", \"cfunc\": {\"apps\": []}}") == 0 && cfg.n_apps == 0,
	   "apps [] loads nothing");
	is_str(fails(load("{\"version\": \"2.0\", \"cfunc\": {\"workers\": 0}}")),
	       "host.json setting 'cfunc.workers' must be an integer from 1 to 4096, not '0'",
	       "workers below 1");
	ok(load("{\"version\": \"2.0\", \"cfunc\": {\"limits\": {\"maxHeaderBytes\": 0}}}") < 0,
	   "zero limit refused");
	ok(load("{\"version\": \"2.0\", \"cfunc\": []}") < 0, "cfunc must be an object");
}

int main(void)
{
	if (fixture_begin() != 0)
		return 2;
	cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;

	subtest("defaults", test_defaults);
	subtest("comments and case-insensitive keys", test_comments_and_case);
	subtest("version", test_version);
	subtest("broken JSON", test_broken_json);
	subtest("environment overrides", test_env_overrides);
	subtest("log levels", test_log_levels);
	subtest("timespans", test_timespans);
	subtest("functions filter and http", test_functions_and_http);
	subtest("hub name", test_hub_name);
	subtest("durableTask", test_durable);
	subtest("cfunc section", test_cfunc_section);
	subtest("unknown keys", test_unknown_keys);

	fixture_end();
	return done_testing();
}
