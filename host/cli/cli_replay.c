/*
 * cli_replay.c - `cfunc replay --history FILE [--orchestrator NAME]`: runs
 * the orchestrator of the current build (the apps of the app root, as
 * `cfunc start` loads them) against a history exported from the management
 * API, and reports the first divergence the replay engine finds.
 * Exit 0: replays cleanly; 1: diverges (the message says where); 2: the
 * history or the apps could not be used.
 */
#include "host/apps.h"
#include "host/cli/cli_new.h"
#include "host/config/config.h"
#include "host/cli/history_json.h"
#include "host/log.h"
#include "bindings/orch_trigger.h"
#include "bindings/registry.h"
#include "runtime/replay.h"
#include "common/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_kind(void *ctx, const char *name, enum bind_fn_kind kind)
{
	struct bind_function *fn = bind_registry_find_kind(ctx, name, kind);
	return fn && !fn->disabled;
}

static int is_activity(void *ctx, const char *name)
{
	return is_kind(ctx, name, BIND_FN_ACTIVITY);
}

static int is_orchestrator(void *ctx, const char *name)
{
	return is_kind(ctx, name, BIND_FN_ORCHESTRATOR);
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
	fprintf(out, "Usage: cfunc replay --history <file> [--orchestrator <name>] [--script-root <dir>]\n"
		     "\n"
		     "Replays the current build's orchestrator against a stored history: the status\n"
		     "JSON of GET /runtime/webhooks/durabletask/instances/<id>?showHistory=true&\n"
		     "showHistoryOutput=true (or its historyEvents array; '-' reads stdin).\n"
		     "Exit 0 when it replays cleanly, 1 with the first divergence, 2 on bad input.\n");
}

/* The decision, from the replay's outcome and the recorded end. */
static int verdict(const struct host_history *h, const char *name, const struct rt_episode_out *out)
{
	const char *text = NULL;
	json_t *v = out->output ? json_loads(out->output, JSON_DECODE_ANY, NULL) : NULL;
	int rc = 0;
	if (json_is_string(v))
		text = json_string_value(v);
	if (out->status == RT_ST_FAILED && text &&
	    strncmp(text, "Non-Deterministic workflow detected:", 36) == 0) {
		printf("Divergence in '%s' (instance '%s'): %s\n", name, h->instance_id, text);
		rc = 1;
	} else if (h->ended && h->end_status != RT_ST_TERMINATED && (int)out->status != h->end_status) {
		printf("Divergence in '%s' (instance '%s'): the recorded execution ended %s, the current "
		       "build ends %s%s%s\n",
		       name, h->instance_id, rt_status_name((enum rt_status)h->end_status),
		       rt_status_name(out->status), text ? ": " : "", text ? text : "");
		rc = 1;
	} else if (!h->ended && out->status == RT_ST_FAILED) {
		printf("Divergence in '%s' (instance '%s'): the current build fails it: %s\n", name,
		       h->instance_id, text ? text : "(no message)");
		rc = 1;
	} else {
		printf("Replayed '%s' (instance '%s'): the current build makes the %zu recorded call(s) "
		       "in the same order and %s %s%s.\n",
		       name, h->instance_id, h->n_calls, h->ended ? "ends" : "is now",
		       rt_status_name(out->status), h->ended ? ", as recorded" : "");
	}
	json_decref(v);
	return rc;
}

int host_cli_replay(int argc, char **argv)
{
	const char *file = NULL, *orch = NULL, *script_root = NULL;
	struct host_config cfg;
	struct bind_registry reg;
	struct host_history h;
	struct rt_arena arena;
	char *root = NULL, *err = NULL, *text = NULL, cwd[PATH_MAX];
	size_t len = 0;
	int rc = 2, have_cfg = 0;

	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--history") == 0 && next) {
			file = argv[++i];
		} else if (strcmp(argv[i], "--orchestrator") == 0 && next) {
			orch = argv[++i];
		} else if (strcmp(argv[i], "--script-root") == 0 && next) {
			script_root = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "cfunc replay: unknown or incomplete option '%s'\n\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "cfunc replay: --history <file> is required\n\n");
		usage(stderr);
		return 2;
	}
	rt_arena_init(&arena);
	bind_registry_init(&reg);
	if (!(text = read_all(file, &len, &err)))
		goto out;
	if (host_history_parse(text, len, &h, &arena, &err) != 0) {
		char *m = xasprintf("%s: %s", file, err);
		free(err);
		err = m;
		goto out;
	}
	if (!orch)
		orch = h.name;
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
	if (host_apps_load(&reg, root, cfg.apps, cfg.n_apps, report_refused, &err) != 0)
		goto out;
	struct bind_function *fn = bind_registry_find_kind(&reg, orch, BIND_FN_ORCHESTRATOR);
	if (!fn) {
		err = xasprintf("the apps of %s have no orchestrator '%s'", root, orch);
		goto out;
	}
	if (!h.has_results && h.n_calls)
		fprintf(stderr, "cfunc replay: warning: the history has no results (export it with "
				"showHistoryOutput=true); the code sees null for every result\n");

	struct rt_episode_in in;
	struct rt_episode_out out;
	memset(&in, 0, sizeof(in));
	in.instance_id = h.instance_id;
	in.name = orch;
	in.past = h.events;
	in.n_past = h.n;
	in.now_us = h.last_us;
	in.run = bind_orch_run;
	in.fn = fn;
	in.is_activity = is_activity;
	in.is_orchestrator = is_orchestrator;
	in.ctx = &reg;
	in.max_actions = cfg.durable.max_orchestration_actions;
	in.arena = &arena;
	if (rt_replay_run(&in, &out) != 0) {
		err = xasprintf("%s cannot be replayed: %s", file, out.error);
		goto out;
	}
	rc = verdict(&h, orch, &out);
out:
	if (err)
		fprintf(stderr, "cfunc replay: %s\n", err);
	free(err);
	free(text);
	bind_registry_cleanup(&reg);
	if (have_cfg)
		host_config_free(&cfg);
	free(root);
	rt_arena_cleanup(&arena);
	return rc;
}
