/*
 * fuzz/history.c - libFuzzer target for the history storage codec
 * (runtime/history.h: rt_history_decode, rt_history_decode_next) and the
 * time formatting applied to decoded timestamps.
 *
 * Invariants:
 *  - decode never reads past the input (ASan: libFuzzer's buffer is exact);
 *  - a decoded event re-encodes to bytes that decode to the same event,
 *    and re-encoding that gives the same bytes (the encoding is canonical);
 *    decode(x) succeeds iff decode_next(x) does and uses every byte;
 *  - decode_next walks a buffer of back-to-back events, each step using
 *    1..remaining bytes;
 *  - the time formatters fit their 40 bytes for any int64, and for years
 *    1..9999 rt_parse_time() reads their output back (exactly for the "o"
 *    and 7-digit forms, to the second for the "s" form).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/history.h"
#include "../tests/00-unit/runtime/event_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Year 1..9999 in microseconds since the epoch: the range ISO 8601 text covers. */
#define MIN_US (-62135596800LL * 1000000)
#define MAX_US (253402300799LL * 1000000 + 999999)

static void check_time(int64_t us)
{
	char o[40], s7[40], s[40];
	int64_t back;

	memset(o, 0x7f, sizeof(o));
	memset(s7, 0x7f, sizeof(s7));
	memset(s, 0x7f, sizeof(s));
	rt_format_time_o(us, o);
	rt_format_time_7(us, s7);
	rt_format_time_s(us, s);
	if (!memchr(o, '\0', sizeof(o)) || !memchr(s7, '\0', sizeof(s7)) ||
	    !memchr(s, '\0', sizeof(s)))
		abort();
	if (us < MIN_US || us > MAX_US)
		return;
	if (rt_parse_time(o, &back) != 0 || back != us)
		abort();
	if (rt_parse_time(s7, &back) != 0 || back != us)
		abort();
	int64_t floor_s = us / 1000000 * 1000000;
	if (us % 1000000 < 0)
		floor_s -= 1000000;
	if (rt_parse_time(s, &back) != 0 || back != floor_s)
		abort();
}

static void check_event(const struct rt_event *ev, struct rt_arena *a)
{
	unsigned char *buf = NULL, *buf2 = NULL;
	size_t len = 0, cap = 0, len2 = 0, cap2 = 0, used = 0;
	struct rt_event ev2;

	if ((int)ev->type < 0 || (int)ev->type >= (int)RT_EV__COUNT)
		abort();
	(void)strlen(rt_event_type_name(ev->type));
	(void)strlen(rt_status_name(ev->orchestration_status));
	rt_history_encode(ev, &buf, &len, &cap);
	if (rt_history_decode(buf, len, &ev2, a) != 0 || !same_event(ev, &ev2))
		abort();
	rt_history_encode(&ev2, &buf2, &len2, &cap2);
	if (len2 != len || memcmp(buf, buf2, len) != 0)
		abort();
	/* Two copies back to back: decode_next takes exactly the first. */
	rt_history_encode(&ev2, &buf, &len, &cap);
	if (rt_history_decode_next(buf, len, &used, &ev2, a) != 0 || used != len2 ||
	    !same_event(ev, &ev2))
		abort();
	if (rt_history_decode(buf, len, &ev2, a) == 0)
		abort(); /* trailing bytes are refused */
	free(buf);
	free(buf2);
	check_time(ev->timestamp_us);
	check_time(ev->fire_at_us);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rt_arena arena;
	static int init;
	struct rt_event ev;
	size_t used = 0, pos = 0;
	int rc, rc_next;

	if (!init) {
		rt_arena_init(&arena);
		init = 1;
	}
	rc = rt_history_decode(data, size, &ev, &arena);
	if (rc == 0)
		check_event(&ev, &arena);
	else if (rc != -1)
		abort();
	rc_next = rt_history_decode_next(data, size, &used, &ev, &arena);
	if ((rc == 0) != (rc_next == 0 && used == size))
		abort();

	/* A stored history is events back to back. */
	for (int n = 0; pos < size && n < 64; n++) {
		used = 0;
		if (rt_history_decode_next(data + pos, size - pos, &used, &ev, &arena) != 0)
			break;
		if (used == 0 || used > size - pos)
			abort();
		check_event(&ev, &arena);
		pos += used;
	}
	if (size >= 8) {
		/* The input's first 8 bytes as a raw timestamp too. */
		int64_t t;
		memcpy(&t, data, sizeof(t));
		check_time(t);
	}
	rt_arena_reset(&arena);
	return 0;
}
