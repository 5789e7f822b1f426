/*
 * durable_park.h - parked responses (durable_park.c), for the client, the
 * waits (durable_wait.c) and the host's loop. A park lives in its
 * request's arena (h's); the row it holds once fired is malloc'd and freed
 * by bind_park_done.
 */
#ifndef BIND_DURABLE_PARK_H
#define BIND_DURABLE_PARK_H

#include <stdint.h>

#include "runtime/engine.h"

struct bind_http;
struct bind_durable;
struct bind_kv;

/* A copy of a committed row in one malloc'd block (the caller frees it):
 * the struct and every string status_json.c shows. For wait callbacks on
 * the engine thread, which must not keep pointers into its batch. */
struct rt_instance *bind_park_row_copy(const struct rt_instance *r);
/* Makes h's response the answer for a finished instance (§3.4): 200 with the
 * output when Completed, else 200 with the status object (input shown). */
void bind_durable_set_finished(struct bind_http *h, const struct rt_instance *row);

/*
 * A parked response (h->park): the request waits for an instance without a
 * thread. The host calls, on its loop thread:
 *   bind_park_hold(p, wake, data) when the job is back from its worker and
 *     its held commands committed: 1 = parked, arm a timer for
 *     p->timeout_ms; wake(data) comes from the engine thread if the
 *     instance finishes first. 0 = it finished already.
 *   bind_park_cancel(p) at the timeout, when the client left, or at a
 *     stop: 1 = the wait is over and h keeps its 202 check-status
 *     response; 0 = it finished meanwhile, and for a held request wake is
 *     on its way (answer then, not now).
 *   bind_park_done(p) before answering or dropping the request, always:
 *     writes the finished answer into h if the instance finished, and frees
 *     what the park holds.
 * The engine's side only copies the committed row into the park, so h is
 * written by whoever answers and by no one else.
 */
struct bind_park {
	struct rt_engine_wait w;
	struct rt_engine *engine;
	struct bind_http *h;
	char *id;                /* the instance id (in h's arena) */
	int64_t timeout_ms;
	int state;               /* atomic, durable_wait.c */
	struct rt_instance *row; /* malloc'd copy of the committed row, once fired */
	void (*wake)(void *data);
	void *wake_data;
	/* The response the wait left (an app function's, see
	 * bind_park_after_function): status, header count and body. */
	int left_status;
	size_t left_nresp;
	const char *left_body;
	/* Headers the function added after its wait (in h's arena): the
	 * finished answer keeps them. */
	struct bind_kv *added;
	size_t nadded;
};
int bind_park_hold(struct bind_park *p, void (*wake)(void *data), void *data);
int bind_park_cancel(struct bind_park *p);
void bind_park_done(struct bind_park *p);
/*
 * An app function's wait (h->park_ok for an app function): the function
 * returns at once and the host parks its response instead of a thread.
 * Called on the function's thread when it returned: the wait stands if
 * the function left the response as the wait set it or only added headers
 * (the finished answer gets them too, as if the function had blocked); a
 * response the function changed otherwise (another status or body, or the
 * 500 of a failure) wins, and the wait ends here. h->park is NULL then.
 */
void bind_park_after_function(struct bind_http *h);
/* Ends the wait h->park holds, if any, without touching h's response. */
void bind_park_drop(struct bind_http *h);
/* For the client's own use: a park in h's arena for instance `id` (NULL: a
 * 33-byte buffer for an id still to be generated), not registered yet. */
struct bind_park *bind_park_new(struct bind_http *h, struct bind_durable *d, const char *id,
				int64_t timeout_ms);
int bind_park_cancel(struct bind_park *p);

#endif
