/*
 * durable_client.h - the durable client: the one way into the engine's
 * commands and reads for everything outside runtime/ - apps (cf_durable_*),
 * the management API (management/) and the host's admin invoke.
 *
 * Two layers. The bind_client_* calls take the host's `struct bind_durable`
 * and return the engine's RT_OK / RT_E_* outcome with a malloc'd message, so that
 * each caller maps outcomes onto its own answers (the management API onto
 * the status matrix of durable-http-api §6, apps onto CF_E_*). The
 * bind_durable_* entries below them are the cf_durable_* functions of the
 * app ABI, written over the first layer.
 *
 * Writes are acknowledged after their commit. Waiting for an instance to
 * finish is a wait on the engine (durable_wait.c): woken by the commit of
 * its terminal state, never by re-reading the store on a timer.
 */
#ifndef BIND_DURABLE_CLIENT_H
#define BIND_DURABLE_CLIENT_H

#include "cfunc.h"
#include "runtime/engine.h"
#include "runtime/engine_entity.h"
#include "bindings/json_util.h"
#include "bindings/registry.h"

struct bind_http;

/* What an HTTP invocation needs to reach the engine; owned by the host. */
struct bind_durable {
	struct rt_engine *engine;
	const char *hub;        /* the configured task hub */
	const char *connection; /* "Storage", as the real extension names it */
	const char *system_key; /* durabletask_extension key, NULL = none yet */
	struct bind_registry *reg;
};

/* ---- commands (any thread; RT_OK / RT_E_* outcome, *err malloc'd or NULL) -------- */

/* Starts orchestrator `name` as instance `id` (NULL: a new id) and waits for
 * the commit; *out_id malloc'd (may be NULL when not wanted). */
int bind_client_start(struct bind_durable *d, const char *name, const char *id, const char *input,
		      char **out_id, char **err);
/*
 * Starts orchestrator `name` with a new id (into id_out[33]) without
 * blocking: the command is queued and h's response is held until it
 * committed (h->pending, h->resume; a failed commit sets h->commit_failed).
 * With wait_timeout_ms >= 0 and h->park_ok, h's response also waits for the
 * instance to finish (h->park, as bind_client_wait), the wait registered
 * before the start is queued so that not even a completion in the starting
 * batch is missed; -1: no wait. The caller sets the response h gives when
 * there is no wait or it times out (the check-status response). The caller checks
 * the name first (the outcome must be known: a new id cannot collide).
 * RT_OK, or RT_ERROR when the engine is stopping.
 */
int bind_client_start_held(struct bind_durable *d, struct bind_http *h, const char *name,
			   const char *input, char id_out[33], int64_t wait_timeout_ms);
/* Restart (§4.11): the instance's orchestrator again with its input, as a
 * new id (new_instance_id) or the same one; *out_id malloc'd. RT_E_NOTFOUND
 * with *unknown_id = 1 (when not NULL) when the id is unknown, RT_E_NOTFOUND
 * or RT_E_INVALID from the start when its orchestrator is gone. */
int bind_client_restart(struct bind_durable *d, const char *id, int new_instance_id,
			char **out_id, char **err, int *unknown_id);
int bind_client_raise(struct bind_durable *d, const char *id, const char *event,
		      const char *data, char **err);

enum bind_client_op {
	BIND_CLIENT_TERMINATE,
	BIND_CLIENT_SUSPEND,
	BIND_CLIENT_RESUME,
	BIND_CLIENT_REWIND,
};
/* Terminate, suspend, resume, rewind; reason may be NULL. */
int bind_client_lifecycle(struct bind_durable *d, enum bind_client_op op, const char *id,
			  const char *reason, char **err);
int bind_client_purge(struct bind_durable *d, const char *id, char **err);
/* Purges the terminal instances matching `f`; *deleted gets the count. */
int bind_client_purge_many(struct bind_durable *d, const struct rt_store_filter *f,
			   int64_t *deleted, char **err);

/* ---- reads (any thread, read-only handles; CF_OK / CF_E_NOTFOUND / CF_ERROR) */

/* Instance `id` into *inst and, with BIND_STATUS_HISTORY (status_json.h),
 * its current execution's history into *hist / *n (all in `a`; none while
 * it has no execution). */
int bind_client_read(struct bind_durable *d, const char *id, int flags, struct rt_instance *inst,
		     struct rt_event **hist, size_t *n, struct rt_arena *a, char **err);
/* The same, with the status object built (*status a new reference, when
 * status is not NULL). */
int bind_durable_read(struct bind_durable *d, const char *id, int flags, struct rt_instance *inst,
		      json_t **status, struct rt_arena *a, char **err);
/* One page of rt_store_instance_list (store.h), on a handle of its own. */
int bind_client_list(struct bind_durable *d, const struct rt_store_filter *f, const char *after,
		     size_t top, struct rt_instance **rows, size_t *n, const char **next,
		     struct rt_arena *a, char **err);

/* One page of rt_store_instance_list_sorted (store.h), on a handle of its own. */
int bind_client_list_sorted(struct bind_durable *d, const struct rt_store_filter *f,
			    enum rt_store_sort sort, int desc, const struct rt_store_keyset *after,
			    size_t top, struct rt_instance **rows, size_t *n,
			    struct rt_store_keyset *next, int *more, struct rt_arena *a, char **err);

/* The number of instances in each status (rt_store_count_by_status). */
int bind_client_count_by_status(struct bind_durable *d, int64_t counts[RT_STORE_STATUS_SLOTS],
				int64_t *other, char **err);

/* ---- entities (any thread) ---------------------------------------------------- */

/* Signals operation `op` on entity (name, key) and waits for the commit;
 * at_us > 0 delivers it no earlier than then. RT_OK / RT_E_* outcome
 * (rt_engine_signal_entity, runtime/engine_entity.h). */
int bind_client_signal_entity(struct bind_durable *d, const char *name, const char *key,
			      const char *op, const char *input, int64_t at_us, char **err);
/* The same signal without blocking, once the caller has checked everything
 * the engine could refuse: h's response is held until the commit
 * (h->pending, h->resume; a failed commit sets h->commit_failed). RT_OK
 * when queued, RT_ERROR when the engine is stopping (nothing held). */
int bind_client_signal_entity_held(struct bind_durable *d, struct bind_http *h, const char *name,
				   const char *key, const char *op, const char *input,
				   int64_t at_us);
/* Clean entity storage; *removed / *released get the counts. RT_OK / RT_E_*. */
int bind_client_entity_clean(struct bind_durable *d, int64_t *removed, int64_t *released,
			     char **err);
/* The last committed state of (name, key) into *row (strings in `a`).
 * CF_OK, CF_E_NOTFOUND, or CF_ERROR with *err malloc'd. */
int bind_client_entity_read(struct bind_durable *d, const char *name, const char *key,
			    struct rt_entity_row *row, struct rt_arena *a, char **err);
/* Up to `top` entities after `after` (rt_engine_entity_list's filter),
 * gathered from at most `pages` store pages on one read-only handle, so the
 * rows come from one snapshot. *rows / *n in `a`; *next the id to continue
 * after, NULL at the end. CF_OK or CF_ERROR with *err malloc'd. */
int bind_client_entity_list(struct bind_durable *d, const char *name, int64_t from_us,
			    int64_t to_us, int with_state, const char *after, size_t top,
			    int pages, struct rt_entity_row **rows, size_t *n, const char **next,
			    struct rt_arena *a, char **err);

/* ---- check-status responses and waits -------------------------------------- */

/*
 * The management URLs for instance `id` (durable-http-api §3.1), built on
 * `base_url` ("scheme://host:port" of the request). with_rewind: the 9-key
 * client form; else the 8-key form of the built-in endpoints. New reference.
 */
json_t *bind_durable_payload(const struct bind_durable *d, const char *base_url, const char *id,
			     int with_rewind);
/* Makes h's response the 202 check-status response. */
void bind_durable_set_check_status(struct bind_http *h, const struct bind_durable *d,
				   const char *id, int with_rewind);
/* Makes h's response the answer for a finished instance (§3.4): 200 with the
 * output when Completed, else 200 with the status object (input shown). */
void bind_durable_set_finished(struct bind_http *h, const struct rt_instance *row);

/*
 * The §3.4 wait on instance `id`: h's response becomes the finished answer
 * as soon as the instance's terminal state commits, or the 202 check-status
 * response (with_rewind as above) after timeout_ms. Where the host can hold
 * a response without a thread (h->park_ok), nothing blocks: h->park is set
 * and the host parks the request (bind_park_*); otherwise the calling
 * thread sleeps on a condition variable the commit signals. Either way
 * nothing re-reads the store on a timer. The caller must not touch h's
 * response after this returns.
 */
void bind_client_wait(struct bind_http *h, struct bind_durable *d, const char *id,
		      int64_t timeout_ms, int with_rewind);

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
/* For the client's own use: a park in h's arena for instance `id` (NULL: a
 * 33-byte buffer for an id still to be generated), not registered yet. */
struct bind_park *bind_park_new(struct bind_http *h, struct bind_durable *d, const char *id,
				int64_t timeout_ms);
int bind_park_cancel(struct bind_park *p);

/*
 * External event names: at most BIND_EVENT_NAME_MAX characters (UTF-16 code
 * units, as .NET counts them), the same bound as instance ids, so that a
 * name fits wherever an id does (URLs, logs, history rows). The reason a
 * name is refused (a static string), or NULL when it is acceptable: empty,
 * not valid UTF-8 (every JSON answer that shows it needs UTF-8), or too long.
 */
#define BIND_EVENT_NAME_MAX 256
const char *bind_event_name_problem(const char *name);

/* ---- cf_durable_* (the app ABI) ---------------------------------------------- */

cf_rc bind_durable_start(cf_http *h, const char *name, const char *id, const char *input,
			 const char **out_id);
cf_rc bind_durable_status(cf_http *h, const char *id, unsigned flags, const char **out);
cf_rc bind_durable_raise_event(cf_http *h, const char *id, const char *event, const char *data);
cf_rc bind_durable_terminate(cf_http *h, const char *id, const char *reason);
cf_rc bind_durable_suspend(cf_http *h, const char *id, const char *reason);
cf_rc bind_durable_resume(cf_http *h, const char *id, const char *reason);
cf_rc bind_durable_rewind(cf_http *h, const char *id, const char *reason);
cf_rc bind_durable_restart(cf_http *h, const char *id, unsigned flags, const char **out_id);
cf_rc bind_durable_purge(cf_http *h, const char *id);
cf_rc bind_durable_check_status_response(cf_http *h, const char *id);
cf_rc bind_durable_wait_or_check(cf_http *h, const char *id, int64_t timeout_ms, int64_t retry_ms);

#define BIND_DURABLE_API_ENTRIES                                                \
	.durable_start = bind_durable_start,                                    \
	.durable_status = bind_durable_status,                                  \
	.durable_raise_event = bind_durable_raise_event,                        \
	.durable_terminate = bind_durable_terminate,                            \
	.durable_suspend = bind_durable_suspend,                                \
	.durable_resume = bind_durable_resume,                                  \
	.durable_rewind = bind_durable_rewind,                                  \
	.durable_restart = bind_durable_restart,                                \
	.durable_purge = bind_durable_purge,                                    \
	.durable_check_status_response = bind_durable_check_status_response,    \
	.durable_wait_or_check_status_response = bind_durable_wait_or_check,

#endif
