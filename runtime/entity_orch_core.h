/*
 * entity_orch_core.h - an orchestration's critical section (o->cs) and the
 * decoding of entity replies, shared by the replay core and entity_orch.c.
 * Everything lives in the episode arena (o->a), owned by the replay.
 * Not for use outside runtime/replay*.c and runtime/entity_orch*.c.
 */
#ifndef RT_ENTITY_ORCH_CORE_H
#define RT_ENTITY_ORCH_CORE_H

#include "runtime/replay_int.h"

/* The open critical section of rt_orch_lock_entities (o->cs). */
struct entity_cs {
	const char **ids;        /* sorted, unique */
	size_t n;
	const char *lock_id;
	struct rt_task **calls;  /* the outstanding call per locked entity */
	int released;
};

/* Turns an entity reply {"result"} / {"exceptionType"} into the task's
 * outcome (*st, *text). */
void entity_reply_decode(struct rt_task *t, enum task_state *st, const char **text);

#endif
