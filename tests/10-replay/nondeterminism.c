/*
 * nondeterminism.c - replay matching by sequence number (renamed activity,
 * another kind, missing action; names case-insensitive), unknown function
 * names, maxOrchestrationActions, the custom status limit and odd return
 * values of the orchestrator.
 */
#include "replay_util.h"

static const char *second = "b";
static int second_kind; /* 0 activity, 1 timer, 2 none, 3 sub-orch */

static int two(struct rt_orch *o)
{
	AWAIT(o, rt_orch_call_activity(o, "a", NULL, NULL), NULL);
	if (second_kind == 0)
		AWAIT(o, rt_orch_call_activity(o, second, NULL, NULL), NULL);
	else if (second_kind == 1)
		AWAIT(o, rt_orch_create_timer(o, 0), NULL);
	else if (second_kind == 3)
		AWAIT(o, rt_orch_call_sub_orchestrator(o, second, NULL, NULL, NULL), NULL);
	return rt_orch_finish(o, "1");
}

#define HINT "Was a change made to the orchestrator code after this instance had already started running?"

/* History: a (0), b (1), then a new episode with v2 of the code. */
static void history_then(struct sim *s, const char *name, int kind)
{
	second = "b";
	second_kind = 0;
	sim_init(s, two);
	EPISODE(s, SEC(1), m_start("o", NULL));
	EPISODE(s, SEC(2), m_done(0, "null"));
	second = name;
	second_kind = kind;
	EPISODE(s, SEC(3), m_done(1, "null"));
}

static void test_nondeterminism(void)
{
	struct sim s;

	history_then(&s, "c", 0);
	is_int(s.out.status, RT_ST_FAILED, "renamed activity: failed");
	is_str(s.out.output,
	       "\"Non-Deterministic workflow detected: A previous execution of this orchestration "
	       "scheduled an activity task with sequence number 1 named 'b', but the current "
	       "orchestration replay instead scheduled an activity task named 'c' with this "
	       "sequence number. " HINT "\"",
	       "exact message, not wrapped");
	is_str(s.events, "OS TC1 EC2:Failed OC", "fails in that episode");
	is_str(s.out.new_events[2].result, s.out.output, "ExecutionCompleted result");
	sim_cleanup(&s);

	history_then(&s, "B", 0);
	is_int(s.out.status, RT_ST_COMPLETED, "names compare case-insensitively");
	sim_cleanup(&s);

	history_then(&s, NULL, 1);
	is_str(s.out.output,
	       "\"Non-Deterministic workflow detected: A previous execution of this orchestration "
	       "scheduled an activity task with sequence number 1 named 'b', but the current "
	       "orchestration replay instead produced a timer task with this sequence number. "
	       HINT "\"",
	       "another kind");
	sim_cleanup(&s);

	history_then(&s, "b", 3);
	is_str(s.out.output,
	       "\"Non-Deterministic workflow detected: A previous execution of this orchestration "
	       "scheduled an activity task with sequence number 1 named 'b', but the current "
	       "orchestration replay instead produced a sub-orchestration task named 'b' with this "
	       "sequence number. " HINT "\"",
	       "activity became a sub-orchestration");
	sim_cleanup(&s);

	history_then(&s, NULL, 2);
	is_int(s.out.status, RT_ST_FAILED, "missing action: failed");
	is_str(s.out.output,
	       "\"Non-Deterministic workflow detected: A previous execution of this orchestration "
	       "scheduled an activity task with sequence number 1 named 'b', but the current "
	       "replay execution hasn't (yet?) scheduled this task. " HINT "\"",
	       "missing action");
	sim_cleanup(&s);
	second = "b";
	second_kind = 0;
}

static int poisoned(struct rt_orch *o)
{
	int rc;
	rt_orch_call_activity(o, "x", NULL, NULL);
	rc = rt_orch_await(o, rt_orch_call_activity(o, "a", NULL, NULL), NULL);
	note("rc=%d", rc);
	rt_orch_call_activity(o, "y", NULL, NULL);
	note("finish=%d", rt_orch_finish(o, "1"));
	return RT_OK;
}

static void test_poisoned(void)
{
	struct sim s;
	sim_init(&s, two);
	EPISODE(&s, SEC(1), m_start("o", NULL));
	s.fn.f = poisoned;
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_done(0, "null"));
	is_str(obs, "rc=-1 finish=-1", "after non-determinism awaits and finish fail");
	is_int(s.out.status, RT_ST_FAILED, "failed");
	is_str(s.actions, "", "nothing new is scheduled");
	sim_cleanup(&s);
}

static int call_nope(struct rt_orch *o)
{
	const char *r;
	AWAIT(o, rt_orch_call_activity(o, "good", NULL, NULL), &r);
	AWAIT(o, rt_orch_call_activity(o, "nope", NULL, NULL), &r);
	return rt_orch_finish(o, r);
}

static int only_good(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "good") == 0;
}

static void test_unknown_name(void)
{
	struct sim s;
	sim_init(&s, call_nope);
	s.is_activity = only_good;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_str(s.actions, "A0:good(~)", "known activity scheduled");
	EPISODE(&s, SEC(2), m_done(0, "1"));
	is_int(s.out.status, RT_ST_FAILED, "unknown activity fails the orchestration");
	is_str(s.out.output,
	       "\"Orchestrator function 'o' failed: The function 'nope' doesn't exist, is "
	       "disabled, or is not an activity function.\"",
	       "message");
	is_str(s.events, "OS TC0 EC1:Failed OC", "no TaskScheduled for it");
	sim_cleanup(&s);
}

static int many(struct rt_orch *o)
{
	struct rt_task *t[4];
	const char *r;
	for (int i = 0; i < 4; i++)
		t[i] = rt_orch_call_activity(o, "a", NULL, NULL);
	AWAIT(o, rt_orch_when_all(o, t, 4), &r);
	return rt_orch_finish(o, r);
}

static void test_max_actions(void)
{
	struct sim s;
	sim_init(&s, many);
	s.max_actions = 4;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_int(s.out.status, RT_ST_RUNNING, "4 actions with a limit of 4: fine");
	sim_cleanup(&s);

	sim_init(&s, many);
	s.max_actions = 3;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_int(s.out.status, RT_ST_FAILED, "the fourth exceeds a limit of 3");
	is_str(s.out.output,
	       "\"Orchestrator function 'o' failed: Maximum amount of orchestration actions (3) "
	       "has been reached. This value can be configured in host.json file as "
	       "MaxOrchestrationActions.\"",
	       "message");
	is_str(s.events, "OS ES EC3:Failed OC", "no actions emitted");
	sim_cleanup(&s);
}

static const char *status_value;
static int status_rc;

static int custom(struct rt_orch *o)
{
	status_rc = rt_orch_set_custom_status(o, status_value);
	if (status_rc != RT_OK)
		note("%s", rt_orch_last_error(o));
	AWAIT(o, rt_orch_wait_for_event(o, "x"), NULL);
	return rt_orch_finish(o, NULL);
}

static char *json_of(size_t chars, const char *unit)
{
	size_t ul = strlen(unit);
	char *s = malloc(chars * ul + 3), *p = s;
	*p++ = '"';
	for (size_t i = 0; i < chars - 2; i++, p += ul)
		memcpy(p, unit, ul);
	*p++ = '"';
	*p = 0;
	return s;
}

static void test_custom_status(void)
{
	struct sim s;
	char *j;

	sim_init(&s, custom);
	status_value = "{\"step\":1}";
	EPISODE(&s, SEC(1), m_start("o", NULL));
	ok(s.out.custom_status_set, "set");
	is_str(s.out.custom_status, "{\"step\":1}", "value");
	EPISODE(&s, SEC(2), m_raise("y", NULL));
	ok(s.out.custom_status_set && !s.out.changed, "set again to the same value: unchanged");
	status_value = NULL;
	EPISODE(&s, SEC(3), m_raise("y", NULL));
	ok(s.out.custom_status_set && s.out.custom_status == NULL && s.out.changed, "cleared");
	sim_cleanup(&s);

	/* 8703 UTF-16 units = 17406 bytes: floor(/1024) = 16, accepted. */
	j = json_of(8703, "a");
	sim_init(&s, custom);
	status_value = j;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_int(status_rc, RT_OK, "17406 UTF-16 bytes accepted");
	sim_cleanup(&s);
	free(j);

	j = json_of(8704, "a");
	sim_init(&s, custom);
	status_value = j;
	obs[0] = 0;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_int(status_rc, RT_ERROR, "17408 UTF-16 bytes rejected");
	is_str(obs, "custom status is 17408 bytes in UTF-16, more than the 16 KiB limit",
	       "message");
	ok(!s.out.custom_status_set, "previous value kept");
	sim_cleanup(&s);
	free(j);

	/* "é" is 2 UTF-8 bytes but one UTF-16 unit; an emoji is a pair. */
	j = json_of(8703, "\xc3\xa9");
	sim_init(&s, custom);
	status_value = j;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_int(status_rc, RT_OK, "measured in UTF-16, not UTF-8");
	sim_cleanup(&s);
	free(j);
	j = json_of(4353, "\xf0\x9f\x98\x80");
	sim_init(&s, custom);
	status_value = j;
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_int(status_rc, RT_ERROR, "4351 emoji = 17404 + 4 bytes of quotes: rejected");
	sim_cleanup(&s);
	free(j);
}

static int ret;

static int returns(struct rt_orch *o)
{
	(void)o;
	return ret;
}

static int error_after_await(struct rt_orch *o)
{
	AWAIT(o, rt_orch_call_activity(o, "a", NULL, NULL), NULL);
	return rt_orch_finish(o, "1");
}

static void test_returns(void)
{
	struct sim s;

	ret = RT_PENDING;
	sim_init(&s, returns);
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_str(s.out.output,
	       "\"Orchestrator function 'o' failed: orchestrator returned pending with nothing to "
	       "wait for\"",
	       "RT_PENDING with nothing to wait for");
	sim_cleanup(&s);

	ret = RT_ERROR;
	sim_init(&s, returns);
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_str(s.out.output,
	       "\"Orchestrator function 'o' failed: orchestrator function returned an error\"",
	       "RT_ERROR without a message");
	sim_cleanup(&s);

	ret = 7;
	sim_init(&s, returns);
	EPISODE(&s, SEC(1), m_start("o", NULL));
	is_str(s.out.output,
	       "\"Orchestrator function 'o' failed: orchestrator returned unknown code 7\"",
	       "unknown return code");
	sim_cleanup(&s);

	ret = RT_OK;
	sim_init(&s, returns);
	EPISODE(&s, SEC(1), m_start("o", "{\"a\":1}"));
	is_str(s.out.output, "null", "RT_OK without finish: null");
	is_str(s.events, "OS ES EC0:Completed OC", "completed in one episode");
	sim_cleanup(&s);

	sim_init(&s, error_after_await);
	EPISODE(&s, SEC(1), m_start("o", NULL));
	EPISODE(&s, SEC(2), m_fail(0, "Activity function 'a' failed: \"quoted\"\n"));
	is_str(s.out.output,
	       "\"Orchestrator function 'o' failed: Activity function 'a' failed: \\\"quoted\\\"\\n\"",
	       "RT_ERROR after a failed await: its message, JSON-escaped");
	sim_cleanup(&s);
}

static void test_bad_input(void)
{
	struct rt_episode_in in;
	struct rt_episode_out out;
	struct rt_arena a;
	struct rt_event ev = mk(RT_EV_EVENT_RAISED);
	struct fnbox fb = { returns };

	rt_arena_init(&a);
	memset(&in, 0, sizeof(in));
	in.run = run_cb;
	in.fn = &fb;
	in.arena = &a;
	in.msgs = &ev;
	in.n_msgs = 1;
	is_int(rt_replay_run(&in, &out), -1, "no ExecutionStarted: -1");
	is_str(out.error, "no ExecutionStarted in the history or the messages", "why");
	in.arena = NULL;
	is_int(rt_replay_run(&in, &out), -1, "no arena: -1");

	struct rt_event past[3] = { mk(RT_EV_ORCHESTRATOR_STARTED), m_start("o", NULL),
				    mk(RT_EV_TASK_SCHEDULED) };
	past[2].event_id = 99999;
	in.arena = &a;
	in.past = past;
	in.n_past = 3;
	is_int(rt_replay_run(&in, &out), -1, "absurd sequence number: -1");
	past[2].event_id = 0;
	struct rt_event p4[4] = { past[0], past[1], past[2], past[2] };
	in.past = p4;
	in.n_past = 4;
	is_int(rt_replay_run(&in, &out), -1, "duplicate sequence number: -1");
	rt_arena_cleanup(&a);
}

int main(void)
{
	subtest("non-determinism", test_nondeterminism);
	subtest("poisoned after a fatal error", test_poisoned);
	subtest("unknown activity", test_unknown_name);
	subtest("maxOrchestrationActions", test_max_actions);
	subtest("custom status", test_custom_status);
	subtest("orchestrator return values", test_returns);
	subtest("unusable input", test_bad_input);
	return done_testing();
}
