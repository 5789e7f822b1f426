/*
 * access.h - key checks and CORS for the HTTP front end (loop thread).
 */
#ifndef HOST_ACCESS_H
#define HOST_ACCESS_H

#include "host/http/server.h"

/* 1 if the request may proceed: key checks off, an anonymous route, or a key
 * (x-functions-key, else ?code=) that opens its level. The caller answers
 * 401 with an empty body otherwise. */
int host_access_allowed(struct host_server *srv, const struct bind_http *h);

/* 0 if the Host header's name (port ignored) is not one the host answers to
 * (the caller answers 400): cfunc.allowedHosts when set; else, on a loopback
 * listener, localhost, 127.0.0.1, [::1] and the machine's own name; else any.
 * A browser tricked by DNS rebinding sends its attacker's name. */
int host_access_host_allowed(struct host_server *srv, h2o_req_t *req);

/* Answers a CORS preflight (204) before routing; 1 if it did. */
int host_access_preflight(struct host_server *srv, h2o_req_t *req);

/* Adds the CORS headers an allowed Origin gets to a response. */
void host_access_add_cors(struct host_server *srv, h2o_req_t *req);

#endif
