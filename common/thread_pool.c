/*
 * thread_pool.c - mutex + condition-variable job queue (thread_pool.h).
 * Threads take the next job per lock round trip and wake a helper only
 * while work is left over, so a burst of cheap jobs costs one wake-up, not
 * one per job, and slow jobs still fan out to every thread.
 */
#include "common/thread_pool.h"
#include "common/clock.h"
#include "common/queue.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct pool_thread {
	struct rt_pool *pool;
	int index;
	pthread_t thread;
	int joined;
};

struct rt_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rt_pool_job *head, *tail;
	size_t queued;
	int stopping;
	int idle; /* threads waiting on cond */
	int nthreads;
	struct pool_thread *threads;
	rt_pool_hook hook;
	void *ctx;
};

static void *thread_main(void *arg)
{
	struct pool_thread *t = arg;
	struct rt_pool *pool = t->pool;
	if (pool->hook)
		pool->hook(pool->ctx, RT_POOL_THREAD_START, t->index);
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		if (!pool->head && pool->hook) {
			pthread_mutex_unlock(&pool->lock);
			pool->hook(pool->ctx, RT_POOL_THREAD_IDLE, t->index);
			pthread_mutex_lock(&pool->lock);
		}
		while (!pool->head && !pool->stopping) {
			pool->idle++;
			pthread_cond_wait(&pool->cond, &pool->lock);
			pool->idle--;
		}
		if (!pool->head)
			break;
		struct rt_pool_job *job = pool->head;
		pool->head = job->next;
		if (!pool->head)
			pool->tail = NULL;
		pool->queued--;
		if (pool->head && pool->idle > 0)
			pthread_cond_signal(&pool->cond);
		pthread_mutex_unlock(&pool->lock);
		job->next = NULL;
		job->run(job, t->index);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	if (pool->hook)
		pool->hook(pool->ctx, RT_POOL_THREAD_EXIT, t->index);
	return NULL;
}

struct rt_pool *rt_pool_new(int nthreads, const char *name, rt_pool_hook hook, void *ctx)
{
	struct rt_pool *pool = xcalloc(1, sizeof(*pool));
	pool->hook = hook;
	pool->ctx = ctx;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->cond, NULL);
	pool->nthreads = nthreads > 0 ? nthreads : 1;
	pool->threads = xcalloc((size_t)pool->nthreads, sizeof(*pool->threads));
	for (int i = 0; i < pool->nthreads; i++) {
		struct pool_thread *t = &pool->threads[i];
		char tname[32];
		t->pool = pool;
		t->index = i;
		if (pthread_create(&t->thread, NULL, thread_main, t) != 0) {
			fprintf(stderr, "cfunc: cannot start %s thread\n", name);
			abort();
		}
		snprintf(tname, sizeof(tname), "%.9s-%d", name, i % 1000);
		tname[15] = '\0'; /* the kernel keeps 15 characters */
		pthread_setname_np(t->thread, tname);
	}
	return pool;
}

int rt_pool_threads(const struct rt_pool *pool)
{
	return pool->nthreads;
}

void rt_pool_submit(struct rt_pool *pool, struct rt_pool_job *job)
{
	job->next = NULL;
	rt_pool_submit_list(pool, job, job, 1);
}

void rt_pool_submit_list(struct rt_pool *pool, struct rt_pool_job *head, struct rt_pool_job *tail,
			 size_t n)
{
	if (!head)
		return;
	pthread_mutex_lock(&pool->lock);
	RT_QUEUE_APPEND_CHAIN(pool->head, pool->tail, head, tail, next);
	pool->queued += n;
	/* One wake per batch; the woken thread wakes the next if work remains. */
	if (pool->idle > 0)
		pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
}

size_t rt_pool_take(struct rt_pool *pool, struct rt_pool_job **out, size_t max)
{
	size_t n = 0;
	pthread_mutex_lock(&pool->lock);
	while (n < max && pool->head) {
		struct rt_pool_job *job = pool->head;
		pool->head = job->next;
		pool->queued--;
		job->next = NULL;
		out[n++] = job;
	}
	if (!pool->head)
		pool->tail = NULL;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

size_t rt_pool_queued(struct rt_pool *pool)
{
	/* A hint, read without the lock: callers use it to decide when to
	 * flush buffers, where a stale answer only shifts a flush. */
	return __atomic_load_n(&pool->queued, __ATOMIC_RELAXED);
}

/* Joins `t` unless it is still running at mono deadline `until_us`. */
static int join_by(pthread_t t, int64_t until_us)
{
	struct timespec ts;
	int64_t left;

	if (until_us == INT64_MAX)
		return pthread_join(t, NULL) == 0 ? 0 : -1;
	left = until_us - rt_mono_us();
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t abs_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + (left > 0 ? left : 0);
	ts.tv_sec = abs_us / 1000000;
	ts.tv_nsec = (abs_us % 1000000) * 1000;
	return pthread_timedjoin_np(t, NULL, &ts) == 0 ? 0 : -1;
}

int rt_pool_stop_by(struct rt_pool *pool, int64_t until_us)
{
	int left = 0;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = 1;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 0; i < pool->nthreads; i++) {
		struct pool_thread *t = &pool->threads[i];
		if (!t->joined && join_by(t->thread, until_us) == 0)
			t->joined = 1;
		left += !t->joined;
	}
	return left;
}

void rt_pool_free(struct rt_pool *pool)
{
	if (!pool)
		return;
	rt_pool_stop_by(pool, INT64_MAX);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->cond);
	free(pool->threads);
	free(pool);
}
