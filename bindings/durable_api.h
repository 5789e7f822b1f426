/*
 * durable_api.h - the cf_durable_* functions of the app ABI (durable_api.c),
 * written over the durable client (durable_client.h) and its waits. They
 * run on the calling app's handle; strings they hand back live in its
 * arena.
 */
#ifndef BIND_DURABLE_API_H
#define BIND_DURABLE_API_H

#include "cfunc.h"

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
