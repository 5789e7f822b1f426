/*
 * The WAL stays bounded under sustained load (runtime/store.c,
 * rt_store_checkpoint_bounded). A writer commits back to back as the engine
 * does, a checkpoint thread runs the host's policy every 8 commits, and a
 * reader pages through the instances without pause, as a dashboard would.
 * Passive checkpoints alone never restart a WAL that a busy writer keeps
 * appending to, and a truncating checkpoint that polls for SQLite's locks
 * loses nearly every time to a writer or a reader that re-takes them within
 * microseconds: before the gate the WAL grew without bound here. With it,
 * the WAL stays within twice the limit and the writer keeps committing.
 *
 * Bounded: WAL_SECONDS of load (CFUNC_WAL_SECONDS overrides), a small limit
 * so that it is crossed many times.
 */
#include "store_util.h"

#include <pthread.h>
#include <sys/stat.h>

#include "common/xalloc.h"
#include "common/clock.h"

#define WAL_LIMIT (4LL << 20)
#define KEEP_INSTANCES 2000 /* the writer deletes older ones: the file stays small */
#define PER_TX 20
#define INPUT_BYTES 8192 /* per instance: overflow pages, cheap to write */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ckpt_requested, stop;
	int64_t deadline_us;
	const char *path;
	/* results */
	long commits, failed_commits, truncations_busy, pages_read, reader_errors;
	int64_t max_wal, max_commit_us;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int64_t wal_bytes(void)
{
	char wal[300];
	struct stat st;
	snprintf(wal, sizeof(wal), "%s-wal", g.path);
	return stat(wal, &st) == 0 ? (int64_t)st.st_size : 0;
}

static void *writer_main(void *arg)
{
	struct rt_store *w = arg;
	char id[32], input[INPUT_BYTES];
	long next = 0;

	memset(input, 'y', sizeof(input));
	input[0] = '"';
	input[sizeof(input) - 2] = '"';
	input[sizeof(input) - 1] = '\0';
	while (rt_mono_us() < g.deadline_us) {
		int64_t t0 = rt_mono_us();
		int rc = rt_store_begin(w);
		for (int i = 0; rc == 0 && i < PER_TX; i++, next++) {
			snprintf(id, sizeof(id), "w%09ld", next);
			struct rt_instance in = make_instance(id, RT_ST_RUNNING, next);
			in.input = input;
			rc = rt_store_instance_put(w, &in, 0);
			if (rc == 0 && next >= KEEP_INSTANCES) {
				snprintf(id, sizeof(id), "w%09ld", next - KEEP_INSTANCES);
				rc = rt_store_instance_delete(w, id);
			}
		}
		if (rc == 0)
			rc = rt_store_commit(w);
		if (rc != 0)
			rt_store_rollback(w);
		int64_t dt = rt_mono_us() - t0, size = wal_bytes();
		pthread_mutex_lock(&g.mu);
		if (rc == 0)
			g.commits++;
		else
			g.failed_commits++;
		if (dt > g.max_commit_us)
			g.max_commit_us = dt;
		if (size > g.max_wal)
			g.max_wal = size;
		if (g.commits % 8 == 0) {
			g.ckpt_requested = 1;
			pthread_cond_signal(&g.cv);
		}
		pthread_mutex_unlock(&g.mu);
	}
	pthread_mutex_lock(&g.mu);
	g.stop = 1;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	return NULL;
}

/* What runtime/engine.c's checkpoint thread does. */
static void *checkpointer_main(void *arg)
{
	struct rt_store *c = arg;
	pthread_mutex_lock(&g.mu);
	while (!g.stop) {
		if (!g.ckpt_requested) {
			pthread_cond_wait(&g.cv, &g.mu);
			continue;
		}
		g.ckpt_requested = 0;
		pthread_mutex_unlock(&g.mu);
		int rc = rt_store_checkpoint_bounded(c, WAL_LIMIT, NULL);
		pthread_mutex_lock(&g.mu);
		if (rc == RT_E_BUSY)
			g.truncations_busy++;
	}
	pthread_mutex_unlock(&g.mu);
	return NULL;
}

static void *reader_main(void *arg)
{
	struct rt_store *r = arg;
	struct rt_arena a;
	struct rt_store_filter f;
	rt_arena_init(&a);
	rt_store_filter_init(&f);
	for (;;) {
		char after[64] = "";
		const char *next;
		do {
			struct rt_instance *rows;
			size_t n;
			if (rt_store_instance_list(r, &f, after[0] ? after : NULL, 100, &rows, &n,
						   &next, &a) != 0) {
				pthread_mutex_lock(&g.mu);
				g.reader_errors++;
				pthread_mutex_unlock(&g.mu);
				next = NULL;
			}
			snprintf(after, sizeof(after), "%s", next ? next : "");
			rt_arena_reset(&a);
			pthread_mutex_lock(&g.mu);
			g.pages_read++;
			int stop = g.stop;
			pthread_mutex_unlock(&g.mu);
			if (stop) {
				rt_arena_cleanup(&a);
				return NULL;
			}
		} while (next);
	}
}

static void test_sustained_load(void)
{
	struct rt_store_opts wo = {.sync_normal = 1, .manual_checkpoint = 1};
	struct rt_store *w, *c, *r;
	pthread_t tw, tc, tr;
	char path[256];
	const char *secs = getenv("CFUNC_WAL_SECONDS");
	double seconds = secs ? atof(secs) : 3.0;

	snprintf(path, sizeof(path), "%s", tpath("wal.db"));
	g.path = path;
	if (!ok(rt_store_open(&w, path, &wo, NULL) == 0, "writer handle") ||
	    !ok(rt_store_open(&c, path, NULL, NULL) == 0, "checkpoint handle") ||
	    !ok(rt_store_open_readonly(&r, path, NULL) == 0, "reader handle"))
		return;
	g.deadline_us = rt_mono_us() + (int64_t)(seconds * 1e6);
	pthread_create(&tc, NULL, checkpointer_main, c);
	pthread_create(&tr, NULL, reader_main, r);
	pthread_create(&tw, NULL, writer_main, w);
	pthread_join(tw, NULL);
	pthread_join(tc, NULL);
	pthread_join(tr, NULL);

	printf("# %.1f s: %ld commits of %d instances (%.0f/s), %ld listing pages, max WAL %.1f "
	       "MB (limit %.0f MB), slowest commit %.0f ms, %ld truncations gave up\n",
	       seconds, g.commits, PER_TX, g.commits / seconds, g.pages_read, g.max_wal / 1048576.0,
	       WAL_LIMIT / 1048576.0, g.max_commit_us / 1000.0, g.truncations_busy);
	/* The load really crossed the limit many times over. */
	ok(g.commits * PER_TX * (int64_t)INPUT_BYTES > 4 * WAL_LIMIT, "the writer wrote %.0f MB of rows",
	   g.commits * PER_TX * (double)INPUT_BYTES / 1048576.0);
	is_int(g.failed_commits, 0, "no commit failed");
	is_int(g.reader_errors, 0, "no listing failed");
	ok(g.pages_read > 10, "the reader kept paging (%ld pages)", g.pages_read);
	/* Twice the limit (the writers' backstop) plus one transaction. */
	ok(g.max_wal <= 2 * WAL_LIMIT + (1 << 20),
	   "the WAL stayed bounded: at most %.1f MB (limit %.0f MB)", g.max_wal / 1048576.0,
	   WAL_LIMIT / 1048576.0);
	ok(g.max_commit_us < 2000000, "no commit stalled for 2 s (slowest %.0f ms)",
	   g.max_commit_us / 1000.0);
	rt_store_close(r);
	rt_store_close(c);
	rt_store_close(w);
}

/* One commit of PER_TX instances of INPUT_BYTES; 0 or an RT_STORE code. */
static int commit_rows(struct rt_store *w, long *next)
{
	static char input[INPUT_BYTES];
	char id[32];
	int rc;
	memset(input, 'q', sizeof(input) - 1);
	input[0] = input[sizeof(input) - 2] = '"';
	if ((rc = rt_store_begin(w)))
		return rc;
	for (int i = 0; rc == 0 && i < PER_TX; i++, (*next)++) {
		snprintf(id, sizeof(id), "p%09ld", *next);
		struct rt_instance in = make_instance(id, RT_ST_RUNNING, *next);
		in.input = input;
		rc = rt_store_instance_put(w, &in, 0);
	}
	if (rc == 0)
		rc = rt_store_commit(w);
	if (rc)
		rt_store_rollback(w);
	return rc;
}

/*
 * A reader that keeps one snapshot (a client that stops reading a streamed
 * response) makes every truncating checkpoint wait out its timeout with the
 * writers stalled. The WAL cannot be emptied meanwhile, but the attempts
 * back off, so the writer is stalled a few times, not at every commit; and
 * once the reader lets go the WAL is emptied at the next checkpoint.
 */
static void test_stuck_reader(void)
{
	const int64_t limit = 1 << 20, stall_us = 250000;
	struct rt_store_opts wo = {.sync_normal = 1, .manual_checkpoint = 1, .busy_timeout_ms = 300};
	struct rt_store_opts co = {.busy_timeout_ms = 300};
	struct rt_store *w, *c;
	sqlite3 *raw;
	sqlite3_stmt *st;
	char path[256];
	long next = 0;
	int stalls = 0, commits = 0, failed = 0;
	int64_t wal = 0;

	snprintf(path, sizeof(path), "%s", tpath("stuck.db"));
	g.path = path;
	if (!ok(rt_store_open(&w, path, &wo, NULL) == 0, "writer handle") ||
	    !ok(rt_store_open(&c, path, &co, NULL) == 0, "checkpoint handle"))
		return;
	commit_rows(w, &next);
	sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL);
	sqlite3_prepare_v2(raw, "SELECT instance_id FROM instances", -1, &st, NULL);
	ok(sqlite3_step(st) == SQLITE_ROW, "a reader holds a snapshot and does not let go");

	/* About 8 limits' worth of rows, a checkpoint after every commit. */
	while (wal_bytes() < 8 * limit && commits < 400) {
		int64_t t0 = rt_mono_us();
		failed += commit_rows(w, &next) != 0;
		rt_store_checkpoint_bounded(c, limit, &wal);
		stalls += rt_mono_us() - t0 >= stall_us;
		commits++;
	}
	ok(wal_bytes() >= 8 * limit, "the snapshot kept the WAL from being emptied (%.1f MB)",
	   wal_bytes() / 1048576.0);
	is_int(failed, 0, "every commit went through");
	/* Attempts at 1, ~2, ~4 MB by the checkpoint thread and at 2, ~4 by
	 * the writers' backstop; without the back-off, one or two per commit. */
	ok(stalls <= 8, "%d of %d commits stalled on an attempt the reader defeated", stalls,
	   commits);

	sqlite3_finalize(st);
	sqlite3_close(raw);
	failed = commit_rows(w, &next);
	rt_store_checkpoint_bounded(c, limit, &wal);
	is_int(failed, 0, "the reader gone, a commit");
	ok(wal < limit, "and the next checkpoint empties the WAL (%.1f MB)", wal / 1048576.0);
	rt_store_close(c);
	rt_store_close(w);
}

int main(void)
{
	tdir_make();
	subtest("sustained load", test_sustained_load);
	subtest("a reader that never lets go", test_stuck_reader);
	tdir_remove();
	return done_testing();
}
