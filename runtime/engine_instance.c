/*
 * engine_instance.c - creating an instance inside a batch
 * (engine_instance.h): its row, and its ExecutionStarted in its inbox.
 * For start commands, orchestrations started by entities and
 * sub-orchestrations alike.
 */
#include "runtime/engine_instance.h"

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
