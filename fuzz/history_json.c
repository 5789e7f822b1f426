/*
 * fuzz/history_json.c - libFuzzer target for the stored history's JSON form
 * (bindings/history_json.h), which `cfunc replay --history` reads from files
 * anyone may have edited.
 *
 * Invariants:
 *  - the input read as JSON text: bind_history_parse() accepts or refuses
 *    it with a message, never crashes; what it accepts prints back to text
 *    that parses to the same events (printing that again gives the same
 *    text);
 *  - the input read as storage-codec bytes (back-to-back events, as in
 *    fuzz/corpus/history): every decoded event JSON can carry exactly (its
 *    text is UTF-8, its times within years 1..9999) comes back from
 *    bind_history_json() + bind_history_parse() encoding to the same bytes,
 *    so a replay from the file sees what the engine stored.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bindings/history_json.h"
#include "bindings/json_util.h"
#include "common/arena.h"
#include "runtime/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_US (-62135596800LL * 1000000)   /* 0001-01-01 */
#define MAX_US (253402300800LL * 1000000 - 1) /* the end of 9999 */

static int text_ok(const char *s)
{
	json_t *probe;
	if (!s)
		return 1;
	probe = json_string(s);
	json_decref(probe);
	return probe != NULL;
}

static int representable(const struct rt_event *e)
{
	return e->timestamp_us >= MIN_US && e->timestamp_us <= MAX_US &&
	       e->fire_at_us >= MIN_US && e->fire_at_us <= MAX_US && text_ok(e->name) &&
	       text_ok(e->input) && text_ok(e->result) && text_ok(e->reason) &&
	       text_ok(e->details) && text_ok(e->instance_id) && text_ok(e->execution_id) &&
	       text_ok(e->parent_instance_id) && text_ok(e->parent_execution_id) &&
	       text_ok(e->parent_name) && text_ok(e->data);
}

static void encoded(const struct rt_event *e, unsigned char **buf, size_t *len)
{
	size_t cap = 0;
	*buf = NULL;
	*len = 0;
	rt_history_encode(e, buf, len, &cap);
}

static void codec_round_trip(const uint8_t *data, size_t size, struct rt_arena *a)
{
	size_t off = 0, used;
	while (off < size) {
		struct rt_event ev, *back;
		size_t n;
		char *err = NULL;
		if (rt_history_decode_next(data + off, size - off, &used, &ev, a) != 0)
			return;
		if (used == 0 || used > size - off)
			abort();
		off += used;
		if (!representable(&ev))
			continue;
		json_t *j = bind_history_json(&ev, 1);
		if (bind_history_parse(j, &back, &n, a, &err) != 0 || n != 1)
			abort();
		unsigned char *x, *y;
		size_t nx, ny;
		encoded(&ev, &x, &nx);
		encoded(&back[0], &y, &ny);
		if (nx != ny || memcmp(x, y, nx) != 0)
			abort();
		free(x);
		free(y);
		json_decref(j);
	}
}

static void text_round_trip(const uint8_t *data, size_t size, struct rt_arena *a)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL), *again = NULL;
	struct rt_event *ev, *ev2;
	size_t n, n2;
	char *err = NULL, *t1, *t2;

	if (!j)
		return;
	if (bind_history_parse(j, &ev, &n, a, &err) != 0) {
		if (!err || !*err)
			abort(); /* a refusal always says why */
		free(err);
		json_decref(j);
		return;
	}
	json_t *p1 = bind_history_json(ev, n);
	t1 = bind_json_dump(p1);
	again = json_loads(t1, 0, NULL);
	if (!again || bind_history_parse(again, &ev2, &n2, a, &err) != 0 || n2 != n)
		abort();
	json_t *p2 = bind_history_json(ev2, n2);
	t2 = bind_json_dump(p2);
	if (strcmp(t1, t2) != 0)
		abort();
	free(t1);
	free(t2);
	json_decref(p1);
	json_decref(p2);
	json_decref(again);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_arena a;
	rt_arena_init(&a);
	text_round_trip(data, size, &a);
	codec_round_trip(data, size, &a);
	rt_arena_cleanup(&a);
	return 0;
}
