/*
 * history_json.c - stored events to JSON and back (history_json.h).
 *
 * One rule per rt_event field, the same in both directions: a field is
 * written when it differs from its rt_event_init() value (as the storage
 * codec stores it), under the Durable Task name for the event's type, and
 * read back from that name. EventId, IsPlayed, Timestamp and EventType are
 * always written.
 */
#include "bindings/history_json.h"

#include "bindings/body_pieces.h"

#include "bindings/status_json.h"
#include "common/xalloc.h"

#include <limits.h>
#include <string.h>

static json_t *time_json(int64_t us)
{
	char buf[40];
	rt_format_time_7(us, buf);
	return json_string(buf);
}

static void put_text(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, bind_json_text(s));
}

/* ExecutionStarted names its own instance in an OrchestrationInstance
 * object; the others that name one (sub-orchestration, event sent) say
 * InstanceId, as Durable Task's events do. */
static json_t *instance_json(const char *id, const char *exec)
{
	json_t *o = json_object();
	put_text(o, "InstanceId", id);
	put_text(o, "ExecutionId", exec);
	return o;
}

static const char *id_key(enum rt_event_type t)
{
	return t == RT_EV_TIMER_FIRED ? "TimerId" : "TaskScheduledId";
}

static int is_timer(enum rt_event_type t)
{
	return t == RT_EV_TIMER_CREATED || t == RT_EV_TIMER_FIRED;
}

static int is_end(enum rt_event_type t)
{
	return t == RT_EV_EXECUTION_COMPLETED || t == RT_EV_CONTINUE_AS_NEW;
}

static json_t *event_json(const struct rt_event *ev)
{
	json_t *o = json_object();
	json_object_set_new(o, "EventId", json_integer(ev->event_id));
	json_object_set_new(o, "IsPlayed", json_boolean(ev->is_played));
	json_object_set_new(o, "Timestamp", time_json(ev->timestamp_us));
	json_object_set_new(o, "EventType", json_string(rt_event_type_name(ev->type)));
	put_text(o, "Name", ev->name);
	if (ev->type == RT_EV_EXECUTION_STARTED) {
		if (ev->instance_id || ev->execution_id)
			json_object_set_new(o, "OrchestrationInstance",
					    instance_json(ev->instance_id, ev->execution_id));
	} else {
		put_text(o, "InstanceId", ev->instance_id);
		put_text(o, "ExecutionId", ev->execution_id);
	}
	if (ev->parent_instance_id || ev->parent_execution_id || ev->parent_name ||
	    ev->parent_task_id != -1) {
		json_t *p = json_object();
		put_text(p, "Name", ev->parent_name);
		json_object_set_new(p, "TaskScheduleId", json_integer(ev->parent_task_id));
		json_object_set_new(p, "OrchestrationInstance",
				    instance_json(ev->parent_instance_id, ev->parent_execution_id));
		json_object_set_new(o, "ParentInstance", p);
	}
	put_text(o, "Input", ev->input);
	put_text(o, "Result", ev->result);
	put_text(o, "Reason", ev->reason);
	put_text(o, "Details", ev->details);
	put_text(o, "Data", ev->data);
	if (ev->task_scheduled_id != -1)
		json_object_set_new(o, id_key(ev->type), json_integer(ev->task_scheduled_id));
	if (is_timer(ev->type) || ev->fire_at_us != 0)
		json_object_set_new(o, "FireAt", time_json(ev->fire_at_us));
	if (is_end(ev->type) || ev->orchestration_status != RT_ST_RUNNING)
		json_object_set_new(o, "OrchestrationStatus",
				    json_string(rt_status_name(ev->orchestration_status)));
	return o;
}

json_t *bind_history_json(const struct rt_event *ev, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, event_json(&ev[i]));
	return a;
}

/* ---- the same array, streamed ----------------------------------------- */

/*
 * The writer is compact and keeps member order, so '[', the events' own
 * texts joined by ',', and ']' are the bytes of the array printed whole.
 */
struct history_stream {
	struct bind_pieces pc; /* first; finished: the closing ']' is in text */
	const struct rt_event *ev;
	size_t n;
	size_t next;   /* the next event to render */
	char **ahead;  /* [i]: event i rendered ahead (heavy), NULL once taken */
};

/* Event i's text with the separator before it (none before the first). */
static char *event_text(struct history_stream *s, size_t i)
{
	char *one = s->ahead[i];
	if (one) {
		s->ahead[i] = NULL;
	} else {
		json_t *o = event_json(&s->ev[i]);
		one = bind_json_dump(o);
		json_decref(o);
	}
	return i == 0 ? one : bind_pieces_comma(one);
}

/* The next piece: an event, or the closing ']'. */
static int history_next(struct bind_pieces *pc)
{
	struct history_stream *s = (struct history_stream *)pc;
	if (s->next < s->n) {
		pc->text = event_text(s, s->next++);
	} else if (!pc->finished) {
		pc->finished = 1;
		pc->text = xstrdup("]");
	} else {
		return 0;
	}
	pc->len = strlen(pc->text);
	return 1;
}

static void history_close(struct bind_body_stream *base)
{
	struct history_stream *s = (struct history_stream *)base;
	for (size_t i = 0; i < s->n; i++)
		free(s->ahead[i]);
	free(s->ahead);
	bind_pieces_free(&s->pc);
	free(s);
}

struct bind_body_stream *bind_history_stream(const struct rt_event *ev, size_t n)
{
	struct history_stream *s = xcalloc(1, sizeof(*s));
	s->pc.base.fill = bind_pieces_fill;
	s->pc.base.close = history_close;
	s->pc.next = history_next;
	s->ev = ev;
	s->n = n;
	s->ahead = xcalloc(n ? n : 1, sizeof(*s->ahead));
	for (size_t i = 0; i < n; i++)
		if (bind_event_is_heavy(&ev[i])) {
			json_t *o = event_json(&ev[i]);
			s->ahead[i] = bind_json_dump(o);
			json_decref(o);
		}
	s->pc.text = xstrdup("[");
	s->pc.len = 1;
	return &s->pc.base;
}

/* ---- back to events -------------------------------------------------- */

struct row {
	const json_t *o;
	size_t index; /* 1-based, for messages */
	struct rt_arena *a;
	char **err;
};

static int bad(const struct row *r, const char *key, const char *what)
{
	*r->err = xasprintf("history row %zu: %s %s", r->index, key, what);
	return -1;
}

/* An optional string (absent or null = NULL). */
static int get_text(const struct row *r, const json_t *o, const char *key, const char **out)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(r, key, "is not a string");
	*out = rt_arena_strdup(r->a, json_string_value(v));
	return 0;
}

/* An optional int (absent = keep *out). */
static int get_int(const struct row *r, const json_t *o, const char *key, int *out)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > INT_MAX)
		return bad(r, key, "is not an integer from -1 up");
	*out = (int)json_integer_value(v);
	return 0;
}

/* Years 1 to 9999 in UTC: what the writer's times can say, so an offset
 * that moves a time past them is refused rather than printed unreadably. */
#define FIRST_US (-62135596800LL * 1000000)
#define LAST_US (253402300800LL * 1000000 - 1)

static int get_time(const struct row *r, const char *key, int required, int64_t *us)
{
	const json_t *v = json_object_get(r->o, key);
	if (!v && !required)
		return 0;
	if (!json_is_string(v) || rt_parse_time(json_string_value(v), us) != 0 ||
	    *us < FIRST_US || *us > LAST_US)
		return bad(r, key, v ? "is not an ISO 8601 time (years 1 to 9999 UTC)" : "is missing");
	return 0;
}

static int get_instance(const struct row *r, const json_t *o, const char *key, const char **id,
			const char **exec)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(r, key, "is not an object");
	return get_text(r, v, "InstanceId", id) || get_text(r, v, "ExecutionId", exec) ? -1 : 0;
}

static int type_named(const char *name)
{
	for (int t = 0; t < RT_EV__COUNT; t++)
		if (strcmp(rt_event_type_name((enum rt_event_type)t), name) == 0)
			return t;
	return -1;
}

static int parse_event(const struct row *r, struct rt_event *ev)
{
	const json_t *o = r->o, *v;
	int type;

	if (!json_is_object(o)) {
		*r->err = xasprintf("history row %zu: not an object", r->index);
		return -1;
	}
	v = json_object_get(o, "EventType");
	if (!json_is_string(v) || (type = type_named(json_string_value(v))) < 0)
		return bad(r, "EventType", v ? "is not a Durable Task event type" : "is missing");
	rt_event_init(ev, (enum rt_event_type)type);
	v = json_object_get(o, "EventId");
	if (!v) {
		*r->err = xasprintf("history row %zu (%s): no EventId, so not a stored history (the "
				    "management API's showHistory view merges and drops events); "
				    "export it with cfunc durable get-history --id <id> --json",
				    r->index, rt_event_type_name(ev->type));
		return -1;
	}
	if (get_int(r, o, "EventId", &ev->event_id) != 0)
		return -1;
	v = json_object_get(o, "IsPlayed");
	if (v && !json_is_boolean(v))
		return bad(r, "IsPlayed", "is not true or false");
	ev->is_played = json_is_true(v);
	if (get_time(r, "Timestamp", 1, &ev->timestamp_us) != 0 ||
	    get_time(r, "FireAt", 0, &ev->fire_at_us) != 0 || get_text(r, o, "Name", &ev->name) ||
	    get_text(r, o, "Input", &ev->input) || get_text(r, o, "Result", &ev->result) ||
	    get_text(r, o, "Reason", &ev->reason) || get_text(r, o, "Details", &ev->details) ||
	    get_text(r, o, "Data", &ev->data) ||
	    get_int(r, o, id_key(ev->type), &ev->task_scheduled_id) != 0)
		return -1;
	if (ev->type == RT_EV_EXECUTION_STARTED) {
		if (get_instance(r, o, "OrchestrationInstance", &ev->instance_id, &ev->execution_id))
			return -1;
	} else if (get_text(r, o, "InstanceId", &ev->instance_id) ||
		   get_text(r, o, "ExecutionId", &ev->execution_id)) {
		return -1;
	}
	v = json_object_get(o, "ParentInstance");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v))
			return bad(r, "ParentInstance", "is not an object");
		if (get_text(r, v, "Name", &ev->parent_name) ||
		    get_int(r, v, "TaskScheduleId", &ev->parent_task_id) ||
		    get_instance(r, v, "OrchestrationInstance", &ev->parent_instance_id,
				 &ev->parent_execution_id))
			return -1;
	}
	v = json_object_get(o, "OrchestrationStatus");
	if (v) {
		int st = json_is_string(v) ? rt_status_parse(json_string_value(v)) : -1;
		if (st < 0)
			return bad(r, "OrchestrationStatus", "is not a runtime status name");
		ev->orchestration_status = (enum rt_status)st;
	}
	return 0;
}

int bind_history_parse(const json_t *array, struct rt_event **ev, size_t *n, struct rt_arena *a,
		       char **err)
{
	size_t count = json_array_size(array);
	struct rt_event *out;

	*ev = NULL;
	*n = 0;
	if (!json_is_array(array)) {
		*err = xstrdup("a history is a JSON array of events");
		return -1;
	}
	out = rt_arena_calloc(a, (count + 1) * sizeof(*out));
	for (size_t i = 0; i < count; i++) {
		struct row r = {json_array_get(array, i), i + 1, a, err};
		if (parse_event(&r, &out[i]) != 0)
			return -1;
	}
	*ev = out;
	*n = count;
	return 0;
}
