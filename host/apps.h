/*
 * apps.h - finding and loading function apps (shared objects).
 *
 * host.json "cfunc.apps" lists files or folders (relative to the script
 * root); every "*.so" in a listed folder is loaded, in name order. Each app
 * is dlopen()ed with RTLD_NOW | RTLD_LOCAL, so an unresolved symbol fails
 * at load time and apps cannot see each other's symbols.
 */
#ifndef HOST_APPS_H
#define HOST_APPS_H

#include <stddef.h>

#include "bindings/registry.h"

/* Receives one line per refused app ("Refusing app 'x' (path): reason"). */
typedef void (*host_apps_report_fn)(const char *line);

/*
 * Loads the apps into `reg`. An app that cannot be opened, lacks the entry
 * symbol, was built for another ABI, or whose init fails is refused through
 * `report` and the others still load. Returns 0, or -1 with *err (malloc'd)
 * for a fatal problem: two apps defining the same function name.
 */
int host_apps_load(struct bind_registry *reg, const char *root, char *const *paths,
		   size_t npaths, host_apps_report_fn report, char **err);

/* Loads a single app file; returns 0, 1 when refused (reported), -1 fatal. */
int host_apps_load_one(struct bind_registry *reg, const char *path, host_apps_report_fn report,
		       char **err);

/* The app files the locations name, in load order (a folder's "*.so" in
 * name order), as malloc'd paths in a NULL-terminated array (*n of them);
 * free with host_apps_files_free. Missing locations are left out. */
char **host_apps_files(const char *root, char *const *paths, size_t npaths, size_t *n);
void host_apps_files_free(char **files);

/* An app the host does not load (its workers do): named after its file,
 * no handle, in_workers_only set, not yet in `reg` (host_apps_add). */
struct bind_app *host_apps_new_unloaded(struct bind_registry *reg, const char *path);
/* Appends `app` to reg->apps (the registry owns it from now on). */
void host_apps_add(struct bind_registry *reg, struct bind_app *app);
/* Frees an unloaded app that never went into a registry. */
void host_apps_free_unloaded(struct bind_app *app);

/* The function table handed to the apps loaded from now on (NULL: the
 * host's own, bindings/api.c); borrowed, must outlive the apps. */
void host_apps_set_api(const struct cf_api *api);

#endif
