/*
 * workers.c - mutex + condition-variable job queue. Workers take every
 * queued job they find per wake-up so a burst costs one lock round trip
 * per worker, not one per job.
 */
#include "host/http/workers.h"
#include "common/queue.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct host_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct host_job *head, *tail;
	size_t queued;
	int stopping;
	int idle;
	int nthreads;
	pthread_t *threads;
	host_pool_hook hook;
};

static void *worker_main(void *arg)
{
	struct host_pool *pool = arg;
	if (pool->hook)
		pool->hook(HOST_POOL_THREAD_START);
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		if (!pool->head && pool->hook) {
			pthread_mutex_unlock(&pool->lock);
			pool->hook(HOST_POOL_THREAD_IDLE);
			pthread_mutex_lock(&pool->lock);
		}
		while (!pool->head && !pool->stopping) {
			pool->idle++;
			pthread_cond_wait(&pool->cond, &pool->lock);
			pool->idle--;
		}
		if (!pool->head)
			break;
		struct host_job *job = pool->head;
		pool->head = job->next;
		if (!pool->head)
			pool->tail = NULL;
		pool->queued--;
		/* Wake a helper only while work is left over: a burst of cheap jobs
		 * is then drained by one thread instead of costing a futex wake each,
		 * and slow jobs still fan out to every worker. */
		if (pool->head && pool->idle > 0)
			pthread_cond_signal(&pool->cond);
		pthread_mutex_unlock(&pool->lock);
		job->next = NULL;
		job->run(job);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	if (pool->hook)
		pool->hook(HOST_POOL_THREAD_EXIT);
	return NULL;
}

struct host_pool *host_pool_new(int nthreads, const char *name, host_pool_hook hook)
{
	struct host_pool *pool = xcalloc(1, sizeof(*pool));
	pool->hook = hook;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->cond, NULL);
	pool->nthreads = nthreads > 0 ? nthreads : 1;
	pool->threads = xcalloc((size_t)pool->nthreads, sizeof(*pool->threads));
	for (int i = 0; i < pool->nthreads; i++) {
		char tname[32];
		if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
			fprintf(stderr, "cfunc: cannot start worker thread\n");
			abort();
		}
		snprintf(tname, sizeof(tname), "%.9s-%d", name, i % 1000);
		tname[15] = '\0'; /* the kernel keeps 15 characters */
		pthread_setname_np(pool->threads[i], tname);
	}
	return pool;
}

void host_pool_submit(struct host_pool *pool, struct host_job *job)
{
	job->next = NULL;
	host_pool_submit_list(pool, job, job, 1);
}

void host_pool_submit_list(struct host_pool *pool, struct host_job *head, struct host_job *tail,
			   size_t n)
{
	if (!head)
		return;
	pthread_mutex_lock(&pool->lock);
	RT_QUEUE_APPEND_CHAIN(pool->head, pool->tail, head, tail, next);
	pool->queued += n;
	/* One wake per batch; the woken worker wakes the next if work remains. */
	if (pool->idle > 0)
		pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
}

size_t host_pool_queued(struct host_pool *pool)
{
	/* A hint, read without the lock: callers use it to decide when to
	 * flush buffers, where a stale answer only shifts a flush. */
	return __atomic_load_n(&pool->queued, __ATOMIC_RELAXED);
}

void host_pool_free(struct host_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = 1;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->cond);
	free(pool->threads);
	free(pool);
}
