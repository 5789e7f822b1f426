/*
 * when_any.c - event vs timer races decided by history order (separate
 * episodes and within one batch), timer cancel and the completion rule.
 */
#include "replay_util.h"

static int cancel_loser = 1;

/* Human interaction: approval event or a one-hour timeout. */
static int approval(struct rt_orch *o)
{
	struct rt_task *t[2], *any;
	t[0] = rt_orch_wait_for_event(o, "Approval");
	t[1] = rt_orch_create_timer(o, rt_orch_now_ms(o) + 3600 * 1000);
	any = rt_orch_when_any(o, t, 2);
	AWAIT(o, any, NULL);
	if (rt_task_winner(any) == t[0]) {
		note("approved %s", rt_task_result(any));
		if (cancel_loser)
			rt_task_cancel(t[1]);
		return rt_orch_finish(o, rt_task_result(t[0]));
	}
	note("timeout");
	return rt_orch_finish(o, "\"timed out\"");
}

static void test_event_wins(void)
{
	struct sim s;
	sim_init(&s, approval);
	EPISODE(&s, SEC(10), m_start("approval", NULL));
	is_str(s.events, "OS ES TmC0@+3610s OC", "timer at now + 1 h; the wait takes no number");
	is_str(s.actions, "T0@+3610s", "timer action");
	obs[0] = 0;
	EPISODE(&s, SEC(20), m_raise("approval", "true"));
	is_str(obs, "approved true", "event wins (case-insensitive name)");
	is_int(s.out.status, RT_ST_COMPLETED, "cancelled timer does not hold completion");
	is_str(s.events, "OS ER:approval EC1:Completed OC", "events");
	is_str(s.out.output, "true", "output");
	sim_cleanup(&s);
}

static void test_timer_wins(void)
{
	struct sim s;
	sim_init(&s, approval);
	EPISODE(&s, SEC(10), m_start("approval", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(3610), m_fired(0));
	is_str(obs, "timeout", "timer wins");
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	is_str(s.out.output, "\"timed out\"", "output");
	sim_cleanup(&s);
}

static void test_same_batch(void)
{
	struct sim s;

	sim_init(&s, approval);
	EPISODE(&s, SEC(10), m_start("approval", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(3611), m_raise("Approval", "1"), m_fired(0));
	is_str(obs, "approved 1", "event first in the batch wins");
	is_str(s.events, "OS ER:Approval TmF0 EC1:Completed OC", "the late TimerFired is ignored");
	sim_cleanup(&s);

	sim_init(&s, approval);
	EPISODE(&s, SEC(10), m_start("approval", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(3611), m_fired(0), m_raise("Approval", "1"));
	is_str(obs, "timeout", "timer first in the batch wins");
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	sim_cleanup(&s);

	/* Both arrived in the first batch of a Pending instance: the event was
	 * raised before the start and is delivered after ExecutionStarted. */
	sim_init(&s, approval);
	obs[0] = 0;
	EPISODE(&s, SEC(10), m_raise("approval", "\"early\""), m_start("approval", NULL));
	is_str(s.events, "OS ES ER:approval TmC0@+3610s EC1:Completed OC",
	       "ExecutionStarted moved first");
	is_str(obs, "approved \"early\"", "buffered event wins at once");
	is_str(s.actions, "T0@+3610s", "the timer, created then cancelled, is still sent");
	is_int(s.out.status, RT_ST_COMPLETED, "completed in the first episode");
	sim_cleanup(&s);
}

static void test_completion_rule(void)
{
	struct sim s;
	cancel_loser = 0;
	sim_init(&s, approval);
	EPISODE(&s, SEC(10), m_start("approval", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(20), m_raise("approval", "true"));
	is_str(obs, "approved true", "event wins");
	is_int(s.out.status, RT_ST_RUNNING, "uncancelled timer keeps it running (§6.7)");
	is_str(s.events, "OS ER:approval OC", "no ExecutionCompleted yet");
	ok(s.out.output == NULL, "no output yet");
	obs[0] = 0;
	EPISODE(&s, SEC(3610), m_fired(0));
	is_int(s.out.status, RT_ST_COMPLETED, "completes when the timer fires");
	is_str(s.out.output, "true", "with the recorded result");
	is_str(s.events, "OS TmF0 EC1:Completed OC", "events");
	is_str(obs, "approved true", "same path on replay");
	cancel_loser = 1;
	sim_cleanup(&s);
}

/* when_any over activities: the loser keeps the instance open. */
static int race(struct rt_orch *o)
{
	struct rt_task *t[2], *any;
	t[0] = rt_orch_call_activity(o, "a", NULL, NULL);
	t[1] = rt_orch_call_activity(o, "b", NULL, NULL);
	any = rt_orch_when_any(o, t, 2);
	AWAIT(o, any, NULL);
	note("winner=%s err=%s", rt_task_winner(any) == t[0] ? "a" : "b",
	     S(rt_task_error(rt_task_winner(any))));
	return rt_orch_finish(o, rt_task_winner(any) == t[0] ? "\"a\"" : "\"b\"");
}

static void test_any_failure(void)
{
	struct sim s;
	sim_init(&s, race);
	EPISODE(&s, SEC(1), m_start("race", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_fail(1, "bad"), m_done(0, "1"));
	is_str(obs, "winner=b err=bad", "a failure wins when_any, which does not fail");
	is_int(s.out.status, RT_ST_COMPLETED, "both done: completed");
	is_str(s.out.output, "\"b\"", "output");
	sim_cleanup(&s);

	sim_init(&s, race);
	EPISODE(&s, SEC(1), m_start("race", NULL));
	EPISODE(&s, SEC(2), m_done(0, "1"));
	is_int(s.out.status, RT_ST_RUNNING, "loser still running keeps it open");
	EPISODE(&s, SEC(3), m_done(1, "2"));
	is_int(s.out.status, RT_ST_COMPLETED, "then completes");
	is_str(s.out.output, "\"a\"", "with the first winner");
	sim_cleanup(&s);
}

/* Awaiting a cancelled timer fails; cancel after firing is a no-op. */
static int cancels(struct rt_orch *o)
{
	struct rt_task *t = rt_orch_create_timer(o, SEC(5) / 1000);
	struct rt_task *u = rt_orch_create_timer(o, SEC(6) / 1000);
	int rc;
	rt_task_cancel(t);
	rc = rt_orch_await(o, t, NULL);
	note("rc=%d err=%s", rc, S(rt_task_error(t)));
	AWAIT(o, u, NULL);
	rt_task_cancel(u);
	note("u=%s", rt_task_error(u) ? "cancelled" : "fired");
	return rt_orch_finish(o, NULL);
}

static void test_cancel(void)
{
	struct sim s;
	sim_init(&s, cancels);
	obs[0] = 0;
	EPISODE(&s, SEC(1), m_start("c", NULL));
	is_str(obs, "rc=-1 err=timer cancelled", "await of a cancelled timer fails");
	is_str(s.actions, "T0@+5s T1@+6s", "a cancelled timer was still created");
	obs[0] = 0;
	EPISODE(&s, SEC(6), m_fired(1), m_fired(0));
	is_str(obs, "rc=-1 err=timer cancelled u=fired", "cancel after firing is a no-op");
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	sim_cleanup(&s);
}

/* The event and the timer both happen while the code waits for something
 * else; when it then races them, the one that came first in history wins,
 * although the event is only taken from the buffer at the race. */
static int late_race(struct rt_orch *o)
{
	struct rt_task *t[2], *timer, *any;
	timer = rt_orch_create_timer(o, SEC(5) / 1000);
	AWAIT(o, rt_orch_call_activity(o, "a", NULL, NULL), NULL);
	t[0] = rt_orch_wait_for_event(o, "e");
	t[1] = timer;
	any = rt_orch_when_any(o, t, 2);
	AWAIT(o, any, NULL);
	note("%s", rt_task_winner(any) == t[0] ? "event" : "timer");
	return rt_orch_finish(o, NULL);
}

static void test_late_race(void)
{
	struct sim s;
	sim_init(&s, late_race);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(6), m_raise("e", "1"), m_fired(0), m_done(1, "1"));
	is_str(obs, "event", "buffered event that arrived before the timer fired wins");
	sim_cleanup(&s);

	sim_init(&s, late_race);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(6), m_fired(0), m_raise("e", "1"), m_done(1, "1"));
	is_str(obs, "timer", "timer that fired before the event arrived wins");
	sim_cleanup(&s);

	sim_init(&s, late_race);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	EPISODE(&s, SEC(2), m_raise("e", "1"));
	obs[0] = 0;
	EPISODE(&s, SEC(6), m_fired(0), m_done(1, "1"));
	is_str(obs, "event", "across episodes too");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("event wins", test_event_wins);
	subtest("timer wins", test_timer_wins);
	subtest("event and timer in one batch", test_same_batch);
	subtest("completion rule with an uncancelled timer", test_completion_rule);
	subtest("when_any over activities", test_any_failure);
	subtest("timer cancel", test_cancel);
	subtest("race decided by arrival, not by the wait", test_late_race);
	return done_testing();
}
