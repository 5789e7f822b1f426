/*
 * respond.c - answers sent from the loop thread: status line, host.json
 * customHeaders and CORS, then the body (respond.h).
 */
#include "host/http/respond.h"
#include "host/http/access.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
	}
}

/* A response header as the app or host.json spelt it. h2o wants the name
 * in lower case (its token table, and HTTP/2, where an upper-case name is
 * a protocol error for the client); the spelling given is kept as the
 * original name, which HTTP/1.1 responses are written with. */
static void add_header(h2o_req_t *req, const char *name, const char *value)
{
	size_t n = strlen(name), up = 0;
	while (up < n && !isupper((unsigned char)name[up]))
		up++;
	const char *lower = name, *orig = NULL;
	if (up < n) { /* a copy only for a name that has capitals */
		char *l = h2o_mem_alloc_pool(&req->pool, n + 1);
		for (size_t i = 0; i < n; i++)
			l[i] = (char)tolower((unsigned char)name[i]);
		l[n] = '\0';
		lower = l;
		orig = name;
	}
	h2o_add_header_by_str(&req->pool, &req->res.headers, lower, n, 1, orig, value,
			      strlen(value));
}

void host_respond_head(struct host_server *srv, h2o_req_t *req, int status, const struct bind_kv *hdrs,
		       size_t nhdrs)
{
	const struct host_config_http *http = &srv->cfg->http;
	req->res.status = status;
	req->res.reason = reason_phrase(status);
	host_access_add_cors(srv, req);
	for (size_t i = 0; i < http->n_custom_headers; i++)
		add_header(req, http->custom_headers[i].name, http->custom_headers[i].value);
	for (size_t i = 0; i < nhdrs; i++) {
		/* Content-Length is h2o's to compute from the body. */
		if (strcasecmp(hdrs[i].name, "content-length") == 0)
			continue;
		add_header(req, hdrs[i].name, hdrs[i].value);
	}
}

void host_respond(struct host_server *srv, h2o_req_t *req, int status, const struct bind_kv *hdrs,
		  size_t nhdrs, const char *body, size_t len)
{
	host_respond_head(srv, req, status, hdrs, nhdrs);
	/* h2o_send_inline leaves Content-Length to us (it also serves 304s). */
	req->res.content_length = len;
	h2o_send_inline(req, body ? body : "", len);
}

void host_respond_empty(struct host_server *srv, h2o_req_t *req, int status)
{
	host_respond(srv, req, status, NULL, 0, "", 0);
}

void host_respond_text(struct host_server *srv, h2o_req_t *req, int status, const char *text)
{
	static const struct bind_kv ct = {"Content-Type", "text/plain; charset=utf-8"};
	host_respond(srv, req, status, &ct, 1, text, strlen(text));
}
