/*
 * timer_app.c - a timer function for tests/50-e2e/timer.sh, driven by app
 * settings: TickSchedule (the schedule, through %TickSchedule%),
 * TickRunOnStartup=1, TickSleepMs (how long each run takes). Every run logs
 * "tick begin <TimerInfo>" and "tick end".
 */
#include <cfunc.h>

#include <stdlib.h>
#include <time.h>

static cf_rc tick(cf_timer *t)
{
	const char *sleep_ms = cf_setting("TickSleepMs");
	cf_log(t, CF_LOG_INFO, "tick begin %s", cf_timer_info(t));
	if (sleep_ms) {
		long ms = atol(sleep_ms);
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL); /* the work this timer "does" */
	}
	cf_log(t, CF_LOG_INFO, "tick end");
	return CF_OK;
}

static cf_rc init(cf_app *app)
{
	const char *startup = cf_setting("TickRunOnStartup");
	unsigned flags = startup && *startup == '1' ? CF_TIMER_RUN_ON_STARTUP : 0;
	return cf_register_timer(app, "tick", "%TickSchedule%", flags, tick);
}

CF_APP_INIT(init)
