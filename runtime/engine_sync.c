/*
 * engine_sync.c - when commits become durable under sync_acks (see
 * store_sync.c for why): a batch that holds client commands is fsynced
 * before any of them is acknowledged; any other commit is fsynced by the
 * checkpoint thread at most ENGINE_SYNC_WINDOW_US later, one fdatasync for
 * every commit of that window. A sequential chain of activities so pays
 * one fsync per 50 ms instead of one per step, and a power cut can cost
 * only the last 50 ms of unacknowledged progress, which replay and
 * at-least-once activities redo.
 *
 * An answer that reports an outcome (a wait's 200) is an acknowledgement
 * too: the WAL holding the batch that finished the instance is fsynced
 * before its waits fire (engine_sync_for_answer, on the answer thread of
 * engine_wait.c, while the engine goes on). That fsync covers every
 * earlier frame, so a start that waits is not fsynced at its own commit;
 * if its wait ends without an outcome, rt_engine_wait_ack_durable fsyncs
 * before the 202 unless a later fsync already covered it (commit_seq /
 * synced_seq).
 */
#include "runtime/engine_int.h"
#include "common/clock.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* An fsync that began when `upto` commits were made covers them all. */
static void mark_synced(struct rt_engine *e, uint64_t upto)
{
	uint64_t cur = __atomic_load_n(&e->synced_seq, __ATOMIC_ACQUIRE);
	while (cur < upto && !__atomic_compare_exchange_n(&e->synced_seq, &cur, upto, 0,
							  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

/* Fsyncs the commits so far; the checkpoint thread's window restarts. */
static int sync_now(struct rt_engine *e)
{
	uint64_t upto = __atomic_load_n(&e->commit_seq, __ATOMIC_ACQUIRE);
	/* Cleared first: a commit the checkpoint thread sees after this one
	 * is newer than the sync below and must not be forgotten. */
	pthread_mutex_lock(&e->lock);
	e->unsynced_since_us = 0;
	pthread_mutex_unlock(&e->lock);
	if (rt_store_sync_wal(e->store) == 0) {
		mark_synced(e, upto);
		return 0;
	}
	pthread_mutex_lock(&e->lock);
	if (!e->unsynced_since_us)
		e->unsynced_since_us = rt_mono_us();
	pthread_mutex_unlock(&e->lock);
	return -1;
}

void engine_sync_after_commit(struct engine_batch *b)
{
	struct rt_engine *e = b->e;

	int acks_now = 0;

	/* Counted before anyone may fsync for it: every commit counted is in
	 * the WAL already. */
	uint64_t seq = __atomic_add_fetch(&e->commit_seq, 1, __ATOMIC_ACQ_REL);
	for (struct engine_cmd *c = b->cmds; c; c = c->next)
		acks_now |= !c->wait;
	if (b->cmds && !acks_now) {
		/* Only starts whose answers wait for their outcomes (or their
		 * timeouts): the fsync before either covers this commit. */
		for (struct engine_cmd *c = b->cmds; c; c = c->next)
			if (c->rc == 0)
				c->wait->ack_seq = seq;
	}
	if (!acks_now) {
		pthread_mutex_lock(&e->lock);
		if (!e->unsynced_since_us) {
			e->unsynced_since_us = rt_mono_us();
			pthread_cond_signal(&e->ckpt_cond);
		}
		pthread_mutex_unlock(&e->lock);
		return;
	}
	if (sync_now(e) == 0)
		return;
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
	uint64_t upto = __atomic_load_n(&e->commit_seq, __ATOMIC_ACQUIRE);
	pthread_mutex_unlock(&e->lock);
	int rc = rt_store_sync_wal(cs);
	if (rc == 0)
		mark_synced(e, upto);
	pthread_mutex_lock(&e->lock);
	/* A failing disk: try again after the same delay, never spin. */
	if (rc != 0 && !e->unsynced_since_us)
		e->unsynced_since_us = rt_mono_us();
}

/* Fdatasyncs the WAL file, covering the commits counted so far. Not the
 * engine's handle, which its thread uses meanwhile: the WAL file itself.
 * One fdatasync covers every frame in it, whoever wrote them; frames a
 * checkpoint moved out are in the database file, which the checkpoint
 * synced before it reset the WAL. */
static int sync_wal_file(struct rt_engine *e)
{
	uint64_t upto = __atomic_load_n(&e->commit_seq, __ATOMIC_ACQUIRE);
	char path[4096];
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s-wal", e->opts.path) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* no WAL (an in-memory hub): nothing to sync */
	rc = fdatasync(fd);
	close(fd);
	if (rc != 0)
		return -1;
	mark_synced(e, upto);
	return 0;
}

int engine_sync_for_answer(struct rt_engine *e)
{
	if (!e->opts.sync_acks)
		return 0;
	/* A commit that acknowledged commands was fsynced at once. */
	if (__atomic_load_n(&e->synced_seq, __ATOMIC_ACQUIRE) >=
	    __atomic_load_n(&e->commit_seq, __ATOMIC_ACQUIRE))
		return 0;
	return sync_wal_file(e);
}

int rt_engine_wait_ack_durable(struct rt_engine *e, struct rt_engine_wait *w)
{
	uint64_t need = w->ack_seq;

	if (!need || !e->opts.sync_acks || __atomic_load_n(&e->synced_seq, __ATOMIC_ACQUIRE) >= need)
		return 0;
	return sync_wal_file(e);
}
