/*
 * worker_batch.c - app HTTP calls queued behind one another go to a worker
 * process together (worker_batch.h). Each is answered as its reply comes
 * in, not when the batch ends: a fast call sent ahead of a slow one (a
 * 50 ms function, one that spins until functionTimeout) answers in its own
 * time.
 */
#include "host/http/worker_batch.h"
#include "host/http/function_call.h"
#include "host/http/job_out.h"
#include "host/log.h"

/* One batch's calls, for its answered hook. */
struct batch_calls {
	struct req_job **jobs;
	struct rt_invocation *invs;
	char (*categories)[160];
	const char **whys;
	enum host_workers_rc *rcs;
};

/* Call i's outcome is final: its console lines, then its answer goes back
 * to the loop (the job may be gone once released), at once unless the
 * next answer is already here to go with it. */
static void call_answered(void *arg, size_t i, int more)
{
	struct batch_calls *b = arg;
	struct req_job *job = b->jobs[i];
	host_function_call_end(job, &b->invs[i], b->categories[i],
			       host_function_call_outcome(b->rcs[i]), b->whys[i]);
	bind_http_release(&job->http);
	if (!more)
		host_job_out_flush();
}

void host_worker_batch_run(struct req_job *first, int thread)
{
	struct host_server *srv = first->srv;
	struct rt_pool_job *taken[HOST_WORKER_BATCH_MAX - 1], *others[HOST_WORKER_BATCH_MAX - 1];
	struct req_job *jobs[HOST_WORKER_BATCH_MAX];
	const struct bind_function *fns[HOST_WORKER_BATCH_MAX];
	struct bind_http *hs[HOST_WORKER_BATCH_MAX];
	const char *ids[HOST_WORKER_BATCH_MAX], *whys[HOST_WORKER_BATCH_MAX];
	enum host_workers_rc rcs[HOST_WORKER_BATCH_MAX];
	struct rt_invocation invs[HOST_WORKER_BATCH_MAX];
	char categories[HOST_WORKER_BATCH_MAX][160];
	size_t n = 0, nothers = 0;

	size_t share = rt_pool_queued(srv->pool) / (size_t)rt_pool_threads(srv->pool);
	size_t ntaken = share ? rt_pool_take(srv->pool, taken,
					     share < HOST_WORKER_BATCH_MAX - 1 ? share
									       : HOST_WORKER_BATCH_MAX - 1)
			      : 0;
	jobs[n++] = first;
	for (size_t i = 0; i < ntaken; i++) {
		struct req_job *j = (struct req_job *)taken[i];
		/* A request job runs as `first` does; of those, the app
		 * functions' go along (an endpoint runs in the host). */
		if (taken[i]->run == first->work.run && !j->endpoint)
			jobs[n++] = j;
		else
			others[nothers++] = taken[i];
	}
	/* Jobs that are not app calls (host endpoints: /admin/host/status, the
	 * management API, the dashboard) run first, before the app calls go to
	 * the worker: after the batch they would wait for its slowest call (a
	 * 50 ms function, one that spins until functionTimeout). They are host
	 * code and short, and the app calls they delay, but for `first`, were
	 * queued after them. Put back on the queue instead, they would still
	 * wait for this thread when the others are busy too, or when it is the
	 * only one. (POST /admin/functions/<activity> waits for a worker: the
	 * calls taken with it wait as if it had been taken first.) */
	for (size_t i = 0; i < nothers; i++)
		others[i]->run(others[i], thread);
	for (size_t i = 0; i < n; i++) {
		host_function_call_begin(jobs[i], &invs[i], categories[i], sizeof(categories[i]));
		fns[i] = jobs[i]->fn;
		hs[i] = &jobs[i]->http;
		ids[i] = jobs[i]->invocation_id;
		whys[i] = NULL;
	}
	if (rt_pool_queued(srv->pool) == 0)
		host_log_flush();
	struct batch_calls b = {jobs, invs, categories, whys, rcs};
	host_workers_http_batch(srv->workers, n, fns, hs, ids, whys, rcs, call_answered, &b);
}
