/*
 * router_constraints.c - inline route constraints ({id:int}, {name:alpha},
 * {x:regex(...)}, ...): compiling "name(args)" into a struct constraint,
 * checking a decoded value against it (.NET parsing rules, see router.h for
 * the documented deviations), and translating .NET regex shorthands into a
 * POSIX ERE for regcomp().
 */
#include "host/http/router_int.h"

#include <regex.h>
#include <stdint.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/utf8.h"
#include "common/xalloc.h"

/* ---- small helpers ---- */

static int is_ws(char c)
{
	/* .NET number parsing skips U+0009-U+000D and U+0020 */
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_hex(char c)
{
	return host_router_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_ws(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_ws((*s)[*len - 1]))
		(*len)--;
}

/* ---- value checks for the constraints (all take text that is not NUL-terminated) ---- */

/* NumberStyles.Integer: blanks around, optional sign, digits, no overflow. */
static int parse_int64(const char *s, size_t len, long long *out)
{
	uint64_t v = 0, limit;
	int neg = 0;
	size_t i = 0;

	trim(&s, &len);
	if (len && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == len)
		return 0;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (!host_router_is_digit(s[i]))
			return 0;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(long long)v;
	else
		*out = (long long)v;
	return 1;
}

static int is_bool(const char *s, size_t len)
{
	trim(&s, &len);
	return (len == 4 && host_router_ascii_ncaseeq(s, "true", 4)) ||
	       (len == 5 && host_router_ascii_ncaseeq(s, "false", 5));
}

/* Digits with optional ',' group separators (AllowThousands), at position *i. */
static size_t digits_grouped(const char *s, size_t len, size_t *i, size_t *sig)
{
	size_t n = 0;
	for (; *i < len; (*i)++) {
		if (host_router_is_digit(s[*i])) {
			if (sig && (*sig || s[*i] != '0'))
				(*sig)++;
			n++;
		} else if (s[*i] != ',' || n == 0) {
			break;
		}
	}
	return n;
}

static size_t digits_plain(const char *s, size_t len, size_t *i)
{
	size_t n = 0;
	for (; *i < len && host_router_is_digit(s[*i]); (*i)++)
		n++;
	return n;
}

/* decimal.TryParse with NumberStyles.Number: no exponent, at most ~7.9e28. */
static int is_decimal(const char *s, size_t len)
{
	static const char max[] = "79228162514264337593543950335";
	size_t i = 0, n, sig = 0, start;
	int sign = 0;

	trim(&s, &len);
	if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = 1;
		i++;
	}
	start = i;
	n = digits_grouped(s, len, &i, &sig);
	if (sig > sizeof(max) - 1)
		return 0;
	if (sig == sizeof(max) - 1) {
		/* compare the significant digits (commas skipped) with the maximum */
		size_t j, k = 0;
		int cmp = 0;
		for (j = start; j < i && cmp == 0; j++) {
			if (!host_router_is_digit(s[j]) || (k == 0 && s[j] == '0'))
				continue;
			cmp = s[j] - max[k++];
		}
		if (cmp > 0)
			return 0;
	}
	if (i < len && s[i] == '.') {
		i++;
		n += digits_plain(s, len, &i);
	}
	if (n == 0)
		return 0;
	if (!sign && i < len && (s[i] == '+' || s[i] == '-'))
		i++; /* AllowTrailingSign */
	return i == len;
}

/* double.TryParse with NumberStyles.Float|AllowThousands; overflow gives infinity (accepted). */
static int is_double(const char *s, size_t len)
{
	size_t i = 0, n;

	trim(&s, &len);
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if ((len - i == 8 && host_router_ascii_ncaseeq(s + i, "infinity", 8)) ||
	    (len - i == 3 && host_router_ascii_ncaseeq(s + i, "nan", 3)) ||
	    (len - i == 3 && memcmp(s + i, "\xe2\x88\x9e", 3) == 0))
		return 1;
	n = digits_grouped(s, len, &i, NULL);
	if (i < len && s[i] == '.') {
		i++;
		n += digits_plain(s, len, &i);
	}
	if (n == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (digits_plain(s, len, &i) == 0)
			return 0;
	}
	return i == len;
}

/* Exactly n digits at *i as a number, or -1. */
static int fixed_digits(const char *s, size_t len, size_t *i, int n)
{
	int v = 0;
	for (; n > 0; n--, (*i)++) {
		if (*i >= len || !host_router_is_digit(s[*i]))
			return -1;
		v = v * 10 + (s[*i] - '0');
	}
	return v;
}

static int expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i < len && s[*i] == c) {
		(*i)++;
		return 1;
	}
	return 0;
}

/* ISO 8601: YYYY-MM-DD[(T| )hh:mm[:ss[.fff]]][Z|(+|-)hh[:]mm]. */
static int is_datetime(const char *s, size_t len)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t i = 0;
	int y, mo, d, h, mi, sec;

	trim(&s, &len);
	y = fixed_digits(s, len, &i, 4);
	if (y < 1 || !expect(s, len, &i, '-'))
		return 0;
	mo = fixed_digits(s, len, &i, 2);
	if (mo < 1 || mo > 12 || !expect(s, len, &i, '-'))
		return 0;
	d = fixed_digits(s, len, &i, 2);
	if (d < 1 || d > mdays[mo - 1])
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	if (i == len)
		return 1;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return 0;
	i++;
	h = fixed_digits(s, len, &i, 2);
	if (h < 0 || h > 23 || !expect(s, len, &i, ':'))
		return 0;
	mi = fixed_digits(s, len, &i, 2);
	if (mi < 0 || mi > 59)
		return 0;
	if (expect(s, len, &i, ':')) {
		sec = fixed_digits(s, len, &i, 2);
		if (sec < 0 || sec > 59)
			return 0;
		if (expect(s, len, &i, '.') && digits_plain(s, len, &i) == 0)
			return 0;
	}
	if (i == len)
		return 1;
	if (s[i] == 'Z' || s[i] == 'z')
		return i + 1 == len;
	if (s[i] != '+' && s[i] != '-')
		return 0;
	i++;
	h = fixed_digits(s, len, &i, 2);
	if (h < 0 || h > 14)
		return 0;
	expect(s, len, &i, ':');
	mi = fixed_digits(s, len, &i, 2);
	return mi >= 0 && mi <= 59 && i == len;
}

/* 8-4-4-4-12 hex digits. */
static int is_guid_d(const char *s)
{
	size_t i;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* Guid.TryParse formats N, D, B and P (not X). */
static int is_guid(const char *s, size_t len)
{
	size_t i;

	trim(&s, &len);
	if (len == 32) {
		for (i = 0; i < 32; i++)
			if (!is_hex(s[i]))
				return 0;
		return 1;
	}
	if (len == 36)
		return is_guid_d(s);
	if (len == 38 && ((s[0] == '{' && s[37] == '}') || (s[0] == '(' && s[37] == ')')))
		return is_guid_d(s + 1);
	return 0;
}

static int is_alpha(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		int c = host_router_lower((unsigned char)s[i]);
		if (c < 'a' || c > 'z')
			return 0;
	}
	return 1;
}

int host_router_check_constraint(const struct constraint *c, const char *v, size_t len,
				 struct rt_arena *a)
{
	long long n;

	switch (c->kind) {
	case C_INT:
		return parse_int64(v, len, &n) && n >= INT32_MIN && n <= INT32_MAX;
	case C_LONG:
		return parse_int64(v, len, &n);
	case C_BOOL:
		return is_bool(v, len);
	case C_DATETIME:
		return is_datetime(v, len);
	case C_DECIMAL:
		return is_decimal(v, len);
	case C_DOUBLE:
	case C_FLOAT:
		return is_double(v, len);
	case C_GUID:
		return is_guid(v, len);
	case C_ALPHA:
		return is_alpha(v, len);
	case C_REQUIRED:
		return len > 0;
	case C_MIN:
		return parse_int64(v, len, &n) && n >= c->a;
	case C_MAX:
		return parse_int64(v, len, &n) && n <= c->a;
	case C_RANGE:
		return parse_int64(v, len, &n) && n >= c->a && n <= c->b;
	case C_MINLENGTH:
		return (long long)rt_utf16_units(v, len) >= c->a;
	case C_MAXLENGTH:
		return (long long)rt_utf16_units(v, len) <= c->a;
	case C_LENGTH:
		n = (long long)rt_utf16_units(v, len);
		return n >= c->a && n <= c->b;
	case C_REGEX: {
		/* regexec() wants a C string; decoded values never contain NUL */
		char buf[256];
		char *z = len < sizeof(buf) ? buf : rt_arena_alloc(a, len + 1);
		memcpy(z, v, len);
		z[len] = '\0';
		return regexec(c->re, z, 0, NULL, 0) == 0;
	}
	}
	return 0;
}

/* ---- regex dialect: .NET shorthands -> POSIX ERE ---- */

/*
 * Translates one bracket expression starting at s[*ip] == '['. POSIX takes
 * '\' literally inside brackets and wants ']' first and '-' last, so the
 * items are collected first and the awkward characters placed afterwards.
 */
static int regex_bracket(const char *s, size_t *ip, struct sbuf *out, const char **why)
{
	struct sbuf items = { 0 };
	size_t i = *ip + 1;
	int neg = 0, rbr = 0, dash = 0, caret = 0, first = 1;

	if (s[i] == '^') {
		neg = 1;
		i++;
	}
	for (;; first = 0) {
		char c = s[i], e;
		if (!c) {
			*why = "missing ']' in regex";
			free(items.p);
			return -1;
		}
		if (c == ']' && !first) {
			i++;
			break;
		}
		if (c == '\\') {
			char d = s[i + 1];
			i += 2;
			switch (d) {
			case 'd':
				host_router_sb_puts(&items, "0-9");
				continue;
			case 'w':
				host_router_sb_puts(&items, "[:alnum:]_");
				continue;
			case 's':
				host_router_sb_puts(&items, "[:space:]");
				continue;
			case 't':
				c = '\t';
				break;
			case 'n':
				c = '\n';
				break;
			case '\0':
			case 'D':
			case 'W':
			case 'S':
				*why = "unsupported escape in a regex bracket expression";
				free(items.p);
				return -1;
			default:
				c = d;
			}
		} else {
			i++;
		}
		/* a range c-e */
		if (s[i] == '-' && s[i + 1] && s[i + 1] != ']') {
			e = s[i + 1];
			i += 2;
			if (e == '\\' && s[i]) {
				e = s[i];
				i++;
			}
			host_router_sb_putc(&items, c);
			host_router_sb_putc(&items, '-');
			host_router_sb_putc(&items, e);
			continue;
		}
		if (c == ']')
			rbr = 1;
		else if (c == '-')
			dash = 1;
		else if (c == '^')
			caret = 1;
		else
			host_router_sb_putc(&items, c);
	}
	if (!neg && !rbr && !items.len && caret && !dash) {
		host_router_sb_puts(out, "\\^");
	} else {
		host_router_sb_putc(out, '[');
		if (neg)
			host_router_sb_putc(out, '^');
		if (rbr)
			host_router_sb_putc(out, ']');
		if (!neg && !rbr && !items.len && caret) {
			/* only '-' and '^': "-" first keeps '^' literal */
			host_router_sb_puts(out, "-^");
			dash = 0;
			caret = 0;
		}
		if (items.len)
			host_router_sb_putn(out, items.p, items.len);
		if (caret)
			host_router_sb_putc(out, '^');
		if (dash)
			host_router_sb_putc(out, '-');
		host_router_sb_putc(out, ']');
	}
	free(items.p);
	*ip = i;
	return 0;
}

/*
 * A .NET pattern as an ERE for glibc, which already knows \w \W \s \S \b \B.
 * Lazy quantifiers and non-capturing groups only change what is captured,
 * not whether there is a match, so they can be simplified away.
 */
/* glibc's regcomp copies a pattern once per counted repetition, nested ones
 * multiplied: ((a{100}){100}){100} takes 200 MB and x+++... grows as 2^n
 * (found by fuzzing). .NET refuses nested quantifiers anyway; counts are
 * capped so their product stays small. */
#define REGEX_REPEAT_BUDGET 10000

static char *regex_translate(const char *s, const char **why)
{
	struct sbuf b = { 0 };
	size_t i = 0;
	int quant = 0; /* the previous token was a quantifier */
	long long budget = 1;

	host_router_sb_puts(&b, "");
	while (s[i]) {
		char c = s[i];
		int was_quant = quant;
		quant = 0;
		if (c == '\\') {
			char d = s[i + 1];
			if (!d) {
				*why = "regex ends with '\\'";
				goto fail;
			}
			if (d == 'd')
				host_router_sb_puts(&b, "[0-9]");
			else if (d == 'D')
				host_router_sb_puts(&b, "[^0-9]");
			else if (d == 'A')
				host_router_sb_putc(&b, '^');
			else if (d == 'z' || d == 'Z')
				host_router_sb_putc(&b, '$');
			else
				host_router_sb_putn(&b, s + i, 2);
			i += 2;
		} else if (c == '[') {
			if (regex_bracket(s, &i, &b, why) < 0)
				goto fail;
		} else if (c == '(' && s[i + 1] == '?') {
			if (s[i + 2] == ':') {
				host_router_sb_putc(&b, '(');
				i += 3;
			} else if (s[i + 2] == 'i' && s[i + 3] == ')') {
				i += 4; /* already case-insensitive */
			} else {
				*why = "unsupported regex construct '(?'";
				goto fail;
			}
		} else if (c == '?' && was_quant) {
			i++; /* lazy quantifier */
		} else if (was_quant && (c == '*' || c == '+' || c == '{')) {
			*why = "nested quantifier in regex";
			goto fail;
		} else if (c == '{') {
			/* {n}, {n,} or {n,m}: count it against the budget. */
			char *end;
			long long n = strtoll(s + i + 1, &end, 10), m = n;
			if (end == s + i + 1 || n < 0) {
				*why = "invalid repetition count in regex";
				goto fail;
			}
			if (*end == ',') {
				m = isdigit((unsigned char)end[1]) ? strtoll(end + 1, &end, 10) : n;
				if (*end == ',')
					end++;
			}
			if (*end != '}' || m < n) {
				*why = "invalid repetition count in regex";
				goto fail;
			}
			/* Cap first: strtoll saturates, and the product must not overflow. */
			if (m > 1000 || (budget *= m > 1 ? m : 1) > REGEX_REPEAT_BUDGET) {
				*why = "regex repetition counts are too large";
				goto fail;
			}
			host_router_sb_putn(&b, s + i, (size_t)(end - (s + i)) + 1);
			i = (size_t)(end - s) + 1;
			quant = 1;
		} else {
			quant = c == '*' || c == '+' || c == '?' || c == '}';
			host_router_sb_putc(&b, c);
			i++;
		}
	}
	return b.p;
fail:
	free(b.p);
	return NULL;
}

/* ---- compiling ---- */

struct cons_def {
	const char *name;
	enum cons_kind kind;
	int minargs, maxargs;
};

static const struct cons_def cons_defs[] = {
	{ "int", C_INT, 0, 0 },
	{ "long", C_LONG, 0, 0 },
	{ "bool", C_BOOL, 0, 0 },
	{ "datetime", C_DATETIME, 0, 0 },
	{ "decimal", C_DECIMAL, 0, 0 },
	{ "double", C_DOUBLE, 0, 0 },
	{ "float", C_FLOAT, 0, 0 },
	{ "guid", C_GUID, 0, 0 },
	{ "alpha", C_ALPHA, 0, 0 },
	{ "required", C_REQUIRED, 0, 0 },
	{ "min", C_MIN, 1, 1 },
	{ "max", C_MAX, 1, 1 },
	{ "range", C_RANGE, 2, 2 },
	{ "minlength", C_MINLENGTH, 1, 1 },
	{ "maxlength", C_MAXLENGTH, 1, 1 },
	{ "length", C_LENGTH, 1, 2 },
	{ "regex", C_REGEX, 1, 1 },
};

/* Compiles constraint `name` with argument text args[0..alen) (args NULL: no parentheses). */
int host_router_compile_constraint(struct constraint *c, const char *name, size_t nlen,
				   const char *args, size_t alen, char **why)
{
	const struct cons_def *def = NULL;
	long long v[2] = {0, 0};
	size_t i, k, nargs;

	for (i = 0; i < sizeof(cons_defs) / sizeof(cons_defs[0]); i++) {
		if (strlen(cons_defs[i].name) == nlen &&
		    host_router_ascii_ncaseeq(cons_defs[i].name, name, nlen)) {
			def = &cons_defs[i];
			break;
		}
	}
	if (nlen == 0) {
		*why = xstrdup("empty inline constraint");
		return -1;
	}
	if (!def) {
		*why = xasprintf("unknown inline constraint '%.*s'", (int)nlen, name);
		return -1;
	}
	memset(c, 0, sizeof(*c));
	c->kind = def->kind;
	if (def->maxargs == 0) {
		if (args) {
			*why = xasprintf("inline constraint '%s' takes no argument", def->name);
			return -1;
		}
		return 0;
	}
	if (!args) {
		*why = xasprintf("inline constraint '%s' needs an argument: %s(...)", def->name,
				 def->name);
		return -1;
	}
	if (def->kind == C_REGEX) {
		const char *tw = NULL;
		char *pat = xstrndup(args, alen), *ere;
		int rc;
		if (alen == 0) {
			free(pat);
			*why = xstrdup("empty regex in inline constraint 'regex'");
			return -1;
		}
		ere = regex_translate(pat, &tw);
		if (!ere) {
			*why = xasprintf("invalid regex '%s': %s", pat, tw);
			free(pat);
			return -1;
		}
		c->re = xmalloc(sizeof(*c->re));
		rc = regcomp(c->re, ere, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0) {
			char msg[128];
			regerror(rc, c->re, msg, sizeof(msg));
			*why = xasprintf("invalid regex '%s': %s", pat, msg);
			free(c->re);
			c->re = NULL;
		}
		free(ere);
		free(pat);
		return c->re ? 0 : -1;
	}
	/* comma-separated integers */
	for (i = 0, nargs = 1; i < alen; i++)
		nargs += args[i] == ',';
	if ((int)nargs < def->minargs || (int)nargs > def->maxargs) {
		*why = xasprintf("inline constraint '%s' takes %s%d argument%s, not %zu", def->name,
				 def->minargs != def->maxargs ? "1 or " : "", def->maxargs,
				 def->maxargs == 1 ? "" : "s", nargs);
		return -1;
	}
	for (i = 0, k = 0; k < nargs; k++) {
		const char *comma = memchr(args + i, ',', alen - i);
		size_t end = comma ? (size_t)(comma - args) : alen;
		if (!parse_int64(args + i, end - i, &v[k])) {
			*why = xasprintf("invalid argument '%.*s' for inline constraint '%s': "
					 "not an integer",
					 (int)alen, args, def->name);
			return -1;
		}
		i = end + 1;
	}
	c->a = v[0];
	c->b = nargs == 2 ? v[1] : v[0];
	if ((def->kind == C_MINLENGTH || def->kind == C_MAXLENGTH || def->kind == C_LENGTH) &&
	    (c->a < 0 || c->b < 0)) {
		*why = xasprintf("inline constraint '%s' needs lengths >= 0", def->name);
		return -1;
	}
	if (c->a > c->b) {
		*why = xasprintf("inline constraint '%s': minimum %lld is above maximum %lld",
				 def->name, c->a, c->b);
		return -1;
	}
	return 0;
}
