/*
 * uuid.h - deterministic name-based UUIDs (RFC 4122 §4.3, version 5, SHA-1)
 * for new_uuid, and random 32-hex ids for instances and executions.
 *
 * cfunc's new_uuid is the durabletask-dotnet / durabletask-go variant
 * (spec: durable-semantics.md §5.3): namespace RT_UUID_NS_DURABLETASK, name
 * "{instanceId}_{timestamp, 7 fractional digits}Z_{counter}". rt_uuid5() is
 * generic so the other SDKs' variants can be reproduced (and are tested).
 */
#ifndef RT_UUID_H
#define RT_UUID_H

#include <stddef.h>
#include <stdint.h>

#define RT_UUID_NS_DURABLETASK "9e952958-5e33-4daf-827f-2fa12937b875"
#define RT_UUID_NS_DOTNET_INPROC "9e952959-5e33-4daf-827f-2fa12937b875"
/* uuid5(NAMESPACE_OID, "9e952958-...") as used by the Python SDK. */
#define RT_UUID_NS_PYTHON "5bf3dc27-d91d-5ea7-9c3e-9f1f2ae7c309"
#define RT_UUID_NS_OID "6ba7b812-9dad-11d1-80b4-00c04fd430c8"

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) into 16 bytes
 * in network order. Returns 0, or -1 for anything else. */
/* Tests and fuzz targets only: the host does not call it. */
int rt_uuid_parse(const char *s, unsigned char out[16]);

/* Lower-case 8-4-4-4-12 text of `u`; out must hold 37 bytes. */
void rt_uuid_format(const unsigned char u[16], char out[37]);

/* UUID v5 of `name` (len bytes, any content) in namespace `ns`:
 * SHA-1(ns || name), first 16 bytes, version 5, RFC 4122 variant. */
void rt_uuid5(const unsigned char ns[16], const void *name, size_t len, unsigned char out[16]);

/* The orchestration new_uuid: uuid5(RT_UUID_NS_DURABLETASK,
 * "{instance_id}_{rt_format_time_o(now_us)}_{counter}") as text into out (37 bytes). */
void rt_uuid_orch(const char *instance_id, int64_t now_us, unsigned counter, char out[37]);

/* 32 lower-case hex digits (a GUID without dashes, the form Durable
 * Functions uses for instance and execution ids): a UUID v7, i.e. the Unix
 * time in ms followed by 74 bits from libsodium's CSPRNG, so ids made later
 * sort later; out must hold 33 bytes. Thread-safe; calls sodium_init(). */
void rt_uuid_random_hex(char out[33]);

#endif
