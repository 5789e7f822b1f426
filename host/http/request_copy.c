/*
 * request_copy.c - an h2o request copied into a job's arena
 * (request_copy.h).
 */
#include "host/http/request_copy.h"
#include "common/urlcodec.h"

static char *iov_dup(struct rt_arena *a, h2o_iovec_t v)
{
	return rt_arena_strndup(a, v.base ? v.base : "", v.base ? v.len : 0);
}

void host_request_copy(struct req_job *job, h2o_req_t *req, size_t path_len,
		       const struct host_route_match *m)
{
	struct rt_arena *a = &job->arena;
	struct bind_http *h = &job->http;
	const char *authority = req->authority.len ? iov_dup(a, req->authority)
						   : rt_arena_fmt(a, "localhost:%d", job->srv->port);
	const char *scheme = req->scheme ? rt_arena_strndup(a, req->scheme->name.base, req->scheme->name.len)
					 : "http";

	h->method = iov_dup(a, req->method);
	h->path = rt_arena_strndup(a, req->path.base, path_len);
	h->base_url = rt_arena_fmt(a, "%s://%s", scheme, authority);
	h->url = rt_arena_fmt(a, "%s%.*s", h->base_url, (int)req->path.len, req->path.base);
	if (path_len < req->path.len) {
		struct bind_query q;
		const char *qs = req->path.base + path_len + 1;
		size_t qlen = req->path.len - path_len - 1;
		h->raw_query = rt_arena_strndup(a, qs, qlen);
		bind_urlcodec_query_parse(&q, qs, qlen, a);
		h->query = (const struct bind_kv *)q.params;
		h->nquery = q.count;
	}
	struct bind_kv *hdrs = rt_arena_alloc(a, (req->headers.size + 1) * sizeof(*hdrs));
	for (size_t i = 0; i < req->headers.size; i++) {
		h2o_header_t *hd = req->headers.entries + i;
		char *name = iov_dup(a, *hd->name);
		for (char *p = name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		hdrs[i].name = name;
		hdrs[i].value = iov_dup(a, hd->value);
	}
	h->headers = hdrs;
	h->nheaders = req->headers.size;
	if (req->entity.base) {
		h->body = iov_dup(a, req->entity);
		h->body_len = req->entity.len;
		job->held_bytes = (int64_t)req->entity.len;
		job->srv->inflight_held += job->held_bytes;
	}
	if (m) {
		struct bind_kv *params = rt_arena_alloc(a, (m->nparams + 1) * sizeof(*params));
		for (size_t i = 0; i < m->nparams; i++) {
			params[i].name = m->params[i].name;
			params[i].value = m->params[i].value;
		}
		h->params = params;
		h->nparams = m->nparams;
	}
	h->durable = job->srv->durable;
}
