/*
 * call_batch.c - several calls of one kind in one worker (pool.h,
 * wpool_call_batch): every request in one write, the replies read in
 * order. A worker answers in the order it was asked, so when it dies (or
 * breaks the protocol, or runs past functionTimeout) the first call
 * without a reply is the one it was running: that one is lost, those
 * answered keep their replies, and those after it never started and go
 * to another worker. Each round takes at least the lost call out, so the
 * loop ends. HTTP calls and activity attempts (calls.c), episodes
 * (episode_calls.c) and entity batches (entity_calls.c) differ only in
 * what wbatch_ops does with each call.
 *
 * Each call is settled once: by its reply, too_large, no_worker or lost,
 * and then `answered` hears of it at once, not when the batch ends, so
 * that a fast call's answer never waits for a slow call sent after it in
 * the same write (an HTTP client would see the slow call's latency). The
 * batch never touches a settled call again: its index leaves idx.
 */
#include "host/worker/pool.h"

#include "common/clock.h"
#include "host/log.h"
#include "host/worker/channel.h"

#include <pthread.h>
#include <string.h>

static void settled(const struct wbatch_ops *ops, void *ctx, size_t i, int more)
{
	if (ops->answered)
		ops->answered(ctx, i, more);
}

/* Whether the reply of the next call is read in already: then it settles
 * without waiting, and a hand-back of this one can go with it. */
static int reply_buffered(const struct wbatch_ops *ops, const struct rt_wire_buf *in)
{
	struct rt_wire_frame f;
	size_t used = 0;
	const char *err = NULL;
	return rt_wire_frame_next(in->data, in->len, REPLY_MAX_FRAME, &f, &used, &err) == 1 &&
	       f.type == ops->reply_type;
}

/* The reply of call `i` (its id `id`), the side frames before it handled:
 * FRAME when ops->reply took it (*again set when it asked to be sent once
 * more), else what became of the worker, with *malformed set when the
 * reply itself did not decode. */
static enum host_chan_rc read_reply(struct host_workers *w, struct wproc *p,
				    const struct wbatch_ops *ops, void *ctx, size_t i,
				    uint64_t id, const char **err, int *malformed, int *again)
{
	int64_t rcv_timeout_us = w->opts.timeout_ms > 0 ? w->opts.timeout_ms * 1000 : 0;
	int64_t deadline = rcv_timeout_us ? rt_mono_us() + rcv_timeout_us : 0;
	for (;;) {
		struct rt_wire_frame f;
		size_t used = 0;
		enum host_chan_rc cr = host_chan_read_timed(p->fd, &p->in, REPLY_MAX_FRAME, deadline,
							    rcv_timeout_us, &f, &used, err);
		if (cr != HOST_CHAN_FRAME)
			return cr;
		if (ops->side_frame && f.type == ops->side_type) {
			cr = ops->side_frame(ctx, i, p, &f, used, err);
			if (cr != HOST_CHAN_FRAME)
				return cr;
			continue;
		}
		if (f.type != ops->reply_type || f.id != id) {
			*err = "unexpected frame"; /* a worker that answers out of turn is broken */
			return HOST_CHAN_BROKEN;
		}
		int rc = ops->reply(ctx, i, &f, err);
		rt_wire_buf_consume(&p->in, used);
		if (rc < 0) {
			*malformed = 1;
			return HOST_CHAN_BROKEN;
		}
		*again = rc == 1;
		return HOST_CHAN_FRAME;
	}
}

void wpool_call_batch(struct host_workers *w, struct wpool *pool, struct rt_arena *a,
		      size_t *idx, size_t k, const struct wbatch_ops *ops, void *ctx)
{
	/* Calls whose reply asked to be sent again go first in the next
	 * round, with no delay: at most once each per reason (encode sends
	 * an episode whole the second time). */
	size_t *again = rt_arena_alloc(a, (k ? k : 1) * sizeof(*again));
	while (k > 0) {
		size_t nagain = 0;
		struct wcall c = ops->call_of(ctx, idx[0]);
		struct wproc *p = wpool_acquire(w, pool, ops->want, &c);
		if (!p) {
			for (size_t j = 0; j < k; j++) {
				ops->no_worker(ctx, idx[j]);
				settled(ops, ctx, idx[j], j + 1 < k);
			}
			return;
		}
		if (ops->bind)
			ops->bind(ctx, p);
		/* Requests too large for a frame fail alone; the rest are sent. */
		uint64_t first = __atomic_add_fetch(&w->next_id, k, __ATOMIC_RELAXED) - k + 1;
		uint64_t *ids = rt_arena_alloc(a, k * sizeof(*ids));
		size_t kept = 0;
		for (size_t j = 0; j < k; j++) {
			size_t before = p->out.len;
			if (ops->encode(ctx, idx[j], &p->out, first + j) != 0) {
				p->out.len = before;
				ops->too_large(ctx, idx[j]);
				settled(ops, ctx, idx[j], 0);
				continue;
			}
			ids[kept] = first + j;
			idx[kept++] = idx[j];
		}
		k = kept;
		if (k == 0) {
			wpool_release(w, pool, p);
			return;
		}
		/* One request cannot fill both directions' buffers: the worker
		 * reads it whole before it answers. Several can, so they are
		 * written while the first replies are read in. */
		enum host_chan_rc cr = (k == 1 ? host_chan_write(p->fd, &p->out)
					       : host_chan_write_draining(p->fd, &p->out, &p->in)) == 0
					       ? HOST_CHAN_FRAME : HOST_CHAN_EOF;
		const char *err = NULL;
		int malformed = 0;
		size_t j = 0;
		for (; j < k && cr == HOST_CHAN_FRAME; j++) {
			if (ops->starting)
				ops->starting(ctx, idx[j]);
			if (j > 0) { /* the snapshot shows what runs now */
				struct wcall now = ops->call_of(ctx, idx[j]);
				pthread_mutex_lock(&w->lock);
				p->served++;
				host_worker_call_set(&p->call, now.kind, now.function, now.instance,
						     now.invocation, rt_now_us());
				pthread_mutex_unlock(&w->lock);
			}
			int more = 0;
			cr = read_reply(w, p, ops, ctx, idx[j], ids[j], &err, &malformed, &more);
			if (cr != HOST_CHAN_FRAME)
				break;
			if (more) {
				again[nagain++] = idx[j]; /* not settled: it goes again */
				continue;
			}
			/* Answered: the caller may hand it back while the worker
			 * runs the next one. */
			settled(ops, ctx, idx[j], j + 1 < k && reply_buffered(ops, &p->in));
		}
		if (cr == HOST_CHAN_FRAME) {
			wpool_release(w, pool, p);
			memcpy(idx, again, nagain * sizeof(*idx));
			k = nagain;
			continue;
		}
		/* It ended while running idx[j]. */
		size_t at = idx[j];
		c = ops->call_of(ctx, at);
		if (cr == HOST_CHAN_BROKEN)
			host_log("Host.Workers", RT_LOG_ERROR,
				 malformed ? "Worker process %d of app '%s' sent a malformed reply for "
					     "'%s': %s"
					   : "Worker process %d of app '%s' broke the protocol while "
					     "running '%s': %s",
				 (int)p->pid, pool->app->name, c.what, err ? err : "unexpected frame");
		struct wgrave g;
		int replace = wpool_bury_reap(w, pool, p,
					      cr == HOST_CHAN_TIMEOUT ? WDEATH_TIMEOUT
					      : cr == HOST_CHAN_BROKEN ? WDEATH_BROKEN
								       : WDEATH_DIED,
					      &c, &g);
		if (!replace)
			wpool_release(w, pool, p);
		/* The engine and activity threads buffer their lines until they
		 * idle; a death is worth seeing now, while the rest go again. */
		host_log_flush();
		/* The lost call is answered before the replacement starts: its
		 * client (a 500 naming the signal) never waits for a worker's
		 * load and init, several ms or far more on a loaded machine.
		 * The slot stays ours (busy) meanwhile, as it was while it was
		 * replaced before: nothing else can take it half started. */
		ops->lost(ctx, at, cr, g.status, malformed ? err : NULL);
		settled(ops, ctx, at, 0);
		if (replace) {
			wpool_bury_replace(w, pool, p, &g);
			wpool_release(w, pool, p);
			host_log_flush();
		}
		/* Those after it never started: another worker runs them, after
		 * those to be sent again. */
		memmove(&idx[nagain], &idx[j + 1], (k - j - 1) * sizeof(*idx));
		memcpy(idx, again, nagain * sizeof(*idx));
		k = nagain + k - j - 1;
	}
}
