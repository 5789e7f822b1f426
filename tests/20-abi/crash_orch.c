/*
 * crash_orch.c - an app whose orchestrator "crash_loop" calls abort(): it
 * takes the host down on every episode, so an instance of it can only be
 * stopped offline (tests/50-e2e/durable_cli_offline.sh). "wait_event"
 * waits for an external event "go" and returns its data.
 */
#include <stdlib.h>

#include "cfunc.h"

static cf_rc crash_loop(cf_orch *o)
{
	(void)o;
	abort();
}

static cf_rc wait_event(cf_orch *o)
{
	const char *data;
	CF_AWAIT(o, cf_wait_for_event(o, "go"), &data);
	return cf_orch_finish(o, data);
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "crash_loop", crash_loop);
	cf_register_orchestrator(app, "wait_event", wait_event);
	return CF_OK;
}

CF_APP_INIT(init)
