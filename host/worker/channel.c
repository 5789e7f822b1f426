/*
 * channel.c - blocking frame I/O for one socket end (channel.h).
 */
#include "host/worker/channel.h"

#include "common/clock.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum host_chan_rc host_chan_read(int fd, struct rt_wire_buf *in, size_t max,
				 int64_t deadline_mono_us, struct rt_wire_frame *f, size_t *used,
				 const char **err)
{
	return host_chan_read_timed(fd, in, max, deadline_mono_us, 0, f, used, err);
}

int host_chan_set_read_timeout(int fd, int64_t timeout_us)
{
	struct timeval tv = {.tv_sec = timeout_us / 1000000, .tv_usec = timeout_us % 1000000};
	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* A blocking read returns by the deadline by itself when the socket's own
 * timeout (at most rcv_timeout_us) cannot end after it, with this much
 * slack: then no poll is needed first. */
#define TIMED_READ_SLACK_US 10000

enum host_chan_rc host_chan_read_timed(int fd, struct rt_wire_buf *in, size_t max,
				       int64_t deadline_mono_us, int64_t rcv_timeout_us,
				       struct rt_wire_frame *f, size_t *used, const char **err)
{
	for (;;) {
		int rc = rt_wire_frame_next(in->data, in->len, max, f, used, err);
		if (rc == 1)
			return HOST_CHAN_FRAME;
		if (rc < 0)
			return HOST_CHAN_BROKEN;
		/* Room for what the frame still needs (at least 64 KiB a read). */
		size_t want = *used > in->len ? *used - in->len : 0;
		if (want < 65536)
			want = 65536;
		rt_wire_buf_space(in, want);
		if (deadline_mono_us > 0) {
			int64_t left = deadline_mono_us - rt_mono_us();
			if (left <= 0)
				return HOST_CHAN_TIMEOUT;
			if (rcv_timeout_us > 0 && left + TIMED_READ_SLACK_US >= rcv_timeout_us)
				goto read_now;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int n = poll(&p, 1, (int)((left + 999) / 1000));
			if (n < 0 && errno != EINTR) {
				*err = "poll failed";
				return HOST_CHAN_BROKEN;
			}
			if (n <= 0)
				continue;
		}
read_now:;
		ssize_t n = read(fd, in->data + in->len, in->cap - in->len);
		if (n == 0)
			return HOST_CHAN_EOF;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET)
				return HOST_CHAN_EOF;
			*err = "read failed";
			return HOST_CHAN_BROKEN;
		}
		in->len += (size_t)n;
	}
}

int host_chan_write(int fd, struct rt_wire_buf *out)
{
	size_t at = 0;
	while (at < out->len) {
		ssize_t n = send(fd, out->data + at, out->len - at, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out->len = 0;
			return -1;
		}
		at += (size_t)n;
	}
	out->len = 0;
	return 0;
}

int host_chan_write_draining(int fd, struct rt_wire_buf *out, struct rt_wire_buf *in)
{
	size_t at = 0;
	while (at < out->len) {
		ssize_t n = send(fd, out->data + at, out->len - at, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			at += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			break;
		/* The peer's buffer is full: it may be blocked writing replies
		 * to us, so take them in while waiting for room. */
		struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		if (p.revents & POLLIN) {
			rt_wire_buf_space(in, 65536);
			ssize_t r = recv(fd, in->data + in->len, in->cap - in->len, MSG_DONTWAIT);
			if (r == 0)
				break;
			if (r > 0)
				in->len += (size_t)r;
		} else if (p.revents & (POLLERR | POLLHUP)) {
			break;
		}
	}
	int sent = at == out->len;
	out->len = 0;
	return sent ? 0 : -1;
}
