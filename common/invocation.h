/*
 * invocation.h - one invocation of an app function, as the console reports
 * it: func's "Executing 'Functions.<name>' (Reason='...', Id=<id>)" when it
 * starts and "Executed 'Functions.<name>' (Succeeded|Failed, Id=<id>,
 * Duration=<n>ms)" when it ends, for every trigger kind (HTTP, timer,
 * activity, orchestrator episode).
 *
 * The trigger owns the struct (on its stack) for the whole invocation and
 * fills `function` and `reason`; the reporter, which the host provides,
 * owns the formatting and fills `start_us` and, when it first prints, `id`.
 * The runtime and the bindings only call the reporter: they write no
 * console text of their own for an invocation.
 */
#ifndef COMMON_INVOCATION_H
#define COMMON_INVOCATION_H

#include <stdint.h>

struct rt_invocation {
	const char *function; /* the function's name (borrowed) */
	const char *reason;   /* the Reason='...' text; NULL prints func's "(null)" */
	int failed;           /* set before the end: Failed instead of Succeeded */
	const char *extra;    /* set before the end, or NULL: appended after
				 Duration=..ms, e.g. ", Operations=3" (entities) */
	int64_t start_us;     /* set by the reporter at the start (rt_mono_us) */
	char id[37];          /* the invocation id; "" = the reporter makes one */
};

enum rt_invocation_phase {
	RT_INVOCATION_START,
	RT_INVOCATION_END,
};

/* Reports a phase; call START once, then END once, from any one thread. */
typedef void (*rt_invocation_fn)(struct rt_invocation *inv, enum rt_invocation_phase phase);

#endif
