/*
 * dispatch.c - from an admitted h2o request to its answer: limits, the copy
 * of the request, endpoint and function routing, the loop <-> pool hand-off,
 * the function timeout and the response.
 *
 * Ownership of a request job (struct req_job):
 *   - created on the loop thread in host_dispatch_on_req(), with its own
 *     arena holding the copied request and, later, the response;
 *   - owned by a pool thread while run() executes; handed back with
 *     h2o_multithread_send_message();
 *   - freed on the loop thread in host_dispatch_on_done() after the response
 *     is sent.
 * The h2o request may disappear first (client gone, or we already answered
 * 500 on a function timeout): a shared "slot" in the request's pool is
 * disposed by h2o and clears job->req, so the late result is dropped.
 *
 * A job whose response waits for a durable instance (h->park) is parked
 * when it comes back: owned by the loop, on srv->parked_head, with a timer,
 * and no worker. The engine's commit wakes it with the same message a
 * worker sends; the timer, a client that left or a drain end the wait
 * instead (bind_park_cancel decides which of them answers).
 */
#include "host/http/dispatch.h"
#include "host/http/access.h"
#include "bindings/body_stream.h"
#include "host/http/client_limits.h"
#include "bindings/durable_client.h"
#include "host/http/inflight.h"
#include "host/function_lines.h"
#include "host/log.h"
#include "host/http/request_head.h"
#include "host/http/server_conn.h"
#include "host/worker/supervisor.h"
#include "common/urlcodec.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "common/invocation_id.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define INVOKE_REASON "This function was programmatically called via the host APIs."

struct req_slot {
	struct req_job *job;
};

struct req_job {
	struct rt_pool_job work;        /* pool link; first */
	h2o_multithread_message_t msg;  /* loop link */
	struct host_server *srv;
	h2o_req_t *req;                 /* NULL once h2o disposed it */
	struct req_slot *slot;
	struct rt_arena arena;
	struct bind_http http;
	host_endpoint_fn endpoint;      /* host endpoint, or NULL for an app function */
	const struct bind_function *fn;
	char invocation_id[37];
	int64_t start_mono_us;
	h2o_timeout_entry_t timeout_entry;
	struct req_job *wait_next;
	struct req_job *out_next;       /* chain handed back with one message */
	int answered;                   /* counted out of srv->outstanding */
	int64_t held_bytes;             /* its body copy, counted in srv->inflight_held */
	struct req_ticket *ticket;      /* its request's, valid while req is */
	/* parked on a durable wait (loop thread): owned by the loop until
	 * answered; listed (with its timer) until its wait ended */
	int parked;
	int park_listed;
	struct req_job *park_prev, *park_next;
	h2o_timeout_entry_t park_entry;
	struct park_timeout *park_timeout;
};

struct park_timeout {
	h2o_timeout_t timeout;
	uint64_t ms;
	long users;
	struct park_timeout *next;
};

/* Finished jobs a worker collects before waking the loop once for all. */
static _Thread_local struct host_server *tls_srv;
static _Thread_local struct req_job *tls_out_head, *tls_out_tail;

static void flush_out(void)
{
	if (!tls_out_head)
		return;
	h2o_multithread_send_message(&tls_out_head->srv->done_receiver, &tls_out_head->msg);
	tls_out_head = tls_out_tail = NULL;
}

/* ---- helpers ---------------------------------------------------------- */

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
	}
}

/* Status and headers of an answer, with host.json customHeaders. */
static void set_head(struct host_server *srv, h2o_req_t *req, int status, const struct bind_kv *hdrs,
		     size_t nhdrs)
{
	const struct host_config_http *http = &srv->cfg->http;
	req->res.status = status;
	req->res.reason = reason_phrase(status);
	host_access_add_cors(srv, req);
	for (size_t i = 0; i < http->n_custom_headers; i++)
		h2o_add_header_by_str(&req->pool, &req->res.headers, http->custom_headers[i].name,
				      strlen(http->custom_headers[i].name), 1, NULL,
				      http->custom_headers[i].value,
				      strlen(http->custom_headers[i].value));
	for (size_t i = 0; i < nhdrs; i++) {
		/* Content-Length is h2o's to compute from the body. */
		if (strcasecmp(hdrs[i].name, "content-length") == 0)
			continue;
		h2o_add_header_by_str(&req->pool, &req->res.headers, hdrs[i].name,
				      strlen(hdrs[i].name), 1, NULL, hdrs[i].value,
				      strlen(hdrs[i].value));
	}
}

/* A complete answer from the loop thread. */
static void respond(struct host_server *srv, h2o_req_t *req, int status, const struct bind_kv *hdrs,
		    size_t nhdrs, const char *body, size_t len)
{
	set_head(srv, req, status, hdrs, nhdrs);
	/* h2o_send_inline leaves Content-Length to us (it also serves 304s). */
	req->res.content_length = len;
	h2o_send_inline(req, body ? body : "", len);
}

static void respond_empty(struct host_server *srv, h2o_req_t *req, int status)
{
	respond(srv, req, status, NULL, 0, "", 0);
}

static void respond_text(struct host_server *srv, h2o_req_t *req, int status, const char *text)
{
	static const struct bind_kv ct = {"Content-Type", "text/plain; charset=utf-8"};
	respond(srv, req, status, &ct, 1, text, strlen(text));
}

/* ---- jobs ------------------------------------------------------------- */

static void unpark(struct host_server *srv, struct req_job *job);
static void job_free(struct req_job *job);

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
			unpark(job->srv, job);
			bind_park_done(job->http.park);
			job_free(job);
		}
	}
}

static void job_free(struct req_job *job)
{
	/* A parked job's wake-up may still be on its way after its client
	 * left: the drain waits for this, not for `outstanding`. */
	if (job->parked)
		job->srv->parked_jobs--;
	if (job->http.resp_stream)
		job->http.resp_stream->close(job->http.resp_stream);
	job->srv->inflight_held -= job->held_bytes;
	if (job->slot)
		job->slot->job = NULL;
	if (h2o_timeout_is_linked(&job->timeout_entry))
		h2o_timeout_unlink(&job->timeout_entry);
	rt_arena_cleanup(&job->arena);
	free(job);
}

/* Worker thread: an app's HTTP function with the console lines func
 * prints, in two halves around the call. */
static void function_begin(struct req_job *job, struct rt_invocation *inv, char *category,
			   size_t category_n)
{
	const struct bind_function *fn = job->fn;
	*inv = (struct rt_invocation){.function = fn->name, .reason = INVOKE_REASON};
	memcpy(inv->id, job->invocation_id, sizeof(inv->id));
	snprintf(category, category_n, "Function.%s", fn->name);
	host_log_invocation(inv, RT_INVOCATION_START);
}

/* rc: 0, -1 (the function failed), or -2: its worker process ended or
 * it timed out; the response is set and `why` says what happened. */
static void function_end(struct req_job *job, struct rt_invocation *inv, const char *category,
			 int rc, const char *why)
{
	const struct bind_function *fn = job->fn;
	inv->failed = rc < 0;
	host_log_invocation(inv, RT_INVOCATION_END);
	if (rc == -2) {
		/* The supervisor logged the worker's end. */
		host_log(category, RT_LOG_ERROR, "Exception while executing function: Functions.%s. %s",
			 fn->name, why);
		return;
	}
	if (rc < 0) {
		/* A failed function answers 500 with an empty body, like a thrown exception. */
		job->http.status = 500;
		job->http.nresp = 0;
		job->http.resp_body = "";
		job->http.resp_len = 0;
		host_log(category, RT_LOG_ERROR, "Exception while executing function: Functions.%s. %s",
			 fn->name,
			 job->http.ctx.last_error ? job->http.ctx.last_error
						  : rt_arena_fmt(&job->arena, "The function returned %d.", rc));
	}
	bind_park_after_function(&job->http);
}

static int worker_outcome(enum host_workers_rc wrc)
{
	return wrc == HOST_WORKERS_OK ? 0 : wrc == HOST_WORKERS_FAILED ? -1 : -2;
}

static void run_function(struct req_job *job)
{
	struct rt_invocation inv;
	char category[160];
	const char *why = NULL;
	int rc;

	function_begin(job, &inv, category, sizeof(category));
	/* Nothing else queued: this may be a long call, show its start now. */
	if (rt_pool_queued(job->srv->pool) == 0)
		host_log_flush();
	if (job->srv->workers)
		rc = worker_outcome(host_workers_http(job->srv->workers, job->fn, &job->http,
						      job->invocation_id, &why));
	else
		rc = job->fn->http((cf_http *)&job->http);
	function_end(job, &inv, category, rc, why);
}

/* Called when the function returned and its queued durable commands
 * committed: hand the job back to the loop. Any thread. */
static void job_resume(struct bind_http *h)
{
	struct req_job *job = h->resume_data;
	job->out_next = NULL;
	if (tls_srv != job->srv) {
		/* The engine thread, after a commit: hand it back directly. */
		h2o_multithread_send_message(&job->srv->done_receiver, &job->msg);
		return;
	}
	if (tls_out_tail)
		tls_out_tail->out_next = job;
	else
		tls_out_head = job;
	tls_out_tail = job;
}

/*
 * Calls queued behind one for a worker process go with it: each app's in
 * one write to one of its workers (host_workers_http_batch), so a burst
 * costs a wake-up of the worker and of this thread per batch, not per
 * request. A thread takes a share of the queue only (queued / threads, at
 * most WORKER_BATCH_MAX), so that a burst still spreads over the workers.
 */
#define WORKER_BATCH_MAX 8

static void job_run(struct rt_pool_job *work, int thread);

static void run_worker_batch(struct req_job *first, int thread)
{
	struct host_server *srv = first->srv;
	struct rt_pool_job *taken[WORKER_BATCH_MAX - 1], *others[WORKER_BATCH_MAX - 1];
	struct req_job *jobs[WORKER_BATCH_MAX];
	const struct bind_function *fns[WORKER_BATCH_MAX];
	struct bind_http *hs[WORKER_BATCH_MAX];
	const char *ids[WORKER_BATCH_MAX], *whys[WORKER_BATCH_MAX];
	enum host_workers_rc rcs[WORKER_BATCH_MAX];
	struct rt_invocation invs[WORKER_BATCH_MAX];
	char categories[WORKER_BATCH_MAX][160];
	size_t n = 0, nothers = 0;

	size_t share = rt_pool_queued(srv->pool) / (size_t)rt_pool_threads(srv->pool);
	size_t ntaken = share ? rt_pool_take(srv->pool, taken,
					     share < WORKER_BATCH_MAX - 1 ? share : WORKER_BATCH_MAX - 1)
			      : 0;
	jobs[n++] = first;
	for (size_t i = 0; i < ntaken; i++) {
		struct req_job *j = (struct req_job *)taken[i];
		if (taken[i]->run == job_run && !j->endpoint)
			jobs[n++] = j;
		else
			others[nothers++] = taken[i];
	}
	for (size_t i = 0; i < n; i++) {
		function_begin(jobs[i], &invs[i], categories[i], sizeof(categories[i]));
		fns[i] = jobs[i]->fn;
		hs[i] = &jobs[i]->http;
		ids[i] = jobs[i]->invocation_id;
		whys[i] = NULL;
	}
	if (rt_pool_queued(srv->pool) == 0)
		host_log_flush();
	host_workers_http_batch(srv->workers, n, fns, hs, ids, whys, rcs);
	for (size_t i = 0; i < n; i++) {
		function_end(jobs[i], &invs[i], categories[i], worker_outcome(rcs[i]), whys[i]);
		bind_http_release(&jobs[i]->http); /* the job may be gone now (handed back) */
	}
	for (size_t i = 0; i < nothers; i++)
		others[i]->run(others[i], thread);
}

static void job_run(struct rt_pool_job *work, int thread)
{
	struct req_job *job = (struct req_job *)work;
	struct host_server *srv = job->srv;
	tls_srv = srv;
	/* What this thread finished goes back before it runs anything else:
	 * this job may run as long as its function does (up to
	 * functionTimeout), and an answer that is ready must not wait for it
	 * (it would come that much later, or as the 500 of the loop's timer).
	 * The answers of one run still go in one message (a batch's). */
	flush_out();
	if (!job->endpoint && srv->workers) {
		run_worker_batch(job, thread);
		return; /* the next job or the thread's idle hook hands them back */
	}
	if (job->endpoint)
		job->endpoint(srv, &job->http);
	else
		run_function(job);
	bind_http_release(&job->http);
	/* `job` may be gone now (held to hand back): the next job or the
	 * thread's idle hook (host_dispatch_pool_event) hands it back. */
}

/* Jobs started during one loop iteration are handed to the pool together
 * when the iteration ends (host_dispatch_flush), so a burst costs one lock and one
 * wake-up instead of one per request. */
static void start_job(struct host_server *srv, struct req_job *job)
{
	srv->running++;
	job->work.next = NULL;
	if (srv->batch_tail)
		srv->batch_tail->next = &job->work;
	else
		srv->batch_head = &job->work;
	srv->batch_tail = &job->work;
	srv->batch_n++;
}

void host_dispatch_flush(struct host_server *srv)
{
	rt_pool_submit_list(srv->pool, srv->batch_head, srv->batch_tail, srv->batch_n);
	srv->batch_head = srv->batch_tail = NULL;
	srv->batch_n = 0;
}

/*
 * A streamed body (body_stream.h): the generator owns the job from here on
 * and frees it when h2o disposes of the request, whether the body went out
 * in full or the client left first. One piece is in flight at a time, so
 * the memory a stream holds is its own state plus STREAM_PIECE.
 */
#define STREAM_PIECE (64 * 1024)

struct stream_gen {
	h2o_generator_t super; /* first */
	struct req_job *job;
	char piece[STREAM_PIECE];
};

static void stream_proceed(h2o_generator_t *g, h2o_req_t *req)
{
	struct stream_gen *sg = (struct stream_gen *)g;
	struct bind_body_stream *st = sg->job->http.resp_stream;
	int last = 0;
	h2o_iovec_t piece = h2o_iovec_init(sg->piece, st->fill(st, sg->piece, STREAM_PIECE, &last));
	h2o_send(req, &piece, 1, last ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_stop(h2o_generator_t *g, h2o_req_t *req)
{
	/* The client went away: stream_dispose frees everything. */
	(void)g;
	(void)req;
}

static void stream_dispose(void *p)
{
	job_free(((struct stream_gen *)p)->job);
}

static void respond_stream(struct host_server *srv, struct req_job *job)
{
	h2o_req_t *req = job->req;
	struct stream_gen *sg = h2o_mem_alloc_shared(&req->pool, sizeof(*sg), stream_dispose);
	sg->super.proceed = stream_proceed;
	sg->super.stop = stream_stop;
	sg->job = job;
	/* The job now lives as long as the request: unhook the slot first, so
	 * that h2o's disposal does not reach it after stream_dispose. */
	if (job->slot)
		job->slot->job = NULL;
	job->slot = NULL;
	job->req = NULL;
	set_head(srv, req, job->http.status, job->http.resp_headers, job->http.nresp);
	h2o_start_response(req, &sg->super);
	stream_proceed(&sg->super, req);
}

/* Loop thread: send a job's response (if its client still waits) and free it. */
static void answer_job(struct host_server *srv, struct req_job *job)
{
	if (__atomic_load_n(&job->http.commit_failed, __ATOMIC_ACQUIRE)) {
		/* A queued start did not commit: nothing may claim it did. */
		if (job->http.resp_stream) {
			job->http.resp_stream->close(job->http.resp_stream);
			job->http.resp_stream = NULL;
		}
		job->http.status = 500;
		job->http.nresp = 0;
		bind_http_set_json(&job->http, 500,
				   "{\"Message\":\"Something went wrong while processing your request\","
				   "\"ExceptionMessage\":\"the task hub could not commit the change\"}");
	}
	if (job->req) {
		job->answered = 1;
		srv->outstanding--;
		if (job->http.resp_stream) {
			respond_stream(srv, job);
			return;
		}
		respond(srv, job->req, job->http.status, job->http.resp_headers, job->http.nresp,
			job->http.resp_body, job->http.resp_len);
		/* h2o holds its copy of the body until the response is sent. */
		if (job->ticket) {
			job->ticket->response_bytes += (int64_t)job->http.resp_len;
			srv->inflight_held += (int64_t)job->http.resp_len;
		}
	}
	job_free(job);
}

/* ---- parked requests (durable waits) ------------------------------------ */

static void on_park_timeout(h2o_timeout_entry_t *entry);

/* Engine thread: the instance a parked job waits for finished. */
static void park_wake(void *data)
{
	struct req_job *job = data;
	job->out_next = NULL;
	h2o_multithread_send_message(&job->srv->done_receiver, &job->msg);
}

static void park(struct host_server *srv, struct req_job *job)
{
	uint64_t ms = (uint64_t)job->http.park->timeout_ms;
	struct park_timeout *t = srv->park_timeouts;
	while (t && t->ms != ms)
		t = t->next;
	if (!t) {
		t = xcalloc(1, sizeof(*t));
		t->ms = ms;
		h2o_timeout_init(srv->h2o_ctx.loop, &t->timeout, ms);
		t->next = srv->park_timeouts;
		srv->park_timeouts = t;
	}
	t->users++;
	job->park_timeout = t;
	job->park_entry.cb = on_park_timeout;
	h2o_timeout_link(srv->h2o_ctx.loop, &t->timeout, &job->park_entry);
	job->parked = 1;
	job->park_listed = 1;
	srv->parked_jobs++;
	job->park_prev = NULL;
	job->park_next = srv->parked_head;
	if (srv->parked_head)
		srv->parked_head->park_prev = job;
	srv->parked_head = job;
	srv->nparked++;
}

/* Off the list and its timer (the job stays parked until answered). */
static void unpark(struct host_server *srv, struct req_job *job)
{
	if (!job->park_listed)
		return;
	if (h2o_timeout_is_linked(&job->park_entry))
		h2o_timeout_unlink(&job->park_entry);
	/* An unused timeout is disposed after the loop's turn (sweep_park_timeouts),
	 * never here: this may run inside that very timeout's callback. */
	job->park_timeout->users--;
	job->park_timeout = NULL;
	if (job->park_prev)
		job->park_prev->park_next = job->park_next;
	else
		srv->parked_head = job->park_next;
	if (job->park_next)
		job->park_next->park_prev = job->park_prev;
	job->park_listed = 0;
	srv->nparked--;
}

/* Ends a parked job's wait from the loop's side: at its timeout, or at a
 * drain. 1 when answered (and freed); 0 when the engine fired first: its
 * wake-up answers instead. */
static int end_park(struct host_server *srv, struct req_job *job)
{
	if (!bind_park_cancel(job->http.park))
		return 0;
	unpark(srv, job);
	bind_park_done(job->http.park);
	answer_job(srv, job); /* the 202 check-status response */
	return 1;
}

static void on_park_timeout(h2o_timeout_entry_t *entry)
{
	struct req_job *job = H2O_STRUCT_FROM_MEMBER(struct req_job, park_entry, entry);
	end_park(job->srv, job);
}

/* Loop thread, outside every timeout callback. */
void host_dispatch_sweep_parked(struct host_server *srv)
{
	for (struct park_timeout **pt = &srv->park_timeouts; *pt;) {
		struct park_timeout *t = *pt;
		if (t->users) {
			pt = &t->next;
			continue;
		}
		*pt = t->next;
		h2o_timeout_dispose(srv->h2o_ctx.loop, &t->timeout);
		free(t);
	}
}

/* Loop thread: a job came back, from its worker (its held commands
 * committed) or, parked, from the engine's wake-up. */
static void finish_job(struct host_server *srv, struct req_job *job)
{
	struct bind_park *p = job->http.park;
	if (job->parked) {
		unpark(srv, job);
		bind_park_done(p);
		answer_job(srv, job);
		return;
	}
	srv->running--;
	if (p) {
		if (job->req && !srv->draining &&
		    !__atomic_load_n(&job->http.commit_failed, __ATOMIC_ACQUIRE) &&
		    bind_park_hold(p, park_wake, job)) {
			park(srv, job);
			return;
		}
		/* No wait after all (or it is over): end it, answer now. */
		bind_park_cancel(p);
		bind_park_done(p);
	}
	answer_job(srv, job);
}

/* Loop thread: chains of finished jobs came back from workers. */
void host_dispatch_on_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
	struct host_server *srv = H2O_STRUCT_FROM_MEMBER(struct host_server, done_receiver, receiver);
	while (!h2o_linklist_is_empty(messages)) {
		h2o_multithread_message_t *msg =
			H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
		struct req_job *job = H2O_STRUCT_FROM_MEMBER(struct req_job, msg, msg), *next;
		h2o_linklist_unlink(&msg->link);
		for (; job; job = next) {
			next = job->out_next;
			finish_job(srv, job);
		}
		/* Slots freed up: start requests held back by maxConcurrentRequests. */
		long max = srv->cfg->http.max_concurrent_requests;
		while (srv->wait_head && (max < 0 || srv->running < max)) {
			struct req_job *waiting = srv->wait_head;
			srv->wait_head = waiting->wait_next;
			if (!srv->wait_head)
				srv->wait_tail = NULL;
			start_job(srv, waiting);
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
	respond_empty(srv, req, 500);
}

/* ---- request intake (loop thread) ------------------------------------- */

static char *iov_dup(struct rt_arena *a, h2o_iovec_t v)
{
	return rt_arena_strndup(a, v.base ? v.base : "", v.base ? v.len : 0);
}

static void copy_request(struct req_job *job, h2o_req_t *req, size_t path_len,
			 const struct host_route_match *m)
{
	struct rt_arena *a = &job->arena;
	struct bind_http *h = &job->http;
	const char *authority = req->authority.len ? iov_dup(a, req->authority)
						   : rt_arena_fmt(a, "localhost:%d", job->srv->port);
	const char *scheme = req->scheme ? rt_arena_strndup(a, req->scheme->name.base, req->scheme->name.len)
					 : "http";

	h->method = iov_dup(a, req->method);
	h->path = rt_arena_strndup(a, req->path.base, path_len);
	h->base_url = rt_arena_fmt(a, "%s://%s", scheme, authority);
	h->url = rt_arena_fmt(a, "%s%.*s", h->base_url, (int)req->path.len, req->path.base);
	if (path_len < req->path.len) {
		struct bind_query q;
		const char *qs = req->path.base + path_len + 1;
		size_t qlen = req->path.len - path_len - 1;
		h->raw_query = rt_arena_strndup(a, qs, qlen);
		bind_urlcodec_query_parse(&q, qs, qlen, a);
		h->query = (const struct bind_kv *)q.params;
		h->nquery = q.count;
	}
	struct bind_kv *hdrs = rt_arena_alloc(a, (req->headers.size + 1) * sizeof(*hdrs));
	for (size_t i = 0; i < req->headers.size; i++) {
		h2o_header_t *hd = req->headers.entries + i;
		char *name = iov_dup(a, *hd->name);
		for (char *p = name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		hdrs[i].name = name;
		hdrs[i].value = iov_dup(a, hd->value);
	}
	h->headers = hdrs;
	h->nheaders = req->headers.size;
	if (req->entity.base) {
		h->body = iov_dup(a, req->entity);
		h->body_len = req->entity.len;
		job->held_bytes = (int64_t)req->entity.len;
		job->srv->inflight_held += job->held_bytes;
	}
	if (m) {
		struct bind_kv *params = rt_arena_alloc(a, (m->nparams + 1) * sizeof(*params));
		for (size_t i = 0; i < m->nparams; i++) {
			params[i].name = m->params[i].name;
			params[i].value = m->params[i].value;
		}
		h->params = params;
		h->nparams = m->nparams;
	}
	h->durable = job->srv->durable;
}

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
	job->work.run = job_run;
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
		respond_empty(srv, req, 204);
	else
		respond(srv, req, 200, &ct, 1, page, sizeof(page) - 1);
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
	respond(srv, req, 503, hdrs, 2, HOST_INFLIGHT_REFUSAL, sizeof(HOST_INFLIGHT_REFUSAL) - 1);
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
		respond_text(srv, req, 400, "conflicting Content-Length / Transfer-Encoding");
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
		respond_empty(srv, req, status);
		return 0;
	}
	if (srv->draining) {
		respond_empty(srv, req, 503);
		return 0;
	}
	if (!host_access_host_allowed(srv, req)) {
		respond_text(srv, req, 400, "Host not allowed");
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
		job->http.resume = job_resume;
		job->http.resume_data = job;
		copy_request(job, req, path_len, NULL);
	} else {
		int rc = host_router_match(srv->router, req->method.base, req->method.len,
					   req->path.base, path_len, &m, &job->arena);
		if (rc <= 0) {
			if (rc < 0)
				respond_text(srv, req, 400, "malformed percent-encoding in request path");
			else if (path_len == 1 && req->path.base[0] == '/')
				home_page(srv, req);
			else
				respond_empty(srv, req, 404);
			job_free(job);
			return 0;
		}
		job->fn = m.target;
		if (job->fn->disabled) {
			respond_empty(srv, req, 404);
			job_free(job);
			return 0;
		}
		bind_http_init(&job->http, job->fn, &job->arena);
		/* In process, an app function's wait is parked like a management
		 * wait (bind_park_after_function); a worker process's call
		 * answers its worker, which holds the response itself. */
		job->http.park_ok = srv->workers == NULL;
		job->http.resume = job_resume;
		job->http.resume_data = job;
		copy_request(job, req, path_len, &m);
		rt_invocation_id(job->invocation_id);
	}
	if (!host_access_allowed(srv, &job->http)) {
		/* 401 with an empty body, as the Functions host answers. */
		respond_empty(srv, req, 401);
		job_free(job);
		return 0;
	}

	long max_out = srv->cfg->http.max_outstanding_requests;
	if (max_out >= 0 && srv->outstanding >= max_out) {
		static const struct bind_kv scaleout = {"X-FUNCTION-SCALEOUT", "1"};
		respond(srv, req, 429, &scaleout, 1, "", 0);
		job_free(job);
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
	start_job(srv, job);
	return 0;
}


void host_dispatch_pool_event(void *ctx, enum rt_pool_event event, int thread)
{
	(void)ctx;
	(void)thread;
	switch (event) {
	case RT_POOL_THREAD_START:
		host_log_thread_buffered(1);
		break;
	case RT_POOL_THREAD_IDLE:
		flush_out();
		host_log_flush();
		break;
	case RT_POOL_THREAD_EXIT:
		host_log_thread_buffered(0);
		break;
	}
}
void host_dispatch_end_parked(struct host_server *srv)
{
	while (srv->parked_head) {
		struct req_job *job = srv->parked_head;
		if (!end_park(srv, job)) /* it fired meanwhile: its wake-up answers */
			unpark(srv, job);
	}
}

