/*
 * held_start - a worker whose start the test can hold, so that a test can
 * tell whether something waited for a worker to start without timing it
 * (tests/50-e2e/workers_lost_first.sh). Files are in the script root, the
 * current folder of a worker process.
 *
 *   init: while hold-start exists, writes starting-<pid> and waits until
 *         hold-start is gone (checked every 2 ms, at most 30 s).
 *   GET /api/ok     200 "ok"
 *   GET /api/abort  ends its worker process (SIGABRT)
 */
#include <cfunc.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static cf_rc ok_fn(cf_http *h) { return cf_http_respond(h, 200, NULL, "ok"); }

static cf_rc abort_fn(cf_http *h)
{
	(void)h;
	abort();
}

static cf_rc init(cf_app *app)
{
	if (access("hold-start", F_OK) == 0) {
		char name[64], tmp[72];
		snprintf(name, sizeof(name), "starting-%ld", (long)getpid());
		snprintf(tmp, sizeof(tmp), "%s.tmp", name);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fclose(f);
			rename(tmp, name);
		}
		struct timespec tick = {0, 2 * 1000000L};
		for (int i = 0; i < 15000 && access("hold-start", F_OK) == 0; i++)
			nanosleep(&tick, NULL);
	}
	cf_register_http(app, "ok", "GET", "ok", CF_AUTH_ANONYMOUS, ok_fn);
	cf_register_http(app, "abort", "GET", "abort", CF_AUTH_ANONYMOUS, abort_fn);
	return CF_OK;
}
CF_APP_INIT(init)
