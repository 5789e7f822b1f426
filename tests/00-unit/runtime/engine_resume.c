/*
 * An activity's result and the episode it drives commit together
 * (runtime/engine_mail.c: the result is the episode's new message in the
 * batch that applies it, never an inbox row in between), in process and
 * through the replay_batch hook the worker processes use:
 *   - the episode a result drives starts from a committed state where that
 *     result is neither applied nor waiting in the inbox, and a lone
 *     sequence takes one commit per result with no inbox row written (a
 *     batch past its budget may leave episodes to the next one, by design:
 *     the lone checks get three tries, the shared ones check only that no
 *     result is lost);
 *   - a process killed -9 at arbitrary points never leaves an activity row
 *     gone without its result kept; after a restart every instance
 *     completes, and only the activities without a committed result run
 *     again, once;
 *   - a suspended instance's result waits (committed, not acted on) until
 *     the resume;
 *   - a result for an older execution of the id is dropped.
 * Waits are bounded polls on committed rows; the only delays are the kill
 * times of the crash rounds.
 */
#include "store_util.h"
#include "engine_fake.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define WAIT_MS 10000
#define NSEQ 24

static struct rt_arena arena;
static char hub_path[256];
static int use_replay_batch; /* 1: episodes go through the replay_batch hook */
static int no_poison;        /* 1: maxDequeueCount off (the kills would count) */

/* ---- the fake app ------------------------------------------------------- */

static void act_greet(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	size_t n = strlen(call->input);
	res->result = rt_arena_fmt(call->arena, "\"Hello %.*s!\"", (int)(n - 2), call->input + 1);
}

/* block: waits until the test opens the gate; gate_entered counts entries. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static void act_block(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	(void)call;
	pthread_mutex_lock(&gate_mu);
	gate_entered++;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	res->result = "\"unblocked\"";
}

/* Waits (bounded) until `n` block attempts have begun. */
static int gate_wait_entered(int n)
{
	struct timespec ts;
	int got;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&gate_mu);
	while (gate_entered < n && pthread_cond_timedwait(&gate_cv, &gate_mu, &ts) == 0)
		;
	got = gate_entered >= n;
	pthread_mutex_unlock(&gate_mu);
	return got;
}

static void gate_set(int open)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = open;
	if (!open)
		gate_entered = 0;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* seq3: three greets one after the other, their results as an array. */
static int orch_seq3(struct rt_orch *o)
{
	static const char *const who[] = {"\"a\"", "\"b\"", "\"c\""};
	const char *r[3];
	for (int i = 0; i < 3; i++) {
		int rc = rt_orch_await(o, rt_orch_call_activity(o, "greet", who[i], NULL), &r[i]);
		if (rc != RT_OK)
			return rc;
	}
	rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "[%s,%s,%s]", r[0], r[1], r[2]));
	return RT_OK;
}

/* block_then_greet: block, then greet; the second result is the output. */
static int orch_block_then_greet(struct rt_orch *o)
{
	const char *r;
	int rc = rt_orch_await(o, rt_orch_call_activity(o, "block", "null", NULL), &r);
	if (rc == RT_OK)
		rc = rt_orch_await(o, rt_orch_call_activity(o, "greet", "\"z\"", NULL), &r);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, r);
	return RT_OK;
}

/* just_greet: one greet, its result as output. */
static int orch_just_greet(struct rt_orch *o)
{
	const char *r;
	int rc = rt_orch_await(o, rt_orch_call_activity(o, "greet", "\"new\"", NULL), &r);
	if (rc != RT_OK)
		return rc;
	rt_orch_finish(o, r);
	return RT_OK;
}

static struct fake_fn app[] = {
	{.name = "greet", .act = act_greet},
	{.name = "block", .act = act_block},
	{.name = "seq3", .orch = orch_seq3},
	{.name = "block_then_greet", .orch = orch_block_then_greet},
	{.name = "just_greet", .orch = orch_just_greet},
};
#define NAPP (sizeof(app) / sizeof(app[0]))

/* ---- the committed state an episode starts from ---------------------------

 * Each replay first looks at the task hub file through a connection of its
 * own, which sees only what is committed: if the result this episode
 * consumes had been committed by an earlier batch, the file would show it
 * applied (its activity row gone) and not acted on (not in the history,
 * waiting in the inbox). Counted over every episode that takes a result. */
static sqlite3 *look_db;
static pthread_mutex_t look_mu = PTHREAD_MUTEX_INITIALIZER;
static long long looks, torn_looks, inbox_looks, lost_looks; /* under look_mu */

static int snapshot(sqlite3 *db, long long *torn, long long *inbox, long long *lost);

static void look_before(const struct rt_episode_in *in)
{
	long long torn, inbox, lost;
	int result = 0;
	for (size_t i = 0; i < in->n_msgs; i++)
		result |= in->msgs[i].type == RT_EV_TASK_COMPLETED;
	if (!result)
		return;
	pthread_mutex_lock(&look_mu); /* the engine thread or the replay thread */
	if (look_db && snapshot(look_db, &torn, &inbox, &lost) == 0) {
		looks++;
		torn_looks += torn > 0;
		inbox_looks += inbox > 0;
		lost_looks += lost > 0;
	} else if (look_db) {
		printf("# a look could not read the file: %s\n", sqlite3_errmsg(look_db));
	}
	pthread_mutex_unlock(&look_mu);
}

/* The replay hook as the engine calls it for an episode in process. */
static int replay_one(void *ctx, void *fn, const struct rt_episode_in *in,
		      struct rt_episode_out *out)
{
	(void)ctx, (void)fn;
	look_before(in);
	return rt_replay_run(in, out);
}

/* What the worker processes do, in this process: every episode of the
 * call replayed in turn, each reported final at once. */
static void replay_batch(void *ctx, size_t n, void *const *fns,
			 const struct rt_episode_in *const *ins, struct rt_episode_out *outs,
			 int *rcs, void (*done)(void *arg, size_t i), void *arg)
{
	(void)ctx, (void)fns;
	for (size_t i = 0; i < n; i++) {
		look_before(ins[i]);
		rcs[i] = rt_replay_run(ins[i], &outs[i]);
		done(arg, i);
	}
}

/* ---- helpers ------------------------------------------------------------ */

/* A fresh hub file for the next part. */
static void new_hub(const char *name)
{
	static int seq;
	snprintf(hub_path, sizeof(hub_path), "%s/.cfunc/%s-%d.db", tdir, name, seq++);
}

static struct rt_engine *start_engine(void)
{
	struct rt_engine_opts o = fake_opts(hub_path, app, NAPP);
	char *err = NULL;
	/* A heavy episode (one the machine slowed down) may replay on the
	 * replay thread, through the replay hook in either mode. */
	o.hooks.replay = replay_one;
	if (use_replay_batch)
		o.hooks.replay_batch = replay_batch;
	if (no_poison)
		o.max_dequeue_count = 0;
	struct rt_engine *e = rt_engine_start(&o, &err);
	if (!e) {
		printf("# engine: %s\n", err ? err : "?");
		free(err);
	}
	return e;
}

static int start(struct rt_engine *e, const char *name, const char *id)
{
	char *out = NULL, *err = NULL;
	int rc = rt_engine_start_instance(e, name, id, NULL, &out, &err);
	if (rc != RT_OK && err)
		printf("#   start %s: %s\n", id, err);
	free(out);
	free(err);
	return rc;
}

static int quiet(int rc, char **err)
{
	free(*err);
	*err = NULL;
	return rc;
}

/* Running instances whose scheduled activities are not each either queued
 * (an activity row) or answered (a result in the current execution's
 * history): a result applied without its episode. */
static const char SQL_TORN[] =
	"SELECT count(*) FROM instances i WHERE i.status IN (0, 6) AND "
	"(SELECT count(*) FROM history h WHERE h.iid = i.iid AND h.execution_id = i.execution_id"
	"  AND h.type = 4) != "
	"(SELECT count(*) FROM history h WHERE h.iid = i.iid AND h.execution_id = i.execution_id"
	"  AND h.type IN (5, 6)) + "
	"(SELECT count(*) FROM activities a WHERE a.instance_id = i.instance_id"
	"  AND a.execution_id = i.execution_id)";

/* Running instances with a scheduled activity neither queued, nor
 * answered in the history, nor answered and waiting in the inbox: a
 * result lost (or an activity row gone without one). */
static const char SQL_LOST[] =
	"SELECT count(*) FROM instances i WHERE i.status IN (0, 6) AND "
	"(SELECT count(*) FROM history h WHERE h.iid = i.iid AND h.execution_id = i.execution_id"
	"  AND h.type = 4) != "
	"(SELECT count(*) FROM history h WHERE h.iid = i.iid AND h.execution_id = i.execution_id"
	"  AND h.type IN (5, 6)) + "
	"(SELECT count(*) FROM activities a WHERE a.instance_id = i.instance_id"
	"  AND a.execution_id = i.execution_id) + "
	"(SELECT count(*) FROM inbox m WHERE m.instance_id = i.instance_id"
	"  AND m.execution_id = i.execution_id AND m.type IN (5, 6))";

/* Inbox rows ever written to the file (AUTOINCREMENT keeps the highest). */
static long long inbox_rows_ever(const char *path)
{
	long long n = peek_int(path, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence "
				     "WHERE name = 'inbox'");
	return n;
}

/* One committed state of the file: torn instances, inbox rows and lost
 * results, read in one transaction. 0, or -1 if it could not be read. */
static int snapshot(sqlite3 *db, long long *torn, long long *inbox, long long *lost)
{
	sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
	int rc = -1;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, SQL_TORN, -1, &a, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM inbox", -1, &b, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, SQL_LOST, -1, &c, NULL) == SQLITE_OK &&
	    sqlite3_step(a) == SQLITE_ROW && sqlite3_step(b) == SQLITE_ROW &&
	    sqlite3_step(c) == SQLITE_ROW) {
		*torn = sqlite3_column_int64(a, 0);
		*inbox = sqlite3_column_int64(b, 0);
		*lost = sqlite3_column_int64(c, 0);
		rc = 0;
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	sqlite3_finalize(c);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* How many of prefix0..prefix<n-1> complete with `want`. */
static int all_completed(struct rt_engine *e, const char *prefix, int n, const char *want)
{
	int good = 0;
	for (int i = 0; i < n; i++) {
		char id[32];
		struct rt_instance in;
		snprintf(id, sizeof(id), "%s%d", prefix, i);
		if (fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &in, &arena) && in.output &&
		    strcmp(in.output, want) == 0)
			good++;
		else
			printf("#   %s: status %d output %s\n", id, (int)in.status,
			       in.output ? in.output : "NULL");
	}
	return good;
}

static const char SEQ3_OUT[] = "[\"Hello a!\",\"Hello b!\",\"Hello c!\"]";

/* ---- the tests ---------------------------------------------------------- */

/* One sequence alone: its batches, episodes and inbox rows written. */
static void lone_run(struct rt_engine *e, const char *id, uint64_t *batches, uint64_t *episodes,
		     long long *inbox)
{
	struct rt_engine_stats st0, st1;
	struct rt_instance in;
	long long inbox0 = inbox_rows_ever(hub_path);
	rt_engine_get_stats(e, &st0);
	if (start(e, "seq3", id) != RT_OK ||
	    !fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &in, &arena))
		printf("#   %s did not complete\n", id);
	/* The count moves just after the commit the reader saw: a bounded poll. */
	int64_t until = rt_mono_us() + 1000000;
	do
		rt_engine_get_stats(e, &st1);
	while (st1.batches - st0.batches < 4 && rt_mono_us() < until);
	*batches = st1.batches - st0.batches;
	*episodes = st1.episodes - st0.episodes;
	*inbox = inbox_rows_ever(hub_path) - inbox0;
}

static void test_together(void)
{
	struct rt_instance in;
	new_hub("together");
	struct rt_engine *e = start_engine();
	ok(e != NULL, "the engine starts");
	if (!e)
		return;
	/* A first instance creates the tables the look reads. */
	is_int(start(e, "seq3", "warm"), RT_OK, "a first sequence");
	ok(fake_wait_status(e, "warm", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "completes");
	if (sqlite3_open_v2(hub_path, &look_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ok(0, "open the file beside the engine");
		sqlite3_close(look_db);
		look_db = NULL;
	}
	sqlite3_busy_timeout(look_db, 2000);

	/* Alone: a batch for the start, then one for each result, whose
	 * episode starts from a committed state without that result. A batch
	 * past ENGINE_BATCH_BUDGET_US (a machine that took the engine's core
	 * away for 20 ms) leaves its episodes to the next one, by design:
	 * three tries. */
	uint64_t batches = 0, episodes = 0;
	long long inbox = 0;
	long long lone_looks = 0, lone_torn = 0;
	int tries = 0, right = 0;
	while (!right && tries < 3) {
		char id[16];
		snprintf(id, sizeof(id), "lone%d", tries++);
		pthread_mutex_lock(&look_mu);
		looks = torn_looks = inbox_looks = lost_looks = 0;
		pthread_mutex_unlock(&look_mu);
		lone_run(e, id, &batches, &episodes, &inbox);
		pthread_mutex_lock(&look_mu); /* its episodes are done: the counts hold */
		lone_looks = looks;
		lone_torn = torn_looks;
		looks = torn_looks = inbox_looks = lost_looks = 0;
		pthread_mutex_unlock(&look_mu);
		right = batches == 4 && episodes == 4 && inbox == 0 && lone_looks == 3 &&
			lone_torn == 0;
		if (!right)
			printf("#   try %d: %llu batches, %llu episodes, %lld inbox rows, %lld of %lld "
			       "looks torn\n", tries, (unsigned long long)batches,
			       (unsigned long long)episodes, inbox, lone_torn, lone_looks);
	}
	is_int(episodes, 4, "a sequence alone takes four episodes");
	is_int(batches, 4, "and four commits: each result's batch ran the episode it drives");
	is_int(lone_looks, 3, "each of its results' episodes looked at the committed state");
	is_int(lone_torn, 0, "which never held the result applied without the episode it drives");
	is_int(inbox, 0, "no inbox row was written for it");

	/* Together, in shared batches: each result's episode starts from a
	 * state where that result is not lost, whichever batch runs it. */
	int started = 0;
	for (int i = 0; i < NSEQ; i++) {
		char id[32];
		snprintf(id, sizeof(id), "s%d", i);
		started += start(e, "seq3", id) == RT_OK;
	}
	is_int(started, NSEQ, "%d sequences of three activities started together", NSEQ);
	is_int(all_completed(e, "s", NSEQ, SEQ3_OUT), NSEQ, "every one completes with its results");
	rt_engine_stop(e);
	sqlite3_close(look_db);
	look_db = NULL;
	is_int(looks, NSEQ * 3, "each of their results' episodes looked at the committed state");
	is_int(lost_looks, 0, "which never lacked a result");
	printf("# %lld of those states held a result applied before its episode's batch "
	       "(a batch past its budget)\n", torn_looks);
}

/* Child: an engine on hub_path starting sequences until it is killed; a
 * byte on `fd` once its engine runs. */
_Noreturn static void crash_child(int round, int fd)
{
	struct rt_engine *e = start_engine();
	if (!e)
		_exit(3);
	if (write(fd, "r", 1) != 1)
		_exit(4);
	/* One after the other (each start waits for its commit), so that any
	 * kill comes mid-run and the ids that exist are k<round>-0 up to one. */
	for (int i = 0;; i++) {
		char id[32];
		snprintf(id, sizeof(id), "k%d-%d", round, i);
		start(e, "seq3", id);
	}
}

static void test_crash(void)
{
	new_hub("crash");
	/* A kill mid-attempt counts as an attempt; eight must not poison. */
	no_poison = 1;
	int rounds_ok = 0, lost = 0, torn = 0, mid_run = 0;
	const int rounds = 8;
	for (int r = 0; r < rounds; r++) {
		int fds[2];
		char c;
		if (pipe(fds) != 0)
			break;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			crash_child(r, fds[1]);
		close(fds[1]);
		int up = read(fds[0], &c, 1) == 1;
		close(fds[0]);
		/* Kill times from 1 to 15 ms after the engine runs. */
		struct timespec d = {0, (long)(1 + 2 * r) * 1000000L};
		if (up)
			nanosleep(&d, NULL);
		kill(pid, SIGKILL);
		int wst;
		waitpid(pid, &wst, 0);
		rounds_ok += WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL;
		/* The tables exist once the child's engine runs: -999 counts. */
		lost += peek_int(hub_path, SQL_LOST) != 0;
		torn += peek_int(hub_path, SQL_TORN) != 0;
		mid_run += peek_int(hub_path, "SELECT count(*) FROM activities") > 0;
	}
	is_int(rounds_ok, rounds, "%d engines killed -9 mid-run", rounds);
	is_int(lost, 0, "no kill left an activity row gone without its result kept, or the reverse");
	printf("# %d of the kills left a result applied and waiting for a later batch's episode\n",
	       torn);
	ok(mid_run > 0, "%d of the kills came while activities were under way", mid_run);
	long long queued = peek_int(hub_path, "SELECT count(*) FROM activities");
	/* Committed results: in a history, or applied and waiting in the inbox. */
	long long answered = peek_int(hub_path, "SELECT count(*) FROM history WHERE type = 5") +
			     peek_int(hub_path, "SELECT count(*) FROM inbox WHERE type = 5");
	printf("# at restart: %lld activities queued, %lld results committed\n", queued, answered);
	struct rt_engine *e = start_engine();
	ok(e != NULL, "an engine starts on the file the kills left");
	if (!e)
		return;
	int good = 0;
	for (int r = 0; r < rounds; r++) {
		char prefix[16];
		int n = 0;
		struct rt_instance in;
		for (;; n++) {
			char id[32];
			snprintf(id, sizeof(id), "k%d-%d", r, n);
			if (fake_read(e, id, &in, &arena) != RT_OK)
				break;
		}
		snprintf(prefix, sizeof(prefix), "k%d-", r);
		good += all_completed(e, prefix, n, SEQ3_OUT);
	}
	/* Instances whose start a kill cut off were never acknowledged. */
	long long made = peek_int(hub_path, "SELECT count(*) FROM instances");
	is_int(good, made, "every instance the kills left completes with all three results");
	long long total = peek_int(hub_path, "SELECT count(*) FROM history WHERE type = 5");
	is_int(total, made * 3, "with one result per activity in its history");
	/* Only the activities that were queued at the restart ran again, and
	 * the ones scheduled after it: none whose result was committed. */
	is_int(fake_calls("greet"), made * 3 - answered,
	       "the restarted engine ran exactly the activities without a committed result");
	rt_engine_stop(e);
	no_poison = 0;
}

static void test_suspended(void)
{
	char *msg = NULL;
	struct rt_instance in;
	new_hub("suspended");
	struct rt_engine *e = start_engine();
	ok(e != NULL, "the engine starts");
	if (!e)
		return;
	gate_set(0);
	int greets = fake_calls("greet");
	is_int(start(e, "block_then_greet", "susp"), RT_OK, "start an instance whose activity blocks");
	ok(gate_wait_entered(1), "its activity runs");
	is_int(quiet(rt_engine_suspend(e, "susp", "hold", &msg), &msg), RT_OK, "suspend it meanwhile");
	ok(fake_wait_status(e, "susp", RT_ST_SUSPENDED, WAIT_MS, &in, &arena), "it is Suspended");
	gate_set(1);
	/* The result is in once the activity row is gone (bounded poll). */
	int64_t until = rt_mono_us() + WAIT_MS * 1000LL;
	while (peek_int(hub_path, "SELECT count(*) FROM activities") != 0 && rt_mono_us() < until) {
		struct timespec d = {0, 2000000L};
		nanosleep(&d, NULL);
	}
	is_int(peek_int(hub_path, "SELECT count(*) FROM activities"), 0, "the result is applied");
	is_int(fake_read(e, "susp", &in, &arena), RT_OK, "read it");
	is_int(in.status, RT_ST_SUSPENDED, "the instance stays Suspended");
	is_int(fake_calls("greet") - greets, 0, "and its orchestrator did not go on to the next activity");
	is_int(peek_int(hub_path, SQL_LOST), 0, "the result is committed, held for the resume");
	is_int(quiet(rt_engine_resume(e, "susp", "go", &msg), &msg), RT_OK, "resume");
	ok(fake_wait_status(e, "susp", RT_ST_COMPLETED, WAIT_MS, &in, &arena),
	   "it completes with the held result");
	is_str(in.output, "\"Hello z!\"", "through its next activity");
	rt_engine_stop(e);
}

static void test_old_execution(void)
{
	char *msg = NULL;
	struct rt_instance in;
	new_hub("old");
	struct rt_engine *e = start_engine();
	ok(e != NULL, "the engine starts");
	if (!e)
		return;
	gate_set(0);
	is_int(start(e, "block_then_greet", "again"), RT_OK, "start an instance whose activity blocks");
	ok(gate_wait_entered(1), "its activity runs");
	is_int(quiet(rt_engine_terminate(e, "again", "stop", &msg), &msg), RT_OK, "terminate it");
	ok(fake_wait_status(e, "again", RT_ST_TERMINATED, WAIT_MS, &in, &arena), "it is Terminated");
	is_int(start(e, "just_greet", "again"), RT_OK, "start the id again: a new execution");
	ok(fake_wait_status(e, "again", RT_ST_COMPLETED, WAIT_MS, &in, &arena), "which completes");
	char *exec = rt_arena_strdup(&arena, in.execution_id);
	int len = in.history_len;
	gate_set(1);
	int64_t until = rt_mono_us() + WAIT_MS * 1000LL;
	while (peek_int(hub_path, "SELECT count(*) FROM activities") != 0 && rt_mono_us() < until) {
		struct timespec d = {0, 2000000L};
		nanosleep(&d, NULL);
	}
	is_int(peek_int(hub_path, "SELECT count(*) FROM activities"), 0,
	       "the old execution's result arrives");
	is_int(fake_read(e, "again", &in, &arena), RT_OK, "read it");
	is_int(in.status, RT_ST_COMPLETED, "the new execution is still Completed");
	is_str(in.output, "\"Hello new!\"", "with its own output");
	ok(strcmp(in.execution_id, exec) == 0 && in.history_len == len,
	   "and its history did not change (%d rows)", in.history_len);
	is_int(peek_int(hub_path, "SELECT count(*) FROM inbox"), 0, "the result was dropped, not kept");
	rt_engine_stop(e);
}

static void run_all(void)
{
	subtest("a result and its episode commit together", test_together);
	subtest("a suspended instance's result waits", test_suspended);
	subtest("a result for an old execution is dropped", test_old_execution);
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	fake_echo = getenv("ENGINE_TEST_LOG") != NULL;
	/* First, while this process has no threads: the crash rounds fork. */
	subtest("killed -9 mid-run: both or neither", test_crash);
	run_all();
	printf("# the same through the replay_batch hook (worker processes)\n");
	use_replay_batch = 1;
	run_all();
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
