/*
 * nearest.h - "did you mean ...?" for names a user typed: the known name an
 * unknown one is most likely a typo of (host.json keys, app locations).
 */
#ifndef HOST_CONFIG_NEAREST_H
#define HOST_CONFIG_NEAREST_H

#include <stddef.h>

/* Edits (insert, delete, substitute, swap two neighbours) between a and b,
 * ignoring ASCII case; stops counting at `cap` (returns cap then). */
size_t host_nearest_distance(const char *a, const char *b, size_t cap);

/*
 * The one candidate `word` is an obvious typo of, or NULL: at most 1 edit
 * for names of up to 4 characters, 2 for longer ones, and no other
 * candidate equally close. An exact (case-insensitive) match is returned
 * too. Borrows: the result is one of `candidates`.
 */
const char *host_nearest_pick(const char *word, const char *const *candidates, size_t n);

#endif
