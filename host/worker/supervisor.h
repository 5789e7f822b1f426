/*
 * supervisor.h - worker processes: the host starts them, hands them HTTP
 * invocations and activity attempts, notices when one dies or runs past
 * functionTimeout, and replaces it.
 *
 * One pool of worker processes per loaded app. Each worker is `cfunc worker`
 * (fork + exec of the host's own binary, so no host memory or threads are in
 * it), started in the script root with one end of a socketpair as fd 3; it
 * loads the app, runs CF_APP_INIT and sends its registration (wire.h).
 *
 * Threads: the calls below are made from the HTTP pool's and the engine's
 * activity threads; each call takes an idle worker (waiting for one), sends
 * one request and waits for its reply. A worker serves one call at a time.
 * host_workers_start and host_workers_stop run on the main thread.
 *
 * Ownership: struct host_workers owns its processes and their sockets; the
 * registry (and the bind_functions in it) is borrowed and must outlive it.
 */
#ifndef HOST_WORKER_SUPERVISOR_H
#define HOST_WORKER_SUPERVISOR_H

#include <stdint.h>

#include "bindings/http_trigger.h"
#include "bindings/registry.h"
#include "runtime/engine.h"
#include "runtime/replay.h"

struct host_workers;

struct host_workers_opts {
	const char *root;       /* working directory of the workers (the script root) */
	int per_app;            /* processes per app for HTTP and activities, >= 1;
				 * each app has one more for orchestrator episodes */
	int64_t timeout_ms;     /* functionTimeout; <= 0: none */
	int verbose;            /* --verbose, passed on */
};

/* Starts per_app workers for every app in `reg` and waits for their
 * registrations. NULL with *err (malloc'd) when one cannot start. */
struct host_workers *host_workers_start(const struct bind_registry *reg,
					const struct host_workers_opts *opts, char **err);

/* Closes every worker's socket (they exit), waits a bounded time, then
 * kills what is left. NULL is fine. */
void host_workers_stop(struct host_workers *w);

/* What a call cost when it did not simply return. */
enum host_workers_rc {
	HOST_WORKERS_OK = 0,        /* the function ran and answered */
	HOST_WORKERS_CRASHED = 1,   /* its worker died: *why names the signal or exit code */
	HOST_WORKERS_TIMEOUT = 2,   /* past functionTimeout: the worker was killed */
	HOST_WORKERS_APP_FAILED = 3, /* the app's workers crash-looped: no worker runs it */
	HOST_WORKERS_FAILED = 4,    /* the function returned an error: h->ctx.last_error */
};

/*
 * Runs HTTP function `fn` for `h` (request read from it, response written
 * into it, strings in its arena). On anything but OK the response is set to
 * what the client gets (500 JSON naming the function and the signal, func's
 * timeout text, or 503) and *why (in h's arena) says what happened.
 */
enum host_workers_rc host_workers_http(struct host_workers *w, const struct bind_function *fn,
				       struct bind_http *h, const char *invocation_id,
				       const char **why);

/* rt_engine_hooks.run_activity in worker mode; `fn` is the bind_function,
 * ctx the struct host_workers. A crash or timeout is a failed attempt. */
void host_workers_activity(void *ctx, void *fn, const struct rt_activity_call *call,
			   struct rt_activity_result *res);

/*
 * rt_engine_hooks.replay in worker mode: runs the episode in a worker of
 * the orchestrator's app (fn is its bind_function). 0 and *out as
 * rt_replay_run fills it; -1 when the history cannot be replayed
 * (out->error), also after EPISODE_CRASH_LIMIT deaths at the same point of
 * the same instance (the message names the function and the signal); -2
 * when the worker died or timed out: nothing is to be committed, try again.
 */
int host_workers_episode(struct host_workers *w, const struct bind_function *fn,
			 const struct rt_episode_in *in, struct rt_episode_out *out);

/* For /admin/host/status: apps whose workers crash-looped, and counts. */
struct host_workers_stats {
	long crashes;      /* since start */
	long replaced;     /* workers started after one died */
	int failed_apps;
	long reloads;        /* apps deployed again without a restart */
	long reload_failures; /* new builds refused; the old one kept serving */
	int64_t last_replace_us; /* how long the last replacement took to be ready */
};
void host_workers_get_stats(struct host_workers *w, struct host_workers_stats *st);

/*
 * Deploys again, without a restart, the app whose file is `path` (NULL:
 * every app): new workers load the file as it is now and take new calls;
 * the old ones finish theirs and leave. Asynchronous (a thread of the
 * supervisor does it); any thread, also the loop.
 */
void host_workers_request_reload(struct host_workers *w, const char *path);

/* 1 when the app's workers crash-looped and it was marked failed. */
int host_workers_app_failed(struct host_workers *w, const struct bind_app *app);

#endif
