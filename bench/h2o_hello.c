/*
 * h2o_hello - the baseline for bench/http.sh: a bare h2o 2.2.5 (evloop)
 * server on one thread answering "Hello, <name>!" to GET /api/hello?name=,
 * with no routing, no thread hop and no logging. cfunc's figure is read as a
 * ratio of this one, measured in the same run.
 */
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	(void)self;
	const char *q = memchr(req->path.base, '?', req->path.len);
	const char *name = "world";
	size_t name_len = 5;
	if (q && req->path.len - (size_t)(q - req->path.base) > 6 && memcmp(q, "?name=", 6) == 0) {
		name = q + 6;
		name_len = req->path.len - (size_t)(q - req->path.base) - 6;
	}
	h2o_iovec_t body;
	body.base = h2o_mem_alloc_pool(&req->pool, name_len + 16);
	body.len = (size_t)sprintf(body.base, "Hello, %.*s!", (int)name_len, name);
	req->res.status = 200;
	req->res.reason = "OK";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		       H2O_STRLIT("text/plain; charset=utf-8"));
	req->res.content_length = body.len;
	h2o_send_inline(req, body.base, body.len);
	return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	h2o_socket_t *sock;
	if (err || (sock = h2o_evloop_socket_accept(listener)) == NULL)
		return;
	h2o_accept(&accept_ctx, sock);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7090, fd, on = 1;
	struct sockaddr_in addr;
	h2o_hostconf_t *hostconf;
	h2o_handler_t *handler;

	signal(SIGPIPE, SIG_IGN);
	h2o_config_init(&config);
	hostconf = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	handler = h2o_create_handler(h2o_config_register_path(hostconf, "/", 0), sizeof(*handler));
	handler->on_req = on_req;
	h2o_context_init(&ctx, h2o_evloop_create(), &config);
	accept_ctx.ctx = &ctx;
	accept_ctx.hosts = config.hosts;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(0x7f000001);
	addr.sin_port = htons((uint16_t)port);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
		perror("listen");
		return 1;
	}
	h2o_socket_t *sock = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
	h2o_socket_read_start(sock, on_accept);
	fprintf(stderr, "h2o_hello listening on 127.0.0.1:%d\n", port);
	while (h2o_evloop_run(ctx.loop, INT32_MAX) == 0)
		;
	return 0;
}
