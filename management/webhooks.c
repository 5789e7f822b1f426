/*
 * webhooks.c - routing of /runtime/webhooks/durabletask/... and the
 * endpoints that address one instance: start, status, purge, raise event,
 * terminate, suspend, resume, rewind, restart (durable-http-api §1, §4).
 *
 * Routing follows the extension's HttpApiHandler: strip the base path and
 * every leading and trailing '/', split into segments, percent-decode each
 * segment once (so "%2F" inside an id stays inside that segment and is
 * refused as an id character later), then try the templates in order
 *   orchestrators/{functionName}/{instanceId?}
 *   entities/{entityName?}/{entityKey?}     (entities.c)
 *   instances/{instanceId?}/{operation?}
 *   instances/{instanceId}/raiseEvent/{eventName}
 * with literals and operation names compared case-insensitively (and
 * cfunc's GET instances/{instanceId}/history, the stored events). No match,
 * or a match with the wrong method: 404 with an empty body.
 *
 * The state checks of each operation are the engine's (it applies them to
 * the last committed state inside its transaction); this file maps its
 * runtime/rc.h outcomes onto the status codes of the §6 matrix.
 */
#include "management/webhooks.h"

#include "management/entities.h"
#include "management/query.h"
#include "management/reply.h"
#include "management/request.h"

#include "bindings/history_json.h"
#include "bindings/status_json.h"
#include "common/utf8.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEGMENTS 4
/* Azure's front end drops requests after 230 s; a longer wait would only
 * hold a request nobody reads. */
#define MAX_WAIT_MS 230000

int bind_webhooks_match(const char *path)
{
	size_t n = strlen(BIND_WEBHOOKS_BASE);
	return strncasecmp(path, BIND_WEBHOOKS_BASE, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- responses ---------------------------------------------------------- */

/* An engine outcome other than OK, as the extension would answer it. */
static void reply_engine_error(struct bind_http *h, int rc, const char *err, const char *where)
{
	const char *msg = err ? err : "the durable engine could not apply the request";
	switch (rc) {
	case RT_E_NOTFOUND:
		bind_webhooks_empty(h, 404);
		break;
	case RT_E_GONE:
		bind_webhooks_empty(h, 410);
		break;
	case RT_E_INVALID:
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT, msg, WH_EX_ARGUMENT, where);
		break;
	case RT_E_STATE:
		/* The client throws InvalidOperationException; the dispatcher's
		 * catch-all turns it into a 500 (§4.8-§4.10, §9 item 6). */
		bind_webhooks_error(h, 500, WH_MSG_SERVER, msg, WH_EX_INVALID_OP, where);
		break;
	case RT_E_EXISTS:
		bind_webhooks_error(h, 500, WH_MSG_SERVER, msg, WH_EX_EXISTS, where);
		break;
	default:
		bind_webhooks_error(h, 500, WH_MSG_SERVER, msg, WH_EX_GENERIC, where);
		break;
	}
}

/* ---- query parameters (§1.2) -------------------------------------------- */

/* Seconds, decimals allowed (TimeSpan.FromSeconds); 0 when absent, not a
 * number, negative or not finite - the caller then does not wait. */
static int seconds_ms(const struct bind_query *q, const char *name, int64_t *ms)
{
	const char *v = bind_urlcodec_query_get(q, name);
	char *end;
	double s;
	if (!v || !*v)
		return 0;
	s = strtod(v, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (end == v || *end || !isfinite(s) || s < 0)
		return 0;
	*ms = s * 1000.0 > MAX_WAIT_MS ? MAX_WAIT_MS : (int64_t)(s * 1000.0 + 0.5);
	return 1;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

static int hub_served(const struct bind_durable *d, const struct bind_query *q)
{
	const char *hub = bind_urlcodec_query_get(q, "taskHub");
	if (!d)
		return 0;
	return !hub || blank(hub, strlen(hub)) || strcasecmp(hub, d->hub) == 0;
}

/* ---- request bodies ----------------------------------------------------- */

/* 1 if the body is one JSON value within the depth limit. */
static int body_is_json(const struct bind_http *h)
{
	return h->body_len && bind_json_valid_n(h->body, h->body_len);
}

/* 1 if the body is one JSON value; else sets the 400 "Invalid JSON content". */
static int body_json_ok(struct bind_http *h, const char *where)
{
	json_error_t jerr;
	json_t *v = NULL;
	char *msg;

	if (body_is_json(h))
		return 1;
	if (h->body_len)
		v = json_loadb(h->body, h->body_len, JSON_DECODE_ANY, &jerr);
	if (v) {
		/* Parsed, so it was refused for its nesting depth. */
		json_decref(v);
		msg = xasprintf("The JSON value is nested deeper than %d levels.", BIND_JSON_MAX_DEPTH);
	} else if (!h->body_len) {
		msg = xstrdup("Unexpected end when reading JSON. Path '', line 0, position 0.");
	} else {
		msg = xasprintf("%s. Path '', line %d, position %d.", jerr.text, jerr.line,
				jerr.column);
	}
	bind_webhooks_error(h, 400, "Invalid JSON content", msg, WH_EX_JSON, where);
	free(msg);
	return 0;
}

/* ---- start (§4.1) and restart (§4.11) ----------------------------------- */

/* Whether timeout and pollingInterval are both given (§3.4 wait). */
static int wants_wait(struct webhook_req *r, int64_t *timeout_ms, int64_t *poll_ms)
{
	return seconds_ms(&r->q, "timeout", timeout_ms) &&
	       seconds_ms(&r->q, "pollingInterval", poll_ms);
}

/* After an instance was created: the 8-key check-status response, or the
 * §3.4 wait when both timeout and pollingInterval are given. The wait ends
 * when the instance's terminal state commits (durable_wait.c), so the
 * interval is only checked, never slept. */
static void created(struct webhook_req *r, const char *id, const char *where)
{
	int64_t timeout_ms = 0, poll_ms = 0;
	if (wants_wait(r, &timeout_ms, &poll_ms)) {
		if (poll_ms > timeout_ms) {
			/* Checked after the start, as the extension does (§4.1 quirk). */
			char *msg = xasprintf("Total timeout %g should be bigger than retry timeout %g",
					      (double)timeout_ms / 1000, (double)poll_ms / 1000);
			bind_webhooks_error(r->h, 400, WH_MSG_ARGUMENT, msg, WH_EX_ARGUMENT, where);
			free(msg);
			return;
		}
		bind_client_wait(r->h, r->d, id, timeout_ms, 0);
		return;
	}
	bind_durable_set_check_status(r->h, r->d, id, 0);
}


/*
 * A start with a generated id has a known outcome (the id cannot collide;
 * name and input were checked), so it need not hold this worker thread:
 * the command is queued and the host answers once it committed - and, for
 * a §3.4 wait, once the instance finished or the timeout passed, parked
 * without a thread. 0 when done that way, -1 when the caller must start it
 * synchronously (the host cannot hold this response, or the §4.1 quirk's
 * 400 must follow a committed start).
 */
static int start_held(struct webhook_req *r, const char *fn_name, const char *input)
{
	struct bind_http *h = r->h;
	int64_t timeout_ms = 0, poll_ms = 0;
	int waits = wants_wait(r, &timeout_ms, &poll_ms);
	char id[33];
	if (!h->resume || (waits && (!h->park_ok || poll_ms > timeout_ms)))
		return -1;
	if (bind_client_start_held(r->d, h, fn_name, input, id, waits ? timeout_ms : -1) != RT_OK) {
		reply_engine_error(h, RT_ERROR, "the host is shutting down", "StartOrchestration");
		return 0;
	}
	bind_durable_set_check_status(h, r->d, id, 0);
	return 0;
}

static const char *hub_refusal(struct webhook_req *r)
{
	const char *hub = bind_urlcodec_query_get(&r->q, "taskHub");
	if (!r->d)
		return NULL;
	return rt_arena_fmt(r->h->ctx.arena,
			    "Task hub '%s' is not served by this host (it runs task hub '%s'); "
			    "instances can only be created in that hub.",
			    hub ? hub : "", r->d->hub);
}

static void start(struct webhook_req *r, const char *fn_name, const char *id)
{
	struct bind_http *h = r->h;
	const struct bind_function *fn;
	const char *input = NULL;
	char *new_id = NULL, *err = NULL;
	int rc;

	/* The extension reads the body first: bad JSON wins over a bad name. */
	if (h->body_len && !blank(h->body, h->body_len)) {
		if (!body_json_ok(h, "StartOrchestration"))
			return;
		input = h->body;
	}
	fn = r->served ? bind_registry_find_kind(r->d->reg, fn_name, BIND_FN_ORCHESTRATOR) : NULL;
	if (!fn || fn->disabled) {
		const char *msg = r->d && !r->served ? hub_refusal(r) : NULL;
		if (!msg)
			msg = rt_arena_fmt(h->ctx.arena,
					   "The function '%s' doesn't exist, is disabled, or is not an "
					   "orchestrator function. Additional info: %s",
					   fn_name,
					   r->d ? "no orchestrator of that name is loaded."
						: "no orchestrator functions are loaded.");
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT, msg, WH_EX_ARGUMENT, "StartOrchestration");
		return;
	}
	if (id && (rt_instance_id_problem(id) || !rt_utf8_valid(id))) {
		/* The engine takes any bytes; URLs and JSON answers need UTF-8. */
		const char *why = rt_instance_id_problem(id);
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT, why ? why : "instance id is not valid UTF-8",
				    WH_EX_ARGUMENT, "StartOrchestration");
		return;
	}
	if (!id && start_held(r, fn_name, input) == 0)
		return;
	rc = bind_client_start(r->d, fn_name, id, input, &new_id, &err);
	if (rc == RT_OK)
		created(r, new_id, "StartOrchestration");
	else if (rc == RT_E_NOTFOUND) /* disabled meanwhile: still the caller's argument */
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT, err, WH_EX_ARGUMENT, "StartOrchestration");
	else
		reply_engine_error(h, rc, err, "StartOrchestration");
	free(new_id);
	free(err);
}

static void restart(struct webhook_req *r, const char *id)
{
	static const char where[] = "RestartInstance";
	static const char no_instance[] = "InstanceId does not match a valid orchestration instance.";
	struct bind_http *h = r->h;
	char *new_id = NULL, *err = NULL;
	int new_instance_id = bind_webhooks_bool(&r->q, "restartWithNewInstanceId", 1);
	int unknown = 1;
	int rc = r->served ? bind_client_restart(r->d, id, new_instance_id, &new_id, &err, &unknown)
			   : RT_E_NOTFOUND;

	if (rc == RT_E_NOTFOUND && unknown) {
		char *msg = xasprintf("An orchestration with the instanceId %s was not found.", id);
		bind_webhooks_error(h, 400, no_instance, msg, WH_EX_ARGUMENT, where);
		free(msg);
	} else if (rc == RT_OK) {
		created(r, new_id, where);
	} else if (rc == RT_E_NOTFOUND || rc == RT_E_INVALID) { /* the orchestrator is gone */
		bind_webhooks_error(h, 400, no_instance, err, WH_EX_ARGUMENT, where);
	} else {
		reply_engine_error(h, rc, err, where);
	}
	free(new_id);
	free(err);
}

/* ---- status (§4.2) and purge (§4.4) ------------------------------------- */

/*
 * A status is streamed (built as the client reads, body_stream.h) once it
 * is large: a history of thousands of events, or a megabyte of payloads,
 * which built whole cost several copies of the text plus a JSON tree of it.
 * Smaller ones keep a plain body with a Content-Length.
 */
#define STREAM_MIN_EVENTS 1000
#define STREAM_MIN_BYTES (1024 * 1024)

static size_t len0(const char *s)
{
	return s ? strlen(s) : 0;
}

static int status_is_large(const struct rt_instance *inst, const struct rt_event *hist, size_t n,
			   int flags)
{
	size_t bytes = len0(inst->output) + len0(inst->custom_status);
	if (flags & BIND_STATUS_INPUT)
		bytes += len0(inst->input);
	if (!(flags & BIND_STATUS_HISTORY) || inst->status == RT_ST_PENDING)
		return bytes >= STREAM_MIN_BYTES;
	if (n >= STREAM_MIN_EVENTS)
		return 1;
	for (size_t i = 0; i < n && bytes < STREAM_MIN_BYTES; i++)
		bytes += len0(hist[i].name) + len0(hist[i].input) + len0(hist[i].result) +
			 len0(hist[i].reason) + len0(hist[i].details);
	return bytes >= STREAM_MIN_BYTES;
}

/* Instance `id` and, with BIND_STATUS_HISTORY, its history, into h's arena:
 * *stream set when the answer is to be streamed, else *status. CF_* code. */
static int read_status(struct webhook_req *r, const char *id, int flags, struct rt_instance *inst,
		       json_t **status, struct bind_body_stream **stream, char **err)
{
	struct rt_event *hist = NULL;
	size_t n = 0;
	int rc = bind_client_read(r->d, id, flags, inst, &hist, &n, r->h->ctx.arena, err);

	*status = NULL;
	*stream = NULL;
	if (rc != CF_OK)
		return rc;
	if (r->h->stream_ok && status_is_large(inst, hist, n, flags))
		*stream = bind_status_stream(inst, hist, n, flags);
	else
		*status = bind_status_object(inst, hist, n, flags);
	return CF_OK;
}

static void get_status(struct webhook_req *r, const char *id)
{
	struct bind_http *h = r->h;
	struct rt_instance inst;
	json_t *status = NULL;
	struct bind_body_stream *stream = NULL;
	char *err = NULL;
	int flags = 0, code, rc;

	if (!r->served) {
		bind_webhooks_empty(h, 404);
		return;
	}
	if (bind_webhooks_bool(&r->q, "showInput", 1))
		flags |= BIND_STATUS_INPUT;
	if (bind_webhooks_bool(&r->q, "showHistory", 0))
		flags |= BIND_STATUS_HISTORY;
	if (bind_webhooks_bool(&r->q, "showHistoryOutput", 0))
		flags |= BIND_STATUS_HISTORY_OUTPUT;
	rc = read_status(r, id, flags, &inst, &status, &stream, &err);
	if (rc == CF_E_NOTFOUND) {
		bind_webhooks_empty(h, 404);
		return;
	}
	if (rc != CF_OK) {
		reply_engine_error(h, RT_ERROR, err, "GetStatus");
		free(err);
		return;
	}
	switch (inst.status) {
	case RT_ST_COMPLETED:
	case RT_ST_TERMINATED:
	case RT_ST_CANCELED:
		code = 200;
		break;
	case RT_ST_FAILED:
		code = bind_webhooks_bool(&r->q, "returnInternalServerErrorOnFailure", 0) ? 500 : 200;
		break;
	default:
		/* Still going: poll the very URL again in 5 s (not 10: §9 item 8). */
		code = 202;
		break;
	}
	h->nresp = 0;
	if (code == 202) {
		bind_http_add_header((cf_http *)h, "Location", h->url);
		bind_http_add_header((cf_http *)h, "Retry-After", "5");
	}
	if (stream) {
		h->status = code;
		bind_http_add_header((cf_http *)h, "Content-Type", "application/json; charset=utf-8");
		h->resp_stream = stream;
		return;
	}
	char *text = bind_json_dump(status);
	bind_http_set_json(h, code, text);
	free(text);
	json_decref(status);
}

/* A history to stream rather than build whole: the status's thresholds. */
static int history_is_large(const struct rt_event *hist, size_t n)
{
	size_t bytes = 0;
	if (n >= STREAM_MIN_EVENTS)
		return 1;
	for (size_t i = 0; i < n && bytes < STREAM_MIN_BYTES; i++)
		bytes += len0(hist[i].name) + len0(hist[i].input) + len0(hist[i].result) +
			 len0(hist[i].reason) + len0(hist[i].details) + len0(hist[i].data);
	return bytes >= STREAM_MIN_BYTES;
}

/*
 * GET instances/{id}/history (cfunc's own, not the extension's): the
 * current execution's stored events, unprojected (history_json.h), for
 * `cfunc durable get-history --json` and `cfunc replay` while a host holds
 * the hub file. 200 with the array ([] while Pending), 404 for an unknown
 * instance, like GET status; a large one is streamed like a large status.
 */
static void get_history(struct webhook_req *r, const char *id)
{
	struct rt_arena *a = r->h->ctx.arena;
	struct rt_instance inst;
	struct rt_event *hist = NULL;
	size_t n = 0;
	char *err = NULL;
	int rc;

	if (!r->served) {
		bind_webhooks_empty(r->h, 404);
		return;
	}
	rc = bind_client_read(r->d, id, BIND_STATUS_HISTORY, &inst, &hist, &n, a, &err);
	if (rc == CF_E_NOTFOUND)
		bind_webhooks_empty(r->h, 404);
	else if (rc != CF_OK)
		reply_engine_error(r->h, RT_ERROR, err, "GetHistory");
	else if (r->h->stream_ok && history_is_large(hist, n)) {
		r->h->nresp = 0;
		r->h->status = 200;
		bind_http_add_header((cf_http *)r->h, "Content-Type", "application/json; charset=utf-8");
		r->h->resp_stream = bind_history_stream(hist, n);
	} else
		bind_webhooks_json(r->h, 200, bind_history_json(hist, n));
	free(err);
}

static void purge_one(struct webhook_req *r, const char *id)
{
	char *err = NULL;
	int rc = r->served ? bind_client_purge(r->d, id, &err) : RT_E_NOTFOUND;
	if (rc == RT_OK)
		bind_webhooks_json(r->h, 200, json_pack("{s:i}", "instancesDeleted", 1));
	else
		reply_engine_error(r->h, rc, err, "PurgeHistory");
	free(err);
}

/* ---- raise event (§4.6) and the lifecycle operations (§4.7-§4.10) ------- */

static void raise_event(struct webhook_req *r, const char *id, const char *event)
{
	static const char where[] = "RaiseEvent";
	struct bind_http *h = r->h;
	struct rt_instance inst;
	char *err = NULL;
	int rc;

	/*
	 * The checks go existence, state, content type, JSON. The engine checks
	 * the first two inside its transaction anyway, so a well-formed request
	 * goes straight to it; only a malformed one reads the instance first,
	 * to tell 404 and 410 from 400. Same answers, one read fewer per event.
	 */
	if (r->served && bind_webhooks_content_json(h) && body_is_json(h) && !bind_event_name_problem(event)) {
		rc = bind_client_raise(r->d, id, event, h->body, &err);
		if (rc == RT_OK)
			bind_webhooks_empty(h, 202);
		else
			reply_engine_error(h, rc, err, where);
		free(err);
		return;
	}
	rc = r->served ? bind_durable_read(r->d, id, 0, &inst, NULL, h->ctx.arena, &err)
		       : CF_E_NOTFOUND;
	if (rc == CF_E_NOTFOUND) {
		bind_webhooks_empty(h, 404);
	} else if (rc != CF_OK) {
		reply_engine_error(h, RT_ERROR, err, where);
	} else if (rt_status_is_terminal(inst.status)) {
		bind_webhooks_empty(h, 410);
	} else if (!bind_webhooks_content_json(h)) {
		bind_webhooks_error(h, 400, "Only application/json request content is supported",
				    NULL, NULL, where);
	} else if (body_json_ok(h, where)) {
		/* Everything else was fine: the event name is refused. */
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT, bind_event_name_problem(event),
				    WH_EX_ARGUMENT, where);
	}
	free(err);
}

static void lifecycle(struct webhook_req *r, const char *id, enum bind_client_op op,
		      const char *where)
{
	const char *reason = bind_urlcodec_query_get(&r->q, "reason");
	char *err = NULL;
	int rc;

	/* The reason becomes the output and a history field, both shown as
	 * JSON: bytes that are not UTF-8 could only be shown mangled. */
	if (reason && !rt_utf8_valid(reason)) {
		bind_webhooks_error(r->h, 400, WH_MSG_ARGUMENT, "reason is not valid UTF-8",
				    WH_EX_ARGUMENT, where);
		return;
	}
	rc = r->served ? bind_client_lifecycle(r->d, op, id, reason, &err) : RT_E_NOTFOUND;
	if (rc == RT_OK)
		bind_webhooks_empty(r->h, 202);
	else
		reply_engine_error(r->h, rc, err, where);
	free(err);
}

static void operation(struct webhook_req *r, const char *id, const char *op)
{
	if (strcasecmp(op, "terminate") == 0)
		lifecycle(r, id, BIND_CLIENT_TERMINATE, "TerminateInstance");
	else if (strcasecmp(op, "suspend") == 0)
		lifecycle(r, id, BIND_CLIENT_SUSPEND, "SuspendInstance");
	else if (strcasecmp(op, "resume") == 0)
		lifecycle(r, id, BIND_CLIENT_RESUME, "ResumeInstance");
	else if (strcasecmp(op, "rewind") == 0)
		lifecycle(r, id, BIND_CLIENT_REWIND, "RewindInstance");
	else if (strcasecmp(op, "restart") == 0)
		restart(r, id);
	else
		bind_webhooks_empty(r->h, 404);
}

/* ---- routing ------------------------------------------------------------ */

static int known_operation(const char *op)
{
	static const char *const ops[] = {"terminate", "suspend", "resume", "rewind", "restart"};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcasecmp(op, ops[i]) == 0)
			return 1;
	return 0;
}

/*
 * Instance ids are UTF-8 (start refuses others), so an id that is not can
 * only be a client's encoding mistake: a 400 that says so, as on start,
 * rather than a 404 that reads like "already purged". GET status keeps its
 * 404 (the spec says it never answers 400). 1 if the id is UTF-8.
 */
static int id_utf8(struct bind_http *h, const char *id, const char *where)
{
	if (rt_utf8_valid(id))
		return 1;
	bind_webhooks_error(h, 400, WH_MSG_ARGUMENT, "instance id is not valid UTF-8",
			    WH_EX_ARGUMENT, where);
	return 0;
}

/* Splits the part after the base path into decoded segments (arena
 * copies). Returns the count, MAX_SEGMENTS + 1 for "too many or empty
 * inner segment" (no route matches), or -1 for malformed escapes. */
static int split_path(struct bind_http *h, char **seg)
{
	const char *p = h->path + strlen(BIND_WEBHOOKS_BASE);
	const char *end = p + strlen(p);
	int n = 0;

	while (p < end && *p == '/')
		p++;
	while (end > p && end[-1] == '/')
		end--;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t len = slash ? (size_t)(slash - p) : (size_t)(end - p);
		if (n == MAX_SEGMENTS || len == 0)
			return MAX_SEGMENTS + 1;
		seg[n] = rt_arena_alloc(h->ctx.arena, len + 1);
		if (bind_urlcodec_decode_segment(seg[n], p, len, NULL) != 0)
			return -1;
		n++;
		p = slash ? slash + 1 : end;
	}
	return n;
}

void bind_webhooks_handle(struct bind_durable *d, struct bind_http *h)
{
	struct webhook_req r = {.d = d, .h = h};
	char *seg[MAX_SEGMENTS];
	int get = strcmp(h->method, "GET") == 0, post = strcmp(h->method, "POST") == 0;
	int del = strcmp(h->method, "DELETE") == 0;
	int n;

	bind_webhooks_empty(h, 404);
	if (!bind_webhooks_match(h->path))
		return;
	n = split_path(h, seg);
	if (n < 0) {
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT,
				    "malformed percent-encoding in request path", WH_EX_ARGUMENT,
				    "HandleRequest");
		return;
	}
	if (n == 0 || n > MAX_SEGMENTS)
		return;
	bind_urlcodec_query_parse(&r.q, h->raw_query, strlen(h->raw_query), h->ctx.arena);
	r.served = hub_served(d, &r.q);

	if (strcasecmp(seg[0], "orchestrators") == 0) {
		if (post && n >= 2 && n <= 3)
			start(&r, seg[1], n == 3 ? seg[2] : NULL);
		return;
	}
	if (strcasecmp(seg[0], "entities") == 0) {
		if (n <= 3)
			bind_webhooks_entities(&r, h->method, n > 1 ? seg[1] : NULL,
					       n > 2 ? seg[2] : NULL);
		return;
	}
	if (strcasecmp(seg[0], "instances") != 0)
		return;
	if (n == 1) {
		if (get)
			bind_webhooks_list(&r);
		else if (del)
			bind_webhooks_purge_many(&r);
	} else if (n == 2) {
		if (get)
			get_status(&r, seg[1]);
		else if (del && id_utf8(h, seg[1], "PurgeHistory"))
			purge_one(&r, seg[1]);
	} else if (n == 3) {
		/* "instances/{id}/raiseEvent" without a name lands here: 404. */
		if (get && strcasecmp(seg[2], "history") == 0)
			get_history(&r, seg[1]);
		else if (post && known_operation(seg[2]) && id_utf8(h, seg[1], "InstanceOperation"))
			operation(&r, seg[1], seg[2]);
	} else if (post && strcasecmp(seg[2], "raiseEvent") == 0) {
		if (id_utf8(h, seg[1], "RaiseEvent"))
			raise_event(&r, seg[1], seg[3]);
	}
}
