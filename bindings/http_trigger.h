/*
 * http_trigger.h - one HTTP invocation as app code sees it (cf_http).
 *
 * The host copies everything the function may read into the invocation
 * arena on the event-loop thread, so the worker thread never touches h2o
 * objects; the response is built in the same arena and copied out by the
 * loop thread when it sends it.
 */
#ifndef BIND_HTTP_TRIGGER_H
#define BIND_HTTP_TRIGGER_H

#include <stddef.h>

#include "bindings/context.h"
#include "bindings/registry.h"

struct bind_kv {
	const char *name;
	const char *value; /* NULL for an unmatched optional route parameter */
};

struct bind_durable; /* the engine's client side, see durable_client.h */
struct bind_park;

struct bind_http {
	struct bind_ctx ctx; /* first: cf_http * is a bind_ctx * */
	const struct bind_function *fn;

	/* request, all in ctx.arena */
	const char *method;   /* upper case */
	const char *url;      /* scheme://host/path?query as addressed */
	const char *base_url; /* scheme://host, from the Host header */
	const char *path;     /* raw path, no query */
	const char *raw_query; /* after '?', "" when none */
	const struct bind_kv *query;
	size_t nquery;
	const struct bind_kv *headers; /* names lower case */
	size_t nheaders;
	const struct bind_kv *params;
	size_t nparams;
	const char *body; /* NUL-terminated copy */
	size_t body_len;

	/* response */
	int status;
	struct bind_kv *resp_headers;
	size_t nresp, capresp;
	const char *resp_body;
	size_t resp_len;
	/* A body sent piece by piece instead of resp_body (body_stream.h);
	 * host endpoints only, and only when the host set stream_ok. */
	struct bind_body_stream *resp_stream;
	int stream_ok;
	/* A response that waits for an instance to finish, held by the host
	 * without a thread (durable_client.h, struct bind_park); only when
	 * the host set park_ok (its endpoints, and app functions run in its
	 * own process: bind_park_after_function). */
	struct bind_park *park;
	int park_ok;

	struct bind_durable *durable; /* NULL when no engine runs */

	/*
	 * Deferred completion. `pending` counts the function itself (1 while it
	 * runs) plus durable commands queued without waiting (a start with a
	 * generated id); the response may go out only when it drops to 0, i.e.
	 * after those commands committed. Whoever brings it to 0 calls
	 * resume(h). The host sets resume only where it can hold a response;
	 * with resume NULL every command is synchronous.
	 */
	int pending;
	int commit_failed;
	void (*resume)(struct bind_http *h);
	void *resume_data;
};

/* Drops one pending count; at 0, calls h->resume. Any thread. */
void bind_http_release(struct bind_http *h);

void bind_http_init(struct bind_http *h, const struct bind_function *fn, struct rt_arena *arena);

/* Sets the response to `status` with a JSON (or empty) body; used by the
 * host's own endpoints and the durable client. */
void bind_http_set_json(struct bind_http *h, int status, const char *json);

/* Case-insensitive lookups over the copied request; NULL when absent. */
const char *bind_http_header(const struct bind_http *h, const char *name);
const char *bind_http_query(const struct bind_http *h, const char *name);

/* The function-table entries for cf_http_* (api.c puts them in struct cf_api). */
const char *bind_http_method(cf_http *h);
const char *bind_http_url(cf_http *h);
const char *bind_http_path(cf_http *h);
const char *bind_http_route_param(cf_http *h, const char *name);
const char *bind_http_query_api(cf_http *h, const char *name);
const char *bind_http_header_api(cf_http *h, const char *name);
size_t bind_http_header_count(cf_http *h);
cf_rc bind_http_header_at(cf_http *h, size_t i, const char **name, const char **value);
const char *bind_http_body(cf_http *h, size_t *len);
const char *bind_http_function_name(cf_http *h);
void bind_http_set_status(cf_http *h, int status);
cf_rc bind_http_add_header(cf_http *h, const char *name, const char *value);
void bind_http_set_body(cf_http *h, const void *data, size_t len);

#endif
