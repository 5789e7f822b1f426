/*
 * store_sql.c - every SQL text the store runs: the schema's migration
 * steps and the statement table (one text per enum store_stmt), and the
 * per-handle cache that prepares each statement on first use. The texts
 * are static and owned here; the prepared statements belong to the handle
 * (rt_store.stmt[]), which store.c finalizes at close.
 */
#include "runtime/store_int.h"

#include <assert.h>

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

const char *rt_store__migration(int version)
{
	return version >= 0 && version < RT_STORE_SCHEMA_VERSION ? migrations[version] : NULL;
}

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

/* ---- the prepared statements of a handle -------------------------------- */

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
