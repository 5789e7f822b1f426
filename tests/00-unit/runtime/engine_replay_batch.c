/*
 * The replay_batch hook (runtime/engine.h): the episodes of one engine
 * batch reach it in one call; an episode it reports as not run (-2: the
 * worker process running it died) commits nothing and runs again, while
 * the others of its batch commit and do not run again. Without the hook
 * episodes replay one by one (the other engine tests).
 *
 * Eight orchestrations are queued in the task hub before the engine starts,
 * so that its first batch finds them all ready. Waits are bounded polls of
 * the committed rows.
 */
#include "store_util.h"
#include "engine_fake.h"
#include "runtime/store_offline.h"

#define WAIT_MS 5000
#define N 8
#define CULPRIT "b3"
#define CULPRIT_FAILS 2

static struct rt_arena arena;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int calls, first_n, max_n, culprit_failed, wrong_fn; /* under mu */
static int episodes_of[N];                                  /* under mu */

static void act_hello(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	res->result = rt_arena_fmt(call->arena, "\"hello %s\"", call->instance_id);
}

static int orch_seq(struct rt_orch *o)
{
	const char *r;
	int rc = rt_orch_await(o, rt_orch_call_activity(o, "hello", "null", NULL), &r);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, r);
	return RT_OK;
}

static struct fake_fn app[] = {
	{.name = "hello", .act = act_hello},
	{.name = "seq", .orch = orch_seq},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

/* Replays in this process, except that the culprit's first episodes
 * "die" in their worker. */
static void replay_batch(void *ctx, size_t n, void *const *fns,
			 const struct rt_episode_in *const *ins, struct rt_episode_out *outs,
			 int *rcs, void (*done)(void *arg, size_t i), void *arg)
{
	(void)ctx;
	pthread_mutex_lock(&mu);
	if (++calls == 1)
		first_n = (int)n;
	if ((int)n > max_n)
		max_n = (int)n;
	pthread_mutex_unlock(&mu);
	for (size_t i = 0; i < n; i++) {
		const char *id = ins[i]->instance_id;
		pthread_mutex_lock(&mu);
		wrong_fn += fns[i] != &app[1];
		int fail = strcmp(id, CULPRIT) == 0 && culprit_failed < CULPRIT_FAILS;
		culprit_failed += fail;
		if (id[0] == 'b' && id[1] >= '0' && id[1] < '0' + N)
			episodes_of[id[1] - '0']++;
		pthread_mutex_unlock(&mu);
		if (fail) {
			memset(&outs[i], 0, sizeof(outs[i]));
			outs[i].error = "its worker process died";
			rcs[i] = -2;
			done(arg, i);
			continue;
		}
		rcs[i] = rt_replay_run(ins[i], &outs[i]);
		done(arg, i);
	}
}

static int get(const int *v)
{
	pthread_mutex_lock(&mu);
	int n = *v;
	pthread_mutex_unlock(&mu);
	return n;
}

int main(void)
{
	char hub_path[256], id[8];
	char *err = NULL;

	tdir_make();
	rt_arena_init(&arena);
	fake_echo = getenv("ENGINE_TEST_LOG") != NULL;
	snprintf(hub_path, sizeof(hub_path), "%s/.cfunc/UnitHub.db", tdir);

	struct rt_store *s = NULL;
	int queued = 0;
	if (rt_store_open(&s, hub_path, NULL, &err) == 0) {
		for (int i = 0; i < N; i++) {
			char *out_id = NULL, *serr = NULL;
			int64_t created;
			snprintf(id, sizeof(id), "b%d", i);
			queued += rt_offline_start(s, "seq", id, "null", 0, &out_id, &created, &serr) ==
				  RT_OK;
			free(out_id);
			free(serr);
		}
		rt_store_close(s);
	}
	free(err);
	err = NULL;
	is_int(queued, N, "%d orchestrations queued before the engine starts", N);

	struct rt_engine_opts o = fake_opts(hub_path, app, NAPP);
	o.hooks.replay_batch = replay_batch;
	struct rt_engine *e = rt_engine_start(&o, &err);
	ok(e != NULL, "the engine starts (%s)", err ? err : "ok");
	free(err);
	if (!e) {
		tdir_remove();
		return done_testing();
	}

	int completed = 0, right = 0;
	for (int i = 0; i < N; i++) {
		struct rt_instance in;
		char want[32];
		snprintf(id, sizeof(id), "b%d", i);
		snprintf(want, sizeof(want), "\"hello %s\"", id);
		if (fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &in, &arena)) {
			completed++;
			right += in.output && strcmp(in.output, want) == 0;
		}
	}
	is_int(completed, N, "all %d complete, the culprit too", N);
	is_int(right, N, "each with its own activity's result");
	is_int(get(&first_n), N, "the first batch's %d episodes reached the hook in one call", N);
	ok(get(&calls) < 2 * N + CULPRIT_FAILS, "in fewer calls than episodes (%d calls for %d episodes)",
	   get(&calls), 2 * N + CULPRIT_FAILS);
	is_int(get(&wrong_fn), 0, "each with its orchestrator as found by find_orchestrator");
	is_int(get(&culprit_failed), CULPRIT_FAILS, "the culprit's episode was not run %d times",
	       CULPRIT_FAILS);
	is_int(get(&episodes_of[3]), 2 + CULPRIT_FAILS,
	       "and ran again each time, from the same point (2 episodes + %d retries)",
	       CULPRIT_FAILS);
	int others_once = 1;
	for (int i = 0; i < N; i++)
		if (i != 3 && get(&episodes_of[i]) != 2)
			others_once = 0;
	ok(others_once, "the others of its batch committed and ran no episode twice");
	is_int(fake_calls("hello"), N,
	       "one activity per instance: nothing of an episode not run was committed");

	is_int(rt_engine_stop_by(e, rt_mono_us() + 5000000), 0, "the engine stops");
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
