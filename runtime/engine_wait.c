/*
 * engine_wait.c - waits for an instance's terminal commit (engine.h,
 * rt_engine_wait_*): a table of registered waits keyed on instance id, the
 * engine thread's look-up after each commit, and the answer thread that
 * fires them.
 *
 * Episodes note every instance they leave terminal (engine_wait_note); once
 * the batch committed, engine_wait_notify copies the rows that have a wait
 * and queues them for the answer thread, and the engine goes on with its
 * next batch. The answer thread takes every queued row at once, makes the
 * WAL durable with one fdatasync under sync_acks (the answer is an
 * acknowledgement: a power cut must not take back the outcome it reports),
 * then unlinks the waits on those ids and calls them. So the fsync and the
 * wake-ups overlap the engine's next batches instead of stalling them, and
 * one fsync answers every wait that came due meanwhile. For a lone client
 * (no other wait, nothing queued for the next batch) the engine does the
 * same itself, sparing the answer the hand-off. If the fsync fails the
 * waits stay and end with their timeouts' 202.
 *
 * A cancel that finds its wait unlinked waits for the firing round in
 * progress to end, so that `fired` has returned when it does - without
 * the answer thread touching a wait after its callback, which may hand it
 * to a thread that frees it at once.
 */
#include "runtime/engine_int.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A committed terminal row with a wait on it, copied out of the batch
 * arena for the answer thread: one block, the strings after the struct. */
struct due_row {
	struct due_row *next;
	struct rt_instance row;
};

#define WAIT_BUCKETS 1024 /* a power of two; chains stay short for thousands of waits */

struct engine_waits {
	struct rt_engine *e;
	pthread_mutex_t lock;
	pthread_cond_t round_done; /* a firing round ended */
	int firing;                /* rounds calling callbacks (answer and engine thread) */
	size_t n;                  /* registered */
	struct rt_engine_wait *bucket[WAIT_BUCKETS];
	/* rows queued for the answer thread, in commit order */
	struct due_row *queue, **queue_tail;
	pthread_cond_t queued; /* rows queued, or stopping */
	int stopping;
	int thread_up;
	pthread_t thread;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void *answer_main(void *arg);

struct engine_waits *engine_waits_new(struct rt_engine *e)
{
	struct engine_waits *w = xcalloc(1, sizeof(*w));
	w->e = e;
	w->queue_tail = &w->queue;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->round_done, NULL);
	pthread_cond_init(&w->queued, NULL);
	/* Without it the engine thread answers itself (engine_wait_notify). */
	w->thread_up = pthread_create(&w->thread, NULL, answer_main, w) == 0;
	if (w->thread_up)
		pthread_setname_np(w->thread, "answer");
	return w;
}

void engine_waits_stop(struct engine_waits *w)
{
	if (!w || !w->thread_up)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->queued);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL); /* it answers what was queued first */
	w->thread_up = 0;
}

void engine_waits_free(struct engine_waits *w)
{
	if (!w)
		return;
	engine_waits_stop(w);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->round_done);
	pthread_cond_destroy(&w->queued);
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

static struct due_row *due_row_copy(const struct rt_instance *r)
{
	struct due_row *d = xmalloc(sizeof(*d) + rt_instance_text_size(r));
	d->next = NULL;
	rt_instance_text_copy(&d->row, r, (char *)(d + 1));
	return d;
}

/* Unlinks the waits on the rows and calls them (lock held on entry and
 * return; not held during the callbacks). */
static void fire_rows(struct engine_waits *ws, const struct due_row *rows)
{
	struct rt_engine_wait *due = NULL, *next;
	for (const struct due_row *d = rows; d && ws->n; d = d->next) {
		const struct rt_instance *row = &d->row;
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
	if (!due)
		return;
	ws->firing++;
	pthread_mutex_unlock(&ws->lock);
	for (struct rt_engine_wait *w = due; w; w = next) {
		next = w->next; /* read before the callback: it may free w */
		w->fired(w, w->row);
	}
	pthread_mutex_lock(&ws->lock);
	if (--ws->firing == 0)
		pthread_cond_broadcast(&ws->round_done);
}

static void free_rows(struct due_row *d)
{
	for (struct due_row *next; d; d = next) {
		next = d->next;
		free(d);
	}
}

/* The answer thread: durable first, then the callbacks. */
static void *answer_main(void *arg)
{
	struct engine_waits *ws = arg;
	pthread_mutex_lock(&ws->lock);
	for (;;) {
		while (!ws->queue && !ws->stopping)
			pthread_cond_wait(&ws->queued, &ws->lock);
		if (!ws->queue)
			break;
		struct due_row *rows = ws->queue;
		ws->queue = NULL;
		ws->queue_tail = &ws->queue;
		pthread_mutex_unlock(&ws->lock);
		/* Outside the lock, which the loop thread takes for every
		 * timeout. A wait added meanwhile sees the same commit. */
		int durable = engine_sync_for_answer(ws->e) == 0;
		pthread_mutex_lock(&ws->lock);
		if (durable)
			fire_rows(ws, rows);
		free_rows(rows);
	}
	pthread_mutex_unlock(&ws->lock);
	return NULL;
}

void engine_wait_notify(struct rt_engine *e, struct engine_batch *b)
{
	struct engine_waits *ws = e->waits;
	struct due_row *rows = NULL, **tail = &rows;
	size_t nfinished = b->nfinished;

	b->nfinished = 0;
	if (nfinished == 0)
		return;
	/* Only rows someone waits for are copied; a wait added after this
	 * look-up reads the status itself (engine.h). */
	char *has = rt_arena_calloc(&b->arena, nfinished);
	size_t nhas = 0;
	pthread_mutex_lock(&ws->lock);
	for (size_t i = 0; i < nfinished && ws->n; i++) {
		has[i] = find_wait(ws, b->finished[i].instance_id,
				   id_hash(b->finished[i].instance_id)) != NULL;
		nhas += has[i];
	}
	pthread_mutex_unlock(&ws->lock);
	if (nhas == 0)
		return;
	for (size_t i = 0; i < nfinished; i++) {
		if (!has[i])
			continue;
		*tail = due_row_copy(&b->finished[i]);
		tail = &(*tail)->next;
	}
	/* A lone client (no other wait registered, nothing queued for the
	 * next batch): the engine answers itself, since a hand-off to the
	 * answer thread would only add a wake-up to the answer's path. With
	 * other waits pending, more work is on its way, which the fsync must
	 * not hold up. */
	pthread_mutex_lock(&ws->lock);
	int lone = ws->n <= nhas;
	pthread_mutex_unlock(&ws->lock);
	if (lone) {
		pthread_mutex_lock(&e->lock);
		lone = !e->cmds && !e->results && !e->replay_done;
		pthread_mutex_unlock(&e->lock);
	}
	if (!ws->thread_up || lone) {
		/* As the answer thread would, on this one. */
		int durable = engine_sync_for_answer(e) == 0;
		pthread_mutex_lock(&ws->lock);
		if (durable)
			fire_rows(ws, rows);
		pthread_mutex_unlock(&ws->lock);
		free_rows(rows);
		return;
	}
	pthread_mutex_lock(&ws->lock);
	*ws->queue_tail = rows;
	ws->queue_tail = tail;
	pthread_cond_signal(&ws->queued);
	pthread_mutex_unlock(&ws->lock);
}
