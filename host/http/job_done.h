/*
 * job_done.h - request jobs coming back to the loop thread (private to
 * host/http/): from their pool thread (their held commands committed) or,
 * parked, from the engine's wake-up.
 */
#ifndef HOST_HTTP_JOB_DONE_H
#define HOST_HTTP_JOB_DONE_H

#include "host/http/server.h"

/* The receiver of jobs handed back (srv->done_receiver): each is parked on
 * its durable wait or answered, then requests held back by
 * maxConcurrentRequests start in the slots freed. */
void host_job_done_receive(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
