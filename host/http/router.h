/*
 * router.h - ASP.NET Core route templates for HTTP triggers (spec §6).
 *
 * The host adds one route per HTTP function (template = "<routePrefix>/<route>",
 * already joined), sorts once, then matches every request against the routes
 * in precedence order; the first route whose template, constraints and method
 * list all accept the request wins.
 *
 * Template syntax (ASP.NET Core): segments separated by '/'; a leading "/" or
 * "~/" and one trailing "/" are ignored; "{{" and "}}" are literal braces.
 *   literal          matched ASCII case-insensitively against the decoded segment
 *   {name}           one non-empty segment
 *   {name?}          optional; only in trailing segments (or last in a complex
 *                    segment, right after a "." literal: {file}.{ext?})
 *   {name=default}   value used when the segment is absent
 *   {*name} {**name} catch-all, last segment only: the decoded rest of the
 *                    path joined with '/', may be absent (then NULL or default)
 *   {a}.{b} x-{id}   complex segment: literals and parameters in one segment,
 *                    matched right to left (the last literal is found from the end)
 *   {name:c1:c2(x)}  inline constraints: int long bool datetime decimal double
 *                    float guid alpha min(n) max(n) range(a,b) minlength(n)
 *                    maxlength(n) length(n) length(a,b) regex(expr) required
 * Constraint notes (documented deviations from .NET): datetime accepts ISO 8601
 * dates and date-times only (YYYY-MM-DD[(T| )hh:mm[:ss[.f]]][Z|+hh:mm]); guid
 * accepts the N, D, B and P formats; regex(expr) is compiled with POSIX
 * regcomp (extended, case-insensitive) after translating the common .NET
 * shorthands (\d \D, \d \w \s inside [...], (?:...), lazy quantifiers); it
 * matches anywhere unless anchored, like Regex.IsMatch. Constraints are not
 * checked on an absent (NULL) value, except `required`, which fails on it.
 *
 * Requests: the raw path (before h2o's normalisation, which decodes %2F) is
 * split on '/', then each segment is percent-decoded exactly once
 * (urlcodec.h, strict), so "%2F" stays inside its segment and "%2541" gives
 * "%41". One trailing '/' is ignored; an empty inner segment ("a//b") matches
 * neither a literal nor a parameter (a catch-all takes it as part of the rest).
 *
 * Threads: build and sort on one thread; afterwards host_router_match() only
 * reads the router and may run on many threads at once, also while another
 * thread replaces its routes (host_router_replace).
 */
#ifndef HOST_ROUTER_H
#define HOST_ROUTER_H

#include <stddef.h>

struct rt_arena;
struct host_router;

/* One route parameter of a match; both strings live in the match's arena. */
struct host_route_param {
	const char *name;  /* as spelled in the template */
	const char *value; /* decoded value, the default, or NULL if absent */
};

/* Filled by host_router_match(); valid as long as its arena. */
struct host_route_match {
	void *target;                    /* as given to host_router_add() */
	size_t route;                    /* index in sorted order, for the accessors */
	struct host_route_param *params; /* every template parameter, template order */
	size_t nparams;
};

/* A new empty router; free with host_router_free(). */
struct host_router *host_router_new(void);

/* Frees the router, its routes and compiled constraints (targets are not touched). */
void host_router_free(struct host_router *r);

/*
 * Gives `live` the routes of `fresh` (built and sorted) in one step, then
 * frees `fresh` with the routes `live` had: a match that runs meanwhile
 * sees the old set or the new one, whole. Targets are not touched; the
 * caller keeps the old ones alive as long as matched requests use them.
 */
void host_router_replace(struct host_router *live, struct host_router *fresh);

/*
 * Compiles `tmpl` (full template including the route prefix, e.g.
 * "api/products/{category:alpha}/{id:int?}"; "" matches only "/") and
 * appends it. `methods` is a comma-separated list ("GET,post"), compared
 * case-insensitively; NULL or "" means every method. HEAD is never implied
 * by GET. `target` is returned on a match and never dereferenced. Both
 * strings are copied. Returns 0, or -1 with a malloc'd one-line *err
 * (caller frees) naming the template and what is wrong with it.
 */
int host_router_add(struct host_router *r, const char *tmpl, const char *methods, void *target,
		    char **err);

/*
 * Orders the routes by precedence; call once after the last add (matching
 * before that uses registration order). Segment by segment: a literal beats
 * a complex segment, which beats a parameter, which beats a catch-all; two
 * literals go by case-insensitive text; two parameters by number of inline
 * constraints (more first). If one template is a prefix of the other, the
 * longer goes first. Full ties keep registration order.
 */
void host_router_sort(struct host_router *r);

/*
 * Matches `method` (method_len bytes) and the raw request path
 * path[0..path_len) (no query; a '?' ends the path anyway; leading '/'
 * optional). Returns 1 and fills *m (strings allocated from `a`), 0 when no
 * route matches — also when only the method differs: the host answers 404,
 * never 405 — or -1 when a path segment has a malformed percent-escape or
 * %00 (the host answers 400 "malformed percent-encoding in request path").
 */
int host_router_match(const struct host_router *r, const char *method, size_t method_len,
		      const char *path, size_t path_len, struct host_route_match *m,
		      struct rt_arena *a);

/*
 * The parameter `name` of a match (ASCII case-insensitive, like ASP.NET
 * route values), or NULL if the template has no such parameter. Its value
 * may still be NULL (absent optional parameter).
 */
/* Tests and fuzz targets only: the host does not call it. */
const struct host_route_param *host_router_param(const struct host_route_match *m,
						 const char *name);

/* Number of routes; indexes below are in the current (sorted) order. */
/* Tests and fuzz targets only, down to host_router_target: the host does not call them. */
size_t host_router_count(const struct host_router *r);

/* The template of route i as given to add() (borrowed, lives with the router). */
const char *host_router_template(const struct host_router *r, size_t i);

/* The methods of route i, normalised to "GET,POST" (borrowed), or NULL for every method. */
const char *host_router_methods(const struct host_router *r, size_t i);

/* The target of route i. */
void *host_router_target(const struct host_router *r, size_t i);

#endif
