/*
 * engine_entity.c - client signals through the engine's batches
 * (runtime/engine_entity.c) on a real engine and a temporary task hub.
 *
 * An entity operation holds the engine thread inside one batch while the
 * test queues everything else, so all of it lands in the next batch: one
 * entity signalled many times between signals to 300 others. What a user
 * would notice must hold exactly: the operations of one entity run in the
 * order they were sent, each once; a failed operation leaves the state as
 * it was and the next one goes on; an operation name that is not UTF-8
 * does not corrupt anything; maxEntityOperationBatchSize cuts the backlog
 * into several batches without reordering; a scheduled signal runs after
 * its time, never before; every acknowledged signal is applied after a
 * restart of the engine on the same hub. All of it twice: in process, and
 * with a run_entity_batches hook (as worker mode has) that gets the entity
 * batches of one engine batch together, finishes them in reverse order and
 * refuses one the first time (-2: nothing of it committed, run again).
 */
#include "runtime/engine.h"
#include "runtime/engine_entity.h"
#include "common/clock.h"
#include "engine_fake.h"
#include "tap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEYS 300

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int holding, released; /* the "gate" entity's hold */
static int acked, acked_ok;   /* on_done calls, and those with RT_OK */
static int64_t due_applied_us; /* when the scheduled operation ran */
static size_t hook_calls, hook_most; /* run_entity_batches calls, most batches in one */
static int hook_refused;             /* "@count@k7" was refused once */

/* run_entity_batches: every batch run here, last first, except k7's first
 * try, which "could not run" (-2). */
static void run_batches(void *ctx, size_t n, void *const *fns, struct rt_entity_batch *const *ebs,
			int *rcs, void (*done)(void *arg, size_t i), void *arg)
{
	(void)ctx;
	(void)fns;
	pthread_mutex_lock(&mu);
	hook_calls++;
	if (n > hook_most)
		hook_most = n;
	pthread_mutex_unlock(&mu);
	for (size_t k = n; k-- > 0;) {
		if (!hook_refused && strcmp(ebs[k]->instance_id, "@count@k7") == 0) {
			hook_refused = 1;
			rcs[k] = -2;
		} else {
			rcs[k] = rt_entity_batch_run(ebs[k]);
		}
		done(arg, k);
	}
}

/* "log": the state is a JSON string, "add" appends the input (a one-digit
 * number), "fail" changes the state and then fails. "count": an integer,
 * "add" adds one. "gate": "hold" blocks until the test releases it. */
static void *find_entity(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "log") == 0)
		return "log";
	if (strcmp(name, "count") == 0)
		return "count";
	return strcmp(name, "gate") == 0 ? "gate" : NULL;
}

static void run_entity(void *ctx, void *fn, struct rt_entity_op *op)
{
	(void)ctx;
	if (strcmp(fn, "gate") == 0) {
		pthread_mutex_lock(&mu);
		holding = 1;
		pthread_cond_broadcast(&cv);
		while (!released)
			pthread_cond_wait(&cv, &mu);
		pthread_mutex_unlock(&mu);
		op->state = "true";
		return;
	}
	if (strcmp(fn, "count") == 0) {
		long n = op->state ? strtol(op->state, NULL, 10) : 0;
		op->state = rt_arena_fmt(op->arena, "%ld", n + 1);
		return;
	}
	const char *s = op->state ? op->state : "\"\"";
	size_t len = strlen(s);
	if (strcmp(op->op, "add") == 0 && op->input && strlen(op->input) == 1) {
		op->state = rt_arena_fmt(op->arena, "%.*s%s\"", (int)(len - 1), s, op->input);
		if (strcmp(op->input, "9") == 0) {
			pthread_mutex_lock(&mu);
			due_applied_us = rt_now_us();
			pthread_mutex_unlock(&mu);
		}
		return;
	}
	/* "fail", and any operation this entity does not know. */
	op->state = "\"spoiled\"";
	op->failed = 1;
	op->message = "refused";
}

static void on_done(void *user, int rc, const char *err)
{
	(void)user;
	(void)err;
	pthread_mutex_lock(&mu);
	acked++;
	acked_ok += rc == RT_OK;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static int signal_async(struct rt_engine *e, const char *name, const char *key, const char *op,
			const char *input, int64_t at_us)
{
	return rt_engine_signal_entity_async(e, name, key, op, input, at_us, on_done, NULL);
}

/* Waits (bounded, 10 s) until n signals were acknowledged; returns the count. */
static int wait_acked(int n)
{
	int64_t until = rt_mono_us() + 10000000;
	int got;
	for (;;) {
		pthread_mutex_lock(&mu);
		got = acked;
		pthread_mutex_unlock(&mu);
		if (got >= n || rt_mono_us() > until)
			return got;
		usleep(1000);
	}
}

/* The committed state of (name, key), "(none)" when it has none, in buf. */
static const char *state_of(struct rt_engine *e, const char *name, const char *key, char *buf,
			    size_t cap)
{
	struct rt_arena a;
	struct rt_entity_row row;
	char *err = NULL;
	struct rt_store *s = rt_engine_reader_get(e, &err);
	snprintf(buf, cap, "(no reader: %s)", err ? err : "");
	free(err);
	if (!s)
		return buf;
	rt_arena_init(&a);
	if (rt_engine_entity_get(s, name, key, &row, &a) == 0)
		snprintf(buf, cap, "%s", row.state);
	else
		snprintf(buf, cap, "(none)");
	rt_arena_cleanup(&a);
	rt_engine_reader_put(e, s);
	return buf;
}

/* Waits (bounded, 5 s) until (name, key) has state `want`. */
static int wait_state(struct rt_engine *e, const char *name, const char *key, const char *want)
{
	char buf[256];
	int64_t until = rt_mono_us() + 5000000;
	while (strcmp(state_of(e, name, key, buf, sizeof(buf)), want) != 0) {
		if (rt_mono_us() > until)
			return 0;
		usleep(2000);
	}
	return 1;
}

static struct rt_engine *start_engine(const char *path, int batched)
{
	char *err = NULL;
	struct rt_engine_opts o = fake_opts(path, NULL, 0);
	o.sync_normal = 0;
	o.sync_acks = 1; /* the host's default */
	/* Small, so the backlog of "log" takes several batches. */
	o.entity_batch_max = 3;
	o.hooks.find_entity = find_entity;
	o.hooks.run_entity = run_entity;
	o.hooks.run_entity_batches = batched ? run_batches : NULL;
	struct rt_engine *e = rt_engine_start(&o, &err);
	if (!e)
		fprintf(stderr, "# engine: %s\n", err ? err : "?");
	free(err);
	return e;
}

static void scenario(int batched)
{
	char dir[] = "/tmp/cfunc-engine-entity.XXXXXX", path[128], buf[256], key[16];
	int sent = 0, queued = 0;

	holding = released = acked = acked_ok = 0;
	due_applied_us = 0;
	if (!mkdtemp(dir)) {
		ok(0, "a temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	struct rt_engine *e = start_engine(path, batched);
	ok(e != NULL, "engine starts on a temporary hub");
	if (!e)
		return;

	/* The engine thread stays inside this batch until released. */
	queued += signal_async(e, "gate", "g", "hold", NULL, 0) == RT_OK;
	sent++;
	pthread_mutex_lock(&mu);
	int64_t until = rt_mono_us() + 5000000;
	while (!holding && rt_mono_us() < until) {
		pthread_mutex_unlock(&mu);
		usleep(1000);
		pthread_mutex_lock(&mu);
	}
	int held = holding;
	pthread_mutex_unlock(&mu);
	ok(held, "an operation holds the engine in its batch");

	/* All of this is queued while the engine is held: one next batch. */
	int64_t due_us = rt_now_us() + 400000;
	queued += signal_async(e, "log", "a", "add", "9", due_us) == RT_OK;
	sent++;
	const char *ops[] = {"add", "add", "fail", "add", "\xff\xfe", "add", "add"};
	const char *inputs[] = {"1", "2", "3", "4", "5", "6", "7"};
	for (int i = 0; i < KEYS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		queued += signal_async(e, "count", key, "add", NULL, 0) == RT_OK;
		sent++;
		if (i % 40 == 0 && i / 40 < (int)(sizeof(ops) / sizeof(ops[0]))) {
			queued += signal_async(e, "log", "a", ops[i / 40], inputs[i / 40], 0) == RT_OK;
			sent++;
		}
		if (i % 100 == 0) {
			/* The same counter again, later in the same batch. */
			queued += signal_async(e, "count", "k0", "add", NULL, 0) == RT_OK;
			sent++;
		}
	}
	is_int(queued, sent, "every signal is queued (%d)", sent);
	pthread_mutex_lock(&mu);
	released = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	is_int(wait_acked(sent), sent, "every signal is acknowledged");
	is_int(acked_ok, sent, "each with RT_OK");

	/* Acknowledged means committed: what ran is visible now. */
	int in_order = wait_state(e, "log", "a", "\"12467\"");
	ok(in_order,
	   "one entity: its operations in the order sent, the failed one and the unknown one "
	   "rolled back, across batches of 3 (state %s)",
	   state_of(e, "log", "a", buf, sizeof(buf)));
	is_str(state_of(e, "count", "k0", buf, sizeof(buf)), "4",
	       "an entity signalled four times in one batch counts four");
	if (batched) {
		/* k7's batch was refused once: it runs again about a second later. */
		int again = wait_state(e, "count", "k7", "1");
		ok(again, "a batch the hook could not run commits nothing and runs again, once "
			  "(state %s)", state_of(e, "count", "k7", buf, sizeof(buf)));
		ok(hook_refused, "… it was refused");
		ok(hook_most > 100, "the entity batches of one engine batch reach the hook together "
				    "(%zu at most, in %zu calls)", hook_most, hook_calls);
	}
	int ones = 0;
	for (int i = 1; i < KEYS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ones += strcmp(state_of(e, "count", key, buf, sizeof(buf)), "1") == 0;
	}
	is_int(ones, KEYS - 1, "the %d other entities of the batch count one each", KEYS - 1);
	is_str(state_of(e, "count", "k300", buf, sizeof(buf)), "(none)",
	       "an entity never signalled does not exist");

	/* The scheduled one: after its time, at its place (last). */
	int scheduled = wait_state(e, "log", "a", "\"124679\"");
	ok(scheduled, "the scheduled operation runs (state %s)",
	   state_of(e, "log", "a", buf, sizeof(buf)));
	pthread_mutex_lock(&mu);
	int64_t ran_us = due_applied_us;
	pthread_mutex_unlock(&mu);
	ok(ran_us >= due_us, "never before its time (%lld us after it)",
	   (long long)(ran_us - due_us));

	/* A restart on the same hub keeps exactly what was acknowledged. */
	rt_engine_stop(e);
	e = start_engine(path, batched);
	ok(e != NULL, "the hub reopens");
	if (e) {
		is_str(state_of(e, "log", "a", buf, sizeof(buf)), "\"124679\"",
		       "the state survives the restart");
		is_str(state_of(e, "count", "k0", buf, sizeof(buf)), "4", "so do the counts");
		rt_engine_stop(e);
	}

	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

int main(void)
{
	scenario(0);
	scenario(1);
	return done_testing();
}
