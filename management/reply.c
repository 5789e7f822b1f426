/*
 * reply.c - the management API's answers (reply.h).
 */
#include "management/reply.h"

#include "bindings/json_util.h"
#include "bindings/status_json.h"
#include "common/xalloc.h"

#include <stdlib.h>

void bind_webhooks_json(struct bind_http *h, int status, json_t *v)
{
	char *text = bind_json_dump(v);
	h->nresp = 0;
	bind_http_set_json(h, status, text);
	free(text);
	json_decref(v);
}

void bind_webhooks_error(struct bind_http *h, int status, const char *message,
			 const char *exc_message, const char *exc_type, const char *where)
{
	json_t *o = json_object();
	json_object_set_new(o, "Message", json_string(message));
	if (exc_type) {
		char *frame = xasprintf("   at cfunc.DurableTask.HttpApi.%s()", where);
		/* The message may quote the request (a function name, a task hub):
		 * keep it even when that is not UTF-8. */
		json_object_set_new(o, "ExceptionMessage", bind_json_text(exc_message ? exc_message : ""));
		json_object_set_new(o, "ExceptionType", json_string(exc_type));
		json_object_set_new(o, "StackTrace", json_string(frame));
		free(frame);
	}
	bind_webhooks_json(h, status, o);
}

void bind_webhooks_empty(struct bind_http *h, int status)
{
	h->nresp = 0;
	h->status = status;
	bind_http_set_body((cf_http *)h, NULL, 0);
}
