/*
 * Unit tests for the store's write paths that pick narrower or grouped
 * statements for speed (store.c, store_rows.c): the instance update that
 * names status and created_us only when they change, and history appends
 * four rows to a statement. Each runs on a file and in memory.
 */
#include "store_util.h"

#include <stdint.h>

static struct rt_arena arena;

/* ---- the checkpoint update's three statements ---------------------------- */

/* The update names status and created_us only when they change (store.c):
 * each of the four combinations must still land every column, and the
 * status and creation-time listings must see the new values. */
static void test_instance_update_paths(void)
{
	struct rt_store *s = fresh_store();
	struct rt_instance in = make_instance("u", RT_ST_PENDING, 1000), got;
	struct {
		const char *what;
		enum rt_status status;
		int64_t created_us;
	} steps[] = {
		{"status and created kept", RT_ST_PENDING, 1000},
		{"status changed, created kept", RT_ST_RUNNING, 1000},
		{"status kept, created changed", RT_ST_RUNNING, 2000},
		{"both changed", RT_ST_COMPLETED, 3000},
	};
	if (!s)
		return;
	rt_store_begin(s);
	is_int(rt_store_instance_put(s, &in, 0), 0, "insert");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char out[16];
		snprintf(out, sizeof(out), "%zu", i);
		in.status = steps[i].status;
		in.created_us = steps[i].created_us;
		in.updated_us = 5000 + (int64_t)i;
		in.history_len = 10 + (int)i;
		in.output = out;
		is_int(rt_store_instance_update(s, &in), 0, "update: %s", steps[i].what);
		is_int(rt_store_instance_get(s, "u", &got, &arena), 0, "… read back");
		ok(got.status == steps[i].status && got.created_us == steps[i].created_us &&
		   got.updated_us == 5000 + (int64_t)i && got.history_len == 10 + (int)i &&
		   got.output && strcmp(got.output, out) == 0,
		   "… every column as written (status %d, created %lld, output %s)", (int)got.status,
		   (long long)got.created_us, got.output ? got.output : "NULL");
	}
	rt_store_commit(s);
	/* The status index follows the row: it counts it under its last
	 * status only. */
	int64_t counts[RT_STORE_STATUS_SLOTS], other = 0;
	is_int(rt_store_count_by_status(s, counts, &other), 0, "counts by status");
	ok(counts[RT_ST_COMPLETED] == 1 && counts[RT_ST_RUNNING] == 0 &&
	   counts[RT_ST_PENDING] == 0, "… the status index has the final status only");
	rt_store_close(s);
}

/* ---- history in groups --------------------------------------------------- */

/* Appends go four rows to a statement (store_rows.c): any count must land
 * every row in order, and a collision anywhere in a group of four writes
 * none of that group. */
static void test_history_groups(void)
{
	struct rt_store *s = fresh_store();
	struct rt_history_row in[11], *rows;
	char data[11][8];
	size_t n;
	if (!s)
		return;
	for (int i = 0; i < 11; i++) {
		snprintf(data[i], sizeof(data[i]), "row%d", i);
		in[i] = (struct rt_history_row){i, i % 7, 100 + i, data[i], strlen(data[i])};
	}
	struct rt_instance inst = make_instance("g", RT_ST_RUNNING, 1);
	rt_store_begin(s);
	rt_store_instance_put(s, &inst, 0);
	/* 1, 4, then 6 (a group of four and two alone): 11 rows. */
	is_int(rt_store_history_append(s, "g", "e", &in[0], 1), 0, "append one row");
	is_int(rt_store_history_append(s, "g", "e", &in[1], 4), 0, "append four rows");
	is_int(rt_store_history_append(s, "g", "e", &in[5], 6), 0, "append six rows");
	rt_store_commit(s);
	is_int(rt_store_history_load(s, "g", "e", &rows, &n, &arena), 0, "load");
	is_int((int)n, 11, "every row is there");
	int same = n == 11;
	for (size_t i = 0; i < n && same; i++)
		same = rows[i].seq == (int)i && rows[i].type == (int)i % 7 &&
		       rows[i].timestamp_us == 100 + (int64_t)i && rows[i].len == strlen(data[i]) &&
		       memcmp(rows[i].data, data[i], rows[i].len) == 0;
	ok(same, "in order, each with its own type, time and data");

	/* Seq 9 and 10 exist: a group of four starting at 7 collides in its
	 * third row. */
	struct rt_history_row more[4];
	for (int i = 0; i < 4; i++)
		more[i] = (struct rt_history_row){11 + i - 4, 3, 999, "new", 3};
	rt_store_begin(s);
	is_int(rt_store_history_append(s, "g", "e", more, 4), RT_E_CONFLICT,
	       "a group that collides fails");
	rt_store_commit(s);
	is_int(rt_store_history_load(s, "g", "e", &rows, &n, &arena), 0, "load again");
	ok(n == 11 && rows[7].timestamp_us == 107 && rows[8].timestamp_us == 108,
	   "none of the group's rows was written, the old ones kept");
	rt_store_close(s);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	for (in_memory = 0; in_memory < 2; in_memory++) {
		printf("# ---- on %s\n", in_memory ? ":memory:" : "a file");
		subtest("instance update paths", test_instance_update_paths);
		subtest("history in groups", test_history_groups);
		rt_arena_reset(&arena);
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
