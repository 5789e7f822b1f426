/*
 * reply.h - how the management API answers: the .NET names its error
 * bodies carry, JSON and error bodies, and bodiless answers. Every
 * endpoint file (webhooks.c, query.c, entities.c) answers through these,
 * so the bodies are shaped in one place.
 *
 * Each call replaces h's response: status, headers and body (the body in
 * h's arena, copied from what the caller passes).
 */
#ifndef MGMT_REPLY_H
#define MGMT_REPLY_H

#include <jansson.h>

#include "bindings/http_trigger.h"

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
/* Sets a bodiless response: 202s, 404s and 410s carry no Content-Type. */
void bind_webhooks_empty(struct bind_http *h, int status);

#endif
