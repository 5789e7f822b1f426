/*
 * vec.h - growable arrays that double their capacity: amortised O(1)
 * appends, and one place that decides how they grow. The arrays are
 * malloc'd (xrealloc: out of memory aborts) and belong to whoever holds
 * the pointer; free them with free() or rt_vec_free().
 *
 * Two forms:
 *   - struct rt_vec, untyped, for code that keeps several arrays of
 *     different element types side by side (replay's timeline);
 *   - RT_VEC_RESERVE for a typed pointer with its own size_t capacity
 *     field, which most structs already have.
 */
#ifndef COMMON_VEC_H
#define COMMON_VEC_H

#include <stddef.h>

struct rt_vec {
	void *v;
	size_t n, cap;
};

/* Appends one zeroed element of `elem` bytes; returns it (valid until the
 * next push). The first growth makes room for 16. */
void *rt_vec_push(struct rt_vec *v, size_t elem);
/* Frees the elements and empties v (it can be used again). */
void rt_vec_free(struct rt_vec *v);

/* p (holding *cap elements of elem bytes) reallocated to hold at least
 * `need`: *cap doubles from `first` (or from itself) until it does. p is
 * returned unchanged when it already has room. */
void *rt_vec_reserve(void *p, size_t *cap, size_t need, size_t elem, size_t first);

/* RT_VEC_RESERVE(ptr, cap, need, first): the same for a typed pointer and
 * its size_t capacity (both lvalues, evaluated more than once). */
#define RT_VEC_RESERVE(ptr, cap, need, first) \
	((ptr) = rt_vec_reserve((ptr), &(cap), (need), sizeof(*(ptr)), (first)))

#endif
