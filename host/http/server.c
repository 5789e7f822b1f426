/*
 * server.c - h2o listener, request routing and the loop <-> worker hand-off.
 *
 * Ownership of a request job (struct req_job):
 *   - created on the loop thread in on_req(), with its own arena holding the
 *     copied request and, later, the response;
 *   - owned by a worker while run() executes; handed back with
 *     h2o_multithread_send_message();
 *   - freed on the loop thread in on_job_done() after the response is sent.
 * The h2o request may disappear first (client gone, or we already answered
 * 500 on a function timeout): a shared "slot" in the request's pool is
 * disposed by h2o and clears job->req, so the late result is dropped.
 *
 * A job whose response waits for a durable instance (h->park) is parked
 * when it comes back: owned by the loop, on srv->parked_head, with a timer,
 * and no worker. The engine's commit wakes it with the same message a
 * worker sends; the timer, a client that left or a drain end the wait
 * instead (bind_park_cancel decides which of them answers).
 */
#include "host/http/dispatch.h"
#include "host/http/job_done.h"
#include "host/http/job_pool.h"
#include "host/http/parked.h"
#include "host/stop_signal.h"
#include "host/http/server.h"
#include "host/http/router_functions.h"
#include "host/http/access.h"
#include "bindings/body_stream.h"
#include "host/http/client_limits.h"
#include "bindings/durable_client.h"
#include "host/http/inflight.h"
#include "host/log.h"
#include "host/http/request_head.h"
#include "host/http/server_conn.h"
#include "common/queue.h"
#include "common/urlcodec.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "common/invocation_id.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- listener, connections, signals, drain ---------------------------- */

/* One warning for the first connection closed at accept, then a count at
 * most every 5 s: a reconnecting client makes thousands a second. */
static void note_refused_connection(struct host_server *srv, const struct sockaddr *peer,
				    const char *why)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	int64_t now = rt_mono_us();
	srv->conns_refused++;
	if (srv->conns_logged_us && now - srv->conns_logged_us < 5000000)
		return;
	if (peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, addr, sizeof(addr));
	else if (peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, addr, sizeof(addr));
	host_log("Host.General", RT_LOG_WARNING,
		 "Closed %ld connection(s) at once (the last from %s): over %s", srv->conns_refused,
		 addr, why);
	srv->conns_refused = 0;
	srv->conns_logged_us = now;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	struct host_server *srv = listener->data;
	h2o_socket_t *sock;
	if (err)
		return;
	if ((sock = h2o_evloop_socket_accept(listener)) == NULL)
		return;
	struct sockaddr_storage peer;
	const char *why;
	memset(&peer, 0, sizeof(peer));
	h2o_socket_getpeername(sock, (struct sockaddr *)&peer);
	struct host_client *client = host_clients_admit(srv->clients, (struct sockaddr *)&peer, &why);
	if (!client) {
		/* Over a cap: refuse by closing at once rather than queueing. */
		h2o_socket_close(sock);
		note_refused_connection(srv, (struct sockaddr *)&peer, why);
		return;
	}
	host_conn_track(srv, sock, client);
	h2o_accept(&srv->accept_ctx, sock);
}

/* After the drain: make idle connections see EOF so h2o closes them. */
static void close_idle_connections(struct host_server *srv)
{
	for (h2o_linklist_t *n = srv->conns.next; n != &srv->conns; n = n->next) {
		struct conn_track *t = H2O_STRUCT_FROM_MEMBER(struct conn_track, link, n);
		shutdown(h2o_socket_get_fd(t->sock), SHUT_RDWR);
	}
	int64_t until = rt_mono_us() + 1000000;
	while (srv->nconns > 0 && rt_mono_us() < until)
		h2o_evloop_run(srv->h2o_ctx.loop, 10);
}

static void on_signal_readable(h2o_socket_t *sock, const char *err)
{
	struct host_server *srv = sock->data;
	int stop = 0, reload = 0;
	(void)err;
	for (size_t i = 0; i < sock->input->size; i++) {
		if ((unsigned char)sock->input->bytes[i] == SIGHUP)
			reload = 1;
		else
			stop = 1;
	}
	h2o_buffer_consume(&sock->input, sock->input->size);
	if (reload && !srv->draining) {
		if (srv->on_reload) {
			host_log_always("SIGHUP: deploying the apps again");
			srv->on_reload(srv->on_reload_ctx);
		} else {
			host_log("Host.General", RT_LOG_WARNING,
				 "SIGHUP ignored: apps are deployed again without a restart only "
				 "with worker processes (not with --in-process)");
		}
	}
	if (!stop || srv->draining)
		return;
	srv->draining = 1;
	/* What ASP.NET's console lifetime prints when func is stopped. */
	host_log_always("Application is shutting down...");
	srv->state = HOST_STATE_STOPPING;
	if (srv->on_stop_requested)
		srv->on_stop_requested(srv->on_stop_ctx);
	host_log("Host.General", RT_LOG_INFO, "Stopping the host: draining %ld in-flight request(s)",
		 srv->outstanding);
	/* Waits would hold the stop for their whole timeout: they get their
	 * check-status response now and can poll the host once it is back. */
	host_parked_end_all(srv);
	if (srv->listener) {
		h2o_socket_read_stop(srv->listener);
		h2o_socket_close(srv->listener);
		srv->listener = NULL;
	}
}


struct host_server *host_server_new(const struct host_config *cfg, struct bind_registry *reg,
				    const char *address, int port, char **err)
{
	struct host_server *srv = xcalloc(1, sizeof(*srv));
	srv->cfg = cfg;
	srv->reg = reg;
	srv->address = address;
	srv->port = port;
	srv->listen_fd = -1;
	srv->state = HOST_STATE_STARTING;
	srv->started_mono_us = rt_mono_us();
	h2o_linklist_init_anchor(&srv->conns);
	srv->clients = host_clients_new(cfg->limits.max_connections,
					cfg->limits.max_connections_per_client);
	srv->router = host_routes_build(cfg->http.route_prefix, reg->fns, reg->nfns, err);
	if (!srv->router) {
		host_server_free(srv);
		return NULL;
	}
	/* The worker pool starts in host_server_run, not here: the host still
	 * exports its environment (setenv) after this, and no thread may be
	 * running getenv while it does. */
	return srv;
}

void host_server_add_endpoints(struct host_server *srv, host_endpoint_router fn)
{
	if (srv->nendpoints < (int)(sizeof(srv->endpoints) / sizeof(srv->endpoints[0])))
		srv->endpoints[srv->nendpoints++] = fn;
}

int host_server_listen(struct host_server *srv, char **err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (strchr(srv->address, ':')) {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons((uint16_t)srv->port);
		if (inet_pton(AF_INET6, srv->address, &sa->sin6_addr) != 1)
			goto bad_address;
		sslen = sizeof(*sa);
	} else {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
		sa->sin_family = AF_INET;
		sa->sin_port = htons((uint16_t)srv->port);
		if (inet_pton(AF_INET, srv->address, &sa->sin_addr) != 1)
			goto bad_address;
		sslen = sizeof(*sa);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*err = xasprintf("cannot create socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0 || listen(fd, SOMAXCONN) != 0) {
		int e = errno;
		close(fd);
		if (e == EADDRINUSE || e == EACCES)
			*err = xasprintf("Port %d is unavailable. Close the process using that port, "
					 "or specify another port using --port [-p].",
					 srv->port);
		else
			*err = xasprintf("cannot listen on %s:%d: %s", srv->address, srv->port,
					 strerror(e));
		return -1;
	}
	if (srv->port == 0) {
		/* --port 0: report the port the kernel chose. */
		getsockname(fd, (struct sockaddr *)&ss, &sslen);
		srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							  : ((struct sockaddr_in *)&ss)->sin_port);
	}
	srv->listen_fd = fd;
	return 0;

bad_address:
	*err = xasprintf("Invalid --address value '%s'. Expected an IP address, for example "
			 "127.0.0.1 or 0.0.0.0.",
			 srv->address);
	return -1;
}

int host_server_run(struct host_server *srv)
{
	h2o_hostconf_t *hostconf;
	h2o_pathconf_t *pathconf;
	h2o_handler_t *handler;

	signal(SIGPIPE, SIG_IGN);
	srv->pool = rt_pool_new(srv->cfg->workers, "http", host_job_pool_event, NULL);
	h2o_config_init(&srv->h2o_conf);
	srv->h2o_conf.server_name = h2o_iovec_init(H2O_STRLIT("cfunc"));
	srv->h2o_conf.max_request_entity_size = (size_t)srv->cfg->limits.max_request_body_bytes;
	srv->h2o_conf.http1.req_timeout = (uint64_t)srv->cfg->limits.request_timeout_ms;
	hostconf = h2o_config_register_host(&srv->h2o_conf, h2o_iovec_init(H2O_STRLIT("default")),
					    65535);
	pathconf = h2o_config_register_path(hostconf, "/", 0);
	handler = h2o_create_handler(pathconf, sizeof(*handler) + sizeof(srv));
	handler->on_req = host_dispatch_on_req;
	*(struct host_server **)(handler + 1) = srv;

	h2o_context_init(&srv->h2o_ctx, h2o_evloop_create(), &srv->h2o_conf);
	h2o_multithread_register_receiver(srv->h2o_ctx.queue, &srv->done_receiver, host_job_done_receive);
	if (srv->cfg->function_timeout_ms > 0) {
		h2o_timeout_init(srv->h2o_ctx.loop, &srv->fn_timeout,
				 (uint64_t)srv->cfg->function_timeout_ms);
		srv->fn_timeout_on = 1;
	}
	srv->accept_ctx.ctx = &srv->h2o_ctx;
	srv->accept_ctx.hosts = srv->h2o_conf.hosts;

	srv->listener = h2o_evloop_socket_create(srv->h2o_ctx.loop, srv->listen_fd,
						 H2O_SOCKET_FLAG_DONT_READ);
	srv->listener->data = srv;
	h2o_socket_read_start(srv->listener, on_accept);

	/* Start-up installed the handlers before it printed "Now listening
	 * on"; a signal since then is waiting in the pipe. */
	int stop_fd = host_stop_signal_take_fd();
	if (stop_fd >= 0) {
		srv->signal_sock = h2o_evloop_socket_create(srv->h2o_ctx.loop, stop_fd, 0);
		srv->signal_sock->data = srv;
		h2o_socket_read_start(srv->signal_sock, on_signal_readable);
	}
	srv->state = HOST_STATE_RUNNING;

	/* Drain: after a signal, keep serving until every routed request is
	 * answered and every worker job is back, then leave the loop. */
	while (!(srv->draining && srv->outstanding == 0 && srv->running == 0 &&
		 srv->parked_jobs == 0)) {
		h2o_evloop_run(srv->h2o_ctx.loop, srv->draining ? 10 : INT32_MAX);
		host_inflight_tick(srv);
		host_job_pool_flush(srv);
		if (srv->park_timeouts)
			host_parked_sweep(srv);
	}
	close_idle_connections(srv);
	return 0;
}

void host_server_free(struct host_server *srv)
{
	if (!srv)
		return;
	rt_pool_free(srv->pool);
	if (srv->router)
		host_router_free(srv->router);
	if (srv->h2o_ctx.loop) {
		if (srv->listener)
			h2o_socket_close(srv->listener);
		if (srv->signal_sock)
			h2o_socket_close(srv->signal_sock);
		h2o_multithread_unregister_receiver(srv->h2o_ctx.queue, &srv->done_receiver);
		/* Every parked request was answered by the drain; what is left of
		 * their timeouts goes with the loop. */
		host_parked_sweep(srv);
		if (srv->fn_timeout_on)
			h2o_timeout_dispose(srv->h2o_ctx.loop, &srv->fn_timeout);
		/* h2o asserts that no connection is left; one that ignored the
		 * shutdown is left to the OS instead (the process is exiting). */
		if (srv->nconns == 0) {
			h2o_evloop_t *loop = srv->h2o_ctx.loop;
			h2o_multithread_queue_t *queue = srv->h2o_ctx.queue;
			h2o_context_dispose(&srv->h2o_ctx);
			/* h2o 2.2.5 (evloop) closes the queue's pipe but never frees
			 * the calloc'd queue itself. */
			free(queue);
			/* Sockets closed by the dispose are freed on the next turn. */
			h2o_evloop_run(loop, 0);
			h2o_evloop_destroy(loop);
			h2o_config_dispose(&srv->h2o_conf);
		}
	} else if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
	}
	host_clients_free(srv->clients);
	for (size_t i = 0; i < srv->ncors; i++)
		free(srv->cors_origins[i]);
	free(srv->cors_origins);
	free(srv);
}
