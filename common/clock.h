/*
 * clock.h - the clocks every layer reads, and the test clock: an offset
 * added to the durable engine's notion of now (rt_now_us), so an app author's test can make a one-hour durable
 * timer fire at once. Only `cfunc start --ephemeral` lets anyone set it
 * (POST /admin/test/clock); otherwise it stays 0.
 */
#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

#include <stdint.h>

/* The offset in µs (0 unless advanced); any thread. */
int64_t rt_clock_offset_us(void);
/* Moves the clock forward by us (>= 0) and returns the new offset. It never
 * moves back: timestamps already written stay in order. */
int64_t rt_clock_advance_us(int64_t us);
/* Wall clock, UTC microseconds since the Unix epoch, plus the offset. */
int64_t rt_now_us(void);
/* Monotonic clock in microseconds, for durations and deadlines. */
int64_t rt_mono_us(void);

#endif
