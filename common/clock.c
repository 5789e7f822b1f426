/*
 * clock.c - the wall and monotonic clocks, and the test clock's offset
 * (clock.h). The offset is an atomic, because every thread reads the time
 * and only the admin endpoint writes it.
 */
#include "common/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_us;

int64_t rt_clock_offset_us(void)
{
	return atomic_load_explicit(&offset_us, memory_order_relaxed);
}

int64_t rt_clock_advance_us(int64_t us)
{
	if (us <= 0)
		return rt_clock_offset_us();
	return atomic_fetch_add(&offset_us, us) + us;
}

int64_t rt_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* + the test clock: 0 unless `cfunc start --ephemeral` moved it. */
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + rt_clock_offset_us();
}

int64_t rt_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
