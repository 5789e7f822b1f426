/*
 * fuzz/json_read.c - libFuzzer target for common/json_read.h and the entity
 * codec built on it (runtime/entity_msg.c).
 *
 * The whole input is one text. Invariants:
 *  - the reader starts on exactly the texts rt_json_check accepts;
 *  - on such a text a full walk (every container entered, every string
 *    and integer read, every real and word skipped) never fails a step and
 *    ends at the end of the text; every string read is NUL-terminated
 *    valid UTF-8 no longer than the text;
 *  - on a refused text every step answers "nothing here";
 *  - the entity decoders take any text without crashing, and a message
 *    they accept (up to its first NUL) was accepted by the check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/json_check.h"
#include "common/json_read.h"
#include "common/utf8.h"
#include "runtime/entity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct rt_json_reader *r, struct rt_arena *a, size_t size, int depth)
{
	const char *s;
	long long v;
	int more;
	if (depth > RT_JSON_JANSSON_DEPTH)
		abort();
	switch (rt_json_read_kind(r)) {
	case RT_JSON_STRING:
		if (rt_json_read_string(r, a, &s) != 0 || strlen(s) > size || !rt_utf8_valid(s))
			abort();
		break;
	case RT_JSON_INTEGER:
		if (rt_json_read_integer(r, &v) != 0)
			abort();
		break;
	case RT_JSON_REAL:
	case RT_JSON_NULL:
	case RT_JSON_TRUE:
	case RT_JSON_FALSE:
		if (rt_json_read_skip(r) != 0)
			abort();
		break;
	case RT_JSON_ARRAY:
		if (rt_json_read_enter(r) != 0)
			abort();
		while ((more = rt_json_read_element(r)) == 1)
			walk(r, a, size, depth + 1);
		if (more != 0)
			abort();
		break;
	case RT_JSON_OBJECT:
		if (rt_json_read_enter(r) != 0)
			abort();
		while ((more = rt_json_read_member(r)) == 1) {
			if (r->key_len > size)
				abort();
			(void)rt_json_read_key_is(r, "op");
			walk(r, a, size, depth + 1);
		}
		if (more != 0)
			abort();
		break;
	case RT_JSON_NONE:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_arena a;
	struct rt_json_reader r;
	const char *text = (const char *)data, *s;
	long long v;
	int accepted = rt_json_check(text, size, RT_JSON_JANSSON_DEPTH);

	rt_arena_init(&a);
	if ((rt_json_read_init(&r, text, size, RT_JSON_JANSSON_DEPTH, size) == 0) != accepted)
		abort();
	if (accepted) {
		walk(&r, &a, size, 1);
		if (rt_json_read_kind(&r) != RT_JSON_NONE || r.p != r.end)
			abort();
	} else if (rt_json_read_kind(&r) != RT_JSON_NONE || rt_json_read_string(&r, &a, &s) == 0 ||
		   rt_json_read_integer(&r, &v) == 0 || rt_json_read_skip(&r) == 0 ||
		   rt_json_read_enter(&r) == 0) {
		abort();
	}

	/* The entity decoders take NUL-terminated text. */
	char *z = malloc(size + 1);
	if (!z)
		abort();
	memcpy(z, data, size);
	z[size] = '\0';
	/* What they see ends at the first NUL: the check must accept that. */
	int whole = rt_json_check(z, strlen(z), RT_JSON_JANSSON_DEPTH);
	struct rt_entity_msg m;
	int failed;
	if (rt_entity_msg_parse("op", z, &m, &a) == 0 && !whole)
		abort();
	if (rt_entity_msg_parse("release", z, &m, &a) == 0 && !whole)
		abort();
	if (rt_entity_reply_parse(z, &failed, &s, &a) == 0 && !whole)
		abort();
	(void)rt_entity_msg_due(z);
	free(z);
	rt_arena_cleanup(&a);
	return 0;
}
