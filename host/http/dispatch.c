/*
 * dispatch.c - from an admitted h2o request to its job: limits, admission,
 * endpoint and function routing, the job's creation, the hand-off to the
 * pool (job_pool.h) and the function timeout. Answers that need no job are
 * sent from here (respond.h); a job's is sent when it comes back
 * (job_done.h). Ownership of a job: req_job.h; parked jobs: parked.h.
 */
#include "host/http/dispatch.h"
#include "host/http/access.h"
#include "host/http/inflight.h"
#include "host/http/job_pool.h"
#include "host/http/parked.h"
#include "host/http/req_job.h"
#include "host/http/request_copy.h"
#include "host/http/request_head.h"
#include "host/http/respond.h"
#include "host/http/server_conn.h"
#include "bindings/durable_park.h"
#include "host/log.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "common/invocation_id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The client left before the answer (h2o disposed of the request). */
static void slot_dispose(void *p)
{
	struct req_slot *slot = p;
	struct req_job *job = slot->job;
	if (job) {
		/* The client went away before the answer (e.g. an HTTP/2 reset). */
		if (!job->answered) {
			job->answered = 1;
			job->srv->outstanding--;
		}
		job->req = NULL;
		job->slot = NULL;
		/* Parked: end the wait now rather than at its timeout. If it
		 * fired meanwhile, the engine's wake-up frees the job instead. */
		if (job->park_listed && bind_park_cancel(job->http.park)) {
			host_parked_unlist(job->srv, job);
			bind_park_done(job->http.park);
			host_req_job_free(job);
		}
	}
}

static void on_function_timeout(h2o_timeout_entry_t *entry)
{
	struct req_job *job = H2O_STRUCT_FROM_MEMBER(struct req_job, timeout_entry, entry);
	struct host_server *srv = job->srv;
	char category[160];
	if (!job->req)
		return;
	snprintf(category, sizeof(category), "Function.%s", job->fn->name);
	host_log(category, RT_LOG_ERROR,
		 "Timeout value of %s exceeded by function 'Functions.%s' (Id: '%s'). Initiating cancellation.",
		 rt_arena_fmt(&job->arena, "%02lld:%02lld:%02lld",
			      (long long)(srv->cfg->function_timeout_ms / 3600000),
			      (long long)(srv->cfg->function_timeout_ms / 60000 % 60),
			      (long long)(srv->cfg->function_timeout_ms / 1000 % 60)),
		 job->fn->name, job->invocation_id);
	/* C code cannot be cancelled: answer now, drop the late result (README). */
	job->answered = 1;
	srv->outstanding--;
	h2o_req_t *req = job->req;
	job->req = NULL;
	if (job->slot) {
		job->slot->job = NULL;
		job->slot = NULL;
	}
	host_respond_empty(srv, req, 500);
}

/* ---- request intake (loop thread) ------------------------------------- */

/* Limits h2o does not apply itself: request line (414) and header size (431). */
static int over_limits(struct host_server *srv, h2o_req_t *req)
{
	const struct host_config_limits *lim = &srv->cfg->limits;
	size_t line = req->method.len + 1 + req->path.len + 9;
	size_t total = 0;
	if ((long)line > (long)lim->max_request_line_bytes)
		return 414;
	if ((long)req->headers.size > (long)lim->max_header_count)
		return 431;
	for (size_t i = 0; i < req->headers.size; i++)
		total += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
	if ((long)total > (long)lim->max_header_bytes)
		return 431;
	return 0;
}

static struct req_job *job_new(struct host_server *srv, h2o_req_t *req)
{
	struct req_job *job = xcalloc(1, sizeof(*job));
	job->srv = srv;
	job->req = req;
	job->work.run = host_job_pool_run;
	rt_arena_init(&job->arena);
	job->slot = h2o_mem_alloc_shared(&req->pool, sizeof(*job->slot), slot_dispose);
	job->slot->job = job;
	job->timeout_entry.cb = on_function_timeout;
	job->answered = 1; /* not counted as outstanding until it is queued */
	return job;
}

static void home_page(struct host_server *srv, h2o_req_t *req)
{
	static const char page[] =
		"<!DOCTYPE html><html><head><title>cfunc</title></head><body>"
		"<h1>Your Functions 4.0 app is up and running</h1>"
		"<p>Served by cfunc, a function host for compiled C apps.</p></body></html>";
	static const struct bind_kv ct = {"Content-Type", "text/html; charset=utf-8"};
	const char *off = getenv("AzureWebJobsDisableHomepage");
	if (off && strcasecmp(off, "true") == 0)
		host_respond_empty(srv, req, 204);
	else
		host_respond(srv, req, 200, &ct, 1, page, sizeof(page) - 1);
}

/* The request h2o disposes: its connection may be read again. */
static void ticket_dispose(void *p)
{
	struct req_ticket *tk = p;
	struct conn_track *t = tk->conn;
	t->srv->inflight_held -= tk->response_bytes;
	t->busy--;
	t->scanned_size = 0;
	t->head_done = 0;
	t->announced = -1;
	host_conn_unref(t);
}

/* 1 if an HTTP/1 request's raw head frames its body twice (request_head.h).
 * The head is the start of the connection's input until the response is done. */
static int framing_conflict(struct conn_track *t, h2o_req_t *req)
{
	int64_t length;
	if (!t || t->http2)
		return 0;
	h2o_buffer_t *in = t->sock->input;
	size_t n = in->size < 65536 ? in->size : 65536;
	if (n < req->method.len || memcmp(in->bytes, req->method.base, req->method.len) != 0)
		return 0; /* not the head we expect to see: nothing to say */
	return host_head_framing(in->bytes, n, &length, NULL) == HOST_HEAD_CONFLICT;
}

/* Over cfunc.limits.maxInFlightBytes (host/http/inflight.h). */
static void respond_refused(struct host_server *srv, h2o_req_t *req)
{
	static const struct bind_kv hdrs[] = {
		{"Content-Type", "application/json; charset=utf-8"},
		{"Retry-After", "1"},
	};
	req->http1_is_persistent = 0;
	host_respond(srv, req, 503, hdrs, 2, HOST_INFLIGHT_REFUSAL, sizeof(HOST_INFLIGHT_REFUSAL) - 1);
}

int host_dispatch_on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct host_server *srv = *(struct host_server **)(self + 1);
	size_t path_len = req->path.len;
	const char *q = memchr(req->path.base, '?', req->path.len);
	struct host_route_match m;
	struct req_job *job;
	host_endpoint_fn endpoint = NULL;
	struct conn_track *conn = host_conn_of(req);
	struct req_ticket *ticket = NULL;
	int status;

	if (q)
		path_len = (size_t)(q - req->path.base);
	if (conn && req->version >= 0x200)
		conn->http2 = 1; /* its input holds frames, not an HTTP/1 head */
	if (framing_conflict(conn, req)) {
		/* h2o read the body one way; a proxy may have read it another. */
		req->http1_is_persistent = 0;
		host_respond_text(srv, req, 400, "conflicting Content-Length / Transfer-Encoding");
		return 0;
	}
	if (!host_inflight_admit(srv, conn, req->entity.base ? req->entity.len : 0)) {
		respond_refused(srv, req);
		return 0;
	}
	if (conn) {
		struct req_ticket *tk = h2o_mem_alloc_shared(&req->pool, sizeof(*tk), ticket_dispose);
		tk->conn = conn;
		tk->response_bytes = 0;
		conn->refs++;
		conn->busy++;
		ticket = tk;
	}
	if ((status = over_limits(srv, req)) != 0) {
		host_respond_empty(srv, req, status);
		return 0;
	}
	if (srv->draining) {
		host_respond_empty(srv, req, 503);
		return 0;
	}
	if (!host_access_host_allowed(srv, req)) {
		host_respond_text(srv, req, 400, "Host not allowed");
		return 0;
	}
	if (host_access_preflight(srv, req))
		return 0;
	char *method = xstrndup(req->method.base, req->method.len);
	char *path = xstrndup(req->path.base, path_len);
	for (int i = 0; i < srv->nendpoints && !endpoint; i++)
		endpoint = srv->endpoints[i](srv, method, path);
	free(method);
	free(path);

	job = job_new(srv, req);
	job->ticket = ticket;
	if (endpoint) {
		job->endpoint = endpoint;
		bind_http_init(&job->http, NULL, &job->arena);
		job->http.stream_ok = 1;
		job->http.park_ok = 1;
		job->http.resume = host_job_pool_resume;
		job->http.resume_data = job;
		host_request_copy(job, req, path_len, NULL);
	} else {
		int rc = host_router_match(srv->router, req->method.base, req->method.len,
					   req->path.base, path_len, &m, &job->arena);
		if (rc <= 0) {
			if (rc < 0)
				host_respond_text(srv, req, 400, "malformed percent-encoding in request path");
			else if (path_len == 1 && req->path.base[0] == '/')
				home_page(srv, req);
			else
				host_respond_empty(srv, req, 404);
			host_req_job_free(job);
			return 0;
		}
		job->fn = m.target;
		if (job->fn->disabled) {
			host_respond_empty(srv, req, 404);
			host_req_job_free(job);
			return 0;
		}
		bind_http_init(&job->http, job->fn, &job->arena);
		/* In process, an app function's wait is parked like a management
		 * wait (bind_park_after_function); a worker process's call
		 * answers its worker, which holds the response itself. */
		job->http.park_ok = srv->workers == NULL;
		job->http.resume = host_job_pool_resume;
		job->http.resume_data = job;
		host_request_copy(job, req, path_len, &m);
		rt_invocation_id(job->invocation_id);
	}
	if (!host_access_allowed(srv, &job->http)) {
		/* 401 with an empty body, as the Functions host answers. */
		host_respond_empty(srv, req, 401);
		host_req_job_free(job);
		return 0;
	}

	long max_out = srv->cfg->http.max_outstanding_requests;
	if (max_out >= 0 && srv->outstanding >= max_out) {
		static const struct bind_kv scaleout = {"X-FUNCTION-SCALEOUT", "1"};
		host_respond(srv, req, 429, &scaleout, 1, "", 0);
		host_req_job_free(job);
		return 0;
	}
	srv->outstanding++;
	job->answered = 0;
	job->start_mono_us = rt_mono_us();
	if (!job->endpoint && srv->fn_timeout_on)
		h2o_timeout_link(srv->h2o_ctx.loop, &srv->fn_timeout, &job->timeout_entry);
	long max_conc = srv->cfg->http.max_concurrent_requests;
	if (max_conc >= 0 && srv->running >= max_conc) {
		if (srv->wait_tail)
			srv->wait_tail->wait_next = job;
		else
			srv->wait_head = job;
		srv->wait_tail = job;
		return 0;
	}
	host_job_pool_start(srv, job);
	return 0;
}
