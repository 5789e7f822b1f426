#include "bindings/registry.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void bind_registry_init(struct bind_registry *reg)
{
	memset(reg, 0, sizeof(*reg));
	pthread_mutex_init(&reg->lock, NULL);
}

/* The lock guards the list, not the registry's constness: readers that
 * hold a const registry still take it. */
static void lock(const struct bind_registry *reg)
{
	pthread_mutex_lock((pthread_mutex_t *)&reg->lock);
}

static void unlock(const struct bind_registry *reg)
{
	pthread_mutex_unlock((pthread_mutex_t *)&reg->lock);
}

void bind_function_free(struct bind_function *fn)
{
	free(fn->name);
	free(fn->methods);
	free(fn->route);
	free(fn->schedule);
	free(fn);
}

void bind_registry_cleanup(struct bind_registry *reg)
{
	for (size_t i = 0; i < reg->nfns; i++)
		bind_function_free(reg->fns[i]);
	free(reg->fns);
	for (size_t i = 0; i < reg->nretired; i++)
		bind_function_free(reg->retired[i]);
	free(reg->retired);
	/* Apps unload in reverse load order, like destructors. */
	for (size_t i = reg->napps; i-- > 0;) {
		struct bind_app *app = reg->apps[i];
		if (app->fini)
			app->fini(app->fini_user);
		if (app->dl && app->close_dl)
			app->close_dl(app->dl);
		rt_arena_cleanup(&app->arena);
		free(app->name);
		free(app->path);
		free(app->error);
		free(app);
	}
	free(reg->apps);
	for (size_t i = 0; i < reg->nonly; i++)
		free(reg->only[i]);
	free(reg->only);
	pthread_mutex_destroy(&reg->lock);
	memset(reg, 0, sizeof(*reg));
	pthread_mutex_init(&reg->lock, NULL); /* usable again, as after init */
}

int bind_function_name_valid(const char *name)
{
	size_t n = 0;
	if (!name || !isalpha((unsigned char)name[0]))
		return 0;
	for (const char *p = name; *p; p++, n++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return n <= 128 && strcasecmp(name, "host") != 0;
}

static struct bind_function *find_locked(const struct bind_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->nfns; i++)
		if (strcasecmp(reg->fns[i]->name, name) == 0)
			return reg->fns[i];
	return NULL;
}

struct bind_function *bind_registry_find(const struct bind_registry *reg, const char *name)
{
	lock(reg);
	struct bind_function *fn = find_locked(reg, name);
	unlock(reg);
	return fn;
}

struct bind_function *bind_registry_find_kind(const struct bind_registry *reg, const char *name,
					      enum bind_fn_kind kind)
{
	struct bind_function *fn = bind_registry_find(reg, name);
	return fn && fn->kind == kind ? fn : NULL;
}

int bind_registry_wanted(const struct bind_registry *reg, const char *name)
{
	if (!reg->only)
		return 1;
	for (size_t i = 0; i < reg->nonly; i++)
		if (strcasecmp(reg->only[i], name) == 0)
			return 1;
	return 0;
}

int bind_registry_add(struct bind_registry *reg, struct bind_function *fn,
		      struct bind_function **clash)
{
	lock(reg);
	struct bind_function *old = find_locked(reg, fn->name);
	int keep = !old && bind_registry_wanted(reg, fn->name);
	if (keep) {
		RT_VEC_RESERVE(reg->fns, reg->capfns, reg->nfns + 1, 16);
		reg->fns[reg->nfns++] = fn;
	}
	unlock(reg);
	if (old && clash)
		*clash = old;
	if (!keep)
		bind_function_free(fn);
	return old ? -1 : 0;
}

struct bind_function **bind_registry_list(const struct bind_registry *reg, size_t *n)
{
	lock(reg);
	struct bind_function **copy = xcalloc(reg->nfns + 1, sizeof(*copy));
	if (reg->nfns) /* fns is NULL when nothing registered */
		memcpy(copy, reg->fns, reg->nfns * sizeof(*copy));
	*n = reg->nfns;
	unlock(reg);
	return copy;
}

int bind_registry_replace_app(struct bind_registry *reg, const struct bind_app *app,
			      struct bind_function **fns, size_t n, struct bind_function **clash)
{
	lock(reg);
	for (size_t i = 0; i < n; i++) {
		struct bind_function *old = find_locked(reg, fns[i]->name);
		if (old && old->app != app) {
			unlock(reg);
			if (clash)
				*clash = old;
			return -1;
		}
	}
	size_t j = 0;
	for (size_t i = 0; i < reg->nfns; i++) {
		if (reg->fns[i]->app == app) {
			RT_VEC_RESERVE(reg->retired, reg->capretired, reg->nretired + 1, 16);
			reg->retired[reg->nretired++] = reg->fns[i];
		} else {
			reg->fns[j++] = reg->fns[i];
		}
	}
	reg->nfns = j;
	for (size_t i = 0; i < n; i++) {
		if (!bind_registry_wanted(reg, fns[i]->name)) {
			bind_function_free(fns[i]);
			continue;
		}
		RT_VEC_RESERVE(reg->fns, reg->capfns, reg->nfns + 1, 16);
		reg->fns[reg->nfns++] = fns[i];
	}
	unlock(reg);
	return 0;
}

void bind_registry_remove_app(struct bind_registry *reg, const struct bind_app *app)
{
	size_t j = 0;
	lock(reg);
	for (size_t i = 0; i < reg->nfns; i++) {
		if (reg->fns[i]->app == app)
			bind_function_free(reg->fns[i]);
		else
			reg->fns[j++] = reg->fns[i];
	}
	reg->nfns = j;
	unlock(reg);
}

const char *bind_fn_kind_trigger(enum bind_fn_kind kind)
{
	switch (kind) {
	case BIND_FN_HTTP:
		return "httpTrigger";
	case BIND_FN_ORCHESTRATOR:
		return "orchestrationTrigger";
	case BIND_FN_ACTIVITY:
		return "activityTrigger";
	case BIND_FN_TIMER:
		return "timerTrigger";
	case BIND_FN_ENTITY:
		return "entityTrigger";
	}
	return "unknown";
}
