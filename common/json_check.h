/*
 * json_check.h - is this text one JSON value? A checker, not a parser: it
 * builds nothing and allocates nothing, so the runtime can refuse bad
 * inputs and event data without linking a JSON library.
 *
 * It accepts exactly what jansson's json_loads(text, JSON_DECODE_ANY)
 * accepts, because the layers above parse the same text with jansson and
 * must never meet a value the runtime let through that they cannot read:
 * RFC 8259 syntax, any value at the top, blanks around it; strings of valid
 * UTF-8 without raw control bytes, no \u0000 and no unpaired surrogate;
 * integers that fit a long long; reals that do not overflow a double;
 * repeated object keys allowed; at most `max_depth` values nested.
 */
#ifndef COMMON_JSON_CHECK_H
#define COMMON_JSON_CHECK_H

#include <stddef.h>

/* jansson's own nesting limit (JSON_PARSER_MAX_DEPTH). */
#define RT_JSON_JANSSON_DEPTH 2048

/* 1 if the len bytes at text are one JSON value nested at most max_depth
 * deep (a scalar at the top is depth 1), else 0. A NUL byte ends nothing:
 * it is refused like any other byte outside a value. */
int rt_json_check(const char *text, size_t len, int max_depth);

#endif
