/*
 * engine_cache.h - decoded histories of recently active instances (engine
 * thread only), so an episode neither reads its whole history back from
 * SQLite nor decodes it again. See engine_cache.c for when a slot may be
 * trusted.
 *
 * Ownership: the cache owns its events and their strings. The array that
 * engine_cache_get hands out is BORROWED: it stays valid, strings included,
 * until the next engine_cache_* call that changes that instance's slot
 * (put, append, drop, clear, sweep, or a put/append of another instance
 * that maps to the same slot). Appending never moves strings already held,
 * so strings of a got array stay valid across engine_cache_append too.
 */
#ifndef RT_ENGINE_CACHE_H
#define RT_ENGINE_CACHE_H

#include <stdint.h>

#include "common/arena.h"
#include "runtime/history.h"
#include "runtime/replay.h"
#include "runtime/store.h"

struct engine_cache;

struct engine_cache *engine_cache_new(void);
void engine_cache_free(struct engine_cache *c);
/* Forgets everything (after a batch was rolled back). */
void engine_cache_clear(struct engine_cache *c);

/* The n events of (id, execution_id), marked played, and their replay
 * index (NULL when it cannot be used, see replay.h; BORROWED like the
 * events); 0 on a hit, -1 when the slot does not hold exactly those n
 * events. */
int engine_cache_get(struct engine_cache *c, const char *id, const char *execution_id, int n,
		     int64_t now_us, const struct rt_event **events,
		     const struct rt_past_index **index);
/* Replaces the slot with the rows just loaded from the store (decoded and
 * copied). 0, or -1 when they are not kept (too large, undecodable). */
int engine_cache_put(struct engine_cache *c, const char *id, const char *execution_id,
		     const struct rt_history_row *rows, size_t nrows, int64_t now_us);
/* Appends an episode's new events (copied) if the slot holds exactly
 * n_before events; otherwise, or when it would grow too large, the slot
 * is dropped. */
void engine_cache_append(struct engine_cache *c, const char *id, const char *execution_id,
			 int n_before, const struct rt_event *events, size_t n, int64_t now_us);
/*
 * Pacing of heavy episodes that only absorb results (engine_episode.c). An
 * episode that replayed for cost_us and scheduled nothing is noted; until
 * ENGINE_PACE_FACTOR times that cost has passed since end_mono_us, the
 * instance's next result-only episode should wait: a fan-in of 100,000
 * then replays a few times with many results each instead of once per
 * batch with a handful, and leaves the engine to the other instances
 * most of the time. 0 = no need to wait (also for unknown instances).
 */
void engine_cache_note_episode(struct engine_cache *c, const char *id, int64_t cost_us,
			       int scheduled_nothing, int64_t end_mono_us);
int64_t engine_cache_pace_until(struct engine_cache *c, const char *id);

/* The replay time of the instance's last episode (0: unknown): whether
 * its next one is worth running off the engine thread. */
int64_t engine_cache_last_cost(struct engine_cache *c, const char *id);

/*
 * Lending a slot to an episode replayed on another thread. On a hit (as
 * engine_cache_get) the slot leaves the table and the events stay valid,
 * strings included, until engine_cache_give_back: whatever the engine
 * thread does to the cache meanwhile cannot touch them. NULL on a miss.
 * give_back (engine thread) puts the slot back (keep = 1, evicting what
 * took its place) or frees it (keep = 0); the loan is gone either way.
 */
struct engine_cache_loan;
struct engine_cache_loan *engine_cache_lend(struct engine_cache *c, const char *id,
					    const char *execution_id, int n,
					    const struct rt_event **events,
					    const struct rt_past_index **index);
void engine_cache_give_back(struct engine_cache *c, struct engine_cache_loan *l, int keep,
			    int64_t now_us);

/* Drops an instance (finished, purged, continued as new). */
void engine_cache_drop(struct engine_cache *c, const char *id);
/* Frees slots idle for a while; cheap, call once per batch. */
void engine_cache_sweep(struct engine_cache *c, int64_t now_us);

#endif
