/*
 * json_check_jansson.c - common/json_check.c judged against jansson, which
 * the bindings use to read the texts the runtime let through: the verdicts
 * of json_cases.h are jansson's own, and 20,000 mutations of them (a byte
 * changed, dropped or doubled) get the same verdict from both.
 */
#include "common/json_check.h"
#include "../common/json_cases.h"
#include "tap.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int jansson_ok(const char *text, size_t len)
{
	json_error_t err;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &err);
	json_decref(v);
	return v != NULL;
}

static void test_verdicts(void)
{
	for (size_t i = 0; i < JSON_NCASES; i++)
		is_int(jansson_ok(json_cases[i].text, strlen(json_cases[i].text)), json_cases[i].ok,
		       "jansson agrees: %s", json_case_shown(json_cases[i].text));
}

static void test_mutations(void)
{
	static const char alphabet[] = "[]{}\",:\\u0123456789abcdefEe+-. \t\nrtnulsx\xc3\xa9\xed\xf0\x80";
	uint64_t x = 0x2545f4914f6cdd1dull;
	int differ = 0, tried = 0;
	char buf[256];
	for (int round = 0; round < 20000; round++) {
		const char *src = json_cases[round % JSON_NCASES].text;
		size_t n = strlen(src), at;
		if (n + 2 > sizeof(buf))
			continue;
		memcpy(buf, src, n);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		at = n ? (size_t)(x >> 8) % n : 0;
		switch (x % 3) {
		case 0: /* change a byte */
			if (n)
				buf[at] = alphabet[(x >> 32) % (sizeof(alphabet) - 1)];
			break;
		case 1: /* drop one */
			if (n) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
			break;
		default: /* double one */
			if (n) {
				memmove(buf + at + 1, buf + at, n - at);
				n++;
			}
		}
		tried++;
		if (rt_json_check(buf, n, RT_JSON_JANSSON_DEPTH) != jansson_ok(buf, n)) {
			if (differ++ < 5)
				printf("#   differ on '%.*s': jansson %d\n", (int)n, buf,
				       jansson_ok(buf, n));
		}
	}
	is_int(differ, 0, "the same verdict on all %d mutations", tried);
}

static void test_depth(void)
{
	for (int n = RT_JSON_JANSSON_DEPTH - 2; n <= RT_JSON_JANSSON_DEPTH + 1; n++) {
		char *s = json_nested(n);
		is_int(rt_json_check(s, strlen(s), RT_JSON_JANSSON_DEPTH), jansson_ok(s, strlen(s)),
		       "the same verdict %d values deep", n + 1);
		free(s);
	}
}

int main(void)
{
	subtest("verdicts are jansson's", test_verdicts);
	subtest("mutations", test_mutations);
	subtest("nesting limit", test_depth);
	return done_testing();
}
