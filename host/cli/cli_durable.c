/*
 * cli_durable.c - `cfunc durable <command>`: finds the app root and its
 * task hub with the host's own config loader (so the default hub is the
 * host's), then asks the host serving that hub, or, when none runs, the hub
 * file itself; prints tables, or the API's JSON with --json.
 */
#include "host/cli/cli_durable.h"
#include "runtime/engine.h"
#include "host/keys/keys.h"
#include "host/listen_file.h"
#include "runtime/uuid.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void dcli_result_clear(struct dcli_result *r)
{
	free(r->err);
	json_decref(r->json);
	free(r->token);
	free(r->id);
	memset(r, 0, sizeof(*r));
}

static int pid_alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int dcli_hub_open(struct dcli_hub *h, const char *script_root, const char *task_hub,
		  const char *who)
{
	struct host_listen l;
	char cwd[PATH_MAX], *err = NULL;

	memset(h, 0, sizeof(*h));
	if (task_hub)
		setenv("AzureFunctionsJobHost__extensions__durableTask__hubName", task_hub, 1);
	if (script_root) {
		h->root = realpath(script_root, NULL);
		if (!h->root) {
			fprintf(stderr, "%s: cannot use --script-root '%s': %s\n", who, script_root,
				strerror(errno));
			return -1;
		}
	} else if (!getcwd(cwd, sizeof(cwd)) || host_config_find_root(cwd, &h->root, &err) != 0) {
		if (err)
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "%s: cannot read the current directory\n", who);
		free(err);
		return -1;
	}
	if (host_config_load(&h->cfg, h->root, &err) != 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return -1;
	}
	h->name = h->cfg.durable.hub_name;
	h->path = h->cfg.durable.storage_path;
	if (host_listen_file_read(h->path, &l) != 0 || !pid_alive(l.pid))
		return 0; /* no host, or one that died: work on the file */
	h->host_pid = l.pid;
	h->port = l.port;
	snprintf(h->connect_to, sizeof(h->connect_to), "%s",
		 strcmp(l.address, "0.0.0.0") == 0 ? "127.0.0.1"
		 : strcmp(l.address, "::") == 0    ? "::1"
						   : l.address);
	snprintf(h->host_header, sizeof(h->host_header), "%s%s%s:%d",
		 strchr(h->connect_to, ':') ? "[" : "", h->connect_to,
		 strchr(h->connect_to, ':') ? "]" : "", l.port);
	if (h->cfg.allowed_hosts && h->cfg.allowed_hosts[0] && strcmp(h->cfg.allowed_hosts[0], "*"))
		snprintf(h->host_header, sizeof(h->host_header), "%s:%d", h->cfg.allowed_hosts[0],
			 l.port);
	if (!dhttp_probe(h->connect_to, l.port, 2000)) {
		/* A live process that does not answer may still hold the hub:
		 * writing under it could lose its commits. */
		fprintf(stderr,
			"%s: the host of task hub '%s' (pid %ld) does not answer on %s:%d; "
			"stop it or wait until it listens\n",
			who, h->name, l.pid, h->connect_to, l.port);
		return -1;
	}
	h->online = 1;
	if (l.auth) {
		struct host_keys *keys = NULL;
		if (host_keys_load(&keys, h->root, &err) != 0) {
			fprintf(stderr, "%s: %s\n", who, err);
			free(err);
			return -1;
		}
		h->key = host_keys_system_dup(keys, HOST_KEYS_DURABLE);
		host_keys_free(keys);
	}
	return 0;
}

void dcli_hub_close(struct dcli_hub *h)
{
	doffline_close(h);
	free(h->key);
	host_config_free(&h->cfg);
	free(h->root);
}

static void print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
	if (s)
		puts(s);
	free(s);
}

/* One line on stderr for a failed operation; the exit code. */
static int report(const struct dcli_result *r, const char *id)
{
	if (r->rc == RT_E_NOTFOUND && (!r->err || strstr(r->err, "No instance")))
		fprintf(stderr, "cfunc durable: Could not find an orchestration instance with id '%s'.\n",
			id ? id : "");
	else
		fprintf(stderr, "cfunc durable: %s\n", r->err ? r->err : "the operation failed");
	return 1;
}

static int status_of(struct dcli_hub *h, const char *id, int input, int history,
		     struct dcli_result *r)
{
	return h->online ? dremote_status(h, id, input, history, r)
			 : doffline_status(h, id, input, history, r);
}

int dcli_history(struct dcli_hub *h, const char *id, struct dcli_result *r)
{
	return h->online ? dremote_history(h, id, r) : doffline_history(h, id, r);
}

static int cmd_start_new(struct dcli_hub *h, const struct dcli_args *a)
{
	struct dcli_result r = {0}, st = {0};
	int rc = h->online ? dremote_start(h, a, &r) : doffline_start(h, a, &r);
	if (rc != RT_OK) {
		rc = report(&r, a->id);
		dcli_result_clear(&r);
		return rc;
	}
	if (a->json) {
		print_json(r.json);
	} else {
		const char *created = "";
		if (status_of(h, r.id, 0, 0, &st) == RT_OK)
			created = json_string_value(json_object_get(st.json, "createdTime"));
		printf("Started '%s' at %s. Instance ID: '%s'.\n", a->function_name,
		       created ? created : "", r.id);
		if (!h->online)
			printf("No host runs on task hub '%s': the instance runs when one starts.\n",
			       h->name);
	}
	dcli_result_clear(&st);
	dcli_result_clear(&r);
	return 0;
}

static int cmd_status(struct dcli_hub *h, const struct dcli_args *a, int history)
{
	struct dcli_result r = {0};
	int rc = history && a->json ? dcli_history(h, a->id, &r)
				    : status_of(h, a->id, history ? 0 : a->show_input, history, &r);
	if (rc != RT_OK) {
		rc = report(&r, a->id);
	} else if (history && a->json) {
		/* The stored events, as func durable get-history prints them
		 * (and cfunc replay reads them), not the API's projection. */
		print_json(r.json);
		rc = 0;
	} else if (history) {
		/* A Pending instance has no historyEvents yet. */
		json_t *ev = json_object_get(r.json, "historyEvents");
		if (ev) {
			dtable_print_history(ev, stdout);
		} else {
			printf("Instance '%s' is %s: it has no history yet.\n", a->id,
			       json_string_value(json_object_get(r.json, "runtimeStatus")));
		}
		rc = 0;
	} else {
		/* As func: input and output only when asked for. */
		if (!a->show_input)
			json_object_del(r.json, "input");
		if (!a->show_output)
			json_object_del(r.json, "output");
		if (a->json)
			print_json(r.json);
		else
			dtable_print_status(r.json, a->show_input, a->show_output, stdout);
		rc = 0;
	}
	dcli_result_clear(&r);
	return rc;
}

static int cmd_list(struct dcli_hub *h, const struct dcli_args *a)
{
	struct dcli_result r = {0};
	int rc = h->online ? dremote_list(h, a, &r) : doffline_list(h, a, &r);
	if (rc != RT_OK) {
		rc = report(&r, NULL);
		dcli_result_clear(&r);
		return rc;
	}
	if (a->json)
		print_json(r.json);
	else if (json_array_size(r.json) == 0)
		printf("No instances on this page.\n");
	else
		dtable_print_instances(r.json, stdout);
	/* func's line; on stderr with --json so stdout stays one JSON value. */
	if (r.token)
		fprintf(a->json ? stderr : stdout,
			"Continuation token for next set of results: '%s'\n", r.token);
	dcli_result_clear(&r);
	return 0;
}

/* func waits up to 30 s for a terminate to take effect; so does this. */
static void wait_terminated(struct dcli_hub *h, const char *id)
{
	int64_t deadline = rt_mono_us() + 30 * 1000000LL;
	while (rt_mono_us() < deadline) {
		struct dcli_result st = {0};
		const char *status = dremote_status(h, id, 0, 0, &st) == RT_OK
					     ? json_string_value(json_object_get(st.json, "runtimeStatus"))
					     : NULL;
		int done = status && strcmp(status, "Terminated") == 0;
		dcli_result_clear(&st);
		if (done)
			return;
		usleep(50 * 1000); /* polling the host for a condition, bounded above */
	}
}

/* The instance's runtimeStatus (malloc'd), through the host or the file;
 * NULL when it cannot be read. */
static char *runtime_status(struct dcli_hub *h, const char *id)
{
	struct dcli_result st = {0};
	int rc = h->online ? dremote_status(h, id, 0, 0, &st) : doffline_status(h, id, 0, 0, &st);
	const char *s = rc == RT_OK ? json_string_value(json_object_get(st.json, "runtimeStatus"))
				      : NULL;
	char *out = s ? xstrdup(s) : NULL;
	dcli_result_clear(&st);
	return out;
}

/*
 * func's rewind prints the status before and, three seconds later, after.
 * Here the host is polled (every 50 ms, 3 s at most) until the instance
 * has left `before`, so a script does not wait longer than the rewind
 * takes; offline nothing changes until a host starts.
 */
static void print_rewind_statuses(struct dcli_hub *h, const char *id, const char *before)
{
	int64_t deadline = rt_mono_us() + 3 * 1000000LL;
	char *after = runtime_status(h, id);

	printf("Rewind message sent to instance '%s'. Retrieving new status now...\n", id);
	while (h->online && after && before && strcmp(after, before) == 0 &&
	       rt_mono_us() < deadline) {
		usleep(50 * 1000); /* polling the host for a condition, bounded above */
		free(after);
		after = runtime_status(h, id);
	}
	if (before && after) {
		printf("Status before rewind: %s\n", before);
		printf("Status after rewind: %s\n", after);
	}
	free(after);
}

static int cmd_lifecycle(struct dcli_hub *h, const struct dcli_args *a, enum dcli_lifecycle op)
{
	struct dcli_result r = {0};
	char event_name[64];
	const char *name = a->event_name;
	const char *data = op == DCLI_RAISE ? a->input_json : a->reason;
	char *before = NULL; /* rewind: the status it had */
	int rc;

	if (op == DCLI_RAISE && !name) {
		char hex[33];
		rt_uuid_random_hex(hex);
		snprintf(event_name, sizeof(event_name), "Event_%s", hex);
		name = event_name;
	}
	if (op == DCLI_REWIND && !a->json)
		before = runtime_status(h, a->id);
	rc = h->online ? dremote_lifecycle(h, op, a->id, name, data, &r)
		       : doffline_lifecycle(h, op, a->id, name, data, &r);
	if (rc != RT_OK) {
		/* The API's 410 (the instance has ended) has no body: say what
		 * the offline path says. */
		if (rc == RT_E_GONE && !r.err) {
			char *now = runtime_status(h, a->id);
			if (now)
				r.err = xasprintf("Instance '%s' is %s.", a->id, now);
			free(now);
		}
		rc = report(&r, a->id);
		dcli_result_clear(&r);
		free(before);
		return rc;
	}
	dcli_result_clear(&r);
	if (op == DCLI_TERMINATE && h->online)
		wait_terminated(h, a->id);
	if (a->json) {
		json_t *o = json_pack("{s:s,s:b,s:b}", "instanceId", a->id, "accepted", 1,
				      "hostRunning", h->online);
		print_json(o);
		json_decref(o);
		return 0;
	}
	switch (op) {
	case DCLI_RAISE:
		printf("Raised event '%s' to instance '%s'.\n", name, a->id);
		break;
	case DCLI_TERMINATE:
		printf("Successfully terminated '%s'.\n", a->id);
		break;
	case DCLI_SUSPEND:
		printf("Suspended '%s'.\n", a->id);
		break;
	case DCLI_RESUME:
		printf("Resumed '%s'.\n", a->id);
		break;
	case DCLI_REWIND:
		print_rewind_statuses(h, a->id, before);
		free(before);
		break;
	}
	if (!h->online)
		printf("No host runs on task hub '%s': recorded, it takes effect when the host starts.\n",
		       h->name);
	return 0;
}

static int cmd_purge(struct dcli_hub *h, const struct dcli_args *a)
{
	struct dcli_result r = {0};
	int rc = h->online ? dremote_purge(h, a, &r) : doffline_purge(h, a, &r);
	if (rc != RT_OK) {
		rc = report(&r, a->id);
		dcli_result_clear(&r);
		return rc;
	}
	if (a->json) {
		json_t *o = json_pack("{s:I}", "instancesDeleted", (json_int_t)r.count);
		print_json(o);
		json_decref(o);
	} else {
		printf("Instances deleted: %lld\n", (long long)r.count);
	}
	dcli_result_clear(&r);
	return 0;
}

static int cmd_delete_hub(struct dcli_hub *h, const struct dcli_args *a)
{
	char *err = NULL;
	if (h->online) {
		fprintf(stderr, "cfunc durable: a host (pid %ld) runs on task hub '%s'; stop it first\n",
			h->host_pid, h->name);
		return 1;
	}
	if (!a->yes) {
		char line[16];
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "cfunc durable: delete-task-hub deletes every instance of '%s'; "
					"pass --yes to do it without a terminal\n",
				h->name);
			return 1;
		}
		printf("Delete task hub '%s' (%s) and every instance in it? [y/N] ", h->name, h->path);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
			printf("Nothing deleted.\n");
			return 1;
		}
	}
	if (doffline_delete_hub(h, &err) != 0) {
		fprintf(stderr, "cfunc durable: %s\n", err);
		free(err);
		return 1;
	}
	printf("Task hub '%s' successfully deleted.\n", h->name);
	return 0;
}

int host_cli_durable(int argc, char **argv)
{
	struct dcli_args a;
	struct dcli_hub h;
	int rc = dcli_args_parse(argc, argv, &a);

	if (rc != 0) {
		dcli_args_free(&a);
		return rc > 0 ? 0 : 2;
	}
	if (dcli_hub_open(&h, a.script_root, a.task_hub, "cfunc durable") != 0) {
		dcli_hub_close(&h);
		dcli_args_free(&a);
		return 1;
	}
	if (strcmp(a.cmd, "start-new") == 0)
		rc = cmd_start_new(&h, &a);
	else if (strcmp(a.cmd, "get-runtime-status") == 0)
		rc = cmd_status(&h, &a, 0);
	else if (strcmp(a.cmd, "get-history") == 0)
		rc = cmd_status(&h, &a, 1);
	else if (strcmp(a.cmd, "get-instances") == 0)
		rc = cmd_list(&h, &a);
	else if (strcmp(a.cmd, "raise-event") == 0)
		rc = cmd_lifecycle(&h, &a, DCLI_RAISE);
	else if (strcmp(a.cmd, "terminate") == 0)
		rc = cmd_lifecycle(&h, &a, DCLI_TERMINATE);
	else if (strcmp(a.cmd, "suspend") == 0)
		rc = cmd_lifecycle(&h, &a, DCLI_SUSPEND);
	else if (strcmp(a.cmd, "resume") == 0)
		rc = cmd_lifecycle(&h, &a, DCLI_RESUME);
	else if (strcmp(a.cmd, "rewind") == 0)
		rc = cmd_lifecycle(&h, &a, DCLI_REWIND);
	else if (strcmp(a.cmd, "purge-history") == 0)
		rc = cmd_purge(&h, &a);
	else
		rc = cmd_delete_hub(&h, &a);
	dcli_hub_close(&h);
	dcli_args_free(&a);
	return rc;
}
