/*
 * admin_functions.c - GET /admin/host/functions: every registered function
 * in one flat list, as the dashboard's Functions page shows it (name, kind,
 * app, route and URL, methods, auth level, schedule, disabled), plus the
 * worker processes' state.
 *
 * /admin/functions keeps func's function.json-shaped answer for tools that
 * expect it; this one is cfunc's own and documented in the README. "workers"
 * is null because apps run in the host process today; it will list the
 * worker processes (pid, state, restarts, last crash) once they exist.
 */
#include "host/endpoints/admin_dashboard.h"

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
	json_t *a = json_array();
	const char *p = methods;
	if (!methods) /* every method */
		return json_null();
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

static int by_name(const void *a, const void *b)
{
	return strcasecmp((*(struct bind_function *const *)a)->name,
			  (*(struct bind_function *const *)b)->name);
}

static void functions(struct host_server *srv, struct bind_http *h)
{
	size_t n = srv->reg->nfns;
	struct bind_function **sorted = calloc(n + 1, sizeof(*sorted));
	json_t *o = json_object(), *arr = json_array();
	char *text;
	if (!sorted) {
		h->status = 500;
		json_decref(o);
		json_decref(arr);
		return;
	}
	if (n)
		memcpy(sorted, srv->reg->fns, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_name);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, function_json(srv, h, sorted[i]));
	free(sorted);
	json_object_set_new(o, "functions", arr);
	json_object_set_new(o, "workers", json_null());
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
