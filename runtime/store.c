/*
 * store.c - the SQLite task-hub store: opening, schema migration,
 * transactions, the statement cache and the helpers the other parts share.
 * store_rows.c holds instance and history rows, store_queue.c the inbox and
 * the activity queue, store_query.c the management listing, purge and
 * statistics.
 *
 * Invariants:
 * - Every statement is prepared once per handle (sql_text[] below) and reset
 *   right after use, so no statement keeps a read snapshot open between
 *   calls; a reader handle never pins the WAL.
 * - Mutating functions require an open write transaction (BEGIN IMMEDIATE),
 *   asserted through sqlite3_get_autocommit(), which stays truthful even
 *   when SQLite rolls a transaction back by itself (I/O error, disk full).
 * - The schema version lives in PRAGMA user_version; migrations run in one
 *   transaction, step by step, so a crash mid-upgrade leaves the old schema.
 */
#include "runtime/store_int.h"
#include "common/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 'cfun' in PRAGMA application_id marks a file as a cfunc task hub. */
#define STORE_APPLICATION_ID 0x6366756e
#define DEFAULT_BUSY_TIMEOUT_MS 5000
/* How long a truncating checkpoint waits for readers while writers stall. */
#define TRUNCATE_WAIT_MS 1000
/* The same for the rewinding checkpoint the checkpoint thread runs past the
 * limit: short, as every client's commit waits behind it. */
#define RESTART_WAIT_MS 10

/*
 * migrations[v] upgrades schema version v to v + 1. Append only: a shipped
 * step never changes, a new one goes at the end with RT_STORE_SCHEMA_VERSION
 * bumped. Column order matters: small columns first, big text/blobs last, so
 * that scans reading ids, statuses and times never touch overflow pages.
 */
static const char *const migrations[RT_STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: the task hub. */
	"CREATE TABLE instances ("
	" instance_id TEXT NOT NULL PRIMARY KEY,"
	" status INTEGER NOT NULL,"
	" created_us INTEGER NOT NULL,"
	" updated_us INTEGER NOT NULL,"
	" execution_id TEXT,"
	" name TEXT NOT NULL,"
	" generation INTEGER NOT NULL DEFAULT 0,"
	" history_len INTEGER NOT NULL DEFAULT 0,"
	" parent_instance_id TEXT,"
	" parent_execution_id TEXT,"
	" parent_task_id INTEGER NOT NULL DEFAULT -1,"
	" custom_status TEXT,"
	" output TEXT,"
	" input TEXT"
	") WITHOUT ROWID;"
	"CREATE INDEX instances_created ON instances(created_us);"
	/* Clustered on the key: one execution's history is one range read. */
	"CREATE TABLE history ("
	" instance_id TEXT NOT NULL,"
	" execution_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" type INTEGER NOT NULL,"
	" timestamp_us INTEGER NOT NULL,"
	" data BLOB NOT NULL,"
	" PRIMARY KEY (instance_id, execution_id, seq)"
	") WITHOUT ROWID;"
	/* AUTOINCREMENT: ids are never reused, so an id is a stable arrival
	 * order and a safe handle for deletes even after purges. */
	"CREATE TABLE inbox ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" instance_id TEXT NOT NULL,"
	" execution_id TEXT,"
	" visible_us INTEGER NOT NULL,"
	" type INTEGER NOT NULL,"
	" data BLOB NOT NULL"
	");"
	"CREATE INDEX inbox_visible ON inbox(visible_us);"
	"CREATE INDEX inbox_instance ON inbox(instance_id, id);"
	"CREATE TABLE activities ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" instance_id TEXT NOT NULL,"
	" execution_id TEXT NOT NULL,"
	" task_id INTEGER NOT NULL,"
	" visible_us INTEGER NOT NULL,"
	" dequeue_count INTEGER NOT NULL DEFAULT 0,"
	" name TEXT NOT NULL,"
	" input TEXT"
	");"
	"CREATE INDEX activities_visible ON activities(visible_us);"
	"CREATE INDEX activities_instance ON activities(instance_id);",

	/* 1 -> 2: enqueue times, for queue-latency figures and diagnostics. */
	"ALTER TABLE inbox ADD COLUMN enqueued_us INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE activities ADD COLUMN enqueued_us INTEGER NOT NULL DEFAULT 0;",

	/*
	 * 2 -> 3: keys that grow with time, so the pages one group commit
	 * writes are shared by its episodes. Instance ids are random, so keyed
	 * on them every episode dirtied its own leaf of each tree (instance
	 * row, history, activities_instance) and the WAL took ~3 pages per
	 * episode. Now:
	 * - instances get a rowid alias `iid` (max + 1 on insert): the rows of
	 *   live instances sit together at the right edge of the table; the
	 *   unique index on instance_id is written only on insert and delete.
	 *   An overwrite of an id keeps its iid (the row is updated in place).
	 *   A purged newest iid may be handed out again: harmless, since the
	 *   purge takes the history first and nothing else refers to iids.
	 * - history is keyed on (iid, execution_id, seq): a new instance's rows
	 *   go to the right edge, next to those of its batch neighbours.
	 * - activities lose their instance_id index: the queue holds pending
	 *   work only, and only purge and tests look rows up by instance.
	 * Rows keep their order of creation. History without an instance row
	 * (v2 allowed appending it; no engine path ever read it) is dropped.
	 */
	"ALTER TABLE instances RENAME TO instances_v2;"
	"ALTER TABLE history RENAME TO history_v2;"
	"CREATE TABLE instances ("
	" iid INTEGER PRIMARY KEY,"
	" instance_id TEXT NOT NULL,"
	" status INTEGER NOT NULL,"
	" created_us INTEGER NOT NULL,"
	" updated_us INTEGER NOT NULL,"
	" execution_id TEXT,"
	" name TEXT NOT NULL,"
	" generation INTEGER NOT NULL DEFAULT 0,"
	" history_len INTEGER NOT NULL DEFAULT 0,"
	" parent_instance_id TEXT,"
	" parent_execution_id TEXT,"
	" parent_task_id INTEGER NOT NULL DEFAULT -1,"
	" custom_status TEXT,"
	" output TEXT,"
	" input TEXT"
	");"
	"INSERT INTO instances (instance_id, status, created_us, updated_us, execution_id, name,"
	" generation, history_len, parent_instance_id, parent_execution_id, parent_task_id,"
	" custom_status, output, input)"
	" SELECT instance_id, status, created_us, updated_us, execution_id, name, generation,"
	" history_len, parent_instance_id, parent_execution_id, parent_task_id, custom_status,"
	" output, input FROM instances_v2 ORDER BY created_us, instance_id;"
	"CREATE UNIQUE INDEX instances_id ON instances(instance_id);"
	"CREATE TABLE history ("
	" iid INTEGER NOT NULL,"
	" execution_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" type INTEGER NOT NULL,"
	" timestamp_us INTEGER NOT NULL,"
	" data BLOB NOT NULL,"
	" PRIMARY KEY (iid, execution_id, seq)"
	") WITHOUT ROWID;"
	"INSERT INTO history (iid, execution_id, seq, type, timestamp_us, data)"
	" SELECT i.iid, h.execution_id, h.seq, h.type, h.timestamp_us, h.data"
	" FROM history_v2 h JOIN instances i ON i.instance_id = h.instance_id;"
	"DROP TABLE history_v2;"
	"DROP TABLE instances_v2;"
	"CREATE INDEX instances_created ON instances(created_us);"
	"DROP INDEX activities_instance;",
	/* 3 -> 4: timer triggers' schedule status (useMonitor), one row per
	 * timer function (lower-case name); times in Unix ms, 0 = not set.
	 * Read and written by store_timers.c only. */
	"CREATE TABLE timer_status ("
	" name TEXT NOT NULL PRIMARY KEY,"
	" last_ms INTEGER NOT NULL,"
	" next_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL"
	") WITHOUT ROWID;",
	/* 4 -> 5: counts per runtimeStatus (the dashboard's, store_counts.c)
	 * come from this index alone, one covering scan instead of a walk over
	 * the table. Keyed (status, iid), so the rows a group commit moves
	 * from Running to Completed sit at the right edge of both ranges. */
	"CREATE INDEX instances_status ON instances(status);",
	/* 5 -> 6: the dashboard's sorted listing (store_list_sorted.c) walks
	 * an index in every order it offers: id (instances_id), created
	 * (instances_created), status (instances_status), and now name and
	 * last update. Each is keyed (column, iid), so ties come in creation
	 * order and a keyset position is (value, iid). instances_updated moves
	 * an entry at each checkpoint, from a recent time to now: both near
	 * the right edge, the pages a group commit writes anyway. */
	"CREATE INDEX instances_name ON instances(name);"
	"CREATE INDEX instances_updated ON instances(updated_us);",
};

#define INST_COLS                                                                          \
	"instance_id, status, created_us, updated_us, execution_id, name, generation,"   \
	" history_len, parent_instance_id, parent_execution_id, parent_task_id,"          \
	" custom_status, output"

static const char *const sql_text[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT rt_sp",
	[ST_RELEASE] = "RELEASE rt_sp",
	[ST_ROLLBACK_TO] = "ROLLBACK TO rt_sp",

	[ST_INST_IID] = "SELECT iid FROM instances WHERE instance_id = ?1",
	[ST_INST_GET] = "SELECT " INST_COLS ", input FROM instances WHERE instance_id = ?1",
	[ST_INST_GET_NOINPUT] = "SELECT " INST_COLS " FROM instances WHERE instance_id = ?1",
	[ST_INST_INSERT] = "INSERT INTO instances (" INST_COLS ", input)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	/* An upsert, not INSERT OR REPLACE: REPLACE deletes the row and inserts
	 * it with a new iid, which would orphan history kept across it. */
	[ST_INST_REPLACE] = "INSERT INTO instances (" INST_COLS ", input)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
			    " ON CONFLICT (instance_id) DO UPDATE SET status = excluded.status,"
			    " created_us = excluded.created_us, updated_us = excluded.updated_us,"
			    " execution_id = excluded.execution_id, name = excluded.name,"
			    " generation = excluded.generation, history_len = excluded.history_len,"
			    " parent_instance_id = excluded.parent_instance_id,"
			    " parent_execution_id = excluded.parent_execution_id,"
			    " parent_task_id = excluded.parent_task_id,"
			    " custom_status = excluded.custom_status, output = excluded.output,"
			    " input = excluded.input",
	/* An UPDATE naming an indexed column rewrites its index entry even
	 * when the value stays, so the common case names neither status
	 * (instances_status) nor created_us (instances_created): the WHERE
	 * clause checks they are unchanged, and when no row matches the next
	 * statement, which names status too, then the one that also names
	 * created_us, is tried (rt_store_instance_update). Most episodes
	 * leave the status as it was; the engine changes created_us only by
	 * instance_put. (RETURNING would tell the stored values, but it
	 * builds a temporary table at every run: costlier than a miss.) */
	[ST_INST_UPDATE] = "UPDATE instances SET updated_us = ?4,"
			   " execution_id = ?5, generation = ?7, history_len = ?8,"
			   " custom_status = ?12, output = ?13"
			   " WHERE instance_id = ?1 AND status = ?2 AND created_us = ?3",
	[ST_INST_UPDATE_STATUS] = "UPDATE instances SET status = ?2, updated_us = ?4,"
				  " execution_id = ?5, generation = ?7, history_len = ?8,"
				  " custom_status = ?12, output = ?13"
				  " WHERE instance_id = ?1 AND created_us = ?3",
	[ST_INST_UPDATE_CREATED] = "UPDATE instances SET status = ?2, created_us = ?3,"
				   " updated_us = ?4, execution_id = ?5, generation = ?7,"
				   " history_len = ?8, custom_status = ?12, output = ?13"
				   " WHERE instance_id = ?1",
	[ST_INST_SET_STATUS] = "UPDATE instances SET status = ?2, updated_us = ?3"
			       " WHERE instance_id = ?1",
	[ST_INST_DELETE] = "DELETE FROM instances WHERE iid = ?1",
	/* The columns an entity batch changes: of them only updated_us is
	 * indexed (instances_updated, schema 6); an upsert naming every column
	 * rewrites the entries of instances_status, instances_created and
	 * instances_name too (see store_entity.c). */
	[ST_ENTITY_PUT_STATE] = "UPDATE instances SET updated_us = ?2, custom_status = ?3,"
				" output = ?4, input = ?5 WHERE instance_id = ?1",

	[ST_HIST_LOAD] = "SELECT seq, type, timestamp_us, data FROM history"
			 " WHERE iid = ?1 AND execution_id = ?2 ORDER BY seq",
	[ST_HIST_APPEND] = "INSERT INTO history (iid, execution_id, seq, type,"
			   " timestamp_us, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* An episode writes about four rows: one statement for four costs
	 * one run of the statement's setup and teardown, not four. */
	[ST_HIST_APPEND_4] = "INSERT INTO history (iid, execution_id, seq, type,"
			     " timestamp_us, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6),"
			     " (?1, ?2, ?7, ?8, ?9, ?10), (?1, ?2, ?11, ?12, ?13, ?14),"
			     " (?1, ?2, ?15, ?16, ?17, ?18)",
	[ST_HIST_DELETE_ALL] = "DELETE FROM history WHERE iid = ?1",
	[ST_HIST_DELETE_EXEC] = "DELETE FROM history WHERE iid = ?1 AND execution_id = ?2",
	[ST_HIST_REWRITE] = "UPDATE history SET type = ?4, data = ?5"
			    " WHERE iid = ?1 AND execution_id = ?2 AND seq = ?3",

	[ST_INBOX_ADD] = "INSERT INTO inbox (instance_id, execution_id, visible_us, type, data,"
			 " enqueued_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_INBOX_LOAD] = "SELECT id, execution_id, visible_us, type, data, enqueued_us"
			  " FROM inbox WHERE instance_id = ?1 AND visible_us <= ?2"
			  " ORDER BY id LIMIT ?3",
	[ST_INBOX_DELETE] = "DELETE FROM inbox WHERE id = ?1",
	[ST_INBOX_DELETE_INSTANCE] = "DELETE FROM inbox WHERE instance_id = ?1",
	/* Two index-ordered streams merged by id in C: immediate messages in
	 * arrival order and due timers; neither ever visits future timers. */
	[ST_INBOX_SCAN_NOW] = "SELECT id, instance_id FROM inbox WHERE visible_us = 0 ORDER BY id",
	[ST_INBOX_SCAN_DUE] = "SELECT id, instance_id FROM inbox"
			      " WHERE visible_us > 0 AND visible_us <= ?1 ORDER BY visible_us, id",
	[ST_INBOX_NEXT] = "SELECT visible_us FROM inbox WHERE visible_us > ?1"
			  " ORDER BY visible_us LIMIT 1",

	[ST_ACT_ADD] = "INSERT INTO activities (instance_id, execution_id, task_id, visible_us,"
		       " name, input, enqueued_us, dequeue_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_ACT_SCAN_NOW] = "SELECT id FROM activities WHERE visible_us = 0 ORDER BY id",
	[ST_ACT_SCAN_DUE] = "SELECT id FROM activities"
			    " WHERE visible_us > 0 AND visible_us <= ?1 ORDER BY visible_us, id",
	[ST_ACT_GET] = "SELECT instance_id, execution_id, task_id, visible_us, dequeue_count,"
		       " name, input, enqueued_us FROM activities WHERE id = ?1",
	[ST_ACT_COUNT_ATTEMPT] = "UPDATE activities SET dequeue_count = dequeue_count + 1"
				 " WHERE id = ?1",
	[ST_ACT_DELETE] = "DELETE FROM activities WHERE id = ?1",
	[ST_ACT_POSTPONE] = "UPDATE activities SET visible_us = ?2 WHERE id = ?1",
	/* Full scans (no instance_id index, see migration 2 -> 3). */
	[ST_ACT_LIST] = "SELECT id, instance_id, execution_id, task_id, visible_us, dequeue_count,"
			" name, input, enqueued_us FROM activities WHERE instance_id = ?1"
			" ORDER BY id",
	[ST_ACT_DELETE_INSTANCE] = "DELETE FROM activities WHERE instance_id = ?1",
	[ST_ACT_SCAN_ALL] = "SELECT id, instance_id FROM activities",
	[ST_ACT_NEXT] = "SELECT visible_us FROM activities WHERE visible_us > ?1"
			" ORDER BY visible_us LIMIT 1",

	/* One bound pair per shape, so the planner always turns both bounds
	 * into the index range (an "?2 IS NULL OR" would scan to the end). */
	[ST_LIST_GT] = "SELECT instance_id, status, created_us FROM instances"
		       " WHERE instance_id > ?1 ORDER BY instance_id",
	[ST_LIST_GT_UPPER] = "SELECT instance_id, status, created_us FROM instances"
			     " WHERE instance_id > ?1 AND instance_id < ?2 ORDER BY instance_id",
	[ST_LIST_GE] = "SELECT instance_id, status, created_us FROM instances"
		       " WHERE instance_id >= ?1 ORDER BY instance_id",
	[ST_LIST_GE_UPPER] = "SELECT instance_id, status, created_us FROM instances"
			     " WHERE instance_id >= ?1 AND instance_id < ?2 ORDER BY instance_id",
	[ST_PURGE_SCAN] = "SELECT iid, instance_id, status FROM instances"
			  " WHERE created_us BETWEEN ?1 AND ?2",

	[ST_COUNT_INSTANCES] = "SELECT count(*) FROM instances",
	[ST_COUNT_HISTORY] = "SELECT count(*) FROM history",
	[ST_COUNT_INBOX] = "SELECT count(*) FROM inbox",
	[ST_COUNT_ACTIVITIES] = "SELECT count(*) FROM activities",
};

const char *rt_store__sql(enum store_stmt id)
{
	return id < ST__COUNT ? sql_text[id] : NULL;
}

/* ---- internal helpers shared with store_queue.c and store_query.c ------- */

/* 1 if the handle is between read snapshots: no transaction, no statement
 * stepping (a listing reads rows while its scan is open). */
static int idle(struct rt_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st; st = sqlite3_next_stmt(s->db, st))
		if (sqlite3_stmt_busy(st))
			return 0;
	return 1;
}

sqlite3_stmt *rt_store__stmt(struct rt_store *s, enum store_stmt id)
{
	int rc;
	assert(id < ST__COUNT && sql_text[id]);
	/* A reader paging without pause always holds some snapshot and would
	 * starve a truncating checkpoint as a busy writer does: a new snapshot
	 * waits at the gate too, one already open finishes first. */
	if (s->readonly && s->lock && idle(s))
		rt_store__gate_wait_reader(s->lock);
	if (s->stmt[id])
		return s->stmt[id];
	rc = sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
				NULL);
	if (rc != SQLITE_OK) {
		rt_store__sqlerr(s, rc, "cannot prepare statement");
		return NULL;
	}
	return s->stmt[id];
}

void *rt_store__scratch(struct rt_store *s, size_t n)
{
	if (n > s->scratch_cap) {
		size_t cap = s->scratch_cap ? s->scratch_cap : 4096;
		while (cap < n)
			cap *= 2;
		s->scratch = xrealloc(s->scratch, cap);
		s->scratch_cap = cap;
	}
	return s->scratch;
}

int rt_store__writing(const struct rt_store *s)
{
	return !s->readonly && !sqlite3_get_autocommit(s->db);
}

int rt_store__bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

int rt_store__bind_blob(sqlite3_stmt *st, int i, const void *v, size_t len)
{
	/* A NULL pointer would bind SQL NULL; an empty event is still a blob. */
	if (!v || len == 0)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob64(st, i, v, len, SQLITE_STATIC);
}

const char *rt_store__col_text(sqlite3_stmt *st, int i, struct rt_arena *a)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	return rt_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

const void *rt_store__col_blob(sqlite3_stmt *st, int i, size_t *len, struct rt_arena *a)
{
	const void *b = sqlite3_column_blob(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	void *d = rt_arena_alloc(a, n);
	if (n)
		memcpy(d, b, n);
	*len = n;
	return d;
}

/* Runs a statement that returns no rows. */
static int exec_stmt(struct rt_store *s, enum store_stmt id, const char *what)
{
	sqlite3_stmt *st = rt_store__stmt(s, id);
	int rc;
	if (!st)
		return RT_ERROR;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		rc = rt_store__sqlerr(s, rc, what);
	else
		rc = 0;
	sqlite3_reset(st);
	return rc;
}

/* ---- open, migrate, close ------------------------------------------------ */

/* mkdir -p of everything before the last '/'. */
static int make_parent_dirs(struct rt_store *s, const char *path)
{
	char *p = xstrdup(path), *slash;
	int rc = 0;
	for (slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			rc = rt_store__fail(s, RT_ERROR, "cannot create directory %s: %s", p,
					    strerror(errno));
			break;
		}
		*slash = '/';
	}
	free(p);
	return rc;
}

static int pragma_int(struct rt_store *s, const char *path, const char *sql, int *out)
{
	char what[300];
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	snprintf(what, sizeof(what), "cannot read the schema version of %s", path);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = 0;
	} else {
		rc = rt_store__sqlerr(s, rc, what);
	}
	sqlite3_finalize(st);
	return rc;
}

static int exec_sql(struct rt_store *s, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	rc = rt_store__fail(s, (rc & 0xff) == SQLITE_BUSY ? RT_E_BUSY : RT_ERROR,
			    "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

/* Refuses files that are not task hubs or come from a newer cfunc. */
static int check_version(struct rt_store *s, const char *path, int *version)
{
	int app_id, rc;
	if ((rc = pragma_int(s, path, "PRAGMA application_id", &app_id)) ||
	    (rc = pragma_int(s, path, "PRAGMA user_version", version)))
		return rc;
	if (app_id != 0 && app_id != STORE_APPLICATION_ID)
		return rt_store__fail(s, RT_ERROR,
				      "%s is not a cfunc task hub (application_id %#x)", path,
				      (unsigned)app_id);
	if (*version > RT_STORE_SCHEMA_VERSION)
		return rt_store__fail(s, RT_ERROR,
				      "%s has schema version %d, newer than this cfunc knows (%d)",
				      path, *version, RT_STORE_SCHEMA_VERSION);
	if (*version < 0)
		return rt_store__fail(s, RT_ERROR, "%s has invalid schema version %d", path,
				      *version);
	/* A new file has application_id 0 too: adopt it only if it is empty. */
	if (app_id == 0)
		return rt_store__check_foreign(s, path);
	return 0;
}

static int migrate(struct rt_store *s, const char *path)
{
	char sql[128];
	int version, rc;

	if ((rc = check_version(s, path, &version)))
		return rc;
	if (version == RT_STORE_SCHEMA_VERSION)
		return 0;
	if (s->readonly)
		return rt_store__fail(s, RT_ERROR,
				      "%s has schema version %d, expected %d (open it read-write "
				      "once to upgrade it)",
				      path, version, RT_STORE_SCHEMA_VERSION);

	if ((rc = exec_sql(s, "BEGIN IMMEDIATE", "cannot lock for schema upgrade")))
		return rc;
	/* Another process may have upgraded the file while we waited. */
	if ((rc = check_version(s, path, &version)))
		goto fail_rollback;
	for (; version < RT_STORE_SCHEMA_VERSION; version++) {
		char what[64];
		snprintf(what, sizeof(what), "cannot upgrade schema to version %d", version + 1);
		if ((rc = exec_sql(s, migrations[version], what)))
			goto fail_rollback;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 RT_STORE_SCHEMA_VERSION, STORE_APPLICATION_ID);
	if ((rc = exec_sql(s, sql, "cannot set schema version")) ||
	    (rc = exec_sql(s, "COMMIT", "cannot commit schema upgrade")))
		goto fail_rollback;
	return 0;

fail_rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* journal_mode=WAL answers with the mode actually in force. */
static int enable_wal(struct rt_store *s, const char *path, int in_memory)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot enable WAL");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rt_store__sqlerr(s, rc, "cannot enable WAL");
	} else {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!in_memory && (!mode || strcmp(mode, "wal") != 0))
			rc = rt_store__fail(s, RT_ERROR, "cannot enable WAL on %s (mode %s)",
					    path, mode ? mode : "unknown");
		else
			rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Every statement the store runs must compile: this catches a column
 * dropped or renamed behind our back (the tables themselves were checked
 * by rt_store__check_schema). */
static int check_statements(struct rt_store *s, const char *path)
{
	for (int id = 0; id < ST__COUNT; id++) {
		if (!rt_store__stmt(s, (enum store_stmt)id)) {
			char why[256];
			rt_store__one_line(why, sizeof(why), sqlite3_errmsg(s->db));
			return rt_store__fail(s, RT_ERROR,
					      "task hub %s does not match schema version %d (%s); "
					      "restore it from a copy or move it away to start "
					      "with an empty hub",
					      path, RT_STORE_SCHEMA_VERSION, why);
		}
	}
	return 0;
}

int rt_store_open(struct rt_store **out, const char *path, const struct rt_store_opts *opts,
		  char **errmsg)
{
	static const struct rt_store_opts defaults;
	struct rt_store *s = xcalloc(1, sizeof(*s));
	int in_memory = strcmp(path, ":memory:") == 0 || path[0] == '\0';
	int flags, rc, first = in_memory, version;
	struct stat sb;

	if (!opts)
		opts = &defaults;
	*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	s->readonly = opts->readonly;
	rt_arena_init(&s->tmp);
	if (s->readonly && in_memory) {
		rc = rt_store__fail(s, RT_ERROR, "cannot open %s read-only: nothing to read",
				    path[0] ? path : "a temporary store");
		goto fail;
	}
	if (!s->readonly && !in_memory && (rc = make_parent_dirs(s, path)))
		goto fail;
	/* Locked before SQLite opens the file, so a second host never runs on
	 * it, not even its recovery or migration. A reader of a file that does
	 * not exist gets SQLite's "cannot open" below instead of a lock file. */
	if (!in_memory && (!s->readonly || stat(path, &sb) == 0) &&
	    (rc = rt_store__lock_acquire(s, path, !s->readonly, &s->lock, &first)))
		goto fail;

	/* NOMUTEX: one thread at a time uses a handle, SQLite need not lock. */
	flags = (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
		SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		rc = rt_store__fail(s, RT_ERROR, "cannot open %s: %s", path,
				    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_timeout_ms =
		opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : DEFAULT_BUSY_TIMEOUT_MS;
	sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
	if ((rc = exec_sql(s, "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-8192",
			   "cannot configure store")))
		goto fail;
	/* Refusals first, before WAL mode or a migration writes to the file. */
	if ((rc = check_version(s, path, &version)) ||
	    (first && !in_memory && (rc = rt_store__check_pages(s, path))))
		goto fail;
	if (!s->readonly) {
		if ((rc = enable_wal(s, path, in_memory)) ||
		    (rc = exec_sql(s, opts->sync_normal || opts->sync_acks
					      ? "PRAGMA synchronous=NORMAL"
					      : "PRAGMA synchronous=FULL",
				   "cannot configure store")) ||
		    (opts->manual_checkpoint &&
		     (rc = exec_sql(s, "PRAGMA wal_autocheckpoint=0", "cannot configure store"))))
			goto fail;
	}
	if ((rc = migrate(s, path)) ||
	    (first && ((rc = rt_store__check_schema(s, path)) || (rc = check_statements(s, path)))))
		goto fail;
	*out = s;
	return 0;

fail:
	if (errmsg)
		*errmsg = xstrdup(s->errbuf);
	rt_store_close(s);
	return rc;
}

int rt_store_open_readonly(struct rt_store **out, const char *path, char **errmsg)
{
	struct rt_store_opts o = { .readonly = 1 };
	return rt_store_open(out, path, &o, errmsg);
}

void rt_store_close(struct rt_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	/* Closing rolls back whatever transaction is still open. */
	sqlite3_close(s->db);
	if (s->gate_held)
		rt_store__gate_leave(s->lock);
	/* After SQLite let go of the file: the next host may start now. */
	rt_store__lock_release(s->lock, !s->readonly);
	free(s->scratch);
	rt_arena_cleanup(&s->tmp);
	free(s);
}

const char *rt_store_errmsg(const struct rt_store *s)
{
	return s->errbuf;
}

/* ---- transactions ------------------------------------------------------- */

static int truncate_past(struct rt_store *s, int64_t threshold);

int rt_store_begin(struct rt_store *s)
{
	int rc;
	assert(sqlite3_get_autocommit(s->db));
	if (s->readonly)
		return rt_store__fail(s, RT_ERROR,
				      "cannot begin transaction: store is read-only");
	assert(!s->gate_held);
	/* The backstop: a checkpoint thread that fell behind a fast writer
	 * (it runs every few commits, and may get no CPU for a while) lets
	 * the WAL run past its limit; at twice the limit the writer empties
	 * the WAL itself before going on. */
	int64_t limit = rt_store__wal_limit(s->lock);
	if (limit > 0)
		truncate_past(s, 2 * limit);
	rt_store__gate_enter(s->lock);
	rc = exec_stmt(s, ST_BEGIN, "cannot begin transaction");
	if (rc == 0) {
		s->savepoints = 0;
		s->gate_held = 1;
	} else {
		rt_store__gate_leave(s->lock);
	}
	return rc;
}

/* The transaction is over (committed, or rolled back by us or by SQLite). */
static void gate_done(struct rt_store *s)
{
	if (s->gate_held && sqlite3_get_autocommit(s->db)) {
		s->gate_held = 0;
		rt_store__gate_leave(s->lock);
	}
}

int rt_store_commit(struct rt_store *s)
{
	int rc;
	assert(!sqlite3_get_autocommit(s->db));
	rc = exec_stmt(s, ST_COMMIT, "cannot commit");
	gate_done(s);
	return rc;
}

int rt_store_rollback(struct rt_store *s)
{
	int rc = 0;
	s->savepoints = 0;
	if (!sqlite3_get_autocommit(s->db))
		rc = exec_stmt(s, ST_ROLLBACK, "cannot roll back");
	gate_done(s);
	return rc;
}

int rt_store_in_transaction(const struct rt_store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int rt_store_savepoint(struct rt_store *s)
{
	int rc;
	/* Outside BEGIN a SAVEPOINT would open a deferred transaction. */
	assert(rt_store__writing(s));
	rc = exec_stmt(s, ST_SAVEPOINT, "cannot set savepoint");
	if (rc == 0)
		s->savepoints++;
	return rc;
}

int rt_store_savepoint_release(struct rt_store *s)
{
	int rc;
	assert(s->savepoints > 0 && rt_store__writing(s));
	rc = exec_stmt(s, ST_RELEASE, "cannot release savepoint");
	if (rc == 0)
		s->savepoints--;
	return rc;
}

int rt_store_savepoint_rollback(struct rt_store *s)
{
	int rc;
	assert(s->savepoints > 0 && rt_store__writing(s));
	/* ROLLBACK TO keeps the savepoint open; RELEASE then ends it. */
	if ((rc = exec_stmt(s, ST_ROLLBACK_TO, "cannot roll back to savepoint")))
		return rc;
	return rt_store_savepoint_release(s);
}

/* A checkpoint in `mode` (RESTART or TRUNCATE) with this process's writers
 * held off: they wait at the gate, so SQLite's write lock is ours as soon
 * as the open transaction ends; only readers can make us wait, for at most
 * wait_ms, and writers are stalled meanwhile. */
static int checkpoint_gated(struct rt_store *s, int mode, int wait_ms)
{
	int rc;
	assert(sqlite3_get_autocommit(s->db));
	rt_store__ckpt_lock(s->lock);
	rt_store__gate_close(s->lock);
	sqlite3_busy_timeout(s->db, s->busy_timeout_ms < wait_ms ? s->busy_timeout_ms : wait_ms);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, mode, NULL, NULL);
	sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
	rt_store__gate_open(s->lock);
	rt_store__ckpt_unlock(s->lock);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return rt_store__sqlerr(s, rc, "cannot checkpoint");
	return rc == SQLITE_BUSY ? RT_E_BUSY : 0;
}

int rt_store_checkpoint_truncate(struct rt_store *s)
{
	return checkpoint_gated(s, SQLITE_CHECKPOINT_TRUNCATE, TRUNCATE_WAIT_MS);
}

/* PASSIVE: *frames gets the WAL's length in frames (0 when unknown). */
static int checkpoint_passive(struct rt_store *s, int *busy, int64_t *frames)
{
	int log = 0, done = 0, rc;
	assert(sqlite3_get_autocommit(s->db));
	/* PASSIVE never waits for readers or the writer (only for another
	 * checkpoint of this process, which SQLite would refuse). */
	rt_store__ckpt_lock(s->lock);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	rt_store__ckpt_unlock(s->lock);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return rt_store__sqlerr(s, rc, "cannot checkpoint");
	if (busy)
		*busy = rc == SQLITE_BUSY || done < log;
	if (frames)
		*frames = log > 0 ? log : 0;
	return 0;
}

int rt_store_checkpoint(struct rt_store *s, int *busy)
{
	return checkpoint_passive(s, busy, NULL);
}

/* Bytes a WAL frame takes (the page and its 24-byte header). */
static int64_t wal_frame_bytes(struct rt_store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t page = 4096;
	if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		page = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return page + 24;
}

/* Size of the WAL file, 0 if there is none. */
static int64_t wal_size(struct rt_store *s)
{
	const char *db = sqlite3_db_filename(s->db, "main");
	char wal[4096];
	struct stat st;
	if (!db || !db[0] || (size_t)snprintf(wal, sizeof(wal), "%s-wal", db) >= sizeof(wal))
		return 0;
	return stat(wal, &st) == 0 ? (int64_t)st.st_size : 0;
}

/*
 * Empties the WAL if it is past `threshold` (or past where the last attempt
 * that a reader defeated left off). A reader that keeps one snapshot for
 * long (a slow client) would otherwise make every attempt stall the writers
 * for TRUNCATE_WAIT_MS: after a failure, the next try waits until the WAL
 * has doubled, so such a reader costs a few stalls, not one per commit.
 */
static int truncate_past(struct rt_store *s, int64_t threshold)
{
	int64_t wal = wal_size(s);
	int rc;
	if (wal <= threshold) {
		s->truncate_above = 0; /* emptied meanwhile: whatever held it left */
		return 0;
	}
	if (wal <= s->truncate_above)
		return 0;
	rc = rt_store_checkpoint_truncate(s);
	s->truncate_above = rc == RT_E_BUSY ? 2 * wal : 0;
	return rc;
}

int rt_store_checkpoint_bounded(struct rt_store *s, int64_t wal_limit, int64_t *wal_bytes)
{
	int rc, busy = 1;
	int64_t frames = 0;
	rt_store__set_wal_limit(s->lock, wal_limit);
	rc = checkpoint_passive(s, &busy, &frames);
	/* Everything copied back: no reader holds an old snapshot any more. */
	if (rc == 0 && !busy)
		s->truncate_above = 0;
	/* Passive checkpoints never restart a WAL that a busy writer keeps
	 * appending to (it restarts only when fully copied back at the moment
	 * a transaction begins), so past the limit writers are held off while
	 * the rest is copied and the WAL rewound. Rewound, not truncated:
	 * truncating a WAL of tens of MB costs the file system 10-25 ms, all
	 * of it with every writer stalled (a client's start waits for it),
	 * while a rewound WAL is written again from its start and its file
	 * keeps the size it had. The passive copy just above leaves only the
	 * last commits to copy under the gate. Its length in frames says how
	 * much of the file is in use. A reader that defeats the rewind costs a
	 * retry once the WAL has doubled (as in truncate_past). */
	int64_t used = frames * wal_frame_bytes(s);
	if (rc == 0 && used > wal_limit && used > s->truncate_above) {
		rc = checkpoint_gated(s, SQLITE_CHECKPOINT_RESTART, RESTART_WAIT_MS);
		s->truncate_above = rc == RT_E_BUSY ? 2 * used : 0;
	}
	/* A file that grew past twice the limit (a reader kept a snapshot
	 * for long) is given back to the file system once that is over. */
	if (rc == 0)
		rc = truncate_past(s, 2 * wal_limit);
	if (wal_bytes)
		*wal_bytes = wal_size(s);
	return rc;
}

int rt_store__insert_bound(struct rt_store *s, sqlite3_stmt *st, int bind_rc, int64_t *id,
			   const char *what)
{
	int rc;
	if (bind_rc)
		rc = rt_store__sqlerr(s, sqlite3_errcode(s->db), what);
	else if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		rc = rt_store__sqlerr(s, rc, what);
	else {
		rc = 0;
		if (id)
			*id = sqlite3_last_insert_rowid(s->db);
	}
	sqlite3_reset(st);
	return rc;
}

void *rt_store__scratch_copy(struct rt_store *s, struct rt_arena *a, size_t count, size_t size)
{
	void *p = rt_arena_alloc(a, count * size);
	memcpy(p, s->scratch, count * size);
	return p;
}

void *rt_store__gathered(struct rt_store *s, sqlite3_stmt *st, int *rc, const char *what,
			 size_t count, size_t size, struct rt_arena *a)
{
	void *rows = NULL;
	if (*rc != SQLITE_DONE) {
		*rc = rt_store__sqlerr(s, *rc, what);
	} else {
		*rc = 0;
		if (count)
			rows = rt_store__scratch_copy(s, a, count, size);
	}
	sqlite3_reset(st);
	return rows;
}

int rt_store__step_done(struct rt_store *s, sqlite3_stmt *st, const char *what, int64_t *changes)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = 0;
		if (changes)
			*changes = sqlite3_changes64(s->db);
	} else {
		rc = rt_store__sqlerr(s, rc, what);
	}
	sqlite3_reset(st);
	return rc;
}
