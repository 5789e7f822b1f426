/*
 * isotime.c - see isotime.h. The calendar is computed, not asked of
 * gmtime_r/timegm: those take time_t and struct tm (int years), and the
 * history codec must format any int64 microsecond value it decodes.
 */
#include "common/isotime.h"

#include <stdio.h>

/* Days since 1970-01-01 of a proleptic Gregorian date, and back: the
 * era-based civil calendar arithmetic (400-year cycles of 146097 days). */
int64_t rt_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Splits `us` into a civil date-time and the microseconds in the second. */
static void split_time(int64_t us, int64_t *y, int *mo, int *d, int *h, int *mi, int *s, int *frac)
{
	int64_t secs = floor_div(us, 1000000);
	int64_t days = floor_div(secs, 86400);
	int64_t sod = secs - days * 86400;
	/* Not us - secs * 1000000: that overflows for us near INT64_MIN. */
	*frac = (int)(us % 1000000);
	if (*frac < 0)
		*frac += 1000000;
	rt_civil_from_days(days, y, mo, d);
	*h = (int)(sod / 3600);
	*mi = (int)(sod / 60 % 60);
	*s = (int)(sod % 60);
}

void rt_format_time_s(int64_t us, char *out)
{
	int64_t y;
	int mo, d, h, mi, s, frac;
	split_time(us, &y, &mo, &d, &h, &mi, &s, &frac);
	snprintf(out, 40, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, mo, d, h, mi, s);
}

void rt_format_time_7(int64_t us, char *out)
{
	int64_t y;
	int mo, d, h, mi, s, frac;
	int n;
	split_time(us, &y, &mo, &d, &h, &mi, &s, &frac);
	n = snprintf(out, 40, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, mo, d, h, mi, s);
	if (frac) {
		/* Microseconds are the 6 leading digits of the 7; the 7th is always
		 * 0 and, like every trailing zero, dropped. */
		char f[8];
		int k = 6;
		snprintf(f, sizeof(f), "%06d", frac);
		while (k > 0 && f[k - 1] == '0')
			k--;
		f[k] = '\0';
		n += snprintf(out + n, (size_t)(40 - n), ".%s", f);
	}
	snprintf(out + n, (size_t)(40 - n), "Z");
}

void rt_format_time_o(int64_t us, char *out)
{
	int64_t y;
	int mo, d, h, mi, s, frac;
	split_time(us, &y, &mo, &d, &h, &mi, &s, &frac);
	snprintf(out, 40, "%04lld-%02d-%02dT%02d:%02d:%02d.%06d0Z", (long long)y, mo, d, h, mi, s,
		 frac);
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int rt_days_in_month(int64_t y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/*
 * Extended ("2024-01-02T03:04:05.123Z") and basic ("20240102T030405Z")
 * forms; 'T', 't' or a space between date and time; hh:mm with optional
 * :ss; '.' or ',' before 1+ fraction digits (beyond microseconds they are
 * truncated); 'Z', 'z', +hh, +hhmm, +hh:mm or nothing (read as UTC).
 * 24:00:00 is the end of the day.
 */
int rt_parse_time(const char *s, int64_t *us)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, ext;
	int64_t frac = 0, off = 0;

	if (!s || digits(&p, 4, &y) < 0)
		return -1;
	ext = *p == '-';
	if (ext)
		p++;
	if (digits(&p, 2, &mo) < 0 || (ext && *p++ != '-') || digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > rt_days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == 't' || (*p == ' ' && p[1])) {
		p++;
		if (digits(&p, 2, &h) < 0)
			return -1;
		if (ext && *p == ':')
			p++;
		else if (ext)
			return -1;
		if (digits(&p, 2, &mi) < 0)
			return -1;
		if ((ext && *p == ':') || (!ext && *p >= '0' && *p <= '9')) {
			if (ext)
				p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				int nd = 0;
				p++;
				if (*p < '0' || *p > '9')
					return -1;
				for (; *p >= '0' && *p <= '9'; p++, nd++)
					if (nd < 6)
						frac = frac * 10 + (*p - '0');
				for (; nd < 6; nd++)
					frac *= 10;
			}
		}
		if (h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi || sec || frac)))
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
			if (digits(&p, 2, &oh) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (*p && digits(&p, 2, &om) < 0)
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			off = sign * ((int64_t)oh * 3600 + om * 60);
		}
	}
	if (*p)
		return -1;
	*us = ((rt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000000 + frac;
	return 0;
}
