/*
 * engine_episode.c - one orchestration episode inside a batch: load the
 * instance, its visible messages and its history, replay, and write the
 * new history, the status row and the outbound work - all under one
 * savepoint of the batch transaction.
 */
#include "runtime/engine_int.h"
#include "runtime/engine_core.h"
#include "runtime/engine_instance.h"
#include "runtime/uuid.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "runtime/entity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rolls the episode back and keeps this batch's mail for the instance in
 * the inbox, so the next batch replays it again from the same point. */
static void keep_mail_for_retry(struct engine_batch *b, const char *instance_id,
				struct engine_mail *mail_head)
{
	rt_store_savepoint_rollback(b->e->store);
	for (struct engine_mail *m = mail_head; m; m = m->next)
		if (engine_mail_store(b, instance_id, m, 0, NULL) != 0)
			b->failed = 1;
	b->more = 1;
}

static int is_activity(void *ctx, const char *name)
{
	const struct rt_engine_hooks *h = ctx;
	return h->find_activity && h->find_activity(h->ctx, name) != NULL;
}

static int is_orchestrator(void *ctx, const char *name)
{
	const struct rt_engine_hooks *h = ctx;
	return h->find_orchestrator && h->find_orchestrator(h->ctx, name) != NULL;
}

/* Stands in for an orchestrator that is no longer registered. */
static int missing_orchestrator(void *fn, struct rt_orch *o)
{
	(void)fn;
	return rt_orch_fail(o, rt_arena_fmt(rt_orch_arena(o),
					    "The function '%s' doesn't exist, is disabled, or is not an orchestrator function.",
					    rt_orch_name(o)));
}

/* Drops every message of an instance that no longer exists. */
static void drop_orphans(struct engine_batch *b, const char *instance_id)
{
	struct rt_inbox_msg *msgs;
	size_t n;
	if (rt_store_inbox_load(b->e->store, instance_id, b->now_us, 0, &msgs, &n, &b->arena) != 0) {
		b->failed = 1;
		return;
	}
	int64_t *ids = rt_arena_alloc(&b->arena, (n + 1) * sizeof(*ids));
	for (size_t i = 0; i < n; i++)
		ids[i] = msgs[i].id;
	if (rt_store_inbox_delete(b->e->store, ids, n, NULL) != 0)
		b->failed = 1;
}

static int do_actions(struct engine_batch *b, const struct rt_instance *inst,
		      const struct rt_episode_out *out)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;

	for (size_t i = 0; i < out->n_actions; i++) {
		const struct rt_action *a = &out->actions[i];
		switch (a->kind) {
		case RT_ACT_ACTIVITY: {
			struct rt_activity act;
			memset(&act, 0, sizeof(act));
			act.instance_id = inst->instance_id;
			act.execution_id = inst->execution_id;
			act.task_id = a->seq;
			act.name = a->name;
			act.input = a->input;
			if (engine_dispatch_new_activity(b, &act) != 0)
				return -1;
			break;
		}
		case RT_ACT_TIMER:
			if (engine_inbox_add(b, inst->instance_id, inst->execution_id, a->fire_at_us,
					     &a->msg) != 0)
				return -1;
			break;
		case RT_ACT_SUB_ORCH: {
			char *err = NULL;
			int rc = engine_create_instance(b, a->instance_id, a->name, a->input, &a->msg,
							&err);
			if (rc == RT_E_EXISTS) {
				/* The child id is taken by a running instance: the call fails. */
				struct rt_event ev;
				rt_event_init(&ev, RT_EV_SUB_ORCH_FAILED);
				ev.timestamp_us = b->now_us;
				ev.task_scheduled_id = a->seq;
				ev.reason = rt_arena_strdup(&b->arena, err);
				ev.details = ev.reason;
				free(err);
				if (engine_inbox_add(b, inst->instance_id, inst->execution_id, 0, &ev) != 0)
					return -1;
				break;
			}
			free(err);
			if (rc != RT_OK)
				return -1;
			break;
		}
		case RT_ACT_SEND_EVENT: {
			struct rt_instance target;
			/* Entities exist from their first message on. */
			if (rt_entity_id_is(a->instance_id)) {
				if (engine_entity_deliver(b, a->instance_id, a->msg.name, a->msg.input,
							  rt_entity_msg_due(a->msg.input)) != 0)
					return -1;
				break;
			}
			int rc = rt_store_instance_get(st, a->instance_id, &target, &b->arena);
			/* Events to unknown instances are dropped, as in Durable Functions. */
			if (rc == RT_E_NOTFOUND)
				break;
			if (rc != 0 || engine_inbox_add(b, a->instance_id, NULL, 0, &a->msg) != 0)
				return -1;
			break;
		}
		case RT_ACT_NOTIFY_PARENT:
			if (engine_inbox_add(b, a->instance_id, a->execution_id, 0, &a->msg) != 0)
				return -1;
			break;
		case RT_ACT_CONTINUE_AS_NEW: {
			struct rt_instance row = *inst;
			struct rt_event ev = a->msg;
			char exec_id[33];
			rt_uuid_random_hex(exec_id);
			/* One generation of history only: the old one goes. */
			if (rt_store_history_delete(st, inst->instance_id, NULL, NULL) != 0)
				return -1;
			row.execution_id = exec_id;
			/* A new execution of the id, as a restart is: the dashboard
			 * shows how many came before this one. */
			row.generation = inst->generation + 1;
			row.status = RT_ST_RUNNING;
			row.created_us = b->now_us;
			row.updated_us = b->now_us;
			row.history_len = 0;
			row.input = a->input ? a->input : "null";
			row.output = NULL;
			row.custom_status = out->custom_status_set ? out->custom_status
								   : inst->custom_status;
			if (rt_store_instance_put(st, &row, 1) != 0)
				return -1;
			ev.type = RT_EV_EXECUTION_STARTED;
			ev.timestamp_us = b->now_us;
			ev.name = inst->name;
			ev.input = row.input;
			ev.previous_input = inst->input;
			ev.instance_id = inst->instance_id;
			ev.execution_id = rt_arena_strdup(&b->arena, exec_id);
			if (engine_inbox_add(b, inst->instance_id, ev.execution_id, 0, &ev) != 0)
				return -1;
			for (size_t k = 0; k < a->n_carried; k++)
				if (engine_inbox_add(b, inst->instance_id, ev.execution_id, 0,
						     &a->carried[k]) != 0)
					return -1;
			return 1; /* the row is written; skip the normal update */
		}
		}
	}
	return 0;
}

static int only_results(const struct engine_mail *m)
{
	for (; m; m = m->next)
		if (!engine_is_result(m->type))
			return 0;
	return 1;
}

/* Keeps the messages due now, and the results stored for later (parked
 * or paced): an episode takes those early. Returns the new count. */
static size_t due_or_result(struct rt_inbox_msg *msgs, size_t n, int64_t now_us)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (msgs[i].visible_us <= now_us || engine_is_result(msgs[i].type))
			msgs[k++] = msgs[i];
	return k;
}

/* Stores an instance's in-batch mail in the inbox, visible from
 * visible_us: the engine sleeps until then (or until other work comes)
 * and that episode takes everything that arrived in between. */
static int hold_mail(struct engine_batch *b, const char *instance_id, struct engine_mail *m,
		     int64_t visible_us)
{
	for (; m; m = m->next)
		if (engine_mail_store(b, instance_id, m, visible_us, NULL) != 0)
			return -1;
	return 0;
}

/* An instance whose app cannot run now (engine.h, can_run): every message
 * of this episode, stored (already deleted in its savepoint) and in-batch,
 * goes back to the inbox out of sight for a while, in arrival order. */
static int wait_for_app(struct engine_batch *b, const char *instance_id,
			const struct rt_inbox_msg *stored, size_t nstored, struct engine_mail *mail)
{
	int64_t visible_us = engine_not_now_until(b);
	for (size_t i = 0; i < nstored; i++) {
		struct rt_inbox_msg msg = stored[i];
		msg.instance_id = instance_id;
		/* What was due, or held back before, waits as one (so that the
		 * episode after it finds the ExecutionStarted); a timer not due
		 * yet keeps its time: a resume brings forward only held-back
		 * work, never a timer. */
		if (msg.visible_us <= b->now_us || engine_not_now_held(b, msg.visible_us))
			msg.visible_us = visible_us;
		if (rt_store_inbox_add(b->e->store, &msg, NULL) != 0)
			return -1;
	}
	return hold_mail(b, instance_id, mail, visible_us);
}

static int terminates(const struct rt_event *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (msgs[i].type == RT_EV_EXECUTION_TERMINATED)
			return 1;
	return 0;
}

static int rewind_one(struct engine_batch *b, const char *instance_id, const char *reason,
		      int depth);

/* A failure's output is a JSON string; its trace line shows the text. */
static const char *unquoted(struct rt_arena *a, const char *json)
{
	size_t n = json ? strlen(json) : 0;
	if (n >= 2 && json[0] == '"' && json[n - 1] == '"')
		return rt_arena_strndup(a, json + 1, n - 2);
	return json ? json : "";
}

/* Fills the parts of `in` that come from the hooks; `fn` is the
 * orchestrator function found for it (or NULL). */
static void episode_hooks(const struct rt_engine *e, struct rt_episode_in *in, void *fn)
{
	const struct rt_engine_hooks *h = &e->opts.hooks;
	in->fn = fn;
	in->run = in->fn ? h->run_orchestrator : missing_orchestrator;
	in->is_activity = is_activity;
	in->is_orchestrator = is_orchestrator;
	in->ctx = (void *)h;
	in->max_actions = e->opts.max_actions;
}

int engine_episode_outcome(struct engine_batch *b, struct rt_instance *inst,
			   const struct rt_episode_out *outp, int rc, int64_t replay_us,
			   struct engine_episode_log *lg)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	const struct rt_engine_hooks *h = &e->opts.hooks;
	const struct rt_episode_out out = *outp;
	const char *instance_id = inst->instance_id;
	struct rt_history_row *new_rows;

	if (rc == -2) {
		/* It did not run to an end (its worker died): commit nothing for
		 * it, keep its messages, and let the next batch try again. */
		engine_log(e, "Host.Triggers.DurableTask", 3, "%s: episode not run: %s; it runs again",
			   instance_id, out.error ? out.error : "unknown error");
		return 1;
	}
	if (rc != 0) {
		/* History the replayer cannot use: fail the instance, keep the rows. */
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR, "%s: cannot replay: %s", instance_id,
			   out.error ? out.error : "unknown error");
		inst->status = RT_ST_FAILED;
		inst->output = rt_arena_fmt(&b->arena, "\"Orchestrator function '%s' failed: %s\"",
					    inst->name, out.error ? out.error : "cannot replay");
		inst->updated_us = b->now_us;
		if (rt_store_instance_update(st, inst) != 0)
			goto fail_rollback;
		engine_wait_note(b, inst);
		goto release;
	}
	lg->inv.failed = out.status == RT_ST_FAILED;
	if (h->invocation)
		h->invocation(&lg->inv, RT_INVOCATION_END);
	if (h->durable_report && (out.status == RT_ST_FAILED || out.status == RT_ST_COMPLETED ||
				  out.status == RT_ST_CONTINUED_AS_NEW)) {
		int failed = out.status == RT_ST_FAILED;
		struct rt_durable_report r = {
			.fn = RT_DURABLE_ORCHESTRATOR,
			.outcome = failed ? RT_DURABLE_FAILED : RT_DURABLE_COMPLETED,
			.instance_id = instance_id,
			.name = inst->name,
			.output = failed ? NULL : out.output,
			.continued_as_new = out.status == RT_ST_CONTINUED_AS_NEW,
			.reason = failed ? unquoted(&b->arena, out.output) : NULL,
			.task_event_id = -1};
		h->durable_report(h->ctx, &r);
	}

	new_rows = rt_arena_alloc(&b->arena, (out.n_new_events + 1) * sizeof(*new_rows));
	for (size_t i = 0; i < out.n_new_events; i++)
		engine_encode_row(b, &out.new_events[i], inst->history_len + (int)i, &new_rows[i]);
	rc = rt_store_history_append(st, instance_id, inst->execution_id, new_rows, out.n_new_events);
	if (rc == RT_E_CONFLICT)
		return 1; /* someone else checkpointed this execution: replay next time */
	if (rc != 0)
		goto fail_rollback;

	rc = do_actions(b, inst, &out);
	if (rc < 0)
		goto fail_rollback;
	if (rc == 0) {
		inst->status = out.status;
		inst->output = out.output;
		if (out.custom_status_set)
			inst->custom_status = out.custom_status;
		inst->updated_us = b->now_us;
		inst->history_len += (int)out.n_new_events;
		if (rt_store_instance_update(st, inst) != 0)
			goto fail_rollback;
		if (rt_status_is_terminal(inst->status))
			engine_wait_note(b, inst);
	}
	/* Last: out's strings may live in the cached past this changes. A
	 * failed batch clears the whole cache, so appending before the commit
	 * is safe. */
	if (rc == 0 && !rt_status_is_terminal(out.status)) {
		engine_cache_append(e->cache, instance_id, inst->execution_id,
				    inst->history_len - (int)out.n_new_events, out.new_events,
				    out.n_new_events, b->now_us);
		engine_cache_note_episode(e->cache, instance_id, replay_us, out.n_actions == 0,
					  rt_mono_us());
	} else {
		engine_cache_drop(e->cache, instance_id);
	}
	e->stats.episodes++;
release:
	if (rt_store_savepoint_release(st) != 0)
		b->failed = 1;
	return 0;
fail_rollback:
	engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR, "%s: episode not committed: %s", instance_id,
		   rt_store_errmsg(st));
	rt_store_savepoint_rollback(st);
	b->failed = 1;
	return 0;
}

/* ---- episodes replayed together (the replay_batch hook) --------------------

 * An episode that replays through the hook is prepared as the others are
 * (instance, messages, past), then waits on b->pending; engine_episode_flush
 * hands every waiting one to the hook in one call and writes each outcome
 * as the hook reports it final (while the rest still run), each under its
 * own savepoint, exactly as an inline episode would. The savepoint and the inbox delete come only then: while they
 * wait, nothing of them is written, so an episode that does not run (-2)
 * or a batch that fails leaves everything as it was. The past is on loan
 * from the cache (engine_cache_lend), since the preparing of the next ones
 * may evict what an inline episode would have borrowed. */
struct engine_pending_episode {
	struct engine_pending_episode *next;
	struct rt_instance inst; /* as read when prepared; strings in b->arena */
	struct rt_episode_in in;
	struct engine_episode_log lg;
	int64_t *ids;             /* the stored messages it consumes */
	size_t nids;
	struct engine_mail *mail; /* this batch's mail it consumes */
	struct engine_cache_loan *loan;
};

static void defer_episode(struct engine_batch *b, const struct rt_instance *inst,
			  const struct rt_episode_in *in, int64_t *ids, size_t nids,
			  struct engine_mail *mail)
{
	struct rt_engine *e = b->e;
	struct engine_pending_episode *p = rt_arena_calloc(&b->arena, sizeof(*p));
	const struct rt_event *past = NULL;
	const struct rt_past_index *index = NULL;

	p->inst = *inst;
	p->in = *in;
	p->in.instance_id = p->inst.instance_id;
	p->in.execution_id = p->inst.execution_id;
	p->in.name = p->inst.name;
	p->ids = ids;
	p->nids = nids;
	p->mail = mail;
	p->loan = engine_cache_lend(e->cache, inst->instance_id, inst->execution_id,
				    inst->history_len, &past, &index);
	if (!p->loan) {
		struct rt_history_row *rows;
		size_t nrows;
		if (rt_store_history_load(e->store, inst->instance_id, inst->execution_id, &rows,
					  &nrows, &b->arena) != 0) {
			engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR,
				   "%s: episode not committed: %s", inst->instance_id,
				   rt_store_errmsg(e->store));
			b->failed = 1;
			return;
		}
		if ((int)nrows != inst->history_len ||
		    engine_cache_put(e->cache, inst->instance_id, inst->execution_id, rows, nrows,
				     b->now_us) != 0 ||
		    !(p->loan = engine_cache_lend(e->cache, inst->instance_id, inst->execution_id,
						  (int)nrows, &past, &index))) {
			past = engine_decode_rows(rows, nrows, &b->arena);
			index = NULL;
			if (!past) {
				engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR,
					   "%s: episode not committed: a history row does not decode",
					   inst->instance_id);
				b->failed = 1;
				return;
			}
		}
	}
	p->in.past = past;
	p->in.n_past = (size_t)inst->history_len;
	p->in.past_index = index;
	p->in.arena = &b->arena;
	if (b->pending_tail)
		b->pending_tail->next = p;
	else
		b->pending = p;
	b->pending_tail = p;
	b->npending++;
}

/* 1 if the row is still the one the episode was prepared from: with
 * AnyState a sub-orchestration created by an episode of the same flush may
 * have replaced it. */
static int still_same(struct engine_batch *b, const struct engine_pending_episode *p)
{
	struct rt_instance now;
	if (!b->e->opts.overwrite_any_state)
		return 1;
	if (rt_store_instance_get(b->e->store, p->inst.instance_id, &now, &b->arena) != 0)
		return 0;
	return strcmp(now.execution_id, p->inst.execution_id) == 0 &&
	       now.history_len == p->inst.history_len && now.status == p->inst.status &&
	       now.generation == p->inst.generation;
}

/* Commits one outcome of a flush, as the tail of engine_episode does. */
static void finish_deferred(struct engine_batch *b, struct engine_pending_episode *p,
			    const struct rt_episode_out *out, int rc, int64_t replay_us)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	const char *id = p->inst.instance_id;

	if (rt_store_savepoint(st) != 0) {
		b->failed = 1;
		return;
	}
	if (rt_store_inbox_delete(st, p->ids, p->nids, NULL) != 0) {
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR,
			   "%s: episode not committed: %s", id, rt_store_errmsg(st));
		rt_store_savepoint_rollback(st);
		b->failed = 1;
		return;
	}
	/* Back in the table before the outcome appends to it. */
	engine_cache_give_back(e->cache, p->loan, 1, b->now_us);
	p->loan = NULL;
	if (!still_same(b, p)) {
		keep_mail_for_retry(b, id, p->mail);
		return;
	}
	if (engine_episode_outcome(b, &p->inst, out, rc, replay_us, &p->lg) == 1)
		keep_mail_for_retry(b, id, p->mail);
}

struct flush_state {
	struct engine_batch *b;
	struct engine_pending_episode **eps;
	struct rt_episode_out *outs;
	int *rcs;
	int64_t t0;
	size_t ndone;
};

/* The hook's done(): one outcome is final, write it now. */
static void episode_done(void *arg, size_t i)
{
	struct flush_state *f = arg;
	f->ndone++;
	/* What each cost is not known apart: the pacing and the replay-thread
	 * choice get the mean so far. */
	int64_t each_us = (rt_mono_us() - f->t0) / (int64_t)f->ndone;
	if (!f->b->failed)
		finish_deferred(f->b, f->eps[i], &f->outs[i], f->rcs[i], each_us);
}

void engine_episode_flush(struct engine_batch *b)
{
	struct rt_engine *e = b->e;
	const struct rt_engine_hooks *h = &e->opts.hooks;
	struct engine_pending_episode *list = b->pending, *p;
	size_t n = b->npending, i;

	/* The entity batches prepared beside them go too (one write each). */
	engine_entity_flush(b);
	b->pending = b->pending_tail = NULL;
	b->npending = 0;
	if (!list)
		return;
	if (!b->failed) {
		void **fns = rt_arena_alloc(&b->arena, n * sizeof(*fns));
		const struct rt_episode_in **ins = rt_arena_alloc(&b->arena, n * sizeof(*ins));
		struct flush_state f = {
			.b = b,
			.eps = rt_arena_alloc(&b->arena, n * sizeof(*f.eps)),
			.outs = rt_arena_calloc(&b->arena, n * sizeof(*f.outs)),
			.rcs = rt_arena_alloc(&b->arena, n * sizeof(*f.rcs)),
		};
		for (p = list, i = 0; p; p = p->next, i++) {
			engine_episode_begin(b, &p->in, &p->lg);
			fns[i] = p->in.fn;
			ins[i] = &p->in;
			f.eps[i] = p;
			f.rcs[i] = -1;
		}
		f.t0 = rt_mono_us();
		h->replay_batch(h->ctx, n, fns, ins, f.outs, f.rcs, episode_done, &f);
	}
	/* Loans of episodes not committed (a failed batch) are dropped. */
	for (p = list; p; p = p->next)
		if (p->loan)
			engine_cache_give_back(e->cache, p->loan, 0, 0);
}

void engine_episode(struct engine_batch *b, const char *instance_id)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	struct rt_instance inst;
	struct rt_inbox_msg *msgs;
	struct rt_history_row *rows;
	const struct rt_event *past;
	struct rt_event *keep;
	struct rt_episode_in in;
	struct rt_episode_out out;
	struct engine_episode_log lg;
	size_t nmsgs, nrows, nkeep = 0;
	int64_t *ids;
	int rc, rewind_due = 0;
	const char *rewind_reason = NULL;

	if (rt_entity_id_is(instance_id)) {
		engine_entity_batch(b, instance_id);
		return;
	}
	/* Its replay runs on the replay thread: its mail waits in the inbox. */
	if (engine_offload_busy(e, instance_id))
		return;
	struct engine_mail *mail = engine_mail_take(b, instance_id), *mail_head = mail;
	size_t nmail = 0;

	b->episodes++;
	rc = rt_store_instance_get(st, instance_id, &inst, &b->arena);
	if (rc == RT_E_NOTFOUND) {
		drop_orphans(b, instance_id); /* in-batch mail is simply dropped */
		return;
	}
	msgs = NULL;
	nmsgs = 0;
	/* Its app cannot run now (engine.h, can_run): the messages it holds
	 * back (wait_for_app) come along with whatever made it due, so that a
	 * terminate finds the ExecutionStarted of an instance that never ran.
	 * The load's horizon (ENGINE_OFFLOAD_PARK_US) reaches past them. */
	const struct rt_engine_hooks *h = &e->opts.hooks;
	void *fn = rc == 0 && h->find_orchestrator ? h->find_orchestrator(h->ctx, inst.name) : NULL;
	int waits = fn && h->can_run && !h->can_run(h->ctx, fn);
	/* A replay off the engine thread takes at most ENGINE_OFFLOAD_MAX_MSGS
	 * messages: the batch that commits its outcome writes a row for each. */
	int offload = rc == 0 && !waits && engine_offload_wanted(b, &inst);
	size_t limit = offload ? ENGINE_OFFLOAD_MAX_MSGS : 0;
	if (rc != 0 || ((waits || engine_may_have_stored(b, instance_id)) &&
			rt_store_inbox_load(st, instance_id,
					    waits ? engine_not_now_horizon(b)
						  : b->now_us + ENGINE_OFFLOAD_PARK_US,
					    limit,
					    &msgs, &nmsgs, &b->arena) != 0)) {
		b->failed = 1;
		return;
	}
	size_t nloaded = nmsgs, ndue = 0;
	nmsgs = due_or_result(msgs, nmsgs, waits ? engine_not_now_horizon(b) : b->now_us);
	for (size_t i = 0; i < nmsgs; i++)
		ndue += msgs[i].visible_us <= b->now_us;
	if (limit && nloaded == limit && mail) {
		/* Older messages fill it: this batch's wait in the inbox. */
		if (hold_mail(b, instance_id, mail, 0) != 0) {
			b->failed = 1;
			return;
		}
		b->more = 1;
		mail = mail_head = NULL;
	}
	/* A heavy instance that only absorbs results, whose last episode just
	 * ended, waits (engine_cache.h): nothing but results is held, and
	 * never when stored messages are due anyway. */
	if (ndue == 0 && mail && only_results(mail)) {
		int64_t until = engine_cache_pace_until(e->cache, instance_id), now = rt_mono_us();
		if (until > now) {
			if (hold_mail(b, instance_id, mail, b->now_us + (until - now)) != 0)
				b->failed = 1;
			return;
		}
	}
	for (struct engine_mail *m = mail; m; m = m->next)
		nmail++;
	ids = rt_arena_alloc(&b->arena, (nmsgs + 1) * sizeof(*ids));
	keep = rt_arena_calloc(&b->arena, (nmsgs + nmail + 1) * sizeof(*keep));
	/* Stored messages are older than this batch's mail: arrival order. */
	for (size_t i = 0; i < nmsgs + nmail; i++) {
		const char *exec;
		const void *data;
		size_t len;
		int type;
		if (i < nmsgs) {
			ids[i] = msgs[i].id;
			exec = msgs[i].execution_id;
			data = msgs[i].data;
			len = msgs[i].len;
			type = msgs[i].type;
		} else {
			exec = mail->execution_id;
			data = mail->data;
			len = mail->len;
			type = mail->type;
			mail = mail->next;
		}
		/* Results for an older execution, and anything sent to a finished
		 * instance, are consumed without effect. */
		if (exec && strcmp(exec, inst.execution_id) != 0)
			continue;
		/* A queued rewind (written by store_offline.c while no host ran)
		 * gets what the rewind command would do: only a Failed instance
		 * is rewound, and it is never an event the orchestrator sees. */
		if (type == RT_EV_EXECUTION_REWOUND) {
			struct rt_event rw;
			if (inst.status == RT_ST_FAILED && !rewind_due &&
			    rt_history_decode(data, len, &rw, &b->arena) == 0) {
				rewind_due = 1;
				rewind_reason = rw.reason;
			}
			continue;
		}
		if (rt_status_is_terminal(inst.status))
			continue;
		if (rt_history_decode(data, len, &keep[nkeep], &b->arena) != 0)
			continue;
		keep[nkeep].is_played = 0;
		nkeep++;
	}
	memset(&in, 0, sizeof(in));
	in.instance_id = inst.instance_id;
	in.execution_id = inst.execution_id;
	in.name = inst.name;
	in.msgs = keep;
	in.n_msgs = nkeep;
	in.now_us = b->now_us;
	in.custom_status = inst.custom_status;
	episode_hooks(e, &in, fn);
	/* A replay that costs more than the others may wait for goes to the
	 * replay thread (engine_offload.c); the messages stay in the inbox
	 * until its outcome is committed. */
	if (!rewind_due && nkeep > 0 && offload &&
	    engine_offload_launch(b, &inst, &in, ids, nmsgs, mail_head) == 0)
		return;
	/* Replays that go to the replay_batch hook wait for the others of
	 * this batch (engine_episode_flush); the rest runs here as before. */
	if (h->replay_batch && fn && !rewind_due && nkeep > 0 && !(waits && !terminates(keep, nkeep))) {
		defer_episode(b, &inst, &in, ids, nmsgs, mail_head);
		return;
	}
	if (rt_store_savepoint(st) != 0) {
		b->failed = 1;
		return;
	}
	if (rt_store_inbox_delete(st, ids, nmsgs, NULL) != 0)
		goto fail_rollback;
	/* The instance is Failed, so nothing else here had an effect. */
	if (rewind_due) {
		if (rewind_one(b, instance_id, rewind_reason, 0) != 0)
			goto fail_rollback;
		goto release;
	}
	if (nkeep == 0)
		goto release;
	if (waits && !terminates(keep, nkeep)) {
		if (wait_for_app(b, instance_id, msgs, nmsgs, mail_head) != 0)
			goto fail_rollback;
		goto release;
	}

	/* The past is borrowed from the cache when it holds it: valid until
	 * this episode changes the slot, which it does only after its last use
	 * of the replay's output (see engine_episode_outcome). */
	const struct rt_past_index *past_index = NULL;
	if (engine_cache_get(e->cache, instance_id, inst.execution_id, inst.history_len, b->now_us,
			     &past, &past_index) == 0) {
		nrows = (size_t)inst.history_len;
	} else {
		if (rt_store_history_load(st, instance_id, inst.execution_id, &rows, &nrows,
					  &b->arena) != 0)
			goto fail_rollback;
		if ((int)nrows != inst.history_len ||
		    engine_cache_put(e->cache, instance_id, inst.execution_id, rows, nrows,
				     b->now_us) != 0 ||
		    engine_cache_get(e->cache, instance_id, inst.execution_id, (int)nrows, b->now_us,
				     &past, &past_index) != 0) {
			past = engine_decode_rows(rows, nrows, &b->arena);
			past_index = NULL;
			if (!past)
				goto fail_rollback;
		}
	}
	in.past = past;
	in.n_past = nrows;
	in.past_index = past_index;
	in.arena = &b->arena;

	engine_episode_begin(b, &in, &lg);
	int64_t t0 = rt_mono_us();
	rc = engine_episode_replay(&e->opts.hooks, &in, &out);
	if (engine_episode_outcome(b, &inst, &out, rc, rt_mono_us() - t0, &lg) == 1)
		keep_mail_for_retry(b, instance_id, mail_head);
	return;
release:
	if (rt_store_savepoint_release(st) != 0)
		b->failed = 1;
	return;
fail_rollback:
	engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR, "%s: episode not committed: %s", instance_id,
		   rt_store_errmsg(st));
	rt_store_savepoint_rollback(st);
	b->failed = 1;
}

/* Rewind of a Failed instance (§8.6): rewrite the failure rows, reset the
 * status to Pending, wake it with a GenericEvent; failed children too. */
static int rewind_one(struct engine_batch *b, const char *instance_id, const char *reason,
		      int depth)
{
	struct rt_store *st = b->e->store;
	struct rt_instance inst;
	struct rt_event *hist, *rewritten, ev;
	const char **children;
	size_t n, nchildren;

	if (depth > 32 || rt_store_instance_get(st, instance_id, &inst, &b->arena) != 0)
		return 0;
	if (inst.status != RT_ST_FAILED)
		return 0;
	if (rt_engine_history(st, instance_id, inst.execution_id, &hist, &n, &b->arena) != 0)
		return -1;
	if (rt_replay_rewind(hist, n, &b->arena, &rewritten, &children, &nchildren) != 0)
		return 0;
	/* Rows are rewritten in place: a cached copy would replay the failure. */
	engine_cache_drop(b->e->cache, instance_id);
	for (size_t i = 0; i < n; i++) {
		struct rt_history_row row;
		if (rewritten[i].type == hist[i].type)
			continue;
		engine_encode_row(b, &rewritten[i], (int)i, &row);
		if (rt_store_history_rewrite(st, instance_id, inst.execution_id, (int)i, row.type,
					     row.data, row.len) != 0)
			return -1;
	}
	for (size_t i = 0; i < nchildren; i++)
		if (rewind_one(b, children[i], reason, depth + 1) != 0)
			return -1;
	inst.status = RT_ST_PENDING;
	inst.output = NULL;
	inst.updated_us = b->now_us;
	if (rt_store_instance_update(st, &inst) != 0)
		return -1;
	rt_event_init(&ev, RT_EV_GENERIC);
	ev.timestamp_us = b->now_us;
	ev.data = reason ? reason : "";
	return engine_inbox_add(b, instance_id, inst.execution_id, 0, &ev);
}

void engine_rewind(struct engine_batch *b, struct engine_cmd *c, const struct rt_instance *inst)
{
	(void)inst;
	if (rewind_one(b, c->instance_id, c->data, 0) != 0) {
		c->rc = RT_ERROR;
		free(c->err);
		c->err = xstrdup(rt_store_errmsg(b->e->store));
		return;
	}
	c->rc = RT_OK;
}
