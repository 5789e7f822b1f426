/*
 * vec.c - unit tests for common/vec.c: pushes keep earlier elements and
 * come zeroed, capacity doubles from the first size (so n pushes cost
 * O(log n) reallocations), reserve leaves a big enough array alone and
 * reaches any need in one call, free empties for reuse.
 */
#include "common/vec.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>

struct item {
	int64_t a;
	char tag[12];
};

static void test_push(void)
{
	struct rt_vec v = {0};
	int zeroed = 1, kept = 1;
	size_t grew = 0, last_cap = 0;
	for (int i = 0; i < 1000; i++) {
		struct item *it = rt_vec_push(&v, sizeof(*it));
		zeroed &= it->a == 0 && it->tag[0] == 0 && it->tag[11] == 0;
		it->a = i;
		if (v.cap != last_cap) {
			grew++;
			last_cap = v.cap;
		}
	}
	for (int i = 0; i < 1000; i++)
		kept &= ((struct item *)v.v)[i].a == i;
	ok(zeroed, "every pushed element starts zeroed");
	ok(kept, "earlier elements survive the growth");
	is_int(v.n, 1000, "n counts the pushes");
	is_int(v.cap, 1024, "capacity doubled from 16 to 1024");
	is_int(grew, 7, "in 7 growths, not one per push");
	rt_vec_free(&v);
	ok(v.v == NULL && v.n == 0 && v.cap == 0, "free empties it");
	rt_vec_push(&v, sizeof(int));
	is_int(v.n, 1, "and it can be used again");
	rt_vec_free(&v);
}

static void test_reserve(void)
{
	int *a = NULL;
	size_t cap = 0;
	RT_VEC_RESERVE(a, cap, 1, 8);
	is_int(cap, 8, "the first reserve gives `first`");
	a[7] = 7;
	int *same = a;
	RT_VEC_RESERVE(a, cap, 8, 8);
	ok(a == same && cap == 8, "room enough: nothing moves");
	RT_VEC_RESERVE(a, cap, 100, 8);
	is_int(cap, 128, "a large need is reached in one call, by doubling");
	is_int(a[7], 7, "the contents are kept");
	a[99] = 99;
	char *bytes = NULL;
	size_t bcap = 0;
	bytes = rt_vec_reserve(bytes, &bcap, 5000, 1, 4096);
	is_int(bcap, 8192, "byte buffers double too (4096 -> 8192 for 5000)");
	free(bytes);
	free(a);
}

int main(void)
{
	subtest("push", test_push);
	subtest("reserve", test_reserve);
	return done_testing();
}
