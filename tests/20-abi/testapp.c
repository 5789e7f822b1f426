/*
 * testapp - a well-formed app with functions the end-to-end tests need:
 *   GET  /api/slow?ms=N       sleeps N ms (timeouts, draining, 429)
 *   GET  /api/fail            returns CF_ERROR with a message (500)
 *   ANY  /api/echo/{*rest}    echoes method, path, query, headers, body as JSON-ish text
 *   GET  /api/setting?name=X  the app setting X or 404
 *   GET  /api/dupheader       sets the same header twice (second is dropped)
 *   plus an activity (test_activity) and an orchestrator (test_orchestrator)
 *   so non-HTTP listings and admin invocation have something to show.
 */
#include <cfunc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static cf_rc slow(cf_http *h)
{
	const char *ms = cf_http_query(h, "ms");
	long n = ms ? strtol(ms, NULL, 10) : 100;
	struct timespec ts = {n / 1000, (n % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	return cf_http_respond(h, 200, "text/plain", "slept");
}

static cf_rc fail(cf_http *h)
{
	cf_log(h, CF_LOG_WARNING, "about to fail on purpose");
	(void)h;
	return CF_ERROR;
}

static cf_rc echo(cf_http *h)
{
	size_t len, n = cf_http_header_count(h);
	const char *body = cf_http_body(h, &len);
	const char *rest = cf_http_route_param(h, "rest");
	const char *q = cf_http_query(h, "q");
	char *out = cf_fmt(h, "method=%s\npath=%s\nrest=%s\nq=%s\nbody_len=%zu\nbody=%s\n",
			   cf_http_method(h), cf_http_path(h), rest ? rest : "(null)",
			   q ? q : "(null)", len, body);
	for (size_t i = 0; i < n; i++) {
		const char *name, *value;
		cf_http_header_at(h, i, &name, &value);
		out = cf_fmt(h, "%sheader.%s=%s\n", out, name, value);
	}
	cf_http_add_header(h, "X-Echo", "yes");
	return cf_http_respond(h, 200, "text/plain", out);
}

static cf_rc setting(cf_http *h)
{
	const char *name = cf_http_query(h, "name");
	const char *v = name ? cf_setting(name) : NULL;
	if (!v)
		return cf_http_respond(h, 404, NULL, NULL);
	return cf_http_respond(h, 200, "text/plain", v);
}

static cf_rc dupheader(cf_http *h)
{
	int first = cf_http_add_header(h, "X-Twice", "one");
	int second = cf_http_add_header(h, "x-twice", "two");
	return cf_http_respond(h, 200, "text/plain",
			       cf_fmt(h, "first=%d second=%d", first, second));
}

static cf_rc test_activity(cf_act *a)
{
	return cf_act_return(a, cf_act_input(a));
}

static cf_rc test_orchestrator(cf_orch *o)
{
	return cf_orch_finish(o, cf_orch_input(o));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "slow", "GET", "slow", CF_AUTH_ANONYMOUS, slow);
	cf_register_http(app, "fail", "GET", "fail", CF_AUTH_ANONYMOUS, fail);
	cf_register_http(app, "echo", NULL, "echo/{*rest}", CF_AUTH_ANONYMOUS, echo);
	cf_register_http(app, "setting", "GET", "setting", CF_AUTH_ANONYMOUS, setting);
	cf_register_http(app, "dupheader", "GET", "dupheader", CF_AUTH_ANONYMOUS, dupheader);
	cf_register_activity(app, "test_activity", test_activity);
	cf_register_orchestrator(app, "test_orchestrator", test_orchestrator);
	return CF_OK;
}

CF_APP_INIT(init)
