/*
 * entity_trigger.h - cf_entity (one entity operation, run on the engine
 * thread through rt_engine_hooks.run_entity), the orchestrator's entity
 * calls (orch_entity.c) and the durable client's (durable_entity.c).
 */
#ifndef BIND_ENTITY_TRIGGER_H
#define BIND_ENTITY_TRIGGER_H

#include "cfunc.h"
#include "bindings/context.h"
#include "runtime/entity.h"

struct bind_entity {
	struct bind_ctx ctx; /* first */
	struct rt_entity_op *op;
};

/* rt_engine_hooks.run_entity: `fn` is the struct bind_function. */
void bind_entity_run(void *ctx, void *fn, struct rt_entity_op *op);

const char *bind_entity_name(cf_entity *e);
const char *bind_entity_key(cf_entity *e);
const char *bind_entity_op(cf_entity *e);
const char *bind_entity_input(cf_entity *e);
const char *bind_entity_state(cf_entity *e);
cf_rc bind_entity_set_state(cf_entity *e, const char *json);
void bind_entity_delete_state(cf_entity *e);
cf_rc bind_entity_return(cf_entity *e, const char *json);
cf_rc bind_entity_fail(cf_entity *e, const char *message);
cf_rc bind_entity_signal(cf_entity *e, const char *name, const char *key, const char *op,
			 const char *input, int64_t at_ms);
cf_rc bind_entity_start_orchestration(cf_entity *e, const char *name, const char *instance_id,
				      const char *input);

/* orch_entity.c */
cf_task *bind_call_entity(cf_orch *o, const char *name, const char *key, const char *op,
			  const char *input);
cf_rc bind_orch_signal_entity(cf_orch *o, const char *name, const char *key, const char *op,
			      const char *input, int64_t at_ms);
cf_task *bind_lock_entities(cf_orch *o, const char *const *names, const char *const *keys,
			    size_t n);
cf_rc bind_unlock_entities(cf_orch *o);

/* durable_entity.c */
cf_rc bind_durable_signal_entity(cf_http *h, const char *name, const char *key, const char *op,
				 const char *input, int64_t at_ms);
cf_rc bind_durable_read_entity(cf_http *h, const char *name, const char *key,
			       const char **out_state);
cf_rc bind_durable_clean_entity_storage(cf_http *h, int64_t *removed, int64_t *released);

#define BIND_ENTITY_API_ENTRIES                                           \
	.entity_name = bind_entity_name,                                  \
	.entity_key = bind_entity_key,                                    \
	.entity_op = bind_entity_op,                                      \
	.entity_input = bind_entity_input,                                \
	.entity_state = bind_entity_state,                                \
	.entity_set_state = bind_entity_set_state,                        \
	.entity_delete_state = bind_entity_delete_state,                  \
	.entity_return = bind_entity_return,                              \
	.entity_fail = bind_entity_fail,                                  \
	.entity_signal = bind_entity_signal,                              \
	.entity_start_orchestration = bind_entity_start_orchestration,    \
	.call_entity = bind_call_entity,                                  \
	.orch_signal_entity = bind_orch_signal_entity,                    \
	.lock_entities = bind_lock_entities,                              \
	.unlock_entities = bind_unlock_entities,                          \
	.durable_signal_entity = bind_durable_signal_entity,              \
	.durable_read_entity = bind_durable_read_entity,                  \
	.durable_clean_entity_storage = bind_durable_clean_entity_storage,

#endif
