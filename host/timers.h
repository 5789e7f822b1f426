/*
 * timers.h - the timer trigger's scheduler: one thread per timer function,
 * which sleeps until the next occurrence, runs the function (one run at a
 * time), and keeps the schedule status (useMonitor) in the task hub.
 */
#ifndef HOST_TIMERS_H
#define HOST_TIMERS_H

#include "bindings/durable_client.h"
#include "bindings/registry.h"

struct host_timers;

/*
 * Starts the enabled timer functions of `reg`. `store_path` is the task hub
 * file for useMonitor (NULL: statuses are kept in memory only); `durable`
 * may be NULL. Returns NULL when there are no timers.
 */
/* WEBSITE_TIME_ZONE (an IANA name) becomes TZ when TZ is not set, as in
 * Azure on Linux. Call it before any thread starts: it changes the
 * environment. */
void host_timers_apply_time_zone(void);

struct host_timers *host_timers_start(struct bind_registry *reg, struct bind_durable *durable,
				      const char *store_path, int sync_normal);
/* Stops the threads, waiting for running invocations. NULL is ok. */
void host_timers_stop(struct host_timers *t);

/* Runs go to worker processes (the default; not with --in-process); call before
 * host_timers_start. */
struct host_workers;
void host_timers_use_workers(struct host_workers *w);

/* POST /admin/functions/{name} for a timer: runs it once in the background
 * (after a run in progress). Returns 0, or -1 when the scheduler is not
 * running. */
int host_timers_admin_fire(const struct bind_function *fn);

/* After the test clock moved (POST /admin/test/clock): wakes the timer
 * threads so an occurrence that is now due runs at once instead of after
 * its real-time wait. Nothing when no scheduler runs. */
void host_timers_wake(void);

#endif
