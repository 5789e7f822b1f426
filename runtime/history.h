/*
 * history.h - the Durable Task history model (spec/durable-semantics.md §2)
 * and its storage codec.
 *
 * One struct covers every event type; fields an event type does not use are
 * NULL / 0 / -1. Strings are borrowed from whoever built the event (usually
 * an episode arena). JSON payloads (input, result) are JSON *text*.
 * Timestamps are UTC microseconds since the Unix epoch.
 */
#ifndef RT_HISTORY_H
#define RT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
/* The wire times of events (rt_format_time_*, rt_parse_time) live in
 * common/isotime.h; every reader of a history needs them. */
#include "common/isotime.h"

enum rt_event_type {
	RT_EV_EXECUTION_STARTED = 0,
	RT_EV_EXECUTION_COMPLETED = 1,
	RT_EV_EXECUTION_FAILED = 2, /* legacy, never emitted */
	RT_EV_EXECUTION_TERMINATED = 3,
	RT_EV_TASK_SCHEDULED = 4,
	RT_EV_TASK_COMPLETED = 5,
	RT_EV_TASK_FAILED = 6,
	RT_EV_SUB_ORCH_CREATED = 7,
	RT_EV_SUB_ORCH_COMPLETED = 8,
	RT_EV_SUB_ORCH_FAILED = 9,
	RT_EV_TIMER_CREATED = 10,
	RT_EV_TIMER_FIRED = 11,
	RT_EV_ORCHESTRATOR_STARTED = 12,
	RT_EV_ORCHESTRATOR_COMPLETED = 13,
	RT_EV_EVENT_SENT = 14,
	RT_EV_EVENT_RAISED = 15,
	RT_EV_CONTINUE_AS_NEW = 16,
	RT_EV_GENERIC = 17,
	RT_EV_HISTORY_STATE = 18,
	RT_EV_EXECUTION_SUSPENDED = 19,
	RT_EV_EXECUTION_RESUMED = 20,
	RT_EV_EXECUTION_REWOUND = 21,
	RT_EV__COUNT
};

/* OrchestrationStatus / runtimeStatus numeric values (spec: durable-http-api §2.1). */
enum rt_status {
	RT_ST_RUNNING = 0,
	RT_ST_COMPLETED = 1,
	RT_ST_CONTINUED_AS_NEW = 2,
	RT_ST_FAILED = 3,
	RT_ST_CANCELED = 4,
	RT_ST_TERMINATED = 5,
	RT_ST_PENDING = 6,
	RT_ST_SUSPENDED = 7,
};

struct rt_event {
	enum rt_event_type type;
	int event_id;         /* sequence number for action events, else -1 */
	int is_played;        /* 1 once committed by an earlier episode */
	int64_t timestamp_us;

	/* ExecutionStarted, TaskScheduled, SubOrchCreated: function name.
	 * EventRaised, EventSent: event name. */
	const char *name;
	/* ExecutionStarted: input; TaskScheduled/SubOrchCreated: input;
	 * EventRaised/EventSent: data; ExecutionTerminated: reason (JSON text). */
	const char *input;
	/* TaskCompleted, SubOrchCompleted, ExecutionCompleted, ContinueAsNew. */
	const char *result;
	/* TaskFailed, SubOrchFailed: reason + details; Suspended/Resumed/
	 * Generic(rewound): reason. */
	const char *reason;
	const char *details;
	/* TaskCompleted/Failed, SubOrchCompleted/Failed: the scheduled EventId;
	 * TimerFired: TimerId. -1 otherwise. */
	int task_scheduled_id;
	/* TimerCreated, TimerFired. */
	int64_t fire_at_us;
	/* ExecutionCompleted, ContinueAsNew. */
	enum rt_status orchestration_status;
	/* ExecutionStarted: this execution; SubOrchCreated/EventSent: target instance. */
	const char *instance_id;
	const char *execution_id;
	/* ExecutionStarted of a sub-orchestration: who to notify on completion. */
	const char *parent_instance_id;
	const char *parent_execution_id;
	const char *parent_name;
	int parent_task_id; /* the parent's SubOrchCreated EventId, -1 if none */
	/* GenericEvent. */
	const char *data;
	/* TaskCompleted/Failed: when the attempt that gave this result started
	 * (engine clock), so a timeline can tell queue time (TaskScheduled to
	 * here) from run time (here to the event's timestamp); 0 = not known
	 * (results recorded before cfunc kept it). */
	int64_t started_us;
	/* ExecutionStarted of an execution that a continue-as-new began: the
	 * input of the execution it replaced (JSON text), whose history is gone,
	 * so the dashboard can show what changed; NULL otherwise. */
	const char *previous_input;
};

/* Sets every field to its "unused" value (NULL, -1, 0) and the given type. */
void rt_event_init(struct rt_event *ev, enum rt_event_type type);

/* "ExecutionStarted", ...; "Unknown" out of range. */
const char *rt_event_type_name(enum rt_event_type t);
/* "Running", ..., "Suspended"; "Unknown" out of range. */
const char *rt_status_name(enum rt_status s);
/* Parses a runtimeStatus name (case-sensitive) or decimal number; -1 if unknown. */
int rt_status_parse(const char *s);
/* 1 for Completed, Failed, Canceled, Terminated. */
int rt_status_is_terminal(enum rt_status s);

/*
 * Storage codec. rt_history_encode appends a compact, versioned binary form
 * of `ev` to *buf (realloc'd; *len updated). rt_history_decode parses one
 * encoded event, copying strings into `a`; it returns 0, or -1 for input that
 * is truncated or not an event (never reads past len).
 */
void rt_history_encode(const struct rt_event *ev, unsigned char **buf, size_t *len, size_t *cap);
int rt_history_decode(const void *data, size_t len, struct rt_event *ev, struct rt_arena *a);

/*
 * Additions (append-only; the declarations above are unchanged).
 */

/* Decodes the first event of a buffer holding several encoded events back to
 * back; *used gets its encoded length. Strings are copied into `a`.
 * Returns 0, or -1 for truncated or malformed input (never reads past len). */
int rt_history_decode_next(const void *data, size_t len, size_t *used, struct rt_event *ev,
			   struct rt_arena *a);

#endif
