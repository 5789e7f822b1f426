/*
 * rc.h - the one result vocabulary of the runtime: the store, the engine's
 * commands, replay and the offline commands all return these, so a code
 * passed up from one to another keeps its meaning.
 *
 * 0 is success, 1 is "not yet" (never a reused -1), negative values are
 * failures. The values shared with the app ABI equal cfunc.h's CF_*; the
 * bindings check that with _Static_assert (bindings/api.c) and pass the
 * shared ones through unchanged. The store-only codes (CONFLICT, BUSY,
 * LOCKED) have no CF_* twin and become CF_ERROR at that border.
 */
#ifndef RT_RC_H
#define RT_RC_H

enum rt_rc {
	RT_OK = 0,
	RT_PENDING = 1,     /* replay: not yet, the orchestrator returns it */
	RT_ERROR = -1,      /* anything else; the message says what */
	RT_E_NOTFOUND = -2, /* no such instance, row or function */
	RT_E_GONE = -3,     /* the instance is terminal */
	RT_E_STATE = -4,    /* not valid in the instance's current state */
	RT_E_INVALID = -5,  /* bad id, name or JSON */
	RT_E_EXISTS = -6,   /* the id is used by a non-terminal instance */
	/* The store's own: */
	RT_E_CONFLICT = -7, /* key collision: the caller lost a race */
	RT_E_BUSY = -8,     /* the file stayed locked beyond the busy timeout */
	RT_E_LOCKED = -9,   /* another process holds the hub (rt_store_open) */
};

#endif
