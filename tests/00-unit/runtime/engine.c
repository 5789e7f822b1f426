/*
 * The durable engine in-process (runtime/engine.h): fake orchestrator and
 * activity hooks, a task hub file in a temporary directory, no HTTP and no
 * loader. Covers starting instances (and the refusals), episodes driven by
 * activity results, activity failures, durable timers (on the test clock,
 * so nothing waits an hour), external events, terminate / suspend / resume
 * and their refusals, a stop and restart on the same file that loses
 * nothing, and the poison count of an activity whose process died.
 *
 * Waits wake on the engine's console lines (logged after each commit) and
 * are bounded; nothing sleeps for a guessed time.
 */
#include "store_util.h"
#include "engine_fake.h"

#include <signal.h>
#include <sys/wait.h>

#define WAIT_MS 5000

static struct rt_arena arena;

/* ---- the fake app ------------------------------------------------------- */

/* greet: "Hello <name>!" for a JSON string "<name>". */
static void act_greet(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	size_t n = strlen(call->input);
	if (n < 2 || call->input[0] != '"') {
		res->failed = 1;
		res->message = "greet wants a JSON string";
		return;
	}
	res->result = rt_arena_fmt(call->arena, "\"Hello %.*s!\"", (int)(n - 2), call->input + 1);
}

static void act_fail(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	(void)call;
	res->failed = 1;
	res->message = "boom";
}

/* Reports what the engine told it about this attempt. */
static void act_attempt(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	res->result = rt_arena_fmt(call->arena, "{\"attempt\":%d,\"key\":\"%s\"}", call->attempt,
				   call->idempotency_key);
}

/* Dies like a host killed mid-attempt (used in a child process only). */
static void act_crash(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	(void)call, (void)res;
	raise(SIGKILL);
}

/* Kills the process in the child processes of the poison test; in the test's
 * own process it reports the attempt like act_attempt. */
static pid_t main_pid;
static void act_crash_in_child(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	if (getpid() != main_pid)
		raise(SIGKILL);
	act_attempt(call, res);
}

/* hello_seq: three activities one after the other, their results as an array. */
static int orch_hello_seq(struct rt_orch *o)
{
	static const char *const cities[] = {"\"Tokyo\"", "\"Seattle\"", "\"London\""};
	const char *r[3];
	for (int i = 0; i < 3; i++) {
		int rc = rt_orch_await(o, rt_orch_call_activity(o, "greet", cities[i], NULL), &r[i]);
		if (rc != RT_OK)
			return rc;
	}
	rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "[%s,%s,%s]", r[0], r[1], r[2]));
	return RT_OK;
}

/* One activity given by the input's name (a JSON string), its result as output. */
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

/* wait_event: finishes with the data of event "Approval". */
static int orch_wait_event(struct rt_orch *o)
{
	const char *data;
	int rc = rt_orch_await(o, rt_orch_wait_for_event(o, "Approval"), &data);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, data);
	return RT_OK;
}

/* timer_hour: a durable timer an hour ahead; says so in its custom status. */
static int orch_timer_hour(struct rt_orch *o)
{
	struct rt_task *t = rt_orch_create_timer(o, rt_orch_now_ms(o) + 3600 * 1000);
	int rc;
	rt_orch_set_custom_status(o, "\"timer set\"");
	rc = rt_orch_await(o, t, NULL);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, "\"woke\"");
	return RT_OK;
}

static struct fake_fn app[] = {
	{.name = "greet", .act = act_greet},
	{.name = "fail_act", .act = act_fail},
	{.name = "attempt", .act = act_attempt},
	{.name = "crash", .act = act_crash},
	{.name = "crash_in_child", .act = act_crash_in_child},
	{.name = "hello_seq", .orch = orch_hello_seq},
	{.name = "one", .orch = orch_one},
	{.name = "wait_event", .orch = orch_wait_event},
	{.name = "timer_hour", .orch = orch_timer_hour},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

/* ---- helpers ------------------------------------------------------------ */

static char hub_path[256];

static struct rt_engine *start_engine(int max_dequeue_count)
{
	struct rt_engine_opts o = fake_opts(hub_path, app, NAPP);
	char *err = NULL;
	struct rt_engine *e;
	o.max_dequeue_count = max_dequeue_count;
	e = rt_engine_start(&o, &err);
	if (!e) {
		printf("# engine: %s\n", err ? err : "?");
		free(err);
	}
	return e;
}

/* Starts `name` as `id`; the engine's code, with its message shown on failure. */
static int start(struct rt_engine *e, const char *name, const char *id, const char *input)
{
	char *out = NULL, *err = NULL;
	int rc = rt_engine_start_instance(e, name, id, input, &out, &err);
	if (rc != RT_OK && err)
		printf("#   start %s: %s\n", id ? id : "(new)", err);
	free(out);
	free(err);
	return rc;
}

/* A command's code, its message (set by the command into *err) dropped. */
static int quiet(int rc, char **err)
{
	free(*err);
	*err = NULL;
	return rc;
}

static int raise_ev(struct rt_engine *e, const char *id, const char *name, const char *data)
{
	char *err = NULL;
	return quiet(rt_engine_raise_event(e, id, name, data, &err), &err);
}

/* ---- the tests ---------------------------------------------------------- */

static struct rt_engine *eng;

static void test_start(void)
{
	char *id = NULL, *err = NULL;
	struct rt_instance in;

	is_int(start(eng, "no_such_orch", "x1", NULL), RT_E_NOTFOUND, "unknown orchestrator: NOTFOUND");
	is_int(start(eng, "wait_event", "@entity", NULL), RT_E_INVALID, "id starting with @: INVALID");
	is_int(start(eng, "wait_event", "a/b", NULL), RT_E_INVALID, "id with '/': INVALID");
	is_int(start(eng, "wait_event", "", NULL), RT_E_INVALID, "empty id: INVALID");
	is_int(start(eng, "wait_event", "bad-json", "{nope"), RT_E_INVALID, "input that is not JSON: INVALID");
	is_int(fake_read(eng, "bad-json", &in, &arena), RT_E_NOTFOUND, "a refused start leaves no instance");

	is_int(rt_engine_start_instance(eng, "hello_seq", NULL, NULL, &id, &err), RT_OK,
	       "start with a generated id");
	ok(id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32, "the id is 32 hex digits (%s)",
	   id ? id : "NULL");
	free(err);
	ok(id && fake_wait_status(eng, id, RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "it completes");
	free(id);

	is_int(start(eng, "wait_event", "dup", NULL), RT_OK, "start a waiting instance");
	err = NULL;
	is_int(rt_engine_start_instance(eng, "wait_event", "dup", NULL, &id, &err), RT_E_EXISTS,
	       "a second start on a running id: EXISTS");
	ok(err && strstr(err, "already exists"), "and the message says so (%s)", err ? err : "NULL");
	free(err);
	is_int(start(eng, "WAIT_EVENT", "case", NULL), RT_OK, "orchestrator names are case-insensitive");
}

static void test_episodes(void)
{
	struct rt_instance in;
	struct rt_engine_stats before, after;
	int calls0 = fake_calls("greet");

	rt_engine_get_stats(eng, &before);
	is_int(start(eng, "hello_seq", "seq1", "{\"n\":1}"), RT_OK, "start hello_seq");
	ok(fake_wait_status(eng, "seq1", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "it completes");
	is_str(in.output, "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]",
	       "the output holds the three activity results in order");
	is_str(in.input, "{\"n\":1}", "the input is kept");
	is_str(in.name, "hello_seq", "and the orchestrator's name");
	is_int(fake_calls("greet") - calls0, 3, "each activity ran once");
	rt_engine_get_stats(eng, &after);
	ok(after.episodes - before.episodes >= 4, "one episode per result and the first (%llu)",
	   (unsigned long long)(after.episodes - before.episodes));
	ok(after.activities - before.activities >= 3, "three activities counted");

	is_int(start(eng, "one", "key1", "\"attempt\""), RT_OK, "start an activity that reports its call");
	ok(fake_wait_status(eng, "key1", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "it completes");
	is_str(in.output, "{\"attempt\":1,\"key\":\"key1:0:1\"}",
	       "first attempt, idempotency key <instance>:<task>:<attempt>");
}

static void test_failure(void)
{
	struct rt_instance in;

	is_int(start(eng, "one", "fail1", "\"fail_act\""), RT_OK, "start an orchestration whose activity fails");
	ok(fake_wait_status(eng, "fail1", RT_ST_FAILED, WAIT_MS, &in, &arena), "it fails");
	ok(in.output && strstr(in.output, "Activity function 'fail_act' failed: boom"),
	   "the output names the activity and its message (%s)", in.output ? in.output : "NULL");
	ok(in.output && strncmp(in.output, "\"Orchestrator function 'one' failed: ",
				strlen("\"Orchestrator function 'one' failed: ")) == 0,
	   "as the orchestrator's failure");

	is_int(start(eng, "one", "unknown_act", "\"nobody\""), RT_OK, "start one calling an unknown activity");
	ok(fake_wait_status(eng, "unknown_act", RT_ST_FAILED, WAIT_MS, &in, &arena), "it fails");
	ok(in.output && strstr(in.output, "The function 'nobody' doesn't exist"),
	   "saying the function does not exist (%s)", in.output ? in.output : "NULL");
}

static void test_timer(void)
{
	struct rt_instance in;
	is_int(start(eng, "timer_hour", "t1", NULL), RT_OK, "start an orchestration with a 1 h timer");
	ok(fake_wait(eng, "t1", pred_custom, "\"timer set\"", WAIT_MS, &in, &arena),
	   "its timer is committed");
	is_int(in.status, RT_ST_RUNNING, "and it waits");
	rt_clock_advance_us(3600LL * 1000000 + 1000);
	rt_engine_wake(eng);
	ok(fake_wait_status(eng, "t1", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "the test clock an hour ahead fires it");
	is_str(in.output, "\"woke\"", "and the orchestration goes on");
}

static void test_events(void)
{
	struct rt_instance in;
	is_int(start(eng, "wait_event", "ev1", NULL), RT_OK, "start a waiter");
	ok(fake_wait_status(eng, "ev1", RT_ST_RUNNING, WAIT_MS, &in, &arena), "it runs");
	is_int(raise_ev(eng, "ev1", "other", "1"), RT_OK, "an event it does not wait for is accepted");
	is_int(raise_ev(eng, "ev1", "approval", "{\"ok\":true}"), RT_OK,
	       "the event it waits for (names are case-insensitive)");
	ok(fake_wait_status(eng, "ev1", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "it completes");
	is_str(in.output, "{\"ok\":true}", "with the event's data");
	is_int(raise_ev(eng, "ev1", "Approval", "1"), RT_E_GONE, "raise to a completed instance: GONE");
	is_int(raise_ev(eng, "nobody", "Approval", "1"), RT_E_NOTFOUND, "raise to an unknown id: NOTFOUND");
}

static void test_lifecycle(void)
{
	struct rt_instance in;
	char *msg = NULL;

	is_int(start(eng, "wait_event", "life", NULL), RT_OK, "start a waiter");
	ok(fake_wait_status(eng, "life", RT_ST_RUNNING, WAIT_MS, &in, &arena), "it runs");
	is_int(rt_engine_resume(eng, "life", NULL, &msg), RT_E_STATE,
	       "resume of a running instance: STATE");
	ok(msg && strstr(msg, "Running"), "naming its state (%s)", msg ? msg : "NULL");
	free(msg);
	msg = NULL;
	is_int(quiet(rt_engine_suspend(eng, "life", "pause", &msg), &msg), RT_OK, "suspend");
	ok(fake_wait_status(eng, "life", RT_ST_SUSPENDED, WAIT_MS, &in, &arena), "it is Suspended");
	is_str(in.output, "pause", "the reason is its output (plain text in the row)");
	is_int(quiet(rt_engine_suspend(eng, "life", NULL, &msg), &msg), RT_E_STATE,
	       "a second suspend: STATE");
	is_int(raise_ev(eng, "life", "Approval", "\"late\""), RT_OK, "an event while suspended is accepted");
	is_int(fake_read(eng, "life", &in, &arena), RT_OK, "read it");
	is_int(in.status, RT_ST_SUSPENDED, "and held while suspended");
	is_int(quiet(rt_engine_resume(eng, "life", "go on", &msg), &msg), RT_OK, "resume");
	ok(fake_wait_status(eng, "life", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "it completes with the held event");
	is_str(in.output, "\"late\"", "whose data is the output");

	is_int(start(eng, "wait_event", "term", NULL), RT_OK, "start another waiter");
	is_int(quiet(rt_engine_terminate(eng, "term", "enough", &msg), &msg), RT_OK, "terminate");
	ok(fake_wait_status(eng, "term", RT_ST_TERMINATED, WAIT_MS, &in, &arena), "it is Terminated");
	is_str(in.output, "enough", "the reason is its output (plain text in the row)");
	is_int(quiet(rt_engine_terminate(eng, "term", NULL, &msg), &msg), RT_E_GONE,
	       "terminate again: GONE");
	is_int(quiet(rt_engine_terminate(eng, "nobody", NULL, &msg), &msg), RT_E_NOTFOUND,
	       "terminate an unknown id: NOTFOUND");
	is_int(quiet(rt_engine_rewind(eng, "term", NULL, &msg), &msg), RT_E_GONE,
	       "rewind of a Terminated instance: GONE");
	is_int(quiet(rt_engine_purge(eng, "term", &msg), &msg), RT_OK, "purge it");
	is_int(fake_read(eng, "term", &in, &arena), RT_E_NOTFOUND, "it is gone");
	is_int(quiet(rt_engine_purge(eng, "term", &msg), &msg), RT_E_NOTFOUND, "purge again: NOTFOUND");
	is_int(start(eng, "wait_event", "term", NULL), RT_OK, "a purged id can be reused");
	is_int(quiet(rt_engine_terminate(eng, "term", NULL, &msg), &msg), RT_OK, "and terminated");
}

/* Stop and start on the same file: what was committed is there, and what
 * waited goes on. */
static void test_restart(void)
{
	struct rt_instance in;
	is_int(start(eng, "wait_event", "survivor", NULL), RT_OK, "start a waiter");
	ok(fake_wait_status(eng, "survivor", RT_ST_RUNNING, WAIT_MS, &in, &arena), "it runs");
	is_int(rt_engine_stop_by(eng, rt_mono_us() + 5000000), 0, "the engine stops cleanly");
	eng = start_engine(3);
	ok(eng != NULL, "and starts again on the same file");
	if (!eng)
		return;
	ok(fake_wait_status(eng, "seq1", RT_ST_COMPLETED, 0, &in, &arena),
	   "a completed instance is still there");
	is_str(in.output, "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]", "with its output");
	ok(fake_wait_status(eng, "survivor", RT_ST_RUNNING, 0, &in, &arena), "the waiter still waits");
	is_int(raise_ev(eng, "survivor", "Approval", "\"after restart\""), RT_OK, "raise to it");
	ok(fake_wait_status(eng, "survivor", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "it completes");
	is_str(in.output, "\"after restart\"", "with the event's data");
	is_int(start(eng, "wait_event", "dup", NULL), RT_E_EXISTS,
	       "the running instance from before the stop still holds its id");
}

/* In a child process: starts `id` running `activity`, whose attempt kills
 * the process. Returns 1 when the child died of SIGKILL. */
static int crash_child(const char *id, const char *activity_json, int new_instance)
{
	pid_t pid = fork();
	int status;
	if (pid == 0) {
		struct rt_engine *e = start_engine(3);
		if (!e)
			_exit(3);
		if (new_instance && start(e, "one", id, activity_json) != RT_OK)
			_exit(4);
		/* The attempt kills the process; a bounded wait in case it never runs. */
		for (int i = 0; i < 100; i++) {
			struct rt_instance in;
			struct rt_arena a;
			rt_arena_init(&a);
			fake_wait_status(e, id, RT_ST_COMPLETED, 50, &in, &a);
			rt_arena_cleanup(&a);
		}
		_exit(5);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		printf("#   child status %d\n", status);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/*
 * Poison: the attempt that killed the process counts; at max_dequeue_count
 * such attempts the activity fails instead of running again, and the
 * orchestration sees that failure.
 */
static void test_poison(void)
{
	struct rt_instance in;

	is_int(rt_engine_stop_by(eng, rt_mono_us() + 5000000), 0, "stop before the crash tests");
	eng = NULL;
	ok(crash_child("suspect1", "\"crash_in_child\"", 1), "an activity attempt kills its process");
	eng = start_engine(3);
	ok(eng != NULL, "restart with maxDequeueCount 3");
	if (!eng)
		return;
	ok(fake_wait_status(eng, "suspect1", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "the activity runs again and the orchestration completes");
	is_str(in.output, "{\"attempt\":2,\"key\":\"suspect1:0:2\"}",
	       "as attempt 2: the killed attempt counted, and the key says so");
	is_int(rt_engine_stop_by(eng, rt_mono_us() + 5000000), 0, "stop again");
	eng = NULL;

	ok(crash_child("poison1", "\"crash\"", 1), "an activity attempt kills its process");
	ok(crash_child("poison1", NULL, 0), "and again after a restart");
	eng = start_engine(2);
	ok(eng != NULL, "restart with maxDequeueCount 2");
	if (!eng)
		return;
	ok(fake_wait_status(eng, "poison1", RT_ST_FAILED, WAIT_MS, &in, &arena),
	   "the activity is not started a third time: the orchestration fails");
	ok(in.output && strstr(in.output, "poisoned: the activity was started 2 times without completing"),
	   "with the poison message (%s)", in.output ? in.output : "NULL");
	is_int(fake_calls("crash"), 0, "the activity never ran in this process");
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	main_pid = getpid();
	fake_echo = getenv("ENGINE_TEST_LOG") != NULL;
	snprintf(hub_path, sizeof(hub_path), "%s/.cfunc/UnitHub.db", tdir);
	eng = start_engine(3);
	ok(eng != NULL, "the engine starts on a new file");
	if (eng) {
		ok(strcmp(rt_engine_hub(eng), "UnitHub") == 0, "with the hub's name");
		subtest("start", test_start);
		subtest("episodes and activity results", test_episodes);
		subtest("activity failures", test_failure);
		subtest("durable timers", test_timer);
		subtest("external events", test_events);
		subtest("suspend, resume, terminate, purge", test_lifecycle);
		subtest("restart on the same file", test_restart);
		if (eng)
			subtest("poison count", test_poison);
		rt_engine_stop(eng);
	}
	{
		char *err = NULL;
		struct rt_engine_opts o = fake_opts("/proc/cfunc-no-such-dir/hub.db", app, NAPP);
		struct rt_engine *bad = rt_engine_start(&o, &err);
		ok(bad == NULL && err && *err, "a store that cannot be opened: NULL and a message (%s)",
		   err ? err : "NULL");
		rt_engine_stop(bad);
		free(err);
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
