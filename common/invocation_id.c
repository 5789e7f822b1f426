#include "common/invocation_id.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* One step of xoshiro256** (Blackman and Vigna): 64 bits. */
static uint64_t next(uint64_t s[4])
{
	uint64_t r = s[1] * 5, t = s[1] << 17;
	r = ((r << 7) | (r >> 57)) * 9;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return r;
}

void rt_invocation_id(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	/* Per thread: no lock, and no two threads share a sequence. */
	static _Thread_local uint64_t s[4];
	static _Thread_local int seeded;
	unsigned char b[16];
	int j = 0;

	if (!seeded) {
		do
			randombytes_buf(s, sizeof(s));
		while (!(s[0] | s[1] | s[2] | s[3])); /* the one state that never moves */
		seeded = 1;
	}
	for (int k = 0; k < 2; k++) {
		uint64_t r = next(s);
		memcpy(b + 8 * k, &r, 8);
	}
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 15];
	}
	out[j] = '\0';
}
