/*
 * episode_calls.c - orchestrator episodes in an app's episode worker
 * (supervisor.h, host_workers_episode_batch).
 *
 * The episodes of one engine batch cross in one write (one ORCH_REQUEST
 * frame each) and their results are read as they come, every complete one
 * taken per wake-up. A worker answers in the order it was asked, so when it
 * dies the first episode without an answer is the one it was running: the
 * culprit. The results answered before it stand (a replay is pure, and
 * the engine already wrote them); those not answered yet are sent again to
 * the replacement, and the culprit is not run again in this call (it gets
 * -2: the engine commits nothing of it and tries again later). From then on
 * the culprit is a suspect: it runs alone, after the rest of its batch,
 * until it gets past the point where it died; after EPISODE_CRASH_LIMIT
 * deaths at the same point it fails.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "host/log.h"
#include "host/worker/channel.h"
#include "host/worker/episode.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define EPISODE_CRASH_LIMIT 3
#define CRASH_POINTS 64

/* Where an instance's episodes died: the same instance at the same history
 * length is the same point. A small ring: a crash-looping instance stays in
 * it, old ones fall out. (w->lock held) */
struct crash_point {
	char instance[160];
	size_t n_past;
	int count;
};
static struct crash_point crash_points[CRASH_POINTS];
static int crash_point_next;

static struct crash_point *crash_point_find(const char *instance, size_t n_past)
{
	for (int i = 0; i < CRASH_POINTS; i++) {
		struct crash_point *c = &crash_points[i];
		if (c->count && c->n_past == n_past && strcmp(c->instance, instance) == 0)
			return c;
	}
	return NULL;
}

static int count_crash(const char *instance, size_t n_past)
{
	struct crash_point *c = crash_point_find(instance, n_past);
	if (c)
		return ++c->count;
	c = &crash_points[crash_point_next];
	crash_point_next = (crash_point_next + 1) % CRASH_POINTS;
	snprintf(c->instance, sizeof(c->instance), "%s", instance);
	c->n_past = n_past;
	c->count = 1;
	return 1;
}

/* An episode that ended a worker at this very point before runs alone. */
static int is_suspect(struct host_workers *w, const struct rt_episode_in *in)
{
	pthread_mutex_lock(&w->lock);
	int yes = crash_point_find(in->instance_id, in->n_past) != NULL;
	pthread_mutex_unlock(&w->lock);
	return yes;
}

/* Stands in for the orchestrator's code, which no process has while its
 * app is down; an episode that terminates the instance never calls it. */
static int no_code(void *fn, struct rt_orch *o)
{
	(void)fn;
	return rt_orch_fail(o, "the app is not running");
}

/*
 * The app crash-looped, so no worker runs its code: a terminate needs none
 * of it and is replayed here, in the host; anything else is not run (-2)
 * and waits, since the engine asks host_workers_app_failed (can_run) before
 * it tries again.
 */
static int episode_without_app(const struct bind_function *fn, const struct rt_episode_in *in,
			       struct rt_episode_out *out)
{
	for (size_t i = 0; i < in->n_msgs; i++) {
		if (in->msgs[i].type != RT_EV_EXECUTION_TERMINATED)
			continue;
		struct rt_episode_in here = *in;
		here.run = no_code;
		return rt_replay_run(&here, out);
	}
	out->error = rt_arena_fmt(in->arena, "the app '%s' is not running: its worker processes "
					     "kept crashing; the episode waits for it",
				  fn->app->name);
	return -2;
}

static struct wcall call_of(struct rt_arena *a, const struct bind_function *fn,
			    const struct rt_episode_in *in)
{
	return (struct wcall){.kind = HOST_CALL_EPISODE, .function = fn->name,
			      .what = rt_arena_fmt(a, "%s (instance %s)", fn->name, in->instance_id),
			      .id = in->instance_id, .instance = in->instance_id};
}

/* What the culprit of a dead worker gets: -2 (run again later), or -1
 * once it ended workers EPISODE_CRASH_LIMIT times at this point. */
static int culprit_outcome(struct host_workers *w, const struct bind_function *fn,
			   const struct rt_episode_in *in, struct rt_episode_out *out,
			   enum host_chan_rc cr, const char *status, const char *broken)
{
	pthread_mutex_lock(&w->lock);
	int n = count_crash(in->instance_id, in->n_past);
	pthread_mutex_unlock(&w->lock);
	memset(out, 0, sizeof(*out));
	const char *how = cr == HOST_CHAN_TIMEOUT ? "ran past functionTimeout" : status;
	if (n >= EPISODE_CRASH_LIMIT) {
		out->error = rt_arena_fmt(in->arena, "the orchestrator '%s' ended its worker process "
						     "(%s) %d times at the same point of its history",
					  fn->name, how, n);
		return -1;
	}
	out->error = broken ? rt_arena_fmt(in->arena, "the worker sent a malformed episode "
						     "result: %s", broken)
			    : rt_arena_fmt(in->arena, "the orchestrator '%s' ended its worker "
						     "process (%s)", fn->name, how);
	return -2;
}

/*
 * Runs episodes idx[0..k) of the batch in the pool's episode worker: all
 * requests in one write, then the results in order. When the worker dies,
 * the culprit gets culprit_outcome and the rest go again, until every one
 * has an outcome (each round takes at least the culprit out).
 */
static void run_group(struct host_workers *w, struct wpool *pool, struct rt_arena *a,
		      size_t *idx, size_t k, void *const *fns, const struct rt_episode_in *const *ins,
		      struct rt_episode_out *outs, int *rcs, void (*done)(void *arg, size_t i),
		      void *arg)
{
	int64_t rcv_timeout_us = w->opts.timeout_ms > 0 ? w->opts.timeout_ms * 1000 : 0;
	while (k > 0) {
		struct wcall c = call_of(a, fns[idx[0]], ins[idx[0]]);
		struct wproc *p = wpool_acquire(w, pool, 1, &c);
		if (!p) {
			for (size_t j = 0; j < k; j++) {
				rcs[idx[j]] = episode_without_app(fns[idx[j]], ins[idx[j]], &outs[idx[j]]);
				done(arg, idx[j]);
			}
			return;
		}
		/* Requests too large for a frame fail alone; the rest are sent. */
		uint64_t *ids = rt_arena_calloc(a, k * sizeof(*ids));
		uint64_t first = __atomic_add_fetch(&w->next_id, k, __ATOMIC_RELAXED) - k + 1;
		size_t nsent = 0, kept = 0;
		for (size_t j = 0; j < k; j++) {
			size_t before = p->out.len;
			memset(&outs[idx[j]], 0, sizeof(outs[idx[j]]));
			if (host_episode_request(&p->out, first + j, ins[idx[j]]) != 0) {
				p->out.len = before;
				outs[idx[j]].error = "the episode's history is too large for a worker";
				rcs[idx[j]] = -1;
				done(arg, idx[j]);
				continue;
			}
			ids[kept] = first + j;
			idx[kept++] = idx[j];
			nsent++;
		}
		k = kept;
		if (nsent == 0) {
			wpool_release(w, pool, p);
			return;
		}
		enum host_chan_rc cr = host_chan_write_draining(p->fd, &p->out, &p->in) == 0
					       ? HOST_CHAN_FRAME : HOST_CHAN_EOF;
		const char *err = NULL, *broken = NULL;
		size_t j = 0;
		for (; j < k && cr == HOST_CHAN_FRAME; j++) {
			int64_t deadline = rcv_timeout_us ? rt_mono_us() + rcv_timeout_us : 0;
			struct rt_wire_frame f;
			size_t used = 0;
			cr = host_chan_read_timed(p->fd, &p->in, REPLY_MAX_FRAME, deadline,
						  rcv_timeout_us, &f, &used, &err);
			if (cr != HOST_CHAN_FRAME)
				break;
			if (f.type != RT_WIRE_ORCH_RESULT || f.id != ids[j]) {
				cr = HOST_CHAN_BROKEN; /* a worker that answers out of turn is broken */
				err = "unexpected frame";
				break;
			}
			struct rt_wire_orch_result m;
			struct rt_episode_out *out = &outs[idx[j]];
			struct rt_arena *oa = ins[idx[j]]->arena;
			int bad = rt_wire_orch_result_decode(&f, &m, oa, &err) != 0 ||
				  host_episode_result(&m, out, oa, &err) != 0;
			rt_wire_buf_consume(&p->in, used);
			if (bad) {
				cr = HOST_CHAN_BROKEN;
				broken = err;
				break;
			}
			rcs[idx[j]] = out->error ? -1 : 0;
			done(arg, idx[j]);
		}
		if (cr == HOST_CHAN_FRAME) {
			wpool_release(w, pool, p);
			return;
		}
		/* It died (or was killed) while running idx[j]. */
		size_t culprit = idx[j];
		char status[64];
		c = call_of(a, fns[culprit], ins[culprit]);
		if (cr == HOST_CHAN_BROKEN)
			host_log("Host.Workers", RT_LOG_ERROR,
				 "Worker process %d of app '%s' broke the protocol while running '%s': %s",
				 (int)p->pid, pool->app->name, c.what, err ? err : "unexpected frame");
		wpool_bury(w, pool, p,
			   cr == HOST_CHAN_TIMEOUT ? WDEATH_TIMEOUT
			   : cr == HOST_CHAN_BROKEN ? WDEATH_BROKEN : WDEATH_DIED,
			   &c, status, sizeof(status));
		/* The engine thread buffers its lines until it idles; a crash is
		 * worth seeing now, while the culprit is retried. */
		host_log_flush();
		wpool_release(w, pool, p);
		rcs[culprit] = culprit_outcome(w, fns[culprit], ins[culprit], &outs[culprit], cr,
					       status, broken);
		done(arg, culprit);
		/* Those not answered yet go again. */
		memmove(&idx[0], &idx[j + 1], (k - j - 1) * sizeof(*idx));
		k -= j + 1;
	}
}

void host_workers_episode_batch(struct host_workers *w, size_t n, void *const *fns,
				const struct rt_episode_in *const *ins,
				struct rt_episode_out *outs, int *rcs,
				void (*done)(void *arg, size_t i), void *arg)
{
	if (n == 0)
		return;
	/* The call's own bookkeeping: an episode's arena may be freed once
	 * done() reported it (the replay thread's episodes each have one). */
	struct rt_arena own, *a = &own;
	rt_arena_init(a);
	size_t *idx = rt_arena_alloc(a, n * sizeof(*idx));
	char *taken = rt_arena_calloc(a, n);
	for (size_t i = 0; i < n; i++) {
		memset(&outs[i], 0, sizeof(outs[i]));
		rcs[i] = -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (taken[i])
			continue;
		const struct bind_app *app = ((const struct bind_function *)fns[i])->app;
		struct wpool *pool = wpool_of(w, app);
		if (!pool) {
			outs[i].error = rt_arena_fmt(ins[i]->arena, "the app '%s' has no worker processes",
						     app->name);
			taken[i] = 1;
			done(arg, i);
			continue;
		}
		/* This app's episodes that are not suspects together, in order; */
		size_t k = 0;
		for (size_t j = i; j < n; j++)
			if (!taken[j] && ((const struct bind_function *)fns[j])->app == app &&
			    !is_suspect(w, ins[j])) {
				idx[k++] = j;
				taken[j] = 1;
			}
		run_group(w, pool, a, idx, k, fns, ins, outs, rcs, done, arg);
		/* then each suspect alone, so that its crash costs no other. */
		for (size_t j = i; j < n; j++)
			if (!taken[j] && ((const struct bind_function *)fns[j])->app == app) {
				idx[0] = j;
				taken[j] = 1;
				run_group(w, pool, a, idx, 1, fns, ins, outs, rcs, done, arg);
			}
	}
	rt_arena_cleanup(a);
}

static void no_op_done(void *arg, size_t i)
{
	(void)arg;
	(void)i;
}

int host_workers_episode(struct host_workers *w, const struct bind_function *fn,
			 const struct rt_episode_in *in, struct rt_episode_out *out)
{
	void *fns[1] = {(void *)fn};
	const struct rt_episode_in *ins[1] = {in};
	int rc;
	host_workers_episode_batch(w, 1, fns, ins, out, &rc, no_op_done, NULL);
	return rc;
}
