/*
 * admin.h - the /admin/... and /runtime/health... endpoints.
 */
#ifndef HOST_ADMIN_H
#define HOST_ADMIN_H

#include "host/http/server.h"

#define HOST_STR2(x) #x
#define HOST_STR(x) HOST_STR2(x)

/* Endpoint router for host_server_add_endpoints(). */
host_endpoint_fn host_admin_route(struct host_server *srv, const char *method, const char *path);
/* The key endpoints (admin_keys.c). */
int host_admin_is_key_route(const char *path);
void host_admin_keys(struct host_server *srv, struct bind_http *h);

void host_admin_not_found(struct host_server *srv, struct bind_http *h);

/*
 * Fires `fn` in the background with `input` (text as posted in {"input":...}).
 * Returns 0 when the invocation was queued (the endpoint answers 202), or
 * non-zero after setting an error response on h. Runs on a worker thread.
 */
typedef int (*host_admin_invoke_fn)(struct host_server *srv, const struct bind_function *fn,
				    const char *input, struct bind_http *h);
void host_admin_set_invoker(host_admin_invoke_fn fn);

#endif
