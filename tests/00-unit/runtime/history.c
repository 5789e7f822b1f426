/*
 * history.c - unit tests for runtime/history.c: defaults, names, status
 * parsing, the storage codec (round trips of every event type, truncation at
 * every length, garbage). The ISO 8601 functions: tests/00-unit/common/isotime.c.
 */
#include "runtime/history.h"
#include "event_same.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void test_basics(void)
{
	struct rt_event ev;
	memset(&ev, 0x5a, sizeof(ev));
	rt_event_init(&ev, RT_EV_TIMER_FIRED);
	ok(ev.type == RT_EV_TIMER_FIRED && ev.event_id == -1 && ev.task_scheduled_id == -1 &&
		   ev.parent_task_id == -1 && ev.name == NULL && ev.data == NULL &&
		   ev.timestamp_us == 0 && ev.is_played == 0,
	   "rt_event_init sets the unused values");

	is_str(rt_event_type_name(RT_EV_EXECUTION_STARTED), "ExecutionStarted", "type name 0");
	is_str(rt_event_type_name(RT_EV_SUB_ORCH_FAILED), "SubOrchestrationInstanceFailed",
	       "type name 9");
	is_str(rt_event_type_name(RT_EV_GENERIC), "GenericEvent", "type name 17");
	is_str(rt_event_type_name(RT_EV_EXECUTION_REWOUND), "ExecutionRewound", "type name 21");
	is_str(rt_event_type_name(RT_EV__COUNT), "Unknown", "out of range");
	is_str(rt_event_type_name((enum rt_event_type)-1), "Unknown", "negative");
	int all = 1;
	for (int t = 0; t < RT_EV__COUNT; t++)
		all &= rt_event_type_name(t) != NULL && strcmp(rt_event_type_name(t), "Unknown") != 0;
	ok(all, "every type has a name");

	is_str(rt_status_name(RT_ST_CONTINUED_AS_NEW), "ContinuedAsNew", "status name");
	is_str(rt_status_name(RT_ST_SUSPENDED), "Suspended", "status 7");
	is_str(rt_status_name(8), "Unknown", "status 8");
	is_int(rt_status_parse("Running"), 0, "parse Running");
	is_int(rt_status_parse("Terminated"), 5, "parse Terminated");
	is_int(rt_status_parse("Pending"), 6, "parse Pending");
	is_int(rt_status_parse("running"), -1, "case-sensitive");
	is_int(rt_status_parse("3"), 3, "decimal");
	is_int(rt_status_parse("7"), 7, "decimal 7");
	is_int(rt_status_parse("8"), -1, "decimal out of range");
	is_int(rt_status_parse("-1"), -1, "negative");
	is_int(rt_status_parse("0003"), -1, "too many digits");
	is_int(rt_status_parse(""), -1, "empty");
	is_int(rt_status_parse(NULL), -1, "NULL");
	ok(rt_status_is_terminal(RT_ST_COMPLETED) && rt_status_is_terminal(RT_ST_FAILED) &&
		   rt_status_is_terminal(RT_ST_CANCELED) && rt_status_is_terminal(RT_ST_TERMINATED),
	   "terminal states");
	ok(!rt_status_is_terminal(RT_ST_RUNNING) && !rt_status_is_terminal(RT_ST_PENDING) &&
		   !rt_status_is_terminal(RT_ST_SUSPENDED) &&
		   !rt_status_is_terminal(RT_ST_CONTINUED_AS_NEW),
	   "non-terminal states");
}

/* Every field set to something unlike its default. */
static void full_event(struct rt_event *ev, enum rt_event_type t)
{
	rt_event_init(ev, t);
	ev->event_id = 41 + t;
	ev->is_played = 1;
	ev->timestamp_us = INT64_C(1704164645678901);
	ev->name = "SayHello";
	ev->input = "{\"city\":\"Tōkyō\"}";
	ev->result = "\"Hello\"";
	ev->reason = "Activity function 'SayHello' failed: boom";
	ev->details = "";
	ev->task_scheduled_id = 7;
	ev->fire_at_us = -INT64_C(1234567);
	ev->orchestration_status = RT_ST_SUSPENDED;
	ev->instance_id = "inst";
	ev->execution_id = "0123456789abcdef0123456789abcdef";
	ev->parent_instance_id = "parent";
	ev->parent_execution_id = "pexec";
	ev->parent_name = "Parent";
	ev->parent_task_id = 0x7fffffff;
	ev->data = "data";
}

static void test_codec(void)
{
	struct rt_arena a;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	int rt_ok = 1, min_ok = 1;

	rt_arena_init(&a);
	for (int t = 0; t < RT_EV__COUNT; t++) {
		struct rt_event in, out;
		full_event(&in, t);
		len = 0;
		rt_history_encode(&in, &buf, &len, &cap);
		if (rt_history_decode(buf, len, &out, &a) != 0 || !same_event(&in, &out)) {
			rt_ok = 0;
			printf("# full round trip failed for %s\n", rt_event_type_name(t));
		}
		rt_event_init(&in, t);
		len = 0;
		rt_history_encode(&in, &buf, &len, &cap);
		if (len != 3 || rt_history_decode(buf, len, &out, &a) != 0 ||
		    !same_event(&in, &out))
			min_ok = 0;
	}
	ok(rt_ok, "every event type round-trips with every field set");
	ok(min_ok, "every event type round-trips with defaults only (3 bytes)");

	struct rt_event tc, out;
	rt_event_init(&tc, RT_EV_TASK_COMPLETED);
	tc.task_scheduled_id = 3;
	tc.timestamp_us = INT64_C(1704164645678901);
	tc.result = "1";
	len = 0;
	rt_history_encode(&tc, &buf, &len, &cap);
	ok(len <= 16, "a TaskCompleted is compact (%zu bytes)", len);
	is_int(buf[0], 0xC1, "versioned first byte");

	/* NULL and "" stay distinct. */
	struct rt_event e1;
	rt_event_init(&e1, RT_EV_EVENT_RAISED);
	e1.name = "";
	len = 0;
	rt_history_encode(&e1, &buf, &len, &cap);
	ok(rt_history_decode(buf, len, &out, &a) == 0 && out.name && out.name[0] == 0 &&
		   out.input == NULL,
	   "empty string vs NULL preserved");

	/* Several events back to back. */
	len = 0;
	for (int t = 0; t < RT_EV__COUNT; t++) {
		struct rt_event in;
		full_event(&in, t);
		rt_history_encode(&in, &buf, &len, &cap);
	}
	size_t off = 0, used;
	int n = 0, seq_ok = 1;
	while (off < len) {
		struct rt_event in;
		if (rt_history_decode_next(buf + off, len - off, &used, &out, &a) != 0) {
			seq_ok = 0;
			break;
		}
		full_event(&in, n);
		seq_ok &= same_event(&in, &out);
		off += used;
		n++;
	}
	ok(seq_ok && n == RT_EV__COUNT, "decode_next walks a concatenation");
	is_int(rt_history_decode(buf, len, &out, &a), -1, "decode refuses trailing bytes");

	/* Truncation at every length: each prefix is copied into a buffer of
	 * exactly that size, so ASan/valgrind catch any over-read. */
	int trunc_ok = 1;
	for (int t = 0; t < RT_EV__COUNT; t++) {
		struct rt_event in;
		full_event(&in, t);
		len = 0;
		rt_history_encode(&in, &buf, &len, &cap);
		for (size_t k = 0; k < len; k++) {
			unsigned char *p = malloc(k ? k : 1);
			memcpy(p, buf, k);
			if (rt_history_decode(p, k, &out, &a) != -1)
				trunc_ok = 0;
			free(p);
		}
	}
	ok(trunc_ok, "every truncation of every event type returns -1");
	is_int(rt_history_decode(NULL, 0, &out, &a), -1, "NULL input");

	/* Hand-made malformed input. */
	static const struct {
		const char *what;
		unsigned char b[16];
		size_t n;
	} bad[] = {
		{ "wrong version", { 0xC2, 5, 0 }, 3 },
		{ "type out of range", { 0xC1, 22, 0 }, 3 },
		{ "unknown mask bit", { 0xC1, 5, 0x80, 0x80, 0x10 }, 5 },
		{ "over-long varint", { 0xC1, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					0x80, 0x80, 0x00 }, 13 },
		{ "10th varint byte too big", { 0xC1, 5, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
						0x80, 0x80, 0x02 }, 12 },
		{ "string longer than input", { 0xC1, 5, 0x20, 0x05, 'a', 'b' }, 6 },
		{ "NUL inside a string", { 0xC1, 5, 0x20, 0x02, 'a', 0 }, 6 },
		{ "is_played 2", { 0xC1, 5, 0x02, 0x04 }, 4 },
		{ "status 8", { 0xC1, 1, 0x80, 0x08, 0x10 }, 5 },
		{ "event id too large", { 0xC1, 4, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10 }, 8 },
		{ "event id -2", { 0xC1, 4, 0x01, 0x03 }, 4 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *p = malloc(bad[i].n);
		memcpy(p, bad[i].b, bad[i].n);
		is_int(rt_history_decode(p, bad[i].n, &out, &a), -1, "malformed: %s", bad[i].what);
		free(p);
	}

	/* Garbage and bit flips must never crash or over-read. */
	uint64_t x = 88172645463325252ull;
	int accepted = 0;
	for (int i = 0; i < 20000; i++) {
		unsigned char g[40];
		size_t gl = (size_t)(i % 40);
		for (size_t k = 0; k < gl; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			g[k] = (unsigned char)x;
		}
		if (gl > 1 && i % 2) {
			g[0] = 0xC1;
			g[1] = (unsigned char)(g[1] % 24);
		}
		unsigned char *p = malloc(gl ? gl : 1);
		memcpy(p, g, gl);
		accepted += rt_history_decode(p, gl, &out, &a) == 0;
		free(p);
		rt_arena_reset(&a);
	}
	ok(1, "20000 random inputs decoded without crashing (%d accepted)", accepted);

	struct rt_event in;
	full_event(&in, RT_EV_TASK_FAILED);
	len = 0;
	rt_history_encode(&in, &buf, &len, &cap);
	int flips = 1;
	for (size_t k = 0; k < len * 8; k++) {
		unsigned char *p = malloc(len);
		memcpy(p, buf, len);
		p[k / 8] ^= (unsigned char)(1 << (k % 8));
		if (rt_history_decode(p, len, &out, &a) == 0 && same_event(&in, &out))
			flips = 0;
		free(p);
	}
	ok(flips, "no single bit flip decodes to the original event");

	free(buf);
	rt_arena_cleanup(&a);
}

int main(void)
{
	subtest("defaults, names, status", test_basics);
	subtest("codec", test_codec);
	return done_testing();
}
