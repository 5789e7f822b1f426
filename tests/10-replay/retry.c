/*
 * retry.c - retry policies (spec §6.6): exact timer due times for a backoff
 * coefficient, the max interval cap, the retry timeout, the trailing
 * zero-delay timer, success on a later attempt, sub-orchestration retries
 * and numbers interleaved with the code's own calls.
 */
#include "replay_util.h"

static struct rt_retry policy;

static int flaky(struct rt_orch *o)
{
	const char *r;
	AWAIT(o, rt_orch_call_activity(o, "flaky", "7", &policy), &r);
	return rt_orch_finish(o, r);
}

static const char *fail_msg(int n)
{
	static char b[64];
	snprintf(b, sizeof(b), "Activity function 'flaky' failed: boom%d", n);
	return b;
}

static void test_backoff(void)
{
	struct sim s;
	policy = (struct rt_retry){ .first_interval_ms = 1000, .max_attempts = 4,
				    .backoff_coefficient = 2 };
	sim_init(&s, flaky);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	is_str(s.actions, "A0:flaky(7)", "attempt 1");
	is_int(s.out.actions[0].attempt, 1, "attempt number 1");
	EPISODE(&s, SEC(2), m_fail(0, fail_msg(1)));
	is_str(s.events, "OS TF0 TmC1@+3s OC", "retry timer now + 1 s");
	EPISODE(&s, SEC(3), m_fired(1));
	is_str(s.actions, "A2:flaky(7)", "attempt 2, same input");
	is_int(s.out.actions[0].attempt, 2, "attempt number 2");
	EPISODE(&s, SEC(4), m_fail(2, fail_msg(2)));
	is_str(s.actions, "T3@+6s", "then + 2 s");
	EPISODE(&s, SEC(6), m_fired(3));
	is_str(s.actions, "A4:flaky(7)", "attempt 3");
	EPISODE(&s, SEC(7), m_fail(4, fail_msg(3)));
	is_str(s.actions, "T5@+11s", "then + 4 s");
	EPISODE(&s, SEC(11), m_fired(5));
	is_str(s.actions, "A6:flaky(7)", "attempt 4 (the last)");
	EPISODE(&s, SEC(12), m_fail(6, fail_msg(4)));
	is_str(s.actions, "T7@+12s", "trailing timer due now");
	is_int(s.out.status, RT_ST_RUNNING, "not failed before the trailing timer fires");
	EPISODE(&s, SEC(12) + 5000, m_fired(7));
	is_int(s.out.status, RT_ST_FAILED, "then failed");
	is_str(s.events, "OS TmF7 EC8:Failed OC", "events");
	is_str(s.out.output,
	       "\"Orchestrator function 'r' failed: Activity function 'flaky' failed: boom4\"",
	       "with the last attempt's message");
	sim_cleanup(&s);
}

static void test_max_interval(void)
{
	struct sim s;
	policy = (struct rt_retry){ .first_interval_ms = 1000, .max_attempts = 5,
				    .backoff_coefficient = 2, .max_interval_ms = 3000 };
	sim_init(&s, flaky);
	EPISODE(&s, SEC(0), m_start("r", NULL));
	EPISODE(&s, SEC(10), m_fail(0, "x"));
	is_str(s.actions, "T1@+11s", "1 s");
	EPISODE(&s, SEC(11), m_fired(1));
	EPISODE(&s, SEC(20), m_fail(2, "x"));
	is_str(s.actions, "T3@+22s", "2 s");
	EPISODE(&s, SEC(22), m_fired(3));
	EPISODE(&s, SEC(30), m_fail(4, "x"));
	is_str(s.actions, "T5@+33s", "4 s capped to 3 s");
	EPISODE(&s, SEC(33), m_fired(5));
	EPISODE(&s, SEC(40), m_fail(6, "x"));
	is_str(s.actions, "T7@+43s", "8 s capped to 3 s");
	EPISODE(&s, SEC(43), m_fired(7));
	EPISODE(&s, SEC(50), m_done(8, "\"ok\""));
	is_int(s.out.status, RT_ST_COMPLETED, "fifth attempt succeeds");
	is_str(s.out.output, "\"ok\"", "with its result");
	sim_cleanup(&s);
}

static void test_timeout(void)
{
	struct sim s;
	policy = (struct rt_retry){ .first_interval_ms = 1000, .max_attempts = 10,
				    .backoff_coefficient = 2, .timeout_ms = 5000 };
	sim_init(&s, flaky);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	EPISODE(&s, SEC(2), m_fail(0, "a"));
	is_str(s.actions, "T1@+3s", "within the timeout: retry");
	EPISODE(&s, SEC(3), m_fired(1));
	EPISODE(&s, SEC(4), m_fail(2, "b"));
	is_str(s.actions, "T3@+6s", "still within");
	EPISODE(&s, SEC(6), m_fired(3));
	EPISODE(&s, SEC(7), m_fail(4, "c"));
	is_str(s.actions, "", "first + 5 s passed: no timer");
	is_int(s.out.status, RT_ST_FAILED, "failed at once");
	is_str(s.out.output, "\"Orchestrator function 'r' failed: c\"", "last message");
	sim_cleanup(&s);
}

/* One batch: every timer firing and failure arrives together after a
 * crash; replay consumes it in one run. */
static void test_in_one_history(void)
{
	struct sim s;
	policy = (struct rt_retry){ .first_interval_ms = 500, .max_attempts = 2 };
	sim_init(&s, flaky);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	EPISODE(&s, SEC(2), m_fail(0, "e1"));
	is_str(s.actions, "T1@+2500000us", "coefficient 0 means 1: 0.5 s");
	EPISODE(&s, SEC(3), m_fired(1), m_done(2, "5"));
	is_str(s.events, "OS TmF1 TC2 TS2:flaky EC3:Completed OC",
	       "messages first, then the new attempt's event (§2.1)");
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	sim_cleanup(&s);
}

static int interleave(struct rt_orch *o)
{
	struct rt_task *t[2];
	const char *r;
	t[0] = rt_orch_call_activity(o, "a", NULL, &policy);
	t[1] = rt_orch_call_activity(o, "b", NULL, NULL);
	AWAIT(o, rt_orch_when_all(o, t, 2), &r);
	AWAIT(o, rt_orch_call_sub_orchestrator(o, "child", NULL, "1", &policy), &r);
	return rt_orch_finish(o, r);
}

static void test_interleave_and_sub(void)
{
	struct sim s;
	policy = (struct rt_retry){ .first_interval_ms = 1000, .max_attempts = 2 };
	sim_init(&s, interleave);
	EPISODE(&s, SEC(1), m_start("i", NULL));
	is_str(s.actions, "A0:a(~) A1:b(~)", "retry attempt and plain call");
	EPISODE(&s, SEC(2), m_fail(0, "x"), m_done(1, "1"));
	is_str(s.actions, "T2@+3s", "retry timer takes the next number");
	EPISODE(&s, SEC(3), m_fired(2));
	is_str(s.actions, "A3:a(~)", "second attempt");
	EPISODE(&s, SEC(4), m_done(3, "2"));
	is_str(s.actions, "S4:child[exec1:4](1)", "sub-orchestration attempt 1, default id");
	EPISODE(&s, SEC(5), m_sub_fail(4, "Orchestrator function 'child' failed: no"));
	is_str(s.actions, "T5@+6s", "sub-orchestration retry timer");
	EPISODE(&s, SEC(6), m_fired(5));
	is_str(s.actions, "S6:child[exec1:6](1)", "attempt 2 with its own default id");
	EPISODE(&s, SEC(7), m_sub_fail(6, "Orchestrator function 'child' failed: again"));
	is_str(s.actions, "T7@+7s", "trailing timer");
	EPISODE(&s, SEC(7), m_fired(7));
	is_str(s.out.output,
	       "\"Orchestrator function 'i' failed: Orchestrator function 'child' failed: again\"",
	       "child failure surfaces with its message");
	sim_cleanup(&s);
}

static void test_invalid(void)
{
	struct sim s;
	policy = (struct rt_retry){ .first_interval_ms = 0, .max_attempts = 2 };
	sim_init(&s, flaky);
	EPISODE(&s, SEC(1), m_start("r", NULL));
	is_int(s.out.status, RT_ST_FAILED, "invalid retry options fail the orchestration");
	is_str(s.actions, "", "nothing scheduled");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("backoff coefficient 2 and the trailing timer", test_backoff);
	subtest("max interval", test_max_interval);
	subtest("retry timeout", test_timeout);
	subtest("several steps in one episode", test_in_one_history);
	subtest("interleaving and sub-orchestrations", test_interleave_and_sub);
	subtest("invalid options", test_invalid);
	return done_testing();
}
