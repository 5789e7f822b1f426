/*
 * replay.c - one episode (replay.h): builds the timeline, applies its events
 * to the tasks of replay_tasks.c while the code awaits, decides the outcome and
 * turns new actions into history events and outbound actions.
 *
 * The timeline is past + [OrchestratorStarted(now)] + msgs with the
 * ExecutionStarted moved first. `cur` only moves forward; while suspended,
 * deliverable events (results, timers, raised events) are parked in `held`
 * and handed out again, in order, after the ExecutionResumed.
 */
#include "runtime/replay_int.h"
#include "common/json_quote.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* JSON string literal of s (UTF-8 passes through), in the episode arena. */
char *json_quote(struct rt_arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = rt_arena_alloc(a, rt_json_quoted_len(s, n) + 1);
	rt_json_quote_to(out, s, n);
	return out;
}

/* ------------------------------------------------------------------ */
/* timeline                                                             */

static int deliverable(enum rt_event_type t)
{
	return t == RT_EV_TASK_COMPLETED || t == RT_EV_TASK_FAILED ||
	       t == RT_EV_SUB_ORCH_COMPLETED || t == RT_EV_SUB_ORCH_FAILED ||
	       t == RT_EV_TIMER_FIRED || t == RT_EV_EVENT_RAISED;
}

/* Timeline entry i: the past is read in place (no copy of a long history
 * per episode), the rest comes from o->tl. */
static struct tl_entry tl_at(const struct rt_orch *o, size_t i)
{
	if (i < o->in->n_past)
		return (struct tl_entry){ &o->in->past[i], 1, 0 };
	return o->tl[i - o->in->n_past];
}

int orch_next_event(struct rt_orch *o, struct tl_entry *e)
{
	for (;;) {
		if (!o->suspended && o->held_head < o->held.n) {
			*e = ((struct tl_entry *)o->held.v)[o->held_head++];
			/* Released by the resume: it is as old as the resume. */
			e->played = o->release_played;
			return 1;
		}
		if (o->cur >= o->n_tl)
			return 0;
		*e = tl_at(o, o->cur++);
		if (o->suspended && deliverable(e->ev->type)) {
			*(struct tl_entry *)rt_vec_push(&o->held, sizeof(*e)) = *e;
			continue;
		}
		return 1;
	}
}

static void resolve(struct rt_orch *o, int seq, enum task_kind kind, enum task_state st,
		    const char *text)
{
	struct rt_task *t;

	/* Unknown, other-kind or closed ids are duplicates or results for
	 * cancelled timers: ignored (§4.2). */
	if (seq < 0 || (size_t)seq >= o->by_seq.n)
		return;
	t = ((struct rt_task **)o->by_seq.v)[seq];
	if (t->kind != kind || t->state != TS_PENDING)
		return;
	task_complete(t, st, text);
	if (t->owner)
		task_retry_step(t->owner, t);
}

static void deliver_event(struct rt_orch *o, const struct tl_entry *e)
{
	const char *name = e->ev->name ? e->ev->name : "";
	struct rt_task **w = o->waiters.v;

	if (o->outcome == OUT_CAN) {
		/* Decided to continue as new: the next execution gets it. */
		*(const struct rt_event **)rt_vec_push(&o->carried, sizeof(e->ev)) = e->ev;
		return;
	}
	/* Resolved waiters at the end go: a loop of waits leaves no trail
	 * for every later event to walk past. */
	while (o->waiters.n && w[o->waiters.n - 1]->state != TS_PENDING)
		o->waiters.n--;
	/* The newest open waiter of that name wins (LIFO). */
	for (size_t i = o->waiters.n; i-- > 0;) {
		if (w[i]->state == TS_PENDING && strcasecmp(w[i]->name, name) == 0) {
			task_complete(w[i], TS_OK, e->ev->input);
			return;
		}
	}
	struct tl_entry *b = rt_vec_push(&o->buffered, sizeof(*e));
	*b = *e;
	b->serial = ++o->serial;
}

void orch_apply(struct rt_orch *o, const struct tl_entry *e)
{
	const struct rt_event *ev = e->ev;

	o->last_played = e->played;
	switch (ev->type) {
	case RT_EV_ORCHESTRATOR_STARTED:
		if (ev->timestamp_us > o->now_us)
			o->now_us = ev->timestamp_us;
		break;
	case RT_EV_EXECUTION_SUSPENDED:
		o->suspended = 1;
		o->suspend_reason = ev->reason;
		o->last_was_resume = 0;
		break;
	case RT_EV_EXECUTION_RESUMED:
		if (o->suspended) {
			o->suspended = 0;
			o->release_played = e->played;
		}
		o->resume_reason = ev->reason;
		o->last_was_resume = 1;
		break;
	case RT_EV_TASK_COMPLETED:
		resolve(o, ev->task_scheduled_id, TK_ACTIVITY, TS_OK, ev->result);
		break;
	case RT_EV_TASK_FAILED:
		resolve(o, ev->task_scheduled_id, TK_ACTIVITY, TS_FAILED, ev->reason);
		break;
	case RT_EV_SUB_ORCH_COMPLETED:
		resolve(o, ev->task_scheduled_id, TK_SUB_ORCH, TS_OK, ev->result);
		break;
	case RT_EV_SUB_ORCH_FAILED:
		resolve(o, ev->task_scheduled_id, TK_SUB_ORCH, TS_FAILED, ev->reason);
		break;
	case RT_EV_TIMER_FIRED:
		resolve(o, ev->task_scheduled_id, TK_TIMER, TS_OK, NULL);
		break;
	case RT_EV_EVENT_RAISED:
		deliver_event(o, e);
		break;
	default:
		/* ExecutionStarted starts the code (rt_replay_run); scheduled
		 * events were matched by sequence number when the code made them;
		 * OrchestratorCompleted, GenericEvent and the rest change nothing. */
		break;
	}
}

/* ------------------------------------------------------------------ */
/* episode                                                              */

static int is_sched(enum rt_event_type t)
{
	return t == RT_EV_TASK_SCHEDULED || t == RT_EV_TIMER_CREATED ||
	       t == RT_EV_SUB_ORCH_CREATED || t == RT_EV_EVENT_SENT;
}

static int fail_input(struct rt_episode_out *out, const char *msg)
{
	out->error = msg;
	return -1;
}

/* A finished code waits for these (§6.7). */
static int outstanding(struct rt_orch *o)
{
	return o->n_open > 0;
}

static struct rt_event *ev_new(struct rt_orch *o, struct rt_vec *evs, enum rt_event_type type)
{
	struct rt_event *ev = rt_vec_push(evs, sizeof(*ev));
	rt_event_init(ev, type);
	ev->timestamp_us = o->in->now_us;
	return ev;
}

static void add_notify(struct rt_orch *o, struct rt_vec *acts, enum rt_status st, const char *text)
{
	const struct rt_event *s = o->started;
	struct rt_action *a;

	if (!s->parent_instance_id)
		return;
	a = rt_vec_push(acts, sizeof(*a));
	a->kind = RT_ACT_NOTIFY_PARENT;
	a->seq = -1;
	a->name = o->name;
	a->instance_id = s->parent_instance_id;
	a->execution_id = s->parent_execution_id;
	rt_event_init(&a->msg, st == RT_ST_COMPLETED ? RT_EV_SUB_ORCH_COMPLETED
						     : RT_EV_SUB_ORCH_FAILED);
	a->msg.timestamp_us = o->in->now_us;
	a->msg.task_scheduled_id = s->parent_task_id;
	if (st == RT_ST_COMPLETED)
		a->msg.result = text;
	else
		a->msg.reason = text;
}

static void add_action(struct rt_orch *o, struct rt_vec *evs, struct rt_vec *acts, struct rt_task *t)
{
	struct rt_action *a = rt_vec_push(acts, sizeof(*a));
	struct rt_event *ev;
	int64_t now = o->in->now_us;

	a->seq = t->seq;
	a->attempt = t->attempt;
	a->name = t->name;
	a->input = t->input;
	a->instance_id = t->instance_id;
	switch (t->kind) {
	case TK_ACTIVITY:
		a->kind = RT_ACT_ACTIVITY;
		ev = ev_new(o, evs, RT_EV_TASK_SCHEDULED);
		ev->name = t->name;
		ev->input = t->input;
		break;
	case TK_TIMER:
		a->kind = RT_ACT_TIMER;
		a->fire_at_us = t->fire_at_us;
		ev = ev_new(o, evs, RT_EV_TIMER_CREATED);
		ev->fire_at_us = t->fire_at_us;
		rt_event_init(&a->msg, RT_EV_TIMER_FIRED);
		a->msg.timestamp_us = t->fire_at_us;
		a->msg.task_scheduled_id = t->seq;
		a->msg.fire_at_us = t->fire_at_us;
		break;
	case TK_SUB_ORCH:
		a->kind = RT_ACT_SUB_ORCH;
		ev = ev_new(o, evs, RT_EV_SUB_ORCH_CREATED);
		ev->name = t->name;
		ev->input = t->input;
		ev->instance_id = t->instance_id;
		rt_event_init(&a->msg, RT_EV_EXECUTION_STARTED);
		a->msg.timestamp_us = now;
		a->msg.name = t->name;
		a->msg.input = t->input;
		a->msg.instance_id = t->instance_id;
		a->msg.parent_instance_id = o->instance_id;
		a->msg.parent_execution_id = o->execution_id;
		a->msg.parent_name = o->name;
		a->msg.parent_task_id = t->seq;
		break;
	default: /* TK_SEND */
		a->kind = RT_ACT_SEND_EVENT;
		ev = ev_new(o, evs, RT_EV_EVENT_SENT);
		ev->name = t->name;
		ev->input = t->input;
		ev->instance_id = t->instance_id;
		rt_event_init(&a->msg, RT_EV_EVENT_RAISED);
		a->msg.timestamp_us = now;
		a->msg.name = t->name;
		a->msg.input = t->input;
		break;
	}
	ev->event_id = t->seq;
	if (t->kind == TK_ACTIVITY)
		a->msg = *ev;
}

static void add_continue(struct rt_orch *o, struct rt_vec *acts)
{
	struct rt_action *a = rt_vec_push(acts, sizeof(*a));
	struct rt_vec carry = { 0 };

	a->kind = RT_ACT_CONTINUE_AS_NEW;
	a->seq = -1;
	a->name = o->name;
	a->instance_id = o->instance_id;
	a->input = o->out_value;
	a->msg = *o->started;
	a->msg.is_played = 0;
	a->msg.timestamp_us = o->in->now_us;
	a->msg.input = o->out_value;
	a->msg.execution_id = NULL;
	a->msg.event_id = -1;

	/* Oldest first: never-consumed buffered events (unless dropped), then
	 * events that arrived after the decision, then any still withheld by a
	 * suspension. */
	if (o->keep_events) {
		struct tl_entry *b = o->buffered.v;
		for (size_t i = 0; i < o->buffered.n; i++)
			if (b[i].ev)
				*(const struct rt_event **)rt_vec_push(&carry, sizeof(b[i].ev)) = b[i].ev;
	}
	for (size_t i = 0; i < o->carried.n; i++)
		*(const struct rt_event **)rt_vec_push(&carry, sizeof(void *)) =
			((const struct rt_event **)o->carried.v)[i];
	struct tl_entry *h = o->held.v;
	for (size_t i = o->held_head; i < o->held.n; i++)
		if (h[i].ev->type == RT_EV_EVENT_RAISED)
			*(const struct rt_event **)rt_vec_push(&carry, sizeof(void *)) = h[i].ev;

	struct rt_event *evs = rt_arena_alloc(o->a, (carry.n ? carry.n : 1) * sizeof(*evs));
	for (size_t i = 0; i < carry.n; i++) {
		evs[i] = *((const struct rt_event **)carry.v)[i];
		evs[i].is_played = 0;
	}
	a->carried = evs;
	a->n_carried = carry.n;
	rt_vec_free(&carry);
}

/* Builds the timeline and the past-action map; 0 or -1 (out->error). One
 * pass over the past, which is read where it is: a long history costs one
 * walk per episode here, not one per check. */
static int setup(struct rt_orch *o, struct rt_episode_out *out)
{
	const struct rt_episode_in *in = o->in;
	struct rt_event *os;
	size_t k = 0, es = (size_t)-1, max_ids = in->n_past + 1024;
	int max_id = -1;
	const char *corrupt = NULL; /* reported unless the execution ended */

	const struct rt_past_index *ix = in->n_past ? in->past_index : NULL;

	if (ix) {
		/* The keeper's facts: the past is only touched where they point. */
		o->past_sched = rt_arena_calloc(o->a, (ix->n_sched + 1) * sizeof(*o->past_sched));
		for (size_t id = 0; id < ix->n_sched; id++)
			if (ix->sched_at[id] >= 0 && (size_t)ix->sched_at[id] < in->n_past)
				o->past_sched[id] = &in->past[ix->sched_at[id]];
		max_id = (int)ix->n_sched - 1;
		o->prior_status = ix->prior;
		if (ix->started_at >= 0 && (size_t)ix->started_at < in->n_past)
			o->started = &in->past[ix->started_at];
		goto have_past;
	}
	/* Sequence numbers above n_past + 1024 are refused, so this holds them
	 * all; arena memory, so a long history does not cost fresh pages (and
	 * their faults) every episode. */
	o->past_sched = rt_arena_calloc(o->a, (max_ids + 1) * sizeof(*o->past_sched));
	o->prior_status = in->n_past ? RT_ST_RUNNING : RT_ST_PENDING;
	for (size_t i = 0; i < in->n_past; i++) {
		const struct rt_event *ev = &in->past[i];
		enum rt_event_type t = ev->type;
		if (t == RT_EV_EXECUTION_COMPLETED || t == RT_EV_CONTINUE_AS_NEW)
			return fail_input(out, "the execution has already ended");
		if (corrupt)
			continue;
		if (t == RT_EV_EXECUTION_SUSPENDED)
			o->prior_status = RT_ST_SUSPENDED;
		else if (t == RT_EV_EXECUTION_RESUMED)
			o->prior_status = RT_ST_RUNNING;
		else if (t == RT_EV_EXECUTION_STARTED && !o->started)
			o->started = ev;
		if (!is_sched(t))
			continue;
		int id = ev->event_id;
		if (id < 0 || (size_t)id > max_ids)
			corrupt = "corrupt history: bad sequence number";
		else if (o->past_sched[id])
			corrupt = "corrupt history: duplicate sequence number";
		else
			o->past_sched[id] = ev;
		if (id > max_id)
			max_id = id;
	}
	if (corrupt)
		return fail_input(out, corrupt);
have_past:
	o->n_past_sched = (size_t)(max_id + 1);
	o->claimed = rt_arena_calloc(o->a, o->n_past_sched + 1);

	o->n_tl = in->n_past + 1 + in->n_msgs;
	o->tl = rt_arena_alloc(o->a, (1 + in->n_msgs) * sizeof(*o->tl));
	os = rt_arena_alloc(o->a, sizeof(*os));
	rt_event_init(os, RT_EV_ORCHESTRATOR_STARTED);
	os->timestamp_us = in->now_us;
	o->tl[k++] = (struct tl_entry){ os, 0, 0 };
	for (size_t i = 0; i < in->n_msgs; i++)
		if (in->msgs[i].type == RT_EV_EXECUTION_STARTED) {
			es = i;
			o->tl[k++] = (struct tl_entry){ &in->msgs[i], 0, 0 };
			break;
		}
	for (size_t i = 0; i < in->n_msgs; i++)
		if (i != es)
			o->tl[k++] = (struct tl_entry){ &in->msgs[i], 0, 0 };

	if (!o->started && es != (size_t)-1)
		o->started = &in->msgs[es];
	if (!o->started)
		return fail_input(out, "no ExecutionStarted in the history or the messages");
	o->instance_id = in->instance_id ? in->instance_id
					 : o->started->instance_id ? o->started->instance_id : "";
	o->execution_id = in->execution_id ? in->execution_id
					   : o->started->execution_id ? o->started->execution_id : "";
	o->name = in->name ? in->name : o->started->name ? o->started->name : "";
	o->input = o->started->input ? o->started->input : "null";
	o->max_actions = in->max_actions > 0 ? in->max_actions : 100000;
	return 0;
}

/* Appends OrchestratorStarted and the messages (ExecutionStarted first). */
static void add_head(struct rt_orch *o, struct rt_vec *evs)
{
	for (size_t i = o->in->n_past; i < o->n_tl; i++) {
		struct rt_event *ev = rt_vec_push(evs, sizeof(*ev));
		*ev = *tl_at(o, i).ev;
		ev->is_played = 0;
	}
}

static int next_seq(struct rt_orch *o)
{
	size_t n = o->by_seq.n > o->n_past_sched ? o->by_seq.n : o->n_past_sched;
	return (int)n;
}

static int streq_null(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void finish_out(struct rt_orch *o, struct rt_episode_out *out, struct rt_vec *evs,
		       struct rt_vec *acts)
{
	ev_new(o, evs, RT_EV_ORCHESTRATOR_COMPLETED);
	out->new_events = rt_arena_alloc(o->a, (evs->n ? evs->n : 1) * sizeof(struct rt_event));
	memcpy(out->new_events, evs->v, evs->n * sizeof(struct rt_event));
	out->n_new_events = evs->n;
	out->actions = rt_arena_alloc(o->a, (acts->n ? acts->n : 1) * sizeof(struct rt_action));
	if (acts->n)
		memcpy(out->actions, acts->v, acts->n * sizeof(struct rt_action));
	out->n_actions = acts->n;
}

static void terminate(struct rt_orch *o, const struct rt_event *term, struct rt_episode_out *out,
		      struct rt_vec *evs, struct rt_vec *acts)
{
	struct rt_event *done;
	const char *reason = term->input;

	add_head(o, evs);
	done = ev_new(o, evs, RT_EV_EXECUTION_COMPLETED);
	done->event_id = next_seq(o);
	done->orchestration_status = RT_ST_TERMINATED;
	done->result = reason;
	add_notify(o, acts, RT_ST_TERMINATED, reason ? reason : "");
	out->status = RT_ST_TERMINATED;
	out->output = reason;
	out->changed = 1;
}

static void run_code(struct rt_orch *o, struct rt_episode_out *out, struct rt_vec *evs,
		     struct rt_vec *acts)
{
	const struct rt_episode_in *in = o->in;
	struct tl_entry e;
	enum rt_status st;
	int rc, final = 0;
	const char *text = NULL; /* parent notification: result or reason */

	/* The code starts once ExecutionStarted has been processed. */
	while (orch_next_event(o, &e)) {
		orch_apply(o, &e);
		if (e.ev == o->started)
			break;
	}
	o->replaying = o->last_played;
	rc = in->run(in->fn, o);
	/* Done for good: release a critical section the code left open. */
	if (o->episode_end)
		o->episode_end(o, rc);
	o->returned = 1;
	while (orch_next_event(o, &e))
		orch_apply(o, &e);
	if (!o->fatal)
		orch_check_missing(o);

	if (!o->fatal && o->outcome == OUT_CAN && rc == RT_ERROR)
		rt_orch_fail(o, o->last_error ? o->last_error
					      : "orchestrator function returned an error");
	if (!o->fatal && o->outcome == OUT_NONE) {
		if (rc == RT_OK)
			rt_orch_finish(o, NULL);
		else if (rc == RT_PENDING && !o->blocked)
			rt_orch_fail(o, "orchestrator returned pending with nothing to wait for");
		else if (rc == RT_ERROR)
			rt_orch_fail(o, o->last_error ? o->last_error
						      : "orchestrator function returned an error");
		else if (rc != RT_PENDING)
			rt_orch_fail(o, rt_arena_fmt(o->a, "orchestrator returned unknown code %d", rc));
	}

	if (o->fatal) {
		st = RT_ST_FAILED;
		text = o->fatal;
		out->output = json_quote(o->a, o->fatal);
		final = 1;
	} else if (o->outcome == OUT_CAN) {
		st = RT_ST_CONTINUED_AS_NEW;
		out->output = o->out_value;
	} else if (o->outcome != OUT_NONE && !outstanding(o)) {
		final = 1;
		if (o->outcome == OUT_FINISH) {
			st = RT_ST_COMPLETED;
			text = out->output = o->out_value;
		} else {
			st = RT_ST_FAILED;
			text = rt_arena_fmt(o->a, "Orchestrator function '%s' failed: %s", o->name,
					    o->out_value);
			out->output = json_quote(o->a, text);
		}
	} else if (o->suspended) {
		st = RT_ST_SUSPENDED;
		out->output = o->suspend_reason;
	} else {
		st = RT_ST_RUNNING;
		out->output = o->last_was_resume ? o->resume_reason : NULL;
	}

	add_head(o, evs);
	/* Fatal: nothing new starts for a failed orchestration. Suspended:
	 * held until the resume episode re-creates them (§8.4). */
	if (!o->fatal && st != RT_ST_SUSPENDED) {
		struct rt_task **t = o->new_tasks.v;
		for (size_t i = 0; i < o->new_tasks.n; i++)
			add_action(o, evs, acts, t[i]);
	}
	if (final) {
		struct rt_event *done = ev_new(o, evs, RT_EV_EXECUTION_COMPLETED);
		done->event_id = next_seq(o);
		done->orchestration_status = st;
		done->result = st == RT_ST_COMPLETED ? text : out->output;
		add_notify(o, acts, st, text);
	} else if (st == RT_ST_CONTINUED_AS_NEW) {
		struct rt_event *can = ev_new(o, evs, RT_EV_CONTINUE_AS_NEW);
		can->event_id = next_seq(o);
		can->orchestration_status = st;
		can->result = o->out_value;
		add_continue(o, acts);
	}
	out->status = st;
	out->custom_status_set = o->custom_set;
	out->custom_status = o->custom;
	out->changed = acts->n > 0 || st != o->prior_status ||
		       (o->custom_set && !streq_null(o->custom, in->custom_status));
}

int rt_replay_run(const struct rt_episode_in *in, struct rt_episode_out *out)
{
	struct rt_orch o;
	struct rt_vec evs = { 0 }, acts = { 0 };
	const struct rt_event *term = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!in || !in->arena || !in->run)
		return fail_input(out, "episode input without arena or run function");
	if ((in->n_past && !in->past) || (in->n_msgs && !in->msgs))
		return fail_input(out, "episode input with NULL event arrays");
	memset(&o, 0, sizeof(o));
	o.in = in;
	o.a = in->arena;
	if (setup(&o, out) < 0) {
		rc = -1;
		goto out_free;
	}
	for (size_t i = 0; i < in->n_msgs && !term; i++)
		if (in->msgs[i].type == RT_EV_EXECUTION_TERMINATED)
			term = &in->msgs[i];
	if (term)
		terminate(&o, term, out, &evs, &acts);
	else
		run_code(&o, out, &evs, &acts);
	for (size_t i = 0; i < in->n_msgs && !out->changed; i++)
		if (in->msgs[i].type == RT_EV_EXECUTION_SUSPENDED ||
		    in->msgs[i].type == RT_EV_EXECUTION_RESUMED)
			out->changed = 1;
	finish_out(&o, out, &evs, &acts);
out_free:
	rt_vec_free(&evs);
	rt_vec_free(&acts);
	rt_vec_free(&o.held);
	rt_vec_free(&o.by_seq);
	rt_vec_free(&o.new_tasks);
	rt_vec_free(&o.waiters);
	rt_vec_free(&o.buffered);
	rt_vec_free(&o.carried);
	return rc;
}

/* ------------------------------------------------------------------ */
/* rewind                                                               */

static void rewound(struct rt_arena *a, struct rt_event *ev)
{
	struct rt_event g;
	rt_event_init(&g, RT_EV_GENERIC);
	g.timestamp_us = ev->timestamp_us;
	g.is_played = ev->is_played;
	g.reason = rt_arena_fmt(a, "Rewound: %s", rt_event_type_name(ev->type));
	*ev = g;
}

int rt_replay_rewind(const struct rt_event *hist, size_t n, struct rt_arena *a,
		     struct rt_event **out, const char ***children, size_t *n_children)
{
	struct rt_event *h;
	const char **kids;
	size_t nk = 0;
	int failed = 0;

	*out = NULL;
	*children = NULL;
	*n_children = 0;
	for (size_t i = 0; i < n; i++)
		if (hist[i].type == RT_EV_EXECUTION_COMPLETED &&
		    hist[i].orchestration_status == RT_ST_FAILED)
			failed = 1;
	if (!failed)
		return -1;
	h = rt_arena_alloc(a, (n ? n : 1) * sizeof(*h));
	memcpy(h, hist, n * sizeof(*h));
	kids = rt_arena_alloc(a, (n ? n : 1) * sizeof(*kids));
	for (size_t i = 0; i < n; i++) {
		int id = h[i].task_scheduled_id;
		enum rt_event_type want;

		if (h[i].type == RT_EV_TASK_FAILED)
			want = RT_EV_TASK_SCHEDULED;
		else if (h[i].type == RT_EV_SUB_ORCH_FAILED)
			want = RT_EV_SUB_ORCH_CREATED;
		else if (h[i].type == RT_EV_EXECUTION_COMPLETED &&
			 h[i].orchestration_status == RT_ST_FAILED) {
			rewound(a, &h[i]);
			continue;
		} else {
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (h[j].type != want || h[j].event_id != id)
				continue;
			if (want == RT_EV_TASK_SCHEDULED)
				rewound(a, &h[j]);
			else if (h[j].instance_id)
				kids[nk++] = h[j].instance_id;
			break;
		}
		rewound(a, &h[i]);
	}
	*out = h;
	*children = kids;
	*n_children = nk;
	return 0;
}
