/*
 * access.h - key checks and CORS for the HTTP front end (loop thread).
 */
#ifndef HOST_ACCESS_H
#define HOST_ACCESS_H

#include "server.h"

/* 1 if the request may proceed: key checks off, an anonymous route, or a key
 * (x-functions-key, else ?code=) that opens its level. The caller answers
 * 401 with an empty body otherwise. */
int host_access_allowed(struct host_server *srv, const struct bind_http *h);

/* 0 if host.json cfunc.allowedHosts is set and the Host header's name is
 * not in it (the caller answers 400): a browser tricked by DNS rebinding
 * sends its attacker's name, not localhost. */
int host_access_host_allowed(struct host_server *srv, h2o_req_t *req);

/* Answers a CORS preflight (204) before routing; 1 if it did. */
int host_access_preflight(struct host_server *srv, h2o_req_t *req);

/* Adds the CORS headers an allowed Origin gets to a response. */
void host_access_add_cors(struct host_server *srv, h2o_req_t *req);

#endif
