/*
 * held_replay - an orchestrator whose second episode is a long replay that
 * the test ends, for tests/50-e2e/workers_episode_pair.sh:
 *   held {"gate": "<path>"}  its first episode naps 20 ms (so the engine
 *                            sends its next one to the replay thread) and
 *                            calls held_echo; its second episode, past the
 *                            result, writes "<pid>\n" to <path>.held and
 *                            waits until <path> exists (60 s at most),
 *                            then finishes with the result
 *   quick "x"                finishes with "x" in its first episode: the
 *                            engine sends an episode to the replay thread
 *                            only after an earlier one of the instance cost
 *                            5 ms, so this one always runs on the engine
 *                            thread (a second one, on a loaded machine,
 *                            could queue behind the held replay there)
 *   held_echo                returns its input
 *   GET /api/ok              "ok"
 * The nap and the wait change nothing the orchestrator decides (it only
 * waits), so every replay of it makes the same calls.
 */
#include <cfunc.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* Says which process holds the replay, then waits for the gate (bounded,
 * so a test that failed before opening it leaves no episode behind). */
static void hold(cf_orch *o, const char *gate)
{
	FILE *f = fopen(cf_fmt(o, "%s.held", gate), "w");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	for (int i = 0; i < 6000 && access(gate, F_OK) != 0; i++)
		nap_ms(10);
}

static cf_rc held(cf_orch *o)
{
	const char *gate = cf_json_string(o, cf_orch_input(o), "gate"), *r;
	if (!gate)
		return cf_orch_fail(o, "held needs {\"gate\": path}");
	if (!cf_orch_is_replaying(o))
		nap_ms(20);
	CF_AWAIT(o, cf_call_activity(o, "held_echo", "\"through\""), &r);
	if (!cf_orch_is_replaying(o))
		hold(o, gate);
	return cf_orch_finish(o, r);
}

static cf_rc quick(cf_orch *o)
{
	return cf_orch_finish(o, cf_orch_input(o));
}

static cf_rc held_echo(cf_act *a)
{
	return cf_act_return(a, cf_act_input(a));
}

static cf_rc ok_fn(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", "ok");
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "held", held);
	cf_register_orchestrator(app, "quick", quick);
	cf_register_activity(app, "held_echo", held_echo);
	cf_register_http(app, "ok", "GET", "ok", CF_AUTH_ANONYMOUS, ok_fn);
	return CF_OK;
}

CF_APP_INIT(init)
