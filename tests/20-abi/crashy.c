/*
 * crashy - an app whose functions end their process in every way a C
 * function can, for the worker-process tests (tests/50-e2e/workers_*.sh):
 *   GET /api/ok                 "ok" (the control client's function)
 *   GET /api/pid                the pid of the process running it
 *   GET /api/crash/{kind}       segv | bus | fpe | abort | exit | stack
 *   GET /api/spin               never returns (functionTimeout)
 *   GET /api/sleep?ms=N         writes its pid to ./sleeping.pid, sleeps N ms
 *                               (so a test can kill that worker meanwhile)
 *   GET /api/cwd                the working directory
 *   GET /api/version            CRASHY_VERSION: "1" here, "2" in crashy_v2.so,
 *                               the same app rebuilt (tests of deploys)
 * Rebuilt with other functions (tests/50-e2e/workers_redeploy.sh):
 *   CRASHY_V3 (crashy_v3.so)    no "cwd"; "added" (GET /api/v3/added,
 *                               "added in v3"); "pid" takes POST too;
 *                               "crash" needs a function key; no
 *                               orchestrator crashy_replay
 *   CRASHY_SHADOW (crashy_shadow.so) adds "shadow" on GET /api/slow, the
 *                               route of testapp's "slow"
 *   activity crashy_activity    input "ok": "fine"; "abort": abort();
 *                               "once": abort() unless ./crashy-once exists
 *                               (it creates it first), so a retry succeeds
 *   orchestrator crashy_orch    calls crashy_activity with its input, 3
 *                               attempts 100 ms apart, returns the result
 *   orchestrator crashy_fan     input N: N crashy_activity "ok" and one
 *                               "once" (3 attempts), all at once; returns
 *                               their results
 *   orchestrator crashy_replay  input "segv": dereferences NULL in every
 *                               episode; "slowsegv": the same 300 ms into
 *                               every episode (a test can act meanwhile);
 *                               else returns its input
 */
#include <cfunc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef CRASHY_VERSION
#define CRASHY_VERSION "1"
#endif

static cf_rc ok_fn(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", "ok");
}

static cf_rc pid_fn(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", cf_fmt(h, "%ld", (long)getpid()));
}

static cf_rc version_fn(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", CRASHY_VERSION);
}

#ifdef CRASHY_V3
static cf_rc added_fn(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", "added in v3");
}
#endif

static cf_rc cwd_fn(cf_http *h)
{
	char buf[4096];
	return cf_http_respond(h, 200, "text/plain", getcwd(buf, sizeof(buf)) ? buf : "?");
}

/* Deep enough to overflow any default stack; the volatile keeps the frames.
 * The limit only hides the recursion from the compiler's warning. */
static volatile long stack_limit = 1L << 40;

static int recurse(volatile char *prev, long depth)
{
	volatile char frame[4096];
	frame[0] = prev ? prev[0] : (char)depth;
	if (depth > stack_limit)
		return frame[0];
	return recurse(frame, depth + 1) + frame[1];
}

/* These crash on purpose: in a build under UBSan, its own null and
 * division checks would end the worker first (exit code 1) and hide the
 * signal the host must report. */
#define CRASHES_ON_PURPOSE __attribute__((no_sanitize("undefined")))

CRASHES_ON_PURPOSE static cf_rc crash_fn(cf_http *h)
{
	const char *kind = cf_http_route_param(h, "kind");
	volatile int zero = 0, seven = 7;
	if (!kind)
		return CF_ERROR;
	if (strcmp(kind, "segv") == 0)
		*(volatile int *)(uintptr_t)zero = 1;
	else if (strcmp(kind, "bus") == 0)
		raise(SIGBUS);
	else if (strcmp(kind, "fpe") == 0)
		return cf_http_respond(h, 200, "text/plain", cf_fmt(h, "%d", seven / zero));
	else if (strcmp(kind, "abort") == 0)
		abort();
	else if (strcmp(kind, "exit") == 0)
		exit(3);
	else if (strcmp(kind, "stack") == 0)
		return cf_http_respond(h, 200, "text/plain", cf_fmt(h, "%d", recurse(NULL, 0)));
	return cf_http_respond(h, 400, "text/plain", "unknown kind");
}

static cf_rc spin_fn(cf_http *h)
{
	(void)h;
	for (volatile unsigned long i = 0;; i++)
		;
	return CF_OK;
}

static cf_rc sleep_fn(cf_http *h)
{
	const char *ms = cf_http_query(h, "ms");
	long n = ms ? strtol(ms, NULL, 10) : 1000;
	FILE *f = fopen("sleeping.pid.tmp", "w");
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
		rename("sleeping.pid.tmp", "sleeping.pid");
	}
	struct timespec ts = {n / 1000, (n % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	return cf_http_respond(h, 200, "text/plain", "slept");
}

static cf_rc activity(cf_act *a)
{
	const char *in = cf_act_input(a);
	if (strcmp(in, "\"abort\"") == 0)
		abort();
	if (strcmp(in, "\"once\"") == 0 && access("crashy-once", F_OK) != 0) {
		FILE *f = fopen("crashy-once", "w");
		if (f)
			fclose(f);
		abort();
	}
	return cf_act_return(a, "\"fine\"");
}

static cf_rc orch(cf_orch *o)
{
	struct cf_retry retry = CF_RETRY_INIT(100, 3);
	const char *out;
	CF_AWAIT(o, cf_call_activity_with_retry(o, "crashy_activity", &retry, cf_orch_input(o)), &out);
	return cf_orch_finish(o, out);
}

static cf_rc fan(cf_orch *o)
{
	long n = strtol(cf_orch_input(o), NULL, 10);
	if (n < 0 || n > 1000)
		return cf_orch_fail(o, "N must be 0..1000");
	struct cf_retry retry = CF_RETRY_INIT(100, 3);
	cf_task **tasks = cf_alloc(o, (size_t)(n + 1) * sizeof(*tasks));
	for (long i = 0; i < n; i++)
		tasks[i] = cf_call_activity(o, "crashy_activity", "\"ok\"");
	tasks[n] = cf_call_activity_with_retry(o, "crashy_activity", &retry, "\"once\"");
	const char *out;
	CF_AWAIT(o, cf_when_all(o, tasks, (size_t)n + 1), &out);
	return cf_orch_finish(o, out);
}

CRASHES_ON_PURPOSE static cf_rc replay_crash(cf_orch *o)
{
	volatile int zero = 0;
	if (strcmp(cf_orch_input(o), "\"slowsegv\"") == 0) {
		struct timespec ts = {0, 300 * 1000000L};
		nanosleep(&ts, NULL);
		*(volatile int *)(uintptr_t)zero = 1;
	}
	if (strcmp(cf_orch_input(o), "\"segv\"") == 0)
		*(volatile int *)(uintptr_t)zero = 1;
	return cf_orch_finish(o, cf_orch_input(o));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "ok", "GET", "ok", CF_AUTH_ANONYMOUS, ok_fn);
	cf_register_http(app, "version", "GET", "version", CF_AUTH_ANONYMOUS, version_fn);
#ifdef CRASHY_V3
	(void)cwd_fn;
	cf_register_http(app, "pid", "GET,POST", "pid", CF_AUTH_ANONYMOUS, pid_fn);
	cf_register_http(app, "added", "GET", "v3/added", CF_AUTH_ANONYMOUS, added_fn);
#else
	cf_register_http(app, "pid", "GET", "pid", CF_AUTH_ANONYMOUS, pid_fn);
	cf_register_http(app, "cwd", "GET", "cwd", CF_AUTH_ANONYMOUS, cwd_fn);
#endif
#ifdef CRASHY_SHADOW
	cf_register_http(app, "shadow", "GET", "slow", CF_AUTH_ANONYMOUS, ok_fn);
#endif
#ifdef CRASHY_V3
	cf_register_http(app, "crash", "GET", "crash/{kind}", CF_AUTH_FUNCTION, crash_fn);
#else
	cf_register_http(app, "crash", "GET", "crash/{kind}", CF_AUTH_ANONYMOUS, crash_fn);
#endif
	cf_register_http(app, "spin", "GET", "spin", CF_AUTH_ANONYMOUS, spin_fn);
	cf_register_http(app, "sleep", "GET", "sleep", CF_AUTH_ANONYMOUS, sleep_fn);
	cf_register_activity(app, "crashy_activity", activity);
	cf_register_orchestrator(app, "crashy_orch", orch);
#ifdef CRASHY_V3
	(void)replay_crash;
#else
	cf_register_orchestrator(app, "crashy_replay", replay_crash);
#endif
	cf_register_orchestrator(app, "crashy_fan", fan);
	return CF_OK;
}

CF_APP_INIT(init)
