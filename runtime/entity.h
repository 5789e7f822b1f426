/*
 * entity.h - durable entities (spec: durable-semantics.md §9): ids, the
 * messages sent to them, and one batch of operations.
 *
 * An entity lives in the task hub as an instance row with the id
 * "@<name>@<key>" (orchestration ids never start with '@'): status Running,
 * `output` = the state as JSON text (NULL = the entity does not exist),
 * `input` = its scheduler record (see below), `custom_status` = the
 * {"entityExists","queueSize","lockedBy"} object Durable Functions shows,
 * `updated_us` = the time of the last operation. Messages to it are inbox
 * rows (EventRaised events), so ordering, scheduled delivery (visible_us)
 * and crash safety are those of orchestration messages: a batch consumes
 * its messages and writes the new state in the engine's group-commit
 * transaction (a failure rolls the whole transaction back), so every
 * committed operation is applied exactly once.
 *
 * Message payloads follow Durable Functions' RequestMessage JSON:
 *   operation  {"op":"add","signal":true,"input":"<json text>","id":"<guid>",
 *               "parent":"<caller>","parentExecution":"<exec>"}
 *   lock       {"id":"<guid>","parent":"<orch>","parentExecution":…,
 *               "lockset":["@a@x","@b@y"],"pos":0}
 *   release    {"id":"<guid>","parent":"<orch>"}       (event name "release")
 * and replies to callers are EventRaised events named by the request id
 * with {"result":"<json text>"} or {"exceptionType":"…","exceptionMessage":…}.
 * A scheduled signal carries "due" (ISO 8601) and is stored with that
 * visible time; the engine never delivers it earlier.
 *
 * The scheduler record (`input` column) holds what outlives a batch besides
 * the state: {"queue":[<message json>…],"lockedBy":"<orch>","lockId":"<guid>"}.
 * While an orchestration holds the lock, messages from anyone else wait in
 * "queue", in arrival order, and run after the release.
 */
#ifndef RT_ENTITY_H
#define RT_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "runtime/history.h"

#define RT_ENTITY_KEY_MAX 200
#define RT_ENTITY_RELEASE_EVENT "release"
#define RT_ENTITY_OP_EVENT "op"
/* The longest message or scheduler record the entity code reads: SQLite's
 * default text limit, so nothing the store holds is refused for length. */
#define RT_ENTITY_JSON_MAX_BYTES ((size_t)1000000000)

/* ---- ids ------------------------------------------------------------- */

/* NULL when (name, key) make a valid entity id, else a static message.
 * Names follow function names ([A-Za-z][A-Za-z0-9_-]*, at most 128 bytes);
 * keys are UTF-8 without '/', '\\', '#', '?' or control characters, at most
 * RT_ENTITY_KEY_MAX bytes ("" is allowed). */
const char *rt_entity_id_problem(const char *name, const char *key);
/* "@<lower-case name>@<key>" in `a` (no validation). */
char *rt_entity_id(struct rt_arena *a, const char *name, const char *key);
/* Splits an instance id "@name@key" into copies in `a`; 0, or -1 when `id`
 * is not an entity id. */
int rt_entity_id_split(const char *id, struct rt_arena *a, const char **name, const char **key);
/* 1 for an id starting with '@'. */
int rt_entity_id_is(const char *instance_id);

/* ---- messages -------------------------------------------------------- */

enum rt_entity_msg_kind {
	RT_EMSG_OP,
	RT_EMSG_LOCK,
	RT_EMSG_RELEASE,
};

/* A decoded message; strings in the arena it was parsed into. */
struct rt_entity_msg {
	enum rt_entity_msg_kind kind;
	const char *op;               /* OP: operation name ("" when none) */
	const char *input;            /* OP: JSON text, NULL = no input */
	int signal;                   /* OP: one-way */
	const char *id;               /* request / lock id (NULL for client signals) */
	const char *parent;           /* caller instance; NULL for clients */
	const char *parent_execution; /* NULL when unknown */
	const char **lockset;         /* LOCK: entity ids, sorted */
	size_t nlockset;
	int pos;                      /* LOCK: this entity's index in lockset */
	int64_t due_us;               /* scheduled signal: not before; 0 = at once */
	const char *raw;              /* the message JSON, as queued */
};

/* Decodes message `json` received with event name `event` ("op" or
 * "release"). 0, or -1 when it is not a message (the caller drops it). */
int rt_entity_msg_parse(const char *event, const char *json, struct rt_entity_msg *m,
			struct rt_arena *a);
/* The JSON of an operation message (input NULL = none; id, parent,
 * parent_execution may be NULL; due_us 0 = at once). In `a`. */
char *rt_entity_msg_op(struct rt_arena *a, const char *op, const char *input, int signal,
		       const char *id, const char *parent, const char *parent_execution,
		       int64_t due_us);
/* The JSON of a lock request for position `pos` of the sorted set. */
char *rt_entity_msg_lock(struct rt_arena *a, const char *id, const char *parent,
			 const char *parent_execution, const char *const *lockset, size_t n,
			 int pos);
/* The JSON of a release. */
char *rt_entity_msg_release(struct rt_arena *a, const char *id, const char *parent);
/* The reply JSON to a caller: {"result":"<json text>"} or, failed,
 * {"exceptionType":"EntityOperationFailed","exceptionMessage":"<message>"}. */
char *rt_entity_reply(struct rt_arena *a, int failed, const char *text);
/* Decodes a reply into *failed and *text (result JSON text or message).
 * 0, or -1 for anything else. */
int rt_entity_reply_parse(const char *json, int *failed, const char **text, struct rt_arena *a);
/* The scheduled time of a message (its "due"), 0 when none or not a message. */
int64_t rt_entity_msg_due(const char *json);

/* ---- one batch ------------------------------------------------------- */

/* What an operation may do besides changing the state. */
enum rt_entity_action_kind {
	RT_EACT_SIGNAL, /* signal entity `target` ("@n@k") with op/input, at at_us */
	RT_EACT_START,  /* start orchestration `name` as instance_id (NULL: new) */
};

struct rt_entity_action {
	enum rt_entity_action_kind kind;
	const char *target;      /* SIGNAL */
	const char *op;          /* SIGNAL */
	const char *input;       /* JSON text or NULL */
	int64_t at_us;           /* SIGNAL: 0 = at once */
	const char *name;        /* START */
	const char *instance_id; /* START */
};

/* One operation handed to the entity function (rt_entity_run_fn). */
struct rt_entity_op {
	const char *name, *key, *instance_id;
	const char *op, *input;
	const char *state;        /* in: the state before (NULL absent); out: after */
	/* out */
	int failed;
	const char *result;       /* JSON text (NULL = null) */
	const char *message;      /* failed: why */
	struct rt_entity_action *actions;
	size_t nactions, capactions;
	struct rt_arena *arena;   /* the batch's; everything above lives there */
};

/* Appends an action to op (copies nothing: strings must live in op->arena). */
struct rt_entity_action *rt_entity_op_add_action(struct rt_entity_op *op);

/* Runs one operation (the host calls the app's cf_entity_fn). */
typedef void (*rt_entity_run_fn)(void *ctx, void *fn, struct rt_entity_op *op);
/* 1 when orchestration `instance_id` is still running (lock holders). */
typedef int (*rt_entity_alive_fn)(void *ctx, const char *instance_id);

/* A message the batch sends (to an orchestration or another entity). */
struct rt_entity_out {
	const char *target;       /* instance id */
	const char *execution_id; /* NULL: the current one */
	const char *event;        /* event name */
	const char *data;         /* JSON text */
	int64_t visible_us;       /* 0: at once */
};

struct rt_entity_batch {
	/* in */
	const char *instance_id;     /* "@name@key" */
	const char *name, *key;
	const char *state;           /* NULL: no state */
	const char *scheduler;       /* the record (JSON) or NULL */
	const struct rt_entity_msg *msgs; /* new messages in arrival order */
	size_t nmsgs;
	void *fn;                    /* NULL: no such entity function */
	rt_entity_run_fn run;
	rt_entity_alive_fn alive;    /* may be NULL: holders are taken as alive */
	void *ctx;
	struct rt_arena *arena;
	int keep_failed;             /* a failed operation keeps its state and actions */
	/* out (in arena) */
	const char *new_state;
	const char *new_scheduler;   /* NULL: nothing to keep */
	const char *locked_by;       /* NULL: not locked */
	size_t queue_len;            /* messages left waiting for the lock */
	struct rt_entity_out *outs;  /* in order */
	size_t nouts, capouts;
	struct rt_entity_action *starts; /* RT_EACT_START of successful operations */
	size_t nstarts, capstarts;
	size_t ops_run, ops_failed;
	int changed;                 /* state, lock or queue differ from the input */
};

/* Runs every deliverable message (queued ones first, then b->msgs) in
 * order. Returns 0, or -1 when the scheduler record cannot be read. */
int rt_entity_batch_run(struct rt_entity_batch *b);
/* The custom status object of an entity in `a`. */
char *rt_entity_status_json(struct rt_arena *a, int exists, size_t queue_len,
			    const char *locked_by);

#endif
