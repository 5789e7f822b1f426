/*
 * thread_pool.h - a fixed pool of threads that run jobs in FIFO order. The
 * host's HTTP workers and the engine's activity threads are both one.
 *
 * A job is an intrusive struct the submitter owns until run() is called on
 * a pool thread; from then on run() owns it (it may free it, or hand the
 * result back: h2o_multithread for HTTP, the engine's result list for
 * activities). The pool never allocates per job.
 */
#ifndef COMMON_THREAD_POOL_H
#define COMMON_THREAD_POOL_H

#include <stddef.h>
#include <stdint.h>

struct rt_pool_job {
	struct rt_pool_job *next;
	/* `thread` is the running thread's index, 0..nthreads-1, so a job can
	 * use per-thread state set up by the hook. */
	void (*run)(struct rt_pool_job *job, int thread);
};

/* What a pool thread tells its hook: it started (before any job), it is
 * about to wait because the queue is empty, it is leaving. */
enum rt_pool_event { RT_POOL_THREAD_START, RT_POOL_THREAD_IDLE, RT_POOL_THREAD_EXIT };
typedef void (*rt_pool_hook)(void *ctx, enum rt_pool_event event, int thread);

struct rt_pool;

/* Starts `nthreads` (at least 1) threads named "<name>-<i>"; hook may be
 * NULL. Aborts when a thread cannot be started. */
struct rt_pool *rt_pool_new(int nthreads, const char *name, rt_pool_hook hook, void *ctx);
/* Threads of the pool. */
int rt_pool_threads(const struct rt_pool *pool);
/* Queues `job`; any thread may call it. */
void rt_pool_submit(struct rt_pool *pool, struct rt_pool_job *job);
/* Queues a linked list of n jobs (head..tail via ->next) with one lock and
 * at most one wake-up. */
void rt_pool_submit_list(struct rt_pool *pool, struct rt_pool_job *head, struct rt_pool_job *tail,
			 size_t n);
/* Takes up to `max` queued jobs (oldest first) for the calling thread to
 * run itself, e.g. to hand several to one worker process in one write; it
 * then owns them as run() would. Returns how many it took. */
size_t rt_pool_take(struct rt_pool *pool, struct rt_pool_job **out, size_t max);
/* Jobs queued but not yet started (a racy hint, no lock). */
size_t rt_pool_queued(struct rt_pool *pool);
/*
 * Asks the threads to leave once the queue is empty (queued jobs still
 * run: each job's owner decides whether it does anything when stopping),
 * and joins each by rt_mono_us() deadline `until_us` (INT64_MAX: waits as
 * long as it takes). Returns how many threads are still running; the pool
 * must then not be freed, since they still use it. Called once.
 */
int rt_pool_stop_by(struct rt_pool *pool, int64_t until_us);
/* Frees the pool, stopping it first (waiting as long as it takes) unless
 * rt_pool_stop_by already left no thread running. NULL is a no-op. */
void rt_pool_free(struct rt_pool *pool);

#endif
