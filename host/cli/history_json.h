/*
 * history_json.h - the management API's history JSON (GET
 * instances/{id}?showHistory=true&showHistoryOutput=true, durable-http-api
 * §7) turned back into the rt_event history replay needs.
 *
 * The projection dropped OrchestratorStarted/Completed, event ids and
 * TaskScheduled rows (merged into their completions), so this rebuilds them:
 * every scheduling call (activity, timer, sub-orchestration, event sent)
 * gets its sequence number in order of the time it was scheduled
 * (ScheduledTime, or the row's Timestamp); calls scheduled in the same
 * episode keep the order the rows are listed in; an OrchestratorStarted is
 * put before each message whose Timestamp moves time forward, so the code's
 * cf_orch_now() sees the recorded times. Two limits follow from what the
 * export lacks: which of several calls scheduled in one episode completed
 * first is known, the order they were made in is not (a fan-out over
 * different functions that completed out of order reads as a divergence),
 * and the execution id is not exported.
 */
#ifndef HOST_HISTORY_JSON_H
#define HOST_HISTORY_JSON_H

#include <stddef.h>

#include "common/arena.h"
#include "runtime/history.h"

struct host_history {
	const char *instance_id;  /* "" when the export has none */
	const char *name;         /* the orchestrator (ExecutionStarted's FunctionName) */
	struct rt_event *events;  /* the rebuilt history, without its end */
	size_t n;
	int ended;                /* the export ends with ExecutionCompleted/ContinueAsNew */
	int end_status;           /* its rt_status when ended */
	int has_results;          /* some row had a Result (showHistoryOutput=true) */
	int64_t last_us;          /* the latest timestamp seen */
	size_t n_calls;           /* scheduling calls rebuilt */
};

/*
 * Parses `text` (a status object with historyEvents, or the bare array) into
 * *h; everything is allocated in `a`. Returns 0, or -1 with *err (malloc'd)
 * naming the row and the problem.
 */
int host_history_parse(const char *text, size_t len, struct host_history *h,
		       struct rt_arena *a, char **err);

#endif
