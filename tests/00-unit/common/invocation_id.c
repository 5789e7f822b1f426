/*
 * invocation_id.c - unit tests for common/invocation_id.c: the console's
 * id shape (lowercase 8-4-4-4-12, version 4, RFC 4122 variant), no repeat
 * in 100,000 ids, and threads that do not share a sequence.
 */
#include "common/invocation_id.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define N 100000

static int shaped(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!strchr("0123456789abcdef", s[i])) {
			return 0;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static int cmp(const void *a, const void *b)
{
	return memcmp(a, b, 37);
}

static void test_shape_and_uniqueness(void)
{
	char (*ids)[37] = malloc(sizeof(*ids) * N);
	int bad = 0, dup = 0;
	for (int i = 0; i < N; i++) {
		memset(ids[i], 'x', 37);
		rt_invocation_id(ids[i]);
		bad += !shaped(ids[i]);
	}
	is_int(bad, 0, "every id is a lowercase version-4 GUID (%s)", ids[0]);
	qsort(ids, N, sizeof(*ids), cmp);
	for (int i = 1; i < N; i++)
		dup += memcmp(ids[i - 1], ids[i], 37) == 0;
	is_int(dup, 0, "no id repeats in %d", N);
	free(ids);
}

static void *one_id(void *out)
{
	rt_invocation_id(out);
	return NULL;
}

static void test_threads(void)
{
	char a[37], b[37], mine[37];
	pthread_t ta, tb;
	pthread_create(&ta, NULL, one_id, a);
	pthread_create(&tb, NULL, one_id, b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	rt_invocation_id(mine);
	ok(shaped(a) && shaped(b), "ids from new threads are well formed");
	ok(strcmp(a, b) != 0 && strcmp(a, mine) != 0 && strcmp(b, mine) != 0,
	   "the first id of each thread differs: each seeds its own state");
}

int main(void)
{
	subtest("shape and uniqueness", test_shape_and_uniqueness);
	subtest("threads", test_threads);
	return done_testing();
}
