/*
 * durable_entity.c - the durable client's entity calls: signal (through
 * the engine, acknowledged after commit) and read (a read-only handle, so
 * the last committed state).
 */
#include "bindings/durable_client.h"
#include "runtime/engine_entity.h"
#include "bindings/entity_trigger.h"
#include "bindings/http_trigger.h"
#include "bindings/json_util.h"
#include "bindings/registry.h"

#include <stdlib.h>

#define H(x) ((struct bind_http *)(x))

static struct bind_durable *durable_of(struct bind_http *h)
{
	if (!h->durable)
		bind_ctx_fail(&h->ctx, CF_ERROR,
			      "the durable engine is not running (no durable function is registered)");
	return h->durable;
}

cf_rc bind_durable_signal_entity(cf_http *hh, const char *name, const char *key, const char *op,
				 const char *input, int64_t at_ms)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	char *err = NULL;
	if (!d)
		return CF_ERROR;
	if (input && !bind_json_valid(input))
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "the operation input is not valid JSON");
	int64_t at_us = at_ms > 0 && at_ms < INT64_MAX / 1000 ? at_ms * 1000 : 0;
	/* When everything the engine could refuse is checked here, queue it
	 * and let the host hold the response until the commit instead of
	 * blocking this worker thread (as cf_durable_start does). */
	const struct bind_function *fn =
		d->reg ? bind_registry_find_kind(d->reg, name ? name : "", BIND_FN_ENTITY) : NULL;
	if (h->resume && fn && !fn->disabled && !rt_entity_id_problem(name, key) &&
	    bind_client_signal_entity_held(d, h, name, key, op, input, at_us) == RT_OK)
		return CF_OK;
	int rc = bind_client_signal_entity(d, name, key, op, input, at_us, &err);
	cf_rc cf = rc == RT_OK ? CF_OK
		 : rc == RT_E_NOTFOUND ? CF_E_NOTFOUND
		 : rc == RT_E_INVALID ? CF_E_INVALID
				      : CF_ERROR;
	if (cf != CF_OK)
		bind_ctx_fail(&h->ctx, cf, "%s", err ? err : "the signal was not committed");
	free(err);
	return cf;
}

cf_rc bind_durable_read_entity(cf_http *hh, const char *name, const char *key,
			       const char **out_state)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	struct rt_entity_row row;
	char *err = NULL;
	if (!d)
		return CF_ERROR;
	const char *problem = rt_entity_id_problem(name, key);
	if (problem)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "invalid entity id: %s", problem);
	int rc = bind_client_entity_read(d, name, key, &row, h->ctx.arena, &err);
	if (rc == CF_E_NOTFOUND) {
		free(err);
		return bind_ctx_fail(&h->ctx, CF_E_NOTFOUND, "entity '@%s@%s' does not exist", name, key);
	}
	if (rc != CF_OK) {
		bind_ctx_fail(&h->ctx, CF_ERROR, "%s", err ? err : "cannot read the task hub");
		free(err);
		return CF_ERROR;
	}
	if (out_state)
		*out_state = row.state;
	return CF_OK;
}

cf_rc bind_durable_clean_entity_storage(cf_http *hh, int64_t *removed, int64_t *released)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	int64_t r = 0, l = 0;
	char *err = NULL;
	if (!d)
		return CF_ERROR;
	int rc = bind_client_entity_clean(d, &r, &l, &err);
	if (rc != RT_OK) {
		bind_ctx_fail(&h->ctx, CF_ERROR, "%s", err ? err : "clean entity storage failed");
		free(err);
		return CF_ERROR;
	}
	if (removed)
		*removed = r;
	if (released)
		*released = l;
	return CF_OK;
}
