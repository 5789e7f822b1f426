/*
 * fuzz/webhooks_query.c - libFuzzer target for the query and request
 * parsing of the durable management API (management/webhooks.c,
 * management/query.c, request.c, page.c): createdTimeFrom/To (rt_parse_time, with the
 * '+' that arrives as a space), runtimeStatus lists, top, showInput and the
 * other booleans, continuation tokens, path segments, bodies.
 *
 * Requests go through the real entry point, bind_webhooks_handle(), in the
 * two configurations that need no running engine: no engine at all (d ==
 * NULL, as when the app has no durable functions), and an engine whose hub
 * the request does not address (taskHub=<other>), which never touches the
 * engine. So GET instances (listing: top, times, statuses, prefix, token),
 * DELETE instances (purge many: times, statuses), start, status, raise
 * event and the lifecycle operations all parse their fuzzed input.
 *
 * Input, split on '\n':
 *   method \n path-after-base \n raw-query \n continuation-token \n
 *   content-type \n body (the rest, may hold anything)
 * Missing lines are empty; an empty token or content type is not sent.
 *
 * Invariants: the status is one the API documents; a body with a JSON
 * content type is valid JSON; headers are well-formed; the query helpers
 * (bind_webhooks_bool/time/statuses) return in range; every time they
 * accept survives a format/parse round trip.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "runtime/history.h"
#include "bindings/json_util.h"
#include "common/urlcodec.h"
#include "management/webhooks.h"
#include "management/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_HUB "FuzzHub"
#define MIN_US (-62135596800LL * 1000000)
#define MAX_US (253402300799LL * 1000000 + 999999)
#define YEAR0_US (-62167219200LL * 1000000)
#define DAY_US 86400000000LL

/* Cuts the next '\n'-terminated line off *p (NUL-terminating it in place). */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;
	if (s >= end)
		return end; /* the final "" */
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*nl = '\0';
	*p = nl < end ? nl + 1 : end;
	return s;
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static void check_time_value(const char *v)
{
	int64_t us, back;
	char o[40];
	if (rt_parse_time(v, &us) != 0)
		return;
	if (us < MIN_US || us > MAX_US)
		return; /* an offset can push year 1 or 9999 out of the range */
	rt_format_time_o(us, o);
	if (rt_parse_time(o, &back) != 0 || back != us)
		abort();
}

static void check_query_helpers(const struct bind_query *q)
{
	static const char *const names[] = { "showInput", "showHistory", "showHistoryOutput",
					      "returnInternalServerErrorOnFailure",
					      "restartWithNewInstanceId" };
	int64_t us;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int b = bind_webhooks_bool(q, names[i], 7);
		const char *v = bind_urlcodec_query_get(q, names[i]);
		if (b != 0 && b != 1 && b != 7)
			abort();
		if (v && (strcasecmp(v, "true") == 0) != (b == 1))
			abort();
	}
	if (bind_webhooks_statuses(q) & ~0xffu)
		abort(); /* statuses are 0..7 */
	/* Any accepted time lies in years 0000..9999, give or take an offset. */
	if (bind_webhooks_time(q, "createdTimeFrom", &us) == 0 && (us < YEAR0_US - DAY_US ||
								    us > MAX_US + DAY_US))
		abort();
	if (bind_webhooks_time(q, "createdTimeTo", &us) == 0 &&
	    (us < YEAR0_US - DAY_US || us > MAX_US + DAY_US))
		abort();
	for (size_t i = 0; i < q->count && i < 8; i++)
		check_time_value(q->params[i].value);
}

static void check_response(const struct bind_http *h)
{
	const char *ct = NULL;
	switch (h->status) {
	case 200: case 202: case 400: case 404: case 410: case 500:
		break;
	default:
		abort();
	}
	if (!h->resp_body || strlen(h->resp_body) != h->resp_len)
		abort();
	for (size_t i = 0; i < h->nresp; i++) {
		const char *n = h->resp_headers[i].name, *v = h->resp_headers[i].value;
		if (!n || !v || !*n || strpbrk(n, "\r\n: \t") || strpbrk(v, "\r\n"))
			abort();
		if (strcasecmp(n, "Content-Type") == 0)
			ct = v;
	}
	if (ct && strncasecmp(ct, "application/json", 16) == 0 && !bind_json_valid(h->resp_body))
		abort();
	if (h->resp_len && !ct)
		abort(); /* bodies are JSON */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rt_arena arena;
	static int init;
	static struct bind_durable other_hub = { .hub = FUZZ_HUB, .connection = "Storage" };
	struct bind_http h;
	struct bind_kv headers[2];
	struct bind_query q;
	struct bind_durable *d = NULL;
	char *buf, *p, *end, *method, *tail, *query, *token, *ctype;
	const char *hub;
	size_t nh = 0;

	if (!init) {
		rt_arena_init(&arena);
		init = 1;
	}
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	end = buf + size;
	method = next_line(&p, end);
	tail = next_line(&p, end);
	query = next_line(&p, end);
	token = next_line(&p, end);
	ctype = next_line(&p, end);

	bind_http_init(&h, NULL, &arena);
	h.method = method;
	h.path = rt_arena_fmt(&arena, "%s%s%s", BIND_WEBHOOKS_BASE, tail[0] == '/' ? "" : "/", tail);
	h.raw_query = query;
	h.base_url = "http://localhost:7071";
	h.url = rt_arena_fmt(&arena, "%s%s%s%s", h.base_url, h.path, *query ? "?" : "", query);
	if (*token)
		headers[nh++] = (struct bind_kv){ "x-ms-continuation-token", token };
	if (*ctype)
		headers[nh++] = (struct bind_kv){ "content-type", ctype };
	h.headers = headers;
	h.nheaders = nh;
	h.body = p; /* NUL-terminated by buf[size] */
	h.body_len = (size_t)(end - p);

	/* The query helpers on their own. */
	bind_urlcodec_query_parse(&q, query, strlen(query), &arena);
	check_query_helpers(&q);

	/* An engine is passed only when the request addresses another hub,
	 * so nothing reaches the (absent) engine. */
	hub = bind_urlcodec_query_get(&q, "taskHub");
	if (hub && !blank(hub) && strcasecmp(hub, FUZZ_HUB) != 0)
		d = &other_hub;

	bind_webhooks_handle(d, &h);
	check_response(&h);

	free(buf);
	rt_arena_reset(&arena);
	return 0;
}
