/*
 * base_orchestrator - the seeds' base orchestrator in C: checkpoint, sleep
 * for as long as it takes, wake on an external event.
 *
 * Start it through durable_hello's starter, which serves
 * POST /api/orchestrators/{function_name} for every orchestrator:
 *   POST /api/orchestrators/base_orchestrator
 *        {"message": "Hello", "wait_event_name": "WakeUp"}
 *   GET  /api/orchestrators/{instanceId}/status          the status object
 *   POST /api/orchestrators/{instanceId}/raise/{event}   raises `event` with
 *        the request body (JSON, optional) as its data; 202
 *
 *   base_orchestrator  records the message, shows
 *                      {"state": "waiting", "wait_event_name": ...} as its
 *                      custom status, waits for the event (default "WakeUp";
 *                      names are case-insensitive) and returns
 *                      {"message": ..., "event_name": ..., "event_data": ...}.
 *   record_checkpoint  stands in for the work done before going to sleep.
 *
 * The two HTTP routes work for any instance: the built-in webhooks
 * (/runtime/webhooks/durabletask/instances/...) are the alternative.
 */
#include <cfunc.h>

static cf_rc base_orchestrator(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	const char *message = cf_json_get(o, in, "message");
	const char *event = cf_json_string(o, in, "wait_event_name");
	const char *data;

	if (!message)
		message = "null";
	if (!event || !*event)
		event = "WakeUp";

	CF_AWAIT(o, cf_call_activity(o, "record_checkpoint", message), NULL);

	/* While waiting the instance costs nothing: it is only rows in the
	 * store until the event arrives and the code is replayed. */
	cf_orch_set_custom_status(o, cf_fmt(o, "{\"state\":\"waiting\",\"wait_event_name\":%s}",
					    cf_json_quote(o, event)));
	CF_AWAIT(o, cf_wait_for_event(o, event), &data);

	cf_orch_set_custom_status(o, cf_fmt(o, "{\"state\":\"woken\",\"wait_event_name\":%s}",
					    cf_json_quote(o, event)));
	return cf_orch_finish(o, cf_fmt(o, "{\"message\":%s,\"event_name\":%s,\"event_data\":%s}",
					message, cf_json_quote(o, event), data));
}

static cf_rc record_checkpoint(cf_act *a)
{
	cf_log(a, CF_LOG_INFO, "Checkpoint for %s: %s", cf_act_instance_id(a), cf_act_input(a));
	return cf_act_return(a, "true");
}

static cf_rc respond_error(cf_http *h, int status, const char *message)
{
	return cf_http_respond(h, status, "application/json",
			       cf_fmt(h, "{\"error\":%s}", cf_json_quote(h, message)));
}

static cf_rc get_orchestration_status(cf_http *h)
{
	const char *status;
	cf_rc rc = cf_durable_status(h, cf_http_route_param(h, "instanceId"), 0, &status);

	if (rc == CF_E_NOTFOUND)
		return respond_error(h, 404, "no instance with this id");
	if (rc != CF_OK)
		return respond_error(h, 500, cf_last_error(h));
	return cf_http_respond(h, 200, "application/json", status);
}

static cf_rc raise_orchestration_event(cf_http *h)
{
	const char *id = cf_http_route_param(h, "instanceId");
	const char *event = cf_http_route_param(h, "eventName");
	size_t len;
	const char *body = cf_http_body(h, &len);
	cf_rc rc;

	if (len > 0 && cf_json_check(h, body) != CF_OK)
		return respond_error(h, 400, "the event data must be JSON");
	rc = cf_durable_raise_event(h, id, event, len > 0 ? body : NULL);
	if (rc == CF_E_NOTFOUND)
		return respond_error(h, 404, "no instance with this id");
	if (rc == CF_E_GONE)
		return respond_error(h, 410, "the instance has already finished");
	if (rc == CF_E_INVALID)
		return respond_error(h, 400, cf_last_error(h));
	if (rc != CF_OK)
		return respond_error(h, 500, cf_last_error(h));
	return cf_http_respond(h, 202, "application/json",
			       cf_fmt(h, "{\"instanceId\":%s,\"event_name\":%s}",
				      cf_json_quote(h, id), cf_json_quote(h, event)));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "get_orchestration_status", "GET", "orchestrators/{instanceId}/status",
			 CF_AUTH_ANONYMOUS, get_orchestration_status);
	cf_register_http(app, "raise_orchestration_event", "POST",
			 "orchestrators/{instanceId}/raise/{eventName}", CF_AUTH_ANONYMOUS,
			 raise_orchestration_event);
	cf_register_orchestrator(app, "base_orchestrator", base_orchestrator);
	cf_register_activity(app, "record_checkpoint", record_checkpoint);
	return CF_OK;
}

CF_APP_INIT(init)
