/*
 * job_out.c - finished request jobs back to the loop thread (job_out.h).
 */
#include "host/http/job_out.h"

#include <stddef.h>

/* Finished jobs a pool thread collects before waking the loop once for all. */
static _Thread_local struct host_server *tls_srv;
static _Thread_local struct req_job *tls_out_head, *tls_out_tail;

void host_job_out_enter(struct host_server *srv)
{
	tls_srv = srv;
}

void host_job_out_add(struct req_job *job)
{
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

void host_job_out_flush(void)
{
	if (!tls_out_head)
		return;
	h2o_multithread_send_message(&tls_out_head->srv->done_receiver, &tls_out_head->msg);
	tls_out_head = tls_out_tail = NULL;
}
