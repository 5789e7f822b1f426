/*
 * main.c - the cfunc command line and the start-up/shutdown order of
 * `cfunc start`:
 *   find the script root -> load local.settings.json and host.json ->
 *   console -> load apps (by default: start each app's first worker and
 *   learn its functions from it; --in-process: dlopen them here) -> bind the port -> print the
 *   function list -> serve until SIGINT/SIGTERM -> drain -> unload apps.
 */
#include "host/version.h"
#include "host/endpoints/admin.h"
#include "host/endpoints/admin_dashboard.h"
#include "host/endpoints/dashboard.h"
#include "bindings/bind_log.h"
#include "host/apps.h"
#include "host/apps_missing.h"
#include "host/apps_registered.h"
#include "host/http/router_functions.h"
#include "host/cli/cli_durable.h"
#include "host/cli/cli_new.h"
#include "host/config/config.h"
#include "host/durable.h"
#include "host/keys/keys.h"
#include "host/listen_file.h"
#include "host/function_lines.h"
#include "host/log.h"
#include "host/http/server.h"
#include "host/stop_bound.h"
#include "host/stop_signal.h"
#include "host/endpoints/test_mode.h"
#include "host/timers.h"
#include "host/endpoints/webhooks.h"
#include "host/worker/supervisor.h"
#include "host/worker/worker_main.h"
#include "host/worker/watch.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct cli {
	const char *script_root;
	const char *address;
	int port;
	int verbose;
	const char *cors;
	int cors_credentials;
	int enable_auth;
	char **functions;
	int nfunctions;
	struct host_test_mode test; /* --ephemeral, --clean */
	int worker_processes; /* app code runs in worker processes; 0 with --in-process */
	int no_watch;         /* --no-watch: a replaced .so is not deployed by itself */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cfunc start [options]\n"
		"       cfunc keys list|new|set|delete ...             (cfunc keys --help)\n"
		"       cfunc settings list|add|delete|encrypt|decrypt (cfunc settings --help)\n"
		"       cfunc durable <command> ...                     (cfunc durable --help)\n"
		"       cfunc --version\n"
		"\n"
		"start options:\n"
		"  -p, --port <n>          port to listen on (default: Host.LocalHttpPort, else 7071;\n"
		"                          0 picks a free port)\n"
		"  --address <ip>          address to bind (default: Host.LocalHttpAddress, else 127.0.0.1)\n"
		"  --script-root <dir>     the function app root (default: the nearest folder\n"
		"                          upwards holding host.json)\n"
		"  --functions <a> <b> ..  serve only these functions\n"
		"  --cors <origins>        comma-separated allowed origins, \"*\" for any\n"
		"                          (default: Host.CORS)\n"
		"  --cors-credentials      allow credentials on CORS requests\n"
		"  --enableAuth            check keys (always on when bound to a non-loopback address)\n"
		"  --verbose               show host (system) logs at Information\n"
		"  --in-process            run app code in the host process instead of in worker\n"
		"                          processes (the default); for debugging with gdb,\n"
		"                          valgrind or a sanitizer in one process. A crash of app\n"
		"                          code then ends the host\n"
		"  --worker-processes      run app code in worker processes that the host replaces\n"
		"                          when they crash or time out (the default)\n"
		"  --no-watch              with worker processes: do not deploy a replaced .so\n"
		"                          by itself (SIGHUP and POST /admin/host/reload still do)\n"
		"  --ephemeral             test mode: a task hub removed at stop, and\n"
		"                          POST /admin/test/clock {\"advanceSeconds\":N}\n"
		"  --clean                 start from an empty task hub (deletes the configured one)\n");
}

static int parse_port(const char *s, int *port)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int parse_start(int argc, char **argv, struct cli *cli)
{
	int said_workers = 0; /* --worker-processes, the default, accepted as before */
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if ((strcmp(a, "-p") == 0 || strcmp(a, "--port") == 0) && next) {
			if (parse_port(next, &cli->port) != 0) {
				fprintf(stderr, "Invalid --port value '%s'. Expected a number between 0 and 65535.\n", next);
				return -1;
			}
			i++;
		} else if (strcmp(a, "--address") == 0 && next) {
			cli->address = next;
			i++;
		} else if (strcmp(a, "--script-root") == 0 && next) {
			cli->script_root = next;
			i++;
		} else if (strcmp(a, "--verbose") == 0) {
			cli->verbose = 1;
		} else if (strcmp(a, "--cors") == 0 && next) {
			cli->cors = next;
			i++;
		} else if (strcmp(a, "--cors-credentials") == 0) {
			cli->cors_credentials = 1;
		} else if (strcmp(a, "--enableAuth") == 0) {
			cli->enable_auth = 1;
		} else if (strcmp(a, "--worker-processes") == 0) {
			said_workers = 1;
		} else if (strcmp(a, "--in-process") == 0) {
			cli->worker_processes = 0;
		} else if (strcmp(a, "--no-watch") == 0) {
			cli->no_watch = 1;
		} else if (strcmp(a, "--ephemeral") == 0) {
			cli->test.ephemeral = 1;
		} else if (strcmp(a, "--clean") == 0) {
			cli->test.clean = 1;
		} else if (strcmp(a, "--functions") == 0) {
			cli->functions = argv + i + 1;
			while (i + 1 < argc && argv[i + 1][0] != '-') {
				cli->nfunctions++;
				i++;
			}
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "cfunc: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return -1;
		}
	}
	if (said_workers && !cli->worker_processes) {
		fprintf(stderr, "cfunc: --in-process and --worker-processes cannot both be given\n");
		return -1;
	}
	return 0;
}

static int level_of(void *user, const char *category)
{
	return host_config_log_level(user, category);
}

static void log_to_console(const char *category, int level, const char *fmt, va_list ap)
{
	host_logv(category, (enum rt_log_level)level, fmt, ap);
}

static int log_shows(const char *category, int level)
{
	return host_log_enabled(category, (enum rt_log_level)level);
}

static void report_refused(const char *line)
{
	host_log("Host.Startup", RT_LOG_ERROR, "%s", line);
}

static void mark_disabled(struct bind_registry *reg)
{
	for (size_t i = 0; i < reg->nfns; i++) {
		char *name = xasprintf("AzureWebJobs.%s.Disabled", reg->fns[i]->name);
		const char *v = getenv(name);
		reg->fns[i]->disabled = v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
		free(name);
	}
}

static int cmp_fn_name(const void *a, const void *b)
{
	return strcasecmp((*(struct bind_function *const *)a)->name,
			  (*(struct bind_function *const *)b)->name);
}

/* func's advice here is about .NET job classes; say instead why nothing
 * was found: no app loaded (and where cfunc looked), the apps registered
 * nothing, or the functions filter kept none. */
static void warn_no_functions(const struct host_config *cfg, const struct bind_registry *reg)
{
	char *where = xstrdup("");
	for (size_t i = 0; i < cfg->n_apps; i++) {
		char *next = xasprintf("%s%s'%s'", where, i ? ", " : "", cfg->apps[i]);
		free(where);
		where = next;
	}
	if (reg->napps > 0 && cfg->functions)
		host_log("Host.Startup", RT_LOG_WARNING,
			 "No job functions found. %zu app(s) loaded, but none has a function "
			 "named in host.json \"functions\" (or --functions).",
			 reg->napps);
	else if (reg->napps > 0)
		host_log("Host.Startup", RT_LOG_WARNING,
			 "No job functions found. %zu app(s) loaded from %s, but their init "
			 "registered no function.",
			 reg->napps, where);
	else
		host_log("Host.Startup", RT_LOG_WARNING,
			 "No job functions found. cfunc loads apps (*.so) from %s%s; build an "
			 "app there or list its .so or folder in host.json \"cfunc.apps\".",
			 where, cfg->apps_listed ? " (host.json \"cfunc.apps\")"
						: " (the default: host.json has no \"cfunc.apps\")");
	free(where);
}

/* The "Functions:" block exactly as func prints it: HTTP first, then the
 * rest, then disabled-function warnings; each group sorted by name. */
static void print_functions(const struct host_server *srv, struct bind_registry *reg)
{
	size_t nfns;
	struct bind_function **sorted = bind_registry_list(reg, &nfns);
	const char *prefix = srv->cfg->http.route_prefix;
	qsort(sorted, nfns, sizeof(*sorted), cmp_fn_name);

	host_log_plain("%s", "");
	host_log_plain("Functions:");
	host_log_plain("%s", "");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nfns; i++) {
			const struct bind_function *fn = sorted[i];
			if (fn->disabled || (fn->kind == BIND_FN_HTTP) != (pass == 0))
				continue;
			if (fn->kind == BIND_FN_HTTP)
				host_log_plain("\t%s: %s%s%s http://localhost:%d/%s%s%s", fn->name,
					       fn->methods ? "[" : "", fn->methods ? fn->methods : "",
					       fn->methods ? "]" : "", srv->port, prefix,
					       *prefix ? "/" : "", fn->route ? fn->route : fn->name);
			else
				host_log_plain("\t%s: %s", fn->name, bind_fn_kind_trigger(fn->kind));
			host_log_plain("%s", "");
		}
	}
	for (size_t i = 0; i < nfns; i++)
		if (sorted[i]->disabled)
			host_log("Host.Startup", RT_LOG_WARNING, "Function %s is disabled.", sorted[i]->name);
	if (nfns == 0)
		warn_no_functions(srv->cfg, reg);
	free(sorted);
}

static void print_warnings(const struct host_config *cfg, size_t from)
{
	for (size_t i = from; i < cfg->n_warnings; i++)
		host_log("Host.Startup", RT_LOG_WARNING, "%s", cfg->warnings[i]);
}

/* 127.0.0.0/8 and ::1 count as loopback; anything else turns keys on. */
static int is_loopback(const char *address)
{
	return strncmp(address, "127.", 4) == 0 || strcmp(address, "::1") == 0 ||
	       strcmp(address, "localhost") == 0;
}

static void reload_all(void *ctx)
{
	host_workers_request_reload(ctx, NULL);
}

/* The watcher saw an app's file replaced: deploy that app again. */
static void app_changed(void *ctx, const char *path)
{
	host_log_always("%s changed: deploying it again", path);
	host_workers_request_reload(ctx, path);
}

static int cmd_start(int argc, char **argv)
{
	struct cli cli = {.port = -1, .worker_processes = 1};
	struct host_config cfg;
	struct bind_registry reg;
	struct host_server *srv = NULL;
	struct host_durable durable = {0};
	struct host_keys *keys = NULL;
	struct host_timers *timers = NULL;
	struct host_workers *workers = NULL;
	struct host_watch *watch = NULL;
	struct host_deploy deploy = {0};
	char **app_paths = NULL;
	char *system_key = NULL;
	struct host_stop_bound *stop_bound = NULL;
	char *root = NULL, *err = NULL, cwd[PATH_MAX];
	int rc = 1, listen_file = 0;

	if (parse_start(argc, argv, &cli) != 0)
		return 1;
	/* The engine frees and re-allocates about the same memory every batch;
	 * glibc's default trimming returned it to the kernel each time and paid
	 * for it in madvise calls and page faults (~15% of the engine thread). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	if (sodium_init() < 0) {
		fprintf(stderr, "cfunc: cannot initialise libsodium\n");
		return 1;
	}
	/* --functions a b is the same as host.json "functions": ["a","b"]. */
	for (int i = 0; i < cli.nfunctions; i++) {
		char *name = xasprintf("AzureFunctionsJobHost__functions__%d", i);
		setenv(name, cli.functions[i], 1);
		free(name);
	}
	if (cli.script_root) {
		root = realpath(cli.script_root, NULL);
		if (!root) {
			fprintf(stderr, "cfunc: cannot use --script-root '%s': %s\n", cli.script_root,
				strerror(errno));
			return 1;
		}
	} else if (!getcwd(cwd, sizeof(cwd)) || host_config_find_root(cwd, &root, &err) != 0) {
		fprintf(stderr, "%s\n", err ? err : "cfunc: cannot read the current directory");
		free(err);
		return 1;
	}

	if (host_config_load(&cfg, root, &err) != 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		host_config_free(&cfg);
		free(root);
		return 1;
	}
	if (host_test_mode_prepare(&cli.test, &cfg, &err) != 0) {
		fprintf(stderr, "cfunc: %s\n", err);
		free(err);
		host_config_free(&cfg);
		free(root);
		return 1;
	}
	host_timers_apply_time_zone(); /* settings are exported; no thread runs yet */
	host_log_init(cli.verbose, level_of, &cfg);
	bind_api_set_logger(log_to_console);
	bind_api_set_invocation_reporter(host_log_invocation);
	bind_api_set_log_filter(log_shows);

	host_log_plain("cfunc - a function host for compiled C apps");
	host_log_plain("cfunc Version:            %s (64-bit)", CFUNC_VERSION);
	host_log_plain("Function Runtime Version: 4.x compatible, app ABI %d.%d", CF_ABI_MAJOR,
		       CF_ABI_MINOR);
	host_log_plain("%s", cli.worker_processes
				     ? "App code runs in worker processes (--in-process: in this one)"
				     : "App code runs in this process (--in-process): a crash in it "
				       "ends the host");
	print_warnings(&cfg, 0);
	if (cli.test.ephemeral)
		host_log_always("Test mode (--ephemeral): task hub %s, removed at stop; "
				"POST /admin/test/clock moves the durable clock",
				cfg.durable.storage_path);

	int port = cli.port >= 0 ? cli.port : cfg.settings.port > 0 ? cfg.settings.port : 7071;
	const char *address = cli.address ? cli.address
			      : cfg.settings.address ? cfg.settings.address
						     : "127.0.0.1";

	bind_registry_init(&reg);
	if (cfg.functions) {
		reg.only = xcalloc(cfg.n_functions + 1, sizeof(char *));
		for (size_t i = 0; i < cfg.n_functions; i++)
			reg.only[i] = xstrdup(cfg.functions[i]);
		reg.nonly = cfg.n_functions;
	}
	host_log("Host.Startup", RT_LOG_INFO, "Loading apps from %zu location(s)", cfg.n_apps);
	host_apps_report_missing(&cfg, report_refused);
	size_t seen = cfg.n_warnings;
	if (cli.worker_processes) {
		/* The host loads no app: each app's first worker does, and what
		 * it registers is the host's registry (host/apps_registered.h).
		 * The port is bound before, so that the workers start with the
		 * whole environment (WEBSITE_HOSTNAME needs the port); its error
		 * is told after the apps', in the in-process order. The workers
		 * are forked while this is the only thread. */
		struct host_workers_opts wo = {
			.root = root,
			.per_app = cfg.workers > 1 ? cfg.workers : 2,
			.episodes_per_app = cfg.episode_workers,
			.timeout_ms = cfg.function_timeout_ms > 0 ? cfg.function_timeout_ms : 0,
			.verbose = cli.verbose,
			.deploy_check = host_deploy_check,
			.deploy_publish = host_deploy_publish,
			.deploy_ctx = &deploy,
		};
		char *listen_err = NULL;
		srv = host_server_new(&cfg, &reg, address, port, &err); /* no routes yet */
		if (!srv) {
			host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
			goto out;
		}
		int listening = host_server_listen(srv, &listen_err) == 0;
		if (listening) {
			seen = cfg.n_warnings;
			host_config_export_cli_env(&cfg, srv->port);
		}
		workers = host_workers_new(&wo, host_apps_count_files(root, cfg.apps, cfg.n_apps),
					   &err);
		if (!workers || host_apps_start_in_workers(&reg, workers, root, cfg.apps, cfg.n_apps,
							   report_refused, &err) != 0) {
			host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
			free(listen_err);
			goto out;
		}
		if (!listening) {
			fprintf(stderr, "%s\n", listen_err);
			free(listen_err);
			goto out;
		}
		mark_disabled(&reg);
		struct host_router *routes =
			host_routes_build(cfg.http.route_prefix, reg.fns, reg.nfns, &err);
		if (!routes) {
			host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
			goto out;
		}
		host_router_replace(srv->router, routes);
	} else {
		if (host_apps_load(&reg, root, cfg.apps, cfg.n_apps, report_refused, &err) != 0) {
			host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
			goto out;
		}
		mark_disabled(&reg);
		srv = host_server_new(&cfg, &reg, address, port, &err);
		if (!srv) {
			host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
			goto out;
		}
		/* Bind first: WEBSITE_HOSTNAME needs the port (--port 0 lets the
		 * kernel choose it), and every setenv must happen before the
		 * first thread starts. The engine below resumes activities at
		 * once, and they read settings with getenv, which races with
		 * setenv (undefined in glibc). */
		if (host_server_listen(srv, &err) != 0) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
		seen = cfg.n_warnings;
		host_config_export_cli_env(&cfg, srv->port);
	}
	deploy.reg = &reg;
	deploy.route_prefix = cfg.http.route_prefix;
	deploy.router = srv->router;
	for (size_t i = 0; i < reg.nfns; i++)
		deploy.durable_on |= reg.fns[i]->kind != BIND_FN_HTTP;
	/* From here on the environment is read-only: threads may start. The
	 * workers are forked first, while this is the only thread. */
	if (cli.worker_processes) {
		if (host_workers_run(workers, &err) != 0) {
			host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
			goto out;
		}
		srv->workers = workers;
		srv->on_reload = reload_all;
		srv->on_reload_ctx = workers;
		host_durable_use_workers(workers);
		if (!cli.no_watch) {
			app_paths = xcalloc(reg.napps + 1, sizeof(*app_paths));
			for (size_t i = 0; i < reg.napps; i++)
				app_paths[i] = reg.apps[i]->path;
			watch = host_watch_start(app_paths, reg.napps, app_changed, workers, &err);
			if (!watch) {
				host_log("Host.Workers", RT_LOG_WARNING, "%s", err);
				free(err);
				err = NULL;
			}
		}
		host_log("Host.Workers", RT_LOG_INFO,
			 "HTTP functions and activities run in %d worker process(es) per app, "
			 "orchestrator episodes and entity batches in %d more",
			 cfg.workers > 1 ? cfg.workers : 2, cfg.episode_workers);
	}
	if (host_durable_start(&durable, &cfg, &reg, &err) != 0) {
		host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
		goto out;
	}
	unsigned char id[16];
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(srv->instance_id, sizeof(srv->instance_id), id, sizeof(id));
	if (durable.engine)
		srv->durable = &durable.client;
	if (host_keys_load(&keys, root, &err) != 0) {
		host_log("Host.Startup", RT_LOG_ERROR, "%s", err);
		goto out;
	}
	srv->keys = keys;
	srv->auth_on = cli.enable_auth || !is_loopback(address);
	if (srv->auth_on) {
		/* Check-status URLs then carry code=<durabletask_extension key>. */
		system_key = host_keys_system_dup(keys, HOST_KEYS_DURABLE);
		durable.client.system_key = system_key;
		host_log_always("Key checks are on%s.",
				cli.enable_auth ? "" : " (bound to a non-loopback address)");
	}
	{
		const char *cors = cli.cors ? cli.cors : cfg.settings.cors;
		int creds = cli.cors_credentials || cfg.settings.cors_credentials == 1;
		if (cors && *cors)
			host_server_set_cors(srv, cors, creds);
	}
	stop_bound = host_stop_bound_new(cfg.stop_timeout_ms);
	srv->on_stop_requested = host_stop_bound_arm;
	srv->on_stop_ctx = stop_bound;
	host_admin_set_invoker(host_durable_admin_invoke);
	if (cli.test.ephemeral) /* before the admin router, which 404s the rest */
		host_server_add_endpoints(srv, host_test_mode_route);
	host_server_add_endpoints(srv, host_dashboard_route);
	host_server_add_endpoints(srv, host_admin_durable_route);
	host_server_add_endpoints(srv, host_admin_functions_route);
	host_server_add_endpoints(srv, host_admin_route);
	host_server_add_endpoints(srv, host_webhooks_route);
	if (durable.engine) {
		/* Tells `cfunc durable` which host serves this hub, and where. */
		struct host_listen l = {.pid = (long)getpid(), .port = srv->port, .auth = srv->auth_on};
		snprintf(l.address, sizeof(l.address), "%s", address);
		listen_file = host_listen_file_write(cfg.durable.storage_path, &l) == 0;
	}
	/* Before the lines scripts wait for: a SIGTERM sent the moment
	 * "Now listening on" appears must stop the host cleanly. */
	if (host_stop_signal_install() != 0) {
		host_log("Host.Startup", RT_LOG_ERROR, "cannot catch SIGINT/SIGTERM: %s",
			 strerror(errno));
		goto out;
	}	if (cli.worker_processes && host_stop_signal_catch_hup() != 0)
		host_log("Host.Startup", RT_LOG_WARNING, "cannot catch SIGHUP: %s", strerror(errno));

	print_warnings(&cfg, seen);
	print_functions(srv, &reg);
	if (!cli.verbose)
		host_log_plain("For detailed output, run cfunc with --verbose flag.");
	host_log_plain("Dashboard: http://localhost:%d" HOST_DASHBOARD_PATH, srv->port);
	/* ASP.NET prints this in verbose mode only; scripts need the port (--port 0). */
	host_log_always("Now listening on: http://%s%s%s:%d", strchr(address, ':') ? "[" : "", address,
			strchr(address, ':') ? "]" : "", srv->port);
	/* Shown regardless of level, as func shows it: tests and scripts wait for it. */
	host_log_always("Worker process started and initialized.");
	if (workers)
		host_workers_start_rest(workers); /* each app's first worker is up already */
	/* Timers start after the list, as func's listeners do; with the engine
	 * running their status lives in the task hub (useMonitor). */
	timers = host_timers_start(&reg, durable.engine ? &durable.client : NULL,
				   durable.engine ? cfg.durable.storage_path : NULL,
				   strcmp(cfg.durable.storage_synchronous, "FULL") != 0);
	/* Deploys may change the registry from here on: nothing above walks
	 * it any more. */
	if (workers)
		host_workers_start_deploys(workers);

	rc = host_server_run(srv);
	host_log("Host.General", RT_LOG_INFO, "Host stopped");
	/* Timers first: they may still call the durable client (the stop bound's
	 * watchdog ends a timer function that does not return). */
	host_timers_stop(timers);
	timers = NULL;
	/* The server drained; stop the engine (within the stop bound) before
	 * the apps it calls unload. Activities still running past it keep
	 * their apps: the process ends without unloading. */
	if (durable.engine &&
	    rt_engine_stop_by(durable.engine, host_stop_bound_engine_deadline(stop_bound)) != 0)
		host_stop_bound_exit_now("Activities still running at the stop deadline were "
					 "abandoned; they run again after the next start.");
	durable.engine = NULL;
out:
	host_workers_stop_deploys(workers); /* its hooks use the server's router */
	if (listen_file)
		host_listen_file_remove(cfg.durable.storage_path);
	host_server_free(srv);
	host_timers_stop(timers); /* timers may call the durable client */
	host_durable_stop(&durable);
	host_watch_stop(watch);
	host_workers_stop(workers); /* after every caller: server, timers, engine */
	free(app_paths);
	host_stop_bound_free(stop_bound);
	host_test_mode_finish(&cli.test);
	host_keys_free(keys);
	free(system_key);
	bind_registry_cleanup(&reg);
	host_config_free(&cfg);
	free(err);
	free(root);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("%s\n", CFUNC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		host_cli_help(stdout, CFUNC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "new") == 0)
		return host_cli_new(argc - 2, argv + 2);
	if (strcmp(argv[1], "templates") == 0)
		return host_cli_templates(argc - 2, argv + 2);
	if (strcmp(argv[1], "replay") == 0)
		return host_cli_replay(argc - 2, argv + 2);
	if (strcmp(argv[1], "start") == 0)
		return cmd_start(argc - 2, argv + 2);
	if (strcmp(argv[1], "worker") == 0)
		return host_worker_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "keys") == 0)
		return host_cli_keys(argc - 2, argv + 2);
	if (strcmp(argv[1], "settings") == 0)
		return host_cli_settings(argc - 2, argv + 2);
	if (strcmp(argv[1], "durable") == 0)
		return host_cli_durable(argc - 2, argv + 2);
	fprintf(stderr, "cfunc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
