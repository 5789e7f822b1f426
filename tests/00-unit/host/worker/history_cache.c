/*
 * Unit tests for host/worker/history_cache.c (the pasts an episode worker
 * keeps) and host/worker/history_held.c (the host's record of them): a
 * request that leaves out held events gets them back only when the worker
 * holds exactly those of that execution; anything else is answered
 * "resend" instead of being replayed on a guess; finished and idle
 * instances are dropped; a new worker process is never assumed to hold
 * anything.
 */
#include "host/worker/episode.h"
#include "host/worker/history_cache.h"
#include "host/worker/history_held.h"

#include "common/arena.h"
#include "runtime/history.h"
#include "tap.h"

#include <string.h>

static struct rt_arena arena;
static struct rt_event hist[6];

static void make_history(void)
{
	rt_event_init(&hist[0], RT_EV_EXECUTION_STARTED);
	hist[0].name = "seq";
	hist[0].input = "null";
	hist[0].instance_id = "i1";
	hist[0].execution_id = "e1";
	for (int i = 1; i < 6; i++) {
		rt_event_init(&hist[i], i % 2 ? RT_EV_TASK_SCHEDULED : RT_EV_TASK_COMPLETED);
		if (i % 2) {
			hist[i].event_id = i / 2;
			hist[i].name = "step";
			hist[i].input = "\"x\"";
		} else {
			hist[i].task_scheduled_id = i / 2 - 1;
			hist[i].result = "\"done\"";
		}
	}
}

/* The ORCH_REQUEST the host sends for hist[0..n) with `held` left out,
 * decoded as the worker does. */
static struct rt_wire_orch_request request(const char *execution, size_t n, size_t held)
{
	struct rt_episode_in in = {.instance_id = "i1", .execution_id = execution, .name = "seq",
				   .past = hist, .n_past = n, .arena = &arena};
	struct rt_wire_buf b;
	struct rt_wire_frame f;
	struct rt_wire_orch_request m;
	const char *err = NULL;
	size_t used;
	rt_wire_buf_init(&b);
	host_episode_request(&b, 1, &in, held);
	rt_wire_frame_next(b.data, b.len, RT_WIRE_MAX_FRAME, &f, &used, &err);
	rt_wire_orch_request_decode(&f, &m, &arena, &err);
	/* the decoded copies live in the arena, not in b */
	rt_wire_buf_cleanup(&b);
	return m;
}

static int same_past(const struct rt_event *past, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (past[i].type != hist[i].type || past[i].event_id != hist[i].event_id ||
		    !past[i].is_played)
			return 0;
	return 1;
}

static void test_prefix_rule(void)
{
	struct history_cache *c = history_cache_new(0, 0, 0);
	const struct rt_event *past;
	size_t n;
	int held;
	const char *err = NULL;

	struct rt_wire_orch_request m = request("e1", 3, 2);
	is_int(m.past_held, 2, "the request says it leaves out 2 events");
	is_int(m.npast, 1, "and carries the one after them");
	is_int(history_cache_past(c, &m, 1, &arena, &past, &n, &held, &err), 1,
	       "an empty cache answers resend, it does not guess");

	m = request("e1", 3, 0);
	is_int(history_cache_past(c, &m, 1, &arena, &past, &n, &held, &err), 0, "a whole past is taken");
	ok(n == 3 && held && same_past(past, n), "all 3 events, played, and kept");
	is_int(history_cache_count(c), 1, "one instance held");

	m = request("e1", 5, 3);
	is_int(m.npast, 2, "the next request carries only the 2 new events");
	is_int(history_cache_past(c, &m, 2, &arena, &past, &n, &held, &err), 0,
	       "and the held 3 fill the rest");
	ok(n == 5 && held && same_past(past, n), "the whole past of 5, in order");

	m = request("e1", 6, 4);
	is_int(history_cache_past(c, &m, 3, &arena, &past, &n, &held, &err), 1,
	       "a request that counts on 4 held events when 5 are held: resend");
	m = request("e1", 6, 0);
	history_cache_past(c, &m, 3, &arena, &past, &n, &held, &err);
	m = request("e2", 6, 6);
	is_int(history_cache_past(c, &m, 4, &arena, &past, &n, &held, &err), 1,
	       "the same count of another execution (continue-as-new, restart): resend");
	is_int(history_cache_count(c), 0, "and what was held for the instance is gone");

	/* Same count, same execution, but the last held event differs (a
	 * rewritten row): the tail the host sends does not match. */
	m = request("e1", 4, 0);
	history_cache_past(c, &m, 5, &arena, &past, &n, &held, &err);
	hist[3].input = "\"rewritten\"";
	m = request("e1", 5, 4);
	is_int(history_cache_past(c, &m, 5, &arena, &past, &n, &held, &err), 1,
	       "a held prefix whose last event differs from the host's: resend");
	hist[3].input = "\"x\"";
	history_cache_free(c);
}

static void test_eviction(void)
{
	struct history_cache *c = history_cache_new(1000, 0, 0); /* 1 ms idle */
	const struct rt_event *past;
	size_t n;
	int held;
	const char *err = NULL;

	struct rt_wire_orch_request m = request("e1", 3, 0);
	history_cache_past(c, &m, 10000, &arena, &past, &n, &held, &err);
	ok(history_cache_bytes(c) > 0, "held bytes are counted");
	is_int(history_cache_sweep(c, 10500), 11000, "not idle yet: the next sweep is due at 11 ms");
	is_int(history_cache_count(c), 1, "still held");
	is_int(history_cache_sweep(c, 11001), 0, "idle past 1 ms: dropped, nothing left to sweep");
	ok(history_cache_count(c) == 0 && history_cache_bytes(c) == 0, "nothing held, no bytes");
	m = request("e1", 4, 3);
	is_int(history_cache_past(c, &m, 11002, &arena, &past, &n, &held, &err), 1,
	       "an evicted instance is answered resend");

	m = request("e1", 3, 0);
	history_cache_past(c, &m, 20000, &arena, &past, &n, &held, &err);
	history_cache_drop(c, "i1");
	is_int(history_cache_count(c), 0, "a finished instance is dropped");
	history_cache_free(c);
}

/* Bounds: a past over them is still replayed, only not kept; a delta that
 * would take a held past over them replays with all of it, then the slot
 * goes. */
static void test_bounds(void)
{
	const struct rt_event *past;
	size_t n;
	int held;
	const char *err = NULL;
	/* What a slot of 2 events takes: the bound of the cache below. */
	struct history_cache *c = history_cache_new(0, 0, 0);
	struct rt_wire_orch_request m = request("e1", 2, 0);
	history_cache_past(c, &m, 1, &arena, &past, &n, &held, &err);
	size_t two = history_cache_bytes(c);
	history_cache_free(c);
	c = history_cache_new(0, two + 50, 0);

	m = request("e1", 6, 0);
	is_int(history_cache_past(c, &m, 1, &arena, &past, &n, &held, &err), 0,
	       "a past over the bound is taken");
	ok(n == 6 && !held && same_past(past, n), "all of it handed out, not kept");
	is_int(history_cache_count(c), 0, "nothing held");

	m = request("e1", 2, 0);
	history_cache_past(c, &m, 1, &arena, &past, &n, &held, &err);
	is_int(held, 1, "a small past is kept");
	m = request("e1", 6, 2);
	is_int(history_cache_past(c, &m, 2, &arena, &past, &n, &held, &err), 0,
	       "a delta that would take it over the bound is served");
	ok(n == 6 && !held && same_past(past, n), "with the held events and the new ones, in order");
	ok(strcmp(past[0].name, "seq") == 0 && strcmp(past[1].input, "\"x\"") == 0,
	   "the held events' strings outlive their slot");
	ok(history_cache_count(c) == 0 && history_cache_bytes(c) == 0, "and the slot is gone");
	history_cache_free(c);
}

static void test_held_record(void)
{
	struct history_held *rec = NULL;
	struct history_held *h = history_held_of(&rec, 100, 5);
	is_int(history_held_get(h, "i1", "e1"), 0, "a new process holds nothing");
	history_held_set(h, "i1", "e1", 7);
	is_int(history_held_get(h, "i1", "e1"), 7, "what it was told it holds");
	is_int(history_held_get(h, "i1", "e2"), 0, "not for another execution");
	ok(history_held_of(&rec, 100, 5) == h && history_held_get(h, "i1", "e1") == 7,
	   "the same process keeps its record");
	h = history_held_of(&rec, 101, 9);
	is_int(history_held_get(h, "i1", "e1"), 0,
	       "its replacement in the slot (another pid and start) holds nothing");
	history_held_set(h, "i1", "e1", 3);
	history_held_set(h, "i1", "e1", 0);
	is_int(history_held_get(h, "i1", "e1"), 0, "forgotten after a resend answer");
	history_held_free(rec);
}

static void test_rewind_sends_whole(void)
{
	struct rt_event msg;
	rt_event_init(&msg, RT_EV_GENERIC);
	msg.data = "rewound";
	struct rt_episode_in in = {.instance_id = "i1", .execution_id = "e1", .past = hist,
				   .n_past = 3, .msgs = &msg, .n_msgs = 1, .arena = &arena};
	is_int(host_episode_may_rewrite(&in), 1, "a rewind's message: the past is sent whole");
	in.n_msgs = 0;
	is_int(host_episode_may_rewrite(&in), 0, "no rewind: a delta may go");
}

int main(void)
{
	rt_arena_init(&arena);
	make_history();
	subtest("prefix rule", test_prefix_rule);
	subtest("eviction", test_eviction);
	subtest("bounds", test_bounds);
	subtest("host record", test_held_record);
	subtest("rewind", test_rewind_sends_whole);
	rt_arena_cleanup(&arena);
	return done_testing();
}
