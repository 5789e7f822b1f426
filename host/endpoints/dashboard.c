/*
 * dashboard.c - serves the dashboard's files (host/dashboard.h).
 *
 * Every answer carries a Content-Security-Policy that allows scripts,
 * styles, images and requests from this origin only and no inline script,
 * so instance data that reaches the page as markup could not run even if
 * the page made that mistake. Files are revalidated on every load
 * (Cache-Control: no-cache with an ETag): a new cfunc build is seen at once,
 * and an unchanged file costs a 304.
 */
#include "host/endpoints/dashboard.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PREFIX_LEN (sizeof(HOST_DASHBOARD_PATH) - 1)

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
			  "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/* ETags: 64-bit FNV-1a of each file, computed once, kept for the process. */
static char (*etags)[20];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void etags_compute(void)
{
	char(*storage)[20] = xcalloc(host_dashboard_files_n + 1, sizeof(*storage));
	etags = storage;
	for (unsigned i = 0; i < host_dashboard_files_n; i++) {
		uint64_t h = 1469598103934665603ull;
		for (size_t k = 0; k < host_dashboard_files[i].len; k++) {
			h ^= host_dashboard_files[i].data[k];
			h *= 1099511628211ull;
		}
		snprintf(storage[i], sizeof(storage[i]), "\"%016llx\"", (unsigned long long)h);
	}
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".json", "application/json; charset=utf-8"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static void security_headers(struct bind_http *h)
{
	cf_http *c = (cf_http *)h;
	bind_http_add_header(c, "Content-Security-Policy", csp);
	bind_http_add_header(c, "X-Content-Type-Options", "nosniff");
	bind_http_add_header(c, "Referrer-Policy", "no-referrer");
	bind_http_add_header(c, "X-Frame-Options", "DENY");
}

static void not_found(struct bind_http *h)
{
	static const char msg[] = "Not found: the dashboard has no such file.\n";
	h->status = 404;
	security_headers(h);
	bind_http_add_header((cf_http *)h, "Content-Type", "text/plain; charset=utf-8");
	bind_http_add_header((cf_http *)h, "Cache-Control", "no-store");
	bind_http_set_body((cf_http *)h, msg, sizeof(msg) - 1);
}

static void serve_file(struct host_server *srv, struct bind_http *h)
{
	(void)srv;
	const char *name;
	const char *inm;

	if (strcasecmp(h->path, "/admin/dashboard") == 0) {
		/* Relative URLs in the page need the trailing slash. */
		h->status = 301;
		security_headers(h);
		bind_http_add_header((cf_http *)h, "Location", HOST_DASHBOARD_PATH);
		return;
	}
	name = h->path + PREFIX_LEN;
	if (!*name)
		name = "index.html";
	pthread_once(&etags_once, etags_compute);
	for (unsigned i = 0; i < host_dashboard_files_n; i++) {
		const struct host_embedded_file *f = &host_dashboard_files[i];
		if (strcmp(f->path, name) != 0)
			continue;
		security_headers(h);
		bind_http_add_header((cf_http *)h, "Cache-Control", "no-cache");
		bind_http_add_header((cf_http *)h, "ETag", etags[i]);
		inm = bind_http_header(h, "if-none-match");
		if (inm && strstr(inm, etags[i])) {
			h->status = 304;
			return;
		}
		h->status = 200;
		bind_http_add_header((cf_http *)h, "Content-Type", content_type(f->path));
		bind_http_set_body((cf_http *)h, f->data, f->len);
		return;
	}
	not_found(h);
}

static void method_not_allowed(struct host_server *srv, struct bind_http *h)
{
	(void)srv;
	h->status = 405;
	bind_http_add_header((cf_http *)h, "Allow", "GET, HEAD");
}

host_endpoint_fn host_dashboard_route(struct host_server *srv, const char *method,
				      const char *path)
{
	(void)srv;
	if (!host_dashboard_is_static_path(path))
		return NULL;
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return serve_file;
	return method_not_allowed;
}
