/*
 * sub_orch.c - sub-orchestrations: default and explicit instance ids, the
 * child's ExecutionStarted message, failure / termination surfacing in the
 * parent, and the child's completion notification to its parent.
 */
#include "replay_util.h"

static int parent(struct rt_orch *o)
{
	struct rt_task *t[2];
	const char *r;
	int rc;
	t[0] = rt_orch_call_sub_orchestrator(o, "child", NULL, "\"a\"", NULL);
	t[1] = rt_orch_call_sub_orchestrator(o, "Child", "fixed-id", NULL, NULL);
	rc = rt_orch_await(o, t[0], &r);
	if (rc != RT_OK) {
		note("t0: %s", rt_task_error(t[0]));
		return rc;
	}
	AWAIT(o, t[1], &r);
	return rt_orch_finish(o, r);
}

static void test_parent(void)
{
	struct sim s;
	sim_init(&s, parent);
	EPISODE(&s, SEC(1), m_start("parent", NULL));
	is_str(s.events, "OS ES SC0:child[exec1:0] SC1:Child[fixed-id] OC", "events");
	is_str(s.actions, "S0:child[exec1:0](\"a\") S1:Child[fixed-id](~)",
	       "default id <execution id>:<seq>, explicit id kept");
	const struct rt_event *m = &s.out.actions[0].msg;
	is_int(m->type, RT_EV_EXECUTION_STARTED, "child message: ExecutionStarted");
	is_str(m->instance_id, "exec1:0", "for the child id");
	ok(m->execution_id == NULL, "execution id left to the engine");
	is_str(m->parent_instance_id, "inst1", "parent instance");
	is_str(m->parent_execution_id, "exec1", "parent execution");
	is_str(m->parent_name, "parent", "parent name");
	is_int(m->parent_task_id, 0, "parent task id = seq");
	is_str(m->input, "\"a\"", "input");

	EPISODE(&s, SEC(2), m_sub_done(1, "2"), m_sub_done(0, "1"));
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	is_str(s.out.output, "2", "output");
	sim_cleanup(&s);

	sim_init(&s, parent);
	EPISODE(&s, SEC(1), m_start("parent", NULL));
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_sub_fail(0, "Orchestrator function 'child' failed: bad input"),
		m_sub_fail(1, "terminated by admin"));
	is_str(obs, "t0: Orchestrator function 'child' failed: bad input", "failure message");
	is_int(s.out.status, RT_ST_FAILED, "failed");
	is_str(s.out.output,
	       "\"Orchestrator function 'parent' failed: Orchestrator function 'child' failed: "
	       "bad input\"",
	       "output");
	sim_cleanup(&s);
}

static int child(struct rt_orch *o)
{
	const char *in = rt_orch_input(o);
	if (strcmp(in, "\"fail\"") == 0)
		return rt_orch_fail(o, "bad input");
	AWAIT(o, rt_orch_call_activity(o, "a", in, NULL), NULL);
	return rt_orch_finish(o, "\"done\"");
}

static struct rt_event child_start(const char *input)
{
	struct rt_event e = m_start("child", input);
	e.instance_id = "exec9:3";
	e.parent_instance_id = "p";
	e.parent_execution_id = "pexec";
	e.parent_name = "parent";
	e.parent_task_id = 3;
	return e;
}

static void test_child(void)
{
	struct sim s;

	sim_init(&s, child);
	s.instance_id = NULL; /* from ExecutionStarted */
	EPISODE(&s, SEC(1), child_start("1"));
	is_str(s.actions, "A0:a(1)", "child schedules");
	EPISODE(&s, SEC(2), m_done(0, "null"));
	is_str(s.actions, "N:ok->p#3(\"done\")", "completion notification to the parent");
	is_str(s.out.actions[0].execution_id, "pexec", "to the parent's execution");
	sim_cleanup(&s);

	sim_init(&s, child);
	EPISODE(&s, SEC(1), child_start("\"fail\""));
	is_str(s.actions, "N:fail->p#3(Orchestrator function 'child' failed: bad input)",
	       "failure notification with the wrapped message");
	sim_cleanup(&s);

	sim_init(&s, child);
	EPISODE(&s, SEC(1), child_start("1"));
	EPISODE(&s, SEC(2), m_reason(RT_EV_EXECUTION_TERMINATED, "stopped"));
	is_str(s.actions, "N:fail->p#3(stopped)", "termination surfaces as a failure");
	sim_cleanup(&s);
}

static int bad_children(struct rt_orch *o)
{
	const char *which = rt_orch_input(o);
	if (strcmp(which, "1") == 0)
		rt_orch_call_sub_orchestrator(o, "nope", NULL, NULL, NULL);
	else
		rt_orch_call_sub_orchestrator(o, "child", "inst1", NULL, NULL);
	return RT_PENDING;
}

static int is_child(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "child") == 0;
}

static void test_invalid(void)
{
	struct sim s;
	sim_init(&s, bad_children);
	s.is_orchestrator = is_child;
	EPISODE(&s, SEC(1), m_start("bad", "1"));
	is_str(s.out.output,
	       "\"Orchestrator function 'bad' failed: The function 'nope' doesn't exist, is "
	       "disabled, or is not an orchestrator function.\"",
	       "unknown orchestrator");
	sim_cleanup(&s);
	sim_init(&s, bad_children);
	s.is_orchestrator = is_child;
	EPISODE(&s, SEC(1), m_start("bad", "2"));
	is_int(s.out.status, RT_ST_FAILED, "child with the parent's id");
	is_str(s.actions, "", "not started");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("parent side", test_parent);
	subtest("child side", test_child);
	subtest("invalid calls", test_invalid);
	return done_testing();
}
