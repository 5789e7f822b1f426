/*
 * thread_pool.c - unit tests for common/thread_pool.c: every job runs once,
 * in order on one thread and spread over many; a list submit runs the whole
 * list; each thread gets its own index and tells the hook it started, went
 * idle and left; queued jobs still run at a stop; a stop with a deadline
 * reports a thread stuck in a job and a later stop finishes it; queued jobs
 * taken by a caller (rt_pool_take) leave the queue in order.
 */
#include "common/thread_pool.h"
#include "common/clock.h"
#include "tap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NJOBS 20000
#define NTHREADS 4
#define WAIT_US (10 * 1000000)

struct count_job {
	struct rt_pool_job base; /* first */
	int index;
	int runs;      /* times run */
	int thread;    /* the thread it ran on */
};

static int order[NJOBS];
static int norder;
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;

static void count_run(struct rt_pool_job *base, int thread)
{
	struct count_job *j = (struct count_job *)base;
	__atomic_add_fetch(&j->runs, 1, __ATOMIC_RELAXED);
	j->thread = thread;
	pthread_mutex_lock(&order_lock);
	order[norder++] = j->index;
	pthread_mutex_unlock(&order_lock);
}

static struct count_job *make_jobs(int n)
{
	struct count_job *jobs = calloc((size_t)n, sizeof(*jobs));
	for (int i = 0; i < n; i++) {
		jobs[i].base.run = count_run;
		jobs[i].index = i;
		jobs[i].thread = -1;
	}
	norder = 0;
	return jobs;
}

static void test_one_thread_fifo(void)
{
	struct count_job *jobs = make_jobs(1000);
	struct rt_pool *p = rt_pool_new(1, "t-fifo", NULL, NULL);
	int in_order = 1, once = 1;
	for (int i = 0; i < 1000; i++)
		rt_pool_submit(p, &jobs[i].base);
	rt_pool_free(p);
	for (int i = 0; i < 1000; i++) {
		once &= jobs[i].runs == 1 && jobs[i].thread == 0;
		in_order &= order[i] == i;
	}
	is_int(norder, 1000, "every job ran before free returned");
	ok(once, "each ran exactly once, on thread 0");
	ok(in_order, "in the order submitted");
	free(jobs);
}

static void test_many_threads(void)
{
	struct count_job *jobs = make_jobs(NJOBS);
	struct rt_pool *p = rt_pool_new(NTHREADS, "t-many", NULL, NULL);
	int once = 1, index_ok = 1;
	is_int(rt_pool_threads(p), NTHREADS, "the threads asked for");
	/* Half one by one, half as lists of 100 linked through ->next. */
	for (int i = 0; i < NJOBS / 2; i++)
		rt_pool_submit(p, &jobs[i].base);
	for (int i = NJOBS / 2; i < NJOBS; i += 100) {
		for (int k = i; k < i + 99; k++)
			jobs[k].base.next = &jobs[k + 1].base;
		jobs[i + 99].base.next = NULL;
		rt_pool_submit_list(p, &jobs[i].base, &jobs[i + 99].base, 100);
	}
	int64_t until = rt_mono_us() + WAIT_US;
	while (rt_pool_queued(p) > 0 && rt_mono_us() < until) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	is_int((long)rt_pool_queued(p), 0, "the queued hint reaches 0 once all started");
	rt_pool_free(p);
	for (int i = 0; i < NJOBS; i++) {
		once &= jobs[i].runs == 1;
		index_ok &= jobs[i].thread >= 0 && jobs[i].thread < NTHREADS;
	}
	ok(once, "%d jobs over %d threads: each ran exactly once", NJOBS, NTHREADS);
	ok(index_ok, "each job saw its thread's index, 0..%d", NTHREADS - 1);

	free(jobs);
}

/* ---- the hook ----------------------------------------------------------- */

static int starts[NTHREADS], idles[NTHREADS], exits[NTHREADS], bad_events;
static void *seen_ctx;

static void hook(void *ctx, enum rt_pool_event ev, int thread)
{
	seen_ctx = ctx;
	if (thread < 0 || thread >= NTHREADS) {
		__atomic_add_fetch(&bad_events, 1, __ATOMIC_RELAXED);
		return;
	}
	if (ev == RT_POOL_THREAD_START)
		__atomic_add_fetch(&starts[thread], 1, __ATOMIC_RELAXED);
	else if (ev == RT_POOL_THREAD_IDLE)
		__atomic_add_fetch(&idles[thread], 1, __ATOMIC_RELAXED);
	else if (ev == RT_POOL_THREAD_EXIT)
		__atomic_add_fetch(&exits[thread], 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&bad_events, 1, __ATOMIC_RELAXED);
}

static void test_hook(void)
{
	int ctx_marker;
	struct rt_pool *p = rt_pool_new(NTHREADS, "t-hook", hook, &ctx_marker);
	int each = 1;
	rt_pool_free(p);
	for (int i = 0; i < NTHREADS; i++)
		each &= starts[i] == 1 && exits[i] == 1 && idles[i] >= 1;
	ok(each, "every thread: one start, idle before waiting, one exit");
	is_int(bad_events, 0, "no event with an index out of range");
	ok(seen_ctx == &ctx_marker, "the hook gets the pool's context");
}

/* ---- stopping ----------------------------------------------------------- */

struct gate_job {
	struct rt_pool_job base;
	int entered, release, finished;
};

static void gate_run(struct rt_pool_job *base, int thread)
{
	struct gate_job *g = (struct gate_job *)base;
	(void)thread;
	__atomic_store_n(&g->entered, 1, __ATOMIC_RELEASE);
	/* Bounded: a test that fails must not hang. */
	int64_t until = rt_mono_us() + WAIT_US;
	while (!__atomic_load_n(&g->release, __ATOMIC_ACQUIRE) && rt_mono_us() < until) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	__atomic_store_n(&g->finished, 1, __ATOMIC_RELEASE);
}

static void test_stop(void)
{
	struct gate_job gate = {.base.run = gate_run};
	struct count_job *jobs = make_jobs(10);
	struct rt_pool *p = rt_pool_new(1, "t-stop", NULL, NULL);
	rt_pool_submit(p, &gate.base);
	for (int i = 0; i < 10; i++)
		rt_pool_submit(p, &jobs[i].base);
	int64_t until = rt_mono_us() + WAIT_US;
	while (!__atomic_load_n(&gate.entered, __ATOMIC_ACQUIRE) && rt_mono_us() < until) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	ok(gate.entered, "the blocking job started");

	int64_t t0 = rt_mono_us();
	int left = rt_pool_stop_by(p, t0 + 50000);
	int64_t waited = rt_mono_us() - t0;
	is_int(left, 1, "a stop by a deadline reports the thread stuck in a job");
	ok(waited >= 40000 && waited < 5000000, "and returns at the deadline (%lld us)",
	   (long long)waited);
	ok(!gate.finished && norder == 0, "nothing after the stuck job has run yet");

	__atomic_store_n(&gate.release, 1, __ATOMIC_RELEASE);
	is_int(rt_pool_stop_by(p, INT64_MAX), 0, "released, a second stop joins it");
	ok(gate.finished, "the stuck job finished");
	is_int(norder, 10, "the jobs queued behind it still ran at the stop");
	rt_pool_free(p);
	free(jobs);
}

/* rt_pool_take: a thread takes queued jobs to run them itself. */
static void test_take(void)
{
	struct gate_job gate = {.base.run = gate_run};
	struct count_job *jobs = make_jobs(5);
	struct rt_pool *p = rt_pool_new(1, "t-take", NULL, NULL);
	struct rt_pool_job *taken[8];
	rt_pool_submit(p, &gate.base);
	int64_t until = rt_mono_us() + WAIT_US;
	while (!__atomic_load_n(&gate.entered, __ATOMIC_ACQUIRE) && rt_mono_us() < until) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	ok(gate.entered, "the only thread is held by a blocking job");
	for (int i = 0; i < 5; i++)
		rt_pool_submit(p, &jobs[i].base);
	is_int((int)rt_pool_take(p, taken, 3), 3, "3 of the 5 queued jobs taken");
	ok(taken[0] == &jobs[0].base && taken[1] == &jobs[1].base && taken[2] == &jobs[2].base,
	   "the oldest, in order");
	is_int((int)rt_pool_queued(p), 2, "2 left queued");
	is_int((int)rt_pool_take(p, taken, 8), 2, "asking for more than are queued takes the rest");
	is_int((int)rt_pool_take(p, taken, 8), 0, "and then nothing");
	__atomic_store_n(&gate.release, 1, __ATOMIC_RELEASE);
	rt_pool_submit(p, &jobs[0].base); /* the queue still works after it was emptied */
	is_int(rt_pool_stop_by(p, rt_mono_us() + WAIT_US), 0, "the pool stops");
	int runs = 0;
	for (int i = 0; i < 5; i++)
		runs += jobs[i].runs;
	is_int(runs, 1, "taken jobs are not run by the pool; the one submitted again is");
	rt_pool_free(p);
	free(jobs);
}

static void test_at_least_one(void)
{
	struct count_job *jobs = make_jobs(3);
	struct rt_pool *p = rt_pool_new(0, "t-zero", NULL, NULL);
	is_int(rt_pool_threads(p), 1, "0 threads asked: 1 thread");
	for (int i = 0; i < 3; i++)
		rt_pool_submit(p, &jobs[i].base);
	rt_pool_free(p);
	is_int(norder, 3, "and it runs the jobs");
	rt_pool_free(NULL); /* a no-op: a crash here fails the test */
	free(jobs);
}

int main(void)
{
	subtest("one thread: FIFO, once each", test_one_thread_fifo);
	subtest("many threads, single and list submits", test_many_threads);
	subtest("the hook", test_hook);
	subtest("stop by a deadline", test_stop);
	subtest("taking queued jobs", test_take);
	subtest("at least one thread", test_at_least_one);
	return done_testing();
}
