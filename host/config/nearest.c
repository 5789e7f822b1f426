/*
 * nearest.c - typo distance for names a user typed. Optimal string
 * alignment distance (Levenshtein plus swapping two neighbours, the
 * commonest slip on a keyboard) over two rows of a small table; names are
 * keys and file names, so a length cap keeps the table on the stack.
 */
#include "host/config/nearest.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_CHARS 128

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t host_nearest_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][NAME_MAX_CHARS + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > NAME_MAX_CHARS || lb > NAME_MAX_CHARS)
		return cap;
	if ((la > lb ? la - lb : lb - la) >= cap)
		return cap;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb));
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] < cap ? prev[lb] : cap;
}

const char *host_nearest_pick(const char *word, const char *const *candidates, size_t n)
{
	size_t allowed = strlen(word) <= 4 ? 1 : 2, best = allowed + 1;
	const char *pick = NULL;
	int tie = 0;

	for (size_t i = 0; i < n; i++) {
		size_t d = host_nearest_distance(word, candidates[i], allowed + 1);
		if (d < best) {
			best = d;
			pick = candidates[i];
			tie = 0;
		} else if (d == best && pick) {
			tie = 1;
		}
	}
	return best <= allowed && !tie ? pick : NULL;
}
