/*
 * client_limits.c - per-client connection counts in a small hash table
 * (see the header for the rules).
 */
#include "host/http/client_limits.h"
#include "common/hash.h"
#include "common/xalloc.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 1024 /* a power of two */

struct host_client {
	struct host_client *next;
	unsigned char key[16];
	long count;
};

struct host_clients {
	int max_total, max_per_client, reserve;
	long total;
	struct host_client *buckets[NBUCKETS];
};

struct host_clients *host_clients_new(int max_total, int max_per_client)
{
	struct host_clients *c = xcalloc(1, sizeof(*c));
	c->max_total = max_total;
	c->max_per_client = max_per_client;
	c->reserve = max_total / 8;
	return c;
}

void host_clients_free(struct host_clients *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct host_client *e = c->buckets[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	free(c);
}

/* IPv4 as ::ffff:a.b.c.d, IPv6 cut to its /64; anything else all zeroes. */
static void client_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		/* An IPv4 client on a dual-stack socket is still that IPv4 client. */
		memcpy(key, a, memcmp(a, v4_mapped, 12) == 0 ? 16 : 8);
	}
}

static size_t bucket_of(const unsigned char key[16])
{
	return rt_hash32_bytes(key, 16) & (NBUCKETS - 1);
}

static struct host_client **find(struct host_clients *c, const unsigned char key[16])
{
	struct host_client **p = &c->buckets[bucket_of(key)];
	while (*p && memcmp((*p)->key, key, 16) != 0)
		p = &(*p)->next;
	return p;
}

struct host_client *host_clients_admit(struct host_clients *c, const struct sockaddr *sa,
				       const char **why)
{
	unsigned char key[16];
	client_key(sa, key);
	struct host_client **p = find(c, key), *cl = *p;
	long held = cl ? cl->count : 0;

	if (c->total >= c->max_total) {
		*why = "cfunc.limits.maxConnections";
		return NULL;
	}
	if (held >= c->max_per_client) {
		*why = "cfunc.limits.maxConnectionsPerClient";
		return NULL;
	}
	if (c->total >= c->max_total - c->reserve && held >= HOST_CLIENTS_FEW) {
		*why = "the connections kept for new clients";
		return NULL;
	}
	if (!cl) {
		cl = xcalloc(1, sizeof(*cl));
		memcpy(cl->key, key, 16);
		*p = cl;
	}
	cl->count++;
	c->total++;
	return cl;
}

void host_clients_release(struct host_clients *c, struct host_client *cl)
{
	c->total--;
	if (--cl->count > 0)
		return;
	struct host_client **p = find(c, cl->key);
	*p = cl->next;
	free(cl);
}

long host_clients_total(const struct host_clients *c)
{
	return c->total;
}

long host_clients_of(const struct host_clients *c, const struct sockaddr *sa)
{
	unsigned char key[16];
	client_key(sa, key);
	struct host_client *const *p = find((struct host_clients *)c, key);
	return *p ? (*p)->count : 0;
}
