#include "bindings/http_trigger.h"

#include <string.h>
#include <strings.h>

#define H(x) ((struct bind_http *)(x))

void bind_http_init(struct bind_http *h, const struct bind_function *fn, struct rt_arena *arena)
{
	memset(h, 0, sizeof(*h));
	bind_ctx_init(&h->ctx, BIND_CTX_HTTP, fn ? fn->name : NULL, arena);
	h->fn = fn;
	h->status = 200;
	h->pending = 1;
	h->body = "";
	h->raw_query = "";
	h->resp_body = "";
}

void bind_http_release(struct bind_http *h)
{
	if (__atomic_sub_fetch(&h->pending, 1, __ATOMIC_ACQ_REL) == 0 && h->resume)
		h->resume(h);
}

void bind_http_set_json(struct bind_http *h, int status, const char *json)
{
	h->status = status;
	if (json) {
		bind_http_add_header((cf_http *)h, "Content-Type", "application/json; charset=utf-8");
		bind_http_set_body((cf_http *)h, json, strlen(json));
	}
}

static const char *kv_find(const struct bind_kv *kv, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(kv[i].name, name) == 0)
			return kv[i].value;
	return NULL;
}

const char *bind_http_header(const struct bind_http *h, const char *name)
{
	return kv_find(h->headers, h->nheaders, name);
}

const char *bind_http_query(const struct bind_http *h, const char *name)
{
	return kv_find(h->query, h->nquery, name);
}

const char *bind_http_method(cf_http *h) { return H(h)->method; }
const char *bind_http_url(cf_http *h) { return H(h)->url; }
const char *bind_http_path(cf_http *h) { return H(h)->path; }
const char *bind_http_function_name(cf_http *h) { return H(h)->ctx.function_name; }

const char *bind_http_route_param(cf_http *h, const char *name)
{
	return name ? kv_find(H(h)->params, H(h)->nparams, name) : NULL;
}

const char *bind_http_query_api(cf_http *h, const char *name)
{
	return name ? bind_http_query(H(h), name) : NULL;
}

const char *bind_http_header_api(cf_http *h, const char *name)
{
	return name ? bind_http_header(H(h), name) : NULL;
}

size_t bind_http_header_count(cf_http *h)
{
	return H(h)->nheaders;
}

cf_rc bind_http_header_at(cf_http *h, size_t i, const char **name, const char **value)
{
	if (i >= H(h)->nheaders)
		return CF_E_INVALID;
	if (name)
		*name = H(h)->headers[i].name;
	if (value)
		*value = H(h)->headers[i].value;
	return CF_OK;
}

const char *bind_http_body(cf_http *h, size_t *len)
{
	if (len)
		*len = H(h)->body_len;
	return H(h)->body;
}

void bind_http_set_status(cf_http *h, int status)
{
	if (status >= 100 && status <= 999)
		H(h)->status = status;
}

cf_rc bind_http_add_header(cf_http *hh, const char *name, const char *value)
{
	struct bind_http *h = H(hh);
	if (!name || !value || !*name || strpbrk(name, "\r\n: \t") || strpbrk(value, "\r\n"))
		return bind_ctx_fail(&h->ctx, CF_E_INVALID, "invalid response header");
	/* The real host drops a duplicated response header with a debug log. */
	if (kv_find(h->resp_headers, h->nresp, name))
		return bind_ctx_fail(&h->ctx, CF_E_EXISTS, "response header '%s' already set", name);
	if (h->nresp == h->capresp) {
		size_t cap = h->capresp ? 2 * h->capresp : 8;
		struct bind_kv *kv = rt_arena_alloc(h->ctx.arena, cap * sizeof(*kv));
		if (h->nresp)
			memcpy(kv, h->resp_headers, h->nresp * sizeof(*kv));
		h->resp_headers = kv;
		h->capresp = cap;
	}
	h->resp_headers[h->nresp].name = rt_arena_strdup(h->ctx.arena, name);
	h->resp_headers[h->nresp].value = rt_arena_strdup(h->ctx.arena, value);
	h->nresp++;
	return CF_OK;
}

void bind_http_set_body(cf_http *hh, const void *data, size_t len)
{
	struct bind_http *h = H(hh);
	h->resp_body = data && len ? rt_arena_strndup(h->ctx.arena, data, len) : "";
	h->resp_len = data ? len : 0;
}
