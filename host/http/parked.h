/*
 * parked.h - request jobs parked on a durable wait (private to host/http/;
 * loop thread unless said otherwise).
 *
 * A job whose response waits for a durable instance (h->park) is parked
 * when it comes back from its worker: owned by the loop, on
 * srv->parked_head, with a timer, and no worker. The engine's commit wakes
 * it with the same message a worker sends; the timer, a client that left or
 * a drain end the wait instead (bind_park_cancel decides which of them
 * answers).
 */
#ifndef HOST_HTTP_PARKED_H
#define HOST_HTTP_PARKED_H

#include "host/http/req_job.h"

/* Parks the job if its wait still holds (bind_park_hold): 1 when it now
 * waits on srv->parked_head with its timer, 0 when there is no wait after
 * all (the caller ends it and answers). */
int host_parked_hold(struct host_server *srv, struct req_job *job);
/* Off the list and its timer (the job stays parked until answered). */
void host_parked_unlist(struct host_server *srv, struct req_job *job);
/* Drain: every parked request gets its check-status answer now. */
void host_parked_end_all(struct host_server *srv);
/* Outside every timeout callback: frees the park timeouts no job uses. */
void host_parked_sweep(struct host_server *srv);

#endif
