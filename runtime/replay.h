/*
 * replay.h - one episode of one orchestration (spec: durable-semantics.md §3-§8).
 *
 *   committed history of the current execution  (in->past)
 * + new messages of this episode                 (in->msgs)
 * + the orchestrator function                    (in->run, in->fn)
 * -> history events to append, outbound actions, status, output.
 *
 * Pure: no threads, clocks, I/O or globals. Everything is allocated in
 * in->arena and stays valid until the caller resets it (after the commit).
 *
 * The model. The orchestrator function is re-run from the top in every
 * episode. Replay walks one timeline, past followed by
 * [OrchestratorStarted(now_us), msgs...], the way a live orchestrator would
 * have seen it: the code starts right after ExecutionStarted; each await of a
 * task that is not yet resolved consumes timeline events one by one (they
 * resolve tasks, wake event waiters, buffer events, suspend/resume) until
 * that task resolves or the timeline ends (RT_PENDING: the function returns
 * and the episode ends). So "which task finished first" (when_any, when_all
 * fail-fast, event vs timer) is decided by history order, and
 * rt_orch_now()/rt_orch_is_replaying() are those of the event that resolved
 * the task the code last waited for. Events left when the function returns
 * are still applied (they close outstanding tasks, feed buffers).
 *
 * Sequence numbers: activity (each retry attempt), timer (incl. retry
 * timers), sub-orchestration and send-event calls take 0, 1, 2, ... per
 * execution in call order; waits, custom status, new_uuid and logs do not.
 * Tasks are scheduled when created (C has no "yield"). Each scheduled event
 * of `past` must match the action with its number (kind + case-insensitive
 * name), else the orchestration fails with "Non-Deterministic workflow
 * detected: ...". Actions beyond the history are new: they become history
 * events and outbound actions.
 *
 * Errors inside the code never abort the host: they end in status Failed.
 * Some are fatal (non-determinism, unknown function name, too many actions,
 * invalid arguments): from then on every await returns RT_ERROR, nothing
 * new is scheduled, and the orchestration fails in this episode without
 * waiting for outstanding tasks.
 */
#ifndef RT_REPLAY_H
#define RT_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "runtime/history.h"
#include "runtime/rc.h"

/* Return codes: RT_OK, RT_PENDING, RT_ERROR of runtime/rc.h. */

/* Same fields and meaning as struct cf_retry: times in ms; 0 in an optional
 * field = unbounded (max_interval_ms, timeout_ms) or 1.0 (backoff_coefficient). */
struct rt_retry {
	int64_t first_interval_ms; /* > 0 */
	int max_attempts;          /* >= 1, counts the first attempt */
	double backoff_coefficient;
	int64_t max_interval_ms;
	int64_t timeout_ms;
};

struct rt_orch; /* the context of one episode, valid during in->run only */
struct rt_task; /* a task of that episode; lives in the episode arena */

/* ------------------------------------------------------------------ */
/* Episode input / output                                               */
/* ------------------------------------------------------------------ */

/*
 * Facts about a committed past that its keeper can maintain as it appends
 * (the engine's history cache does), so an episode does not walk a long
 * history before running the code. It must describe exactly past[0..n_past)
 * of a history that has not ended and has no duplicate or negative sequence
 * numbers; otherwise pass none and rt_replay_run finds out itself.
 */
struct rt_past_index {
	const int *sched_at;   /* [n_sched]: index in past of the scheduled event
				* (TaskScheduled, TimerCreated, SubOrchCreated, EventSent)
				* with that sequence number; -1 = none */
	size_t n_sched;        /* highest sequence number + 1 */
	int started_at;        /* index of the first ExecutionStarted; -1 = none */
	enum rt_status prior;  /* RT_ST_SUSPENDED if the last suspend/resume event
				* was a suspend, else RT_ST_RUNNING */
};

struct rt_episode_in {
	/* Identity. NULL = taken from the execution's ExecutionStarted. */
	const char *instance_id;
	const char *execution_id; /* default sub-orchestration ids "<execution_id>:<seq>" */
	const char *name;         /* orchestrator name */

	/* Committed history of the current execution only, in order; treated as
	 * played whatever its is_played says. Empty for a new instance. */
	const struct rt_event *past;
	size_t n_past;
	/* Optional (NULL = none), borrowed: see struct rt_past_index. */
	const struct rt_past_index *past_index;
	/* New messages in arrival order. If past is empty they must contain an
	 * ExecutionStarted (moved to the front, spec §2.1). Results for other
	 * executions must already be filtered out by the caller. */
	const struct rt_event *msgs;
	size_t n_msgs;

	int64_t now_us; /* timestamp of this episode's OrchestratorStarted */

	/* Calls the orchestrator: the adapter calls the app's cf_orch_fn(fn).
	 * Returns RT_OK, RT_PENDING or RT_ERROR (see rt_replay_run). */
	int (*run)(void *fn, struct rt_orch *o);
	void *fn;
	/* Name checks at scheduling time: non-zero if `name` is a registered
	 * activity / orchestrator. NULL accepts every name. */
	int (*is_activity)(void *ctx, const char *name);
	int (*is_orchestrator)(void *ctx, const char *name);
	void *ctx; /* passed to the checks */

	int max_actions;          /* maxOrchestrationActions; 0 = 100000 */
	int custom_status_max_kib; /* 0 = 16: rejected when floor(utf16 bytes / 1024) > 16 */
	/* The custom status committed so far (JSON text or NULL); only used to
	 * compute out->changed. */
	const char *custom_status;

	struct rt_arena *arena; /* everything below is allocated here */
};

enum rt_action_kind {
	RT_ACT_ACTIVITY,        /* run activity `name`(`input`); seq = TaskScheduledId */
	RT_ACT_TIMER,           /* deliver `msg` (TimerFired) to self at fire_at_us */
	RT_ACT_SUB_ORCH,        /* create instance `instance_id` with `msg` (ExecutionStarted) */
	RT_ACT_SEND_EVENT,      /* deliver `msg` (EventRaised) to instance `instance_id` */
	RT_ACT_NOTIFY_PARENT,   /* deliver `msg` (SubOrchCompleted/Failed) to instance
				 * `instance_id`, execution `execution_id` */
	RT_ACT_CONTINUE_AS_NEW, /* start a new execution of self with `msg`
				 * (ExecutionStarted) then `carried` as its first messages */
};

/*
 * One unit of outbound work, to enqueue in the same transaction as the
 * history. `msg` is the message for the target's inbox, ready to store
 * (timestamp = now_us; TimerFired's timestamp = fire_at_us). ExecutionStarted
 * messages have execution_id NULL: the engine assigns a new one.
 */
struct rt_action {
	enum rt_action_kind kind;
	int seq;                 /* sequence number; -1 for NOTIFY_PARENT, CONTINUE_AS_NEW */
	int attempt;             /* retry attempt of an activity/sub-orch, 1 = first */
	const char *name;        /* activity / orchestrator / event name */
	const char *instance_id; /* SUB_ORCH: child; SEND_EVENT: target; NOTIFY: parent */
	const char *execution_id; /* NOTIFY_PARENT: the parent's execution */
	const char *input;       /* JSON text: activity/child/new input, event data */
	int64_t fire_at_us;      /* TIMER */
	struct rt_event msg;     /* ACTIVITY: its TaskScheduled event */
	const struct rt_event *carried; /* CONTINUE_AS_NEW: EventRaised to re-deliver */
	size_t n_carried;
};

struct rt_episode_out {
	/* Exactly the events to append to history, in order (spec §2.1):
	 * OrchestratorStarted(now), the messages (ExecutionStarted first), one
	 * event per new action by sequence number, ExecutionCompleted or
	 * ContinueAsNew when finishing, OrchestratorCompleted. is_played = 0. */
	struct rt_event *new_events;
	size_t n_new_events;
	/* Outbound work in order: new actions by sequence number, then
	 * NOTIFY_PARENT or CONTINUE_AS_NEW. */
	struct rt_action *actions;
	size_t n_actions;

	/* Running, Suspended, Completed, Failed, Terminated or ContinuedAsNew. */
	enum rt_status status;
	/* The status row's output, JSON text or NULL (spec §7.2): Completed: the
	 * result ("null" if none); Failed: a JSON string "Orchestrator function
	 * '<name>' failed: <message>" or "Non-Deterministic workflow detected:
	 * <explanation>"; Terminated: the reason; Suspended: the suspend reason;
	 * Running: the latest resume reason, else NULL; ContinuedAsNew: the new
	 * input. */
	const char *output;
	/* The code set its custom status during this run (to custom_status, JSON
	 * text, NULL = cleared); 0 = leave the stored one as it is. */
	int custom_status_set;
	const char *custom_status;
	/* 1 if the episode did anything beyond appending its messages: actions,
	 * a status change, a custom status change, suspend/resume/terminate. */
	int changed;
	/* rt_replay_run returned -1: why (the input was unusable, nothing ran). */
	const char *error;
};

/*
 * Runs one episode. `in` and everything it points to are borrowed for the
 * call; *out is overwritten and its contents live in in->arena.
 *
 * The orchestrator's return value: RT_OK without rt_orch_finish = finished
 * with null; RT_ERROR without rt_orch_fail = failed with the message of the
 * last failed await (rt_orch_last_error); RT_PENDING is only valid after an
 * await returned RT_PENDING (else the orchestration fails with
 * "orchestrator returned pending with nothing to wait for"). A recorded
 * finish/fail/continue-as-new wins over the return value, except that
 * RT_ERROR after continue-as-new fails the orchestration.
 *
 * Completion rule (§6.7): a finished or failed orchestration stays Running
 * while a scheduled activity, timer or sub-orchestration is outstanding
 * (cancelled timers do not count; event waits never do); a later episode
 * re-runs it and completes it with the same result. Continue-as-new and
 * fatal errors end the execution at once.
 *
 * An ExecutionTerminated message ends the execution without running the
 * code (ExecutionCompleted(Terminated, reason)), suspended or not.
 * While suspended (§8.4) results and events are appended but withheld from
 * the code until ExecutionResumed; actions created in an episode that ends
 * suspended are held: no events, no actions (the resume episode re-creates
 * them with the same numbers).
 *
 * Returns 0 (the outcome is in *out, whatever happened to the orchestration),
 * or -1 with out->error when the input cannot be replayed: no
 * ExecutionStarted, an execution that already ended, missing run/arena,
 * corrupt sequence numbers.
 */
int rt_replay_run(const struct rt_episode_in *in, struct rt_episode_out *out);

/*
 * Rewind (§8.6) of a Failed execution's history: returns in *out a copy of
 * `hist` (n events) where every TaskFailed and its TaskScheduled, every
 * SubOrchestrationInstanceFailed and the ExecutionCompleted(Failed) become
 * GenericEvent rows with reason "Rewound: <original type>" (event_id -1,
 * timestamp and is_played kept), and in *children the instance ids of the
 * failed sub-orchestrations to rewind recursively. Then the engine resets
 * the status to Pending and sends a GenericEvent (data = reason) message;
 * replay skips the rewritten rows, so the failed calls are scheduled again
 * under their sequence numbers. Everything is allocated in `a`; `hist` is
 * borrowed. Returns 0, or -1 if the history does not end Failed.
 */
int rt_replay_rewind(const struct rt_event *hist, size_t n, struct rt_arena *a,
		     struct rt_event **out, const char ***children, size_t *n_children);

/* ------------------------------------------------------------------ */
/* The orchestrator API (one function per cfunc.h orchestrator call).   */
/* Call only from inside in->run with the `o` it was given. Strings     */
/* returned are BORROWED for the episode (arena); strings passed in are */
/* COPIED. Tasks live until the arena is reset.                         */
/* ------------------------------------------------------------------ */

/* Input JSON text ("null" when none), instance id, orchestrator name,
 * execution id. */
const char *rt_orch_input(struct rt_orch *o);
const char *rt_orch_instance_id(struct rt_orch *o);
const char *rt_orch_name(struct rt_orch *o);

/* Deterministic now (§5.1): the timestamp of the latest OrchestratorStarted
 * replay has consumed; never moves backwards. */
int64_t rt_orch_now_ms(struct rt_orch *o);
/* Tests and fuzz targets only: the host does not call it. */
int64_t rt_orch_now_us(struct rt_orch *o);

/* 1 while the code runs because of events committed by earlier episodes
 * (the event that resolved the task it last waited for was played), else 0.
 * The adapter drops log lines while this is 1. */
int rt_orch_is_replaying(struct rt_orch *o);

/* Deterministic UUID v5 (uuid.h rt_uuid_orch) of instance id, now and a
 * counter that restarts at 0 every execution and every replay. */
const char *rt_orch_new_uuid(struct rt_orch *o);

/* Custom status, JSON text (COPIED; NULL clears; not validated here). Returns
 * RT_OK, or RT_ERROR and keeps the previous value when it is larger than
 * the limit measured in UTF-16 bytes (§5.4); the message is in
 * rt_orch_last_error. */
int rt_orch_set_custom_status(struct rt_orch *o, const char *json);

/* Schedules activity `name` (input COPIED, NULL = null), retried per `retry`
 * when not NULL (COPIED). Unknown names fail the orchestration ("The
 * function '<name>' doesn't exist, is disabled, or is not an activity
 * function."). A failure's message is the TaskFailed reason ("Activity
 * function '<name>' failed: <message>"). Never returns NULL. */
struct rt_task *rt_orch_call_activity(struct rt_orch *o, const char *name, const char *input,
				      const struct rt_retry *retry);

/* Starts orchestrator `name` as a child; instance_id NULL =
 * "<execution id>:<seq>". Failure message = the child's failure reason
 * ("Orchestrator function '<child>' failed: ..." or its terminate reason). */
struct rt_task *rt_orch_call_sub_orchestrator(struct rt_orch *o, const char *name,
					      const char *instance_id, const char *input,
					      const struct rt_retry *retry);

/* A durable timer firing at fire_at_ms (Unix ms); result NULL. */
struct rt_task *rt_orch_create_timer(struct rt_orch *o, int64_t fire_at_ms);

/* Waits for external event `name` (ASCII case-insensitive). Resolves with
 * the oldest buffered event of that name, else with the next one to arrive;
 * several open waiters: the newest gets it (LIFO). Result = event data. */
struct rt_task *rt_orch_wait_for_event(struct rt_orch *o, const char *name);

/* Sends event `name` with `data` (COPIED) to instance `instance_id`: an
 * EventSent action taking a sequence number. RT_OK or RT_ERROR (fatal). */
int rt_orch_send_event(struct rt_orch *o, const char *instance_id, const char *name,
		       const char *data);

/* Completes when all tasks succeeded (result: JSON array of their results
 * in argument order; "[]" for n = 0), or fails as soon as one fails (the
 * earliest failure in history order, with its message). `tasks` COPIED. */
struct rt_task *rt_orch_when_all(struct rt_orch *o, struct rt_task *const *tasks, size_t n);

/* Completes when the first task (history order) completes, successfully or
 * not; never fails. Result = the winner's result if it succeeded, else NULL;
 * rt_task_winner() gives the winner. n = 0 is a fatal invalid argument. */
struct rt_task *rt_orch_when_any(struct rt_orch *o, struct rt_task *const *tasks, size_t n);

/*
 * RT_OK: the task succeeded; *result (if result is not NULL) = its result.
 * RT_PENDING: not resolved by the whole timeline; return RT_PENDING.
 * RT_ERROR: it failed (or was cancelled); rt_task_error() has the message,
 * which also becomes rt_orch_last_error().
 */
int rt_orch_await(struct rt_orch *o, struct rt_task *t, const char **result);

/* Result (JSON) / error message of a resolved task; NULL otherwise. */
const char *rt_task_result(struct rt_task *t);
const char *rt_task_error(struct rt_task *t);
/* The task that completed a when_any task; NULL while it is pending or for
 * other tasks. */
struct rt_task *rt_task_winner(struct rt_task *any);
/* Cancels a pending timer: it completes at once as failed ("timer
 * cancelled"), no longer keeps the orchestration open, and its TimerFired is
 * ignored. No-op on other tasks or resolved timers. */
void rt_task_cancel(struct rt_task *timer);

/* Ends the orchestration with output JSON (COPIED; NULL = null). RT_OK, or
 * RT_ERROR after a fatal error. */
int rt_orch_finish(struct rt_orch *o, const char *output);
/* Fails it with `message` (COPIED), also after rt_orch_continue_as_new
 * (which a failure cancels, §8.5). Returns RT_ERROR. */
int rt_orch_fail(struct rt_orch *o, const char *message);
/* Ends this execution and starts a new one with `input`. Buffered, never
 * consumed events are carried over unless keep_events is 0; events arriving
 * later in this episode are always carried. RT_OK (RT_ERROR after fatal). */
int rt_orch_continue_as_new(struct rt_orch *o, const char *input, int keep_events);

/* For the adapter: the episode arena (cf_alloc, cf_fmt) and the
 * message of the last failure seen by the code (cf_last_error; NULL). */
struct rt_arena *rt_orch_arena(struct rt_orch *o);
const char *rt_orch_last_error(struct rt_orch *o);

#endif
