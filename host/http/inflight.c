/*
 * inflight.c - the cap on request and response bytes held (see the header).
 */
#include "host/http/inflight.h"
#include "host/log.h"
#include "host/http/request_head.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes of the head scanned for the Content-Length: h2o 2.2.5 refuses
 * heads longer than H2O_MAX_REQLEN (8192) anyway. */
#define HEAD_SCAN_MAX 16384

/* One warning for the first refusal, then a count at most every 5 s. */
static void note_refusal(struct host_server *srv)
{
	int64_t now = rt_mono_us();
	srv->inflight_refused++;
	if (srv->inflight_logged_us && now - srv->inflight_logged_us < 5000000)
		return;
	host_log("Host.General", RT_LOG_WARNING,
		 "Refused %ld request(s) with 503: the request and response bytes held would exceed "
		 "cfunc.limits.maxInFlightBytes (%lld)",
		 srv->inflight_refused, (long long)srv->cfg->limits.max_in_flight_bytes);
	srv->inflight_refused = 0;
	srv->inflight_logged_us = now;
}

/* While h2o still reads the body: answer on the socket ourselves and shut it
 * down both ways; h2o then reads EOF and closes the connection, freeing its
 * buffer. h2o writes nothing while it reads a request (bar a 25-byte
 * "100 Continue", sent at once), so the bytes cannot interleave. */
static void refuse_on_socket(struct conn_track *t)
{
	static const char resp[] = "HTTP/1.1 503 Service Unavailable\r\n"
				   "Content-Type: application/json; charset=utf-8\r\n"
				   "Retry-After: 1\r\n"
				   "Connection: close\r\n"
				   "Content-Length: %zu\r\n"
				   "\r\n" HOST_INFLIGHT_REFUSAL;
	char buf[sizeof(resp) + 32];
	int n = snprintf(buf, sizeof(buf), resp, sizeof(HOST_INFLIGHT_REFUSAL) - 1);
	int fd = h2o_socket_get_fd(t->sock);
	if (send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* The client is gone or not reading: closing is all that is left. */
	}
	shutdown(fd, SHUT_RDWR);
}

/* Looks at the head of the request t is reading (once per new input). */
static void scan_head(struct conn_track *t, h2o_buffer_t *in)
{
	if (t->head_done || t->scanned_size == in->size)
		return;
	t->scanned_size = in->size;
	int64_t length;
	size_t n = in->size < HEAD_SCAN_MAX ? in->size : HEAD_SCAN_MAX;
	enum host_head_framing f = host_head_framing(in->bytes, n, &length, NULL);
	if (f == HOST_HEAD_INCOMPLETE)
		return;
	t->head_done = 1;
	t->announced = f == HOST_HEAD_LENGTH ? length : -1;
}

/* What a connection still reading its request will hold: its buffer and the
 * copy for the function, each at least the announced length. */
static int64_t claim_of(struct conn_track *t, h2o_buffer_t *in)
{
	int64_t size = (int64_t)in->size;
	scan_head(t, in);
	/* Over maxRequestBodyBytes h2o answers 413 itself and reads no body. */
	if (t->announced > t->srv->cfg->limits.max_request_body_bytes)
		return 0;
	if (t->announced > size)
		size = t->announced;
	return 2 * size;
}

static int reading(const struct conn_track *t, const h2o_buffer_t *in)
{
	return !t->busy && !t->http2 && !t->refused && in->size > 0;
}

/* Oldest first: a connection still reading keeps its place if its claim fits
 * after everything already held; else it is refused. Returns 1 if `current`
 * (not answered here: on_req answers it) was refused. */
static int sweep(struct host_server *srv, struct conn_track *current)
{
	const int64_t limit = srv->cfg->limits.max_in_flight_bytes;
	int64_t total = srv->inflight_held;
	int current_refused = 0;
	h2o_linklist_t *n;

	srv->inflight_swept_us = rt_mono_us();
	for (n = srv->conns.next; n != &srv->conns; n = n->next) {
		struct conn_track *t = H2O_STRUCT_FROM_MEMBER(struct conn_track, link, n);
		if (!reading(t, t->sock->input) && t != current)
			total += (int64_t)t->sock->input->size;
	}
	for (n = srv->conns.next; n != &srv->conns; n = n->next) {
		struct conn_track *t = H2O_STRUCT_FROM_MEMBER(struct conn_track, link, n);
		h2o_buffer_t *in = t->sock->input;
		if (!reading(t, in) && t != current)
			continue;
		int64_t claim = claim_of(t, in);
		if (claim < HOST_INFLIGHT_SMALL || total + claim <= limit) {
			total += claim;
			continue;
		}
		total += (int64_t)in->size; /* held until the socket is closed */
		t->refused = 1;
		note_refusal(srv);
		if (t == current)
			current_refused = 1;
		else
			refuse_on_socket(t);
	}
	return current_refused;
}

void host_inflight_tick(struct host_server *srv)
{
	if (srv->nconns > 0 && rt_mono_us() - srv->inflight_swept_us >= 1000)
		sweep(srv, NULL);
}

int host_inflight_admit(struct host_server *srv, struct conn_track *t, size_t body_len)
{
	if (!t)
		return 1;
	if (t->refused)
		return 0;
	if (body_len < HOST_INFLIGHT_SMALL / 2 || t->http2)
		return 1;
	return !sweep(srv, t);
}
