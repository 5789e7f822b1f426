/*
 * store_rows.c - instance rows and history rows of the task-hub store.
 * Statements, transactions and helpers are in store.c; see the invariants
 * there (statements reset after use, writes only inside a transaction).
 */
#include "runtime/store_int.h"
#include "runtime/uuid.h"
#include "common/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ---- instances ---------------------------------------------------------- */

/*
 * Steps st, a statement on instance_id (bound here at ?1), to its row: 0
 * with the row to read (the caller resets st after); otherwise st is reset
 * and the answer is RT_E_NOTFOUND or the error, `what` saying what failed
 * (message set either way).
 */
static int step_instance_row(struct rt_store *s, sqlite3_stmt *st, const char *instance_id,
			     const char *what)
{
	int rc;
	rt_store__bind_text(st, 1, instance_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 0;
	rc = rc == SQLITE_DONE ? rt_store__fail(s, RT_E_NOTFOUND, "no instance %s", instance_id)
			       : rt_store__sqlerr(s, rc, what);
	sqlite3_reset(st);
	return rc;
}

/*
 * The iid (the surrogate key of the instance row, see migration 2 -> 3 in
 * store.c) of instance_id: an index read. 0 with *iid set, or
 * RT_E_NOTFOUND (message set), or an error.
 */
static int lookup_iid(struct rt_store *s, const char *instance_id, int64_t *iid)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_INST_IID);
	int rc;
	if (!st)
		return RT_ERROR;
	if ((rc = step_instance_row(s, st, instance_id, "cannot find instance")) != 0)
		return rc;
	*iid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* Binds ?1..?13 in the INST_COLS order of store.c; input (?14) is left to
 * the caller, since the checkpoint update does not write it. */
static int bind_instance(sqlite3_stmt *st, const struct rt_instance *in)
{
	int rc = 0;
	rc |= rt_store__bind_text(st, 1, in->instance_id);
	rc |= sqlite3_bind_int(st, 2, (int)in->status);
	rc |= sqlite3_bind_int64(st, 3, in->created_us);
	rc |= sqlite3_bind_int64(st, 4, in->updated_us);
	rc |= rt_store__bind_text(st, 5, in->execution_id);
	rc |= rt_store__bind_text(st, 6, in->name);
	rc |= sqlite3_bind_int64(st, 7, in->generation);
	rc |= sqlite3_bind_int(st, 8, in->history_len);
	rc |= rt_store__bind_text(st, 9, in->parent_instance_id);
	rc |= rt_store__bind_text(st, 10, in->parent_execution_id);
	rc |= sqlite3_bind_int(st, 11, in->parent_task_id);
	rc |= rt_store__bind_text(st, 12, in->custom_status);
	rc |= rt_store__bind_text(st, 13, in->output);
	return rc;
}

void rt_store__read_instance_head(sqlite3_stmt *st, struct rt_instance *out, struct rt_arena *a)
{
	out->status = (enum rt_status)sqlite3_column_int(st, 1);
	out->created_us = sqlite3_column_int64(st, 2);
	out->updated_us = sqlite3_column_int64(st, 3);
	out->execution_id = rt_store__col_text(st, 4, a);
	out->name = rt_store__col_text(st, 5, a);
	out->generation = sqlite3_column_int64(st, 6);
	out->history_len = sqlite3_column_int(st, 7);
	out->parent_instance_id = rt_store__col_text(st, 8, a);
	out->parent_execution_id = rt_store__col_text(st, 9, a);
	out->parent_task_id = sqlite3_column_int(st, 10);
}

/* Reads a row selected with INST_COLS [, input]. */
static void read_instance(sqlite3_stmt *st, struct rt_instance *out, struct rt_arena *a)
{
	out->instance_id = rt_store__col_text(st, 0, a);
	rt_store__read_instance_head(st, out, a);
	out->custom_status = rt_store__col_text(st, 11, a);
	out->output = rt_store__col_text(st, 12, a);
	out->input = sqlite3_column_count(st) > 13 ? rt_store__col_text(st, 13, a) : NULL;
}

int rt_store__instance_read(struct rt_store *s, const char *instance_id, int with_input,
			    struct rt_instance *out, struct rt_arena *a)
{
	sqlite3_stmt *st = rt_store__stmt(s, with_input ? ST_INST_GET : ST_INST_GET_NOINPUT);
	int rc;
	if (!st)
		return RT_ERROR;
	if ((rc = step_instance_row(s, st, instance_id, "cannot read instance")) != 0)
		return rc;
	read_instance(st, out, a);
	sqlite3_reset(st);
	return 0;
}

int rt_store_instance_get(struct rt_store *s, const char *instance_id, struct rt_instance *out,
			  struct rt_arena *a)
{
	return rt_store__instance_read(s, instance_id, 1, out, a);
}

int rt_store_instance_put(struct rt_store *s, const struct rt_instance *in, int replace)
{
	sqlite3_stmt *st = rt_store__stmt(s, replace ? ST_INST_REPLACE : ST_INST_INSERT);
	int rc;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	if (bind_instance(st, in) || rt_store__bind_text(st, 14, in->input)) {
		rc = rt_store__sqlerr(s, sqlite3_errcode(s->db), "cannot write instance");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc == SQLITE_CONSTRAINT_UNIQUE)
		rc = rt_store__fail(s, RT_E_CONFLICT, "instance %s already exists",
				    in->instance_id);
	else
		rc = rt_store__sqlerr(s, rc, "cannot write instance");
out:
	sqlite3_reset(st);
	return rc;
}

/* Runs a bound single-row UPDATE/DELETE; RT_E_NOTFOUND if no row matched. */
static int step_one_row(struct rt_store *s, sqlite3_stmt *st, const char *what, const char *key)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		rc = rt_store__sqlerr(s, rc, what);
	else if (sqlite3_changes(s->db) == 0)
		rc = rt_store__fail(s, RT_E_NOTFOUND, "%s: no such row %s", what, key);
	else
		rc = 0;
	sqlite3_reset(st);
	return rc;
}

/* Runs one of the ST_INST_UPDATE* statements: 1 if it changed the row,
 * 0 if no row matched its WHERE clause, or an error. */
static int try_update(struct rt_store *s, enum store_stmt id, const struct rt_instance *in)
{
	sqlite3_stmt *st = rt_store__stmt(s, id);
	int rc;
	if (!st)
		return RT_ERROR;
	/* The statements leave some of ?1..?13 unused; binding all keeps one helper. */
	if (bind_instance(st, in)) {
		rc = rt_store__sqlerr(s, sqlite3_errcode(s->db), "cannot update instance");
		sqlite3_reset(st);
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(s->db) > 0;
	else
		rc = rt_store__sqlerr(s, rc, "cannot update instance");
	sqlite3_reset(st);
	return rc;
}

int rt_store_instance_update(struct rt_store *s, const struct rt_instance *in)
{
	/* Each statement names one more indexed column (store.c). */
	static const enum store_stmt tries[] = {ST_INST_UPDATE, ST_INST_UPDATE_STATUS,
						ST_INST_UPDATE_CREATED};
	assert(rt_store__writing(s));
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		int rc = try_update(s, tries[i], in);
		if (rc != 0)
			return rc == 1 ? 0 : rc;
	}
	return rt_store__fail(s, RT_E_NOTFOUND, "cannot update instance: no such row %s",
			      in->instance_id);
}

int rt_store_instance_set_status(struct rt_store *s, const char *instance_id,
				 enum rt_status status, int64_t updated_us)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_INST_SET_STATUS);
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	rt_store__bind_text(st, 1, instance_id);
	sqlite3_bind_int(st, 2, (int)status);
	sqlite3_bind_int64(st, 3, updated_us);
	return step_one_row(s, st, "cannot set instance status", instance_id);
}

/* Runs one of the "DELETE ... WHERE <key> = ?1" statements, the key being
 * an instance id (text) or an iid. */
static int delete_by(struct rt_store *s, enum store_stmt id, const char *instance_id,
		     int64_t iid, int64_t *changes)
{
	sqlite3_stmt *st = rt_store__stmt(s, id);
	if (!st)
		return RT_ERROR;
	if (instance_id)
		rt_store__bind_text(st, 1, instance_id);
	else
		sqlite3_bind_int64(st, 1, iid);
	return rt_store__step_done(s, st, "cannot delete instance rows", changes);
}

int rt_store__delete_instance_rows(struct rt_store *s, int64_t iid, const char *instance_id)
{
	/* History first: once the row is gone nothing maps the id to its iid. */
	if (iid) {
		int rc;
		if ((rc = delete_by(s, ST_HIST_DELETE_ALL, NULL, iid, NULL)) ||
		    (rc = delete_by(s, ST_INST_DELETE, NULL, iid, NULL)))
			return rc;
	}
	return delete_by(s, ST_INBOX_DELETE_INSTANCE, instance_id, 0, NULL);
}

int rt_store_instance_delete(struct rt_store *s, const char *instance_id)
{
	int64_t iid = 0;
	int rc;
	assert(rt_store__writing(s));
	rc = lookup_iid(s, instance_id, &iid);
	if (rc < 0 && rc != RT_E_NOTFOUND)
		return rc;
	/* Stray inbox rows and activities of an id without a row go too. */
	if ((rc = rt_store__delete_instance_rows(s, iid, instance_id)) ||
	    (rc = delete_by(s, ST_ACT_DELETE_INSTANCE, instance_id, 0, NULL)))
		return rc;
	if (!iid)
		return rt_store__fail(s, RT_E_NOTFOUND, "no instance %s", instance_id);
	return 0;
}

/* ---- history ------------------------------------------------------------ */

int rt_store_history_load(struct rt_store *s, const char *instance_id, const char *execution_id,
			  struct rt_history_row **rows, size_t *n, struct rt_arena *a)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_HIST_LOAD);
	struct rt_history_row *tmp;
	size_t count = 0;
	int64_t iid;
	int rc;

	*rows = NULL;
	*n = 0;
	if (!st)
		return RT_ERROR;
	/* No instance row, no history. */
	if ((rc = lookup_iid(s, instance_id, &iid)))
		return rc == RT_E_NOTFOUND ? 0 : rc;
	sqlite3_bind_int64(st, 1, iid);
	rt_store__bind_text(st, 2, execution_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rt_history_row *r;
		tmp = rt_store__scratch(s, (count + 1) * sizeof(*tmp));
		r = &tmp[count++];
		r->seq = sqlite3_column_int(st, 0);
		r->type = sqlite3_column_int(st, 1);
		r->timestamp_us = sqlite3_column_int64(st, 2);
		r->data = rt_store__col_blob(st, 3, &r->len, a);
	}
	*rows = rt_store__gathered(s, st, &rc, "cannot load history", count, sizeof(**rows), a);
	if (rc == 0)
		*n = count;
	return rc;
}

/* The rows of one ST_HIST_APPEND* statement (HIST_GROUP of them or one). */
#define HIST_GROUP 4

int rt_store_history_append(struct rt_store *s, const char *instance_id, const char *execution_id,
			    const struct rt_history_row *rows, size_t n)
{
	int64_t iid;
	int rc = 0;
	assert(rt_store__writing(s));
	if ((rc = lookup_iid(s, instance_id, &iid)))
		return rc;
	for (size_t i = 0; i < n;) {
		size_t k = n - i >= HIST_GROUP ? HIST_GROUP : 1;
		sqlite3_stmt *st = rt_store__stmt(s, k == 1 ? ST_HIST_APPEND : ST_HIST_APPEND_4);
		if (!st)
			return RT_ERROR;
		int bad = sqlite3_bind_int64(st, 1, iid) | rt_store__bind_text(st, 2, execution_id);
		for (size_t j = 0; j < k; j++) {
			const struct rt_history_row *r = &rows[i + j];
			int p = 3 + 4 * (int)j;
			bad |= sqlite3_bind_int(st, p, r->seq) | sqlite3_bind_int(st, p + 1, r->type) |
			       sqlite3_bind_int64(st, p + 2, r->timestamp_us) |
			       rt_store__bind_blob(st, p + 3, r->data, r->len);
		}
		if (bad) {
			rc = rt_store__sqlerr(s, sqlite3_errcode(s->db), "cannot append history");
			sqlite3_reset(st);
			return rc;
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return rt_store__fail(s, RT_E_CONFLICT, "history row %s/%s #%d already exists",
					      instance_id, execution_id, rows[i].seq);
		if (rc != SQLITE_DONE)
			return rt_store__sqlerr(s, rc, "cannot append history");
		i += k;
	}
	return 0;
}

int rt_store_history_delete(struct rt_store *s, const char *instance_id, const char *execution_id,
			    int64_t *deleted)
{
	sqlite3_stmt *st;
	int64_t iid;
	int rc;
	assert(rt_store__writing(s));
	if (deleted)
		*deleted = 0;
	if ((rc = lookup_iid(s, instance_id, &iid)))
		return rc == RT_E_NOTFOUND ? 0 : rc;
	if (!execution_id)
		return delete_by(s, ST_HIST_DELETE_ALL, NULL, iid, deleted);
	if (!(st = rt_store__stmt(s, ST_HIST_DELETE_EXEC)))
		return RT_ERROR;
	sqlite3_bind_int64(st, 1, iid);
	rt_store__bind_text(st, 2, execution_id);
	return rt_store__step_done(s, st, "cannot delete history", deleted);
}

int rt_store_history_rewrite(struct rt_store *s, const char *instance_id,
			     const char *execution_id, int seq, int type, const void *data,
			     size_t len)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_HIST_REWRITE);
	char key[32];
	int64_t iid;
	int rc;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	if ((rc = lookup_iid(s, instance_id, &iid)))
		return rc;
	sqlite3_bind_int64(st, 1, iid);
	rt_store__bind_text(st, 2, execution_id);
	sqlite3_bind_int(st, 3, seq);
	sqlite3_bind_int(st, 4, type);
	if (rt_store__bind_blob(st, 5, data, len)) {
		rc = rt_store__sqlerr(s, sqlite3_errcode(s->db), "cannot rewrite history");
		sqlite3_reset(st);
		return rc;
	}
	snprintf(key, sizeof(key), "#%d", seq);
	return step_one_row(s, st, "cannot rewrite history", key);
}

int rt_store_instance_create(struct rt_store *s, const char *instance_id, const char *name,
			     const char *input, int64_t now_us, int overwrite_any,
			     const struct rt_event *parent, char exec_id[33], char **err)
{
	struct rt_instance old, row;
	struct rt_arena a;
	int rc, exists;

	rt_arena_init(&a);
	rc = rt_store_instance_get(s, instance_id, &old, &a);
	exists = rc == 0;
	if (rc != 0 && rc != RT_E_NOTFOUND) {
		rc = RT_ERROR;
		goto out;
	}
	if (exists && !rt_status_is_terminal(old.status) && !overwrite_any) {
		if (err)
			*err = xasprintf("An Orchestration instance with the status %s already exists.",
					 rt_status_name(old.status));
		rc = RT_E_EXISTS;
		goto out;
	}
	/* Overwriting: the old execution's history goes; its late messages
	 * and results are dropped by their execution id. */
	if (exists && rt_store_history_delete(s, instance_id, NULL, NULL) != 0) {
		rc = RT_ERROR;
		goto out;
	}
	rt_uuid_random_hex(exec_id);
	memset(&row, 0, sizeof(row));
	row.instance_id = instance_id;
	row.name = name;
	row.execution_id = exec_id;
	row.status = RT_ST_PENDING;
	row.created_us = now_us;
	row.updated_us = now_us;
	row.generation = exists ? old.generation + 1 : 0;
	row.parent_task_id = -1;
	row.input = input ? input : "null";
	if (parent) {
		row.parent_instance_id = parent->parent_instance_id;
		row.parent_execution_id = parent->parent_execution_id;
		row.parent_task_id = parent->parent_task_id;
	}
	rc = rt_store_instance_put(s, &row, exists) != 0 ? RT_ERROR : RT_OK;
out:
	rt_arena_cleanup(&a);
	return rc;
}
