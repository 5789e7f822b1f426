/*
 * engine_cache.h - encoded histories of recently active instances (engine
 * thread only). See engine_cache.c for when a slot may be trusted.
 */
#ifndef RT_ENGINE_CACHE_H
#define RT_ENGINE_CACHE_H

#include <stdint.h>

#include "arena.h"
#include "history.h"
#include "store.h"

struct engine_cache;

struct engine_cache *engine_cache_new(void);
void engine_cache_free(struct engine_cache *c);
/* Forgets everything (after a batch was rolled back). */
void engine_cache_clear(struct engine_cache *c);

/* The n events of (id, execution_id), decoded into `a` and marked played;
 * 0 on a hit, -1 when the slot does not hold exactly those n events. */
int engine_cache_get(struct engine_cache *c, const char *id, const char *execution_id, int n,
		     int64_t now_us, struct rt_event **events, struct rt_arena *a);
/* Replaces the slot with the rows just loaded from the store (copied). */
void engine_cache_put(struct engine_cache *c, const char *id, const char *execution_id, int n,
		      const struct rt_history_row *rows, size_t nrows, int64_t now_us);
/* Appends an episode's new rows if the slot holds exactly n_before events. */
void engine_cache_append(struct engine_cache *c, const char *id, const char *execution_id,
			 int n_before, const struct rt_history_row *rows, size_t nrows,
			 int64_t now_us);
/* Drops an instance (finished, purged, continued as new). */
void engine_cache_drop(struct engine_cache *c, const char *id);
/* Frees slots idle for a while; cheap, call once per batch. */
void engine_cache_sweep(struct engine_cache *c, int64_t now_us);

#endif
