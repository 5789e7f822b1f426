/*
 * inflight.h - the host-wide cap on request and response bytes held in
 * memory (cfunc.limits.maxInFlightBytes). Loop thread only.
 *
 * What is counted:
 *   - every HTTP/1 connection's input buffer, where h2o 2.2.5 collects a
 *     request body before it calls the handler (and keeps it until the
 *     response is done);
 *   - for a request still being read, the Content-Length its head announces
 *     once the head is complete, so a big body is refused before it arrives;
 *   - the copy of a body handed to a function (srv->inflight_held, from
 *     on_req until the job is freed): a body still being read counts twice;
 *   - each job's response body until h2o has sent it.
 * When a request would take the total over the cap it is answered 503 with
 * Retry-After and its connection closed: from on_req when the body is
 * complete, or by a sweep (after loop iterations, at most once a
 * millisecond) that writes the 503 itself while h2o is still reading the
 * body. Connections are admitted oldest first; a claim under
 * HOST_INFLIGHT_SMALL is never refused, so small requests keep flowing.
 */
#ifndef HOST_INFLIGHT_H
#define HOST_INFLIGHT_H

#include "host/http/server_conn.h"

#define HOST_INFLIGHT_SMALL (64 * 1024)

/* The 503's body (application/json), with Retry-After: 1 and the connection closed. */
#define HOST_INFLIGHT_REFUSAL \
	"{\"Message\":\"The host holds too many request and response bytes; retry later.\"}"

/* The sweep, at most once a millisecond (called after each loop iteration). */
void host_inflight_tick(struct host_server *srv);

/*
 * on_req for a request with a body of body_len bytes from connection t
 * (NULL: not counted): 1 if it may go on, 0 if it must be answered 503 (the
 * caller does). Sweeps first, t counted as
 * still reading.
 */
int host_inflight_admit(struct host_server *srv, struct conn_track *t, size_t body_len);


#endif
