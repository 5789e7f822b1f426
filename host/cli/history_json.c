/*
 * history_json.c - the management API's history JSON back to rt_events
 * (history_json.h).
 */
#include "host/cli/history_json.h"
#include "common/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* One scheduling call, before its sequence number is known. */
struct call {
	enum rt_event_type type; /* TaskScheduled, TimerCreated, SubOrchCreated, EventSent */
	const char *name;
	const char *instance_id;
	int64_t at_us;    /* when it was scheduled */
	int64_t fire_at_us;
	size_t row;       /* position in the export, the tie-break */
	long done;        /* index in `msgs` of its completion, -1 if none (yet) */
	int seq;
};

static int cmp_call(const void *pa, const void *pb)
{
	const struct call *a = pa, *b = pb;
	if (a->at_us != b->at_us)
		return a->at_us < b->at_us ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

static const char *str(json_t *o, const char *key, struct rt_arena *a)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? rt_arena_strdup(a, json_string_value(v)) : NULL;
}

/* A parsed Result value back to JSON text. */
static const char *result_text(json_t *o, struct rt_arena *a, int *has)
{
	json_t *v = json_object_get(o, "Result");
	if (!v)
		return NULL;
	*has = 1;
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *out = rt_arena_strdup(a, s ? s : "null");
	free(s);
	return out;
}

static int time_of(json_t *o, const char *key, int64_t *us)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) && rt_parse_time(json_string_value(v), us) == 0 ? 0 : -1;
}

static int type_of(const char *name)
{
	for (int t = 0; t < RT_EV__COUNT; t++)
		if (strcmp(rt_event_type_name((enum rt_event_type)t), name) == 0)
			return t;
	return -1;
}

int host_history_parse(const char *text, size_t len, struct host_history *h,
		       struct rt_arena *a, char **err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr), *rows;
	struct call *calls = NULL;
	struct rt_event *msgs = NULL;
	size_t ncalls = 0, nmsgs = 0, nrows;
	int rc = -1;

	memset(h, 0, sizeof(*h));
	h->instance_id = "";
	if (!root) {
		*err = xasprintf("not JSON (line %d, column %d): %s", jerr.line, jerr.column, jerr.text);
		return -1;
	}
	rows = json_is_array(root) ? root : json_object_get(root, "historyEvents");
	if (!json_is_array(rows)) {
		*err = xstrdup("no history: expected the status JSON of GET instances/{id}?showHistory=true"
			       "&showHistoryOutput=true (with \"historyEvents\") or its array");
		goto out;
	}
	if (json_is_object(root)) {
		const char *id = str(root, "instanceId", a), *name = str(root, "name", a);
		if (id)
			h->instance_id = id;
		h->name = name;
	}
	nrows = json_array_size(rows);
	calls = xcalloc(nrows + 1, sizeof(*calls));
	msgs = rt_arena_calloc(a, (nrows + 1) * sizeof(*msgs));

	for (size_t i = 0; i < nrows; i++) {
		json_t *o = json_array_get(rows, i);
		const char *tn = json_is_object(o) ? str(o, "EventType", a) : NULL;
		int t = tn ? type_of(tn) : -1;
		int64_t ts;
		if (t < 0) {
			*err = xasprintf("history row %zu: %s", i + 1,
					 tn ? "unknown EventType" : "not an object with an EventType");
			goto out;
		}
		if (time_of(o, "Timestamp", &ts) != 0) {
			*err = xasprintf("history row %zu (%s): no valid Timestamp", i + 1, tn);
			goto out;
		}
		if (ts > h->last_us)
			h->last_us = ts;
		struct rt_event *m = &msgs[nmsgs];
		rt_event_init(m, (enum rt_event_type)t);
		m->timestamp_us = ts;
		m->is_played = 1;
		switch (t) {
		case RT_EV_EXECUTION_STARTED:
			m->name = str(o, "FunctionName", a);
			m->input = str(o, "Input", a);
			m->instance_id = h->instance_id;
			if (!h->name)
				h->name = m->name;
			nmsgs++;
			break;
		case RT_EV_EXECUTION_COMPLETED:
		case RT_EV_CONTINUE_AS_NEW: {
			const char *st = str(o, "OrchestrationStatus", a);
			h->ended = 1;
			h->end_status = st ? rt_status_parse(st) : -1;
			break;
		}
		case RT_EV_TASK_COMPLETED:
		case RT_EV_TASK_FAILED:
		case RT_EV_SUB_ORCH_COMPLETED:
		case RT_EV_SUB_ORCH_FAILED: {
			struct call *c = &calls[ncalls++];
			int sub = t == RT_EV_SUB_ORCH_COMPLETED || t == RT_EV_SUB_ORCH_FAILED;
			c->type = sub ? RT_EV_SUB_ORCH_CREATED : RT_EV_TASK_SCHEDULED;
			c->name = str(o, "FunctionName", a);
			c->row = i;
			c->done = (long)nmsgs;
			if (time_of(o, "ScheduledTime", &c->at_us) != 0) {
				*err = xasprintf("history row %zu (%s): no valid ScheduledTime", i + 1, tn);
				goto out;
			}
			m->result = result_text(o, a, &h->has_results);
			m->reason = str(o, "Reason", a);
			m->details = str(o, "Details", a);
			nmsgs++;
			break;
		}
		case RT_EV_TASK_SCHEDULED:
		case RT_EV_SUB_ORCH_CREATED:
		case RT_EV_TIMER_CREATED:
		case RT_EV_EVENT_SENT: {
			struct call *c = &calls[ncalls++];
			c->type = (enum rt_event_type)t;
			c->name = str(o, "Name", a);
			c->instance_id = str(o, "InstanceId", a);
			c->at_us = ts;
			c->row = i;
			c->done = -1;
			if (t == RT_EV_TIMER_CREATED && time_of(o, "FireAt", &c->fire_at_us) != 0) {
				*err = xasprintf("history row %zu (TimerCreated): no valid FireAt", i + 1);
				goto out;
			}
			break;
		}
		case RT_EV_TIMER_FIRED:
			if (time_of(o, "FireAt", &m->fire_at_us) != 0) {
				*err = xasprintf("history row %zu (TimerFired): no valid FireAt", i + 1);
				goto out;
			}
			nmsgs++;
			break;
		case RT_EV_EVENT_RAISED:
			m->name = str(o, "Name", a);
			m->input = str(o, "Input", a);
			nmsgs++;
			break;
		case RT_EV_EXECUTION_SUSPENDED:
		case RT_EV_EXECUTION_RESUMED:
			m->reason = str(o, "Reason", a);
			nmsgs++;
			break;
		case RT_EV_EXECUTION_TERMINATED:
			m->input = str(o, "Input", a);
			nmsgs++;
			break;
		default: /* GenericEvent (rewound rows) and the rest change nothing */
			break;
		}
	}
	if (nmsgs == 0 || msgs[0].type != RT_EV_EXECUTION_STARTED) {
		*err = xstrdup("the history does not start with ExecutionStarted");
		goto out;
	}

	/* Sequence numbers in scheduling order; a completion names its call. */
	qsort(calls, ncalls, sizeof(*calls), cmp_call);
	for (size_t i = 0; i < ncalls; i++) {
		calls[i].seq = (int)i;
		if (calls[i].done >= 0)
			msgs[calls[i].done].task_scheduled_id = (int)i;
	}
	/* A TimerFired belongs to the earliest unfired timer with its FireAt. */
	char *fired = xcalloc(ncalls + 1, 1);
	for (size_t k = 0; k < nmsgs; k++) {
		if (msgs[k].type != RT_EV_TIMER_FIRED)
			continue;
		for (size_t i = 0; i < ncalls; i++)
			if (calls[i].type == RT_EV_TIMER_CREATED && !fired[i] &&
			    calls[i].fire_at_us == msgs[k].fire_at_us) {
				fired[i] = 1;
				msgs[k].task_scheduled_id = (int)i;
				break;
			}
	}
	free(fired);

	/* The rebuilt history: ExecutionStarted, then every message behind an
	 * OrchestratorStarted at its time, and the calls at the end (replay
	 * matches them by sequence number, not position). */
	size_t cap = 2 * nmsgs + ncalls + 1, n = 0;
	struct rt_event *ev = rt_arena_calloc(a, cap * sizeof(*ev));
	int64_t now = INT64_MIN;
	for (size_t k = 0; k < nmsgs; k++) {
		if (msgs[k].timestamp_us > now) {
			now = msgs[k].timestamp_us;
			rt_event_init(&ev[n], RT_EV_ORCHESTRATOR_STARTED);
			ev[n].timestamp_us = now;
			ev[n++].is_played = 1;
		}
		ev[n++] = msgs[k];
	}
	for (size_t i = 0; i < ncalls; i++) {
		struct rt_event *s = &ev[n++];
		rt_event_init(s, calls[i].type);
		s->event_id = calls[i].seq;
		s->name = calls[i].name;
		s->instance_id = calls[i].instance_id;
		s->fire_at_us = calls[i].fire_at_us;
		s->timestamp_us = calls[i].at_us;
		s->is_played = 1;
	}
	h->events = ev;
	h->n = n;
	h->n_calls = ncalls;
	rc = 0;
out:
	free(calls);
	json_decref(root);
	return rc;
}
