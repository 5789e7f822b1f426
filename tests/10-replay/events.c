/*
 * events.c - external events: buffered before anyone waits, FIFO per name,
 * LIFO among waiters, case-insensitive names, is_replaying when an event
 * resolves a wait, send_event actions.
 */
#include "replay_util.h"

/* Does an activity first, so events arrive while nobody waits. */
static int late_waiter(struct rt_orch *o)
{
	const char *x, *y, *z;
	AWAIT(o, rt_orch_call_activity(o, "slow", NULL, NULL), NULL);
	AWAIT(o, rt_orch_wait_for_event(o, "x"), &x);
	AWAIT(o, rt_orch_wait_for_event(o, "X"), &y);
	AWAIT(o, rt_orch_wait_for_event(o, "y"), &z);
	return rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "[%s,%s,%s]", x, y, z));
}

static void test_buffered_fifo(void)
{
	struct sim s;
	sim_init(&s, late_waiter);
	EPISODE(&s, SEC(1), m_start("w", NULL));
	EPISODE(&s, SEC(2), m_raise("X", "1"), m_raise("y", "3"), m_raise("x", "2"));
	is_int(s.out.status, RT_ST_RUNNING, "events buffered while the activity runs");
	is_str(s.events, "OS ER:X ER:y ER:x OC", "appended to history");
	EPISODE(&s, SEC(3), m_done(0, "null"));
	is_int(s.out.status, RT_ST_COMPLETED, "waits complete from the buffer");
	is_str(s.out.output, "[1,2,3]", "FIFO per name, names case-insensitive");
	sim_cleanup(&s);
}

/* Two waiters on one name at the same time. */
static int two_waiters(struct rt_orch *o)
{
	struct rt_task *t[2];
	const char *r;
	t[0] = rt_orch_wait_for_event(o, "go");
	t[1] = rt_orch_wait_for_event(o, "go");
	AWAIT(o, rt_orch_when_all(o, t, 2), &r);
	return rt_orch_finish(o, r);
}

static void test_lifo(void)
{
	struct sim s;
	sim_init(&s, two_waiters);
	EPISODE(&s, SEC(1), m_start("w", NULL));
	EPISODE(&s, SEC(2), m_raise("go", "\"first\""));
	is_int(s.out.status, RT_ST_RUNNING, "one of two");
	EPISODE(&s, SEC(3), m_raise("GO", "\"second\""));
	is_str(s.out.output, "[\"second\",\"first\"]", "the newest waiter got the first event");
	sim_cleanup(&s);
}

static int replay_flags(struct rt_orch *o)
{
	const char *r;
	note("start rep=%d", rt_orch_is_replaying(o));
	AWAIT(o, rt_orch_wait_for_event(o, "a"), &r);
	note("a rep=%d", rt_orch_is_replaying(o));
	AWAIT(o, rt_orch_wait_for_event(o, "b"), &r);
	note("b rep=%d", rt_orch_is_replaying(o));
	return rt_orch_finish(o, NULL);
}

static void test_replaying(void)
{
	struct sim s;
	sim_init(&s, replay_flags);
	obs[0] = 0;
	EPISODE(&s, SEC(1), m_start("w", NULL), m_raise("a", "1"));
	is_str(obs, "start rep=0 a rep=0", "first episode: live");
	obs[0] = 0;
	EPISODE(&s, SEC(2), m_raise("b", "1"));
	is_str(obs, "start rep=1 a rep=1 b rep=0", "second: replay until the new event");
	sim_cleanup(&s);
}

static int sender(struct rt_orch *o)
{
	if (rt_orch_send_event(o, "other", "ping", "{\"n\":1}") != RT_OK)
		return RT_ERROR;
	AWAIT(o, rt_orch_wait_for_event(o, "pong"), NULL);
	return rt_orch_finish(o, NULL);
}

static void test_send(void)
{
	struct sim s;
	sim_init(&s, sender);
	EPISODE(&s, SEC(1), m_start("s", NULL));
	is_str(s.events, "OS ES Sent0:ping OC", "EventSent takes sequence number 0");
	is_str(s.actions, "E0:ping->other({\"n\":1})", "send action");
	is_int(s.out.actions[0].msg.type, RT_EV_EVENT_RAISED, "its message is an EventRaised");
	is_str(s.out.actions[0].msg.name, "ping", "named ping");
	EPISODE(&s, SEC(2), m_raise("pong", NULL));
	is_str(s.events, "OS ER:pong EC1:Completed OC", "replayed send matches; completes");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("buffered, FIFO per name, case-insensitive", test_buffered_fifo);
	subtest("LIFO waiters", test_lifo);
	subtest("is_replaying follows the resolving event", test_replaying);
	subtest("send event", test_send);
	return done_testing();
}
