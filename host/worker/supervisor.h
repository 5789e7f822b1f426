/*
 * supervisor.h - worker processes: the host starts them, hands them HTTP
 * invocations and activity attempts, notices when one dies or runs past
 * functionTimeout, and replaces it.
 *
 * One pool of worker processes per app (the host does not load it). Each
 * worker is `cfunc worker` (fork + exec of the host's own binary, so no
 * host memory or threads are in it), started in the script root with one
 * end of a socketpair as fd 3; it loads the app, runs CF_APP_INIT and sends
 * its registration (wire.h).
 *
 * Threads: the calls below are made from the HTTP pool's and the engine's
 * activity threads; each call takes an idle worker (waiting for one), sends
 * one request and waits for its reply. A worker serves one call at a time.
 * host_workers_new, _add_app, _run and _stop run on the main thread.
 *
 * Ownership: struct host_workers owns its processes and their sockets, and
 * a copy of what each app's running build registered; the apps are
 * borrowed and must outlive it. The host's registry is not its business:
 * the host builds it from the registrations (host/apps_registered.c).
 */
#ifndef HOST_WORKER_SUPERVISOR_H
#define HOST_WORKER_SUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

#include "bindings/http_trigger.h"
#include "bindings/registry.h"
#include "runtime/engine.h"
#include "runtime/replay.h"

struct host_workers;
struct rt_wire_registration;

struct host_workers_opts {
	const char *root;       /* working directory of the workers (the script root) */
	int per_app;            /* processes per app for HTTP and activities, >= 1 */
	int episodes_per_app;   /* and more for orchestrator episodes and entity
				 * batches, >= 1: the engine thread takes the first
				 * idle one, the replay thread the last (pool.c) */
	int64_t timeout_ms;     /* functionTimeout; <= 0: none */
	int verbose;            /* --verbose, passed on */
	/*
	 * A deploy: the new build of `app` registered `fresh` and its workers
	 * are ready. deploy_check returns 0 to deploy it, or -1 with *err
	 * (malloc'd) to refuse it (the running build keeps serving); it must
	 * change nothing. Then, once new calls go to the new workers,
	 * deploy_publish makes the host serve `fresh` (functions, routes) and
	 * may set *changes (malloc'd) to what the console line adds ("functions
	 * added: a"). Both on the deploy thread, one app at a time; `fresh`
	 * lives for the call. NULL: every build must register what the first
	 * one did.
	 */
	int (*deploy_check)(void *ctx, const struct bind_app *app,
			    const struct rt_wire_registration *fresh, char **err);
	void (*deploy_publish)(void *ctx, const struct bind_app *app,
			       const struct rt_wire_registration *fresh, char **changes);
	void *deploy_ctx;
};

/* A supervisor with room for max_apps apps and none yet; the apps are
 * added with host_workers_add_apps, then host_workers_run. NULL with *err
 * (malloc'd) when workers cannot be started at all. Main thread. */
struct host_workers *host_workers_new(const struct host_workers_opts *opts, size_t max_apps,
				      char **err);

/*
 * Starts the first worker of each of apps[0..n) (their files, app->path;
 * borrowed, must outlive the supervisor), all at once, and waits for their
 * registrations. For each app i, regs[i] points at what it registered
 * (valid until host_workers_run), or is NULL when the app did not load or
 * its code ended the worker while it loaded: reasons[i] (malloc'd, the
 * caller's) is then the one-line reason, "Refusing app 'x' (path): why",
 * and the app gets no workers. 0, or -1 with *err when no worker could be
 * started (none of the apps then has workers). Main thread, before
 * host_workers_run.
 */
int host_workers_add_apps(struct host_workers *w, const struct bind_app *const *apps, size_t n,
			  const struct rt_wire_registration **regs, char **reasons, char **err);

/* Readies the rest of every app's workers (all but the first): their
 * slots are taken, so that calls wait for them until
 * host_workers_start_rest has started them. 0, or -1 with *err. Main
 * thread, once, before any other thread runs. */
int host_workers_run(struct host_workers *w, char **err);

/* Starts those workers, all at once, on a thread of its own, and returns
 * without waiting for them: the host listens meanwhile, and calls wait for
 * a worker (each must register what the first did; one that does not is
 * logged, and an app left without a worker for its calls fails, 503).
 * Main thread, once, after "Now listening": their start takes the CPU
 * the host's own start-up needs. */
void host_workers_start_rest(struct host_workers *w);

/* Starts the deploy thread: deploys asked for before (SIGHUP, the watcher)
 * run from now on. Main thread, once start-up no longer walks the
 * registry without its lock (the function list is printed, timers run). */
void host_workers_start_deploys(struct host_workers *w);

/* Waits for a deploy under way and ends the deploy thread (before the
 * router and registry its hooks touch go away). NULL is fine. */
void host_workers_stop_deploys(struct host_workers *w);

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
/*
 * The same for n calls at once (any apps): each app's go to one of its
 * workers in one write and are answered in order. When that worker dies,
 * the call it was running gets the 500, those it answered keep their
 * responses, and those it had not started run on another worker.
 * whys[i] and rcs[i] as host_workers_http's *why and result.
 * answered(arg, i, more), when given, is called once per call as soon as
 * its whys[i] and rcs[i] are final (on this thread, while the others still
 * run): call i is not touched afterwards, so its request may be answered
 * and freed at once; `more` says another answer follows without waiting.
 */
void host_workers_http_batch(struct host_workers *w, size_t n,
			     const struct bind_function *const *fns, struct bind_http *const *hs,
			     const char *const *invocation_ids, const char **whys,
			     enum host_workers_rc *rcs,
			     void (*answered)(void *arg, size_t i, int more), void *arg);

/* rt_engine_hooks.run_activity in worker mode; `fn` is the bind_function,
 * ctx the struct host_workers. A crash or timeout is a failed attempt; while
 * the app is failed (crash-looped) the attempt is not run (res->not_run). */
void host_workers_activity(void *ctx, void *fn, const struct rt_activity_call *call,
			   struct rt_activity_result *res);
/* rt_engine_hooks.run_activity_batch in worker mode: each app's attempts
 * in one write to one of its workers, answered in order; when that worker
 * dies, the attempt it was running fails as above, those it answered keep
 * their results, and those it had not started run on another worker.
 * finished(arg, i) comes once per attempt, on this thread, as soon as
 * res[i] is final (while the later ones still run); res[i] is not touched
 * afterwards. */
void host_workers_activity_batch(void *ctx, size_t n, void *const *fns,
				 const struct rt_activity_call *calls,
				 struct rt_activity_result *res,
				 void (*starting)(void *arg, size_t i),
				 void (*finished)(void *arg, size_t i), void *arg);

/*
 * rt_engine_hooks.replay in worker mode (the replay thread's long
 * replays): runs the episode in an episode worker of the orchestrator's
 * app (fn is its bind_function), the last idle one, so that the engine
 * thread's batches keep the first. 0 and *out as
 * rt_replay_run fills it; -1 when the history cannot be replayed
 * (out->error), also after EPISODE_CRASH_LIMIT deaths at the same point of
 * the same instance (the message names the function and the signal); -2
 * when the worker died or timed out, or the app is failed: nothing is to be
 * committed, try again. A terminate of a failed app's instance needs none of
 * its code and is replayed in the host.
 */
int host_workers_episode(struct host_workers *w, const struct bind_function *fn,
			 const struct rt_episode_in *in, struct rt_episode_out *out);
/*
 * rt_engine_hooks.replay_batch in worker mode: the episodes of one engine
 * batch (fns[i] their bind_functions), each app's in one write to one of
 * its episode workers (the first idle one), the results read as they
 * come, done(arg, i) called for each as soon as rcs[i] and outs[i] (as
 * host_workers_episode's) are final. When the worker dies in a batch, the episode it was running gets
 * -2 (or -1 at the limit), those answered stand, and those not answered
 * yet run again on its replacement, so they succeed; an episode that ended
 * a worker at this point of its history before runs alone, after the
 * others (episode_calls.c). Engine thread: everything lives in
 * ins[i]->arena.
 */
void host_workers_episode_batch(struct host_workers *w, size_t n, void *const *fns,
				const struct rt_episode_in *const *ins,
				struct rt_episode_out *outs, int *rcs,
				void (*done)(void *arg, size_t i), void *arg);

/*
 * One run of timer function `fn` in a worker of its app, with func's
 * Executing/Executed lines (`reason`, `details` as bind_timer_run takes
 * them). A crash or timeout fails that run only (the supervisor logged the
 * worker's end); a failed app's timer run is skipped. `durable` answers the
 * function's durable-client calls (may be NULL). Timer threads and the
 * admin API.
 */
enum host_workers_rc host_workers_timer_run(struct host_workers *w, const struct bind_function *fn,
					    struct bind_durable *durable, const char *info,
					    const char *reason, const char *details);

/*
 * rt_engine_hooks.run_entity_batch in worker mode (engine thread): the
 * batch's operations go to an episode worker of the entity's app (the
 * first idle one, as the engine thread's episodes) in one ENTITY_REQUEST and come back with each one's state, result or
 * failure, and actions. 0 or -1 as rt_entity_batch_run; -2 when the worker
 * died or timed out (nothing is to be committed: the batch runs again, one
 * operation per message to find the culprit), or the app is failed. After
 * ENTITY_CRASH_LIMIT deaths at the same operation (same entity, operation,
 * input and state) that operation fails with a message naming the entity
 * function and the signal, and the batch goes on.
 */
struct rt_entity_batch;
int host_workers_entity_batch(struct host_workers *w, const struct bind_function *fn,
			      struct rt_entity_batch *eb);
/*
 * rt_engine_hooks.run_entity_batches in worker mode (engine thread): the
 * entity batches of one engine batch, those of one app in one write to one
 * of its episode workers (one ENTITY_REQUEST each), every result applied and
 * done(arg, i) as it arrives; rcs[i] as host_workers_entity_batch's. When
 * the worker dies, the batch it was running gets -2 (tried again one
 * operation per message, as above), those answered keep their outcome and
 * the rest go again to its replacement. An entity that killed a worker
 * lately runs alone, after the others.
 */
void host_workers_entity_batches(struct host_workers *w, size_t n, void *const *fns,
				 struct rt_entity_batch *const *ebs, int *rcs,
				 void (*done)(void *arg, size_t i), void *arg);

/*
 * POST /admin/functions/<activity> in worker mode: runs the activity once in
 * a worker and waits for it. 0 when it ran (its own failure is logged, as in
 * process); -1 with h's response set as an HTTP crash's (500 JSON naming the
 * function and the signal, func's timeout text, or 503 for a failed app).
 */
int host_workers_admin_activity(struct host_workers *w, const struct bind_function *fn,
				const char *input, struct bind_http *h);

/* For /admin/host/status: apps whose workers crash-looped, and counts. */
struct host_workers_stats {
	long crashes;      /* since start */
	long replaced;     /* workers started after one died */
	int failed_apps;
	long reloads;        /* apps deployed again without a restart */
	long reload_failures; /* new builds refused; the old one kept serving */
	int64_t last_replace_us; /* how long the last replacement took to be ready */
	/* Episodes sent to a worker that held their past's start (only the
	 * new events sent), sent whole, and sent whole again because the
	 * worker no longer held what the host thought (history_cache.h). */
	long episodes_delta, episodes_full, episodes_resent;
};
void host_workers_get_stats(struct host_workers *w, struct host_workers_stats *st);

/*
 * Deploys again, without a restart, the app whose file is `path` (NULL:
 * every app): new workers load the file as it is now and take new calls;
 * the old ones finish theirs and leave. Asynchronous (a thread of the
 * supervisor does it); any thread, also the loop.
 */
void host_workers_request_reload(struct host_workers *w, const char *path);

/* After an app was deployed again (its waiting durable work can run now),
 * fn(ctx) is called on the thread that deployed it, under the supervisor's
 * lock (so fn must not wait for a worker). fn NULL: none; once this returns
 * no call of the previous fn runs any more. */
void host_workers_on_deploy(struct host_workers *w, void (*fn)(void *ctx), void *ctx);

/* 1 when the app's workers crash-looped and it was marked failed. */
int host_workers_app_failed(struct host_workers *w, const struct bind_app *app);

/* ---- what the dashboard shows: workers, their state, recent crashes ------ */

#define HOST_WORKER_NAME_MAX 128  /* app and function names, cut to fit */
#define HOST_WORKER_ID_MAX 769    /* instance ids: 256 UTF-16 units, at most 768 bytes */
#define HOST_WORKER_STATUS_MAX 64 /* "SIGSEGV, core dumped", "exit code 3" */
#define HOST_WORKER_CRASHES 32    /* recent crashes kept, across all apps */

enum host_worker_state {
	HOST_WORKER_STARTING, /* loading the app; its registration is not in yet */
	HOST_WORKER_READY,    /* idle, waiting for a call */
	HOST_WORKER_BUSY,     /* running a call (host_worker_call says which) */
	HOST_WORKER_STOPPING, /* told to leave, or dead and being reaped */
	HOST_WORKER_REPLACED, /* of a previous build: finishes its call, then leaves */
};
const char *host_worker_state_name(enum host_worker_state s);

enum host_call_kind {
	HOST_CALL_HTTP,
	HOST_CALL_ACTIVITY,
	HOST_CALL_EPISODE,
	HOST_CALL_TIMER,
	HOST_CALL_ENTITY,
};
/* "http", "activity", "orchestrator", "timer", "entity". */
const char *host_call_kind_name(enum host_call_kind k);

/* A call as the snapshot and the crash ring keep it: copies, cut to fit. */
struct host_worker_call {
	enum host_call_kind kind;
	char function[HOST_WORKER_NAME_MAX];
	char instance[HOST_WORKER_ID_MAX];   /* "" for HTTP */
	char invocation[HOST_WORKER_ID_MAX]; /* HTTP invocation id, activity attempt key; "" for episodes */
	int64_t since_us;                    /* wall clock (rt_now_us) */
};

struct host_worker_info {
	pid_t pid;
	int slot;                  /* index in the app's pool */
	enum host_worker_state state;
	int episodes;              /* runs orchestrator episodes (else HTTP and activities) */
	int64_t started_us;        /* wall clock: when this process was started */
	long served;               /* calls this process answered */
	int busy;                  /* 1: `call` is what it runs now */
	struct host_worker_call call;
};

struct host_worker_crash {
	int64_t at_us;             /* wall clock */
	pid_t pid;
	pid_t replaced_by;         /* 0: not replaced (app failed, previous build, no start) */
	char app[HOST_WORKER_NAME_MAX];
	char status[HOST_WORKER_STATUS_MAX]; /* signal or exit status */
	int timed_out;             /* killed for running past functionTimeout */
	struct host_worker_call call; /* what was running */
};

struct host_app_workers {
	char app[HOST_WORKER_NAME_MAX];
	int failed;                /* crash-looped: no worker runs it */
	char reason[256];          /* why, when failed */
	size_t nworkers;
	struct host_worker_info *workers;
};

/* A copy taken under the supervisor's lock; the caller owns it and frees it
 * with host_workers_snapshot_free. Crashes newest first. No secrets: no
 * environment, no keys, no payloads. */
struct host_workers_snapshot {
	size_t napps;
	struct host_app_workers *apps;
	size_t ncrashes;
	struct host_worker_crash crashes[HOST_WORKER_CRASHES];
};
struct host_workers_snapshot *host_workers_snapshot(struct host_workers *w);
void host_workers_snapshot_free(struct host_workers_snapshot *s);

#endif
