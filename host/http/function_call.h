/*
 * function_call.h - an app's HTTP function run for a request job, on a pool
 * thread, with the console lines func prints around it (private to
 * host/http/). In process the function runs on the calling thread; with
 * worker processes (srv->workers) in a worker of its app.
 */
#ifndef HOST_HTTP_FUNCTION_CALL_H
#define HOST_HTTP_FUNCTION_CALL_H

#include "host/http/req_job.h"
#include "host/worker/supervisor.h"

/* The first half: fills *inv and category (the log category,
 * "Function.<name>") and logs the invocation's start. */
void host_function_call_begin(struct req_job *job, struct rt_invocation *inv, char *category,
			      size_t category_n);
/* The second half. rc: 0, -1 (the function failed: the answer becomes
 * func's empty 500), or -2: its worker process ended or it timed out; the
 * response is set and `why` says what happened. */
void host_function_call_end(struct req_job *job, struct rt_invocation *inv, const char *category,
			    int rc, const char *why);
/* A worker call's outcome as host_function_call_end's rc. */
int host_function_call_outcome(enum host_workers_rc wrc);
/* Both halves around one call of job->fn. */
void host_function_call_run(struct req_job *job);

#endif
