/*
 * reload.c - deploying an app again without a restart (supervisor.h,
 * host_workers_request_reload): new workers of the file as it is now take
 * new calls, the old ones finish theirs and leave; a build that does not
 * load leaves the old one serving.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "host/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Starts pool->n workers of the app's current file in free slots, then
 * routes new calls to them; the old workers finish their calls and leave.
 * A build that fails to load (or registers other functions) leaves the old
 * workers serving. Runs on the reload thread.
 */
static void reload_pool(struct host_workers *w, struct wpool *pool)
{
	int fresh[64], nfresh = 0;
	char *err = NULL;

	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < pool->cap && nfresh < pool->n && nfresh < 64; i++) {
		struct wproc *p = &pool->procs[i];
		if (p->gone && !p->busy) {
			p->busy = 1; /* ours while it starts */
			fresh[nfresh++] = i;
		}
	}
	if (nfresh < pool->n) {
		for (int i = 0; i < nfresh; i++)
			pool->procs[fresh[i]].busy = 0;
		pool->reload_wanted = 1; /* again once the previous build has left */
		pthread_mutex_unlock(&w->lock);
		return;
	}
	for (int i = 0; i < nfresh; i++)
		pool->procs[fresh[i]].episodes = i == 0;
	pthread_mutex_unlock(&w->lock);

	int64_t t0 = rt_mono_us();
	for (int i = 0; i < nfresh; i++) {
		if (wproc_spawn(w, pool, &pool->procs[fresh[i]], &err) == 0)
			continue;
		for (int j = 0; j < i; j++)
			wpool_retire_now(w, &pool->procs[fresh[j]]);
		pthread_mutex_lock(&w->lock);
		for (int j = i; j < nfresh; j++) {
			pool->procs[fresh[j]].busy = 0;
			pool->procs[fresh[j]].gone = 1;
		}
		w->stats.reload_failures++;
		pthread_mutex_unlock(&w->lock);
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Deploying app '%s' again failed: %s; the running build keeps serving",
			 pool->app->name, err);
		free(err);
		return;
	}

	struct wproc *idle_old[64];
	int nidle = 0;
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < pool->cap; i++) {
		struct wproc *p = &pool->procs[i];
		int is_new = 0;
		for (int j = 0; j < nfresh; j++)
			is_new |= fresh[j] == i;
		if (is_new || p->gone)
			continue;
		p->retire = 1;
		if (!p->busy && nidle < 64) {
			p->busy = 1;
			idle_old[nidle++] = p;
		}
	}
	for (int j = 0; j < nfresh; j++)
		pool->procs[fresh[j]].busy = 0;
	/* A new build is a new start: a crash loop of the old one is forgiven. */
	if (pool->failed)
		w->stats.failed_apps--;
	pool->failed = 0;
	pool->ndeaths = 0;
	pool->death_at = 0;
	w->stats.reloads++;
	pthread_cond_broadcast(&pool->idle);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < nidle; i++)
		wpool_retire_now(w, idle_old[i]);
	/* Durable work that waited for a failed app runs now, not at the
	 * end of its (backed-off) wait. */
	pthread_mutex_lock(&w->lock); /* host_workers_on_deploy(NULL) waits for it */
	if (w->on_deploy)
		w->on_deploy(w->on_deploy_ctx);
	pthread_mutex_unlock(&w->lock);
	/* Shown at every level, as func shows a detected file change. */
	host_log_always("Deployed app '%s' again: %d worker(s) of the new build ready in %.1f ms; "
			"the previous ones finish what they run",
			pool->app->name, nfresh, (double)(rt_mono_us() - t0) / 1000.0);
}

void *wpool_reloader_main(void *arg)
{
	struct host_workers *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct wpool *todo = NULL;
		for (size_t i = 0; i < w->npools && !todo; i++)
			if (w->pools[i].reload_wanted)
				todo = &w->pools[i];
		if (!todo) {
			pthread_cond_wait(&w->reload_cond, &w->lock);
			continue;
		}
		todo->reload_wanted = 0;
		pthread_mutex_unlock(&w->lock);
		reload_pool(w, todo);
		pthread_mutex_lock(&w->lock);
		/* A reload that waits for the previous build polls (bounded by
		 * that build's calls), instead of spinning. */
		if (todo->reload_wanted && !w->stopping) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w->reload_cond, &w->lock, &ts);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

void host_workers_request_reload(struct host_workers *w, const char *path)
{
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->npools; i++)
		if (!path || strcmp(path, w->pools[i].app->path) == 0)
			w->pools[i].reload_wanted = 1;
	pthread_cond_signal(&w->reload_cond);
	pthread_mutex_unlock(&w->lock);
}

void host_workers_on_deploy(struct host_workers *w, void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&w->lock);
	w->on_deploy = fn;
	w->on_deploy_ctx = ctx;
	pthread_mutex_unlock(&w->lock);
}
