/*
 * utf8.h - the one UTF-8 decoder of the tree, and string length as .NET
 * counts it (UTF-16 code units), for the limits that func states in
 * characters (instance ids, event names, route constraints, custom status).
 *
 * Valid UTF-8 here is RFC 3629: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing past U+10FFFF. Nothing allocates; the text is
 * borrowed for the call.
 */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at p, of which at most `left`
 * bytes may be read, or 0 when it is not valid there. A NUL-terminated
 * string can pass SIZE_MAX: the NUL stops any sequence. */
size_t rt_utf8_seq(const unsigned char *p, size_t left);

/* 1 if the len bytes at s are valid UTF-8 (a NUL byte is an ASCII
 * character here), else 0. */
int rt_utf8_valid_n(const char *s, size_t len);
/* 1 if the NUL-terminated s is valid UTF-8, else 0. */
int rt_utf8_valid(const char *s);

/* UTF-16 code units of the len bytes at s: 2 for a 4-byte sequence (a
 * surrogate pair), 1 for every other character. Counts lead bytes without
 * validating, so call it on text already checked, or accept that an
 * invalid byte counts as one. */
size_t rt_utf16_units(const char *s, size_t len);

#endif
