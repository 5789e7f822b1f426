/*
 * apps_registered.h - with worker processes (the default) the host never loads an app:
 * each app's first worker loads it and sends its registration
 * (common/wire.h), and the host's registry (names, kinds, routes, methods,
 * auth levels, schedules; no code) is made from that. A deploy whose new
 * build registers other functions is checked here (names and routes of
 * other apps) and, when accepted, replaces the app's functions and the
 * router for new requests.
 *
 * Timer, entity and admin-invoked functions run in the workers too
 * (host/worker/{timer,entity,admin}_calls.c), so no kind of function needs
 * the app in the host. A deploy may not add or change a timer function:
 * the schedules are set when the host starts.
 *
 * Threads: host_apps_start_in_workers on the main thread, before any other
 * thread; the deploy hooks on the supervisor's deploy thread.
 * Ownership: the deploy context borrows the registry and the router; it
 * must outlive the supervisor's deploy thread (host_workers_stop).
 */
#ifndef HOST_APPS_REGISTERED_H
#define HOST_APPS_REGISTERED_H

#include <stddef.h>

#include "bindings/registry.h"
#include "host/apps.h"
#include "host/http/router.h"
#include "host/worker/supervisor.h"

struct host_deploy {
	struct bind_registry *reg;
	const char *route_prefix;   /* host.json extensions.http.routePrefix */
	struct host_router *router; /* the server's, replaced on a change; NULL until set */
	int durable_on;             /* the host runs a task hub (it had durable functions) */
};

/*
 * Starts the first worker of every app file the locations name (in load
 * order) and fills `reg` from their registrations: an app that does not
 * load is refused through `report` with the worker's reason, the others
 * go on; two apps defining the same function name is fatal (-1 with *err,
 * malloc'd), as it is in process. 0 otherwise. `w` is the supervisor made
 * with host_workers_new for at least as many apps.
 */
int host_apps_start_in_workers(struct bind_registry *reg, struct host_workers *w,
			       const char *root, char *const *paths, size_t npaths,
			       host_apps_report_fn report, char **err);

/* Room the supervisor needs: how many app files the locations name. */
size_t host_apps_count_files(const char *root, char *const *paths, size_t npaths);

/* The supervisor's deploy hooks (host_workers_opts.deploy_*), ctx a struct
 * host_deploy. */
int host_deploy_check(void *ctx, const struct bind_app *app,
		      const struct rt_wire_registration *fresh, char **err);
void host_deploy_publish(void *ctx, const struct bind_app *app,
			 const struct rt_wire_registration *fresh, char **changes);

#endif
