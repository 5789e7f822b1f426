/*
 * calls.c - one call in a worker (supervisor.h): an HTTP invocation, an
 * activity attempt sent, its reply read (the function's durable-client
 * calls answered meanwhile), and what the caller gets when the worker died
 * or ran past functionTimeout instead. Episodes: episode_calls.c.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "host/log.h"
#include "host/worker/channel.h"
#include "host/worker/worker_client.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/*
 * Sends p->out and waits for the reply of `type` with `id`. OK: *f is the
 * reply (in p->in, consume *used after). Otherwise the worker was buried
 * and replaced, and status describes how it ended.
 */
static enum host_workers_rc exchange(struct host_workers *w, struct wpool *pool, struct wproc *p,
				     struct bind_http *h, enum rt_wire_type type, uint64_t id,
				     const struct wcall *c, struct rt_wire_frame *f,
				     size_t *used, char *status, size_t status_n)
{
	int64_t deadline = w->opts.timeout_ms > 0 ? rt_mono_us() + w->opts.timeout_ms * 1000 : 0;
	const char *err = NULL;
	enum host_chan_rc cr = HOST_CHAN_EOF;
	int sent = host_chan_write(p->fd, &p->out) == 0;
	while (sent) { /* until the reply, or the worker's end */
		cr = host_chan_read_timed(p->fd, &p->in, REPLY_MAX_FRAME, deadline,
					  w->opts.timeout_ms * 1000, f, used, &err);
		if (cr != HOST_CHAN_FRAME)
			break;
		/* The function's durable-client calls, answered as they come. */
		if (f->type == RT_WIRE_CLIENT_CALL && h) {
			struct rt_wire_client_call m;
			if (rt_wire_client_call_decode(f, &m, h->ctx.arena, &err) != 0) {
				cr = HOST_CHAN_BROKEN;
				break;
			}
			struct rt_wire_client_reply r = {.status = 200,
							 .output = host_workers_client_call(h, &m)};
			rt_wire_buf_consume(&p->in, *used);
			if (rt_wire_client_reply_encode(&p->out, f->id, &r) != 0 ||
			    host_chan_write(p->fd, &p->out) != 0) {
				cr = HOST_CHAN_EOF; /* the worker is gone */
				break;
			}
			continue;
		}
		if (f->type != type || f->id != id)
			cr = HOST_CHAN_BROKEN; /* a worker that answers out of turn is broken */
		break;
	}
	if (cr == HOST_CHAN_FRAME)
		return HOST_WORKERS_OK;
	if (cr == HOST_CHAN_TIMEOUT) {
		wpool_bury(w, pool, p, WDEATH_TIMEOUT, c, status, status_n);
		return HOST_WORKERS_TIMEOUT;
	}
	if (cr == HOST_CHAN_BROKEN)
		host_log("Host.Workers", RT_LOG_ERROR,
			 "Worker process %d of app '%s' broke the protocol while running '%s': %s",
			 (int)p->pid, pool->app->name, c->what, err ? err : "unexpected frame");
	wpool_bury(w, pool, p, cr == HOST_CHAN_BROKEN ? WDEATH_BROKEN : WDEATH_DIED, c, status,
		   status_n);
	return HOST_WORKERS_CRASHED;
}

static uint64_t next_id(struct host_workers *w)
{
	return __atomic_add_fetch(&w->next_id, 1, __ATOMIC_RELAXED);
}

static void set_error_body(struct bind_http *h, int status, const char *json)
{
	h->status = status;
	h->nresp = 0;
	bind_http_add_header((cf_http *)h, "Content-Type", "application/json; charset=utf-8");
	bind_http_set_body((cf_http *)h, json, strlen(json));
}

enum host_workers_rc host_workers_http(struct host_workers *w, const struct bind_function *fn,
				       struct bind_http *h, const char *invocation_id,
				       const char **why)
{
	struct rt_arena *a = h->ctx.arena;
	struct wpool *pool = wpool_of(w, fn->app);
	struct wcall c = {.kind = HOST_CALL_HTTP, .function = fn->name, .what = fn->name,
			  .id = invocation_id, .invocation = invocation_id};
	struct wproc *p = pool ? wpool_acquire(w, pool, 0, &c) : NULL;
	if (!p) {
		*why = rt_arena_fmt(a, "app '%s' failed: its workers kept crashing", fn->app->name);
		set_error_body(h, 503,
			       rt_arena_fmt(a, "{\"error\":\"The app '%s' is not running: its worker "
					       "processes kept crashing. Fix it and deploy it again.\","
					       "\"function\":\"%s\"}",
					    fn->app->name, fn->name));
		return HOST_WORKERS_APP_FAILED;
	}
	struct rt_wire_kv *hdrs = rt_arena_alloc(a, (h->nheaders + 1) * sizeof(*hdrs));
	struct rt_wire_kv *params = rt_arena_alloc(a, (h->nparams + 1) * sizeof(*params));
	for (size_t i = 0; i < h->nheaders; i++)
		hdrs[i] = (struct rt_wire_kv){h->headers[i].name, h->headers[i].value};
	for (size_t i = 0; i < h->nparams; i++)
		params[i] = (struct rt_wire_kv){h->params[i].name, h->params[i].value};
	struct rt_wire_http_request req = {
		.name = fn->name, .invocation = invocation_id, .method = h->method, .url = h->url,
		.base_url = h->base_url, .path = h->path, .query = h->raw_query, .headers = hdrs,
		.nheaders = h->nheaders, .params = params, .nparams = h->nparams,
		.body = {h->body ? h->body : "", h->body_len},
	};
	uint64_t id = next_id(w);
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	enum host_workers_rc rc = HOST_WORKERS_OK;
	if (rt_wire_http_request_encode(&p->out, id, &req) != 0) {
		wpool_release(w, pool, p);
		*why = "request too large for a worker";
		set_error_body(h, 413, "{\"error\":\"The request is too large.\"}");
		return HOST_WORKERS_CRASHED;
	}
	rc = exchange(w, pool, p, h, RT_WIRE_HTTP_RESPONSE, id, &c, &f, &used, status,
		      sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_http_response res;
		const char *err = NULL;
		if (rt_wire_http_response_decode(&f, &res, a, &err) != 0) {
			rt_wire_buf_consume(&p->in, used);
			host_log("Host.Workers", RT_LOG_ERROR,
				 "Worker process %d of app '%s' sent a bad response for '%s': %s",
				 (int)p->pid, pool->app->name, fn->name, err);
			wpool_bury(w, pool, p, WDEATH_BROKEN, &c, status, sizeof(status));
			wpool_release(w, pool, p);
			*why = rt_arena_fmt(a, "bad response from the worker: %s", err);
			set_error_body(h, 500, "{\"error\":\"The worker sent a malformed response.\"}");
			return HOST_WORKERS_CRASHED;
		}
		h->status = (int)res.status;
		h->nresp = 0;
		for (size_t i = 0; i < res.nheaders; i++)
			bind_http_add_header((cf_http *)h, res.headers[i].name, res.headers[i].value);
		bind_http_set_body((cf_http *)h, res.body.data, res.body.len);
		if (res.failed)
			h->ctx.last_error = res.error ? res.error : "The function failed.";
		rt_wire_buf_consume(&p->in, used);
		wpool_release(w, pool, p);
		return res.failed ? HOST_WORKERS_FAILED : HOST_WORKERS_OK;
	}
	wpool_release(w, pool, p);
	if (rc == HOST_WORKERS_TIMEOUT) {
		*why = rt_arena_fmt(a, "Timeout value of %lld ms was exceeded by function: Functions.%s",
				    (long long)w->opts.timeout_ms, fn->name);
		set_error_body(h, 500,
			       rt_arena_fmt(a, "{\"error\":\"Timeout value of %lld ms was exceeded by "
					       "function: Functions.%s\",\"function\":\"%s\"}",
					    (long long)w->opts.timeout_ms, fn->name, fn->name));
	} else {
		*why = rt_arena_fmt(a, "the worker process running it died (%s)", status);
		set_error_body(h, 500,
			       rt_arena_fmt(a, "{\"error\":\"The function '%s' ended its worker "
					       "process (%s).\",\"function\":\"%s\",\"signal\":\"%s\","
					       "\"invocationId\":\"%s\"}",
					    fn->name, status, fn->name, status, invocation_id));
	}
	return rc;
}

void host_workers_activity(void *ctx, void *fnp, const struct rt_activity_call *call,
			   struct rt_activity_result *res)
{
	struct host_workers *w = ctx;
	const struct bind_function *fn = fnp;
	struct rt_arena *a = call->arena;
	struct wpool *pool = wpool_of(w, fn->app);
	struct wcall c = {.kind = HOST_CALL_ACTIVITY, .function = fn->name,
			  .what = rt_arena_fmt(a, "%s (instance %s)", fn->name, call->instance_id),
			  .id = call->idempotency_key, .instance = call->instance_id,
			  .invocation = call->idempotency_key};
	res->failed = 1;
	if (!pool) {
		res->message = rt_arena_fmt(a, "The app '%s' has no worker processes.", fn->app->name);
		return;
	}
	struct wproc *p = wpool_acquire(w, pool, 0, &c);
	if (!p) {
		/* Crash-looped: the attempt waits for the app's next deploy
		 * instead of failing (engine.h, not_run). */
		res->failed = 0;
		res->not_run = 1;
		return;
	}
	struct rt_wire_activity_request req = {
		.name = fn->name, .instance = call->instance_id, .execution = call->execution_id,
		.input = call->input, .key = call->idempotency_key, .task = call->task_id,
		.attempt = call->attempt,
	};
	uint64_t id = next_id(w);
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	if (rt_wire_activity_request_encode(&p->out, id, &req) != 0) {
		wpool_release(w, pool, p);
		res->message = "The activity input is too large for a worker.";
		return;
	}
	enum host_workers_rc rc = exchange(w, pool, p, NULL, RT_WIRE_ACTIVITY_RESULT, id, &c, &f,
					   &used, status, sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_activity_result r;
		const char *err = NULL;
		if (rt_wire_activity_result_decode(&f, &r, a, &err) != 0) {
			rt_wire_buf_consume(&p->in, used);
			wpool_bury(w, pool, p, WDEATH_BROKEN, &c, status, sizeof(status));
			wpool_release(w, pool, p);
			res->message = rt_arena_fmt(a, "The worker sent a malformed result: %s", err);
			return;
		}
		rt_wire_buf_consume(&p->in, used);
		wpool_release(w, pool, p);
		res->failed = (int)r.failed;
		res->result = r.output;
		res->message = r.error;
		return;
	}
	wpool_release(w, pool, p);
	if (rc == HOST_WORKERS_TIMEOUT)
		res->message = rt_arena_fmt(a, "Timeout value of %lld ms was exceeded by function: "
					       "Functions.%s",
					    (long long)w->opts.timeout_ms, fn->name);
	else
		res->message = rt_arena_fmt(a, "The activity ended its worker process (%s).", status);
}
