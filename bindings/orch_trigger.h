/*
 * orch_trigger.h - cf_orch: the orchestrator API mapped onto runtime/replay.
 *
 * A cf_orch * is a struct bind_orch wrapping the replay context, so the
 * common calls (cf_log, cf_alloc, cf_fmt, cf_last_error) work on it and
 * logging is dropped while the episode replays. A cf_task * is the
 * runtime's struct rt_task.
 */
#ifndef BIND_ORCH_TRIGGER_H
#define BIND_ORCH_TRIGGER_H

#include "cfunc.h"
#include "bindings/context.h"
#include "runtime/replay.h"

struct bind_orch {
	struct bind_ctx ctx; /* first */
	struct rt_orch *o;
};

/* rt_engine_hooks.run_orchestrator: `fn` is the struct bind_function. */
int bind_orch_run(void *fn, struct rt_orch *o);

const char *bind_orch_input(cf_orch *o);
const char *bind_orch_instance_id(cf_orch *o);
const char *bind_orch_name(cf_orch *o);
int64_t bind_orch_now(cf_orch *o);
int bind_orch_is_replaying(cf_orch *o);
const char *bind_orch_new_uuid(cf_orch *o);
cf_rc bind_orch_set_custom_status(cf_orch *o, const char *json);
cf_task *bind_call_activity(cf_orch *o, const char *name, const char *input,
			    const struct cf_retry *retry);
cf_task *bind_call_sub_orchestrator(cf_orch *o, const char *name, const char *instance_id,
				    const char *input, const struct cf_retry *retry);
cf_task *bind_create_timer(cf_orch *o, int64_t fire_at_ms);
cf_task *bind_wait_for_event(cf_orch *o, const char *name);
cf_task *bind_when_all(cf_orch *o, cf_task *const *tasks, size_t n);
cf_task *bind_when_any(cf_orch *o, cf_task *const *tasks, size_t n);
cf_rc bind_await(cf_orch *o, cf_task *t, const char **result);
const char *bind_task_result(cf_task *t);
const char *bind_task_error(cf_task *t);
cf_task *bind_task_winner(cf_task *t);
void bind_task_cancel(cf_task *t);
cf_rc bind_orch_finish(cf_orch *o, const char *output);
cf_rc bind_orch_fail(cf_orch *o, const char *message);
cf_rc bind_orch_continue_as_new(cf_orch *o, const char *input, unsigned flags);
cf_rc bind_orch_send_event(cf_orch *o, const char *instance_id, const char *name,
			   const char *data);

#define BIND_ORCH_API_ENTRIES                                       \
	.orch_input = bind_orch_input,                              \
	.orch_instance_id = bind_orch_instance_id,                  \
	.orch_name = bind_orch_name,                                \
	.orch_now = bind_orch_now,                                  \
	.orch_is_replaying = bind_orch_is_replaying,                \
	.orch_new_uuid = bind_orch_new_uuid,                        \
	.orch_set_custom_status = bind_orch_set_custom_status,      \
	.call_activity = bind_call_activity,                        \
	.call_sub_orchestrator = bind_call_sub_orchestrator,        \
	.create_timer = bind_create_timer,                          \
	.wait_for_event = bind_wait_for_event,                      \
	.when_all = bind_when_all,                                  \
	.when_any = bind_when_any,                                  \
	.await = bind_await,                                        \
	.task_result = bind_task_result,                            \
	.task_error = bind_task_error,                              \
	.task_winner = bind_task_winner,                            \
	.task_cancel = bind_task_cancel,                            \
	.orch_finish = bind_orch_finish,                            \
	.orch_fail = bind_orch_fail,                                \
	.orch_continue_as_new = bind_orch_continue_as_new,          \
	.orch_send_event = bind_orch_send_event,

#endif
