/*
 * replay_v1 - for tests/50-e2e/replay.sh: orchestrator "order_flow" calls
 * reserve then charge. replay_v2.c is the same app after a code change
 * (charge became ship), so v1's histories must not replay on v2.
 */
#include <cfunc.h>

#ifndef SECOND_CALL
#define SECOND_CALL "charge"
#endif

static cf_rc start(cf_http *h)
{
	const char *id;
	if (cf_durable_start(h, cf_http_route_param(h, "name"), NULL, "{\"order\":7}", &id) != CF_OK)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	return cf_durable_check_status_response(h, id);
}

static cf_rc order_flow(cf_orch *o)
{
	const char *a, *b;
	CF_AWAIT(o, cf_call_activity(o, "reserve", cf_orch_input(o)), &a);
	CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + 10), NULL);
	CF_AWAIT(o, cf_call_activity(o, SECOND_CALL, a), &b);
	return cf_orch_finish(o, cf_fmt(o, "[%s,%s]", a, b));
}

static cf_rc step(cf_act *a)
{
	return cf_act_return(a, cf_json_quote(a, cf_fmt(a, "done %s", cf_act_input(a))));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "start", "POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, start);
	cf_register_orchestrator(app, "order_flow", order_flow);
	cf_register_activity(app, "reserve", step);
	cf_register_activity(app, "charge", step);
	cf_register_activity(app, "ship", step);
	return CF_OK;
}

CF_APP_INIT(init)
