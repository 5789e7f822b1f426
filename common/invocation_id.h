/*
 * invocation_id.h - the ids func prints in "Executing 'Functions.X'
 * (Reason=..., Id=<id>)" and its Executed twin: one per invocation of any
 * trigger kind (HTTP, orchestrator episode, activity, timer).
 *
 * They must be unique, not secret, and cheap on the hot path: a per-thread
 * xoshiro256** seeded once from the OS (libsodium's randombytes), shaped as
 * a version-4 GUID. Never use them as keys or tokens.
 */
#ifndef COMMON_INVOCATION_ID_H
#define COMMON_INVOCATION_ID_H

/* Writes a lowercase 8-4-4-4-12 id and its NUL to out; any thread. */
void rt_invocation_id(char out[37]);

#endif
