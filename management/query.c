/*
 * query.c - GET instances (paged listing, §4.3) and DELETE
 * instances (purge many, §4.5), and the continuation tokens of the listing.
 *
 * A token is base64url(version || MAC || last instance id of the page),
 * where MAC is a keyed BLAKE2b-128 over version and id with a key drawn
 * once per process. So a token is opaque to clients, costs the host no
 * memory, stays valid while instances come and go (the store continues
 * after that id, whether or not it still exists), and anything this process
 * did not issue - garbage, a truncated or edited token, one from before a
 * restart - is recognised and refused with a 400 rather than silently
 * restarting or skipping the listing.
 */
#include "management/webhooks_int.h"

#include "bindings/status_json.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOP_DEFAULT 100
/* Azure Table returns at most 1000 entities per query page. */
#define TOP_MAX 1000
/* Store calls per page: each examines a bounded number of rows, so a
 * sparse filter may need a few to fill a page; the bound keeps page time
 * bounded too (clients follow the token for the rest). */
#define LIST_CALLS_MAX 4
/*
 * Size limits of a page, so that its time and memory follow these and not
 * the largest instance. A payload (input, output, custom status) over
 * LIST_PAYLOAD_MAX is not read: the listing shows the URL of the instance's
 * status in its place, as Azure Storage shows the blob URL of a large
 * message it did not fetch (64 KiB is Azure Table's property limit, beyond
 * which the extension moves a payload to a blob). And a page ends early,
 * with a continuation token, once it holds LIST_PAGE_BYTES of payloads.
 * (Both are in webhooks_int.h: the sorted listing, list_sorted.c, keeps
 * the same limits.)
 */

#define TOKEN_VERSION 1
#define TOKEN_MAC 16
#define TOKEN_HEADER "x-ms-continuation-token"

static unsigned char token_key[crypto_generichash_KEYBYTES];
static pthread_once_t token_once = PTHREAD_ONCE_INIT;

static void token_key_init(void)
{
	/* Idempotent; main() has normally run it already. */
	if (sodium_init() < 0)
		abort();
	randombytes_buf(token_key, sizeof(token_key));
}

static void token_mac(const unsigned char *msg, size_t len, unsigned char *mac)
{
	pthread_once(&token_once, token_key_init);
	crypto_generichash(mac, TOKEN_MAC, msg, len, token_key, sizeof(token_key));
}

/* The token that continues after instance `id`, in `a`. */
static const char *token_make(const char *id, struct rt_arena *a)
{
	size_t idlen = strlen(id), len = 1 + TOKEN_MAC + idlen;
	unsigned char *raw = rt_arena_alloc(a, len);
	unsigned char *body = rt_arena_alloc(a, 1 + idlen);
	size_t b64len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = rt_arena_alloc(a, b64len);

	body[0] = TOKEN_VERSION;
	memcpy(body + 1, id, idlen);
	raw[0] = TOKEN_VERSION;
	token_mac(body, 1 + idlen, raw + 1);
	memcpy(raw + 1 + TOKEN_MAC, id, idlen);
	sodium_bin2base64(out, b64len, raw, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* The instance id a token continues after (in `a`), or NULL if this
 * process did not issue it. */
static const char *token_parse(const char *tok, struct rt_arena *a)
{
	size_t tlen = strlen(tok), len;
	unsigned char *raw = rt_arena_alloc(a, tlen + 1);
	unsigned char mac[TOKEN_MAC];
	char *id;

	if (sodium_base642bin(raw, tlen + 1, tok, tlen, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len <= 1 + TOKEN_MAC || raw[0] != TOKEN_VERSION)
		return NULL;
	/* Reuse the MAC's slot for the message: version || id. */
	memcpy(mac, raw + 1, TOKEN_MAC);
	memmove(raw + 1, raw + 1 + TOKEN_MAC, len - 1 - TOKEN_MAC);
	unsigned char want[TOKEN_MAC];
	token_mac(raw, len - TOKEN_MAC, want);
	if (sodium_memcmp(mac, want, TOKEN_MAC) != 0)
		return NULL;
	id = rt_arena_strndup(a, (const char *)raw + 1, len - 1 - TOKEN_MAC);
	/* A NUL inside would make the id a different one. */
	return strlen(id) == len - 1 - TOKEN_MAC ? id : NULL;
}

/* int.TryParse; invalid or out of range -> dflt. */
static long query_long(const struct bind_query *q, const char *name, long dflt)
{
	const char *v = bind_urlcodec_query_get(q, name);
	char *end;
	long n;
	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	while (*end == ' ')
		end++;
	if (end == v || *end || n > INT_MAX || n < INT_MIN)
		return dflt;
	return n;
}

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

int bind_webhooks_fill_page(const struct webhook_req *r, struct rt_store_filter *f, size_t top,
			    int calls_max, int show_input, bind_webhooks_page_fn fn, void *ctx,
			    json_t *arr, int *more, char **err)
{
	size_t count = 0, bytes = 0;
	*more = 0;
	for (int calls = 0; calls < calls_max && count < top && bytes < LIST_PAGE_BYTES; calls++) {
		struct rt_instance *rows = NULL;
		size_t n = 0;
		f->page_bytes = LIST_PAGE_BYTES - bytes;
		if (fn(ctx, f, top - count, &rows, &n, more, r->h->ctx.arena, err) != CF_OK)
			return CF_ERROR;
		for (size_t i = 0; i < n; i++) {
			/* Entity instances stay out, as on the isolated path. */
			if (rows[i].instance_id[0] == '@')
				continue;
			json_array_append_new(arr, listed_status(r, &rows[i], show_input));
			bytes += payload_bytes(&rows[i]);
			count++;
		}
		if (!*more)
			break;
	}
	return CF_OK;
}

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
	struct rt_arena *a = h->ctx.arena;
	struct rt_store_filter f;
	const char *tok = bind_http_header(h, TOKEN_HEADER);
	const char *after = NULL, *next = NULL, *prefix;
	int show_input = bind_webhooks_bool(&r->q, "showInput", 1);
	long top = query_long(&r->q, "top", TOP_DEFAULT);
	json_t *arr = json_array();
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
	if (top <= 0)
		top = TOP_DEFAULT;
	if (top > TOP_MAX)
		top = TOP_MAX;

	/* Empty, absent and "null" all mean "from the start" (§4.3). */
	if (tok && *tok && strcmp(tok, "null") != 0) {
		after = token_parse(tok, a);
		if (!after) {
			json_decref(arr);
			bind_webhooks_error(h, 400, WH_MSG_ARGUMENT,
					    "The continuation token (x-ms-continuation-token) was not "
					    "issued by this host: pass back the value of the previous "
					    "page's response header unchanged, or none for the first "
					    "page. Tokens do not survive a host restart.",
					    WH_EX_ARGUMENT, "GetInstances");
			return;
		}
	}

	if (r->served) {
		struct id_pager p = {r->d, after, NULL};
		char *err = NULL;
		int more;
		if (bind_webhooks_fill_page(r, &f, (size_t)top, LIST_CALLS_MAX, show_input, id_page, &p,
					    arr, &more, &err) != CF_OK) {
			json_decref(arr);
			bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC, "GetInstances");
			free(err);
			return;
		}
		next = p.next;
	}

	bind_webhooks_json(h, 200, arr);
	/* Sent on the last page too, empty, as the extension does. */
	bind_http_add_header((cf_http *)h, TOKEN_HEADER, next ? token_make(next, a) : "");
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

/* For the entity listing (entities.c): the same tokens and top. */
const char *bind_webhooks_token_make(const char *id, struct rt_arena *a)
{
	return token_make(id, a);
}

const char *bind_webhooks_token_parse(const char *tok, struct rt_arena *a)
{
	return token_parse(tok, a);
}

long bind_webhooks_long(const struct bind_query *q, const char *name, long dflt)
{
	return query_long(q, name, dflt);
}
