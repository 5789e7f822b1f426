/*
 * parked.c - request jobs parked on a durable wait, with one h2o timeout
 * per distinct wait length (parked.h).
 */
#include "host/http/parked.h"
#include "host/http/job_answer.h"
#include "bindings/durable_park.h"
#include "common/xalloc.h"

#include <stdlib.h>

struct park_timeout {
	h2o_timeout_t timeout;
	uint64_t ms;
	long users;
	struct park_timeout *next;
};

/* Ends a parked job's wait from the loop's side: at its timeout, or at a
 * drain. 1 when answered (and freed); 0 when the engine fired first: its
 * wake-up answers instead. */
static int end_park(struct host_server *srv, struct req_job *job)
{
	if (!bind_park_cancel(job->http.park))
		return 0;
	host_parked_unlist(srv, job);
	bind_park_done(job->http.park);
	host_job_answer(srv, job); /* the 202 check-status response */
	return 1;
}

static void on_park_timeout(h2o_timeout_entry_t *entry)
{
	struct req_job *job = H2O_STRUCT_FROM_MEMBER(struct req_job, park_entry, entry);
	end_park(job->srv, job);
}

/* Engine thread: the instance a parked job waits for finished. */
static void park_wake(void *data)
{
	struct req_job *job = data;
	job->out_next = NULL;
	h2o_multithread_send_message(&job->srv->done_receiver, &job->msg);
}

int host_parked_hold(struct host_server *srv, struct req_job *job)
{
	if (!bind_park_hold(job->http.park, park_wake, job))
		return 0;
	uint64_t ms = (uint64_t)job->http.park->timeout_ms;
	struct park_timeout *t = srv->park_timeouts;
	while (t && t->ms != ms)
		t = t->next;
	if (!t) {
		t = xcalloc(1, sizeof(*t));
		t->ms = ms;
		h2o_timeout_init(srv->h2o_ctx.loop, &t->timeout, ms);
		t->next = srv->park_timeouts;
		srv->park_timeouts = t;
	}
	t->users++;
	job->park_timeout = t;
	job->park_entry.cb = on_park_timeout;
	h2o_timeout_link(srv->h2o_ctx.loop, &t->timeout, &job->park_entry);
	job->parked = 1;
	job->park_listed = 1;
	srv->parked_jobs++;
	job->park_prev = NULL;
	job->park_next = srv->parked_head;
	if (srv->parked_head)
		srv->parked_head->park_prev = job;
	srv->parked_head = job;
	srv->nparked++;
	return 1;
}

void host_parked_unlist(struct host_server *srv, struct req_job *job)
{
	if (!job->park_listed)
		return;
	if (h2o_timeout_is_linked(&job->park_entry))
		h2o_timeout_unlink(&job->park_entry);
	/* An unused timeout is disposed after the loop's turn (host_parked_sweep),
	 * never here: this may run inside that very timeout's callback. */
	job->park_timeout->users--;
	job->park_timeout = NULL;
	if (job->park_prev)
		job->park_prev->park_next = job->park_next;
	else
		srv->parked_head = job->park_next;
	if (job->park_next)
		job->park_next->park_prev = job->park_prev;
	job->park_listed = 0;
	srv->nparked--;
}

void host_parked_sweep(struct host_server *srv)
{
	for (struct park_timeout **pt = &srv->park_timeouts; *pt;) {
		struct park_timeout *t = *pt;
		if (t->users) {
			pt = &t->next;
			continue;
		}
		*pt = t->next;
		h2o_timeout_dispose(srv->h2o_ctx.loop, &t->timeout);
		free(t);
	}
}

void host_parked_end_all(struct host_server *srv)
{
	while (srv->parked_head) {
		struct req_job *job = srv->parked_head;
		if (!end_park(srv, job)) /* it fired meanwhile: its wake-up answers */
			host_parked_unlist(srv, job);
	}
}
