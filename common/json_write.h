/*
 * json_write.h - compact JSON text built piece by piece in an arena, laid
 * out byte for byte as jansson's json_dumps(JSON_COMPACT) lays it out: no
 * blanks, members in the order written, strings escaped as \" \\ \b \f \n
 * \r \t and \u00XX (capital hex) for the other control bytes, every other
 * byte as it is (DEL and '/' included). The runtime writes its entity
 * records with it (entity messages, replies, the scheduler record, the
 * custom status): those were jansson's bytes before the runtime stopped
 * linking jansson, the management API serves them as stored, and they must
 * not change. (common/json_quote.h is the tree's other escaping, the one
 * the bindings' writer uses; it differs in the hex case and in DEL.)
 *
 * A string that is not valid UTF-8 is left out with its member, key and
 * all, as jansson (which refuses to hold such a string) left it out.
 *
 * Ownership: the text lives in the arena given to rt_json_write_init;
 * the writer owns nothing else and needs no cleanup.
 */
#ifndef COMMON_JSON_WRITE_H
#define COMMON_JSON_WRITE_H

#include <stddef.h>

#include "common/arena.h"

struct rt_json_writer {
	struct rt_arena *arena;
	char *buf; /* arena; NUL-terminated after every call */
	size_t len, cap;
	int need_comma;  /* a value was written in the open container */
	const char *key; /* the member the next value belongs to (borrowed) */
};

void rt_json_write_init(struct rt_json_writer *w, struct rt_arena *a);
/* '{' / '[' as the next value, and their closers. */
void rt_json_write_open_object(struct rt_json_writer *w);
void rt_json_write_open_array(struct rt_json_writer *w);
void rt_json_write_close_object(struct rt_json_writer *w);
void rt_json_write_close_array(struct rt_json_writer *w);
/* Names the member the next value is (inside an object). The key is
 * written with that value, so a value that is left out takes it along.
 * Keys are the caller's literals: ASCII without anything to escape. */
void rt_json_write_key(struct rt_json_writer *w, const char *key);
/* A string value; s NULL or not UTF-8 writes nothing (see above). */
void rt_json_write_string(struct rt_json_writer *w, const char *s);
void rt_json_write_int(struct rt_json_writer *w, long long v);
void rt_json_write_bool(struct rt_json_writer *w, int v);
void rt_json_write_null(struct rt_json_writer *w);
/* The text so far (in the arena). */
const char *rt_json_write_text(const struct rt_json_writer *w);

#endif
