/*
 * job_answer.h - a finished request job's answer (private to host/http/;
 * loop thread).
 */
#ifndef HOST_HTTP_JOB_ANSWER_H
#define HOST_HTTP_JOB_ANSWER_H

#include "host/http/req_job.h"

/* Sends the job's response if its client still waits, then frees the job.
 * A streamed body (body_stream.h) is sent by a generator that owns the job
 * from then on and frees it when h2o disposes of the request. A job whose
 * queued start did not commit answers 500, whatever its function set. */
void host_job_answer(struct host_server *srv, struct req_job *job);

#endif
