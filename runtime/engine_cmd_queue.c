/*
 * engine_cmd_queue.c - the client side of commands (engine_cmd_queue.h and
 * the rt_engine_* commands of engine.h): queue a command, wake the engine
 * thread, wait for the commit (or be called back after it). The engine
 * thread applies them (engine_cmd.c, engine_entity.c); nothing here calls
 * those.
 */
#include "runtime/engine_cmd_queue.h"
#include "runtime/uuid.h"
#include "common/queue.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

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
