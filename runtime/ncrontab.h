/*
 * ncrontab.h - timer-trigger schedules: NCRONTAB expressions (six fields,
 * seconds first, or five without seconds) and TimeSpan intervals, and the
 * arithmetic of their next occurrence in the host's local time zone with
 * the Functions host's daylight-saving rules.
 *
 * Pure functions: no threads, no I/O. The local zone is libc's (TZ, else
 * /etc/localtime); callers that change TZ call tzset() first. Times are
 * milliseconds since the Unix epoch (UTC).
 */
#ifndef RT_NCRONTAB_H
#define RT_NCRONTAB_H

#include <stdint.h>

enum rt_schedule_kind { RT_SCHEDULE_CRON, RT_SCHEDULE_INTERVAL };

struct rt_schedule {
	enum rt_schedule_kind kind;
	/* cron: one bit per allowed value */
	uint64_t seconds, minutes; /* bits 0..59 */
	uint32_t hours;            /* bits 0..23 */
	uint32_t days;             /* bits 1..31 */
	uint32_t months;           /* bits 1..12 */
	uint32_t weekdays;         /* bits 0..6, 0 = Sunday */
	int is_interval;     /* a '*', '-' or '/' in second, minute or hour: DST "interval" rules */
	int minute_up_stars; /* minute, hour, day, month and weekday are all '*' */
	/* TimeSpan */
	int64_t interval_ms;
};

/* No next occurrence (e.g. "0 0 0 30 2 *", February 30th). */
#define RT_SCHEDULE_NEVER INT64_MAX

/*
 * Parses `expr` (a cron expression or a TimeSpan "[d.]hh:mm[:ss]",
 * "d:hh:mm:ss" or "d"). Returns 0, or -1 when it is neither: the caller
 * reports func's message (rt_schedule_error).
 */
int rt_schedule_parse(const char *expr, struct rt_schedule *out);

/* "The schedule expression '<expr>' was not recognized as a valid cron
 * expression or timespan string." into buf. */
void rt_schedule_error(const char *expr, char *buf, unsigned long size);

/*
 * The first occurrence strictly after `now_ms` (cron: after the start of
 * now's second), or RT_SCHEDULE_NEVER. Local times that do not exist
 * (spring forward) take the offset in force before the gap, so 02:30 runs
 * at 03:30; repeated local times (fall back) run once for a fixed time of
 * day (the first, daylight time) and both times for interval schedules, as
 * the Functions host's CronSchedule does.
 */
int64_t rt_schedule_next(const struct rt_schedule *s, int64_t now_ms);

/* func's default for useMonitor: off when occurrences are less than a
 * minute apart (TimeSpan < 1 min; cron with minute..weekday all '*' and two
 * occurrences within 60 s of `now_ms`), else on. */
int rt_schedule_monitor_default(const struct rt_schedule *s, int64_t now_ms);

/* `ms` as local ISO-8601 with offset, "2016-10-04T10:15:00+02:00" (with
 * ".fff" when ms is not whole). buf of at least 40 bytes. */
void rt_schedule_iso_local(int64_t ms, char *buf, unsigned long size);

#endif
