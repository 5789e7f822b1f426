/*
 * page.c - top and continuation tokens of the listings (page.h).
 *
 * A token is base64url(version || MAC || last id of the page), where MAC
 * is a keyed BLAKE2b-128 over version and id with a key drawn once per
 * process. So a token is opaque to clients, costs the host no memory,
 * stays valid while instances come and go (the store continues after that
 * id, whether or not it still exists), and anything this process did not
 * issue - garbage, a truncated or edited token, one from before a restart -
 * is recognised and refused with a 400 rather than silently restarting or
 * skipping the listing.
 */
#include "management/page.h"

#include "management/reply.h"
#include "bindings/status_json.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOP_DEFAULT 100
/* Azure Table returns at most 1000 entities per query page. */
#define TOP_MAX 1000

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
const char *bind_webhooks_token_make(const char *id, struct rt_arena *a)
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
const char *bind_webhooks_token_parse(const char *tok, struct rt_arena *a)
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

int bind_webhooks_page_args(struct webhook_req *r, const char *where, long *top,
			    const char **after)
{
	struct bind_http *h = r->h;
	const char *tok = bind_http_header(h, TOKEN_HEADER);

	*top = bind_webhooks_long(&r->q, "top", TOP_DEFAULT);
	if (*top <= 0)
		*top = TOP_DEFAULT;
	if (*top > TOP_MAX)
		*top = TOP_MAX;
	*after = NULL;
	/* Empty, absent and "null" all mean "from the start" (§4.3). */
	if (tok && *tok && strcmp(tok, "null") != 0 && !(*after = bind_webhooks_token_parse(tok, h->ctx.arena))) {
		bind_webhooks_error(h, 400, WH_MSG_ARGUMENT,
				    "The continuation token (x-ms-continuation-token) was not issued "
				    "by this host: pass back the value of the previous page's response "
				    "header unchanged, or none for the first page. Tokens do not "
				    "survive a host restart.",
				    WH_EX_ARGUMENT, where);
		return 0;
	}
	return 1;
}

void bind_webhooks_page_reply(struct bind_http *h, json_t *arr, const char *next)
{
	bind_webhooks_json(h, 200, arr);
	/* Sent on the last page too, empty, as the extension does. */
	bind_http_add_header((cf_http *)h, TOKEN_HEADER, next ? bind_webhooks_token_make(next, h->ctx.arena) : "");
}
