/* Function chaining: an HTTP starter, an orchestrator calling an activity three times in a
 * row, and a timer that starts the same orchestration at the top of every hour */
/*
 * Try it:
 *   make && cfunc start
 *   curl -X POST http://127.0.0.1:7071/api/orchestrators/hello_cities
 *   curl <statusQueryGetUri from the answer>
 *   -> "output":["Hello Tokyo!","Hello Seattle!","Hello London!"]
 *   curl -X POST -H 'Content-Type: application/json' -d '{}' \
 *        http://127.0.0.1:7071/admin/functions/hourly_hello    (fires the timer now)
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

/* Orchestrators are replayed from the top in every episode: keep them
 * deterministic and do I/O in activities. CF_AWAIT returns while a task is
 * pending. */
static cf_rc hello_cities(cf_orch *o)
{
	const char *a, *b, *c;
	CF_AWAIT(o, cf_call_activity(o, "say_hello", "\"Tokyo\""), &a);
	CF_AWAIT(o, cf_call_activity(o, "say_hello", "\"Seattle\""), &b);
	CF_AWAIT(o, cf_call_activity(o, "say_hello", "\"London\""), &c);
	return cf_orch_finish(o, cf_fmt(o, "[%s,%s,%s]", a, b, c));
}

static cf_rc say_hello(cf_act *a)
{
	const char *name = cf_json_string(a, cf_act_input(a), NULL);
	return cf_act_return(a, cf_json_quote(a, cf_fmt(a, "Hello %s!", name ? name : "world")));
}

/* NCRONTAB, seconds first: at minute 0 of every hour. The schedule status is
 * kept in the task hub, so an hour missed while the host was down runs once
 * at the next start (IsPastDue). */
static cf_rc hourly_hello(cf_timer *t)
{
	const char *id;
	cf_http *client = cf_timer_durable_client(t);
	if (cf_durable_start(client, "hello_cities", NULL, NULL, &id) != CF_OK) {
		cf_log(t, CF_LOG_ERROR, "cannot start hello_cities: %s", cf_last_error(client));
		return CF_ERROR;
	}
	cf_log(t, CF_LOG_INFO, "Timer started orchestration with ID = '%s'.", id);
	return CF_OK;
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "http_start", "GET,POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, http_start);
	cf_register_orchestrator(app, "hello_cities", hello_cities);
	cf_register_activity(app, "say_hello", say_hello);
	cf_register_timer(app, "hourly_hello", "0 0 * * * *", 0, hourly_hello);
	return CF_OK;
}

CF_APP_INIT(init)
