/*
 * clock.c - the test clock's offset (clock.h). An atomic, because every
 * thread reads the time and only the admin endpoint writes it.
 */
#include "clock.h"

#include <stdatomic.h>

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
