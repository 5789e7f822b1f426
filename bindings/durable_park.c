/*
 * durable_park.c - the parked response (durable_park.h): the engine's wait
 * callback copies the committed row into the park, and whoever answers
 * the request writes the finished answer from it. Below the client and
 * the waits, which both make parks: it calls neither.
 */
#include "bindings/durable_client.h"
#include "bindings/durable_park.h"
#include "bindings/http_trigger.h"
#include "bindings/status_json.h"
#include "common/xalloc.h"
#include "runtime/store.h"

#include <stdlib.h>
#include <string.h>

enum { PARK_OPEN, PARK_PARKED, PARK_FIRED };

/* ---- the committed row, copied off the engine thread's batch ------------ */

/* One malloc'd block: the struct and every string of the row. */
struct rt_instance *bind_park_row_copy(const struct rt_instance *r)
{
	struct rt_instance *c = xmalloc(sizeof(*c) + rt_instance_text_size(r));
	rt_instance_text_copy(c, r, (char *)(c + 1));
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
	p->row = bind_park_row_copy(row);
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

void bind_park_drop(struct bind_http *h)
{
	struct bind_park *p = h->park;
	if (!p)
		return;
	h->park = NULL;
	bind_park_cancel(p); /* past this the engine no longer touches p */
	free(p->row);
	p->row = NULL;
}

void bind_park_after_function(struct bind_http *h)
{
	struct bind_park *p = h->park;
	if (!p)
		return;
	if (h->status != p->left_status || h->resp_body != p->left_body || h->resp_stream ||
	    h->nresp < p->left_nresp) {
		bind_park_drop(h);
		return;
	}
	/* Copied out: the finished answer rewrites the header array. */
	p->nadded = h->nresp - p->left_nresp;
	if (p->nadded) {
		p->added = rt_arena_alloc(h->ctx.arena, p->nadded * sizeof(*p->added));
		memcpy(p->added, h->resp_headers + p->left_nresp, p->nadded * sizeof(*p->added));
	}
}
