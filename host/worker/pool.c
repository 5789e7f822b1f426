/*
 * pool.c - a pool's workers taken and given back by callers, and the death
 * of one: reaped, logged in one line, replaced, or the app marked failed
 * when they crash-loop (pool.h has the invariants).
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "host/log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Records a death; 1 when the app now counts as crash-looping (lock held). */
static int note_death(struct wpool *pool, int64_t now)
{
	int cap = CRASH_LOOP_FACTOR * pool->n;
	pool->deaths[pool->death_at] = now;
	pool->death_at = (pool->death_at + 1) % cap;
	if (pool->ndeaths < cap)
		pool->ndeaths++;
	if (pool->ndeaths < cap)
		return 0;
	/* The ring is full: the oldest of the last `cap` deaths is at death_at. */
	return now - pool->deaths[pool->death_at] < CRASH_WINDOW_US;
}

/* A failed app keeps no processes: its idle workers are told to leave (EOF)
 * and reaped; a busy one is buried by its caller (the pool is failed, so
 * it is not replaced). Waiters are woken: HTTP callers answer 503, durable
 * work is handed back to wait (calls.c). */
static void retire_idle(struct host_workers *w, struct wpool *pool)
{
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < pool->cap; i++) {
		struct wproc *q = &pool->procs[i];
		if (q->busy || q->gone)
			continue;
		q->gone = 1;
		q->busy = 1; /* ours until reaped */
		q->phase = WPROC_STOPPING;
		pthread_mutex_unlock(&w->lock);
		close(q->fd);
		q->fd = -1;
		while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&w->lock);
		q->pid = 0;
		q->phase = WPROC_UP;
		q->busy = 0;
	}
	pthread_cond_broadcast(&pool->idle);
	pthread_mutex_unlock(&w->lock);
}

/* The slot is empty now: no process, nothing running (lock held). */
static void slot_empty(struct wproc *p)
{
	p->gone = 1;
	p->pid = 0;
	p->phase = WPROC_UP;
	p->in_call = 0;
}

int wpool_bury_reap(struct host_workers *w, struct wpool *pool, struct wproc *p, enum wdeath how,
		    const struct wcall *c, struct wgrave *g)
{
	int status = 0;
	pid_t old = p->pid;
	memset(g, 0, sizeof(*g));
	/* Copies: the call's strings may be gone once it is answered. */
	host_worker_text_copy(g->what, sizeof(g->what), c->what);
	host_worker_text_copy(g->id, sizeof(g->id), c->id ? c->id : "-");
	struct host_worker_crash *crash = &g->crash;
	crash->at_us = rt_now_us();
	crash->pid = old;
	crash->timed_out = how == WDEATH_TIMEOUT;
	host_worker_call_set(&crash->call, c->kind, c->function, c->instance, c->invocation, 0);
	host_worker_text_copy(crash->app, sizeof(crash->app), pool->app->name);
	if (how != WDEATH_DIED)
		kill(p->pid, SIGKILL);
	pthread_mutex_lock(&w->lock);
	p->phase = WPROC_STOPPING;
	crash->call.since_us = p->in_call ? p->call.since_us : 0;
	p->in_call = 0;
	pthread_mutex_unlock(&w->lock);
	close(p->fd);
	p->fd = -1;
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	wproc_status_text(status, g->status, sizeof(g->status));
	host_worker_text_copy(crash->status, sizeof(crash->status), g->status);

	pthread_mutex_lock(&w->lock);
	w->stats.crashes++;
	int looping = note_death(pool, rt_mono_us());
	if (looping && !pool->failed) {
		pool->failed = 1;
		w->stats.failed_apps++;
		snprintf(pool->reason, sizeof(pool->reason),
			 "%d worker deaths within %d s; the last: %s while running '%s'",
			 CRASH_LOOP_FACTOR * pool->n, (int)(CRASH_WINDOW_US / 1000000), g->status,
			 c->function);
	}
	int failed = pool->failed, retiring = p->retire;
	if (retiring || failed)
		slot_empty(p);
	else
		p->pid = 0; /* not listed until its replacement starts */
	/* Recorded now, so that a status query right after the lost call's
	 * answer shows the death; replaced_by is set once the replacement
	 * is ready (wpool_bury_replace). */
	g->ring_at = w->crashes.next;
	crash_ring_add(&w->crashes, crash);
	pthread_mutex_unlock(&w->lock);
	if (retiring) {
		/* A worker of the previous build: the new ones serve already. */
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' (previous build) died (%s) while running "
			 "'%s' (Id=%s)",
			 (int)old, pool->app->name, g->status, g->what, g->id);
		return 0;
	}
	if (failed) {
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' died (%s) while running '%s' (Id=%s); the app "
			 "failed: %d worker deaths within %d s, its functions answer 503 and its "
			 "durable work waits until the app is deployed again or the host is restarted",
			 (int)old, pool->app->name, g->status, g->what, g->id,
			 CRASH_LOOP_FACTOR * pool->n, (int)(CRASH_WINDOW_US / 1000000));
		retire_idle(w, pool);
		return 0;
	}
	return 1;
}

void wpool_bury_replace(struct host_workers *w, struct wpool *pool, struct wproc *p,
			struct wgrave *g)
{
	pid_t old = g->crash.pid;
	int64_t t0 = rt_mono_us();
	char *err = NULL;
	const struct wspawn same = {.same_as_pool = 1};
	if (wproc_spawn(w, pool, p, &same, &err) != 0) {
		pthread_mutex_lock(&w->lock);
		slot_empty(p);
		pthread_mutex_unlock(&w->lock);
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' died (%s) while running '%s' (Id=%s); no "
			 "replacement: %s",
			 (int)old, pool->app->name, g->status, g->what, g->id, err);
		free(err);
		return;
	}
	int64_t took = rt_mono_us() - t0;
	pthread_mutex_lock(&w->lock);
	w->stats.replaced++;
	w->stats.last_replace_us = took;
	/* Its record, unless HOST_WORKER_CRASHES deaths came after it. */
	struct host_worker_crash *e = &w->crashes.e[g->ring_at];
	if (e->pid == old && e->at_us == g->crash.at_us)
		e->replaced_by = p->pid;
	pthread_mutex_unlock(&w->lock);
	host_log("Host.Workers", RT_LOG_ERROR,
		 "Worker process %d of app '%s' died (%s) while running '%s' (Id=%s); replaced by "
		 "process %d in %.1f ms",
		 (int)old, pool->app->name, g->status, g->what, g->id, (int)p->pid,
		 (double)took / 1000.0);
}

void wpool_bury(struct host_workers *w, struct wpool *pool, struct wproc *p, enum wdeath how,
		const struct wcall *c, char *status_out, size_t status_n)
{
	struct wgrave g;
	int replace = wpool_bury_reap(w, pool, p, how, c, &g);
	host_worker_text_copy(status_out, status_n, g.status);
	if (replace)
		wpool_bury_replace(w, pool, p, &g);
}

void wpool_reject_result(struct host_workers *w, struct wpool *pool, struct wproc *p,
			 const char *function, const char *err, const struct wcall *c,
			 char *status_out, size_t status_n)
{
	host_log("Host.Workers", RT_LOG_ERROR,
		 "Worker process %d of app '%s' sent a bad result for '%s': %s", (int)p->pid,
		 pool->app->name, function, err);
	wpool_bury(w, pool, p, WDEATH_BROKEN, c, status_out, status_n);
	wpool_release(w, pool, p);
}

/* ---- taking and giving back ------------------------------------------------- */

struct wpool *wpool_of(struct host_workers *w, const struct bind_app *app)
{
	for (size_t i = 0; i < w->npools; i++)
		if (w->pools[i].app == app)
			return &w->pools[i];
	return NULL;
}

/* The first of a build's workers is an episode worker (it registers at
 * the start-up, before the host listens: the engine needs one first), the
 * others after the call workers (they start with the rest). */
int wpool_rank(const struct wpool *pool, int i)
{
	if (i == 0)
		return 1;
	int first_extra = pool->n - (pool->neps - 1);
	return i >= first_extra ? i - first_extra + 2 : 0;
}

/* The idle worker `want` takes, or NULL (lock held). */
static struct wproc *pick(struct wpool *pool, enum wpool_want want)
{
	struct wproc *got = NULL;
	for (int i = 0; i < pool->cap; i++) {
		struct wproc *q = &pool->procs[i];
		if (q->busy || q->gone || q->retire || (q->episodes != 0) != (want != WPOOL_CALLS))
			continue;
		if (want == WPOOL_CALLS)
			return q;
		if (!got || (want == WPOOL_EPISODES_LAST ? q->episodes > got->episodes
							 : q->episodes < got->episodes))
			got = q;
	}
	return got;
}

/*
 * Episodes have workers of their own: an HTTP function waiting for a
 * commit holds its worker, and the engine thread must never wait for one
 * of those to run the episode of the batch that commits. And more than
 * one: the replay thread's long replay (a fan-in re-running 100,000
 * results) holds one while the engine thread's batches use another.
 */
struct wproc *wpool_acquire(struct host_workers *w, struct wpool *pool, enum wpool_want want,
			    const struct wcall *c)
{
	struct wproc *got = NULL;
	int episodes = want != WPOOL_CALLS;
	pthread_mutex_lock(&w->lock);
	while (!pool->failed && !(got = pick(pool, want))) {
		pool->episode_waiters += episodes;
		pthread_cond_wait(&pool->idle, &w->lock);
		pool->episode_waiters -= episodes;
	}
	if (got) {
		got->busy = 1;
		got->in_call = 1;
		host_worker_call_set(&got->call, c->kind, c->function, c->instance, c->invocation,
				     rt_now_us());
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

/* Closes and reaps a worker the caller owns (busy), then frees its slot. */
void wpool_retire_now(struct host_workers *w, struct wproc *p)
{
	pthread_mutex_lock(&w->lock);
	p->phase = WPROC_STOPPING;
	p->in_call = 0;
	pthread_mutex_unlock(&w->lock);
	if (p->fd >= 0)
		close(p->fd); /* EOF: it leaves */
	p->fd = -1;
	if (p->pid > 0)
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	pthread_mutex_lock(&w->lock);
	slot_empty(p);
	p->retire = 0;
	p->busy = 0;
	pthread_mutex_unlock(&w->lock);
}

void wpool_release(struct host_workers *w, struct wpool *pool, struct wproc *p)
{
	pthread_mutex_lock(&w->lock);
	if (p->in_call) {
		/* Answered (a buried worker's call was cleared by wpool_bury). */
		p->served++;
		p->in_call = 0;
	}
	if ((p->retire || pool->failed) && !p->gone) {
		/* Of an older build, or of an app marked failed while it ran
		 * (no worker runs a failed app): it finished its call, now it
		 * leaves. */
		pthread_mutex_unlock(&w->lock);
		wpool_retire_now(w, p);
		return;
	}
	p->busy = 0;
	p->retire = 0;
	/* One worker is free: one waiter can use it. Waking them all (20
	 * activity threads for 4 workers) cost a futex storm per call. Only
	 * while a thread waits for an episode worker (rare: both busy, or one
	 * being replaced) a signal could wake one that cannot use this
	 * worker, so then everyone is woken. */
	if (pool->episode_waiters)
		pthread_cond_broadcast(&pool->idle);
	else
		pthread_cond_signal(&pool->idle);
	pthread_mutex_unlock(&w->lock);
}
