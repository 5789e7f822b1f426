/*
 * job_done.c - request jobs coming back to the loop thread (job_done.h).
 */
#include "host/http/job_done.h"
#include "host/http/job_answer.h"
#include "host/http/job_pool.h"
#include "host/http/parked.h"
#include "bindings/durable_park.h"

#include <stddef.h>

static void finish_job(struct host_server *srv, struct req_job *job)
{
	struct bind_park *p = job->http.park;
	if (job->parked) {
		host_parked_unlist(srv, job);
		bind_park_done(p);
		host_job_answer(srv, job);
		return;
	}
	srv->running--;
	if (p) {
		if (job->req && !srv->draining &&
		    !__atomic_load_n(&job->http.commit_failed, __ATOMIC_ACQUIRE) &&
		    host_parked_hold(srv, job))
			return;
		/* No wait after all (or it is over): end it, answer now. */
		bind_park_cancel(p);
		bind_park_done(p);
	}
	host_job_answer(srv, job);
}

void host_job_done_receive(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
	struct host_server *srv = H2O_STRUCT_FROM_MEMBER(struct host_server, done_receiver, receiver);
	while (!h2o_linklist_is_empty(messages)) {
		h2o_multithread_message_t *msg =
			H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
		struct req_job *job = H2O_STRUCT_FROM_MEMBER(struct req_job, msg, msg), *next;
		h2o_linklist_unlink(&msg->link);
		/* A chain of finished jobs from one pool thread. */
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
			host_job_pool_start(srv, waiting);
		}
	}
}
