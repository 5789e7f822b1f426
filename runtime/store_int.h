/*
 * store_int.h - what the store_*.c files share: the handle, the prepared
 * statement cache and the error helpers. Not for use outside runtime/store*.c.
 */
#ifndef RT_STORE_INT_H
#define RT_STORE_INT_H

#include <sqlite3.h>

#include "runtime/store.h"
#include "runtime/store_sql.h"

struct store_lock;

struct rt_store {
	sqlite3 *db;
	int readonly;
	struct store_lock *lock;      /* this process's hold on "<hub>.lock";
				       * NULL for ":memory:" */
	int gate_held;                /* a transaction is open behind the gate */
	int busy_timeout_ms;
	int64_t truncate_above;       /* WAL size before which no truncating
				       * checkpoint is tried again (a reader
				       * defeated the last one); 0: none */
	int savepoints;               /* open savepoint depth */
	uint64_t wal_syncs;           /* rt_store_sync_wal calls that synced */
	sqlite3_stmt *stmt[ST__COUNT];
	void *scratch;                /* reusable buffer for building result arrays */
	size_t scratch_cap;
	struct rt_arena tmp;          /* per-call temporaries, reset by their user */
	char errbuf[512];
};

/* store_sql.c. The cached statement, preparing it on first use; NULL
 * (error set) if it cannot be prepared. The caller resets it after use. */
sqlite3_stmt *rt_store__stmt(struct rt_store *s, enum store_stmt id);
/* store_error.c. Formats the error text; returns rc. */
int rt_store__fail(struct rt_store *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "<what>: <sqlite message>", mapping SQLite's code to an RT_STORE_* code. */
int rt_store__sqlerr(struct rt_store *s, int sqlite_rc, const char *what);
/* A copy of src on one line (SQLite's messages may span several). */
void rt_store__one_line(char *dst, size_t cap, const char *src);
/* The scratch buffer grown to at least n bytes (contents kept). */
void *rt_store__scratch(struct rt_store *s, size_t n);
/* 1 if a write transaction is open: mutating functions assert it. */
int rt_store__writing(const struct rt_store *s);

/* Binding: NULL strings become SQL NULL; borrowed pointers (SQLITE_STATIC)
 * stay valid for the whole call that steps the statement. */
int rt_store__bind_text(sqlite3_stmt *st, int i, const char *v);
int rt_store__bind_blob(sqlite3_stmt *st, int i, const void *v, size_t len);
/* Column copies into the arena: NULL stays NULL; blobs of length 0 get a
 * non-NULL pointer. */
const char *rt_store__col_text(sqlite3_stmt *st, int i, struct rt_arena *a);
const void *rt_store__col_blob(sqlite3_stmt *st, int i, size_t *len, struct rt_arena *a);

/* One instance row (input left NULL unless with_input) into `a`;
 * RT_E_NOTFOUND if absent. */
int rt_store__instance_read(struct rt_store *s, const char *instance_id, int with_input,
			    struct rt_instance *out, struct rt_arena *a);
/* Columns 1 to 10 of a row selected in the INST_COLS order of store.c
 * (status to parent_task_id) into `out`, text in `a`: what every read of
 * an instance row has in common. */
void rt_store__read_instance_head(sqlite3_stmt *st, struct rt_instance *out, struct rt_arena *a);
/* Deletes the instance row `iid` (0: none) with its history, and the inbox
 * rows of instance_id; not its activities, which purge removes in one scan
 * of the queue for many instances. 0 or <0 on error. */
int rt_store__delete_instance_rows(struct rt_store *s, int64_t iid, const char *instance_id);

/* Runs an INSERT whose parameters were bound with bind_rc (the OR of the
 * bind calls' results) and resets `st`: 0 and *id (may be NULL) = the new
 * rowid, or the error (`what` names the operation in the message). */
int rt_store__insert_bound(struct rt_store *s, sqlite3_stmt *st, int bind_rc, int64_t *id,
			   const char *what);

/*
 * store_lock.c: the lock on "<hub>.lock". Takes it exclusively (a writer)
 * or shared (a reader) for this process, or joins the hold this process
 * already has on it; *first is 1 when this process did not hold it before,
 * so the caller checks the file once per process. RT_E_LOCKED (message
 * naming the file and the holder's pid) when another process holds it in a
 * conflicting mode.
 */
int rt_store__lock_acquire(struct rt_store *s, const char *hub, int exclusive,
			   struct store_lock **out, int *first);
/* Drops one handle's share; the last one releases the lock. NULL is ok. */
void rt_store__lock_release(struct store_lock *l, int exclusive);
/*
 * The writer gate of one hub in this process (all no-ops on NULL).
 * rt_store_begin() enters it, the end of the transaction leaves it. A
 * checkpoint that must empty the WAL closes it: new transactions wait, the
 * open ones finish, and SQLite's write lock is then free for the checkpoint
 * at once instead of being raced for (a busy engine re-takes it within
 * microseconds, while a waiter polls it every few milliseconds).
 * Never close the gate while the same thread holds a transaction.
 */
void rt_store__gate_enter(struct store_lock *l);
void rt_store__gate_leave(struct store_lock *l);
/* Serialises this process's checkpoints of the hub (taken before the
 * gate is closed, never inside a transaction). */
void rt_store__ckpt_lock(struct store_lock *l);
void rt_store__ckpt_unlock(struct store_lock *l);
/* The WAL limit a checkpoint thread enforces for this hub (0: none, the
 * default); writers use it as a backstop when that thread falls behind. */
void rt_store__set_wal_limit(struct store_lock *l, int64_t limit);
int64_t rt_store__wal_limit(struct store_lock *l);
/* Read-only handles wait here (between snapshots) while the gate is
 * closed: readers starve a truncating checkpoint just as writers do. */
void rt_store__gate_wait_reader(struct store_lock *l);
void rt_store__gate_close(struct store_lock *l);
void rt_store__gate_open(struct store_lock *l);

/* store_check.c: each 0, or RT_ERROR with a one-line message that
 * names `path`. */
/* PRAGMA quick_check: every page readable and well formed. */
int rt_store__check_pages(struct rt_store *s, const char *path);
/* For a file without our application_id: refuses it unless it is empty or
 * an early task hub. */
int rt_store__check_foreign(struct rt_store *s, const char *path);
/* Every table and index of the current schema exists and every statement
 * compiles. */
int rt_store__check_schema(struct rt_store *s, const char *path);

/*
 * store_query.c, shared with store_list_sorted.c: reading the rows a
 * listing matched. A reader holds the row statement and the payloads' blob
 * handles (which keep the read snapshot open: close it before returning).
 */
enum { STORE_PAY_CUSTOM_STATUS, STORE_PAY_OUTPUT, STORE_PAY_INPUT, STORE_PAY__COUNT };
struct store_list_reader {
	sqlite3_stmt *row;
	sqlite3_blob *blob[STORE_PAY__COUNT]; /* moved from row to row with reopen */
	size_t bytes;                         /* payload bytes read so far */
};
int rt_store__list_reader_open(struct rt_store *s, struct store_list_reader *lr);
void rt_store__list_reader_close(struct store_list_reader *lr);
/* The instance `id` (a match of the scan, same snapshot) into *out, with
 * f's payload rules (skip_input, payload_max). */
int rt_store__list_row(struct rt_store *s, struct store_list_reader *lr, const char *id,
		       const struct rt_store_filter *f, struct rt_instance *out, struct rt_arena *a);
/* 1 if (status, created_us) pass f's status set and created range. */
int rt_store__filter_match(const struct rt_store_filter *f, int status, int64_t created_us);
/* The least string above every string that starts with `prefix` (in `a`),
 * or NULL when there is none (empty or all-0xff prefix). */
const char *rt_store__prefix_upper(const char *prefix, struct rt_arena *a);

/* Copies `count` rows of `size` bytes gathered in s->scratch into `a`. */
void *rt_store__scratch_copy(struct rt_store *s, struct rt_arena *a, size_t count, size_t size);
/*
 * Ends a loop that stepped `st` until step_rc, gathering `count` rows of
 * `size` bytes in s->scratch: resets st; on SQLITE_DONE sets *rc = 0 and
 * returns the rows copied into `a` (only the final array goes there; NULL
 * for none), else sets *rc to the error naming `what` and returns NULL.
 */
void *rt_store__gathered(struct rt_store *s, sqlite3_stmt *st, int *rc, const char *what,
			 size_t count, size_t size, struct rt_arena *a);
/* Steps a statement that returns no rows (DELETE, UPDATE) and resets it:
 * 0 with *changes (may be NULL) the rows it changed, or the error naming
 * `what`. */
int rt_store__step_done(struct rt_store *s, sqlite3_stmt *st, const char *what, int64_t *changes);

#endif
