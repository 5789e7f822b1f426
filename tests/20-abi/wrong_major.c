/* Built as if against ABI major 3: the host must refuse it. */
#include <cfunc.h>
#undef CF_ABI_MAJOR
#define CF_ABI_MAJOR 3

static cf_rc never(cf_http *h) { return cf_http_respond(h, 200, NULL, "wrong major served"); }
static cf_rc init(cf_app *app)
{
	return cf_register_http(app, "wrong_major_fn", NULL, NULL, CF_AUTH_ANONYMOUS, never);
}
CF_APP_INIT(init)
