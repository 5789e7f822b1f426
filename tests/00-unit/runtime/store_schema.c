/*
 * Unit tests for the store's schema (runtime/store.c, store_sql.c): a fresh
 * file, files that are not task hubs or come from a newer cfunc, the
 * migration steps from earlier versions with their rows kept, and the
 * query plans of the statement table. The behaviour of the rows is in
 * store.c.
 */
#include "store_util.h"

#include <stdint.h>

#include "runtime/store_int.h" /* statement texts, for the query-plan test */
#include <sys/stat.h>

static struct rt_arena arena;

/* ---- schema ------------------------------------------------------------- */

static void test_schema_fresh(void)
{
	const char *path = tpath("sub/dir/hub.db"); /* parents do not exist yet */
	struct rt_store *s;
	char *err = NULL;
	struct stat sb;
	char copy[256];

	snprintf(copy, sizeof(copy), "%s", path);
	is_int(rt_store_open(&s, copy, NULL, &err), 0, "open creates parent directories");
	ok(stat(copy, &sb) == 0, "file exists");
	is_int(peek_int(copy, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "user_version");
	is_int(peek_int(copy, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
			      " ('instances', 'history', 'inbox', 'activities')"),
	       4, "four tables");
	is_int(peek_int(copy, "SELECT count(*) FROM pragma_table_info('inbox')"
			      " WHERE name = 'enqueued_us'"),
	       1, "v2 column present");
	is_int(peek_int(copy, "SELECT pk FROM pragma_table_info('instances') WHERE name = 'iid'"),
	       1, "v3: instances keyed by iid");
	is_int(peek_int(copy, "SELECT \"unique\" FROM pragma_index_list('instances')"
			      " WHERE name = 'instances_id'"),
	       1, "v3: unique index on instance_id");
	is_int(peek_int(copy, "SELECT group_concat(name) = 'iid,execution_id,seq'"
			      " FROM pragma_index_info('sqlite_autoindex_history_1')"),
	       1, "v3: history keyed by (iid, execution_id, seq)");
	is_int(peek_int(copy, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND"
			      " name IN ('activities_instance', 'instances_created',"
			      " 'inbox_instance', 'inbox_visible', 'activities_visible')"),
	       4, "v3: indexes (activities_instance dropped)");
	rt_store_close(s);

	/* journal_mode is persistent in the file once WAL is on. */
	is_int(peek_int(copy, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1,
	       "journal_mode is wal");
	is_int(rt_store_open(&s, copy, NULL, &err), 0, "reopen");
	is_int(peek_int(copy, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "still current");
	rt_store_close(s);

	is_int(rt_store_open(&s, ":memory:", NULL, &err), 0, ":memory: opens");
	rt_store_close(s);
}

static void test_open_errors(void)
{
	struct rt_store *s = (struct rt_store *)1;
	char *err = NULL;
	const char *missing = tpath("missing.db");
	char path[256];

	is_int(rt_store_open_readonly(&s, missing, &err), RT_ERROR, "read-only needs a file");
	ok(s == NULL, "no handle on failure");
	ok(err && strstr(err, "cannot open") && strstr(err, "missing.db"), "message: %s",
	   err ? err : "(null)");
	free(err);
	err = NULL;

	is_int(rt_store_open_readonly(&s, ":memory:", &err), RT_ERROR, "read-only :memory:");
	free(err);
	err = NULL;

	/* A regular file where a directory should be. */
	snprintf(path, sizeof(path), "%s", tpath("file"));
	raw_exec(path, "CREATE TABLE x(y)");
	strcat(path, "/hub.db");
	is_int(rt_store_open(&s, path, NULL, &err), RT_ERROR, "parent is a file");
	ok(err && strncmp(err, "cannot ", 7) == 0, "message: %s", err ? err : "(null)");
	free(err);
	err = NULL;

	/* Not a task hub: someone else's application_id. */
	snprintf(path, sizeof(path), "%s", tpath("other.db"));
	raw_exec(path, "PRAGMA application_id = 42; CREATE TABLE t(x)");
	is_int(rt_store_open(&s, path, NULL, &err), RT_ERROR, "foreign file refused");
	ok(err && strstr(err, "not a cfunc task hub"), "message: %s", err ? err : "(null)");
	free(err);
	err = NULL;

	/* errmsg may be NULL. */
	is_int(rt_store_open(&s, path, NULL, NULL), RT_ERROR, "errmsg optional");
}

/* The v1 layout, written by hand as an older cfunc would have left it. */
static const char v1_schema[] =
	"CREATE TABLE instances (instance_id TEXT NOT NULL PRIMARY KEY, status INTEGER NOT NULL,"
	" created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL, execution_id TEXT,"
	" name TEXT NOT NULL, generation INTEGER NOT NULL DEFAULT 0,"
	" history_len INTEGER NOT NULL DEFAULT 0, parent_instance_id TEXT,"
	" parent_execution_id TEXT, parent_task_id INTEGER NOT NULL DEFAULT -1,"
	" custom_status TEXT, output TEXT, input TEXT) WITHOUT ROWID;"
	"CREATE INDEX instances_created ON instances(created_us);"
	"CREATE TABLE history (instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL, type INTEGER NOT NULL, timestamp_us INTEGER NOT NULL,"
	" data BLOB NOT NULL, PRIMARY KEY (instance_id, execution_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL,"
	" execution_id TEXT, visible_us INTEGER NOT NULL, type INTEGER NOT NULL,"
	" data BLOB NOT NULL);"
	"CREATE INDEX inbox_visible ON inbox(visible_us);"
	"CREATE INDEX inbox_instance ON inbox(instance_id, id);"
	"CREATE TABLE activities (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, task_id INTEGER NOT NULL,"
	" visible_us INTEGER NOT NULL, dequeue_count INTEGER NOT NULL DEFAULT 0,"
	" name TEXT NOT NULL, input TEXT);"
	"CREATE INDEX activities_visible ON activities(visible_us);"
	"CREATE INDEX activities_instance ON activities(instance_id);"
	"INSERT INTO instances (instance_id, status, created_us, updated_us, execution_id, name,"
	" input) VALUES ('old', 0, 10, 11, 'e1', 'orch', '\"in\"');"
	"INSERT INTO inbox (instance_id, visible_us, type, data) VALUES ('old', 0, 5, x'0102');"
	"INSERT INTO activities (instance_id, execution_id, task_id, visible_us, name, input)"
	" VALUES ('old', 'e1', 0, 0, 'act', '1');"
	"PRAGMA user_version = 1; PRAGMA application_id = 1667659118;";

static void test_migrate(void)
{
	char path[256];
	struct rt_store *s;
	struct rt_instance in;
	struct rt_inbox_msg *msgs;
	struct rt_activity *acts;
	size_t n;
	char *err = NULL;

	snprintf(path, sizeof(path), "%s", tpath("v1.db"));
	if (!ok(raw_exec(path, v1_schema) == 0, "hand-made v1 file"))
		return;
	is_int(rt_store_open_readonly(&s, path, &err), RT_ERROR,
	       "read-only handle does not upgrade");
	ok(err && strstr(err, "schema version 1"), "message: %s", err ? err : "(null)");
	free(err);
	err = NULL;

	if (!ok(rt_store_open(&s, path, NULL, &err) == 0, "v1 opens: %s", err ? err : ""))
		return;
	is_int(peek_int(path, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "upgraded");
	is_int(rt_store_instance_get(s, "old", &in, &arena), 0, "old instance kept");
	is_str(in.input, "\"in\"", "old input kept");
	is_int(rt_store_inbox_load(s, "old", 0, 0, &msgs, &n, &arena), 0, "old inbox loads");
	is_int(n, 1, "one old message");
	is_int(n ? msgs[0].enqueued_us : -1, 0, "new column defaults to 0");
	is_int(n ? (int)msgs[0].len : -1, 2, "old blob kept");
	is_int(rt_store_activity_list(s, "old", &acts, &n, &arena), 0, "old activity loads");
	is_int(n, 1, "one old activity");
	rt_store_begin(s);
	int64_t id;
	struct rt_inbox_msg m = { .instance_id = "old", .type = 15, .data = "x", .len = 1 };
	is_int(rt_store_inbox_add(s, &m, &id), 0, "new message after upgrade");
	ok(id > 1, "autoincrement continues (%lld)", (long long)id);
	rt_store_commit(s);
	rt_store_close(s);

	/* v0: an empty file. */
	snprintf(path, sizeof(path), "%s", tpath("v0.db"));
	raw_exec(path, "PRAGMA user_version = 0");
	is_int(rt_store_open(&s, path, NULL, NULL), 0, "v0 opens");
	is_int(peek_int(path, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "v0 upgraded");
	rt_store_close(s);

	/* A file from the future is refused and left alone. */
	snprintf(path, sizeof(path), "%s", tpath("v99.db"));
	raw_exec(path, "CREATE TABLE future(x); PRAGMA user_version = 99");
	is_int(rt_store_open(&s, path, NULL, &err), RT_ERROR, "newer schema refused");
	ok(err && strstr(err, "newer") && strstr(err, "99"), "message: %s", err ? err : "(null)");
	free(err);
	err = NULL;
	is_int(peek_int(path, "PRAGMA user_version"), 99, "newer file untouched");
	is_int(rt_store_open_readonly(&s, path, NULL), RT_ERROR, "read-only refuses too");

	/* A failing step leaves the old version: v1 marker on a file whose
	 * inbox already has the v2 column. */
	snprintf(path, sizeof(path), "%s", tpath("broken.db"));
	raw_exec(path, v1_schema);
	raw_exec(path, "ALTER TABLE inbox ADD COLUMN enqueued_us INTEGER");
	is_int(rt_store_open(&s, path, NULL, &err), RT_ERROR, "failing upgrade step");
	ok(err && strstr(err, "version 2"), "message: %s", err ? err : "(null)");
	free(err);
	err = NULL;
	is_int(peek_int(path, "PRAGMA user_version"), 1, "version unchanged after failed upgrade");
	is_int(peek_int(path, "SELECT count(*) FROM pragma_table_info('activities')"
			      " WHERE name = 'enqueued_us'"),
	       0, "partial step rolled back");
}

/* A v2 file as cfunc 2 left it: instances and history keyed on the text
 * id, activities indexed by instance. History of "ghost" has no instance
 * row (v2 allowed that). */
static const char v2_rows[] =
	"ALTER TABLE inbox ADD COLUMN enqueued_us INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE activities ADD COLUMN enqueued_us INTEGER NOT NULL DEFAULT 0;"
	"INSERT INTO instances (instance_id, status, created_us, updated_us, execution_id, name,"
	" generation, history_len, parent_instance_id, parent_execution_id, parent_task_id,"
	" custom_status, output, input) VALUES"
	" ('zeta', 1, 30, 31, 'ez', 'orch', 2, 3, 'par', 'pex', 4, '\"cs\"', '[1]', '\"iz\"'),"
	" ('alpha', 0, 20, 21, 'ea', 'orch', 0, 1, NULL, NULL, -1, NULL, NULL, '\"ia\"'),"
	" ('mid', 2, 20, 22, 'em', 'other', 0, 0, NULL, NULL, -1, NULL, NULL, NULL);"
	"INSERT INTO history VALUES ('zeta', 'ez', 0, 12, 100, x'0a0b'),"
	" ('zeta', 'ez', 2, 4, 102, x'0c'), ('zeta', 'ez', 1, 13, 101, x''),"
	" ('zeta', 'old', 0, 12, 90, x'ff'), ('alpha', 'ea', 0, 12, 200, x'01'),"
	" ('ghost', 'eg', 0, 12, 5, x'02');"
	"INSERT INTO inbox (instance_id, execution_id, visible_us, type, data, enqueued_us)"
	" VALUES ('zeta', 'ez', 0, 15, x'aa', 7), ('alpha', NULL, 99, 15, x'bb', 8);"
	"INSERT INTO activities (instance_id, execution_id, task_id, visible_us, dequeue_count,"
	" name, input, enqueued_us) VALUES ('zeta', 'ez', 1, 0, 1, 'act', '\"x\"', 9),"
	" ('alpha', 'ea', 0, 0, 0, 'act', NULL, 10);"
	"PRAGMA user_version = 2;";

static void test_migrate_v2(void)
{
	char path[256];
	struct rt_store *s;
	struct rt_instance in;
	struct rt_history_row *rows;
	struct rt_inbox_msg *msgs;
	struct rt_activity *acts;
	size_t n;
	char *err = NULL;

	snprintf(path, sizeof(path), "%s", tpath("v2.db"));
	if (!ok(raw_exec(path, v1_schema) == 0 && raw_exec(path, v2_rows) == 0,
		"hand-made v2 file"))
		return;
	if (!ok(rt_store_open(&s, path, NULL, &err) == 0, "v2 opens: %s", err ? err : "")) {
		free(err);
		return;
	}
	is_int(peek_int(path, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "upgraded to v3");
	is_int(peek_int(path, "SELECT count(*) FROM sqlite_schema WHERE name GLOB '*_v2'"), 0,
	       "old tables gone");
	is_int(peek_int(path, "SELECT count(*) FROM sqlite_schema"
			      " WHERE name = 'activities_instance'"),
	       0, "activities_instance dropped");
	/* iids follow creation: old (v1 row, created 10), alpha and mid (20, by
	 * id), zeta (30). */
	is_int(peek_int(path, "SELECT group_concat(instance_id) = 'old,alpha,mid,zeta'"
			      " FROM (SELECT instance_id FROM instances ORDER BY iid)"),
	       1, "iids in creation order");

	is_int(rt_store_instance_get(s, "zeta", &in, &arena), 0, "zeta kept");
	ok(in.status == 1 && in.created_us == 30 && in.updated_us == 31 &&
	   strcmp(in.execution_id, "ez") == 0 && strcmp(in.name, "orch") == 0 &&
	   in.generation == 2 && in.history_len == 3 && strcmp(in.parent_instance_id, "par") == 0 &&
	   strcmp(in.parent_execution_id, "pex") == 0 && in.parent_task_id == 4 &&
	   strcmp(in.custom_status, "\"cs\"") == 0 && strcmp(in.output, "[1]") == 0 &&
	   strcmp(in.input, "\"iz\"") == 0,
	   "every column kept");
	is_int(rt_store_instance_get(s, "mid", &in, &arena), 0, "mid kept");
	ok(in.input == NULL && in.output == NULL && in.parent_task_id == -1, "NULLs kept");

	is_int(rt_store_history_load(s, "zeta", "ez", &rows, &n, &arena), 0, "history loads");
	ok(n == 3 && rows[0].seq == 0 && rows[1].seq == 1 && rows[2].seq == 2 &&
	   rows[0].type == 12 && rows[0].timestamp_us == 100 && rows[0].len == 2 &&
	   memcmp(rows[0].data, "\x0a\x0b", 2) == 0 && rows[1].len == 0 && rows[2].type == 4,
	   "rows, order and blobs kept");
	rt_store_history_load(s, "zeta", "old", &rows, &n, &arena);
	ok(n == 1 && rows[0].len == 1, "other execution kept");
	rt_store_history_load(s, "alpha", "ea", &rows, &n, &arena);
	is_int(n, 1, "alpha's history kept");
	is_int(stats_of(s).history, 5, "history without an instance row dropped");

	rt_store_inbox_load(s, "zeta", 0, 0, &msgs, &n, &arena);
	ok(n == 1 && msgs[0].enqueued_us == 7 && msgs[0].len == 1, "inbox kept");
	rt_store_inbox_load(s, "alpha", 100, 0, &msgs, &n, &arena);
	ok(n == 1 && msgs[0].visible_us == 99 && msgs[0].execution_id == NULL, "timer kept");
	rt_store_activity_list(s, "zeta", &acts, &n, &arena);
	ok(n == 1 && acts[0].dequeue_count == 1 && acts[0].enqueued_us == 9 &&
	   strcmp(acts[0].input, "\"x\"") == 0, "activity kept");

	/* Writes on the upgraded file. */
	rt_store_begin(s);
	in = make_instance("alpha", RT_ST_PENDING, 50);
	is_int(rt_store_instance_put(s, &in, 0), RT_E_CONFLICT, "ids still unique");
	in = make_instance("new", RT_ST_PENDING, 50);
	is_int(rt_store_instance_put(s, &in, 0), 0, "new instance");
	struct rt_history_row h = { 3, 4, 103, "z", 1 };
	is_int(rt_store_history_append(s, "zeta", "ez", &h, 1), 0, "append to an old history");
	is_int(rt_store_history_append(s, "zeta", "ez", &h, 1), RT_E_CONFLICT,
	       "seq still unique");
	is_int(rt_store_instance_delete(s, "zeta"), 0, "purge an old instance");
	rt_store_commit(s);
	is_int(peek_int(path, "SELECT iid FROM instances WHERE instance_id = 'new'"), 5,
	       "the next iid follows the migrated ones");
	struct rt_store_stats st = stats_of(s);
	/* Left: old (v1 rows: a message, an activity), alpha, mid, new. */
	ok(st.instances == 4 && st.history == 1 && st.inbox == 2 && st.activities == 2,
	   "purge took every row of zeta (%lld %lld %lld %lld)", (long long)st.instances,
	   (long long)st.history, (long long)st.inbox, (long long)st.activities);
	rt_store_close(s);
}

/* Every statement's plan: a search on an index unless it is known to scan. */
static void test_query_plans(void)
{
	struct rt_store *s = fresh_store();
	sqlite3 *db;
	int bad = 0;
	if (!s)
		return;
	if (sqlite3_open_v2(last_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ok(0, "raw open");
		rt_store_close(s);
		return;
	}
	for (int id = 0; id < ST__COUNT; id++) {
		/* Scans by design: the activity queue has no instance index, and
		 * counts read a whole (smallest) index. */
		int may_scan = id == ST_ACT_LIST || id == ST_ACT_DELETE_INSTANCE ||
			       id == ST_ACT_SCAN_ALL || id == ST_COUNT_INSTANCES ||
			       id == ST_COUNT_HISTORY || id == ST_COUNT_INBOX ||
			       id == ST_COUNT_ACTIVITIES;
		char sql[2048];
		sqlite3_stmt *st;
		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", rt_store__sql(id));
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			/* BEGIN, SAVEPOINT ... have no plan but do prepare. */
			ok(0, "statement %d: %s", id, sqlite3_errmsg(db));
			bad++;
			continue;
		}
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			/* A multi-row VALUES list reads its own rows: not a scan
			 * of any table. */
			int scan = (strncmp(d, "SCAN ", 5) == 0 && !strstr(d, "CONSTANT ROWS")) ||
				   strstr(d, "TEMP B-TREE");
			if ((scan && !may_scan) || id == ST_INST_IID)
				printf("#   %d: %s\n", id, d);
			if (scan && !may_scan)
				bad++;
			if (id == ST_INST_IID && !strstr(d, "COVERING INDEX instances_id"))
				bad++;
		}
		sqlite3_finalize(st);
	}
	is_int(bad, 0, "no unexpected scan or sort; the iid lookup reads the index alone");
	sqlite3_close(db);
	rt_store_close(s);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);

	subtest("schema on a fresh file", test_schema_fresh);
	subtest("open errors", test_open_errors);
	subtest("migration", test_migrate);
	subtest("migration v2 -> v3", test_migrate_v2);
	subtest("query plans", test_query_plans);

	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
