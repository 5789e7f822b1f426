/*
 * store_error.c - the store's error texts (store_int.h): every file of the
 * store reports through these, so they sit below all of them.
 */
#include "runtime/store_int.h"

#include <stdarg.h>
#include <stdio.h>

int rt_store__fail(struct rt_store *s, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->errbuf, sizeof(s->errbuf), fmt, ap);
	va_end(ap);
	return rc;
}

int rt_store__sqlerr(struct rt_store *s, int sqlite_rc, const char *what)
{
	int rc;
	switch (sqlite_rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		rc = RT_E_BUSY;
		break;
	case SQLITE_CONSTRAINT:
		rc = (sqlite_rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
		      sqlite_rc == SQLITE_CONSTRAINT_UNIQUE) ? RT_E_CONFLICT : RT_ERROR;
		break;
	default:
		rc = RT_ERROR;
	}
	return rt_store__fail(s, rc, "%s: %s", what, sqlite3_errmsg(s->db));
}

void rt_store__one_line(char *dst, size_t cap, const char *src)
{
	size_t i;
	for (i = 0; src && src[i] && i + 1 < cap; i++)
		dst[i] = (src[i] == '\n' || src[i] == '\r') ? ' ' : src[i];
	dst[i] = '\0';
}
