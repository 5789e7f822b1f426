/*
 * fuzz/router.c - libFuzzer target for host/http/router.h.
 *
 * Two modes, chosen by the first byte:
 *   '!' template[\nmethods[\npath]]
 *       compiles a fuzzed template into a fresh router (host_router_add),
 *       and if it compiles, matches `path` against it; the router is freed
 *       every time.
 *   anything else: "<method> <path>" (no space: the whole input is the path,
 *       method GET) matched against a fixed router of templates using every
 *       feature (constraints incl. regex, optional, default, catch-all,
 *       complex segments, method lists), built once.
 * Invariants checked on every match: the return value is -1, 0 or 1; a
 * match names a registered target and route, every parameter is found by
 * name; the same path followed by "?query" matches the same way.
 *
 * This target found that glibc's regcomp() copies a pattern for every
 * repetition ("api/{id:regex(x+++...+)}" went past 2 GB); the translator
 * now refuses nested quantifiers and caps repetition counts
 * (tests/00-unit/host/router_regress.c), so every fuzzed template is
 * compiled.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "host/http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *tmpl;
	const char *methods;
} fixed[] = {
	{ "api/products/{category:alpha}/{id:int?}", NULL },
	{ "api/v1/{id:int:min(100)}", "GET" },
	{ "api/v1/{id}", NULL },
	{ "api/{id:int}/{name:regex(^[a-z]{{2,}}$)}", NULL },
	{ "api/code/{c:regex(\\d{{3}}-\\w+)}", NULL },
	{ "api/hex/{h:regex([[0-9a-f]]+)}", NULL },
	{ "files/{*rest=index.html}", "GET,HEAD" },
	{ "dl/{file}.{ext?}", NULL },
	{ "item/prefix-{id}", "post" },
	{ "d/{a}-{b}-{c}", NULL },
	{ "g/{id:guid}", NULL },
	{ "t/{when:datetime}/{flag:bool}", NULL },
	{ "n/{x:range(1,10)}/{y:length(2,5)}/{z:length(3)}", NULL },
	{ "num/{v:decimal}/{w:double}/{f:float}/{l:long}", NULL },
	{ "s/{s:minlength(3):maxlength(8)}/{m:max(5)}", NULL },
	{ "req/{*rest:required}", NULL },
	{ "lang/{lang=en}/{page?}", NULL },
	{ "", NULL },
	{ "~/all/{**path}", "DELETE,PUT" },
	{ "x/{a}.{b}.{c?}", NULL },
	{ "m/{a}/{b}", "GET,POST" },
	{ "br/a{{b}}c/{v}", NULL },
	{ "/api/{*catchall}", NULL },
};
#define NFIXED (sizeof(fixed) / sizeof(fixed[0]))
static int fixed_targets[NFIXED];

static struct host_router *fixed_router(void)
{
	static struct host_router *r;
	if (r)
		return r;
	r = host_router_new();
	for (size_t i = 0; i < NFIXED; i++) {
		char *err = NULL;
		if (host_router_add(r, fixed[i].tmpl, fixed[i].methods, &fixed_targets[i], &err) != 0) {
			fprintf(stderr, "fixed template '%s' refused: %s\n", fixed[i].tmpl,
				err ? err : "?");
			abort();
		}
	}
	host_router_sort(r);
	return r;
}

static int is_fixed_target(const void *t)
{
	for (size_t i = 0; i < NFIXED; i++)
		if (t == &fixed_targets[i])
			return 1;
	return 0;
}

/* Matches and checks the invariants; returns the result. */
static int match_checked(const struct host_router *r, const char *method, size_t mlen,
			 const char *path, size_t plen, const void *only_target, struct rt_arena *a)
{
	struct host_route_match m, m2;
	int rc;

	memset(&m, 0, sizeof(m));
	rc = host_router_match(r, method, mlen, path, plen, &m, a);
	if (rc < -1 || rc > 1)
		abort();
	if (rc == 1) {
		if (only_target ? m.target != only_target : !is_fixed_target(m.target))
			abort();
		if (m.route >= host_router_count(r) || host_router_target(r, m.route) != m.target)
			abort();
		if (m.nparams && !m.params)
			abort();
		for (size_t i = 0; i < m.nparams; i++) {
			const struct host_route_param *p;
			if (!m.params[i].name)
				abort();
			p = host_router_param(&m, m.params[i].name);
			if (!p)
				abort();
			/* touch the value: ASan catches a dangling one */
			if (p->value)
				(void)strlen(p->value);
		}
	}
	/* The query is not part of the path: "path?x=1" matches like "path". */
	if (!memchr(path, '?', plen) && plen < 8192) {
		char *q = malloc(plen + 5);
		memcpy(q, path, plen);
		memcpy(q + plen, "?x=/", 4);
		q[plen + 4] = '\0';
		memset(&m2, 0, sizeof(m2));
		int rc2 = host_router_match(r, method, mlen, q, plen + 4, &m2, a);
		free(q);
		if (rc2 != rc || (rc == 1 && (m2.target != m.target || m2.nparams != m.nparams)))
			abort();
	}
	return rc;
}

/*
 * 1 if a template has a regex constraint that could make regcomp() blow up:
 * a quantifier right after a quantifier (a lazy '?' in between included),
 * or counted repetitions {n} / {n,m} whose product exceeds 1000.
 */

static void fuzz_add(const char *in, size_t size, struct rt_arena *a)
{
	/* template \n methods \n path */
	char *buf = malloc(size + 1);
	char *tmpl, *methods = NULL, *path = NULL, *nl;
	struct host_router *r;
	char *err = NULL;
	static int target;
	int rc;

	memcpy(buf, in, size);
	buf[size] = '\0';
	tmpl = buf;
	if ((nl = strchr(tmpl, '\n')) != NULL) {
		*nl = '\0';
		methods = nl + 1;
		if ((nl = strchr(methods, '\n')) != NULL) {
			*nl = '\0';
			path = nl + 1;
		}
	}
	r = host_router_new();
	rc = host_router_add(r, tmpl, methods, &target, &err);
	if (rc == 0) {
		if (err || host_router_count(r) != 1)
			abort();
		if (strcmp(host_router_template(r, 0), tmpl) != 0)
			abort();
		const char *ms = host_router_methods(r, 0);
		if (ms)
			(void)strlen(ms);
		host_router_sort(r);
		if (path) {
			/* path may hold NUL bytes: give its real length */
			size_t plen = size - (size_t)(path - buf);
			match_checked(r, "GET", 3, path, plen, &target, a);
			if (ms) {
				const char *comma = strchr(ms, ',');
				size_t mlen = comma ? (size_t)(comma - ms) : strlen(ms);
				match_checked(r, ms, mlen, path, plen, &target, a);
			}
		}
	} else {
		if (rc != -1 || !err || host_router_count(r) != 0)
			abort();
		if (strchr(err, '\n') && !strchr(tmpl, '\n'))
			abort(); /* one-line errors */
		free(err);
	}
	host_router_free(r);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rt_arena arena;
	static int init;
	const char *in = (const char *)data;

	if (!init) {
		rt_arena_init(&arena);
		init = 1;
	}
	if (size > 0 && in[0] == '!') {
		fuzz_add(in + 1, size - 1, &arena);
	} else {
		const struct host_router *r = fixed_router();
		const char *sp = memchr(in, ' ', size);
		/* the input is exactly size bytes: copy so ASan sees overreads */
		char *buf = malloc(size ? size : 1);
		memcpy(buf, in, size);
		if (sp && sp - in <= 16) {
			size_t mlen = (size_t)(sp - in);
			match_checked(r, buf, mlen, buf + mlen + 1, size - mlen - 1, NULL, &arena);
		} else {
			match_checked(r, "GET", 3, buf, size, NULL, &arena);
		}
		free(buf);
	}
	rt_arena_reset(&arena);
	return 0;
}
