/*
 * The management API in-process (management/webhooks.h): a request struct
 * in (method, path, query, headers, body), status, headers and body out,
 * against a real engine with fake orchestrators on a temporary hub file.
 * No HTTP server, no loader.
 *
 * Covers every cell of the status/operation matrix of durable-http-api §6
 * (each state x GET, raiseEvent, terminate, suspend, resume, rewind,
 * restart with the same id, purge) with the bodies §4 gives, and the other
 * outcomes of §4.1-§4.11: start (202, 200 after a wait, 400 for each bad
 * argument, 500 for an id in use), the status flags, raise event's content
 * type and JSON checks, listing, purge many, restart with a new id, and
 * the routes that are 404.
 *
 * Pending and ContinuedAsNew last only inside one engine batch, so those
 * instances are status rows written to the hub file before the engine
 * starts (the state is what the checks look at).
 */
#include "../runtime/engine_fake.h"
#include "../runtime/store_util.h"

#include <jansson.h>

#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "bindings/registry.h"
#include "management/webhooks.h"

#define WAIT_MS 5000
#define HOST "http://localhost:7071"
#define BASE HOST BIND_WEBHOOKS_BASE

static struct rt_arena arena;

/* ---- the fake app ------------------------------------------------------- */

static int orch_wait_event(struct rt_orch *o)
{
	const char *data;
	int rc = rt_orch_await(o, rt_orch_wait_for_event(o, "Approval"), &data);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, data);
	return RT_OK;
}

static int orch_done(struct rt_orch *o)
{
	rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "{\"echo\":%s}", rt_orch_input(o)));
	return RT_OK;
}

static int orch_boom(struct rt_orch *o)
{
	return rt_orch_fail(o, "boom");
}

static struct fake_fn app[] = {
	{.name = "wait_event", .orch = orch_wait_event},
	{.name = "done", .orch = orch_done},
	{.name = "boom", .orch = orch_boom},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

/* ---- requests ----------------------------------------------------------- */

static struct bind_registry reg;
static struct bind_durable client;
static struct rt_engine *eng;

/* The last response. */
static struct bind_http h;
static struct bind_kv req_headers[2];

/*
 * One request: `tail` after the base path ("instances/x"), `query` without
 * '?' ("" for none), content type and body may be NULL. Returns the status.
 */
static int req_ct(const char *method, const char *tail, const char *query, const char *ctype,
		  const char *body)
{
	rt_arena_reset(&arena);
	bind_http_init(&h, NULL, &arena);
	h.method = method;
	h.base_url = HOST;
	h.path = rt_arena_fmt(&arena, "%s/%s", BIND_WEBHOOKS_BASE, tail);
	h.raw_query = query;
	h.url = rt_arena_fmt(&arena, "%s%s%s%s", HOST, h.path, *query ? "?" : "", query);
	h.nheaders = 0;
	if (ctype)
		req_headers[h.nheaders++] = (struct bind_kv){"content-type", ctype};
	h.headers = req_headers;
	h.body = body ? body : "";
	h.body_len = body ? strlen(body) : 0;
	h.durable = &client;
	bind_webhooks_handle(&client, &h);
	return h.status;
}

static int req(const char *method, const char *tail, const char *query)
{
	return req_ct(method, tail, query, NULL, NULL);
}

static int post(const char *tail)
{
	return req("POST", tail, "");
}

static const char *resp_header(const char *name)
{
	for (size_t i = 0; i < h.nresp; i++)
		if (strcasecmp(h.resp_headers[i].name, name) == 0)
			return h.resp_headers[i].value;
	return NULL;
}

static const char *body(void)
{
	return h.resp_body ? h.resp_body : "";
}

/* A bodiless answer: no body and no Content-Type (§1.3). */
static int bodiless(void)
{
	return h.resp_len == 0 && !resp_header("Content-Type");
}

/* The body parsed (new reference), NULL when it is not JSON. */
static json_t *body_json(void)
{
	return json_loads(body(), JSON_DECODE_ANY, NULL);
}

/* String member `key` of the JSON body ("" when absent). */
static const char *body_str(const char *key)
{
	json_t *v = body_json();
	const char *s = json_string_value(json_object_get(v, key));
	char *copy = rt_arena_strdup(&arena, s ? s : "");
	json_decref(v);
	return copy;
}

static int json_ct(void)
{
	const char *ct = resp_header("Content-Type");
	return ct && strcmp(ct, "application/json; charset=utf-8") == 0;
}

/* ---- instances in each state -------------------------------------------- */

static const char *const states[] = {"Pending",   "Running",   "Suspended", "ContinuedAsNew",
				     "Completed", "Failed",    "Terminated"};
#define NSTATES (sizeof(states) / sizeof(states[0]))
static const char *const ops[] = {"get", "raise", "terminate", "suspend",
				  "resume", "rewind", "restart", "purge"};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* Expected codes, durable-http-api §6 (Failed GET without the flag). */
static const int matrix[NSTATES][NOPS] = {
	/* get  raise term susp resu rewi rest purge */
	{202, 202, 202, 202, 500, 500, 500, 200}, /* Pending */
	{202, 202, 202, 202, 500, 500, 500, 200}, /* Running */
	{202, 202, 202, 500, 202, 500, 500, 200}, /* Suspended */
	{202, 202, 202, 202, 500, 500, 500, 200}, /* ContinuedAsNew */
	{200, 410, 410, 410, 410, 410, 202, 200}, /* Completed */
	{200, 410, 410, 410, 410, 202, 202, 200}, /* Failed */
	{200, 410, 410, 410, 410, 410, 202, 200}, /* Terminated */
};

static const char *cell_id(size_t s, size_t op)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "%s-%s", states[s], ops[op]);
	return buf;
}

/* Rows for the two states no engine batch leaves behind, before the engine runs. */
static int write_transient_rows(const char *path)
{
	struct rt_store *s;
	char *err = NULL;
	int rc = 0;
	if (rt_store_open(&s, path, NULL, &err) != 0) {
		printf("# open %s: %s\n", path, err ? err : "?");
		free(err);
		return -1;
	}
	rc = rt_store_begin(s);
	for (size_t st = 0; st < NSTATES && rc == 0; st++) {
		enum rt_status status = st == 0 ? RT_ST_PENDING : RT_ST_CONTINUED_AS_NEW;
		if (st != 0 && st != 3)
			continue;
		for (size_t op = 0; op < NOPS && rc == 0; op++) {
			char id[64];
			snprintf(id, sizeof(id), "%s", cell_id(st, op));
			struct rt_instance in = make_instance(id, status, rt_now_us());
			in.name = "wait_event";
			in.input = "\"in\"";
			rc = rt_store_instance_put(s, &in, 0);
		}
	}
	if (rc == 0)
		rc = rt_store_commit(s);
	if (rc != 0)
		printf("# rows: %s\n", rt_store_errmsg(s));
	rt_store_close(s);
	return rc;
}

static int engine_start(const char *id, const char *name, const char *input)
{
	char *out = NULL, *err = NULL;
	int rc = rt_engine_start_instance(eng, name, id, input, &out, &err);
	if (rc != RT_OK)
		printf("#   start %s: %s\n", id, err ? err : "?");
	free(out);
	free(err);
	return rc;
}

/* Brings every live-state cell's instance into its state; 1 when all got there. */
static int make_live_states(void)
{
	int all = 1;
	struct rt_instance in;
	for (size_t st = 0; st < NSTATES; st++) {
		const char *name = st == 4 ? "done" : st == 5 ? "boom" : "wait_event";
		if (st == 0 || st == 3)
			continue;
		for (size_t op = 0; op < NOPS; op++)
			all &= engine_start(cell_id(st, op), name, "\"in\"") == RT_OK;
	}
	for (size_t st = 0; st < NSTATES; st++) {
		enum rt_status want = st == 2 ? RT_ST_SUSPENDED
				      : st == 4 ? RT_ST_COMPLETED
				      : st == 5 ? RT_ST_FAILED
				      : st == 6 ? RT_ST_TERMINATED
						: RT_ST_RUNNING;
		if (st == 0 || st == 3)
			continue;
		for (size_t op = 0; op < NOPS; op++) {
			const char *id = cell_id(st, op);
			char *err = NULL;
			if (st == 2 || st == 6) {
				/* Running first, then the operation that leads to the state. */
				all &= fake_wait_status(eng, id, RT_ST_RUNNING, WAIT_MS, &in, &arena);
				id = cell_id(st, op);
				if (st == 2)
					rt_engine_suspend(eng, id, "paused", &err);
				else
					rt_engine_terminate(eng, id, "stopped", &err);
				free(err);
			}
			all &= fake_wait_status(eng, cell_id(st, op), want, WAIT_MS, &in, &arena);
		}
	}
	return all;
}

/* One operation on `id`; the status. */
static int do_op(size_t op, const char *id)
{
	char tail[160];
	switch (op) {
	case 0:
		snprintf(tail, sizeof(tail), "instances/%s", id);
		return req("GET", tail, "");
	case 1:
		snprintf(tail, sizeof(tail), "instances/%s/raiseEvent/Approval", id);
		return req_ct("POST", tail, "", "application/json", "\"yes\"");
	case 6:
		snprintf(tail, sizeof(tail), "instances/%s/restart", id);
		return req("POST", tail, "restartWithNewInstanceId=false");
	case 7:
		snprintf(tail, sizeof(tail), "instances/%s", id);
		return req("DELETE", tail, "");
	default:
		snprintf(tail, sizeof(tail), "instances/%s/%s?reason=r", id, ops[op]);
		*strchr(tail, '?') = '\0';
		return req("POST", tail, "reason=r");
	}
}

/* What the body of a cell's answer must be (§4.2-§4.11). */
static void check_cell_body(size_t st, size_t op, int code, const char *id)
{
	const char *what = cell_id(st, op);
	switch (code) {
	case 200:
		if (op == 7) {
			is_str(body(), "{\"instancesDeleted\":1}", "%s: body", what);
		} else {
			is_str(body_str("runtimeStatus"), states[st], "%s: the status object", what);
			is_str(body_str("instanceId"), id, "%s: of that instance", what);
			ok(json_ct() && !resp_header("Location"), "%s: JSON, no Location", what);
		}
		break;
	case 202:
		if (op == 0) {
			is_str(body_str("runtimeStatus"), states[st], "%s: the status object", what);
			is_str(resp_header("Location"), h.url, "%s: Location is the request URL", what);
			is_str(resp_header("Retry-After"), "5", "%s: Retry-After 5", what);
		} else if (op == 6) {
			is_str(body_str("id"), id, "%s: the check-status payload of the same id", what);
			ok(!strstr(body(), "rewindPostUri") && strstr(body(), "restartPostUri"),
			   "%s: the 8-key form", what);
			is_str(resp_header("Retry-After"), "10", "%s: Retry-After 10", what);
		} else {
			ok(bodiless(), "%s: no body", what);
		}
		break;
	case 404:
	case 410:
		ok(bodiless(), "%s: no body, no Content-Type", what);
		break;
	case 500:
		is_str(body_str("Message"), "Something went wrong while processing your request",
		       "%s: the server error body", what);
		ok(*body_str("ExceptionMessage") && *body_str("ExceptionType") &&
			   *body_str("StackTrace"),
		   "%s: with the exception fields", what);
		break;
	case 400:
		is_str(body_str("Message"), "InstanceId does not match a valid orchestration instance.",
		       "%s: body", what);
		break;
	default:
		break;
	}
}

static void test_matrix(void)
{
	ok(make_live_states(), "an instance in each state for each operation");
	for (size_t st = 0; st < NSTATES; st++)
		for (size_t op = 0; op < NOPS; op++) {
			char saved[64];
			int code;
			/* cell_id's buffer is reused; the request needs its own copy. */
			snprintf(saved, sizeof(saved), "%s", cell_id(st, op));
			code = do_op(op, saved);
			is_int(code, matrix[st][op], "%s %s: %d", states[st], ops[op], matrix[st][op]);
			check_cell_body(st, op, code, saved);
		}
	/* The (missing) row. */
	static const int missing[NOPS] = {404, 404, 404, 404, 404, 404, 400, 404};
	for (size_t op = 0; op < NOPS; op++) {
		int code = do_op(op, "nobody");
		is_int(code, missing[op], "(missing) %s: %d", ops[op], missing[op]);
		if (code == 400) {
			is_str(body_str("Message"),
			       "InstanceId does not match a valid orchestration instance.",
			       "(missing) restart: the message");
			ok(strstr(body_str("ExceptionMessage"), "nobody") != NULL,
			   "(missing) restart: naming the id");
		} else {
			ok(bodiless(), "(missing) %s: no body", ops[op]);
		}
	}
}

/* The effects behind some 202s (they only mean "queued"). */
static void test_matrix_effects(void)
{
	struct rt_instance in;
	ok(fake_wait_status(eng, "Running-terminate", RT_ST_TERMINATED, WAIT_MS, &in, &arena),
	   "terminate of a Running instance: it becomes Terminated");
	is_str(in.output, "r", "with the reason as its output");
	ok(fake_wait_status(eng, "Running-raise", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "raiseEvent to a waiter: it completes");
	is_str(in.output, "\"yes\"", "with the event's data");
	ok(fake_wait_status(eng, "Suspended-resume", RT_ST_RUNNING, WAIT_MS, &in, &arena),
	   "resume of a Suspended instance: Running again");
	ok(fake_wait_status(eng, "Failed-rewind", RT_ST_FAILED, WAIT_MS, &in, &arena),
	   "rewind of Failed: runs again (and fails again, as boom always does)");
	is_int(fake_read(eng, "Completed-purge", &in, &arena), RT_E_NOTFOUND,
	       "purge: the instance is gone");
	is_int(req("GET", "instances/Completed-purge", ""), 404, "and GET says 404");
	ok(fake_wait_status(eng, "Completed-restart", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "restart with the same id: it runs again and completes");
	is_str(in.output, "{\"echo\":\"in\"}", "with the same input");
}

static void test_status_flags(void)
{
	json_t *v;
	is_int(req("GET", "instances/Failed-get", "returnInternalServerErrorOnFailure=true"), 500,
	       "GET Failed with returnInternalServerErrorOnFailure=true: 500");
	is_str(body_str("runtimeStatus"), "Failed", "with the status object");
	is_int(req("GET", "instances/Completed-get", "showInput=false"), 200, "GET showInput=false");
	v = body_json();
	ok(v && json_is_null(json_object_get(v, "input")), "input is null (§2.2)");
	json_decref(v);
	is_int(req("GET", "instances/Completed-get", "showHistory=true"), 200, "GET showHistory=true");
	v = body_json();
	ok(json_is_array(json_object_get(v, "historyEvents")), "historyEvents is there");
	json_decref(v);
	is_int(req("GET", "instances/Completed-get", ""), 200, "GET plain");
	v = body_json();
	ok(v && !json_object_get(v, "historyEvents"), "no historyEvents by default");
	{
		json_t *want = json_pack("{s:s}", "echo", "in");
		ok(json_equal(json_object_get(v, "output"), want), "the output as JSON");
		json_decref(want);
	}
	json_decref(v);
	is_int(req("GET", "instances/Completed-get", "taskHub=SomeOtherHub"), 404,
	       "another task hub is an empty namespace: 404");
	is_int(req("GET", "instances/Completed-get", "taskHub=unithub"), 200,
	       "the hub name is compared case-insensitively");
}

static void test_start(void)
{
	int code;

	code = req_ct("POST", "orchestrators/done/s1", "", "application/json", "{\"a\":1}");
	is_int(code, 202, "start with an id: 202");
	is_str(body_str("id"), "s1", "the payload names it");
	is_str(resp_header("Location"), body_str("statusQueryGetUri"), "Location = statusQueryGetUri");
	is_str(body_str("statusQueryGetUri"), BASE "/instances/s1?taskHub=UnitHub&connection=Storage",
	       "built on the request's origin, with taskHub and connection");
	is_str(resp_header("Retry-After"), "10", "Retry-After: 10");
	{
		json_t *v = body_json();
		ok(v && json_object_size(v) == 8 && !json_object_get(v, "rewindPostUri"),
		   "the 8-key form");
		json_decref(v);
	}

	code = req("POST", "orchestrators/done", "");
	is_int(code, 202, "start with a generated id: 202");
	ok(strlen(body_str("id")) == 32, "a 32-hex id (%s)", body_str("id"));

	code = req_ct("POST", "orchestrators/DONE/s2", "timeout=5&pollingInterval=0.01",
		      "application/json", "\"w\"");
	is_int(code, 200, "start with timeout+pollingInterval that completes in time: 200");
	is_str(body(), "{\"echo\":\"w\"}", "the body is the output itself");

	code = req("POST", "orchestrators/wait_event/s3", "timeout=0.05&pollingInterval=0.01");
	is_int(code, 202, "a wait that times out: the 202 check-status response");
	is_str(body_str("id"), "s3", "for that id");

	code = req("POST", "orchestrators/no_such/s4", "");
	is_int(code, 400, "unknown orchestrator: 400");
	is_str(body_str("Message"), "One or more of the arguments submitted is incorrect", "argument error");
	ok(strstr(body_str("ExceptionMessage"), "The function 'no_such' doesn't exist") != NULL,
	   "naming the function");
	is_str(body_str("ExceptionType"), "System.ArgumentException", "an ArgumentException");

	is_int(req("POST", "orchestrators/done/%40x", ""), 400, "an id starting with @: 400");
	is_int(req("POST", "orchestrators/done/a%23b", ""), 400, "an id with #: 400");
	is_str(body_str("Message"), "One or more of the arguments submitted is incorrect", "argument error");

	code = req_ct("POST", "orchestrators/done/s5", "", "application/json", "{nope");
	is_int(code, 400, "malformed JSON body: 400");
	is_str(body_str("Message"), "Invalid JSON content", "Invalid JSON content");
	is_int(req("GET", "instances/s5", ""), 404, "and nothing was started");

	code = req("POST", "orchestrators/done/s6", "timeout=1&pollingInterval=2");
	is_int(code, 400, "pollingInterval > timeout: 400");
	ok(strstr(body_str("ExceptionMessage"), "bigger than retry timeout") != NULL, "saying so");
	ok(req("GET", "instances/s6", "") != 404, "but the instance was started (the §4.1 quirk)");

	is_int(engine_start("busy", "wait_event", NULL), RT_OK, "a running instance 'busy'");
	code = req("POST", "orchestrators/wait_event/busy", "");
	is_int(code, 500, "start on an id in use: 500");
	is_str(body_str("Message"), "Something went wrong while processing your request", "server error");
	is_str(body_str("ExceptionMessage"), "An Orchestration instance with the status Running already exists.",
	       "naming the status");
	is_str(body_str("ExceptionType"), "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException",
	       "OrchestrationAlreadyExistsException");
	code = req("POST", "orchestrators/done/Completed-get", "");
	is_int(code, 202, "start over a Completed instance replaces it: 202");
}

static void test_raise_checks(void)
{
	int code;
	code = req_ct("POST", "instances/busy/raiseEvent/Approval", "", "text/plain", "\"x\"");
	is_int(code, 400, "raiseEvent with a text/plain body: 400");
	is_str(body(), "{\"Message\":\"Only application/json request content is supported\"}",
	       "the content-type message alone");
	code = req_ct("POST", "instances/busy/raiseEvent/Approval", "", NULL, "\"x\"");
	is_int(code, 400, "raiseEvent without a content type: 400");
	code = req_ct("POST", "instances/busy/raiseEvent/Approval", "", "Application/JSON; charset=utf-8",
		      "{bad");
	is_int(code, 400, "unparseable JSON: 400");
	is_str(body_str("Message"), "Invalid JSON content", "Invalid JSON content");
	code = req_ct("POST", "instances/busy/raiseEvent/Approval", "", "application/json", "");
	is_int(code, 400, "an empty body is not JSON: 400");
	code = req_ct("POST", "instances/Completed-raise/raiseEvent/Approval", "", "text/plain", "x");
	is_int(code, 410, "the state is checked before the content type: 410");
	code = req_ct("POST", "instances/nobody/raiseEvent/Approval", "", "text/plain", "x");
	is_int(code, 404, "and existence first: 404");
	code = req_ct("POST", "instances/Running-get/raiseEvent/Approval", "",
		      "application/json; charset=utf-8", "\"ok\"");
	is_int(code, 202, "charset parameter and any case of the media type: 202");
}

static void test_restart_new_id(void)
{
	int code = post("instances/Terminated-get/restart");
	struct rt_instance in;
	is_int(code, 202, "restart (new id by default): 202");
	ok(strlen(body_str("id")) == 32 && strcmp(body_str("id"), "Terminated-get") != 0,
	   "for a new instance id (%s)", body_str("id"));
	ok(fake_wait_status(eng, body_str("id"), RT_ST_RUNNING, WAIT_MS, &in, &arena),
	   "which runs the same orchestrator");
	is_str(in.input, "\"in\"", "with the same input");
	code = req("POST", "instances/Completed-rewind/restart",
		   "restartWithNewInstanceId=true&timeout=5&pollingInterval=0.01");
	is_int(code, 200, "restart with timeout+pollingInterval that completes: 200");
	is_str(body(), "{\"echo\":\"in\"}", "the output");
}

static void test_list_and_purge_many(void)
{
	json_t *v;
	int code;

	code = req("GET", "instances", "instanceIdPrefix=Completed-&top=3");
	is_int(code, 200, "listing: 200");
	v = body_json();
	ok(json_is_array(v) && json_array_size(v) == 3, "a page of top=3");
	ok(resp_header("x-ms-continuation-token") && *resp_header("x-ms-continuation-token"),
	   "with a continuation token");
	json_decref(v);
	code = req("GET", "instances/", "instanceIdPrefix=zzz-none");
	is_int(code, 200, "nothing matches: still 200");
	is_str(body(), "[]", "an empty array");
	is_str(resp_header("x-ms-continuation-token"), "", "and an empty token");
	code = req("GET", "instances", "runtimeStatus=Suspended&instanceIdPrefix=Suspended-");
	v = body_json();
	ok(code == 200 && json_array_size(v) >= 1, "a runtimeStatus filter");
	for (size_t i = 0; i < json_array_size(v); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(v, i), "runtimeStatus")),
			   "Suspended") != 0)
			ok(0, "only Suspended instances listed");
	json_decref(v);

	code = req("DELETE", "instances", "");
	is_int(code, 400, "purge many without createdTimeFrom: 400");
	is_str(body(), "\"Please provide value for 'createdTimeFrom' parameter.\"",
	       "the bare JSON string");
	code = req("DELETE", "instances", "createdTimeFrom=not-a-time");
	is_int(code, 400, "an unparseable createdTimeFrom: 400");
	code = req("DELETE", "instances", "createdTimeFrom=2000-01-01T00:00:00Z&createdTimeTo=2000-01-02T00:00:00Z");
	is_int(code, 404, "nothing in that range: 404");
	ok(bodiless(), "with no body");
	code = req("DELETE", "instances", "createdTimeFrom=2000-01-01T00:00:00Z&runtimeStatus=Terminated");
	is_int(code, 200, "purge the Terminated ones: 200");
	{
		json_t *b = body_json();
		json_int_t n = json_integer_value(json_object_get(b, "instancesDeleted"));
		ok(n >= 7, "instancesDeleted counts them (%lld)", (long long)n);
		json_decref(b);
	}
	is_int(req("GET", "instances/Terminated-purge", ""), 404, "they are gone");
	is_int(req("GET", "instances/busy", ""), 202, "a running one is kept");
	code = req("DELETE", "instances", "createdTimeFrom=2000-01-01T00:00:00Z&runtimeStatus=Running");
	is_int(code, 404, "a list of only non-terminal statuses purges nothing: 404");
}

static void test_routes(void)
{
	is_int(req("GET", "orchestrators/done", ""), 404, "GET orchestrators/X: 404");
	ok(bodiless(), "with an empty body");
	is_int(req("GET", "instances/busy/terminate", ""), 404, "GET of an operation: 404");
	is_int(post("instances/busy/unknownOp"), 404, "an unknown operation: 404");
	is_int(post("instances/busy/raiseEvent"), 404, "raiseEvent without a name: 404");
	is_int(req("GET", "entities/counter/k", ""), 404, "entities: 404");
	is_int(req("GET", "makeprimary", ""), 404, "makeprimary: 404");
	is_int(req("PUT", "instances/busy", ""), 404, "a method no route takes: 404");
	is_int(req("GET", "INSTANCES/busy", ""), 202, "literal segments match in any case");
	is_int(req("GET", "instances/Busy", ""), 404, "instance ids do not");
	is_int(req("GET", "instances/a%zz", ""), 400, "a malformed escape in the path: 400");
	is_int(post("instances/busy/TERMINATE"), 202, "operation names in any case");
}

/* No engine at all (no durable functions loaded). */
static void test_no_engine(void)
{
	rt_arena_reset(&arena);
	bind_http_init(&h, NULL, &arena);
	h.method = "GET";
	h.base_url = HOST;
	h.path = BIND_WEBHOOKS_BASE "/instances/x";
	h.url = BASE "/instances/x";
	bind_webhooks_handle(NULL, &h);
	is_int(h.status, 404, "no engine: GET status 404");
	h.method = "POST";
	h.path = BIND_WEBHOOKS_BASE "/orchestrators/done";
	bind_webhooks_handle(NULL, &h);
	is_int(h.status, 400, "no engine: start 400");
	ok(strstr(body(), "no orchestrator functions are loaded") != NULL, "saying why");
}

static void registry_add(const char *name)
{
	struct bind_function *fn = calloc(1, sizeof(*fn)), *clash = NULL;
	fn->name = strdup(name);
	fn->kind = BIND_FN_ORCHESTRATOR;
	bind_registry_add(&reg, fn, &clash);
}

int main(void)
{
	char path[256];
	struct rt_engine_opts o;
	char *err = NULL;

	tdir_make();
	rt_arena_init(&arena);
	fake_echo = getenv("ENGINE_TEST_LOG") != NULL;
	snprintf(path, sizeof(path), "%s/.cfunc/UnitHub.db", tdir);
	ok(write_transient_rows(path) == 0, "Pending and ContinuedAsNew rows written");

	bind_registry_init(&reg);
	for (size_t i = 0; i < NAPP; i++)
		registry_add(app[i].name);
	o = fake_opts(path, app, NAPP);
	eng = rt_engine_start(&o, &err);
	ok(eng != NULL, "the engine starts (%s)", err ? err : "ok");
	free(err);
	if (eng) {
		client = (struct bind_durable){.engine = eng,
					       .hub = rt_engine_hub(eng),
					       .connection = "Storage",
					       .reg = &reg};
		subtest("status/operation matrix (§6)", test_matrix);
		subtest("what the 202s did", test_matrix_effects);
		subtest("GET status flags (§4.2)", test_status_flags);
		subtest("start (§4.1)", test_start);
		subtest("raise event checks (§4.6)", test_raise_checks);
		subtest("restart with a new id (§4.11)", test_restart_new_id);
		subtest("listing and purge many (§4.3, §4.5)", test_list_and_purge_many);
		subtest("routing (§1.1)", test_routes);
		rt_engine_stop(eng);
	}
	subtest("no engine", test_no_engine);
	bind_registry_cleanup(&reg);
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
