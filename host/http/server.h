/*
 * server.h - the HTTP front end on h2o (evloop flavour).
 *
 * One event-loop thread accepts, parses and answers; it never runs app
 * code. Each routed request is copied into a job (bind_http in an arena) and
 * run on the worker pool; the worker posts the finished job back to the loop
 * with h2o_multithread, and the loop sends the response. Host endpoints
* (/admin/..., /runtime/webhooks/durabletask/...) are jobs too, because some of
 * them touch the disk. A management request that waits for an instance to
 * finish is parked on the loop after its job (no thread held) and answered
 * from the loop when the engine's commit wakes it or its timeout passes.
 */
#ifndef HOST_SERVER_H
#define HOST_SERVER_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>

#include "host/config/config.h"
#include "bindings/http_trigger.h"
#include "bindings/registry.h"
#include "host/http/router.h"
#include "common/thread_pool.h"

struct host_server;
struct req_job;
struct park_timeout;

/* A host endpoint: runs on a worker thread and fills h's response. */
typedef void (*host_endpoint_fn)(struct host_server *srv, struct bind_http *h);

/* Endpoint routing for paths outside the HTTP functions' routes: returns
 * the handler for (method, path) or NULL to fall through. Runs on the loop. */
typedef host_endpoint_fn (*host_endpoint_router)(struct host_server *srv, const char *method,
						 const char *path);

enum host_state {
	HOST_STATE_STARTING,
	HOST_STATE_RUNNING,
	HOST_STATE_STOPPING,
};

struct host_server {
	const struct host_config *cfg;
	struct bind_registry *reg;
	struct host_router *router;
	struct rt_pool *pool;
	const char *address;
	int port;
	enum host_state state;
	int64_t started_mono_us;
	char instance_id[33];
	struct bind_durable *durable; /* NULL until the engine is attached */
	/* Worker processes running the apps' HTTP functions (the default; NULL with --in-process),
	 * borrowed; NULL: the functions run on the pool's threads. */
	struct host_workers *workers;

	/* h2o, loop thread only */
	h2o_globalconf_t h2o_conf;
	h2o_context_t h2o_ctx;
	h2o_accept_ctx_t accept_ctx;
	h2o_socket_t *listener;
	int listen_fd;
	h2o_multithread_receiver_t done_receiver;
	h2o_timeout_t fn_timeout;
	int fn_timeout_on;
	h2o_socket_t *signal_sock; /* host/stop_signal.h's pipe */
	int draining;
	/* Called on the loop thread at the first SIGINT/SIGTERM; may be NULL. */
	void (*on_stop_requested)(void *ctx);
	void *on_stop_ctx;
	/* SIGHUP: deploy the apps again (loop thread; NULL: ignored). */
	void (*on_reload)(void *ctx);
	void *on_reload_ctx;

	h2o_linklist_t conns; /* struct conn_track of every open connection */
	long nconns;
	struct host_clients *clients; /* connections per client address */
	long conns_refused;           /* closed at accept, not logged yet */
	int64_t conns_logged_us;

	/* Request and response bytes held (host/http/inflight.h), loop thread. */
	int64_t inflight_held;      /* body copies in jobs + responses h2o still sends */
	int64_t inflight_swept_us;  /* last sweep */
	long inflight_refused;      /* 503s not logged yet */
	int64_t inflight_logged_us;
	long outstanding; /* routed requests not answered yet */
	long running;     /* jobs handed to the pool */
	struct req_job *wait_head, *wait_tail; /* held back by maxConcurrentRequests */
	struct rt_pool_job *batch_head, *batch_tail; /* started this loop iteration */
	size_t batch_n;

	/* Requests parked on a durable wait (server.c, "parked requests"):
	 * loop thread only. One h2o timeout per distinct wait length. */
	struct req_job *parked_head;
	long nparked;      /* on the list: waiting */
	long parked_jobs;  /* not freed yet: waiting, or their wake-up on its way */
	struct park_timeout *park_timeouts;

	host_endpoint_router endpoints[8];
	int nendpoints;

	/* Keys (host/keys/keys.h): checked on every request when auth_on. */
	struct host_keys *keys;
	int auth_on;
	int64_t keys_checked_us; /* last host_keys_refresh (loop thread) */

	/* CORS (--cors / Host.CORS): NULL = off. */
	char **cors_origins;
	size_t ncors;
	int cors_any;         /* "*" given */
	int cors_credentials; /* --cors-credentials / Host.CORSCredentials */

	/* gethostname(), looked up on first use (host/access.c). */
	char hostname[256];
	int hostname_known;
};

/* Turns CORS on for a comma-separated origin list ("*" allowed). */
void host_server_set_cors(struct host_server *srv, const char *origins, int credentials);

/*
 * Builds the router from the registry's HTTP functions (template
 * "<routePrefix>/<route>"). Starts no thread (the worker pool starts in
 * host_server_run), so the host may still setenv after this. Returns NULL
 * with *err (malloc'd) when a route template is invalid, naming the function.
 */
struct host_server *host_server_new(const struct host_config *cfg, struct bind_registry *reg,
				    const char *address, int port, char **err);

/* Adds a router for host endpoints, consulted before the function routes. */
void host_server_add_endpoints(struct host_server *srv, host_endpoint_router fn);

/* Binds the listener. Returns 0, or -1 with *err (the exact `func` text for a
 * port in use). */
int host_server_listen(struct host_server *srv, char **err);

/* Starts the worker pool and runs the loop until SIGINT/SIGTERM, then stops
 * accepting, lets in-flight requests finish and returns 0. */
int host_server_run(struct host_server *srv);

void host_server_free(struct host_server *srv);

/* "http://localhost:<port>" style base for printed URLs. */
const char *host_server_display_host(const struct host_server *srv);

#endif
