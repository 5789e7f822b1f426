/* Fan-out/fan-in: an HTTP starter, an orchestrator running one activity per item in parallel */
/*
 * Try it:
 *   make && cfunc start
 *   curl -X POST -d '{"count":5}' http://127.0.0.1:7071/api/orchestrators/fan_out
 *   curl <statusQueryGetUri from the answer>
 *   -> "output":{"items":5,"total":250}
 */
#include <cfunc.h>

#define MAX_ITEMS 1000

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

static cf_rc fan_out(cf_orch *o)
{
	double count = 5, total = 0;
	const char *results;
	cf_task **tasks;
	int n;
	if (cf_json_number(o, cf_orch_input(o), "count", &count) == CF_E_INVALID ||
	    !(count >= 1 && count <= MAX_ITEMS) || count != (int)count)
		return cf_orch_fail(o, "count must be an integer from 1 to 1000");
	n = (int)count;
	/* Fan out: every activity is scheduled before the first wait. */
	tasks = cf_alloc(o, (size_t)n * sizeof(*tasks));
	for (int i = 0; i < n; i++)
		tasks[i] = cf_call_activity(o, "work_on", cf_fmt(o, "%d", i));
	/* Fan in: the results as a JSON array, in call order. */
	CF_AWAIT(o, cf_when_all(o, tasks, (size_t)n), &results);
	for (int i = 0; i < n; i++) {
		double v = 0;
		cf_json_number(o, results, cf_fmt(o, "%d", i), &v);
		total += v;
	}
	return cf_orch_finish(o, cf_fmt(o, "{\"items\":%d,\"total\":%.0f}", n, total));
}

static cf_rc work_on(cf_act *a)
{
	double item = 0;
	cf_json_number(a, cf_act_input(a), NULL, &item);
	return cf_act_return(a, cf_fmt(a, "%.0f", item * 10 + 30));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "http_start", "GET,POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, http_start);
	cf_register_orchestrator(app, "fan_out", fan_out);
	cf_register_activity(app, "work_on", work_on);
	return CF_OK;
}

CF_APP_INIT(init)
