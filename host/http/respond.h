/*
 * respond.h - answers sent from the loop thread (private to host/http/):
 * the status line, host.json customHeaders and CORS, then a complete body.
 * The headers and body are the caller's; h2o copies what it keeps.
 */
#ifndef HOST_HTTP_RESPOND_H
#define HOST_HTTP_RESPOND_H

#include "host/http/server.h"

/* Status, reason phrase and headers of an answer (Content-Length in hdrs
 * is dropped: h2o computes it from the body). */
void host_respond_head(struct host_server *srv, h2o_req_t *req, int status, const struct bind_kv *hdrs,
		       size_t nhdrs);
/* A complete answer; body may be NULL when len is 0. */
void host_respond(struct host_server *srv, h2o_req_t *req, int status, const struct bind_kv *hdrs,
		  size_t nhdrs, const char *body, size_t len);
void host_respond_empty(struct host_server *srv, h2o_req_t *req, int status);
/* text/plain; charset=utf-8. */
void host_respond_text(struct host_server *srv, h2o_req_t *req, int status, const char *text);

#endif
