/*
 * webhooks_int.h - what webhooks.c (routing, single-instance endpoints) and
 * webhooks_query.c (listing, purge many, continuation tokens) share.
 */
#ifndef BIND_WEBHOOKS_INT_H
#define BIND_WEBHOOKS_INT_H

#include "common/urlcodec.h"
#include "management/webhooks.h"

/* One management request being served. */
struct webhook_req {
	struct bind_durable *d; /* NULL: no engine */
	struct bind_http *h;
	struct bind_query q;    /* h->raw_query, parsed into h's arena */
	int served;             /* taskHub names the engine's hub */
};

/* .NET names the error bodies carry (durable-http-api §1.3). */
#define WH_MSG_ARGUMENT "One or more of the arguments submitted is incorrect"
#define WH_MSG_SERVER "Something went wrong while processing your request"
#define WH_EX_ARGUMENT "System.ArgumentException"
#define WH_EX_INVALID_OP "System.InvalidOperationException"
#define WH_EX_EXISTS "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException"
#define WH_EX_JSON "Newtonsoft.Json.JsonReaderException"
#define WH_EX_GENERIC "System.Exception"

/*
 * Sets an error response: {"Message":message} alone when exc_type is NULL,
 * else with ExceptionMessage, ExceptionType and StackTrace (a single frame
 * naming `where`, since there is no managed stack to show).
 */
void bind_webhooks_error(struct bind_http *h, int status, const char *message,
			 const char *exc_message, const char *exc_type, const char *where);
/* Sets a JSON response from `v` (reference stolen). */
void bind_webhooks_json(struct bind_http *h, int status, json_t *v);

/* Query booleans: "true"/"false" in any case; anything else -> dflt. */
int bind_webhooks_bool(const struct bind_query *q, const char *name, int dflt);
/* Any ISO 8601 date-time into *us; 0, or -1 when absent or unparseable. */
int bind_webhooks_time(const struct bind_query *q, const char *name, int64_t *us);
/* runtimeStatus, comma-separated and/or repeated, as RT_STORE_STATUS_BIT()s;
 * unknown tokens dropped; 0 when none survive. */
unsigned bind_webhooks_statuses(const struct bind_query *q);

/* Size limits of a listing page (query.c explains them). */
#define LIST_PAYLOAD_MAX (64 * 1024)
#define LIST_PAGE_BYTES (4 * 1024 * 1024)
/* One store page of a listing (its place kept in ctx): CF_OK with *more
 * set when the listing goes on, or CF_ERROR with *err malloc'd. */
typedef int (*bind_webhooks_page_fn)(void *ctx, const struct rt_store_filter *f, size_t top,
				     struct rt_instance **rows, size_t *n, int *more,
				     struct rt_arena *a, char **err);
/*
 * Fills arr with the entries of up to `top` instances from at most
 * calls_max calls of fn, each asking for what is still missing, until a
 * call says there is no more or the page holds LIST_PAGE_BYTES of payloads
 * (f->page_bytes is set for each call). Entities are left out. *more: the
 * last call's. CF_OK, or CF_ERROR with *err malloc'd.
 */
int bind_webhooks_fill_page(const struct webhook_req *r, struct rt_store_filter *f, size_t top,
			    int calls_max, int show_input, bind_webhooks_page_fn fn, void *ctx,
			    json_t *arr, int *more, char **err);

/* GET instances and DELETE instances (webhooks_query.c). */
void bind_webhooks_list(struct webhook_req *r);
void bind_webhooks_purge_many(struct webhook_req *r);

/* Continuation tokens of the listings (webhooks_query.c): the token that
 * continues after instance `id`, and the id a token continues after (NULL
 * when this process did not issue it); both in `a`. */
const char *bind_webhooks_token_make(const char *id, struct rt_arena *a);
const char *bind_webhooks_token_parse(const char *tok, struct rt_arena *a);
/* int.TryParse of a query value; invalid or out of range -> dflt. */
long bind_webhooks_long(const struct bind_query *q, const char *name, long dflt);

/* entities[/{name}[/{key}]] (entities.c): nseg counts "entities". */
void bind_webhooks_entities(struct webhook_req *r, const char *method, const char *name,
			    const char *key);

#endif
