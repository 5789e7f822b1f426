/*
 * durable_report.h - what the engine tells the console about durable
 * functions, as data: an orchestrator episode or an activity attempt
 * started, completed or failed. The engine formats no text: the host turns
 * each report into the Durable extension's line (host/function_lines.c),
 * decides its category and level, and drops it when logging.logLevel
 * hides it. Entity batches are reported as invocations only
 * (common/invocation.h): the extension prints no such line for them here.
 *
 * A report is BORROWED for the hook call: its strings live in the engine's
 * arena or the caller's frame, and the reporter copies what it keeps.
 */
#ifndef RT_DURABLE_REPORT_H
#define RT_DURABLE_REPORT_H

enum rt_durable_fn {
	RT_DURABLE_ORCHESTRATOR,
	RT_DURABLE_ACTIVITY,
};

enum rt_durable_outcome {
	RT_DURABLE_STARTED,
	RT_DURABLE_COMPLETED,
	RT_DURABLE_FAILED,
};

struct rt_durable_report {
	enum rt_durable_fn fn;
	enum rt_durable_outcome outcome;
	const char *instance_id;
	const char *name;         /* the function's */
	int is_replay;            /* STARTED: an episode that replays history
				   * first (not the execution's first) */
	const char *input;        /* STARTED: JSON text, NULL = none */
	const char *output;       /* COMPLETED: JSON text, NULL = none */
	int continued_as_new;     /* COMPLETED: the orchestration starts over */
	const char *reason;       /* FAILED: the failure's text, NULL = none */
	int task_event_id;        /* an activity's task id; -1 for orchestrators */
};

/* The hook (rt_engine_hooks.durable_report); any engine or activity thread. */
typedef void (*rt_durable_report_fn)(void *ctx, const struct rt_durable_report *r);

#endif
