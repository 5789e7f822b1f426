/*
 * req_job.h - one HTTP request on its way through the front end (private to
 * host/http/).
 *
 * Ownership of a request job (struct req_job):
 *   - created on the loop thread by dispatch.c, with its own arena holding
 *     the copied request and, later, the response;
 *   - owned by a pool thread while job_pool.c runs it; handed back with
 *     h2o_multithread_send_message();
 *   - freed on the loop thread (host_req_job_free) after the response is
 *     sent, or by the stream generator (job_answer.c) once h2o disposed of
 *     a streamed request.
 * The h2o request may disappear first (client gone, or we already answered
 * 500 on a function timeout): a shared "slot" in the request's pool is
 * disposed by h2o and clears job->req, so the late result is dropped.
 */
#ifndef HOST_HTTP_REQ_JOB_H
#define HOST_HTTP_REQ_JOB_H

#include "host/http/server.h"

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

/* Loop thread: frees a job and everything it holds (its arena, its body
 * stream, its counts in srv), unhooking it from its slot and timer. */
void host_req_job_free(struct req_job *job);

#endif
