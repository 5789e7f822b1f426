/*
 * entity_trigger.c - cf_entity: one operation of an entity function. The
 * state, result and actions go into the runtime's struct rt_entity_op;
 * entity_batch.c rolls them back when the operation fails.
 */
#include "bindings/entity_trigger.h"
#include "bindings/bind_log.h"
#include "runtime/engine.h"
#include "bindings/json_util.h"
#include "bindings/registry.h"

#include <stdio.h>
#include <string.h>

#define E(x) ((struct bind_entity *)(x))
#define OP(x) (E(x)->op)

const char *bind_entity_name(cf_entity *e) { return OP(e)->name; }
const char *bind_entity_key(cf_entity *e) { return OP(e)->key; }
const char *bind_entity_op(cf_entity *e) { return OP(e)->op; }
const char *bind_entity_input(cf_entity *e) { return OP(e)->input; }
const char *bind_entity_state(cf_entity *e) { return OP(e)->state; }

cf_rc bind_entity_set_state(cf_entity *e, const char *json)
{
	if (json && !bind_json_valid(json))
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "the entity state is not valid JSON");
	OP(e)->state = rt_arena_strdup(OP(e)->arena, json ? json : "null");
	return CF_OK;
}

void bind_entity_delete_state(cf_entity *e)
{
	OP(e)->state = NULL;
}

cf_rc bind_entity_return(cf_entity *e, const char *json)
{
	if (json && !bind_json_valid(json))
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "the operation result is not valid JSON");
	OP(e)->result = rt_arena_strdup(OP(e)->arena, json ? json : "null");
	return CF_OK;
}

cf_rc bind_entity_fail(cf_entity *e, const char *message)
{
	struct rt_entity_op *op = OP(e);
	if (!op->failed) {
		op->failed = 1;
		op->message = rt_arena_strdup(op->arena, message ? message : "the operation failed");
	}
	E(e)->ctx.last_error = op->message;
	return CF_ERROR;
}

cf_rc bind_entity_signal(cf_entity *e, const char *name, const char *key, const char *op,
			 const char *input, int64_t at_ms)
{
	struct rt_entity_op *eop = OP(e);
	const char *problem = rt_entity_id_problem(name, key);
	if (problem)
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "invalid entity id: %s", problem);
	if (input && !bind_json_valid(input))
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "the signal input is not valid JSON");
	struct rt_entity_action *a = rt_entity_op_add_action(eop);
	a->kind = RT_EACT_SIGNAL;
	a->target = rt_entity_id(eop->arena, name, key);
	a->op = rt_arena_strdup(eop->arena, op ? op : "");
	a->input = rt_arena_strdup(eop->arena, input);
	a->at_us = at_ms > 0 && at_ms < INT64_MAX / 1000 ? at_ms * 1000 : 0;
	return CF_OK;
}

cf_rc bind_entity_start_orchestration(cf_entity *e, const char *name, const char *instance_id,
				      const char *input)
{
	struct rt_entity_op *eop = OP(e);
	if (!name || !*name)
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "orchestrator name is empty");
	if (instance_id && rt_instance_id_problem(instance_id))
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "%s", rt_instance_id_problem(instance_id));
	if (input && !bind_json_valid(input))
		return bind_ctx_fail(&E(e)->ctx, CF_E_INVALID, "the input is not valid JSON");
	struct rt_entity_action *a = rt_entity_op_add_action(eop);
	a->kind = RT_EACT_START;
	a->name = rt_arena_strdup(eop->arena, name);
	a->instance_id = rt_arena_strdup(eop->arena, instance_id);
	a->input = rt_arena_strdup(eop->arena, input);
	return CF_OK;
}

void bind_entity_run(void *ctx, void *fn, struct rt_entity_op *op)
{
	const struct bind_function *f = fn;
	struct bind_entity be = {.op = op};
	char category[160];
	(void)ctx;
	bind_ctx_init(&be.ctx, BIND_CTX_ENTITY, f->name, op->arena);
	int rc = f->entity((cf_entity *)&be);
	if (rc < 0 && !op->failed) {
		op->failed = 1;
		op->message = be.ctx.last_error
				      ? be.ctx.last_error
				      : rt_arena_fmt(op->arena, "the operation '%s' returned %d", op->op, rc);
	}
	if (op->failed) {
		snprintf(category, sizeof(category), "Function.%s", f->name);
		bind_log(category, CF_LOG_WARNING, "%s: operation '%s' failed: %s", op->instance_id,
			 op->op, op->message);
	}
}
