/*
 * isotime.h - ISO 8601 times as the Durable Functions wire formats write
 * them, and the proleptic Gregorian calendar under them (any int64 year,
 * 400-year eras of 146097 days). Times are UTC microseconds since the Unix
 * epoch. Nothing allocates; `out` buffers belong to the caller.
 */
#ifndef COMMON_ISOTIME_H
#define COMMON_ISOTIME_H

#include <stdint.h>

/* ISO 8601 UTC with up to 7 fractional digits, trailing zeros dropped, "Z"
 * (spec: durable-http-api §2.3). out must hold 40 bytes. */
void rt_format_time_7(int64_t us, char *out);
/* "yyyy-MM-ddTHH:mm:ssZ", second precision (status createdTime etc.). */
void rt_format_time_s(int64_t us, char *out);
/* .NET round-trip ("o") form: always 7 fractional digits, e.g.
 * "2024-01-02T03:04:05.6789010Z"; what new_uuid hashes. out must hold 40 bytes. */
void rt_format_time_o(int64_t us, char *out);
/* Parses any ISO 8601 date-time (date only, with or without fraction, Z or
 * an offset); returns 0 and sets *us, or -1. */
int rt_parse_time(const char *s, int64_t *us);

/* Days since 1970-01-01 of year y, month m (1-12), day d, and back. */
int64_t rt_days_from_civil(int64_t y, int m, int d);
void rt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 28-31: the days of month m (1-12) in year y. */
int rt_days_in_month(int64_t y, int m);

#endif
