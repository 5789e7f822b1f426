/*
 * timers.c - scheduling of timer functions, after the Functions host's
 * TimerListener and ScheduleMonitor:
 *   - on start, with useMonitor: no stored status -> store {Next: next(now)};
 *     a stored Next in the past -> one run with IsPastDue (missed runs are
 *     not replayed one by one); else runOnStartup runs once;
 *   - after every run (success or not): Last = the occurrence (or now when
 *     late), Next = next(Last), LastUpdated = Last; then sleep until the
 *     next occurrence after now, so a run longer than the period skips;
 *   - one run at a time per timer: a scheduled occurrence that finds an
 *     admin-fired run still going is skipped.
 */
#include "host/timers.h"
#include "common/clock.h"
#include "host/log.h"
#include "host/worker/supervisor.h"
#include "runtime/ncrontab.h"
#include "runtime/store.h"
#include "bindings/timer_trigger.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct host_timer {
	struct host_timers *owner;
	const struct bind_function *fn;
	struct rt_schedule sched;
	int monitor;
	struct rt_timer_status status; /* valid when monitor */
	pthread_mutex_t run_lock;      /* held while the function runs */
	pthread_t thread;
};

struct host_timers {
	struct host_timer *t;
	size_t n;
	struct bind_durable *durable;
	struct rt_store *store; /* NULL: statuses in memory only */
	pthread_mutex_t mu;     /* stop, admin_runs, store */
	pthread_cond_t cv;
	int stop;
	int admin_runs;
};

static struct host_timers *current; /* for the admin API; set while running */
/* Set before the scheduler starts (worker processes, the default): runs go to a
 * worker of the timer's app, so a crash fails that run alone. */
static struct host_workers *timer_workers;

void host_timers_use_workers(struct host_workers *w)
{
	timer_workers = w;
}

/* The scheduler's now is the durable clock's (rt_now_us): with the test
 * clock advanced (--ephemeral) a timer's next occurrence can be made due,
 * as a durable timer can. The offset is 0 outside test mode. */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + rt_clock_offset_us() / 1000;
}

/* .NET's round-trip format ("o"): 2024-01-01T10:00:00.1234560+00:00. */
static void iso_fired(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char date[32], off[24];
	clock_gettime(CLOCK_REALTIME, &ts);
	/* The same clock as now_ms(), so the reason agrees with TimerInfo. */
	int64_t shift = rt_clock_offset_us();
	ts.tv_sec += shift / 1000000;
	ts.tv_nsec += (long)(shift % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	long o = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
	snprintf(off, sizeof(off), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', o / 3600, o / 60 % 60);
	snprintf(buf, size, "%s.%07ld%s", date, ts.tv_nsec / 100, off);
}

static void iso_or_default(int64_t ms, char *buf, size_t size)
{
	if (ms <= 0)
		snprintf(buf, size, "0001-01-01T00:00:00");
	else
		rt_schedule_iso_local(ms, buf, size);
}

static char *timer_info(const struct host_timer *t, int past_due)
{
	char last[48], next[48], upd[48];
	if (!t->monitor)
		return xasprintf("{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":null,"
				 "\"IsPastDue\":%s}",
				 past_due ? "true" : "false");
	iso_or_default(t->status.last_ms, last, sizeof(last));
	iso_or_default(t->status.next_ms, next, sizeof(next));
	iso_or_default(t->status.updated_ms, upd, sizeof(upd));
	return xasprintf("{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":{\"Last\":\"%s\","
			 "\"Next\":\"%s\",\"LastUpdated\":\"%s\"},\"IsPastDue\":%s}",
			 last, next, upd, past_due ? "true" : "false");
}

static void save_status(struct host_timer *t)
{
	struct host_timers *ts = t->owner;
	if (!t->monitor || !ts->store)
		return;
	pthread_mutex_lock(&ts->mu);
	if (rt_store_begin(ts->store) != 0 ||
	    rt_store_timer_status_put(ts->store, t->fn->name, &t->status) != 0 ||
	    rt_store_commit(ts->store) != 0) {
		host_log("Host.Triggers.Timer", RT_LOG_ERROR,
			 "Cannot save the schedule status of '%s': %s", t->fn->name,
			 rt_store_errmsg(ts->store));
		rt_store_rollback(ts->store);
	}
	pthread_mutex_unlock(&ts->mu);
}

/* One run; run_lock is held by the caller. `scheduled_ms` is the occurrence
 * (0 for unscheduled runs). */
static void run_locked(struct host_timer *t, int past_due, const char *reason, const char *details,
		       int64_t scheduled_ms)
{
	int64_t invoked = now_ms();
	char *info = timer_info(t, past_due);
	if (timer_workers)
		host_workers_timer_run(timer_workers, t->fn, t->owner->durable, info, reason, details);
	else
		bind_timer_run(t->fn, t->owner->durable, info, reason, details);
	free(info);
	if (t->monitor) {
		/* A run that fired a little early counts as its occurrence, so
		 * Next never repeats (func's adjustedInvocationTime). */
		int64_t adj = !past_due && scheduled_ms > invoked ? scheduled_ms : invoked;
		t->status.last_ms = adj;
		t->status.next_ms = rt_schedule_next(&t->sched, adj);
		t->status.updated_ms = adj;
		save_status(t);
	}
}

/* Sleeps until `at_ms` (now_ms()'s clock) or stop; returns 1 when stopping.
 * The condition variable waits on the real clock, so the deadline is
 * recomputed after every wake: host_timers_wake() may have moved the test
 * clock past `at_ms`. */
static int sleep_until(struct host_timers *ts, int64_t at_ms)
{
	int stop;
	pthread_mutex_lock(&ts->mu);
	while (!ts->stop && now_ms() < at_ms) {
		int64_t real = at_ms - rt_clock_offset_us() / 1000;
		struct timespec dl = {.tv_sec = real / 1000, .tv_nsec = (real % 1000) * 1000000};
		if (pthread_cond_timedwait(&ts->cv, &ts->mu, &dl) == ETIMEDOUT)
			break;
	}
	stop = ts->stop;
	pthread_mutex_unlock(&ts->mu);
	return stop;
}

static void load_status(struct host_timer *t, int64_t now, int *past_due)
{
	struct host_timers *ts = t->owner;
	struct rt_timer_status st;
	int rc = RT_E_NOTFOUND;
	*past_due = 0;
	if (ts->store) {
		pthread_mutex_lock(&ts->mu);
		rc = rt_store_timer_status_get(ts->store, t->fn->name, &st);
		pthread_mutex_unlock(&ts->mu);
	}
	if (rc != RT_OK) {
		t->status = (struct rt_timer_status){0, rt_schedule_next(&t->sched, now), now};
		save_status(t);
		return;
	}
	int64_t base = st.last_ms ? st.last_ms : st.updated_ms ? st.updated_ms : now;
	int64_t expected = rt_schedule_next(&t->sched, base);
	if (st.next_ms != expected) {
		/* The schedule changed since the status was stored. */
		if (now > expected)
			expected = rt_schedule_next(&t->sched, now);
		st = (struct rt_timer_status){0, expected, now};
		t->status = st;
		save_status(t);
	}
	t->status = st;
	*past_due = now > st.next_ms;
}

static void log_occurrences(const struct host_timer *t, int64_t now)
{
	char line[1024];
	int n = snprintf(line, sizeof(line),
			 "The next 5 occurrences of the '%s' schedule (%s) will be:", t->fn->name,
			 t->fn->schedule);
	for (int i = 0; i < 5 && n > 0 && (size_t)n < sizeof(line); i++) {
		char iso[48];
		now = rt_schedule_next(&t->sched, now);
		if (now == RT_SCHEDULE_NEVER)
			break;
		rt_schedule_iso_local(now, iso, sizeof(iso));
		n += snprintf(line + n, sizeof(line) - (size_t)n, "\n%s", iso);
	}
	host_log("Host.Triggers.Timer", RT_LOG_INFO, "%s", line);
}

static void *timer_main(void *arg)
{
	struct host_timer *t = arg;
	struct host_timers *ts = t->owner;
	int64_t now = now_ms(), next;
	int past_due = 0;
	char reason[96], details[160], orig[48];

	host_log_thread_buffered(0);
	log_occurrences(t, now);
	if (t->monitor)
		load_status(t, now, &past_due);
	if (past_due) {
		host_log("Host.Triggers.Timer", RT_LOG_INFO,
			 "Function '%s' is past due on startup. Executing now.", t->fn->name);
		iso_fired(reason + 15, sizeof(reason) - 15);
		memcpy(reason, "Timer fired at ", 15);
		rt_schedule_iso_local(t->status.next_ms, orig, sizeof(orig));
		snprintf(details, sizeof(details),
			 "UnscheduledInvocationReason: IsPastDue, OriginalSchedule: %s", orig);
		pthread_mutex_lock(&t->run_lock);
		run_locked(t, 1, reason, details, 0);
		pthread_mutex_unlock(&t->run_lock);
	} else if (t->fn->timer_flags & CF_TIMER_RUN_ON_STARTUP) {
		host_log("Host.Triggers.Timer", RT_LOG_INFO,
			 "Function '%s' is configured to run on startup. Executing now.", t->fn->name);
		iso_fired(reason + 15, sizeof(reason) - 15);
		memcpy(reason, "Timer fired at ", 15);
		pthread_mutex_lock(&t->run_lock);
		run_locked(t, 0, reason, "UnscheduledInvocationReason: RunOnStartup", 0);
		pthread_mutex_unlock(&t->run_lock);
	}
	/* A TimeSpan counts from the last occurrence: a run longer than the
	 * interval is followed at once by the next (func's ConstantSchedule). */
	next = rt_schedule_next(&t->sched, now_ms());
	for (;;) {
		if (next == RT_SCHEDULE_NEVER) {
			sleep_until(ts, INT64_MAX / 2);
			break;
		}
		if (sleep_until(ts, next))
			break;
		int64_t fired = next;
		if (pthread_mutex_trylock(&t->run_lock) == 0) {
			memcpy(reason, "Timer fired at ", 15);
			iso_fired(reason + 15, sizeof(reason) - 15);
			run_locked(t, 0, reason, NULL, fired);
			pthread_mutex_unlock(&t->run_lock);
		}
		next = t->sched.kind == RT_SCHEDULE_INTERVAL
			       ? fired + t->sched.interval_ms
			       : rt_schedule_next(&t->sched, now_ms());
		if (t->sched.kind == RT_SCHEDULE_INTERVAL && next < now_ms())
			next = now_ms();
	}
	return NULL;
}

void host_timers_apply_time_zone(void)
{
	const char *wtz = getenv("WEBSITE_TIME_ZONE");
	if (wtz && *wtz && !getenv("TZ"))
		setenv("TZ", wtz, 1);
	tzset();
}

struct host_timers *host_timers_start(struct bind_registry *reg, struct bind_durable *durable,
				      const char *store_path, int sync_normal)
{
	struct host_timers *ts;
	size_t n = 0;
	for (size_t i = 0; i < reg->nfns; i++)
		n += reg->fns[i]->kind == BIND_FN_TIMER && !reg->fns[i]->disabled;
	if (!n)
		return NULL;
	tzset();

	ts = xcalloc(1, sizeof(*ts));
	ts->t = xcalloc(n, sizeof(*ts->t));
	ts->durable = durable;
	pthread_mutex_init(&ts->mu, NULL);
	pthread_cond_init(&ts->cv, NULL);
	if (store_path) {
		struct rt_store_opts o = {.sync_normal = sync_normal};
		char *err = NULL;
		if (rt_store_open(&ts->store, store_path, &o, &err) != 0) {
			host_log("Host.Triggers.Timer", RT_LOG_ERROR,
				 "Cannot open the task hub for timer schedule status (%s); statuses "
				 "are kept in memory only.", err ? err : "unknown error");
			free(err);
			ts->store = NULL;
		}
	}
	int64_t now = now_ms();
	for (size_t i = 0; i < reg->nfns; i++) {
		const struct bind_function *fn = reg->fns[i];
		if (fn->kind != BIND_FN_TIMER || fn->disabled)
			continue;
		struct host_timer *t = &ts->t[ts->n++];
		t->owner = ts;
		t->fn = fn;
		rt_schedule_parse(fn->schedule, &t->sched); /* checked at registration */
		t->monitor = !(fn->timer_flags & CF_TIMER_NO_MONITOR) &&
			     rt_schedule_monitor_default(&t->sched, now);
		pthread_mutex_init(&t->run_lock, NULL);
	}
	current = ts;
	for (size_t i = 0; i < ts->n; i++)
		pthread_create(&ts->t[i].thread, NULL, timer_main, &ts->t[i]);
	return ts;
}

void host_timers_stop(struct host_timers *ts)
{
	if (!ts)
		return;
	pthread_mutex_lock(&ts->mu);
	ts->stop = 1;
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->mu);
	for (size_t i = 0; i < ts->n; i++)
		pthread_join(ts->t[i].thread, NULL);
	pthread_mutex_lock(&ts->mu);
	while (ts->admin_runs)
		pthread_cond_wait(&ts->cv, &ts->mu);
	current = NULL;
	pthread_mutex_unlock(&ts->mu);
	for (size_t i = 0; i < ts->n; i++)
		pthread_mutex_destroy(&ts->t[i].run_lock);
	rt_store_close(ts->store);
	pthread_mutex_destroy(&ts->mu);
	pthread_cond_destroy(&ts->cv);
	free(ts->t);
	free(ts);
}

void host_timers_wake(void)
{
	struct host_timers *ts = current;
	if (!ts)
		return;
	pthread_mutex_lock(&ts->mu);
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->mu);
}

static void *admin_main(void *arg)
{
	struct host_timer *t = arg;
	struct host_timers *ts = t->owner;
	pthread_mutex_lock(&t->run_lock);
	run_locked(t, 0, "This function was programmatically called via the host APIs.", NULL, 0);
	pthread_mutex_unlock(&t->run_lock);
	pthread_mutex_lock(&ts->mu);
	ts->admin_runs--;
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->mu);
	return NULL;
}

int host_timers_admin_fire(const struct bind_function *fn)
{
	struct host_timers *ts = current;
	pthread_t th;
	if (!ts)
		return -1;
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->t[i].fn != fn)
			continue;
		pthread_mutex_lock(&ts->mu);
		if (ts->stop) {
			pthread_mutex_unlock(&ts->mu);
			return -1;
		}
		ts->admin_runs++;
		pthread_mutex_unlock(&ts->mu);
		if (pthread_create(&th, NULL, admin_main, &ts->t[i]) != 0) {
			pthread_mutex_lock(&ts->mu);
			ts->admin_runs--;
			pthread_mutex_unlock(&ts->mu);
			return -1;
		}
		pthread_detach(th);
		return 0;
	}
	return -1;
}
