/*
 * job_out.h - finished request jobs on their way from a pool thread back
 * to the loop thread (private to host/http/; pool threads).
 *
 * A pool thread collects the jobs it finished in a list of its own and
 * sends them to the loop in one message (host_job_out_flush): at once when
 * a job ends (job_pool.c), or, for the calls of one worker batch, when no
 * other answer of that batch is read in already (worker_batch.c). Nothing
 * ready waits for a slow call.
 */
#ifndef HOST_HTTP_JOB_OUT_H
#define HOST_HTTP_JOB_OUT_H

#include "host/http/req_job.h"

/* This pool thread now runs the jobs of `srv` (their hand-backs collect
 * here rather than going one by one). */
void host_job_out_enter(struct host_server *srv);
/* `job` is finished: collected when this thread runs srv's jobs, else (the
 * engine thread, after a commit) sent to the loop directly. Any thread. */
void host_job_out_add(struct req_job *job);
/* The jobs collected go back to the loop now, in one message (none: a
 * no-op). */
void host_job_out_flush(void);

#endif
