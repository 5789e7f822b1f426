/*
 * store_util.h - helpers shared by the store tests: a temporary directory,
 * fresh stores on a file or in memory, a raw SQLite peek at a file.
 */
#ifndef TEST_STORE_UTIL_H
#define TEST_STORE_UTIL_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/store.h"
#include "tap.h"

static char tdir[64];        /* the test's temporary directory */
static int in_memory;        /* current backend: 1 = ":memory:", 0 = file */
static char last_path[256];  /* the file of the last fresh_store() */

static inline void tdir_make(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/cfunc-store-XXXXXX");
	if (!mkdtemp(tdir)) {
		perror("mkdtemp");
		exit(2);
	}
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static inline void tdir_remove(void)
{
	nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A new file name in the temporary directory. */
static inline const char *tpath(const char *name)
{
	static char buf[256];
	static int seq;
	snprintf(buf, sizeof(buf), "%s/%d-%s", tdir, seq++, name);
	return buf;
}

/* A new empty store on the current backend, or NULL (reported). */
static struct rt_store *fresh_store_opts(const struct rt_store_opts *o)
{
	struct rt_store *s;
	char *err = NULL;
	const char *path = in_memory ? ":memory:" : tpath("hub.db");
	snprintf(last_path, sizeof(last_path), "%s", path);
	if (rt_store_open(&s, path, o, &err) != 0) {
		ok(0, "open %s: %s", path, err ? err : "?");
		free(err);
		return NULL;
	}
	return s;
}

static inline struct rt_store *fresh_store(void)
{
	return fresh_store_opts(NULL);
}

/* One integer from a raw SQLite query on a file, -999 on failure. */
static inline long long peek_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -999;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

/* Runs SQL on a file (created if needed) outside the store; 0 on success. */
static inline int raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		printf("# raw_exec: %s\n", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

static inline struct rt_instance make_instance(const char *id, enum rt_status st,
						 int64_t created_us)
{
	struct rt_instance in = {
		.instance_id = id,
		.name = "hello_seq",
		.execution_id = "0123456789abcdef0123456789abcdef",
		.status = st,
		.created_us = created_us,
		.updated_us = created_us + 1,
		.generation = 0,
		.history_len = 0,
		.parent_task_id = -1,
		.input = "{\"city\":\"Tokyo\"}",
	};
	return in;
}

static inline struct rt_store_stats stats_of(struct rt_store *s)
{
	struct rt_store_stats st;
	if (rt_store_stats(s, &st) != 0) {
		ok(0, "stats: %s", rt_store_errmsg(s));
		memset(&st, -1, sizeof(st));
	}
	return st;
}

#endif
