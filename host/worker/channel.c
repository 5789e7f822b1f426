/*
 * channel.c - blocking frame I/O for one socket end (channel.h).
 */
#include "host/worker/channel.h"

#include "common/clock.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

enum host_chan_rc host_chan_read(int fd, struct rt_wire_buf *in, size_t max,
				 int64_t deadline_mono_us, struct rt_wire_frame *f, size_t *used,
				 const char **err)
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
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int n = poll(&p, 1, (int)((left + 999) / 1000));
			if (n < 0 && errno != EINTR) {
				*err = "poll failed";
				return HOST_CHAN_BROKEN;
			}
			if (n <= 0)
				continue;
		}
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
