#include "bindings/orch_trigger.h"
#include "bindings/rc.h"
#include "bindings/bind_log.h"
#include "bindings/json_util.h"
#include "bindings/registry.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define RO(x) (((struct bind_orch *)(x))->o)
#define RT(x) ((struct rt_task *)(x))

static int replaying(struct bind_ctx *ctx)
{
	return rt_orch_is_replaying(((struct bind_orch *)ctx)->o);
}

int bind_orch_run(void *fn, struct rt_orch *o)
{
	const struct bind_function *f = fn;
	struct bind_orch bo;
	bind_ctx_init(&bo.ctx, BIND_CTX_ORCH, f->name, rt_orch_arena(o));
	bo.ctx.is_replaying = replaying;
	bo.o = o;
	return f->orch((cf_orch *)&bo);
}

const char *bind_orch_input(cf_orch *o) { return rt_orch_input(RO(o)); }
const char *bind_orch_instance_id(cf_orch *o) { return rt_orch_instance_id(RO(o)); }
const char *bind_orch_name(cf_orch *o) { return rt_orch_name(RO(o)); }
int64_t bind_orch_now(cf_orch *o) { return rt_orch_now_ms(RO(o)); }
int bind_orch_is_replaying(cf_orch *o) { return rt_orch_is_replaying(RO(o)); }
const char *bind_orch_new_uuid(cf_orch *o) { return rt_orch_new_uuid(RO(o)); }

cf_rc bind_orch_set_custom_status(cf_orch *o, const char *json)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	if (json && !bind_json_valid(json))
		return bind_ctx_fail(&bo->ctx, CF_E_INVALID, "custom status is not valid JSON");
	if (rt_orch_set_custom_status(bo->o, json) != RT_OK)
		return bind_ctx_fail(&bo->ctx, CF_E_INVALID, "%s", rt_orch_last_error(bo->o));
	return CF_OK;
}

/* The fields of `in` that an app built against this minor or an older one
 * set: `size` says how far the app's struct cf_retry goes. Fields it does
 * not know keep their defaults (0). */
#define RETRY_HAS(in, field) \
	((in)->size >= offsetof(struct cf_retry, field) + sizeof((in)->field))

static const struct rt_retry *to_rt_retry(struct bind_orch *bo, const struct cf_retry *in,
					  struct rt_retry *out)
{
	memset(out, 0, sizeof(*out));
	if (!in)
		return NULL;
	if (!RETRY_HAS(in, first_interval_ms)) {
		/* The runtime then fails the orchestration for the missing
		 * first_interval_ms; say here why it is missing. */
		char category[160];
		snprintf(category, sizeof(category), "Function.%s", bo->ctx.function_name);
		bind_log(category, CF_LOG_ERROR,
			 "struct cf_retry has size %u, not %zu: initialise it with CF_RETRY_INIT",
			 (unsigned)in->size, sizeof(struct cf_retry));
		return out;
	}
	out->first_interval_ms = in->first_interval_ms;
	out->max_attempts = in->max_attempts;
	if (RETRY_HAS(in, backoff_coefficient))
		out->backoff_coefficient = in->backoff_coefficient;
	if (RETRY_HAS(in, max_interval_ms))
		out->max_interval_ms = in->max_interval_ms;
	if (RETRY_HAS(in, timeout_ms))
		out->timeout_ms = in->timeout_ms;
	return out;
}

cf_task *bind_call_activity(cf_orch *o, const char *name, const char *input,
			    const struct cf_retry *retry)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	struct rt_retry r;
	return (cf_task *)rt_orch_call_activity(bo->o, name, input, to_rt_retry(bo, retry, &r));
}

cf_task *bind_call_sub_orchestrator(cf_orch *o, const char *name, const char *instance_id,
				    const char *input, const struct cf_retry *retry)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	struct rt_retry r;
	return (cf_task *)rt_orch_call_sub_orchestrator(bo->o, name, instance_id, input,
							to_rt_retry(bo, retry, &r));
}

cf_task *bind_create_timer(cf_orch *o, int64_t fire_at_ms)
{
	return (cf_task *)rt_orch_create_timer(RO(o), fire_at_ms);
}

cf_task *bind_wait_for_event(cf_orch *o, const char *name)
{
	return (cf_task *)rt_orch_wait_for_event(RO(o), name);
}

cf_task *bind_when_all(cf_orch *o, cf_task *const *tasks, size_t n)
{
	return (cf_task *)rt_orch_when_all(RO(o), (struct rt_task *const *)tasks, n);
}

cf_task *bind_when_any(cf_orch *o, cf_task *const *tasks, size_t n)
{
	return (cf_task *)rt_orch_when_any(RO(o), (struct rt_task *const *)tasks, n);
}

cf_rc bind_await(cf_orch *o, cf_task *t, const char **result)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	int rc = rt_orch_await(bo->o, RT(t), result);
	if (rc == RT_ERROR)
		bo->ctx.last_error = rt_orch_last_error(bo->o);
	return bind_rc_replay(rc);
}

const char *bind_task_result(cf_task *t) { return rt_task_result(RT(t)); }
const char *bind_task_error(cf_task *t) { return rt_task_error(RT(t)); }
cf_task *bind_task_winner(cf_task *t) { return (cf_task *)rt_task_winner(RT(t)); }
void bind_task_cancel(cf_task *t) { rt_task_cancel(RT(t)); }

cf_rc bind_orch_finish(cf_orch *o, const char *output)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	if (output && !bind_json_valid(output))
		return rt_orch_fail(bo->o, "the orchestrator output is not valid JSON") == RT_OK
			       ? CF_OK
			       : CF_ERROR;
	return rt_orch_finish(bo->o, output) == RT_OK ? CF_OK : CF_ERROR;
}

cf_rc bind_orch_fail(cf_orch *o, const char *message)
{
	rt_orch_fail(RO(o), message ? message : "the orchestrator failed");
	return CF_ERROR;
}

cf_rc bind_orch_continue_as_new(cf_orch *o, const char *input, unsigned flags)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	if (flags & ~(unsigned)CF_CONTINUE_KEEP_EVENTS) {
		rt_orch_fail(bo->o, "cf_orch_continue_as_new: unknown flags");
		return bind_ctx_fail(&bo->ctx, CF_E_INVALID, "cf_orch_continue_as_new: unknown flags 0x%x",
				     flags);
	}
	if (input && !bind_json_valid(input)) {
		rt_orch_fail(bo->o, "the continue-as-new input is not valid JSON");
		return CF_ERROR;
	}
	return rt_orch_continue_as_new(bo->o, input, (flags & CF_CONTINUE_KEEP_EVENTS) != 0) == RT_OK
		       ? CF_OK
		       : CF_ERROR;
}

cf_rc bind_orch_send_event(cf_orch *o, const char *instance_id, const char *name,
			   const char *data)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	if (!instance_id || !*instance_id || !name || !*name)
		return bind_orch_fail(o, "cf_orch_send_event needs an instance id and an event name");
	if (data && !bind_json_valid(data))
		return bind_orch_fail(o, rt_arena_fmt(bo->ctx.arena,
						      "the data of event '%s' sent to instance '%s' "
						      "is not valid JSON", name, instance_id));
	if (rt_orch_send_event(bo->o, instance_id, name, data) != RT_OK) {
		bo->ctx.last_error = rt_orch_last_error(bo->o);
		return CF_ERROR;
	}
	return CF_OK;
}
