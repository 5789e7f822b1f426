/* init registers a function, logs why it gives up and fails: the function
 * must not be served. */
#include <cfunc.h>

static cf_rc never(cf_http *h) { return cf_http_respond(h, 200, NULL, "init_fails served"); }
static cf_rc init(cf_app *app)
{
	cf_register_http(app, "init_fails_fn", NULL, NULL, CF_AUTH_ANONYMOUS, never);
	cf_log(app, CF_LOG_ERROR, "database URL missing");
	return CF_ERROR;
}
CF_APP_INIT(init)
