/*
 * engine_cmd_queue.h - queueing commands for the engine thread
 * (engine_cmd_queue.c), from any thread. A synchronous command lives on
 * the caller's stack; an asynchronous one is malloc'd and the engine frees
 * it once its on_done has run.
 */
#ifndef RT_ENGINE_CMD_QUEUE_H
#define RT_ENGINE_CMD_QUEUE_H

#include "runtime/engine_int.h"

/* Queues a synchronous command and waits for its commit . */
int engine_cmd_submit(struct rt_engine *e, struct engine_cmd *c, char **err);
/* Queues an asynchronous command (c->on_done set, c malloc'd; the engine
 * frees it with engine_cmd_free). 0, or -1 when the engine is stopping. */
int engine_cmd_enqueue(struct rt_engine *e, struct engine_cmd *c);
/* Frees an asynchronous command and what it owns (strings, outcome). */
void engine_cmd_free(struct engine_cmd *c);

#endif
