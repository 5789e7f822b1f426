/*
 * store_counts.c - instances per runtimeStatus, for the dashboard's
 * counters (GET /admin/durable/counts).
 *
 * One GROUP BY over the index instances_status (schema 5): SQLite answers
 * it from the index alone, reading (status, iid) pairs and never a table
 * row, so 100,000 instances cost a scan of a few hundred small pages, not of
 * the rows with their payloads. The statement is prepared per call: the
 * counters are asked for every few seconds, not in a hot path.
 */
#include "runtime/store_int.h"

#include <string.h>

int rt_store_count_by_status(struct rt_store *s, int64_t counts[RT_STORE_STATUS_SLOTS],
			     int64_t *other)
{
	static const char sql[] =
		"SELECT status, count(*) FROM instances INDEXED BY instances_status GROUP BY status";
	sqlite3_stmt *st = NULL;
	int rc;

	memset(counts, 0, sizeof(int64_t) * RT_STORE_STATUS_SLOTS);
	if (other)
		*other = 0;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot count instances by status");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 status = sqlite3_column_int64(st, 0);
		sqlite3_int64 n = sqlite3_column_int64(st, 1);
		if (status >= 0 && status < RT_STORE_STATUS_SLOTS)
			counts[status] = n;
		else if (other)
			*other += n;
	}
	if (rc != SQLITE_DONE) {
		rc = rt_store__sqlerr(s, rc, "cannot count instances by status");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return RT_OK;
}
