/*
 * store_timers.c - the timer_status table: what useMonitor keeps per timer
 * function, so a run missed while the host was down runs once on start.
 * Rare statements (a few per timer run): prepared per call, not cached.
 */
#include "runtime/store_int.h"

#include <assert.h>
#include <ctype.h>
#include <string.h>

static void lower_key(const char *name, char *key, size_t size)
{
	size_t i = 0;
	for (; name[i] && i + 1 < size; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	key[i] = '\0';
}

int rt_store_timer_status_get(struct rt_store *s, const char *name, struct rt_timer_status *out)
{
	sqlite3_stmt *st;
	char key[256];
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT last_ms, next_ms, updated_ms FROM timer_status WHERE name = ?1",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot read timer status");
	lower_key(name, key, sizeof(key));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->last_ms = sqlite3_column_int64(st, 0);
		out->next_ms = sqlite3_column_int64(st, 1);
		out->updated_ms = sqlite3_column_int64(st, 2);
		rc = RT_OK;
	} else if (rc == SQLITE_DONE) {
		rc = RT_E_NOTFOUND;
	} else {
		rc = rt_store__sqlerr(s, rc, "cannot read timer status");
	}
	sqlite3_finalize(st);
	return rc;
}

int rt_store_timer_status_put(struct rt_store *s, const char *name,
			      const struct rt_timer_status *in)
{
	sqlite3_stmt *st;
	char key[256];
	assert(!sqlite3_get_autocommit(s->db));
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT OR REPLACE INTO timer_status (name, last_ms, next_ms, updated_ms)"
				    " VALUES (?1, ?2, ?3, ?4)",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot write timer status");
	lower_key(name, key, sizeof(key));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, in->last_ms);
	sqlite3_bind_int64(st, 3, in->next_ms);
	sqlite3_bind_int64(st, 4, in->updated_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? RT_OK : rt_store__sqlerr(s, rc, "cannot write timer status");
}
