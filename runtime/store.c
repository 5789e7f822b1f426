/*
 * store.c - the SQLite task-hub store: opening, schema migration,
 * transactions and the helpers the other parts share. store_sql.c holds
 * the SQL texts (migration steps, statement table) and the statement
 * cache, store_rows.c instance and history rows, store_queue.c the inbox
 * and the activity queue, store_query.c the management listing, purge and
 * statistics.
 *
 * Invariants:
 * - Every statement is prepared once per handle (store_sql.c) and reset
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

/* ---- internal helpers shared with store_queue.c and store_query.c ------- */

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
		if ((rc = exec_sql(s, rt_store__migration(version), what)))
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
