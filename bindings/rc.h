/*
 * rc.h - where the runtime's results (runtime/rc.h) become the app ABI's
 * cf_rc. The shared codes have the same values by construction, checked
 * here at compile time, so a result crosses the border unchanged; the
 * runtime's own codes (store conflicts, busy and locked files) have no
 * meaning for an app and become CF_ERROR.
 */
#ifndef BIND_RC_H
#define BIND_RC_H

#include "cfunc.h"
#include "runtime/rc.h"

_Static_assert(RT_OK == (int)CF_OK, "RT_OK is CF_OK");
_Static_assert(RT_PENDING == (int)CF_PENDING, "RT_PENDING is CF_PENDING");
_Static_assert(RT_ERROR == (int)CF_ERROR, "RT_ERROR is CF_ERROR");
_Static_assert(RT_E_NOTFOUND == (int)CF_E_NOTFOUND, "RT_E_NOTFOUND is CF_E_NOTFOUND");
_Static_assert(RT_E_GONE == (int)CF_E_GONE, "RT_E_GONE is CF_E_GONE");
_Static_assert(RT_E_STATE == (int)CF_E_STATE, "RT_E_STATE is CF_E_STATE");
_Static_assert(RT_E_INVALID == (int)CF_E_INVALID, "RT_E_INVALID is CF_E_INVALID");
_Static_assert(RT_E_EXISTS == (int)CF_E_EXISTS, "RT_E_EXISTS is CF_E_EXISTS");

/* An engine command's or store read's result as the app sees it: success
 * and the shared failures unchanged, everything else (RT_PENDING included:
 * a command is never "not yet") CF_ERROR. */
static inline cf_rc bind_rc(int rc)
{
	return rc <= RT_OK && rc >= RT_E_EXISTS ? (cf_rc)rc : CF_ERROR;
}

/* A replay call's result (await): RT_PENDING too passes through. */
static inline cf_rc bind_rc_replay(int rc)
{
	return rc == RT_PENDING ? CF_PENDING : bind_rc(rc);
}

#endif
