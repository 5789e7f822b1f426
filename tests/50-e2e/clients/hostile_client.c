/*
 * hostile_client.c - clients curl cannot be: many at once, from a chosen
 * loopback address, sending big bodies or dribbling forever. Built by the
 * e2e scripts that use it; every run is bounded in connections and time.
 *
 *   hostile_client bodies <src-ip> <port> <path> <connections> <bytes> <rounds> <seconds>
 *       each round opens <connections> at once, each POSTs a <bytes> body
 *       (Content-Length announced), and reads the answer. Prints
 *       "answered=N 200=N 503=N other=N unanswered=N".
 *   hostile_client slow <src-ip> <port> <connections> <seconds>
 *       keeps up to <connections> connections sending half a request, one
 *       byte a second, reconnecting each one the host closes. Prints
 *       "connects=N closed_by_host=N max_open=N".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A non-blocking connection from src to 127.0.0.1:port, or -1. */
static int dial(const char *src, int port)
{
	struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	inet_pton(AF_INET, src, &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

struct upload {
	int fd;
	size_t head_sent, body_sent;
	char resp[64];
	size_t rlen;
	int status; /* 0 until the status line is read */
	int done;
};

/* The status of "HTTP/1.1 NNN", 0 if not yet complete. */
static int parse_status(const struct upload *u)
{
	if (u->rlen < 12 || memcmp(u->resp, "HTTP/1.", 7) != 0)
		return 0;
	return atoi(u->resp + 9);
}

static void read_answer(struct upload *u)
{
	ssize_t n = recv(u->fd, u->resp + u->rlen, sizeof(u->resp) - 1 - u->rlen, 0);
	if (n > 0) {
		u->rlen += (size_t)n;
		u->resp[u->rlen] = '\0';
		if ((u->status = parse_status(u)) != 0)
			u->done = 1; /* the status is all we wait for */
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		u->done = 1;
	}
}

static int bodies(const char *src, int port, const char *path, int nconn, size_t bytes,
		  int rounds, double seconds)
{
	static char zeros[65536];
	char head[512];
	int head_len = snprintf(head, sizeof(head),
				"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
				"Content-Length: %zu\r\n\r\n",
				path, bytes);
	struct upload *u = calloc((size_t)nconn, sizeof(*u));
	struct pollfd *p = calloc((size_t)nconn, sizeof(*p));
	long ok200 = 0, s503 = 0, other = 0, unanswered = 0;
	double deadline = now_s() + seconds;

	for (int r = 0; r < rounds && now_s() < deadline; r++) {
		for (int i = 0; i < nconn; i++) {
			memset(&u[i], 0, sizeof(u[i]));
			u[i].fd = dial(src, port);
			u[i].done = u[i].fd < 0;
		}
		for (;;) {
			int live = 0;
			for (int i = 0; i < nconn; i++) {
				p[i].fd = u[i].done ? -1 : u[i].fd;
				p[i].events = POLLIN;
				if (u[i].body_sent < bytes)
					p[i].events |= POLLOUT;
				live += !u[i].done;
			}
			if (!live || now_s() > deadline)
				break;
			if (poll(p, (nfds_t)nconn, 100) < 0 && errno != EINTR)
				break;
			for (int i = 0; i < nconn; i++) {
				if (u[i].done || !p[i].revents)
					continue;
				if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
					read_answer(&u[i]);
				if (u[i].done || !(p[i].revents & POLLOUT))
					continue;
				ssize_t n;
				if (u[i].head_sent < (size_t)head_len) {
					n = send(u[i].fd, head + u[i].head_sent,
						 (size_t)head_len - u[i].head_sent, MSG_NOSIGNAL);
					if (n > 0)
						u[i].head_sent += (size_t)n;
				} else {
					size_t left = bytes - u[i].body_sent;
					n = send(u[i].fd, zeros, left < sizeof(zeros) ? left : sizeof(zeros),
						 MSG_NOSIGNAL);
					if (n > 0)
						u[i].body_sent += (size_t)n;
				}
				if (n < 0 && errno != EAGAIN && errno != EINTR) {
					/* Refused while sending: the answer may be waiting. */
					u[i].body_sent = bytes;
					read_answer(&u[i]);
				}
			}
		}
		for (int i = 0; i < nconn; i++) {
			if (u[i].fd < 0) {
				unanswered++;
				continue;
			}
			if (u[i].status == 200)
				ok200++;
			else if (u[i].status == 503)
				s503++;
			else if (u[i].status)
				other++;
			else
				unanswered++;
			close(u[i].fd);
		}
	}
	printf("answered=%ld 200=%ld 503=%ld other=%ld unanswered=%ld\n", ok200 + s503 + other,
	       ok200, s503, other, unanswered);
	free(u);
	free(p);
	return 0;
}

static int slow(const char *src, int port, int nconn, double seconds)
{
	static const char part[] = "GET /api/echo/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
	int *fd = calloc((size_t)nconn, sizeof(int));
	struct pollfd *p = calloc((size_t)nconn, sizeof(*p));
	long connects = 0, closed = 0, open_now = 0, max_open = 0;
	double deadline = now_s() + seconds, next_byte = now_s() + 1;

	for (int i = 0; i < nconn; i++)
		fd[i] = -1;
	while (now_s() < deadline) {
		/* At most 200 rounds a second: hostile, not a fork bomb on a shared machine. */
		double round_end = now_s() + 0.005;
		/* (Re)connect every free slot: what a reconnecting attacker does. */
		for (int i = 0; i < nconn; i++) {
			if (fd[i] >= 0)
				continue;
			if ((fd[i] = dial(src, port)) >= 0) {
				connects++;
				open_now++;
				if (send(fd[i], part, sizeof(part) - 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
					/* connect still in progress: the dribble sends later */
				}
			}
		}
		if (open_now > max_open)
			max_open = open_now;
		for (int i = 0; i < nconn; i++) {
			p[i].fd = fd[i];
			p[i].events = POLLIN;
		}
		poll(p, (nfds_t)nconn, 50);
		int dribble = now_s() >= next_byte;
		if (dribble)
			next_byte = now_s() + 1;
		for (int i = 0; i < nconn; i++) {
			if (fd[i] < 0)
				continue;
			char buf[256];
			int gone = 0;
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				ssize_t n = recv(fd[i], buf, sizeof(buf), 0);
				gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
			}
			if (!gone && dribble && send(fd[i], "x", 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
				gone = 1;
			if (gone) {
				close(fd[i]);
				fd[i] = -1;
				closed++;
				open_now--;
			}
		}
		double left = round_end - now_s();
		if (left > 0) {
			struct timespec ts = {0, (long)(left * 1e9)};
			nanosleep(&ts, NULL);
		}
	}
	printf("connects=%ld closed_by_host=%ld max_open=%ld\n", connects, closed, max_open);
	for (int i = 0; i < nconn; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(fd);
	free(p);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 9 && strcmp(argv[1], "bodies") == 0)
		return bodies(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]),
			      (size_t)strtoull(argv[6], NULL, 10), atoi(argv[7]), atof(argv[8]));
	if (argc == 6 && strcmp(argv[1], "slow") == 0)
		return slow(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
	fprintf(stderr, "usage: see the comment at the top of hostile_client.c\n");
	return 2;
}
