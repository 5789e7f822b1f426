/*
 * Unit tests for runtime/store_query.c: paged listing with every filter,
 * purge of many instances, and a writer plus a read-only handle on one file
 * (no snapshot held between pages).
 */
#include "store_util.h"

#include <stdint.h>

#include "common/xalloc.h"
#include "common/clock.h"

static struct rt_arena arena;

/* Ids in byte order, with statuses and created times to filter on. */
static const struct {
	const char *id;
	enum rt_status status;
	int64_t created;
} fixture[] = {
	{ "A1", RT_ST_COMPLETED, 100 },
	{ "a", RT_ST_RUNNING, 200 },
	{ "a1", RT_ST_COMPLETED, 300 },
	{ "a2", RT_ST_FAILED, 400 },
	{ "a2x", RT_ST_COMPLETED, 500 },
	{ "a\xff", RT_ST_TERMINATED, 600 },
	{ "a\xff\xff", RT_ST_COMPLETED, 700 },
	{ "a\xff\xff" "b", RT_ST_PENDING, 800 },
	{ "b", RT_ST_COMPLETED, 900 },
	{ "b\xc3\xa9", RT_ST_SUSPENDED, 1000 },
	{ "\xff", RT_ST_COMPLETED, 1100 },
	{ "\xff\xff", RT_ST_RUNNING, 1200 },
};
#define NFIX (sizeof(fixture) / sizeof(fixture[0]))

static struct rt_store *fixture_store(void)
{
	struct rt_store *s = fresh_store();
	if (!s)
		return NULL;
	rt_store_begin(s);
	/* Inserted in reverse so order comes from the key, not insertion. */
	for (size_t i = NFIX; i-- > 0;) {
		struct rt_instance in = make_instance(fixture[i].id, fixture[i].status,
						      fixture[i].created);
		rt_store_instance_put(s, &in, 0);
	}
	rt_store_commit(s);
	return s;
}

/* Lists every page and joins the ids with ','; returns the page count, or
 * -1 on error. `pages_want_more` checks that only the last page says done. */
static int list_all(struct rt_store *s, const struct rt_store_filter *f, size_t top, char *out,
		    size_t outlen, int *short_pages)
{
	const char *after = NULL;
	int pages = 0;
	out[0] = '\0';
	*short_pages = 0;
	for (;;) {
		struct rt_instance *rows;
		size_t n;
		const char *next;
		if (rt_store_instance_list(s, f, after, top, &rows, &n, &next, &arena) != 0) {
			printf("# list: %s\n", rt_store_errmsg(s));
			return -1;
		}
		pages++;
		for (size_t i = 0; i < n; i++) {
			if (out[0])
				strncat(out, ",", outlen - strlen(out) - 1);
			strncat(out, rows[i].instance_id, outlen - strlen(out) - 1);
		}
		if (!next)
			break;
		if (n < top)
			(*short_pages)++;
		after = next;
		if (pages > 10000)
			return -1;
	}
	return pages;
}

static int list_is(struct rt_store *s, const struct rt_store_filter *f, size_t top,
		   const char *want, int want_pages)
{
	char got[1024];
	int shorts, pages = list_all(s, f, top, got, sizeof(got), &shorts);
	int good = pages == want_pages && strcmp(got, want) == 0 && shorts == 0;
	if (!good)
		printf("#   got \"%s\" in %d pages (%d short), want \"%s\" in %d\n", got, pages,
		       shorts, want, want_pages);
	return good;
}

#define ALL "A1,a,a1,a2,a2x,a\xff,a\xff\xff,a\xff\xff" "b,b,b\xc3\xa9,\xff,\xff\xff"

static void test_list(void)
{
	struct rt_store *s = fixture_store();
	struct rt_store_filter f;
	struct rt_instance *rows;
	const char *next;
	size_t n;
	if (!s)
		return;

	rt_store_filter_init(&f);
	ok(list_is(s, &f, 100, ALL, 1), "everything, byte order, one page");
	ok(list_is(s, &f, 1, ALL, 12), "top 1: twelve pages, the last says no more");
	ok(list_is(s, &f, 5, ALL, 3), "top 5");
	ok(list_is(s, &f, 6, ALL, 2), "a full last page still reports no more");
	ok(list_is(s, &f, 0, ALL, 12), "top 0 is taken as 1");

	f.prefix = "";
	ok(list_is(s, &f, 100, ALL, 1), "empty prefix");
	f.prefix = "a";
	ok(list_is(s, &f, 100, "a,a1,a2,a2x,a\xff,a\xff\xff,a\xff\xff" "b", 1), "prefix a");
	ok(list_is(s, &f, 2, "a,a1,a2,a2x,a\xff,a\xff\xff,a\xff\xff" "b", 4), "prefix a, top 2");
	f.prefix = "A";
	ok(list_is(s, &f, 100, "A1", 1), "prefix is case-sensitive");
	f.prefix = "a2";
	ok(list_is(s, &f, 100, "a2,a2x", 1), "prefix a2");
	f.prefix = "a\xff";
	ok(list_is(s, &f, 100, "a\xff,a\xff\xff,a\xff\xff" "b", 1), "prefix ending in 0xff");
	f.prefix = "a\xff\xff";
	ok(list_is(s, &f, 1, "a\xff\xff,a\xff\xff" "b", 2), "prefix ending in two 0xff");
	f.prefix = "\xff";
	ok(list_is(s, &f, 100, "\xff,\xff\xff", 1), "all-0xff prefix: no upper bound");
	f.prefix = "b\xc3";
	ok(list_is(s, &f, 100, "b\xc3\xa9", 1), "prefix cut inside a UTF-8 sequence");
	f.prefix = "zzz";
	ok(list_is(s, &f, 100, "", 1), "no match: empty page, no more");

	rt_store_filter_init(&f);
	f.statuses = RT_STORE_STATUS_BIT(RT_ST_COMPLETED);
	ok(list_is(s, &f, 100, "A1,a1,a2x,a\xff\xff,b,\xff", 1), "status Completed");
	ok(list_is(s, &f, 3, "A1,a1,a2x,a\xff\xff,b,\xff", 2),
	   "status filter: the last full page reports no more");
	ok(list_is(s, &f, 4, "A1,a1,a2x,a\xff\xff,b,\xff", 2), "status filter, top 4");
	f.statuses |= RT_STORE_STATUS_BIT(RT_ST_FAILED) | RT_STORE_STATUS_BIT(RT_ST_TERMINATED);
	f.prefix = "a";
	ok(list_is(s, &f, 2, "a1,a2,a2x,a\xff,a\xff\xff", 3), "status set and prefix");

	rt_store_filter_init(&f);
	f.created_from = 300;
	f.created_to = 600;
	ok(list_is(s, &f, 100, "a1,a2,a2x,a\xff", 1), "created range, inclusive on both ends");
	f.created_from = 301;
	f.created_to = 599;
	ok(list_is(s, &f, 100, "a2,a2x", 1), "created range, exclusive just inside");
	f.created_from = 5000;
	f.created_to = INT64_MAX;
	ok(list_is(s, &f, 100, "", 1), "created after everything");

	/* Continuation before the prefix range starts at the prefix. */
	rt_store_filter_init(&f);
	f.prefix = "b";
	rt_store_instance_list(s, &f, "A1", 100, &rows, &n, &next, &arena);
	ok(n == 2 && strcmp(rows[0].instance_id, "b") == 0 && !next, "after < prefix");
	rt_store_instance_list(s, &f, "zz", 100, &rows, &n, &next, &arena);
	ok(n == 0 && !next, "after beyond the prefix range");

	/* Full rows, with or without input. */
	rt_store_filter_init(&f);
	f.prefix = "a1";
	rt_store_instance_list(s, &f, NULL, 10, &rows, &n, &next, &arena);
	ok(n == 1 && strcmp(rows[0].name, "hello_seq") == 0 && rows[0].created_us == 300 &&
	   rows[0].status == RT_ST_COMPLETED && strcmp(rows[0].input, "{\"city\":\"Tokyo\"}") == 0,
	   "full rows");
	f.skip_input = 1;
	rt_store_instance_list(s, &f, NULL, 10, &rows, &n, &next, &arena);
	ok(n == 1 && rows[0].input == NULL && rows[0].name && rows[0].execution_id,
	   "skip_input leaves input NULL");
	rt_store_close(s);
}

/* A sparse filter over more rows than one call examines. */
static void test_list_budget(void)
{
	struct rt_store *s = fresh_store();
	struct rt_store_filter f;
	struct rt_instance *rows;
	const char *next;
	size_t n;
	char id[32];
	if (!s)
		return;
	rt_store_begin(s);
	for (int i = 0; i < 6000; i++) {
		snprintf(id, sizeof(id), "i%05d", i);
		enum rt_status st = i == 5999 ? RT_ST_FAILED : RT_ST_COMPLETED;
		struct rt_instance in = make_instance(id, st, i);
		rt_store_instance_put(s, &in, 0);
	}
	rt_store_commit(s);
	rt_store_filter_init(&f);
	f.statuses = RT_STORE_STATUS_BIT(RT_ST_FAILED);
	is_int(rt_store_instance_list(s, &f, NULL, 10, &rows, &n, &next, &arena), 0, "first call");
	ok(n == 0 && next && strcmp(next, "i04095") == 0,
	   "budget spent: empty page with a continuation (%s)", next ? next : "NULL");
	rt_store_instance_list(s, &f, next, 10, &rows, &n, &next, &arena);
	ok(n == 1 && strcmp(rows[0].instance_id, "i05999") == 0 && !next,
	   "second call finds the match and ends");
	/* Budget spent exactly on the last row: no false "more". */
	rt_store_instance_list(s, &f, "i01903", 10, &rows, &n, &next, &arena);
	ok(n == 1 && !next, "budget ending on the last row reports no more");
	f.statuses = 0;
	f.prefix = "i0";
	rt_store_instance_list(s, &f, "i01903", 1000, &rows, &n, &next, &arena);
	ok(n == 1000 && next && strcmp(next, "i02903") == 0, "page of 1000");
	rt_store_instance_list(s, &f, "i05903", 1000, &rows, &n, &next, &arena);
	ok(n == 96 && !next, "last 96 rows, no more");
	rt_store_close(s);
}

static void test_purge_many(void)
{
	struct rt_store *s = fixture_store();
	struct rt_store_filter f;
	int64_t deleted = -1;
	char got[1024];
	int shorts;
	if (!s)
		return;
	/* Give every instance history, inbox and activity rows. */
	rt_store_begin(s);
	for (size_t i = 0; i < NFIX; i++) {
		struct rt_history_row h = { 0, 0, 1, "h", 1 };
		struct rt_inbox_msg m = { .instance_id = fixture[i].id, .data = "m", .len = 1 };
		struct rt_activity a = {
			.instance_id = fixture[i].id, .execution_id = "e", .name = "n",
		};
		rt_store_history_append(s, fixture[i].id, "e", &h, 1);
		rt_store_inbox_add(s, &m, NULL);
		rt_store_activity_add(s, &a, NULL);
	}

	rt_store_filter_init(&f);
	f.created_from = 300;
	f.created_to = 900;
	f.statuses = RT_STORE_STATUS_BIT(RT_ST_COMPLETED) | RT_STORE_STATUS_BIT(RT_ST_FAILED) |
		     RT_STORE_STATUS_BIT(RT_ST_TERMINATED) | RT_STORE_STATUS_BIT(RT_ST_CANCELED);
	is_int(rt_store_purge(s, &f, 2, &deleted), 0, "purge with a limit");
	is_int(deleted, 2, "two purged");
	is_int(rt_store_purge(s, &f, 0, &deleted), 0, "purge the rest");
	is_int(deleted, 4, "four more (a1 a2 a2x a\\xff a\\xff\\xff b minus two)");
	is_int(rt_store_purge(s, &f, 0, &deleted), 0, "nothing left to purge");
	is_int(deleted, 0, "zero");
	rt_store_commit(s);

	rt_store_filter_init(&f);
	list_all(s, &f, 100, got, sizeof(got), &shorts);
	is_str(got, "A1,a,a\xff\xff" "b,b\xc3\xa9,\xff,\xff\xff",
	       "out-of-range and non-terminal instances kept");
	struct rt_store_stats st = stats_of(s);
	ok(st.instances == 6 && st.history == 6 && st.inbox == 6 && st.activities == 6,
	   "their rows in every table went with them");

	/* No status set: any status; prefix honoured. */
	rt_store_begin(s);
	rt_store_filter_init(&f);
	f.prefix = "\xff";
	rt_store_purge(s, &f, 0, &deleted);
	is_int(deleted, 2, "prefix purge, any status");
	rt_store_commit(s);
	is_int(stats_of(s).instances, 4, "four left");
	rt_store_close(s);
}

/* A writer and a read-only handle on one file. */
static void test_two_handles(void)
{
	struct rt_store *w, *r;
	struct rt_store_filter f;
	struct rt_instance *rows, got;
	const char *next;
	char after[64] = "";
	size_t n, seen = 0;
	int busy = -1, never_busy = 1, pages = 0;
	char id[32];
	char *err = NULL;

	if (in_memory)
		return;
	w = fresh_store();
	if (!w)
		return;
	if (!ok(rt_store_open_readonly(&r, last_path, &err) == 0, "read-only handle: %s",
		err ? err : "")) {
		free(err);
		rt_store_close(w);
		return;
	}
	rt_store_begin(w);
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "r%05d", i);
		struct rt_instance in = make_instance(id, RT_ST_COMPLETED, i);
		rt_store_instance_put(w, &in, 0);
	}
	rt_store_commit(w);
	is_int(rt_store_instance_get(r, "r00042", &got, &arena), 0, "reader sees the commit");

	/* An open write transaction neither blocks nor leaks into the reader. */
	rt_store_begin(w);
	struct rt_instance extra = make_instance("r99999", RT_ST_RUNNING, 1);
	rt_store_instance_put(w, &extra, 0);
	is_int(rt_store_instance_get(r, "r99999", &got, &arena), RT_E_NOTFOUND,
	       "uncommitted row invisible to the reader");
	rt_store_filter_init(&f);
	is_int(rt_store_instance_list(r, &f, "r02990", 100, &rows, &n, &next, &arena), 0,
	       "reader lists while the writer holds the lock");
	is_int(n, 9, "committed rows only");
	/* A second writer waits for the busy timeout, then gives up. */
	struct rt_store_opts quick = { .busy_timeout_ms = 50 };
	struct rt_store *w2;
	if (rt_store_open(&w2, last_path, &quick, NULL) == 0) {
		int64_t t0 = rt_mono_us();
		is_int(rt_store_begin(w2), RT_E_BUSY, "second writer: RT_E_BUSY");
		ok(rt_mono_us() - t0 >= 40000, "after waiting for the busy timeout");
		ok(strstr(rt_store_errmsg(w2), "locked") != NULL, "message: %s",
		   rt_store_errmsg(w2));
		ok(!rt_store_in_transaction(w2), "no transaction left open");
		rt_store_close(w2);
	}
	rt_store_commit(w);

	/* Between pages the writer commits and checkpoints: a reader holding a
	 * snapshot across pages would keep frames from being copied. */
	do {
		if (rt_store_instance_list(r, &f, after[0] ? after : NULL, 50, &rows, &n, &next,
					   &arena) != 0)
			break;
		seen += n;
		/* The token outlives the arena reset below. */
		snprintf(after, sizeof(after), "%s", next ? next : "");
		pages++;
		rt_store_begin(w);
		snprintf(id, sizeof(id), "w%05d", pages);
		struct rt_instance in = make_instance(id, RT_ST_RUNNING, 1);
		rt_store_instance_put(w, &in, 0);
		rt_store_commit(w);
		if (rt_store_checkpoint(w, &busy) != 0 || busy)
			never_busy = 0;
		rt_arena_reset(&arena);
	} while (next);
	ok(never_busy, "every checkpoint between pages completed");
	ok(seen >= 3001, "paged through everything (%zu rows, %d pages)", seen, pages);

	/* Control: a reader that does hold a snapshot makes the check fail. */
	sqlite3 *raw;
	sqlite3_stmt *st;
	sqlite3_open_v2(last_path, &raw, SQLITE_OPEN_READONLY, NULL);
	sqlite3_prepare_v2(raw, "SELECT instance_id FROM instances", -1, &st, NULL);
	sqlite3_step(st);
	rt_store_begin(w);
	rt_store_instance_put(w, &extra, 1);
	rt_store_commit(w);
	rt_store_checkpoint(w, &busy);
	is_int(busy, 1, "control: a held snapshot blocks the checkpoint");
	sqlite3_finalize(st);
	sqlite3_close(raw);

	is_int(rt_store_begin(r), RT_ERROR, "read-only handle cannot write");
	ok(strstr(rt_store_errmsg(r), "read-only") != NULL, "message: %s", rt_store_errmsg(r));
	rt_store_close(r);
	rt_store_close(w);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	for (in_memory = 0; in_memory < 2; in_memory++) {
		printf("# ---- on %s\n", in_memory ? ":memory:" : "a file");
		subtest("list", test_list);
		subtest("list budget", test_list_budget);
		subtest("purge many", test_purge_many);
		subtest("writer and reader", test_two_handles);
		rt_arena_reset(&arena);
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
