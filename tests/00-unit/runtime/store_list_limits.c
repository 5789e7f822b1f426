/*
 * Unit tests for the size limits of the store's listing (store_query.c):
 * payloads over payload_max are left out (and flagged) without being read,
 * the ones under it come back byte for byte, and a page ends early once its
 * payload bytes reach page_bytes, with a continuation that skips nothing.
 */
#include "store_util.h"

#include <stdint.h>

#include "common/xalloc.h"

static struct rt_arena arena;

#define BIG (3 * 1024 * 1024)
#define LIMIT (64 * 1024)

static char *filled(size_t n, char c)
{
	char *s = xmalloc(n + 1);
	memset(s, c, n);
	s[0] = '"';
	s[n - 1] = '"';
	s[n] = '\0';
	return s;
}

/* Ten instances "i0".."i9"; i3 has a BIG input, i5 a BIG output, i7 a BIG
 * custom status; i4's input is exactly LIMIT bytes; the others are small. */
static struct rt_store *limits_store(char *big, char *at_limit)
{
	struct rt_store *s = fresh_store();
	if (!s)
		return NULL;
	rt_store_begin(s);
	for (int i = 0; i < 10; i++) {
		char id[8];
		snprintf(id, sizeof(id), "i%d", i);
		struct rt_instance in = make_instance(id, RT_ST_COMPLETED, 100 + i);
		in.output = "\"done\"";
		if (i == 3)
			in.input = big;
		if (i == 4)
			in.input = at_limit;
		if (i == 5)
			in.output = big;
		if (i == 7)
			in.custom_status = big;
		if (rt_store_instance_put(s, &in, 0) != 0)
			ok(0, "put %s: %s", id, rt_store_errmsg(s));
	}
	rt_store_commit(s);
	return s;
}

static void test_payload_max(void)
{
	char *big = filled(BIG, 'x'), *at_limit = filled(LIMIT, 'y');
	struct rt_store *s = limits_store(big, at_limit);
	struct rt_store_filter f;
	struct rt_instance *rows;
	const char *next;
	size_t n;

	if (!s)
		goto out;
	rt_store_filter_init(&f);
	f.payload_max = LIMIT;
	ok(rt_store_instance_list(s, &f, NULL, 100, &rows, &n, &next, &arena) == 0 && n == 10 &&
		   !next,
	   "one page of ten with payload_max");
	if (n != 10)
		goto out_store;
	ok(rows[3].input == rt_store_payload_omitted, "an input over the limit is left out");
	ok(strcmp(rows[3].output, "\"done\"") == 0 && rows[3].name && rows[3].execution_id,
	   "… the rest of that row is there");
	ok(rows[4].input != rt_store_payload_omitted && strcmp(rows[4].input, at_limit) == 0,
	   "an input of exactly the limit is read, byte for byte");
	ok(rows[5].output == rt_store_payload_omitted && strcmp(rows[5].input, "{\"city\":\"Tokyo\"}") == 0,
	   "a large output is left out, its small input kept");
	ok(rows[7].custom_status == rt_store_payload_omitted, "a large custom status is left out");
	ok(rows[0].custom_status == NULL && rows[0].input && strcmp(rows[0].output, "\"done\"") == 0,
	   "NULL payloads stay NULL, small ones are read");
	ok(strcmp(rows[6].instance_id, "i6") == 0 && rows[6].created_us == 106 &&
		   rows[6].updated_us == 107 && rows[6].status == RT_ST_COMPLETED &&
		   rows[6].parent_task_id == -1 && !rows[6].parent_instance_id,
	   "the other columns are read as rt_store_instance_get reads them");

	rt_store_filter_init(&f);
	ok(rt_store_instance_list(s, &f, NULL, 100, &rows, &n, &next, &arena) == 0 && n == 10 &&
		   strcmp(rows[3].input, big) == 0 && strcmp(rows[5].output, big) == 0 &&
		   strcmp(rows[7].custom_status, big) == 0,
	   "payload_max 0: every payload is read in full");

	f.skip_input = 1;
	f.payload_max = LIMIT;
	ok(rt_store_instance_list(s, &f, NULL, 100, &rows, &n, &next, &arena) == 0 && n == 10 &&
		   rows[3].input == NULL && rows[4].input == NULL && rows[5].output == rt_store_payload_omitted,
	   "skip_input leaves every input NULL, large or not");
out_store:
	rt_store_close(s);
out:
	free(big);
	free(at_limit);
	rt_arena_reset(&arena);
}

static void test_page_bytes(void)
{
	char *big = filled(BIG, 'x'), *at_limit = filled(LIMIT, 'y');
	struct rt_store *s = limits_store(big, at_limit);
	struct rt_store_filter f;
	struct rt_instance *rows;
	const char *after = NULL, *next;
	char seen[128] = "";
	int pages = 0, first_short = 0;
	size_t n;

	if (!s)
		goto out;
	/* No payload_max: i3's BIG input alone is over the page budget. */
	rt_store_filter_init(&f);
	f.page_bytes = 1024 * 1024;
	do {
		if (rt_store_instance_list(s, &f, after, 100, &rows, &n, &next, &arena) != 0) {
			ok(0, "list: %s", rt_store_errmsg(s));
			break;
		}
		if (pages == 0)
			first_short = n == 4 && next && strcmp(next, "i3") == 0;
		for (size_t i = 0; i < n; i++) {
			strcat(seen, rows[i].instance_id);
			strcat(seen, ",");
		}
		after = next;
		pages++;
	} while (next && pages < 20);
	ok(first_short, "the first page ends after the row that passes the budget (i0..i3)");
	is_str(seen, "i0,i1,i2,i3,i4,i5,i6,i7,i8,i9,", "following next lists every instance once");
	ok(pages == 4, "one page per budget overrun: %d pages", pages);

	/* With payload_max too, the large payloads do not count (not read). */
	f.payload_max = LIMIT;
	ok(rt_store_instance_list(s, &f, NULL, 100, &rows, &n, &next, &arena) == 0 && n == 10 &&
		   !next,
	   "large payloads left out do not use up the page budget");
	rt_store_close(s);
out:
	free(big);
	free(at_limit);
	rt_arena_reset(&arena);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	for (in_memory = 0; in_memory < 2; in_memory++) {
		printf("# ---- on %s\n", in_memory ? ":memory:" : "a file");
		subtest("payload_max", test_payload_max);
		subtest("page_bytes", test_page_bytes);
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
