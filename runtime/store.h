/*
 * store.h - the task-hub store: one SQLite file per task hub holding the
 * instance rows, their histories, the orchestration inbox (messages and
 * durable timers) and the activity queue.
 *
 * Threads: a struct rt_store is used by one thread at a time (the engine
 * serialises access with its own mutex). Status queries run on a second,
 * read-only handle on the same file: WAL readers never block the writer.
 *
 * Transactions are driven by the caller: every function that changes rows
 * must run between rt_store_begin() and rt_store_commit() (asserted), so the
 * engine can commit several episodes and activity results in one fsync.
 * Reads may run inside or outside a transaction.
 *
 * Memory: inputs are borrowed for the duration of the call only. Everything
 * a read returns (structs, strings, blobs, arrays) is copied into the
 * caller's struct rt_arena and is valid until that arena is reset.
 *
 * Errors: 0 is success, negative values are the RT_STORE_* codes below; the
 * text of the last error is rt_store_errmsg().
 *
 * History payloads are opaque here: rows carry the encoded event (see
 * rt_history_encode) plus its type and timestamp, which the store keeps as
 * columns for diagnostics only.
 */
#ifndef RT_STORE_H
#define RT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "runtime/history.h"
#include "runtime/rc.h"

struct rt_store;

/* Results: RT_OK, RT_ERROR (see rt_store_errmsg()), RT_E_NOTFOUND (no such
 * instance / row), RT_E_CONFLICT, RT_E_BUSY, RT_E_LOCKED (runtime/rc.h). */

/* The schema version this code reads and writes (PRAGMA user_version). */
#define RT_STORE_SCHEMA_VERSION 6

struct rt_store_opts {
	int sync_normal;     /* 1: synchronous=NORMAL (a power cut may lose the
			      * last commits, never corrupt); 0: FULL */
	int sync_acks;       /* 1: synchronous=NORMAL underneath, and the owner
			      * makes what it acknowledges durable itself with
			      * rt_store_sync_wal() (see store_sync.c); wins
			      * over sync_normal */
	int readonly;        /* 1: query handle; never migrates, never writes,
			      * takes the hub's lock shared (see below) */
	int busy_timeout_ms; /* 0: 5000 */
	int manual_checkpoint; /* 1: no automatic WAL checkpoint in commits; the
				* owner calls rt_store_checkpoint() (on another
				* handle) so commits never copy the WAL back */
};

/*
 * Opens (creating it and its parent directory if needed) the store at
 * `path`, or an in-memory store for ":memory:", and upgrades its schema.
 * `opts` may be NULL for the defaults. On failure returns RT_ERROR
 * (or RT_E_BUSY, RT_E_LOCKED) and, if errmsg is not NULL, sets
 * *errmsg to a malloc'd one-line message naming the file, which the caller
 * frees.
 *
 * One host per hub: before SQLite touches the file, the process locks
 * "<path>.lock" (created next to the hub, holding the pid of the writer):
 * exclusively for a read-write handle, shared for a read-only one. Every
 * handle of one process shares that process's lock, which lives until its
 * last handle is closed, or the process dies (kill -9 included); it is not
 * inherited by fork(). A handle the lock refuses gets RT_E_LOCKED with
 * the holder's pid in the message: a writer excludes every other process,
 * readers exclude writers of other processes only.
 *
 * Refused as well, without changing the file: a file written by a newer
 * cfunc; another program's database (no cfunc application_id and not
 * empty); and, checked once per process when it takes the lock, a file
 * whose pages are damaged (PRAGMA quick_check, which reads the whole file)
 * or whose schema lacks a table, an index or a column.
 */
int rt_store_open(struct rt_store **out, const char *path, const struct rt_store_opts *opts,
		  char **errmsg);
/* rt_store_open() with opts->readonly set: for status queries next to the
 * engine's handle, and for tools reading a hub offline (the shared lock
 * keeps a host from starting on it meanwhile). The file must exist with the
 * current schema. */
int rt_store_open_readonly(struct rt_store **out, const char *path, char **errmsg);
/* Rolls back an open transaction, frees every cached statement. NULL is ok. */
void rt_store_close(struct rt_store *s);

/* Text of the last error on this handle; borrowed, valid until the next call. */
const char *rt_store_errmsg(const struct rt_store *s);

/*
 * Transactions. rt_store_begin() takes the write lock at once (BEGIN
 * IMMEDIATE), waiting up to the busy timeout, so a transaction never fails
 * later for lack of a lock. After any error inside a transaction the caller
 * decides: roll back everything, roll back to a savepoint, or go on.
 * If rt_store_commit() fails, call rt_store_rollback(). rt_store_rollback()
 * without a transaction is a no-op.
 */
int rt_store_begin(struct rt_store *s);
int rt_store_commit(struct rt_store *s);
/*
 * Makes every transaction committed so far in this hub durable: fdatasync
 * of the WAL file through SQLite's own file handle, so it covers the
 * commits of every handle of this process. Needed only with sync_acks
 * (under FULL each commit already did it). Returns 0, or RT_ERROR
 * with the message set. Counts calls (rt_store_wal_syncs) for tests.
 */
int rt_store_sync_wal(struct rt_store *s);
uint64_t rt_store_wal_syncs(const struct rt_store *s);
int rt_store_rollback(struct rt_store *s);
/* Tests and fuzz targets only: the host does not call it. */
int rt_store_in_transaction(const struct rt_store *s);
/*
 * Savepoints inside a transaction, so one episode of a group commit can be
 * undone (e.g. after RT_E_CONFLICT) without losing the others. They nest;
 * _release keeps the changes since the matching rt_store_savepoint(),
 * _rollback undoes them. Both end the innermost savepoint.
 */
int rt_store_savepoint(struct rt_store *s);
int rt_store_savepoint_release(struct rt_store *s);
int rt_store_savepoint_rollback(struct rt_store *s);

/* Copies what it can of the WAL into the database file without waiting
 * (PASSIVE); *busy (may be NULL) is set to 1 if a reader's snapshot or a
 * writer kept some of it from being copied. Outside a transaction only. */
int rt_store_checkpoint(struct rt_store *s, int *busy);
/* A checkpoint that also empties the WAL file, for when passive ones never
 * caught up with a busy writer and the WAL keeps growing. It holds off new
 * transactions on every handle of this process (rt_store_begin() waits),
 * waits for the open ones to end, then waits (busy timeout, at most 1 s) for
 * readers to leave old snapshots, copies the WAL back and truncates it.
 * RT_E_BUSY if a reader kept it from finishing. Never call it while the
 * same thread has a transaction open on another handle of the hub. */
int rt_store_checkpoint_truncate(struct rt_store *s);
/*
 * What a host runs after every few commits, on a handle of its own: a
 * passive checkpoint and, once the WAL holds more than wal_limit bytes, a
 * restarting one that holds off this process's writers (as the truncating
 * one above does) while it copies the last commits back and rewinds the
 * WAL; it waits at most 10 ms for readers. The WAL file keeps its size
 * (it is written again from its start), so no writer waits for the file
 * system to free it; only a file that grew past twice the limit is
 * truncated. From the first call on, writers of the hub in this
 * process also empty the WAL themselves in rt_store_begin() once it passes
 * twice the limit, for when this thread falls behind (it gets no CPU, or a
 * passive checkpoint is slow). Under any sustained load the WAL so stays
 * within 2 * wal_limit plus what one transaction writes, unless a reader
 * keeps one snapshot all along (nothing can empty the WAL then); attempts
 * such a reader defeats back off (the next waits for the WAL to double), so
 * it stalls the writers a few times, not at every commit. *wal_bytes (may
 * be NULL) gets the WAL file's size when the call returns.
 */
int rt_store_checkpoint_bounded(struct rt_store *s, int64_t wal_limit, int64_t *wal_bytes);

/* ---- timer triggers' schedule status (store_timers.c) ------------------- */

/* {Last, Next, LastUpdated} of one timer, Unix ms; 0 = not set. */
struct rt_timer_status {
	int64_t last_ms, next_ms, updated_ms;
};
/* Reads the status of timer `name` (case-insensitive); RT_E_NOTFOUND
 * when none was stored. */
int rt_store_timer_status_get(struct rt_store *s, const char *name, struct rt_timer_status *out);
/* Stores it (insert or replace); inside a write transaction. */
int rt_store_timer_status_put(struct rt_store *s, const char *name,
			      const struct rt_timer_status *st);

/* ---- instances ---------------------------------------------------------- */

/* One status row. Strings are JSON text (input, output, custom_status) or
 * plain text; NULL is "not set". */
struct rt_instance {
	const char *instance_id;
	const char *name;
	const char *execution_id;
	enum rt_status status;
	int64_t created_us;          /* ExecutionStarted time of this execution */
	int64_t updated_us;          /* last checkpoint */
	int64_t generation;          /* +1 on each overwrite of the id: a start over a
				      * finished instance, a continue-as-new */
	int history_len;             /* rows in this execution's history = next seq */
	const char *parent_instance_id; /* sub-orchestrations only, else NULL */
	const char *parent_execution_id;
	int parent_task_id;          /* parent's SubOrchCreated EventId, -1 if none */
	const char *input;
	const char *output;
	const char *custom_status;
};

/* instance_copy.c: the bytes every string of r takes, and r copied to *to
 * with its strings in `room` (rt_instance_text_size(r) bytes of the
 * caller's, which then owns them all): a row that outlives its arena. */
size_t rt_instance_text_size(const struct rt_instance *r);
void rt_instance_text_copy(struct rt_instance *to, const struct rt_instance *from, char *room);

/* Fills *out (strings copied into `a`); RT_E_NOTFOUND if there is no
 * such instance. */
int rt_store_instance_get(struct rt_store *s, const char *instance_id, struct rt_instance *out,
			  struct rt_arena *a);
/*
 * Writes every column of `in`. replace = 0: RT_E_CONFLICT if the id
 * exists (start of a new id, sub-orchestration creation); replace = 1:
 * overwrites an existing row in place (overwrite of a terminal instance,
 * continue-as-new). Rows of other tables are not touched: history the
 * caller keeps across an overwrite stays attached to the id.
 */
int rt_store_instance_put(struct rt_store *s, const struct rt_instance *in, int replace);
/*
 * The row half of starting an orchestration, shared by the engine and the
 * offline `cfunc durable start`: writes `instance_id` as Pending under a
 * new execution id (into exec_id) at now_us, or overwrites an existing
 * terminal instance (any instance with overwrite_any) after deleting its
 * history. input NULL stores "null"; parent (an ExecutionStarted of a
 * sub-orchestration) or NULL gives the parent fields. The caller then
 * queues the ExecutionStarted message. Inside a transaction. Returns RT_OK;
 * RT_E_EXISTS with *err (malloc'd; err may be NULL) naming the status of
 * the instance in the way; RT_ERROR (see rt_store_errmsg()).
 */
int rt_store_instance_create(struct rt_store *s, const char *instance_id, const char *name,
			     const char *input, int64_t now_us, int overwrite_any,
			     const struct rt_event *parent, char exec_id[33], char **err);
/*
 * The checkpoint after an episode: writes execution_id, status, created_us,
 * updated_us, generation, history_len, output and custom_status of the row
 * in->instance_id. name, input and the parent link stay as they are.
 * RT_E_NOTFOUND if the row is gone (purged meanwhile).
 */
int rt_store_instance_update(struct rt_store *s, const struct rt_instance *in);
/* Sets status and updated_us only (e.g. rewind resets a Failed instance to
 * Pending). RT_E_NOTFOUND if absent. */
/* Tests and fuzz targets only: the host does not call it. */
int rt_store_instance_set_status(struct rt_store *s, const char *instance_id,
				 enum rt_status status, int64_t updated_us);
/*
 * Purges one instance: its row, its history of every execution, its inbox
 * messages and timers, its queued activities. Returns RT_E_NOTFOUND if
 * the instance row did not exist (stray rows are removed all the same).
 */
int rt_store_instance_delete(struct rt_store *s, const char *instance_id);
/*
 * What one entity batch changes in an existing entity's row (entity.h):
 * updated_us, custom_status, output (the state; NULL = none) and input (the
 * scheduler record). Every other column stays, so no index entry is
 * rewritten. RT_E_NOTFOUND if the row does not exist (store_entity.c).
 */
int rt_store_entity_put_state(struct rt_store *s, const char *instance_id, int64_t updated_us,
			      const char *custom_status, const char *output, const char *input);

/* ---- history ------------------------------------------------------------ */

/* History belongs to an instance row (it is keyed on the row's internal
 * key): appending needs the row, and deleting the row (purge) takes its
 * history with it. */

struct rt_history_row {
	int seq;              /* 0, 1, ... per execution */
	int type;             /* enum rt_event_type of the encoded event */
	int64_t timestamp_us;
	const void *data;     /* rt_history_encode() output */
	size_t len;
};

/* Loads the rows of one execution in seq order into an array allocated in
 * `a` (*rows is NULL when *n is 0, also when there is no such instance);
 * blobs are copied into `a`. */
int rt_store_history_load(struct rt_store *s, const char *instance_id, const char *execution_id,
			  struct rt_history_row **rows, size_t *n, struct rt_arena *a);
/*
 * Appends rows with the seq numbers they carry. A seq that already exists
 * makes the call fail with RT_E_CONFLICT: another episode committed
 * first. Rows before the failing one are inserted by then, so the caller
 * rolls back (to its savepoint) and replays. RT_E_NOTFOUND (nothing
 * written) if the instance row does not exist.
 */
int rt_store_history_append(struct rt_store *s, const char *instance_id, const char *execution_id,
			    const struct rt_history_row *rows, size_t n);
/* Deletes the history of one execution, or of every execution of the
 * instance when execution_id is NULL; *deleted (may be NULL) gets the count
 * (0 if there is no such instance). */
int rt_store_history_delete(struct rt_store *s, const char *instance_id, const char *execution_id,
			    int64_t *deleted);
/* Replaces type and data of one existing row (rewind); the timestamp stays.
 * RT_E_NOTFOUND if the row (or the instance) does not exist. */
int rt_store_history_rewrite(struct rt_store *s, const char *instance_id,
			     const char *execution_id, int seq, int type, const void *data,
			     size_t len);

/* ---- inbox: messages to orchestrations and durable timers --------------- */

struct rt_inbox_msg {
	int64_t id;               /* arrival order; set by the store */
	const char *instance_id;
	const char *execution_id; /* NULL: for whichever execution is current */
	int64_t visible_us;       /* 0: deliverable at once; else not before this
				   * time (durable timers) */
	int type;                 /* enum rt_event_type of the encoded event */
	const void *data;         /* rt_history_encode() output */
	size_t len;
	int64_t enqueued_us;      /* set by the store when added; read-only */
};

/* Callback telling a scan to skip an instance the caller is already
 * processing; returns nonzero for "busy". */
typedef int (*rt_store_busy_fn)(void *ctx, const char *instance_id);
/* The same for activity rows already running, by activity id. */
typedef int (*rt_store_busy_id_fn)(void *ctx, int64_t id);

/* Queues a message; *id (may be NULL) gets its id. `m->id` and
 * `m->enqueued_us` are ignored. */
int rt_store_inbox_add(struct rt_store *s, const struct rt_inbox_msg *m, int64_t *id);
/* Loads the messages of one instance visible at now_us (visible_us <=
 * now_us) in arrival order, at most `limit` (0: all), into `a`. */
int rt_store_inbox_load(struct rt_store *s, const char *instance_id, int64_t now_us, size_t limit,
			struct rt_inbox_msg **msgs, size_t *n, struct rt_arena *a);
/* Deletes messages by id; ids already gone are ignored. *deleted (may be
 * NULL) gets the number of rows removed. */
int rt_store_inbox_delete(struct rt_store *s, const int64_t *ids, size_t n, int64_t *deleted);
/*
 * Lists up to `limit` (0: no limit) distinct instances with a message
 * visible at now_us, in the arrival order (id) of their oldest visible
 * message; due timers are merged in by id too, so a stream of new messages
 * cannot starve them (among themselves they come in due-time order).
 * Instances for which busy(ctx, id) is nonzero are skipped (busy may be
 * NULL; its id argument is borrowed for the callback only). *ids is an
 * array of strings in `a`. The cost follows the rows scanned (messages of
 * the returned and the skipped instances), never the future timers.
 */
int rt_store_inbox_ready(struct rt_store *s, int64_t now_us, size_t limit, rt_store_busy_fn busy,
			 void *ctx, const char ***ids, size_t *n, struct rt_arena *a);
/* Sets *next_us to the earliest visible_us > now_us in the whole inbox, or
 * INT64_MAX when nothing is scheduled: how long the engine may sleep. */
int rt_store_inbox_next_visible(struct rt_store *s, int64_t now_us, int64_t *next_us);

/* ---- activity queue ----------------------------------------------------- */

struct rt_activity {
	int64_t id;                /* set by the store */
	const char *instance_id;
	const char *execution_id;
	int task_id;               /* the TaskScheduled EventId */
	const char *name;
	const char *input;         /* JSON text or NULL */
	int64_t visible_us;        /* 0: at once */
	int dequeue_count;         /* attempts that started and never finished */
	int64_t enqueued_us;       /* set by the store when added; read-only */
};

/* Queues an activity; *id (may be NULL) gets its id. `act->id` and
 * `enqueued_us` are ignored; dequeue_count is normally 0 (a copied or
 * migrated row may carry its count). */
int rt_store_activity_add(struct rt_store *s, const struct rt_activity *act, int64_t *id);
/*
 * Reads up to `max` (0: no limit) activities visible at now_us, oldest
 * first (immediate ones by id merged with due postponed ones), skipping
 * those for which busy(ctx, id) is nonzero (busy may be NULL). The rows are
 * not changed: picking is not an attempt. Results go into `a`.
 */
int rt_store_activity_pick(struct rt_store *s, int64_t now_us, size_t max, rt_store_busy_id_fn busy,
			   void *ctx, struct rt_activity **rows, size_t *n, struct rt_arena *a);
/* One activity row into `a`; RT_E_NOTFOUND if it is gone. */
int rt_store_activity_get(struct rt_store *s, int64_t id, struct rt_activity *row,
			  struct rt_arena *a);
/* Adds one to the row's dequeue_count: an attempt of it started and never
 * finished (the poison count). RT_E_NOTFOUND if it is gone. */
int rt_store_activity_count_attempt(struct rt_store *s, int64_t id);
/* Removes a finished activity; RT_E_NOTFOUND if it is gone (purged). */
int rt_store_activity_delete(struct rt_store *s, int64_t id);
/* Makes an activity invisible until visible_us (an attempt that could not
 * run now, retry back-off, lease). RT_E_NOTFOUND if it is gone. */
int rt_store_activity_postpone(struct rt_store *s, int64_t id, int64_t visible_us);
/* Inbox and activity rows whose visible time is exactly `mark_us` become
 * visible from `to_us` (work brought forward: engine_not_now.c). */
int rt_store_visible_advance(struct rt_store *s, int64_t mark_us, int64_t to_us);
/* Loads every queued activity of an instance in id order into `a`. Scans
 * the whole queue (no index by instance: it would cost a random page write
 * per activity); for tests and diagnostics. */
int rt_store_activity_list(struct rt_store *s, const char *instance_id, struct rt_activity **rows,
			   size_t *n, struct rt_arena *a);
/* Earliest visible_us > now_us over the activity queue, INT64_MAX if none. */
int rt_store_activity_next_visible(struct rt_store *s, int64_t now_us, int64_t *next_us);

/* ---- management queries (durable-http-api §4.3, §4.5) ------------------- */

#define RT_STORE_STATUS_BIT(st) (1u << (unsigned)(st))

struct rt_store_filter {
	int64_t created_from; /* inclusive, µs; INT64_MIN: no bound */
	int64_t created_to;   /* inclusive, µs; INT64_MAX: no bound */
	unsigned statuses;    /* RT_STORE_STATUS_BIT()s; 0: any status */
	const char *prefix;   /* instance id prefix, byte-wise; NULL or "": any */
	int skip_input;       /* 1: leave rt_instance.input NULL (showInput=false) */
	/* Listing only (0: no limit). A stored input, output or custom status
	 * longer than payload_max bytes is not read: the field points to
	 * rt_store_payload_omitted instead. A page ends early, with *next set,
	 * once the payload bytes it read reach page_bytes. */
	size_t payload_max;
	size_t page_bytes;
	/* Sorted listing only: the name starts with this, ASCII letters in
	 * any case (function names are case-insensitive); NULL or "": any. */
	const char *name_prefix;
};

/* What an rt_instance payload field of a listing points to when it was left
 * out for its size (compare the pointer, not the text, which is ""). */
extern const char rt_store_payload_omitted[];

/* No bounds, any status, no prefix, with input. */
void rt_store_filter_init(struct rt_store_filter *f);

/*
 * One page of instances matching `f`, ordered by instance id (byte-wise),
 * starting after the id `after` (NULL: from the start). At most `top` rows
 * (top 0 is taken as 1) go into *rows (array in `a`). *next is NULL when
 * there is nothing more, else the id to pass as `after` for the next page
 * (copied into `a`; the API layer wraps it into its opaque token).
 * Each call runs a few short statements in its own read snapshot and
 * examines at most max(4096, 4 * top) rows, so a page can come back short
 * (even empty) with a non-NULL *next, as durable-http-api §4.3 allows.
 * Payloads come straight from the row into `a`, and one over
 * f->payload_max costs neither a read nor a copy (only its size is looked
 * at), so a page's memory and time follow f->page_bytes, not the largest
 * instance. Meant for a read-only handle; never holds a lock between calls.
 */
int rt_store_instance_list(struct rt_store *s, const struct rt_store_filter *f, const char *after,
			   size_t top, struct rt_instance **rows, size_t *n, const char **next,
			   struct rt_arena *a);
/* ---- the dashboard's sorted listing (store_list_sorted.c) ----------------- */

/* What a sorted listing orders by; ties always go in creation order (the
 * order in which the ids were first stored), so the order is total. */
enum rt_store_sort {
	RT_SORT_ID,      /* instance id, byte-wise (no ties) */
	RT_SORT_CREATED, /* created_us */
	RT_SORT_UPDATED, /* updated_us: rows move while a client pages */
	RT_SORT_NAME,    /* name, byte-wise (BINARY: 'Z' < 'a') */
	RT_SORT_STATUS,  /* enum rt_status value */
	RT_SORT__COUNT
};

/* A place in a sorted listing: one row's sort value (num for the times and
 * the status, text for name and id) and its internal key. The listing
 * continues strictly after it, whether or not that row still exists. */
struct rt_store_keyset {
	int64_t num;
	const char *text;
	int64_t iid;
};

/*
 * One page of the instances matching `f` (with f->name_prefix), ordered by
 * `sort` (desc: descending, ties too), after `after` (NULL: from the
 * start). Entity rows (ids starting with '@') are left out. At most `top`
 * rows (0 is 1) into *rows (in `a`), with f's payload rules as
 * rt_store_instance_list. *more is 1 when the listing goes on after *next
 * (its text in `a`). Each call walks the sort's index from one read
 * snapshot and examines at most max(4096, 4 * top) rows, so a sparse
 * filter gives short pages (even empty) with *more set. For a read-only
 * handle; holds nothing between calls.
 */
int rt_store_instance_list_sorted(struct rt_store *s, const struct rt_store_filter *f,
				  enum rt_store_sort sort, int desc,
				  const struct rt_store_keyset *after, size_t top,
				  struct rt_instance **rows, size_t *n, struct rt_store_keyset *next,
				  int *more, struct rt_arena *a);

/*
 * Purges (as rt_store_instance_delete) up to `limit` (0: all) instances
 * matching `f` (skip_input is ignored); *deleted gets the count. The store
 * does not restrict statuses: the API layer keeps only terminal ones
 * (durable-http-api §4.5). Big purges should loop with a limit, one
 * transaction per batch, so the write lock is released in between.
 */
int rt_store_purge(struct rt_store *s, const struct rt_store_filter *f, size_t limit,
		   int64_t *deleted);

/*
 * Instances per runtimeStatus (store_counts.c): counts[s] for every
 * enum rt_status value s below RT_STORE_STATUS_SLOTS (other values, which no
 * engine writes, are added to *other; may be NULL). One query over the
 * status index (GROUP BY status), in its own read snapshot. Entities'
 * rows ('@name@key') are counted too: the index does not hold the id.
 */
#define RT_STORE_STATUS_SLOTS 8
int rt_store_count_by_status(struct rt_store *s, int64_t counts[RT_STORE_STATUS_SLOTS],
			     int64_t *other);

/* Row counts, for tests, benchmarks and diagnostics (full scans). */
struct rt_store_stats {
	int64_t instances;
	int64_t history;
	int64_t inbox;
	int64_t activities;
};
/* Tests and fuzz targets only: the host does not call it. */
int rt_store_stats(struct rt_store *s, struct rt_store_stats *st);

#endif
