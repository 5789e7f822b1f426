/* Eternal orchestration: periodic work with a durable timer and continue-as-new */
/*
 * Try it:
 *   make && cfunc start
 *   curl -X POST -d '{"every":5}' http://127.0.0.1:7071/api/orchestrators/periodic
 *   curl <statusQueryGetUri>       -> "runtimeStatus":"Running", customStatus counts the rounds
 *   curl -X POST '<terminatePostUri>'   stops it
 */
#include <cfunc.h>

/* POST /api/orchestrators/{name}: starts that orchestrator with the request
 * body as its input and answers 202 with the check-status payload, as the
 * func "Durable Functions HTTP starter" template does. */
static cf_rc http_start(cf_http *h)
{
	size_t len;
	const char *body = cf_http_body(h, &len);
	const char *name = cf_http_route_param(h, "name");
	const char *id;
	if (cf_durable_start(h, name, NULL, len ? body : NULL, &id) != CF_OK)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	cf_log(h, CF_LOG_INFO, cf_fmt(h, "Started orchestration with ID = '%s'.", id));
	return cf_durable_check_status_response(h, id);
}

/* Input {"every": seconds, "round": n}. Each execution does one round of
 * work, sleeps on a durable timer and starts over with a fresh, short
 * history (continue-as-new), so it can run for ever. */
static cf_rc periodic(cf_orch *o)
{
	const char *input = cf_orch_input(o);
	double every = 60, round = 0;
	cf_json_number(o, input, "every", &every);
	cf_json_number(o, input, "round", &round);
	if (!(every >= 1 && every <= 86400))
		return cf_orch_fail(o, "every must be a number of seconds from 1 to 86400");

	CF_AWAIT(o, cf_call_activity(o, "do_work", cf_fmt(o, "%.0f", round)), NULL);
	cf_orch_set_custom_status(o, cf_fmt(o, "{\"rounds\":%.0f}", round + 1));
	CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + (int64_t)(every * 1000)), NULL);
	return cf_orch_continue_as_new(o, cf_fmt(o, "{\"every\":%.0f,\"round\":%.0f}", every, round + 1), 0);
}

static cf_rc do_work(cf_act *a)
{
	cf_log(a, CF_LOG_INFO, cf_fmt(a, "round %s", cf_act_input(a)));
	return cf_act_return(a, NULL);
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "http_start", "GET,POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, http_start);
	cf_register_orchestrator(app, "periodic", periodic);
	cf_register_activity(app, "do_work", do_work);
	return CF_OK;
}

CF_APP_INIT(init)
