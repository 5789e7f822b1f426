/*
 * worker_client.h - the durable client of app code in a worker process,
 * proxied to the host over the worker's socket (worker_client.c), and the
 * host's side that runs those calls (client_calls.c).
 */
#ifndef HOST_WORKER_CLIENT_H
#define HOST_WORKER_CLIENT_H

#include "bindings/http_trigger.h"
#include "cfunc.h"
#include "common/wire.h"

/* Worker side: the host's function table with the cf_durable_* entries
 * replaced by calls over fd (the buffers are the worker loop's, borrowed
 * for the process's life). Static storage; give it to host_apps_set_api. */
const struct cf_api *host_worker_client_api(int fd, struct rt_wire_buf *in,
					    struct rt_wire_buf *out);

/* Host side: runs one CLIENT_CALL for the invocation `h` (the request that
 * the worker is answering, with its durable client) and returns the reply
 * object as JSON text in h's arena (worker_client.c documents it). */
const char *host_workers_client_call(struct bind_http *h, const struct rt_wire_client_call *m);

#endif
