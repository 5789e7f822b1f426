/*
 * fan_out.c - fan-out/fan-in with when_all: all scheduled in one episode,
 * results in argument order whatever the completion order; fail-fast on the
 * earliest failure in history order; the completion rule with children
 * still running; when_all of nothing.
 */
#include "replay_util.h"

#define N 5

static int fan(struct rt_orch *o)
{
	struct rt_task *t[N];
	const char *r;
	for (int i = 0; i < N; i++)
		t[i] = rt_orch_call_activity(o, "work", rt_arena_fmt(rt_orch_arena(o), "%d", i),
					     NULL);
	AWAIT(o, rt_orch_when_all(o, t, N), &r);
	return rt_orch_finish(o, r);
}

static void test_fan_out(void)
{
	struct sim s;
	sim_init(&s, fan);
	EPISODE(&s, SEC(1), m_start("fan", NULL));
	is_str(s.events, "OS ES TS0:work TS1:work TS2:work TS3:work TS4:work OC",
	       "all five scheduled in one episode");
	is_str(s.actions, "A0:work(0) A1:work(1) A2:work(2) A3:work(3) A4:work(4)",
	       "five actions in sequence order");

	/* Completions in a scrambled order over three episodes. */
	EPISODE(&s, SEC(2), m_done(3, "30"), m_done(1, "10"));
	is_str(s.events, "OS TC3 TC1 OC", "partial results: nothing new");
	is_str(s.actions, "", "no actions");
	is_int(s.out.status, RT_ST_RUNNING, "still running");
	ok(!s.out.changed, "nothing changed");
	EPISODE(&s, SEC(3), m_done(4, "40"), m_done(0, "0"));
	is_int(s.out.status, RT_ST_RUNNING, "still running with one left");
	EPISODE(&s, SEC(4), m_done(2, "20"));
	is_str(s.events, "OS TC2 EC5:Completed OC", "completes");
	is_str(s.out.output, "[0,10,20,30,40]", "results in argument order");
	sim_cleanup(&s);
}

static int fan_fail(struct rt_orch *o)
{
	struct rt_task *t[3];
	const char *r;
	int rc;
	for (int i = 0; i < 3; i++)
		t[i] = rt_orch_call_activity(o, "work", NULL, NULL);
	rc = rt_orch_await(o, rt_orch_when_all(o, t, 3), &r);
	if (rc == RT_ERROR)
		note("caught: %s", rt_orch_last_error(o));
	return rc;
}

static void test_fail_fast(void)
{
	struct sim s;

	/* Two failures in one batch: the earlier one in history wins,
	 * although it is the later argument. */
	sim_init(&s, fan_fail);
	EPISODE(&s, SEC(1), m_start("f", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_fail(2, "Activity function 'work' failed: two"),
		m_fail(1, "Activity function 'work' failed: one"));
	is_str(obs, "caught: Activity function 'work' failed: two", "first failure in history order");
	is_int(s.out.status, RT_ST_RUNNING, "failed code waits for the outstanding task 0 (§6.7)");
	is_str(s.events, "OS TF2 TF1 OC", "no completion yet");
	obs[0] = 0;
	EPISODE(&s, SEC(3), m_done(0, "1"));
	is_int(s.out.status, RT_ST_FAILED, "then fails");
	is_str(s.events, "OS TC0 EC3:Failed OC", "ExecutionCompleted(Failed)");
	is_str(s.out.output,
	       "\"Orchestrator function 'f' failed: Activity function 'work' failed: two\"",
	       "output = wrapped message of the first failure");
	is_str(obs, "caught: Activity function 'work' failed: two", "same failure on replay");
	sim_cleanup(&s);

	/* A failure before the others completed fails the when_all at once,
	 * even though the others succeed later in the same batch. */
	sim_init(&s, fan_fail);
	s.fn.f = fan_fail;
	EPISODE(&s, SEC(1), m_start("f", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_done(0, "1"), m_fail(1, "boom"), m_done(2, "3"));
	is_str(obs, "caught: boom", "fail fast");
	is_int(s.out.status, RT_ST_FAILED, "nothing outstanding: failed now");
	is_str(s.out.output, "\"Orchestrator function 'f' failed: boom\"", "message");
	sim_cleanup(&s);
}

static int all_none(struct rt_orch *o)
{
	const char *r;
	AWAIT(o, rt_orch_when_all(o, NULL, 0), &r);
	return rt_orch_finish(o, r);
}

static int nested(struct rt_orch *o)
{
	struct rt_task *a[2], *b[2], *c[2];
	const char *r;
	a[0] = rt_orch_call_activity(o, "x", NULL, NULL);
	a[1] = rt_orch_call_activity(o, "y", NULL, NULL);
	b[0] = rt_orch_call_activity(o, "z", NULL, NULL);
	b[1] = rt_orch_create_timer(o, SEC(100) / 1000);
	c[0] = rt_orch_when_all(o, a, 2);
	c[1] = rt_orch_when_any(o, b, 2);
	AWAIT(o, rt_orch_when_all(o, c, 2), &r);
	rt_task_cancel(b[1]);
	return rt_orch_finish(o, r);
}

static void test_misc(void)
{
	struct sim s;
	sim_init(&s, all_none);
	EPISODE(&s, SEC(1), m_start("n", NULL));
	is_int(s.out.status, RT_ST_COMPLETED, "when_all of nothing completes at once");
	is_str(s.out.output, "[]", "with []");
	sim_cleanup(&s);

	sim_init(&s, nested);
	EPISODE(&s, SEC(1), m_start("n", NULL));
	is_str(s.actions, "A0:x(~) A1:y(~) A2:z(~) T3@+100s", "nested: four actions");
	EPISODE(&s, SEC(2), m_done(2, "\"z\""), m_done(1, "\"y\""), m_done(0, "\"x\""));
	is_int(s.out.status, RT_ST_COMPLETED, "timer cancelled: completes");
	is_str(s.out.output, "[[\"x\",\"y\"],\"z\"]", "nested results");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("fan-out / fan-in", test_fan_out);
	subtest("when_all fails fast", test_fail_fast);
	subtest("when_all edge cases", test_misc);
	return done_testing();
}
