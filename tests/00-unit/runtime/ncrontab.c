/*
 * ncrontab.c - unit tests for runtime/ncrontab.c: NCRONTAB's documented
 * examples, six and five fields, names, steps, month ends, leap years, the
 * day-of-month AND day-of-week rule, TimeSpans, func's refusal message,
 * useMonitor's default, and DST in America/Los_Angeles and Europe/Berlin.
 */
#include "runtime/ncrontab.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* "2024-01-01T10:02:30Z" -> ms */
static int64_t utc(const char *iso)
{
	struct tm tm = {0};
	if (!strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		abort();
	return (int64_t)timegm(&tm) * 1000;
}

static const char *iso(int64_t ms)
{
	static char buf[64];
	if (ms == RT_SCHEDULE_NEVER)
		return "never";
	rt_schedule_iso_local(ms, buf, sizeof(buf));
	return buf;
}

/* The next occurrence of `expr` after `from`, as local ISO text. */
static const char *next(const char *expr, int64_t from)
{
	struct rt_schedule s;
	if (rt_schedule_parse(expr, &s) != 0)
		return "invalid";
	return iso(rt_schedule_next(&s, from));
}

/* `n` occurrences joined by spaces, each after the previous one. */
static const char *series(const char *expr, int64_t from, int n)
{
	static char out[512];
	struct rt_schedule s;
	out[0] = '\0';
	if (rt_schedule_parse(expr, &s) != 0)
		return "invalid";
	for (int i = 0; i < n; i++) {
		from = rt_schedule_next(&s, from);
		if (i)
			strcat(out, " ");
		strcat(out, iso(from));
	}
	return out;
}

static void examples_utc(void)
{
	zone("UTC");
	/* func's documented examples (functions-bindings-timer). */
	is_str(next("0 */5 * * * *", utc("2024-01-01T10:02:30Z")), "2024-01-01T10:05:00+00:00", "every 5 minutes");
	is_str(next("0 0 * * * *", utc("2024-01-01T10:00:00Z")), "2024-01-01T11:00:00+00:00", "hourly, strictly after the base");
	is_str(next("0 30 9 * * 1-5", utc("2024-01-05T10:00:00Z")), "2024-01-08T09:30:00+00:00", "09:30 on weekdays skips the weekend");
	is_str(next("*/10 * * * * *", utc("2024-01-01T10:00:05Z")), "2024-01-01T10:00:10+00:00", "every 10 seconds");
	is_str(next("0 0 */2 * * *", utc("2024-01-01T01:00:00Z")), "2024-01-01T02:00:00+00:00", "every two hours");
	is_str(next("0 30 9 * Jan Mon", utc("2024-01-02T00:00:00Z")), "2024-01-08T09:30:00+00:00", "names: Mondays in January");
	is_str(next("0 0 0 1 1 *", utc("2024-06-01T00:00:00Z")), "2025-01-01T00:00:00+00:00", "yearly");
	/* NCrontab's five-field examples (its README): seconds are 0. */
	is_str(next("* * * * *", utc("2024-01-01T10:00:30Z")), "2024-01-01T10:01:00+00:00", "5 fields: every minute");
	is_str(next("0 * * * *", utc("2024-01-01T10:00:00Z")), "2024-01-01T11:00:00+00:00", "5 fields: every hour");
	is_str(next("0 0 * * 0", utc("2024-01-01T00:00:00Z")), "2024-01-07T00:00:00+00:00", "5 fields: weekly on Sunday");
	is_str(next("0 9-17 * * 1-5", utc("2024-01-05T17:30:00Z")), "2024-01-08T09:00:00+00:00", "5 fields: office hours");
	is_str(next("0 0 1 * *", utc("2024-01-15T00:00:00Z")), "2024-02-01T00:00:00+00:00", "5 fields: monthly");
	/* Grammar details. */
	is_str(series("5/20 * * * * *", utc("2024-01-01T10:00:00Z"), 3),
	       "2024-01-01T10:00:05+00:00 2024-01-01T10:00:25+00:00 2024-01-01T10:00:45+00:00", "n/s runs from n to the end");
	is_str(series("0 0 0 * * MONDAY,fri", utc("2024-01-01T00:00:00Z"), 2),
	       "2024-01-05T00:00:00+00:00 2024-01-08T00:00:00+00:00", "lists of full and short names");
	is_str(next("10-20/5 * * * * *", utc("2024-01-01T10:00:16Z")), "2024-01-01T10:00:20+00:00", "a-b/s");
	is_str(next("0 0 0 13 * 5", utc("2024-01-01T00:00:00Z")), "2024-09-13T00:00:00+00:00", "day AND weekday: Friday the 13th");
}

static void month_ends_and_leap_years(void)
{
	zone("UTC");
	is_str(next("0 0 0 31 * *", utc("2024-04-15T00:00:00Z")), "2024-05-31T00:00:00+00:00", "the 31st skips 30-day months");
	is_str(next("0 0 12 30 * *", utc("2024-01-30T12:00:00Z")), "2024-03-30T12:00:00+00:00", "the 30th skips February");
	is_str(next("0 0 0 29 2 *", utc("2023-03-01T00:00:00Z")), "2024-02-29T00:00:00+00:00", "Feb 29 in the next leap year");
	is_str(next("0 0 0 29 2 *", utc("2024-02-29T00:00:00Z")), "2028-02-29T00:00:00+00:00", "Feb 29 after one has passed");
	is_str(next("0 0 0 29 2 *", utc("2096-03-01T00:00:00Z")), "2104-02-29T00:00:00+00:00", "2100 is not a leap year");
	is_str(next("59 59 23 31 12 *", utc("2024-12-31T23:59:58Z")), "2024-12-31T23:59:59+00:00", "the last second of a year");
	is_str(next("0 0 0 1 * *", utc("2024-12-31T23:59:59Z")), "2025-01-01T00:00:00+00:00", "rolls over into a new year");
	is_str(next("0 0 0 30 2 *", utc("2024-01-01T00:00:00Z")), "never", "February 30th never comes");
}

static void refused(void)
{
	static const char *const bad[] = {
		"", "* * * *", "1 2 3 4 5 6 7", "0 0 0 0 * *", "60 * * * * *", "* 60 * * * *",
		"* * 24 * * *", "* * * 32 * *", "* * * * 13 *", "* * * * * 7", "*/0 * * * * *",
		"5-1 * * * * *", "? * * * * *", "0 0 0 L * *", "0 0 0 1W * *", "0 0 0 * * 1#2",
		"0 0 0 * Foo *", "a b c d e f", "1,,2 * * * * *", "abc", "24:00:00", "00:00:00",
		"00:60:00", "1:2:3:4:5", "-00:00:10", "10:", "%Setting%",
	};
	struct rt_schedule s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(rt_schedule_parse(bad[i], &s) != 0, "refused: '%s'", bad[i]);
	char msg[256];
	rt_schedule_error("* * *", msg, sizeof(msg));
	is_str(msg, "The schedule expression '* * *' was not recognized as a valid cron expression or timespan string.",
	       "func's message");
}

static void timespans_and_monitor(void)
{
	struct rt_schedule s;
	int64_t t0 = utc("2024-01-01T00:00:00Z");
	zone("UTC");
	ok(rt_schedule_parse("00:00:10", &s) == 0 && s.interval_ms == 10000, "hh:mm:ss");
	ok(rt_schedule_parse("1.02:03:04", &s) == 0 && s.interval_ms == ((26 * 60 + 3) * 60 + 4) * 1000LL, "d.hh:mm:ss");
	ok(rt_schedule_parse("1:02:03:04", &s) == 0 && s.interval_ms == ((26 * 60 + 3) * 60 + 4) * 1000LL, "d:hh:mm:ss");
	ok(rt_schedule_parse("00:05", &s) == 0 && s.interval_ms == 300000, "hh:mm");
	ok(rt_schedule_parse("2", &s) == 0 && s.interval_ms == 2 * 86400000LL, "d");
	ok(rt_schedule_parse("00:00:01.5", &s) == 0 && s.interval_ms == 1500, "fractions of a second");
	is_str(next("00:00:10", t0 + 123), "2024-01-01T00:00:10.123+00:00", "a TimeSpan is added to the base");

	static const struct { const char *expr; int monitor; } m[] = {
		{"*/10 * * * * *", 0}, {"* * * * * *", 0}, {"0 */5 * * * *", 1}, {"*/10 0 * * * *", 1},
		{"0 * * * * *", 1}, {"* * * * *", 1}, {"00:00:30", 0}, {"00:01:00", 1},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		ok(rt_schedule_parse(m[i].expr, &s) == 0, "parses '%s'", m[i].expr);
		is_int(rt_schedule_monitor_default(&s, t0), m[i].monitor, "useMonitor default of '%s'", m[i].expr);
	}
}

static void dst_los_angeles(void)
{
	zone("America/Los_Angeles");
	/* 2024-03-10 02:00 PST -> 03:00 PDT: 02:30 does not exist. */
	is_str(next("0 30 2 * * *", utc("2024-03-10T08:00:00Z")), "2024-03-10T03:30:00-07:00", "spring forward: 02:30 runs at 03:30");
	is_str(next("0 30 2 * * *", utc("2024-03-10T10:30:00Z")), "2024-03-11T02:30:00-07:00", "and not again that day");
	is_str(series("0 */30 * * * *", utc("2024-03-10T09:30:00Z"), 2),
	       "2024-03-10T03:00:00-07:00 2024-03-10T03:30:00-07:00", "spring forward: intervals skip the missing hour");
	/* 2024-11-03 02:00 PDT -> 01:00 PST: 01:00-01:59 happens twice. */
	is_str(series("0 30 1 * * *", utc("2024-11-02T08:30:00Z"), 2),
	       "2024-11-03T01:30:00-07:00 2024-11-04T01:30:00-08:00", "fall back: a fixed time runs once, in daylight time");
	is_str(next("0 30 1 * * *", utc("2024-11-03T09:29:00Z")), "2024-11-04T01:30:00-08:00",
	       "fall back: started in the second 01:29, today's 01:30 has passed");
	is_str(series("0 */30 * * * *", utc("2024-11-03T07:30:00Z"), 5),
	       "2024-11-03T01:00:00-07:00 2024-11-03T01:30:00-07:00 2024-11-03T01:00:00-08:00 "
	       "2024-11-03T01:30:00-08:00 2024-11-03T02:00:00-08:00",
	       "fall back: intervals run through both copies of the hour");
}

static void dst_berlin(void)
{
	zone("Europe/Berlin");
	/* 2024-03-31 02:00 CET -> 03:00 CEST. */
	is_str(next("0 30 2 * * *", utc("2024-03-30T23:00:00Z")), "2024-03-31T03:30:00+02:00", "spring forward: 02:30 runs at 03:30");
	is_str(next("0 0 3 * * *", utc("2024-03-30T23:00:00Z")), "2024-03-31T03:00:00+02:00", "03:00 exists");
	/* 2024-10-27 03:00 CEST -> 02:00 CET. */
	is_str(series("0 30 2 * * *", utc("2024-10-26T23:00:00Z"), 2),
	       "2024-10-27T02:30:00+02:00 2024-10-28T02:30:00+01:00", "fall back: 02:30 runs once");
	is_str(series("0 0 * * * *", utc("2024-10-26T23:30:00Z"), 4),
	       "2024-10-27T02:00:00+02:00 2024-10-27T02:00:00+01:00 2024-10-27T03:00:00+01:00 2024-10-27T04:00:00+01:00",
	       "fall back: hourly runs in both 02:00 hours");
}

int main(void)
{
	subtest("NCRONTAB examples", examples_utc);
	subtest("month ends and leap years", month_ends_and_leap_years);
	subtest("invalid expressions are refused", refused);
	subtest("TimeSpans and useMonitor", timespans_and_monitor);
	subtest("DST in America/Los_Angeles", dst_los_angeles);
	subtest("DST in Europe/Berlin", dst_berlin);
	return done_testing();
}
