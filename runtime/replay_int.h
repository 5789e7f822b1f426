/*
 * replay_int.h - state shared by replay.c (the episode: timeline, outcome,
 * output) and replay_tasks.c (the orchestrator API: tasks, waits, composites,
 * retries). Not for use outside those two files.
 *
 * Invariants:
 *   - by_seq[i] is the task that took sequence number i in this run; every
 *     number below n_seq is taken (fatal errors stop numbering).
 *   - A task's state only moves from TS_PENDING to a final state, once, and
 *     it then gets the next `serial`: serials order completions in timeline
 *     order, which when_any / when_all use instead of argument order.
 *   - Composites (when_all / when_any) are settled eagerly: a pending kid
 *     holds one link per slot it fills in a composite, and resolving it
 *     walks those links once, so a fan-in of N costs O(N) per episode, not
 *     a rescan of all N kids after every event. A composite's n_pending
 *     counts its slots whose kid is still pending; `first` / `last` keep
 *     the kids that decide it (see task_link).
 *   - Growing arrays are malloc'd (struct rt_vec) and freed by rt_replay_run;
 *     fixed-size tables, tasks, strings and outputs live in the episode
 *     arena.
 */
#ifndef RT_REPLAY_INT_H
#define RT_REPLAY_INT_H

#include "runtime/replay.h"
#include "common/vec.h"

enum task_kind {
	TK_ACTIVITY,
	TK_TIMER,
	TK_SUB_ORCH,
	TK_SEND,
	TK_EVENT, /* wait for external event */
	TK_ALL,
	TK_ANY,
	TK_RETRY,
};

enum task_state {
	TS_PENDING,
	TS_OK,
	TS_FAILED,
	TS_CANCELLED, /* timers only; counts as failed */
};

struct retry;
struct rt_task;

/* One slot of a composite filled by a pending task: the task's list of
 * these is walked once, when it resolves. Arena memory. */
struct task_link {
	struct rt_task *parent; /* the TK_ALL / TK_ANY task */
	struct task_link *next;
};

struct rt_task {
	struct rt_orch *o;
	enum task_kind kind;
	enum task_state state;
	int seq;          /* action tasks: sequence number; -1 otherwise */
	int is_new;       /* action not in past: to emit */
	int attempt;      /* retry attempt (1-based) of an activity/sub-orch */
	uint64_t serial;  /* completion order, 0 while pending */
	const char *name; /* activity/orchestrator/event name */
	const char *input;
	const char *instance_id; /* sub-orch child, send target */
	int64_t fire_at_us;
	const char *result;
	const char *error;
	struct rt_task **kids; /* TK_ALL, TK_ANY */
	size_t n_kids;
	size_t n_pending;        /* TK_ALL, TK_ANY: slots whose kid is pending */
	/* TK_ANY: the earliest resolved kid; TK_ALL: the earliest failed kid
	 * (serial order). TK_ALL: `last` is the latest successful kid. */
	struct rt_task *first, *last;
	struct task_link *parents; /* composites waiting for this task */
	struct rt_task *next_resolved; /* scratch stack while settling */
	struct rt_task *winner;  /* TK_ANY */
	struct retry *retry;     /* TK_RETRY: its state */
	struct retry *owner;     /* attempt/timer of a retry: the retry */
	int entity_reply;        /* TK_EVENT awaiting an entity's reply (entity_orch.c) */
};

struct retry {
	struct rt_task *task; /* the TK_RETRY task */
	struct rt_retry opt;
	enum task_kind what;  /* TK_ACTIVITY or TK_SUB_ORCH */
	const char *name, *instance_id, *input;
	int attempts;         /* attempts started */
	int64_t first_us;     /* now at the first attempt */
	int trailing;         /* waiting for the timer after the last failure */
	const char *last_error;
};

enum outcome {
	OUT_NONE,
	OUT_FINISH,
	OUT_FAIL,
	OUT_CAN,
};

/* One timeline entry: the event and whether an earlier episode committed it.
 * Buffered events also keep the serial of their arrival, which a later
 * wait takes over, so "first" stays history order (§6.4, §6.5). */
struct tl_entry {
	const struct rt_event *ev;
	int played;
	uint64_t serial;
};

struct rt_orch {
	const struct rt_episode_in *in;
	struct rt_arena *a;
	const struct rt_event *started; /* ExecutionStarted */
	const char *instance_id, *execution_id, *name, *input;

	/* The timeline has n_tl entries: in->past (read in place), then tl[]:
	 * OrchestratorStarted(now), msgs (ES first). cur indexes the whole. */
	struct tl_entry *tl;
	size_t n_tl, cur;
	enum rt_status prior_status; /* before this episode, for out->changed */
	struct rt_vec held;     /* struct tl_entry, withheld while suspended */
	size_t held_head;
	int suspended;
	int release_played;  /* played flag of the resume releasing `held` */
	const char *suspend_reason, *resume_reason;
	int last_was_resume; /* the latest suspend/resume event was a resume */

	int64_t now_us;
	int replaying;
	int last_played;     /* played flag of the last applied event */
	int blocked;         /* an await returned RT_PENDING */
	int returned;        /* the code has returned */
	unsigned uuid_counter;
	uint64_t serial;

	struct rt_vec by_seq;   /* struct rt_task * */
	struct rt_vec new_tasks; /* struct rt_task *, is_new, in sequence order */
	size_t n_open;       /* pending numbered activities, timers, sub-orchestrations */
	const struct rt_event **past_sched; /* index = seq; NULL = none */
	unsigned char *claimed;
	size_t n_past_sched;
	int max_actions;
	const char *known_activity; /* the last name is_activity accepted */

	struct rt_vec waiters;  /* struct rt_task *, creation order */
	struct rt_vec buffered; /* struct tl_entry; ev NULL once consumed */
	size_t buffered_head; /* entries before it are all consumed */
	struct rt_vec carried;  /* const struct rt_event *, after continue-as-new */

	enum outcome outcome;
	const char *out_value; /* finish output / fail message / new input */
	int keep_events;
	const char *fatal;     /* final output text (unquoted), NULL if none */
	const char *last_error;

	int custom_set;
	const char *custom;

	struct entity_cs *cs;  /* open critical section, NULL = none (entity_orch_core.h) */
	/* Set by entity_orch.c when a critical section opens: run once the
	 * code returned (rc), so the core needs no call into entity_orch.c. */
	void (*episode_end)(struct rt_orch *o, int rc);
};


/* replay_tasks.c */
void task_complete(struct rt_task *t, enum task_state st, const char *text);
/* task_complete with a given serial (0 = the next one). Also settles the
 * composites waiting for t. */
void task_complete_at(struct rt_task *t, enum task_state st, const char *text, uint64_t serial);
void task_retry_step(struct retry *r, struct rt_task *child);
/* After the code returned: a scheduled event of the history that the code
 * did not produce again is non-determinism. */
void orch_check_missing(struct rt_orch *o);
void orch_set_fatal(struct rt_orch *o, int nondeterminism, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* replay.c */
int orch_next_event(struct rt_orch *o, struct tl_entry *e);
void orch_apply(struct rt_orch *o, const struct tl_entry *e);
char *json_quote(struct rt_arena *a, const char *s);

#endif
