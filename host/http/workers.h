/*
 * workers.h - a fixed pool of threads that run user code.
 *
 * The event loop never runs app code: it submits jobs here. A job is an
 * intrusive struct the submitter owns; run() gets it on a worker thread and
 * is responsible for handing the result back (h2o_multithread for HTTP).
 */
#ifndef HOST_WORKERS_H
#define HOST_WORKERS_H

#include <stddef.h>

struct host_job {
	struct host_job *next;
	void (*run)(struct host_job *job);
};

struct host_pool;

/* Called on a worker thread when it starts (on=1), before it waits for
 * work, and when it exits (on=0); e.g. to manage per-thread log buffers. */
typedef void (*host_pool_hook)(int event);
enum { HOST_POOL_THREAD_START, HOST_POOL_THREAD_IDLE, HOST_POOL_THREAD_EXIT };

/* Starts `nthreads` workers named "<name>-<i>"; hook may be NULL. */
struct host_pool *host_pool_new(int nthreads, const char *name, host_pool_hook hook);
/* Queues `job` (FIFO); any thread may call it. */
void host_pool_submit(struct host_pool *pool, struct host_job *job);
/* Queues a linked list of n jobs (head..tail via ->next) with one lock and
 * at most one wake-up. */
void host_pool_submit_list(struct host_pool *pool, struct host_job *head, struct host_job *tail,
			   size_t n);
/* Jobs queued but not yet started (a racy hint, no lock). */
size_t host_pool_queued(struct host_pool *pool);
/* Lets queued jobs finish, joins the threads, frees the pool. */
void host_pool_free(struct host_pool *pool);

#endif
