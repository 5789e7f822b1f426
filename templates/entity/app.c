/* Durable entities: a counter entity signalled and read over HTTP, and an orchestrator that
 * calls it and waits for the answer */
/*
 * Try it:
 *   make && cfunc start
 *   curl -X POST -d 5 http://127.0.0.1:7071/api/counter/mine/add     (202: signalled)
 *   curl http://127.0.0.1:7071/api/counter/mine                      -> 5
 *   curl -X POST http://127.0.0.1:7071/api/orchestrators/count_twice -d '"mine"'
 *   curl <statusQueryGetUri from the answer>                          -> "output":[6,7]
 *   curl http://127.0.0.1:7071/runtime/webhooks/durabletask/entities/counter/mine
 */
#include <cfunc.h>

#include <stdlib.h>
#include <string.h>

/* One entity per key ("@counter@mine"). Its operations run one at a time,
 * in the order they arrived; its state (a JSON number here) is committed
 * with the operation, and a failed operation changes nothing. */
static cf_rc counter(cf_entity *e)
{
	const char *op = cf_entity_op(e), *state = cf_entity_state(e), *in = cf_entity_input(e);
	double value = state ? atof(state) : 0;

	if (strcmp(op, "add") == 0) {
		double n = 0;
		if (!in || cf_json_number(e, in, NULL, &n) != CF_OK)
			return cf_entity_fail(e, "add needs a number");
		value += n;
		cf_entity_set_state(e, cf_fmt(e, "%.15g", value));
		return cf_entity_return(e, cf_fmt(e, "%.15g", value));
	}
	if (strcmp(op, "get") == 0)
		return cf_entity_return(e, cf_fmt(e, "%.15g", value));
	if (strcmp(op, "reset") == 0)
		return cf_entity_set_state(e, "0");
	if (strcmp(op, "delete") == 0) {
		cf_entity_delete_state(e);
		return CF_OK;
	}
	return cf_entity_fail(e, cf_fmt(e, "counter has no operation '%s'", op));
}

/* POST /api/counter/{key}/{op}: a signal (one-way, answered once it is
 * stored); GET /api/counter/{key}: the last committed state. */
static cf_rc counter_http(cf_http *h)
{
	const char *key = cf_http_route_param(h, "key"), *op = cf_http_route_param(h, "op");
	if (op && *op) {
		size_t len;
		const char *body = cf_http_body(h, &len);
		if (cf_durable_signal_entity(h, "counter", key, op, len ? body : NULL, 0) != CF_OK)
			return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
		return cf_http_respond(h, 202, "text/plain", "");
	}
	const char *state = NULL;
	if (cf_durable_read_entity(h, "counter", key, &state) != CF_OK)
		return cf_http_respond(h, 500, "text/plain", cf_last_error(h));
	if (!state)
		return cf_http_respond(h, 404, "text/plain", "no such counter");
	return cf_http_respond(h, 200, "application/json", state);
}

/* Calls are two-way: the orchestrator waits for the operation's result (or
 * gets its failure), and replays see the same answers. */
static cf_rc count_twice(cf_orch *o)
{
	const char *key = cf_json_string(o, cf_orch_input(o), NULL), *a, *b;
	if (!key)
		return cf_orch_fail(o, "the input must be the counter's key as a JSON string");
	CF_AWAIT(o, cf_call_entity(o, "counter", key, "add", "1"), &a);
	CF_AWAIT(o, cf_call_entity(o, "counter", key, "add", "1"), &b);
	return cf_orch_finish(o, cf_fmt(o, "[%s,%s]", a, b));
}

/* POST /api/orchestrators/{name}: starts that orchestrator with the request
 * body as its input, answering with the check-status payload. */
static cf_rc http_start(cf_http *h)
{
	size_t len;
	const char *body = cf_http_body(h, &len);
	const char *id;
	if (cf_durable_start(h, cf_http_route_param(h, "name"), NULL, len ? body : NULL, &id) != CF_OK)
		return cf_http_respond(h, 400, "text/plain", cf_last_error(h));
	return cf_durable_check_status_response(h, id);
}

static cf_rc init(cf_app *app)
{
	cf_register_entity(app, "counter", counter);
	cf_register_http(app, "counter_http", "GET,POST", "counter/{key}/{op?}", CF_AUTH_ANONYMOUS,
			 counter_http);
	cf_register_orchestrator(app, "count_twice", count_twice);
	cf_register_http(app, "http_start", "POST", "orchestrators/{name}", CF_AUTH_ANONYMOUS,
			 http_start);
	return CF_OK;
}

CF_APP_INIT(init)
