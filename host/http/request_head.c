/*
 * request_head.c - body framing from a raw HTTP/1 request head (see the header).
 */
#include "host/http/request_head.h"

#include <string.h>
#include <strings.h>

/* The end of the head: the blank line, CRLF or bare LF as picohttpparser takes. */
static const char *head_end(const char *buf, size_t len)
{
	for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + len - p))) != NULL; p++) {
		const char *next = p + 1;
		if (next < buf + len && *next == '\n')
			return next + 1;
		if (next + 1 < buf + len && next[0] == '\r' && next[1] == '\n')
			return next + 2;
	}
	return NULL;
}

static int64_t parse_length(const char *v, const char *end)
{
	int64_t n = 0;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (v == end)
		return -1;
	for (; v < end; v++) {
		if (*v < '0' || *v > '9' || n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*v - '0');
	}
	return n;
}

enum host_head_framing host_head_framing(const char *buf, size_t len, int64_t *length,
					 size_t *head_len)
{
	static const char cl[] = "content-length", te[] = "transfer-encoding";
	const char *end = head_end(buf, len);
	int n_cl = 0, n_te = 0;

	*length = -1;
	if (!end)
		return HOST_HEAD_INCOMPLETE;
	if (head_len)
		*head_len = (size_t)(end - buf);
	/* Skip the request line; each later line up to the blank one is a field. */
	const char *line = memchr(buf, '\n', (size_t)(end - buf)) + 1;
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		size_t name_len = colon ? (size_t)(colon - line) : 0;
		if (colon && name_len == sizeof(cl) - 1 && strncasecmp(line, cl, name_len) == 0) {
			n_cl++;
			*length = parse_length(colon + 1, eol);
		} else if (colon && name_len == sizeof(te) - 1 && strncasecmp(line, te, name_len) == 0) {
			n_te++;
		}
		line = eol + 1;
	}
	if (n_cl + n_te > 1)
		return HOST_HEAD_CONFLICT;
	if (n_te)
		return HOST_HEAD_CHUNKED;
	return n_cl ? HOST_HEAD_LENGTH : HOST_HEAD_NO_BODY;
}
