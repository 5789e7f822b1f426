/*
 * store_offline.h - client commands applied straight to a task-hub file
 * while no host runs (`cfunc durable` offline). Each one records exactly
 * what the engine's own command would record (an instance row plus an
 * ExecutionStarted message, or one inbox message for the instance), so the
 * host, when it next starts, applies it as if it had been sent to it: a
 * terminate recorded here ends the instance without running its code.
 *
 * Each call runs its own transaction on `s`, which must not be in one.
 * Inputs are borrowed for the call. Returns the codes of runtime/rc.h;
 * on failure *err (may be NULL) gets a malloc'd one-line message.
 */
#ifndef RT_STORE_OFFLINE_H
#define RT_STORE_OFFLINE_H

#include "runtime/store.h"

enum rt_offline_op {
	RT_OFFLINE_RAISE,
	RT_OFFLINE_TERMINATE,
	RT_OFFLINE_SUSPEND,
	RT_OFFLINE_RESUME,
	RT_OFFLINE_REWIND,
};

/*
 * Creates instance `instance_id` (NULL: a new 32-hex id) of orchestrator
 * `name` with `input` (JSON text or NULL), Pending, as the engine's start
 * does. The orchestrator name cannot be checked without the apps: an
 * unknown one fails when the host runs it. overwrite_any_state: host.json
 * overridableExistingInstanceStates AnyState. *out_id (malloc'd) gets the
 * id, *created_us its creation time. RT_E_INVALID (bad id or JSON) /
 * RT_E_EXISTS (a non-terminal instance has the id).
 */
int rt_offline_start(struct rt_store *s, const char *name, const char *instance_id,
		     const char *input, int overwrite_any_state, char **out_id,
		     int64_t *created_us, char **err);

/* Queues raise (name = event name, data = JSON), terminate, suspend,
 * resume or rewind (data = reason text, may be NULL) for the instance.
 * RT_E_NOTFOUND, RT_E_GONE (terminal; for rewind: terminal but not
 * Failed), RT_E_STATE (suspend of a suspended instance, resume of one that
 * is not, rewind of one that has not finished), RT_E_INVALID (event data
 * not JSON). A second terminate, suspend or rewind queued before the host
 * applied the first is refused with RT_E_STATE, since its effect is already
 * on the way. A rewind is an ExecutionRewound message the engine applies
 * to the Failed instance as its rewind command does (engine_episode.c). */
int rt_offline_command(struct rt_store *s, enum rt_offline_op op, const char *instance_id,
		       const char *name, const char *data, char **err);

#endif
