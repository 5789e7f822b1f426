/* An invalid function name: registration fails and the app is refused. */
#include <cfunc.h>

static cf_rc never(cf_http *h) { return cf_http_respond(h, 200, NULL, "bad name served"); }
static cf_rc init(cf_app *app)
{
	cf_register_http(app, "9starts-with-digit", NULL, NULL, CF_AUTH_ANONYMOUS, never);
	return CF_OK;
}
CF_APP_INIT(init)
