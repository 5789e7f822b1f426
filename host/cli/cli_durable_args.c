/*
 * cli_durable_args.c - the flags of `cfunc durable <command>`, named as
 * func names them, checked before anything touches the hub: an unknown
 * flag, a missing required one, a bad date, status or JSON input is one
 * line on stderr and exit code 2.
 */
#include "host/cli/cli_durable.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	C_START = 1 << 0, C_STATUS = 1 << 1, C_HISTORY = 1 << 2, C_LIST = 1 << 3,
	C_RAISE = 1 << 4, C_TERM = 1 << 5, C_SUSP = 1 << 6, C_RES = 1 << 7, C_REW = 1 << 8,
	C_PURGE = 1 << 9, C_DELHUB = 1 << 10, C_ALL = (1 << 11) - 1,
};

static const struct cmd {
	const char *name;
	unsigned bit;
	const char *required; /* flag that must be given, or NULL */
	const char *help;
} cmds[] = {
	{"start-new", C_START, "--function-name",
	 "Starts an orchestration instance.\n"
	 "  --function-name <name>  the orchestrator (required)\n"
	 "  --input <json|@file>    its input (JSON text, or @ and a file holding it)\n"
	 "  --id <id>               the instance id (default: a new 32-hex id)\n"},
	{"get-runtime-status", C_STATUS, "--id",
	 "Shows the status of an instance.\n"
	 "  --id <id>        the instance (required)\n"
	 "  --show-input     include its input\n"
	 "  --show-output    include its output\n"},
	{"get-history", C_HISTORY, "--id",
	 "Shows the history of an instance's current execution; with --json, the stored\n"
	 "events themselves (with their ids), which cfunc replay --history reads.\n"
	 "  --id <id>        the instance (required)\n"},
	{"get-instances", C_LIST, NULL,
	 "Lists instances, ordered by id, one page at a time.\n"
	 "  --created-after <time>       ISO 8601 (UTC unless it has an offset), inclusive\n"
	 "  --created-before <time>      inclusive\n"
	 "  --runtime-status <list>      statuses separated by commas or spaces, any case\n"
	 "                               (Running, Pending, Completed, Failed, Terminated,\n"
	 "                               Suspended, ContinuedAsNew, Canceled)\n"
	 "  --top <n>                    page size (default 10)\n"
	 "  --continuation-token <t>     the token the previous page printed\n"},
	{"raise-event", C_RAISE, "--id",
	 "Sends an external event to an instance.\n"
	 "  --id <id>                  the instance (required)\n"
	 "  --event-name <name>        default: Event_<new guid>\n"
	 "  --event-data <json|@file>  default: null\n"},
	{"terminate", C_TERM, "--id",
	 "Terminates an instance; waits up to 30 s for it when a host runs.\n"
	 "  --id <id>          the instance (required)\n"
	 "  --reason <text>    becomes its output\n"},
	{"suspend", C_SUSP, "--id",
	 "Suspends an instance.\n  --id <id>  (required)\n  --reason <text>\n"},
	{"resume", C_RES, "--id",
	 "Resumes a suspended instance.\n  --id <id>  (required)\n  --reason <text>\n"},
	{"rewind", C_REW, "--id",
	 "Rewinds a failed instance (needs a running host).\n"
	 "  --id <id>  (required)\n  --reason <text>\n"},
	{"purge-history", C_PURGE, NULL,
	 "Deletes finished instances and their history.\n"
	 "  --id <id>                    one instance (in any state)\n"
	 "  --created-after <time>       or every Completed, Failed, Terminated or Canceled\n"
	 "  --created-before <time>      instance matching these filters\n"
	 "  --runtime-status <list>      completed, failed, terminated, canceled\n"},
	{"delete-task-hub", C_DELHUB, NULL,
	 "Deletes the task hub file (refused while a host runs on it).\n"
	 "  --yes    do not ask (required when standard input is not a terminal)\n"},
};

#define FIELD(f) offsetof(struct dcli_args, f)
static const struct flag {
	const char *name;
	size_t off;
	int is_bool;
	unsigned cmds;
} flags[] = {
	{"--function-name", FIELD(function_name), 0, C_START},
	{"--input", FIELD(input), 0, C_START},
	{"--id", FIELD(id), 0, C_ALL & ~(C_LIST | C_DELHUB)},
	{"--show-input", FIELD(show_input), 1, C_STATUS},
	{"--show-output", FIELD(show_output), 1, C_STATUS},
	{"--created-after", FIELD(created_after), 0, C_LIST | C_PURGE},
	{"--created-before", FIELD(created_before), 0, C_LIST | C_PURGE},
	{"--runtime-status", FIELD(runtime_status), 0, C_LIST | C_PURGE},
	{"--top", FIELD(top_text), 0, C_LIST},
	{"--continuation-token", FIELD(continuation_token), 0, C_LIST},
	{"--event-name", FIELD(event_name), 0, C_RAISE},
	{"--event-data", FIELD(event_data), 0, C_RAISE},
	{"--reason", FIELD(reason), 0, C_TERM | C_SUSP | C_RES | C_REW},
	{"--yes", FIELD(yes), 1, C_DELHUB},
	{"--task-hub-name", FIELD(task_hub), 0, C_ALL},
	{"--script-root", FIELD(script_root), 0, C_ALL},
	{"--json", FIELD(json), 1, C_ALL},
};

void dcli_usage(FILE *out)
{
	fprintf(out, "usage: cfunc durable <command> [options]   (cfunc durable <command> --help)\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-20s %.*s\n", cmds[i].name, (int)strcspn(cmds[i].help, "\n"),
			cmds[i].help);
	fprintf(out, "\ncommon options:\n"
		     "  --task-hub-name <name>  default: the hub the host uses for this app root\n"
		     "                          (host.json extensions.durableTask.hubName)\n"
		     "  --script-root <dir>     the app root (default: nearest folder upwards with host.json)\n"
		     "  --json                  print the management API's JSON instead of tables\n"
		     "With a host running on the hub, commands go through its management API;\n"
		     "without one they work on the task hub file itself.\n");
}

static int bad(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "cfunc durable: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return -1;
}

/* JSON text, or "@path" read from a file, validated. */
static int load_json(const char *flag, const char *v, char **out)
{
	json_error_t jerr;
	json_t *j;
	char *text = NULL;
	if (v[0] == '@') {
		FILE *f = fopen(v + 1, "rb");
		size_t n = 0, cap = 0, got;
		if (!f) {
			fprintf(stderr, "cfunc durable: cannot read %s file '%s': %s\n", flag, v + 1,
				strerror(errno));
			return -1;
		}
		do {
			cap += 65536;
			text = xrealloc(text, cap + 1);
			got = fread(text + n, 1, cap - n, f);
			n += got;
		} while (got > 0);
		fclose(f);
		text[n] = '\0';
	} else {
		text = xstrdup(v);
	}
	j = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!j) {
		fprintf(stderr, "cfunc durable: %s is not valid JSON: %s (line %d, column %d)\n", flag,
			jerr.text, jerr.line, jerr.column);
		free(text);
		return -1;
	}
	json_decref(j);
	*out = text;
	return 0;
}

static int parse_statuses(const char *v, unsigned *out)
{
	char *copy = xstrdup(v), *save = NULL;
	*out = 0;
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int found = -1;
		for (int s = 0; s <= RT_ST_SUSPENDED; s++)
			if (strcasecmp(tok, rt_status_name((enum rt_status)s)) == 0)
				found = s;
		if (found < 0) {
			bad("unknown --runtime-status '%s'%s", tok,
			    " (Running, Pending, Completed, Failed, Terminated, Suspended, "
			    "ContinuedAsNew, Canceled)");
			free(copy);
			return -1;
		}
		*out |= RT_STORE_STATUS_BIT(found);
	}
	free(copy);
	return 0;
}

static int parse_time(const char *flag, const char *v, int64_t *us)
{
	if (rt_parse_time(v, us) != 0)
		return bad("%s '%s' is not an ISO 8601 date-time", flag, v);
	return 0;
}

int dcli_args_parse(int argc, char **argv, struct dcli_args *a)
{
	const struct cmd *cmd = NULL;
	memset(a, 0, sizeof(*a));
	a->from_us = INT64_MIN;
	a->to_us = INT64_MAX;
	a->top = 10;
	if (argc < 1) {
		dcli_usage(stderr);
		return -1;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		dcli_usage(stdout);
		return 1;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (!cmd)
		return bad("unknown command '%s'%s", argv[0], " (cfunc durable --help lists them)");
	a->cmd = cmd->name;
	for (int i = 1; i < argc; i++) {
		const struct flag *f = NULL;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: cfunc durable %s [options]\n%s", cmd->name, cmd->help);
			printf("  --task-hub-name <name>, --script-root <dir>, --json: see cfunc durable --help\n");
			return 1;
		}
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strcmp(argv[i], flags[k].name) == 0 && (flags[k].cmds & cmd->bit))
				f = &flags[k];
		if (!f)
			return bad("%s: unknown option '%s'", cmd->name, argv[i]);
		if (f->is_bool) {
			*(int *)((char *)a + f->off) = 1;
		} else if (i + 1 >= argc) {
			return bad("%s: %s needs a value", cmd->name, argv[i]);
		} else {
			*(const char **)((char *)a + f->off) = argv[++i];
		}
	}
	if (cmd->required && !*(const char **)((char *)a + (strcmp(cmd->required, "--id") == 0
								    ? FIELD(id)
								    : FIELD(function_name))))
		return bad("%s: %s is required", cmd->name, cmd->required);
	if (a->id && !*a->id)
		return bad("%s: --id must not be empty%s", cmd->name, "");
	if (a->input && load_json("--input", a->input, &a->input_json) != 0)
		return -1;
	if (a->event_data && load_json("--event-data", a->event_data, &a->input_json) != 0)
		return -1;
	if (a->created_after && parse_time("--created-after", a->created_after, &a->from_us) != 0)
		return -1;
	if (a->created_before && parse_time("--created-before", a->created_before, &a->to_us) != 0)
		return -1;
	if (a->runtime_status && parse_statuses(a->runtime_status, &a->statuses) != 0)
		return -1;
	if (a->top_text) {
		char *end;
		long v;
		errno = 0;
		v = strtol(a->top_text, &end, 10);
		if (errno || *end || end == a->top_text || v < 1 || v > 1000)
			return bad("--top '%s' is not a number from 1 to 1000%s", a->top_text, "");
		a->top = (int)v;
	}
	if (cmd->bit == C_PURGE && a->id && (a->created_after || a->created_before || a->runtime_status))
		return bad("purge-history: give --id or the filters, not both%s%s", "", "");
	if (cmd->bit == C_PURGE && a->statuses &
	    ~(RT_STORE_STATUS_BIT(RT_ST_COMPLETED) | RT_STORE_STATUS_BIT(RT_ST_FAILED) |
	      RT_STORE_STATUS_BIT(RT_ST_TERMINATED) | RT_STORE_STATUS_BIT(RT_ST_CANCELED)))
		return bad("purge-history: --runtime-status '%s' %s", a->runtime_status,
			   "can only name completed, failed, terminated or canceled");
	return 0;
}

void dcli_args_free(struct dcli_args *a)
{
	free(a->input_json);
	a->input_json = NULL;
}
