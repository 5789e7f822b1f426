/*
 * conn.c - the tracking of accepted connections (server_conn.h): each
 * socket's conn_track, found again from a request, released when the last
 * of the socket and its requests is done.
 */
#include "host/http/server_conn.h"

#include "common/xalloc.h"

#include <stdlib.h>

/* Every accepted socket is tracked through its on_close hook
 * (host/http/server_conn.h): for the connection caps, the in-flight bytes, and to
 * close idle keep-alive connections after a drain (h2o 2.2.5 has no call for
 * that). */
void host_conn_unref(struct conn_track *t)
{
	if (--t->refs == 0)
		free(t);
}

static void on_conn_close(void *data)
{
	struct conn_track *t = data;
	h2o_linklist_unlink(&t->link);
	t->srv->nconns--;
	host_clients_release(t->srv->clients, t->client);
	t->sock = NULL;
	host_conn_unref(t);
}

struct conn_track *host_conn_of(h2o_req_t *req)
{
	h2o_socket_t *sock = NULL;
	if (req->conn && req->conn->callbacks->get_socket)
		sock = req->conn->callbacks->get_socket(req->conn);
	if (!sock || sock->on_close.cb != on_conn_close)
		return NULL;
	return sock->on_close.data;
}

void host_conn_track(struct host_server *srv, h2o_socket_t *sock, struct host_client *client)
{
	struct conn_track *t = xcalloc(1, sizeof(*t));
	t->sock = sock;
	t->srv = srv;
	t->client = client;
	t->refs = 1;
	t->announced = -1;
	h2o_linklist_insert(&srv->conns, &t->link);
	srv->nconns++;
	sock->on_close.cb = on_conn_close;
	sock->on_close.data = t;
}
