/*
 * dashboard.h - the dashboard's front end (dashboard/, compiled into the
 * binary by scripts/gen-embed.sh) served under /admin/dashboard/.
 *
 * The files hold no data and no secret: with keys on they are served
 * without a key (host/access.c), and the page asks for the master key
 * before it calls anything. Everything it shows comes from the management
 * API and the /admin endpoints, which check the key as always.
 */
#ifndef HOST_DASHBOARD_H
#define HOST_DASHBOARD_H

#include <strings.h>

#include "host/embed.h"
#include "host/http/server.h"

/* The generated table (build/gen/dashboard_files.c): paths relative to
 * dashboard/, e.g. "index.html", "js/app.js". */
extern const struct host_embedded_file host_dashboard_files[];
extern const unsigned host_dashboard_files_n;

/* Where the dashboard lives; the start-up banner prints it. */
#define HOST_DASHBOARD_PATH "/admin/dashboard/"

/* 1 for /admin/dashboard and every path below it: static files only.
 * Inline so that the key check (host/access.c) does not pull the files in. */
static inline int host_dashboard_is_static_path(const char *path)
{
	return strcasecmp(path, "/admin/dashboard") == 0 ||
	       strncasecmp(path, HOST_DASHBOARD_PATH, sizeof(HOST_DASHBOARD_PATH) - 1) == 0;
}

/* Endpoint router for host_server_add_endpoints(): GET of the files. */
host_endpoint_fn host_dashboard_route(struct host_server *srv, const char *method,
				      const char *path);

#endif
