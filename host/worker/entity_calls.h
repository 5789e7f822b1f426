/*
 * entity_calls.h - the worker's side of an entity batch (entity_calls.c;
 * the host's side is host_workers_entity_batch in supervisor.h).
 */
#ifndef HOST_WORKER_ENTITY_CALLS_H
#define HOST_WORKER_ENTITY_CALLS_H

#include "bindings/registry.h"
#include "common/wire.h"

/* Worker: runs the request's operations in order with the registered
 * entity function, each on the state the previous one left (a failed one's
 * change is undone unless keep_failed), and appends its ENTITY_RESULT. */
void host_entity_serve(struct rt_wire_buf *out, const struct bind_registry *reg, uint64_t id,
		       const struct rt_wire_entity_request *m, struct rt_arena *a);

#endif
