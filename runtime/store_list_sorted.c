/*
 * store_list_sorted.c - the dashboard's listing of instances in a chosen
 * order (id, created, last updated, name, status), with keyset paging.
 *
 * Every order walks one index, keyed (column, iid): instances_id,
 * instances_created, instances_updated, instances_name, instances_status
 * (schema 6). A position is (value, iid) of the last row, and the next
 * page is two index ranges, each with both bounds in the index key:
 *
 *   column = value AND iid > last ORDER BY iid      (the rest of the ties)
 *   column > value ORDER BY column, iid             (everything after)
 *
 * (descending: < and DESC). A single row-value comparison (column, iid) >
 * (value, last) would bound the column only and step over every tie again,
 * which for a status sort is most of the table. So a page costs the rows it
 * examines, not its depth: page 1,000 of 100,000 instances is as fast as
 * page 1. Filters the index cannot answer (status set, created range, id
 * prefix, name prefix) are checked on the scanned row, as the id-ordered
 * listing does (store_query.c), within the same per-call row budget; the
 * matches' full rows and payloads are read the same way too.
 */
#include "runtime/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rows examined per call at least, whatever the page size. */
#define SORTED_SCAN_MIN 4096

static const struct {
	const char *column, *index;
	int text; /* the value is text (name, id), else an integer */
} sort_key[RT_SORT__COUNT] = {
	[RT_SORT_ID] = {"instance_id", "instances_id", 1},
	[RT_SORT_CREATED] = {"created_us", "instances_created", 0},
	[RT_SORT_UPDATED] = {"updated_us", "instances_updated", 0},
	[RT_SORT_NAME] = {"name", "instances_name", 1},
	[RT_SORT_STATUS] = {"status", "instances_status", 0},
};

/* The scanned columns: what the filters need, and the sort value. */
enum { SC_IID, SC_ID, SC_STATUS, SC_CREATED, SC_NAME, SC_VALUE };

/* The phases of one page: the ties of the position, then the rows after
 * it. The id order has no ties; its first page may start at the prefix. */
enum phase { PH_TIES, PH_AFTER, PH_FIRST };

struct sorted_scan {
	struct rt_store *s;
	const struct rt_store_filter *f;
	enum rt_store_sort sort;
	int desc;
	const char *prefix, *upper; /* id prefix range ("" / NULL: none) */
	size_t plen, nlen;
};

/* The statement of one phase, bound; NULL with the error set. */
static sqlite3_stmt *phase_stmt(struct sorted_scan *sc, enum phase ph,
				const struct rt_store_keyset *after)
{
	const char *col = sort_key[sc->sort].column, *dir = sc->desc ? "DESC" : "ASC";
	const char *cmp = sc->desc ? "<" : ">";
	char sql[512], where[160] = "";
	sqlite3_stmt *st = NULL;
	int rc, bind_after = 0, bind_prefix = 0;

	if (ph == PH_TIES) {
		snprintf(where, sizeof(where), "WHERE %s = ?1 AND iid %s ?2", col, cmp);
		bind_after = 1;
	} else if (ph == PH_AFTER) {
		snprintf(where, sizeof(where), "WHERE %s %s ?1", col, cmp);
		bind_after = 1;
	} else if (sc->sort == RT_SORT_ID && !sc->desc && sc->plen) {
		snprintf(where, sizeof(where), "WHERE instance_id >= ?1");
		bind_prefix = 1;
	} else if (sc->sort == RT_SORT_ID && sc->desc && sc->upper) {
		snprintf(where, sizeof(where), "WHERE instance_id < ?1");
		bind_prefix = 2;
	}
	if (ph == PH_TIES)
		snprintf(sql, sizeof(sql),
			 "SELECT iid, instance_id, status, created_us, name, %s FROM instances"
			 " INDEXED BY %s %s ORDER BY iid %s",
			 col, sort_key[sc->sort].index, where, dir);
	else
		snprintf(sql, sizeof(sql),
			 "SELECT iid, instance_id, status, created_us, name, %s FROM instances"
			 " INDEXED BY %s %s ORDER BY %s %s%s%s",
			 col, sort_key[sc->sort].index, where, col, dir,
			 sc->sort == RT_SORT_ID ? "" : ", iid ", sc->sort == RT_SORT_ID ? "" : dir);
	rc = sqlite3_prepare_v2(sc->s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rt_store__sqlerr(sc->s, rc, "cannot prepare the sorted listing");
		return NULL;
	}
	if (bind_after) {
		if (sort_key[sc->sort].text)
			sqlite3_bind_text(st, 1, after->text ? after->text : "", -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, 1, after->num);
		if (ph == PH_TIES)
			sqlite3_bind_int64(st, 2, after->iid);
	} else if (bind_prefix) {
		sqlite3_bind_text(st, 1, bind_prefix == 1 ? sc->prefix : sc->upper, -1, SQLITE_STATIC);
	}
	return st;
}

/* ASCII case-insensitive "name starts with". */
static int name_match(const struct sorted_scan *sc, const char *name)
{
	return !sc->nlen || (name && strncasecmp(name, sc->f->name_prefix, sc->nlen) == 0);
}

/* 1 once an id-ordered scan has left the prefix's range for good. */
static int past_prefix(const struct sorted_scan *sc, const char *id)
{
	int c;
	if (sc->sort != RT_SORT_ID || !sc->plen)
		return 0;
	c = strncmp(id, sc->prefix, sc->plen);
	return sc->desc ? c < 0 : c > 0;
}

/* The keyset of the scanned row (text copied into `a`). */
static void keyset_of(const struct sorted_scan *sc, sqlite3_stmt *st, struct rt_store_keyset *k,
		      struct rt_arena *a)
{
	k->iid = sqlite3_column_int64(st, SC_IID);
	k->num = sort_key[sc->sort].text ? 0 : sqlite3_column_int64(st, SC_VALUE);
	k->text = sort_key[sc->sort].text ? rt_store__col_text(st, SC_VALUE, a) : NULL;
}

int rt_store_instance_list_sorted(struct rt_store *s, const struct rt_store_filter *f,
				  enum rt_store_sort sort, int desc,
				  const struct rt_store_keyset *after, size_t top,
				  struct rt_instance **rows, size_t *n, struct rt_store_keyset *next,
				  int *more, struct rt_arena *a)
{
	struct sorted_scan sc = {s, f, sort, desc != 0, f->prefix ? f->prefix : "", NULL, 0, 0};
	struct store_list_reader lr = {0};
	struct rt_store_keyset last = {0, NULL, 0};
	enum phase phases[2];
	size_t nphases = 0, cap, scanned = 0, count = 0;
	int full = 0, stop = 0, rc = 0;

	struct rt_store_keyset from;

	/* after may be next, the caller's place carried from the last call. */
	if (after) {
		from = *after;
		after = &from;
	}
	*rows = NULL;
	*n = 0;
	*more = 0;
	memset(next, 0, sizeof(*next));
	if ((unsigned)sort >= RT_SORT__COUNT)
		return rt_store__fail(s, RT_E_INVALID, "unknown sort order %d", (int)sort);
	if (top == 0)
		top = 1;
	cap = top > SORTED_SCAN_MIN / 4 ? top * 4 : SORTED_SCAN_MIN;
	sc.plen = strlen(sc.prefix);
	sc.upper = sc.plen ? rt_store__prefix_upper(sc.prefix, &s->tmp) : NULL;
	sc.nlen = f->name_prefix ? strlen(f->name_prefix) : 0;
	if (!after) {
		phases[nphases++] = PH_FIRST;
	} else if (sort == RT_SORT_ID) {
		/* A position before the prefix's range starts at the range. */
		int before = desc ? sc.upper && strcmp(after->text ? after->text : "", sc.upper) >= 0
				  : strcmp(after->text ? after->text : "", sc.prefix) < 0;
		phases[nphases++] = before ? PH_FIRST : PH_AFTER;
	} else {
		phases[nphases++] = PH_TIES;
		phases[nphases++] = PH_AFTER;
	}

	/* A new snapshot waits while a truncating checkpoint holds the gate,
	 * as every reader's does (rt_store__stmt). */
	if (s->readonly && s->lock)
		rt_store__gate_wait_reader(s->lock);
	/* One snapshot for the whole page: the phases and the row reads. */
	if ((rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) {
		rc = rt_store__sqlerr(s, rc, "cannot list instances");
		goto out_tmp;
	}
	if ((rc = rt_store__list_reader_open(s, &lr)) != 0)
		goto out;
	for (size_t p = 0; p < nphases && !stop; p++) {
		sqlite3_stmt *st = phase_stmt(&sc, phases[p], after);
		if (!st) {
			rc = RT_ERROR;
			goto out;
		}
		while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, SC_ID);
			if (past_prefix(&sc, id)) {
				stop = 1; /* the range is done: nothing more */
				break;
			}
			if (id[0] != '@' && strncmp(id, sc.prefix, sc.plen) == 0 &&
			    rt_store__filter_match(f, sqlite3_column_int(st, SC_STATUS),
						   sqlite3_column_int64(st, SC_CREATED)) &&
			    name_match(&sc, (const char *)sqlite3_column_text(st, SC_NAME))) {
				struct rt_instance *tmp;
				if (full) {
					/* A further match: the page is full and not the last. */
					*next = last;
					*more = 1;
					stop = 1;
					break;
				}
				tmp = rt_store__scratch(s, (count + 1) * sizeof(*tmp));
				rc = rt_store__list_row(s, &lr, id, f, &tmp[count], a);
				if (rc < 0) {
					sqlite3_finalize(st);
					goto out;
				}
				keyset_of(&sc, st, &last, a);
				count++;
				full = count == top || (f->page_bytes && lr.bytes >= f->page_bytes);
			}
			if (++scanned == cap) {
				/* Budget spent: the next call goes on after this row. */
				keyset_of(&sc, st, next, a);
				*more = 1;
				stop = 1;
			}
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			rc = rt_store__sqlerr(s, rc, "cannot list instances");
			sqlite3_finalize(st);
			goto out;
		}
		sqlite3_finalize(st);
		rc = 0;
	}
	if (count) {
		*rows = rt_store__scratch_copy(s, a, count, sizeof(**rows));
		*n = count;
	}
out:
	/* Blob handles hold the snapshot too: close them before the end. */
	rt_store__list_reader_close(&lr);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
out_tmp:
	rt_arena_reset(&s->tmp);
	if (rc < 0) {
		*rows = NULL;
		*n = 0;
		*more = 0;
	}
	return rc;
}
