/*
 * calls.c - calls in a worker (supervisor.h): HTTP invocations and activity
 * attempts sent, one or several in one write, their replies read in order
 * (a function's durable-client calls answered meanwhile), and what a caller
 * gets when the worker died or ran past functionTimeout instead. A worker
 * answers in order, so the first call without a reply is the one it was
 * running. Episodes: episode_calls.c.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "host/log.h"
#include "host/worker/channel.h"
#include "host/worker/worker_client.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void set_error_body(struct bind_http *h, int status, const char *json)
{
	h->status = status;
	h->nresp = 0;
	bind_http_add_header((cf_http *)h, "Content-Type", "application/json; charset=utf-8");
	bind_http_set_body((cf_http *)h, json, strlen(json));
}

/* The request of `h` as a frame for function `fn`: 0, or -1 (too large). */
static int http_request(struct rt_wire_buf *out, uint64_t id, const struct bind_function *fn,
			struct bind_http *h, const char *invocation_id)
{
	struct rt_arena *a = h->ctx.arena;
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
	size_t before = out->len;
	if (rt_wire_http_request_encode(out, id, &req) != 0) {
		out->len = before;
		return -1;
	}
	return 0;
}

/* What the caller of a call that did not end with a response gets. */
static void http_lost(struct host_workers *w, const struct bind_function *fn, struct bind_http *h,
		      const char *invocation_id, enum host_workers_rc rc, const char *status,
		      const char **why)
{
	struct rt_arena *a = h->ctx.arena;
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
}

/* The worker's response into h: 0, or -1 with *err (malformed). */
static int http_response(const struct rt_wire_frame *f, struct bind_http *h, const char **err)
{
	struct rt_wire_http_response res;
	if (rt_wire_http_response_decode(f, &res, h->ctx.arena, err) != 0)
		return -1;
	h->status = (int)res.status;
	h->nresp = 0;
	for (size_t i = 0; i < res.nheaders; i++)
		bind_http_add_header((cf_http *)h, res.headers[i].name, res.headers[i].value);
	bind_http_set_body((cf_http *)h, res.body.data, res.body.len);
	if (res.failed)
		h->ctx.last_error = res.error ? res.error : "The function failed.";
	return res.failed ? 1 : 0;
}

static struct wcall http_call(const struct bind_function *fn, const char *invocation_id)
{
	return (struct wcall){.kind = HOST_CALL_HTTP, .function = fn->name, .what = fn->name,
			      .id = invocation_id, .invocation = invocation_id};
}

/*
 * Calls idx[0..k) (one app's) in one worker: every request in one write,
 * then the responses in order, each call's durable-client calls answered
 * while it runs. A worker answers in order, so when it dies the first call
 * without a response is the one it was running: that one gets the 500;
 * those answered keep their responses, and those not started yet go to
 * another worker (they never ran).
 */
static void http_group(struct host_workers *w, struct wpool *pool, size_t *idx, size_t k,
		       const struct bind_function *const *fns, struct bind_http *const *hs,
		       const char *const *ids, const char **whys, enum host_workers_rc *rcs)
{
	int64_t rcv_timeout_us = w->opts.timeout_ms > 0 ? w->opts.timeout_ms * 1000 : 0;
	while (k > 0) {
		struct wcall c = http_call(fns[idx[0]], ids[idx[0]]);
		struct wproc *p = wpool_acquire(w, pool, 0, &c);
		if (!p) {
			for (size_t j = 0; j < k; j++) {
				struct bind_http *h = hs[idx[j]];
				const struct bind_function *fn = fns[idx[j]];
				whys[idx[j]] = rt_arena_fmt(h->ctx.arena, "app '%s' failed: its workers "
									 "kept crashing", fn->app->name);
				set_error_body(h, 503,
					       rt_arena_fmt(h->ctx.arena,
							    "{\"error\":\"The app '%s' is not running: "
							    "its worker processes kept crashing. Fix it "
							    "and deploy it again.\",\"function\":\"%s\"}",
							    fn->app->name, fn->name));
				rcs[idx[j]] = HOST_WORKERS_APP_FAILED;
			}
			return;
		}
		uint64_t first = __atomic_add_fetch(&w->next_id, k, __ATOMIC_RELAXED) - k + 1;
		uint64_t *rid = rt_arena_calloc(hs[idx[0]]->ctx.arena, k * sizeof(*rid));
		size_t kept = 0;
		for (size_t j = 0; j < k; j++) {
			struct bind_http *h = hs[idx[j]];
			if (http_request(&p->out, first + j, fns[idx[j]], h, ids[idx[j]]) != 0) {
				whys[idx[j]] = "request too large for a worker";
				set_error_body(h, 413, "{\"error\":\"The request is too large.\"}");
				rcs[idx[j]] = HOST_WORKERS_CRASHED;
				continue;
			}
			rid[kept] = first + j;
			idx[kept++] = idx[j];
		}
		k = kept;
		if (k == 0) {
			wpool_release(w, pool, p);
			return;
		}
		enum host_chan_rc cr = (k == 1 ? host_chan_write(p->fd, &p->out)
					       : host_chan_write_draining(p->fd, &p->out, &p->in)) == 0
					       ? HOST_CHAN_FRAME : HOST_CHAN_EOF;
		const char *err = NULL;
		int malformed = 0;
		size_t j = 0;
		for (; j < k && cr == HOST_CHAN_FRAME; j++) {
			struct bind_http *h = hs[idx[j]];
			if (j > 0) { /* the snapshot shows what runs now */
				pthread_mutex_lock(&w->lock);
				p->served++;
				host_worker_call_set(&p->call, HOST_CALL_HTTP, fns[idx[j]]->name, NULL,
						     ids[idx[j]], rt_now_us());
				pthread_mutex_unlock(&w->lock);
			}
			int64_t deadline = rcv_timeout_us ? rt_mono_us() + rcv_timeout_us : 0;
			struct rt_wire_frame f;
			size_t used = 0;
			for (;;) {
				cr = host_chan_read_timed(p->fd, &p->in, REPLY_MAX_FRAME, deadline,
							  rcv_timeout_us, &f, &used, &err);
				if (cr != HOST_CHAN_FRAME || f.type != RT_WIRE_CLIENT_CALL)
					break;
				/* The function's durable-client calls, answered as they come. */
				struct rt_wire_client_call m;
				if (rt_wire_client_call_decode(&f, &m, h->ctx.arena, &err) != 0) {
					cr = HOST_CHAN_BROKEN;
					break;
				}
				struct rt_wire_client_reply r = {.status = 200,
								 .output = host_workers_client_call(h, &m)};
				rt_wire_buf_consume(&p->in, used);
				if (rt_wire_client_reply_encode(&p->out, f.id, &r) != 0 ||
				    host_chan_write(p->fd, &p->out) != 0) {
					cr = HOST_CHAN_EOF; /* the worker is gone */
					break;
				}
			}
			if (cr != HOST_CHAN_FRAME)
				break;
			if (f.type != RT_WIRE_HTTP_RESPONSE || f.id != rid[j]) {
				cr = HOST_CHAN_BROKEN; /* a worker that answers out of turn is broken */
				break;
			}
			int res = http_response(&f, h, &err);
			rt_wire_buf_consume(&p->in, used);
			if (res < 0) {
				cr = HOST_CHAN_BROKEN;
				malformed = 1;
				break;
			}
			rcs[idx[j]] = res ? HOST_WORKERS_FAILED : HOST_WORKERS_OK;
		}
		if (cr == HOST_CHAN_FRAME) {
			wpool_release(w, pool, p);
			return;
		}
		/* It ended while running idx[j]. */
		size_t at = idx[j];
		struct bind_http *h = hs[at];
		char status[64];
		c = http_call(fns[at], ids[at]);
		if (cr == HOST_CHAN_BROKEN)
			host_log("Host.Workers", RT_LOG_ERROR,
				 malformed ? "Worker process %d of app '%s' sent a bad response for '%s': %s"
					   : "Worker process %d of app '%s' broke the protocol while "
					     "running '%s': %s",
				 (int)p->pid, pool->app->name, c.what, err ? err : "unexpected frame");
		wpool_bury(w, pool, p,
			   cr == HOST_CHAN_TIMEOUT ? WDEATH_TIMEOUT
			   : cr == HOST_CHAN_BROKEN ? WDEATH_BROKEN : WDEATH_DIED,
			   &c, status, sizeof(status));
		wpool_release(w, pool, p);
		if (malformed) {
			whys[at] = rt_arena_fmt(h->ctx.arena, "bad response from the worker: %s", err);
			set_error_body(h, 500, "{\"error\":\"The worker sent a malformed response.\"}");
			rcs[at] = HOST_WORKERS_CRASHED;
		} else {
			rcs[at] = cr == HOST_CHAN_TIMEOUT ? HOST_WORKERS_TIMEOUT : HOST_WORKERS_CRASHED;
			http_lost(w, fns[at], h, ids[at], rcs[at], status, &whys[at]);
		}
		/* Those after it never started: another worker runs them. */
		memmove(&idx[0], &idx[j + 1], (k - j - 1) * sizeof(*idx));
		k -= j + 1;
	}
}

void host_workers_http_batch(struct host_workers *w, size_t n,
			     const struct bind_function *const *fns, struct bind_http *const *hs,
			     const char *const *invocation_ids, const char **whys,
			     enum host_workers_rc *rcs)
{
	size_t idx_small[8];
	char done_small[8] = {0};
	size_t *idx = n <= 8 ? idx_small : rt_arena_alloc(hs[0]->ctx.arena, n * sizeof(*idx));
	char *done = n <= 8 ? done_small : rt_arena_calloc(hs[0]->ctx.arena, n);
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const struct bind_app *app = fns[i]->app;
		struct wpool *pool = wpool_of(w, app);
		size_t k = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && fns[j]->app == app) {
				idx[k++] = j;
				done[j] = 1;
			}
		if (!pool) {
			for (size_t j = 0; j < k; j++) {
				whys[idx[j]] = "the app has no worker processes";
				set_error_body(hs[idx[j]], 503, "{\"error\":\"The app is not running.\"}");
				rcs[idx[j]] = HOST_WORKERS_APP_FAILED;
			}
			continue;
		}
		http_group(w, pool, idx, k, fns, hs, invocation_ids, whys, rcs);
	}
}

enum host_workers_rc host_workers_http(struct host_workers *w, const struct bind_function *fn,
				       struct bind_http *h, const char *invocation_id,
				       const char **why)
{
	enum host_workers_rc rc = HOST_WORKERS_CRASHED;
	host_workers_http_batch(w, 1, &fn, &h, &invocation_id, why, &rc);
	return rc;
}

/* ---- activity attempts, several at once ------------------------------------- */

static struct wcall activity_call(const struct bind_function *fn,
				  const struct rt_activity_call *call)
{
	return (struct wcall){.kind = HOST_CALL_ACTIVITY, .function = fn->name,
			      .what = rt_arena_fmt(call->arena, "%s (instance %s)", fn->name,
						   call->instance_id),
			      .id = call->idempotency_key, .instance = call->instance_id,
			      .invocation = call->idempotency_key};
}

/*
 * Attempts idx[0..k) (one app's) in one worker: every request in one
 * write, the results in order. When the worker dies, the attempt it was
 * running fails as host_workers_activity's would, those it answered keep
 * their results, and those it had not started go to another worker.
 */
static void activity_group(struct host_workers *w, struct wpool *pool, size_t *idx, size_t k,
			   const struct bind_function *const *fns,
			   const struct rt_activity_call *calls, struct rt_activity_result *res,
			   void (*starting)(void *arg, size_t i), void *arg)
{
	int64_t rcv_timeout_us = w->opts.timeout_ms > 0 ? w->opts.timeout_ms * 1000 : 0;
	while (k > 0) {
		struct rt_arena *a = calls[idx[0]].arena;
		struct wcall c = activity_call(fns[idx[0]], &calls[idx[0]]);
		struct wproc *p = wpool_acquire(w, pool, 0, &c);
		if (!p) {
			/* Crash-looped: the attempts wait for the app's next deploy. */
			for (size_t j = 0; j < k; j++) {
				res[idx[j]].failed = 0;
				res[idx[j]].not_run = 1;
			}
			return;
		}
		uint64_t first = __atomic_add_fetch(&w->next_id, k, __ATOMIC_RELAXED) - k + 1;
		uint64_t *rid = rt_arena_calloc(a, k * sizeof(*rid));
		size_t kept = 0;
		for (size_t j = 0; j < k; j++) {
			const struct rt_activity_call *call = &calls[idx[j]];
			struct rt_wire_activity_request req = {
				.name = fns[idx[j]]->name, .instance = call->instance_id,
				.execution = call->execution_id, .input = call->input,
				.key = call->idempotency_key, .task = call->task_id,
				.attempt = call->attempt,
			};
			size_t before = p->out.len;
			if (rt_wire_activity_request_encode(&p->out, first + j, &req) != 0) {
				p->out.len = before;
				res[idx[j]].failed = 1;
				res[idx[j]].message = "The activity input is too large for a worker.";
				continue;
			}
			rid[kept] = first + j;
			idx[kept++] = idx[j];
		}
		k = kept;
		if (k == 0) {
			wpool_release(w, pool, p);
			return;
		}
		enum host_chan_rc cr = host_chan_write_draining(p->fd, &p->out, &p->in) == 0
					       ? HOST_CHAN_FRAME : HOST_CHAN_EOF;
		const char *err = NULL;
		int malformed = 0;
		size_t j = 0;
		for (; j < k && cr == HOST_CHAN_FRAME; j++) {
			const struct rt_activity_call *call = &calls[idx[j]];
			starting(arg, idx[j]);
			if (j > 0) { /* the snapshot shows what runs now */
				pthread_mutex_lock(&w->lock);
				p->served++;
				host_worker_call_set(&p->call, HOST_CALL_ACTIVITY, fns[idx[j]]->name,
						     call->instance_id, call->idempotency_key,
						     rt_now_us());
				pthread_mutex_unlock(&w->lock);
			}
			int64_t deadline = rcv_timeout_us ? rt_mono_us() + rcv_timeout_us : 0;
			struct rt_wire_frame f;
			size_t used = 0;
			cr = host_chan_read_timed(p->fd, &p->in, REPLY_MAX_FRAME, deadline,
						  rcv_timeout_us, &f, &used, &err);
			if (cr != HOST_CHAN_FRAME)
				break;
			if (f.type != RT_WIRE_ACTIVITY_RESULT || f.id != rid[j]) {
				cr = HOST_CHAN_BROKEN; /* a worker that answers out of turn is broken */
				break;
			}
			struct rt_wire_activity_result r;
			int bad = rt_wire_activity_result_decode(&f, &r, call->arena, &err) != 0;
			rt_wire_buf_consume(&p->in, used);
			if (bad) {
				cr = HOST_CHAN_BROKEN;
				malformed = 1;
				break;
			}
			res[idx[j]].failed = (int)r.failed;
			res[idx[j]].result = r.output;
			res[idx[j]].message = r.error;
		}
		if (cr == HOST_CHAN_FRAME) {
			wpool_release(w, pool, p);
			return;
		}
		/* It ended while running idx[j]. */
		size_t at = idx[j];
		char status[64];
		c = activity_call(fns[at], &calls[at]);
		if (cr == HOST_CHAN_BROKEN && !malformed)
			host_log("Host.Workers", RT_LOG_ERROR,
				 "Worker process %d of app '%s' broke the protocol while running '%s': %s",
				 (int)p->pid, pool->app->name, c.what, err ? err : "unexpected frame");
		wpool_bury(w, pool, p,
			   cr == HOST_CHAN_TIMEOUT ? WDEATH_TIMEOUT
			   : cr == HOST_CHAN_BROKEN ? WDEATH_BROKEN : WDEATH_DIED,
			   &c, status, sizeof(status));
		wpool_release(w, pool, p);
		struct rt_arena *ca = calls[at].arena;
		res[at].failed = 1;
		if (malformed)
			res[at].message = rt_arena_fmt(ca, "The worker sent a malformed result: %s", err);
		else if (cr == HOST_CHAN_TIMEOUT)
			res[at].message = rt_arena_fmt(ca, "Timeout value of %lld ms was exceeded by "
							   "function: Functions.%s",
						       (long long)w->opts.timeout_ms, fns[at]->name);
		else
			res[at].message = rt_arena_fmt(ca, "The activity ended its worker process (%s).",
						       status);
		/* Those after it never started: another worker runs them. */
		memmove(&idx[0], &idx[j + 1], (k - j - 1) * sizeof(*idx));
		k -= j + 1;
	}
}

void host_workers_activity_batch(void *ctx, size_t n, void *const *fnps,
				 const struct rt_activity_call *calls,
				 struct rt_activity_result *res,
				 void (*starting)(void *arg, size_t i), void *arg)
{
	struct host_workers *w = ctx;
	const struct bind_function *const *fns = (const struct bind_function *const *)fnps;
	struct rt_arena *a = calls[0].arena;
	size_t *idx = rt_arena_alloc(a, n * sizeof(*idx));
	char *done = rt_arena_calloc(a, n);
	for (size_t i = 0; i < n; i++) {
		res[i] = (struct rt_activity_result){.failed = 1};
	}
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const struct bind_app *app = fns[i]->app;
		struct wpool *pool = wpool_of(w, app);
		size_t k = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && fns[j]->app == app) {
				idx[k++] = j;
				done[j] = 1;
			}
		if (!pool) {
			for (size_t j = 0; j < k; j++)
				res[idx[j]].message = rt_arena_fmt(a, "The app '%s' has no worker "
								      "processes.", app->name);
			continue;
		}
		activity_group(w, pool, idx, k, fns, calls, res, starting, arg);
	}
}

static void no_op_starting(void *arg, size_t i)
{
	(void)arg;
	(void)i;
}

void host_workers_activity(void *ctx, void *fn, const struct rt_activity_call *call,
			   struct rt_activity_result *res)
{
	void *fns[1] = {fn};
	host_workers_activity_batch(ctx, 1, fns, call, res, no_op_starting, NULL);
}

/* ---- for the other kinds of call (timer_calls.c, entity_calls.c, admin_calls.c) ---- */

/* One request already in p->out, and its reply: OK with *f (consume *used
 * after reading it), or what became of the worker (buried). The function's
 * durable-client calls are answered meanwhile when `h` is given. */
enum host_workers_rc wpool_exchange(struct host_workers *w, struct wpool *pool, struct wproc *p,
				    struct bind_http *h, enum rt_wire_type type, uint64_t id,
				    const struct wcall *c, struct rt_wire_frame *f, size_t *used,
				    char *status, size_t status_n)
{
	int64_t deadline = w->opts.timeout_ms > 0 ? rt_mono_us() + w->opts.timeout_ms * 1000 : 0;
	const char *err = NULL;
	enum host_chan_rc cr = HOST_CHAN_EOF;
	int sent = host_chan_write(p->fd, &p->out) == 0;
	while (sent) { /* until the reply, or the worker's end */
		cr = host_chan_read(p->fd, &p->in, REPLY_MAX_FRAME, deadline, f, used, &err);
		if (cr != HOST_CHAN_FRAME)
			break;
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

uint64_t wpool_next_id(struct host_workers *w)
{
	return __atomic_add_fetch(&w->next_id, 1, __ATOMIC_RELAXED);
}
