/*
 * entity_orch_core.c - what the replay core (replay.c, replay_tasks.c) asks
 * of an orchestration's entity calls: whether a critical section is open,
 * and the task outcome an entity's reply means. entity_orch.c builds the
 * calls themselves on top of the replay core and of this file, so the
 * core never calls up into it.
 */
#include "runtime/entity.h"
#include "runtime/entity_orch_core.h"
#include "runtime/replay_entity.h"

void entity_reply_decode(struct rt_task *t, enum task_state *st, const char **text)
{
	int failed = 0;
	const char *out = NULL;
	if (*st != TS_OK)
		return;
	if (rt_entity_reply_parse(*text, &failed, &out, t->o->a) != 0) {
		*st = TS_FAILED;
		*text = "the entity sent a reply that cannot be read";
		return;
	}
	*st = failed ? TS_FAILED : TS_OK;
	*text = out;
}

int rt_orch_in_critical_section(struct rt_orch *o)
{
	return o->cs && !o->cs->released;
}
