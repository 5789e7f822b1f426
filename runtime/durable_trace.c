/*
 * durable_trace.c - the text of the Durable extension's per-function lines
 * (see durable_trace.h). The hub and site names are read once, before any
 * thread; the sequence counter is the only shared state that changes.
 */
#include "runtime/durable_trace.h"

#include <stdatomic.h>
#include <stdlib.h>

static const char *trace_hub = "";
static const char *trace_app = "";
static const char *trace_slot = "";
static atomic_long trace_seq;

void rt_durable_trace_init(const char *hub)
{
	const char *app = getenv("WEBSITE_SITE_NAME"), *slot = getenv("WEBSITE_SLOT_NAME");
	trace_hub = hub ? hub : "";
	trace_app = app ? app : "";
	trace_slot = slot ? slot : "";
}

size_t rt_durable_trace_utf16_len(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;       /* a continuation byte */
		n += *p >= 0xF0 ? 2 : 1; /* beyond the BMP: a surrogate pair */
	}
	return n;
}

static const char *type_name(enum rt_trace_fn fn)
{
	return fn == RT_TRACE_ACTIVITY ? "Activity" : "Orchestrator";
}

#define TRACE_TAIL "HubName: %s. AppName: %s. SlotName: %s. ExtensionVersion: cfunc. SequenceNumber: %ld."
#define TRACE_TAIL_ARGS trace_hub, trace_app, trace_slot, atomic_fetch_add(&trace_seq, 1)

const char *rt_durable_trace_started(struct rt_arena *a, enum rt_trace_fn fn,
				     const char *instance_id, const char *name,
				     const char *input, int task_event_id)
{
	return rt_arena_fmt(a,
			    "%s: Function '%s (%s)' started. IsReplay: False. Input: (Redacted %zu "
			    "characters). State: Started. RuntimeStatus: Running. " TRACE_TAIL
			    " TaskEventId: %d",
			    instance_id, name, type_name(fn), rt_durable_trace_utf16_len(input),
			    TRACE_TAIL_ARGS, task_event_id);
}

const char *rt_durable_trace_completed(struct rt_arena *a, enum rt_trace_fn fn,
				       const char *instance_id, const char *name,
				       const char *output, int continued_as_new,
				       int task_event_id)
{
	return rt_arena_fmt(a,
			    "%s: Function '%s (%s)' completed. ContinuedAsNew: %s. IsReplay: False. "
			    "Output: (Redacted %zu characters). State: Completed. RuntimeStatus: "
			    "Completed. " TRACE_TAIL " TaskEventId: %d",
			    instance_id, name, type_name(fn), continued_as_new ? "True" : "False",
			    rt_durable_trace_utf16_len(output), TRACE_TAIL_ARGS, task_event_id);
}

const char *rt_durable_trace_failed(struct rt_arena *a, enum rt_trace_fn fn,
				    const char *instance_id, const char *name,
				    const char *reason, int task_event_id)
{
	return rt_arena_fmt(a,
			    "%s: Function '%s (%s)' failed with an error. Reason: %s. IsReplay: "
			    "False. State: Failed. RuntimeStatus: Failed. " TRACE_TAIL
			    " TaskEventId: %d",
			    instance_id, name, type_name(fn), reason ? reason : "", TRACE_TAIL_ARGS,
			    task_event_id);
}
