/* A route template the router rejects: the app is refused. */
#include <cfunc.h>

static cf_rc never(cf_http *h) { return cf_http_respond(h, 200, NULL, "bad route served"); }
static cf_rc init(cf_app *app)
{
	return cf_register_http(app, "bad_route_fn", NULL, "items/{*rest}/more", CF_AUTH_ANONYMOUS, never);
}
CF_APP_INIT(init)
