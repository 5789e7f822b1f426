/*
 * history_held.c - which pasts one worker process holds (history_held.h).
 *
 * Direct-mapped like the worker's cache (same slot count, same hash), so
 * an instance that evicts another there evicts it here too, and the host
 * does not send a delta the worker can no longer use. The record is only
 * a hint: the worker checks every delta (history_cache.c) and answers
 * "resend in full" when it does not hold what the record says.
 *
 * Why a past sent earlier is a prefix of a later one of the same
 * execution: the engine sends committed history only, and appends to it.
 * Continue-as-new, a new start of a finished id (restart) and a start
 * after a purge all begin a new execution with a new random id, so the
 * record no longer matches. A rolled-back engine batch changes nothing
 * committed. A rewind rewrites rows in place under the same execution id:
 * its episode is the one with a GenericEvent message, and that episode is
 * sent whole (host_episode_may_rewrite); a Failed instance was dropped by
 * the worker already, and the tail check catches a rewritten last event.
 */
#include "host/worker/history_held.h"

#include "common/hash.h"
#include "common/xalloc.h"
#include "host/worker/history_cache.h"

#include <stdlib.h>
#include <string.h>

struct held_slot {
	char *instance; /* NULL: none */
	char *execution;
	size_t n;
};

struct history_held {
	pid_t pid;
	int64_t started_us;
	struct held_slot slots[HISTORY_CACHE_SLOTS];
};

static void slot_clear(struct held_slot *s)
{
	free(s->instance);
	free(s->execution);
	memset(s, 0, sizeof(*s));
}

static void clear_all(struct history_held *h)
{
	for (size_t i = 0; i < HISTORY_CACHE_SLOTS; i++)
		if (h->slots[i].instance)
			slot_clear(&h->slots[i]);
}

struct history_held *history_held_of(struct history_held **rec, pid_t pid, int64_t started_us)
{
	struct history_held *h = *rec;
	if (!h)
		h = *rec = xcalloc(1, sizeof(*h));
	else if (h->pid != pid || h->started_us != started_us)
		clear_all(h);
	h->pid = pid;
	h->started_us = started_us;
	return h;
}

void history_held_free(struct history_held *h)
{
	if (!h)
		return;
	clear_all(h);
	free(h);
}

static struct held_slot *slot_of(const struct history_held *h, const char *instance)
{
	return (struct held_slot *)&h->slots[rt_hash_str(instance) & (HISTORY_CACHE_SLOTS - 1)];
}

size_t history_held_get(const struct history_held *h, const char *instance,
			const char *execution)
{
	const struct held_slot *s = slot_of(h, instance);
	if (!s->instance || !execution || strcmp(s->instance, instance) != 0 ||
	    strcmp(s->execution, execution) != 0)
		return 0;
	return s->n;
}

void history_held_set(struct history_held *h, const char *instance, const char *execution,
		      size_t n)
{
	struct held_slot *s = slot_of(h, instance);
	if (n == 0 || !execution) {
		if (s->instance && strcmp(s->instance, instance) == 0)
			slot_clear(s);
		return;
	}
	if (!s->instance || strcmp(s->instance, instance) != 0 ||
	    strcmp(s->execution, execution) != 0) {
		slot_clear(s);
		s->instance = xstrdup(instance);
		s->execution = xstrdup(execution);
	}
	s->n = n;
}
