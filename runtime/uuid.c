/*
 * uuid.c - UUID v5 via OpenSSL's EVP SHA-1 (libsodium has no SHA-1) and
 * random ids via libsodium.
 */
#include "runtime/uuid.h"
#include "common/xalloc.h"
#include "runtime/history.h"
#include "common/clock.h"
#include "common/hex.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rt_uuid_parse(const char *s, unsigned char out[16])
{
	int n = 0;
	if (!s)
		return -1;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		int hi = rt_hex_value(s[i]);
		if (hi < 0)
			return -1;
		int lo = rt_hex_value(s[++i]);
		if (lo < 0)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
	}
	return s[36] == '\0' ? 0 : -1;
}

void rt_uuid_format(const unsigned char u[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[u[i] >> 4];
		*p++ = hex[u[i] & 15];
	}
	*p = '\0';
}

void rt_uuid5(const unsigned char ns[16], const void *name, size_t len, unsigned char out[16])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* Only allocation can fail here; treat it like any OOM. */
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, ns, 16) != 1 || EVP_DigestUpdate(ctx, name, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 16) {
		fprintf(stderr, "cfunc: SHA-1 failed\n");
		abort();
	}
	EVP_MD_CTX_free(ctx);
	memcpy(out, md, 16);
	out[6] = (out[6] & 0x0f) | 0x50;
	out[8] = (out[8] & 0x3f) | 0x80;
}

void rt_uuid_orch(const char *instance_id, int64_t now_us, unsigned counter, char out[37])
{
	static const unsigned char ns[16] = { 0x9e, 0x95, 0x29, 0x58, 0x5e, 0x33, 0x4d, 0xaf,
					      0x82, 0x7f, 0x2f, 0xa1, 0x29, 0x37, 0xb8, 0x75 };
	char ts[40];
	unsigned char u[16];
	char *name;
	int n;

	rt_format_time_o(now_us, ts);
	n = asprintf(&name, "%s_%s_%u", instance_id ? instance_id : "", ts, counter);
	if (n < 0) {
		fprintf(stderr, "cfunc: out of memory\n");
		abort();
	}
	rt_uuid5(ns, name, (size_t)n, u);
	free(name);
	rt_uuid_format(u, out);
}

void rt_uuid_random_hex(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];

	if (sodium_init() < 0) {
		fprintf(stderr, "cfunc: libsodium cannot be initialised\n");
		abort();
	}
	randombytes_buf(b, sizeof(b));
	/* UUID version 7 (RFC 9562): 48 bits of Unix time in ms, then random.
	 * Still a valid GUID, but ids made one after another sort together, so
	 * the task hub's id index grows at one end instead of touching a random
	 * page for every new instance. */
	uint64_t ms = (uint64_t)(rt_now_us() / 1000);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (b[6] & 0x0f) | 0x70;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
}
