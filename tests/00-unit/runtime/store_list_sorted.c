/*
 * Unit tests for runtime/store_list_sorted.c: every sort order, both
 * directions, paged at several sizes across ties on the sort value, against
 * the order computed here; the filters combined; a position whose row was
 * deleted meanwhile; a sparse filter under the row budget; bad input.
 */
#include "store_util.h"

#include <stdint.h>

#include "common/xalloc.h"

static struct rt_arena arena;

#define NFIX 60
static const char *const names[] = {"Alpha", "alpha_two", "beta", "Beta"};
static const enum rt_status statuses[] = {RT_ST_COMPLETED, RT_ST_RUNNING, RT_ST_FAILED,
					  RT_ST_COMPLETED, RT_ST_PENDING};

/* One instance of the fixture, and its iid (the order of insertion). */
struct fix {
	char id[16];
	const char *name;
	enum rt_status status;
	int64_t created, updated, iid;
};
static struct fix fx[NFIX];

/* Ids inserted in a scrambled order, so that creation order (the tie
 * order) is neither id order nor any sort value's order; few distinct
 * values, so every order has long runs of ties. */
static struct rt_store *fixture_store(void)
{
	struct rt_store *s = fresh_store();
	if (!s)
		return NULL;
	rt_store_begin(s);
	for (int k = 0; k < NFIX; k++) {
		int i = (k * 37) % NFIX; /* 37 is prime to 60: a permutation */
		struct fix *x = &fx[k];
		struct rt_instance in;
		snprintf(x->id, sizeof(x->id), "%c%02d", i % 2 ? 'b' : 'a', i);
		x->name = names[i % 4];
		x->status = statuses[i % 5];
		x->created = 1000 + i % 7;
		x->updated = x->created + (i % 3) * 10;
		x->iid = k + 1;
		in = make_instance(x->id, x->status, x->created);
		in.name = x->name;
		in.updated_us = x->updated;
		in.custom_status = "\"cs\"";
		rt_store_instance_put(s, &in, 0);
	}
	/* An entity row: never listed. */
	struct rt_instance ent = make_instance("@counter@k", RT_ST_RUNNING, 1003);
	ent.name = "Alpha";
	rt_store_instance_put(s, &ent, 0);
	rt_store_commit(s);
	return s;
}

static enum rt_store_sort cur_sort;
static int cur_desc;

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int fix_cmp(const void *pa, const void *pb)
{
	const struct fix *a = pa, *b = pb;
	int c = 0;
	switch (cur_sort) {
	case RT_SORT_ID: c = strcmp(a->id, b->id); break;
	case RT_SORT_CREATED: c = cmp_i64(a->created, b->created); break;
	case RT_SORT_UPDATED: c = cmp_i64(a->updated, b->updated); break;
	case RT_SORT_NAME: c = strcmp(a->name, b->name); break;
	case RT_SORT_STATUS: c = cmp_i64(a->status, b->status); break;
	default: break;
	}
	if (!c)
		c = cmp_i64(a->iid, b->iid);
	return cur_desc ? -c : c;
}

static int fix_match(const struct fix *x, const struct rt_store_filter *f)
{
	return (!f->statuses || (f->statuses & RT_STORE_STATUS_BIT(x->status))) &&
	       x->created >= f->created_from && x->created <= f->created_to &&
	       (!f->prefix || strncmp(x->id, f->prefix, strlen(f->prefix)) == 0) &&
	       (!f->name_prefix || strncasecmp(x->name, f->name_prefix, strlen(f->name_prefix)) == 0);
}

/* The ids `f` selects in the order (sort, desc), joined with ','. */
static void expected(const struct rt_store_filter *f, enum rt_store_sort sort, int desc, char *out,
		     size_t cap)
{
	struct fix sorted[NFIX];
	memcpy(sorted, fx, sizeof(fx));
	cur_sort = sort;
	cur_desc = desc;
	qsort(sorted, NFIX, sizeof(sorted[0]), fix_cmp);
	out[0] = '\0';
	for (int i = 0; i < NFIX; i++) {
		if (!fix_match(&sorted[i], f))
			continue;
		if (out[0])
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, sorted[i].id, cap - strlen(out) - 1);
	}
}

/* Pages through the listing; the ids joined with ','. *pages gets the page
 * count, *bad the pages that came back short or empty before the last. */
static int list_all(struct rt_store *s, const struct rt_store_filter *f, enum rt_store_sort sort,
		    int desc, size_t top, char *out, size_t cap, int *pages, int *shorts)
{
	struct rt_store_keyset at, next;
	const struct rt_store_keyset *after = NULL;
	out[0] = '\0';
	*pages = 0;
	*shorts = 0;
	for (;;) {
		struct rt_instance *rows;
		size_t n;
		int more;
		if (rt_store_instance_list_sorted(s, f, sort, desc, after, top, &rows, &n, &next, &more,
						  &arena) != 0) {
			printf("# list: %s\n", rt_store_errmsg(s));
			return -1;
		}
		(*pages)++;
		for (size_t i = 0; i < n; i++) {
			if (out[0])
				strncat(out, ",", cap - strlen(out) - 1);
			strncat(out, rows[i].instance_id, cap - strlen(out) - 1);
			if (!rows[i].custom_status || strcmp(rows[i].custom_status, "\"cs\"") != 0)
				return -1;
		}
		if (!more)
			return 0;
		if (n < top)
			(*shorts)++;
		at = next;
		after = &at;
		if (*pages > 1000)
			return -1;
	}
}

static const char *const sort_names[RT_SORT__COUNT] = {"id", "created", "updated", "name",
						       "status"};

static void test_orders(void)
{
	struct rt_store *s = fixture_store();
	struct rt_store_filter f;
	static const size_t tops[] = {1, 4, 7, 59, 60, 100};
	char want[1024], got[1024];
	if (!s)
		return;
	rt_store_filter_init(&f);
	for (int sort = 0; sort < RT_SORT__COUNT; sort++) {
		for (int desc = 0; desc < 2; desc++) {
			int good = 1;
			expected(&f, (enum rt_store_sort)sort, desc, want, sizeof(want));
			for (size_t t = 0; t < sizeof(tops) / sizeof(tops[0]); t++) {
				int pages, shorts;
				size_t wantp = (NFIX + tops[t] - 1) / tops[t];
				if (list_all(s, &f, (enum rt_store_sort)sort, desc, tops[t], got,
					     sizeof(got), &pages, &shorts) != 0 ||
				    strcmp(got, want) != 0 || (size_t)pages != wantp || shorts) {
					printf("#   top %zu: got \"%s\" in %d pages (%d short)\n#   want "
					       "\"%s\" in %zu\n",
					       tops[t], got, pages, shorts, want, wantp);
					good = 0;
				}
			}
			ok(good, "sort %s %s: every page size gives each instance once, in order, ties "
				 "in creation order, the entity left out",
			   sort_names[sort], desc ? "desc" : "asc");
		}
	}
	rt_store_close(s);
}

static void test_filters(void)
{
	struct rt_store *s = fixture_store();
	struct rt_store_filter f;
	char want[1024], got[1024];
	int pages, shorts;
	if (!s)
		return;
	rt_store_filter_init(&f);
	f.statuses = RT_STORE_STATUS_BIT(RT_ST_COMPLETED) | RT_STORE_STATUS_BIT(RT_ST_FAILED);
	f.created_from = 1001;
	f.created_to = 1005;
	f.prefix = "a";
	f.name_prefix = "ALPHA";
	for (int sort = 0; sort < RT_SORT__COUNT; sort++) {
		for (int desc = 0; desc < 2; desc++) {
			expected(&f, (enum rt_store_sort)sort, desc, want, sizeof(want));
			int rc = list_all(s, &f, (enum rt_store_sort)sort, desc, 2, got, sizeof(got),
					  &pages, &shorts);
			ok(rc == 0 && strcmp(got, want) == 0 && want[0],
			   "sort %s %s: statuses, created range, id prefix and a name prefix in another "
			   "case, combined (%s)",
			   sort_names[sort], desc ? "desc" : "asc", got);
		}
	}
	rt_store_filter_init(&f);
	f.name_prefix = "alpha_";
	expected(&f, RT_SORT_NAME, 0, want, sizeof(want));
	list_all(s, &f, RT_SORT_NAME, 0, 3, got, sizeof(got), &pages, &shorts);
	is_str(got, want, "the name filter is a prefix: alpha_ leaves Alpha out");
	f.name_prefix = "zeta";
	list_all(s, &f, RT_SORT_CREATED, 1, 3, got, sizeof(got), &pages, &shorts);
	ok(got[0] == '\0' && pages == 1, "a name nobody has: one empty page, no more");
	rt_store_filter_init(&f);
	f.prefix = "b1";
	for (int desc = 0; desc < 2; desc++) {
		expected(&f, RT_SORT_ID, desc, want, sizeof(want));
		list_all(s, &f, RT_SORT_ID, desc, 1, got, sizeof(got), &pages, &shorts);
		ok(strcmp(got, want) == 0 && pages == 5 && !shorts,
		   "id order %s with a prefix walks the prefix's range only (%s)",
		   desc ? "desc" : "asc", got);
	}
	rt_store_close(s);
}

/* A page goes on after its last row even when that row is gone. */
static void test_deleted_position(void)
{
	struct rt_store *s = fixture_store();
	struct rt_store_filter f;
	struct rt_store_keyset next;
	struct rt_instance *rows;
	size_t n;
	int more;
	char want[1024], got[1024] = "";
	if (!s)
		return;
	rt_store_filter_init(&f);
	expected(&f, RT_SORT_STATUS, 1, want, sizeof(want));
	rt_store_instance_list_sorted(s, &f, RT_SORT_STATUS, 1, NULL, 10, &rows, &n, &next, &more,
				      &arena);
	for (size_t i = 0; i < n; i++) {
		strcat(got, got[0] ? "," : "");
		strcat(got, rows[i].instance_id);
	}
	rt_store_begin(s);
	rt_store_instance_delete(s, rows[n - 1].instance_id);
	rt_store_commit(s);
	rt_store_instance_list_sorted(s, &f, RT_SORT_STATUS, 1, &next, 100, &rows, &n, &next, &more,
				      &arena);
	for (size_t i = 0; i < n; i++) {
		strcat(got, ",");
		strcat(got, rows[i].instance_id);
	}
	is_str(got, want, "deleting the last row of a page leaves no gap and no repeat after it");
	rt_store_close(s);
}

/* 5,000 rows that do not match ahead of one that does: the budget ends
 * the first call early, with a place to go on from. */
static void test_budget(void)
{
	struct rt_store *s = fresh_store();
	struct rt_store_filter f;
	struct rt_store_keyset next;
	const struct rt_store_keyset *after = NULL;
	struct rt_instance *rows;
	size_t n, total = 0;
	int more = 1, calls = 0, first_n = -1;
	if (!s)
		return;
	rt_store_begin(s);
	for (int i = 0; i < 5000; i++) {
		char id[16];
		snprintf(id, sizeof(id), "r%05d", i);
		struct rt_instance in = make_instance(id, RT_ST_COMPLETED, 10 + i);
		rt_store_instance_put(s, &in, 0);
	}
	struct rt_instance last = make_instance("z", RT_ST_FAILED, 999999);
	rt_store_instance_put(s, &last, 0);
	rt_store_commit(s);
	rt_store_filter_init(&f);
	f.statuses = RT_STORE_STATUS_BIT(RT_ST_FAILED);
	while (more && calls < 10) {
		if (rt_store_instance_list_sorted(s, &f, RT_SORT_CREATED, 0, after, 10, &rows, &n,
						  &next, &more, &arena) != 0)
			break;
		if (calls++ == 0)
			first_n = (int)n;
		total += n;
		after = &next;
	}
	is_int(first_n, 0, "the first call spends its budget on rows that do not match: empty page");
	ok(calls == 2 && total == 1 && !more, "the next call finds the match and ends (%d calls)",
	   calls);
	rt_store_close(s);
}

static void test_bad_input(void)
{
	struct rt_store *s = fixture_store();
	struct rt_store_filter f;
	struct rt_store_keyset next;
	struct rt_instance *rows;
	size_t n;
	int more;
	if (!s)
		return;
	rt_store_filter_init(&f);
	is_int(rt_store_instance_list_sorted(s, &f, RT_SORT__COUNT, 0, NULL, 10, &rows, &n, &next,
					     &more, &arena),
	       RT_E_INVALID, "an unknown sort order is refused");
	is_int(rt_store_instance_list_sorted(s, &f, RT_SORT_NAME, 0, NULL, 0, &rows, &n, &next,
					     &more, &arena),
	       0, "top 0 is taken as 1");
	ok(n == 1 && more, "… one row and more to come");
	rt_store_close(s);
}

/* A schema-5 hub gets the name and last-update indexes when it opens. */
static void test_upgrade(void)
{
	struct rt_store *s = fresh_store();
	char *err = NULL;
	if (!s || in_memory) {
		if (s)
			rt_store_close(s);
		return;
	}
	rt_store_close(s);
	ok(raw_exec(last_path, "DROP INDEX instances_name; DROP INDEX instances_updated;"
			       " PRAGMA user_version = 5;") == 0,
	   "make a schema-5 file");
	ok(rt_store_open(&s, last_path, NULL, &err) == 0, "it opens (%s)", err ? err : "");
	free(err);
	rt_store_close(s);
	is_int(peek_int(last_path, "PRAGMA user_version"), RT_STORE_SCHEMA_VERSION, "… upgraded");
	is_int(peek_int(last_path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND"
				   " name IN ('instances_name', 'instances_updated')"),
	       2, "… with both indexes");
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	for (in_memory = 0; in_memory < 2; in_memory++) {
		printf("# ---- on %s\n", in_memory ? ":memory:" : "a file");
		subtest("orders", test_orders);
		subtest("filters", test_filters);
		subtest("deleted position", test_deleted_position);
		subtest("budget", test_budget);
		subtest("bad input", test_bad_input);
		subtest("upgrade", test_upgrade);
		rt_arena_reset(&arena);
	}
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
