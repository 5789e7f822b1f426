/*
 * registry.h - the functions the loaded apps registered.
 *
 * The registry owns every bind_app and bind_function in it. It is built
 * once at start-up on the main thread and then only read, so lookups need
 * no lock. Names are compared case-insensitively, as the Functions host does.
 */
#ifndef BIND_REGISTRY_H
#define BIND_REGISTRY_H

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
	int duplicate;       /* error is a name clash with another app: fatal */
};

struct bind_function {
	char *name;
	enum bind_fn_kind kind;
	struct bind_app *app; /* borrowed from the registry */
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

/* Drops every function of `app` (a refused app). */
void bind_registry_remove_app(struct bind_registry *reg, const struct bind_app *app);

const char *bind_fn_kind_trigger(enum bind_fn_kind kind); /* "httpTrigger", ... */

#endif
