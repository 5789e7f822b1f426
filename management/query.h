/*
 * query.h - the endpoints over many instances (query.c): GET instances,
 * the paged listing (durable-http-api §4.3), and DELETE instances, purge
 * many (§4.5). webhooks.c routes to them; each fills r->h's response.
 */
#ifndef MGMT_QUERY_H
#define MGMT_QUERY_H

#include "management/request.h"

void bind_webhooks_list(struct webhook_req *r);
void bind_webhooks_purge_many(struct webhook_req *r);

#endif
