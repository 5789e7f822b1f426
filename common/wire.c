/*
 * wire.c - framing and fields of the host <-> worker protocol (wire.h).
 *
 * Lengths from the peer are compared against what is left before any
 * pointer moves, always as "len > end - p" (never p + len, which can wrap).
 */
#include "common/wire.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void rt_wire_buf_init(struct rt_wire_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->nested = SIZE_MAX;
}

void rt_wire_buf_cleanup(struct rt_wire_buf *b)
{
	free(b->data);
	rt_wire_buf_init(b);
}

void rt_wire_buf_consume(struct rt_wire_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

static unsigned char *reserve(struct rt_wire_buf *b, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	unsigned char *p = b->data + b->len;
	b->len += n;
	return p;
}

unsigned char *rt_wire_buf_space(struct rt_wire_buf *b, size_t n)
{
	unsigned char *p = reserve(b, n);
	b->len -= n;
	return p;
}

void rt_wire_begin(struct rt_wire_buf *b, enum rt_wire_type type, uint64_t id)
{
	b->frame = b->len;
	b->nested = SIZE_MAX;
	unsigned char *h = reserve(b, RT_WIRE_HEADER);
	put_le32(h, 0);
	h[4] = (unsigned char)type;
	h[5] = RT_WIRE_MAJOR;
	put_le16(h + 6, 0);
	put_le64(h + 8, id);
}

int rt_wire_end(struct rt_wire_buf *b)
{
	size_t body = b->len - b->frame - RT_WIRE_HEADER;
	if (body > RT_WIRE_MAX_FRAME) {
		b->len = b->frame;
		return -1;
	}
	put_le32(b->data + b->frame, (uint32_t)body);
	return 0;
}

void rt_wire_put_bytes(struct rt_wire_buf *b, uint16_t tag, const void *p, size_t n)
{
	/* Past 4 GiB a field cannot be framed; rt_wire_end refuses the frame
	 * anyway (it is over RT_WIRE_MAX_FRAME), so keep the length honest. */
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	unsigned char *h = reserve(b, 6 + n);
	put_le16(h, tag);
	put_le32(h + 2, (uint32_t)n);
	if (n)
		memcpy(h + 6, p, n);
}

void rt_wire_put_str(struct rt_wire_buf *b, uint16_t tag, const char *s)
{
	if (s)
		rt_wire_put_bytes(b, tag, s, strlen(s));
}

void rt_wire_put_u32(struct rt_wire_buf *b, uint16_t tag, uint32_t v)
{
	unsigned char x[4];
	put_le32(x, v);
	rt_wire_put_bytes(b, tag, x, 4);
}

void rt_wire_put_i64(struct rt_wire_buf *b, uint16_t tag, int64_t v)
{
	unsigned char x[8];
	put_le64(x, (uint64_t)v);
	rt_wire_put_bytes(b, tag, x, 8);
}

void rt_wire_put_pair(struct rt_wire_buf *b, uint16_t tag, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = value ? strlen(value) : 0;
	size_t n = nl + (value ? 1 + vl : 0);
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	unsigned char *h = reserve(b, 6 + n);
	put_le16(h, tag);
	put_le32(h + 2, (uint32_t)n);
	memcpy(h + 6, name, nl);
	if (value) {
		h[6 + nl] = 0;
		memcpy(h + 7 + nl, value, vl);
	}
}

void rt_wire_nest_open(struct rt_wire_buf *b, uint16_t tag)
{
	b->nested = b->len;
	unsigned char *h = reserve(b, 6);
	put_le16(h, tag);
	put_le32(h + 2, 0);
}

void rt_wire_nest_close(struct rt_wire_buf *b)
{
	if (b->nested == SIZE_MAX)
		return;
	size_t n = b->len - b->nested - 6;
	put_le32(b->data + b->nested + 2, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
	b->nested = SIZE_MAX;
}

int rt_wire_frame_next(const void *data, size_t n, size_t max, struct rt_wire_frame *f,
		       size_t *used, const char **err)
{
	const unsigned char *p = data;
	if (max > RT_WIRE_MAX_FRAME)
		max = RT_WIRE_MAX_FRAME;
	if (n < RT_WIRE_HEADER) {
		*used = RT_WIRE_HEADER;
		return 0;
	}
	uint32_t len = get_le32(p);
	/* The header is judged before the body arrives, so a peer cannot make
	 * the reader buffer a frame it would refuse. */
	if (len > max) {
		*err = "frame over the size limit";
		return -1;
	}
	if (p[5] != RT_WIRE_MAJOR) {
		*err = "frame of another protocol major";
		return -1;
	}
	if (get_le16(p + 6) != 0) {
		*err = "frame flags set";
		return -1;
	}
	if (p[4] == 0 || p[4] > RT_WIRE_TYPE_MAX) {
		*err = "unknown frame type";
		return -1;
	}
	if (n - RT_WIRE_HEADER < len) {
		*used = RT_WIRE_HEADER + (size_t)len;
		return 0;
	}
	f->type = (enum rt_wire_type)p[4];
	f->id = get_le64(p + 8);
	f->body = p + RT_WIRE_HEADER;
	f->len = len;
	*used = RT_WIRE_HEADER + (size_t)len;
	return 1;
}

void rt_wire_iter_init(struct rt_wire_iter *it, const void *body, size_t len)
{
	it->p = body;
	it->end = it->p + len;
}

int rt_wire_iter_next(struct rt_wire_iter *it, struct rt_wire_field *fld)
{
	size_t left = (size_t)(it->end - it->p);
	if (left == 0)
		return 0;
	if (left < 6)
		return -1;
	uint32_t len = get_le32(it->p + 2);
	if (len > left - 6)
		return -1;
	fld->tag = get_le16(it->p);
	fld->len = len;
	fld->data = it->p + 6;
	it->p += 6 + (size_t)len;
	return 1;
}

int rt_wire_get_u32(const struct rt_wire_field *f, uint32_t *v)
{
	if (f->len != 4)
		return -1;
	*v = get_le32(f->data);
	return 0;
}

int rt_wire_get_i64(const struct rt_wire_field *f, int64_t *v)
{
	if (f->len != 8)
		return -1;
	*v = (int64_t)get_le64(f->data);
	return 0;
}

int rt_wire_get_str(const struct rt_wire_field *f, struct rt_arena *a, const char **s)
{
	if (f->len && memchr(f->data, 0, f->len))
		return -1;
	*s = rt_arena_strndup(a, (const char *)f->data, f->len);
	return 0;
}

/* For the message decoders (wire_msg.c, wire_entity.c). */
int rt_wire_count_tag(const void *body, size_t len, uint16_t tag, size_t *n, const char **err)
{
	return rt_wire_count_tag_max(body, len, tag, RT_WIRE_MAX_LIST, n, err);
}

int rt_wire_count_tag_max(const void *body, size_t len, uint16_t tag, size_t max, size_t *n,
			  const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field f;
	int rc;
	*n = 0;
	rt_wire_iter_init(&it, body, len);
	while ((rc = rt_wire_iter_next(&it, &f)) == 1) {
		if (f.tag == tag && ++*n > max) {
			*err = "list over the length limit";
			return -1;
		}
	}
	if (rc < 0) {
		*err = "truncated field";
		return -1;
	}
	return 0;
}
