/*
 * Unit tests for host/client_limits.c: per-client connection caps, the share
 * kept for new clients, and how addresses are grouped into clients.
 */
#include "host/http/client_limits.h"

#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static struct sockaddr_storage SS;

static const struct sockaddr *v4(const char *ip)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)&SS;
	memset(&SS, 0, sizeof(SS));
	sa->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sa->sin_addr);
	return (const struct sockaddr *)&SS;
}

static const struct sockaddr *v6(const char *ip)
{
	struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&SS;
	memset(&SS, 0, sizeof(SS));
	sa->sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &sa->sin6_addr);
	return (const struct sockaddr *)&SS;
}

/* Admits up to n connections from ip; returns how many got in. */
static int flood(struct host_clients *c, const char *ip, int n)
{
	const char *why;
	int in = 0;
	for (int i = 0; i < n; i++)
		in += host_clients_admit(c, v4(ip), &why) != NULL;
	return in;
}

static void per_client(void)
{
	struct host_clients *c = host_clients_new(1024, 10);
	const char *why = NULL;
	is_int(flood(c, "127.0.0.2", 1100), 10, "one address gets maxConnectionsPerClient, not 1,100");
	ok(host_clients_admit(c, v4("127.0.0.2"), &why) == NULL, "the next one is refused");
	is_str(why, "cfunc.limits.maxConnectionsPerClient", "naming the per-client limit");
	struct host_client *ctl = host_clients_admit(c, v4("127.0.0.1"), &why);
	ok(ctl != NULL, "another address still gets in");
	is_int(host_clients_of(c, v4("127.0.0.2")), 10, "counted per address");
	is_int(host_clients_total(c), 11, "and in all");
	host_clients_release(c, ctl);
	is_int(host_clients_of(c, v4("127.0.0.1")), 0, "released");
	ctl = host_clients_admit(c, v4("127.0.0.1"), &why);
	ok(ctl != NULL, "a released client can come back");
	host_clients_free(c);
}

static void reserve(void)
{
	/* 16 in all: the last 2 (an eighth) only for clients holding < 4. */
	struct host_clients *c = host_clients_new(16, 16);
	const char *why = NULL;
	is_int(flood(c, "10.0.0.1", 20), 14, "one client stops before the reserved eighth");
	ok(host_clients_admit(c, v4("10.0.0.1"), &why) == NULL, "then is refused");
	is_str(why, "the connections kept for new clients", "naming the reserve");
	is_int(flood(c, "10.0.0.2", 1), 1, "a new client takes a reserved connection");
	is_int(flood(c, "10.0.0.3", 3), 1, "another takes the last one");
	ok(host_clients_admit(c, v4("10.0.0.4"), &why) == NULL, "nothing beyond maxConnections");
	is_str(why, "cfunc.limits.maxConnections", "naming the total cap");
	host_clients_free(c);

	/* A small cap keeps no reserve: maxConnections 4 means 4. */
	c = host_clients_new(4, 256);
	is_int(flood(c, "127.0.0.1", 5), 4, "maxConnections 4 admits 4 from one address");
	host_clients_free(c);
}

static void grouping(void)
{
	struct host_clients *c = host_clients_new(100, 2);
	const char *why;
	ok(host_clients_admit(c, v6("2001:db8:1:2::1"), &why) != NULL, "IPv6 client");
	ok(host_clients_admit(c, v6("2001:db8:1:2::ffff"), &why) != NULL, "same /64, 2nd");
	ok(host_clients_admit(c, v6("2001:db8:1:2:aaaa::1"), &why) == NULL,
	   "a third address in the same /64 is the same client");
	ok(host_clients_admit(c, v6("2001:db8:1:3::1"), &why) != NULL, "the next /64 is another");
	ok(host_clients_admit(c, v4("192.0.2.7"), &why) != NULL, "IPv4 client");
	ok(host_clients_admit(c, v6("::ffff:192.0.2.7"), &why) != NULL,
	   "the same IPv4 client through a dual-stack socket");
	ok(host_clients_admit(c, v4("192.0.2.7"), &why) == NULL, "counts as the same client");
	ok(host_clients_admit(c, v4("192.0.2.8"), &why) != NULL, "a neighbouring IPv4 is another");
	host_clients_free(c);
}

int main(void)
{
	subtest("per client", per_client);
	subtest("reserve", reserve);
	subtest("grouping", grouping);
	return done_testing();
}
