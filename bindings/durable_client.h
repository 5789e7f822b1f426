/*
 * durable_client.h - the durable client (cf_durable_*) and the pieces of it
 * the management webhooks reuse.
 */
#ifndef BIND_DURABLE_CLIENT_H
#define BIND_DURABLE_CLIENT_H

#include "cfunc.h"
#include "runtime/engine.h"
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
/* Reads instance `id` (and, with BIND_STATUS_HISTORY, its history) on a
 * read-only handle; *status (if not NULL) gets the status object (new
 * reference). CF_OK, CF_E_NOTFOUND or CF_ERROR (*err malloc'd, may be NULL). */
int bind_durable_read(struct bind_durable *d, const char *id, int flags, struct rt_instance *inst,
		      json_t **status, struct rt_arena *a, char **err);
/* Polls until terminal or timeout and sets the reply (§3.4). */
int bind_durable_wait(struct bind_http *h, struct bind_durable *d, const char *id,
		      int64_t timeout_ms, int64_t retry_ms, int with_rewind);
/*
 * External event names: at most BIND_EVENT_NAME_MAX characters (UTF-16 code
 * units, as .NET counts them), the same bound as instance ids, so that a
 * name fits wherever an id does (URLs, logs, history rows). The reason a
 * name is refused (a static string), or NULL when it is acceptable: empty,
 * not valid UTF-8 (every JSON answer that shows it needs UTF-8), or too long.
 */
#define BIND_EVENT_NAME_MAX 256
const char *bind_event_name_problem(const char *name);

/* Restart (§4.11): runtime/rc.h code; *out_id malloc'd. */
int bind_durable_restart_id(struct bind_durable *d, const char *id, int new_instance_id,
			    char **out_id, char **err);

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
