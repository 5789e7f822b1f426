/*
 * page.h - the paging the two listings share (GET instances in query.c,
 * GET entities in entities.c): the top parameter and the continuation
 * token that clients pass back in the x-ms-continuation-token header.
 *
 * A token is opaque to clients and authenticated with a per-process key:
 * one this process did not issue is refused (details in page.c).
 */
#ifndef MGMT_PAGE_H
#define MGMT_PAGE_H

#include <jansson.h>

#include "management/request.h"
#include "runtime/store.h"

/* Store calls per page: each examines a bounded number of rows, so a
 * sparse filter may need a few to fill a page; the bound keeps page time
 * bounded too (clients follow the token for the rest). */
#define BIND_WEBHOOKS_LIST_CALLS_MAX 4

/*
 * Size limits of a page, so that its time and memory follow these and not
 * the largest instance. A payload (input, output, custom status) over
 * LIST_PAYLOAD_MAX is not read: the listing shows the URL of the instance's
 * status in its place, as Azure Storage shows the blob URL of a large
 * message it did not fetch (64 KiB is Azure Table's property limit, beyond
 * which the extension moves a payload to a blob). And a page ends early,
 * with a continuation token, once it holds LIST_PAGE_BYTES of payloads.
 */
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
 * last call's. CF_OK, or CF_ERROR with *err malloc'd. (GET instances and
 * the sorted listing, list_sorted.c.)
 */
int bind_webhooks_fill_page(const struct webhook_req *r, struct rt_store_filter *f, size_t top,
			    int calls_max, int show_input, bind_webhooks_page_fn fn, void *ctx,
			    json_t *arr, int *more, char **err);

/* The token that continues after `id` (any string), and the string a token
 * continues after (NULL when this process did not issue it); both in `a`. */
const char *bind_webhooks_token_make(const char *id, struct rt_arena *a);
const char *bind_webhooks_token_parse(const char *tok, struct rt_arena *a);

/*
 * Reads the page's arguments: *top from the top parameter (100 when
 * absent, invalid or not positive; at most 1000) and *after from the
 * request's continuation token (NULL from the start: no token, an empty
 * one or "null"; else the id the page continues after, in h's arena).
 * 1 on success; 0 when the token was not issued by this process, with the
 * 400 set naming `where`.
 */
int bind_webhooks_page_args(struct webhook_req *r, const char *where, long *top,
			    const char **after);

/*
 * Answers the page: 200 with `arr` (reference stolen), and the token that
 * continues after instance or entity `next` - an empty header on the last
 * page (next NULL), as the extension sends.
 */
void bind_webhooks_page_reply(struct bind_http *h, json_t *arr, const char *next);

#endif
