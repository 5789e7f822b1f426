/*
 * chain_app.c - a test app for the episode worker's history cache
 * (tests/50-e2e/workers_history_cache.sh): a chain of activities whose
 * output depends on every step, so an episode replayed against a wrong or
 * incomplete past gives a wrong number (or fails) instead of passing.
 *
 *   chain {"count": N, "v": V, "gen": G, "gens": GS, "pauseAt": K, "pauseMs": M}
 *     N chain_step calls one after another, v = step(v), starting at V; a
 *     durable timer of M ms before step K (K < 0: none); then, while
 *     G < GS, continues as new with gen G + 1 and the v reached. Output
 *     {"v": v, "gen": G}.
 *   chain_step V -> (V * 31 + 7) mod 1000003
 */
#include "cfunc.h"

#include <stdlib.h>

static double field(cf_orch *o, const char *name, double def)
{
	double v = def;
	if (cf_json_number(o, cf_orch_input(o), name, &v) != CF_OK)
		return def;
	return v;
}

static cf_rc chain(cf_orch *o)
{
	int n = (int)field(o, "count", 0), gen = (int)field(o, "gen", 1);
	int gens = (int)field(o, "gens", 1), pause_at = (int)field(o, "pauseAt", -1);
	int pause_ms = (int)field(o, "pauseMs", 0);
	const char *v = cf_fmt(o, "%ld", (long)field(o, "v", 1));
	for (int i = 0; i < n; i++) {
		if (i == pause_at)
			CF_AWAIT(o, cf_create_timer(o, cf_orch_now(o) + pause_ms), NULL);
		CF_AWAIT(o, cf_call_activity(o, "chain_step", v), &v);
	}
	if (gen < gens)
		return cf_orch_continue_as_new(
			o,
			cf_fmt(o, "{\"count\":%d,\"v\":%s,\"gen\":%d,\"gens\":%d,\"pauseAt\":%d,"
				  "\"pauseMs\":%d}", n, v, gen + 1, gens, pause_at, pause_ms),
			0);
	return cf_orch_finish(o, cf_fmt(o, "{\"v\":%s,\"gen\":%d}", v, gen));
}

static cf_rc chain_step(cf_act *a)
{
	const char *in = cf_act_input(a);
	char *end;
	long v = strtol(in, &end, 10);
	if (end == in || *end)
		return cf_act_fail(a, "chain_step expects an integer");
	return cf_act_return(a, cf_fmt(a, "%ld", (v * 31 + 7) % 1000003));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "chain", chain);
	cf_register_activity(app, "chain_step", chain_step);
	return CF_OK;
}

CF_APP_INIT(init)
