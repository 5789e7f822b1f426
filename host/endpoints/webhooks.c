/*
 * webhooks.c - glue between the server's endpoint routing and the durable
 * management API. The API itself (routes, methods, 404s) lives in
 * management/webhooks.c; this only claims the base path, so that no HTTP
 * function route can shadow it, whatever the method.
 */
#include "host/endpoints/webhooks.h"
#include "management/webhooks.h"

static void serve(struct host_server *srv, struct bind_http *h)
{
	bind_webhooks_handle(srv->durable, h);
}

host_endpoint_fn host_webhooks_route(struct host_server *srv, const char *method, const char *path)
{
	(void)srv;
	(void)method;
	return bind_webhooks_match(path) ? serve : NULL;
}
