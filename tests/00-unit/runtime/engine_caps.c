/*
 * engine_caps.c - a client's start is never held behind thousands of
 * activity results or dequeues (runtime/engine_int.h: ENGINE_BATCH_SHORT_US,
 * ENGINE_HURRY_US, ENGINE_HURRY_MIN, ENGINE_HURRY_MAX_CMDS), and a flood of
 * starts does not starve the activity work either.
 *
 * The engine thread is held inside a "blocker" orchestrator's first episode
 * (it runs on the engine thread) while the test piles work up behind it:
 *   - results: a fan-out's activities, held at a gate until the engine is
 *     held, all finish; then one client's start is queued and the engine let
 *     go. The batch that acknowledges the start (its on_done) has left many
 *     of the results unapplied (their activity rows are still in the task
 *     hub), and applied at least ENGINE_HURRY_MIN; in the end every result
 *     is applied exactly once.
 *   - dequeues: a fan-out's activities wait out of sight (their app was
 *     down: not_run), then the test clock makes them all visible at once and
 *     one client's start is queued. The batch that acknowledges it hands out
 *     only part of what it has room for (counted by a second start queued
 *     from the first one's on_done: the engine's stats then include exactly
 *     the batches up to the first one's).
 *   - a flood: more than ENGINE_HURRY_MAX_CMDS clients (several batches of
 *     ENGINE_BATCH_COMMANDS starts) queued behind the results. Their first
 *     batch is acknowledged with many results unapplied, and every batch of
 *     the flood applies at least ENGINE_HURRY_MIN results.
 * Counts and order only; each wait is bounded so a broken engine fails
 * the test instead of hanging it.
 */
#include "store_util.h"
#include "engine_fake.h"
#include "runtime/engine_int.h" /* the caps under test */

#include <time.h>

#define WAIT_MS 30000
#define THREADS 4 /* activity threads */
/* The caps are times: the work items carry payloads of a real app's size
 * (each result 8 KB, each input 2 KB to dequeue), so that a couple of
 * thousand of them take well over the caps' few milliseconds on any
 * machine, and the caps, not the machine's speed, decide what a batch
 * does. With tiny payloads a fast machine gets through 2,000 results in
 * about the 2 ms a batch may spend on them. */
#define RESULT_BYTES 8000
#define INPUT_BYTES 2000

/* The floor every batch gets through (ENGINE_HURRY_MIN when this was
 * written): written out, so that lowering the engine's floor fails here. */
#define FLOOR 64

/* ---- gates ------------------------------------------------------------------ */

struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int shut;
	int inside; /* callers blocked in it now */
};

static struct gate act_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
static struct gate engine_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void gate_set(struct gate *g, int shut)
{
	pthread_mutex_lock(&g->mu);
	g->shut = shut;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Blocks while the gate is shut (at most WAIT_MS). */
static void gate_pass(struct gate *g)
{
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&g->mu);
	g->inside++;
	pthread_cond_broadcast(&g->cv);
	while (g->shut && pthread_cond_timedwait(&g->cv, &g->mu, &ts) == 0)
		;
	g->inside--;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Waits (bounded) until n callers are blocked in the gate. */
static int gate_wait_inside(struct gate *g, int n)
{
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&g->mu);
	while (g->inside < n && pthread_cond_timedwait(&g->cv, &g->mu, &ts) == 0)
		;
	int in = g->inside >= n;
	pthread_mutex_unlock(&g->mu);
	return in;
}

/* ---- the fake app ------------------------------------------------------------ */

static int app_down; /* 1: "one" cannot run now (not_run); under fake_mu */
static int not_run;  /* attempts of "one" that came back not_run */
static int ran;      /* attempts of "one" that ran and returned a result */

static void act_one(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	pthread_mutex_lock(&fake_mu);
	int down = app_down;
	pthread_mutex_unlock(&fake_mu);
	if (down) {
		res->not_run = 1;
		pthread_mutex_lock(&fake_mu);
		not_run++;
		pthread_mutex_unlock(&fake_mu);
		return;
	}
	gate_pass(&act_gate);
	/* input "\"<i> <result size> <padding>\"": a JSON string that long */
	int i = 0, size = 0;
	sscanf(call->input, "\"%d %d", &i, &size);
	char *r = rt_arena_alloc(call->arena, (size_t)size + 3);
	r[0] = '"';
	memset(r + 1, 'r', (size_t)size);
	r[size + 1] = '"';
	r[size + 2] = 0;
	res->result = r;
	pthread_mutex_lock(&fake_mu);
	ran++;
	pthread_mutex_unlock(&fake_mu);
}

static int ran_count(void)
{
	pthread_mutex_lock(&fake_mu);
	int n = ran;
	pthread_mutex_unlock(&fake_mu);
	return n;
}

/* fan: input "\"<n> <result size> <input size>\"": n calls of one(i), each
 * with an input and a result about that long, then how many came back. */
static int orch_fan(struct rt_orch *o)
{
	int n = 0, rsize = 0, isize = 0, rc;
	sscanf(rt_orch_input(o), "\"%d %d %d", &n, &rsize, &isize);
	struct rt_arena *a = rt_orch_arena(o);
	struct rt_task **t = rt_arena_alloc(a, (size_t)n * sizeof(*t));
	char *pad = rt_arena_alloc(a, (size_t)isize + 1);
	memset(pad, 'i', (size_t)isize);
	pad[isize] = 0;
	for (int i = 0; i < n; i++)
		t[i] = rt_orch_call_activity(o, "one", rt_arena_fmt(a, "\"%d %d %s\"", i, rsize, pad),
					     NULL);
	if ((rc = rt_orch_await(o, rt_orch_when_all(o, t, (size_t)n), NULL)) != RT_OK)
		return rc;
	long got = 0;
	for (int i = 0; i < n; i++)
		got += strlen(rt_task_result(t[i])) == (size_t)rsize + 2;
	return rt_orch_finish(o, rt_arena_fmt(a, "%ld", got));
}

/* blocker: its first (and only) episode runs on the engine thread and
 * waits in engine_gate: the engine commits nothing meanwhile. */
static int orch_blocker(struct rt_orch *o)
{
	gate_pass(&engine_gate);
	return rt_orch_finish(o, "\"unblocked\"");
}

static int orch_light(struct rt_orch *o)
{
	return rt_orch_finish(o, "\"light\"");
}

static struct fake_fn fns[] = {
	{.name = "fan", .orch = orch_fan},
	{.name = "blocker", .orch = orch_blocker},
	{.name = "light", .orch = orch_light},
	{.name = "one", .act = act_one},
};

/* ---- reading the task hub ------------------------------------------------------ */

/* The fan's activity rows: a row stays until its result is applied. -1 on
 * error. Any thread (the engine thread in an on_done: its own arena). */
static long long rows_left(struct rt_engine *e, const char *id, int invisible_only)
{
	struct rt_arena a;
	char *err = NULL;
	struct rt_store *s = rt_engine_reader_get(e, &err);
	long long n = -1;
	free(err);
	if (!s)
		return -1;
	rt_arena_init(&a);
	struct rt_activity *rows;
	size_t k;
	if (rt_store_activity_list(s, id, &rows, &k, &a) == 0) {
		n = 0;
		int64_t now = rt_now_us();
		for (size_t i = 0; i < k; i++)
			n += !invisible_only || rows[i].visible_us > now;
	}
	rt_arena_cleanup(&a);
	rt_engine_reader_put(e, s);
	return n;
}

/* Between two looks of a bounded poll: leaves the cores to the engine. */
static void poll_pause(void)
{
	struct timespec ts = {0, 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits (bounded) until "one" came back not_run `tries` times and all
 * `want` rows of the fan wait out of sight: none visible, so none in
 * flight (a row in flight is one picked when visible). */
static int wait_all_out_of_sight(struct rt_engine *e, const char *id, long long want, int tries)
{
	int64_t until = rt_mono_us() + (int64_t)WAIT_MS * 1000;
	for (;;) {
		pthread_mutex_lock(&fake_mu);
		int n = not_run;
		pthread_mutex_unlock(&fake_mu);
		if (n >= tries && rows_left(e, id, 1) == want && rows_left(e, id, 0) == want)
			return 1;
		if (rt_mono_us() >= until)
			return 0;
		poll_pause();
	}
}

static uint64_t stat_activities(struct rt_engine *e)
{
	struct rt_engine_stats st;
	rt_engine_get_stats(e, &st);
	return st.activities;
}

/* The completed fan: its output, and each result in its history once. */
static void check_fan_done(struct rt_engine *e, const char *id, int n)
{
	struct rt_instance row;
	struct rt_arena a;
	rt_arena_init(&a);
	ok(fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &row, &a), "the fan-out completes");
	char want[32];
	snprintf(want, sizeof(want), "%d", n);
	is_str(row.output, want, "with every result summed once");
	char *err = NULL;
	struct rt_store *s = rt_engine_reader_get(e, &err);
	free(err);
	struct rt_event *ev;
	size_t k;
	int completed = 0, distinct = 0;
	unsigned char *seen = calloc((size_t)n + 1, 1);
	if (s && rt_engine_history(s, id, row.execution_id, &ev, &k, &a) == 0) {
		for (size_t i = 0; i < k; i++) {
			if (ev[i].type != RT_EV_TASK_COMPLETED)
				continue;
			completed++;
			int t = ev[i].task_scheduled_id;
			if (t >= 0 && t <= n && !seen[t]) {
				seen[t] = 1;
				distinct++;
			}
		}
	}
	rt_engine_reader_put(e, s);
	free(seen);
	is_int(completed, n, "its history holds one completion per activity");
	is_int(distinct, n, "each for a different task");
	is_int(rows_left(e, id, 0), 0, "and no activity row is left");
	rt_arena_cleanup(&a);
}

/* ---- starts whose acknowledgment the engine thread reports ----------------------- */

static pthread_mutex_t ack_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ack_cv = PTHREAD_COND_INITIALIZER;

/* A start with what the task hub held at its acknowledgment. */
struct probe {
	struct rt_engine *e;
	const char *fan_id;
	int acked, rc;
	long long rows_at_ack;       /* fan rows not yet applied, at the ack */
	struct probe *then;          /* queued from this one's on_done */
	uint64_t activities_at_ack;  /* engine stats at the ack */
	char id[33];
};

/* on_done, engine thread, after the commit of the batch that applied it. */
static void probe_done(void *user, int rc, const char *err)
{
	struct probe *p = user;
	(void)err;
	long long rows = p->fan_id ? rows_left(p->e, p->fan_id, 0) : -1;
	uint64_t acts = stat_activities(p->e);
	/* The next batch takes it: when it is acknowledged, the stats hold
	 * everything this batch handed out. */
	if (p->then &&
	    rt_engine_start_async(p->e, "light", NULL, p->then->id, probe_done, p->then, NULL) != RT_OK)
		p->then->rc = RT_ERROR;
	pthread_mutex_lock(&ack_mu);
	p->rc = rc;
	p->rows_at_ack = rows;
	p->activities_at_ack = acts;
	p->acked = 1;
	pthread_cond_broadcast(&ack_cv);
	pthread_mutex_unlock(&ack_mu);
}

static int probe_wait(struct probe *p)
{
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&ack_mu);
	while (!p->acked && pthread_cond_timedwait(&ack_cv, &ack_mu, &ts) == 0)
		;
	int acked = p->acked;
	pthread_mutex_unlock(&ack_mu);
	return acked;
}

/* Holds the engine thread: starts "blocker" and waits until its episode
 * is in engine_gate. */
static int hold_engine(struct rt_engine *e, struct probe *blocker)
{
	memset(blocker, 0, sizeof(*blocker));
	blocker->e = e;
	gate_set(&engine_gate, 1);
	if (rt_engine_start_async(e, "blocker", NULL, blocker->id, probe_done, blocker, NULL) != RT_OK)
		return 0;
	return gate_wait_inside(&engine_gate, 1);
}

static struct rt_engine *engine_up(void)
{
	char *err = NULL;
	struct rt_engine_opts o = fake_opts(tpath("hub.db"), fns, sizeof(fns) / sizeof(fns[0]));
	o.max_activities = THREADS;
	struct rt_engine *e = rt_engine_start(&o, &err);
	ok(e != NULL, "engine starts (%s)", err ? err : "");
	free(err);
	return e;
}

/* Starts a fan-out of n whose activities all finish while the engine is
 * held: afterwards all n results wait in the engine, none applied. The
 * engine is still held (engine_gate) when it returns 1. */
static int pile_up_results(struct rt_engine *e, int n, char **fan_id, struct probe *blocker)
{
	char input[48], *err = NULL;
	snprintf(input, sizeof(input), "\"%d %d 0\"", n, RESULT_BYTES);
	gate_set(&act_gate, 1);
	int rc = rt_engine_start_instance(e, "fan", NULL, input, fan_id, &err);
	ok(rc == RT_OK, "a fan-out of %d starts (%s)", n, err ? err : "");
	free(err);
	if (rc != RT_OK)
		return 0;
	/* Every activity was handed out with the fan's first batch; the
	 * threads hold the first ones at the gate. */
	if (!ok(gate_wait_inside(&act_gate, THREADS), "its first activities wait at the gate") ||
	    !ok(hold_engine(e, blocker), "the engine thread is held in an episode"))
		return 0;
	int before = ran_count();
	gate_set(&act_gate, 0);
	int64_t until = rt_mono_us() + (int64_t)WAIT_MS * 1000;
	while (ran_count() - before < n && rt_mono_us() < until)
		poll_pause();
	is_int(ran_count() - before, n, "all its activities finish while the engine is held");
	is_int(rows_left(e, *fan_id, 0), n, "and none of their results is applied yet");
	return ran_count() - before == n;
}

/* ---- the cases ------------------------------------------------------------------- */

#define RESULTS 2000
_Static_assert(RESULTS <= ENGINE_BATCH_ACTIVITIES, "all of the fan-out is handed out at once");

static void start_not_behind_results(void)
{
	struct rt_engine *e = engine_up();
	struct probe blocker = {0}, p = {0};
	char *fan = NULL;
	if (!e)
		return;
	if (pile_up_results(e, RESULTS, &fan, &blocker)) {
		p.e = e;
		p.fan_id = fan;
		ok(rt_engine_start_async(e, "light", NULL, p.id, probe_done, &p, NULL) == RT_OK,
		   "one client's start is queued behind %d results", RESULTS);
		gate_set(&engine_gate, 0);
		ok(probe_wait(&p) && p.rc == RT_OK, "the start is acknowledged");
		ok(p.rows_at_ack >= RESULTS / 4,
		   "while many results are still unapplied (%lld of %d)", p.rows_at_ack, RESULTS);
		ok(p.rows_at_ack >= 0 && p.rows_at_ack <= RESULTS - FLOOR,
		   "and the batch that acknowledged it applied at least %d of them (%lld)", FLOOR,
		   RESULTS - p.rows_at_ack);
		check_fan_done(e, fan, RESULTS);
		is_int(ran_count(), RESULTS, "no activity ran twice");
	}
	gate_set(&engine_gate, 0);
	gate_set(&act_gate, 0);
	if (blocker.e)
		probe_wait(&blocker);
	free(fan);
	rt_engine_stop(e);
}

/* More than a batch has room for (its first full pick measures what a row
 * costs), and so many that a batch taking all it has room for would leave
 * fewer than half of them. */
#define DEQUEUES 4000
_Static_assert(DEQUEUES > ENGINE_BATCH_ACTIVITIES && DEQUEUES - ENGINE_BATCH_ACTIVITIES < DEQUEUES / 2,
	       "the dequeue case's size fits the engine's room");

/* Moves the test clock by `us` and has the engine look at it. */
static void clock_advance(struct rt_engine *e, int64_t us)
{
	rt_clock_advance_us(us);
	rt_engine_wake(e);
}

static void start_not_behind_dequeues(void)
{
	struct rt_engine *e = engine_up();
	struct probe blocker = {0}, p1 = {0}, p2 = {0};
	char *fan = NULL, *err = NULL, input[48];
	if (!e)
		return;
	int ran_before = ran_count();
	pthread_mutex_lock(&fake_mu);
	app_down = 1;
	pthread_mutex_unlock(&fake_mu);
	snprintf(input, sizeof(input), "\"%d 0 %d\"", DEQUEUES, INPUT_BYTES);
	int rc = rt_engine_start_instance(e, "fan", NULL, input, &fan, &err);
	ok(rc == RT_OK, "a fan-out of %d starts while its activities' app is down (%s)", DEQUEUES,
	   err ? err : "");
	free(err);
	if (rc != RT_OK)
		goto out;
	ok(wait_all_out_of_sight(e, fan, DEQUEUES, DEQUEUES), "its activities all wait out of sight");
	/* Once more, so that the engine has measured what a dequeue costs
	 * (its first full pick): the start below meets an engine in its
	 * steady state, not a fresh one. */
	/* Past the waits they were given (a second or two), not past the
	 * longest one: the engine then sees them as still waiting and gives
	 * them a wait as long as the waiting so far (engine_not_now.c), 25 s,
	 * so none shows up by itself while the test holds the engine. */
	clock_advance(e, ENGINE_NOT_NOW_MAX_US - 5000000);
	ok(wait_all_out_of_sight(e, fan, DEQUEUES, 2 * DEQUEUES),
	   "and again after they were all tried once more");
	pthread_mutex_lock(&fake_mu);
	app_down = 0;
	pthread_mutex_unlock(&fake_mu);
	if (!ok(hold_engine(e, &blocker), "the engine thread is held in an episode"))
		goto out;
	/* Nothing was visible when the held batch began: it hands out none. */
	is_int(rows_left(e, fan, 1), DEQUEUES, "none of them is visible while the engine is held");
	uint64_t before = stat_activities(e);
	/* Past the longest wait: every one is visible. */
	clock_advance(e, 2 * ENGINE_NOT_NOW_MAX_US);
	p1.e = e;
	p1.then = &p2;
	p2.e = e;
	ok(rt_engine_start_async(e, "light", NULL, p1.id, probe_done, &p1, NULL) == RT_OK,
	   "one client's start is queued as %d activities become visible", DEQUEUES);
	gate_set(&engine_gate, 0);
	ok(probe_wait(&p1) && p1.rc == RT_OK, "the start is acknowledged");
	ok(probe_wait(&p2) && p2.rc == RT_OK, "and so is a second one, queued at that moment");
	long long handed = (long long)(p2.activities_at_ack - before);
	printf("# the batch that acknowledged the first start handed out %lld activities\n", handed);
	ok(DEQUEUES - handed >= DEQUEUES / 2,
	   "the first was acknowledged while most activities still waited to be dequeued "
	   "(%lld of %d)", DEQUEUES - handed, DEQUEUES);
	ok(handed < ENGINE_BATCH_ACTIVITIES,
	   "its batch handed out fewer than it had room for (%lld of %d)", handed,
	   ENGINE_BATCH_ACTIVITIES);
	ok(handed >= FLOOR, "but at least %d (%lld)", FLOOR, handed);
	check_fan_done(e, fan, DEQUEUES);
	is_int(ran_count() - ran_before, DEQUEUES, "each activity ran once its app was up");
out:
	gate_set(&engine_gate, 0);
	if (blocker.e)
		probe_wait(&blocker);
	free(fan);
	rt_engine_stop(e);
}

/* The flood: enough starts for three batches of commands. */
#define FLOOD (2 * ENGINE_BATCH_COMMANDS + 100)
#define FLOOD_BATCHES 16

struct flood {
	struct rt_engine *e;
	const char *fan_id;
	int acked, failed;
	int nbatches;
	uint64_t batch[FLOOD_BATCHES];   /* the engine's batch count at the first ack */
	long long rows[FLOOD_BATCHES];   /* fan rows left then */
	int acks[FLOOD_BATCHES];         /* starts acknowledged by that batch */
};

static struct flood flood;

static void flood_done(void *user, int rc, const char *err)
{
	(void)user, (void)err;
	struct rt_engine_stats st;
	rt_engine_get_stats(flood.e, &st);
	pthread_mutex_lock(&ack_mu);
	int k = flood.nbatches - 1;
	int first = k < 0 || flood.batch[k] != st.batches;
	pthread_mutex_unlock(&ack_mu);
	/* The first ack of a batch reads what it left (engine thread: no
	 * other batch runs meanwhile). */
	long long rows = first ? rows_left(flood.e, flood.fan_id, 0) : 0;
	pthread_mutex_lock(&ack_mu);
	if (first && flood.nbatches < FLOOD_BATCHES) {
		k = flood.nbatches++;
		flood.batch[k] = st.batches;
		flood.rows[k] = rows;
	}
	if (flood.nbatches > 0)
		flood.acks[flood.nbatches - 1]++;
	flood.acked++;
	flood.failed += rc != RT_OK;
	pthread_cond_broadcast(&ack_cv);
	pthread_mutex_unlock(&ack_mu);
}

static void flood_not_starved(void)
{
	struct rt_engine *e = engine_up();
	struct probe blocker = {0};
	char *fan = NULL;
	if (!e)
		return;
	int ran_before = ran_count();
	if (pile_up_results(e, RESULTS, &fan, &blocker)) {
		memset(&flood, 0, sizeof(flood));
		flood.e = e;
		flood.fan_id = fan;
		char id[33];
		int queued = 0;
		for (int i = 0; i < FLOOD; i++)
			queued += rt_engine_start_async(e, "light", NULL, id, flood_done, NULL, NULL) ==
				  RT_OK;
		is_int(queued, FLOOD, "%d clients' starts (more than %d) are queued behind %d results",
		       FLOOD, ENGINE_HURRY_MAX_CMDS, RESULTS);
		gate_set(&engine_gate, 0);
		struct timespec ts = fake_deadline_in(WAIT_MS);
		pthread_mutex_lock(&ack_mu);
		while (flood.acked < queued && pthread_cond_timedwait(&ack_cv, &ack_mu, &ts) == 0)
			;
		pthread_mutex_unlock(&ack_mu);
		is_int(flood.acked, FLOOD, "every start is acknowledged");
		is_int(flood.failed, 0, "as accepted");
		ok(flood.nbatches >= 3 && flood.nbatches < FLOOD_BATCHES,
		   "by several batches (%d)", flood.nbatches);
		ok(flood.rows[0] >= RESULTS / 4,
		   "the first of them while many results are still unapplied (%lld of %d)",
		   flood.rows[0], RESULTS);
		/* Every batch of the flood gets its floor of results through. */
		long long prev = RESULTS;
		int starved = -1;
		for (int k = 0; k < flood.nbatches && k < FLOOD_BATCHES; k++) {
			long long want = prev < FLOOR ? prev : FLOOR;
			printf("# batch %d of the flood: %d starts, %lld results applied\n", k + 1,
			       flood.acks[k], prev - flood.rows[k]);
			if (starved < 0 && prev - flood.rows[k] < want)
				starved = k;
			prev = flood.rows[k];
		}
		ok(starved < 0, "every batch of the flood applied at least %d results, or all left "
				"(first short one: %d)", FLOOR, starved + 1);
		check_fan_done(e, fan, RESULTS);
		is_int(ran_count() - ran_before, RESULTS, "no activity ran twice");
	}
	gate_set(&engine_gate, 0);
	gate_set(&act_gate, 0);
	if (blocker.e)
		probe_wait(&blocker);
	free(fan);
	rt_engine_stop(e);
}

int main(void)
{
	tdir_make();
	fake_echo = getenv("ENGINE_ECHO") != NULL;
	subtest("a start is not held behind thousands of results", start_not_behind_results);
	subtest("a flood of starts still gets results applied in each batch", flood_not_starved);
	/* Last: it moves the test clock. */
	subtest("a start is not held behind thousands of dequeues", start_not_behind_dequeues);
	tdir_remove();
	return done_testing();
}
