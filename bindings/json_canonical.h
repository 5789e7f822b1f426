/*
 * json_canonical.h - recognising JSON text that the API would print back
 * unchanged, so that a large stored payload can be sent as it is instead of
 * being parsed into a tree and printed again (which costs many times its
 * size in memory).
 */
#ifndef BIND_JSON_CANONICAL_H
#define BIND_JSON_CANONICAL_H

#include <stddef.h>

/*
 * 1 if bind_json_dump(bind_json_payload(text)) is exactly the len bytes of
 * `text`; 0 when it may not be (the caller then takes the slow, exact path).
 * Conservative: accepts compact JSON of objects without repeated keys,
 * arrays, strings in the writer's own escaping, integers that fit in 18
 * digits, true, false and null, nested at most BIND_JSON_MAX_DEPTH deep;
 * refuses reals, "-0", blanks, \u escapes and anything else. No allocation
 * beyond a key list per open object; linear time but for the key sort.
 */
int bind_json_is_canonical(const char *text, size_t len);

#endif
