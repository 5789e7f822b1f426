/*
 * ncrontab.c - parsing NCRONTAB and TimeSpan schedules and finding their
 * next occurrence. Occurrences are searched on the naive local calendar
 * (the wall clock, no zone), then placed on the UTC time line; the DST
 * adjustments follow the Functions host's CronSchedule (see ncrontab.h).
 */
#include "runtime/ncrontab.h"
#include "common/isotime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- calendar arithmetic: common/isotime.h, split into fields here ------ */

struct civil {
	int64_t y;
	int mo, d, h, mi, s;
};

static void civil_from_secs(int64_t t, struct civil *c)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	rt_civil_from_days(days, &c->y, &c->mo, &c->d);
	c->h = (int)(rem / 3600);
	c->mi = (int)(rem / 60 % 60);
	c->s = (int)(rem % 60);
}

static int64_t secs_from_civil(const struct civil *c)
{
	return rt_days_from_civil(c->y, c->mo, c->d) * 86400 + c->h * 3600 + c->mi * 60 + c->s;
}

static int weekday(int64_t y, int m, int d)
{
	int64_t days = rt_days_from_civil(y, m, d);
	return (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
}

/* ---- the local zone ------------------------------------------------------ */

static long utc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The instants (ascending) whose local wall clock reads `naive` (seconds of
 * the naive calendar): 0 in a spring-forward gap, 2 in a fall-back hour.
 * `before` gets the offset in force a day earlier.
 */
static int resolve_local(int64_t naive, int64_t out[2], long *before)
{
	long o1 = utc_offset(naive - 86400), o2 = utc_offset(naive + 86400);
	long offs[2] = {o1, o2};
	int n = 0;
	*before = o1;
	for (int i = 0; i < (o1 == o2 ? 1 : 2); i++) {
		int64_t t = naive - offs[i];
		if (t + utc_offset(t) == naive)
			out[n++] = t;
	}
	if (n == 2 && out[0] > out[1]) {
		int64_t x = out[0];
		out[0] = out[1];
		out[1] = x;
	}
	return n;
}

/* .NET's placement of a local DateTime: a gap takes the earlier offset, a
 * repeated time the standard (later) one. */
static int64_t place_local(int64_t naive)
{
	int64_t t[2];
	long before;
	int n = resolve_local(naive, t, &before);
	return n == 0 ? naive - before : t[n - 1];
}

static int is_ambiguous(int64_t naive)
{
	int64_t t[2];
	long before;
	return resolve_local(naive, t, &before) == 2;
}

/* ---- parsing ------------------------------------------------------------- */

static const char *const month_names[] = {"January", "February", "March",     "April",
					  "May",     "June",     "July",      "August",
					  "September", "October", "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
					"Thursday", "Friday", "Saturday"};

struct field_spec {
	int lo, hi;
	const char *const *names; /* names[0] is value `name_base` */
	int nnames, name_base;
};

static const struct field_spec fields[6] = {
	{0, 59, NULL, 0, 0}, {0, 59, NULL, 0, 0}, {0, 23, NULL, 0, 0},
	{1, 31, NULL, 0, 0}, {1, 12, month_names, 12, 1}, {0, 6, day_names, 7, 0},
};

/* A number or (month/weekday) any prefix of an English name. */
static int parse_value(const char **p, const struct field_spec *f, int *out)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s++ - '0');
			if (v > 1000)
				return -1;
		}
		*p = s;
		*out = (int)v;
		return v >= f->lo && v <= f->hi ? 0 : -1;
	}
	if (!f->names || !isalpha((unsigned char)*s))
		return -1;
	size_t len = 0;
	while (isalpha((unsigned char)s[len]))
		len++;
	for (int i = 0; i < f->nnames; i++) {
		if (strlen(f->names[i]) >= len && strncasecmp(f->names[i], s, len) == 0) {
			*p = s + len;
			*out = i + f->name_base;
			return 0;
		}
	}
	return -1;
}

/* A decimal number of at most max at *p, which moves past it; -1 when
 * there is none or it is larger. */
static int parse_uint(const char **p, long max, long *out)
{
	const char *s = *p;
	long v = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > max)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

/* The step after "/": 1 to 1000. */
static int parse_step(const char **p, int *step)
{
	long v;
	if (parse_uint(p, 1000, &v) || v == 0)
		return -1;
	*step = (int)v;
	return 0;
}

/* One field: items "*", "n", "a-b", each optionally "/step", comma-separated. */
static int parse_field(const char *text, const struct field_spec *f, uint64_t *bits)
{
	const char *p = text;
	*bits = 0;
	for (;;) {
		int lo, hi, step = 1, star = 0, range = 0;
		if (*p == '*') {
			star = 1;
			p++;
			lo = f->lo;
			hi = f->hi;
		} else {
			if (parse_value(&p, f, &lo))
				return -1;
			hi = lo;
			if (*p == '-') {
				p++;
				if (parse_value(&p, f, &hi) || hi < lo)
					return -1;
				range = 1;
			}
		}
		if (*p == '/') {
			p++;
			if (parse_step(&p, &step))
				return -1;
			if (!star && !range)
				hi = f->hi; /* "n/s": from n to the end, every s */
		}
		for (int v = lo; v <= hi; v += step)
			*bits |= 1ull << v;
		if (*p == ',') {
			p++;
			continue;
		}
		return *p == '\0' ? 0 : -1;
	}
}

static int parse_cron(const char *expr, struct rt_schedule *out)
{
	char buf[512], *tok[7], *save = NULL;
	int n = 0;
	uint64_t bits[6];
	if (strlen(expr) >= sizeof(buf))
		return -1;
	strcpy(buf, expr);
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 7)
			return -1;
		tok[n++] = t;
	}
	if (n != 5 && n != 6)
		return -1;
	int first = 0;
	if (n == 5) { /* no seconds: second 0 */
		bits[0] = 1;
		first = 1;
	}
	for (int i = first; i < 6; i++) {
		const char *t = tok[i - first];
		if (parse_field(t, &fields[i], &bits[i]))
			return -1;
	}
	memset(out, 0, sizeof(*out));
	out->kind = RT_SCHEDULE_CRON;
	out->seconds = bits[0];
	out->minutes = bits[1];
	out->hours = (uint32_t)bits[2];
	out->days = (uint32_t)bits[3];
	out->months = (uint32_t)bits[4];
	out->weekdays = (uint32_t)bits[5];
	out->is_interval = 0;
	for (int i = 0; i < (n == 6 ? 3 : 2); i++)
		if (strpbrk(tok[i], "*/-"))
			out->is_interval = 1;
	out->minute_up_stars = 1;
	for (int i = n - 5; i < n; i++)
		if (strcmp(tok[i], "*") != 0)
			out->minute_up_stars = 0;
	return 0;
}

/* TimeSpan: "d", "[d.]h:m[:s[.f]]", "d:h:m:s[.f]"; hours 0-23, minutes and
 * seconds 0-59. A zero interval is refused (it would fire continuously). */
static int parse_timespan(const char *expr, struct rt_schedule *out)
{
	const char *p = expr;
	long part[4], days = 0, frac_ms = 0;
	int n = 0;
	if (parse_uint(&p, 10675199, &part[n++]))
		return -1;
	if (*p == '\0') {
		days = part[0];
		n = 0;
	} else if (*p == '.') {
		days = part[0];
		p++;
		n = 0;
		if (parse_uint(&p, 23, &part[n++]))
			return -1;
	}
	while (*p == ':' && n < 4) {
		p++;
		if (parse_uint(&p, 59, &part[n++]))
			return -1;
	}
	if (*p == '.' && n >= 3) {
		long scale = 100;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			frac_ms += (*p - '0') * scale;
	}
	if (*p != '\0' || n == 1)
		return -1;
	if (n == 4) { /* d:h:m:s */
		if (days || part[1] > 23)
			return -1;
		days = part[0];
		memmove(part, part + 1, 3 * sizeof(long));
		n = 3;
	}
	if (n >= 2 && part[0] > 23)
		return -1;
	int64_t ms = days * 86400000LL + frac_ms;
	if (n >= 2)
		ms += part[0] * 3600000LL + part[1] * 60000LL + (n == 3 ? part[2] * 1000LL : 0);
	if (ms <= 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->kind = RT_SCHEDULE_INTERVAL;
	out->interval_ms = ms;
	return 0;
}

int rt_schedule_parse(const char *expr, struct rt_schedule *out)
{
	if (!expr || !*expr)
		return -1;
	if (strchr(expr, ' ') || strchr(expr, '\t'))
		return parse_cron(expr, out);
	return parse_timespan(expr, out);
}

void rt_schedule_error(const char *expr, char *buf, unsigned long size)
{
	snprintf(buf, size,
		 "The schedule expression '%s' was not recognized as a valid cron expression or "
		 "timespan string.",
		 expr ? expr : "");
}

/* ---- next occurrence ----------------------------------------------------- */

/* The first naive local time after `naive` that the cron fields allow, or
 * RT_SCHEDULE_NEVER when none within 400 years (the Gregorian cycle). */
static int64_t next_naive(const struct rt_schedule *s, int64_t naive)
{
	struct civil c;
	civil_from_secs(naive + 1, &c);
	int64_t last_year = c.y + 400;
	for (;;) {
		if (c.s > 59) { c.s = 0; c.mi++; }
		if (c.mi > 59) { c.mi = 0; c.h++; }
		if (c.h > 23) { c.h = 0; c.d++; }
		/* A skipped month may stand at 13 here: carry it before the
		 * day check, which needs a real month. */
		if (c.mo > 12) { c.mo = 1; c.y++; }
		if (c.d > rt_days_in_month(c.y, c.mo)) { c.d = 1; c.mo++; }
		if (c.mo > 12) { c.mo = 1; c.y++; }
		if (c.y > last_year)
			return RT_SCHEDULE_NEVER;
		if (!(s->months >> c.mo & 1)) {
			c.mo++; c.d = 1; c.h = c.mi = c.s = 0;
		} else if (!(s->days >> c.d & 1) || !(s->weekdays >> weekday(c.y, c.mo, c.d) & 1)) {
			c.d++; c.h = c.mi = c.s = 0;
		} else if (!(s->hours >> c.h & 1)) {
			c.h++; c.mi = c.s = 0;
		} else if (!(s->minutes >> c.mi & 1)) {
			c.mi++; c.s = 0;
		} else if (!(s->seconds >> c.s & 1)) {
			c.s++;
		} else {
			return secs_from_civil(&c);
		}
	}
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t rt_schedule_next(const struct rt_schedule *s, int64_t now_ms)
{
	if (s->kind == RT_SCHEDULE_INTERVAL)
		return now_ms + s->interval_ms;

	int64_t now = floor_div(now_ms, 1000);
	long now_off = utc_offset(now);
	int64_t now_naive = now + now_off;
	int64_t naive = next_naive(s, now_naive);
	if (naive == RT_SCHEDULE_NEVER)
		return RT_SCHEDULE_NEVER;
	int64_t next = place_local(naive);
	long next_off = utc_offset(next);
	int next_amb = is_ambiguous(naive);
	int now_amb = is_ambiguous(now_naive);

	if (!s->is_interval && next_amb && next_off != now_off) {
		/* A fixed time of day in the repeated hour, seen from daylight
		 * time: run at its first (daylight) occurrence. */
		next += next_off - now_off;
	} else if (!s->is_interval && next_amb) {
		/* Already in standard time: the first occurrence has passed. */
		while (naive != RT_SCHEDULE_NEVER && is_ambiguous(naive))
			naive = next_naive(s, naive);
		if (naive == RT_SCHEDULE_NEVER)
			return RT_SCHEDULE_NEVER;
		next = place_local(naive);
	} else if (s->is_interval && (now_amb || next_amb) && next_off != now_off) {
		/* Intervals go on through both copies of the repeated hour. */
		next += next_off - now_off;
	}
	return next * 1000;
}

int rt_schedule_monitor_default(const struct rt_schedule *s, int64_t now_ms)
{
	if (s->kind == RT_SCHEDULE_INTERVAL)
		return s->interval_ms >= 60000;
	if (!s->minute_up_stars)
		return 1;
	int64_t a = rt_schedule_next(s, now_ms);
	if (a == RT_SCHEDULE_NEVER)
		return 1;
	int64_t b = rt_schedule_next(s, a);
	return !(b != RT_SCHEDULE_NEVER && b - a < 60000);
}

void rt_schedule_iso_local(int64_t ms, char *buf, unsigned long size)
{
	int64_t t = floor_div(ms, 1000);
	int frac = (int)(ms - t * 1000);
	long off = utc_offset(t);
	struct civil c;
	char fr[8] = "";
	civil_from_secs(t + off, &c);
	if (frac)
		snprintf(fr, sizeof(fr), ".%03d", frac);
	long a = off < 0 ? -off : off;
	snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d%s%c%02ld:%02ld", (long long)c.y, c.mo,
		 c.d, c.h, c.mi, c.s, fr, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}
