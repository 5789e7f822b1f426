/*
 * router.c - the router: adds compiled routes, orders them by precedence and
 * matches request paths against them. Template parsing is in
 * router_template.c, inline constraints in router_constraints.c.
 *
 * A route owns its template text, its normalised method list, the parsed
 * segments (each a list of literal and parameter parts) and the parameters
 * with their compiled constraints; the router owns an array of route
 * pointers so sorting moves pointers only. After host_router_sort() nothing
 * is written any more but by host_router_replace, which swaps the whole
 * route set under the router's read-write lock; matching takes it for
 * reading, so many threads match at once. regexec() on a shared compiled
 * regex is thread-safe in glibc.
 *
 * Matching never allocates on the heap: the request path is decoded once
 * into an arena buffer (segments stay separated by '/', so a catch-all value
 * is a plain span of it), candidate values are spans into that buffer, and
 * only the winning route's values are copied into the arena as C strings.
 */
#include "host/http/router.h"
#include "host/http/router_int.h"

#include "common/vec.h"
#include "common/arena.h"
#include "common/urlcodec.h"
#include "common/xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A piece of the decoded request path (not NUL-terminated). */
struct span {
	const char *p;
	size_t len;
	int set;
};

/* ---- public: building ---- */

struct host_router *host_router_new(void)
{
	struct host_router *r = xcalloc(1, sizeof(struct host_router));
	pthread_rwlock_init(&r->lock, NULL);
	return r;
}

void host_router_free(struct host_router *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		host_router_route_free(r->routes[i]);
	free(r->routes);
	pthread_rwlock_destroy(&r->lock);
	free(r);
}

void host_router_replace(struct host_router *live, struct host_router *fresh)
{
	struct host_router old;
	pthread_rwlock_wrlock(&live->lock);
	old.routes = live->routes;
	old.n = live->n;
	old.cap = live->cap;
	old.maxparams = live->maxparams;
	live->routes = fresh->routes;
	live->n = fresh->n;
	live->cap = fresh->cap;
	live->maxparams = fresh->maxparams;
	pthread_rwlock_unlock(&live->lock);
	/* The old routes go with `fresh`: no match uses them any more. */
	fresh->routes = old.routes;
	fresh->n = old.n;
	fresh->cap = old.cap;
	fresh->maxparams = old.maxparams;
	host_router_free(fresh);
}

int host_router_add(struct host_router *r, const char *tmpl, const char *methods, void *target,
		    char **err)
{
	struct route *rt = xcalloc(1, sizeof(*rt));
	char *why = NULL;

	if (host_router_parse_template(rt, tmpl, &why) < 0) {
		*err = xasprintf("invalid route template '%s': %s", tmpl, why);
		goto fail;
	}
	if (host_router_parse_methods(rt, methods, &why) < 0) {
		*err = xasprintf("route '%s': %s", tmpl, why);
		goto fail;
	}
	rt->tmpl = xstrdup(tmpl);
	rt->target = target;
	rt->order = r->n;
	RT_VEC_RESERVE(r->routes, r->cap, r->n + 1, 16);
	r->routes[r->n++] = rt;
	if (rt->nparams > r->maxparams)
		r->maxparams = rt->nparams;
	return 0;
fail:
	free(why);
	host_router_route_free(rt);
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
			c = host_router_ascii_casecmp(x->parts[0].lit, y->parts[0].lit);
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
		if (strlen(rt->mlist[i]) == len &&
		    host_router_ascii_ncaseeq(rt->mlist[i], method, len))
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
		if (host_router_ascii_ncaseeq(s + i, lit, litlen))
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
	if (len >= sep->litlen &&
	    host_router_ascii_ncaseeq(s + len - sep->litlen, sep->lit, sep->litlen))
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
			if (!host_router_segment_omittable(rt, sg))
				return 0;
			continue;
		}
		s = &rp->seg[i];
		if (s->len == 0)
			return 0;
		switch (sg->kind) {
		case SEG_LITERAL:
			if (s->len != sg->parts[0].litlen ||
			    !host_router_ascii_ncaseeq(s->p, sg->parts[0].lit, s->len))
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
			if (!host_router_check_constraint(&p->cons[k], vals[i].p, vals[i].len, a))
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

	int found = 0;

	memset(m, 0, sizeof(*m));
	if (split_path(&rp, path, path_len, a) < 0)
		return -1;
	pthread_rwlock_rdlock((pthread_rwlock_t *)&r->lock);
	vals = rt_arena_alloc(a, (r->maxparams ? r->maxparams : 1) * sizeof(*vals));
	for (i = 0; i < r->n && !found; i++) {
		const struct route *rt = r->routes[i];
		if (!method_ok(rt, method, method_len))
			continue;
		if (route_match(rt, &rp, vals) && route_finish(rt, vals, m, a)) {
			m->route = i;
			found = 1;
		}
	}
	pthread_rwlock_unlock((pthread_rwlock_t *)&r->lock);
	return found;
}

const struct host_route_param *host_router_param(const struct host_route_match *m,
						 const char *name)
{
	size_t i;
	for (i = 0; i < m->nparams; i++)
		if (host_router_ascii_casecmp(m->params[i].name, name) == 0)
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
