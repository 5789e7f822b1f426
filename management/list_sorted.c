/*
 * list_sorted.c - GET /admin/durable/instances: the listing in a chosen
 * order (list_sorted.h), on rt_store_instance_list_sorted.
 *
 * A continuation token is GET instances' token (query.c: MAC'd with the
 * per-process key) around "\x01<sort><order>:<iid>:<value>", the place the
 * next page starts after. The leading control byte cannot begin an
 * instance id the API accepts, so a token of one listing is never read as
 * a place in the other, and the sort and order letters make a token of
 * another order a 400 rather than a page from the wrong place.
 */
#include "management/list_sorted.h"
#include "management/webhooks_int.h"

#include "runtime/history.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SORTED_TOP_DEFAULT 100
#define SORTED_TOP_MAX 1000 /* as GET instances */
/* Store calls per page, as GET instances: a sparse filter may need a few. */
#define SORTED_CALLS_MAX 4
#define TOKEN_HEADER "x-ms-continuation-token"
#define TOKEN_MARK '\x01'

static const struct {
	const char *name;
	char letter;
} sorts[RT_SORT__COUNT] = {
	[RT_SORT_ID] = {"id", 'i'},
	[RT_SORT_CREATED] = {"created", 'c'},
	[RT_SORT_UPDATED] = {"updated", 'u'},
	[RT_SORT_NAME] = {"name", 'n'},
	[RT_SORT_STATUS] = {"status", 's'},
};

static int sort_is_text(enum rt_store_sort s)
{
	return s == RT_SORT_ID || s == RT_SORT_NAME;
}

static const char *token_of(enum rt_store_sort sort, int desc, const struct rt_store_keyset *k,
			    struct rt_arena *a)
{
	char head[64];
	const char *value = k->text ? k->text : "";
	char *msg;
	size_t hl;

	if (sort_is_text(sort))
		snprintf(head, sizeof(head), "%c%c%c:%" PRId64 ":", TOKEN_MARK, sorts[sort].letter,
			 desc ? 'd' : 'a', k->iid);
	else
		snprintf(head, sizeof(head), "%c%c%c:%" PRId64 ":%" PRId64, TOKEN_MARK,
			 sorts[sort].letter, desc ? 'd' : 'a', k->iid, k->num);
	hl = strlen(head);
	msg = rt_arena_alloc(a, hl + (sort_is_text(sort) ? strlen(value) : 0) + 1);
	memcpy(msg, head, hl);
	strcpy(msg + hl, sort_is_text(sort) ? value : "");
	return bind_webhooks_token_make(msg, a);
}

/* A whole decimal int64 from p up to `end` (a char) into *v; the char
 * after it, or NULL. */
static const char *parse_i64(const char *p, char end, int64_t *v)
{
	char *e;
	if (!isdigit((unsigned char)*p) && *p != '-')
		return NULL;
	errno = 0;
	*v = strtoll(p, &e, 10);
	if (errno || e == p || *e != end)
		return NULL;
	return e;
}

/* The place `tok` continues after, for this sort and order; a message for
 * the 400 when it is not one. */
static const char *token_read(const char *tok, enum rt_store_sort sort, int desc,
			      struct rt_store_keyset *k, struct rt_arena *a)
{
	const char *m = bind_webhooks_token_parse(tok, a), *p;
	if (!m || m[0] != TOKEN_MARK || !m[1] || !m[2] || m[3] != ':')
		return "The continuation token was not issued by this listing: pass back the "
		       "x-ms-continuation-token of the previous page unchanged, or none for the "
		       "first page. Tokens do not survive a host restart.";
	if (m[1] != sorts[sort].letter || m[2] != (desc ? 'd' : 'a'))
		return "The continuation token belongs to another sort or order: start from the "
		       "first page when the sort or order changes.";
	if (!(p = parse_i64(m + 4, ':', &k->iid)))
		return "The continuation token is damaged.";
	p++;
	if (sort_is_text(sort)) {
		k->text = p;
		k->num = 0;
	} else {
		k->text = NULL;
		if (!parse_i64(p, '\0', &k->num))
			return "The continuation token is damaged.";
	}
	return NULL;
}

/* runtimeStatus, comma-separated and/or repeated, into RT_STORE_STATUS_BIT()s;
 * -1 for a name that is not a status. */
static long statuses_strict(const struct bind_query *q)
{
	unsigned long bits = 0;
	size_t iter = 0;
	const char *v;
	while ((v = bind_urlcodec_query_next(q, "runtimeStatus", &iter)) != NULL) {
		while (*v) {
			size_t n = strcspn(v, ",");
			char tok[32];
			int st = -1;
			if (n && n < sizeof(tok)) {
				memcpy(tok, v, n);
				tok[n] = '\0';
				st = rt_status_parse(tok);
			}
			if (st < 0)
				return -1;
			bits |= RT_STORE_STATUS_BIT(st);
			v += n + (v[n] == ',');
		}
	}
	return (long)bits;
}

/* A created bound; 1 when present and bad. */
static int time_param(const struct bind_query *q, const char *name, int64_t *us)
{
	const char *v = bind_urlcodec_query_get(q, name);
	if (!v || !*v)
		return 0;
	return bind_webhooks_time(q, name, us) != 0;
}

static int pick(const char *v, const char *const *names, int n, int dflt)
{
	if (!v || !*v)
		return dflt;
	for (int i = 0; i < n; i++)
		if (strcasecmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* The sorted listing's pages, each after the place the last one ended. */
struct sorted_pager {
	struct bind_durable *d;
	enum rt_store_sort sort;
	int desc;
	const struct rt_store_keyset *after; /* NULL: from the start, else &at */
	struct rt_store_keyset at;
};

static int sorted_page(void *ctx, const struct rt_store_filter *f, size_t top,
		       struct rt_instance **rows, size_t *n, int *more, struct rt_arena *a,
		       char **err)
{
	struct sorted_pager *p = ctx;
	struct rt_store_keyset next;
	int rc = bind_client_list_sorted(p->d, f, p->sort, p->desc, p->after, top, rows, n, &next,
					 more, a, err);
	if (rc == CF_OK && *more) {
		p->at = next;
		p->after = &p->at;
	}
	return rc;
}

static void bad(struct bind_http *h, const char *msg)
{
	bind_webhooks_error(h, 400, msg, NULL, NULL, NULL);
}

void bind_webhooks_list_sorted(struct bind_durable *d, struct bind_http *h)
{
	static const char *const orders[] = {"asc", "desc"};
	const char *sort_names[RT_SORT__COUNT];
	struct webhook_req r = {.d = d, .h = h, .served = 1};
	struct rt_arena *a = h->ctx.arena;
	struct rt_store_filter f;
	struct rt_store_keyset at;
	const struct rt_store_keyset *after = NULL;
	struct sorted_pager pager = {.d = d};
	const char *tok, *v, *why;
	int sort, desc, more = 0, show_input;
	long statuses, top = SORTED_TOP_DEFAULT;
	char *err = NULL;
	json_t *arr;

	if (!d) {
		bind_webhooks_error(h, 404, "No task hub: this host runs no durable functions.",
				    NULL, NULL, NULL);
		return;
	}
	bind_urlcodec_query_parse(&r.q, h->raw_query, strlen(h->raw_query), a);
	for (int i = 0; i < RT_SORT__COUNT; i++)
		sort_names[i] = sorts[i].name;
	sort = pick(bind_urlcodec_query_get(&r.q, "sort"), sort_names, RT_SORT__COUNT, RT_SORT_ID);
	desc = pick(bind_urlcodec_query_get(&r.q, "order"), orders, 2, 0);
	if (sort < 0) {
		bad(h, "'sort' must be one of id, created, updated, name, status.");
		return;
	}
	if (desc < 0) {
		bad(h, "'order' must be asc or desc.");
		return;
	}
	rt_store_filter_init(&f);
	if (time_param(&r.q, "createdTimeFrom", &f.created_from) ||
	    time_param(&r.q, "createdTimeTo", &f.created_to)) {
		bad(h, "'createdTimeFrom' and 'createdTimeTo' must be ISO 8601 date-times.");
		return;
	}
	if ((statuses = statuses_strict(&r.q)) < 0) {
		bad(h, "'runtimeStatus' holds a name that is not a runtime status (e.g. "
		       "Running,Completed).");
		return;
	}
	f.statuses = (unsigned)statuses;
	if ((v = bind_urlcodec_query_get(&r.q, "top")) != NULL) {
		char *end;
		errno = 0;
		top = strtol(v, &end, 10);
		if (!*v || *end || errno || top < 1 || top > SORTED_TOP_MAX) {
			bad(h, "'top' must be a whole number from 1 to 1000.");
			return;
		}
	}
	v = bind_urlcodec_query_get(&r.q, "instanceIdPrefix");
	f.prefix = v && *v ? v : NULL;
	v = bind_urlcodec_query_get(&r.q, "name");
	f.name_prefix = v && *v ? v : NULL;
	show_input = bind_webhooks_bool(&r.q, "showInput", 1);
	f.skip_input = !show_input;
	f.payload_max = LIST_PAYLOAD_MAX;

	tok = bind_urlcodec_query_get(&r.q, "continuationToken");
	if (!tok || !*tok)
		tok = bind_http_header(h, TOKEN_HEADER);
	if (tok && *tok && strcmp(tok, "null") != 0) {
		if ((why = token_read(tok, (enum rt_store_sort)sort, desc, &at, a)) != NULL) {
			bad(h, why);
			return;
		}
		after = &at;
	}

	arr = json_array();
	pager.sort = (enum rt_store_sort)sort;
	pager.desc = desc;
	pager.after = after;
	if (bind_webhooks_fill_page(&r, &f, (size_t)top, SORTED_CALLS_MAX, show_input, sorted_page,
				    &pager, arr, &more, &err) != CF_OK) {
		json_decref(arr);
		bind_webhooks_error(h, 500, err ? err : "cannot list instances", NULL, NULL, NULL);
		free(err);
		return;
	}
	bind_webhooks_json(h, 200, arr);
	/* Sent on the last page too, empty, as GET instances does. */
	bind_http_add_header((cf_http *)h, TOKEN_HEADER,
			     more ? token_of(pager.sort, desc, &pager.at, a) : "");
}
