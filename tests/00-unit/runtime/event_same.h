/*
 * event_same.h - whether two history events are the same, field by field
 * (strings by content, NULL equal only to NULL): what the codec's round
 * trips are held to, in the unit tests (history.c) and the fuzz target
 * (fuzz/history.c).
 */
#ifndef TEST_EVENT_SAME_H
#define TEST_EVENT_SAME_H

#include <string.h>

#include "runtime/history.h"

static inline int streq_null(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static inline int same_event(const struct rt_event *a, const struct rt_event *b)
{
	return a->type == b->type && a->event_id == b->event_id && a->is_played == b->is_played &&
	       a->timestamp_us == b->timestamp_us && streq_null(a->name, b->name) &&
	       streq_null(a->input, b->input) && streq_null(a->result, b->result) &&
	       streq_null(a->reason, b->reason) && streq_null(a->details, b->details) &&
	       a->task_scheduled_id == b->task_scheduled_id && a->fire_at_us == b->fire_at_us &&
	       a->orchestration_status == b->orchestration_status &&
	       streq_null(a->instance_id, b->instance_id) &&
	       streq_null(a->execution_id, b->execution_id) &&
	       streq_null(a->parent_instance_id, b->parent_instance_id) &&
	       streq_null(a->parent_execution_id, b->parent_execution_id) &&
	       streq_null(a->parent_name, b->parent_name) &&
	       a->parent_task_id == b->parent_task_id && streq_null(a->data, b->data);
}

#endif
