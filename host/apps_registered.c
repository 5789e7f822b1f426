/*
 * apps_registered.c - the host's registry made from the workers'
 * registrations, and deploys that change an app's functions
 * (apps_registered.h).
 */
#include "host/apps_registered.h"

#include "common/wire.h"
#include "common/xalloc.h"
#include "host/http/router_functions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static enum bind_fn_kind kind_of(enum rt_wire_fn_kind k)
{
	switch (k) {
	case RT_WIRE_FN_HTTP: return BIND_FN_HTTP;
	case RT_WIRE_FN_ORCHESTRATOR: return BIND_FN_ORCHESTRATOR;
	case RT_WIRE_FN_ACTIVITY: return BIND_FN_ACTIVITY;
	case RT_WIRE_FN_TIMER: return BIND_FN_TIMER;
	case RT_WIRE_FN_ENTITY: return BIND_FN_ENTITY;
	}
	return BIND_FN_HTTP; /* the decoder refuses other values */
}

static const char *kind_word(enum bind_fn_kind k)
{
	switch (k) {
	case BIND_FN_HTTP: return "HTTP";
	case BIND_FN_ORCHESTRATOR: return "orchestrator";
	case BIND_FN_ACTIVITY: return "activity";
	case BIND_FN_TIMER: return "timer";
	case BIND_FN_ENTITY: return "entity";
	}
	return "?";
}

/* AzureWebJobs.<name>.Disabled=true (or 1), as main.c marks loaded ones. */
static int disabled_by_setting(const char *name)
{
	char *key = xasprintf("AzureWebJobs.%s.Disabled", name);
	const char *v = getenv(key);
	free(key);
	return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* A function of `app` as the host keeps it: what was registered, no code. */
static struct bind_function *function_of(struct bind_app *app, const struct rt_wire_function *f)
{
	struct bind_function *fn = xcalloc(1, sizeof(*fn));
	fn->name = xstrdup(f->name);
	fn->kind = kind_of(f->kind);
	fn->app = app;
	fn->methods = f->methods ? xstrdup(f->methods) : NULL;
	fn->route = f->route ? xstrdup(f->route) : NULL;
	fn->schedule = f->schedule ? xstrdup(f->schedule) : NULL;
	fn->timer_flags = f->flags;
	fn->auth = (cf_auth_level)f->auth;
	fn->disabled = disabled_by_setting(f->name);
	return fn;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_as(const struct bind_function *fn, const struct rt_wire_function *f)
{
	return fn->kind == kind_of(f->kind) && same_str(fn->route, f->route) &&
	       same_str(fn->methods, f->methods) && (uint32_t)fn->auth == f->auth &&
	       same_str(fn->schedule, f->schedule) && fn->timer_flags == f->flags;
}

/* Adds what `app` registered: 0, or -1 with *err for a name another app has. */
static int add_functions(struct bind_registry *reg, struct bind_app *app,
			 const struct rt_wire_registration *r, char **err)
{
	for (size_t i = 0; i < r->nfns; i++) {
		struct bind_function *clash = NULL;
		if (!bind_function_name_valid(r->fns[i].name)) {
			*err = xasprintf("app '%s' registered an invalid function name '%s'", app->name,
					 r->fns[i].name);
			return -1;
		}
		if (bind_registry_add(reg, function_of(app, &r->fns[i]), &clash) != 0) {
			/* The text the in-process load gives (bindings/api.c). */
			*err = xasprintf("function '%s' is defined by both app '%s' and app '%s'",
					 r->fns[i].name, clash->app->name, app->name);
			return -1;
		}
	}
	return 0;
}

size_t host_apps_count_files(const char *root, char *const *paths, size_t npaths)
{
	size_t n;
	host_apps_files_free(host_apps_files(root, paths, npaths, &n));
	return n;
}

int host_apps_start_in_workers(struct bind_registry *reg, struct host_workers *w,
			       const char *root, char *const *paths, size_t npaths,
			       host_apps_report_fn report, char **err)
{
	size_t n;
	char **files = host_apps_files(root, paths, npaths, &n);
	struct bind_app **apps = xcalloc(n ? n : 1, sizeof(*apps));
	const struct rt_wire_registration **regs = xcalloc(n ? n : 1, sizeof(*regs));
	char **reasons = xcalloc(n ? n : 1, sizeof(*reasons));
	for (size_t i = 0; i < n; i++)
		apps[i] = host_apps_new_unloaded(reg, files[i]);
	int rc = host_workers_add_apps(w, (const struct bind_app *const *)apps, n, regs, reasons,
				       err);
	for (size_t i = 0; i < n; i++) {
		/* An app with workers is the registry's, even when the start-up
		 * failed: its pool names it until host_workers_stop. */
		if (!regs[i]) {
			if (rc == 0 && reasons[i]) {
				/* Refused as the host would refuse it: the reason, one line. */
				for (char *p = reasons[i]; *p; p++)
					if (*p == '\n')
						*p = ' ';
				report(reasons[i]);
			}
			free(reasons[i]);
			host_apps_free_unloaded(apps[i]);
			continue;
		}
		host_apps_add(reg, apps[i]);
		if (rc == 0)
			rc = add_functions(reg, apps[i], regs[i], err);
	}
	free(reasons);
	free(regs);
	free(apps);
	host_apps_files_free(files);
	return rc;
}

/* ---- deploys ------------------------------------------------------------ */

static const struct bind_function *find_in(struct bind_function *const *fns, size_t n,
					   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(fns[i]->name, name) == 0)
			return fns[i];
	return NULL;
}

/* The timer function `f` is the app's already, with the same schedule. */
static int same_timer(struct bind_function *const *all, size_t n, const struct bind_app *app,
		      const struct rt_wire_function *f)
{
	const struct bind_function *fn = find_in(all, n, f->name);
	return fn && fn->app == app && same_as(fn, f);
}

/* The app's functions now are exactly `fresh`, seen through "functions". */
static int unchanged(const struct bind_registry *reg, struct bind_function *const *all, size_t n,
		     const struct bind_app *app, const struct rt_wire_registration *fresh)
{
	size_t mine = 0, kept = 0;
	for (size_t i = 0; i < n; i++)
		mine += all[i]->app == app;
	for (size_t i = 0; i < fresh->nfns; i++) {
		const struct rt_wire_function *f = &fresh->fns[i];
		if (!bind_registry_wanted(reg, f->name))
			continue;
		const struct bind_function *fn = find_in(all, n, f->name);
		if (!fn || fn->app != app || !same_as(fn, f))
			return 0;
		kept++;
	}
	return kept == mine;
}

int host_deploy_check(void *ctx, const struct bind_app *app,
		      const struct rt_wire_registration *fresh, char **err)
{
	struct host_deploy *d = ctx;
	size_t n, nothers = 0;
	struct bind_function **all = bind_registry_list(d->reg, &n);
	struct bind_function **next = xcalloc(n + fresh->nfns + 1, sizeof(*next));
	struct bind_app *self = (struct bind_app *)app; /* for the temporary functions */
	size_t nnext = 0;
	int rc = 0;

	if (unchanged(d->reg, all, n, app, fresh))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (all[i]->app != app)
			next[nothers++] = all[i];
	nnext = nothers;
	for (size_t i = 0; i < fresh->nfns && rc == 0; i++) {
		const struct rt_wire_function *f = &fresh->fns[i];
		enum bind_fn_kind k = kind_of(f->kind);
		const struct bind_function *other;
		if (!bind_registry_wanted(d->reg, f->name))
			continue;
		if (!bind_function_name_valid(f->name)) {
			*err = xasprintf("invalid function name '%s'", f->name);
			rc = -1;
		} else if ((other = find_in(next, nothers, f->name))) {
			*err = xasprintf("function '%s' is defined by both app '%s' and app '%s'",
					 f->name, other->app->name, app->name);
			rc = -1;
		} else if (k == BIND_FN_TIMER && !same_timer(all, n, app, f)) {
			/* The schedules are set when the host starts. */
			*err = xasprintf("it adds or changes the timer function '%s': restart the "
					 "host to schedule it",
					 f->name);
			rc = -1;
		} else if ((k == BIND_FN_ORCHESTRATOR || k == BIND_FN_ACTIVITY || k == BIND_FN_ENTITY) &&
			   !d->durable_on) {
			*err = xasprintf("it registers the %s function '%s', but the host started "
					 "without durable functions and runs no task hub: restart the "
					 "host to serve it",
					 kind_word(k), f->name);
			rc = -1;
		} else {
			struct bind_function *fn = function_of(self, f);
			char *conflict = host_routes_conflict(fn, next, nothers);
			next[nnext++] = fn;
			if (conflict) {
				*err = conflict;
				rc = -1;
			}
		}
	}
	if (rc == 0) {
		char *why = NULL;
		struct host_router *r = host_routes_build(d->route_prefix, next, nnext, &why);
		if (!r) {
			*err = why;
			rc = -1;
		}
		host_router_free(r);
	}
	for (size_t i = nothers; i < nnext; i++)
		bind_function_free(next[i]);
out:
	free(next);
	free(all);
	return rc;
}

/* Appends ", name" (or "name") to *list. */
static void list_add(char **list, const char *name)
{
	char *s = *list ? xasprintf("%s, %s", *list, name) : xstrdup(name);
	free(*list);
	*list = s;
}

void host_deploy_publish(void *ctx, const struct bind_app *app,
			 const struct rt_wire_registration *fresh, char **changes)
{
	struct host_deploy *d = ctx;
	size_t n, nnew = 0;
	struct bind_function **all = bind_registry_list(d->reg, &n);
	char *added = NULL, *removed = NULL, *changed = NULL;

	*changes = NULL;
	if (!app->in_workers_only || unchanged(d->reg, all, n, app, fresh)) {
		free(all);
		return;
	}
	struct bind_function **fns = xcalloc(fresh->nfns + 1, sizeof(*fns));
	for (size_t i = 0; i < fresh->nfns; i++) {
		const struct rt_wire_function *f = &fresh->fns[i];
		if (!bind_registry_wanted(d->reg, f->name))
			continue;
		const struct bind_function *old = find_in(all, n, f->name);
		if (!old)
			list_add(&added, f->name);
		else if (!same_as(old, f))
			list_add(&changed, f->name);
		fns[nnew++] = function_of((struct bind_app *)app, f);
	}
	for (size_t i = 0; i < n; i++) {
		int kept = 0;
		if (all[i]->app != app)
			continue;
		for (size_t j = 0; j < nnew && !kept; j++)
			kept = strcasecmp(fns[j]->name, all[i]->name) == 0;
		if (!kept)
			list_add(&removed, all[i]->name);
	}
	free(all);
	/* host_deploy_check saw no clash, and only this thread changes apps. */
	if (bind_registry_replace_app(d->reg, app, fns, nnew, NULL) != 0) {
		for (size_t j = 0; j < nnew; j++)
			bind_function_free(fns[j]);
	}
	free(fns);
	if (d->router) {
		char *why = NULL;
		all = bind_registry_list(d->reg, &n);
		struct host_router *r = host_routes_build(d->route_prefix, all, n, &why);
		if (r)
			host_router_replace(d->router, r);
		free(why); /* checked before: the templates compiled then */
		free(all);
	}
	/* "functions added: a, b; removed: c; changed: d", the empty parts left out. */
	char *text = xstrdup("functions");
	const char *label[] = {"added", "removed", "changed"};
	char *part[] = {added, removed, changed};
	int first = 1;
	for (int i = 0; i < 3; i++) {
		if (!part[i])
			continue;
		char *next = xasprintf("%s%s %s: %s", text, first ? "" : ";", label[i], part[i]);
		free(text);
		text = next;
		first = 0;
		free(part[i]);
	}
	if (first) { /* the same functions, in another order */
		free(text);
		text = xstrdup("functions reordered");
	}
	*changes = text;
}
