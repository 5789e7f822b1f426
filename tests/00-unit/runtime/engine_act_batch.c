/*
 * The run_activity_batch hook's finished callback (runtime/engine.h): an
 * attempt's result is committed as soon as the hook says it is final, not
 * when the whole batch returns, so an orchestration waiting for a fast
 * attempt never waits for a slow attempt batched after it. And when the
 * process dies in the middle of a batch, the attempts finished before keep
 * their committed results (they do not run again), the one running is
 * counted against maxDequeueCount, and those after it run again uncounted.
 *
 * One activity thread, so that the attempts of a fan-out are handed to the
 * hook together. The slow attempt blocks on a pipe that the test writes
 * only after it has seen what it waits for; the death is a child process
 * that runs the first engine and _exits in the middle of its batch.
 */
#include "store_util.h"
#include "engine_fake.h"

#include <sys/wait.h>

#define WAIT_MS 5000

static struct rt_arena arena;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int batch_n;        /* the largest batch the hook got (under mu) */
static int attempt_of[3];  /* quick, die, after: call->attempt last seen (under mu) */
static int hold_fd = -1;   /* "hold" reads a byte from it before it answers */
static int die_mid_batch;  /* the child: "die" ends the process */
static struct rt_engine *eng;

static void note_attempt(int which, const struct rt_activity_call *call)
{
	pthread_mutex_lock(&mu);
	attempt_of[which] = call->attempt;
	pthread_mutex_unlock(&mu);
}

static void act_quick(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	note_attempt(0, call);
	res->result = "\"quick\"";
}

static void act_hold(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	char c;
	(void)call;
	if (read(hold_fd, &c, 1) != 1)
		res->failed = 1, res->message = "the test's pipe closed";
	else
		res->result = "\"slow\"";
}

static void act_die(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	note_attempt(1, call);
	res->result = "\"survived\"";
}

static void act_after(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	note_attempt(2, call);
	res->result = "\"after\"";
}

/* Calls `first`, `second` (and `third`) at once; says so in its custom
 * status when the first's result is in, then waits for the others. */
static int run_pair(struct rt_orch *o, const char *first, const char *second, const char *third)
{
	struct rt_task *a = rt_orch_call_activity(o, first, "null", NULL);
	struct rt_task *b = rt_orch_call_activity(o, second, "null", NULL);
	struct rt_task *c = third ? rt_orch_call_activity(o, third, "null", NULL) : NULL;
	const char *ra, *rb, *rthird = "null";
	int rc = rt_orch_await(o, a, &ra);
	if (rc != RT_OK)
		return rc;
	rt_orch_set_custom_status(o, "\"first in\"");
	rc = rt_orch_await(o, b, &rb);
	if (rc == RT_OK && c)
		rc = rt_orch_await(o, c, &rthird);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "[%s,%s,%s]", ra, rb, rthird));
	return RT_OK;
}

static int orch_fast_slow(struct rt_orch *o)
{
	return run_pair(o, "quick", "hold", NULL);
}

static int orch_three(struct rt_orch *o)
{
	return run_pair(o, "quick", "die", "after");
}

static struct fake_fn app[] = {
	{.name = "quick", .act = act_quick},
	{.name = "hold", .act = act_hold},
	{.name = "die", .act = act_die},
	{.name = "after", .act = act_after},
	{.name = "fast_slow", .orch = orch_fast_slow},
	{.name = "three", .orch = orch_three},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

/* As a worker's batch: one attempt after the other, each finished as its
 * result is in. In the child, "die" first waits until the attempt before
 * it is committed (the custom status says so), then ends the process. */
static void run_batch(void *ctx, size_t n, void *const *fns, const struct rt_activity_call *calls,
		      struct rt_activity_result *res, void (*starting)(void *arg, size_t i),
		      void (*finished)(void *arg, size_t i), void *arg)
{
	pthread_mutex_lock(&mu);
	if ((int)n > batch_n)
		batch_n = (int)n;
	pthread_mutex_unlock(&mu);
	for (size_t i = 0; i < n; i++) {
		starting(arg, i);
		if (die_mid_batch && strcmp(calls[i].name, "die") == 0) {
			struct rt_instance row;
			struct rt_arena a;
			rt_arena_init(&a);
			int committed = fake_wait(eng, calls[i].instance_id, pred_custom,
						  "\"first in\"", WAIT_MS, &row, &a);
			/* 10: batch of 3 and the first committed; the parent checks. */
			_exit(n == 3 && committed ? 10 : n != 3 ? 11 : 12);
		}
		fake_run_activity(ctx, fns[i], &calls[i], &res[i]);
		finished(arg, i);
	}
}

static struct rt_engine *start_engine(const char *name, int batch)
{
	char path[300], *err = NULL;
	snprintf(path, sizeof(path), "%s/.cfunc/%s.db", tdir, name);
	struct rt_engine_opts o = fake_opts(path, app, NAPP);
	o.max_activities = 1;
	o.max_dequeue_count = 3;
	if (batch)
		o.hooks.run_activity_batch = run_batch;
	struct rt_engine *e = rt_engine_start(&o, &err);
	if (!e)
		printf("# engine: %s\n", err ? err : "?");
	free(err);
	return e;
}

static int start(struct rt_engine *e, const char *name, const char *id)
{
	char *out = NULL, *err = NULL;
	int rc = rt_engine_start_instance(e, name, id, NULL, &out, &err);
	free(out);
	free(err);
	return rc;
}

/* TaskCompleted events of the instance's history, and how many distinct
 * tasks they are for (tasks 0..2). */
static void completions(struct rt_engine *e, const struct rt_instance *row, const char *id,
			int *completed, int *distinct)
{
	char *err = NULL;
	struct rt_store *s = rt_engine_reader_get(e, &err);
	struct rt_event *ev;
	size_t k;
	int seen[3] = {0};
	free(err);
	*completed = *distinct = 0;
	if (s && rt_engine_history(s, id, row->execution_id, &ev, &k, &arena) == 0)
		for (size_t i = 0; i < k; i++) {
			if (ev[i].type != RT_EV_TASK_COMPLETED)
				continue;
			(*completed)++;
			int t = ev[i].task_scheduled_id;
			if (t >= 0 && t < 3 && !seen[t]++)
				(*distinct)++;
		}
	if (s)
		rt_engine_reader_put(e, s);
}

static void test_fast_not_held(void)
{
	int fds[2];
	struct rt_instance row;
	int completed, distinct;
	if (pipe(fds) != 0) {
		ok(0, "pipe");
		return;
	}
	hold_fd = fds[0];
	batch_n = 0;
	eng = start_engine("Held", 1);
	ok(eng != NULL, "engine starts with the batch hook");
	if (!eng)
		return;
	int quick_before = fake_calls("quick");
	is_int(start(eng, "fast_slow", "fs1"), RT_OK, "start: quick and hold at once");
	int advanced = fake_wait(eng, "fs1", pred_custom, "\"first in\"", WAIT_MS, &row, &arena);
	pthread_mutex_lock(&mu);
	int n = batch_n;
	pthread_mutex_unlock(&mu);
	is_int(n, 2, "both attempts went to the hook in one batch");
	ok(advanced, "the orchestration has the quick result (its next episode committed) "
		     "while hold is still running");
	ok(row.status == RT_ST_RUNNING, "and it still waits for hold");
	/* Released only now, whatever the outcome above. */
	ok(write(fds[1], "x", 1) == 1, "release hold");
	ok(fake_wait_status(eng, "fs1", RT_ST_COMPLETED, WAIT_MS, &row, &arena),
	   "the orchestration completes");
	is_str(row.output, "[\"quick\",\"slow\",null]", "with both results");
	completions(eng, &row, "fs1", &completed, &distinct);
	is_int(completed, 2, "its history holds two completions");
	is_int(distinct, 2, "one per task");
	is_int(fake_calls("quick") - quick_before, 1, "quick ran once");
	is_int(fake_calls("hold"), 1, "hold ran once");
	rt_engine_stop(eng);
	eng = NULL;
	close(fds[0]);
	close(fds[1]);
}

static void test_death_mid_batch(void)
{
	struct rt_instance row;
	int completed, distinct, status = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		ok(0, "fork");
		return;
	}
	if (pid == 0) {
		die_mid_batch = 1;
		eng = start_engine("Died", 1);
		if (!eng || start(eng, "three", "d1") != RT_OK)
			_exit(13);
		struct rt_arena a;
		rt_arena_init(&a);
		fake_wait_status(eng, "d1", RT_ST_COMPLETED, 3 * WAIT_MS, &row, &a);
		_exit(14); /* "die" never ran */
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 10,
	   "the first process got quick, die and after in one batch, committed quick's result "
	   "and died running die (exit %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	eng = start_engine("Died", 0);
	ok(eng != NULL, "the engine starts again on that task hub");
	if (!eng)
		return;
	ok(fake_wait_status(eng, "d1", RT_ST_COMPLETED, 2 * WAIT_MS, &row, &arena),
	   "the orchestration completes");
	is_str(row.output, "[\"quick\",\"survived\",\"after\"]", "with the three results");
	is_int(fake_calls("quick"), 0, "quick, finished before the death, did not run again");
	pthread_mutex_lock(&mu);
	int die_attempt = attempt_of[1], after_attempt = attempt_of[2];
	pthread_mutex_unlock(&mu);
	is_int(die_attempt, 2, "die, running at the death, was counted: its next run is attempt 2");
	is_int(after_attempt, 1, "after, not started, ran again uncounted: attempt 1");
	completions(eng, &row, "d1", &completed, &distinct);
	is_int(completed, 3, "its history holds three completions");
	is_int(distinct, 3, "one per task");
	rt_engine_stop(eng);
	eng = NULL;
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	/* The fork first, while this process runs no engine thread. */
	subtest("a death in the middle of a batch", test_death_mid_batch);
	subtest("a fast attempt's result does not wait for the slow one", test_fast_not_held);
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
