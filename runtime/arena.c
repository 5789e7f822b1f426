#include "arena.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 8192
#define ALIGN(n) (((n) + 15) & ~(size_t)15)

struct rt_arena_chunk {
	struct rt_arena_chunk *next;
	size_t cap;
	_Alignas(16) unsigned char data[];
};

void rt_arena_init(struct rt_arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void rt_arena_cleanup(struct rt_arena *a)
{
	struct rt_arena_chunk *c = a->head, *next;
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	rt_arena_init(a);
}

void rt_arena_reset(struct rt_arena *a)
{
	struct rt_arena_chunk *keep = a->head;
	if (!keep)
		return;
	/* Keep the newest chunk only if it is the ordinary size, so one huge
	 * episode does not pin a huge buffer forever. */
	if (keep->cap > 4 * CHUNK_MIN) {
		rt_arena_cleanup(a);
		return;
	}
	struct rt_arena_chunk *c = keep->next, *next;
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	keep->next = NULL;
	a->used = 0;
	a->total = 0;
}

void *rt_arena_alloc(struct rt_arena *a, size_t n)
{
	n = ALIGN(n ? n : 1);
	if (!a->head || a->used + n > a->head->cap) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		struct rt_arena_chunk *c = xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		if (a->head && n > CHUNK_MIN) {
			/* A big block goes behind the current chunk, which keeps its space. */
			c->next = a->head->next;
			a->head->next = c;
			a->total += n;
			return c->data;
		}
		c->next = a->head;
		a->head = c;
		a->used = 0;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	a->total += n;
	return p;
}

void *rt_arena_calloc(struct rt_arena *a, size_t n)
{
	void *p = rt_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *rt_arena_strndup(struct rt_arena *a, const char *s, size_t n)
{
	char *d = rt_arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *rt_arena_strdup(struct rt_arena *a, const char *s)
{
	return s ? rt_arena_strndup(a, s, strlen(s)) : NULL;
}

char *rt_arena_vfmt(struct rt_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *s = rt_arena_alloc(a, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *rt_arena_fmt(struct rt_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = rt_arena_vfmt(a, fmt, ap);
	va_end(ap);
	return s;
}
