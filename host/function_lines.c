/*
 * function_lines.c - see function_lines.h. The hub and site names are read
 * once, before any thread; the sequence counter is the only shared state
 * that changes.
 */
#include "host/function_lines.h"
#include "common/clock.h"
#include "common/invocation_id.h"
#include "common/utf8.h"
#include "host/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void host_log_invocation(struct rt_invocation *inv, enum rt_invocation_phase phase)
{
	char category[160];
	enum rt_log_level level = RT_LOG_INFO;

	if (phase == RT_INVOCATION_START)
		inv->start_us = rt_mono_us();
	else if (inv->failed)
		level = RT_LOG_ERROR;
	snprintf(category, sizeof(category), "Function.%s", inv->function);
	/* Nothing to format, and no id to make, for a line that would not show. */
	if (!host_log_enabled(category, level))
		return;
	if (!inv->id[0])
		rt_invocation_id(inv->id);
	if (phase == RT_INVOCATION_START)
		host_log(category, level, "Executing 'Functions.%s' (Reason='%s', Id=%s)",
			 inv->function, inv->reason ? inv->reason : "(null)", inv->id);
	else
		host_log(category, level, "Executed 'Functions.%s' (%s, Id=%s, Duration=%ldms%s)",
			 inv->function, inv->failed ? "Failed" : "Succeeded", inv->id,
			 (long)((rt_mono_us() - inv->start_us) / 1000), inv->extra ? inv->extra : "");
}

static const char *trace_hub = "";
static const char *trace_app = "";
static const char *trace_slot = "";
static atomic_long trace_seq;

void host_function_lines_init(const char *hub)
{
	const char *app = getenv("WEBSITE_SITE_NAME"), *slot = getenv("WEBSITE_SLOT_NAME");
	trace_hub = hub ? hub : "";
	trace_app = app ? app : "";
	trace_slot = slot ? slot : "";
}

/* .NET's string.Length of JSON text (valid UTF-8); NULL counts 0. */
static size_t redacted_len(const char *json)
{
	return json ? rt_utf16_units(json, strlen(json)) : 0;
}

#define TRACE_TAIL "HubName: %s. AppName: %s. SlotName: %s. ExtensionVersion: cfunc. SequenceNumber: %ld."
#define TRACE_TAIL_ARGS trace_hub, trace_app, trace_slot, atomic_fetch_add(&trace_seq, 1)

void host_log_durable(void *ctx, const struct rt_durable_report *r)
{
	const char *type = r->fn == RT_DURABLE_ACTIVITY ? "Activity" : "Orchestrator";
	char category[160];
	(void)ctx;

	if (r->outcome == RT_DURABLE_FAILED) {
		if (!host_log_enabled("Host.Triggers.DurableTask", RT_LOG_ERROR))
			return;
		host_log("Host.Triggers.DurableTask", RT_LOG_ERROR,
			 "%s: Function '%s (%s)' failed with an error. Reason: %s. IsReplay: False. "
			 "State: Failed. RuntimeStatus: Failed. " TRACE_TAIL " TaskEventId: %d",
			 r->instance_id, r->name, type, r->reason ? r->reason : "", TRACE_TAIL_ARGS,
			 r->task_event_id);
		return;
	}
	if (r->outcome == RT_DURABLE_STARTED && r->is_replay)
		return; /* traceReplayEvents is off */
	snprintf(category, sizeof(category), "Function.%s", r->name);
	if (!host_log_enabled(category, RT_LOG_INFO))
		return;
	if (r->outcome == RT_DURABLE_STARTED)
		host_log(category, RT_LOG_INFO,
			 "%s: Function '%s (%s)' started. IsReplay: False. Input: (Redacted %zu "
			 "characters). State: Started. RuntimeStatus: Running. " TRACE_TAIL
			 " TaskEventId: %d",
			 r->instance_id, r->name, type, redacted_len(r->input), TRACE_TAIL_ARGS,
			 r->task_event_id);
	else
		host_log(category, RT_LOG_INFO,
			 "%s: Function '%s (%s)' completed. ContinuedAsNew: %s. IsReplay: False. "
			 "Output: (Redacted %zu characters). State: Completed. RuntimeStatus: "
			 "Completed. " TRACE_TAIL " TaskEventId: %d",
			 r->instance_id, r->name, type, r->continued_as_new ? "True" : "False",
			 redacted_len(r->output), TRACE_TAIL_ARGS, r->task_event_id);
}
