/*
 * status_json.c - the instance status object and its history projection,
 * exactly as durable-http-api §2.2 and §7 describe them.
 */
#include "status_json.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static json_t *time_s(int64_t us)
{
	char buf[40];
	rt_format_time_s(us, buf);
	return json_string(buf);
}

static json_t *time_7(int64_t us)
{
	char buf[40];
	rt_format_time_7(us, buf);
	return json_string(buf);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if there is none. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned min;
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	return c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0 : n;
}

/*
 * A JSON string for stored text. Ids, names and reasons reach the store
 * from apps and URLs unchecked for UTF-8, and jansson refuses invalid
 * UTF-8 (json_string() gives NULL, so the key would silently vanish):
 * invalid bytes become U+FFFD instead.
 */
static json_t *str_json(const char *s)
{
	json_t *v = json_string(s);
	const unsigned char *p = (const unsigned char *)s;
	char *fixed, *o;
	if (v)
		return v;
	o = fixed = xmalloc(3 * strlen(s) + 1);
	while (*p) {
		size_t n = utf8_len(p);
		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	v = json_string(fixed);
	free(fixed);
	return v;
}

static json_t *str_or_null(const char *s)
{
	return s ? str_json(s) : json_null();
}

/*
 * The Input a scheduled event shows (and lends to its completion when they
 * merge): an activity's input stays out of the history unless the
 * extension's storeInputsInOrchestrationHistory is on, which cfunc does not
 * offer, so it is null; a sub-orchestration's input is always recorded.
 */
static json_t *scheduled_input(const struct rt_event *sched)
{
	if (sched->type == RT_EV_SUB_ORCH_CREATED)
		return str_or_null(sched->input);
	return json_null();
}

/* The scheduled event a completion refers to, for the merge of §7 rule 4. */
static const struct rt_event *scheduled_of(const struct rt_event *hist, size_t n,
					   enum rt_event_type want, int id)
{
	for (size_t i = 0; i < n; i++)
		if (hist[i].type == want && hist[i].event_id == id)
			return &hist[i];
	return NULL;
}

static int completed_later(const struct rt_event *hist, size_t n, size_t from, int sub, int id)
{
	for (size_t i = from + 1; i < n; i++) {
		enum rt_event_type t = hist[i].type;
		if (!sub && (t == RT_EV_TASK_COMPLETED || t == RT_EV_TASK_FAILED) &&
		    hist[i].task_scheduled_id == id)
			return 1;
		if (sub && (t == RT_EV_SUB_ORCH_COMPLETED || t == RT_EV_SUB_ORCH_FAILED) &&
		    hist[i].task_scheduled_id == id)
			return 1;
	}
	return 0;
}

static json_t *project_event(const struct rt_event *hist, size_t n, size_t i, int flags)
{
	const struct rt_event *ev = &hist[i];
	int show_input = flags & BIND_STATUS_INPUT;
	int show_output = flags & BIND_STATUS_HISTORY_OUTPUT;
	json_t *o;

	switch (ev->type) {
	case RT_EV_ORCHESTRATOR_STARTED:
	case RT_EV_ORCHESTRATOR_COMPLETED:
		return NULL;
	case RT_EV_TASK_SCHEDULED:
	case RT_EV_SUB_ORCH_CREATED:
		/* Merged into its completion when there is one. */
		if (completed_later(hist, n, i, ev->type == RT_EV_SUB_ORCH_CREATED, ev->event_id))
			return NULL;
		break;
	default:
		break;
	}

	o = json_object();
	json_object_set_new(o, "EventType", json_string(rt_event_type_name(ev->type)));
	switch (ev->type) {
	case RT_EV_EXECUTION_STARTED:
		json_object_set_new(o, "FunctionName", str_or_null(ev->name));
		if (show_input)
			json_object_set_new(o, "Input", str_or_null(ev->input));
		break;
	case RT_EV_EXECUTION_COMPLETED:
	case RT_EV_CONTINUE_AS_NEW:
		json_object_set_new(o, "OrchestrationStatus",
				    json_string(rt_status_name(ev->orchestration_status)));
		if (show_output)
			json_object_set_new(o, "Result", bind_json_payload(ev->result));
		json_object_set_new(o, "FailureDetails", json_null());
		break;
	case RT_EV_EXECUTION_TERMINATED:
		if (show_input)
			json_object_set_new(o, "Input", str_or_null(ev->input));
		break;
	case RT_EV_TASK_SCHEDULED:
	case RT_EV_SUB_ORCH_CREATED:
		json_object_set_new(o, "Name", str_or_null(ev->name));
		if (ev->type == RT_EV_SUB_ORCH_CREATED)
			json_object_set_new(o, "InstanceId", str_or_null(ev->instance_id));
		if (show_input)
			json_object_set_new(o, "Input", scheduled_input(ev));
		break;
	case RT_EV_TASK_COMPLETED:
	case RT_EV_TASK_FAILED:
	case RT_EV_SUB_ORCH_COMPLETED:
	case RT_EV_SUB_ORCH_FAILED: {
		int task = ev->type == RT_EV_TASK_COMPLETED || ev->type == RT_EV_TASK_FAILED;
		int ok = ev->type == RT_EV_TASK_COMPLETED || ev->type == RT_EV_SUB_ORCH_COMPLETED;
		const struct rt_event *sched = scheduled_of(
			hist, n, task ? RT_EV_TASK_SCHEDULED : RT_EV_SUB_ORCH_CREATED,
			ev->task_scheduled_id);
		if (ok) {
			if (show_output)
				json_object_set_new(o, "Result", bind_json_payload(ev->result));
		} else {
			json_object_set_new(o, "Reason", str_or_null(ev->reason));
			json_object_set_new(o, "Details", str_or_null(ev->details));
		}
		json_object_set_new(o, "FunctionName", str_or_null(sched ? sched->name : NULL));
		if (sched)
			json_object_set_new(o, "ScheduledTime", time_7(sched->timestamp_us));
		if (show_input && sched)
			json_object_set_new(o, "Input", scheduled_input(sched));
		break;
	}
	case RT_EV_TIMER_CREATED:
	case RT_EV_TIMER_FIRED:
		json_object_set_new(o, "FireAt", time_7(ev->fire_at_us));
		break;
	case RT_EV_EVENT_SENT:
		json_object_set_new(o, "InstanceId", str_or_null(ev->instance_id));
		json_object_set_new(o, "Name", str_or_null(ev->name));
		if (show_input)
			json_object_set_new(o, "Input", str_or_null(ev->input));
		break;
	case RT_EV_EVENT_RAISED:
		json_object_set_new(o, "Name", str_or_null(ev->name));
		if (show_input)
			json_object_set_new(o, "Input", str_or_null(ev->input));
		break;
	case RT_EV_EXECUTION_SUSPENDED:
	case RT_EV_EXECUTION_RESUMED:
		json_object_set_new(o, "Reason", str_or_null(ev->reason));
		break;
	case RT_EV_GENERIC:
		json_object_set_new(o, "Data", str_or_null(ev->data));
		if (ev->reason)
			json_object_set_new(o, "Reason", str_json(ev->reason));
		break;
	default:
		break;
	}
	json_object_set_new(o, "Timestamp", time_7(ev->timestamp_us));
	return o;
}

json_t *bind_status_object(const struct rt_instance *inst, const struct rt_event *hist, size_t n,
			   int flags)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", str_or_null(inst->name));
	json_object_set_new(o, "instanceId", str_json(inst->instance_id));
	json_object_set_new(o, "runtimeStatus", json_string(rt_status_name(inst->status)));
	json_object_set_new(o, "input",
			    (flags & BIND_STATUS_INPUT) ? bind_json_payload(inst->input) : json_null());
	json_object_set_new(o, "customStatus", bind_json_payload(inst->custom_status));
	json_object_set_new(o, "output", bind_json_payload(inst->output));
	json_object_set_new(o, "createdTime", time_s(inst->created_us));
	json_object_set_new(o, "lastUpdatedTime", time_s(inst->updated_us));
	if ((flags & BIND_STATUS_HISTORY) && inst->status != RT_ST_PENDING) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *ev = project_event(hist, n, i, flags);
			if (ev)
				json_array_append_new(a, ev);
		}
		json_object_set_new(o, "historyEvents", a);
	}
	return o;
}
