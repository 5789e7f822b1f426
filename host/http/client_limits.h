/*
 * client_limits.h - connections per client address, so one client cannot
 * take every connection (cfunc.limits.maxConnections, maxConnectionsPerClient).
 *
 * A client is an IPv4 address, or an IPv6 /64 (one host usually holds a
 * whole /64). Rules for one more connection:
 *   - never beyond maxConnections in all;
 *   - never beyond maxConnectionsPerClient from one client;
 *   - the last eighth of maxConnections goes only to clients holding fewer
 *     than HOST_CLIENTS_FEW connections, so a newcomer still gets in while
 *     many clients each fill their own share.
 * Loop thread only; the table owns its entries.
 */
#ifndef HOST_CLIENT_LIMITS_H
#define HOST_CLIENT_LIMITS_H

#include <sys/socket.h>

#define HOST_CLIENTS_FEW 4

struct host_clients;
struct host_client; /* one client's count, valid until its last release */

struct host_clients *host_clients_new(int max_total, int max_per_client);
void host_clients_free(struct host_clients *c);

/* Counts one more connection from `sa`, or refuses it: NULL, with *why (static
 * text naming the limit). A socket address that is neither IPv4 nor IPv6
 * counts under one shared client. */
struct host_client *host_clients_admit(struct host_clients *c, const struct sockaddr *sa,
				       const char **why);

/* The connection admitted as `cl` closed. */
void host_clients_release(struct host_clients *c, struct host_client *cl);

/* Connections held in all, and by the client of `sa` (for tests and logs). */
long host_clients_total(const struct host_clients *c);
long host_clients_of(const struct host_clients *c, const struct sockaddr *sa);

#endif
