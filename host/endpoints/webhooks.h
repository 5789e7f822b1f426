/*
 * webhooks.h - the host's side of /runtime/webhooks/durabletask/...: routes
 * every method under that base path to the management API of
 * management/webhooks.c, which runs on a worker thread.
 */
#ifndef HOST_WEBHOOKS_H
#define HOST_WEBHOOKS_H

#include "host/http/server.h"

/* Endpoint router for host_server_add_endpoints(). */
host_endpoint_fn host_webhooks_route(struct host_server *srv, const char *method, const char *path);

#endif
