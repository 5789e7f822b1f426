/*
 * history_held.h - the host's record of which pasts one worker process
 * holds (history_held.c), so that an episode is sent only the events that
 * process lacks (common/wire.h, RT_WT_PAST_HELD; the worker's side is
 * history_cache.h).
 *
 * Ownership: one record per worker process, in its slot (struct wproc,
 * pool.h) and used only by the thread that owns the busy worker, so it
 * needs no lock. A record names the process it describes (pid and start
 * time): a slot whose worker died, was replaced or was deployed again gets
 * an empty record, so a new process is always sent whole pasts.
 */
#ifndef HOST_WORKER_HISTORY_HELD_H
#define HOST_WORKER_HISTORY_HELD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct history_held;

/* *rec as the record of the process (pid, started_us): made on first use,
 * emptied when it described another process. */
struct history_held *history_held_of(struct history_held **rec, pid_t pid, int64_t started_us);
void history_held_free(struct history_held *h);

/* How many leading past events of (instance, execution) the process
 * holds (0: none known). */
size_t history_held_get(const struct history_held *h, const char *instance,
			const char *execution);
/* It holds n now (n 0: forget). */
void history_held_set(struct history_held *h, const char *instance, const char *execution,
		      size_t n);

#endif
