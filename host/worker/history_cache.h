/*
 * history_cache.h - the pasts an episode worker keeps (history_cache.c),
 * so the host sends each episode only the events the worker lacks
 * (common/wire.h, RT_WT_PAST_HELD). Worker side only; the host's record of
 * what each worker process holds is history_held.h.
 *
 * Ownership: the cache owns its events and their strings. The array that
 * history_cache_past hands out lives until the next history_cache_* call.
 */
#ifndef HOST_WORKER_HISTORY_CACHE_H
#define HOST_WORKER_HISTORY_CACHE_H

#include "common/arena.h"
#include "common/wire.h"
#include "runtime/history.h"

#include <stddef.h>
#include <stdint.h>

/* Direct-mapped slots by rt_hash_str(instance id); the host's record uses
 * the same number and hash, so a collision evicts on both sides alike. */
#define HISTORY_CACHE_SLOTS 4096
#define HISTORY_CACHE_IDLE_US (10 * 1000000LL)  /* an untouched instance is dropped */
#define HISTORY_CACHE_ENTRY_MAX (96u << 20)     /* bytes one instance may hold */
#define HISTORY_CACHE_TOTAL_MAX (256u << 20)    /* bytes all instances may hold */

struct history_cache;

/* 0 takes the default (HISTORY_CACHE_IDLE_US, _ENTRY_MAX, _TOTAL_MAX). */
struct history_cache *history_cache_new(int64_t idle_us, size_t entry_max, size_t total_max);
void history_cache_free(struct history_cache *c);

/*
 * The whole past of request m (held prefix + the events it carries), each
 * marked played, in *past / *n (borrowed: see above; events that are not
 * kept are decoded into `a`). *held is 1 when the cache keeps all of it
 * for the next request. Returns 0; 1 when m->past_held > 0 and the cache
 * does not hold exactly those events of that execution ending with
 * m->past_tail (the worker answers RESEND; the slot is then emptied); -1
 * with *err when an event does not decode (nothing kept). now_mono_us
 * stamps the slot for idle eviction.
 */
int history_cache_past(struct history_cache *c, const struct rt_wire_orch_request *m,
		       int64_t now_mono_us, struct rt_arena *a, const struct rt_event **past,
		       size_t *n, int *held, const char **err);
/* Drops an instance (finished, or its episode failed). */
void history_cache_drop(struct history_cache *c, const char *instance);
/* Drops instances idle for longer than the idle time; returns when the
 * next one would be due (0: the cache is empty). */
int64_t history_cache_sweep(struct history_cache *c, int64_t now_mono_us);

/* For tests and the status line: instances and bytes held. */
size_t history_cache_count(const struct history_cache *c);
size_t history_cache_bytes(const struct history_cache *c);

#endif
