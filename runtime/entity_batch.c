/*
 * entity_batch.c - one batch of an entity: the messages that are
 * deliverable run in arrival order against the state; those from others
 * than the orchestration holding the lock wait in the scheduler record.
 *
 * Pure: no store, no clock. The engine (engine_entity.c) loads the input,
 * calls rt_entity_batch_run and writes the outcome in its transaction.
 *
 * Invariant: the messages are considered in arrival order, with the
 * waiting queue (older) before the new ones; a release puts the messages
 * deferred so far back in front of the rest, so an unlock never lets a
 * later message overtake an earlier one.
 */
#include "runtime/entity.h"

#include "common/json_check.h"
#include "common/json_read.h"
#include "common/json_write.h"

#include <stdlib.h>
#include <string.h>

struct rt_entity_action *rt_entity_op_add_action(struct rt_entity_op *op)
{
	if (op->nactions == op->capactions) {
		size_t cap = op->capactions ? 2 * op->capactions : 4;
		struct rt_entity_action *n = rt_arena_calloc(op->arena, cap * sizeof(*n));
		if (op->nactions)
			memcpy(n, op->actions, op->nactions * sizeof(*n));
		op->actions = n;
		op->capactions = cap;
	}
	struct rt_entity_action *a = &op->actions[op->nactions++];
	memset(a, 0, sizeof(*a));
	return a;
}

static struct rt_entity_out *add_out(struct rt_entity_batch *b)
{
	if (b->nouts == b->capouts) {
		size_t cap = b->capouts ? 2 * b->capouts : 8;
		struct rt_entity_out *n = rt_arena_calloc(b->arena, cap * sizeof(*n));
		if (b->nouts)
			memcpy(n, b->outs, b->nouts * sizeof(*n));
		b->outs = n;
		b->capouts = cap;
	}
	struct rt_entity_out *o = &b->outs[b->nouts++];
	memset(o, 0, sizeof(*o));
	return o;
}

static void add_start(struct rt_entity_batch *b, const struct rt_entity_action *a)
{
	if (b->nstarts == b->capstarts) {
		size_t cap = b->capstarts ? 2 * b->capstarts : 4;
		struct rt_entity_action *n = rt_arena_calloc(b->arena, cap * sizeof(*n));
		if (b->nstarts)
			memcpy(n, b->starts, b->nstarts * sizeof(*n));
		b->starts = n;
		b->capstarts = cap;
	}
	b->starts[b->nstarts++] = *a;
}

/* One queue entry, {"e":<event name>,"m":<message json>}, the reader
 * before it: its strings (NULL when absent or not strings). */
static void queue_entry(struct rt_json_reader *r, struct rt_arena *a, const char **ev,
			const char **raw)
{
	const char *s;
	*ev = *raw = NULL;
	rt_json_read_enter(r);
	while (rt_json_read_member(r) == 1) {
		int is_e = rt_json_read_key_is(r, "e"), is_m = !is_e && rt_json_read_key_is(r, "m");
		if (!is_e && !is_m) {
			rt_json_read_skip(r);
			continue;
		}
		if (rt_json_read_string(r, a, &s) != 0) {
			s = NULL;
			rt_json_read_skip(r);
		}
		if (is_e)
			*ev = s;
		else
			*raw = s;
	}
}

/* The record's queue entries are {"e":<event name>,"m":<message json>}.
 * Read as jansson read it: a repeated key counts by its last value, an
 * entry that is not such an object is passed over. */
static int load_scheduler(struct rt_entity_batch *b, const struct rt_entity_msg ***queued,
			  size_t *nqueued, const char **locked_by)
{
	struct rt_json_reader r;
	const struct rt_entity_msg **out = NULL;
	size_t cap = 0;
	int more;
	*queued = NULL;
	*nqueued = 0;
	*locked_by = NULL;
	if (!b->scheduler || strcmp(b->scheduler, "null") == 0)
		return 0;
	if (rt_json_read_init(&r, b->scheduler, strlen(b->scheduler), RT_JSON_JANSSON_DEPTH,
			      RT_ENTITY_JSON_MAX_BYTES) != 0 ||
	    rt_json_read_kind(&r) != RT_JSON_OBJECT)
		return -1;
	rt_json_read_enter(&r);
	while ((more = rt_json_read_member(&r)) == 1) {
		if (rt_json_read_key_is(&r, "lockedBy")) {
			if (rt_json_read_string(&r, b->arena, locked_by) != 0) {
				*locked_by = NULL;
				rt_json_read_skip(&r);
			}
			continue;
		}
		if (!rt_json_read_key_is(&r, "queue") || rt_json_read_kind(&r) != RT_JSON_ARRAY) {
			if (rt_json_read_key_is(&r, "queue"))
				*nqueued = 0; /* a later "queue" that is no array: none */
			rt_json_read_skip(&r);
			continue;
		}
		*nqueued = 0;
		rt_json_read_enter(&r);
		while (rt_json_read_element(&r) == 1) {
			const char *ev, *raw;
			if (rt_json_read_kind(&r) != RT_JSON_OBJECT) {
				rt_json_read_skip(&r);
				continue;
			}
			queue_entry(&r, b->arena, &ev, &raw);
			struct rt_entity_msg *m = rt_arena_alloc(b->arena, sizeof(*m));
			if (!raw || rt_entity_msg_parse(ev, raw, m, b->arena) != 0)
				continue;
			if (*nqueued == cap) {
				cap = cap ? 2 * cap : 16;
				const struct rt_entity_msg **n =
					rt_arena_calloc(b->arena, (cap + 1) * sizeof(*n));
				if (*nqueued)
					memcpy(n, out, *nqueued * sizeof(*n));
				out = n;
			}
			out[(*nqueued)++] = m;
		}
	}
	if (more != 0)
		return -1;
	*queued = out;
	return 0;
}

static const char *save_scheduler(struct rt_entity_batch *b, const struct rt_entity_msg **q,
				  size_t n, const char *locked_by)
{
	struct rt_json_writer w;
	if (n == 0 && !locked_by)
		return NULL;
	rt_json_write_init(&w, b->arena);
	rt_json_write_open_object(&w);
	rt_json_write_key(&w, "queue");
	rt_json_write_open_array(&w);
	for (size_t i = 0; i < n; i++) {
		rt_json_write_open_object(&w);
		rt_json_write_key(&w, "e");
		rt_json_write_string(&w, q[i]->kind == RT_EMSG_RELEASE ? RT_ENTITY_RELEASE_EVENT
								       : RT_ENTITY_OP_EVENT);
		rt_json_write_key(&w, "m");
		rt_json_write_string(&w, q[i]->raw);
		rt_json_write_close_object(&w);
	}
	rt_json_write_close_array(&w);
	rt_json_write_key(&w, "lockedBy");
	if (locked_by)
		rt_json_write_string(&w, locked_by);
	else
		rt_json_write_null(&w);
	rt_json_write_close_object(&w);
	return rt_json_write_text(&w);
}

static void reply(struct rt_entity_batch *b, const struct rt_entity_msg *m, int failed,
		  const char *text)
{
	struct rt_entity_out *o = add_out(b);
	o->target = m->parent;
	o->execution_id = m->parent_execution;
	o->event = m->id;
	o->data = rt_entity_reply(b->arena, failed, text);
}

static void run_op(struct rt_entity_batch *b, const struct rt_entity_msg *m, const char **state)
{
	struct rt_entity_op op;
	memset(&op, 0, sizeof(op));
	op.name = b->name;
	op.key = b->key;
	op.instance_id = b->instance_id;
	op.op = m->op;
	op.input = m->input;
	op.state = *state;
	op.arena = b->arena;
	if (!b->fn) {
		op.failed = 1;
		op.message = rt_arena_fmt(b->arena,
					  "The function '%s' doesn't exist, is disabled, or is not an entity function.",
					  b->name);
	} else {
		b->run(b->ctx, b->fn, &op);
	}
	b->ops_run++;
	if (op.failed) {
		b->ops_failed++;
		if (!op.message)
			op.message = "the entity operation failed";
	}
	/* A failed operation is rolled back (the state before, no signals, no
	 * starts) unless rollbackEntityOperationsOnExceptions is off. */
	if (!op.failed || b->keep_failed) {
		*state = op.state;
		for (size_t i = 0; i < op.nactions; i++) {
			const struct rt_entity_action *a = &op.actions[i];
			if (a->kind == RT_EACT_START) {
				add_start(b, a);
				continue;
			}
			struct rt_entity_out *o = add_out(b);
			o->target = a->target;
			o->event = RT_ENTITY_OP_EVENT;
			o->data = rt_entity_msg_op(b->arena, a->op, a->input, 1, NULL, b->instance_id,
						   NULL, a->at_us);
			o->visible_us = a->at_us;
		}
	}
	if (!m->signal)
		reply(b, m, op.failed, op.failed ? op.message : op.result);
}

static void grant_lock(struct rt_entity_batch *b, const struct rt_entity_msg *m)
{
	struct rt_entity_out *o = add_out(b);
	if ((size_t)m->pos + 1 < m->nlockset) {
		/* The next entity of the sorted set takes it from here. */
		o->target = m->lockset[m->pos + 1];
		o->event = RT_ENTITY_OP_EVENT;
		o->data = rt_entity_msg_lock(b->arena, m->id, m->parent, m->parent_execution,
					     m->lockset, m->nlockset, m->pos + 1);
	} else {
		o->target = m->parent;
		o->execution_id = m->parent_execution;
		o->event = m->id;
		o->data = rt_entity_reply(b->arena, 0, "null");
	}
}

int rt_entity_batch_run(struct rt_entity_batch *b)
{
	const struct rt_entity_msg **queued, **work, **deferred;
	size_t nqueued, nwork, ndeferred = 0;
	const char *locked_by, *state = b->state;
	int holder_checked = 0;

	b->nouts = b->nstarts = b->ops_run = b->ops_failed = 0;
	if (load_scheduler(b, &queued, &nqueued, &locked_by) != 0)
		return -1;
	const char *locked_before = locked_by;
	nwork = nqueued + b->nmsgs;
	work = rt_arena_calloc(b->arena, (nwork + 1) * sizeof(*work));
	deferred = rt_arena_calloc(b->arena, (nwork + 1) * sizeof(*deferred));
	if (nqueued)
		memcpy(work, queued, nqueued * sizeof(*work));
	for (size_t i = 0; i < b->nmsgs; i++)
		work[nqueued + i] = &b->msgs[i];

	for (size_t i = 0; i < nwork; i++) {
		const struct rt_entity_msg *m = work[i];
		int from_holder = locked_by && m->parent && strcmp(m->parent, locked_by) == 0;
		if (locked_by && !from_holder) {
			/* A holder that no longer runs (terminated, failed, purged)
			 * will never release: its lock goes. */
			if (!holder_checked && b->alive) {
				holder_checked = 1;
				if (!b->alive(b->ctx, locked_by))
					locked_by = NULL;
			}
			if (locked_by) {
				deferred[ndeferred++] = m;
				continue;
			}
			/* Unlocked: what was deferred goes first (it is older). */
			if (ndeferred) {
				size_t rest = nwork - i;
				const struct rt_entity_msg **w =
					rt_arena_calloc(b->arena, (ndeferred + rest + 1) * sizeof(*w));
				memcpy(w, deferred, ndeferred * sizeof(*w));
				memcpy(w + ndeferred, work + i, rest * sizeof(*w));
				work = w;
				nwork = ndeferred + rest;
				ndeferred = 0;
				i = (size_t)-1;
				continue;
			}
		}
		switch (m->kind) {
		case RT_EMSG_RELEASE:
			if (!from_holder)
				break; /* stale: not the holder's */
			locked_by = NULL;
			if (ndeferred) {
				size_t rest = nwork - i - 1;
				const struct rt_entity_msg **w =
					rt_arena_calloc(b->arena, (ndeferred + rest + 1) * sizeof(*w));
				memcpy(w, deferred, ndeferred * sizeof(*w));
				memcpy(w + ndeferred, work + i + 1, rest * sizeof(*w));
				work = w;
				nwork = ndeferred + rest;
				ndeferred = 0;
				i = (size_t)-1;
			}
			break;
		case RT_EMSG_LOCK:
			locked_by = m->parent;
			grant_lock(b, m);
			break;
		case RT_EMSG_OP:
			run_op(b, m, &state);
			break;
		}
	}
	b->new_state = state;
	b->locked_by = locked_by;
	b->queue_len = ndeferred;
	b->new_scheduler = save_scheduler(b, deferred, ndeferred, locked_by);
	b->changed = b->ops_run > 0 || ndeferred != nqueued ||
		     (locked_by == NULL) != (locked_before == NULL) ||
		     (locked_by && locked_before && strcmp(locked_by, locked_before) != 0);
	return 0;
}
