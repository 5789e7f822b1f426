/*
 * stop_bound.h - the bound on a graceful stop: from the first SIGINT or
 * SIGTERM, the process ends within cfunc.stopTimeoutSeconds, whatever it is
 * still waiting for (a request, an activity, a disk that refuses commits).
 * What is abandoned is redone after the next start, which is safe: every
 * acknowledged change is already committed.
 */
#ifndef HOST_STOP_BOUND_H
#define HOST_STOP_BOUND_H

#include <stdint.h>

struct host_stop_bound;

/* Starts the watchdog thread (idle until armed). timeout_ms > 0. */
struct host_stop_bound *host_stop_bound_new(int timeout_ms);
/* The stop was asked for: from now the process has timeout_ms to exit.
 * Later calls do nothing. Any thread; `ctx` is the bound (a server hook). */
void host_stop_bound_arm(void *ctx);
/* Deadline (rt_mono_us) for the engine: armed time + timeout, less a
 * margin for what follows it; now + timeout if never armed. */
int64_t host_stop_bound_engine_deadline(struct host_stop_bound *sb);
/* The process exits 0 at once, without unloading apps still in use, after
 * saying why on the console. */
void host_stop_bound_exit_now(const char *why) __attribute__((noreturn));
/* The stop finished in time: the watchdog ends. NULL is ok. */
void host_stop_bound_free(struct host_stop_bound *sb);

#endif
