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

/* Store calls per page: each examines a bounded number of rows, so a
 * sparse filter may need a few to fill a page; the bound keeps page time
 * bounded too (clients follow the token for the rest). */
#define BIND_WEBHOOKS_LIST_CALLS_MAX 4

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
