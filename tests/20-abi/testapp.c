/*
 * testapp - a well-formed app with functions the end-to-end tests need:
 *   GET  /api/slow?ms=N       sleeps N ms (timeouts, draining, 429)
 *   GET  /api/fail            returns CF_ERROR with a message (500)
 *   ANY  /api/echo/{*rest}    echoes method, path, query, headers, body as JSON-ish text
 *   GET  /api/setting?name=X  the app setting X or 404
 *   GET  /api/dupheader       sets the same header twice (second is dropped)
 *   POST /api/test/start/{name}[/{id}]  durable start (body = input) -> 202 + id
 *   GET  /api/test/status/{id}     durable status with history
 *   POST /api/test/raise/{id}/{event}  durable raise event
 *   POST /api/test/restart/{id}[?flags=N]  durable restart -> 202 + id
 *   POST /api/test/json?key=K  the JSON helpers on the body, one line each
 *   GET  /api/test/lognull     logs through cf_log(NULL, ...)
 *   GET  /api/test/badhandle   passes a non-handle to cf_alloc: the host aborts
 *   plus an activity (test_activity) echoing its input, an orchestrator
 *   (test_orchestrator) returning its input and test_waiter, which waits
 *   for event "Go" and returns its data through test_activity.
 */
#include <cfunc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	cf_rc first = cf_http_add_header(h, "X-Twice", "one");
	cf_rc second = cf_http_add_header(h, "x-twice", "two");
	return cf_http_respond(h, 200, "text/plain",
			       cf_fmt(h, "first=%d second=%d", (int)first, (int)second));
}

static cf_rc test_activity(cf_act *a)
{
	return cf_act_return(a, cf_act_input(a));
}

static cf_rc test_orchestrator(cf_orch *o)
{
	return cf_orch_finish(o, cf_orch_input(o));
}

/* ?flags=N as CF_* bits, `def` when absent. */
static unsigned flags_of(cf_http *h, unsigned def)
{
	const char *f = cf_http_query(h, "flags");
	return f ? (unsigned)strtoul(f, NULL, 0) : def;
}

/* GET /api/test/status/{id}[?flags=N]: the status object (durable client),
 * with history and its outputs unless flags say otherwise. */
static cf_rc status(cf_http *h)
{
	const char *json;
	cf_rc rc = cf_durable_status(h, cf_http_route_param(h, "id"),
				     flags_of(h, CF_STATUS_HISTORY | CF_STATUS_HISTORY_OUTPUT), &json);
	if (rc == CF_E_NOTFOUND)
		return cf_http_respond(h, 404, NULL, NULL);
	if (rc == CF_E_INVALID)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	if (rc != CF_OK)
		return cf_http_respond(h, 500, "text/plain", cf_last_error(h));
	return cf_http_respond(h, 200, "application/json", json);
}

/* POST /api/test/raise/{id}/{event}: body = event data. */
static cf_rc raise(cf_http *h)
{
	size_t len;
	const char *body = cf_http_body(h, &len);
	cf_rc rc = cf_durable_raise_event(h, cf_http_route_param(h, "id"),
					cf_http_route_param(h, "event"), len ? body : NULL);
	int status = rc == CF_OK ? 202 : rc == CF_E_NOTFOUND ? 404 : rc == CF_E_GONE ? 410 : 400;
	return cf_http_respond(h, status, rc == CF_OK ? NULL : "text/plain",
			       rc == CF_OK ? NULL : cf_last_error(h));
}

/* POST /api/test/restart/{id}[?flags=N]: 202 + the id it runs under. */
static cf_rc restart(cf_http *h)
{
	const char *id;
	cf_rc rc = cf_durable_restart(h, cf_http_route_param(h, "id"), flags_of(h, 0), &id);
	if (rc != CF_OK)
		return cf_http_respond(h, rc == CF_E_NOTFOUND ? 404 : 400, "text/plain",
				       cf_fmt(h, "%d %s", (int)rc, cf_last_error(h)));
	return cf_http_respond(h, 202, "text/plain", id);
}

/* POST /api/test/json?key=K: what each JSON helper makes of the body at K
 * (the body itself without ?key), as "name=rc value" lines. */
static cf_rc json(cf_http *h)
{
	size_t len, n = 0;
	const char *body = cf_http_body(h, &len);
	const char *key = cf_http_query(h, "key");
	double num = 0;
	int yes = 0;
	cf_rc rc;
	const char *s, *out;

	rc = cf_json_check(h, body);
	out = cf_fmt(h, "check=%d %s\n", (int)rc, rc == CF_OK ? "" : cf_last_error(h));
	rc = cf_json_number(h, body, key, &num);
	out = cf_fmt(h, "%snumber=%d %g\n", out, (int)rc, num);
	rc = cf_json_bool(h, body, key, &yes);
	out = cf_fmt(h, "%sbool=%d %d\n", out, (int)rc, yes);
	rc = cf_json_length(h, body, key, &n);
	out = cf_fmt(h, "%slength=%d %zu\n", out, (int)rc, n);
	s = cf_json_string(h, body, key);
	out = cf_fmt(h, "%sstring=%s\n", out, s ? s : "(null)");
	s = cf_json_get(h, body, key);
	out = cf_fmt(h, "%sget=%s\n", out, s ? s : "(null)");
	return cf_http_respond(h, 200, "text/plain", out);
}

static cf_rc lognull(cf_http *h)
{
	cf_log(NULL, CF_LOG_INFO, "logged without a handle (%s)", cf_last_error(NULL) ? "error" : "no error");
	return cf_http_respond(h, 200, "text/plain", "logged");
}

/* A C11 app can only get here through a void pointer (a typed one does not
 * compile); the host must refuse it loudly rather than write through it. */
static cf_rc badhandle(cf_http *h)
{
	static long not_a_handle[8];
	void *p = not_a_handle;
	(void)h;
	cf_alloc(p, 16);
	return cf_http_respond(h, 200, "text/plain", "not reached");
}

/* POST /api/test/start/{name}[/{id}]: body = input; 202 + id, or the error. */
static cf_rc start(cf_http *h)
{
	size_t len;
	const char *body = cf_http_body(h, &len), *id;
	cf_rc rc = cf_durable_start(h, cf_http_route_param(h, "name"), cf_http_route_param(h, "id"),
				  len ? body : NULL, &id);
	if (rc != CF_OK)
		return cf_http_respond(h, rc == CF_E_EXISTS ? 409 : 400, "text/plain",
				       cf_fmt(h, "%d %s", (int)rc, cf_last_error(h)));
	return cf_http_respond(h, 202, "text/plain", id);
}

/* Waits for "Go", then echoes the event data through test_activity. */
static cf_rc test_waiter(cf_orch *o)
{
	const char *data, *echoed;
	CF_AWAIT(o, cf_wait_for_event(o, "Go"), &data);
	CF_AWAIT(o, cf_call_activity(o, "test_activity", data), &echoed);
	return cf_orch_finish(o, echoed);
}

/* Fails every time with "boom". */
static cf_rc test_fail_activity(cf_act *a)
{
	return cf_act_fail(a, "boom");
}

/* Calls an activity that always fails and does not catch it. */
static cf_rc test_fails(cf_orch *o)
{
	CF_AWAIT(o, cf_call_activity(o, "test_fail_activity", NULL), NULL);
	return cf_orch_finish(o, "\"unreachable\"");
}

/* Changes its first call between replays (a process-global counter, which
 * an orchestrator must never use): the engine must detect it. */
static int nondet_runs;
static cf_rc test_nondet(cf_orch *o)
{
	const char *name = __atomic_add_fetch(&nondet_runs, 1, __ATOMIC_SEQ_CST) == 1
				   ? "test_activity"
				   : "test_fail_activity";
	CF_AWAIT(o, cf_call_activity(o, name, "1"), NULL);
	return cf_orch_finish(o, "\"done\"");
}

/* A durable timer of {"ms": N}; reports when it was due and when it woke,
 * and sets a custom status before waiting. */
static cf_rc test_timer(cf_orch *o)
{
	double ms = 100;
	int64_t start = cf_orch_now(o);
	cf_json_number(o, cf_orch_input(o), "ms", &ms);
	cf_orch_set_custom_status(o, "{\"phase\":\"waiting\"}");
	/* The start time must come from the first episode: carry it in the
	 * timer's due time, which replays identically. */
	int64_t fire_at = start + (int64_t)ms;
	CF_AWAIT(o, cf_create_timer(o, fire_at), NULL);
	cf_orch_set_custom_status(o, "{\"phase\":\"done\"}");
	return cf_orch_finish(o, cf_fmt(o, "{\"fire_at\":%lld,\"woke_at\":%lld}", (long long)fire_at,
					 (long long)cf_orch_now(o)));
}

/* {"target": id, "name": event, "data": JSON}: raises the event on the
 * target instance (cf_orch_send_event) and returns "sent". */
static cf_rc test_sender(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	if (cf_orch_send_event(o, cf_json_string(o, in, "target"), cf_json_string(o, in, "name"),
			       cf_json_get(o, in, "data")) != CF_OK)
		return CF_ERROR;
	return cf_orch_finish(o, "\"sent\"");
}

/* {"flags": N}: waits for "A", then continues as new with those flags as
 * generation 2, which waits up to 0.5 s for "B" (raised before "A"): "kept"
 * if B was carried over, else "dropped". */
static cf_rc test_continue(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	double flags = 0, gen = 1;
	cf_task *race[2], *b, *any;

	cf_json_number(o, in, "flags", &flags);
	cf_json_number(o, in, "gen", &gen);
	if (gen == 1) {
		CF_AWAIT(o, cf_wait_for_event(o, "A"), NULL);
		return cf_orch_continue_as_new(o, cf_fmt(o, "{\"flags\":%u,\"gen\":2}", (unsigned)flags),
					       (unsigned)flags);
	}
	race[0] = b = cf_wait_for_event(o, "B");
	race[1] = cf_create_timer(o, cf_orch_now(o) + 500);
	any = cf_when_any(o, race, 2);
	CF_AWAIT(o, any, NULL);
	if (cf_task_winner(any) == b) {
		cf_task_cancel(race[1]);
		return cf_orch_finish(o, "\"kept\"");
	}
	return cf_orch_finish(o, "\"dropped\"");
}

/* A retry policy whose size was never set (no CF_RETRY_INIT). */
static cf_rc test_retry_nosize(cf_orch *o)
{
	struct cf_retry r;
	memset(&r, 0, sizeof(r));
	r.first_interval_ms = 100;
	r.max_attempts = 2;
	CF_AWAIT(o, cf_call_activity_with_retry(o, "test_activity", &r, "1"), NULL);
	return cf_orch_finish(o, "\"unreachable\"");
}

/* Calls an activity nobody registered. */
static cf_rc test_unknown_activity(cf_orch *o)
{
	CF_AWAIT(o, cf_call_activity(o, "no_such_activity", NULL), NULL);
	return cf_orch_finish(o, "\"unreachable\"");
}

/* Kills the whole host on every attempt: only the poison threshold ends it. */
static cf_rc test_crash_activity(cf_act *a)
{
	(void)a;
	_exit(3);
}

static cf_rc test_poison(cf_orch *o)
{
	CF_AWAIT(o, cf_call_activity(o, "test_crash_activity", NULL), NULL);
	return cf_orch_finish(o, "\"survived\"");
}

/* One answer for the functions that only exist to test auth levels. */
static cf_rc secret(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", cf_http_function_name(h));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "slow", "GET", "slow", CF_AUTH_ANONYMOUS, slow);
	cf_register_http(app, "auth_function", "GET", "secure/function", CF_AUTH_FUNCTION, secret);
	cf_register_http(app, "auth_other", "GET", "secure/other", CF_AUTH_FUNCTION, secret);
	cf_register_http(app, "auth_admin", "GET", "secure/admin", CF_AUTH_ADMIN, secret);
	cf_register_http(app, "fail", "GET", "fail", CF_AUTH_ANONYMOUS, fail);
	cf_register_http(app, "echo", NULL, "echo/{*rest}", CF_AUTH_ANONYMOUS, echo);
	cf_register_http(app, "setting", "GET", "setting", CF_AUTH_ANONYMOUS, setting);
	cf_register_http(app, "dupheader", "GET", "dupheader", CF_AUTH_ANONYMOUS, dupheader);
	cf_register_activity(app, "test_activity", test_activity);
	cf_register_orchestrator(app, "test_orchestrator", test_orchestrator);
	cf_register_orchestrator(app, "test_waiter", test_waiter);
	cf_register_orchestrator(app, "test_fails", test_fails);
	cf_register_activity(app, "test_fail_activity", test_fail_activity);
	cf_register_orchestrator(app, "test_nondet", test_nondet);
	cf_register_orchestrator(app, "test_timer", test_timer);
	cf_register_orchestrator(app, "test_poison", test_poison);
	cf_register_orchestrator(app, "test_unknown_activity", test_unknown_activity);
	cf_register_activity(app, "test_crash_activity", test_crash_activity);
	cf_register_http(app, "test_status", "GET", "test/status/{id}", CF_AUTH_ANONYMOUS, status);
	cf_register_http(app, "test_raise", "POST", "test/raise/{id}/{event}", CF_AUTH_ANONYMOUS, raise);
	cf_register_http(app, "test_start", "POST", "test/start/{name}/{id?}", CF_AUTH_ANONYMOUS, start);
	cf_register_http(app, "test_restart", "POST", "test/restart/{id}", CF_AUTH_ANONYMOUS, restart);
	cf_register_http(app, "test_json", "POST", "test/json", CF_AUTH_ANONYMOUS, json);
	cf_register_http(app, "test_lognull", "GET", "test/lognull", CF_AUTH_ANONYMOUS, lognull);
	cf_register_http(app, "test_badhandle", "GET", "test/badhandle", CF_AUTH_ANONYMOUS, badhandle);
	cf_register_orchestrator(app, "test_sender", test_sender);
	cf_register_orchestrator(app, "test_continue", test_continue);
	cf_register_orchestrator(app, "test_retry_nosize", test_retry_nosize);
	return CF_OK;
}

CF_APP_INIT(init)
