/*
 * entity_calls.c - entity batches in a worker process (supervisor.h,
 * host_workers_entity_batch), and the worker's side that runs them.
 *
 * Which messages of a batch run as operations (locks, the queue, a dead
 * holder's lock) is decided by rt_entity_batch_run from the messages alone,
 * never from what an operation did. So the host runs it twice on the
 * engine thread: first with a runner that only writes down the operations,
 * then, once the worker has run those in one ENTITY_REQUEST, with a runner
 * that hands each operation the worker's outcome. The second run applies
 * rollbacks, replies, signals and starts exactly as in process.
 *
 * A worker death commits nothing (-2: the engine keeps the messages). The
 * next try of that entity sends its operations one per message, so the
 * operation that kills the worker is known; after ENTITY_CRASH_LIMIT deaths
 * at the same operation (same entity, operation, input and state before)
 * it fails without running again, and the batch goes on.
 *
 * The batches of many entities (host_workers_entity_batches, one engine
 * batch's) cross in one write, one ENTITY_REQUEST each, and each result is
 * applied as it is read. The worker answers in order, so when it dies the
 * first batch without a result is the one it was running: it gets -2 as
 * above, those answered stand (the engine already wrote them), and those
 * not answered go again to the replacement.
 */
#include "host/worker/pool.h"
#include "host/worker/entity_calls.h"

#include "bindings/entity_trigger.h"
#include "common/hash.h"
#include "common/xalloc.h"
#include "host/log.h"
#include "host/worker/channel.h"
#include "runtime/engine.h"
#include "runtime/entity.h"
#include "runtime/json_text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITY_CRASH_LIMIT 3
#define ENTITY_CRASH_POINTS 64

/* ---- where entity batches killed their worker --------------------------------- */

/* An entity whose batch killed a worker. point 0: somewhere in a batch
 * (not yet known which operation); else the hash of the operation. */
struct entity_crash {
	char instance[HOST_WORKER_ID_MAX];
	uint64_t point;
	int count;
	char how[HOST_WORKER_STATUS_MAX]; /* the last death: signal or "ran past functionTimeout" */
};
static struct entity_crash crashes[ENTITY_CRASH_POINTS];
static int crash_next;
static pthread_mutex_t crash_lock = PTHREAD_MUTEX_INITIALIZER;

static struct entity_crash *crash_find(const char *instance)
{
	for (int i = 0; i < ENTITY_CRASH_POINTS; i++)
		if (crashes[i].count && strcmp(crashes[i].instance, instance) == 0)
			return &crashes[i];
	return NULL;
}

/* 1 when a batch of the entity killed a worker lately: run it one
 * operation per message. */
static int crash_known(const char *instance)
{
	pthread_mutex_lock(&crash_lock);
	int known = crash_find(instance) != NULL;
	pthread_mutex_unlock(&crash_lock);
	return known;
}

/* Deaths so far at operation `point` of the entity, the last one's
 * signal in how. */
static int crash_count(const char *instance, uint64_t point, char *how, size_t how_n)
{
	pthread_mutex_lock(&crash_lock);
	struct entity_crash *c = crash_find(instance);
	int n = c && c->point == point ? c->count : 0;
	if (n)
		snprintf(how, how_n, "%s", c->how);
	pthread_mutex_unlock(&crash_lock);
	return n;
}

/* Counts one death; returns the deaths at that point. A death somewhere in
 * a batch (point 0) counts for the operation found afterwards. */
static int crash_note(const char *instance, uint64_t point, const char *how)
{
	pthread_mutex_lock(&crash_lock);
	struct entity_crash *c = crash_find(instance);
	if (c && (c->point == point || c->point == 0)) {
		c->point = point ? point : c->point;
		c->count++;
	} else {
		if (!c) {
			c = &crashes[crash_next];
			crash_next = (crash_next + 1) % ENTITY_CRASH_POINTS;
		}
		snprintf(c->instance, sizeof(c->instance), "%s", instance);
		c->point = point;
		c->count = 1;
	}
	snprintf(c->how, sizeof(c->how), "%s", how);
	int n = c->count;
	pthread_mutex_unlock(&crash_lock);
	return n;
}

static void crash_forget(const char *instance)
{
	pthread_mutex_lock(&crash_lock);
	struct entity_crash *c = crash_find(instance);
	if (c)
		c->count = 0;
	pthread_mutex_unlock(&crash_lock);
}

static uint64_t mix(uint64_t h, const char *s)
{
	/* NULL and "" differ: NULL is one byte 1, a string is its bytes and a 0. */
	if (!s)
		return (h ^ 1u) * RT_FNV64_PRIME;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * RT_FNV64_PRIME;
	return (h ^ 0u) * RT_FNV64_PRIME;
}

/* Never 0 (that means "somewhere in a batch"). */
static uint64_t point_of(const char *op, const char *input, const char *state)
{
	uint64_t h = mix(mix(mix(RT_FNV64_OFFSET, op), input), state);
	return h ? h : 1;
}

/* ---- the host's side --------------------------------------------------------- */

/* The operations the first run wrote down. */
struct op_list {
	struct rt_wire_entity_op *ops;
	size_t n, cap;
};

/* What both runs pass as the batch's ctx: the engine's own ctx and lock
 * holder check go on as they were. */
struct pass {
	void *engine_ctx;
	rt_entity_alive_fn engine_alive;
	struct op_list *list;        /* first run */
	struct outcomes *outcomes;   /* second run */
};

static int pass_alive(void *ctx, const char *instance_id)
{
	struct pass *p = ctx;
	return p->engine_alive(p->engine_ctx, instance_id);
}

static void note_op(void *ctx, void *fn, struct rt_entity_op *op)
{
	struct op_list *l = ((struct pass *)ctx)->list;
	(void)fn;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->ops = xrealloc(l->ops, l->cap * sizeof(*l->ops));
	}
	l->ops[l->n++] = (struct rt_wire_entity_op){op->op, op->input};
}

/* The second run: each operation gets the worker's outcome, in order. */
struct outcomes {
	const struct op_list *asked;
	const struct rt_wire_entity_outcome *outs;
	size_t at;
	int mismatch;
};

/* The worker's word for an operation's effects, checked as the binding
 * checks app code in process; NULL or what is wrong. */
static const char *bad_outcome(const struct rt_wire_entity_outcome *o)
{
	if (o->state_kind == RT_WIRE_STATE_SET && !rt_json_text_ok(o->state))
		return "the entity state is not valid JSON";
	if (!o->failed && o->result && !rt_json_text_ok(o->result))
		return "the operation result is not valid JSON";
	for (size_t i = 0; i < o->nactions; i++) {
		const struct rt_wire_entity_action *a = &o->actions[i];
		if (a->input && !rt_json_text_ok(a->input))
			return "an action's input is not valid JSON";
		if (a->kind == RT_WIRE_EACT_SIGNAL && !rt_entity_id_is(a->instance))
			return "a signal to something that is not an entity";
		if (a->kind == RT_WIRE_EACT_START && a->instance && rt_instance_id_problem(a->instance))
			return "a start with an invalid instance id";
	}
	return NULL;
}

static void take_outcome(void *ctx, void *fn, struct rt_entity_op *op)
{
	struct outcomes *r = ((struct pass *)ctx)->outcomes;
	(void)fn;
	if (r->at >= r->asked->n || strcmp(op->op, r->asked->ops[r->at].op) != 0) {
		r->mismatch = 1;
		op->failed = 1;
		op->message = "the entity batch did not run the same operations twice";
		return;
	}
	const struct rt_wire_entity_outcome *o = &r->outs[r->at++];
	const char *bad = bad_outcome(o);
	if (bad) {
		op->failed = 1;
		op->message = rt_arena_fmt(op->arena, "the worker process sent a bad outcome: %s", bad);
		return;
	}
	if (o->state_kind == RT_WIRE_STATE_SET)
		op->state = o->state;
	else if (o->state_kind == RT_WIRE_STATE_DELETED)
		op->state = NULL;
	op->failed = (int)o->failed;
	op->result = o->failed ? NULL : o->result;
	op->message = o->failed ? o->error : NULL;
	for (size_t i = 0; i < o->nactions; i++) {
		const struct rt_wire_entity_action *wa = &o->actions[i];
		struct rt_entity_action *a = rt_entity_op_add_action(op);
		a->kind = wa->kind == RT_WIRE_EACT_START ? RT_EACT_START : RT_EACT_SIGNAL;
		a->target = wa->kind == RT_WIRE_EACT_SIGNAL ? wa->instance : NULL;
		a->instance_id = wa->kind == RT_WIRE_EACT_START ? wa->instance : NULL;
		a->op = wa->op ? wa->op : "";
		a->input = wa->input;
		a->name = wa->name;
		a->at_us = wa->at_us;
	}
}

/* Sends ops[at .. at+n) with `state` to a worker: OK with n outcomes in
 * outs[at..], or how the worker ended (status says how). */
static enum host_workers_rc run_chunk(struct host_workers *w, struct wpool *pool,
				      const struct bind_function *fn,
				      const struct rt_entity_batch *eb, const struct op_list *l,
				      size_t at, size_t n, const char *state,
				      struct rt_wire_entity_outcome *outs, char *status,
				      size_t status_n, const char **why)
{
	struct rt_arena *a = eb->arena;
	struct wcall c = {.kind = HOST_CALL_ENTITY, .function = fn->name,
			  .what = rt_arena_fmt(a, "%s (entity %s)", fn->name, eb->instance_id),
			  .id = eb->instance_id, .instance = eb->instance_id};
	struct wproc *p = wpool_acquire(w, pool, WPOOL_EPISODES, &c);
	if (!p)
		return HOST_WORKERS_APP_FAILED;
	struct rt_wire_entity_request req = {
		.name = fn->name, .instance = eb->instance_id, .key = eb->key, .state = state,
		.keep_failed = eb->keep_failed ? 1 : 0, .ops = l->ops + at, .nops = n,
	};
	uint64_t id = wpool_next_id(w);
	if (rt_wire_entity_request_encode(&p->out, id, &req) != 0) {
		wpool_release(w, pool, p);
		*why = "the entity batch is too large for a worker";
		return HOST_WORKERS_FAILED;
	}
	struct rt_wire_frame f;
	size_t used = 0;
	enum host_workers_rc rc = wpool_exchange(w, pool, p, NULL, RT_WIRE_ENTITY_RESULT, id, &c,
						 &f, &used, status, status_n);
	if (rc != HOST_WORKERS_OK) {
		wpool_release(w, pool, p);
		return rc;
	}
	struct rt_wire_entity_result res;
	const char *err = NULL;
	int bad = rt_wire_entity_result_decode(&f, &res, a, &err) != 0;
	if (!bad && !res.error && res.nops != n) {
		bad = 1;
		err = "not one outcome per operation";
	}
	rt_wire_buf_consume(&p->in, used);
	if (bad) {
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' sent a bad entity result for '%s': %s",
			 (int)p->pid, pool->app->name, c.what, err);
		wpool_bury(w, pool, p, WDEATH_BROKEN, &c, status, status_n);
		wpool_release(w, pool, p);
		return HOST_WORKERS_CRASHED;
	}
	wpool_release(w, pool, p);
	if (res.error) {
		*why = res.error;
		return HOST_WORKERS_FAILED;
	}
	memcpy(outs + at, res.ops, n * sizeof(*outs));
	return HOST_WORKERS_OK;
}

/* The state the next operation gets, as rt_entity_batch_run carries it. */
static const char *state_after(const char *state, const struct rt_wire_entity_outcome *o,
			       int keep_failed)
{
	if (o->failed && !keep_failed)
		return state;
	return o->state_kind == RT_WIRE_STATE_SET ? o->state
	       : o->state_kind == RT_WIRE_STATE_DELETED ? NULL
							: state;
}

/* One entity batch on the host's side: the operations its first run wrote
 * down, and their outcomes once the worker sent them. */
struct ent_job {
	struct op_list list;
	struct pass pass;
	struct rt_wire_entity_outcome *outs; /* list.n + 1, in the batch's arena */
};

/* The first run: which operations the batch runs (in job->list). 0, or -1
 * as rt_entity_batch_run. */
static int note_ops(struct rt_entity_batch *eb, struct ent_job *job)
{
	job->pass = (struct pass){.engine_ctx = eb->ctx, .engine_alive = eb->alive,
				  .list = &job->list};
	struct rt_entity_batch first = *eb;
	first.run = note_op;
	first.ctx = &job->pass;
	first.alive = eb->alive ? pass_alive : NULL;
	if (rt_entity_batch_run(&first) != 0)
		return -1;
	job->outs = rt_arena_calloc(eb->arena, (job->list.n + 1) * sizeof(*job->outs));
	return 0;
}

/* The second run, each operation with the worker's outcome in job->outs:
 * rt_entity_batch_run's 0 or -1. */
static int apply_outcomes(struct rt_entity_batch *eb, struct ent_job *job)
{
	struct outcomes r = {.asked = &job->list, .outs = job->outs};
	void *saved_ctx = eb->ctx;
	rt_entity_run_fn saved_run = eb->run;
	rt_entity_alive_fn saved_alive = eb->alive;
	job->pass.outcomes = &r;
	eb->run = take_outcome;
	eb->ctx = &job->pass;
	eb->alive = eb->alive ? pass_alive : NULL;
	int rc = rt_entity_batch_run(eb);
	eb->run = saved_run;
	eb->ctx = saved_ctx;
	eb->alive = saved_alive;
	if (rc == 0 && (r.mismatch || r.at != job->list.n)) {
		host_log("Host.Workers", RT_LOG_ERROR,
			 "%s: the entity batch ran other operations the second time; not committed",
			 eb->instance_id);
		rc = -1;
	}
	if (rc == 0)
		crash_forget(eb->instance_id);
	return rc;
}

/* Every operation of the batch fails with `why` (the batch as such could
 * not run in the worker). */
static void fail_all(struct ent_job *job, size_t at, size_t n, const char *why)
{
	for (size_t i = at; i < at + n; i++)
		job->outs[i] = (struct rt_wire_entity_outcome){
			.failed = 1, .error = why ? why : "the entity batch failed"};
}

/* Runs the noted operations in the worker, in chunks (one operation per
 * message for an entity that killed a worker lately): 0 with every outcome
 * in job->outs, or -2 (nothing is to be committed). */
static int run_ops(struct host_workers *w, const struct bind_function *fn,
		   struct rt_entity_batch *eb, struct ent_job *job)
{
	struct rt_arena *a = eb->arena;
	const struct op_list *lp = &job->list;
	struct rt_wire_entity_outcome *outs = job->outs;
	struct wpool *pool = wpool_of(w, fn->app);
	int isolate = lp->n > 1 && crash_known(eb->instance_id);
	const char *state = eb->state;
	for (size_t at = 0; at < lp->n;) {
		size_t n = isolate ? 1 : lp->n - at;
		if (n > RT_WIRE_MAX_LIST)
			n = RT_WIRE_MAX_LIST;
		uint64_t point = n == 1 ? point_of(lp->ops[at].op, lp->ops[at].input, state) : 0;
		char status[64] = "";
		const char *why = NULL;
		enum host_workers_rc rc;
		int deaths = point ? crash_count(eb->instance_id, point, status, sizeof(status)) : 0;
		if (deaths >= ENTITY_CRASH_LIMIT) {
			/* It killed its worker often enough: it fails unrun. */
			outs[at] = (struct rt_wire_entity_outcome){
				.failed = 1,
				.error = rt_arena_fmt(a, "the entity '%s' ended its worker process (%s) %d "
							 "times at operation '%s'",
						      fn->name, status, deaths, lp->ops[at].op),
			};
			at++;
			continue;
		}
		if (!pool) {
			why = rt_arena_fmt(a, "The app '%s' has no worker processes.", fn->app->name);
			rc = HOST_WORKERS_FAILED;
		} else {
			rc = run_chunk(w, pool, fn, eb, lp, at, n, state, outs, status, sizeof(status),
				       &why);
		}
		if (rc == HOST_WORKERS_APP_FAILED)
			return -2; /* it waits for the app's next deploy */
		if (rc == HOST_WORKERS_FAILED) {
			/* The batch as such could not run there (too large, or
			 * the worker has no such entity): every operation fails. */
			fail_all(job, at, n, why);
			at += n;
			continue;
		}
		if (rc != HOST_WORKERS_OK) {
			const char *how = rc == HOST_WORKERS_TIMEOUT ? "ran past functionTimeout" : status;
			int count = crash_note(eb->instance_id, point, how);
			if (!point || count < ENTITY_CRASH_LIMIT)
				return -2; /* nothing committed; tried again, one by one */
			outs[at] = (struct rt_wire_entity_outcome){
				.failed = 1,
				.error = rt_arena_fmt(a, "the entity '%s' ended its worker process (%s) %d "
							 "times at operation '%s'",
						      fn->name, how, count, lp->ops[at].op),
			};
			at++;
			continue;
		}
		for (size_t i = at; i < at + n; i++)
			state = state_after(state, &outs[i], eb->keep_failed);
		at += n;
	}
	return 0;
}

int host_workers_entity_batch(struct host_workers *w, const struct bind_function *fn,
			      struct rt_entity_batch *eb)
{
	struct ent_job job = {0};
	int rc = note_ops(eb, &job);
	if (rc == 0)
		rc = run_ops(w, fn, eb, &job);
	if (rc == 0)
		rc = apply_outcomes(eb, &job);
	free(job.list.ops);
	return rc;
}

/* ---- many entities' batches in one write --------------------------------- */

/* One host_workers_entity_batches call, for wpool_call_batch. */
struct entity_group {
	struct rt_arena *a; /* the call's own: a batch's arena may go once done() reported it */
	struct ent_job *jobs;
	void *const *fns;
	struct rt_entity_batch *const *ebs;
	int *rcs;
	void (*done)(void *arg, size_t i);
	void *arg;
};

static struct wcall entity_call_of(void *ctx, size_t i)
{
	struct entity_group *g = ctx;
	const struct bind_function *fn = g->fns[i];
	const struct rt_entity_batch *eb = g->ebs[i];
	return (struct wcall){.kind = HOST_CALL_ENTITY, .function = fn->name,
			      .what = rt_arena_fmt(g->a, "%s (entity %s)", fn->name, eb->instance_id),
			      .id = eb->instance_id, .instance = eb->instance_id};
}

/* All the batch's operations in one ENTITY_REQUEST. */
static int entity_encode(void *ctx, size_t i, struct rt_wire_buf *out, uint64_t id)
{
	struct entity_group *g = ctx;
	const struct bind_function *fn = g->fns[i];
	const struct rt_entity_batch *eb = g->ebs[i];
	const struct ent_job *job = &g->jobs[i];
	struct rt_wire_entity_request req = {
		.name = fn->name, .instance = eb->instance_id, .key = eb->key,
		.state = eb->state, .keep_failed = eb->keep_failed ? 1 : 0,
		.ops = job->list.ops, .nops = job->list.n,
	};
	return rt_wire_entity_request_encode(out, id, &req);
}

/* Its operations fail, and that is committed like any outcome. */
static void entity_too_large(void *ctx, size_t i)
{
	struct entity_group *g = ctx;
	fail_all(&g->jobs[i], 0, g->jobs[i].list.n, "the entity batch is too large for a worker");
	g->rcs[i] = apply_outcomes(g->ebs[i], &g->jobs[i]);
	g->done(g->arg, i);
}

static void entity_no_worker(void *ctx, size_t i)
{
	struct entity_group *g = ctx;
	g->rcs[i] = -2; /* it waits for the app's next deploy */
	g->done(g->arg, i);
}

/* The worker's ENTITY_RESULT: applied and reported at once (every
 * operation failed when the worker could not run the batch); -1 with
 * *err when the result is malformed. */
static int entity_reply(void *ctx, size_t i, const struct rt_wire_frame *f, const char **err)
{
	struct entity_group *g = ctx;
	struct rt_entity_batch *eb = g->ebs[i];
	struct ent_job *job = &g->jobs[i];
	struct rt_wire_entity_result res;
	if (rt_wire_entity_result_decode(f, &res, eb->arena, err) != 0)
		return -1;
	if (res.error) {
		fail_all(job, 0, job->list.n, res.error);
	} else if (res.nops != job->list.n) {
		*err = "not one outcome per operation";
		return -1;
	} else {
		memcpy(job->outs, res.ops, res.nops * sizeof(*job->outs));
	}
	g->rcs[i] = apply_outcomes(eb, job);
	g->done(g->arg, i);
	return 0;
}

/* The batch the worker was running when it ended: nothing committed (-2),
 * and its next try goes one operation per message (crash_note). */
static void entity_lost(void *ctx, size_t i, enum host_chan_rc cr, const char *status,
			const char *malformed)
{
	(void)malformed;
	struct entity_group *g = ctx;
	const struct rt_entity_batch *eb = g->ebs[i];
	const struct op_list *lp = &g->jobs[i].list;
	crash_note(eb->instance_id,
		   lp->n == 1 ? point_of(lp->ops[0].op, lp->ops[0].input, eb->state) : 0,
		   cr == HOST_CHAN_TIMEOUT ? "ran past functionTimeout" : status);
	g->rcs[i] = -2;
	g->done(g->arg, i);
}

static const struct wbatch_ops entity_ops = {
	.want = WPOOL_EPISODES,
	.reply_type = RT_WIRE_ENTITY_RESULT,
	.call_of = entity_call_of,
	.encode = entity_encode,
	.too_large = entity_too_large,
	.no_worker = entity_no_worker,
	.reply = entity_reply,
	.lost = entity_lost,
};

void host_workers_entity_batches(struct host_workers *w, size_t n, void *const *fns,
				 struct rt_entity_batch *const *ebs, int *rcs,
				 void (*done)(void *arg, size_t i), void *arg)
{
	if (n == 0)
		return;
	struct ent_job *jobs = xcalloc(n, sizeof(*jobs));
	size_t *idx = xcalloc(n, sizeof(*idx));
	/* 0: for a group; 1: done; 2: alone (run_ops, one message at a time). */
	char *how = xcalloc(n, 1);
	struct rt_arena own;
	rt_arena_init(&own);
	struct entity_group g = {.a = &own, .jobs = jobs, .fns = fns, .ebs = ebs, .rcs = rcs,
				 .done = done, .arg = arg};
	for (size_t i = 0; i < n; i++) {
		rcs[i] = -1;
		if (note_ops(ebs[i], &jobs[i]) != 0) {
			how[i] = 1;
			done(arg, i);
		} else if (jobs[i].list.n == 0) {
			/* Nothing to run (lock messages only): no worker needed. */
			rcs[i] = apply_outcomes(ebs[i], &jobs[i]);
			how[i] = 1;
			done(arg, i);
		} else if (jobs[i].list.n > RT_WIRE_MAX_LIST || crash_known(ebs[i]->instance_id) ||
			   !wpool_of(w, ((const struct bind_function *)fns[i])->app)) {
			how[i] = 2;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (how[i])
			continue;
		const struct bind_app *app = ((const struct bind_function *)fns[i])->app;
		size_t k = 0;
		for (size_t j = i; j < n; j++)
			if (!how[j] && ((const struct bind_function *)fns[j])->app == app) {
				idx[k++] = j;
				how[j] = 1;
			}
		wpool_call_batch(w, wpool_of(w, app), &own, idx, k, &entity_ops, &g);
	}
	/* Entities that killed a worker lately, each alone after the rest. */
	for (size_t i = 0; i < n; i++) {
		if (how[i] != 2)
			continue;
		int rc = run_ops(w, fns[i], ebs[i], &jobs[i]);
		rcs[i] = rc == 0 ? apply_outcomes(ebs[i], &jobs[i]) : rc;
		done(arg, i);
	}
	for (size_t i = 0; i < n; i++)
		free(jobs[i].list.ops);
	rt_arena_cleanup(&own);
	free(jobs);
	free(idx);
	free(how);
}

/* ---- the worker's side --------------------------------------------------------- */

void host_entity_serve(struct rt_wire_buf *out, const struct bind_registry *reg, uint64_t id,
		       const struct rt_wire_entity_request *m, struct rt_arena *a)
{
	struct bind_function *fn = bind_registry_find_kind(reg, m->name, BIND_FN_ENTITY);
	struct rt_wire_entity_result r = {0};
	if (!fn) {
		r.error = rt_arena_fmt(a, "The function '%s' doesn't exist, is disabled, or is not "
					  "an entity function.", m->name);
		rt_wire_entity_result_encode(out, id, &r);
		return;
	}
	r.ops = rt_arena_calloc(a, (m->nops + 1) * sizeof(*r.ops));
	r.nops = m->nops;
	const char *state = m->state;
	for (size_t i = 0; i < m->nops; i++) {
		struct rt_entity_op op = {
			.name = m->name, .key = m->key, .instance_id = m->instance,
			.op = m->ops[i].op, .input = m->ops[i].input, .state = state, .arena = a,
		};
		bind_entity_run(NULL, fn, &op);
		struct rt_wire_entity_outcome *o = &r.ops[i];
		o->failed = op.failed != 0;
		o->result = op.failed ? NULL : op.result;
		o->error = op.failed ? (op.message ? op.message : "the entity operation failed") : NULL;
		o->state_kind = op.state == state ? RT_WIRE_STATE_SAME
				: op.state ? RT_WIRE_STATE_SET
					   : RT_WIRE_STATE_DELETED;
		o->state = op.state;
		o->actions = rt_arena_calloc(a, (op.nactions + 1) * sizeof(*o->actions));
		o->nactions = op.nactions;
		for (size_t j = 0; j < op.nactions; j++) {
			const struct rt_entity_action *x = &op.actions[j];
			o->actions[j] = (struct rt_wire_entity_action){
				.kind = x->kind == RT_EACT_START ? RT_WIRE_EACT_START : RT_WIRE_EACT_SIGNAL,
				.instance = x->kind == RT_EACT_START ? x->instance_id : x->target,
				.op = x->op, .input = x->input, .name = x->name, .at_us = x->at_us,
			};
		}
		if (!op.failed || m->keep_failed)
			state = op.state;
	}
	if (rt_wire_entity_result_encode(out, id, &r) != 0) {
		struct rt_wire_entity_result big = {.error = "the entity batch's result is too large"};
		rt_wire_entity_result_encode(out, id, &big);
	}
}
