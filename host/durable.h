/*
 * durable.h - the host's side of the durable engine: starts it for the
 * configured task hub when apps registered orchestrators or activities,
 * connects it to the registry and the console, and stops it after the
 * HTTP server drained.
 */
#ifndef HOST_DURABLE_H
#define HOST_DURABLE_H

#include "host/config/config.h"
#include "bindings/durable_client.h"
#include "bindings/registry.h"
#include "host/http/server.h"

struct host_durable {
	struct bind_durable client; /* handed to HTTP invocations */
	struct rt_engine *engine;
};

/* Starts the engine if the registry has durable functions. Returns 0 (the
 * engine may be absent: hd->engine NULL), or -1 with *err (malloc'd). */
int host_durable_start(struct host_durable *hd, const struct host_config *cfg,
		       struct bind_registry *reg, char **err);
void host_durable_stop(struct host_durable *hd);
/* Activities, orchestrator episodes, entity batches and timer runs go to
 * these worker processes instead of running in the host
 * (worker processes, the default); call before host_durable_start and
 * host_timers_start. */
struct host_workers;
void host_durable_use_workers(struct host_workers *w);

/* host_admin_invoke_fn for POST /admin/functions/{name}: starts an
 * orchestrator instance, or runs an activity in the background (in worker
 * mode: in a worker, waited for, so a crash answers 500 as for HTTP). */
int host_durable_admin_invoke(struct host_server *srv, const struct bind_function *fn,
			      const char *input, struct bind_http *h);

#endif
