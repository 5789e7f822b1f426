/*
 * init_aborts - an app whose init ends its process (abort()): in process
 * that is the host's death; with --worker-processes only its worker dies,
 * and the app is refused naming the signal (tests/50-e2e/workers_noload.sh).
 */
#include <cfunc.h>
#include <stdlib.h>

static cf_rc init(cf_app *app)
{
	(void)app;
	abort();
}

CF_APP_INIT(init)
