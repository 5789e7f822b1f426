/*
 * dispatch.h - the request side of the front end, private to host/http/
 * (server.c wires it into h2o; loop thread unless said otherwise).
 */
#ifndef HOST_HTTP_DISPATCH_H
#define HOST_HTTP_DISPATCH_H

#include "host/http/server.h"

/* h2o's handler: admits, routes and answers or hands off one request. */
int host_dispatch_on_req(h2o_handler_t *self, h2o_req_t *req);
/* The receiver of jobs the pool hands back (srv->done_receiver). */
void host_dispatch_on_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);
/* Hands the jobs queued during this loop turn to the pool at once. */
void host_dispatch_flush(struct host_server *srv);
/* Drain: every parked request gets its check-status answer now. */
void host_dispatch_end_parked(struct host_server *srv);
/* Loop thread, outside timeout callbacks: frees unused park timeouts. */
void host_dispatch_sweep_parked(struct host_server *srv);
/* The HTTP pool's thread events (rt_pool_hook), on the pool's threads:
 * per-thread log buffers, flushed whenever the thread goes idle. */
void host_dispatch_pool_event(void *ctx, enum rt_pool_event event, int thread);

#endif
