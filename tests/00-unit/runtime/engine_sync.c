/*
 * When the engine's commits reach the disk (runtime/engine_sync.c,
 * runtime/store_sync.c). A VFS shim in front of SQLite's own records, for
 * the WAL file, every write and every sync, so the test sees exactly what
 * a power cut would keep: the frames written before the last sync.
 *
 *   sync_acks: an acknowledged command (start, purge) is on disk when its
 *   call returns; a chain of activities is fsynced a few times, not once
 *   per step; and everything committed is on disk soon after the engine
 *   goes idle, without any further command; a wait on an instance's end
 *   fires only once the commit that ended it is synced, and a start that
 *   waits in vain is synced before its 202 (rt_engine_wait_ack_durable).
 *   FULL: every commit fsyncs (what sync_acks saves).
 */
#include "runtime/engine.h"
#include "runtime/replay.h"
#include "runtime/store.h"
#include "common/clock.h"
#include "tap.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the shim: SQLite's default VFS, watching files named "*-wal" ------- */

static sqlite3_vfs *real_vfs;
static _Atomic long wal_writes; /* xWrite calls on a WAL file */
static _Atomic long wal_syncs;  /* xSync calls on a WAL file */
static _Atomic long synced_upto; /* wal_writes as of the start of the last sync */

struct shim_file {
	sqlite3_file base;
	int is_wal;
	sqlite3_file *real; /* allocated right after this struct */
};

static int shim_close(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xClose(s->real);
}
static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xRead(s->real, b, n, off);
}
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	struct shim_file *s = (struct shim_file *)f;
	int rc = s->real->pMethods->xWrite(s->real, b, n, off);
	if (s->is_wal && rc == SQLITE_OK)
		atomic_fetch_add(&wal_writes, 1);
	return rc;
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xTruncate(s->real, size);
}
static _Thread_local int in_xsync; /* SQLite's own sync, counted above */

static int shim_sync(sqlite3_file *f, int flags)
{
	struct shim_file *s = (struct shim_file *)f;
	long before = atomic_load(&wal_writes);
	in_xsync = 1;
	int rc = s->real->pMethods->xSync(s->real, flags);
	in_xsync = 0;
	if (s->is_wal && rc == SQLITE_OK) {
		atomic_fetch_add(&wal_syncs, 1);
		long cur = atomic_load(&synced_upto);
		while (cur < before && !atomic_compare_exchange_weak(&synced_upto, &cur, before))
			;
	}
	return rc;
}
static int shim_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xFileSize(s->real, size);
}
static int shim_lock(sqlite3_file *f, int l)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xLock(s->real, l);
}
static int shim_unlock(sqlite3_file *f, int l)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xUnlock(s->real, l);
}
static int shim_check(sqlite3_file *f, int *out)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xCheckReservedLock(s->real, out);
}
static int shim_fcntl(sqlite3_file *f, int op, void *arg)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xFileControl(s->real, op, arg);
}
static int shim_sector(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xSectorSize(s->real);
}
static int shim_chars(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xDeviceCharacteristics(s->real);
}
static int shim_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **p)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xShmMap(s->real, pg, sz, ext, p);
}
static int shim_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xShmLock(s->real, off, n, flags);
}
static void shim_shm_barrier(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	s->real->pMethods->xShmBarrier(s->real);
}
static int shim_shm_unmap(sqlite3_file *f, int del)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xShmUnmap(s->real, del);
}

static const sqlite3_io_methods shim_io = {
	.iVersion = 2,
	.xClose = shim_close,
	.xRead = shim_read,
	.xWrite = shim_write,
	.xTruncate = shim_truncate,
	.xSync = shim_sync,
	.xFileSize = shim_size,
	.xLock = shim_lock,
	.xUnlock = shim_unlock,
	.xCheckReservedLock = shim_check,
	.xFileControl = shim_fcntl,
	.xSectorSize = shim_sector,
	.xDeviceCharacteristics = shim_chars,
	.xShmMap = shim_shm_map,
	.xShmLock = shim_shm_lock,
	.xShmBarrier = shim_shm_barrier,
	.xShmUnmap = shim_shm_unmap,
};

static int shim_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
		     int *out_flags)
{
	struct shim_file *s = (struct shim_file *)f;
	(void)vfs;
	s->real = (sqlite3_file *)(s + 1);
	s->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
	int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
	/* SQLite calls xClose only when pMethods is set. */
	s->base.pMethods = s->real->pMethods ? &shim_io : NULL;
	return rc;
}

static sqlite3_vfs shim_vfs;

static void shim_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "sync-watch";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	sqlite3_vfs_register(&shim_vfs, 1);
}

/* The engine's fsync of the WAL file outside SQLite (a start's 202 after
 * its wait: rt_engine_wait_ack_durable) is a sync of the same file: this
 * definition takes the place of libc's, so it is counted like xSync. */
static _Atomic long raw_wal_syncs;
int fdatasync(int fd)
{
	char link[64], target[4096];
	long before = atomic_load(&wal_writes);
	int rc = (int)syscall(SYS_fdatasync, fd);
	if (rc != 0 || in_xsync)
		return rc;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n > 4 && memcmp(target + n - 4, "-wal", 4) == 0) {
		atomic_fetch_add(&raw_wal_syncs, 1);
		long cur = atomic_load(&synced_upto);
		while (cur < before && !atomic_compare_exchange_weak(&synced_upto, &cur, before))
			;
	}
	return rc;
}

/* Every WAL write so far is covered by a sync. */
static int all_synced(void)
{
	return atomic_load(&synced_upto) >= atomic_load(&wal_writes);
}

/* ---- a chain orchestrator and an activity that adds one --------------- */

static void *find_fn(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "chain") == 0 || strcmp(name, "inc") == 0 ||
			       strcmp(name, "wait") == 0
		       ? (void *)name
		       : NULL;
}

static int run_orch(void *fn, struct rt_orch *o)
{
	const char *in = rt_orch_input(o), *last = "0";
	if (strcmp(fn, "wait") == 0) {
		int rc = rt_orch_await(o, rt_orch_wait_for_event(o, "go"), &last);
		return rc != RT_OK ? rc : rt_orch_finish(o, last);
	}
	int n = atoi(in ? in : "0");
	for (int i = 0; i < n; i++) {
		int rc = rt_orch_await(o, rt_orch_call_activity(o, "inc", last, NULL), &last);
		if (rc != RT_OK)
			return rc;
	}
	return rt_orch_finish(o, last);
}

static void run_act(void *ctx, void *fn, const struct rt_activity_call *call,
		    struct rt_activity_result *res)
{
	(void)ctx;
	(void)fn;
	res->failed = 0;
	res->result = rt_arena_fmt(call->arena, "%d", atoi(call->input) + 1);
}

static void quiet_log(void *ctx, const char *category, int level, const char *fmt, ...)
{
	(void)ctx;
	(void)category;
	(void)level;
	(void)fmt;
}

static struct rt_engine *start_engine(const char *path, int sync_acks)
{
	struct rt_engine_opts o;
	char *err = NULL;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.hub_name = "SyncHub";
	o.sync_acks = sync_acks;
	o.hooks.find_orchestrator = find_fn;
	o.hooks.find_activity = find_fn;
	o.hooks.run_orchestrator = run_orch;
	o.hooks.run_activity = run_act;
	o.hooks.log = quiet_log;
	struct rt_engine *e = rt_engine_start(&o, &err);
	if (!e)
		fprintf(stderr, "# engine: %s\n", err ? err : "?");
	free(err);
	return e;
}

/* Polls the instance's status (bounded); returns it, or -1. */
static int wait_status(struct rt_engine *e, const char *id, int want, int64_t limit_us)
{
	int64_t until = rt_mono_us() + limit_us;
	int st = -1;
	for (;;) {
		struct rt_store *r = rt_engine_reader_get(e, NULL);
		struct rt_arena a;
		struct rt_instance in;
		rt_arena_init(&a);
		if (r && rt_store_instance_get(r, id, &in, &a) == 0)
			st = (int)in.status;
		rt_arena_cleanup(&a);
		rt_engine_reader_put(e, r);
		if (st == want || rt_mono_us() > until)
			return st;
		usleep(2000);
	}
}

static int wait_synced(int64_t limit_us)
{
	int64_t until = rt_mono_us() + limit_us;
	while (!all_synced() && rt_mono_us() < until)
		usleep(2000);
	return all_synced();
}

#define STEPS 200

/* A wait on an instance's end that notes, when it fires, whether every WAL
 * write so far was synced: what a power cut would keep of the outcome the
 * waiter is about to answer with. */
struct synced_wait {
	struct rt_engine_wait w;
	pthread_mutex_t lock;
	int fired, synced, status;
	int order; /* 1 for the first wait of the test to fire, 2 ... */
	char output[32];
};

static _Atomic int fire_order;

static void synced_wait_fired(struct rt_engine_wait *w, const struct rt_instance *row)
{
	struct synced_wait *sw = w->user;
	pthread_mutex_lock(&sw->lock);
	sw->synced = all_synced();
	sw->order = atomic_fetch_add(&fire_order, 1) + 1;
	sw->status = (int)row->status;
	snprintf(sw->output, sizeof(sw->output), "%s", row->output ? row->output : "");
	sw->fired = 1;
	pthread_mutex_unlock(&sw->lock);
}

static void start_done(void *user, int rc, const char *err)
{
	(void)err;
	__atomic_store_n((int *)user, rc, __ATOMIC_RELEASE);
}

static int wait_fired(struct synced_wait *sw, int64_t limit_us)
{
	int64_t until = rt_mono_us() + limit_us;
	for (;;) {
		pthread_mutex_lock(&sw->lock);
		int fired = sw->fired;
		pthread_mutex_unlock(&sw->lock);
		if (fired || rt_mono_us() > until)
			return fired;
		usleep(2000);
	}
}

int main(void)
{
	char dir[] = "/tmp/cfunc-engine-sync-XXXXXX", path[128];
	char *id = NULL, *err = NULL;

	shim_install();
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return done_testing();
	}

	/* --- sync_acks ---------------------------------------------------- */
	snprintf(path, sizeof(path), "%s/acks.db", dir);
	struct rt_engine *e = start_engine(path, 1);
	ok(e != NULL, "engine starts with sync_acks");
	if (!e)
		return done_testing();

	/* An instance that then waits for an event: its start's batch is the
	 * last thing written, so "on disk when acknowledged" is exact. */
	long syncs0 = atomic_load(&wal_syncs);
	is_int(rt_engine_start_instance(e, "wait", "waiter", "null", &id, &err), RT_OK,
	       "start acknowledged");
	ok(all_synced(), "every WAL write of the acknowledged start is synced when it returns");
	ok(atomic_load(&wal_syncs) > syncs0, "the acknowledgement cost a sync");
	free(id);
	id = NULL;

	/* A chain: internal progress, acknowledged to no one. */
	long syncs1 = atomic_load(&wal_syncs);
	int64_t t0 = rt_mono_us();
	char steps[16];
	snprintf(steps, sizeof(steps), "%d", STEPS);
	is_int(rt_engine_start_instance(e, "chain", "chain1", steps, &id, &err), RT_OK,
	       "chain started");
	free(id);
	id = NULL;
	is_int(wait_status(e, "chain1", RT_ST_COMPLETED, 30000000), RT_ST_COMPLETED,
	       "a 200-step chain completes");
	int64_t took_us = rt_mono_us() - t0;
	long chain_syncs = atomic_load(&wal_syncs) - syncs1;
	/* One for the start, then at most one per 50 ms window, and one per
	 * checkpoint (which syncs the WAL before copying it back), also at
	 * most one per window. */
	long bound = 2 + 2 * (took_us / 50000 + 2); /* a run spans up to two partial windows */
	ok(chain_syncs <= bound && chain_syncs < STEPS / 2,
	   "the chain is fsynced in windows, not per step (%ld syncs for %d steps in %lld ms)",
	   chain_syncs, STEPS, (long long)(took_us / 1000));
	/* Idle now: everything committed reaches the disk without any
	 * command asking for it, within the window (plus scheduling). */
	ok(wait_synced(2000000), "idle: everything committed is synced within the delay");

	/* Purge: acknowledged, and nothing runs after it. */
	ok(wait_synced(2000000), "quiet before the purge");
	is_int(rt_engine_purge(e, "chain1", &err), RT_OK, "purge acknowledged");
	ok(all_synced(), "every WAL write of the acknowledged purge is synced when it returns");

	/* Start and wait: the answer with the output acknowledges the
	 * completion, so the commit that completed it is on disk before the
	 * wait fires, though no command was in that batch. */
	for (int round = 0; round < 3; round++) {
		struct synced_wait sw;
		char wid[33];
		int start_rc = -99;
		memset(&sw, 0, sizeof(sw));
		pthread_mutex_init(&sw.lock, NULL);
		sw.w.fired = synced_wait_fired;
		sw.w.user = &sw;
		ok(wait_synced(2000000), "quiet before start and wait %d", round);
		is_int(rt_engine_start_async(e, "chain", "3", wid, start_done, &start_rc, &sw.w), RT_OK,
		       "start and wait %d queued", round);
		ok(wait_fired(&sw, 30000000), "the wait fires when the chain completes");
		is_int(sw.status, RT_ST_COMPLETED, "… on the Completed row");
		is_str(sw.output, "3", "… with the output");
		ok(sw.synced, "… and every WAL write, the completion's too, was synced before it fired");
		if (!sw.fired)
			rt_engine_wait_cancel(e, &sw.w);
		pthread_mutex_destroy(&sw.lock);
	}

	/* Many at once: the waits that come due while the engine keeps
	 * committing are answered together, off the engine thread, each with
	 * its own outcome (chains of different lengths). While the others
	 * still commit, "everything synced" cannot be seen at a fire; the
	 * last to fire comes after the last commit, so it must find every
	 * WAL write synced. */
	{
		enum { NW = 48 };
		static struct synced_wait sws[NW];
		char wids[NW][33], in[NW][8];
		int rcs[NW], nfired = 0, last_synced = 0, nright = 0;
		ok(wait_synced(2000000), "quiet before %d starts and waits at once", NW);
		int order0 = atomic_load(&fire_order);
		for (int i = 0; i < NW; i++) {
			memset(&sws[i], 0, sizeof(sws[i]));
			pthread_mutex_init(&sws[i].lock, NULL);
			sws[i].w.fired = synced_wait_fired;
			sws[i].w.user = &sws[i];
			rcs[i] = -99;
			snprintf(in[i], sizeof(in[i]), "%d", 1 + i % 5);
			if (rt_engine_start_async(e, "chain", in[i], wids[i], start_done, &rcs[i],
						  &sws[i].w) != RT_OK)
				ok(0, "start and wait %d queued", i);
		}
		for (int i = 0; i < NW; i++) {
			int fired = wait_fired(&sws[i], 30000000);
			nfired += fired;
			if (fired && sws[i].order - order0 == NW)
				last_synced = sws[i].synced;
			nright += fired && sws[i].status == RT_ST_COMPLETED &&
				  strcmp(sws[i].output, in[i]) == 0;
			if (!fired)
				rt_engine_wait_cancel(e, &sws[i].w);
		}
		is_int(nfired, NW, "every wait fires");
		is_int(nright, NW, "… each on its own Completed row and output");
		ok(last_synced, "… and the last to fire found every WAL write synced");
		for (int i = 0; i < NW; i++)
			pthread_mutex_destroy(&sws[i].lock);
	}

	/* A start that waits for an outcome which does not come: its commit
	 * is not fsynced at once (nothing answers it yet), so the 202 its
	 * timeout sends goes after rt_engine_wait_ack_durable. */
	{
		struct synced_wait sw;
		char wid[33];
		int start_rc = -99;
		memset(&sw, 0, sizeof(sw));
		pthread_mutex_init(&sw.lock, NULL);
		sw.w.fired = synced_wait_fired;
		sw.w.user = &sw;
		ok(wait_synced(2000000), "quiet before a start that waits in vain");
		long syncs_before = atomic_load(&wal_syncs) + atomic_load(&raw_wal_syncs);
		is_int(rt_engine_start_async(e, "wait", NULL, wid, start_done, &start_rc, &sw.w), RT_OK,
		       "start with a wait queued");
		int64_t until = rt_mono_us() + 5000000;
		while (__atomic_load_n(&start_rc, __ATOMIC_ACQUIRE) == -99 && rt_mono_us() < until)
			usleep(1000);
		is_int(__atomic_load_n(&start_rc, __ATOMIC_ACQUIRE), RT_OK, "… committed");
		is_int(rt_engine_wait_cancel(e, &sw.w), 1, "its wait ends without an outcome (the timeout)");
		is_int(rt_engine_wait_ack_durable(e, &sw.w), 0, "the start is made durable for the 202");
		ok(all_synced(), "… every WAL write, the start's too, is synced before the 202");
		ok(atomic_load(&wal_syncs) + atomic_load(&raw_wal_syncs) - syncs_before <= 2,
		   "… with one fsync, maybe one of the window too");
		is_int(rt_engine_wait_ack_durable(e, &sw.w), 0, "asking again costs nothing");
		pthread_mutex_destroy(&sw.lock);
	}
	rt_engine_stop(e);

	/* The hub reopens with what was acknowledged. */
	e = start_engine(path, 1);
	ok(e != NULL, "the hub reopens");
	if (e) {
		is_int(wait_status(e, "waiter", RT_ST_RUNNING, 1000000), RT_ST_RUNNING,
		       "the waiting instance is still there");
		is_int(wait_status(e, "chain1", -1, 0), -1, "the purged one is gone");
		rt_engine_stop(e);
	}

	/* --- FULL: each commit syncs -------------------------------------- */
	snprintf(path, sizeof(path), "%s/full.db", dir);
	e = start_engine(path, 0);
	ok(e != NULL, "engine starts with FULL");
	if (e) {
		long s0 = atomic_load(&wal_syncs);
		is_int(rt_engine_start_instance(e, "chain", "chain2", steps, &id, &err), RT_OK,
		       "chain started under FULL");
		free(id);
		id = NULL;
		is_int(wait_status(e, "chain2", RT_ST_COMPLETED, 30000000), RT_ST_COMPLETED,
		       "it completes");
		long full_syncs = atomic_load(&wal_syncs) - s0;
		ok(full_syncs >= STEPS, "FULL syncs at least once per step (%ld for %d)", full_syncs,
		   STEPS);
		ok(all_synced(), "and nothing is left unsynced");
		rt_engine_stop(e);
	}
	free(err);

	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return done_testing();
}
