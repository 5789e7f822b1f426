/*
 * timer_cleanup - a timer trigger that starts a cleanup orchestration.
 *
 * cleanup_timer runs on the schedule in the app setting CleanupSchedule
 * (e.g. "0,30 * * * * *" or the TimeSpan "00:00:30"); each run starts
 * cleanup_orchestrator through the durable client with the TimerInfo as
 * input. The orchestrator calls the cleanup_expired activity and returns
 * what it reports. Without CleanupSchedule the app registers nothing but
 * a log line, so serving every sample does not start timers.
 */
#include <cfunc.h>

static cf_rc cleanup_timer(cf_timer *t)
{
	const char *id;
	cf_http *client = cf_timer_durable_client(t);
	if (cf_durable_start(client, "cleanup_orchestrator", NULL, cf_timer_info(t), &id) != CF_OK) {
		cf_log(t, CF_LOG_ERROR, "cannot start the cleanup: %s", cf_last_error(client));
		return CF_ERROR;
	}
	cf_log(t, CF_LOG_INFO, "Started cleanup orchestration with ID = '%s'.", id);
	return CF_OK;
}

static cf_rc cleanup_orchestrator(cf_orch *o)
{
	const char *report;
	int past_due = 0;
	cf_json_bool(o, cf_orch_input(o), "IsPastDue", &past_due);
	CF_AWAIT(o, cf_call_activity(o, "cleanup_expired", past_due ? "true" : "false"), &report);
	return cf_orch_finish(o, report);
}

/* Stands in for deleting expired rows; reports what it did. */
static cf_rc cleanup_expired(cf_act *a)
{
	return cf_act_return(a, cf_fmt(a, "{\"removed\":0,\"pastDue\":%s}", cf_act_input(a)));
}

static cf_rc init(cf_app *app)
{
	if (!cf_setting("CleanupSchedule")) {
		cf_log(app, CF_LOG_INFO, "CleanupSchedule is not set: the cleanup timer is off");
		return CF_OK;
	}
	cf_register_timer(app, "cleanup_timer", "%CleanupSchedule%", 0, cleanup_timer);
	cf_register_orchestrator(app, "cleanup_orchestrator", cleanup_orchestrator);
	return cf_register_activity(app, "cleanup_expired", cleanup_expired);
}

CF_APP_INIT(init)
