/*
 * monitor - the monitor pattern: poll a status on a durable timer until a
 * condition holds or a deadline passes, then carry on.
 *
 * Start it through durable_hello's starter (the body is the input):
 *   POST /api/orchestrators/monitor_job
 *        {"job_id": "job-42", "poll_interval_seconds": 5,
 *         "expiry_seconds": 60, "ready_after_polls": 3}
 *
 *   monitor_job       calls check_job_status every poll_interval_seconds
 *                     (default 5, fractions allowed) until it answers
 *                     "Completed" or expiry_seconds (default 60) have passed
 *                     since the start. Custom status {"job_id", "polls",
 *                     "job_status"}. When the job completed it calls
 *                     send_job_alert; returns {"job_id", "job_status":
 *                     "Completed" or "Expired", "polls": n}.
 *   check_job_status  stands in for asking an external system; this one
 *                     reports "Completed" from poll ready_after_polls on
 *                     (default 3), "Running" before.
 *   send_job_alert    what the monitor does once the condition holds.
 */
#include <cfunc.h>

#include <string.h>

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

static cf_rc monitor_job(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	const char *job_id = cf_json_get(o, in, "job_id");
	double interval_s = number_or(cf_orch_ctx(o), in, "poll_interval_seconds", 5);
	double expiry_s = number_or(cf_orch_ctx(o), in, "expiry_seconds", 60);
	double ready_after = number_or(cf_orch_ctx(o), in, "ready_after_polls", 3);
	const char *status = "Running";
	int polls = 0;
	int64_t expiry;

	if (!job_id)
		job_id = "null";
	if (!(interval_s > 0 && interval_s <= 86400) || !(expiry_s >= 0 && expiry_s <= 31622400))
		return cf_orch_fail(o, "poll_interval_seconds must be in (0, 86400] and "
				       "expiry_seconds in [0, 31622400]");
	if (!(ready_after >= 0 && ready_after <= 1000000))
		return cf_orch_fail(o, "ready_after_polls must be from 0 to 1000000");

	/* At the top of the function cf_orch_now() is the time of the first
	 * episode on every replay, so the deadline never moves. */
	expiry = cf_orch_now(o) + (int64_t)(expiry_s * 1000);

	/* Each poll is an activity plus a timer in this execution's history. For
	 * a monitor that runs for weeks, continue-as-new every few hundred polls
	 * would keep the history short (see the eternal sample). */
	while (cf_orch_now(o) < expiry) {
		const char *answer;

		polls++;
		CF_AWAIT(o, cf_call_activity(o, "check_job_status",
					     cf_fmt(o, "{\"job_id\":%s,\"poll\":%d,\"ready_after_polls\":%g}",
						    job_id, polls, ready_after)),
			 &answer);
		status = cf_json_string(o, answer, "job_status");
		if (!status)
			return cf_orch_fail(o, "check_job_status gave no job_status");
		cf_orch_set_custom_status(o, cf_fmt(o, "{\"job_id\":%s,\"polls\":%d,\"job_status\":%s}",
						    job_id, polls, cf_json_quote(o, status)));
		if (strcmp(status, "Completed") == 0)
			break;
		CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + (int64_t)(interval_s * 1000)), NULL);
	}

	if (strcmp(status, "Completed") != 0)
		status = "Expired";
	else
		CF_AWAIT(o, cf_call_activity(o, "send_job_alert", job_id), NULL);
	return cf_orch_finish(o, cf_fmt(o, "{\"job_id\":%s,\"job_status\":\"%s\",\"polls\":%d}",
					job_id, status, polls));
}

static cf_rc check_job_status(cf_act *a)
{
	const char *in = cf_act_input(a);
	double poll = 0, ready_after = 0;

	cf_json_number(a, in, "poll", &poll);
	cf_json_number(a, in, "ready_after_polls", &ready_after);
	return cf_act_return(a, cf_fmt(a, "{\"job_id\":%s,\"job_status\":\"%s\"}",
				       cf_json_get(a, in, "job_id"),
				       poll >= ready_after ? "Completed" : "Running"));
}

static cf_rc send_job_alert(cf_act *a)
{
	cf_log(a, CF_LOG_INFO, "Job %s is done", cf_act_input(a));
	return cf_act_return(a, "true");
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "monitor_job", monitor_job);
	cf_register_activity(app, "check_job_status", check_job_status);
	cf_register_activity(app, "send_job_alert", send_job_alert);
	return CF_OK;
}

CF_APP_INIT(init)
