/*
 * text_buf.c - a growing NUL-terminated text (text_buf.h).
 */
#include "common/text_buf.h"
#include "common/vec.h"

#include <string.h>

char *rt_text_buf_room(struct rt_text_buf *t, size_t n)
{
	RT_VEC_RESERVE(t->buf, t->cap, t->len + n + 1, 256);
	return t->buf + t->len;
}

void rt_text_buf_put(struct rt_text_buf *t, const char *s, size_t n)
{
	memcpy(rt_text_buf_room(t, n), s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void rt_text_buf_puts(struct rt_text_buf *t, const char *s)
{
	rt_text_buf_put(t, s, strlen(s));
}
