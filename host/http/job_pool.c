/*
 * job_pool.c - the loop <-> pool hand-off of request jobs (job_pool.h).
 */
#include "host/http/job_pool.h"
#include "host/http/job_out.h"
#include "host/http/function_call.h"
#include "host/http/worker_batch.h"
#include "host/log.h"

#include <stddef.h>

void host_job_pool_resume(struct bind_http *h)
{
	host_job_out_add(h->resume_data);
}

void host_job_pool_run(struct rt_pool_job *work, int thread)
{
	struct req_job *job = (struct req_job *)work;
	struct host_server *srv = job->srv;
	host_job_out_enter(srv);
	/* What this thread finished goes back before it runs anything else:
	 * this job may run as long as its function does (up to
	 * functionTimeout), and an answer that is ready must not wait for it
	 * (it would come that much later, or as the 500 of the loop's timer).
	 * The answers of one run still go in one message (a batch's). */
	host_job_out_flush();
	if (!job->endpoint && srv->workers) {
		host_worker_batch_run(job, thread);
		return; /* each handed back as its reply came in */
	}
	if (job->endpoint)
		job->endpoint(srv, &job->http);
	else
		host_function_call_run(job);
	bind_http_release(&job->http); /* `job` may be gone now (held to hand back) */
	/* And it goes back now: what this thread runs next need not be a
	 * request job that would hand it back first. An activity fired by
	 * POST /admin/functions/<name> in process runs on this pool (often
	 * on this thread, next), and its 202 waited for the activity to end.
	 * The next request job would send it on its own anyway: the same
	 * one message per answer. */
	host_job_out_flush();
}

void host_job_pool_start(struct host_server *srv, struct req_job *job)
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

void host_job_pool_flush(struct host_server *srv)
{
	rt_pool_submit_list(srv->pool, srv->batch_head, srv->batch_tail, srv->batch_n);
	srv->batch_head = srv->batch_tail = NULL;
	srv->batch_n = 0;
}

void host_job_pool_event(void *ctx, enum rt_pool_event event, int thread)
{
	(void)ctx;
	(void)thread;
	switch (event) {
	case RT_POOL_THREAD_START:
		host_log_thread_buffered(1);
		break;
	case RT_POOL_THREAD_IDLE:
		host_job_out_flush();
		host_log_flush();
		break;
	case RT_POOL_THREAD_EXIT:
		host_log_thread_buffered(0);
		break;
	}
}
