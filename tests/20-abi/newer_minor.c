/* Built against a newer minor than the host has: its table would be too short. */
#include <cfunc.h>
#undef CF_ABI_MINOR
#define CF_ABI_MINOR 99

static cf_rc never(cf_http *h) { return cf_http_respond(h, 200, NULL, "newer minor served"); }
static cf_rc init(cf_app *app)
{
	return cf_register_http(app, "newer_minor_fn", NULL, NULL, CF_AUTH_ANONYMOUS, never);
}
CF_APP_INIT(init)
