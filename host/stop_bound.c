/*
 * stop_bound.c - a watchdog thread that ends the process when a graceful
 * stop takes longer than its bound (see stop_bound.h).
 */
#include "host/stop_bound.h"
#include "host/log.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct host_stop_bound {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	pthread_t thread;
	int timeout_ms;
	int armed, done;
	int64_t deadline_us; /* rt_mono_us() */
};

void host_stop_bound_exit_now(const char *why)
{
	host_log_always("%s", why);
	host_log_flush();
	fflush(stdout);
	fflush(stderr);
	/* No atexit handlers, no unloading: threads may still run app code. */
	_exit(0);
}

static void *watchdog_main(void *arg)
{
	struct host_stop_bound *sb = arg;
	pthread_mutex_lock(&sb->lock);
	while (!sb->done) {
		if (!sb->armed) {
			pthread_cond_wait(&sb->cond, &sb->lock);
			continue;
		}
		int64_t left = sb->deadline_us - rt_mono_us();
		if (left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t abs_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + left;
		ts.tv_sec = abs_us / 1000000;
		ts.tv_nsec = (abs_us % 1000000) * 1000;
		pthread_cond_timedwait(&sb->cond, &sb->lock, &ts);
	}
	if (!sb->done) {
		char why[160];
		snprintf(why, sizeof(why),
			 "The stop took longer than %d ms (cfunc.stopTimeoutSeconds): exiting; "
			 "unfinished work runs again after the next start.",
			 sb->timeout_ms);
		host_stop_bound_exit_now(why);
	}
	pthread_mutex_unlock(&sb->lock);
	return NULL;
}

struct host_stop_bound *host_stop_bound_new(int timeout_ms)
{
	struct host_stop_bound *sb = xcalloc(1, sizeof(*sb));
	pthread_condattr_t ca;
	sb->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	pthread_mutex_init(&sb->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sb->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&sb->thread, NULL, watchdog_main, sb) != 0) {
		host_log("Host.General", RT_LOG_WARNING, "no stop watchdog thread: stops are not bounded");
		sb->done = 1;
	}
	return sb;
}

void host_stop_bound_arm(void *ctx)
{
	struct host_stop_bound *sb = ctx;
	pthread_mutex_lock(&sb->lock);
	if (!sb->armed) {
		sb->armed = 1;
		sb->deadline_us = rt_mono_us() + (int64_t)sb->timeout_ms * 1000;
		pthread_cond_signal(&sb->cond);
	}
	pthread_mutex_unlock(&sb->lock);
}

int64_t host_stop_bound_engine_deadline(struct host_stop_bound *sb)
{
	/* What follows the engine (closing the store, unloading apps) gets a
	 * quarter of the bound, at most 1 s. */
	int64_t margin = (int64_t)sb->timeout_ms * 250;
	if (margin > 1000000)
		margin = 1000000;
	pthread_mutex_lock(&sb->lock);
	int64_t d = sb->armed ? sb->deadline_us : rt_mono_us() + (int64_t)sb->timeout_ms * 1000;
	pthread_mutex_unlock(&sb->lock);
	return d - margin;
}

void host_stop_bound_free(struct host_stop_bound *sb)
{
	if (!sb)
		return;
	pthread_mutex_lock(&sb->lock);
	int running = !sb->done;
	sb->done = 1;
	pthread_cond_signal(&sb->cond);
	pthread_mutex_unlock(&sb->lock);
	if (running)
		pthread_join(sb->thread, NULL);
	pthread_mutex_destroy(&sb->lock);
	pthread_cond_destroy(&sb->cond);
	free(sb);
}
