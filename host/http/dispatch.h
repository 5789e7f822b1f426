/*
 * dispatch.h - the request side of the front end, private to host/http/
 * (server.c wires it into h2o; loop thread).
 */
#ifndef HOST_HTTP_DISPATCH_H
#define HOST_HTTP_DISPATCH_H

#include "host/http/server.h"

/* h2o's handler: admits, routes and answers or hands off one request. */
int host_dispatch_on_req(h2o_handler_t *self, h2o_req_t *req);

#endif
