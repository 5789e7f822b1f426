/*
 * text_buf.h - a growing NUL-terminated text, for writers that build one
 * answer piece by piece. The buffer is malloc'd (out of memory aborts) and
 * belongs to whoever holds the struct: free(t.buf) when done, or keep it.
 * Start from a zeroed struct.
 */
#ifndef COMMON_TEXT_BUF_H
#define COMMON_TEXT_BUF_H

#include <stddef.h>

struct rt_text_buf {
	char *buf; /* NULL until the first append; then always NUL-terminated */
	size_t len, cap;
};

/* Appends the n bytes at s. */
void rt_text_buf_put(struct rt_text_buf *t, const char *s, size_t n);
/* Appends the string s. */
void rt_text_buf_puts(struct rt_text_buf *t, const char *s);
/* Makes room for n more bytes and the NUL; returns where they go (the
 * caller writes them, then adds n to t->len and ends with the NUL). */
char *rt_text_buf_room(struct rt_text_buf *t, size_t n);

#endif
