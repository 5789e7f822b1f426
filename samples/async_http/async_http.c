/*
 * async_http - the async HTTP API pattern: start an orchestration and wait a
 * little for it; answer with the result when it finishes in time, otherwise
 * with 202 and the URLs to poll.
 *
 *   POST /api/async/{function_name}?timeout_ms=10000&retry_ms=1000
 *        starts orchestrator function_name with the body (JSON, optional)
 *        as input and waits up to timeout_ms for it to finish (retry_ms
 *        is the polling interval of the real client; cfunc checks it but
 *        answers as soon as the outcome commits). Answers
 *          200 + the output               when it completed in time,
 *          200 + the status object        when it failed or was terminated,
 *          202 + the check-status payload (Location: statusQueryGetUri)
 *                                         when it is still running.
 *
 *   long_running_job  an orchestrator to try it with: sleeps on a durable
 *                     timer for duration_seconds (default 2, fractions
 *                     allowed), then calls finish_job; returns
 *                     {"job": "done", "duration_seconds": d}.
 *   finish_job        the work at the end of the job.
 */
#include <cfunc.h>

#include <stdlib.h>

static cf_rc respond_error(cf_http *h, int status, const char *message)
{
	return cf_http_respond(h, status, "application/json",
			       cf_fmt(h, "{\"Message\":%s}", cf_json_quote(h, message)));
}

/* A query parameter in milliseconds, `def` when absent, -1 when invalid. */
static long long query_ms(cf_http *h, const char *name, long long def)
{
	const char *v = cf_http_query(h, name);
	char *end;
	long long n;

	if (!v)
		return def;
	n = strtoll(v, &end, 10);
	return *v && !*end && n >= 0 && n <= 3600 * 1000 ? n : -1;
}

static cf_rc async_http_start(cf_http *h)
{
	const char *name = cf_http_route_param(h, "function_name");
	long long timeout_ms = query_ms(h, "timeout_ms", 10000);
	long long retry_ms = query_ms(h, "retry_ms", timeout_ms < 1000 ? timeout_ms : 1000);
	size_t len;
	const char *body = cf_http_body(h, &len);
	const char *id;

	if (timeout_ms < 0 || retry_ms < 0 || retry_ms > timeout_ms || (timeout_ms > 0 && retry_ms == 0))
		return respond_error(h, 400, "timeout_ms and retry_ms must be whole milliseconds "
					     "with 0 < retry_ms <= timeout_ms <= 3600000");
	if (len > 0 && cf_json_check(h, body) != CF_OK)
		return respond_error(h, 400, "Invalid JSON content");
	if (cf_durable_start(h, name, NULL, len > 0 ? body : NULL, &id) != CF_OK)
		return respond_error(h, 400, cf_last_error(h));
	cf_log(h, CF_LOG_INFO, "Started orchestration with ID = '%s'.", id);
	if (timeout_ms == 0) /* do not wait at all */
		return cf_durable_check_status_response(h, id);
	return cf_durable_wait_or_check_status_response(h, id, timeout_ms, retry_ms);
}

static cf_rc long_running_job(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	double seconds = 2;
	cf_rc rc;

	rc = cf_json_number(o, in, "duration_seconds", &seconds);
	if (rc == CF_E_INVALID || (rc == CF_OK && !(seconds >= 0 && seconds <= 86400)))
		return cf_orch_fail(o, "duration_seconds must be a number from 0 to 86400");

	CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + (int64_t)(seconds * 1000)), NULL);
	CF_AWAIT(o, cf_call_activity(o, "finish_job", NULL), NULL);
	return cf_orch_finish(o, cf_fmt(o, "{\"job\":\"done\",\"duration_seconds\":%g}", seconds));
}

static cf_rc finish_job(cf_act *a)
{
	cf_log(a, CF_LOG_INFO, "Job of %s finished", cf_act_instance_id(a));
	return cf_act_return(a, "true");
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "async_http_start", "POST", "async/{function_name}",
			 CF_AUTH_ANONYMOUS, async_http_start);
	cf_register_orchestrator(app, "long_running_job", long_running_job);
	cf_register_activity(app, "finish_job", finish_job);
	return CF_OK;
}

CF_APP_INIT(init)
