/*
 * history_json.h - the stored history of an execution as JSON, both ways:
 * what `cfunc durable get-history --json` prints (offline from the hub
 * file, online from GET instances/{id}/history) and what `cfunc replay`
 * reads back.
 *
 * Unlike the management API's projection (status_json.h, durable-http-api
 * §7), nothing is merged or dropped: every event in the order the engine
 * appended it, with the Durable Task field names `func durable
 * get-history` prints (EventId, IsPlayed, Timestamp, EventType as a name,
 * Name, Input, Result, Reason, Details, TaskScheduledId, TimerId, FireAt,
 * OrchestrationStatus, OrchestrationInstance, ParentInstance, InstanceId,
 * Data). Input and Result stay the stored JSON text, as strings. So
 * parsing the text gives back exactly the events that were printed (the
 * storage codec encodes them to the same bytes), apart from text that was
 * not UTF-8, which JSON cannot carry (U+FFFD stands in).
 */
#ifndef BIND_HISTORY_JSON_H
#define BIND_HISTORY_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "bindings/body_stream.h"
#include "common/arena.h"
#include "runtime/history.h"

/* The n events `ev` (borrowed) as a JSON array. New reference. */
json_t *bind_history_json(const struct rt_event *ev, size_t n);

/*
 * The same array as a body stream (body_stream.h) whose bytes are exactly
 * bind_json_dump(bind_history_json(ev, n)), for histories too large to
 * build whole (no JSON tree of them, one event's text at a time). Events
 * with a field of 64 KiB or more are rendered here, on the caller's thread,
 * so fill() on the loop never reprints a large payload. `ev` is borrowed
 * and must outlive the stream (the request's arena). The stream is
 * malloc'd; its close() frees it.
 */
struct bind_body_stream *bind_history_stream(const struct rt_event *ev, size_t n);

/*
 * Parses an array bind_history_json made back into events. *ev (n of
 * them) and every string are allocated in `a`. Returns 0, or -1 with *err
 * (malloc'd) naming the row (1-based) and what is wrong with it: not an
 * object, an unknown EventType, no EventId (which is how the management
 * API's projection shows), a time that is not ISO 8601, a field of the
 * wrong JSON type.
 */
int bind_history_parse(const json_t *array, struct rt_event **ev, size_t *n, struct rt_arena *a,
		       char **err);

#endif
