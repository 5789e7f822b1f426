/*
 * json_quote.h - a JSON string literal of raw text, in the one escaping the
 * tree writes: \" \\ \n \r \t \b \f, \u00xx for the other control bytes
 * and DEL, every other byte as it is (UTF-8 passes through unchecked). The
 * runtime quotes failure messages with it and the bindings' compact writer
 * quotes every string, so stored text already reads as the API prints it
 * (bindings/json_canonical.c relies on this).
 */
#ifndef COMMON_JSON_QUOTE_H
#define COMMON_JSON_QUOTE_H

#include <stddef.h>

/* The letter of c's two-character escape (\" \\ \n \r \t \b \f: '"' for
 * '"', 'n' for a newline), or 0 when it has none. JSON's short escapes, the
 * same in every writer of the tree; they differ only in the others. */
char rt_json_short_escape(unsigned char c);
/* Bytes rt_json_quote_to writes for the n bytes at s, both quotes
 * included, the NUL not. */
size_t rt_json_quoted_len(const char *s, size_t n);
/* Writes the literal and a NUL to dst, which holds rt_json_quoted_len(s, n)
 * + 1 bytes; returns the literal's length. */
size_t rt_json_quote_to(char *dst, const char *s, size_t n);

#endif
