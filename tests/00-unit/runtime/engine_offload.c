/*
 * engine_offload.c - an instance's heavy replay does not hold anyone
 * else's commits (runtime/engine_offload.c). The "heavy" orchestrator
 * costs ~8 ms a replay, so its second episode leaves the engine thread;
 * that replay then blocks in a gate the test holds shut, for as long as
 * the test likes. While it is out:
 *   - another instance's start is acknowledged and that instance completes
 *     (with the replay on the engine thread, the start would wait for the
 *     gate: the test gives it 10 s and then opens the gate to clean up);
 *   - an event raised for the busy instance is not lost: it is taken
 *     after the outcome is committed, and the instance completes with it;
 *   - a terminate sent meanwhile ends the instance as Terminated;
 *   - a purge sent meanwhile wins: the returned outcome is dropped, the
 *     activity it scheduled never runs and the instance stays gone;
 *   - a fan-in's outcome of over a thousand results is committed in
 *     pieces, and a start that arrives while the first piece is written is
 *     committed (acknowledged) before the rest: the test's outcome_chunk
 *     hook holds the engine inside that piece until the start is queued,
 *     and inside the next one until the test has read the fan-in's row.
 *     After all pieces every result is in the history exactly once, and
 *     so it is after a crash between two pieces (a copy of the task hub
 *     taken while the engine is held in the second, opened by a new
 *     engine).
 * Every wait is bounded; nothing sleeps for a guessed time.
 */
#include "store_util.h"
#include "engine_fake.h"

#define WAIT_MS 10000

static struct rt_arena arena;

/* ---- the gate ------------------------------------------------------------- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open = 1;
static int gate_inside; /* replays blocked in it now */
static int gate_left;   /* replays that went through it while it was shut */

static void gate_shut(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = 0;
	gate_left = 0;
	pthread_mutex_unlock(&gate_mu);
}

static void gate_release(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* Blocks the calling replay while the gate is shut (at most 30 s, so a
 * broken engine cannot hang the test). */
static void gate_pass(void)
{
	struct timespec ts = fake_deadline_in(30000);
	pthread_mutex_lock(&gate_mu);
	if (gate_open) {
		pthread_mutex_unlock(&gate_mu);
		return;
	}
	gate_inside++;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open && pthread_cond_timedwait(&gate_cv, &gate_mu, &ts) == 0)
		;
	gate_inside--;
	gate_left++;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* Waits (bounded) until a replay is blocked in the gate. */
static int gate_wait_inside(void)
{
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&gate_mu);
	while (gate_inside == 0 && pthread_cond_timedwait(&gate_cv, &gate_mu, &ts) == 0)
		;
	int in = gate_inside > 0;
	pthread_mutex_unlock(&gate_mu);
	return in;
}

static int gate_count_left(void)
{
	pthread_mutex_lock(&gate_mu);
	int n = gate_left;
	pthread_mutex_unlock(&gate_mu);
	return n;
}

/* ---- the fake app ----------------------------------------------------------- */

static void act_inc(const struct rt_activity_call *call, struct rt_activity_result *res)
{
	res->result = rt_arena_fmt(call->arena, "%ld", strtol(call->input, NULL, 10) + 1);
}

/* Work every replay of "heavy" does: what makes its replays worth
 * running off the engine thread. */
static void spin_ms(int ms)
{
	int64_t until = rt_mono_us() + (int64_t)ms * 1000;
	while (rt_mono_us() < until)
		;
}

/* heavy: 8 ms of work, inc(1), the gate, then input "event": waits for
 * the event "go" and finishes with its data; else inc(<result>) and
 * finishes with that. */
static int orch_heavy(struct rt_orch *o)
{
	const char *r;
	int rc;
	spin_ms(8);
	if ((rc = rt_orch_await(o, rt_orch_call_activity(o, "inc", "1", NULL), &r)) != RT_OK)
		return rc;
	gate_pass();
	if (strcmp(rt_orch_input(o), "\"event\"") == 0) {
		if ((rc = rt_orch_await(o, rt_orch_wait_for_event(o, "go"), &r)) != RT_OK)
			return rc;
		return rt_orch_finish(o, r);
	}
	if ((rc = rt_orch_await(o, rt_orch_call_activity(o, "after", r, NULL), &r)) != RT_OK)
		return rc;
	return rt_orch_finish(o, r);
}

static int orch_light(struct rt_orch *o)
{
	return rt_orch_finish(o, "\"light\"");
}

/* fan: 8 ms of work, FAN calls of piece("1") (each "2"), the gate once
 * any result is in (whichever: activity threads finish in any order, and
 * the replay that takes the first results must be the one held), then
 * all of them; finishes with their sum. */
#define FAN 1200
static int orch_fan(struct rt_orch *o)
{
	struct rt_task *t[FAN];
	int rc;
	spin_ms(8);
	for (int i = 0; i < FAN; i++)
		t[i] = rt_orch_call_activity(o, "piece", "1", NULL);
	if ((rc = rt_orch_await(o, rt_orch_when_any(o, t, FAN), NULL)) != RT_OK)
		return rc;
	gate_pass();
	if ((rc = rt_orch_await(o, rt_orch_when_all(o, t, FAN), NULL)) != RT_OK)
		return rc;
	long sum = 0;
	for (int i = 0; i < FAN; i++)
		sum += strtol(rt_task_result(t[i]), NULL, 10);
	return rt_orch_finish(o, rt_arena_fmt(rt_orch_arena(o), "%ld", sum));
}

static struct fake_fn fns[] = {
	{.name = "heavy", .orch = orch_heavy},
	{.name = "light", .orch = orch_light},
	{.name = "fan", .orch = orch_fan},
	{.name = "inc", .act = act_inc},
	{.name = "after", .act = act_inc},
	{.name = "piece", .act = act_inc},
};

/* ---- the outcome_chunk hook (engine thread) --------------------------------

 * 0: idle; 1: inside the first piece of a large outcome, the test is told
 * to start a client, and the engine waits until that start is queued;
 * 2: the test has read the rows it wanted; the engine goes on. In state
 * 1, a later chunk (the next piece) sets chunk_held and waits for 2: the
 * engine writes nothing meanwhile. Each wait is bounded (WAIT_MS), so a
 * broken engine fails the test, not hangs it. */
static pthread_mutex_t chunk_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t chunk_cv = PTHREAD_COND_INITIALIZER;
static int chunk_state;
static int chunk_armed;
static int chunk_held;
static struct rt_engine *chunk_engine;

static uint64_t commands_waiting(struct rt_engine *e)
{
	struct rt_engine_stats st;
	rt_engine_get_stats(e, &st);
	return st.commands_waiting;
}

static void on_chunk(void *ctx, size_t written, size_t total)
{
	(void)ctx;
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&chunk_mu);
	/* Well more than a piece left after this chunk: the piece it ends
	 * is not the last. */
	if (chunk_armed && chunk_state == 0 && total - written > 256) {
		chunk_state = 1;
		pthread_cond_broadcast(&chunk_cv);
		pthread_mutex_unlock(&chunk_mu);
		int64_t until = rt_mono_us() + (int64_t)WAIT_MS * 1000;
		while (commands_waiting(chunk_engine) == 0 && rt_mono_us() < until)
			sched_yield();
		return;
	}
	if (chunk_state == 1) {
		chunk_held = 1;
		pthread_cond_broadcast(&chunk_cv);
	}
	while (chunk_state == 1 && pthread_cond_timedwait(&chunk_cv, &chunk_mu, &ts) == 0)
		;
	pthread_mutex_unlock(&chunk_mu);
}

/* Waits (bounded) until the engine is held inside the next piece. */
static int chunk_wait_held(void)
{
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&chunk_mu);
	while (!chunk_held && pthread_cond_timedwait(&chunk_cv, &chunk_mu, &ts) == 0)
		;
	int held = chunk_held;
	pthread_mutex_unlock(&chunk_mu);
	return held;
}

/* Copies file `from` to `to` (a missing `from`: an empty `to`); 0 or -1. */
static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	size_t n;
	int rc = 0;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	if (!out) {
		if (in)
			fclose(in);
		return -1;
	}
	while (in && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	return fclose(out) == 0 ? rc : -1;
}

/* Waits (bounded) for the hook to reach state `st`. */
static int chunk_wait_state(int st)
{
	struct timespec ts = fake_deadline_in(WAIT_MS);
	pthread_mutex_lock(&chunk_mu);
	while (chunk_state != st && pthread_cond_timedwait(&chunk_cv, &chunk_mu, &ts) == 0)
		;
	int reached = chunk_state == st;
	pthread_mutex_unlock(&chunk_mu);
	return reached;
}

static void chunk_set_state(int st)
{
	pthread_mutex_lock(&chunk_mu);
	chunk_state = st;
	pthread_cond_broadcast(&chunk_cv);
	pthread_mutex_unlock(&chunk_mu);
}

/* ---- a start from another thread, so a stuck engine cannot hang the test -- */

struct bg_start {
	struct rt_engine *e;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, rc;
	char *id;
	int64_t took_us;
};

static void *bg_start_main(void *arg)
{
	struct bg_start *s = arg;
	char *id = NULL, *err = NULL;
	int64_t t0 = rt_mono_us();
	int rc = rt_engine_start_instance(s->e, "light", NULL, NULL, &id, &err);
	free(err);
	pthread_mutex_lock(&s->mu);
	s->rc = rc;
	s->id = id;
	s->took_us = rt_mono_us() - t0;
	s->done = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Starts "light" on its own thread; 1 if acknowledged within ms. */
static int bg_start_within(struct bg_start *s, struct rt_engine *e, int ms)
{
	memset(s, 0, sizeof(*s));
	s->e = e;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_create(&s->thread, NULL, bg_start_main, s);
	struct timespec ts = fake_deadline_in(ms);
	pthread_mutex_lock(&s->mu);
	while (!s->done && pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0)
		;
	int done = s->done;
	pthread_mutex_unlock(&s->mu);
	return done;
}

static void bg_start_join(struct bg_start *s)
{
	pthread_join(s->thread, NULL);
	free(s->id);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
}

static char *start(struct rt_engine *e, const char *input)
{
	char *id = NULL, *err = NULL;
	int rc = rt_engine_start_instance(e, "heavy", NULL, input, &id, &err);
	ok(rc == RT_OK, "heavy (%s) starts (%s)", input, err ? err : "");
	free(err);
	return id;
}

/* Shuts the gate, starts heavy, and waits for its replay to block in it. */
static char *start_gated(struct rt_engine *e, const char *input)
{
	gate_shut();
	char *id = start(e, input);
	ok(gate_wait_inside(), "its second episode's replay is blocked in the gate");
	return id;
}

static uint64_t offloaded(struct rt_engine *e)
{
	struct rt_engine_stats st;
	rt_engine_get_stats(e, &st);
	return st.offloaded;
}

/* ---- the cases ------------------------------------------------------------------ */

/* -1 when the start was not acknowledged: the other cases would only
 * wait on the same stuck engine. */
static int others_go_on(struct rt_engine *e)
{
	struct rt_instance row;
	struct bg_start s;
	char *err = NULL;
	uint64_t before = offloaded(e);
	char *id = start_gated(e, "\"event\"");

	ok(offloaded(e) > before, "the engine counts a replay off its thread");
	struct rt_engine_stats st;
	rt_engine_get_stats(e, &st);
	is_int((int)st.replays_in_flight, 1, "and counts it in flight while it is blocked");
	int acked = bg_start_within(&s, e, WAIT_MS);
	ok(acked && s.rc == RT_OK, "another instance's start is acknowledged while the replay is out");
	if (!acked) {
		gate_release();
		bg_start_join(&s);
		free(id);
		return -1;
	}
	{
		printf("# acknowledged in %.1f ms\n", s.took_us / 1000.0);
		ok(fake_wait_status(e, s.id, RT_ST_COMPLETED, WAIT_MS, &row, &arena),
		   "and that instance completes meanwhile");
	}
	/* The event comes while the replay is out: kept, and taken after. */
	int rc = rt_engine_raise_event(e, id, "go", "\"went\"", &err);
	ok(rc == RT_OK, "an event for the busy instance is accepted (%s)", err ? err : "");
	free(err);
	ok(fake_read(e, id, &row, &arena) == RT_OK && row.status == RT_ST_RUNNING,
	   "the busy instance is still Running while its replay is out");
	gate_release();
	bg_start_join(&s);
	ok(fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &row, &arena),
	   "the busy instance completes once the gate opens");
	is_str(row.output ? row.output : "(null)", "\"went\"", "with the event that came meanwhile");
	free(id);
	return 0;
}

static void terminate_meanwhile(struct rt_engine *e)
{
	struct rt_instance row;
	char *err = NULL;
	char *id = start_gated(e, "\"plain\"");
	int rc = rt_engine_terminate(e, id, "\"stop\"", &err);
	ok(rc == RT_OK, "a terminate for the busy instance is accepted (%s)", err ? err : "");
	free(err);
	gate_release();
	ok(fake_wait_status(e, id, RT_ST_TERMINATED, WAIT_MS, &row, &arena),
	   "the instance ends Terminated after its replay returns");
	free(id);
}

static void purge_meanwhile(struct rt_engine *e)
{
	struct rt_instance row;
	struct rt_engine_stats st;
	char *err = NULL;
	int after_before = fake_calls("after");
	rt_engine_get_stats(e, &st);
	uint64_t dropped_before = st.replays_dropped;
	char *id = start_gated(e, "\"plain\"");
	int rc = rt_engine_purge(e, id, &err);
	ok(rc == RT_OK, "a purge of the busy instance is accepted (%s)", err ? err : "");
	free(err);
	gate_release();
	/* Its outcome (scheduling "after") comes back to a batch and must be
	 * dropped: wait until the replay left the gate and two batches ran. */
	int64_t until = rt_mono_us() + (int64_t)WAIT_MS * 1000;
	while (gate_count_left() < 1 && rt_mono_us() < until)
		sched_yield();
	rt_engine_get_stats(e, &st);
	uint64_t b0 = st.batches;
	char *lid = NULL;
	/* Each start is a batch of its own. */
	for (int k = 0; k < 3; k++) {
		rt_engine_start_instance(e, "light", NULL, NULL, &lid, NULL);
		free(lid);
		lid = NULL;
	}
	rt_engine_get_stats(e, &st);
	ok(gate_count_left() >= 1 && st.batches >= b0 + 2, "the dropped replay has returned");
	ok(st.replays_dropped > dropped_before, "the engine counts its outcome as dropped (%llu)",
	   (unsigned long long)st.replays_dropped);
	ok(fake_read(e, id, &row, &arena) == RT_E_NOTFOUND, "the purged instance stays gone");
	is_int(fake_calls("after"), after_before, "its outcome's activity never runs");
	free(id);
}

static void plain_completes(struct rt_engine *e)
{
	struct rt_instance row;
	int after_before = fake_calls("after");
	char *id = start_gated(e, "\"plain\"");
	gate_release();
	ok(fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &row, &arena),
	   "without interference the gated instance completes");
	is_str(row.output ? row.output : "(null)", "3", "with inc(inc(1))");
	is_int(fake_calls("after"), after_before + 1, "its outcome's activity runs once");
	/* Quiet now: every replay handed over came back and was applied or
	 * dropped (counted just after the commit the wait above saw: poll,
	 * bounded), and the gated one took at least the 8 ms it burns. */
	struct rt_engine_stats st;
	int64_t until = rt_mono_us() + (int64_t)WAIT_MS * 1000;
	do {
		sched_yield();
		rt_engine_get_stats(e, &st);
	} while (st.replays_returned != st.replays_applied + st.replays_dropped &&
		 rt_mono_us() < until);
	is_int((int)st.replays_in_flight, 0, "no replay is in flight once it completed");
	ok(st.replays_returned == st.offloaded &&
	   st.replays_returned == st.replays_applied + st.replays_dropped,
	   "each returned replay was applied or dropped (%llu = %llu + %llu)",
	   (unsigned long long)st.replays_returned, (unsigned long long)st.replays_applied,
	   (unsigned long long)st.replays_dropped);
	ok(st.replay_us_max >= 8000 && st.replay_us_total >= st.replay_us_max,
	   "the replay thread's time is counted (longest %lld us)", (long long)st.replay_us_max);
	free(id);
}

/* What the engine's store says now (through a reader: the engine holds
 * the file's lock): -1 when it cannot be read. */
enum peek_what { PEEK_ACTIVITIES, PEEK_INBOX, PEEK_HISTORY };

static long long peek(struct rt_engine *e, enum peek_what what, const char *id,
		      const char *execution_id, int type)
{
	char *err = NULL;
	struct rt_store *s = rt_engine_reader_get(e, &err);
	long long n = -1;
	free(err);
	if (!s)
		return -1;
	if (what == PEEK_ACTIVITIES) {
		/* Rows stay until their result is applied, visible or in flight. */
		struct rt_activity *rows;
		size_t k;
		if (rt_store_activity_pick(s, rt_now_us() + 3600000000LL, 0, NULL, NULL, &rows, &k,
					   &arena) == 0)
			n = (long long)k;
	} else if (what == PEEK_INBOX) {
		struct rt_inbox_msg *msgs;
		size_t k;
		if (rt_store_inbox_load(s, id, INT64_MAX, 0, &msgs, &k, &arena) == 0)
			n = (long long)k;
	} else {
		struct rt_history_row *rows;
		size_t k;
		if (rt_store_history_load(s, id, execution_id, &rows, &k, &arena) == 0) {
			n = 0;
			for (size_t i = 0; i < k; i++)
				n += rows[i].type == type;
		}
	}
	rt_engine_reader_put(e, s);
	return n;
}

/* Rows of the execution's history of event type `type`. */
static long long history_count(struct rt_engine *e, const struct rt_instance *row, int type)
{
	return peek(e, PEEK_HISTORY, row->instance_id, row->execution_id, type);
}

static void pieces_let_a_start_through(struct rt_engine *e)
{
	struct rt_instance row;
	struct rt_engine_stats st;
	struct bg_start s;
	char *id = NULL, *err = NULL;

	gate_shut();
	int rc = rt_engine_start_instance(e, "fan", NULL, NULL, &id, &err);
	ok(rc == RT_OK, "fan of %d starts (%s)", FAN, err ? err : "");
	free(err);
	ok(gate_wait_inside(), "its first replay with a result is blocked in the gate");
	/* Every result committed to the inbox meanwhile: the next replay takes
	 * them all, and its outcome is the large one. */
	int64_t until = rt_mono_us() + (int64_t)WAIT_MS * 1000;
	while ((fake_calls("piece") < FAN ||
		peek(e, PEEK_ACTIVITIES, NULL, NULL, 0) != 0) &&
	       rt_mono_us() < until)
		sched_yield();
	is_int(fake_calls("piece"), FAN, "all its activities ran while the replay was out");
	long long before = -1;
	if (fake_read(e, id, &row, &arena) == RT_OK)
		before = history_count(e, &row, RT_EV_TASK_COMPLETED);
	ok(before >= 0 && before < FAN, "before it, %lld of its results are in the history", before);
	rt_engine_get_stats(e, &st);
	uint64_t pieces_before = st.outcome_pieces;
	pthread_mutex_lock(&chunk_mu);
	chunk_armed = 1;
	pthread_mutex_unlock(&chunk_mu);
	gate_release();
	int inside = chunk_wait_state(1);
	ok(inside, "the engine writes a large outcome of the fan-in in pieces");
	if (!inside) {
		free(id);
		return;
	}
	int acked = bg_start_within(&s, e, WAIT_MS);
	ok(acked && s.rc == RT_OK, "a start that came during the first piece is acknowledged");
	/* What a kill -9 now would leave: the engine is held inside the next
	 * piece and writes nothing; the file first, then its WAL, which holds
	 * whatever a checkpoint copies meanwhile. */
	ok(chunk_wait_held(), "the engine goes on with the next piece");
	char dbcopy[300], walcopy[300], wal[300];
	snprintf(dbcopy, sizeof(dbcopy), "%s.crash", rt_engine_path(e));
	snprintf(walcopy, sizeof(walcopy), "%s.crash-wal", rt_engine_path(e));
	snprintf(wal, sizeof(wal), "%s-wal", rt_engine_path(e));
	ok(copy_file(rt_engine_path(e), dbcopy) == 0 && copy_file(wal, walcopy) == 0,
	   "the task hub is copied as a crash between two pieces leaves it");
	ok(fake_read(e, id, &row, &arena) == RT_OK && row.status == RT_ST_RUNNING,
	   "while the fan-in is still Running");
	long long done = history_count(e, &row, RT_EV_TASK_COMPLETED);
	ok(done > before && done < FAN, "with part of its results in the history (%lld of %d)", done,
	   FAN);
	rt_engine_get_stats(e, &st);
	ok(st.outcome_pieces > pieces_before, "the engine counts the piece it committed first (%llu)",
	   (unsigned long long)(st.outcome_pieces - pieces_before));
	chunk_set_state(2);
	bg_start_join(&s);
	ok(fake_wait_status(e, id, RT_ST_COMPLETED, WAIT_MS, &row, &arena),
	   "the fan-in completes after its last piece");
	char want[32];
	snprintf(want, sizeof(want), "%d", 2 * FAN);
	is_str(row.output ? row.output : "(null)", want, "with every result summed once");
	is_int((int)history_count(e, &row, RT_EV_TASK_COMPLETED), FAN,
	       "each result is in its history exactly once");
	is_int((int)history_count(e, &row, RT_EV_TASK_SCHEDULED), FAN,
	       "and each activity was scheduled once");
	is_int((int)peek(e, PEEK_INBOX, id, NULL, 0), 0,
	       "no message is left in the inbox");
	is_int(fake_calls("piece"), FAN, "no activity ran again");

	/* The copy, opened by a new engine as after a crash between pieces:
	 * the rest comes from the inbox, nothing is lost or repeated. */
	char *err2 = NULL;
	struct rt_engine_opts o2 = fake_opts(dbcopy, fns, sizeof(fns) / sizeof(fns[0]));
	struct rt_engine *e2 = rt_engine_start(&o2, &err2);
	ok(e2 != NULL, "an engine starts on the copy (%s)", err2 ? err2 : "");
	free(err2);
	if (e2) {
		ok(fake_wait_status(e2, id, RT_ST_COMPLETED, WAIT_MS, &row, &arena),
		   "after the crash between pieces the fan-in completes");
		is_str(row.output ? row.output : "(null)", want, "with every result summed once");
		is_int((int)history_count(e2, &row, RT_EV_TASK_COMPLETED), FAN,
		       "each result is in its history exactly once");
		is_int((int)history_count(e2, &row, RT_EV_TASK_SCHEDULED), FAN,
		       "and each activity was scheduled once");
		is_int((int)peek(e2, PEEK_INBOX, id, NULL, 0), 0, "no message is left in its inbox");
		is_int(fake_calls("piece"), FAN, "no activity ran again");
		rt_engine_stop(e2);
	}
	free(id);
}

int main(void)
{
	char *err = NULL;

	rt_arena_init(&arena);
	tdir_make();
	struct rt_engine_opts o = fake_opts(tpath("hub.db"), fns, sizeof(fns) / sizeof(fns[0]));
	o.hooks.outcome_chunk = on_chunk;
	fake_echo = getenv("ENGINE_ECHO") != NULL;
	struct rt_engine *e = rt_engine_start(&o, &err);
	chunk_engine = e;
	ok(e != NULL, "engine starts (%s)", err ? err : "");
	if (!e)
		return done_testing();
	if (others_go_on(e) == 0) {
		plain_completes(e);
		terminate_meanwhile(e);
		purge_meanwhile(e);
		pieces_let_a_start_through(e);
	}
	rt_engine_stop(e);
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
