/*
 * engine_app - functions the engine robustness tests need (start them with
 * POST /runtime/webhooks/durabletask/orchestrators/<name>):
 *
 *   fan_beside_crash  input {"count": N, "ms": M, "crash_at": K}: N calls of
 *                     slow_item (each sleeps M ms) with one call of
 *                     crash_item scheduled as call number K among them;
 *                     awaits every call, failures included, and returns
 *                     {"ok": <completed>, "failed": <failed>, "errors": [..]}.
 *   fan_out           input {"count": N, "ms": M}: N calls of slow_item
 *                     in parallel (when_all); returns {"done": N}.
 *   slow_item         sleeps the number of ms in its input, returns it.
 *   crash_item        abort(): takes the whole host down on every attempt.
 */
#include <cfunc.h>

#include <stdlib.h>
#include <time.h>

static void sleep_ms(double ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)((long long)ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static cf_rc slow_item(cf_act *a)
{
	double ms = strtod(cf_act_input(a), NULL);
	if (ms > 0)
		sleep_ms(ms);
	return cf_act_return(a, cf_act_input(a));
}

static cf_rc crash_item(cf_act *a)
{
	(void)a;
	abort();
}

static double number(cf_orch *o, const char *key, double dflt)
{
	const char *in = cf_orch_input(o);
	double v = dflt;
	/* An absent member keeps the default (CF_E_NOTFOUND leaves v alone). */
	if (cf_json_number(o, in, key, &v) != CF_OK)
		v = dflt;
	return v;
}

static cf_rc fan_beside_crash(cf_orch *o)
{
	int n = (int)number(o, "count", 10), crash_at = (int)number(o, "crash_at", 0);
	const char *ms = cf_fmt(o, "%d", (int)number(o, "ms", 0));
	cf_task **t = cf_alloc(o, (size_t)(n + 1) * sizeof(*t));
	const char *errors = "";
	int ok = 0, failed = 0;

	if (n < 1 || n > 10000 || crash_at < 0 || crash_at > n)
		return cf_orch_fail(o, "count must be 1..10000 and crash_at 0..count");
	for (int i = 0; i <= n; i++)
		t[i] = i == crash_at ? cf_call_activity(o, "crash_item", NULL)
				     : cf_call_activity(o, "slow_item", ms);
	for (int i = 0; i <= n; i++) {
		cf_rc r = cf_await(o, t[i], NULL);
		if (r == CF_PENDING)
			return r;
		if (r == CF_OK) {
			ok++;
			continue;
		}
		failed++;
		errors = cf_fmt(o, "%s%s%s", errors, *errors ? "," : "",
				cf_json_quote(o, cf_task_error(t[i])));
	}
	return cf_orch_finish(o, cf_fmt(o, "{\"ok\":%d,\"failed\":%d,\"errors\":[%s]}", ok, failed,
					errors));
}

static cf_rc fan_out(cf_orch *o)
{
	int n = (int)number(o, "count", 10);
	const char *ms = cf_fmt(o, "%d", (int)number(o, "ms", 0));
	cf_task **t;

	if (n < 1 || n > 100000)
		return cf_orch_fail(o, "count must be 1..100000");
	t = cf_alloc(o, (size_t)n * sizeof(*t));
	for (int i = 0; i < n; i++)
		t[i] = cf_call_activity(o, "slow_item", ms);
	CF_AWAIT(o, cf_when_all(o, t, (size_t)n), NULL);
	return cf_orch_finish(o, cf_fmt(o, "{\"done\":%d}", n));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "fan_beside_crash", fan_beside_crash);
	cf_register_orchestrator(app, "fan_out", fan_out);
	cf_register_activity(app, "slow_item", slow_item);
	cf_register_activity(app, "crash_item", crash_item);
	return CF_OK;
}

CF_APP_INIT(init)
