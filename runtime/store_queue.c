/*
 * store_queue.c - the two queues of a task hub: the orchestration inbox
 * (messages and durable timers, one row each) and the activity queue.
 *
 * Visibility: a row with visible_us 0 is deliverable at once; any other
 * value is a time before which it must not be delivered. Scans for work use
 * two index-ordered streams, "visible_us = 0 by id" and "0 < visible_us <=
 * now by time", merged by id, so their cost follows the rows they return or
 * skip and never the number of timers still in the future.
 */
#include "runtime/store_int.h"
#include "common/hash.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a set of instance ids, for de-duplicating the ready scan ----------- */

struct idset {
	const char **slot;
	size_t cap; /* power of two */
	size_t n;
};

/* The slot holding `id`, or the empty slot where it belongs. */
static const char **idset_find(struct idset *set, const char *id, size_t len)
{
	size_t i = (size_t)rt_hash_bytes(id, len) & (set->cap - 1);
	for (;; i = (i + 1) & (set->cap - 1)) {
		const char *k = set->slot[i];
		if (!k || (strncmp(k, id, len) == 0 && k[len] == '\0'))
			return &set->slot[i];
	}
}

/* Stores `key` (owned by the caller) in the empty slot found for it. */
static void idset_put(struct idset *set, const char **slot, const char *key)
{
	*slot = key;
	if (++set->n * 2 <= set->cap)
		return;
	/* Grow at half load so probes stay short. */
	struct idset big = { xcalloc(set->cap * 2, sizeof(*big.slot)), set->cap * 2, set->n };
	for (size_t i = 0; i < set->cap; i++)
		if (set->slot[i])
			*idset_find(&big, set->slot[i], strlen(set->slot[i])) = set->slot[i];
	free(set->slot);
	*set = big;
}

/* ---- inbox -------------------------------------------------------------- */

int rt_store_inbox_add(struct rt_store *s, const struct rt_inbox_msg *m, int64_t *id)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_INBOX_ADD);
	int bound;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	bound = rt_store__bind_text(st, 1, m->instance_id) |
		rt_store__bind_text(st, 2, m->execution_id) |
		/* Negative times would fall outside both scan streams. */
		sqlite3_bind_int64(st, 3, m->visible_us > 0 ? m->visible_us : 0) |
		sqlite3_bind_int(st, 4, m->type) | rt_store__bind_blob(st, 5, m->data, m->len) |
		sqlite3_bind_int64(st, 6, rt_now_us());
	return rt_store__insert_bound(s, st, bound, id, "cannot queue message");
}

int rt_store_inbox_load(struct rt_store *s, const char *instance_id, int64_t now_us, size_t limit,
			struct rt_inbox_msg **msgs, size_t *n, struct rt_arena *a)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_INBOX_LOAD);
	struct rt_inbox_msg *tmp;
	const char *iid = NULL;
	size_t count = 0;
	int rc;

	*msgs = NULL;
	*n = 0;
	if (!st)
		return RT_ERROR;
	rt_store__bind_text(st, 1, instance_id);
	sqlite3_bind_int64(st, 2, now_us);
	sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rt_inbox_msg *m;
		tmp = rt_store__scratch(s, (count + 1) * sizeof(*tmp));
		m = &tmp[count++];
		if (!iid)
			iid = rt_arena_strdup(a, instance_id);
		m->id = sqlite3_column_int64(st, 0);
		m->instance_id = iid;
		m->execution_id = rt_store__col_text(st, 1, a);
		m->visible_us = sqlite3_column_int64(st, 2);
		m->type = sqlite3_column_int(st, 3);
		m->data = rt_store__col_blob(st, 4, &m->len, a);
		m->enqueued_us = sqlite3_column_int64(st, 5);
	}
	*msgs = rt_store__gathered(s, st, &rc, "cannot load messages", count, sizeof(**msgs), a);
	if (rc == 0)
		*n = count;
	return rc;
}

int rt_store_inbox_delete(struct rt_store *s, const int64_t *ids, size_t n, int64_t *deleted)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_INBOX_DELETE);
	int64_t total = 0;
	int rc = 0;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	for (size_t i = 0; i < n; i++) {
		int64_t one;
		sqlite3_bind_int64(st, 1, ids[i]);
		if ((rc = rt_store__step_done(s, st, "cannot delete message", &one)) != 0)
			break;
		total += one;
	}
	if (deleted)
		*deleted = total;
	return rc;
}

/* Steps a scan stream; 0 while it has a row or has ended, <0 on error. */
static int advance(struct rt_store *s, sqlite3_stmt *st, int *has_row, const char *what)
{
	int rc = sqlite3_step(st);
	*has_row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	return rt_store__sqlerr(s, rc, what);
}

/* Of two index-ordered streams whose first column is the row id, the one
 * to take next (the smaller id), or NULL when both have ended. */
static sqlite3_stmt *pick(sqlite3_stmt *a, int a_row, sqlite3_stmt *b, int b_row)
{
	if (!a_row)
		return b_row ? b : NULL;
	if (!b_row)
		return a;
	return sqlite3_column_int64(a, 0) < sqlite3_column_int64(b, 0) ? a : b;
}

/*
 * Walks a queue's two scan streams (`now`: visible at once; `due`: due by
 * now_us, bound here) merged by id, passing each row to take(), which
 * returns 1 if it took the row, until `limit` rows were taken or both
 * streams ended; resets both. 0 or <0 on error.
 */
static int scan_visible(struct rt_store *s, sqlite3_stmt *now, sqlite3_stmt *due, int64_t now_us,
			size_t limit, const char *what, int (*take)(void *ctx, sqlite3_stmt *row),
			void *ctx)
{
	int now_row = 0, due_row = 0, rc;
	size_t taken = 0;

	if (!now || !due)
		return RT_ERROR;
	sqlite3_bind_int64(due, 1, now_us);
	if ((rc = advance(s, now, &now_row, what)) || (rc = advance(s, due, &due_row, what)))
		goto out;
	while (taken < limit) {
		sqlite3_stmt *st = pick(now, now_row, due, due_row);
		if (!st)
			break;
		taken += (size_t)take(ctx, st);
		if ((rc = advance(s, st, st == now ? &now_row : &due_row, what)))
			goto out;
	}
out:
	sqlite3_reset(now);
	sqlite3_reset(due);
	return rc;
}

/* What the inbox scan takes its rows into. */
struct ready_scan {
	struct rt_store *s;
	struct idset seen;
	rt_store_busy_fn busy;
	void *ctx;
	struct rt_arena *a;
	size_t count;
};

/* Takes each instance id once, unless busy; rows are (id, instance_id). */
static int take_ready(void *arg, sqlite3_stmt *st)
{
	struct ready_scan *r = arg;
	const char *id = (const char *)sqlite3_column_text(st, 1);
	size_t len = (size_t)sqlite3_column_bytes(st, 1);
	const char **slot = idset_find(&r->seen, id, len);
	if (*slot)
		return 0;
	/* Remember busy ids too, so busy() runs once per instance. */
	int skip = r->busy && r->busy(r->ctx, id);
	const char *copy = rt_arena_strndup(skip ? &r->s->tmp : r->a, id, len);
	idset_put(&r->seen, slot, copy);
	if (skip)
		return 0;
	const char **list = rt_store__scratch(r->s, (r->count + 1) * sizeof(*list));
	list[r->count++] = copy;
	return 1;
}

int rt_store_inbox_ready(struct rt_store *s, int64_t now_us, size_t limit, rt_store_busy_fn busy,
			 void *ctx, const char ***ids, size_t *n, struct rt_arena *a)
{
	struct ready_scan r = { s, { xcalloc(64, sizeof(*r.seen.slot)), 64, 0 }, busy, ctx, a, 0 };
	int rc = scan_visible(s, rt_store__stmt(s, ST_INBOX_SCAN_NOW),
			      rt_store__stmt(s, ST_INBOX_SCAN_DUE), now_us, limit ? limit : SIZE_MAX,
			      "cannot scan inbox", take_ready, &r);

	*ids = NULL;
	*n = 0;
	if (rc == 0 && r.count) {
		*ids = rt_store__scratch_copy(s, a, r.count, sizeof(**ids));
		*n = r.count;
	}
	free(r.seen.slot);
	rt_arena_reset(&s->tmp);
	return rc;
}

/* Earliest visible_us > now_us of the inbox or the activity queue. */
static int next_visible(struct rt_store *s, enum store_stmt id, int64_t now_us, int64_t *next_us)
{
	sqlite3_stmt *st = rt_store__stmt(s, id);
	int rc;
	*next_us = INT64_MAX;
	if (!st)
		return RT_ERROR;
	sqlite3_bind_int64(st, 1, now_us);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*next_us = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = rt_store__sqlerr(s, rc, "cannot find next timer");
	}
	sqlite3_reset(st);
	return rc;
}

int rt_store_inbox_next_visible(struct rt_store *s, int64_t now_us, int64_t *next_us)
{
	return next_visible(s, ST_INBOX_NEXT, now_us, next_us);
}

/* ---- activity queue ----------------------------------------------------- */

int rt_store_activity_add(struct rt_store *s, const struct rt_activity *act, int64_t *id)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_ACT_ADD);
	int bound;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	bound = rt_store__bind_text(st, 1, act->instance_id) |
		rt_store__bind_text(st, 2, act->execution_id) | sqlite3_bind_int(st, 3, act->task_id) |
		sqlite3_bind_int64(st, 4, act->visible_us > 0 ? act->visible_us : 0) |
		rt_store__bind_text(st, 5, act->name) | rt_store__bind_text(st, 6, act->input) |
		sqlite3_bind_int64(st, 7, rt_now_us()) |
		sqlite3_bind_int(st, 8, act->dequeue_count > 0 ? act->dequeue_count : 0);
	return rt_store__insert_bound(s, st, bound, id, "cannot queue activity");
}

/* Reads the columns "[id,] instance_id, execution_id, task_id, visible_us,
 * dequeue_count, name, input, enqueued_us" starting at column `c`. */
static void read_activity(sqlite3_stmt *st, int c, struct rt_activity *r, struct rt_arena *a)
{
	r->instance_id = rt_store__col_text(st, c, a);
	r->execution_id = rt_store__col_text(st, c + 1, a);
	r->task_id = sqlite3_column_int(st, c + 2);
	r->visible_us = sqlite3_column_int64(st, c + 3);
	r->dequeue_count = sqlite3_column_int(st, c + 4);
	r->name = rt_store__col_text(st, c + 5, a);
	r->input = rt_store__col_text(st, c + 6, a);
	r->enqueued_us = sqlite3_column_int64(st, c + 7);
}

/* What the activity scan takes its rows into. */
struct pick_scan {
	struct rt_store *s;
	rt_store_busy_id_fn busy;
	void *ctx;
	size_t count;
};

/* Takes each activity id not busy into the scratch buffer; rows are (id). */
static int take_activity(void *arg, sqlite3_stmt *st)
{
	struct pick_scan *p = arg;
	int64_t id = sqlite3_column_int64(st, 0);
	if (p->busy && p->busy(p->ctx, id))
		return 0;
	int64_t *ids = rt_store__scratch(p->s, (p->count + 1) * sizeof(*ids));
	ids[p->count++] = id;
	return 1;
}

/* Collects up to max ids of visible activities not busy, oldest first,
 * into the scratch buffer. */
static int pick_activities(struct rt_store *s, int64_t now_us, size_t max,
			   rt_store_busy_id_fn busy, void *ctx, size_t *count)
{
	struct pick_scan p = { s, busy, ctx, 0 };
	int rc = scan_visible(s, rt_store__stmt(s, ST_ACT_SCAN_NOW), rt_store__stmt(s, ST_ACT_SCAN_DUE),
			      now_us, max, "cannot scan activities", take_activity, &p);
	*count = p.count;
	return rc;
}

/* Reads the row `id` with `get` (ST_ACT_GET, bound and reset here); 1 if
 * found, 0 if gone, <0 on error. */
static int read_one(struct rt_store *s, sqlite3_stmt *get, int64_t id, struct rt_activity *out,
		    struct rt_arena *a)
{
	int rc;
	sqlite3_bind_int64(get, 1, id);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		out->id = id;
		read_activity(get, 0, out, a);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = rt_store__sqlerr(s, rc, "cannot read activity");
	}
	sqlite3_reset(get);
	return rc;
}

int rt_store_activity_pick(struct rt_store *s, int64_t now_us, size_t max, rt_store_busy_id_fn busy,
			   void *ctx, struct rt_activity **rows, size_t *n, struct rt_arena *a)
{
	sqlite3_stmt *get;
	struct rt_activity *out;
	size_t count, got = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (!(get = rt_store__stmt(s, ST_ACT_GET)))
		return RT_ERROR;
	/* Pick first, read after: the scans are closed before the next statement. */
	if ((rc = pick_activities(s, now_us, max ? max : SIZE_MAX, busy, ctx, &count)) || !count)
		return rc;
	out = rt_arena_alloc(a, count * sizeof(*out));
	for (size_t i = 0; i < count; i++) {
		int64_t id = ((const int64_t *)s->scratch)[i];
		if ((rc = read_one(s, get, id, &out[got], a)) < 0)
			return rc;
		got += (size_t)rc;
	}
	*rows = got ? out : NULL;
	*n = got;
	return 0;
}

int rt_store_activity_get(struct rt_store *s, int64_t id, struct rt_activity *row,
			  struct rt_arena *a)
{
	sqlite3_stmt *get = rt_store__stmt(s, ST_ACT_GET);
	int rc;
	if (!get)
		return RT_ERROR;
	rc = read_one(s, get, id, row, a);
	if (rc == 0)
		return rt_store__fail(s, RT_E_NOTFOUND, "no activity %lld", (long long)id);
	return rc < 0 ? rc : 0;
}

/* Runs a one-row statement on activity `id` (?1), with `value` as ?2 where
 * the statement has one: NOTFOUND when no row changed. */
static int activity_row_change(struct rt_store *s, enum store_stmt which, int64_t id,
			       int64_t value, const char *what)
{
	sqlite3_stmt *st = rt_store__stmt(s, which);
	int64_t changed;
	int rc;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, value);
	if ((rc = rt_store__step_done(s, st, what, &changed)) == 0 && changed == 0)
		rc = rt_store__fail(s, RT_E_NOTFOUND, "no activity %lld", (long long)id);
	return rc;
}

int rt_store_activity_count_attempt(struct rt_store *s, int64_t id)
{
	return activity_row_change(s, ST_ACT_COUNT_ATTEMPT, id, 0, "cannot count activity attempt");
}

int rt_store_activity_delete(struct rt_store *s, int64_t id)
{
	return activity_row_change(s, ST_ACT_DELETE, id, 0, "cannot delete activity");
}

int rt_store_activity_postpone(struct rt_store *s, int64_t id, int64_t visible_us)
{
	return activity_row_change(s, ST_ACT_POSTPONE, id, visible_us > 0 ? visible_us : 0,
				   "cannot postpone activity");
}

int rt_store_activity_list(struct rt_store *s, const char *instance_id, struct rt_activity **rows,
			   size_t *n, struct rt_arena *a)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_ACT_LIST);
	struct rt_activity *tmp;
	size_t count = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (!st)
		return RT_ERROR;
	rt_store__bind_text(st, 1, instance_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tmp = rt_store__scratch(s, (count + 1) * sizeof(*tmp));
		tmp[count].id = sqlite3_column_int64(st, 0);
		read_activity(st, 1, &tmp[count], a);
		count++;
	}
	*rows = rt_store__gathered(s, st, &rc, "cannot list activities", count, sizeof(**rows), a);
	if (rc == 0)
		*n = count;
	return rc;
}

int rt_store_activity_next_visible(struct rt_store *s, int64_t now_us, int64_t *next_us)
{
	return next_visible(s, ST_ACT_NEXT, now_us, next_us);
}

int rt_store_visible_advance(struct rt_store *s, int64_t mark_us, int64_t to_us)
{
	static const char *const sql[2] = {
		"UPDATE inbox SET visible_us = ?2 WHERE visible_us = ?1",
		"UPDATE activities SET visible_us = ?2 WHERE visible_us = ?1",
	};
	/* Rare (an app deployed again): prepared each time, not kept. */
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL);
		if (rc != SQLITE_OK) {
			sqlite3_finalize(st);
			return rt_store__sqlerr(s, rc, "cannot bring waiting work forward");
		}
		sqlite3_bind_int64(st, 1, mark_us);
		sqlite3_bind_int64(st, 2, to_us);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return rt_store__sqlerr(s, rc, "cannot bring waiting work forward");
	}
	return 0;
}
