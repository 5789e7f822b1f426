/*
 * engine_sync.c - when commits become durable under sync_acks (see
 * store_sync.c for why): a batch that holds client commands is fsynced
 * before any of them is acknowledged; any other commit is fsynced by the
 * checkpoint thread at most ENGINE_SYNC_WINDOW_US later, one fdatasync for
 * every commit of that window. A sequential chain of activities so pays
 * one fsync per 50 ms instead of one per step, and a power cut can cost
 * only the last 50 ms of unacknowledged progress, which replay and
 * at-least-once activities redo.
 */
#include "runtime/engine_int.h"
#include "common/clock.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* Fsyncs the commits so far; the checkpoint thread's window restarts. */
static int sync_now(struct rt_engine *e)
{
	/* Cleared first: a commit the checkpoint thread sees after this one
	 * is newer than the sync below and must not be forgotten. */
	pthread_mutex_lock(&e->lock);
	e->unsynced_since_us = 0;
	pthread_mutex_unlock(&e->lock);
	if (rt_store_sync_wal(e->store) == 0)
		return 0;
	pthread_mutex_lock(&e->lock);
	if (!e->unsynced_since_us)
		e->unsynced_since_us = rt_mono_us();
	pthread_mutex_unlock(&e->lock);
	return -1;
}

int engine_sync_before_answer(struct engine_batch *b)
{
	if (!b->e->opts.sync_acks || b->synced)
		return 0;
	if (sync_now(b->e) != 0)
		return -1;
	b->synced = 1;
	return 0;
}

void engine_sync_after_commit(struct engine_batch *b)
{
	struct rt_engine *e = b->e;

	b->synced = 0;
	if (!b->cmds) {
		pthread_mutex_lock(&e->lock);
		if (!e->unsynced_since_us) {
			e->unsynced_since_us = rt_mono_us();
			pthread_cond_signal(&e->ckpt_cond);
		}
		pthread_mutex_unlock(&e->lock);
		return;
	}
	if (sync_now(e) == 0) {
		b->synced = 1;
		return;
	}
	/* Committed, but not known to be on disk: say so to whoever waits
	 * for an acknowledgement rather than promise what a power cut could
	 * take back. The next successful sync makes it durable anyway. */
	const char *why = rt_store_errmsg(e->store);
	for (struct engine_cmd *c = b->cmds; c; c = c->next) {
		if (c->rc != 0)
			continue;
		c->rc = RT_ERROR;
		free(c->err);
		c->err = xasprintf("task hub: the change was committed but could not be "
				   "flushed to disk: %s",
				   why && *why ? why : "unknown error");
	}
}

void engine_sync_wait(struct rt_engine *e, struct rt_store *cs)
{
	if (!e->unsynced_since_us) {
		pthread_cond_wait(&e->ckpt_cond, &e->lock);
		return;
	}
	int64_t due = e->unsynced_since_us + ENGINE_SYNC_WINDOW_US;
	int64_t now = rt_mono_us();
	if (now < due) {
		/* The condition variable runs on the wall clock. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t abs_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + (due - now);
		ts.tv_sec = abs_us / 1000000;
		ts.tv_nsec = (abs_us % 1000000) * 1000;
		pthread_cond_timedwait(&e->ckpt_cond, &e->lock, &ts);
		return;
	}
	e->unsynced_since_us = 0;
	pthread_mutex_unlock(&e->lock);
	int rc = rt_store_sync_wal(cs);
	pthread_mutex_lock(&e->lock);
	/* A failing disk: try again after the same delay, never spin. */
	if (rc != 0 && !e->unsynced_since_us)
		e->unsynced_since_us = rt_mono_us();
}
