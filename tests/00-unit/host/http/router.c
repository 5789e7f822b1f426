/*
 * Unit tests for host/router.c: template compilation, constraints, matching,
 * precedence, methods and percent-decoding (spec §6, Routing).
 *
 * Test names go through printf, so a '%' in a name is written '%%'.
 */
#include "host/http/router.h"

#include "common/arena.h"
#include "tap.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct rt_arena A;
static struct host_route_match M;

#define T(n) ((void *)(intptr_t)(n))

/* Match on router r; M keeps the result. */
static int go(const struct host_router *r, const char *method, const char *path)
{
	return host_router_match(r, method, strlen(method), path, strlen(path), &M, &A);
}

/* Matches `path` (GET) against a router holding only `tmpl`; -2 if the template fails. */
static int one(const char *tmpl, const char *path)
{
	struct host_router *r = host_router_new();
	char *err = NULL;
	int rc;
	if (host_router_add(r, tmpl, NULL, T(1), &err) < 0) {
		printf("# add('%s'): %s\n", tmpl, err);
		free(err);
		host_router_free(r);
		return -2;
	}
	rc = go(r, "GET", path);
	host_router_free(r); /* the match lives in the arena, not in the router */
	return rc;
}

/* Value of parameter `name` in M; "<no such param>" if the template has none. */
static const char *pv(const char *name)
{
	const struct host_route_param *p = host_router_param(&M, name);
	return p ? p->value : "<no such param>";
}

/* The error add() reports for tmpl, or NULL if it compiles. Static buffer. */
static const char *adderr(const char *tmpl)
{
	static char buf[512];
	struct host_router *r = host_router_new();
	char *err = NULL;
	const char *res = NULL;
	if (host_router_add(r, tmpl, NULL, T(1), &err) < 0) {
		snprintf(buf, sizeof(buf), "%s", err ? err : "(no message)");
		res = buf;
		free(err);
	}
	host_router_free(r);
	return res;
}

static int tgt(void)
{
	return (int)(intptr_t)M.target;
}

/* Builds a sorted router from a NULL-terminated list; route i (1-based) targets i. */
static struct host_router *mk(const char *const *tmpls)
{
	struct host_router *r = host_router_new();
	size_t i;
	for (i = 0; tmpls[i]; i++) {
		char *err = NULL;
		if (host_router_add(r, tmpls[i], NULL, T(i + 1), &err) < 0) {
			printf("# add('%s'): %s\n", tmpls[i], err);
			free(err);
		}
	}
	host_router_sort(r);
	return r;
}

static void test_literals(void)
{
	is_int(one("api/hello", "/api/hello"), 1, "literal template matches");
	is_int(tgt(), 1, "target returned");
	is_int(M.nparams, 0, "no params");
	is_int(one("api/hello", "/API/Hello"), 1, "literals match case-insensitively");
	is_int(one("API/HELLO", "/api/hello"), 1, "uppercase template, lowercase path");
	is_int(one("api/hello", "api/hello"), 1, "leading slash optional in the request");
	is_int(one("api/hello", "/api/hello/"), 1, "one trailing slash ignored");
	is_int(one("api/hello", "/api/hello//"), 0, "two trailing slashes do not match");
	is_int(one("api/hello", "/api/hello/x"), 0, "extra segment: no match");
	is_int(one("api/hello", "/api"), 0, "missing segment: no match");
	is_int(one("api/hello", "/api/hell"), 0, "prefix of a literal: no match");
	is_int(one("api/hello", "/api/hello?x=1"), 1, "query string not part of the route");
	is_int(one("api/hello", "//api/hello"), 0, "empty first segment: no match");
	is_int(one("/api/hello", "/api/hello"), 1, "leading '/' in the template ignored");
	is_int(one("~/api/hello", "/api/hello"), 1, "leading '~/' in the template ignored");
	is_int(one("api/hello/", "/api/hello"), 1, "trailing '/' in the template ignored");
	is_int(one("api/a{{b}}c", "/api/a{b}c"), 1, "escaped braces in a literal");
	is_int(one("api/hello world", "/api/hello%20world"), 1, "literal vs decoded segment");
	is_int(one("api/caf\xc3\xa9", "/api/caf%C3%A9"), 1, "UTF-8 literal vs decoded bytes");
	is_int(one("api/x+y", "/api/x+y"), 1, "'+' is literal in paths");
	is_int(one("api/x y", "/api/x+y"), 0, "'+' is not a space in paths");
}

static void test_empty_and_prefix(void)
{
	/* routePrefix "" and route "" */
	is_int(one("", "/"), 1, "empty template matches /");
	is_int(one("", ""), 1, "empty template matches an empty path");
	is_int(one("", "/api"), 0, "empty template does not match /api");
	is_int(one("", "//"), 0, "empty template does not match //");
	/* routePrefix "" and route "hello" */
	is_int(one("hello", "/hello"), 1, "prefix \"\": route at the root");
	is_int(one("hello", "/api/hello"), 0, "prefix \"\": no implicit api/");
	/* routePrefix "api" and route "" */
	is_int(one("api", "/api"), 1, "prefix api, empty route matches /api");
	is_int(one("api", "/api/"), 1, "and /api/");
	is_int(one("api", "/"), 0, "but not /");
	is_int(one("api/", "/api"), 1, "\"api/\" (prefix joined with an empty route) == \"api\"");
	/* routePrefix "api" and route "hello" */
	is_int(one("api/hello", "/hello"), 0, "prefix api: /hello does not match");
	/* routePrefix "api", route "{*path}" catches everything under api */
	is_int(one("api/{*path}", "/api"), 1, "api/{*path} matches /api");
	is_str(pv("path"), NULL, "with path NULL");
}

static void test_params(void)
{
	is_int(one("api/products/{id}", "/api/products/42"), 1, "{id} matches");
	is_str(pv("id"), "42", "value");
	is_str(pv("ID"), "42", "lookup is case-insensitive");
	is_str(pv("nope"), "<no such param>", "unknown name -> NULL param");
	is_str(M.params[0].name, "id", "name as written");
	is_int(one("api/products/{id}", "/api/products"), 0, "required param missing");
	is_int(one("api/products/{id}", "/api/products/"), 0, "trailing slash is not a value");
	is_int(one("api/{a}/x", "/api//x"), 0, "empty inner segment does not match a param");
	is_int(one("api/{a}/{b}", "/api/1/2"), 1, "two params");
	is_str(pv("a"), "1", "a");
	is_str(pv("b"), "2", "b");
	is_int(M.nparams, 2, "params in template order");
	is_str(M.params[1].name, "b", "second is b");
	is_int(one("{controller}/{action}", "/Home/Index"), 1, "params only");
	is_str(pv("action"), "Index", "case preserved in values");

	/* optional */
	is_int(one("api/products/{category}/{id?}", "/api/products/books"), 1,
	       "optional param omitted");
	is_str(pv("id"), NULL, "unmatched optional is present with NULL");
	ok(host_router_param(&M, "id") != NULL, "and listed in params");
	is_int(M.nparams, 2, "both params listed");
	is_int(one("api/products/{category}/{id?}", "/api/products/books/7"), 1,
	       "optional param given");
	is_str(pv("id"), "7", "value");
	is_int(one("api/{a?}/{b?}", "/api"), 1, "two trailing optionals, none given");
	ok(pv("a") == NULL && pv("b") == NULL, "both NULL");
	is_int(one("api/{a?}/{b?}", "/api/1"), 1, "first given");
	ok(pv("a") && !strcmp(pv("a"), "1") && pv("b") == NULL, "a=1, b NULL");
	is_int(one("api/{id?}", "/api/"), 1, "optional with trailing slash");
	is_str(pv("id"), NULL, "still NULL");

	/* default */
	is_int(one("api/{lang=en}", "/api"), 1, "default used when absent");
	is_str(pv("lang"), "en", "default value");
	is_int(one("api/{lang=en}", "/api/fr"), 1, "default overridden");
	is_str(pv("lang"), "fr", "given value");
	is_int(one("{controller=Home}/{action=Index}/{id?}", "/"), 1, "MVC-style defaults on /");
	ok(!strcmp(pv("controller"), "Home") && !strcmp(pv("action"), "Index") && !pv("id"),
	   "Home/Index/NULL");
	is_int(one("api/{x=}", "/api"), 1, "empty default");
	is_str(pv("x"), "", "is \"\"");
	is_int(one("{a=x}/b", "/b"), 0, "default in the middle cannot be skipped");
	is_int(one("{a=x}/b", "/y/b"), 1, "default in the middle, given");

	/* catch-all */
	is_int(one("files/{*rest}", "/files/a/b/c.txt"), 1, "catch-all matches slashes");
	is_str(pv("rest"), "a/b/c.txt", "rest joined with /");
	is_int(one("files/{**rest}", "/files/a/b"), 1, "{**rest} too");
	is_str(pv("rest"), "a/b", "same value");
	is_int(one("files/{*rest}", "/files"), 1, "catch-all may be empty");
	is_str(pv("rest"), NULL, "empty catch-all is NULL");
	is_int(one("files/{*rest}", "/files/"), 1, "empty with trailing slash");
	is_str(pv("rest"), NULL, "NULL");
	is_int(one("files/{*rest}", "/files/a/b/"), 1, "trailing slash");
	is_str(pv("rest"), "a/b", "trailing slash not part of the rest");
	is_int(one("files/{*rest}", "/files/a%2Fb/c%20d"), 1, "catch-all decodes");
	is_str(pv("rest"), "a/b/c d", "decoded remainder joined with /");
	is_int(one("files/{*rest}", "/files/a//b"), 1, "catch-all keeps empty segments");
	is_str(pv("rest"), "a//b", "as in the path");
	is_int(one("files/{*rest=index.html}", "/files"), 1, "catch-all default");
	is_str(pv("rest"), "index.html", "default value");
	is_int(one("{*all}", "/"), 1, "root catch-all matches /");
	is_int(one("{*all}", "/x/y"), 1, "root catch-all matches /x/y");
	is_str(pv("all"), "x/y", "value");
	is_int(one("files/{*rest}", "/file"), 0, "literal before the catch-all still required");
}

static void test_decoding(void)
{
	is_int(one("api/{id}", "/api/a%2Fb"), 1, "%%2F stays inside the segment");
	is_str(pv("id"), "a/b", "value has the slash");
	is_int(one("api/a/b", "/api/a%2Fb"), 0, "%%2F does not split segments");
	is_int(one("api/{id}/x", "/api/a%2Fb/x"), 1, "segment count unchanged by %%2F");
	is_int(one("api/{id}", "/api/%2541"), 1, "%%2541 matches");
	is_str(pv("id"), "%41", "decoded once: %%2541 -> %%41");
	is_int(one("api/{id}", "/api/a+b%20c"), 1, "'+' kept, %%20 decoded");
	is_str(pv("id"), "a+b c", "value");
	is_int(one("api/{id}", "/api/%"), -1, "'%%' alone -> -1");
	is_int(one("api/{id}", "/api/%G1"), -1, "%%G1 -> -1");
	is_int(one("api/{id}", "/api/%4"), -1, "%%4 -> -1");
	is_int(one("api/{id}", "/api/%00"), -1, "%%00 -> -1");
	is_int(one("api/{id}", "/api/x%00y"), -1, "%%00 inside -> -1");
	is_int(one("api/hello", "/other/%zz"), -1, "malformed even where no route could match");
	is_int(one("api/hello", "/api/hello?q=%zz"), 1, "query escapes are not checked here");
	is_int(one("api/{id}", "/api/%e2%82%ac"), 1, "UTF-8 escapes");
	is_str(pv("id"), "\xe2\x82\xac", "decoded to bytes");
}

static void test_complex(void)
{
	is_int(one("files/{file}.{ext}", "/files/report.pdf"), 1, "{file}.{ext}");
	ok(!strcmp(pv("file"), "report") && !strcmp(pv("ext"), "pdf"), "report / pdf");
	is_int(one("files/{file}.{ext}", "/files/a.b.c"), 1, "several dots");
	ok(!strcmp(pv("file"), "a.b") && !strcmp(pv("ext"), "c"),
	   "last literal found from the end: a.b / c");
	is_int(one("files/{file}.{ext}", "/files/noext"), 0, "missing literal");
	is_int(one("files/{file}.{ext}", "/files/.pdf"), 0, "empty first param");
	is_int(one("files/{file}.{ext}", "/files/x."), 0, "empty last param");
	is_int(one("item/prefix-{id}", "/item/prefix-12"), 1, "literal prefix");
	is_str(pv("id"), "12", "id");
	is_int(one("item/prefix-{id}", "/item/PREFIX-12"), 1, "prefix case-insensitive");
	is_int(one("item/prefix-{id}", "/item/xprefix-12"), 0, "prefix must start the segment");
	is_int(one("item/prefix-{id}", "/item/prefix-"), 0, "empty value after prefix");
	is_int(one("item/{id}-suffix", "/item/12-suffix"), 1, "literal suffix");
	is_int(one("item/{id}-suffix", "/item/12-suffixx"), 0, "suffix must end the segment");
	is_int(one("d/{a}-{b}-{c}", "/d/1-2-3-4"), 1, "three params");
	ok(!strcmp(pv("a"), "1-2") && !strcmp(pv("b"), "3") && !strcmp(pv("c"), "4"),
	   "right to left: 1-2 / 3 / 4");
	is_int(one("v/x{a}y{b}z", "/v/x1y2z"), 1, "literals around params");
	ok(!strcmp(pv("a"), "1") && !strcmp(pv("b"), "2"), "1 / 2");
	is_int(one("p/a{p}", "/p/aab"), 0, "ASP.NET quirk: leading literal searched from the end");
	is_int(one("p/{n}.json", "/p/x.JSON"), 1, "literal tail case-insensitive");
	is_int(one("p/{n:int}.json", "/p/12.json"), 1, "constraint in complex segment");
	is_int(one("p/{n:int}.json", "/p/ab.json"), 0, "constraint fails");
	is_int(one("p/{n}.{e}", "/p/a%2Eb"), 1, "decoded '.' splits the complex segment");

	/* optional last part after a period */
	is_int(one("f/{name}.{ext?}", "/f/readme.md"), 1, "{name}.{ext?} with ext");
	ok(!strcmp(pv("name"), "readme") && !strcmp(pv("ext"), "md"), "readme / md");
	is_int(one("f/{name}.{ext?}", "/f/readme"), 1, "{name}.{ext?} without ext");
	ok(!strcmp(pv("name"), "readme") && pv("ext") == NULL, "readme / NULL");
	is_int(one("f/{name}.{ext?}", "/f/readme."), 0, "trailing period: no match");
	is_int(one("f/{name}.{ext?}", "/f/a.b.c"), 1, "several dots");
	ok(!strcmp(pv("name"), "a.b") && !strcmp(pv("ext"), "c"), "a.b / c");
}

/* Does `value` satisfy constraint `c` (as the only segment of "c/{v:<c>}")? */
static int con(const char *c, const char *value)
{
	char tmpl[256], path[512];
	snprintf(tmpl, sizeof(tmpl), "c/{v:%s}", c);
	snprintf(path, sizeof(path), "/c/%s", value);
	return one(tmpl, path);
}

static void test_constraints(void)
{
	is_int(con("int", "123"), 1, "int 123");
	is_int(con("int", "-123"), 1, "int -123");
	is_int(con("int", "+7"), 1, "int +7");
	is_int(con("int", "2147483647"), 1, "int max");
	is_int(con("int", "-2147483648"), 1, "int min");
	is_int(con("int", "2147483648"), 0, "int overflow");
	is_int(con("int", "12a"), 0, "int 12a");
	is_int(con("int", "1.5"), 0, "int 1.5");
	is_int(con("int", "-"), 0, "int lone sign");
	is_int(con("int", "%2012"), 1, "int allows blanks around (.NET Integer style)");
	is_int(con("Int", "5"), 1, "constraint names are case-insensitive");
	is_int(con("long", "9223372036854775807"), 1, "long max");
	is_int(con("long", "-9223372036854775808"), 1, "long min");
	is_int(con("long", "9223372036854775808"), 0, "long overflow");
	is_int(con("long", "abc"), 0, "long abc");
	is_int(con("bool", "true"), 1, "bool true");
	is_int(con("bool", "FALSE"), 1, "bool FALSE");
	is_int(con("bool", "yes"), 0, "bool yes");
	is_int(con("bool", "1"), 0, "bool 1");
	is_int(con("datetime", "2024-02-29"), 1, "datetime leap day");
	is_int(con("datetime", "2023-02-29"), 0, "datetime non-leap Feb 29");
	is_int(con("datetime", "2024-01-31T10:20:30"), 1, "datetime with time");
	is_int(con("datetime", "2024-01-31T10:20:30.123Z"), 1, "with fraction and Z");
	is_int(con("datetime", "2024-01-31T10:20+02:00"), 1, "with offset");
	is_int(con("datetime", "2024-01-31%2010:20"), 1, "space separator");
	is_int(con("datetime", "2024-13-01"), 0, "month 13");
	is_int(con("datetime", "2024-01-32"), 0, "day 32");
	is_int(con("datetime", "2024-01-01T24:00"), 0, "hour 24");
	is_int(con("datetime", "yesterday"), 0, "datetime word");
	is_int(con("decimal", "12.50"), 1, "decimal 12.50");
	is_int(con("decimal", "-0.5"), 1, "decimal -0.5");
	is_int(con("decimal", "1,000.25"), 1, "decimal with thousands separator");
	is_int(con("decimal", ".5"), 1, "decimal .5");
	is_int(con("decimal", "1e5"), 0, "decimal has no exponent");
	is_int(con("decimal", "79228162514264337593543950335"), 1, "decimal max");
	is_int(con("decimal", "79228162514264337593543950336"), 0, "decimal overflow");
	is_int(con("decimal", "abc"), 0, "decimal abc");
	is_int(con("double", "1.5e10"), 1, "double exponent");
	is_int(con("double", "-2.5E-3"), 1, "double negative exponent");
	is_int(con("double", "Infinity"), 1, "double Infinity");
	is_int(con("double", "NaN"), 1, "double NaN");
	is_int(con("double", "1e"), 0, "double incomplete exponent");
	is_int(con("double", "0x10"), 0, "double no hex");
	is_int(con("float", "3.14"), 1, "float 3.14");
	is_int(con("float", "pi"), 0, "float pi");
	is_int(con("guid", "0f8fad5b-d9cb-469f-a165-70867728950e"), 1, "guid D");
	is_int(con("guid", "0F8FAD5BD9CB469FA16570867728950E"), 1, "guid N");
	is_int(con("guid", "%7B0f8fad5b-d9cb-469f-a165-70867728950e%7D"), 1, "guid B (braces)");
	is_int(con("guid", "(0f8fad5b-d9cb-469f-a165-70867728950e)"), 1, "guid P (parens)");
	is_int(con("guid", "0f8fad5b-d9cb-469f-a165-70867728950"), 0, "guid too short");
	is_int(con("guid", "0f8fad5b-d9cb-469f-a165-70867728950g"), 0, "guid non-hex");
	is_int(con("guid", "0f8fad5bd9cb-469f-a165-70867728950e0"), 0, "guid dashes misplaced");
	is_int(con("alpha", "abcXYZ"), 1, "alpha letters");
	is_int(con("alpha", "abc1"), 0, "alpha with digit");
	is_int(con("alpha", "caf%C3%A9"), 0, "alpha is ASCII only");
	is_int(con("min(10)", "10"), 1, "min(10) 10");
	is_int(con("min(10)", "9"), 0, "min(10) 9");
	is_int(con("min(10)", "abc"), 0, "min(10) non-number");
	is_int(con("max(10)", "10"), 1, "max(10) 10");
	is_int(con("max(10)", "11"), 0, "max(10) 11");
	is_int(con("max(-1)", "-5"), 1, "max(-1) -5");
	is_int(con("range(1,5)", "1"), 1, "range low bound");
	is_int(con("range(1,5)", "5"), 1, "range high bound");
	is_int(con("range(1,5)", "0"), 0, "range below");
	is_int(con("range(1,5)", "6"), 0, "range above");
	is_int(con("range(1, 5)", "3"), 1, "range args with blanks");
	is_int(con("minlength(3)", "abc"), 1, "minlength ok");
	is_int(con("minlength(3)", "ab"), 0, "minlength short");
	is_int(con("maxlength(3)", "abc"), 1, "maxlength ok");
	is_int(con("maxlength(3)", "abcd"), 0, "maxlength long");
	is_int(con("maxlength(3)", "%C3%A9%C3%A9%C3%A9"), 1, "lengths count characters, not bytes");
	is_int(con("length(3)", "abc"), 1, "length(3) abc");
	is_int(con("length(3)", "ab"), 0, "length(3) ab");
	is_int(con("length(2,4)", "abcd"), 1, "length(2,4) abcd");
	is_int(con("length(2,4)", "a"), 0, "length(2,4) a");
	is_int(con("length(2,4)", "abcde"), 0, "length(2,4) abcde");
	is_int(con("regex(^\\d{{3}}$)", "123"), 1, "regex with doubled braces and \\d");
	is_int(con("regex(^\\d{{3}}$)", "1234"), 0, "regex anchored, too long");
	is_int(con("regex(^[a-z]+$)", "ABC"), 1, "regex is case-insensitive");
	is_int(con("regex(b)", "abc"), 1, "regex matches anywhere unless anchored");
	is_int(con("regex(^b)", "abc"), 0, "anchored regex");
	is_int(con("regex(^(?:ab)+?c$)", "ababc"), 1, "non-capturing group, lazy quantifier");
	is_int(con("regex(^[\\w-]+$)", "a_b-c"), 1, "\\w and '-' in a bracket");
	is_int(con("regex(^[\\d.]+$)", "1.2"), 1, "\\d in a bracket");
	is_int(con("regex(^[\\d.]+$)", "1x2"), 0, "\\d in a bracket, no match");
	is_int(con("regex(^\\w+\\s?$)", "ab"), 1, "glibc \\w \\s outside brackets");
	is_int(con("regex(^a:b$)", "a:b"), 1, "':' inside regex parentheses");
	is_int(con("regex(^(a|b)$)", "b"), 1, "parentheses inside regex");
	is_int(con("regex(^[^/]+$)", "a%2Fb"), 0, "regex sees the decoded value");
	is_int(con("required", "x"), 1, "required with a value");
	is_int(con("int:min(5)", "7"), 1, "chained int:min(5) 7");
	is_int(con("int:min(5)", "3"), 0, "chained int:min(5) 3");
	is_int(con("alpha:length(2)", "ab"), 1, "chained alpha:length(2)");
	is_int(con("alpha:length(2)", "a1"), 0, "chained, first fails");

	/* constraints and optional/default values */
	is_int(one("c/{id:int?}", "/c"), 1, "constraint skipped for an absent optional");
	is_str(pv("id"), NULL, "NULL");
	is_int(one("c/{id:int?}", "/c/x"), 0, "constraint applied when given");
	is_int(one("c/{id:int=5}", "/c"), 1, "default satisfies the constraint");
	is_str(pv("id"), "5", "default");
	is_int(one("c/{id:int=x}", "/c"), 0, "default checked against the constraint");
	is_int(one("c/{*rest:required}", "/c"), 0, "required fails on an empty catch-all");
	is_int(one("c/{*rest:required}", "/c/a"), 1, "required with a value");
	is_int(one("c/{*rest:minlength(3)}", "/c/a/b"), 1, "constraint on a catch-all value a/b");
	is_int(one("c/{*rest:minlength(4)}", "/c/a/b"), 0, "constraint on catch-all fails");
	is_int(one("api/products/{category:alpha}/{id:int?}", "/api/products/Books/12"), 1,
	       "the brief's example");
	ok(!strcmp(pv("category"), "Books") && !strcmp(pv("id"), "12"), "Books / 12");
}

static void test_precedence(void)
{
	struct host_router *r;

	{
		const char *t[] = { "api/{name}", "api/special", NULL };
		r = mk(t);
		is_int(go(r, "GET", "/api/special"), 1, "literal vs param");
		is_int(tgt(), 2, "literal wins although registered later");
		is_int(go(r, "GET", "/api/other"), 1, "other value");
		is_int(tgt(), 1, "goes to the param");
		is_str(host_router_template(r, 0), "api/special", "sorted listing: literal first");
		host_router_free(r);
	}
	{
		const char *t[] = { "api/{id}", "api/{id:int}", NULL };
		r = mk(t);
		is_int(go(r, "GET", "/api/12"), 1, "constrained vs unconstrained");
		is_int(tgt(), 2, "constrained wins");
		is_int(go(r, "GET", "/api/ab"), 1, "constraint fails");
		is_int(tgt(), 1, "falls through to the unconstrained route");
		host_router_free(r);
	}
	{
		const char *t[] = { "api/{id:int}", "api/{id:int:min(100)}", NULL };
		r = mk(t);
		is_int(go(r, "GET", "/api/150"), 1, "two constraints vs one");
		is_int(tgt(), 2, "more constraints first");
		is_int(go(r, "GET", "/api/50"), 1, "below min");
		is_int(tgt(), 1, "next route");
		host_router_free(r);
	}
	{
		const char *t[] = { "zeta", "Beta", "alpha", "gamma/x", NULL };
		r = mk(t);
		ok(!strcmp(host_router_template(r, 0), "alpha") &&
			   !strcmp(host_router_template(r, 1), "Beta") &&
			   !strcmp(host_router_template(r, 2), "gamma/x") &&
			   !strcmp(host_router_template(r, 3), "zeta"),
		   "literals ordered case-insensitively");
		is_int(host_router_count(r), 4, "count");
		host_router_free(r);
	}
	{
		const char *t[] = { "api/{a}", "api/{a}/{b?}", NULL };
		r = mk(t);
		is_str(host_router_template(r, 0), "api/{a}/{b?}", "longer template first");
		is_int(go(r, "GET", "/api/1"), 1, "prefix case");
		is_int(tgt(), 2, "the longer one matches first");
		host_router_free(r);
	}
	{
		const char *t[] = { "files/{*rest}", "files/{name}", NULL };
		r = mk(t);
		is_int(go(r, "GET", "/files/x"), 1, "catch-all vs param");
		is_int(tgt(), 2, "param wins over the catch-all");
		is_int(go(r, "GET", "/files/x/y"), 1, "two segments");
		is_int(tgt(), 1, "only the catch-all takes them");
		host_router_free(r);
	}
	{
		const char *t[] = { "f/{x}", "f/{a}.{b}", "f/index.html", NULL };
		r = mk(t);
		is_str(host_router_template(r, 0), "f/index.html", "literal before complex");
		is_str(host_router_template(r, 1), "f/{a}.{b}", "complex before param");
		is_int(go(r, "GET", "/f/x.y"), 1, "x.y");
		is_int(tgt(), 2, "complex segment wins");
		host_router_free(r);
	}
	{
		const char *t[] = { "api/{a}", "api/{b}", "api/{c}", NULL };
		r = mk(t);
		is_int(go(r, "GET", "/api/x"), 1, "full tie");
		is_int(tgt(), 1, "registration order kept");
		ok(!strcmp(host_router_template(r, 1), "api/{b}") &&
			   !strcmp(host_router_template(r, 2), "api/{c}"),
		   "stable sort");
		host_router_free(r);
	}
	{
		const char *t[] = { "{*all}", "api/{*rest}", "api/v1/{id:int}", "api/v1/{id}",
				    "api/v1/items", "", NULL };
		r = mk(t);
		is_int(go(r, "GET", "/api/v1/items"), 1, "mixed table: items");
		is_int(tgt(), 5, "literal");
		is_int(go(r, "GET", "/api/v1/7"), 1, "mixed table: 7");
		is_int(tgt(), 3, "int");
		is_int(go(r, "GET", "/api/v1/x"), 1, "mixed table: x");
		is_int(tgt(), 4, "param");
		is_int(go(r, "GET", "/api/v2/x"), 1, "mixed table: v2");
		is_int(tgt(), 2, "api catch-all");
		is_int(go(r, "GET", "/other"), 1, "mixed table: other");
		is_int(tgt(), 1, "root catch-all");
		is_int(go(r, "GET", "/"), 1, "mixed table: /");
		is_int(tgt(), 1, "root catch-all is longer than the empty template");
		host_router_free(r);
	}
}

static void test_methods(void)
{
	struct host_router *r = host_router_new();
	char *err = NULL;

	ok(host_router_add(r, "api/hello", "GET", T(1), &err) == 0, "add GET");
	ok(host_router_add(r, "api/hello", "post, Put", T(2), &err) == 0, "add POST,PUT");
	ok(host_router_add(r, "api/any", NULL, T(3), &err) == 0, "add any (NULL)");
	ok(host_router_add(r, "api/empty", "", T(4), &err) == 0, "add any (\"\")");
	ok(host_router_add(r, "api/head", "get,head", T(5), &err) == 0, "add GET,HEAD");
	host_router_sort(r);

	is_int(go(r, "GET", "/api/hello"), 1, "GET matches");
	is_int(tgt(), 1, "GET route");
	is_int(go(r, "POST", "/api/hello"), 1, "POST falls through to the next route");
	is_int(tgt(), 2, "POST route");
	is_int(go(r, "put", "/api/hello"), 1, "method compared case-insensitively");
	is_int(tgt(), 2, "PUT route");
	is_int(go(r, "DELETE", "/api/hello"), 0, "method mismatch -> 0 (404, never 405)");
	is_int(go(r, "HEAD", "/api/hello"), 0, "HEAD not implied by GET");
	is_int(go(r, "HEAD", "/api/head"), 1, "HEAD when listed");
	is_int(go(r, "OPTIONS", "/api/head"), 0, "OPTIONS not listed");
	is_int(go(r, "DELETE", "/api/any"), 1, "NULL methods: any method");
	is_int(go(r, "PATCH", "/api/empty"), 1, "\"\" methods: any method");
	is_int(go(r, "GE", "/api/hello"), 0, "method prefix does not match");
	is_int(go(r, "GETX", "/api/hello"), 0, "longer method does not match");

	size_t i;
	int seen = 0;
	for (i = 0; i < host_router_count(r); i++) {
		intptr_t t = (intptr_t)host_router_target(r, i);
		const char *m = host_router_methods(r, i);
		if (t == 2)
			seen += m && !strcmp(m, "POST,PUT");
		if (t == 3)
			seen += m == NULL;
		if (t == 4)
			seen += m == NULL;
	}
	is_int(seen, 3, "methods normalised for the listing");
	is_int(M.route < host_router_count(r), 1, "match index in range");

	ok(host_router_add(r, "x", "GET POST", T(9), &err) < 0, "methods without comma refused");
	ok(err && strstr(err, "GET POST"), "error names the list: %s", err ? err : "");
	free(err);
	err = NULL;
	ok(host_router_add(r, "x", "G(T", T(9), &err) < 0, "invalid method token refused");
	free(err);
	host_router_free(r);
}

static void test_errors(void)
{
	static const struct {
		const char *tmpl, *want;
	} bad[] = {
		{ "api/{id", "missing '}'" },
		{ "api/id}", "unmatched '}'" },
		{ "api/{a{b}", "unescaped '{'" },
		{ "api/{}", "empty parameter name" },
		{ "api/{?}", "empty parameter name" },
		{ "api/{*}", "empty parameter name" },
		{ "api/{:int}", "empty parameter name" },
		{ "api/{*rest}/x", "catch-all parameter 'rest' must be in the last segment" },
		{ "api/{id?}/x", "optional parameter 'id' must not be followed" },
		{ "api/{a?}/{b}", "optional parameter 'a' must not be followed" },
		{ "api/{id}/{ID}", "parameter name 'ID' appears more than once" },
		{ "api/{id}/{id}", "appears more than once" },
		{ "api/{id:foo}", "unknown inline constraint 'foo'" },
		{ "api/{id:}", "empty inline constraint" },
		{ "api/{id:int(5)}", "takes no argument" },
		{ "api/{id:min}", "needs an argument" },
		{ "api/{id:min(x)}", "not an integer" },
		{ "api/{id:range(1)}", "takes 2 arguments" },
		{ "api/{id:range(5,1)}", "minimum 5 is above maximum 1" },
		{ "api/{id:length(1,2,3)}", "takes 1 or 2 arguments" },
		{ "api/{id:minlength(-1)}", "lengths >= 0" },
		{ "api/{id:regex(a}", "missing ')'" },
		{ "api/{id:regex([a-)}", "invalid regex" },
		{ "api/{id:regex((?=a))}", "unsupported regex construct" },
		{ "api/{id:regex()}", "empty regex" },
		{ "api/{id?=5}", "invalid parameter name" },
		{ "api/{id=5?}", "optional parameter 'id' cannot have a default value" },
		{ "api/{*rest?}", "catch-all parameter 'rest' cannot be marked optional" },
		{ "api/{a*b}", "invalid parameter name" },
		{ "api/{a}{b}", "follow each other" },
		{ "api/{a}-{*b}", "cannot share its segment" },
		{ "api/{a?}-{b}", "must be at the end of its segment" },
		{ "api/{a}-{b?}", "can only follow a period" },
		{ "api//x", "empty segment" },
		{ "//api", "empty segment" },
		{ "api/x?y", "cannot contain '?'" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *e = adderr(bad[i].tmpl);
		ok(e && strstr(e, bad[i].want) && strstr(e, bad[i].tmpl), "'%s' refused: %s",
		   bad[i].tmpl, e ? e : "(accepted)");
	}
	ok(adderr("api/{id:int}/{name:regex(^[a-z]{{2,}}$)}") == NULL, "valid template accepted");
	ok(adderr("api/{*rest=a}") == NULL, "catch-all with default accepted");
	ok(adderr("api/{a?}/{b=1}/{*c}") == NULL, "optional followed by omittable segments accepted");
	ok(adderr("api/.{ext?}") == NULL, "'.' then optional accepted");

	/* a failed add leaves the router unchanged */
	struct host_router *r = host_router_new();
	char *err = NULL;
	ok(host_router_add(r, "bad/{x", NULL, T(1), &err) < 0 && err, "failed add");
	is_int(host_router_count(r), 0, "router still empty");
	is_int(go(r, "GET", "/bad/x"), 0, "empty router matches nothing");
	free(err);
	host_router_free(r);
}

int main(void)
{
	rt_arena_init(&A);
	subtest("literals", test_literals);
	subtest("empty template and route prefixes", test_empty_and_prefix);
	subtest("parameters: plain, optional, default, catch-all", test_params);
	subtest("percent-decoding", test_decoding);
	subtest("complex segments", test_complex);
	subtest("inline constraints", test_constraints);
	subtest("precedence", test_precedence);
	subtest("methods", test_methods);
	subtest("template errors", test_errors);
	rt_arena_cleanup(&A);
	return done_testing();
}
