/*
 * engine_wait.c - waits for an instance's terminal commit (engine.h,
 * rt_engine_wait_*): a table of registered waits keyed on instance id, and
 * the engine thread's look-up after each commit.
 *
 * Episodes note every instance they leave terminal (engine_wait_note); once
 * the batch committed (and, under sync_acks, fsynced: the answer is an
 * acknowledgement), engine_wait_notify unlinks the waits on those ids and
 * calls them. A cancel that finds its wait unlinked waits for the
 * firing round in progress to end, so that `fired` has returned when it
 * does - without the engine touching a wait after its callback, which may
 * hand it to a thread that frees it at once.
 */
#include "runtime/engine_int.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define WAIT_BUCKETS 1024 /* a power of two; chains stay short for thousands of waits */

struct engine_waits {
	pthread_mutex_t lock;
	pthread_cond_t round_done; /* a firing round ended */
	int firing;                /* a round is calling callbacks */
	size_t n;                  /* registered */
	struct rt_engine_wait *bucket[WAIT_BUCKETS];
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct engine_waits *engine_waits_new(void)
{
	struct engine_waits *w = xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->round_done, NULL);
	return w;
}

void engine_waits_free(struct engine_waits *w)
{
	if (!w)
		return;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->round_done);
	free(w);
}

static void unlink_wait(struct engine_waits *ws, struct rt_engine_wait *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		ws->bucket[w->hash & (WAIT_BUCKETS - 1)] = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->next = w->prev = NULL;
	w->linked = 0;
	ws->n--;
}

void rt_engine_wait_add(struct rt_engine *e, struct rt_engine_wait *w, const char *instance_id)
{
	struct engine_waits *ws = e->waits;
	w->instance_id = instance_id;
	w->hash = id_hash(instance_id);
	w->row = NULL;
	w->prev = NULL;
	w->ack_seq = 0;
	pthread_mutex_lock(&ws->lock);
	struct rt_engine_wait **head = &ws->bucket[w->hash & (WAIT_BUCKETS - 1)];
	w->next = *head;
	if (*head)
		(*head)->prev = w;
	*head = w;
	w->linked = 1;
	ws->n++;
	pthread_mutex_unlock(&ws->lock);
}

int rt_engine_wait_cancel(struct rt_engine *e, struct rt_engine_wait *w)
{
	struct engine_waits *ws = e->waits;
	int cancelled = 0;
	pthread_mutex_lock(&ws->lock);
	if (w->linked) {
		unlink_wait(ws, w);
		cancelled = 1;
	} else {
		while (ws->firing)
			pthread_cond_wait(&ws->round_done, &ws->lock);
	}
	pthread_mutex_unlock(&ws->lock);
	return cancelled;
}

void engine_wait_note(struct engine_batch *b, const struct rt_instance *inst)
{
	if (b->nfinished == b->capfinished) {
		b->capfinished = b->capfinished ? 2 * b->capfinished : 16;
		b->finished = xrealloc(b->finished, b->capfinished * sizeof(*b->finished));
	}
	b->finished[b->nfinished++] = *inst; /* strings stay in the batch arena */
}

static struct rt_engine_wait *find_wait(struct engine_waits *ws, const char *instance_id,
					uint64_t h)
{
	for (struct rt_engine_wait *w = ws->bucket[h & (WAIT_BUCKETS - 1)]; w; w = w->next)
		if (w->hash == h && strcmp(w->instance_id, instance_id) == 0)
			return w;
	return NULL;
}

/* 1 if a wait is registered on one of the first n finished rows. */
static int any_wait(struct engine_waits *ws, const struct rt_instance *rows, size_t n)
{
	int found = 0;
	pthread_mutex_lock(&ws->lock);
	for (size_t i = 0; i < n && ws->n && !found; i++)
		found = find_wait(ws, rows[i].instance_id, id_hash(rows[i].instance_id)) != NULL;
	pthread_mutex_unlock(&ws->lock);
	return found;
}

void engine_wait_notify(struct rt_engine *e, struct engine_batch *b)
{
	struct engine_waits *ws = e->waits;
	struct rt_engine_wait *due = NULL, *next;
	size_t nfinished = b->nfinished;

	b->nfinished = 0;
	if (nfinished == 0)
		return;
	/* The answer acknowledges the outcome: on disk first. Outside the
	 * lock, which the loop thread takes for every timeout. A wait added
	 * meanwhile sees the same commit, synced by then. */
	if (any_wait(ws, b->finished, nfinished) && engine_sync_before_answer(b) != 0)
		return;
	pthread_mutex_lock(&ws->lock);
	for (size_t i = 0; i < nfinished && ws->n; i++) {
		const struct rt_instance *row = &b->finished[i];
		uint64_t h = id_hash(row->instance_id);
		for (struct rt_engine_wait *w = ws->bucket[h & (WAIT_BUCKETS - 1)]; w; w = next) {
			next = w->next;
			if (w->hash != h || strcmp(w->instance_id, row->instance_id) != 0)
				continue;
			unlink_wait(ws, w);
			w->row = row;
			w->next = due;
			due = w;
		}
	}
	if (due)
		ws->firing = 1;
	pthread_mutex_unlock(&ws->lock);
	if (!due)
		return;
	for (struct rt_engine_wait *w = due; w; w = next) {
		next = w->next; /* read before the callback: it may free w */
		w->fired(w, w->row);
	}
	pthread_mutex_lock(&ws->lock);
	ws->firing = 0;
	pthread_cond_broadcast(&ws->round_done);
	pthread_mutex_unlock(&ws->lock);
}
