/*
 * engine_wait.c - unit tests for the engine's waits (rt_engine_wait_*,
 * runtime/engine_wait.c) on a real engine and a temporary task hub: a wait
 * fires once, after the commit, with the committed row; one registered
 * before the start sees a completion in the starting batch; a cancelled
 * wait never fires; waits on other ids are left alone.
 */
#include "runtime/engine.h"
#include "common/clock.h"
#include "common/xalloc.h"
#include "tap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Orchestrators: "done" finishes with its input, "stuck" waits for "go". */
static int run_orch(void *fn, struct rt_orch *o)
{
	const char *data;
	if (strcmp(fn, "done") == 0)
		return rt_orch_finish(o, rt_orch_input(o));
	int rc = rt_orch_await(o, rt_orch_wait_for_event(o, "go"), &data);
	return rc == RT_OK ? rt_orch_finish(o, data) : rc;
}

static void *find_orch(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "done") == 0)
		return "done";
	return strcmp(name, "stuck") == 0 ? "stuck" : NULL;
}

struct seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fired;
	int status;
	char output[64];
	int committed; /* the start's commit was acknowledged when it fired */
};

static void on_fired(struct rt_engine_wait *w, const struct rt_instance *row)
{
	struct seen *s = w->user;
	pthread_mutex_lock(&s->lock);
	s->fired++;
	s->status = row->status;
	snprintf(s->output, sizeof(s->output), "%s", row->output ? row->output : "(null)");
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void on_started(void *user, int rc, const char *err)
{
	struct seen *s = user;
	(void)err;
	pthread_mutex_lock(&s->lock);
	s->committed = rc == RT_OK;
	pthread_mutex_unlock(&s->lock);
}

static void seen_init(struct seen *s, struct rt_engine_wait *w)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	memset(w, 0, sizeof(*w));
	w->fired = on_fired;
	w->user = s;
}

/* Waits (bounded, 5 s) until s->fired reaches n; returns s->fired. */
static int wait_fired(struct seen *s, int n)
{
	int64_t until = rt_mono_us() + 5000000;
	int got;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		got = s->fired;
		pthread_mutex_unlock(&s->lock);
		if (got >= n || rt_mono_us() > until)
			return got;
		usleep(1000);
	}
}

int main(void)
{
	char dir[] = "/tmp/cfunc-engine-wait.XXXXXX", path[128], *err = NULL, *id = NULL;
	struct rt_engine_opts o;
	struct rt_engine *e;
	struct rt_engine_wait w1, w2, w3, w4;
	struct seen s1, s2, s3, s4;
	char new_id[33];

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.hub_name = "TestHubName";
	o.max_activities = 1;
	o.max_dequeue_count = 5;
	o.max_actions = 1000;
	o.hooks.find_orchestrator = find_orch;
	o.hooks.run_orchestrator = run_orch;
	e = rt_engine_start(&o, &err);
	ok(e != NULL, "engine starts on a temporary hub (%s)", err ? err : "");
	if (!e)
		return done_testing();

	/* Registered before the start is queued: the completion in the very
	 * batch that starts the instance is seen. */
	seen_init(&s1, &w1);
	is_int(rt_engine_start_async(e, "done", "\"one\"", new_id, on_started, &s1, &w1), RT_OK,
	       "start queued with a wait");
	is_int(wait_fired(&s1, 1), 1, "the wait fires once");
	is_int(s1.status, RT_ST_COMPLETED, "with the committed status");
	is_str(s1.output, "\"one\"", "and the committed output");
	is_int(rt_engine_wait_cancel(e, &w1), 0, "cancel after it fired: 0");

	/* A wait on a running instance fires when an event finishes it; one on
	 * another id does not; a cancelled one never does. */
	is_int(rt_engine_start_instance(e, "stuck", "stuck-1", NULL, NULL, &err), RT_OK,
	       "a waiting instance starts");
	seen_init(&s2, &w2);
	seen_init(&s3, &w3);
	seen_init(&s4, &w4);
	rt_engine_wait_add(e, &w2, "stuck-1");
	rt_engine_wait_add(e, &w3, "someone-else");
	rt_engine_wait_add(e, &w4, "stuck-1");
	is_int(rt_engine_wait_cancel(e, &w4), 1, "cancel before it fired: 1");
	/* Committed Running, waiting for its event: nothing can fire yet. */
	is_int(s2.fired, 0, "no fire while the instance runs");
	is_int(rt_engine_raise_event(e, "stuck-1", "go", "\"went\"", &err), RT_OK, "the event");
	is_int(wait_fired(&s2, 1), 1, "the wait fires when it completes");
	is_str(s2.output, "\"went\"", "with the output of that commit");
	/* Same id, same firing round as w2: had it still been linked, it
	 * would have fired by now. */
	is_int(s4.fired, 0, "the cancelled wait never fires");
	is_int(s3.fired, 0, "a wait on another id is left alone");
	is_int(rt_engine_wait_cancel(e, &w3), 1, "… and can still be cancelled");

	/* A terminate commits a terminal state too. */
	is_int(rt_engine_start_instance(e, "stuck", "stuck-2", NULL, &id, &err), RT_OK, "another");
	free(id);
	seen_init(&s2, &w2);
	rt_engine_wait_add(e, &w2, "stuck-2");
	is_int(rt_engine_terminate(e, "stuck-2", "enough", &err), RT_OK, "terminated");
	is_int(wait_fired(&s2, 1), 1, "the wait fires on Terminated");
	is_int(s2.status, RT_ST_TERMINATED, "with that status");

	rt_engine_stop(e);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return done_testing();
}
