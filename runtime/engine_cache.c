/*
 * engine_cache.c - histories of recently active instances, kept decoded in
 * memory. Without it every episode re-read its whole history from SQLite
 * and decoded it again, so each step of a long sequence cost more than the
 * one before (10,000 sequential activities: 2 ms per step at the start,
 * 13 ms at the end) and a fan-in of N results re-read N events per episode.
 * With it an episode costs what its new events cost, plus the replay.
 *
 * A slot is only used when it matches the instance row read in the same
 * transaction: same execution id and history_len == the cached event count.
 * Any other case reloads from the store, so a stale slot (a rolled-back
 * batch, a purge, an overwrite) can cost a reload but never a wrong replay.
 * Slots are direct-mapped (a collision evicts), finished instances are
 * dropped at once and idle ones after ENGINE_CACHE_IDLE_US, so instances
 * that wait for days do not stay in memory. Memory is bounded per slot and
 * in total; a history beyond the bounds is simply read from the store.
 *
 * Strings live in a per-slot pool of chunks that never move, so the events
 * handed out keep valid strings while the slot grows; the event array
 * itself is realloc'd (engine_cache.h says how long a got array lives).
 */
#include "runtime/engine_cache.h"
#include "common/vec.h"
#include "common/hash.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define ENGINE_CACHE_SLOTS 4096
#define ENGINE_CACHE_IDLE_US (10 * 1000000LL)
#define ENGINE_CACHE_SLOT_MAX (96u << 20)   /* bytes one instance may hold */
#define ENGINE_CACHE_TOTAL_MAX (256u << 20) /* bytes all slots may hold */
#define POOL_FIRST 256
/* Pacing: episodes cheaper than this are never held back; a heavy one that
 * only absorbed results holds the next one back for this many times its
 * cost, at most ENGINE_PACE_MAX_US. */
#define ENGINE_PACE_MIN_COST_US 4000
#define ENGINE_PACE_FACTOR 3
#define ENGINE_PACE_MAX_US 1000000

struct pool_chunk {
	struct pool_chunk *next;
	size_t cap, used;
	char data[];
};

struct engine_cache_slot {
	char *instance_id; /* NULL: empty */
	char execution_id[33];
	struct rt_event *ev; /* n decoded events, is_played = 1 */
	size_t n, cap;
	struct pool_chunk *pool; /* newest first */
	size_t bytes;            /* event array + pool + index, counted in the total */
	int64_t used_us;
	/* What replay would find walking the events (replay.h): kept as they
	 * are added; index_bad once an event makes it unusable (an ended
	 * execution, a duplicate or out-of-range sequence number). */
	struct rt_past_index index;
	int *sched_at;
	size_t cap_sched;
	int index_bad;
	int64_t pace_until_mono_us; /* see engine_cache_pace_until */
	int64_t last_cost_us;       /* the last episode's replay, engine_cache_last_cost */
};

struct engine_cache {
	struct engine_cache_slot slots[ENGINE_CACHE_SLOTS];
	size_t sweep;      /* next slot the idle sweep looks at */
	size_t bytes;      /* held by all slots */
	struct rt_arena scratch; /* rows being decoded by put */
};

static void slot_clear(struct engine_cache *c, struct engine_cache_slot *s)
{
	struct pool_chunk *p, *next;
	for (p = s->pool; p; p = next) {
		next = p->next;
		free(p);
	}
	c->bytes -= s->bytes;
	free(s->instance_id);
	free(s->ev);
	free(s->sched_at);
	memset(s, 0, sizeof(*s));
}

struct engine_cache *engine_cache_new(void)
{
	struct engine_cache *c = xcalloc(1, sizeof(struct engine_cache));
	rt_arena_init(&c->scratch);
	return c;
}

void engine_cache_clear(struct engine_cache *c)
{
	for (size_t i = 0; i < ENGINE_CACHE_SLOTS; i++)
		if (c->slots[i].instance_id)
			slot_clear(c, &c->slots[i]);
}

void engine_cache_free(struct engine_cache *c)
{
	if (!c)
		return;
	engine_cache_clear(c);
	rt_arena_cleanup(&c->scratch);
	free(c);
}

static struct engine_cache_slot *slot_of(struct engine_cache *c, const char *id)
{
	return &c->slots[rt_hash_str(id) & (ENGINE_CACHE_SLOTS - 1)];
}

static int holds(const struct engine_cache_slot *s, const char *id, const char *execution_id)
{
	return s->instance_id && strcmp(s->instance_id, id) == 0 &&
	       strcmp(s->execution_id, execution_id) == 0;
}

/* Room for `add` more bytes in this slot and in the whole cache? */
static int fits(const struct engine_cache *c, const struct engine_cache_slot *s, size_t add)
{
	return s->bytes + add <= ENGINE_CACHE_SLOT_MAX && c->bytes + add <= ENGINE_CACHE_TOTAL_MAX;
}

/* A copy of str in the slot's pool; NULL stays NULL. */
static const char *pool_dup(struct engine_cache *c, struct engine_cache_slot *s, const char *str)
{
	struct pool_chunk *p = s->pool;
	size_t n;
	if (!str)
		return NULL;
	n = strlen(str) + 1;
	if (!p || p->cap - p->used < n) {
		/* Doubling chunks: few mallocs for a big history, little waste
		 * for the many small ones. */
		size_t cap = p ? 2 * p->cap : POOL_FIRST;
		if (cap < n)
			cap = n;
		if (cap > (1u << 20) && n <= (1u << 20))
			cap = 1u << 20;
		p = xmalloc(sizeof(*p) + cap);
		p->cap = cap;
		p->used = 0;
		p->next = s->pool;
		s->pool = p;
		s->bytes += sizeof(*p) + cap;
		c->bytes += sizeof(*p) + cap;
	}
	char *d = p->data + p->used;
	memcpy(d, str, n);
	p->used += n;
	return d;
}

/* Pool bytes the strings of ev need at most. */
static size_t strings_size(const struct rt_event *ev)
{
	const char *f[] = { ev->name, ev->input, ev->result, ev->reason, ev->details,
			    ev->instance_id, ev->execution_id, ev->parent_instance_id,
			    ev->parent_execution_id, ev->parent_name, ev->data };
	size_t n = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i])
			n += strlen(f[i]) + 1;
	return n;
}

static int is_sched(enum rt_event_type t)
{
	return t == RT_EV_TASK_SCHEDULED || t == RT_EV_TIMER_CREATED ||
	       t == RT_EV_SUB_ORCH_CREATED || t == RT_EV_EVENT_SENT;
}

/* Updates the slot's index with event number idx. */
static void index_add(struct engine_cache *c, struct engine_cache_slot *s, const struct rt_event *ev,
		      size_t idx)
{
	struct rt_past_index *ix = &s->index;
	if (s->index_bad)
		return;
	if (idx == 0) {
		ix->started_at = -1;
		ix->prior = RT_ST_RUNNING;
	}
	switch (ev->type) {
	case RT_EV_EXECUTION_STARTED:
		if (ix->started_at < 0)
			ix->started_at = (int)idx;
		return;
	case RT_EV_EXECUTION_SUSPENDED:
		ix->prior = RT_ST_SUSPENDED;
		return;
	case RT_EV_EXECUTION_RESUMED:
		ix->prior = RT_ST_RUNNING;
		return;
	case RT_EV_EXECUTION_COMPLETED:
	case RT_EV_CONTINUE_AS_NEW:
		s->index_bad = 1;
		return;
	default:
		break;
	}
	if (!is_sched(ev->type))
		return;
	/* Replay refuses ids above n_past + 1024; this bound is stricter. */
	if (ev->event_id < 0 || (size_t)ev->event_id > idx + 1024 || idx > INT32_MAX) {
		s->index_bad = 1;
		return;
	}
	size_t id = (size_t)ev->event_id;
	if (id >= s->cap_sched) {
		size_t cap = s->cap_sched;
		s->sched_at = rt_vec_reserve(s->sched_at, &cap, id + 1, sizeof(*s->sched_at), 64);
		for (size_t k = s->cap_sched; k < cap; k++)
			s->sched_at[k] = -1;
		s->bytes += (cap - s->cap_sched) * sizeof(*s->sched_at);
		c->bytes += (cap - s->cap_sched) * sizeof(*s->sched_at);
		s->cap_sched = cap;
	}
	if (s->sched_at[id] >= 0) {
		s->index_bad = 1;
		return;
	}
	s->sched_at[id] = (int)idx;
	if (id + 1 > ix->n_sched)
		ix->n_sched = id + 1;
}

/* Appends copies of events to the slot; -1 (slot untouched beyond what
 * was added) when it would exceed the bounds. */
static int slot_add(struct engine_cache *c, struct engine_cache_slot *s,
		    const struct rt_event *events, size_t n)
{
	size_t need = 0;
	for (size_t i = 0; i < n; i++)
		need += strings_size(&events[i]);
	if (s->n + n > s->cap)
		need += (s->n + n - s->cap) * sizeof(*s->ev) * 2;
	if (!fits(c, s, need + POOL_FIRST))
		return -1;
	if (s->n + n > s->cap) {
		size_t cap = s->cap;
		s->ev = rt_vec_reserve(s->ev, &cap, s->n + n, sizeof(*s->ev), 16);
		s->bytes += (cap - s->cap) * sizeof(*s->ev);
		c->bytes += (cap - s->cap) * sizeof(*s->ev);
		s->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		struct rt_event *d = &s->ev[s->n + i];
		*d = events[i];
		d->is_played = 1;
		d->name = pool_dup(c, s, d->name);
		d->input = pool_dup(c, s, d->input);
		d->result = pool_dup(c, s, d->result);
		d->reason = pool_dup(c, s, d->reason);
		d->details = pool_dup(c, s, d->details);
		d->instance_id = pool_dup(c, s, d->instance_id);
		d->execution_id = pool_dup(c, s, d->execution_id);
		d->parent_instance_id = pool_dup(c, s, d->parent_instance_id);
		d->parent_execution_id = pool_dup(c, s, d->parent_execution_id);
		d->parent_name = pool_dup(c, s, d->parent_name);
		d->data = pool_dup(c, s, d->data);
		index_add(c, s, d, s->n + i);
	}
	s->n += n;
	return 0;
}

int engine_cache_get(struct engine_cache *c, const char *id, const char *execution_id, int n,
		     int64_t now_us, const struct rt_event **events,
		     const struct rt_past_index **index)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (!holds(s, id, execution_id) || n < 0 || s->n != (size_t)n)
		return -1;
	s->used_us = now_us;
	*events = s->ev;
	s->index.sched_at = s->sched_at;
	*index = s->n && !s->index_bad ? &s->index : NULL;
	return 0;
}

int engine_cache_put(struct engine_cache *c, const char *id, const char *execution_id,
		     const struct rt_history_row *rows, size_t nrows, int64_t now_us)
{
	struct engine_cache_slot *s = slot_of(c, id);
	struct rt_event *ev;
	int rc = -1;

	if (s->instance_id)
		slot_clear(c, s);
	if (strlen(execution_id) >= sizeof(s->execution_id))
		return -1;
	ev = rt_arena_alloc(&c->scratch, (nrows ? nrows : 1) * sizeof(*ev));
	for (size_t i = 0; i < nrows; i++)
		if (rt_history_decode(rows[i].data, rows[i].len, &ev[i], &c->scratch) != 0)
			goto out; /* the caller decodes again and reports it */
	s->instance_id = xstrdup(id);
	strcpy(s->execution_id, execution_id);
	s->used_us = now_us;
	if (slot_add(c, s, ev, nrows) != 0) {
		slot_clear(c, s);
		goto out;
	}
	rc = 0;
out:
	rt_arena_reset(&c->scratch);
	return rc;
}

void engine_cache_append(struct engine_cache *c, const char *id, const char *execution_id,
			 int n_before, const struct rt_event *events, size_t n, int64_t now_us)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (!holds(s, id, execution_id))
		return;
	if (n_before < 0 || s->n != (size_t)n_before || slot_add(c, s, events, n) != 0) {
		slot_clear(c, s);
		return;
	}
	s->used_us = now_us;
}

void engine_cache_note_episode(struct engine_cache *c, const char *id, int64_t cost_us,
			       int scheduled_nothing, int64_t end_mono_us)
{
	struct engine_cache_slot *s = slot_of(c, id);
	int64_t hold = cost_us * ENGINE_PACE_FACTOR;
	if (!s->instance_id || strcmp(s->instance_id, id) != 0)
		return;
	s->last_cost_us = cost_us;
	if (!scheduled_nothing || cost_us < ENGINE_PACE_MIN_COST_US) {
		s->pace_until_mono_us = 0;
		return;
	}
	s->pace_until_mono_us = end_mono_us + (hold < ENGINE_PACE_MAX_US ? hold : ENGINE_PACE_MAX_US);
}

int64_t engine_cache_pace_until(struct engine_cache *c, const char *id)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (!s->instance_id || strcmp(s->instance_id, id) != 0)
		return 0;
	return s->pace_until_mono_us;
}

int64_t engine_cache_last_cost(struct engine_cache *c, const char *id)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (!s->instance_id || strcmp(s->instance_id, id) != 0)
		return 0;
	return s->last_cost_us;
}

/* A lent slot is the slot itself, moved out of the table: nothing the
 * engine does to the table meanwhile (collisions, sweeps, clears) can
 * free what the borrower reads. */
struct engine_cache_loan {
	struct engine_cache_slot slot;
};

struct engine_cache_loan *engine_cache_lend(struct engine_cache *c, const char *id,
					    const char *execution_id, int n,
					    const struct rt_event **events,
					    const struct rt_past_index **index)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (!holds(s, id, execution_id) || n < 0 || s->n != (size_t)n)
		return NULL;
	struct engine_cache_loan *l = xmalloc(sizeof(*l));
	l->slot = *s;
	c->bytes -= s->bytes;
	memset(s, 0, sizeof(*s));
	*events = l->slot.ev;
	l->slot.index.sched_at = l->slot.sched_at;
	*index = l->slot.n && !l->slot.index_bad ? &l->slot.index : NULL;
	return l;
}

void engine_cache_give_back(struct engine_cache *c, struct engine_cache_loan *l, int keep,
			    int64_t now_us)
{
	if (!l)
		return;
	if (!keep) {
		/* Not in the total: slot_clear subtracts what it adds back here. */
		c->bytes += l->slot.bytes;
		slot_clear(c, &l->slot);
		free(l);
		return;
	}
	struct engine_cache_slot *s = slot_of(c, l->slot.instance_id);
	if (s->instance_id)
		slot_clear(c, s);
	*s = l->slot;
	s->used_us = now_us;
	c->bytes += s->bytes;
	free(l);
}

void engine_cache_drop(struct engine_cache *c, const char *id)
{
	struct engine_cache_slot *s = slot_of(c, id);
	if (s->instance_id && strcmp(s->instance_id, id) == 0)
		slot_clear(c, s);
}

void engine_cache_sweep(struct engine_cache *c, int64_t now_us)
{
	/* A slice per call keeps the sweep off the batch's critical path. */
	for (int k = 0; k < 64; k++) {
		struct engine_cache_slot *s = &c->slots[c->sweep];
		c->sweep = (c->sweep + 1) & (ENGINE_CACHE_SLOTS - 1);
		if (s->instance_id && now_us - s->used_us > ENGINE_CACHE_IDLE_US)
			slot_clear(c, s);
	}
}
