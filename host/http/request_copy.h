/*
 * request_copy.h - an h2o request copied into a job's arena as the
 * bindings see it (private to host/http/; loop thread).
 */
#ifndef HOST_HTTP_REQUEST_COPY_H
#define HOST_HTTP_REQUEST_COPY_H

#include "host/http/req_job.h"

/* Fills job->http from req: method, path (its first path_len bytes),
 * URLs, the query, lower-cased headers, the body (counted in
 * srv->inflight_held and job->held_bytes) and, when m is not NULL, the
 * route's parameters. Everything is in job->arena. */
void host_request_copy(struct req_job *job, h2o_req_t *req, size_t path_len,
		       const struct host_route_match *m);

#endif
