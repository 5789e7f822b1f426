/*
 * engine_activity.c - activities on the engine's side: the threads that run
 * attempts, the set of ids in flight, and the batch steps that dequeue,
 * dispatch, poison and apply them.
 *
 * The invariants are those of engine.c: an id is in e->inflight from the
 * batch that dequeued it until the batch that applied its result, and only
 * the engine thread touches the store.
 */
#include "runtime/engine.h"
#include "runtime/engine_int.h"
#include "runtime/engine_core.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "common/queue.h"
#include "common/thread_pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- in-flight activity ids: open addressing, ids are never 0 ---------- */

static size_t set_slot(const struct id_set *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 20) & (s->cap - 1);
}

static void set_grow(struct id_set *s);

void engine_idset_add(struct id_set *s, int64_t id)
{
	if ((s->n + 1) * 2 > s->cap)
		set_grow(s);
	size_t i = set_slot(s, id);
	while (s->keys[i] != 0 && s->keys[i] != id)
		i = (i + 1) & (s->cap - 1);
	if (s->keys[i] == 0) {
		s->keys[i] = id;
		s->n++;
	}
}

int engine_idset_has(const struct id_set *s, int64_t id)
{
	if (!s->cap)
		return 0;
	size_t i = set_slot(s, id);
	while (s->keys[i] != 0) {
		if (s->keys[i] == id)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	return 0;
}

void engine_idset_del(struct id_set *s, int64_t id)
{
	if (!s->cap)
		return;
	size_t i = set_slot(s, id);
	while (s->keys[i] != 0 && s->keys[i] != id)
		i = (i + 1) & (s->cap - 1);
	if (s->keys[i] == 0)
		return;
	s->keys[i] = 0;
	s->n--;
	/* Re-insert the rest of the cluster so lookups never stop early. */
	for (size_t j = (i + 1) & (s->cap - 1); s->keys[j] != 0; j = (j + 1) & (s->cap - 1)) {
		int64_t k = s->keys[j];
		s->keys[j] = 0;
		s->n--;
		engine_idset_add(s, k);
	}
}

static void set_grow(struct id_set *s)
{
	struct id_set old = *s;
	s->cap = old.cap ? old.cap * 2 : 64;
	s->keys = xcalloc(s->cap, sizeof(*s->keys));
	s->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			engine_idset_add(s, old.keys[i]);
	free(old.keys);
}


/* ---- activity threads --------------------------------------------------- */

/*
 * The threads are a common/thread_pool.h pool. The runs themselves stay on
 * e->runs under e->lock, where the batch steps and the suspect rules look
 * at them together with e->running: a pool job is only a ticket that takes
 * the oldest queued run, so a run is never both out of e->runs and not yet
 * counted as running, and a stop can drop what no thread started.
 */
struct run_ticket {
	struct rt_pool_job job; /* first */
	struct rt_engine *e;
};

/* An attempt's start (text: its input), completion (its result) or
 * failure (why) to the host, which prints the extension's line. */
static void report_activity(const struct rt_engine_hooks *h, const char *instance_id,
			    const char *name, int task_id, enum rt_durable_outcome outcome,
			    const char *text)
{
	if (!h->durable_report)
		return;
	struct rt_durable_report r = {.fn = RT_DURABLE_ACTIVITY,
				      .outcome = outcome,
				      .instance_id = instance_id,
				      .name = name,
				      .input = outcome == RT_DURABLE_STARTED ? text : NULL,
				      .output = outcome == RT_DURABLE_COMPLETED ? text : NULL,
				      .reason = outcome == RT_DURABLE_FAILED ? text : NULL,
				      .task_event_id = task_id};
	h->durable_report(h->ctx, &r);
}

/* Hands a finished run to the engine thread, which applies (and frees)
 * it: the caller touches it no more. */
static void post_runs(struct rt_engine *e, struct engine_run **runs, size_t n)
{
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < n; i++)
		RT_QUEUE_APPEND(e->results, e->results_tail, runs[i], next);
	e->running -= (int)n;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* The run's outcome from the hook's result. */
static void keep_result(struct engine_run *run, const struct rt_activity_result *res)
{
	run->failed = res->failed;
	run->not_run = res->not_run;
	run->result = xstrdup(res->failed ? (res->message ? res->message : "activity failed")
					  : (res->result ? res->result : "null"));
}

/* Runs one attempt of `run` on pool thread `thread`, outside the lock. */
static void run_attempt(struct rt_engine *e, int thread, struct engine_run *run)
{
	const struct rt_engine_hooks *h = &e->opts.hooks;
	struct rt_arena *arena = &e->workers[thread].arena;
	struct rt_activity_call call = {
		.name = run->name,
		.input = run->input ? run->input : "null",
		.instance_id = run->instance_id,
		.execution_id = run->execution_id,
		.task_id = run->task_id,
		.attempt = run->attempt,
		.idempotency_key = run->key,
		.arena = arena,
	};
	struct rt_activity_result res = {0};
	void *fn = h->find_activity ? h->find_activity(h->ctx, run->name) : NULL;
	run->started_us = rt_now_us();
	engine_attempts_begin(e->attempts, thread, run->activity_id, run->task_id, run->instance_id);
	if (!fn) {
		res.failed = 1;
		res.message = rt_arena_fmt(arena,
					   "The function '%s' doesn't exist, is disabled, or is not an activity function.",
					   run->name);
	} else {
		/* An attempt whose app cannot run now comes back not_run, and is
		 * retried each RT_ENGINE_NOT_NOW_US without a console line. */
		int can_run = !h->can_run || h->can_run(h->ctx, fn);
		if (can_run)
			report_activity(h, call.instance_id, call.name, call.task_id,
					RT_DURABLE_STARTED, call.input);
		h->run_activity(h->ctx, fn, &call, &res);
		if (can_run && !res.not_run)
			report_activity(h, call.instance_id, call.name, call.task_id,
					res.failed ? RT_DURABLE_FAILED : RT_DURABLE_COMPLETED,
					res.failed ? res.message : res.result ? res.result : "null");
	}
	engine_attempts_end(e->attempts, thread);
	keep_result(run, &res);
	rt_arena_reset(arena);
}

/*
 * With a run_activity_batch hook, a thread takes a share of the queued runs
 * (queued / threads, at most ENGINE_ACTIVITY_BATCH) and hands them over in
 * one call: one message to a worker process for several attempts. Only a
 * share, so that while there are fewer runs than threads each still gets
 * a thread of its own. Each attempt's result goes to the engine thread as
 * the hook says it is final (batch_finished), so that a fast attempt's
 * orchestration never waits for a slow attempt batched after it.
 */
#define ENGINE_ACTIVITY_BATCH 8

#define NO_ATTEMPT ((size_t)-1)

struct batch_start {
	struct rt_engine *e;
	int thread;
	struct engine_run **runs; /* runs[i] is attempt i of the hook's call */
	const struct rt_activity_call *calls;
	const struct rt_activity_result *res;
	unsigned char *started; /* attempt i began: its outcome is reported */
	unsigned char *posted;  /* attempt i's run is the engine thread's now */
	size_t in_slot;         /* the attempt in the thread's attempts slot */
};

static void batch_starting(void *arg, size_t i)
{
	struct batch_start *s = arg;
	struct engine_run *run = s->runs[i];
	if (s->in_slot != NO_ATTEMPT)
		engine_attempts_end(s->e->attempts, s->thread);
	run->started_us = rt_now_us();
	engine_attempts_begin(s->e->attempts, s->thread, run->activity_id, run->task_id,
			      run->instance_id);
	s->in_slot = i;
	s->started[i] = 1;
	report_activity(&s->e->opts.hooks, s->calls[i].instance_id, s->calls[i].name,
			s->calls[i].task_id, RT_DURABLE_STARTED, s->calls[i].input);
}

/* Attempt i's result is final: reported, out of the attempts slot (a
 * death of the process from now on must not count an attempt whose result
 * may be committed), then posted. */
static void batch_finished(void *arg, size_t i)
{
	struct batch_start *s = arg;
	const struct rt_activity_result *res = &s->res[i];
	struct engine_run *run = s->runs[i];
	if (s->posted[i])
		return;
	if (s->started[i] && !res->not_run)
		report_activity(&s->e->opts.hooks, s->calls[i].instance_id, s->calls[i].name,
				s->calls[i].task_id,
				res->failed ? RT_DURABLE_FAILED : RT_DURABLE_COMPLETED,
				res->failed ? res->message : res->result ? res->result : "null");
	keep_result(run, res);
	if (s->in_slot == i) {
		engine_attempts_end(s->e->attempts, s->thread);
		s->in_slot = NO_ATTEMPT;
	}
	s->posted[i] = 1;
	post_runs(s->e, &run, 1);
}

/* Runs n attempts through run_activity_batch and posts each as it
 * finishes (those whose activity is unknown fail here, as in run_attempt,
 * and are posted at once). */
static void run_attempts(struct rt_engine *e, int thread, struct engine_run **runs, size_t n)
{
	const struct rt_engine_hooks *h = &e->opts.hooks;
	struct rt_arena *arena = &e->workers[thread].arena;
	struct rt_activity_call calls[ENGINE_ACTIVITY_BATCH];
	struct rt_activity_result res[ENGINE_ACTIVITY_BATCH];
	void *fns[ENGINE_ACTIVITY_BATCH];
	struct engine_run *known[ENGINE_ACTIVITY_BATCH], *unknown[ENGINE_ACTIVITY_BATCH];
	size_t k = 0, nunknown = 0;
	unsigned char started[ENGINE_ACTIVITY_BATCH] = {0};
	unsigned char posted[ENGINE_ACTIVITY_BATCH] = {0};
	for (size_t i = 0; i < n; i++) {
		struct engine_run *run = runs[i];
		void *fn = h->find_activity ? h->find_activity(h->ctx, run->name) : NULL;
		if (!fn) {
			run->started_us = rt_now_us();
			run->failed = 1;
			run->not_run = 0;
			run->result = xstrdup(rt_arena_fmt(arena, "The function '%s' doesn't exist, is "
							   "disabled, or is not an activity function.",
							   run->name));
			unknown[nunknown++] = run;
			continue;
		}
		calls[k] = (struct rt_activity_call){
			.name = run->name, .input = run->input ? run->input : "null",
			.instance_id = run->instance_id, .execution_id = run->execution_id,
			.task_id = run->task_id, .attempt = run->attempt,
			.idempotency_key = run->key, .arena = arena,
		};
		memset(&res[k], 0, sizeof(res[k]));
		fns[k] = fn;
		known[k++] = run;
	}
	if (nunknown)
		post_runs(e, unknown, nunknown);
	if (k) {
		struct batch_start s = {e, thread, known, calls, res, started, posted, NO_ATTEMPT};
		h->run_activity_batch(h->ctx, k, fns, calls, res, batch_starting, batch_finished, &s);
		/* A hook that did not say so for every attempt: the rest now. */
		for (size_t j = 0; j < k; j++)
			batch_finished(&s, j);
	}
	rt_arena_reset(arena);
}

static void ticket_run(struct rt_pool_job *job, int thread)
{
	struct rt_engine *e = ((struct run_ticket *)job)->e;
	struct engine_run *runs[ENGINE_ACTIVITY_BATCH];
	size_t n = 0, want = 1;
	free(job);
	if (e->opts.hooks.run_activity_batch) {
		size_t share = rt_pool_queued(e->pool) / (size_t)e->nthreads;
		want += share < ENGINE_ACTIVITY_BATCH - 1 ? share : ENGINE_ACTIVITY_BATCH - 1;
	}
	pthread_mutex_lock(&e->lock);
	/* Stopping: start nothing new; queued runs never started, so
	 * dropping them costs no attempt. */
	while (n < want && e->runs && !e->stopping) {
		struct engine_run *run = e->runs;
		e->runs = run->next;
		if (!e->runs)
			e->runs_tail = NULL;
		runs[n++] = run;
	}
	if (!n) {
		pthread_mutex_unlock(&e->lock);
		return;
	}
	e->running += (int)n;
	e->last_start_us = rt_mono_us();
	pthread_mutex_unlock(&e->lock);

	if (n == 1) {
		run_attempt(e, thread, runs[0]);
		post_runs(e, runs, 1);
	} else {
		run_attempts(e, thread, runs, n);
	}
}

/* Per-thread state, and the host's thread_event hook (0, 1, 2). */
static void thread_event(void *ctx, enum rt_pool_event ev, int thread)
{
	struct rt_engine *e = ctx;
	const struct rt_engine_hooks *h = &e->opts.hooks;
	if (ev == RT_POOL_THREAD_START)
		rt_arena_init(&e->workers[thread].arena);
	if (h->thread_event)
		h->thread_event(h->ctx, ev == RT_POOL_THREAD_START ? 0 : ev == RT_POOL_THREAD_IDLE ? 1 : 2);
	if (ev == RT_POOL_THREAD_EXIT)
		rt_arena_cleanup(&e->workers[thread].arena);
}

void engine_activity_start(struct rt_engine *e)
{
	e->workers = xcalloc((size_t)e->nthreads, sizeof(*e->workers));
	e->pool = rt_pool_new(e->nthreads, "activity", thread_event, e);
}

void engine_activity_wake(struct rt_engine *e, size_t n)
{
	struct rt_pool_job *head = NULL, *tail = NULL;
	for (size_t i = 0; i < n; i++) {
		struct run_ticket *t = xcalloc(1, sizeof(*t));
		t->job.run = ticket_run;
		t->e = e;
		RT_QUEUE_APPEND(head, tail, &t->job, next);
	}
	rt_pool_submit_list(e->pool, head, tail, n);
}

int engine_activity_stop_by(struct rt_engine *e, int64_t until_us)
{
	return rt_pool_stop_by(e->pool, until_us);
}

void engine_run_free(struct engine_run *run)
{
	free(run->instance_id);
	free(run->execution_id);
	free(run->name);
	free(run->input);
	free(run->result);
	free(run);
}


/* Applies one activity result: the row goes, the completion message comes,
 * in the same transaction. A row already gone (purged) drops the result.
 * An attempt that did not run keeps its row, out of sight for a while: it
 * is no attempt, so its dequeue count stays. */
void engine_activity_apply(struct engine_batch *b, struct engine_run *run)
{
	struct rt_event ev;
	if (run->not_run) {
		int prc = rt_store_activity_postpone(b->e->store, run->activity_id,
						     engine_not_now_until(b));
		if (prc != 0 && prc != RT_E_NOTFOUND)
			b->failed = 1;
		return;
	}
	int rc = rt_store_activity_delete(b->e->store, run->activity_id);
	if (rc == RT_E_NOTFOUND)
		return;
	if (rc != 0) {
		b->failed = 1;
		return;
	}
	rt_event_init(&ev, run->failed ? RT_EV_TASK_FAILED : RT_EV_TASK_COMPLETED);
	ev.timestamp_us = b->now_us;
	ev.task_scheduled_id = run->task_id;
	ev.started_us = run->started_us;
	if (run->failed) {
		ev.reason = rt_arena_fmt(&b->arena, "Activity function '%s' failed: %s", run->name,
					 run->result);
		ev.details = run->result;
	} else {
		ev.result = run->result;
	}
	if (engine_inbox_add(b, run->instance_id, run->execution_id, 0, &ev) != 0)
		b->failed = 1;
}

static int busy_activity(void *ctx, int64_t id)
{
	return engine_idset_has(ctx, id);
}

/* Queues an attempt of `a` for the threads after the commit, behind the
 * ones already queued in this batch (oldest first). */
static struct engine_run *new_run(struct engine_batch *b, const struct rt_activity *a)
{
	struct engine_run *run = xcalloc(1, sizeof(*run));
	run->activity_id = a->id;
	run->instance_id = xstrdup(a->instance_id);
	run->execution_id = xstrdup(a->execution_id);
	run->name = xstrdup(a->name);
	run->input = a->input ? xstrdup(a->input) : NULL;
	run->task_id = a->task_id;
	run->attempt = a->dequeue_count + 1;
	snprintf(run->key, sizeof(run->key), "%.200s:%d:%d", a->instance_id, a->task_id,
		 run->attempt);
	RT_QUEUE_APPEND(b->dequeued, b->dequeued_tail, run, next);
	b->ndequeued++;
	pthread_mutex_lock(&b->e->lock);
	engine_idset_add(&b->e->inflight, a->id);
	pthread_mutex_unlock(&b->e->lock);
	return run;
}

int engine_dispatch_new_activity(struct engine_batch *b, struct rt_activity *act)
{
	act->dequeue_count = 0;
	if (rt_store_activity_add(b->e->store, act, &act->id) != 0)
		return -1;
	if (b->act_free > 0) {
		b->act_free--;
		new_run(b, act);
	} else if (!b->e->stopping) {
		b->act_backlog = 1;
	}
	return 0;
}

/* Fails an activity that was started max_dequeue_count times without
 * finishing, instead of starting it again. */
static void poison(struct engine_batch *b, const struct rt_activity *a)
{
	struct rt_engine *e = b->e;
	struct rt_event ev;
	rt_event_init(&ev, RT_EV_TASK_FAILED);
	ev.timestamp_us = b->now_us;
	ev.task_scheduled_id = a->task_id;
	ev.details = rt_arena_fmt(&b->arena,
				  "poisoned: the activity was started %d times without completing (maxDequeueCount %d)",
				  a->dequeue_count, e->opts.max_dequeue_count);
	ev.reason = rt_arena_fmt(&b->arena, "Activity function '%s' failed: %s", a->name, ev.details);
	if (rt_store_activity_delete(e->store, a->id) != 0 ||
	    engine_inbox_add(b, a->instance_id, a->execution_id, 0, &ev) != 0)
		b->failed = 1;
	report_activity(&e->opts.hooks, a->instance_id, a->name, a->task_id, RT_DURABLE_FAILED,
			ev.details);
}

/*
 * Takes visible activities, oldest first, for the free capacity. A suspect
 * (an earlier attempt started and never finished) runs alone: it waits
 * until nothing else runs, and nothing else starts until its result is in,
 * so only the activity that crashes the host is charged for the crash.
 */
void engine_activity_dequeue(struct engine_batch *b)
{
	struct rt_engine *e = b->e;
	struct rt_activity *rows;
	size_t n, limit = b->act_free;

	if (limit == 0)
		return;
	/* As many as the last picks' cost a row fits in ENGINE_BATCH_SHORT_US
	 * (2,000 rows with their updates can take 12 ms of a batch that a
	 * start waits for); machine load raises the cost, so fewer. */
	if (e->pick_ns_per_row > 0) {
		int64_t fit = (int64_t)ENGINE_BATCH_SHORT_US * 1000 / e->pick_ns_per_row;
		if (fit < ENGINE_HURRY_MIN)
			fit = ENGINE_HURRY_MIN;
		if ((size_t)fit < limit)
			limit = (size_t)fit;
	}
	int64_t t0 = rt_mono_us();
	if (rt_store_activity_pick(e->store, b->now_us, limit, busy_activity, &e->inflight, &rows,
				   &n, &b->arena) != 0) {
		b->failed = 1;
		return;
	}
	if (n == limit)
		b->act_backlog = 1;
	for (size_t i = 0; i < n && !b->failed; i++) {
		struct rt_activity *a = &rows[i];
		if (e->opts.max_dequeue_count > 0 && a->dequeue_count >= e->opts.max_dequeue_count) {
			poison(b, a);
			continue;
		}
		if (a->dequeue_count > 0) {
			if (!b->suspect_may_start || b->ndequeued > 0) {
				e->suspect_waiting = 1;
			} else {
				new_run(b, a);
				e->isolated = a->id;
			}
			b->act_free = 0;
			return;
		}
		new_run(b, a);
		b->act_free--;
	}
	/* Only a full pick says what a row costs (a short one is mostly the
	 * walk over the rows in flight). */
	if (n == limit && n >= ENGINE_HURRY_MIN)
		e->pick_ns_per_row = (rt_mono_us() - t0) * 1000 / (int64_t)n;
}

/* First batch after a start: counts the attempts the previous process
 * started and never finished, if their rows are still the same. */
void engine_activity_count_left(struct engine_batch *b)
{
	struct rt_engine *e = b->e;
	const struct engine_attempt *left;
	size_t n = engine_attempts_left(e->attempts, &left);

	for (size_t i = 0; i < n && !b->failed; i++) {
		struct rt_activity row;
		int rc = rt_store_activity_get(e->store, left[i].id, &row, &b->arena);
		if (rc == RT_E_NOTFOUND)
			continue;
		if (rc != 0) {
			b->failed = 1;
			break;
		}
		/* A row id reused by another activity (purged, new hub file) is not it. */
		if (row.task_id != left[i].task_id ||
		    engine_attempts_hash(row.instance_id) != left[i].instance_hash)
			continue;
		if (rt_store_activity_count_attempt(e->store, left[i].id) != 0)
			b->failed = 1;
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_WARNING,
			   "%s: activity '%s' (task %d) was running when the host died; it runs "
			   "again as a suspect (%d of maxDequeueCount %d attempts used)",
			   row.instance_id, row.name, row.task_id, row.dequeue_count + 1,
			   e->opts.max_dequeue_count);
	}
}
