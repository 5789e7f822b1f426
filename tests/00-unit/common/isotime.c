/*
 * isotime.c - unit tests for common/isotime.c: the three formats the wire
 * uses (trailing zeros, before the epoch, leap days, year 9999), every ISO
 * 8601 form the parser accepts and 26 it refuses, format/parse round trips
 * and the calendar functions on their own.
 */
#include "common/isotime.h"
#include "tap.h"

#include <stdint.h>
#include <stdio.h>

static void test_format(void)
{
	char s[40];
	const int64_t t0 = INT64_C(1704164645000000);

	rt_format_time_7(t0, s);
	is_str(s, "2024-01-02T03:04:05Z", "whole second: no fraction");
	rt_format_time_7(t0 + 678901, s);
	is_str(s, "2024-01-02T03:04:05.678901Z", "microseconds");
	rt_format_time_7(t0 + 500000, s);
	is_str(s, "2024-01-02T03:04:05.5Z", "trailing zeros dropped");
	rt_format_time_7(t0 + 10, s);
	is_str(s, "2024-01-02T03:04:05.00001Z", "leading zeros kept");
	rt_format_time_7(0, s);
	is_str(s, "1970-01-01T00:00:00Z", "epoch");
	rt_format_time_7(-1, s);
	is_str(s, "1969-12-31T23:59:59.999999Z", "one microsecond before the epoch");
	rt_format_time_7(INT64_C(951782400000000), s);
	is_str(s, "2000-02-29T00:00:00Z", "leap day 2000");
	rt_format_time_7(INT64_C(253402300799999999), s);
	is_str(s, "9999-12-31T23:59:59.999999Z", "year 9999");

	rt_format_time_s(t0 + 999999, s);
	is_str(s, "2024-01-02T03:04:05Z", "seconds: truncated");
	rt_format_time_s(-1, s);
	is_str(s, "1969-12-31T23:59:59Z", "seconds: floor before the epoch");

	rt_format_time_o(t0 + 678901, s);
	is_str(s, "2024-01-02T03:04:05.6789010Z", "round-trip form: 7 digits");
	rt_format_time_o(t0, s);
	is_str(s, "2024-01-02T03:04:05.0000000Z", "round-trip form keeps zeros");
}

static void test_parse(void)
{
	const int64_t t0 = INT64_C(1704164645000000);
	static const struct {
		const char *s;
		int64_t us;
	} good[] = {
		{ "2024-01-02T03:04:05Z", INT64_C(1704164645000000) },
		{ "2024-01-02T03:04:05.678901Z", INT64_C(1704164645678901) },
		{ "2024-01-02T03:04:05.6789019Z", INT64_C(1704164645678901) },
		{ "2024-01-02T03:04:05.5Z", INT64_C(1704164645500000) },
		{ "2024-01-02T03:04:05,5Z", INT64_C(1704164645500000) },
		{ "2024-01-02t03:04:05z", INT64_C(1704164645000000) },
		{ "2024-01-02 03:04:05Z", INT64_C(1704164645000000) },
		{ "2024-01-02T03:04:05", INT64_C(1704164645000000) },
		{ "2024-01-02T03:04Z", INT64_C(1704164640000000) },
		{ "2024-01-02", INT64_C(1704153600000000) },
		{ "20240102", INT64_C(1704153600000000) },
		{ "20240102T030405Z", INT64_C(1704164645000000) },
		{ "20240102T030405.25+0100", INT64_C(1704161045250000) },
		{ "2024-01-02T05:04:05+02:00", INT64_C(1704164645000000) },
		{ "2024-01-01T21:34:05-05:30", INT64_C(1704164645000000) },
		{ "2024-01-02T08:34:05+0530", INT64_C(1704164645000000) },
		{ "2024-01-02T04:04:05+01", INT64_C(1704164645000000) },
		{ "2024-01-01T24:00:00Z", INT64_C(1704153600000000) },
		{ "2024-02-29T00:00:00Z", INT64_C(1709164800000000) },
		{ "1969-12-31T23:59:59.999999Z", -1 },
		{ "0001-01-01T00:00:00Z", INT64_C(-62135596800000000) },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t us = 0;
		int rc = rt_parse_time(good[i].s, &us);
		ok(rc == 0 && us == good[i].us, "parse %s", good[i].s);
		if (rc != 0 || us != good[i].us)
			printf("#   rc %d got %lld want %lld\n", rc, (long long)us,
			       (long long)good[i].us);
	}
	static const char *const bad[] = {
		"", "2024", "2024-01", "2024-1-2", "2024-13-01", "2024-00-10", "2024-01-00",
		"2023-02-29", "2024-04-31", "2024-01-02T", "2024-01-02T3:04:05Z",
		"2024-01-02T25:00:00Z", "2024-01-02T03:60:00Z", "2024-01-02T03:04:60Z",
		"2024-01-02T24:00:01Z", "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05Zjunk",
		"2024-01-02T03:04:05+24:00", "2024-01-02T03:04:05+01:60", "2024-01-02T03:04:05+1",
		"2024-01-02T0304:05Z", "2024-01-02X03:04:05Z", "abc", "2024-01-02 ",
		"2024-01-02T03:04:05 Z", "20240102T03:04:05Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t us = 42;
		is_int(rt_parse_time(bad[i], &us), -1, "reject \"%s\"", bad[i]);
	}
	int64_t us;
	is_int(rt_parse_time(NULL, &us), -1, "reject NULL");

	/* format -> parse is the identity over a wide range. */
	int rt = 1;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 100000; i++) {
		char s[40];
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t v = (int64_t)(x % UINT64_C(253402300799999999)) - INT64_C(62135596800000000);
		int64_t back = 0;
		rt_format_time_7(v, s);
		if (rt_parse_time(s, &back) != 0 || back != v) {
			rt = 0;
			printf("#   %lld -> %s -> %lld\n", (long long)v, s, (long long)back);
			break;
		}
	}
	ok(rt, "parse(format_7(t)) == t for 100000 times in years 1..9999");
	(void)t0;
}

static void test_calendar(void)
{
	int64_t y;
	int m, d;
	is_int(rt_days_from_civil(1970, 1, 1), 0, "the epoch is day 0");
	is_int(rt_days_from_civil(1969, 12, 31), -1, "the day before is -1");
	is_int(rt_days_from_civil(2000, 3, 1) - rt_days_from_civil(2000, 2, 28), 2,
	       "2000 has a leap day (divisible by 400)");
	is_int(rt_days_from_civil(1900, 3, 1) - rt_days_from_civil(1900, 2, 28), 1,
	       "1900 has none (divisible by 100)");
	rt_civil_from_days(rt_days_from_civil(-4713, 11, 24), &y, &m, &d);
	ok(y == -4713 && m == 11 && d == 24, "a negative year comes back (%lld-%d-%d)",
	   (long long)y, m, d);
	rt_civil_from_days(2932896, &y, &m, &d);
	ok(y == 9999 && m == 12 && d == 31, "day 2932896 is 9999-12-31");
	is_int(rt_days_in_month(2024, 2), 29, "February 2024: 29 days");
	is_int(rt_days_in_month(2023, 2), 28, "February 2023: 28 days");
	is_int(rt_days_in_month(2100, 2), 28, "February 2100: 28 days");
	is_int(rt_days_in_month(2024, 4), 30, "April: 30 days");
	is_int(rt_days_in_month(2024, 12), 31, "December: 31 days");
}

int main(void)
{
	subtest("time formatting", test_format);
	subtest("time parsing", test_parse);
	subtest("calendar", test_calendar);
	return done_testing();
}
