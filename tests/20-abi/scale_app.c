/*
 * scale_app - orchestrators whose histories grow large, for the tests and
 * benchmarks that check the engine stays linear in history length:
 *   scale_fan_out  {"count": N}  N scale_inc calls at once, one when_all;
 *                                output: the number of results received
 *   scale_sequence {"count": N}  N scale_inc calls one after another, each
 *                                fed the previous result; output: N
 *   scale_slow_fan_in {"count": N, "spinMs": M}  as scale_fan_out, but
 *                                every replay first burns M ms of CPU (at
 *                                most 5000): a replay that long leaves the
 *                                engine thread and stays out on the replay
 *                                thread long enough to be seen (and for
 *                                the results it waits for to be parked)
 *   scale_inc                    a number plus one
 * Start them with the management API:
 *   POST /runtime/webhooks/durabletask/orchestrators/scale_fan_out
 */
#include <cfunc.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The engine's default maxOrchestrationActions. */
#define MAX_COUNT 100000

/* The count of the input, or -1 when it is missing or out of range. */
static int input_count(cf_orch *o)
{
	double count = -1;
	if (cf_json_number(o, cf_orch_input(o), "count", &count) != CF_OK || !(count >= 0) ||
	    count > MAX_COUNT || count != (int)count)
		return -1;
	return (int)count;
}

static cf_rc scale_fan_out(cf_orch *o)
{
	int n = input_count(o);
	const char *results;
	size_t got = 0;
	cf_task **tasks;

	if (n < 0)
		return cf_orch_fail(o, "count must be an integer from 0 to 100000");
	tasks = cf_alloc(o, (n ? n : 1) * sizeof(*tasks));
	for (int i = 0; i < n; i++)
		tasks[i] = cf_call_activity(o, "scale_inc", cf_fmt(o, "%d", i));
	CF_AWAIT(o, cf_when_all(o, tasks, (size_t)n), &results);
	/* Count the results so the output stays small: "[0,1,...]" has n - 1
	 * commas (and "[]" none). */
	for (const char *p = results; *p; p++)
		got += *p == ',';
	return cf_orch_finish(o, cf_fmt(o, "%zu", n ? got + 1 : 0));
}

/* Burns ms of CPU time. Reading a clock breaks no replay here: nothing
 * the orchestrator decides depends on it. */
static void burn_ms(double ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6 < ms);
}

static cf_rc scale_slow_fan_in(cf_orch *o)
{
	double spin = -1;
	if (cf_json_number(o, cf_orch_input(o), "spinMs", &spin) != CF_OK || !(spin >= 0) ||
	    spin > 5000)
		return cf_orch_fail(o, "spinMs must be a number from 0 to 5000");
	burn_ms(spin);
	return scale_fan_out(o);
}

static cf_rc scale_sequence(cf_orch *o)
{
	int n = input_count(o);
	const char *last = "0";

	if (n < 0)
		return cf_orch_fail(o, "count must be an integer from 0 to 100000");
	for (int i = 0; i < n; i++)
		CF_AWAIT(o, cf_call_activity(o, "scale_inc", last), &last);
	return cf_orch_finish(o, last);
}

static cf_rc scale_inc(cf_act *a)
{
	const char *in = cf_act_input(a);
	char *end;
	long v = strtol(in, &end, 10);
	if (end == in || *end)
		return cf_act_fail(a, "scale_inc expects an integer");
	return cf_act_return(a, cf_fmt(a, "%ld", v + 1));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "scale_fan_out", scale_fan_out);
	cf_register_orchestrator(app, "scale_sequence", scale_sequence);
	cf_register_orchestrator(app, "scale_slow_fan_in", scale_slow_fan_in);
	cf_register_activity(app, "scale_inc", scale_inc);
	return CF_OK;
}

CF_APP_INIT(init)
