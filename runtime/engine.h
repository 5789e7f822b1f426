/*
 * engine.h - the durable engine: one task hub, its store, its threads.
 *
 * One engine thread is the only writer of the hub's SQLite file. Each turn
 * of its loop is one transaction (group commit) holding, in this order:
 *   1. client commands (start, raise, terminate, suspend, resume, rewind,
 *      purge) queued by HTTP worker threads,
 *   2. activity results posted by activity threads,
 *   3. the counts of attempts a crashed process left unfinished (first
 *      batch only),
 *   4. activities taken from the queue, oldest first, for the activity
 *      threads (before the episodes, so new ones queue behind old ones),
 *   5. one episode for every instance with a visible inbox message.
 * Only after COMMIT are commands acknowledged, activities handed out and
 * the episodes logged: nothing acknowledged can be lost by a crash.
 *
 * Poison count: an activity row's dequeue_count counts attempts that
 * started and never finished because the process died (see
 * engine_attempts.c), never mere dequeues, nor attempts a graceful stop
 * gave up on. An activity with such an attempt behind it is a suspect: it
 * starts only when every other running attempt has run for a while
 * (ENGINE_SUSPECT_QUIET_US), and nothing else starts during its own first
 * moments, so a crash is pinned on it and not on the innocent work beside
 * it; a long or hung suspect holds the rest back only that long.
 *
 * A batch that cannot commit (a full disk) is retried with exponential
 * back-off (50 ms doubling to 2 s); the engine reports itself degraded
 * (rt_engine_get_health) until a commit succeeds again.
 *
 * Orchestrator episodes run on the engine thread (user code, but
 * deterministic and short by contract); activities run on their own pool.
 * The engine sleeps on a condition variable until a command, a result or
 * the next durable timer; it never polls.
 *
 * Reads (status, history, listings) use read-only handles on the same file,
 * so they never wait for or delay a commit.
 */
#ifndef RT_ENGINE_H
#define RT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/invocation.h"
#include "common/log_level.h"
#include "runtime/durable_report.h"
#include "runtime/history.h"
#include "runtime/replay.h"
#include "runtime/store.h"

struct rt_entity_op;
struct rt_entity_batch;

struct rt_engine;
struct rt_engine_wait;

/* How long work whose app cannot run now (engine hooks: can_run, not_run)
 * first waits before it is tried again: no spinning while it is down. The
 * wait doubles while the work keeps waiting, up to 30 s, and
 * rt_engine_retry_waiting ends it at once. */
#define RT_ENGINE_NOT_NOW_US 1000000

/* One activity attempt handed to the host's runner. BORROWED for the call. */
struct rt_activity_call {
	const char *name;
	const char *input;          /* JSON text, "null" when none */
	const char *instance_id;
	const char *execution_id;
	int task_id;
	int attempt;                /* 1 + attempts that started and never finished */
	const char *idempotency_key; /* "<instance>:<task>:<attempt>" */
	struct rt_arena *arena;     /* the invocation's scratch memory */
};

/* What the runner reports; strings in call->arena. */
struct rt_activity_result {
	int failed;
	const char *result;  /* JSON text when !failed */
	const char *message; /* when failed */
	int not_run;         /* it could not run now (its app is down): no result,
			      * no attempt counted; the row is taken again
			      * RT_ENGINE_NOT_NOW_US later */
};

/* How the engine reaches app code and the console; all may be called from
 * the engine thread or activity threads at once. */
struct rt_engine_hooks {
	void *ctx;
	/* The registered function of that kind, or NULL. */
	void *(*find_orchestrator)(void *ctx, const char *name);
	void *(*find_activity)(void *ctx, const char *name);
	/* Runs orchestrator `fn` for one episode (becomes rt_episode_in.run). */
	int (*run_orchestrator)(void *fn, struct rt_orch *o);
	/* Runs activity `fn`; fills *res. */
	void (*run_activity)(void *ctx, void *fn, const struct rt_activity_call *call,
			     struct rt_activity_result *res);
	/* Runs n activity attempts one after the other (e.g. in one message
	 * to a worker process), on one activity thread: res[i] as
	 * run_activity's for fns[i] and calls[i] (which share one arena). It
	 * calls starting(arg, i) as attempt i begins, so that attempts cut
	 * short by the death of the process are counted (maxDequeueCount) and
	 * the others are not, and finished(arg, i) as soon as res[i] is final,
	 * on this same thread, exactly once per i (started or not), before it
	 * returns and while the later attempts still run: the engine then
	 * commits that result at once instead of waiting for the slowest
	 * attempt of the batch. res[i] is not touched after finished(arg, i);
	 * the arena lives until the hook returns. Used only while more
	 * attempts wait than there are threads; NULL: one run_activity call
	 * each. */
	void (*run_activity_batch)(void *ctx, size_t n, void *const *fns,
				   const struct rt_activity_call *calls,
				   struct rt_activity_result *res,
				   void (*starting)(void *arg, size_t i),
				   void (*finished)(void *arg, size_t i), void *arg);
	/* A console line (category, an enum rt_log_level of common/log_level.h). */
	void (*log)(void *ctx, const char *category, int level, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));
	/* Whether such a line would show; lets the engine skip formatting.
	 * May be NULL (then every line is formatted). */
	int (*log_enabled)(void *ctx, const char *category, int level);
	/* Called on each activity thread when it starts, goes idle, exits
	 * (0, 1, 2), e.g. for per-thread log buffers. May be NULL. */
	void (*thread_event)(void *ctx, int event);
	/* Each orchestrator episode's start and end (failed when the instance
	 * failed), on the engine thread: the host prints func's
	 * Executing/Executed lines. The engine formats none. May be NULL. */
	rt_invocation_fn invocation;
	/* Each orchestrator episode's and activity attempt's start and
	 * outcome (durable_report.h), for the Durable extension's console
	 * lines, which the host formats; on the engine thread (episodes) or
	 * the activity thread (attempts). May be NULL. */
	rt_durable_report_fn durable_report;
	/* Runs one episode instead of rt_replay_run in this process (e.g. in a
	 * worker process); `fn` is find_orchestrator's answer. 0 and -1 as
	 * rt_replay_run; -2: it could not run (the process running it died):
	 * nothing of it is committed and it is tried again. NULL: in process. */
	int (*replay)(void *ctx, void *fn, const struct rt_episode_in *in,
		      struct rt_episode_out *out);
	/* The episodes of one engine batch at once (e.g. in one message to a
	 * worker process), on the engine thread: rcs[i] and outs[i] as
	 * replay's for fns[i] and ins[i]; everything in ins[i]->arena, which
	 * the episodes of a batch share (so no other thread may allocate in
	 * it). It calls done(arg, i) once for every i, as soon as outs[i] and
	 * rcs[i] are final, in any order and before it returns: the engine
	 * writes that episode's outcome while the others still run. Episodes
	 * run off the engine thread still use replay. NULL: one replay call
	 * per episode. */
	void (*replay_batch)(void *ctx, size_t n, void *const *fns,
			     const struct rt_episode_in *const *ins, struct rt_episode_out *outs,
			     int *rcs, void (*done)(void *arg, size_t i), void *arg);
	/* Whether orchestrator `fn`'s code can run now. 0 (its app is down):
	 * the episode is not started and nothing is counted; its messages wait
	 * in the inbox and it is tried again RT_ENGINE_NOT_NOW_US later. An
	 * episode that terminates the instance runs no code and is replayed
	 * anyway. Also asked of activity `fn` before an attempt, so an attempt
	 * that will come back not_run reports no start. NULL: always. */
	int (*can_run)(void *ctx, void *fn);
	/* Entities (entity.h): the registered entity function or NULL, and
	 * running one operation on the engine thread. May be NULL (no
	 * entities: every operation fails as an unknown entity). */
	void *(*find_entity)(void *ctx, const char *name);
	void (*run_entity)(void *ctx, void *fn, struct rt_entity_op *op);
	/* Runs a whole batch of entity `fn` instead of rt_entity_batch_run in
	 * this process (e.g. in a worker process: one message per batch). 0 or
	 * -1 as rt_entity_batch_run; -2: it could not run (its process died,
	 * its app is down): nothing of it is committed and its messages are
	 * tried again RT_ENGINE_NOT_NOW_US later. Before it, can_run is asked
	 * as for episodes. NULL: rt_entity_batch_run with run_entity. */
	int (*run_entity_batch)(void *ctx, void *fn, struct rt_entity_batch *eb);
	/* The entity batches of one engine batch at once (e.g. in one write
	 * to a worker process), on the engine thread: rcs[i] as
	 * run_entity_batch's for fns[i] and ebs[i]. It calls done(arg, i) once
	 * for every i, as soon as ebs[i] and rcs[i] are final, in any order and
	 * before it returns: the engine writes that entity while the others
	 * still run. Their arena is the batch's (no other thread may allocate
	 * in it). NULL: one run_entity_batch call per entity. */
	void (*run_entity_batches)(void *ctx, size_t n, void *const *fns,
				   struct rt_entity_batch *const *ebs, int *rcs,
				   void (*done)(void *arg, size_t i), void *arg);
	/* Tests: on the engine thread, after each chunk of a replay's outcome
	 * is written in pieces (engine_offload.c), with the messages written
	 * so far of the total, before the batch commits. NULL in the host. */
	void (*outcome_chunk)(void *ctx, size_t msgs_written, size_t msgs_total);
};

struct rt_engine_opts {
	const char *path;        /* SQLite file ("<root>/.cfunc/<hub>.db") */
	const char *hub_name;
	int sync_normal;         /* synchronous=NORMAL instead of FULL */
	int sync_acks;           /* fsync what is acknowledged before the answer,
				  * the rest within 50 ms (engine_sync.c);
				  * wins over sync_normal */
	int max_activities;      /* activity threads, maxConcurrentActivityFunctions */
	int max_orchestrators;   /* episodes per batch, maxConcurrentOrchestratorFunctions */
	int max_dequeue_count;   /* poison threshold */
	int max_actions;         /* maxOrchestrationActions */
	int overwrite_any_state; /* overridableExistingInstanceStates = AnyState */
	int stop_timeout_ms;     /* rt_engine_stop's bound; 0: 10 s */
	int entity_batch_max;    /* messages one entity batch takes, maxEntityOperationBatchSize; 0: 5000 */
	int entity_keep_failed;  /* rollbackEntityOperationsOnExceptions = false: a failed
				  * operation keeps its state change and sends its signals */
	struct rt_engine_hooks hooks;
};

/* Opens the store and starts the engine and activity threads. Returns NULL
 * with *err (malloc'd) when the store cannot be opened. */
struct rt_engine *rt_engine_start(const struct rt_engine_opts *opts, char **err);
/* Stops taking work, waits for running activities, commits what is done,
 * joins the threads and closes the store, all within opts.stop_timeout_ms.
 * NULL is ok. */
void rt_engine_stop(struct rt_engine *e);
/*
 * The same stop with an absolute deadline (rt_mono_us()). Attempts not
 * started are dropped; running ones get until the deadline to finish and
 * their results are committed. Past it, commands still queued fail with
 * RT_ERROR and what is left is abandoned: it runs again after the next
 * start. Returns 0 when everything stopped and `e` is freed, 1 when some
 * activity threads still run app code: `e` is then left allocated (they
 * use it) and the caller must end the process without unloading the apps.
 */
int rt_engine_stop_by(struct rt_engine *e, int64_t deadline_mono_us);

const char *rt_engine_hub(const struct rt_engine *e);
const char *rt_engine_path(const struct rt_engine *e);

/* ---- client commands (any thread; block until committed) ---------------- */

/* Outcome codes: RT_OK, RT_ERROR and RT_E_* of runtime/rc.h. */

/* Instance ids: not empty, not starting with '@', no '/', '\\', '#', '?' or
 * control characters, at most 256 bytes, valid UTF-8. Returns NULL if valid,
 * else a static message. */
const char *rt_instance_id_problem(const char *id);

/*
 * Starts orchestrator `name` with `input` (JSON text or NULL) as instance
 * `instance_id` (NULL: a new 32-hex id). *out_id (malloc'd, caller frees)
 * gets the id. Errors: RT_E_NOTFOUND unknown orchestrator, RT_E_INVALID bad
 * id or input, RT_E_EXISTS a non-terminal instance has the id (the message
 * in *err names its status). *err is malloc'd; the caller frees it.
 */
int rt_engine_start_instance(struct rt_engine *e, const char *name, const char *instance_id,
			     const char *input, char **out_id, char **err);
/*
 * The same start, without waiting: the instance id (32 hex) is generated
 * into out_id[33] at once and the command queued; on_done(user, rc, err)
 * runs on the engine thread after the batch that applied it committed (rc
 * RT_OK) or failed. `name` and `input` are copied. `wait`, when not
 * NULL, is registered (rt_engine_wait_add) for the new id before the
 * command is queued, so it cannot miss even a completion in the very batch
 * that starts the instance; on RT_ERROR it is not registered. Returns
 * RT_OK when queued, RT_ERROR when the engine is stopping (on_done is
 * then not called). `err` is borrowed for the callback only.
 */
typedef void (*rt_engine_done_fn)(void *user, int rc, const char *err);
int rt_engine_start_async(struct rt_engine *e, const char *name, const char *input,
			  char out_id[33], rt_engine_done_fn on_done, void *user,
			  struct rt_engine_wait *wait);

/* Queues an external event (data: JSON text). NOTFOUND / GONE. */
int rt_engine_raise_event(struct rt_engine *e, const char *instance_id, const char *event,
			  const char *data, char **err);
/* Lifecycle requests; reason may be NULL. NOTFOUND / GONE / STATE (suspend
 * of a suspended instance, resume of a running one, rewind of a non-failed
 * one). */
int rt_engine_terminate(struct rt_engine *e, const char *instance_id, const char *reason,
			char **err);
int rt_engine_suspend(struct rt_engine *e, const char *instance_id, const char *reason,
		      char **err);
int rt_engine_resume(struct rt_engine *e, const char *instance_id, const char *reason,
		     char **err);
int rt_engine_rewind(struct rt_engine *e, const char *instance_id, const char *reason,
		     char **err);
/* Deletes an instance and everything it has. NOTFOUND. */
int rt_engine_purge(struct rt_engine *e, const char *instance_id, char **err);
/* Deletes terminal instances matching `f` (created_from required by the
 * caller); *deleted gets the count. */
int rt_engine_purge_many(struct rt_engine *e, const struct rt_store_filter *f, int64_t *deleted,
			 char **err);

/* ---- waiting for an instance to finish (any thread) -------------------- */

/*
 * A wait for the commit of an instance's terminal status (Completed,
 * Failed, Terminated, Canceled), so that a client answers the moment the
 * outcome is durable instead of re-reading the store on a timer.
 *
 * The caller owns the struct and the id string, sets `fired` and `user`
 * before rt_engine_wait_add, and frees neither while the wait is
 * registered. fired(w, row) runs at most once, on the engine's answer
 * thread (or its engine thread for a lone wait), after the commit that
 * made the instance terminal (and, under sync_acks, its fsync); `row`
 * (the committed row, input and output included) is BORROWED for the
 * call. fired must be short (it delays the other answers), must not call
 * rt_engine_wait_*, and may be the last thing to touch `w`: once it has
 * handed `w` on (to another thread that frees it), the engine does not
 * look at `w` again.
 *
 * Only commits after the add count. A caller that cannot rule out an
 * earlier one (the instance may exist already) reads the status after the
 * add and cancels when it is terminal by then; nothing falls in between,
 * because the engine looks for waits only after each commit.
 *
 * Every wait is fired or cancelled before rt_engine_stop.
 */
struct rt_engine_wait {
	void (*fired)(struct rt_engine_wait *w, const struct rt_instance *row);
	void *user;
	/* the engine's */
	const char *instance_id;
	uint64_t hash;
	struct rt_engine_wait *next, *prev;
	const struct rt_instance *row; /* while being fired */
	int linked;
	uint64_t ack_seq; /* the commit of its start, when not fsynced at once */
};
void rt_engine_wait_add(struct rt_engine *e, struct rt_engine_wait *w, const char *instance_id);
/* Ends a wait. 1: it had not fired and now never will. 0: it fired, and
 * `fired` has returned by the time this does. */
int rt_engine_wait_cancel(struct rt_engine *e, struct rt_engine_wait *w);
/* After a cancel that returned 1, before answering that the start the wait
 * came with was accepted: a start with a wait (rt_engine_start_async) is
 * fsynced with the outcome, not at its own commit, so this fsyncs it now
 * if no fsync covered it yet (any thread; blocks for one fdatasync at
 * most). 0 when it is on disk, -1 when that could not be made sure. */
int rt_engine_wait_ack_durable(struct rt_engine *e, struct rt_engine_wait *w);

/* ---- reads (any thread; read-only handle, never blocks the writer) ------ */

/* A read handle from the engine's pool; give it back with _put. */
struct rt_store *rt_engine_reader_get(struct rt_engine *e, char **err);
void rt_engine_reader_put(struct rt_engine *e, struct rt_store *s);

/* Loads the decoded history of the instance's current execution into `a`. */
int rt_engine_history(struct rt_store *s, const char *instance_id, const char *execution_id,
		      struct rt_event **events, size_t *n, struct rt_arena *a);

/* Counters for the engine unit test; the host does not read them. */
struct rt_engine_stats {
	uint64_t batches;
	uint64_t episodes;
	uint64_t activities;
	uint64_t commands;
	uint64_t offloaded; /* episodes replayed on the replay thread */
	/* What became of those replays (engine_offload.c). */
	uint64_t replays_in_flight; /* handed over, not back yet (queued or running) */
	uint64_t replays_returned;  /* finished by the replay thread */
	uint64_t replays_applied;   /* their outcome committed */
	uint64_t replays_dropped;   /* outcome not committed (the instance changed
				     * meanwhile, or a batch failed): the episode
				     * runs again from the store */
	int64_t replay_us_total;    /* replay thread time, over the returned ones */
	int64_t replay_us_max;      /* the longest of them */
	uint64_t outcome_pieces;    /* batches that committed part of an outcome only */
	uint64_t commands_waiting;  /* client commands queued for the next batches now */
};
void rt_engine_get_stats(struct rt_engine *e, struct rt_engine_stats *st);

/* Whether the task hub takes commits (any thread). */
struct rt_engine_health {
	int degraded;             /* the last batch could not be committed */
	int64_t failing_since_us; /* wall clock of the first failure in a row */
	uint64_t failed_batches;  /* in a row */
	char last_error[256];
};
void rt_engine_get_health(struct rt_engine *e, struct rt_engine_health *h);

/* Wakes the engine thread so it looks at the (moved) test clock again
 * instead of sleeping until the next timer's wall-clock due time. NULL is
 * ok. */
void rt_engine_wake(struct rt_engine *e);
/* An app came back (deployed again): work that waited for it (can_run,
 * not_run, run_entity_batch -2) runs in the next batch instead of at the
 * end of its wait, which grows to 30 s while the app stays down. Any
 * thread; NULL is fine. */
void rt_engine_retry_waiting(struct rt_engine *e);

#endif
