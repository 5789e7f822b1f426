/*
 * replay_v1 - for tests/50-e2e/replay.sh: orchestrator "order_flow" calls
 * reserve then charge. replay_v2.c is the same app after a code change
 * (charge became ship), so v1's histories must not replay on v2.
 *
 * "mixed_flow" fans out over two different activities whose results come
 * back in the opposite order of the calls, every time: `slow` waits until
 * its marker file (the input names it) exists, which the test creates only
 * once it has seen `fast`'s result stored, so the call made second
 * completes first. A sub-orchestration doing the same and timers run
 * alongside, then a when_any where the later call wins. In v2 the
 * when_any's winner is called "quick" instead of "fast" (sequence 5).
 */
#include <cfunc.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SECOND_CALL
#define SECOND_CALL "charge"
#endif
#ifndef RACE_CALL
#define RACE_CALL "fast"
#endif

static cf_rc start(cf_http *h)
{
	const char *id;
	size_t len = 0;
	const char *body = cf_http_body(h, &len);
	const char *input = len ? cf_fmt(h, "%.*s", (int)len, body) : "{\"order\":7}";
	if (cf_durable_start(h, cf_http_route_param(h, "name"), NULL, input, &id) != CF_OK)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	return cf_durable_check_status_response(h, id);
}

static cf_rc order_flow(cf_orch *o)
{
	const char *a, *b;
	CF_AWAIT(o, cf_call_activity(o, "reserve", cf_orch_input(o)), &a);
	CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + 10), NULL);
	CF_AWAIT(o, cf_call_activity(o, SECOND_CALL, a), &b);
	return cf_orch_finish(o, cf_fmt(o, "[%s,%s]", a, b));
}

static cf_rc step(cf_act *a)
{
	return cf_act_return(a, cf_json_quote(a, cf_fmt(a, "done %s", cf_act_input(a))));
}

/* The marker file named by a JSON string input (the test's own path, no
 * escapes in it), copied into buf. */
static const char *marker(const char *json, char *buf, size_t size)
{
	size_t n = strlen(json);
	if (n < 2 || n - 2 >= size)
		return NULL;
	memcpy(buf, json + 1, n - 2);
	buf[n - 2] = '\0';
	return buf;
}

/* Completes only once the test made the marker (or after 30 s, with a
 * result the test would not accept). */
static cf_rc slow(cf_act *a)
{
	char path[4096];
	const char *m = marker(cf_act_input(a), path, sizeof(path));
	struct timespec tick = {0, 5 * 1000 * 1000};
	for (int i = 0; m && i < 6000 && access(m, F_OK) != 0; i++)
		nanosleep(&tick, NULL);
	return cf_act_return(a, m && access(m, F_OK) == 0 ? "\"slow\"" : "\"slow, alone\"");
}

static cf_rc fast(cf_act *a)
{
	return cf_act_return(a, "\"fast\"");
}

/* "<dir>/<tag>" as a JSON string, from the JSON string "<dir>". */
static const char *tagged(cf_orch *o, const char *dir, const char *tag)
{
	return cf_fmt(o, "%.*s/%s\"", (int)strlen(dir) - 1, dir, tag);
}

static cf_rc child_flow(cf_orch *o)
{
	const char *in = cf_orch_input(o), *all;
	cf_task *fan[3];
	fan[0] = cf_call_activity(o, "slow", in);
	fan[1] = cf_create_timer(o, cf_orch_now(o) + 20);
	fan[2] = cf_call_activity(o, "fast", in);
	CF_AWAIT(o, cf_when_all(o, fan, 3), &all);
	return cf_orch_finish(o, all);
}

static cf_rc mixed_flow(cf_orch *o)
{
	const char *dir = cf_orch_input(o), *all, *late;
	cf_task *fan[4], *race[3], *any;
	fan[0] = cf_call_activity(o, "slow", tagged(o, dir, "a"));
	fan[1] = cf_call_activity(o, "fast", tagged(o, dir, "a"));
	fan[2] = cf_call_sub_orchestrator(o, "child_flow", NULL, tagged(o, dir, "c"));
	fan[3] = cf_create_timer(o, cf_orch_now(o) + 50);
	CF_AWAIT(o, cf_when_all(o, fan, 4), &all);
	race[0] = cf_call_activity(o, "slow", tagged(o, dir, "b"));
	race[1] = cf_call_activity(o, RACE_CALL, tagged(o, dir, "b"));
	race[2] = cf_create_timer(o, cf_orch_now(o) + 600000);
	any = cf_when_any(o, race, 3);
	CF_AWAIT(o, any, NULL);
	cf_task_cancel(race[2]);
	CF_AWAIT(o, race[0], &late);
	return cf_orch_finish(o, cf_fmt(o, "{\"fan\":%s,\"won\":%s,\"late\":%s}", all,
				       cf_task_result(cf_task_winner(any)), late));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "start", "POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS, start);
	cf_register_orchestrator(app, "order_flow", order_flow);
	cf_register_activity(app, "reserve", step);
	cf_register_activity(app, "charge", step);
	cf_register_activity(app, "ship", step);
	cf_register_orchestrator(app, "mixed_flow", mixed_flow);
	cf_register_orchestrator(app, "child_flow", child_flow);
	cf_register_activity(app, "slow", slow);
	cf_register_activity(app, "fast", fast);
	cf_register_activity(app, "quick", fast);
	return CF_OK;
}

CF_APP_INIT(init)
