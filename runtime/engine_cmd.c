/*
 * engine_cmd.c - client commands: queued by any thread, applied by the
 * engine thread inside its next batch (each under a savepoint, so one bad
 * command cannot spoil the others; signals need none), acknowledged after
 * the commit.
 */
#include "runtime/engine_int.h"
#include "runtime/json_text.h"
#include "runtime/uuid.h"
#include "common/queue.h"
#include "common/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(struct engine_cmd *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(struct engine_cmd *c, int rc, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->rc = rc;
	free(c->err);
	c->err = xstrdup(buf);
}

int engine_create_instance(struct engine_batch *b, const char *instance_id, const char *name,
			   const char *input, const struct rt_event *parent_start, char **err)
{
	struct rt_engine *e = b->e;
	struct rt_event ev;
	char exec_id[33];
	int rc = rt_store_instance_create(e->store, instance_id, name, input, b->now_us,
					  e->opts.overwrite_any_state, parent_start, exec_id, err);

	if (rc != RT_OK)
		return rc;

	if (parent_start)
		ev = *parent_start;
	else
		rt_event_init(&ev, RT_EV_EXECUTION_STARTED);
	ev.type = RT_EV_EXECUTION_STARTED;
	ev.timestamp_us = b->now_us;
	ev.name = name;
	ev.input = input ? input : "null";
	ev.instance_id = instance_id;
	ev.execution_id = rt_arena_strdup(&b->arena, exec_id);
	return engine_inbox_add(b, instance_id, ev.execution_id, 0, &ev) == 0 ? RT_OK
									      : RT_ERROR;
}

static void cmd_start(struct engine_batch *b, struct engine_cmd *c)
{
	struct rt_engine *e = b->e;
	const struct rt_engine_hooks *h = &e->opts.hooks;
	char id[33];
	char *err = NULL;
	const char *instance_id = c->instance_id ? c->instance_id : c->id_buf[0] ? c->id_buf : NULL;

	if (!h->find_orchestrator || !h->find_orchestrator(h->ctx, c->name)) {
		set_err(c, RT_E_NOTFOUND,
			"The function '%s' doesn't exist, is disabled, or is not an orchestrator function.",
			c->name);
		return;
	}
	if (!instance_id) {
		rt_uuid_random_hex(id);
		instance_id = id;
	} else if (rt_instance_id_problem(instance_id)) {
		set_err(c, RT_E_INVALID, "%s", rt_instance_id_problem(instance_id));
		return;
	}
	int rc = engine_create_instance(b, instance_id, c->name, c->data, NULL, &err);
	if (rc != RT_OK) {
		set_err(c, rc, "%s", err ? err : rt_store_errmsg(e->store));
		free(err);
		return;
	}
	c->out_id = xstrdup(instance_id);
	c->rc = RT_OK;
}

/* Fetches the instance for a lifecycle command; fills NOTFOUND / GONE. */
static int load_for(struct engine_batch *b, struct engine_cmd *c, struct rt_instance *inst)
{
	int rc = rt_store_instance_get(b->e->store, c->instance_id, inst, &b->arena);
	if (rc == RT_E_NOTFOUND) {
		set_err(c, RT_E_NOTFOUND, "No instance with ID '%s' found.", c->instance_id);
		return -1;
	}
	if (rc != 0) {
		set_err(c, RT_ERROR, "%s", rt_store_errmsg(b->e->store));
		return -1;
	}
	return 0;
}

static int send_msg(struct engine_batch *b, struct engine_cmd *c, const struct rt_event *ev)
{
	if (engine_inbox_add(b, c->instance_id, NULL, 0, ev) != 0) {
		set_err(c, RT_ERROR, "%s", rt_store_errmsg(b->e->store));
		return -1;
	}
	c->rc = RT_OK;
	return 0;
}

static void cmd_lifecycle(struct engine_batch *b, struct engine_cmd *c)
{
	struct rt_instance inst;
	struct rt_event ev;

	if (load_for(b, c, &inst) != 0)
		return;
	if (rt_status_is_terminal(inst.status)) {
		if (c->kind == CMD_REWIND && inst.status == RT_ST_FAILED) {
			engine_rewind(b, c, &inst);
			return;
		}
		set_err(c, RT_E_GONE, "Instance '%s' is %s.", c->instance_id,
			rt_status_name(inst.status));
		return;
	}
	switch (c->kind) {
	case CMD_RAISE:
		rt_event_init(&ev, RT_EV_EVENT_RAISED);
		ev.name = c->name;
		ev.input = c->data ? c->data : "null";
		break;
	case CMD_TERMINATE:
		rt_event_init(&ev, RT_EV_EXECUTION_TERMINATED);
		ev.input = c->data;
		break;
	case CMD_SUSPEND:
		if (inst.status == RT_ST_SUSPENDED) {
			set_err(c, RT_E_STATE, "Cannot suspend orchestration instance in the Suspended state.");
			return;
		}
		rt_event_init(&ev, RT_EV_EXECUTION_SUSPENDED);
		ev.reason = c->data;
		break;
	case CMD_RESUME:
		if (inst.status != RT_ST_SUSPENDED) {
			set_err(c, RT_E_STATE, "Cannot resume orchestration instance in the %s state.",
				rt_status_name(inst.status));
			return;
		}
		rt_event_init(&ev, RT_EV_EXECUTION_RESUMED);
		ev.reason = c->data;
		break;
	case CMD_REWIND:
		set_err(c, RT_E_STATE,
			"Rewind is only supported on failed orchestration instances; '%s' is %s.",
			c->instance_id, rt_status_name(inst.status));
		return;
	default:
		set_err(c, RT_ERROR, "unexpected command");
		return;
	}
	ev.timestamp_us = b->now_us;
	send_msg(b, c, &ev);
}

static void cmd_purge(struct engine_batch *b, struct engine_cmd *c)
{
	int rc = rt_store_instance_delete(b->e->store, c->instance_id);
	engine_cache_drop(b->e->cache, c->instance_id);
	if (rc == RT_E_NOTFOUND)
		set_err(c, RT_E_NOTFOUND, "No instance with ID '%s' found.", c->instance_id);
	else if (rc != 0)
		set_err(c, RT_ERROR, "%s", rt_store_errmsg(b->e->store));
	else
		c->rc = RT_OK;
}

static void cmd_purge_many(struct engine_batch *b, struct engine_cmd *c)
{
	engine_cache_clear(b->e->cache);
	if (rt_store_purge(b->e->store, c->filter, 0, &c->count) != 0)
		set_err(c, RT_ERROR, "%s", rt_store_errmsg(b->e->store));
	else
		c->rc = RT_OK;
}

void engine_apply_cmd(struct engine_batch *b, struct engine_cmd *c)
{
	if (b->failed) {
		set_err(c, RT_ERROR, "the task hub could not apply the change");
		return;
	}
	/* A signal writes one inbox row at most (none when delivered in this
	 * batch's mail) and fails the batch on a store error: nothing to undo
	 * by itself, so no savepoint, the most frequent command's two
	 * statements saved. */
	int savepoint = c->kind != CMD_SIGNAL;
	if (savepoint && rt_store_savepoint(b->e->store) != 0) {
		b->failed = 1;
		return;
	}
	c->rc = RT_ERROR;
	switch (c->kind) {
	case CMD_START:
		if (!rt_json_text_ok(c->data))
			set_err(c, RT_E_INVALID, "the input is not valid JSON");
		else
			cmd_start(b, c);
		break;
	case CMD_RAISE:
		if (!rt_json_text_ok(c->data))
			set_err(c, RT_E_INVALID, "the event data is not valid JSON");
		else
			cmd_lifecycle(b, c);
		break;
	case CMD_TERMINATE:
	case CMD_SUSPEND:
	case CMD_RESUME:
	case CMD_REWIND:
		cmd_lifecycle(b, c);
		break;
	case CMD_PURGE:
		cmd_purge(b, c);
		break;
	case CMD_PURGE_MANY:
		cmd_purge_many(b, c);
		break;
	case CMD_SIGNAL:
		engine_entity_apply_signal(b, c);
		break;
	case CMD_ENTITY_CLEAN:
		engine_entity_apply_clean(b, c);
		break;
	}
	if (savepoint && (c->rc == RT_OK ? rt_store_savepoint_release(b->e->store)
					: rt_store_savepoint_rollback(b->e->store)))
		b->failed = 1;
	b->e->stats.commands++;
}

/* ---- the client side: queue, wake the engine, wait for the commit ------- */

static int enqueue(struct rt_engine *e, struct engine_cmd *c)
{
	c->next = NULL;
	c->done = 0;
	c->err = NULL;
	c->out_id = NULL;
	pthread_mutex_lock(&e->lock);
	if (e->stopping) {
		pthread_mutex_unlock(&e->lock);
		return -1;
	}
	RT_QUEUE_APPEND(e->cmds, e->cmds_tail, c, next);
	__atomic_store_n(&e->cmds_waiting, e->cmds_waiting + 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&e->cond);
	if (!c->on_done)
		while (!c->done)
			pthread_cond_wait(c->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

static int submit(struct rt_engine *e, struct engine_cmd *c, char **err)
{
	pthread_cond_t cond;
	pthread_cond_init(&cond, NULL);
	c->cond = &cond;
	c->on_done = NULL;
	if (enqueue(e, c) != 0) {
		pthread_cond_destroy(&cond);
		if (err)
			*err = xstrdup("the host is shutting down");
		return RT_ERROR;
	}
	pthread_cond_destroy(&cond);
	if (err)
		*err = c->err;
	else
		free(c->err);
	return c->rc;
}

int engine_cmd_submit(struct rt_engine *e, struct engine_cmd *c, char **err)
{
	return submit(e, c, err);
}

int engine_cmd_enqueue(struct rt_engine *e, struct engine_cmd *c)
{
	return enqueue(e, c);
}

void engine_cmd_free(struct engine_cmd *c)
{
	free((char *)c->name);
	free((char *)c->data);
	free(c->err);
	free(c->out_id);
	free(c);
}

int rt_engine_start_async(struct rt_engine *e, const char *name, const char *input,
			  char out_id[33], rt_engine_done_fn on_done, void *user,
			  struct rt_engine_wait *wait)
{
	struct engine_cmd *c = xcalloc(1, sizeof(*c));
	c->kind = CMD_START;
	c->name = xstrdup(name);
	c->data = input ? xstrdup(input) : NULL;
	c->on_done = on_done;
	c->user = user;
	rt_uuid_random_hex(c->id_buf);
	memcpy(out_id, c->id_buf, 33);
	if (wait)
		rt_engine_wait_add(e, wait, out_id);
	c->wait = wait;
	if (enqueue(e, c) != 0) {
		if (wait)
			rt_engine_wait_cancel(e, wait);
		engine_cmd_free(c);
		return RT_ERROR;
	}
	return RT_OK;
}

int rt_engine_start_instance(struct rt_engine *e, const char *name, const char *instance_id,
			     const char *input, char **out_id, char **err)
{
	struct engine_cmd c = {.kind = CMD_START, .name = name, .instance_id = instance_id,
			       .data = input};
	int rc;
	if (err)
		*err = NULL;
	if (instance_id && rt_instance_id_problem(instance_id)) {
		if (err)
			*err = xstrdup(rt_instance_id_problem(instance_id));
		return RT_E_INVALID;
	}
	rc = submit(e, &c, err);
	if (out_id)
		*out_id = c.out_id;
	else
		free(c.out_id);
	return rc;
}

static int simple(struct rt_engine *e, enum engine_cmd_kind kind, const char *id, const char *name,
		  const char *data, char **err)
{
	struct engine_cmd c = {.kind = kind, .instance_id = id, .name = name, .data = data};
	if (err)
		*err = NULL;
	if (!id || !*id) {
		if (err)
			*err = xstrdup("instance id is empty");
		return RT_E_NOTFOUND;
	}
	return submit(e, &c, err);
}

int rt_engine_raise_event(struct rt_engine *e, const char *instance_id, const char *event,
			  const char *data, char **err)
{
	if (!event || !*event) {
		if (err)
			*err = xstrdup("event name is empty");
		return RT_E_INVALID;
	}
	return simple(e, CMD_RAISE, instance_id, event, data, err);
}

int rt_engine_terminate(struct rt_engine *e, const char *id, const char *reason, char **err)
{
	return simple(e, CMD_TERMINATE, id, NULL, reason, err);
}

int rt_engine_suspend(struct rt_engine *e, const char *id, const char *reason, char **err)
{
	return simple(e, CMD_SUSPEND, id, NULL, reason, err);
}

int rt_engine_resume(struct rt_engine *e, const char *id, const char *reason, char **err)
{
	return simple(e, CMD_RESUME, id, NULL, reason, err);
}

int rt_engine_rewind(struct rt_engine *e, const char *id, const char *reason, char **err)
{
	return simple(e, CMD_REWIND, id, NULL, reason, err);
}

int rt_engine_purge(struct rt_engine *e, const char *id, char **err)
{
	return simple(e, CMD_PURGE, id, NULL, NULL, err);
}

int rt_engine_purge_many(struct rt_engine *e, const struct rt_store_filter *f, int64_t *deleted,
			 char **err)
{
	struct engine_cmd c = {.kind = CMD_PURGE_MANY, .filter = f};
	if (err)
		*err = NULL;
	int rc = submit(e, &c, err);
	if (deleted)
		*deleted = c.count;
	return rc;
}
