/*
 * history_regress.c - inputs the fuzzer (fuzz/history.c) found, kept as
 * regression tests. Run under `make SANITIZE=address,undefined test` to see
 * the undefined behaviour these guard against; without sanitizers they
 * still check the results.
 */
#include "runtime/history.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

/*
 * Crash 1 (UBSan, signed overflow in split_time): a stored EventRaised
 * whose timestamp is INT64_MIN. floor_div() rounds the seconds down, so
 * `us - secs * 1000000` overflowed; every formatter of history.h hit it.
 * Input: build/fuzz/artifacts/history-crash-7ad71eb1..., as decoded bytes.
 */
static const unsigned char crash_int64_min[] = {
	0xc1, 0x0f, 0x1c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	0x08, 'A',  'p',  'p',  'r',  'o',  'v',  'a',  'l',  0x11, '{',  '"',  'a',
	'p',  'p',  'r',  'o',  'v',  'e',  'd',  '"',  ':',  't',  'r',  'u',  'e',
	'}',
};

static void test_time_extremes(void)
{
	struct rt_arena a;
	struct rt_event ev;
	char out[40];

	rt_arena_init(&a);
	is_int(rt_history_decode(crash_int64_min, sizeof(crash_int64_min), &ev, &a), 0,
	       "the fuzzed event decodes");
	ok(ev.type == RT_EV_EVENT_RAISED && ev.timestamp_us == INT64_MIN,
	   "EventRaised at INT64_MIN");
	rt_format_time_o(ev.timestamp_us, out);
	is_str(out, "-290308-12-21T19:59:05.2241920Z", "format o at INT64_MIN");
	rt_format_time_7(ev.timestamp_us, out);
	is_str(out, "-290308-12-21T19:59:05.224192Z", "format 7 at INT64_MIN");
	rt_format_time_s(ev.timestamp_us, out);
	is_str(out, "-290308-12-21T19:59:05Z", "format s at INT64_MIN");
	rt_format_time_o(INT64_MIN + 1, out);
	is_str(out, "-290308-12-21T19:59:05.2241930Z", "format o at INT64_MIN + 1");
	rt_format_time_7(INT64_MAX, out);
	is_str(out, "294247-01-10T04:00:54.775807Z", "format 7 at INT64_MAX");
	rt_format_time_7(-1, out);
	is_str(out, "1969-12-31T23:59:59.999999Z", "format 7 at -1 us");
	rt_arena_cleanup(&a);
}

int main(void)
{
	subtest("time formatting at the int64 extremes", test_time_extremes);
	return done_testing();
}
