/*
 * api.h - the host side of the function table handed to apps.
 */
#ifndef BIND_API_H
#define BIND_API_H

#include "cfunc.h"
#include "bindings/registry.h"
#include "common/invocation.h"

/* The table every app receives; lives for the whole process. */
extern const struct cf_api bind_api;

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

#endif
