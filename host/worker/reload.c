/*
 * reload.c - deploying an app again without a restart (supervisor.h,
 * host_workers_request_reload): new workers of the file as it is now take
 * new calls, the old ones finish theirs and leave; a build that does not
 * load, or whose functions the host refuses (a route another app serves),
 * leaves the old one serving.
 */
#include "host/worker/pool.h"

#include "common/arena.h"
#include "common/clock.h"
#include "host/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Takes the new build's workers back out (they never served): the slots
 * are free again. */
static void discard_fresh(struct host_workers *w, struct wpool *pool, const int *fresh, int nfresh,
			  int started)
{
	for (int j = 0; j < started; j++)
		wpool_retire_now(w, &pool->procs[fresh[j]]);
	pthread_mutex_lock(&w->lock);
	for (int j = started; j < nfresh; j++) {
		pool->procs[fresh[j]].busy = 0;
		pool->procs[fresh[j]].gone = 1;
	}
	w->stats.reload_failures++;
	pthread_mutex_unlock(&w->lock);
}

/*
 * Starts pool->n workers of the app's current file in free slots; when the
 * host accepts what they register (deploy_check), routes new calls to them
 * and has the host serve the new build's functions (deploy_publish); the
 * old workers finish their calls and leave. A build that fails to load, or
 * that the host refuses, leaves the old workers serving. Runs on the
 * reload thread, the only one that writes pool->reg.
 */
static void reload_pool(struct host_workers *w, struct wpool *pool)
{
	int fresh[64], nfresh = 0;
	char *err = NULL, *changes = NULL;

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
		pool->procs[fresh[i]].episodes = wpool_rank(pool, i);
	pthread_mutex_unlock(&w->lock);

	/* The first new worker says what the build registers; the others must
	 * say the same. */
	struct rt_arena arena;
	struct rt_wire_registration reg;
	rt_arena_init(&arena);
	int64_t t0 = rt_mono_us();
	int refused = 0;
	for (int i = 0; i < nfresh && !refused; i++) {
		struct wspawn how = {.got = &reg, .arena = &arena};
		if (i > 0)
			how = (struct wspawn){.want = &reg};
		if (wproc_spawn(w, pool, &pool->procs[fresh[i]], &how, &err) != 0) {
			discard_fresh(w, pool, fresh, nfresh, i);
			refused = 1;
		}
	}
	if (!refused) {
		int rc = w->opts.deploy_check
				 ? w->opts.deploy_check(w->opts.deploy_ctx, pool->app, &reg, &err)
				 : wreg_same_functions(pool, &pool->reg, &reg, &err);
		if (rc != 0) {
			discard_fresh(w, pool, fresh, nfresh, nfresh);
			refused = 1;
		}
	}
	if (refused) {
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Deploying app '%s' again failed: %s; the running build keeps serving",
			 pool->app->name, err);
		free(err);
		rt_arena_cleanup(&arena);
		return;
	}

	struct wproc *idle_old[64];
	int nidle = 0;
	struct rt_arena old_arena;
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
	/* Replacements from now on must register the new build's functions. */
	old_arena = pool->reg_arena;
	pool->reg = reg;
	pool->reg_arena = arena;
	/* A new build is a new start: a crash loop of the old one is forgiven. */
	if (pool->failed)
		w->stats.failed_apps--;
	pool->failed = 0;
	pool->ndeaths = 0;
	pool->death_at = 0;
	w->stats.reloads++;
	pthread_cond_broadcast(&pool->idle);
	pthread_mutex_unlock(&w->lock);
	rt_arena_cleanup(&old_arena);
	/* New calls now go to the new workers only, so the new routes are
	 * published after them: a call of a function only the new build has
	 * never reaches an old worker. */
	if (w->opts.deploy_publish)
		w->opts.deploy_publish(w->opts.deploy_ctx, pool->app, &pool->reg, &changes);
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
			"the previous ones finish what they run%s%s",
			pool->app->name, nfresh, (double)(rt_mono_us() - t0) / 1000.0,
			changes ? "; " : "", changes ? changes : "");
	free(changes);
}

void *wpool_reloader_main(void *arg)
{
	struct host_workers *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct wpool *todo = NULL;
		/* Not while the start-up's workers start: they take slots too. */
		for (size_t i = 0; i < w->npools && !todo && !w->starting; i++)
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
