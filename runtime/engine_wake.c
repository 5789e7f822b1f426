/*
 * engine_wake.c - rt_engine_wake (engine.h): a signal on the engine's
 * condition variable. Its wait loop re-reads rt_now_us() on every wake, so
 * a timer whose due time the test clock passed is taken in the next batch.
 */
#include "common/clock.h"
#include "runtime/engine_int.h"

void rt_engine_wake(struct rt_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}
