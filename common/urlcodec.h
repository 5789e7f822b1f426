/*
 * urlcodec.h - percent-decoding of path segments and query strings, query
 * parsing, and percent-encoding for URLs the host builds.
 *
 * Two decoders on purpose, because ASP.NET treats the two parts differently:
 *  - path segments are STRICT: a '%' not followed by two hex digits, or an
 *    escape that decodes to NUL (%00), is an error and the host answers 400
 *    ("malformed percent-encoding in request path"). Kestrel would pass such
 *    bytes on; we refuse them so no function ever sees an ambiguous path or a
 *    C string cut short by a NUL. '+' stays '+'.
 *  - query components are LENIENT, like ASP.NET's query parser: a malformed
 *    escape ("%", "%G1", "%4") is kept literally, '+' becomes a space. "%00"
 *    is also kept literally (as the three characters "%00"), because a
 *    decoded NUL would silently truncate the value for C callers.
 * Both decode exactly once: "%2541" gives "%41", never "A". Bytes are not
 * checked for UTF-8 validity.
 *
 * Nothing here keeps state; every function is thread-safe.
 */
#ifndef BIND_URLCODEC_H
#define BIND_URLCODEC_H

#include <stddef.h>

struct rt_arena;

/*
 * Strictly decodes src[0..len) (one path segment, or any path text; '/' is
 * an ordinary byte) into dst, which must hold len + 1 bytes and may be src
 * itself (decoding never grows). dst is NUL-terminated and *outlen (if not
 * NULL) gets the decoded length. Returns 0, or -1 on a malformed escape or
 * %00; dst then holds garbage.
 */
int bind_urlcodec_decode_segment(char *dst, const char *src, size_t len, size_t *outlen);

/*
 * Leniently decodes one query component (a name or a value) src[0..len)
 * into dst (len + 1 bytes, may be src): "%XX" -> byte except "%00", '+' ->
 * ' ', anything malformed kept as is. NUL-terminates; returns the length.
 */
size_t bind_urlcodec_decode_component(char *dst, const char *src, size_t len);

/*
 * Percent-encodes src[0..len): RFC 3986 unreserved characters
 * (A-Z a-z 0-9 - . _ ~) are kept, every other byte becomes "%XX" with
 * uppercase hex, so the result is safe in a path segment and in a query
 * value (instance ids in management URLs). The result is allocated from
 * `a`, or malloc'd when `a` is NULL (caller frees).
 */
char *bind_urlcodec_encode(const char *src, size_t len, struct rt_arena *a);

/* One query parameter, both parts decoded with bind_urlcodec_decode_component(). */
struct bind_query_param {
	const char *name;  /* "" for "=x" */
	const char *value; /* "" for "x" and "x=" */
};

/*
 * A parsed query string, in request order. Fill it with
 * bind_urlcodec_query_parse(); everything it points to lives in one block
 * owned by the arena given there, or by the struct itself when no arena was
 * given (then release it with bind_urlcodec_query_cleanup()).
 */
struct bind_query {
	struct bind_query_param *params;
	size_t count;
	void *owned; /* the malloc'd block when parsed without an arena, else NULL */
};

/*
 * Parses qs[0..len), the text after '?' (a leading '?' is skipped too):
 * split on '&', empty pieces skipped, a piece without '=' gives value "",
 * the first '=' separates name and value. Never fails. Memory comes from
 * `a`, or is malloc'd when `a` is NULL (call bind_urlcodec_query_cleanup()).
 */
void bind_urlcodec_query_parse(struct bind_query *q, const char *qs, size_t len,
			       struct rt_arena *a);

/* Frees what a parse without an arena allocated and empties *q; harmless otherwise. */
/* Tests and fuzz targets only: the host does not call it. */
void bind_urlcodec_query_cleanup(struct bind_query *q);

/*
 * First value of the parameter `name` (ASCII case-insensitive, as ASP.NET
 * matches query keys), or NULL if absent. Borrowed from *q.
 */
const char *bind_urlcodec_query_get(const struct bind_query *q, const char *name);

/*
 * Iterates every value of `name` (repeated parameters such as
 * runtimeStatus=Running&runtimeStatus=Pending), in request order. Start with
 * *iter = 0; returns the next value (borrowed) or NULL when done.
 */
const char *bind_urlcodec_query_next(const struct bind_query *q, const char *name, size_t *iter);

#endif
