/*
 * queue.c - unit tests for common/queue.h: FIFO order, a stale link
 * cleared on append, chains spliced in O(1) onto empty and non-empty
 * queues, and pops down to empty leaving both ends NULL so the queue can be
 * used again.
 */
#include "common/queue.h"
#include "tap.h"

struct job {
	int id;
	struct job *link; /* a link field of any name */
};

static struct job *head, *tail;

static int order_is(const int *want, int n)
{
	struct job *j = head;
	for (int i = 0; i < n; i++, j = j->link)
		if (!j || j->id != want[i])
			return 0;
	return j == NULL && (n == 0 ? tail == NULL : tail->id == want[n - 1]);
}

static void test_append_pop(void)
{
	struct job a = {1, NULL}, b = {2, &a}, c = {3, NULL}, *out;
	RT_QUEUE_APPEND(head, tail, &a, link);
	RT_QUEUE_APPEND(head, tail, &b, link);
	RT_QUEUE_APPEND(head, tail, &c, link);
	ok(order_is((int[]){1, 2, 3}, 3), "appends keep FIFO order");
	ok(b.link == &c, "a stale link is overwritten, not followed");
	RT_QUEUE_POP(head, tail, out, link);
	ok(out == &a && order_is((int[]){2, 3}, 2), "pop takes the head");
	RT_QUEUE_POP(head, tail, out, link);
	RT_QUEUE_POP(head, tail, out, link);
	ok(out == &c && head == NULL && tail == NULL, "the last pop empties both ends");
	RT_QUEUE_POP(head, tail, out, link);
	ok(out == NULL, "pop of an empty queue gives NULL");
	RT_QUEUE_APPEND(head, tail, &b, link);
	ok(order_is((int[]){2}, 1), "an emptied queue takes appends again");
	head = tail = NULL;
}

static void test_chain(void)
{
	struct job a = {1, NULL}, b = {2, NULL}, c = {3, NULL}, d = {4, &a};
	a.link = &b; /* chain 1 -> 2 */
	RT_QUEUE_APPEND_CHAIN(head, tail, &a, &b, link);
	ok(order_is((int[]){1, 2}, 2), "a chain onto an empty queue");
	c.link = &d; /* chain 3 -> 4, with d pointing back at a */
	RT_QUEUE_APPEND_CHAIN(head, tail, &c, &d, link);
	ok(order_is((int[]){1, 2, 3, 4}, 4), "a chain onto a non-empty queue, ending in NULL");
	head = tail = NULL;
}

int main(void)
{
	subtest("append and pop", test_append_pop);
	subtest("chains", test_chain);
	return done_testing();
}
