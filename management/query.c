/*
 * query.c - GET instances (paged listing, §4.3) and DELETE instances
 * (purge many, §4.5). The paging itself, top and continuation tokens, is
 * page.c's, shared with the entity listing.
 */
#include "management/query.h"

#include "management/page.h"
#include "management/reply.h"
#include "bindings/status_json.h"
#include "common/clock.h"

#include <stdlib.h>
#include <string.h>

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

static size_t payload_bytes(const struct rt_instance *inst)
{
	const char *p[] = {inst->input, inst->output, inst->custom_status};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (p[i] && p[i] != rt_store_payload_omitted)
			n += strlen(p[i]);
	return n;
}

/* The listing's view of one instance: its status object, with the status
 * URL in place of each payload the store left out for its size. */
static json_t *listed_status(const struct webhook_req *r, const struct rt_instance *inst,
			     int show_input)
{
	json_t *o = bind_status_object(inst, NULL, 0, show_input ? BIND_STATUS_INPUT : 0);
	const struct {
		const char *key, *value;
	} field[] = {
		{"input", show_input ? inst->input : NULL},
		{"customStatus", inst->custom_status},
		{"output", inst->output},
	};
	json_t *urls = NULL;
	for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		if (field[i].value != rt_store_payload_omitted)
			continue;
		if (!urls)
			urls = bind_durable_payload(r->d, r->h->base_url, inst->instance_id, 0);
		json_object_set(o, field[i].key, json_object_get(urls, "statusQueryGetUri"));
	}
	json_decref(urls);
	return o;
}

void bind_webhooks_list(struct webhook_req *r)
{
	struct bind_http *h = r->h;
	struct rt_arena *a = h->ctx.arena;
	struct rt_store_filter f;
	const char *after, *next = NULL, *prefix;
	int show_input = bind_webhooks_bool(&r->q, "showInput", 1);
	long top;
	json_t *arr;
	int64_t t;

	rt_store_filter_init(&f);
	/* Unparseable dates leave the bound open (no 400, §1.2). */
	if (bind_webhooks_time(&r->q, "createdTimeFrom", &t) == 0)
		f.created_from = t;
	if (bind_webhooks_time(&r->q, "createdTimeTo", &t) == 0)
		f.created_to = t;
	f.statuses = bind_webhooks_statuses(&r->q);
	prefix = bind_urlcodec_query_get(&r->q, "instanceIdPrefix");
	f.prefix = prefix && *prefix ? prefix : NULL;
	f.skip_input = !show_input;
	f.payload_max = LIST_PAYLOAD_MAX;
	if (!bind_webhooks_page_args(r, "GetInstances", &top, &after))
		return;

	arr = json_array();
	if (r->served) {
		size_t count = 0, bytes = 0;
		for (int calls = 0; calls < BIND_WEBHOOKS_LIST_CALLS_MAX && count < (size_t)top &&
				    bytes < LIST_PAGE_BYTES;
		     calls++) {
			struct rt_instance *rows = NULL;
			size_t n = 0;
			char *err = NULL;
			f.page_bytes = LIST_PAGE_BYTES - bytes;
			if (bind_client_list(r->d, &f, after, (size_t)top - count, &rows, &n, &next, a,
					     &err) != CF_OK) {
				json_decref(arr);
				bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC,
						    "GetInstances");
				free(err);
				return;
			}
			for (size_t i = 0; i < n; i++) {
				/* Entity instances stay out, as on the isolated path. */
				if (rows[i].instance_id[0] == '@')
					continue;
				json_array_append_new(arr, listed_status(r, &rows[i], show_input));
				bytes += payload_bytes(&rows[i]);
				count++;
			}
			if (!next)
				break;
			after = next;
		}
	}

	bind_webhooks_page_reply(h, arr, next);
}

void bind_webhooks_purge_many(struct webhook_req *r)
{
	const unsigned terminal = RT_STORE_STATUS_BIT(RT_ST_COMPLETED) |
				  RT_STORE_STATUS_BIT(RT_ST_FAILED) |
				  RT_STORE_STATUS_BIT(RT_ST_TERMINATED) |
				  RT_STORE_STATUS_BIT(RT_ST_CANCELED);
	struct bind_http *h = r->h;
	struct rt_store_filter f;
	int64_t deleted = 0;
	char *err = NULL;
	int rc;

	rt_store_filter_init(&f);
	if (bind_webhooks_time(&r->q, "createdTimeFrom", &f.created_from) != 0) {
		/* A bare JSON string, not an error object (§4.5, §9 item 5). */
		bind_webhooks_json(h, 400,
				   json_string("Please provide value for 'createdTimeFrom' parameter."));
		return;
	}
	if (bind_webhooks_time(&r->q, "createdTimeTo", &f.created_to) != 0)
		f.created_to = rt_now_us();
	/* Only terminal instances are purged; instanceIdPrefix is not supported. */
	f.statuses = bind_webhooks_statuses(&r->q);
	f.statuses = f.statuses ? f.statuses & terminal : terminal;
	if (!r->served || !f.statuses) {
		h->status = 404;
		return;
	}
	rc = bind_client_purge_many(r->d, &f, &deleted, &err);
	if (rc != RT_OK) {
		bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC, "PurgeHistory");
	} else if (deleted > 0) {
		bind_webhooks_json(h, 200, json_pack("{s:I}", "instancesDeleted", (json_int_t)deleted));
	} else {
		h->status = 404;
	}
	free(err);
}
