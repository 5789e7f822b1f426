/*
 * store_entity.c - the write an entity batch makes to its row.
 *
 * An entity's row is written once per batch of its operations, up to once
 * per entity and group commit, so under signals spread over many entities
 * it is the store's most frequent write. The generic upsert
 * (rt_store_instance_put) sets every column, and SQLite then rewrites the
 * entries of every index on a named column (instances_status,
 * instances_created, instances_name) even when their values stay: more
 * pages dirtied, more WAL written per commit. An entity keeps its status
 * (Running), name, execution id and creation time for its whole life, so
 * this UPDATE names only what a batch changes; of that only updated_us is
 * indexed (instances_updated, for the sorted listing), and its entry moves
 * to the right edge of that index, a page the commit writes anyway.
 */
#include "runtime/store_int.h"

#include <assert.h>

int rt_store_entity_put_state(struct rt_store *s, const char *instance_id, int64_t updated_us,
			      const char *custom_status, const char *output, const char *input)
{
	sqlite3_stmt *st = rt_store__stmt(s, ST_ENTITY_PUT_STATE);
	int rc;
	assert(rt_store__writing(s));
	if (!st)
		return RT_ERROR;
	if (rt_store__bind_text(st, 1, instance_id) || sqlite3_bind_int64(st, 2, updated_us) ||
	    rt_store__bind_text(st, 3, custom_status) || rt_store__bind_text(st, 4, output) ||
	    rt_store__bind_text(st, 5, input)) {
		rc = rt_store__sqlerr(s, sqlite3_errcode(s->db), "cannot write entity");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		rc = rt_store__sqlerr(s, rc, "cannot write entity");
	else if (sqlite3_changes(s->db) == 0)
		rc = rt_store__fail(s, RT_E_NOTFOUND, "no entity %s", instance_id);
	else
		rc = 0;
out:
	sqlite3_reset(st);
	return rc;
}
