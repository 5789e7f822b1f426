/*
 * arena.c - chunks are kept across resets and reused: an engine batch or an
 * HTTP invocation allocates about the same amount every time, and handing
 * the chunks back to malloc made glibc trim and re-fault the same pages on
 * every batch (measured: ~15% of the engine thread). Only what exceeds
 * ARENA_KEEP is freed on reset.
 */
#include "common/arena.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 8192
#define ARENA_KEEP (4u << 20) /* bytes of chunks kept for reuse */
#define ALIGN(n) (((n) + 15) & ~(size_t)15)

struct rt_arena_chunk {
	struct rt_arena_chunk *next;
	size_t cap;
	_Alignas(16) unsigned char data[];
};

void rt_arena_init(struct rt_arena *a)
{
	a->head = NULL;
	a->spare = NULL;
	a->spare_bytes = 0;
	a->used = 0;
	a->total = 0;
}

static void free_chain(struct rt_arena_chunk *c)
{
	struct rt_arena_chunk *next;
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
}

void rt_arena_cleanup(struct rt_arena *a)
{
	free_chain(a->head);
	free_chain(a->spare);
	rt_arena_init(a);
}

void rt_arena_reset(struct rt_arena *a)
{
	/* Counted, not walked: a big episode leaves hundreds of spare chunks,
	 * and walking them on every reset was a visible share of the engine. */
	size_t kept = a->spare_bytes;
	struct rt_arena_chunk *c = a->head, *next;
	/* Spare chunks first in, so a chain of equal chunks is reused in order. */
	for (; c; c = next) {
		next = c->next;
		if (kept + c->cap <= ARENA_KEEP) {
			c->next = a->spare;
			a->spare = c;
			kept += c->cap;
		} else {
			free(c);
		}
	}
	a->head = NULL;
	a->spare_bytes = kept;
	a->used = 0;
	a->total = 0;
}

static struct rt_arena_chunk *take_spare(struct rt_arena *a, size_t n)
{
	struct rt_arena_chunk **pp = &a->spare;
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->cap >= n) {
			struct rt_arena_chunk *c = *pp;
			*pp = c->next;
			a->spare_bytes -= c->cap;
			return c;
		}
	}
	return NULL;
}

void *rt_arena_alloc(struct rt_arena *a, size_t n)
{
	n = ALIGN(n ? n : 1);
	if (!a->head || a->used + n > a->head->cap) {
		struct rt_arena_chunk *c = take_spare(a, n);
		if (!c) {
			size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
			c = xmalloc(sizeof(*c) + cap);
			c->cap = cap;
		}
		if (a->head && n > CHUNK_MIN && c->cap - n < a->head->cap - a->used) {
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
	int n;
	/* Straight into the free end of the current chunk when it fits: one
	 * formatting pass instead of two (orchestrators format an input per
	 * task, 100,000 times per episode in a large fan-out). */
	if (a->head && a->head->cap > a->used) {
		char *p = (char *)a->head->data + a->used;
		size_t room = a->head->cap - a->used;
		va_copy(ap2, ap);
		n = vsnprintf(p, room, fmt, ap2);
		va_end(ap2);
		if (n >= 0 && (size_t)n < room) {
			size_t used = ALIGN((size_t)n + 1);
			a->used += used < room ? used : room;
			a->total += used;
			return p;
		}
	}
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
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
