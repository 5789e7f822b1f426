/*
 * status_json.c - the instance status object and its history projection,
 * exactly as durable-http-api §2.2 and §7 describe them.
 */
#include "bindings/status_json.h"

#include "bindings/body_pieces.h"
#include "bindings/json_canonical.h"
#include "bindings/json_util.h"
#include "common/text_buf.h"
#include "common/utf8.h"
#include "common/xalloc.h"

#include <stdint.h>
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

/*
 * A JSON string for stored text. Ids, names and reasons reach the store
 * from apps and URLs unchecked for UTF-8, and jansson refuses invalid
 * UTF-8 (json_string() gives NULL, so the key would silently vanish):
 * invalid bytes become U+FFFD instead.
 */
json_t *bind_json_text(const char *s)
{
	json_t *v = json_string(s);
	const unsigned char *p = (const unsigned char *)s;
	char *fixed, *o;
	if (v)
		return v;
	o = fixed = xmalloc(3 * strlen(s) + 1);
	while (*p) {
		size_t n = rt_utf8_seq(p, SIZE_MAX);
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
	return s ? bind_json_text(s) : json_null();
}

/*
 * A stored payload as the API shows it (bind_json_payload), except that text
 * which is not UTF-8 - so not JSON either - is shown as a string with U+FFFD
 * for the bad bytes, where bind_json_payload would give "" (as the
 * management API used to show such a terminate reason).
 */
static json_t *payload_json(const char *stored)
{
	json_t *v = bind_json_payload(stored), *probe;
	if (!stored || !json_is_string(v) || json_string_length(v) != 0)
		return v;
	if ((probe = json_string(stored)) != NULL) {
		json_decref(probe);
		return v;
	}
	json_decref(v);
	return bind_json_text(stored);
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

/*
 * The merges of §7 rules 4 and 5, worked out once per history: which
 * scheduled events disappear into a later completion, and which scheduled
 * event each completion takes its name and time from. Two sorted key lists
 * and binary searches, O(n log n), where a scan per event cost O(n^2) - a
 * minute of CPU for a 100,000-event history.
 */
struct sched_key {
	int sub; /* 0: activity (TaskScheduled), 1: sub-orchestration */
	int id;  /* the scheduled EventId, which completions carry as TaskScheduledId */
	size_t at;
};

struct projection {
	const struct rt_event *hist;
	size_t n;
	unsigned char *merged; /* [i]: scheduled event i has a completion after it */
	size_t *sched;         /* [i]: completion i's scheduled event, or SIZE_MAX */
};

/* -1 if not a scheduled event, else its kind (sub). */
static int scheduled_kind(enum rt_event_type t)
{
	return t == RT_EV_TASK_SCHEDULED ? 0 : t == RT_EV_SUB_ORCH_CREATED ? 1 : -1;
}

static int completion_kind(enum rt_event_type t)
{
	if (t == RT_EV_TASK_COMPLETED || t == RT_EV_TASK_FAILED)
		return 0;
	if (t == RT_EV_SUB_ORCH_COMPLETED || t == RT_EV_SUB_ORCH_FAILED)
		return 1;
	return -1;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct sched_key *a = pa, *b = pb;
	if (a->sub != b->sub)
		return a->sub < b->sub ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->at < b->at ? -1 : a->at > b->at;
}

/* The first key of (sub, id) in the sorted keys[0..n), or n. */
static size_t key_first(const struct sched_key *keys, size_t n, int sub, int id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keys[mid].sub < sub || (keys[mid].sub == sub && keys[mid].id < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && keys[lo].sub == sub && keys[lo].id == id ? lo : n;
}

static void projection_init(struct projection *p, const struct rt_event *hist, size_t n)
{
	struct sched_key *sched = xmalloc((n ? n : 1) * sizeof(*sched));
	struct sched_key *done = xmalloc((n ? n : 1) * sizeof(*done));
	size_t ns = 0, nd = 0;

	p->hist = hist;
	p->n = n;
	p->merged = xcalloc(n ? n : 1, 1);
	p->sched = xmalloc((n ? n : 1) * sizeof(*p->sched));
	for (size_t i = 0; i < n; i++) {
		int k;
		p->sched[i] = SIZE_MAX;
		if ((k = scheduled_kind(hist[i].type)) >= 0)
			sched[ns++] = (struct sched_key){k, hist[i].event_id, i};
		else if ((k = completion_kind(hist[i].type)) >= 0)
			done[nd++] = (struct sched_key){k, hist[i].task_scheduled_id, i};
	}
	qsort(sched, ns, sizeof(*sched), key_cmp);
	qsort(done, nd, sizeof(*done), key_cmp);
	/* A completion names the first scheduled event with its id... */
	for (size_t j = 0; j < nd; j++) {
		size_t f = key_first(sched, ns, done[j].sub, done[j].id);
		if (f < ns)
			p->sched[done[j].at] = sched[f].at;
	}
	/* ...and a scheduled event is merged when a completion of its id
	 * comes after it: compare with the last such completion. */
	for (size_t i = 0; i < ns; i++) {
		size_t f = key_first(done, nd, sched[i].sub, sched[i].id);
		size_t last = f;
		while (f < nd && last + 1 < nd && done[last + 1].sub == sched[i].sub &&
		       done[last + 1].id == sched[i].id)
			last++;
		if (f < nd && done[last].at > sched[i].at)
			p->merged[sched[i].at] = 1;
	}
	free(sched);
	free(done);
}

static void projection_free(struct projection *p)
{
	free(p->merged);
	free(p->sched);
}

/* Internal to this file: project_event() leaves Result out, for the stream
 * to splice the stored text in (raw_payload()). */
#define OMIT_RESULT 0x100

static json_t *project_event(const struct projection *p, size_t i, int flags)
{
	const struct rt_event *ev = &p->hist[i];
	int show_input = flags & BIND_STATUS_INPUT;
	int show_output = (flags & BIND_STATUS_HISTORY_OUTPUT) && !(flags & OMIT_RESULT);
	json_t *o;

	switch (ev->type) {
	case RT_EV_ORCHESTRATOR_STARTED:
	case RT_EV_ORCHESTRATOR_COMPLETED:
		return NULL;
	case RT_EV_TASK_SCHEDULED:
	case RT_EV_SUB_ORCH_CREATED:
		/* Merged into its completion when there is one. */
		if (p->merged[i])
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
			json_object_set_new(o, "Result", payload_json(ev->result));
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
		int ok = ev->type == RT_EV_TASK_COMPLETED || ev->type == RT_EV_SUB_ORCH_COMPLETED;
		const struct rt_event *sched = p->sched[i] != SIZE_MAX ? &p->hist[p->sched[i]] : NULL;
		if (ok) {
			if (show_output)
				json_object_set_new(o, "Result", payload_json(ev->result));
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
			json_object_set_new(o, "Reason", bind_json_text(ev->reason));
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
	json_object_set_new(o, "instanceId", bind_json_text(inst->instance_id));
	json_object_set_new(o, "runtimeStatus", json_string(rt_status_name(inst->status)));
	json_object_set_new(o, "input",
			    (flags & BIND_STATUS_INPUT) ? payload_json(inst->input) : json_null());
	json_object_set_new(o, "customStatus", payload_json(inst->custom_status));
	json_object_set_new(o, "output", payload_json(inst->output));
	json_object_set_new(o, "createdTime", time_s(inst->created_us));
	json_object_set_new(o, "lastUpdatedTime", time_s(inst->updated_us));
	if ((flags & BIND_STATUS_HISTORY) && inst->status != RT_ST_PENDING) {
		json_t *a = json_array();
		struct projection p;
		projection_init(&p, hist, n);
		for (size_t i = 0; i < n; i++) {
			json_t *ev = project_event(&p, i, flags);
			if (ev)
				json_array_append_new(a, ev);
		}
		projection_free(&p);
		json_object_set_new(o, "historyEvents", a);
	}
	return o;
}

/* ---- the same object, streamed ------------------------------------------- */

/*
 * The text is the one bind_json_dump gives for bind_status_object: the
 * writer is compact and keeps key order, so the object without its last
 * key, minus the closing brace, then ',"historyEvents":[', the events
 * joined by ',', and ']}' are the same bytes. Only one event's text is held
 * at a time.
 */
struct status_stream {
	struct bind_pieces pc; /* first; finished: the closing "]}" is in text */
	struct projection p;
	int flags;
	size_t next_event; /* the next event to project */
	int events_out;    /* events written so far (for the commas) */
	/* Events with a large field, rendered ahead on the worker thread that
	 * made the stream (fill() runs on the loop, which must not spend a
	 * second re-printing a 10 MB payload): [i] is their text, NULL once
	 * taken or for events rendered on the fly; dropped[i] marks the ones
	 * the projection leaves out. */
	char **ahead;
	unsigned char *dropped;
};

/*
 * Large payloads are sent as stored when that gives the same bytes
 * (json_canonical.h): parsing a 10 MB array into a JSON tree and printing it
 * again costs 20 times its size. Below RAW_MIN the tree is cheap.
 */
#define RAW_MIN (64 * 1024)

static int raw_payload(const char *stored)
{
	size_t n;
	return stored && (n = strlen(stored)) >= RAW_MIN && bind_json_is_canonical(stored, n);
}

/* Appends the compact text of v (reference stolen). */
static void text_json(struct rt_text_buf *t, json_t *v)
{
	char *one = bind_json_dump(v);
	rt_text_buf_puts(t, one);
	free(one);
	json_decref(v);
}

/* A payload as payload_json() + the writer would print it. */
static void text_payload(struct rt_text_buf *t, const char *stored)
{
	if (raw_payload(stored))
		rt_text_buf_puts(t, stored);
	else
		text_json(t, payload_json(stored));
}

static int shows_history(const struct rt_instance *inst, int flags)
{
	return (flags & BIND_STATUS_HISTORY) && inst->status != RT_ST_PENDING;
}

/* The status object's text up to its history: the members of
 * bind_status_object(), in its order, then ',"historyEvents":['. */
static void stream_head(struct rt_text_buf *t, const struct rt_instance *inst, int flags)
{
	rt_text_buf_puts(t, "{\"name\":");
	text_json(t, str_or_null(inst->name));
	rt_text_buf_puts(t, ",\"instanceId\":");
	text_json(t, bind_json_text(inst->instance_id));
	rt_text_buf_puts(t, ",\"runtimeStatus\":");
	text_json(t, json_string(rt_status_name(inst->status)));
	rt_text_buf_puts(t, ",\"input\":");
	if (flags & BIND_STATUS_INPUT)
		text_payload(t, inst->input);
	else
		rt_text_buf_puts(t, "null");
	rt_text_buf_puts(t, ",\"customStatus\":");
	text_payload(t, inst->custom_status);
	rt_text_buf_puts(t, ",\"output\":");
	text_payload(t, inst->output);
	rt_text_buf_puts(t, ",\"createdTime\":");
	text_json(t, time_s(inst->created_us));
	rt_text_buf_puts(t, ",\"lastUpdatedTime\":");
	text_json(t, time_s(inst->updated_us));
	rt_text_buf_puts(t, shows_history(inst, flags) ? ",\"historyEvents\":[" : "}");
}

/* Whether event i shows a Result that is better spliced in as stored. */
static int raw_result(const struct status_stream *s, size_t i)
{
	const struct rt_event *ev = &s->p.hist[i];
	switch (ev->type) {
	case RT_EV_TASK_COMPLETED:
	case RT_EV_SUB_ORCH_COMPLETED:
	case RT_EV_EXECUTION_COMPLETED:
	case RT_EV_CONTINUE_AS_NEW:
		return (s->flags & BIND_STATUS_HISTORY_OUTPUT) && raw_payload(ev->result);
	default:
		return 0;
	}
}

/*
 * The text of event i with its Result as stored: project_event() puts
 * Result right after EventType (completions) or after OrchestrationStatus
 * (ends of an execution), so the event is printed without it and the member
 * goes in at that point. NULL if the text does not start as expected.
 */
static char *event_with_raw_result(const struct status_stream *s, size_t i)
{
	const struct rt_event *ev = &s->p.hist[i];
	json_t *o = project_event(&s->p, i, s->flags | OMIT_RESULT);
	json_t *lead = json_object();
	char *text, *prefix;
	struct rt_text_buf t = {0};
	size_t plen;

	json_object_set_new(lead, "EventType", json_string(rt_event_type_name(ev->type)));
	if (ev->type == RT_EV_EXECUTION_COMPLETED || ev->type == RT_EV_CONTINUE_AS_NEW)
		json_object_set_new(lead, "OrchestrationStatus",
				    json_string(rt_status_name(ev->orchestration_status)));
	text = bind_json_dump(o);
	prefix = bind_json_dump(lead);
	json_decref(o);
	json_decref(lead);
	plen = strlen(prefix) - 1; /* without its '}' */
	if (strncmp(text, prefix, plen) == 0) {
		rt_text_buf_put(&t, text, plen);
		rt_text_buf_puts(&t, ",\"Result\":");
		rt_text_buf_puts(&t, ev->result);
		rt_text_buf_puts(&t, text + plen);
	}
	free(text);
	free(prefix);
	return t.buf;
}

/* Event i's text (malloc'd), or NULL when the projection drops it. */
static char *render_event(const struct status_stream *s, size_t i)
{
	char *one = raw_result(s, i) ? event_with_raw_result(s, i) : NULL;
	if (!one) {
		json_t *ev = project_event(&s->p, i, s->flags);
		if (!ev)
			return NULL;
		one = bind_json_dump(ev);
		json_decref(ev);
	}
	return one;
}

int bind_event_is_heavy(const struct rt_event *ev)
{
	const char *f[] = {ev->name, ev->input, ev->result, ev->reason, ev->details, ev->data};
	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		if (f[k] && strlen(f[k]) >= RAW_MIN)
			return 1;
	return 0;
}

/* The next piece: an event the projection keeps, or the closing "]}". */
static int stream_next(struct bind_pieces *pc)
{
	struct status_stream *s = (struct status_stream *)pc;
	while (s->next_event < s->p.n) {
		size_t i = s->next_event++;
		char *one;
		if (s->dropped[i])
			continue;
		if ((one = s->ahead[i]) != NULL)
			s->ahead[i] = NULL;
		else if ((one = render_event(s, i)) == NULL)
			continue;
		/* The separator goes before: one piece per event. */
		pc->text = s->events_out++ ? bind_pieces_comma(one) : one;
		pc->len = strlen(pc->text);
		return 1;
	}
	if (pc->finished)
		return 0;
	pc->finished = 1;
	pc->text = xstrdup("]}");
	pc->len = 2;
	return 1;
}

static void stream_close(struct bind_body_stream *base)
{
	struct status_stream *s = (struct status_stream *)base;
	for (size_t i = 0; i < s->p.n; i++)
		free(s->ahead[i]);
	free(s->ahead);
	free(s->dropped);
	projection_free(&s->p);
	bind_pieces_free(&s->pc);
	free(s);
}

struct bind_body_stream *bind_status_stream(const struct rt_instance *inst,
					    const struct rt_event *hist, size_t n, int flags)
{
	struct status_stream *s = xcalloc(1, sizeof(*s));
	struct rt_text_buf head = {0};

	s->pc.base.fill = bind_pieces_fill;
	s->pc.base.close = stream_close;
	s->pc.next = stream_next;
	s->flags = flags & ~OMIT_RESULT;
	if (!shows_history(inst, s->flags)) {
		/* The head is the whole object: no events, no closing "]}". */
		n = 0;
		s->pc.finished = 1;
	}
	projection_init(&s->p, hist, n);
	s->ahead = xcalloc(n ? n : 1, sizeof(*s->ahead));
	s->dropped = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++)
		if (bind_event_is_heavy(&hist[i]) && !(s->ahead[i] = render_event(s, i)))
			s->dropped[i] = 1;
	stream_head(&head, inst, s->flags);
	s->pc.text = head.buf;
	s->pc.len = head.len;
	return &s->pc.base;
}
