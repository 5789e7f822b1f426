/*
 * crashy_durable - a timer, an entity and an activity that end their worker
 * process on request, for tests/50-e2e/workers_timer.sh,
 * workers_entities.sh and workers_admin_invoke.sh:
 *   GET /api/ok           "ok" (the control client's function)
 *   timer crash_tick      every second; appends "<pid>\n" to ./ticks, unless
 *                         ./tick-crash holds a kind (segv | abort | spin):
 *                         it removes the file, then crashes that way (or
 *                         spins), so one run dies and the next ones run;
 *                         while ./tick-slow exists each run takes 1 s and
 *                         appends "begin <pid>" and "end <pid>" to
 *                         ./tick-spans around it
 *   entity box            "add" n: state + n, returns it; "get": the state;
 *                         "segv" | "abort": crashes; "spin": never returns;
 *                         "segv_once": crashes unless ./box-once exists (it
 *                         creates it first), else adds 100
 *                         "note": appends "<key> <pid>" to ./box-ran, adds 1
 *   orchestrator box_call {"key","op","input"}: calls box and returns
 *                         {"ok":result} or {"error":message}
 *   orchestrator box_burst {"key","ops":"add:1,segv_once,add:1"}: signals
 *                         those operations (op:input) to box in one
 *                         episode, so they run as one batch
 *   orchestrator box_spread {"ops":"k1=note,k2=segv_once"}: signals each
 *                         key its operation in one episode, so the entities
 *                         run in one engine batch
 *   activity crash_act    input "ok": "fine"; "segv" | "abort": crashes;
 *                         "spin": never returns
 */
#include <cfunc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* These crash on purpose: under UBSan its own null check would end the
 * worker first (exit code 1) and hide the signal the host must report. */
#define CRASHES_ON_PURPOSE __attribute__((no_sanitize("undefined")))

CRASHES_ON_PURPOSE static void crash(const char *kind)
{
	volatile int zero = 0;
	if (strcmp(kind, "segv") == 0)
		*(volatile int *)(uintptr_t)zero = 1;
	if (strcmp(kind, "abort") == 0)
		abort();
	if (strcmp(kind, "spin") == 0)
		for (;;)
			pause();
}

static cf_rc ok_fn(cf_http *h)
{
	return cf_http_respond(h, 200, "text/plain", "ok");
}

/* Appends "<what> <pid>" to ./tick-spans. */
static void span(const char *what)
{
	FILE *f = fopen("tick-spans", "a");
	if (f) {
		fprintf(f, "%s %d\n", what, (int)getpid());
		fclose(f);
	}
}

static cf_rc tick(cf_timer *t)
{
	char kind[16] = "";
	FILE *f = fopen("tick-crash", "r");
	(void)t;
	if (access("tick-slow", F_OK) == 0) {
		struct timespec second = {1, 0};
		span("begin");
		nanosleep(&second, NULL);
		span("end");
	}
	if (f) {
		if (!fgets(kind, sizeof(kind), f))
			kind[0] = 0;
		fclose(f);
		unlink("tick-crash");
		kind[strcspn(kind, "\n")] = 0;
		crash(kind);
	}
	f = fopen("ticks", "a");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	return CF_OK;
}

static double state_number(cf_entity *e)
{
	const char *st = cf_entity_state(e);
	double v = 0;
	if (st)
		cf_json_number(e, st, NULL, &v);
	return v;
}

static cf_rc add(cf_entity *e, double n)
{
	double v = state_number(e) + n;
	cf_entity_set_state(e, cf_fmt(e, "%.15g", v));
	return cf_entity_return(e, cf_fmt(e, "%.15g", v));
}

static cf_rc box(cf_entity *e)
{
	const char *op = cf_entity_op(e), *in = cf_entity_input(e);
	double n = 1;
	if (strcmp(op, "add") == 0) {
		if (in)
			cf_json_number(e, in, NULL, &n);
		return add(e, n);
	}
	if (strcmp(op, "get") == 0)
		return cf_entity_return(e, cf_fmt(e, "%.15g", state_number(e)));
	if (strcmp(op, "segv_once") == 0) {
		if (access("box-once", F_OK) != 0) {
			FILE *f = fopen("box-once", "w");
			if (f)
				fclose(f);
			crash("segv");
		}
		return add(e, 100);
	}
	if (strcmp(op, "note") == 0) {
		FILE *f = fopen("box-ran", "a");
		if (f) {
			fprintf(f, "%s %d\n", cf_entity_key(e), (int)getpid());
			fclose(f);
		}
		return add(e, 1);
	}
	crash(op);
	return cf_entity_fail(e, cf_fmt(e, "box has no operation '%s'", op));
}

static cf_rc box_call(cf_orch *o)
{
	const char *in = cf_orch_input(o), *r = NULL;
	const char *key = cf_json_string(o, in, "key"), *op = cf_json_string(o, in, "op");
	const char *arg = cf_json_get(o, in, "input");
	cf_task *t = cf_call_entity(o, "box", key ? key : "k", op ? op : "get", arg);
	cf_rc rc = cf_await(o, t, &r);
	if (rc == CF_PENDING)
		return rc;
	if (rc == CF_OK)
		return cf_orch_finish(o, cf_fmt(o, "{\"ok\":%s}", r ? r : "null"));
	return cf_orch_finish(o, cf_fmt(o, "{\"error\":%s}", cf_json_quote(o, cf_task_error(t))));
}

/* Signals every operation of "ops" in one episode, so they reach the
 * entity together and run as one batch. */
static cf_rc box_burst(cf_orch *o)
{
	const char *in = cf_orch_input(o);
	const char *key = cf_json_string(o, in, "key"), *ops = cf_json_string(o, in, "ops");
	char list[256], *save = NULL;
	snprintf(list, sizeof(list), "%s", ops ? ops : "");
	for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		if (colon)
			*colon++ = 0;
		cf_signal_entity(o, "box", key ? key : "k", item, colon, 0);
	}
	return cf_orch_finish(o, "\"sent\"");
}

/* Signals "key=op" for every item of "ops" in one episode: the entities
 * get their messages in one engine batch. */
static cf_rc box_spread(cf_orch *o)
{
	const char *ops = cf_json_string(o, cf_orch_input(o), "ops");
	char list[512], *save = NULL;
	snprintf(list, sizeof(list), "%s", ops ? ops : "");
	for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq)
			return cf_orch_fail(o, "box_spread: an item without '='");
		*eq++ = 0;
		cf_signal_entity(o, "box", item, eq, NULL, 0);
	}
	return cf_orch_finish(o, "\"sent\"");
}

static cf_rc crash_act(cf_act *a)
{
	const char *in = cf_act_input(a);
	const char *kind = in ? cf_json_string(a, in, NULL) : NULL;
	if (kind && strcmp(kind, "ok") != 0)
		crash(kind);
	FILE *f = fopen("act-ran", "a");
	if (f) {
		fprintf(f, "%s\n", kind ? kind : "null");
		fclose(f);
	}
	return cf_act_return(a, "\"fine\"");
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "ok", "GET", "ok", CF_AUTH_ANONYMOUS, ok_fn);
	cf_register_timer(app, "crash_tick", "*/1 * * * * *", CF_TIMER_NO_MONITOR, tick);
	cf_register_entity(app, "box", box);
	cf_register_orchestrator(app, "box_call", box_call);
	cf_register_orchestrator(app, "box_burst", box_burst);
	cf_register_orchestrator(app, "box_spread", box_spread);
	cf_register_activity(app, "crash_act", crash_act);
	return CF_OK;
}

CF_APP_INIT(init)
