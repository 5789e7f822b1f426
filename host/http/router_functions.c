/*
 * router_functions.c - the HTTP functions' router (router_functions.h).
 */
#include "host/http/router_functions.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct host_router *host_routes_build(const char *prefix, struct bind_function *const *fns,
				      size_t n, char **err)
{
	struct host_router *r = host_router_new();
	for (size_t i = 0; i < n; i++) {
		struct bind_function *fn = fns[i];
		char *rerr = NULL;
		if (fn->kind != BIND_FN_HTTP)
			continue;
		const char *route = fn->route ? fn->route : fn->name;
		char *tmpl = *prefix ? xasprintf("%s/%s", prefix, route) : xstrdup(route);
		int rc = host_router_add(r, tmpl, fn->methods, fn, &rerr);
		free(tmpl);
		if (rc != 0) {
			*err = xasprintf("function '%s' (app '%s'): %s", fn->name, fn->app->name, rerr);
			free(rerr);
			host_router_free(r);
			return NULL;
		}
	}
	host_router_sort(r);
	return r;
}

/* The template without one leading and one trailing '/' (len in *n). */
static const char *trimmed(const char *route, size_t *n)
{
	if (*route == '/')
		route++;
	*n = strlen(route);
	if (*n && route[*n - 1] == '/')
		(*n)--;
	return route;
}

/* NULL or "" is every method. */
static int methods_overlap(const char *a, const char *b)
{
	if (!a || !*a || !b || !*b)
		return 1;
	for (const char *p = a; *p;) {
		size_t len = strcspn(p, ",");
		for (const char *q = b; *q;) {
			size_t qlen = strcspn(q, ",");
			if (len == qlen && strncasecmp(p, q, len) == 0)
				return 1;
			q += qlen + (q[qlen] == ',');
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

char *host_routes_conflict(const struct bind_function *mine, struct bind_function *const *fns,
			   size_t n)
{
	size_t alen, blen;
	if (mine->kind != BIND_FN_HTTP)
		return NULL;
	const char *a = trimmed(mine->route ? mine->route : mine->name, &alen);
	for (size_t i = 0; i < n; i++) {
		const struct bind_function *other = fns[i];
		if (other->kind != BIND_FN_HTTP || other->app == mine->app)
			continue;
		const char *b = trimmed(other->route ? other->route : other->name, &blen);
		if (alen == blen && strncasecmp(a, b, alen) == 0 &&
		    methods_overlap(mine->methods, other->methods))
			return xasprintf("the route '%.*s' of function '%s' is already served by "
					 "function '%s' of app '%s'",
					 (int)alen, a, mine->name, other->name, other->app->name);
	}
	return NULL;
}
