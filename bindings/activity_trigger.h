/*
 * activity_trigger.h - cf_act: one activity attempt, run on an engine
 * activity thread through rt_engine_hooks.run_activity.
 */
#ifndef BIND_ACTIVITY_TRIGGER_H
#define BIND_ACTIVITY_TRIGGER_H

#include "cfunc.h"
#include "bindings/context.h"
#include "runtime/engine.h"

struct bind_act {
	struct bind_ctx ctx; /* first */
	const struct rt_activity_call *call;
	const char *result;  /* arena; NULL = not set */
	const char *message; /* arena; set by cf_act_fail */
	int failed;
};

/* rt_engine_hooks.run_activity: `fn` is the struct bind_function. Reports
 * the invocation (func's Executing/Executed lines); the extension's lines
 * come from the engine's reports (runtime/durable_report.h). */
void bind_act_run(void *ctx, void *fn, const struct rt_activity_call *call,
		  struct rt_activity_result *res);

const char *bind_act_input(cf_act *a);
const char *bind_act_name(cf_act *a);
const char *bind_act_instance_id(cf_act *a);
const char *bind_act_idempotency_key(cf_act *a);
cf_rc bind_act_return(cf_act *a, const char *json);
cf_rc bind_act_fail(cf_act *a, const char *message);

#define BIND_ACT_API_ENTRIES                                        \
	.act_input = bind_act_input,                                \
	.act_name = bind_act_name,                                  \
	.act_instance_id = bind_act_instance_id,                    \
	.act_idempotency_key = bind_act_idempotency_key,            \
	.act_return = bind_act_return,                              \
	.act_fail = bind_act_fail,

#endif
