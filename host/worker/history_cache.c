/*
 * history_cache.c - the pasts an episode worker keeps, decoded, per
 * instance and execution (history_cache.h). Without it the host sent every
 * episode the instance's whole history and the worker decoded all of it,
 * so each step of a long sequence cost more than the one before.
 *
 * The policy is the engine's own history cache (runtime/engine_cache.c):
 * a slot is used only when it matches exactly (same execution id, exactly
 * past_held events, the last one byte-identical to the tail the host
 * sent), anything else is answered "resend in full", never guessed at.
 * Slots are direct-mapped (a collision evicts), finished instances are
 * dropped, idle ones after the idle time, and memory is bounded per slot
 * and in total; a past beyond the bounds is decoded for its episode only
 * and not kept. Only what the host sent as past is kept, never the
 * worker's own results: the engine commits events in its own order.
 *
 * Bytes are counted as a fixed cost per slot (its arena's first chunk and
 * names), the event array as allocated, and the encoded size of each event
 * for its strings: decoded strings take no more than their encoding.
 */
#include "host/worker/history_cache.h"

#include "common/hash.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_COST (8192 + 512) /* the strings arena's first chunk, the names */

struct slot {
	char *instance; /* NULL: empty */
	char *execution;
	struct rt_event *ev; /* n decoded events, is_played = 1 */
	size_t n, cap;
	struct rt_arena strings; /* the events' strings: chunks never move */
	unsigned char *tail;     /* the encoded bytes of event n - 1 */
	size_t tail_len;
	size_t bytes;
	int64_t used_us;
};

struct history_cache {
	struct slot slots[HISTORY_CACHE_SLOTS];
	size_t count, bytes;
	int64_t idle_us;
	size_t entry_max, total_max;
};

struct history_cache *history_cache_new(int64_t idle_us, size_t entry_max, size_t total_max)
{
	struct history_cache *c = xcalloc(1, sizeof(*c));
	c->idle_us = idle_us > 0 ? idle_us : HISTORY_CACHE_IDLE_US;
	c->entry_max = entry_max ? entry_max : HISTORY_CACHE_ENTRY_MAX;
	c->total_max = total_max ? total_max : HISTORY_CACHE_TOTAL_MAX;
	return c;
}

static void slot_clear(struct history_cache *c, struct slot *s)
{
	if (!s->instance)
		return;
	rt_arena_cleanup(&s->strings);
	free(s->instance);
	free(s->execution);
	free(s->ev);
	free(s->tail);
	c->bytes -= s->bytes;
	c->count--;
	memset(s, 0, sizeof(*s));
}

void history_cache_free(struct history_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < HISTORY_CACHE_SLOTS; i++)
		slot_clear(c, &c->slots[i]);
	free(c);
}

static struct slot *slot_of(struct history_cache *c, const char *instance)
{
	return &c->slots[rt_hash_str(instance) & (HISTORY_CACHE_SLOTS - 1)];
}

static int holds(const struct slot *s, const char *instance, const char *execution)
{
	return s->instance && strcmp(s->instance, instance) == 0 && execution &&
	       strcmp(s->execution, execution) == 0;
}

/* What keeping the n events at ev adds to a slot of `have` events (the
 * array may double). */
static size_t cost_of(const struct rt_wire_bytes *ev, size_t n, size_t have)
{
	size_t need = (have ? 2 * n : n < 16 ? 16 : 2 * n) * sizeof(struct rt_event) +
		      (have ? 0 : SLOT_COST);
	for (size_t i = 0; i < n; i++)
		need += ev[i].len + 16;
	return need;
}

static int fits(const struct history_cache *c, const struct slot *s, size_t add)
{
	return s->bytes + add <= c->entry_max && c->bytes + add <= c->total_max;
}

/* Decodes n events into dst (strings in a), marked played: 0 or -1. */
static int decode_into(struct rt_event *dst, const struct rt_wire_bytes *src, size_t n,
		       struct rt_arena *a)
{
	for (size_t i = 0; i < n; i++) {
		if (rt_history_decode(src[i].data, src[i].len, &dst[i], a) != 0)
			return -1;
		dst[i].is_played = 1;
	}
	return 0;
}

/* Appends the request's events to s (room checked): 0 or -1 (s emptied). */
static int slot_add(struct history_cache *c, struct slot *s, const struct rt_wire_orch_request *m)
{
	if (m->npast == 0)
		return 0;
	size_t add = s->n ? 0 : SLOT_COST, cap = s->cap;
	for (size_t i = 0; i < m->npast; i++)
		add += m->past[i].len + 16;
	if (s->n + m->npast > s->cap) {
		s->ev = rt_vec_reserve(s->ev, &s->cap, s->n + m->npast, sizeof(*s->ev), 16);
		add += (s->cap - cap) * sizeof(*s->ev);
	}
	if (decode_into(&s->ev[s->n], m->past, m->npast, &s->strings) != 0) {
		slot_clear(c, s);
		return -1;
	}
	s->n += m->npast;
	const struct rt_wire_bytes *last = &m->past[m->npast - 1];
	free(s->tail);
	s->tail = xmalloc(last->len ? last->len : 1);
	memcpy(s->tail, last->data, last->len);
	s->tail_len = last->len;
	s->bytes += add;
	c->bytes += add;
	return 0;
}

int history_cache_past(struct history_cache *c, const struct rt_wire_orch_request *m,
		       int64_t now_mono_us, struct rt_arena *a, const struct rt_event **past,
		       size_t *n, int *held, const char **err)
{
	struct slot *s = slot_of(c, m->instance);
	*held = 0;
	*past = NULL;
	*n = 0;
	if (m->past_held > 0) {
		if (!holds(s, m->instance, m->execution) || s->n != m->past_held ||
		    s->tail_len != m->past_tail.len ||
		    memcmp(s->tail, m->past_tail.data, s->tail_len) != 0) {
			if (s->instance && strcmp(s->instance, m->instance) == 0)
				slot_clear(c, s);
			return 1;
		}
		s->used_us = now_mono_us;
		if (fits(c, s, cost_of(m->past, m->npast, s->n))) {
			if (slot_add(c, s, m) != 0) {
				*err = "a past event does not decode";
				return -1;
			}
			*past = s->ev;
			*n = s->n;
			*held = 1;
			return 0;
		}
		/* Too large to keep: this episode gets the held events and the
		 * new ones in its own arena, and the slot goes. */
		struct rt_event *all = rt_arena_alloc(a, (s->n + m->npast + 1) * sizeof(*all));
		memcpy(all, s->ev, s->n * sizeof(*all));
		for (size_t i = 0; i < s->n; i++) {
			/* The strings must outlive the slot: copied. */
			struct rt_event *e = &all[i];
			const char **f[] = {&e->name, &e->input, &e->result, &e->reason, &e->details,
					    &e->instance_id, &e->execution_id, &e->parent_instance_id,
					    &e->parent_execution_id, &e->parent_name, &e->data,
					    &e->previous_input};
			for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
				*f[k] = rt_arena_strdup(a, *f[k]);
		}
		size_t before = s->n;
		slot_clear(c, s);
		if (decode_into(&all[before], m->past, m->npast, a) != 0) {
			*err = "a past event does not decode";
			return -1;
		}
		*past = all;
		*n = before + m->npast;
		return 0;
	}
	/* The whole past: it replaces whatever the slot held. */
	slot_clear(c, s);
	if (m->npast > 0 && m->execution && fits(c, s, cost_of(m->past, m->npast, 0))) {
		s->instance = xstrdup(m->instance);
		s->execution = xstrdup(m->execution);
		rt_arena_init(&s->strings);
		s->used_us = now_mono_us;
		c->count++;
		if (slot_add(c, s, m) != 0) {
			*err = "a past event does not decode";
			return -1;
		}
		*past = s->ev;
		*n = s->n;
		*held = 1;
		return 0;
	}
	struct rt_event *all = rt_arena_alloc(a, (m->npast + 1) * sizeof(*all));
	if (decode_into(all, m->past, m->npast, a) != 0) {
		*err = "a past event does not decode";
		return -1;
	}
	*past = all;
	*n = m->npast;
	return 0;
}

void history_cache_drop(struct history_cache *c, const char *instance)
{
	struct slot *s = slot_of(c, instance);
	if (s->instance && strcmp(s->instance, instance) == 0)
		slot_clear(c, s);
}

int64_t history_cache_sweep(struct history_cache *c, int64_t now_mono_us)
{
	int64_t next = 0;
	for (size_t i = 0; i < HISTORY_CACHE_SLOTS && c->count > 0; i++) {
		struct slot *s = &c->slots[i];
		if (!s->instance)
			continue;
		int64_t due = s->used_us + c->idle_us;
		if (due <= now_mono_us)
			slot_clear(c, s);
		else if (next == 0 || due < next)
			next = due;
	}
	return next;
}

size_t history_cache_count(const struct history_cache *c)
{
	return c->count;
}

size_t history_cache_bytes(const struct history_cache *c)
{
	return c->bytes;
}
