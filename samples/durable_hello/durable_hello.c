/*
 * durable_hello - the seeds' minimal Durable Functions app in C.
 *
 *   POST /api/orchestrators/{function_name}   start any orchestrator; the
 *        request body (JSON, optional) is its input; answers 202 with the
 *        check-status payload.
 *   hello_sequence  calls say_hello with "Tokyo", "Seattle", "London" and
 *                   returns ["Hello Tokyo!","Hello Seattle!","Hello London!"].
 *   say_hello       "Tokyo" -> "Hello Tokyo!"
 */
#include <cfunc.h>

static cf_rc http_start(cf_http *h)
{
	const char *name = cf_http_route_param(h, "function_name");
	size_t len;
	const char *body = cf_http_body(h, &len);
	const char *id;

	if (len > 0 && cf_json_check(h, body) != CF_OK)
		return cf_http_respond(h, 400, "application/json",
				       "{\"Message\":\"Invalid JSON content\"}");
	if (cf_durable_start(h, name, NULL, len > 0 ? body : NULL, &id) != CF_OK) {
		const char *msg = cf_json_quote(h, cf_last_error(h));
		return cf_http_respond(h, 400, "application/json",
				       cf_fmt(h, "{\"Message\":%s}", msg));
	}
	cf_log(h, CF_LOG_INFO, "Started orchestration with ID = '%s'.", id);
	return cf_durable_check_status_response(h, id);
}

static cf_rc hello_sequence(cf_orch *o)
{
	const char *a, *b, *c;
	CF_AWAIT(o, cf_call_activity(o, "say_hello", "\"Tokyo\""), &a);
	CF_AWAIT(o, cf_call_activity(o, "say_hello", "\"Seattle\""), &b);
	CF_AWAIT(o, cf_call_activity(o, "say_hello", "\"London\""), &c);
	return cf_orch_finish(o, cf_fmt(o, "[%s,%s,%s]", a, b, c));
}

static cf_rc say_hello(cf_act *a)
{
	const char *city = cf_json_string(a, cf_act_input(a), NULL);
	if (!city)
		return cf_act_fail(a, "say_hello expects a JSON string");
	return cf_act_return(a, cf_json_quote(a, cf_fmt(a, "Hello %s!", city)));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "http_start", "POST", "orchestrators/{function_name}",
			 CF_AUTH_ANONYMOUS, http_start);
	cf_register_orchestrator(app, "hello_sequence", hello_sequence);
	cf_register_activity(app, "say_hello", say_hello);
	return CF_OK;
}

CF_APP_INIT(init)
