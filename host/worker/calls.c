/*
 * calls.c - calls in a worker (supervisor.h): HTTP invocations and activity
 * attempts, one or several in one write (call_batch.c sends them and reads
 * the replies in order): their requests, their replies (a function's
 * durable-client calls answered meanwhile), and what a caller gets when the
 * worker died or ran past functionTimeout instead. Episodes:
 * episode_calls.c.
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

/* One host_workers_http_batch call, for wpool_call_batch. */
struct http_batch {
	struct host_workers *w;
	const struct bind_function *const *fns;
	struct bind_http *const *hs;
	const char *const *ids;
	const char **whys;
	enum host_workers_rc *rcs;
	void (*answered)(void *arg, size_t i, int more);
	void *arg;
};

static struct wcall http_call_of(void *ctx, size_t i)
{
	struct http_batch *hb = ctx;
	return http_call(hb->fns[i], hb->ids[i]);
}

static int http_encode(void *ctx, size_t i, struct rt_wire_buf *out, uint64_t id)
{
	struct http_batch *hb = ctx;
	return http_request(out, id, hb->fns[i], hb->hs[i], hb->ids[i]);
}

static void http_too_large(void *ctx, size_t i)
{
	struct http_batch *hb = ctx;
	hb->whys[i] = "request too large for a worker";
	set_error_body(hb->hs[i], 413, "{\"error\":\"The request is too large.\"}");
	hb->rcs[i] = HOST_WORKERS_CRASHED;
}

static void http_no_worker(void *ctx, size_t i)
{
	struct http_batch *hb = ctx;
	struct bind_http *h = hb->hs[i];
	const struct bind_function *fn = hb->fns[i];
	hb->whys[i] = rt_arena_fmt(h->ctx.arena, "app '%s' failed: its workers kept crashing",
				   fn->app->name);
	set_error_body(h, 503,
		       rt_arena_fmt(h->ctx.arena,
				    "{\"error\":\"The app '%s' is not running: its worker processes "
				    "kept crashing. Fix it and deploy it again.\",\"function\":\"%s\"}",
				    fn->app->name, fn->name));
	hb->rcs[i] = HOST_WORKERS_APP_FAILED;
}

/* The function's durable-client calls, answered as they come. */
static enum host_chan_rc http_client_call(void *ctx, size_t i, struct wproc *p,
					  const struct rt_wire_frame *f, size_t used,
					  const char **err)
{
	struct http_batch *hb = ctx;
	struct bind_http *h = hb->hs[i];
	struct rt_wire_client_call m;
	if (rt_wire_client_call_decode(f, &m, h->ctx.arena, err) != 0)
		return HOST_CHAN_BROKEN;
	struct rt_wire_client_reply r = {.status = 200, .output = host_workers_client_call(h, &m)};
	uint64_t id = f->id;
	rt_wire_buf_consume(&p->in, used);
	if (rt_wire_client_reply_encode(&p->out, id, &r) != 0 || host_chan_write(p->fd, &p->out) != 0)
		return HOST_CHAN_EOF; /* the worker is gone */
	return HOST_CHAN_FRAME;
}

static int http_reply(void *ctx, size_t i, const struct rt_wire_frame *f, const char **err)
{
	struct http_batch *hb = ctx;
	int res = http_response(f, hb->hs[i], err);
	if (res < 0)
		return -1;
	hb->rcs[i] = res ? HOST_WORKERS_FAILED : HOST_WORKERS_OK;
	return 0;
}

/* The call the worker was running when it ended gets the 500. */
static void http_call_lost(void *ctx, size_t i, enum host_chan_rc cr, const char *status,
			   const char *malformed)
{
	struct http_batch *hb = ctx;
	struct bind_http *h = hb->hs[i];
	if (malformed) {
		hb->whys[i] = rt_arena_fmt(h->ctx.arena, "bad response from the worker: %s",
					   malformed);
		set_error_body(h, 500, "{\"error\":\"The worker sent a malformed response.\"}");
		hb->rcs[i] = HOST_WORKERS_CRASHED;
		return;
	}
	hb->rcs[i] = cr == HOST_CHAN_TIMEOUT ? HOST_WORKERS_TIMEOUT : HOST_WORKERS_CRASHED;
	http_lost(hb->w, hb->fns[i], h, hb->ids[i], hb->rcs[i], status, &hb->whys[i]);
}

static void http_answered(void *ctx, size_t i, int more)
{
	struct http_batch *hb = ctx;
	if (hb->answered)
		hb->answered(hb->arg, i, more);
}

static const struct wbatch_ops http_ops = {
	.reply_type = RT_WIRE_HTTP_RESPONSE,
	.call_of = http_call_of,
	.encode = http_encode,
	.too_large = http_too_large,
	.no_worker = http_no_worker,
	.side_type = RT_WIRE_CLIENT_CALL,
	.side_frame = http_client_call,
	.reply = http_reply,
	.lost = http_call_lost,
	.answered = http_answered,
};

void host_workers_http_batch(struct host_workers *w, size_t n,
			     const struct bind_function *const *fns, struct bind_http *const *hs,
			     const char *const *invocation_ids, const char **whys,
			     enum host_workers_rc *rcs,
			     void (*answered)(void *arg, size_t i, int more), void *arg)
{
	/* A call answered early may be gone (its arena with it) while the
	 * batch goes on: the bookkeeping then lives in an arena of its own. */
	struct rt_arena own;
	struct rt_arena *a = hs[0]->ctx.arena;
	if (answered) {
		rt_arena_init(&own);
		a = &own;
	}
	size_t idx_small[8];
	char done_small[8] = {0};
	size_t *idx = n <= 8 ? idx_small : rt_arena_alloc(a, n * sizeof(*idx));
	char *done = n <= 8 ? done_small : rt_arena_calloc(a, n);
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
				if (answered)
					answered(arg, idx[j], 0);
			}
			continue;
		}
		struct http_batch hb = {.w = w, .fns = fns, .hs = hs, .ids = invocation_ids,
					.whys = whys, .rcs = rcs, .answered = answered, .arg = arg};
		wpool_call_batch(w, pool, a, idx, k, &http_ops, &hb);
	}
	if (answered)
		rt_arena_cleanup(&own);
}

enum host_workers_rc host_workers_http(struct host_workers *w, const struct bind_function *fn,
				       struct bind_http *h, const char *invocation_id,
				       const char **why)
{
	enum host_workers_rc rc = HOST_WORKERS_CRASHED;
	host_workers_http_batch(w, 1, &fn, &h, &invocation_id, why, &rc, NULL, NULL);
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

/* One host_workers_activity_batch call, for wpool_call_batch. */
struct activity_batch {
	struct host_workers *w;
	const struct bind_function *const *fns;
	const struct rt_activity_call *calls;
	struct rt_activity_result *res;
	void (*starting)(void *arg, size_t i);
	void (*finished)(void *arg, size_t i);
	void *arg;
	size_t *held; /* settled, not handed back yet: the next reply is read in */
	size_t nheld;
};

static struct wcall activity_call_of(void *ctx, size_t i)
{
	struct activity_batch *ab = ctx;
	return activity_call(ab->fns[i], &ab->calls[i]);
}

static int activity_encode(void *ctx, size_t i, struct rt_wire_buf *out, uint64_t id)
{
	struct activity_batch *ab = ctx;
	const struct rt_activity_call *call = &ab->calls[i];
	struct rt_wire_activity_request req = {
		.name = ab->fns[i]->name, .instance = call->instance_id,
		.execution = call->execution_id, .input = call->input,
		.key = call->idempotency_key, .task = call->task_id, .attempt = call->attempt,
	};
	return rt_wire_activity_request_encode(out, id, &req);
}

static void activity_too_large(void *ctx, size_t i)
{
	struct activity_batch *ab = ctx;
	ab->res[i].failed = 1;
	ab->res[i].message = "The activity input is too large for a worker.";
}

/* Crash-looped: the attempt waits for the app's next deploy. */
static void activity_no_worker(void *ctx, size_t i)
{
	struct activity_batch *ab = ctx;
	ab->res[i].failed = 0;
	ab->res[i].not_run = 1;
}

static void activity_starting(void *ctx, size_t i)
{
	struct activity_batch *ab = ctx;
	ab->starting(ab->arg, i);
}

static int activity_reply(void *ctx, size_t i, const struct rt_wire_frame *f, const char **err)
{
	struct activity_batch *ab = ctx;
	struct rt_wire_activity_result r;
	if (rt_wire_activity_result_decode(f, &r, ab->calls[i].arena, err) != 0)
		return -1;
	ab->res[i].failed = (int)r.failed;
	ab->res[i].result = r.output;
	ab->res[i].message = r.error;
	return 0;
}

/* The attempt the worker was running when it ended fails, as
 * host_workers_activity's would. */
static void activity_lost(void *ctx, size_t i, enum host_chan_rc cr, const char *status,
			  const char *malformed)
{
	struct activity_batch *ab = ctx;
	struct rt_arena *ca = ab->calls[i].arena;
	struct rt_activity_result *r = &ab->res[i];
	r->failed = 1;
	if (malformed)
		r->message = rt_arena_fmt(ca, "The worker sent a malformed result: %s", malformed);
	else if (cr == HOST_CHAN_TIMEOUT)
		r->message = rt_arena_fmt(ca, "Timeout value of %lld ms was exceeded by function: "
					      "Functions.%s",
					  (long long)ab->w->opts.timeout_ms, ab->fns[i]->name);
	else
		r->message = rt_arena_fmt(ca, "The activity ended its worker process (%s).", status);
}

static void activity_hand_back(struct activity_batch *ab)
{
	for (size_t j = 0; j < ab->nheld; j++)
		ab->finished(ab->arg, ab->held[j]);
	ab->nheld = 0;
}

/* Settled: the engine commits it now, not after the batch's slowest. When
 * the next reply is already read in, it waits for that one, so that the
 * two are handed back together and the engine thread, woken once, finds
 * both in one batch. */
static void activity_answered(void *ctx, size_t i, int more)
{
	struct activity_batch *ab = ctx;
	ab->held[ab->nheld++] = i;
	if (!more)
		activity_hand_back(ab);
}

static const struct wbatch_ops activity_ops = {
	.reply_type = RT_WIRE_ACTIVITY_RESULT,
	.call_of = activity_call_of,
	.encode = activity_encode,
	.too_large = activity_too_large,
	.no_worker = activity_no_worker,
	.starting = activity_starting,
	.reply = activity_reply,
	.lost = activity_lost,
	.answered = activity_answered,
};

void host_workers_activity_batch(void *ctx, size_t n, void *const *fnps,
				 const struct rt_activity_call *calls,
				 struct rt_activity_result *res,
				 void (*starting)(void *arg, size_t i),
				 void (*finished)(void *arg, size_t i), void *arg)
{
	struct host_workers *w = ctx;
	const struct bind_function *const *fns = (const struct bind_function *const *)fnps;
	struct rt_arena *a = calls[0].arena;
	size_t *idx = rt_arena_alloc(a, n * sizeof(*idx));
	size_t *held = rt_arena_alloc(a, n * sizeof(*held));
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
			for (size_t j = 0; j < k; j++) {
				res[idx[j]].message = rt_arena_fmt(a, "The app '%s' has no worker "
								      "processes.", app->name);
				finished(arg, idx[j]);
			}
			continue;
		}
		struct activity_batch ab = {.w = w, .fns = fns, .calls = calls, .res = res,
					    .starting = starting, .finished = finished,
					    .arg = arg, .held = held};
		wpool_call_batch(w, pool, a, idx, k, &activity_ops, &ab);
		activity_hand_back(&ab); /* a `more` that nothing followed */
	}
}

/* A single attempt: its caller reads res when the call returns. */
static void no_op(void *arg, size_t i)
{
	(void)arg;
	(void)i;
}

void host_workers_activity(void *ctx, void *fn, const struct rt_activity_call *call,
			   struct rt_activity_result *res)
{
	void *fns[1] = {fn};
	host_workers_activity_batch(ctx, 1, fns, call, res, no_op, no_op, NULL);
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
