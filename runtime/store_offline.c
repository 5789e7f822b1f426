/*
 * store_offline.c - the engine's client commands, for a task hub no host
 * has open. They write the same rows engine_cmd.c writes (see
 * store_offline.h), so nothing here decides how an instance behaves: the
 * engine does, when it next runs.
 */
#include "runtime/store_offline.h"
#include "runtime/json_text.h"
#include "runtime/engine.h"
#include "runtime/uuid.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char **err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char **err, int rc, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	if (err) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		*err = xstrdup(buf);
	}
	return rc;
}

static int add_msg(struct rt_store *s, const char *instance_id, const char *execution_id,
		   const struct rt_event *ev)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	struct rt_inbox_msg m;
	int rc;

	rt_history_encode(ev, &buf, &len, &cap);
	memset(&m, 0, sizeof(m));
	m.instance_id = instance_id;
	m.execution_id = execution_id;
	m.type = (int)ev->type;
	m.data = buf;
	m.len = len;
	rc = rt_store_inbox_add(s, &m, NULL);
	free(buf);
	return rc;
}

/* Runs after a successful body; rolls back otherwise. */
static int finish(struct rt_store *s, int rc, char **err)
{
	if (rc == RT_OK && rt_store_commit(s) == 0)
		return RT_OK;
	if (rc == RT_OK) {
		rc = fail(err, RT_ERROR, "cannot commit to the task hub: %s", rt_store_errmsg(s));
	}
	rt_store_rollback(s);
	return rc;
}

int rt_offline_start(struct rt_store *s, const char *name, const char *instance_id,
		     const char *input, int overwrite_any_state, char **out_id,
		     int64_t *created_us, char **err)
{
	struct rt_event ev;
	char gen_id[33], exec_id[33];
	int64_t now = rt_now_us();
	int rc;

	if (err)
		*err = NULL;
	if (!name || !*name)
		return fail(err, RT_E_INVALID, "the orchestrator name is empty");
	if (!rt_json_text_ok(input))
		return fail(err, RT_E_INVALID, "the input is not valid JSON");
	if (!instance_id) {
		rt_uuid_random_hex(gen_id);
		instance_id = gen_id;
	} else if (rt_instance_id_problem(instance_id)) {
		return fail(err, RT_E_INVALID, "%s", rt_instance_id_problem(instance_id));
	}
	if (rt_store_begin(s) != 0)
		return fail(err, RT_ERROR, "cannot write the task hub: %s", rt_store_errmsg(s));
	/* The same rows the engine writes (an overwrite drops the old history). */
	rc = rt_store_instance_create(s, instance_id, name, input, now, overwrite_any_state, NULL,
				      exec_id, err);
	if (rc == RT_ERROR)
		rc = fail(err, RT_ERROR, "%s", rt_store_errmsg(s));
	if (rc != RT_OK)
		goto out;
	rt_event_init(&ev, RT_EV_EXECUTION_STARTED);
	ev.timestamp_us = now;
	ev.name = name;
	ev.input = input ? input : "null";
	ev.instance_id = instance_id;
	ev.execution_id = exec_id;
	if (add_msg(s, instance_id, exec_id, &ev) != 0) {
		rc = fail(err, RT_ERROR, "%s", rt_store_errmsg(s));
		goto out;
	}
	rc = RT_OK;
out:
	rc = finish(s, rc, err);
	if (rc == RT_OK) {
		if (out_id)
			*out_id = xstrdup(instance_id);
		if (created_us)
			*created_us = now;
	}
	return rc;
}

/* The status the instance will have once the host applied the lifecycle
 * messages already waiting for it (an earlier offline command). */
static enum rt_status status_after_queue(struct rt_store *s, const struct rt_instance *inst,
					 struct rt_arena *a)
{
	struct rt_inbox_msg *msgs;
	size_t n;
	enum rt_status st = inst->status;

	if (rt_status_is_terminal(st) ||
	    rt_store_inbox_load(s, inst->instance_id, INT64_MAX, 0, &msgs, &n, a) != 0)
		return st;
	for (size_t i = 0; i < n && !rt_status_is_terminal(st); i++) {
		if (msgs[i].type == RT_EV_EXECUTION_SUSPENDED)
			st = RT_ST_SUSPENDED;
		else if (msgs[i].type == RT_EV_EXECUTION_RESUMED)
			st = RT_ST_RUNNING;
		else if (msgs[i].type == RT_EV_EXECUTION_TERMINATED)
			st = RT_ST_TERMINATED;
	}
	return st;
}

/* 1 if a rewind already waits for the host (or the inbox cannot be read:
 * refusing then is the safe answer). */
static int rewind_queued(struct rt_store *s, const char *id, struct rt_arena *a)
{
	struct rt_inbox_msg *msgs;
	size_t n;
	if (rt_store_inbox_load(s, id, INT64_MAX, 0, &msgs, &n, a) != 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (msgs[i].type == RT_EV_EXECUTION_REWOUND)
			return 1;
	return 0;
}

/* The rewind command's rules (engine_cmd.c): Failed only. */
static int queue_rewind(struct rt_store *s, const struct rt_instance *inst, const char *reason,
		  struct rt_arena *a, char **err)
{
	const char *id = inst->instance_id;
	struct rt_event ev;

	if (inst->status != RT_ST_FAILED && rt_status_is_terminal(inst->status))
		return fail(err, RT_E_GONE, "Instance '%s' is %s.", id, rt_status_name(inst->status));
	if (inst->status != RT_ST_FAILED)
		return fail(err, RT_E_STATE,
			    "Rewind is only supported on failed orchestration instances; '%s' is %s.",
			    id, rt_status_name(inst->status));
	if (rewind_queued(s, id, a))
		return fail(err, RT_E_STATE,
			    "Instance '%s' already has a rewind waiting for the host.", id);
	rt_event_init(&ev, RT_EV_EXECUTION_REWOUND);
	ev.reason = reason;
	ev.timestamp_us = rt_now_us();
	/* The failed execution's id: should the instance be started over
	 * before the host runs, the engine drops the rewind with the rest of
	 * the old execution's messages. */
	if (add_msg(s, id, inst->execution_id, &ev) != 0)
		return fail(err, RT_ERROR, "%s", rt_store_errmsg(s));
	return RT_OK;
}

static int lifecycle(struct rt_store *s, enum rt_offline_op op, const struct rt_instance *inst,
		     const char *name, const char *data, struct rt_arena *a, char **err)
{
	const char *id = inst->instance_id;
	enum rt_status queued;
	struct rt_event ev;

	if (op == RT_OFFLINE_REWIND)
		return queue_rewind(s, inst, data, a, err);
	queued = status_after_queue(s, inst, a);
	if (rt_status_is_terminal(inst->status))
		return fail(err, RT_E_GONE, "Instance '%s' is %s.", id, rt_status_name(inst->status));
	if (queued == RT_ST_TERMINATED)
		return fail(err, RT_E_STATE,
			    "Instance '%s' already has a terminate waiting for the host.", id);
	switch (op) {
	case RT_OFFLINE_RAISE:
		rt_event_init(&ev, RT_EV_EVENT_RAISED);
		ev.name = name;
		ev.input = data ? data : "null";
		break;
	case RT_OFFLINE_TERMINATE:
		rt_event_init(&ev, RT_EV_EXECUTION_TERMINATED);
		ev.input = data;
		break;
	case RT_OFFLINE_SUSPEND:
		if (queued == RT_ST_SUSPENDED)
			return fail(err, RT_E_STATE,
				    "Cannot suspend orchestration instance in the Suspended state.");
		rt_event_init(&ev, RT_EV_EXECUTION_SUSPENDED);
		ev.reason = data;
		break;
	case RT_OFFLINE_RESUME:
		if (queued != RT_ST_SUSPENDED)
			return fail(err, RT_E_STATE,
				    "Cannot resume orchestration instance in the %s state.",
				    rt_status_name(queued));
		rt_event_init(&ev, RT_EV_EXECUTION_RESUMED);
		ev.reason = data;
		break;
	default:
		return fail(err, RT_ERROR, "unexpected command");
	}
	ev.timestamp_us = rt_now_us();
	if (add_msg(s, id, NULL, &ev) != 0)
		return fail(err, RT_ERROR, "%s", rt_store_errmsg(s));
	return RT_OK;
}

int rt_offline_command(struct rt_store *s, enum rt_offline_op op, const char *instance_id,
		       const char *name, const char *data, char **err)
{
	struct rt_arena a;
	struct rt_instance inst;
	int rc;

	if (err)
		*err = NULL;
	if (!instance_id || !*instance_id)
		return fail(err, RT_E_NOTFOUND, "instance id is empty");
	if (op == RT_OFFLINE_RAISE && (!name || !*name))
		return fail(err, RT_E_INVALID, "event name is empty");
	if (op == RT_OFFLINE_RAISE && !rt_json_text_ok(data))
		return fail(err, RT_E_INVALID, "the event data is not valid JSON");
	if (rt_store_begin(s) != 0)
		return fail(err, RT_ERROR, "cannot write the task hub: %s", rt_store_errmsg(s));
	rt_arena_init(&a);
	rc = rt_store_instance_get(s, instance_id, &inst, &a);
	if (rc == RT_E_NOTFOUND)
		rc = fail(err, RT_E_NOTFOUND, "No instance with ID '%s' found.", instance_id);
	else if (rc != 0)
		rc = fail(err, RT_ERROR, "%s", rt_store_errmsg(s));
	else
		rc = lifecycle(s, op, &inst, name, data, &a, err);
	rt_arena_cleanup(&a);
	return finish(s, rc, err);
}
