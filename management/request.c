/*
 * request.c - reading a management request (request.h): the query
 * parameters of durable-http-api §1.2 and the body's Content-Type.
 */
#include "management/request.h"

#include "runtime/history.h"
#include "runtime/store.h"
#include "common/isotime.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int bind_webhooks_bool(const struct bind_query *q, const char *name, int dflt)
{
	const char *v = bind_urlcodec_query_get(q, name);
	if (v && strcasecmp(v, "true") == 0)
		return 1;
	if (v && strcasecmp(v, "false") == 0)
		return 0;
	return dflt;
}

int bind_webhooks_time(const struct bind_query *q, const char *name, int64_t *us)
{
	const char *v = bind_urlcodec_query_get(q, name);
	char buf[64];
	if (!v || !*v)
		return -1;
	if (rt_parse_time(v, us) == 0)
		return 0;
	/* An unencoded "+02:00" offset arrives as " 02:00" ('+' is a space in
	 * a query): put the plus back before giving up on the value. */
	if (strlen(v) < sizeof(buf) && strchr(v, ' ')) {
		strcpy(buf, v);
		for (char *p = buf; *p; p++)
			if (*p == ' ')
				*p = '+';
		if (rt_parse_time(buf, us) == 0)
			return 0;
	}
	return -1;
}

unsigned bind_webhooks_statuses(const struct bind_query *q)
{
	unsigned bits = 0;
	size_t iter = 0;
	const char *v;
	while ((v = bind_urlcodec_query_next(q, "runtimeStatus", &iter)) != NULL) {
		const char *p = v;
		while (*p) {
			const char *end = strchr(p, ',');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			char tok[32];
			/* Enum.TryParse ignores surrounding blanks. */
			while (n && isspace((unsigned char)*p))
				p++, n--;
			while (n && isspace((unsigned char)p[n - 1]))
				n--;
			if (n && n < sizeof(tok)) {
				memcpy(tok, p, n);
				tok[n] = '\0';
				int st = rt_status_parse(tok);
				if (st >= 0)
					bits |= RT_STORE_STATUS_BIT(st);
			}
			p = end ? end + 1 : p + strlen(p);
		}
	}
	return bits;
}

long bind_webhooks_long(const struct bind_query *q, const char *name, long dflt)
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

int bind_webhooks_content_json(const struct bind_http *h)
{
	const char *ct = bind_http_header(h, "content-type");
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;
	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}
