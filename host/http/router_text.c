/*
 * router_text.c - the small text helpers the router files share: ASCII
 * case-insensitive comparison (strcasecmp() follows the locale, Turkish
 * dotless i), digits, and a growable string for the template parser and
 * the regex translation.
 */
#include "host/http/router_int.h"

#include <string.h>

#include "common/xalloc.h"

int host_router_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ASCII only: strcasecmp() follows the locale (Turkish dotless i). */
int host_router_ascii_ncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (host_router_lower((unsigned char)a[i]) !=
		    host_router_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

int host_router_ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = host_router_lower((unsigned char)*a),
		    y = host_router_lower((unsigned char)*b);
		if (x != y || !x)
			return x - y;
	}
}

int host_router_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void host_router_sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void host_router_sb_putc(struct sbuf *b, char c)
{
	host_router_sb_putn(b, &c, 1);
}

void host_router_sb_puts(struct sbuf *b, const char *s)
{
	host_router_sb_putn(b, s, strlen(s));
}
