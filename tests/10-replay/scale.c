/*
 * scale.c - replay stays linear in the size of the history: a fan-in of N
 * results, nested when_any inside a when_all, a chain of N sequential
 * activities (with and without the caller's past index) and N buffered
 * events consumed one by one. Each case checks
 * the outcome, then times one episode at N and at 8N (CPU time, the best
 * of three runs each): linear work grows ~8x, the quadratic rescans this guards
 * against grew 64x. The bound (24x) leaves room for a noisy machine, and an
 * absolute bound of seconds catches a return of the rescans even if both
 * sizes were slow.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/replay.h"
#include "tap.h"

#define T0 INT64_C(1704164645000000) /* 2024-01-02T03:04:05Z */
#define HOUR_US INT64_C(3600000000)
#define MAX_RATIO 24.0
#define MAX_SECONDS 3.0

typedef int (*orch_fn)(struct rt_orch *o);

static int run_cb(void *fn, struct rt_orch *o)
{
	return (*(orch_fn *)fn)(o);
}

static int input_n(struct rt_orch *o)
{
	return atoi(rt_orch_input(o));
}

/* CPU time of this thread: other jobs on a shared machine do not count,
 * so the ratios below measure the replay, not the load. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct rt_event ev(enum rt_event_type t)
{
	struct rt_event e;
	rt_event_init(&e, t);
	e.timestamp_us = T0;
	return e;
}

/* A growing event array; strings live in `a`. */
struct evs {
	struct rt_event *v;
	size_t n, cap;
};

static struct rt_event *push(struct evs *e, struct rt_event x)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 1024;
		e->v = realloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n] = x;
	return &e->v[e->n++];
}

static struct rt_event started(const char *input)
{
	struct rt_event e = ev(RT_EV_EXECUTION_STARTED);
	e.name = "scale";
	e.input = input;
	e.instance_id = "inst1";
	e.execution_id = "exec1";
	return e;
}

static void note_failure(const char *error)
{
	ok(0, "the episode replays: %s", error ? error : "(no reason)");
}

static void note_timing(const char *what, int n, double small, double big)
{
	printf("# %s: %d in %.4f s, %d in %.4f s\n", what, n, small, 8 * n, big);
}

/* The index a history keeper would maintain (replay.h), built here by
 * walking the past once; `at` must hold past->n ints. */
static struct rt_past_index index_of(const struct evs *past, int *at)
{
	struct rt_past_index ix = { at, 0, -1, RT_ST_RUNNING };
	for (size_t i = 0; i < past->n; i++)
		at[i] = -1;
	for (size_t i = 0; i < past->n; i++) {
		const struct rt_event *e = &past->v[i];
		if (e->type == RT_EV_EXECUTION_STARTED && ix.started_at < 0)
			ix.started_at = (int)i;
		if (e->type == RT_EV_TASK_SCHEDULED || e->type == RT_EV_TIMER_CREATED) {
			at[e->event_id] = (int)i;
			if ((size_t)e->event_id + 1 > ix.n_sched)
				ix.n_sched = (size_t)e->event_id + 1;
		}
	}
	return ix;
}

static const struct rt_past_index *use_index; /* passed to every episode when set */

/* One episode; returns its CPU time in seconds and leaves *out in `a`. */
static double episode(orch_fn f, const struct evs *past, const struct evs *msgs,
		      struct rt_arena *a, struct rt_episode_out *out)
{
	struct rt_episode_in in;
	double t0;
	int rc;

	memset(&in, 0, sizeof(in));
	in.past = past->v;
	in.n_past = past->n;
	in.past_index = use_index;
	in.msgs = msgs->v;
	in.n_msgs = msgs->n;
	in.now_us = T0 + 1000000;
	in.run = run_cb;
	in.fn = &f;
	in.max_actions = 1000000;
	in.arena = a;
	t0 = cpu_s();
	rc = rt_replay_run(&in, out);
	t0 = cpu_s() - t0;
	if (rc != 0)
		note_failure(out->error);
	return t0;
}

/* ------------------------------------------------------------------ */
/* the cases: each builds the history of size n and returns the best of
 * three episode times; `check` says whether to assert the outcome. */

static int fan_in(struct rt_orch *o)
{
	int n = input_n(o);
	struct rt_task **t = rt_arena_alloc(rt_orch_arena(o), (size_t)n * sizeof(*t));
	const char *r;
	for (int i = 0; i < n; i++)
		t[i] = rt_orch_call_activity(o, "work", NULL, NULL);
	int rc = rt_orch_await(o, rt_orch_when_all(o, t, (size_t)n), &r);
	if (rc != RT_OK)
		return rc;
	return rt_orch_finish(o, r);
}

/* The scheduling episode's events become the past of the next one. */
static void first_episode(orch_fn f, int n, struct rt_arena *keep, struct evs *past)
{
	struct evs msgs = { 0 };
	struct rt_episode_out out;
	push(&msgs, started(rt_arena_fmt(keep, "%d", n)));
	episode(f, past, &msgs, keep, &out);
	for (size_t i = 0; i < out.n_new_events; i++)
		push(past, out.new_events[i])->is_played = 1;
	free(msgs.v);
}

static double best_of_three(orch_fn f, const struct evs *past, const struct evs *msgs,
			    struct rt_episode_out *out, struct rt_arena *a)
{
	double best = 1e9;
	for (int k = 0; k < 3; k++) {
		rt_arena_reset(a);
		double t = episode(f, past, msgs, a, out);
		if (t < best)
			best = t;
	}
	return best;
}

static double case_fan_in(int n, int check)
{
	struct rt_arena keep, a;
	struct evs past = { 0 }, msgs = { 0 };
	struct rt_episode_out out;
	double best;

	rt_arena_init(&keep);
	rt_arena_init(&a);
	first_episode(fan_in, n, &keep, &past);
	/* Every result in one episode, newest task first. */
	for (int i = n - 1; i >= 0; i--) {
		struct rt_event *e = push(&msgs, ev(RT_EV_TASK_COMPLETED));
		e->task_scheduled_id = i;
		e->result = rt_arena_fmt(&keep, "%d", i);
	}
	best = best_of_three(fan_in, &past, &msgs, &out, &a);
	if (check) {
		char *want = rt_arena_alloc(&keep, (size_t)n * 8 + 3), *p = want;
		*p++ = '[';
		for (int i = 0; i < n; i++)
			p += sprintf(p, "%s%d", i ? "," : "", i);
		strcpy(p, "]");
		is_int(out.status, RT_ST_COMPLETED, "fan-in of %d completes", n);
		ok(out.output && strcmp(out.output, want) == 0,
		   "with the %d results in argument order", n);
	}
	free(past.v);
	free(msgs.v);
	rt_arena_cleanup(&a);
	rt_arena_cleanup(&keep);
	return best;
}

/* when_all over n when_any(activity, timer); counts the activity winners
 * and cancels the timers they beat. */
static int nested(struct rt_orch *o)
{
	int n = input_n(o), won = 0;
	struct rt_arena *a = rt_orch_arena(o);
	struct rt_task **act = rt_arena_alloc(a, (size_t)n * sizeof(*act));
	struct rt_task **tmr = rt_arena_alloc(a, (size_t)n * sizeof(*tmr));
	struct rt_task **any = rt_arena_alloc(a, (size_t)n * sizeof(*any));
	for (int i = 0; i < n; i++) {
		struct rt_task *pair[2];
		pair[0] = act[i] = rt_orch_call_activity(o, "work", NULL, NULL);
		pair[1] = tmr[i] = rt_orch_create_timer(o, (T0 + HOUR_US) / 1000);
		any[i] = rt_orch_when_any(o, pair, 2);
	}
	int rc = rt_orch_await(o, rt_orch_when_all(o, any, (size_t)n), NULL);
	if (rc != RT_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		if (rt_task_winner(any[i]) == act[i]) {
			won++;
			rt_task_cancel(tmr[i]);
		}
	}
	return rt_orch_finish(o, rt_arena_fmt(a, "%d", won));
}

static double case_nested(int n, int check)
{
	struct rt_arena keep, a;
	struct evs past = { 0 }, msgs = { 0 };
	struct rt_episode_out out;
	double best;

	rt_arena_init(&keep);
	rt_arena_init(&a);
	first_episode(nested, n, &keep, &past);
	/* Even pairs: the activity first. Odd pairs: the timer first, then
	 * the activity, so nothing stays outstanding. */
	for (int i = 0; i < n; i++) {
		struct rt_event *e;
		if (i % 2) {
			e = push(&msgs, ev(RT_EV_TIMER_FIRED));
			e->task_scheduled_id = 2 * i + 1;
			e->fire_at_us = T0 + HOUR_US;
		}
		e = push(&msgs, ev(RT_EV_TASK_COMPLETED));
		e->task_scheduled_id = 2 * i;
		e->result = "1";
	}
	best = best_of_three(nested, &past, &msgs, &out, &a);
	if (check) {
		is_int(out.status, RT_ST_COMPLETED, "%d nested when_any complete", n);
		is_str(out.output, rt_arena_fmt(&keep, "%d", (n + 1) / 2),
		       "history order picks each winner");
	}
	free(past.v);
	free(msgs.v);
	rt_arena_cleanup(&a);
	rt_arena_cleanup(&keep);
	return best;
}

/* n activities one after the other, each fed the previous result. */
static int sequence(struct rt_orch *o)
{
	int n = input_n(o);
	const char *last = "0";
	for (int i = 0; i < n; i++) {
		int rc = rt_orch_await(o, rt_orch_call_activity(o, "inc", last, NULL), &last);
		if (rc != RT_OK)
			return rc;
	}
	return rt_orch_finish(o, last);
}

static double case_sequence(int n, int check)
{
	struct rt_arena keep, a;
	struct evs past = { 0 }, msgs = { 0 };
	struct rt_episode_out out;
	double best;

	rt_arena_init(&keep);
	rt_arena_init(&a);
	/* The history n - 1 episodes would have left, built directly. */
	push(&past, ev(RT_EV_ORCHESTRATOR_STARTED));
	push(&past, started(rt_arena_fmt(&keep, "%d", n)));
	for (int i = 0; i < n; i++) {
		struct rt_event *e = push(&past, ev(RT_EV_TASK_SCHEDULED));
		e->event_id = i;
		e->name = "inc";
		if (i == n - 1)
			break;
		e = push(&past, ev(RT_EV_TASK_COMPLETED));
		e->task_scheduled_id = i;
		e->result = rt_arena_fmt(&keep, "%d", i + 1);
	}
	for (size_t i = 0; i < past.n; i++)
		past.v[i].is_played = 1;
	struct rt_event *e = push(&msgs, ev(RT_EV_TASK_COMPLETED));
	e->task_scheduled_id = n - 1;
	e->result = rt_arena_fmt(&keep, "%d", n);
	best = best_of_three(sequence, &past, &msgs, &out, &a);
	if (check) {
		is_int(out.status, RT_ST_COMPLETED, "a chain of %d completes", n);
		is_str(out.output, rt_arena_fmt(&keep, "%d", n), "with the last result");
		is_int(out.n_actions, 0, "and schedules nothing again");

		/* The same episode with the keeper's index: the same outcome. */
		int *at = malloc(past.n * sizeof(*at));
		struct rt_past_index ix = index_of(&past, at);
		size_t n_events = out.n_new_events;
		const char *output = rt_arena_strdup(&keep, out.output);
		use_index = &ix;
		rt_arena_reset(&a);
		episode(sequence, &past, &msgs, &a, &out);
		is_int(out.status, RT_ST_COMPLETED, "with an index: completes");
		is_str(out.output, output, "with an index: the same output");
		is_int(out.n_new_events, n_events, "with an index: the same new events");

		/* An index whose history changed under the code: the name at
		 * sequence number 0 differs, which is still detected. */
		past.v[ix.sched_at[0]].name = "other";
		rt_arena_reset(&a);
		episode(sequence, &past, &msgs, &a, &out);
		is_int(out.status, RT_ST_FAILED, "with an index: a changed history fails");
		ok(out.output && strstr(out.output, "Non-Deterministic workflow detected") &&
			   strstr(out.output, "named 'other'"),
		   "with an index: as non-determinism naming the history's call");
		past.v[ix.sched_at[0]].name = "inc";
		use_index = NULL;
		free(at);
	}
	free(past.v);
	free(msgs.v);
	rt_arena_cleanup(&a);
	rt_arena_cleanup(&keep);
	return best;
}

/* Waits for a timer, then takes n buffered events "e" one by one (oldest
 * first) and sums their data. */
static int buffered(struct rt_orch *o)
{
	int n = input_n(o);
	long sum = 0;
	const char *d;
	int rc = rt_orch_await(o, rt_orch_create_timer(o, (T0 + HOUR_US) / 1000), NULL);
	if (rc != RT_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		rc = rt_orch_await(o, rt_orch_wait_for_event(o, "e"), &d);
		if (rc != RT_OK)
			return rc;
		/* Oldest first: the i-th event carries i. */
		if (atoi(d) != i)
			return rt_orch_fail(o, "events out of order");
		sum += atoi(d);
	}
	return rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "%ld", sum));
}

static double case_buffered(int n, int check)
{
	struct rt_arena keep, a;
	struct evs past = { 0 }, msgs = { 0 };
	struct rt_episode_out out;
	double best;

	rt_arena_init(&keep);
	rt_arena_init(&a);
	first_episode(buffered, n, &keep, &past);
	for (int i = 0; i < n; i++) {
		struct rt_event *e = push(&msgs, ev(RT_EV_EVENT_RAISED));
		e->name = i % 2 ? "E" : "e"; /* names match case-insensitively */
		e->input = rt_arena_fmt(&keep, "%d", i);
	}
	struct rt_event *f = push(&msgs, ev(RT_EV_TIMER_FIRED));
	f->task_scheduled_id = 0;
	f->fire_at_us = T0 + HOUR_US;
	best = best_of_three(buffered, &past, &msgs, &out, &a);
	if (check) {
		is_int(out.status, RT_ST_COMPLETED, "%d buffered events are consumed", n);
		is_str(out.output, rt_arena_fmt(&keep, "%ld", (long)n * (n - 1) / 2),
		       "oldest first");
	}
	free(past.v);
	free(msgs.v);
	rt_arena_cleanup(&a);
	rt_arena_cleanup(&keep);
	return best;
}

static double case_sequence_indexed(int n, int check)
{
	(void)check;
	/* Timed with an index kept by the caller: what the engine does. */
	struct rt_arena keep, a;
	struct evs past = { 0 }, msgs = { 0 };
	struct rt_episode_out out;
	rt_arena_init(&keep);
	rt_arena_init(&a);
	push(&past, ev(RT_EV_ORCHESTRATOR_STARTED));
	push(&past, started(rt_arena_fmt(&keep, "%d", n)));
	for (int i = 0; i < n; i++) {
		struct rt_event *e = push(&past, ev(RT_EV_TASK_SCHEDULED));
		e->event_id = i;
		e->name = "inc";
		if (i == n - 1)
			break;
		e = push(&past, ev(RT_EV_TASK_COMPLETED));
		e->task_scheduled_id = i;
		e->result = rt_arena_fmt(&keep, "%d", i + 1);
	}
	struct rt_event *e = push(&msgs, ev(RT_EV_TASK_COMPLETED));
	e->task_scheduled_id = n - 1;
	e->result = rt_arena_fmt(&keep, "%d", n);
	int *at = malloc(past.n * sizeof(*at));
	struct rt_past_index ix = index_of(&past, at);
	use_index = &ix;
	double best = best_of_three(sequence, &past, &msgs, &out, &a);
	use_index = NULL;
	if (check)
		is_str(out.output, rt_arena_fmt(&keep, "%d", n), "indexed chain of %d completes", n);
	free(at);
	free(past.v);
	free(msgs.v);
	rt_arena_cleanup(&a);
	rt_arena_cleanup(&keep);
	return best;
}

static void linear(const char *what, double (*fn)(int, int), int n)
{
	double small = fn(n, 1), big = fn(8 * n, 0);
	/* Below a millisecond the clock and the cache dominate: compare with
	 * at least that much. */
	double ratio = big / (small > 1e-3 ? small : 1e-3);
	note_timing(what, n, small, big);
	ok(ratio < MAX_RATIO, "%s: 8x the size costs %.1fx the time (linear: ~8x)", what, ratio);
	ok(big < MAX_SECONDS, "%s of %d replays in %.3f s", what, 8 * n, big);
}

int main(void)
{
	linear("fan-in", case_fan_in, 5000);
	linear("nested when_any in when_all", case_nested, 2500);
	linear("sequential chain", case_sequence, 4000);
	linear("sequential chain with an index", case_sequence_indexed, 4000);
	linear("buffered events", case_buffered, 4000);
	return done_testing();
}
