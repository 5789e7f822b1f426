/*
 * admin_calls.c - POST /admin/functions/<activity> in worker mode
 * (supervisor.h, host_workers_admin_activity): the activity runs once in a
 * worker of its app and the request waits for it, so that a crash or a
 * timeout answers as an HTTP function's does (500 with a JSON body naming
 * the function and the signal, or func's timeout text; 503 for a failed
 * app). The host prints the run's Executing/Executed lines (host/durable.c),
 * as in process.
 */
#include "host/worker/pool.h"

#include "common/invocation_id.h"
#include "host/log.h"

#include <stdio.h>
#include <string.h>

static void answer(struct bind_http *h, int status, const char *json)
{
	h->status = status;
	h->nresp = 0;
	bind_http_add_header((cf_http *)h, "Content-Type", "application/json; charset=utf-8");
	bind_http_set_body((cf_http *)h, json, strlen(json));
}

int host_workers_admin_activity(struct host_workers *w, const struct bind_function *fn,
				const char *input, struct bind_http *h)
{
	struct rt_arena *a = h->ctx.arena;
	char inv[37], key[64];
	rt_invocation_id(inv);
	snprintf(key, sizeof(key), "admin:%s:1", inv);
	struct wpool *pool = wpool_of(w, fn->app);
	struct wcall c = {.kind = HOST_CALL_ACTIVITY, .function = fn->name, .what = fn->name,
			  .id = key, .instance = "", .invocation = key};
	struct wproc *p = pool ? wpool_acquire(w, pool, WPOOL_CALLS, &c) : NULL;
	if (!p) {
		answer(h, 503,
		       rt_arena_fmt(a, "{\"error\":\"The app '%s' is not running: its worker "
				       "processes kept crashing. Fix it and deploy it again.\","
				       "\"function\":\"%s\"}",
				    fn->app->name, fn->name));
		return -1;
	}
	struct rt_wire_activity_request req = {
		.name = fn->name, .instance = "", .execution = "", .input = input, .key = key,
		.task = -1, .attempt = 1,
	};
	uint64_t id = wpool_next_id(w);
	if (rt_wire_activity_request_encode(&p->out, id, &req) != 0) {
		wpool_release(w, pool, p);
		answer(h, 413, "{\"error\":\"The input is too large.\"}");
		return -1;
	}
	struct rt_wire_frame f;
	size_t used = 0;
	char status[64];
	enum host_workers_rc rc = wpool_exchange(w, pool, p, NULL, RT_WIRE_ACTIVITY_RESULT, id, &c,
						 &f, &used, status, sizeof(status));
	if (rc == HOST_WORKERS_OK) {
		struct rt_wire_activity_result r;
		const char *err = NULL;
		int bad = rt_wire_activity_result_decode(&f, &r, a, &err) != 0;
		rt_wire_buf_consume(&p->in, used);
		if (bad) {
			wpool_reject_result(w, pool, p, fn->name, err, &c, status, sizeof(status));
			answer(h, 500, "{\"error\":\"The worker sent a malformed result.\"}");
			return -1;
		}
		wpool_release(w, pool, p);
		return 0; /* it ran; a failure of its own is the activity's, as in process */
	}
	wpool_release(w, pool, p);
	if (rc == HOST_WORKERS_TIMEOUT)
		answer(h, 500,
		       rt_arena_fmt(a, "{\"error\":\"Timeout value of %lld ms was exceeded by "
				       "function: Functions.%s\",\"function\":\"%s\"}",
				    (long long)w->opts.timeout_ms, fn->name, fn->name));
	else
		answer(h, 500,
		       rt_arena_fmt(a, "{\"error\":\"The function '%s' ended its worker process "
				       "(%s).\",\"function\":\"%s\",\"signal\":\"%s\","
				       "\"invocationId\":\"%s\"}",
				    fn->name, status, fn->name, status, key));
	return -1;
}
