/*
 * webhook_app - orchestrations in every state the management webhooks
 * answer for (tests/50-e2e/webhooks*.sh, bench/webhooks.sh). Started through
 * POST /runtime/webhooks/durabletask/orchestrators/{name}; no HTTP functions.
 *
 *   wh_wait     sets customStatus {"step":"waiting"}, waits for event "go",
 *               returns its data (Running until raised).
 *   wh_fail     calls wh_boom, which always fails ("boom!"): Failed.
 *   wh_direct   fails itself with the message given as input (a string).
 *   wh_flaky    calls wh_flaky_act with its input (a file path): the activity
 *               fails until that file exists, then returns "recovered" (rewind).
 *   wh_noop     returns its input at once (listing and bench fodder).
 *   wh_parent   waits on a 50 ms durable timer, then runs wh_noop as a
 *               sub-orchestration with {"x":1} and returns its output
 *               (history projection of timers and sub-orchestrations).
 *   wh_pinger   waits for "ping" events forever, continuing as new every 20
 *               events so the history stays short (raise-event bench).
 */
#include <cfunc.h>

#include <string.h>
#include <unistd.h>

static cf_rc wh_wait(cf_orch *o)
{
	const char *data;
	cf_orch_set_custom_status(o, "{\"step\":\"waiting\"}");
	CF_AWAIT(o, cf_wait_for_event(o, "go"), &data);
	return cf_orch_finish(o, data);
}

static cf_rc wh_fail(cf_orch *o)
{
	const char *r;
	CF_AWAIT(o, cf_call_activity(o, "wh_boom", NULL), &r);
	return cf_orch_finish(o, r);
}

static cf_rc wh_boom(cf_act *a)
{
	return cf_act_fail(a, "boom!");
}

static cf_rc wh_direct(cf_orch *o)
{
	const char *msg = cf_json_string(o, cf_orch_input(o), NULL);
	return cf_orch_fail(o, msg ? msg : "no message");
}

static cf_rc wh_flaky(cf_orch *o)
{
	const char *r;
	CF_AWAIT(o, cf_call_activity(o, "wh_flaky_act", cf_orch_input(o)), &r);
	return cf_orch_finish(o, r);
}

static cf_rc wh_flaky_act(cf_act *a)
{
	const char *path = cf_json_string(a, cf_act_input(a), NULL);
	if (!path || access(path, F_OK) != 0)
		return cf_act_fail(a, "flag file missing");
	return cf_act_return(a, "\"recovered\"");
}

static cf_rc wh_noop(cf_orch *o)
{
	return cf_orch_finish(o, cf_orch_input(o));
}

static cf_rc wh_parent(cf_orch *o)
{
	const char *r;
	CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + 50), NULL);
	CF_AWAIT(o, cf_call_sub_orchestrator(o, "wh_noop", NULL, "{\"x\":1}"), &r);
	return cf_orch_finish(o, r);
}

static cf_rc wh_pinger(cf_orch *o)
{
	for (int i = 0; i < 20; i++)
		CF_AWAIT(o, cf_wait_for_event(o, "ping"), NULL);
	return cf_orch_continue_as_new(o, "null", 1);
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "wh_wait", wh_wait);
	cf_register_orchestrator(app, "wh_fail", wh_fail);
	cf_register_activity(app, "wh_boom", wh_boom);
	cf_register_orchestrator(app, "wh_direct", wh_direct);
	cf_register_orchestrator(app, "wh_flaky", wh_flaky);
	cf_register_activity(app, "wh_flaky_act", wh_flaky_act);
	cf_register_orchestrator(app, "wh_noop", wh_noop);
	cf_register_orchestrator(app, "wh_parent", wh_parent);
	cf_register_orchestrator(app, "wh_pinger", wh_pinger);
	return CF_OK;
}

CF_APP_INIT(init)
