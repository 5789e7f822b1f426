/*
 * store_sync.c - durability on demand (rt_store_sync_wal, store.h).
 *
 * Under synchronous=FULL every commit waits for an fdatasync of the WAL.
 * The engine does not need that for most of what it commits: an activity's
 * result and the episode it drives are acknowledged to no one, and if a
 * power cut loses them the activity runs again, which at-least-once
 * already allows. What it does acknowledge (a start's 202, a raise, a
 * terminate, a purge) must be on disk before the answer. With sync_acks a
 * handle commits under NORMAL (still atomic, and durable against a crash
 * of the process, since the WAL is in the page cache) and the owner calls
 * this before acknowledging, and within a bounded delay after any other
 * commit. One fdatasync of the WAL file covers every frame written to it
 * so far, by any handle: that is the group commit.
 */
#include "runtime/store_int.h"

int rt_store_sync_wal(struct rt_store *s)
{
	sqlite3_file *wal = NULL;
	int rc;

	if (s->readonly)
		return rt_store__fail(s, RT_ERROR, "cannot sync: store is read-only");
	/* The WAL's sqlite3_file: SQLite's own handle, so xSync is the same
	 * call FULL makes at each commit. An in-memory store has none. */
	rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot sync the WAL");
	if (!wal || !wal->pMethods)
		return 0;
	rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK)
		return rt_store__sqlerr(s, rc, "cannot sync the WAL");
	s->wal_syncs++;
	return 0;
}

uint64_t rt_store_wal_syncs(const struct rt_store *s)
{
	return s->wal_syncs;
}
