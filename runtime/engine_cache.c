/*
 * engine_cache.c - histories of recently active instances, kept encoded in
 * memory so an episode does not read its whole history back from SQLite
 * (a fan-in of N results would otherwise re-read N events per episode).
 *
 * A slot is only used when it matches the instance row read in the same
 * transaction: same execution id and history_len == the cached event count.
 * Any other case reloads from the store, so a stale slot (a rolled-back
 * batch, a purge, an overwrite) can cost a reload but never a wrong replay.
 * Slots are direct-mapped (a collision evicts), finished instances are
 * dropped at once and idle ones after ENGINE_CACHE_IDLE_US, so instances
 * that wait for days do not stay in memory.
 */
#include "engine_cache.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define ENGINE_CACHE_SLOTS 4096
#define ENGINE_CACHE_IDLE_US (10 * 1000000LL)
#define ENGINE_CACHE_MAX_BLOB (1u << 20) /* larger histories are not cached */

struct engine_cache_slot {
	char *instance_id; /* NULL: empty */
	char execution_id[33];
	int n;             /* events cached */
	unsigned char *blob;
	size_t len, cap;
	int64_t used_us;
};

struct engine_cache {
	struct engine_cache_slot slots[ENGINE_CACHE_SLOTS];
	size_t sweep;      /* next slot the idle sweep looks at */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void slot_clear(struct engine_cache_slot *s)
{
	free(s->instance_id);
	free(s->blob);
	memset(s, 0, sizeof(*s));
}

struct engine_cache *engine_cache_new(void)
{
	return xcalloc(1, sizeof(struct engine_cache));
}

void engine_cache_free(struct engine_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < ENGINE_CACHE_SLOTS; i++)
		slot_clear(&c->slots[i]);
	free(c);
}

void engine_cache_clear(struct engine_cache *c)
{
	for (size_t i = 0; i < ENGINE_CACHE_SLOTS; i++)
		slot_clear(&c->slots[i]);
}

static struct engine_cache_slot *slot_of(struct engine_cache *c, const char *id)
{
	return &c->slots[hash(id) & (ENGINE_CACHE_SLOTS - 1)];
}

int engine_cache_get(struct engine_cache *c, const char *id, const char *execution_id, int n,
		     int64_t now_us, struct rt_event **events, struct rt_arena *a)
{
	struct engine_cache_slot *s = slot_of(c, id);
	const unsigned char *p, *end;
	struct rt_event *ev;
	int k = 0;

	if (!s->instance_id || strcmp(s->instance_id, id) != 0 ||
	    strcmp(s->execution_id, execution_id) != 0 || s->n != n)
		return -1;
	ev = rt_arena_calloc(a, ((size_t)n + 1) * sizeof(*ev));
	for (p = s->blob, end = s->blob + s->len; p < end && k < n; k++) {
		size_t used;
		if (rt_history_decode_next(p, (size_t)(end - p), &used, &ev[k], a) != 0)
			break;
		ev[k].is_played = 1;
		p += used;
	}
	if (k != n || p != end) {
		slot_clear(s); /* should not happen; reload from the store */
		return -1;
	}
	s->used_us = now_us;
	*events = ev;
	return 0;
}

void engine_cache_put(struct engine_cache *c, const char *id, const char *execution_id, int n,
		      const struct rt_history_row *rows, size_t nrows, int64_t now_us)
{
	struct engine_cache_slot *s = slot_of(c, id);
	size_t total = 0;
	for (size_t i = 0; i < nrows; i++)
		total += rows[i].len;
	if (total > ENGINE_CACHE_MAX_BLOB || strlen(execution_id) >= sizeof(s->execution_id)) {
		if (s->instance_id && strcmp(s->instance_id, id) == 0)
			slot_clear(s);
		return;
	}
	if (!s->instance_id || strcmp(s->instance_id, id) != 0) {
		slot_clear(s);
		s->instance_id = xstrdup(id);
	}
	strcpy(s->execution_id, execution_id);
	s->len = 0;
	s->n = 0;
	engine_cache_append(c, id, execution_id, s->n, rows, nrows, now_us);
	(void)n;
}

void engine_cache_append(struct engine_cache *c, const char *id, const char *execution_id,
			 int n_before, const struct rt_history_row *rows, size_t nrows,
			 int64_t now_us)
{
	struct engine_cache_slot *s = slot_of(c, id);
	size_t add = 0;
	if (!s->instance_id || strcmp(s->instance_id, id) != 0 ||
	    strcmp(s->execution_id, execution_id) != 0 || s->n != n_before)
		return;
	for (size_t i = 0; i < nrows; i++)
		add += rows[i].len;
	if (s->len + add > ENGINE_CACHE_MAX_BLOB) {
		slot_clear(s);
		return;
	}
	if (s->len + add > s->cap) {
		s->cap = (s->len + add) * 2;
		s->blob = xrealloc(s->blob, s->cap);
	}
	for (size_t i = 0; i < nrows; i++) {
		memcpy(s->blob + s->len, rows[i].data, rows[i].len);
		s->len += rows[i].len;
	}
	s->n += (int)nrows;
	s->used_us = now_us;
}

void engine_cache_drop(struct engine_cache *c, const char *id)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (s->instance_id && strcmp(s->instance_id, id) == 0)
		slot_clear(s);
}

void engine_cache_sweep(struct engine_cache *c, int64_t now_us)
{
	/* A slice per call keeps the sweep off the batch's critical path. */
	for (int k = 0; k < 64; k++) {
		struct engine_cache_slot *s = &c->slots[c->sweep];
		c->sweep = (c->sweep + 1) & (ENGINE_CACHE_SLOTS - 1);
		if (s->instance_id && now_us - s->used_us > ENGINE_CACHE_IDLE_US)
			slot_clear(s);
	}
}
