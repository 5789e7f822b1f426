/*
 * cli_replay.c - `cfunc replay (--history FILE | --id ID)`: runs the
 * orchestrator of the current build (the apps of the app root, as `cfunc
 * start` loads them) against a stored history and reports the first
 * divergence. Exit 0: replays cleanly; 1: diverges (the message says
 * where); 2: the history or the apps could not be used.
 *
 * The verdict is the engine's own. The history is the stored event list
 * (history_json.h: event ids, TaskScheduledId links, OrchestratorStarted
 * rows, in append order), from a file written by `cfunc durable
 * get-history --json` or read here the same way (from the running host,
 * else the hub file). Nothing is rebuilt: those events go to
 * rt_replay_run() as the committed past, with the engine's hooks, exactly
 * as the engine's next episode of that instance would replay them. Every
 * episode re-runs the code from the top against the whole past (there is
 * no live stack), so that one replay checks every call recorded in any
 * episode. A history that ended is replayed without its end
 * (ExecutionCompleted or ContinueAsNew and the OrchestratorCompleted after
 * it), and the end the current build reaches is compared with it.
 */
#include "host/apps.h"
#include "host/apps_missing.h"
#include "host/cli/cli_durable.h"
#include "host/cli/cli_new.h"
#include "host/config/config.h"
#include "host/log.h"
#include "bindings/history_json.h"
#include "bindings/orch_trigger.h"
#include "bindings/registry.h"
#include "runtime/engine.h"
#include "runtime/replay.h"
#include "common/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Name checks as the engine's hooks make them (host/durable.c): a
 * disabled function is no function. */
static struct bind_function *find_enabled(struct bind_registry *reg, const char *name,
					  enum bind_fn_kind kind)
{
	struct bind_function *fn = bind_registry_find_kind(reg, name, kind);
	return fn && !fn->disabled ? fn : NULL;
}

static int is_activity(void *ctx, const char *name)
{
	return find_enabled(ctx, name, BIND_FN_ACTIVITY) != NULL;
}

static int is_orchestrator(void *ctx, const char *name)
{
	return find_enabled(ctx, name, BIND_FN_ORCHESTRATOR) != NULL;
}

static int level_of(void *user, const char *category)
{
	return host_config_log_level(user, category);
}

static void report_refused(const char *line)
{
	fprintf(stderr, "cfunc replay: %s\n", line);
}

static char *read_all(const char *path, size_t *len, char **err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *buf;
	if (!f) {
		*err = xasprintf("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: cfunc replay (--history <file> | --id <instance>) [--orchestrator <name>]\n"
		"                    [--script-root <dir>] [--task-hub-name <name>]\n"
		"\n"
		"Replays the current build's orchestrator against an instance's stored history, as\n"
		"the engine would replay it, and reports the first divergence. --history reads the\n"
		"output of 'cfunc durable get-history --id <instance> --json' ('-' reads stdin);\n"
		"--id reads the history itself, from the running host or else the task hub file.\n"
		"Exit 0 when it replays cleanly, 1 with the first divergence, 2 on bad input.\n");
}

/* The history JSON of --history: the stored event array, not the API's
 * status object (its projection lacks the event ids replay needs). */
static json_t *load_file(const char *file, char **err)
{
	json_error_t jerr;
	size_t len = 0;
	char *text = read_all(file, &len, err);
	json_t *root;
	if (!text)
		return NULL;
	root = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!root) {
		*err = xasprintf("%s: not JSON (line %d, column %d): %s", file, jerr.line,
				 jerr.column, jerr.text);
	} else if (!json_is_array(root)) {
		*err = xasprintf("%s: not a stored history (a JSON array of events)%s; export one with "
				 "cfunc durable get-history --id <id> --json, or use cfunc replay --id <id>",
				 file,
				 json_object_get(root, "historyEvents")
					 ? " but the management API's status, whose showHistory view merges "
					   "and drops events"
					 : "");
		json_decref(root);
		root = NULL;
	}
	return root;
}

/* The history of --id, from the host serving the hub or the hub file. */
static json_t *load_instance(const char *id, const char *script_root, const char *task_hub,
			     char **err)
{
	struct dcli_hub hub;
	struct dcli_result r = {0};
	json_t *events = NULL;

	if (dcli_hub_open(&hub, script_root, task_hub, "cfunc replay") != 0) {
		*err = xstrdup("cannot read the task hub");
	} else if (dcli_history(&hub, id, &r) == RT_OK) {
		events = json_incref(r.json);
	} else if (r.rc == RT_E_NOTFOUND) {
		*err = xasprintf("task hub '%s' has no instance '%s'", hub.name, id);
	} else {
		*err = xasprintf("cannot read the history of '%s': %s", id,
				 r.err ? r.err : "the operation failed");
	}
	dcli_result_clear(&r);
	dcli_hub_close(&hub);
	return events;
}

/* What the stored events say about themselves. */
struct recorded {
	const struct rt_event *started; /* ExecutionStarted */
	size_t n_past;   /* events before the end (all of them while running) */
	int ended;       /* an ExecutionCompleted or ContinueAsNew was recorded */
	enum rt_status end_status;
	size_t n_calls;  /* scheduled events (activities, timers, children, events sent) */
	int64_t last_us; /* the latest time in the history */
};

static int inspect(const struct rt_event *ev, size_t n, struct recorded *rec, char **err)
{
	memset(rec, 0, sizeof(*rec));
	rec->n_past = n;
	for (size_t i = 0; i < n; i++) {
		enum rt_event_type t = ev[i].type;
		if (ev[i].timestamp_us > rec->last_us)
			rec->last_us = ev[i].timestamp_us;
		if (rec->ended)
			continue;
		if (t == RT_EV_EXECUTION_STARTED && !rec->started)
			rec->started = &ev[i];
		else if (t == RT_EV_TASK_SCHEDULED || t == RT_EV_TIMER_CREATED ||
			 t == RT_EV_SUB_ORCH_CREATED || t == RT_EV_EVENT_SENT)
			rec->n_calls++;
		else if (t == RT_EV_EXECUTION_COMPLETED || t == RT_EV_CONTINUE_AS_NEW) {
			rec->ended = 1;
			rec->end_status = ev[i].orchestration_status;
			rec->n_past = i;
		}
	}
	if (!rec->started) {
		*err = xstrdup(n ? "the history has no ExecutionStarted"
				 : "the history is empty (the instance has not started yet)");
		return -1;
	}
	return 0;
}

/* The decision, from the replay's outcome and the recorded end. */
static int verdict(const struct recorded *rec, const char *id, const char *name,
		   const struct rt_episode_out *out)
{
	const char *text = NULL;
	json_t *v = out->output ? json_loads(out->output, JSON_DECODE_ANY, NULL) : NULL;
	int rc = 0;
	if (json_is_string(v))
		text = json_string_value(v);
	if (out->status == RT_ST_FAILED && text &&
	    strncmp(text, "Non-Deterministic workflow detected:", 36) == 0) {
		printf("Divergence in '%s' (instance '%s'): %s\n", name, id, text);
		rc = 1;
	} else if (rec->ended && rec->end_status != RT_ST_TERMINATED &&
		   out->status != rec->end_status) {
		printf("Divergence in '%s' (instance '%s'): the recorded execution ended %s, the current "
		       "build ends %s%s%s\n",
		       name, id, rt_status_name(rec->end_status), rt_status_name(out->status),
		       text ? ": " : "", text ? text : "");
		rc = 1;
	} else if (!rec->ended && out->status == RT_ST_FAILED) {
		printf("Divergence in '%s' (instance '%s'): the current build fails it: %s\n", name, id,
		       text ? text : "(no message)");
		rc = 1;
	} else if (rec->ended && rec->end_status == RT_ST_TERMINATED) {
		/* The code never decided that end: only the calls are compared. */
		printf("Replayed '%s' (instance '%s'): the current build makes the %zu recorded call(s) "
		       "in the same order up to the recorded termination.\n",
		       name, id, rec->n_calls);
	} else {
		printf("Replayed '%s' (instance '%s'): the current build makes the %zu recorded call(s) "
		       "in the same order and %s %s%s.\n",
		       name, id, rec->n_calls, rec->ended ? "ends" : "is now",
		       rt_status_name(out->status), rec->ended ? ", as recorded" : "");
	}
	json_decref(v);
	return rc;
}

int host_cli_replay(int argc, char **argv)
{
	const char *file = NULL, *id = NULL, *orch = NULL, *script_root = NULL, *task_hub = NULL;
	struct host_config cfg;
	struct bind_registry reg;
	struct rt_arena arena;
	struct rt_event *ev = NULL;
	struct recorded rec;
	json_t *events = NULL;
	char *root = NULL, *err = NULL, cwd[PATH_MAX];
	size_t n = 0;
	int rc = 2, have_cfg = 0;

	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--history") == 0 && next) {
			file = argv[++i];
		} else if (strcmp(argv[i], "--id") == 0 && next) {
			id = argv[++i];
		} else if (strcmp(argv[i], "--orchestrator") == 0 && next) {
			orch = argv[++i];
		} else if (strcmp(argv[i], "--script-root") == 0 && next) {
			script_root = argv[++i];
		} else if (strcmp(argv[i], "--task-hub-name") == 0 && next) {
			task_hub = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "cfunc replay: unknown or incomplete option '%s'\n\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!file == !id) {
		fprintf(stderr, "cfunc replay: give --history <file> or --id <instance>, one of them\n\n");
		usage(stderr);
		return 2;
	}
	if (task_hub && !id) {
		fprintf(stderr, "cfunc replay: --task-hub-name goes with --id\n");
		return 2;
	}
	rt_arena_init(&arena);
	bind_registry_init(&reg);
	events = file ? load_file(file, &err) : load_instance(id, script_root, task_hub, &err);
	if (!events)
		goto out;
	if (bind_history_parse(events, &ev, &n, &arena, &err) != 0) {
		char *m = xasprintf("%s: %s", file ? file : id, err);
		free(err);
		err = m;
		goto out;
	}
	if (inspect(ev, n, &rec, &err) != 0)
		goto out;
	if (!orch)
		orch = rec.started->name;
	if (!orch) {
		err = xstrdup("the history names no orchestrator; give --orchestrator <name>");
		goto out;
	}
	if (script_root) {
		root = realpath(script_root, NULL);
		if (!root) {
			err = xasprintf("cannot use --script-root '%s': %s", script_root, strerror(errno));
			goto out;
		}
	} else if (!getcwd(cwd, sizeof(cwd)) || host_config_find_root(cwd, &root, &err) != 0) {
		if (!err)
			err = xstrdup("cannot read the current directory");
		goto out;
	}
	if (host_config_load(&cfg, root, &err) != 0) {
		host_config_free(&cfg);
		goto out;
	}
	have_cfg = 1;
	host_log_init(0, level_of, &cfg);
	host_apps_report_missing(&cfg, report_refused);
	if (host_apps_load(&reg, root, cfg.apps, cfg.n_apps, report_refused, &err) != 0)
		goto out;
	struct bind_function *fn = find_enabled(&reg, orch, BIND_FN_ORCHESTRATOR);
	if (!fn) {
		err = xasprintf("the apps of %s have no orchestrator '%s' (or it is disabled)", root,
				orch);
		goto out;
	}

	/* The engine's next episode of this instance (engine_episode.c), with
	 * nothing new to deliver. */
	struct rt_episode_in in;
	struct rt_episode_out out;
	memset(&in, 0, sizeof(in));
	in.instance_id = rec.started->instance_id;
	in.execution_id = rec.started->execution_id;
	in.name = orch;
	in.past = ev;
	in.n_past = rec.n_past;
	in.now_us = rec.last_us;
	in.run = bind_orch_run;
	in.fn = fn;
	in.is_activity = is_activity;
	in.is_orchestrator = is_orchestrator;
	in.ctx = &reg;
	in.max_actions = cfg.durable.max_orchestration_actions;
	in.arena = &arena;
	if (rt_replay_run(&in, &out) != 0) {
		err = xasprintf("%s cannot be replayed: %s", file ? file : id, out.error);
		goto out;
	}
	rc = verdict(&rec, rec.started->instance_id ? rec.started->instance_id : "", orch, &out);
out:
	if (err)
		fprintf(stderr, "cfunc replay: %s\n", err);
	free(err);
	json_decref(events);
	bind_registry_cleanup(&reg);
	if (have_cfg)
		host_config_free(&cfg);
	free(root);
	rt_arena_cleanup(&arena);
	return rc;
}
