/*
 * crash_ring.h - the records the supervisor keeps for the dashboard: the
 * call a worker runs (struct host_worker_call, copied, cut to fit at a
 * UTF-8 boundary) and a bounded ring of the last HOST_WORKER_CRASHES
 * crashes, the oldest overwritten. Nothing allocates and nothing locks:
 * the supervisor calls these under its lock.
 */
#ifndef HOST_WORKER_CRASH_RING_H
#define HOST_WORKER_CRASH_RING_H

#include "host/worker/supervisor.h"

#include <stddef.h>

struct crash_ring {
	struct host_worker_crash e[HOST_WORKER_CRASHES];
	size_t n;    /* entries held, <= HOST_WORKER_CRASHES */
	size_t next; /* where the next one goes */
};

/* Copies src (NULL: "") into dst of n bytes; a longer text is cut before
 * the UTF-8 sequence that does not fit, so the copy stays valid UTF-8. */
void host_worker_text_copy(char *dst, size_t n, const char *src);

/* Fills *c; NULL strings are "". */
void host_worker_call_set(struct host_worker_call *c, enum host_call_kind kind,
			  const char *function, const char *instance, const char *invocation,
			  int64_t since_us);

void crash_ring_add(struct crash_ring *r, const struct host_worker_crash *c);

/* Copies the entries into out (HOST_WORKER_CRASHES long), newest first;
 * returns how many. */
size_t crash_ring_copy(const struct crash_ring *r, struct host_worker_crash *out);

#endif
