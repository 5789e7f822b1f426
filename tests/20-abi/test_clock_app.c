/*
 * test_clock_app - for tests/50-e2e/test_mode.sh: an orchestrator that
 * sleeps on a one-hour durable timer, and its HTTP starter.
 */
#include <cfunc.h>

static cf_rc start(cf_http *h)
{
	const char *id;
	if (cf_durable_start(h, cf_http_route_param(h, "name"), NULL, NULL, &id) != CF_OK)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	return cf_durable_check_status_response(h, id);
}

static cf_rc wait_an_hour(cf_orch *o)
{
	CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + 3600 * 1000LL), NULL);
	return cf_orch_finish(o, "\"woke\"");
}

static cf_rc noop(cf_act *a)
{
	return cf_act_return(a, NULL);
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "start", "POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, start);
	cf_register_orchestrator(app, "wait_an_hour", wait_an_hour);
	cf_register_activity(app, "noop", noop);
	return CF_OK;
}

CF_APP_INIT(init)
