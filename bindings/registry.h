/*
 * registry.h - the functions the loaded apps registered.
 *
 * The registry owns every bind_app and bind_function in it. It is built
 * at start-up on the main thread. With worker processes an app deployed
 * again may replace its functions while the host serves
 * (bind_registry_replace_app), so lookups and bind_registry_list take the
 * registry's lock; a bind_function never changes once it is in the
 * registry, and a replaced one stays allocated until cleanup, because a
 * call routed before the change may still hold it. Iterating fns directly
 * is for the start-up thread only. Names are compared case-insensitively,
 * as the Functions host does.
 */
#ifndef BIND_REGISTRY_H
#define BIND_REGISTRY_H

#include <pthread.h>
#include <stddef.h>

#include "cfunc.h"
#include "bindings/context.h"

enum bind_fn_kind {
	BIND_FN_HTTP,
	BIND_FN_ORCHESTRATOR,
	BIND_FN_ACTIVITY,
	BIND_FN_TIMER,
	BIND_FN_ENTITY,
};

struct bind_app {
	struct bind_ctx ctx; /* first: a cf_app * is a bind_ctx * for cf_log */
	struct rt_arena arena;
	char *name;          /* file name without ".so" */
	char *path;
	void *dl;            /* dlopen handle, owned */
	/* Closes dl (dlclose). Set by the loader (host/apps.c), which owns
	 * dlfcn: this layer frees apps without depending on the loader. */
	int (*close_dl)(void *dl);
	cf_fini_fn fini;
	void *fini_user;
	struct bind_registry *reg; /* where init registers */
	char *error;         /* first registration error, malloc'd */
	/* The host did not load it: its workers did, and its functions were
	 * made from their registration, without code (host/apps_registered.c). */
	int in_workers_only;
	int duplicate;       /* error is a name clash with another app: fatal */
};

struct bind_function {
	char *name;
	enum bind_fn_kind kind;
	struct bind_app *app; /* borrowed from the registry */
	/* The code; all NULL when the app runs in worker processes only. */
	cf_http_fn http;
	cf_orch_fn orch;
	cf_act_fn act;
	cf_timer_fn timer;
	cf_entity_fn entity;
	char *schedule;       /* timers: the expression after %Setting% resolution */
	unsigned timer_flags; /* CF_TIMER_* */
	char *methods;        /* "GET,POST" upper case, NULL = all */
	char *route;          /* template under the prefix; NULL = the name */
	cf_auth_level auth;
	int disabled;         /* AzureWebJobs.<Name>.Disabled=true */
};

struct bind_registry {
	struct bind_function **fns;
	size_t nfns, capfns;
	struct bind_app **apps;
	size_t napps, capapps;
	/* host.json "functions": only these names are indexed (NULL = all). */
	char **only;
	size_t nonly;
	/* Guards fns/nfns once threads run; replaced functions wait in
	 * `retired` for cleanup. */
	pthread_mutex_t lock;
	struct bind_function **retired;
	size_t nretired, capretired;
};

void bind_registry_init(struct bind_registry *reg);
/* Calls each app's fini, closes its handle (close_dl) and frees everything. */
void bind_registry_cleanup(struct bind_registry *reg);

/* Valid function name: ^[A-Za-z][A-Za-z0-9_-]{0,127}$ and not "host". */
int bind_function_name_valid(const char *name);

/* Looks a function up by name (case-insensitive); NULL when absent. */
struct bind_function *bind_registry_find(const struct bind_registry *reg, const char *name);
struct bind_function *bind_registry_find_kind(const struct bind_registry *reg, const char *name,
					      enum bind_fn_kind kind);

/* Adds `fn` (taking ownership). Returns 0, or -1 when a function of the same
 * name exists (*clash gets it). Functions filtered out by `only` are freed
 * and 0 returned. */
int bind_registry_add(struct bind_registry *reg, struct bind_function *fn,
		      struct bind_function **clash);

/* A copy of the function list as it is now, in registration order (*n
 * entries; malloc'd, the caller frees the array, not the functions, which
 * live until cleanup). Any thread. */
struct bind_function **bind_registry_list(const struct bind_registry *reg, size_t *n);

/*
 * Replaces the functions of `app` by fns[0..n) in one step: a lookup sees
 * either the old set or the new one. Takes ownership of the new functions
 * (those left out by `only` are freed); the old ones are kept until
 * cleanup. Returns 0, or -1 (nothing changed, fns still the caller's) when
 * a name belongs to another app: *clash gets that function. Any thread.
 */
int bind_registry_replace_app(struct bind_registry *reg, const struct bind_app *app,
			      struct bind_function **fns, size_t n, struct bind_function **clash);

/* 1 when host.json "functions" keeps `name` (or lists nothing). */
int bind_registry_wanted(const struct bind_registry *reg, const char *name);

/* Frees a function that is in no registry (name, methods, route, schedule). */
void bind_function_free(struct bind_function *fn);

/* Drops every function of `app` (a refused app). */
void bind_registry_remove_app(struct bind_registry *reg, const struct bind_app *app);

const char *bind_fn_kind_trigger(enum bind_fn_kind kind); /* "httpTrigger", ... */

#endif
