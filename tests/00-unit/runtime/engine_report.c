/*
 * engine_report.c - the engine's durable reports (runtime/durable_report.h,
 * rt_engine_hooks.durable_report), from which the host prints the Durable
 * extension's lines: an orchestration's first episode starts unreplayed
 * and later ones replay, every activity attempt reports its start with its
 * input and its task id, then its result or its failure, and the
 * orchestration's end carries its output or its failure's text. The engine
 * formats no line of its own for them.
 */
#include "store_util.h"
#include "engine_fake.h"

#define WAIT_MS 5000
#define MAX_REPORTS 256

static struct rt_arena arena;

/* The reports so far, copied (under fake_mu). */
static struct kept {
	struct rt_durable_report r;
	char *instance_id, *name, *input, *output, *reason;
} kept[MAX_REPORTS];
static size_t nkept;

static char *copy(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void keep_report(void *ctx, const struct rt_durable_report *r)
{
	(void)ctx;
	pthread_mutex_lock(&fake_mu);
	if (nkept < MAX_REPORTS) {
		struct kept *k = &kept[nkept++];
		k->r = *r;
		k->instance_id = copy(r->instance_id);
		k->name = copy(r->name);
		k->input = copy(r->input);
		k->output = copy(r->output);
		k->reason = copy(r->reason);
	}
	pthread_mutex_unlock(&fake_mu);
}

/* The index of the n-th (0-based) report for instance id of that function
 * kind and outcome, or -1. */
static int find(const char *id, enum rt_durable_fn fn, enum rt_durable_outcome outcome, int n)
{
	int found = -1;
	pthread_mutex_lock(&fake_mu);
	for (size_t i = 0; i < nkept && found < 0; i++)
		if (strcmp(kept[i].instance_id, id) == 0 && kept[i].r.fn == fn &&
		    kept[i].r.outcome == outcome && n-- == 0)
			found = (int)i;
	pthread_mutex_unlock(&fake_mu);
	return found;
}

static int count(const char *id)
{
	int n = 0;
	pthread_mutex_lock(&fake_mu);
	for (size_t i = 0; i < nkept; i++)
		n += strcmp(kept[i].instance_id, id) == 0;
	pthread_mutex_unlock(&fake_mu);
	return n;
}

static void act_greet(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	size_t n = strlen(call->input);
	res->result = rt_arena_fmt(call->arena, "\"Hello %.*s!\"", (int)(n - 2), call->input + 1);
}

static void act_fail(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	(void)call;
	res->failed = 1;
	res->message = "boom";
}

/* Two greetings in sequence, their results joined. */
static int orch_two(struct rt_orch *o)
{
	const char *a, *b;
	int rc = rt_orch_await(o, rt_orch_call_activity(o, "greet", "\"Tokyo\"", NULL), &a);
	if (rc == RT_OK)
		rc = rt_orch_await(o, rt_orch_call_activity(o, "greet", "\"Oslo\"", NULL), &b);
	if (rc != RT_OK)
		return rc; /* waiting, or the activity failed: the failure is the orchestration's */
	rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "[%s,%s]", a, b));
	return RT_OK;
}

/* Calls the activity its input names. */
static int orch_one(struct rt_orch *o)
{
	const char *in = rt_orch_input(o), *r;
	char *name = rt_arena_strndup(rt_orch_arena(o), in + 1, strlen(in) - 2);
	int rc = rt_orch_await(o, rt_orch_call_activity(o, name, "\"x\"", NULL), &r);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, r);
	return RT_OK;
}

static struct fake_fn app[] = {
	{.name = "greet", .act = act_greet},
	{.name = "fail_act", .act = act_fail},
	{.name = "two", .orch = orch_two},
	{.name = "one", .orch = orch_one},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

static struct rt_engine *eng;

static int start(const char *name, const char *id, const char *input)
{
	char *out = NULL, *err = NULL;
	int rc = rt_engine_start_instance(eng, name, id, input, &out, &err);
	free(out);
	free(err);
	return rc;
}

static void test_completed(void)
{
	struct rt_instance in;
	is_int(start("two", "ok1", "{\"n\":1}"), RT_OK, "start an orchestration of two activities");
	ok(fake_wait_status(eng, "ok1", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "it completes");

	int first = find("ok1", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_STARTED, 0);
	ok(first >= 0 && !kept[first].r.is_replay && strcmp(kept[first].input, "{\"n\":1}") == 0 &&
		   strcmp(kept[first].name, "two") == 0 && kept[first].r.task_event_id == -1,
	   "the first episode starts unreplayed, with the orchestration's input, task -1");
	int second = find("ok1", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_STARTED, 1);
	ok(second > first && kept[second].r.is_replay, "the next episode replays");
	ok(find("ok1", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_STARTED, 3) < 0,
	   "one start per episode: three episodes for two activities");

	for (int t = 0; t < 2; t++) {
		int s = find("ok1", RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, t);
		int c = find("ok1", RT_DURABLE_ACTIVITY, RT_DURABLE_COMPLETED, t);
		const char *want_in = t ? "\"Oslo\"" : "\"Tokyo\"";
		const char *want_out = t ? "\"Hello Oslo!\"" : "\"Hello Tokyo!\"";
		ok(s >= 0 && strcmp(kept[s].name, "greet") == 0 && strcmp(kept[s].input, want_in) == 0 &&
			   kept[s].r.task_event_id == t,
		   "activity %d starts with its input and task id", t);
		ok(c > s && strcmp(kept[c].output, want_out) == 0 && kept[c].r.task_event_id == t,
		   "then completes with its result");
	}
	int done = find("ok1", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_COMPLETED, 0);
	ok(done >= 0 && strcmp(kept[done].output, "[\"Hello Tokyo!\",\"Hello Oslo!\"]") == 0 &&
		   !kept[done].r.continued_as_new,
	   "the orchestration completes with its output");
	ok(find("ok1", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_FAILED, 0) < 0 &&
		   find("ok1", RT_DURABLE_ACTIVITY, RT_DURABLE_FAILED, 0) < 0,
	   "and nothing failed");
	is_int(count("ok1"), 3 + 4 + 1, "three episode starts, two attempts of two reports, one end");
}

static void test_failed(void)
{
	struct rt_instance in;
	is_int(start("one", "bad1", "\"fail_act\""), RT_OK, "start one whose activity fails");
	ok(fake_wait_status(eng, "bad1", RT_ST_FAILED, WAIT_MS, &in, &arena), "it fails");
	int a = find("bad1", RT_DURABLE_ACTIVITY, RT_DURABLE_FAILED, 0);
	ok(a >= 0 && strcmp(kept[a].reason, "boom") == 0 && kept[a].r.task_event_id == 0,
	   "the activity's failure carries its message and task id");
	ok(find("bad1", RT_DURABLE_ACTIVITY, RT_DURABLE_COMPLETED, 0) < 0, "it never completed");
	int o = find("bad1", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_FAILED, 0);
	ok(o > a && strcmp(kept[o].reason,
			   "Orchestrator function 'one' failed: Activity function 'fail_act' failed: boom") == 0,
	   "the orchestration's failure carries its text, unquoted (%s)", o >= 0 ? kept[o].reason : "-");

	is_int(start("one", "bad2", "\"nobody\""), RT_OK, "start one calling an unknown activity");
	ok(fake_wait_status(eng, "bad2", RT_ST_FAILED, WAIT_MS, &in, &arena), "it fails");
	ok(find("bad2", RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, 0) < 0 &&
		   find("bad2", RT_DURABLE_ACTIVITY, RT_DURABLE_FAILED, 0) < 0,
	   "an activity that does not exist runs nothing and reports nothing");
	ok(find("bad2", RT_DURABLE_ORCHESTRATOR, RT_DURABLE_FAILED, 0) >= 0,
	   "the orchestration's failure is reported");
}

int main(void)
{
	char path[300];
	char *err = NULL;
	tdir_make();
	rt_arena_init(&arena);
	snprintf(path, sizeof(path), "%s/.cfunc/UnitHub.db", tdir);
	struct rt_engine_opts o = fake_opts(path, app, NAPP);
	o.hooks.durable_report = keep_report;
	eng = rt_engine_start(&o, &err);
	ok(eng != NULL, "engine starts (%s)", err ? err : "ok");
	free(err);
	if (eng) {
		subtest("a completed orchestration", test_completed);
		subtest("failures", test_failed);
		rt_engine_stop(eng);
	}
	for (size_t i = 0; i < nkept; i++) {
		free(kept[i].instance_id);
		free(kept[i].name);
		free(kept[i].input);
		free(kept[i].output);
		free(kept[i].reason);
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
