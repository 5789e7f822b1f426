/*
 * query.c - GET instances (paged listing, §4.3) and DELETE instances
 * (purge many, §4.5). The paging itself, top and continuation tokens, is
 * page.c's, shared with the entity listing.
 */
#include "management/query.h"

#include "management/page.h"
#include "management/reply.h"
#include "common/clock.h"

#include <stdlib.h>
#include <string.h>

/* GET instances' pages: in id order, after an id. */
struct id_pager {
	struct bind_durable *d;
	const char *after, *next;
};

static int id_page(void *ctx, const struct rt_store_filter *f, size_t top,
		   struct rt_instance **rows, size_t *n, int *more, struct rt_arena *a, char **err)
{
	struct id_pager *p = ctx;
	int rc = bind_client_list(p->d, f, p->after, top, rows, n, &p->next, a, err);
	*more = rc == CF_OK && p->next;
	p->after = p->next;
	return rc;
}

void bind_webhooks_list(struct webhook_req *r)
{
	struct bind_http *h = r->h;
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
		struct id_pager p = {r->d, after, NULL};
		char *err = NULL;
		int more;
		if (bind_webhooks_fill_page(r, &f, (size_t)top, BIND_WEBHOOKS_LIST_CALLS_MAX,
					    show_input, id_page, &p, arr, &more, &err) != CF_OK) {
			json_decref(arr);
			bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC, "GetInstances");
			free(err);
			return;
		}
		next = p.next;
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
