/*
 * cli_durable_http.c - a blocking HTTP/1.1 client for one request to the
 * host on loopback: Connection: close, the answer read to EOF, chunked or
 * sized bodies. Small on purpose; it only ever talks to cfunc itself.
 */
#include "host/cli/cli_durable.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>


static int connect_to(const char *addr, int port, int timeout_ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res = NULL;
	char portbuf[16];
	int fd = -1;
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	if (getaddrinfo(addr, portbuf, &hints, &res) != 0 || !res)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (errno != EINPROGRESS || poll(&p, 1, timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

int dhttp_probe(const char *addr, int port, int timeout_ms)
{
	int fd = connect_to(addr, port, timeout_ms);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int wait_fd(int fd, short ev, int64_t deadline_us)
{
	struct pollfd p = {.fd = fd, .events = ev};
	int64_t left = (deadline_us - rt_mono_us()) / 1000;
	if (left <= 0)
		return -1;
	return poll(&p, 1, (int)left) == 1 ? 0 : -1;
}

/* Decodes a chunked body in place; -1 if malformed. */
static int dechunk(char *b, size_t len, size_t *out)
{
	size_t r = 0, w = 0;
	for (;;) {
		char *end;
		unsigned long n = strtoul(b + r, &end, 16);
		char *crlf = memmem(b + r, len - r, "\r\n", 2);
		if (!crlf || end == b + r)
			return -1;
		r = (size_t)(crlf - b) + 2;
		if (n == 0)
			break;
		if (n > len - r)
			return -1;
		memmove(b + w, b + r, n);
		w += n;
		r += n + 2;
		if (r > len)
			return -1;
	}
	*out = w;
	return 0;
}

static char *header_value(const char *head, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1, *e = strstr(v, "\r\n");
			while (*v == ' ' || *v == '\t')
				v++;
			return e ? xstrndup(v, (size_t)(e - v)) : xstrdup(v);
		}
	}
	return NULL;
}

int dhttp_request(const char *addr, int port, const char *host_header, const char *method,
		  const char *target, const char *headers, const char *body, int timeout_ms,
		  struct dhttp_resp *r, char **err)
{
	int64_t deadline = rt_mono_us() + (int64_t)timeout_ms * 1000;
	char *req, *buf = NULL, *sep, *te, *cl;
	size_t len = 0, cap = 0, off = 0, reqlen;
	int fd;

	memset(r, 0, sizeof(*r));
	fd = connect_to(addr, port, timeout_ms);
	if (fd < 0) {
		*err = xasprintf("cannot connect to the host at %s:%d", addr, port);
		return -1;
	}
	req = xasprintf("%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nAccept: application/json\r\n"
			"%s%s%s%zu\r\n\r\n%s",
			method, target, host_header, headers ? headers : "",
			body ? "Content-Type: application/json\r\n" : "",
			"Content-Length: ", body ? strlen(body) : 0, body ? body : "");
	reqlen = strlen(req);
	while (off < reqlen) {
		ssize_t n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR) && wait_fd(fd, POLLOUT, deadline) == 0)
			continue;
		if (n <= 0) {
			*err = xasprintf("cannot send to the host at %s:%d: %s", addr, port, strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	for (;;) {
		ssize_t n;
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = xrealloc(buf, cap + 1);
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) != 0) {
				*err = xasprintf("the host at %s:%d did not answer in time", addr, port);
				goto fail;
			}
			continue;
		}
		if (n < 0) {
			*err = xasprintf("cannot read from the host: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!buf)
		buf = xmalloc(1);
	buf[len] = '\0';
	sep = strstr(buf, "\r\n\r\n");
	if (!sep || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
		*err = xasprintf("the host at %s:%d sent no HTTP answer", addr, port);
		goto fail;
	}
	*sep = '\0';
	r->continuation = header_value(buf, "x-ms-continuation-token");
	te = header_value(buf, "transfer-encoding");
	cl = header_value(buf, "content-length");
	{
		char *b = sep + 4;
		size_t blen = len - (size_t)(b - buf);
		if (te && strcasecmp(te, "chunked") == 0 && dechunk(b, blen, &blen) != 0) {
			free(te);
			free(cl);
			*err = xstrdup("the host sent a malformed chunked body");
			goto fail;
		}
		if (cl && (size_t)strtoull(cl, NULL, 10) < blen)
			blen = (size_t)strtoull(cl, NULL, 10);
		r->body = xstrndup(b, blen);
		r->len = blen;
	}
	free(te);
	free(cl);
	free(buf);
	free(req);
	close(fd);
	return 0;
fail:
	free(buf);
	free(req);
	close(fd);
	dhttp_resp_free(r);
	return -1;
}

void dhttp_resp_free(struct dhttp_resp *r)
{
	free(r->body);
	free(r->continuation);
	memset(r, 0, sizeof(*r));
}
