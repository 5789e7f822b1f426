/*
 * durable_api.c - cf_durable_* (durable_api.h): the app ABI's durable
 * client, over the bind_client_* calls (durable_client.c) and the waits
 * (durable_wait.c). Calls down only: nothing below calls back.
 */
#include "bindings/durable_api.h"
#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "bindings/json_util.h"
#include "bindings/rc.h"
#include "bindings/status_json.h"

#include <stdlib.h>

static struct bind_durable *durable_of(struct bind_http *h)
{
	if (!h->durable)
		bind_ctx_fail(&h->ctx, CF_ERROR,
			      "the durable engine is not running (no orchestrator or activity is registered)");
	return h->durable;
}

/* Records *err (malloc'd by the engine) as the handle's error; frees it. */
/* Callers run the engine call first and pass its err after: in
 * finish(h, call(&err), err) the order in which C evaluates the arguments is
 * unspecified, and gcc reads err (still NULL) before the call sets it. */
static int finish(struct bind_http *h, int rc, char *err)
{
	int cf = bind_rc(rc);
	if (cf != CF_OK)
		bind_ctx_fail(&h->ctx, cf, "%s", err ? err : "durable operation failed");
	free(err);
	return cf;
}

/* ---- cf_durable_* ------------------------------------------------------- */

#define H(x) ((struct bind_http *)(x))

cf_rc bind_durable_start(cf_http *hh, const char *name, const char *id, const char *input,
			 const char **out_id)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	char *new_id = NULL, *err = NULL;
	int rc;
	if (!d)
		return CF_ERROR;
	if (!name || !*name)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "orchestrator name is empty");
	if (input && !bind_json_valid(input))
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "the input is not valid JSON");
	/* A new id cannot collide, and the name and input are checked here, so
	 * the outcome is known: queue it and let the host hold the response
	 * until the commit instead of blocking this worker thread. */
	if (!id && h->resume) {
		const struct bind_function *fn =
			d->reg ? bind_registry_find_kind(d->reg, name, BIND_FN_ORCHESTRATOR) : NULL;
		char idbuf[33];
		if (!fn || fn->disabled)
			return bind_ctx_fail(&h->ctx, CF_E_NOTFOUND,
					     "The function '%s' doesn't exist, is disabled, or is not an orchestrator function.",
					     name);
		if (bind_client_start_held(d, h, name, input, idbuf, -1) != RT_OK)
			return bind_ctx_fail(&h->ctx, CF_ERROR, "the host is shutting down");
		if (out_id)
			*out_id = rt_arena_strdup(h->ctx.arena, idbuf);
		return CF_OK;
	}
	rc = bind_client_start(d, name, id, input, &new_id, &err);
	if (rc == RT_OK && out_id)
		*out_id = rt_arena_strdup(h->ctx.arena, new_id);
	free(new_id);
	return finish(h, rc, err);
}

cf_rc bind_durable_status(cf_http *hh, const char *id, unsigned flags, const char **out)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	struct rt_instance inst;
	json_t *status;
	char *err = NULL;
	int rc;
	if (!d)
		return CF_ERROR;
	if (!id)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "instance id is empty");
	if (flags & ~(unsigned)(CF_STATUS_NO_INPUT | CF_STATUS_HISTORY | CF_STATUS_HISTORY_OUTPUT))
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "cf_durable_status: unknown flags 0x%x", flags);
	rc = bind_durable_read(d, id,
			       (flags & CF_STATUS_NO_INPUT ? 0 : BIND_STATUS_INPUT) |
				       (flags & CF_STATUS_HISTORY ? BIND_STATUS_HISTORY : 0) |
				       (flags & CF_STATUS_HISTORY_OUTPUT ? BIND_STATUS_HISTORY_OUTPUT : 0),
			       &inst, &status, h->ctx.arena, &err);
	if (rc != CF_OK) {
		bind_ctx_fail(&h->ctx, rc, "%s", rc == CF_E_NOTFOUND ? "No instance with this ID was found." : err);
		free(err);
		return rc;
	}
	char *text = bind_json_dump(status);
	json_decref(status);
	if (out)
		*out = rt_arena_strdup(h->ctx.arena, text);
	free(text);
	return CF_OK;
}

cf_rc bind_durable_raise_event(cf_http *hh, const char *id, const char *event, const char *data)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	const char *bad_name = bind_event_name_problem(event);
	char *err = NULL;
	if (!d)
		return CF_ERROR;
	if (bad_name)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "%s", bad_name);
	if (data && !bind_json_valid(data))
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "the event data is not valid JSON");
	int rc = bind_client_raise(d, id, event, data, &err);
	return finish(h, rc, err);
}

#define LIFECYCLE(fn, op)                                                        \
	cf_rc fn(cf_http *hh, const char *id, const char *reason)               \
	{                                                                        \
		struct bind_http *h = H(hh);                                     \
		struct bind_durable *d = durable_of(h);                          \
		char *err = NULL;                                                \
		if (!d)                                                          \
			return CF_ERROR;                                         \
		int rc = bind_client_lifecycle(d, op, id, reason, &err);         \
		return finish(h, rc, err);                                       \
	}
LIFECYCLE(bind_durable_terminate, BIND_CLIENT_TERMINATE)
LIFECYCLE(bind_durable_suspend, BIND_CLIENT_SUSPEND)
LIFECYCLE(bind_durable_resume, BIND_CLIENT_RESUME)
LIFECYCLE(bind_durable_rewind, BIND_CLIENT_REWIND)
#undef LIFECYCLE

cf_rc bind_durable_purge(cf_http *hh, const char *id)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	char *err = NULL;
	if (!d)
		return CF_ERROR;
	int rc = bind_client_purge(d, id, &err);
	return finish(h, rc, err);
}


cf_rc bind_durable_restart(cf_http *hh, const char *id, unsigned flags, const char **out_id)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	char *err = NULL, *nid = NULL;
	int rc;
	if (!d)
		return CF_ERROR;
	if (flags & ~(unsigned)CF_RESTART_NEW_INSTANCE_ID)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "cf_durable_restart: unknown flags 0x%x", flags);
	rc = bind_client_restart(d, id, (flags & CF_RESTART_NEW_INSTANCE_ID) != 0, &nid, &err, NULL);
	if (rc == RT_OK && out_id)
		*out_id = rt_arena_strdup(h->ctx.arena, nid);
	free(nid);
	return finish(h, rc, err);
}

cf_rc bind_durable_check_status_response(cf_http *hh, const char *id)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	if (!d)
		return CF_ERROR;
	if (!id || !*id)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "instance id is empty");
	bind_durable_set_check_status(h, d, id, 1);
	return CF_OK;
}

cf_rc bind_durable_wait_or_check(cf_http *hh, const char *id, int64_t timeout_ms, int64_t retry_ms)
{
	struct bind_http *h = H(hh);
	struct bind_durable *d = durable_of(h);
	if (!d)
		return CF_ERROR;
	if (!id || !*id)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "instance id is empty");
	if (timeout_ms < 0 || retry_ms <= 0 || retry_ms > timeout_ms)
		return bind_ctx_fail(&h->ctx, CF_E_INVALID,
				     "retry interval must be positive and not exceed the timeout");
	/* retry_ms is checked as the real client checks it, but not needed:
	 * the commit of the outcome wakes the wait. */
	bind_client_wait(h, d, id, timeout_ms, 1);
	return CF_OK;
}
