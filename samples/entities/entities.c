/*
 * entities - durable entities: a counter, an aggregator fed by a fan-out
 * orchestration, and bank accounts with a transfer in a critical section.
 *
 * Entities (operations in quotes; state as JSON):
 *   counter   "add" n (default 1), "reset", "get", "delete", "set" (the
 *             input becomes the state); also "forward"
 *             {"key":k,"n":n} (signals counter k), "spawn" (starts
 *             counter_bump on this key), "add_then_fail" (rolled back).
 *             State: a number.
 *   sum       "add" n, "get", "delete": the aggregator.
 *   account   "deposit" n, "withdraw" n (fails when the balance is short),
 *             "balance", "delete". State: {"balance":n}.
 *   broken    fails every operation.
 * Orchestrators (start them with POST /api/orchestrators/<name>):
 *   transfer        {"from":"a","to":"b","amount":n}: locks both accounts,
 *                   checks, withdraws, deposits, unlocks; {"ok":true|false}
 *   counter_calls   {"key":k,"n":n}: n two-way "add" calls; the last value
 *   counter_signals {"key":k,"n":n,"delay_ms":d}: n one-way "add" signals,
 *                   delivered d ms later when d > 0
 *   counter_bump    {"key":k}: one call of "add"
 *   aggregate       {"count":n,"key":k}: squares 1..n in parallel
 *                   (activity square) and signals each to sum k
 *   call_broken     calls broken; returns the failure message
 *   call_any        {"name","key","op"}: {"ok":result} or {"error":message}
 *   lock_rules      {"rule":"nested"|"unlocked_call"|"sub_orch"|"signal_locked"}
 *                   breaks that locking rule (and fails)
 *   hold_lock       {"key":k}: locks counter k until the event "go"
 * HTTP:
 *   POST /api/counter/{key}?op=add  body n: signals the counter (202)
 *   GET  /api/counter/{key}         its state (200) or 404
 *   POST /api/entities/clean        clean entity storage:
 *                                   {"removedEmptyEntities":n,"releasedOrphanedLocks":n}
 */
#include <cfunc.h>

#include <string.h>

/* n from the input: a number, or {"n": number}; dflt when none. */
static double input_number(cf_entity *e, double dflt)
{
	const char *in = cf_entity_input(e);
	double n = dflt;
	if (in && cf_json_number(e, in, NULL, &n) != CF_OK)
		cf_json_number(e, in, "n", &n);
	return n;
}

static double state_number(cf_entity *e)
{
	const char *st = cf_entity_state(e);
	double v = 0;
	if (st)
		cf_json_number(e, st, NULL, &v);
	return v;
}

static cf_rc counter(cf_entity *e)
{
	const char *op = cf_entity_op(e);
	if (strcmp(op, "add") == 0) {
		double v = state_number(e) + input_number(e, 1);
		cf_entity_set_state(e, cf_fmt(e, "%.15g", v));
		return cf_entity_return(e, cf_fmt(e, "%.15g", v));
	}
	if (strcmp(op, "reset") == 0)
		return cf_entity_set_state(e, "0");
	if (strcmp(op, "set") == 0)
		return cf_entity_set_state(e, cf_entity_input(e) ? cf_entity_input(e) : "null");
	if (strcmp(op, "get") == 0)
		return cf_entity_return(e, cf_fmt(e, "%.15g", state_number(e)));
	if (strcmp(op, "delete") == 0) {
		cf_entity_delete_state(e);
		return CF_OK;
	}
	if (strcmp(op, "forward") == 0) {
		const char *in = cf_entity_input(e), *key = in ? cf_json_string(e, in, "key") : NULL;
		double n = 1;
		if (!key)
			return cf_entity_fail(e, "forward needs {\"key\": ...}");
		cf_json_number(e, in, "n", &n);
		return cf_entity_signal(e, "counter", key, "add", cf_fmt(e, "%.15g", n), 0);
	}
	if (strcmp(op, "spawn") == 0)
		return cf_entity_start_orchestration(
			e, "counter_bump", NULL,
			cf_fmt(e, "{\"key\":%s}", cf_json_quote(e, cf_entity_key(e))));
	if (strcmp(op, "add_then_fail") == 0) {
		cf_entity_set_state(e, cf_fmt(e, "%.15g", state_number(e) + 1000));
		cf_entity_signal(e, "counter", "rollback-witness", "add", "1", 0);
		return cf_entity_fail(e, "failed on purpose after adding 1000");
	}
	return cf_entity_fail(e, cf_fmt(e, "counter has no operation '%s'", op));
}

static cf_rc sum(cf_entity *e)
{
	const char *op = cf_entity_op(e);
	if (strcmp(op, "add") == 0)
		return cf_entity_set_state(e, cf_fmt(e, "%.15g", state_number(e) + input_number(e, 0)));
	if (strcmp(op, "get") == 0)
		return cf_entity_return(e, cf_fmt(e, "%.15g", state_number(e)));
	if (strcmp(op, "delete") == 0) {
		cf_entity_delete_state(e);
		return CF_OK;
	}
	return cf_entity_fail(e, cf_fmt(e, "sum has no operation '%s'", op));
}

static double balance_of(cf_entity *e)
{
	const char *st = cf_entity_state(e);
	double b = 0;
	if (st)
		cf_json_number(e, st, "balance", &b);
	return b;
}

static cf_rc account(cf_entity *e)
{
	const char *op = cf_entity_op(e);
	double n = input_number(e, 0), b = balance_of(e);
	if (strcmp(op, "deposit") == 0 || strcmp(op, "withdraw") == 0) {
		if (!(n > 0))
			return cf_entity_fail(e, "the amount must be a positive number");
		if (strcmp(op, "withdraw") == 0) {
			if (b < n)
				return cf_entity_fail(e, cf_fmt(e, "insufficient funds: balance %.15g, "
								 "withdrawal %.15g", b, n));
			n = -n;
		}
		cf_entity_set_state(e, cf_fmt(e, "{\"balance\":%.15g}", b + n));
		return cf_entity_return(e, cf_fmt(e, "%.15g", b + n));
	}
	if (strcmp(op, "balance") == 0)
		return cf_entity_return(e, cf_fmt(e, "%.15g", b));
	if (strcmp(op, "delete") == 0) {
		cf_entity_delete_state(e);
		return CF_OK;
	}
	return cf_entity_fail(e, cf_fmt(e, "account has no operation '%s'", op));
}

static cf_rc broken(cf_entity *e)
{
	return cf_entity_fail(e, cf_fmt(e, "broken refuses '%s'", cf_entity_op(e)));
}

static cf_rc transfer(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	const char *from = cf_json_string(o, in, "from"), *to = cf_json_string(o, in, "to");
	double amount = 0, bal;
	const char *r;
	if (!from || !to || cf_json_number(o, in, "amount", &amount) != CF_OK || !(amount > 0))
		return cf_orch_fail(o, "transfer needs {\"from\",\"to\",\"amount\" > 0}");
	const char *names[2] = {"account", "account"}, *keys[2] = {from, to};
	CF_AWAIT(o, cf_lock_entities(o, names, keys, 2), NULL);
	CF_AWAIT(o, cf_call_entity(o, "account", from, "balance", NULL), &r);
	cf_json_number(o, r, NULL, &bal);
	if (bal < amount) {
		cf_unlock_entities(o);
		return cf_orch_finish(o, "{\"ok\":false}");
	}
	const char *amt = cf_fmt(o, "%.15g", amount);
	CF_AWAIT(o, cf_call_entity(o, "account", from, "withdraw", amt), NULL);
	CF_AWAIT(o, cf_call_entity(o, "account", to, "deposit", amt), NULL);
	cf_unlock_entities(o);
	return cf_orch_finish(o, "{\"ok\":true}");
}

static cf_rc counter_calls(cf_orch *o)
{
	const char *in = cf_orch_input(o), *key = cf_json_string(o, in, "key"), *r = "0";
	double n = 1;
	cf_json_number(o, in, "n", &n);
	if (!key)
		return cf_orch_fail(o, "counter_calls needs {\"key\": ...}");
	for (int i = 0; i < (int)n; i++)
		CF_AWAIT(o, cf_call_entity(o, "counter", key, "add", "1"), &r);
	return cf_orch_finish(o, r);
}

static cf_rc counter_signals(cf_orch *o)
{
	const char *in = cf_orch_input(o), *key = cf_json_string(o, in, "key");
	double n = 1, delay = 0;
	cf_json_number(o, in, "n", &n);
	cf_json_number(o, in, "delay_ms", &delay);
	if (!key)
		return cf_orch_fail(o, "counter_signals needs {\"key\": ...}");
	int64_t at = delay > 0 ? cf_orch_now(o) + (int64_t)delay : 0;
	for (int i = 0; i < (int)n; i++)
		if (cf_signal_entity(o, "counter", key, "add", "1", at) != CF_OK)
			return CF_ERROR;
	return cf_orch_finish(o, cf_fmt(o, "%lld", (long long)at));
}

static cf_rc counter_bump(cf_orch *o)
{
	const char *key = cf_json_string(o, cf_orch_input(o), "key"), *r;
	if (!key)
		return cf_orch_fail(o, "counter_bump needs {\"key\": ...}");
	CF_AWAIT(o, cf_call_entity(o, "counter", key, "add", "1"), &r);
	return cf_orch_finish(o, r);
}

static cf_rc square(cf_act *a)
{
	double x = 0;
	if (cf_json_number(a, cf_act_input(a), NULL, &x) != CF_OK)
		return cf_act_fail(a, "square expects a number");
	return cf_act_return(a, cf_fmt(a, "%.15g", x * x));
}

static cf_rc aggregate(cf_orch *o)
{
	const char *in = cf_orch_input(o), *key = cf_json_string(o, in, "key"), *results;
	double count = 0;
	size_t n;
	cf_json_number(o, in, "count", &count);
	if (!key || !(count >= 1 && count <= 1000))
		return cf_orch_fail(o, "aggregate needs {\"key\": ..., \"count\": 1..1000}");
	cf_task **tasks = cf_alloc(o, (size_t)count * sizeof(*tasks));
	for (int i = 0; i < (int)count; i++)
		tasks[i] = cf_call_activity(o, "square", cf_fmt(o, "%d", i + 1));
	CF_AWAIT(o, cf_when_all(o, tasks, (size_t)count), &results);
	cf_json_length(o, results, NULL, &n);
	for (size_t i = 0; i < n; i++) {
		const char *v = cf_json_get(o, results, cf_fmt(o, "%zu", i));
		if (cf_signal_entity(o, "sum", key, "add", v, 0) != CF_OK)
			return CF_ERROR;
	}
	return cf_orch_finish(o, cf_fmt(o, "%zu", n));
}

/* Calls {"name","key","op"} and returns {"ok":result} or {"error":message}. */
static cf_rc call_any(cf_orch *o)
{
	const char *in = cf_orch_input(o), *r;
	const char *name = cf_json_string(o, in, "name"), *key = cf_json_string(o, in, "key");
	const char *op = cf_json_string(o, in, "op");
	cf_task *t = cf_call_entity(o, name ? name : "", key ? key : "", op ? op : "", NULL);
	cf_rc rc = cf_await(o, t, &r);
	if (rc == CF_PENDING)
		return rc;
	if (rc == CF_OK)
		return cf_orch_finish(o, cf_fmt(o, "{\"ok\":%s}", r));
	return cf_orch_finish(o, cf_fmt(o, "{\"error\":%s}", cf_json_quote(o, cf_task_error(t))));
}

static cf_rc call_broken(cf_orch *o)
{
	cf_task *t = cf_call_entity(o, "broken", "x", "anything", "{\"a\":1}");
	cf_rc rc = cf_await(o, t, NULL);
	if (rc == CF_PENDING)
		return rc;
	if (rc == CF_OK)
		return cf_orch_finish(o, "\"unexpected success\"");
	return cf_orch_finish(o, cf_json_quote(o, cf_task_error(t)));
}

static cf_rc lock_rules(cf_orch *o)
{
	const char *rule = cf_json_string(o, cf_orch_input(o), "rule");
	const char *names[1] = {"counter"}, *keys[1] = {"locked"};
	if (!rule)
		return cf_orch_fail(o, "lock_rules needs {\"rule\": ...}");
	CF_AWAIT(o, cf_lock_entities(o, names, keys, 1), NULL);
	if (strcmp(rule, "nested") == 0)
		CF_AWAIT(o, cf_lock_entities(o, names, keys, 1), NULL);
	else if (strcmp(rule, "unlocked_call") == 0)
		CF_AWAIT(o, cf_call_entity(o, "counter", "other", "get", NULL), NULL);
	else if (strcmp(rule, "sub_orch") == 0)
		CF_AWAIT(o, cf_call_sub_orchestrator(o, "counter_bump", NULL, "{\"key\":\"x\"}"), NULL);
	else if (strcmp(rule, "signal_locked") == 0 &&
		 cf_signal_entity(o, "counter", "locked", "add", "1", 0) != CF_OK)
		return CF_ERROR;
	return cf_orch_finish(o, "\"no rule broken\"");
}

/* Holds a lock on counter {key} until the event "go" (for clean storage). */
static cf_rc hold_lock(cf_orch *o)
{
	const char *key = cf_json_string(o, cf_orch_input(o), "key");
	const char *names[1] = {"counter"}, *keys[1] = {key};
	if (!key)
		return cf_orch_fail(o, "hold_lock needs {\"key\": ...}");
	CF_AWAIT(o, cf_lock_entities(o, names, keys, 1), NULL);
	cf_orch_set_custom_status(o, "\"locked\"");
	CF_AWAIT(o, cf_wait_for_event(o, "go"), NULL);
	return cf_orch_finish(o, NULL);
}

static cf_rc clean_http(cf_http *h)
{
	int64_t removed = 0, released = 0;
	if (cf_durable_clean_entity_storage(h, &removed, &released) != CF_OK)
		return cf_http_respond(h, 500, "text/plain", cf_last_error(h));
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"removedEmptyEntities\":%lld,\"releasedOrphanedLocks\":%lld}",
				      (long long)removed, (long long)released));
}

static cf_rc counter_http(cf_http *h)
{
	const char *key = cf_http_route_param(h, "key"), *state;
	if (strcmp(cf_http_method(h), "GET") == 0) {
		cf_rc rc = cf_durable_read_entity(h, "counter", key, &state);
		if (rc == CF_E_NOTFOUND)
			return cf_http_respond(h, 404, NULL, NULL);
		if (rc != CF_OK)
			return cf_http_respond(h, 500, "text/plain", cf_last_error(h));
		return cf_http_respond(h, 200, "application/json", state);
	}
	const char *op = cf_http_query(h, "op");
	size_t len;
	const char *body = cf_http_body(h, &len);
	cf_rc rc = cf_durable_signal_entity(h, "counter", key, op ? op : "add", len ? body : NULL, 0);
	if (rc == CF_E_INVALID)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	if (rc != CF_OK)
		return cf_http_respond(h, 500, "text/plain", cf_last_error(h));
	return cf_http_respond(h, 202, NULL, NULL);
}

static cf_rc init(cf_app *app)
{
	cf_register_entity(app, "counter", counter);
	cf_register_entity(app, "sum", sum);
	cf_register_entity(app, "account", account);
	cf_register_entity(app, "broken", broken);
	cf_register_orchestrator(app, "transfer", transfer);
	cf_register_orchestrator(app, "counter_calls", counter_calls);
	cf_register_orchestrator(app, "counter_signals", counter_signals);
	cf_register_orchestrator(app, "counter_bump", counter_bump);
	cf_register_orchestrator(app, "aggregate", aggregate);
	cf_register_orchestrator(app, "call_broken", call_broken);
	cf_register_orchestrator(app, "call_any", call_any);
	cf_register_orchestrator(app, "lock_rules", lock_rules);
	cf_register_orchestrator(app, "hold_lock", hold_lock);
	cf_register_activity(app, "square", square);
	cf_register_http(app, "entities_clean", "POST", "entities/clean", CF_AUTH_ANONYMOUS,
			 clean_http);
	cf_register_http(app, "counter_http", "GET,POST", "counter/{key}", CF_AUTH_ANONYMOUS,
			 counter_http);
	return CF_OK;
}

CF_APP_INIT(init)
