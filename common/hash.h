/*
 * hash.h - FNV-1a, the one hash of the tree's own hash tables (instance ids
 * in the engine's mailboxes, cache and attempt slots, the store's id sets,
 * client addresses). Fast on short keys and good enough against accidental
 * collisions; not for keys an attacker picks to collide where that would
 * cost more than a longer probe.
 */
#ifndef COMMON_HASH_H
#define COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The start value the tree has always used: one digit short of FNV's
 * reference offset basis (14695981039346656037). Kept because hashes of
 * instance ids are written to disk (the engine's attempt slots, checked
 * again at the next start), so changing it would orphan them. */
#define RT_FNV64_OFFSET 1469598103934665603ull
#define RT_FNV64_PRIME 1099511628211ull

/* 64-bit FNV-1a of the len bytes at p. */
static inline uint64_t rt_hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = RT_FNV64_OFFSET;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * RT_FNV64_PRIME;
	return h;
}

/* 64-bit FNV-1a of a NUL-terminated string: rt_hash_bytes(s, strlen(s)). */
static inline uint64_t rt_hash_str(const char *s)
{
	uint64_t h = RT_FNV64_OFFSET;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * RT_FNV64_PRIME;
	return h;
}

/* 32-bit FNV-1a, for tables whose index fits 32 bits. */
static inline uint32_t rt_hash32_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

#endif
