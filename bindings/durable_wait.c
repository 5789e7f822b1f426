/*
 * durable_wait.c - waiting for an instance to finish (durable_client.h,
 * bind_client_wait and bind_park_*), on the engine's waits (engine.h,
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

enum { PARK_OPEN, PARK_PARKED, PARK_FIRED };

/* ---- the committed row, copied off the engine thread's batch ------------ */

static size_t len1(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *put(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *at = *p;
	memcpy(at, s, n);
	*p += n;
	return at;
}

/* One malloc'd block: the struct and every string status_json.c shows. */
static struct rt_instance *row_copy(const struct rt_instance *r)
{
	size_t n = sizeof(*r) + len1(r->instance_id) + len1(r->name) + len1(r->execution_id) +
		   len1(r->input) + len1(r->output) + len1(r->custom_status);
	struct rt_instance *c = xmalloc(n);
	char *p = (char *)(c + 1);
	*c = *r;
	c->instance_id = put(&p, r->instance_id);
	c->name = put(&p, r->name);
	c->execution_id = put(&p, r->execution_id);
	c->input = put(&p, r->input);
	c->output = put(&p, r->output);
	c->custom_status = put(&p, r->custom_status);
	c->parent_instance_id = c->parent_execution_id = NULL;
	return c;
}

void bind_durable_set_finished(struct bind_http *h, const struct rt_instance *row)
{
	json_t *v = row->status == RT_ST_COMPLETED ? bind_json_payload(row->output)
						   : bind_status_object(row, NULL, 0, BIND_STATUS_INPUT);
	char *text = bind_json_dump(v);
	h->nresp = 0;
	bind_http_set_json(h, 200, text);
	free(text);
	json_decref(v);
}

/* ---- parked requests ------------------------------------------------------ */

/* Engine thread, after the commit. */
static void park_fired(struct rt_engine_wait *w, const struct rt_instance *row)
{
	struct bind_park *p = w->user;
	p->row = row_copy(row);
	if (__atomic_exchange_n(&p->state, PARK_FIRED, __ATOMIC_ACQ_REL) == PARK_PARKED)
		p->wake(p->wake_data); /* the last touch: the loop may free p now */
}

struct bind_park *bind_park_new(struct bind_http *h, struct bind_durable *d, const char *id,
				int64_t timeout_ms)
{
	struct bind_park *p = rt_arena_alloc(h->ctx.arena, sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->engine = d->engine;
	p->h = h;
	p->timeout_ms = timeout_ms;
	p->w.user = p;
	p->w.fired = park_fired;
	if (id) {
		p->id = rt_arena_strdup(h->ctx.arena, id);
	} else {
		p->id = rt_arena_alloc(h->ctx.arena, 33);
		p->id[0] = '\0';
	}
	return p;
}

int bind_park_hold(struct bind_park *p, void (*wake)(void *data), void *data)
{
	int open = PARK_OPEN;
	p->wake = wake;
	p->wake_data = data;
	return __atomic_compare_exchange_n(&p->state, &open, PARK_PARKED, 0, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

int bind_park_cancel(struct bind_park *p)
{
	int cancelled = rt_engine_wait_cancel(p->engine, &p->w);
	/* The 202 that follows acknowledges the start: on disk first. */
	if (cancelled && rt_engine_wait_ack_durable(p->engine, &p->w) != 0)
		__atomic_store_n(&p->h->commit_failed, 1, __ATOMIC_RELEASE);
	return cancelled;
}

void bind_park_done(struct bind_park *p)
{
	if (!p->row)
		return;
	bind_durable_set_finished(p->h, p->row);
	for (size_t i = 0; i < p->nadded; i++)
		bind_http_add_header((cf_http *)p->h, p->added[i].name, p->added[i].value);
	free(p->row);
	p->row = NULL;
}

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
	bw->p.row = row_copy(row);
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

/* Ends the wait h->park holds, if any, without touching h's response. */
static void park_drop(struct bind_http *h)
{
	struct bind_park *p = h->park;
	if (!p)
		return;
	h->park = NULL;
	bind_park_cancel(p); /* past this the engine no longer touches p */
	free(p->row);
	p->row = NULL;
}

void bind_client_wait(struct bind_http *h, struct bind_durable *d, const char *id,
		      int64_t timeout_ms, int with_rewind)
{
	if (!h->park_ok) {
		wait_blocking(h, d, id, timeout_ms, with_rewind);
		return;
	}
	/* An app function that waits twice: the last wait decides. */
	park_drop(h);
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

void bind_park_after_function(struct bind_http *h)
{
	struct bind_park *p = h->park;
	if (!p)
		return;
	if (h->status != p->left_status || h->resp_body != p->left_body || h->resp_stream ||
	    h->nresp < p->left_nresp) {
		park_drop(h);
		return;
	}
	/* Copied out: the finished answer rewrites the header array. */
	p->nadded = h->nresp - p->left_nresp;
	if (p->nadded) {
		p->added = rt_arena_alloc(h->ctx.arena, p->nadded * sizeof(*p->added));
		memcpy(p->added, h->resp_headers + p->left_nresp, p->nadded * sizeof(*p->added));
	}
}
