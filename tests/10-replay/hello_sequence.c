/*
 * hello_sequence.c - function chaining over four episodes, checked event by
 * event; now / is_replaying per episode; new_uuid determinism.
 */
#include "replay_util.h"
#include "runtime/uuid.h"

static int hello(struct rt_orch *o)
{
	const char *a, *b, *c;
	struct rt_arena *ar = rt_orch_arena(o);

	note("[%s now=%s rep=%d]", rt_orch_input(o), reltime(ar, rt_orch_now_us(o)),
	     rt_orch_is_replaying(o));
	AWAIT(o, rt_orch_call_activity(o, "say_hello", "\"Tokyo\"", NULL), &a);
	note("[a now=%s rep=%d]", reltime(ar, rt_orch_now_us(o)), rt_orch_is_replaying(o));
	AWAIT(o, rt_orch_call_activity(o, "say_hello", "\"Seattle\"", NULL), &b);
	note("[b now=%s rep=%d]", reltime(ar, rt_orch_now_us(o)), rt_orch_is_replaying(o));
	AWAIT(o, rt_orch_call_activity(o, "say_hello", "\"London\"", NULL), &c);
	note("[c now=%s rep=%d]", reltime(ar, rt_orch_now_us(o)), rt_orch_is_replaying(o));
	return rt_orch_finish(o, rt_arena_fmt(ar, "[%s,%s,%s]", a, b, c));
}

static void test_hello(void)
{
	struct sim s;
	sim_init(&s, hello);

	obs[0] = 0;
	EPISODE(&s, SEC(1), m_start("hello", "null"));
	is_int(s.rc, 0, "episode 1 runs");
	is_str(s.events, "OS ES TS0:say_hello OC", "episode 1 events");
	is_str(s.actions, "A0:say_hello(\"Tokyo\")", "episode 1 actions");
	is_int(s.out.status, RT_ST_RUNNING, "episode 1 running");
	ok(s.out.output == NULL, "no output while running");
	ok(s.out.changed, "episode 1 changed (Pending -> Running)");
	is_int(s.out.new_events[0].timestamp_us, SEC(1), "OrchestratorStarted has now");
	is_str(s.out.new_events[2].input, "\"Tokyo\"", "TaskScheduled carries the input");
	is_str(obs, "[null now=+1s rep=0]", "episode 1: now and not replaying");

	obs[0] = 0;
	EPISODE(&s, SEC(2), m_done(0, "\"Hello Tokyo!\""));
	is_str(s.events, "OS TC0 TS1:say_hello OC", "episode 2 events");
	is_str(s.actions, "A1:say_hello(\"Seattle\")", "episode 2 actions");
	is_int(s.out.status, RT_ST_RUNNING, "episode 2 running");
	ok(s.out.changed, "episode 2 changed (an action)");
	is_str(obs, "[null now=+1s rep=1] [a now=+2s rep=0]", "episode 2: replay then live");

	obs[0] = 0;
	EPISODE(&s, SEC(3), m_done(1, "\"Hello Seattle!\""));
	is_str(s.events, "OS TC1 TS2:say_hello OC", "episode 3 events");
	is_str(s.actions, "A2:say_hello(\"London\")", "episode 3 actions");
	is_str(obs, "[null now=+1s rep=1] [a now=+2s rep=1] [b now=+3s rep=0]",
	       "episode 3: now per episode boundary");

	obs[0] = 0;
	EPISODE(&s, SEC(4), m_done(2, "\"Hello London!\""));
	is_str(s.events, "OS TC2 EC3:Completed OC", "episode 4 events");
	is_str(s.actions, "", "episode 4: no actions");
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	is_str(s.out.output, "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]",
	       "final output");
	is_str(s.out.new_events[2].result, s.out.output, "ExecutionCompleted result = output");
	is_str(obs,
	       "[null now=+1s rep=1] [a now=+2s rep=1] [b now=+3s rep=1] [c now=+4s rep=0]",
	       "episode 4: replaying until the new result");

	/* An engine must not replay an ended execution. */
	EPISODE(&s, SEC(5), m_done(2, "\"x\""));
	is_int(s.rc, -1, "ended execution refused");
	is_str(s.out.error, "the execution has already ended", "with a reason");
	sim_cleanup(&s);
}

/* All results arrive in one batch: one episode runs the whole chain. */
static void test_batch(void)
{
	struct sim s;
	sim_init(&s, hello);
	EPISODE(&s, SEC(1), m_start("hello", "null"));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_done(0, "\"T\""));
	EPISODE(&s, SEC(3), m_done(1, "\"S\""), m_done(0, "\"dup\""));
	is_str(s.events, "OS TC1 TC0 TS2:say_hello OC", "duplicate result appended, ignored");
	EPISODE(&s, SEC(4), m_done(2, "\"L\""), m_done(7, "\"unknown\""), m_fired(1));
	is_str(s.events, "OS TC2 TC7 TmF1 EC3:Completed OC", "unknown ids appended, ignored");
	is_str(s.out.output, "[\"T\",\"S\",\"L\"]", "results of the first completion only");
	sim_cleanup(&s);
}

static char uuids[4][37];

static int uuid_orch(struct rt_orch *o)
{
	const char *r;
	strcpy(uuids[0], rt_orch_new_uuid(o));
	strcpy(uuids[1], rt_orch_new_uuid(o));
	AWAIT(o, rt_orch_call_activity(o, "a", NULL, NULL), &r);
	strcpy(uuids[2], rt_orch_new_uuid(o));
	return rt_orch_finish(o, NULL);
}

static void test_uuid(void)
{
	struct sim s;
	char want[37], first[2][37];

	sim_init(&s, uuid_orch);
	s.instance_id = "abc123";
	EPISODE(&s, SEC(0) + 678901, m_start("u", NULL));
	rt_uuid_orch("abc123", SEC(0) + 678901, 0, want);
	is_str(uuids[0], want, "uuid 0 = uuid5(dotnet ns, instance_now_0)");
	is_str(uuids[0], "800316a9-6d2c-52e8-9987-3570d2259641", "spec test vector via replay");
	rt_uuid_orch("abc123", SEC(0) + 678901, 1, want);
	is_str(uuids[1], want, "uuid 1 uses counter 1");
	strcpy(first[0], uuids[0]);
	strcpy(first[1], uuids[1]);

	EPISODE(&s, SEC(9), m_done(0, "1"));
	is_str(uuids[0], first[0], "same uuid 0 on replay");
	is_str(uuids[1], first[1], "same uuid 1 on replay");
	rt_uuid_orch("abc123", SEC(9), 2, want);
	is_str(uuids[2], want, "after the await: the new now, counter 2");
	is_str(s.out.output, "null", "finish(NULL) = null");
	sim_cleanup(&s);
}

/* An episode time earlier than a committed one (clock skew between
 * processes) never moves now backwards. */
static void test_monotonic(void)
{
	struct sim s;
	sim_init(&s, hello);
	EPISODE(&s, SEC(10), m_start("hello", "null"));
	obs[0] = 0;
	EPISODE(&s, SEC(5), m_done(0, "1"));
	is_str(obs, "[null now=+10s rep=1] [a now=+10s rep=0]", "now stays at +10 s");
	ok(s.out.new_events[0].timestamp_us == SEC(5), "the event keeps the engine's time");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("hello sequence over four episodes", test_hello);
	subtest("batched and duplicate results", test_batch);
	subtest("new_uuid", test_uuid);
	subtest("now is monotonic", test_monotonic);
	return done_testing();
}
