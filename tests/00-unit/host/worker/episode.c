/*
 * Unit tests for host/worker/episode.c: an orchestrator episode crosses the
 * process boundary without losing anything the engine commits (history,
 * actions, custom status, status), and action bytes from a worker that are
 * not an action are refused instead of committed.
 */
#include "host/worker/episode.h"

#include "common/arena.h"
#include "runtime/history.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static struct rt_arena arena;

static void test_request(void)
{
	struct rt_event past[2], msg;
	rt_event_init(&past[0], RT_EV_EXECUTION_STARTED);
	past[0].name = "hello_sequence";
	past[0].input = "{\"a\":1}";
	past[0].instance_id = "i1";
	past[0].execution_id = "e1";
	rt_event_init(&past[1], RT_EV_TASK_SCHEDULED);
	past[1].event_id = 0;
	past[1].name = "say_hello";
	past[1].input = "\"Tokyo\"";
	rt_event_init(&msg, RT_EV_TASK_COMPLETED);
	msg.task_scheduled_id = 0;
	msg.result = "\"Hello Tokyo!\"";
	struct rt_episode_in in = {.instance_id = "i1", .execution_id = "e1", .name = "hello_sequence",
				   .past = past, .n_past = 2, .msgs = &msg, .n_msgs = 1,
				   .now_us = 1700000000000000LL, .max_actions = 77,
				   .custom_status = "\"half\"", .arena = &arena};
	struct rt_wire_buf b;
	struct rt_wire_frame f;
	struct rt_wire_orch_request m;
	const char *err = NULL;
	size_t used;

	rt_wire_buf_init(&b);
	is_int(host_episode_request(&b, 5, &in, 0), 0, "an episode request encodes");
	is_int(rt_wire_frame_next(b.data, b.len, RT_WIRE_MAX_FRAME, &f, &used, &err), 1, "as one frame");
	is_int(rt_wire_orch_request_decode(&f, &m, &arena, &err), 0, "that decodes");
	is_int(m.npast, 2, "two past events");
	is_int(m.nfresh, 1, "one new message");
	is_int(m.now_us, 1700000000000000LL, "the episode's time");
	is_int(m.max_actions, 77, "the action limit");
	is_str(m.custom_status, "\"half\"", "the committed custom status");
	struct rt_event ev;
	ok(rt_history_decode(m.past[1].data, m.past[1].len, &ev, &arena) == 0 &&
	   ev.type == RT_EV_TASK_SCHEDULED && strcmp(ev.name, "say_hello") == 0,
	   "past events come back as the history codec wrote them");
	ok(rt_history_decode(m.fresh[0].data, m.fresh[0].len, &ev, &arena) == 0 &&
	   strcmp(ev.result, "\"Hello Tokyo!\"") == 0, "and so do new messages");
	rt_wire_buf_cleanup(&b);
}

static void test_result(void)
{
	struct rt_action act;
	memset(&act, 0, sizeof(act));
	act.kind = RT_ACT_ACTIVITY;
	act.seq = 1;
	act.attempt = 1;
	act.name = "say_hello";
	act.input = "\"Seattle\"";
	rt_event_init(&act.msg, RT_EV_TASK_SCHEDULED);
	act.msg.event_id = 1;
	act.msg.name = "say_hello";
	struct rt_event carried[2];
	rt_event_init(&carried[0], RT_EV_EVENT_RAISED);
	carried[0].name = "Go";
	rt_event_init(&carried[1], RT_EV_EVENT_RAISED);
	carried[1].name = "Stop";
	struct rt_action can;
	memset(&can, 0, sizeof(can));
	can.kind = RT_ACT_CONTINUE_AS_NEW;
	can.seq = -1;
	rt_event_init(&can.msg, RT_EV_EXECUTION_STARTED);
	can.carried = carried;
	can.n_carried = 2;

	struct rt_wire_bytes acts[2] = {host_episode_action_encode(&act, &arena),
					host_episode_action_encode(&can, &arena)};
	struct rt_event started;
	rt_event_init(&started, RT_EV_ORCHESTRATOR_STARTED);
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	rt_history_encode(&started, &buf, &len, &cap);
	struct rt_wire_bytes evs[1] = {{buf, len}};
	struct rt_wire_orch_result m = {.status = RT_ST_RUNNING, .custom_set = 1,
					.custom_status = "\"step 2\"", .changed = 1,
					.events = evs, .nevents = 1, .actions = acts, .nactions = 2};
	struct rt_episode_out out;
	const char *err = NULL;
	is_int(host_episode_result(&m, &out, &arena, &err), 0, "an episode result converts");
	is_int(out.n_actions, 2, "two actions");
	is_int(out.actions[0].kind, RT_ACT_ACTIVITY, "an activity");
	is_str(out.actions[0].name, "say_hello", "its name");
	is_str(out.actions[0].input, "\"Seattle\"", "its input");
	is_int(out.actions[0].msg.event_id, 1, "its TaskScheduled");
	is_int(out.actions[1].kind, RT_ACT_CONTINUE_AS_NEW, "a continue-as-new");
	is_int(out.actions[1].seq, -1, "with seq -1");
	is_int(out.actions[1].n_carried, 2, "carrying two events");
	is_str(out.actions[1].carried[1].name, "Stop", "in order");
	is_int(out.n_new_events, 1, "the new history");
	is_int(out.new_events[0].type, RT_EV_ORCHESTRATOR_STARTED, "as written");
	ok(out.custom_status_set && strcmp(out.custom_status, "\"step 2\"") == 0, "the custom status");
	is_int(out.changed, 1, "changed");
	free(buf);
}

static void test_hostile(void)
{
	struct rt_action act;
	struct rt_wire_buf b;
	rt_wire_buf_init(&b);
	rt_wire_put_u32(&b, 1, 99); /* kind */
	struct rt_wire_bytes bad = {b.data, b.len};
	ok(host_episode_action_decode(&bad, &act, &arena) == -1, "an unknown action kind is refused");
	rt_wire_buf_cleanup(&b);

	rt_wire_buf_init(&b);
	rt_wire_put_u32(&b, 1, RT_ACT_TIMER);
	struct rt_wire_bytes nomsg = {b.data, b.len};
	ok(host_episode_action_decode(&nomsg, &act, &arena) == -1, "an action without its message is refused");
	rt_wire_put_bytes(&b, 9, "garbage", 7);
	struct rt_wire_bytes badmsg = {b.data, b.len};
	ok(host_episode_action_decode(&badmsg, &act, &arena) == -1,
	   "an action whose message does not decode is refused");
	rt_wire_buf_cleanup(&b);

	rt_wire_buf_init(&b);
	rt_wire_put_u32(&b, 1, RT_ACT_ACTIVITY);
	rt_wire_put_i64(&b, 2, (int64_t)1 << 40); /* seq past int */
	struct rt_wire_bytes bigseq = {b.data, b.len};
	ok(host_episode_action_decode(&bigseq, &act, &arena) == -1, "a sequence number past int is refused");
	rt_wire_buf_cleanup(&b);

	struct rt_wire_bytes evs[1] = {{"junk", 4}};
	struct rt_wire_orch_result m = {.status = 0, .events = evs, .nevents = 1};
	struct rt_episode_out out;
	const char *err = NULL;
	ok(host_episode_result(&m, &out, &arena, &err) == -1 && err,
	   "new history that does not decode is refused (%s)", err ? err : "");
}

int main(void)
{
	rt_arena_init(&arena);
	subtest("request", test_request);
	subtest("result", test_result);
	subtest("hostile", test_hostile);
	rt_arena_cleanup(&arena);
	return done_testing();
}
