/* Function chaining: an HTTP starter, an orchestrator calling an activity three times in a row */
/*
 * Try it:
 *   make && cfunc start
 *   curl -X POST http://127.0.0.1:7071/api/orchestrators/hello_cities
 *   curl <statusQueryGetUri from the answer>
 *   -> "output":["Hello Tokyo!","Hello Seattle!","Hello London!"]
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

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "http_start", "GET,POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, http_start);
	cf_register_orchestrator(app, "hello_cities", hello_cities);
	cf_register_activity(app, "say_hello", say_hello);
	return CF_OK;
}

CF_APP_INIT(init)
