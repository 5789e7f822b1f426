/*
 * arena.h - bump allocator for one invocation or one orchestrator episode.
 *
 * Everything an episode decodes or the orchestrator allocates lives here and
 * is released at once by rt_arena_reset() after the episode commits. Memory
 * is 16-byte aligned; allocation aborts on OOM (xalloc.h). Not thread-safe:
 * an arena belongs to the thread running its invocation.
 */
#ifndef RT_ARENA_H
#define RT_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct rt_arena_chunk;

struct rt_arena {
	struct rt_arena_chunk *head; /* newest chunk first */
	struct rt_arena_chunk *spare; /* kept by reset for reuse */
	size_t spare_bytes;          /* capacity of the spare chunks */
	size_t used;                 /* bytes used in head */
	size_t total;                /* bytes handed out since the last reset */
};

void rt_arena_init(struct rt_arena *a);
/* Frees every chunk; the arena may be reused after rt_arena_init(). */
void rt_arena_cleanup(struct rt_arena *a);
/* Releases all allocations; keeps up to 4 MiB of chunks for reuse. */
void rt_arena_reset(struct rt_arena *a);

void *rt_arena_alloc(struct rt_arena *a, size_t n);
void *rt_arena_calloc(struct rt_arena *a, size_t n);
char *rt_arena_strdup(struct rt_arena *a, const char *s);   /* NULL stays NULL */
char *rt_arena_strndup(struct rt_arena *a, const char *s, size_t n);
char *rt_arena_vfmt(struct rt_arena *a, const char *fmt, va_list ap);
char *rt_arena_fmt(struct rt_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
