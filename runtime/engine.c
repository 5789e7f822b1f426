/*
 * engine.c - the engine thread, its batches, the checkpoint thread and the
 * engine's life cycle (activity threads and steps: engine_activity.c).
 *
 * Invariants
 *   - Only the engine thread writes the store (one handle, one transaction
 *     per batch). Everything else talks to it through three queues guarded
 *     by e->lock: commands (clients), results (activity threads) and runs
 *     (activities handed to activity threads).
 *   - A command is marked done, and its caller woken, only after the batch
 *     that applied it committed; on a failed commit it gets RT_ERROR.
 *   - An activity id is in e->inflight from the batch that dequeued it until
 *     the batch that applied its result; such rows are skipped by dequeue.
 *     After a crash nothing is in flight, so every queued activity runs again
 *     (at least once), and its dequeue count (committed at dequeue) moves it
 *     towards the poison threshold.
 *   - A heavy episode's replay may run on the replay thread: then a later
 *     batch commits its outcome, and until then the instance takes no other
 *     episode (engine_offload.c).
 */
#include "runtime/engine.h"
#include "runtime/engine_int.h"
#include "runtime/engine_core.h"
#include "runtime/engine_cmd_queue.h"
#include "runtime/engine_mail_run.h"
#include "runtime/uuid.h"
#include "common/queue.h"
#include "common/thread_pool.h"
#include "common/vec.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the batch ------------------------------------------------------------ */


/* Results a hurried batch leaves (engine_batch_hurried): back to the
 * front of the queue; their places stay taken in e->inflight. */
static void put_back_results(struct rt_engine *e, struct engine_batch *b, struct engine_run *first)
{
	struct engine_run *last = first;
	size_t n = 1;
	for (; last->next; last = last->next)
		n++;
	pthread_mutex_lock(&e->lock);
	last->next = e->results;
	if (!e->results)
		e->results_tail = last;
	e->results = first;
	pthread_mutex_unlock(&e->lock);
	b->nresults -= n;
	b->act_free = b->act_free > n ? b->act_free - n : 0;
	b->more = 1;
}

static void run_batch(struct rt_engine *e, struct engine_batch *b)
{
	const char **ready;
	size_t nready, busy_after;

	b->now_us = rt_now_us();
	b->failed = 0;
	b->more = 0;
	b->act_backlog = 0;
	b->dequeued = b->dequeued_tail = NULL;
	b->ndequeued = 0;
	b->boxes = NULL;
	b->nboxes = b->capboxes = 0;
	b->mail_order = NULL;
	b->nmail_order = b->capmail_order = 0;
	b->episodes = 0;
	b->start_mono_us = rt_mono_us();
	b->mail_on = 1;
	b->nresults = 0;
	b->nfinished = 0;
	b->pieces_written = 0;
	for (struct engine_run *r = b->results; r; r = r->next)
		b->nresults++;
	pthread_mutex_lock(&e->lock);
	/* The results applied here free their rows' places in this batch. */
	busy_after = e->inflight.n - b->nresults;
	b->act_free = ENGINE_BATCH_ACTIVITIES > busy_after ? ENGINE_BATCH_ACTIVITIES - busy_after : 0;
	int64_t mono = rt_mono_us();
	if (e->stopping || e->recovering || mono < e->quiet_until_us)
		b->act_free = 0;
	b->suspect_may_start = !e->runs && (e->running == 0 ||
					    mono - e->last_start_us >= ENGINE_SUSPECT_QUIET_US);
	e->suspect_waiting = 0;
	pthread_mutex_unlock(&e->lock);
	if (rt_store_begin(e->store) != 0) {
		b->failed = 1;
		return;
	}
	for (struct engine_cmd *c = b->cmds; c; c = c->next)
		engine_apply_cmd(b, c);
	/* An outcome of up to ENGINE_OFFLOAD_MAX_MSGS messages costs 20-50 ms
	 * to commit: a few clients' commands get a batch without it, and the
	 * next batch commits it (never two in a row, so a steady trickle of
	 * starts cannot hold a replay's outcome back). */
	int put_back = !e->outcomes_put_back && b->ncmds > 0 && engine_batch_awaited(b) &&
		       engine_offload_put_back(b);
	e->outcomes_put_back = put_back;
	if (!b->failed && engine_not_now_resume(b) != 0)
		b->failed = 1;
	b->work_mono_us = rt_mono_us();
	size_t applied = 0;
	for (struct engine_run *r = b->results, *prev = NULL; r && !b->failed; prev = r, r = r->next) {
		/* Each result costs its mail's insert too, later in the batch. */
		if (prev && ++applied > ENGINE_HURRY_MIN &&
		    (engine_batch_long(b) || (engine_batch_awaited(b) &&
					      rt_mono_us() - b->start_mono_us > ENGINE_HURRY_US / 3))) {
			/* The rest waits for the next batch, first in line. */
			prev->next = NULL;
			put_back_results(e, b, r);
			break;
		}
		engine_activity_apply(b, r);
	}
	if (!b->failed) {
		engine_offload_apply(b);
		/* The episodes it prepared, before the ready scan sees them. */
		engine_episode_flush(b);
	}
	if (!b->failed && e->recovering)
		engine_activity_count_left(b);
	/* Fewer at a time while clients wait (each costs an update); the
	 * next batch takes the rest (act_backlog). engine_activity_dequeue
	 * bounds the others by time. */
	if (b->act_free > ENGINE_HURRY_MIN && engine_batch_hurried(b))
		b->act_free = ENGINE_HURRY_MIN;
	if (!b->failed)
		engine_activity_dequeue(b);
	/* The scan walks every visible message: a hurried batch leaves it
	 * (and the episodes it finds) to the next one, never two in a row; a
	 * batch that wrote a piece of an outcome (the next piece follows at
	 * once) runs it only every ENGINE_PIECE_SCAN_GAP_US. */
	int skip_scan = !b->failed &&
			((!e->scan_skipped && engine_batch_hurried(b)) ||
			 (b->pieces_written &&
			  rt_mono_us() - e->last_scan_mono_us < ENGINE_PIECE_SCAN_GAP_US));
	e->scan_skipped = skip_scan;
	if (!skip_scan)
		e->last_scan_mono_us = rt_mono_us();
	if (skip_scan) {
		b->more = 1;
	} else if (!b->failed &&
	    rt_store_inbox_ready(e->store, b->now_us, ENGINE_BATCH_EPISODES,
				 e->offloaded ? engine_offload_busy_cb : NULL, e, &ready, &nready,
				 &b->arena) == 0) {
		b->ready_complete = nready < ENGINE_BATCH_EPISODES;
		for (size_t i = 0; i < nready; i++)
			engine_mail_mark_stored(b, ready[i]);
		for (size_t i = 0; i < nready && !b->failed; i++) {
			if (engine_batch_over_budget(b)) {
				b->more = 1; /* the rest keep their rows: next batch */
				break;
			}
			engine_episode(b, ready[i]);
		}
		if (nready == ENGINE_BATCH_EPISODES)
			b->more = 1;
	} else {
		b->failed = 1;
	}
	engine_episode_flush(b);
	if (!b->failed)
		engine_mail_run(b);
	if (!b->failed)
		engine_mail_flush(b);
	if (b->failed || rt_store_commit(e->store) != 0) {
		rt_store_rollback(e->store);
		b->failed = 1;
		/* The cache may hold episodes that were just rolled back. */
		engine_cache_clear(e->cache);
	}
	else if (e->opts.sync_acks)
		engine_sync_after_commit(b);
	engine_cache_sweep(e->cache, b->now_us);
}

/* Earliest time something becomes due, so the engine can sleep until then. */
static int64_t next_due(struct rt_engine *e, int64_t now_us)
{
	int64_t a = INT64_MAX, t = INT64_MAX;
	rt_store_inbox_next_visible(e->store, now_us, &t);
	rt_store_activity_next_visible(e->store, now_us, &a);
	return a < t ? a : t;
}

static void maybe_checkpoint(struct rt_engine *e);

/* A failing disk: retry after 50 ms, doubling up to 2 s; one console line
 * for the first failure, then a summary at most every 5 s. */
#define ENGINE_BACKOFF_FIRST_US 50000
#define ENGINE_BACKOFF_MAX_US 2000000
#define ENGINE_FAIL_REPORT_US 5000000

/* Waits on e->cond (lock held) for at most wait_us; <= 0 returns at once. */
static void wait_at_most(struct rt_engine *e, int64_t wait_us)
{
	struct timespec ts;
	if (wait_us <= 0)
		return;
	/* The condition variable uses the wall clock; +1 ms so a timer is
	 * never served early. */
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t abs_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + wait_us + 1000;
	ts.tv_sec = abs_us / 1000000;
	ts.tv_nsec = (abs_us % 1000000) * 1000;
	pthread_cond_timedwait(&e->cond, &e->lock, &ts);
}

/* After a failed batch (lock held): back off, log sparingly, report degraded. */
static void batch_failed(struct rt_engine *e)
{
	int64_t now = rt_mono_us();
	int64_t backoff = ENGINE_BACKOFF_FIRST_US;
	const char *err = rt_store_errmsg(e->store);

	for (int i = 1; i < e->fail_streak && backoff < ENGINE_BACKOFF_MAX_US; i++)
		backoff *= 2;
	if (backoff > ENGINE_BACKOFF_MAX_US)
		backoff = ENGINE_BACKOFF_MAX_US;
	e->fail_streak++;
	e->retry_at_us = now + backoff;
	e->failed_batches++;
	snprintf(e->last_error, sizeof(e->last_error), "%s", err && *err ? err : "unknown error");
	if (e->fail_streak == 1) {
		e->failing_since_us = rt_now_us();
		e->last_report_us = now;
		e->unreported = 0;
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR,
			   "task hub '%s': a batch could not be committed and was rolled back: %s; "
			   "retrying with back-off",
			   e->opts.hub_name, e->last_error);
		return;
	}
	e->unreported++;
	if (now - e->last_report_us >= ENGINE_FAIL_REPORT_US) {
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR,
			   "task hub '%s': still failing: %llu batches in the last %lld s, last error: %s",
			   e->opts.hub_name, (unsigned long long)e->unreported,
			   (long long)((now - e->last_report_us + 500000) / 1000000), e->last_error);
		e->last_report_us = now;
		e->unreported = 0;
	}
}

/* After a committed batch (lock held). */
static void batch_committed(struct rt_engine *e)
{
	if (!e->fail_streak)
		return;
	engine_log(e, "Host.Triggers.DurableTask", RT_LOG_WARNING,
		   "task hub '%s': commits succeed again after %llu failed batches",
		   e->opts.hub_name, (unsigned long long)e->failed_batches);
	e->fail_streak = 0;
	e->retry_at_us = 0;
	e->failing_since_us = 0;
	e->failed_batches = 0;
	e->unreported = 0;
	e->last_error[0] = '\0';
}

/* Runs that no thread started: dropped at a stop (lock held). They cost
 * no attempt and run again after the next start. */
static void drop_queued_runs(struct rt_engine *e)
{
	for (struct engine_run *r = e->runs, *next; r; r = next) {
		next = r->next;
		engine_idset_del(&e->inflight, r->activity_id);
		if (r->activity_id == e->isolated)
			e->isolated = e->quiet_until_us = 0;
		engine_run_free(r);
	}
	e->runs = e->runs_tail = NULL;
}

/* Tells a command its outcome: asynchronous ones at once (lock not held),
 * synchronous ones are returned in a list to wake under the lock. */
static struct engine_cmd *finish_cmd(struct engine_cmd *c, struct engine_cmd *sync)
{
	if (c->on_done) {
		c->on_done(c->user, c->rc, c->err);
		engine_cmd_free(c);
		return sync;
	}
	c->next = sync;
	return c;
}

/* Past the stop deadline (lock held): queued commands fail, results not
 * committed are dropped (their activities run again after the next start). */
static void abandon_at_deadline(struct rt_engine *e)
{
	struct engine_cmd *cmds = e->cmds, *sync = NULL;
	struct engine_run *results = e->results;
	size_t ncmds = 0, nresults = 0;

	e->cmds = e->cmds_tail = NULL;
	e->results = e->results_tail = NULL;
	pthread_mutex_unlock(&e->lock);
	for (struct engine_cmd *c = cmds, *next; c; c = next) {
		next = c->next;
		c->rc = RT_ERROR;
		free(c->err);
		c->err = xstrdup("the host is stopping");
		sync = finish_cmd(c, sync);
		ncmds++;
	}
	for (struct engine_run *r = results, *next; r; r = next) {
		next = r->next;
		engine_run_free(r);
		nresults++;
	}
	pthread_mutex_lock(&e->lock);
	for (struct engine_cmd *c = sync, *next; c; c = next) {
		next = c->next;
		c->done = 1;
		pthread_cond_signal(c->cond);
	}
	engine_log(e, "Host.Triggers.DurableTask", RT_LOG_WARNING,
		   "task hub '%s': stop deadline reached: %zu command(s) refused, %zu result(s) and "
		   "%d running activit%s abandoned (they run again after the next start)",
		   e->opts.hub_name, ncmds, nresults, e->running, e->running == 1 ? "y" : "ies");
}

/* The earlier of a wall-clock due time and a monotonic one (0: now). */
static int64_t min_due(int64_t due, int64_t mono_us)
{
	int64_t now = rt_now_us();
	int64_t wall = mono_us ? now + (mono_us - rt_mono_us()) : 0;
	return wall < due ? wall : due;
}

/* Lets the console lines of the last batch out before a wait (lock held,
 * dropped for the hook). 1 if it did: the caller looks at the state again. */
static int flush_before_wait(struct rt_engine *e, int *flushed)
{
	if (*flushed || !e->opts.hooks.thread_event)
		return 0;
	pthread_mutex_unlock(&e->lock);
	e->opts.hooks.thread_event(e->opts.hooks.ctx, 1);
	pthread_mutex_lock(&e->lock);
	*flushed = 1;
	return 1;
}

static void *engine_main(void *arg)
{
	struct rt_engine *e = arg;
	struct engine_batch b;
	int64_t due = 0; /* a first batch picks up whatever a crash left behind */
	int flushed = 0;

	memset(&b, 0, sizeof(b));
	b.e = e;
	/* The offload applies replays and runs episodes, but lies below
	 * engine_episode.c (which launches replays): it calls them through b. */
	b.run_episode = engine_episode;
	b.episode_outcome = engine_episode_outcome;
	rt_arena_init(&b.arena);
	if (e->opts.hooks.thread_event)
		e->opts.hooks.thread_event(e->opts.hooks.ctx, 0);
	pthread_mutex_lock(&e->lock);
	for (;;) {
		/* Wait for work; every path below either runs a batch, waits
		 * with a bound, or leaves: a stop can never spin. */
		int leave = 0;
		for (;;) {
			int64_t mono = rt_mono_us();
			if (e->stopping) {
				drop_queued_runs(e);
				if (mono >= e->stop_deadline_us) {
					abandon_at_deadline(e);
					leave = 1;
					break;
				}
			}
			if (mono < e->retry_at_us) {
				/* Backing off: new commands and results wait too. */
				if (flush_before_wait(e, &flushed))
					continue;
				int64_t until = e->retry_at_us;
				if (e->stopping && e->stop_deadline_us < until)
					until = e->stop_deadline_us;
				wait_at_most(e, until - mono);
				continue;
			}
			if (e->cmds || e->results || e->replay_done || engine_not_now_wanted(e))
				break;
			if (e->stopping) {
				if (e->running == 0) {
					leave = 1;
					break;
				}
				/* A running attempt posts its result or its thread exits. */
				if (flush_before_wait(e, &flushed))
					continue;
				wait_at_most(e, e->stop_deadline_us - mono);
				continue;
			}
			int64_t now = rt_now_us();
			if (now >= due)
				break;
			if (flush_before_wait(e, &flushed))
				continue;
			if (due == INT64_MAX)
				pthread_cond_wait(&e->cond, &e->lock);
			else
				wait_at_most(e, due - now);
		}
		if (leave)
			break;
		flushed = 0;
		/* At most ENGINE_BATCH_COMMANDS per batch, so a flood of starts
		 * cannot starve the instances already running. */
		b.cmds = e->cmds;
		struct engine_cmd *last = e->cmds;
		int taken = e->cmds ? 1 : 0;
		for (; last && taken < ENGINE_BATCH_COMMANDS && last->next; taken++)
			last = last->next;
		b.ncmds = (size_t)taken;
		if (last && last->next) {
			e->cmds = last->next;
			last->next = NULL;
		} else {
			e->cmds = e->cmds_tail = NULL;
		}
		__atomic_store_n(&e->cmds_waiting, e->cmds_waiting - taken, __ATOMIC_RELAXED);
		b.results = e->results;
		e->results = e->results_tail = NULL;
		b.replays = e->replay_done;
		e->replay_done = e->replay_done_tail = NULL;
		pthread_mutex_unlock(&e->lock);

		run_batch(e, &b);
		/* Outcomes are durable now: answer whoever waits for them. */
		if (!b.failed)
			engine_wait_notify(e, &b);
		engine_offload_after_batch(e, &b);
		due = b.more ? 0 : next_due(e, b.now_us);
		/* An instance resting after a heavy replay takes its results then. */
		if (e->offloaded && engine_offload_wake_mono_us(e))
			due = min_due(due, engine_offload_wake_mono_us(e));
		e->stats.batches++;

		struct engine_cmd *sync = NULL;
		for (struct engine_cmd *c = b.cmds, *next; c; c = next) {
			next = c->next;
			if (b.failed && c->rc == RT_OK) {
				c->rc = RT_ERROR;
				free(c->err);
				c->err = xstrdup("the task hub could not commit the change");
			}
			sync = finish_cmd(c, sync);
		}
		pthread_mutex_lock(&e->lock);
		for (struct engine_cmd *c = sync, *next; c; c = next) {
			next = c->next;
			c->done = 1;
			pthread_cond_signal(c->cond);
		}
		if (b.failed) {
			batch_failed(e);
			due = 0; /* retry once the back-off is over, whatever is pending */
		} else {
			batch_committed(e);
			if (e->recovering) {
				/* Counted: the slots may be reused from now on. */
				engine_attempts_clear(e->attempts);
				e->recovering = 0;
				due = 0;
			}
		}
		for (struct engine_run *r = b.results, *next; r; r = next) {
			next = r->next;
			if (!b.failed) {
				engine_idset_del(&e->inflight, r->activity_id);
				if (r->activity_id == e->isolated) {
					/* The suspect finished: it did not crash the host. */
					e->isolated = e->quiet_until_us = 0;
					due = 0;
				}
				engine_run_free(r);
			} else {
				/* Retry the result in the next batch. */
				r->next = e->results;
				e->results = r;
				if (!e->results_tail)
					e->results_tail = r;
			}
		}
		size_t queued = 0;
		for (struct engine_run *r = b.dequeued, *next; r; r = next) {
			next = r->next;
			if (b.failed) {
				engine_idset_del(&e->inflight, r->activity_id);
				if (r->activity_id == e->isolated)
					e->isolated = e->quiet_until_us = 0;
				engine_run_free(r);
				continue;
			}
			if (r->activity_id == e->isolated && !e->quiet_until_us)
				e->quiet_until_us = rt_mono_us() + ENGINE_SUSPECT_QUIET_US;
			RT_QUEUE_APPEND(e->runs, e->runs_tail, r, next);
			e->stats.activities++;
			queued++;
		}
		engine_activity_wake(e, queued);
		/* Visible activities left behind for want of room: take them as
		 * soon as there is room, never waiting for an unrelated event. */
		if (!b.failed && b.act_backlog && !e->suspect_waiting &&
		    e->inflight.n < ENGINE_BATCH_ACTIVITIES)
			due = min_due(due, e->quiet_until_us);
		/* A suspect waiting for the running attempts to age. */
		if (!b.failed && e->suspect_waiting && !e->runs && e->running > 0)
			due = min_due(due, e->last_start_us + ENGINE_SUSPECT_QUIET_US);
		if (!b.failed)
			maybe_checkpoint(e);
		rt_arena_reset(&b.arena);
	}
	pthread_mutex_unlock(&e->lock);
	/* What the checkpoint thread had not fsynced yet (sync_acks). */
	if (e->opts.sync_acks)
		rt_store_sync_wal(e->store);
	if (e->opts.hooks.thread_event)
		e->opts.hooks.thread_event(e->opts.hooks.ctx, 2);
	free(b.enc);
	free(b.finished);
	rt_arena_cleanup(&b.arena);
	return NULL;
}

/* ---- checkpoints --------------------------------------------------------- */

/* The WAL's bound: passive checkpoints, a truncating one past half of it,
 * and past all of it the engine's own commit empties the WAL first. */
#define ENGINE_WAL_LIMIT (64LL << 20)

static void *checkpoint_main(void *arg)
{
	struct rt_engine *e = arg;
	struct rt_store *cs = NULL;
	struct rt_store_opts so = {.sync_normal = e->opts.sync_normal,
				   .sync_acks = e->opts.sync_acks};
	char *err = NULL;

	if (rt_store_open(&cs, e->opts.path, &so, &err) != 0) {
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_WARNING,
			   "task hub '%s': no checkpoint thread (%s); the WAL grows until restart",
			   e->opts.hub_name, err);
		free(err);
		return NULL;
	}
	pthread_mutex_lock(&e->lock);
	while (!e->stopping) {
		if (!e->ckpt_requested) {
			engine_sync_wait(e, cs);
			continue;
		}
		e->ckpt_requested = 0;
		pthread_mutex_unlock(&e->lock);
		rt_store_checkpoint_bounded(cs, ENGINE_WAL_LIMIT / 2, NULL);
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	rt_store_close(cs);
	return NULL;
}

/* After a commit (lock held): every few commits, ask for a checkpoint. */
static void maybe_checkpoint(struct rt_engine *e)
{
	if (++e->commits_since_ckpt < 8)
		return;
	/* A checkpoint fsyncs the WAL first: under sync_acks, at most one per
	 * sync window unless the WAL grows fast (the size bound still holds). */
	if (e->opts.sync_acks && e->commits_since_ckpt < 256 &&
	    rt_mono_us() - e->last_ckpt_us < ENGINE_SYNC_WINDOW_US)
		return;
	e->last_ckpt_us = rt_mono_us();
	e->commits_since_ckpt = 0;
	e->ckpt_requested = 1;
	pthread_cond_signal(&e->ckpt_cond);
}

/* ---- life cycle ------------------------------------------------------------- */

struct rt_engine *rt_engine_start(const struct rt_engine_opts *opts, char **err)
{
	struct rt_engine *e = xcalloc(1, sizeof(*e));
	struct rt_store_opts so = {.sync_normal = opts->sync_normal,
				   .sync_acks = opts->sync_acks,
				   .manual_checkpoint = 1};

	e->opts = *opts;
	e->opts.path = xstrdup(opts->path);
	e->opts.hub_name = xstrdup(opts->hub_name ? opts->hub_name : "TestHubName");
	if (e->opts.max_activities <= 0)
		e->opts.max_activities = 10;
	if (e->opts.max_orchestrators <= 0)
		e->opts.max_orchestrators = 10;
	e->cache = engine_cache_new();
	if (rt_store_open(&e->store, e->opts.path, &so, err) != 0) {
		engine_cache_free(e->cache);
		free((char *)e->opts.path);
		free((char *)e->opts.hub_name);
		free(e);
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	pthread_mutex_init(&e->readers_lock, NULL);
	e->waits = engine_waits_new(e);
	e->nthreads = e->opts.max_activities;
	char *warning = NULL;
	e->attempts = engine_attempts_open(e->opts.path, e->nthreads, &warning);
	if (warning) {
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_WARNING, "task hub '%s': %s", e->opts.hub_name,
			   warning);
		free(warning);
	}
	const struct engine_attempt *left;
	e->recovering = engine_attempts_left(e->attempts, &left) > 0;
	engine_activity_start(e);
	pthread_cond_init(&e->ckpt_cond, NULL);
	pthread_create(&e->thread, NULL, engine_main, e);
	pthread_setname_np(e->thread, "engine");
	pthread_create(&e->ckpt_thread, NULL, checkpoint_main, e);
	pthread_setname_np(e->ckpt_thread, "checkpoint");
	pthread_cond_init(&e->replay_cond, NULL);
	/* Without it every episode runs inline, as it would anyway. */
	e->replay_thread_up = pthread_create(&e->replay_thread, NULL, engine_replay_main, e) == 0;
	if (e->replay_thread_up)
		pthread_setname_np(e->replay_thread, "replay");
	return e;
}

/* Joins `t` unless it is still running at mono deadline `until_us`. */
static int join_by(pthread_t t, int64_t until_us)
{
	struct timespec ts;
	int64_t left = until_us - rt_mono_us();
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t abs_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + (left > 0 ? left : 0);
	ts.tv_sec = abs_us / 1000000;
	ts.tv_nsec = (abs_us % 1000000) * 1000;
	return pthread_timedjoin_np(t, NULL, &ts) == 0 ? 0 : -1;
}

/* Threads get this long past the deadline to notice it and leave. */
#define ENGINE_STOP_GRACE_US 250000

int rt_engine_stop_by(struct rt_engine *e, int64_t deadline_mono_us)
{
	int64_t until = deadline_mono_us + ENGINE_STOP_GRACE_US;
	int left_running = 0;

	if (!e)
		return 0;
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	e->stop_deadline_us = deadline_mono_us;
	pthread_cond_broadcast(&e->cond);
	pthread_cond_broadcast(&e->ckpt_cond);
	pthread_cond_broadcast(&e->replay_cond);
	pthread_mutex_unlock(&e->lock);
	/* The engine thread commits the results of the attempts that finish
	 * in time, then leaves; queued attempts stay in the store. */
	if (join_by(e->thread, until) != 0) {
		engine_attempts_clear(e->attempts);
		return 1;
	}
	engine_waits_stop(e->waits); /* the waits due by the last commit are answered */
	left_running += engine_activity_stop_by(e, until);
	if (join_by(e->ckpt_thread, until) != 0)
		left_running++;
	/* A replay under way is abandoned: its messages are still in the
	 * inbox, so it runs again after the next start. */
	if (e->replay_thread_up && join_by(e->replay_thread, until) != 0)
		left_running++;
	if (left_running) {
		/* Abandoned, not crashed: their attempts do not count. They
		 * still use `e`, so the process ends instead of freeing it. */
		engine_attempts_clear(e->attempts);
		return 1;
	}
	for (size_t i = 0; i < e->nreaders; i++)
		rt_store_close(e->readers[i]);
	free(e->readers);
	rt_store_close(e->store);
	engine_offload_free_all(e);
	engine_cache_free(e->cache);
	engine_attempts_close(e->attempts);
	rt_pool_free(e->pool);
	free(e->workers);
	free(e->inflight.keys);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->readers_lock);
	pthread_cond_destroy(&e->ckpt_cond);
	pthread_cond_destroy(&e->replay_cond);
	engine_waits_free(e->waits);
	free((char *)e->opts.path);
	free((char *)e->opts.hub_name);
	free(e);
	return 0;
}

void rt_engine_stop(struct rt_engine *e)
{
	if (!e)
		return;
	int ms = e->opts.stop_timeout_ms > 0 ? e->opts.stop_timeout_ms : 10000;
	rt_engine_stop_by(e, rt_mono_us() + (int64_t)ms * 1000);
}

void rt_engine_get_health(struct rt_engine *e, struct rt_engine_health *h)
{
	pthread_mutex_lock(&e->lock);
	h->degraded = e->fail_streak > 0;
	h->failing_since_us = e->failing_since_us;
	h->failed_batches = e->failed_batches;
	snprintf(h->last_error, sizeof(h->last_error), "%s", e->last_error);
	pthread_mutex_unlock(&e->lock);
}

const char *rt_engine_hub(const struct rt_engine *e)
{
	return e->opts.hub_name;
}

const char *rt_engine_path(const struct rt_engine *e)
{
	return e->opts.path;
}

void rt_engine_get_stats(struct rt_engine *e, struct rt_engine_stats *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->stats;
	st->replays_in_flight = st->offloaded - st->replays_returned;
	st->commands_waiting = e->cmds_waiting > 0 ? (uint64_t)e->cmds_waiting : 0;
	pthread_mutex_unlock(&e->lock);
}

/* ---- reads ------------------------------------------------------------------- */

struct rt_store *rt_engine_reader_get(struct rt_engine *e, char **err)
{
	struct rt_store *s = NULL;
	pthread_mutex_lock(&e->readers_lock);
	if (e->nreaders > 0)
		s = e->readers[--e->nreaders];
	pthread_mutex_unlock(&e->readers_lock);
	if (!s && rt_store_open_readonly(&s, e->opts.path, err) != 0)
		return NULL;
	return s;
}

void rt_engine_reader_put(struct rt_engine *e, struct rt_store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&e->readers_lock);
	RT_VEC_RESERVE(e->readers, e->capreaders, e->nreaders + 1, 8);
	e->readers[e->nreaders++] = s;
	pthread_mutex_unlock(&e->readers_lock);
}

