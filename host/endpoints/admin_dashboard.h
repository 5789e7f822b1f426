/*
 * admin_dashboard.h - the read-only /admin endpoints the dashboard reads
 * (admin_durable.c, admin_functions.c). Routers for
 * host_server_add_endpoints(), registered before host_admin_route, which
 * answers 404 for every other /admin path.
 */
#ifndef HOST_ADMIN_DASHBOARD_H
#define HOST_ADMIN_DASHBOARD_H

#include "host/endpoints/admin.h"
#include "host/http/server.h"

/* GET /admin/durable/counts, GET /admin/durable/history?instanceId=... */
host_endpoint_fn host_admin_durable_route(struct host_server *srv, const char *method,
					  const char *path);
/* GET /admin/host/functions */
host_endpoint_fn host_admin_functions_route(struct host_server *srv, const char *method,
					    const char *path);

#endif
