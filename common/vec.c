#include "common/vec.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void *rt_vec_reserve(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t c;
	if (need <= *cap)
		return p;
	for (c = *cap ? *cap : first; c < need; c *= 2)
		;
	*cap = c;
	return xrealloc(p, c * elem);
}

void *rt_vec_push(struct rt_vec *v, size_t elem)
{
	void *p;
	v->v = rt_vec_reserve(v->v, &v->cap, v->n + 1, elem, 16);
	p = (char *)v->v + v->n++ * elem;
	memset(p, 0, elem);
	return p;
}

void rt_vec_free(struct rt_vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}
