/*
 * store_check.c - refusing files a host must not run on: damaged pages,
 * another program's database, a hub with part of its schema missing.
 *
 * Each check names the file and says what is wrong in one line, so the host
 * can print it and exit instead of failing every batch later.
 */
#include "runtime/store_int.h"

#include <stdio.h>
#include <string.h>

/* What the current schema (RT_STORE_SCHEMA_VERSION) consists of. Indexes
 * count too: without them every scan of the engine becomes a full one. */
static const struct {
	const char *type, *name;
} schema_objects[] = {
	{"table", "instances"},       {"table", "history"},
	{"table", "inbox"},           {"table", "activities"},
	{"index", "instances_id"},    {"index", "instances_created"},
	{"index", "inbox_visible"},   {"index", "inbox_instance"},
	{"index", "activities_visible"}, {"index", "instances_status"},
	{"index", "instances_name"},  {"index", "instances_updated"},
};

int rt_store__check_pages(struct rt_store *s, const char *path)
{
	sqlite3_stmt *st;
	char what[256];
	int rc;

	/* quick_check reads every page and checks the b-tree structure
	 * (O(file size)), skipping only the index-versus-table comparison of
	 * integrity_check, which costs a lookup per row. */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		if (res && strcmp(res, "ok") == 0) {
			sqlite3_finalize(st);
			return 0;
		}
		rt_store__one_line(what, sizeof(what), res);
	} else {
		rt_store__one_line(what, sizeof(what), sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
	return rt_store__fail(s, RT_ERROR,
			      "task hub %s is damaged (%s); restore it from a copy or move it "
			      "away to start with an empty hub",
			      path, what);
}

/* Number of schema rows matching `where` (-1 on error). */
static int count_schema(struct rt_store *s, const char *where)
{
	char sql[256];
	sqlite3_stmt *st;
	int n = -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_schema WHERE %s", where);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int rt_store__check_foreign(struct rt_store *s, const char *path)
{
	int objects = count_schema(s, "1"), ours;
	if (objects < 0)
		return rt_store__sqlerr(s, sqlite3_errcode(s->db), "cannot read the schema");
	if (objects == 0)
		return 0; /* an empty file: ours to set up */
	ours = count_schema(s, "type = 'table' AND name = 'instances'");
	if (ours > 0)
		return 0; /* an early hub that did not mark itself yet */
	return rt_store__fail(s, RT_ERROR,
			      "%s is not a cfunc task hub: it holds another program's tables "
			      "(application_id 0, no task hub tables); cfunc only adopts an empty "
			      "file",
			      path);
}

int rt_store__check_schema(struct rt_store *s, const char *path)
{
	char where[160];
	for (size_t i = 0; i < sizeof(schema_objects) / sizeof(schema_objects[0]); i++) {
		snprintf(where, sizeof(where), "type = '%s' AND name = '%s'", schema_objects[i].type,
			 schema_objects[i].name);
		int n = count_schema(s, where);
		if (n < 0)
			return rt_store__sqlerr(s, sqlite3_errcode(s->db),
						"cannot read the schema");
		if (n == 0)
			return rt_store__fail(s, RT_ERROR,
					      "task hub %s is incomplete: %s %s is missing "
					      "(schema version %d); restore it from a copy or move "
					      "it away to start with an empty hub",
					      path, schema_objects[i].type, schema_objects[i].name,
					      RT_STORE_SCHEMA_VERSION);
	}
	return 0;
}
