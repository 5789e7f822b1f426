/*
 * supervisor.c - starts, calls, watches and replaces worker processes
 * (supervisor.h).
 *
 * Invariants
 *   - A worker is either idle (in its pool, fd open), busy (owned by exactly
 *     one calling thread, which alone reads and writes its socket), or gone
 *     (its pool crash-looped). Only the owner of a busy worker reaps it.
 *   - A worker that dies or times out is reaped and replaced by the thread
 *     that was calling it, before that thread returns, so the pool never
 *     shrinks silently; the replacement is ready when its registration has
 *     arrived.
 *   - More than CRASH_LOOP_FACTOR x per_app deaths within CRASH_WINDOW_US
 *     mark the app failed: no more replacements, callers get 503.
 */
#include "host/worker/supervisor.h"

#include "common/clock.h"
#include "common/wire.h"
#include "common/xalloc.h"
#include "host/log.h"
#include "host/worker/channel.h"
#include "host/worker/worker_client.h"
#include "host/worker/episode.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_TIMEOUT_US (10 * 1000000LL) /* a worker's load + init */
#define STOP_GRACE_US (2 * 1000000LL)
#define CRASH_WINDOW_US (60 * 1000000LL)
#define CRASH_LOOP_FACTOR 3               /* func: 3 x the worker count */
#define REPLY_MAX_FRAME (RT_WIRE_MAX_FRAME)
#define WORKER_FD 3

struct wproc {
	pid_t pid;
	int fd;
	int busy;
	int gone;
	int retire;     /* of an older build: leaves after its current call */
	int episodes;   /* serves orchestrator episodes only (see acquire) */
	struct rt_wire_buf in, out;
};

struct wpool {
	const struct bind_app *app;
	struct wproc *procs; /* cap slots, never moved: callers hold pointers */
	int n;               /* live workers wanted */
	int cap;             /* 2 n: room for a new build's workers beside the old */
	int failed;
	int reload_wanted;
	int64_t *deaths; /* ring of death times, CRASH_LOOP_FACTOR * n long */
	int ndeaths, death_at;
	pthread_cond_t idle;
};

struct host_workers {
	struct host_workers_opts opts;
	char *root;
	char host_pid[24];
	pthread_mutex_t lock;
	struct wpool *pools;
	size_t npools;
	uint64_t next_id;
	struct host_workers_stats stats;
	const struct bind_registry *reg;
	pthread_t reloader;
	int reloader_on, stopping;
	pthread_cond_t reload_cond;
};

/* ---- processes ------------------------------------------------------------ */

static void describe_status(int status, char *out, size_t n)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);
		snprintf(out, n, "SIG%s%s", abbrev ? abbrev : "?", WCOREDUMP(status) ? ", core dumped" : "");
	} else if (WIFEXITED(status)) {
		snprintf(out, n, "exit code %d", WEXITSTATUS(status));
	} else {
		snprintf(out, n, "status %d", status);
	}
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Left out by host.json "functions" / --functions: the host never indexed it. */
static int filtered_out(const struct bind_registry *reg, const char *name)
{
	if (!reg->only)
		return 0;
	for (size_t i = 0; i < reg->nonly; i++)
		if (strcasecmp(reg->only[i], name) == 0)
			return 0;
	return 1;
}

/*
 * The host routes and lists what it loaded itself; a worker must register
 * the same functions (a rebuilt app that adds, drops or re-routes one needs
 * a restart until registration drives the router). 0 or -1 with *err.
 */
static int same_functions(struct host_workers *w, const struct wpool *pool,
			  const struct rt_wire_registration *r, char **err)
{
	size_t mine = 0;
	for (size_t i = 0; i < w->reg->nfns; i++)
		if (w->reg->fns[i]->app == pool->app)
			mine++;
	for (size_t i = 0; i < r->nfns; i++) {
		const struct rt_wire_function *f = &r->fns[i];
		const struct bind_function *fn = bind_registry_find(w->reg, f->name);
		if (!fn && filtered_out(w->reg, f->name))
			continue;
		if (!fn || fn->app != pool->app || (int)f->kind != (int)fn->kind ||
		    !same_str(f->route, fn->route) || !same_str(f->methods, fn->methods) ||
		    f->auth != (uint32_t)fn->auth) {
			*err = xasprintf("app '%s' now registers '%s' differently from the running "
					 "build (added, renamed, re-routed or of another kind): "
					 "restart the host to serve it",
					 pool->app->name, f->name);
			return -1;
		}
	}
	/* Functions filtered out by host.json "functions" are absent on our side only. */
	if (r->nfns < mine) {
		*err = xasprintf("app '%s' now registers %zu function(s) instead of %zu: restart the "
				 "host to serve it",
				 pool->app->name, r->nfns, mine);
		return -1;
	}
	return 0;
}

/* Reads the worker's HELLO and REGISTRATION: 0, or -1 with *err. */
static int await_ready(struct host_workers *w, struct wpool *pool, struct wproc *p, char **err)
{
	int64_t deadline = rt_mono_us() + READY_TIMEOUT_US;
	struct rt_arena a;
	int seen_hello = 0, rc = -1;

	rt_arena_init(&a);
	for (;;) {
		struct rt_wire_frame f;
		size_t used;
		const char *why = "no registration";
		enum host_chan_rc cr = host_chan_read(p->fd, &p->in, 1 << 20, deadline, &f, &used, &why);
		if (cr != HOST_CHAN_FRAME) {
			*err = xasprintf("the worker for app '%s' did not register: %s", pool->app->name,
					 cr == HOST_CHAN_EOF ? "it exited" :
					 cr == HOST_CHAN_TIMEOUT ? "no answer within 10 s" : why);
			break;
		}
		if (!seen_hello) {
			struct rt_wire_hello h;
			if (rt_wire_hello_decode(&f, &h, &a, &why) != 0) {
				*err = xasprintf("the worker for app '%s' sent a bad hello: %s",
						 pool->app->name, why);
				break;
			}
			seen_hello = 1;
		} else {
			struct rt_wire_registration r;
			if (rt_wire_registration_decode(&f, &r, &a, &why) != 0) {
				*err = xasprintf("the worker for app '%s' sent a bad registration: %s",
						 pool->app->name, why);
			} else if (r.error) {
				*err = xasprintf("the worker could not load app '%s': %s",
						 pool->app->name, r.error);
			} else {
				rc = same_functions(w, pool, &r, err);
			}
			rt_wire_buf_consume(&p->in, used);
			break;
		}
		rt_wire_buf_consume(&p->in, used);
	}
	rt_arena_cleanup(&a);
	return rc;
}

/* Starts one worker process for `pool` into `p` and waits until it is
 * ready: 0, or -1 with *err. Called without the lock (p is owned). */

/*
 * The environment a worker starts with: the host's. In a build under
 * AddressSanitizer, ASan would catch the worker's SIGSEGV, SIGBUS and
 * SIGFPE itself and exit with code 1, so the host could not tell which
 * signal killed the app code; the worker is told to leave them to the
 * kernel, as a normal build does (its memory checks stay on).
 */
#if defined(__SANITIZE_ADDRESS__)
static char **worker_environ(void)
{
	size_t n = 0;
	const char *old = getenv("ASAN_OPTIONS");
	while (environ[n])
		n++;
	char **env = xcalloc(n + 2, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
			env[k++] = environ[i];
	env[k++] = xasprintf("ASAN_OPTIONS=%s%shandle_segv=0:handle_sigbus=0:handle_sigfpe=0",
			     old ? old : "", old && *old ? ":" : "");
	env[k] = NULL;
	return env;
}

static void worker_environ_free(char **env)
{
	size_t k = 0;
	while (env[k] && strncmp(env[k], "ASAN_OPTIONS=", 13) != 0)
		k++;
	free(env[k]);
	free(env);
}
#else
static char **worker_environ(void)
{
	return environ;
}

static void worker_environ_free(char **env)
{
	(void)env;
}
#endif

static int spawn(struct host_workers *w, struct wpool *pool, struct wproc *p, char **err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		*err = xasprintf("cannot create a worker socket: %s", strerror(errno));
		return -1;
	}
	/* Everything the child needs is built before fork: after it, only
	 * async-signal-safe calls until exec. */
	char *argv[] = {"cfunc", "worker", "--app", pool->app->path, "--host-pid", w->host_pid,
			w->opts.verbose ? "--verbose" : NULL, NULL};
	char **envp = worker_environ();
	pid_t pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot start a worker: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* The child: its end becomes fd 3 (without CLOEXEC), nothing
		 * else of the host is kept open (client sockets, the hub). */
		if (sv[1] == WORKER_FD)
			fcntl(WORKER_FD, F_SETFD, 0);
		else if (dup2(sv[1], WORKER_FD) < 0)
			_exit(126);
		close_range(WORKER_FD + 1, ~0U, 0);
		if (chdir(w->root) != 0)
			_exit(126);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* /proc/self/exe, not the path: a host whose binary was rebuilt
		 * (unlinked and written anew) still starts workers of its own build. */
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	worker_environ_free(envp);
	close(sv[1]);
	p->pid = pid;
	p->fd = sv[0];
	p->gone = 0;
	p->in.len = 0;
	p->out.len = 0;
	if (await_ready(w, pool, p, err) != 0) {
		kill(pid, SIGKILL);
		close(p->fd);
		p->fd = -1;
		waitpid(pid, NULL, 0);
		return -1;
	}
	return 0;
}

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
 * it is not replaced). Waiters are woken to answer 503. */
static void retire_idle(struct host_workers *w, struct wpool *pool)
{
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < pool->cap; i++) {
		struct wproc *q = &pool->procs[i];
		if (q->busy || q->gone)
			continue;
		q->gone = 1;
		q->busy = 1; /* ours until reaped */
		pthread_mutex_unlock(&w->lock);
		close(q->fd);
		q->fd = -1;
		while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR)
			;
		q->pid = 0;
		pthread_mutex_lock(&w->lock);
		q->busy = 0;
	}
	pthread_cond_broadcast(&pool->idle);
	pthread_mutex_unlock(&w->lock);
}

/*
 * The worker `p` is dead or must die (timeout, protocol error): reaps it,
 * logs one line, and replaces it unless the app is crash-looping. `what`
 * is what it was running. Called by the owner, without the lock.
 */
static void bury(struct host_workers *w, struct wpool *pool, struct wproc *p, int kill_it,
		 const char *what, const char *id, char *status_out, size_t status_n)
{
	int status = 0;
	pid_t old = p->pid;
	if (kill_it)
		kill(p->pid, SIGKILL);
	close(p->fd);
	p->fd = -1;
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	describe_status(status, status_out, status_n);

	pthread_mutex_lock(&w->lock);
	w->stats.crashes++;
	int looping = note_death(pool, rt_mono_us());
	if (looping && !pool->failed) {
		pool->failed = 1;
		w->stats.failed_apps++;
	}
	int failed = pool->failed, retiring = p->retire;
	pthread_mutex_unlock(&w->lock);
	if (retiring) {
		/* A worker of the previous build: the new ones serve already. */
		p->gone = 1;
		p->pid = 0;
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' (previous build) died (%s) while running "
			 "'%s' (Id=%s)",
			 (int)old, pool->app->name, status_out, what, id ? id : "-");
		return;
	}

	if (failed) {
		p->gone = 1;
		p->pid = 0;
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' died (%s) while running '%s' (Id=%s); the app "
			 "failed: %d worker deaths within %d s, its functions answer 503 until the "
			 "host is restarted or the app is deployed again",
			 (int)old, pool->app->name, status_out, what, id ? id : "-",
			 CRASH_LOOP_FACTOR * pool->n, (int)(CRASH_WINDOW_US / 1000000));
		retire_idle(w, pool);
		return;
	}
	int64_t t0 = rt_mono_us();
	char *err = NULL;
	if (spawn(w, pool, p, &err) != 0) {
		p->gone = 1;
		p->pid = 0;
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' died (%s) while running '%s' (Id=%s); no "
			 "replacement: %s",
			 (int)old, pool->app->name, status_out, what, id ? id : "-", err);
		free(err);
		return;
	}
	int64_t took = rt_mono_us() - t0;
	pthread_mutex_lock(&w->lock);
	w->stats.replaced++;
	w->stats.last_replace_us = took;
	pthread_mutex_unlock(&w->lock);
	host_log("Host.Workers", RT_LOG_ERROR,
		 "Worker process %d of app '%s' died (%s) while running '%s' (Id=%s); replaced by "
		 "process %d in %.1f ms",
		 (int)old, pool->app->name, status_out, what, id ? id : "-", (int)p->pid,
		 (double)took / 1000.0);
}

/* ---- calls ------------------------------------------------------------------- */

static struct wpool *pool_of(struct host_workers *w, const struct bind_app *app)
{
	for (size_t i = 0; i < w->npools; i++)
		if (w->pools[i].app == app)
			return &w->pools[i];
	return NULL;
}

/*
 * An idle worker of the pool, now owned by the caller; NULL when the app
 * failed. Episodes have a worker of their own: an HTTP function waiting for
 * a commit holds its worker, and the engine thread must never wait for
 * one of those to run the episode of the batch that commits.
 */
static struct wproc *acquire(struct host_workers *w, struct wpool *pool, int episodes)
{
	struct wproc *got = NULL;
	pthread_mutex_lock(&w->lock);
	while (!pool->failed) {
		for (int i = 0; i < pool->cap && !got; i++)
			if (!pool->procs[i].busy && !pool->procs[i].gone && !pool->procs[i].retire &&
			    pool->procs[i].episodes == episodes)
				got = &pool->procs[i];
		if (got)
			break;
		pthread_cond_wait(&pool->idle, &w->lock);
	}
	if (got)
		got->busy = 1;
	pthread_mutex_unlock(&w->lock);
	return got;
}

/* Closes and reaps a worker the caller owns (busy), then frees its slot. */
static void retire_now(struct host_workers *w, struct wproc *p)
{
	if (p->fd >= 0)
		close(p->fd); /* EOF: it leaves */
	p->fd = -1;
	if (p->pid > 0)
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	pthread_mutex_lock(&w->lock);
	p->pid = 0;
	p->gone = 1;
	p->retire = 0;
	p->busy = 0;
	pthread_mutex_unlock(&w->lock);
}

static void release(struct host_workers *w, struct wpool *pool, struct wproc *p)
{
	pthread_mutex_lock(&w->lock);
	if (p->retire && !p->gone) {
		/* Of an older build: it finished its call, now it leaves. */
		pthread_mutex_unlock(&w->lock);
		retire_now(w, p);
		return;
	}
	p->busy = 0;
	p->retire = 0;
	/* Broadcast: waiters for the episode worker and for the others share
	 * the condition, and a signal could wake one that cannot use it. */
	pthread_cond_broadcast(&pool->idle);
	pthread_mutex_unlock(&w->lock);
}

/*
 * Sends p->out and waits for the reply of `type` with `id`. OK: *f is the
 * reply (in p->in, consume *used after). Otherwise the worker was buried
 * and replaced, and status describes how it ended.
 */
static enum host_workers_rc exchange(struct host_workers *w, struct wpool *pool, struct wproc *p,
				     struct bind_http *h, enum rt_wire_type type, uint64_t id,
				     const char *what, const char *inv, struct rt_wire_frame *f,
				     size_t *used, char *status, size_t status_n)
{
	int64_t deadline = w->opts.timeout_ms > 0 ? rt_mono_us() + w->opts.timeout_ms * 1000 : 0;
	const char *err = NULL;
	enum host_chan_rc cr = HOST_CHAN_EOF;
	int sent = host_chan_write(p->fd, &p->out) == 0;
	while (sent) { /* until the reply, or the worker's end */
		cr = host_chan_read(p->fd, &p->in, REPLY_MAX_FRAME, deadline, f, used, &err);
		if (cr != HOST_CHAN_FRAME)
			break;
		/* The function's durable-client calls, answered as they come. */
		if (f->type == RT_WIRE_CLIENT_CALL && h) {
			struct rt_wire_client_call m;
			if (rt_wire_client_call_decode(f, &m, h->ctx.arena, &err) != 0) {
				cr = HOST_CHAN_BROKEN;
				break;
			}
			struct rt_wire_client_reply r = {.status = 200,
							 .output = host_workers_client_call(h, &m)};
			rt_wire_buf_consume(&p->in, *used);
			if (rt_wire_client_reply_encode(&p->out, f->id, &r) != 0 ||
			    host_chan_write(p->fd, &p->out) != 0) {
				cr = HOST_CHAN_EOF; /* the worker is gone */
				break;
			}
			continue;
		}
		if (f->type != type || f->id != id)
			cr = HOST_CHAN_BROKEN; /* a worker that answers out of turn is broken */
		break;
	}
	if (cr == HOST_CHAN_FRAME)
		return HOST_WORKERS_OK;
	if (cr == HOST_CHAN_TIMEOUT) {
		bury(w, pool, p, 1, what, inv, status, status_n);
		return HOST_WORKERS_TIMEOUT;
	}
	if (cr == HOST_CHAN_BROKEN)
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' broke the protocol while running '%s': %s",
			 (int)p->pid, pool->app->name, what, err ? err : "unexpected frame");
	bury(w, pool, p, cr == HOST_CHAN_BROKEN, what, inv, status, status_n);
	return HOST_WORKERS_CRASHED;
}

static uint64_t next_id(struct host_workers *w)
{
	return __atomic_add_fetch(&w->next_id, 1, __ATOMIC_RELAXED);
}

static void set_error_body(struct bind_http *h, int status, const char *json)
{
	h->status = status;
	h->nresp = 0;
	bind_http_add_header((cf_http *)h, "Content-Type", "application/json; charset=utf-8");
	bind_http_set_body((cf_http *)h, json, strlen(json));
}

enum host_workers_rc host_workers_http(struct host_workers *w, const struct bind_function *fn,
				       struct bind_http *h, const char *invocation_id,
				       const char **why)
{
	struct rt_arena *a = h->ctx.arena;
	struct wpool *pool = pool_of(w, fn->app);
	struct wproc *p = pool ? acquire(w, pool, 0) : NULL;
	if (!p) {
		*why = rt_arena_fmt(a, "app '%s' failed: its workers kept crashing", fn->app->name);
		set_error_body(h, 503,
			       rt_arena_fmt(a, "{\"error\":\"The app '%s' is not running: its worker "
					       "processes kept crashing. Fix it and deploy it again.\","
					       "\"function\":\"%s\"}",
					    fn->app->name, fn->name));
		return HOST_WORKERS_APP_FAILED;
	}
	struct rt_wire_kv *hdrs = rt_arena_alloc(a, (h->nheaders + 1) * sizeof(*hdrs));
	struct rt_wire_kv *params = rt_arena_alloc(a, (h->nparams + 1) * sizeof(*params));
	for (size_t i = 0; i < h->nheaders; i++)
		hdrs[i] = (struct rt_wire_kv){h->headers[i].name, h->headers[i].value};
	for (size_t i = 0; i < h->nparams; i++)
		params[i] = (struct rt_wire_kv){h->params[i].name, h->params[i].value};
	struct rt_wire_http_request req = {
		.name = fn->name, .invocation = invocation_id, .method = h->method, .url = h->url,
		.base_url = h->base_url, .path = h->path, .query = h->raw_query, .headers = hdrs,
		.nheaders = h->nheaders, .params = params, .nparams = h->nparams,
		.body = {h->body ? h->body : "", h->body_len},
	};
	uint64_t id = next_id(w);
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	enum host_workers_rc rc = HOST_WORKERS_OK;
	if (rt_wire_http_request_encode(&p->out, id, &req) != 0) {
		release(w, pool, p);
		*why = "request too large for a worker";
		set_error_body(h, 413, "{\"error\":\"The request is too large.\"}");
		return HOST_WORKERS_CRASHED;
	}
	rc = exchange(w, pool, p, h, RT_WIRE_HTTP_RESPONSE, id, fn->name, invocation_id, &f, &used,
		      status, sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_http_response res;
		const char *err = NULL;
		if (rt_wire_http_response_decode(&f, &res, a, &err) != 0) {
			rt_wire_buf_consume(&p->in, used);
			host_log("Host.Workers", RT_LOG_ERROR,
				 "Worker process %d of app '%s' sent a bad response for '%s': %s",
				 (int)p->pid, pool->app->name, fn->name, err);
			bury(w, pool, p, 1, fn->name, invocation_id, status, sizeof(status));
			release(w, pool, p);
			*why = rt_arena_fmt(a, "bad response from the worker: %s", err);
			set_error_body(h, 500, "{\"error\":\"The worker sent a malformed response.\"}");
			return HOST_WORKERS_CRASHED;
		}
		h->status = (int)res.status;
		h->nresp = 0;
		for (size_t i = 0; i < res.nheaders; i++)
			bind_http_add_header((cf_http *)h, res.headers[i].name, res.headers[i].value);
		bind_http_set_body((cf_http *)h, res.body.data, res.body.len);
		if (res.failed)
			h->ctx.last_error = res.error ? res.error : "The function failed.";
		rt_wire_buf_consume(&p->in, used);
		release(w, pool, p);
		return res.failed ? HOST_WORKERS_FAILED : HOST_WORKERS_OK;
	}
	release(w, pool, p);
	if (rc == HOST_WORKERS_TIMEOUT) {
		*why = rt_arena_fmt(a, "Timeout value of %lld ms was exceeded by function: Functions.%s",
				    (long long)w->opts.timeout_ms, fn->name);
		set_error_body(h, 500,
			       rt_arena_fmt(a, "{\"error\":\"Timeout value of %lld ms was exceeded by "
					       "function: Functions.%s\",\"function\":\"%s\"}",
					    (long long)w->opts.timeout_ms, fn->name, fn->name));
	} else {
		*why = rt_arena_fmt(a, "the worker process running it died (%s)", status);
		set_error_body(h, 500,
			       rt_arena_fmt(a, "{\"error\":\"The function '%s' ended its worker "
					       "process (%s).\",\"function\":\"%s\",\"signal\":\"%s\","
					       "\"invocationId\":\"%s\"}",
					    fn->name, status, fn->name, status, invocation_id));
	}
	return rc;
}

void host_workers_activity(void *ctx, void *fnp, const struct rt_activity_call *call,
			   struct rt_activity_result *res)
{
	struct host_workers *w = ctx;
	const struct bind_function *fn = fnp;
	struct rt_arena *a = call->arena;
	struct wpool *pool = pool_of(w, fn->app);
	struct wproc *p = pool ? acquire(w, pool, 0) : NULL;
	res->failed = 1;
	if (!p) {
		res->message = rt_arena_fmt(a, "The app '%s' is not running: its worker processes "
					       "kept crashing.", fn->app->name);
		return;
	}
	struct rt_wire_activity_request req = {
		.name = fn->name, .instance = call->instance_id, .execution = call->execution_id,
		.input = call->input, .key = call->idempotency_key, .task = call->task_id,
		.attempt = call->attempt,
	};
	uint64_t id = next_id(w);
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	if (rt_wire_activity_request_encode(&p->out, id, &req) != 0) {
		release(w, pool, p);
		res->message = "The activity input is too large for a worker.";
		return;
	}
	char *what = rt_arena_fmt(a, "%s (instance %s)", fn->name, call->instance_id);
	enum host_workers_rc rc = exchange(w, pool, p, NULL, RT_WIRE_ACTIVITY_RESULT, id, what,
					   call->idempotency_key, &f, &used, status, sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_activity_result r;
		const char *err = NULL;
		if (rt_wire_activity_result_decode(&f, &r, a, &err) != 0) {
			rt_wire_buf_consume(&p->in, used);
			bury(w, pool, p, 1, what, call->idempotency_key, status, sizeof(status));
			release(w, pool, p);
			res->message = rt_arena_fmt(a, "The worker sent a malformed result: %s", err);
			return;
		}
		rt_wire_buf_consume(&p->in, used);
		release(w, pool, p);
		res->failed = (int)r.failed;
		res->result = r.output;
		res->message = r.error;
		return;
	}
	release(w, pool, p);
	if (rc == HOST_WORKERS_TIMEOUT)
		res->message = rt_arena_fmt(a, "Timeout value of %lld ms was exceeded by function: "
					       "Functions.%s",
					    (long long)w->opts.timeout_ms, fn->name);
	else
		res->message = rt_arena_fmt(a, "The activity ended its worker process (%s).", status);
}

/* ---- episodes ---------------------------------------------------------------------- */

#define EPISODE_CRASH_LIMIT 3
#define CRASH_POINTS 64

/* Where an instance's episodes died: the same instance at the same history
 * length is the same point. A small ring: a crash-looping instance stays in
 * it, old ones fall out. (lock held) */
struct crash_point {
	char instance[160];
	size_t n_past;
	int count;
};
static struct crash_point crash_points[CRASH_POINTS];
static int crash_point_next;

static int count_crash(const char *instance, size_t n_past)
{
	for (int i = 0; i < CRASH_POINTS; i++) {
		struct crash_point *c = &crash_points[i];
		if (c->count && c->n_past == n_past && strcmp(c->instance, instance) == 0)
			return ++c->count;
	}
	struct crash_point *c = &crash_points[crash_point_next];
	crash_point_next = (crash_point_next + 1) % CRASH_POINTS;
	snprintf(c->instance, sizeof(c->instance), "%s", instance);
	c->n_past = n_past;
	c->count = 1;
	return 1;
}

int host_workers_episode(struct host_workers *w, const struct bind_function *fn,
			 const struct rt_episode_in *in, struct rt_episode_out *out)
{
	struct rt_arena *a = in->arena;
	struct wpool *pool = pool_of(w, fn->app);
	memset(out, 0, sizeof(*out));
	struct wproc *p = pool ? acquire(w, pool, 1) : NULL;
	if (!p) {
		out->error = rt_arena_fmt(a, "the app '%s' is not running: its worker processes "
					     "kept crashing", fn->app->name);
		return -1;
	}
	uint64_t id = next_id(w);
	if (host_episode_request(&p->out, id, in) != 0) {
		release(w, pool, p);
		out->error = "the episode's history is too large for a worker";
		return -1;
	}
	char *what = rt_arena_fmt(a, "%s (instance %s)", fn->name, in->instance_id);
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	enum host_workers_rc rc = exchange(w, pool, p, NULL, RT_WIRE_ORCH_RESULT, id, what,
					   in->instance_id, &f, &used, status, sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_orch_result m;
		const char *err = NULL;
		int bad = rt_wire_orch_result_decode(&f, &m, a, &err) != 0 ||
			  host_episode_result(&m, out, a, &err) != 0;
		rt_wire_buf_consume(&p->in, used);
		if (bad) {
			bury(w, pool, p, 1, what, in->instance_id, status, sizeof(status));
			release(w, pool, p);
			out->error = rt_arena_fmt(a, "the worker sent a malformed episode result: %s", err);
			return -2;
		}
		release(w, pool, p);
		return out->error ? -1 : 0;
	}
	release(w, pool, p);
	pthread_mutex_lock(&w->lock);
	int n = count_crash(in->instance_id, in->n_past);
	pthread_mutex_unlock(&w->lock);
	const char *how = rc == HOST_WORKERS_TIMEOUT ? "ran past functionTimeout" : status;
	if (n >= EPISODE_CRASH_LIMIT) {
		out->error = rt_arena_fmt(a, "the orchestrator '%s' ended its worker process (%s) %d "
					     "times at the same point of its history",
					  fn->name, how, n);
		return -1;
	}
	out->error = rt_arena_fmt(a, "the orchestrator '%s' ended its worker process (%s)", fn->name,
				  how);
	return -2;
}

/* ---- deploy without restart -------------------------------------------------- */

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
	pthread_mutex_unlock(&w->lock);

	int64_t t0 = rt_mono_us();
	for (int i = 0; i < nfresh; i++)
		pool->procs[fresh[i]].episodes = i == 0;
	for (int i = 0; i < nfresh; i++) {
		if (spawn(w, pool, &pool->procs[fresh[i]], &err) == 0)
			continue;
		for (int j = 0; j < i; j++)
			retire_now(w, &pool->procs[fresh[j]]);
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
		retire_now(w, idle_old[i]);
	/* Shown at every level, as func shows a detected file change. */
	host_log_always("Deployed app '%s' again: %d worker(s) of the new build ready in %.1f ms; "
			"the previous ones finish what they run",
			pool->app->name, nfresh, (double)(rt_mono_us() - t0) / 1000.0);
}

static void *reloader_main(void *arg)
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

/* ---- life cycle ------------------------------------------------------------------ */

struct host_workers *host_workers_start(const struct bind_registry *reg,
					const struct host_workers_opts *opts, char **err)
{
	struct host_workers *w = xcalloc(1, sizeof(*w));
	w->opts = *opts;
	if (w->opts.per_app < 1)
		w->opts.per_app = 1;
	w->root = xstrdup(opts->root);
	w->reg = reg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->reload_cond, NULL);
	snprintf(w->host_pid, sizeof(w->host_pid), "%ld", (long)getpid());
	if (access("/proc/self/exe", X_OK) != 0) {
		*err = xasprintf("cannot start workers: /proc/self/exe: %s", strerror(errno));
		host_workers_stop(w);
		return NULL;
	}
	w->pools = xcalloc(reg->napps ? reg->napps : 1, sizeof(*w->pools));
	for (size_t i = 0; i < reg->napps; i++) {
		struct wpool *pool = &w->pools[w->npools++];
		pool->app = reg->apps[i];
		pool->n = w->opts.per_app + 1; /* + the episode worker */
		pool->cap = 2 * pool->n;
		pool->procs = xcalloc((size_t)pool->cap, sizeof(*pool->procs));
		pool->deaths = xcalloc((size_t)(CRASH_LOOP_FACTOR * pool->n), sizeof(*pool->deaths));
		pthread_cond_init(&pool->idle, NULL);
		for (int j = 0; j < pool->cap; j++) {
			struct wproc *p = &pool->procs[j];
			p->fd = -1;
			p->gone = 1;
			rt_wire_buf_init(&p->in);
			rt_wire_buf_init(&p->out);
		}
		pool->procs[0].episodes = 1;
		for (int j = 0; j < pool->n; j++) {
			if (spawn(w, pool, &pool->procs[j], err) != 0) {
				host_workers_stop(w);
				return NULL;
			}
		}
	}
	w->reloader_on = pthread_create(&w->reloader, NULL, reloader_main, w) == 0;
	return w;
}

void host_workers_stop(struct host_workers *w)
{
	if (!w)
		return;
	if (w->reloader_on) {
		pthread_mutex_lock(&w->lock);
		w->stopping = 1;
		pthread_cond_signal(&w->reload_cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->reloader, NULL);
	}
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
			rt_wire_buf_cleanup(&p->in);
			rt_wire_buf_cleanup(&p->out);
		}
		pthread_cond_destroy(&pool->idle);
		free(pool->procs);
		free(pool->deaths);
	}
	free(w->pools);
	pthread_cond_destroy(&w->reload_cond);
	pthread_mutex_destroy(&w->lock);
	free(w->root);
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
	struct wpool *pool = pool_of(w, app);
	pthread_mutex_lock(&w->lock);
	int failed = pool && pool->failed;
	pthread_mutex_unlock(&w->lock);
	return failed;
}
