/*
 * pool.h - what the supervisor's files share (supervisor.h is the public
 * side): a pool of worker processes per app, its slots, and the steps of a
 * worker's life: start (spawn.c), take and give back, die and be replaced,
 * crash-loop (pool.c), deploy again (reload.c).
 *
 * Invariants
 *   - A worker is either idle (in its pool, fd open), busy (owned by exactly
 *     one calling thread, which alone reads and writes its socket), or gone
 *     (its pool crash-looped). Only the owner of a busy worker reaps it.
 *   - A worker that dies or times out is reaped and replaced by the thread
 *     that was calling it, before that thread returns, so the pool never
 *     shrinks silently; the replacement is ready when its registration has
 *     arrived.
 *   - A build's workers are n = per_app + episodes_per_app: its first and
 *     its last episodes_per_app - 1 serve episodes and entity batches
 *     (wproc.episodes their rank, 1..), the others HTTP, activities and
 *     timers (wpool_rank). An episode call takes the idle episode worker
 *     of the lowest rank, or of the highest for the replay thread
 *     (WPOOL_EPISODES_LAST): each of the two threads keeps to its own, so
 *     neither waits behind the other while both are up.
 *   - More than CRASH_LOOP_FACTOR x n deaths within CRASH_WINDOW_US
 *     mark the app failed: no more replacements, callers get 503; its idle
 *     workers are stopped at once, a busy one when its call returns
 *     (wpool_release), so a failed app keeps no process.
 *   - w->lock guards every field of a pool and of its slots that another
 *     thread reads (busy, gone, retire, pid and the rest the snapshot
 *     copies); a slot's fd and buffers belong to its owner alone.
 */
#ifndef HOST_WORKER_POOL_H
#define HOST_WORKER_POOL_H

#include "common/wire.h"
#include "host/worker/channel.h"
#include "host/worker/crash_ring.h"
#include "host/worker/history_held.h"
#include "host/worker/supervisor.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#define READY_TIMEOUT_US (10 * 1000000LL) /* a worker's load + init */
#define STOP_GRACE_US (2 * 1000000LL)
#define CRASH_WINDOW_US (60 * 1000000LL)
#define CRASH_LOOP_FACTOR 3               /* func: 3 x the worker count */
#define REPLY_MAX_FRAME (RT_WIRE_MAX_FRAME)
#define WORKER_FD 3

/* What a slot's process is doing beside busy/idle, for the snapshot. */
enum wproc_phase {
	WPROC_UP,       /* registered: idle or in a call */
	WPROC_STARTING, /* wproc_spawn is starting it */
	WPROC_STOPPING, /* being closed and reaped */
};

struct wproc {
	pid_t pid;
	int fd;
	int busy;
	int gone;
	int retire;     /* of an older build: leaves after its current call */
	int episodes;   /* 0, or its rank among the episode workers (1..) */
	struct rt_wire_buf in, out;
	/* For the snapshot only: */
	enum wproc_phase phase;
	int64_t started_us; /* wall clock */
	long served;        /* calls answered by this process */
	int in_call;        /* `call` is what it runs */
	struct host_worker_call call;
	/* The pasts this process holds (history_held.h): the owner's alone. */
	struct history_held *held;
};

/* One call as the supervisor's files pass it: what the console line names
 * and what the records keep. Strings are borrowed for the call. */
struct wcall {
	enum host_call_kind kind;
	const char *function;
	const char *what;       /* console: "name" or "name (instance id)" */
	const char *id;         /* console Id=: the invocation id, attempt key or instance */
	const char *instance;   /* NULL for HTTP */
	const char *invocation; /* the HTTP invocation id or activity attempt key */
};

/* How a worker ended, for wpool_bury. */
enum wdeath {
	WDEATH_DIED,    /* it died by itself (or was killed from outside) */
	WDEATH_BROKEN,  /* it broke the protocol: killed */
	WDEATH_TIMEOUT, /* past functionTimeout: killed */
};

struct wpool {
	const struct bind_app *app;
	/* What the running build registered (strings in reg_arena): the
	 * host's functions of this app were made from it, and a replacement
	 * worker must register the same. Written by the deploy thread under
	 * the lock, read by the replacing threads under it. */
	struct rt_wire_registration reg;
	struct rt_arena reg_arena;
	struct wproc *procs; /* cap slots, never moved: callers hold pointers */
	int n;               /* live workers wanted */
	int neps;            /* of which episode workers */
	int cap;             /* 2 n: room for a new build's workers beside the old */
	int failed;
	int reload_wanted;
	int64_t *deaths; /* ring of death times, CRASH_LOOP_FACTOR * n long */
	int ndeaths, death_at;
	char reason[256]; /* why it failed */
	pthread_cond_t idle;
	int episode_waiters; /* threads waiting on `idle` for an episode worker */
};

struct host_workers {
	struct host_workers_opts opts;
	char *root;
	char host_pid[24];
	/* The host's own binary, opened once at the start (close-on-exec, at
	 * fd 10 or above): workers are exec'd from it. Opened, not named by
	 * path, so that a rebuilt (unlinked and rewritten) binary still starts
	 * workers of the running build, and so that under valgrind, where
	 * /proc/self/exe names valgrind's tool, it is still cfunc. */
	int exe_fd;
	pthread_mutex_t lock;
	struct wpool *pools;
	size_t npools;
	uint64_t next_id;
	struct host_workers_stats stats;
	size_t cappools; /* fixed at host_workers_new: pools never move */
	pthread_t reloader;
	int reloader_on, stopping;
	/* The thread that starts all but each app's first worker
	 * (host_workers_run); `starting` until it is done, and deploys wait
	 * for that. */
	pthread_t starter;
	int starter_on, starting;
	pthread_cond_t reload_cond;
	struct crash_ring crashes;
	void (*on_deploy)(void *ctx); /* host_workers_on_deploy */
	void *on_deploy_ctx;
};

/* What a start expects of the worker's registration. */
struct wspawn {
	int first;  /* the app's first worker: a load failure is returned as 1 */
	/* The worker must register what the pool serves (a replacement). */
	int same_as_pool;
	/* Set: the worker must register these (a new build's other workers). */
	const struct rt_wire_registration *want;
	/* Set: the registration is copied here, strings in `arena`. */
	struct rt_wire_registration *got;
	struct rt_arena *arena;
};

/* spawn.c: starts one worker process for `pool` into `p` and waits until
 * it is ready: 0; 1 when `how->first` and the app did not load in it, or
 * ended the process while loading (*err is the one-line reason, "Refusing
 * app 'x' (path): why"); -1 with *err. Called without the lock (p is
 * owned). */
int wproc_spawn(struct host_workers *w, struct wpool *pool, struct wproc *p,
		const struct wspawn *how, char **err);
/* wproc_spawn in two halves, so that many workers start at once (the
 * start-up): wproc_launch forks and execs the worker of the app at
 * `app_path` (borrowed) into `p` and returns at once (0, or -1 with *err,
 * p then empty); wproc_await then waits for that worker's registration,
 * with wproc_spawn's results. Every launched worker must be awaited. */
int wproc_launch(struct host_workers *w, const char *app_path, struct wproc *p, char **err);
int wproc_await(struct host_workers *w, struct wpool *pool, struct wproc *p,
		const struct wspawn *how, char **err);
/* r registers what `want` does (any order): 0, or -1 with *err saying
 * what differs. */
int wreg_same_functions(const struct wpool *pool, const struct rt_wire_registration *want,
			const struct rt_wire_registration *r, char **err);


/* spawn.c: how a process ended, from its wait status: "SIGSEGV",
 * "SIGABRT, core dumped", "exit code 3". */
void wproc_status_text(int status, char *out, size_t n);

/* What a caller of wpool_acquire wants. */
enum wpool_want {
	WPOOL_CALLS = 0,       /* a worker for HTTP, activities, timers */
	WPOOL_EPISODES,        /* an episode worker, the first idle one */
	WPOOL_EPISODES_LAST,   /* an episode worker, the last idle one */
};

/* pool.c */
struct wpool *wpool_of(struct host_workers *w, const struct bind_app *app);
/* What the i-th of a build's n workers serves: 0 (calls) or its episode
 * rank (see the invariants). */
int wpool_rank(const struct wpool *pool, int i);
/* An idle worker, now the caller's, with `c` recorded as what it runs;
 * NULL when the app failed. */
struct wproc *wpool_acquire(struct host_workers *w, struct wpool *pool, enum wpool_want want,
			    const struct wcall *c);
void wpool_release(struct host_workers *w, struct wpool *pool, struct wproc *p);
void wpool_retire_now(struct host_workers *w, struct wproc *p);
/* The worker died or must die: reaped, logged, recorded in the crash ring,
 * replaced unless the app now crash-loops; status_out says how it ended
 * (wpool_bury_reap, then wpool_bury_replace). */
void wpool_bury(struct host_workers *w, struct wpool *pool, struct wproc *p, enum wdeath how,
		const struct wcall *c, char *status_out, size_t status_n);
/* A dead worker between its reaping and its replacement: what the console
 * line and the crash record say (copies: the call may be answered and gone
 * in between). The caller owns it. */
struct wgrave {
	struct host_worker_crash crash; /* also in w->crashes, at ring_at */
	size_t ring_at;
	char what[HOST_WORKER_NAME_MAX + HOST_WORKER_ID_MAX + 16];
	char id[HOST_WORKER_ID_MAX];
	char status[HOST_WORKER_STATUS_MAX]; /* how it ended */
};
/* wpool_bury in two steps, so that the caller can answer the call the
 * worker was running before a replacement starts (call_batch.c): the first
 * reaps it, counts the death (crash loop), records it in the crash ring and
 * returns 1 when the slot, still the caller's (busy), is to get a
 * replacement; 0 when none comes (the app failed, or a previous build's
 * worker): the line is logged then. The second starts the replacement,
 * waits until it is ready and logs the line naming both processes. */
int wpool_bury_reap(struct host_workers *w, struct wpool *pool, struct wproc *p, enum wdeath how,
		    const struct wcall *c, struct wgrave *g);
void wpool_bury_replace(struct host_workers *w, struct wpool *pool, struct wproc *p,
			struct wgrave *g);
/* The worker's result for `function` does not decode (err says why): the
 * console says so, the worker is buried as broken (wpool_bury) and
 * released. */
void wpool_reject_result(struct host_workers *w, struct wpool *pool, struct wproc *p,
			 const char *function, const char *err, const struct wcall *c,
			 char *status_out, size_t status_n);

/* calls.c: sends p->out and waits for the reply of `type` with `id`,
 * answering the function's durable-client calls on `h` (NULL: none) */
enum host_workers_rc wpool_exchange(struct host_workers *w, struct wpool *pool, struct wproc *p,
				    struct bind_http *h, enum rt_wire_type type, uint64_t id,
				    const struct wcall *c, struct rt_wire_frame *f, size_t *used,
				    char *status, size_t status_n);
uint64_t wpool_next_id(struct host_workers *w);

/* call_batch.c: what one kind of call does in wpool_call_batch. Each hook
 * gets ctx and the caller's index i of the call. */
struct wbatch_ops {
	enum wpool_want want;        /* which worker */
	enum rt_wire_type reply_type; /* what answers a call */
	/* the call, for the console and the records (strings live on) */
	struct wcall (*call_of)(void *ctx, size_t i);
	/* call i's request, with id, appended to out: 0, or -1 (too large:
	 * then too_large(i), and it is not sent) */
	int (*encode)(void *ctx, size_t i, struct rt_wire_buf *out, uint64_t id);
	void (*too_large)(void *ctx, size_t i);
	void (*no_worker)(void *ctx, size_t i); /* the app failed: no worker runs it */
	void (*starting)(void *ctx, size_t i);  /* its reply is awaited now; may be NULL */
	/* The worker the next encodes are for (may be NULL). */
	void (*bind)(void *ctx, struct wproc *p);
	/* A frame of side_type while call i runs (a durable-client call):
	 * handled, consumed (`used` bytes of p->in) and answered: FRAME, or
	 * what became of the worker. NULL: none expected. */
	enum rt_wire_type side_type;
	enum host_chan_rc (*side_frame)(void *ctx, size_t i, struct wproc *p,
					const struct rt_wire_frame *f, size_t used,
					const char **err);
	/* call i's reply (the frame is consumed afterwards): 0, 1 when call i
	 * must be sent again at once (encode then knows why; episodes whose
	 * worker lacked their past), or -1 with *err when it does not decode
	 * (the worker is then buried) */
	int (*reply)(void *ctx, size_t i, const struct rt_wire_frame *f, const char **err);
	/* call i was running when the worker ended (cr: EOF, TIMEOUT or
	 * BROKEN; status: how it ended; malformed: why its reply was bad, or
	 * NULL) */
	void (*lost)(void *ctx, size_t i, enum host_chan_rc cr, const char *status,
		     const char *malformed);
	/* Call i is settled (reply, too_large, no_worker or lost took it),
	 * once per call, as soon as it is, while the batch goes on with the
	 * others in the thread that runs it: the batch touches call i no more,
	 * so the hook may hand it back (free it) at once. `more`: another
	 * call of the batch settles without waiting for the worker (its reply
	 * is already read in), so a hand-back may wait for that one. NULL:
	 * the caller looks at the results when wpool_call_batch returns. */
	void (*answered)(void *ctx, size_t i, int more);
};
/* Calls idx[0..k) (of one app, in `pool`) in one worker: all requests in
 * one write, the replies in order; when the worker ends, the call it ran
 * is lost and those after it go to another, until every call had reply,
 * too_large, no_worker or lost (then answered). idx is reordered;
 * bookkeeping in `a`, which must outlive the call (not any call's own
 * arena: answered may free that). */
void wpool_call_batch(struct host_workers *w, struct wpool *pool, struct rt_arena *a,
		      size_t *idx, size_t k, const struct wbatch_ops *ops, void *ctx);

/* reload.c: the thread that deploys apps again (host_workers_request_reload). */
void *wpool_reloader_main(void *arg);

#endif
