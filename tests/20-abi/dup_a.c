/* Defines "Shared"; dup_b.c defines "shared" too (names are case-insensitive). */
#include <cfunc.h>

static cf_rc a(cf_http *h) { return cf_http_respond(h, 200, NULL, "a"); }
static cf_rc init(cf_app *app)
{
	return cf_register_http(app, "Shared", NULL, "a", CF_AUTH_ANONYMOUS, a);
}
CF_APP_INIT(init)
