/*
 * json_check.c - see json_check.h. A recursive descent over the bytes;
 * recursion is bounded by max_depth, and the callers pass at most 2048.
 */
#include "common/json_check.h"
#include "common/hex.h"
#include "common/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const unsigned char *p, *end;
	int depth, max_depth;
};

static void blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Four hex digits after "\u": the code unit, or -1. */
static long hex4(struct scan *s)
{
	long v = 0;
	if (s->end - s->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int d = rt_hex_value(s->p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	s->p += 4;
	return v;
}

/* At the opening quote. */
static int string(struct scan *s)
{
	s->p++;
	while (s->p < s->end) {
		unsigned char c = *s->p;
		size_t n;
		if (c == '"') {
			s->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			if ((n = rt_utf8_seq(s->p, (size_t)(s->end - s->p))) == 0)
				return 0;
			s->p += n;
			continue;
		}
		if (++s->p >= s->end)
			return 0;
		c = *s->p++;
		if (c == 'u') {
			long u = hex4(s);
			if (u <= 0) /* not hex, or \u0000, which jansson refuses */
				return 0;
			if (u >= 0xdc00 && u <= 0xdfff) /* a low surrogate alone */
				return 0;
			if (u >= 0xd800 && u <= 0xdbff) {
				long lo;
				if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
					return 0;
				s->p += 2;
				lo = hex4(s);
				if (lo < 0xdc00 || lo > 0xdfff)
					return 0;
			}
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
			return 0;
		}
	}
	return 0;
}

/* At '-' or a digit. */
static int number(struct scan *s)
{
	const unsigned char *start = s->p;
	int real = 0;
	char buf[64], *copy = buf;
	size_t n;
	int ok;

	if (*s->p == '-')
		s->p++;
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return 0;
	if (*s->p == '0') {
		s->p++;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return 0; /* no leading zeros */
	} else {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	if (s->p < s->end && *s->p == '.') {
		real = 1;
		s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return 0;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		real = 1;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return 0;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	/* The range checks jansson makes: an integer must fit json_int_t
	 * (long long), a real must not overflow to infinity. */
	n = (size_t)(s->p - start);
	if (n >= sizeof(buf))
		copy = malloc(n + 1);
	if (!copy)
		return 0;
	memcpy(copy, start, n);
	copy[n] = '\0';
	errno = 0;
	if (real) {
		double d = strtod(copy, NULL);
		ok = !(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL));
	} else {
		(void)strtoll(copy, NULL, 10);
		ok = errno != ERANGE;
	}
	if (copy != buf)
		free(copy);
	return ok;
}

static int word(struct scan *s, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return 0;
	s->p += n;
	return 1;
}

static int value(struct scan *s);

/* At '[' or '{'. */
static int container(struct scan *s)
{
	unsigned char close = *s->p == '[' ? ']' : '}';
	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 1;
	}
	for (;;) {
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"' || !string(s))
				return 0;
			blanks(s);
			if (s->p >= s->end || *s->p++ != ':')
				return 0;
			blanks(s);
		}
		if (!value(s))
			return 0;
		blanks(s);
		if (s->p >= s->end)
			return 0;
		if (*s->p == close) {
			s->p++;
			return 1;
		}
		if (*s->p++ != ',')
			return 0;
		blanks(s);
	}
}

/* At the first byte of a value (blanks skipped). */
static int value(struct scan *s)
{
	int ok;
	if (s->p >= s->end || ++s->depth > s->max_depth)
		return 0;
	switch (*s->p) {
	case '"':
		ok = string(s);
		break;
	case '[':
	case '{':
		ok = container(s);
		break;
	case 't':
		ok = word(s, "true");
		break;
	case 'f':
		ok = word(s, "false");
		break;
	case 'n':
		ok = word(s, "null");
		break;
	default:
		ok = *s->p == '-' || (*s->p >= '0' && *s->p <= '9') ? number(s) : 0;
	}
	s->depth--;
	return ok;
}

int rt_json_check(const char *text, size_t len, int max_depth)
{
	struct scan s = {(const unsigned char *)text, (const unsigned char *)text + len, 0, max_depth};
	if (!text)
		return 0;
	blanks(&s);
	if (!value(&s))
		return 0;
	blanks(&s);
	return s.p == s.end;
}
