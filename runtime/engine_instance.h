/*
 * engine_instance.h - creating an instance inside a batch
 * (engine_instance.c); *err is malloc'd, the caller frees it.
 */
#ifndef RT_ENGINE_INSTANCE_H
#define RT_ENGINE_INSTANCE_H

#include "runtime/engine_int.h"

/* Creates (or overwrites) an instance row and queues its ExecutionStarted. */
int engine_create_instance(struct engine_batch *b, const char *instance_id, const char *name,
			   const char *input, const struct rt_event *parent_start, char **err);

#endif
