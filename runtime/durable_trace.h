/*
 * durable_trace.h - the Durable extension's per-function console lines
 * (its EndToEndTraceHelper), which start with the instance id:
 *
 *   <id>: Function '<name> (Orchestrator)' started. IsReplay: False. Input: (Redacted 7
 *     characters). State: Started. RuntimeStatus: Running. HubName: <hub>. AppName: .
 *     SlotName: . ExtensionVersion: cfunc. SequenceNumber: 3. TaskEventId: -1
 *   <id>: Function '<name> (Activity)' completed. ContinuedAsNew: False. IsReplay: False.
 *     Output: (Redacted 14 characters). State: Completed. RuntimeStatus: Completed. ...
 *   <id>: Function '<name> (Orchestrator)' failed with an error. Reason: <why>. IsReplay:
 *     False. State: Failed. RuntimeStatus: Failed. ...
 *
 * Inputs and outputs are redacted to their length in UTF-16 code units, as
 * the extension does unless raw data tracing is on. Only non-replay events
 * are traced (traceReplayEvents is false by default): "started" is the
 * first episode of an execution. AppName/SlotName are WEBSITE_SITE_NAME /
 * WEBSITE_SLOT_NAME (empty locally). SequenceNumber counts every line of
 * the process.
 *
 * Each call formats one line into `a` (the episode's or invocation's arena)
 * and returns it; the caller logs it. Safe from any thread.
 */
#ifndef RT_DURABLE_TRACE_H
#define RT_DURABLE_TRACE_H

#include <stddef.h>

#include "common/arena.h"

enum rt_trace_fn { RT_TRACE_ORCHESTRATOR, RT_TRACE_ACTIVITY };

/* The task hub named in every line; call before the engine's threads start
 * (the string is borrowed for the life of the process). NULL: empty. */
void rt_durable_trace_init(const char *hub);

/* `input`: JSON text, NULL = none. task_event_id: -1 for orchestrators. */
const char *rt_durable_trace_started(struct rt_arena *a, enum rt_trace_fn fn,
				     const char *instance_id, const char *name,
				     const char *input, int task_event_id);
const char *rt_durable_trace_completed(struct rt_arena *a, enum rt_trace_fn fn,
				       const char *instance_id, const char *name,
				       const char *output, int continued_as_new,
				       int task_event_id);
const char *rt_durable_trace_failed(struct rt_arena *a, enum rt_trace_fn fn,
				    const char *instance_id, const char *name,
				    const char *reason, int task_event_id);

/* UTF-16 code units of UTF-8 text (what .NET's string.Length reports). */
size_t rt_durable_trace_utf16_len(const char *s);

#endif
