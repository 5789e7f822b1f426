/*
 * store_query.c - what the management API asks of the store: paged listing
 * of instances with filters, purge of many instances, row counts.
 *
 * Listing walks the unique index on instance_id (byte-wise id order, as
 * Azure Storage lists) inside the id range the prefix allows, reads only
 * (id, status, created) while filtering and fetches the full row of matches
 * alone. Each call examines a bounded number of rows and resets its
 * statements before returning, so a reader paging through 100,000 instances
 * holds no snapshot between pages and never keeps the WAL from being
 * checkpointed.
 *
 * The payloads of a match (custom status, output, input) are read through
 * incremental blob handles: the size comes from the record header without
 * touching the value's overflow pages, so a 10 MB input that is over the
 * caller's payload_max costs a few page reads instead of a 10 MB read, and
 * one that is read goes from the pages straight into the caller's arena.
 */
#include "runtime/store_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/vec.h"
#include "common/xalloc.h"

/* Rows examined per listing call at least, whatever the page size. */
#define LIST_SCAN_MIN 4096

const char rt_store_payload_omitted[] = "";

/* The row of a match without its payloads; typeof() is answered from the
 * record header, so it does not read them either. */
static const char list_row_sql[] =
	"SELECT iid, status, created_us, updated_us, execution_id, name, generation, history_len,"
	" parent_instance_id, parent_execution_id, parent_task_id,"
	" typeof(custom_status) IN ('text', 'blob'), typeof(output) IN ('text', 'blob'),"
	" typeof(input) IN ('text', 'blob')"
	" FROM instances WHERE instance_id = ?1";

static const char *const payload_column[STORE_PAY__COUNT] = {"custom_status", "output", "input"};

int rt_store__list_reader_open(struct rt_store *s, struct store_list_reader *lr)
{
	int rc;
	memset(lr, 0, sizeof(*lr));
	rc = sqlite3_prepare_v2(s->db, list_row_sql, -1, &lr->row, NULL);
	return rc == SQLITE_OK ? 0 : rt_store__sqlerr(s, rc, "cannot prepare the listing");
}

void rt_store__list_reader_close(struct store_list_reader *lr)
{
	for (int i = 0; i < STORE_PAY__COUNT; i++)
		if (lr->blob[i])
			sqlite3_blob_close(lr->blob[i]);
	sqlite3_finalize(lr->row);
	memset(lr, 0, sizeof(*lr));
}

/* Payload `col` of row `iid` into *out (in `a`), or rt_store_payload_omitted
 * when it is longer than max (0: no limit). */
static int list_payload(struct rt_store *s, struct store_list_reader *lr, int col, int64_t iid,
			size_t max, const char **out, struct rt_arena *a)
{
	sqlite3_blob **h = &lr->blob[col];
	char *buf;
	int rc, len;

	rc = *h ? sqlite3_blob_reopen(*h, iid)
		: sqlite3_blob_open(s->db, "main", "instances", payload_column[col], iid, 0, h);
	if (rc != SQLITE_OK) {
		/* A failed reopen leaves the handle unusable; a failed open, NULL. */
		rc = rt_store__sqlerr(s, rc, "cannot read a listed instance");
		if (*h)
			sqlite3_blob_close(*h);
		*h = NULL;
		return rc;
	}
	len = sqlite3_blob_bytes(*h);
	if (max && (size_t)len > max) {
		*out = rt_store_payload_omitted;
		return 0;
	}
	buf = rt_arena_alloc(a, (size_t)len + 1);
	if (len && (rc = sqlite3_blob_read(*h, buf, len, 0)) != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot read a listed instance");
	buf[len] = '\0';
	lr->bytes += (size_t)len;
	*out = buf;
	return 0;
}

int rt_store__list_row(struct rt_store *s, struct store_list_reader *lr, const char *id,
		       const struct rt_store_filter *f, struct rt_instance *out, struct rt_arena *a)
{
	sqlite3_stmt *st = lr->row;
	const char **field[STORE_PAY__COUNT] = {&out->custom_status, &out->output, &out->input};
	int64_t iid;
	int rc;

	sqlite3_reset(st);
	rt_store__bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return rt_store__sqlerr(s, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
					"cannot read a listed instance");
	memset(out, 0, sizeof(*out));
	iid = sqlite3_column_int64(st, 0);
	out->instance_id = rt_arena_strdup(a, id);
	rt_store__read_instance_head(st, out, a);
	for (int col = 0; col < STORE_PAY__COUNT; col++) {
		if (!sqlite3_column_int(st, 11 + col) || (col == STORE_PAY_INPUT && f->skip_input))
			continue;
		if ((rc = list_payload(s, lr, col, iid, f->payload_max, field[col], a)) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc;
}

void rt_store_filter_init(struct rt_store_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->created_from = INT64_MIN;
	f->created_to = INT64_MAX;
}

static int status_match(const struct rt_store_filter *f, int status)
{
	return !f->statuses || (status >= 0 && status < 32 && (f->statuses & (1u << status)));
}

int rt_store__filter_match(const struct rt_store_filter *f, int status, int64_t created_us)
{
	return created_us >= f->created_from && created_us <= f->created_to &&
	       status_match(f, status);
}

/*
 * The least string above every string that starts with `prefix`, for the
 * range "id >= prefix AND id < upper": drop trailing 0xff bytes (nothing is
 * above them in that position), then increment the last byte. NULL when
 * there is no such string (empty or all-0xff prefix): no upper bound.
 * SQLite's BINARY collation compares like memcmp, as this assumes.
 */
const char *rt_store__prefix_upper(const char *prefix, struct rt_arena *a)
{
	size_t n = strlen(prefix);
	char *u;
	while (n > 0 && (unsigned char)prefix[n - 1] == 0xff)
		n--;
	if (n == 0)
		return NULL;
	u = rt_arena_strndup(a, prefix, n);
	u[n - 1] = (char)((unsigned char)u[n - 1] + 1);
	return u;
}

int rt_store_instance_list(struct rt_store *s, const struct rt_store_filter *f, const char *after,
			   size_t top, struct rt_instance **rows, size_t *n, const char **next,
			   struct rt_arena *a)
{
	const char *prefix = f->prefix ? f->prefix : "";
	const char *upper = rt_store__prefix_upper(prefix, &s->tmp);
	/* One lower bound only, the tighter one, so it is the index range start. */
	int gt = after && strcmp(after, prefix) >= 0;
	struct store_list_reader lr = {0};
	sqlite3_stmt *st;
	struct rt_instance *tmp;
	size_t cap, scanned = 0, count = 0;
	int full = 0; /* top rows, or page_bytes of payloads: one more match ends it */
	int rc;

	*rows = NULL;
	*n = 0;
	*next = NULL;
	if (top == 0)
		top = 1;
	cap = top > LIST_SCAN_MIN / 4 ? (top > SIZE_MAX / 4 ? SIZE_MAX : top * 4) : LIST_SCAN_MIN;
	st = rt_store__stmt(s, gt ? (upper ? ST_LIST_GT_UPPER : ST_LIST_GT)
				  : (upper ? ST_LIST_GE_UPPER : ST_LIST_GE));
	if (!st) {
		rc = RT_ERROR;
		goto out_tmp;
	}
	if ((rc = rt_store__list_reader_open(s, &lr)) != 0)
		goto out_tmp;
	rt_store__bind_text(st, 1, gt ? after : prefix);
	if (upper)
		rt_store__bind_text(st, 2, upper);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (rt_store__filter_match(f, sqlite3_column_int(st, 1), sqlite3_column_int64(st, 2))) {
			if (full) {
				/* A further match exists: the page is full and not the last. */
				*next = ((struct rt_instance *)s->scratch)[count - 1].instance_id;
				break;
			}
			tmp = rt_store__scratch(s, (count + 1) * sizeof(*tmp));
			/* Same connection, same read snapshot as the scan. */
			rc = rt_store__list_row(s, &lr, id, f, &tmp[count], a);
			if (rc < 0)
				goto out;
			count++;
			full = count == top || (f->page_bytes && lr.bytes >= f->page_bytes);
		}
		if (++scanned == cap) {
			/* Budget spent: stop here unless this was the last row. */
			const char *last = rt_arena_strdup(a, id);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW)
				*next = last;
			break;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = rt_store__sqlerr(s, rc, "cannot list instances");
		goto out;
	}
	rc = 0;
	if (count) {
		*rows = rt_store__scratch_copy(s, a, count, sizeof(**rows));
		*n = count;
	}
out:
	sqlite3_reset(st);
out_tmp:
	/* Open blob handles hold the read snapshot: close them before leaving. */
	rt_store__list_reader_close(&lr);
	rt_arena_reset(&s->tmp);
	if (rc < 0) {
		*rows = NULL;
		*n = 0;
		*next = NULL;
	}
	return rc;
}

struct purge_victim {
	int64_t iid;
	const char *id; /* in s->tmp */
};

static int victim_cmp(const void *a, const void *b)
{
	return strcmp(((const struct purge_victim *)a)->id, ((const struct purge_victim *)b)->id);
}

/*
 * Deletes the queued activities of the n victims (sorted by id) in one scan
 * of the queue: there is no instance_id index on it (see store.c), and a
 * scan per instance would cost queue length x purged instances.
 */
static int delete_activities(struct rt_store *s, const struct purge_victim *v, size_t n)
{
	sqlite3_stmt *scan = rt_store__stmt(s, ST_ACT_SCAN_ALL);
	sqlite3_stmt *del = rt_store__stmt(s, ST_ACT_DELETE);
	int64_t *ids = NULL;
	size_t count = 0, cap = 0;
	int rc;

	if (!scan || !del)
		return RT_ERROR;
	/* Collect first, delete after: never change a table under a live scan. */
	while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
		struct purge_victim key = { 0, (const char *)sqlite3_column_text(scan, 1) };
		if (!key.id || !bsearch(&key, v, n, sizeof(*v), victim_cmp))
			continue;
		RT_VEC_RESERVE(ids, cap, count + 1, 64);
		ids[count++] = sqlite3_column_int64(scan, 0);
	}
	sqlite3_reset(scan);
	if (rc != SQLITE_DONE) {
		rc = rt_store__sqlerr(s, rc, "cannot find activities to purge");
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < count && !rc; i++) {
		sqlite3_bind_int64(del, 1, ids[i]);
		rc = sqlite3_step(del);
		rc = rc == SQLITE_DONE ? 0 : rt_store__sqlerr(s, rc, "cannot purge activity");
		sqlite3_reset(del);
	}
out:
	free(ids);
	return rc;
}

int rt_store_purge(struct rt_store *s, const struct rt_store_filter *f, size_t limit,
		   int64_t *deleted)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_PURGE_SCAN);
	size_t plen = f->prefix ? strlen(f->prefix) : 0;
	struct purge_victim *v;
	size_t count = 0;
	int rc = SQLITE_DONE;

	assert(rt_store__writing(s));
	*deleted = 0;
	if (!st)
		return RT_ERROR;
	if (!limit)
		limit = SIZE_MAX;
	/* Collect first, delete after: never change a table under a live scan. */
	sqlite3_bind_int64(st, 1, f->created_from);
	sqlite3_bind_int64(st, 2, f->created_to);
	while (count < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 1);
		if (!status_match(f, sqlite3_column_int(st, 2)) ||
		    (plen && strncmp(id, f->prefix, plen) != 0))
			continue;
		v = rt_store__scratch(s, (count + 1) * sizeof(*v));
		v[count].iid = sqlite3_column_int64(st, 0);
		v[count++].id = rt_arena_strdup(&s->tmp, id);
	}
	if (count < limit && rc != SQLITE_DONE) {
		rc = rt_store__sqlerr(s, rc, "cannot find instances to purge");
		sqlite3_reset(st);
		goto out;
	}
	sqlite3_reset(st);
	rc = 0;
	if (!count)
		goto out;
	v = s->scratch;
	for (size_t i = 0; i < count; i++)
		if ((rc = rt_store__delete_instance_rows(s, v[i].iid, v[i].id)))
			goto out;
	qsort(v, count, sizeof(*v), victim_cmp);
	if ((rc = delete_activities(s, v, count)))
		goto out;
	*deleted = (int64_t)count;
out:
	rt_arena_reset(&s->tmp);
	return rc;
}

static int count_rows(struct rt_store *s, enum store_stmt id, int64_t *out)
{
	sqlite3_stmt *st = rt_store__stmt(s, id);
	int rc;
	if (!st)
		return RT_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = rt_store__sqlerr(s, rc, "cannot count rows");
	}
	sqlite3_reset(st);
	return rc;
}

int rt_store_stats(struct rt_store *s, struct rt_store_stats *st)
{
	int rc;
	memset(st, 0, sizeof(*st));
	if ((rc = count_rows(s, ST_COUNT_INSTANCES, &st->instances)) ||
	    (rc = count_rows(s, ST_COUNT_HISTORY, &st->history)) ||
	    (rc = count_rows(s, ST_COUNT_INBOX, &st->inbox)) ||
	    (rc = count_rows(s, ST_COUNT_ACTIVITIES, &st->activities)))
		return rc;
	return 0;
}
