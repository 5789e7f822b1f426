/*
 * engine_entity.h - the engine's entity calls for clients (durable client,
 * management API): signal, read, list. Storage and semantics: entity.h.
 */
#ifndef RT_ENGINE_ENTITY_H
#define RT_ENGINE_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "runtime/engine.h"
#include "runtime/entity.h"

/*
 * Signals operation `op` (NULL = "") with `input` (JSON text, NULL = none)
 * on entity (name, key); at_us > 0 delivers it no earlier than that time.
 * Blocks until committed: acknowledged = durable. RT_E_NOTFOUND when no
 * entity function `name` is registered, RT_E_INVALID for a bad name, key
 * or input (*err malloc'd, the caller frees it).
 */
int rt_engine_signal_entity(struct rt_engine *e, const char *name, const char *key,
			    const char *op, const char *input, int64_t at_us, char **err);

/* The same signal without waiting, once the caller has checked what the
 * engine would refuse (rt_engine_entity_signal_problem): on_done(user, rc,
 * err) runs on the engine thread after the commit (rc RT_OK) or its
 * failure. RT_OK when queued; RT_ERROR when the engine is stopping
 * (on_done is then not called). */
int rt_engine_signal_entity_async(struct rt_engine *e, const char *name, const char *key,
				  const char *op, const char *input, int64_t at_us,
				  rt_engine_done_fn on_done, void *user);

/*
 * Clean entity storage (Durable Functions' CleanEntityStorage): removes the
 * records of entities that have no state, no lock and nothing queued, and
 * releases locks held by orchestrations that no longer run (their waiting
 * operations then run). *removed and *released get the counts. RT_OK or
 * RT_ERROR (*err malloc'd).
 */
int rt_engine_entity_clean(struct rt_engine *e, int64_t *removed, int64_t *released, char **err);

/* One entity as clients see it; strings in the caller's arena. */
struct rt_entity_row {
	const char *name;     /* lower case */
	const char *key;
	const char *state;    /* JSON text; NULL when not asked for */
	int64_t last_op_us;   /* time of the last operation */
	const char *locked_by; /* orchestration holding it, NULL = none */
	size_t queue_len;     /* operations waiting for the lock */
};

/* Reads the last committed state of (name, key) on handle `s` (a reader).
 * 0, RT_E_NOTFOUND when the entity does not exist, or a store error. */
int rt_engine_entity_get(struct rt_store *s, const char *name, const char *key,
			 struct rt_entity_row *out, struct rt_arena *a);

/*
 * One page of existing entities, by instance id, after `after` (NULL: from
 * the start): all, or those named `name` (NULL = all), whose last operation
 * lies in [from_us, to_us], with their state when with_state. At most `top`
 * rows; a page may come back short, even empty, with *next set (the id to
 * continue after; NULL at the end).
 */
int rt_engine_entity_list(struct rt_store *s, const char *name, int64_t from_us, int64_t to_us,
			  int with_state, const char *after, size_t top, struct rt_entity_row **rows,
			  size_t *n, const char **next, struct rt_arena *a);

#endif
