/*
 * bench/store.c - throughput of the SQLite task-hub store on a file.
 *
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -Iruntime bench/store.c \
 *       runtime/store*.c common/arena.c common/xalloc.c -lsqlite3 -o build/bench-store
 *   build/bench-store [dir [engine]] (default dir: /tmp; "engine": part 4 only)
 *
 * 1. commit latency: one small transaction per commit, synchronous FULL and NORMAL;
 * 2. batched episodes: per transaction B episodes, each = get instance, load
 *    history + inbox, append H history rows, delete its inbox rows, update
 *    the instance, queue an activity and one message for the next episode
 *    (instances round-robin, so each history stays at ~8 episodes);
 * 3. a reader handle lists 100,000 instances page by page (top 100) in one
 *    thread while a writer commits small transactions in another: the
 *    slowest page and the writer's slowest transaction;
 * 4. engine-like group commit: random 32-hex instance ids, as the engine
 *    makes them, over a file that already holds many finished orchestrations.
 *    Per transaction B episodes of orchestrations picked at random from a
 *    pool of P recently started ones; each orchestration runs 4 episodes
 *    (create + 4 history rows + activity; 3 times: activity result, history
 *    rows, update, next activity; last: 3 rows, Completed). Reports the WAL
 *    bytes written per episode (wal_autocheckpoint=0, so the -wal file only
 *    grows) and episodes/s with synchronous=FULL.
 */
#include "runtime/store.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[200];

static struct rt_store *open_fresh(const char *name, int sync_normal)
{
	char path[300];
	struct rt_store_opts o = { .sync_normal = sync_normal };
	struct rt_store *s;
	char *err;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	if (rt_store_open(&s, path, &o, &err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return s;
}

static void die(struct rt_store *s, const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, rt_store_errmsg(s));
	exit(1);
}

static void bench_commit_latency(int sync_normal)
{
	struct rt_store *s = open_fresh("bench-commit.db", sync_normal);
	struct rt_inbox_msg m = { .instance_id = "i", .data = "0123456789", .len = 10 };
	int n = 300;
	int64_t t0 = rt_mono_us();
	for (int i = 0; i < n; i++) {
		if (rt_store_begin(s) || rt_store_inbox_add(s, &m, NULL) || rt_store_commit(s))
			die(s, "commit");
	}
	int64_t dt = rt_mono_us() - t0;
	printf("single-row transactions, synchronous=%s: %.0f commits/s (%.3f ms each)\n",
	       sync_normal ? "NORMAL" : "FULL", n * 1e6 / dt, dt / 1e3 / n);
	rt_store_close(s);
}

static void bench_episodes(int batch, int hist, int rounds, int sync_normal)
{
	struct rt_store *s = open_fresh("bench-episodes.db", sync_normal);
	struct rt_arena a;
	unsigned char blob[120];
	char id[32];
	/* Enough instances that each sees ~8 episodes: histories stay short,
	 * as with real orchestrations, instead of growing to thousands of rows. */
	int ninst = batch * rounds / 8 > batch ? batch * rounds / 8 : batch;
	int64_t rows = 0, t0;

	memset(blob, 'e', sizeof(blob));
	rt_arena_init(&a);
	/* ninst instances, each with one message waiting. */
	rt_store_begin(s);
	for (int i = 0; i < ninst; i++) {
		snprintf(id, sizeof(id), "inst-%06d", i);
		struct rt_instance in = {
			.instance_id = id, .name = "orch", .execution_id = "e1",
			.status = RT_ST_RUNNING, .parent_task_id = -1, .input = "\"x\"",
		};
		struct rt_inbox_msg m = { .instance_id = id, .data = blob, .len = 60 };
		rt_store_instance_put(s, &in, 0);
		rt_store_inbox_add(s, &m, NULL);
	}
	rt_store_commit(s);

	t0 = rt_mono_us();
	for (int r = 0; r < rounds; r++) {
		const char **ready;
		size_t nready;
		if (rt_store_inbox_ready(s, rt_now_us(), (size_t)batch, NULL, NULL, &ready, &nready,
					 &a))
			die(s, "ready");
		if (rt_store_begin(s))
			die(s, "begin");
		for (size_t k = 0; k < nready; k++) {
			struct rt_instance in;
			struct rt_history_row *old, newrows[64];
			struct rt_inbox_msg *msgs;
			size_t nold, nmsg;
			int64_t del[16];
			if (rt_store_instance_get(s, ready[k], &in, &a) ||
			    rt_store_history_load(s, ready[k], in.execution_id, &old, &nold, &a) ||
			    rt_store_inbox_load(s, ready[k], rt_now_us(), 16, &msgs, &nmsg, &a))
				die(s, "episode read");
			for (int j = 0; j < hist; j++)
				newrows[j] = (struct rt_history_row){
					in.history_len + j, 4, rt_now_us(), blob, sizeof(blob)
				};
			for (size_t j = 0; j < nmsg; j++)
				del[j] = msgs[j].id;
			in.history_len += hist;
			in.updated_us = rt_now_us();
			struct rt_activity act = { .instance_id = ready[k], .execution_id = "e1",
						   .task_id = in.history_len, .name = "act",
						   .input = "\"Tokyo\"" };
			struct rt_inbox_msg next = {
				.instance_id = ready[k], .data = blob, .len = 60,
			};
			if (rt_store_history_append(s, ready[k], in.execution_id, newrows,
						    (size_t)hist) ||
			    rt_store_inbox_delete(s, del, nmsg, NULL) ||
			    rt_store_instance_update(s, &in) ||
			    rt_store_activity_add(s, &act, NULL) ||
			    rt_store_inbox_add(s, &next, NULL))
				die(s, "episode write");
			/* Rows written: history + deletes + update + activity + message. */
			rows += hist + (int64_t)nmsg + 3;
		}
		if (rt_store_commit(s))
			die(s, "commit");
		rt_arena_reset(&a);
	}
	int64_t dt = rt_mono_us() - t0;
	printf("episodes, %d per transaction, %d history rows each, synchronous=%s: "
	       "%.0f episodes/s, %.0f row writes/s, %.2f ms per transaction\n",
	       batch, hist, sync_normal ? "NORMAL" : "FULL", (double)rounds * batch * 1e6 / dt,
	       rows * 1e6 / dt, dt / 1e3 / rounds);
	rt_arena_cleanup(&a);
	rt_store_close(s);
}

static void bench_simple(int per_tx, int rounds)
{
	struct rt_store *s = open_fresh("bench-simple.db", 0);
	struct rt_history_row rows[1000];
	unsigned char blob[100];
	int64_t ids[1000], t0, dt;
	struct rt_inbox_msg m = { .instance_id = "x", .data = blob, .len = 50 };

	memset(blob, 'h', sizeof(blob));
	rt_store_begin(s);
	for (int i = 0; i < per_tx * rounds; i++)
		rt_store_inbox_add(s, &m, NULL);
	/* History needs its instance row. */
	for (int r = 0; r < rounds; r++) {
		char id[32];
		snprintf(id, sizeof(id), "inst-%d", r);
		struct rt_instance in = { .instance_id = id, .name = "orch", .execution_id = "e",
					  .parent_task_id = -1 };
		rt_store_instance_put(s, &in, 0);
	}
	rt_store_commit(s);
	t0 = rt_mono_us();
	for (int r = 0; r < rounds; r++) {
		char id[32];
		snprintf(id, sizeof(id), "inst-%d", r);
		for (int j = 0; j < per_tx; j++) {
			rows[j] = (struct rt_history_row){ j, 4, j, blob, sizeof(blob) };
			ids[j] = (int64_t)r * per_tx + j + 1;
		}
		if (rt_store_begin(s) ||
		    rt_store_history_append(s, id, "e", rows, (size_t)per_tx) ||
		    rt_store_inbox_delete(s, ids, (size_t)per_tx, NULL) || rt_store_commit(s))
			die(s, "simple");
	}
	dt = rt_mono_us() - t0;
	printf("%d history inserts + %d inbox deletes per transaction, synchronous=FULL: "
	       "%.0f row operations/s (%.2f ms per transaction)\n",
	       per_tx, per_tx, 2.0 * per_tx * rounds * 1e6 / dt, dt / 1e3 / rounds);
	rt_store_close(s);
}

struct writer_ctx {
	struct rt_store *s;
	atomic_int stop;
	int64_t max_us, commits;
};

static void *writer(void *p)
{
	struct writer_ctx *w = p;
	struct rt_inbox_msg m = { .instance_id = "w", .data = "x", .len = 1 };
	while (!atomic_load(&w->stop)) {
		int64_t t0 = rt_mono_us();
		if (rt_store_begin(w->s) || rt_store_inbox_add(w->s, &m, NULL) ||
		    rt_store_commit(w->s))
			die(w->s, "writer");
		int64_t dt = rt_mono_us() - t0;
		if (dt > w->max_us)
			w->max_us = dt;
		w->commits++;
		usleep(1000);
	}
	return NULL;
}

static void bench_listing(int total)
{
	struct rt_store *s = open_fresh("bench-list.db", 0), *r;
	struct rt_store_filter f;
	struct rt_arena a;
	struct writer_ctx w = { 0 };
	pthread_t th;
	char path[300], id[32], after[64] = "";
	char *err;
	int64_t max_page = 0, t0, pages = 0, seen = 0;

	rt_arena_init(&a);
	rt_store_begin(s);
	for (int i = 0; i < total; i++) {
		snprintf(id, sizeof(id), "%08x-instance", (unsigned)i * 2654435761u);
		struct rt_instance in = {
			.instance_id = id, .name = "orch", .execution_id = "e1",
			.status = i % 3 ? RT_ST_COMPLETED : RT_ST_RUNNING, .created_us = i,
			.parent_task_id = -1, .input = "{\"city\":\"Tokyo\"}", .output = "\"done\"",
		};
		rt_store_instance_put(s, &in, 0);
	}
	rt_store_commit(s);
	snprintf(path, sizeof(path), "%s/bench-list.db", dir);
	if (rt_store_open_readonly(&r, path, &err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	w.s = s;
	pthread_create(&th, NULL, writer, &w);
	rt_store_filter_init(&f);
	t0 = rt_mono_us();
	for (;;) {
		struct rt_instance *rows;
		const char *next;
		size_t n;
		int64_t p0 = rt_mono_us();
		const char *from = after[0] ? after : NULL;
		if (rt_store_instance_list(r, &f, from, 100, &rows, &n, &next, &a))
			die(r, "list");
		int64_t dt = rt_mono_us() - p0;
		if (dt > max_page)
			max_page = dt;
		pages++;
		seen += (int64_t)n;
		if (!next)
			break;
		snprintf(after, sizeof(after), "%s", next);
		rt_arena_reset(&a);
	}
	int64_t all = rt_mono_us() - t0;
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	printf("listing %lld instances in %lld pages of 100 on a read-only handle: %.1f ms total, "
	       "slowest page %.2f ms; concurrent writer: %lld commits, slowest %.2f ms\n",
	       (long long)seen, (long long)pages, all / 1e3, max_page / 1e3, (long long)w.commits,
	       w.max_us / 1e3);

	/* A sparse filter: every page call scans its full budget. */
	f.statuses = RT_STORE_STATUS_BIT(RT_ST_FAILED);
	max_page = 0;
	pages = 0;
	after[0] = '\0';
	t0 = rt_mono_us();
	for (;;) {
		struct rt_instance *rows;
		const char *next;
		size_t n;
		int64_t p0 = rt_mono_us();
		const char *from = after[0] ? after : NULL;
		if (rt_store_instance_list(r, &f, from, 100, &rows, &n, &next, &a))
			die(r, "list");
		int64_t dt = rt_mono_us() - p0;
		if (dt > max_page)
			max_page = dt;
		pages++;
		if (!next)
			break;
		snprintf(after, sizeof(after), "%s", next);
	}
	printf("sparse filter (no match) over %d instances: %lld calls, %.1f ms total, slowest "
	       "call %.2f ms\n",
	       total, (long long)pages, (rt_mono_us() - t0) / 1e3, max_page / 1e3);
	rt_arena_cleanup(&a);
	rt_store_close(r);
	rt_store_close(s);
}

/* ---- 4. engine-like group commit ---------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64: deterministic, so before/after runs write the same rows. */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_hex(char out[33])
{
	for (int i = 0; i < 32; i++)
		out[i] = "0123456789abcdef"[rnd() & 15];
	out[32] = '\0';
}

struct orch {
	char id[33];
	char exec[33];
	int stage;      /* next episode, 0..3 */
	int64_t act_id; /* the activity whose result the next episode consumes */
};

static const int rows_per_episode[4] = { 4, 4, 4, 3 };

static void new_orch(struct orch *o)
{
	random_hex(o->id);
	random_hex(o->exec);
	o->stage = 0;
	o->act_id = 0;
}

/* One episode of o, as the engine writes it. */
static void engine_episode(struct rt_store *s, struct orch *o, struct rt_arena *a)
{
	struct rt_instance in;
	struct rt_history_row rows[4], *old;
	unsigned char blob[160];
	size_t nold;
	int k = rows_per_episode[o->stage];

	memset(blob, 'h', sizeof(blob));
	if (o->stage == 0) {
		struct rt_instance row = {
			.instance_id = o->id, .name = "hello_sequence", .execution_id = o->exec,
			.status = RT_ST_PENDING, .created_us = rt_now_us(), .parent_task_id = -1,
			.input = "\"Tokyo\"",
		};
		row.updated_us = row.created_us;
		if (rt_store_instance_put(s, &row, 0))
			die(s, "create");
	} else if (rt_store_activity_delete(s, o->act_id)) {
		die(s, "activity result");
	}
	if (rt_store_instance_get(s, o->id, &in, a) ||
	    rt_store_history_load(s, o->id, o->exec, &old, &nold, a))
		die(s, "episode read");
	for (int j = 0; j < k; j++)
		rows[j] = (struct rt_history_row){ in.history_len + j, 4, rt_now_us(), blob,
						   (size_t)(20 + rnd() % 120) };
	if (rt_store_history_append(s, o->id, o->exec, rows, (size_t)k))
		die(s, "append");
	in.history_len += k;
	in.updated_us = rt_now_us();
	in.status = o->stage == 3 ? RT_ST_COMPLETED : RT_ST_RUNNING;
	if (o->stage == 3)
		in.output = "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]";
	if (rt_store_instance_update(s, &in))
		die(s, "update");
	if (o->stage < 3) {
		struct rt_activity act = {
			.instance_id = o->id, .execution_id = o->exec, .task_id = in.history_len - 2,
			.name = "say_hello", .input = "\"Tokyo\"", .dequeue_count = 1,
		};
		if (rt_store_activity_add(s, &act, &o->act_id))
			die(s, "activity");
	}
	if (++o->stage == 4)
		new_orch(o);
}

static long long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static void bench_engine_like(int batch, int pool, int preload, int rounds)
{
	struct rt_store_opts o = { .manual_checkpoint = 1 };
	struct rt_store *s = open_fresh("bench-engine.db", 1);
	struct orch *orchs = xcalloc((size_t)pool, sizeof(*orchs));
	int *pick = xcalloc((size_t)pool, sizeof(*pick));
	struct rt_arena a;
	char path[300], wal[310], *err;
	int warmup = rounds / 5;
	long long wal0 = 0;
	int64_t t0 = 0;

	rt_arena_init(&a);
	rng = 0x9e3779b97f4a7c15ull;
	/* Finished orchestrations already in the file: the trees are big and
	 * random keys land on cold pages, as in a task hub that has run a while. */
	for (int i = 0; i < preload; i += 1000) {
		rt_store_begin(s);
		for (int j = i; j < preload && j < i + 1000; j++) {
			struct orch done;
			new_orch(&done);
			for (int k = 0; k < 4; k++)
				engine_episode(s, &done, &a);
		}
		if (rt_store_commit(s))
			die(s, "preload");
		rt_arena_reset(&a);
	}
	/* Closing the only handle checkpoints and removes the WAL. */
	rt_store_close(s);
	snprintf(path, sizeof(path), "%s/bench-engine.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (rt_store_open(&s, path, &o, &err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}

	for (int i = 0; i < pool; i++) {
		new_orch(&orchs[i]);
		pick[i] = i;
	}
	for (int r = 0; r < warmup + rounds; r++) {
		if (r == warmup) {
			wal0 = file_size(wal);
			t0 = rt_mono_us();
		}
		/* B distinct orchestrations of the pool, in random order. */
		for (int i = 0; i < batch; i++) {
			int j = i + (int)(rnd() % (uint64_t)(pool - i)), t = pick[i];
			pick[i] = pick[j];
			pick[j] = t;
		}
		if (rt_store_begin(s))
			die(s, "begin");
		for (int i = 0; i < batch; i++)
			engine_episode(s, &orchs[pick[i]], &a);
		if (rt_store_commit(s))
			die(s, "commit");
		rt_arena_reset(&a);
	}
	int64_t dt = rt_mono_us() - t0;
	double eps = (double)rounds * batch;
	printf("engine-like, %d episodes per transaction over a pool of %d, %d finished "
	       "orchestrations before, synchronous=FULL: %.0f episodes/s, %.0f WAL bytes per "
	       "episode (%.1f pages per transaction)\n",
	       batch, pool, preload, eps * 1e6 / dt, (file_size(wal) - wal0) / eps,
	       (file_size(wal) - wal0) / (4096.0 + 24) / rounds);
	free(orchs);
	free(pick);
	rt_arena_cleanup(&a);
	rt_store_close(s);
}

int main(int argc, char **argv)
{
	snprintf(dir, sizeof(dir), "%s", argc > 1 ? argv[1] : "/tmp");
	if (argc > 2 && strcmp(argv[2], "engine") == 0)
		goto engine;
	bench_commit_latency(0);
	bench_commit_latency(1);
	bench_simple(100, 200);
	bench_simple(1000, 50);
	bench_episodes(1, 8, 2000, 0);
	bench_episodes(32, 8, 300, 0);
	bench_episodes(32, 8, 300, 1);
	bench_episodes(128, 4, 100, 0);
	bench_listing(100000);
engine:
	bench_engine_like(32, 64, 50000, 1000);
	bench_engine_like(128, 256, 50000, 250);
	return 0;
}
