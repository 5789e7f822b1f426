/*
 * replay_util.h - a tiny engine for golden-history tests: it keeps the
 * committed history of one execution, runs rt_replay_run() for each episode
 * with the given messages, appends new_events (deep-copied) to the history,
 * and renders events and actions as short strings so a test can compare a
 * whole episode with one is_str():
 *
 *   events:  OS ES OC  TS<id>:<name> TC<id> TF<id>  TmC<id>@+<s>s TmF<id>
 *            SC<id>:<name>[<child>] SD<id> SF<id>  Sent<id>:<name>  ER:<name>
 *            EC<id>:<status> CAN<id> Term Susp Res Gen
 *   actions: A<seq>:<name>(<input>)  T<seq>@+<s>s  S<seq>:<name>[<id>](<input>)
 *            E<seq>:<name>-><target>(<data>)  N:ok|fail-><parent>#<task>(<text>)
 *            CAN(<input>)[<name>=<data>,...]
 * Times are shown relative to T0 (2024-01-02T03:04:05Z), in seconds when
 * whole, else "+<us>us".
 */
#ifndef REPLAY_UTIL_H
#define REPLAY_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/replay.h"
#include "tap.h"

#define T0 INT64_C(1704164645000000) /* 2024-01-02T03:04:05Z */
#define SEC(n) (T0 + (int64_t)(n) * 1000000)

#define AWAIT(o, t, out)                                      \
	do {                                                  \
		int r__ = rt_orch_await((o), (t), (out));     \
		if (r__ != RT_OK)                             \
			return r__;                           \
	} while (0)

typedef int (*orch_fn)(struct rt_orch *o);

struct fnbox {
	orch_fn f;
};

static int run_cb(void *fn, struct rt_orch *o)
{
	return ((struct fnbox *)fn)->f(o);
}

struct sim {
	struct rt_arena keep; /* committed history strings */
	struct rt_arena ep;   /* the last episode (out lives here) */
	struct rt_event past[2048];
	size_t n_past;
	struct fnbox fn;
	const char *instance_id, *execution_id;
	int (*is_activity)(void *, const char *);
	int (*is_orchestrator)(void *, const char *);
	int max_actions;
	const char *custom_status;
	struct rt_episode_out out;
	int rc;
	const char *events, *actions;
};

static const char *dupk(struct sim *s, const char *p)
{
	return rt_arena_strdup(&s->keep, p);
}

static void sim_init(struct sim *s, orch_fn f)
{
	memset(s, 0, sizeof(*s));
	rt_arena_init(&s->keep);
	rt_arena_init(&s->ep);
	s->fn.f = f;
	s->instance_id = "inst1";
	s->execution_id = "exec1";
}

static void sim_cleanup(struct sim *s)
{
	rt_arena_cleanup(&s->keep);
	rt_arena_cleanup(&s->ep);
}

static const char *reltime(struct rt_arena *a, int64_t us)
{
	int64_t d = us - T0;
	if (d % 1000000 == 0)
		return rt_arena_fmt(a, "+%llds", (long long)(d / 1000000));
	return rt_arena_fmt(a, "+%lldus", (long long)d);
}

static const char *S(const char *p)
{
	return p ? p : "~";
}

static const char *fmt_event(struct rt_arena *a, const struct rt_event *e)
{
	switch (e->type) {
	case RT_EV_ORCHESTRATOR_STARTED: return "OS";
	case RT_EV_ORCHESTRATOR_COMPLETED: return "OC";
	case RT_EV_EXECUTION_STARTED: return "ES";
	case RT_EV_TASK_SCHEDULED: return rt_arena_fmt(a, "TS%d:%s", e->event_id, S(e->name));
	case RT_EV_TASK_COMPLETED: return rt_arena_fmt(a, "TC%d", e->task_scheduled_id);
	case RT_EV_TASK_FAILED: return rt_arena_fmt(a, "TF%d", e->task_scheduled_id);
	case RT_EV_TIMER_CREATED:
		return rt_arena_fmt(a, "TmC%d@%s", e->event_id, reltime(a, e->fire_at_us));
	case RT_EV_TIMER_FIRED: return rt_arena_fmt(a, "TmF%d", e->task_scheduled_id);
	case RT_EV_SUB_ORCH_CREATED:
		return rt_arena_fmt(a, "SC%d:%s[%s]", e->event_id, S(e->name), S(e->instance_id));
	case RT_EV_SUB_ORCH_COMPLETED: return rt_arena_fmt(a, "SD%d", e->task_scheduled_id);
	case RT_EV_SUB_ORCH_FAILED: return rt_arena_fmt(a, "SF%d", e->task_scheduled_id);
	case RT_EV_EVENT_SENT: return rt_arena_fmt(a, "Sent%d:%s", e->event_id, S(e->name));
	case RT_EV_EVENT_RAISED: return rt_arena_fmt(a, "ER:%s", S(e->name));
	case RT_EV_EXECUTION_COMPLETED:
		return rt_arena_fmt(a, "EC%d:%s", e->event_id,
				    rt_status_name(e->orchestration_status));
	case RT_EV_CONTINUE_AS_NEW: return rt_arena_fmt(a, "CAN%d", e->event_id);
	case RT_EV_EXECUTION_TERMINATED: return "Term";
	case RT_EV_EXECUTION_SUSPENDED: return "Susp";
	case RT_EV_EXECUTION_RESUMED: return "Res";
	case RT_EV_GENERIC: return "Gen";
	default: return rt_event_type_name(e->type);
	}
}

static const char *fmt_events(struct rt_arena *a, const struct rt_event *ev, size_t n)
{
	const char *s = "";
	for (size_t i = 0; i < n; i++)
		s = rt_arena_fmt(a, "%s%s%s", s, i ? " " : "", fmt_event(a, &ev[i]));
	return s;
}

static const char *fmt_action(struct rt_arena *a, const struct rt_action *x)
{
	const char *c = "";
	switch (x->kind) {
	case RT_ACT_ACTIVITY:
		return rt_arena_fmt(a, "A%d:%s(%s)", x->seq, S(x->name), S(x->input));
	case RT_ACT_TIMER: return rt_arena_fmt(a, "T%d@%s", x->seq, reltime(a, x->fire_at_us));
	case RT_ACT_SUB_ORCH:
		return rt_arena_fmt(a, "S%d:%s[%s](%s)", x->seq, S(x->name), S(x->instance_id),
				    S(x->input));
	case RT_ACT_SEND_EVENT:
		return rt_arena_fmt(a, "E%d:%s->%s(%s)", x->seq, S(x->name), S(x->instance_id),
				    S(x->input));
	case RT_ACT_NOTIFY_PARENT:
		return rt_arena_fmt(a, "N:%s->%s#%d(%s)",
				    x->msg.type == RT_EV_SUB_ORCH_COMPLETED ? "ok" : "fail",
				    S(x->instance_id), x->msg.task_scheduled_id,
				    S(x->msg.type == RT_EV_SUB_ORCH_COMPLETED ? x->msg.result
									       : x->msg.reason));
	case RT_ACT_CONTINUE_AS_NEW:
		for (size_t i = 0; i < x->n_carried; i++)
			c = rt_arena_fmt(a, "%s%s%s=%s", c, i ? "," : "", S(x->carried[i].name),
					 S(x->carried[i].input));
		return rt_arena_fmt(a, "CAN(%s)[%s]", S(x->input), c);
	}
	return "?";
}

static const char *fmt_actions(struct rt_arena *a, const struct rt_action *x, size_t n)
{
	const char *s = "";
	for (size_t i = 0; i < n; i++)
		s = rt_arena_fmt(a, "%s%s%s", s, i ? " " : "", fmt_action(a, &x[i]));
	return s;
}

static void copy_event(struct sim *s, struct rt_event *d, const struct rt_event *e)
{
	*d = *e;
	d->name = dupk(s, e->name);
	d->input = dupk(s, e->input);
	d->result = dupk(s, e->result);
	d->reason = dupk(s, e->reason);
	d->details = dupk(s, e->details);
	d->instance_id = dupk(s, e->instance_id);
	d->execution_id = dupk(s, e->execution_id);
	d->parent_instance_id = dupk(s, e->parent_instance_id);
	d->parent_execution_id = dupk(s, e->parent_execution_id);
	d->parent_name = dupk(s, e->parent_name);
	d->data = dupk(s, e->data);
}

/* One episode at now_us with msgs; commits new_events to the history. */
static int sim_run(struct sim *s, int64_t now_us, const struct rt_event *msgs, size_t n)
{
	struct rt_episode_in in;

	rt_arena_reset(&s->ep);
	memset(&in, 0, sizeof(in));
	in.instance_id = s->instance_id;
	in.execution_id = s->execution_id;
	in.past = s->past;
	in.n_past = s->n_past;
	in.msgs = msgs;
	in.n_msgs = n;
	in.now_us = now_us;
	in.run = run_cb;
	in.fn = &s->fn;
	in.is_activity = s->is_activity;
	in.is_orchestrator = s->is_orchestrator;
	in.max_actions = s->max_actions;
	in.custom_status = s->custom_status;
	in.arena = &s->ep;
	s->rc = rt_replay_run(&in, &s->out);
	s->events = fmt_events(&s->ep, s->out.new_events, s->out.n_new_events);
	s->actions = fmt_actions(&s->ep, s->out.actions, s->out.n_actions);
	if (s->rc == 0) {
		for (size_t i = 0; i < s->out.n_new_events && s->n_past < 2048; i++) {
			copy_event(s, &s->past[s->n_past], &s->out.new_events[i]);
			s->past[s->n_past++].is_played = 1;
		}
		if (s->out.custom_status_set)
			s->custom_status = dupk(s, s->out.custom_status);
	}
	return s->rc;
}

#define EPISODE(s, now, ...)                                                          \
	do {                                                                          \
		const struct rt_event m__[] = { __VA_ARGS__ };                        \
		sim_run((s), (now), m__, sizeof(m__) / sizeof(m__[0]));               \
	} while (0)

/* Message builders. */
static struct rt_event mk(enum rt_event_type t)
{
	struct rt_event e;
	rt_event_init(&e, t);
	return e;
}

static struct rt_event m_start(const char *name, const char *input)
{
	struct rt_event e = mk(RT_EV_EXECUTION_STARTED);
	e.timestamp_us = T0;
	e.name = name;
	e.input = input;
	e.instance_id = "inst1";
	e.execution_id = "exec1";
	return e;
}

static struct rt_event m_done(int id, const char *result)
{
	struct rt_event e = mk(RT_EV_TASK_COMPLETED);
	e.task_scheduled_id = id;
	e.result = result;
	return e;
}

static struct rt_event m_fail(int id, const char *reason)
{
	struct rt_event e = mk(RT_EV_TASK_FAILED);
	e.task_scheduled_id = id;
	e.reason = reason;
	return e;
}

static struct rt_event m_fired(int id)
{
	struct rt_event e = mk(RT_EV_TIMER_FIRED);
	e.task_scheduled_id = id;
	return e;
}

static struct rt_event m_raise(const char *name, const char *data)
{
	struct rt_event e = mk(RT_EV_EVENT_RAISED);
	e.name = name;
	e.input = data;
	return e;
}

static struct rt_event m_sub_done(int id, const char *result)
{
	struct rt_event e = mk(RT_EV_SUB_ORCH_COMPLETED);
	e.task_scheduled_id = id;
	e.result = result;
	return e;
}

static struct rt_event m_sub_fail(int id, const char *reason)
{
	struct rt_event e = mk(RT_EV_SUB_ORCH_FAILED);
	e.task_scheduled_id = id;
	e.reason = reason;
	return e;
}

static struct rt_event m_reason(enum rt_event_type t, const char *reason)
{
	struct rt_event e = mk(t);
	if (t == RT_EV_EXECUTION_TERMINATED)
		e.input = reason;
	else
		e.reason = reason;
	return e;
}

/* Observations an orchestrator records for the test, reset per episode. */
static char obs[8192];

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(obs);
	if (n && n < sizeof(obs) - 1)
		obs[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(obs + n, sizeof(obs) - n, fmt, ap);
	va_end(ap);
}

/* Silences "unused" for helpers a given test does not need. */
static inline void replay_util_unused(void)
{
	(void)m_start;
	(void)m_done;
	(void)m_fail;
	(void)m_fired;
	(void)m_raise;
	(void)m_sub_done;
	(void)m_sub_fail;
	(void)m_reason;
	(void)note;
	(void)sim_cleanup;
	(void)fmt_events;
}

#endif
