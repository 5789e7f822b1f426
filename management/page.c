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
	if (tok && *tok && strcmp(tok, "null") != 0 && !(*after = token_parse(tok, h->ctx.arena))) {
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
	bind_http_add_header((cf_http *)h, TOKEN_HEADER, next ? token_make(next, h->ctx.arena) : "");
}
