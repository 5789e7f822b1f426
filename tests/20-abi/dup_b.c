#include <cfunc.h>

static cf_rc b(cf_http *h) { return cf_http_respond(h, 200, NULL, "b"); }
static cf_rc init(cf_app *app)
{
	return cf_register_http(app, "shared", NULL, "b", CF_AUTH_ANONYMOUS, b);
}
CF_APP_INIT(init)
