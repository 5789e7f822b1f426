/*
 * supervisor.c - the pools' life cycle and what the host reads of them
 * (supervisor.h): start, stop, stats. The calls are in calls.c, a worker's
 * start in spawn.c, its death in pool.c, deploys in reload.c.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "common/xalloc.h"

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
	}
	pthread_cond_destroy(&pool->idle);
	rt_arena_cleanup(&pool->reg_arena);
	free(pool->procs);
	free(pool->deaths);
}

int host_workers_add_app(struct host_workers *w, const struct bind_app *app,
			 const struct rt_wire_registration **r, char **err)
{
	if (w->npools >= w->cappools) {
		*err = xasprintf("cannot start workers for app '%s': more apps than announced",
				 app->name);
		return -1;
	}
	struct wpool *pool = &w->pools[w->npools];
	memset(pool, 0, sizeof(*pool));
	pool->app = app;
	pool->n = w->opts.per_app + 1; /* + the episode worker */
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
	pool->procs[0].episodes = 1;
	const struct wspawn first = {.first = 1, .got = &pool->reg, .arena = &pool->reg_arena};
	int rc = wproc_spawn(w, pool, &pool->procs[0], &first, err);
	if (rc != 0) {
		pool_cleanup(pool);
		memset(pool, 0, sizeof(*pool));
		return rc;
	}
	w->npools++;
	*r = &pool->reg;
	return 0;
}

int host_workers_run(struct host_workers *w, char **err)
{
	const struct wspawn same = {.same_as_pool = 1};
	for (size_t i = 0; i < w->npools; i++) {
		struct wpool *pool = &w->pools[i];
		for (int j = 1; j < pool->n; j++)
			if (wproc_spawn(w, pool, &pool->procs[j], &same, err) != 0)
				return -1;
	}
	return 0;
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
			info->episodes = p->episodes;
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
