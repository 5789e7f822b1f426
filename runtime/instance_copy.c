/*
 * instance_copy.c - a status row copied into memory of the caller's
 * (store.h, rt_instance_text_size and rt_instance_text_copy), for rows that
 * must outlive the engine batch's arena they were committed in: the waits'
 * due rows and the parked HTTP answers each keep one malloc'd block, the
 * row's strings right behind it.
 */
#include "runtime/store.h"

#include <string.h>

static size_t size_of(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* s copied to *room, which moves past it; NULL stays NULL. */
static const char *put(char **room, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *at = *room;
	memcpy(at, s, n);
	*room += n;
	return at;
}

size_t rt_instance_text_size(const struct rt_instance *r)
{
	return size_of(r->instance_id) + size_of(r->name) + size_of(r->execution_id) +
	       size_of(r->parent_instance_id) + size_of(r->parent_execution_id) +
	       size_of(r->input) + size_of(r->output) + size_of(r->custom_status);
}

void rt_instance_text_copy(struct rt_instance *to, const struct rt_instance *from, char *room)
{
	*to = *from;
	to->instance_id = put(&room, from->instance_id);
	to->name = put(&room, from->name);
	to->execution_id = put(&room, from->execution_id);
	to->parent_instance_id = put(&room, from->parent_instance_id);
	to->parent_execution_id = put(&room, from->parent_execution_id);
	to->input = put(&room, from->input);
	to->output = put(&room, from->output);
	to->custom_status = put(&room, from->custom_status);
}
