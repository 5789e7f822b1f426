/*
 * clock.h - the test clock: an offset added to the durable engine's notion
 * of now (rt_now_us), so an app author's test can make a one-hour durable
 * timer fire at once. Only `cfunc start --ephemeral` lets anyone set it
 * (POST /admin/test/clock); otherwise it stays 0.
 */
#ifndef RT_CLOCK_H
#define RT_CLOCK_H

#include <stdint.h>

struct rt_engine;

/* The offset in µs (0 unless advanced); any thread. */
int64_t rt_clock_offset_us(void);
/* Moves the clock forward by us (>= 0) and returns the new offset. It never
 * moves back: timestamps already written stay in order. */
int64_t rt_clock_advance_us(int64_t us);
/* Wakes the engine thread so it looks at the (moved) clock again instead of
 * sleeping until the next timer's wall-clock due time. NULL is ok. */
void rt_engine_wake(struct rt_engine *e);

#endif
