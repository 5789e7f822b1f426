#include "bindings/activity_trigger.h"
#include "bindings/bind_log.h"
#include "bindings/json_util.h"
#include "bindings/registry.h"
#include "common/xalloc.h"
#include "runtime/durable_trace.h"

#include <stdio.h>

#define A(x) ((struct bind_act *)(x))

const char *bind_act_input(cf_act *a) { return A(a)->call->input; }
const char *bind_act_name(cf_act *a) { return A(a)->call->name; }
const char *bind_act_instance_id(cf_act *a) { return A(a)->call->instance_id; }
const char *bind_act_idempotency_key(cf_act *a) { return A(a)->call->idempotency_key; }

cf_rc bind_act_return(cf_act *a, const char *json)
{
	struct bind_act *act = A(a);
	if (json && !bind_json_valid(json)) {
		act->failed = 1;
		act->message = "the activity returned a result that is not valid JSON";
		return bind_ctx_fail(&act->ctx, CF_E_INVALID, "%s", act->message);
	}
	act->result = rt_arena_strdup(act->ctx.arena, json ? json : "null");
	return CF_OK;
}

cf_rc bind_act_fail(cf_act *a, const char *message)
{
	struct bind_act *act = A(a);
	act->failed = 1;
	act->message = rt_arena_strdup(act->ctx.arena, message ? message : "the activity failed");
	act->ctx.last_error = act->message;
	return CF_ERROR;
}

void bind_act_run(void *ctx, void *fn, const struct rt_activity_call *call,
		  struct rt_activity_result *res)
{
	const struct bind_function *f = fn;
	struct bind_act act = {.call = call};
	struct rt_invocation inv = {.function = f->name};
	char category[160];
	(void)ctx;

	bind_ctx_init(&act.ctx, BIND_CTX_ACT, f->name, call->arena);
	snprintf(category, sizeof(category), "Function.%s", f->name);
	/* The extension's lines carry the instance id (runtime/durable_trace.h);
	 * an activity run by hand (POST /admin/functions) belongs to none.
	 * Formatted only when they show: they cost an arena copy each. */
	int traced = call->instance_id && *call->instance_id &&
		     bind_log_enabled(category, CF_LOG_INFO);
	if (traced)
		bind_log(category, CF_LOG_INFO, "%s",
			 rt_durable_trace_started(call->arena, RT_TRACE_ACTIVITY, call->instance_id,
						  f->name, call->input, call->task_id));
	bind_invocation(&inv, RT_INVOCATION_START);
	int rc = f->act((cf_act *)&act);
	if (rc < 0 && !act.failed) {
		act.failed = 1;
		act.message = act.ctx.last_error ? act.ctx.last_error
						 : rt_arena_fmt(call->arena, "the activity returned %d", rc);
	}
	res->failed = act.failed;
	res->message = act.message;
	res->result = act.result ? act.result : "null";
	inv.failed = act.failed;
	bind_invocation(&inv, RT_INVOCATION_END);
	if (act.failed) {
		if (call->instance_id && *call->instance_id)
			bind_log("Host.Triggers.DurableTask", CF_LOG_ERROR, "%s",
				 rt_durable_trace_failed(call->arena, RT_TRACE_ACTIVITY,
							 call->instance_id, f->name, act.message,
							 call->task_id));
	} else if (traced) {
		bind_log(category, CF_LOG_INFO, "%s",
			 rt_durable_trace_completed(call->arena, RT_TRACE_ACTIVITY, call->instance_id,
						    f->name, res->result, 0, call->task_id));
	}
}
