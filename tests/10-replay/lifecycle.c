/*
 * lifecycle.c - terminate, suspend/resume, continue-as-new (carried events,
 * keep_events = 0, numbering restarts, failure after it) and rewind.
 */
#include "replay_util.h"

static int runs;

static int chain(struct rt_orch *o)
{
	const char *a, *b;
	runs++;
	AWAIT(o, rt_orch_call_activity(o, "a", NULL, NULL), &a);
	note("a rep=%d", rt_orch_is_replaying(o));
	AWAIT(o, rt_orch_call_activity(o, "b", NULL, NULL), &b);
	return rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "[%s,%s]", a, b));
}

static void test_terminate(void)
{
	struct sim s;
	sim_init(&s, chain);
	EPISODE(&s, SEC(1), m_start("chain", NULL));
	runs = 0;
	EPISODE(&s, SEC(2), m_done(0, "1"), m_reason(RT_EV_EXECUTION_TERMINATED, "\"enough\""));
	is_int(runs, 0, "the code is not run");
	is_str(s.events, "OS TC0 Term EC1:Terminated OC", "terminated, other messages appended");
	is_str(s.out.new_events[3].result, "\"enough\"", "ExecutionCompleted result = reason");
	is_str(s.actions, "", "no actions (no parent)");
	is_int(s.out.status, RT_ST_TERMINATED, "status");
	is_str(s.out.output, "\"enough\"", "output = reason");
	sim_cleanup(&s);

	/* Pending instance terminated before its first episode. */
	sim_init(&s, chain);
	runs = 0;
	EPISODE(&s, SEC(1), m_reason(RT_EV_EXECUTION_TERMINATED, NULL), m_start("chain", NULL));
	is_int(runs, 0, "not run");
	is_str(s.events, "OS ES Term EC0:Terminated OC", "start moved first");
	ok(s.out.output == NULL, "no reason: null output");
	sim_cleanup(&s);
}

static void test_suspend(void)
{
	struct sim s;
	sim_init(&s, chain);
	EPISODE(&s, SEC(1), m_start("chain", NULL));
	EPISODE(&s, SEC(2), m_reason(RT_EV_EXECUTION_SUSPENDED, "\"pause\""));
	is_int(s.out.status, RT_ST_SUSPENDED, "suspended");
	is_str(s.out.output, "\"pause\"", "output = suspend reason");
	ok(s.out.changed, "changed");
	obs[0] = 0;
	EPISODE(&s, SEC(3), m_done(0, "1"), m_raise("e", "2"));
	is_str(s.events, "OS TC0 ER:e OC", "results appended while suspended");
	is_str(obs, "", "but not delivered");
	is_str(s.actions, "", "no actions");
	is_int(s.out.status, RT_ST_SUSPENDED, "still suspended");

	/* Terminate bypasses the suspension. */
	struct sim t;
	sim_init(&t, chain);
	EPISODE(&t, SEC(1), m_start("chain", NULL));
	EPISODE(&t, SEC(2), m_reason(RT_EV_EXECUTION_SUSPENDED, NULL));
	EPISODE(&t, SEC(3), m_reason(RT_EV_EXECUTION_TERMINATED, "x"));
	is_int(t.out.status, RT_ST_TERMINATED, "terminate works while suspended");
	sim_cleanup(&t);

	obs[0] = 0;
	EPISODE(&s, SEC(4), m_reason(RT_EV_EXECUTION_RESUMED, "\"go\""));
	is_str(obs, "a rep=0", "held result delivered on resume, live");
	is_str(s.events, "OS Res TS1:b OC", "next call scheduled");
	is_int(s.out.status, RT_ST_RUNNING, "running");
	is_str(s.out.output, "\"go\"", "output = resume reason");
	obs[0] = 0;
	EPISODE(&s, SEC(5), m_done(1, "2"));
	is_str(obs, "a rep=1", "replayed later");
	is_str(s.out.output, "[1,2]", "completed");
	sim_cleanup(&s);
}

static void test_suspend_holds_actions(void)
{
	struct sim s;
	sim_init(&s, chain);
	EPISODE(&s, SEC(1), m_start("chain", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_done(0, "1"), m_reason(RT_EV_EXECUTION_SUSPENDED, NULL));
	is_str(obs, "a rep=0", "result arrived before the suspension: delivered");
	is_str(s.events, "OS TC0 Susp OC", "but the new call is held");
	is_str(s.actions, "", "no actions while suspended");
	EPISODE(&s, SEC(3), m_reason(RT_EV_EXECUTION_RESUMED, NULL));
	is_str(s.events, "OS Res TS1:b OC", "scheduled on resume with the same number");
	is_str(s.actions, "A1:b(~)", "action");
	ok(s.out.output == NULL, "resume without reason: null");
	sim_cleanup(&s);
}

/* Eternal orchestration: counts generations, keeps or drops events. */
static int keep = 1;

static int eternal(struct rt_orch *o)
{
	int n = atoi(rt_orch_input(o));
	note("gen%d uuid=%.8s", n, rt_orch_new_uuid(o));
	AWAIT(o, rt_orch_call_activity(o, "work", NULL, NULL), NULL);
	if (n < 1)
		return rt_orch_continue_as_new(o, rt_arena_fmt(rt_orch_arena(o), "%d", n + 1),
					       keep);
	if (n == 5) {
		rt_orch_continue_as_new(o, "6", 1);
		return RT_ERROR;
	}
	const char *ev;
	AWAIT(o, rt_orch_wait_for_event(o, "stop"), &ev);
	return rt_orch_finish(o, ev);
}

static void test_continue_as_new(void)
{
	struct sim s;
	sim_init(&s, eternal);
	EPISODE(&s, SEC(1), m_start("eternal", "0"));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_raise("stop", "\"early\""), m_done(0, "null"), m_raise("late", "1"));
	is_int(s.out.status, RT_ST_CONTINUED_AS_NEW, "continued as new");
	is_str(s.out.output, "1", "output = new input");
	is_str(s.events, "OS ER:stop TC0 ER:late CAN1 OC", "ContinueAsNew takes the next number");
	is_str(s.actions, "CAN(1)[stop=\"early\",late=1]",
	       "buffered then later events carried, in order");
	const struct rt_action *a = &s.out.actions[0];
	is_int(a->msg.type, RT_EV_EXECUTION_STARTED, "new ExecutionStarted");
	is_str(a->msg.input, "1", "with the new input");
	is_str(a->msg.name, "eternal", "same orchestrator");
	ok(a->msg.execution_id == NULL, "new execution id from the engine");

	/* The engine starts the next execution: history and numbers restart. */
	/* Copied out of the episode arena, which the next episode resets. */
	struct rt_event next[3];
	copy_event(&s, &next[0], &a->msg);
	next[0].execution_id = "exec2";
	copy_event(&s, &next[1], &a->carried[0]);
	copy_event(&s, &next[2], &a->carried[1]);
	s.n_past = 0;
	s.execution_id = "exec2";
	const char *uuid0 = rt_arena_strndup(&s.keep, obs + strlen("gen0 uuid="), 8);
	obs[0] = 0;
	sim_run(&s, SEC(3), next, 3);
	is_str(s.events, "OS ES ER:stop ER:late TS0:work OC", "new history");
	is_str(s.actions, "A0:work(~)", "sequence numbers restart at 0");
	ok(strncmp(obs, "gen1 uuid=", 10) == 0 && strcmp(obs + 10, uuid0) != 0,
	   "new uuid (counter 0 again, new now)");
	EPISODE(&s, SEC(4), m_done(0, "null"));
	is_str(s.out.output, "\"early\"", "the carried event is waited for");
	sim_cleanup(&s);

	keep = 0;
	sim_init(&s, eternal);
	EPISODE(&s, SEC(1), m_start("eternal", "0"));
	EPISODE(&s, SEC(2), m_raise("stop", "\"early\""), m_done(0, "null"), m_raise("late", "1"));
	is_str(s.actions, "CAN(1)[late=1]",
	       "keep_events = 0: buffered dropped, same-batch later ones carried");
	keep = 1;
	sim_cleanup(&s);

	sim_init(&s, eternal);
	EPISODE(&s, SEC(1), m_start("eternal", "5"));
	EPISODE(&s, SEC(2), m_done(0, "null"));
	is_int(s.out.status, RT_ST_FAILED, "continue-as-new then RT_ERROR: failed");
	is_str(s.events, "OS TC0 EC1:Failed OC", "no ContinueAsNew");
	sim_cleanup(&s);
}

static void test_rewind(void)
{
	struct sim s;
	struct rt_event *h;
	const char **kids;
	size_t nk;

	sim_init(&s, chain);
	EPISODE(&s, SEC(1), m_start("chain", NULL));
	EPISODE(&s, SEC(2), m_done(0, "1"));
	EPISODE(&s, SEC(3), m_fail(1, "Activity function 'b' failed: x"));
	is_int(s.out.status, RT_ST_FAILED, "failed");
	is_int(rt_replay_rewind(s.past, s.n_past, &s.keep, &h, &kids, &nk), 0, "rewind");
	is_str(fmt_events(&s.keep, h, s.n_past),
	       "OS ES TS0:a OC OS TC0 Gen OC OS Gen Gen OC",
	       "TaskScheduled, TaskFailed, ExecutionCompleted rewritten");
	is_str(h[6].reason, "Rewound: TaskScheduled", "reason names the type");
	is_str(h[9].reason, "Rewound: TaskFailed", "TaskFailed");
	is_str(h[10].reason, "Rewound: ExecutionCompleted", "ExecutionCompleted");
	is_int(nk, 0, "no children");
	memcpy(s.past, h, s.n_past * sizeof(*h));

	struct rt_event g = mk(RT_EV_GENERIC);
	g.data = "retry please";
	obs[0] = 0;
	sim_run(&s, SEC(4), &g, 1);
	is_int(s.rc, 0, "rewound history replays");
	is_str(s.events, "OS Gen TS1:b OC", "the failed call is scheduled again, same number");
	is_int(s.out.status, RT_ST_RUNNING, "running again");
	EPISODE(&s, SEC(5), m_done(1, "2"));
	is_str(s.out.output, "[1,2]", "and completes");

	struct rt_event ok_hist[2];
	ok_hist[0] = mk(RT_EV_ORCHESTRATOR_STARTED);
	ok_hist[1] = mk(RT_EV_EXECUTION_STARTED);
	is_int(rt_replay_rewind(ok_hist, 2, &s.keep, &h, &kids, &nk), -1, "not failed: -1");
	sim_cleanup(&s);
}

static int par(struct rt_orch *o)
{
	AWAIT(o, rt_orch_call_sub_orchestrator(o, "child", NULL, NULL, NULL), NULL);
	return rt_orch_finish(o, NULL);
}

static void test_rewind_children(void)
{
	struct sim s;
	struct rt_event *h;
	const char **kids;
	size_t nk;

	sim_init(&s, par);
	EPISODE(&s, SEC(1), m_start("par", NULL));
	EPISODE(&s, SEC(2), m_sub_fail(0, "Orchestrator function 'child' failed: x"));
	is_int(rt_replay_rewind(s.past, s.n_past, &s.keep, &h, &kids, &nk), 0, "rewind");
	is_str(fmt_events(&s.keep, h, s.n_past), "OS ES SC0:child[exec1:0] OC OS Gen Gen OC",
	       "SubOrchCreated kept, its failure rewritten");
	is_int(nk, 1, "one child to rewind");
	is_str(kids[0], "exec1:0", "its id");
	memcpy(s.past, h, s.n_past * sizeof(*h));
	EPISODE(&s, SEC(3), m_sub_done(0, "1"));
	is_int(s.out.status, RT_ST_COMPLETED, "rewound child's new result completes the parent");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("terminate", test_terminate);
	subtest("suspend / resume", test_suspend);
	subtest("suspension holds new actions", test_suspend_holds_actions);
	subtest("continue as new", test_continue_as_new);
	subtest("rewind", test_rewind);
	subtest("rewind with a failed child", test_rewind_children);
	return done_testing();
}
