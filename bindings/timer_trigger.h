/*
 * timer_trigger.h - cf_timer: one timer-trigger invocation, and the
 * registration of timer functions (schedule checked and resolved there).
 */
#ifndef BIND_TIMER_TRIGGER_H
#define BIND_TIMER_TRIGGER_H

#include "cfunc.h"
#include "bindings/context.h"
#include "bindings/http_trigger.h"
#include "bindings/registry.h"

struct bind_timer {
	struct bind_ctx ctx;       /* first: cf_timer * is a bind_ctx * */
	const char *info;          /* TimerInfo JSON, arena */
	struct bind_durable *durable;
	struct bind_http *client;  /* made on first cf_timer_durable_client */
};

/* The host's part of cf_register_timer: resolves %Setting%, checks the
 * expression; on failure sets the app's error to func's message. */
cf_rc bind_register_timer(cf_app *app, const char *name, const char *schedule, unsigned flags,
			  cf_timer_fn fn);

/* Runs timer function `fn` once with `info` (TimerInfo JSON) and logs the
 * Executing/Executed lines: `reason` goes in Reason='…', `details` (may be
 * NULL) is logged as a "Trigger Details: …" line. Any thread. */
void bind_timer_run(const struct bind_function *fn, struct bind_durable *durable,
		    const char *info, const char *reason, const char *details);

const char *bind_timer_info(cf_timer *t);
cf_http *bind_timer_durable_client(cf_timer *t);

#define BIND_TIMER_API_ENTRIES                                      \
	.register_timer = bind_register_timer,                      \
	.timer_info = bind_timer_info,                              \
	.timer_durable_client = bind_timer_durable_client,

#endif
