/*
 * function_call.c - an app's HTTP function with the console lines func
 * prints, in two halves around the call (function_call.h).
 */
#include "host/http/function_call.h"
#include "bindings/durable_park.h"
#include "host/function_lines.h"
#include "host/log.h"

#include <stdio.h>
#include <string.h>

#define INVOKE_REASON "This function was programmatically called via the host APIs."

void host_function_call_begin(struct req_job *job, struct rt_invocation *inv, char *category,
			      size_t category_n)
{
	const struct bind_function *fn = job->fn;
	*inv = (struct rt_invocation){.function = fn->name, .reason = INVOKE_REASON};
	memcpy(inv->id, job->invocation_id, sizeof(inv->id));
	snprintf(category, category_n, "Function.%s", fn->name);
	host_log_invocation(inv, RT_INVOCATION_START);
}

void host_function_call_end(struct req_job *job, struct rt_invocation *inv, const char *category,
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

int host_function_call_outcome(enum host_workers_rc wrc)
{
	return wrc == HOST_WORKERS_OK ? 0 : wrc == HOST_WORKERS_FAILED ? -1 : -2;
}

void host_function_call_run(struct req_job *job)
{
	struct rt_invocation inv;
	char category[160];
	const char *why = NULL;
	int rc;

	host_function_call_begin(job, &inv, category, sizeof(category));
	/* Nothing else queued: this may be a long call, show its start now. */
	if (rt_pool_queued(job->srv->pool) == 0)
		host_log_flush();
	if (job->srv->workers)
		rc = host_function_call_outcome(host_workers_http(job->srv->workers, job->fn, &job->http,
								   job->invocation_id, &why));
	else
		rc = job->fn->http((cf_http *)&job->http);
	host_function_call_end(job, &inv, category, rc, why);
}
