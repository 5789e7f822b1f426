/* Human interaction: an orchestrator waiting for an "Approval" event, with a durable timeout */
/*
 * Try it:
 *   make && cfunc start
 *   curl -X POST http://127.0.0.1:7071/api/orchestrators/approval
 *   curl -X POST -d true '<sendEventPostUri from the answer, with {eventName} = Approval>'
 *   curl <statusQueryGetUri>
 *   -> "output":"approved"   ("timed out" after 24 hours without an event)
 */
#include <cfunc.h>

#define TIMEOUT_MS (24LL * 3600 * 1000)

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

static cf_rc approval(cf_orch *o)
{
	/* Deterministic now: the same value in every replay. */
	cf_task *timeout = cf_create_timer(o, cf_orch_now(o) + TIMEOUT_MS);
	cf_task *event = cf_wait_for_event(o, "Approval");
	cf_task *both[2] = { event, timeout };
	cf_task *first = cf_when_any(o, both, 2);
	const char *decision;
	int approved = 0;

	CF_AWAIT(o, first, NULL);
	if (cf_task_winner(first) != event)
		return cf_orch_finish(o, "\"timed out\"");
	cf_task_cancel(timeout); /* else the orchestration waits for it */
	CF_AWAIT(o, event, &decision);
	cf_json_bool(o, decision, NULL, &approved);
	CF_AWAIT(o, cf_call_activity(o, "record_decision", approved ? "true" : "false"), NULL);
	return cf_orch_finish(o, approved ? "\"approved\"" : "\"rejected\"");
}

/* Where an app would write the decision to its database. */
static cf_rc record_decision(cf_act *a)
{
	cf_log(a, CF_LOG_INFO, cf_fmt(a, "decision: %s", cf_act_input(a)));
	return cf_act_return(a, NULL);
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "http_start", "GET,POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, http_start);
	cf_register_orchestrator(app, "approval", approval);
	cf_register_activity(app, "record_decision", record_decision);
	return CF_OK;
}

CF_APP_INIT(init)
