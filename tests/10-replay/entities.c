/*
 * entities.c - an orchestrator's entity calls, history in, actions out:
 * calls (the request id is the deterministic new_uuid, the reply resolves
 * the task, a failed operation fails it), signals (scheduled ones carry
 * their due time), critical sections (sorted, de-duplicated lock set,
 * released when the orchestration ends) and replay of all of it.
 */
#include "runtime/entity.h"
#include "runtime/replay_entity.h"
#include "replay_util.h"

static const char *last_request; /* the id of the last entity message sent */

#define like_str(got, part, ...)                                                        \
	do {                                                                            \
		const char *g__ = (got);                                                \
		if (!ok(g__ && strstr(g__, (part)), __VA_ARGS__))                       \
			printf("#   got  \"%s\"\n#   want a part \"%s\"\n", g__ ? g__ : "(null)", \
			       (part));                                                 \
	} while (0)

static const char *request_of(struct sim *s, size_t action)
{
	struct rt_entity_msg m;
	if (action >= s->out.n_actions ||
	    rt_entity_msg_parse(s->out.actions[action].name, s->out.actions[action].input, &m,
				&s->keep) != 0)
		return NULL;
	return m.id;
}

static int caller(struct rt_orch *o)
{
	const char *r;
	AWAIT(o, rt_orch_call_entity(o, "Counter", "k", "add", "5"), &r);
	return rt_orch_finish(o, r);
}

static void test_call(void)
{
	struct sim s, again;
	sim_init(&s, caller);
	EPISODE(&s, SEC(1), m_start("caller", NULL));
	is_int(s.out.n_actions, 1, "one action");
	ok(strncmp(s.actions, "E0:op->@counter@k(", 18) == 0, "an EventSent 'op' to @counter@k: %s",
	   s.actions);
	last_request = request_of(&s, 0);
	ok(last_request && strlen(last_request) == 36, "with a request id");
	ok(strstr(s.out.actions[0].input, "\"parent\":\"inst1\"") != NULL, "naming the caller");
	ok(strstr(s.out.actions[0].input, "\"input\":\"5\"") != NULL, "with the input as JSON text");

	sim_init(&again, caller);
	EPISODE(&again, SEC(1), m_start("caller", NULL));
	is_str(request_of(&again, 0), last_request, "the request id is the same on another run");
	sim_cleanup(&again);

	EPISODE(&s, SEC(2), m_raise(last_request, "{\"result\":\"6\"}"));
	is_int(s.out.status, RT_ST_COMPLETED, "the reply completes the call");
	is_str(s.out.output, "6", "with the operation's result");
	is_int(s.out.n_actions, 0, "nothing is sent again on replay");
	sim_cleanup(&s);
}

static void test_failed_call(void)
{
	struct sim s;
	sim_init(&s, caller);
	EPISODE(&s, SEC(1), m_start("caller", NULL));
	const char *id = request_of(&s, 0);
	EPISODE(&s, SEC(2), m_raise(id, "{\"exceptionType\":\"EntityOperationFailed\",\"exceptionMessage\":\"no\"}"));
	is_int(s.out.status, RT_ST_FAILED, "a failed operation fails the awaiting orchestration");
	like_str(s.out.output, "no", "with the operation's message");
	sim_cleanup(&s);

	sim_init(&s, caller);
	EPISODE(&s, SEC(1), m_start("caller", NULL));
	id = request_of(&s, 0);
	EPISODE(&s, SEC(2), m_raise(id, "\"not a reply\""));
	is_int(s.out.status, RT_ST_FAILED, "an unreadable reply fails the call");
	sim_cleanup(&s);
}

static int signaller(struct rt_orch *o)
{
	if (rt_orch_signal_entity(o, "counter", "k", "add", "1", 0) != RT_OK ||
	    rt_orch_signal_entity(o, "counter", "k", "add", "2", rt_orch_now_ms(o) + 60000) != RT_OK)
		return RT_ERROR;
	return rt_orch_finish(o, NULL);
}

static void test_signals(void)
{
	struct sim s;
	struct rt_entity_msg m;
	sim_init(&s, signaller);
	EPISODE(&s, SEC(1), m_start("signaller", NULL));
	is_int(s.out.status, RT_ST_COMPLETED, "signals do not wait");
	is_int(s.out.n_actions, 2, "two signals");
	ok(rt_entity_msg_parse("op", s.out.actions[1].input, &m, &s.keep) == 0 && m.signal,
	   "one-way");
	is_int(m.due_us, SEC(61), "the scheduled one is due a minute after the episode's now");
	is_int(rt_entity_msg_due(s.out.actions[0].input), 0, "the other at once");
	sim_cleanup(&s);
}

static int locker(struct rt_orch *o)
{
	const char *names[] = {"account", "ACCOUNT", "account"}, *keys[] = {"b", "a", "b"};
	const char *r;
	AWAIT(o, rt_orch_lock_entities(o, names, keys, 3), NULL);
	AWAIT(o, rt_orch_call_entity(o, "account", "a", "withdraw", "1"), &r);
	return rt_orch_finish(o, r); /* no unlock: the end releases */
}

static void test_lock(void)
{
	struct sim s;
	struct rt_entity_msg m;
	sim_init(&s, locker);
	EPISODE(&s, SEC(1), m_start("locker", NULL));
	is_int(s.out.n_actions, 1, "one lock request");
	is_str(s.out.actions[0].instance_id, "@account@a", "to the first entity of the sorted set");
	ok(rt_entity_msg_parse("op", s.out.actions[0].input, &m, &s.keep) == 0 &&
		   m.kind == RT_EMSG_LOCK,
	   "a lock message");
	is_int(m.nlockset, 2, "de-duplicated");
	ok(m.nlockset == 2 && strcmp(m.lockset[0], "@account@a") == 0 &&
		   strcmp(m.lockset[1], "@account@b") == 0,
	   "sorted, names lower-cased");
	const char *lock = m.id;
	EPISODE(&s, SEC(2), m_raise(lock, "{\"result\":\"null\"}"));
	is_int(s.out.n_actions, 1, "granted: the call goes out");
	const char *call = request_of(&s, 0);
	EPISODE(&s, SEC(3), m_raise(call, "{\"result\":\"9\"}"));
	is_int(s.out.status, RT_ST_COMPLETED, "completed");
	is_str(s.actions, rt_arena_fmt(&s.ep,
				       "E2:release->@account@a({\"id\":\"%s\",\"parent\":\"inst1\"}) "
				       "E3:release->@account@b({\"id\":\"%s\",\"parent\":\"inst1\"})",
				       lock, lock),
	       "the locks it still held are released as it ends");
	sim_cleanup(&s);
}

static int bad_args(struct rt_orch *o)
{
	AWAIT(o, rt_orch_call_entity(o, "counter", "a/b", "add", NULL), NULL);
	return rt_orch_finish(o, NULL);
}

static int bad_input(struct rt_orch *o)
{
	return rt_orch_signal_entity(o, "counter", "k", "add", "{nope", 0) == RT_OK
		       ? rt_orch_finish(o, NULL)
		       : RT_ERROR;
}

static void test_bad_arguments(void)
{
	struct sim s;
	sim_init(&s, bad_args);
	EPISODE(&s, SEC(1), m_start("bad", NULL));
	is_int(s.out.status, RT_ST_FAILED, "a bad key fails the orchestration");
	like_str(s.out.output, "invalid argument to call_entity: entity key must not contain",
		 "saying why");
	is_int(s.out.n_actions, 0, "and sends nothing");
	sim_cleanup(&s);
	sim_init(&s, bad_input);
	EPISODE(&s, SEC(1), m_start("bad", NULL));
	like_str(s.out.output, "the input is not valid JSON", "input that is not JSON fails it");
	sim_cleanup(&s);
}

int main(void)
{
	subtest("call", test_call);
	subtest("failed call", test_failed_call);
	subtest("signals", test_signals);
	subtest("critical section", test_lock);
	subtest("bad arguments", test_bad_arguments);
	return done_testing();
}
