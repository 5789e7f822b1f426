/*
 * status_json: the streamed status (bind_status_stream) gives exactly the
 * bytes of the status object built whole, whatever the piece size, for
 * histories with every kind of event and merge; and the history projection
 * stays fast on a long history (it used to rescan the history per event).
 */
#include "bindings/status_json.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"

static struct rt_instance instance(enum rt_status st)
{
	struct rt_instance in = {
		.instance_id = "abc\xff" "def", /* not UTF-8: shown with U+FFFD */
		.name = "hello",
		.execution_id = "e1",
		.status = st,
		.created_us = 1700000000000000,
		.updated_us = 1700000001234567,
		.parent_task_id = -1,
		.input = "{\"city\": \"Tokyo\", \"n\": [1, 2.5, -3e2]}",
		.output = "not json",
		.custom_status = "{\"step\":1}",
	};
	return in;
}

static struct rt_event ev(enum rt_event_type t, int id, int64_t ts)
{
	struct rt_event e;
	memset(&e, 0, sizeof(e));
	e.type = t;
	e.event_id = id;
	e.task_scheduled_id = -1;
	e.timestamp_us = ts;
	return e;
}

/* Every event type the projection treats differently, with merges, a
 * still-running activity, a completion without its scheduled event and two
 * scheduled events sharing an id. */
static size_t sample_history(struct rt_event *h)
{
	size_t n = 0;
	int64_t t = 1700000000000000;
	h[n] = ev(RT_EV_ORCHESTRATOR_STARTED, -1, t++), n++;
	h[n] = ev(RT_EV_EXECUTION_STARTED, -1, t++), h[n].name = "hello", h[n].input = "[1,2]", n++;
	h[n] = ev(RT_EV_TASK_SCHEDULED, 0, t++), h[n].name = "say", n++;
	h[n] = ev(RT_EV_TASK_SCHEDULED, 1, t++), h[n].name = "running", n++;
	h[n] = ev(RT_EV_SUB_ORCH_CREATED, 2, t++), h[n].name = "child", h[n].input = "{\"x\":1}",
	h[n].instance_id = "c1", n++;
	h[n] = ev(RT_EV_TIMER_CREATED, 3, t++), h[n].fire_at_us = t + 50, n++;
	h[n] = ev(RT_EV_ORCHESTRATOR_COMPLETED, -1, t++), n++;
	h[n] = ev(RT_EV_TASK_COMPLETED, -1, t++), h[n].task_scheduled_id = 0,
	h[n].result = "\"Hello \\u00e9\\n\"", n++;
	h[n] = ev(RT_EV_SUB_ORCH_FAILED, -1, t++), h[n].task_scheduled_id = 2, h[n].reason = "bad",
	h[n].details = "trace", n++;
	h[n] = ev(RT_EV_TIMER_FIRED, -1, t++), h[n].task_scheduled_id = 3, h[n].fire_at_us = t, n++;
	h[n] = ev(RT_EV_TASK_FAILED, -1, t++), h[n].task_scheduled_id = 9, h[n].reason = "orphan", n++;
	h[n] = ev(RT_EV_TASK_SCHEDULED, 4, t++), h[n].name = "dup-a", n++;
	h[n] = ev(RT_EV_TASK_SCHEDULED, 4, t++), h[n].name = "dup-b", n++;
	h[n] = ev(RT_EV_TASK_COMPLETED, -1, t++), h[n].task_scheduled_id = 4, h[n].result = "0.3", n++;
	h[n] = ev(RT_EV_EVENT_RAISED, -1, t++), h[n].name = "go", h[n].input = "{\"ok\":true}", n++;
	h[n] = ev(RT_EV_EVENT_SENT, 5, t++), h[n].name = "ping", h[n].instance_id = "other",
	h[n].input = "1", n++;
	h[n] = ev(RT_EV_EXECUTION_SUSPENDED, -1, t++), h[n].reason = "pause", n++;
	h[n] = ev(RT_EV_EXECUTION_RESUMED, -1, t++), n++;
	h[n] = ev(RT_EV_GENERIC, -1, t++), h[n].data = "d", h[n].reason = "Rewound: x", n++;
	h[n] = ev(RT_EV_EXECUTION_TERMINATED, -1, t++), h[n].input = "bye", n++;
	h[n] = ev(RT_EV_EXECUTION_COMPLETED, 6, t++), h[n].result = "[\"a\", {\"b\": null}]",
	h[n].orchestration_status = RT_ST_COMPLETED, n++;
	return n;
}

/* The whole body a stream gives when read `cap` bytes at a time; checks
 * that no piece is over cap and only the last says so. */
static char *drain(struct bind_body_stream *s, size_t cap, int *pieces_ok)
{
	size_t len = 0, room = 1024;
	char *out = xmalloc(room), *buf = xmalloc(cap);
	int last = 0, guard = 0;
	*pieces_ok = 1;
	while (!last && guard++ < 10000000) {
		size_t n = s->fill(s, buf, cap, &last);
		if (n > cap || (n == 0 && !last))
			*pieces_ok = 0;
		if (len + n + 1 > room) {
			while (len + n + 1 > room)
				room *= 2;
			out = xrealloc(out, room);
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	out[len] = '\0';
	free(buf);
	s->close(s);
	return out;
}

static void compare(const struct rt_instance *in, const struct rt_event *h, size_t n, int flags,
		    const char *what)
{
	static const size_t caps[] = {1, 7, 4096, 1 << 20};
	json_t *o = bind_status_object(in, h, n, flags);
	char *want = bind_json_dump(o);
	json_decref(o);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int pieces_ok;
		char *got = drain(bind_status_stream(in, h, n, flags), caps[i], &pieces_ok);
		ok(strcmp(got, want) == 0 && pieces_ok, "%s, %zu-byte pieces: same bytes", what, caps[i]);
		free(got);
	}
	free(want);
}

static void test_identical(void)
{
	struct rt_event h[64];
	size_t n = sample_history(h);
	struct rt_instance in = instance(RT_ST_COMPLETED);
	int all = BIND_STATUS_INPUT | BIND_STATUS_HISTORY | BIND_STATUS_HISTORY_OUTPUT;

	compare(&in, h, n, all, "all flags");
	compare(&in, h, n, BIND_STATUS_HISTORY, "history without input or output");
	compare(&in, h, n, BIND_STATUS_HISTORY | BIND_STATUS_INPUT, "history with input");
	compare(&in, h, 0, all, "empty history");
	compare(&in, h, 1, all, "only an event the projection drops");

	/* The projection itself, read back from the whole object. */
	json_t *o = bind_status_object(&in, h, n, all);
	json_t *evs = json_object_get(o, "historyEvents");
	ok(json_array_size(evs) == 15, "15 events shown (orchestrator events and merged schedules dropped): %zu",
	   json_array_size(evs));
	json_t *done = json_array_get(evs, 3);
	is_str(json_string_value(json_object_get(done, "FunctionName")), "say",
	       "a completion takes its scheduled event's name");
	is_str(json_string_value(json_object_get(json_array_get(evs, 1), "Name")), "running",
	       "a running activity keeps its TaskScheduled");
	json_t *dup = json_array_get(evs, 7);
	is_str(json_string_value(json_object_get(dup, "FunctionName")), "dup-a",
	       "two scheduled events with one id: the completion names the first");
	ok(json_array_size(evs) > 7 && json_is_null(json_object_get(json_array_get(evs, 6), "FunctionName")),
	   "a completion without its scheduled event has FunctionName null");
	json_decref(o);
}

/* A JSON array of n integers, with `sep` between them ("," is canonical). */
static char *int_array(size_t n, const char *sep)
{
	size_t cap = n * (12 + strlen(sep)) + 3, len = 1;
	char *s = xmalloc(cap);
	s[0] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%zu", i ? sep : "", 100000 + i);
	memcpy(s + len, "]", 2);
	return s;
}

/* Large payloads, some sent as stored (canonical), some not: same bytes. */
static void test_large_payloads(void)
{
	char *canon = int_array(20000, ","), *spaced = int_array(20000, ", ");
	size_t big = strlen(canon);
	char *reals = xstrdup(canon), *dup = xmalloc(big + 64);
	struct rt_event h[64];
	size_t n = sample_history(h);
	struct rt_instance in = instance(RT_ST_COMPLETED);
	int all = BIND_STATUS_INPUT | BIND_STATUS_HISTORY | BIND_STATUS_HISTORY_OUTPUT;

	reals[big / 2] = '.'; /* one real in the middle: 1234.6789 */
	snprintf(dup, big + 64, "{\"a\":%s,\"a\":1}", canon);
	ok(big > 64 * 1024, "payloads of %zu bytes", big);
	in.input = canon;
	in.output = spaced;
	in.custom_status = dup;
	h[1].input = canon;           /* ExecutionStarted Input: always a string */
	h[7].result = canon;          /* TaskCompleted Result, as stored */
	h[13].result = reals;         /* TaskCompleted Result, reprinted */
	h[n - 1].result = canon;      /* ExecutionCompleted Result, as stored */
	compare(&in, h, n, all, "large payloads");
	compare(&in, h, n, BIND_STATUS_HISTORY, "large payloads, history only");
	compare(&in, h, n, BIND_STATUS_INPUT, "large payloads, no history");
	compare(&in, h, n, 0, "large payloads, neither input nor history");
	in.status = RT_ST_PENDING;
	compare(&in, h, n, all, "large payloads, Pending (no history shown)");
	in.status = RT_ST_COMPLETED;
	in.input = spaced;
	in.output = canon;
	in.custom_status = canon;
	h[7].result = dup;
	h[n - 1].result = spaced;
	compare(&in, h, n, all, "large payloads, swapped");
	free(canon);
	free(spaced);
	free(reals);
	free(dup);
}

/* Stored payloads that are not UTF-8 (the durable client does not check
 * reasons) show with U+FFFD instead of as "". */
static void test_not_utf8(void)
{
	struct rt_instance in = instance(RT_ST_TERMINATED);
	struct rt_event h[64];
	size_t n = sample_history(h);
	in.output = "caf\xe9";
	in.custom_status = "\"\"";
	h[n - 2].input = "bye \xff";
	json_t *o = bind_status_object(&in, h, n, BIND_STATUS_INPUT | BIND_STATUS_HISTORY);
	is_str(json_string_value(json_object_get(o, "output")), "caf\xef\xbf\xbd",
	       "an output that is not UTF-8 shows U+FFFD for the bad byte");
	ok(json_is_string(json_object_get(o, "customStatus")) &&
		   json_string_length(json_object_get(o, "customStatus")) == 0,
	   "a stored JSON \"\" is still the empty string");
	json_decref(o);
	compare(&in, h, n, BIND_STATUS_INPUT | BIND_STATUS_HISTORY, "payloads not UTF-8");
}

static void test_long_history(void)
{
	size_t pairs = 50000, n = 2 * pairs + 2;
	struct rt_event *h = xcalloc(n, sizeof(*h));
	struct rt_instance in = instance(RT_ST_COMPLETED);
	int all = BIND_STATUS_INPUT | BIND_STATUS_HISTORY | BIND_STATUS_HISTORY_OUTPUT;
	struct timespec t0, t1;
	size_t k = 0;

	h[k] = ev(RT_EV_EXECUTION_STARTED, -1, 1), h[k].name = "many", k++;
	for (size_t i = 0; i < pairs; i++)
		h[k] = ev(RT_EV_TASK_SCHEDULED, (int)i, 2), h[k].name = "echo", k++;
	for (size_t i = 0; i < pairs; i++)
		h[k] = ev(RT_EV_TASK_COMPLETED, -1, 3), h[k].task_scheduled_id = (int)(pairs - 1 - i),
		h[k].result = "1", k++;
	h[k] = ev(RT_EV_EXECUTION_COMPLETED, -1, 4), h[k].orchestration_status = RT_ST_COMPLETED, k++;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	int pieces_ok;
	char *got = drain(bind_status_stream(&in, h, n, all), 65536, &pieces_ok);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	json_error_t err;
	json_t *o = json_loads(got, 0, &err);
	ok(o && json_array_size(json_object_get(o, "historyEvents")) == pairs + 2,
	   "100,002 events stream as valid JSON with %zu events shown", pairs + 2);
	ok(s < 5.0, "… in %.2f s (a rescan per event took minutes)", s);
	json_t *first = json_array_get(json_object_get(o, "historyEvents"), 1);
	ok(first && json_integer_value(json_object_get(first, "Result")) == 1 &&
		   strcmp(json_string_value(json_object_get(first, "FunctionName")), "echo") == 0,
	   "… completions merged with their scheduled events");
	json_decref(o);
	free(got);
	free(h);
}

int main(void)
{
	subtest("streamed = built whole", test_identical);
	subtest("large payloads", test_large_payloads);
	subtest("not UTF-8", test_not_utf8);
	subtest("long history", test_long_history);
	return done_testing();
}
