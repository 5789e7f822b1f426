/* history_json: every event type with every field it can carry survives
 * the trip to JSON and back exactly (the storage codec gives the same
 * bytes), the JSON uses the Durable Task names, rows that are not stored
 * events are refused with the row and the reason, and the streamed array
 * (what GET instances/{id}/history sends for a long history) has the bytes
 * of the array printed whole while holding one event's text at a time. */
#include "bindings/history_json.h"
#include "bindings/json_util.h"
#include "tap.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

#define T0 1767225600123456LL /* 2026-01-01T00:00:00.123456Z */

/* One of every type, each with the fields the engine gives it, plus
 * unusual but storable values: "" next to NULL, a parent, a negative id. */
static size_t sample(struct rt_event *ev)
{
	size_t n = 0;
	for (int t = 0; t < RT_EV__COUNT; t++) {
		struct rt_event *e = &ev[n++];
		rt_event_init(e, (enum rt_event_type)t);
		e->timestamp_us = T0 + t * 1000001LL;
		e->is_played = t % 2;
		switch (t) {
		case RT_EV_EXECUTION_STARTED:
			e->name = "mixed_flow";
			e->input = "\"/tmp/m\"";
			e->instance_id = "parent";
			e->execution_id = "0f1e";
			e->parent_instance_id = "grand";
			e->parent_execution_id = "a1b2";
			e->parent_name = "outer";
			e->parent_task_id = 3;
			break;
		case RT_EV_EXECUTION_COMPLETED:
		case RT_EV_CONTINUE_AS_NEW:
			e->event_id = 9;
			e->orchestration_status = t == RT_EV_CONTINUE_AS_NEW ? RT_ST_CONTINUED_AS_NEW
									   : RT_ST_FAILED;
			e->result = "{\"a\":[1,2.5,\"\\u00e9\"]}";
			break;
		case RT_EV_EXECUTION_TERMINATED:
			e->input = "\"enough\"";
			break;
		case RT_EV_TASK_SCHEDULED:
			e->event_id = 0;
			e->name = "slow";
			e->input = "";
			break;
		case RT_EV_TASK_COMPLETED:
		case RT_EV_SUB_ORCH_COMPLETED:
			e->task_scheduled_id = 1;
			e->result = "null";
			break;
		case RT_EV_TASK_FAILED:
		case RT_EV_SUB_ORCH_FAILED:
			e->task_scheduled_id = 2;
			e->reason = "Activity function 'slow' failed: boom";
			e->details = "line 1\nline 2\t\"quoted\"";
			break;
		case RT_EV_SUB_ORCH_CREATED:
			e->event_id = 2;
			e->name = "child_flow";
			e->instance_id = "0f1e:2";
			e->input = "[true]";
			break;
		case RT_EV_TIMER_CREATED:
			e->event_id = 3;
			e->fire_at_us = T0 + 60000000LL;
			break;
		case RT_EV_TIMER_FIRED:
			e->task_scheduled_id = 3;
			e->fire_at_us = T0 + 60000000LL;
			break;
		case RT_EV_EVENT_SENT:
			e->event_id = 4;
			e->instance_id = "other";
			e->name = "Approval";
			e->input = "1";
			break;
		case RT_EV_EVENT_RAISED:
			e->name = "Approval";
			e->input = "{\"ok\":true}";
			break;
		case RT_EV_GENERIC:
			e->data = "d";
			e->reason = "Rewound: TaskFailed";
			break;
		case RT_EV_EXECUTION_SUSPENDED:
		case RT_EV_EXECUTION_RESUMED:
		case RT_EV_EXECUTION_REWOUND:
			e->reason = "maintenance";
			break;
		default:
			break;
		}
	}
	return n;
}

static int same_bytes(const struct rt_event *a, const struct rt_event *b)
{
	unsigned char *x = NULL, *y = NULL;
	size_t nx = 0, cx = 0, ny = 0, cy = 0;
	int same;
	rt_history_encode(a, &x, &nx, &cx);
	rt_history_encode(b, &y, &ny, &cy);
	same = nx == ny && memcmp(x, y, nx) == 0;
	free(x);
	free(y);
	return same;
}

static void round_trip(void)
{
	struct rt_event ev[RT_EV__COUNT], *back;
	struct rt_arena a;
	size_t n = sample(ev), m = 0;
	char *err = NULL;
	json_t *j = bind_history_json(ev, n);
	char *text = bind_json_dump(j);
	json_t *again = json_loads(text, 0, NULL);

	rt_arena_init(&a);
	is_int(json_array_size(j), RT_EV__COUNT, "one JSON object per event");
	ok(bind_history_parse(again, &back, &m, &a, &err) == 0, "the printed text parses back");
	is_int(m, n, "to as many events");
	for (size_t i = 0; i < n && i < m; i++)
		ok(same_bytes(&ev[i], &back[i]), "%s: the same stored bytes",
		   rt_event_type_name(ev[i].type));
	free(err);
	free(text);
	json_decref(again);
	json_decref(j);
	rt_arena_cleanup(&a);
}

static const char *field(json_t *arr, size_t i, const char *key)
{
	char *s = bind_json_dump(json_object_get(json_array_get(arr, i), key));
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s", s ? s : "(absent)");
	free(s);
	return buf;
}

static void names(void)
{
	struct rt_event ev[RT_EV__COUNT];
	size_t n = sample(ev);
	json_t *j = bind_history_json(ev, n);

	is_str(field(j, RT_EV_TASK_SCHEDULED, "EventType"), "\"TaskScheduled\"", "EventType by name");
	is_str(field(j, RT_EV_TASK_SCHEDULED, "EventId"), "0", "EventId");
	is_str(field(j, RT_EV_TASK_SCHEDULED, "Input"), "\"\"", "an empty input stays \"\"");
	is_str(field(j, RT_EV_TASK_COMPLETED, "EventId"), "-1", "a message's EventId is -1");
	is_str(field(j, RT_EV_TASK_COMPLETED, "TaskScheduledId"), "1", "TaskScheduledId");
	is_str(field(j, RT_EV_TASK_COMPLETED, "Result"), "\"null\"", "Result as stored JSON text");
	is_str(field(j, RT_EV_TIMER_FIRED, "TimerId"), "3", "a TimerFired says TimerId");
	is_str(field(j, RT_EV_TIMER_FIRED, "TaskScheduledId"), "(absent)", "not TaskScheduledId");
	is_str(field(j, RT_EV_TIMER_CREATED, "FireAt"), "\"2026-01-01T00:01:00.123456Z\"", "FireAt");
	is_str(field(j, RT_EV_EXECUTION_STARTED, "Timestamp"), "\"2026-01-01T00:00:00.123456Z\"",
	       "Timestamp with its microseconds");
	is_str(field(j, RT_EV_EXECUTION_STARTED, "IsPlayed"), "false", "IsPlayed");
	is_str(field(j, RT_EV_EXECUTION_STARTED, "OrchestrationInstance"),
	       "{\"InstanceId\":\"parent\",\"ExecutionId\":\"0f1e\"}", "OrchestrationInstance");
	is_str(field(j, RT_EV_EXECUTION_STARTED, "ParentInstance"),
	       "{\"Name\":\"outer\",\"TaskScheduleId\":3,\"OrchestrationInstance\":"
	       "{\"InstanceId\":\"grand\",\"ExecutionId\":\"a1b2\"}}",
	       "ParentInstance");
	is_str(field(j, RT_EV_SUB_ORCH_CREATED, "InstanceId"), "\"0f1e:2\"", "the child's InstanceId");
	is_str(field(j, RT_EV_EXECUTION_COMPLETED, "OrchestrationStatus"), "\"Failed\"",
	       "OrchestrationStatus by name");
	is_str(field(j, RT_EV_ORCHESTRATOR_STARTED, "Name"), "(absent)", "unset fields are left out");
	json_decref(j);
}

static void refused(const char *text, const char *want, const char *name)
{
	struct rt_arena a;
	struct rt_event *ev;
	size_t n;
	char *err = NULL;
	json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
	rt_arena_init(&a);
	ok(j && bind_history_parse(j, &ev, &n, &a, &err) == -1, "%s: refused", name);
	ok(err && strstr(err, want), "%s: '%s'", name, err ? err : "(no message)");
	free(err);
	json_decref(j);
	rt_arena_cleanup(&a);
}

#define ES "\"EventType\":\"ExecutionStarted\",\"Timestamp\":\"2026-01-01T00:00:00Z\""

static void bad_rows(void)
{
	refused("{}", "a JSON array of events", "an object");
	refused("[1]", "history row 1: not an object", "a number for a row");
	refused("[{\"EventId\":-1,\"EventType\":\"Started\",\"Timestamp\":\"2026-01-01T00:00:00Z\"}]",
		"history row 1: EventType is not a Durable Task event type", "an unknown type");
	refused("[{\"EventId\":-1,\"Timestamp\":\"2026-01-01T00:00:00Z\"}]",
		"history row 1: EventType is missing", "no type");
	refused("[{" ES "}]", "history row 1 (ExecutionStarted): no EventId", "the API's projection");
	refused("[{\"EventId\":-1," ES "},{\"EventId\":\"0\"," ES "}]",
		"history row 2: EventId is not an integer", "a string EventId");
	refused("[{\"EventId\":-2," ES "}]", "EventId is not an integer from -1 up", "EventId -2");
	refused("[{\"EventId\":4294967296," ES "}]", "EventId is not an integer", "EventId > INT_MAX");
	refused("[{\"EventId\":-1,\"EventType\":\"TaskCompleted\"}]", "Timestamp is missing",
		"no Timestamp");
	refused("[{\"EventId\":-1,\"EventType\":\"TimerFired\",\"Timestamp\":\"2026-01-01T00:00:00Z\","
		"\"FireAt\":\"soon\"}]",
		"FireAt is not an ISO 8601 time", "a bad FireAt");
	refused("[{\"EventId\":-1,\"EventType\":\"ExecutionStarted\","
		"\"Timestamp\":\"9999-12-31T23:59:59-05:00\"}]",
		"Timestamp is not an ISO 8601 time (years 1 to 9999 UTC)", "a time past 9999 in UTC");
	refused("[{\"EventId\":-1," ES ",\"Input\":7}]", "Input is not a string",
		"a parsed Input (stored inputs are JSON text)");
	refused("[{\"EventId\":-1," ES ",\"IsPlayed\":1}]", "IsPlayed is not true or false",
		"IsPlayed 1");
	refused("[{\"EventId\":-1," ES ",\"OrchestrationInstance\":\"x\"}]",
		"OrchestrationInstance is not an object", "an instance that is a string");
	refused("[{\"EventId\":-1," ES ",\"ParentInstance\":[]}]", "ParentInstance is not an object",
		"a parent that is an array");
	refused("[{\"EventId\":9,\"EventType\":\"ExecutionCompleted\","
		"\"Timestamp\":\"2026-01-01T00:00:00Z\",\"OrchestrationStatus\":\"Done\"}]",
		"OrchestrationStatus is not a runtime status name", "an unknown status");
}

static void empty(void)
{
	struct rt_arena a;
	struct rt_event *ev;
	size_t n = 7;
	char *err = NULL;
	json_t *j = json_array();
	rt_arena_init(&a);
	ok(bind_history_parse(j, &ev, &n, &a, &err) == 0 && n == 0, "[] is an empty history");
	json_decref(j);
	j = bind_history_json(NULL, 0);
	is_int(json_array_size(j), 0, "no events print as []");
	json_decref(j);
	rt_arena_cleanup(&a);
}

/* Bytes the C heap has handed out and not had back (glibc's count; 0
 * under a sanitizer, whose allocator glibc does not see). */
static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

/* The whole body a stream gives read `cap` bytes at a time; *pieces_ok
 * says no piece was over cap or empty before the last, *peak is the most
 * heap in use above the start while the stream was being read. */
static char *drain(struct bind_body_stream *s, size_t cap, int *pieces_ok, size_t *peak)
{
	size_t len = 0, room = 1024, base = heap_in_use();
	char *out = xmalloc(room), *buf = xmalloc(cap);
	int last = 0, guard = 0;
	*pieces_ok = 1;
	*peak = 0;
	while (!last && guard++ < 10000000) {
		size_t n = s->fill(s, buf, cap, &last), used = heap_in_use();
		/* The collected body is the reader's, not the stream's. */
		used -= used >= room ? room : used;
		if (used > base && used - base > *peak)
			*peak = used - base;
		if (n > cap || (n == 0 && !last))
			*pieces_ok = 0;
		if (len + n + 1 > room) {
			while (len + n + 1 > room)
				room *= 2;
			out = xrealloc(out, room);
			base = heap_in_use() - room;
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	out[len] = '\0';
	free(buf);
	s->close(s);
	return out;
}

static void compare(const struct rt_event *ev, size_t n, const char *what)
{
	static const size_t caps[] = {1, 7, 4096, 1 << 20};
	json_t *j = bind_history_json(ev, n);
	char *want = bind_json_dump(j);
	json_decref(j);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int pieces_ok;
		size_t peak;
		char *got = drain(bind_history_stream(ev, n), caps[i], &pieces_ok, &peak);
		ok(strcmp(got, want) == 0 && pieces_ok, "%s, %zu-byte pieces: same bytes", what, caps[i]);
		free(got);
	}
	free(want);
}

static void streamed(void)
{
	struct rt_event ev[2 * RT_EV__COUNT];
	size_t n = sample(ev);
	char *big = xmalloc(300 * 1024);

	compare(ev, n, "every event type");
	compare(ev, 0, "no events");
	compare(ev, 1, "one event");
	/* Payloads over 64 KiB (rendered ahead) and text that is not UTF-8. */
	memset(big, 'x', 300 * 1024 - 1);
	big[0] = '"';
	big[300 * 1024 - 2] = '"';
	big[300 * 1024 - 1] = '\0';
	ev[RT_EV_TASK_COMPLETED].result = big;
	ev[RT_EV_EXECUTION_STARTED].input = big;
	ev[RT_EV_TASK_FAILED].reason = "caf\xe9";
	compare(ev, n, "large payloads and bytes that are not UTF-8");
	free(big);
}

/* 10,000 events with 1 KB results: the array printed whole is about 12 MB;
 * read 16 KiB at a time, the stream never holds more than a few events. */
static void long_history(void)
{
	size_t n = 10000, peak;
	struct rt_event *ev = xcalloc(n, sizeof(*ev));
	char result[1024];
	int pieces_ok;

	memset(result, 'r', sizeof(result) - 1);
	result[0] = '"';
	result[sizeof(result) - 2] = '"';
	result[sizeof(result) - 1] = '\0';
	for (size_t i = 0; i < n; i++) {
		rt_event_init(&ev[i], i % 2 ? RT_EV_TASK_COMPLETED : RT_EV_TASK_SCHEDULED);
		ev[i].timestamp_us = T0 + (int64_t)i;
		ev[i].event_id = i % 2 ? -1 : (int)(i / 2);
		ev[i].task_scheduled_id = i % 2 ? (int)(i / 2) : -1;
		ev[i].name = i % 2 ? NULL : "echo";
		ev[i].input = i % 2 ? NULL : result;
		ev[i].result = i % 2 ? result : NULL;
	}
	json_t *j = bind_history_json(ev, n);
	char *want = bind_json_dump(j);
	json_decref(j);
	char *got = drain(bind_history_stream(ev, n), 16384, &pieces_ok, &peak);
	ok(strcmp(got, want) == 0 && pieces_ok, "10,000 events (%zu bytes): the same bytes", strlen(want));
	ok(peak < 256 * 1024, "… with at most %zu bytes of heap held while it was read (the whole text is %zu)",
	   peak, strlen(want));
	free(got);
	free(want);
	free(ev);
}

int main(void)
{
	subtest("streamed", streamed);
	subtest("long history, streamed", long_history);
	subtest("round trip", round_trip);
	subtest("Durable Task names", names);
	subtest("bad rows", bad_rows);
	subtest("empty", empty);
	return done_testing();
}
