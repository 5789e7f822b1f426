/*
 * cli_durable_remote.c - `cfunc durable` through the running host's
 * /runtime/webhooks/durabletask API, so every change goes through its
 * engine (the only writer of the hub). Status codes map back onto the
 * runtime/rc.h outcomes the offline path gives.
 */
#include "host/cli/cli_durable.h"
#include "runtime/engine.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/runtime/webhooks/durabletask/"

/* RFC 3986 percent-encoding of one path segment or query value. */
static char *enc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * strlen(s) + 1), *w = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			*w++ = (char)*p;
		} else {
			*w++ = '%';
			*w++ = hex[*p >> 4];
			*w++ = hex[*p & 15];
		}
	}
	*w = '\0';
	return out;
}

/* One call; fills r->rc from the status, r->err from an error body. */
static int call_with(struct dcli_hub *h, const char *method, char *target, const char *body,
		     const char *token, struct dhttp_resp *resp, struct dcli_result *r)
{
	char *headers = xasprintf("%s%s%s%s%s%s", h->key ? "x-functions-key: " : "",
				  h->key ? h->key : "", h->key ? "\r\n" : "",
				  token ? "x-ms-continuation-token: " : "", token ? token : "",
				  token ? "\r\n" : "");
	char *hub = enc(h->name);
	char *full = xasprintf("%s%staskHub=%s", target, strchr(target, '?') ? "&" : "?", hub);
	char *err = NULL;
	int rc = dhttp_request(h->connect_to, h->port, h->host_header, method, full, headers, body,
			       60000, resp, &err);
	free(headers);
	free(hub);
	free(full);
	free(target);
	if (rc != 0) {
		r->err = err;
		return r->rc = RT_ERROR;
	}
	if (resp->status >= 200 && resp->status < 300)
		return r->rc = RT_OK;
	r->rc = resp->status == 404   ? RT_E_NOTFOUND
		: resp->status == 410 ? RT_E_GONE
		: resp->status == 400 ? RT_E_INVALID
		: resp->status == 500 ? RT_E_STATE
				      : RT_ERROR;
	json_error_t jerr;
	json_t *j = resp->len ? json_loads(resp->body, JSON_DECODE_ANY, &jerr) : NULL;
	const char *m = json_string_value(json_object_get(j, "ExceptionMessage"));
	if (!m)
		m = json_string_value(json_object_get(j, "Message"));
	if (!m)
		m = json_string_value(j);
	if (m)
		r->err = xstrdup(m);
	else if (resp->status == 401)
		r->err = xstrdup("the host refused the durabletask_extension key (401)");
	else if (r->rc == RT_ERROR)
		r->err = xasprintf("the host answered %d", resp->status);
	if (m && strstr(m, "already exists"))
		r->rc = RT_E_EXISTS;
	json_decref(j);
	return r->rc;
}

static int call(struct dcli_hub *h, const char *method, char *target, const char *body,
		struct dhttp_resp *resp, struct dcli_result *r)
{
	return call_with(h, method, target, body, NULL, resp, r);
}

static json_t *body_json(const struct dhttp_resp *resp)
{
	json_error_t jerr;
	return json_loads(resp->body ? resp->body : "", JSON_DECODE_ANY, &jerr);
}

int dremote_start(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r)
{
	struct dhttp_resp resp;
	char *fn = enc(a->function_name), *id = a->id ? enc(a->id) : NULL;
	char *t = xasprintf(BASE "orchestrators/%s%s%s", fn, id ? "/" : "", id ? id : "");
	free(fn);
	free(id);
	if (call(h, "POST", t, a->input_json ? a->input_json : "", &resp, r) == RT_OK) {
		r->json = body_json(&resp);
		const char *got = json_string_value(json_object_get(r->json, "id"));
		r->id = got ? xstrdup(got) : NULL;
		if (!r->id) {
			r->rc = RT_ERROR;
			r->err = xstrdup("the host's start answer has no id");
		}
	}
	dhttp_resp_free(&resp);
	return r->rc;
}

int dremote_status(struct dcli_hub *h, const char *id, int input, int history,
		   struct dcli_result *r)
{
	struct dhttp_resp resp;
	char *e = enc(id);
	char *t = xasprintf(BASE "instances/%s?showInput=%s%s", e, input ? "true" : "false",
			    history ? "&showHistory=true&showHistoryOutput=true" : "");
	free(e);
	if (call(h, "GET", t, NULL, &resp, r) == RT_OK && !(r->json = body_json(&resp))) {
		r->rc = RT_ERROR;
		r->err = xstrdup("the host's status answer is not JSON");
	}
	dhttp_resp_free(&resp);
	return r->rc;
}

int dremote_history(struct dcli_hub *h, const char *id, struct dcli_result *r)
{
	struct dhttp_resp resp;
	char *e = enc(id);
	char *t = xasprintf(BASE "instances/%s/history", e);
	free(e);
	if (call(h, "GET", t, NULL, &resp, r) == RT_OK) {
		r->json = body_json(&resp);
		if (!json_is_array(r->json)) {
			r->rc = RT_ERROR;
			r->err = xstrdup("the host's history answer is not a JSON array");
		}
	}
	dhttp_resp_free(&resp);
	return r->rc;
}

static void append_filters(char **t, const struct dcli_args *a)
{
	char buf[48], *old;
	if (a->from_us != INT64_MIN) {
		rt_format_time_7(a->from_us, buf);
		old = *t;
		*t = xasprintf("%s&createdTimeFrom=%s", old, buf);
		free(old);
	}
	if (a->to_us != INT64_MAX) {
		rt_format_time_7(a->to_us, buf);
		old = *t;
		*t = xasprintf("%s&createdTimeTo=%s", old, buf);
		free(old);
	}
	for (int s = 0; s <= RT_ST_SUSPENDED; s++)
		if (a->statuses & RT_STORE_STATUS_BIT(s)) {
			old = *t;
			*t = xasprintf("%s&runtimeStatus=%s", old, rt_status_name((enum rt_status)s));
			free(old);
		}
}

int dremote_list(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r)
{
	struct dhttp_resp resp;
	char *t = xasprintf(BASE "instances?showInput=false&top=%d", a->top);
	append_filters(&t, a);
	if (a->continuation_token && strpbrk(a->continuation_token, "\r\n")) {
		free(t);
		r->err = xstrdup("the continuation token holds a line break");
		return r->rc = RT_E_INVALID;
	}
	call_with(h, "GET", t, NULL, a->continuation_token, &resp, r);
	if (r->rc == RT_OK) {
		r->json = body_json(&resp);
		if (!json_is_array(r->json)) {
			r->rc = RT_ERROR;
			r->err = xstrdup("the host's listing is not a JSON array");
		} else if (resp.continuation && *resp.continuation &&
			   strcmp(resp.continuation, "null") != 0) {
			r->token = xstrdup(resp.continuation);
		}
	}
	dhttp_resp_free(&resp);
	return r->rc;
}

int dremote_lifecycle(struct dcli_hub *h, enum dcli_lifecycle op, const char *id,
		      const char *name, const char *data, struct dcli_result *r)
{
	static const char *const ops[] = {[DCLI_TERMINATE] = "terminate", [DCLI_SUSPEND] = "suspend",
					  [DCLI_RESUME] = "resume", [DCLI_REWIND] = "rewind"};
	struct dhttp_resp resp;
	char *e = enc(id), *t;
	if (op == DCLI_RAISE) {
		char *n = enc(name);
		t = xasprintf(BASE "instances/%s/raiseEvent/%s", e, n);
		free(n);
	} else {
		char *why = data ? enc(data) : NULL;
		t = xasprintf(BASE "instances/%s/%s%s%s", e, ops[op], why ? "?reason=" : "",
			      why ? why : "");
		free(why);
	}
	free(e);
	call(h, "POST", t, op == DCLI_RAISE ? (data ? data : "null") : NULL, &resp, r);
	dhttp_resp_free(&resp);
	return r->rc;
}

int dremote_purge(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r)
{
	struct dhttp_resp resp;
	char *t;
	if (a->id) {
		char *e = enc(a->id);
		t = xasprintf(BASE "instances/%s", e);
		free(e);
	} else {
		struct dcli_args all = *a;
		/* The API needs a lower bound; the CLI's default is "any time". */
		if (all.from_us == INT64_MIN)
			all.from_us = 0;
		t = xstrdup(BASE "instances?x=1");
		append_filters(&t, &all);
		if (!a->statuses) {
			char *old = t;
			t = xasprintf("%s&runtimeStatus=Completed,Failed,Terminated,Canceled", old);
			free(old);
		}
	}
	r->count = 0;
	if (call(h, "DELETE", t, NULL, &resp, r) == RT_OK) {
		json_t *j = body_json(&resp);
		r->count = json_integer_value(json_object_get(j, "instancesDeleted"));
		json_decref(j);
	} else if (r->rc == RT_E_NOTFOUND && !a->id) {
		r->rc = RT_OK; /* the API's 404: nothing matched */
	}
	dhttp_resp_free(&resp);
	return r->rc;
}
