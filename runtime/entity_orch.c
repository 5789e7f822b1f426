/*
 * entity_orch.c - signals, calls and critical sections of orchestrators
 * (replay_entity.h). Built only from replay.h's own calls (send event,
 * wait for event, new_uuid), so replay and non-determinism checks are
 * those of events: nothing here is stored beyond the episode.
 *
 * The critical section lives in the orchestrator's run: the code re-runs
 * every episode and re-creates it with the same lock call, so o->cs is
 * rebuilt from scratch each time and always matches the history.
 */
#include "runtime/entity.h"
#include "runtime/entity_orch_core.h"
#include "runtime/json_text.h"
#include "runtime/replay_entity.h"
#include "runtime/replay_int.h"

#include <stdlib.h>
#include <string.h>

/* A wait created by rt_orch_wait_for_event may have resolved at once from
 * the buffer, before it was marked: decode its raw reply now (it has no
 * composite parents yet). */
static struct rt_task *reply_wait(struct rt_orch *o, const char *request_id)
{
	struct rt_task *t = rt_orch_wait_for_event(o, request_id);
	if (t->state == TS_OK) {
		enum task_state st = TS_OK;
		const char *text = t->result;
		entity_reply_decode(t, &st, &text);
		t->state = st;
		if (st == TS_OK) {
			t->result = text;
		} else {
			t->result = NULL;
			t->error = text;
		}
	}
	t->entity_reply = 1;
	return t;
}

static struct rt_task *failed_task(struct rt_orch *o)
{
	/* Fatal is set: the wait is born failed with that message. */
	return rt_orch_wait_for_event(o, "entity");
}

static int locked_index(struct rt_orch *o, const char *id)
{
	if (!rt_orch_in_critical_section(o))
		return -1;
	for (size_t i = 0; i < o->cs->n; i++)
		if (strcmp(o->cs->ids[i], id) == 0)
			return (int)i;
	return -1;
}

/* The entity id, or NULL after making the orchestration fail. */
static const char *checked_id(struct rt_orch *o, const char *what, const char *name,
			      const char *key, const char *input)
{
	const char *problem = rt_entity_id_problem(name, key);
	if (problem) {
		orch_set_fatal(o, 0, "invalid argument to %s: %s", what, problem);
		return NULL;
	}
	if (!rt_json_text_ok(input)) {
		orch_set_fatal(o, 0, "invalid argument to %s: the input is not valid JSON", what);
		return NULL;
	}
	return rt_entity_id(o->a, name, key);
}

struct rt_task *rt_orch_call_entity(struct rt_orch *o, const char *name, const char *key,
				    const char *op, const char *input)
{
	const char *id, *request, *msg;
	int idx = -1;
	if (o->fatal || !(id = checked_id(o, "call_entity", name, key, input)))
		return failed_task(o);
	if (rt_orch_in_critical_section(o)) {
		idx = locked_index(o, id);
		if (idx < 0) {
			orch_set_fatal(o, 0,
				       "Must not call entity '%s' from a critical section: it is not "
				       "one of the locked entities.",
				       id);
			return failed_task(o);
		}
		if (o->cs->calls[idx] && o->cs->calls[idx]->state == TS_PENDING) {
			orch_set_fatal(o, 0,
				       "Must not call entity '%s' again from a critical section while a "
				       "call to it is still pending.",
				       id);
			return failed_task(o);
		}
	}
	request = rt_orch_new_uuid(o);
	msg = rt_entity_msg_op(o->a, op ? op : "", input, 0, request, o->instance_id,
			       o->execution_id, 0);
	if (rt_orch_send_event(o, id, RT_ENTITY_OP_EVENT, msg) != RT_OK)
		return failed_task(o);
	struct rt_task *t = reply_wait(o, request);
	if (idx >= 0)
		o->cs->calls[idx] = t;
	return t;
}

int rt_orch_signal_entity(struct rt_orch *o, const char *name, const char *key, const char *op,
			  const char *input, int64_t at_ms)
{
	const char *id, *msg;
	if (o->fatal || !(id = checked_id(o, "signal_entity", name, key, input)))
		return RT_ERROR;
	if (locked_index(o, id) >= 0) {
		orch_set_fatal(o, 0, "Must not signal entity '%s' from a critical section that locks it.",
			       id);
		return RT_ERROR;
	}
	int64_t due_us = at_ms > 0 && at_ms < INT64_MAX / 1000 ? at_ms * 1000 : 0;
	msg = rt_entity_msg_op(o->a, op ? op : "", input, 1, rt_orch_new_uuid(o), o->instance_id,
			       o->execution_id, due_us);
	return rt_orch_send_event(o, id, RT_ENTITY_OP_EVENT, msg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct rt_task *rt_orch_lock_entities(struct rt_orch *o, const char *const *names,
				      const char *const *keys, size_t n)
{
	struct entity_cs *cs;
	const char *msg;
	if (o->fatal)
		return failed_task(o);
	if (rt_orch_in_critical_section(o)) {
		orch_set_fatal(o, 0, "Must not enter another critical section from within a critical "
				     "section.");
		return failed_task(o);
	}
	if (n == 0 || !names || !keys) {
		orch_set_fatal(o, 0, "invalid argument to lock_entities: no entities to lock");
		return failed_task(o);
	}
	cs = rt_arena_calloc(o->a, sizeof(*cs));
	cs->ids = rt_arena_calloc(o->a, n * sizeof(*cs->ids));
	for (size_t i = 0; i < n; i++) {
		const char *id = checked_id(o, "lock_entities", names[i], keys[i], NULL);
		if (!id)
			return failed_task(o);
		cs->ids[i] = id;
	}
	/* Sorted and unique: every orchestration takes locks in one global
	 * order, so two of them can never wait for each other. */
	qsort(cs->ids, n, sizeof(*cs->ids), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (cs->n == 0 || strcmp(cs->ids[cs->n - 1], cs->ids[i]) != 0)
			cs->ids[cs->n++] = cs->ids[i];
	cs->calls = rt_arena_calloc(o->a, cs->n * sizeof(*cs->calls));
	cs->lock_id = rt_orch_new_uuid(o);
	msg = rt_entity_msg_lock(o->a, cs->lock_id, o->instance_id, o->execution_id, cs->ids, cs->n,
				 0);
	if (rt_orch_send_event(o, cs->ids[0], RT_ENTITY_OP_EVENT, msg) != RT_OK)
		return failed_task(o);
	o->cs = cs;
	o->episode_end = rt_orch_entity_episode_end;
	return reply_wait(o, cs->lock_id);
}

int rt_orch_unlock_entities(struct rt_orch *o)
{
	if (!rt_orch_in_critical_section(o))
		return RT_ERROR;
	o->cs->released = 1;
	for (size_t i = 0; i < o->cs->n; i++) {
		const char *msg = rt_entity_msg_release(o->a, o->cs->lock_id, o->instance_id);
		if (rt_orch_send_event(o, o->cs->ids[i], RT_ENTITY_RELEASE_EVENT, msg) != RT_OK)
			return RT_ERROR;
	}
	return RT_OK;
}

void rt_orch_entity_episode_end(struct rt_orch *o, int rc)
{
	if (rc != RT_PENDING && rt_orch_in_critical_section(o) && !o->fatal)
		rt_orch_unlock_entities(o);
}
