/*
 * supervisor.c - the pools' life cycle and what the host reads of them
 * (supervisor.h): start, stop, stats. The calls are in calls.c, a worker's
 * start in spawn.c, its death in pool.c, deploys in reload.c.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "common/xalloc.h"
#include "host/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct host_workers *host_workers_new(const struct host_workers_opts *opts, size_t max_apps,
				      char **err)
{
	struct host_workers *w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	if (w->opts.per_app < 1)
		w->opts.per_app = 1;
	if (w->opts.episodes_per_app < 1)
		w->opts.episodes_per_app = 1;
	w->root = xstrdup(opts->root);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->reload_cond, NULL);
	snprintf(w->host_pid, sizeof(w->host_pid), "%ld", (long)getpid());
	/* Every pool has its place now: callers keep pointers to pools (and
	 * their condition variables), which must never move. */
	w->cappools = max_apps;
	w->pools = xcalloc(max_apps ? max_apps : 1, sizeof(*w->pools));
	/* valgrind answers an open of /proc/self/exe with the program it runs
	 * (cfunc), an exec of the path with its own tool binary. */
	w->exe_fd = -1;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		w->exe_fd = fcntl(fd, F_DUPFD_CLOEXEC, WORKER_FD + 7);
		close(fd);
	}
	if (w->exe_fd < 0) {
		*err = xasprintf("cannot start worker processes: cannot open the host's own binary "
				 "(/proc/self/exe): %s; run cfunc start --in-process",
				 strerror(errno));
		host_workers_stop(w);
		return NULL;
	}
	return w;
}

static void pool_cleanup(struct wpool *pool)
{
	for (int j = 0; j < pool->cap; j++) {
		rt_wire_buf_cleanup(&pool->procs[j].in);
		rt_wire_buf_cleanup(&pool->procs[j].out);
		history_held_free(pool->procs[j].held);
	}
	pthread_cond_destroy(&pool->idle);
	rt_arena_cleanup(&pool->reg_arena);
	free(pool->procs);
	free(pool->deaths);
}

/* A pool for `app` with its slots; nothing started (pool_cleanup frees it). */
static void pool_init(struct host_workers *w, struct wpool *pool, const struct bind_app *app)
{
	memset(pool, 0, sizeof(*pool));
	pool->app = app;
	pool->neps = w->opts.episodes_per_app;
	pool->n = w->opts.per_app + pool->neps;
	pool->cap = 2 * pool->n;
	pool->procs = xcalloc((size_t)pool->cap, sizeof(*pool->procs));
	pool->deaths = xcalloc((size_t)(CRASH_LOOP_FACTOR * pool->n), sizeof(*pool->deaths));
	rt_arena_init(&pool->reg_arena);
	pthread_cond_init(&pool->idle, NULL);
	for (int j = 0; j < pool->cap; j++) {
		struct wproc *p = &pool->procs[j];
		p->fd = -1;
		p->gone = 1;
		rt_wire_buf_init(&p->in);
		rt_wire_buf_init(&p->out);
	}
	for (int j = 0; j < pool->n; j++)
		pool->procs[j].episodes = wpool_rank(pool, j);
}

/* Ends a launched worker that will not be awaited (the start-up failed). */
static void abandon(struct wproc *p)
{
	if (p->pid <= 0)
		return;
	kill(p->pid, SIGKILL);
	close(p->fd);
	p->fd = -1;
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

/*
 * Every app's first worker is launched before any is waited for: they load
 * their apps at the same time, and the start-up waits about as long as the
 * slowest, not the sum. They are awaited in the order of `apps`, so that
 * the pools, the refusals and the registry keep that order.
 */
int host_workers_add_apps(struct host_workers *w, const struct bind_app *const *apps, size_t n,
			  const struct rt_wire_registration **regs, char **reasons, char **err)
{
	if (w->npools + n > w->cappools) {
		*err = xasprintf("cannot start workers for %zu apps: more apps than announced", n);
		return -1;
	}
	struct wproc *firsts = xcalloc(n ? n : 1, sizeof(*firsts));
	size_t launched = 0;
	int rc = 0;
	for (; launched < n; launched++) {
		firsts[launched].fd = -1;
		if (wproc_launch(w, apps[launched]->path, &firsts[launched], err) != 0) {
			rc = -1;
			break;
		}
	}
	const struct wspawn first = {.first = 1};
	for (size_t i = 0; i < launched; i++) {
		regs[i] = NULL;
		reasons[i] = NULL;
		if (rc != 0) {
			abandon(&firsts[i]);
			continue;
		}
		struct wpool *pool = &w->pools[w->npools];
		pool_init(w, pool, apps[i]);
		/* The slot becomes the launched process (its buffers are empty). */
		struct wproc *p = &pool->procs[0];
		p->pid = firsts[i].pid;
		p->fd = firsts[i].fd;
		p->gone = firsts[i].gone;
		p->phase = firsts[i].phase;
		p->started_us = firsts[i].started_us;
		struct wspawn how = first;
		how.got = &pool->reg;
		how.arena = &pool->reg_arena;
		char *why = NULL;
		int ready = wproc_await(w, pool, p, &how, &why);
		if (ready != 0) {
			pool_cleanup(pool);
			memset(pool, 0, sizeof(*pool));
			if (ready > 0) {
				reasons[i] = why;
				continue;
			}
			*err = why;
			rc = -1;
			continue;
		}
		w->npools++;
		regs[i] = &pool->reg;
	}
	free(firsts);
	return rc;
}

/* A worker of the running build that did not start (the start-up's rest):
 * its slot is free again; an app left without a worker for its HTTP
 * functions and activities fails, so that their calls answer 503 instead
 * of waiting. */
static void start_failed(struct host_workers *w, struct wpool *pool, struct wproc *p, char *why)
{
	host_log("Host.Workers", RT_LOG_ERROR, "A worker process of app '%s' did not start: %s",
		 pool->app->name, why);
	pthread_mutex_lock(&w->lock);
	p->busy = 0;
	p->gone = 1;
	p->pid = 0;
	p->phase = WPROC_UP;
	int serving = 0; /* up, or still to start (busy, gone) */
	for (int j = 0; j < pool->cap; j++)
		serving += (!pool->procs[j].gone || pool->procs[j].busy) && !pool->procs[j].episodes;
	if (!serving && !pool->failed) {
		pool->failed = 1;
		w->stats.failed_apps++;
		snprintf(pool->reason, sizeof(pool->reason), "its workers did not start: %s", why);
		pthread_cond_broadcast(&pool->idle);
	}
	pthread_mutex_unlock(&w->lock);
	free(why);
}

/*
 * The rest of every app's workers (all but the first, which registered),
 * launched by host_workers_start_rest, awaited here, on a thread of its
 * own while the host serves. Each slot is busy while it starts, so no call
 * takes it; a call that needs a worker meanwhile waits for the first of
 * them to be ready (wpool_acquire).
 */
static void *starter_main(void *arg)
{
	struct host_workers *w = arg;
	const struct wspawn same = {.same_as_pool = 1};
	for (size_t i = 0; i < w->npools; i++) {
		struct wpool *pool = &w->pools[i];
		for (int j = 1; j < pool->n; j++) {
			struct wproc *p = &pool->procs[j];
			if (p->pid <= 0)
				continue;
			char *why = NULL;
			pthread_mutex_lock(&w->lock);
			int stop = w->stopping;
			pthread_mutex_unlock(&w->lock);
			if (stop) { /* not waited for: the host stops */
				abandon(p);
				pthread_mutex_lock(&w->lock);
				p->busy = 0;
				p->gone = 1;
				p->phase = WPROC_UP;
				pthread_mutex_unlock(&w->lock);
			} else if (wproc_await(w, pool, p, &same, &why) != 0) {
				start_failed(w, pool, p, why);
			} else {
				wpool_release(w, pool, p);
			}
		}
	}
	pthread_mutex_lock(&w->lock);
	w->starting = 0;
	pthread_cond_broadcast(&w->reload_cond); /* the reloader waits for this */
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int host_workers_run(struct host_workers *w, char **err)
{
	(void)err; /* nothing here can fail: the starts are host_workers_start_rest's */
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->npools; i++)
		for (int j = 1; j < w->pools[i].n; j++)
			w->pools[i].procs[j].busy = 1; /* the starter's while it starts */
	w->starting = 1;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void host_workers_start_rest(struct host_workers *w)
{
	if (w->starter_on || !w->starting)
		return;
	/* Forked here, not on the starter thread: a worker's parent-death
	 * signal (PR_SET_PDEATHSIG) follows the thread that forked it, and
	 * the starter ends when they are up; this one lives as long as the
	 * host. */
	for (size_t i = 0; i < w->npools; i++) {
		struct wpool *pool = &w->pools[i];
		for (int j = 1; j < pool->n; j++) {
			char *why = NULL;
			if (wproc_launch(w, pool->app->path, &pool->procs[j], &why) != 0)
				start_failed(w, pool, &pool->procs[j], why);
		}
	}
	if (pthread_create(&w->starter, NULL, starter_main, w) == 0) {
		w->starter_on = 1;
		return;
	}
	/* No thread: they are awaited here. */
	host_log("Host.Workers", RT_LOG_WARNING,
		 "cannot start a thread for the worker processes: waiting for them before serving");
	starter_main(w);
}

void host_workers_start_deploys(struct host_workers *w)
{
	if (!w->reloader_on)
		w->reloader_on = pthread_create(&w->reloader, NULL, wpool_reloader_main, w) == 0;
}

void host_workers_stop_deploys(struct host_workers *w)
{
	if (!w || !w->reloader_on)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->reload_cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->reloader, NULL);
	w->reloader_on = 0;
}

void host_workers_stop(struct host_workers *w)
{
	if (!w)
		return;
	if (w->starter_on) {
		/* Those not up yet are ended, not waited for. */
		pthread_mutex_lock(&w->lock);
		w->stopping = 1;
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->starter, NULL);
		w->starter_on = 0;
	}
	host_workers_stop_deploys(w);
	/* EOF on its socket tells a worker to leave once its call is done. */
	for (size_t i = 0; i < w->npools; i++)
		for (int j = 0; j < w->pools[i].cap; j++)
			if (w->pools[i].procs[j].fd >= 0) {
				close(w->pools[i].procs[j].fd);
				w->pools[i].procs[j].fd = -1;
			}
	int64_t until = rt_mono_us() + STOP_GRACE_US;
	for (size_t i = 0; i < w->npools; i++) {
		struct wpool *pool = &w->pools[i];
		for (int j = 0; j < pool->cap; j++) {
			struct wproc *p = &pool->procs[j];
			while (p->pid > 0 && waitpid(p->pid, NULL, WNOHANG) == 0) {
				if (rt_mono_us() >= until) {
					kill(p->pid, SIGKILL);
					waitpid(p->pid, NULL, 0);
					break;
				}
				usleep(2000); /* bounded by `until`: a worker finishing its call */
			}
		}
		pool_cleanup(pool);
	}
	free(w->pools);
	pthread_cond_destroy(&w->reload_cond);
	pthread_mutex_destroy(&w->lock);
	free(w->root);
	if (w->exe_fd >= 0)
		close(w->exe_fd);
	free(w);
}

void host_workers_get_stats(struct host_workers *w, struct host_workers_stats *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->stats;
	pthread_mutex_unlock(&w->lock);
}

int host_workers_app_failed(struct host_workers *w, const struct bind_app *app)
{
	struct wpool *pool = wpool_of(w, app);
	pthread_mutex_lock(&w->lock);
	int failed = pool && pool->failed;
	pthread_mutex_unlock(&w->lock);
	return failed;
}
/* ---- the snapshot --------------------------------------------------------------- */

const char *host_worker_state_name(enum host_worker_state s)
{
	switch (s) {
	case HOST_WORKER_STARTING:
		return "starting";
	case HOST_WORKER_READY:
		return "ready";
	case HOST_WORKER_BUSY:
		return "busy";
	case HOST_WORKER_STOPPING:
		return "stopping";
	case HOST_WORKER_REPLACED:
		return "replaced";
	}
	return "?";
}

const char *host_call_kind_name(enum host_call_kind k)
{
	switch (k) {
	case HOST_CALL_HTTP: return "http";
	case HOST_CALL_ACTIVITY: return "activity";
	case HOST_CALL_EPISODE: return "orchestrator";
	case HOST_CALL_TIMER: return "timer";
	case HOST_CALL_ENTITY: return "entity";
	}
	return "?";
}

/* What a slot's process is doing (lock held). */
static enum host_worker_state slot_state(const struct wproc *p)
{
	if (p->phase == WPROC_STARTING)
		return HOST_WORKER_STARTING;
	if (p->phase == WPROC_STOPPING)
		return HOST_WORKER_STOPPING;
	if (p->retire)
		return HOST_WORKER_REPLACED;
	/* Owned without a call (just replaced, not yet given back): as good as idle. */
	return p->in_call ? HOST_WORKER_BUSY : HOST_WORKER_READY;
}

struct host_workers_snapshot *host_workers_snapshot(struct host_workers *w)
{
	struct host_workers_snapshot *s = xcalloc(1, sizeof(*s));
	s->napps = w->npools;
	s->apps = xcalloc(w->npools ? w->npools : 1, sizeof(*s->apps));
	/* Slots never move and their number is fixed: allocate before the lock. */
	for (size_t i = 0; i < w->npools; i++)
		s->apps[i].workers = xcalloc((size_t)w->pools[i].cap, sizeof(*s->apps[i].workers));
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->npools; i++) {
		const struct wpool *pool = &w->pools[i];
		struct host_app_workers *a = &s->apps[i];
		host_worker_text_copy(a->app, sizeof(a->app), pool->app->name);
		a->failed = pool->failed;
		host_worker_text_copy(a->reason, sizeof(a->reason), pool->failed ? pool->reason : "");
		for (int j = 0; j < pool->cap; j++) {
			const struct wproc *p = &pool->procs[j];
			if (p->pid <= 0)
				continue;
			struct host_worker_info *info = &a->workers[a->nworkers++];
			info->pid = p->pid;
			info->slot = j;
			info->state = slot_state(p);
			info->episodes = p->episodes != 0;
			info->started_us = p->started_us;
			info->served = p->served;
			info->busy = p->in_call;
			if (p->in_call)
				info->call = p->call;
		}
	}
	s->ncrashes = crash_ring_copy(&w->crashes, s->crashes);
	pthread_mutex_unlock(&w->lock);
	return s;
}

void host_workers_snapshot_free(struct host_workers_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->napps; i++)
		free(s->apps[i].workers);
	free(s->apps);
	free(s);
}
