/*
 * Unit tests for runtime/store_counts.c: instances per runtimeStatus
 * (schema 5, index instances_status), and the activity attempt's start time
 * that TaskCompleted/TaskFailed events carry (history codec field started_us),
 * and the previous input a continue-as-new keeps in ExecutionStarted.
 */
#include "store_util.h"

#include "runtime/history.h"

static void test_counts_empty(void)
{
	struct rt_store *s = fresh_store();
	int64_t n[RT_STORE_STATUS_SLOTS], other = -1;
	if (!s)
		return;
	is_int(rt_store_count_by_status(s, n, &other), 0, "an empty hub counts");
	int all_zero = other == 0;
	for (int i = 0; i < RT_STORE_STATUS_SLOTS; i++)
		all_zero &= n[i] == 0;
	ok(all_zero, "… nothing, in every status");
	rt_store_close(s);
}

static void test_counts(void)
{
	struct rt_store *s = fresh_store();
	int64_t n[RT_STORE_STATUS_SLOTS], other;
	char id[32];
	if (!s)
		return;
	ok(rt_store_begin(s) == 0, "begin");
	/* 10 Running, 5 Completed, 2 Failed, 1 Suspended; then 3 Running finish. */
	for (int i = 0; i < 18; i++) {
		enum rt_status st = i < 10 ? RT_ST_RUNNING : i < 15 ? RT_ST_COMPLETED
					  : i < 17 ? RT_ST_FAILED : RT_ST_SUSPENDED;
		snprintf(id, sizeof(id), "i-%02d", i);
		struct rt_instance in = make_instance(id, st, 1000 + i);
		if (rt_store_instance_put(s, &in, 0) != 0)
			ok(0, "put %s: %s", id, rt_store_errmsg(s));
	}
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "i-%02d", i);
		rt_store_instance_set_status(s, id, RT_ST_COMPLETED, 5000);
	}
	/* A status no engine writes lands in `other`, not in a slot. */
	struct rt_instance odd = make_instance("odd", (enum rt_status)42, 9000);
	rt_store_instance_put(s, &odd, 0);
	ok(rt_store_commit(s) == 0, "commit");
	is_int(rt_store_count_by_status(s, n, &other), 0, "counts");
	is_int(n[RT_ST_RUNNING], 7, "Running 7");
	is_int(n[RT_ST_COMPLETED], 8, "Completed 8 (3 moved from Running)");
	is_int(n[RT_ST_FAILED], 2, "Failed 2");
	is_int(n[RT_ST_SUSPENDED], 1, "Suspended 1");
	is_int(n[RT_ST_PENDING] + n[RT_ST_TERMINATED] + n[RT_ST_CONTINUED_AS_NEW], 0, "none in the others");
	is_int(other, 1, "an unknown status is counted apart");
	is_int(rt_store_count_by_status(s, n, NULL), 0, "other may be NULL");
	ok(rt_store_begin(s) == 0 && rt_store_instance_delete(s, "i-15") == 0 && rt_store_commit(s) == 0,
	   "purge one Failed instance");
	rt_store_count_by_status(s, n, &other);
	is_int(n[RT_ST_FAILED], 1, "… Failed 1");
	rt_store_close(s);
}

/* The count is answered from the index alone, never from the table rows
 * (which hold the payloads): what keeps it fast at 100,000 instances. */
static void test_counts_plan(void)
{
	struct rt_store *s = fresh_store();
	sqlite3 *db;
	sqlite3_stmt *st;
	char plan[512] = "";
	if (!s)
		return;
	rt_store_close(s);
	if (sqlite3_open_v2(last_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ok(0, "open %s", last_path);
		return;
	}
	if (sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT status, count(*) FROM instances"
				   " INDEXED BY instances_status GROUP BY status", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			strncat(plan, (const char *)sqlite3_column_text(st, 3), sizeof(plan) - strlen(plan) - 2);
			strcat(plan, ";");
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	ok(strstr(plan, "COVERING INDEX instances_status") != NULL, "the count scans the covering index (%s)", plan);
	ok(strstr(plan, "TEMP B-TREE") == NULL, "… with no sort of its own");
}

static void test_schema_has_index(void)
{
	struct rt_store *s = fresh_store();
	if (!s)
		return;
	rt_store_close(s);
	is_int(peek_int(last_path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'instances_status'"),
	       1, "schema 5 has the status index");
	/* A hub of schema 4 (no index) is upgraded: the index is built at open. */
	ok(raw_exec(last_path, "DROP INDEX instances_status; DROP INDEX instances_name;"
			    " DROP INDEX instances_updated; PRAGMA user_version = 4;") == 0, "make it a schema-4 file");
	struct rt_store *s2;
	char *err = NULL;
	ok(rt_store_open(&s2, last_path, NULL, &err) == 0, "a schema-4 hub opens (%s)", err ? err : "");
	free(err);
	rt_store_close(s2);
	is_int(peek_int(last_path, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "… is upgraded to the current schema");
	is_int(peek_int(last_path, "SELECT count(*) FROM sqlite_schema WHERE name = 'instances_status'"), 1,
	       "… with the status index");
}

static void test_started_codec(void)
{
	struct rt_event ev, back;
	struct rt_arena a;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, len_without;
	rt_arena_init(&a);
	rt_event_init(&ev, RT_EV_TASK_COMPLETED);
	ev.timestamp_us = 1700000000000000;
	ev.task_scheduled_id = 3;
	ev.result = "42";
	rt_history_encode(&ev, &buf, &len, &cap);
	len_without = len;
	ok(rt_history_decode(buf, len, &back, &a) == 0 && back.started_us == 0, "no start time: decodes as 0 (unknown)");
	len = 0;
	ev.started_us = 1699999999000000;
	rt_history_encode(&ev, &buf, &len, &cap);
	ok(len > len_without, "a start time costs a few bytes");
	ok(rt_history_decode(buf, len, &back, &a) == 0, "decodes");
	ok(back.started_us == ev.started_us && back.task_scheduled_id == 3 && strcmp(back.result, "42") == 0,
	   "… with its start time and everything else");
	ok(rt_history_decode(buf, len - 1, &back, &a) != 0, "a cut start time is refused");
	rt_event_init(&ev, RT_EV_EXECUTION_STARTED);
	ev.name = "eternal";
	ev.input = "{\"n\":2}";
	ev.previous_input = "{\"n\":1}";
	len = 0;
	rt_history_encode(&ev, &buf, &len, &cap);
	ok(rt_history_decode(buf, len, &back, &a) == 0 && back.previous_input &&
	   strcmp(back.previous_input, "{\"n\":1}") == 0 && strcmp(back.input, "{\"n\":2}") == 0,
	   "ExecutionStarted keeps the previous input of a continue-as-new");
	rt_event_init(&ev, RT_EV_EXECUTION_STARTED);
	len = 0;
	rt_history_encode(&ev, &buf, &len, &cap);
	ok(rt_history_decode(buf, len, &back, &a) == 0 && back.previous_input == NULL, "… and none otherwise");
	free(buf);
	rt_arena_cleanup(&a);
}

int main(void)
{
	tdir_make();
	in_memory = 0;
	subtest("counts of an empty hub", test_counts_empty);
	subtest("counts per status", test_counts);
	subtest("the query plan", test_counts_plan);
	subtest("schema 5", test_schema_has_index);
	subtest("started_us and previous_input in the codec", test_started_codec);
	tdir_remove();
	return done_testing();
}
