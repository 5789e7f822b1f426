/*
 * json_read.c - see json_read.h. The text was checked whole by
 * rt_json_check before the first step, so every step here may assume the
 * grammar holds; each still stops at the end of the text, so a reader used
 * wrongly reads nothing outside it. Nothing recurses: skipping a nested
 * value counts brackets.
 */
#include "common/json_read.h"
#include "common/hex.h"
#include "common/json_check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void blanks(struct rt_json_reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

int rt_json_read_init(struct rt_json_reader *r, const char *text, size_t len, int max_depth,
		      size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	if (!text || len > max_bytes || !rt_json_check(text, len, max_depth))
		return -1;
	r->p = text;
	r->end = text + len;
	blanks(r);
	return 0;
}

enum rt_json_read_kind rt_json_read_kind(const struct rt_json_reader *r)
{
	if (r->p >= r->end)
		return RT_JSON_NONE;
	switch (*r->p) {
	case '"':
		return RT_JSON_STRING;
	case '[':
		return RT_JSON_ARRAY;
	case '{':
		return RT_JSON_OBJECT;
	case 'n':
		return RT_JSON_NULL;
	case 't':
		return RT_JSON_TRUE;
	case 'f':
		return RT_JSON_FALSE;
	default:
		break;
	}
	if (*r->p != '-' && (*r->p < '0' || *r->p > '9'))
		return RT_JSON_NONE;
	for (const char *q = r->p; q < r->end; q++) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			return RT_JSON_REAL;
		if (*q != '-' && (*q < '0' || *q > '9'))
			break;
	}
	return RT_JSON_INTEGER;
}

int rt_json_read_enter(struct rt_json_reader *r)
{
	enum rt_json_read_kind k = rt_json_read_kind(r);
	if (k != RT_JSON_ARRAY && k != RT_JSON_OBJECT)
		return -1;
	r->p++;
	blanks(r);
	return 0;
}

/* Past the string whose opening quote is at p: the byte after its closing
 * quote, or NULL when the text ends first. */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\' && ++p >= end)
			return NULL;
	}
	return NULL;
}

/* After a value, or at the start of a container's next item: a comma is
 * passed over; 1 when `close` follows (and is passed), 0 when something
 * else does, -1 at the end of the text. */
static int next_item(struct rt_json_reader *r, char close)
{
	blanks(r);
	if (r->p < r->end && *r->p == ',') {
		r->p++;
		blanks(r);
	}
	if (r->p >= r->end)
		return -1;
	if (*r->p != close)
		return 0;
	r->p++;
	blanks(r);
	return 1;
}

int rt_json_read_member(struct rt_json_reader *r)
{
	const char *after;
	int closed = next_item(r, '}');
	if (closed != 0)
		return closed == 1 ? 0 : -1;
	if (*r->p != '"' || !(after = string_end(r->p, r->end)))
		return -1;
	r->key = r->p + 1;
	r->key_len = (size_t)(after - 1 - r->key);
	r->p = after;
	blanks(r);
	if (r->p >= r->end || *r->p != ':')
		return -1;
	r->p++;
	blanks(r);
	return 1;
}

int rt_json_read_element(struct rt_json_reader *r)
{
	int closed = next_item(r, ']');
	if (closed != 0)
		return closed == 1 ? 0 : -1;
	return rt_json_read_kind(r) == RT_JSON_NONE ? -1 : 1;
}

/* Decodes the raw string body [p, end) (between the quotes, already
 * checked) into dst, which holds at least end - p bytes: the body never
 * grows when decoded (an escape of 2 to 12 bytes yields 1 to 4). Returns
 * the decoded length. */
static size_t decode(const char *p, const char *end, char *dst)
{
	char *q = dst;
	while (p < end) {
		if (*p != '\\') {
			*q++ = *p++;
			continue;
		}
		p++;
		char c = *p++;
		switch (c) {
		case 'b':
			*q++ = '\b';
			break;
		case 'f':
			*q++ = '\f';
			break;
		case 'n':
			*q++ = '\n';
			break;
		case 'r':
			*q++ = '\r';
			break;
		case 't':
			*q++ = '\t';
			break;
		case 'u': {
			uint32_t u = 0;
			for (int i = 0; i < 4; i++)
				u = u << 4 | (uint32_t)rt_hex_value((unsigned char)*p++);
			if (u >= 0xd800 && u <= 0xdbff) {
				/* The check let only a pair through: \uD8xx\uDCxx. */
				uint32_t lo = 0;
				p += 2;
				for (int i = 0; i < 4; i++)
					lo = lo << 4 | (uint32_t)rt_hex_value((unsigned char)*p++);
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (u < 0x80) {
				*q++ = (char)u;
			} else if (u < 0x800) {
				*q++ = (char)(0xc0 | u >> 6);
				*q++ = (char)(0x80 | (u & 0x3f));
			} else if (u < 0x10000) {
				*q++ = (char)(0xe0 | u >> 12);
				*q++ = (char)(0x80 | (u >> 6 & 0x3f));
				*q++ = (char)(0x80 | (u & 0x3f));
			} else {
				*q++ = (char)(0xf0 | u >> 18);
				*q++ = (char)(0x80 | (u >> 12 & 0x3f));
				*q++ = (char)(0x80 | (u >> 6 & 0x3f));
				*q++ = (char)(0x80 | (u & 0x3f));
			}
			break;
		}
		default: /* '"', '\\' and '/' stand for themselves */
			*q++ = c;
		}
	}
	return (size_t)(q - dst);
}

int rt_json_read_key_is(const struct rt_json_reader *r, const char *want)
{
	size_t n = strlen(want);
	if (!r->key)
		return 0;
	if (!memchr(r->key, '\\', r->key_len))
		return r->key_len == n && memcmp(r->key, want, n) == 0;
	/* An escaped key decodes to at most key_len bytes. */
	char stack[128], *buf = r->key_len <= sizeof(stack) ? stack : malloc(r->key_len);
	if (!buf)
		return 0;
	size_t got = decode(r->key, r->key + r->key_len, buf);
	int same = got == n && memcmp(buf, want, n) == 0;
	if (buf != stack)
		free(buf);
	return same;
}

int rt_json_read_string(struct rt_json_reader *r, struct rt_arena *a, const char **out)
{
	const char *after;
	if (rt_json_read_kind(r) != RT_JSON_STRING || !(after = string_end(r->p, r->end)))
		return -1;
	const char *body = r->p + 1, *body_end = after - 1;
	char *copy = rt_arena_alloc(a, (size_t)(body_end - body) + 1);
	copy[decode(body, body_end, copy)] = '\0';
	*out = copy;
	r->p = after;
	blanks(r);
	return 0;
}

int rt_json_read_integer(struct rt_json_reader *r, long long *out)
{
	char buf[24];
	size_t n = 0;
	if (rt_json_read_kind(r) != RT_JSON_INTEGER)
		return -1;
	while (r->p + n < r->end && (r->p[n] == '-' || (r->p[n] >= '0' && r->p[n] <= '9')))
		n++;
	/* The check refused integers outside a long long: at most 20 bytes. */
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, r->p, n);
	buf[n] = '\0';
	errno = 0;
	long long v = strtoll(buf, NULL, 10);
	if (errno == ERANGE)
		return -1;
	*out = v;
	r->p += n;
	blanks(r);
	return 0;
}

int rt_json_read_skip(struct rt_json_reader *r)
{
	size_t depth = 0;
	if (rt_json_read_kind(r) == RT_JSON_NONE)
		return -1;
	do {
		if (r->p >= r->end)
			return -1;
		switch (*r->p) {
		case '"':
			if (!(r->p = string_end(r->p, r->end))) {
				r->p = r->end;
				return -1;
			}
			break;
		case '[':
		case '{':
			depth++;
			r->p++;
			break;
		case ']':
		case '}':
			if (depth == 0)
				return -1; /* a closer, not a value */
			depth--;
			r->p++;
			break;
		default:
			/* A number, a word, or (inside a container) a comma, a
			 * colon or a blank: none holds a bracket or a quote. */
			r->p++;
			while (r->p < r->end && !strchr("\"[]{},: \t\r\n", *r->p))
				r->p++;
		}
	} while (depth > 0);
	blanks(r);
	return 0;
}
