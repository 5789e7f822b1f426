#include "bindings/activity_trigger.h"
#include "bindings/bind_log.h"
#include "bindings/json_util.h"
#include "bindings/registry.h"
#include "common/xalloc.h"


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
	(void)ctx;

	/* The extension's started/completed/failed lines around this are the
	 * engine's reports (runtime/durable_report.h), which the host prints;
	 * an activity run by hand (POST /admin/functions) has none. */
	bind_ctx_init(&act.ctx, BIND_CTX_ACT, f->name, call->arena);
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
}
