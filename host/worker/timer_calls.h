/*
 * timer_calls.h - the worker's side of a timer run (timer_calls.c; the
 * host's side is host_workers_timer_run in supervisor.h).
 */
#ifndef HOST_WORKER_TIMER_CALLS_H
#define HOST_WORKER_TIMER_CALLS_H

#include "bindings/registry.h"
#include "common/wire.h"

/* Worker: runs the registered timer function with the request's TimerInfo
 * and appends its TIMER_RESULT. */
void host_timer_serve(struct rt_wire_buf *out, const struct bind_registry *reg, uint64_t id,
		      const struct rt_wire_timer_request *m, struct rt_arena *a);

#endif
