/*
 * router_template.c - parses one route: the template text into segments of
 * literal and parameter parts ("{{" and "}}" escapes, optional, default and
 * catch-all parameters, complex segments) with each parameter's inline
 * constraints compiled, the method list into its normalised form, and frees
 * a route again.
 */
#include "host/http/router_int.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

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
		if (host_router_compile_constraint(&p->cons[p->ncons], c, k, args, alen, why) < 0) {
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

	host_router_sb_puts(&b, "");
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
		host_router_sb_putc(&b, c);
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
int host_router_segment_omittable(const struct route *rt, const struct segment *sg)
{
	const struct param *p;
	if (sg->kind != SEG_PARAM && sg->kind != SEG_CATCHALL)
		return 0;
	p = &rt->params[sg->parts[0].param];
	return p->optional || p->defval || p->catchall;
}

int host_router_parse_template(struct route *rt, const char *tmpl, char **why)
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
					if (host_router_ascii_casecmp(rt->params[j].name,
								      p.name) == 0) {
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
			host_router_sb_putc(&lit, c);
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
		    !host_router_segment_omittable(rt, &rt->segs[j + 1])) {
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
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || host_router_is_digit(c) ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

int host_router_parse_methods(struct route *rt, const char *methods, char **why)
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
			host_router_sb_putc(&b, ',');
		host_router_sb_puts(&b, m);
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

void host_router_route_free(struct route *rt)
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
