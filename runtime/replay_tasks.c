/*
 * replay_tasks.c - the orchestrator API of replay.h: creating tasks (and matching
 * them against the history by sequence number), external-event waits,
 * when_all / when_any, retries, await, and the finish/fail/continue calls.
 *
 * Retries are driven by events, not by the code: when an attempt fails or a
 * retry timer fires, orch_apply() calls task_retry_step(), which schedules
 * the next timer or attempt right there, at that point of the timeline, as
 * the retry loop of a live orchestrator would. That keeps their sequence
 * numbers interleaved with the code's in the order a live run produces.
 */
#include "runtime/entity_orch_core.h"
#include "runtime/replay_int.h"
#include "runtime/uuid.h"
#include "common/utf8.h"
#include "runtime/replay_entity.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MS_TO_US_MAX (INT64_MAX / 1000)

static struct rt_task *new_task(struct rt_orch *o, enum task_kind kind, const char *name)
{
	struct rt_task *t = rt_arena_calloc(o->a, sizeof(*t));
	t->o = o;
	t->kind = kind;
	t->state = TS_PENDING;
	t->seq = -1;
	t->name = rt_arena_strdup(o->a, name);
	return t;
}

static void settle_parents(struct rt_task *t);

/* A numbered task of these kinds keeps a finished orchestration open while
 * it is pending (§6.7); o->n_open counts them. */
static int keeps_open(const struct rt_task *t)
{
	return t->seq >= 0 && (t->kind == TK_ACTIVITY || t->kind == TK_TIMER || t->kind == TK_SUB_ORCH);
}

void task_complete_at(struct rt_task *t, enum task_state st, const char *text, uint64_t serial)
{
	if (t->state != TS_PENDING)
		return;
	if (t->entity_reply)
		entity_reply_decode(t, &st, &text);
	t->state = st;
	t->serial = serial ? serial : ++t->o->serial;
	if (keeps_open(t))
		t->o->n_open--;
	if (st == TS_OK)
		t->result = text;
	else
		t->error = text ? text : "";
	settle_parents(t);
}

void task_complete(struct rt_task *t, enum task_state st, const char *text)
{
	task_complete_at(t, st, text, 0);
}

void orch_set_fatal(struct rt_orch *o, int nondeterminism, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (o->fatal)
		return;
	va_start(ap, fmt);
	msg = rt_arena_vfmt(o->a, fmt, ap);
	va_end(ap);
	if (nondeterminism)
		o->fatal = rt_arena_fmt(o->a, "Non-Deterministic workflow detected: %s", msg);
	else
		o->fatal = rt_arena_fmt(o->a, "Orchestrator function '%s' failed: %s", o->name, msg);
	o->last_error = o->fatal;
}

/* A task that failed at birth because the orchestration is already doomed. */
static struct rt_task *dead_task(struct rt_orch *o, struct rt_task *t)
{
	task_complete(t, TS_FAILED, o->fatal);
	return t;
}

/* ------------------------------------------------------------------ */
/* sequence numbers and history matching (spec §4.1, §4.2)              */

static enum task_kind event_kind(enum rt_event_type type)
{
	switch (type) {
	case RT_EV_TIMER_CREATED: return TK_TIMER;
	case RT_EV_SUB_ORCH_CREATED: return TK_SUB_ORCH;
	case RT_EV_EVENT_SENT: return TK_SEND;
	default: return TK_ACTIVITY;
	}
}

static const char *kind_desc(enum task_kind k)
{
	switch (k) {
	case TK_TIMER: return "a timer task";
	case TK_SUB_ORCH: return "a sub-orchestration task";
	case TK_SEND: return "a send event task";
	default: return "an activity task";
	}
}

/* " named 'X'" or "" for timers. */
static const char *named(struct rt_orch *o, enum task_kind k, const char *name)
{
	if (k == TK_TIMER)
		return "";
	return rt_arena_fmt(o->a, " named '%s'", name ? name : "");
}

#define CHANGE_HINT \
	"Was a change made to the orchestrator code after this instance had already started running?"

/* Takes the next sequence number for `t` and checks it against the history.
 * Returns 0, or -1 after a fatal error. */
static int take_seq(struct rt_orch *o, struct rt_task *t)
{
	size_t seq = o->by_seq.n;
	const struct rt_event *past;
	enum task_kind pk;

	if (seq >= (size_t)o->max_actions) {
		orch_set_fatal(o, 0,
			       "Maximum amount of orchestration actions (%d) has been reached. This "
			       "value can be configured in host.json file as MaxOrchestrationActions.",
			       o->max_actions);
		return -1;
	}
	t->seq = (int)seq;
	*(struct rt_task **)rt_vec_push(&o->by_seq, sizeof(t)) = t;
	if (keeps_open(t))
		o->n_open++;
	past = seq < o->n_past_sched ? o->past_sched[seq] : NULL;
	if (!past) {
		t->is_new = 1;
		*(struct rt_task **)rt_vec_push(&o->new_tasks, sizeof(t)) = t;
		return 0;
	}
	o->claimed[seq] = 1;
	pk = event_kind(past->type);
	if (pk != t->kind) {
		orch_set_fatal(o, 1,
			       "A previous execution of this orchestration scheduled %s with sequence "
			       "number %zu%s, but the current orchestration replay instead produced "
			       "%s%s with this sequence number. " CHANGE_HINT,
			       kind_desc(pk), seq, named(o, pk, past->name), kind_desc(t->kind),
			       named(o, t->kind, t->name));
		return -1;
	}
	const char *pname = past->name ? past->name : "", *tname = t->name ? t->name : "";
	/* strcmp first: the same spelling is by far the common case, and
	 * cheaper to confirm than a case-insensitive compare. */
	if (pk != TK_TIMER && strcmp(pname, tname) != 0 && strcasecmp(pname, tname) != 0) {
		orch_set_fatal(o, 1,
			       "A previous execution of this orchestration scheduled %s with sequence "
			       "number %zu named '%s', but the current orchestration replay instead "
			       "scheduled %s named '%s' with this sequence number. " CHANGE_HINT,
			       kind_desc(pk), seq, past->name ? past->name : "", kind_desc(t->kind),
			       t->name ? t->name : "");
		return -1;
	}
	/* Due times and child ids may change without being detected (§4.2):
	 * the history's values are the ones that really happened. */
	if (pk == TK_TIMER)
		t->fire_at_us = past->fire_at_us;
	if (pk == TK_SUB_ORCH && past->instance_id)
		t->instance_id = past->instance_id;
	/* The history's strings live for the episode: no copies needed. */
	t->name = past->name;
	t->input = past->input;
	return 0;
}

void orch_check_missing(struct rt_orch *o)
{
	for (size_t i = 0; i < o->n_past_sched && !o->fatal; i++) {
		const struct rt_event *past = o->past_sched[i];
		if (!past || o->claimed[i])
			continue;
		enum task_kind pk = event_kind(past->type);
		orch_set_fatal(o, 1,
			       "A previous execution of this orchestration scheduled %s with sequence "
			       "number %zu%s, but the current replay execution hasn't (yet?) "
			       "scheduled this task. " CHANGE_HINT,
			       kind_desc(pk), i, named(o, pk, past->name));
	}
}

/* Creates and numbers one action task. The caller's strings are copied
 * only for a task the history does not have: a replayed one takes the
 * history's (take_seq), which keeps long replays from copying every name
 * and input again in every episode. */
static struct rt_task *schedule(struct rt_orch *o, enum task_kind kind, const char *name,
				const char *instance_id, const char *input, int64_t fire_at_us,
				int attempt)
{
	struct rt_task *t = new_task(o, kind, NULL);
	int rc;
	t->name = name;
	t->input = input;
	t->instance_id = instance_id;
	t->fire_at_us = fire_at_us;
	t->attempt = attempt;
	rc = o->fatal ? -1 : take_seq(o, t);
	if (rc < 0 || t->is_new) {
		t->name = rt_arena_strdup(o->a, name);
		t->input = rt_arena_strdup(o->a, input);
	}
	if (t->instance_id == instance_id)
		t->instance_id = rt_arena_strdup(o->a, instance_id);
	if (rc < 0)
		return dead_task(o, t);
	if (kind == TK_SUB_ORCH && !t->instance_id)
		t->instance_id = rt_arena_fmt(o->a, "%s:%d", o->execution_id, t->seq);
	return t;
}

static int64_t ms_to_us(int64_t ms)
{
	if (ms > MS_TO_US_MAX)
		return INT64_MAX;
	if (ms < -MS_TO_US_MAX)
		return INT64_MIN;
	return ms * 1000;
}

/* ------------------------------------------------------------------ */
/* retries (spec §6.6)                                                  */

static void retry_attempt(struct retry *r)
{
	struct rt_task *t;
	r->attempts++;
	t = schedule(r->task->o, r->what, r->name, r->instance_id, r->input, 0, r->attempts);
	t->owner = r;
	if (t->state != TS_PENDING)
		task_complete(r->task, TS_FAILED, t->error);
}

static void retry_timer(struct retry *r, int64_t fire_at_us)
{
	struct rt_task *t = schedule(r->task->o, TK_TIMER, NULL, NULL, NULL, fire_at_us, 0);
	t->owner = r;
	if (t->state != TS_PENDING)
		task_complete(r->task, TS_FAILED, t->error);
}

void task_retry_step(struct retry *r, struct rt_task *child)
{
	struct rt_orch *o = r->task->o;
	const struct rt_retry *opt = &r->opt;

	if (r->task->state != TS_PENDING || o->fatal || o->outcome == OUT_CAN)
		return;
	if (child->kind == TK_TIMER) {
		if (r->trailing)
			task_complete(r->task, TS_FAILED, r->last_error);
		else
			retry_attempt(r);
		return;
	}
	if (child->state == TS_OK) {
		task_complete(r->task, TS_OK, child->result);
		return;
	}
	r->last_error = child->error;
	if (r->attempts >= opt->max_attempts) {
		/* DTFx compatibility: one more timer, due now, before giving up. */
		r->trailing = 1;
		retry_timer(r, o->now_us);
		return;
	}
	if (opt->timeout_ms > 0 && o->now_us >= r->first_us + ms_to_us(opt->timeout_ms)) {
		task_complete(r->task, TS_FAILED, r->last_error);
		return;
	}
	double c = opt->backoff_coefficient > 0 ? opt->backoff_coefficient : 1.0;
	double ms = (double)opt->first_interval_ms * pow(c, r->attempts - 1);
	if (opt->max_interval_ms > 0 && ms > (double)opt->max_interval_ms)
		ms = (double)opt->max_interval_ms;
	if (!(ms < 1e15)) /* also catches NaN; ~31000 years */
		ms = 1e15;
	retry_timer(r, o->now_us + llround(ms * 1000.0));
}

static struct rt_task *start_retry(struct rt_orch *o, enum task_kind what, const char *name,
				   const char *instance_id, const char *input,
				   const struct rt_retry *opt)
{
	struct retry *r = rt_arena_calloc(o->a, sizeof(*r));
	r->task = new_task(o, TK_RETRY, name);
	r->task->retry = r;
	if (opt->first_interval_ms <= 0 || opt->max_attempts < 1 ||
	    !(opt->backoff_coefficient >= 0) || opt->max_interval_ms < 0 || opt->timeout_ms < 0)
		orch_set_fatal(o, 0,
			       "invalid retry options: first_interval_ms must be > 0, max_attempts "
			       ">= 1, the others >= 0");
	if (o->fatal)
		return dead_task(o, r->task);
	r->opt = *opt;
	r->what = what;
	r->name = r->task->name;
	r->instance_id = rt_arena_strdup(o->a, instance_id);
	r->input = rt_arena_strdup(o->a, input);
	r->first_us = o->now_us;
	retry_attempt(r);
	return r->task;
}

/* ------------------------------------------------------------------ */
/* the API                                                              */

const char *rt_orch_input(struct rt_orch *o) { return o->input; }
const char *rt_orch_instance_id(struct rt_orch *o) { return o->instance_id; }
const char *rt_orch_name(struct rt_orch *o) { return o->name; }
int64_t rt_orch_now_us(struct rt_orch *o) { return o->now_us; }
int rt_orch_is_replaying(struct rt_orch *o) { return o->replaying; }
struct rt_arena *rt_orch_arena(struct rt_orch *o) { return o->a; }
const char *rt_orch_last_error(struct rt_orch *o) { return o->last_error; }

int64_t rt_orch_now_ms(struct rt_orch *o)
{
	/* Floor, so a time before 1970 does not round towards zero. */
	return o->now_us >= 0 ? o->now_us / 1000 : -((-o->now_us + 999) / 1000);
}

const char *rt_orch_new_uuid(struct rt_orch *o)
{
	char *s = rt_arena_alloc(o->a, 37);
	rt_uuid_orch(o->instance_id, o->now_us, o->uuid_counter++, s);
	return s;
}

int rt_orch_set_custom_status(struct rt_orch *o, const char *json)
{
	int kib = o->in->custom_status_max_kib > 0 ? o->in->custom_status_max_kib : 16;
	if (json) {
		/* Bytes in UTF-16: the limit .NET applies to the serialized text. */
		size_t n = 2 * rt_utf16_units(json, strlen(json));
		if (n / 1024 > (size_t)kib) {
			o->last_error = rt_arena_fmt(
				o->a,
				"custom status is %zu bytes in UTF-16, more than the %d KiB limit",
				n, kib);
			return RT_ERROR;
		}
	}
	o->custom_set = 1;
	o->custom = rt_arena_strdup(o->a, json);
	return RT_OK;
}

struct rt_task *rt_orch_call_activity(struct rt_orch *o, const char *name, const char *input,
				      const struct rt_retry *retry)
{
	if (!name || !*name)
		orch_set_fatal(o, 0, "invalid argument: activity name is empty");
	else if (o->known_activity && strcmp(o->known_activity, name) == 0)
		; /* checked already: loops call the same activity again and again */
	else if (o->in->is_activity && !o->in->is_activity(o->in->ctx, name))
		orch_set_fatal(o, 0,
			       "The function '%s' doesn't exist, is disabled, or is not an activity "
			       "function.",
			       name);
	if (o->fatal)
		return dead_task(o, new_task(o, TK_ACTIVITY, name));
	if (!o->known_activity || strcmp(o->known_activity, name) != 0)
		o->known_activity = rt_arena_strdup(o->a, name);
	if (retry)
		return start_retry(o, TK_ACTIVITY, name, NULL, input, retry);
	return schedule(o, TK_ACTIVITY, name, NULL, input, 0, 1);
}

struct rt_task *rt_orch_call_sub_orchestrator(struct rt_orch *o, const char *name,
					      const char *instance_id, const char *input,
					      const struct rt_retry *retry)
{
	if (!name || !*name)
		orch_set_fatal(o, 0, "invalid argument: orchestrator name is empty");
	else if (o->in->is_orchestrator && !o->in->is_orchestrator(o->in->ctx, name))
		orch_set_fatal(o, 0,
			       "The function '%s' doesn't exist, is disabled, or is not an "
			       "orchestrator function.",
			       name);
	else if (o->cs && rt_orch_in_critical_section(o))
		orch_set_fatal(o, 0,
			       "Must not call a sub-orchestration from within a critical section.");
	else if (instance_id && (!*instance_id || *instance_id == '@' ||
				 strcmp(instance_id, o->instance_id) == 0))
		orch_set_fatal(o, 0,
			       "invalid argument: sub-orchestration instance id '%s' is empty, "
			       "starts with '@' or is the parent's",
			       instance_id);
	if (o->fatal)
		return dead_task(o, new_task(o, TK_SUB_ORCH, name));
	if (retry)
		return start_retry(o, TK_SUB_ORCH, name, instance_id, input, retry);
	return schedule(o, TK_SUB_ORCH, name, instance_id, input, 0, 1);
}

struct rt_task *rt_orch_create_timer(struct rt_orch *o, int64_t fire_at_ms)
{
	return schedule(o, TK_TIMER, NULL, NULL, NULL, ms_to_us(fire_at_ms), 0);
}

struct rt_task *rt_orch_wait_for_event(struct rt_orch *o, const char *name)
{
	struct rt_task *t = new_task(o, TK_EVENT, name);

	if (!name)
		orch_set_fatal(o, 0, "invalid argument: event name is NULL");
	if (o->fatal)
		return dead_task(o, t);
	/* The oldest buffered event of that name, if any (FIFO per name).
	 * The consumed prefix is skipped for good, so waiting for n buffered
	 * events in turn costs O(n), not a rescan from the start each time. */
	struct tl_entry *b = o->buffered.v;
	while (o->buffered_head < o->buffered.n && !b[o->buffered_head].ev)
		o->buffered_head++;
	for (size_t i = o->buffered_head; i < o->buffered.n; i++) {
		const struct rt_event *ev = b[i].ev;
		if (ev && strcasecmp(ev->name ? ev->name : "", name) == 0) {
			b[i].ev = NULL;
			task_complete_at(t, TS_OK, ev->input, b[i].serial);
			return t;
		}
	}
	*(struct rt_task **)rt_vec_push(&o->waiters, sizeof(t)) = t;
	return t;
}

int rt_orch_send_event(struct rt_orch *o, const char *instance_id, const char *name,
		       const char *data)
{
	struct rt_task *t;
	if (!instance_id || !*instance_id || !name)
		orch_set_fatal(o, 0, "invalid argument: send_event needs an instance id and a name");
	if (o->fatal)
		return RT_ERROR;
	t = schedule(o, TK_SEND, name, instance_id, data, 0, 0);
	if (t->state != TS_PENDING)
		return RT_ERROR;
	task_complete(t, TS_OK, NULL);
	return RT_OK;
}

/* ------------------------------------------------------------------ */
/* when_all / when_any                                                  */

/* Counts resolved kid k into composite c. Serials, not the moment this
 * runs, decide "first", so counting a kid late gives the same answer. */
static void account(struct rt_task *c, struct rt_task *k)
{
	if (c->kind == TK_ANY || k->state != TS_OK) {
		if (!c->first || k->serial < c->first->serial)
			c->first = k;
	} else if (!c->last || k->serial > c->last->serial) {
		c->last = k;
	}
}

/* The results of a when_all in argument order, as one JSON array. */
static char *all_results(struct rt_task *c)
{
	size_t len = 3;
	for (size_t i = 0; i < c->n_kids; i++)
		len += strlen(c->kids[i]->result ? c->kids[i]->result : "null") + 1;
	char *s = rt_arena_alloc(c->o->a, len), *p = s;
	*p++ = '[';
	for (size_t i = 0; i < c->n_kids; i++) {
		const char *r = c->kids[i]->result ? c->kids[i]->result : "null";
		size_t rl = strlen(r);
		if (i)
			*p++ = ',';
		memcpy(p, r, rl);
		p += rl;
	}
	*p++ = ']';
	*p = '\0';
	return s;
}

/* Resolves composite c if its kids decide it now; 1 if it did. */
static int decide(struct rt_task *c)
{
	if (c->kind == TK_ANY) {
		if (!c->first)
			return 0;
		c->winner = c->first;
		c->state = TS_OK;
		c->result = c->first->state == TS_OK ? c->first->result : NULL;
		c->serial = c->first->serial;
		return 1;
	}
	if (c->first) { /* fail-fast on the earliest failure */
		c->state = TS_FAILED;
		c->error = c->first->error;
		c->serial = c->first->serial;
		return 1;
	}
	if (c->n_pending)
		return 0;
	c->state = TS_OK;
	c->result = all_results(c);
	c->serial = c->last ? c->last->serial : ++c->o->serial;
	return 1;
}

/* t just resolved: update the composites it is a kid of, and theirs in
 * turn when they resolve (a stack, so deep nesting needs no recursion). */
static void settle_parents(struct rt_task *t)
{
	struct rt_task *stack = t;
	t->next_resolved = NULL;
	while (stack) {
		struct rt_task *k = stack;
		stack = k->next_resolved;
		for (struct task_link *l = k->parents; l; l = l->next) {
			struct rt_task *c = l->parent;
			if (c->state != TS_PENDING)
				continue;
			c->n_pending--;
			account(c, k);
			if (decide(c)) {
				c->next_resolved = stack;
				stack = c;
			}
		}
	}
}

static struct rt_task *composite(struct rt_orch *o, enum task_kind kind,
				 struct rt_task *const *tasks, size_t n)
{
	struct rt_task *t = new_task(o, kind, NULL);
	struct task_link *links;

	if (n && !tasks)
		orch_set_fatal(o, 0, "invalid argument: task array is NULL");
	for (size_t i = 0; i < n && !o->fatal; i++)
		if (!tasks[i] || tasks[i]->o != o)
			orch_set_fatal(o, 0, "invalid argument: task %zu is NULL or foreign", i);
	if (kind == TK_ANY && n == 0)
		orch_set_fatal(o, 0, "invalid argument: when_any needs at least one task");
	if (o->fatal)
		return dead_task(o, t);
	t->kids = rt_arena_alloc(o->a, (n ? n : 1) * sizeof(*t->kids));
	if (n)
		memcpy(t->kids, tasks, n * sizeof(*t->kids));
	t->n_kids = n;
	links = rt_arena_alloc(o->a, (n ? n : 1) * sizeof(*links));
	for (size_t i = 0; i < n; i++) {
		struct rt_task *k = tasks[i];
		if (k->state != TS_PENDING) {
			account(t, k);
			continue;
		}
		t->n_pending++;
		links[i].parent = t;
		links[i].next = k->parents;
		k->parents = &links[i];
	}
	decide(t); /* nobody waits for t yet: no parents to settle */
	return t;
}

struct rt_task *rt_orch_when_all(struct rt_orch *o, struct rt_task *const *tasks, size_t n)
{
	return composite(o, TK_ALL, tasks, n);
}

struct rt_task *rt_orch_when_any(struct rt_orch *o, struct rt_task *const *tasks, size_t n)
{
	return composite(o, TK_ANY, tasks, n);
}

int rt_orch_await(struct rt_orch *o, struct rt_task *t, const char **result)
{
	struct tl_entry e;

	if (result)
		*result = NULL;
	if (!t || t->o != o) {
		o->last_error = "await: invalid task";
		return RT_ERROR;
	}
	if (o->fatal) {
		o->last_error = o->fatal;
		return RT_ERROR;
	}
	if (t->state == TS_PENDING) {
		/* Live orchestrators sit here while events arrive: consume the
		 * timeline until this task resolves. */
		while (t->state == TS_PENDING && orch_next_event(o, &e))
			orch_apply(o, &e);
		if (o->fatal) {
			o->last_error = o->fatal;
			return RT_ERROR;
		}
		if (t->state == TS_PENDING) {
			o->blocked = 1;
			o->replaying = 0;
			return RT_PENDING;
		}
		o->replaying = o->last_played;
	}
	if (t->state == TS_OK) {
		if (result)
			*result = t->result;
		return RT_OK;
	}
	o->last_error = t->error;
	return RT_ERROR;
}

const char *rt_task_result(struct rt_task *t)
{
	if (!t)
		return NULL;
	return t->state == TS_OK ? t->result : NULL;
}

const char *rt_task_error(struct rt_task *t)
{
	if (!t)
		return NULL;
	return t->state == TS_FAILED || t->state == TS_CANCELLED ? t->error : NULL;
}

struct rt_task *rt_task_winner(struct rt_task *any)
{
	if (!any || any->kind != TK_ANY)
		return NULL;
	return any->winner;
}

void rt_task_cancel(struct rt_task *timer)
{
	/* Retry timers belong to their retry, not to the code. */
	if (timer && timer->kind == TK_TIMER && !timer->owner)
		task_complete(timer, TS_CANCELLED, "timer cancelled");
}

int rt_orch_finish(struct rt_orch *o, const char *output)
{
	if (o->fatal)
		return RT_ERROR;
	if (o->outcome == OUT_NONE) {
		o->outcome = OUT_FINISH;
		o->out_value = rt_arena_strdup(o->a, output ? output : "null");
	}
	return RT_OK;
}

int rt_orch_fail(struct rt_orch *o, const char *message)
{
	/* A failure after continue_as_new still fails (§8.5). */
	if ((o->outcome == OUT_NONE || o->outcome == OUT_CAN) && !o->fatal) {
		o->outcome = OUT_FAIL;
		o->out_value = rt_arena_strdup(o->a, message ? message : "");
		o->last_error = o->out_value;
	}
	return RT_ERROR;
}

int rt_orch_continue_as_new(struct rt_orch *o, const char *input, int keep_events)
{
	if (o->fatal)
		return RT_ERROR;
	if (o->outcome == OUT_NONE) {
		o->outcome = OUT_CAN;
		o->out_value = rt_arena_strdup(o->a, input ? input : "null");
		o->keep_events = keep_events;
	}
	return RT_OK;
}
