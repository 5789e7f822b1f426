/*
 * replay_entity.h - the orchestrator's entity calls (durable-semantics §9),
 * on top of replay.h: signals and calls are EventSent actions to the
 * entity's instance id (so they take sequence numbers and replay exactly),
 * replies are EventRaised events named by the request id, which comes from
 * rt_orch_new_uuid. Strings are COPIED; tasks live in the episode arena.
 * Call only from inside rt_episode_in.run with its `o`.
 */
#ifndef RT_REPLAY_ENTITY_H
#define RT_REPLAY_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/replay.h"

/* Calls `op` on entity (name, key) with `input` (JSON text, NULL = none).
 * Result = the operation's result; failure message = the operation's.
 * Bad arguments, or a locking rule broken, fail the orchestration. */
struct rt_task *rt_orch_call_entity(struct rt_orch *o, const char *name, const char *key,
				    const char *op, const char *input);
/* One-way signal, delivered not before at_ms (Unix ms) when at_ms > 0.
 * RT_OK, or RT_ERROR after a fatal error (bad arguments, locked entity). */
int rt_orch_signal_entity(struct rt_orch *o, const char *name, const char *key, const char *op,
			  const char *input, int64_t at_ms);
/* Opens a critical section on the n entities; the task completes when all
 * are locked. Nested sections fail the orchestration. */
struct rt_task *rt_orch_lock_entities(struct rt_orch *o, const char *const *names,
				      const char *const *keys, size_t n);
/* Releases the section's locks. RT_OK, RT_PENDING-free; RT_ERROR when no
 * section is open (not fatal). */
int rt_orch_unlock_entities(struct rt_orch *o);
/* 1 while a critical section is open (requested and not released). */
int rt_orch_in_critical_section(struct rt_orch *o);
/* After the code returned for good (not RT_PENDING; the replay calls it as
 * o->episode_end, set when a section opens): releases a section it
 * left open, so the entities do not wait for a holder that is done. */
void rt_orch_entity_episode_end(struct rt_orch *o, int rc);

#endif
