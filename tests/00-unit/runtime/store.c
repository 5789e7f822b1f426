/*
 * Unit tests for runtime/store.c and store_queue.c: transactions,
 * instances, history, inbox, activities. Every behaviour test runs twice,
 * on a file and in memory. Schema, migration and query plans are in
 * store_schema.c, listing, purge and multi-handle tests in store_query.c,
 * crash tests in store_crash.c, the write paths that group or narrow
 * statements in store_writes.c.
 */
#include "store_util.h"

#include <stdint.h>

static struct rt_arena arena;

/* ---- transactions ------------------------------------------------------- */

static void test_rollback(void)
{
	struct rt_store *s = fresh_store();
	struct rt_instance in = make_instance("i1", RT_ST_PENDING, 100);
	struct rt_history_row row = { 0, RT_EV_EXECUTION_STARTED, 100, "ev", 2 };
	struct rt_inbox_msg m = { .instance_id = "i1", .type = 0, .data = "m", .len = 1 };
	struct rt_activity act = { .instance_id = "i1", .execution_id = "e", .name = "a" };
	struct rt_store_stats st;
	if (!s)
		return;

	ok(!rt_store_in_transaction(s), "no transaction at first");
	is_int(rt_store_rollback(s), 0, "rollback without a transaction is a no-op");
	is_int(rt_store_begin(s), 0, "begin");
	ok(rt_store_in_transaction(s), "in transaction");
	is_int(rt_store_instance_put(s, &in, 0), 0, "put");
	is_int(rt_store_history_append(s, "i1", in.execution_id, &row, 1), 0, "append");
	is_int(rt_store_inbox_add(s, &m, NULL), 0, "inbox add");
	is_int(rt_store_activity_add(s, &act, NULL), 0, "activity add");
	st = stats_of(s);
	ok(st.instances == 1 && st.history == 1 && st.inbox == 1 && st.activities == 1,
	   "visible inside the transaction");
	is_int(rt_store_rollback(s), 0, "rollback");
	ok(!rt_store_in_transaction(s), "transaction ended");
	st = stats_of(s);
	ok(st.instances == 0 && st.history == 0 && st.inbox == 0 && st.activities == 0,
	   "rollback leaves nothing");

	/* Commit makes it stay. */
	rt_store_begin(s);
	rt_store_instance_put(s, &in, 0);
	is_int(rt_store_commit(s), 0, "commit");
	is_int(stats_of(s).instances, 1, "committed row stays");
	rt_store_close(s);
}

static void test_savepoints(void)
{
	struct rt_store *s = fresh_store();
	struct rt_history_row a = { 0, 12, 1, "a", 1 }, b = { 1, 4, 2, "b", 1 };
	struct rt_history_row *rows;
	size_t n;
	if (!s)
		return;

	rt_store_begin(s);
	/* History needs its instance row. */
	for (int i = 0; i < 3; i++) {
		struct rt_instance in = make_instance(i == 0 ? "x" : i == 1 ? "y" : "z",
						      RT_ST_RUNNING, 1);
		rt_store_instance_put(s, &in, 0);
	}
	/* Episode 1 succeeds. */
	is_int(rt_store_savepoint(s), 0, "savepoint 1");
	is_int(rt_store_history_append(s, "x", "e", &a, 1), 0, "episode 1 appends");
	is_int(rt_store_savepoint_release(s), 0, "release 1");
	/* Episode 2 collides halfway and is undone alone. */
	is_int(rt_store_savepoint(s), 0, "savepoint 2");
	is_int(rt_store_history_append(s, "y", "e", &a, 1), 0, "episode 2 first row");
	is_int(rt_store_history_append(s, "x", "e", &a, 1), RT_E_CONFLICT,
	       "episode 2 collides");
	is_int(rt_store_savepoint_rollback(s), 0, "rollback to savepoint 2");
	/* Nested: an inner one rolled back, the outer kept. */
	rt_store_savepoint(s);
	rt_store_history_append(s, "x", "e", &b, 1);
	rt_store_savepoint(s);
	rt_store_history_append(s, "z", "e", &a, 1);
	rt_store_savepoint_rollback(s);
	rt_store_savepoint_release(s);
	is_int(rt_store_commit(s), 0, "group commit");

	rt_store_history_load(s, "x", "e", &rows, &n, &arena);
	is_int(n, 2, "episode 1 and the outer nested rows kept");
	rt_store_history_load(s, "y", "e", &rows, &n, &arena);
	is_int(n, 0, "episode 2 undone");
	rt_store_history_load(s, "z", "e", &rows, &n, &arena);
	is_int(n, 0, "inner nested savepoint undone");
	rt_store_close(s);
}

/* ---- instances ---------------------------------------------------------- */

static void test_instances(void)
{
	struct rt_store *s = fresh_store();
	struct rt_instance in = make_instance("inst-1", RT_ST_PENDING, 1000), got;
	if (!s)
		return;

	is_int(rt_store_instance_get(s, "inst-1", &got, &arena), RT_E_NOTFOUND, "absent");
	ok(strstr(rt_store_errmsg(s), "inst-1") != NULL, "message names the id: %s",
	   rt_store_errmsg(s));

	in.parent_instance_id = "parent";
	in.parent_execution_id = "pexec";
	in.parent_task_id = 7;
	in.generation = 3;
	in.history_len = 5;
	in.custom_status = "";
	rt_store_begin(s);
	is_int(rt_store_instance_put(s, &in, 0), 0, "insert");
	is_int(rt_store_instance_put(s, &in, 0), RT_E_CONFLICT, "second insert conflicts");
	ok(strstr(rt_store_errmsg(s), "already exists") != NULL, "message: %s", rt_store_errmsg(s));
	rt_store_commit(s);

	is_int(rt_store_instance_get(s, "inst-1", &got, &arena), 0, "get");
	is_str(got.instance_id, "inst-1", "id");
	is_str(got.name, "hello_seq", "name");
	is_str(got.execution_id, in.execution_id, "execution id");
	is_int(got.status, RT_ST_PENDING, "status");
	is_int(got.created_us, 1000, "created");
	is_int(got.updated_us, 1001, "updated");
	is_int(got.generation, 3, "generation");
	is_int(got.history_len, 5, "history_len");
	is_str(got.parent_instance_id, "parent", "parent id");
	is_str(got.parent_execution_id, "pexec", "parent execution");
	is_int(got.parent_task_id, 7, "parent task");
	is_str(got.input, "{\"city\":\"Tokyo\"}", "input");
	is_str(got.output, NULL, "output NULL stays NULL");
	is_str(got.custom_status, "", "empty string stays empty");

	/* The checkpoint update leaves name, input and the parent link alone. */
	struct rt_instance up = {
		.instance_id = "inst-1", .name = "ignored", .execution_id = "exec-2",
		.status = RT_ST_COMPLETED, .created_us = 2000, .updated_us = 3000,
		.generation = 4, .history_len = 9, .parent_task_id = 99,
		.input = "ignored", .output = "[1,2]", .custom_status = "{\"s\":1}",
	};
	rt_store_begin(s);
	is_int(rt_store_instance_update(s, &up), 0, "update");
	rt_store_commit(s);
	rt_store_instance_get(s, "inst-1", &got, &arena);
	is_int(got.status, RT_ST_COMPLETED, "status updated");
	is_str(got.execution_id, "exec-2", "execution updated");
	is_int(got.created_us, 2000, "created updated");
	is_int(got.updated_us, 3000, "updated updated");
	is_int(got.generation, 4, "generation updated");
	is_int(got.history_len, 9, "history_len updated");
	is_str(got.output, "[1,2]", "output updated");
	is_str(got.custom_status, "{\"s\":1}", "custom status updated");
	is_str(got.name, "hello_seq", "name kept");
	is_str(got.input, "{\"city\":\"Tokyo\"}", "input kept");
	is_str(got.parent_instance_id, "parent", "parent kept");
	is_int(got.parent_task_id, 7, "parent task kept");

	rt_store_begin(s);
	is_int(rt_store_instance_set_status(s, "inst-1", RT_ST_PENDING, 4000), 0, "set status");
	rt_store_instance_get(s, "inst-1", &got, &arena);
	ok(got.status == RT_ST_PENDING && got.updated_us == 4000 && got.output &&
	   got.history_len == 9, "only status and updated changed");

	/* Overwrite (replace) writes everything, parent link included. */
	in = make_instance("inst-1", RT_ST_PENDING, 5000);
	in.input = NULL;
	in.generation = 5;
	is_int(rt_store_instance_put(s, &in, 1), 0, "replace");
	rt_store_instance_get(s, "inst-1", &got, &arena);
	ok(got.input == NULL && got.parent_instance_id == NULL && got.parent_task_id == -1 &&
	   got.generation == 5 && got.output == NULL, "replaced row");

	is_int(rt_store_instance_update(s, &(struct rt_instance){ .instance_id = "nope" }),
	       RT_E_NOTFOUND, "update of a missing row");
	is_int(rt_store_instance_set_status(s, "nope", RT_ST_RUNNING, 1), RT_E_NOTFOUND,
	       "set status of a missing row");
	is_int(rt_store_instance_delete(s, "inst-1"), 0, "delete");
	is_int(rt_store_instance_delete(s, "inst-1"), RT_E_NOTFOUND, "delete again");
	rt_store_commit(s);
	is_int(rt_store_instance_get(s, "inst-1", &got, &arena), RT_E_NOTFOUND, "gone");

	/* Ids are byte strings: case and odd bytes are kept. */
	rt_store_begin(s);
	in = make_instance("Case\xc3\xa9", RT_ST_RUNNING, 1);
	rt_store_instance_put(s, &in, 0);
	in.instance_id = "case\xc3\xa9";
	is_int(rt_store_instance_put(s, &in, 0), 0, "ids are case-sensitive");
	rt_store_commit(s);
	is_int(stats_of(s).instances, 2, "two instances");
	rt_store_close(s);
}

/* ---- history ------------------------------------------------------------ */

static void test_history(void)
{
	struct rt_store *s = fresh_store();
	struct rt_history_row in[5], *rows;
	unsigned char blobs[5][300];
	size_t n;
	int64_t deleted;
	if (!s)
		return;

	for (int i = 0; i < 5; i++) {
		/* Big blobs too, so some rows spill into overflow pages. */
		size_t len = i == 4 ? sizeof(blobs[i]) : (size_t)(10 + i);
		memset(blobs[i], 'a' + i, sizeof(blobs[i]));
		in[i] = (struct rt_history_row){ i, 12 + i % 3, 1000 + i, blobs[i], len };
	}
	struct rt_instance inst = make_instance("h", RT_ST_RUNNING, 1);
	rt_store_begin(s);
	is_int(rt_store_history_append(s, "h", "e1", &in[0], 1), RT_E_NOTFOUND,
	       "no history without the instance row");
	ok(strstr(rt_store_errmsg(s), "no instance h") != NULL, "message: %s", rt_store_errmsg(s));
	rt_store_instance_put(s, &inst, 0);
	/* Out of order on purpose: load must sort by seq. */
	is_int(rt_store_history_append(s, "h", "e1", &in[2], 3), 0, "append 2..4");
	is_int(rt_store_history_append(s, "h", "e1", &in[0], 2), 0, "append 0..1");
	is_int(rt_store_history_append(s, "h", "e2", &in[0], 1), 0, "other execution");
	is_int(rt_store_history_append(s, "h", "e1", &in[3], 1), RT_E_CONFLICT,
	       "collision on (instance, execution, seq) fails");
	ok(strstr(rt_store_errmsg(s), "#3") != NULL, "message: %s", rt_store_errmsg(s));
	rt_store_commit(s);

	is_int(rt_store_history_load(s, "h", "e1", &rows, &n, &arena), 0, "load");
	is_int(n, 5, "five rows");
	int order = 1, data = 1;
	for (size_t i = 0; i < n; i++) {
		order &= rows[i].seq == (int)i && rows[i].type == in[i].type &&
			 rows[i].timestamp_us == in[i].timestamp_us;
		data &= rows[i].len == in[i].len &&
			memcmp(rows[i].data, in[i].data, in[i].len) == 0;
	}
	ok(order, "seq order, types and timestamps");
	ok(data, "blobs copied exactly");
	ok((void *)rows[0].data != (void *)in[0].data, "blob is a copy");

	rt_store_history_load(s, "h", "nope", &rows, &n, &arena);
	ok(n == 0 && rows == NULL, "unknown execution: empty");
	is_int(rt_store_history_load(s, "nobody", "e1", &rows, &n, &arena), 0,
	       "unknown instance loads");
	ok(n == 0 && rows == NULL, "unknown instance: empty");

	/* Rewind rewrites a row in place. */
	rt_store_begin(s);
	is_int(rt_store_history_rewrite(s, "h", "e1", 2, RT_EV_GENERIC, "rewound", 7), 0,
	       "rewrite");
	is_int(rt_store_history_rewrite(s, "h", "e1", 9, RT_EV_GENERIC, "x", 1), RT_E_NOTFOUND,
	       "rewrite of a missing row");
	is_int(rt_store_history_rewrite(s, "nobody", "e1", 0, RT_EV_GENERIC, "x", 1),
	       RT_E_NOTFOUND, "rewrite of a missing instance");
	rt_store_commit(s);
	rt_store_history_load(s, "h", "e1", &rows, &n, &arena);
	ok(n == 5 && rows[2].type == RT_EV_GENERIC && rows[2].len == 7 &&
	   memcmp(rows[2].data, "rewound", 7) == 0 && rows[2].timestamp_us == 1002,
	   "row 2 rewritten, timestamp kept");

	/* Empty blob. */
	struct rt_history_row empty = { 5, 13, 2000, NULL, 0 };
	rt_store_begin(s);
	is_int(rt_store_history_append(s, "h", "e1", &empty, 1), 0, "empty blob appends");
	rt_store_commit(s);
	rt_store_history_load(s, "h", "e1", &rows, &n, &arena);
	ok(n == 6 && rows[5].len == 0 && rows[5].data != NULL, "empty blob loads");

	rt_store_begin(s);
	is_int(rt_store_history_delete(s, "h", "e2", &deleted), 0, "delete one execution");
	is_int(deleted, 1, "one row");
	rt_store_history_load(s, "h", "e1", &rows, &n, &arena);
	is_int(n, 6, "other execution kept");
	is_int(rt_store_history_delete(s, "h", NULL, &deleted), 0, "delete all");
	is_int(deleted, 6, "six rows");
	deleted = -1;
	is_int(rt_store_history_delete(s, "nobody", NULL, &deleted), 0, "delete, no instance");
	is_int(deleted, 0, "nothing deleted");
	rt_store_commit(s);
	is_int(stats_of(s).history, 0, "history empty");

	/* An overwrite keeps the row's key: history kept across it stays
	 * reachable; a purge takes the history with the row, so an id made
	 * again starts empty. */
	rt_store_begin(s);
	rt_store_history_append(s, "h", "e1", in, 2);
	inst.execution_id = "e1";
	inst.generation = 1;
	is_int(rt_store_instance_put(s, &inst, 1), 0, "overwrite");
	rt_store_history_load(s, "h", "e1", &rows, &n, &arena);
	is_int(n, 2, "history kept across the overwrite");
	is_int(rt_store_instance_delete(s, "h"), 0, "purge");
	is_int(stats_of(s).history, 0, "purge took the history");
	rt_store_instance_put(s, &inst, 0);
	rt_store_history_load(s, "h", "e1", &rows, &n, &arena);
	is_int(n, 0, "the id made again has no history");
	rt_store_commit(s);
	rt_store_close(s);
}

/* ---- inbox -------------------------------------------------------------- */

struct busy_set {
	const char *ids[4];
	int calls;
};

static int busy_by_name(void *ctx, const char *id)
{
	struct busy_set *b = ctx;
	b->calls++;
	for (int i = 0; i < 4 && b->ids[i]; i++)
		if (strcmp(b->ids[i], id) == 0)
			return 1;
	return 0;
}

static int64_t add_msg(struct rt_store *s, const char *inst, const char *exec, int64_t vis)
{
	struct rt_inbox_msg m = {
		.instance_id = inst, .execution_id = exec, .visible_us = vis, .type = 15,
		.data = inst, .len = strlen(inst),
	};
	int64_t id = -1;
	if (rt_store_inbox_add(s, &m, &id) != 0)
		ok(0, "inbox add: %s", rt_store_errmsg(s));
	return id;
}

static int ready_is(struct rt_store *s, int64_t now, size_t limit, struct busy_set *b,
		    const char *want)
{
	const char **ids;
	size_t n;
	char got[256] = "";
	if (rt_store_inbox_ready(s, now, limit, b ? busy_by_name : NULL, b, &ids, &n, &arena) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		strcat(got, i ? "," : "");
		strcat(got, ids[i]);
	}
	if (strcmp(got, want) != 0)
		printf("#   ready got \"%s\", want \"%s\"\n", got, want);
	return strcmp(got, want) == 0;
}

static void test_inbox(void)
{
	struct rt_store *s = fresh_store();
	struct rt_inbox_msg *msgs;
	const int64_t t = 1700000000000000;
	int64_t ids[8], next, deleted;
	size_t n;
	if (!s)
		return;

	rt_store_begin(s);
	ids[0] = add_msg(s, "b", NULL, 0);
	ids[1] = add_msg(s, "a", "exec-a", 0);
	ids[2] = add_msg(s, "c", NULL, t + 10);       /* timer, due soon */
	ids[3] = add_msg(s, "d", NULL, 0);
	ids[4] = add_msg(s, "e", NULL, t + 1000000);  /* timer, far future */
	ids[5] = add_msg(s, "a", NULL, 0);
	ids[6] = add_msg(s, "a", NULL, t + 500);      /* a's own timer */
	ids[7] = add_msg(s, "b", NULL, -5);           /* negative = at once */
	rt_store_commit(s);
	ok(ids[0] > 0 && ids[1] > ids[0] && ids[7] > ids[6], "ids grow in arrival order");

	is_int(rt_store_inbox_load(s, "a", t, 0, &msgs, &n, &arena), 0, "load a");
	is_int(n, 2, "two visible for a, the timer not yet");
	ok(n == 2 && msgs[0].id == ids[1] && msgs[1].id == ids[5], "arrival order");
	is_str(n ? msgs[0].execution_id : "", "exec-a", "execution id kept");
	is_str(n > 1 ? msgs[1].execution_id : "", NULL, "NULL execution id kept");
	ok(n && msgs[0].len == 1 && memcmp(msgs[0].data, "a", 1) == 0 && msgs[0].type == 15,
	   "type and data");
	ok(n && msgs[0].enqueued_us > t, "enqueued time set");
	rt_store_inbox_load(s, "a", t + 500, 0, &msgs, &n, &arena);
	is_int(n, 3, "the timer is visible at its time");
	rt_store_inbox_load(s, "a", t + 500, 2, &msgs, &n, &arena);
	is_int(n, 2, "limit");
	rt_store_inbox_load(s, "b", t, 0, &msgs, &n, &arena);
	ok(n == 2 && msgs[1].visible_us == 0, "negative visible_us stored as 0");

	ok(ready_is(s, t, 0, NULL, "b,a,d"), "ready now: immediate ones in arrival order");
	ok(ready_is(s, t + 20, 0, NULL, "b,a,c,d"), "a due timer merges in by arrival");
	ok(ready_is(s, t + 20, 2, NULL, "b,a"), "limit");
	struct busy_set busy = { { "a", "zz" }, 0 };
	ok(ready_is(s, t + 20, 0, &busy, "b,c,d"), "busy instance skipped");
	is_int(busy.calls, 4, "busy() asked once per instance");
	busy = (struct busy_set){ { "b", "a", "c", "d" }, 0 };
	ok(ready_is(s, t + 2000000, 0, &busy, "e"), "only e left when the rest is busy");
	ok(ready_is(s, 0, 0, NULL, "b,a,d"), "now = 0 still sees immediate messages");

	is_int(rt_store_inbox_next_visible(s, t, &next), 0, "next visible");
	is_int(next, t + 10, "earliest future timer");
	rt_store_inbox_next_visible(s, t + 10, &next);
	is_int(next, t + 500, "strictly after now");

	rt_store_begin(s);
	int64_t del[] = { ids[2], ids[6], 999999 };
	is_int(rt_store_inbox_delete(s, del, 3, &deleted), 0, "delete by ids");
	is_int(deleted, 2, "missing ids ignored");
	rt_store_commit(s);
	rt_store_inbox_next_visible(s, t, &next);
	is_int(next, t + 1000000, "next after deleting timers");
	rt_store_begin(s);
	rt_store_inbox_delete(s, &ids[4], 1, NULL);
	rt_store_commit(s);
	rt_store_inbox_next_visible(s, t, &next);
	ok(next == INT64_MAX, "INT64_MAX when no timer is left");
	is_int(stats_of(s).inbox, 5, "count");
	rt_store_close(s);
}

/* ---- activities --------------------------------------------------------- */

static int busy_by_id(void *ctx, int64_t id)
{
	const int64_t *busy = ctx;
	for (; *busy; busy++)
		if (*busy == id)
			return 1;
	return 0;
}

static void test_activities(void)
{
	struct rt_store *s = fresh_store();
	struct rt_activity *rows;
	const int64_t t = 1700000000000000;
	int64_t ids[4], next;
	size_t n;
	if (!s)
		return;

	rt_store_begin(s);
	for (int i = 0; i < 4; i++) {
		struct rt_activity a = {
			.instance_id = i == 3 ? "other" : "inst",
			.execution_id = "e1",
			.task_id = i,
			.name = "say_hello", .input = i == 1 ? NULL : "\"Tokyo\"",
		};
		is_int(rt_store_activity_add(s, &a, &ids[i]), 0, "add %d", i);
	}
	is_int(rt_store_activity_pick(s, t, 2, NULL, NULL, &rows, &n, &arena), 0, "pick 2");
	is_int(n, 2, "two rows");
	ok(n == 2 && rows[0].id == ids[0] && rows[1].id == ids[1], "oldest first");
	ok(n == 2 && rows[0].dequeue_count == 0 && rows[1].dequeue_count == 0,
	   "picking is not an attempt: dequeue_count unchanged");
	ok(n == 2 && rows[0].task_id == 0 && strcmp(rows[0].name, "say_hello") == 0 &&
	   strcmp(rows[0].input, "\"Tokyo\"") == 0 && strcmp(rows[0].instance_id, "inst") == 0 &&
	   strcmp(rows[0].execution_id, "e1") == 0 && rows[1].input == NULL,
	   "columns");

	int64_t busy[] = { ids[0], ids[1], 0 };
	rt_store_activity_pick(s, t, 0, busy_by_id, busy, &rows, &n, &arena);
	ok(n == 2 && rows[0].id == ids[2] && rows[1].id == ids[3], "busy ones skipped");
	is_int(rt_store_activity_count_attempt(s, ids[0]), 0, "count an attempt");
	is_int(rt_store_activity_count_attempt(s, 424242), RT_E_NOTFOUND, "count a missing row");
	rt_store_commit(s);

	/* The count belongs to the caller's transaction. */
	struct rt_activity one;
	is_int(rt_store_activity_get(s, ids[0], &one, &arena), 0, "get");
	ok(one.dequeue_count == 1 && one.task_id == 0 && strcmp(one.instance_id, "inst") == 0,
	   "the committed attempt counts 1");
	is_int(rt_store_activity_get(s, 424242, &one, &arena), RT_E_NOTFOUND, "get a missing row");
	rt_store_begin(s);
	rt_store_activity_count_attempt(s, ids[0]);
	rt_store_rollback(s);
	rt_store_begin(s);
	rt_store_activity_pick(s, t, 1, NULL, NULL, &rows, &n, &arena);
	ok(n == 1 && rows[0].dequeue_count == 1, "a rolled-back attempt did not count");
	rt_store_activity_count_attempt(s, ids[0]);

	/* Back-off: invisible until its time, then merged in by id. */
	is_int(rt_store_activity_postpone(s, ids[0], t + 100), 0, "postpone");
	rt_store_activity_pick(s, t, 0, NULL, NULL, &rows, &n, &arena);
	ok(n == 3 && rows[0].id == ids[1], "postponed one not visible");
	rt_store_activity_next_visible(s, t, &next);
	is_int(next, t + 100, "next visible activity");
	rt_store_activity_pick(s, t + 100, 0, NULL, NULL, &rows, &n, &arena);
	ok(n == 4 && rows[0].id == ids[0] && rows[0].dequeue_count == 2, "visible again, in order");
	ok(n == 4 && rows[0].visible_us == t + 100, "visible_us reported");
	is_int(rt_store_activity_postpone(s, 424242, t), RT_E_NOTFOUND, "postpone missing");

	is_int(rt_store_activity_list(s, "inst", &rows, &n, &arena), 0, "list");
	ok(n == 3 && rows[0].id == ids[0] && rows[2].id == ids[2], "list by instance in id order");
	is_int(rt_store_activity_delete(s, ids[1]), 0, "delete");
	is_int(rt_store_activity_delete(s, ids[1]), RT_E_NOTFOUND, "delete again");
	rt_store_commit(s);
	rt_store_activity_next_visible(s, t + 100, &next);
	ok(next == INT64_MAX, "no future activity");
	is_int(stats_of(s).activities, 3, "count");
	rt_store_close(s);
}

static void test_purge_one(void)
{
	struct rt_store *s = fresh_store();
	struct rt_history_row h[2] = { { 0, 12, 1, "x", 1 }, { 1, 0, 1, "y", 1 } };
	struct rt_store_stats st;
	if (!s)
		return;
	rt_store_begin(s);
	for (int i = 0; i < 2; i++) {
		const char *id = i ? "keep" : "purge";
		struct rt_instance in = make_instance(id, RT_ST_RUNNING, 1);
		struct rt_activity a = { .instance_id = id, .execution_id = "e", .name = "n" };
		rt_store_instance_put(s, &in, 0);
		rt_store_history_append(s, id, "old-exec", h, 2);
		rt_store_history_append(s, id, in.execution_id, h, 2);
		add_msg(s, id, NULL, 0);
		add_msg(s, id, NULL, 99);
		rt_store_activity_add(s, &a, NULL);
	}
	/* Stray rows of an instance without a status row go too. */
	add_msg(s, "stray", NULL, 0);
	is_int(rt_store_instance_delete(s, "stray"), RT_E_NOTFOUND, "stray: no instance row");
	is_int(rt_store_instance_delete(s, "purge"), 0, "purge one");
	rt_store_commit(s);
	st = stats_of(s);
	ok(st.instances == 1 && st.history == 4 && st.inbox == 2 && st.activities == 1,
	   "every row of the purged instance gone, the other intact");
	rt_store_close(s);
}

/* rt_store_instance_create: a new row, a refused reuse, an overwrite. */
static void test_instance_create(void)
{
	struct rt_store *s = fresh_store();
	struct rt_history_row h = { 0, 12, 1, "x", 1 };
	struct rt_instance got;
	struct rt_event parent;
	char exec1[33], exec2[33], *err = NULL;
	size_t n;
	struct rt_history_row *rows;
	if (!s)
		return;
	rt_store_begin(s);
	is_int(rt_store_instance_create(s, "c1", "orch", NULL, 1000, 0, NULL, exec1, &err), RT_OK,
	       "a new instance");
	ok(rt_store_instance_get(s, "c1", &got, &arena) == 0 && got.status == RT_ST_PENDING &&
		   strcmp(got.execution_id, exec1) == 0 && strcmp(got.input, "null") == 0 &&
		   got.generation == 0 && got.parent_task_id == -1 && got.created_us == 1000,
	   "Pending, the new execution id, input null, generation 0, no parent");
	rt_store_history_append(s, "c1", exec1, &h, 1);

	is_int(rt_store_instance_create(s, "c1", "orch", "1", 2000, 0, NULL, exec2, &err),
	       RT_E_EXISTS, "a Pending instance is not overwritten");
	is_str(err, "An Orchestration instance with the status Pending already exists.",
	       "the message names its status");
	free(err);
	err = NULL;
	is_int(rt_store_instance_create(s, "c1", "orch", "1", 2000, 0, NULL, exec2, NULL),
	       RT_E_EXISTS, "err may be NULL");

	rt_store_instance_set_status(s, "c1", RT_ST_COMPLETED, 1500);
	is_int(rt_store_instance_create(s, "c1", "orch", "[2]", 3000, 0, NULL, exec2, &err), RT_OK,
	       "a terminal instance is overwritten");
	ok(rt_store_instance_get(s, "c1", &got, &arena) == 0 && got.generation == 1 &&
		   strcmp(got.input, "[2]") == 0 && strcmp(exec1, exec2) != 0,
	   "with the next generation, its input and a new execution id");
	ok(rt_store_history_load(s, "c1", exec1, &rows, &n, &arena) == 0 && n == 0,
	   "and without the old history");
	is_int(rt_store_instance_create(s, "c1", "orch", NULL, 4000, 1, NULL, exec1, &err), RT_OK,
	       "overwrite_any replaces even a Pending one");

	rt_event_init(&parent, RT_EV_EXECUTION_STARTED);
	parent.parent_instance_id = "p";
	parent.parent_execution_id = "pe";
	parent.parent_task_id = 7;
	is_int(rt_store_instance_create(s, "sub", "child", NULL, 5000, 0, &parent, exec1, &err),
	       RT_OK, "a sub-orchestration");
	ok(rt_store_instance_get(s, "sub", &got, &arena) == 0 &&
		   strcmp(got.parent_instance_id, "p") == 0 && got.parent_task_id == 7,
	   "keeps its parent's fields");
	rt_store_commit(s);
	rt_store_close(s);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);

	for (in_memory = 0; in_memory < 2; in_memory++) {
		printf("# ---- on %s\n", in_memory ? ":memory:" : "a file");
		subtest("rollback", test_rollback);
		subtest("savepoints", test_savepoints);
		subtest("instances", test_instances);
		subtest("history", test_history);
		subtest("inbox", test_inbox);
		subtest("activities", test_activities);
		subtest("purge one", test_purge_one);
		subtest("instance create", test_instance_create);
		rt_arena_reset(&arena);
	}

	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
