/*
 * Work whose app cannot run now (runtime/engine.h: the can_run hook and an
 * activity result's not_run): an activity attempt handed back keeps its
 * row and its attempt number, reports nothing for the console, and is taken
 * again about once a second, never in a tight loop; an episode of an orchestrator that cannot run is not
 * started, its instance stays Pending, a terminate still ends it; once the
 * app is back both run and the instances complete. While the app stays
 * down the retries back off (1, 1, 2, 4 ... s); rt_engine_retry_waiting
 * (its app deployed again) runs the waiting work at once.
 *
 * Waits are bounded polls of the committed rows and of the fakes' counters.
 */
#include "store_util.h"
#include "engine_fake.h"

#define WAIT_MS 5000

static struct rt_arena arena;
static struct rt_engine *e;
static pthread_mutex_t up_mu = PTHREAD_MUTEX_INITIALIZER;
static int activities_up, orchestrators_up; /* under up_mu */
static int handed_back, orchestrator_runs;  /* under up_mu */

static void set_up(int *flag, int v)
{
	pthread_mutex_lock(&up_mu);
	*flag = v;
	pthread_mutex_unlock(&up_mu);
}

static int get(const int *v)
{
	pthread_mutex_lock(&up_mu);
	int n = *v;
	pthread_mutex_unlock(&up_mu);
	return n;
}

/* Reports what the engine told it about this attempt. */
static void act_attempt(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	res->result = rt_arena_fmt(call->arena, "{\"attempt\":%d,\"key\":\"%s\"}", call->attempt,
				   call->idempotency_key);
}

static int orch_call(struct rt_orch *o)
{
	const char *r;
	int rc = rt_orch_await(o, rt_orch_call_activity(o, "attempt", "null", NULL), &r);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, r);
	return RT_OK;
}

static int orch_echo(struct rt_orch *o)
{
	pthread_mutex_lock(&up_mu);
	orchestrator_runs++;
	pthread_mutex_unlock(&up_mu);
	rt_orch_finish(o, rt_orch_input(o));
	return RT_OK;
}

static struct fake_fn app[] = {
	{.name = "attempt", .act = act_attempt},
	{.name = "call", .orch = orch_call},
	{.name = "echo", .orch = orch_echo},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

/* The activity runner of a host whose app may be down. */
static void run_activity(void *ctx, void *fn, const struct rt_activity_call *call,
			 struct rt_activity_result *res)
{
	pthread_mutex_lock(&up_mu);
	int up = activities_up;
	if (!up)
		handed_back++;
	pthread_mutex_unlock(&up_mu);
	if (up)
		fake_run_activity(ctx, fn, call, res);
	else
		res->not_run = 1;
}

/* "call" always runs (so that it schedules its activity); "echo" only
 * while orchestrators are up; activities while they are up (the host
 * answers for an activity's app as for an orchestrator's). */
static int can_run(void *ctx, void *fn)
{
	const struct fake_fn *f = fn;
	(void)ctx;
	if (f->act)
		return get(&activities_up);
	return f->orch != orch_echo || get(&orchestrators_up);
}

/* The engine's activity reports (durable_report hook), counted. */
static int act_started, act_completed; /* under up_mu */
static void count_report(void *ctx, const struct rt_durable_report *r)
{
	(void)ctx;
	if (r->fn != RT_DURABLE_ACTIVITY)
		return;
	pthread_mutex_lock(&up_mu);
	act_started += r->outcome == RT_DURABLE_STARTED;
	act_completed += r->outcome == RT_DURABLE_COMPLETED;
	pthread_mutex_unlock(&up_mu);
}

static int start(struct rt_engine *eng, const char *name, const char *id, const char *input)
{
	char *out = NULL, *err = NULL;
	int rc = rt_engine_start_instance(eng, name, id, input, &out, &err);
	if (rc != RT_OK && err)
		printf("#   start %s: %s\n", id, err);
	free(out);
	free(err);
	return rc;
}

/* Polls (every 10 ms, at most ms) until *counter reaches n; the time it
 * took in ms, or -1. */
static int64_t wait_count(const int *counter, int n, int ms)
{
	int64_t t0 = rt_mono_us(), deadline = t0 + (int64_t)ms * 1000;
	while (get(counter) < n) {
		if (rt_mono_us() >= deadline)
			return -1;
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return (rt_mono_us() - t0) / 1000;
}

static void test_activity(void)
{
	struct rt_instance in;

	is_int(start(e, "call", "act1", NULL), RT_OK, "start an orchestration whose activity's app is down");
	int64_t ms = wait_count(&handed_back, 3, WAIT_MS);
	ok(ms >= 0, "its attempt is handed back, and taken again (3 times in %lld ms)", (long long)ms);
	ok(ms >= 1500, "about once a second, not in a loop (%lld ms for 3)", (long long)ms);
	ok(fake_read(e, "act1", &in, &arena) == RT_OK && in.status == RT_ST_RUNNING,
	   "the instance is still Running: nothing failed");
	is_int(fake_calls("attempt"), 0, "the activity never ran");
	is_int(get(&act_started) + get(&act_completed), 0,
	       "an attempt handed back reports nothing (no console line per retry)");

	set_up(&activities_up, 1);
	ok(fake_wait_status(e, "act1", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "once its app is back the activity runs and the orchestration completes");
	is_str(in.output, "{\"attempt\":1,\"key\":\"act1:0:1\"}",
	       "as attempt 1: a handed-back attempt is not counted");
	ok(get(&act_started) == 1 && get(&act_completed) == 1,
	   "the attempt that ran reports its start and its completion, once each");
}

static void test_episode(void)
{
	struct rt_instance in;

	is_int(start(e, "echo", "ep1", "\"back\""), RT_OK, "start an orchestration whose app is down");
	is_int(start(e, "echo", "ep2", "\"t\""), RT_OK, "and another");
	ok(!fake_wait_status(e, "ep1", RT_ST_COMPLETED, 1500, &in, &arena),
	   "it does not run for 1.5 s (its status polled meanwhile)");
	is_int(in.status, RT_ST_PENDING, "it stays Pending");
	is_int(get(&orchestrator_runs), 0, "its code was never called");

	char *err = NULL;
	is_int(rt_engine_terminate(e, "ep2", "stop", &err), RT_OK, "terminate the other one");
	free(err);
	ok(fake_wait_status(e, "ep2", RT_ST_TERMINATED, WAIT_MS, &in, &arena),
	   "it is terminated although its app is down");
	is_str(in.output, "stop", "with the reason");
	is_int(get(&orchestrator_runs), 0, "still without its code");

	set_up(&orchestrators_up, 1);
	ok(fake_wait_status(e, "ep1", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "once its app is back the episode runs and the instance completes");
	is_str(in.output, "\"back\"", "with its output");
	is_int(get(&orchestrator_runs), 1, "its code ran once");
}

static void test_back_off(void)
{
	struct rt_instance in;

	/* A fresh wait: a resume ends whatever wait the tests above left. */
	rt_engine_retry_waiting(e);
	set_up(&activities_up, 0);
	pthread_mutex_lock(&up_mu);
	handed_back = 0;
	pthread_mutex_unlock(&up_mu);
	is_int(start(e, "call", "act2", NULL), RT_OK, "start an orchestration whose activity's app is down");
	ok(wait_count(&handed_back, 1, WAIT_MS) >= 0, "its attempt is handed back");
	/* Retries at about 1, 2 and 4 s after the first: 4 hand-backs in
	 * 6.5 s, where one a second would be 7. */
	(void)wait_count(&handed_back, 99, 6500); /* a 6.5 s window, counted */
	int n = get(&handed_back);
	ok(n >= 3 && n <= 5, "the retries back off: %d hand-backs in 6.5 s, not one a second", n);
	set_up(&activities_up, 1);
	int64_t t0 = rt_mono_us();
	rt_engine_retry_waiting(e);
	ok(fake_wait_status(e, "act2", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "after rt_engine_retry_waiting the activity runs and the orchestration completes");
	int64_t ms = (rt_mono_us() - t0) / 1000;
	ok(ms < 1500, "at once (%lld ms), not at the end of its wait (about 8 s after the first)",
	   (long long)ms);
}

int main(void)
{
	char hub_path[256];
	char *err = NULL;

	tdir_make();
	rt_arena_init(&arena);
	fake_echo = getenv("ENGINE_TEST_LOG") != NULL;
	snprintf(hub_path, sizeof(hub_path), "%s/.cfunc/UnitHub.db", tdir);
	struct rt_engine_opts o = fake_opts(hub_path, app, NAPP);
	o.hooks.run_activity = run_activity;
	o.hooks.can_run = can_run;
	o.hooks.durable_report = count_report;
	e = rt_engine_start(&o, &err);
	ok(e != NULL, "the engine starts (%s)", err ? err : "ok");
	free(err);
	if (e) {
		subtest("an activity handed back", test_activity);
		subtest("an episode that cannot run", test_episode);
		subtest("the wait backs off; a resume ends it", test_back_off);
		is_int(rt_engine_stop_by(e, rt_mono_us() + 5000000), 0, "the engine stops");
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
