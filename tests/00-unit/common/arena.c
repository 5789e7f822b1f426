/*
 * arena.c - unit tests for common/arena.c: formatted strings whether they
 * fit the current chunk or not (one pass into the chunk, or measured
 * first), alignment and independence of what follows, reuse of chunks
 * across resets up to the kept limit.
 */
#include "common/arena.h"
#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void test_fmt(void)
{
	struct rt_arena a;
	char big[20000];

	rt_arena_init(&a);
	is_str(rt_arena_fmt(&a, "%d-%s", 42, "x"), "42-x", "format into a fresh arena");
	char *s1 = rt_arena_fmt(&a, "item-%d", 7);
	char *s2 = rt_arena_fmt(&a, "%s", "next");
	is_str(s1, "item-7", "the first string");
	is_str(s2, "next", "the second does not overwrite it");
	ok(((uintptr_t)s2 & 15) == 0, "each string starts 16-byte aligned");
	is_str(rt_arena_fmt(&a, "%s", ""), "", "an empty result");

	/* Fill the chunk until only a few bytes are left, then format
	 * something longer: it must be measured and placed elsewhere whole. */
	for (char *prev = rt_arena_alloc(&a, 16), *p;; prev = p) {
		p = rt_arena_alloc(&a, 16);
		if (p != prev + 16)
			break; /* a new chunk started */
	}
	rt_arena_alloc(&a, 8192 - 32); /* and nearly filled it */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *b = rt_arena_fmt(&a, "<%s>", big);
	is_int(strlen(b), sizeof(big) + 1, "a string larger than a chunk is whole");
	ok(b[0] == '<' && b[sizeof(big)] == '>', "with both ends");
	char *after = rt_arena_fmt(&a, "%05d", 12);
	is_str(after, "00012", "formatting goes on after it");
	is_int(strlen(b), sizeof(big) + 1, "and the large one is intact");

	/* Many small strings across several chunks stay intact. */
	char *keep[2000];
	for (int i = 0; i < 2000; i++)
		keep[i] = rt_arena_fmt(&a, "k%d", i);
	int bad = 0;
	for (int i = 0; i < 2000; i++) {
		char want[16];
		snprintf(want, sizeof(want), "k%d", i);
		bad += strcmp(keep[i], want) != 0;
	}
	is_int(bad, 0, "2000 small strings across chunks are all intact");
	rt_arena_cleanup(&a);
}

static void test_reset_reuse(void)
{
	struct rt_arena a;
	rt_arena_init(&a);
	/* Many chunks' worth, reset, again: the kept chunks serve the second
	 * round, and the count of kept bytes never exceeds the limit. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++)
			rt_arena_alloc(&a, 8000);
		rt_arena_reset(&a);
		ok(a.spare_bytes <= (4u << 20), "round %d: at most 4 MiB kept (%zu)", round,
		   a.spare_bytes);
	}
	size_t kept = a.spare_bytes;
	ok(kept > 0 && a.spare != NULL, "chunks are kept for reuse");
	void *p = rt_arena_alloc(&a, 100);
	ok(p != NULL && a.spare_bytes < kept, "an allocation takes a kept chunk");
	rt_arena_cleanup(&a);
	is_int(a.spare_bytes, 0, "cleanup forgets them");
}

int main(void)
{
	subtest("formatted strings", test_fmt);
	subtest("reset keeps chunks for reuse", test_reset_reuse);
	return done_testing();
}
