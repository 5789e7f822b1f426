/*
 * router.c - compiles ASP.NET Core route templates and matches request paths.
 *
 * A route owns its template text, its normalised method list, the parsed
 * segments (each a list of literal and parameter parts) and the parameters
 * with their compiled constraints; the router owns an array of route
 * pointers so sorting moves pointers only. After host_router_sort() nothing
 * is written any more, so matching is lock-free; regexec() on a shared
 * compiled regex is thread-safe in glibc.
 *
 * Matching never allocates on the heap: the request path is decoded once
 * into an arena buffer (segments stay separated by '/', so a catch-all value
 * is a plain span of it), candidate values are spans into that buffer, and
 * only the winning route's values are copied into the arena as C strings.
 */
#include "router.h"

#include "arena.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <assert.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cons_kind {
	C_INT,
	C_LONG,
	C_BOOL,
	C_DATETIME,
	C_DECIMAL,
	C_DOUBLE,
	C_FLOAT,
	C_GUID,
	C_ALPHA,
	C_REQUIRED,
	C_MIN,
	C_MAX,
	C_RANGE,
	C_MINLENGTH,
	C_MAXLENGTH,
	C_LENGTH, /* length(n) is stored as length(n,n) */
	C_REGEX,
};

struct constraint {
	enum cons_kind kind;
	long long a, b; /* numeric arguments */
	regex_t *re;    /* C_REGEX only; on the heap so the array may move */
};

struct param {
	char *name;
	char *defval; /* NULL when the template gives none */
	int optional;
	int catchall;
	struct constraint *cons;
	size_t ncons;
};

enum part_kind { PART_LITERAL, PART_PARAM };

struct part {
	enum part_kind kind;
	char *lit; /* unescaped literal text */
	size_t litlen;
	size_t param; /* index into route.params */
};

enum seg_kind { SEG_LITERAL, SEG_COMPLEX, SEG_PARAM, SEG_CATCHALL };

struct segment {
	enum seg_kind kind; /* also the precedence rank: lower goes first */
	struct part *parts;
	size_t nparts;
};

struct route {
	char *tmpl;
	char *methods;  /* "GET,POST", or NULL for every method */
	char **mlist;   /* the same, split */
	size_t nmethods;
	void *target;
	size_t order; /* registration order, the last tie-breaker */
	struct segment *segs;
	size_t nsegs;
	struct param *params;
	size_t nparams;
};

struct host_router {
	struct route **routes;
	size_t n, cap;
	size_t maxparams;
};

/* A piece of the decoded request path (not NUL-terminated). */
struct span {
	const char *p;
	size_t len;
	int set;
};

/* ---- small helpers ---- */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ASCII only: strcasecmp() follows the locale (Turkish dotless i). */
static int ascii_ncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = lower((unsigned char)*a), y = lower((unsigned char)*b);
		if (x != y || !x)
			return x - y;
	}
}

static int is_ws(char c)
{
	/* .NET number parsing skips U+0009-U+000D and U+0020 */
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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

/* A growable string for the template parser and the regex translation. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
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
		if (!is_digit(s[i]))
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
	return (len == 4 && ascii_ncaseeq(s, "true", 4)) || (len == 5 && ascii_ncaseeq(s, "false", 5));
}

/* Digits with optional ',' group separators (AllowThousands), at position *i. */
static size_t digits_grouped(const char *s, size_t len, size_t *i, size_t *sig)
{
	size_t n = 0;
	for (; *i < len; (*i)++) {
		if (is_digit(s[*i])) {
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
	for (; *i < len && is_digit(s[*i]); (*i)++)
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
			if (!is_digit(s[j]) || (k == 0 && s[j] == '0'))
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
	if ((len - i == 8 && ascii_ncaseeq(s + i, "infinity", 8)) ||
	    (len - i == 3 && ascii_ncaseeq(s + i, "nan", 3)) ||
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
		if (*i >= len || !is_digit(s[*i]))
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
		int c = lower((unsigned char)s[i]);
		if (c < 'a' || c > 'z')
			return 0;
	}
	return 1;
}

/* .NET string length: UTF-16 code units, so 4-byte UTF-8 sequences count twice. */
static size_t utf16_len(const char *s, size_t len)
{
	size_t i, n = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80)
			n += c >= 0xF0 && c <= 0xF4 ? 2 : 1;
	}
	return n;
}

static int check(const struct constraint *c, const char *v, size_t len, struct rt_arena *a)
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
		return (long long)utf16_len(v, len) >= c->a;
	case C_MAXLENGTH:
		return (long long)utf16_len(v, len) <= c->a;
	case C_LENGTH:
		n = (long long)utf16_len(v, len);
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
				sb_puts(&items, "0-9");
				continue;
			case 'w':
				sb_puts(&items, "[:alnum:]_");
				continue;
			case 's':
				sb_puts(&items, "[:space:]");
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
			sb_putc(&items, c);
			sb_putc(&items, '-');
			sb_putc(&items, e);
			continue;
		}
		if (c == ']')
			rbr = 1;
		else if (c == '-')
			dash = 1;
		else if (c == '^')
			caret = 1;
		else
			sb_putc(&items, c);
	}
	if (!neg && !rbr && !items.len && caret && !dash) {
		sb_puts(out, "\\^");
	} else {
		sb_putc(out, '[');
		if (neg)
			sb_putc(out, '^');
		if (rbr)
			sb_putc(out, ']');
		if (!neg && !rbr && !items.len && caret) {
			sb_puts(out, "-^"); /* only '-' and '^': "-" first keeps '^' literal */
			dash = 0;
			caret = 0;
		}
		if (items.len)
			sb_putn(out, items.p, items.len);
		if (caret)
			sb_putc(out, '^');
		if (dash)
			sb_putc(out, '-');
		sb_putc(out, ']');
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
static char *regex_translate(const char *s, const char **why)
{
	struct sbuf b = { 0 };
	size_t i = 0;
	int quant = 0; /* the previous token was a quantifier */

	sb_puts(&b, "");
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
				sb_puts(&b, "[0-9]");
			else if (d == 'D')
				sb_puts(&b, "[^0-9]");
			else if (d == 'A')
				sb_putc(&b, '^');
			else if (d == 'z' || d == 'Z')
				sb_putc(&b, '$');
			else
				sb_putn(&b, s + i, 2);
			i += 2;
		} else if (c == '[') {
			if (regex_bracket(s, &i, &b, why) < 0)
				goto fail;
		} else if (c == '(' && s[i + 1] == '?') {
			if (s[i + 2] == ':') {
				sb_putc(&b, '(');
				i += 3;
			} else if (s[i + 2] == 'i' && s[i + 3] == ')') {
				i += 4; /* already case-insensitive */
			} else {
				*why = "unsupported regex construct '(?'";
				goto fail;
			}
		} else if (c == '?' && was_quant) {
			i++; /* lazy quantifier */
		} else {
			quant = c == '*' || c == '+' || c == '?' || c == '}';
			sb_putc(&b, c);
			i++;
		}
	}
	return b.p;
fail:
	free(b.p);
	return NULL;
}

/* ---- template parsing ---- */

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
static int compile_constraint(struct constraint *c, const char *name, size_t nlen, const char *args,
			      size_t alen, char **why)
{
	const struct cons_def *def = NULL;
	long long v[2] = {0, 0};
	size_t i, k, nargs;

	for (i = 0; i < sizeof(cons_defs) / sizeof(cons_defs[0]); i++) {
		if (strlen(cons_defs[i].name) == nlen && ascii_ncaseeq(cons_defs[i].name, name, nlen)) {
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

static void param_cleanup(struct param *p)
{
	size_t i;
	for (i = 0; i < p->ncons; i++) {
		if (p->cons[i].re) {
			regfree(p->cons[i].re);
			free(p->cons[i].re);
		}
	}
	free(p->cons);
	free(p->name);
	free(p->defval);
}

/*
 * Parses the text between the braces (escapes already undone):
 * [*|**]name[:constraint[(args)]]...[=default][?]
 */
static int parse_param(struct param *p, const char *raw, char **why)
{
	const char *s = raw, *rest;
	size_t nlen, i;

	memset(p, 0, sizeof(*p));
	if (*s == '*') {
		p->catchall = 1;
		s += s[1] == '*' ? 2 : 1;
	}
	nlen = strcspn(s, ":=");
	rest = s + nlen;
	if (*rest == '\0' && nlen > 0 && s[nlen - 1] == '?') {
		p->optional = 1;
		nlen--;
	}
	if (nlen == 0) {
		*why = xasprintf("empty parameter name in '{%s}'", raw);
		return -1;
	}
	for (i = 0; i < nlen; i++) {
		if (s[i] == '/' || s[i] == '{' || s[i] == '}' || s[i] == '?' || s[i] == '*') {
			*why = xasprintf("invalid parameter name '%.*s': '?' may only end it (optional), "
					 "'*' only start it (catch-all), '/', '{' and '}' are not allowed",
					 (int)nlen, s);
			return -1;
		}
	}
	p->name = xstrndup(s, nlen);

	while (*rest == ':') {
		const char *c = ++rest, *args = NULL;
		size_t k = 0, alen = 0, end;
		while (c[k] && c[k] != ':' && c[k] != '=' && c[k] != '(' &&
		       !(c[k] == '?' && c[k + 1] == '\0'))
			k++;
		end = k;
		if (c[k] == '(') {
			/* the ')' that ends the arguments is followed by the end, ':', '=' or a final '?' */
			size_t j;
			for (j = k + 1; c[j]; j++) {
				if (c[j] == ')' && (c[j + 1] == '\0' || c[j + 1] == ':' || c[j + 1] == '=' ||
						    (c[j + 1] == '?' && c[j + 2] == '\0')))
					break;
			}
			if (!c[j]) {
				*why = xasprintf("missing ')' in inline constraint '%s' of parameter '%s'",
						 c, p->name);
				return -1;
			}
			args = c + k + 1;
			alen = j - k - 1;
			end = j + 1;
		}
		p->cons = xrealloc(p->cons, (p->ncons + 1) * sizeof(*p->cons));
		if (compile_constraint(&p->cons[p->ncons], c, k, args, alen, why) < 0) {
			char *w = *why;
			*why = xasprintf("parameter '%s': %s", p->name, w);
			free(w);
			return -1;
		}
		p->ncons++;
		rest = c + end;
	}
	if (*rest == '=') {
		size_t dlen = strlen(rest + 1);
		if (dlen && rest[dlen] == '?') {
			*why = xasprintf("optional parameter '%s' cannot have a default value", p->name);
			return -1;
		}
		p->defval = xstrndup(rest + 1, dlen);
	} else if (*rest == '?' && rest[1] == '\0') {
		p->optional = 1;
	} else if (*rest) {
		*why = xasprintf("unexpected '%s' in parameter '%s'", rest, p->name);
		return -1;
	}
	if (p->optional && p->defval) {
		*why = xasprintf("optional parameter '%s' cannot have a default value", p->name);
		return -1;
	}
	if (p->catchall && p->optional) {
		*why = xasprintf("catch-all parameter '%s' cannot be marked optional (it already is)",
				 p->name);
		return -1;
	}
	return 0;
}

static void part_add(struct segment *sg, enum part_kind kind, const char *lit, size_t litlen,
		     size_t param)
{
	struct part *pt;
	sg->parts = xrealloc(sg->parts, (sg->nparts + 1) * sizeof(*sg->parts));
	pt = &sg->parts[sg->nparts++];
	pt->kind = kind;
	pt->lit = lit ? xstrndup(lit, litlen) : NULL;
	pt->litlen = litlen;
	pt->param = param;
}

/* Reads "{...}" at t[*ip], undoing "{{" and "}}"; the raw text goes to *raw (malloc'd). */
static int read_param(const char *t, size_t *ip, char **raw, char **why)
{
	struct sbuf b = { 0 };
	size_t i = *ip + 1;

	sb_puts(&b, "");
	for (;;) {
		char c = t[i];
		if (c == '\0') {
			*why = xasprintf("missing '}' for the parameter starting at '%s'", t + *ip);
			goto fail;
		}
		if (c == '{') {
			if (t[i + 1] != '{') {
				*why = xasprintf("unescaped '{' inside a parameter at '%s' (write '{{')",
						 t + i);
				goto fail;
			}
			i++;
		} else if (c == '}') {
			if (t[i + 1] != '}') {
				i++;
				break;
			}
			i++;
		}
		sb_putc(&b, c);
		i++;
	}
	*ip = i;
	*raw = b.p;
	return 0;
fail:
	free(b.p);
	return -1;
}

/* Checks the parts of one segment and sets its kind. */
static int segment_finish(struct route *rt, struct segment *sg, int last, char **why)
{
	size_t i;

	if (sg->nparts == 1) {
		if (sg->parts[0].kind == PART_LITERAL) {
			sg->kind = SEG_LITERAL;
			return 0;
		}
		struct param *p = &rt->params[sg->parts[0].param];
		sg->kind = p->catchall ? SEG_CATCHALL : SEG_PARAM;
		if (p->catchall && !last) {
			*why = xasprintf("catch-all parameter '%s' must be in the last segment", p->name);
			return -1;
		}
		return 0;
	}
	sg->kind = SEG_COMPLEX;
	for (i = 0; i < sg->nparts; i++) {
		const struct part *pt = &sg->parts[i];
		if (pt->kind != PART_PARAM)
			continue;
		const struct param *p = &rt->params[pt->param];
		if (p->catchall) {
			*why = xasprintf("catch-all parameter '%s' cannot share its segment with "
					 "other text or parameters",
					 p->name);
			return -1;
		}
		if (i > 0 && sg->parts[i - 1].kind == PART_PARAM) {
			*why = xasprintf("parameters '%s' and '%s' follow each other in one segment; "
					 "separate them with '/' or literal text",
					 rt->params[sg->parts[i - 1].param].name, p->name);
			return -1;
		}
		if (p->optional) {
			if (i != sg->nparts - 1) {
				*why = xasprintf("optional parameter '%s' must be at the end of its "
						 "segment",
						 p->name);
				return -1;
			}
			if (i == 0 || sg->parts[i - 1].kind != PART_LITERAL ||
			    strcmp(sg->parts[i - 1].lit, ".") != 0) {
				*why = xasprintf("optional parameter '%s' inside a segment can only "
						 "follow a period '.'",
						 p->name);
				return -1;
			}
		}
	}
	return 0;
}

/* A segment that may be missing from the request: a lone optional/default/catch-all parameter. */
static int segment_omittable(const struct route *rt, const struct segment *sg)
{
	const struct param *p;
	if (sg->kind != SEG_PARAM && sg->kind != SEG_CATCHALL)
		return 0;
	p = &rt->params[sg->parts[0].param];
	return p->optional || p->defval || p->catchall;
}

static int parse_template(struct route *rt, const char *tmpl, char **why)
{
	const char *t = tmpl;
	struct sbuf lit = { 0 };
	size_t i = 0, j;
	int rc = -1;

	if (t[0] == '~' && t[1] == '/')
		t += 2;
	else if (t[0] == '/')
		t++;
	while (t[i]) {
		struct segment *sg;
		rt->segs = xrealloc(rt->segs, (rt->nsegs + 1) * sizeof(*rt->segs));
		sg = &rt->segs[rt->nsegs++];
		memset(sg, 0, sizeof(*sg));
		lit.len = 0;
		while (t[i] && t[i] != '/') {
			char c = t[i];
			if (c == '{' && t[i + 1] != '{') {
				char *raw = NULL;
				struct param p;
				if (lit.len) {
					part_add(sg, PART_LITERAL, lit.p, lit.len, 0);
					lit.len = 0;
				}
				if (read_param(t, &i, &raw, why) < 0)
					goto out;
				if (parse_param(&p, raw, why) < 0) {
					param_cleanup(&p);
					free(raw);
					goto out;
				}
				free(raw);
				for (j = 0; j < rt->nparams; j++) {
					if (ascii_casecmp(rt->params[j].name, p.name) == 0) {
						*why = xasprintf("parameter name '%s' appears more than "
								 "once",
								 p.name);
						param_cleanup(&p);
						goto out;
					}
				}
				rt->params = xrealloc(rt->params, (rt->nparams + 1) * sizeof(*rt->params));
				rt->params[rt->nparams] = p;
				part_add(sg, PART_PARAM, NULL, 0, rt->nparams++);
				continue;
			}
			if (c == '}' && t[i + 1] != '}') {
				*why = xasprintf("unmatched '}' at '%s' (write '}}' for a literal brace)",
						 t + i);
				goto out;
			}
			if (c == '?') {
				*why = xstrdup("literal text cannot contain '?'");
				goto out;
			}
			sb_putc(&lit, c);
			i += c == '{' || c == '}' ? 2 : 1;
		}
		if (lit.len)
			part_add(sg, PART_LITERAL, lit.p, lit.len, 0);
		if (sg->nparts == 0) {
			*why = xstrdup("empty segment: '/' cannot appear twice in a row");
			goto out;
		}
		if (t[i] == '/')
			i++; /* a '/' right before the end is the one trailing '/' we ignore */
		if (segment_finish(rt, sg, t[i] == '\0', why) < 0)
			goto out;
	}
	/* A segment may only be omitted from the request if every later one can be too. */
	for (j = 0; j + 1 < rt->nsegs; j++) {
		const struct segment *sg = &rt->segs[j];
		if (sg->kind == SEG_PARAM && rt->params[sg->parts[0].param].optional &&
		    !segment_omittable(rt, &rt->segs[j + 1])) {
			*why = xasprintf("optional parameter '%s' must not be followed by a required "
					 "segment",
					 rt->params[sg->parts[0].param].name);
			goto out;
		}
	}
	rc = 0;
out:
	free(lit.p);
	return rc;
}

/* RFC 9110 token characters. */
static int is_tchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int parse_methods(struct route *rt, const char *methods, char **why)
{
	struct sbuf b = { 0 };
	const char *s = methods;

	if (!methods)
		return 0;
	while (*s) {
		size_t n = 0, k;
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		while (s[n] && s[n] != ',' && s[n] != ' ' && s[n] != '\t')
			n++;
		if (n == 0)
			break;
		for (k = 0; k < n; k++) {
			if (!is_tchar(s[k])) {
				*why = xasprintf("invalid HTTP method '%.*s'", (int)n, s);
				free(b.p);
				return -1;
			}
		}
		rt->mlist = xrealloc(rt->mlist, (rt->nmethods + 1) * sizeof(*rt->mlist));
		char *m = xstrndup(s, n);
		for (k = 0; k < n; k++)
			m[k] = (char)(m[k] >= 'a' && m[k] <= 'z' ? m[k] - 32 : m[k]);
		rt->mlist[rt->nmethods++] = m;
		if (b.len)
			sb_putc(&b, ',');
		sb_puts(&b, m);
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s && *s != ',') {
			*why = xasprintf("invalid HTTP method list '%s': separate methods with ','",
					 methods);
			free(b.p);
			return -1;
		}
	}
	rt->methods = b.p;
	return 0;
}

static void route_free(struct route *rt)
{
	size_t i, j;

	for (i = 0; i < rt->nsegs; i++) {
		for (j = 0; j < rt->segs[i].nparts; j++)
			free(rt->segs[i].parts[j].lit);
		free(rt->segs[i].parts);
	}
	free(rt->segs);
	for (i = 0; i < rt->nparams; i++)
		param_cleanup(&rt->params[i]);
	free(rt->params);
	for (i = 0; i < rt->nmethods; i++)
		free(rt->mlist[i]);
	free(rt->mlist);
	free(rt->methods);
	free(rt->tmpl);
	free(rt);
}

/* ---- public: building ---- */

struct host_router *host_router_new(void)
{
	return xcalloc(1, sizeof(struct host_router));
}

void host_router_free(struct host_router *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		route_free(r->routes[i]);
	free(r->routes);
	free(r);
}

int host_router_add(struct host_router *r, const char *tmpl, const char *methods, void *target,
		    char **err)
{
	struct route *rt = xcalloc(1, sizeof(*rt));
	char *why = NULL;

	if (parse_template(rt, tmpl, &why) < 0) {
		*err = xasprintf("invalid route template '%s': %s", tmpl, why);
		goto fail;
	}
	if (parse_methods(rt, methods, &why) < 0) {
		*err = xasprintf("route '%s': %s", tmpl, why);
		goto fail;
	}
	rt->tmpl = xstrdup(tmpl);
	rt->target = target;
	rt->order = r->n;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->routes = xrealloc(r->routes, r->cap * sizeof(*r->routes));
	}
	r->routes[r->n++] = rt;
	if (rt->nparams > r->maxparams)
		r->maxparams = rt->nparams;
	return 0;
fail:
	free(why);
	route_free(rt);
	return -1;
}

static int route_cmp(const void *pa, const void *pb)
{
	const struct route *a = *(const struct route *const *)pa;
	const struct route *b = *(const struct route *const *)pb;
	size_t i, n = a->nsegs < b->nsegs ? a->nsegs : b->nsegs;

	for (i = 0; i < n; i++) {
		const struct segment *x = &a->segs[i], *y = &b->segs[i];
		int c;
		if (x->kind != y->kind)
			return (int)x->kind - (int)y->kind;
		if (x->kind == SEG_LITERAL) {
			c = ascii_casecmp(x->parts[0].lit, y->parts[0].lit);
			if (c)
				return c;
		} else if (x->kind == SEG_PARAM || x->kind == SEG_CATCHALL) {
			size_t cx = a->params[x->parts[0].param].ncons;
			size_t cy = b->params[y->parts[0].param].ncons;
			if (cx != cy)
				return cx > cy ? -1 : 1;
		}
	}
	if (a->nsegs != b->nsegs)
		return a->nsegs > b->nsegs ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

void host_router_sort(struct host_router *r)
{
	if (r->n > 1)
		qsort(r->routes, r->n, sizeof(*r->routes), route_cmp);
}

/* ---- public: matching ---- */

/* The request path split and decoded: segment i is seg[i] (spans into one buffer). */
struct reqpath {
	struct span *seg;
	size_t n;
	const char *end; /* end of the last segment in the buffer */
};

static int split_path(struct reqpath *rp, const char *path, size_t len, struct rt_arena *a)
{
	const char *q = memchr(path, '?', len);
	size_t i, start, n = 1, o = 0;
	char *buf;

	if (q)
		len = (size_t)(q - path);
	if (len && path[0] == '/') {
		path++;
		len--;
	}
	rp->n = 0;
	rp->seg = NULL;
	if (len == 0) {
		rp->end = "";
		return 0;
	}
	for (i = 0; i < len; i++)
		n += path[i] == '/';
	if (path[len - 1] == '/') {
		/* one trailing slash is ignored */
		len--;
		n--;
	}
	rp->seg = rt_arena_alloc(a, n * sizeof(*rp->seg));
	buf = rt_arena_alloc(a, len + 1);
	for (start = 0, i = 0; i <= len; i++) {
		size_t dlen;
		if (i < len && path[i] != '/')
			continue;
		if (bind_urlcodec_decode_segment(buf + o, path + start, i - start, &dlen) < 0)
			return -1;
		rp->seg[rp->n].p = buf + o;
		rp->seg[rp->n].len = dlen;
		rp->seg[rp->n].set = 1;
		rp->n++;
		o += dlen;
		if (i < len)
			buf[o++] = '/';
		start = i + 1;
	}
	rp->end = buf + o;
	return 0;
}

static int method_ok(const struct route *rt, const char *method, size_t len)
{
	size_t i;
	if (!rt->nmethods)
		return 1;
	for (i = 0; i < rt->nmethods; i++)
		if (strlen(rt->mlist[i]) == len && ascii_ncaseeq(rt->mlist[i], method, len))
			return 1;
	return 0;
}

/* Last occurrence of lit, entirely inside s[0..limit), ASCII case-insensitive; -1 if none. */
static long last_index(const char *s, size_t limit, const char *lit, size_t litlen)
{
	size_t i;
	if (litlen > limit)
		return -1;
	for (i = limit - litlen + 1; i-- > 0;)
		if (ascii_ncaseeq(s + i, lit, litlen))
			return (long)i;
	return -1;
}

/*
 * Complex segment, parts[0..last] against s[0..len), right to left as
 * ASP.NET does: each literal is searched from the end of what is left (one
 * character is kept back for a parameter waiting on its right), and the
 * parameter between two literals takes the text between them; the leftmost
 * parameter takes everything that remains.
 */
static int complex_core(const struct segment *sg, const char *s, size_t len, struct span *vals,
			size_t last)
{
	const struct part *pending = NULL, *lit = NULL;
	size_t end = len, idx = last + 1;

	while (idx-- > 0) {
		const struct part *pt = &sg->parts[idx];
		size_t newend = end;
		if (pt->kind == PART_PARAM) {
			pending = pt;
		} else {
			size_t limit = end;
			long pos;
			lit = pt;
			if (pending && limit > 0)
				limit--;
			if (limit == 0)
				return 0;
			pos = last_index(s, limit, pt->lit, pt->litlen);
			if (pos < 0)
				return 0;
			/* a trailing literal must end the segment ("x.json" is not "x.json5") */
			if (idx == sg->nparts - 1 && (size_t)pos + pt->litlen != len)
				return 0;
			newend = (size_t)pos;
		}
		if (pending && ((lit && pt->kind == PART_LITERAL) || idx == 0)) {
			size_t from = 0, n = end;
			if (lit && pt->kind == PART_LITERAL) {
				from = newend + lit->litlen;
				n = end - from;
			}
			if (n == 0)
				return 0;
			vals[pending->param].p = s + from;
			vals[pending->param].len = n;
			vals[pending->param].set = 1;
			pending = NULL;
			lit = NULL;
		}
		end = newend;
	}
	/* a leading literal must start the segment ("ax.json" is not "x.json") */
	return end == 0 || sg->parts[0].kind == PART_PARAM;
}

static int complex_match(const struct route *rt, const struct segment *sg, const char *s,
			 size_t len, struct span *vals)
{
	size_t i, last = sg->nparts - 1;
	const struct part *lp = &sg->parts[last], *sep;

	if (lp->kind != PART_PARAM || !rt->params[lp->param].optional)
		return complex_core(sg, s, len, vals, last);
	/* "{name}.{ext?}": try with the extension, then without "." and it */
	if (complex_core(sg, s, len, vals, last))
		return 1;
	sep = &sg->parts[last - 1];
	if (len >= sep->litlen && ascii_ncaseeq(s + len - sep->litlen, sep->lit, sep->litlen))
		return 0; /* "file." */
	for (i = 0; i < sg->nparts; i++)
		if (sg->parts[i].kind == PART_PARAM)
			vals[sg->parts[i].param].set = 0;
	if (last < 2)
		return 0;
	return complex_core(sg, s, len, vals, last - 2);
}

/* Template segments against request segments; values land in vals (spans). */
static int route_match(const struct route *rt, const struct reqpath *rp, struct span *vals)
{
	size_t i;

	for (i = 0; i < rt->nparams; i++)
		vals[i].set = 0;
	for (i = 0; i < rt->nsegs; i++) {
		const struct segment *sg = &rt->segs[i];
		const struct span *s;
		if (sg->kind == SEG_CATCHALL) {
			if (i < rp->n && rp->end > rp->seg[i].p) {
				struct span *v = &vals[sg->parts[0].param];
				v->p = rp->seg[i].p;
				v->len = (size_t)(rp->end - rp->seg[i].p);
				v->set = 1;
			}
			return 1;
		}
		if (i >= rp->n) {
			if (!segment_omittable(rt, sg))
				return 0;
			continue;
		}
		s = &rp->seg[i];
		if (s->len == 0)
			return 0;
		switch (sg->kind) {
		case SEG_LITERAL:
			if (s->len != sg->parts[0].litlen ||
			    !ascii_ncaseeq(s->p, sg->parts[0].lit, s->len))
				return 0;
			break;
		case SEG_PARAM:
			vals[sg->parts[0].param] = *s;
			break;
		case SEG_COMPLEX:
			if (!complex_match(rt, sg, s->p, s->len, vals))
				return 0;
			break;
		case SEG_CATCHALL:
			break;
		}
	}
	return rp->n <= rt->nsegs;
}

/* Defaults, then constraints; on success the final values go to *m. */
static int route_finish(const struct route *rt, struct span *vals, struct host_route_match *m,
			struct rt_arena *a)
{
	size_t i, k;

	for (i = 0; i < rt->nparams; i++) {
		const struct param *p = &rt->params[i];
		if (!vals[i].set && p->defval) {
			vals[i].p = p->defval;
			vals[i].len = strlen(p->defval);
			vals[i].set = 1;
		}
		for (k = 0; k < p->ncons; k++) {
			if (!vals[i].set) {
				if (p->cons[k].kind == C_REQUIRED)
					return 0;
				continue;
			}
			if (!check(&p->cons[k], vals[i].p, vals[i].len, a))
				return 0;
		}
	}
	m->target = rt->target;
	m->nparams = rt->nparams;
	m->params = rt->nparams ? rt_arena_alloc(a, rt->nparams * sizeof(*m->params)) : NULL;
	for (i = 0; i < rt->nparams; i++) {
		m->params[i].name = rt_arena_strdup(a, rt->params[i].name);
		m->params[i].value = vals[i].set ? rt_arena_strndup(a, vals[i].p, vals[i].len) : NULL;
	}
	return 1;
}

int host_router_match(const struct host_router *r, const char *method, size_t method_len,
		      const char *path, size_t path_len, struct host_route_match *m,
		      struct rt_arena *a)
{
	struct reqpath rp;
	struct span *vals;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (split_path(&rp, path, path_len, a) < 0)
		return -1;
	vals = rt_arena_alloc(a, (r->maxparams ? r->maxparams : 1) * sizeof(*vals));
	for (i = 0; i < r->n; i++) {
		const struct route *rt = r->routes[i];
		if (!method_ok(rt, method, method_len))
			continue;
		if (route_match(rt, &rp, vals) && route_finish(rt, vals, m, a)) {
			m->route = i;
			return 1;
		}
	}
	return 0;
}

const struct host_route_param *host_router_param(const struct host_route_match *m,
						 const char *name)
{
	size_t i;
	for (i = 0; i < m->nparams; i++)
		if (ascii_casecmp(m->params[i].name, name) == 0)
			return &m->params[i];
	return NULL;
}

/* ---- public: listing ---- */

size_t host_router_count(const struct host_router *r)
{
	return r->n;
}

const char *host_router_template(const struct host_router *r, size_t i)
{
	assert(i < r->n);
	return r->routes[i]->tmpl;
}

const char *host_router_methods(const struct host_router *r, size_t i)
{
	assert(i < r->n);
	return r->routes[i]->methods;
}

void *host_router_target(const struct host_router *r, size_t i)
{
	assert(i < r->n);
	return r->routes[i]->target;
}
