/*
 * worker_batch.h - app HTTP calls queued behind one another go to a worker
 * process together (private to host/http/; pool threads, with worker
 * processes only).
 *
 * Each app's calls go in one write to one of its workers
 * (host_workers_http_batch), so a burst costs a wake-up of the worker and
 * of this thread per batch, not per request. A thread takes a share of the
 * queue only (queued / threads, at most HOST_WORKER_BATCH_MAX), so that a
 * burst still spreads over the workers.
 */
#ifndef HOST_HTTP_WORKER_BATCH_H
#define HOST_HTTP_WORKER_BATCH_H

#include "host/http/req_job.h"

#define HOST_WORKER_BATCH_MAX 8

/* Runs `first` (an app function's job) with the app function jobs it takes
 * from the pool's queue, each answered as host_function_call_run would and
 * handed back as soon as its worker's reply is in, not when the batch
 * ends; other jobs it took are run after them, on this thread. Each job
 * may be handed back (gone) when this returns. */
void host_worker_batch_run(struct req_job *first, int thread);

#endif
