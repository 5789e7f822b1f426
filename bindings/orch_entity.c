/*
 * orch_entity.c - cf_call_entity, cf_signal_entity, cf_lock_entities and
 * cf_unlock_entities over runtime/replay_entity.h.
 */
#include "bindings/entity_trigger.h"
#include "bindings/orch_trigger.h"
#include "runtime/replay_entity.h"

#define RO(x) (((struct bind_orch *)(x))->o)

cf_task *bind_call_entity(cf_orch *o, const char *name, const char *key, const char *op,
			  const char *input)
{
	return (cf_task *)rt_orch_call_entity(RO(o), name, key, op, input);
}

cf_rc bind_orch_signal_entity(cf_orch *o, const char *name, const char *key, const char *op,
			      const char *input, int64_t at_ms)
{
	return rt_orch_signal_entity(RO(o), name, key, op, input, at_ms) == RT_OK ? CF_OK : CF_ERROR;
}

cf_task *bind_lock_entities(cf_orch *o, const char *const *names, const char *const *keys,
			    size_t n)
{
	return (cf_task *)rt_orch_lock_entities(RO(o), names, keys, n);
}

cf_rc bind_unlock_entities(cf_orch *o)
{
	struct bind_orch *bo = (struct bind_orch *)o;
	if (rt_orch_unlock_entities(bo->o) != RT_OK)
		return bind_ctx_fail(&bo->ctx, CF_E_STATE, "no critical section is open");
	return CF_OK;
}
