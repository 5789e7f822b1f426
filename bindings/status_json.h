/*
 * status_json.h - the management API's view of an instance.
 */
#ifndef BIND_STATUS_JSON_H
#define BIND_STATUS_JSON_H

#include <stddef.h>

#include "bindings/body_stream.h"
#include "runtime/history.h"
#include "bindings/json_util.h"
#include "runtime/store.h"

enum {
	BIND_STATUS_INPUT = 1,          /* showInput (default true) */
	BIND_STATUS_HISTORY = 2,        /* showHistory */
	BIND_STATUS_HISTORY_OUTPUT = 4, /* showHistoryOutput */
};

/* A JSON string of any bytes: jansson refuses invalid UTF-8 (json_string()
 * gives NULL, and a key set to it silently vanishes), so bad bytes become
 * U+FFFD. New reference. */
json_t *bind_json_text(const char *s);

/*
 * The status object (durable-http-api §2.2): name, instanceId,
 * runtimeStatus, input, customStatus, output, createdTime,
 * lastUpdatedTime, and historyEvents (§7 projection of `hist`, n events of
 * the current execution) only with BIND_STATUS_HISTORY on a non-Pending
 * instance. Returns a new reference.
 */
json_t *bind_status_object(const struct rt_instance *inst, const struct rt_event *hist, size_t n,
			   int flags);

/* 1 if one of the event's texts is 64 KiB or more: the status and history
 * streams render such an event ahead, on the thread that makes the stream,
 * since their fill() runs on the event loop. */
int bind_event_is_heavy(const struct rt_event *ev);

/*
 * The same object as a body stream (body_stream.h) whose bytes are exactly
 * bind_json_dump(bind_status_object(...)), for statuses too large to build
 * whole: it projects one event at a time, and sends a payload of 64 KiB or
 * more as stored when the writer would print it unchanged (no JSON tree of
 * it). `inst` and `hist` are borrowed and must outlive the stream (the
 * request's arena). The stream is malloc'd; its close() frees it.
 */
struct bind_body_stream *bind_status_stream(const struct rt_instance *inst,
					    const struct rt_event *hist, size_t n, int flags);

#endif
