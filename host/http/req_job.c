/*
 * req_job.c - the end of a request job's life (req_job.h).
 */
#include "host/http/req_job.h"
#include "bindings/body_stream.h"

#include <stdlib.h>

void host_req_job_free(struct req_job *job)
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
