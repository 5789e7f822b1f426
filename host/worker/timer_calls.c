/*
 * timer_calls.c - a timer function's run in a worker process
 * (supervisor.h, host_workers_timer_run): TIMER_REQUEST out, TIMER_RESULT
 * back, the function's durable-client calls answered meanwhile; and the
 * worker's side that runs the app's cf_timer_fn.
 *
 * The host prints the Executing/Executed lines (as bind_timer_run does in
 * process), so a run whose worker dies is still logged as Failed, with the
 * supervisor's line naming the worker, the function and the signal.
 */
#include "host/worker/pool.h"
#include "host/worker/timer_calls.h"

#include "bindings/timer_trigger.h"
#include "host/function_lines.h"
#include "host/log.h"

#include <stdio.h>
#include <string.h>

/* The request the function's durable-client calls run on: what
 * bind_timer_durable_client makes in process. */
static void client_request(struct bind_http *h, const struct bind_function *fn,
			   struct bind_durable *durable, struct rt_arena *a)
{
	bind_http_init(h, NULL, a);
	h->ctx.function_name = fn->name;
	h->method = "POST";
	h->url = h->path = "";
	h->base_url = "http://localhost";
	h->durable = durable;
}

/* One run: OK or FAILED (the function's own failure, *why its message),
 * CRASHED, TIMEOUT or APP_FAILED (*why says what). Strings in `a`. */
static enum host_workers_rc run_in_worker(struct host_workers *w, const struct bind_function *fn,
					  struct bind_durable *durable, const char *info,
					  const char *invocation_id, struct rt_arena *a,
					  const char **why)
{
	struct wpool *pool = wpool_of(w, fn->app);
	struct wcall c = {.kind = HOST_CALL_TIMER, .function = fn->name, .what = fn->name,
			  .id = invocation_id, .invocation = invocation_id};
	struct wproc *p = pool ? wpool_acquire(w, pool, WPOOL_CALLS, &c) : NULL;
	if (!p) {
		*why = rt_arena_fmt(a, "the app '%s' is not running: its worker processes kept "
				       "crashing; this run is skipped",
				    fn->app->name);
		return HOST_WORKERS_APP_FAILED;
	}
	struct rt_wire_timer_request req = {.name = fn->name, .invocation = invocation_id,
					    .info = info};
	uint64_t id = wpool_next_id(w);
	if (rt_wire_timer_request_encode(&p->out, id, &req) != 0) {
		wpool_release(w, pool, p);
		*why = "the TimerInfo is too large for a worker";
		return HOST_WORKERS_FAILED;
	}
	struct bind_http h;
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	client_request(&h, fn, durable, a);
	enum host_workers_rc rc = wpool_exchange(w, pool, p, &h, RT_WIRE_TIMER_RESULT, id, &c, &f,
						 &used, status, sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_timer_result r;
		const char *err = NULL;
		int bad = rt_wire_timer_result_decode(&f, &r, a, &err) != 0;
		rt_wire_buf_consume(&p->in, used);
		if (bad) {
			wpool_reject_result(w, pool, p, fn->name, err, &c, status, sizeof(status));
			*why = rt_arena_fmt(a, "bad result from the worker: %s", err);
			return HOST_WORKERS_CRASHED;
		}
		wpool_release(w, pool, p);
		*why = r.error;
		return r.failed ? HOST_WORKERS_FAILED : HOST_WORKERS_OK;
	}
	wpool_release(w, pool, p);
	if (rc == HOST_WORKERS_TIMEOUT)
		*why = rt_arena_fmt(a, "Timeout value of %lld ms was exceeded by function: Functions.%s",
				    (long long)w->opts.timeout_ms, fn->name);
	else
		*why = rt_arena_fmt(a, "the worker process running it died (%s)", status);
	return rc;
}

enum host_workers_rc host_workers_timer_run(struct host_workers *w, const struct bind_function *fn,
					    struct bind_durable *durable, const char *info,
					    const char *reason, const char *details)
{
	struct rt_arena arena;
	struct rt_invocation inv = {.function = fn->name, .reason = reason};
	char category[160];
	const char *why = NULL;

	rt_arena_init(&arena);
	snprintf(category, sizeof(category), "Function.%s", fn->name);
	host_log_invocation(&inv, RT_INVOCATION_START);
	if (details)
		host_log(category, RT_LOG_INFO, "Trigger Details: %s", details);
	enum host_workers_rc rc = run_in_worker(w, fn, durable, info, inv.id, &arena, &why);
	inv.failed = rc != HOST_WORKERS_OK;
	host_log_invocation(&inv, RT_INVOCATION_END);
	if (rc != HOST_WORKERS_OK)
		host_log(category, RT_LOG_ERROR, "Exception while executing function: Functions.%s. %s",
			 fn->name, why ? why : "the function returned an error");
	host_log_flush();
	rt_arena_cleanup(&arena);
	return rc;
}

/* ---- the worker's side ------------------------------------------------------ */

void host_timer_serve(struct rt_wire_buf *out, const struct bind_registry *reg, uint64_t id,
		      const struct rt_wire_timer_request *m, struct rt_arena *a)
{
	struct bind_function *fn = bind_registry_find_kind(reg, m->name, BIND_FN_TIMER);
	struct rt_wire_timer_result r = {.failed = 1};
	if (!fn) {
		r.error = rt_arena_fmt(a, "The function '%s' doesn't exist, is disabled, or is not "
					  "a timer function.", m->name);
		rt_wire_timer_result_encode(out, id, &r);
		return;
	}
	struct bind_timer t = {0};
	bind_ctx_init(&t.ctx, BIND_CTX_TIMER, fn->name, a);
	t.info = m->info;
	cf_rc rc = fn->timer((cf_timer *)&t);
	r.failed = rc < 0;
	r.error = rc < 0 ? (t.ctx.last_error ? t.ctx.last_error : "the function returned an error")
			 : NULL;
	rt_wire_timer_result_encode(out, id, &r);
}
