/*
 * eternal - the seeds' eternal orchestration sample in C: periodic work on
 * a durable timer, restarted with continue-as-new after every run so the
 * history never grows, until a stop event or max_iterations.
 *
 *   POST /api/eternal_orchestration   starts eternal_orchestrator; the body
 *        (optional) is {"task_type": "health_check", "interval_minutes": 2,
 *        "max_iterations": 5, "target_url": "..."}; interval_seconds
 *        (fractions allowed) may replace interval_minutes. Answers 202 with
 *        the check-status payload.
 *   GET  /api/status/{instanceId}     the instance status (add
 *        ?showHistory=true for the history of the current generation).
 *   POST /api/stop/{instanceId}       raises the "stop" event.
 *
 *   eternal_orchestrator   each generation runs perform_periodic_work once,
 *                          then waits for the interval or the stop event; on
 *                          the timer it continues as new with the iteration
 *                          count in its input. Custom status:
 *                          {current_iteration, max_iterations, last_run,
 *                           task_type}. Output:
 *                          {"status": "completed" or "stopped",
 *                           "total_iterations": N, "final_result": {...}}.
 *   perform_periodic_work  the recurring task; reports when it ran.
 */
#include <cfunc.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#define STOP_EVENT "stop"

/* ISO 8601 UTC to the second, as the seed shows: 2025-09-19T16:45:30Z */
static const char *iso_time(cf_ctx *ctx, int64_t unix_ms)
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cf_fmt(ctx, "%s", buf);
}

/* A number member, `def` when absent; -1 when present but not a number. */
static double number_or(cf_ctx *ctx, const char *json, const char *key, double def)
{
	double v;
	switch (cf_json_number(ctx, json, key, &v)) {
	case CF_OK:
		return v;
	case CF_E_NOTFOUND:
		return def;
	default:
		return -1;
	}
}

struct settings {
	const char *task_type;
	double interval_s;
	int max_iterations;
	int done; /* iterations run by earlier generations */
	const char *error; /* why the input is refused */
};

/* Reads the seed's input, with its defaults; shared by the starter (to
 * refuse bad input with 400) and the orchestrator. */
static struct settings read_settings(cf_ctx *ctx, const char *in)
{
	struct settings s = { .task_type = cf_json_string(ctx, in, "task_type") };
	double max = number_or(ctx, in, "max_iterations", 5);
	double done = number_or(ctx, in, "current_iteration", 0);

	if (!s.task_type)
		s.task_type = "health_check";
	if (cf_json_get(ctx, in, "interval_seconds"))
		s.interval_s = number_or(ctx, in, "interval_seconds", 0);
	else
		s.interval_s = number_or(ctx, in, "interval_minutes", 2) * 60;
	if (!(s.interval_s > 0 && s.interval_s <= 366 * 24 * 3600.0))
		s.error = "interval_seconds / interval_minutes must be a positive number";
	else if (!(max >= 1 && max <= 1000000) || max != (int)max)
		s.error = "max_iterations must be an integer from 1 to 1000000";
	else if (!(done >= 0 && done < max) || done != (int)done)
		s.error = "current_iteration must be an integer from 0 to max_iterations - 1";
	else if (cf_json_get(ctx, in, "task_type") && !cf_json_string(ctx, in, "task_type"))
		s.error = "task_type must be a string";
	if (!s.error) {
		s.max_iterations = (int)max;
		s.done = (int)done;
	}
	return s;
}

/* `key` copied verbatim from `in` as a `"key":value,` member, or "". */
static const char *carry(cf_ctx *ctx, const char *in, const char *key)
{
	const char *v = cf_json_get(ctx, in, key);
	return v ? cf_fmt(ctx, "\"%s\":%s,", key, v) : "";
}

static cf_rc eternal_orchestrator(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	const char *url = cf_json_get(o, in, "target_url");
	struct settings s = read_settings(cf_orch_ctx(o), in);
	int iteration = s.done + 1;
	const char *result, *input, *next;
	cf_task *race[2], *any, *timer, *stop;

	if (s.error)
		return cf_orch_fail(o, s.error);

	cf_orch_set_custom_status(
		o, cf_fmt(o,
			  "{\"current_iteration\":%d,\"max_iterations\":%d,\"last_run\":\"%s\","
			  "\"task_type\":%s}",
			  iteration, s.max_iterations, iso_time(cf_orch_ctx(o), cf_orch_now(o)),
			  cf_json_quote(o, s.task_type)));

	input = cf_fmt(o, "{\"iteration\":%d,\"task_type\":%s%s}", iteration,
		       cf_json_quote(o, s.task_type),
		       url ? cf_fmt(o, ",\"target_url\":%s", url) : "");
	CF_AWAIT(o, cf_call_activity(o, "perform_periodic_work", input), &result);

	if (iteration >= s.max_iterations)
		return cf_orch_finish(o, cf_fmt(o,
						"{\"status\":\"completed\",\"total_iterations\":%d,"
						"\"final_result\":%s}",
						iteration, result));

	/* Sleep until the next run, unless someone asks us to stop. A stop
	 * raised while the activity ran is buffered and wins at once. */
	timer = cf_create_timer(o, cf_orch_now(o) + (int64_t)(s.interval_s * 1000));
	stop = cf_wait_for_event(o, STOP_EVENT);
	race[0] = timer;
	race[1] = stop;
	any = cf_when_any(o, race, 2);
	CF_AWAIT(o, any, NULL);
	if (cf_task_winner(any) == stop) {
		cf_task_cancel(timer);
		return cf_orch_finish(o, cf_fmt(o,
						"{\"status\":\"stopped\",\"total_iterations\":%d,"
						"\"final_result\":%s}",
						iteration, result));
	}

	/* A fresh history for the next run: the user's settings plus the count.
	 * Events that arrive meanwhile are carried over (CF_CONTINUE_KEEP_EVENTS), so a
	 * stop sent now is not lost. */
	next = cf_fmt(o, "{%s%s%s%s%s\"current_iteration\":%d}", carry(cf_orch_ctx(o), in, "task_type"),
		      carry(cf_orch_ctx(o), in, "interval_minutes"), carry(cf_orch_ctx(o), in, "interval_seconds"),
		      carry(cf_orch_ctx(o), in, "max_iterations"), carry(cf_orch_ctx(o), in, "target_url"), iteration);
	return cf_orch_continue_as_new(o, next, CF_CONTINUE_KEEP_EVENTS);
}

static cf_rc perform_periodic_work(cf_act *a)
{
	const char *in = cf_act_input(a);
	const char *task_type = cf_json_string(a, in, "task_type");
	const char *url = cf_json_get(a, in, "target_url");
	double iteration;

	if (cf_json_number(a, in, "iteration", &iteration) != CF_OK || !task_type)
		return cf_act_fail(a, "perform_periodic_work expects {iteration, task_type}");
	cf_log(a, CF_LOG_INFO, "Iteration %g: %s", iteration, task_type);
	/* An activity may read the clock; an orchestrator may not. */
	return cf_act_return(a, cf_fmt(a,
				       "{\"iteration\":%g,\"task_type\":%s,\"success\":true,"
				       "\"executed_at\":\"%s\"%s}",
				       iteration, cf_json_quote(a, task_type),
				       iso_time(cf_act_ctx(a), (int64_t)time(NULL) * 1000),
				       url ? cf_fmt(a, ",\"target_url\":%s", url) : ""));
}

/* ---- HTTP ---------------------------------------------------------------- */

static cf_rc respond_error(cf_http *h, int status, const char *message)
{
	return cf_http_respond(h, status, "application/json",
			       cf_fmt(h, "{\"error\":%s}", cf_json_quote(h, message)));
}

static cf_rc start_eternal_orchestration(cf_http *h)
{
	size_t len;
	const char *body = cf_http_body(h, &len);
	const char *id;
	struct settings s;

	if (len == 0)
		body = "{}";
	if (cf_json_check(h, body) != CF_OK || body[strspn(body, " \t\r\n")] != '{')
		return respond_error(h, 400, "the body must be a JSON object");
	s = read_settings(cf_http_ctx(h), body);
	if (s.error)
		return respond_error(h, 400, s.error);
	if (cf_durable_start(h, "eternal_orchestrator", NULL, body, &id) != CF_OK)
		return respond_error(h, 500, cf_last_error(h));
	cf_log(h, CF_LOG_INFO, "Started eternal orchestration with ID = '%s'.", id);
	return cf_durable_check_status_response(h, id);
}

static cf_rc get_eternal_status(cf_http *h)
{
	const char *history = cf_http_query(h, "showHistory");
	const char *status;
	unsigned flags = history && strcmp(history, "true") == 0
				 ? CF_STATUS_HISTORY | CF_STATUS_HISTORY_OUTPUT
				 : 0;
	cf_rc rc = cf_durable_status(h, cf_http_route_param(h, "instanceId"), flags, &status);

	if (rc == CF_E_NOTFOUND)
		return respond_error(h, 404, "no instance with this id");
	if (rc != CF_OK)
		return respond_error(h, 500, cf_last_error(h));
	return cf_http_respond(h, 200, "application/json", status);
}

static cf_rc stop_eternal_orchestration(cf_http *h)
{
	const char *id = cf_http_route_param(h, "instanceId");
	cf_rc rc = cf_durable_raise_event(h, id, STOP_EVENT, NULL);

	if (rc == CF_E_NOTFOUND)
		return respond_error(h, 404, "no instance with this id");
	if (rc == CF_E_GONE)
		return respond_error(h, 410, "the instance has already finished");
	if (rc != CF_OK)
		return respond_error(h, 500, cf_last_error(h));
	return cf_http_respond(h, 202, "application/json",
			       cf_fmt(h, "{\"message\":\"Stop signal sent\",\"instanceId\":%s}",
				      cf_json_quote(h, id)));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "start_eternal_orchestration", "POST", "eternal_orchestration",
			 CF_AUTH_ANONYMOUS, start_eternal_orchestration);
	cf_register_http(app, "get_eternal_status", "GET", "status/{instanceId}", CF_AUTH_ANONYMOUS,
			 get_eternal_status);
	cf_register_http(app, "stop_eternal_orchestration", "POST", "stop/{instanceId}",
			 CF_AUTH_ANONYMOUS, stop_eternal_orchestration);
	cf_register_orchestrator(app, "eternal_orchestrator", eternal_orchestrator);
	cf_register_activity(app, "perform_periodic_work", perform_periodic_work);
	return CF_OK;
}

CF_APP_INIT(init)
