/*
 * admin.c - the host's own endpoints (spec: functions-host.md §7):
 * /admin/host/status, /admin/host/ping, POST /admin/host/reload, /admin/functions[/{name}[/status]],
 * POST /admin/functions/{name} to fire a function by hand, and
 * /runtime/health*. They run on worker threads like app functions, but
 * without the Executing/Executed lines.
 */
#include "host/version.h"
#include "host/endpoints/admin.h"
#include "bindings/durable_client.h"
#include "runtime/engine.h"
#include "host/log.h"
#include "host/worker/supervisor.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void reply_json(struct bind_http *h, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	bind_http_set_json(h, status, text);
	free(text);
	json_decref(body);
}

static const char *state_name(enum host_state s)
{
	switch (s) {
	case HOST_STATE_STARTING:
		return "Starting";
	case HOST_STATE_RUNNING:
		return "Running";
	case HOST_STATE_STOPPING:
		return "Stopping";
	}
	return "Default";
}

/* What the engine thread and the replay thread have done since the start
 * (cumulative counts, times in ms). New reference. */
static json_t *engine_status(struct rt_engine *e)
{
	struct rt_engine_stats st;
	rt_engine_get_stats(e, &st);
	json_t *o = json_object(), *r = json_object();
	json_object_set_new(o, "batches", json_integer((json_int_t)st.batches));
	json_object_set_new(o, "episodes", json_integer((json_int_t)st.episodes));
	json_object_set_new(o, "activities", json_integer((json_int_t)st.activities));
	json_object_set_new(o, "commands", json_integer((json_int_t)st.commands));
	/* Heavy replays run off the engine thread (runtime/engine_offload.c). */
	json_object_set_new(r, "offloaded", json_integer((json_int_t)st.offloaded));
	json_object_set_new(r, "inFlight", json_integer((json_int_t)st.replays_in_flight));
	json_object_set_new(r, "returned", json_integer((json_int_t)st.replays_returned));
	json_object_set_new(r, "applied", json_integer((json_int_t)st.replays_applied));
	json_object_set_new(r, "dropped", json_integer((json_int_t)st.replays_dropped));
	json_object_set_new(r, "totalMs", json_real((double)st.replay_us_total / 1000.0));
	json_object_set_new(r, "longestMs", json_real((double)st.replay_us_max / 1000.0));
	json_object_set_new(r, "outcomePieces", json_integer((json_int_t)st.outcome_pieces));
	json_object_set_new(o, "replayThread", r);
	return o;
}

/* The task hub's health, or NULL without an engine. New reference. */
static json_t *task_hub_health(struct host_server *srv, int *degraded)
{
	struct rt_engine_health hh;
	*degraded = 0;
	if (!srv->durable || !srv->durable->engine)
		return NULL;
	rt_engine_get_health(srv->durable->engine, &hh);
	*degraded = hh.degraded;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(srv->durable->hub));
	json_object_set_new(o, "status", json_string(hh.degraded ? "Degraded" : "Healthy"));
	json_object_set_new(o, "engine", engine_status(srv->durable->engine));
	if (hh.degraded) {
		/* Commits fail (a full disk): what the operator needs to act. */
		json_object_set_new(o, "failedBatches", json_integer((json_int_t)hh.failed_batches));
		json_object_set_new(o, "failingSinceUs", json_integer(hh.failing_since_us));
		json_object_set_new(o, "lastError", json_string(hh.last_error));
	}
	return o;
}

/* With worker processes (the default): deaths, replacements, and the apps that crash-looped,
 * each with why. */
static json_t *workers_status(struct host_server *srv)
{
	struct host_workers_stats st;
	json_t *o = json_object(), *failed = json_array(), *reasons = json_object();
	host_workers_get_stats(srv->workers, &st);
	json_object_set_new(o, "deaths", json_integer(st.crashes));
	json_object_set_new(o, "replaced", json_integer(st.replaced));
	json_object_set_new(o, "lastReplacementMs", json_real((double)st.last_replace_us / 1000.0));
	json_object_set_new(o, "reloads", json_integer(st.reloads));
	json_object_set_new(o, "reloadFailures", json_integer(st.reload_failures));
	/* Orchestrator episodes sent with only their new events, whole, and
	 * whole again because the worker no longer held the rest. */
	json_object_set_new(o, "episodesDelta", json_integer(st.episodes_delta));
	json_object_set_new(o, "episodesFull", json_integer(st.episodes_full));
	json_object_set_new(o, "episodesResent", json_integer(st.episodes_resent));
	struct host_workers_snapshot *snap = host_workers_snapshot(srv->workers);
	for (size_t i = 0; i < snap->napps; i++) {
		const struct host_app_workers *a = &snap->apps[i];
		if (!a->failed)
			continue;
		json_array_append_new(failed, json_string(a->app));
		json_object_set_new(reasons, a->app, json_string(a->reason));
	}
	host_workers_snapshot_free(snap);
	json_object_set_new(o, "failedApps", failed);
	json_object_set_new(o, "failedAppReasons", reasons);
	return o;
}

static void host_status(struct host_server *srv, struct bind_http *h)
{
	int degraded;
	char host[256] = "localhost";
	gethostname(host, sizeof(host) - 1);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(srv->instance_id));
	json_object_set_new(o, "state", json_string(state_name(srv->state)));
	json_object_set_new(o, "version", json_string(CFUNC_VERSION));
	json_object_set_new(o, "versionDetails",
			    json_string(CFUNC_VERSION " (cfunc, app ABI " HOST_STR(CF_ABI_MAJOR) "." HOST_STR(CF_ABI_MINOR) ")"));
	json_object_set_new(o, "instanceId", json_string(srv->instance_id));
	json_object_set_new(o, "computerName", json_string(host));
	json_object_set_new(o, "processUptime",
			    json_integer((rt_mono_us() - srv->started_mono_us) / 1000));
	json_object_set_new(o, "functionAppContentEditingState", json_string("NotAllowed"));
	json_t *hub = task_hub_health(srv, &degraded);
	if (hub)
		json_object_set_new(o, "taskHub", hub);
	if (srv->workers)
		json_object_set_new(o, "workers", workers_status(srv));
	reply_json(h, 200, o);
}

/* POST /admin/host/reload: every app deployed again from its file, without a
 * restart (worker processes, not --in-process); 202, the console says when it is done. */
static void host_reload(struct host_server *srv, struct bind_http *h)
{
	if (!srv->workers) {
		bind_http_set_json(h, 409, "{\"error\":\"Apps are deployed again without a "
					"restart only with worker processes (not with --in-process).\"}");
		return;
	}
	host_workers_request_reload(srv->workers, NULL);
	bind_http_set_json(h, 202, "{\"reload\":\"requested\"}");
}

static void host_ping(struct host_server *srv, struct bind_http *h)
{
	(void)srv;
	h->status = 200;
	bind_http_add_header((cf_http *)h, "Cache-Control", "no-store, no-cache");
}

/* /runtime/health and /live: is the process serving. /ready also: can
 * it commit (a task hub whose commits fail is not ready for work). */
static void health(struct host_server *srv, struct bind_http *h)
{
	const char *path = h->path;
	int ready = strlen(path) >= 6 && strcasecmp(path + strlen(path) - 6, "/ready") == 0;
	int degraded, running = srv->state == HOST_STATE_RUNNING;
	json_t *hub = task_hub_health(srv, &degraded);
	json_t *o = json_object();
	const char *status = !running ? "Unhealthy" : degraded ? "Degraded" : "Healthy";
	json_object_set_new(o, "status", json_string(status));
	if (hub)
		json_object_set_new(o, "taskHub", hub);
	reply_json(h, running && !(ready && degraded) ? 200 : 503, o);
}

static json_t *methods_array(const char *methods)
{
	json_t *a = json_array();
	char *copy, *save = NULL;
	if (!methods)
		return a;
	copy = xstrdup(methods);
	for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		for (char *p = m; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		json_array_append_new(a, json_string(m));
	}
	free(copy);
	return a;
}

static const char *auth_name(cf_auth_level a)
{
	return a == CF_AUTH_ANONYMOUS ? "anonymous" : a == CF_AUTH_ADMIN ? "admin" : "function";
}

/* What function.json would hold for this function, for /admin/functions. */
static json_t *function_config(const struct bind_function *fn)
{
	json_t *bindings = json_array(), *b = json_object();
	json_object_set_new(b, "type", json_string(bind_fn_kind_trigger(fn->kind)));
	json_object_set_new(b, "direction", json_string("in"));
	switch (fn->kind) {
	case BIND_FN_HTTP:
		json_object_set_new(b, "name", json_string("req"));
		json_object_set_new(b, "authLevel", json_string(auth_name(fn->auth)));
		if (fn->methods)
			json_object_set_new(b, "methods", methods_array(fn->methods));
		json_object_set_new(b, "route", json_string(fn->route ? fn->route : fn->name));
		json_array_append_new(bindings, b);
		b = json_object();
		json_object_set_new(b, "type", json_string("http"));
		json_object_set_new(b, "direction", json_string("out"));
		json_object_set_new(b, "name", json_string("$return"));
		break;
	case BIND_FN_ORCHESTRATOR:
		json_object_set_new(b, "name", json_string("context"));
		break;
	case BIND_FN_ACTIVITY:
		json_object_set_new(b, "name", json_string("input"));
		break;
	case BIND_FN_ENTITY:
		json_object_set_new(b, "name", json_string("context"));
		break;
	case BIND_FN_TIMER:
		json_object_set_new(b, "name", json_string("myTimer"));
		json_object_set_new(b, "schedule", json_string(fn->schedule));
		json_object_set_new(b, "runOnStartup",
				    json_boolean(fn->timer_flags & CF_TIMER_RUN_ON_STARTUP));
		json_object_set_new(b, "useMonitor",
				    json_boolean(!(fn->timer_flags & CF_TIMER_NO_MONITOR)));
		break;
	}
	json_array_append_new(bindings, b);
	json_t *config = json_object();
	json_object_set_new(config, "bindings", bindings);
	json_object_set_new(config, "entryPoint", json_string(fn->app->name));
	json_object_set_new(config, "scriptFile", json_string(fn->app->path));
	return config;
}

static json_t *function_metadata(struct host_server *srv, const struct bind_http *h,
				 const struct bind_function *fn)
{
	const char *base = h->base_url;
	const char *prefix = srv->cfg->http.route_prefix;
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "name", json_string(fn->name));
	s = xasprintf("%s/admin/vfs/%s/", base, fn->app->name);
	json_object_set_new(o, "script_root_path_href", json_string(s));
	free(s);
	s = xasprintf("%s/admin/vfs/%s", base, fn->app->path);
	json_object_set_new(o, "script_href", json_string(s));
	free(s);
	json_object_set_new(o, "config_href", json_null());
	json_object_set_new(o, "test_data_href", json_null());
	s = xasprintf("%s/admin/functions/%s", base, fn->name);
	json_object_set_new(o, "href", json_string(s));
	free(s);
	if (fn->kind == BIND_FN_HTTP)
		s = xasprintf("%s/%s%s%s", base, prefix, *prefix ? "/" : "",
			      fn->route ? fn->route : fn->name);
	else
		s = NULL;
	json_object_set_new(o, "invoke_url_template", s ? json_string(s) : json_null());
	free(s);
	json_object_set_new(o, "language", json_string("c"));
	json_object_set_new(o, "config", function_config(fn));
	json_object_set_new(o, "files", json_null());
	json_object_set_new(o, "test_data", json_null());
	json_object_set_new(o, "isDisabled", json_boolean(fn->disabled));
	json_object_set_new(o, "isDirect", json_true());
	json_object_set_new(o, "isProxy", json_false());
	return o;
}

static void list_functions(struct host_server *srv, struct bind_http *h)
{
	json_t *a = json_array();
	size_t n;
	/* A copy: a deploy may change the functions meanwhile (registry.h). */
	struct bind_function **fns = bind_registry_list(srv->reg, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, function_metadata(srv, h, fns[i]));
	free(fns);
	reply_json(h, 200, a);
}

/* "/admin/functions/<name>[/status]" -> the function, or NULL (404). */
static const struct bind_function *function_from_path(struct host_server *srv,
						      const struct bind_http *h, int *status_suffix)
{
	const char *name = h->path + strlen("/admin/functions/");
	const char *slash = strchr(name, '/');
	char buf[160];
	size_t n = slash ? (size_t)(slash - name) : strlen(name);
	*status_suffix = slash && strcasecmp(slash, "/status") == 0;
	if (n == 0 || n >= sizeof(buf) || (slash && !*status_suffix))
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return bind_registry_find(srv->reg, buf);
}

static void get_function(struct host_server *srv, struct bind_http *h)
{
	int status_suffix;
	const struct bind_function *fn = function_from_path(srv, h, &status_suffix);
	if (!fn) {
		h->status = 404;
		return;
	}
	if (status_suffix) {
		json_t *o = json_object();
		json_object_set_new(o, "errors", json_array());
		reply_json(h, 200, o);
		return;
	}
	reply_json(h, 200, function_metadata(srv, h, fn));
}

static host_admin_invoke_fn invoke_hook;

void host_admin_set_invoker(host_admin_invoke_fn fn)
{
	invoke_hook = fn;
}

static void invoke_function(struct host_server *srv, struct bind_http *h)
{
	int status_suffix;
	const struct bind_function *fn = function_from_path(srv, h, &status_suffix);
	json_error_t jerr;
	json_t *body, *input;

	if (!fn || status_suffix) {
		h->status = 404;
		return;
	}
	if (h->body_len == 0) {
		bind_http_set_json(h, 400, "{\"Message\":\"The request body must contain a JSON object with an 'input' property.\"}");
		return;
	}
	body = json_loadb(h->body, h->body_len, JSON_DISABLE_EOF_CHECK * 0, &jerr);
	if (!body || !json_is_object(body)) {
		json_decref(body);
		bind_http_set_json(h, 400, "{\"Message\":\"The request body is not a JSON object.\"}");
		return;
	}
	input = json_object_get(body, "input");
	/* func passes "input" as a string that may hold JSON; a JSON value is accepted too. */
	char *text = !input || json_is_null(input) ? xstrdup("")
		     : json_is_string(input)        ? xstrdup(json_string_value(input))
						    : json_dumps(input, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(body);
	if (!invoke_hook || invoke_hook(srv, fn, text, h) != 0) {
		free(text);
		if (h->status < 400) {
			h->status = 400;
			bind_http_set_json(h, 400, "{\"Message\":\"This function cannot be invoked through the admin API.\"}");
		}
		return;
	}
	free(text);
	h->status = 202;
}

host_endpoint_fn host_admin_route(struct host_server *srv, const char *method, const char *path)
{
	(void)srv;
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;

	if (strncasecmp(path, "/runtime/health", 15) == 0 &&
	    (path[15] == '\0' || strcasecmp(path + 15, "/live") == 0 ||
	     strcasecmp(path + 15, "/ready") == 0))
		return get ? health : NULL;
	if (strncasecmp(path, "/admin/", 7) != 0)
		return NULL;
	if (host_admin_is_key_route(path))
		return host_admin_keys;
	if (strcasecmp(path, "/admin/host/status") == 0 && get)
		return host_status;
	if (strcasecmp(path, "/admin/host/ping") == 0 && (get || post))
		return host_ping;
	if (strcasecmp(path, "/admin/host/reload") == 0 && post)
		return host_reload;
	if ((strcasecmp(path, "/admin/functions") == 0 || strcasecmp(path, "/admin/functions/") == 0) && get)
		return list_functions;
	if (strncasecmp(path, "/admin/functions/", 17) == 0 && path[17]) {
		if (get)
			return get_function;
		if (post)
			return invoke_function;
	}
	return host_admin_not_found;
}

void host_admin_not_found(struct host_server *srv, struct bind_http *h)
{
	(void)srv;
	h->status = 404;
}
