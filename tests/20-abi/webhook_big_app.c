/*
 * webhook_big_app - instances with long histories, for the management API's
 * size limits (tests/50-e2e/webhooks_limits.sh, bench/webhooks_large.sh).
 *
 *   wh_many     input: a count N; fans out N wh_echo activities and returns
 *               [0, 1, ..., N-1] gathered by when_all, so its history has
 *               about 2N events (N scheduled, N completed).
 *   wh_echo     returns its input.
 */
#include <cfunc.h>

#include <stdlib.h>

static cf_rc wh_many(cf_orch *o)
{
	double count = 0;
	const char *results;
	cf_task **tasks;
	size_t n;

	if (cf_json_number(o, cf_orch_input(o), NULL, &count) != CF_OK || count < 1 || count > 100000)
		return cf_orch_fail(o, "input must be a count from 1 to 100000");
	n = (size_t)count;
	tasks = cf_alloc(o, n * sizeof(*tasks));
	for (size_t i = 0; i < n; i++)
		tasks[i] = cf_call_activity(o, "wh_echo", cf_fmt(o, "%zu", i));
	CF_AWAIT(o, cf_when_all(o, tasks, n), &results);
	return cf_orch_finish(o, results);
}

static cf_rc wh_echo(cf_act *a)
{
	return cf_act_return(a, cf_act_input(a));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "wh_many", wh_many);
	cf_register_activity(app, "wh_echo", wh_echo);
	return CF_OK;
}

CF_APP_INIT(init)
