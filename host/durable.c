#include "host/durable.h"
#include "bindings/api.h"
#include "host/worker/supervisor.h"
#include "bindings/activity_trigger.h"
#include "bindings/json_util.h"
#include "host/function_lines.h"
#include "host/log.h"
#include "bindings/orch_trigger.h"
#include "host/timers.h"
#include "common/xalloc.h"
#include "bindings/bind_log.h"
#include "bindings/entity_trigger.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *find_kind(void *ctx, const char *name, enum bind_fn_kind kind)
{
	struct bind_function *fn = bind_registry_find_kind(ctx, name, kind);
	return fn && !fn->disabled ? fn : NULL;
}

static void *find_orchestrator(void *ctx, const char *name)
{
	return find_kind(ctx, name, BIND_FN_ORCHESTRATOR);
}

static void *find_activity(void *ctx, const char *name)
{
	return find_kind(ctx, name, BIND_FN_ACTIVITY);
}

static void *find_entity(void *ctx, const char *name)
{
	return find_kind(ctx, name, BIND_FN_ENTITY);
}

static void engine_log_line(void *ctx, const char *category, int level, const char *fmt, ...)
{
	va_list ap;
	(void)ctx;
	va_start(ap, fmt);
	host_logv(category, (enum rt_log_level)level, fmt, ap);
	va_end(ap);
}

static int engine_log_enabled(void *ctx, const char *category, int level)
{
	(void)ctx;
	return host_log_enabled(category, (enum rt_log_level)level);
}

/* Engine and activity threads buffer their console lines like HTTP workers. */
static void thread_event(void *ctx, int event)
{
	(void)ctx;
	if (event == 0)
		host_log_thread_buffered(1);
	else if (event == 1)
		host_log_flush();
	else
		host_log_thread_buffered(0);
}

/* Set by host_durable_use_workers before the engine starts; read by the
 * engine and activity threads afterwards. */
static struct host_workers *activity_workers;

void host_durable_use_workers(struct host_workers *w)
{
	activity_workers = w;
	host_timers_use_workers(w); /* timer runs too */
}

static int replay_in_worker(void *ctx, void *fn, const struct rt_episode_in *in,
			    struct rt_episode_out *out)
{
	(void)ctx;
	return host_workers_episode(activity_workers, fn, in, out);
}

static void replay_batch_in_worker(void *ctx, size_t n, void *const *fns,
				   const struct rt_episode_in *const *ins,
				   struct rt_episode_out *outs, int *rcs,
				   void (*done)(void *arg, size_t i), void *arg)
{
	(void)ctx;
	host_workers_episode_batch(activity_workers, n, fns, ins, outs, rcs, done, arg);
}

/* A batch's Executing/Executed lines: the worker has no console of its own,
 * so the host prints them. Attempts run one after the other: an attempt's
 * Executed line comes when it finishes (a start still ends one left
 * open). */
struct batch_lines {
	void *const *fns;
	const struct rt_activity_result *res;
	void (*starting)(void *arg, size_t i); /* the engine's */
	void (*finished)(void *arg, size_t i); /* the engine's */
	void *arg;
	struct rt_invocation inv;
	size_t running; /* the attempt inv is for; SIZE_MAX: none yet */
};

static void batch_line_end(struct batch_lines *b)
{
	if (b->running == SIZE_MAX)
		return;
	b->inv.failed = b->res[b->running].failed;
	bind_invocation(&b->inv, RT_INVOCATION_END);
	b->running = SIZE_MAX;
}

static void batch_line_start(void *arg, size_t i)
{
	struct batch_lines *b = arg;
	batch_line_end(b);
	b->inv = (struct rt_invocation){.function = ((const struct bind_function *)b->fns[i])->name};
	bind_invocation(&b->inv, RT_INVOCATION_START);
	b->running = i;
	b->starting(b->arg, i);
}

/* Attempt i's Executed line goes before the engine has its result (which
 * it may commit at once). */
static void batch_line_finished(void *arg, size_t i)
{
	struct batch_lines *b = arg;
	if (b->running == i)
		batch_line_end(b);
	b->finished(b->arg, i);
}

static void run_activities_in_worker(void *ctx, size_t n, void *const *fns,
				     const struct rt_activity_call *calls,
				     struct rt_activity_result *res,
				     void (*starting)(void *arg, size_t i),
				     void (*finished)(void *arg, size_t i), void *arg)
{
	(void)ctx;
	struct batch_lines b = {.fns = fns, .res = res, .starting = starting,
				.finished = finished, .arg = arg, .running = SIZE_MAX};
	host_workers_activity_batch(activity_workers, n, fns, calls, res, batch_line_start,
				    batch_line_finished, &b);
	batch_line_end(&b);
}

static void run_activity_in_worker(void *ctx, void *fn, const struct rt_activity_call *call,
				   struct rt_activity_result *res)
{
	(void)ctx;
	/* The worker reports no invocation lines (it has no console of its
	 * own): the host prints func's Executing/Executed lines around the
	 * call, as bind_act_run does in process. */
	struct rt_invocation inv = {.function = ((const struct bind_function *)fn)->name};
	bind_invocation(&inv, RT_INVOCATION_START);
	host_workers_activity(activity_workers, fn, call, res);
	inv.failed = res->failed;
	bind_invocation(&inv, RT_INVOCATION_END);
}

static int entity_batch_in_worker(void *ctx, void *fn, struct rt_entity_batch *eb)
{
	(void)ctx;
	return host_workers_entity_batch(activity_workers, fn, eb);
}

static void entity_batches_in_worker(void *ctx, size_t n, void *const *fns,
				     struct rt_entity_batch *const *ebs, int *rcs,
				     void (*done)(void *arg, size_t i), void *arg)
{
	(void)ctx;
	host_workers_entity_batches(activity_workers, n, fns, ebs, rcs, done, arg);
}

/* A crash-looped app's episodes wait for its next deploy instead of
 * failing (engine.h, can_run). */
static int app_can_run(void *ctx, void *fn)
{
	(void)ctx;
	return !host_workers_app_failed(activity_workers, ((const struct bind_function *)fn)->app);
}

static void retry_waiting(void *engine)
{
	rt_engine_retry_waiting(engine);
}

int host_durable_start(struct host_durable *hd, const struct host_config *cfg,
		       struct bind_registry *reg, char **err)
{
	struct rt_engine_opts o;
	int durable = 0;

	memset(hd, 0, sizeof(*hd));
	for (size_t i = 0; i < reg->nfns; i++)
		durable |= reg->fns[i]->kind != BIND_FN_HTTP;
	if (!durable)
		return 0;

	memset(&o, 0, sizeof(o));
	o.path = cfg->durable.storage_path;
	o.hub_name = cfg->durable.hub_name;
	o.sync_normal = strcmp(cfg->durable.storage_synchronous, "NORMAL") == 0;
	o.sync_acks = strcmp(cfg->durable.storage_synchronous, "ACKNOWLEDGED") == 0;
	o.max_activities = cfg->durable.max_concurrent_activities;
	o.max_orchestrators = cfg->durable.max_concurrent_orchestrators;
	o.max_dequeue_count = cfg->durable.max_dequeue_count;
	o.max_actions = cfg->durable.max_orchestration_actions;
	o.entity_batch_max = cfg->durable.max_entity_operation_batch;
	o.entity_keep_failed = !cfg->durable.rollback_entity_operations;
	o.overwrite_any_state =
		cfg->durable.overridable_existing_instance_states == HOST_CONFIG_ANY_STATE;
	o.hooks.ctx = reg;
	o.hooks.find_orchestrator = find_orchestrator;
	o.hooks.find_activity = find_activity;
	o.hooks.run_orchestrator = bind_orch_run;
	o.hooks.run_activity = activity_workers ? run_activity_in_worker : bind_act_run;
	o.hooks.run_activity_batch = activity_workers ? run_activities_in_worker : NULL;
	o.hooks.replay = activity_workers ? replay_in_worker : NULL;
	o.hooks.replay_batch = activity_workers ? replay_batch_in_worker : NULL;
	o.hooks.can_run = activity_workers ? app_can_run : NULL;
	o.hooks.log = engine_log_line;
	o.hooks.log_enabled = engine_log_enabled;
	o.hooks.thread_event = thread_event;
	o.hooks.invocation = host_log_invocation;
	o.hooks.durable_report = host_log_durable;
	o.hooks.find_entity = find_entity;
	o.hooks.run_entity = bind_entity_run;
	o.hooks.run_entity_batch = activity_workers ? entity_batch_in_worker : NULL;
	o.hooks.run_entity_batches = activity_workers ? entity_batches_in_worker : NULL;
	host_function_lines_init(cfg->durable.hub_name); /* before the engine's threads */
	hd->engine = rt_engine_start(&o, err);
	if (!hd->engine)
		return -1;
	if (activity_workers)
		host_workers_on_deploy(activity_workers, retry_waiting, hd->engine);
	hd->client.engine = hd->engine;
	hd->client.hub = rt_engine_hub(hd->engine);
	hd->client.connection = "Storage";
	hd->client.system_key = NULL;
	hd->client.reg = reg;
	host_log("Host.Triggers.DurableTask", RT_LOG_INFO, "Task hub '%s' at %s", hd->client.hub,
		 rt_engine_path(hd->engine));
	return 0;
}

void host_durable_stop(struct host_durable *hd)
{
	if (activity_workers && hd->engine)
		host_workers_on_deploy(activity_workers, NULL, NULL);
	rt_engine_stop(hd->engine);
	hd->engine = NULL;
}

/* A background activity run fired from the admin API. */
struct admin_run {
	struct rt_pool_job work;
	const struct bind_function *fn;
	char *input;
};

static void admin_run_activity(struct rt_pool_job *work, int thread)
{
	struct admin_run *run = (struct admin_run *)work;
	struct rt_arena arena;
	(void)thread;
	struct rt_activity_result res = {0};
	char key[64];
	snprintf(key, sizeof(key), "admin:%p:1", (void *)run);
	rt_arena_init(&arena);
	struct rt_activity_call call = {.name = run->fn->name,
					.input = run->input,
					.instance_id = "",
					.execution_id = "",
					.task_id = -1,
					.attempt = 1,
					.idempotency_key = key,
					.arena = &arena};
	/* In process only: with worker processes an admin-invoked activity
	 * runs in a worker and is waited for (host_workers_admin_activity). */
	bind_act_run(NULL, (void *)run->fn, &call, &res);
	rt_arena_cleanup(&arena);
	free(run->input);
	free(run);
}

int host_durable_admin_invoke(struct host_server *srv, const struct bind_function *fn,
			      const char *input, struct bind_http *h)
{
	/* func passes the input as text; JSON text stays JSON, anything else
	 * becomes a JSON string. */
	char *json;
	if (bind_json_valid(input)) {
		json = xstrdup(input);
	} else {
		/* json_string refuses text that is not UTF-8; that input becomes
		 * "" (the fallback is a literal: a json_string("") made here
		 * would have no owner to decref it). */
		json_t *s = json_string(input);
		json = s ? bind_json_dump(s) : xstrdup("\"\"");
		json_decref(s);
	}
	if (fn->kind == BIND_FN_ORCHESTRATOR) {
		char *id = NULL, *err = NULL;
		int rc = srv->durable ? bind_client_start(srv->durable, fn->name, NULL, json, &id, &err)
				      : RT_ERROR;
		free(json);
		if (rc != RT_OK) {
			json_t *o = json_pack("{s:s}", "Message", err ? err : "cannot start the orchestration");
			char *text = bind_json_dump(o);
			bind_http_set_json(h, 400, text);
			free(text);
			json_decref(o);
			free(err);
			return -1;
		}
		host_log("Host.Triggers.DurableTask", RT_LOG_INFO,
			 "Started orchestration with ID = '%s'.", id);
		free(id);
		return 0;
	}
	if (fn->kind == BIND_FN_ACTIVITY && activity_workers) {
		/* In a worker, and waited for: a crash answers as an HTTP
		 * function's crash does. */
		struct rt_invocation inv = {.function = fn->name};
		bind_invocation(&inv, RT_INVOCATION_START); /* the host prints the lines */
		int rc = host_workers_admin_activity(activity_workers, fn, json, h);
		inv.failed = rc != 0;
		bind_invocation(&inv, RT_INVOCATION_END);
		free(json);
		return rc;
	}
	if (fn->kind == BIND_FN_ACTIVITY) {
		struct admin_run *run = xcalloc(1, sizeof(*run));
		run->work.run = admin_run_activity;
		run->fn = fn;
		run->input = json;
		rt_pool_submit(srv->pool, &run->work);
		return 0;
	}
	free(json);
	if (fn->kind == BIND_FN_TIMER) {
		/* func runs a timer fired by hand with a fresh TimerInfo. */
		if (host_timers_admin_fire(fn) == 0)
			return 0;
		bind_http_set_json(h, 400, "{\"Message\":\"The timer scheduler is not running.\"}");
		return -1;
	}
	bind_http_set_json(h, 400,
			   "{\"Message\":\"HTTP functions are invoked through their own route.\"}");
	return -1;
}
