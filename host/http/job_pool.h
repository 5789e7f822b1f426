/*
 * job_pool.h - the loop <-> pool hand-off of request jobs (private to
 * host/http/).
 *
 * Jobs started during one loop iteration are handed to the pool together
 * when the iteration ends (host_job_pool_flush), so a burst costs one lock
 * and one wake-up instead of one per request. A pool thread hands a job
 * back as soon as it is finished, before it runs anything else
 * (job_out.h).
 */
#ifndef HOST_HTTP_JOB_POOL_H
#define HOST_HTTP_JOB_POOL_H

#include "host/http/req_job.h"

/* Loop thread: queues a job for the pool; counted in srv->running. */
void host_job_pool_start(struct host_server *srv, struct req_job *job);
/* Loop thread: hands the jobs queued during this loop turn to the pool. */
void host_job_pool_flush(struct host_server *srv);
/* A job's work.run: its endpoint or app function, then its hand-back. */
void host_job_pool_run(struct rt_pool_job *work, int thread);
/* bind_http.resume: the function returned and its queued durable commands
 * committed, hand the job back to the loop. Any thread. */
void host_job_pool_resume(struct bind_http *h);
/* The pool's thread events (rt_pool_hook), on the pool's threads:
 * per-thread log buffers, flushed whenever the thread goes idle. */
void host_job_pool_event(void *ctx, enum rt_pool_event event, int thread);

#endif
