/* References a symbol nobody defines: dlopen(RTLD_NOW) must fail. */
#include <cfunc.h>

extern int cfunc_test_symbol_that_does_not_exist(void);

static cf_rc uses_missing(cf_http *h)
{
	return cf_http_respond(h, 200, NULL, cfunc_test_symbol_that_does_not_exist() ? "a" : "b");
}
static cf_rc init(cf_app *app)
{
	return cf_register_http(app, "unresolved_fn", NULL, NULL, CF_AUTH_ANONYMOUS, uses_missing);
}
CF_APP_INIT(init)
