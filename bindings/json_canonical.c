/*
 * json_canonical.c - see json_canonical.h. Each rule below mirrors one thing
 * that jansson's reader (bind_json_payload) or the compact writer
 * (bind_json_dump) would change, so that text passing every rule reads and
 * prints back to itself:
 *   - blanks between tokens are dropped by the writer;
 *   - reals are reprinted (shortest round trip), "-0" becomes "0", integers
 *     beyond int64 do not parse (only up to 18 digits are taken);
 *   - strings are re-escaped: the writer emits \" \\ \n \r \t \b \f, \u00xx
 *     for other control bytes and 0x7f, and every other byte raw, so only
 *     those short escapes and raw bytes >= 0x20 (never 0x7f, UTF-8 valid)
 *     are accepted; "\/" or "\u00e9" would come back different;
 *   - a repeated key keeps one value only;
 *   - deeper than BIND_JSON_MAX_DEPTH is not parsed at all.
 */
#include "bindings/json_canonical.h"

#include "bindings/json_util.h"
#include "common/vec.h"
#include "common/utf8.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct key {
	const unsigned char *p;
	size_t n;
};

struct level {
	int object;
	struct key *keys;
	size_t nkeys, cap;
};

/* s[i] is '"': the index after the closing quote, or 0 to refuse. */
static size_t scan_string(const unsigned char *s, size_t i, size_t len)
{
	for (i++; i < len;) {
		unsigned char c = s[i];
		size_t k;
		if (c == '"')
			return i + 1;
		if (c == '\\') {
			if (i + 1 >= len || !strchr("\"\\nrtbf", s[i + 1]) || !s[i + 1])
				return 0;
			i += 2;
		} else if (c < 0x20 || c == 0x7f) {
			return 0;
		} else if (c < 0x80) {
			i++;
		} else if ((k = rt_utf8_seq(s + i, len - i)) != 0) {
			i += k;
		} else {
			return 0;
		}
	}
	return 0;
}

/* s[i] starts a number: the index after it, or 0 to refuse. */
static size_t scan_integer(const unsigned char *s, size_t i, size_t len)
{
	int negative = s[i] == '-';
	size_t start = i + negative;
	i = start;
	if (i >= len || s[i] < '0' || s[i] > '9')
		return 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	/* "01" is not JSON; "-0" would print as "0". */
	if (s[start] == '0' && (i - start > 1 || negative))
		return 0;
	if (i - start > 18 || (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')))
		return 0;
	return i;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
	return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* 1 if the object's keys are all different (they are compared raw: with
 * the escaping fixed above, equal strings have equal bytes). */
static int keys_unique(struct level *l)
{
	qsort(l->keys, l->nkeys, sizeof(*l->keys), key_cmp);
	for (size_t i = 1; i < l->nkeys; i++)
		if (key_cmp(&l->keys[i - 1], &l->keys[i]) == 0)
			return 0;
	return 1;
}

int bind_json_is_canonical(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	struct level stack[BIND_JSON_MAX_DEPTH];
	enum { VALUE, FIRST_VALUE, KEY, FIRST_KEY, AFTER } want = VALUE;
	int depth = 0, result = 0;
	size_t i = 0, end;

	while (i < len) {
		unsigned char c = s[i];
		struct level *top = depth ? &stack[depth - 1] : NULL;

		if (want == AFTER) {
			if (!top)
				goto out; /* text after the top-level value */
			if (c == ',') {
				want = top->object ? KEY : VALUE;
				i++;
			} else if (c == (top->object ? '}' : ']')) {
				if (top->object && !keys_unique(top))
					goto out;
				free(top->keys);
				depth--;
				i++;
			} else {
				goto out;
			}
			continue;
		}
		if (want == KEY || want == FIRST_KEY) {
			if (want == FIRST_KEY && c == '}') {
				free(top->keys);
				depth--;
				i++;
				want = AFTER;
				continue;
			}
			if (c != '"' || !(end = scan_string(s, i, len)) || end >= len || s[end] != ':')
				goto out;
			RT_VEC_RESERVE(top->keys, top->cap, top->nkeys + 1, 8);
			top->keys[top->nkeys++] = (struct key){s + i, end - i};
			i = end + 1;
			want = VALUE;
			continue;
		}
		/* A value (or, right after '[', the closing ']'). */
		if (want == FIRST_VALUE && c == ']') {
			free(top->keys);
			depth--;
			i++;
			want = AFTER;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == BIND_JSON_MAX_DEPTH)
				goto out;
			stack[depth++] = (struct level){c == '{', NULL, 0, 0};
			want = c == '{' ? FIRST_KEY : FIRST_VALUE;
			i++;
			continue;
		}
		if (c == '"')
			end = scan_string(s, i, len);
		else if (c == '-' || (c >= '0' && c <= '9'))
			end = scan_integer(s, i, len);
		else if (len - i >= 4 && memcmp(s + i, "true", 4) == 0)
			end = i + 4;
		else if (len - i >= 5 && memcmp(s + i, "false", 5) == 0)
			end = i + 5;
		else if (len - i >= 4 && memcmp(s + i, "null", 4) == 0)
			end = i + 4;
		else
			end = 0;
		if (!end)
			goto out;
		i = end;
		want = AFTER;
	}
	result = want == AFTER && depth == 0;
out:
	while (depth > 0)
		free(stack[--depth].keys);
	return result;
}
