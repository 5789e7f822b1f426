/*
 * engine_not_now.c - work whose app cannot run now (engine.h: can_run,
 * not_run, run_entity_batch -2) waits out of sight in the task hub, and the
 * wait backs off: the first is RT_ENGINE_NOT_NOW_US, and while work keeps
 * waiting each wait is as long as the waiting has lasted so far (so 1, 1,
 * 2, 4, 8 ... s), at most ENGINE_NOT_NOW_MAX_US. An app that stays down
 * costs a few row updates a minute instead of every second.
 *
 * When the app is back (rt_engine_retry_waiting), the next batch makes
 * every row that was given one of the remembered visible times visible
 * now, so the waiting work runs at once, not at the end of its wait. Only
 * rows due when they were put back get such a time (a timer keeps its
 * own), so no timer fires early. The last ENGINE_NOT_NOW_MARKS times are
 * remembered; rows with older ones simply finish their wait.
 */
#include "runtime/engine_int.h"

int64_t engine_not_now_until(struct engine_batch *b)
{
	struct engine_not_now *nn = &b->e->not_now;
	int last = (nn->at + ENGINE_NOT_NOW_MARKS - 1) % ENGINE_NOT_NOW_MARKS;
	/* Nothing waited for a whole longest wait: this is a new wait. */
	if (nn->nmarks && b->now_us > nn->marks[last] + ENGINE_NOT_NOW_MAX_US)
		nn->since_us = 0;
	if (!nn->since_us)
		nn->since_us = b->now_us;
	int64_t wait = b->now_us - nn->since_us;
	if (wait < RT_ENGINE_NOT_NOW_US)
		wait = RT_ENGINE_NOT_NOW_US;
	if (wait > ENGINE_NOT_NOW_MAX_US)
		wait = ENGINE_NOT_NOW_MAX_US;
	int64_t until = b->now_us + wait;
	if (!nn->nmarks || nn->marks[last] != until) {
		nn->marks[nn->at] = until;
		nn->at = (nn->at + 1) % ENGINE_NOT_NOW_MARKS;
		if (nn->nmarks < ENGINE_NOT_NOW_MARKS)
			nn->nmarks++;
	}
	return until;
}

int64_t engine_not_now_horizon(struct engine_batch *b)
{
	const struct engine_not_now *nn = &b->e->not_now;
	int64_t h = b->now_us + RT_ENGINE_NOT_NOW_US;
	for (int i = 0; i < nn->nmarks; i++)
		if (nn->marks[i] > h)
			h = nn->marks[i];
	return h;
}

int engine_not_now_held(struct engine_batch *b, int64_t visible_us)
{
	const struct engine_not_now *nn = &b->e->not_now;
	for (int i = 0; i < nn->nmarks; i++)
		if (nn->marks[i] == visible_us)
			return 1;
	return 0;
}

int engine_not_now_wanted(struct rt_engine *e)
{
	return __atomic_load_n(&e->not_now.resume, __ATOMIC_ACQUIRE);
}

int engine_not_now_resume(struct engine_batch *b)
{
	struct engine_not_now *nn = &b->e->not_now;
	if (!__atomic_exchange_n(&nn->resume, 0, __ATOMIC_ACQ_REL))
		return 0;
	for (int i = 0; i < nn->nmarks; i++)
		if (nn->marks[i] > b->now_us &&
		    rt_store_visible_advance(b->e->store, nn->marks[i], b->now_us) != 0) {
			/* The batch rolls back: the next one tries again. */
			__atomic_store_n(&nn->resume, 1, __ATOMIC_RELEASE);
			return -1;
		}
	nn->nmarks = nn->at = 0;
	nn->since_us = 0;
	b->more = 1; /* what became visible runs in the next batch */
	return 0;
}

void rt_engine_retry_waiting(struct rt_engine *e)
{
	if (!e)
		return;
	__atomic_store_n(&e->not_now.resume, 1, __ATOMIC_RELEASE);
	rt_engine_wake(e);
}
