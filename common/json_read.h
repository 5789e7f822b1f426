/*
 * json_read.h - a pull reader of JSON text: the caller walks objects and
 * arrays value by value and copies out the strings and numbers it wants;
 * everything else is skipped without a copy. Built for the runtime's own
 * small records (entity messages, the scheduler record), so the runtime
 * links no JSON library.
 *
 * A reader accepts exactly the texts common/json_check.c accepts (which are
 * those jansson accepts): rt_json_read_init runs that check over the
 * whole text first, so a text the reader starts on is valid to its end, a
 * truncated or bad one is refused before anything is copied, and a value
 * the bindings can read with jansson is a value the runtime can read here.
 * Strings decode as jansson decodes them (escapes, surrogate pairs to one
 * UTF-8 sequence); a repeated object key is seen twice, so a caller that
 * keeps the last one reads what jansson's json_object_get would.
 *
 * Ownership: the text is BORROWED for the reader's life; strings read out
 * are copies in the caller's arena. A reader holds no memory of its own and
 * needs no cleanup.
 *
 * Walking, e.g. an object of strings:
 *   struct rt_json_reader r;
 *   if (rt_json_read_init(&r, text, len, 64, 1 << 20) != 0 ||
 *       rt_json_read_kind(&r) != RT_JSON_OBJECT || rt_json_read_enter(&r) != 0)
 *       refuse;
 *   while ((more = rt_json_read_member(&r)) == 1)
 *       if (rt_json_read_key_is(&r, "id") && rt_json_read_kind(&r) == RT_JSON_STRING)
 *           rt_json_read_string(&r, arena, &id);
 *       else
 *           rt_json_read_skip(&r);
 * rt_json_read_member and rt_json_read_element return 1 (a value is next), 0 (the
 * container ended and is left) or -1 when the reader is not where a member
 * or an element can be (e.g. a value not read yet). The reader keeps no
 * stack: calling rt_json_read_element inside an object is the caller's mistake;
 * it reads nothing outside the text, but the walk then means nothing.
 */
#ifndef COMMON_JSON_READ_H
#define COMMON_JSON_READ_H

#include <stddef.h>

#include "common/arena.h"

enum rt_json_read_kind {
	RT_JSON_NONE, /* no value here: the reader is at an end or a closer */
	RT_JSON_NULL,
	RT_JSON_FALSE,
	RT_JSON_TRUE,
	RT_JSON_INTEGER, /* a number without fraction or exponent */
	RT_JSON_REAL,
	RT_JSON_STRING,
	RT_JSON_ARRAY,
	RT_JSON_OBJECT,
};

struct rt_json_reader {
	const char *p, *end; /* the text not read yet */
	const char *key;     /* the current member's key, raw, between its quotes */
	size_t key_len;
};

/* 0 when the len bytes at text are one JSON value that rt_json_check
 * accepts with max_depth, and len <= max_bytes; the reader is then before
 * that value. -1 otherwise (the reader is at the end: nothing to read). */
int rt_json_read_init(struct rt_json_reader *r, const char *text, size_t len, int max_depth,
		      size_t max_bytes);

/* The kind of the value the reader is before (RT_JSON_NONE at an end). */
enum rt_json_read_kind rt_json_read_kind(const struct rt_json_reader *r);

/* Steps into the array or object the reader is before: 0, or -1 when it
 * is before something else (nothing moves). */
int rt_json_read_enter(struct rt_json_reader *r);
/* Inside an object: moves to the next member's value (its key then
 * answers rt_json_read_key_is) and returns 1; at the end leaves the object and
 * returns 0. The value must be read or skipped before the next call. */
int rt_json_read_member(struct rt_json_reader *r);
/* Inside an array: 1 before the next element, 0 after leaving the array. */
int rt_json_read_element(struct rt_json_reader *r);
/* 1 when the current member's key, decoded, is `want`. */
int rt_json_read_key_is(const struct rt_json_reader *r, const char *want);

/* Reads the string the reader is before into a NUL-terminated copy in
 * `a`: 0, or -1 when it is not before a string (nothing moves). JSON
 * refuses \u0000, so the copy holds no NUL of its own. */
int rt_json_read_string(struct rt_json_reader *r, struct rt_arena *a, const char **out);
/* Reads the integer the reader is before: 0, or -1 when it is before
 * something else (nothing moves). rt_json_check let only integers that fit
 * a long long through. */
int rt_json_read_integer(struct rt_json_reader *r, long long *out);
/* Passes over the value the reader is before, whatever it holds (nested
 * values included). 0, or -1 when there is no value here. */
int rt_json_read_skip(struct rt_json_reader *r);

#endif
