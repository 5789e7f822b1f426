/*
 * log.c - console output. Each line is formatted into one buffer and written
 * with a single write(2): POSIX keeps such writes to a pipe or TTY whole up
 * to PIPE_BUF, and larger ones still do not interleave with other
 * single-write lines in practice, so no lock is taken on the hot path.
 */
#include "host/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_verbose;
static int log_color;
static host_log_level_fn log_level_fn;
static void *log_level_user;

void host_log_init(int verbose, host_log_level_fn fn, void *user)
{
	log_verbose = verbose;
	log_level_fn = fn;
	log_level_user = user;
	log_color = isatty(STDOUT_FILENO);
}

static int is_system_category(const char *category)
{
	return strncmp(category, "Host.", 5) == 0 || strcmp(category, "Host") == 0 ||
	       strncmp(category, "Microsoft", 9) == 0;
}

int host_log_enabled(const char *category, enum rt_log_level level)
{
	int min = log_level_fn ? log_level_fn(log_level_user, category) : -1;
	if (min < 0)
		min = is_system_category(category) && !log_verbose ? RT_LOG_WARNING : RT_LOG_INFO;
	return (int)level >= min && level < RT_LOG_NONE;
}

static size_t format_stamp(char *buf, size_t cap)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	return (size_t)snprintf(buf, cap, "[%04d-%02d-%02dT%02d:%02d:%02d.%03dZ] ", tm.tm_year + 1900,
				tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				(int)(tv.tv_usec / 1000));
}

/* Worker threads collect whole lines here and write them in one go when
 * they run out of work (host_log_flush) or the buffer fills: a burst of
 * invocations then costs one write(2), not two per invocation. */
#define TLS_LOG_CAP 16384
static _Thread_local char *tls_buf;
static _Thread_local size_t tls_len;

static void write_all(const char *p, size_t n);

void host_log_thread_buffered(int on)
{
	if (on && !tls_buf) {
		tls_buf = malloc(TLS_LOG_CAP);
		tls_len = 0;
	} else if (!on && tls_buf) {
		host_log_flush();
		free(tls_buf);
		tls_buf = NULL;
	}
}

void host_log_flush(void)
{
	if (tls_buf && tls_len) {
		write_all(tls_buf, tls_len);
		tls_len = 0;
	}
}

static void output(const char *p, size_t n)
{
	if (!tls_buf) {
		write_all(p, n);
		return;
	}
	if (tls_len + n > TLS_LOG_CAP)
		host_log_flush();
	if (n > TLS_LOG_CAP) {
		write_all(p, n);
		return;
	}
	memcpy(tls_buf + tls_len, p, n);
	tls_len += n;
}

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static const char *color_of(enum rt_log_level level)
{
	switch (level) {
	case RT_LOG_ERROR:
	case RT_LOG_CRITICAL:
		return "\033[31m";
	case RT_LOG_WARNING:
		return "\033[33m";
	case RT_LOG_TRACE:
	case RT_LOG_DEBUG:
		return "\033[90m";
	default:
		return NULL;
	}
}

static void emit(enum rt_log_level level, const char *fmt, va_list ap)
{
	char stack[1024], *msg = stack, *out;
	char stamp[40];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(stack, sizeof(stack), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(stack)) {
		msg = malloc((size_t)n + 1);
		if (!msg)
			return;
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	}

	/* One stamp per physical line, as func prints multi-line messages. */
	size_t stamp_len = format_stamp(stamp, sizeof(stamp));
	const char *color = log_color ? color_of(level) : NULL;
	size_t lines = 1;
	for (const char *p = msg; *p; p++)
		lines += *p == '\n';
	size_t cap = (size_t)n + lines * (stamp_len + 16) + 1;
	out = malloc(cap);
	if (out) {
		size_t len = 0;
		const char *line = msg;
		for (;;) {
			const char *nl = strchr(line, '\n');
			size_t ll = nl ? (size_t)(nl - line) : strlen(line);
			memcpy(out + len, stamp, stamp_len);
			len += stamp_len;
			if (color) {
				len += (size_t)snprintf(out + len, cap - len, "%s", color);
			}
			memcpy(out + len, line, ll);
			len += ll;
			if (color)
				len += (size_t)snprintf(out + len, cap - len, "\033[0m");
			out[len++] = '\n';
			if (!nl)
				break;
			line = nl + 1;
		}
		output(out, len);
		free(out);
	}
	if (msg != stack)
		free(msg);
}

void host_logv(const char *category, enum rt_log_level level, const char *fmt, va_list ap)
{
	if (host_log_enabled(category, level))
		emit(level, fmt, ap);
}

void host_log_always(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(RT_LOG_INFO, fmt, ap);
	va_end(ap);
}

void host_log(const char *category, enum rt_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	host_logv(category, level, fmt, ap);
	va_end(ap);
}

void host_log_plain(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	write_all(buf, (size_t)n);
}
