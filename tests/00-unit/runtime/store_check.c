/*
 * Unit tests for runtime/store_check.c: files a host must refuse at open,
 * each with one line naming the file, and without changing it: a real hub
 * with pages damaged in the middle, another program's database, a hub with
 * a table, an index or a column gone. An empty file is still adopted.
 */
#include "store_util.h"

#include <fcntl.h>
#include <sys/stat.h>

static struct rt_arena arena;

/* A real hub of a few hundred pages, closed cleanly (WAL copied back). */
static int make_full_hub(const char *path)
{
	struct rt_store *s;
	char id[32], input[600];
	if (rt_store_open(&s, path, NULL, NULL) != 0)
		return -1;
	memset(input, 'x', sizeof(input));
	input[0] = '"';
	input[sizeof(input) - 2] = '"';
	input[sizeof(input) - 1] = '\0';
	rt_store_begin(s);
	for (int i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "inst%05d", i);
		struct rt_instance in = make_instance(id, RT_ST_COMPLETED, i);
		in.input = input;
		if (rt_store_instance_put(s, &in, 0) != 0) {
			rt_store_rollback(s);
			rt_store_close(s);
			return -1;
		}
	}
	int rc = rt_store_commit(s);
	rt_store_close(s);
	return rc;
}

/* Overwrites `len` bytes at the start of the page in the middle of the
 * file with `byte`; the page number, or -1. */
static long damage_middle(const char *path, size_t len, unsigned char byte)
{
	long page_size = peek_int(path, "PRAGMA page_size");
	struct stat st;
	unsigned char buf[65536];
	int fd;
	if (page_size <= 0 || stat(path, &st) != 0 || len > sizeof(buf))
		return -1;
	long pages = (long)(st.st_size / page_size), page = pages / 2;
	memset(buf, byte, len);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = pwrite(fd, buf, len, (off_t)page * page_size);
	close(fd);
	return n == (ssize_t)len ? page : -1;
}

/* 1 if the first 64 bytes of page `page` (from 0) are all `byte`. */
static int page_starts_with(const char *path, long page, unsigned char byte)
{
	long page_size = peek_int(path, "PRAGMA page_size");
	unsigned char buf[64];
	int fd = open(path, O_RDONLY), same = 1;
	if (fd < 0 || page_size <= 0)
		return 0;
	ssize_t n = pread(fd, buf, sizeof(buf), (off_t)page * page_size);
	close(fd);
	for (size_t i = 0; i < sizeof(buf); i++)
		same &= buf[i] == byte;
	return n == (ssize_t)sizeof(buf) && same;
}

static int file_equals(const char *path, const void *want, size_t len)
{
	unsigned char buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	return n == len && memcmp(buf, want, len) == 0;
}

/* A refused open: RT_ERROR, no handle, one line naming the file and
 * containing `what`. */
static void refused(const char *path, int readonly, const char *what, const char *label)
{
	struct rt_store *s = (struct rt_store *)1;
	char *err = NULL;
	int rc = readonly ? rt_store_open_readonly(&s, path, &err) : rt_store_open(&s, path, NULL, &err);
	is_int(rc, RT_ERROR, "%s: refused%s", label, readonly ? " (read-only)" : "");
	ok(s == NULL, "%s: no handle", label);
	ok(err && strstr(err, path) && strstr(err, what) && !strchr(err, '\n'),
	   "%s: one line naming the file: %s", label, err ? err : "(null)");
	if (rc == 0 && s)
		rt_store_close(s);
	free(err);
}

static void test_damaged(void)
{
	char path[256];
	long page;

	snprintf(path, sizeof(path), "%s", tpath("hub.db"));
	if (!ok(make_full_hub(path) == 0, "a hub with 2000 instances"))
		return;
	long pages = (long)peek_int(path, "PRAGMA page_count");
	ok(pages > 100, "%ld pages", pages);

	/* Control: the same hub undamaged opens. */
	struct rt_store *s;
	if (ok(rt_store_open(&s, path, NULL, NULL) == 0, "intact hub opens"))
		rt_store_close(s);

	page = damage_middle(path, (size_t)peek_int(path, "PRAGMA page_size"), 0xa5);
	ok(page > 1 && page < pages - 1, "page %ld of %ld overwritten", page, pages);
	refused(path, 0, "damaged", "damaged page");
	refused(path, 1, "damaged", "damaged page");
	/* Nothing wrote over the damage (no repair attempt). */
	ok(page_starts_with(path, page, 0xa5), "the damaged page is left as it was");

	/* A few bytes of one page header are enough. */
	snprintf(path, sizeof(path), "%s", tpath("hub.db"));
	if (!ok(make_full_hub(path) == 0, "another hub"))
		return;
	ok(damage_middle(path, 8, 0xff) > 1, "8 bytes of a page header overwritten");
	refused(path, 0, "damaged", "damaged header");
}

static void test_foreign(void)
{
	char path[256];
	struct rt_store *s;
	unsigned char before[1 << 16];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s", tpath("notes.db"));
	if (!ok(raw_exec(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
			       "INSERT INTO notes (body) VALUES ('keep me')") == 0,
		"another program's database (application_id 0)"))
		return;
	f = fopen(path, "rb");
	len = f ? fread(before, 1, sizeof(before), f) : 0;
	if (f)
		fclose(f);
	refused(path, 0, "not a cfunc task hub", "foreign file");
	refused(path, 1, "not a cfunc task hub", "foreign file");
	ok(len > 0 && file_equals(path, before, len), "the file is byte for byte unchanged");
	struct stat st;
	char wal[300];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	ok(stat(wal, &st) != 0, "no WAL file created");

	/* Only its views or indexes: still someone else's. */
	snprintf(path, sizeof(path), "%s", tpath("view.db"));
	raw_exec(path, "CREATE VIEW v AS SELECT 1");
	refused(path, 0, "not a cfunc task hub", "file with a view only");

	/* An empty file (0 bytes) is adopted. */
	snprintf(path, sizeof(path), "%s", tpath("empty.db"));
	f = fopen(path, "wb");
	if (f)
		fclose(f);
	if (ok(rt_store_open(&s, path, NULL, NULL) == 0, "an empty file becomes a hub")) {
		rt_store_close(s);
		is_int(peek_int(path, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION,
		       "with the current schema");
	}
}

static void test_incomplete(void)
{
	static const struct {
		const char *sql, *what, *label;
	} cases[] = {
		{"DROP TABLE inbox", "table inbox is missing", "a table dropped"},
		{"DROP TABLE activities", "table activities is missing", "another table dropped"},
		{"DROP INDEX inbox_visible", "index inbox_visible is missing", "an index dropped"},
		{"ALTER TABLE activities DROP COLUMN input", "does not match schema version",
		 "a column dropped"},
		{"ALTER TABLE history RENAME COLUMN data TO payload", "no such column",
		 "a column renamed"},
	};
	char path[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rt_store *s;
		snprintf(path, sizeof(path), "%s", tpath("hub.db"));
		if (rt_store_open(&s, path, NULL, NULL) != 0) {
			ok(0, "make hub");
			continue;
		}
		rt_store_close(s);
		if (!ok(raw_exec(path, cases[i].sql) == 0, "%s", cases[i].sql))
			continue;
		refused(path, 0, cases[i].what, cases[i].label);
		refused(path, 1, cases[i].what, cases[i].label);
	}
	/* Control: an untouched hub reopens, read-write and read-only. */
	struct rt_store *s, *r;
	snprintf(path, sizeof(path), "%s", tpath("hub.db"));
	if (rt_store_open(&s, path, NULL, NULL) == 0)
		rt_store_close(s);
	ok(rt_store_open(&s, path, NULL, NULL) == 0, "complete hub reopens");
	if (ok(rt_store_open_readonly(&r, path, NULL) == 0, "and read-only beside it"))
		rt_store_close(r);
	rt_store_close(s);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	subtest("damaged pages", test_damaged);
	subtest("another program's file", test_foreign);
	subtest("incomplete schema", test_incomplete);
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
