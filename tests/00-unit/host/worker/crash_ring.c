/*
 * Unit tests for host/worker/crash_ring.c: the dashboard's recent crashes
 * are the last HOST_WORKER_CRASHES, newest first, and a name or id cut to
 * fit stays valid UTF-8 (jansson refuses anything else, and the crash
 * would vanish from /admin/host/functions).
 */
#include "host/worker/crash_ring.h"

#include "common/utf8.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static void test_ring(void)
{
	struct crash_ring r = {0};
	struct host_worker_crash out[HOST_WORKER_CRASHES];
	is_int(crash_ring_copy(&r, out), 0, "an empty ring copies nothing");

	for (int i = 1; i <= 3; i++) {
		struct host_worker_crash c = {.pid = 100 + i, .at_us = i};
		crash_ring_add(&r, &c);
	}
	is_int(crash_ring_copy(&r, out), 3, "three crashes: three entries");
	ok(out[0].pid == 103 && out[1].pid == 102 && out[2].pid == 101, "… newest first");

	for (int i = 4; i <= HOST_WORKER_CRASHES + 5; i++) {
		struct host_worker_crash c = {.pid = 100 + i, .at_us = i};
		crash_ring_add(&r, &c);
	}
	size_t n = crash_ring_copy(&r, out);
	is_int(n, HOST_WORKER_CRASHES, "a full ring holds HOST_WORKER_CRASHES, no more");
	is_int(out[0].pid, 100 + HOST_WORKER_CRASHES + 5, "… the newest first");
	is_int(out[n - 1].pid, 100 + 6, "… the oldest kept is the one after those overwritten");
	int ordered = 1;
	for (size_t i = 1; i < n; i++)
		ordered &= out[i - 1].at_us == out[i].at_us + 1;
	ok(ordered, "… every one in order, none lost in between");
}

static void test_text(void)
{
	char small[6];
	host_worker_text_copy(small, sizeof(small), "abc");
	is_str(small, "abc", "a short text is copied as it is");
	host_worker_text_copy(small, sizeof(small), NULL);
	is_str(small, "", "NULL is the empty text");
	host_worker_text_copy(small, sizeof(small), "abcdefgh");
	is_str(small, "abcde", "a long ASCII text is cut to the buffer");
	/* "ab" + U+00E9 (2 bytes) + U+20AC (3 bytes): 7 bytes, 5 fit. */
	host_worker_text_copy(small, sizeof(small), "ab\xc3\xa9\xe2\x82\xac");
	is_str(small, "ab\xc3\xa9", "a cut never splits a UTF-8 sequence (3-byte one dropped)");
	ok(rt_utf8_valid(small), "… and the copy is valid UTF-8");
	host_worker_text_copy(small, sizeof(small), "abcd\xc3\xa9");
	is_str(small, "abcd", "… nor a 2-byte one at the very end");

	struct host_worker_call c;
	char id[HOST_WORKER_ID_MAX + 10];
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	host_worker_call_set(&c, HOST_CALL_ACTIVITY, "fn", id, NULL, 42);
	ok(c.kind == HOST_CALL_ACTIVITY && strcmp(c.function, "fn") == 0 && c.since_us == 42,
	   "a call record has its kind, function and time");
	is_int(strlen(c.instance), HOST_WORKER_ID_MAX - 1, "an over-long id is cut to fit");
	is_str(c.invocation, "", "an absent id is empty");
}

int main(void)
{
	subtest("the ring of recent crashes", test_ring);
	subtest("text cut to fit", test_text);
	return done_testing();
}
