/* The HTTP functions' router as a deploy replaces it: built from functions
 * (prefix joined, a bad template refused naming the function and app), a
 * route of one app that another already serves found (same template in any
 * case, methods in common), and a replaced route set seen whole by matches
 * that run while another thread keeps replacing it. */
#include "host/http/router_functions.h"
#include "common/arena.h"
#include "tap.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

static struct bind_app app_a = {.name = "a"}, app_b = {.name = "b"};

static struct bind_function fn(const char *name, struct bind_app *app, const char *route,
			       const char *methods)
{
	return (struct bind_function){.name = (char *)name, .kind = BIND_FN_HTTP, .app = app,
				      .route = (char *)route, .methods = (char *)methods};
}

/* The function GET <path> reaches, or NULL. */
static const struct bind_function *target(struct host_router *r, const char *method,
					  const char *path)
{
	struct host_route_match m;
	struct rt_arena a;
	rt_arena_init(&a);
	int rc = host_router_match(r, method, strlen(method), path, strlen(path), &m, &a);
	rt_arena_cleanup(&a);
	return rc == 1 ? m.target : NULL;
}

static void build(void)
{
	struct bind_function one = fn("one", &app_a, "items/{id:int}", "GET");
	struct bind_function two = fn("two", &app_a, NULL, NULL);
	struct bind_function orch = {.name = "orch", .kind = BIND_FN_ORCHESTRATOR, .app = &app_a};
	struct bind_function *fns[] = {&one, &two, &orch};
	char *err = NULL;
	struct host_router *r = host_routes_build("api", fns, 3, &err);
	ok(r != NULL, "three functions build a router");
	ok(target(r, "GET", "/api/items/7") == &one, "a route under the prefix reaches its function");
	ok(target(r, "GET", "/api/items/x") == NULL, "its constraint still applies");
	ok(target(r, "POST", "/api/two") == &two, "no route: the name, any method");
	is_int((int)host_router_count(r), 2, "only HTTP functions get a route");
	host_router_free(r);

	r = host_routes_build("", fns, 1, &err);
	ok(target(r, "GET", "/items/3") == &one, "an empty prefix: the route alone");
	host_router_free(r);

	struct bind_function bad = fn("bad", &app_b, "x/{*rest}/y", NULL);
	struct bind_function *badfns[] = {&one, &bad};
	r = host_routes_build("api", badfns, 2, &err);
	ok(r == NULL && err && strstr(err, "function 'bad' (app 'b')"),
	   "a bad template is refused, naming the function and its app");
	free(err);
}

static void conflicts(void)
{
	struct bind_function other = fn("slow", &app_b, "Slow/", "GET,POST");
	struct bind_function mine_same = fn("shadow", &app_a, "/slow", "post");
	struct bind_function mine_apart = fn("shadow", &app_a, "slow", "PUT,DELETE");
	struct bind_function mine_any = fn("shadow", &app_a, "slow", NULL);
	struct bind_function own = fn("own", &app_b, "slow", "GET");
	struct bind_function elsewhere = fn("elsewhere", &app_a, "slow/more", "GET");
	struct bind_function *fns[] = {&other};
	char *why = host_routes_conflict(&mine_same, fns, 1);
	ok(why && strstr(why, "the route 'slow' of function 'shadow' is already served by "
			      "function 'slow' of app 'b'"),
	   "the same template in another case, a method in common: a conflict naming both");
	free(why);
	ok(host_routes_conflict(&mine_apart, fns, 1) == NULL, "methods apart: no conflict");
	why = host_routes_conflict(&mine_any, fns, 1);
	ok(why != NULL, "every method overlaps any list");
	free(why);
	ok(host_routes_conflict(&own, fns, 1) == NULL, "a function of the same app is no conflict");
	ok(host_routes_conflict(&elsewhere, fns, 1) == NULL, "another template: no conflict");
}

struct flipper {
	struct host_router *live;
	struct bind_function *a, *b;
	int started; /* the matching side runs */
	int stop;
	int replaced;
};

/* Once the matching has begun, replaces the live routes again and again
 * until told to stop (at most 5,000,000 times): /api/x reaches b, then a. */
static void *flip(void *arg)
{
	struct flipper *f = arg;
	while (!__atomic_load_n(&f->started, __ATOMIC_ACQUIRE))
		sched_yield();
	for (int i = 0; !__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE) && i < 5000000; i++) {
		struct bind_function *one[] = {i % 2 ? f->a : f->b};
		char *err = NULL;
		host_router_replace(f->live, host_routes_build("api", one, 1, &err));
		f->replaced++;
	}
	return NULL;
}

static void replace(void)
{
	struct bind_function a = fn("a", &app_a, "x", NULL), b = fn("b", &app_a, "x/{y?}", NULL);
	struct bind_function *fa[] = {&a};
	char *err = NULL;
	struct host_router *live = host_routes_build("api", fa, 1, &err);
	struct flipper f = {.live = live, .a = &a, .b = &b};
	pthread_t t;
	int seen_a = 0, seen_b = 0, other = 0;
	pthread_create(&t, NULL, flip, &f);
	__atomic_store_n(&f.started, 1, __ATOMIC_RELEASE);
	/* Until both sets were seen often, or a bounded number of matches. */
	for (int i = 0; i < 5000000 && (seen_a < 100 || seen_b < 100); i++) {
		const struct bind_function *got = target(live, "GET", "/api/x");
		seen_a += got == &a;
		seen_b += got == &b;
		other += got != &a && got != &b;
	}
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	is_int(other, 0, "every match during the replacements found one whole route set");
	ok(seen_a >= 100 && seen_b >= 100,
	   "both route sets were seen while they were replaced (%d times; a %d, b %d)", f.replaced,
	   seen_a, seen_b);
	struct bind_function *fb[] = {&b};
	host_router_replace(live, host_routes_build("api", fb, 1, &err));
	ok(target(live, "GET", "/api/x/1") == &b, "after a replacement the new routes match");
	host_router_free(live);
}

int main(void)
{
	subtest("built from the functions", build);
	subtest("routes another app serves", conflicts);
	subtest("replaced while matching", replace);
	return done_testing();
}
