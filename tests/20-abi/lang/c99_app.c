/*
 * c99_app - the header from ISO C99 (-std=c99 -pedantic -Werror), where
 * _Generic does not exist: the common helpers take a cf_ctx * made by the
 * per-handle functions (cf_http_ctx and friends).
 *   GET /api/c99/hello?name=X   "Hello from C99, X!"
 *   c99_sequence                calls c99_twice on its input with a retry
 *                               policy and returns {"c99": <result>}
 */
#include <cfunc.h>

static cf_rc c99_hello(cf_http *h)
{
	const char *name = cf_http_query(h, "name");
	cf_log(cf_http_ctx(h), CF_LOG_INFO, "c99 hello for %s", name ? name : "nobody");
	return cf_http_respond(h, 200, "text/plain",
			       cf_fmt(cf_http_ctx(h), "Hello from C99, %s!", name ? name : "world"));
}

static cf_rc c99_twice(cf_act *a)
{
	double n = 0;
	if (cf_json_number(cf_act_ctx(a), cf_act_input(a), NULL, &n) != CF_OK)
		return cf_act_fail(a, "c99_twice expects a number");
	return cf_act_return(a, cf_fmt(cf_act_ctx(a), "%g", 2 * n));
}

static cf_rc c99_sequence(cf_orch *o)
{
	struct cf_retry retry = CF_RETRY_INIT(100, 2);
	const char *r;
	CF_AWAIT(o, cf_call_activity_with_retry(o, "c99_twice", &retry, cf_orch_input(o)), &r);
	return cf_orch_finish(o, cf_fmt(cf_orch_ctx(o), "{\"c99\":%s}", r));
}

static cf_rc init(cf_app *app)
{
	cf_rc rc = cf_register_http(app, "c99_hello", "GET", "c99/hello", CF_AUTH_ANONYMOUS, c99_hello);
	if (rc == CF_OK)
		rc = cf_register_activity(app, "c99_twice", c99_twice);
	if (rc == CF_OK)
		rc = cf_register_orchestrator(app, "c99_sequence", c99_sequence);
	cf_log(cf_app_ctx(app), CF_LOG_INFO, "c99 app registered");
	return rc;
}

CF_APP_INIT(init)
