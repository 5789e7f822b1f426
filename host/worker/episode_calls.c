/*
 * episode_calls.c - orchestrator episodes in an app's episode workers
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
 *
 * Each worker process keeps the pasts it was sent (history_cache.h), and
 * the host's record of that (history_held.h, per process) lets a request
 * leave out the events the process holds. When the process answers that
 * it does not hold them (evicted), the episode goes again at once with
 * its whole past, in the same call (wpool_call_batch's "again").
 */
#include "host/worker/pool.h"

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

/* One host_workers_episode_batch call, for wpool_call_batch. */
struct episode_batch {
	struct host_workers *w;
	struct rt_arena *a; /* the call's own */
	void *const *fns;
	const struct rt_episode_in *const *ins;
	struct rt_episode_out *outs;
	int *rcs;
	void (*done)(void *arg, size_t i);
	void *arg;
	struct history_held *held; /* of the worker the requests go to (bind) */
	char *whole;               /* [i] 1: send the whole past (the worker lacked it) */
};

/* One more in a stats counter (host_workers_stats). */
static void count(struct host_workers *w, long *field)
{
	pthread_mutex_lock(&w->lock);
	(*field)++;
	pthread_mutex_unlock(&w->lock);
}

static void episode_bind(void *ctx, struct wproc *p)
{
	struct episode_batch *eb = ctx;
	eb->held = history_held_of(&p->held, p->pid, p->started_us);
}

static struct wcall episode_call_of(void *ctx, size_t i)
{
	struct episode_batch *eb = ctx;
	return call_of(eb->a, eb->fns[i], eb->ins[i]);
}

static int episode_encode(void *ctx, size_t i, struct rt_wire_buf *out, uint64_t id)
{
	struct episode_batch *eb = ctx;
	const struct rt_episode_in *in = eb->ins[i];
	memset(&eb->outs[i], 0, sizeof(eb->outs[i]));
	size_t held = 0;
	if (!eb->whole[i] && !host_episode_may_rewrite(in))
		held = history_held_get(eb->held, in->instance_id, in->execution_id);
	if (held > in->n_past)
		held = 0; /* not a prefix of this past: cannot be used */
	int rc = host_episode_request(out, id, in, held);
	if (rc == 0)
		count(eb->w, held ? &eb->w->stats.episodes_delta : &eb->w->stats.episodes_full);
	return rc;
}

static void episode_too_large(void *ctx, size_t i)
{
	struct episode_batch *eb = ctx;
	const struct rt_episode_in *in = eb->ins[i];
	eb->outs[i].error = rt_arena_fmt(in->arena, "the episode's history (%zu past events, %zu "
						    "new) does not fit the %u MiB frame limit of a "
						    "worker process",
					 in->n_past, in->n_msgs, RT_WIRE_MAX_FRAME >> 20);
	eb->rcs[i] = -1;
	eb->done(eb->arg, i);
}

static void episode_no_worker(void *ctx, size_t i)
{
	struct episode_batch *eb = ctx;
	eb->rcs[i] = episode_without_app(eb->fns[i], eb->ins[i], &eb->outs[i]);
	eb->done(eb->arg, i);
}

static int episode_reply(void *ctx, size_t i, const struct rt_wire_frame *f, const char **err)
{
	struct episode_batch *eb = ctx;
	struct rt_wire_orch_result m;
	struct rt_arena *oa = eb->ins[i]->arena;
	const struct rt_episode_in *in = eb->ins[i];
	if (rt_wire_orch_result_decode(f, &m, oa, err) != 0)
		return -1;
	if (m.resend) {
		if (eb->whole[i]) {
			*err = "asked again for a past it was sent whole";
			return -1;
		}
		history_held_set(eb->held, in->instance_id, in->execution_id, 0);
		eb->whole[i] = 1;
		count(eb->w, &eb->w->stats.episodes_resent);
		return 1;
	}
	if (host_episode_result(&m, &eb->outs[i], oa, err) != 0)
		return -1;
	history_held_set(eb->held, in->instance_id, in->execution_id, m.held ? in->n_past : 0);
	eb->rcs[i] = eb->outs[i].error ? -1 : 0;
	eb->done(eb->arg, i);
	return 0;
}

/* What the culprit of a dead worker gets: -2 (run again later), or -1
 * once it ended workers EPISODE_CRASH_LIMIT times at this point. */
static void episode_lost(void *ctx, size_t i, enum host_chan_rc cr, const char *status,
			 const char *broken)
{
	struct episode_batch *eb = ctx;
	const struct bind_function *fn = eb->fns[i];
	const struct rt_episode_in *in = eb->ins[i];
	struct rt_episode_out *out = &eb->outs[i];
	pthread_mutex_lock(&eb->w->lock);
	int n = count_crash(in->instance_id, in->n_past);
	pthread_mutex_unlock(&eb->w->lock);
	memset(out, 0, sizeof(*out));
	const char *how = cr == HOST_CHAN_TIMEOUT ? "ran past functionTimeout" : status;
	if (n >= EPISODE_CRASH_LIMIT) {
		out->error = rt_arena_fmt(in->arena, "the orchestrator '%s' ended its worker process "
						     "(%s) %d times at the same point of its history",
					  fn->name, how, n);
		eb->rcs[i] = -1;
	} else {
		out->error = broken ? rt_arena_fmt(in->arena, "the worker sent a malformed episode "
							     "result: %s", broken)
				    : rt_arena_fmt(in->arena, "the orchestrator '%s' ended its worker "
							     "process (%s)", fn->name, how);
		eb->rcs[i] = -2;
	}
	eb->done(eb->arg, i);
}

/* The engine thread's batches take the first idle episode worker, the
 * replay thread's long replays (host_workers_episode) the last: neither
 * waits behind the other (pool.h). */
#define EPISODE_OPS(which)                                                      \
	{                                                                       \
		.want = (which), .reply_type = RT_WIRE_ORCH_RESULT,             \
		.call_of = episode_call_of, .bind = episode_bind,               \
		.encode = episode_encode, .too_large = episode_too_large,       \
		.no_worker = episode_no_worker, .reply = episode_reply,         \
		.lost = episode_lost,                                           \
	}
static const struct wbatch_ops episode_ops = EPISODE_OPS(WPOOL_EPISODES);
static const struct wbatch_ops replay_ops = EPISODE_OPS(WPOOL_EPISODES_LAST);

static void episode_batch(struct host_workers *w, size_t n, void *const *fns,
			  const struct rt_episode_in *const *ins, struct rt_episode_out *outs,
			  int *rcs, void (*done)(void *arg, size_t i), void *arg,
			  const struct wbatch_ops *ops)
{
	if (n == 0)
		return;
	/* The call's own bookkeeping: an episode's arena may be freed once
	 * done() reported it (the replay thread's episodes each have one). */
	struct rt_arena own, *a = &own;
	rt_arena_init(a);
	size_t *idx = rt_arena_alloc(a, n * sizeof(*idx));
	char *taken = rt_arena_calloc(a, n);
	struct episode_batch eb = {.w = w, .a = a, .fns = fns, .ins = ins, .outs = outs, .rcs = rcs,
				   .done = done, .arg = arg, .whole = rt_arena_calloc(a, n)};
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
		wpool_call_batch(w, pool, a, idx, k, ops, &eb);
		/* then each suspect alone, so that its crash costs no other. */
		for (size_t j = i; j < n; j++)
			if (!taken[j] && ((const struct bind_function *)fns[j])->app == app) {
				idx[0] = j;
				taken[j] = 1;
				wpool_call_batch(w, pool, a, idx, 1, ops, &eb);
			}
	}
	rt_arena_cleanup(a);
}

void host_workers_episode_batch(struct host_workers *w, size_t n, void *const *fns,
				const struct rt_episode_in *const *ins,
				struct rt_episode_out *outs, int *rcs,
				void (*done)(void *arg, size_t i), void *arg)
{
	episode_batch(w, n, fns, ins, outs, rcs, done, arg, &episode_ops);
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
	episode_batch(w, 1, fns, ins, out, &rc, no_op_done, NULL, &replay_ops);
	return rc;
}
