/*
 * log.h - the host console, shaped like `func start` (spec: functions-host.md §5).
 *
 * Lines are "[yyyy-MM-ddTHH:mm:ss.fffZ] message" in UTC, one prefix per
 * physical line, written with one write(2) each so threads never interleave.
 * Colours only when stdout is a TTY. Whether a line shows depends on its
 * category and level: host.json logging.logLevel (longest prefix) first,
 * else user categories from Information and system ones ("Host.*",
 * "Microsoft.*") from Warning, or Information with --verbose.
 */
#ifndef HOST_LOG_H
#define HOST_LOG_H

#include <stdarg.h>

#include "common/log_level.h"

/* Resolves a category to a minimum level, or -1 for "no configured level". */
typedef int (*host_log_level_fn)(void *user, const char *category);

/* Call once at start-up, before threads exist. */
void host_log_init(int verbose, host_log_level_fn fn, void *user);

int host_log_enabled(const char *category, enum rt_log_level level);
void host_log(const char *category, enum rt_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void host_logv(const char *category, enum rt_log_level level, const char *fmt, va_list ap);
/* A timestamped line shown whatever the levels say (func's two always-shown lines). */
void host_log_always(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line without timestamp or filtering (banner, function list). */
void host_log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Worker threads: buffer this thread's lines until host_log_flush() (call
 * it before sleeping); off again frees the buffer after flushing. */
void host_log_thread_buffered(int on);
void host_log_flush(void);

#endif
