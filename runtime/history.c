/*
 * history.c - event names, status names, the binary storage codec and the
 * ISO 8601 time helpers of history.h.
 *
 * Codec layout (version 1), all integers little-endian base-128 varints,
 * signed ones zigzag-encoded:
 *
 *   byte 0      CODEC_V1 (0xC1; the high bits make random text unlikely to pass)
 *   byte 1      event type (< RT_EV__COUNT)
 *   varint      presence mask: bit i set = field i below is stored
 *   fields      in bit order; strings are varint length + bytes (no NUL),
 *               integers are zigzag varints
 *
 * A field is stored only when it differs from its rt_event_init() value, so
 * a TaskCompleted costs ~10 bytes plus its result. NULL and "" differ: ""
 * is stored with length 0. The decoder rejects anything it would not have
 * produced: unknown version, type or mask bits, over-long varints, values
 * out of range, NUL bytes inside strings, and trailing bytes.
 */
#include "runtime/history.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODEC_V1 0xC1

enum field {
	F_EVENT_ID,
	F_IS_PLAYED,
	F_TIMESTAMP,
	F_NAME,
	F_INPUT,
	F_RESULT,
	F_REASON,
	F_DETAILS,
	F_TASK_SCHEDULED_ID,
	F_FIRE_AT,
	F_ORCH_STATUS,
	F_INSTANCE_ID,
	F_EXECUTION_ID,
	F_PARENT_INSTANCE_ID,
	F_PARENT_EXECUTION_ID,
	F_PARENT_NAME,
	F_PARENT_TASK_ID,
	F_DATA,
	F_STARTED, /* added later: an older cfunc refuses the event (and the hub, by its schema) */
	F_PREVIOUS_INPUT, /* the same */
	F__COUNT
};

void rt_event_init(struct rt_event *ev, enum rt_event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->event_id = -1;
	ev->task_scheduled_id = -1;
	ev->parent_task_id = -1;
	ev->orchestration_status = RT_ST_RUNNING;
}

static const char *const event_names[RT_EV__COUNT] = {
	[RT_EV_EXECUTION_STARTED] = "ExecutionStarted",
	[RT_EV_EXECUTION_COMPLETED] = "ExecutionCompleted",
	[RT_EV_EXECUTION_FAILED] = "ExecutionFailed",
	[RT_EV_EXECUTION_TERMINATED] = "ExecutionTerminated",
	[RT_EV_TASK_SCHEDULED] = "TaskScheduled",
	[RT_EV_TASK_COMPLETED] = "TaskCompleted",
	[RT_EV_TASK_FAILED] = "TaskFailed",
	[RT_EV_SUB_ORCH_CREATED] = "SubOrchestrationInstanceCreated",
	[RT_EV_SUB_ORCH_COMPLETED] = "SubOrchestrationInstanceCompleted",
	[RT_EV_SUB_ORCH_FAILED] = "SubOrchestrationInstanceFailed",
	[RT_EV_TIMER_CREATED] = "TimerCreated",
	[RT_EV_TIMER_FIRED] = "TimerFired",
	[RT_EV_ORCHESTRATOR_STARTED] = "OrchestratorStarted",
	[RT_EV_ORCHESTRATOR_COMPLETED] = "OrchestratorCompleted",
	[RT_EV_EVENT_SENT] = "EventSent",
	[RT_EV_EVENT_RAISED] = "EventRaised",
	[RT_EV_CONTINUE_AS_NEW] = "ContinueAsNew",
	[RT_EV_GENERIC] = "GenericEvent",
	[RT_EV_HISTORY_STATE] = "HistoryState",
	[RT_EV_EXECUTION_SUSPENDED] = "ExecutionSuspended",
	[RT_EV_EXECUTION_RESUMED] = "ExecutionResumed",
	[RT_EV_EXECUTION_REWOUND] = "ExecutionRewound",
};

const char *rt_event_type_name(enum rt_event_type t)
{
	if ((unsigned)t >= RT_EV__COUNT)
		return "Unknown";
	return event_names[t];
}

static const char *const status_names[] = {
	[RT_ST_RUNNING] = "Running",       [RT_ST_COMPLETED] = "Completed",
	[RT_ST_CONTINUED_AS_NEW] = "ContinuedAsNew", [RT_ST_FAILED] = "Failed",
	[RT_ST_CANCELED] = "Canceled",     [RT_ST_TERMINATED] = "Terminated",
	[RT_ST_PENDING] = "Pending",       [RT_ST_SUSPENDED] = "Suspended",
};
#define N_STATUS ((int)(sizeof(status_names) / sizeof(status_names[0])))

const char *rt_status_name(enum rt_status s)
{
	if ((unsigned)s >= (unsigned)N_STATUS)
		return "Unknown";
	return status_names[s];
}

int rt_status_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	for (int i = 0; i < N_STATUS; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	/* A bare decimal, as the management API accepts runtimeStatus=1. */
	int v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s > 2)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v < N_STATUS ? v : -1;
}

int rt_status_is_terminal(enum rt_status s)
{
	return s == RT_ST_COMPLETED || s == RT_ST_FAILED || s == RT_ST_CANCELED ||
	       s == RT_ST_TERMINATED;
}

/* ------------------------------------------------------------------ */
/* encoder                                                              */

struct wbuf {
	unsigned char **buf;
	size_t *len, *cap;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
	if (*w->len + n > *w->cap) {
		size_t cap = *w->cap;
		*w->buf = rt_vec_reserve(*w->buf, &cap, *w->len + n, 1, 64);
		*w->cap = cap;
	}
	memcpy(*w->buf + *w->len, p, n);
	*w->len += n;
}

static void put_uvar(struct wbuf *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	put(w, b, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void put_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);
	put_uvar(w, n);
	put(w, s, n);
}

static const char **str_field(const struct rt_event *ev, enum field f)
{
	struct rt_event *e = (struct rt_event *)ev;
	switch (f) {
	case F_NAME: return &e->name;
	case F_INPUT: return &e->input;
	case F_RESULT: return &e->result;
	case F_REASON: return &e->reason;
	case F_DETAILS: return &e->details;
	case F_INSTANCE_ID: return &e->instance_id;
	case F_EXECUTION_ID: return &e->execution_id;
	case F_PARENT_INSTANCE_ID: return &e->parent_instance_id;
	case F_PARENT_EXECUTION_ID: return &e->parent_execution_id;
	case F_PARENT_NAME: return &e->parent_name;
	case F_DATA: return &e->data;
	case F_PREVIOUS_INPUT: return &e->previous_input;
	default: return NULL;
	}
}

/* The integer fields as int64 (value, default) pairs. */
static int int_field(const struct rt_event *ev, enum field f, int64_t *v, int64_t *def)
{
	switch (f) {
	case F_EVENT_ID: *v = ev->event_id; *def = -1; return 1;
	case F_IS_PLAYED: *v = ev->is_played; *def = 0; return 1;
	case F_TIMESTAMP: *v = ev->timestamp_us; *def = 0; return 1;
	case F_TASK_SCHEDULED_ID: *v = ev->task_scheduled_id; *def = -1; return 1;
	case F_FIRE_AT: *v = ev->fire_at_us; *def = 0; return 1;
	case F_ORCH_STATUS: *v = ev->orchestration_status; *def = 0; return 1;
	case F_PARENT_TASK_ID: *v = ev->parent_task_id; *def = -1; return 1;
	case F_STARTED: *v = ev->started_us; *def = 0; return 1;
	default: return 0;
	}
}

void rt_history_encode(const struct rt_event *ev, unsigned char **buf, size_t *len, size_t *cap)
{
	struct wbuf w = { buf, len, cap };
	unsigned char head[2] = { CODEC_V1, (unsigned char)ev->type };
	uint64_t mask = 0;
	int64_t v, def;

	for (int f = 0; f < F__COUNT; f++) {
		const char **s = str_field(ev, f);
		if (s ? *s != NULL : (int_field(ev, f, &v, &def) && v != def))
			mask |= (uint64_t)1 << f;
	}
	put(&w, head, 2);
	put_uvar(&w, mask);
	for (int f = 0; f < F__COUNT; f++) {
		if (!(mask & ((uint64_t)1 << f)))
			continue;
		const char **s = str_field(ev, f);
		if (s) {
			put_str(&w, *s);
		} else {
			int_field(ev, f, &v, &def);
			put_uvar(&w, zigzag(v));
		}
	}
}

/* ------------------------------------------------------------------ */
/* decoder: every read checks the remaining length first                */

struct rbuf {
	const unsigned char *p, *end;
};

static int get_uvar(struct rbuf *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (r->p >= r->end)
			return -1;
		unsigned char b = *r->p++;
		/* The 10th byte may only carry the top bit of a uint64. */
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static int get_str(struct rbuf *r, const char **out, struct rt_arena *a)
{
	uint64_t n;
	if (get_uvar(r, &n) < 0 || n > (uint64_t)(r->end - r->p))
		return -1;
	if (memchr(r->p, '\0', n))
		return -1;
	*out = rt_arena_strndup(a, (const char *)r->p, n);
	r->p += n;
	return 0;
}

static int get_int(struct rbuf *r, int64_t *out)
{
	uint64_t u;
	if (get_uvar(r, &u) < 0)
		return -1;
	*out = unzigzag(u);
	return 0;
}

static int set_int_field(struct rt_event *ev, enum field f, int64_t v)
{
	switch (f) {
	case F_TIMESTAMP: ev->timestamp_us = v; return 0;
	case F_FIRE_AT: ev->fire_at_us = v; return 0;
	case F_STARTED: ev->started_us = v; return 0;
	case F_IS_PLAYED:
		if (v != 0 && v != 1)
			return -1;
		ev->is_played = (int)v;
		return 0;
	case F_ORCH_STATUS:
		if (v < 0 || v >= N_STATUS)
			return -1;
		ev->orchestration_status = (enum rt_status)v;
		return 0;
	default:
		break;
	}
	if (v < -1 || v > 0x7fffffff)
		return -1;
	if (f == F_EVENT_ID)
		ev->event_id = (int)v;
	else if (f == F_TASK_SCHEDULED_ID)
		ev->task_scheduled_id = (int)v;
	else
		ev->parent_task_id = (int)v;
	return 0;
}

int rt_history_decode_next(const void *data, size_t len, size_t *used, struct rt_event *ev,
			   struct rt_arena *a)
{
	struct rbuf r = { data, (const unsigned char *)data + len };
	uint64_t mask;

	if (!data || len < 2 || r.p[0] != CODEC_V1 || r.p[1] >= RT_EV__COUNT)
		return -1;
	rt_event_init(ev, (enum rt_event_type)r.p[1]);
	r.p += 2;
	if (get_uvar(&r, &mask) < 0 || (mask >> F__COUNT) != 0)
		return -1;
	for (int f = 0; f < F__COUNT; f++) {
		if (!(mask & ((uint64_t)1 << f)))
			continue;
		const char **s = str_field(ev, f);
		if (s) {
			if (get_str(&r, s, a) < 0)
				return -1;
		} else {
			int64_t v;
			if (get_int(&r, &v) < 0 || set_int_field(ev, f, v) < 0)
				return -1;
		}
	}
	if (used)
		*used = (size_t)(r.p - (const unsigned char *)data);
	return 0;
}

int rt_history_decode(const void *data, size_t len, struct rt_event *ev, struct rt_arena *a)
{
	size_t used;
	if (rt_history_decode_next(data, len, &used, ev, a) < 0 || used != len)
		return -1;
	return 0;
}
