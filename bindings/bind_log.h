/*
 * bind_log.h - the bindings' console lines (bind_log.c): what the host sets
 * before loading apps (logger, filter, invocation reporter) and what the
 * trigger adapters and the function table call. The host owns the sinks;
 * they live for the whole process.
 */
#ifndef BIND_LOG_H
#define BIND_LOG_H

#include <stdarg.h>

#include "cfunc.h"
#include "common/invocation.h"

/* Logging sink for app code: category "Function.<name>.User" (or
 * "App.<name>" during init). Set by the host before loading apps. */
typedef void (*bind_log_fn)(const char *category, int level, const char *fmt, va_list ap);
void bind_api_set_logger(bind_log_fn fn);

/* A host console line from the bindings (category, CF_LOG_* level). */
void bind_log(const char *category, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether a line of this category and level would show, so a caller can
 * skip formatting it (set with the logger; without a filter every line shows). */
typedef int (*bind_log_enabled_fn)(const char *category, int level);
void bind_api_set_log_filter(bind_log_enabled_fn fn);
int bind_log_enabled(const char *category, int level);

/* The console's Executing/Executed lines of the trigger adapters (timer,
 * activity): they call bind_invocation, which hands the invocation to the
 * host's reporter, set before loading apps. Without one nothing shows. */
void bind_api_set_invocation_reporter(rt_invocation_fn fn);
void bind_invocation(struct rt_invocation *inv, enum rt_invocation_phase phase);

/* cf_api.logv: an app's line, under its function's (or app's) category;
 * nothing while the orchestrator replays. */
void bind_logv(cf_ctx *p, cf_log_level level, const char *fmt, va_list ap);

#endif
