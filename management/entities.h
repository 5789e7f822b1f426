/*
 * entities.h - the entity endpoints (entities.c, durable-http-api §5):
 * webhooks.c routes entities[/{name}[/{key}]] here (name and key NULL when
 * the path stops before them); the call fills r->h's response.
 */
#ifndef MGMT_ENTITIES_H
#define MGMT_ENTITIES_H

#include "management/request.h"

void bind_webhooks_entities(struct webhook_req *r, const char *method, const char *name,
			    const char *key);

#endif
