/*
 * hold_app - calls that run until the test lets them go, so that a test
 * can tell in what order calls ran and were answered without timing them
 * (tests/50-e2e/answer_batch.sh). Files are in the script root, the
 * current folder of a worker process and of the host.
 *
 *   GET /api/hold?name=N  writes started-N, then waits until release-N
 *        exists (checked every 2 ms, at most 30 s) and answers 200 "N"
 *        (504 "N" when it was never released).
 *   activity hold_activity, input "N": the same, returning "N".
 *   orchestrator hold_pair: hold_activity "<id>-1" and "<id>-2" at once
 *        (<id> the instance id); custom status "first" once the first's
 *        result is in, then returns both results.
 */
#include <cfunc.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* 1 when release-<name> appeared, 0 after 30 s. */
static int hold(const char *name)
{
	char started[160], tmp[170], release[160];
	snprintf(started, sizeof(started), "started-%s", name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", started);
	snprintf(release, sizeof(release), "release-%s", name);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
		rename(tmp, started);
	}
	struct timespec tick = {0, 2 * 1000000L};
	for (int i = 0; i < 15000; i++) {
		if (access(release, F_OK) == 0)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* Letters, digits, '-' and '_' only: the name becomes a file name. */
static int plain(const char *s)
{
	if (!s || !*s || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static cf_rc hold_fn(cf_http *h)
{
	const char *name = cf_http_query(h, "name");
	if (!plain(name))
		return cf_http_respond(h, 400, "text/plain", "name?");
	return cf_http_respond(h, hold(name) ? 200 : 504, "text/plain", name);
}

static cf_rc hold_activity(cf_act *a)
{
	/* The input is a JSON string: "N". */
	char name[104];
	const char *in = cf_act_input(a);
	size_t n = in ? strlen(in) : 0;
	if (n < 3 || n - 2 >= sizeof(name) || in[0] != '"' || in[n - 1] != '"')
		return cf_act_return(a, "\"bad input\"");
	memcpy(name, in + 1, n - 2);
	name[n - 2] = '\0';
	if (!plain(name))
		return cf_act_return(a, "\"bad input\"");
	hold(name);
	return cf_act_return(a, in);
}

static cf_rc hold_pair(cf_orch *o)
{
	const char *id = cf_orch_instance_id(o), *r1, *r2;
	cf_task *t1 = cf_call_activity(o, "hold_activity", cf_fmt(o, "\"%s-1\"", id));
	cf_task *t2 = cf_call_activity(o, "hold_activity", cf_fmt(o, "\"%s-2\"", id));
	CF_AWAIT(o, t1, &r1);
	cf_orch_set_custom_status(o, "\"first\"");
	CF_AWAIT(o, t2, &r2);
	return cf_orch_finish(o, cf_fmt(o, "[%s,%s]", r1, r2));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "hold", "GET", "hold", CF_AUTH_ANONYMOUS, hold_fn);
	cf_register_activity(app, "hold_activity", hold_activity);
	cf_register_orchestrator(app, "hold_pair", hold_pair);
	return CF_OK;
}

CF_APP_INIT(init)
