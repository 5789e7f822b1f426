#include "host/apps.h"
#include "bindings/api.h"
#include "host/http/router.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *app_name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".so") == 0)
		n -= 3;
	return xstrndup(base, n);
}

static void refuse(host_apps_report_fn report, const struct bind_app *app, const char *reason)
{
	char *line = xasprintf("Refusing app '%s' (%s): %s", app->name, app->path, reason);
	/* A reason from dlerror() may span lines; the report is one line. */
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	report(line);
	free(line);
}

static void discard(struct bind_registry *reg, struct bind_app *app)
{
	bind_registry_remove_app(reg, app);
	if (app->dl)
		dlclose(app->dl);
	rt_arena_cleanup(&app->arena);
	free(app->name);
	free(app->path);
	free(app->error);
	free(app);
}

/* A bad route template refuses its app now rather than failing the host
 * later when the server builds its router. */
static int check_routes(struct bind_registry *reg, struct bind_app *app)
{
	struct host_router *r = host_router_new();
	int rc = 0;
	for (size_t i = 0; i < reg->nfns && rc == 0; i++) {
		const struct bind_function *fn = reg->fns[i];
		char *err = NULL;
		if (fn->app != app || fn->kind != BIND_FN_HTTP)
			continue;
		if (host_router_add(r, fn->route ? fn->route : fn->name, fn->methods, NULL, &err) != 0) {
			app->error = xasprintf("function '%s': %s", fn->name, err);
			rc = -1;
		}
		free(err);
	}
	host_router_free(r);
	return rc;
}

/* The table apps get; a worker process swaps in one whose durable-client
 * calls go to the host (host/worker/worker_client.c). */
static const struct cf_api *app_api = &bind_api;

void host_apps_set_api(const struct cf_api *api)
{
	app_api = api ? api : &bind_api;
}

int host_apps_load_one(struct bind_registry *reg, const char *path, host_apps_report_fn report,
		       char **err)
{
	struct bind_app *app = xcalloc(1, sizeof(*app));
	struct cf_app_abi built = CF_APP_ABI_INIT;
	char reason[512];
	cf_app_entry_fn entry;
	cf_rc rc;

	app->name = app_name_of(path);
	app->path = xstrdup(path);
	app->reg = reg;
	rt_arena_init(&app->arena);
	bind_ctx_init(&app->ctx, BIND_CTX_APP, NULL, &app->arena);

	app->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!app->dl) {
		refuse(report, app, dlerror());
		discard(reg, app);
		return 1;
	}
	app->close_dl = dlclose; /* the registry unloads without including dlfcn.h */
	*(void **)&entry = dlsym(app->dl, "cf_app_entry");
	if (!entry) {
		refuse(report, app, "no entry symbol 'cf_app_entry' (define it with CF_APP_INIT)");
		discard(reg, app);
		return 1;
	}
	rc = entry(app_api, (cf_app *)app, &built);
	/* Before 2.0 the entry knew nothing of `built` and returned codes of
	 * its own; it never ran init against this host's table. */
	if (built.abi_major == 0) {
		snprintf(reason, sizeof(reason),
			 "built against a cfunc.h older than ABI 2.0 (entry returned %d), "
			 "the host provides %d.%d: rebuild it",
			 (int)rc, CF_ABI_MAJOR, CF_ABI_MINOR);
		refuse(report, app, reason);
		discard(reg, app);
		return 1;
	}
	/* The codes alone could also come from a confused init: trust them
	 * only when the versions the entry wrote disagree with the host's. */
	if ((rc == CF_E_ABI_MAJOR && built.abi_major != CF_ABI_MAJOR) ||
	    (rc == CF_E_ABI_MINOR && built.abi_minor > CF_ABI_MINOR)) {
		if (rc == CF_E_ABI_MAJOR)
			snprintf(reason, sizeof(reason), "built for ABI major %u, the host provides %d",
				 (unsigned)built.abi_major, CF_ABI_MAJOR);
		else
			snprintf(reason, sizeof(reason), "built for ABI %u.%u, the host provides %d.%d",
				 (unsigned)built.abi_major, (unsigned)built.abi_minor, CF_ABI_MAJOR,
				 CF_ABI_MINOR);
		refuse(report, app, reason);
		discard(reg, app);
		return 1;
	}
	if (app->duplicate) {
		*err = xstrdup(app->error);
		discard(reg, app);
		return -1;
	}
	if (rc != 0) {
		snprintf(reason, sizeof(reason), "init failed (returned %d)%s%s", (int)rc,
			 app->error ? ": " : "", app->error ? app->error : "");
		refuse(report, app, reason);
		discard(reg, app);
		return 1;
	}
	if (app->error || check_routes(reg, app) != 0) {
		refuse(report, app, app->error);
		discard(reg, app);
		return 1;
	}
	RT_VEC_RESERVE(reg->apps, reg->capapps, reg->napps + 1, 8);
	reg->apps[reg->napps++] = app;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the "*.so" files of `dir` to *files, in name order. */
static void list_dir(const char *dir, char ***files, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t from = *n;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0 || de->d_name[0] == '.')
			continue;
		RT_VEC_RESERVE(*files, *cap, *n + 1, 16);
		(*files)[(*n)++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(*files + from, *n - from, sizeof(**files), cmp_str);
}

char **host_apps_files(const char *root, char *const *paths, size_t npaths, size_t *n)
{
	char **files = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		char *full = paths[i][0] == '/' ? xstrdup(paths[i]) : xasprintf("%s/%s", root, paths[i]);
		if (stat(full, &st) != 0) {
			/* host_apps_report_missing() said so, if it was listed. */
			free(full);
		} else if (S_ISDIR(st.st_mode)) {
			list_dir(full, &files, n, &cap);
			free(full);
		} else {
			RT_VEC_RESERVE(files, cap, *n + 1, 16);
			files[(*n)++] = full;
		}
	}
	RT_VEC_RESERVE(files, cap, *n + 1, 16);
	files[*n] = NULL;
	return files;
}

void host_apps_files_free(char **files)
{
	for (size_t i = 0; files && files[i]; i++)
		free(files[i]);
	free(files);
}

int host_apps_load(struct bind_registry *reg, const char *root, char *const *paths,
		   size_t npaths, host_apps_report_fn report, char **err)
{
	size_t n;
	char **files = host_apps_files(root, paths, npaths, &n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (host_apps_load_one(reg, files[i], report, err) < 0)
			rc = -1;
	host_apps_files_free(files);
	return rc;
}

struct bind_app *host_apps_new_unloaded(struct bind_registry *reg, const char *path)
{
	struct bind_app *app = xcalloc(1, sizeof(*app));
	app->name = app_name_of(path);
	app->path = xstrdup(path);
	app->reg = reg;
	app->in_workers_only = 1;
	rt_arena_init(&app->arena);
	bind_ctx_init(&app->ctx, BIND_CTX_APP, NULL, &app->arena);
	return app;
}

void host_apps_add(struct bind_registry *reg, struct bind_app *app)
{
	RT_VEC_RESERVE(reg->apps, reg->capapps, reg->napps + 1, 8);
	reg->apps[reg->napps++] = app;
}

void host_apps_free_unloaded(struct bind_app *app)
{
	rt_arena_cleanup(&app->arena);
	free(app->name);
	free(app->path);
	free(app->error);
	free(app);
}
