/*
 * named_event_app - an orchestration that learns at run time which event
 * to wait for, for `cfunc durable raise-event` without --event-name
 * (tests/50-e2e/durable_cli_raise_default.sh): the name func makes up
 * (Event_<guid>) is only known once the event is raised.
 *
 *   ne_wait   waits for "name" (data: a JSON string), then for the event of
 *             that name, and returns {"name":..., "data":...}. An event
 *             raised before its wait is buffered, as in Durable Functions.
 */
#include <cfunc.h>

static cf_rc ne_wait(cf_orch *o)
{
	const char *name_json, *data;
	const char *name;

	CF_AWAIT(o, cf_wait_for_event(o, "name"), &name_json);
	name = cf_json_string(o, name_json, NULL);
	if (!name)
		return cf_orch_fail(o, "the name event's data must be a JSON string");
	cf_orch_set_custom_status(o, cf_fmt(o, "{\"waitingFor\":%s}", cf_json_quote(o, name)));
	CF_AWAIT(o, cf_wait_for_event(o, name), &data);
	return cf_orch_finish(o, cf_fmt(o, "{\"name\":%s,\"data\":%s}", cf_json_quote(o, name),
					data ? data : "null"));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "ne_wait", ne_wait);
	return CF_OK;
}

CF_APP_INIT(init)
