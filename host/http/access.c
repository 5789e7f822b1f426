/*
 * access.c - who may call what: key checks (spec: functions-host.md §6-§7)
 * and CORS as func start's ASP.NET middleware does it. Loop thread only.
 */
#include "host/http/access.h"
#include "host/endpoints/dashboard.h"
#include "host/keys/keys.h"
#include "host/log.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The request's Origin if CORS is on and allows it, else NULL (pool). */
static const char *cors_origin(struct host_server *srv, h2o_req_t *req, size_t *len)
{
	ssize_t i;
	if (!srv->ncors)
		return NULL;
	i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("origin"), -1);
	if (i < 0)
		return NULL;
	h2o_iovec_t v = req->headers.entries[i].value;
	for (size_t k = 0; k < srv->ncors; k++) {
		if (strlen(srv->cors_origins[k]) == v.len &&
		    strncasecmp(srv->cors_origins[k], v.base, v.len) == 0) {
			*len = v.len;
			return v.base;
		}
	}
	if (srv->cors_any) {
		*len = v.len;
		return v.base;
	}
	return NULL;
}

void host_access_add_cors(struct host_server *srv, h2o_req_t *req)
{
	size_t len;
	const char *origin = cors_origin(srv, req, &len);
	if (!origin)
		return;
	/* "*" with credentials is not allowed by browsers: echo the origin then. */
	if (srv->cors_any && !srv->cors_credentials)
		h2o_add_header_by_str(&req->pool, &req->res.headers,
				      H2O_STRLIT("access-control-allow-origin"), 0, NULL, H2O_STRLIT("*"));
	else
		h2o_add_header_by_str(&req->pool, &req->res.headers,
				      H2O_STRLIT("access-control-allow-origin"), 0, NULL, origin, len);
	if (srv->cors_credentials)
		h2o_add_header_by_str(&req->pool, &req->res.headers,
				      H2O_STRLIT("access-control-allow-credentials"), 0, NULL,
				      H2O_STRLIT("true"));
	if (!srv->cors_any || srv->cors_credentials)
		h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("vary"), 0, NULL,
				      H2O_STRLIT("Origin"));
}

/* A CORS preflight (OPTIONS + Origin + Access-Control-Request-Method) is
 * answered before routing, like the ASP.NET middleware func uses: 204, any
 * method and header allowed for an allowed origin, no CORS headers else. */
int host_access_preflight(struct host_server *srv, h2o_req_t *req)
{
	ssize_t m, hd;
	if (!srv->ncors || !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS")))
		return 0;
	m = h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-method"), -1);
	if (m < 0 || h2o_find_header_by_str(&req->headers, H2O_STRLIT("origin"), -1) < 0)
		return 0;
	req->res.status = 204;
	req->res.reason = "No Content";
	size_t len;
	if (cors_origin(srv, req, &len)) {
		h2o_iovec_t meth = req->headers.entries[m].value;
		host_access_add_cors(srv, req);
		h2o_add_header_by_str(&req->pool, &req->res.headers,
				      H2O_STRLIT("access-control-allow-methods"), 0, NULL, meth.base,
				      meth.len);
		hd = h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-headers"),
					    -1);
		if (hd >= 0)
			h2o_add_header_by_str(&req->pool, &req->res.headers,
					      H2O_STRLIT("access-control-allow-headers"), 0, NULL,
					      req->headers.entries[hd].value.base,
					      req->headers.entries[hd].value.len);
	}
	req->res.content_length = 0;
	h2o_send_inline(req, "", 0);
	return 1;
}

void host_server_set_cors(struct host_server *srv, const char *origins, int credentials)
{
	char *copy = xstrdup(origins), *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		while (*o == ' ')
			o++;
		if (!*o)
			continue;
		if (strcmp(o, "*") == 0)
			srv->cors_any = 1;
		srv->cors_origins = xrealloc(srv->cors_origins, (srv->ncors + 1) * sizeof(char *));
		srv->cors_origins[srv->ncors++] = xstrdup(o);
	}
	free(copy);
	srv->cors_credentials = credentials;
}

/* What a request needs (spec: functions-host.md §6-§7). */
enum need {
	NEED_NONE,
	NEED_FUNCTION, /* a host key, the function's own key, or the master key */
	NEED_ADMIN,    /* the master key */
	NEED_DURABLE,  /* the durabletask_extension system key, or the master key */
};

static enum need need_of(const char *path, const struct bind_function *fn)
{
	if (fn)
		return fn->auth == CF_AUTH_ANONYMOUS ? NEED_NONE
		       : fn->auth == CF_AUTH_ADMIN   ? NEED_ADMIN
						     : NEED_FUNCTION;
	if (strcasecmp(path, "/admin/host/ping") == 0)
		return NEED_NONE;
	/* The dashboard's files: no data in them; the page asks for the key. */
	if (host_dashboard_is_static_path(path))
		return NEED_NONE;
	if (strncasecmp(path, "/admin/", 7) == 0 || strcasecmp(path, "/admin") == 0)
		return NEED_ADMIN;
	if (strncasecmp(path, "/runtime/webhooks/", 18) == 0)
		return NEED_DURABLE;
	return NEED_NONE;
}

/* 1 if the request's key (x-functions-key, else ?code=) opens `need`.
 * Loop thread. The comparison is constant-time (host_keys_classify). */
static int authorized(struct host_server *srv, const struct bind_http *h, enum need need)
{
	char name[HOST_KEYS_NAME_MAX + 1];
	const char *key;
	enum host_keys_level level;

	if (!srv->auth_on || need == NEED_NONE)
		return 1;
	/* Pick up keys changed by `cfunc keys` at most once a second. */
	if (rt_mono_us() - srv->keys_checked_us > 1000000) {
		char *err = NULL;
		if (host_keys_refresh(srv->keys, &err) < 0)
			host_log("Host.General", RT_LOG_WARNING, "keys not reloaded: %s", err);
		free(err);
		srv->keys_checked_us = rt_mono_us();
	}
	key = bind_http_header(h, "x-functions-key");
	if (!key)
		key = bind_http_query(h, "code");
	if (!key)
		return 0;
	level = host_keys_classify(srv->keys, key, strlen(key),
				   h->fn ? h->fn->name : NULL, name);
	switch (need) {
	case NEED_FUNCTION:
		return level == HOST_KEYS_LEVEL_FUNCTION || level == HOST_KEYS_LEVEL_ADMIN;
	case NEED_ADMIN:
		return level == HOST_KEYS_LEVEL_ADMIN;
	case NEED_DURABLE:
		return level == HOST_KEYS_LEVEL_ADMIN ||
		       (level == HOST_KEYS_LEVEL_SYSTEM && strcasecmp(name, HOST_KEYS_DURABLE) == 0);
	default:
		return 1;
	}
}

int host_access_allowed(struct host_server *srv, const struct bind_http *h)
{
	return authorized(srv, h, need_of(h->path, h->fn));
}

/* 1 if the listener's address is a loopback one (127.0.0.0/8, ::1, or
 * ::ffff:127.x.y.z): only this machine can connect, so the one remote way in
 * is a browser tricked by DNS rebinding. */
static int bound_to_loopback(const char *address)
{
	unsigned char a[16];
	static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (inet_pton(AF_INET, address, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, address, a) != 1)
		return 0;
	if (memcmp(a, v4_mapped, sizeof(v4_mapped)) == 0)
		return a[12] == 127;
	for (int i = 0; i < 15; i++)
		if (a[i])
			return 0;
	return a[15] == 1;
}

static int name_is(const char *want, const char *name, size_t len)
{
	return strlen(want) == len && strncasecmp(want, name, len) == 0;
}

/* The names a loopback host answers to when cfunc.allowedHosts is not set:
 * what a browser on this machine sends for a local page. */
static int loopback_name(struct host_server *srv, const char *name, size_t len)
{
	if (!srv->hostname_known) {
		if (gethostname(srv->hostname, sizeof(srv->hostname)) != 0)
			srv->hostname[0] = '\0';
		srv->hostname[sizeof(srv->hostname) - 1] = '\0';
		srv->hostname_known = 1;
	}
	return name_is("localhost", name, len) || name_is("127.0.0.1", name, len) ||
	       name_is("[::1]", name, len) || (srv->hostname[0] && name_is(srv->hostname, name, len));
}

int host_access_host_allowed(struct host_server *srv, h2o_req_t *req)
{
	const struct host_config *cfg = srv->cfg;
	h2o_iovec_t host = req->authority;
	size_t len;
	int loopback_default = 0;
	if (cfg->n_allowed_hosts == 0) {
		if (!bound_to_loopback(srv->address))
			return 1;
		/* No Host header at all (HTTP/1.0): h2o substitutes its host
		 * entry's name. No browser sends that, so it is no rebinding. */
		if (req->hostconf && host.base == req->hostconf->authority.hostport.base)
			return 1;
		loopback_default = 1;
	}
	/* The name without the port; "[::1]:7071" keeps its brackets. */
	len = host.len;
	for (size_t i = host.len; i > 0; i--) {
		if (host.base[i - 1] == ':') {
			len = i - 1;
			break;
		}
		if (host.base[i - 1] == ']' || !isdigit((unsigned char)host.base[i - 1]))
			break;
	}
	if (loopback_default)
		return loopback_name(srv, host.base, len);
	for (size_t i = 0; i < cfg->n_allowed_hosts; i++)
		if (name_is(cfg->allowed_hosts[i], host.base, len))
			return 1;
	return 0;
}
