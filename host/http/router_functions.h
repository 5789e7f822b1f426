/*
 * router_functions.h - the router of the HTTP functions: one route per
 * enabled-or-not HTTP function ("<routePrefix>/<route>", the name when it
 * has no route), targets the bind_functions themselves. Built at start-up
 * (host_server_new) and again when a deploy changes an app's functions.
 */
#ifndef HOST_ROUTER_FUNCTIONS_H
#define HOST_ROUTER_FUNCTIONS_H

#include <stddef.h>

#include "bindings/registry.h"
#include "host/http/router.h"

/*
 * A sorted router of the HTTP functions in fns[0..n) (borrowed: targets).
 * NULL with *err (malloc'd) naming the function and app whose template is
 * invalid.
 */
struct host_router *host_routes_build(const char *prefix, struct bind_function *const *fns,
				      size_t n, char **err);

/*
 * A route of `mine` that another app's HTTP function in fns[0..n) already
 * serves: the same template (ASCII case-insensitive, one leading or
 * trailing '/' ignored) with methods in common. Such a pair would leave one
 * of them unreachable. NULL, or a malloc'd reason naming both.
 */
char *host_routes_conflict(const struct bind_function *mine, struct bind_function *const *fns,
			   size_t n);

#endif
