/*
 * worker_main.c - `cfunc worker`: the process that runs one app's code.
 *
 * Started by the host's supervisor (host/worker/supervisor.c), never by
 * hand: fd 3 is its end of the socket, the working directory is the script
 * root, the environment is the host's (settings already exported). It
 * loads the app, sends HELLO and REGISTRATION (common/wire.h), then serves
 * one request at a time until the socket closes. It dies with the host
 * (PR_SET_PDEATHSIG), so a kill -9 of the host leaves no worker behind.
 *
 * Nothing here protects the worker from the app: a crash ends the process,
 * and the host sees the socket close and reaps it. That is the point.
 */
#include "host/worker/worker_main.h"

#include "bindings/activity_trigger.h"
#include "bindings/bind_log.h"
#include "bindings/http_trigger.h"
#include "bindings/registry.h"
#include "common/clock.h"
#include "common/urlcodec.h"
#include "common/wire.h"
#include "common/xalloc.h"
#include "host/apps.h"
#include "host/config/config.h"
#include "host/log.h"
#include "host/worker/channel.h"
#include "host/worker/worker_client.h"
#include "host/worker/entity_calls.h"
#include "host/worker/episode.h"
#include "host/worker/history_cache.h"
#include "host/worker/timer_calls.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define CHANNEL_FD 3

static struct host_config worker_cfg;
static int have_cfg;
static char load_error[1024];

static int level_of(void *user, const char *category)
{
	(void)user;
	return have_cfg ? host_config_log_level(&worker_cfg, category) : RT_LOG_INFO;
}

static void log_to_console(const char *category, int level, const char *fmt, va_list ap)
{
	host_logv(category, (enum rt_log_level)level, fmt, ap);
}

static void report(const char *line)
{
	snprintf(load_error, sizeof(load_error), "%s", line);
}

static enum rt_wire_fn_kind wire_kind(enum bind_fn_kind k)
{
	switch (k) {
	case BIND_FN_HTTP: return RT_WIRE_FN_HTTP;
	case BIND_FN_ORCHESTRATOR: return RT_WIRE_FN_ORCHESTRATOR;
	case BIND_FN_ACTIVITY: return RT_WIRE_FN_ACTIVITY;
	case BIND_FN_TIMER: return RT_WIRE_FN_TIMER;
	case BIND_FN_ENTITY: return RT_WIRE_FN_ENTITY;
	}
	return RT_WIRE_FN_HTTP;
}

static void send_registration(struct rt_wire_buf *out, const struct bind_registry *reg,
			      const char *app_name, const char *error)
{
	struct rt_wire_hello hello = {.minor = RT_WIRE_MINOR, .pid = getpid(), .app = app_name,
				      .abi = (uint32_t)CF_ABI_MAJOR << 16 | CF_ABI_MINOR};
	struct rt_wire_function *fns = xcalloc(reg->nfns + 1, sizeof(*fns));
	for (size_t i = 0; i < reg->nfns; i++) {
		const struct bind_function *fn = reg->fns[i];
		fns[i] = (struct rt_wire_function){
			.name = fn->name, .kind = wire_kind(fn->kind), .methods = fn->methods,
			.route = fn->route, .auth = (uint32_t)fn->auth, .schedule = fn->schedule,
			.flags = fn->timer_flags,
		};
	}
	struct rt_wire_registration r = {.app = app_name, .error = error, .fns = fns,
					 .nfns = error ? 0 : reg->nfns};
	rt_wire_hello_encode(out, &hello);
	rt_wire_registration_encode(out, &r);
	free(fns);
}

static void serve_http(struct rt_wire_buf *out, const struct bind_registry *reg, uint64_t id,
		       const struct rt_wire_http_request *m, struct rt_arena *a)
{
	struct bind_function *fn = bind_registry_find_kind(reg, m->name, BIND_FN_HTTP);
	struct rt_wire_http_response res = {.status = 500};
	struct bind_http h;
	if (!fn) {
		/* Routed by the host just before a deploy removed the function:
		 * it is gone, so the client gets what it gets from now on, 404. */
		res.status = 404;
		rt_wire_http_response_encode(out, id, &res);
		return;
	}
	bind_http_init(&h, fn, a);
	h.method = m->method;
	h.url = m->url ? m->url : "";
	h.base_url = m->base_url ? m->base_url : "";
	h.path = m->path;
	h.raw_query = m->query;
	if (*m->query) {
		struct bind_query q;
		bind_urlcodec_query_parse(&q, m->query, strlen(m->query), a);
		h.query = (const struct bind_kv *)q.params;
		h.nquery = q.count;
	}
	struct bind_kv *hdrs = rt_arena_alloc(a, (m->nheaders + 1) * sizeof(*hdrs));
	struct bind_kv *params = rt_arena_alloc(a, (m->nparams + 1) * sizeof(*params));
	for (size_t i = 0; i < m->nheaders; i++)
		hdrs[i] = (struct bind_kv){m->headers[i].name, m->headers[i].value};
	for (size_t i = 0; i < m->nparams; i++)
		params[i] = (struct bind_kv){m->params[i].name, m->params[i].value};
	h.headers = hdrs;
	h.nheaders = m->nheaders;
	h.params = params;
	h.nparams = m->nparams;
	h.body = m->body.data;
	h.body_len = m->body.len;

	int rc = fn->http((cf_http *)&h);
	struct rt_wire_kv *rh = rt_arena_alloc(a, (h.nresp + 1) * sizeof(*rh));
	for (size_t i = 0; i < h.nresp; i++)
		rh[i] = (struct rt_wire_kv){h.resp_headers[i].name, h.resp_headers[i].value};
	res.status = (uint32_t)h.status;
	res.headers = rh;
	res.nheaders = h.nresp;
	res.body = (struct rt_wire_bytes){h.resp_body ? h.resp_body : "", h.resp_len};
	if (rc < 0) {
		res.failed = 1;
		res.error = h.ctx.last_error ? h.ctx.last_error
					     : rt_arena_fmt(a, "The function returned %d.", rc);
	}
	if (rt_wire_http_response_encode(out, id, &res) != 0) {
		struct rt_wire_http_response big = {.status = 500, .failed = 1,
						    .error = "The response is too large."};
		rt_wire_http_response_encode(out, id, &big);
	}
}

static void serve_activity(struct rt_wire_buf *out, const struct bind_registry *reg, uint64_t id,
			   const struct rt_wire_activity_request *m, struct rt_arena *a)
{
	struct bind_function *fn = bind_registry_find_kind(reg, m->name, BIND_FN_ACTIVITY);
	struct rt_wire_activity_result r = {.failed = 1};
	if (!fn) {
		r.error = rt_arena_fmt(a, "The function '%s' doesn't exist, is disabled, or is not "
					  "an activity function.", m->name);
		rt_wire_activity_result_encode(out, id, &r);
		return;
	}
	struct rt_activity_call call = {
		.name = m->name, .input = m->input, .instance_id = m->instance,
		.execution_id = m->execution ? m->execution : "", .task_id = (int)m->task,
		.attempt = (int)m->attempt, .idempotency_key = m->key ? m->key : "", .arena = a,
	};
	struct rt_activity_result res = {0};
	bind_act_run(NULL, fn, &call, &res);
	r.failed = (uint32_t)(res.failed != 0);
	r.output = res.failed ? NULL : (res.result ? res.result : "null");
	r.error = res.failed ? (res.message ? res.message : "activity failed") : NULL;
	if (rt_wire_activity_result_encode(out, id, &r) != 0) {
		struct rt_wire_activity_result big = {.failed = 1,
						      .error = "The activity result is too large."};
		rt_wire_activity_result_encode(out, id, &big);
	}
}

int host_worker_main(int argc, char **argv)
{
	const char *app_path = NULL;
	long host_pid = 0;
	int verbose = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
			app_path = argv[++i];
		else if (strcmp(argv[i], "--host-pid") == 0 && i + 1 < argc)
			host_pid = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = 1;
	}
	if (!app_path || host_pid <= 0) {
		fprintf(stderr, "cfunc worker: started by `cfunc start` only (--app, --host-pid)\n");
		return 2;
	}
	/* Die with the host; if it is already gone, leave now. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != (pid_t)host_pid)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	/* SIGINT (Ctrl+C) and SIGHUP (a closed terminal, or `kill -HUP` of the
	 * group) reach the whole process group: the host drains or deploys
	 * and closes our socket when it wants us gone; we must not die first. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (sodium_init() < 0)
		return 1;

	char cwd[4096];
	char *err = NULL;
	if (getcwd(cwd, sizeof(cwd)) && host_config_load(&worker_cfg, cwd, &err) == 0)
		have_cfg = 1;
	free(err);
	host_log_init(verbose, level_of, NULL);
	bind_api_set_logger(log_to_console);

	struct bind_registry reg;
	struct rt_wire_buf in, out;
	struct rt_arena arena;
	bind_registry_init(&reg);
	/* host.json "functions" (or --functions, exported by the host) leaves
	 * the same functions out as the host: one it does not serve must not
	 * refuse the app here either (a bad route of a function left out). */
	if (have_cfg && worker_cfg.functions) {
		reg.only = xcalloc(worker_cfg.n_functions + 1, sizeof(char *));
		for (size_t i = 0; i < worker_cfg.n_functions; i++)
			reg.only[i] = xstrdup(worker_cfg.functions[i]);
		reg.nonly = worker_cfg.n_functions;
	}
	rt_wire_buf_init(&in);
	rt_wire_buf_init(&out);
	rt_arena_init(&arena);

	err = NULL;
	host_apps_set_api(host_worker_client_api(CHANNEL_FD, &in, &out));
	int rc = host_apps_load_one(&reg, app_path, report, &err);
	const char *slash = strrchr(app_path, '/');
	const char *error = rc == 0 ? NULL : err ? err : load_error[0] ? load_error : "not loaded";
	send_registration(&out, &reg, slash ? slash + 1 : app_path, error);
	if (host_chan_write(CHANNEL_FD, &out) != 0 || error)
		return 1;
	free(err);

	/* The pasts of the episodes this worker ran (history_cache.h); the
	 * idle time can be shortened for tests (CFUNC_WORKER_HISTORY_IDLE_MS). */
	const char *idle = getenv("CFUNC_WORKER_HISTORY_IDLE_MS");
	struct history_cache *histories =
		history_cache_new(idle && atoll(idle) > 0 ? atoll(idle) * 1000 : 0, 0, 0);
	int64_t sweep_due = 0;
	for (;;) {
		struct rt_wire_frame f;
		size_t used;
		const char *why = NULL;
		/* Idle instances are dropped even when no request comes. */
		enum host_chan_rc cr = host_chan_read(CHANNEL_FD, &in, RT_WIRE_MAX_FRAME, sweep_due, &f,
						      &used, &why);
		if (cr == HOST_CHAN_TIMEOUT || (sweep_due && rt_mono_us() >= sweep_due)) {
			sweep_due = history_cache_sweep(histories, rt_mono_us());
			if (cr == HOST_CHAN_TIMEOUT)
				continue;
		}
		if (cr != HOST_CHAN_FRAME)
			break;
		if (f.type == RT_WIRE_HTTP_REQUEST) {
			struct rt_wire_http_request m;
			if (rt_wire_http_request_decode(&f, &m, &arena, &why) != 0)
				break;
			/* Decoded copies live in the arena: the buffer is free for
			 * the durable-client replies read while the function runs. */
			rt_wire_buf_consume(&in, used);
			used = 0;
			serve_http(&out, &reg, f.id, &m, &arena);
		} else if (f.type == RT_WIRE_ACTIVITY_REQUEST) {
			struct rt_wire_activity_request m;
			if (rt_wire_activity_request_decode(&f, &m, &arena, &why) != 0)
				break;
			rt_wire_buf_consume(&in, used);
			used = 0;
			serve_activity(&out, &reg, f.id, &m, &arena);
		} else if (f.type == RT_WIRE_ORCH_REQUEST) {
			struct rt_wire_orch_request m;
			if (rt_wire_orch_request_decode(&f, &m, &arena, &why) != 0)
				break;
			rt_wire_buf_consume(&in, used);
			used = 0;
			host_episode_serve(&out, &reg, f.id, &m, &arena, histories, rt_mono_us());
			if (!sweep_due && history_cache_count(histories))
				sweep_due = history_cache_sweep(histories, rt_mono_us());
		} else if (f.type == RT_WIRE_TIMER_REQUEST) {
			struct rt_wire_timer_request m;
			if (rt_wire_timer_request_decode(&f, &m, &arena, &why) != 0)
				break;
			rt_wire_buf_consume(&in, used);
			used = 0;
			host_timer_serve(&out, &reg, f.id, &m, &arena);
		} else if (f.type == RT_WIRE_ENTITY_REQUEST) {
			struct rt_wire_entity_request m;
			if (rt_wire_entity_request_decode(&f, &m, &arena, &why) != 0)
				break;
			rt_wire_buf_consume(&in, used);
			used = 0;
			host_entity_serve(&out, &reg, f.id, &m, &arena);
		} else if (f.type == RT_WIRE_SHUTDOWN) {
			break;
		}
		rt_wire_buf_consume(&in, used);
		host_log_flush();
		if (host_chan_write(CHANNEL_FD, &out) != 0)
			break;
		rt_arena_reset(&arena);
	}
	host_log_flush();
	history_cache_free(histories);
	/* The app's fini runs as it would in the host. */
	bind_registry_cleanup(&reg);
	rt_arena_cleanup(&arena);
	rt_wire_buf_cleanup(&in);
	rt_wire_buf_cleanup(&out);
	if (have_cfg)
		host_config_free(&worker_cfg);
	return 0;
}
