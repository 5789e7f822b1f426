/*
 * admin_functions.c - GET /admin/host/functions: every registered function
 * in one flat list, as the dashboard's Functions page shows it (name, kind,
 * app, route and URL, methods, auth level, schedule, disabled), plus the
 * worker processes' state.
 *
 * /admin/functions keeps func's function.json-shaped answer for tools that
 * expect it; this one is cfunc's own and documented in the README.
 * "workers" is null when apps run in the host process; with
 * worker processes (the default) it lists each app's workers (pid, state, calls served,
 * what runs now), the app's state, and the recent crashes, from one
 * snapshot of the supervisor. Names and ids only: no environment, no keys,
 * no payloads.
 */
#include "host/endpoints/admin_dashboard.h"

#include "common/isotime.h"
#include "host/worker/supervisor.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *auth_level(cf_auth_level a)
{
	return a == CF_AUTH_ANONYMOUS ? "anonymous" : a == CF_AUTH_ADMIN ? "admin" : "function";
}

static json_t *methods_json(const char *methods)
{
	if (!methods) /* every method */
		return json_null();
	json_t *a = json_array();
	const char *p = methods;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n + (comma ? 1 : 0);
	}
	return a;
}

static json_t *function_json(const struct host_server *srv, const struct bind_http *h,
			     const struct bind_function *fn)
{
	const char *prefix = srv->cfg->http.route_prefix;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(fn->name));
	json_object_set_new(o, "kind", json_string(bind_fn_kind_trigger(fn->kind)));
	json_object_set_new(o, "app", json_string(fn->app->name));
	json_object_set_new(o, "disabled", json_boolean(fn->disabled));
	if (fn->kind == BIND_FN_HTTP) {
		const char *route = fn->route ? fn->route : fn->name;
		char *url = NULL;
		size_t len = strlen(h->base_url) + strlen(prefix) + strlen(route) + 3;
		url = malloc(len);
		if (url)
			snprintf(url, len, "%s/%s%s%s", h->base_url, prefix, *prefix ? "/" : "", route);
		json_object_set_new(o, "route", json_string(route));
		json_object_set_new(o, "url", url ? json_string(url) : json_null());
		free(url);
		json_object_set_new(o, "methods", methods_json(fn->methods));
		json_object_set_new(o, "authLevel", json_string(auth_level(fn->auth)));
	} else {
		json_object_set_new(o, "route", json_null());
		json_object_set_new(o, "url", json_null());
		json_object_set_new(o, "methods", json_null());
		json_object_set_new(o, "authLevel", json_null());
	}
	json_object_set_new(o, "schedule",
			    fn->kind == BIND_FN_TIMER && fn->schedule ? json_string(fn->schedule)
								      : json_null());
	return o;
}

/* "" -> null: the records keep absent ids as empty strings. */
static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *time_json(int64_t us)
{
	char buf[40];
	if (us <= 0)
		return json_null();
	rt_format_time_7(us, buf);
	return json_string(buf);
}

/* The call's function, trigger and ids (into o). */
static void call_fields(json_t *o, const struct host_worker_call *c)
{
	json_object_set_new(o, "function", json_string(c->function));
	json_object_set_new(o, "trigger", json_string(host_call_kind_name(c->kind)));
	json_object_set_new(o, "instanceId", text_or_null(c->instance));
	json_object_set_new(o, "invocationId", text_or_null(c->invocation));
}

static json_t *worker_json(const struct host_worker_info *wi)
{
	json_t *o = json_object();
	json_object_set_new(o, "pid", json_integer(wi->pid));
	json_object_set_new(o, "slot", json_integer(wi->slot));
	json_object_set_new(o, "state", json_string(host_worker_state_name(wi->state)));
	json_object_set_new(o, "episodes", json_boolean(wi->episodes));
	json_object_set_new(o, "started", time_json(wi->started_us));
	json_object_set_new(o, "served", json_integer(wi->served));
	if (wi->busy) {
		json_t *cur = json_object();
		call_fields(cur, &wi->call);
		json_object_set_new(cur, "since", time_json(wi->call.since_us));
		json_object_set_new(o, "current", cur);
	} else {
		json_object_set_new(o, "current", json_null());
	}
	return o;
}

static json_t *crash_json(const struct host_worker_crash *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "time", time_json(c->at_us));
	json_object_set_new(o, "app", json_string(c->app));
	json_object_set_new(o, "pid", json_integer(c->pid));
	call_fields(o, &c->call);
	json_object_set_new(o, "signal", json_string(c->status));
	json_object_set_new(o, "timedOut", json_boolean(c->timed_out));
	json_object_set_new(o, "replacedBy", c->replaced_by ? json_integer(c->replaced_by) : json_null());
	return o;
}

/* {"apps":[{app,state,reason,workers:[…]}],"recentCrashes":[…]}, or null
 * without worker processes. */
static json_t *workers_json(struct host_server *srv)
{
	if (!srv->workers)
		return json_null();
	struct host_workers_snapshot *s = host_workers_snapshot(srv->workers);
	json_t *o = json_object(), *apps = json_array(), *crashes = json_array();
	for (size_t i = 0; i < s->napps; i++) {
		const struct host_app_workers *a = &s->apps[i];
		json_t *ao = json_object(), *ws = json_array();
		json_object_set_new(ao, "app", json_string(a->app));
		json_object_set_new(ao, "state", json_string(a->failed ? "failed" : "ok"));
		json_object_set_new(ao, "reason", a->failed ? json_string(a->reason) : json_null());
		for (size_t j = 0; j < a->nworkers; j++)
			json_array_append_new(ws, worker_json(&a->workers[j]));
		json_object_set_new(ao, "workers", ws);
		json_array_append_new(apps, ao);
	}
	for (size_t i = 0; i < s->ncrashes; i++)
		json_array_append_new(crashes, crash_json(&s->crashes[i]));
	host_workers_snapshot_free(s);
	json_object_set_new(o, "apps", apps);
	json_object_set_new(o, "recentCrashes", crashes);
	return o;
}

static int by_name(const void *a, const void *b)
{
	return strcasecmp((*(struct bind_function *const *)a)->name,
			  (*(struct bind_function *const *)b)->name);
}

static void functions(struct host_server *srv, struct bind_http *h)
{
	size_t n;
	/* A copy: a deploy may change the functions meanwhile (registry.h). */
	struct bind_function **sorted = bind_registry_list(srv->reg, &n);
	json_t *o = json_object(), *arr = json_array();
	char *text;
	qsort(sorted, n, sizeof(*sorted), by_name);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, function_json(srv, h, sorted[i]));
	free(sorted);
	json_object_set_new(o, "functions", arr);
	json_object_set_new(o, "workers", workers_json(srv));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	bind_http_set_json(h, 200, text);
	free(text);
	json_decref(o);
}

host_endpoint_fn host_admin_functions_route(struct host_server *srv, const char *method,
					    const char *path)
{
	(void)srv;
	if (strcasecmp(path, "/admin/host/functions") != 0)
		return NULL;
	return strcmp(method, "GET") == 0 ? functions : host_admin_not_found;
}
