/*
 * function_lines.h - the console lines about function runs, all formatted
 * here for every trigger kind:
 *
 *   func's invocation pair (HTTP, timer, orchestrator episode, activity,
 *   entity batch), category "Function.<name>":
 *     Executing 'Functions.<name>' (Reason='...', Id=<id>)
 *     Executed 'Functions.<name>' (Succeeded|Failed, Id=<id>, Duration=<n>ms[, Operations=<n>])
 *
 *   the Durable extension's lines (its EndToEndTraceHelper) for
 *   orchestrators and activities, from the engine's reports
 *   (runtime/durable_report.h), starting with the instance id:
 *     <id>: Function '<name> (Orchestrator)' started. IsReplay: False. Input: (Redacted 7
 *       characters). State: Started. RuntimeStatus: Running. HubName: <hub>. AppName: .
 *       SlotName: . ExtensionVersion: cfunc. SequenceNumber: 3. TaskEventId: -1
 *     <id>: Function '<name> (Activity)' completed. ContinuedAsNew: False. IsReplay: False.
 *       Output: (Redacted 14 characters). State: Completed. RuntimeStatus: Completed. ...
 *     <id>: Function '<name> (Orchestrator)' failed with an error. Reason: <why>. IsReplay:
 *       False. State: Failed. RuntimeStatus: Failed. ...
 *   Started and completed lines are in "Function.<name>" at Information,
 *   failures in "Host.Triggers.DurableTask" at Error. Inputs and outputs
 *   are redacted to their length in UTF-16 code units, as the extension does
 *   unless raw data tracing is on. Only non-replay events are traced
 *   (traceReplayEvents is false by default): "started" is an execution's
 *   first episode. AppName/SlotName are WEBSITE_SITE_NAME /
 *   WEBSITE_SLOT_NAME (empty locally). SequenceNumber counts every such
 *   line of the process.
 *
 * Entity batches show the invocation pair only: the extension's entity
 * lines are not printed. A line that logging.logLevel hides is not
 * formatted at all. Safe from any thread once host_function_lines_init ran.
 */
#ifndef HOST_FUNCTION_LINES_H
#define HOST_FUNCTION_LINES_H

#include "common/invocation.h"
#include "runtime/durable_report.h"

/* The task hub named in the extension's lines; call before the engine's
 * threads start (the string is borrowed for the life of the process).
 * NULL: empty. */
void host_function_lines_init(const char *hub);

/* An rt_invocation_fn (common/invocation.h): the Executing line at the
 * start, Executed at Information or, when it failed, at Error. The id is
 * made when a line first shows (inv->id kept if the trigger set it). */
void host_log_invocation(struct rt_invocation *inv, enum rt_invocation_phase phase);

/* An rt_durable_report_fn: the extension's line for the report, if any
 * (none for a replaying episode's start); ctx unused. */
void host_log_durable(void *ctx, const struct rt_durable_report *r);

#endif
