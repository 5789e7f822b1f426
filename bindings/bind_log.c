/*
 * bind_log.c - the bindings' console lines: the host's logger and filter,
 * the invocation reporter of the trigger adapters, and cf_log for app code.
 * Calls no other binding but the handle check, so the trigger adapters and
 * the function table (api.c) both build on it without calling each other.
 */
#include "bindings/bind_log.h"
#include "bindings/context.h"
#include "bindings/registry.h"
#include "common/log_level.h"

#include <stdio.h>

static bind_log_fn app_logger;
static rt_invocation_fn invocation_reporter;

void bind_api_set_logger(bind_log_fn fn)
{
	app_logger = fn;
}

void bind_api_set_invocation_reporter(rt_invocation_fn fn)
{
	invocation_reporter = fn;
}

void bind_invocation(struct rt_invocation *inv, enum rt_invocation_phase phase)
{
	if (invocation_reporter)
		invocation_reporter(inv, phase);
}

void bind_log(const char *category, int level, const char *fmt, ...)
{
	va_list ap;
	if (!app_logger)
		return;
	va_start(ap, fmt);
	app_logger(category, level, fmt, ap);
	va_end(ap);
}

static bind_log_enabled_fn log_filter;

void bind_api_set_log_filter(bind_log_enabled_fn fn)
{
	log_filter = fn;
}

int bind_log_enabled(const char *category, int level)
{
	return app_logger && (!log_filter || log_filter(category, level));
}

/* App levels reach the console's enum unchanged. */
_Static_assert(CF_LOG_TRACE == (int)RT_LOG_TRACE, "CF_LOG_TRACE is RT_LOG_TRACE");
_Static_assert(CF_LOG_DEBUG == (int)RT_LOG_DEBUG, "CF_LOG_DEBUG is RT_LOG_DEBUG");
_Static_assert(CF_LOG_INFO == (int)RT_LOG_INFO, "CF_LOG_INFO is RT_LOG_INFO");
_Static_assert(CF_LOG_WARNING == (int)RT_LOG_WARNING, "CF_LOG_WARNING is RT_LOG_WARNING");
_Static_assert(CF_LOG_ERROR == (int)RT_LOG_ERROR, "CF_LOG_ERROR is RT_LOG_ERROR");
_Static_assert(CF_LOG_CRITICAL == (int)RT_LOG_CRITICAL, "CF_LOG_CRITICAL is RT_LOG_CRITICAL");

void bind_logv(cf_ctx *p, cf_log_level level, const char *fmt, va_list ap)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_log", 1);
	char category[200];
	if (!app_logger || !fmt)
		return;
	if (ctx && ctx->is_replaying && ctx->is_replaying(ctx))
		return;
	if (!ctx)
		snprintf(category, sizeof(category), "App.User");
	else if (ctx->kind == BIND_CTX_APP)
		snprintf(category, sizeof(category), "App.%s", ((struct bind_app *)ctx)->name);
	else
		snprintf(category, sizeof(category), "Function.%s.User",
			 ctx->function_name ? ctx->function_name : "unknown");
	if (level < CF_LOG_TRACE || level > CF_LOG_CRITICAL)
		level = CF_LOG_INFO;
	app_logger(category, (int)level, fmt, ap);
}
