/*
 * store_sql.h - the names of the SQL the store runs (store_sql.c). The
 * texts are static and owned by store_sql.c; each handle prepares its own
 * copy of a statement on first use (rt_store__stmt in store_int.h), keeps
 * it in rt_store.stmt[] and finalizes it at close (store.c). Not for use
 * outside runtime/store*.c (and the store's tests).
 */
#ifndef RT_STORE_SQL_H
#define RT_STORE_SQL_H

/* Every SQL statement the store runs, prepared on first use, kept for the
 * life of the handle. The text of each is in store_sql.c (sql_text[]). */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,

	ST_INST_IID,
	ST_INST_GET,
	ST_INST_GET_NOINPUT,
	ST_INST_INSERT,
	ST_INST_REPLACE,
	ST_INST_UPDATE,
	ST_INST_UPDATE_STATUS,
	ST_INST_UPDATE_CREATED,
	ST_INST_SET_STATUS,
	ST_INST_DELETE,
	ST_ENTITY_PUT_STATE,

	ST_HIST_LOAD,
	ST_HIST_APPEND,
	ST_HIST_APPEND_4,
	ST_HIST_DELETE_ALL,
	ST_HIST_DELETE_EXEC,
	ST_HIST_REWRITE,

	ST_INBOX_ADD,
	ST_INBOX_LOAD,
	ST_INBOX_DELETE,
	ST_INBOX_DELETE_INSTANCE,
	ST_INBOX_SCAN_NOW,
	ST_INBOX_SCAN_DUE,
	ST_INBOX_NEXT,

	ST_ACT_ADD,
	ST_ACT_SCAN_NOW,
	ST_ACT_SCAN_DUE,
	ST_ACT_GET,
	ST_ACT_COUNT_ATTEMPT,
	ST_ACT_DELETE,
	ST_ACT_POSTPONE,
	ST_ACT_LIST,
	ST_ACT_DELETE_INSTANCE,
	ST_ACT_SCAN_ALL,
	ST_ACT_NEXT,

	ST_LIST_GT,
	ST_LIST_GT_UPPER,
	ST_LIST_GE,
	ST_LIST_GE_UPPER,
	ST_PURGE_SCAN,

	ST_COUNT_INSTANCES,
	ST_COUNT_HISTORY,
	ST_COUNT_INBOX,
	ST_COUNT_ACTIVITIES,

	ST__COUNT
};

/* The SQL text of a statement (for tests checking query plans). */
const char *rt_store__sql(enum store_stmt id);
/* The step that upgrades schema version `version` to version + 1 (several
 * statements; NULL past RT_STORE_SCHEMA_VERSION). */
const char *rt_store__migration(int version);

#endif
