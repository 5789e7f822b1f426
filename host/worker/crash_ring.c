/*
 * crash_ring.c - call records and the ring of recent crashes (crash_ring.h).
 */
#include "host/worker/crash_ring.h"

#include <string.h>

void host_worker_text_copy(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;
	if (n == 0)
		return;
	if (len >= n) {
		len = n - 1;
		/* Back off to the start of the sequence that was cut: bytes
		 * 10xxxxxx continue one, any other byte starts one. */
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

void host_worker_call_set(struct host_worker_call *c, enum host_call_kind kind,
			  const char *function, const char *instance, const char *invocation,
			  int64_t since_us)
{
	c->kind = kind;
	host_worker_text_copy(c->function, sizeof(c->function), function);
	host_worker_text_copy(c->instance, sizeof(c->instance), instance);
	host_worker_text_copy(c->invocation, sizeof(c->invocation), invocation);
	c->since_us = since_us;
}

void crash_ring_add(struct crash_ring *r, const struct host_worker_crash *c)
{
	r->e[r->next] = *c;
	r->next = (r->next + 1) % HOST_WORKER_CRASHES;
	if (r->n < HOST_WORKER_CRASHES)
		r->n++;
}

size_t crash_ring_copy(const struct crash_ring *r, struct host_worker_crash *out)
{
	for (size_t i = 0; i < r->n; i++)
		out[i] = r->e[(r->next + HOST_WORKER_CRASHES - 1 - i) % HOST_WORKER_CRASHES];
	return r->n;
}
