#include "bindings/timer_trigger.h"
#include "bindings/bind_log.h"
#include "runtime/ncrontab.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(x) ((struct bind_timer *)(x))

/* The whole string "%Name%" is an app setting holding the schedule. */
static char *resolve_schedule(const char *schedule, char **err)
{
	size_t n = strlen(schedule);
	if (n >= 3 && schedule[0] == '%' && schedule[n - 1] == '%') {
		char *name = xstrdup(schedule + 1);
		name[n - 2] = '\0';
		const char *v = getenv(name);
		free(name);
		if (!v || !*v) {
			*err = xasprintf("'%s' does not resolve to a value.", schedule);
			return NULL;
		}
		return xstrdup(v);
	}
	return xstrdup(schedule);
}

cf_rc bind_register_timer(cf_app *capp, const char *name, const char *schedule, unsigned flags,
			  cf_timer_fn f)
{
	struct bind_app *app = (struct bind_app *)capp;
	struct bind_function *fn = NULL, *clash = NULL;
	struct rt_schedule parsed;
	char *err = NULL, *expr;
	char msg[600];

	if (!f || !schedule || (flags & ~(CF_TIMER_RUN_ON_STARTUP | CF_TIMER_NO_MONITOR))) {
		if (!app->error)
			app->error = xasprintf(!f ? "function '%s' has no handler"
					       : !schedule ? "timer '%s' has no schedule"
							   : "timer '%s' has unknown flags",
					       name ? name : "(null)");
		return CF_E_INVALID;
	}
	if (!(expr = resolve_schedule(schedule, &err))) {
		if (!app->error)
			app->error = err;
		else
			free(err);
		return CF_E_INVALID;
	}
	if (rt_schedule_parse(expr, &parsed) != 0) {
		rt_schedule_error(expr, msg, sizeof(msg));
		if (!app->error)
			app->error = xasprintf("function '%s': %s", name ? name : "(null)", msg);
		free(expr);
		return CF_E_INVALID;
	}
	if (!bind_function_name_valid(name)) {
		if (!app->error)
			app->error = xasprintf("invalid function name '%s'", name ? name : "(null)");
		free(expr);
		return CF_E_INVALID;
	}
	if ((clash = bind_registry_find(app->reg, name))) {
		free(app->error);
		app->error = xasprintf("function '%s' is defined by both app '%s' and app '%s'", name,
				       clash->app->name, app->name);
		app->duplicate = 1;
		free(expr);
		return CF_E_EXISTS;
	}
	fn = xcalloc(1, sizeof(*fn));
	fn->name = xstrdup(name);
	fn->kind = BIND_FN_TIMER;
	fn->app = app;
	fn->timer = f;
	fn->schedule = expr;
	fn->timer_flags = flags;
	return bind_registry_add(app->reg, fn, NULL) ? CF_E_EXISTS : CF_OK;
}

const char *bind_timer_info(cf_timer *t)
{
	return T(bind_ctx_check((cf_ctx *)t, "cf_timer_info", 0))->info;
}

cf_http *bind_timer_durable_client(cf_timer *t)
{
	struct bind_timer *tm = T(bind_ctx_check((cf_ctx *)t, "cf_timer_durable_client", 0));
	if (!tm->client) {
		tm->client = rt_arena_alloc(tm->ctx.arena, sizeof(*tm->client));
		bind_http_init(tm->client, NULL, tm->ctx.arena);
		tm->client->ctx.function_name = tm->ctx.function_name;
		tm->client->method = "POST";
		tm->client->url = tm->client->path = "";
		tm->client->base_url = "http://localhost";
		tm->client->durable = tm->durable;
	}
	return (cf_http *)tm->client;
}

void bind_timer_run(const struct bind_function *fn, struct bind_durable *durable,
		    const char *info, const char *reason, const char *details)
{
	struct rt_arena arena;
	struct bind_timer t = {0};
	struct rt_invocation inv = {.function = fn->name, .reason = reason};
	char category[160];

	rt_arena_init(&arena);
	bind_ctx_init(&t.ctx, BIND_CTX_TIMER, fn->name, &arena);
	t.info = info;
	t.durable = durable;
	snprintf(category, sizeof(category), "Function.%s", fn->name);
	bind_invocation(&inv, RT_INVOCATION_START);
	if (details)
		bind_log(category, CF_LOG_INFO, "Trigger Details: %s", details);
	cf_rc rc = fn->timer((cf_timer *)&t);
	inv.failed = rc < 0;
	bind_invocation(&inv, RT_INVOCATION_END);
	if (rc < 0)
		bind_log(category, CF_LOG_ERROR,
			 "Exception while executing function: Functions.%s. %s", fn->name,
			 t.ctx.last_error ? t.ctx.last_error : "the function returned an error");
	rt_arena_cleanup(&arena);
}
