/*
 * router_int.h - what router.c (building, sorting, matching),
 * router_template.c (template and method-list parsing),
 * router_constraints.c (inline constraints, regex translation) and
 * router_text.c (ASCII helpers, growable string) share.
 * Not for use outside host/router*.c.
 */
#ifndef HOST_ROUTER_INT_H
#define HOST_ROUTER_INT_H

#include <pthread.h>
#include <regex.h>
#include <stddef.h>

#include "host/http/router.h"

struct rt_arena;

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
	pthread_rwlock_t lock; /* written by host_router_replace only */
};

/* A growable string for the template parser and the regex translation. */
struct sbuf {
	char *p;
	size_t len, cap;
};

/* router_text.c (comparisons are ASCII only: strcasecmp() follows the locale) */
int host_router_lower(int c);
int host_router_ascii_ncaseeq(const char *a, const char *b, size_t n);
int host_router_ascii_casecmp(const char *a, const char *b);
int host_router_is_digit(char c);
void host_router_sb_putn(struct sbuf *b, const char *s, size_t n);
void host_router_sb_putc(struct sbuf *b, char c);
void host_router_sb_puts(struct sbuf *b, const char *s);

/* router_constraints.c */
/* Compiles constraint `name` with argument text args[0..alen) (args NULL: no parentheses). */
int host_router_compile_constraint(struct constraint *c, const char *name, size_t nlen,
				   const char *args, size_t alen, char **why);
/* Whether v[0..len) (not NUL-terminated) passes c; a long regex subject goes to `a`. */
int host_router_check_constraint(const struct constraint *c, const char *v, size_t len,
				 struct rt_arena *a);

/* router_template.c */
/* Parses `tmpl` into rt's segments and parameters; -1 with a malloc'd *why. */
int host_router_parse_template(struct route *rt, const char *tmpl, char **why);
/* Parses a comma-separated method list (NULL: every method); -1 with a malloc'd *why. */
int host_router_parse_methods(struct route *rt, const char *methods, char **why);
/* A segment that may be missing from the request: a lone optional/default/catch-all parameter. */
int host_router_segment_omittable(const struct route *rt, const struct segment *sg);
void host_router_route_free(struct route *rt);

#endif
