/*
 * request.h - one management request being served, and how the endpoints
 * read what it carries: the query parameters of durable-http-api §1.2 and
 * the Content-Type of its body.
 *
 * The readers only look: they keep nothing and allocate nothing.
 */
#ifndef MGMT_REQUEST_H
#define MGMT_REQUEST_H

#include <stdint.h>

#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "common/urlcodec.h"

/* One management request being served. */
struct webhook_req {
	struct bind_durable *d; /* NULL: no engine */
	struct bind_http *h;
	struct bind_query q;    /* h->raw_query, parsed into h's arena */
	int served;             /* taskHub names the engine's hub */
};

/* Query booleans: "true"/"false" in any case; anything else -> dflt. */
int bind_webhooks_bool(const struct bind_query *q, const char *name, int dflt);
/* Any ISO 8601 date-time into *us; 0, or -1 when absent or unparseable. */
int bind_webhooks_time(const struct bind_query *q, const char *name, int64_t *us);
/* runtimeStatus, comma-separated and/or repeated, as RT_STORE_STATUS_BIT()s;
 * unknown tokens dropped; 0 when none survive. */
unsigned bind_webhooks_statuses(const struct bind_query *q);
/* int.TryParse of a query value; invalid or out of range -> dflt. */
long bind_webhooks_long(const struct bind_query *q, const char *name, long dflt);

/* 1 if the Content-Type is media type "application/json", parameters
 * allowed, any case (§4.6). */
int bind_webhooks_content_json(const struct bind_http *h);

#endif
