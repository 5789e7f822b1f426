/*
 * worker_client.c - the durable client inside a worker process: app code
 * calls cf_durable_* as ever; each call becomes a CLIENT_CALL frame to the
 * host, which runs it against the engine on the invocation's own request
 * (so commits, deferred responses and check-status URLs are the host's),
 * and the CLIENT_REPLY carries back the result and, for the calls that
 * build the response, that response.
 *
 * The worker runs one invocation at a time on one thread, so a call simply
 * writes and waits; nothing else can arrive on the socket meanwhile.
 *
 * Call arguments and the reply are JSON objects (wire.h, CLIENT_CALL):
 *   call:  {"op":..., "name", "id", "input", "event", "data", "reason",
 *           "flags", "timeout", "retry", "key", "entityOp", "at"}  (the
 *           ones the op needs; the entity calls are "signal_entity",
 *           "read_entity" and "clean_entities", whose "out" is
 *           {"removed":n,"released":n})
 *   reply: {"rc": cf_rc, "error": text|null, "out": text|null,
 *           "response": {"status", "headers": [[name, value]...], "body"}|null}
 */
#include "host/worker/worker_client.h"

#include "bindings/api.h"
#include "bindings/http_trigger.h"
#include "host/worker/channel.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int chan_fd = -1;
static struct rt_wire_buf *chan_in, *chan_out;
static uint64_t call_seq;
static struct cf_api proxy_api;

/* A text that is not UTF-8 cannot be a JSON string: instead of being
 * dropped (a start would then pick a new id), it is noted, and call()
 * refuses it as the host refuses it in process. */
static void set_opt(json_t *o, const char *key, const char *v)
{
	json_t *s = v ? json_string(v) : NULL;
	if (s)
		json_object_set_new(o, key, s);
	else if (v && !json_object_get(o, " notUtf8"))
		json_object_set_new(o, " notUtf8", json_string(key));
}

static void apply_response(struct bind_http *h, json_t *res)
{
	json_t *hdrs = json_object_get(res, "headers"), *pair;
	size_t i;
	bind_http_set_status((cf_http *)h, (int)json_integer_value(json_object_get(res, "status")));
	h->nresp = 0;
	json_array_foreach(hdrs, i, pair) {
		const char *n = json_string_value(json_array_get(pair, 0));
		const char *v = json_string_value(json_array_get(pair, 1));
		if (n && v)
			bind_http_add_header((cf_http *)h, n, v);
	}
	const char *body = json_string_value(json_object_get(res, "body"));
	bind_http_set_body((cf_http *)h, body ? body : "", body ? strlen(body) : 0);
}

/*
 * Waits for the CLIENT_REPLY `id`: *f is it, at offset *at of chan_in,
 * *used bytes long. The host may have queued more requests behind the one
 * running (host_workers_http_batch): those frames come first and stay
 * where they are, for the main loop once this function returned. 0, or -1
 * when the host is gone or sent something else.
 */
static int read_reply(uint64_t id, struct rt_wire_frame *f, size_t *at, size_t *used)
{
	const char *err = NULL;
	for (;;) {
		size_t off = 0;
		int rc;
		while ((rc = rt_wire_frame_next(chan_in->data + off, chan_in->len - off,
						RT_WIRE_MAX_FRAME, f, used, &err)) == 1) {
			if (f->type == RT_WIRE_CLIENT_REPLY) {
				*at = off;
				return f->id == id ? 0 : -1;
			}
			if (f->type != RT_WIRE_HTTP_REQUEST && f->type != RT_WIRE_ACTIVITY_REQUEST)
				return -1;
			off += *used;
		}
		if (rc < 0)
			return -1;
		rt_wire_buf_space(chan_in, 65536);
		ssize_t n = read(chan_fd, chan_in->data + chan_in->len, chan_in->cap - chan_in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		chan_in->len += (size_t)n;
	}
}

/* Sends one call (takes `args`), waits for its reply. *out (scratch of h)
 * gets "out" when the caller wants it. */
static cf_rc call(cf_http *hh, const char *op, json_t *args, const char **out)
{
	struct bind_http *h = (struct bind_http *)hh;
	struct rt_arena *a = h->ctx.arena;
	const char *bad_key = json_string_value(json_object_get(args, " notUtf8"));
	if (bad_key) {
		const char *what = strcmp(bad_key, "id") == 0      ? "instance id"
				   : strcmp(bad_key, "event") == 0 ? "event name"
								   : bad_key;
		cf_rc rc = bind_ctx_fail(&h->ctx, CF_E_INVALID, "%s is not valid UTF-8", what);
		json_decref(args);
		return rc;
	}
	char *text = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	uint64_t id = ++call_seq;
	struct rt_wire_client_call m = {.op = op, .args = text};
	int bad = !text || rt_wire_client_call_encode(chan_out, id, &m) != 0;
	free(text);
	if (bad || host_chan_write(chan_fd, chan_out) != 0)
		return bind_ctx_fail(&h->ctx, CF_ERROR, "the durable client call could not be sent");

	struct rt_wire_frame f;
	size_t used, at;
	const char *err = NULL;
	if (read_reply(id, &f, &at, &used) != 0)
		exit(70); /* the host is gone or confused: nothing sensible is left */
	struct rt_wire_client_reply r;
	if (rt_wire_client_reply_decode(&f, &r, a, &err) != 0)
		exit(70);
	/* Decoded into the arena: the reply's bytes go, queued requests stay. */
	memmove(chan_in->data + at, chan_in->data + at + used, chan_in->len - at - used);
	chan_in->len -= used;
	json_t *reply = json_loads(r.output ? r.output : "{}", 0, NULL);
	if (!reply)
		return bind_ctx_fail(&h->ctx, CF_ERROR, "unreadable durable client reply");
	cf_rc rc = (cf_rc)json_integer_value(json_object_get(reply, "rc"));
	const char *e = json_string_value(json_object_get(reply, "error"));
	const char *o = json_string_value(json_object_get(reply, "out"));
	json_t *res = json_object_get(reply, "response");
	if (json_is_object(res))
		apply_response(h, res);
	if (out)
		*out = o ? rt_arena_strdup(a, o) : NULL;
	if (rc != CF_OK)
		bind_ctx_fail(&h->ctx, rc, "%s", e ? e : "durable client call failed");
	json_decref(reply);
	return rc;
}

static cf_rc p_start(cf_http *h, const char *name, const char *id, const char *input,
		     const char **out_id)
{
	json_t *o = json_object();
	set_opt(o, "name", name);
	set_opt(o, "id", id);
	set_opt(o, "input", input);
	return call(h, "start", o, out_id);
}

static cf_rc p_status(cf_http *h, const char *id, unsigned flags, const char **out)
{
	json_t *o = json_object();
	set_opt(o, "id", id);
	json_object_set_new(o, "flags", json_integer(flags));
	return call(h, "status", o, out);
}

static cf_rc p_raise(cf_http *h, const char *id, const char *event, const char *data)
{
	json_t *o = json_object();
	set_opt(o, "id", id);
	set_opt(o, "event", event);
	set_opt(o, "data", data);
	return call(h, "raise", o, NULL);
}

static cf_rc lifecycle(cf_http *h, const char *op, const char *id, const char *reason)
{
	json_t *o = json_object();
	set_opt(o, "id", id);
	set_opt(o, "reason", reason);
	return call(h, op, o, NULL);
}

static cf_rc p_terminate(cf_http *h, const char *id, const char *r) { return lifecycle(h, "terminate", id, r); }
static cf_rc p_suspend(cf_http *h, const char *id, const char *r) { return lifecycle(h, "suspend", id, r); }
static cf_rc p_resume(cf_http *h, const char *id, const char *r) { return lifecycle(h, "resume", id, r); }
static cf_rc p_rewind(cf_http *h, const char *id, const char *r) { return lifecycle(h, "rewind", id, r); }
static cf_rc p_purge(cf_http *h, const char *id) { return lifecycle(h, "purge", id, NULL); }

static cf_rc p_restart(cf_http *h, const char *id, unsigned flags, const char **out_id)
{
	json_t *o = json_object();
	set_opt(o, "id", id);
	json_object_set_new(o, "flags", json_integer(flags));
	return call(h, "restart", o, out_id);
}

static cf_rc p_check(cf_http *h, const char *id)
{
	json_t *o = json_object();
	set_opt(o, "id", id);
	return call(h, "check", o, NULL);
}

static cf_rc p_wait(cf_http *h, const char *id, int64_t timeout_ms, int64_t retry_ms)
{
	json_t *o = json_object();
	set_opt(o, "id", id);
	json_object_set_new(o, "timeout", json_integer(timeout_ms));
	json_object_set_new(o, "retry", json_integer(retry_ms));
	return call(h, "wait", o, NULL);
}

static cf_rc p_signal_entity(cf_http *h, const char *name, const char *key, const char *op,
			     const char *input, int64_t at_ms)
{
	json_t *o = json_object();
	set_opt(o, "name", name);
	set_opt(o, "key", key);
	set_opt(o, "entityOp", op);
	set_opt(o, "input", input);
	json_object_set_new(o, "at", json_integer(at_ms));
	return call(h, "signal_entity", o, NULL);
}

static cf_rc p_read_entity(cf_http *h, const char *name, const char *key, const char **state)
{
	json_t *o = json_object();
	set_opt(o, "name", name);
	set_opt(o, "key", key);
	return call(h, "read_entity", o, state);
}

/* "out" is {"removed":n,"released":n}. */
static cf_rc p_clean_entities(cf_http *h, int64_t *removed, int64_t *released)
{
	const char *out = NULL;
	cf_rc rc = call(h, "clean_entities", json_object(), &out);
	json_t *counts = out ? json_loads(out, 0, NULL) : NULL;
	if (removed)
		*removed = json_integer_value(json_object_get(counts, "removed"));
	if (released)
		*released = json_integer_value(json_object_get(counts, "released"));
	json_decref(counts);
	return rc;
}

const struct cf_api *host_worker_client_api(int fd, struct rt_wire_buf *in, struct rt_wire_buf *out)
{
	chan_fd = fd;
	chan_in = in;
	chan_out = out;
	proxy_api = bind_api;
	proxy_api.durable_start = p_start;
	proxy_api.durable_status = p_status;
	proxy_api.durable_raise_event = p_raise;
	proxy_api.durable_terminate = p_terminate;
	proxy_api.durable_suspend = p_suspend;
	proxy_api.durable_resume = p_resume;
	proxy_api.durable_rewind = p_rewind;
	proxy_api.durable_restart = p_restart;
	proxy_api.durable_purge = p_purge;
	proxy_api.durable_check_status_response = p_check;
	proxy_api.durable_wait_or_check_status_response = p_wait;
	proxy_api.durable_signal_entity = p_signal_entity;
	proxy_api.durable_read_entity = p_read_entity;
	proxy_api.durable_clean_entity_storage = p_clean_entities;
	return &proxy_api;
}
