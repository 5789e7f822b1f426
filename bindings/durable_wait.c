/*
 * durable_wait.c - waiting for an instance to finish (durable_client.h,
 * bind_client_wait; parks: durable_park.c), on the engine's waits (engine.h,
 * rt_engine_wait_*): the commit of the terminal state wakes the waiter.
 *
 * The engine's callback only copies the committed row and passes the word
 * on; the thread that answers (the host's loop for a parked request, the
 * waiting worker otherwise) builds the reply from it. So the engine never
 * writes into a request that another thread may be answering, and a
 * timeout, a client that left or a stop decides the outcome by cancelling
 * the wait: whoever ends it first answers.
 */
#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "bindings/status_json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- waiting ------------------------------------------------------------------ */

/*
 * Registers `w` for `id` and reads the instance once: the wait counts only
 * commits after the add, so one that came before shows in this read. 1 and
 * h answered when it is terminal already (the wait is ended), else 0.
 */
static int finished_already(struct bind_http *h, struct bind_durable *d, struct bind_park *p)
{
	struct rt_arena a;
	struct rt_instance inst;
	int done = 0;

	rt_engine_wait_add(d->engine, &p->w, p->id);
	rt_arena_init(&a);
	if (bind_client_read(d, p->id, BIND_STATUS_INPUT, &inst, NULL, NULL, &a, NULL) == CF_OK &&
	    rt_status_is_terminal(inst.status)) {
		if (bind_park_cancel(p))
			bind_durable_set_finished(h, &inst);
		else
			bind_park_done(p); /* it fired meanwhile: the same row */
		done = 1;
	}
	rt_arena_cleanup(&a);
	return done;
}

/* A worker thread that may block: a condition variable the commit signals. */
struct blocking_wait {
	struct bind_park p; /* first */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fired;
};

static void blocking_fired(struct rt_engine_wait *w, const struct rt_instance *row)
{
	struct blocking_wait *bw = w->user;
	pthread_mutex_lock(&bw->lock);
	bw->p.row = bind_park_row_copy(row);
	bw->fired = 1;
	pthread_cond_signal(&bw->cond);
	pthread_mutex_unlock(&bw->lock);
}

static void wait_blocking(struct bind_http *h, struct bind_durable *d, const char *id,
			  int64_t timeout_ms, int with_rewind)
{
	struct blocking_wait bw;
	pthread_condattr_t attr;
	struct timespec until;

	memset(&bw, 0, sizeof(bw));
	bw.p.engine = d->engine;
	bw.p.h = h;
	bw.p.id = (char *)id;
	bw.p.w.user = &bw;
	bw.p.w.fired = blocking_fired;
	pthread_mutex_init(&bw.lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&bw.cond, &attr);
	pthread_condattr_destroy(&attr);

	if (!finished_already(h, d, &bw.p)) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(timeout_ms / 1000);
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&bw.lock);
		while (!bw.fired && pthread_cond_timedwait(&bw.cond, &bw.lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&bw.lock);
		/* Ends the wait either way; past this the callback has returned. */
		if (bind_park_cancel(&bw.p))
			bind_durable_set_check_status(h, d, id, with_rewind);
		else
			bind_park_done(&bw.p);
	}
	pthread_cond_destroy(&bw.cond);
	pthread_mutex_destroy(&bw.lock);
}

void bind_client_wait(struct bind_http *h, struct bind_durable *d, const char *id,
		      int64_t timeout_ms, int with_rewind)
{
	if (!h->park_ok) {
		wait_blocking(h, d, id, timeout_ms, with_rewind);
		return;
	}
	/* An app function that waits twice: the last wait decides. */
	bind_park_drop(h);
	struct bind_park *p = bind_park_new(h, d, id, timeout_ms);
	/* The 202 stands unless the instance finishes in time. */
	bind_durable_set_check_status(h, d, id, with_rewind);
	if (!finished_already(h, d, p)) {
		p->left_status = h->status;
		p->left_nresp = h->nresp;
		p->left_body = h->resp_body;
		h->park = p;
	}
}
