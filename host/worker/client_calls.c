/*
 * client_calls.c - the host's side of a worker's durable-client call: the
 * call is untrusted JSON; it is run through the same bind_durable_* entry
 * points an in-process function would use, on the invocation's own request,
 * so validation, commits and deferred responses are exactly the host's.
 */
#include "host/worker/worker_client.h"

#include "bindings/durable_api.h"
#include "bindings/durable_client.h"
#include "bindings/entity_trigger.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *str(json_t *args, const char *key)
{
	return json_string_value(json_object_get(args, key));
}

static json_t *response_of(struct bind_http *h)
{
	json_t *r = json_object(), *hdrs = json_array();
	json_object_set_new(r, "status", json_integer(h->status));
	for (size_t i = 0; i < h->nresp; i++) {
		json_t *pair = json_array();
		json_array_append_new(pair, json_string(h->resp_headers[i].name));
		json_array_append_new(pair, json_string(h->resp_headers[i].value));
		json_array_append_new(hdrs, pair);
	}
	json_object_set_new(r, "headers", hdrs);
	json_object_set_new(r, "body", json_stringn(h->resp_body ? h->resp_body : "",
						    h->resp_body ? h->resp_len : 0));
	return r;
}

const char *host_workers_client_call(struct bind_http *h, const struct rt_wire_client_call *m)
{
	json_t *args = json_loads(m->args, JSON_REJECT_DUPLICATES, NULL);
	cf_http *hh = (cf_http *)h;
	const char *out = NULL, *id = NULL;
	int sets_response = 0;
	cf_rc rc;

	h->ctx.last_error = NULL;
	if (!json_is_object(args)) {
		rc = (cf_rc)bind_ctx_fail(&h->ctx, CF_E_INVALID, "durable client call without arguments");
		goto reply;
	}
	id = str(args, "id");
	if (strcmp(m->op, "start") == 0) {
		rc = bind_durable_start(hh, str(args, "name"), id, str(args, "input"), &out);
	} else if (strcmp(m->op, "status") == 0) {
		rc = bind_durable_status(hh, id, (unsigned)json_integer_value(json_object_get(args, "flags")),
					 &out);
	} else if (strcmp(m->op, "raise") == 0) {
		rc = bind_durable_raise_event(hh, id, str(args, "event"), str(args, "data"));
	} else if (strcmp(m->op, "terminate") == 0) {
		rc = bind_durable_terminate(hh, id, str(args, "reason"));
	} else if (strcmp(m->op, "suspend") == 0) {
		rc = bind_durable_suspend(hh, id, str(args, "reason"));
	} else if (strcmp(m->op, "resume") == 0) {
		rc = bind_durable_resume(hh, id, str(args, "reason"));
	} else if (strcmp(m->op, "rewind") == 0) {
		rc = bind_durable_rewind(hh, id, str(args, "reason"));
	} else if (strcmp(m->op, "purge") == 0) {
		rc = bind_durable_purge(hh, id);
	} else if (strcmp(m->op, "restart") == 0) {
		rc = bind_durable_restart(hh, id,
					  (unsigned)json_integer_value(json_object_get(args, "flags")), &out);
	} else if (strcmp(m->op, "check") == 0) {
		rc = bind_durable_check_status_response(hh, id);
		sets_response = 1;
	} else if (strcmp(m->op, "wait") == 0) {
		rc = bind_durable_wait_or_check(hh, id,
						json_integer_value(json_object_get(args, "timeout")),
						json_integer_value(json_object_get(args, "retry")));
		sets_response = 1;
	} else if (strcmp(m->op, "signal_entity") == 0 || strcmp(m->op, "read_entity") == 0) {
		const char *name = str(args, "name"), *key = str(args, "key");
		if (!name || !key)
			rc = (cf_rc)bind_ctx_fail(&h->ctx, CF_E_INVALID, "entity call without name or key");
		else if (m->op[0] == 's')
			rc = bind_durable_signal_entity(
				hh, name, key, str(args, "entityOp"), str(args, "input"),
				json_integer_value(json_object_get(args, "at")));
		else
			rc = bind_durable_read_entity(hh, name, key, &out);
	} else if (strcmp(m->op, "clean_entities") == 0) {
		int64_t removed = 0, released = 0;
		rc = bind_durable_clean_entity_storage(hh, &removed, &released);
		out = rt_arena_fmt(h->ctx.arena, "{\"removed\":%lld,\"released\":%lld}",
				   (long long)removed, (long long)released);
	} else {
		rc = (cf_rc)bind_ctx_fail(&h->ctx, CF_E_INVALID, "unknown durable client call");
	}
reply:;
	json_t *r = json_object();
	json_object_set_new(r, "rc", json_integer(rc));
	json_object_set_new(r, "error", h->ctx.last_error ? json_string(h->ctx.last_error) : json_null());
	json_object_set_new(r, "out", out ? json_string(out) : json_null());
	json_object_set_new(r, "response", sets_response ? response_of(h) : json_null());
	char *text = json_dumps(r, JSON_COMPACT);
	const char *copy = rt_arena_strdup(h->ctx.arena, text ? text : "{\"rc\":-1}");
	free(text);
	json_decref(r);
	json_decref(args);
	return copy;
}
