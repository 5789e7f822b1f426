/*
 * spawn.c - starting one worker process (pool.h): fork + exec of the host's
 * own binary in the script root, with one end of a socketpair as fd 3, then
 * its HELLO and REGISTRATION: handed back (the first worker of an app or of
 * a new build) or checked against what the pool serves (a replacement).
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "common/xalloc.h"
#include "host/worker/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* A process's end as the console and the crash ring name it. Here, with the
 * spawning, so that the pool (which calls wproc_spawn) needs no call back. */
void wproc_status_text(int status, char *out, size_t n)
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

static const struct rt_wire_function *find_fn(const struct rt_wire_registration *r,
					      const char *name)
{
	for (size_t i = 0; i < r->nfns; i++)
		if (strcasecmp(r->fns[i].name, name) == 0)
			return &r->fns[i];
	return NULL;
}

/* The same function registered the same way (kind, route, methods, auth,
 * schedule, flags); names are compared by the caller. */
static int same_function(const struct rt_wire_function *a, const struct rt_wire_function *b)
{
	return a->kind == b->kind && same_str(a->route, b->route) &&
	       same_str(a->methods, b->methods) && a->auth == b->auth &&
	       same_str(a->schedule, b->schedule) && a->flags == b->flags;
}

/*
 * A worker that replaces another of the same build must register what the
 * pool serves (a file changed but not deployed yet, --no-watch, is the
 * deploy's business, not a replacement's). 0 or -1 with *err.
 */
int wreg_same_functions(const struct wpool *pool, const struct rt_wire_registration *want,
			const struct rt_wire_registration *r, char **err)
{
	for (size_t i = 0; i < r->nfns; i++) {
		const struct rt_wire_function *f = &r->fns[i];
		const struct rt_wire_function *old = find_fn(want, f->name);
		if (!old || !same_function(f, old)) {
			*err = xasprintf("app '%s' now registers '%s' differently from the running "
					 "build (added, renamed, re-routed or of another kind): "
					 "deploy it again to serve it",
					 pool->app->name, f->name);
			return -1;
		}
	}
	if (r->nfns != want->nfns) {
		*err = xasprintf("app '%s' now registers %zu function(s) instead of %zu: deploy it "
				 "again to serve it",
				 pool->app->name, r->nfns, want->nfns);
		return -1;
	}
	return 0;
}

/* Reads the worker's HELLO and REGISTRATION: 0, 1 when the app did not
 * load in it (*err is its reason), or -1 with *err; *ended when the
 * worker closed its end (it exited or died) before registering. */
static int await_ready(struct host_workers *w, struct wpool *pool, struct wproc *p,
		       const struct wspawn *how, int *ended, char **err)
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
			*ended = cr == HOST_CHAN_EOF;
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
			struct rt_arena *keep = how->got ? how->arena : &a;
			if (rt_wire_registration_decode(&f, &r, keep, &why) != 0) {
				*err = xasprintf("the worker for app '%s' sent a bad registration: %s",
						 pool->app->name, why);
			} else if (r.error && how->first) {
				*err = xstrdup(r.error);
				rc = 1;
			} else if (r.error) {
				*err = xasprintf("the worker could not load app '%s': %s",
						 pool->app->name, r.error);
			} else if (how->want) {
				rc = wreg_same_functions(pool, how->want, &r, err);
			} else if (how->same_as_pool) {
				pthread_mutex_lock(&w->lock);
				rc = wreg_same_functions(pool, &pool->reg, &r, err);
				pthread_mutex_unlock(&w->lock);
			} else {
				rc = 0;
			}
			if (rc == 0 && how->got)
				*how->got = r;
			rt_wire_buf_consume(&p->in, used);
			break;
		}
		rt_wire_buf_consume(&p->in, used);
	}
	rt_arena_cleanup(&a);
	return rc;
}

/* Starts one worker process for `pool` into `p` and waits until it is
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

/* The slot's process is now `pid` (0: none, the start failed), in `phase`;
 * under the lock, as the snapshot reads these. */
static void set_started(struct host_workers *w, struct wproc *p, pid_t pid, enum wproc_phase phase)
{
	pthread_mutex_lock(&w->lock);
	p->pid = pid;
	p->gone = pid == 0 ? p->gone : 0;
	p->phase = phase;
	p->started_us = rt_now_us();
	p->served = 0;
	p->in_call = 0;
	pthread_mutex_unlock(&w->lock);
}

int wproc_launch(struct host_workers *w, const char *app_path, struct wproc *p, char **err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		*err = xasprintf("cannot create a worker socket: %s", strerror(errno));
		return -1;
	}
	/* Everything the child needs is built before fork: after it, only
	 * async-signal-safe calls until exec. */
	char *argv[] = {"cfunc", "worker", "--app", (char *)app_path, "--host-pid", w->host_pid,
			w->opts.verbose ? "--verbose" : NULL, NULL};
	char **envp = worker_environ();
	pthread_mutex_lock(&w->lock);
	p->phase = WPROC_STARTING;
	pthread_mutex_unlock(&w->lock);
	pid_t pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot start a worker: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		worker_environ_free(envp);
		set_started(w, p, 0, WPROC_UP);
		return -1;
	}
	if (pid == 0) {
		/* The child: its end becomes fd 3 (without CLOEXEC), nothing
		 * else of the host is kept open (client sockets, the hub). */
		if (sv[1] == WORKER_FD)
			fcntl(WORKER_FD, F_SETFD, 0);
		else if (dup2(sv[1], WORKER_FD) < 0)
			_exit(126);
		/* The binary stays open, next to it, until the exec (exe_fd
		 * is 10 or above, never fd 3 or 4). */
		if (dup3(w->exe_fd, WORKER_FD + 1, O_CLOEXEC) < 0)
			_exit(126);
		close_range(WORKER_FD + 2, ~0U, 0);
		if (chdir(w->root) != 0)
			_exit(126);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fexecve(WORKER_FD + 1, argv, envp);
		static const char why[] =
			"cfunc: cannot start a worker process (exec of the host's own binary "
			"failed); run cfunc start --in-process\n";
		ssize_t said = write(STDERR_FILENO, why, sizeof(why) - 1);
		(void)said;
		_exit(127);
	}
	worker_environ_free(envp);
	close(sv[1]);
	set_started(w, p, pid, WPROC_STARTING);
	p->fd = sv[0];
	p->in.len = 0;
	p->out.len = 0;
	return 0;
}

int wproc_await(struct host_workers *w, struct wpool *pool, struct wproc *p,
		const struct wspawn *how, char **err)
{
	pid_t pid = p->pid;
	int ended = 0, status = 0;
	int ready = await_ready(w, pool, p, how, &ended, err);
	if (ready != 0) {
		/* A process that closed its end is already exiting: the kill
		 * leaves the status it ends with as it is. */
		kill(pid, SIGKILL);
		close(p->fd);
		p->fd = -1;
		waitpid(pid, &status, 0);
		set_started(w, p, 0, WPROC_UP);
		if (ended && how->first) {
			/* The app's own code ended the process while it loaded
			 * (its init crashed, or called exit): that app is refused,
			 * the others go on, as for any app that does not load. */
			char what[HOST_WORKER_STATUS_MAX];
			wproc_status_text(status, what, sizeof(what));
			free(*err);
			*err = xasprintf("Refusing app '%s' (%s): its worker process ended while "
					 "loading it (%s)",
					 pool->app->name, pool->app->path, what);
			ready = 1;
		}
		return ready;
	}
	/* Calls wait for replies by a blocking read that ends by itself at
	 * functionTimeout (host_chan_read_timed): no poll per reply. */
	if (w->opts.timeout_ms > 0)
		host_chan_set_read_timeout(p->fd, w->opts.timeout_ms * 1000);
	pthread_mutex_lock(&w->lock);
	p->phase = WPROC_UP;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int wproc_spawn(struct host_workers *w, struct wpool *pool, struct wproc *p,
		const struct wspawn *how, char **err)
{
	if (wproc_launch(w, pool->app->path, p, err) != 0)
		return -1;
	return wproc_await(w, pool, p, how, err);
}
