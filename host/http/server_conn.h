/*
 * server_conn.h - what the front end keeps per accepted connection (private
 * to host/http/: conn.c keeps them, server.c, inflight.c and dispatch.c read
 * them; loop thread only).
 *
 * A conn_track lives while its socket is open or a request from it is being
 * handled, whichever is longer: each holds a reference. Request tickets (one
 * per request h2o hands to on_req, in the request's memory pool) are disposed
 * by h2o when the request is done, which drops theirs.
 */
#ifndef HOST_SERVER_CONN_H
#define HOST_SERVER_CONN_H

#include "host/http/client_limits.h"
#include "host/http/server.h"

struct conn_track {
	h2o_linklist_t link;        /* in srv->conns while the socket is open */
	h2o_socket_t *sock;         /* NULL once closed */
	struct host_server *srv;
	struct host_client *client; /* its count in srv->clients */
	int refs;                   /* the open socket + each live request ticket */
	int busy;                   /* requests from it in on_req or later */
	int http2;                  /* its socket speaks HTTP/2 (no raw HTTP/1 head) */
	int refused;                /* answered 503 by host/http/inflight.c, being closed */
	/* The HTTP/1 head of the request being read, once complete: */
	size_t scanned_size;        /* input size when last looked at */
	int head_done;              /* complete: `announced` is final */
	int64_t announced;          /* its Content-Length, -1 if none */
};

/* One request from a connection, from on_req until h2o disposes it. */
struct req_ticket {
	struct conn_track *conn;
	int64_t response_bytes;     /* of srv->inflight_held, while h2o holds the response */
};

/* Starts tracking an accepted socket admitted as `client`: in srv->conns,
 * counted in srv->nconns, released when the socket closes. */
void host_conn_track(struct host_server *srv, h2o_socket_t *sock, struct host_client *client);

void host_conn_unref(struct conn_track *t);

/* The connection a request came on, or NULL (not one of ours). */
struct conn_track *host_conn_of(h2o_req_t *req);

#endif
