/* history_json: every event type with every field it can carry survives
 * the trip to JSON and back exactly (the storage codec gives the same
 * bytes), the JSON uses the Durable Task names, and rows that are not
 * stored events are refused with the row and the reason. */
#include "bindings/history_json.h"
#include "bindings/json_util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	subtest("round trip", round_trip);
	subtest("Durable Task names", names);
	subtest("bad rows", bad_rows);
	subtest("empty", empty);
	return done_testing();
}
