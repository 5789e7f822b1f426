/*
 * engine_fake.h - an in-process durable engine for unit tests: fake
 * orchestrator and activity hooks (plain C functions looked up by name in a
 * table the test supplies), a task hub file in a temporary directory, and
 * waits that wake on the engine's own console lines (it logs an episode or
 * an activity after its commit) and re-read the instance, up to a deadline.
 *
 * Used by the engine's tests and the management API's. The fakes own
 * nothing the engine frees; the table is borrowed for the engine's life.
 */
#ifndef TEST_ENGINE_FAKE_H
#define TEST_ENGINE_FAKE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/arena.h"
#include "common/clock.h"
#include "runtime/engine.h"
#include "runtime/replay.h"
#include "runtime/store.h"

/* One fake function: an orchestrator (orch set) or an activity (act set). */
struct fake_fn {
	const char *name;
	int (*orch)(struct rt_orch *o);
	/* Fills res (strings in call->arena, or static). */
	void (*act)(const struct rt_activity_call *call, struct rt_activity_result *res);
	int calls; /* activity attempts started in this process (under fake_mu) */
};

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cv = PTHREAD_COND_INITIALIZER;
static unsigned long fake_lines; /* console lines so far: the engine's "something committed" */
static struct fake_fn *fake_table;
static size_t fake_count;
static int fake_echo; /* 1: print the engine's lines as TAP comments */

static inline struct fake_fn *fake_find(const char *name, int want_orch)
{
	for (size_t i = 0; i < fake_count; i++)
		if (strcasecmp(fake_table[i].name, name) == 0 &&
		    (want_orch ? fake_table[i].orch != NULL : fake_table[i].act != NULL))
			return &fake_table[i];
	return NULL;
}

static inline void *fake_find_orchestrator(void *ctx, const char *name)
{
	(void)ctx;
	return fake_find(name, 1);
}

static inline void *fake_find_activity(void *ctx, const char *name)
{
	(void)ctx;
	return fake_find(name, 0);
}

static inline int fake_run_orchestrator(void *fn, struct rt_orch *o)
{
	return ((struct fake_fn *)fn)->orch(o);
}

static inline void fake_run_activity(void *ctx, void *fn, const struct rt_activity_call *call,
			      struct rt_activity_result *res)
{
	struct fake_fn *f = fn;
	(void)ctx;
	pthread_mutex_lock(&fake_mu);
	f->calls++;
	pthread_mutex_unlock(&fake_mu);
	f->act(call, res);
}

__attribute__((format(printf, 4, 5))) static inline void fake_log(void *ctx, const char *category,
							    int level, const char *fmt, ...)
{
	(void)ctx;
	if (fake_echo) {
		va_list ap;
		char line[512];
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		printf("# [%s %d] %s\n", category, level, line);
	}
	pthread_mutex_lock(&fake_mu);
	fake_lines++;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

static inline int fake_calls(const char *activity)
{
	struct fake_fn *f = fake_find(activity, 0);
	int n;
	pthread_mutex_lock(&fake_mu);
	n = f ? f->calls : -1;
	pthread_mutex_unlock(&fake_mu);
	return n;
}

/* Engine options for `path` with the fakes of `table` as its hooks. */
static inline struct rt_engine_opts fake_opts(const char *path, struct fake_fn *table, size_t n)
{
	struct rt_engine_opts o;
	fake_table = table;
	fake_count = n;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.hub_name = "UnitHub";
	o.sync_normal = 1;
	o.max_activities = 4;
	o.max_orchestrators = 16;
	o.max_dequeue_count = 3;
	o.stop_timeout_ms = 5000;
	o.hooks.find_orchestrator = fake_find_orchestrator;
	o.hooks.find_activity = fake_find_activity;
	o.hooks.run_orchestrator = fake_run_orchestrator;
	o.hooks.run_activity = fake_run_activity;
	o.hooks.log = fake_log;
	return o;
}

/* The instance's row into *out (strings in `a`): RT_OK, RT_E_NOTFOUND, ... */
static inline int fake_read(struct rt_engine *e, const char *id, struct rt_instance *out,
		     struct rt_arena *a)
{
	char *err = NULL;
	struct rt_store *s = rt_engine_reader_get(e, &err);
	int rc;
	if (!s) {
		printf("# reader: %s\n", err ? err : "?");
		free(err);
		return RT_ERROR;
	}
	rc = rt_store_instance_get(s, id, out, a);
	rt_engine_reader_put(e, s);
	return rc;
}

/* A condition on the instance's committed row. */
typedef int (*fake_pred)(const struct rt_instance *in, const void *arg);

static inline int pred_status(const struct rt_instance *in, const void *arg)
{
	return in->status == *(const enum rt_status *)arg;
}

static inline int pred_custom(const struct rt_instance *in, const void *arg)
{
	return in->custom_status && strcmp(in->custom_status, arg) == 0;
}

/* The CLOCK_REALTIME time `ms` from now, for pthread_cond_timedwait. */
static inline struct timespec fake_deadline_in(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/*
 * Waits until the instance's row satisfies `p`: re-reads it each time the
 * engine logs (after a commit), and at least every 20 ms in case a line
 * came before the wait began. Gives up after `ms`. Returns 1 when it holds,
 * with the row in *out (strings in `a`).
 */
static inline int fake_wait(struct rt_engine *e, const char *id, fake_pred p, const void *arg, int ms,
		     struct rt_instance *out, struct rt_arena *a)
{
	int64_t deadline = rt_mono_us() + (int64_t)ms * 1000;
	for (;;) {
		unsigned long seen;
		struct timespec ts;
		pthread_mutex_lock(&fake_mu);
		seen = fake_lines;
		pthread_mutex_unlock(&fake_mu);
		if (fake_read(e, id, out, a) == RT_OK && p(out, arg))
			return 1;
		if (rt_mono_us() >= deadline)
			return 0;
		ts = fake_deadline_in(20);
		pthread_mutex_lock(&fake_mu);
		while (fake_lines == seen &&
		       pthread_cond_timedwait(&fake_cv, &fake_mu, &ts) == 0)
			;
		pthread_mutex_unlock(&fake_mu);
	}
}

static inline int fake_wait_status(struct rt_engine *e, const char *id, enum rt_status st, int ms,
			    struct rt_instance *out, struct rt_arena *a)
{
	return fake_wait(e, id, pred_status, &st, ms, out, a);
}

#endif
